//! The platform seam: everything that differs between TikTok, Instagram and YouTube is behind
//! one trait, [`PlatformAdapter`], with one implementation per platform in a module of its
//! own. The use cases (connect, sync, refresh, disconnect, the worker) speak only of
//! platforms: they look an adapter up by [`Platform`] in [`Platforms`] and call it.
//!
//! What an adapter decides:
//! - how a connection is authorized: the authorize URL (state, PKCE where the platform has
//!   it), the code exchange (and a long-lived exchange straight after, on Instagram), and the
//!   account it belongs to, refusing accounts the platform cannot sync;
//! - how its tokens are kept alive: when they are due ([`PlatformTraits::token_policy`]), how
//!   they are refreshed (a rotating refresh token, a non-rotating one, or the access token
//!   itself) and revoked (or not: Instagram has no revoke);
//! - how a sync walks profile, posts and insights, and which counters exist (unknown is
//!   `None`, never 0);
//! - what a call costs and which budget it spends: its client's call hook spends the shared
//!   [`crate::quota::CallBudget`] before every attempt;
//! - which platform callbacks end a connection (TikTok's webhook, Instagram's signed
//!   deauthorize and data-deletion requests).

mod error;
pub mod instagram;
pub mod tiktok;
pub mod youtube;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use domain::{DailyActivity, EngagementBasis, Platform, Profile, SyncedVideo, TokenExpiryPolicy};
use scheduler::{CostModel, PlannedDepth};
use secrecy::SecretString;
use serde::Serialize;
use storage::{ReceivedTokens, StoredTokens};
use url::Url;

pub use error::{PlatformError, PlatformErrorKind};

/// What a use case needs to know about a platform without calling it.
#[derive(Debug, Clone)]
pub struct PlatformTraits {
    /// The name shown to people (`TikTok`, `Instagram`, `YouTube`).
    pub display_name: &'static str,
    /// What the platform calls its posts in the API's routes (`videos`, `media`).
    pub posts_route: &'static str,
    /// What a post's engagement rate divides by.
    pub engagement: EngagementBasis,
    /// When its access tokens are refreshed.
    pub token_policy: TokenExpiryPolicy,
    /// What a sync costs, in the unit its budget counts.
    pub cost: CostModel,
    /// The scopes asked for at connect time; what a creator did not grant is reported
    /// missing.
    pub requested_scopes: Vec<String>,
    /// Whether disconnecting can revoke the grant at the platform.
    pub can_revoke: bool,
    /// The callbacks the platform sends us, by route kind (the last path segment after
    /// `/api/webhooks/<platform>`; empty for the platform's one webhook route).
    pub callbacks: &'static [&'static str],
    /// When its own daily sync pass runs by default (cron, UTC): staggered after the
    /// all-platforms pass at 03:00, so each platform's leftovers are picked up at its own
    /// time (`SYNC_CRON_<PLATFORM>` overrides it).
    pub sync_cron: &'static str,
    /// Whether some counters are re-read only periodically (Instagram's insights): the
    /// services then give the adapter each post's last full read, and keep the stored values
    /// of the counters it did not read.
    pub counters_read_periodically: bool,
    /// How long the platform's policy lets us keep its data unrefreshed (YouTube's 30
    /// days): a connection whose last successful sync is older has its data deleted by the
    /// worker. `None`: kept until the connection ends.
    pub data_retention: Option<TimeDelta>,
    /// Whether the data is deleted as soon as the platform refuses the grant for good
    /// (revoked by the creator, or expired): YouTube's policy asks for it. The connection
    /// stays, marked for re-authorization.
    pub delete_data_on_dead_grant: bool,
    /// Whether the platform reports an account's daily activity itself (YouTube Analytics):
    /// only then are the stored daily figures read for the analytics.
    pub reports_daily_activity: bool,
}

/// A fresh authorization request: send the browser to `url`; keep `state` and the PKCE
/// verifier (when the platform uses PKCE) for the callback.
pub struct AuthorizationRequest {
    /// The platform's consent page, with our state.
    pub url: Url,
    /// The state in the URL.
    pub state: String,
    /// The PKCE verifier, when the platform uses PKCE.
    pub pkce_verifier: Option<SecretString>,
}

/// The query parameters a platform sends to the OAuth callback, every platform's names
/// together (`scopes` on TikTok, `scope` on Google; Instagram adds `error_reason`).
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct CallbackParams {
    /// The authorization code (already URL-decoded once by the web framework).
    pub code: Option<String>,
    /// Our state, returned unchanged.
    pub state: Option<String>,
    /// The scopes granted, comma- or space-separated (informative: the token response is
    /// what we trust).
    pub scopes: Option<String>,
    /// `access_denied` when the creator cancelled, or another OAuth error.
    pub error: Option<String>,
    /// The platform's reason for the error (Instagram's `user_denied`).
    pub error_reason: Option<String>,
    /// The platform's description of the error.
    pub error_description: Option<String>,
}

/// A completed authorization: the tokens and the account they belong to.
#[derive(Debug)]
pub struct Authorized {
    /// The tokens, expiry computed from the responses' lifetimes and `requested_at`.
    pub tokens: ReceivedTokens,
    /// The account's profile, read with the new token (the account id is the one the
    /// connection is keyed on).
    pub profile: Profile,
}

/// What a sync asks of the platform.
#[derive(Debug)]
pub struct FetchRequest<'a> {
    /// The connected account (a profile of another account is a failure).
    pub account_id: &'a str,
    /// The scopes granted now.
    pub scopes: &'a [String],
    /// How much of the post list to walk.
    pub depth: PlannedDepth,
    /// A profile fetched moments ago (on connect), so it is not fetched again.
    pub prefetched: Option<Profile>,
    /// The services' clock now (which posts are recent enough for their insights to be read
    /// again is decided against it).
    pub now: DateTime<Utc>,
    /// When each stored post's counters were last all read (by platform id), for a platform
    /// that re-reads some counters only periodically
    /// ([`PlatformTraits::counters_read_periodically`]); empty otherwise.
    pub counters_read_at: &'a HashMap<String, DateTime<Utc>>,
}

/// What a sync fetched.
#[derive(Debug)]
pub struct Fetched {
    /// The profile.
    pub profile: Profile,
    /// The posts, every counter the platform gave (unknown counters `None`).
    pub posts: Vec<SyncedVideo>,
    /// Whether the post list was walked to its end (only then, and with every counter read,
    /// does the sync count as a full walk).
    pub reached_end: bool,
    /// Whether some posts' counters were not read this time (Instagram re-reads the insights
    /// of older posts only periodically): the services keep their stored values for those
    /// (each post says which: [`SyncedVideo::counters_read`](domain::SyncedVideo)).
    pub partial_counters: bool,
    /// Scopes the platform said are missing (withdrawn after consent), besides the ones the
    /// grant never had.
    pub withdrawn_scopes: Vec<String>,
    /// The account's daily activity as the platform reports it (YouTube Analytics), the
    /// days it revises included; empty for a platform without it (or without its scope).
    pub daily: Vec<DailyActivity>,
}

/// The headers and body of a platform's callback to us (a webhook, a signed request).
pub struct PlatformCallback<'a> {
    /// Which callback: the last path segment of its route (`deauthorize`,
    /// `data-deletion`), or empty for the platform's one webhook route.
    pub kind: &'a str,
    /// The request's headers, by lowercase name.
    pub headers: &'a BTreeMap<String, String>,
    /// The raw body, as signed.
    pub body: &'a [u8],
    /// The real time (a signature's age is about the delivery on the wire).
    pub received_at: DateTime<Utc>,
}

/// Why the platform says an authorization ended, for the host notification and the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EndReason {
    /// A stable code (`creator_in_tiktok`, `tiktok`, `creator_in_instagram`...).
    pub code: &'static str,
    /// The platform's own reason code, when it gives one.
    pub platform_code: Option<i64>,
    /// In words.
    pub description: &'static str,
    /// Whether this is the platform telling us of a revoke we made ourselves (TikTok's
    /// reason 5): it ends only a grant older than the event.
    pub own_revocation: bool,
}

/// What a verified platform callback says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlatformEvent {
    /// The account's authorization ended (the creator removed the app, the account is gone):
    /// the connection ends and its data is deleted.
    AuthorizationEnded {
        /// The event's name on the platform (`authorization.removed`, `deauthorize`).
        event: String,
        /// The account, when the platform names it.
        account_id: Option<String>,
        /// When the platform says it happened.
        happened_at: DateTime<Utc>,
        /// Why.
        reason: EndReason,
    },
    /// The creator asked the platform for their data to be deleted: the connection ends,
    /// its data is deleted, and the platform expects a status URL and a confirmation code.
    DataDeletionRequested {
        /// The account.
        account_id: String,
        /// When the platform says it was asked.
        happened_at: DateTime<Utc>,
    },
    /// A verified event this service does not act on.
    Other {
        /// Its name.
        event: String,
    },
}

/// Why a platform callback was refused before anything was recorded.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct CallbackRejection {
    /// What kind of refusal.
    pub kind: RejectionKind,
    /// What is wrong, never quoting the body.
    pub message: String,
}

/// What was wrong with a refused platform callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RejectionKind {
    /// No signature came with it.
    MissingSignature,
    /// The signature cannot be read.
    MalformedSignature,
    /// The signature does not match the body.
    BadSignature,
    /// The signature is too old (or from the future).
    StaleTimestamp,
    /// It is for another app of the platform.
    UnknownApp,
    /// A signed body that is not the platform's envelope.
    MalformedBody,
    /// A signed body whose content cannot be read.
    MalformedContent,
    /// The platform sends no callback of that kind.
    UnknownCallback,
}

impl RejectionKind {
    /// Whether the sender is not proven (answered 401) rather than the body unreadable (400).
    pub fn is_unauthenticated(self) -> bool {
        matches!(
            self,
            Self::MissingSignature
                | Self::MalformedSignature
                | Self::BadSignature
                | Self::StaleTimestamp
                | Self::UnknownApp
        )
    }

    /// A stable label for logs and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MissingSignature => "missing_signature",
            Self::MalformedSignature => "malformed_signature",
            Self::BadSignature => "bad_signature",
            Self::StaleTimestamp => "stale_timestamp",
            Self::UnknownApp => "unknown_client_key",
            Self::MalformedBody => "malformed_body",
            Self::MalformedContent => "malformed_content",
            Self::UnknownCallback => "unknown_callback",
        }
    }
}

/// One platform, as the use cases see it.
#[async_trait]
pub trait PlatformAdapter: Send + Sync {
    /// Which platform.
    fn platform(&self) -> Platform;

    /// What the use cases need to know about it.
    fn traits(&self) -> &PlatformTraits;

    /// Where the platform sends the browser back after consent: this service's public
    /// address as the platform knows it (also the base of pages the platform links to, such
    /// as a data deletion request's status page).
    fn redirect_uri(&self) -> &url::Url;

    /// A fresh authorization request.
    fn authorization_request(&self) -> AuthorizationRequest;

    /// Exchanges the callback's `code` for tokens (and, where the platform has one, for a
    /// long-lived token straight after) and reads the account. `requested_at` is the
    /// services' clock just before the first request: token lifetimes count from it.
    ///
    /// # Errors
    /// A [`PlatformError`]; [`PlatformErrorKind::NotEligible`] for an account the platform
    /// cannot sync (a personal Instagram account, a Google account without a channel).
    async fn complete_authorization(
        &self,
        code: &str,
        pkce_verifier: Option<&SecretString>,
        callback: &CallbackParams,
        requested_at: DateTime<Utc>,
    ) -> Result<Authorized, PlatformError>;

    /// New tokens for `stored` (a response without a refresh token keeps the stored one).
    ///
    /// # Errors
    /// [`PlatformErrorKind::NeedsReauth`] when the platform will never accept these tokens
    /// again; any other kind leaves them as they are.
    async fn refresh(
        &self,
        stored: &StoredTokens,
        requested_at: DateTime<Utc>,
    ) -> Result<ReceivedTokens, PlatformError>;

    /// Revokes the grant of `access_token` at the platform; `Ok(false)` when the platform has
    /// no revoke (the creator removes the app on the platform's side).
    ///
    /// # Errors
    /// A [`PlatformError`] when the platform refused or failed.
    async fn revoke(&self, access_token: &SecretString) -> Result<bool, PlatformError>;

    /// Fetches what a sync writes: the profile and the posts of the planned depth, with
    /// their counters (insights included where the platform has them).
    ///
    /// # Errors
    /// A [`PlatformError`]; [`PlatformErrorKind::AccessTokenInvalid`] makes the caller
    /// refresh once and try again.
    async fn fetch(
        &self,
        access_token: &SecretString,
        request: FetchRequest<'_>,
    ) -> Result<Fetched, PlatformError>;

    /// Verifies and reads a callback the platform sent us.
    ///
    /// # Errors
    /// A [`CallbackRejection`]: nothing is recorded.
    fn read_callback(
        &self,
        callback: &PlatformCallback<'_>,
    ) -> Result<PlatformEvent, CallbackRejection>;
}

/// The platforms a service runs with, by name, in the order they were registered.
#[derive(Clone, Default)]
pub struct Platforms {
    adapters: Vec<Arc<dyn PlatformAdapter>>,
}

impl Platforms {
    /// No platform yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `adapter` (a second adapter of the same platform replaces the first).
    #[must_use]
    pub fn with(mut self, adapter: Arc<dyn PlatformAdapter>) -> Self {
        self.adapters
            .retain(|known| known.platform() != adapter.platform());
        self.adapters.push(adapter);
        self
    }

    /// The adapter of `platform`, if this service runs it.
    pub fn get(&self, platform: Platform) -> Option<&Arc<dyn PlatformAdapter>> {
        self.adapters
            .iter()
            .find(|adapter| adapter.platform() == platform)
    }

    /// Every adapter, in registration order.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<dyn PlatformAdapter>> {
        self.adapters.iter()
    }

    /// The platforms, in registration order.
    pub fn names(&self) -> impl Iterator<Item = Platform> + '_ {
        self.adapters.iter().map(|adapter| adapter.platform())
    }
}

impl std::fmt::Debug for Platforms {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.names()).finish()
    }
}
