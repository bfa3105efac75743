//! The read routes over a real sync: every sort pages through all videos exactly once, in
//! order.

use serde_json::Value;

use crate::support::{ConnectedCreator, FlowOptions, TestDatabase, on_both_backends};

on_both_backends!(every_sort_pages_through_every_video_once_in_order);

async fn every_sort_pages_through_every_video_once_in_order(database: TestDatabase) {
    let (flow, ConnectedCreator { token, .. }) = FlowOptions::new()
        .with_connected_creator(database, "reader", 95)
        .await;

    for (sort, key) in [
        ("created", "createdAt"),
        ("views", "viewCount"),
        ("likes", "likeCount"),
        ("comments", "commentCount"),
        ("shares", "shareCount"),
        ("engagement", "engagementRate"),
    ] {
        for order in ["asc", "desc"] {
            let videos = flow
                .paged(&token, &format!("sort={sort}&order={order}"), 7)
                .await;
            let mut ids: Vec<&str> = videos.iter().map(|v| v["id"].as_str().unwrap()).collect();
            assert_eq!(ids.len(), 95, "{sort} {order}");
            ids.sort_unstable();
            ids.dedup();
            assert_eq!(ids.len(), 95, "{sort} {order}: a video on two pages");
            for pair in videos.windows(2) {
                let (a, b) = (sort_key(&pair[0][key]), sort_key(&pair[1][key]));
                let in_order = if order == "asc" { a <= b } else { a >= b };
                assert!(
                    in_order,
                    "{sort} {order}: {} then {}",
                    pair[0][key], pair[1][key]
                );
            }
        }
    }
}

/// Numbers compare as numbers, times as text (RFC 3339 in UTC sorts lexically).
fn sort_key(value: &Value) -> (f64, String) {
    match value {
        Value::Number(number) => (number.as_f64().unwrap(), String::new()),
        Value::String(text) => (0.0, text.clone()),
        // No engagement rate (no views) sorts as lowest.
        _ => (f64::NEG_INFINITY, String::new()),
    }
}
