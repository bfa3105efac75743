//! Multi-row upserts of videos and video snapshots.
//!
//! The statements are the same on both backends (`INSERT … VALUES (…), (…) ON CONFLICT … DO
//! UPDATE`), written once in the macros below. They run differently only because Diesel
//! builds a multi-row `INSERT` for SQLite through its synchronous `SqliteConnection` alone, so
//! the SQLite implementation runs the statement on the wrapped connection, in the same
//! transaction.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::AsyncPgConnection;

use crate::db::SqliteConn;
use crate::schema::{video_snapshots, videos};

diesel::define_sql_function! {
    /// SQL's `COALESCE` of two nullable BIGINTs (the same on both backends).
    fn coalesce(first: diesel::sql_types::Nullable<diesel::sql_types::BigInt>, second: diesel::sql_types::Nullable<diesel::sql_types::BigInt>) -> diesel::sql_types::Nullable<diesel::sql_types::BigInt>;
}

/// A video row to insert or update.
#[derive(Insertable, Clone)]
#[diesel(table_name = videos, treat_none_as_default_value = false)]
pub(crate) struct VideoInsert {
    pub(crate) connection_id: i64,
    pub(crate) platform_video_id: String,
    pub(crate) title: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) duration_seconds: Option<i64>,
    pub(crate) cover_image_url: Option<String>,
    pub(crate) share_url: Option<String>,
    pub(crate) embed_link: Option<String>,
    pub(crate) posted_at: Option<i64>,
    pub(crate) media_type: Option<String>,
    pub(crate) view_count: Option<i64>,
    pub(crate) like_count: Option<i64>,
    pub(crate) comment_count: Option<i64>,
    pub(crate) share_count: Option<i64>,
    pub(crate) reach_count: Option<i64>,
    pub(crate) save_count: Option<i64>,
    pub(crate) engagement_rate: Option<f64>,
    pub(crate) first_seen_at: i64,
    pub(crate) updated_at: i64,
    /// `Some(now)` when every counter was read now; `None` keeps the stored time.
    pub(crate) counters_read_at: Option<i64>,
}

/// A video snapshot row to insert or update.
#[derive(Insertable, Clone)]
#[diesel(table_name = video_snapshots, treat_none_as_default_value = false)]
pub(crate) struct VideoSnapshotInsert {
    pub(crate) video_id: i64,
    pub(crate) connection_id: i64,
    pub(crate) day: NaiveDate,
    pub(crate) view_count: Option<i64>,
    pub(crate) like_count: Option<i64>,
    pub(crate) comment_count: Option<i64>,
    pub(crate) share_count: Option<i64>,
    pub(crate) reach_count: Option<i64>,
    pub(crate) save_count: Option<i64>,
    pub(crate) captured_at: i64,
}

/// What an upsert returned for each video: its id and the counters written.
#[derive(Queryable, Debug, Clone, Copy)]
pub(crate) struct UpsertedVideo {
    pub(crate) id: i64,
    pub(crate) views: Option<i64>,
    pub(crate) likes: Option<i64>,
    pub(crate) comments: Option<i64>,
    pub(crate) shares: Option<i64>,
    pub(crate) reach: Option<i64>,
    pub(crate) saves: Option<i64>,
}

/// The video upsert: new videos inserted, known ones (same connection and platform id)
/// updated; `first_seen_at` is kept from the first insert.
macro_rules! video_upsert {
    ($rows:expr) => {
        diesel::insert_into(videos::table)
            .values($rows)
            .on_conflict((videos::connection_id, videos::platform_video_id))
            .do_update()
            .set((
                videos::title.eq(excluded(videos::title)),
                videos::description.eq(excluded(videos::description)),
                videos::duration_seconds.eq(excluded(videos::duration_seconds)),
                videos::cover_image_url.eq(excluded(videos::cover_image_url)),
                videos::share_url.eq(excluded(videos::share_url)),
                videos::embed_link.eq(excluded(videos::embed_link)),
                videos::posted_at.eq(excluded(videos::posted_at)),
                videos::media_type.eq(excluded(videos::media_type)),
                videos::view_count.eq(excluded(videos::view_count)),
                videos::like_count.eq(excluded(videos::like_count)),
                videos::comment_count.eq(excluded(videos::comment_count)),
                videos::share_count.eq(excluded(videos::share_count)),
                videos::reach_count.eq(excluded(videos::reach_count)),
                videos::save_count.eq(excluded(videos::save_count)),
                videos::engagement_rate.eq(excluded(videos::engagement_rate)),
                videos::updated_at.eq(excluded(videos::updated_at)),
                videos::counters_read_at.eq(coalesce(
                    excluded(videos::counters_read_at),
                    videos::counters_read_at,
                )),
            ))
            .returning((
                videos::id,
                videos::view_count,
                videos::like_count,
                videos::comment_count,
                videos::share_count,
                videos::reach_count,
                videos::save_count,
            ))
    };
}

/// The video snapshot upsert: one row per video and day, overwritten by a later sync that day.
macro_rules! video_snapshot_upsert {
    ($rows:expr) => {
        diesel::insert_into(video_snapshots::table)
            .values($rows)
            .on_conflict((video_snapshots::video_id, video_snapshots::day))
            .do_update()
            .set((
                video_snapshots::view_count.eq(excluded(video_snapshots::view_count)),
                video_snapshots::like_count.eq(excluded(video_snapshots::like_count)),
                video_snapshots::comment_count.eq(excluded(video_snapshots::comment_count)),
                video_snapshots::share_count.eq(excluded(video_snapshots::share_count)),
                video_snapshots::reach_count.eq(excluded(video_snapshots::reach_count)),
                video_snapshots::save_count.eq(excluded(video_snapshots::save_count)),
                video_snapshots::captured_at.eq(excluded(video_snapshots::captured_at)),
            ))
    };
}

/// Multi-row upserts, one statement per call, on either backend's connection.
pub(crate) trait BatchUpsert {
    /// Upserts the videos in one statement.
    async fn upsert_videos(&mut self, rows: Vec<VideoInsert>) -> QueryResult<Vec<UpsertedVideo>>;

    /// Upserts the snapshots in one statement.
    async fn upsert_video_snapshots(
        &mut self,
        rows: Vec<VideoSnapshotInsert>,
    ) -> QueryResult<usize>;
}

impl BatchUpsert for AsyncPgConnection {
    async fn upsert_videos(&mut self, rows: Vec<VideoInsert>) -> QueryResult<Vec<UpsertedVideo>> {
        diesel_async::RunQueryDsl::get_results(video_upsert!(&rows), self).await
    }

    async fn upsert_video_snapshots(
        &mut self,
        rows: Vec<VideoSnapshotInsert>,
    ) -> QueryResult<usize> {
        diesel_async::RunQueryDsl::execute(video_snapshot_upsert!(&rows), self).await
    }
}

impl BatchUpsert for SqliteConn {
    async fn upsert_videos(&mut self, rows: Vec<VideoInsert>) -> QueryResult<Vec<UpsertedVideo>> {
        self.spawn_blocking(move |conn| {
            diesel::RunQueryDsl::get_results(video_upsert!(&rows), conn)
        })
        .await
    }

    async fn upsert_video_snapshots(
        &mut self,
        rows: Vec<VideoSnapshotInsert>,
    ) -> QueryResult<usize> {
        self.spawn_blocking(move |conn| {
            diesel::RunQueryDsl::execute(video_snapshot_upsert!(&rows), conn)
        })
        .await
    }
}
