//! `interactive_cooldowns`: one interactive sync per user and platform per cooldown.

use chrono::TimeDelta;
use domain::Platform;

use crate::support::{TestDb, at};

on_both_backends!(a_users_interactive_slot_is_claimed_once_per_cooldown);

async fn a_users_interactive_slot_is_claimed_once_per_cooldown(t: &TestDb) {
    let db = &t.db;
    let tiktok = Platform::new("tiktok");
    let cooldown = TimeDelta::seconds(300);
    assert_eq!(
        db.interactive_slot_free_at("u", tiktok, cooldown)
            .await
            .unwrap(),
        None
    );
    // Claims at once: one wins.
    let claims = (0..4).map(|_| {
        let db = db.clone();
        tokio::spawn(async move {
            db.claim_interactive_slot("u", Platform::new("tiktok"), at(0), TimeDelta::seconds(300))
                .await
                .unwrap()
        })
    });
    let results = futures::future::join_all(claims).await;
    let won = results
        .iter()
        .filter(|r| r.as_ref().unwrap().is_none())
        .count();
    assert_eq!(won, 1);
    assert_eq!(
        db.claim_interactive_slot("u", tiktok, at(299), cooldown)
            .await
            .unwrap(),
        Some(at(300))
    );
    // Another platform, another user: their own slots.
    assert_eq!(
        db.claim_interactive_slot("u", Platform::new("instagram"), at(1), cooldown)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        db.claim_interactive_slot("v", tiktok, at(1), cooldown)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        db.claim_interactive_slot("u", tiktok, at(300), cooldown)
            .await
            .unwrap(),
        None
    );
    // Slots past their cooldown are purged; the one in use stays.
    assert_eq!(db.purge_interactive_slots(at(2)).await.unwrap(), 2);
    assert_eq!(
        db.interactive_slot_free_at("u", tiktok, cooldown)
            .await
            .unwrap(),
        Some(at(600))
    );
}
