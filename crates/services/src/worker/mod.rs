//! The sync worker's use cases: sync every due connection within the call budget, and the
//! status report that says what such a pass would do.
//!
//! A pass leases a batch of connections through storage (so two workers never sync the same
//! one, and a crashed worker's lease expires), reads the facts the scheduler plans with (the
//! last runs of each connection), plans with [`scheduler::plan_syncs`] (due, stalest first,
//! failures backed off, the daily budget less the manual reserve), gives back the leases of
//! what is not run, and syncs the rest concurrently: as many accounts at once as it takes to
//! reach the per-minute limit, the client's `governor` limiter spreading the calls evenly.
//! One account's failure is recorded in its run and never stops the pass.
//!
//! - [`facts`]: the budget and the scheduler's facts about each connection;
//! - [`pass`]: the sync pass;
//! - [`refresh_pass`]: the token refresh pass;
//! - [`status`]: what a pass would do now, for `sync-worker status`;
//! - [`reports`] and [`progress`]: what a pass tells its caller as it goes and at its end.

mod facts;
mod pass;
mod progress;
mod refresh_pass;
mod reports;
mod status;

use std::time::Duration;

use scheduler::{DuePolicy, LeasePolicy, SyncDepth, concurrency_for};

pub use facts::PlatformPlan;
pub use progress::{NoProgress, StopSignal, SyncProgress};
pub use reports::{SyncAllReport, TokenPassReport};
pub use status::WorkerStatus;

/// The worker's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkerConfig {
    /// When connections are due (interval, retry backoff, slack).
    pub due: DuePolicy,
    /// How deep scheduled syncs walk the video list: every page (the default), or only the
    /// recent videos between periodic full walks.
    pub depth: SyncDepth,
    /// How long a batch's leases last.
    pub lease: LeasePolicy,
    /// The most connections one pass leases.
    pub batch_size: i64,
    /// The expected latency of one TikTok call, to size the number of accounts synced at once.
    pub expected_call_latency: Duration,
    /// The most accounts (or token refreshes) in flight at once, whatever the rate limit
    /// allows: each holds database connections between its calls, so this stays at or below
    /// the database pool (8 connections by default).
    pub max_concurrency: usize,
    /// The longest wait for the per-minute budget an account sits out before it is tried
    /// again; a longer refusal (the daily budget) ends the pass and defers the rest.
    pub max_budget_wait: Duration,
}

impl Default for WorkerConfig {
    /// A daily interval, full syncs, 10,000 connections a pass, 300 ms per call, at most 8 in
    /// flight, waits of up to 90 s.
    fn default() -> Self {
        Self {
            due: DuePolicy::default(),
            depth: SyncDepth::Full,
            lease: LeasePolicy::default(),
            batch_size: 10_000,
            expected_call_latency: Duration::from_millis(300),
            max_concurrency: 8,
            max_budget_wait: Duration::from_secs(90),
        }
    }
}

impl WorkerConfig {
    /// How many accounts to run at once at `per_minute` calls a minute per endpoint:
    /// [`concurrency_for`] the expected latency, at most [`Self::max_concurrency`].
    pub fn concurrency(&self, per_minute: u32) -> usize {
        concurrency_for(per_minute, self.expected_call_latency)
            .clamp(1, self.max_concurrency.max(1))
    }
}

impl crate::Services {
    /// How many accounts (or refreshes) a pass runs at once: enough for the fastest
    /// platform's per-minute limit (a platform without one, as many as allowed); each
    /// client's own limiter paces its calls.
    fn pass_concurrency(&self, worker: &WorkerConfig) -> usize {
        self.inner
            .platforms
            .names()
            .map(|platform| {
                let per_minute = self.inner.budget.policy(platform).per_minute_per_endpoint;
                worker.concurrency(per_minute.unwrap_or(u32::MAX))
            })
            .max()
            .unwrap_or(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concurrency_follows_the_rate_limit_within_the_pool() {
        let worker = WorkerConfig::default();
        // 600 a minute at 300 ms a call: 3 in flight, plus one.
        assert_eq!(worker.concurrency(600), 4);
        assert_eq!(worker.concurrency(60_000), 8);
        let zero = WorkerConfig {
            max_concurrency: 0,
            ..WorkerConfig::default()
        };
        assert_eq!(zero.concurrency(60_000), 1);
    }
}
