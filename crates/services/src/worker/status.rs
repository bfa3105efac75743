//! What the worker sees now, for `sync-worker status`: no lease taken, no platform call made.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use domain::{Connection, ConnectionId, ConnectionStatus, SyncRun};
use scheduler::{PlanConfig, SyncDepth};
use serde::Serialize;

use super::WorkerConfig;
use super::facts::PlatformPlan;
use crate::Services;
use crate::error::ServiceError;

/// The worker's view of the connections, for `status`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkerStatus {
    /// When it was computed.
    pub at: DateTime<Utc>,
    /// Connections by status (`active`, `needs_reauth`, `disconnected`).
    pub connections_by_status: BTreeMap<String, u32>,
    /// Active connections due for a sync now (planned or deferred), every platform.
    pub due_now: u32,
    /// The configured sync depth.
    pub depth: SyncDepth,
    /// Latest run of each connection, counted by outcome (`running` for one not finished).
    pub last_run_outcomes: BTreeMap<String, u32>,
    /// Each platform's budget and what a pass now would run and defer on it.
    pub platforms: Vec<PlatformPlan>,
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
    /// What the worker sees now: connections by status, due now, the budget, the latest runs'
    /// outcomes, and what a pass would run and defer on each platform. Takes no lease and makes
    /// no platform call.
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
        let config = PlanConfig {
            due: worker.due,
            depth: worker.depth,
        };
        let platforms = self.plan_by_platform(&active, config, now).await?;
        let due_now = platforms
            .iter()
            .map(|platform| platform.plan.selected.len() + platform.plan.deferred.len())
            .sum::<usize>();
        let ids: Vec<ConnectionId> = connections.iter().map(|connection| connection.id).collect();
        let latest = self.inner.db.latest_sync_runs(&ids).await?;
        Ok(WorkerStatus {
            at: now,
            connections_by_status: by_status,
            due_now: u32::try_from(due_now).unwrap_or(u32::MAX),
            depth: worker.depth,
            last_run_outcomes: count_outcomes(&latest),
            platforms,
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;
    use domain::{SyncOutcome, SyncRunId, SyncTrigger};

    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).expect("valid timestamp")
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
