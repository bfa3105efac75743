//! Each platform's budget and the facts about each connection the scheduler plans with, and
//! the plan of a pass: every platform planned against its own budget, so one platform's
//! spent budget never holds another back.

use chrono::{DateTime, Utc};
use domain::{Connection, Platform};
use futures::StreamExt as _;
use scheduler::{
    Budget, ManualReserve, PlanConfig, PlannedDepth, SyncCandidate, SyncDepth, SyncPlan,
    decide_depth, plan_syncs, sync_candidate,
};
use serde::Serialize;

use crate::Services;
use crate::error::ServiceError;

/// How many of a connection's latest runs are read to count its failures in a row; a longer
/// streak is backed off at the maximum anyway.
const RUNS_READ_PER_CONNECTION: i64 = 12;
/// How many connections' runs are read at once while planning.
const FACT_READS_IN_FLIGHT: usize = 8;

impl Services {
    /// `platform`'s budget as the scheduler sees it at `now`: its configured limits, the
    /// manual reserve, and today's units spent by every process.
    pub async fn platform_budget(
        &self,
        platform: Platform,
        now: DateTime<Utc>,
    ) -> Result<Budget, ServiceError> {
        let policy = self.inner.budget.policy(platform);
        let spent_today = match policy.daily {
            Some(_) => self.inner.budget.spent_today(platform, now).await?,
            None => 0,
        };
        Ok(Budget {
            per_minute_per_endpoint: policy.per_minute_per_endpoint.unwrap_or(u32::MAX),
            daily_quota: policy.daily,
            manual_reserve: ManualReserve::Calls(policy.manual_reserve),
            spent_today: u32::try_from(spent_today.max(0)).unwrap_or(u32::MAX),
        })
    }

    /// The plan of each platform for `connections` at `now` (a connection of a platform this
    /// process does not run is left out).
    pub(super) async fn plan_by_platform(
        &self,
        connections: &[Connection],
        due: PlanConfig,
        now: DateTime<Utc>,
    ) -> Result<Vec<PlatformPlan>, ServiceError> {
        let mut plans = Vec::new();
        for adapter in self.inner.platforms.iter() {
            let platform = adapter.platform();
            let mine: Vec<Connection> = connections
                .iter()
                .filter(|connection| connection.platform == platform)
                .cloned()
                .collect();
            let candidates = self.sync_candidates(&mine, due.depth, now).await?;
            let budget = self.platform_budget(platform, now).await?;
            let plan = plan_syncs(&candidates, &due, &adapter.traits().cost, &budget, now);
            plans.push(PlatformPlan {
                platform,
                scheduled_left_today: budget.scheduled_left_today(),
                left_today: budget.left_today(),
                budget,
                plan,
            });
        }
        Ok(plans)
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
        futures::stream::iter(connections)
            .map(|connection| async move {
                let policy = self
                    .inner
                    .platforms
                    .get(connection.platform)
                    .map(|adapter| adapter.traits().token_policy)
                    .unwrap_or_default();
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

/// One platform's plan, against its own budget.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlatformPlan {
    /// The platform.
    pub platform: Platform,
    /// The budget the plan was made against.
    pub budget: Budget,
    /// Units left today for scheduled syncs (quota less reserve less spent); `None` without
    /// a daily quota.
    pub scheduled_left_today: Option<u32>,
    /// Units left today for anything, manual syncs included; `None` without a daily quota.
    pub left_today: Option<u32>,
    /// What a pass runs and defers on this platform.
    pub plan: SyncPlan,
}

/// The platforms' plans as one: the selected syncs interleaved (each platform's stalest
/// first), so a pass moves on every platform at once; the deferred and the totals added up.
pub(super) fn merge_plans(plans: &[PlatformPlan]) -> SyncPlan {
    let mut merged = SyncPlan {
        selected: Vec::new(),
        deferred: Vec::new(),
        estimated_calls: 0,
        calls_saved: 0,
        budget_left_after: None,
    };
    let longest = plans
        .iter()
        .map(|p| p.plan.selected.len())
        .max()
        .unwrap_or(0);
    for index in 0..longest {
        for platform in plans {
            if let Some(selected) = platform.plan.selected.get(index) {
                merged.selected.push(*selected);
            }
        }
    }
    for platform in plans {
        merged
            .deferred
            .extend(platform.plan.deferred.iter().copied());
        merged.estimated_calls = merged
            .estimated_calls
            .saturating_add(platform.plan.estimated_calls);
        merged.calls_saved = merged.calls_saved.saturating_add(platform.plan.calls_saved);
    }
    merged
}
