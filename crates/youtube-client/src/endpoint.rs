//! The endpoints the client calls, for hooks, logs and quota keys.

use std::fmt;

/// One Google endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Endpoint {
    /// `POST oauth2.googleapis.com/token`, `grant_type=authorization_code`.
    CodeExchange,
    /// `POST oauth2.googleapis.com/token`, `grant_type=refresh_token`.
    Refresh,
    /// `POST oauth2.googleapis.com/revoke`.
    Revoke,
    /// `GET /youtube/v3/channels` (`channels.list`).
    Channels,
    /// `GET /youtube/v3/playlistItems` (`playlistItems.list`).
    PlaylistItems,
    /// `GET /youtube/v3/videos` (`videos.list`).
    Videos,
    /// `GET /youtube/v3/videos:batchGetStats` (`videos.batchGetStats`).
    BatchGetStats,
    /// `GET youtubeanalytics.googleapis.com/v2/reports` (`reports.query`).
    Reports,
    /// Any other Data API read, through [`YouTubeClient::data_get`](crate::YouTubeClient::data_get).
    Raw,
}

impl Endpoint {
    /// Every endpoint.
    pub const ALL: [Endpoint; 9] = [
        Endpoint::CodeExchange,
        Endpoint::Refresh,
        Endpoint::Revoke,
        Endpoint::Channels,
        Endpoint::PlaylistItems,
        Endpoint::Videos,
        Endpoint::BatchGetStats,
        Endpoint::Reports,
        Endpoint::Raw,
    ];

    /// A stable snake-case label.
    pub const fn as_str(self) -> &'static str {
        match self {
            Endpoint::CodeExchange => "code_exchange",
            Endpoint::Refresh => "refresh",
            Endpoint::Revoke => "revoke",
            Endpoint::Channels => "channels",
            Endpoint::PlaylistItems => "playlist_items",
            Endpoint::Videos => "videos",
            Endpoint::BatchGetStats => "batch_get_stats",
            Endpoint::Reports => "reports",
            Endpoint::Raw => "raw",
        }
    }

    /// Google's method name, the key of the [`QuotaTable`](crate::QuotaTable), for the
    /// endpoints that spend quota (the OAuth endpoints spend none; a raw call names its own).
    pub const fn method(self) -> Option<&'static str> {
        match self {
            Endpoint::Channels => Some("channels.list"),
            Endpoint::PlaylistItems => Some("playlistItems.list"),
            Endpoint::Videos => Some("videos.list"),
            Endpoint::BatchGetStats => Some("videos.batchGetStats"),
            Endpoint::Reports => Some("reports.query"),
            Endpoint::CodeExchange | Endpoint::Refresh | Endpoint::Revoke | Endpoint::Raw => None,
        }
    }

    /// Whether it is an OAuth endpoint (errors are `{"error", "error_description"}`).
    pub const fn is_oauth(self) -> bool {
        matches!(
            self,
            Endpoint::CodeExchange | Endpoint::Refresh | Endpoint::Revoke
        )
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_unique_and_only_api_reads_cost_units() {
        let mut labels: Vec<_> = Endpoint::ALL.iter().map(|e| e.as_str()).collect();
        labels.sort_unstable();
        labels.dedup();
        assert_eq!(labels.len(), Endpoint::ALL.len());
        assert_eq!(Endpoint::Refresh.method(), None);
        assert_eq!(Endpoint::PlaylistItems.method(), Some("playlistItems.list"));
    }
}
