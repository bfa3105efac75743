//! Connecting an account: the authorize URL (state, and PKCE where the platform has it) and
//! the OAuth callback, for any platform.

use std::sync::Arc;

use domain::{Connection, Platform, Profile, SyncTrigger};
use serde::Serialize;
use storage::{NewConnection, NewOAuthState, OAuthStateRejection, StorageError};
use tracing::{info, warn};
use url::Url;

use crate::Services;
use crate::error::{ConnectError, ServiceError};
use crate::notifications::Notice;
use crate::platforms::{CallbackParams, PlatformError, PlatformErrorKind};
use crate::quota::{CallContext, CallPriority, with_context};

/// A completed connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Connected {
    /// The creator's handle, when known.
    pub handle: Option<String>,
    /// The creator's display name, when known.
    pub display_name: Option<String>,
    /// Requested scopes the creator did not grant.
    pub missing_scopes: Vec<String>,
}

impl Services {
    /// Starts a connection to `platform` for `user_id`: stores a fresh single-use state
    /// bound to the user with its PKCE verifier (encrypted), and returns the platform's
    /// authorize URL.
    pub async fn begin_connect(
        &self,
        user_id: &str,
        platform: Platform,
    ) -> Result<Url, ServiceError> {
        let request = self.adapter(platform)?.authorization_request();
        let now = self.now();
        self.inner
            .db
            .create_oauth_state(&NewOAuthState {
                state: &request.state,
                user_id,
                platform,
                pkce_verifier: request.pkce_verifier.as_ref(),
                created_at: now,
                expires_at: now + self.inner.config.oauth_state_ttl,
            })
            .await?;
        // Bounded per user: a script calling connect in a loop cannot fill the table.
        self.inner
            .db
            .cap_open_oauth_states(user_id, &request.state, self.inner.config.max_open_connects)
            .await?;
        Ok(request.url)
    }

    /// Completes a connection from `platform`'s redirect: checks the state, exchanges the
    /// code, reads the account, stores the encrypted tokens, and runs a first sync. Any
    /// failure before the tokens are stored leaves nothing behind.
    pub async fn complete_connect(
        &self,
        platform: Platform,
        params: CallbackParams,
    ) -> Result<Connected, ConnectError> {
        let adapter = Arc::clone(
            self.inner
                .platforms
                .get(platform)
                .ok_or(ConnectError::UnknownPlatform(platform))?,
        );
        let display_name = adapter.traits().display_name;
        // A cancel shows a fixed text, whatever the state: the creator may have waited on
        // the platform's page past the state's lifetime. Its state is burnt so the link
        // cannot be replayed.
        if params.error.as_deref() == Some("access_denied") {
            if let Some(state) = params.state.as_deref() {
                let _ = self.inner.db.consume_oauth_state(state, self.now()).await;
            }
            return Err(ConnectError::Cancelled);
        }
        // Anything else is believed only with a state of ours: otherwise anyone could link a
        // creator to this page with an `error_description` of their choosing.
        let state = params
            .state
            .clone()
            .filter(|state| !state.is_empty())
            .ok_or(ConnectError::MissingParameter {
                platform: display_name,
                parameter: "state",
            })?;
        let stored = self
            .inner
            .db
            .consume_oauth_state(&state, self.now())
            .await
            .map_err(|error| match error {
                StorageError::OAuthState(OAuthStateRejection::Unknown) => {
                    ConnectError::UnknownState
                }
                StorageError::OAuthState(OAuthStateRejection::Expired) => {
                    ConnectError::StateExpired
                }
                StorageError::OAuthState(OAuthStateRejection::AlreadyUsed) => {
                    ConnectError::StateUsed
                }
                other => ConnectError::Storage(other),
            })?;
        // A state issued for another platform is not ours to use here.
        if stored.platform != platform {
            return Err(ConnectError::UnknownState);
        }
        if let Some(error) = params.error.as_deref() {
            return Err(ConnectError::Denied {
                platform: display_name,
                description: params
                    .error_description
                    .as_deref()
                    .map(shown_description)
                    .filter(|text| !text.is_empty())
                    .unwrap_or_else(|| "no description given".to_owned()),
                error: shown_description(error),
            });
        }
        let code = params.code.clone().filter(|code| !code.is_empty()).ok_or(
            ConnectError::MissingParameter {
                platform: display_name,
                parameter: "code",
            },
        )?;

        let context = CallContext::new(CallPriority::Interactive);
        let requested_at = self.now();
        let authorized = with_context(
            Arc::clone(&context),
            adapter.complete_authorization(
                &code,
                stored.pkce_verifier.as_ref(),
                &params,
                requested_at,
            ),
        )
        .await
        .map_err(|error| connect_error(display_name, error))?;
        let (tokens, profile) = (authorized.tokens, authorized.profile);

        let existing = self
            .inner
            .db
            .find_connection(&stored.user_id, platform)
            .await?;
        if let Some(existing) = existing
            && existing.profile.platform_account_id != profile.platform_account_id
        {
            // The new grant is simply dropped: revoking it could disconnect that account
            // from another user of this service.
            return Err(ConnectError::DifferentAccount {
                platform: display_name,
                connected: existing
                    .profile
                    .username
                    .unwrap_or(existing.profile.platform_account_id),
            });
        }
        let granted = tokens.scopes.clone().unwrap_or_default();
        let missing_scopes = Self::missing_scopes(adapter.as_ref(), &granted);
        let notice = self.notice(|| {
            Notice::connected(
                &stored.user_id,
                platform,
                &profile,
                &missing_scopes,
                self.now(),
            )
        });
        let connection = self
            .inner
            .db
            .upsert_connection(
                &NewConnection {
                    user_id: &stored.user_id,
                    platform,
                    profile: &profile,
                    tokens: &tokens,
                    notify: notice.as_ref().map(Notice::as_new),
                },
                self.now(),
            )
            .await
            .map_err(|error| match error {
                StorageError::Conflict(_) => ConnectError::AccountInUse {
                    platform: display_name,
                },
                other => ConnectError::Storage(other),
            })?;
        self.queued(notice.as_ref());
        info!(connection_id = %connection.id, %platform, "account connected");

        self.first_sync(&connection, &profile).await;
        Ok(Connected {
            handle: profile.username,
            display_name: profile.display_name,
            missing_scopes,
        })
    }
}

impl Services {
    /// The sync right after a connect, under the connection's lease like every sync. On a
    /// reconnect the worker may be syncing the account already: then the worker is asked for
    /// another sync, with the new tokens, instead of running two at once. A failed first
    /// sync does not undo the connection: it is recorded, and the worker or the creator
    /// syncs again later.
    async fn first_sync(&self, connection: &Connection, profile: &Profile) {
        let first_sync =
            self.sync_connection_with(connection, SyncTrigger::Connect, Some(profile.clone()));
        let leased = self
            .with_lease(
                connection.id,
                &self.lease_holder(),
                self.inner.config.sync_lease,
                first_sync,
            )
            .await;
        match leased {
            Ok(Some(Ok(report))) => info!(outcome = report.outcome.as_str(), "first sync finished"),
            Ok(Some(Err(error))) => warn!(%error, "first sync could not run"),
            Ok(None) => {
                info!(connection_id = %connection.id, "a sync of this connection is running; the first sync is queued");
                if let Err(error) = self.inner.db.request_sync(connection.id, self.now()).await {
                    warn!(%error, "first sync could not be queued");
                }
            }
            Err(error) => warn!(%error, "first sync could not run"),
        }
    }
}

/// The longest OAuth error text shown to the creator, in characters.
const MAX_SHOWN_DESCRIPTION: usize = 200;

/// An OAuth error's text as the callback page shows it: one line, at most
/// [`MAX_SHOWN_DESCRIPTION`] characters (cut with an ellipsis), no control characters.
fn shown_description(text: &str) -> String {
    let one_line: String = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    if one_line.chars().count() <= MAX_SHOWN_DESCRIPTION {
        return one_line;
    }
    let mut cut: String = one_line.chars().take(MAX_SHOWN_DESCRIPTION - 1).collect();
    cut.push('…');
    cut
}

/// A failed exchange or first profile read, in the callback's terms.
fn connect_error(platform: &'static str, error: PlatformError) -> ConnectError {
    match error.kind {
        PlatformErrorKind::Misconfigured => ConnectError::Misconfigured {
            platform,
            source: error,
        },
        PlatformErrorKind::NotEligible => ConnectError::NotEligible(error.to_string()),
        PlatformErrorKind::Unavailable
        | PlatformErrorKind::BudgetRefused
        | PlatformErrorKind::RateLimited => ConnectError::PlatformUnavailable {
            platform,
            source: error,
        },
        _ => ConnectError::ExchangeFailed {
            platform,
            reason: error.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_oauth_error_text_is_shown_on_one_line_and_cut_to_length() {
        assert_eq!(
            shown_description("  the\nscope  was\tnot granted "),
            "the scope was not granted"
        );
        assert_eq!(shown_description("bad\u{7}bell"), "badbell");
        let long = "x".repeat(5_000);
        let shown = shown_description(&long);
        assert_eq!(shown.chars().count(), MAX_SHOWN_DESCRIPTION);
        assert!(shown.ends_with('…'));
        let exact = "y".repeat(MAX_SHOWN_DESCRIPTION);
        assert_eq!(shown_description(&exact), exact);
    }
}
