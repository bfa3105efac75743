//! The emulated endpoints, for faults and call counts.

use std::fmt;

use serde::{Deserialize, Serialize};

/// One emulated Instagram endpoint. In the control API it is its snake-case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    /// `GET`/`POST www.instagram.com/oauth/authorize` (consent page and form).
    Authorize,
    /// `POST api.instagram.com/oauth/access_token` (code exchange).
    CodeExchange,
    /// `GET graph.instagram.com/access_token` (`ig_exchange_token`).
    LongLivedExchange,
    /// `GET graph.instagram.com/refresh_access_token` (`ig_refresh_token`).
    Refresh,
    /// `GET /{v}/me` and `GET /{v}/{ig-user-id}`.
    Profile,
    /// `GET /{v}/{ig-user-id}/media` and `/me/media`.
    MediaList,
    /// `GET /{v}/{media-id}`.
    Media,
    /// `GET /{v}/{media-id}/children`.
    Children,
    /// `GET /{v}/{ig-user-id}/stories`.
    Stories,
    /// `GET /{v}/{media-id}/insights`.
    MediaInsights,
    /// `GET /{v}/{ig-user-id}/insights`.
    AccountInsights,
}

impl Endpoint {
    /// Every endpoint.
    pub const ALL: [Endpoint; 11] = [
        Endpoint::Authorize,
        Endpoint::CodeExchange,
        Endpoint::LongLivedExchange,
        Endpoint::Refresh,
        Endpoint::Profile,
        Endpoint::MediaList,
        Endpoint::Media,
        Endpoint::Children,
        Endpoint::Stories,
        Endpoint::MediaInsights,
        Endpoint::AccountInsights,
    ];

    /// The snake-case name used by the control API.
    pub fn name(self) -> &'static str {
        match self {
            Endpoint::Authorize => "authorize",
            Endpoint::CodeExchange => "code_exchange",
            Endpoint::LongLivedExchange => "long_lived_exchange",
            Endpoint::Refresh => "refresh",
            Endpoint::Profile => "profile",
            Endpoint::MediaList => "media_list",
            Endpoint::Media => "media",
            Endpoint::Children => "children",
            Endpoint::Stories => "stories",
            Endpoint::MediaInsights => "media_insights",
            Endpoint::AccountInsights => "account_insights",
        }
    }

    /// The endpoint with this name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|endpoint| endpoint.name() == name)
    }

    /// Whether it is a Graph API read of account data (counted against the call budget).
    pub(crate) fn is_graph_read(self) -> bool {
        !matches!(
            self,
            Endpoint::Authorize
                | Endpoint::CodeExchange
                | Endpoint::LongLivedExchange
                | Endpoint::Refresh
        )
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
