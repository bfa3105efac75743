//! A reader for the sandbox's own consent page, so other crates' tests can drive the real
//! HTTP flow (GET the page, POST the form) without an HTML parser.

/// The consent form of a page served by `GET /o/oauth2/v2/auth`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentForm {
    /// Where the form posts: `/o/oauth2/v2/auth` (join it to the base URL).
    pub action: String,
    /// The hidden fields, in page order, unescaped.
    pub hidden: Vec<(String, String)>,
    /// The email of every account offered, in page order.
    pub accounts: Vec<String>,
    /// The scopes with a checkbox (every requested scope but the Sign-In ones), in order.
    pub scopes: Vec<String>,
    /// The time-based access choices in hours (empty unless the sandbox offers them).
    pub access_hours: Vec<u64>,
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
            access_hours: Vec::new(),
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
            } else if tag.starts_with("input type=\"radio\"") {
                if let Some(hours) = attribute(tag, "value").and_then(|v| v.parse().ok()) {
                    form.access_hours.push(hours);
                }
            } else if tag.starts_with("option ") {
                form.accounts.push(attribute(tag, "value")?);
            }
        }
        (!form.action.is_empty()).then_some(form)
    }

    /// The form body of "Continue" as the account `email`, leaving ticked only the scopes in
    /// `granted` (Sign-In scopes are granted regardless).
    pub fn approve(&self, email: &str, granted: &[&str]) -> Vec<(String, String)> {
        let mut body = self.hidden.clone();
        body.push(("account".into(), email.into()));
        body.extend(
            self.scopes
                .iter()
                .filter(|scope| granted.contains(&scope.as_str()))
                .map(|scope| ("scope_choice".to_owned(), scope.clone())),
        );
        body.push(("decision".into(), "allow".into()));
        body
    }

    /// The form body of "Continue" with every scope left ticked.
    pub fn approve_all(&self, email: &str) -> Vec<(String, String)> {
        let all: Vec<&str> = self.scopes.iter().map(String::as_str).collect();
        self.approve(email, &all)
    }

    /// [`Self::approve`] with time-based access for `hours` (one of [`Self::access_hours`]).
    pub fn approve_for_hours(
        &self,
        email: &str,
        granted: &[&str],
        hours: u64,
    ) -> Vec<(String, String)> {
        let mut body = self.approve(email, granted);
        body.push(("access_hours".into(), hours.to_string()));
        body
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
    use crate::catalog::{AccountSpec, Catalog, test_start};
    use crate::routes::render_consent_page_for_tests;

    #[test]
    fn reads_back_what_the_page_renders() {
        let catalog = Catalog::generate(1, &AccountSpec::defaults(), test_start());
        let html = render_consent_page_for_tests("s&t\"ate<>", &catalog.accounts, true);
        let form = ConsentForm::parse(&html).expect("a consent form");
        assert_eq!(form.action, "/o/oauth2/v2/auth");
        assert_eq!(form.accounts.len(), 4);
        assert_eq!(
            form.scopes,
            [
                crate::scope::YOUTUBE_READONLY,
                crate::scope::ANALYTICS_READONLY
            ],
            "Sign-In scopes have no checkbox"
        );
        assert_eq!(form.access_hours, [1, 24, 168]);
        assert!(form.hidden.contains(&("state".into(), "s&t\"ate<>".into())));
        assert!(
            form.hidden
                .contains(&("code_challenge_method".into(), "S256".into()))
        );
        let body = form.approve(&form.accounts[0], &[]);
        assert!(!body.iter().any(|(key, _)| key == "scope_choice"));
        assert!(form.deny().contains(&("decision".into(), "deny".into())));
        assert_eq!(ConsentForm::parse("<html><h1>Error</h1></html>"), None);
    }
}
