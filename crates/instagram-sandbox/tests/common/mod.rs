//! Shared helpers: start a sandbox, drive the consent page like a browser, exchange codes and
//! call the Graph paths as a raw HTTP client would (these tests never use instagram-client).
#![allow(dead_code, clippy::unwrap_used)]

use chrono::{DateTime, Utc};
use instagram_sandbox::{
    ConsentForm, DEFAULT_APP_ID, DEFAULT_APP_SECRET, Sandbox, SandboxConfig, SandboxHandle,
};
use reqwest::StatusCode;
use serde_json::Value;
use url::Url;

pub const REDIRECT_URI: &str = "https://app.example/api/auth/instagram/callback";
pub const SCOPES: &str = "instagram_business_basic,instagram_business_manage_insights";

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
        .default_app_redirect_uris([REDIRECT_URI])
}

/// A redirect-less HTTP client that plays the browser and the app's server.
pub struct Browser {
    pub http: reqwest::Client,
    pub sandbox: SandboxHandle,
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

    pub fn authorize_url(&self, pairs: &[(&str, &str)]) -> Url {
        let mut url = self
            .sandbox
            .authorize_base_url()
            .join("oauth/authorize")
            .unwrap();
        url.query_pairs_mut().extend_pairs(pairs);
        url
    }

    pub fn default_authorize_url(&self, state: &str) -> Url {
        self.authorize_url(&[
            ("client_id", DEFAULT_APP_ID),
            ("redirect_uri", REDIRECT_URI),
            ("response_type", "code"),
            ("scope", SCOPES),
            ("state", state),
        ])
    }

    pub async fn consent_page(&self, url: Url) -> (StatusCode, reqwest::header::HeaderMap, String) {
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
        let action = self.sandbox.base_url().join(&form.action).unwrap();
        let response = self
            .http
            .post(action)
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

    pub fn ig_user_id(&self, username: &str) -> String {
        self.sandbox.account(username).unwrap().summary.ig_user_id
    }

    /// Consent as `username` with every scope, returning the code.
    pub async fn code_for(&self, username: &str) -> String {
        let id = self.ig_user_id(username);
        let (status, location) = self
            .decide(self.default_authorize_url("st"), |form| {
                form.approve_all(&id)
            })
            .await;
        assert_eq!(status, 302);
        param(&Url::parse(&location).unwrap(), "code").unwrap()
    }

    pub async fn exchange(
        &self,
        code: &str,
        secret: &str,
        redirect_uri: &str,
    ) -> (StatusCode, Value) {
        let url = self
            .sandbox
            .api_base_url()
            .join("oauth/access_token")
            .unwrap();
        let response = self
            .http
            .post(url)
            .form(&[
                ("client_id", DEFAULT_APP_ID),
                ("client_secret", secret),
                ("grant_type", "authorization_code"),
                ("redirect_uri", redirect_uri),
                ("code", code),
            ])
            .send()
            .await
            .unwrap();
        (response.status(), response.json().await.unwrap())
    }

    /// The whole flow to a long-lived token for `username`.
    pub async fn long_lived_token(&self, username: &str) -> String {
        let code = self.code_for(username).await;
        let (_, body) = self.exchange(&code, DEFAULT_APP_SECRET, REDIRECT_URI).await;
        let short = body["data"][0]["access_token"].as_str().unwrap().to_owned();
        let (status, body) = self
            .graph(
                "access_token",
                &[
                    ("grant_type", "ig_exchange_token"),
                    ("client_secret", DEFAULT_APP_SECRET),
                    ("access_token", &short),
                ],
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body["access_token"].as_str().unwrap().to_owned()
    }

    /// A GET under the Graph prefix.
    pub async fn graph(&self, path: &str, query: &[(&str, &str)]) -> (StatusCode, Value) {
        let (status, _, body) = self.graph_with_headers(path, query).await;
        (status, body)
    }

    pub async fn graph_with_headers(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        let mut url = self.sandbox.graph_base_url().join(path).unwrap();
        url.query_pairs_mut().extend_pairs(query);
        let response = self.http.get(url).send().await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        (
            status,
            headers,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// A versioned Graph GET with `token`.
    pub async fn read(
        &self,
        path: &str,
        token: &str,
        query: &[(&str, &str)],
    ) -> (StatusCode, Value) {
        let mut all = vec![("access_token", token)];
        all.extend_from_slice(query);
        self.graph(&format!("v25.0/{path}"), &all).await
    }
}

pub fn param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// `error.code` and `error.error_subcode` of a Graph error body.
pub fn codes(body: &Value) -> (i64, Option<i64>) {
    (
        body["error"]["code"].as_i64().unwrap(),
        body["error"]["error_subcode"].as_i64(),
    )
}
