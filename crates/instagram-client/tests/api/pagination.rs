//! Paging `/media` through `paging.next` to the end, with the exact number of calls.

use futures::TryStreamExt as _;
use instagram_client::{InstagramError, MediaQuery, PageCursor};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::*;

const MEDIA: &str = "/graph/v25.0/17841405822304914/media";

fn items(range: std::ops::Range<u64>) -> Vec<Value> {
    range
        .map(|i| json!({"id": format!("1790000000000{i:04}"), "media_type": "IMAGE", "timestamp": "2026-11-30T18:04:11+0000"}))
        .collect()
}

/// A page whose `next` carries the token (as Meta's do) and `after=<next>`.
fn page(data: Vec<Value>, next: Option<&str>) -> Value {
    let mut body = json!({ "data": data });
    if let Some(next) = next {
        body["paging"] = json!({
            "cursors": { "before": "B", "after": next },
            "next": format!("https://graph.instagram.com/v25.0/{IG_USER_ID}/media?access_token={ACCESS_TOKEN}&limit=50&after={next}")
        });
    }
    body
}

async fn mount_first(server: &MockServer, body: Value) {
    Mock::given(method("GET"))
        .and(path(MEDIA))
        .and(query_param_is_missing("after"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(server)
        .await;
}

async fn mount_after(server: &MockServer, after: &str, body: Value) {
    Mock::given(method("GET"))
        .and(path(MEDIA))
        .and(query_param("after", after))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(server)
        .await;
}

async fn walk(server: &MockServer) -> Result<Vec<String>, InstagramError> {
    client_for(server)
        .media(&token(), IG_USER_ID, MediaQuery::default())
        .map_ok(|media| media.id)
        .try_collect()
        .await
}

#[tokio::test]
async fn pages_are_followed_until_next_is_absent() {
    let server = MockServer::start().await;
    mount_first(&server, page(items(0..50), Some("C1"))).await;
    mount_after(&server, "C1", page(items(50..100), Some("C2"))).await;
    mount_after(&server, "C2", page(items(100..123), None)).await;
    let ids = walk(&server).await.unwrap();
    assert_eq!(ids.len(), 123);
    assert_eq!(ids[0], "17900000000000000");
    let requests = requests_to(&server, MEDIA).await;
    assert_eq!(requests.len(), 3);
    let first = &requests[0];
    assert_eq!(
        param(first, "limit").as_deref(),
        Some("50"),
        "the configured page size"
    );
    assert!(
        param(first, "fields")
            .unwrap()
            .contains("children{id,media_type,media_url,thumbnail_url}")
    );
    // `next` names graph.instagram.com: all three requests reaching the mock shows the
    // client built them against its configured host instead of following the URL.
    assert_eq!(param(&requests[1], "after").as_deref(), Some("C1"));
    assert_eq!(param(&requests[2], "after").as_deref(), Some("C2"));
}

#[tokio::test]
async fn an_empty_first_page_costs_one_call() {
    let server = MockServer::start().await;
    mount_first(&server, json!({"data": []})).await;
    assert!(walk(&server).await.unwrap().is_empty());
    assert_eq!(requests_to(&server, MEDIA).await.len(), 1);
}

#[tokio::test]
async fn an_empty_page_with_next_does_not_end_the_walk() {
    let server = MockServer::start().await;
    mount_first(&server, page(items(0..2), Some("C1"))).await;
    mount_after(&server, "C1", page(vec![], Some("C2"))).await;
    mount_after(&server, "C2", page(items(2..4), None)).await;
    assert_eq!(walk(&server).await.unwrap().len(), 4);
    assert_eq!(requests_to(&server, MEDIA).await.len(), 3);
}

#[tokio::test]
async fn a_repeated_cursor_stops_the_walk_instead_of_looping() {
    let server = MockServer::start().await;
    mount_first(&server, page(items(0..2), Some("C1"))).await;
    mount_after(&server, "C1", page(items(2..4), Some("C1"))).await;
    assert_eq!(walk(&server).await.unwrap().len(), 4);
    assert_eq!(requests_to(&server, MEDIA).await.len(), 2);
}

#[tokio::test]
async fn one_page_at_a_time_with_limit_and_range() {
    let server = MockServer::start().await;
    mount_first(&server, page(items(0..3), Some("C1"))).await;
    let since = now() - chrono::Duration::days(30);
    let query = MediaQuery::default()
        .with_limit(3)
        .with_range(Some(since), Some(now()));
    let page = client_for(&server)
        .media_page(&token(), IG_USER_ID, &query, None)
        .await
        .unwrap();
    assert_eq!(page.media.len(), 3);
    assert_eq!(page.next, Some(PageCursor::new("C1")));
    let request = &requests_to(&server, MEDIA).await[0];
    assert_eq!(param(request, "limit").as_deref(), Some("3"));
    assert_eq!(param(request, "since"), Some(since.timestamp().to_string()));
    assert_eq!(param(request, "until"), Some(now().timestamp().to_string()));
}

#[tokio::test]
async fn an_error_mid_walk_ends_the_stream_with_it() {
    let server = MockServer::start().await;
    mount_first(&server, page(items(0..2), Some("C1"))).await;
    Mock::given(method("GET"))
        .and(path(MEDIA))
        .and(query_param("after", "C1"))
        .respond_with(ResponseTemplate::new(400).set_body_json(graph_error(
            190,
            Some(463),
            "expired",
        )))
        .mount(&server)
        .await;
    let error = walk(&server).await.unwrap_err();
    assert!(error.needs_reauth());
}
