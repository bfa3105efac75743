//! TikTok's per-app limits: a sliding one-minute window per endpoint and an optional daily
//! quota (reference section 9), measured on the sandbox clock.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, Utc};

use crate::clock::day_of;
use crate::endpoint::Endpoint;

/// Why a call was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LimitExceeded {
    /// The sliding minute is full; the oldest call leaves it after this many seconds.
    PerMinute { retry_after_secs: u64 },
    /// The day's quota is spent; it resets after this many seconds (UTC midnight).
    Daily { retry_after_secs: u64 },
}

#[derive(Debug, Default)]
struct Windows {
    minute: HashMap<(String, Endpoint), VecDeque<DateTime<Utc>>>,
    daily: HashMap<String, (i64, u32)>,
}

/// Admits or refuses calls per app.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    per_minute: u32,
    daily_quota: Option<u32>,
    windows: Mutex<Windows>,
}

impl RateLimiter {
    pub(crate) fn new(per_minute: u32, daily_quota: Option<u32>) -> Self {
        Self {
            per_minute,
            daily_quota,
            windows: Mutex::new(Windows::default()),
        }
    }

    /// Counts the call if it is admitted; refused calls do not use the budget.
    pub(crate) fn admit(
        &self,
        client_key: &str,
        endpoint: Endpoint,
        now: DateTime<Utc>,
    ) -> Result<(), LimitExceeded> {
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        let today = day_of(now);
        if let Some(quota) = self.daily_quota {
            let spent = match windows.daily.get(client_key) {
                Some(&(day, spent)) if day == today => spent,
                _ => 0,
            };
            if spent >= quota {
                let retry_after_secs = ((today + 1) * 86_400 - now.timestamp()).max(1) as u64;
                return Err(LimitExceeded::Daily { retry_after_secs });
            }
        }
        if self.per_minute > 0 {
            let window = windows
                .minute
                .entry((client_key.to_owned(), endpoint))
                .or_default();
            let minute_ago = now - chrono::Duration::seconds(60);
            while window.front().is_some_and(|&at| at <= minute_ago) {
                window.pop_front();
            }
            if window.len() >= self.per_minute as usize {
                let oldest = window.front().copied().unwrap_or(now);
                let leaves_in = (oldest + chrono::Duration::seconds(60) - now).num_milliseconds();
                let retry_after_secs = (leaves_in.max(1) as u64).div_ceil(1_000);
                return Err(LimitExceeded::PerMinute { retry_after_secs });
            }
            window.push_back(now);
        }
        if self.daily_quota.is_some() {
            let entry = windows
                .daily
                .entry(client_key.to_owned())
                .or_insert((today, 0));
            if entry.0 != today {
                *entry = (today, 0);
            }
            entry.1 += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_764_028_800 + seconds, 0).expect("valid time")
    }

    #[test]
    fn the_minute_window_slides() {
        let limiter = RateLimiter::new(2, None);
        assert!(limiter.admit("app", Endpoint::VideoList, at(0)).is_ok());
        assert!(limiter.admit("app", Endpoint::VideoList, at(30)).is_ok());
        assert_eq!(
            limiter.admit("app", Endpoint::VideoList, at(31)),
            Err(LimitExceeded::PerMinute {
                retry_after_secs: 29
            })
        );
        // Another endpoint and another app have their own windows.
        assert!(limiter.admit("app", Endpoint::UserInfo, at(31)).is_ok());
        assert!(limiter.admit("other", Endpoint::VideoList, at(31)).is_ok());
        assert!(limiter.admit("app", Endpoint::VideoList, at(60)).is_ok());
    }

    #[test]
    fn the_daily_quota_resets_at_midnight() {
        let limiter = RateLimiter::new(0, Some(2));
        assert!(limiter.admit("app", Endpoint::VideoList, at(0)).is_ok());
        assert!(limiter.admit("app", Endpoint::UserInfo, at(1)).is_ok());
        assert!(matches!(
            limiter.admit("app", Endpoint::VideoQuery, at(2)),
            Err(LimitExceeded::Daily { .. })
        ));
        assert!(
            limiter
                .admit("app", Endpoint::VideoList, at(86_400))
                .is_ok()
        );
    }
}
