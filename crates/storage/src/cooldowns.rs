//! The cooldown a user's connects and manual syncs of one platform share: at most one
//! interactive sync per cooldown, across processes and across a disconnect.

use chrono::{DateTime, TimeDelta, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use domain::Platform;

use crate::db::{Database, with_conn};
use crate::error::StorageResult;
use crate::schema::interactive_cooldowns;
use crate::time::{from_unix, to_unix};

impl Database {
    /// Claims `user_id`'s interactive slot on `platform` at `now` when the last one started
    /// at least `cooldown` ago (or never): returns `None`. Otherwise changes nothing and
    /// returns when the slot is free again. One conditional `UPDATE`, so two requests at once
    /// cannot both claim it.
    pub async fn claim_interactive_slot(
        &self,
        user_id: &str,
        platform: Platform,
        now: DateTime<Utc>,
        cooldown: TimeDelta,
    ) -> StorageResult<Option<DateTime<Utc>>> {
        use interactive_cooldowns::dsl as k;
        let now_unix = to_unix(now);
        let latest_allowed = to_unix(now - cooldown);
        let mut conn = self.conn().await?;
        let claimed = with_conn!(&mut conn, |c| {
            // The row exists first (a never-used slot is free), then one update claims it.
            diesel::insert_into(k::interactive_cooldowns)
                .values((
                    k::user_id.eq(user_id),
                    k::platform.eq(platform.as_str()),
                    k::last_started_at.eq(i64::MIN / 2),
                ))
                .on_conflict((k::user_id, k::platform))
                .do_nothing()
                .execute(c)
                .await?;
            diesel::update(
                k::interactive_cooldowns
                    .filter(k::user_id.eq(user_id))
                    .filter(k::platform.eq(platform.as_str()))
                    .filter(k::last_started_at.le(latest_allowed)),
            )
            .set(k::last_started_at.eq(now_unix))
            .execute(c)
            .await?
        });
        if claimed == 1 {
            return Ok(None);
        }
        Ok(Some(
            self.interactive_slot_free_at(user_id, platform, cooldown)
                .await?
                .unwrap_or(now),
        ))
    }

    /// When `user_id`'s interactive slot on `platform` is free again (`None`: never used).
    pub async fn interactive_slot_free_at(
        &self,
        user_id: &str,
        platform: Platform,
        cooldown: TimeDelta,
    ) -> StorageResult<Option<DateTime<Utc>>> {
        use interactive_cooldowns::dsl as k;
        let mut conn = self.conn().await?;
        let last: Option<i64> = with_conn!(&mut conn, |c| {
            k::interactive_cooldowns
                .filter(k::user_id.eq(user_id))
                .filter(k::platform.eq(platform.as_str()))
                .select(k::last_started_at)
                .get_result(c)
                .await
                .optional()?
        });
        last.filter(|last| *last > i64::MIN / 2)
            .map(|last| Ok(from_unix(last)? + cooldown))
            .transpose()
    }

    /// Deletes slots last used before `before` (they are free anyway). Returns how many.
    pub async fn purge_interactive_slots(&self, before: DateTime<Utc>) -> StorageResult<usize> {
        use interactive_cooldowns::dsl as k;
        let before = to_unix(before);
        let mut conn = self.conn().await?;
        Ok(with_conn!(&mut conn, |c| {
            diesel::delete(k::interactive_cooldowns.filter(k::last_started_at.lt(before)))
                .execute(c)
                .await?
        }))
    }
}
