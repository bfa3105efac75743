//! Shared set-up: a client pointed at a mock server, and canned TikTok bodies.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::BoxFuture;
use serde_json::{Value, json};
use tiktok_client::{
    CallHook, CallRejected, Endpoint, RetryPolicy, TikTokClient, TikTokConfig, scope,
};
use url::Url;
use wiremock::MockServer;

pub const CLIENT_KEY: &str = "aw-test-client-key";
pub const CLIENT_SECRET: &str = "KNOWN-CLIENT-SECRET-4f1c";
pub const REDIRECT_URI: &str = "https://app.example/api/auth/tiktok/callback";
pub const ACCESS_TOKEN: &str = "act.KNOWN-ACCESS-TOKEN-9d2e";
pub const REFRESH_TOKEN: &str = "rft.KNOWN-REFRESH-TOKEN-77ab";

/// Fast retries so tests stay quick; `max_retry_after` leaves room for a
/// one-second `Retry-After`.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_retries: 3,
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(20),
        max_retry_after: Duration::from_secs(5),
    }
}

/// A configuration whose both hosts are `server`.
pub fn config_for(server: &MockServer) -> TikTokConfig {
    let base = Url::parse(&server.uri()).unwrap();
    TikTokConfig::new(CLIENT_KEY, CLIENT_SECRET, Url::parse(REDIRECT_URI).unwrap())
        .with_scopes([scope::USER_INFO_BASIC, scope::VIDEO_LIST])
        .with_auth_base_url(base.clone())
        .with_api_base_url(base)
        .with_retry(fast_retry())
        .with_request_timeout(Duration::from_secs(5))
}

/// A client whose both hosts are `server`.
pub fn client_for(server: &MockServer) -> TikTokClient {
    TikTokClient::new(config_for(server)).unwrap()
}

/// The documented token success body.
pub fn token_body() -> Value {
    json!({
        "access_token": ACCESS_TOKEN,
        "expires_in": 7200,
        "refresh_token": REFRESH_TOKEN,
        "refresh_expires_in": 15552000,
        "open_id": "-000aBcD",
        "scope": "user.info.basic,video.list",
        "token_type": "Bearer"
    })
}

/// A Display API success envelope around `data`.
pub fn ok_envelope(data: Value) -> Value {
    json!({ "data": data, "error": { "code": "ok", "message": "", "log_id": "20261125ok" } })
}

/// A Display API error envelope.
pub fn error_envelope(code: &str, message: &str, log_id: &str) -> Value {
    json!({ "data": {}, "error": { "code": code, "message": message, "log_id": log_id } })
}

/// A video object with the given id and every documented field.
pub fn video_json(id: &str) -> Value {
    json!({
        "id": id,
        "create_time": 1764050000,
        "cover_image_url": "https://p16.example/cover.jpg",
        "share_url": format!("https://www.tiktok.com/@ana/video/{id}"),
        "video_description": "a <b> & \"quoted\" 🎉",
        "duration": 15,
        "height": 1024,
        "width": 576,
        "title": "",
        "embed_html": "<blockquote></blockquote>",
        "embed_link": format!("https://www.tiktok.com/embed/v2/{id}"),
        "like_count": 10,
        "comment_count": 2,
        "share_count": 1,
        "view_count": 1000
    })
}

/// What a [`RecordingHook`] saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HookEvent {
    Before(Endpoint),
    After(Endpoint, Option<u16>, Option<String>),
}

/// A call hook that records every event and rejects from the given attempt
/// on (1-based), if any.
#[derive(Default)]
pub struct RecordingHook {
    pub events: Mutex<Vec<HookEvent>>,
    pub reject_from_attempt: Option<usize>,
}

impl RecordingHook {
    pub fn rejecting_from(attempt: usize) -> Arc<Self> {
        Arc::new(Self {
            events: Mutex::new(Vec::new()),
            reject_from_attempt: Some(attempt),
        })
    }

    pub fn events(&self) -> Vec<HookEvent> {
        self.events.lock().unwrap().clone()
    }

    pub fn before_count(&self) -> usize {
        self.events()
            .iter()
            .filter(|event| matches!(event, HookEvent::Before(_)))
            .count()
    }
}

impl CallHook for RecordingHook {
    fn before_call(&self, endpoint: Endpoint) -> BoxFuture<'_, Result<(), CallRejected>> {
        Box::pin(async move {
            let mut events = self.events.lock().unwrap();
            events.push(HookEvent::Before(endpoint));
            let attempts = events
                .iter()
                .filter(|event| matches!(event, HookEvent::Before(_)))
                .count();
            match self.reject_from_attempt {
                Some(from) if attempts >= from => Err(CallRejected::new(
                    "daily quota spent",
                    Some(Duration::from_secs(3600)),
                )),
                _ => Ok(()),
            }
        })
    }

    fn after_call(&self, endpoint: Endpoint, status: Option<u16>, error_code: Option<&str>) {
        self.events.lock().unwrap().push(HookEvent::After(
            endpoint,
            status,
            error_code.map(str::to_owned),
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

/// The form fields of a form-encoded request body.
pub fn form_fields(request: &wiremock::Request) -> Vec<(String, String)> {
    url::form_urlencoded::parse(&request.body)
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect()
}

/// A local URL where nothing listens (a port that was just free).
pub fn unreachable_base_url() -> Url {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("http://127.0.0.1:{port}/").parse().unwrap()
}
