//! The caller chooses the plumbing: its own `reqwest::Client`.

use std::time::Duration;

use serde_json::json;
use tiktok_client::{AccessToken, TikTokClient, UserField};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::*;

#[tokio::test]
async fn the_callers_http_client_sends_every_request() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/user/info/"))
        // Set only on the caller's client: proves its client (its headers, proxy, roots,
        // pool) carries the call.
        .and(header("x-team", "growth"))
        .and(header("user-agent", "caller-agent/1.0"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ok_envelope(json!({
            "user": {"open_id": "-000aBcD"}
        }))))
        .expect(1)
        .mount(&server)
        .await;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        "x-team",
        reqwest::header::HeaderValue::from_static("growth"),
    );
    let http = reqwest::Client::builder()
        .default_headers(headers)
        .user_agent("caller-agent/1.0")
        .build()
        .unwrap();
    let client = TikTokClient::with_http_client(config_for(&server), http).unwrap();
    let user = client
        .user_info(
            &AccessToken::new(ACCESS_TOKEN.to_owned()),
            &[UserField::OpenId],
        )
        .await
        .unwrap();
    assert_eq!(user.open_id, "-000aBcD");
}

#[tokio::test]
async fn the_configured_timeout_bounds_a_callers_client_without_one() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/user/info/"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(ok_envelope(json!({"user": {"open_id": "x"}})))
                .set_delay(Duration::from_secs(30)),
        )
        .mount(&server)
        .await;
    let config = config_for(&server)
        .with_request_timeout(Duration::from_millis(100))
        .with_retry(tiktok_client::RetryPolicy::none());
    let client = TikTokClient::with_http_client(config, reqwest::Client::new()).unwrap();
    let error = client
        .user_info(&AccessToken::new(ACCESS_TOKEN.to_owned()), &[])
        .await
        .unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
}

#[test]
fn a_bad_configuration_is_refused_with_the_callers_client_too() {
    let config =
        tiktok_client::TikTokConfig::new("", CLIENT_SECRET, url::Url::parse(REDIRECT_URI).unwrap());
    assert!(matches!(
        TikTokClient::with_http_client(config, reqwest::Client::new()),
        Err(tiktok_client::ConfigError::MissingClientKey)
    ));
}
