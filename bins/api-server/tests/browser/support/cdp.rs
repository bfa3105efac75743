//! Chrome DevTools Protocol commands through chromedriver's `goog/cdp/execute` endpoint: the
//! viewport emulation and full-page screenshots that plain WebDriver lacks.

use fantoccini::wd::WebDriverCompatibleCommand;
use reqwest::Method;
use serde_json::{Value, json};
use url::{ParseError, Url};

/// One CDP method call with its parameters.
#[derive(Debug)]
pub struct Cdp {
    method: &'static str,
    params: Value,
}

impl Cdp {
    pub fn new(method: &'static str, params: Value) -> Self {
        Self { method, params }
    }
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(&self, base_url: &Url, session_id: Option<&str>) -> Result<Url, ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &Url) -> (Method, Option<String>) {
        let body = json!({ "cmd": self.method, "params": self.params });
        (Method::POST, Some(body.to_string()))
    }
}
