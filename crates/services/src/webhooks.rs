//! The platforms' callbacks to us (TikTok's webhook, Instagram's signed deauthorize and
//! data-deletion requests): one that says an authorization ended ends the connection as a
//! disconnect does, without calling revoke (the grant is already gone). Every verified
//! callback is recorded once; a redelivery of a handled one changes nothing.

use chrono::DateTime;
use chrono::Utc;
use domain::Platform;
use sha2::{Digest as _, Sha256};
use storage::{DeletionRequest, NewDeletionRequest, NewWebhookEvent};
use tracing::{info, warn};

use crate::Services;
use crate::error::ServiceError;
use crate::notifications::RemovalCause;
use crate::platforms::{CallbackRejection, EndReason, PlatformCallback, PlatformEvent};

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
    /// The platform asked for the account's data to be deleted: it was (if it was here).
    DataDeleted,
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
            Self::DataDeleted => "data_deleted",
        }
    }
}

/// What handling a callback did, and for a data deletion request, the code the platform is
/// answered (the same for every delivery of one request).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandledCallback {
    /// What was done.
    pub outcome: WebhookHandled,
    /// The deletion request's confirmation code, for a data deletion request.
    pub confirmation_code: Option<String>,
}

impl From<WebhookHandled> for HandledCallback {
    fn from(outcome: WebhookHandled) -> Self {
        Self {
            outcome,
            confirmation_code: None,
        }
    }
}

/// Why a webhook was not handled.
#[derive(Debug, thiserror::Error)]
pub enum WebhookRejection {
    /// The delivery is not a valid, signed callback for this app: nothing was recorded.
    #[error(transparent)]
    Invalid(#[from] CallbackRejection),
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

    /// Handles a callback `platform` sent us: its adapter verifies it (a signature over the
    /// raw body, keyed with the app's secret, within the tolerance of the real time) and reads
    /// it; it is recorded once, and one that says an authorization ended ends the connection
    /// of that account, queueing `connection.removed` for the host. A data deletion request
    /// is recorded first with a confirmation code (a redelivery finds the same one), and its
    /// deletion is done again on a redelivery until it is recorded done.
    pub async fn handle_platform_callback(
        &self,
        platform: Platform,
        callback: &PlatformCallback<'_>,
    ) -> Result<HandledCallback, WebhookRejection> {
        let adapter = self
            .inner
            .platforms
            .get(platform)
            .ok_or(ServiceError::UnknownPlatform(platform))?;
        let event = adapter.read_callback(callback)?;
        let (name, account_id, happened_at, reason_code) = match &event {
            PlatformEvent::AuthorizationEnded {
                event,
                account_id,
                happened_at,
                reason,
            } => (
                event.clone(),
                account_id.clone(),
                *happened_at,
                reason.platform_code,
            ),
            PlatformEvent::DataDeletionRequested {
                account_id,
                happened_at,
            } => (
                "data_deletion".to_owned(),
                Some(account_id.clone()),
                *happened_at,
                None,
            ),
            PlatformEvent::Other { event } => (event.clone(), None, self.now(), None),
        };
        let digest = hex::encode(Sha256::digest(callback.body));
        let deletion = match &event {
            PlatformEvent::DataDeletionRequested { account_id, .. } => Some(
                self.record_deletion_request(platform, account_id, &digest)
                    .await?,
            ),
            _ => None,
        };
        let recorded = self
            .inner
            .db
            .record_webhook_event(&NewWebhookEvent {
                platform,
                event: &name,
                platform_account_id: account_id.as_deref(),
                event_created_at: happened_at,
                body_digest: &digest,
                received_at: self.now(),
                reason_code,
            })
            .await
            .map_err(ServiceError::from)?;
        let Some(id) = recorded else {
            if let Some(deletion) = deletion
                .as_ref()
                .filter(|request| request.completed_at.is_none())
            {
                // The first delivery was recorded but its deletion never finished (the
                // process stopped): this delivery finishes it.
                let handled = self.delete_account_data(platform, deletion).await?;
                return Ok(HandledCallback {
                    outcome: handled,
                    confirmation_code: Some(deletion.confirmation_code.clone()),
                });
            }
            info!(%platform, event = %name, "platform callback delivered again; already handled");
            self.inner
                .observer
                .webhook_received(&name, WebhookHandled::Duplicate.as_str());
            return Ok(HandledCallback {
                outcome: WebhookHandled::Duplicate,
                confirmation_code: deletion.map(|request| request.confirmation_code),
            });
        };

        let handled = match event {
            PlatformEvent::AuthorizationEnded {
                account_id: Some(account_id),
                happened_at,
                reason,
                ..
            } => {
                self.remove_authorization(platform, reason, &account_id, happened_at)
                    .await?
            }
            PlatformEvent::AuthorizationEnded { reason, .. } if reason.own_revocation => {
                WebhookHandled::OwnRevocation
            }
            PlatformEvent::AuthorizationEnded { .. } => WebhookHandled::UnknownAccount,
            PlatformEvent::DataDeletionRequested { .. } => match &deletion {
                Some(deletion) => self.delete_account_data(platform, deletion).await?,
                None => WebhookHandled::Ignored,
            },
            PlatformEvent::Other { .. } => WebhookHandled::Ignored,
        };
        self.inner
            .db
            .set_webhook_outcome(id, handled.as_str())
            .await
            .map_err(ServiceError::from)?;
        self.inner
            .observer
            .webhook_received(&name, handled.as_str());
        info!(%platform, event = %name, outcome = handled.as_str(), "platform callback handled");
        Ok(HandledCallback {
            outcome: handled,
            confirmation_code: deletion.map(|request| request.confirmation_code),
        })
    }

    /// Records a data deletion request under a fresh confirmation code, or finds the one a
    /// previous delivery of the same body recorded.
    async fn record_deletion_request(
        &self,
        platform: Platform,
        account_id: &str,
        body_digest: &str,
    ) -> Result<DeletionRequest, ServiceError> {
        let code = new_confirmation_code();
        Ok(self
            .inner
            .db
            .record_deletion_request(&NewDeletionRequest {
                confirmation_code: &code,
                platform,
                platform_account_id: account_id,
                body_digest,
                requested_at: self.now(),
            })
            .await?)
    }

    /// Ends the connection of the request's account (if any) because the platform asked for
    /// its data to be deleted, and records the request done.
    async fn delete_account_data(
        &self,
        platform: Platform,
        request: &DeletionRequest,
    ) -> Result<WebhookHandled, ServiceError> {
        let connection = self
            .inner
            .db
            .find_connection_by_account(platform, &request.platform_account_id)
            .await?;
        let deleted = match connection {
            Some(connection) => {
                let cause = RemovalCause::Platform(EndReason {
                    code: "data_deletion_request",
                    platform_code: None,
                    description: "the creator asked the platform to delete their data",
                    own_revocation: false,
                });
                let ended = self.end_connection(&connection, cause).await?;
                if ended {
                    warn!(connection_id = %connection.id, %platform, "data deletion requested; connection ended and its data deleted");
                }
                ended
            }
            None => false,
        };
        let outcome = if deleted {
            DELETION_DONE
        } else {
            DELETION_NOTHING_HELD
        };
        self.inner
            .db
            .complete_deletion_request(&request.confirmation_code, outcome, self.now())
            .await?;
        Ok(if deleted {
            WebhookHandled::DataDeleted
        } else {
            WebhookHandled::UnknownAccount
        })
    }

    /// The data deletion request with `confirmation_code`, for its status page; `None` for a
    /// code never issued.
    pub async fn deletion_request(
        &self,
        confirmation_code: &str,
    ) -> Result<Option<DeletionRequest>, ServiceError> {
        Ok(self.inner.db.deletion_request(confirmation_code).await?)
    }
}

/// A deletion request whose account's connection and data were deleted.
pub const DELETION_DONE: &str = "deleted";
/// A deletion request for an account this service held nothing of (never connected here,
/// or already disconnected, its data deleted then).
pub const DELETION_NOTHING_HELD: &str = "no_data";

/// A confirmation code: 16 random bytes in hex, unguessable (the status page shows no
/// personal data, but a code is still not enumerable).
fn new_confirmation_code() -> String {
    let bytes: [u8; 16] = rand::random();
    hex::encode(bytes)
}

/// How far our clock and a platform's may disagree when a grant's time is compared with an
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
    /// Ends the connection of `account_id` because the platform says its authorization
    /// ended, unless the event is about an earlier grant than the connection's.
    async fn remove_authorization(
        &self,
        platform: Platform,
        reason: EndReason,
        account_id: &str,
        event_time: DateTime<Utc>,
    ) -> Result<WebhookHandled, ServiceError> {
        let connection = self
            .inner
            .db
            .find_connection_by_account(platform, account_id)
            .await?;
        let Some(connection) = connection else {
            // Our own revoke coming back (TikTok's reason 5): a disconnect deletes the
            // connection before it revokes, so there is nothing left to end.
            return Ok(if reason.own_revocation {
                WebhookHandled::OwnRevocation
            } else {
                WebhookHandled::UnknownAccount
            });
        };
        let granted_at = connection
            .tokens_obtained_at
            .unwrap_or(connection.created_at);
        match grant_age(granted_at, event_time) {
            GrantAge::After => return Ok(WebhookHandled::OlderThanGrant),
            // Our revoke of the grant a creator just replaced (disconnect, then connect again
            // at once): the connection found is the new grant. A revoke of this grant from
            // elsewhere (the developer portal, another deployment) is older than it by more
            // than the skew, and ends it below.
            GrantAge::Around if reason.own_revocation => {
                return Ok(WebhookHandled::OwnRevocation);
            }
            GrantAge::Around | GrantAge::Before => {}
        }
        let cause = RemovalCause::Platform(reason);
        let description = cause.describe();
        if !self.end_connection(&connection, cause).await? {
            return Ok(WebhookHandled::UnknownAccount);
        }
        warn!(
            connection_id = %connection.id,
            %platform,
            reason = description,
            "the platform ended the authorization; connection ended and its data deleted"
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
