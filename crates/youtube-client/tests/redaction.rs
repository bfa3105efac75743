//! No token, code, verifier or secret in any `Debug`, `Display`, error or log line.
//!
//! A test binary of its own: it installs a tracing subscriber for the whole process, so no
//! other test's callsite-interest caching can hide events from it.
#![allow(clippy::unwrap_used)]

#[allow(dead_code)]
#[path = "api/helpers.rs"]
mod helpers;

use std::io::Write;
use std::sync::{Arc, Mutex};

use futures::TryStreamExt as _;
use serde_json::json;
use wiremock::matchers::{method, path, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};
use youtube_client::{
    AccessToken, ChannelPart, ExposeSecret as _, PlaylistItemPart, RefreshToken, StoredTokens,
    YouTubeClient, parse_callback,
};

use crate::helpers::*;

const CODE: &str = "4/0A-KNOWN-CODE-77ab";
const ID_TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.KNOWN-ID-TOKEN-SIG";

fn assert_clean(what: &str, shown: &str, extra: &[&str]) {
    for secret in [CLIENT_SECRET, ACCESS_TOKEN, REFRESH_TOKEN, CODE, ID_TOKEN]
        .iter()
        .chain(extra)
    {
        assert!(!shown.contains(secret), "{what} shows a secret: {shown}");
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

#[tokio::test]
async fn nothing_secret_is_shown_or_logged() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .init();

    let server = MockServer::start().await;
    let mut exchange = token_answer(YOUTUBE, Some(REFRESH_TOKEN));
    exchange["id_token"] = json!(ID_TOKEN);
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(exchange))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    // The refresh answers a token where a number belongs: a decode error must not quote it.
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": ACCESS_TOKEN, "expires_in": ACCESS_TOKEN})),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/revoke"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    // A page, then a transient failure (retried, logged), then an auth error.
    Mock::given(method("GET"))
        .and(path("/youtube/v3/playlistItems"))
        .and(query_param_is_missing("pageToken"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "items": [{"id": "i1", "contentDetails": {"videoId": "v1"}}],
            "nextPageToken": "NEXT"
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/youtube/v3/playlistItems"))
        .respond_with(ResponseTemplate::new(500).set_body_json(google_error(
            500,
            "backendError",
            "global",
            "Backend Error",
        )))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/youtube/v3/channels"))
        .respond_with(ResponseTemplate::new(401).set_body_json(google_error(
            401,
            "authError",
            "global",
            "Invalid Credentials",
        )))
        .mount(&server)
        .await;

    let client = client_for(&server);
    assert_clean("config", &format!("{:?}", client.config()), &[]);
    assert_clean("client", &format!("{client:?}"), &[]);
    let request = client.authorization_request();
    let verifier = request
        .pkce_verifier
        .as_ref()
        .unwrap()
        .expose_secret()
        .to_owned();
    assert_clean(
        "authorization request",
        &format!("{request:?}"),
        &[&verifier],
    );

    let callback =
        parse_callback(&format!("https://app.example/cb?state=S&code={CODE}"), "S").unwrap();
    assert_clean("callback", &format!("{callback:?}"), &[]);
    let grant = client
        .exchange_code(&callback.code, request.pkce_verifier.as_ref())
        .await
        .unwrap();
    assert_clean("grant", &format!("{grant:?}"), &[&verifier]);
    let stored = StoredTokens::from_grant(&grant).unwrap();
    assert_clean("stored tokens", &format!("{stored:?}"), &[]);
    let error = client
        .refresh(&RefreshToken::new(REFRESH_TOKEN))
        .await
        .unwrap_err();
    assert_clean("decode error", &format!("{error} {error:?}"), &[]);
    let error = client
        .revoke_refresh_token(&RefreshToken::new(REFRESH_TOKEN))
        .await
        .unwrap_err();
    assert_clean("revoke error", &format!("{error} {error:?}"), &[]);

    let token = AccessToken::new(ACCESS_TOKEN);
    let walked: Result<Vec<_>, _> = client
        .playlist_items(
            &token,
            "UUxxxxxxxxxxxxxxxxxxxxxx",
            &PlaylistItemPart::DEFAULT,
        )
        .try_collect()
        .await;
    let error = walked.unwrap_err();
    assert_clean("transient error", &format!("{error} {error:?}"), &[]);
    let error = client
        .my_channel(&token, &ChannelPart::DEFAULT)
        .await
        .unwrap_err();
    assert_clean("auth error", &format!("{error} {error:?}"), &[]);

    // Nothing listens here: the transport error's source must not carry the URL.
    let mut config = config_for(&server);
    config.token_base_url = unreachable_base_url();
    let error = YouTubeClient::new(config)
        .unwrap()
        .revoke_access_token(&token)
        .await
        .unwrap_err();
    assert_clean("transport error", &format!("{error} {error:?}"), &[]);

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("youtube_call"),
        "the calls were logged: {logs}"
    );
    assert!(logs.contains("retrying"), "a retry was logged");
    assert_clean("logs", &logs, &[&verifier]);
}
