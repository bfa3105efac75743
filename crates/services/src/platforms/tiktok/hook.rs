//! TikTok's call hook: every attempt the client makes spends the shared budget first.

use std::sync::Arc;

use futures::future::BoxFuture;
use tiktok_client::{CallHook, CallRejected, Endpoint};

use super::TIKTOK;
use crate::quota::CallBudget;

/// Spends one unit of TikTok's budget (the endpoint's minute, the app's day) before each
/// attempt; a refusal becomes the client's [`CallRejected`], and no request is sent.
pub(super) struct BudgetHook {
    budget: Arc<CallBudget>,
}

impl BudgetHook {
    pub(super) fn new(budget: Arc<CallBudget>) -> Self {
        Self { budget }
    }
}

impl CallHook for BudgetHook {
    fn before_call(&self, endpoint: Endpoint) -> BoxFuture<'_, Result<(), CallRejected>> {
        Box::pin(async move {
            self.budget
                .spend(TIKTOK, endpoint.as_str(), None, 1)
                .await
                .map_err(|refusal| CallRejected::new(refusal.message, refusal.retry_after))
        })
    }

    fn after_call(&self, endpoint: Endpoint, status: Option<u16>, _error_code: Option<&str>) {
        self.budget.called(TIKTOK, endpoint.as_str(), status);
    }
}
