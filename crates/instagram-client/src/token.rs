//! Tokens: the short-lived token of the code exchange and the long-lived token that refreshes
//! itself (there is no refresh token). Lifetimes come from `expires_in`, never constants.

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::RefreshRefusal;
use crate::ids::string_or_number;

/// An Instagram user access token. Redacted in `Debug`; it has no `Display`.
#[derive(Clone)]
pub struct AccessToken(SecretString);

impl AccessToken {
    /// Wraps a raw token value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(SecretString::from(value.into()))
    }

    /// The raw token, for the one place that must send or store it.
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken([REDACTED])")
    }
}

impl From<String> for AccessToken {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

impl PartialEq for AccessToken {
    fn eq(&self, other: &Self) -> bool {
        self.expose_secret() == other.expose_secret()
    }
}

/// The answer to a code exchange: a one-hour token, to be exchanged for a long-lived one at
/// once ([`InstagramClient::exchange_for_long_lived`](crate::InstagramClient::exchange_for_long_lived)).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ShortLivedToken {
    /// The token.
    pub access_token: AccessToken,
    /// The app-scoped user id (`user_id` of the answer), as a string whatever its JSON type.
    pub user_id: String,
    /// The permissions the user granted (may be fewer than requested).
    pub permissions: Vec<String>,
    /// When the request that obtained it was sent.
    pub obtained_at: DateTime<Utc>,
    /// The assumed lifetime: the answer states none (configuration, default 1 hour).
    pub assumed_lifetime: Duration,
    /// Fields of the answer this crate does not model.
    pub extra: Map<String, Value>,
}

impl ShortLivedToken {
    /// Whether `permission` was granted.
    pub fn has_permission(&self, permission: &str) -> bool {
        self.permissions.iter().any(|granted| granted == permission)
    }

    /// When it is assumed to expire.
    pub fn expires_at(&self) -> DateTime<Utc> {
        add_saturating(self.obtained_at, self.assumed_lifetime)
    }
}

/// A long-lived token (60 days in Meta's examples; always read from `expires_in`).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct LongLivedToken {
    /// The token. After a refresh, store the returned one: whether the string changes is
    /// undocumented.
    pub access_token: AccessToken,
    /// `token_type` (`bearer`).
    pub token_type: String,
    /// `expires_in`, counted from `issued_at`.
    pub expires_in: Duration,
    /// When the request that obtained it was sent (so the computed expiry is never later
    /// than Meta's).
    pub issued_at: DateTime<Utc>,
    /// Fields of the answer this crate does not model (empty for a stored token).
    pub extra: Map<String, Value>,
}

impl LongLivedToken {
    /// Builds a token from stored parts (a caller's database).
    pub fn new(access_token: AccessToken, issued_at: DateTime<Utc>, expires_in: Duration) -> Self {
        Self {
            access_token,
            token_type: "bearer".to_owned(),
            expires_in,
            issued_at,
            extra: Map::new(),
        }
    }

    /// When it expires.
    pub fn expires_at(&self) -> DateTime<Utc> {
        add_saturating(self.issued_at, self.expires_in)
    }

    /// When it may first be refreshed, given the minimum age.
    pub fn refreshable_at(&self, min_age: Duration) -> DateTime<Utc> {
        add_saturating(self.issued_at, min_age)
    }

    /// Whether Meta would accept a refresh at `now`: at least `min_age` old and unexpired.
    pub fn check_refreshable(
        &self,
        now: DateTime<Utc>,
        min_age: Duration,
    ) -> Result<(), RefreshRefusal> {
        if now >= self.expires_at() {
            return Err(RefreshRefusal::Expired {
                expired_at: self.expires_at(),
            });
        }
        let refreshable_at = self.refreshable_at(min_age);
        if now < refreshable_at {
            return Err(RefreshRefusal::TooNew { refreshable_at });
        }
        Ok(())
    }

    /// Whether a refresh is due at `now` by a caller's policy: refreshable, and expiring
    /// within `margin` (e.g. refresh weekly with a margin of 53 days, or late with 7 days).
    pub fn refresh_due(&self, now: DateTime<Utc>, min_age: Duration, margin: Duration) -> bool {
        self.check_refreshable(now, min_age).is_ok()
            && add_saturating(now, margin) >= self.expires_at()
    }
}

/// `start + lifetime`, saturating, so an absurd `expires_in` cannot panic.
pub(crate) fn add_saturating(start: DateTime<Utc>, lifetime: Duration) -> DateTime<Utc> {
    TimeDelta::from_std(lifetime)
        .ok()
        .and_then(|delta| start.checked_add_signed(delta))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Splits a comma-separated permission list (tolerating spaces).
pub(crate) fn parse_permissions(raw: &str) -> Vec<String> {
    raw.split([',', ' '])
        .map(str::trim)
        .filter(|scope| !scope.is_empty())
        .map(str::to_owned)
        .collect()
}

/// One entry of the code exchange's answer, wrapped in `data[]` or flat.
#[derive(Deserialize)]
pub(crate) struct ShortLivedResponse {
    pub(crate) access_token: String,
    #[serde(deserialize_with = "string_or_number")]
    pub(crate) user_id: String,
    #[serde(default)]
    pub(crate) permissions: Option<PermissionList>,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// `permissions` as Meta documents it (a comma-separated string) or as an array.
#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum PermissionList {
    Text(String),
    List(Vec<String>),
}

impl PermissionList {
    pub(crate) fn into_vec(self) -> Vec<String> {
        match self {
            PermissionList::Text(text) => parse_permissions(&text),
            PermissionList::List(list) => list,
        }
    }
}

/// The answer of the long-lived exchange and of a refresh.
#[derive(Deserialize)]
pub(crate) struct LongLivedResponse {
    pub(crate) access_token: String,
    #[serde(default)]
    pub(crate) token_type: Option<String>,
    pub(crate) expires_in: u64,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(hours: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_764_000_000 + hours * 3_600, 0).expect("valid")
    }

    #[test]
    fn debug_is_redacted() {
        let token = AccessToken::new("IGAA-secret-value");
        assert_eq!(format!("{token:?}"), "AccessToken([REDACTED])");
        let long = LongLivedToken::new(token, at(0), Duration::from_secs(60));
        assert!(!format!("{long:?}").contains("secret-value"));
    }

    #[test]
    fn the_24_hour_rule_and_expiry() {
        let day = Duration::from_secs(86_400);
        let token =
            LongLivedToken::new(AccessToken::new("t"), at(0), Duration::from_secs(5_184_000));
        assert!(matches!(
            token.check_refreshable(at(23), day),
            Err(RefreshRefusal::TooNew { .. })
        ));
        assert!(token.check_refreshable(at(24), day).is_ok());
        assert!(matches!(
            token.check_refreshable(at(24 * 60), day),
            Err(RefreshRefusal::Expired { .. })
        ));
        assert!(!token.refresh_due(at(48), day, Duration::from_secs(7 * 86_400)));
        assert!(token.refresh_due(at(24 * 54), day, Duration::from_secs(7 * 86_400)));
    }

    #[test]
    fn permissions_split_and_absurd_lifetimes_saturate() {
        assert_eq!(parse_permissions("a, b,,c"), ["a", "b", "c"]);
        assert_eq!(
            add_saturating(at(0), Duration::from_secs(u64::MAX)),
            DateTime::<Utc>::MAX_UTC
        );
    }
}
