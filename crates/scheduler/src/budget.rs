//! The daily budget of TikTok API calls, and the plan that fits the due syncs into it.
//!
//! When a daily quota is configured, part of it is kept for manual syncs (the reserve); the
//! scheduled syncs share the rest. Due syncs are taken stalest first; one that does not fit in
//! what is left waits for the next day, where it will be among the stalest and go first, and
//! smaller ones behind it may still use the calls left today.

use std::fmt;

use domain::ConnectionId;
use serde::Serialize;

use crate::cost::CostedSync;
use crate::depth::PlannedDepth;
use crate::due::DueReason;

/// TikTok's documented limit: 600 requests per minute per endpoint, per app.
pub const TIKTOK_PER_MINUTE_PER_ENDPOINT: u32 = 600;

/// The part of the daily quota kept for manual syncs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum ManualReserve {
    /// A fixed number of calls (capped at the quota).
    Calls(u32),
    /// A percentage of the daily quota, rounded down (values above 100 count as 100).
    Percent(u8),
}

impl Default for ManualReserve {
    /// 10% of the daily quota.
    fn default() -> Self {
        Self::Percent(10)
    }
}

/// The call budget as the worker sees it at planning time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Budget {
    /// Calls per minute allowed on each endpoint (TikTok: 600).
    pub per_minute_per_endpoint: u32,
    /// Calls allowed per day, all endpoints together; `None` for no daily limit.
    pub daily_quota: Option<u32>,
    /// The part of the daily quota kept for manual syncs.
    pub manual_reserve: ManualReserve,
    /// Calls already spent today, by every process (from the shared counter).
    pub spent_today: u32,
}

impl Default for Budget {
    fn default() -> Self {
        Self {
            per_minute_per_endpoint: TIKTOK_PER_MINUTE_PER_ENDPOINT,
            daily_quota: None,
            manual_reserve: ManualReserve::default(),
            spent_today: 0,
        }
    }
}

impl Budget {
    /// Calls of the daily quota kept for manual syncs (0 with no daily quota).
    pub fn reserve_calls(&self) -> u32 {
        let Some(quota) = self.daily_quota else {
            return 0;
        };
        match self.manual_reserve {
            ManualReserve::Calls(calls) => calls.min(quota),
            ManualReserve::Percent(percent) => {
                let share = u64::from(quota) * u64::from(percent.min(100)) / 100;
                // At most `quota`, so it fits back in a u32.
                u32::try_from(share).unwrap_or(quota)
            }
        }
    }

    /// The scheduled syncs' share of a day: the quota less the reserve.
    pub fn scheduled_share(&self) -> Option<u32> {
        self.daily_quota
            .map(|quota| quota.saturating_sub(self.reserve_calls()))
    }

    /// Calls left today for anything (manual syncs may use all of it); `None` with no daily
    /// quota.
    pub fn left_today(&self) -> Option<u32> {
        self.daily_quota
            .map(|quota| quota.saturating_sub(self.spent_today))
    }

    /// Calls left today for scheduled syncs: quota less reserve less spent.
    pub fn scheduled_left_today(&self) -> Option<u32> {
        self.left_today()
            .map(|left| left.saturating_sub(self.reserve_calls()))
    }
}

/// Whether a manual sync estimated at `estimated_calls` may start now. Manual syncs may use
/// the reserve, so only the whole day's quota limits them; with no daily quota, always.
pub fn manual_sync_allowed(budget: &Budget, estimated_calls: u32) -> bool {
    budget
        .left_today()
        .is_none_or(|left| estimated_calls <= left)
}

/// A sync the plan runs today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PlannedSync {
    /// The connection.
    pub id: ConnectionId,
    /// Its estimated calls.
    pub estimated_calls: u32,
    /// How deep it walks the video list.
    pub depth: PlannedDepth,
    /// Calls its depth saves over a full walk.
    pub calls_saved: u32,
    /// Why it was due.
    pub reason: DueReason,
}

/// Why a due sync waits for the next day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DeferReason {
    /// What is left of today's quota does not cover it.
    DailyQuota {
        /// The daily quota.
        quota: u32,
        /// Calls spent before this plan.
        spent_today: u32,
        /// Calls this plan selected.
        planned: u32,
        /// Calls kept for manual syncs.
        reserved: u32,
    },
    /// It needs more calls than a whole day allows it: it cannot be synced at this quota.
    ExceedsDailyBudget {
        /// Its estimated calls.
        needed: u32,
        /// The most a day allows a sync of its kind (scheduled: quota less reserve).
        daily_budget: u32,
    },
}

impl fmt::Display for DeferReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::DailyQuota {
                quota,
                spent_today,
                planned,
                reserved,
            } => write!(
                f,
                "daily quota: {} of {quota} calls spent or planned, {reserved} kept for manual \
                 syncs; waits for the next day",
                spent_today.saturating_add(*planned)
            ),
            Self::ExceedsDailyBudget {
                needed,
                daily_budget,
            } => write!(
                f,
                "needs about {needed} calls, more than the {daily_budget} a day allows: raise the \
                 daily quota or use a shallow sync depth"
            ),
        }
    }
}

/// A due sync left for the next day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Deferred {
    /// The connection.
    pub id: ConnectionId,
    /// Its estimated calls.
    pub estimated_calls: u32,
    /// Why it waits.
    pub reason: DeferReason,
}

/// Today's plan: what runs, what waits, and what it costs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncPlan {
    /// Syncs to run, in order (stalest first).
    pub selected: Vec<PlannedSync>,
    /// Syncs that wait for the next day, in due order.
    pub deferred: Vec<Deferred>,
    /// Estimated calls of the selected syncs.
    pub estimated_calls: u32,
    /// Calls the selected syncs' depths save over full walks.
    pub calls_saved: u32,
    /// Calls left today after the plan, reserve included; `None` with no daily quota.
    pub budget_left_after: Option<u32>,
}

/// What [`plan_daily_sync`] decided for one due sync before the totals were known.
enum Verdict {
    Selected,
    OverToday,
    OverAnyDay { daily_budget: u32 },
}

/// Fits `due` (in due order, stalest first, as [`crate::select_due`] returns it) into
/// `budget`. With no daily quota everything is selected. Otherwise syncs are taken in order
/// while the calls left cover them (scheduled syncs may not touch the reserve; pending manual
/// requests may); one that does not fit is deferred and the next, smaller ones still get
/// their chance. The planned calls never exceed the quota left.
pub fn plan_daily_sync(due: &[CostedSync], budget: &Budget) -> SyncPlan {
    let reserve = budget.reserve_calls();
    let mut planned: u32 = 0;
    let mut verdicts = Vec::with_capacity(due.len());
    for item in due {
        let cost = item.estimate.total();
        let manual = item.due.reason == DueReason::ManualRequest;
        let verdict = match (budget.daily_quota, budget.left_today()) {
            (Some(quota), Some(left)) => {
                let (daily_budget, allowance) = if manual {
                    (quota, left)
                } else {
                    (quota.saturating_sub(reserve), left.saturating_sub(reserve))
                };
                if cost > daily_budget {
                    Verdict::OverAnyDay { daily_budget }
                } else if planned.saturating_add(cost) <= allowance {
                    Verdict::Selected
                } else {
                    Verdict::OverToday
                }
            }
            _ => Verdict::Selected,
        };
        if matches!(verdict, Verdict::Selected) {
            planned = planned.saturating_add(cost);
        }
        verdicts.push(verdict);
    }

    let mut plan = SyncPlan {
        selected: Vec::new(),
        deferred: Vec::new(),
        estimated_calls: planned,
        calls_saved: 0,
        budget_left_after: budget.left_today().map(|left| left.saturating_sub(planned)),
    };
    for (item, verdict) in due.iter().zip(verdicts) {
        let id = item.due.candidate.id;
        let estimated_calls = item.estimate.total();
        let reason = match verdict {
            Verdict::Selected => {
                let calls_saved = item.estimate.calls_saved();
                plan.calls_saved = plan.calls_saved.saturating_add(calls_saved);
                plan.selected.push(PlannedSync {
                    id,
                    estimated_calls,
                    depth: item.depth,
                    calls_saved,
                    reason: item.due.reason,
                });
                continue;
            }
            Verdict::OverToday => DeferReason::DailyQuota {
                quota: budget.daily_quota.unwrap_or(0),
                spent_today: budget.spent_today,
                planned,
                reserved: reserve,
            },
            Verdict::OverAnyDay { daily_budget } => DeferReason::ExceedsDailyBudget {
                needed: estimated_calls,
                daily_budget,
            },
        };
        plan.deferred.push(Deferred {
            id,
            estimated_calls,
            reason,
        });
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cost::SyncEstimate;
    use crate::due::{DueSync, SyncCandidate};
    use domain::ConnectionStatus;
    use proptest::prelude::*;

    fn costed(id: i64, calls: u32, reason: DueReason) -> CostedSync {
        CostedSync {
            due: DueSync {
                candidate: SyncCandidate::new(ConnectionId(id), ConnectionStatus::Active),
                reason,
            },
            depth: PlannedDepth::Full,
            estimate: SyncEstimate {
                token_refresh_calls: 0,
                profile_calls: 1,
                list_calls: calls - 1,
                post_calls: 0,
                full_walk_calls: calls - 1,
            },
        }
    }

    fn scheduled(id: i64, calls: u32) -> CostedSync {
        costed(id, calls, DueReason::IntervalElapsed)
    }

    fn quota(quota: u32, spent_today: u32) -> Budget {
        Budget {
            daily_quota: Some(quota),
            spent_today,
            ..Budget::default()
        }
    }

    fn selected_ids(plan: &SyncPlan) -> Vec<i64> {
        plan.selected.iter().map(|sync| sync.id.0).collect()
    }

    fn deferred_ids(plan: &SyncPlan) -> Vec<i64> {
        plan.deferred.iter().map(|sync| sync.id.0).collect()
    }

    #[test]
    fn reserve_is_ten_percent_by_default() {
        let budget = quota(1000, 0);
        assert_eq!(budget.reserve_calls(), 100);
        assert_eq!(budget.scheduled_share(), Some(900));
        assert_eq!(budget.scheduled_left_today(), Some(900));
        let spent = quota(1000, 950);
        assert_eq!(spent.left_today(), Some(50));
        assert_eq!(spent.scheduled_left_today(), Some(0));
        let fixed = Budget {
            manual_reserve: ManualReserve::Calls(5000),
            ..quota(1000, 0)
        };
        assert_eq!(fixed.reserve_calls(), 1000);
        assert_eq!(Budget::default().reserve_calls(), 0);
        assert_eq!(Budget::default().per_minute_per_endpoint, 600);
    }

    #[test]
    fn no_daily_quota_selects_everyone() {
        let due: Vec<_> = (1..=30).map(|id| scheduled(id, 7)).collect();
        let plan = plan_daily_sync(&due, &Budget::default());
        assert_eq!(plan.selected.len(), 30);
        assert!(plan.deferred.is_empty());
        assert_eq!(plan.estimated_calls, 210);
        assert_eq!(plan.budget_left_after, None);
    }

    #[test]
    fn the_stalest_go_first_and_the_rest_wait_with_a_reason() {
        let due: Vec<_> = (1..=5).map(|id| scheduled(id, 40)).collect();
        let budget = Budget {
            manual_reserve: ManualReserve::Calls(20),
            ..quota(150, 0)
        };
        let plan = plan_daily_sync(&due, &budget);
        assert_eq!(selected_ids(&plan), vec![1, 2, 3]);
        assert_eq!(deferred_ids(&plan), vec![4, 5]);
        assert_eq!(plan.estimated_calls, 120);
        assert_eq!(plan.budget_left_after, Some(30));
        assert_eq!(
            plan.deferred[0].reason.to_string(),
            "daily quota: 120 of 150 calls spent or planned, 20 kept for manual syncs; waits \
             for the next day"
        );
    }

    #[test]
    fn smaller_syncs_use_what_a_large_one_leaves() {
        let due = vec![scheduled(1, 50), scheduled(2, 80), scheduled(3, 30)];
        let plan = plan_daily_sync(
            &due,
            &Budget {
                manual_reserve: ManualReserve::Calls(0),
                ..quota(100, 0)
            },
        );
        assert_eq!(selected_ids(&plan), vec![1, 3]);
        assert_eq!(deferred_ids(&plan), vec![2]);
    }

    #[test]
    fn spent_calls_count() {
        let due = vec![scheduled(1, 10), scheduled(2, 10)];
        let plan = plan_daily_sync(&due, &quota(100, 75));
        // 100 - 10 reserve - 75 spent = 15: one fits.
        assert_eq!(selected_ids(&plan), vec![1]);
        assert_eq!(plan.budget_left_after, Some(15));
    }

    #[test]
    fn manual_requests_may_use_the_reserve() {
        let due = vec![costed(1, 10, DueReason::ManualRequest), scheduled(2, 10)];
        let plan = plan_daily_sync(&due, &quota(100, 85));
        assert_eq!(selected_ids(&plan), vec![1]);
        assert_eq!(deferred_ids(&plan), vec![2]);
        assert_eq!(plan.budget_left_after, Some(5));
    }

    #[test]
    fn a_sync_larger_than_any_day_says_so() {
        let plan = plan_daily_sync(&[scheduled(1, 95)], &quota(100, 0));
        assert_eq!(
            plan.deferred[0].reason,
            DeferReason::ExceedsDailyBudget {
                needed: 95,
                daily_budget: 90
            }
        );
        assert!(
            plan.deferred[0]
                .reason
                .to_string()
                .contains("shallow sync depth")
        );
    }

    #[test]
    fn manual_sync_allowance() {
        assert!(manual_sync_allowed(&Budget::default(), 1_000_000));
        assert!(manual_sync_allowed(&quota(100, 95), 5));
        assert!(!manual_sync_allowed(&quota(100, 95), 6));
        assert!(!manual_sync_allowed(&quota(100, 150), 1));
    }

    proptest! {
        #[test]
        fn the_quota_is_never_exceeded_and_nothing_that_fits_is_left(
            costs in prop::collection::vec((2_u32..200, prop::bool::weighted(0.1)), 0..60),
            daily in 0_u32..3000,
            spent in 0_u32..3000,
            percent in 0_u8..=100,
        ) {
            let due: Vec<_> = costs
                .iter()
                .zip(1..)
                .map(|(&(calls, manual), id)| {
                    costed(id, calls, if manual { DueReason::ManualRequest } else { DueReason::IntervalElapsed })
                })
                .collect();
            let budget = Budget { manual_reserve: ManualReserve::Percent(percent), ..quota(daily, spent) };
            let plan = plan_daily_sync(&due, &budget);
            let left = daily.saturating_sub(spent);
            let reserve = budget.reserve_calls();
            prop_assert!(plan.estimated_calls <= left);
            let scheduled_calls: u32 = plan
                .selected
                .iter()
                .filter(|sync| sync.reason != DueReason::ManualRequest)
                .map(|sync| sync.estimated_calls)
                .sum();
            prop_assert!(scheduled_calls <= left.saturating_sub(reserve));
            prop_assert_eq!(plan.selected.len() + plan.deferred.len(), due.len());
            prop_assert_eq!(plan.budget_left_after, Some(left - plan.estimated_calls));
            for deferred in &plan.deferred {
                let manual = due.iter().any(|item| item.due.candidate.id == deferred.id && item.due.reason == DueReason::ManualRequest);
                let allowance = if manual { left } else { left.saturating_sub(reserve) };
                prop_assert!(plan.estimated_calls + deferred.estimated_calls > allowance);
            }
            // Selected keep the due order.
            let selected = selected_ids(&plan);
            prop_assert!(selected.windows(2).all(|pair| pair[0] < pair[1]));
        }
    }
}
