//! Shared set-up: a client pointed at a mock server, canned bodies, a settable clock and a
//! recording call hook.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use serde_json::{Value, json};
use url::Url;
use wiremock::MockServer;
use youtube_client::{
    AccessToken, CallHook, CallInfo, CallOutcome, CallRejected, Clock, Endpoint, RetryPolicy,
    YouTubeClient, YouTubeConfig,
};

pub const CLIENT_ID: &str = "123456789-known.apps.googleusercontent.com";
pub const CLIENT_SECRET: &str = "GOCSPX-KNOWN-SECRET-4f1c";
pub const REDIRECT_URI: &str = "https://app.example/api/auth/youtube/callback";
pub const ACCESS_TOKEN: &str = "ya29.KNOWN-ACCESS-TOKEN-9d2e";
pub const REFRESH_TOKEN: &str = "1//0KNOWN-REFRESH-TOKEN-3c1a";
pub const YOUTUBE: &str = "https://www.googleapis.com/auth/youtube.readonly";
pub const ANALYTICS: &str = "https://www.googleapis.com/auth/yt-analytics.readonly";

pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_retries: 3,
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(20),
        max_retry_after: Duration::from_secs(2),
    }
}

pub fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

/// A fixed "now": 04:00 PST on 5 December 2026.
pub fn now() -> DateTime<Utc> {
    utc("2026-12-05T12:00:00Z")
}

/// A clock a test can move.
#[derive(Clone)]
pub struct TestClock(pub Arc<Mutex<DateTime<Utc>>>);

impl TestClock {
    pub fn at(time: DateTime<Utc>) -> Self {
        Self(Arc::new(Mutex::new(time)))
    }

    pub fn set(&self, time: DateTime<Utc>) {
        *self.0.lock().unwrap() = time;
    }

    pub fn clock(&self) -> Clock {
        let inner = Arc::clone(&self.0);
        Arc::new(move || *inner.lock().unwrap())
    }
}

pub fn config_for(server: &MockServer) -> YouTubeConfig {
    YouTubeConfig::new(
        CLIENT_ID,
        CLIENT_SECRET.to_owned(),
        Url::parse(REDIRECT_URI).unwrap(),
    )
    .with_single_base_url(Url::parse(&server.uri()).unwrap())
    .with_retry(fast_retry())
    .with_request_timeout(Duration::from_secs(5))
}

pub fn client_for(server: &MockServer) -> YouTubeClient {
    YouTubeClient::new(config_for(server))
        .unwrap()
        .with_clock(Arc::new(now))
}

pub fn token() -> AccessToken {
    AccessToken::new(ACCESS_TOKEN)
}

/// Google's error envelope.
pub fn google_error(status: u16, reason: &str, domain: &str, message: &str) -> Value {
    json!({
        "error": {
            "code": status,
            "message": message,
            "errors": [{ "message": message, "domain": domain, "reason": reason }],
        }
    })
}

/// A token answer.
pub fn token_answer(scope: &str, refresh_token: Option<&str>) -> Value {
    let mut body = json!({
        "access_token": ACCESS_TOKEN,
        "expires_in": 3599,
        "scope": scope,
        "token_type": "Bearer",
    });
    if let Some(refresh_token) = refresh_token {
        body["refresh_token"] = json!(refresh_token);
    }
    body
}

/// What a [`RecordingHook`] saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HookEvent {
    /// Endpoint, units, attempt.
    Before(Endpoint, Option<u64>, u32),
    /// Endpoint, status, reason, quota exhausted.
    After(Endpoint, Option<u16>, Option<String>, bool),
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
                call.cost.map(|cost| cost.units),
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
            outcome.reason.map(str::to_owned),
            outcome.quota_exhausted.is_some(),
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

pub fn param(request: &wiremock::Request, name: &str) -> Option<String> {
    request
        .url
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
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
