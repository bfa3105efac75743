//! Instagram (the Instagram API with Instagram Login, "Business Login") behind the platform
//! seam.
//!
//! - Authorization: a single-use state (no PKCE); the code is exchanged for a one-hour token
//!   and that at once for a 60-day token. There is no refresh token: the long-lived token
//!   refreshes itself once 24 hours old, so it is refreshed 30 days before it ends
//!   ([`TokenExpiryPolicy`] with a 30-day margin). Only professional (Business or Creator)
//!   accounts can connect. There is no revoke: the creator removes the app in Instagram.
//! - Sync: the profile, the media list (pages of the configured size), and, when
//!   `instagram_business_manage_insights` was granted, the insights (views, reach, saves,
//!   shares) of the media young enough to still move, of new media, and of a share of the
//!   stalest others ([`InsightsPolicy`]); likes and comments come with the media. A counter
//!   Instagram does not give stays unknown; one not read this time keeps its stored value.
//! - Budget: per account, as Meta counts it: a throttle (or usage near the limit) pauses
//!   that account for the time Meta states; the work waits, it does not fail.
//! - Callbacks: Meta's signed deauthorize and data-deletion requests.

mod hook;
mod mapping;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use domain::{EngagementBasis, Platform, TokenExpiryPolicy};
use instagram_client::{
    AccessToken, AccountType, AuthorizationCode, ErrorClass, InsightsState, InstagramClient,
    InstagramError, LongLivedToken, Media, MediaMetric, MediaQuery, PageCursor, ProfileField,
    RefreshRefusal, SignedRequestError,
};
use scheduler::{CostModel, PlannedDepth};
use secrecy::{ExposeSecret, SecretString};
use storage::{ReceivedTokens, StoredTokens};
use tracing::warn;

use self::hook::BudgetHook;
use self::mapping::{post_from, profile_from};
use super::{
    AuthorizationRequest, Authorized, CallbackParams, CallbackRejection, EndReason, FetchRequest,
    Fetched, PlatformAdapter, PlatformCallback, PlatformError, PlatformErrorKind, PlatformEvent,
    PlatformTraits, RejectionKind,
};
use crate::quota::CallBudget;

/// Instagram's name in the database, the API and the routes.
pub const INSTAGRAM: Platform = Platform::new("instagram");

/// The permission every Instagram Login grant has (the profile and the media).
pub const BASIC_SCOPE: &str = instagram_client::scope::BUSINESS_BASIC;
/// The permission insights need.
pub const INSIGHTS_SCOPE: &str = instagram_client::scope::BUSINESS_MANAGE_INSIGHTS;

/// Empty pages in a row (with a next cursor still given) after which a walk stops.
const EMPTY_PAGES_TO_STOP: u32 = 3;

/// The callbacks Meta sends (routes `/api/webhooks/instagram/<kind>`).
pub const DEAUTHORIZE: &str = "deauthorize";
/// The data deletion request callback's route kind.
pub const DATA_DELETION: &str = "data-deletion";

/// When a media's insights are read again: at every sync while it is young (its numbers
/// still move, and Meta's insights lag up to 48 hours), once first seen, and otherwise once
/// `refresh_every` old, the stalest first, at most a `refresh_every`-th of the media per sync
/// (a day's share of a week), so the re-reads of a large account are spread over the days
/// instead of spending a week's budget in one sync. A daily sync then costs the reference's
/// minimum (the profile, the media pages, the recent media's insights) plus that share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InsightsPolicy {
    /// Media younger than this have their insights read at every sync.
    pub recent: TimeDelta,
    /// Older media have their insights read again once this old.
    pub refresh_every: TimeDelta,
}

impl Default for InsightsPolicy {
    /// Two days (the reference's 48-hour window); older media every seven.
    fn default() -> Self {
        Self {
            recent: TimeDelta::hours(48),
            refresh_every: TimeDelta::days(7),
        }
    }
}

impl InsightsPolicy {
    /// Whether a media posted at `posted_at` is young enough to be read at every sync (an
    /// unknown time counts as young: better a call than a stale number).
    pub fn is_recent(&self, posted_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
        posted_at.is_none_or(|at| now - at < self.recent)
    }

    /// The media whose insights this sync reads: the recent ones, the never-read ones, and
    /// the stalest of those read `refresh_every` ago or more, up to a share of the media.
    pub fn choose<'m>(
        &self,
        media: &'m [Media],
        read_at: &HashMap<String, DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> HashSet<&'m str> {
        let mut chosen = HashSet::new();
        let mut stale: Vec<(DateTime<Utc>, &str)> = Vec::new();
        for item in media {
            match read_at.get(&item.id) {
                _ if self.is_recent(item.timestamp, now) => {
                    chosen.insert(item.id.as_str());
                }
                None => {
                    chosen.insert(item.id.as_str());
                }
                Some(&at) if now - at >= self.refresh_every => stale.push((at, &item.id)),
                Some(_) => {}
            }
        }
        stale.sort();
        let days = usize::try_from(self.refresh_every.num_days().max(1)).unwrap_or(1);
        let share = media.len().div_ceil(days).max(1);
        chosen.extend(stale.into_iter().take(share).map(|(_, id)| id));
        chosen
    }
}

/// The Instagram adapter.
pub struct InstagramAdapter {
    client: InstagramClient,
    traits: PlatformTraits,
    budget: Arc<CallBudget>,
    insights: InsightsPolicy,
}

impl InstagramAdapter {
    /// The adapter over `client` (its configured scopes are the requested ones), spending
    /// `budget` before every call it makes.
    pub fn new(client: InstagramClient, budget: Arc<CallBudget>) -> Self {
        let requested_scopes = client.config().scopes.clone();
        // Media per page is the client's setting (Meta's maximum is unconfirmed).
        let page_limit = client.config().page_limit;
        let client = client.with_call_hook(Arc::new(BudgetHook::new(Arc::clone(&budget))));
        Self {
            client,
            traits: PlatformTraits {
                display_name: "Instagram",
                posts_route: "media",
                engagement: EngagementBasis::ReachElseFollowers,
                token_policy: TokenExpiryPolicy {
                    // A 60-day token: refreshed once 30 days are left, so a missed day (or a
                    // week of outage) never lets it lapse.
                    access_margin: TimeDelta::days(30),
                    refresh_margin: TimeDelta::days(3),
                },
                cost: CostModel {
                    refresh: 1,
                    profile: 1,
                    posts_per_page: page_limit,
                    per_page: 1,
                    per_post: 1,
                    skip_empty_list: false,
                },
                requested_scopes,
                can_revoke: false,
                callbacks: &[DEAUTHORIZE, DATA_DELETION],
                sync_cron: "0 15 3 * * *",
                counters_read_periodically: true,
                data_retention: None,
                delete_data_on_dead_grant: false,
                reports_daily_activity: false,
            },
            budget,
            insights: InsightsPolicy::default(),
        }
    }

    /// When media insights are read again (default [`InsightsPolicy::default`]).
    #[must_use]
    pub fn with_insights_policy(mut self, insights: InsightsPolicy) -> Self {
        self.insights = insights;
        self
    }

    /// The client, with the budget hook installed.
    pub fn client(&self) -> &InstagramClient {
        &self.client
    }

    /// Pauses `account` for the wait of a throttle Meta answered (a minute when it stated
    /// none), so no process calls for it before then.
    async fn pause_if_throttled(&self, error: &InstagramError, account: &str) {
        if let ErrorClass::Throttled { retry_after } = error.class() {
            // Our own budget's refusal is not Meta's throttle: nothing to pause.
            if matches!(error, InstagramError::CallRejected { .. }) {
                return;
            }
            let wait = retry_after.unwrap_or(Duration::from_secs(60));
            let until = self.budget.now() + TimeDelta::from_std(wait).unwrap_or_default();
            if let Err(pause_error) = self.budget.pause(INSTAGRAM, Some(account), until).await {
                warn!(%pause_error, "could not store the account's pause");
            }
        }
    }

    /// Every media of `account` at `depth`, newest first, and whether the list was walked
    /// to its end.
    async fn walk_media(
        &self,
        client: &InstagramClient,
        token: &AccessToken,
        account: &str,
        depth: PlannedDepth,
    ) -> Result<(Vec<Media>, bool), InstagramError> {
        let query = MediaQuery::default().with_limit(client.config().page_limit);
        let created_after = match depth {
            PlannedDepth::Full => None,
            PlannedDepth::Recent { created_after } => Some(created_after),
        };
        let mut media = Vec::new();
        let mut cursor: Option<PageCursor> = None;
        let mut empty_in_a_row = 0;
        loop {
            let page = client
                .media_page(token, account, &query, cursor.as_ref())
                .await?;
            empty_in_a_row = if page.media.is_empty() {
                empty_in_a_row + 1
            } else {
                0
            };
            let reached_older = created_after.is_some_and(|after| {
                page.media
                    .iter()
                    .any(|item| item.timestamp.is_some_and(|at| at < after))
            });
            media.extend(page.media);
            let next = match page.next {
                None => return Ok((media, true)),
                Some(_) if reached_older => return Ok((media, false)),
                Some(next) if cursor.as_ref() == Some(&next) => {
                    warn!(
                        account,
                        "stopping the media walk: the cursor stopped moving"
                    );
                    return Ok((media, false));
                }
                Some(_) if empty_in_a_row >= EMPTY_PAGES_TO_STOP => {
                    warn!(account, "stopping the media walk: empty pages in a row");
                    return Ok((media, false));
                }
                Some(next) => next,
            };
            cursor = Some(next);
        }
    }
}

#[async_trait]
impl PlatformAdapter for InstagramAdapter {
    fn platform(&self) -> Platform {
        INSTAGRAM
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
        let code = AuthorizationCode::new(code);
        let connection = self
            .client
            .connect(&code, pkce_verifier)
            .await
            .map_err(exchange_error)?;
        let fields = ProfileField::allowed_by(&connection.permissions);
        let profile = self
            .client
            .profile(&connection.token.access_token, &fields)
            .await
            .map_err(exchange_error)?;
        if let Some(AccountType::Other(kind)) = &profile.account_type {
            return Err(PlatformError::message(
                PlatformErrorKind::NotEligible,
                "not_professional",
                format!(
                    "This Instagram account is a {} account; only professional (Business or \
                     Creator) accounts can be connected. Switch it to a professional account in \
                     Instagram's settings, then connect again.",
                    kind.to_lowercase()
                ),
            ));
        }
        let tokens = received_tokens(&connection.token, requested_at, &connection.permissions);
        Ok(Authorized {
            tokens,
            profile: profile_from(profile),
        })
    }

    async fn refresh(
        &self,
        stored: &StoredTokens,
        requested_at: DateTime<Utc>,
    ) -> Result<ReceivedTokens, PlatformError> {
        let (Some(access_token), Some(obtained_at), Some(expires_at)) = (
            stored.access_token.as_ref(),
            stored.obtained_at,
            stored.access_token_expires_at,
        ) else {
            return Err(PlatformError::message(
                PlatformErrorKind::NeedsReauth,
                "no_token",
                "no long-lived token is stored",
            ));
        };
        let lifetime = (expires_at - obtained_at).to_std().unwrap_or_default();
        let token = LongLivedToken::new(
            AccessToken::new(access_token.expose_secret()),
            obtained_at,
            lifetime,
        );
        match self.client.refresh_long_lived(&token, requested_at).await {
            Ok(refreshed) => Ok(received_tokens(&refreshed, requested_at, &stored.scopes)),
            // Too young to refresh means the token Meta just refused cannot be renewed:
            // only a new authorization helps (a scheduled refresh is never this early).
            Err(error @ InstagramError::RefreshNotAllowed(RefreshRefusal::TooNew { .. })) => Err(
                PlatformError::new(PlatformErrorKind::NeedsReauth, "token_too_new", error),
            ),
            // Meta refusing the token it is asked to refresh (190: expired, the app removed,
            // the password changed): only a new authorization helps.
            Err(error) if matches!(error.class(), ErrorClass::Reauth) => {
                let code = code_of(&error);
                Err(PlatformError::new(
                    PlatformErrorKind::NeedsReauth,
                    code,
                    error,
                ))
            }
            Err(error) => Err(platform_error(error)),
        }
    }

    async fn revoke(&self, _access_token: &SecretString) -> Result<bool, PlatformError> {
        // Instagram Login documents no revoke: the creator removes the app in Instagram's
        // settings, and Meta's deauthorize callback tells us.
        Ok(false)
    }

    async fn fetch(
        &self,
        access_token: &SecretString,
        request: FetchRequest<'_>,
    ) -> Result<Fetched, PlatformError> {
        let account = request.account_id;
        let client = self.client.for_account(account);
        let token = AccessToken::new(access_token.expose_secret());
        let fetched = async {
            let profile = match request.prefetched {
                Some(profile) => profile,
                None => {
                    let fields = ProfileField::allowed_by(request.scopes);
                    profile_from(client.profile_of(&token, account, &fields).await?)
                }
            };
            let (media, reached_end) = self
                .walk_media(&client, &token, account, request.depth)
                .await?;
            let with_insights = request.scopes.iter().any(|scope| scope == INSIGHTS_SCOPE);
            let chosen = if with_insights {
                self.insights
                    .choose(&media, request.counters_read_at, request.now)
                    .into_iter()
                    .map(str::to_owned)
                    .collect()
            } else {
                HashSet::new()
            };
            // A throttle (Meta's, or our budget) while reading insights ends the reading, not
            // the sync: what was read is kept, the rest keeps its stored numbers.
            let mut throttled: Option<InstagramError> = None;
            let mut posts = Vec::with_capacity(media.len());
            for item in media {
                let mut read = !with_insights;
                let mut insights = None;
                if throttled.is_none() && chosen.contains(&item.id) {
                    let product = item.product_type();
                    let metrics = MediaMetric::recommended_for(&product);
                    match client
                        .media_insights(&token, &item.id, &product, &metrics)
                        .await
                    {
                        Ok(found) => {
                            read = true;
                            insights = (found.state == InsightsState::Available).then_some(found);
                        }
                        Err(error) if matches!(error.class(), ErrorClass::Throttled { .. }) => {
                            throttled = Some(error);
                        }
                        Err(error) => return Err(error),
                    }
                }
                let mut post = post_from(item, insights.as_ref());
                post.counters_read = read;
                posts.push(post);
            }
            if let Some(error) = &throttled {
                warn!(account, %error, "insights reading stopped by a throttle; the rest keep their stored numbers");
                self.pause_if_throttled(error, account).await;
            }
            let partial_counters = posts.iter().any(|post| !post.counters_read);
            Ok::<_, InstagramError>((profile, posts, reached_end, partial_counters))
        }
        .await;
        match fetched {
            Ok((profile, posts, reached_end, partial_counters)) => Ok(Fetched {
                profile,
                posts,
                reached_end,
                partial_counters,
                withdrawn_scopes: Vec::new(),
                daily: Vec::new(),
            }),
            Err(error) => {
                self.pause_if_throttled(&error, account).await;
                Err(platform_error(error))
            }
        }
    }

    fn read_callback(
        &self,
        callback: &PlatformCallback<'_>,
    ) -> Result<PlatformEvent, CallbackRejection> {
        if callback.kind != DEAUTHORIZE && callback.kind != DATA_DELETION {
            return Err(CallbackRejection {
                kind: RejectionKind::UnknownCallback,
                message: format!("Instagram sends no `{}` callback", callback.kind),
            });
        }
        let raw = instagram_client::signed_request_from_form(callback.body)
            .map_err(signed_request_rejection)?;
        let request = self
            .client
            .verify_signed_request(&raw)
            .map_err(signed_request_rejection)?;
        let happened_at = request
            .issued_at
            .and_then(|seconds| DateTime::from_timestamp(seconds, 0))
            .unwrap_or(callback.received_at);
        Ok(if callback.kind == DEAUTHORIZE {
            PlatformEvent::AuthorizationEnded {
                event: DEAUTHORIZE.to_owned(),
                account_id: Some(request.user_id),
                happened_at,
                reason: EndReason {
                    code: "creator_in_instagram",
                    platform_code: None,
                    description: "creator removed the app in Instagram",
                    own_revocation: false,
                },
            }
        } else {
            PlatformEvent::DataDeletionRequested {
                account_id: request.user_id,
                happened_at,
            }
        })
    }
}

/// A long-lived token as storage takes it: its lifetime counts from `requested_at` (the
/// services' clock), there is no refresh token, and the permissions are the granted scopes.
fn received_tokens(
    token: &LongLivedToken,
    requested_at: DateTime<Utc>,
    permissions: &[String],
) -> ReceivedTokens {
    let lifetime = TimeDelta::from_std(token.expires_in).unwrap_or(TimeDelta::MAX);
    ReceivedTokens {
        access_token: SecretString::from(token.access_token.expose_secret()),
        access_token_expires_at: requested_at
            .checked_add_signed(lifetime)
            .unwrap_or(DateTime::<Utc>::MAX_UTC),
        refresh_token: None,
        refresh_token_expires_at: None,
        scopes: (!permissions.is_empty()).then(|| permissions.to_vec()),
        obtained_at: requested_at,
    }
}

/// Meta's code for `error`, or the client's kind of error.
fn code_of(error: &InstagramError) -> String {
    error
        .code()
        .map_or_else(|| error.kind().to_owned(), |code| code.to_string())
}

/// An Instagram failure, classified.
fn platform_error(error: InstagramError) -> PlatformError {
    let code = code_of(&error);
    let (kind, retry_after) = match error.class() {
        // A throttle pauses the account for the time Meta states: the work waits for it, it
        // did not fail (the same as our own budget saying no).
        ErrorClass::Throttled { retry_after } => (PlatformErrorKind::BudgetRefused, retry_after),
        // A token Meta refuses (190): refresh once; a token that cannot be refreshed then
        // marks the connection for re-authorization.
        ErrorClass::Reauth => (PlatformErrorKind::AccessTokenInvalid, None),
        ErrorClass::PermissionMissing => (PlatformErrorKind::ScopeMissing, None),
        _ => (PlatformErrorKind::Unavailable, None),
    };
    PlatformError::new(kind, code, error).with_retry_after(retry_after)
}

/// A failed code exchange or first profile read: an outage or our budget as themselves; a
/// refused code or token as Instagram refusing the authorization.
fn exchange_error(error: InstagramError) -> PlatformError {
    match error.class() {
        ErrorClass::Transient | ErrorClass::Throttled { .. } => platform_error(error),
        _ => {
            let code = code_of(&error);
            PlatformError::new(PlatformErrorKind::ExchangeRefused, code, error)
        }
    }
}

/// A signed request refused before anything was recorded.
fn signed_request_rejection(error: SignedRequestError) -> CallbackRejection {
    let kind = match error {
        SignedRequestError::Missing => RejectionKind::MissingSignature,
        SignedRequestError::Malformed | SignedRequestError::BadEncoding => {
            RejectionKind::MalformedSignature
        }
        SignedRequestError::BadSignature | SignedRequestError::UnsupportedAlgorithm => {
            RejectionKind::BadSignature
        }
        _ => RejectionKind::MalformedContent,
    };
    CallbackRejection {
        kind,
        message: error.to_string(),
    }
}
