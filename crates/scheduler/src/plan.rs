//! The daily plan in one call: which connections are due, how deep each sync walks, what it
//! costs, and what fits in today's budget.

use chrono::{DateTime, Utc};

use crate::budget::{Budget, SyncPlan, plan_daily_sync};
use crate::cost::{CostModel, CostedSync};
use crate::depth::SyncDepth;
use crate::due::{DuePolicy, SyncCandidate, select_due};

/// The planning options that come from configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PlanConfig {
    /// When connections are due.
    pub due: DuePolicy,
    /// How deep syncs walk the video list.
    pub depth: SyncDepth,
}

/// Plans the syncs of one platform to run at `now`: [`select_due`] (stalest first), then
/// each sync's depth and cost under the platform's `cost` model ([`CostedSync::new`]), then
/// [`plan_daily_sync`] against the platform's `budget`.
pub fn plan_syncs(
    candidates: &[SyncCandidate],
    config: &PlanConfig,
    cost: &CostModel,
    budget: &Budget,
    now: DateTime<Utc>,
) -> SyncPlan {
    let costed: Vec<CostedSync> = select_due(candidates, &config.due, now)
        .into_iter()
        .map(|due| CostedSync::new(due, config.depth, cost, now))
        .collect();
    plan_daily_sync(&costed, budget)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::budget::{DeferReason, ManualReserve};
    use chrono::TimeDelta;
    use domain::{ConnectionId, ConnectionStatus};

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).expect("valid timestamp")
    }

    /// 30 connections with 4 to 120 videos (id n has 4n), synced n hours more than
    /// a day ago, so connection 30 is the stalest.
    fn thirty_connections() -> Vec<SyncCandidate> {
        (1..=30)
            .map(|n: i64| {
                let synced = now() - TimeDelta::days(1) - TimeDelta::hours(n);
                SyncCandidate {
                    last_synced_at: Some(synced),
                    last_success_at: Some(synced),
                    last_video_count: Some(u64::try_from(n * 4).expect("positive")),
                    ..SyncCandidate::new(ConnectionId(n), ConnectionStatus::Active)
                }
            })
            .collect()
    }

    fn expected_calls(videos: u64) -> u32 {
        1 + u32::try_from(videos.div_ceil(20)).expect("small")
    }

    #[test]
    fn everyone_is_planned_without_a_daily_quota() {
        let candidates = thirty_connections();
        let plan = plan_syncs(
            &candidates,
            &PlanConfig::default(),
            &CostModel::TIKTOK,
            &Budget::default(),
            now(),
        );
        let total: u32 = candidates
            .iter()
            .map(|candidate| expected_calls(candidate.last_video_count.unwrap_or(0)))
            .sum();
        assert_eq!(plan.selected.len(), 30);
        assert_eq!(plan.estimated_calls, total);
        assert_eq!(plan.selected[0].id, ConnectionId(30));
    }

    #[test]
    fn a_tight_quota_syncs_the_stalest_and_defers_the_rest() {
        let candidates = thirty_connections();
        let budget = Budget {
            daily_quota: Some(100),
            manual_reserve: ManualReserve::Calls(10),
            ..Budget::default()
        };
        let plan = plan_syncs(
            &candidates,
            &PlanConfig::default(),
            &CostModel::TIKTOK,
            &budget,
            now(),
        );
        assert!(plan.estimated_calls <= 90);
        let first_deferred = plan.deferred.first().expect("some are deferred");
        // Every connection staler than the first one deferred was selected.
        for stale in (first_deferred.id.0 + 1)..=30 {
            assert!(
                plan.selected.iter().any(|sync| sync.id.0 == stale),
                "{stale} selected"
            );
        }
        assert_eq!(plan.selected[0].id, ConnectionId(30));
        assert!(matches!(
            first_deferred.reason,
            DeferReason::DailyQuota { quota: 100, .. }
        ));
    }

    #[test]
    fn shallow_depth_savings_are_reported() {
        let candidates: Vec<SyncCandidate> = thirty_connections()
            .into_iter()
            .map(|candidate| SyncCandidate {
                recent_video_count: Some(3),
                last_full_sync_at: Some(now() - TimeDelta::days(2)),
                ..candidate
            })
            .collect();
        let config = PlanConfig {
            depth: SyncDepth::recent(7, 7).expect("valid depth"),
            ..PlanConfig::default()
        };
        let plan = plan_syncs(
            &candidates,
            &config,
            &CostModel::TIKTOK,
            &Budget::default(),
            now(),
        );
        assert_eq!(plan.estimated_calls, 30 * 2);
        let full = plan_syncs(
            &candidates,
            &PlanConfig::default(),
            &CostModel::TIKTOK,
            &Budget::default(),
            now(),
        );
        assert_eq!(
            plan.calls_saved,
            full.estimated_calls - plan.estimated_calls
        );
    }
}
