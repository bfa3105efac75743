//! TikTok's webhooks: a verified `authorization.removed` ends the connection as a disconnect
//! does, without calling revoke (the grant is already gone). Every verified webhook is
//! recorded once; a redelivery of a handled one changes nothing.

use chrono::DateTime;
use chrono::Utc;
use domain::Connection;
use domain::Platform;
use sha2::{Digest as _, Sha256};
use storage::NewWebhookEvent;
use tiktok_client::{RemovalReason, WebhookError};
use tracing::{info, warn};

use crate::Services;
use crate::error::ServiceError;
use crate::notifications::RemovalCause;

/// What handling a webhook did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookHandled {
    /// The connection of that account was ended, its tokens and data deleted.
    Disconnected,
    /// No connection has that account (already disconnected, or never connected here).
    UnknownAccount,
    /// An event this service does not act on, recorded.
    Ignored,
    /// Our own revoke coming back (`reason` 5): the disconnect that revoked ended the
    /// connection already; a connection of that account now is a newer grant.
    OwnRevocation,
    /// The event is older than the connection's current grant (the creator connected again
    /// after it happened; a delayed delivery must not end the new connection).
    OlderThanGrant,
    /// The same delivery was handled before: nothing changed.
    Duplicate,
}

impl WebhookHandled {
    /// A stable label, as recorded in `webhook_events.outcome` and counted in metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Disconnected => "disconnected",
            Self::UnknownAccount => "unknown_account",
            Self::Ignored => "ignored",
            Self::OwnRevocation => "own_revocation",
            Self::OlderThanGrant => "older_than_grant",
            Self::Duplicate => "duplicate",
        }
    }
}

/// Why a webhook was not handled.
#[derive(Debug, thiserror::Error)]
pub enum WebhookRejection {
    /// The delivery is not a valid, signed webhook for this app: nothing was recorded.
    #[error(transparent)]
    Invalid(#[from] WebhookError),
    /// The database failed: the platform should deliver again.
    #[error(transparent)]
    Service(#[from] ServiceError),
}

/// How long received webhooks are kept: well past TikTok's 72 hours of redelivery, so a late
/// redelivery is still recognised.
pub const WEBHOOK_HISTORY: chrono::TimeDelta = chrono::TimeDelta::days(7);
/// How long delivered host notifications stay listed in `GET /api/webhooks/deliveries`.
pub const DELIVERED_HISTORY: chrono::TimeDelta = chrono::TimeDelta::days(30);

/// What [`Services::prune_webhook_history`] deleted.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PrunedHistory {
    /// Received webhooks older than [`WEBHOOK_HISTORY`].
    pub webhooks: usize,
    /// Delivered notifications older than [`DELIVERED_HISTORY`].
    pub notifications: usize,
}

impl Services {
    /// Deletes webhook records nobody needs any more (run by the worker after its passes).
    /// Undelivered notifications, given up or not, are kept.
    pub async fn prune_webhook_history(&self) -> Result<PrunedHistory, ServiceError> {
        let now = self.now();
        Ok(PrunedHistory {
            webhooks: self
                .inner
                .db
                .purge_webhook_events(now - WEBHOOK_HISTORY)
                .await?,
            notifications: self
                .inner
                .db
                .purge_delivered_outbound(now - DELIVERED_HISTORY)
                .await?,
        })
    }

    /// Handles a TikTok webhook delivery: verifies the `TikTok-Signature` header over the raw
    /// `body` (keyed with the client secret; its timestamp within the configured tolerance of
    /// the real time), records it, and for `authorization.removed` ends the connection of
    /// that `open_id`, queueing `connection.removed` for the host.
    pub async fn handle_tiktok_webhook(
        &self,
        signature: Option<&str>,
        body: &[u8],
    ) -> Result<WebhookHandled, WebhookRejection> {
        // The signature's age is about the delivery on the wire, so it is checked against
        // the real time even where the services run on a simulated clock.
        let event = self.inner.tiktok.verify_webhook(
            signature,
            body,
            Utc::now(),
            self.inner.config.webhook_tolerance,
        )?;
        let reason = event.removal_reason()?;
        let digest = hex::encode(Sha256::digest(body));
        let recorded = self
            .inner
            .db
            .record_webhook_event(&NewWebhookEvent {
                platform: Platform::TikTok,
                event: &event.event,
                platform_account_id: event.user_open_id.as_deref(),
                event_created_at: event.create_time,
                body_digest: &digest,
                received_at: self.now(),
                reason_code: reason.map(|reason| reason.code()),
            })
            .await
            .map_err(ServiceError::from)?;
        let Some(id) = recorded else {
            info!(event = %event.event, "TikTok webhook delivered again; already handled");
            self.inner
                .observer
                .webhook_received(&event.event, WebhookHandled::Duplicate.as_str());
            return Ok(WebhookHandled::Duplicate);
        };

        let handled = match (reason, event.user_open_id.as_deref()) {
            (Some(RemovalReason::DeveloperRevoked), _) => WebhookHandled::OwnRevocation,
            (Some(reason), Some(open_id)) => {
                let connection = self
                    .inner
                    .db
                    .find_connection_by_account(Platform::TikTok, open_id)
                    .await
                    .map_err(ServiceError::from)?;
                match connection {
                    Some(connection) if self.granted_after(&connection, event.create_time) => {
                        WebhookHandled::OlderThanGrant
                    }
                    Some(connection) => {
                        let cause = RemovalCause::from_tiktok(reason);
                        if self.end_connection(&connection, cause).await? {
                            warn!(
                                connection_id = %connection.id,
                                reason = cause.describe(),
                                "TikTok removed the authorization; connection ended and its data deleted"
                            );
                            WebhookHandled::Disconnected
                        } else {
                            WebhookHandled::UnknownAccount
                        }
                    }
                    None => WebhookHandled::UnknownAccount,
                }
            }
            (Some(_), None) => WebhookHandled::UnknownAccount,
            (None, _) => WebhookHandled::Ignored,
        };
        self.inner
            .db
            .set_webhook_outcome(id, handled.as_str())
            .await
            .map_err(ServiceError::from)?;
        self.inner
            .observer
            .webhook_received(&event.event, handled.as_str());
        info!(event = %event.event, outcome = handled.as_str(), "TikTok webhook handled");
        Ok(handled)
    }
}

impl Services {
    /// Whether the connection's tokens were obtained after `event_time` (beyond the clock
    /// skew the signature check allows): the event is about an earlier grant.
    fn granted_after(&self, connection: &Connection, event_time: DateTime<Utc>) -> bool {
        let granted_at = connection
            .tokens_obtained_at
            .unwrap_or(connection.created_at);
        let skew = chrono::TimeDelta::from_std(self.inner.config.webhook_tolerance)
            .unwrap_or(chrono::TimeDelta::MAX);
        granted_at
            > event_time
                .checked_add_signed(skew)
                .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }
}
