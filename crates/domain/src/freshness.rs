//! Freshness of synced data: data not refreshed for 24 hours is stale.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

/// Age after which synced data is marked stale.
pub const STALE_AFTER: TimeDelta = TimeDelta::hours(24);

/// How fresh an account's synced data is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Freshness {
    /// Never synced.
    Never,
    /// Synced less than [`STALE_AFTER`] ago.
    Fresh {
        /// Age in whole seconds.
        age_seconds: i64,
    },
    /// Synced [`STALE_AFTER`] ago or more.
    Stale {
        /// Age in whole seconds.
        age_seconds: i64,
    },
}

impl Freshness {
    /// Freshness at `now` of data last synced at `last_synced_at`. A sync time in the future
    /// (clocks apart) counts as age zero.
    pub fn of(last_synced_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Self {
        let Some(synced) = last_synced_at else {
            return Self::Never;
        };
        let age = (now - synced).max(TimeDelta::zero());
        let age_seconds = age.num_seconds();
        if age >= STALE_AFTER {
            Self::Stale { age_seconds }
        } else {
            Self::Fresh { age_seconds }
        }
    }

    /// Whether the data should be shown as stale (never synced counts as stale).
    pub const fn is_stale(self) -> bool {
        !matches!(self, Self::Fresh { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_after_a_day() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).expect("valid timestamp");
        assert_eq!(Freshness::of(None, now), Freshness::Never);
        assert_eq!(
            Freshness::of(Some(now - TimeDelta::hours(23)), now),
            Freshness::Fresh {
                age_seconds: 23 * 3600
            }
        );
        assert!(Freshness::of(Some(now - TimeDelta::hours(24)), now).is_stale());
        assert_eq!(
            Freshness::of(Some(now + TimeDelta::minutes(1)), now),
            Freshness::Fresh { age_seconds: 0 }
        );
    }
}
