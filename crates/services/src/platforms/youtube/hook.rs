//! YouTube's call hook: every attempt spends its quota units from the shared budget first.

use std::sync::Arc;

use futures::future::BoxFuture;
use youtube_client::{CallHook, CallInfo, CallOutcome, CallRejected, QuotaBucket};

use super::YOUTUBE;
use crate::quota::CallBudget;

/// Spends the units of each Data API attempt (retries included: Google charges every
/// attempt) from YouTube's daily budget before it is sent; a refusal becomes the client's
/// [`CallRejected`], and no request is sent.
///
/// Only the Data API's general bucket is the project's daily units (`YOUTUBE_DAILY_UNITS`).
/// OAuth calls cost no units; the Analytics API and `videos.batchGetStats` have quotas of
/// their own, which Google enforces (a `quotaExceeded` from them pauses the budget until the
/// reset, see the adapter).
pub(super) struct BudgetHook {
    budget: Arc<CallBudget>,
}

impl BudgetHook {
    pub(super) fn new(budget: Arc<CallBudget>) -> Self {
        Self { budget }
    }
}

impl CallHook for BudgetHook {
    fn before_call<'a>(&'a self, call: CallInfo<'a>) -> BoxFuture<'a, Result<(), CallRejected>> {
        Box::pin(async move {
            let Some(cost) = call.cost.filter(|cost| cost.bucket == QuotaBucket::General) else {
                return Ok(());
            };
            let units = u32::try_from(cost.units).unwrap_or(u32::MAX).max(1);
            let method = call.method.unwrap_or(call.endpoint.as_str());
            self.budget
                .spend(YOUTUBE, method, None, units)
                .await
                .map_err(|refusal| CallRejected::new(refusal.message, refusal.retry_after))
        })
    }

    fn after_call(&self, call: CallInfo<'_>, outcome: CallOutcome<'_>) {
        let method = call.method.unwrap_or(call.endpoint.as_str());
        self.budget.called(YOUTUBE, method, outcome.status);
    }
}
