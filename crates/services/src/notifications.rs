//! The notifications the host product receives (`HOST_WEBHOOK_URL`): what each event says,
//! built here and queued by storage in the same transaction as the change it reports.
//!
//! A payload carries ids, counts and words, never a token: it is built from fixed fields,
//! not from any struct that holds one.

use chrono::{DateTime, Utc};
use domain::{Connection, ConnectionId, Platform, SyncOutcome, SyncTrigger};
use serde_json::{Value, json};
use storage::NewOutboundEvent;

use crate::platforms::EndReason;

/// `connection.connected`: an account was connected (or reconnected).
pub const CONNECTION_CONNECTED: &str = "connection.connected";
/// `connection.needs_reauth`: the platform no longer accepts the connection's tokens.
pub const CONNECTION_NEEDS_REAUTH: &str = "connection.needs_reauth";
/// `connection.removed`: the connection and its data are gone.
pub const CONNECTION_REMOVED: &str = "connection.removed";
/// `sync.completed`: a sync wrote fresh data.
pub const SYNC_COMPLETED: &str = "sync.completed";
/// `sync.failed`: a sync wrote nothing.
pub const SYNC_FAILED: &str = "sync.failed";

/// Who ended a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemovalCause {
    /// The user disconnected in the host product.
    User,
    /// The platform ended the grant (the creator removed the app there, the account was
    /// deleted or banned...), for the reason it gave.
    Platform(EndReason),
}

impl RemovalCause {
    /// A stable code: `user`, or the platform's (`creator_in_tiktok`, `tiktok`...).
    pub fn code(&self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Platform(reason) => reason.code,
        }
    }

    /// In words, e.g. "creator removed the app in TikTok".
    pub fn describe(&self) -> &'static str {
        match self {
            Self::User => "user disconnected the account",
            Self::Platform(reason) => reason.description,
        }
    }

    /// The platform's own reason code, when it gave one.
    pub fn platform_code(&self) -> Option<i64> {
        match self {
            Self::User => None,
            Self::Platform(reason) => reason.platform_code,
        }
    }
}

/// A notification to queue, owning its payload (storage borrows it while writing).
#[derive(Debug, Clone)]
pub(crate) struct Notice {
    event: &'static str,
    user_id: String,
    /// `None` on a first connect: storage fills in the new connection's id.
    connection_id: Option<ConnectionId>,
    payload: Value,
    created_at: DateTime<Utc>,
}

impl Notice {
    fn new(
        event: &'static str,
        connection: &Connection,
        data: Value,
        created_at: DateTime<Utc>,
    ) -> Self {
        Self::of_parts(
            event,
            &connection.user_id,
            connection.platform,
            Some(connection.id),
            data,
            created_at,
        )
    }

    fn of_parts(
        event: &'static str,
        user_id: &str,
        platform: Platform,
        connection_id: Option<ConnectionId>,
        data: Value,
        created_at: DateTime<Utc>,
    ) -> Self {
        let mut payload = json!({ "platform": platform.as_str() });
        if let (Value::Object(payload), Value::Object(data)) = (&mut payload, data) {
            payload.extend(data);
        }
        Self {
            event,
            user_id: user_id.to_owned(),
            connection_id,
            payload,
            created_at,
        }
    }

    /// The row storage writes.
    pub(crate) fn as_new(&self) -> NewOutboundEvent<'_> {
        NewOutboundEvent {
            event: self.event,
            user_id: &self.user_id,
            connection_id: self.connection_id,
            payload: &self.payload,
            created_at: self.created_at,
        }
    }

    /// `connection.connected`, queued with the connection's upsert (which knows its id).
    pub(crate) fn connected(
        user_id: &str,
        platform: Platform,
        missing_scopes: &[String],
        now: DateTime<Utc>,
    ) -> Self {
        Self::of_parts(
            CONNECTION_CONNECTED,
            user_id,
            platform,
            None,
            // Nothing that names the creator: the host reads the account through the API
            // while the connection lives, and the outbox outlives it (issue 25).
            json!({ "missing_scopes": missing_scopes }),
            now,
        )
    }

    /// `connection.needs_reauth`.
    pub(crate) fn needs_reauth(connection: &Connection, reason: &str, now: DateTime<Utc>) -> Self {
        Self::new(
            CONNECTION_NEEDS_REAUTH,
            connection,
            json!({ "reason": reason }),
            now,
        )
    }

    /// `connection.removed`.
    pub(crate) fn removed(
        connection: &Connection,
        cause: &RemovalCause,
        now: DateTime<Utc>,
    ) -> Self {
        let platform_reason = cause.platform_code();
        Self::new(
            CONNECTION_REMOVED,
            connection,
            json!({
                "reason": cause.code(),
                "description": cause.describe(),
                "platform_reason_code": platform_reason,
            }),
            now,
        )
    }

    /// `sync.completed`.
    pub(crate) fn sync_completed(
        connection: &Connection,
        completed: SyncCompleted,
        now: DateTime<Utc>,
    ) -> Self {
        Self::new(
            SYNC_COMPLETED,
            connection,
            json!({
                "trigger": completed.trigger.as_str(),
                "outcome": completed.outcome.as_str(),
                "videos": completed.videos,
                "api_calls": completed.api_calls,
                "full_walk": completed.full_walk,
            }),
            now,
        )
    }

    /// `sync.failed`.
    pub(crate) fn sync_failed(
        connection: &Connection,
        trigger: SyncTrigger,
        outcome: SyncOutcome,
        code: &str,
        message: &str,
        api_calls: u32,
        now: DateTime<Utc>,
    ) -> Self {
        Self::new(
            SYNC_FAILED,
            connection,
            json!({
                "trigger": trigger.as_str(),
                "outcome": outcome.as_str(),
                "code": code,
                "message": message,
                "api_calls": api_calls,
            }),
            now,
        )
    }
}

/// What `sync.completed` reports.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SyncCompleted {
    pub(crate) trigger: SyncTrigger,
    pub(crate) outcome: SyncOutcome,
    pub(crate) videos: u64,
    pub(crate) api_calls: u32,
    pub(crate) full_walk: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removal_causes_name_who_ended_the_connection() {
        assert_eq!(RemovalCause::User.code(), "user");
        assert_eq!(RemovalCause::User.platform_code(), None);
        let platform = RemovalCause::Platform(EndReason {
            code: "creator_in_tiktok",
            platform_code: Some(1),
            description: "creator removed the app in TikTok",
            own_revocation: false,
        });
        assert_eq!(platform.code(), "creator_in_tiktok");
        assert_eq!(platform.platform_code(), Some(1));
        assert_eq!(platform.describe(), "creator removed the app in TikTok");
    }
}
