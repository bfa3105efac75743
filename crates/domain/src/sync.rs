//! Sync runs: the log of every attempt to sync an account.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::connection::ConnectionId;
use crate::error::text_enum;

/// Database identifier of a sync run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SyncRunId(pub i64);

/// What started a sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncTrigger {
    /// The user asked for it.
    Manual,
    /// The worker's schedule.
    Scheduled,
    /// The first sync, right after the account was connected (it does not count towards
    /// the manual-sync cooldown).
    Connect,
}

text_enum!(SyncTrigger, "sync trigger", {
    Manual => "manual",
    Scheduled => "scheduled",
    Connect => "connect",
});

/// How a sync ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncOutcome {
    /// Everything was synced.
    Success,
    /// Some data was synced (e.g. a scope was missing, or the video list was cut short).
    Partial,
    /// Nothing was written; the previous data is intact.
    Failed,
    /// The platform or our own quota stopped the sync; it will be retried.
    RateLimited,
    /// The tokens were rejected; the user must reconnect.
    NeedsReauth,
}

text_enum!(SyncOutcome, "sync outcome", {
    Success => "success",
    Partial => "partial",
    Failed => "failed",
    RateLimited => "rate_limited",
    NeedsReauth => "needs_reauth",
});

impl SyncOutcome {
    /// Whether the sync wrote data (fully or partly).
    pub const fn wrote_data(self) -> bool {
        matches!(self, Self::Success | Self::Partial)
    }
}

/// One sync attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncRun {
    /// Database id.
    pub id: SyncRunId,
    /// The connection synced.
    pub connection_id: ConnectionId,
    /// What started it.
    pub trigger: SyncTrigger,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it ended; `None` while running (or if its worker died).
    pub finished_at: Option<DateTime<Utc>>,
    /// How it ended; `None` while running.
    pub outcome: Option<SyncOutcome>,
    /// Videos written.
    pub videos_synced: i64,
    /// Platform API calls made.
    pub api_calls: i64,
    /// Machine-readable error code (e.g. the platform's `error.code`).
    pub error_code: Option<String>,
    /// Human-readable error message.
    pub error_message: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_forms_round_trip() {
        for trigger in SyncTrigger::ALL {
            assert_eq!(trigger.as_str().parse::<SyncTrigger>(), Ok(*trigger));
        }
        for outcome in SyncOutcome::ALL {
            assert_eq!(outcome.as_str().parse::<SyncOutcome>(), Ok(*outcome));
        }
        assert_eq!(SyncOutcome::RateLimited.as_str(), "rate_limited");
        assert!(SyncOutcome::Partial.wrote_data());
        assert!(!SyncOutcome::Failed.wrote_data());
    }
}
