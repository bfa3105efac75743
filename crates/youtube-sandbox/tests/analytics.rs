//! Analytics `reports.query` over real HTTP: daily rows on Pacific days up to the lag,
//! zero days left out, scopes, monetary metrics, bad queries.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use chrono::NaiveDate;
use common::*;
use reqwest::StatusCode;
use serde_json::Value;
use youtube_sandbox::{AccountSpec, ChannelSpec, pacific_day};

const METRICS: &str = "views,estimatedMinutesWatched,likes,subscribersGained,subscribersLost";

async fn report(browser: &Browser, token: &str, extra: &[(&str, &str)]) -> (StatusCode, Value) {
    let mut query = vec![
        ("ids", "channel==MINE"),
        ("startDate", "2026-11-01"),
        ("endDate", "2026-12-31"),
        ("metrics", METRICS),
        ("dimensions", "day"),
        ("sort", "day"),
    ];
    for (key, value) in extra {
        query.retain(|(k, _)| k != key);
        if !value.is_empty() {
            query.push((key, value));
        }
    }
    let (status, _, body) = browser.get("v2/reports", Some(token), &query).await;
    (status, body)
}

fn days(body: &Value) -> Vec<NaiveDate> {
    body["rows"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|row| NaiveDate::parse_from_str(row[0].as_str().unwrap(), "%Y-%m-%d").unwrap())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn daily_rows_end_two_pacific_days_ago_and_grow_as_days_pass() {
    let browser = Browser::start(config()).await;
    let token = text(
        &browser.connect(MAYA, &[YOUTUBE, ANALYTICS]).await,
        "access_token",
    )
    .to_owned();
    let (status, body) = report(&browser, &token, &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["kind"], "youtubeAnalytics#resultTable");
    let headers: Vec<&str> = body["columnHeaders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        headers,
        [
            "day",
            "views",
            "estimatedMinutesWatched",
            "likes",
            "subscribersGained",
            "subscribersLost"
        ]
    );
    assert_eq!(body["columnHeaders"][0]["columnType"], "DIMENSION");
    assert_eq!(body["columnHeaders"][1]["dataType"], "INTEGER");
    let today = pacific_day(browser.sandbox.now());
    let got = days(&body);
    assert_eq!(got.first().copied(), NaiveDate::from_ymd_opt(2026, 11, 1));
    assert_eq!(
        got.last().copied(),
        today.checked_sub_days(chrono::Days::new(2))
    );
    assert!(
        body["rows"][0][1].is_u64(),
        "Analytics numbers are JSON numbers"
    );
    let descending = report(&browser, &token, &[("sort", "-day")]).await.1;
    assert_eq!(days(&descending).first(), got.last());

    browser.sandbox.advance_clock(Duration::from_secs(86_400));
    let token = text(
        &browser.connect(MAYA, &[YOUTUBE, ANALYTICS]).await,
        "access_token",
    )
    .to_owned();
    let later = days(&report(&browser, &token, &[]).await.1);
    assert_eq!(later.len(), got.len() + 1);

    let totals = report(&browser, &token, &[("dimensions", ""), ("sort", "")])
        .await
        .1;
    let rows = totals["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn the_lag_is_configurable() {
    for lag in [1u64, 3] {
        let browser = Browser::start(config().analytics_lag_days(lag as u32)).await;
        let token = text(
            &browser.connect(MAYA, &[YOUTUBE, ANALYTICS]).await,
            "access_token",
        )
        .to_owned();
        let got = days(&report(&browser, &token, &[]).await.1);
        let today = pacific_day(browser.sandbox.now());
        assert_eq!(
            got.last().copied(),
            today.checked_sub_days(chrono::Days::new(lag))
        );
    }
}

#[tokio::test]
async fn days_without_activity_are_left_out_and_no_data_means_no_rows() {
    let quiet = AccountSpec::with_channel(
        "quiet@sandbox.test",
        "Quiet",
        ChannelSpec::new("Quiet", "@quiet", 0, 0),
    );
    let browser = Browser::start(config().account(quiet)).await;
    let token = text(
        &browser
            .connect("quiet@sandbox.test", &[YOUTUBE, ANALYTICS])
            .await,
        "access_token",
    )
    .to_owned();
    let (status, body) = report(&browser, &token, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.get("rows").is_none(), "{body}");
    assert!(body["columnHeaders"].is_array());
}

#[tokio::test]
async fn a_video_filter_narrows_the_rows() {
    let browser = Browser::start(config()).await;
    let token = text(
        &browser.connect(MAYA, &[YOUTUBE, ANALYTICS]).await,
        "access_token",
    )
    .to_owned();
    let truth = browser.sandbox.account(MAYA).unwrap();
    let filter = format!("video=={}", truth.videos[5].id);
    let whole = report(&browser, &token, &[]).await.1;
    let one = report(&browser, &token, &[("filters", &filter)]).await.1;
    let views = |body: &Value| -> u64 {
        body["rows"].as_array().map_or(0, |rows| {
            rows.iter().map(|row| row[1].as_u64().unwrap()).sum()
        })
    };
    assert!(views(&one) < views(&whole));
}

#[tokio::test]
async fn scopes_monetary_metrics_and_bad_queries_are_refused() {
    let browser = Browser::start(config()).await;
    let youtube_only = text(&browser.connect(MAYA, &[YOUTUBE]).await, "access_token").to_owned();
    let (status, body) = report(&browser, &youtube_only, &[]).await;
    assert_eq!(
        (status, Browser::reason(&body)),
        (StatusCode::FORBIDDEN, "insufficientPermissions")
    );
    // Another account: with include_granted_scopes, Maya's second grant would keep YouTube.
    let analytics_only =
        text(&browser.connect(KENJI, &[ANALYTICS]).await, "access_token").to_owned();
    let (status, body) = report(&browser, &analytics_only, &[]).await;
    assert_eq!(
        (status, Browser::reason(&body)),
        (StatusCode::FORBIDDEN, "insufficientPermissions"),
        "youtube.readonly is required too"
    );
    let both = text(
        &browser.connect(MAYA, &[YOUTUBE, ANALYTICS]).await,
        "access_token",
    )
    .to_owned();
    let cases = [
        (
            vec![("metrics", "estimatedRevenue")],
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            vec![("metrics", "views,vibes")],
            StatusCode::BAD_REQUEST,
            "invalid",
        ),
        (
            vec![("dimensions", "video")],
            StatusCode::BAD_REQUEST,
            "badRequest",
        ),
        (
            vec![("startDate", "2026-13-01")],
            StatusCode::BAD_REQUEST,
            "invalid",
        ),
        (
            vec![("endDate", "2026-10-01")],
            StatusCode::BAD_REQUEST,
            "invalid",
        ),
        (
            vec![("ids", "channel==UCsomeoneElsexxxxxxxxxxx")],
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
    ];
    for (extra, status, reason) in cases {
        let (got, body) = report(&browser, &both, &extra).await;
        assert_eq!((got, Browser::reason(&body)), (status, reason), "{extra:?}");
    }
    let no_channel = text(
        &browser.connect(PAT, &[YOUTUBE, ANALYTICS]).await,
        "access_token",
    )
    .to_owned();
    assert_eq!(
        report(&browser, &no_channel, &[]).await.0,
        StatusCode::FORBIDDEN
    );

    let relaxed = Browser::start(config().analytics_requires_youtube_readonly(false)).await;
    let analytics_only =
        text(&relaxed.connect(MAYA, &[ANALYTICS]).await, "access_token").to_owned();
    assert_eq!(
        report(&relaxed, &analytics_only, &[]).await.0,
        StatusCode::OK
    );
}
