//! Disconnecting: delete the tokens and every synced row, then revoke at the platform (best
//! effort, where the platform has a revoke), and ending a connection the platform ended.

use std::sync::Arc;

use domain::{Connection, ConnectionStatus, Platform};
use serde::Serialize;
use tracing::{info, warn};

use crate::Services;
use crate::error::ServiceError;
use crate::notifications::{Notice, RemovalCause};
use crate::quota::{CallContext, CallPriority, with_context};

/// What happened at the platform when a connection was removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RevocationOutcome {
    /// The platform revoked the grant.
    Revoked,
    /// The revocation failed (the platform down, the token already dead...); our data was
    /// deleted anyway, as the platforms' terms require.
    Failed,
    /// The platform has no revoke (Instagram): the creator removes the app on the
    /// platform's side; our data was deleted.
    NotSupported,
}

impl RevocationOutcome {
    /// A stable label for logs and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Revoked => "revoked",
            Self::Failed => "failed",
            Self::NotSupported => "not_supported",
        }
    }
}

impl Services {
    /// The user's connection to `platform`, with its adapter.
    ///
    /// # Errors
    /// [`ServiceError::UnknownPlatform`], or [`ServiceError::NotConnected`] when the user has
    /// no connection to it.
    pub(crate) async fn connection_of(
        &self,
        user_id: &str,
        platform: Platform,
    ) -> Result<(Arc<dyn crate::PlatformAdapter>, Connection), ServiceError> {
        let adapter = Arc::clone(self.adapter(platform)?);
        let connection = self
            .inner
            .db
            .find_connection(user_id, platform)
            .await?
            .ok_or(ServiceError::NotConnected {
                platform: adapter.traits().display_name,
            })?;
        Ok((adapter, connection))
    }

    /// Disconnects the user's account on `platform`: deletes the tokens and all synced data
    /// of that connection (nothing else), then revokes the grant at the platform (best
    /// effort, where it has a revoke; the outcome logged and counted).
    ///
    /// The token to revoke is read (and refreshed if it expired) first, but the revocation
    /// happens after the deletion: a platform that answers a revoke with a webhook (TikTok's
    /// `authorization.removed`) must find the connection already gone, not end it a second
    /// time with another reason.
    pub async fn disconnect(
        &self,
        user_id: &str,
        platform: Platform,
    ) -> Result<RevocationOutcome, ServiceError> {
        let (adapter, connection) = self.connection_of(user_id, platform).await?;
        let context = CallContext::new(CallPriority::Interactive);
        let can_revoke = adapter.traits().can_revoke;
        let token = if can_revoke {
            with_context(Arc::clone(&context), async {
                if connection.status == ConnectionStatus::NeedsReauth {
                    // The platform rejected the grant already: asking again only delays the
                    // creator. Revoke with the stored access token, which may still be alive.
                    let stored = self
                        .inner
                        .db
                        .connection_tokens(connection.id)
                        .await
                        .map_err(|error| error.to_string())?;
                    crate::tokens::access_token(&stored).map_err(|error| error.to_string())
                } else {
                    // An expired access token may not be revocable: refresh it first when
                    // needed.
                    self.usable_access_token(&connection)
                        .await
                        .map_err(|error| error.to_string())
                }
            })
            .await
        } else {
            Err(String::new())
        };
        self.end_connection(&connection, RemovalCause::User).await?;
        let outcome = if can_revoke {
            let revocation = match token {
                Ok(token) => with_context(Arc::clone(&context), adapter.revoke(&token))
                    .await
                    .map_err(|error| error.to_string()),
                Err(reason) => Err(reason),
            };
            match revocation {
                Ok(true) => RevocationOutcome::Revoked,
                Ok(false) => RevocationOutcome::NotSupported,
                Err(reason) => {
                    warn!(connection_id = %connection.id, %platform, %reason, "revocation at the platform failed; our data is deleted anyway");
                    RevocationOutcome::Failed
                }
            }
        } else {
            RevocationOutcome::NotSupported
        };
        self.inner.observer.revocation(outcome.as_str());
        info!(
            connection_id = %connection.id,
            %platform,
            revocation = outcome.as_str(),
            api_calls = context.calls(),
            "account disconnected and its data deleted"
        );
        Ok(outcome)
    }

    /// Deletes a connection's tokens and synced data, telling the host why. Returns `false`
    /// if it was already gone (then nothing is queued).
    pub(crate) async fn end_connection(
        &self,
        connection: &Connection,
        cause: RemovalCause,
    ) -> Result<bool, ServiceError> {
        let notice = self.notice(|| Notice::removed(connection, &cause, self.now()));
        let removed = self
            .inner
            .db
            .disconnect(connection.id, notice.as_ref().map(Notice::as_new).as_ref())
            .await?;
        if removed {
            self.queued(notice.as_ref());
        }
        Ok(removed)
    }
}
