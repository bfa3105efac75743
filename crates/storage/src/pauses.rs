//! Budgets a platform paused: no process spends from a paused bucket before its time
//! (Instagram pauses one account for the minutes Meta states).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::RunQueryDsl;

use crate::db::{Database, load_optional, with_conn};
use crate::error::StorageResult;
use crate::schema::platform_pauses;
use crate::time::{from_unix, to_unix};

impl Database {
    /// Pauses `bucket` until `until` (a later pause wins; an earlier one never shortens a
    /// pause in force).
    pub async fn pause_bucket(&self, bucket: &str, until: DateTime<Utc>) -> StorageResult<()> {
        use platform_pauses::dsl as p;
        let until = to_unix(until);
        let mut conn = self.conn().await?;
        with_conn!(&mut conn, |c| {
            let upsert = diesel::insert_into(p::platform_pauses)
                .values((p::bucket.eq(bucket), p::until.eq(until)))
                .on_conflict(p::bucket)
                .do_update()
                .set(p::until.eq(excluded(p::until)));
            diesel::query_dsl::methods::FilterDsl::filter(upsert, p::until.lt(excluded(p::until)))
                .execute(c)
                .await?
        });
        Ok(())
    }

    /// When `bucket`'s pause ends, if it is paused at `now`.
    pub async fn paused_until(
        &self,
        bucket: &str,
        now: DateTime<Utc>,
    ) -> StorageResult<Option<DateTime<Utc>>> {
        use platform_pauses::dsl as p;
        let now = to_unix(now);
        let bucket = bucket.to_owned();
        let mut conn = self.conn().await?;
        let until: Option<i64> = load_optional!(
            &mut conn,
            p::platform_pauses
                .filter(p::bucket.eq(bucket))
                .filter(p::until.gt(now))
                .select(p::until)
        );
        until.map(from_unix).transpose()
    }

    /// Deletes pauses that ended before `now`; returns how many.
    pub async fn purge_pauses(&self, now: DateTime<Utc>) -> StorageResult<usize> {
        use platform_pauses::dsl as p;
        let now = to_unix(now);
        let mut conn = self.conn().await?;
        Ok(with_conn!(&mut conn, |c| {
            diesel::delete(p::platform_pauses.filter(p::until.le(now)))
                .execute(c)
                .await?
        }))
    }
}
