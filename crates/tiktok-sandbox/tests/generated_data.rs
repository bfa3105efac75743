//! Determinism and day-over-day growth of the generated creators, seen through the API.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::*;
use reqwest::StatusCode;
use tiktok_sandbox::{Sandbox, VideosPerCreator};

#[tokio::test]
async fn the_same_seed_gives_the_same_data_and_another_seed_does_not() {
    let config = || {
        config()
            .creators(4)
            .videos_per_creator(VideosPerCreator::Range(0..=40))
    };
    let first = Sandbox::start(config()).await.unwrap();
    let second = Sandbox::start(config()).await.unwrap();
    let other = Sandbox::start(config().seed(43)).await.unwrap();
    let details = |sandbox: &tiktok_sandbox::SandboxHandle| {
        sandbox
            .creators()
            .iter()
            .map(|creator| {
                let mut details = sandbox.creator(&creator.open_id).unwrap();
                // URLs embed each sandbox's own port; the data behind them must match.
                details.summary.avatar_url.clear();
                for video in &mut details.videos {
                    video.cover_image_url.clear();
                }
                details
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(details(&first), details(&second));
    assert_ne!(details(&first), details(&other));
}

#[tokio::test]
async fn metrics_grow_from_one_sandbox_day_to_the_next() {
    let (sandbox, browser) = start(config().creator_videos([12])).await;
    let open_id = sandbox.creators()[0].open_id.clone();
    let today = sandbox.creator(&open_id).unwrap();
    assert_eq!(
        sandbox.creator(&open_id).unwrap(),
        today,
        "same day, same numbers"
    );

    let token = access_token(&browser.connect(ALL_SCOPES).await);
    let (status, body) = browser
        .user_info(&token, "follower_count,likes_count")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["data"]["user"]["follower_count"],
        today.summary.follower_count
    );

    sandbox.advance_clock(Duration::from_secs(86_400));
    let tomorrow = sandbox.creator(&open_id).unwrap();
    assert!(tomorrow.summary.follower_count > today.summary.follower_count);
    assert!(tomorrow.summary.likes_count >= today.summary.likes_count);
    for (before, after) in today.videos.iter().zip(&tomorrow.videos) {
        assert_eq!(before.id, after.id);
        assert!(after.view_count > before.view_count);
    }
    // The API serves the new day's numbers (after a refresh, as the token expired).
    let (status, _) = browser.user_info(&token, "follower_count").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let token = access_token(&browser.connect(ALL_SCOPES).await);
    let (_, body) = browser.user_info(&token, "follower_count").await;
    assert_eq!(
        body["data"]["user"]["follower_count"],
        tomorrow.summary.follower_count
    );
}

#[tokio::test]
async fn a_creator_can_have_a_thousand_videos() {
    let (sandbox, browser) = start(config().creator_videos([1_000])).await;
    let token = access_token(&browser.connect(ALL_SCOPES).await);
    let mut count = 0;
    let mut cursor = None;
    loop {
        let body = match cursor {
            None => serde_json::json!({ "max_count": 20 }),
            Some(cursor) => serde_json::json!({ "max_count": 20, "cursor": cursor }),
        };
        let (_, page) = browser.video_list(&token, &body).await;
        count += page["data"]["videos"].as_array().unwrap().len();
        cursor = page["data"]["cursor"].as_i64();
        if page["data"]["has_more"] != true {
            break;
        }
    }
    assert_eq!(count, 1_000);
    assert_eq!(sandbox.call_count(tiktok_sandbox::Endpoint::VideoList), 50);
}
