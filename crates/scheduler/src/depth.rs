//! How deep a sync walks the video list.
//!
//! By default every sync walks every page: the metrics of old videos change too. For creators
//! with many videos and a tight quota, [`SyncDepth::Recent`] makes daily syncs stop at videos
//! older than N days, and still walks everything once every M days per connection.

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

/// The configured sync depth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SyncDepth {
    /// Every sync walks every video page.
    #[default]
    Full,
    /// Daily syncs stop at videos older than `newer_than_days`; a full walk happens once every
    /// `full_every_days` per connection.
    Recent {
        /// Videos created within this many days are synced every time (at least 1).
        newer_than_days: u32,
        /// A connection's sync walks every page when its last full walk is at least this many
        /// calendar days old (at least 1).
        full_every_days: u32,
    },
}

/// A [`SyncDepth`] that cannot work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DepthError {
    /// `newer_than_days` was 0: no video would ever be synced between full walks.
    #[error("the recent-video window must be at least 1 day")]
    EmptyWindow,
    /// `full_every_days` was 0: every sync would be full anyway.
    #[error("the full-sync period must be at least 1 day")]
    NoFullPeriod,
}

impl SyncDepth {
    /// A validated [`SyncDepth::Recent`].
    pub fn recent(newer_than_days: u32, full_every_days: u32) -> Result<Self, DepthError> {
        if newer_than_days == 0 {
            return Err(DepthError::EmptyWindow);
        }
        if full_every_days == 0 {
            return Err(DepthError::NoFullPeriod);
        }
        Ok(Self::Recent {
            newer_than_days,
            full_every_days,
        })
    }
}

/// What one sync does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PlannedDepth {
    /// Walk every video page.
    Full,
    /// Walk pages (newest first) until a video created before `created_after` is seen; the
    /// list cursor is a creation time, so a cursor before it also ends the walk.
    Recent {
        /// Videos created at or after this instant are synced.
        created_after: DateTime<Utc>,
    },
}

impl PlannedDepth {
    /// Whether this sync walks every page.
    pub const fn is_full(&self) -> bool {
        matches!(self, Self::Full)
    }
}

/// The depth of a sync starting at `now` for a connection whose last full walk finished at
/// `last_full_sync_at`.
///
/// The period is counted in UTC calendar days, not in 24-hour spans, so a daily run that
/// starts a few minutes earlier than the last full one still does its full walk on the M-th
/// day rather than a day later. A connection never fully synced gets a full walk.
pub fn decide_depth(
    option: SyncDepth,
    last_full_sync_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> PlannedDepth {
    let SyncDepth::Recent {
        newer_than_days,
        full_every_days,
    } = option
    else {
        return PlannedDepth::Full;
    };
    let Some(last_full) = last_full_sync_at else {
        return PlannedDepth::Full;
    };
    let days_since_full = (now.date_naive() - last_full.date_naive()).num_days();
    if days_since_full >= i64::from(full_every_days) {
        return PlannedDepth::Full;
    }
    PlannedDepth::Recent {
        created_after: now - TimeDelta::days(i64::from(newer_than_days)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day_at(day: i64, hour: i64, minute: i64) -> DateTime<Utc> {
        // 2027-01-15T00:00:00Z
        DateTime::from_timestamp(1_800_000_000 - 1_800_000_000 % 86_400, 0)
            .expect("valid timestamp")
            + TimeDelta::days(day)
            + TimeDelta::hours(hour)
            + TimeDelta::minutes(minute)
    }

    #[test]
    fn full_is_always_full() {
        assert_eq!(
            decide_depth(SyncDepth::Full, Some(day_at(0, 3, 0)), day_at(1, 3, 0)),
            PlannedDepth::Full
        );
    }

    #[test]
    fn recent_syncs_between_full_walks() {
        let option = SyncDepth::recent(30, 7).expect("valid depth");
        let last_full = day_at(0, 3, 31);
        assert_eq!(
            decide_depth(option, None, day_at(0, 3, 30)),
            PlannedDepth::Full
        );
        assert_eq!(
            decide_depth(option, Some(last_full), day_at(1, 3, 30)),
            PlannedDepth::Recent {
                created_after: day_at(1 - 30, 3, 30)
            }
        );
        assert!(!decide_depth(option, Some(last_full), day_at(6, 23, 59)).is_full());
        // Seven calendar days later, a few minutes earlier in the day: full.
        assert!(decide_depth(option, Some(last_full), day_at(7, 3, 30)).is_full());
    }

    #[test]
    fn invalid_depths_are_refused() {
        assert_eq!(SyncDepth::recent(0, 7), Err(DepthError::EmptyWindow));
        assert_eq!(SyncDepth::recent(7, 0), Err(DepthError::NoFullPeriod));
        assert_eq!(SyncDepth::default(), SyncDepth::Full);
    }

    proptest! {
        #[test]
        fn a_full_walk_happens_at_least_every_period(period in 1_u32..60, last_day in 0_i64..100, elapsed_minutes in 0_i64..200 * 24 * 60) {
            let option = SyncDepth::recent(3, period).expect("valid depth");
            let last_full = day_at(last_day, 12, 0);
            let now = last_full + TimeDelta::minutes(elapsed_minutes);
            let depth = decide_depth(option, Some(last_full), now);
            if elapsed_minutes >= i64::from(period) * 24 * 60 {
                prop_assert!(depth.is_full());
            }
            if elapsed_minutes < (i64::from(period) - 1) * 24 * 60 {
                prop_assert!(!depth.is_full());
            }
        }
    }
}
