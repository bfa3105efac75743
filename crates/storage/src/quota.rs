//! The shared API quota: calls counted per bucket and window before they are made, atomically
//! across every process using the database.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::RunQueryDsl;

use crate::db::{Database, with_conn};
use crate::error::{StorageError, StorageResult};
use crate::schema::api_quota;
use crate::time::{from_unix, to_unix};

/// A quota window. Windows are fixed and aligned on UTC (the minute, the day): a simple,
/// conservative stand-in for TikTok's sliding window when the limit is set a little below
/// TikTok's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuotaWindow {
    /// The current UTC minute.
    Minute,
    /// The current UTC day.
    Day,
}

impl QuotaWindow {
    const fn seconds(self) -> i64 {
        match self {
            Self::Minute => 60,
            Self::Day => 86_400,
        }
    }

    const fn as_str(self) -> &'static str {
        match self {
            Self::Minute => "minute",
            Self::Day => "day",
        }
    }

    /// How long windows are kept before [`Database::purge_quota`] deletes them.
    const fn retention(self) -> i64 {
        match self {
            Self::Minute => 3_600,
            Self::Day => 7 * 86_400,
        }
    }

    /// Start of the window containing `now` (unix seconds).
    fn start(self, now: i64) -> i64 {
        now.div_euclid(self.seconds()) * self.seconds()
    }
}

/// Quota spent in the current window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaUsage {
    /// Calls counted in the window (after this consumption).
    pub spent: i64,
    /// Calls left before the limit.
    pub remaining: i64,
    /// When the window ends and a new one starts.
    pub resets_at: DateTime<Utc>,
}

impl Database {
    /// Counts `n` calls against `bucket` (e.g. `tiktok:/v2/video/list/`) in the window
    /// containing `now`, only if that keeps the window at or below `limit`.
    ///
    /// One conditional upsert (`INSERT … ON CONFLICT DO UPDATE SET spent = spent + n WHERE
    /// spent + n <= limit RETURNING spent`), so it is atomic across processes on both
    /// backends: the window never goes over the limit. When it would, nothing is counted and
    /// the error is [`StorageError::QuotaExceeded`] with the start of the next window.
    pub async fn consume_quota(
        &self,
        bucket: &str,
        window: QuotaWindow,
        now: DateTime<Utc>,
        n: i64,
        limit: i64,
    ) -> StorageResult<QuotaUsage> {
        use api_quota::dsl as q;
        if n <= 0 {
            return Err(StorageError::InvalidArgument(
                "quota consumption must be positive".into(),
            ));
        }
        let start = window.start(to_unix(now));
        let resets_at = from_unix(start + window.seconds())?;
        let exceeded = || StorageError::QuotaExceeded {
            bucket: bucket.to_owned(),
            retry_at: resets_at,
        };
        if n > limit {
            return Err(exceeded());
        }
        let mut conn = self.conn().await?;
        let spent: Option<i64> = with_conn!(&mut conn, |c| {
            let upsert = diesel::insert_into(q::api_quota)
                .values((
                    q::bucket.eq(bucket),
                    q::window_kind.eq(window.as_str()),
                    q::window_start.eq(start),
                    q::spent.eq(n),
                ))
                .on_conflict((q::bucket, q::window_kind, q::window_start))
                .do_update()
                .set(q::spent.eq(q::spent + excluded(q::spent)));
            // `ON CONFLICT … DO UPDATE … WHERE`: the update (and so the count) happens only
            // while the window stays within the limit.
            diesel::query_dsl::methods::FilterDsl::filter(
                upsert,
                (q::spent + excluded(q::spent)).le(limit),
            )
            .returning(q::spent)
            .get_result(c)
            .await
            .optional()?
        });
        let spent = spent.ok_or_else(exceeded)?;
        Ok(QuotaUsage {
            spent,
            remaining: limit.saturating_sub(spent),
            resets_at,
        })
    }

    /// Calls counted in the window containing `now` (for status displays).
    pub async fn quota_spent(
        &self,
        bucket: &str,
        window: QuotaWindow,
        now: DateTime<Utc>,
    ) -> StorageResult<i64> {
        use api_quota::dsl as q;
        let start = window.start(to_unix(now));
        let mut conn = self.conn().await?;
        let spent: Option<i64> = with_conn!(&mut conn, |c| {
            q::api_quota
                .filter(q::bucket.eq(bucket))
                .filter(q::window_kind.eq(window.as_str()))
                .filter(q::window_start.eq(start))
                .select(q::spent)
                .get_result(c)
                .await
                .optional()?
        });
        Ok(spent.unwrap_or(0))
    }

    /// How many quota windows are stored (for operations and tests: the table must not grow
    /// without bound).
    pub async fn quota_window_count(&self) -> StorageResult<i64> {
        use api_quota::dsl as q;
        let mut conn = self.conn().await?;
        Ok(with_conn!(&mut conn, |c| {
            q::api_quota.count().get_result(c).await?
        }))
    }

    /// Deletes old windows: minute windows older than an hour, day windows older than a
    /// week. Returns how many rows were deleted.
    pub async fn purge_quota(&self, now: DateTime<Utc>) -> StorageResult<usize> {
        use api_quota::dsl as q;
        let now = to_unix(now);
        let mut deleted = 0;
        let mut conn = self.conn().await?;
        for window in [QuotaWindow::Minute, QuotaWindow::Day] {
            let before = now - window.retention();
            deleted += with_conn!(&mut conn, |c| {
                diesel::delete(
                    q::api_quota
                        .filter(q::window_kind.eq(window.as_str()))
                        .filter(q::window_start.lt(before)),
                )
                .execute(c)
                .await?
            });
        }
        Ok(deleted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_align_on_utc() {
        assert_eq!(QuotaWindow::Minute.start(125), 120);
        assert_eq!(QuotaWindow::Day.start(86_400 + 5), 86_400);
        assert_eq!(QuotaWindow::Minute.start(-1), -60);
    }
}
