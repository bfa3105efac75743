//! Walking every page of the video list.

use futures::TryStreamExt as _;
use serde_json::{Value, json};
use tiktok_client::{AccessToken, TikTokError, Video};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::helpers::*;

/// Serves `total` videos newest first, like TikTok: the cursor is the
/// creation time in milliseconds of the last video served, and the next page
/// holds the videos created before it.
struct VideoLibrary {
    total: usize,
}

impl VideoLibrary {
    const NEWEST_MS: i64 = 1_764_050_000_000;

    fn created_ms(index: usize) -> i64 {
        Self::NEWEST_MS - i64::try_from(index).unwrap() * 60_000
    }
}

impl Respond for VideoLibrary {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = request.body_json().unwrap();
        let max_count = usize::try_from(body["max_count"].as_u64().unwrap()).unwrap();
        let start = match body.get("cursor").and_then(Value::as_i64) {
            None => 0,
            Some(cursor) => (0..self.total)
                .find(|index| Self::created_ms(*index) < cursor)
                .unwrap_or(self.total),
        };
        let end = (start + max_count).min(self.total);
        let videos: Vec<Value> = (start..end)
            .map(|index| video_json(&format!("73{:017}", index)))
            .collect();
        let cursor = if end > start {
            Self::created_ms(end - 1)
        } else {
            0
        };
        ResponseTemplate::new(200).set_body_json(ok_envelope(json!({
            "videos": videos,
            "cursor": cursor,
            "has_more": end < self.total
        })))
    }
}

async fn walk(total: usize) -> (Vec<Video>, usize) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/video/list/"))
        .respond_with(VideoLibrary { total })
        .mount(&server)
        .await;
    let videos: Vec<Video> = client_for(&server)
        .videos(&AccessToken::new(ACCESS_TOKEN.to_owned()))
        .try_collect()
        .await
        .unwrap();
    let requests = requests_to(&server, "/v2/video/list/").await;
    for request in &requests {
        let body: Value = request.body_json().unwrap();
        assert_eq!(body["max_count"], 20, "pages of 20");
    }
    (videos, requests.len())
}

#[tokio::test]
async fn walks_every_page_with_the_fewest_calls() {
    for (total, expected_calls) in [(0, 1), (1, 1), (20, 1), (21, 2), (95, 5)] {
        let (videos, calls) = walk(total).await;
        assert_eq!(videos.len(), total, "{total} videos");
        assert_eq!(calls, expected_calls, "{total} videos");
        let mut ids: Vec<_> = videos.iter().map(|video| video.id.clone()).collect();
        ids.dedup();
        assert_eq!(ids.len(), total, "no video twice");
    }
}

async fn walk_fixed_pages(pages: Vec<Value>) -> (Result<Vec<Video>, TikTokError>, usize) {
    let server = MockServer::start().await;
    let count = pages.len();
    for (index, page) in pages.into_iter().enumerate() {
        let mock = Mock::given(method("POST"))
            .and(path("/v2/video/list/"))
            .respond_with(ResponseTemplate::new(200).set_body_json(ok_envelope(page)));
        // Earlier pages first: each answers once, the last answers forever.
        let mock = if index + 1 < count {
            mock.up_to_n_times(1)
                .with_priority(u8::try_from(index + 1).unwrap())
        } else {
            mock.with_priority(u8::try_from(index + 1).unwrap())
        };
        mock.mount(&server).await;
    }
    let result = client_for(&server)
        .videos(&AccessToken::new(ACCESS_TOKEN.to_owned()))
        .try_collect()
        .await;
    (result, requests_to(&server, "/v2/video/list/").await.len())
}

#[tokio::test]
async fn an_empty_page_claiming_more_ends_the_walk() {
    let (videos, calls) = walk_fixed_pages(vec![
        json!({"videos": [video_json("1"), video_json("2")], "cursor": 500, "has_more": true}),
        json!({"videos": [], "cursor": 400, "has_more": true}),
    ])
    .await;
    assert_eq!(videos.unwrap().len(), 2);
    assert_eq!(calls, 2);
}

#[tokio::test]
async fn a_first_page_empty_but_claiming_more_ends_the_walk() {
    let (videos, calls) =
        walk_fixed_pages(vec![json!({"videos": [], "cursor": 123, "has_more": true})]).await;
    assert!(videos.unwrap().is_empty());
    assert_eq!(calls, 1);
}

#[tokio::test]
async fn a_cursor_that_stops_moving_ends_the_walk() {
    let (videos, calls) = walk_fixed_pages(vec![
        json!({"videos": [video_json("1")], "cursor": 500, "has_more": true}),
        json!({"videos": [video_json("2")], "cursor": 500, "has_more": true}),
    ])
    .await;
    assert_eq!(videos.unwrap().len(), 2);
    assert_eq!(calls, 2);
}

#[tokio::test]
async fn an_error_ends_the_stream() {
    let (result, calls) = walk_fixed_pages(vec![
        json!({"videos": [video_json("1")], "cursor": 500, "has_more": true}),
        json!({"videos": "not a list", "has_more": true}),
    ])
    .await;
    assert!(
        matches!(result, Err(TikTokError::Decode { .. })),
        "{result:?}"
    );
    assert_eq!(calls, 2);
}
