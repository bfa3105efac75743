//! Token upkeep for callers without a service of their own: keep one long-lived token per
//! account alive, store it through the caller's [`TokenStore`], and let one refresh run at
//! a time per account **in this process** (across processes, make the store's `save` a
//! compare-and-swap, or refresh from one process only).

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;

use crate::{AccessToken, InstagramClient, InstagramError, LongLivedToken, RefreshRefusal};

/// Where the caller keeps tokens, keyed by account (e.g. the Instagram user id).
pub trait TokenStore: Send + Sync {
    /// The stored token of `account`, if any.
    fn load<'a>(
        &'a self,
        account: &'a str,
    ) -> BoxFuture<'a, Result<Option<LongLivedToken>, StoreError>>;
    /// Stores `token` for `account` (replacing the previous one).
    fn save<'a>(
        &'a self,
        account: &'a str,
        token: &'a LongLivedToken,
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
    /// No token is stored for the account: connect it first.
    #[error("no token is stored for this account")]
    NotConnected,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Instagram failed (see [`InstagramError::needs_reauth`]).
    #[error(transparent)]
    Instagram(#[from] InstagramError),
}

impl UpkeepError {
    /// Whether the user must connect again.
    pub fn needs_reauth(&self) -> bool {
        match self {
            UpkeepError::NotConnected => true,
            UpkeepError::Instagram(error) => error.needs_reauth(),
            UpkeepError::Store(_) => false,
        }
    }
}

/// Keeps long-lived tokens alive: refreshes a token once it may be refreshed and expires
/// within `margin`, saves the new one before handing it out, and, when Instagram says a
/// token is invalid, re-reads the store once (another task may have replaced it) before
/// reporting the error. One refresh per account at a time in this process.
pub struct TokenKeeper<S> {
    client: InstagramClient,
    store: S,
    margin: Duration,
    locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl<S: TokenStore> TokenKeeper<S> {
    /// A keeper refreshing tokens that expire within `margin` (e.g. 30 days: a daily job
    /// then refreshes about once a month).
    pub fn new(client: InstagramClient, store: S, margin: Duration) -> Self {
        Self {
            client,
            store,
            margin,
            locks: Mutex::new(HashMap::new()),
        }
    }

    fn lock_for(&self, account: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self
            .locks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Arc::clone(locks.entry(account.to_owned()).or_default())
    }

    /// A usable token for `account` at `now`, refreshed first when due.
    pub async fn token(
        &self,
        account: &str,
        now: DateTime<Utc>,
    ) -> Result<AccessToken, UpkeepError> {
        let lock = self.lock_for(account);
        let _one_at_a_time = lock.lock().await;
        let stored = self
            .store
            .load(account)
            .await?
            .ok_or(UpkeepError::NotConnected)?;
        if now >= stored.expires_at() {
            // Past its expiry no refresh can save it: say so without a call.
            return Err(InstagramError::RefreshNotAllowed(RefreshRefusal::Expired {
                expired_at: stored.expires_at(),
            })
            .into());
        }
        let min_age = self.client.config().refresh_min_age;
        if !stored.refresh_due(now, min_age, self.margin) {
            return Ok(stored.access_token);
        }
        match self.client.refresh_long_lived(&stored, now).await {
            Ok(fresh) => {
                self.store.save(account, &fresh).await?;
                Ok(fresh.access_token)
            }
            // A failed refresh of a still valid token is not fatal: use it, retry next time.
            Err(error) if !error.needs_reauth() => {
                tracing::warn!(error = %error, "token refresh failed; using the current token");
                Ok(stored.access_token)
            }
            Err(error) => Err(error.into()),
        }
    }

    /// Runs `call` with a usable token; when Instagram answers that the token is invalid,
    /// re-reads the store and, if another task stored a different token meanwhile, runs
    /// `call` once more with it.
    pub async fn call<T, F, Fut>(
        &self,
        account: &str,
        now: DateTime<Utc>,
        call: F,
    ) -> Result<T, UpkeepError>
    where
        F: Fn(AccessToken) -> Fut,
        Fut: Future<Output = Result<T, InstagramError>>,
    {
        let token = self.token(account, now).await?;
        match call(token.clone()).await {
            Ok(value) => Ok(value),
            Err(error) if error.needs_reauth() => {
                let current = self
                    .store
                    .load(account)
                    .await?
                    .ok_or(UpkeepError::NotConnected)?;
                if current.access_token == token {
                    return Err(error.into());
                }
                Ok(call(current.access_token).await?)
            }
            Err(error) => Err(error.into()),
        }
    }
}
