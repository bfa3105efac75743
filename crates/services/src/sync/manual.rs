//! A creator's "Sync now": the cooldown, one sync per connection at a time, the budget.

use std::time::Duration;

use chrono::{DateTime, Utc};
use domain::{Connection, ConnectionStatus, Platform, SyncOutcome, SyncTrigger};
use serde::Serialize;

use super::{FailureSource, SyncReport};
use crate::Services;
use crate::error::ServiceError;

/// How many of the latest runs are searched for the last manual one.
const RUNS_SCANNED_FOR_COOLDOWN: i64 = 20;

/// The answer to a creator's "Sync now".
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum ManualSync {
    /// The sync ran.
    #[serde(rename = "synced")]
    Synced(SyncReport),
    /// The platform's call budget is spent for now; the worker will sync the connection.
    #[serde(rename = "queued")]
    Queued {
        /// Why, in words.
        message: String,
    },
}

impl Services {
    /// Refuses a manual sync while another is running (`SyncInProgress`) or within the
    /// cooldown after the last one started (`Cooldown`, with how long to wait).
    async fn check_manual_cooldown(
        &self,
        connection: &Connection,
        now: DateTime<Utc>,
    ) -> Result<(), ServiceError> {
        // The cooldown counts from the last manual sync; a few recent runs are enough to
        // find it, since manual syncs are themselves at most one per cooldown.
        let last_manual = self
            .inner
            .db
            .recent_sync_runs(connection.id, RUNS_SCANNED_FOR_COOLDOWN)
            .await?
            .into_iter()
            .find(|run| run.trigger == SyncTrigger::Manual);
        let Some(run) = last_manual else {
            return Ok(());
        };
        // A manual sync still running (and not abandoned by a crashed process: its lease
        // would have expired) is "in progress", not "cooldown".
        let running_for = (now - run.started_at).to_std().unwrap_or(Duration::ZERO);
        if run.finished_at.is_none() && running_for < self.inner.config.sync_lease {
            return Err(ServiceError::SyncInProgress);
        }
        let cooldown = self.inner.config.manual_sync_cooldown;
        if running_for < cooldown {
            // Round up, so a client that waits exactly this long is not refused again.
            let wait = cooldown - running_for;
            let retry_after =
                Duration::from_secs(wait.as_secs() + u64::from(wait.subsec_nanos() > 0));
            return Err(ServiceError::Cooldown { retry_after });
        }
        Ok(())
    }

    /// A creator's "Sync now": cooldown, one sync per connection at a time (across
    /// processes), the call budget, then the sync itself.
    pub async fn manual_sync(
        &self,
        user_id: &str,
        platform: Platform,
    ) -> Result<ManualSync, ServiceError> {
        let (adapter, connection) = self.connection_of(user_id, platform).await?;
        let display_name = adapter.traits().display_name;
        match connection.status {
            ConnectionStatus::Active => {}
            ConnectionStatus::NeedsReauth => {
                return Err(ServiceError::NeedsReauth {
                    platform: display_name,
                });
            }
            ConnectionStatus::Disconnected => {
                return Err(ServiceError::NotConnected {
                    platform: display_name,
                });
            }
        }
        let now = self.now();
        self.check_manual_cooldown(&connection, now).await?;
        self.check_interactive_slot(user_id, platform).await?;
        self.check_user_share(user_id, platform, display_name)
            .await?;
        let sync = async {
            // Checked again under the lease: a request that read the runs just before
            // another's manual sync started, and leased just after it ended, must not sync
            // again.
            self.check_manual_cooldown(&connection, now).await?;
            // The user's slot, shared with their connects of this platform (and kept across
            // a disconnect), is claimed only now that the sync will run.
            self.claim_interactive_slot(user_id, platform).await?;
            self.sync_connection(&connection, SyncTrigger::Manual).await
        };
        // A holder of its own per request: a lease taken again by the same holder succeeds,
        // and two requests of one process must exclude each other too.
        let report = self
            .with_lease(
                connection.id,
                &self.lease_holder(),
                self.inner.config.sync_lease,
                sync,
            )
            .await?
            .ok_or(ServiceError::SyncInProgress)??;
        match report.outcome {
            SyncOutcome::Success | SyncOutcome::Partial => Ok(ManualSync::Synced(report)),
            SyncOutcome::RateLimited => {
                self.inner
                    .db
                    .request_sync(connection.id, self.now())
                    .await?;
                let message = match report.retry_after {
                    Some(wait) => format!(
                        "{display_name}'s call budget is spent for now; the sync is queued and will run in about {} minutes",
                        wait.as_secs().div_ceil(60).max(1)
                    ),
                    None => {
                        format!("{display_name}'s call budget is spent for now; the sync is queued")
                    }
                };
                Ok(ManualSync::Queued { message })
            }
            SyncOutcome::NeedsReauth => Err(ServiceError::NeedsReauth {
                platform: display_name,
            }),
            SyncOutcome::Failed => Err(ServiceError::SyncFailed {
                platform: display_name,
                origin: report.failure.unwrap_or(FailureSource::Platform),
                code: report.error_code.unwrap_or_default(),
                message: report.error_message.unwrap_or_default(),
            }),
        }
    }
}
