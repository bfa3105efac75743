//! Row types read from the tables, and their conversion into domain types.

use diesel::prelude::*;
use domain::{Connection, ConnectionId, SyncRun, SyncRunId};

use crate::error::StorageResult;
use crate::profile_columns::ProfileRow;
use crate::schema::{connections, sync_runs};
use crate::time::{from_unix, from_unix_opt};

/// A `connections` row without its token ciphertext (tokens are read only on purpose).
#[derive(Queryable, Selectable)]
#[diesel(table_name = connections)]
pub(crate) struct ConnectionRow {
    pub(crate) id: i64,
    user_id: String,
    platform: String,
    #[diesel(embed)]
    profile: ProfileRow,
    access_token_expires_at: Option<i64>,
    refresh_token_expires_at: Option<i64>,
    tokens_obtained_at: Option<i64>,
    token_version: i64,
    scopes: String,
    status: String,
    status_error: Option<String>,
    refresh_failures: i64,
    next_refresh_attempt_at: Option<i64>,
    last_synced_at: Option<i64>,
    last_sync_outcome: Option<String>,
    last_sync_error: Option<String>,
    sync_requested_at: Option<i64>,
    last_full_sync_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

impl ConnectionRow {
    /// The domain connection.
    pub(crate) fn into_domain(self) -> StorageResult<Connection> {
        Ok(Connection {
            id: ConnectionId(self.id),
            user_id: self.user_id,
            platform: self.platform.parse()?,
            profile: self.profile.into(),
            status: self.status.parse()?,
            status_error: self.status_error,
            scopes: split_scopes(&self.scopes),
            access_token_expires_at: from_unix_opt(self.access_token_expires_at)?,
            refresh_token_expires_at: from_unix_opt(self.refresh_token_expires_at)?,
            tokens_obtained_at: from_unix_opt(self.tokens_obtained_at)?,
            token_version: self.token_version,
            refresh_failures: self.refresh_failures,
            next_refresh_attempt_at: from_unix_opt(self.next_refresh_attempt_at)?,
            last_synced_at: from_unix_opt(self.last_synced_at)?,
            last_sync_outcome: self
                .last_sync_outcome
                .map(|outcome| outcome.parse())
                .transpose()?,
            last_sync_error: self.last_sync_error,
            sync_requested_at: from_unix_opt(self.sync_requested_at)?,
            last_full_sync_at: from_unix_opt(self.last_full_sync_at)?,
            created_at: from_unix(self.created_at)?,
            updated_at: from_unix(self.updated_at)?,
        })
    }
}

/// Converts rows, failing on the first corrupt one.
pub(crate) fn connections_into_domain(rows: Vec<ConnectionRow>) -> StorageResult<Vec<Connection>> {
    rows.into_iter().map(ConnectionRow::into_domain).collect()
}

/// Scopes are stored comma-separated (TikTok's own `scope` format).
pub(crate) fn join_scopes(scopes: &[String]) -> String {
    scopes
        .iter()
        .map(|scope| scope.trim())
        .filter(|scope| !scope.is_empty())
        .collect::<Vec<_>>()
        .join(",")
}

pub(crate) fn split_scopes(scopes: &str) -> Vec<String> {
    scopes
        .split(',')
        .map(str::trim)
        .filter(|scope| !scope.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A `sync_runs` row.
#[derive(Queryable, Selectable)]
#[diesel(table_name = sync_runs)]
pub(crate) struct SyncRunRow {
    id: i64,
    connection_id: i64,
    triggered_by: String,
    started_at: i64,
    finished_at: Option<i64>,
    outcome: Option<String>,
    videos_synced: i64,
    api_calls: i64,
    error_code: Option<String>,
    error_message: Option<String>,
}

impl SyncRunRow {
    /// The domain sync run.
    pub(crate) fn into_domain(self) -> StorageResult<SyncRun> {
        Ok(SyncRun {
            id: SyncRunId(self.id),
            connection_id: ConnectionId(self.connection_id),
            trigger: self.triggered_by.parse()?,
            started_at: from_unix(self.started_at)?,
            finished_at: from_unix_opt(self.finished_at)?,
            outcome: self.outcome.map(|outcome| outcome.parse()).transpose()?,
            videos_synced: self.videos_synced,
            api_calls: self.api_calls,
            error_code: self.error_code,
            error_message: self.error_message,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_round_trip_through_text() {
        let scopes = vec![
            "user.info.basic".to_owned(),
            " video.list".to_owned(),
            String::new(),
        ];
        let joined = join_scopes(&scopes);
        assert_eq!(joined, "user.info.basic,video.list");
        assert_eq!(split_scopes(&joined), vec!["user.info.basic", "video.list"]);
        assert!(split_scopes("").is_empty());
    }
}
