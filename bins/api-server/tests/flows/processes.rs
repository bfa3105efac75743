//! Two processes on one database (the api-server and a sync-worker): refreshing the same
//! rotating refresh token at once must not lose the connection.

use domain::ConnectionStatus;
use reqwest::StatusCode;
use tiktok_sandbox::Endpoint;

use crate::support::{ConnectedCreator, FlowOptions, TestDatabase, on_both_backends};

on_both_backends!(two_processes_refreshing_at_once_keep_the_connection_alive);

const USER: &str = "shared-user";

async fn two_processes_refreshing_at_once_keep_the_connection_alive(database: TestDatabase) {
    let (flow, ConnectedCreator { token, .. }) = FlowOptions::new()
        .with_connected_creator(database, USER, 3)
        .await;
    let worker = flow.second_process().await;

    for round in 0..4 {
        flow.advance_both_clocks(25);
        let (ours, theirs) = tokio::join!(
            flow.services.refresh_expiring_tokens(),
            worker.refresh_expiring_tokens()
        );
        let (ours, theirs) = (ours.unwrap(), theirs.unwrap());
        assert_eq!(
            ours.needs_reauth + theirs.needs_reauth,
            0,
            "round {round}: {ours:?} {theirs:?}"
        );
        assert!(ours.refreshed + theirs.refreshed >= 1, "round {round}");
        let connection = flow.stored_connection(USER).await.unwrap();
        assert_eq!(connection.status, ConnectionStatus::Active, "round {round}");

        // What is stored works: a sync needs no further refresh.
        let refreshes = flow.sandbox.call_count(Endpoint::Token);
        let (status, _, body) = flow.sync(&token).await;
        assert_eq!(status, StatusCode::OK, "round {round}: {body}");
        assert_eq!(flow.sandbox.call_count(Endpoint::Token), refreshes);
    }
}
