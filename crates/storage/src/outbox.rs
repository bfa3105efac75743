//! The outbox of notifications to the host product: written in the same transaction as the
//! change it reports, then delivered at least once, with retries, by whoever claims it.

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use domain::ConnectionId;

use crate::db::with_conn;
use crate::db::{Conn, Database, begin_postgres, begin_sqlite_immediate, finish_transaction};
use crate::error::{StorageError, StorageResult};
use crate::schema::outbound_events;
use crate::time::{from_unix, seconds_of, to_unix};

/// A notification to queue, e.g. `sync.completed` for a connection.
#[derive(Debug, Clone)]
pub struct NewOutboundEvent<'a> {
    /// Event name (`connection.connected`, `connection.needs_reauth`, `connection.removed`,
    /// `sync.completed`, `sync.failed`).
    pub event: &'a str,
    /// The host product's user.
    pub user_id: &'a str,
    /// The connection concerned.
    pub connection_id: Option<ConnectionId>,
    /// The JSON body to send (never a token).
    pub payload: &'a serde_json::Value,
    /// When the change happened; also the first delivery time.
    pub created_at: DateTime<Utc>,
}

/// Where an event is in its delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    /// Waiting for its first or next attempt (or being attempted now).
    Pending,
    /// The host acknowledged it.
    Delivered,
    /// Its retry window passed without an acknowledgement; no more attempts.
    GaveUp,
}

impl DeliveryState {
    /// A stable label (`pending`, `delivered`, `gave_up`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::GaveUp => "gave_up",
        }
    }
}

/// A notification and its delivery state, for `GET /api/webhooks/deliveries`.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboundEventStatus {
    /// The event.
    pub event: OutboundEvent,
    /// Where its delivery is.
    pub state: DeliveryState,
    /// The next attempt (pending only).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// When the host acknowledged it.
    pub delivered_at: Option<DateTime<Utc>>,
    /// When delivery stopped.
    pub gave_up_at: Option<DateTime<Utc>>,
    /// The last failure.
    pub last_error: Option<String>,
}

/// A queued notification, as claimed for delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboundEvent {
    /// Id (use it as the delivery's idempotency key).
    pub id: i64,
    /// Event name.
    pub event: String,
    /// The host product's user.
    pub user_id: String,
    /// The connection concerned.
    pub connection_id: Option<ConnectionId>,
    /// The JSON body.
    pub payload: serde_json::Value,
    /// Failed attempts before this one.
    pub attempts: i64,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
}

#[derive(Insertable, Clone)]
#[diesel(table_name = outbound_events, treat_none_as_default_value = false)]
pub(crate) struct OutboundInsert {
    event: String,
    user_id: String,
    connection_id: Option<i64>,
    payload: String,
    attempts: i64,
    next_attempt_at: i64,
    created_at: i64,
}

impl OutboundInsert {
    /// The row for an event (the payload serialised before any transaction starts).
    pub(crate) fn of(event: &NewOutboundEvent<'_>) -> StorageResult<Self> {
        let created_at = to_unix(event.created_at);
        Ok(Self {
            event: event.event.to_owned(),
            user_id: event.user_id.to_owned(),
            connection_id: event.connection_id.map(|id| id.0),
            payload: serde_json::to_string(event.payload).map_err(|error| {
                StorageError::InvalidArgument(format!("outbound payload: {error}"))
            })?,
            attempts: 0,
            next_attempt_at: created_at,
            created_at,
        })
    }

    /// The row, about `id` unless it names a connection already (a first connect learns its
    /// connection's id inside the transaction).
    pub(crate) fn about(&self, id: i64) -> Self {
        Self {
            connection_id: self.connection_id.or(Some(id)),
            ..self.clone()
        }
    }

    /// The rows of an optional event.
    pub(crate) fn of_optional(event: Option<&NewOutboundEvent<'_>>) -> StorageResult<Option<Self>> {
        event.map(Self::of).transpose()
    }
}

/// Inserts an optional outbox row on a connection (inside the caller's transaction).
macro_rules! enqueue_outbound {
    ($conn:expr, $row:expr) => {
        if let Some(row) = $row {
            diesel::insert_into($crate::schema::outbound_events::table)
                .values(row)
                .execute($conn)
                .await?;
        }
    };
}
pub(crate) use enqueue_outbound;

type OutboundColumns = (i64, String, String, Option<i64>, String, i64, i64);

/// The columns an [`OutboundEvent`] is read from, in [`OutboundColumns`]' order.
const EVENT_COLUMNS: (
    outbound_events::id,
    outbound_events::event,
    outbound_events::user_id,
    outbound_events::connection_id,
    outbound_events::payload,
    outbound_events::attempts,
    outbound_events::created_at,
) = (
    outbound_events::id,
    outbound_events::event,
    outbound_events::user_id,
    outbound_events::connection_id,
    outbound_events::payload,
    outbound_events::attempts,
    outbound_events::created_at,
);
type StateColumns = (i64, Option<i64>, Option<i64>, Option<String>);

fn into_event(row: OutboundColumns) -> StorageResult<OutboundEvent> {
    let (id, event, user_id, connection_id, payload, attempts, created_at) = row;
    Ok(OutboundEvent {
        id,
        event,
        user_id,
        connection_id: connection_id.map(ConnectionId),
        payload: serde_json::from_str(&payload)
            .map_err(|error| StorageError::CorruptData(format!("outbound payload: {error}")))?,
        attempts,
        created_at: from_unix(created_at)?,
    })
}

diesel::alias!(outbound_events as earlier_outbound: EarlierOutbound);

/// Due events still to deliver, oldest first, as a query of ids. An event waits while an
/// earlier one of the same connection is undelivered and not given up (in flight or backing
/// off), so each connection's events reach the host in order.
macro_rules! due_outbound_ids {
    ($now:expr, $limit:expr) => {
        outbound_events::table
            .filter(outbound_events::delivered_at.is_null())
            .filter(outbound_events::gave_up_at.is_null())
            .filter(outbound_events::next_attempt_at.le($now))
            .filter(diesel::dsl::not(diesel::dsl::exists(
                earlier_outbound
                    .filter(
                        earlier_outbound
                            .field(outbound_events::connection_id)
                            .eq(outbound_events::connection_id),
                    )
                    .filter(
                        earlier_outbound
                            .field(outbound_events::id)
                            .lt(outbound_events::id),
                    )
                    .filter(
                        earlier_outbound
                            .field(outbound_events::delivered_at)
                            .is_null(),
                    )
                    .filter(
                        earlier_outbound
                            .field(outbound_events::gave_up_at)
                            .is_null(),
                    )
                    .select(earlier_outbound.field(outbound_events::id)),
            )))
            .order((
                outbound_events::next_attempt_at.asc(),
                outbound_events::id.asc(),
            ))
            .limit($limit)
            .select(outbound_events::id)
    };
}

/// Pushes the claimed events' next attempt to the end of the claim, and reads them.
macro_rules! claim_outbound_ids {
    ($conn:expr, $ids:expr, $until:expr) => {{
        diesel::update(outbound_events::table.filter(outbound_events::id.eq_any($ids)))
            .set(outbound_events::next_attempt_at.eq($until))
            .returning(EVENT_COLUMNS)
            .get_results::<OutboundColumns>($conn)
            .await?
    }};
}

impl Database {
    /// Queues a notification on its own (prefer the `notify` argument of the change it
    /// reports, which queues it in the same transaction).
    pub async fn enqueue_outbound_event(&self, event: &NewOutboundEvent<'_>) -> StorageResult<()> {
        let row = OutboundInsert::of(event)?;
        let mut conn = self.conn().await?;
        with_conn!(&mut conn, |c| {
            enqueue_outbound!(c, Some(&row));
        });
        Ok(())
    }

    /// Claims up to `limit` due, undelivered events for delivery: they are hidden from other
    /// claimers until `now + claim_for` (so a crashed deliverer's events come back), oldest
    /// first, and at most one event per connection: the oldest still to deliver. Concurrent
    /// claimers never get the same event (`FOR UPDATE SKIP LOCKED` on
    /// PostgreSQL, an immediate transaction on SQLite).
    pub async fn claim_outbound_events(
        &self,
        now: DateTime<Utc>,
        claim_for: Duration,
        limit: i64,
    ) -> StorageResult<Vec<OutboundEvent>> {
        let now = to_unix(now);
        let until = now.saturating_add(seconds_of(claim_for));
        let mut conn = self.conn().await?;
        let mut rows = match &mut conn {
            Conn::Postgres(pooled) => {
                let c: &mut diesel_async::AsyncPgConnection = pooled;
                begin_postgres(c).await?;
                let result: StorageResult<Vec<OutboundColumns>> = async {
                    let ids: Vec<i64> = due_outbound_ids!(now, limit)
                        .for_update()
                        .skip_locked()
                        .load(c)
                        .await?;
                    Ok(claim_outbound_ids!(c, &ids, until))
                }
                .await;
                finish_transaction(c, result).await?
            }
            Conn::Sqlite(pooled) => {
                let c: &mut crate::db::SqliteConn = pooled;
                begin_sqlite_immediate(c).await?;
                let result: StorageResult<Vec<OutboundColumns>> = async {
                    let ids: Vec<i64> = due_outbound_ids!(now, limit).load(c).await?;
                    Ok(claim_outbound_ids!(c, &ids, until))
                }
                .await;
                finish_transaction(c, result).await?
            }
        };
        rows.sort_by_key(|row| row.0);
        rows.into_iter().map(into_event).collect()
    }

    /// Marks an event delivered.
    pub async fn mark_outbound_delivered(&self, id: i64, now: DateTime<Utc>) -> StorageResult<()> {
        let mut conn = self.conn().await?;
        let updated = with_conn!(&mut conn, |c| {
            diesel::update(outbound_events::table.find(id))
                .set((
                    outbound_events::delivered_at.eq(Some(to_unix(now))),
                    outbound_events::last_error.eq(None::<String>),
                ))
                .execute(c)
                .await?
        });
        outbound_found(updated)
    }

    /// Records a failed delivery: one more attempt, the error, and the next try's time.
    pub async fn mark_outbound_failed(
        &self,
        id: i64,
        error: &str,
        next_attempt_at: DateTime<Utc>,
    ) -> StorageResult<()> {
        let mut conn = self.conn().await?;
        let updated = with_conn!(&mut conn, |c| {
            diesel::update(outbound_events::table.find(id))
                .set((
                    outbound_events::attempts.eq(outbound_events::attempts + 1),
                    outbound_events::last_error.eq(Some(error)),
                    outbound_events::next_attempt_at.eq(to_unix(next_attempt_at)),
                ))
                .execute(c)
                .await?
        });
        outbound_found(updated)
    }

    /// Records the last failed attempt of an event whose retry window is spent: it stays
    /// undelivered, with its error, and is never claimed again.
    pub async fn mark_outbound_gave_up(
        &self,
        id: i64,
        error: &str,
        now: DateTime<Utc>,
    ) -> StorageResult<()> {
        let mut conn = self.conn().await?;
        let updated = with_conn!(&mut conn, |c| {
            diesel::update(outbound_events::table.find(id))
                .set((
                    outbound_events::attempts.eq(outbound_events::attempts + 1),
                    outbound_events::last_error.eq(Some(error)),
                    outbound_events::gave_up_at.eq(Some(to_unix(now))),
                ))
                .execute(c)
                .await?
        });
        outbound_found(updated)
    }

    /// A user's most recent events with their delivery state, newest first.
    pub async fn list_outbound_events(
        &self,
        user_id: &str,
        limit: i64,
    ) -> StorageResult<Vec<OutboundEventStatus>> {
        let mut conn = self.conn().await?;
        let rows: Vec<(OutboundColumns, StateColumns)> = with_conn!(&mut conn, |c| {
            outbound_events::table
                .filter(outbound_events::user_id.eq(user_id))
                .order(outbound_events::id.desc())
                .limit(limit)
                .select((
                    EVENT_COLUMNS,
                    (
                        outbound_events::next_attempt_at,
                        outbound_events::delivered_at,
                        outbound_events::gave_up_at,
                        outbound_events::last_error,
                    ),
                ))
                .load(c)
                .await?
        });
        rows.into_iter()
            .map(
                |(event, (next_attempt_at, delivered_at, gave_up_at, last_error))| {
                    let state = match (delivered_at, gave_up_at) {
                        (Some(_), _) => DeliveryState::Delivered,
                        (None, Some(_)) => DeliveryState::GaveUp,
                        (None, None) => DeliveryState::Pending,
                    };
                    Ok(OutboundEventStatus {
                        event: into_event(event)?,
                        state,
                        next_attempt_at: (state == DeliveryState::Pending)
                            .then(|| from_unix(next_attempt_at))
                            .transpose()?,
                        delivered_at: delivered_at.map(from_unix).transpose()?,
                        gave_up_at: gave_up_at.map(from_unix).transpose()?,
                        last_error,
                    })
                },
            )
            .collect()
    }

    /// Deletes events delivered before `before`. Returns how many.
    pub async fn purge_delivered_outbound(&self, before: DateTime<Utc>) -> StorageResult<usize> {
        let before = to_unix(before);
        let mut conn = self.conn().await?;
        Ok(with_conn!(&mut conn, |c| {
            diesel::delete(
                outbound_events::table
                    .filter(outbound_events::delivered_at.is_not_null())
                    .filter(outbound_events::delivered_at.lt(before)),
            )
            .execute(c)
            .await?
        }))
    }

    /// Undelivered events of a user still being tried, oldest first (for status displays
    /// and tests).
    pub async fn pending_outbound_events(
        &self,
        user_id: &str,
    ) -> StorageResult<Vec<OutboundEvent>> {
        let mut conn = self.conn().await?;
        let rows: Vec<OutboundColumns> = with_conn!(&mut conn, |c| {
            outbound_events::table
                .filter(outbound_events::user_id.eq(user_id))
                .filter(outbound_events::delivered_at.is_null())
                .filter(outbound_events::gave_up_at.is_null())
                .order(outbound_events::id.asc())
                .select(EVENT_COLUMNS)
                .load(c)
                .await?
        });
        rows.into_iter().map(into_event).collect()
    }
}

fn outbound_found(updated: usize) -> StorageResult<()> {
    if updated == 0 {
        Err(StorageError::NotFound("outbound event"))
    } else {
        Ok(())
    }
}
