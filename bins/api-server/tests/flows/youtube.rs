//! YouTube through the real server and the in-process Google emulator: connect (approve,
//! cancel, Analytics unticked, a Google account without a channel), the sync's exact unit
//! cost, a 1,000-video channel, the daily units spent then the midnight-Pacific reset, a dead
//! refresh token, the 30-day retention of unrefreshed data, disconnect.

use chrono::{TimeDelta, Timelike as _};
use domain::ConnectionStatus;
use reqwest::StatusCode;
use serde_json::Value;
use youtube_sandbox::{AccountSpec, ChannelSpec, Endpoint, QuotaBucket};

use crate::support::{Consent, Flow, FlowOptions, TestDatabase, error_code, on_both_backends};
use crate::youtube_support::SANDBOX_CLIENT_ID;

on_both_backends!(
    a_creator_connects_youtube_and_reads_channel_videos_and_analytics,
    a_cancelled_or_narrowed_consent_and_an_account_without_a_channel,
    a_thousand_video_channel_costs_the_minimum_and_waits_for_the_pacific_reset,
    a_dead_refresh_token_asks_to_reconnect_and_deletes_the_data,
    unrefreshed_data_is_deleted_after_thirty_days_and_disconnect_revokes,
);

const USER: &str = "creator-yt";
const MAYA: &str = "maya@sandbox.test";
const BIG: &str = "big@sandbox.test";
const ANALYTICS: &str = "https://www.googleapis.com/auth/yt-analytics.readonly";
const YOUTUBE_READONLY: &str = "https://www.googleapis.com/auth/youtube.readonly";

/// The reference's minimum for a sync of a channel with `uploads` playlist items:
/// `channels.list`, then a playlist page and a `videos.list` per 50 (an empty playlist still
/// costs its one page).
fn sync_units(uploads: u64) -> u64 {
    let pages = uploads.div_ceil(50);
    1 + pages.max(1) + pages
}

fn youtube_card(connections: &Value) -> &Value {
    connections["connections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|card| card["platform"] == "youtube")
        .expect("a YouTube card")
}

/// The emulator with its default accounts and a plain 1,000-video channel.
fn with_big_channel(options: FlowOptions) -> FlowOptions {
    options.youtube(|config| {
        let mut accounts = AccountSpec::defaults();
        accounts.push(AccountSpec::with_channel(
            BIG,
            "Big Channel",
            ChannelSpec::new("A Thousand Videos", "@athousand", 50_000, 1_000),
        ));
        config.accounts(accounts)
    })
}

/// `POST /api/auth/youtube/sync`.
async fn sync_youtube(flow: &Flow, token: &str) -> (StatusCode, Value) {
    let response = flow.call("POST", "/api/auth/youtube/sync", token).await;
    let status = response.status();
    (status, response.json().await.unwrap())
}

/// Every stored YouTube video of the user (pages of 100).
async fn all_videos(flow: &Flow, token: &str) -> Vec<Value> {
    let mut videos = Vec::new();
    let mut path = "/api/youtube/videos?limit=100".to_owned();
    loop {
        let page = flow.get_json(&path, token).await;
        videos.extend(page["videos"].as_array().unwrap().iter().cloned());
        match page["nextCursor"].as_str() {
            Some(next) => {
                let next: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
                path = format!("/api/youtube/videos?limit=100&cursor={next}");
            }
            None => return videos,
        }
    }
}

async fn a_creator_connects_youtube_and_reads_channel_videos_and_analytics(database: TestDatabase) {
    let flow = FlowOptions::new()
        .var("MANUAL_SYNC_COOLDOWN_SECS", "0")
        .spawn(database)
        .await;
    let token = flow.dev_token(USER).await;
    let maya = flow.youtube_account(MAYA);
    let channel = maya.channel.clone().expect("Maya has a channel");

    let page = flow.connect_youtube_ok(&token, MAYA).await;
    assert_eq!(page.message["handle"], "mayacooks");
    // PKCE and offline access were asked for; the code was exchanged once.
    assert_eq!(flow.yt().call_count(Endpoint::CodeExchange), 1);
    let grant = flow
        .yt()
        .grants()
        .into_iter()
        .find(|grant| grant.email == MAYA)
        .expect("a grant");
    assert!(grant.scopes.iter().any(|scope| scope == ANALYTICS));

    let connections = flow.get_json("/api/connections", &token).await;
    let card = youtube_card(&connections);
    assert_eq!(card["connected"], true);
    assert_eq!(card["status"], "active");
    assert_eq!(card["handle"], "mayacooks");
    assert_eq!(card["missingScopes"], serde_json::json!([]));

    let profile = flow.get_json("/api/youtube/profile", &token).await;
    assert_eq!(profile["openId"], channel.channel_id.as_str());
    assert_eq!(profile["displayName"], channel.title.as_str());
    assert!(profile["followerCount"].as_i64().unwrap() > 0);

    let videos = all_videos(&flow, &token).await;
    assert!(!videos.is_empty());
    for video in &videos {
        assert!(video["viewCount"].is_i64(), "{video}");
        // YouTube has no share counter: unknown, not 0.
        assert!(video["shareCount"].is_null(), "{video}");
    }

    // The Analytics API's daily rows, as Google gives them.
    let analytics = flow
        .get_json("/api/youtube/analytics?days=30", &token)
        .await;
    assert_eq!(analytics["dailySource"], "platform");
    let daily = analytics["daily"].as_array().unwrap();
    assert!(!daily.is_empty());
    assert!(daily.iter().all(|day| day["views"].is_i64()));
    assert_eq!(
        analytics["summary"]["videoCount"].as_u64().unwrap(),
        videos.len() as u64
    );

    // A manual sync costs the reference's minimum in units, counted by Google too.
    let playlist_items = maya.channel.as_ref().unwrap().uploads;
    let before = flow.youtube_units_used();
    let (status, body) = sync_youtube(&flow, &token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "synced");
    assert_eq!(
        flow.youtube_units_used() - before,
        sync_units(playlist_items)
    );
    let runs = flow.get_json("/api/youtube/sync-runs", &token).await;
    assert_eq!(
        runs["runs"][0]["apiCalls"].as_u64().unwrap(),
        sync_units(playlist_items)
    );

    // YouTube is listed and counted in the combined overview.
    let platforms = flow.get_json("/api/platforms", &token).await;
    assert!(
        platforms["platforms"]
            .as_array()
            .unwrap()
            .iter()
            .any(|entry| entry["platform"] == "youtube" && entry["state"] == "enabled"),
        "{platforms}"
    );
    let overview = flow.get_json("/api/analytics?days=7", &token).await;
    assert_eq!(overview["platforms"], serde_json::json!(["youtube"]));
    assert!(overview["current"]["platforms"]["youtube"]["followers"].is_i64());
}

async fn a_cancelled_or_narrowed_consent_and_an_account_without_a_channel(database: TestDatabase) {
    let flow = FlowOptions::new().spawn(database).await;
    let token = flow.dev_token(USER).await;

    // Cancel on Google's page.
    let page = flow.connect_youtube(&token, MAYA, Consent::Cancel).await;
    page.assert_error("cancelled");
    assert!(flow.stored_youtube_connection(USER).await.is_none());

    // A Google account without a channel: a clear message, no connection, the grant revoked.
    let page = flow
        .connect_youtube(&token, "pat@sandbox.test", Consent::All)
        .await;
    page.assert_error("not_eligible");
    assert!(
        page.message["message"]
            .as_str()
            .unwrap()
            .contains("no YouTube channel"),
        "{}",
        page.message
    );
    assert!(flow.stored_youtube_connection(USER).await.is_none());
    let pat = flow
        .yt()
        .grants()
        .into_iter()
        .find(|grant| grant.email == "pat@sandbox.test")
        .expect("pat's grant");
    assert!(pat.revoked_at.is_some(), "the refused grant is revoked");

    // "View your YouTube account" unticked: refused the same way.
    let page = flow
        .connect_youtube(&token, MAYA, Consent::Only(&[ANALYTICS]))
        .await;
    page.assert_error("not_eligible");
    assert!(flow.stored_youtube_connection(USER).await.is_none());

    // Analytics unticked: connected, the scope recorded missing, the daily series from our
    // own snapshots, and no Analytics call made.
    let reports = flow.yt().call_count(Endpoint::Reports);
    let page = flow
        .connect_youtube(&token, MAYA, Consent::Only(&[YOUTUBE_READONLY]))
        .await;
    assert_eq!(page.kind(), "youtube:connected", "{}", page.message);
    let connections = flow.get_json("/api/connections", &token).await;
    assert_eq!(
        youtube_card(&connections)["missingScopes"],
        serde_json::json!([ANALYTICS])
    );
    let analytics = flow.get_json("/api/youtube/analytics?days=7", &token).await;
    assert_eq!(analytics["dailySource"], "snapshots");
    assert_eq!(flow.yt().call_count(Endpoint::Reports), reports);
}

async fn a_thousand_video_channel_costs_the_minimum_and_waits_for_the_pacific_reset(
    database: TestDatabase,
) {
    // 100 units a day, 10 of them kept for manual syncs; this one user may spend them all
    // (the per-user share is another test's).
    let flow = with_big_channel(FlowOptions::new())
        .var("YOUTUBE_DAILY_UNITS", "100")
        .var("USER_DAILY_SHARE_PERCENT", "100")
        .var("MANUAL_SYNC_COOLDOWN_SECS", "0")
        .spawn(database)
        .await;
    // Keep the test's calls inside one Pacific day (its midnight is 07:00 or 08:00 UTC).
    let now = services::clock::Clock::now(&flow.clock);
    if (6..9).contains(&now.hour()) {
        flow.advance_youtube_clocks(TimeDelta::hours(3));
    }
    let token = flow.dev_token(USER).await;

    flow.connect_youtube_ok(&token, BIG).await;
    // The connect's channel read, then the first sync: 1 + 20 playlist pages + 20 videos.list.
    assert_eq!(sync_units(1_000), 41);
    assert_eq!(flow.youtube_units_used(), 1 + 41);
    assert_eq!(flow.yt().call_count(Endpoint::PlaylistItems), 20);
    assert_eq!(flow.yt().call_count(Endpoint::Videos), 20);
    assert_eq!(all_videos(&flow, &token).await.len(), 1_000);

    // A second sync fits (83 of 100); a third does not: it is queued, nothing is written,
    // and no call goes past the budget.
    let (status, body) = sync_youtube(&flow, &token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(flow.youtube_units_used(), 83);
    let (status, body) = sync_youtube(&flow, &token).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body["status"], "queued");
    assert!(flow.youtube_units_used() <= 100);
    let runs = flow.get_json("/api/youtube/sync-runs", &token).await;
    assert_eq!(runs["runs"][0]["outcome"], "rate_limited");
    let connection = flow.stored_youtube_connection(USER).await.unwrap();
    assert_eq!(connection.status, ConnectionStatus::Active);

    // At midnight Pacific the day's units are whole again (ours and Google's).
    let now = services::clock::Clock::now(&flow.clock);
    let reset = youtube_client::next_quota_reset(now);
    flow.advance_youtube_clocks(reset - now + TimeDelta::minutes(1));
    assert_eq!(flow.youtube_units_used(), 0);
    let (status, body) = sync_youtube(&flow, &token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(flow.youtube_units_used(), 41);

    // Google's own count says the project's day is spent: the budget pauses until its reset,
    // and no call is made meanwhile.
    flow.yt()
        .set_quota_used(SANDBOX_CLIENT_ID, QuotaBucket::General, 10_000);
    let (status, body) = sync_youtube(&flow, &token).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let calls = flow.yt().call_counts();
    let (status, _) = sync_youtube(&flow, &token).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(flow.yt().call_counts(), calls, "called inside the pause");
    let now = services::clock::Clock::now(&flow.clock);
    let reset = youtube_client::next_quota_reset(now);
    flow.advance_youtube_clocks(reset - now + TimeDelta::minutes(1));
    let (status, body) = sync_youtube(&flow, &token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn a_dead_refresh_token_asks_to_reconnect_and_deletes_the_data(database: TestDatabase) {
    let flow = FlowOptions::new().spawn(database).await;
    let token = flow.dev_token(USER).await;
    flow.connect_youtube_ok(&token, MAYA).await;
    assert!(!all_videos(&flow, &token).await.is_empty());

    // The creator removes our access on their Google Account page: nothing tells us, until
    // the next refresh answers invalid_grant.
    assert_eq!(flow.yt().revoke_grant(MAYA, Some(SANDBOX_CLIENT_ID)), 1);
    flow.advance_youtube_clocks(TimeDelta::hours(2));
    let (status, body) = sync_youtube(&flow, &token).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "needs_reauth");
    let connection = flow.stored_youtube_connection(USER).await.unwrap();
    assert_eq!(connection.status, ConnectionStatus::NeedsReauth);
    // YouTube's policy: a revoked authorization's data is deleted.
    assert!(all_videos(&flow, &token).await.is_empty());
    let profile = flow.get_json("/api/youtube/profile", &token).await;
    assert!(profile["displayName"].is_null(), "{profile}");
    let connections = flow.get_json("/api/connections", &token).await;
    assert_eq!(youtube_card(&connections)["status"], "needs_reauth");

    // Connecting again restores everything.
    flow.connect_youtube_ok(&token, MAYA).await;
    assert!(!all_videos(&flow, &token).await.is_empty());
}

async fn unrefreshed_data_is_deleted_after_thirty_days_and_disconnect_revokes(
    database: TestDatabase,
) {
    let flow = FlowOptions::new().spawn(database).await;
    let token = flow.dev_token(USER).await;
    flow.connect_youtube_ok(&token, MAYA).await;
    let stored = all_videos(&flow, &token).await.len();
    assert!(stored > 0);

    // 29 days without a sync: kept.
    flow.advance_youtube_clocks(TimeDelta::days(29));
    let expired = flow.services.expire_unrefreshed_data().await.unwrap();
    assert!(
        expired.iter().all(|entry| entry.connections == 0),
        "{expired:?}"
    );
    assert_eq!(all_videos(&flow, &token).await.len(), stored);

    // Past 30: deleted by the policy, the connection kept so a sync can restore it.
    flow.advance_youtube_clocks(TimeDelta::days(2));
    let expired = flow.services.expire_unrefreshed_data().await.unwrap();
    let youtube = expired
        .iter()
        .find(|entry| entry.platform.as_str() == "youtube")
        .unwrap();
    assert_eq!(youtube.connections, 1);
    assert!(all_videos(&flow, &token).await.is_empty());
    let analytics = flow
        .get_json("/api/youtube/analytics?days=30", &token)
        .await;
    assert!(
        analytics["daily"].as_array().unwrap().is_empty(),
        "{analytics}"
    );
    assert!(flow.stored_youtube_connection(USER).await.is_some());
    // TikTok and Instagram have no such policy: nothing of theirs is looked at.
    assert!(
        expired
            .iter()
            .all(|entry| entry.platform.as_str() == "youtube")
    );

    // A sync restores the data.
    let (status, body) = sync_youtube(&flow, &token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(all_videos(&flow, &token).await.len(), stored);

    // Disconnect revokes the grant at Google and deletes everything.
    let response = flow
        .call("DELETE", "/api/auth/youtube/disconnect", &token)
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(flow.stored_youtube_connection(USER).await.is_none());
    let grant = flow
        .yt()
        .grants()
        .into_iter()
        .find(|grant| grant.email == MAYA)
        .unwrap();
    assert!(grant.revoked_at.is_some(), "revoked at Google");
    let response = flow.call("GET", "/api/youtube/videos", &token).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(error_code(response).await, "not_connected");
}
