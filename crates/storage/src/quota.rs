//! The shared API quota: calls counted per bucket and window before they are made, atomically
//! across every process using the database.

use chrono::{DateTime, Days, TimeZone as _, Utc};
use chrono_tz::Tz;
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::RunQueryDsl;

use crate::db::{Database, with_conn};
use crate::error::{StorageError, StorageResult};
use crate::schema::api_quota;
use crate::time::{from_unix, to_unix};

/// A quota window. Windows are fixed: the UTC minute, the UTC day, or the calendar day of a
/// platform's time zone (YouTube's quota resets at midnight Pacific time, across daylight
/// saving: its days last 23, 24 or 25 hours). A fixed minute is a simple, conservative
/// stand-in for TikTok's sliding window when the limit is set a little below TikTok's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuotaWindow {
    /// The current UTC minute.
    Minute,
    /// The current UTC day.
    Day,
    /// The current calendar day in a time zone (from its midnight to the next).
    ZonedDay(Tz),
}

impl QuotaWindow {
    const fn as_str(self) -> &'static str {
        match self {
            Self::Minute => "minute",
            // A zoned day is a day too: its windows start at another hour, so they never
            // share a row with a UTC day's, and they are kept as long.
            Self::Day | Self::ZonedDay(_) => "day",
        }
    }

    /// How long windows of a kind are kept before [`Database::purge_quota`] deletes them.
    const fn retention(kind: &str) -> i64 {
        match kind.as_bytes() {
            b"minute" => 3_600,
            _ => 7 * 86_400,
        }
    }

    /// Start and end of the window containing `now` (unix seconds).
    fn bounds(self, now: i64) -> (i64, i64) {
        let fixed = |seconds: i64| {
            let start = now.div_euclid(seconds) * seconds;
            (start, start + seconds)
        };
        match self {
            Self::Minute => fixed(60),
            Self::Day => fixed(86_400),
            Self::ZonedDay(zone) => {
                let Some(instant) = DateTime::from_timestamp(now, 0) else {
                    return fixed(86_400);
                };
                let today = instant.with_timezone(&zone).date_naive();
                let tomorrow = today.checked_add_days(Days::new(1)).unwrap_or(today);
                (
                    midnight(zone, today, now),
                    midnight(zone, tomorrow, now + 86_400),
                )
            }
        }
    }

    /// Start of the window containing `now` (unix seconds).
    fn start(self, now: i64) -> i64 {
        self.bounds(now).0
    }

    /// When the window containing `now` ends: the next one starts.
    pub fn resets_at(self, now: DateTime<Utc>) -> DateTime<Utc> {
        let end = self.bounds(to_unix(now)).1;
        DateTime::from_timestamp(end, 0).unwrap_or(now)
    }
}

/// Unix seconds of the first instant of `day` in `zone` (midnight, or the first instant after
/// it when a zone skips midnight); `fallback` if the day has no instant at all.
fn midnight(zone: Tz, day: chrono::NaiveDate, fallback: i64) -> i64 {
    day.and_hms_opt(0, 0, 0)
        .and_then(|midnight| {
            zone.from_local_datetime(&midnight).earliest().or_else(|| {
                zone.from_local_datetime(&(midnight + chrono::TimeDelta::hours(1)))
                    .earliest()
            })
        })
        .map_or(fallback, |start| start.timestamp())
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
        let (start, end) = window.bounds(to_unix(now));
        let resets_at = from_unix(end)?;
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
        for kind in [QuotaWindow::Minute.as_str(), QuotaWindow::Day.as_str()] {
            let before = now - QuotaWindow::retention(kind);
            deleted += with_conn!(&mut conn, |c| {
                diesel::delete(
                    q::api_quota
                        .filter(q::window_kind.eq(kind))
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

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("valid")
            .with_timezone(&Utc)
    }

    #[test]
    fn a_zoned_day_runs_from_midnight_to_midnight_across_daylight_saving() {
        let pacific = QuotaWindow::ZonedDay(chrono_tz::America::Los_Angeles);
        // Winter: midnight Pacific is 08:00 UTC.
        let (start, end) = pacific.bounds(to_unix(utc("2026-12-05T12:00:00Z")));
        assert_eq!(start, to_unix(utc("2026-12-05T08:00:00Z")));
        assert_eq!(end, to_unix(utc("2026-12-06T08:00:00Z")));
        // Just before midnight Pacific, still the previous day.
        assert_eq!(
            pacific.start(to_unix(utc("2026-12-05T07:59:59Z"))),
            to_unix(utc("2026-12-04T08:00:00Z"))
        );
        // The spring-forward day lasts 23 hours, the fall-back day 25.
        let (start, end) = pacific.bounds(to_unix(utc("2026-03-08T12:00:00Z")));
        assert_eq!(end - start, 23 * 3_600);
        let (start, end) = pacific.bounds(to_unix(utc("2026-11-01T12:00:00Z")));
        assert_eq!(end - start, 25 * 3_600);
        assert_eq!(
            pacific.resets_at(utc("2026-07-04T03:00:00Z")),
            utc("2026-07-04T07:00:00Z")
        );
    }
}
