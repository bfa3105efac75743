//! How a sync ended, and where a failure came from.

use std::time::Duration;

use chrono::{DateTime, Utc};
use domain::{ConnectionId, SyncOutcome};
use serde::Serialize;

/// What one sync did.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncReport {
    /// The connection synced.
    pub connection_id: ConnectionId,
    /// How it ended.
    pub outcome: SyncOutcome,
    /// Videos written.
    pub videos_synced: u64,
    /// Whether the sync walked every video page (a full walk); `false` for a shallow sync
    /// that stopped at older videos, and for a sync that failed.
    pub full_walk: bool,
    /// TikTok calls spent (retries and refreshes included).
    pub api_calls: u32,
    /// When it ended.
    pub finished_at: DateTime<Utc>,
    /// Requested scopes the user did not grant (their fields stay empty).
    pub missing_scopes: Vec<String>,
    /// A short machine-readable reason when it did not succeed.
    pub error_code: Option<String>,
    /// The reason in words, when it did not succeed.
    pub error_message: Option<String>,
    /// When a budget refusal or a rate limit asked to wait, how long.
    #[serde(skip)]
    pub retry_after: Option<Duration>,
    /// Where the failure came from, when it did not succeed: what callers act on (the codes
    /// above are for people and logs).
    #[serde(skip)]
    pub failure: Option<FailureSource>,
}

/// Where a sync's failure came from, so callers decide without reading error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FailureSource {
    /// Our shared call budget refused a call: nothing was asked of the platform.
    Budget,
    /// The platform refused, failed, timed out or rate-limited us.
    Platform,
    /// The connection's authorization is gone (re-auth needed) or its token is missing.
    Authorization,
    /// The platform returned another account for this connection's token.
    AccountMismatch,
    /// Our database failed; the previous data is intact.
    Storage,
}
