//! SQLite-only checks: the file on disk.
#![allow(clippy::unwrap_used)]

mod support;

use diesel::Connection;
use diesel::connection::SimpleConnection;
use domain::Platform;
use storage::{Backend, NewOAuthState};
use support::{TestDb, connect_user, secret, t0};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stored_tokens_are_not_plain_text_in_the_file() {
    let test_db = TestDb::sqlite().await;
    let db = &test_db.db;
    assert_eq!(db.backend(), Backend::Sqlite);
    db.ping().await.unwrap();
    // connect_user stores "act.user-secret-owner" / "rft.user-secret-owner".
    connect_user(db, "user-secret-owner", "open-1").await;
    db.create_oauth_state(&NewOAuthState {
        state: "state-1",
        user_id: "user-secret-owner",
        platform: Platform::new("tiktok"),
        pkce_verifier: Some(&secret("pkce-verifier-plaintext")),
        created_at: t0(),
        expires_at: t0() + chrono::TimeDelta::minutes(10),
    })
    .await
    .unwrap();

    let path = test_db.sqlite_file.clone().unwrap();
    // Move everything from the WAL into the main file, then read both.
    let checkpoint_path = path.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn =
            diesel::SqliteConnection::establish(checkpoint_path.to_str().unwrap()).unwrap();
        conn.batch_execute("PRAGMA busy_timeout = 5000; PRAGMA wal_checkpoint(TRUNCATE);")
            .unwrap();
    })
    .await
    .unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    if let Ok(wal) = std::fs::read(path.with_extension("db-wal")) {
        bytes.extend(wal);
    }
    let contains = |needle: &str| {
        bytes
            .windows(needle.len())
            .any(|window| window == needle.as_bytes())
    };
    assert!(
        contains("user-secret-owner"),
        "the file holds the user id: the scan works"
    );
    for secret in [
        "act.user-secret-owner",
        "rft.user-secret-owner",
        "pkce-verifier-plaintext",
    ] {
        assert!(!contains(secret), "{secret} found in plain text");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_handle_on_the_same_file_sees_the_same_data() {
    // The api-server and the sync-worker share one file.
    let test_db = TestDb::sqlite().await;
    let path = test_db.sqlite_file.clone().unwrap();
    let connection = connect_user(&test_db.db, "user-1", "open-1").await;
    let other = storage::Database::connect(
        path.to_str().unwrap(),
        storage::ConnectOptions::new(support::cipher()),
    )
    .await
    .unwrap();
    // A different process with a different key cannot read the tokens: a typed error.
    assert!(matches!(
        other.connection_tokens(connection.id).await,
        Err(storage::StorageError::Crypto(_))
    ));
    assert_eq!(
        other.get_connection(connection.id).await.unwrap().id,
        connection.id
    );
}
