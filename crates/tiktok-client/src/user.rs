//! User info (`GET /v2/user/info/`): the fields one can ask for and the
//! profile that comes back.

use serde::{Deserialize, Serialize};

use crate::config::scope;

/// A field of `GET /v2/user/info/`, with the scope that grants it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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
}

impl UserField {
    /// Every documented field.
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
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct UserInfo {
    /// The user's id for this app.
    pub open_id: String,
    /// The user's id across one developer's apps.
    pub union_id: Option<String>,
    /// Avatar URL (signed, expires).
    pub avatar_url: Option<String>,
    /// 100x100 avatar URL (signed, expires).
    pub avatar_url_100: Option<String>,
    /// Large avatar URL (signed, expires).
    pub avatar_large_url: Option<String>,
    /// Display name.
    pub display_name: Option<String>,
    /// Bio (may be empty).
    pub bio_description: Option<String>,
    /// Profile link, e.g. `https://www.tiktok.com/@name?...` or a short link.
    pub profile_deep_link: Option<String>,
    /// Whether TikTok verified the account.
    pub is_verified: Option<bool>,
    /// Handle without `@`.
    pub username: Option<String>,
    /// Followers.
    pub follower_count: Option<i64>,
    /// Accounts followed.
    pub following_count: Option<i64>,
    /// Likes received over all videos.
    pub likes_count: Option<i64>,
    /// Public videos.
    pub video_count: Option<i64>,
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
    }
}
