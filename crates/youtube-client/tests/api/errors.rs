//! Every error class read from Google's envelope whatever the status, retries on transient
//! errors and per-minute limits only, timeouts and connection failures, and the call hook
//! around every attempt.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};
use youtube_client::{
    ChannelPart, Endpoint, ErrorClass, RetryPolicy, VideoPart, YouTubeClient, YouTubeError,
};

use crate::helpers::*;

const VIDEOS: &str = "/youtube/v3/videos";

async fn videos_error(status: u16, body: Value) -> (YouTubeError, usize) {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(VIDEOS))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .mount(&server)
        .await;
    let error = client_for(&server)
        .videos_list(&token(), &["dQw4w9WgXcQ".to_owned()], &VideoPart::DEFAULT)
        .await
        .unwrap_err();
    (error, requests_to(&server, VIDEOS).await.len())
}

#[tokio::test]
async fn the_reference_table_classifies_and_only_transient_classes_are_retried() {
    let reset = utc("2026-12-06T08:00:00Z");
    let quota = ErrorClass::QuotaExhausted { resets_at: reset };
    let cases: Vec<(u16, &str, &str, &str, ErrorClass, usize)> = vec![
        (
            401,
            "authError",
            "global",
            "Invalid Credentials",
            ErrorClass::AccessTokenRejected,
            1,
        ),
        (
            401,
            "required",
            "global",
            "Login Required.",
            ErrorClass::Invalid,
            1,
        ),
        (
            401,
            "youtubeSignupRequired",
            "youtube.header",
            "Unauthorized",
            ErrorClass::NoChannel,
            1,
        ),
        (
            403,
            "quotaExceeded",
            "youtube.quota",
            "The request cannot be completed because you have exceeded your <a href=\"/youtube/v3/getting-started#quota\">quota</a>.",
            quota,
            1,
        ),
        (
            403,
            "dailyLimitExceeded",
            "usageLimits",
            "Daily Limit Exceeded. The quota will be reset at midnight Pacific Time (PT).",
            quota,
            1,
        ),
        (
            429,
            "rateLimitExceeded",
            "global",
            "Quota exceeded for quota metric 'Video Uploads' and limit 'Video Uploads per day' of service 'youtube.googleapis.com' for consumer 'project_number:1'.",
            quota,
            1,
        ),
        (
            403,
            "rateLimitExceeded",
            "usageLimits",
            "Rate Limit Exceeded",
            ErrorClass::RateLimited { retry_after: None },
            4,
        ),
        (
            429,
            "rateLimitExceeded",
            "global",
            "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute'",
            ErrorClass::RateLimited { retry_after: None },
            4,
        ),
        (
            403,
            "userRateLimitExceeded",
            "usageLimits",
            "User Rate Limit Exceeded",
            ErrorClass::RateLimited { retry_after: None },
            4,
        ),
        (
            403,
            "insufficientPermissions",
            "global",
            "Insufficient Permission",
            ErrorClass::PermissionMissing,
            1,
        ),
        (
            403,
            "forbidden",
            "youtube.common",
            "Access forbidden.",
            ErrorClass::Forbidden,
            1,
        ),
        (
            403,
            "accessNotConfigured",
            "usageLimits",
            "YouTube Data API v3 has not been used",
            ErrorClass::Misconfigured,
            1,
        ),
        (
            403,
            "authenticatedUserAccountClosed",
            "youtube.common",
            "closed",
            ErrorClass::AccountUnavailable,
            1,
        ),
        (
            403,
            "authenticatedUserAccountSuspended",
            "youtube.common",
            "suspended",
            ErrorClass::AccountUnavailable,
            1,
        ),
        (
            403,
            "accountDelegationForbidden",
            "youtube.common",
            "no",
            ErrorClass::Forbidden,
            1,
        ),
        (
            403,
            "playlistItemsNotAccessible",
            "youtube.playlistItem",
            "no",
            ErrorClass::Forbidden,
            1,
        ),
        (
            404,
            "playlistNotFound",
            "youtube.playlistItem",
            "not found",
            ErrorClass::NotFound,
            1,
        ),
        (
            404,
            "channelNotFound",
            "youtube.channel",
            "not found",
            ErrorClass::NotFound,
            1,
        ),
        (
            404,
            "videoNotFound",
            "youtube.video",
            "not found",
            ErrorClass::NotFound,
            1,
        ),
        (
            400,
            "invalidPageToken",
            "youtube.parameter",
            "invalid page token",
            ErrorClass::Invalid,
            1,
        ),
        (
            400,
            "missingRequiredParameter",
            "youtube.parameter",
            "No filter selected.",
            ErrorClass::Invalid,
            1,
        ),
        (
            500,
            "backendError",
            "global",
            "Backend Error",
            ErrorClass::Transient,
            4,
        ),
        (
            503,
            "backendError",
            "global",
            "The service is currently unavailable.",
            ErrorClass::Transient,
            4,
        ),
    ];
    for (status, reason, domain, message, class, calls) in cases {
        let (error, made) =
            videos_error(status, google_error(status, reason, domain, message)).await;
        assert_eq!(error.class(), class, "{status} {reason}");
        assert_eq!(made, calls, "{status} {reason}: attempts");
        assert_eq!(error.reason(), Some(reason));
        assert_eq!(error.http_status(), Some(status));
        assert!(
            !error.to_string().contains("<a"),
            "HTML is stripped: {error}"
        );
    }
    // With the canonical `status` too, and a 200 that carries an error is still an error.
    let mut with_status = google_error(401, "authError", "global", "Invalid Credentials");
    with_status["error"]["status"] = json!("UNAUTHENTICATED");
    let (error, _) = videos_error(200, with_status).await;
    assert!(error.is_access_token_rejected());
}

#[tokio::test]
async fn a_per_day_429_resets_at_the_next_pacific_midnight_of_the_clients_clock() {
    let (error, calls) = videos_error(
        429,
        google_error(429, "rateLimitExceeded", "global", "Quota exceeded for quota metric 'Batch Get Stats Queries' and limit 'Batch Get Stats Queries per day'"),
    )
    .await;
    assert_eq!(calls, 1, "never retried the same day");
    assert_eq!(error.quota_resets_at(), Some(utc("2026-12-06T08:00:00Z")));
    assert_eq!(
        error.quota_bucket(),
        Some(youtube_client::QuotaBucket::General)
    );
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn a_stated_wait_is_kept_and_a_long_one_is_returned_at_once() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(VIDEOS))
        .respond_with(
            ResponseTemplate::new(503)
                .insert_header("retry-after", "30")
                .set_body_json(google_error(503, "backendError", "global", "unavailable")),
        )
        .mount(&server)
        .await;
    let error = client_for(&server)
        .videos_list(&token(), &["x".to_owned()], &[])
        .await
        .unwrap_err();
    assert_eq!(error.retry_after(), Some(Duration::from_secs(30)));
    assert_eq!(
        requests_to(&server, VIDEOS).await.len(),
        1,
        "30 s is past the 2 s cap"
    );
}

#[tokio::test]
async fn bodies_without_an_envelope_and_broken_bodies() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(VIDEOS))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>Bad Gateway</html>"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(VIDEOS))
        .respond_with(ResponseTemplate::new(200).set_body_string("{\"items\": [{\"id\":"))
        .mount(&server)
        .await;
    let error = client_for(&server)
        .videos_list(&token(), &["x".to_owned()], &[])
        .await
        .unwrap_err();
    assert!(
        matches!(error, YouTubeError::Decode { .. }),
        "the 502 was retried; then a cut body"
    );
    assert_eq!(error.kind(), "decode");
    assert_eq!(requests_to(&server, VIDEOS).await.len(), 2);
}

#[tokio::test]
async fn timeouts_and_refused_connections_are_transient() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(VIDEOS))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let client = YouTubeClient::new(
        config_for(&server)
            .with_request_timeout(Duration::from_millis(100))
            .with_retry(RetryPolicy::none()),
    )
    .unwrap();
    let error = client
        .videos_list(&token(), &["x".to_owned()], &[])
        .await
        .unwrap_err();
    assert!(error.is_timeout());
    assert_eq!(error.kind(), "timeout");
    assert_eq!(error.class(), ErrorClass::Transient);

    let mut config = config_for(&server);
    config.data_base_url = unreachable_base_url();
    let error = YouTubeClient::new(config)
        .unwrap()
        .my_channel(&token(), &ChannelPart::DEFAULT)
        .await
        .unwrap_err();
    assert!(matches!(
        error,
        YouTubeError::Transport { connect: true, .. }
    ));
    assert!(error.is_retryable());
}

#[tokio::test]
async fn the_hook_sees_every_attempt_with_its_cost_and_can_refuse() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(VIDEOS))
        .respond_with(ResponseTemplate::new(500).set_body_json(google_error(
            500,
            "backendError",
            "global",
            "x",
        )))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(VIDEOS))
        .respond_with(ResponseTemplate::new(403).set_body_json(google_error(
            403,
            "quotaExceeded",
            "youtube.quota",
            "spent",
        )))
        .mount(&server)
        .await;
    let hook = Arc::new(RecordingHook::default());
    let client = client_for(&server).with_call_hook(hook.clone());
    let error = client
        .videos_list(&token(), &["x".to_owned()], &[])
        .await
        .unwrap_err();
    assert!(error.quota_resets_at().is_some());
    assert_eq!(
        hook.events(),
        [
            HookEvent::Before(Endpoint::Videos, Some(1), 1),
            HookEvent::After(
                Endpoint::Videos,
                Some(500),
                Some("backendError".into()),
                false
            ),
            HookEvent::Before(Endpoint::Videos, Some(1), 2),
            HookEvent::After(
                Endpoint::Videos,
                Some(500),
                Some("backendError".into()),
                false
            ),
            HookEvent::Before(Endpoint::Videos, Some(1), 3),
            HookEvent::After(
                Endpoint::Videos,
                Some(403),
                Some("quotaExceeded".into()),
                true
            ),
        ]
    );

    let refusing = Arc::new(RecordingHook {
        reject_from: Some(1),
        ..RecordingHook::default()
    });
    let before = requests_to(&server, VIDEOS).await.len();
    let error = client_for(&server)
        .with_call_hook(refusing.clone())
        .videos_list(&token(), &["x".to_owned()], &[])
        .await
        .unwrap_err();
    assert!(matches!(error, YouTubeError::CallRejected { .. }));
    assert_eq!(
        error.class(),
        ErrorClass::Rejected {
            retry_after: Some(Duration::from_secs(3_600))
        }
    );
    assert_eq!(
        requests_to(&server, VIDEOS).await.len(),
        before,
        "nothing sent"
    );
    assert_eq!(refusing.befores(), 1, "a refusal is not retried");
}

#[tokio::test]
async fn oauth_calls_cost_no_units() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_answer(YOUTUBE, None)))
        .mount(&server)
        .await;
    let hook = Arc::new(RecordingHook::default());
    client_for(&server)
        .with_call_hook(hook.clone())
        .refresh(&youtube_client::RefreshToken::new(REFRESH_TOKEN))
        .await
        .unwrap();
    assert_eq!(
        hook.events()[0],
        HookEvent::Before(Endpoint::Refresh, None, 1)
    );
}
