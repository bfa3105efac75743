//! The sync log.

use chrono::{DateTime, Utc};
use diesel::dsl::max;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use domain::{ConnectionId, SyncOutcome, SyncRun, SyncRunId, SyncTrigger};

use crate::db::{Database, load_rows, with_conn};
use crate::error::{StorageError, StorageResult};
use crate::limit::{LiteralLimit, rounded_rows};
use crate::models::SyncRunRow;
use crate::schema::sync_runs;
use crate::time::to_unix;

/// The `error_code` of a run closed because the process running it stopped mid-sync.
pub const INTERRUPTED_RUN_CODE: &str = "interrupted";

/// How a sync run ended.
#[derive(Debug, Clone)]
pub struct SyncRunFinish<'a> {
    /// The outcome.
    pub outcome: SyncOutcome,
    /// Videos written.
    pub videos_synced: i64,
    /// Platform API calls spent.
    pub api_calls: i64,
    /// Machine-readable error code.
    pub error_code: Option<&'a str>,
    /// Human-readable error message (never a token).
    pub error_message: Option<&'a str>,
    /// When it ended.
    pub finished_at: DateTime<Utc>,
}

impl Database {
    /// Records the start of a sync run. A run of the same connection still open is closed
    /// first as `failed` with the code [`INTERRUPTED_RUN_CODE`]: a sync runs under the
    /// connection's lease, so an open run older than this one belongs to a process that
    /// stopped mid-sync (killed, crashed) and whose lease has expired; without this its row
    /// would say "running" forever.
    pub async fn start_sync_run(
        &self,
        connection_id: ConnectionId,
        trigger: SyncTrigger,
        started_at: DateTime<Utc>,
    ) -> StorageResult<SyncRunId> {
        use sync_runs::dsl as r;
        let mut conn = self.conn().await?;
        let id: i64 = with_conn!(&mut conn, |c| {
            diesel::update(
                r::sync_runs
                    .filter(r::connection_id.eq(connection_id.0))
                    .filter(r::finished_at.is_null()),
            )
            .set((
                r::finished_at.eq(Some(to_unix(started_at))),
                r::outcome.eq(Some(SyncOutcome::Failed.as_str())),
                r::error_code.eq(Some(INTERRUPTED_RUN_CODE)),
                r::error_message.eq(Some(
                    "the process running this sync stopped before recording its end (its data \
                     is written in one transaction: all of it or none)",
                )),
            ))
            .execute(c)
            .await?;
            diesel::insert_into(r::sync_runs)
                .values((
                    r::connection_id.eq(connection_id.0),
                    r::triggered_by.eq(trigger.as_str()),
                    r::started_at.eq(to_unix(started_at)),
                ))
                .returning(r::id)
                .get_result(c)
                .await?
        });
        Ok(SyncRunId(id))
    }

    /// Records how a sync run ended.
    pub async fn finish_sync_run(
        &self,
        id: SyncRunId,
        finish: &SyncRunFinish<'_>,
    ) -> StorageResult<()> {
        use sync_runs::dsl as r;
        let mut conn = self.conn().await?;
        let updated = with_conn!(&mut conn, |c| {
            diesel::update(r::sync_runs.find(id.0))
                .set((
                    r::finished_at.eq(Some(to_unix(finish.finished_at))),
                    r::outcome.eq(Some(finish.outcome.as_str())),
                    r::videos_synced.eq(finish.videos_synced),
                    r::api_calls.eq(finish.api_calls),
                    r::error_code.eq(finish.error_code),
                    r::error_message.eq(finish.error_message),
                ))
                .execute(c)
                .await?
        });
        if updated == 0 {
            return Err(StorageError::NotFound("sync run"));
        }
        Ok(())
    }

    /// A connection's most recent runs, newest first.
    pub async fn recent_sync_runs(
        &self,
        connection_id: ConnectionId,
        limit: i64,
    ) -> StorageResult<Vec<SyncRun>> {
        use sync_runs::dsl as r;
        let Ok(wanted) = usize::try_from(limit) else {
            return Ok(Vec::new());
        };
        let mut conn = self.conn().await?;
        let mut rows: Vec<SyncRunRow> = load_rows!(
            &mut conn,
            LiteralLimit::new(
                r::sync_runs
                    .filter(r::connection_id.eq(connection_id.0))
                    .order((r::started_at.desc(), r::id.desc()))
                    .select(SyncRunRow::as_select()),
                rounded_rows(limit),
            )
        );
        rows.truncate(wanted);
        rows.into_iter().map(SyncRunRow::into_domain).collect()
    }

    /// The latest run of each of the given connections (connections without runs are
    /// absent), in connection id order.
    pub async fn latest_sync_runs(
        &self,
        connection_ids: &[ConnectionId],
    ) -> StorageResult<Vec<SyncRun>> {
        use sync_runs::dsl as r;
        let ids: Vec<i64> = connection_ids.iter().map(|id| id.0).collect();
        let mut conn = self.conn().await?;
        let rows: Vec<SyncRunRow> = with_conn!(&mut conn, |c| {
            // Ids grow with time, so the greatest id of a connection is its latest run.
            let latest: Vec<Option<i64>> = r::sync_runs
                .filter(r::connection_id.eq_any(&ids))
                .group_by(r::connection_id)
                .select(max(r::id))
                .load(c)
                .await?;
            let latest: Vec<i64> = latest.into_iter().flatten().collect();
            r::sync_runs
                .filter(r::id.eq_any(latest))
                .order(r::connection_id.asc())
                .select(SyncRunRow::as_select())
                .load(c)
                .await?
        });
        rows.into_iter().map(SyncRunRow::into_domain).collect()
    }
}
