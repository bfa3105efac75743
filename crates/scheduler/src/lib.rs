//! What to sync and when: the planning half of the sync worker, with no I/O of its own.
//!
//! Every function here is pure: the caller passes `now` and the facts it read from storage,
//! and gets back plain data to act on. Nothing reads a clock, a database or the network, so
//! the rules can be tested exhaustively and several worker processes reach the same answers.
//!
//! - [`candidate`]: the facts about one connection, read from it and its latest runs.
//! - [`due`]: which connections are due for a sync, stalest first, failures retried with
//!   backoff.
//! - [`cost`]: what one account's sync is expected to cost under its platform's model.
//! - [`depth`]: full syncs, or shallow daily syncs with a periodic full walk.
//! - [`budget`]: the daily quota split between scheduled syncs and a reserve for manual ones.
//! - [`plan`]: the whole daily plan from the candidates, in one call.
//! - [`pacing`]: a `governor` quota that spreads calls evenly, and how many accounts to sync
//!   at once so the rate limit (not latency) is the bottleneck.
//! - [`schedule`]: the cron schedules of the daemon's jobs.
//! - [`lease`]: how long a worker leases its batch, and which tokens to refresh.
//! - [`backoff`]: the exponential backoff the other modules share.
//!
//! ```
//! use chrono::{DateTime, TimeDelta, Utc};
//! use domain::{ConnectionId, ConnectionStatus};
//! use scheduler::{Budget, CostModel, PlanConfig, SyncCandidate, plan_syncs};
//!
//! let now: DateTime<Utc> = "2026-11-25T03:30:00Z".parse().expect("valid time");
//! let candidates: Vec<SyncCandidate> = (1..=3)
//!     .map(|id| SyncCandidate {
//!         last_success_at: Some(now - TimeDelta::days(id)),
//!         last_video_count: Some(100),
//!         ..SyncCandidate::new(ConnectionId(id), ConnectionStatus::Active)
//!     })
//!     .collect();
//! // 14 calls a day, 10% (rounded down: 1) kept for manual syncs.
//! let budget = Budget { daily_quota: Some(14), ..Budget::default() };
//! let plan = plan_syncs(&candidates, &PlanConfig::default(), &CostModel::TIKTOK, &budget, now);
//! // Each sync costs 1 + 100 / 20 = 6 calls; the 13 left for the schedule cover two,
//! // the stalest.
//! let selected: Vec<i64> = plan.selected.iter().map(|sync| sync.id.0).collect();
//! assert_eq!(selected, vec![3, 2]);
//! assert_eq!(plan.deferred[0].id, ConnectionId(1));
//! ```
#![warn(missing_docs)]

pub mod backoff;
pub mod budget;
pub mod candidate;
pub mod cost;
pub mod depth;
pub mod due;
pub mod lease;
pub mod pacing;
pub mod plan;
pub mod schedule;

pub use backoff::{exponential_backoff, rate_limited_delay};
pub use budget::TIKTOK_PER_MINUTE_PER_ENDPOINT;
pub use budget::{Budget, DeferReason, Deferred, ManualReserve, PlannedSync, SyncPlan};
pub use budget::{manual_sync_allowed, plan_daily_sync};
pub use candidate::sync_candidate;
pub use cost::{CostModel, CostedSync, SyncEstimate, VIDEOS_PER_PAGE, estimate_sync};
pub use depth::{DepthError, PlannedDepth, SyncDepth, decide_depth};
pub use due::select_due;
pub use due::{DuePolicy, DueReason, DueSync, NextDue, SyncCandidate, next_due, next_due_at};
pub use lease::{LeasePolicy, RefreshCandidate, RefreshHorizon, TokenRefresh, TokenRefreshReason};
pub use lease::{refresh_query_horizon, select_token_refreshes};
pub use pacing::{MAX_CONCURRENCY, concurrency_for, pacing_quota};
pub use plan::{PlanConfig, plan_syncs};
pub use schedule::{
    DEFAULT_REFRESH_TOKENS, DEFAULT_SYNC_ALL_PLATFORMS, Job, NextRun, ScheduleError, Schedules,
    parse_cron,
};
