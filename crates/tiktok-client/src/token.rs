//! OAuth tokens and the token set returned by the token endpoint.

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value};

macro_rules! secret_token {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone)]
        pub struct $name(SecretString);

        impl $name {
            /// Wraps a raw token value.
            pub fn new(value: String) -> Self {
                Self(SecretString::from(value))
            }

            /// The raw token, for the one place that must send or store it.
            pub fn expose_secret(&self) -> &str {
                self.0.expose_secret()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "([REDACTED])"))
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self::new(value)
            }
        }
    };
}

secret_token!(
    /// A TikTok access token (`act.…`): sent as `Authorization: Bearer` to the
    /// Display API. Redacted in `Debug`; it has no `Display`.
    AccessToken
);

secret_token!(
    /// A TikTok refresh token (`rft.…`). TikTok rotates it on every refresh:
    /// persist the new one before using the new access token. Redacted in
    /// `Debug`; it has no `Display`.
    RefreshToken
);

/// The tokens and grant details returned by a code exchange or a refresh.
///
/// Expiry is always computed from the response's `expires_in` and
/// `refresh_expires_in`, counted from [`issued_at`](Self::issued_at) (the
/// moment the request that obtained it was sent, so the computed expiry is
/// never later than TikTok's).
///
/// Non-exhaustive; fields of the response this crate does not model are kept
/// in [`extra`](Self::extra) (shown by name only in `Debug`: they may be
/// secrets).
#[derive(Clone)]
#[non_exhaustive]
pub struct TokenSet {
    /// The access token for the Display API.
    pub access_token: AccessToken,
    /// The new refresh token. `None` when the response carried none or an
    /// empty one: the caller must then keep the refresh token it already has.
    pub refresh_token: Option<RefreshToken>,
    /// Lifetime of the access token from `issued_at`.
    pub expires_in: Duration,
    /// Lifetime of the refresh token from `issued_at`, when given.
    pub refresh_expires_in: Option<Duration>,
    /// When the request that obtained these tokens was sent.
    pub issued_at: DateTime<Utc>,
    /// The user's id for this app.
    pub open_id: String,
    /// The scopes actually granted, parsed from the comma-separated `scope`.
    pub scopes: Vec<String>,
    /// The token type, `Bearer` in practice.
    pub token_type: String,
    /// Fields of the response this crate does not model, as TikTok sent them.
    pub extra: Map<String, Value>,
}

impl fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSet")
            .field("access_token", &self.access_token)
            .field("refresh_token", &self.refresh_token)
            .field("expires_in", &self.expires_in)
            .field("refresh_expires_in", &self.refresh_expires_in)
            .field("issued_at", &self.issued_at)
            .field("open_id", &self.open_id)
            .field("scopes", &self.scopes)
            .field("token_type", &self.token_type)
            .field("extra", &self.extra.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl TokenSet {
    /// The same tokens with lifetimes counted from `issued_at` instead: for a
    /// caller whose clock is not the system clock (a sandbox's, a test's),
    /// stamping the set with its own "now, just before the request".
    pub fn with_issued_at(mut self, issued_at: DateTime<Utc>) -> Self {
        self.issued_at = issued_at;
        self
    }

    /// When the access token expires.
    pub fn expires_at(&self) -> DateTime<Utc> {
        add_saturating(self.issued_at, self.expires_in)
    }

    /// When the refresh token expires, when TikTok said.
    pub fn refresh_expires_at(&self) -> Option<DateTime<Utc>> {
        self.refresh_expires_in
            .map(|lifetime| add_saturating(self.issued_at, lifetime))
    }

    /// Whether `scope` was granted.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|granted| granted == scope)
    }
}

/// `start + lifetime`, saturating at the latest representable instant, so an
/// absurd `expires_in` cannot panic.
fn add_saturating(start: DateTime<Utc>, lifetime: Duration) -> DateTime<Utc> {
    TimeDelta::from_std(lifetime)
        .ok()
        .and_then(|delta| start.checked_add_signed(delta))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Splits TikTok's comma-separated scope list (tolerating spaces, which the
/// OAuth standard uses) into its non-empty entries.
pub(crate) fn parse_scopes(raw: &str) -> Vec<String> {
    raw.split([',', ' '])
        .map(str::trim)
        .filter(|scope| !scope.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The success body of `POST /v2/oauth/token/` (top-level JSON, no envelope).
#[derive(serde::Deserialize)]
pub(crate) struct TokenResponse {
    access_token: String,
    expires_in: u64,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    refresh_expires_in: Option<u64>,
    open_id: String,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

impl TokenResponse {
    /// Builds the token set, stamping it with the time the request was sent.
    /// Returns `None` when the access token is empty.
    pub(crate) fn into_token_set(self, issued_at: DateTime<Utc>) -> Option<TokenSet> {
        if self.access_token.is_empty() {
            return None;
        }
        Some(TokenSet {
            access_token: AccessToken::new(self.access_token),
            refresh_token: self
                .refresh_token
                .filter(|token| !token.is_empty())
                .map(RefreshToken::new),
            expires_in: Duration::from_secs(self.expires_in),
            refresh_expires_in: self.refresh_expires_in.map(Duration::from_secs),
            issued_at,
            open_id: self.open_id,
            scopes: self.scope.as_deref().map(parse_scopes).unwrap_or_default(),
            token_type: self.token_type.unwrap_or_else(|| "Bearer".to_owned()),
            extra: self.extra,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let token = AccessToken::new("act.secret-value".to_owned());
        let refresh = RefreshToken::new("rft.secret-value".to_owned());
        assert_eq!(format!("{token:?}"), "AccessToken([REDACTED])");
        assert_eq!(format!("{refresh:?}"), "RefreshToken([REDACTED])");
        assert_eq!(token.expose_secret(), "act.secret-value");
    }

    #[test]
    fn scopes_are_split_on_commas() {
        assert_eq!(
            parse_scopes("user.info.basic,video.list, user.info.stats,"),
            vec!["user.info.basic", "video.list", "user.info.stats"]
        );
        assert!(parse_scopes("").is_empty());
    }

    #[test]
    fn empty_refresh_token_becomes_none_and_expiry_is_computed() {
        let body = r#"{"access_token":"act.1","expires_in":7200,"refresh_token":"",
            "refresh_expires_in":15552000,"open_id":"-000a","scope":"user.info.basic"}"#;
        let parsed: TokenResponse = serde_json::from_str(body).expect("valid test body");
        let issued_at = DateTime::<Utc>::from_timestamp(1_764_050_000, 0).expect("valid instant");
        let set = parsed.into_token_set(issued_at).expect("non-empty token");
        assert!(set.refresh_token.is_none());
        assert!(set.extra.is_empty());
        assert_eq!(set.token_type, "Bearer");
        assert_eq!(set.expires_at().timestamp(), 1_764_050_000 + 7200);
        assert_eq!(
            set.refresh_expires_at().map(|at| at.timestamp()),
            Some(1_764_050_000 + 15_552_000)
        );
    }

    #[test]
    fn unknown_fields_are_kept_and_shown_by_name_only() {
        let body = r#"{"access_token":"act.1","expires_in":7200,"open_id":"-000a",
            "id_token":"SECRET-ID-TOKEN","log_id":"L1"}"#;
        let parsed: TokenResponse = serde_json::from_str(body).expect("valid test body");
        let set = parsed.into_token_set(Utc::now()).expect("non-empty token");
        assert_eq!(set.extra.get("log_id"), Some(&Value::from("L1")));
        let shown = format!("{set:?}");
        assert!(shown.contains("id_token") && !shown.contains("SECRET-ID-TOKEN"));
        assert!(!shown.contains("act.1"));
    }

    #[test]
    fn absurd_lifetime_saturates_instead_of_panicking() {
        let at = add_saturating(Utc::now(), Duration::from_secs(u64::MAX));
        assert_eq!(at, DateTime::<Utc>::MAX_UTC);
    }
}
