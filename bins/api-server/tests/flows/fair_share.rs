//! One creator cannot spend everyone's budget (issue 25, point 4): a connect/disconnect loop
//! is under the manual sync's cooldown, and each user has a share of the platform's daily
//! budget, refused with a clear 429 saying when it resets.

use chrono::{TimeDelta, Timelike as _};
use reqwest::StatusCode;

use crate::support::{FlowOptions, TestDatabase, error_code, on_both_backends};

on_both_backends!(
    a_connect_disconnect_loop_is_under_the_cooldown,
    a_users_share_of_the_daily_budget_is_refused_with_its_reset_time,
);

async fn a_connect_disconnect_loop_is_under_the_cooldown(database: TestDatabase) {
    let flow = FlowOptions::new()
        .var("MANUAL_SYNC_COOLDOWN_SECS", "300")
        .spawn(database)
        .await;
    let token = flow.token("looping-user");
    let creator = flow.creator_with_videos(3);
    flow.connect_ok(&token, &creator.open_id).await;
    let response = flow
        .call("DELETE", "/api/auth/tiktok/disconnect", &token)
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);

    // Connecting again at once would sync again: refused, with how long to wait.
    let response = flow.call("GET", "/api/auth/tiktok/connect", &token).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=300).contains(&retry_after), "{retry_after}");
    assert_eq!(error_code(response).await, "sync_cooldown");
    // Another user is not held back.
    let other = flow.token("other-user");
    let response = flow.call("GET", "/api/auth/tiktok/connect", &other).await;
    assert_eq!(response.status(), StatusCode::OK);

    flow.clock.advance(TimeDelta::seconds(301));
    flow.connect_ok(&token, &creator.open_id).await;
}

async fn a_users_share_of_the_daily_budget_is_refused_with_its_reset_time(database: TestDatabase) {
    // 1 % of a daily quota of 500 is 5 calls per user a day.
    let flow = FlowOptions::new()
        .var("TIKTOK_DAILY_QUOTA", "500")
        .var("USER_DAILY_SHARE_PERCENT", "1")
        .spawn(database)
        .await;
    flow.keep_clear_of_midnight();
    let token = flow.token("eager-user");
    let creator = flow.creator_with_videos(3);
    // The connect spends 3 (exchange, user info, one video page), a sync 2: 5 in all.
    flow.connect_ok(&token, &creator.open_id).await;
    let (status, _, body) = flow.sync(&token).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (status, headers, body) = flow.sync(&token).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["error"]["code"], "manual_share_spent");
    let message = body["error"]["message"].as_str().unwrap();
    let now = services::clock::Clock::now(&flow.clock);
    let midnight = (now.date_naive() + chrono::Days::new(1))
        .and_hms_opt(0, 0, 0)
        .unwrap();
    assert!(
        message.contains(&midnight.format("%Y-%m-%d %H:%M UTC").to_string()),
        "{message}"
    );
    let retry_after: i64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    let until_midnight = (midnight.and_utc() - now).num_seconds();
    assert!(
        (until_midnight..=until_midnight + 2).contains(&retry_after),
        "{retry_after} vs {until_midnight}"
    );
    // Connecting again is refused the same way; another user still has their share.
    let response = flow.call("GET", "/api/auth/tiktok/connect", &token).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(error_code(response).await, "manual_share_spent");
    let other = flow.token("patient-user");
    let other_creator = flow.creator_with_videos(0);
    flow.connect_ok(&other, &other_creator.open_id).await;

    // The next day the share is back.
    let to_next_day = 24 * 3600 - i64::from(now.num_seconds_from_midnight()) + 60;
    flow.advance_both_clocks_by(TimeDelta::seconds(to_next_day));
    let (status, _, body) = flow.sync(&token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}
