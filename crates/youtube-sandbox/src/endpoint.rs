//! The emulated endpoints, for faults and call counts.

use std::fmt;

use serde::{Deserialize, Serialize};

/// One emulated Google endpoint. In the control API it is its snake-case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    /// `GET`/`POST /o/oauth2/v2/auth` (consent page and form).
    Authorize,
    /// `POST /token` with `grant_type=authorization_code`.
    CodeExchange,
    /// `POST /token` with `grant_type=refresh_token`.
    Refresh,
    /// `POST /revoke`.
    Revoke,
    /// `GET /tokeninfo`.
    TokenInfo,
    /// `GET /v1/userinfo`.
    UserInfo,
    /// `GET /youtube/v3/channels` (`channels.list`).
    Channels,
    /// `GET /youtube/v3/playlistItems` (`playlistItems.list`).
    PlaylistItems,
    /// `GET /youtube/v3/videos` (`videos.list`).
    Videos,
    /// `GET /youtube/v3/videos:batchGetStats` (`videos.batchGetStats`).
    BatchGetStats,
    /// `GET /youtube/v3/search` (`search.list`).
    Search,
    /// `GET /v2/reports` (Analytics `reports.query`).
    Reports,
}

impl Endpoint {
    /// Every endpoint.
    pub const ALL: [Endpoint; 12] = [
        Endpoint::Authorize,
        Endpoint::CodeExchange,
        Endpoint::Refresh,
        Endpoint::Revoke,
        Endpoint::TokenInfo,
        Endpoint::UserInfo,
        Endpoint::Channels,
        Endpoint::PlaylistItems,
        Endpoint::Videos,
        Endpoint::BatchGetStats,
        Endpoint::Search,
        Endpoint::Reports,
    ];

    /// The snake-case name used by the control API.
    pub fn name(self) -> &'static str {
        match self {
            Endpoint::Authorize => "authorize",
            Endpoint::CodeExchange => "code_exchange",
            Endpoint::Refresh => "refresh",
            Endpoint::Revoke => "revoke",
            Endpoint::TokenInfo => "token_info",
            Endpoint::UserInfo => "user_info",
            Endpoint::Channels => "channels",
            Endpoint::PlaylistItems => "playlist_items",
            Endpoint::Videos => "videos",
            Endpoint::BatchGetStats => "batch_get_stats",
            Endpoint::Search => "search",
            Endpoint::Reports => "reports",
        }
    }

    /// The endpoint with this name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|endpoint| endpoint.name() == name)
    }

    /// Google's method name, the key of the quota cost table (`channels.list`, ...), for the
    /// endpoints that spend quota.
    pub fn method(self) -> Option<&'static str> {
        Some(match self {
            Endpoint::Channels => "channels.list",
            Endpoint::PlaylistItems => "playlistItems.list",
            Endpoint::Videos => "videos.list",
            Endpoint::BatchGetStats => "videos.batchGetStats",
            Endpoint::Search => "search.list",
            Endpoint::Reports => "reports.query",
            _ => return None,
        })
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for endpoint in Endpoint::ALL {
            assert_eq!(Endpoint::from_name(endpoint.name()), Some(endpoint));
            let json = serde_json::to_string(&endpoint).expect("serialises");
            assert_eq!(json, format!("\"{}\"", endpoint.name()));
        }
    }
}
