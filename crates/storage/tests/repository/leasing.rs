//! Sync leases on `connections`: exclusive, expiring.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use crate::support::{TestDb, at, connect_user, t0};
use domain::{Platform, SyncOutcome};
use storage::{StorageError, SyncWrite};

on_both_backends!(
    two_workers_never_lease_the_same_connection,
    dead_workers_leases_come_back,
    manual_lease_is_exclusive,
    only_the_named_platforms_are_leased,
);

async fn two_workers_never_lease_the_same_connection(t: &TestDb) {
    let db = &t.db;
    let mut ids = Vec::new();
    for i in 0..12 {
        ids.push(
            connect_user(db, &format!("user-{i}"), &format!("open-{i}"))
                .await
                .id,
        );
    }
    for round in 0..5_i64 {
        let now = at(round * 10_000);
        let workers = ["worker-a", "worker-b"].map(|holder| {
            let db = db.clone();
            tokio::spawn(async move {
                db.lease_due_connections(
                    holder,
                    &[Platform::new("tiktok")],
                    now,
                    now,
                    Duration::from_secs(300),
                    7,
                )
                .await
                .unwrap()
            })
        });
        let [a, b] = workers;
        let (a, b) = (a.await.unwrap(), b.await.unwrap());
        let a: HashSet<_> = a.iter().map(|c| c.id).collect();
        let b: HashSet<_> = b.iter().map(|c| c.id).collect();
        assert!(a.is_disjoint(&b), "round {round}: {a:?} and {b:?} overlap");
        assert!(a.len() <= 7 && b.len() <= 7);
        // Together they took everything due (12 connections, 14 slots).
        assert_eq!(a.len() + b.len(), 12, "round {round}");
    }
    let _ = Arc::new(ids);
}

async fn dead_workers_leases_come_back(t: &TestDb) {
    let db = &t.db;
    let never = connect_user(db, "user-never", "open-never").await;
    let stale = connect_user(db, "user-stale", "open-stale").await;
    let fresh = connect_user(db, "user-fresh", "open-fresh").await;
    let paused = connect_user(db, "user-paused", "open-paused").await;
    for (connection, synced_at) in [(&stale, at(-100_000)), (&fresh, at(-10))] {
        db.apply_sync(&SyncWrite {
            connection_id: connection.id,
            profile: None,
            videos: &[],
            engagement: domain::EngagementBasis::Views,
            daily: &[],
            outcome: SyncOutcome::Success,
            error: None,
            synced_at,
            notify: None,
        })
        .await
        .unwrap();
    }
    db.mark_needs_reauth(paused.id, "invalid_grant", t0(), None)
        .await
        .unwrap();

    // Due: not synced in the last day. Never-synced first, then the stalest.
    let due_before = at(-86_400);
    let leased = db
        .lease_due_connections(
            "crashed",
            &[Platform::new("tiktok")],
            t0(),
            due_before,
            Duration::from_secs(600),
            10,
        )
        .await
        .unwrap();
    assert_eq!(
        leased.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![never.id, stale.id]
    );
    // The "crashed" worker never releases. Before expiry nobody else gets them.
    assert!(
        db.lease_due_connections(
            "rescuer",
            &[Platform::new("tiktok")],
            at(599),
            at(599 - 86_400),
            Duration::from_secs(600),
            10
        )
        .await
        .unwrap()
        .is_empty()
    );
    // After expiry they come back.
    let rescued = db
        .lease_due_connections(
            "rescuer",
            &[Platform::new("tiktok")],
            at(600),
            at(600 - 86_400),
            Duration::from_secs(600),
            10,
        )
        .await
        .unwrap();
    assert_eq!(
        rescued.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![never.id, stale.id]
    );
    // A released lease is free at once.
    assert!(db.release_lease(never.id, "rescuer").await.unwrap());
    assert!(
        !db.release_lease(stale.id, "crashed").await.unwrap(),
        "not its lease"
    );
    let again = db
        .lease_due_connections(
            "third",
            &[Platform::new("tiktok")],
            at(601),
            at(601 - 86_400),
            Duration::from_secs(600),
            10,
        )
        .await
        .unwrap();
    assert_eq!(
        again.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![never.id]
    );
}

async fn manual_lease_is_exclusive(t: &TestDb) {
    let db = &t.db;
    let connection = connect_user(db, "user-1", "open-1").await;
    let lease = Duration::from_secs(300);
    assert!(
        db.try_lease_connection(connection.id, "api-1", t0(), lease)
            .await
            .unwrap()
    );
    assert!(
        !db.try_lease_connection(connection.id, "api-2", at(10), lease)
            .await
            .unwrap()
    );
    // The holder may extend its own lease.
    assert!(
        db.try_lease_connection(connection.id, "api-1", at(20), lease)
            .await
            .unwrap()
    );
    // A worker does not take a manually leased connection either.
    assert!(
        db.lease_due_connections(
            "worker",
            &[Platform::new("tiktok")],
            at(30),
            at(30),
            lease,
            10
        )
        .await
        .unwrap()
        .is_empty()
    );
    assert!(db.release_lease(connection.id, "api-1").await.unwrap());
    assert!(
        db.try_lease_connection(connection.id, "api-2", at(40), lease)
            .await
            .unwrap()
    );
    // Expired leases can be taken over.
    assert!(
        db.try_lease_connection(connection.id, "api-3", at(40 + 300), lease)
            .await
            .unwrap()
    );
    assert!(matches!(
        db.try_lease_connection(domain::ConnectionId(55_555), "api-1", t0(), lease)
            .await,
        Err(StorageError::NotFound(_))
    ));
    // Concurrent manual syncs: exactly one gets the lease.
    let contenders = (0..8).map(|i| {
        let db = db.clone();
        tokio::spawn(async move {
            db.try_lease_connection(connection.id, &format!("api-x{i}"), at(10_000), lease)
                .await
                .unwrap()
        })
    });
    let won = futures::future::join_all(contenders)
        .await
        .into_iter()
        .filter(|r| *r.as_ref().unwrap())
        .count();
    assert_eq!(won, 1);
}

async fn only_the_named_platforms_are_leased(t: &TestDb) {
    let db = &t.db;
    let tiktok = connect_user(db, "tiktok-user", "open-tiktok").await;
    let lease = |holder: &'static str, platforms: Vec<Platform>| {
        let db = db.clone();
        async move {
            db.lease_due_connections(holder, &platforms, t0(), t0(), Duration::from_secs(60), 10)
                .await
                .unwrap()
        }
    };
    // A process that runs no TikTok leases none of its connections.
    assert!(
        lease("w", vec![Platform::new("instagram")])
            .await
            .is_empty()
    );
    assert!(lease("w", Vec::new()).await.is_empty());
    let leased = lease(
        "v",
        vec![Platform::new("instagram"), Platform::new("tiktok")],
    )
    .await;
    assert_eq!(leased.iter().map(|c| c.id).collect::<Vec<_>>(), [tiktok.id]);
}
