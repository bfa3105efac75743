//! Business Use Case rate limits (reference section 10): a rolling 24-hour count per (app,
//! account) against a budget, a throttle that lasts until the window frees up (or for an
//! injected number of minutes), and the usage headers, all on the sandbox clock.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use crate::config::CallBudget;

/// Usage of one (app, account) pair as the headers report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Usage {
    /// Percent of the 24-hour budget used (100 or more means throttled).
    pub(crate) percent: u64,
    /// Percent of the app's hourly platform budget used.
    pub(crate) app_percent: u64,
    /// Minutes until calls are admitted again (0 when not throttled).
    pub(crate) regain_minutes: u64,
}

impl Usage {
    /// `X-App-Usage`.
    pub(crate) fn app_header(&self) -> String {
        json!({
            "call_count": self.app_percent,
            "total_cputime": self.app_percent / 2,
            "total_time": self.app_percent / 2,
        })
        .to_string()
    }

    /// `X-Business-Use-Case-Usage`, keyed by the Instagram user id.
    pub(crate) fn business_header(&self, ig_user_id: &str) -> String {
        json!({
            ig_user_id: [{
                "type": "instagram",
                "call_count": self.percent,
                "total_cputime": self.percent / 3,
                "total_time": self.percent / 2,
                "estimated_time_to_regain_access": self.regain_minutes,
            }]
        })
        .to_string()
    }
}

#[derive(Debug, Default)]
struct Pair {
    calls: VecDeque<DateTime<Utc>>,
    throttled_until: Option<DateTime<Utc>>,
}

/// Admits or refuses Graph calls per (app, account).
#[derive(Debug)]
pub(crate) struct RateLimiter {
    budget: CallBudget,
    /// Calls per hour per app before `X-App-Usage` reads 100.
    app_hourly: u64,
    pairs: Mutex<HashMap<(String, usize), Pair>>,
    app_calls: Mutex<HashMap<String, VecDeque<DateTime<Utc>>>>,
}

/// A refused call: throttled, with the usage to report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Throttled(pub(crate) Usage);

impl RateLimiter {
    pub(crate) fn new(budget: CallBudget, app_hourly: u64) -> Self {
        Self {
            budget,
            app_hourly: app_hourly.max(1),
            pairs: Mutex::new(HashMap::new()),
            app_calls: Mutex::new(HashMap::new()),
        }
    }

    fn budget_of(&self, daily_impressions: u64) -> Option<u64> {
        match self.budget {
            CallBudget::Impressions {
                per_impression,
                floor,
            } => Some(per_impression.saturating_mul(daily_impressions).max(floor)),
            CallBudget::Fixed(calls) => Some(calls),
            CallBudget::Unlimited => None,
        }
    }

    /// Counts the call if admitted; a refused call does not use the budget.
    pub(crate) fn admit(
        &self,
        app_id: &str,
        account: usize,
        daily_impressions: u64,
        now: DateTime<Utc>,
    ) -> Result<Usage, Throttled> {
        let app_percent = self.count_app_call(app_id, now);
        let budget = self.budget_of(daily_impressions);
        let mut pairs = self.pairs.lock().unwrap_or_else(PoisonError::into_inner);
        let pair = pairs.entry((app_id.to_owned(), account)).or_default();
        let day_ago = now - Duration::hours(24);
        while pair.calls.front().is_some_and(|&at| at <= day_ago) {
            pair.calls.pop_front();
        }
        let percent = |calls: usize| budget.map_or(0, |b| (calls as u64 * 100) / b.max(1));
        if let Some(until) = pair.throttled_until {
            if until > now {
                return Err(Throttled(Usage {
                    percent: percent(pair.calls.len()).max(100),
                    app_percent,
                    regain_minutes: minutes_until(until, now),
                }));
            }
            pair.throttled_until = None;
        }
        if let Some(budget) = budget
            && pair.calls.len() as u64 >= budget
        {
            // Throttled until the oldest call leaves the window.
            let until = pair
                .calls
                .front()
                .map_or(now, |&oldest| oldest + Duration::hours(24));
            pair.throttled_until = Some(until);
            return Err(Throttled(Usage {
                percent: 100,
                app_percent,
                regain_minutes: minutes_until(until, now),
            }));
        }
        pair.calls.push_back(now);
        Ok(Usage {
            percent: percent(pair.calls.len()),
            app_percent,
            regain_minutes: 0,
        })
    }

    /// Throttles a pair for `minutes` from `now` (an injected throttle).
    pub(crate) fn throttle(&self, app_id: &str, account: usize, minutes: u64, now: DateTime<Utc>) {
        let mut pairs = self.pairs.lock().unwrap_or_else(PoisonError::into_inner);
        let until = now + Duration::minutes(i64::try_from(minutes).unwrap_or(i64::MAX / 120));
        pairs
            .entry((app_id.to_owned(), account))
            .or_default()
            .throttled_until = Some(until);
    }

    fn count_app_call(&self, app_id: &str, now: DateTime<Utc>) -> u64 {
        let mut apps = self
            .app_calls
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let calls = apps.entry(app_id.to_owned()).or_default();
        let hour_ago = now - Duration::hours(1);
        while calls.front().is_some_and(|&at| at <= hour_ago) {
            calls.pop_front();
        }
        calls.push_back(now);
        (calls.len() as u64 * 100 / self.app_hourly).min(100)
    }
}

/// Whole minutes from `now` until `until`, rounded up.
fn minutes_until(until: DateTime<Utc>, now: DateTime<Utc>) -> u64 {
    let seconds = (until - now).num_seconds().max(0) as u64;
    seconds.div_ceil(60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::test_start;

    #[test]
    fn the_budget_rolls_over_24_hours_and_reports_the_wait() {
        let limiter = RateLimiter::new(CallBudget::Fixed(2), 1_000);
        let start = test_start();
        assert_eq!(limiter.admit("app", 0, 1, start).map(|u| u.percent), Ok(50));
        assert!(
            limiter
                .admit("app", 0, 1, start + Duration::hours(1))
                .is_ok()
        );
        let refused = limiter
            .admit("app", 0, 1, start + Duration::hours(2))
            .expect_err("over budget");
        assert_eq!(refused.0.regain_minutes, 22 * 60);
        assert!(limiter.admit("app", 1, 1, start).is_ok(), "per account");
        assert!(limiter.admit("other", 0, 1, start).is_ok(), "per app");
        assert!(
            limiter
                .admit("app", 0, 1, start + Duration::hours(24))
                .is_ok()
        );
    }

    #[test]
    fn an_injected_throttle_lasts_its_minutes_and_budgets_scale_with_impressions() {
        let limiter = RateLimiter::new(
            CallBudget::Impressions {
                per_impression: 2,
                floor: 1,
            },
            1_000,
        );
        let start = test_start();
        limiter.throttle("app", 0, 5, start);
        let refused = limiter.admit("app", 0, 10, start).expect_err("throttled");
        assert_eq!(refused.0.regain_minutes, 5);
        assert!(
            limiter
                .admit("app", 0, 10, start + Duration::minutes(5))
                .is_ok()
        );
        let usage = limiter
            .admit("app", 0, 10, start + Duration::minutes(6))
            .expect("ok");
        assert_eq!(usage.percent, 10, "2 of 20 calls");
        let header: serde_json::Value =
            serde_json::from_str(&usage.business_header("178")).expect("JSON");
        assert_eq!(header["178"][0]["type"], "instagram");
    }
}
