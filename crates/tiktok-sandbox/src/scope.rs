//! TikTok's Display API scopes (reference section 10).

use std::collections::BTreeSet;
use std::fmt;

/// One OAuth scope the sandbox knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// `user.info.basic`: open_id, union_id, avatars, display name.
    UserInfoBasic,
    /// `user.info.profile`: bio, deep link, verified flag, username.
    UserInfoProfile,
    /// `user.info.stats`: follower, following, likes and video counts.
    UserInfoStats,
    /// `video.list`: video list and video query.
    VideoList,
}

impl Scope {
    /// Every scope, in the order the consent page lists them.
    pub const ALL: &'static [Scope] = &[
        Scope::UserInfoBasic,
        Scope::UserInfoProfile,
        Scope::UserInfoStats,
        Scope::VideoList,
    ];

    /// The wire name, e.g. `user.info.basic`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::UserInfoBasic => "user.info.basic",
            Scope::UserInfoProfile => "user.info.profile",
            Scope::UserInfoStats => "user.info.stats",
            Scope::VideoList => "video.list",
        }
    }

    /// The scope with this wire name.
    pub fn from_wire(name: &str) -> Option<Scope> {
        Scope::ALL
            .iter()
            .copied()
            .find(|scope| scope.as_str() == name)
    }

    /// What the consent page tells the creator this scope shares.
    pub fn description(self) -> &'static str {
        match self {
            Scope::UserInfoBasic => "Read your profile info (avatar, display name)",
            Scope::UserInfoProfile => {
                "Read your profile details (bio, profile link, verification, username)"
            }
            Scope::UserInfoStats => "Read your account stats (followers, following, likes, videos)",
            Scope::VideoList => "Read your public videos and their stats",
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of scopes, written on the wire as a comma-separated list.
pub type ScopeSet = BTreeSet<Scope>;

/// Parses a comma-separated scope list; `Err` carries the first unknown name.
/// Empty items (a trailing comma) are ignored.
pub fn parse_scope_list(text: &str) -> Result<ScopeSet, String> {
    text.split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(|name| Scope::from_wire(name).ok_or_else(|| name.to_owned()))
        .collect()
}

/// Formats scopes as TikTok does: comma-separated, no spaces.
pub fn format_scope_list(scopes: &ScopeSet) -> String {
    scopes
        .iter()
        .map(|scope| scope.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_a_scope_list() {
        let scopes = parse_scope_list("video.list,user.info.basic").expect("valid scopes");
        assert_eq!(format_scope_list(&scopes), "user.info.basic,video.list");
    }

    #[test]
    fn reports_the_unknown_scope() {
        assert_eq!(
            parse_scope_list("user.info.basic,video.upload"),
            Err("video.upload".to_owned())
        );
    }
}
