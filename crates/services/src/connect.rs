//! Connecting an account: the authorize URL (state + PKCE) and the OAuth callback.

use std::sync::Arc;

use domain::{Connection, Platform, Profile, SyncTrigger};
use secrecy::ExposeSecret;
use serde::Serialize;
use storage::{NewConnection, NewOAuthState, OAuthStateRejection, StorageError};
use tiktok_client::{TikTokError, UserField};
use tracing::{info, warn};
use url::Url;

use crate::Services;
use crate::error::{ConnectError, ServiceError};
use crate::mapping::profile_from_user_info;
use crate::notifications::Notice;
use crate::quota::{CallContext, CallPriority, with_context};
use crate::tokens::storage_tokens;

/// The query parameters TikTok sends to the callback.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct CallbackParams {
    /// The authorization code (already URL-decoded once by the web framework).
    pub code: Option<String>,
    /// Our state, returned unchanged.
    pub state: Option<String>,
    /// The scopes granted (informative: the token response is what we trust).
    pub scopes: Option<String>,
    /// `access_denied` when the creator cancelled, or another OAuth error.
    pub error: Option<String>,
    /// TikTok's description of the error.
    pub error_description: Option<String>,
}

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
    /// Starts a connection for `user_id`: stores a fresh single-use state bound to the user
    /// with its PKCE verifier (encrypted), and returns TikTok's authorize URL.
    pub async fn begin_connect(&self, user_id: &str) -> Result<Url, ServiceError> {
        let request = self.inner.tiktok.authorization_request();
        let now = self.now();
        self.inner
            .db
            .create_oauth_state(&NewOAuthState {
                state: &request.state,
                user_id,
                platform: Platform::TikTok,
                pkce_verifier: &request.pkce_verifier,
                created_at: now,
                expires_at: now + self.inner.config.oauth_state_ttl,
            })
            .await?;
        Ok(request.url)
    }

    /// Completes a connection from TikTok's redirect: checks the state, exchanges the code,
    /// fetches the profile, stores the encrypted tokens, and runs a first sync. Any failure
    /// before the tokens are stored leaves nothing behind.
    pub async fn complete_connect(
        &self,
        params: CallbackParams,
    ) -> Result<Connected, ConnectError> {
        // A cancel shows a fixed text, whatever the state: the creator may have waited on
        // TikTok's page past the state's lifetime. Its state is burnt so the link cannot be
        // replayed.
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
            .filter(|state| !state.is_empty())
            .ok_or(ConnectError::MissingParameter("state"))?;
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
        if let Some(error) = params.error {
            return Err(ConnectError::Denied {
                description: params
                    .error_description
                    .as_deref()
                    .map(shown_description)
                    .filter(|text| !text.is_empty())
                    .unwrap_or_else(|| "no description given".to_owned()),
                error: shown_description(&error),
            });
        }
        let code = params
            .code
            .filter(|code| !code.is_empty())
            .ok_or(ConnectError::MissingParameter("code"))?;

        let context = CallContext::new(CallPriority::Interactive);
        let requested_at = self.now();
        let (tokens, user) = with_context(Arc::clone(&context), async {
            let tokens = self
                .inner
                .tiktok
                .exchange_code(&code, stored.pkce_verifier.expose_secret())
                .await
                .map_err(exchange_error)?;
            let fields = UserField::allowed_by(&tokens.scopes);
            let user = self
                .inner
                .tiktok
                .user_info(&tokens.access_token, &fields)
                .await
                .map_err(exchange_error)?;
            Ok::<_, ConnectError>((tokens, user))
        })
        .await?;

        let profile = profile_from_user_info(user);
        if profile.platform_account_id != tokens.open_id {
            return Err(ConnectError::ExchangeFailed(
                "TikTok returned a profile of another account than the token's".into(),
            ));
        }
        let existing = self
            .inner
            .db
            .find_connection(&stored.user_id, Platform::TikTok)
            .await?;
        if let Some(existing) = existing
            && existing.profile.platform_account_id != profile.platform_account_id
        {
            // The new grant is simply dropped: revoking it could disconnect that account
            // from another user of this service.
            return Err(ConnectError::DifferentAccount {
                connected: existing
                    .profile
                    .username
                    .unwrap_or(existing.profile.platform_account_id),
            });
        }
        let missing_scopes = self.missing_scopes(&tokens.scopes);
        let notice = self.notice(|| {
            Notice::connected(
                &stored.user_id,
                Platform::TikTok,
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
                    platform: Platform::TikTok,
                    profile: &profile,
                    tokens: &storage_tokens(&tokens, requested_at),
                    notify: notice.as_ref().map(Notice::as_new),
                },
                self.now(),
            )
            .await
            .map_err(|error| match error {
                StorageError::Conflict(_) => ConnectError::AccountInUse,
                other => ConnectError::Storage(other),
            })?;
        self.queued(notice.as_ref());
        info!(connection_id = %connection.id, "TikTok account connected");

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

/// A failed exchange or first profile fetch, in the callback's terms.
fn exchange_error(error: TikTokError) -> ConnectError {
    match error {
        TikTokError::InvalidClient { .. } => ConnectError::Misconfigured(error),
        error if error.is_retryable() || matches!(error, TikTokError::CallRejected { .. }) => {
            ConnectError::TikTokUnavailable(error)
        }
        error => ConnectError::ExchangeFailed(error.to_string()),
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
