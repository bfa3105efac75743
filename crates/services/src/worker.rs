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

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use domain::{
    Connection, ConnectionId, ConnectionStatus, SyncOutcome, SyncRun, SyncTrigger,
    TokenExpiryPolicy,
};
use futures::StreamExt as _;
use scheduler::{
    Budget, DuePolicy, LeasePolicy, ManualReserve, PlanConfig, PlannedDepth, PlannedSync,
    SyncCandidate, SyncDepth, SyncPlan, concurrency_for, decide_depth, lease_duration, plan_syncs,
};
use serde::Serialize;
use storage::QuotaWindow;
use tokio::sync::watch;
use tracing::{info, warn};

use crate::Services;
use crate::error::ServiceError;
use crate::quota::{CallContext, CallPriority, DAILY_BUCKET, with_context};
use crate::sync::{FailureSource, SyncReport};
use crate::tokens::{RefreshReport, TokenError};

/// How many of a connection's latest runs are read to count its failures in a row; a longer
/// streak is backed off at the maximum anyway.
const RUNS_READ_PER_CONNECTION: i64 = 12;
/// How many connections' runs are read at once while planning.
const FACT_READS_IN_FLIGHT: usize = 8;
/// How many times one account is tried again after the per-minute budget asked to wait.
const BUDGET_WAITS_PER_ACCOUNT: u32 = 3;

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

/// What a pass of [`Services::sync_due_connections`] did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncAllReport {
    /// Connections leased for the pass.
    pub leased: u32,
    /// Syncs that succeeded (fully, or partially for lack of a scope).
    pub synced: u32,
    /// Syncs that failed for a transient reason (recorded, retried later with backoff).
    pub failed: u32,
    /// Due connections left for later because the daily budget does not cover them (by the
    /// plan, or refused by the shared call budget during the pass).
    pub deferred: u32,
    /// Syncs that ended with the connection needing re-authorization.
    pub needs_reauth: u32,
    /// Leased connections not due yet (waiting out a retry backoff).
    pub not_due: u32,
    /// Planned syncs not started because a stop was asked for.
    pub interrupted: u32,
    /// TikTok calls the syncs spent.
    pub api_calls: u32,
    /// Calls the plan estimated.
    pub planned_calls: u32,
    /// Calls the sync depth saved over full walks, as planned (from the videos stored at the
    /// last sync).
    pub calls_saved: u32,
    /// How long the pass took.
    #[serde(serialize_with = "serialize_seconds")]
    pub duration: Duration,
    /// The connections deferred for the budget, in due order.
    pub deferred_connections: Vec<ConnectionId>,
    /// Every sync that ran, in the order they finished.
    pub runs: Vec<SyncReport>,
}

fn serialize_seconds<S: serde::Serializer>(
    duration: &Duration,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64(duration.as_secs_f64())
}

impl SyncAllReport {
    fn count(&mut self, report: &SyncReport) {
        self.api_calls = self.api_calls.saturating_add(report.api_calls);
        match report.outcome {
            SyncOutcome::Success | SyncOutcome::Partial => self.synced += 1,
            SyncOutcome::NeedsReauth => self.needs_reauth += 1,
            // Our own budget said no before TikTok was asked: it waits, it did not fail.
            SyncOutcome::RateLimited if is_budget_refusal(report) => {
                self.deferred += 1;
                self.deferred_connections.push(report.connection_id);
            }
            SyncOutcome::Failed | SyncOutcome::RateLimited => self.failed += 1,
        }
    }
}

/// Whether a sync ended because the shared call budget (not TikTok) refused a call.
fn is_budget_refusal(report: &SyncReport) -> bool {
    report.failure == Some(FailureSource::Budget)
}

/// What the worker's token refresh pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenPassReport {
    /// Refreshed, needing re-auth, failed, calls.
    #[serde(flatten)]
    pub refresh: RefreshReport,
    /// Connections skipped because another process held their lease (it refreshes them
    /// itself before it syncs).
    pub leased_elsewhere: u32,
}

/// Follows a pass as it goes (a progress bar, log lines). Every method has a no-op default.
pub trait SyncProgress: Send + Sync {
    /// The plan is made: `plan.selected` are about to run.
    fn planned(&self, plan: &SyncPlan) {
        let _ = plan;
    }

    /// One account's sync ended.
    fn account_finished(&self, report: &SyncReport) {
        let _ = report;
    }
}

/// Progress that shows nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl SyncProgress for NoProgress {}

/// A stop request: once the sender says `true`, no further account is started; those in
/// progress finish.
pub type StopSignal = watch::Receiver<bool>;

/// The worker's view of the connections, for `status`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkerStatus {
    /// When it was computed.
    pub at: DateTime<Utc>,
    /// Connections by status (`active`, `needs_reauth`, `disconnected`).
    pub connections_by_status: BTreeMap<String, u32>,
    /// Active connections due for a sync now (planned or deferred).
    pub due_now: u32,
    /// The budget the plan was made against.
    pub budget: Budget,
    /// The configured sync depth.
    pub depth: SyncDepth,
    /// Calls left today for scheduled syncs (quota less reserve less spent); `None` without a
    /// daily quota.
    pub scheduled_left_today: Option<u32>,
    /// Calls left today for anything, manual syncs included; `None` without a daily quota.
    pub left_today: Option<u32>,
    /// Latest run of each connection, counted by outcome (`running` for one not finished).
    pub last_run_outcomes: BTreeMap<String, u32>,
    /// What a pass now would run and defer.
    pub plan: SyncPlan,
}

/// The facts about `connection` the scheduler plans with, from its latest `runs` (any order)
/// and its token expiry under `token_policy` at `now`. The count of recent videos, which only
/// a shallow sync depth needs, is left unknown.
pub fn sync_candidate(
    connection: &Connection,
    runs: &[SyncRun],
    token_policy: &TokenExpiryPolicy,
    now: DateTime<Utc>,
) -> SyncCandidate {
    let mut finished: Vec<&SyncRun> = runs
        .iter()
        .filter(|run| run.connection_id == connection.id && run.outcome.is_some())
        .collect();
    finished.sort_by_key(|run| std::cmp::Reverse((run.finished_at, run.id.0)));
    let is_success = |run: &&SyncRun| {
        matches!(
            run.outcome,
            Some(SyncOutcome::Success | SyncOutcome::Partial)
        )
    };
    let failures: Vec<&&SyncRun> = finished
        .iter()
        .take_while(|run| !is_success(run))
        .filter(|run| {
            matches!(
                run.outcome,
                Some(SyncOutcome::Failed | SyncOutcome::RateLimited)
            )
        })
        .collect();
    let last_success_at = finished
        .iter()
        .find(|run| is_success(run))
        .and_then(|run| run.finished_at)
        .or(connection.last_synced_at);
    let video_count = connection
        .profile
        .video_count
        .and_then(|count| u64::try_from(count).ok());
    SyncCandidate {
        last_synced_at: connection.last_synced_at,
        last_success_at,
        consecutive_failures: u32::try_from(failures.len()).unwrap_or(u32::MAX),
        last_failure_at: failures.first().and_then(|run| run.finished_at),
        last_video_count: video_count,
        last_full_sync_at: connection.last_full_sync_at,
        manual_requested_at: connection.sync_requested_at,
        token_refresh_needed: connection.status == ConnectionStatus::Active
            && token_policy.access_token_needs_refresh(
                now,
                connection.tokens_obtained_at,
                connection.access_token_expires_at,
            ),
        ..SyncCandidate::new(connection.id, connection.status)
    }
}

/// Latest run of each connection, counted by outcome.
fn count_outcomes(runs: &[SyncRun]) -> BTreeMap<String, u32> {
    let mut counts = BTreeMap::new();
    for run in runs {
        let key = run
            .outcome
            .map_or("running", |outcome| outcome.as_str())
            .to_owned();
        *counts.entry(key).or_insert(0) += 1;
    }
    counts
}

impl Services {
    /// The budget as the scheduler sees it at `now`: the configured quotas, the manual
    /// reserve, and today's calls spent by every process.
    pub async fn worker_budget(&self, now: DateTime<Utc>) -> Result<Budget, ServiceError> {
        let quota = self.inner.config.quota;
        let spent_today = match quota.daily {
            Some(_) => {
                self.inner
                    .db
                    .quota_spent(DAILY_BUCKET, QuotaWindow::Day, now)
                    .await?
            }
            None => 0,
        };
        Ok(Budget {
            per_minute_per_endpoint: quota.per_minute_per_endpoint,
            daily_quota: quota.daily,
            manual_reserve: ManualReserve::Calls(quota.manual_reserve),
            spent_today: u32::try_from(spent_today.max(0)).unwrap_or(u32::MAX),
        })
    }

    /// The scheduler's facts about each of `connections`. Under a shallow `depth`, a
    /// connection whose sync would be shallow also gets its count of stored videos inside the
    /// window, so the plan can estimate (and report) the calls the depth saves.
    async fn sync_candidates(
        &self,
        connections: &[Connection],
        depth: SyncDepth,
        now: DateTime<Utc>,
    ) -> Result<Vec<SyncCandidate>, ServiceError> {
        let policy = self.inner.config.token_policy;
        futures::stream::iter(connections)
            .map(|connection| async move {
                let runs = self
                    .inner
                    .db
                    .recent_sync_runs(connection.id, RUNS_READ_PER_CONNECTION)
                    .await?;
                let mut candidate = sync_candidate(connection, &runs, &policy, now);
                if let PlannedDepth::Recent { created_after } =
                    decide_depth(depth, candidate.last_full_sync_at, now)
                {
                    candidate.recent_video_count = Some(
                        self.inner
                            .db
                            .count_videos_posted_since(connection.id, created_after)
                            .await?,
                    );
                }
                Ok(candidate)
            })
            .buffered(FACT_READS_IN_FLIGHT)
            .collect::<Vec<Result<_, ServiceError>>>()
            .await
            .into_iter()
            .collect()
    }

    /// Syncs every due connection (of every platform) in one leased batch: plans against the
    /// budget, runs the selected syncs concurrently, and returns what happened. Failures of
    /// single accounts are in the report and in `sync_runs`; only a storage failure before
    /// the syncs start is an error.
    ///
    /// After `stop` turns `true`, no further account starts; the leases of those not started
    /// are given back.
    pub async fn sync_due_connections(
        &self,
        worker: &WorkerConfig,
        progress: &dyn SyncProgress,
        stop: &StopSignal,
    ) -> Result<SyncAllReport, ServiceError> {
        let started = Instant::now();
        let now = self.now();
        let holder = self.lease_holder();
        let planning_lease = worker
            .lease
            .min
            .to_std()
            .unwrap_or(Duration::from_secs(300));
        let leased = self
            .inner
            .db
            .lease_due_connections(
                &holder,
                now,
                now - worker.due.effective_interval(),
                planning_lease,
                worker.batch_size,
            )
            .await?;
        let mut report = SyncAllReport {
            leased: u32::try_from(leased.len()).unwrap_or(u32::MAX),
            ..SyncAllReport::default()
        };
        let outcome = self
            .run_leased(worker, progress, stop, &holder, &leased, &mut report)
            .await;
        // Whatever happened, nothing of this pass keeps a lease.
        for connection in &leased {
            if let Err(error) = self.inner.db.release_lease(connection.id, &holder).await {
                warn!(connection_id = %connection.id, %error, "could not release a lease; it will expire");
            }
        }
        outcome?;
        report.duration = started.elapsed();
        info!(
            leased = report.leased,
            synced = report.synced,
            failed = report.failed,
            deferred = report.deferred,
            needs_reauth = report.needs_reauth,
            api_calls = report.api_calls,
            "sync pass finished"
        );
        Ok(report)
    }

    async fn run_leased(
        &self,
        worker: &WorkerConfig,
        progress: &dyn SyncProgress,
        stop: &StopSignal,
        holder: &str,
        leased: &[Connection],
        report: &mut SyncAllReport,
    ) -> Result<(), ServiceError> {
        let now = self.now();
        let candidates = self.sync_candidates(leased, worker.depth, now).await?;
        let budget = self.worker_budget(now).await?;
        let config = PlanConfig {
            due: worker.due,
            depth: worker.depth,
        };
        let plan = plan_syncs(&candidates, &config, &budget, now);
        report.planned_calls = plan.estimated_calls;
        report.calls_saved = plan.calls_saved;
        report.deferred = u32::try_from(plan.deferred.len()).unwrap_or(u32::MAX);
        report.deferred_connections = plan.deferred.iter().map(|item| item.id).collect();
        report.not_due = report
            .leased
            .saturating_sub(u32::try_from(plan.selected.len() + plan.deferred.len()).unwrap_or(0));
        for deferred in &plan.deferred {
            info!(connection_id = %deferred.id, reason = %deferred.reason, "sync deferred");
        }
        progress.planned(&plan);

        // What does not run now goes back at once (a manual sync may want it).
        for connection in leased {
            if !plan
                .selected
                .iter()
                .any(|planned| planned.id == connection.id)
            {
                self.inner.db.release_lease(connection.id, holder).await?;
            }
        }

        // The planning lease was short; the selected keep theirs for the whole batch.
        let batch_lease = lease_duration(plan.estimated_calls, &worker.lease)
            .to_std()
            .unwrap_or(Duration::from_secs(300));
        let mut runnable: Vec<(PlannedSync, &Connection)> = Vec::with_capacity(plan.selected.len());
        for planned in &plan.selected {
            let Some(connection) = leased.iter().find(|c| c.id == planned.id) else {
                continue;
            };
            if self
                .inner
                .db
                .try_lease_connection(planned.id, holder, self.now(), batch_lease)
                .await?
            {
                runnable.push((*planned, connection));
            } else {
                warn!(connection_id = %planned.id, "lease lost before the sync; skipped");
            }
        }

        let concurrency = worker.concurrency(self.inner.config.quota.per_minute_per_endpoint);
        let budget_spent = Arc::new(AtomicBool::new(false));
        let results: Vec<AccountResult> = futures::stream::iter(runnable)
            .map(|(planned, connection)| {
                let budget_spent = Arc::clone(&budget_spent);
                async move {
                    let result = self
                        .sync_one(
                            worker,
                            stop,
                            &budget_spent,
                            holder,
                            connection,
                            planned.depth,
                        )
                        .await;
                    if let AccountResult::Ran(run) = &result {
                        progress.account_finished(run);
                    }
                    result
                }
            })
            .buffer_unordered(concurrency)
            .collect()
            .await;
        for result in results {
            match result {
                AccountResult::Ran(run) => {
                    report.count(&run);
                    report.runs.push(run);
                }
                AccountResult::Deferred(id) => {
                    report.deferred += 1;
                    report.deferred_connections.push(id);
                }
                AccountResult::Interrupted => report.interrupted += 1,
                AccountResult::Error(id, error) => {
                    warn!(connection_id = %id, %error, "sync could not be recorded");
                    report.failed += 1;
                }
            }
        }
        Ok(())
    }

    /// One account of a pass at its planned depth, unless a stop was asked or the daily
    /// budget ran out; waits out a short per-minute refusal of the shared budget and tries
    /// again.
    async fn sync_one(
        &self,
        worker: &WorkerConfig,
        stop: &StopSignal,
        budget_spent: &AtomicBool,
        holder: &str,
        connection: &Connection,
        depth: PlannedDepth,
    ) -> AccountResult {
        let mut waits = 0;
        loop {
            if *stop.borrow() {
                return AccountResult::Interrupted;
            }
            if budget_spent.load(Ordering::Relaxed) {
                return AccountResult::Deferred(connection.id);
            }
            let report = match self
                .sync_connection_at_depth(connection, SyncTrigger::Scheduled, depth)
                .await
            {
                Ok(report) => report,
                Err(error) => return AccountResult::Error(connection.id, error),
            };
            if !is_budget_refusal(&report) {
                return AccountResult::Ran(report);
            }
            match report.retry_after {
                Some(wait)
                    if wait <= worker.max_budget_wait && waits < BUDGET_WAITS_PER_ACCOUNT =>
                {
                    waits += 1;
                    info!(connection_id = %connection.id, wait_secs = wait.as_secs(), "per-minute budget spent; waiting");
                    // Keep the lease while waiting.
                    let lease = worker
                        .lease
                        .min
                        .to_std()
                        .unwrap_or(Duration::from_secs(300));
                    if let Err(error) = self
                        .inner
                        .db
                        .try_lease_connection(connection.id, holder, self.now(), lease + wait)
                        .await
                    {
                        return AccountResult::Error(connection.id, error.into());
                    }
                    let mut stop = stop.clone();
                    tokio::select! {
                        () = tokio::time::sleep(wait) => {}
                        _ = stop.wait_for(|stopped| *stopped) => return AccountResult::Interrupted,
                    }
                }
                _ => {
                    // The daily budget: nobody else starts today.
                    budget_spent.store(true, Ordering::Relaxed);
                    return AccountResult::Ran(report);
                }
            }
        }
    }

    /// The worker's token refresh pass: every active connection whose access token expires
    /// within the policy's margin (due for a sync or not: an unused refresh token must not
    /// lapse), each under a lease while it is refreshed, so two workers never refresh one
    /// connection at once (with rotating refresh tokens, the loser's refresh would be refused
    /// as `invalid_grant` before the winner's tokens are stored). A connection leased
    /// elsewhere is skipped: its holder refreshes it before using it.
    pub async fn refresh_expiring_tokens_leased(
        &self,
        worker: &WorkerConfig,
    ) -> Result<TokenPassReport, ServiceError> {
        let now = self.now();
        let horizon = now + self.inner.config.token_policy.access_margin;
        let candidates = self
            .inner
            .db
            .connections_expiring_before(horizon, now, worker.batch_size)
            .await?;
        let context = CallContext::new(CallPriority::Background);
        let holder = self.lease_holder();
        let lease = worker
            .lease
            .min
            .to_std()
            .unwrap_or(Duration::from_secs(300));
        // As many at once as it takes to reach the per-minute limit; the client's limiter
        // paces the calls.
        let concurrency = worker.concurrency(self.inner.config.quota.per_minute_per_endpoint);
        let outcomes: Vec<Result<RefreshOutcome, ServiceError>> = futures::stream::iter(candidates)
            .map(|connection| {
                let (context, holder) = (Arc::clone(&context), holder.as_str());
                async move {
                    let leased = self
                        .inner
                        .db
                        .try_lease_connection(connection.id, holder, self.now(), lease)
                        .await?;
                    if !leased {
                        return Ok(RefreshOutcome::LeasedElsewhere);
                    }
                    let outcome =
                        with_context(context, self.usable_access_token(&connection)).await;
                    if let Err(error) = self.inner.db.release_lease(connection.id, holder).await {
                        warn!(connection_id = %connection.id, %error, "could not release a lease; it will expire");
                    }
                    Ok(match outcome {
                        Ok(_) => RefreshOutcome::Refreshed,
                        Err(TokenError::NeedsReauth) => RefreshOutcome::NeedsReauth,
                        Err(error) => {
                            warn!(connection_id = %connection.id, %error, "refresh failed");
                            RefreshOutcome::Failed
                        }
                    })
                }
            })
            .buffer_unordered(concurrency)
            .collect()
            .await;
        let mut report = TokenPassReport::default();
        for outcome in outcomes {
            match outcome? {
                RefreshOutcome::Refreshed => report.refresh.refreshed += 1,
                RefreshOutcome::NeedsReauth => report.refresh.needs_reauth += 1,
                RefreshOutcome::Failed => report.refresh.failed += 1,
                RefreshOutcome::LeasedElsewhere => report.leased_elsewhere += 1,
            }
        }
        report.refresh.api_calls = context.calls();
        Ok(report)
    }

    /// What the worker sees now: connections by status, due now, the budget, the latest runs'
    /// outcomes, and what a pass would run and defer. Takes no lease and makes no TikTok call.
    pub async fn worker_status(&self, worker: &WorkerConfig) -> Result<WorkerStatus, ServiceError> {
        let now = self.now();
        let connections = self.inner.db.list_connections(worker.batch_size).await?;
        let mut by_status: BTreeMap<String, u32> = ConnectionStatus::ALL
            .iter()
            .map(|status| (status.as_str().to_owned(), 0))
            .collect();
        for connection in &connections {
            *by_status
                .entry(connection.status.as_str().to_owned())
                .or_insert(0) += 1;
        }
        let active: Vec<Connection> = connections
            .iter()
            .filter(|connection| connection.status == ConnectionStatus::Active)
            .cloned()
            .collect();
        let candidates = self.sync_candidates(&active, worker.depth, now).await?;
        let budget = self.worker_budget(now).await?;
        let plan = plan_syncs(
            &candidates,
            &PlanConfig {
                due: worker.due,
                depth: worker.depth,
            },
            &budget,
            now,
        );
        let ids: Vec<ConnectionId> = connections.iter().map(|connection| connection.id).collect();
        let latest = self.inner.db.latest_sync_runs(&ids).await?;
        Ok(WorkerStatus {
            at: now,
            connections_by_status: by_status,
            due_now: u32::try_from(plan.selected.len() + plan.deferred.len()).unwrap_or(u32::MAX),
            scheduled_left_today: budget.scheduled_left_today(),
            left_today: budget.left_today(),
            budget,
            depth: worker.depth,
            last_run_outcomes: count_outcomes(&latest),
            plan,
        })
    }
}

/// How one connection of a token refresh pass ended.
enum RefreshOutcome {
    Refreshed,
    NeedsReauth,
    Failed,
    LeasedElsewhere,
}

/// How one account of a pass ended.
enum AccountResult {
    /// Its sync ran (whatever the outcome).
    Ran(SyncReport),
    /// Not started: the daily budget ran out earlier in the pass.
    Deferred(ConnectionId),
    /// Not started: a stop was asked.
    Interrupted,
    /// The sync could not be recorded (storage).
    Error(ConnectionId, ServiceError),
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;
    use domain::{Platform, Profile, SyncRunId};
    use scheduler::{DueReason, select_due};

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).expect("valid timestamp")
    }

    fn connection(id: i64, last_synced_hours_ago: Option<i64>, videos: i64) -> Connection {
        Connection {
            id: ConnectionId(id),
            user_id: format!("user-{id}"),
            platform: Platform::TikTok,
            profile: Profile {
                platform_account_id: format!("open-{id}"),
                video_count: Some(videos),
                ..Profile::default()
            },
            status: ConnectionStatus::Active,
            status_error: None,
            scopes: Vec::new(),
            access_token_expires_at: Some(now() + TimeDelta::hours(20)),
            refresh_token_expires_at: Some(now() + TimeDelta::days(300)),
            tokens_obtained_at: Some(now() - TimeDelta::hours(4)),
            token_version: 1,
            refresh_failures: 0,
            next_refresh_attempt_at: None,
            last_synced_at: last_synced_hours_ago.map(|hours| now() - TimeDelta::hours(hours)),
            last_sync_outcome: None,
            last_sync_error: None,
            sync_requested_at: None,
            last_full_sync_at: None,
            created_at: now() - TimeDelta::days(30),
            updated_at: now(),
        }
    }

    fn run(id: i64, connection: i64, minutes_ago: i64, outcome: SyncOutcome) -> SyncRun {
        let finished = now() - TimeDelta::minutes(minutes_ago);
        SyncRun {
            id: SyncRunId(id),
            connection_id: ConnectionId(connection),
            trigger: SyncTrigger::Scheduled,
            started_at: finished - TimeDelta::seconds(5),
            finished_at: Some(finished),
            outcome: Some(outcome),
            videos_synced: 0,
            api_calls: 2,
            error_code: None,
            error_message: None,
        }
    }

    #[test]
    fn failures_in_a_row_are_counted_back_to_the_last_success() {
        let conn = connection(1, Some(30), 45);
        let runs = vec![
            run(4, 1, 10, SyncOutcome::Failed),
            run(3, 1, 40, SyncOutcome::RateLimited),
            run(2, 1, 24 * 60, SyncOutcome::Success),
            run(1, 1, 48 * 60, SyncOutcome::Failed),
        ];
        let candidate = sync_candidate(&conn, &runs, &TokenExpiryPolicy::default(), now());
        assert_eq!(candidate.consecutive_failures, 2);
        assert_eq!(
            candidate.last_failure_at,
            Some(now() - TimeDelta::minutes(10))
        );
        assert_eq!(
            candidate.last_success_at,
            Some(now() - TimeDelta::hours(24))
        );
        assert_eq!(candidate.last_video_count, Some(45));
        assert!(!candidate.token_refresh_needed);
    }

    #[test]
    fn the_last_full_walk_is_the_connections_not_the_last_success() {
        let mut conn = connection(1, Some(30), 45);
        conn.last_full_sync_at = Some(now() - TimeDelta::days(3));
        let runs = [run(1, 1, 30 * 60, SyncOutcome::Success)];
        let candidate = sync_candidate(&conn, &runs, &TokenExpiryPolicy::default(), now());
        assert_eq!(
            candidate.last_full_sync_at,
            Some(now() - TimeDelta::days(3))
        );
        assert_eq!(
            candidate.last_success_at,
            Some(now() - TimeDelta::hours(30))
        );
        assert_eq!(candidate.recent_video_count, None);
        conn.last_full_sync_at = None;
        let never = sync_candidate(&conn, &runs, &TokenExpiryPolicy::default(), now());
        assert_eq!(never.last_full_sync_at, None, "never walked fully");
    }

    #[test]
    fn a_recent_failure_backs_off_and_an_older_one_is_retried() {
        let policy = DuePolicy::default();
        let fresh = sync_candidate(
            &connection(1, Some(30), 0),
            &[run(1, 1, 5, SyncOutcome::Failed)],
            &TokenExpiryPolicy::default(),
            now(),
        );
        let old = sync_candidate(
            &connection(2, Some(30), 0),
            &[run(2, 2, 20, SyncOutcome::Failed)],
            &TokenExpiryPolicy::default(),
            now(),
        );
        let due = select_due(&[fresh, old], &policy, now());
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].candidate.id, ConnectionId(2));
        assert_eq!(due[0].reason, DueReason::RetryAfterFailure { attempt: 1 });
    }

    #[test]
    fn without_runs_the_connection_row_speaks() {
        let mut conn = connection(3, None, 7);
        conn.access_token_expires_at = Some(now() + TimeDelta::minutes(10));
        conn.sync_requested_at = Some(now() - TimeDelta::minutes(1));
        let candidate = sync_candidate(&conn, &[], &TokenExpiryPolicy::default(), now());
        assert_eq!(candidate.last_success_at, None);
        assert_eq!(candidate.consecutive_failures, 0);
        assert!(candidate.token_refresh_needed);
        assert_eq!(candidate.manual_requested_at, conn.sync_requested_at);
    }

    #[test]
    fn unfinished_and_other_connections_runs_are_ignored() {
        let mut running = run(5, 1, 1, SyncOutcome::Failed);
        running.outcome = None;
        let runs = vec![running, run(6, 2, 1, SyncOutcome::Failed)];
        let candidate = sync_candidate(
            &connection(1, Some(25), 0),
            &runs,
            &TokenExpiryPolicy::default(),
            now(),
        );
        assert_eq!(candidate.consecutive_failures, 0);
        assert_eq!(
            candidate.last_success_at,
            Some(now() - TimeDelta::hours(25))
        );
    }

    fn report(id: i64, outcome: SyncOutcome, failure: Option<FailureSource>) -> SyncReport {
        SyncReport {
            connection_id: ConnectionId(id),
            outcome,
            videos_synced: 0,
            full_walk: false,
            api_calls: 1,
            finished_at: now(),
            missing_scopes: Vec::new(),
            error_code: failure.map(|source| format!("{source:?}")),
            error_message: None,
            retry_after: None,
            failure,
        }
    }

    #[test]
    fn a_budget_refusal_counts_as_deferred_and_a_tiktok_429_as_failed() {
        let mut summary = SyncAllReport::default();
        summary.count(&report(1, SyncOutcome::Success, None));
        let budget = Some(FailureSource::Budget);
        summary.count(&report(2, SyncOutcome::RateLimited, budget));
        let platform = Some(FailureSource::Platform);
        summary.count(&report(3, SyncOutcome::RateLimited, platform));
        let authorization = Some(FailureSource::Authorization);
        summary.count(&report(4, SyncOutcome::NeedsReauth, authorization));
        summary.count(&report(5, SyncOutcome::Failed, platform));
        assert_eq!(
            (
                summary.synced,
                summary.deferred,
                summary.failed,
                summary.needs_reauth
            ),
            (1, 1, 2, 1)
        );
        assert_eq!(summary.deferred_connections, vec![ConnectionId(2)]);
        assert_eq!(summary.api_calls, 5);
    }

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

    #[test]
    fn outcomes_are_counted_with_running_ones() {
        let mut running = run(1, 1, 1, SyncOutcome::Success);
        running.outcome = None;
        let counts = count_outcomes(&[
            running,
            run(2, 2, 1, SyncOutcome::Success),
            run(3, 3, 1, SyncOutcome::Success),
            run(4, 4, 1, SyncOutcome::NeedsReauth),
        ]);
        assert_eq!(counts.get("running"), Some(&1));
        assert_eq!(counts.get("success"), Some(&2));
        assert_eq!(counts.get("needs_reauth"), Some(&1));
    }
}
