//! The quota engine over real HTTP: every call charged (invalid ones too), both shapes of an
//! exhausted quota, the reset at midnight Pacific across daylight saving, both readings of
//! the buckets, the per-minute limit, and the control routes.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use chrono::{DateTime, Utc};
use common::*;
use reqwest::{Method, StatusCode};
use serde_json::json;
use youtube_sandbox::{
    BucketExhausted, DEFAULT_CLIENT_ID, GeneralExhausted, QuotaBucket, QuotaSettings,
};

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

const MINE: [(&str, &str); 2] = [("part", "id"), ("mine", "true")];

fn general(browser: &Browser) -> u64 {
    browser
        .sandbox
        .quota_usage(DEFAULT_CLIENT_ID)
        .used(QuotaBucket::General)
}

#[tokio::test]
async fn every_admitted_call_costs_a_unit_invalid_ones_too_but_not_a_refused_token() {
    let browser = Browser::start(config()).await;
    let token = text(&browser.connect(MAYA, &[YOUTUBE]).await, "access_token").to_owned();
    assert_eq!(general(&browser), 0, "OAuth costs no units");
    browser
        .get("youtube/v3/channels", Some(&token), &MINE)
        .await;
    assert_eq!(general(&browser), 1);
    let (status, _, _) = browser
        .get("youtube/v3/channels", Some(&token), &[("mine", "true")])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        general(&browser),
        2,
        "an invalid request still costs a unit"
    );
    browser
        .get("youtube/v3/channels", Some("ya29.unknown"), &MINE)
        .await;
    assert_eq!(general(&browser), 2, "an unknown token names no project");
}

#[tokio::test]
async fn the_general_bucket_runs_out_with_quota_exceeded_and_resets_at_pacific_midnight() {
    // 04:00 PST on Dec 5; midnight Pacific is 08:00 UTC on Dec 6.
    let browser = Browser::start(config().initial_time(utc("2026-12-05T12:00:00Z"))).await;
    let token = text(&browser.connect(MAYA, &[YOUTUBE]).await, "access_token").to_owned();
    browser
        .sandbox
        .set_quota_used(DEFAULT_CLIENT_ID, QuotaBucket::General, 9_999);
    assert_eq!(
        browser
            .get("youtube/v3/channels", Some(&token), &MINE)
            .await
            .0,
        StatusCode::OK
    );
    let (status, _, body) = browser
        .get("youtube/v3/channels", Some(&token), &MINE)
        .await;
    assert_eq!(
        (status, Browser::reason(&body)),
        (StatusCode::FORBIDDEN, "quotaExceeded")
    );
    assert_eq!(body["error"]["errors"][0]["domain"], "youtube.quota");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("<a href=")
    );
    assert_eq!(general(&browser), 10_000, "a refused call is not charged");
    let usage = browser.sandbox.quota_usage(DEFAULT_CLIENT_ID);
    assert_eq!(usage.resets_at, utc("2026-12-06T08:00:00Z"));
    // One second before midnight Pacific: still spent. At midnight: a new day.
    browser
        .sandbox
        .advance_clock(Duration::from_secs(20 * 3_600 - 1));
    let token = text(&browser.connect(MAYA, &[YOUTUBE]).await, "access_token").to_owned();
    assert_eq!(
        browser
            .get("youtube/v3/channels", Some(&token), &MINE)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    browser.sandbox.advance_clock(Duration::from_secs(1));
    assert_eq!(
        browser
            .get("youtube/v3/channels", Some(&token), &MINE)
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(general(&browser), 1);
}

#[tokio::test]
async fn the_reset_moves_with_daylight_saving() {
    // 2026-03-08 is the day clocks spring forward: the day starts at 08:00 UTC (PST) and the
    // next at 07:00 UTC (PDT).
    let browser = Browser::start(config().initial_time(utc("2026-03-08T12:00:00Z"))).await;
    let token = text(&browser.connect(MAYA, &[YOUTUBE]).await, "access_token").to_owned();
    browser
        .sandbox
        .set_quota_used(DEFAULT_CLIENT_ID, QuotaBucket::General, 10_000);
    assert_eq!(
        browser.sandbox.quota_usage(DEFAULT_CLIENT_ID).resets_at,
        utc("2026-03-09T07:00:00Z")
    );
    browser
        .sandbox
        .advance_clock(Duration::from_secs(19 * 3_600 - 1)); // 06:59:59 UTC
    let token2 = text(&browser.connect(MAYA, &[YOUTUBE]).await, "access_token").to_owned();
    assert_eq!(
        browser
            .get("youtube/v3/channels", Some(&token2), &MINE)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    browser.sandbox.advance_clock(Duration::from_secs(1));
    assert_eq!(
        browser
            .get("youtube/v3/channels", Some(&token2), &MINE)
            .await
            .0,
        StatusCode::OK
    );
    drop(token);
    // And in autumn (2026-11-01) the day is 25 hours: the reset is at 08:00 UTC on Nov 2.
    let autumn = Browser::start(config().initial_time(utc("2026-11-01T12:00:00Z"))).await;
    assert_eq!(
        autumn.sandbox.quota_usage(DEFAULT_CLIENT_ID).resets_at,
        utc("2026-11-02T08:00:00Z")
    );
}

#[tokio::test]
async fn a_spent_per_method_bucket_answers_429_per_day_and_leaves_the_general_one_alone() {
    let browser = Browser::start(config()).await;
    let token = text(&browser.connect(MAYA, &[YOUTUBE]).await, "access_token").to_owned();
    let video = browser.sandbox.account(MAYA).unwrap().videos[0].id.clone();
    browser
        .sandbox
        .set_quota_used(DEFAULT_CLIENT_ID, QuotaBucket::BatchGetStats, 10_000);
    let stats = [("part", "statistics"), ("id", video.as_str())];
    let (status, _, body) = browser
        .get("youtube/v3/videos:batchGetStats", Some(&token), &stats)
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(Browser::reason(&body), "rateLimitExceeded");
    assert_eq!(body["error"]["status"], "RESOURCE_EXHAUSTED");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("per day")
    );
    assert_eq!(
        browser
            .get("youtube/v3/videos", Some(&token), &stats)
            .await
            .0,
        StatusCode::OK
    );

    let shaped = QuotaSettings::current()
        .with_exhausted_shapes(
            GeneralExhausted::DailyLimitExceeded,
            BucketExhausted::QuotaExceeded403,
        )
        .with_limit(QuotaBucket::Search, 1);
    let browser = Browser::start(config().quota(shaped)).await;
    let token = text(&browser.connect(MAYA, &[YOUTUBE]).await, "access_token").to_owned();
    let search = [("part", "id"), ("forMine", "true"), ("type", "video")];
    assert_eq!(
        browser
            .get("youtube/v3/search", Some(&token), &search)
            .await
            .0,
        StatusCode::OK
    );
    let (status, _, body) = browser
        .get("youtube/v3/search", Some(&token), &search)
        .await;
    assert_eq!(
        (status, Browser::reason(&body)),
        (StatusCode::FORBIDDEN, "quotaExceeded")
    );
    browser
        .sandbox
        .set_quota_used(DEFAULT_CLIENT_ID, QuotaBucket::General, 10_000);
    let (status, _, body) = browser
        .get("youtube/v3/channels", Some(&token), &MINE)
        .await;
    assert_eq!(
        (status, Browser::reason(&body)),
        (StatusCode::FORBIDDEN, "dailyLimitExceeded")
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("midnight Pacific Time")
    );
}

#[tokio::test]
async fn the_single_pool_reading_prices_search_at_100_general_units() {
    let browser = Browser::start(config().quota(QuotaSettings::single_pool())).await;
    let token = text(&browser.connect(MAYA, &[YOUTUBE]).await, "access_token").to_owned();
    let search = [("part", "id"), ("forMine", "true"), ("type", "video")];
    assert_eq!(
        browser
            .get("youtube/v3/search", Some(&token), &search)
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(general(&browser), 100);
    let video = browser.sandbox.account(MAYA).unwrap().videos[0].id.clone();
    browser
        .get(
            "youtube/v3/videos:batchGetStats",
            Some(&token),
            &[("part", "statistics"), ("id", &video)],
        )
        .await;
    assert_eq!(general(&browser), 101);
}

#[tokio::test]
async fn a_per_minute_limit_refuses_with_the_configured_status_until_the_minute_turns() {
    for status in [403, 429] {
        let browser = Browser::start(
            config().quota(QuotaSettings::current().with_per_minute(Some(2), status)),
        )
        .await;
        let token = text(&browser.connect(MAYA, &[YOUTUBE]).await, "access_token").to_owned();
        for _ in 0..2 {
            assert_eq!(
                browser
                    .get("youtube/v3/channels", Some(&token), &MINE)
                    .await
                    .0,
                StatusCode::OK
            );
        }
        let (got, _, body) = browser
            .get("youtube/v3/channels", Some(&token), &MINE)
            .await;
        assert_eq!(got.as_u16(), status);
        assert_eq!(Browser::reason(&body), "rateLimitExceeded");
        assert!(
            !body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("per day")
        );
        browser.sandbox.advance_clock(Duration::from_secs(60));
        assert_eq!(
            browser
                .get("youtube/v3/channels", Some(&token), &MINE)
                .await
                .0,
            StatusCode::OK
        );
    }
}

#[tokio::test]
async fn the_control_api_reads_and_sets_the_quota() {
    let browser = Browser::start(config()).await;
    let (status, body) = browser
        .control(
            Method::PUT,
            "sandbox/quota",
            Some(json!({"bucket": "general", "used": 9_990})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["client_id"], DEFAULT_CLIENT_ID);
    let (_, body) = browser.control(Method::GET, "sandbox/quota", None).await;
    let general = body["projects"][0]["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["bucket"] == "general")
        .unwrap()
        .clone();
    assert_eq!(
        general,
        json!({"bucket": "general", "used": 9_990, "limit": 10_000})
    );
    let (status, _) = browser
        .control(
            Method::PUT,
            "sandbox/quota",
            Some(json!({"bucket": "general", "used": 1, "client_id": "nobody"})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = browser
        .control(
            Method::PUT,
            "sandbox/quota",
            Some(json!({"bucket": "gold", "used": 1})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
