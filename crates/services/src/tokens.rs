//! Keeping access tokens alive: refresh before expiry, rotate refresh tokens safely, and tell
//! an outage (retry later) from a revocation (the user must reconnect).

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use domain::{Connection, ConnectionId};
use secrecy::{ExposeSecret, SecretString};
use storage::StoredTokens;
use tiktok_client::{AccessToken, RefreshToken, TikTokError, TokenSet};
use tracing::{info, warn};

use crate::Services;
use crate::error::ServiceError;
use crate::notifications::Notice;
use crate::quota::{CallContext, CallPriority, with_context};

/// Delay before the first retry of a refresh that failed for a transient reason; it doubles
/// with each consecutive failure up to [`MAX_REFRESH_BACKOFF`].
const FIRST_REFRESH_BACKOFF: TimeDelta = TimeDelta::minutes(5);
/// How many connections one pass of the refresher takes at most.
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
    /// Connections TikTok refused to refresh: now `needs_reauth`.
    pub needs_reauth: u32,
    /// Refreshes that failed for a transient reason (retried later, with backoff).
    pub failed: u32,
    /// TikTok calls spent.
    pub api_calls: u32,
}

/// The new tokens as storage takes them: expiry computed from this response's lifetimes,
/// and no refresh token (so the stored one is kept) when the response carried none.
///
/// The lifetimes count from `requested_at`, the services' clock read just before the request
/// was sent, not from the client's own stamp (the system clock): every later expiry check
/// reads the services' clock, and the two must agree, or a moved clock sees fresh tokens as
/// expired (and refreshes them again) or dead ones as alive.
pub(crate) fn storage_tokens(
    set: &TokenSet,
    requested_at: DateTime<Utc>,
) -> storage::ReceivedTokens {
    let set = TokenSet {
        issued_at: requested_at,
        ..set.clone()
    };
    storage::ReceivedTokens {
        access_token: SecretString::from(set.access_token.expose_secret().to_owned()),
        access_token_expires_at: set.expires_at(),
        refresh_token: set
            .refresh_token
            .as_ref()
            .map(|token| SecretString::from(token.expose_secret().to_owned())),
        refresh_token_expires_at: set.refresh_expires_at(),
        // An empty `scope` would mean "unknown", not "nothing granted": keep the stored list.
        scopes: (!set.scopes.is_empty()).then(|| set.scopes.clone()),
        obtained_at: set.issued_at,
    }
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
    /// TikTok rejected the refresh token (or there is none): the connection is now
    /// `needs_reauth`.
    #[error("TikTok rejected the refresh token")]
    NeedsReauth,
    /// No access token is stored (the connection was never completed).
    #[error("no access token is stored")]
    Missing,
    /// TikTok failed; the stored tokens are unchanged and usable again later.
    #[error(transparent)]
    TikTok(#[from] TikTokError),
    /// The database failed.
    #[error(transparent)]
    Storage(#[from] storage::StorageError),
}

impl From<TokenError> for ServiceError {
    fn from(error: TokenError) -> Self {
        match error {
            TokenError::NeedsReauth | TokenError::Missing => Self::NeedsReauth,
            TokenError::TikTok(error @ TikTokError::InvalidClient { .. }) => {
                Self::Misconfigured(error)
            }
            TokenError::TikTok(error) => Self::TikTokUnavailable(error),
            TokenError::Storage(error) => Self::Storage(error),
        }
    }
}

impl Services {
    /// An access token for `connection` that will not expire within the policy's margin,
    /// refreshing first when needed.
    pub(crate) async fn usable_access_token(
        &self,
        connection: &Connection,
    ) -> Result<AccessToken, TokenError> {
        let stored = self.inner.db.connection_tokens(connection.id).await?;
        let now = self.now();
        let needs_refresh = self.inner.config.token_policy.access_token_needs_refresh(
            now,
            stored.obtained_at,
            stored.access_token_expires_at,
        );
        if !needs_refresh {
            return access_token(&stored);
        }
        self.refresh_tokens(connection.id, stored.token_version)
            .await
    }

    /// Refreshes the tokens of `id`, unless another task or process already replaced version
    /// `seen_version`, in which case the winner's access token is returned.
    ///
    /// Rotation safety: the new pair is written with a compare-and-swap on the token version,
    /// before the new access token is used; a loser re-reads the winner's tokens. A response
    /// without a refresh token keeps the stored one.
    pub(crate) async fn refresh_tokens(
        &self,
        id: ConnectionId,
        seen_version: i64,
    ) -> Result<AccessToken, TokenError> {
        let lock = self.refresh_lock(id);
        let _guard = lock.lock().await;

        let stored = self.inner.db.connection_tokens(id).await?;
        if stored.token_version != seen_version {
            // Someone refreshed while we waited for the lock.
            return access_token(&stored);
        }
        let Some(refresh_token) = stored.refresh_token.as_ref() else {
            self.mark_needs_reauth(id, "no refresh token is stored")
                .await?;
            return Err(TokenError::NeedsReauth);
        };
        let now = self.now();
        if self
            .inner
            .config
            .token_policy
            .refresh_token_expired(now, stored.refresh_token_expires_at)
        {
            self.mark_needs_reauth(id, "the refresh token expired")
                .await?;
            return Err(TokenError::NeedsReauth);
        }

        let refresh_token = RefreshToken::new(refresh_token.expose_secret().to_owned());
        match self.inner.tiktok.refresh_access_token(&refresh_token).await {
            Ok(set) => {
                let swapped = self
                    .inner
                    .db
                    .swap_tokens(id, stored.token_version, &storage_tokens(&set, now))
                    .await?;
                if swapped {
                    self.inner.observer.token_refresh("success");
                    info!(connection_id = %id, "access token refreshed");
                    Ok(set.access_token)
                } else {
                    // Another process stored its own refresh first; ours is now orphaned, and
                    // the winner's pair is the one TikTok honours.
                    self.inner.observer.token_refresh("lost_race");
                    let winner = self.inner.db.connection_tokens(id).await?;
                    access_token(&winner)
                }
            }
            Err(TikTokError::RefreshRejected { .. }) => {
                // A rotated token also reads as invalid_grant: another process may have used
                // it a moment ago and not stored its new pair yet. Decide only once it had
                // the time to.
                if let Some(current) = self.rotated_elsewhere(id, stored.token_version).await? {
                    self.inner.observer.token_refresh("lost_race");
                    return access_token(&current);
                }
                self.inner.observer.token_refresh("rejected");
                self.mark_needs_reauth(id, "TikTok rejected the refresh token")
                    .await?;
                Err(TokenError::NeedsReauth)
            }
            // Our own budget said no: nothing failed at TikTok, so no backoff is recorded.
            Err(error @ TikTokError::CallRejected { .. }) => Err(TokenError::TikTok(error)),
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
                if still_valid && !matches!(error, TikTokError::InvalidClient { .. }) {
                    access_token(&stored)
                } else {
                    Err(TokenError::TikTok(error))
                }
            }
        }
    }

    /// The tokens another task or process stored after version `seen_version`, waiting up to
    /// the rotation grace ([`crate::ServicesConfig::rotation_grace`]) for them: TikTok rotates the refresh token as it answers the
    /// winner, so the loser's rejection can arrive before the winner's new pair is stored.
    /// `None` when nothing newer appeared: the rejection is TikTok's own.
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

    async fn mark_needs_reauth(&self, id: ConnectionId, reason: &str) -> Result<(), TokenError> {
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

    /// Refreshes every active connection whose access token expires within the policy's
    /// margin of `now` (whether or not it is due for a sync: an unused refresh token must
    /// not lapse), skipping those whose last failure asked to wait.
    pub async fn refresh_expiring_tokens(&self) -> Result<RefreshReport, ServiceError> {
        let now = self.now();
        // The policy's margin is the widest it can be; each connection's own lifetime is
        // checked again in `usable_access_token`.
        let horizon = now + self.inner.config.token_policy.access_margin;
        let candidates = self
            .inner
            .db
            .connections_expiring_before(horizon, now, REFRESH_BATCH)
            .await?;
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

/// The stored access token, as the client takes it.
pub(crate) fn access_token(stored: &StoredTokens) -> Result<AccessToken, TokenError> {
    stored
        .access_token
        .as_ref()
        .map(|token| AccessToken::new(token.expose_secret().to_owned()))
        .ok_or(TokenError::Missing)
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
