//! `oauth_states`: single use, expiry.

use crate::support::{TestDb, at, secret, t0};
use domain::Platform;
use secrecy::ExposeSecret;
use storage::{NewOAuthState, OAuthStateRejection, StorageError};

on_both_backends!(
    oauth_state_is_single_use_and_expires,
    a_platform_without_pkce_stores_no_verifier,
    open_connect_attempts_are_capped_per_user,
);

async fn oauth_state_is_single_use_and_expires(t: &TestDb) {
    let db = &t.db;
    let verifier = secret("pkce-verifier-abc");
    for (state, expires) in [("state-live", at(600)), ("state-old", at(-1))] {
        db.create_oauth_state(&NewOAuthState {
            state,
            user_id: "user-1",
            platform: Platform::new("tiktok"),
            pkce_verifier: Some(&verifier),
            created_at: at(-600),
            expires_at: expires,
        })
        .await
        .unwrap();
    }
    let consumed = db.consume_oauth_state("state-live", t0()).await.unwrap();
    assert_eq!(consumed.user_id, "user-1");
    assert_eq!(consumed.platform, Platform::new("tiktok"));
    assert_eq!(
        consumed
            .pkce_verifier
            .as_ref()
            .map(|verifier| verifier.expose_secret()),
        Some("pkce-verifier-abc")
    );

    let again = db.consume_oauth_state("state-live", t0()).await;
    assert!(matches!(
        again,
        Err(StorageError::OAuthState(OAuthStateRejection::AlreadyUsed))
    ));
    let expired = db.consume_oauth_state("state-old", t0()).await;
    assert!(matches!(
        expired,
        Err(StorageError::OAuthState(OAuthStateRejection::Expired))
    ));
    let unknown = db.consume_oauth_state("never-issued", t0()).await;
    assert!(matches!(
        unknown,
        Err(StorageError::OAuthState(OAuthStateRejection::Unknown))
    ));

    // Purging removes expired states only.
    assert_eq!(db.purge_oauth_states(t0()).await.unwrap(), 1);
    assert!(matches!(
        db.consume_oauth_state("state-old", t0()).await,
        Err(StorageError::OAuthState(OAuthStateRejection::Unknown))
    ));
}

async fn a_platform_without_pkce_stores_no_verifier(t: &TestDb) {
    let db = &t.db;
    db.create_oauth_state(&NewOAuthState {
        state: "state-no-pkce",
        user_id: "user-2",
        platform: Platform::new("instagram"),
        pkce_verifier: None,
        created_at: at(0),
        expires_at: at(600),
    })
    .await
    .unwrap();
    let consumed = db.consume_oauth_state("state-no-pkce", t0()).await.unwrap();
    assert_eq!(consumed.platform, Platform::new("instagram"));
    assert!(consumed.pkce_verifier.is_none());
}

async fn open_connect_attempts_are_capped_per_user(t: &TestDb) {
    let db = &t.db;
    let state = |user: &str, n: i64| format!("{user}-state-{n}");
    // Seven attempts by user-a within one second (the newest must survive a tie), one by
    // user-b; user-a's first is consumed (a finished connect, not an open attempt).
    for n in 0..7 {
        let name = state("a", n);
        db.create_oauth_state(&NewOAuthState {
            state: &name,
            user_id: "user-a",
            platform: Platform::new("tiktok"),
            pkce_verifier: None,
            created_at: at(n.min(3)),
            expires_at: at(600),
        })
        .await
        .unwrap();
        if n == 0 {
            db.consume_oauth_state(&name, at(1)).await.unwrap();
        }
    }
    db.create_oauth_state(&NewOAuthState {
        state: "b-state",
        user_id: "user-b",
        platform: Platform::new("tiktok"),
        pkce_verifier: None,
        created_at: at(0),
        expires_at: at(600),
    })
    .await
    .unwrap();
    assert_eq!(db.oauth_state_count().await.unwrap(), 8);

    // Keep 3 open: the one just handed out (created in the same second as others) and the
    // two newest others; the consumed one and user-b's are not counted nor touched.
    let newest = state("a", 6);
    assert_eq!(
        db.cap_open_oauth_states("user-a", &newest, 3)
            .await
            .unwrap(),
        3
    );
    assert_eq!(db.oauth_state_count().await.unwrap(), 5);
    db.consume_oauth_state(&newest, at(4)).await.unwrap();
    db.consume_oauth_state("b-state", at(4)).await.unwrap();
    assert!(matches!(
        db.consume_oauth_state(&state("a", 1), at(4)).await,
        Err(StorageError::OAuthState(OAuthStateRejection::Unknown))
    ));
    assert!(matches!(
        db.consume_oauth_state(&state("a", 0), at(4)).await,
        Err(StorageError::OAuthState(OAuthStateRejection::AlreadyUsed))
    ));
}
