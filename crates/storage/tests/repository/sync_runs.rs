//! `sync_runs`: the sync log.

use crate::support::{TestDb, at, connect_user};
use domain::{SyncOutcome, SyncTrigger};
use storage::{StorageError, SyncRunFinish};

on_both_backends!(
    sync_runs_are_logged,
    a_run_left_open_by_a_dead_process_is_closed_by_the_next,
);

async fn sync_runs_are_logged(t: &TestDb) {
    let db = &t.db;
    let a = connect_user(db, "user-a", "open-a").await;
    let b = connect_user(db, "user-b", "open-b").await;
    let first = db
        .start_sync_run(a.id, SyncTrigger::Scheduled, at(0))
        .await
        .unwrap();
    db.finish_sync_run(
        first,
        &SyncRunFinish {
            outcome: SyncOutcome::Success,
            videos_synced: 20,
            api_calls: 2,
            error_code: None,
            error_message: None,
            finished_at: at(5),
        },
    )
    .await
    .unwrap();
    let second = db
        .start_sync_run(a.id, SyncTrigger::Manual, at(100))
        .await
        .unwrap();
    db.finish_sync_run(
        second,
        &SyncRunFinish {
            outcome: SyncOutcome::RateLimited,
            videos_synced: 0,
            api_calls: 1,
            error_code: Some("rate_limit_exceeded"),
            error_message: Some("TikTok answered 429"),
            finished_at: at(101),
        },
    )
    .await
    .unwrap();
    let running = db
        .start_sync_run(b.id, SyncTrigger::Scheduled, at(50))
        .await
        .unwrap();

    let recent = db.recent_sync_runs(a.id, 10).await.unwrap();
    assert_eq!(
        recent.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![second, first]
    );
    assert_eq!(recent[0].trigger, SyncTrigger::Manual);
    assert_eq!(recent[0].outcome, Some(SyncOutcome::RateLimited));
    assert_eq!(recent[0].error_code.as_deref(), Some("rate_limit_exceeded"));
    assert_eq!(recent[1].videos_synced, 20);
    assert_eq!(recent[1].finished_at, Some(at(5)));
    assert_eq!(db.recent_sync_runs(a.id, 1).await.unwrap().len(), 1);

    let latest = db.latest_sync_runs(&[a.id, b.id]).await.unwrap();
    assert_eq!(
        latest.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![second, running]
    );
    assert_eq!(latest[1].outcome, None, "still running");
    assert!(matches!(
        db.finish_sync_run(
            domain::SyncRunId(987_654),
            &SyncRunFinish {
                outcome: SyncOutcome::Failed,
                videos_synced: 0,
                api_calls: 0,
                error_code: None,
                error_message: None,
                finished_at: at(1),
            }
        )
        .await,
        Err(StorageError::NotFound(_))
    ));
}

/// A worker killed mid-sync leaves its run open; the next run of that connection (which holds
/// the lease, so the killed one cannot be alive) closes it as interrupted, and only it.
async fn a_run_left_open_by_a_dead_process_is_closed_by_the_next(t: &TestDb) {
    let db = &t.db;
    let a = connect_user(db, "user-a", "open-a").await;
    let b = connect_user(db, "user-b", "open-b").await;
    let killed = db
        .start_sync_run(a.id, SyncTrigger::Scheduled, at(0))
        .await
        .unwrap();
    let other = db
        .start_sync_run(b.id, SyncTrigger::Scheduled, at(1))
        .await
        .unwrap();
    let next = db
        .start_sync_run(a.id, SyncTrigger::Scheduled, at(400))
        .await
        .unwrap();

    let runs = db.recent_sync_runs(a.id, 10).await.unwrap();
    assert_eq!(
        runs.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![next, killed]
    );
    assert_eq!(runs[0].outcome, None, "the new run is running");
    assert_eq!(runs[1].outcome, Some(SyncOutcome::Failed));
    assert_eq!(
        runs[1].error_code.as_deref(),
        Some(storage::INTERRUPTED_RUN_CODE)
    );
    assert_eq!(runs[1].finished_at, Some(at(400)));
    let others = db.recent_sync_runs(b.id, 10).await.unwrap();
    assert_eq!(others[0].id, other);
    assert_eq!(
        others[0].outcome, None,
        "another connection's run is untouched"
    );
}
