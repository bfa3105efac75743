//! One sync's write: profile, videos and snapshots in one transaction.

use crate::support::{TestDb, at, connect_user, profile, video};
use chrono::TimeDelta;
use domain::SyncOutcome;
use storage::{StorageError, SyncWrite};

on_both_backends!(
    sync_writes_profile_videos_and_snapshots,
    shallow_syncs_keep_the_last_full_walk_and_older_videos,
    failed_sync_writes_nothing,
);

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
            engagement: domain::EngagementBasis::Views,
            daily: &[],
            outcome: SyncOutcome::Success,
            error: None,
            synced_at: at(60),
            notify: None,
        })
        .await
        .unwrap();
    assert_eq!(applied.videos_written, 250);
    let expected_views: i64 = (0..250).map(|i| 100 + i).sum();
    assert_eq!(applied.total_video_views, Some(expected_views));

    let synced = db.get_connection(connection.id).await.unwrap();
    assert_eq!(synced.last_synced_at, Some(at(60)));
    assert_eq!(synced.last_sync_outcome, Some(SyncOutcome::Success));
    assert_eq!(synced.profile.follower_count, Some(1000));

    // Later the same day: counters change, one video is new; the day's snapshot is replaced.
    let mut later: Vec<_> = videos[..10]
        .iter()
        .cloned()
        .map(|mut v| {
            v.counts.views = v.counts.views.map(|views| views + 1000);
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
            engagement: domain::EngagementBasis::Views,
            daily: &[],
            outcome: SyncOutcome::Partial,
            error: Some("scope video.list missing"),
            synced_at: at(3600),
            notify: None,
        })
        .await
        .unwrap();
    assert_eq!(applied.videos_written, 11);
    assert_eq!(
        applied.total_video_views,
        Some(expected_views + 10 * 1000 + 5)
    );
    let totals = db.video_totals(connection.id).await.unwrap();
    assert_eq!(totals.videos, 251);
    assert_eq!(totals.counts.views, Some(expected_views + 10 * 1000 + 5));
    assert_eq!(totals.counts.likes, Some(250 * 10));
    assert_eq!(
        totals.counts.reach, None,
        "TikTok has no reach: unknown, not 0"
    );

    let today = at(3600).date_naive();
    let history = db.profile_history(connection.id, today, 30).await.unwrap();
    assert_eq!(history.len(), 1, "same day overwrites");
    assert_eq!(history[0].follower_count, Some(1100));
    assert_eq!(history[0].total_video_views, Some(expected_views + 10_005));

    // The next day adds a point to the series.
    let tomorrow = at(3600) + TimeDelta::days(1);
    db.apply_sync(&SyncWrite {
        connection_id: connection.id,
        profile: Some(&profile("open-1", 1200)),
        videos: &[],
        engagement: domain::EngagementBasis::Views,
        daily: &[],
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
    assert_eq!(
        series[0].counts.views,
        Some(100 + 1000),
        "same-day overwrite"
    );
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
            engagement: domain::EngagementBasis::Views,
            daily: &[],
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
        engagement: domain::EngagementBasis::Views,
        daily: &[],
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
    assert_eq!(applied.total_video_views, Some(40 * 100 + 10 * 900));
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
    assert_eq!(fetched[0].counts.views, Some(900));
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
        engagement: domain::EngagementBasis::Views,
        daily: &[],
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
        last.counts.views = Some(-1);
    }
    let result = db
        .apply_sync(&SyncWrite {
            connection_id: connection.id,
            profile: Some(&profile("open-1", 99_999)),
            videos: &second,
            engagement: domain::EngagementBasis::Views,
            daily: &[],
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
    assert_eq!(totals.counts.views, Some(500));
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
