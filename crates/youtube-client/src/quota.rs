//! Quota units (reference section 10): what each method costs and from which daily bucket,
//! the buckets' limits, the cost of syncing a channel, and the quota day, which ends at
//! midnight Pacific time (`America/Los_Angeles`, across daylight saving).
//!
//! Google's own pages disagree on the buckets and costs (2026 per-method buckets versus the
//! older single pool), so the table is data: [`QuotaTable::current`],
//! [`QuotaTable::single_pool`], or any override.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Duration, NaiveDate, TimeZone as _, Utc};
use chrono_tz::Tz;

use crate::StatsSource;

/// The time zone of YouTube's quota day (and of Analytics days).
pub const QUOTA_TIME_ZONE: Tz = chrono_tz::America::Los_Angeles;

/// A daily quota bucket of a Cloud project.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum QuotaBucket {
    /// "All other endpoints": 10,000 units a day.
    General,
    /// `search.list` (2026: its own 100 calls a day).
    Search,
    /// `videos.insert` (2026: its own 100 calls a day).
    VideosInsert,
    /// `videos.batchGetStats`: its own 10,000 units a day.
    BatchGetStats,
    /// The Analytics API's own quota (it is not counted in Data API units; unconfirmed).
    Analytics,
}

impl QuotaBucket {
    /// Every bucket.
    pub const ALL: [QuotaBucket; 5] = [
        QuotaBucket::General,
        QuotaBucket::Search,
        QuotaBucket::VideosInsert,
        QuotaBucket::BatchGetStats,
        QuotaBucket::Analytics,
    ];

    /// A stable snake-case label.
    pub const fn as_str(self) -> &'static str {
        match self {
            QuotaBucket::General => "general",
            QuotaBucket::Search => "search",
            QuotaBucket::VideosInsert => "videos_insert",
            QuotaBucket::BatchGetStats => "batch_get_stats",
            QuotaBucket::Analytics => "analytics",
        }
    }
}

impl fmt::Display for QuotaBucket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What one call of a method costs, from which bucket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct UnitCost {
    /// The bucket charged.
    pub bucket: QuotaBucket,
    /// Units per call (per page, for paged methods).
    pub units: u64,
}

impl UnitCost {
    /// `units` from `bucket`.
    pub const fn new(bucket: QuotaBucket, units: u64) -> Self {
        Self { bucket, units }
    }
}

/// Unit costs per Google method name (`channels.list`, `videos.batchGetStats`, ...) and daily
/// limits per bucket. A method not in the table costs 1 general unit ("all requests,
/// including invalid ones, cost at least one unit").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuotaTable {
    costs: BTreeMap<String, UnitCost>,
    limits: BTreeMap<QuotaBucket, u64>,
}

impl QuotaTable {
    /// The 2026 reading: `search.list` and `videos.insert` in buckets of 100 calls at 1 a
    /// call, `videos.batchGetStats` 1 unit from its own 10,000, `captions.list` 50, writes 50,
    /// every other read 1 unit from the general 10,000; Analytics in its own bucket without a
    /// known limit.
    pub fn current() -> Self {
        use QuotaBucket::{Analytics, BatchGetStats, General, Search, VideosInsert};
        let costs = [
            ("channels.list", General, 1),
            ("playlistItems.list", General, 1),
            ("videos.list", General, 1),
            ("activities.list", General, 1),
            ("commentThreads.list", General, 1),
            ("comments.list", General, 1),
            ("playlists.list", General, 1),
            ("subscriptions.list", General, 1),
            ("videoCategories.list", General, 1),
            ("videos.getRating", General, 1),
            ("captions.list", General, 50),
            ("videos.update", General, 50),
            ("videos.rate", General, 50),
            ("thumbnails.set", General, 50),
            ("captions.insert", General, 400),
            ("captions.update", General, 450),
            ("videos.batchGetStats", BatchGetStats, 1),
            ("search.list", Search, 1),
            ("videos.insert", VideosInsert, 1),
            ("reports.query", Analytics, 1),
        ];
        Self {
            costs: costs
                .into_iter()
                .map(|(method, bucket, units)| (method.to_owned(), UnitCost::new(bucket, units)))
                .collect(),
            limits: [
                (General, 10_000),
                (Search, 100),
                (VideosInsert, 100),
                (BatchGetStats, 10_000),
            ]
            .into_iter()
            .collect(),
        }
    }

    /// The older single pool (the `/v3/` and localized copies of the quota page): everything
    /// from one 10,000-unit bucket, `search.list` 100 units, `videos.insert` 1,600.
    pub fn single_pool() -> Self {
        let mut table = Self::current();
        for (method, units) in [
            ("videos.batchGetStats", 1),
            ("search.list", 100),
            ("videos.insert", 1_600),
        ] {
            table.costs.insert(
                method.to_owned(),
                UnitCost::new(QuotaBucket::General, units),
            );
        }
        table.limits = [(QuotaBucket::General, 10_000)].into_iter().collect();
        table
    }

    /// Sets one method's cost.
    pub fn with_cost(mut self, method: impl Into<String>, bucket: QuotaBucket, units: u64) -> Self {
        self.costs
            .insert(method.into(), UnitCost::new(bucket, units));
        self
    }

    /// Sets a bucket's daily limit (a quota extension, say).
    pub fn with_limit(mut self, bucket: QuotaBucket, units: u64) -> Self {
        self.limits.insert(bucket, units);
        self
    }

    /// Removes a bucket's daily limit.
    pub fn without_limit(mut self, bucket: QuotaBucket) -> Self {
        self.limits.remove(&bucket);
        self
    }

    /// What one call of `method` costs.
    pub fn cost(&self, method: &str) -> UnitCost {
        self.costs
            .get(method)
            .copied()
            .unwrap_or(UnitCost::new(QuotaBucket::General, 1))
    }

    /// A bucket's daily limit, if it has a known one.
    pub fn limit(&self, bucket: QuotaBucket) -> Option<u64> {
        self.limits.get(&bucket).copied()
    }

    /// Every priced method.
    pub fn costs(&self) -> impl Iterator<Item = (&str, UnitCost)> {
        self.costs
            .iter()
            .map(|(method, cost)| (method.as_str(), *cost))
    }

    /// The units a full sync of a channel with `uploads` items in its uploads playlist costs
    /// (reference section 10.3): `channels.list` once, `playlistItems.list` once per page of
    /// 50 (an empty playlist still costs one page), and the counters once per 50 videos,
    /// from `videos.list` or from `videos.batchGetStats`. With `videos.batchGetStats`,
    /// `new_videos` of the uploads are also read once with `videos.list` for their titles and
    /// thumbnails. Analytics calls are not included.
    pub fn sync_cost(&self, uploads: u64, source: StatsSource, new_videos: u64) -> SyncCost {
        let pages = uploads.div_ceil(50);
        let mut cost = SyncCost::default();
        cost.add(self.cost("channels.list"), 1);
        cost.add(self.cost("playlistItems.list"), pages.max(1));
        match source {
            StatsSource::VideosList => cost.add(self.cost("videos.list"), pages),
            StatsSource::BatchGetStats => {
                cost.add(
                    self.cost("videos.list"),
                    new_videos.min(uploads).div_ceil(50),
                );
                cost.add(self.cost("videos.batchGetStats"), pages);
            }
        }
        cost
    }
}

impl Default for QuotaTable {
    fn default() -> Self {
        Self::current()
    }
}

/// Units per bucket (what a sync costs).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncCost {
    units: BTreeMap<QuotaBucket, u64>,
}

impl SyncCost {
    fn add(&mut self, cost: UnitCost, calls: u64) {
        if calls > 0 {
            *self.units.entry(cost.bucket).or_default() += cost.units * calls;
        }
    }

    /// Units from `bucket`.
    pub fn units(&self, bucket: QuotaBucket) -> u64 {
        self.units.get(&bucket).copied().unwrap_or_default()
    }

    /// Units from every bucket together.
    pub fn total(&self) -> u64 {
        self.units.values().sum()
    }

    /// Each bucket with units.
    pub fn by_bucket(&self) -> impl Iterator<Item = (QuotaBucket, u64)> + '_ {
        self.units.iter().map(|(bucket, units)| (*bucket, *units))
    }
}

/// The quota day (a Pacific calendar day) `now` falls on.
pub fn quota_day(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&QUOTA_TIME_ZONE).date_naive()
}

/// When the quota day `day` begins: midnight Pacific time. Midnight always exists in Los
/// Angeles (clocks change at 02:00); the fallback only guards a future rule change.
pub fn quota_day_start(day: NaiveDate) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    match QUOTA_TIME_ZONE.from_local_datetime(&midnight).earliest() {
        Some(start) => start.with_timezone(&Utc),
        None => Utc.from_utc_datetime(&midnight) + Duration::hours(8),
    }
}

/// When the quota next resets after `now`: the next midnight Pacific time (08:00 UTC in
/// winter, 07:00 UTC in summer).
pub fn next_quota_reset(now: DateTime<Utc>) -> DateTime<Utc> {
    let today = quota_day(now);
    quota_day_start(today.succ_opt().unwrap_or(today))
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
    fn the_reset_follows_daylight_saving() {
        // Winter (PST, UTC-8) and summer (PDT, UTC-7).
        assert_eq!(
            next_quota_reset(utc("2026-12-05T12:00:00Z")),
            utc("2026-12-06T08:00:00Z")
        );
        assert_eq!(
            next_quota_reset(utc("2026-07-04T03:00:00Z")),
            utc("2026-07-04T07:00:00Z")
        );
        // The night clocks spring forward (2026-03-08): the day that starts is 23 hours long.
        let before = utc("2026-03-08T07:59:59Z");
        assert_eq!(next_quota_reset(before), utc("2026-03-08T08:00:00Z"));
        assert_eq!(
            next_quota_reset(utc("2026-03-08T08:00:00Z")),
            utc("2026-03-09T07:00:00Z")
        );
        // And fall back (2026-11-01): 25 hours.
        assert_eq!(
            next_quota_reset(utc("2026-11-01T07:00:00Z")),
            utc("2026-11-02T08:00:00Z")
        );
        assert_eq!(
            quota_day(utc("2026-11-02T07:59:59Z")),
            NaiveDate::from_ymd_opt(2026, 11, 1).expect("date")
        );
    }

    #[test]
    fn the_two_readings_price_search_differently() {
        assert_eq!(
            QuotaTable::current().cost("search.list"),
            UnitCost::new(QuotaBucket::Search, 1)
        );
        assert_eq!(
            QuotaTable::single_pool().cost("search.list"),
            UnitCost::new(QuotaBucket::General, 100)
        );
        assert_eq!(QuotaTable::single_pool().limit(QuotaBucket::Search), None);
        assert_eq!(
            QuotaTable::current().cost("something.new"),
            UnitCost::new(QuotaBucket::General, 1)
        );
        let overridden = QuotaTable::current().with_cost("videos.list", QuotaBucket::General, 3);
        assert_eq!(overridden.cost("videos.list").units, 3);
    }

    #[test]
    fn sync_costs_follow_section_10_3() {
        let table = QuotaTable::current();
        let classic = |n| table.sync_cost(n, StatsSource::VideosList, 0).total();
        assert_eq!(classic(0), 2);
        assert_eq!(classic(50), 3);
        assert_eq!(classic(51), 5);
        assert_eq!(classic(120), 7);
        assert_eq!(classic(1_000), 41);
        let batch = table.sync_cost(1_000, StatsSource::BatchGetStats, 30);
        assert_eq!(batch.units(QuotaBucket::General), 1 + 20 + 1);
        assert_eq!(batch.units(QuotaBucket::BatchGetStats), 20);
        let pool = QuotaTable::single_pool().sync_cost(1_000, StatsSource::BatchGetStats, 0);
        assert_eq!(pool.units(QuotaBucket::General), 41);
    }
}
