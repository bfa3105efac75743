//! Shared helpers: start a sandbox, drive the consent page like a browser, exchange codes and
//! call the APIs as a raw HTTP client would (these tests never use youtube-client).
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::Value;
use url::Url;
use youtube_sandbox::{
    ConsentForm, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Sandbox, SandboxConfig, SandboxHandle,
};

pub const REDIRECT_URI: &str = "https://app.example/api/auth/youtube/callback";
pub const YOUTUBE: &str = "https://www.googleapis.com/auth/youtube.readonly";
pub const ANALYTICS: &str = "https://www.googleapis.com/auth/yt-analytics.readonly";
pub const EMAIL_LONG: &str = "https://www.googleapis.com/auth/userinfo.email";
pub const SCOPES: &str = "openid email https://www.googleapis.com/auth/youtube.readonly https://www.googleapis.com/auth/yt-analytics.readonly";
pub const MAYA: &str = "maya@sandbox.test";
pub const STUDIO: &str = "studio@sandbox.test";
pub const PAT: &str = "pat@sandbox.test";
pub const KENJI: &str = "kenji@sandbox.test";

pub fn start_time() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-05T12:00:00Z")
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

/// A redirect-less HTTP client that plays the browser and the app's server.
pub struct Browser {
    pub http: reqwest::Client,
    pub sandbox: SandboxHandle,
}

/// The query pairs of a URL.
pub fn query_of(url: &str) -> HashMap<String, String> {
    Url::parse(url)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

impl Browser {
    pub async fn start(config: SandboxConfig) -> Self {
        let sandbox = Sandbox::start(config).await.unwrap();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self { http, sandbox }
    }

    pub fn url(&self, path: &str) -> Url {
        self.sandbox.base_url().join(path).unwrap()
    }

    pub fn authorize_url(&self, pairs: &[(&str, &str)]) -> Url {
        let mut url = self.url("o/oauth2/v2/auth");
        url.query_pairs_mut().extend_pairs(pairs);
        url
    }

    /// The request a service makes: offline, consent, incremental, the four scopes.
    pub fn default_authorize_url(&self, state: &str) -> Url {
        self.authorize_url(&[
            ("client_id", DEFAULT_CLIENT_ID),
            ("redirect_uri", REDIRECT_URI),
            ("response_type", "code"),
            ("scope", SCOPES),
            ("state", state),
            ("access_type", "offline"),
            ("prompt", "consent"),
            ("include_granted_scopes", "true"),
        ])
    }

    pub async fn consent_page(&self, url: Url) -> (StatusCode, HeaderMap, String) {
        let response = self.http.get(url).send().await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        (status, headers, response.text().await.unwrap())
    }

    /// GETs the page and POSTs `decide`'s form; returns the status and `Location` (if any)
    /// or the body.
    pub async fn decide(
        &self,
        url: Url,
        decide: impl FnOnce(&ConsentForm) -> Vec<(String, String)>,
    ) -> (StatusCode, String) {
        let (_, _, html) = self.consent_page(url).await;
        let form = ConsentForm::parse(&html).expect("a consent form");
        let response = self
            .http
            .post(self.url(&form.action))
            .form(&decide(&form))
            .send()
            .await
            .unwrap();
        let status = response.status();
        match response.headers().get("location") {
            Some(location) => (status, location.to_str().unwrap().to_owned()),
            None => (status, response.text().await.unwrap()),
        }
    }

    /// Consent as `email` granting `granted`; returns the code.
    pub async fn code_for(&self, email: &str, granted: &[&str]) -> String {
        let (status, location) = self
            .decide(self.default_authorize_url("S"), |form| {
                form.approve(email, granted)
            })
            .await;
        assert_eq!(status, StatusCode::FOUND, "{location}");
        query_of(&location).remove("code").unwrap()
    }

    pub async fn post_token(&self, form: &[(&str, &str)]) -> (StatusCode, Value) {
        let response = self
            .http
            .post(self.url("token"))
            .form(form)
            .send()
            .await
            .unwrap();
        (response.status(), response.json().await.unwrap())
    }

    pub async fn exchange(&self, code: &str) -> (StatusCode, Value) {
        self.post_token(&[
            ("code", code),
            ("client_id", DEFAULT_CLIENT_ID),
            ("client_secret", DEFAULT_CLIENT_SECRET),
            ("redirect_uri", REDIRECT_URI),
            ("grant_type", "authorization_code"),
        ])
        .await
    }

    pub async fn refresh(&self, refresh_token: &str) -> (StatusCode, Value) {
        self.post_token(&[
            ("client_id", DEFAULT_CLIENT_ID),
            ("client_secret", DEFAULT_CLIENT_SECRET),
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ])
        .await
    }

    /// Consent and exchange: the token response.
    pub async fn connect(&self, email: &str, granted: &[&str]) -> Value {
        let code = self.code_for(email, granted).await;
        let (status, body) = self.exchange(&code).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// A GET with a bearer token; returns the status, headers and JSON (or `Null`).
    pub async fn get(
        &self,
        path: &str,
        token: Option<&str>,
        query: &[(&str, &str)],
    ) -> (StatusCode, HeaderMap, Value) {
        let mut request = self.http.get(self.url(path)).query(query);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        (
            status,
            headers,
            serde_json::from_str(&text).unwrap_or(Value::Null),
        )
    }

    /// The `reason` of an error envelope.
    pub fn reason(body: &Value) -> &str {
        body["error"]["errors"][0]["reason"]
            .as_str()
            .unwrap_or_default()
    }

    pub async fn control(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.http.request(method, self.url(path));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

/// A string field of a token answer.
pub fn text<'a>(body: &'a Value, name: &str) -> &'a str {
    body[name].as_str().unwrap()
}
