//! A user's connected account on one platform, and the public profile synced from it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::text_enum;
use crate::platform::Platform;
use crate::sync::SyncOutcome;

/// Database identifier of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ConnectionId(pub i64);

impl std::fmt::Display for ConnectionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Whether a connection can be used to call the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionStatus {
    /// Tokens are valid (or refreshable); the account is synced.
    Active,
    /// The platform rejected the refresh token (revoked, expired): the user must reconnect.
    /// The connection and its data are kept.
    NeedsReauth,
    /// The user (or the platform) ended the connection.
    Disconnected,
}

text_enum!(ConnectionStatus, "connection status", {
    Active => "active",
    NeedsReauth => "needs_reauth",
    Disconnected => "disconnected",
});

/// The public profile of a connected account, as last synced.
///
/// Counts are `None` when the scope that returns them was not granted.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Profile {
    /// The account's stable id on the platform (TikTok: `open_id`, unique per app).
    pub platform_account_id: String,
    /// The id shared across one developer's apps (TikTok: `union_id`), when returned.
    pub union_id: Option<String>,
    /// The handle without `@`.
    pub username: Option<String>,
    /// The display name.
    pub display_name: Option<String>,
    /// URL of the avatar image.
    pub avatar_url: Option<String>,
    /// The profile's bio text.
    pub bio: Option<String>,
    /// Whether the platform marks the account as verified.
    pub is_verified: bool,
    /// Link to the profile on the platform.
    pub profile_deep_link: Option<String>,
    /// Followers.
    pub follower_count: Option<i64>,
    /// Accounts followed.
    pub following_count: Option<i64>,
    /// Total likes received.
    pub likes_count: Option<i64>,
    /// Public videos.
    pub video_count: Option<i64>,
}

/// A user's connection to one platform account, without its tokens (storage hands those out
/// separately, as secrets, to the code that calls the platform).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Connection {
    /// Database id.
    pub id: ConnectionId,
    /// The host product's user id (opaque to us).
    pub user_id: String,
    /// Which platform.
    pub platform: Platform,
    /// Profile fields as last synced.
    pub profile: Profile,
    /// Whether the connection can be used.
    pub status: ConnectionStatus,
    /// Why the status is not `active` (e.g. the platform's error code), if known.
    pub status_error: Option<String>,
    /// Scopes the user granted, as the platform names them.
    pub scopes: Vec<String>,
    /// When the stored access token expires.
    pub access_token_expires_at: Option<DateTime<Utc>>,
    /// When the stored refresh token expires.
    pub refresh_token_expires_at: Option<DateTime<Utc>>,
    /// When the current token pair was obtained (connect or last refresh).
    pub tokens_obtained_at: Option<DateTime<Utc>>,
    /// Bumped on every token write; the compare-and-swap after a refresh checks it.
    pub token_version: i64,
    /// Consecutive failed refresh attempts since the last success.
    pub refresh_failures: i64,
    /// Do not try to refresh again before this time (backoff after a transient failure).
    pub next_refresh_attempt_at: Option<DateTime<Utc>>,
    /// When the last sync finished (whatever its outcome).
    pub last_synced_at: Option<DateTime<Utc>>,
    /// Outcome of the last sync.
    pub last_sync_outcome: Option<SyncOutcome>,
    /// Error message of the last sync, if it failed.
    pub last_sync_error: Option<String>,
    /// When a sync was asked for and could not run yet (the call budget was spent); the
    /// worker takes such connections first. Cleared by the next successful sync.
    pub sync_requested_at: Option<DateTime<Utc>>,
    /// When the last sync that walked every video page finished; `None` before the first
    /// one. Shallow syncs (only the newest pages) leave it as it is.
    pub last_full_sync_at: Option<DateTime<Utc>>,
    /// When the connection was first made.
    pub created_at: DateTime<Utc>,
    /// When the row last changed.
    pub updated_at: DateTime<Utc>,
}

impl Connection {
    /// Whether the user granted `scope` (e.g. `user.info.stats`).
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|granted| granted == scope)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_text_round_trips() {
        for status in ConnectionStatus::ALL {
            assert_eq!(status.as_str().parse::<ConnectionStatus>(), Ok(*status));
        }
        assert_eq!(ConnectionStatus::NeedsReauth.to_string(), "needs_reauth");
        assert!("paused".parse::<ConnectionStatus>().is_err());
    }
}
