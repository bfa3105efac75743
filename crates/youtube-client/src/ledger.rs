//! An in-process quota ledger: a [`CallHook`] counting units per bucket per Pacific day,
//! refusing a call its bucket cannot pay, and stopping a bucket Google said is spent until
//! the next midnight Pacific time.
//!
//! It counts **in this process only**. Several processes sharing one Cloud project share one
//! quota: give them a hook over a shared store instead (the same rules, with the counter in
//! a database), or seed each ledger's share with [`QuotaLedger::set_spent`].

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, NaiveDate, Utc};
use futures::future::BoxFuture;

use crate::quota::{next_quota_reset, quota_day};
use crate::{CallHook, CallInfo, CallOutcome, CallRejected, Clock, QuotaBucket, QuotaTable};

#[derive(Debug, Default)]
struct Day {
    day: Option<NaiveDate>,
    spent: BTreeMap<QuotaBucket, u64>,
    /// Buckets Google refused today.
    exhausted: BTreeSet<QuotaBucket>,
}

impl Day {
    fn roll(&mut self, today: NaiveDate) {
        if self.day != Some(today) {
            *self = Day {
                day: Some(today),
                ..Day::default()
            };
        }
    }
}

/// Units spent per bucket today, against the [`QuotaTable`]'s limits (see the module docs).
pub struct QuotaLedger {
    table: QuotaTable,
    clock: Clock,
    day: Mutex<Day>,
}

impl std::fmt::Debug for QuotaLedger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QuotaLedger")
            .field("day", &*self.day())
            .finish_non_exhaustive()
    }
}

impl QuotaLedger {
    /// A ledger over `table`'s limits, on the system clock.
    pub fn new(table: QuotaTable) -> Self {
        Self::with_clock(table, Arc::new(Utc::now))
    }

    /// A ledger reading "now" from `clock` (a test's, a sandbox's).
    pub fn with_clock(table: QuotaTable, clock: Clock) -> Self {
        Self {
            table,
            clock,
            day: Mutex::new(Day::default()),
        }
    }

    fn day(&self) -> MutexGuard<'_, Day> {
        self.day.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn today(&self) -> MutexGuard<'_, Day> {
        let mut day = self.day();
        day.roll(quota_day((self.clock)()));
        day
    }

    /// Units spent from `bucket` today.
    pub fn spent(&self, bucket: QuotaBucket) -> u64 {
        self.today().spent.get(&bucket).copied().unwrap_or_default()
    }

    /// Units left in `bucket` today, if it has a limit (zero once Google refused it).
    pub fn remaining(&self, bucket: QuotaBucket) -> Option<u64> {
        let limit = self.table.limit(bucket)?;
        let day = self.today();
        if day.exhausted.contains(&bucket) {
            return Some(0);
        }
        Some(limit.saturating_sub(day.spent.get(&bucket).copied().unwrap_or_default()))
    }

    /// Whether Google said `bucket` is spent today.
    pub fn is_exhausted(&self, bucket: QuotaBucket) -> bool {
        self.today().exhausted.contains(&bucket)
    }

    /// Sets what `bucket` has spent today (restoring a count kept elsewhere).
    pub fn set_spent(&self, bucket: QuotaBucket, units: u64) {
        self.today().spent.insert(bucket, units);
    }

    /// When the counters next reset.
    pub fn resets_at(&self) -> DateTime<Utc> {
        next_quota_reset((self.clock)())
    }
}

impl CallHook for QuotaLedger {
    fn before_call<'a>(&'a self, call: CallInfo<'a>) -> BoxFuture<'a, Result<(), CallRejected>> {
        let verdict = (|| {
            let cost = call.cost?;
            let now = (self.clock)();
            let wait = (next_quota_reset(now) - now).to_std().ok();
            let mut day = self.today();
            if day.exhausted.contains(&cost.bucket) {
                return Some(CallRejected::new(
                    format!(
                        "the {} quota is spent until midnight Pacific time",
                        cost.bucket
                    ),
                    wait,
                ));
            }
            let spent = day.spent.entry(cost.bucket).or_default();
            if let Some(limit) = self.table.limit(cost.bucket)
                && *spent + cost.units > limit
            {
                return Some(CallRejected::new(
                    format!(
                        "the {} quota cannot pay {} more units today ({} of {limit} spent)",
                        cost.bucket, cost.units, spent
                    ),
                    wait,
                ));
            }
            *spent += cost.units;
            None
        })();
        Box::pin(async move { verdict.map_or(Ok(()), Err) })
    }

    fn after_call(&self, call: CallInfo<'_>, outcome: CallOutcome<'_>) {
        if let Some(exhausted) = outcome.quota_exhausted {
            let bucket = exhausted
                .bucket
                .or(call.cost.map(|cost| cost.bucket))
                .unwrap_or(QuotaBucket::General);
            self.today().exhausted.insert(bucket);
        }
    }
}
