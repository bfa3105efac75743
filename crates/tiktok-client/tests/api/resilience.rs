//! Retries, backoff, Retry-After, the call hook, timeouts and decode errors.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use tiktok_client::{
    AccessToken, Endpoint, RefreshToken, RetryPolicy, TikTokClient, TikTokError, UserField,
    per_minute_rate_limiter,
};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::*;

fn token() -> AccessToken {
    AccessToken::new(ACCESS_TOKEN.to_owned())
}

fn user_ok() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(ok_envelope(json!({"user": {"open_id": "o"}})))
}

/// Mounts `first` for the first `times` calls to user info, then success.
async fn user_info_failing_first(server: &MockServer, first: ResponseTemplate, times: u64) {
    Mock::given(method("GET"))
        .and(path("/v2/user/info/"))
        .respond_with(first)
        .up_to_n_times(times)
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/user/info/"))
        .respond_with(user_ok())
        .with_priority(2)
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_429_with_retry_after_is_retried_after_that_delay() {
    let server = MockServer::start().await;
    user_info_failing_first(
        &server,
        ResponseTemplate::new(429)
            .insert_header("retry-after", "1")
            .set_body_json(error_envelope("rate_limit_exceeded", "slow down", "L429")),
        1,
    )
    .await;
    let hook = Arc::new(RecordingHook::default());
    let client = client_for(&server).with_call_hook(hook.clone());

    let started = Instant::now();
    let user = client.user_info(&token(), &[]).await.unwrap();

    assert_eq!(user.open_id, "o");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited out Retry-After"
    );
    assert_eq!(requests_to(&server, "/v2/user/info/").await.len(), 2);
    assert_eq!(
        hook.events(),
        vec![
            HookEvent::Before(Endpoint::UserInfo),
            HookEvent::After(
                Endpoint::UserInfo,
                Some(429),
                Some("rate_limited".to_owned())
            ),
            HookEvent::Before(Endpoint::UserInfo),
            HookEvent::After(Endpoint::UserInfo, Some(200), None),
        ]
    );
}

#[tokio::test]
async fn a_retry_after_beyond_the_cap_is_returned_at_once() {
    let server = MockServer::start().await;
    user_info_failing_first(
        &server,
        ResponseTemplate::new(429).insert_header("retry-after", "3600"),
        1,
    )
    .await;
    let error = client_for(&server)
        .user_info(&token(), &[])
        .await
        .unwrap_err();
    match error {
        TikTokError::RateLimited { retry_after, .. } => {
            assert_eq!(retry_after, Some(Duration::from_secs(3600)));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(requests_to(&server, "/v2/user/info/").await.len(), 1);
}

#[tokio::test]
async fn a_500_is_retried_then_succeeds() {
    let server = MockServer::start().await;
    user_info_failing_first(
        &server,
        ResponseTemplate::new(500).set_body_json(error_envelope("internal_error", "oops", "L500")),
        2,
    )
    .await;
    let user = client_for(&server)
        .user_info(&token(), &[UserField::DisplayName])
        .await
        .unwrap();
    assert_eq!(user.open_id, "o");
    assert_eq!(requests_to(&server, "/v2/user/info/").await.len(), 3);
}

#[tokio::test]
async fn a_non_json_502_is_retried_then_succeeds() {
    let server = MockServer::start().await;
    user_info_failing_first(
        &server,
        ResponseTemplate::new(502).set_body_string("<html>Bad Gateway</html>"),
        1,
    )
    .await;
    client_for(&server).user_info(&token(), &[]).await.unwrap();
    assert_eq!(requests_to(&server, "/v2/user/info/").await.len(), 2);
}

#[tokio::test]
async fn retries_stop_after_max_retries() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/user/info/"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let error = client_for(&server)
        .user_info(&token(), &[])
        .await
        .unwrap_err();
    assert!(
        matches!(error, TikTokError::Http { status: 503, .. }),
        "{error:?}"
    );
    assert_eq!(requests_to(&server, "/v2/user/info/").await.len(), 4);
}

#[tokio::test]
async fn a_401_access_token_invalid_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/user/info/"))
        .respond_with(ResponseTemplate::new(401).set_body_json(error_envelope(
            "access_token_invalid",
            "The access token is invalid or not found in the request.",
            "L401",
        )))
        .expect(1)
        .mount(&server)
        .await;
    let hook = Arc::new(RecordingHook::default());
    let error = client_for(&server)
        .with_call_hook(hook.clone())
        .user_info(&token(), &[])
        .await
        .unwrap_err();
    assert!(
        matches!(error, TikTokError::AccessTokenInvalid { .. }),
        "{error:?}"
    );
    assert!(!error.is_retryable());
    assert_eq!(error.log_id(), Some("L401"));
    assert_eq!(requests_to(&server, "/v2/user/info/").await.len(), 1);
    assert_eq!(
        hook.events()[1],
        HookEvent::After(
            Endpoint::UserInfo,
            Some(401),
            Some("access_token_invalid".to_owned())
        )
    );
}

#[tokio::test]
async fn a_malformed_body_is_a_decode_error_not_a_panic() {
    for body in [
        "{\"data\": {\"user\": ",
        "not json at all",
        "[]",
        "{\"data\": {\"user\": {\"display_name\": 5}}, \"error\": {\"code\": \"ok\"}}",
        "{\"error\": {\"code\": \"ok\"}}",
    ] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/v2/user/info/"))
            .respond_with(ResponseTemplate::new(200).set_body_string(body))
            .mount(&server)
            .await;
        let error = client_for(&server)
            .user_info(&token(), &[])
            .await
            .unwrap_err();
        assert!(
            matches!(error, TikTokError::Decode { .. }),
            "{body}: {error:?}"
        );
        assert!(!error.is_retryable());
        assert_eq!(
            requests_to(&server, "/v2/user/info/").await.len(),
            1,
            "decode errors are not retried"
        );
    }
}

#[tokio::test]
async fn the_call_hook_sees_every_attempt() {
    let server = MockServer::start().await;
    user_info_failing_first(&server, ResponseTemplate::new(503), 2).await;
    let hook = Arc::new(RecordingHook::default());
    client_for(&server)
        .with_call_hook(hook.clone())
        .user_info(&token(), &[])
        .await
        .unwrap();
    assert_eq!(hook.before_count(), 3);
    assert_eq!(
        hook.events().last(),
        Some(&HookEvent::After(Endpoint::UserInfo, Some(200), None))
    );
}

#[tokio::test]
async fn a_hook_rejection_aborts_the_call_before_sending() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/user/info/"))
        .respond_with(user_ok())
        .mount(&server)
        .await;
    let hook = RecordingHook::rejecting_from(1);
    let error = client_for(&server)
        .with_call_hook(hook.clone())
        .user_info(&token(), &[])
        .await
        .unwrap_err();
    match &error {
        TikTokError::CallRejected {
            endpoint,
            reason,
            retry_after,
        } => {
            assert_eq!(*endpoint, Endpoint::UserInfo);
            assert_eq!(reason, "daily quota spent");
            assert_eq!(*retry_after, Some(Duration::from_secs(3600)));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(server.received_requests().await.unwrap().is_empty());
    assert_eq!(hook.events(), vec![HookEvent::Before(Endpoint::UserInfo)]);
}

#[tokio::test]
async fn a_hook_rejection_during_retries_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/user/info/"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let hook = RecordingHook::rejecting_from(2);
    let error = client_for(&server)
        .with_call_hook(hook.clone())
        .user_info(&token(), &[])
        .await
        .unwrap_err();
    assert!(
        matches!(error, TikTokError::CallRejected { .. }),
        "{error:?}"
    );
    assert_eq!(requests_to(&server, "/v2/user/info/").await.len(), 1);
    assert_eq!(hook.before_count(), 2);
}

#[tokio::test]
async fn a_timeout_is_a_retryable_transport_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/user/info/"))
        .respond_with(user_ok().set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let client = TikTokClient::new(
        config_for(&server)
            .with_request_timeout(Duration::from_millis(200))
            .with_retry(RetryPolicy::none()),
    )
    .unwrap();
    let error = client.user_info(&token(), &[]).await.unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
    assert!(error.is_retryable());
    assert_eq!(error.kind(), "timeout");
}

#[tokio::test]
async fn a_refresh_timeout_is_not_resent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/oauth/token/"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(token_body())
                .set_delay(Duration::from_secs(3)),
        )
        .mount(&server)
        .await;
    let client =
        TikTokClient::new(config_for(&server).with_request_timeout(Duration::from_millis(200)))
            .unwrap();
    let error = client
        .refresh_access_token(&RefreshToken::new(REFRESH_TOKEN.to_owned()))
        .await
        .unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
    assert_eq!(
        requests_to(&server, "/v2/oauth/token/").await.len(),
        1,
        "TikTok may have rotated the refresh token"
    );
}

#[tokio::test]
async fn connection_failures_are_retried_even_for_a_refresh() {
    let base = unreachable_base_url();
    let server = MockServer::start().await;
    let hook = Arc::new(RecordingHook::default());
    let client = TikTokClient::new(config_for(&server).with_api_base_url(base))
        .unwrap()
        .with_call_hook(hook.clone());
    let error = client
        .refresh_access_token(&RefreshToken::new(REFRESH_TOKEN.to_owned()))
        .await
        .unwrap_err();
    assert!(
        matches!(error, TikTokError::Transport { connect: true, .. }),
        "{error:?}"
    );
    assert!(error.is_retryable());
    assert_eq!(hook.before_count(), 4, "one call and three retries");
    assert!(hook.events().contains(&HookEvent::After(
        Endpoint::Token,
        None,
        Some("transport".to_owned())
    )));
}

#[tokio::test]
async fn a_shared_rate_limiter_paces_each_endpoint_separately() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/user/info/"))
        .respond_with(user_ok())
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/video/query/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ok_envelope(json!({"videos": []}))))
        .mount(&server)
        .await;
    let limiter = per_minute_rate_limiter(NonZeroU32::new(1).unwrap());
    let client = client_for(&server).with_rate_limiter(limiter.clone());
    client.user_info(&token(), &[]).await.unwrap();
    // The user info budget is spent, the video query one is not.
    assert!(limiter.check_key(&Endpoint::UserInfo).is_err());
    client
        .query_videos(&token(), &["1".to_owned()])
        .await
        .unwrap();
    assert!(limiter.check_key(&Endpoint::Revoke).is_ok());
}
