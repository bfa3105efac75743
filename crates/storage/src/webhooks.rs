//! Webhooks received from a platform: recorded once per body, so a redelivery is recognised
//! and handled idempotently.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use domain::Platform;

use crate::db::{Database, with_conn};
use crate::error::{StorageError, StorageResult};
use crate::schema::webhook_events;
use crate::time::to_unix;

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
}

impl Database {
    /// Records a webhook. Returns its id, or `None` if the same body was already recorded
    /// (a redelivery: acknowledge it and do nothing).
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
        };
        let mut conn = self.conn().await?;
        let id: Option<i64> = with_conn!(&mut conn, |c| {
            diesel::insert_into(w::webhook_events)
                .values(&row)
                .on_conflict(w::body_digest)
                .do_nothing()
                .returning(w::id)
                .get_result(c)
                .await
                .optional()?
        });
        Ok(id)
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

    /// Records what handling a webhook did (e.g. `disconnected`, `ignored`).
    pub async fn set_webhook_outcome(&self, id: i64, outcome: &str) -> StorageResult<()> {
        use webhook_events::dsl as w;
        let mut conn = self.conn().await?;
        let updated = with_conn!(&mut conn, |c| {
            diesel::update(w::webhook_events.find(id))
                .set(w::outcome.eq(Some(outcome)))
                .execute(c)
                .await?
        });
        if updated == 0 {
            return Err(StorageError::NotFound("webhook event"));
        }
        Ok(())
    }
}
