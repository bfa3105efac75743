//! PostgreSQL connections lost under load: the server's backends are terminated
//! (`pg_terminate_backend`) again and again while readers hammer the API. The pool checks
//! nothing on checkout (no `SELECT 1` per request), so a request may meet a connection that
//! died since: the read is run once more on a fresh connection, and when that one is lost too
//! (the terminations here repeat) it answers 503 (`database_unavailable`), never 500 and never
//! a hang; once the terminations stop every request is answered 200 again.

use std::time::Duration;

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use reqwest::StatusCode;

use crate::support::{ConnectedCreator, FlowOptions, TestDatabase};

/// Concurrent readers.
const READERS: usize = 16;
/// Requests each reader sends.
const REQUESTS_PER_READER: usize = 40;
/// Rounds of terminations while they run.
const KILLS: usize = 8;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn terminated_backends_answer_503_or_200_never_500_and_recover() {
    let Some(database) = TestDatabase::postgres("flow_lost").await else {
        return;
    };
    let url = database.url().to_owned();
    let (flow, ConnectedCreator { token, .. }) = FlowOptions::new()
        .with_connected_creator(database, "lost-user", 95)
        .await;
    let flow = std::sync::Arc::new(flow);

    let readers: Vec<_> = (0..READERS)
        .map(|n| {
            let (flow, token) = (std::sync::Arc::clone(&flow), token.clone());
            tokio::spawn(async move {
                let mut statuses = Vec::with_capacity(REQUESTS_PER_READER);
                for i in 0..REQUESTS_PER_READER {
                    let path = if (n + i) % 2 == 0 {
                        "/api/tiktok/videos?limit=50"
                    } else {
                        "/api/tiktok/analytics?days=30"
                    };
                    // A hang would be a failure: every answer comes within the bound.
                    let response = tokio::time::timeout(
                        Duration::from_secs(30),
                        flow.call("GET", path, &token),
                    )
                    .await
                    .expect("a request hung");
                    let status = response.status();
                    let body = response.text().await.unwrap();
                    statuses.push((status, body));
                }
                statuses
            })
        })
        .collect();

    // Terminate every other backend of this database, again and again, while they read.
    let mut admin = AsyncPgConnection::establish(&url).await.unwrap();
    let mut terminated = 0;
    for _ in 0..KILLS {
        let killed = diesel::sql_query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .execute(&mut admin)
        .await
        .unwrap();
        terminated += killed;
        tokio::task::yield_now().await;
    }
    assert!(terminated > 0, "no backend was terminated");

    let mut counts = std::collections::BTreeMap::new();
    for reader in readers {
        for (status, body) in reader.await.unwrap() {
            assert!(
                status == StatusCode::OK || status == StatusCode::SERVICE_UNAVAILABLE,
                "{status}: {body}"
            );
            if status == StatusCode::SERVICE_UNAVAILABLE {
                let error: serde_json::Value = serde_json::from_str(&body).unwrap();
                assert_eq!(error["error"]["code"], "database_unavailable", "{body}");
            }
            *counts.entry(status.as_u16()).or_insert(0_usize) += 1;
        }
    }
    println!("answers while backends were terminated: {counts:?}, {terminated} terminated");

    // The terminations over, every request succeeds again (dead connections are discarded,
    // fresh ones opened).
    for path in [
        "/api/tiktok/videos?limit=50",
        "/api/tiktok/analytics?days=30",
        "/api/connections",
    ] {
        for _ in 0..10 {
            let response = flow.call("GET", path, &token).await;
            assert_eq!(response.status(), StatusCode::OK, "{path}");
        }
    }
}
