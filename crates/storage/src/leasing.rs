//! Sync leases: which worker syncs which connection, so that two workers (or a worker and a
//! manual sync) never sync the same connection at once. A lease expires, so the connections
//! of a crashed worker come back.

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use domain::{Connection, ConnectionId, ConnectionStatus, Platform};

use crate::db::with_conn;
use crate::db::{Conn, Database, begin_postgres, begin_sqlite_immediate, finish_transaction};
use crate::error::StorageResult;
use crate::models::{ConnectionRow, connections_into_domain};
use crate::schema::connections;
use crate::time::{seconds_of, to_unix};

/// Connections due for a sync and not leased by a live worker, stalest first (never-synced
/// first), as a query of ids. Shared by both backends; only PostgreSQL adds a lock clause.
macro_rules! due_ids_query {
    ($platforms:expr, $now:expr, $due_before:expr, $limit:expr) => {
        connections::table
            .filter(connections::status.eq(ConnectionStatus::Active.as_str()))
            .filter(connections::platform.eq_any($platforms))
            .filter(
                connections::last_synced_at
                    .is_null()
                    .or(connections::last_synced_at.lt($due_before))
                    .or(connections::sync_requested_at.is_not_null()),
            )
            .filter(
                connections::lease_holder
                    .is_null()
                    .or(connections::lease_expires_at.le($now)),
            )
            // `IS NOT NULL` sorts false (never synced) first on both backends, without the
            // PostgreSQL-only NULLS FIRST.
            // Requested syncs first (someone asked and was told "queued"), then the same
            // trick for never-synced.
            .order((
                connections::sync_requested_at.is_null().asc(),
                connections::last_synced_at.is_not_null().asc(),
                connections::last_synced_at.asc(),
                connections::id.asc(),
            ))
            .limit($limit)
            .select(connections::id)
    };
}

/// Takes the lease on the given ids (re-checking that no live lease appeared) and returns
/// the leased rows. Written once for both backends.
macro_rules! lease_ids {
    ($conn:expr, $ids:expr, $holder:expr, $now:expr, $until:expr) => {
        diesel::update(
            connections::table
                .filter(connections::id.eq_any($ids))
                .filter(
                    connections::lease_holder
                        .is_null()
                        .or(connections::lease_expires_at.le($now)),
                ),
        )
        .set((
            connections::lease_holder.eq(Some($holder)),
            connections::lease_expires_at.eq(Some($until)),
        ))
        .returning(ConnectionRow::as_returning())
        .get_results::<ConnectionRow>($conn)
        .await?
    };
}

impl Database {
    /// Leases up to `limit` active connections of `platforms` (the ones this process runs)
    /// whose last sync is older than `due_before` (never-synced first, then stalest), skipping connections under a live lease of another
    /// holder, until `now + lease_for`.
    ///
    /// PostgreSQL selects with `FOR UPDATE SKIP LOCKED` in a transaction, so concurrent
    /// workers neither wait for nor take each other's rows; SQLite does the same read and
    /// write in one `BEGIN IMMEDIATE` transaction, which serialises workers on the file.
    pub async fn lease_due_connections(
        &self,
        holder: &str,
        platforms: &[Platform],
        now: DateTime<Utc>,
        due_before: DateTime<Utc>,
        lease_for: Duration,
        limit: i64,
    ) -> StorageResult<Vec<Connection>> {
        let now_unix = to_unix(now);
        let due_before = to_unix(due_before);
        let until = now_unix.saturating_add(seconds_of(lease_for));
        let platforms: Vec<String> = platforms.iter().map(ToString::to_string).collect();
        let mut conn = self.conn().await?;
        let rows = match &mut conn {
            Conn::Postgres(pooled) => {
                let c: &mut diesel_async::AsyncPgConnection = pooled;
                begin_postgres(c).await?;
                let result: StorageResult<Vec<ConnectionRow>> = async {
                    let ids: Vec<i64> = due_ids_query!(&platforms, now_unix, due_before, limit)
                        .for_update()
                        .skip_locked()
                        .load(c)
                        .await?;
                    Ok(lease_ids!(c, &ids, holder, now_unix, until))
                }
                .await;
                finish_transaction(c, result).await?
            }
            Conn::Sqlite(pooled) => {
                let c: &mut crate::db::SqliteConn = pooled;
                begin_sqlite_immediate(c).await?;
                let result: StorageResult<Vec<ConnectionRow>> = async {
                    let ids: Vec<i64> = due_ids_query!(&platforms, now_unix, due_before, limit)
                        .load(c)
                        .await?;
                    Ok(lease_ids!(c, &ids, holder, now_unix, until))
                }
                .await;
                finish_transaction(c, result).await?
            }
        };
        let mut leased = connections_into_domain(rows)?;
        // RETURNING does not keep the select's order: restore "stalest first".
        leased.sort_by_key(|connection| {
            (
                connection.sync_requested_at.is_none(),
                connection.last_synced_at,
                connection.id,
            )
        });
        Ok(leased)
    }

    /// Takes (or extends) the lease on one connection for `holder`, if nobody else holds a
    /// live lease on it. Used by a manual sync: one sync per connection at a time, across
    /// processes. Returns whether the lease is now `holder`'s.
    pub async fn try_lease_connection(
        &self,
        id: ConnectionId,
        holder: &str,
        now: DateTime<Utc>,
        lease_for: Duration,
    ) -> StorageResult<bool> {
        use connections::dsl as c;
        let now_unix = to_unix(now);
        let until = now_unix.saturating_add(seconds_of(lease_for));
        let mut conn = self.conn().await?;
        let updated = with_conn!(&mut conn, |conn| {
            diesel::update(
                c::connections.find(id.0).filter(
                    c::lease_holder
                        .is_null()
                        .or(c::lease_expires_at.le(now_unix))
                        .or(c::lease_holder.eq(holder)),
                ),
            )
            .set((
                c::lease_holder.eq(Some(holder)),
                c::lease_expires_at.eq(Some(until)),
            ))
            .execute(conn)
            .await?
        });
        if updated == 1 {
            return Ok(true);
        }
        // Give the pooled connection back before taking another: with every connection of
        // the pool held by a caller here, each waiting for a second one, the pool would
        // deadlock until the acquire timeout.
        drop(conn);
        // Tell "held by someone else" (false) from "no such connection" (an error).
        self.get_connection(id).await.map(|_| false)
    }

    /// Records that a sync of the connection was asked for but could not run (the call
    /// budget was spent): the connection becomes due at once and is leased before the
    /// stalest ones. The first request's time is kept. Cleared by the next successful sync.
    pub async fn request_sync(&self, id: ConnectionId, now: DateTime<Utc>) -> StorageResult<()> {
        use connections::dsl as c;
        let mut conn = self.conn().await?;
        let updated = with_conn!(&mut conn, |conn| {
            diesel::update(
                c::connections
                    .find(id.0)
                    .filter(c::sync_requested_at.is_null()),
            )
            .set(c::sync_requested_at.eq(Some(to_unix(now))))
            .execute(conn)
            .await?
        });
        if updated == 1 {
            return Ok(());
        }
        drop(conn);
        // Already requested (the first time is kept), or no such connection (an error).
        self.get_connection(id).await.map(|_| ())
    }

    /// Releases `holder`'s lease on a connection (a no-op if the lease is gone or someone
    /// else's). Returns whether a lease was released.
    pub async fn release_lease(&self, id: ConnectionId, holder: &str) -> StorageResult<bool> {
        use connections::dsl as c;
        let mut conn = self.conn().await?;
        let updated = with_conn!(&mut conn, |conn| {
            diesel::update(c::connections.find(id.0).filter(c::lease_holder.eq(holder)))
                .set((
                    c::lease_holder.eq(None::<String>),
                    c::lease_expires_at.eq(None::<i64>),
                ))
                .execute(conn)
                .await?
        });
        Ok(updated == 1)
    }
}
