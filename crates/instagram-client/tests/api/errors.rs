//! Every error class read from Meta's bodies whatever the status, retries on transient
//! errors only, the usage headers' wait, timeouts, and the call hook.

use std::sync::Arc;
use std::time::Duration;

use instagram_client::{
    Endpoint, ErrorClass, InstagramClient, InstagramError, ProfileField, RetryPolicy,
};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::*;

const ME: &str = "/graph/v25.0/me";

async fn answer(server: &MockServer, status: u16, body: Value) {
    Mock::given(method("GET"))
        .and(path(ME))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .mount(server)
        .await;
}

async fn profile_error(status: u16, body: Value) -> (InstagramError, usize) {
    let server = MockServer::start().await;
    answer(&server, status, body).await;
    let error = client_for(&server)
        .profile(&token(), &[ProfileField::Username])
        .await
        .unwrap_err();
    let calls = requests_to(&server, ME).await.len();
    (error, calls)
}

#[tokio::test]
async fn reauth_for_190_and_its_subcodes_never_retried() {
    for subcode in [None, Some(458), Some(460), Some(463), Some(467)] {
        let (error, calls) = profile_error(
            400,
            graph_error(190, subcode, "Error validating access token"),
        )
        .await;
        assert_eq!(error.class(), ErrorClass::Reauth, "{subcode:?}");
        assert_eq!(error.subcode(), subcode);
        assert_eq!(calls, 1);
    }
    // A 200 carrying an error body is an error too.
    let (error, _) = profile_error(200, graph_error(102, None, "session")).await;
    assert!(error.needs_reauth());
}

#[tokio::test]
async fn throttles_carry_the_usage_headers_wait_and_are_returned_at_once() {
    for (code, status) in [(4, 400), (17, 400), (32, 403), (613, 400), (80_002, 403)] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path(ME))
            .respond_with(
                ResponseTemplate::new(status)
                    .set_body_json(graph_error(code, None, "limit reached"))
                    .insert_header("x-app-usage", r#"{"call_count":100,"total_cputime":20,"total_time":30}"#)
                    .insert_header(
                        "x-business-use-case-usage",
                        format!(r#"{{"{IG_USER_ID}":[{{"type":"instagram","call_count":100,"total_cputime":9,"total_time":11,"estimated_time_to_regain_access":5}}]}}"#),
                    ),
            )
            .mount(&server)
            .await;
        let error = client_for(&server)
            .profile(&token(), &[])
            .await
            .unwrap_err();
        assert_eq!(
            error.class(),
            ErrorClass::Throttled {
                retry_after: Some(Duration::from_secs(300))
            },
            "code {code}"
        );
        assert!(error.is_retryable());
        assert_eq!(error.usage().unwrap().max_percent(), 100);
        assert_eq!(
            requests_to(&server, ME).await.len(),
            1,
            "5 minutes is past the cap: the caller pauses"
        );
    }
    let (error, _) = profile_error(400, graph_error(4, None, "no header")).await;
    assert_eq!(error.class(), ErrorClass::Throttled { retry_after: None });
}

#[tokio::test]
async fn per_media_states_permissions_and_invalid_requests() {
    let (error, calls) =
        profile_error(400, graph_error(4, Some(2_108_006), "before conversion")).await;
    assert_eq!(
        error.class(),
        ErrorClass::InsightsUnavailable,
        "not a throttle"
    );
    assert_eq!(calls, 1);
    let (error, _) = profile_error(
        400,
        graph_error(
            10,
            None,
            "(#10) Not enough viewers for the media to show insights",
        ),
    )
    .await;
    assert_eq!(error.class(), ErrorClass::NotEnoughData);
    let (error, _) = profile_error(
        403,
        graph_error(
            10,
            None,
            "(#10) Application does not have permission for this action",
        ),
    )
    .await;
    assert_eq!(error.class(), ErrorClass::PermissionMissing);
    let (error, _) = profile_error(403, graph_error(200, None, "(#200) Requires permission")).await;
    assert_eq!(error.class(), ErrorClass::PermissionMissing);
    let (error, calls) = profile_error(
        400,
        graph_error(
            100,
            None,
            "(#100) Tried accessing nonexisting field (impressions)",
        ),
    )
    .await;
    assert_eq!(error.class(), ErrorClass::Invalid);
    assert_eq!(calls, 1, "a bug is never retried");
    let (error, calls) =
        profile_error(400, graph_error(100, Some(33), "Unsupported get request")).await;
    assert_eq!(
        error.class(),
        ErrorClass::Transient,
        "100/33 is seen under rate pressure"
    );
    assert_eq!(calls, 4);
}

#[tokio::test]
async fn transient_errors_are_retried_with_backoff_then_returned() {
    for (code, status) in [(1, 500), (2, 503)] {
        let (error, calls) = profile_error(
            status,
            graph_error(code, None, "An unknown error has occurred."),
        )
        .await;
        assert_eq!(error.class(), ErrorClass::Transient);
        assert_eq!(calls, 4, "three retries after the first attempt");
    }
    let mut transient = graph_error(999, None, "odd");
    transient["error"]["is_transient"] = json!(true);
    let (error, calls) = profile_error(400, transient).await;
    assert_eq!(error.class(), ErrorClass::Transient);
    assert_eq!(calls, 4);
    let (error, calls) = profile_error(400, graph_error(999, None, "odd")).await;
    assert_eq!(error.class(), ErrorClass::Unknown);
    assert_eq!(calls, 1);
}

#[tokio::test]
async fn a_5xx_without_body_is_retried_and_a_later_success_wins() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(ME))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>bad gateway</html>"))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    answer(&server, 200, json!({"id": "9", "username": "ana"})).await;
    let hook = Arc::new(RecordingHook::default());
    let client = client_for(&server).with_call_hook(hook.clone());
    let profile = client
        .profile(&token(), &[ProfileField::Username])
        .await
        .unwrap();
    assert_eq!(profile.username.as_deref(), Some("ana"));
    let events = hook.events();
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(e, HookEvent::Before(..)))
            .cloned()
            .collect::<Vec<_>>(),
        [1, 2, 3].map(|attempt| HookEvent::Before(Endpoint::Profile, Some("me".into()), attempt)),
        "the hook runs before every attempt, retries included"
    );
    assert!(events.contains(&HookEvent::After(Endpoint::Profile, Some(502), None, None)));
    assert!(events.contains(&HookEvent::After(Endpoint::Profile, Some(200), None, None)));
}

#[tokio::test]
async fn malformed_bodies_are_decode_errors_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(ME))
        .respond_with(ResponseTemplate::new(200).set_body_string("{\"id\": \"17"))
        .mount(&server)
        .await;
    let error = client_for(&server)
        .profile(&token(), &[])
        .await
        .unwrap_err();
    assert!(matches!(error, InstagramError::Decode { .. }));
    assert_eq!(error.class(), ErrorClass::Unknown);
    assert_eq!(requests_to(&server, ME).await.len(), 1);
}

#[tokio::test]
async fn a_hook_refusal_sends_nothing_and_is_not_retried() {
    let server = MockServer::start().await;
    answer(&server, 200, json!({"id": "9"})).await;
    let hook = Arc::new(RecordingHook {
        reject_from: Some(1),
        ..RecordingHook::default()
    });
    let error = client_for(&server)
        .with_call_hook(hook.clone())
        .profile(&token(), &[])
        .await
        .unwrap_err();
    assert!(matches!(error, InstagramError::CallRejected { .. }));
    assert_eq!(error.retry_after(), Some(Duration::from_secs(3_600)));
    assert_eq!(hook.befores(), 1);
    assert!(requests_to(&server, ME).await.is_empty());
}

#[tokio::test]
async fn calls_that_name_no_account_are_attributed_to_the_clients_account() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/graph/v25.0/17918920912340654"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "17918920912340654"})))
        .mount(&server)
        .await;
    let hook = Arc::new(RecordingHook::default());
    let client = client_for(&server).with_call_hook(hook.clone());
    client
        .media_by_id(&token(), "17918920912340654", &[])
        .await
        .unwrap();
    client
        .for_account(IG_USER_ID)
        .media_by_id(&token(), "17918920912340654", &[])
        .await
        .unwrap();
    let befores: Vec<_> = hook
        .events()
        .into_iter()
        .filter(|event| matches!(event, HookEvent::Before(..)))
        .collect();
    assert_eq!(
        befores,
        [
            HookEvent::Before(Endpoint::Media, None, 1),
            HookEvent::Before(Endpoint::Media, Some(IG_USER_ID.into()), 1),
        ]
    );
}

#[tokio::test]
async fn the_hook_sees_usage_headers_on_success() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(ME))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": "9"}))
                .insert_header(
                    "x-app-usage",
                    r#"{"call_count":81,"total_cputime":3,"total_time":4}"#,
                ),
        )
        .mount(&server)
        .await;
    let hook = Arc::new(RecordingHook::default());
    client_for(&server)
        .with_call_hook(hook.clone())
        .profile(&token(), &[])
        .await
        .unwrap();
    assert!(hook.events().contains(&HookEvent::After(
        Endpoint::Profile,
        Some(200),
        None,
        Some(81)
    )));
}

#[tokio::test]
async fn connection_failures_and_timeouts_are_transport_errors() {
    let server = MockServer::start().await;
    let mut config = config_for(&server);
    let base = unreachable_base_url();
    config.graph_base_url = base.clone();
    let error = InstagramClient::new(config)
        .unwrap()
        .profile(&token(), &[])
        .await
        .unwrap_err();
    assert!(
        matches!(error, InstagramError::Transport { connect: true, .. }),
        "{error:?}"
    );
    assert!(error.is_retryable());
    assert!(!error.to_string().contains(ACCESS_TOKEN));

    Mock::given(method("GET"))
        .and(path(ME))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": "9"}))
                .set_delay(Duration::from_secs(3)),
        )
        .mount(&server)
        .await;
    let client = InstagramClient::new(
        config_for(&server)
            .with_request_timeout(Duration::from_millis(300))
            .with_retry(RetryPolicy::none()),
    )
    .unwrap();
    let error = client.profile(&token(), &[]).await.unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
}
