//! The subcommands, over built [`Services`]: what `main` runs, and what the tests drive.

use std::time::Duration;

use chrono::Utc;
use scheduler::{Job, Schedules};
use serde::Serialize;
use services::outbox::{Deliverer, DeliveryReport};
use services::{
    ServiceError, Services, StopSignal, SyncAllReport, SyncProgress, TokenPassReport, WorkerConfig,
};
use tokio::sync::watch;
use tracing::{error, info, warn};

use crate::cli::MAX_DAEMON_SLEEP;

/// What `run-once` did.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunOnceReport {
    /// The token refresh pass, which runs first.
    pub tokens: TokenPassReport,
    /// The sync pass.
    pub sync: SyncAllReport,
}

/// `run-once`: refreshes the tokens that expire soon first (whether or not their
/// connection is due: an unused refresh token must not lapse), then syncs every due
/// connection. Account failures are in the report; an error means the worker could not
/// run (the database).
pub async fn run_once(
    services: &Services,
    worker: &WorkerConfig,
    progress: &dyn SyncProgress,
    stop: &StopSignal,
) -> Result<RunOnceReport, ServiceError> {
    let tokens = services.refresh_expiring_tokens_leased(worker).await?;
    info!(summary = %crate::display::refresh_summary(&tokens), "token refresh finished");
    let sync = services
        .sync_due_connections(worker, progress, stop)
        .await?;
    prune_history(services).await;
    expire_unrefreshed_data(services).await;
    Ok(RunOnceReport { tokens, sync })
}

/// Deletes old webhook records; a failure is logged, never fatal (the next pass retries).
async fn prune_history(services: &Services) {
    match services.prune_webhook_history().await {
        Ok(pruned) => info!(
            webhooks = pruned.webhooks,
            notifications = pruned.notifications,
            "old webhook records pruned"
        ),
        Err(error) => warn!(%error, "old webhook records could not be pruned"),
    }
    match services.purge_expired().await {
        Ok(purged) => info!(
            oauth_states = purged.oauth_states,
            quota_windows = purged.quota_windows,
            pauses = purged.pauses,
            "expired rows purged"
        ),
        Err(error) => warn!(%error, "expired rows could not be purged"),
    }
}

/// Deletes the data platforms' policies do not let us keep unrefreshed (YouTube's 30 days);
/// a failure is logged, never fatal (the next pass retries).
async fn expire_unrefreshed_data(services: &Services) {
    if let Err(error) = services.expire_unrefreshed_data().await {
        warn!(%error, "unrefreshed platform data could not be expired");
    }
}

/// A stop signal that turns `true` on Ctrl-C or SIGTERM, and its sender (kept alive by the
/// listening task).
pub fn stop_on_signals() -> StopSignal {
    let (sender, receiver) = watch::channel(false);
    tokio::spawn(async move {
        wait_for_signal().await;
        info!("stop requested: finishing the accounts in progress");
        let _ = sender.send(true);
        // Keep the sender alive so receivers see `true`, not a closed channel.
        sender.closed().await;
    });
    receiver
}

#[cfg(unix)]
async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut terminate) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate.recv() => {}
            }
        }
        Err(error) => {
            warn!(%error, "cannot listen for SIGTERM; only Ctrl-C stops the worker");
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() {
    let _ = tokio::signal::ctrl_c().await;
}

/// `daemon`: runs the jobs on `schedules` until `stop`. Jobs that fall due together run
/// tokens first, then the syncs (one all-platforms pass stands for each platform's). A failed job (the database away) is logged and the
/// daemon waits for the next run rather than exiting.
pub async fn daemon(
    services: &Services,
    worker: &WorkerConfig,
    schedules: &Schedules,
    progress: &dyn SyncProgress,
    stop: &StopSignal,
) {
    let mut stop_wait = stop.clone();
    loop {
        if *stop.borrow() {
            break;
        }
        let now = Utc::now();
        let Some(next) = schedules.next_run(now) else {
            warn!("no schedule fires again; stopping");
            break;
        };
        let wait = (next.at - now).to_std().unwrap_or(Duration::ZERO);
        info!(next_run = %next.at, jobs = ?next.jobs.iter().map(ToString::to_string).collect::<Vec<_>>(), "waiting for the next run");
        // Sleep in bounded steps: a suspended machine or a clock change is noticed soon.
        tokio::select! {
            () = tokio::time::sleep(wait.min(MAX_DAEMON_SLEEP)) => {}
            _ = stop_wait.wait_for(|stopped| *stopped) => break,
        }
        if Utc::now() < next.at {
            continue;
        }
        // The all-platforms pass covers each platform's when they fall due together.
        let all_platforms_due = next.jobs.contains(&Job::SyncAllPlatforms);
        for job in next.jobs {
            if *stop.borrow() {
                break;
            }
            let pass = match job {
                Job::RefreshTokens => {
                    match services.refresh_expiring_tokens_leased(worker).await {
                        Ok(report) => {
                            info!(summary = %crate::display::refresh_summary(&report), "token refresh finished")
                        }
                        Err(error) => error!(%error, "token refresh could not run"),
                    }
                    continue;
                }
                Job::SyncAllPlatforms => {
                    services.sync_due_connections(worker, progress, stop).await
                }
                Job::SyncPlatform(_) if all_platforms_due => continue,
                Job::SyncPlatform(platform) => {
                    services
                        .sync_due_connections_of(platform, worker, progress, stop)
                        .await
                }
            };
            match pass {
                Ok(report) => {
                    info!(summary = %crate::display::sync_summary(&report), "{job} finished")
                }
                Err(error) => error!(%error, "{job} could not run"),
            }
            prune_history(services).await;
            expire_unrefreshed_data(services).await;
        }
    }
    info!("daemon stopped");
}

/// One pass over the host notifications' outbox (after `run-once` or `refresh-tokens`): every
/// due event is tried once; failures wait for their backoff and the next process that
/// delivers. A database failure is logged, not fatal: the syncs themselves are done.
pub async fn deliver_notifications(deliverer: &Deliverer) -> Option<DeliveryReport> {
    match deliverer.deliver_due().await {
        Ok(report) => Some(report),
        Err(error) => {
            warn!(%error, "host notifications could not be delivered; they stay queued");
            None
        }
    }
}

/// Delivers host notifications until `stop` turns true (beside the daemon's jobs).
pub async fn deliver_until_stopped(deliverer: Deliverer, stop: &StopSignal) {
    let mut stop = stop.clone();
    deliverer
        .run_until(async move {
            let _ = stop.wait_for(|stopped| *stopped).await;
        })
        .await;
}
