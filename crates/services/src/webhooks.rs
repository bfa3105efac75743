//! TikTok's webhooks: a verified `authorization.removed` ends the connection as a disconnect
//! does, without calling revoke (the grant is already gone). Every verified webhook is
//! recorded once; a redelivery of a handled one changes nothing.

use chrono::DateTime;
use chrono::Utc;
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
    /// connection already, and a connection of that account obtained around the event's time
    /// is the creator's newer grant. (A reason-5 removal of an older grant, revoked from
    /// elsewhere, ends the connection like any other.)
    OwnRevocation,
    /// The event is older than the connection's current grant by more than
    /// [`GRANT_CLOCK_SKEW`] (the creator connected again after it happened; a delayed
    /// delivery must not end the new connection).
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
            (Some(reason), Some(open_id)) => {
                self.remove_authorization(reason, open_id, event.create_time)
                    .await?
            }
            (Some(RemovalReason::DeveloperRevoked), None) => WebhookHandled::OwnRevocation,
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

/// How far our clock and TikTok's may disagree when a grant's time is compared with an
/// event's `create_time`. NTP keeps real clocks within a second; this is wide enough for a
/// badly kept one, and narrow, so that a creator who connects again a minute after removing
/// the app keeps the new connection when the old removal is delivered late.
pub const GRANT_CLOCK_SKEW: chrono::TimeDelta = chrono::TimeDelta::seconds(60);

/// When the connection's current grant was obtained, relative to an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GrantAge {
    /// Before the event (beyond the skew): the event is about this grant.
    Before,
    /// Within the skew of the event: either could be first.
    Around,
    /// After the event (beyond the skew): the event is about an earlier grant.
    After,
}

impl Services {
    /// Ends the connection of `open_id` for TikTok's `authorization.removed`, unless the event
    /// is about an earlier grant than the connection's.
    async fn remove_authorization(
        &self,
        reason: RemovalReason,
        open_id: &str,
        event_time: DateTime<Utc>,
    ) -> Result<WebhookHandled, ServiceError> {
        let connection = self
            .inner
            .db
            .find_connection_by_account(Platform::TikTok, open_id)
            .await?;
        let Some(connection) = connection else {
            // Reason 5 is our own revoke coming back: a disconnect deletes the connection
            // before it revokes, so there is nothing left to end.
            return Ok(match reason {
                RemovalReason::DeveloperRevoked => WebhookHandled::OwnRevocation,
                _ => WebhookHandled::UnknownAccount,
            });
        };
        let granted_at = connection
            .tokens_obtained_at
            .unwrap_or(connection.created_at);
        match (grant_age(granted_at, event_time), reason) {
            (GrantAge::After, _) => return Ok(WebhookHandled::OlderThanGrant),
            // Our revoke of the grant a creator just replaced (disconnect, then connect again
            // at once): the connection found is the new grant. A revoke of this grant from
            // elsewhere (the developer portal, another deployment) is older than it by more
            // than the skew, and ends it below.
            (GrantAge::Around, RemovalReason::DeveloperRevoked) => {
                return Ok(WebhookHandled::OwnRevocation);
            }
            (GrantAge::Around | GrantAge::Before, _) => {}
        }
        let cause = RemovalCause::from_tiktok(reason);
        if !self.end_connection(&connection, cause).await? {
            return Ok(WebhookHandled::UnknownAccount);
        }
        warn!(
            connection_id = %connection.id,
            reason = cause.describe(),
            "TikTok removed the authorization; connection ended and its data deleted"
        );
        Ok(WebhookHandled::Disconnected)
    }
}

/// Where a grant obtained at `granted_at` lies relative to `event_time`. A connection's grant
/// time is when its tokens were last obtained: a refresh moves it, but a refresh after the
/// grant was removed fails, so a refreshed grant newer than a removal is not the removed one.
fn grant_age(granted_at: DateTime<Utc>, event_time: DateTime<Utc>) -> GrantAge {
    if granted_at > event_time + GRANT_CLOCK_SKEW {
        GrantAge::After
    } else if granted_at < event_time - GRANT_CLOCK_SKEW {
        GrantAge::Before
    } else {
        GrantAge::Around
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grant_is_placed_before_around_or_after_an_event_beyond_the_clock_skew() {
        let event = DateTime::from_timestamp(1_764_050_000, 0).unwrap();
        let second = chrono::TimeDelta::seconds(1);
        for (granted_at, expected) in [
            (event - chrono::TimeDelta::hours(1), GrantAge::Before),
            (event - GRANT_CLOCK_SKEW - second, GrantAge::Before),
            (event - GRANT_CLOCK_SKEW, GrantAge::Around),
            (event, GrantAge::Around),
            (event + GRANT_CLOCK_SKEW, GrantAge::Around),
            (event + GRANT_CLOCK_SKEW + second, GrantAge::After),
        ] {
            assert_eq!(grant_age(granted_at, event), expected, "{granted_at}");
        }
    }
}
