//! The profile of the token's owner (`GET /{v}/me`, reference section 6).

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::client::path_id;
use crate::execute::Target;
use crate::response::parse_graph;
use crate::retry::RetrySafety;
use crate::{AccessToken, Endpoint, InstagramClient, InstagramError, scope};

/// A field of the profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProfileField {
    /// `id`: the app-scoped id (always returned).
    Id,
    /// `user_id`: the Instagram professional account id (the `{ig-user-id}`).
    UserId,
    /// `username`.
    Username,
    /// `name`.
    Name,
    /// `account_type`.
    AccountType,
    /// `profile_picture_url`.
    ProfilePictureUrl,
    /// `followers_count`.
    FollowersCount,
    /// `follows_count`.
    FollowsCount,
    /// `media_count`.
    MediaCount,
    /// `biography`.
    Biography,
    /// `website`.
    Website,
    /// A field this crate does not know yet, by its wire name (Meta adds fields).
    Other(&'static str),
}

impl ProfileField {
    /// Every field this crate knows (without [`ProfileField::Other`]).
    pub const ALL: [ProfileField; 11] = [
        ProfileField::Id,
        ProfileField::UserId,
        ProfileField::Username,
        ProfileField::Name,
        ProfileField::AccountType,
        ProfileField::ProfilePictureUrl,
        ProfileField::FollowersCount,
        ProfileField::FollowsCount,
        ProfileField::MediaCount,
        ProfileField::Biography,
        ProfileField::Website,
    ];

    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            ProfileField::Id => "id",
            ProfileField::UserId => "user_id",
            ProfileField::Username => "username",
            ProfileField::Name => "name",
            ProfileField::AccountType => "account_type",
            ProfileField::ProfilePictureUrl => "profile_picture_url",
            ProfileField::FollowersCount => "followers_count",
            ProfileField::FollowsCount => "follows_count",
            ProfileField::MediaCount => "media_count",
            ProfileField::Biography => "biography",
            ProfileField::Website => "website",
            ProfileField::Other(name) => name,
        }
    }

    /// The fields the granted `permissions` allow: every field needs
    /// `instagram_business_basic`, so without it none.
    pub fn allowed_by<S: AsRef<str>>(permissions: &[S]) -> Vec<ProfileField> {
        if permissions
            .iter()
            .any(|p| p.as_ref() == scope::BUSINESS_BASIC)
        {
            ProfileField::ALL.to_vec()
        } else {
            Vec::new()
        }
    }
}

/// `account_type`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum AccountType {
    /// `BUSINESS`.
    Business,
    /// `MEDIA_CREATOR`.
    MediaCreator,
    /// A value this crate does not know.
    Other(String),
}

impl<'de> Deserialize<'de> for AccountType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match String::deserialize(deserializer)?.as_str() {
            "BUSINESS" => AccountType::Business,
            "MEDIA_CREATOR" => AccountType::MediaCreator,
            other => AccountType::Other(other.to_owned()),
        })
    }
}

/// The profile. Every field but `id` is optional: Graph leaves out what it has no value for,
/// and what was not asked for. Unknown fields land in `extra`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct Profile {
    /// The app-scoped id.
    #[serde(deserialize_with = "crate::ids::string_or_number")]
    pub id: String,
    /// The Instagram professional account id.
    #[serde(default, deserialize_with = "optional_id")]
    pub user_id: Option<String>,
    /// The username.
    #[serde(default)]
    pub username: Option<String>,
    /// The name.
    #[serde(default)]
    pub name: Option<String>,
    /// Business or Creator.
    #[serde(default)]
    pub account_type: Option<AccountType>,
    /// The profile picture (a signed CDN URL that expires: re-fetch, don't hot-link).
    #[serde(default)]
    pub profile_picture_url: Option<String>,
    /// Followers.
    #[serde(default)]
    pub followers_count: Option<u64>,
    /// Accounts followed.
    #[serde(default)]
    pub follows_count: Option<u64>,
    /// Media published.
    #[serde(default)]
    pub media_count: Option<u64>,
    /// The bio.
    #[serde(default)]
    pub biography: Option<String>,
    /// The website.
    #[serde(default)]
    pub website: Option<String>,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

fn optional_id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    struct Wrapper(#[serde(deserialize_with = "crate::ids::string_or_number")] String);
    Ok(Option::<Wrapper>::deserialize(deserializer)?.map(|Wrapper(id)| id))
}

/// A comma-joined field list, without duplicates, `id` first.
pub(crate) fn fields_query<'a>(fields: impl IntoIterator<Item = &'a str>) -> String {
    let mut chosen: Vec<&str> = vec!["id"];
    for field in fields {
        if !chosen.contains(&field) {
            chosen.push(field);
        }
    }
    chosen.join(",")
}

impl InstagramClient {
    /// `GET /{v}/me?fields=...` (use [`ProfileField::allowed_by`] with the granted
    /// permissions, or [`ProfileField::ALL`]).
    pub async fn profile(
        &self,
        token: &AccessToken,
        fields: &[ProfileField],
    ) -> Result<Profile, InstagramError> {
        self.profile_of(token, "me", fields).await
    }

    /// `GET /{v}/{ig-user-id}?fields=...`.
    pub async fn profile_of(
        &self,
        token: &AccessToken,
        user: &str,
        fields: &[ProfileField],
    ) -> Result<Profile, InstagramError> {
        let user = path_id(user)?;
        let url = self.inner.graph_versioned(user);
        let query = [("fields", fields_query(fields.iter().map(|f| f.as_str())))];
        let target = Target {
            endpoint: Endpoint::Profile,
            account: Some(user),
        };
        self.inner
            .execute(
                target,
                RetrySafety::Idempotent,
                |http| self.inner.graph_get(http, &url, &query, token),
                |raw, _| parse_graph(Endpoint::Profile, raw),
            )
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_fields_are_none_and_unknown_ones_are_kept() {
        let profile: Profile = serde_json::from_str(
            r#"{"id":"9876543210123456","user_id":17841405822304914,"account_type":"SOMETHING_NEW","followers_count":12,"shiny":true}"#,
        )
        .expect("valid");
        assert_eq!(profile.user_id.as_deref(), Some("17841405822304914"));
        assert_eq!(
            profile.account_type,
            Some(AccountType::Other("SOMETHING_NEW".into()))
        );
        assert_eq!(profile.media_count, None);
        assert_eq!(profile.extra.get("shiny"), Some(&Value::Bool(true)));
    }

    #[test]
    fn fields_are_scope_aware_and_deduplicated() {
        assert!(ProfileField::allowed_by(&["instagram_business_manage_insights"]).is_empty());
        assert_eq!(
            ProfileField::allowed_by(&[scope::BUSINESS_BASIC]).len(),
            ProfileField::ALL.len()
        );
        assert_eq!(fields_query(["username", "id", "username"]), "id,username");
    }
}
