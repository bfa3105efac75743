//! The raw call: an endpoint the crate does not wrap, with the same bearer token,
//! envelope, errors, retries and hook as the wrapped ones.

use serde::Deserialize;
use serde_json::{Value, json};
use std::time::Duration;
use tiktok_client::{AccessToken, Endpoint, RawRequest, TikTokClient, TikTokError};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::*;

const RESEARCH_QUERY: &str = "/v2/research/video/query/";
const PUBLISH_INIT: &str = "/v2/post/publish/video/init/";

fn token() -> AccessToken {
    AccessToken::new(ACCESS_TOKEN.to_owned())
}

#[derive(Debug, Deserialize)]
struct ResearchPage {
    videos: Vec<Value>,
    has_more: bool,
}

#[tokio::test]
async fn a_raw_post_carries_the_token_fields_and_body_and_decodes_data() {
    let server = MockServer::start().await;
    let query = json!({"query": {"and": [{"operation": "EQ", "field_name": "region_code",
                                           "field_values": ["FR"]}]},
                       "start_date": "20261101", "end_date": "20261125", "max_count": 2});
    Mock::given(method("POST"))
        .and(path(RESEARCH_QUERY))
        .and(header(
            "authorization",
            format!("Bearer {ACCESS_TOKEN}").as_str(),
        ))
        .and(query_param("fields", "id,view_count"))
        .and(body_json(&query))
        .respond_with(ResponseTemplate::new(200).set_body_json(ok_envelope(json!({
            "videos": [{"id": 7300000000000000001_u64, "view_count": 3}],
            "has_more": true, "cursor": 2, "search_id": "s"
        }))))
        .expect(1)
        .mount(&server)
        .await;
    let hook = RecordingHook::rejecting_from(usize::MAX);
    let client = client_for(&server).with_call_hook(hook.clone());
    let request = RawRequest::post(RESEARCH_QUERY, query)
        .fields(["id", "view_count"])
        .idempotent(true);
    let page: ResearchPage = client.raw_call(&token(), &request).await.unwrap();
    assert_eq!(page.videos.len(), 1);
    assert!(page.has_more);
    assert_eq!(
        hook.events(),
        vec![
            HookEvent::Before(Endpoint::Raw(RESEARCH_QUERY)),
            HookEvent::After(Endpoint::Raw(RESEARCH_QUERY), Some(200), None),
        ]
    );
}

#[tokio::test]
async fn a_raw_get_reads_errors_from_the_envelope() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/user/info/"))
        .and(query_param("fields", "open_id"))
        .respond_with(ResponseTemplate::new(401).set_body_json(error_envelope(
            "access_token_invalid",
            "expired",
            "L-raw",
        )))
        .expect(1)
        .mount(&server)
        .await;
    let request = RawRequest::get("/v2/user/info/").fields(["open_id"]);
    let error = client_for(&server)
        .raw_call::<Value>(&token(), &request)
        .await
        .unwrap_err();
    assert!(
        matches!(error, TikTokError::AccessTokenInvalid { .. }),
        "{error:?}"
    );
    assert_eq!(error.log_id(), Some("L-raw"));
}

#[tokio::test]
async fn an_idempotent_raw_call_is_retried_on_5xx_and_the_hook_sees_each_attempt() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(RESEARCH_QUERY))
        .respond_with(ResponseTemplate::new(500).set_body_json(error_envelope(
            "internal_error",
            "",
            "L5",
        )))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(RESEARCH_QUERY))
        .respond_with(ResponseTemplate::new(200).set_body_json(ok_envelope(json!({"ok": 1}))))
        .mount(&server)
        .await;
    let hook = RecordingHook::rejecting_from(usize::MAX);
    let client = client_for(&server).with_call_hook(hook.clone());
    let request = RawRequest::post(RESEARCH_QUERY, json!({})).idempotent(true);
    let data: Value = client.raw_call(&token(), &request).await.unwrap();
    assert_eq!(data, json!({"ok": 1}));
    assert_eq!(hook.before_count(), 3);
}

#[tokio::test]
async fn a_raw_post_is_not_resent_after_a_timeout_unless_idempotent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(PUBLISH_INIT))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(ok_envelope(json!({"publish_id": "p-1"})))
                .set_delay(Duration::from_secs(2)),
        )
        .mount(&server)
        .await;
    let client =
        TikTokClient::new(config_for(&server).with_request_timeout(Duration::from_millis(200)))
            .unwrap();
    let publish = RawRequest::post(
        PUBLISH_INIT,
        json!({"source_info": {"source": "PULL_FROM_URL"}}),
    );
    let error = client
        .raw_call::<Value>(&token(), &publish)
        .await
        .unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
    assert_eq!(
        requests_to(&server, PUBLISH_INIT).await.len(),
        1,
        "sent once"
    );

    let read = publish.idempotent(true);
    let error = client.raw_call::<Value>(&token(), &read).await.unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
    assert_eq!(
        requests_to(&server, PUBLISH_INIT).await.len(),
        1 + 1 + fast_retry().max_retries as usize,
        "retried when idempotent"
    );
}

#[tokio::test]
async fn a_raw_call_refused_by_the_hook_or_with_a_bad_path_sends_nothing() {
    let server = MockServer::start().await;
    let hook = RecordingHook::rejecting_from(1);
    let client = client_for(&server).with_call_hook(hook.clone());
    let error = client
        .raw_call::<Value>(&token(), &RawRequest::get(RESEARCH_QUERY))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            TikTokError::CallRejected {
                endpoint: Endpoint::Raw(RESEARCH_QUERY),
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(error.retry_after(), Some(Duration::from_secs(3600)));
    let error = client
        .raw_call::<Value>(&token(), &RawRequest::get("/v2/../oauth/token/"))
        .await
        .unwrap_err();
    assert!(
        matches!(error, TikTokError::InvalidArgument(_)),
        "{error:?}"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}
