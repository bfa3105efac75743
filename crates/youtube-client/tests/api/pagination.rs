//! Walking a playlist: a 1,000-video channel in 20 pages of 50, the end on a missing
//! `nextPageToken`, no loop on a repeated token, a restart on `invalidPageToken`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures::TryStreamExt as _;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};
use youtube_client::{PlaylistItem, PlaylistItemPart};

use crate::helpers::*;

const ITEMS: &str = "/youtube/v3/playlistItems";
const PLAYLIST: &str = "UUxxxxxxxxxxxxxxxxxxxxxx";

/// A playlist of `total` uploads, newest first, served in pages of `maxResults` with tokens
/// `P<offset>`.
fn playlist(total: usize) -> impl Fn(&Request) -> ResponseTemplate + Send + Sync + 'static {
    move |request: &Request| {
        let size: usize = param(request, "maxResults").unwrap().parse().unwrap();
        let offset: usize = param(request, "pageToken")
            .map(|token| token.trim_start_matches('P').parse().unwrap())
            .unwrap_or(0);
        let end = (offset + size).min(total);
        let items: Vec<Value> = (offset..end)
            .map(|i| json!({"id": format!("item{i}"), "contentDetails": {"videoId": format!("v{i:010}")}}))
            .collect();
        let mut body = json!({
            "kind": "youtube#playlistItemListResponse",
            "items": items,
            "pageInfo": {"totalResults": total, "resultsPerPage": size}
        });
        if end < total {
            body["nextPageToken"] = json!(format!("P{end}"));
        }
        ResponseTemplate::new(200).set_body_json(body)
    }
}

async fn walk(server: &MockServer) -> Result<Vec<PlaylistItem>, youtube_client::YouTubeError> {
    client_for(server)
        .playlist_items(&token(), PLAYLIST, &PlaylistItemPart::DEFAULT)
        .try_collect()
        .await
}

#[tokio::test]
async fn a_thousand_video_channel_takes_twenty_pages_of_fifty() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(ITEMS))
        .respond_with(playlist(1_000))
        .mount(&server)
        .await;
    let items = walk(&server).await.unwrap();
    assert_eq!(items.len(), 1_000);
    let ids: std::collections::HashSet<&str> =
        items.iter().filter_map(PlaylistItem::video_id).collect();
    assert_eq!(ids.len(), 1_000);
    assert_eq!(
        items[0].video_id(),
        Some("v0000000000"),
        "newest first, in order"
    );
    let requests = requests_to(&server, ITEMS).await;
    assert_eq!(requests.len(), 20);
    assert!(
        requests
            .iter()
            .all(|r| param(r, "maxResults").as_deref() == Some("50"))
    );
    assert!(
        requests
            .iter()
            .all(|r| param(r, "playlistId").as_deref() == Some(PLAYLIST))
    );
    assert!(
        requests
            .iter()
            .all(|r| param(r, "part").as_deref() == Some("contentDetails"))
    );
    assert_eq!(param(&requests[0], "pageToken"), None);
    assert_eq!(param(&requests[19], "pageToken").as_deref(), Some("P950"));
}

#[tokio::test]
async fn an_empty_playlist_costs_one_page() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(ITEMS))
        .respond_with(playlist(0))
        .mount(&server)
        .await;
    assert!(walk(&server).await.unwrap().is_empty());
    assert_eq!(requests_to(&server, ITEMS).await.len(), 1);
}

#[tokio::test]
async fn a_repeated_token_ends_the_walk_instead_of_looping() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(ITEMS))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "items": [{"id": "only", "contentDetails": {"videoId": "v1"}}],
            "nextPageToken": "SAME"
        })))
        .mount(&server)
        .await;
    let items = walk(&server).await.unwrap();
    assert_eq!(
        items.len(),
        1,
        "the repeated page's item is not yielded twice"
    );
    assert_eq!(requests_to(&server, ITEMS).await.len(), 2);
}

#[tokio::test]
async fn an_invalid_page_token_restarts_the_walk_without_repeating_items() {
    let server = MockServer::start().await;
    let refused = Arc::new(AtomicUsize::new(0));
    let serve = playlist(120);
    let seen = Arc::clone(&refused);
    Mock::given(method("GET"))
        .and(path(ITEMS))
        .respond_with(move |request: &Request| {
            // The first time page 2 is asked for, its token has gone stale.
            if param(request, "pageToken").as_deref() == Some("P50")
                && seen.fetch_add(1, Ordering::SeqCst) == 0
            {
                return ResponseTemplate::new(400).set_body_json(google_error(
                    400,
                    "invalidPageToken",
                    "youtube.parameter",
                    "The request specifies an invalid page token.",
                ));
            }
            serve(request)
        })
        .mount(&server)
        .await;
    let items = walk(&server).await.unwrap();
    assert_eq!(items.len(), 120);
    let unique: std::collections::HashSet<&str> = items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(unique.len(), 120);
    let tokens: Vec<Option<String>> = requests_to(&server, ITEMS)
        .await
        .iter()
        .map(|r| param(r, "pageToken"))
        .collect();
    assert_eq!(
        tokens,
        [
            None,
            Some("P50".into()),
            None,
            Some("P50".into()),
            Some("P100".into())
        ]
    );

    // Always stale: the walk gives up after two restarts with the error.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(ITEMS))
        .respond_with(|request: &Request| {
            if param(request, "pageToken").is_some() {
                ResponseTemplate::new(400).set_body_json(google_error(
                    400,
                    "invalidPageToken",
                    "youtube.parameter",
                    "stale",
                ))
            } else {
                playlist(120)(request)
            }
        })
        .mount(&server)
        .await;
    let error = walk(&server).await.unwrap_err();
    assert!(error.is_invalid_page_token());
    assert_eq!(requests_to(&server, ITEMS).await.len(), 6);
}
