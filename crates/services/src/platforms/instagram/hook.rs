//! Instagram's call hook: every attempt spends the shared budget first, and an account
//! whose usage nears Meta's limit is paused before Meta throttles it.

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use instagram_client::{CallHook, CallInfo, CallOutcome, CallRejected};
use tracing::warn;

use super::INSTAGRAM;
use crate::quota::CallBudget;

/// The usage (in percent of Meta's budget for an account) at which the account is paused
/// before Meta refuses it: the reference's "at 95 pause".
const PAUSE_AT_PERCENT: u64 = 95;
/// How long an account is paused when its usage nears the limit and Meta states no wait.
const DEFAULT_PAUSE: Duration = Duration::from_secs(60);

/// Spends one unit of Instagram's budget (the app's day, and checks the account's pause)
/// before each attempt; a refusal becomes the client's [`CallRejected`], and no request is
/// sent.
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
            self.budget
                .spend(INSTAGRAM, call.endpoint.as_str(), call.account, 1)
                .await
                .map_err(|refusal| CallRejected::new(refusal.message, refusal.retry_after))
        })
    }

    fn after_call(&self, call: CallInfo<'_>, outcome: CallOutcome<'_>) {
        self.budget
            .called(INSTAGRAM, call.endpoint.as_str(), outcome.status);
        let (Some(usage), Some(account)) = (outcome.usage, call.account) else {
            return;
        };
        if usage.max_percent() < PAUSE_AT_PERCENT {
            return;
        }
        // The hook cannot wait (it runs inside the client's call): the pause is written on
        // its own task; a throttle Meta answers is paused by the adapter itself, awaited.
        let wait = usage.regain_access_after().unwrap_or(DEFAULT_PAUSE);
        let until = self.budget.now() + chrono::TimeDelta::from_std(wait).unwrap_or_default();
        let (budget, account) = (Arc::clone(&self.budget), account.to_owned());
        warn!(%account, percent = usage.max_percent(), "Instagram usage near its limit; pausing the account");
        tokio::spawn(async move {
            if let Err(error) = budget.pause(INSTAGRAM, Some(&account), until).await {
                warn!(%error, "could not store the account's pause");
            }
        });
    }
}
