//! No token or secret in any `Debug`, `Display` or log line.
//!
//! A test binary of its own: it installs a thread-local tracing subscriber,
//! and tracing caches per-callsite interest process-wide, so tests running
//! in parallel threads of the same process could hide events from it.
#![allow(clippy::unwrap_used)]

// Shared with the `api` test binary; this file uses only part of it.
#[allow(dead_code)]
#[path = "api/helpers.rs"]
mod helpers;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use futures::future::BoxFuture;
use serde_json::{Value, json};
use tiktok_client::{
    AccessToken, CallRejected, ConfigError, Endpoint, PkceEncoding, RawRequest, RefreshToken,
    RetryPolicy, StoreError, TikTokClient, TikTokConfig, TikTokError, TokenKeeper, TokenPair,
    TokenStore, UserField, UserInfo, Video, VideoField, VideoPage,
};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::*;

const SECRETS: [&str; 3] = [CLIENT_SECRET, ACCESS_TOKEN, REFRESH_TOKEN];

fn assert_clean(what: &str, shown: &str) {
    for secret in SECRETS {
        assert!(!shown.contains(secret), "{what} shows a secret: {shown}");
    }
}

/// One pair in memory.
#[derive(Default)]
struct OnePair(Mutex<Option<TokenPair>>);

impl TokenStore for OnePair {
    fn load<'a>(&'a self, _: &'a str) -> BoxFuture<'a, Result<Option<TokenPair>, StoreError>> {
        Box::pin(async move { Ok(self.0.lock().unwrap().clone()) })
    }

    fn save<'a>(
        &'a self,
        _: &'a str,
        tokens: &'a TokenPair,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            *self.0.lock().unwrap() = Some(tokens.clone());
            Ok(())
        })
    }
}

/// Collects everything the subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Answers every endpoint with something that fails or succeeds while
/// echoing nothing secret; the client is the one that must not leak.
async fn mount_everything(server: &MockServer) {
    let mut token = token_body();
    token["expires_in"] = json!(ACCESS_TOKEN);
    Mock::given(method("POST"))
        .and(path("/v2/oauth/token/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/oauth/token/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body()))
        .with_priority(2)
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/oauth/revoke/"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "error": "invalid_client", "error_description": "bad credentials", "log_id": "L"
        })))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/user/info/"))
        .respond_with(ResponseTemplate::new(401).set_body_json(error_envelope(
            "access_token_invalid",
            "invalid",
            "L",
        )))
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/video/list/"))
        .respond_with(ResponseTemplate::new(500).set_body_string("<html>"))
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/video/query/"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
        .mount(server)
        .await;
}

#[tokio::test]
async fn no_public_type_shows_a_token_or_the_secret() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter("tiktok_client=trace")
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    mount_everything(&server).await;
    let config = config_for(&server).with_retry(RetryPolicy {
        max_retries: 1,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(1),
        max_retry_after: Duration::from_secs(1),
    });
    let client = TikTokClient::new(config.clone()).unwrap();
    let access = AccessToken::new(ACCESS_TOKEN.to_owned());
    let refresh = RefreshToken::new(REFRESH_TOKEN.to_owned());

    let mut shown: Vec<(&str, String)> = vec![
        ("config", format!("{config:?}")),
        ("client", format!("{client:?}")),
        ("access token", format!("{access:?}")),
        ("refresh token", format!("{refresh:?}")),
        ("retry policy", format!("{:?}", RetryPolicy::default())),
        ("pkce encoding", format!("{:?}", PkceEncoding::Hex)),
        ("endpoint", format!("{:?}", Endpoint::ALL)),
        ("user fields", format!("{:?}", UserField::ALL)),
        ("video fields", format!("{:?}", VideoField::ALL)),
        ("user info", format!("{:?}", UserInfo::default())),
        ("video", format!("{:?}", Video::default())),
        ("video page", format!("{:?}", VideoPage::default())),
        (
            "call rejected",
            format!("{:?}", CallRejected::new("quota", None)),
        ),
        (
            "authorization request",
            format!("{:?}", client.authorization_request()),
        ),
    ];

    let decode = client.exchange_code("code", "verifier").await.unwrap_err();
    let tokens = client.refresh_access_token(&refresh).await.unwrap();
    shown.push(("token set", format!("{tokens:?}")));

    let mut errors: Vec<TikTokError> = vec![
        decode,
        client.revoke(&access).await.unwrap_err(),
        client
            .user_info(&access, &UserField::ALL)
            .await
            .unwrap_err(),
        client.list_videos(&access, None, 20).await.unwrap_err(),
        client
            .query_videos(&access, &["1".to_owned()])
            .await
            .unwrap_err(),
        client.list_videos(&access, None, 0).await.unwrap_err(),
        TikTokClient::new(config.clone())
            .unwrap()
            .with_call_hook(RecordingHook::rejecting_from(1))
            .user_info(&access, &[])
            .await
            .unwrap_err(),
    ];
    errors.push(
        TikTokClient::new(config.clone().with_api_base_url(unreachable_base_url()))
            .unwrap()
            .refresh_access_token(&refresh)
            .await
            .unwrap_err(),
    );
    let kinds: Vec<&str> = errors.iter().map(TikTokError::kind).collect();
    assert_eq!(
        kinds,
        vec![
            "decode",
            "invalid_client",
            "access_token_invalid",
            "http",
            "rate_limited",
            "invalid_argument",
            "call_rejected",
            "transport"
        ]
    );
    for error in &errors {
        shown.push(("error", format!("{error:?} / {error}")));
    }

    // A raw call, and the token keeper: a due pair refreshed, then a call TikTok keeps
    // refusing (refreshed once more, retried once, reported).
    let raw = client
        .raw_call::<Value>(&access, &RawRequest::get("/v2/research/nothing/"))
        .await
        .unwrap_err();
    shown.push(("raw error", format!("{raw:?} / {raw}")));
    let pair = TokenPair::new(access.clone(), Utc::now(), refresh.clone());
    shown.push(("token pair", format!("{pair:?}")));
    let keeper = TokenKeeper::new(client.clone(), OnePair(Mutex::new(Some(pair))));
    shown.push(("keeper", format!("{keeper:?}")));
    let refused = keeper
        .call("account", Utc::now(), |token| {
            let client = client.clone();
            async move { client.user_info(&token, &[]).await }
        })
        .await
        .unwrap_err();
    assert!(matches!(
        refused,
        tiktok_client::UpkeepError::TikTok(TikTokError::AccessTokenInvalid { .. })
    ));
    shown.push(("upkeep error", format!("{refused:?} / {refused}")));
    shown.push((
        "stored pair",
        format!("{:?}", keeper.store().0.lock().unwrap()),
    ));

    let config_errors: Vec<ConfigError> = vec![
        TikTokClient::new(TikTokConfig::new(
            "",
            CLIENT_SECRET,
            REDIRECT_URI.parse().unwrap(),
        ))
        .unwrap_err(),
        TikTokClient::new(config.clone().with_scopes(["a,b"])).unwrap_err(),
    ];
    for error in &config_errors {
        shown.push(("config error", format!("{error:?} / {error}")));
    }

    for (what, text) in &shown {
        assert_clean(what, text);
    }
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("tiktok_call"), "spans were captured: {logs}");
    assert!(logs.contains("endpoint=\"token\"") || logs.contains("endpoint=token"));
    assert_clean("logs", &logs);
}
