//! Opening a database: migrations once across processes, runtimes, unusable URLs.

use crate::support::{TestDb, connect_user};
use storage::StorageError;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn processes_starting_together_migrate_once() {
    let sqlite = TestDb::sqlite_connected_by(8).await;
    sqlite.db.ping().await.unwrap();
    if let Some(postgres) = TestDb::postgres_connected_by(4).await {
        postgres.db.ping().await.unwrap();
    }
}

#[tokio::test(flavor = "current_thread")]
async fn connects_on_a_current_thread_runtime() {
    let sqlite = TestDb::sqlite().await;
    connect_user(&sqlite.db, "user-1", "open-1").await;
    if let Some(postgres) = TestDb::postgres().await {
        connect_user(&postgres.db, "user-1", "open-1").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unusable_databases_are_typed_errors() {
    let options = || storage::ConnectOptions::new(crate::support::cipher());
    // Nothing listens on port 1: unavailable, not a panic or a hang.
    let refused =
        storage::Database::connect("postgres://postgres@127.0.0.1:1/none", options()).await;
    assert!(
        matches!(refused, Err(StorageError::Unavailable(_))),
        "{refused:?}"
    );
    let memory = storage::Database::connect("sqlite://:memory:", options()).await;
    assert!(
        matches!(memory, Err(StorageError::InvalidUrl(_))),
        "{memory:?}"
    );
}
