//! The profile columns of `connections`, listed once: written by a connect (insert and
//! reconnect) and by every sync, read into every [`domain::Connection`].

use diesel::prelude::*;
use domain::Profile;

use crate::schema::connections;

/// The profile columns as written. Every field is written, `None` as NULL: a scope no longer
/// granted empties its fields. The account id is not here: it is set once, on insert.
#[derive(Insertable, AsChangeset)]
#[diesel(
    table_name = connections,
    treat_none_as_null = true,
    treat_none_as_default_value = false
)]
pub(crate) struct ProfileColumns<'a> {
    union_id: Option<&'a str>,
    username: Option<&'a str>,
    display_name: Option<&'a str>,
    avatar_url: Option<&'a str>,
    bio: Option<&'a str>,
    is_verified: bool,
    profile_deep_link: Option<&'a str>,
    follower_count: Option<i64>,
    following_count: Option<i64>,
    likes_count: Option<i64>,
    video_count: Option<i64>,
}

impl<'a> ProfileColumns<'a> {
    /// The columns of `profile`.
    pub(crate) fn of(profile: &'a Profile) -> Self {
        Self {
            union_id: profile.union_id.as_deref(),
            username: profile.username.as_deref(),
            display_name: profile.display_name.as_deref(),
            avatar_url: profile.avatar_url.as_deref(),
            bio: profile.bio.as_deref(),
            is_verified: profile.is_verified,
            profile_deep_link: profile.profile_deep_link.as_deref(),
            follower_count: profile.follower_count,
            following_count: profile.following_count,
            likes_count: profile.likes_count,
            video_count: profile.video_count,
        }
    }
}

/// The profile columns as read, the account id included.
#[derive(Queryable, Selectable)]
#[diesel(table_name = connections)]
pub(crate) struct ProfileRow {
    platform_account_id: String,
    union_id: Option<String>,
    username: Option<String>,
    display_name: Option<String>,
    avatar_url: Option<String>,
    bio: Option<String>,
    is_verified: bool,
    profile_deep_link: Option<String>,
    follower_count: Option<i64>,
    following_count: Option<i64>,
    likes_count: Option<i64>,
    video_count: Option<i64>,
}

impl From<ProfileRow> for Profile {
    fn from(row: ProfileRow) -> Self {
        Self {
            platform_account_id: row.platform_account_id,
            union_id: row.union_id,
            username: row.username,
            display_name: row.display_name,
            avatar_url: row.avatar_url,
            bio: row.bio,
            is_verified: row.is_verified,
            profile_deep_link: row.profile_deep_link,
            follower_count: row.follower_count,
            following_count: row.following_count,
            likes_count: row.likes_count,
            video_count: row.video_count,
        }
    }
}
