//! `outbound_events`: host notifications queued with their change and claimed for delivery.

use std::collections::HashSet;
use std::time::Duration;

use crate::support::{TestDb, at, profile, t0, tokens, video};
use domain::{Platform, SyncOutcome};
use storage::{NewConnection, NewOutboundEvent, StorageError, SyncWrite};

on_both_backends!(
    host_notifications_are_queued_with_their_change,
    outbox_claims_never_overlap_and_retry,
    outbox_keeps_each_connections_order_and_gives_up,
);

pub(crate) fn event<'a>(
    name: &'a str,
    user: &'a str,
    connection: Option<domain::ConnectionId>,
    payload: &'a serde_json::Value,
) -> NewOutboundEvent<'a> {
    NewOutboundEvent {
        event: name,
        user_id: user,
        connection_id: connection,
        payload,
        created_at: t0(),
    }
}

async fn host_notifications_are_queued_with_their_change(t: &TestDb) {
    let db = &t.db;
    let payload = serde_json::json!({ "platform": "tiktok" });
    let profile = profile("open-1", 10);
    let tokens = tokens("act.1", Some("rft.1"), t0());
    let connection = db
        .upsert_connection(
            &NewConnection {
                user_id: "user-1",
                platform: Platform::new("tiktok"),
                profile: &profile,
                tokens: &tokens,
                notify: Some(event("connection.connected", "user-1", None, &payload)),
            },
            t0(),
        )
        .await
        .unwrap();
    let id = Some(connection.id);

    // A sync that fails half-way queues nothing; a good one queues its event.
    let mut broken = vec![video(1, 10, 1, 1, 1)];
    broken[0].counts.views = Some(-5);
    for (videos, should_work) in [(broken, false), (vec![video(1, 10, 1, 1, 1)], true)] {
        let result = db
            .apply_sync(&SyncWrite {
                connection_id: connection.id,
                profile: None,
                videos: &videos,
                engagement: domain::EngagementBasis::Views,
                daily: &[],
                outcome: SyncOutcome::Success,
                error: None,
                synced_at: at(60),
                notify: Some(event("sync.completed", "user-1", id, &payload)),
            })
            .await;
        assert_eq!(result.is_ok(), should_work);
    }
    db.record_sync_failure(
        connection.id,
        SyncOutcome::Failed,
        "timeout",
        at(70),
        Some(&event("sync.failed", "user-1", id, &payload)),
    )
    .await
    .unwrap();
    // Told once, however often the refresh is rejected.
    for _ in 0..2 {
        db.mark_needs_reauth(
            connection.id,
            "invalid_grant",
            at(80),
            Some(&event("connection.needs_reauth", "user-1", id, &payload)),
        )
        .await
        .unwrap();
    }
    // The removal event outlives the connection; a repeated removal adds nothing.
    for _ in 0..2 {
        db.disconnect(
            connection.id,
            Some(&event("connection.removed", "user-1", id, &payload)),
        )
        .await
        .unwrap();
    }

    let pending = db.pending_outbound_events("user-1").await.unwrap();
    let names: Vec<&str> = pending.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "connection.connected",
            "sync.completed",
            "sync.failed",
            "connection.needs_reauth",
            "connection.removed"
        ]
    );
    assert_eq!(pending[4].connection_id, id);
    assert_eq!(pending[4].payload, payload);
    assert_eq!(pending[0].attempts, 0);
}

async fn outbox_claims_never_overlap_and_retry(t: &TestDb) {
    let db = &t.db;
    for i in 0..9 {
        let payload = serde_json::json!({ "n": i });
        db.enqueue_outbound_event(&event("sync.completed", "user-1", None, &payload))
            .await
            .unwrap();
    }
    let claim = Duration::from_secs(60);
    let claimers = (0..2).map(|_| {
        let db = db.clone();
        tokio::spawn(async move { db.claim_outbound_events(at(1), claim, 6).await.unwrap() })
    });
    let claimed: Vec<Vec<storage::OutboundEvent>> = futures::future::join_all(claimers)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let first: HashSet<i64> = claimed[0].iter().map(|e| e.id).collect();
    let second: HashSet<i64> = claimed[1].iter().map(|e| e.id).collect();
    assert!(first.is_disjoint(&second));
    assert_eq!(first.len() + second.len(), 9);
    // Claimed events are hidden until the claim ends.
    assert!(
        db.claim_outbound_events(at(30), claim, 100)
            .await
            .unwrap()
            .is_empty()
    );

    let all: Vec<i64> = first.iter().chain(&second).copied().collect();
    let (failed, delivered) = (all[0], &all[1..]);
    for &id in delivered {
        db.mark_outbound_delivered(id, at(2)).await.unwrap();
    }
    db.mark_outbound_failed(failed, "host answered 503", at(300))
        .await
        .unwrap();
    // Delivered ones never come back; the failed one comes back after its backoff.
    assert!(
        db.claim_outbound_events(at(120), claim, 100)
            .await
            .unwrap()
            .is_empty()
    );
    let retried = db.claim_outbound_events(at(300), claim, 100).await.unwrap();
    assert_eq!(retried.len(), 1);
    assert_eq!((retried[0].id, retried[0].attempts), (failed, 1));
    assert_eq!(db.pending_outbound_events("user-1").await.unwrap().len(), 1);
    assert_eq!(db.purge_delivered_outbound(at(3)).await.unwrap(), 8);
    assert!(matches!(
        db.mark_outbound_delivered(987_654, at(4)).await,
        Err(StorageError::NotFound(_))
    ));
}

async fn outbox_keeps_each_connections_order_and_gives_up(t: &TestDb) {
    let db = &t.db;
    let (x, y) = (Some(domain::ConnectionId(7)), Some(domain::ConnectionId(8)));
    let payload = serde_json::json!({});
    for (name, connection) in [("a1", x), ("b1", y), ("a2", x), ("a3", x), ("b2", y)] {
        db.enqueue_outbound_event(&event(name, "user-1", connection, &payload))
            .await
            .unwrap();
    }
    let claim = Duration::from_secs(60);
    let names = |events: &[storage::OutboundEvent]| -> Vec<String> {
        events.iter().map(|e| e.event.clone()).collect()
    };
    // One event per connection, the oldest; the next waits while it is in flight.
    let first = db.claim_outbound_events(at(1), claim, 100).await.unwrap();
    assert_eq!(names(&first), ["a1", "b1"]);
    assert!(
        db.claim_outbound_events(at(30), claim, 100)
            .await
            .unwrap()
            .is_empty()
    );
    // ... and while it backs off after a failure.
    db.mark_outbound_failed(first[0].id, "503", at(500))
        .await
        .unwrap();
    db.mark_outbound_delivered(first[1].id, at(2))
        .await
        .unwrap();
    let second = db.claim_outbound_events(at(200), claim, 100).await.unwrap();
    assert_eq!(names(&second), ["b2"]);
    // A given-up event stays undelivered and lets the next one go.
    db.mark_outbound_gave_up(first[0].id, "host down", at(250))
        .await
        .unwrap();
    let third = db.claim_outbound_events(at(250), claim, 100).await.unwrap();
    assert_eq!(names(&third), ["a2"]);
    assert_eq!(
        db.pending_outbound_events("user-1")
            .await
            .unwrap()
            .iter()
            .map(|e| e.event.as_str())
            .collect::<Vec<_>>(),
        ["a2", "a3", "b2"]
    );

    let listed = db.list_outbound_events("user-1", 10).await.unwrap();
    let states: Vec<(&str, storage::DeliveryState)> = listed
        .iter()
        .map(|status| (status.event.event.as_str(), status.state))
        .collect();
    use storage::DeliveryState::{Delivered, GaveUp, Pending};
    assert_eq!(
        states,
        [
            ("b2", Pending),
            ("a3", Pending),
            ("a2", Pending),
            ("b1", Delivered),
            ("a1", GaveUp)
        ]
    );
    let gave_up = &listed[4];
    assert_eq!(gave_up.event.attempts, 2);
    assert_eq!(gave_up.last_error.as_deref(), Some("host down"));
    assert_eq!(gave_up.gave_up_at, Some(at(250)));
    assert_eq!(gave_up.next_attempt_at, None);
    assert_eq!(listed[3].delivered_at, Some(at(2)));
    assert!(
        db.list_outbound_events("user-2", 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(db.list_outbound_events("user-1", 2).await.unwrap().len(), 2);
}
