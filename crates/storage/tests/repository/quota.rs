//! `api_quota`: shared budgets and their windows.

use crate::support::{TestDb, at};
use chrono::TimeDelta;
use storage::{QuotaWindow, StorageError};

on_both_backends!(
    fifty_tasks_never_exceed_the_quota_and_use_it_all,
    quota_windows_reset_and_purge,
    a_zoned_day_resets_at_its_own_midnight,
);

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

/// YouTube's day: Pacific midnight, 08:00 UTC in winter. Units spent at 07:59 UTC belong to
/// the day before; at 08:00 the day is whole again.
async fn a_zoned_day_resets_at_its_own_midnight(t: &TestDb) {
    let db = &t.db;
    let bucket = "youtube:app";
    let pacific = QuotaWindow::ZonedDay(chrono_tz::America::Los_Angeles);
    let utc = |text: &str| {
        chrono::DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&chrono::Utc)
    };
    let usage = db
        .consume_quota(bucket, pacific, utc("2026-12-05T07:58:00Z"), 9, 10)
        .await
        .unwrap();
    assert_eq!(usage.resets_at, utc("2026-12-05T08:00:00Z"));
    let refused = db
        .consume_quota(bucket, pacific, utc("2026-12-05T07:59:59Z"), 2, 10)
        .await
        .unwrap_err();
    assert!(
        matches!(refused, StorageError::QuotaExceeded { retry_at, .. } if retry_at == utc("2026-12-05T08:00:00Z")),
        "{refused}"
    );
    // Midnight Pacific: a new day, though the UTC day is the same.
    let usage = db
        .consume_quota(bucket, pacific, utc("2026-12-05T08:00:00Z"), 10, 10)
        .await
        .unwrap();
    assert_eq!(usage.spent, 10);
    assert_eq!(usage.resets_at, utc("2026-12-06T08:00:00Z"));
    assert_eq!(
        db.quota_spent(bucket, pacific, utc("2026-12-05T07:00:00Z"))
            .await
            .unwrap(),
        9
    );
    assert_eq!(
        db.quota_spent(bucket, pacific, utc("2026-12-06T07:59:00Z"))
            .await
            .unwrap(),
        10
    );
}
