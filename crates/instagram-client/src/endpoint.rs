//! The endpoints the client calls, for hooks, logs and quota keys.

use std::fmt;

/// One Instagram endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Endpoint {
    /// `POST api.instagram.com/oauth/access_token`: code -> short-lived token.
    CodeExchange,
    /// `GET graph.instagram.com/access_token`: short-lived -> long-lived token.
    LongLivedExchange,
    /// `GET graph.instagram.com/refresh_access_token`.
    Refresh,
    /// `GET /{v}/me` or `/{v}/{ig-user-id}`.
    Profile,
    /// `GET /{v}/{ig-user-id}/media`.
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
    /// Any other Graph read, through [`InstagramClient::graph_get`](crate::InstagramClient::graph_get).
    Raw,
}

impl Endpoint {
    /// Every endpoint.
    pub const ALL: [Endpoint; 11] = [
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
        Endpoint::Raw,
    ];

    /// A stable snake-case label.
    pub const fn as_str(self) -> &'static str {
        match self {
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
            Endpoint::Raw => "raw",
        }
    }

    /// Whether the call reads an account's data and so counts against that account's
    /// Business Use Case budget.
    pub const fn is_account_read(self) -> bool {
        !matches!(
            self,
            Endpoint::CodeExchange | Endpoint::LongLivedExchange | Endpoint::Refresh
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
    fn labels_are_unique_snake_case() {
        let mut labels: Vec<_> = Endpoint::ALL.iter().map(|e| e.as_str()).collect();
        labels.sort_unstable();
        labels.dedup();
        assert_eq!(labels.len(), Endpoint::ALL.len());
    }
}
