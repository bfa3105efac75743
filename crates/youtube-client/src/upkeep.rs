//! Token upkeep for callers without a service of their own: keep one grant per account
//! usable, store it through the caller's [`TokenStore`], and let one refresh run at a time
//! per account **in this process** (across processes, make the store's `save` a
//! compare-and-swap, or refresh from one process only).
//!
//! Google's refresh tokens do not rotate, so the stored refresh token stays; a refresh that
//! does carry one (rotation) replaces it. Refreshing daily also keeps the refresh token from
//! dying of six months' idleness.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;

use crate::{AccessToken, GrantedScopes, RefreshToken, TokenGrant, YouTubeClient, YouTubeError};

/// A connection's tokens as a caller stores them (encrypt them at rest).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct StoredTokens {
    /// The refresh token: the connection itself.
    pub refresh_token: RefreshToken,
    /// The current access token, if any.
    pub access_token: Option<AccessToken>,
    /// When it expires.
    pub access_expires_at: Option<DateTime<Utc>>,
    /// The scopes of the latest token answer.
    pub scopes: GrantedScopes,
    /// When the refresh token lapses (time-based access only).
    pub refresh_token_expires_at: Option<DateTime<Utc>>,
}

impl StoredTokens {
    /// Builds stored tokens from their parts (a caller's database).
    pub fn new(refresh_token: RefreshToken, scopes: GrantedScopes) -> Self {
        Self {
            refresh_token,
            access_token: None,
            access_expires_at: None,
            scopes,
            refresh_token_expires_at: None,
        }
    }

    /// The tokens of a code exchange; `None` without a refresh token (see
    /// [`TokenGrant::usable`]).
    pub fn from_grant(grant: &TokenGrant) -> Option<Self> {
        Some(Self {
            refresh_token: grant.refresh_token.clone()?,
            access_token: Some(grant.access_token.clone()),
            access_expires_at: Some(grant.expires_at()),
            scopes: grant.scopes.clone(),
            refresh_token_expires_at: grant.refresh_token_expires_at(),
        })
    }

    /// Takes in a refresh's answer: the new access token, the scopes as they are now, and a
    /// rotated refresh token if Google sent one (never an empty one).
    pub fn apply_refresh(&mut self, refreshed: &TokenGrant) {
        self.access_token = Some(refreshed.access_token.clone());
        self.access_expires_at = Some(refreshed.expires_at());
        if !refreshed.scopes.is_empty() {
            self.scopes = refreshed.scopes.clone();
        }
        if let Some(rotated) = &refreshed.refresh_token {
            self.refresh_token = rotated.clone();
        }
        if let Some(lapses) = refreshed.refresh_token_expires_at() {
            self.refresh_token_expires_at = Some(lapses);
        }
    }

    /// The access token if it is good for more than `margin` at `now`.
    pub fn usable_access_token(
        &self,
        now: DateTime<Utc>,
        margin: std::time::Duration,
    ) -> Option<&AccessToken> {
        let expires_at = self.access_expires_at?;
        let margin = chrono::TimeDelta::from_std(margin).unwrap_or(chrono::TimeDelta::MAX);
        (now.checked_add_signed(margin)? < expires_at)
            .then_some(self.access_token.as_ref())
            .flatten()
    }
}

/// Where the caller keeps tokens, keyed by account (e.g. the channel id).
pub trait TokenStore: Send + Sync {
    /// The stored tokens of `account`, if any.
    fn load<'a>(
        &'a self,
        account: &'a str,
    ) -> BoxFuture<'a, Result<Option<StoredTokens>, StoreError>>;
    /// Stores `tokens` for `account` (replacing the previous ones).
    fn save<'a>(
        &'a self,
        account: &'a str,
        tokens: &'a StoredTokens,
    ) -> BoxFuture<'a, Result<(), StoreError>>;
}

/// A [`TokenStore`] failure, with the store's own message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("token store: {0}")]
pub struct StoreError(pub String);

/// Why the keeper could not hand out a usable token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UpkeepError {
    /// No tokens are stored for the account: connect it first.
    #[error("no tokens are stored for this account")]
    NotConnected,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Google failed (see [`YouTubeError::needs_reauth`]).
    #[error(transparent)]
    YouTube(#[from] YouTubeError),
}

impl UpkeepError {
    /// Whether the user must connect again.
    pub fn needs_reauth(&self) -> bool {
        match self {
            UpkeepError::NotConnected => true,
            UpkeepError::YouTube(error) => error.needs_reauth(),
            UpkeepError::Store(_) => false,
        }
    }
}

/// Keeps access tokens fresh: refreshes one that expires within the client's
/// [`refresh_margin`](crate::YouTubeConfig::refresh_margin), saves the answer before handing
/// the token out, and, when Google refuses an access token, refreshes once and retries once.
/// One refresh per account at a time in this process.
pub struct TokenKeeper<S> {
    client: YouTubeClient,
    store: S,
    locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl<S: TokenStore> TokenKeeper<S> {
    /// A keeper over `store`.
    pub fn new(client: YouTubeClient, store: S) -> Self {
        Self {
            client,
            store,
            locks: Mutex::new(HashMap::new()),
        }
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    fn lock_for(&self, account: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self
            .locks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Arc::clone(locks.entry(account.to_owned()).or_default())
    }

    /// A usable access token for `account` at `now`, refreshed first when due.
    pub async fn token(
        &self,
        account: &str,
        now: DateTime<Utc>,
    ) -> Result<AccessToken, UpkeepError> {
        self.token_unless(account, now, None).await
    }

    /// A fresh access token for `account`: refreshed now, unless another task already
    /// replaced `rejected` (the token Google refused) meanwhile.
    async fn token_unless(
        &self,
        account: &str,
        now: DateTime<Utc>,
        rejected: Option<&AccessToken>,
    ) -> Result<AccessToken, UpkeepError> {
        let lock = self.lock_for(account);
        let _one_at_a_time = lock.lock().await;
        let mut stored = self
            .store
            .load(account)
            .await?
            .ok_or(UpkeepError::NotConnected)?;
        let margin = self.client.config().refresh_margin;
        if let Some(current) = stored.usable_access_token(now, margin)
            && rejected.is_none_or(|rejected| rejected != current)
        {
            return Ok(current.clone());
        }
        let refreshed = self.client.refresh(&stored.refresh_token).await?;
        stored.apply_refresh(&refreshed);
        self.store.save(account, &stored).await?;
        Ok(refreshed.access_token)
    }

    /// Runs `call` with a usable token; when Google answers that the access token is invalid
    /// (401), refreshes once and runs `call` once more.
    pub async fn call<T, F, Fut>(
        &self,
        account: &str,
        now: DateTime<Utc>,
        call: F,
    ) -> Result<T, UpkeepError>
    where
        F: Fn(AccessToken) -> Fut,
        Fut: Future<Output = Result<T, YouTubeError>>,
    {
        let token = self.token(account, now).await?;
        match call(token.clone()).await {
            Ok(value) => Ok(value),
            Err(error) if error.is_access_token_rejected() => {
                tracing::info!("access token refused; refreshing once");
                let fresh = self.token_unless(account, now, Some(&token)).await?;
                Ok(call(fresh).await?)
            }
            Err(error) => Err(error.into()),
        }
    }
}
