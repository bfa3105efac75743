//! The TikTok API v2 endpoints this crate calls.

use std::fmt;

/// One TikTok API v2 endpoint that this client calls over HTTP.
///
/// TikTok rate-limits per endpoint, so the endpoint is the key of the shared
/// [`EndpointRateLimiter`](crate::EndpointRateLimiter) and the label given to
/// every [`CallHook`](crate::CallHook) call. Non-exhaustive: endpoints the
/// crate wraps may be added.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Endpoint {
    /// `POST /v2/oauth/token/`: code exchange and token refresh.
    Token,
    /// `POST /v2/oauth/revoke/`: revoke an access token.
    Revoke,
    /// `GET /v2/user/info/`: the user's profile.
    UserInfo,
    /// `POST /v2/video/list/`: one page of the user's public videos.
    VideoList,
    /// `POST /v2/video/query/`: videos by id.
    VideoQuery,
    /// An endpoint this crate does not wrap, called through
    /// [`TikTokClient::raw_call`](crate::TikTokClient::raw_call), by its path
    /// on the API host (e.g. `/v2/research/video/query/`). Each path is its
    /// own key, as TikTok counts each endpoint on its own.
    Raw(&'static str),
}

impl Endpoint {
    /// Every endpoint the crate wraps, in declaration order (without
    /// [`Endpoint::Raw`]).
    pub const ALL: [Endpoint; 5] = [
        Endpoint::Token,
        Endpoint::Revoke,
        Endpoint::UserInfo,
        Endpoint::VideoList,
        Endpoint::VideoQuery,
    ];

    /// The documented path on the API host, with its leading and trailing slash
    /// (every TikTok v2 path ends with a slash).
    pub const fn path(self) -> &'static str {
        match self {
            Endpoint::Token => "/v2/oauth/token/",
            Endpoint::Revoke => "/v2/oauth/revoke/",
            Endpoint::UserInfo => "/v2/user/info/",
            Endpoint::VideoList => "/v2/video/list/",
            Endpoint::VideoQuery => "/v2/video/query/",
            Endpoint::Raw(path) => path,
        }
    }

    /// A stable label, for metrics, logs and quota keys: snake case for the
    /// wrapped endpoints, the path itself for [`Endpoint::Raw`].
    pub const fn as_str(self) -> &'static str {
        match self {
            Endpoint::Token => "token",
            Endpoint::Revoke => "revoke",
            Endpoint::UserInfo => "user_info",
            Endpoint::VideoList => "video_list",
            Endpoint::VideoQuery => "video_query",
            Endpoint::Raw(path) => path,
        }
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
    fn paths_are_documented_v2_paths_with_trailing_slash() {
        for endpoint in Endpoint::ALL {
            assert!(endpoint.path().starts_with("/v2/"), "{endpoint}");
            assert!(endpoint.path().ends_with('/'), "{endpoint}");
        }
    }

    #[test]
    fn labels_are_unique_snake_case() {
        let mut labels: Vec<_> = Endpoint::ALL.iter().map(|e| e.as_str()).collect();
        labels.sort_unstable();
        labels.dedup();
        assert_eq!(labels.len(), Endpoint::ALL.len());
        assert!(
            labels
                .iter()
                .all(|l| l.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        );
    }
}
