//! The TikTok endpoints the sandbox serves, for call counts, faults and rate limits.

use serde::{Deserialize, Serialize};

/// One emulated TikTok endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    /// `GET`/`POST /v2/auth/authorize/`: the consent page and its form.
    Authorize,
    /// `POST /v2/oauth/token/`: code exchange and refresh.
    Token,
    /// `POST /v2/oauth/revoke/`.
    Revoke,
    /// `GET /v2/user/info/`.
    UserInfo,
    /// `POST /v2/video/list/`.
    VideoList,
    /// `POST /v2/video/query/`.
    VideoQuery,
}

impl Endpoint {
    /// Every endpoint.
    pub const ALL: [Endpoint; 6] = [
        Endpoint::Authorize,
        Endpoint::Token,
        Endpoint::Revoke,
        Endpoint::UserInfo,
        Endpoint::VideoList,
        Endpoint::VideoQuery,
    ];

    /// The snake_case name used by the control API (`video_list`).
    pub fn name(self) -> &'static str {
        match self {
            Endpoint::Authorize => "authorize",
            Endpoint::Token => "token",
            Endpoint::Revoke => "revoke",
            Endpoint::UserInfo => "user_info",
            Endpoint::VideoList => "video_list",
            Endpoint::VideoQuery => "video_query",
        }
    }

    /// The endpoint with this control-API name.
    pub fn from_name(name: &str) -> Option<Endpoint> {
        Endpoint::ALL
            .into_iter()
            .find(|endpoint| endpoint.name() == name)
    }

    /// The URL path TikTok serves it at (trailing slash included).
    pub fn path(self) -> &'static str {
        match self {
            Endpoint::Authorize => "/v2/auth/authorize/",
            Endpoint::Token => "/v2/oauth/token/",
            Endpoint::Revoke => "/v2/oauth/revoke/",
            Endpoint::UserInfo => "/v2/user/info/",
            Endpoint::VideoList => "/v2/video/list/",
            Endpoint::VideoQuery => "/v2/video/query/",
        }
    }

    /// Whether it is a Display API endpoint (bearer token, `{data, error}` envelope,
    /// per-minute rate limit).
    pub fn is_display_api(self) -> bool {
        matches!(
            self,
            Endpoint::UserInfo | Endpoint::VideoList | Endpoint::VideoQuery
        )
    }
}
