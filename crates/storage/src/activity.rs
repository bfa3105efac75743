//! The platform's own daily activity of an account (YouTube Analytics' daily rows), and the
//! expiry of data a platform's policy does not let us keep once it is no longer refreshed.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::dsl::exists;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use domain::{ConnectionId, DailyActivity, Platform};

use crate::db::{Database, load_rows, transaction};
use crate::error::StorageResult;
use crate::schema::{connections, daily_activity, profile_snapshots, video_snapshots, videos};
use crate::time::to_unix;

/// Connections whose data one call of [`Database::expire_unrefreshed_data`] looks at, so a
/// pass after a long outage works through them over several runs instead of one huge read.
const EXPIRY_BATCH: i64 = 500;

/// A row of `daily_activity` as written.
#[derive(Insertable)]
#[diesel(table_name = daily_activity, treat_none_as_default_value = false)]
pub(crate) struct DailyActivityInsert {
    pub(crate) connection_id: i64,
    pub(crate) day: NaiveDate,
    pub(crate) views: Option<i64>,
    pub(crate) watch_minutes: Option<i64>,
    pub(crate) likes: Option<i64>,
    pub(crate) followers_gained: Option<i64>,
    pub(crate) followers_lost: Option<i64>,
    pub(crate) read_at: i64,
}

impl DailyActivityInsert {
    pub(crate) fn of(connection_id: i64, day: &DailyActivity, read_at: i64) -> Self {
        Self {
            connection_id,
            day: day.day,
            views: day.views,
            watch_minutes: day.watch_minutes,
            likes: day.likes,
            followers_gained: day.followers_gained,
            followers_lost: day.followers_lost,
            read_at,
        }
    }
}

/// Upserts the days of `$days` (a `&[DailyActivity]`) for `$connection_id`, each replacing
/// the stored day (inside the caller's transaction). A few days a sync (the re-read window
/// plus the new ones), so one statement per day is enough.
macro_rules! upsert_daily_activity {
    ($conn:expr, $connection_id:expr, $days:expr, $read_at:expr) => {
        for day in $days {
            use ::diesel::upsert::excluded;
            use $crate::schema::daily_activity::dsl as da;
            diesel::insert_into(da::daily_activity)
                .values($crate::activity::DailyActivityInsert::of(
                    $connection_id,
                    day,
                    $read_at,
                ))
                .on_conflict((da::connection_id, da::day))
                .do_update()
                .set((
                    da::views.eq(excluded(da::views)),
                    da::watch_minutes.eq(excluded(da::watch_minutes)),
                    da::likes.eq(excluded(da::likes)),
                    da::followers_gained.eq(excluded(da::followers_gained)),
                    da::followers_lost.eq(excluded(da::followers_lost)),
                    da::read_at.eq(excluded(da::read_at)),
                ))
                .execute($conn)
                .await?;
        }
    };
}
pub(crate) use upsert_daily_activity;

type ActivityColumns = (
    NaiveDate,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

impl Database {
    /// The platform's daily activity of `connection_id` from `first` to `last` (inclusive),
    /// oldest first; days the platform has not reported are absent.
    pub async fn daily_activity(
        &self,
        connection_id: ConnectionId,
        first: NaiveDate,
        last: NaiveDate,
    ) -> StorageResult<Vec<DailyActivity>> {
        use daily_activity::dsl as da;
        let mut conn = self.conn().await?;
        let rows: Vec<ActivityColumns> = load_rows!(
            &mut conn,
            da::daily_activity
                .filter(da::connection_id.eq(connection_id.0))
                .filter(da::day.ge(first))
                .filter(da::day.le(last))
                .order(da::day.asc())
                .select((
                    da::day,
                    da::views,
                    da::watch_minutes,
                    da::likes,
                    da::followers_gained,
                    da::followers_lost,
                ))
        );
        Ok(rows
            .into_iter()
            .map(
                |(day, views, watch_minutes, likes, followers_gained, followers_lost)| {
                    DailyActivity {
                        day,
                        views,
                        watch_minutes,
                        likes,
                        followers_gained,
                        followers_lost,
                    }
                },
            )
            .collect())
    }

    /// Deletes what the platform gave us about each `platform` connection whose data was last
    /// refreshed (its last successful sync, or its connect when it never synced) before
    /// `cutoff`: its posts and their history, its profile snapshots, its daily activity, and
    /// its profile (the account id and the tokens stay, so the next sync can restore it all).
    /// A platform's policy on stored data (YouTube's 30 days) asks for this. Each
    /// connection's data goes in one transaction; returns the connections whose data was
    /// deleted (one already emptied is not counted again).
    pub async fn expire_unrefreshed_data(
        &self,
        platform: Platform,
        cutoff: DateTime<Utc>,
    ) -> StorageResult<Vec<ConnectionId>> {
        use connections::dsl as c;
        let cutoff = to_unix(cutoff);
        let platform = platform.as_str().to_owned();
        let mut conn = self.conn().await?;
        let stale: Vec<i64> = load_rows!(
            &mut conn,
            c::connections
                .filter(c::platform.eq(platform))
                .filter(
                    c::last_synced_at
                        .lt(cutoff)
                        .or(c::last_synced_at.is_null().and(c::created_at.lt(cutoff))),
                )
                // Only those that still hold data: the emptied ones stay stale, and must not
                // fill every batch ahead of the ones still to empty.
                .filter(
                    c::username
                        .is_not_null()
                        .or(c::display_name.is_not_null())
                        .or(c::avatar_url.is_not_null())
                        .or(c::bio.is_not_null())
                        .or(c::follower_count.is_not_null())
                        .or(c::video_count.is_not_null())
                        .or(exists(
                            videos::table.filter(videos::connection_id.eq(c::id))
                        ))
                        .or(exists(
                            profile_snapshots::table
                                .filter(profile_snapshots::connection_id.eq(c::id)),
                        ))
                        .or(exists(
                            daily_activity::table.filter(daily_activity::connection_id.eq(c::id)),
                        )),
                )
                .order(c::id.asc())
                .limit(EXPIRY_BATCH)
                .select(c::id)
        );
        drop(conn);
        let mut expired = Vec::new();
        for id in stale {
            if self.clear_data(id, Some(cutoff)).await? > 0 {
                expired.push(ConnectionId(id));
            }
        }
        Ok(expired)
    }

    /// Deletes what the platform gave us about connection `id` (its posts and their history,
    /// its snapshots, its daily activity, its profile), keeping the connection itself: a
    /// platform whose policy wants the data gone once the creator revoked the grant asks for
    /// this. Returns whether anything was deleted.
    pub async fn clear_connection_data(&self, id: ConnectionId) -> StorageResult<bool> {
        Ok(self.clear_data(id.0, None).await? > 0)
    }

    /// [`Self::clear_connection_data`] in one transaction, only if the connection's data was
    /// last refreshed before `stale_before` (unix seconds), when given. Returns the rows
    /// deleted or emptied.
    async fn clear_data(&self, id: i64, stale_before: Option<i64>) -> StorageResult<usize> {
        use connections::dsl as c;
        let mut conn = self.conn().await?;
        transaction!(&mut conn, |conn| {
            if let Some(cutoff) = stale_before {
                // The sync that would refresh the data may have just finished: decide again
                // inside the transaction, on the row as it is now (the no-op update also takes
                // the row's lock on PostgreSQL).
                let still_stale = diesel::update(
                    c::connections.find(id).filter(
                        c::last_synced_at
                            .lt(cutoff)
                            .or(c::last_synced_at.is_null().and(c::created_at.lt(cutoff))),
                    ),
                )
                .set(c::updated_at.eq(c::updated_at))
                .execute(conn)
                .await?;
                if still_stale == 0 {
                    return Ok(0);
                }
            }
            let mut deleted = diesel::delete(
                video_snapshots::table.filter(video_snapshots::connection_id.eq(id)),
            )
            .execute(conn)
            .await?;
            deleted += diesel::delete(videos::table.filter(videos::connection_id.eq(id)))
                .execute(conn)
                .await?;
            deleted += diesel::delete(
                profile_snapshots::table.filter(profile_snapshots::connection_id.eq(id)),
            )
            .execute(conn)
            .await?;
            deleted +=
                diesel::delete(daily_activity::table.filter(daily_activity::connection_id.eq(id)))
                    .execute(conn)
                    .await?;
            deleted += diesel::update(
                c::connections.find(id).filter(
                    c::username
                        .is_not_null()
                        .or(c::display_name.is_not_null())
                        .or(c::avatar_url.is_not_null())
                        .or(c::bio.is_not_null())
                        .or(c::follower_count.is_not_null())
                        .or(c::video_count.is_not_null()),
                ),
            )
            .set((
                c::union_id.eq(None::<String>),
                c::username.eq(None::<String>),
                c::display_name.eq(None::<String>),
                c::avatar_url.eq(None::<String>),
                c::bio.eq(None::<String>),
                c::is_verified.eq(false),
                c::profile_deep_link.eq(None::<String>),
                c::follower_count.eq(None::<i64>),
                c::following_count.eq(None::<i64>),
                c::likes_count.eq(None::<i64>),
                c::video_count.eq(None::<i64>),
            ))
            .execute(conn)
            .await?;
            Ok(deleted)
        })
    }
}
