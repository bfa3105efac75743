//! A reader for the sandbox's own consent page, so other crates' tests can drive the real
//! HTTP flow (GET the page, POST the form) without an HTML parser.

/// The consent form of a page served by `GET /www/oauth/authorize`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentForm {
    /// Where the form posts: `/www/oauth/authorize` (join it to the base URL).
    pub action: String,
    /// The hidden fields, in page order, unescaped.
    pub hidden: Vec<(String, String)>,
    /// The Instagram user id of every account offered, in page order.
    pub accounts: Vec<String>,
    /// The requested scopes, one checkbox each, in page order.
    pub scopes: Vec<String>,
}

/// Undoes [`crate::escape_html`].
fn unescape_html(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The value of `name="..."` in one tag.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let marker = format!(" {name}=\"");
    let start = tag.find(&marker)? + marker.len();
    let length = tag.get(start..)?.find('"')?;
    Some(unescape_html(tag.get(start..start + length)?))
}

impl ConsentForm {
    /// Reads the form out of a consent page; `None` if the page holds none (an error page).
    pub fn parse(html: &str) -> Option<Self> {
        let mut form = Self {
            action: String::new(),
            hidden: Vec::new(),
            accounts: Vec::new(),
            scopes: Vec::new(),
        };
        for tag in html.split('<') {
            let tag = tag.split('>').next().unwrap_or_default();
            if tag.starts_with("form ") {
                form.action = attribute(tag, "action")?;
            } else if tag.starts_with("input type=\"hidden\"") {
                form.hidden
                    .push((attribute(tag, "name")?, attribute(tag, "value")?));
            } else if tag.starts_with("input type=\"checkbox\"") {
                form.scopes.push(attribute(tag, "value")?);
            } else if tag.starts_with("option ") {
                form.accounts.push(attribute(tag, "value")?);
            }
        }
        (!form.action.is_empty()).then_some(form)
    }

    /// The form body of "Allow" as the account `ig_user_id`, leaving ticked only the
    /// requested scopes in `granted` (`instagram_business_basic` is granted regardless).
    pub fn approve(&self, ig_user_id: &str, granted: &[&str]) -> Vec<(String, String)> {
        let mut body = self.hidden.clone();
        body.push(("user_id".into(), ig_user_id.into()));
        body.extend(
            self.scopes
                .iter()
                .filter(|scope| granted.contains(&scope.as_str()))
                .map(|scope| ("granted_scope".to_owned(), scope.clone())),
        );
        body.push(("decision".into(), "approve".into()));
        body
    }

    /// The form body of "Allow" with every requested scope granted.
    pub fn approve_all(&self, ig_user_id: &str) -> Vec<(String, String)> {
        let all: Vec<&str> = self.scopes.iter().map(String::as_str).collect();
        self.approve(ig_user_id, &all)
    }

    /// The form body of "Cancel".
    pub fn deny(&self) -> Vec<(String, String)> {
        let mut body = self.hidden.clone();
        body.push(("decision".into(), "deny".into()));
        body
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::{AccountSpec, Catalog, test_start};
    use crate::routes::render_consent_page_for_tests;

    #[test]
    fn reads_back_what_the_page_renders() {
        let catalog = Catalog::generate(1, &AccountSpec::defaults(), test_start());
        let html = render_consent_page_for_tests("s&t\"ate<>", &catalog.accounts);
        let form = ConsentForm::parse(&html).expect("a consent form");
        assert_eq!(form.action, "/www/oauth/authorize");
        assert_eq!(form.accounts.len(), 4);
        assert_eq!(
            form.scopes,
            [
                "instagram_business_basic",
                "instagram_business_manage_insights"
            ]
        );
        assert!(form.hidden.contains(&("state".into(), "s&t\"ate<>".into())));
        let body = form.approve(&form.accounts[0], &[]);
        assert!(!body.iter().any(|(key, _)| key == "granted_scope"));
        assert!(form.deny().contains(&("decision".into(), "deny".into())));
        assert_eq!(ConsentForm::parse("<html><h1>Error</h1></html>"), None);
    }
}
