//! Shared set-up: a client pointed at a mock server (one host per path prefix), canned bodies
//! and a recording call hook.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use instagram_client::{
    AccessToken, CallHook, CallInfo, CallOutcome, CallRejected, Endpoint, InstagramClient,
    InstagramConfig, RetryPolicy,
};
use serde_json::{Value, json};
use url::Url;
use wiremock::MockServer;

pub const APP_ID: &str = "990602627938098";
pub const APP_SECRET: &str = "KNOWN-APP-SECRET-4f1c";
pub const REDIRECT_URI: &str = "https://app.example/api/auth/instagram/callback";
pub const ACCESS_TOKEN: &str = "IGAA-KNOWN-ACCESS-TOKEN-9d2e";
pub const SHORT_TOKEN: &str = "IGAA-KNOWN-SHORT-TOKEN-3c1a";
pub const IG_USER_ID: &str = "17841405822304914";

pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_retries: 3,
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(20),
        max_throttle_wait: Duration::from_secs(2),
    }
}

/// A fixed "now" for the client's stamps.
pub fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

pub fn config_for(server: &MockServer) -> InstagramConfig {
    let base = Url::parse(&server.uri()).unwrap();
    InstagramConfig::new(
        APP_ID,
        APP_SECRET.to_owned(),
        Url::parse(REDIRECT_URI).unwrap(),
    )
    .with_base_urls(
        base.join("www").unwrap(),
        base.join("api").unwrap(),
        base.join("graph").unwrap(),
    )
    .with_retry(fast_retry())
    .with_request_timeout(Duration::from_secs(5))
}

pub fn client_for(server: &MockServer) -> InstagramClient {
    InstagramClient::new(config_for(server))
        .unwrap()
        .with_clock(Arc::new(now))
}

pub fn token() -> AccessToken {
    AccessToken::new(ACCESS_TOKEN)
}

/// A Graph error body.
pub fn graph_error(code: i64, subcode: Option<i64>, message: &str) -> Value {
    let mut error = json!({ "message": message, "type": "OAuthException", "code": code, "fbtrace_id": "TRACE1" });
    if let Some(subcode) = subcode {
        error["error_subcode"] = json!(subcode);
    }
    json!({ "error": error })
}

/// What a [`RecordingHook`] saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HookEvent {
    Before(Endpoint, Option<String>, u32),
    After(Endpoint, Option<u16>, Option<i64>, Option<u64>),
}

/// A hook that records events and rejects from the given attempt on (1-based).
#[derive(Default)]
pub struct RecordingHook {
    pub events: Mutex<Vec<HookEvent>>,
    pub reject_from: Option<usize>,
}

impl RecordingHook {
    pub fn events(&self) -> Vec<HookEvent> {
        self.events.lock().unwrap().clone()
    }

    pub fn befores(&self) -> usize {
        self.events()
            .iter()
            .filter(|e| matches!(e, HookEvent::Before(..)))
            .count()
    }
}

impl CallHook for RecordingHook {
    fn before_call<'a>(&'a self, call: CallInfo<'a>) -> BoxFuture<'a, Result<(), CallRejected>> {
        Box::pin(async move {
            let mut events = self.events.lock().unwrap();
            events.push(HookEvent::Before(
                call.endpoint,
                call.account.map(str::to_owned),
                call.attempt,
            ));
            let count = events
                .iter()
                .filter(|e| matches!(e, HookEvent::Before(..)))
                .count();
            match self.reject_from {
                Some(from) if count >= from => Err(CallRejected::new(
                    "budget spent",
                    Some(Duration::from_secs(3_600)),
                )),
                _ => Ok(()),
            }
        })
    }

    fn after_call(&self, call: CallInfo<'_>, outcome: CallOutcome<'_>) {
        self.events.lock().unwrap().push(HookEvent::After(
            call.endpoint,
            outcome.status,
            outcome.error_code,
            outcome.usage.map(|usage| usage.max_percent()),
        ));
    }
}

/// The requests `server` received on `path`.
pub async fn requests_to(server: &MockServer, path: &str) -> Vec<wiremock::Request> {
    server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|request| request.url.path() == path)
        .collect()
}

/// The query pairs of a request.
pub fn query(request: &wiremock::Request) -> Vec<(String, String)> {
    request
        .url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

pub fn param(request: &wiremock::Request, name: &str) -> Option<String> {
    query(request)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// The form fields of a form-encoded body.
pub fn form_fields(request: &wiremock::Request) -> Vec<(String, String)> {
    url::form_urlencoded::parse(&request.body)
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect()
}

/// A local URL where nothing listens.
pub fn unreachable_base_url() -> Url {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("http://127.0.0.1:{port}/").parse().unwrap()
}
