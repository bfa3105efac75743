//! What builds up over days (the growth series), and a first sync or an exchange that TikTok
//! fails.

use reqwest::StatusCode;
use tiktok_sandbox::{Endpoint, Fault};

use crate::support::{ConnectedCreator, Consent, FlowOptions, TestDatabase, on_both_backends};

on_both_backends!(
    daily_syncs_build_the_follower_and_view_series,
    a_failed_first_sync_keeps_the_connection_and_a_later_sync_fills_it,
    tiktok_down_during_the_exchange_stores_nothing,
    a_creator_without_videos_reads_empty_but_complete,
    without_the_stats_scope_an_empty_video_list_is_still_walked,
);

async fn daily_syncs_build_the_follower_and_view_series(database: TestDatabase) {
    let (flow, ConnectedCreator { token, creator }) = FlowOptions::new()
        .with_connected_creator(database, "daily-user", 95)
        .await;
    let mut expected = vec![day_totals(&flow, &creator.open_id)];
    for _ in 0..2 {
        flow.advance_both_clocks(24);
        let (status, _, body) = flow.sync(&token).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        expected.push(day_totals(&flow, &creator.open_id));
    }

    let analytics = flow.get_json("/api/tiktok/analytics?days=30", &token).await;
    let series = analytics["series"].as_array().unwrap();
    assert_eq!(series.len(), 3, "one point per day: {series:?}");
    for (point, (followers, views)) in series.iter().zip(&expected) {
        assert_eq!(point["followers"], *followers, "{point}");
        assert_eq!(point["views"], *views, "{point}");
    }
    let dates: Vec<&str> = series.iter().map(|p| p["date"].as_str().unwrap()).collect();
    let mut sorted = dates.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(dates, sorted, "oldest first, one per day");
    let (first, last) = (expected[0], expected[2]);
    let growth = &analytics["summary"]["followerGrowth"];
    assert_eq!(
        growth["absolute"],
        i64::try_from(last.0).unwrap() - i64::try_from(first.0).unwrap()
    );
    let views = &analytics["summary"]["viewGrowth"];
    assert_eq!(
        views["absolute"],
        i64::try_from(last.1).unwrap() - i64::try_from(first.1).unwrap()
    );

    // A period of one day holds today only.
    let analytics = flow.get_json("/api/tiktok/analytics?days=1", &token).await;
    assert_eq!(analytics["series"].as_array().unwrap().len(), 1);
}

/// Followers and total views at TikTok today.
fn day_totals(flow: &crate::support::Flow, open_id: &str) -> (u64, u64) {
    let details = flow.sandbox.creator(open_id).unwrap();
    (
        details.summary.follower_count,
        details.videos.iter().map(|video| video.view_count).sum(),
    )
}

async fn a_failed_first_sync_keeps_the_connection_and_a_later_sync_fills_it(
    database: TestDatabase,
) {
    let flow = FlowOptions::new().spawn(database).await;
    let token = flow.token("patient-user");
    let creator = flow.creator_with_videos(95);
    flow.sandbox
        .set_fault(Endpoint::VideoList, Fault::ServerError { status: 502 });
    let page = flow.connect(&token, &creator.open_id, Consent::All).await;
    assert_eq!(page.kind(), "tiktok:connected", "{}", page.message);
    flow.sandbox.clear_faults();

    let connections = flow.get_json("/api/connections", &token).await;
    assert_eq!(connections["connections"][0]["connected"], true);
    assert_eq!(connections["connections"][0]["status"], "active");
    assert_eq!(
        connections["connections"][0]["followerCount"],
        creator.follower_count
    );
    let runs = flow.get_json("/api/tiktok/sync-runs", &token).await;
    assert_eq!(runs["runs"][0]["trigger"], "connect");
    assert_eq!(runs["runs"][0]["outcome"], "failed");
    assert!(flow.all_videos(&token, 100).await.is_empty());

    let (status, _, body) = flow.sync(&token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["videosSynced"], 95);
    assert_eq!(flow.all_videos(&token, 100).await.len(), 95);
}

async fn tiktok_down_during_the_exchange_stores_nothing(database: TestDatabase) {
    let flow = FlowOptions::new().spawn(database).await;
    let token = flow.token("early-user");
    let creator = flow.creator_with_videos(3);
    flow.sandbox
        .set_fault(Endpoint::Token, Fault::ServerError { status: 503 });
    let page = flow.connect(&token, &creator.open_id, Consent::All).await;
    page.assert_error("tiktok_unavailable");
    flow.sandbox.clear_faults();
    assert!(flow.stored_connection("early-user").await.is_none());
    assert_eq!(flow.sandbox.call_count(Endpoint::UserInfo), 0);

    // Trying again works.
    flow.connect_ok(&token, &creator.open_id).await;
    assert_eq!(flow.all_videos(&token, 100).await.len(), 3);
}

async fn a_creator_without_videos_reads_empty_but_complete(database: TestDatabase) {
    let (flow, ConnectedCreator { token, creator }) = FlowOptions::new()
        .with_connected_creator(database, "new-creator", 0)
        .await;
    // TikTok's profile says 0 videos: the (empty) video list is not asked for.
    assert_eq!(flow.sandbox.call_count(Endpoint::UserInfo), 1);
    assert_eq!(flow.sandbox.call_count(Endpoint::VideoList), 0);

    assert!(flow.all_videos(&token, 20).await.is_empty());
    let analytics = flow.get_json("/api/tiktok/analytics", &token).await;
    let summary = &analytics["summary"];
    assert_eq!(summary["videoCount"], 0);
    assert_eq!(summary["totalViews"], 0);
    assert_eq!(summary["videoEngagementRate"], serde_json::Value::Null);
    assert_eq!(summary["followerCount"], creator.follower_count);
    assert!(analytics["topVideos"].as_array().unwrap().is_empty());
    assert_eq!(analytics["series"].as_array().unwrap().len(), 1);
    let profile = flow.get_json("/api/tiktok/profile", &token).await;
    assert_eq!(profile["videoCount"], 0);
    let runs = flow.get_json("/api/tiktok/sync-runs", &token).await;
    assert_eq!(runs["runs"][0]["outcome"], "success");
    assert_eq!(runs["runs"][0]["videosSynced"], 0);

    // A later sync costs exactly one call: the profile.
    let (status, _, body) = flow.sync(&token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "synced");
    assert_eq!(body["videosSynced"], 0);
    assert_eq!(body["apiCalls"], 1);
    assert_eq!(flow.sandbox.call_count(Endpoint::UserInfo), 2);
    assert_eq!(flow.sandbox.call_count(Endpoint::VideoList), 0);
}

async fn without_the_stats_scope_an_empty_video_list_is_still_walked(database: TestDatabase) {
    let flow = FlowOptions::new().spawn(database).await;
    let token = flow.token("private-new-creator");
    let creator = flow.creator_with_videos(0);
    let page = flow
        .connect(
            &token,
            &creator.open_id,
            Consent::Only(&["user.info.basic", "user.info.profile", "video.list"]),
        )
        .await;
    assert_eq!(page.kind(), "tiktok:connected", "{}", page.message);
    // No video count without `user.info.stats`: the list is asked, and is empty.
    assert_eq!(flow.sandbox.call_count(Endpoint::UserInfo), 1);
    assert_eq!(flow.sandbox.call_count(Endpoint::VideoList), 1);
    assert!(flow.all_videos(&token, 20).await.is_empty());
    let runs = flow.get_json("/api/tiktok/sync-runs", &token).await;
    assert_eq!(runs["runs"][0]["outcome"], "partial");
    assert_eq!(
        runs["runs"][0]["apiCalls"], 1,
        "the first sync reuses the profile"
    );
}
