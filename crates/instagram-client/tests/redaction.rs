//! No token, code or secret in any `Debug`, `Display`, error or log line, including the
//! `paging.next` URLs that carry the token.
//!
//! A test binary of its own: it installs a tracing subscriber for the whole process, so no
//! other test's callsite-interest caching can hide events from it.
#![allow(clippy::unwrap_used)]

#[allow(dead_code)]
#[path = "api/helpers.rs"]
mod helpers;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::TryStreamExt as _;
use instagram_client::{
    AccessToken, InstagramClient, LongLivedToken, MediaQuery, ProfileField, parse_callback,
};
use serde_json::json;
use wiremock::matchers::{method, path, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::*;

const CODE: &str = "AQB-KNOWN-CODE-77ab";
const SECRETS: [&str; 4] = [APP_SECRET, ACCESS_TOKEN, SHORT_TOKEN, CODE];

fn assert_clean(what: &str, shown: &str) {
    for secret in SECRETS {
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
    // The code exchange answers with a token where a number belongs: a decode error must not
    // quote it.
    Mock::given(method("POST"))
        .and(path("/api/oauth/access_token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"data": [{"access_token": SHORT_TOKEN, "user_id": "1", "permissions": "instagram_business_basic"}]}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/graph/access_token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": ACCESS_TOKEN, "expires_in": ACCESS_TOKEN})),
        )
        .mount(&server)
        .await;
    // Media: a page whose `next` carries the token, then a transient failure (retried,
    // logged) and a final 190.
    Mock::given(method("GET"))
        .and(path("/graph/v25.0/me/media"))
        .and(query_param_is_missing("after"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [{"id": "1"}],
            "paging": {"next": format!("https://graph.instagram.com/v25.0/me/media?access_token={ACCESS_TOKEN}&after=C1")}
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/graph/v25.0/me/media"))
        .respond_with(ResponseTemplate::new(500).set_body_json(graph_error(
            1,
            None,
            "An unknown error has occurred.",
        )))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/graph/v25.0/me"))
        .respond_with(ResponseTemplate::new(400).set_body_json(graph_error(
            190,
            Some(463),
            "Session has expired",
        )))
        .mount(&server)
        .await;

    let client = client_for(&server);
    assert_clean("config", &format!("{:?}", client.config()));
    assert_clean("client", &format!("{client:?}"));
    let request = client.authorization_request();
    assert_clean("authorization request", &format!("{request:?}"));

    let callback = parse_callback(
        &format!("https://app.example/cb?code={CODE}&state=S#_"),
        "S",
    )
    .unwrap();
    assert_clean("callback", &format!("{callback:?}"));
    let short = client.exchange_code(&callback.code, None).await.unwrap();
    assert_clean("short-lived token", &format!("{short:?}"));
    let error = client.exchange_for_long_lived(&short).await.unwrap_err();
    assert_clean("decode error", &format!("{error} {error:?}"));

    let token = AccessToken::new(ACCESS_TOKEN);
    let long = LongLivedToken::new(token.clone(), now(), Duration::from_secs(60));
    assert_clean("long-lived token", &format!("{long:?}"));
    let first = client
        .media_page(&token, "me", &MediaQuery::default(), None)
        .await
        .unwrap();
    assert_clean("media page", &format!("{first:?}"));
    let walked: Result<Vec<_>, _> = client
        .media(&token, "me", MediaQuery::default())
        .try_collect()
        .await;
    let error = walked.unwrap_err();
    assert_clean("transient error", &format!("{error} {error:?}"));
    let error = client
        .profile(&token, &[ProfileField::Username])
        .await
        .unwrap_err();
    assert_clean("graph error", &format!("{error} {error:?}"));

    // Nothing listens here: the transport error's source must not carry the URL.
    let mut config = config_for(&server);
    config.graph_base_url = unreachable_base_url();
    let error = InstagramClient::new(config)
        .unwrap()
        .profile(&token, &[])
        .await
        .unwrap_err();
    assert_clean("transport error", &format!("{error} {error:?}"));

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("instagram_call"),
        "the calls were logged: {logs}"
    );
    assert!(logs.contains("retrying"), "a retry was logged");
    assert_clean("logs", &logs);
}
