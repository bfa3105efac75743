//! Connecting an account: the authorize URL (state, and PKCE where the platform has it) and
//! the OAuth callback, for any platform.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::TimeDelta;
use domain::{Connection, Platform, Profile, SyncTrigger};
use secrecy::SecretString;
use serde::Serialize;
use sha2::{Digest as _, Sha256};
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

/// How long after a connect is begun its popup may open the start route: the host product's
/// page opens it at once. *Why short:* a start link is what a user could send to someone
/// else; one opened late is refused.
pub const CONNECT_START_WINDOW: TimeDelta = TimeDelta::minutes(2);

/// A connect started in a browser: where to send it, and the cookie that binds it.
#[derive(Debug)]
pub struct BrowserStart {
    /// The platform's authorize URL.
    pub authorize_url: Url,
    /// The value of the connect cookie (random, 256 bits); only its digest is stored.
    pub cookie: SecretString,
}

/// Whether a callback must come from the browser that started the connect.
#[derive(Debug, Clone, Copy)]
enum BrowserCheck<'a> {
    /// The callback route: the connect cookie it carried (`None`: none).
    Cookie(Option<&'a str>),
    /// A caller without a browser (the worker's and the benchmarks' scripted flows).
    Unchecked,
}

/// The stored digest of a connect cookie.
fn cookie_digest(cookie: &str) -> String {
    hex::encode(Sha256::digest(cookie.as_bytes()))
}

impl Services {
    /// Binds the connect of `state` to the browser that opened the start route: returns the
    /// platform's authorize URL and a fresh cookie value, whose digest is stored with the
    /// state. Once per state, within [`CONNECT_START_WINDOW`] of its issue.
    ///
    /// # Errors
    /// [`ConnectError::UnknownState`], [`ConnectError::StateExpired`] or
    /// [`ConnectError::StateUsed`] (also when it was started already, or too late).
    pub async fn start_connect_in_browser(
        &self,
        platform: Platform,
        state: &str,
    ) -> Result<BrowserStart, ConnectError> {
        let cookie = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
        let (stored_platform, url) = self
            .inner
            .db
            .start_oauth_state(
                state,
                &cookie_digest(&cookie),
                self.now(),
                CONNECT_START_WINDOW,
            )
            .await
            .map_err(state_error)?;
        if stored_platform != platform {
            return Err(ConnectError::UnknownState);
        }
        let authorize_url = Url::parse(&url).map_err(|_| ConnectError::UnknownState)?;
        Ok(BrowserStart {
            authorize_url,
            cookie: SecretString::from(cookie),
        })
    }

    /// Starts a connection to `platform` for `user_id`: stores a fresh single-use state
    /// bound to the user with its PKCE verifier (encrypted), and returns the platform's
    /// authorize URL.
    pub async fn begin_connect(
        &self,
        user_id: &str,
        platform: Platform,
    ) -> Result<Url, ServiceError> {
        let adapter = self.adapter(platform)?;
        // A connect syncs: it is refused while the user's last connect or manual sync of
        // this platform is within the cooldown, or their share of the reserve is spent.
        self.check_interactive_slot(user_id, platform).await?;
        self.check_user_share(user_id, platform, adapter.traits().display_name)
            .await?;
        let request = adapter.authorization_request();
        let now = self.now();
        self.inner
            .db
            .create_browser_oauth_state(
                &NewOAuthState {
                    state: &request.state,
                    user_id,
                    platform,
                    pkce_verifier: request.pkce_verifier.as_ref(),
                    created_at: now,
                    expires_at: now + self.inner.config.oauth_state_ttl,
                },
                request.url.as_str(),
            )
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
    ///
    /// For callers without a browser (scripted flows); the callback route uses
    /// [`Services::complete_connect_in_browser`].
    pub async fn complete_connect(
        &self,
        platform: Platform,
        params: CallbackParams,
    ) -> Result<Connected, ConnectError> {
        self.complete(platform, params, BrowserCheck::Unchecked)
            .await
    }

    /// As [`Services::complete_connect`], only in the browser that started the connect
    /// (`cookie`: the connect cookie the callback carried): any other is refused with
    /// [`ConnectError::OtherBrowser`] before the code is exchanged, and the state stays
    /// usable by its own browser.
    pub async fn complete_connect_in_browser(
        &self,
        platform: Platform,
        params: CallbackParams,
        cookie: Option<&str>,
    ) -> Result<Connected, ConnectError> {
        self.complete(platform, params, BrowserCheck::Cookie(cookie))
            .await
    }

    async fn complete(
        &self,
        platform: Platform,
        params: CallbackParams,
        browser: BrowserCheck<'_>,
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
        let db = &self.inner.db;
        let stored = match browser {
            BrowserCheck::Cookie(cookie) => {
                let digest = cookie.map(cookie_digest);
                db.consume_bound_oauth_state(&state, digest.as_deref(), self.now())
                    .await
            }
            BrowserCheck::Unchecked => db.consume_oauth_state(&state, self.now()).await,
        }
        .map_err(state_error)?;
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

        // Claimed before the exchange: a connect refused here costs no call.
        self.claim_interactive_slot(&stored.user_id, platform)
            .await
            .map_err(|error| match error {
                ServiceError::Cooldown { retry_after } => ConnectError::Cooldown { retry_after },
                ServiceError::Storage(error) => ConnectError::Storage(error),
                other => ConnectError::Storage(StorageError::InvalidArgument(other.to_string())),
            })?;
        let context = CallContext::for_user(CallPriority::Interactive, &stored.user_id);
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
            // The grant just received is revoked, unless that account is connected here
            // (to another user): a revoke ends the app's whole authorization for the account,
            // and would disconnect them.
            self.revoke_refused_grant(
                platform,
                adapter.as_ref(),
                &profile.platform_account_id,
                &tokens,
            )
            .await;
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
        let notice = self
            .notice(|| Notice::connected(&stored.user_id, platform, &missing_scopes, self.now()));
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

/// The [`ConnectError`] of a state storage refused.
fn state_error(error: StorageError) -> ConnectError {
    match error {
        StorageError::OAuthState(OAuthStateRejection::Unknown) => ConnectError::UnknownState,
        StorageError::OAuthState(OAuthStateRejection::Expired) => ConnectError::StateExpired,
        StorageError::OAuthState(
            OAuthStateRejection::AlreadyUsed | OAuthStateRejection::AlreadyStarted,
        ) => ConnectError::StateUsed,
        StorageError::OAuthState(OAuthStateRejection::OtherBrowser) => ConnectError::OtherBrowser,
        other => ConnectError::Storage(other),
    }
}

impl Services {
    /// Best effort: revokes a grant received by a connect that is refused, when its account
    /// holds no connection here (then nobody's connection depends on the authorization).
    async fn revoke_refused_grant(
        &self,
        platform: Platform,
        adapter: &dyn crate::platforms::PlatformAdapter,
        account_id: &str,
        tokens: &storage::ReceivedTokens,
    ) {
        if !adapter.traits().can_revoke {
            return;
        }
        match self
            .inner
            .db
            .find_connection_by_account(platform, account_id)
            .await
        {
            Ok(None) => {}
            Ok(Some(_)) => {
                info!(%platform, "refused grant kept: its account is connected here");
                return;
            }
            Err(error) => {
                warn!(%error, "refused grant not revoked: the account could not be looked up");
                return;
            }
        }
        let context = CallContext::new(CallPriority::Interactive);
        match with_context(context, adapter.revoke(&tokens.access_token)).await {
            Ok(revoked) => info!(%platform, revoked, "refused grant revoked"),
            Err(error) => warn!(%platform, %error, "refused grant could not be revoked"),
        }
    }

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
