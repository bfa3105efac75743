//! OAuth `state` values: created with an authorize URL, consumed once by the callback.

use chrono::{DateTime, Utc};
use diesel::IntoSql as _;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use domain::Platform;
use secrecy::{ExposeSecret, SecretString};

use crate::db::{Database, with_conn};
use crate::error::{OAuthStateRejection, StorageError, StorageResult};
use crate::schema::oauth_states;
use crate::time::{from_unix, to_unix};

/// A state to store when an authorize URL is handed out.
#[derive(Debug)]
pub struct NewOAuthState<'a> {
    /// The random state (URL-safe, at least 128 bits).
    pub state: &'a str,
    /// The host product's user starting the flow.
    pub user_id: &'a str,
    /// The platform being connected.
    pub platform: Platform,
    /// The PKCE code verifier, when the platform uses PKCE; stored encrypted.
    pub pkce_verifier: Option<&'a SecretString>,
    /// Now.
    pub created_at: DateTime<Utc>,
    /// When the state stops being accepted (design: 10 minutes after creation).
    pub expires_at: DateTime<Utc>,
}

/// What a consumed state was bound to.
#[derive(Debug)]
pub struct ConsumedOAuthState {
    /// The user who started the flow.
    pub user_id: String,
    /// The platform being connected.
    pub platform: Platform,
    /// The PKCE code verifier, for the token exchange (`None` for a platform without PKCE).
    pub pkce_verifier: Option<SecretString>,
    /// When the state was created.
    pub created_at: DateTime<Utc>,
}

#[derive(Insertable)]
#[diesel(table_name = oauth_states, treat_none_as_default_value = false)]
struct NewStateRow<'a> {
    state: &'a str,
    user_id: &'a str,
    platform: &'a str,
    pkce_verifier_ciphertext: Vec<u8>,
    created_at: i64,
    expires_at: i64,
    authorize_url: Option<&'a str>,
}

impl Database {
    /// Stores a new state. A duplicate state value is a [`StorageError::Conflict`].
    pub async fn create_oauth_state(&self, new: &NewOAuthState<'_>) -> StorageResult<()> {
        self.insert_oauth_state(new, None).await
    }

    /// Stores a new state with the platform's `authorize_url`, for a connect that a browser
    /// starts through [`Database::start_oauth_state`] (which binds it to that browser).
    pub async fn create_browser_oauth_state(
        &self,
        new: &NewOAuthState<'_>,
        authorize_url: &str,
    ) -> StorageResult<()> {
        self.insert_oauth_state(new, Some(authorize_url)).await
    }

    async fn insert_oauth_state(
        &self,
        new: &NewOAuthState<'_>,
        authorize_url: Option<&str>,
    ) -> StorageResult<()> {
        let row = NewStateRow {
            state: new.state,
            user_id: new.user_id,
            platform: new.platform.as_str(),
            // A platform without PKCE stores an encrypted empty verifier (the column is
            // required), read back as none.
            pkce_verifier_ciphertext: self
                .cipher()
                .encrypt(new.pkce_verifier.unwrap_or(&SecretString::from("")))?,
            created_at: to_unix(new.created_at),
            expires_at: to_unix(new.expires_at),
            authorize_url,
        };
        let mut conn = self.conn().await?;
        with_conn!(&mut conn, |c| {
            diesel::insert_into(oauth_states::table)
                .values(&row)
                .execute(c)
                .await?
        });
        Ok(())
    }

    /// Binds a state to the browser that opened the start route (`binding`: a digest of the
    /// cookie it was given), once, while the state is open and no later than `start_by`
    /// after it was issued; returns its platform and authorize URL. One conditional
    /// `UPDATE ... RETURNING`, so two openings cannot both bind it.
    pub async fn start_oauth_state(
        &self,
        state: &str,
        binding: &str,
        now: DateTime<Utc>,
        start_by: chrono::TimeDelta,
    ) -> StorageResult<(Platform, String)> {
        use oauth_states::dsl as s;
        let now_unix = to_unix(now);
        let issued_after = to_unix(now - start_by);
        let mut conn = self.conn().await?;
        let started: Option<(String, Option<String>)> = with_conn!(&mut conn, |c| {
            diesel::update(
                s::oauth_states
                    .filter(s::state.eq(state))
                    .filter(s::consumed_at.is_null())
                    .filter(s::browser_binding.is_null())
                    .filter(s::authorize_url.is_not_null())
                    .filter(s::expires_at.gt(now_unix))
                    .filter(s::created_at.ge(issued_after)),
            )
            .set(s::browser_binding.eq(Some(binding)))
            .returning((s::platform, s::authorize_url))
            .get_result(c)
            .await
            .optional()?
        });
        if let Some((platform, Some(url))) = started {
            return Ok((platform.parse()?, url));
        }
        let existing: Option<(Option<i64>, i64)> = with_conn!(&mut conn, |c| {
            s::oauth_states
                .filter(s::state.eq(state))
                .select((s::consumed_at, s::expires_at))
                .get_result(c)
                .await
                .optional()?
        });
        let rejection = match existing {
            None => OAuthStateRejection::Unknown,
            Some((Some(_), _)) => OAuthStateRejection::AlreadyUsed,
            Some((None, expires)) if expires <= now_unix => OAuthStateRejection::Expired,
            Some(_) => OAuthStateRejection::AlreadyStarted,
        };
        Err(StorageError::OAuthState(rejection))
    }

    /// As [`Database::consume_oauth_state`], and only in the browser the state was bound to
    /// (`binding`: the digest of the cookie the callback carried; `None` when it carried
    /// none). A state of another browser, or never started, is
    /// [`OAuthStateRejection::OtherBrowser`] and stays unconsumed.
    pub async fn consume_bound_oauth_state(
        &self,
        state: &str,
        binding: Option<&str>,
        now: DateTime<Utc>,
    ) -> StorageResult<ConsumedOAuthState> {
        self.consume(state, Some(binding.unwrap_or("")), now).await
    }

    /// Consumes a state: single use, and only before it expires. The check and the marking
    /// happen in one `UPDATE … WHERE consumed_at IS NULL AND expires_at > now RETURNING`, so two
    /// callbacks racing with the same state cannot both succeed.
    ///
    /// Errors with [`StorageError::OAuthState`] saying whether the state is unknown, expired
    /// or already used.
    pub async fn consume_oauth_state(
        &self,
        state: &str,
        now: DateTime<Utc>,
    ) -> StorageResult<ConsumedOAuthState> {
        self.consume(state, None, now).await
    }

    /// Consumes `state`; with `binding`, only when it is the state's browser binding.
    async fn consume(
        &self,
        state: &str,
        binding: Option<&str>,
        now: DateTime<Utc>,
    ) -> StorageResult<ConsumedOAuthState> {
        use oauth_states::dsl as s;
        let now_unix = to_unix(now);
        let mut conn = self.conn().await?;
        let consumed: Option<(String, String, Vec<u8>, i64)> = with_conn!(&mut conn, |c| {
            // Unchecked (`binding` None): the second operand is a bound `true`.
            diesel::update(
                s::oauth_states
                    .filter(s::state.eq(state))
                    .filter(s::consumed_at.is_null())
                    .filter(s::expires_at.gt(now_unix))
                    .filter(
                        s::browser_binding
                            .eq(binding.unwrap_or_default())
                            .or(binding.is_none().into_sql::<diesel::sql_types::Bool>()),
                    ),
            )
            .set(s::consumed_at.eq(Some(now_unix)))
            .returning((
                s::user_id,
                s::platform,
                s::pkce_verifier_ciphertext,
                s::created_at,
            ))
            .get_result(c)
            .await
            .optional()?
        });
        let Some((user_id, platform, ciphertext, created_at)) = consumed else {
            // The update hit nothing: find out why, for a precise error.
            let existing: Option<(Option<i64>, i64)> = with_conn!(&mut conn, |c| {
                s::oauth_states
                    .filter(s::state.eq(state))
                    .select((s::consumed_at, s::expires_at))
                    .get_result(c)
                    .await
                    .optional()?
            });
            let rejection = match existing {
                None => OAuthStateRejection::Unknown,
                Some((Some(_), _)) => OAuthStateRejection::AlreadyUsed,
                Some((None, expires)) if expires <= now_unix => OAuthStateRejection::Expired,
                Some(_) => OAuthStateRejection::OtherBrowser,
            };
            return Err(StorageError::OAuthState(rejection));
        };
        Ok(ConsumedOAuthState {
            user_id,
            platform: platform.parse()?,
            pkce_verifier: Some(self.cipher().decrypt(&ciphertext)?)
                .filter(|verifier: &SecretString| !verifier.expose_secret().is_empty()),
            created_at: from_unix(created_at)?,
        })
    }

    /// Caps the open connect attempts of `user_id`: of their states not yet consumed, keeps
    /// `keep_state` (the one just handed out) and the newest others up to `max_open` in all,
    /// and deletes the rest. Returns how many were deleted.
    ///
    /// *Why evict rather than refuse:* a creator who opened the popup several times finishes
    /// in the last one; the older attempts are the ones abandoned.
    pub async fn cap_open_oauth_states(
        &self,
        user_id: &str,
        keep_state: &str,
        max_open: usize,
    ) -> StorageResult<usize> {
        use oauth_states::dsl as s;
        let mut conn = self.conn().await?;
        let open: Vec<String> = with_conn!(&mut conn, |c| {
            s::oauth_states
                .filter(s::user_id.eq(user_id))
                .filter(s::consumed_at.is_null())
                .filter(s::state.ne(keep_state))
                .order((s::created_at.desc(), s::expires_at.desc()))
                .select(s::state)
                .load(c)
                .await?
        });
        let evicted: Vec<&String> = open.iter().skip(max_open.saturating_sub(1)).collect();
        if evicted.is_empty() {
            return Ok(0);
        }
        Ok(with_conn!(&mut conn, |c| {
            diesel::delete(
                s::oauth_states
                    .filter(s::user_id.eq(user_id))
                    .filter(s::consumed_at.is_null())
                    .filter(s::state.eq_any(&evicted)),
            )
            .execute(c)
            .await?
        }))
    }

    /// How many states are stored, consumed or not (for operations and tests: the table
    /// must not grow without bound).
    pub async fn oauth_state_count(&self) -> StorageResult<i64> {
        use oauth_states::dsl as s;
        let mut conn = self.conn().await?;
        Ok(with_conn!(&mut conn, |c| {
            s::oauth_states.count().get_result(c).await?
        }))
    }

    /// Deletes states that expired before `before`. Returns how many were deleted.
    pub async fn purge_oauth_states(&self, before: DateTime<Utc>) -> StorageResult<usize> {
        use oauth_states::dsl as s;
        let before = to_unix(before);
        let mut conn = self.conn().await?;
        Ok(with_conn!(&mut conn, |c| {
            diesel::delete(s::oauth_states.filter(s::expires_at.lt(before)))
                .execute(c)
                .await?
        }))
    }
}
