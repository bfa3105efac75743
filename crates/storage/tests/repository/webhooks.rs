//! `webhook_events`: received webhooks, each handled once.

use crate::outbox::event;
use crate::support::{TestDb, at, connect_user, t0};
use domain::Platform;
use storage::{NewWebhookEvent, StorageError};

on_both_backends!(
    webhooks_are_recorded_once,
    removals_at_once_notify_exactly_once,
    nothing_of_a_creator_lingers_after_their_connection_is_gone,
);

async fn webhooks_are_recorded_once(t: &TestDb) {
    let db = &t.db;
    let event = NewWebhookEvent {
        platform: Platform::new("tiktok"),
        event: "authorization.removed",
        platform_account_id: Some("open-1"),
        event_created_at: t0(),
        body_digest: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        received_at: at(1),
        reason_code: Some(1),
    };
    let id = db.record_webhook_event(&event).await.unwrap().unwrap();
    // Recorded but not handled yet (the handler failed): a redelivery finishes the work.
    assert_eq!(db.record_webhook_event(&event).await.unwrap(), Some(id));
    db.set_webhook_outcome(id, "disconnected").await.unwrap();
    assert_eq!(
        db.record_webhook_event(&event).await.unwrap(),
        None,
        "redelivery of a handled webhook"
    );
    let recorded = db.recent_webhook_events(10).await.unwrap();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].reason_code, Some(1));
    assert_eq!(recorded[0].outcome.as_deref(), Some("disconnected"));
    // Handled: the account it named is forgotten (issue 25); the digest still de-duplicates.
    assert_eq!(recorded[0].platform_account_id, None);
    assert_eq!(db.purge_webhook_events(at(1)).await.unwrap(), 0);
    assert_eq!(db.purge_webhook_events(at(2)).await.unwrap(), 1);
    assert!(db.record_webhook_event(&event).await.unwrap().is_some());
    assert!(matches!(
        db.set_webhook_outcome(id + 1000, "ignored").await,
        Err(StorageError::NotFound(_))
    ));
}

/// A user's disconnect and TikTok's webhook ending the same connection at once: one of them
/// removes it, and the host is told once.
async fn removals_at_once_notify_exactly_once(t: &TestDb) {
    let db = &t.db;
    let payload = serde_json::json!({ "platform": "tiktok" });
    for round in 0..10 {
        let user = format!("user-{round}");
        let connection = connect_user(db, &user, &format!("open-{round}")).await;
        let removers = (0..4).map(|_| {
            let db = db.clone();
            let user = user.clone();
            let payload = payload.clone();
            tokio::spawn(async move {
                let removed = event("connection.removed", &user, Some(connection.id), &payload);
                db.disconnect(connection.id, Some(&removed)).await.unwrap()
            })
        });
        let results = futures::future::join_all(removers).await;
        let removed = results.into_iter().filter(|r| *r.as_ref().unwrap()).count();
        assert_eq!(removed, 1, "round {round}: exactly one removal");
        let queued = db.pending_outbound_events(&user).await.unwrap();
        assert_eq!(queued.len(), 1, "round {round}: told once: {queued:?}");
    }
}

/// Issue 25, point 5: a disconnect removes the creator's account id, handle and display name
/// from the host notifications of the connection (delivered or not, written by an earlier
/// version) and from the received webhooks about the account; the rest stays.
async fn nothing_of_a_creator_lingers_after_their_connection_is_gone(t: &TestDb) {
    let db = &t.db;
    let connection = connect_user(db, "leaving", "open-leaving").await;
    let other = connect_user(db, "staying", "open-staying").await;
    let named = serde_json::json!({
        "type": "connection.connected",
        "data": { "platform": "tiktok", "account_id": "open-leaving", "handle": "leaver",
                  "display_name": "Leaver", "missing_scopes": [] }
    });
    let other_named = serde_json::json!({
        "data": { "account_id": "open-staying", "handle": "stayer" }
    });
    db.enqueue_outbound_event(&event(
        "connection.connected",
        "leaving",
        Some(connection.id),
        &named,
    ))
    .await
    .unwrap();
    db.enqueue_outbound_event(&event(
        "connection.connected",
        "staying",
        Some(other.id),
        &other_named,
    ))
    .await
    .unwrap();
    for (account, digest) in [("open-leaving", "aa"), ("open-staying", "bb")] {
        db.record_webhook_event(&NewWebhookEvent {
            platform: Platform::new("tiktok"),
            event: "video.publish.completed",
            platform_account_id: Some(account),
            event_created_at: t0(),
            body_digest: digest,
            received_at: at(1),
            reason_code: None,
        })
        .await
        .unwrap();
    }

    let removed = serde_json::json!({ "data": { "platform": "tiktok", "reason": "user" } });
    assert!(
        db.disconnect(
            connection.id,
            Some(&event(
                "connection.removed",
                "leaving",
                Some(connection.id),
                &removed
            ))
        )
        .await
        .unwrap()
    );

    let events = db.list_outbound_events("leaving", 10).await.unwrap();
    assert_eq!(events.len(), 2);
    for status in &events {
        let text = status.event.payload.to_string();
        for word in ["open-leaving", "leaver", "Leaver", "account_id", "handle"] {
            assert!(!text.contains(word), "{word} in {text}");
        }
    }
    let connected = events
        .iter()
        .find(|status| status.event.event == "connection.connected")
        .unwrap();
    assert_eq!(connected.event.payload["data"]["platform"], "tiktok");
    assert_eq!(connected.event.payload["type"], "connection.connected");
    // Another creator's are untouched.
    let staying = db.list_outbound_events("staying", 10).await.unwrap();
    assert_eq!(staying[0].event.payload, other_named);
    let accounts: Vec<Option<String>> = db
        .recent_webhook_events(10)
        .await
        .unwrap()
        .into_iter()
        .map(|record| record.platform_account_id)
        .collect();
    assert_eq!(accounts, [Some("open-staying".to_owned()), None]);
}
