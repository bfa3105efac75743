//! The quota engine (reference section 10): units per project, per bucket, per Pacific day,
//! charged before a call is served (invalid requests included), reset at midnight
//! `America/Los_Angeles`, and an optional per-minute limit.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard, PoisonError};

use actix_web::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::config::{BucketExhausted, GeneralExhausted, MethodCost, QuotaBucket, QuotaSettings};
use crate::pacific::{next_pacific_midnight, pacific_day};
use crate::wire::GoogleError;

/// One bucket's usage today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BucketUsage {
    /// The bucket.
    pub bucket: QuotaBucket,
    /// Units spent since the last Pacific midnight.
    pub used: u64,
    /// The daily limit, if the bucket has one.
    pub limit: Option<u64>,
}

/// A project's quota today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotaUsage {
    /// The OAuth client whose project it is.
    pub client_id: String,
    /// The Pacific day being counted.
    pub day: NaiveDate,
    /// When the counters reset (the next midnight Pacific time).
    pub resets_at: DateTime<Utc>,
    /// Every bucket.
    pub buckets: Vec<BucketUsage>,
}

impl QuotaUsage {
    /// Units spent from `bucket` today.
    pub fn used(&self, bucket: QuotaBucket) -> u64 {
        self.buckets
            .iter()
            .find(|usage| usage.bucket == bucket)
            .map_or(0, |usage| usage.used)
    }
}

/// Why a call was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The bucket's daily limit is reached.
    Daily(QuotaBucket),
    /// Too many calls this minute.
    PerMinute,
}

#[derive(Debug, Default)]
struct ProjectBooks {
    day: Option<NaiveDate>,
    used: BTreeMap<QuotaBucket, u64>,
    /// (minute since the epoch, calls in it).
    minute: (i64, u32),
}

impl ProjectBooks {
    /// Starts a new day's counters when the Pacific day changed.
    fn roll(&mut self, today: NaiveDate) {
        if self.day != Some(today) {
            self.day = Some(today);
            self.used.clear();
        }
    }
}

/// Quota books of every project.
#[derive(Debug)]
pub(crate) struct QuotaEngine {
    settings: QuotaSettings,
    books: Mutex<HashMap<String, ProjectBooks>>,
}

impl QuotaEngine {
    pub(crate) fn new(settings: QuotaSettings) -> Self {
        Self {
            settings,
            books: Mutex::new(HashMap::new()),
        }
    }

    fn books(&self) -> MutexGuard<'_, HashMap<String, ProjectBooks>> {
        self.books.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Charges one call of `method` to the project of `client_id`, or refuses it (a refused
    /// call is not charged).
    pub(crate) fn admit(
        &self,
        client_id: &str,
        method: &str,
        now: DateTime<Utc>,
    ) -> Result<MethodCost, Refusal> {
        let cost = self.settings.cost(method);
        let mut books = self.books();
        let project = books.entry(client_id.to_owned()).or_default();
        project.roll(pacific_day(now));
        if let Some(per_minute) = self.settings.per_minute {
            let minute = now.timestamp().div_euclid(60);
            if project.minute.0 != minute {
                project.minute = (minute, 0);
            }
            if project.minute.1 >= per_minute {
                return Err(Refusal::PerMinute);
            }
            project.minute.1 += 1;
        }
        let used = project.used.entry(cost.bucket).or_default();
        if let Some(limit) = self.settings.limits.get(&cost.bucket)
            && *used + cost.units > *limit
        {
            return Err(Refusal::Daily(cost.bucket));
        }
        *used += cost.units;
        Ok(cost)
    }

    /// Gives back units charged for a call that turned out cheaper (a 304).
    pub(crate) fn refund(&self, client_id: &str, bucket: QuotaBucket, units: u64) {
        if let Some(project) = self.books().get_mut(client_id)
            && let Some(used) = project.used.get_mut(&bucket)
        {
            *used = used.saturating_sub(units);
        }
    }

    /// Sets what a bucket has spent today (the control API).
    pub(crate) fn set_used(
        &self,
        client_id: &str,
        bucket: QuotaBucket,
        units: u64,
        now: DateTime<Utc>,
    ) {
        let mut books = self.books();
        let project = books.entry(client_id.to_owned()).or_default();
        project.roll(pacific_day(now));
        project.used.insert(bucket, units);
    }

    /// A project's usage at `now`.
    pub(crate) fn usage(&self, client_id: &str, now: DateTime<Utc>) -> QuotaUsage {
        let today = pacific_day(now);
        let books = self.books();
        let project = books
            .get(client_id)
            .filter(|project| project.day == Some(today));
        QuotaUsage {
            client_id: client_id.to_owned(),
            day: today,
            resets_at: next_pacific_midnight(now),
            buckets: QuotaBucket::ALL
                .into_iter()
                .map(|bucket| BucketUsage {
                    bucket,
                    used: project
                        .and_then(|project| project.used.get(&bucket))
                        .copied()
                        .unwrap_or_default(),
                    limit: self.settings.limits.get(&bucket).copied(),
                })
                .collect(),
        }
    }

    /// The error a refusal answers, in the configured shape.
    pub(crate) fn refusal_error(&self, refusal: Refusal, project_number: &str) -> GoogleError {
        match refusal {
            Refusal::PerMinute => GoogleError::rate_limited(
                StatusCode::from_u16(self.settings.per_minute_status)
                    .unwrap_or(StatusCode::FORBIDDEN),
                project_number,
            ),
            Refusal::Daily(QuotaBucket::General) => match self.settings.general_exhausted {
                GeneralExhausted::QuotaExceeded => GoogleError::quota_exceeded(),
                GeneralExhausted::DailyLimitExceeded => {
                    GoogleError::daily_limit_exceeded(project_number)
                }
            },
            Refusal::Daily(bucket) => match self.settings.bucket_exhausted {
                BucketExhausted::PerDay429 => GoogleError::per_day_limit(
                    bucket.metric(),
                    project_number,
                    StatusCode::TOO_MANY_REQUESTS,
                ),
                BucketExhausted::QuotaExceeded403 => GoogleError::quota_exceeded(),
            },
        }
    }

    /// What a 304 costs.
    pub(crate) fn not_modified_units(&self) -> u64 {
        self.settings.not_modified_units
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("valid")
            .with_timezone(&Utc)
    }

    #[test]
    fn spending_stops_at_the_limit_and_resets_at_pacific_midnight() {
        let engine = QuotaEngine::new(QuotaSettings::current().with_limit(QuotaBucket::General, 3));
        let evening = utc("2026-12-05T07:30:00Z"); // 23:30 PST, Dec 4
        for _ in 0..3 {
            assert!(engine.admit("c", "videos.list", evening).is_ok());
        }
        assert_eq!(
            engine.admit("c", "videos.list", evening),
            Err(Refusal::Daily(QuotaBucket::General))
        );
        assert_eq!(engine.usage("c", evening).used(QuotaBucket::General), 3);
        assert_eq!(
            engine.usage("c", evening).resets_at,
            utc("2026-12-05T08:00:00Z")
        );
        let after = utc("2026-12-05T08:00:00Z");
        assert!(engine.admit("c", "videos.list", after).is_ok());
        assert_eq!(engine.usage("c", after).used(QuotaBucket::General), 1);
        assert_eq!(engine.usage("other", after).used(QuotaBucket::General), 0);
    }

    #[test]
    fn buckets_are_separate_and_refusals_take_the_configured_shape() {
        let engine = QuotaEngine::new(QuotaSettings::current().with_limit(QuotaBucket::Search, 1));
        let now = utc("2026-12-05T12:00:00Z");
        assert!(engine.admit("c", "search.list", now).is_ok());
        let refusal = engine.admit("c", "search.list", now).expect_err("spent");
        let error = engine.refusal_error(refusal, "42");
        assert_eq!(error.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(error.message.contains("per day"));
        assert!(engine.admit("c", "channels.list", now).is_ok());
        let general = engine.refusal_error(Refusal::Daily(QuotaBucket::General), "42");
        assert_eq!(general.reason, "quotaExceeded");
    }

    #[test]
    fn a_per_minute_limit_refuses_within_the_minute_only() {
        let engine = QuotaEngine::new(QuotaSettings::current().with_per_minute(Some(2), 429));
        let now = utc("2026-12-05T12:00:10Z");
        assert!(engine.admit("c", "videos.list", now).is_ok());
        assert!(engine.admit("c", "videos.list", now).is_ok());
        assert_eq!(
            engine.admit("c", "videos.list", now),
            Err(Refusal::PerMinute)
        );
        assert_eq!(
            engine.refusal_error(Refusal::PerMinute, "1").status,
            StatusCode::TOO_MANY_REQUESTS
        );
        assert!(
            engine
                .admit("c", "videos.list", utc("2026-12-05T12:01:00Z"))
                .is_ok()
        );
    }
}
