//! The sync pass: lease a batch, plan it against the budget, run the selected syncs
//! concurrently, give every lease back.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use domain::{Connection, ConnectionId, Platform, SyncTrigger};
use futures::StreamExt as _;
use scheduler::{PlanConfig, PlannedDepth, PlannedSync};
use tracing::{info, warn};

use super::facts::merge_plans;
use super::reports::is_budget_refusal;
use super::{StopSignal, SyncAllReport, SyncProgress, WorkerConfig};
use crate::Services;
use crate::error::ServiceError;
use crate::sync::SyncReport;

/// How many times one account is tried again after the per-minute budget asked to wait.
const BUDGET_WAITS_PER_ACCOUNT: u32 = 3;

impl Services {
    /// Syncs every due connection (of every platform this process runs) in one leased batch: plans against the
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
        let platforms: Vec<Platform> = self
            .inner
            .platforms
            .iter()
            .map(|adapter| adapter.platform())
            .collect();
        self.sync_due(&platforms, worker, progress, stop).await
    }

    /// As [`Services::sync_due_connections`], for the connections of `platform` only (a
    /// platform's own staggered pass).
    pub async fn sync_due_connections_of(
        &self,
        platform: Platform,
        worker: &WorkerConfig,
        progress: &dyn SyncProgress,
        stop: &StopSignal,
    ) -> Result<SyncAllReport, ServiceError> {
        self.adapter(platform)?;
        self.sync_due(&[platform], worker, progress, stop).await
    }

    async fn sync_due(
        &self,
        platforms: &[Platform],
        worker: &WorkerConfig,
        progress: &dyn SyncProgress,
        stop: &StopSignal,
    ) -> Result<SyncAllReport, ServiceError> {
        let started = Instant::now();
        let now = self.now();
        let holder = self.lease_holder();
        let leased = self
            .inner
            .db
            .lease_due_connections(
                &holder,
                platforms,
                now,
                now - worker.due.effective_interval(),
                worker.lease.min,
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
        // Whatever happened, nothing of this pass keeps a lease (waiting a little for a
        // database that is restarting).
        let ids: Vec<ConnectionId> = leased.iter().map(|connection| connection.id).collect();
        self.release_leases_patiently(&ids, &holder).await;
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
        let config = PlanConfig {
            due: worker.due,
            depth: worker.depth,
        };
        let plans = self.plan_by_platform(leased, config, now).await?;
        let plan = merge_plans(&plans);
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
                self.release_lease(connection.id, holder).await;
            }
        }

        // The planning lease was short; the selected keep theirs for the whole batch.
        let batch_lease = worker.lease.for_calls(plan.estimated_calls);
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

        let concurrency = self.pass_concurrency(worker);
        let budget_spent = Arc::new(AtomicBool::new(false));
        // Once the database is unavailable no further account starts: each would fail in a
        // moment (and be counted a failure) while the outage lasts.
        let database_down = AtomicBool::new(false);
        let database_down = &database_down;
        let results: Vec<AccountResult> = futures::stream::iter(runnable)
            .map(|(planned, connection)| {
                let budget_spent = Arc::clone(&budget_spent);
                async move {
                    let result = if database_down.load(Ordering::Relaxed) {
                        AccountResult::Interrupted
                    } else {
                        self.sync_one(
                            worker,
                            stop,
                            &budget_spent,
                            holder,
                            connection,
                            planned.depth,
                        )
                        .await
                    };
                    if let AccountResult::Error(_, ServiceError::Storage(error)) = &result
                        && error.is_unavailable()
                    {
                        database_down.store(true, Ordering::Relaxed);
                    }
                    if let AccountResult::Ran(run) = &result {
                        progress.account_finished(run);
                    }
                    result
                }
            })
            .buffer_unordered(concurrency)
            .collect()
            .await;
        let mut unavailable = None;
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
                    if matches!(&error, ServiceError::Storage(storage) if storage.is_unavailable())
                    {
                        unavailable = Some(error);
                    }
                }
            }
        }
        // The database went away mid-pass: the pass is cut short, which its caller reports
        // (run-once exits non-zero; the daemon logs it and waits for its next run).
        match unavailable {
            Some(error) => Err(error),
            None => Ok(()),
        }
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
                    let lease = worker.lease.min + wait;
                    if let Err(error) = self
                        .inner
                        .db
                        .try_lease_connection(connection.id, holder, self.now(), lease)
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
