//! Disconnecting: delete the tokens and every synced row, then revoke at TikTok (best
//! effort), and ending a connection TikTok ended.

use std::sync::Arc;

use domain::{Connection, ConnectionStatus, Platform};
use serde::Serialize;
use tracing::{info, warn};

use crate::Services;
use crate::error::ServiceError;
use crate::notifications::{Notice, RemovalCause};
use crate::quota::{CallContext, CallPriority, with_context};

/// What happened at TikTok when a connection was removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RevocationOutcome {
    /// TikTok revoked the grant.
    Revoked,
    /// The revocation failed (TikTok down, token already dead...); our data was deleted
    /// anyway, as TikTok's terms require.
    Failed,
}

impl RevocationOutcome {
    /// A stable label for logs and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Revoked => "revoked",
            Self::Failed => "failed",
        }
    }
}

impl Services {
    /// Disconnects the user's TikTok account: deletes the tokens and all synced data of that
    /// connection (nothing else), then revokes the grant at TikTok (best effort, the outcome
    /// logged and counted).
    ///
    /// The token to revoke is read (and refreshed if it expired) first, but the revocation
    /// happens after the deletion: TikTok answers a revoke with an `authorization.removed`
    /// webhook, which must find the connection already gone, not end it a second time with
    /// another reason.
    pub async fn disconnect(&self, user_id: &str) -> Result<RevocationOutcome, ServiceError> {
        let connection = self
            .inner
            .db
            .find_connection(user_id, Platform::TikTok)
            .await?
            .ok_or(ServiceError::NotConnected)?;
        let context = CallContext::new(CallPriority::Interactive);
        let token = with_context(Arc::clone(&context), async {
            if connection.status == ConnectionStatus::NeedsReauth {
                // TikTok rejected the refresh token already: asking again only delays the
                // creator. Revoke with the stored access token, which may still be alive.
                let stored = self
                    .inner
                    .db
                    .connection_tokens(connection.id)
                    .await
                    .map_err(|error| error.to_string())?;
                crate::tokens::access_token(&stored).map_err(|error| error.to_string())
            } else {
                // An expired access token may not be revocable: refresh it first when needed.
                self.usable_access_token(&connection)
                    .await
                    .map_err(|error| error.to_string())
            }
        })
        .await;
        self.end_connection(&connection, RemovalCause::User).await?;
        let revocation = match token {
            Ok(token) => with_context(Arc::clone(&context), self.inner.tiktok.revoke(&token))
                .await
                .map_err(|error| error.to_string()),
            Err(reason) => Err(reason),
        };
        let outcome = match revocation {
            Ok(()) => RevocationOutcome::Revoked,
            Err(reason) => {
                warn!(connection_id = %connection.id, %reason, "revocation at TikTok failed; our data is deleted anyway");
                RevocationOutcome::Failed
            }
        };
        self.inner.observer.revocation(outcome.as_str());
        info!(
            connection_id = %connection.id,
            revocation = outcome.as_str(),
            api_calls = context.calls(),
            "TikTok account disconnected and its data deleted"
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
        let notice = self.notice(|| Notice::removed(connection, cause, self.now()));
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
