//! Webhooks received from a platform: recorded once per body, so a redelivery is recognised
//! and handled idempotently.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use domain::Platform;

use crate::db::{Database, with_conn};
use crate::error::{StorageError, StorageResult};
use crate::schema::webhook_events;
use crate::time::{from_unix, to_unix};

/// A verified webhook to record.
#[derive(Debug, Clone)]
pub struct NewWebhookEvent<'a> {
    /// The platform that sent it.
    pub platform: Platform,
    /// Event name, e.g. `authorization.removed`.
    pub event: &'a str,
    /// The account concerned (TikTok `user_openid`).
    pub platform_account_id: Option<&'a str>,
    /// The platform's `create_time`.
    pub event_created_at: DateTime<Utc>,
    /// Hex SHA-256 of the raw body.
    pub body_digest: &'a str,
    /// When it arrived.
    pub received_at: DateTime<Utc>,
    /// The platform's reason code, when the event has one (TikTok's `content.reason`).
    pub reason_code: Option<i64>,
}

/// A recorded webhook, for operators and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEventRecord {
    /// Id.
    pub id: i64,
    /// The platform that sent it.
    pub platform: String,
    /// Event name.
    pub event: String,
    /// The account concerned.
    pub platform_account_id: Option<String>,
    /// The platform's reason code.
    pub reason_code: Option<i64>,
    /// What handling it did (`None` while unhandled).
    pub outcome: Option<String>,
    /// When it arrived.
    pub received_at: DateTime<Utc>,
}

#[derive(Insertable)]
#[diesel(table_name = webhook_events, treat_none_as_default_value = false)]
struct WebhookInsert<'a> {
    platform: &'a str,
    event: &'a str,
    platform_account_id: Option<&'a str>,
    event_created_at: i64,
    body_digest: &'a str,
    received_at: i64,
    reason_code: Option<i64>,
}

impl Database {
    /// Records a webhook. Returns its id, or `None` if the same body was already recorded
    /// and handled (a redelivery: acknowledge it and do nothing). A body recorded before but
    /// never handled (the process stopped, or the database failed, in between) returns its
    /// first id again, so the redelivery finishes the work; handling must be idempotent.
    pub async fn record_webhook_event(
        &self,
        new: &NewWebhookEvent<'_>,
    ) -> StorageResult<Option<i64>> {
        use webhook_events::dsl as w;
        let row = WebhookInsert {
            platform: new.platform.as_str(),
            event: new.event,
            platform_account_id: new.platform_account_id,
            event_created_at: to_unix(new.event_created_at),
            body_digest: new.body_digest,
            received_at: to_unix(new.received_at),
            reason_code: new.reason_code,
        };
        let mut conn = self.conn().await?;
        let id: Option<i64> = with_conn!(&mut conn, |c| {
            let inserted: Option<i64> = diesel::insert_into(w::webhook_events)
                .values(&row)
                .on_conflict(w::body_digest)
                .do_nothing()
                .returning(w::id)
                .get_result(c)
                .await
                .optional()?;
            match inserted {
                Some(id) => Some(id),
                None => {
                    let (id, outcome): (i64, Option<String>) = w::webhook_events
                        .filter(w::body_digest.eq(new.body_digest))
                        .select((w::id, w::outcome))
                        .first(c)
                        .await?;
                    outcome.is_none().then_some(id)
                }
            }
        });
        Ok(id)
    }

    /// The most recent webhooks received, newest first.
    pub async fn recent_webhook_events(
        &self,
        limit: i64,
    ) -> StorageResult<Vec<WebhookEventRecord>> {
        use webhook_events::dsl as w;
        let mut conn = self.conn().await?;
        type Row = (
            i64,
            String,
            String,
            Option<String>,
            Option<i64>,
            Option<String>,
            i64,
        );
        let rows: Vec<Row> = with_conn!(&mut conn, |c| {
            w::webhook_events
                .order(w::id.desc())
                .limit(limit)
                .select((
                    w::id,
                    w::platform,
                    w::event,
                    w::platform_account_id,
                    w::reason_code,
                    w::outcome,
                    w::received_at,
                ))
                .load(c)
                .await?
        });
        rows.into_iter()
            .map(
                |(id, platform, event, platform_account_id, reason_code, outcome, received_at)| {
                    Ok(WebhookEventRecord {
                        id,
                        platform,
                        event,
                        platform_account_id,
                        reason_code,
                        outcome,
                        received_at: from_unix(received_at)?,
                    })
                },
            )
            .collect()
    }

    /// Deletes webhooks received before `before` (keep them longer than the platform's
    /// redelivery window, 72 hours for TikTok). Returns how many.
    pub async fn purge_webhook_events(&self, before: DateTime<Utc>) -> StorageResult<usize> {
        use webhook_events::dsl as w;
        let before = to_unix(before);
        let mut conn = self.conn().await?;
        Ok(with_conn!(&mut conn, |c| {
            diesel::delete(w::webhook_events.filter(w::received_at.lt(before)))
                .execute(c)
                .await?
        }))
    }

    /// Records what handling a webhook did (e.g. `disconnected`, `ignored`), and forgets the
    /// account it named: only its handling needed it (a redelivery is recognised by the
    /// body's digest, and handled from its own body).
    pub async fn set_webhook_outcome(&self, id: i64, outcome: &str) -> StorageResult<()> {
        use webhook_events::dsl as w;
        let mut conn = self.conn().await?;
        let updated = with_conn!(&mut conn, |c| {
            diesel::update(w::webhook_events.find(id))
                .set((
                    w::outcome.eq(Some(outcome)),
                    w::platform_account_id.eq(None::<String>),
                ))
                .execute(c)
                .await?
        });
        if updated == 0 {
            return Err(StorageError::NotFound("webhook event"));
        }
        Ok(())
    }
}
