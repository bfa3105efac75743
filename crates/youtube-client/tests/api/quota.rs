//! The quota ledger as a call hook: units per bucket per Pacific day, a refusal before
//! sending when a bucket cannot pay, a bucket stopped when Google says it is spent, and the
//! reset at midnight Pacific time, across daylight saving.

use std::sync::Arc;

use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};
use youtube_client::{
    ChannelPart, ErrorClass, QuotaBucket, QuotaLedger, QuotaTable, StatsPart, YouTubeClient,
    YouTubeError,
};

use crate::helpers::*;

const CHANNELS: &str = "/youtube/v3/channels";

async fn channel_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(CHANNELS))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"items": []})))
        .mount(&server)
        .await;
    server
}

fn ledger_client(
    server: &MockServer,
    table: QuotaTable,
    clock: &TestClock,
) -> (YouTubeClient, Arc<QuotaLedger>) {
    let ledger = Arc::new(QuotaLedger::with_clock(table.clone(), clock.clock()));
    let client = YouTubeClient::new(config_for(server).with_quota_table(table))
        .unwrap()
        .with_clock(clock.clock())
        .with_call_hook(ledger.clone());
    (client, ledger)
}

#[tokio::test]
async fn the_ledger_refuses_what_a_bucket_cannot_pay_until_pacific_midnight() {
    let server = channel_server().await;
    // 23:59:59 PST on Dec 5.
    let clock = TestClock::at(utc("2026-12-06T07:59:59Z"));
    let table = QuotaTable::current().with_limit(QuotaBucket::General, 3);
    let (client, ledger) = ledger_client(&server, table, &clock);
    for _ in 0..3 {
        client
            .my_channel(&token(), &ChannelPart::DEFAULT)
            .await
            .unwrap();
    }
    assert_eq!(ledger.spent(QuotaBucket::General), 3);
    assert_eq!(ledger.remaining(QuotaBucket::General), Some(0));
    let error = client
        .my_channel(&token(), &ChannelPart::DEFAULT)
        .await
        .unwrap_err();
    assert!(matches!(error, YouTubeError::CallRejected { .. }));
    assert_eq!(
        error.retry_after(),
        Some(std::time::Duration::from_secs(1)),
        "until midnight Pacific"
    );
    assert_eq!(
        requests_to(&server, CHANNELS).await.len(),
        3,
        "the refused call was not sent"
    );
    assert_eq!(ledger.resets_at(), utc("2026-12-06T08:00:00Z"));
    clock.set(utc("2026-12-06T08:00:00Z"));
    client
        .my_channel(&token(), &ChannelPart::DEFAULT)
        .await
        .unwrap();
    assert_eq!(ledger.spent(QuotaBucket::General), 1, "a new quota day");
}

#[tokio::test]
async fn the_ledger_resets_at_the_right_hour_across_daylight_saving() {
    let server = channel_server().await;
    let table = QuotaTable::current().with_limit(QuotaBucket::General, 1);
    // Spring forward: 2026-03-08 starts at 08:00 UTC (PST), 2026-03-09 at 07:00 UTC (PDT).
    let clock = TestClock::at(utc("2026-03-08T12:00:00Z"));
    let (client, ledger) = ledger_client(&server, table.clone(), &clock);
    client.my_channel(&token(), &[]).await.unwrap();
    assert_eq!(ledger.resets_at(), utc("2026-03-09T07:00:00Z"));
    clock.set(utc("2026-03-09T06:59:59Z"));
    assert!(client.my_channel(&token(), &[]).await.is_err());
    clock.set(utc("2026-03-09T07:00:00Z"));
    assert!(client.my_channel(&token(), &[]).await.is_ok());
    // Fall back: 2026-11-01 lasts 25 hours and ends at 08:00 UTC on Nov 2.
    let clock = TestClock::at(utc("2026-11-01T07:30:00Z"));
    let (client, ledger) = ledger_client(&server, table, &clock);
    client.my_channel(&token(), &[]).await.unwrap();
    assert_eq!(ledger.resets_at(), utc("2026-11-02T08:00:00Z"));
    clock.set(utc("2026-11-02T07:59:59Z"));
    assert!(client.my_channel(&token(), &[]).await.is_err());
    clock.set(utc("2026-11-02T08:00:00Z"));
    assert!(client.my_channel(&token(), &[]).await.is_ok());
}

#[tokio::test]
async fn a_bucket_google_says_is_spent_stops_even_if_the_ledger_thought_otherwise() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/youtube/v3/videos:batchGetStats"))
        .respond_with(ResponseTemplate::new(429).set_body_json(google_error(
            429,
            "rateLimitExceeded",
            "global",
            "Quota exceeded for quota metric 'Batch Get Stats Queries' and limit 'Batch Get Stats Queries per day'",
        )))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(CHANNELS))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"items": []})))
        .mount(&server)
        .await;
    let clock = TestClock::at(now());
    let (client, ledger) = ledger_client(&server, QuotaTable::current(), &clock);
    let ids = ["dQw4w9WgXcQ".to_owned()];
    let error = client
        .batch_get_stats(&token(), &ids, &[StatsPart::Statistics])
        .await
        .unwrap_err();
    assert_eq!(
        error.class(),
        ErrorClass::QuotaExhausted {
            resets_at: utc("2026-12-06T08:00:00Z")
        }
    );
    assert_eq!(error.quota_bucket(), Some(QuotaBucket::BatchGetStats));
    assert!(ledger.is_exhausted(QuotaBucket::BatchGetStats));
    assert_eq!(ledger.remaining(QuotaBucket::BatchGetStats), Some(0));
    let again = client
        .batch_get_stats(&token(), &ids, &[StatsPart::Statistics])
        .await
        .unwrap_err();
    assert!(matches!(again, YouTubeError::CallRejected { .. }));
    assert_eq!(
        requests_to(&server, "/youtube/v3/videos:batchGetStats")
            .await
            .len(),
        1
    );
    assert!(
        client.my_channel(&token(), &[]).await.is_ok(),
        "the general bucket is another"
    );
    clock.set(utc("2026-12-06T08:00:00Z"));
    assert!(!ledger.is_exhausted(QuotaBucket::BatchGetStats));
}

#[tokio::test]
async fn the_table_prices_each_method_and_can_be_overridden() {
    let server = channel_server().await;
    let clock = TestClock::at(now());
    let table = QuotaTable::single_pool().with_cost("channels.list", QuotaBucket::General, 5);
    let (client, ledger) = ledger_client(&server, table, &clock);
    client.my_channel(&token(), &[]).await.unwrap();
    assert_eq!(ledger.spent(QuotaBucket::General), 5);
    ledger.set_spent(QuotaBucket::General, 9_996);
    assert!(matches!(
        client.my_channel(&token(), &[]).await,
        Err(YouTubeError::CallRejected { .. })
    ));
}
