//! The token columns of `connections`: encryption, the version swap, refresh bookkeeping.

use crate::support::{TestDb, at, connect_user, t0, tokens};
use domain::{ConnectionStatus, Platform};
use secrecy::ExposeSecret;

on_both_backends!(
    tokens_are_decrypted_and_swapped_by_version,
    two_refreshers_swap_at_once_and_exactly_one_wins,
    refresh_bookkeeping_and_expiring_connections,
);

async fn tokens_are_decrypted_and_swapped_by_version(t: &TestDb) {
    let db = &t.db;
    let connection = connect_user(db, "user-1", "open-1").await;
    let stored = db.connection_tokens(connection.id).await.unwrap();
    assert_eq!(stored.access_token.unwrap().expose_secret(), "act.user-1");
    assert_eq!(stored.refresh_token.unwrap().expose_secret(), "rft.user-1");
    assert_eq!(stored.token_version, 0);
    assert_eq!(stored.scopes, vec!["user.info.basic", "video.list"]);

    // A refresh response without a refresh token keeps the stored one.
    let mut refreshed = tokens("act.2", None, at(3600));
    refreshed.scopes = None;
    assert!(db.swap_tokens(connection.id, 0, &refreshed).await.unwrap());
    let stored = db.connection_tokens(connection.id).await.unwrap();
    assert_eq!(stored.access_token.unwrap().expose_secret(), "act.2");
    assert_eq!(stored.refresh_token.unwrap().expose_secret(), "rft.user-1");
    assert_eq!(stored.token_version, 1);
    assert_eq!(stored.obtained_at, Some(at(3600)));
    assert_eq!(
        db.get_connection(connection.id).await.unwrap().scopes,
        vec!["user.info.basic", "video.list"],
        "scopes kept when the response lists none"
    );

    // A stale version loses and writes nothing.
    let stale = tokens("act.stale", Some("rft.stale"), at(3700));
    assert!(!db.swap_tokens(connection.id, 0, &stale).await.unwrap());
    let stored = db.connection_tokens(connection.id).await.unwrap();
    assert_eq!(stored.access_token.unwrap().expose_secret(), "act.2");

    // A rotated refresh token replaces the old one.
    let rotated = tokens("act.3", Some("rft.3"), at(7200));
    assert!(db.swap_tokens(connection.id, 1, &rotated).await.unwrap());
    let stored = db.connection_tokens(connection.id).await.unwrap();
    assert_eq!(stored.refresh_token.unwrap().expose_secret(), "rft.3");
    assert_eq!(stored.token_version, 2);

    db.store_tokens(connection.id, &tokens("act.4", Some("rft.4"), at(9000)))
        .await
        .unwrap();
    assert_eq!(
        db.connection_tokens(connection.id)
            .await
            .unwrap()
            .token_version,
        3
    );
}

async fn two_refreshers_swap_at_once_and_exactly_one_wins(t: &TestDb) {
    let db = &t.db;
    let connection = connect_user(db, "user-1", "open-1").await;
    for round in 0..10_i64 {
        let version = db
            .connection_tokens(connection.id)
            .await
            .unwrap()
            .token_version;
        let refreshers = (0..2).map(|worker| {
            let db = db.clone();
            tokio::spawn(async move {
                let access = format!("act.{round}.{worker}");
                let refresh = format!("rft.{round}.{worker}");
                let won = db
                    .swap_tokens(
                        connection.id,
                        version,
                        &tokens(&access, Some(&refresh), at(round)),
                    )
                    .await
                    .unwrap();
                (won, refresh)
            })
        });
        let results = futures::future::join_all(refreshers).await;
        let winners: Vec<String> = results
            .into_iter()
            .map(Result::unwrap)
            .filter(|(won, _)| *won)
            .map(|(_, refresh)| refresh)
            .collect();
        assert_eq!(winners.len(), 1, "round {round}: exactly one winner");
        let stored = db.connection_tokens(connection.id).await.unwrap();
        assert_eq!(
            stored.refresh_token.unwrap().expose_secret(),
            winners[0],
            "the winner's refresh token is stored"
        );
        assert_eq!(stored.token_version, version + 1);
    }
}

async fn refresh_bookkeeping_and_expiring_connections(t: &TestDb) {
    let db = &t.db;
    let a = connect_user(db, "user-a", "open-a").await; // access expires at t0 + 24h
    let b = connect_user(db, "user-b", "open-b").await;
    db.store_tokens(b.id, &tokens("act.b2", Some("rft.b2"), at(48 * 3600)))
        .await
        .unwrap(); // expires at t0 + 72h

    let due = db
        .connections_expiring_before(Platform::new("tiktok"), at(25 * 3600), t0(), 100)
        .await
        .unwrap();
    assert_eq!(due.iter().map(|c| c.id).collect::<Vec<_>>(), vec![a.id]);

    db.record_refresh_failure(a.id, t0(), at(600))
        .await
        .unwrap();
    db.record_refresh_failure(a.id, t0(), at(1200))
        .await
        .unwrap();
    let failing = db.get_connection(a.id).await.unwrap();
    assert_eq!(failing.refresh_failures, 2);
    assert_eq!(
        db.connection_tokens(a.id).await.unwrap().refresh_failures,
        2
    );
    assert_eq!(failing.next_refresh_attempt_at, Some(at(1200)));
    assert_eq!(
        failing.status,
        ConnectionStatus::Active,
        "outage is not revocation"
    );
    // Backoff in force: not offered to the refresher before next_refresh_attempt_at.
    assert!(
        db.connections_expiring_before(Platform::new("tiktok"), at(25 * 3600), at(1000), 100)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        db.connections_expiring_before(Platform::new("tiktok"), at(25 * 3600), at(1200), 100)
            .await
            .unwrap()
            .len(),
        1
    );
    // A successful refresh clears the streak.
    assert!(
        db.swap_tokens(a.id, 0, &tokens("act.a2", Some("rft.a2"), at(1300)))
            .await
            .unwrap()
    );
    let healed = db.get_connection(a.id).await.unwrap();
    assert_eq!(healed.refresh_failures, 0);
    assert_eq!(healed.next_refresh_attempt_at, None);

    db.mark_needs_reauth(b.id, "invalid_grant", at(5), None)
        .await
        .unwrap();
    let dead = db.get_connection(b.id).await.unwrap();
    assert_eq!(dead.status, ConnectionStatus::NeedsReauth);
    assert_eq!(dead.status_error.as_deref(), Some("invalid_grant"));
    assert!(
        db.connections_expiring_before(Platform::new("tiktok"), at(100 * 3600), at(1300), 100)
            .await
            .unwrap()
            .iter()
            .all(|c| c.id != b.id),
        "needs_reauth connections are not refreshed"
    );
}
