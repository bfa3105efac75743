//! Instagram through the real server and the in-process Instagram emulator: connect
//! (approve, cancel, permissions unticked, personal accounts refused), the sync's exact
//! calls, reads, token upkeep over a month, Meta's throttle and error 190, the deauthorize
//! and data-deletion callbacks, disconnect.

use instagram_sandbox::Endpoint;
use reqwest::StatusCode;
use serde_json::Value;

use crate::instagram_support::ConsentOutcome;
use crate::support::{Consent, FlowOptions, TestDatabase, error_code, on_both_backends};

on_both_backends!(
    a_creator_connects_instagram_and_reads_profile_media_and_analytics,
    a_cancelled_or_narrowed_instagram_consent,
    a_personal_account_is_refused_on_the_consent_page_or_by_us,
    a_daily_sync_reads_recent_insights_and_the_rest_a_share_a_week_later,
);

const USER: &str = "creator-ig";
const INSIGHTS: &str = "instagram_business_manage_insights";

async fn a_creator_connects_instagram_and_reads_profile_media_and_analytics(
    database: TestDatabase,
) {
    let flow = FlowOptions::new().spawn(database).await;
    let token = flow.dev_token(USER).await;
    let account = flow.instagram_account("metricsaurus");

    let page = flow.connect_instagram_ok(&token, &account.ig_user_id).await;
    assert_eq!(page.message["handle"], "metricsaurus");
    assert!(
        page.html.contains(r#""type":"instagram:connected""#),
        "the page posts instagram:connected"
    );
    // Connect and the first sync: the code exchange, the long-lived exchange, one profile
    // read (reused by the sync), one media page of 40, and one insights call per media.
    assert_eq!(flow.instagram.call_count(Endpoint::CodeExchange), 1);
    assert_eq!(flow.instagram.call_count(Endpoint::LongLivedExchange), 1);
    assert_eq!(flow.instagram.call_count(Endpoint::Profile), 1);
    assert_eq!(flow.instagram.call_count(Endpoint::MediaList), 1);
    assert_eq!(flow.instagram.call_count(Endpoint::MediaInsights), 40);
    assert_eq!(flow.instagram.call_count(Endpoint::Refresh), 0);

    let connections = flow.get_json("/api/connections", &token).await;
    let cards = connections["connections"].as_array().unwrap();
    let card = cards
        .iter()
        .find(|card| card["platform"] == "instagram")
        .expect("an Instagram card");
    assert_eq!(card["connected"], true);
    assert_eq!(card["status"], "active");
    assert_eq!(card["handle"], "metricsaurus");
    assert_eq!(card["followerCount"], account.followers_count);
    assert_eq!(card["missingScopes"], serde_json::json!([]));

    let profile = flow.get_json("/api/instagram/profile", &token).await;
    assert_eq!(profile["handle"], "metricsaurus");
    assert_eq!(profile["openId"], account.ig_user_id.as_str());
    assert_eq!(
        profile["grantedScopes"],
        serde_json::json!(["instagram_business_basic", INSIGHTS])
    );
    assert_eq!(profile["followerCount"], account.followers_count);
    assert!(
        profile["likesCount"].is_null(),
        "Instagram has no likes total"
    );

    let details = flow.instagram.account(&account.ig_user_id).unwrap();
    let media = flow
        .get_json("/api/instagram/media?limit=100", &token)
        .await;
    let items = media["videos"].as_array().unwrap();
    assert_eq!(items.len(), details.media.len());
    for item in items {
        let id = item["id"].as_str().unwrap();
        let expected = details.media.iter().find(|m| m.id == id).unwrap();
        match expected.like_count {
            Some(likes) => assert_eq!(item["likeCount"], likes, "{item}"),
            // The owner hid the likes from the public: the owner's insights still count them.
            None if expected.before_conversion => assert!(item["likeCount"].is_null()),
            None => assert!(item["likeCount"].is_i64(), "{item}"),
        }
        assert_eq!(item["commentCount"], expected.comments_count);
        if expected.before_conversion {
            // No insights for media older than the professional account: unknown, not 0.
            assert!(item["viewCount"].is_null(), "{item}");
            assert!(item.get("reachCount").is_none_or(Value::is_null), "{item}");
        } else {
            assert_eq!(item["viewCount"], expected.views, "{item}");
            let reach = item["reachCount"].as_i64().expect("reach");
            assert!(reach > 0, "{item}");
            assert!(item["saveCount"].is_i64(), "{item}");
        }
        assert!(item["mediaType"].is_string(), "{item}");
    }

    let analytics = flow
        .get_json("/api/instagram/analytics?days=30", &token)
        .await;
    let summary = &analytics["summary"];
    assert_eq!(summary["followerCount"], account.followers_count);
    assert_eq!(summary["videoCount"], 40);
    assert!(
        summary["videoEngagementRate"].as_f64().unwrap() > 0.0,
        "{summary}"
    );
    assert!(
        summary["accountEngagementRate"].as_f64().unwrap() > 0.0,
        "{summary}"
    );
    assert_eq!(analytics["series"].as_array().unwrap().len(), 1);

    let runs = flow.get_json("/api/instagram/sync-runs", &token).await;
    assert_eq!(runs["runs"][0]["trigger"], "connect");
    assert_eq!(runs["runs"][0]["outcome"], "success");
    assert_eq!(runs["runs"][0]["videosSynced"], 40);

    // Disconnect: Instagram has no revoke, so nothing is called; the data goes.
    let calls_before = flow.instagram.call_counts();
    let response = flow
        .call("DELETE", "/api/auth/instagram/disconnect", &token)
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(flow.instagram.call_counts(), calls_before);
    assert!(flow.stored_instagram_connection(USER).await.is_none());
    let response = flow.call("GET", "/api/instagram/profile", &token).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(error_code(response).await, "not_connected");
}

async fn a_cancelled_or_narrowed_instagram_consent(database: TestDatabase) {
    let flow = FlowOptions::new().spawn(database).await;
    let token = flow.dev_token(USER).await;
    let account = flow.instagram_account("tiny.studio");

    let page = flow
        .connect_instagram(&token, &account.ig_user_id, Consent::Cancel)
        .await;
    page.assert_error("cancelled");
    assert_eq!(page.kind(), "instagram:error");
    assert_eq!(flow.instagram.call_count(Endpoint::CodeExchange), 0);
    assert!(flow.stored_instagram_connection(USER).await.is_none());

    // Insights unticked: the connection works with the profile and media alone, no insights
    // call is made, and the card names the missing permission.
    let page = flow
        .connect_instagram(
            &token,
            &account.ig_user_id,
            Consent::Only(&["instagram_business_basic"]),
        )
        .await;
    assert_eq!(page.kind(), "instagram:connected", "{}", page.message);
    assert_eq!(flow.instagram.call_count(Endpoint::MediaInsights), 0);
    let connections = flow.get_json("/api/connections", &token).await;
    let card = connections["connections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|card| card["platform"] == "instagram")
        .cloned()
        .unwrap();
    assert_eq!(card["missingScopes"], serde_json::json!([INSIGHTS]));
    let media = flow
        .get_json("/api/instagram/media?limit=100", &token)
        .await;
    let items = media["videos"].as_array().unwrap();
    assert_eq!(items.len(), 8);
    for item in items {
        assert!(item["viewCount"].is_null(), "{item}");
        assert!(item["commentCount"].is_i64(), "{item}");
    }
}

async fn a_personal_account_is_refused_on_the_consent_page_or_by_us(database: TestDatabase) {
    // As documented: Instagram's own consent page refuses a personal account.
    let flow = FlowOptions::new().spawn(database).await;
    let token = flow.dev_token(USER).await;
    let personal = flow.instagram_account("personal.pat");
    let url = flow.begin_instagram_connect(&token).await;
    match flow
        .instagram_consent(&url, &personal.ig_user_id, Consent::All)
        .await
    {
        ConsentOutcome::Refused(status, page) => {
            assert_eq!(status, StatusCode::FORBIDDEN);
            assert!(page.contains("professional"), "{page}");
        }
        ConsentOutcome::Redirect(redirect) => panic!("logged in: {redirect}"),
    }
    assert!(flow.stored_instagram_connection(USER).await.is_none());
}

/// The same, when the login goes through and only the profile says `PERSONAL`: our own check
/// refuses it with a message that says what to do, and stores nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_personal_account_that_logs_in_is_refused_by_us() {
    let flow = FlowOptions::new()
        .instagram(|sandbox| sandbox.personal_login(true))
        .spawn(TestDatabase::sqlite("flow.db"))
        .await;
    let token = flow.dev_token(USER).await;
    let personal = flow.instagram_account("personal.pat");
    let page = flow
        .connect_instagram(&token, &personal.ig_user_id, Consent::All)
        .await;
    page.assert_error("not_eligible");
    let message = page.message["message"].as_str().unwrap();
    assert!(message.contains("professional"), "{message}");
    assert!(flow.stored_instagram_connection(USER).await.is_none());
    assert_eq!(flow.instagram.call_count(Endpoint::MediaList), 0);
}

/// A daily sync reads the insights of the media young enough to still move (48 hours) and
/// keeps the older ones' stored numbers; a week on, the older ones are read again a share a
/// day, the stalest first.
async fn a_daily_sync_reads_recent_insights_and_the_rest_a_share_a_week_later(
    database: TestDatabase,
) {
    let flow = FlowOptions::new().spawn(database).await;
    let token = flow.token(USER);
    let account = flow.instagram_account("metricsaurus");
    flow.connect_instagram_ok(&token, &account.ig_user_id).await;
    let media_before = flow
        .get_json("/api/instagram/media?limit=100", &token)
        .await;

    flow.advance_instagram_clocks(chrono::TimeDelta::days(1));
    let now = services::clock::Clock::now(&flow.clock);
    let details = flow.instagram.account(&account.ig_user_id).unwrap();
    let recent = details
        .media
        .iter()
        .filter(|media| now - media.created_at < chrono::TimeDelta::hours(48))
        .count() as u64;
    assert!(recent < details.media.len() as u64, "some media are older");
    let before = flow.instagram.call_counts();
    let (status, body) = flow.sync_instagram(&token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let calls = |endpoint| {
        flow.instagram.call_count(endpoint) - before.get(&endpoint).copied().unwrap_or(0)
    };
    assert_eq!(calls(Endpoint::Profile), 1);
    assert_eq!(calls(Endpoint::MediaList), 1);
    assert_eq!(
        calls(Endpoint::MediaInsights),
        recent,
        "insights of recent media only"
    );
    assert_eq!(body["apiCalls"], 2 + recent);

    // The older media keep the insights read at connect.
    let media_after = flow
        .get_json("/api/instagram/media?limit=100", &token)
        .await;
    for item in media_after["videos"].as_array().unwrap() {
        let id = item["id"].as_str().unwrap();
        let expected = details.media.iter().find(|m| m.id == id).unwrap();
        if expected.before_conversion || now - expected.created_at < chrono::TimeDelta::hours(48) {
            continue;
        }
        let earlier = media_before["videos"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == id)
            .unwrap();
        assert_eq!(item["reachCount"], earlier["reachCount"], "{id}");
        assert!(item["viewCount"].is_i64(), "{item}");
    }

    // A week after connect every older media is due again: the stalest seventh of the media
    // is read this sync (with the recent ones), the rest on the next days.
    flow.advance_instagram_clocks(chrono::TimeDelta::days(6));
    let now = services::clock::Clock::now(&flow.clock);
    let details = flow.instagram.account(&account.ig_user_id).unwrap();
    let recent = details
        .media
        .iter()
        .filter(|media| now - media.created_at < chrono::TimeDelta::hours(48))
        .count() as u64;
    let share = (details.media.len() as u64).div_ceil(7);
    let before = flow.instagram.call_count(Endpoint::MediaInsights);
    let (status, body) = flow.sync_instagram(&token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        flow.instagram.call_count(Endpoint::MediaInsights) - before,
        recent + share
    );
    // Day after day the rest follow, a share at a time, until every media was read again.
    let mut read = share;
    let stale = details.media.len() as u64 - recent;
    for _ in 0..7 {
        if read >= stale {
            break;
        }
        flow.advance_instagram_clocks(chrono::TimeDelta::days(1));
        let before = flow.instagram.call_count(Endpoint::MediaInsights);
        let (status, body) = flow.sync_instagram(&token).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        read += flow.instagram.call_count(Endpoint::MediaInsights) - before;
    }
    assert!(read >= stale, "{read} re-reads for {stale} older media");
}
