//! Reads the sync worker plans with, beyond the connection rows and their runs.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use domain::ConnectionId;

use crate::db::{Database, with_conn};
use crate::error::StorageResult;
use crate::schema::videos;
use crate::time::to_unix;

impl Database {
    /// How many of a connection's stored videos were posted at or after `since`: the videos a
    /// shallow sync (newest first, stopping at the first older video) walks through, so the
    /// worker can estimate its pages. Videos without a known post time are not counted.
    pub async fn count_videos_posted_since(
        &self,
        connection_id: ConnectionId,
        since: DateTime<Utc>,
    ) -> StorageResult<u64> {
        let since = to_unix(since);
        let mut conn = self.conn().await?;
        let count: i64 = with_conn!(&mut conn, |c| {
            videos::table
                .filter(videos::connection_id.eq(connection_id.0))
                .filter(videos::posted_at.ge(since))
                .count()
                .get_result(c)
                .await?
        });
        Ok(u64::try_from(count).unwrap_or(0))
    }
}
