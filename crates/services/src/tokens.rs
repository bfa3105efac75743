//! Keeping access tokens alive: refresh before expiry (when each platform's policy says),
//! store rotated tokens safely, and tell an outage (retry later) from a revocation (the user
//! must reconnect).

use std::sync::Arc;

use chrono::TimeDelta;
use domain::{Connection, ConnectionId};
use secrecy::SecretString;
use storage::StoredTokens;
use tracing::{info, warn};

use crate::Services;
use crate::error::ServiceError;
use crate::notifications::Notice;
use crate::platforms::{PlatformAdapter, PlatformError, PlatformErrorKind};
use crate::quota::{CallContext, CallPriority, with_context};

/// Delay before the first retry of a refresh that failed for a transient reason; it doubles
/// with each consecutive failure up to [`MAX_REFRESH_BACKOFF`].
const FIRST_REFRESH_BACKOFF: TimeDelta = TimeDelta::minutes(5);
/// How many connections one pass of the refresher takes at most, per platform.
const REFRESH_BATCH: i64 = 10_000;
/// The longest wait between two refresh attempts.
const MAX_REFRESH_BACKOFF: TimeDelta = TimeDelta::hours(2);
/// How often the stored token version is read again during the rotation grace
/// ([`crate::ServicesConfig::rotation_grace`]), at most.
const ROTATION_POLL: std::time::Duration = std::time::Duration::from_millis(100);

/// What a pass of [`Services::refresh_expiring_tokens`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RefreshReport {
    /// Connections whose tokens were refreshed.
    pub refreshed: u32,
    /// Connections the platform refused to refresh: now `needs_reauth`.
    pub needs_reauth: u32,
    /// Refreshes that failed for a transient reason (retried later, with backoff).
    pub failed: u32,
    /// Platform calls spent.
    pub api_calls: u32,
}

/// Backoff after `failures` consecutive transient refresh failures.
fn refresh_backoff(failures: i64) -> TimeDelta {
    let exponent = u32::try_from(failures.clamp(1, 16) - 1).unwrap_or(0);
    FIRST_REFRESH_BACKOFF
        .checked_mul(1_i32 << exponent.min(10))
        .map_or(MAX_REFRESH_BACKOFF, |delay| delay.min(MAX_REFRESH_BACKOFF))
}

/// Why no usable access token could be had.
#[derive(Debug, thiserror::Error)]
pub(crate) enum TokenError {
    /// The platform rejected the grant (or there is nothing to refresh with): the connection
    /// is now `needs_reauth`.
    #[error("the platform rejected the connection's tokens")]
    NeedsReauth,
    /// No access token is stored (the connection was never completed).
    #[error("no access token is stored")]
    Missing,
    /// The platform (or our budget) failed; the stored tokens are unchanged and usable again
    /// later.
    #[error(transparent)]
    Platform(#[from] PlatformError),
    /// The database failed.
    #[error(transparent)]
    Storage(#[from] storage::StorageError),
}

impl Services {
    /// An access token for `connection` that will not expire within its platform's margin,
    /// refreshing first when needed.
    pub(crate) async fn usable_access_token(
        &self,
        connection: &Connection,
    ) -> Result<SecretString, TokenError> {
        let adapter = self.adapter_for_tokens(connection)?;
        let stored = self.inner.db.connection_tokens(connection.id).await?;
        let needs_refresh = adapter.traits().token_policy.access_token_needs_refresh(
            self.now(),
            stored.obtained_at,
            stored.access_token_expires_at,
        );
        if !needs_refresh {
            return access_token(&stored);
        }
        self.refresh_tokens(connection, stored.token_version).await
    }

    /// Refreshes the tokens of `connection`, unless another task or process already replaced
    /// version `seen_version`, in which case the winner's access token is returned.
    ///
    /// Rotation safety: the new tokens are written with a compare-and-swap on the token
    /// version, before the new access token is used; a loser re-reads the winner's tokens. A
    /// response without a refresh token keeps the stored one.
    pub(crate) async fn refresh_tokens(
        &self,
        connection: &Connection,
        seen_version: i64,
    ) -> Result<SecretString, TokenError> {
        let id = connection.id;
        let adapter = self.adapter_for_tokens(connection)?;
        let lock = self.refresh_lock(id);
        let _guard = lock.lock().await;

        let stored = self.inner.db.connection_tokens(id).await?;
        if stored.token_version != seen_version {
            // Someone refreshed while we waited for the lock.
            return access_token(&stored);
        }
        let now = self.now();
        if adapter
            .traits()
            .token_policy
            .refresh_token_expired(now, stored.refresh_token_expires_at)
        {
            self.mark_needs_reauth(id, "the refresh token expired")
                .await?;
            return Err(TokenError::NeedsReauth);
        }

        match adapter.refresh(&stored, now).await {
            Ok(tokens) => {
                let swapped = self
                    .inner
                    .db
                    .swap_tokens(id, stored.token_version, &tokens)
                    .await?;
                if swapped {
                    self.inner.observer.token_refresh("success");
                    info!(connection_id = %id, "access token refreshed");
                    Ok(tokens.access_token)
                } else {
                    // Another process stored its own refresh first; ours is now orphaned, and
                    // the winner's tokens are the ones the platform honours.
                    self.inner.observer.token_refresh("lost_race");
                    let winner = self.inner.db.connection_tokens(id).await?;
                    access_token(&winner)
                }
            }
            Err(error) if error.is(PlatformErrorKind::NeedsReauth) => {
                // A rotated token also reads as invalid_grant: another process may have used
                // it a moment ago and not stored its new tokens yet. Decide only once it had
                // the time to.
                if let Some(current) = self.rotated_elsewhere(id, stored.token_version).await? {
                    self.inner.observer.token_refresh("lost_race");
                    return access_token(&current);
                }
                self.inner.observer.token_refresh("rejected");
                let reason = format!(
                    "{} rejected the refresh ({})",
                    adapter.traits().display_name,
                    error.code
                );
                self.mark_needs_reauth(id, &reason).await?;
                if adapter.traits().delete_data_on_dead_grant {
                    // The grant is revoked (or expired): a platform whose policy wants the
                    // data gone then (YouTube's) loses it now; a new consent restores it.
                    let deleted = self.inner.db.clear_connection_data(id).await?;
                    info!(connection_id = %id, deleted, "data of a dead grant deleted");
                }
                Err(TokenError::NeedsReauth)
            }
            // Our own budget said no: nothing failed at the platform, so no backoff is
            // recorded.
            Err(error) if error.is(PlatformErrorKind::BudgetRefused) => Err(error.into()),
            Err(error) => {
                self.inner.observer.token_refresh("failed");
                let failures = stored.refresh_failures + 1;
                self.inner
                    .db
                    .record_refresh_failure(id, now, now + refresh_backoff(failures))
                    .await?;
                warn!(connection_id = %id, failures, error = %error, "token refresh failed; will retry");
                // The old access token may still be good for a while: keep working with it.
                let still_valid = stored
                    .access_token_expires_at
                    .is_some_and(|expires_at| expires_at > self.now());
                if still_valid && !error.is(PlatformErrorKind::Misconfigured) {
                    access_token(&stored)
                } else {
                    Err(error.into())
                }
            }
        }
    }

    /// The adapter of `connection`'s platform (a connection of a platform this service no
    /// longer runs cannot be refreshed: that is the operator's configuration, reported as
    /// such).
    fn adapter_for_tokens(
        &self,
        connection: &Connection,
    ) -> Result<&Arc<dyn PlatformAdapter>, TokenError> {
        self.inner
            .platforms
            .get(connection.platform)
            .ok_or_else(|| {
                TokenError::Platform(PlatformError::message(
                    PlatformErrorKind::Misconfigured,
                    "platform_off",
                    format!("{} is not configured in this process", connection.platform),
                ))
            })
    }

    /// The tokens another task or process stored after version `seen_version`, waiting up to
    /// the rotation grace ([`crate::ServicesConfig::rotation_grace`]) for them: a platform
    /// that rotates refresh tokens rotates as it answers the winner, so the loser's rejection
    /// can arrive before the winner's new tokens are stored. `None` when nothing newer
    /// appeared: the rejection is the platform's own.
    async fn rotated_elsewhere(
        &self,
        id: ConnectionId,
        seen_version: i64,
    ) -> Result<Option<StoredTokens>, TokenError> {
        let grace = self.inner.config.rotation_grace;
        let deadline = tokio::time::Instant::now() + grace;
        loop {
            let current = self.inner.db.connection_tokens(id).await?;
            if current.token_version != seen_version {
                return Ok(Some(current));
            }
            let now = tokio::time::Instant::now();
            if now >= deadline {
                return Ok(None);
            }
            tokio::time::sleep(ROTATION_POLL.min(deadline - now)).await;
        }
    }

    /// Marks `id` as needing re-authorization (its data kept) and tells the host.
    pub(crate) async fn mark_needs_reauth(
        &self,
        id: ConnectionId,
        reason: &str,
    ) -> Result<(), TokenError> {
        warn!(connection_id = %id, reason, "connection needs re-authorization");
        let notice = if self.inner.config.host_notifications {
            let connection = self.inner.db.get_connection(id).await?;
            self.notice(|| Notice::needs_reauth(&connection, reason, self.now()))
        } else {
            None
        };
        self.inner
            .db
            .mark_needs_reauth(
                id,
                reason,
                self.now(),
                notice.as_ref().map(Notice::as_new).as_ref(),
            )
            .await?;
        self.queued(notice.as_ref());
        Ok(())
    }

    fn refresh_lock(&self, id: ConnectionId) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self
            .inner
            .refresh_locks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Drop locks nobody holds any more, so the map does not grow with every connection.
        locks.retain(|_, lock| Arc::strong_count(lock) > 1);
        Arc::clone(locks.entry(id).or_default())
    }

    /// The active connections of every platform whose access token is due for a refresh
    /// under its platform's policy at `now` (whether or not they are due for a sync: an
    /// unused refresh token must not lapse), skipping those whose last failure asked to
    /// wait; at most `limit` per platform.
    pub(crate) async fn connections_due_for_refresh(
        &self,
        limit: i64,
    ) -> Result<Vec<Connection>, ServiceError> {
        let now = self.now();
        let mut due = Vec::new();
        for adapter in self.inner.platforms.iter() {
            // The policy's margin is the widest it can be; each connection's own lifetime is
            // checked again in `usable_access_token`.
            let horizon = now + adapter.traits().token_policy.access_margin;
            due.extend(
                self.inner
                    .db
                    .connections_expiring_before(adapter.platform(), horizon, now, limit)
                    .await?,
            );
        }
        Ok(due)
    }

    /// Refreshes every active connection whose access token its platform's policy says is
    /// due (see [`Self::connections_due_for_refresh`]).
    pub async fn refresh_expiring_tokens(&self) -> Result<RefreshReport, ServiceError> {
        let candidates = self.connections_due_for_refresh(REFRESH_BATCH).await?;
        let context = CallContext::new(CallPriority::Background);
        let mut report = RefreshReport::default();
        for connection in candidates {
            let outcome =
                with_context(Arc::clone(&context), self.usable_access_token(&connection)).await;
            match outcome {
                Ok(_) => report.refreshed += 1,
                Err(TokenError::NeedsReauth) => report.needs_reauth += 1,
                Err(error) => {
                    warn!(connection_id = %connection.id, %error, "refresh failed");
                    report.failed += 1;
                }
            }
        }
        report.api_calls = context.calls();
        Ok(report)
    }
}

/// The stored access token.
pub(crate) fn access_token(stored: &StoredTokens) -> Result<SecretString, TokenError> {
    stored.access_token.clone().ok_or(TokenError::Missing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_backoff_doubles_and_is_capped() {
        assert_eq!(refresh_backoff(1), TimeDelta::minutes(5));
        assert_eq!(refresh_backoff(2), TimeDelta::minutes(10));
        assert_eq!(refresh_backoff(3), TimeDelta::minutes(20));
        assert_eq!(refresh_backoff(10), MAX_REFRESH_BACKOFF);
        assert_eq!(refresh_backoff(i64::MAX), MAX_REFRESH_BACKOFF);
    }
}
