//! The budget and the facts about each connection the scheduler plans with.

use chrono::{DateTime, Utc};
use domain::Connection;
use futures::StreamExt as _;
use scheduler::{
    Budget, ManualReserve, PlannedDepth, SyncCandidate, SyncDepth, decide_depth, sync_candidate,
};
use storage::QuotaWindow;

use crate::Services;
use crate::error::ServiceError;
use crate::quota::DAILY_BUCKET;

/// How many of a connection's latest runs are read to count its failures in a row; a longer
/// streak is backed off at the maximum anyway.
const RUNS_READ_PER_CONNECTION: i64 = 12;
/// How many connections' runs are read at once while planning.
const FACT_READS_IN_FLIGHT: usize = 8;

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
    pub(super) async fn sync_candidates(
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
}
