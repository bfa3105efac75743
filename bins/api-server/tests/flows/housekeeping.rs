//! Nothing grows without bound (issue 25, point 3): abandoned connects and old quota windows
//! are purged by the server's own housekeeping, and a user's open connects are capped.

use std::time::Duration;

use chrono::TimeDelta;
use futures::StreamExt as _;
use reqwest::StatusCode;

use crate::support::{Flow, FlowOptions, TestDatabase, on_both_backends};

on_both_backends!(
    a_thousand_abandoned_connects_leave_no_rows_after_expiry_and_a_purge,
    a_users_open_connects_are_capped_and_the_newest_still_completes,
);

/// Waits (with a deadline) until the server's own housekeeping has finished `purges` more
/// purges than it had when `done` was taken.
async fn wait_for_purges(done: &mut tokio::sync::watch::Receiver<u64>, purges: u64) {
    let target = *done.borrow_and_update() + purges;
    tokio::time::timeout(Duration::from_secs(20), done.wait_for(|n| *n >= target))
        .await
        .expect("the server's housekeeping never purged")
        .expect("the housekeeping task ended");
}

async fn begin(flow: &Flow, token: &str) {
    let response = flow.call("GET", "/api/auth/tiktok/connect", token).await;
    assert_eq!(response.status(), StatusCode::OK);
}

async fn a_thousand_abandoned_connects_leave_no_rows_after_expiry_and_a_purge(
    database: TestDatabase,
) {
    let flow = FlowOptions::new()
        .var("PURGE_INTERVAL_SECS", "1")
        .spawn(database)
        .await;
    let db = flow.services.database().clone();
    // A creator connected: the calls it made left quota windows.
    let token = flow.token("connected-user");
    let creator = flow.creator_with_videos(3);
    flow.connect_ok(&token, &creator.open_id).await;
    assert!(db.quota_window_count().await.unwrap() > 0);

    // 1,000 connects begun and never finished: 200 users, 5 each (the per-user cap).
    let tokens: Vec<String> = (0..200).map(|n| flow.token(&format!("user-{n}"))).collect();
    let calls = tokens
        .iter()
        .flat_map(|token| std::iter::repeat_n(token, 5));
    futures::stream::iter(calls)
        .for_each_concurrent(8, |token| begin(&flow, token))
        .await;
    assert_eq!(db.oauth_state_count().await.unwrap(), 1_000 + 1);

    // Past the states' expiry (10 minutes) and the week quota windows are kept, the next
    // purge (every second here) leaves nothing.
    // Two purges after the clock moved: the first may have read the clock before it did.
    let mut done = flow.services.purges_done();
    flow.clock.advance(TimeDelta::days(8));
    wait_for_purges(&mut done, 2).await;
    assert_eq!(db.oauth_state_count().await.unwrap(), 0);
    assert_eq!(db.quota_window_count().await.unwrap(), 0);
}

async fn a_users_open_connects_are_capped_and_the_newest_still_completes(database: TestDatabase) {
    let flow = FlowOptions::new().spawn(database).await;
    let db = flow.services.database().clone();
    let token = flow.token("looping-user");
    for _ in 0..50 {
        begin(&flow, &token).await;
    }
    assert_eq!(
        db.oauth_state_count().await.unwrap(),
        i64::try_from(services::DEFAULT_MAX_OPEN_CONNECTS).unwrap()
    );
    // The attempt begun last still completes.
    let creator = flow.creator_with_videos(3);
    flow.connect_ok(&token, &creator.open_id).await;
    assert!(flow.stored_connection("looping-user").await.is_some());
}
