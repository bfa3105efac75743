//! Shared helpers: start a sandbox, drive the consent page like a browser, exchange codes.
#![allow(dead_code, clippy::unwrap_used)]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::Value;
use sha2::{Digest, Sha256};
use tiktok_sandbox::{Sandbox, SandboxConfig, SandboxHandle};
use url::Url;

pub const CLIENT_KEY: &str = "sandbox-client-key";
pub const CLIENT_SECRET: &str = "sandbox-client-secret";
pub const REDIRECT_URI: &str = "https://app.example/api/auth/tiktok/callback";
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk.test-verifier";
pub const ALL_SCOPES: &str = "user.info.basic,user.info.profile,user.info.stats,video.list";

/// Noon UTC, so a test never crosses a sandbox day by itself.
pub fn start_time() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

pub fn config() -> SandboxConfig {
    SandboxConfig::new()
        .seed(42)
        .initial_time(start_time())
        .frozen_clock(true)
        .default_client_redirect_uris([REDIRECT_URI])
}

pub async fn start(config: SandboxConfig) -> (SandboxHandle, Browser) {
    let sandbox = Sandbox::start(config).await.unwrap();
    let browser = Browser::new(sandbox.base_url());
    (sandbox, browser)
}

pub fn s256_base64url(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

pub fn s256_hex(verifier: &str) -> String {
    hex::encode(Sha256::digest(verifier.as_bytes()))
}

/// Undoes the page's HTML escaping.
pub fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The consent page as a browser sees it.
pub struct ConsentPage {
    pub html: String,
    pub hidden: Vec<(String, String)>,
    pub creators: Vec<String>,
    pub scope_boxes: Vec<String>,
    pub action: String,
}

impl ConsentPage {
    pub fn parse(html: String) -> Self {
        let attr = |tag: &str, name: &str| -> Option<String> {
            let start = tag.find(&format!("{name}=\""))? + name.len() + 2;
            let end = start + tag[start..].find('"')?;
            Some(unescape(&tag[start..end]))
        };
        let tags: Vec<&str> = html.split('<').collect();
        let mut hidden = Vec::new();
        let mut creators = Vec::new();
        let mut scope_boxes = Vec::new();
        let mut action = String::new();
        for tag in &tags {
            if tag.starts_with("input type=\"hidden\"") {
                hidden.push((attr(tag, "name").unwrap(), attr(tag, "value").unwrap()));
            } else if tag.starts_with("input type=\"checkbox\"") {
                assert_eq!(attr(tag, "name").as_deref(), Some("granted_scope"));
                scope_boxes.push(attr(tag, "value").unwrap());
            } else if tag.starts_with("option ") {
                creators.push(attr(tag, "value").unwrap());
            } else if tag.starts_with("form ") {
                assert_eq!(attr(tag, "method").as_deref(), Some("post"));
                action = attr(tag, "action").unwrap();
            }
        }
        Self {
            html,
            hidden,
            creators,
            scope_boxes,
            action,
        }
    }
}

/// A redirect-less HTTP client that plays the browser and the app's server.
pub struct Browser {
    pub http: reqwest::Client,
    pub base: Url,
}

/// Where the consent form sent the browser.
#[derive(Debug)]
pub struct Callback {
    pub url: Url,
}

impl Callback {
    pub fn param(&self, name: &str) -> Option<String> {
        self.url
            .query_pairs()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.into_owned())
    }
}

impl Browser {
    pub fn new(base: Url) -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self { http, base }
    }

    pub fn url(&self, path: &str) -> Url {
        self.base.join(path).unwrap()
    }

    pub fn authorize_url(&self, scope: &str, challenge: Option<&str>) -> Url {
        let mut url = self.url("/v2/auth/authorize/");
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("client_key", CLIENT_KEY)
                .append_pair("scope", scope)
                .append_pair("response_type", "code")
                .append_pair("redirect_uri", REDIRECT_URI)
                .append_pair("state", "st&te \"42\"");
            if let Some(challenge) = challenge {
                query
                    .append_pair("code_challenge", challenge)
                    .append_pair("code_challenge_method", "S256");
            }
        }
        url
    }

    pub async fn consent_page(&self, url: Url) -> ConsentPage {
        let response = self.http.get(url).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let headers = response.headers();
        assert_eq!(headers["x-frame-options"], "DENY");
        assert_eq!(headers["content-security-policy"], "frame-ancestors 'none'");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        ConsentPage::parse(response.text().await.unwrap())
    }

    /// Submits the form as a browser would: hidden fields, the creator, the ticked boxes and
    /// the clicked button.
    pub async fn submit(
        &self,
        page: &ConsentPage,
        open_id: &str,
        granted: &[&str],
        decision: &str,
    ) -> Callback {
        let mut form = page.hidden.clone();
        form.push(("open_id".into(), open_id.into()));
        for scope in granted {
            form.push(("granted_scope".into(), (*scope).into()));
        }
        form.push(("decision".into(), decision.into()));
        let response = self
            .http
            .post(self.url(&page.action))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FOUND);
        let location = response.headers()["location"].to_str().unwrap();
        let url = Url::parse(location).unwrap();
        assert!(url.as_str().starts_with(REDIRECT_URI), "{url}");
        Callback { url }
    }

    /// Consent page -> authorize with every box ticked -> the callback.
    pub async fn consent(&self, scope: &str, challenge: Option<&str>) -> Callback {
        let page = self
            .consent_page(self.authorize_url(scope, challenge))
            .await;
        let boxes: Vec<&str> = page.scope_boxes.iter().map(String::as_str).collect();
        let open_id = page.creators.first().unwrap().clone();
        self.submit(&page, &open_id, &boxes, "authorize").await
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
        let response = self
            .http
            .post(self.url(path))
            .form(form)
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.json().await.unwrap())
    }

    pub async fn exchange(&self, code: &str, verifier: &str) -> (StatusCode, Value) {
        self.post_form(
            "/v2/oauth/token/",
            &[
                ("client_key", CLIENT_KEY),
                ("client_secret", CLIENT_SECRET),
                ("code", code),
                ("grant_type", "authorization_code"),
                ("redirect_uri", REDIRECT_URI),
                ("code_verifier", verifier),
            ],
        )
        .await
    }

    pub async fn refresh(&self, refresh_token: &str) -> (StatusCode, Value) {
        self.post_form(
            "/v2/oauth/token/",
            &[
                ("client_key", CLIENT_KEY),
                ("client_secret", CLIENT_SECRET),
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token),
            ],
        )
        .await
    }

    pub async fn revoke(&self, access_token: &str) -> (StatusCode, Value) {
        self.post_form(
            "/v2/oauth/revoke/",
            &[
                ("client_key", CLIENT_KEY),
                ("client_secret", CLIENT_SECRET),
                ("token", access_token),
            ],
        )
        .await
    }

    /// A full connect: consent with every scope, PKCE, code exchange. Returns the token body.
    pub async fn connect(&self, scope: &str) -> Value {
        let callback = self.consent(scope, Some(&s256_base64url(VERIFIER))).await;
        let code = callback.param("code").unwrap();
        let (status, body) = self.exchange(&code, VERIFIER).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    pub async fn user_info(&self, token: &str, fields: &str) -> (StatusCode, Value) {
        let mut url = self.url("/v2/user/info/");
        url.query_pairs_mut().append_pair("fields", fields);
        let response = self.http.get(url).bearer_auth(token).send().await.unwrap();
        let status = response.status();
        (status, response.json().await.unwrap())
    }

    pub async fn video_post(
        &self,
        path: &str,
        token: &str,
        fields: &str,
        body: &Value,
    ) -> (StatusCode, Value) {
        let mut url = self.url(path);
        url.query_pairs_mut().append_pair("fields", fields);
        let response = self
            .http
            .post(url)
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.json().await.unwrap())
    }

    pub async fn video_list(&self, token: &str, body: &Value) -> (StatusCode, Value) {
        self.video_post(
            "/v2/video/list/",
            token,
            "id,create_time,title,view_count",
            body,
        )
        .await
    }
}

/// Checks the Display API envelope and returns `error.code`.
pub fn envelope_code(body: &Value) -> String {
    let error = body["error"].as_object().expect("error object");
    assert!(body.get("data").is_some(), "data missing: {body}");
    assert!(error["message"].is_string());
    assert!(!error["log_id"].as_str().unwrap().is_empty());
    error["code"].as_str().unwrap().to_owned()
}

/// Checks the OAuth error shape and returns `error`.
pub fn oauth_error(body: &Value) -> String {
    assert!(body["error_description"].is_string(), "{body}");
    assert!(!body["log_id"].as_str().unwrap().is_empty(), "{body}");
    body["error"].as_str().unwrap().to_owned()
}

/// The access token of a token response.
pub fn access_token(body: &Value) -> String {
    body["access_token"].as_str().unwrap().to_owned()
}
