//! The worker's token refresh pass.

use std::sync::Arc;

use futures::StreamExt as _;
use tracing::warn;

use super::{TokenPassReport, WorkerConfig};
use crate::Services;
use crate::error::ServiceError;
use crate::quota::{CallContext, CallPriority, with_context};
use crate::tokens::TokenError;

impl Services {
    /// The worker's token refresh pass: every active connection whose access token expires
    /// within the policy's margin (due for a sync or not: an unused refresh token must not
    /// lapse), each under a lease while it is refreshed, so two workers never refresh one
    /// connection at once (with rotating refresh tokens, the loser's refresh would be refused
    /// as `invalid_grant` before the winner's tokens are stored). A connection leased
    /// elsewhere is skipped: its holder refreshes it before using it.
    pub async fn refresh_expiring_tokens_leased(
        &self,
        worker: &WorkerConfig,
    ) -> Result<TokenPassReport, ServiceError> {
        let candidates = self.connections_due_for_refresh(worker.batch_size).await?;
        let context = CallContext::new(CallPriority::Background);
        let holder = self.lease_holder();
        // As many at once as it takes to reach the per-minute limit; the client's limiter
        // paces the calls.
        let concurrency = self.pass_concurrency(worker);
        let outcomes: Vec<Result<RefreshOutcome, ServiceError>> = futures::stream::iter(candidates)
            .map(|connection| {
                let (context, holder) = (Arc::clone(&context), holder.as_str());
                async move {
                    let refresh = with_context(context, self.usable_access_token(&connection));
                    let refreshed = self
                        .with_lease(connection.id, holder, worker.lease.min, refresh)
                        .await?;
                    Ok(match refreshed {
                        None => RefreshOutcome::LeasedElsewhere,
                        Some(Ok(_)) => RefreshOutcome::Refreshed,
                        Some(Err(TokenError::NeedsReauth)) => RefreshOutcome::NeedsReauth,
                        Some(Err(error)) => {
                            warn!(connection_id = %connection.id, %error, "refresh failed");
                            RefreshOutcome::Failed
                        }
                    })
                }
            })
            .buffer_unordered(concurrency)
            .collect()
            .await;
        let mut report = TokenPassReport::default();
        for outcome in outcomes {
            match outcome? {
                RefreshOutcome::Refreshed => report.refresh.refreshed += 1,
                RefreshOutcome::NeedsReauth => report.refresh.needs_reauth += 1,
                RefreshOutcome::Failed => report.refresh.failed += 1,
                RefreshOutcome::LeasedElsewhere => report.leased_elsewhere += 1,
            }
        }
        report.refresh.api_calls = context.calls();
        Ok(report)
    }
}

/// How one connection of a token refresh pass ended.
enum RefreshOutcome {
    Refreshed,
    NeedsReauth,
    Failed,
    LeasedElsewhere,
}
