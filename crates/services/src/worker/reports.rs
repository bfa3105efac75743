//! What the passes report when they end.

use std::time::Duration;

use domain::{ConnectionId, SyncOutcome};
use serde::Serialize;

use crate::sync::{FailureSource, SyncReport};
use crate::tokens::RefreshReport;

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
    pub(super) fn count(&mut self, report: &SyncReport) {
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
pub(super) fn is_budget_refusal(report: &SyncReport) -> bool {
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

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).expect("valid timestamp")
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
}
