//! `videos`: paging through every sort.

use std::collections::HashSet;

use crate::support::{TestDb, at, connect_user, video};
use domain::{PageLimit, Platform, SyncOutcome};
use storage::{SortDirection, StorageError, SyncWrite, VideoQuery, VideoSort};

on_both_backends!(videos_page_through_every_sort_without_gaps,);

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
    videos[5].counts.views = Some(0); // no engagement rate
    videos[7].counts.views = None; // unknown: sorts below every known count
    videos[8].counts.shares = None;
    videos[9].counts.likes = None;
    videos[10].counts.comments = None;
    for (connection_id, videos) in [(connection.id, &videos[..]), (other.id, &videos[..4])] {
        db.apply_sync(&SyncWrite {
            connection_id,
            profile: None,
            videos,
            engagement: domain::EngagementBasis::Views,
            daily: &[],
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
                            db.list_user_videos("user-1", Platform::new("tiktok"), &query)
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
                            VideoSort::Views => ranked(v.video.counts.views),
                            VideoSort::Likes => ranked(v.video.counts.likes),
                            VideoSort::Comments => ranked(v.video.counts.comments),
                            VideoSort::Shares => ranked(v.video.counts.shares),
                            VideoSort::Engagement => v.engagement_rate.unwrap_or(-1.0),
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
        db.list_user_videos("nobody", Platform::new("tiktok"), &first_page)
            .await
            .unwrap(),
        None
    );
    connect_user(db, "user-3", "open-3").await;
    let empty = db
        .list_user_videos("user-3", Platform::new("tiktok"), &first_page)
        .await
        .unwrap()
        .expect("user-3 is connected");
    assert!(empty.videos.is_empty());
    assert_eq!(empty.next_cursor, None);
    let others = db
        .list_user_videos("user-2", Platform::new("tiktok"), &first_page)
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

/// An unknown counter sorts below every known one.
fn ranked(count: Option<i64>) -> f64 {
    count.map_or(-1.0, |count| count as f64)
}
