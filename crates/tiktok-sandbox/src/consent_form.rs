//! A reader for the sandbox's own consent page, so other crates' tests can drive the real
//! HTTP flow (GET the page, POST the form) without an HTML parser.

use crate::scope::Scope;

/// The consent form of a page served by `GET /v2/auth/authorize/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentForm {
    /// Where the form posts: `/v2/auth/authorize/` (join it to the base URL).
    pub action: String,
    /// The hidden fields, in page order, unescaped.
    pub hidden: Vec<(String, String)>,
    /// The open_id of every creator offered, in page order.
    pub creators: Vec<String>,
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
    /// Reads the form out of a consent page; `None` if the page holds no consent form (an
    /// error page, for instance).
    pub fn parse(html: &str) -> Option<Self> {
        let mut form = Self {
            action: String::new(),
            hidden: Vec::new(),
            creators: Vec::new(),
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
                form.creators.push(attribute(tag, "value")?);
            }
        }
        (!form.action.is_empty()).then_some(form)
    }

    /// The form body of "Authorize" as `open_id`, leaving ticked only the requested scopes
    /// in `granted` (`user.info.basic` is granted whenever it was requested).
    pub fn authorize(&self, open_id: &str, granted: &[&str]) -> Vec<(String, String)> {
        let mut body = self.hidden.clone();
        body.push(("open_id".into(), open_id.into()));
        body.extend(
            self.scopes
                .iter()
                .filter(|scope| granted.contains(&scope.as_str()))
                .map(|scope| ("granted_scope".to_owned(), scope.clone())),
        );
        body.push(("decision".into(), "authorize".into()));
        body
    }

    /// The form body of "Authorize" as `open_id` with every requested scope granted.
    pub fn authorize_all(&self, open_id: &str) -> Vec<(String, String)> {
        let all: Vec<&str> = self.scopes.iter().map(String::as_str).collect();
        self.authorize(open_id, &all)
    }

    /// The form body of "Cancel".
    pub fn cancel(&self) -> Vec<(String, String)> {
        let mut body = self.hidden.clone();
        body.push(("decision".into(), "cancel".into()));
        body
    }

    /// The requested scopes the sandbox knows, parsed.
    pub fn requested_scopes(&self) -> Vec<Scope> {
        self.scopes
            .iter()
            .filter_map(|scope| Scope::from_wire(scope))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;

    use super::*;
    use crate::config::VideosPerCreator;
    use crate::data::{Catalog, UrlContext};
    use crate::routes::render_consent_page_for_tests;

    #[test]
    fn reads_back_what_the_page_renders() {
        let start = DateTime::from_timestamp(1_764_061_200, 0).expect("valid time");
        let catalog = Catalog::generate(1, 3, &VideosPerCreator::Fixed(0), start);
        let urls = UrlContext {
            base_url: url::Url::parse("http://127.0.0.1:1/").expect("valid URL"),
            now: start,
        };
        let html = render_consent_page_for_tests(
            "key",
            "https://app.test/cb",
            "s&t\"ate<>",
            &catalog.creators,
            &urls,
        );
        let form = ConsentForm::parse(&html).expect("a consent form");
        assert_eq!(form.action, "/v2/auth/authorize/");
        assert_eq!(form.creators.len(), 3);
        assert_eq!(form.scopes, ["user.info.basic", "video.list"]);
        assert!(form.hidden.contains(&("state".into(), "s&t\"ate<>".into())));
        let body = form.authorize(&form.creators[0], &["video.list"]);
        assert!(body.contains(&("granted_scope".into(), "video.list".into())));
        assert!(!body.contains(&("granted_scope".into(), "user.info.basic".into())));
        assert!(
            form.cancel()
                .contains(&("decision".into(), "cancel".into()))
        );
        assert_eq!(
            form.requested_scopes(),
            [Scope::UserInfoBasic, Scope::VideoList]
        );
    }

    #[test]
    fn an_error_page_has_no_form() {
        assert_eq!(
            ConsentForm::parse("<html><body><h1>Error</h1></body></html>"),
            None
        );
    }
}
