//! Token upkeep for callers without a service of their own: keep each account's token pair
//! alive, store every rotated pair through the caller's [`TokenStore`] before it is used, and
//! let one refresh run at a time per account **in this process**.
//!
//! TikTok rotates the refresh token on every refresh: the one sent stops working. Two
//! refreshes of one account with the same refresh token make one of them fail with
//! `invalid_grant` although the grant is alive. The keeper serialises refreshes per account
//! with an async mutex, which covers the tasks of one process. Across processes it cannot:
//! either refresh from one process only, or make the store's `save` a compare-and-swap on
//! the refresh token it replaces; a keeper that loses such a race re-reads the store when
//! TikTok answers `invalid_grant` and adopts the winner's pair.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use futures::future::BoxFuture;

use crate::{AccessToken, RefreshToken, TikTokClient, TikTokError, TokenSet};

/// How long before the access token's expiry the keeper refreshes it by default: long enough
/// for a call and its retries to finish with the token it was handed.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

/// What a [`TokenStore`] keeps for one account: the access token, the refresh token that goes
/// with it, and when each expires.
///
/// Both tokens are secret types, redacted in `Debug`.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct TokenPair {
    /// The access token.
    pub access_token: AccessToken,
    /// When the access token expires.
    pub access_token_expires_at: DateTime<Utc>,
    /// The refresh token (rotated by TikTok on every refresh).
    pub refresh_token: RefreshToken,
    /// When the refresh token expires, when TikTok said.
    pub refresh_token_expires_at: Option<DateTime<Utc>>,
    /// The user's id for this app (empty when unknown).
    pub open_id: String,
    /// The granted scopes (empty when unknown).
    pub scopes: Vec<String>,
}

impl TokenPair {
    /// A pair read back from the caller's storage.
    pub fn new(
        access_token: AccessToken,
        access_token_expires_at: DateTime<Utc>,
        refresh_token: RefreshToken,
    ) -> Self {
        Self {
            access_token,
            access_token_expires_at,
            refresh_token,
            refresh_token_expires_at: None,
            open_id: String::new(),
            scopes: Vec::new(),
        }
    }

    /// Sets when the refresh token expires.
    pub fn with_refresh_token_expires_at(mut self, at: Option<DateTime<Utc>>) -> Self {
        self.refresh_token_expires_at = at;
        self
    }

    /// Sets the user's open id.
    pub fn with_open_id(mut self, open_id: impl Into<String>) -> Self {
        self.open_id = open_id.into();
        self
    }

    /// Sets the granted scopes.
    pub fn with_scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// The pair a code exchange gave, with lifetimes counted from `obtained_at` (the caller's
    /// "now" just before the request); `None` when TikTok sent no refresh token.
    pub fn from_token_set(set: &TokenSet, obtained_at: DateTime<Utc>) -> Option<Self> {
        let refresh_token = set.refresh_token.clone()?;
        Some(Self {
            access_token: set.access_token.clone(),
            access_token_expires_at: add_saturating(obtained_at, set.expires_in),
            refresh_token,
            refresh_token_expires_at: set
                .refresh_expires_in
                .map(|lifetime| add_saturating(obtained_at, lifetime)),
            open_id: set.open_id.clone(),
            scopes: set.scopes.clone(),
        })
    }

    /// The pair after a refresh answered `set` at `obtained_at`: a response without a refresh
    /// token (or with an empty one) keeps the current one and its expiry, and an empty scope
    /// list or open id keeps the known ones.
    fn rotated(&self, set: &TokenSet, obtained_at: DateTime<Utc>) -> Self {
        let (refresh_token, refresh_token_expires_at) = match &set.refresh_token {
            Some(fresh) => (
                fresh.clone(),
                set.refresh_expires_in
                    .map(|lifetime| add_saturating(obtained_at, lifetime)),
            ),
            None => (self.refresh_token.clone(), self.refresh_token_expires_at),
        };
        Self {
            access_token: set.access_token.clone(),
            access_token_expires_at: add_saturating(obtained_at, set.expires_in),
            refresh_token,
            refresh_token_expires_at,
            open_id: if set.open_id.is_empty() {
                self.open_id.clone()
            } else {
                set.open_id.clone()
            },
            scopes: if set.scopes.is_empty() {
                self.scopes.clone()
            } else {
                set.scopes.clone()
            },
        }
    }

    /// Whether the access token expires within `margin` of `now` (or has expired).
    pub fn refresh_due(&self, now: DateTime<Utc>, margin: Duration) -> bool {
        add_saturating(now, margin) >= self.access_token_expires_at
    }

    /// Whether the refresh token is known to have expired at `now`.
    pub fn refresh_token_expired(&self, now: DateTime<Utc>) -> bool {
        self.refresh_token_expires_at.is_some_and(|at| now >= at)
    }
}

/// `start + lifetime`, saturating instead of panicking on an absurd lifetime.
fn add_saturating(start: DateTime<Utc>, lifetime: Duration) -> DateTime<Utc> {
    TimeDelta::from_std(lifetime)
        .ok()
        .and_then(|delta| start.checked_add_signed(delta))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Where the caller keeps token pairs, keyed by account (e.g. the TikTok `open_id`, or the
/// caller's own user id): the callback through which the keeper hands over every rotated
/// pair, as rspotify's token callback does, plus the read that lets it see pairs another
/// task or process stored.
///
/// `save` is called before the new access token is used; when it fails the keeper returns
/// the error and hands out nothing. TikTok has already retired the previous refresh token
/// by then, so a store that loses a save loses the grant: make it durable.
pub trait TokenStore: Send + Sync {
    /// The stored pair of `account`, if any.
    fn load<'a>(&'a self, account: &'a str)
    -> BoxFuture<'a, Result<Option<TokenPair>, StoreError>>;

    /// Stores `tokens` for `account`, replacing the previous pair.
    fn save<'a>(
        &'a self,
        account: &'a str,
        tokens: &'a TokenPair,
    ) -> BoxFuture<'a, Result<(), StoreError>>;
}

/// A [`TokenStore`] failure: the store's message and, when it has one, its cause. It must not
/// carry a token.
#[derive(Debug, thiserror::Error)]
#[error("token store: {message}")]
pub struct StoreError {
    message: String,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl StoreError {
    /// A failure described by `message`.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            source: None,
        }
    }

    /// A failure described by `message`, caused by `source`.
    pub fn with_source(
        message: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Self {
            message: message.into(),
            source: Some(source.into()),
        }
    }
}

/// Why the keeper could not hand out a usable token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UpkeepError {
    /// No pair is stored for the account: connect it first.
    #[error("no TikTok token is stored for this account")]
    NotConnected,
    /// The stored refresh token expired: the user must connect again. No call was made.
    #[error("the TikTok refresh token expired at {expired_at}: re-authorization needed")]
    RefreshTokenExpired {
        /// When it expired.
        expired_at: DateTime<Utc>,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// TikTok failed; [`TikTokError::RefreshRejected`] means the user must connect again.
    #[error(transparent)]
    TikTok(#[from] TikTokError),
}

impl UpkeepError {
    /// Whether the user must connect again (nothing stored, the refresh token expired, or
    /// TikTok rejected it).
    pub fn needs_reauth(&self) -> bool {
        match self {
            UpkeepError::NotConnected | UpkeepError::RefreshTokenExpired { .. } => true,
            UpkeepError::TikTok(error) => error.needs_reauth(),
            UpkeepError::Store(_) => false,
        }
    }
}

/// Keeps TikTok token pairs alive for callers without our services.
///
/// - Before handing out an access token it refreshes the pair when the token expires within
///   the margin ([`DEFAULT_REFRESH_MARGIN`] unless set), and saves the rotated pair through
///   the [`TokenStore`] **before** handing out the new access token.
/// - [`call`](Self::call) runs a request with a usable token; when TikTok answers
///   `access_token_invalid` (revoked, rotated elsewhere, clocks apart) it refreshes once and
///   retries once.
/// - Refreshes of one account are serialised **per process** (an async mutex per account):
///   ten tasks finding the same expired token cause one refresh and one save. Other
///   processes are not seen; see the module notes on sharing a store across processes.
/// - A refresh TikTok rejects with `invalid_grant` is re-checked against the store (another
///   process may have rotated the pair) before it is reported.
/// - A refresh that fails transiently while the current access token is still valid hands
///   out the current token (the next call tries again).
///
/// Time is a parameter (`now`), so callers and tests move their own clocks; expiry instants
/// of a rotated pair are counted from the `now` given.
pub struct TokenKeeper<S> {
    client: TikTokClient,
    store: S,
    margin: Duration,
    locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl<S> fmt::Debug for TokenKeeper<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenKeeper")
            .field("client", &self.client)
            .field("margin", &self.margin)
            .finish_non_exhaustive()
    }
}

impl<S: TokenStore> TokenKeeper<S> {
    /// A keeper refreshing through `client` and storing through `store`, with the
    /// [`DEFAULT_REFRESH_MARGIN`].
    pub fn new(client: TikTokClient, store: S) -> Self {
        Self {
            client,
            store,
            margin: DEFAULT_REFRESH_MARGIN,
            locks: Mutex::new(HashMap::new()),
        }
    }

    /// Refreshes access tokens that expire within `margin`.
    pub fn with_refresh_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    /// The client the keeper refreshes with.
    pub fn client(&self) -> &TikTokClient {
        &self.client
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Stores the pair a code exchange gave for `account`, lifetimes counted from
    /// `obtained_at` (the caller's "now" just before the exchange), and returns it.
    ///
    /// # Errors
    /// [`UpkeepError::NotConnected`] when `tokens` carries no refresh token (the keeper could
    /// not renew it), or the store's failure.
    pub async fn insert(
        &self,
        account: &str,
        tokens: &TokenSet,
        obtained_at: DateTime<Utc>,
    ) -> Result<TokenPair, UpkeepError> {
        let pair =
            TokenPair::from_token_set(tokens, obtained_at).ok_or(UpkeepError::NotConnected)?;
        let lock = self.lock_for(account);
        let _one_at_a_time = lock.lock().await;
        self.store.save(account, &pair).await?;
        Ok(pair)
    }

    /// A usable access token for `account` at `now`, the pair refreshed (and saved) first
    /// when its access token expires within the margin.
    pub async fn access_token(
        &self,
        account: &str,
        now: DateTime<Utc>,
    ) -> Result<AccessToken, UpkeepError> {
        // Fast path without the lock: a fresh token needs no coordination.
        let seen = self.load(account).await?;
        if !seen.refresh_due(now, self.margin) {
            return Ok(seen.access_token);
        }
        let lock = self.lock_for(account);
        let _one_at_a_time = lock.lock().await;
        // Another task may have refreshed while this one waited: read again.
        let stored = self.load(account).await?;
        if !stored.refresh_due(now, self.margin) {
            return Ok(stored.access_token);
        }
        let still_valid = now < stored.access_token_expires_at;
        match self.refresh(account, &stored, now).await {
            Ok(fresh) => Ok(fresh.access_token),
            // The current token still works: use it, and try again on the next call.
            Err(UpkeepError::TikTok(error)) if still_valid && error.is_retryable() => {
                tracing::warn!(error = %error, "TikTok token refresh failed; using the current token");
                Ok(stored.access_token)
            }
            Err(error) => Err(error),
        }
    }

    /// Runs `call` with a usable access token for `account`; when TikTok answers
    /// `access_token_invalid`, refreshes once (unless another task already replaced that
    /// token) and runs `call` once more with the new token.
    ///
    /// ```no_run
    /// # async fn run<S: tiktok_client::TokenStore>(keeper: tiktok_client::TokenKeeper<S>)
    /// # -> Result<(), tiktok_client::UpkeepError> {
    /// use tiktok_client::UserField;
    ///
    /// let client = keeper.client().clone();
    /// let user = keeper
    ///     .call("creator-42", chrono::Utc::now(), |token| {
    ///         let client = client.clone();
    ///         async move { client.user_info(&token, &[UserField::DisplayName]).await }
    ///     })
    ///     .await?;
    /// println!("{:?}", user.display_name);
    /// # Ok(()) }
    /// ```
    pub async fn call<T, F, Fut>(
        &self,
        account: &str,
        now: DateTime<Utc>,
        call: F,
    ) -> Result<T, UpkeepError>
    where
        F: Fn(AccessToken) -> Fut,
        Fut: Future<Output = Result<T, TikTokError>>,
    {
        let token = self.access_token(account, now).await?;
        match call(token.clone()).await {
            Err(TikTokError::AccessTokenInvalid { .. }) => {
                let renewed = self.renew_invalid(account, &token, now).await?;
                Ok(call(renewed).await?)
            }
            other => Ok(other?),
        }
    }

    /// A token to use instead of `invalid`, which TikTok refused: the stored one when another
    /// task already replaced it, else a refreshed one.
    pub async fn renew_invalid(
        &self,
        account: &str,
        invalid: &AccessToken,
        now: DateTime<Utc>,
    ) -> Result<AccessToken, UpkeepError> {
        let seen = self.load(account).await?;
        if !same_token(&seen.access_token, invalid) {
            return Ok(seen.access_token);
        }
        let lock = self.lock_for(account);
        let _one_at_a_time = lock.lock().await;
        let stored = self.load(account).await?;
        if !same_token(&stored.access_token, invalid) {
            return Ok(stored.access_token);
        }
        Ok(self.refresh(account, &stored, now).await?.access_token)
    }

    /// Refreshes `stored` and saves the rotated pair; the caller holds the account's lock.
    async fn refresh(
        &self,
        account: &str,
        stored: &TokenPair,
        now: DateTime<Utc>,
    ) -> Result<TokenPair, UpkeepError> {
        if stored.refresh_token_expired(now)
            && let Some(expired_at) = stored.refresh_token_expires_at
        {
            return Err(UpkeepError::RefreshTokenExpired { expired_at });
        }
        match self
            .client
            .refresh_access_token(&stored.refresh_token)
            .await
        {
            Ok(set) => {
                let fresh = stored.rotated(&set, now);
                // Saved before use: the refresh token just sent is dead at TikTok.
                self.store.save(account, &fresh).await?;
                Ok(fresh)
            }
            Err(error @ TikTokError::RefreshRejected { .. }) => {
                // Also what a refresh token rotated by another process gets: adopt its pair.
                let current = self.load(account).await?;
                if same_refresh_token(&current.refresh_token, &stored.refresh_token) {
                    Err(error.into())
                } else {
                    Ok(current)
                }
            }
            Err(error) => Err(error.into()),
        }
    }

    async fn load(&self, account: &str) -> Result<TokenPair, UpkeepError> {
        self.store
            .load(account)
            .await?
            .ok_or(UpkeepError::NotConnected)
    }

    fn lock_for(&self, account: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.locks.lock().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(locks.entry(account.to_owned()).or_default())
    }
}

fn same_token(a: &AccessToken, b: &AccessToken) -> bool {
    a.expose_secret() == b.expose_secret()
}

fn same_refresh_token(a: &RefreshToken, b: &RefreshToken) -> bool {
    a.expose_secret() == b.expose_secret()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(seconds, 0).expect("valid instant")
    }

    fn set(refresh: Option<&str>, scope: &str) -> TokenSet {
        let body = serde_json::json!({
            "access_token": "act.new",
            "expires_in": 7200,
            "refresh_token": refresh,
            "refresh_expires_in": 15_552_000,
            "open_id": "-000a",
            "scope": scope,
        });
        serde_json::from_value::<crate::token::TokenResponse>(body)
            .expect("a token body")
            .into_token_set(at(0))
            .expect("non-empty")
    }

    fn pair() -> TokenPair {
        TokenPair::new(
            AccessToken::new("act.old".into()),
            at(1_000),
            RefreshToken::new("rft.old".into()),
        )
        .with_refresh_token_expires_at(Some(at(50_000)))
        .with_scopes(["user.info.basic"])
    }

    #[test]
    fn a_rotation_counts_from_the_callers_now_and_keeps_what_was_not_sent() {
        let rotated = pair().rotated(&set(Some("rft.new"), "video.list"), at(900));
        assert_eq!(rotated.access_token.expose_secret(), "act.new");
        assert_eq!(rotated.access_token_expires_at, at(900 + 7200));
        assert_eq!(rotated.refresh_token.expose_secret(), "rft.new");
        assert_eq!(rotated.refresh_token_expires_at, Some(at(900 + 15_552_000)));
        assert_eq!(rotated.scopes, ["video.list"]);

        let kept = pair().rotated(&set(None, ""), at(900));
        assert_eq!(kept.refresh_token.expose_secret(), "rft.old");
        assert_eq!(kept.refresh_token_expires_at, Some(at(50_000)));
        assert_eq!(kept.scopes, ["user.info.basic"]);
        assert_eq!(kept.open_id, "-000a");
    }

    #[test]
    fn refresh_is_due_within_the_margin() {
        let margin = Duration::from_secs(300);
        assert!(!pair().refresh_due(at(699), margin));
        assert!(pair().refresh_due(at(700), margin));
        assert!(pair().refresh_due(at(5_000), margin));
        assert!(!pair().refresh_token_expired(at(49_999)));
        assert!(pair().refresh_token_expired(at(50_000)));
    }

    #[test]
    fn an_exchange_without_a_refresh_token_gives_no_pair() {
        assert!(TokenPair::from_token_set(&set(None, ""), at(0)).is_none());
        let pair = TokenPair::from_token_set(&set(Some("rft.1"), "a,b"), at(10)).expect("a pair");
        assert_eq!(pair.access_token_expires_at, at(7210));
        assert_eq!(pair.scopes, ["a", "b"]);
    }

    #[test]
    fn debug_shows_no_token() {
        let shown = format!("{:?}", pair());
        assert!(!shown.contains("act.old") && !shown.contains("rft.old"));
    }
}
