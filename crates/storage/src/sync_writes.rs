//! Applying one account's sync result: profile, videos, today's snapshots and the sync
//! status, all in one transaction.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::RunQueryDsl;
use domain::{ConnectionId, DailyActivity, EngagementBasis, Profile, SyncOutcome, SyncedVideo};

use crate::activity::upsert_daily_activity;
use crate::batch::{BatchUpsert, UpsertedVideo, VideoInsert, VideoSnapshotInsert};
use crate::connections::expect_one;
use crate::db::{Database, transaction};
use crate::error::StorageResult;
use crate::outbox::{NewOutboundEvent, OutboundInsert, enqueue_outbound};
use crate::profile_columns::ProfileColumns;
use crate::schema::{connections, profile_snapshots, videos};
use crate::time::to_unix;

/// Rows per multi-row `INSERT`. A video row binds 20 values, so 200 rows stay far below
/// SQLite's variable limit (32 766) and PostgreSQL's (65 535), while a TikTok page (20)
/// always fits in one statement.
const VIDEO_ROWS_PER_STATEMENT: usize = 200;

/// The result of syncing one account, to write atomically.
#[derive(Debug)]
pub struct SyncWrite<'a> {
    /// The connection synced.
    pub connection_id: ConnectionId,
    /// The profile as fetched (`None` if it was not fetched; the stored one is kept).
    pub profile: Option<&'a Profile>,
    /// The videos fetched (every page walked). Existing videos are updated, new ones
    /// inserted; videos not in the list are left as they are.
    pub videos: &'a [SyncedVideo],
    /// What the platform's engagement rate divides by; the rate stored with each video (the
    /// sort key) is computed with it and the profile's followers.
    pub engagement: EngagementBasis,
    /// The days of activity the platform reported (YouTube Analytics), each replacing the
    /// stored day; empty for a platform without them.
    pub daily: &'a [DailyActivity],
    /// `success` or `partial` (a failed sync writes nothing: use
    /// [`Database::record_sync_failure`]).
    pub outcome: SyncOutcome,
    /// Why the sync was partial, if it was.
    pub error: Option<&'a str>,
    /// When the data was fetched; its UTC day is the snapshots' day.
    pub synced_at: DateTime<Utc>,
    /// A host notification (`sync.completed`) to queue in the same transaction.
    pub notify: Option<NewOutboundEvent<'a>>,
}

/// What [`Database::apply_sync`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppliedSync {
    /// Videos inserted or updated.
    pub videos_written: usize,
    /// Sum of the known views of all the connection's stored videos (the snapshot's value);
    /// `None` when videos are stored and none has known views.
    pub total_video_views: Option<i64>,
    /// The snapshots' day.
    pub day: NaiveDate,
}

#[derive(Insertable)]
#[diesel(table_name = profile_snapshots, treat_none_as_default_value = false)]
struct ProfileSnapshotInsert {
    connection_id: i64,
    day: NaiveDate,
    follower_count: Option<i64>,
    following_count: Option<i64>,
    likes_count: Option<i64>,
    video_count: Option<i64>,
    total_video_views: Option<i64>,
    total_interactions: Option<i64>,
    captured_at: i64,
}

fn video_insert(
    connection_id: i64,
    video: &SyncedVideo,
    engagement_rate: Option<f64>,
    now: i64,
) -> VideoInsert {
    VideoInsert {
        connection_id,
        platform_video_id: video.platform_video_id.clone(),
        title: video.title.clone(),
        description: video.description.clone(),
        duration_seconds: video.duration_seconds,
        cover_image_url: video.cover_image_url.clone(),
        share_url: video.share_url.clone(),
        embed_link: video.embed_link.clone(),
        posted_at: video.posted_at.map(to_unix),
        media_type: video.media_type.clone(),
        view_count: video.counts.views,
        like_count: video.counts.likes,
        comment_count: video.counts.comments,
        share_count: video.counts.shares,
        reach_count: video.counts.reach,
        save_count: video.counts.saves,
        engagement_rate,
        first_seen_at: now,
        updated_at: now,
        counters_read_at: video.counters_read.then_some(now),
    }
}

/// Sum of the known counts (views, or interactions), saturating (no overflow whatever the
/// stored values); `None` when there are counts and none is known (unknown is not 0),
/// `Some(0)` when there are none.
fn total_views(view_counts: &[Option<i64>]) -> Option<i64> {
    let known: Vec<i64> = view_counts.iter().flatten().copied().collect();
    if known.is_empty() && !view_counts.is_empty() {
        return None;
    }
    let total: i128 = known.iter().map(|&v| i128::from(v.max(0))).sum();
    Some(i64::try_from(total).unwrap_or(i64::MAX))
}

/// How much of the video list a sync walked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum VideoWalk {
    /// Every page: the connection's last full walk moves to this sync.
    Full,
    /// Only the newest pages: the last full walk stays where it was.
    Shallow,
}

impl Database {
    /// Writes the result of a sync that walked every video page, in ONE transaction: the
    /// profile fields, the videos (upserted in multi-row `INSERT … ON CONFLICT DO UPDATE`
    /// statements, never one per row), today's video snapshots and profile snapshot (a second
    /// sync the same day overwrites that day), and the connection's last sync time, last full
    /// walk time, outcome and error. On any error nothing is written.
    pub async fn apply_sync(&self, write: &SyncWrite<'_>) -> StorageResult<AppliedSync> {
        self.apply_walk(write, VideoWalk::Full).await
    }

    /// Writes the result of a sync that walked only the newest video pages (a shallow sync,
    /// stopped at the first video older than its window): the same writes as
    /// [`Database::apply_sync`], in one transaction, except that the connection's last full
    /// walk time is left as it is.
    /// Only the videos fetched are upserted and snapshotted; stored older videos are kept
    /// untouched (never deleted).
    pub async fn apply_shallow_sync(&self, write: &SyncWrite<'_>) -> StorageResult<AppliedSync> {
        self.apply_walk(write, VideoWalk::Shallow).await
    }

    async fn apply_walk(
        &self,
        write: &SyncWrite<'_>,
        walk: VideoWalk,
    ) -> StorageResult<AppliedSync> {
        use connections::dsl as c;
        use profile_snapshots::dsl as ps;
        use videos::dsl as v;

        let connection_id = write.connection_id.0;
        let now = to_unix(write.synced_at);
        let day = write.synced_at.date_naive();
        let followers = write.profile.and_then(|profile| profile.follower_count);
        let rows: Vec<VideoInsert> = write
            .videos
            .iter()
            .map(|video| {
                let rate = video.counts.engagement_rate(write.engagement, followers);
                video_insert(connection_id, video, rate, now)
            })
            .collect();
        let outbound = OutboundInsert::of_optional(write.notify.as_ref())?;
        let mut conn = self.conn().await?;
        transaction!(&mut conn, |conn| {
            // 1. The connection row first: a write, so SQLite holds the lock from here on,
            //    and a vanished connection aborts before anything else is written.
            let updated = diesel::update(c::connections.find(connection_id))
                .set((
                    c::last_synced_at.eq(Some(now)),
                    c::last_sync_outcome.eq(Some(write.outcome.as_str())),
                    c::last_sync_error.eq(write.error),
                    c::sync_requested_at.eq(None::<i64>),
                    c::updated_at.eq(now),
                ))
                .execute(conn)
                .await?;
            expect_one(updated)?;
            if walk == VideoWalk::Full {
                diesel::update(c::connections.find(connection_id))
                    .set(c::last_full_sync_at.eq(Some(now)))
                    .execute(conn)
                    .await?;
            }
            if let Some(profile) = write.profile {
                diesel::update(c::connections.find(connection_id))
                    .set(ProfileColumns::of(profile))
                    .execute(conn)
                    .await?;
            }

            // 2. Videos, a chunk per statement; RETURNING gives the ids for the snapshots.
            let mut written: Vec<UpsertedVideo> = Vec::with_capacity(rows.len());
            for chunk in rows.chunks(VIDEO_ROWS_PER_STATEMENT) {
                written.extend(conn.upsert_videos(chunk.to_vec()).await?);
            }

            // 3. Today's video snapshots, same chunking.
            let snapshots: Vec<VideoSnapshotInsert> = written
                .iter()
                .map(|video| VideoSnapshotInsert {
                    video_id: video.id,
                    connection_id,
                    day,
                    view_count: video.views,
                    like_count: video.likes,
                    comment_count: video.comments,
                    share_count: video.shares,
                    reach_count: video.reach,
                    save_count: video.saves,
                    captured_at: now,
                })
                .collect();
            for chunk in snapshots.chunks(VIDEO_ROWS_PER_STATEMENT) {
                conn.upsert_video_snapshots(chunk.to_vec()).await?;
            }

            // 4. Today's profile snapshot, with the views and interactions totals of every
            //    stored video.
            type Counters = (
                Option<i64>,
                Option<i64>,
                Option<i64>,
                Option<i64>,
                Option<i64>,
            );
            let counters: Vec<Counters> = v::videos
                .filter(v::connection_id.eq(connection_id))
                .select((
                    v::view_count,
                    v::like_count,
                    v::comment_count,
                    v::share_count,
                    v::save_count,
                ))
                .load(conn)
                .await?;
            let view_counts: Vec<Option<i64>> = counters.iter().map(|row| row.0).collect();
            let total_video_views = total_views(&view_counts);
            let interaction_counts: Vec<Option<i64>> = counters
                .iter()
                .flat_map(|row| [row.1, row.2, row.3, row.4])
                .collect();
            let total_interactions = total_views(&interaction_counts);
            let current: (Option<i64>, Option<i64>, Option<i64>, Option<i64>) = c::connections
                .find(connection_id)
                .select((
                    c::follower_count,
                    c::following_count,
                    c::likes_count,
                    c::video_count,
                ))
                .get_result(conn)
                .await?;
            let snapshot = ProfileSnapshotInsert {
                connection_id,
                day,
                follower_count: current.0,
                following_count: current.1,
                likes_count: current.2,
                video_count: current.3,
                total_video_views,
                total_interactions,
                captured_at: now,
            };
            diesel::insert_into(ps::profile_snapshots)
                .values(&snapshot)
                .on_conflict((ps::connection_id, ps::day))
                .do_update()
                .set((
                    ps::follower_count.eq(excluded(ps::follower_count)),
                    ps::following_count.eq(excluded(ps::following_count)),
                    ps::likes_count.eq(excluded(ps::likes_count)),
                    ps::video_count.eq(excluded(ps::video_count)),
                    ps::total_video_views.eq(excluded(ps::total_video_views)),
                    ps::total_interactions.eq(excluded(ps::total_interactions)),
                    ps::captured_at.eq(excluded(ps::captured_at)),
                ))
                .execute(conn)
                .await?;

            // 5. The platform's daily activity, each day replacing the stored one.
            upsert_daily_activity!(conn, connection_id, write.daily, now);

            enqueue_outbound!(conn, &outbound);
            Ok(AppliedSync {
                videos_written: written.len(),
                total_video_views,
                day,
            })
        })
    }

    /// Records a sync that wrote nothing (failed, rate limited, needs reauth): the outcome and
    /// error are stored; `last_synced_at`, the age of the data, does not move. `notify`
    /// (`sync.failed`) is queued in the same transaction.
    pub async fn record_sync_failure(
        &self,
        id: ConnectionId,
        outcome: SyncOutcome,
        error: &str,
        now: DateTime<Utc>,
        notify: Option<&NewOutboundEvent<'_>>,
    ) -> StorageResult<()> {
        use connections::dsl as c;
        let outbound = OutboundInsert::of_optional(notify)?;
        let mut conn = self.conn().await?;
        transaction!(&mut conn, |conn| {
            let updated = diesel::update(c::connections.find(id.0))
                .set((
                    c::last_sync_outcome.eq(Some(outcome.as_str())),
                    c::last_sync_error.eq(Some(error)),
                    c::updated_at.eq(to_unix(now)),
                ))
                .execute(conn)
                .await?;
            expect_one(updated)?;
            enqueue_outbound!(conn, &outbound);
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn total_views_saturates_and_knows_unknown_from_zero() {
        assert_eq!(total_views(&[Some(1), Some(2), Some(3)]), Some(6));
        assert_eq!(
            total_views(&[Some(i64::MAX), Some(i64::MAX)]),
            Some(i64::MAX)
        );
        assert_eq!(total_views(&[Some(-5), Some(5)]), Some(5));
        assert_eq!(total_views(&[]), Some(0), "no videos: nothing viewed");
        assert_eq!(total_views(&[Some(4), None]), Some(4));
        assert_eq!(total_views(&[None, None]), None, "views unknown, not 0");
    }
}
