//! Connect -> authorize on the sandbox's page -> callback -> read -> the token dies -> sync
//! refreshes it -> disconnect revokes and deletes.

use std::collections::HashMap;

use domain::Platform;
use reqwest::StatusCode;
use serde_json::Value;
use tiktok_sandbox::{CreatorDetails, Endpoint};

use crate::support::{Flow, FlowOptions, TestDatabase, error_code, on_both_backends};

on_both_backends!(
    a_creator_connects_reads_syncs_after_expiry_and_disconnects,
    every_tiktok_call_is_counted_in_the_shared_budget_before_it_is_made,
);

const USER: &str = "creator-a";

async fn a_creator_connects_reads_syncs_after_expiry_and_disconnects(database: TestDatabase) {
    let flow = FlowOptions::new().spawn(database).await;
    let token = flow.dev_token(USER).await;
    let creator = flow.creator_with_videos(95);

    // The popup: our connect route, the sandbox's consent page, the redirect to our callback.
    let page = flow.connect_ok(&token, &creator.open_id).await;
    assert_eq!(page.message["handle"], creator.username.as_str());
    assert_eq!(page.message["displayName"], creator.display_name.as_str());
    assert!(
        page.html.contains(r#""type":"tiktok:connected""#),
        "the page posts tiktok:connected"
    );
    // To the app's origins only (sandbox mode: localhost and 127.0.0.1 on the server's port).
    let port = flow.address.rsplit(':').next().unwrap();
    let targets =
        format!(r#"var targets = ["http://localhost:{port}","http://127.0.0.1:{port}"];"#);
    assert!(page.html.contains(&targets), "not posted to {targets}");
    assert!(!page.html.contains(r#""*""#), "posted to any origin");
    // Connect and first sync: one exchange, one user-info call (reused by the first sync),
    // and 95 videos in pages of 20.
    assert_eq!(flow.sandbox.call_count(Endpoint::Token), 1);
    assert_eq!(flow.sandbox.call_count(Endpoint::UserInfo), 1);
    assert_eq!(flow.sandbox.call_count(Endpoint::VideoList), 5);

    let connections = flow.get_json("/api/connections", &token).await;
    let card = &connections["connections"][0];
    assert_eq!(card["platform"], "tiktok");
    assert_eq!(card["connected"], true);
    assert_eq!(card["status"], "active");
    assert_eq!(card["handle"], creator.username.as_str());
    assert_eq!(card["followerCount"], creator.follower_count);
    assert_eq!(card["stale"], false);
    assert!(card["lastSyncedAt"].is_string());

    let details = flow.sandbox.creator(&creator.open_id).unwrap();
    assert_reads_match(&flow, &token, &details).await;
    let runs = flow.get_json("/api/tiktok/sync-runs", &token).await;
    assert_eq!(runs["runs"][0]["trigger"], "connect");
    assert_eq!(runs["runs"][0]["outcome"], "success");
    assert_eq!(runs["runs"][0]["videosSynced"], 95);

    // A day later the access token is dead at TikTok (and expired in our eyes).
    let (first_access_token, _) = flow.stored_tokens(USER).await;
    flow.advance_both_clocks(25);
    let connections = flow.get_json("/api/connections", &token).await;
    assert_eq!(
        connections["connections"][0]["stale"], true,
        "a day-old sync is stale"
    );
    let (status, _, body) = flow.sync(&token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "synced");
    assert_eq!(body["videosSynced"], 95);
    assert_eq!(body["missingScopes"], serde_json::json!([]));
    assert!(body["finishedAt"].is_string());
    // The refresh, then the profile and the five pages.
    assert_eq!(body["apiCalls"], 7);
    assert_eq!(flow.sandbox.call_count(Endpoint::Token), 2, "one refresh");
    let (refreshed_access_token, _) = flow.stored_tokens(USER).await;
    assert_ne!(refreshed_access_token, first_access_token);
    // The new day's numbers arrived.
    let details = flow.sandbox.creator(&creator.open_id).unwrap();
    assert_reads_match(&flow, &token, &details).await;

    let connection = flow.stored_connection(USER).await.unwrap();
    let response = flow
        .call("DELETE", "/api/auth/tiktok/disconnect", &token)
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let revoked = flow.sandbox.revoked_grants();
    assert_eq!(revoked.len(), 1);
    assert_eq!(revoked[0].open_id, creator.open_id);

    let connections = flow.get_json("/api/connections", &token).await;
    assert_eq!(connections["connections"][0]["connected"], false);
    assert_eq!(connections["connections"][0]["handle"], Value::Null);
    for path in [
        "/api/tiktok/videos",
        "/api/tiktok/profile",
        "/api/tiktok/analytics",
    ] {
        let response = flow.call("GET", path, &token).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(error_code(response).await, "not_connected", "{path}");
    }
    // The rows are gone, not merely hidden.
    let db = flow.services.database();
    assert!(
        db.find_connection(USER, Platform::new("tiktok"))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        db.find_connection_by_account(Platform::new("tiktok"), &creator.open_id)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        db.recent_sync_runs(connection.id, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let response = flow
        .call("DELETE", "/api/auth/tiktok/disconnect", &token)
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    // What the operator's dashboard saw of it.
    let metrics = flow.metrics().await;
    assert_eq!(metric(&metrics, "sync_runs_total", &["success"]), 2.0);
    assert_eq!(metric(&metrics, "token_refreshes_total", &["success"]), 1.0);
    assert_eq!(metric(&metrics, "revocations_total", &["revoked"]), 1.0);
    assert_eq!(
        metric(
            &metrics,
            "platform_api_calls_total",
            &["tiktok", "video_list", "200"]
        ),
        10.0
    );
    assert_eq!(
        metric(&metrics, "platform_api_calls_total", &["user_info", "200"]),
        2.0
    );
    assert_eq!(
        metric(&metrics, "platform_api_calls_total", &["token", "200"]),
        2.0
    );
}

/// The sum of the samples of `name` whose labels hold every one of `labels` (as values).
fn metric(text: &str, name: &str, labels: &[&str]) -> f64 {
    text.lines()
        .filter(|line| line.starts_with(&format!("{name}{{")))
        .filter(|line| {
            labels
                .iter()
                .all(|label| line.contains(&format!("=\"{label}\"")))
        })
        .map(|line| line.rsplit(' ').next().unwrap().parse::<f64>().unwrap())
        .sum()
}

/// Videos (paged), profile and analytics equal the sandbox's data of today.
async fn assert_reads_match(flow: &Flow, token: &str, details: &CreatorDetails) {
    let videos = flow.all_videos(token, 30).await;
    assert_eq!(videos.len(), 95);
    let ours: HashMap<&str, &Value> = videos
        .iter()
        .map(|video| (video["id"].as_str().unwrap(), video))
        .collect();
    assert_eq!(ours.len(), 95, "a video appeared on two pages");
    for video in &details.videos {
        let synced = ours
            .get(video.id.as_str())
            .unwrap_or_else(|| panic!("video {} missing", video.id));
        assert_eq!(synced["viewCount"], video.view_count, "{}", video.id);
        assert_eq!(synced["likeCount"], video.like_count, "{}", video.id);
        assert_eq!(synced["commentCount"], video.comment_count, "{}", video.id);
        assert_eq!(synced["shareCount"], video.share_count, "{}", video.id);
        assert_eq!(synced["shareUrl"], video.share_url.as_str(), "{}", video.id);
        let created =
            chrono::DateTime::parse_from_rfc3339(synced["createdAt"].as_str().unwrap()).unwrap();
        assert_eq!(created.timestamp(), video.create_time, "{}", video.id);
    }
    // Newest first by default.
    let created: Vec<&str> = videos
        .iter()
        .map(|video| video["createdAt"].as_str().unwrap())
        .collect();
    let mut sorted = created.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(created, sorted);

    let summary = &details.summary;
    let profile = flow.get_json("/api/tiktok/profile", token).await;
    assert_eq!(profile["openId"], summary.open_id.as_str());
    assert_eq!(profile["handle"], summary.username.as_str());
    assert_eq!(profile["displayName"], summary.display_name.as_str());
    assert_eq!(profile["verified"], summary.is_verified);
    assert_eq!(profile["followerCount"], summary.follower_count);
    assert_eq!(profile["followingCount"], summary.following_count);
    assert_eq!(profile["likesCount"], summary.likes_count);
    assert_eq!(profile["videoCount"], summary.video_count);
    assert_eq!(profile["status"], "active");
    assert_eq!(profile["missingScopes"], serde_json::json!([]));

    let analytics = flow.get_json("/api/tiktok/analytics?days=30", token).await;
    let totals = &analytics["summary"];
    let sum = |count: fn(&tiktok_sandbox::SandboxVideo) -> u64| -> u64 {
        details.videos.iter().map(count).sum()
    };
    assert_eq!(totals["videoCount"], 95);
    assert_eq!(totals["followerCount"], summary.follower_count);
    assert_eq!(totals["totalViews"], sum(|video| video.view_count));
    assert_eq!(totals["totalLikes"], sum(|video| video.like_count));
    assert_eq!(totals["totalComments"], sum(|video| video.comment_count));
    assert_eq!(totals["totalShares"], sum(|video| video.share_count));
    let top = analytics["topVideos"].as_array().unwrap();
    assert!(!top.is_empty() && top.len() <= 5);
    let series = analytics["series"].as_array().unwrap();
    let today = series.last().unwrap();
    assert_eq!(today["followers"], summary.follower_count);
    assert_eq!(today["views"], sum(|video| video.view_count));
}

/// The rule of `services::quota`: every call to TikTok (retries and refreshes included) is
/// counted in the database's daily budget, so the count equals what TikTok received.
async fn every_tiktok_call_is_counted_in_the_shared_budget_before_it_is_made(
    database: TestDatabase,
) {
    use tiktok_sandbox::Fault;

    let flow = crate::support::FlowOptions::new()
        .var("TIKTOK_DAILY_QUOTA", "1000")
        .spawn(database)
        .await;
    flow.keep_clear_of_midnight();
    let token = flow.token("counted-user");
    let creator = flow.creator_with_videos(95);
    flow.connect_ok(&token, &creator.open_id).await;
    // A retried page, and a token TikTok calls invalid (refresh, then the sync again).
    flow.sandbox
        .set_fault_for_calls(Endpoint::VideoList, Fault::ServerError { status: 503 }, 1);
    flow.sandbox
        .set_fault_for_calls(Endpoint::UserInfo, Fault::AccessTokenInvalid, 1);
    let (status, _, body) = flow.sync(&token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let response = flow
        .call("DELETE", "/api/auth/tiktok/disconnect", &token)
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);

    let received: u64 = [
        Endpoint::Token,
        Endpoint::Revoke,
        Endpoint::UserInfo,
        Endpoint::VideoList,
        Endpoint::VideoQuery,
    ]
    .into_iter()
    .map(|endpoint| flow.sandbox.call_count(endpoint))
    .sum();
    let counted = flow
        .services
        .database()
        .quota_spent(
            &services::quota::daily_bucket(services::platforms::tiktok::TIKTOK),
            storage::QuotaWindow::Day,
            services::clock::Clock::now(&flow.clock),
        )
        .await
        .unwrap();
    assert_eq!(u64::try_from(counted).unwrap(), received);
    assert_eq!(
        flow.sandbox.call_count(Endpoint::Token),
        2,
        "exchange and one refresh"
    );
}
