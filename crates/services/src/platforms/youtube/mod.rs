//! YouTube (Google OAuth 2.0, the Data API v3 and the Analytics API) behind the platform
//! seam.
//!
//! - Authorization: PKCE, `access_type=offline` and `prompt=consent` (so a refresh token
//!   always comes back), granular consent: the scopes granted come from the token response
//!   and are stored. `youtube.readonly` is required; without `yt-analytics.readonly` the
//!   daily series comes from our own snapshots. A Google account without a channel is
//!   refused with a clear message, and the grant it just gave is revoked.
//! - Tokens: one-hour access tokens, refreshed just before use (Google's refresh tokens do
//!   not rotate and do not lapse in a day); `invalid_grant` marks the connection for
//!   re-authorization; disconnecting revokes the grant at Google.
//! - Sync: the channel (`channels.list`), every upload through the uploads playlist
//!   (`playlistItems.list`, 50 a page), the videos' details and statistics
//!   (`videos.list`, 50 ids a call), and, where granted, the Analytics API's daily rows for
//!   the last days (re-read every sync: Google revises its recent days). The cost in units
//!   is the reference's minimum: 1 + 2 per 50 uploads (1 + 1 for an empty channel).
//! - Budget: the project's daily units, counted before every attempt, on Pacific days; a
//!   `quotaExceeded` from Google pauses the whole budget until its midnight-Pacific reset.
//! - Stored data: YouTube API Services' policy lets data go unrefreshed for 30 days at most
//!   ([`PlatformTraits::data_retention`]); the worker deletes what is older.

mod hook;
mod mapping;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use domain::{EngagementBasis, Platform, TokenExpiryPolicy};
use scheduler::{CostModel, PlannedDepth};
use secrecy::{ExposeSecret, SecretString};
use storage::{ReceivedTokens, StoredTokens};
use tracing::warn;
use youtube_client::{
    AccessToken, AuthorizationCode, ChannelLookup, ChannelPart, ErrorClass, GrantProblem,
    PageToken, PlaylistItemPart, RefreshToken, TokenGrant, VideoPart, YouTubeClient, YouTubeError,
    analytics_range,
};

use self::hook::BudgetHook;
use self::mapping::{activity_from, post_from, profile_from};
use super::{
    AuthorizationRequest, Authorized, CallbackParams, CallbackRejection, FetchRequest, Fetched,
    PlatformAdapter, PlatformCallback, PlatformError, PlatformErrorKind, PlatformEvent,
    PlatformTraits, RejectionKind,
};
use crate::quota::CallBudget;

/// YouTube's name in the database, the API and the routes.
pub const YOUTUBE: Platform = Platform::new("youtube");

/// The scope every sync needs (the channel and its videos).
pub const YOUTUBE_SCOPE: &str = youtube_client::scope::YOUTUBE_READONLY;
/// The scope of the Analytics API's daily rows.
pub const ANALYTICS_SCOPE: &str = youtube_client::scope::ANALYTICS_READONLY;

/// Days of Analytics rows read at every sync by default: Google revises its recent days
/// (and the latest two or three are not in yet), so the whole window is read again; it is
/// one call of the Analytics API's own quota whatever its length.
pub const DEFAULT_ANALYTICS_DAYS: u32 = 30;

/// The policy's window for data not refreshed (YouTube API Services Developer Policies,
/// III.E.4: refreshed or deleted after 30 days).
pub const DEFAULT_DATA_RETENTION: TimeDelta = TimeDelta::days(30);

/// Empty pages in a row (with a next page still given) after which a walk stops.
const EMPTY_PAGES_TO_STOP: u32 = 3;

/// The YouTube adapter.
pub struct YouTubeAdapter {
    client: YouTubeClient,
    traits: PlatformTraits,
    budget: Arc<CallBudget>,
    analytics_days: u32,
}

impl YouTubeAdapter {
    /// The adapter over `client`, spending `budget` before every Data API call it makes.
    pub fn new(client: YouTubeClient, budget: Arc<CallBudget>) -> Self {
        let page_size = client.config().page_size;
        let client = client.with_call_hook(Arc::new(BudgetHook::new(Arc::clone(&budget))));
        Self {
            client,
            traits: PlatformTraits {
                display_name: "YouTube",
                posts_route: "videos",
                engagement: EngagementBasis::Views,
                token_policy: TokenExpiryPolicy {
                    // One-hour tokens, refreshed just before use (half the lifetime at most).
                    access_margin: TimeDelta::minutes(5),
                    refresh_margin: TimeDelta::days(3),
                },
                cost: CostModel {
                    // Google's token endpoint spends no quota units.
                    refresh: 0,
                    profile: 1,
                    posts_per_page: page_size,
                    // A playlist page and the `videos.list` of its ids.
                    per_page: 2,
                    per_post: 0,
                    skip_empty_list: false,
                },
                // Only the scopes a sync depends on: the Sign-In scopes are asked for too,
                // but Google may answer them under other names (`userinfo.email`).
                requested_scopes: vec![YOUTUBE_SCOPE.to_owned(), ANALYTICS_SCOPE.to_owned()],
                can_revoke: true,
                callbacks: &[],
                // Just after the quota's midnight-Pacific reset (07:00 or 08:00 UTC), so the
                // channels deferred yesterday go first on a whole day's units.
                sync_cron: "0 30 8 * * *",
                counters_read_periodically: false,
                data_retention: Some(DEFAULT_DATA_RETENTION),
                delete_data_on_dead_grant: true,
                reports_daily_activity: true,
            },
            budget,
            analytics_days: DEFAULT_ANALYTICS_DAYS,
        }
    }

    /// Days of Analytics rows read at every sync (default [`DEFAULT_ANALYTICS_DAYS`]).
    #[must_use]
    pub fn with_analytics_days(mut self, days: u32) -> Self {
        self.analytics_days = days.max(1);
        self
    }

    /// How long unrefreshed data is kept (default [`DEFAULT_DATA_RETENTION`]).
    #[must_use]
    pub fn with_data_retention(mut self, retention: TimeDelta) -> Self {
        self.traits.data_retention = Some(retention);
        self
    }

    /// The client, with the budget hook installed.
    pub fn client(&self) -> &YouTubeClient {
        &self.client
    }

    /// Pauses YouTube's whole budget until the reset Google stated, when it said the
    /// project's daily quota is spent: no process calls before then.
    async fn pause_if_exhausted(&self, error: &YouTubeError) {
        if let ErrorClass::QuotaExhausted { resets_at } = error.class()
            && let Err(pause_error) = self.budget.pause(YOUTUBE, None, resets_at).await
        {
            warn!(%pause_error, "could not store YouTube's quota pause");
        }
    }

    /// Revokes a grant the connect refuses, so it does not linger on the creator's Google
    /// account; a failure is only logged (the creator can remove it on their Google page).
    async fn revoke_refused(&self, grant: &TokenGrant) {
        if let Err(error) = self.client.revoke_access_token(&grant.access_token).await {
            warn!(%error, "could not revoke the grant of a refused YouTube connect");
        }
    }

    /// The video ids of the uploads playlist at `depth`, newest first, and whether the
    /// playlist was walked to its end.
    async fn walk_uploads(
        &self,
        token: &AccessToken,
        playlist: &str,
        depth: PlannedDepth,
    ) -> Result<(Vec<String>, bool), YouTubeError> {
        let created_after = match depth {
            PlannedDepth::Full => None,
            PlannedDepth::Recent { created_after } => Some(created_after),
        };
        let mut ids: Vec<String> = Vec::new();
        let mut page: Option<PageToken> = None;
        let mut empty_in_a_row = 0;
        loop {
            let items = self
                .client
                .playlist_items_page(token, playlist, page.as_ref(), &PlaylistItemPart::DEFAULT)
                .await?;
            empty_in_a_row = if items.items.is_empty() {
                empty_in_a_row + 1
            } else {
                0
            };
            let reached_older = created_after.is_some_and(|after| {
                items.items.iter().any(|item| {
                    item.content_details
                        .as_ref()
                        .and_then(|details| details.video_published_at)
                        .is_some_and(|at| at < after)
                })
            });
            for id in items.items.iter().filter_map(|item| item.video_id()) {
                if !ids.iter().any(|known| known == id) {
                    ids.push(id.to_owned());
                }
            }
            let next = match items.next_page_token {
                None => return Ok((ids, true)),
                Some(_) if reached_older => return Ok((ids, false)),
                Some(next) if page.as_ref() == Some(&next) => {
                    warn!(
                        playlist,
                        "stopping the uploads walk: the page token stopped moving"
                    );
                    return Ok((ids, false));
                }
                Some(_) if empty_in_a_row >= EMPTY_PAGES_TO_STOP => {
                    warn!(playlist, "stopping the uploads walk: empty pages in a row");
                    return Ok((ids, false));
                }
                Some(next) => next,
            };
            page = Some(next);
        }
    }

    /// The Analytics rows of the last [`Self::analytics_days`] Pacific days.
    async fn daily_rows(
        &self,
        token: &AccessToken,
        now: DateTime<Utc>,
    ) -> Result<Vec<domain::DailyActivity>, YouTubeError> {
        let (start, end): (NaiveDate, NaiveDate) = analytics_range(now, self.analytics_days);
        let report = self.client.daily_channel_report(token, start, end).await?;
        Ok(report.rows.iter().map(activity_from).collect())
    }
}

#[async_trait]
impl PlatformAdapter for YouTubeAdapter {
    fn platform(&self) -> Platform {
        YOUTUBE
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
            pkce_verifier: request.pkce_verifier,
        }
    }

    async fn complete_authorization(
        &self,
        code: &str,
        pkce_verifier: Option<&SecretString>,
        _callback: &CallbackParams,
        requested_at: DateTime<Utc>,
    ) -> Result<Authorized, PlatformError> {
        let grant = self
            .client
            .exchange_code(&AuthorizationCode::new(code), pkce_verifier)
            .await
            .map_err(|error| exchange_error(error, requested_at))?;
        if let Err(problem) = grant.usable() {
            self.revoke_refused(&grant).await;
            let (code, message) = match problem {
                GrantProblem::YouTubeScopeNotGranted => (
                    "youtube_scope_not_granted",
                    "YouTube access was not granted: connect again and leave \"View your \
                     YouTube account\" ticked on Google's consent screen.",
                ),
                _ => (
                    "no_refresh_token",
                    "Google did not grant offline access to this YouTube channel; connect \
                     again.",
                ),
            };
            return Err(PlatformError::message(
                PlatformErrorKind::NotEligible,
                code,
                message,
            ));
        }
        let lookup = self
            .client
            .my_channel(&grant.access_token, &ChannelPart::DEFAULT)
            .await
            .map_err(|error| exchange_error(error, requested_at))?;
        let ChannelLookup::Found(channel) = lookup else {
            self.revoke_refused(&grant).await;
            return Err(PlatformError::message(
                PlatformErrorKind::NotEligible,
                "no_channel",
                "This Google account has no YouTube channel. Create one on YouTube (or choose \
                 the Google account that owns your channel), then connect again.",
            ));
        };
        let sub = grant
            .id_token
            .as_ref()
            .and_then(|token| token.unverified_claims())
            .map(|claims| claims.sub);
        Ok(Authorized {
            tokens: received_tokens(&grant, requested_at),
            profile: profile_from(&channel, sub),
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
        let token = RefreshToken::new(refresh_token.expose_secret());
        match self.client.refresh(&token).await {
            Ok(grant) => Ok(received_tokens(&grant, requested_at)),
            // `invalid_grant`: revoked, expired, or idle too long: only a new consent helps.
            Err(error) if error.needs_reauth() => {
                let code = code_of(&error);
                Err(PlatformError::new(
                    PlatformErrorKind::NeedsReauth,
                    code,
                    error,
                ))
            }
            Err(error) => Err(platform_error(error, requested_at)),
        }
    }

    async fn revoke(&self, access_token: &SecretString) -> Result<bool, PlatformError> {
        // Revoking the access token revokes the whole grant (its refresh token too); one
        // already invalid is as good as revoked.
        self.client
            .revoke_access_token(&AccessToken::new(access_token.expose_secret()))
            .await
            .map(|_| true)
            .map_err(|error| platform_error(error, self.budget.now()))
    }

    async fn fetch(
        &self,
        access_token: &SecretString,
        request: FetchRequest<'_>,
    ) -> Result<Fetched, PlatformError> {
        let token = AccessToken::new(access_token.expose_secret());
        let with_analytics = request.scopes.iter().any(|scope| scope == ANALYTICS_SCOPE);
        let fetched = async {
            let lookup = self
                .client
                .my_channel(&token, &ChannelPart::DEFAULT)
                .await?;
            let ChannelLookup::Found(channel) = lookup else {
                return Ok(None);
            };
            let profile = match request.prefetched {
                Some(profile) => profile,
                None => profile_from(&channel, None),
            };
            let (ids, reached_end) = match channel.uploads_playlist_id() {
                Some(playlist) => self.walk_uploads(&token, playlist, request.depth).await?,
                None => (Vec::new(), true),
            };
            let posts = if ids.is_empty() {
                Vec::new()
            } else {
                let lookup = self
                    .client
                    .videos(&token, &ids, &VideoPart::DEFAULT)
                    .await?;
                lookup.videos.iter().map(post_from).collect()
            };
            // The Analytics API has its own quota: a failure there (or its scope withdrawn)
            // keeps the sync, without the daily rows.
            let mut withdrawn_scopes = Vec::new();
            let daily = if with_analytics {
                match self.daily_rows(&token, request.now).await {
                    Ok(rows) => rows,
                    Err(error) if matches!(error.class(), ErrorClass::PermissionMissing) => {
                        withdrawn_scopes.push(ANALYTICS_SCOPE.to_owned());
                        Vec::new()
                    }
                    Err(error) if error.is_access_token_rejected() => return Err(error),
                    Err(error) => {
                        warn!(%error, "YouTube Analytics rows not read this time");
                        Vec::new()
                    }
                }
            } else {
                Vec::new()
            };
            Ok(Some(Fetched {
                profile,
                posts,
                reached_end,
                partial_counters: false,
                withdrawn_scopes,
                daily,
            }))
        }
        .await;
        match fetched {
            Ok(Some(fetched)) => Ok(fetched),
            Ok(None) => Err(PlatformError::message(
                PlatformErrorKind::NeedsReauth,
                "no_channel",
                "the Google account no longer has a YouTube channel",
            )),
            Err(error) => {
                self.pause_if_exhausted(&error).await;
                Err(platform_error(error, request.now))
            }
        }
    }

    fn read_callback(
        &self,
        callback: &PlatformCallback<'_>,
    ) -> Result<PlatformEvent, CallbackRejection> {
        // Google sends no per-app callback when a user removes access (Cross-Account
        // Protection needs a registration this service does not make): a revoked grant shows
        // as `invalid_grant` at the next refresh.
        Err(CallbackRejection {
            kind: RejectionKind::UnknownCallback,
            message: format!("YouTube sends no `{}` callback", callback.kind),
        })
    }
}

/// A grant as storage takes it: its lifetime counts from `requested_at` (the services'
/// clock); the scopes are the ones Google says it granted.
fn received_tokens(grant: &TokenGrant, requested_at: DateTime<Utc>) -> ReceivedTokens {
    let after = |lifetime: Duration| {
        TimeDelta::from_std(lifetime)
            .ok()
            .and_then(|lifetime| requested_at.checked_add_signed(lifetime))
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    };
    let scopes = grant.scopes.as_slice();
    ReceivedTokens {
        access_token: SecretString::from(grant.access_token.expose_secret()),
        access_token_expires_at: after(grant.expires_in),
        refresh_token: grant
            .refresh_token
            .as_ref()
            .map(|token| SecretString::from(token.expose_secret())),
        refresh_token_expires_at: grant.refresh_token_expires_in.map(after),
        scopes: (!scopes.is_empty()).then(|| scopes.to_vec()),
        obtained_at: requested_at,
    }
}

/// Google's reason for `error`, or the client's kind of error.
fn code_of(error: &YouTubeError) -> String {
    error
        .reason()
        .map_or_else(|| error.kind().to_owned(), str::to_owned)
}

/// A YouTube failure, classified.
fn platform_error(error: YouTubeError, now: DateTime<Utc>) -> PlatformError {
    let code = code_of(&error);
    let (kind, retry_after) = match error.class() {
        // The day's units are spent (by Google's count, or ours): the work waits for the
        // midnight-Pacific reset, it did not fail.
        ErrorClass::QuotaExhausted { resets_at } => (
            PlatformErrorKind::BudgetRefused,
            (resets_at - now).to_std().ok(),
        ),
        ErrorClass::Rejected { retry_after } => (PlatformErrorKind::BudgetRefused, retry_after),
        ErrorClass::RateLimited { retry_after } => (PlatformErrorKind::RateLimited, retry_after),
        ErrorClass::AccessTokenRejected => (PlatformErrorKind::AccessTokenInvalid, None),
        ErrorClass::Reauth | ErrorClass::AccountUnavailable => {
            (PlatformErrorKind::NeedsReauth, None)
        }
        ErrorClass::PermissionMissing => (PlatformErrorKind::ScopeMissing, None),
        ErrorClass::Misconfigured => (PlatformErrorKind::Misconfigured, None),
        _ => (PlatformErrorKind::Unavailable, None),
    };
    PlatformError::new(kind, code, error).with_retry_after(retry_after)
}

/// A failed code exchange or first channel read: an outage or our budget as themselves; a
/// refused code as Google refusing the authorization.
fn exchange_error(error: YouTubeError, now: DateTime<Utc>) -> PlatformError {
    match error.class() {
        ErrorClass::Transient
        | ErrorClass::RateLimited { .. }
        | ErrorClass::QuotaExhausted { .. }
        | ErrorClass::Rejected { .. }
        | ErrorClass::Misconfigured => platform_error(error, now),
        _ => {
            let code = code_of(&error);
            PlatformError::new(PlatformErrorKind::ExchangeRefused, code, error)
        }
    }
}
