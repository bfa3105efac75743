//! The repository test suite, written once and run on both backends (SQLite always,
//! PostgreSQL when `TEST_DATABASE_URL` is set).
#![allow(clippy::unwrap_used)]

#[macro_use]
mod support;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use domain::{ConnectionStatus, PageLimit, Platform, SyncOutcome, SyncTrigger};
use secrecy::ExposeSecret;
use storage::{
    NewConnection, NewOAuthState, NewOutboundEvent, NewWebhookEvent, OAuthStateRejection,
    QuotaWindow, SortDirection, StorageError, SyncRunFinish, SyncWrite, VideoQuery, VideoSort,
};
use support::{TestDb, at, connect_user, profile, secret, t0, tokens, video};

on_both_backends!(
    oauth_state_is_single_use_and_expires,
    connect_creates_then_reconnect_updates,
    reconnect_to_another_account_is_refused,
    tokens_are_decrypted_and_swapped_by_version,
    two_refreshers_swap_at_once_and_exactly_one_wins,
    refresh_bookkeeping_and_expiring_connections,
    sync_writes_profile_videos_and_snapshots,
    shallow_syncs_keep_the_last_full_walk_and_older_videos,
    failed_sync_writes_nothing,
    videos_page_through_every_sort_without_gaps,
    sync_runs_are_logged,
    disconnect_deletes_exactly_that_connection,
    fifty_tasks_never_exceed_the_quota_and_use_it_all,
    quota_windows_reset_and_purge,
    two_workers_never_lease_the_same_connection,
    dead_workers_leases_come_back,
    manual_lease_is_exclusive,
    webhooks_are_recorded_once,
    host_notifications_are_queued_with_their_change,
    removals_at_once_notify_exactly_once,
    outbox_claims_never_overlap_and_retry,
    outbox_keeps_each_connections_order_and_gives_up,
);

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

async fn oauth_state_is_single_use_and_expires(t: &TestDb) {
    let db = &t.db;
    let verifier = secret("pkce-verifier-abc");
    for (state, expires) in [("state-live", at(600)), ("state-old", at(-1))] {
        db.create_oauth_state(&NewOAuthState {
            state,
            user_id: "user-1",
            platform: Platform::TikTok,
            pkce_verifier: &verifier,
            created_at: at(-600),
            expires_at: expires,
        })
        .await
        .unwrap();
    }
    let consumed = db.consume_oauth_state("state-live", t0()).await.unwrap();
    assert_eq!(consumed.user_id, "user-1");
    assert_eq!(consumed.platform, Platform::TikTok);
    assert_eq!(consumed.pkce_verifier.expose_secret(), "pkce-verifier-abc");

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
                platform: Platform::TikTok,
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
        .find_connection("user-1", Platform::TikTok)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, first.id);
    let by_account = db
        .find_connection_by_account(Platform::TikTok, "open-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(by_account.id, first.id);
    assert!(
        db.find_connection("user-2", Platform::TikTok)
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
                platform: Platform::TikTok,
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
                platform: Platform::TikTok,
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
        db.find_connection("user-1", Platform::TikTok)
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
        .connections_expiring_before(at(25 * 3600), t0(), 100)
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
        db.connections_expiring_before(at(25 * 3600), at(1000), 100)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        db.connections_expiring_before(at(25 * 3600), at(1200), 100)
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
        db.connections_expiring_before(at(100 * 3600), at(1300), 100)
            .await
            .unwrap()
            .iter()
            .all(|c| c.id != b.id),
        "needs_reauth connections are not refreshed"
    );
}

async fn sync_writes_profile_videos_and_snapshots(t: &TestDb) {
    let db = &t.db;
    let connection = connect_user(db, "user-1", "open-1").await;
    // 250 videos: more than one statement's worth (200 rows).
    let videos: Vec<_> = (0..250_u64)
        .map(|i| video(i, 100 + i64::try_from(i).unwrap(), 10, 1, 1))
        .collect();
    let fresh = profile("open-1", 1000);
    let applied = db
        .apply_sync(&SyncWrite {
            connection_id: connection.id,
            profile: Some(&fresh),
            videos: &videos,
            outcome: SyncOutcome::Success,
            error: None,
            synced_at: at(60),
            notify: None,
        })
        .await
        .unwrap();
    assert_eq!(applied.videos_written, 250);
    let expected_views: i64 = (0..250).map(|i| 100 + i).sum();
    assert_eq!(applied.total_video_views, expected_views);

    let synced = db.get_connection(connection.id).await.unwrap();
    assert_eq!(synced.last_synced_at, Some(at(60)));
    assert_eq!(synced.last_sync_outcome, Some(SyncOutcome::Success));
    assert_eq!(synced.profile.follower_count, Some(1000));

    // Later the same day: counters change, one video is new; the day's snapshot is replaced.
    let mut later: Vec<_> = videos[..10]
        .iter()
        .cloned()
        .map(|mut v| {
            v.counts.views += 1000;
            v
        })
        .collect();
    later.push(video(999, 5, 0, 0, 0));
    let grown = profile("open-1", 1100);
    let applied = db
        .apply_sync(&SyncWrite {
            connection_id: connection.id,
            profile: Some(&grown),
            videos: &later,
            outcome: SyncOutcome::Partial,
            error: Some("scope video.list missing"),
            synced_at: at(3600),
            notify: None,
        })
        .await
        .unwrap();
    assert_eq!(applied.videos_written, 11);
    assert_eq!(applied.total_video_views, expected_views + 10 * 1000 + 5);
    let totals = db.video_totals(connection.id).await.unwrap();
    assert_eq!(totals.videos, 251);
    assert_eq!(totals.counts.views, expected_views + 10 * 1000 + 5);
    assert_eq!(totals.counts.likes, 250 * 10);

    let today = at(3600).date_naive();
    let history = db.profile_history(connection.id, today, 30).await.unwrap();
    assert_eq!(history.len(), 1, "same day overwrites");
    assert_eq!(history[0].follower_count, Some(1100));
    assert_eq!(history[0].total_video_views, expected_views + 10_005);

    // The next day adds a point to the series.
    let tomorrow = at(3600) + TimeDelta::days(1);
    db.apply_sync(&SyncWrite {
        connection_id: connection.id,
        profile: Some(&profile("open-1", 1200)),
        videos: &[],
        outcome: SyncOutcome::Success,
        error: None,
        synced_at: tomorrow,
        notify: None,
    })
    .await
    .unwrap();
    let history = db
        .profile_history(connection.id, tomorrow.date_naive(), 30)
        .await
        .unwrap();
    let followers: Vec<_> = history.iter().map(|s| s.follower_count).collect();
    assert_eq!(followers, vec![Some(1100), Some(1200)]);
    let first_video = &videos[0].platform_video_id;
    let series = db
        .video_history(connection.id, first_video, tomorrow.date_naive(), 30)
        .await
        .unwrap();
    assert_eq!(series.len(), 1, "the video was not in tomorrow's sync");
    assert_eq!(series[0].counts.views, 100 + 1000, "same-day overwrite");
    assert_eq!(&series[0].platform_video_id, first_video);
    assert!(
        db.video_history(connection.id, "no-such-video", tomorrow.date_naive(), 30)
            .await
            .unwrap()
            .is_empty()
    );
    let only_today = db
        .profile_history(connection.id, tomorrow.date_naive(), 1)
        .await
        .unwrap();
    assert_eq!(only_today.len(), 1);
    let stored = db.get_connection(connection.id).await.unwrap();
    assert_eq!(stored.last_sync_outcome, Some(SyncOutcome::Success));
    assert_eq!(stored.last_sync_error, None);

    let missing = db
        .apply_sync(&SyncWrite {
            connection_id: domain::ConnectionId(424_242),
            profile: None,
            videos: &videos[..1],
            outcome: SyncOutcome::Success,
            error: None,
            synced_at: at(60),
            notify: None,
        })
        .await;
    assert!(matches!(missing, Err(StorageError::NotFound(_))));
}

async fn shallow_syncs_keep_the_last_full_walk_and_older_videos(t: &TestDb) {
    let db = &t.db;
    let connection = connect_user(db, "user-1", "open-1").await;
    assert_eq!(connection.last_full_sync_at, None, "never walked");
    // 50 videos posted a minute apart (video n at n minutes).
    let all: Vec<_> = (0..50_u64).map(|i| video(i, 100, 1, 1, 1)).collect();
    let stats = profile("open-1", 100);
    let write = |videos, synced_at| SyncWrite {
        connection_id: connection.id,
        profile: Some(&stats),
        videos,
        outcome: SyncOutcome::Success,
        error: None,
        synced_at,
        notify: None,
    };
    db.apply_sync(&write(&all, at(3600))).await.unwrap();
    let full = db.get_connection(connection.id).await.unwrap();
    assert_eq!(full.last_full_sync_at, Some(at(3600)));
    assert_eq!(full.last_synced_at, Some(at(3600)));
    assert_eq!(
        db.count_videos_posted_since(connection.id, at(40 * 60))
            .await
            .unwrap(),
        10,
        "videos 40 to 49"
    );

    // A day later only the ten newest are fetched, with more views.
    let newest: Vec<_> = (40..50_u64).map(|i| video(i, 900, 1, 1, 1)).collect();
    let next_day = at(3600) + TimeDelta::days(1);
    let applied = db
        .apply_shallow_sync(&write(&newest, next_day))
        .await
        .unwrap();
    assert_eq!(applied.videos_written, 10);
    assert_eq!(applied.total_video_views, 40 * 100 + 10 * 900);
    let shallow = db.get_connection(connection.id).await.unwrap();
    assert_eq!(shallow.last_synced_at, Some(next_day));
    assert_eq!(
        shallow.last_full_sync_at,
        Some(at(3600)),
        "a shallow walk is not a full one"
    );
    // The older videos are all still stored; only the fetched ones have today's snapshot.
    assert_eq!(db.video_totals(connection.id).await.unwrap().videos, 50);
    let day = next_day.date_naive();
    let fetched = db
        .video_history(connection.id, &newest[0].platform_video_id, day, 1)
        .await
        .unwrap();
    assert_eq!(fetched.len(), 1);
    assert_eq!(fetched[0].counts.views, 900);
    let older = db
        .video_history(connection.id, &all[0].platform_video_id, day, 1)
        .await
        .unwrap();
    assert!(older.is_empty(), "no snapshot for a video not fetched");
    assert_eq!(
        db.count_videos_posted_since(connection.id, at(50 * 60))
            .await
            .unwrap(),
        0
    );
}

async fn failed_sync_writes_nothing(t: &TestDb) {
    let db = &t.db;
    let connection = connect_user(db, "user-1", "open-1").await;
    let first: Vec<_> = (0..5_u64).map(|i| video(i, 100, 1, 1, 1)).collect();
    db.apply_sync(&SyncWrite {
        connection_id: connection.id,
        profile: Some(&profile("open-1", 100)),
        videos: &first,
        outcome: SyncOutcome::Success,
        error: None,
        synced_at: at(60),
        notify: None,
    })
    .await
    .unwrap();

    // The last of 230 rows breaks a CHECK constraint, in the second statement: the profile
    // update, the first 200 videos and the snapshots written before it must all roll back.
    let mut second: Vec<_> = (0..230_u64).map(|i| video(i, 5000, 9, 9, 9)).collect();
    if let Some(last) = second.last_mut() {
        last.counts.views = -1;
    }
    let result = db
        .apply_sync(&SyncWrite {
            connection_id: connection.id,
            profile: Some(&profile("open-1", 99_999)),
            videos: &second,
            outcome: SyncOutcome::Success,
            error: None,
            synced_at: at(7200),
            notify: None,
        })
        .await;
    assert!(result.is_err());

    let kept = db.get_connection(connection.id).await.unwrap();
    assert_eq!(kept.profile.follower_count, Some(100));
    assert_eq!(kept.last_synced_at, Some(at(60)));
    let totals = db.video_totals(connection.id).await.unwrap();
    assert_eq!(totals.videos, 5);
    assert_eq!(totals.counts.views, 500);
    let history = db
        .profile_history(connection.id, at(7200).date_naive(), 2)
        .await
        .unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].follower_count, Some(100));

    db.record_sync_failure(
        connection.id,
        SyncOutcome::Failed,
        "timeout",
        at(7300),
        None,
    )
    .await
    .unwrap();
    let failed = db.get_connection(connection.id).await.unwrap();
    assert_eq!(failed.last_sync_outcome, Some(SyncOutcome::Failed));
    assert_eq!(failed.last_sync_error.as_deref(), Some("timeout"));
    assert_eq!(failed.last_synced_at, Some(at(60)), "data age unchanged");
}

async fn videos_page_through_every_sort_without_gaps(t: &TestDb) {
    let db = &t.db;
    let connection = connect_user(db, "user-1", "open-1").await;
    let other = connect_user(db, "user-2", "open-2").await;
    // Few distinct values, so ties (broken by id) cross page boundaries.
    let mut videos: Vec<_> = (0..23_u64)
        .map(|i| {
            let n = i64::try_from(i).unwrap();
            video(i, (n % 4) * 100, n % 3, n % 5, n % 2)
        })
        .collect();
    videos[3].posted_at = None; // sorts by first-seen time
    videos[5].counts.views = 0; // no engagement rate
    for (connection_id, videos) in [(connection.id, &videos[..]), (other.id, &videos[..4])] {
        db.apply_sync(&SyncWrite {
            connection_id,
            profile: None,
            videos,
            outcome: SyncOutcome::Success,
            error: None,
            synced_at: at(60),
            notify: None,
        })
        .await
        .unwrap();
    }

    let sorts = [
        VideoSort::Views,
        VideoSort::Likes,
        VideoSort::Comments,
        VideoSort::Shares,
        VideoSort::Engagement,
        VideoSort::Created,
    ];
    // Page sizes 5 and 7: 7 is not one of the row counts the query rounds up to, so the
    // extra rows fetched must be dropped, not shown nor skipped. Both readers: by connection
    // id, and by user (the API's videos endpoint).
    for (limit, expected_pages) in [(5_usize, 5), (7, 4)] {
        for by_user in [false, true] {
            for sort in sorts {
                for direction in [SortDirection::Asc, SortDirection::Desc] {
                    let mut seen = Vec::new();
                    let mut cursor = None;
                    let mut pages = 0;
                    loop {
                        let query = VideoQuery {
                            sort,
                            direction,
                            limit: PageLimit::new(u32::try_from(limit).unwrap()).unwrap(),
                            cursor: cursor.take(),
                        };
                        let page = if by_user {
                            db.list_user_videos("user-1", Platform::TikTok, &query)
                                .await
                                .unwrap()
                                .expect("user-1 is connected")
                        } else {
                            db.list_videos(connection.id, &query).await.unwrap()
                        };
                        pages += 1;
                        assert!(page.videos.len() <= limit);
                        let last_page = page.next_cursor.is_none();
                        assert!(last_page || page.videos.len() == limit, "full pages");
                        seen.extend(page.videos);
                        match page.next_cursor {
                            Some(next) => cursor = Some(next),
                            None => break,
                        }
                    }
                    let case = format!("{sort:?} {direction:?} limit {limit} by user {by_user}");
                    assert_eq!(pages, expected_pages, "{case}");
                    let ids: Vec<i64> = seen.iter().map(|v| v.id).collect();
                    let unique: HashSet<i64> = ids.iter().copied().collect();
                    assert_eq!(unique.len(), 23, "{case}: no gaps, no repeats");
                    assert_eq!(ids.len(), 23, "{case}: no gaps, no repeats");
                    assert!(seen.iter().all(|v| v.connection_id == connection.id));
                    // Check the order against the sort key computed here.
                    let key = |v: &storage::StoredVideo| -> (f64, i64) {
                        let value = match sort {
                            VideoSort::Views => v.video.counts.views as f64,
                            VideoSort::Likes => v.video.counts.likes as f64,
                            VideoSort::Comments => v.video.counts.comments as f64,
                            VideoSort::Shares => v.video.counts.shares as f64,
                            VideoSort::Engagement => v.engagement_rate.unwrap_or(0.0),
                            VideoSort::Created => {
                                v.video.posted_at.unwrap_or(v.first_seen_at).timestamp() as f64
                            }
                        };
                        (value, v.id)
                    };
                    for pair in seen.windows(2) {
                        let (a, b) = (key(&pair[0]), key(&pair[1]));
                        let in_order = match direction {
                            SortDirection::Asc => a < b,
                            SortDirection::Desc => a > b,
                        };
                        assert!(in_order, "{case}: {a:?} then {b:?}");
                    }
                }
            }
        }
    }

    // By user: a user without a connection has none; a connected user without videos has
    // an empty page; another user's page holds only their videos.
    let first_page = VideoQuery {
        sort: VideoSort::Views,
        direction: SortDirection::Desc,
        limit: PageLimit::constant(20),
        cursor: None,
    };
    assert_eq!(
        db.list_user_videos("nobody", Platform::TikTok, &first_page)
            .await
            .unwrap(),
        None
    );
    connect_user(db, "user-3", "open-3").await;
    let empty = db
        .list_user_videos("user-3", Platform::TikTok, &first_page)
        .await
        .unwrap()
        .expect("user-3 is connected");
    assert!(empty.videos.is_empty());
    assert_eq!(empty.next_cursor, None);
    let others = db
        .list_user_videos("user-2", Platform::TikTok, &first_page)
        .await
        .unwrap()
        .expect("user-2 is connected");
    assert_eq!(others.videos.len(), 4);
    assert!(others.videos.iter().all(|v| v.connection_id == other.id));

    let first = db
        .list_videos(
            connection.id,
            &VideoQuery {
                sort: VideoSort::Views,
                direction: SortDirection::Desc,
                limit: PageLimit::constant(5),
                cursor: None,
            },
        )
        .await
        .unwrap();
    let foreign = db
        .list_videos(
            connection.id,
            &VideoQuery {
                sort: VideoSort::Likes,
                direction: SortDirection::Desc,
                limit: PageLimit::constant(5),
                cursor: first.next_cursor,
            },
        )
        .await;
    assert!(matches!(foreign, Err(StorageError::InvalidArgument(_))));
}

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
            platform: Platform::TikTok,
            pkce_verifier: &secret("verifier"),
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

async fn fifty_tasks_never_exceed_the_quota_and_use_it_all(t: &TestDb) {
    let db = &t.db;
    let bucket = "tiktok:/v2/video/list/";
    for (limit, n) in [(30_i64, 1_i64), (100, 3)] {
        let bucket = format!("{bucket}{limit}");
        let tasks = (0..50).map(|_| {
            let db = db.clone();
            let bucket = bucket.clone();
            tokio::spawn(async move {
                db.consume_quota(&bucket, QuotaWindow::Day, at(30), n, limit)
                    .await
            })
        });
        let results = futures::future::join_all(tasks).await;
        let mut granted = 0;
        for result in results {
            match result.unwrap() {
                Ok(usage) => {
                    granted += n;
                    assert!(usage.spent <= limit);
                    assert_eq!(usage.remaining, limit - usage.spent);
                }
                Err(StorageError::QuotaExceeded { retry_at, .. }) => {
                    assert_eq!(
                        retry_at,
                        (at(30).date_naive() + TimeDelta::days(1))
                            .and_hms_opt(0, 0, 0)
                            .unwrap()
                            .and_utc()
                    );
                }
                Err(other) => panic!("unexpected error: {other}"),
            }
        }
        let used_all = (limit / n) * n;
        assert_eq!(granted, used_all, "limit {limit}, n {n}");
        assert_eq!(
            db.quota_spent(&bucket, QuotaWindow::Day, at(30))
                .await
                .unwrap(),
            used_all
        );
    }
}

async fn quota_windows_reset_and_purge(t: &TestDb) {
    let db = &t.db;
    let bucket = "tiktok:/v2/user/info/";
    let minute_start = at(0).timestamp() / 60 * 60;
    let in_minute = |s: i64| chrono::DateTime::from_timestamp(minute_start + s, 0).unwrap();
    let usage = db
        .consume_quota(bucket, QuotaWindow::Minute, in_minute(1), 2, 3)
        .await
        .unwrap();
    assert_eq!((usage.spent, usage.remaining), (2, 1));
    assert_eq!(usage.resets_at, in_minute(60));
    let over = db
        .consume_quota(bucket, QuotaWindow::Minute, in_minute(30), 2, 3)
        .await;
    match over {
        Err(StorageError::QuotaExceeded {
            retry_at,
            bucket: b,
        }) => {
            assert_eq!(retry_at, in_minute(60));
            assert_eq!(b, bucket);
        }
        other => panic!("expected QuotaExceeded, got {other:?}"),
    }
    assert_eq!(
        db.quota_spent(bucket, QuotaWindow::Minute, in_minute(59))
            .await
            .unwrap(),
        2,
        "a refused consumption counts nothing"
    );
    // The next minute is a fresh window; other buckets and windows are separate.
    let next = db
        .consume_quota(bucket, QuotaWindow::Minute, in_minute(60), 3, 3)
        .await
        .unwrap();
    assert_eq!(next.spent, 3);
    db.consume_quota(bucket, QuotaWindow::Day, in_minute(60), 1, 1000)
        .await
        .unwrap();
    assert!(matches!(
        db.consume_quota(bucket, QuotaWindow::Minute, in_minute(1), 4, 3)
            .await,
        Err(StorageError::QuotaExceeded { .. })
    ));
    assert!(matches!(
        db.consume_quota(bucket, QuotaWindow::Minute, in_minute(1), 0, 3)
            .await,
        Err(StorageError::InvalidArgument(_))
    ));
    // Two hours later both minute windows are purged; the day window is kept.
    assert_eq!(db.purge_quota(in_minute(7200)).await.unwrap(), 2);
    assert_eq!(
        db.quota_spent(bucket, QuotaWindow::Day, in_minute(60))
            .await
            .unwrap(),
        1
    );
}

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
                db.lease_due_connections(holder, now, now, Duration::from_secs(300), 7)
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
        .lease_due_connections("crashed", t0(), due_before, Duration::from_secs(600), 10)
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
        db.lease_due_connections("worker", at(30), at(30), lease, 10)
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unusable_databases_are_typed_errors() {
    let options = || storage::ConnectOptions::new(support::cipher());
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

async fn webhooks_are_recorded_once(t: &TestDb) {
    let db = &t.db;
    let event = NewWebhookEvent {
        platform: Platform::TikTok,
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
    assert_eq!(recorded[0].platform_account_id.as_deref(), Some("open-1"));
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

fn event<'a>(
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
                platform: Platform::TikTok,
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
    broken[0].counts.views = -5;
    for (videos, should_work) in [(broken, false), (vec![video(1, 10, 1, 1, 1)], true)] {
        let result = db
            .apply_sync(&SyncWrite {
                connection_id: connection.id,
                profile: None,
                videos: &videos,
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
