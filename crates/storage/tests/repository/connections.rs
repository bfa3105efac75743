//! `connections`: connect, reconnect, disconnect.

use crate::support::{TestDb, at, connect_user, profile, secret, t0, tokens, video};
use domain::{ConnectionStatus, PageLimit, Platform, SyncOutcome, SyncTrigger};
use secrecy::ExposeSecret;
use storage::{
    NewConnection, NewOAuthState, OAuthStateRejection, SortDirection, StorageError, SyncWrite,
    VideoQuery, VideoSort,
};

on_both_backends!(
    connect_creates_then_reconnect_updates,
    reconnect_to_another_account_is_refused,
    disconnect_deletes_exactly_that_connection,
);

async fn connect_creates_then_reconnect_updates(t: &TestDb) {
    let db = &t.db;
    let first = connect_user(db, "user-1", "open-1").await;
    assert_eq!(first.status, ConnectionStatus::Active);
    assert_eq!(first.profile.platform_account_id, "open-1");
    assert_eq!(first.scopes, vec!["user.info.basic", "video.list"]);
    assert_eq!(first.token_version, 0);
    assert_eq!(first.access_token_expires_at, Some(at(24 * 3600)));

    db.mark_needs_reauth(first.id, "invalid_grant", at(10), None)
        .await
        .unwrap();
    let mut newer = profile("open-1", 500);
    newer.bio = Some("new bio".into());
    let again = db
        .upsert_connection(
            &NewConnection {
                user_id: "user-1",
                platform: Platform::new("tiktok"),
                profile: &newer,
                tokens: &tokens("act.second", Some("rft.second"), at(100)),
                notify: None,
            },
            at(100),
        )
        .await
        .unwrap();
    assert_eq!(again.id, first.id);
    assert_eq!(again.status, ConnectionStatus::Active);
    assert_eq!(again.status_error, None);
    assert_eq!(again.profile.follower_count, Some(500));
    assert_eq!(again.profile.bio.as_deref(), Some("new bio"));
    assert_eq!(again.token_version, 1);
    assert_eq!(again.created_at, t0());
    let stored = db.connection_tokens(first.id).await.unwrap();
    assert_eq!(stored.access_token.unwrap().expose_secret(), "act.second");

    let found = db
        .find_connection("user-1", Platform::new("tiktok"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, first.id);
    let by_account = db
        .find_connection_by_account(Platform::new("tiktok"), "open-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(by_account.id, first.id);
    assert!(
        db.find_connection("user-2", Platform::new("tiktok"))
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(db.list_user_connections("user-1").await.unwrap().len(), 1);
    assert!(matches!(
        db.get_connection(domain::ConnectionId(999_999)).await,
        Err(StorageError::NotFound(_))
    ));

    let mut renamed = profile("open-1", 600);
    renamed.username = Some("renamed".into());
    db.update_profile(first.id, &renamed, at(200))
        .await
        .unwrap();
    let updated = db.get_connection(first.id).await.unwrap();
    assert_eq!(updated.profile.username.as_deref(), Some("renamed"));
    assert_eq!(
        updated.profile.bio, None,
        "profile updates write every field"
    );
}

async fn reconnect_to_another_account_is_refused(t: &TestDb) {
    let db = &t.db;
    connect_user(db, "user-1", "open-1").await;
    // The same user with a different TikTok account: disconnect first.
    let other = profile("open-2", 1);
    let result = db
        .upsert_connection(
            &NewConnection {
                user_id: "user-1",
                platform: Platform::new("tiktok"),
                profile: &other,
                tokens: &tokens("act.x", Some("rft.x"), t0()),
                notify: None,
            },
            t0(),
        )
        .await;
    assert!(
        matches!(result, Err(StorageError::Conflict(_))),
        "{result:?}"
    );
    // Another user with an account that is already connected.
    let taken = profile("open-1", 1);
    let result = db
        .upsert_connection(
            &NewConnection {
                user_id: "user-2",
                platform: Platform::new("tiktok"),
                profile: &taken,
                tokens: &tokens("act.y", Some("rft.y"), t0()),
                notify: None,
            },
            t0(),
        )
        .await;
    assert!(
        matches!(result, Err(StorageError::Conflict(_))),
        "{result:?}"
    );
    let kept = db.connection_tokens(
        db.find_connection("user-1", Platform::new("tiktok"))
            .await
            .unwrap()
            .unwrap()
            .id,
    );
    assert_eq!(
        kept.await.unwrap().access_token.unwrap().expose_secret(),
        "act.user-1"
    );
}

async fn disconnect_deletes_exactly_that_connection(t: &TestDb) {
    let db = &t.db;
    let a = connect_user(db, "user-a", "open-a").await;
    let b = connect_user(db, "user-b", "open-b").await;
    let videos: Vec<_> = (0..7_u64).map(|i| video(i, 10, 1, 1, 1)).collect();
    for (connection, user) in [(&a, "user-a"), (&b, "user-b")] {
        db.apply_sync(&SyncWrite {
            connection_id: connection.id,
            profile: None,
            videos: &videos,
            engagement: domain::EngagementBasis::Views,
            daily: &[],
            outcome: SyncOutcome::Success,
            error: None,
            synced_at: at(60),
            notify: None,
        })
        .await
        .unwrap();
        db.start_sync_run(connection.id, SyncTrigger::Manual, at(60))
            .await
            .unwrap();
        db.create_oauth_state(&NewOAuthState {
            state: &format!("state-{user}"),
            user_id: user,
            platform: Platform::new("tiktok"),
            pkce_verifier: Some(&secret("verifier")),
            created_at: t0(),
            expires_at: at(600),
        })
        .await
        .unwrap();
    }

    assert!(db.disconnect(a.id, None).await.unwrap());
    assert!(!db.disconnect(a.id, None).await.unwrap(), "idempotent");

    assert!(matches!(
        db.get_connection(a.id).await,
        Err(StorageError::NotFound(_))
    ));
    assert!(matches!(
        db.connection_tokens(a.id).await,
        Err(StorageError::NotFound(_))
    ));
    let query = VideoQuery {
        sort: VideoSort::Views,
        direction: SortDirection::Desc,
        limit: PageLimit::constant(100),
        cursor: None,
    };
    assert!(
        db.list_videos(a.id, &query)
            .await
            .unwrap()
            .videos
            .is_empty()
    );
    assert_eq!(db.video_totals(a.id).await.unwrap().videos, 0);
    assert!(
        db.profile_history(a.id, at(60).date_naive(), 7)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(db.recent_sync_runs(a.id, 10).await.unwrap().is_empty());
    assert!(matches!(
        db.consume_oauth_state("state-user-a", at(1)).await,
        Err(StorageError::OAuthState(OAuthStateRejection::Unknown))
    ));

    // Nothing of the other connection was touched.
    assert_eq!(db.list_videos(b.id, &query).await.unwrap().videos.len(), 7);
    assert_eq!(
        db.profile_history(b.id, at(60).date_naive(), 7)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(db.recent_sync_runs(b.id, 10).await.unwrap().len(), 1);
    let tokens = db.connection_tokens(b.id).await.unwrap();
    assert_eq!(tokens.access_token.unwrap().expose_secret(), "act.user-b");
    assert!(db.consume_oauth_state("state-user-b", at(1)).await.is_ok());

    // The account can be connected again, from scratch.
    let again = connect_user(db, "user-a", "open-a").await;
    assert_ne!(again.id, b.id);
    assert!(
        db.list_videos(again.id, &query)
            .await
            .unwrap()
            .videos
            .is_empty()
    );
}
