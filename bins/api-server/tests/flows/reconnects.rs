//! Connecting again: the same account (fresh tokens, same data), after `needs_reauth` (active
//! again), after a disconnect (a new connection), and disconnecting when TikTok cannot revoke.

use reqwest::StatusCode;
use tiktok_sandbox::{Endpoint, Fault};

use crate::support::{ConnectedCreator, FlowOptions, TestDatabase, error_code, on_both_backends};

on_both_backends!(
    connecting_the_same_account_again_renews_the_tokens_and_keeps_the_data,
    a_reconnect_while_the_worker_syncs_queues_its_first_sync,
    reconnecting_after_needs_reauth_makes_the_connection_active_again,
    connecting_again_after_a_disconnect_starts_afresh,
    disconnect_deletes_our_data_even_when_tiktok_cannot_revoke,
    disconnect_with_an_expired_access_token_still_revokes,
    a_disconnect_during_a_running_sync_leaves_nothing_behind,
    token_lifetimes_come_from_tiktoks_answer,
    a_connection_that_needs_reauth_can_still_be_disconnected,
);

async fn connecting_the_same_account_again_renews_the_tokens_and_keeps_the_data(
    database: TestDatabase,
) {
    let (flow, ConnectedCreator { token, creator }) = FlowOptions::new()
        .with_connected_creator(database, "returning-user", 3)
        .await;
    let first = flow.stored_connection("returning-user").await.unwrap();
    let (first_access, _) = flow.stored_tokens("returning-user").await;

    flow.connect_ok(&token, &creator.open_id).await;
    let second = flow.stored_connection("returning-user").await.unwrap();
    assert_eq!(second.id, first.id, "the same connection, not a second one");
    assert!(second.token_version > first.token_version);
    let (second_access, _) = flow.stored_tokens("returning-user").await;
    assert_ne!(second_access, first_access);
    assert_eq!(flow.all_videos(&token, 100).await.len(), 3);
    let runs = flow.get_json("/api/tiktok/sync-runs", &token).await;
    assert_eq!(runs["runs"].as_array().unwrap().len(), 2);
    // The new tokens work.
    let (status, _, body) = flow.sync(&token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// A creator reconnects while the worker is syncing their account: the connect does not run
/// a second sync of it at the same time, it asks the worker for one with the new tokens.
async fn a_reconnect_while_the_worker_syncs_queues_its_first_sync(database: TestDatabase) {
    let (flow, ConnectedCreator { token, creator }) = FlowOptions::new()
        .with_connected_creator(database, "busy-user", 3)
        .await;
    let first = flow.stored_connection("busy-user").await.unwrap();
    assert!(first.sync_requested_at.is_none());
    let db = flow.services.database();
    let now = services::clock::Clock::now(&flow.clock);
    let lease = std::time::Duration::from_secs(600);
    assert!(
        db.try_lease_connection(first.id, "a-worker", now, lease)
            .await
            .unwrap()
    );
    let pages_before = flow.sandbox.call_count(Endpoint::VideoList);

    flow.connect_ok(&token, &creator.open_id).await;
    let second = flow.stored_connection("busy-user").await.unwrap();
    assert!(
        second.token_version > first.token_version,
        "the new tokens are stored"
    );
    assert!(
        second.sync_requested_at.is_some(),
        "the worker is asked to sync"
    );
    assert_eq!(
        flow.sandbox.call_count(Endpoint::VideoList),
        pages_before,
        "no second sync ran beside the worker's"
    );
    let runs = flow.get_json("/api/tiktok/sync-runs", &token).await;
    assert_eq!(runs["runs"].as_array().unwrap().len(), 1, "{runs}");
    // The worker's lease is untouched: it still holds the connection.
    assert!(
        !db.try_lease_connection(first.id, "another-worker", now, lease)
            .await
            .unwrap()
    );
}

async fn reconnecting_after_needs_reauth_makes_the_connection_active_again(database: TestDatabase) {
    let (flow, ConnectedCreator { token, creator }) = FlowOptions::new()
        .with_connected_creator(database, "lapsed-user", 3)
        .await;
    flow.advance_both_clocks(25);
    flow.sandbox
        .set_fault_for_calls(Endpoint::Token, Fault::RefreshInvalidGrant, 1);
    let (status, _, body) = flow.sync(&token).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");

    flow.connect_ok(&token, &creator.open_id).await;
    let connections = flow.get_json("/api/connections", &token).await;
    assert_eq!(connections["connections"][0]["status"], "active");
    let profile = flow.get_json("/api/tiktok/profile", &token).await;
    assert_eq!(profile["status"], "active");
    flow.clock.advance(chrono::TimeDelta::seconds(301));
    let (status, _, body) = flow.sync(&token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn connecting_again_after_a_disconnect_starts_afresh(database: TestDatabase) {
    let (flow, ConnectedCreator { token, creator }) = FlowOptions::new()
        .with_connected_creator(database, "comeback-user", 95)
        .await;
    let first = flow.stored_connection("comeback-user").await.unwrap();
    let response = flow
        .call("DELETE", "/api/auth/tiktok/disconnect", &token)
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);

    flow.connect_ok(&token, &creator.open_id).await;
    // A new row (SQLite may reuse the deleted row's id): nothing of the old one survived.
    let second = flow.stored_connection("comeback-user").await.unwrap();
    assert!(second.created_at >= first.created_at);
    assert_eq!(second.refresh_failures, 0);
    assert_eq!(flow.all_videos(&token, 100).await.len(), 95);
    let runs = flow.get_json("/api/tiktok/sync-runs", &token).await;
    assert_eq!(
        runs["runs"].as_array().unwrap().len(),
        1,
        "the old log went"
    );
    let connections = flow.get_json("/api/connections", &token).await;
    assert_eq!(connections["connections"][0]["status"], "active");
}

async fn disconnect_deletes_our_data_even_when_tiktok_cannot_revoke(database: TestDatabase) {
    let (flow, ConnectedCreator { token, .. }) = FlowOptions::new()
        .with_connected_creator(database, "leaving-user", 3)
        .await;
    flow.sandbox
        .set_fault(Endpoint::Revoke, Fault::ServerError { status: 500 });

    let response = flow
        .call("DELETE", "/api/auth/tiktok/disconnect", &token)
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(flow.sandbox.call_count(Endpoint::Revoke) >= 1, "it tried");
    assert!(flow.sandbox.revoked_grants().is_empty());
    assert!(flow.stored_connection("leaving-user").await.is_none());
    let response = flow.call("GET", "/api/tiktok/videos", &token).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(error_code(response).await, "not_connected");
    let metrics = flow.metrics().await;
    assert!(
        metrics
            .lines()
            .any(|line| line.starts_with("revocations_total{outcome=\"failed\"} 1")),
        "{metrics}"
    );
}

async fn disconnect_with_an_expired_access_token_still_revokes(database: TestDatabase) {
    let (flow, ConnectedCreator { token, creator }) = FlowOptions::new()
        .with_connected_creator(database, "late-leaver", 3)
        .await;
    flow.advance_both_clocks(25);

    let response = flow
        .call("DELETE", "/api/auth/tiktok/disconnect", &token)
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        flow.sandbox.call_count(Endpoint::Token),
        2,
        "refreshed first"
    );
    let revoked = flow.sandbox.revoked_grants();
    assert_eq!(revoked.len(), 1);
    assert_eq!(revoked[0].open_id, creator.open_id);
    assert!(flow.stored_connection("late-leaver").await.is_none());
}

/// The creator disconnects while a sync of theirs waits on TikTok: the disconnect wins, the
/// sync's late write finds the connection gone and stores nothing, and its answer says so.
async fn a_disconnect_during_a_running_sync_leaves_nothing_behind(database: TestDatabase) {
    let (flow, ConnectedCreator { token, .. }) = FlowOptions::new()
        .with_connected_creator(database, "hasty-user", 3)
        .await;
    let connection = flow.stored_connection("hasty-user").await.unwrap();
    // The sync's video list call is held inside TikTok until the disconnect has finished.
    flow.sandbox.set_fault(Endpoint::VideoList, Fault::Held);

    let sync = flow.sync(&token);
    let disconnect = async {
        let inside = async {
            while flow.sandbox.held_calls() == 0 {
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
        };
        tokio::time::timeout(std::time::Duration::from_secs(30), inside)
            .await
            .expect("the sync reached TikTok's video list");
        let disconnected = flow
            .call("DELETE", "/api/auth/tiktok/disconnect", &token)
            .await;
        flow.sandbox.release_held_calls();
        disconnected
    };
    let ((sync_status, _, sync_body), disconnected) = tokio::join!(sync, disconnect);
    flow.sandbox.clear_faults();
    assert_eq!(disconnected.status(), StatusCode::NO_CONTENT);
    assert_eq!(sync_status, StatusCode::NOT_FOUND, "{sync_body}");
    assert_eq!(sync_body["error"]["code"], "not_connected");

    let db = flow.services.database();
    assert!(flow.stored_connection("hasty-user").await.is_none());
    let orphans = db
        .list_videos(
            connection.id,
            &storage::VideoQuery {
                sort: storage::VideoSort::Created,
                direction: storage::SortDirection::Desc,
                limit: domain::PageLimit::constant(100),
                cursor: None,
            },
        )
        .await
        .unwrap();
    assert!(orphans.videos.is_empty(), "videos of a deleted connection");
    assert!(
        db.recent_sync_runs(connection.id, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let connections = flow.get_json("/api/connections", &token).await;
    assert_eq!(connections["connections"][0]["connected"], false);
}

/// With TikTok's access tokens living two hours (not the documented 24), a sync three hours
/// later refreshes first: it does not find out by calling with a dead token.
async fn token_lifetimes_come_from_tiktoks_answer(database: TestDatabase) {
    let flow = FlowOptions::new()
        .sandbox(|sandbox| sandbox.access_token_lifetime(std::time::Duration::from_secs(7200)))
        .spawn(database)
        .await;
    let token = flow.token("short-lived-user");
    let creator = flow.creator_with_videos(3);
    flow.connect_ok(&token, &creator.open_id).await;
    let connection = flow.stored_connection("short-lived-user").await.unwrap();
    let lifetime =
        connection.access_token_expires_at.unwrap() - connection.tokens_obtained_at.unwrap();
    assert_eq!(lifetime, chrono::TimeDelta::hours(2));

    flow.advance_both_clocks(3);
    let user_info = flow.sandbox.call_count(Endpoint::UserInfo);
    let (status, _, body) = flow.sync(&token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(flow.sandbox.call_count(Endpoint::Token), 2, "refreshed");
    assert_eq!(
        flow.sandbox.call_count(Endpoint::UserInfo),
        user_info + 1,
        "no call with the dead token"
    );
}

async fn a_connection_that_needs_reauth_can_still_be_disconnected(database: TestDatabase) {
    let (flow, ConnectedCreator { token, creator }) = FlowOptions::new()
        .with_connected_creator(database, "giving-up-user", 3)
        .await;
    flow.advance_both_clocks(25);
    flow.sandbox
        .set_fault(Endpoint::Token, Fault::RefreshInvalidGrant);
    let (status, _, body) = flow.sync(&token).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");

    let refreshes = flow.sandbox.call_count(Endpoint::Token);
    let response = flow
        .call("DELETE", "/api/auth/tiktok/disconnect", &token)
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    flow.sandbox.clear_faults();
    assert_eq!(
        flow.sandbox.call_count(Endpoint::Token),
        refreshes,
        "a rejected refresh token is not tried again"
    );
    assert!(
        flow.sandbox.call_count(Endpoint::Revoke) >= 1,
        "revocation tried"
    );
    assert!(flow.stored_connection("giving-up-user").await.is_none());
    let connections = flow.get_json("/api/connections", &token).await;
    assert_eq!(connections["connections"][0]["connected"], false);
    // A fresh connect works afterwards.
    flow.connect_ok(&token, &creator.open_id).await;
    let connections = flow.get_json("/api/connections", &token).await;
    assert_eq!(connections["connections"][0]["status"], "active");
}
