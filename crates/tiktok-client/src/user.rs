//! User info (`GET /v2/user/info/`): the fields one can ask for and the
//! profile that comes back.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::config::scope;

/// A field of `GET /v2/user/info/`, with the scope that grants it.
///
/// Non-exhaustive: TikTok adds fields, and [`UserField::Other`] asks for one this crate
/// does not know yet (it then lands in [`UserInfo::extra`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UserField {
    /// `open_id` (`user.info.basic`).
    OpenId,
    /// `union_id` (`user.info.basic`).
    UnionId,
    /// `avatar_url` (`user.info.basic`).
    AvatarUrl,
    /// `avatar_url_100` (`user.info.basic`).
    AvatarUrl100,
    /// `avatar_large_url` (`user.info.basic`).
    AvatarLargeUrl,
    /// `display_name` (`user.info.basic`).
    DisplayName,
    /// `bio_description` (`user.info.profile`).
    BioDescription,
    /// `profile_deep_link` (`user.info.profile`).
    ProfileDeepLink,
    /// `is_verified` (`user.info.profile`).
    IsVerified,
    /// `username` (`user.info.profile`).
    Username,
    /// `follower_count` (`user.info.stats`).
    FollowerCount,
    /// `following_count` (`user.info.stats`).
    FollowingCount,
    /// `likes_count` (`user.info.stats`).
    LikesCount,
    /// `video_count` (`user.info.stats`).
    VideoCount,
    /// A field this crate does not know yet: its wire name and the scope that grants it.
    Other {
        /// The wire name, as in the `fields` query parameter.
        name: &'static str,
        /// The scope TikTok documents for it.
        scope: &'static str,
    },
}

impl UserField {
    /// Every documented field (without [`UserField::Other`]).
    pub const ALL: [UserField; 14] = [
        UserField::OpenId,
        UserField::UnionId,
        UserField::AvatarUrl,
        UserField::AvatarUrl100,
        UserField::AvatarLargeUrl,
        UserField::DisplayName,
        UserField::BioDescription,
        UserField::ProfileDeepLink,
        UserField::IsVerified,
        UserField::Username,
        UserField::FollowerCount,
        UserField::FollowingCount,
        UserField::LikesCount,
        UserField::VideoCount,
    ];

    /// The wire name, as in the `fields` query parameter.
    pub const fn as_str(self) -> &'static str {
        match self {
            UserField::OpenId => "open_id",
            UserField::UnionId => "union_id",
            UserField::AvatarUrl => "avatar_url",
            UserField::AvatarUrl100 => "avatar_url_100",
            UserField::AvatarLargeUrl => "avatar_large_url",
            UserField::DisplayName => "display_name",
            UserField::BioDescription => "bio_description",
            UserField::ProfileDeepLink => "profile_deep_link",
            UserField::IsVerified => "is_verified",
            UserField::Username => "username",
            UserField::FollowerCount => "follower_count",
            UserField::FollowingCount => "following_count",
            UserField::LikesCount => "likes_count",
            UserField::VideoCount => "video_count",
            UserField::Other { name, .. } => name,
        }
    }

    /// The scope that grants this field.
    pub const fn required_scope(self) -> &'static str {
        match self {
            UserField::OpenId
            | UserField::UnionId
            | UserField::AvatarUrl
            | UserField::AvatarUrl100
            | UserField::AvatarLargeUrl
            | UserField::DisplayName => scope::USER_INFO_BASIC,
            UserField::BioDescription
            | UserField::ProfileDeepLink
            | UserField::IsVerified
            | UserField::Username => scope::USER_INFO_PROFILE,
            UserField::FollowerCount
            | UserField::FollowingCount
            | UserField::LikesCount
            | UserField::VideoCount => scope::USER_INFO_STATS,
            UserField::Other { scope, .. } => scope,
        }
    }

    /// The documented fields whose scope is among `granted` (e.g.
    /// [`TokenSet::scopes`](crate::TokenSet::scopes)): asking for more makes
    /// TikTok fail the whole call.
    pub fn allowed_by<S: AsRef<str>>(granted: &[S]) -> Vec<UserField> {
        UserField::ALL
            .into_iter()
            .filter(|field| {
                granted
                    .iter()
                    .any(|scope| scope.as_ref() == field.required_scope())
            })
            .collect()
    }
}

/// The `fields` query value for `fields`, always including `open_id` (so the
/// profile can be keyed) and without duplicates.
pub(crate) fn fields_query(fields: &[UserField]) -> String {
    let mut chosen = vec![UserField::OpenId];
    for field in fields {
        if !chosen.contains(field) {
            chosen.push(*field);
        }
    }
    chosen
        .iter()
        .map(|field| field.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// A TikTok user's profile. Every field but `open_id` is `None` when it was
/// not requested, its scope was not granted, or TikTok left it out.
///
/// Non-exhaustive, and fields this crate does not model are kept in
/// [`extra`](Self::extra), so a field TikTok adds is neither an error nor lost.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct UserInfo {
    /// The user's id for this app.
    pub open_id: String,
    /// The user's id across one developer's apps.
    #[serde(default)]
    pub union_id: Option<String>,
    /// Avatar URL (signed, expires).
    #[serde(default)]
    pub avatar_url: Option<String>,
    /// 100x100 avatar URL (signed, expires).
    #[serde(default)]
    pub avatar_url_100: Option<String>,
    /// Large avatar URL (signed, expires).
    #[serde(default)]
    pub avatar_large_url: Option<String>,
    /// Display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Bio (may be empty).
    #[serde(default)]
    pub bio_description: Option<String>,
    /// Profile link, e.g. `https://www.tiktok.com/@name?...` or a short link.
    #[serde(default)]
    pub profile_deep_link: Option<String>,
    /// Whether TikTok verified the account.
    #[serde(default)]
    pub is_verified: Option<bool>,
    /// Handle without `@`.
    #[serde(default)]
    pub username: Option<String>,
    /// Followers.
    #[serde(default)]
    pub follower_count: Option<i64>,
    /// Accounts followed.
    #[serde(default)]
    pub following_count: Option<i64>,
    /// Likes received over all videos.
    #[serde(default)]
    pub likes_count: Option<i64>,
    /// Public videos.
    #[serde(default)]
    pub video_count: Option<i64>,
    /// Fields this crate does not model (TikTok added them, or they were asked
    /// for with [`UserField::Other`]), as TikTok sent them.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl UserInfo {
    /// A profile with only `open_id` (for tests and fakes; TikTok's answers
    /// are decoded, not built).
    pub fn new(open_id: impl Into<String>) -> Self {
        Self {
            open_id: open_id.into(),
            ..Self::default()
        }
    }
}

/// `data` of the user info envelope.
#[derive(Debug, Deserialize)]
pub(crate) struct UserInfoData {
    pub(crate) user: UserInfo,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_by_follows_granted_scopes() {
        let fields = UserField::allowed_by(&["user.info.basic", "user.info.stats"]);
        assert!(fields.contains(&UserField::DisplayName));
        assert!(fields.contains(&UserField::FollowerCount));
        assert!(!fields.contains(&UserField::Username));
        assert_eq!(fields.len(), 10);
        assert!(UserField::allowed_by::<&str>(&[]).is_empty());
        assert_eq!(
            UserField::allowed_by(&[
                "user.info.basic".to_owned(),
                "user.info.profile".to_owned(),
                "user.info.stats".to_owned()
            ])
            .len(),
            UserField::ALL.len()
        );
    }

    #[test]
    fn fields_query_always_starts_with_open_id_without_duplicates() {
        assert_eq!(
            fields_query(&[UserField::DisplayName, UserField::OpenId]),
            "open_id,display_name"
        );
        assert_eq!(fields_query(&[]), "open_id");
    }

    #[test]
    fn absent_fields_are_none() {
        let user: UserInfo =
            serde_json::from_str(r#"{"open_id":"-000a","display_name":"Ana"}"#).expect("valid");
        assert_eq!(user.display_name.as_deref(), Some("Ana"));
        assert_eq!(user.follower_count, None);
        assert!(user.extra.is_empty());
    }

    #[test]
    fn unknown_fields_are_kept_in_extra() {
        let user: UserInfo = serde_json::from_str(
            r#"{"open_id":"-000a","follower_count":5,"creator_level":{"tier":"gold"}}"#,
        )
        .expect("an unknown field is not an error");
        assert_eq!(user.follower_count, Some(5));
        assert_eq!(
            user.extra.get("creator_level"),
            Some(&serde_json::json!({"tier": "gold"}))
        );
        let fields = fields_query(&[UserField::Other {
            name: "creator_level",
            scope: "user.info.stats",
        }]);
        assert_eq!(fields, "open_id,creator_level");
    }
}
