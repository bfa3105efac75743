//! Connections: connect (upsert), profile updates, tokens (with compare-and-swap after a
//! refresh), refresh bookkeeping, and disconnect.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::RunQueryDsl;
use domain::{Connection, ConnectionId, ConnectionStatus, Platform, Profile};
use secrecy::SecretString;

use crate::db::{Database, load_optional, transaction, with_conn};
use crate::error::{StorageError, StorageResult};
use crate::models::{ConnectionRow, connections_into_domain, join_scopes, split_scopes};
use crate::outbox::{NewOutboundEvent, OutboundInsert, enqueue_outbound};
use crate::profile_columns::ProfileColumns;
use crate::schema::{connections, oauth_states};
use crate::time::{from_unix_opt, to_unix};

/// Tokens as received from a token endpoint, with absolute expiry times computed from that
/// response's `expires_in` / `refresh_expires_in`.
#[derive(Debug, Clone)]
pub struct ReceivedTokens {
    /// The access token.
    pub access_token: SecretString,
    /// When it expires.
    pub access_token_expires_at: DateTime<Utc>,
    /// The refresh token. `None` when a refresh response carried none: the stored one is
    /// kept (a stored refresh token is never overwritten with nothing).
    pub refresh_token: Option<SecretString>,
    /// When the refresh token expires, if the response said.
    pub refresh_token_expires_at: Option<DateTime<Utc>>,
    /// Scopes granted, if the response listed them (`None` keeps the stored list).
    pub scopes: Option<Vec<String>>,
    /// When the response was received.
    pub obtained_at: DateTime<Utc>,
}

/// The decrypted tokens of a connection.
#[derive(Debug)]
pub struct StoredTokens {
    /// The access token, if one is stored.
    pub access_token: Option<SecretString>,
    /// When it expires.
    pub access_token_expires_at: Option<DateTime<Utc>>,
    /// The refresh token, if one is stored.
    pub refresh_token: Option<SecretString>,
    /// When it expires.
    pub refresh_token_expires_at: Option<DateTime<Utc>>,
    /// When the pair was obtained.
    pub obtained_at: Option<DateTime<Utc>>,
    /// The version to pass to [`Database::swap_tokens`] after refreshing with these tokens.
    pub token_version: i64,
    /// Scopes granted with these tokens.
    pub scopes: Vec<String>,
    /// Consecutive failed refresh attempts (for the backoff).
    pub refresh_failures: i64,
}

/// A connection to create, or to refresh on reconnect.
#[derive(Debug)]
pub struct NewConnection<'a> {
    /// The host product's user.
    pub user_id: &'a str,
    /// The platform.
    pub platform: Platform,
    /// The profile fetched right after the token exchange.
    pub profile: &'a Profile,
    /// The tokens of the exchange. `refresh_token` should be present on connect.
    pub tokens: &'a ReceivedTokens,
    /// A host notification (`connection.connected`) to queue in the same transaction; without
    /// a connection id it is given the upserted connection's.
    pub notify: Option<NewOutboundEvent<'a>>,
}

#[derive(Insertable)]
#[diesel(table_name = connections, treat_none_as_default_value = false)]
struct ConnectionInsert<'a> {
    user_id: &'a str,
    platform: &'a str,
    platform_account_id: &'a str,
    #[diesel(embed)]
    profile: ProfileColumns<'a>,
    access_token_ciphertext: Vec<u8>,
    refresh_token_ciphertext: Option<Vec<u8>>,
    access_token_expires_at: i64,
    refresh_token_expires_at: Option<i64>,
    tokens_obtained_at: i64,
    token_version: i64,
    scopes: String,
    status: &'a str,
    refresh_failures: i64,
    created_at: i64,
    updated_at: i64,
}

/// Token columns written after an exchange or a refresh. `None` fields are left untouched,
/// which is how a refresh response without a refresh token keeps the stored one.
#[derive(AsChangeset)]
#[diesel(table_name = connections)]
struct TokenChanges {
    access_token_ciphertext: Option<Vec<u8>>,
    access_token_expires_at: Option<i64>,
    refresh_token_ciphertext: Option<Vec<u8>>,
    refresh_token_expires_at: Option<i64>,
    tokens_obtained_at: Option<i64>,
    scopes: Option<String>,
    refresh_failures: Option<i64>,
    next_refresh_attempt_at: Option<Option<i64>>,
    updated_at: Option<i64>,
}

/// The keys of a notification's `data` that name the creator's account (written by earlier
/// versions; today's notifications carry none).
const ACCOUNT_KEYS: [&str; 3] = ["account_id", "handle", "display_name"];

/// `payload` without [`ACCOUNT_KEYS`] in its `data`; `None` when it has none of them.
fn without_account(payload: &str) -> Option<String> {
    let mut value: serde_json::Value = serde_json::from_str(payload).ok()?;
    let data = value.get_mut("data")?.as_object_mut()?;
    let mut removed = false;
    for key in ACCOUNT_KEYS {
        removed |= data.remove(key).is_some();
    }
    removed.then(|| value.to_string())
}

/// Removes what names the creator from the host notifications of connection `$id` (delivered
/// or not) and from the received webhooks about `$account` of `$platform`: nothing of a
/// creator lingers once their connection is gone. A macro: it runs on either backend's
/// connection inside the caller's transaction.
macro_rules! forget_the_account {
    ($conn:expr, $id:expr, $platform:expr, $account:expr) => {{
        use $crate::schema::outbound_events::dsl as o;
        use $crate::schema::webhook_events::dsl as w;
        let rows: Vec<(i64, String)> = o::outbound_events
            .filter(o::connection_id.eq(Some($id)))
            .select((o::id, o::payload))
            .load($conn)
            .await?;
        for (row, payload) in rows {
            if let Some(scrubbed) = without_account(&payload) {
                diesel::update(o::outbound_events.find(row))
                    .set(o::payload.eq(scrubbed))
                    .execute($conn)
                    .await?;
            }
        }
        diesel::update(
            w::webhook_events
                .filter(w::platform.eq($platform))
                .filter(w::platform_account_id.eq(Some($account))),
        )
        .set(w::platform_account_id.eq(None::<String>))
        .execute($conn)
        .await?;
    }};
}

impl Database {
    fn token_changes(&self, tokens: &ReceivedTokens) -> StorageResult<TokenChanges> {
        let refresh_token_ciphertext = tokens
            .refresh_token
            .as_ref()
            .map(|token| self.cipher().encrypt(token))
            .transpose()?;
        Ok(TokenChanges {
            access_token_ciphertext: Some(self.cipher().encrypt(&tokens.access_token)?),
            access_token_expires_at: Some(to_unix(tokens.access_token_expires_at)),
            refresh_token_expires_at: tokens.refresh_token_expires_at.map(to_unix),
            refresh_token_ciphertext,
            tokens_obtained_at: Some(to_unix(tokens.obtained_at)),
            scopes: tokens.scopes.as_deref().map(join_scopes),
            // A successful exchange or refresh ends any failure streak.
            refresh_failures: Some(0),
            next_refresh_attempt_at: Some(None),
            updated_at: Some(to_unix(tokens.obtained_at)),
        })
    }

    /// Creates the user's connection to the platform, or, on reconnect, rewrites its profile
    /// and tokens and sets it `active` again.
    ///
    /// Refused with [`StorageError::Conflict`] when the user's existing connection is to a
    /// different platform account (disconnect first), or when this platform account is
    /// already connected to another user.
    pub async fn upsert_connection(
        &self,
        new: &NewConnection<'_>,
        now: DateTime<Utc>,
    ) -> StorageResult<Connection> {
        use connections::dsl as c;
        let profile = new.profile;
        let now_unix = to_unix(now);
        let row = ConnectionInsert {
            user_id: new.user_id,
            platform: new.platform.as_str(),
            platform_account_id: &profile.platform_account_id,
            profile: ProfileColumns::of(profile),
            access_token_ciphertext: self.cipher().encrypt(&new.tokens.access_token)?,
            refresh_token_ciphertext: new
                .tokens
                .refresh_token
                .as_ref()
                .map(|token| self.cipher().encrypt(token))
                .transpose()?,
            access_token_expires_at: to_unix(new.tokens.access_token_expires_at),
            refresh_token_expires_at: new.tokens.refresh_token_expires_at.map(to_unix),
            tokens_obtained_at: to_unix(new.tokens.obtained_at),
            token_version: 0,
            scopes: join_scopes(new.tokens.scopes.as_deref().unwrap_or_default()),
            status: ConnectionStatus::Active.as_str(),
            refresh_failures: 0,
            created_at: now_unix,
            updated_at: now_unix,
        };
        let outbound = OutboundInsert::of_optional(new.notify.as_ref())?;
        let mut conn = self.conn().await?;
        transaction!(&mut conn, |conn| {
            let upsert = diesel::insert_into(c::connections)
                .values(&row)
                .on_conflict((c::user_id, c::platform))
                .do_update()
                .set((
                    ProfileColumns::of(profile),
                    c::access_token_ciphertext.eq(excluded(c::access_token_ciphertext)),
                    c::refresh_token_ciphertext.eq(excluded(c::refresh_token_ciphertext)),
                    c::access_token_expires_at.eq(excluded(c::access_token_expires_at)),
                    c::refresh_token_expires_at.eq(excluded(c::refresh_token_expires_at)),
                    c::tokens_obtained_at.eq(excluded(c::tokens_obtained_at)),
                    c::token_version.eq(c::token_version + 1),
                    c::scopes.eq(excluded(c::scopes)),
                    c::status.eq(excluded(c::status)),
                    c::status_error.eq(None::<String>),
                    c::refresh_failures.eq(0),
                    c::next_refresh_attempt_at.eq(None::<i64>),
                    c::updated_at.eq(excluded(c::updated_at)),
                ));
            // A reconnect may only refresh the same platform account.
            let upserted: Option<ConnectionRow> = diesel::query_dsl::methods::FilterDsl::filter(
                upsert,
                c::platform_account_id.eq(excluded(c::platform_account_id)),
            )
            .returning(ConnectionRow::as_returning())
            .get_result(conn)
            .await
            .optional()?;
            let Some(row) = upserted else {
                return Err(StorageError::Conflict(
                    "the user is connected to a different account on this platform; disconnect \
                     first"
                        .into(),
                ));
            };
            let outbound = outbound.as_ref().map(|event| event.about(row.id));
            enqueue_outbound!(conn, &outbound);
            row.into_domain()
        })
    }

    /// The connection with this id.
    pub async fn get_connection(&self, id: ConnectionId) -> StorageResult<Connection> {
        use connections::dsl as c;
        let mut conn = self.conn().await?;
        let row: Option<ConnectionRow> = load_optional!(
            &mut conn,
            c::connections.find(id.0).select(ConnectionRow::as_select())
        );
        row.ok_or(StorageError::NotFound("connection"))?
            .into_domain()
    }

    /// The user's connection to a platform, if any.
    pub async fn find_connection(
        &self,
        user_id: &str,
        platform: Platform,
    ) -> StorageResult<Option<Connection>> {
        use connections::dsl as c;
        let mut conn = self.conn().await?;
        let row: Option<ConnectionRow> = load_optional!(
            &mut conn,
            c::connections
                .filter(c::user_id.eq(user_id.to_owned()))
                .filter(c::platform.eq(platform.to_string()))
                .select(ConnectionRow::as_select())
        );
        row.map(ConnectionRow::into_domain).transpose()
    }

    /// The connection of a platform account (TikTok's `open_id`; on Instagram either id of
    /// the account), e.g. for a webhook.
    pub async fn find_connection_by_account(
        &self,
        platform: Platform,
        platform_account_id: &str,
    ) -> StorageResult<Option<Connection>> {
        use connections::dsl as c;
        let mut conn = self.conn().await?;
        let row: Option<ConnectionRow> = with_conn!(&mut conn, |conn| {
            // A platform may name an account by either of its ids (Instagram: the app-scoped
            // id, kept as the account id, or the professional account id, kept beside it).
            c::connections
                .filter(c::platform.eq(platform.to_string()))
                .filter(
                    c::platform_account_id
                        .eq(platform_account_id)
                        .or(c::union_id.eq(platform_account_id)),
                )
                .order(c::id.asc())
                .select(ConnectionRow::as_select())
                .first(conn)
                .await
                .optional()?
        });
        row.map(ConnectionRow::into_domain).transpose()
    }

    /// All of a user's connections, oldest first.
    pub async fn list_user_connections(&self, user_id: &str) -> StorageResult<Vec<Connection>> {
        use connections::dsl as c;
        let mut conn = self.conn().await?;
        let rows: Vec<ConnectionRow> = with_conn!(&mut conn, |conn| {
            c::connections
                .filter(c::user_id.eq(user_id))
                .order(c::id.asc())
                .select(ConnectionRow::as_select())
                .load(conn)
                .await?
        });
        connections_into_domain(rows)
    }

    /// Up to `limit` connections of every user, in id order, whatever their status (for the
    /// sync worker's status report).
    pub async fn list_connections(&self, limit: i64) -> StorageResult<Vec<Connection>> {
        use connections::dsl as c;
        let mut conn = self.conn().await?;
        let rows: Vec<ConnectionRow> = with_conn!(&mut conn, |conn| {
            c::connections
                .order(c::id.asc())
                .limit(limit)
                .select(ConnectionRow::as_select())
                .load(conn)
                .await?
        });
        connections_into_domain(rows)
    }

    /// Rewrites the profile fields (not the platform account id).
    pub async fn update_profile(
        &self,
        id: ConnectionId,
        profile: &Profile,
        now: DateTime<Utc>,
    ) -> StorageResult<()> {
        use connections::dsl as c;
        let mut conn = self.conn().await?;
        let updated = with_conn!(&mut conn, |conn| {
            diesel::update(c::connections.find(id.0))
                .set((ProfileColumns::of(profile), c::updated_at.eq(to_unix(now))))
                .execute(conn)
                .await?
        });
        expect_one(updated)
    }

    /// The decrypted tokens of a connection.
    pub async fn connection_tokens(&self, id: ConnectionId) -> StorageResult<StoredTokens> {
        use connections::dsl as c;
        type TokenColumns = (
            Option<Vec<u8>>,
            Option<i64>,
            Option<Vec<u8>>,
            Option<i64>,
            Option<i64>,
            i64,
            String,
            i64,
        );
        let mut conn = self.conn().await?;
        let row: Option<TokenColumns> = with_conn!(&mut conn, |conn| {
            c::connections
                .find(id.0)
                .select((
                    c::access_token_ciphertext,
                    c::access_token_expires_at,
                    c::refresh_token_ciphertext,
                    c::refresh_token_expires_at,
                    c::tokens_obtained_at,
                    c::token_version,
                    c::scopes,
                    c::refresh_failures,
                ))
                .get_result(conn)
                .await
                .optional()?
        });
        let (access, access_expires, refresh, refresh_expires, obtained, version, scopes, failures) =
            row.ok_or(StorageError::NotFound("connection"))?;
        let cipher = self.cipher();
        Ok(StoredTokens {
            access_token: access.map(|bytes| cipher.decrypt(&bytes)).transpose()?,
            access_token_expires_at: from_unix_opt(access_expires)?,
            refresh_token: refresh.map(|bytes| cipher.decrypt(&bytes)).transpose()?,
            refresh_token_expires_at: from_unix_opt(refresh_expires)?,
            obtained_at: from_unix_opt(obtained)?,
            token_version: version,
            scopes: split_scopes(&scopes),
            refresh_failures: failures,
        })
    }

    /// Stores tokens unconditionally (bumping the token version). Prefer
    /// [`Database::swap_tokens`] after a refresh.
    pub async fn store_tokens(
        &self,
        id: ConnectionId,
        tokens: &ReceivedTokens,
    ) -> StorageResult<()> {
        use connections::dsl as c;
        let changes = self.token_changes(tokens)?;
        let mut conn = self.conn().await?;
        let updated = with_conn!(&mut conn, |conn| {
            diesel::update(c::connections.find(id.0))
                .set((changes, c::token_version.eq(c::token_version + 1)))
                .execute(conn)
                .await?
        });
        expect_one(updated)
    }

    /// Compare-and-swap after a refresh: writes the new access token, refresh token (kept if
    /// the response had none), expiries and scopes in one `UPDATE`, only if the token version
    /// is still `expected_version` (the version read with the refresh token that was used).
    ///
    /// Returns `true` if this call won; `false` if another process refreshed first (re-read
    /// its tokens with [`Database::connection_tokens`]). A successful swap also clears the
    /// refresh-failure streak.
    pub async fn swap_tokens(
        &self,
        id: ConnectionId,
        expected_version: i64,
        tokens: &ReceivedTokens,
    ) -> StorageResult<bool> {
        use connections::dsl as c;
        let changes = self.token_changes(tokens)?;
        let mut conn = self.conn().await?;
        let updated = with_conn!(&mut conn, |conn| {
            diesel::update(
                c::connections
                    .find(id.0)
                    .filter(c::token_version.eq(expected_version)),
            )
            .set((changes, c::token_version.eq(c::token_version + 1)))
            .execute(conn)
            .await?
        });
        Ok(updated == 1)
    }

    /// Marks the connection `needs_reauth` (the platform rejected its refresh token), with the
    /// platform's error. Data and the (dead) tokens are kept until the user reconnects or
    /// disconnects. `notify` (`connection.needs_reauth`) is queued in the same transaction,
    /// only if the status actually changed, so the user is told once.
    pub async fn mark_needs_reauth(
        &self,
        id: ConnectionId,
        error: &str,
        now: DateTime<Utc>,
        notify: Option<&NewOutboundEvent<'_>>,
    ) -> StorageResult<()> {
        use connections::dsl as c;
        let outbound = OutboundInsert::of_optional(notify)?;
        let mut conn = self.conn().await?;
        transaction!(&mut conn, |conn| {
            let current: Option<String> = c::connections
                .find(id.0)
                .select(c::status)
                .get_result(conn)
                .await
                .optional()?;
            let Some(current) = current else {
                return Err(StorageError::NotFound("connection"));
            };
            diesel::update(c::connections.find(id.0))
                .set((
                    c::status.eq(ConnectionStatus::NeedsReauth.as_str()),
                    c::status_error.eq(Some(error)),
                    c::updated_at.eq(to_unix(now)),
                ))
                .execute(conn)
                .await?;
            if current != ConnectionStatus::NeedsReauth.as_str() {
                enqueue_outbound!(conn, &outbound);
            }
            Ok(())
        })
    }

    /// Records a transient refresh failure (timeout, 5xx): the connection stays `active`, the
    /// failure streak grows, and no refresh is tried before `next_attempt_at`.
    pub async fn record_refresh_failure(
        &self,
        id: ConnectionId,
        now: DateTime<Utc>,
        next_attempt_at: DateTime<Utc>,
    ) -> StorageResult<()> {
        use connections::dsl as c;
        let mut conn = self.conn().await?;
        let updated = with_conn!(&mut conn, |conn| {
            diesel::update(c::connections.find(id.0))
                .set((
                    c::refresh_failures.eq(c::refresh_failures + 1),
                    c::next_refresh_attempt_at.eq(Some(to_unix(next_attempt_at))),
                    c::updated_at.eq(to_unix(now)),
                ))
                .execute(conn)
                .await?
        });
        expect_one(updated)
    }

    /// Active connections of `platform` whose access token expires before `before` and that
    /// have no backoff in force at `now`, soonest expiry first (for the token refresher;
    /// includes connections not due for sync).
    pub async fn connections_expiring_before(
        &self,
        platform: Platform,
        before: DateTime<Utc>,
        now: DateTime<Utc>,
        limit: i64,
    ) -> StorageResult<Vec<Connection>> {
        use connections::dsl as c;
        let (before, now) = (to_unix(before), to_unix(now));
        let platform = platform.to_string();
        let mut conn = self.conn().await?;
        let rows: Vec<ConnectionRow> = with_conn!(&mut conn, |conn| {
            c::connections
                .filter(c::platform.eq(&platform))
                .filter(c::status.eq(ConnectionStatus::Active.as_str()))
                .filter(c::access_token_ciphertext.is_not_null())
                .filter(c::access_token_expires_at.lt(before))
                .filter(
                    c::next_refresh_attempt_at
                        .is_null()
                        .or(c::next_refresh_attempt_at.le(now)),
                )
                .order((c::access_token_expires_at.asc(), c::id.asc()))
                .limit(limit)
                .select(ConnectionRow::as_select())
                .load(conn)
                .await?
        });
        connections_into_domain(rows)
    }

    /// Deletes the connection and everything of it: tokens (in the row), videos, snapshots,
    /// sync runs (by cascade) and the user's pending OAuth states for that platform. Nothing
    /// of any other connection is touched. Returns `false` if there was no such connection
    /// (then `notify` is not queued either: a repeated removal notifies once).
    ///
    /// `notify` (`connection.removed`) is queued in the same transaction.
    pub async fn disconnect(
        &self,
        id: ConnectionId,
        notify: Option<&NewOutboundEvent<'_>>,
    ) -> StorageResult<bool> {
        use connections::dsl as c;
        use oauth_states::dsl as s;
        let outbound = OutboundInsert::of_optional(notify)?;
        let mut conn = self.conn().await?;
        transaction!(&mut conn, |conn| {
            let owner: Option<(String, String, String)> = c::connections
                .find(id.0)
                .select((c::user_id, c::platform, c::platform_account_id))
                .get_result(conn)
                .await
                .optional()?;
            let Some((user_id, platform, account_id)) = owner else {
                return Ok(false);
            };
            // videos, video_snapshots, profile_snapshots and sync_runs go by ON DELETE CASCADE.
            // The row count decides, not the read above: on PostgreSQL two removals at once
            // both read the row, and the second's DELETE finds nothing once the first commits.
            let deleted = diesel::delete(c::connections.find(id.0))
                .execute(conn)
                .await?;
            if deleted == 0 {
                return Ok(false);
            }
            diesel::delete(
                s::oauth_states
                    .filter(s::user_id.eq(&user_id))
                    .filter(s::platform.eq(&platform)),
            )
            .execute(conn)
            .await?;
            forget_the_account!(conn, id.0, &platform, &account_id);
            enqueue_outbound!(conn, &outbound);
            Ok(true)
        })
    }
}

/// An update by id must hit exactly one row; zero means the connection is gone.
pub(crate) fn expect_one(updated: usize) -> StorageResult<()> {
    if updated == 0 {
        Err(StorageError::NotFound("connection"))
    } else {
        Ok(())
    }
}
