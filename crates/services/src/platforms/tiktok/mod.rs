//! TikTok (Login Kit + Display API v2) behind the platform seam.
//!
//! - Authorization: PKCE and a single-use state; one code exchange gives an access token
//!   (hours) and a refresh token (months) that **rotates** on every refresh.
//! - Sync: user info with the fields the granted scopes allow, then the video list, 20 a
//!   page; a creator TikTok says has no videos costs no list call.
//! - Budget: per app, per endpoint per minute (TikTok's 600), and an optional daily cap.
//! - Callbacks: the signed `authorization.removed` webhook ends a connection.

mod deep_link;
mod hook;
mod mapping;
mod video_walk;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::{EngagementBasis, Platform, TokenExpiryPolicy};
use scheduler::CostModel;
use secrecy::{ExposeSecret, SecretString};
use storage::{ReceivedTokens, StoredTokens};
use tiktok_client::{
    AccessToken, RefreshToken, RemovalReason, TikTokClient, TikTokError, TokenSet, UserField,
    WebhookError,
};

use self::hook::BudgetHook;
use self::mapping::profile_from_user_info;
use self::video_walk::{WalkedVideos, walk_videos};
use super::{
    AuthorizationRequest, Authorized, CallbackParams, CallbackRejection, EndReason, FetchRequest,
    Fetched, PlatformAdapter, PlatformCallback, PlatformError, PlatformErrorKind, PlatformEvent,
    PlatformTraits, RejectionKind,
};
use crate::quota::CallBudget;

pub use self::deep_link::username_from_profile_deep_link;

/// TikTok's name in the database, the API and the routes.
pub const TIKTOK: Platform = Platform::new("tiktok");

/// The scope that governs the video endpoints.
const VIDEO_SCOPE: &str = "video.list";

/// The header TikTok signs its webhooks with.
const SIGNATURE_HEADER: &str = "tiktok-signature";

/// The TikTok adapter.
pub struct TikTokAdapter {
    client: TikTokClient,
    traits: PlatformTraits,
    webhook_tolerance: Duration,
}

impl TikTokAdapter {
    /// The adapter over `client` (its configured scopes are the requested ones), spending
    /// `budget` before every call it makes; webhooks are accepted within
    /// `webhook_tolerance` of their signature's time.
    pub fn new(client: TikTokClient, budget: Arc<CallBudget>, webhook_tolerance: Duration) -> Self {
        let requested_scopes = client.config().scopes.clone();
        let client = client.with_call_hook(Arc::new(BudgetHook::new(budget)));
        Self {
            client,
            traits: PlatformTraits {
                display_name: "TikTok",
                posts_route: "videos",
                engagement: EngagementBasis::Views,
                token_policy: TokenExpiryPolicy::default(),
                cost: CostModel::TIKTOK,
                requested_scopes,
                can_revoke: true,
                callbacks: &[""],
                sync_cron: "0 30 3 * * *",
                counters_read_periodically: false,
                data_retention: None,
                delete_data_on_dead_grant: false,
                reports_daily_activity: false,
            },
            webhook_tolerance,
        }
    }

    /// The client, with the budget hook installed.
    pub fn client(&self) -> &TikTokClient {
        &self.client
    }
}

#[async_trait]
impl PlatformAdapter for TikTokAdapter {
    fn platform(&self) -> Platform {
        TIKTOK
    }

    fn traits(&self) -> &PlatformTraits {
        &self.traits
    }

    fn redirect_uri(&self) -> &url::Url {
        &self.client.config().redirect_uri
    }

    fn authorization_request(&self) -> AuthorizationRequest {
        let request = self.client.authorization_request();
        AuthorizationRequest {
            url: request.url,
            state: request.state,
            pkce_verifier: Some(request.pkce_verifier),
        }
    }

    async fn complete_authorization(
        &self,
        code: &str,
        pkce_verifier: Option<&SecretString>,
        _callback: &CallbackParams,
        requested_at: DateTime<Utc>,
    ) -> Result<Authorized, PlatformError> {
        let verifier = pkce_verifier
            .map(ExposeSecret::expose_secret)
            .unwrap_or_default();
        let tokens = self
            .client
            .exchange_code(code, verifier)
            .await
            .map_err(exchange_error)?;
        let fields = UserField::allowed_by(&tokens.scopes);
        let user = self
            .client
            .user_info(&tokens.access_token, &fields)
            .await
            .map_err(exchange_error)?;
        let profile = profile_from_user_info(user);
        if profile.platform_account_id != tokens.open_id {
            return Err(PlatformError::message(
                PlatformErrorKind::ExchangeRefused,
                "account_mismatch",
                "TikTok returned a profile of another account than the token's",
            ));
        }
        Ok(Authorized {
            tokens: received_tokens(&tokens, requested_at),
            profile,
        })
    }

    async fn refresh(
        &self,
        stored: &StoredTokens,
        requested_at: DateTime<Utc>,
    ) -> Result<ReceivedTokens, PlatformError> {
        let Some(refresh_token) = stored.refresh_token.as_ref() else {
            return Err(PlatformError::message(
                PlatformErrorKind::NeedsReauth,
                "no_refresh_token",
                "no refresh token is stored",
            ));
        };
        let refresh_token = RefreshToken::new(refresh_token.expose_secret().to_owned());
        match self.client.refresh_access_token(&refresh_token).await {
            Ok(tokens) => Ok(received_tokens(&tokens, requested_at)),
            Err(error @ TikTokError::RefreshRejected { .. }) => Err(PlatformError::new(
                PlatformErrorKind::NeedsReauth,
                code_of(&error),
                error,
            )),
            Err(error) => Err(platform_error(error)),
        }
    }

    async fn revoke(&self, access_token: &SecretString) -> Result<bool, PlatformError> {
        let token = AccessToken::new(access_token.expose_secret().to_owned());
        self.client
            .revoke(&token)
            .await
            .map(|()| true)
            .map_err(platform_error)
    }

    async fn fetch(
        &self,
        access_token: &SecretString,
        request: FetchRequest<'_>,
    ) -> Result<Fetched, PlatformError> {
        let token = AccessToken::new(access_token.expose_secret().to_owned());
        let profile = match request.prefetched {
            Some(profile) => profile,
            None => {
                let fields = UserField::allowed_by(request.scopes);
                let user = self
                    .client
                    .user_info(&token, &fields)
                    .await
                    .map_err(platform_error)?;
                profile_from_user_info(user)
            }
        };
        let mut withdrawn_scopes = Vec::new();
        let walked = if !request.scopes.iter().any(|scope| scope == VIDEO_SCOPE) {
            None
        } else if profile.video_count == Some(0) {
            // TikTok's count (`user.info.stats`) says there is nothing to list: the first
            // page would come back empty, so its call is saved and the walk counts as a
            // complete one. Without the stats scope the count is unknown and the list is
            // walked.
            Some(WalkedVideos {
                videos: Vec::new(),
                reached_end: true,
            })
        } else {
            match walk_videos(&self.client, &token, request.depth).await {
                Ok(walked) => Some(walked),
                // The user withdrew the scope in TikTok's app: sync what is left.
                Err(TikTokError::ScopeNotAuthorized { .. }) => {
                    withdrawn_scopes.push(VIDEO_SCOPE.to_owned());
                    None
                }
                Err(error) => return Err(platform_error(error)),
            }
        };
        let (posts, reached_end) = match walked {
            Some(walked) => (walked.videos, walked.reached_end),
            None => (Vec::new(), request.depth.is_full()),
        };
        Ok(Fetched {
            profile,
            posts,
            reached_end,
            // TikTok gives every counter with the list.
            partial_counters: false,
            withdrawn_scopes,
            daily: Vec::new(),
        })
    }

    fn read_callback(
        &self,
        callback: &PlatformCallback<'_>,
    ) -> Result<PlatformEvent, CallbackRejection> {
        if !callback.kind.is_empty() {
            return Err(CallbackRejection {
                kind: RejectionKind::UnknownCallback,
                message: format!("TikTok sends no `{}` callback", callback.kind),
            });
        }
        let event = self
            .client
            .verify_webhook(
                callback.headers.get(SIGNATURE_HEADER).map(String::as_str),
                callback.body,
                callback.received_at,
                self.webhook_tolerance,
            )
            .map_err(webhook_rejection)?;
        let reason = event.removal_reason().map_err(webhook_rejection)?;
        Ok(match reason {
            Some(reason) => PlatformEvent::AuthorizationEnded {
                event: event.event,
                account_id: event.user_open_id,
                happened_at: event.create_time,
                reason: end_reason(reason),
            },
            None => PlatformEvent::Other { event: event.event },
        })
    }
}

/// Why TikTok says a grant ended, in the platform-neutral words of the host notification.
fn end_reason(reason: RemovalReason) -> EndReason {
    EndReason {
        code: match reason {
            RemovalReason::UserDisconnected => "creator_in_tiktok",
            _ => "tiktok",
        },
        platform_code: Some(reason.code()),
        description: reason.describe(),
        own_revocation: reason == RemovalReason::DeveloperRevoked,
    }
}

/// The new tokens as storage takes them: expiry computed from this response's lifetimes,
/// and no refresh token (so the stored one is kept) when the response carried none.
///
/// The lifetimes count from `requested_at`, the services' clock read just before the request
/// was sent, not from the client's own stamp (the system clock): every later expiry check
/// reads the services' clock, and the two must agree, or a moved clock sees fresh tokens as
/// expired (and refreshes them again) or dead ones as alive.
fn received_tokens(set: &TokenSet, requested_at: DateTime<Utc>) -> ReceivedTokens {
    let set = set.clone().with_issued_at(requested_at);
    ReceivedTokens {
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

/// TikTok's code of `error`, or the client's kind of error.
fn code_of(error: &TikTokError) -> String {
    error.tiktok_code().unwrap_or(error.kind()).to_owned()
}

/// A TikTok failure, classified.
fn platform_error(error: TikTokError) -> PlatformError {
    let code = code_of(&error);
    let (kind, retry_after, scope) = match &error {
        TikTokError::CallRejected { retry_after, .. } => {
            (PlatformErrorKind::BudgetRefused, *retry_after, None)
        }
        TikTokError::RateLimited { retry_after, .. } => {
            (PlatformErrorKind::RateLimited, *retry_after, None)
        }
        TikTokError::AccessTokenInvalid { .. } => {
            (PlatformErrorKind::AccessTokenInvalid, None, None)
        }
        TikTokError::RefreshRejected { .. } => (PlatformErrorKind::NeedsReauth, None, None),
        TikTokError::InvalidClient { .. } => (PlatformErrorKind::Misconfigured, None, None),
        TikTokError::ScopeNotAuthorized { .. } | TikTokError::ScopePermissionMissed { .. } => {
            (PlatformErrorKind::ScopeMissing, None, None::<String>)
        }
        _ => (PlatformErrorKind::Unavailable, None, None),
    };
    let mut classified = PlatformError::new(kind, code, error).with_retry_after(retry_after);
    classified.scope = scope;
    classified
}

/// A failed code exchange or first profile read: an outage, our budget or the app's
/// credentials as themselves; anything else is TikTok refusing the authorization.
fn exchange_error(error: TikTokError) -> PlatformError {
    if error.is_retryable()
        || matches!(
            error,
            TikTokError::CallRejected { .. } | TikTokError::InvalidClient { .. }
        )
    {
        return platform_error(error);
    }
    let code = code_of(&error);
    PlatformError::new(PlatformErrorKind::ExchangeRefused, code, error)
}

/// A webhook refused before anything was recorded.
fn webhook_rejection(error: WebhookError) -> CallbackRejection {
    let kind = match &error {
        WebhookError::MissingSignature => RejectionKind::MissingSignature,
        WebhookError::MalformedSignature(_) => RejectionKind::MalformedSignature,
        WebhookError::BadSignature => RejectionKind::BadSignature,
        WebhookError::StaleTimestamp { .. } => RejectionKind::StaleTimestamp,
        WebhookError::UnknownClientKey(_) => RejectionKind::UnknownApp,
        WebhookError::MalformedBody(_) => RejectionKind::MalformedBody,
        WebhookError::MalformedContent(_) => RejectionKind::MalformedContent,
    };
    CallbackRejection {
        kind,
        message: error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removal_reasons_become_the_host_notifications_causes() {
        let removed_in_app = end_reason(RemovalReason::UserDisconnected);
        assert_eq!(removed_in_app.code, "creator_in_tiktok");
        assert_eq!(
            removed_in_app.description,
            "creator removed the app in TikTok"
        );
        assert_eq!(removed_in_app.platform_code, Some(1));
        assert!(!removed_in_app.own_revocation);
        assert_eq!(end_reason(RemovalReason::AccountBanned).code, "tiktok");
        assert!(end_reason(RemovalReason::DeveloperRevoked).own_revocation);
    }
}
