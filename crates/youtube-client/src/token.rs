//! Tokens and the scopes they carry (reference section 3): access tokens (about an hour),
//! refresh tokens (long-lived, not rotated), the OpenID `id_token`, and the granted scopes,
//! which may be fewer than requested (granular consent). Lifetimes come from `expires_in`,
//! never constants.

use std::fmt;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, TimeDelta, Utc};
use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::scope;

macro_rules! secret_token {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name(SecretString);

        impl $name {
            /// Wraps a raw value.
            pub fn new(value: impl Into<String>) -> Self {
                Self(SecretString::from(value.into()))
            }

            /// The raw value, for the one place that must send or store it.
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

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                self.expose_secret() == other.expose_secret()
            }
        }
    };
}

secret_token!(
    /// A Google access token (`ya29.…`, opaque, up to 12 KB). Redacted in `Debug`; it has no
    /// `Display`.
    AccessToken
);
secret_token!(
    /// A Google refresh token (`1//…`). Not rotated by Google, but it can die (revoked, six
    /// months unused, a Testing app's seven days, past the per-client limit). Redacted.
    RefreshToken
);
secret_token!(
    /// The OpenID Connect `id_token` (a JWT naming the account). Redacted.
    IdToken
);

/// The claims of an [`IdToken`] this crate reads.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct IdClaims {
    /// The Google account's stable id (a numeric string of up to 21 digits).
    pub sub: String,
    /// The email, when `email` was granted.
    #[serde(default)]
    pub email: Option<String>,
    /// Whether Google verified it.
    #[serde(default, deserialize_with = "crate::wire::opt_bool")]
    pub email_verified: Option<bool>,
    /// The name, when `profile` was granted.
    #[serde(default)]
    pub name: Option<String>,
    /// The issuer.
    #[serde(default)]
    pub iss: Option<String>,
    /// The audience (the client id).
    #[serde(default)]
    pub aud: Option<String>,
}

impl IdToken {
    /// The token's claims, **without verifying its signature**: enough for a token received
    /// straight from Google's token endpoint over TLS (OpenID Connect Core 3.1.3.7), never
    /// for one a browser handed over.
    pub fn unverified_claims(&self) -> Option<IdClaims> {
        let payload = self.expose_secret().split('.').nth(1)?;
        let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
        serde_json::from_slice(&bytes).ok()
    }
}

/// The scopes a token carries, as Google wrote them (space-delimited, case-sensitive).
/// `email` and `…/auth/userinfo.email` (likewise `profile`) are the same scope.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GrantedScopes(Vec<String>);

fn long_form(scope: &str) -> &str {
    match scope {
        scope::EMAIL => scope::USERINFO_EMAIL,
        scope::PROFILE => scope::USERINFO_PROFILE,
        other => other,
    }
}

impl GrantedScopes {
    /// Reads a space-delimited list (`+` also separates, as a redirect's query may).
    pub fn parse(raw: &str) -> Self {
        let mut scopes: Vec<String> = Vec::new();
        for scope in raw.split([' ', '+']).filter(|scope| !scope.is_empty()) {
            if !scopes.iter().any(|known| known == scope) {
                scopes.push(scope.to_owned());
            }
        }
        Self(scopes)
    }

    /// Whether `scope` was granted (either form of `email` and `profile`).
    pub fn has(&self, scope: &str) -> bool {
        let wanted = long_form(scope);
        self.0.iter().any(|granted| long_form(granted) == wanted)
    }

    /// `youtube.readonly` (or a wider YouTube scope): the channel and its videos.
    pub fn youtube(&self) -> bool {
        [
            scope::YOUTUBE_READONLY,
            "https://www.googleapis.com/auth/youtube",
            "https://www.googleapis.com/auth/youtube.force-ssl",
        ]
        .iter()
        .any(|wanted| self.has(wanted))
    }

    /// `yt-analytics.readonly` (or the monetary one): daily series.
    pub fn analytics(&self) -> bool {
        self.has(scope::ANALYTICS_READONLY) || self.has(scope::ANALYTICS_MONETARY)
    }

    /// `openid` and `email`: a stable account id and its email in the `id_token`.
    pub fn identity(&self) -> bool {
        self.has(scope::OPENID) && self.has(scope::EMAIL)
    }

    /// The scopes, in Google's order.
    pub fn as_slice(&self) -> &[String] {
        &self.0
    }

    /// Whether none was granted.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The space-delimited form, for storage.
    pub fn to_space_delimited(&self) -> String {
        self.0.join(" ")
    }
}

/// What a connection can do, from the granted scopes (reference section 2.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Features {
    /// `yt-analytics.readonly` granted: daily series may be read. Without it, connect anyway
    /// and skip Analytics.
    pub analytics: bool,
    /// `openid` and `email` granted: key the account by `sub`; else by the channel id.
    pub identity: bool,
}

/// Why a grant cannot be used for syncing: run the authorization again, with
/// `prompt=consent`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GrantProblem {
    /// No refresh token came back (not `access_type=offline`, or not the first consent and
    /// no `prompt=consent`): the connection could not outlive the hour.
    #[error("Google returned no refresh token; authorize again with prompt=consent")]
    NoRefreshToken,
    /// The user unticked "View your YouTube account".
    #[error("the user did not grant YouTube access (youtube.readonly)")]
    YouTubeScopeNotGranted,
}

/// The answer of a code exchange or a refresh.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct TokenGrant {
    /// The access token.
    pub access_token: AccessToken,
    /// `expires_in`, counted from `obtained_at` (about an hour; never assume 3600).
    pub expires_in: Duration,
    /// When the request that obtained it was sent (so the computed expiry is never later
    /// than Google's).
    pub obtained_at: DateTime<Utc>,
    /// The refresh token: on a first offline exchange (or with `prompt=consent`). A refresh
    /// normally carries none; if one does, Google rotated it: store it.
    pub refresh_token: Option<RefreshToken>,
    /// `refresh_token_expires_in`: only when the user granted time-based access.
    pub refresh_token_expires_in: Option<Duration>,
    /// The scopes actually granted (may be fewer than requested; empty if the answer said
    /// none). Re-read on every refresh: a user can remove one later.
    pub scopes: GrantedScopes,
    /// The `id_token`, when `openid` was granted.
    pub id_token: Option<IdToken>,
    /// `token_type` (`Bearer`).
    pub token_type: String,
    /// Fields of the answer this crate does not model.
    pub extra: Map<String, Value>,
}

impl TokenGrant {
    /// When the access token expires.
    pub fn expires_at(&self) -> DateTime<Utc> {
        add_saturating(self.obtained_at, self.expires_in)
    }

    /// Whether the access token should be refreshed at `now`: it expires within `margin`.
    pub fn refresh_due(&self, now: DateTime<Utc>, margin: Duration) -> bool {
        add_saturating(now, margin) >= self.expires_at()
    }

    /// When the refresh token lapses, for time-based access.
    pub fn refresh_token_expires_at(&self) -> Option<DateTime<Utc>> {
        self.refresh_token_expires_in
            .map(|lifetime| add_saturating(self.obtained_at, lifetime))
    }

    /// Whether a connection can be built on it: a refresh token and `youtube.readonly` are
    /// required; Analytics and identity are features. On `Err`, revoke the grant and
    /// authorize again.
    pub fn usable(&self) -> Result<Features, GrantProblem> {
        if self.refresh_token.is_none() {
            return Err(GrantProblem::NoRefreshToken);
        }
        if !self.scopes.youtube() {
            return Err(GrantProblem::YouTubeScopeNotGranted);
        }
        Ok(Features {
            analytics: self.scopes.analytics(),
            identity: self.scopes.identity(),
        })
    }
}

/// `start + lifetime`, saturating, so an absurd `expires_in` cannot panic.
pub(crate) fn add_saturating(start: DateTime<Utc>, lifetime: Duration) -> DateTime<Utc> {
    TimeDelta::from_std(lifetime)
        .ok()
        .and_then(|delta| start.checked_add_signed(delta))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// The token endpoint's answer, as sent.
#[derive(Deserialize)]
pub(crate) struct TokenResponse {
    pub(crate) access_token: String,
    #[serde(deserialize_with = "crate::wire::u64_from_any")]
    pub(crate) expires_in: u64,
    #[serde(default)]
    pub(crate) refresh_token: Option<String>,
    #[serde(default, deserialize_with = "crate::wire::opt_u64")]
    pub(crate) refresh_token_expires_in: Option<u64>,
    #[serde(default)]
    pub(crate) scope: Option<String>,
    #[serde(default)]
    pub(crate) id_token: Option<String>,
    #[serde(default)]
    pub(crate) token_type: Option<String>,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

impl TokenResponse {
    pub(crate) fn into_grant(self, obtained_at: DateTime<Utc>) -> TokenGrant {
        TokenGrant {
            access_token: AccessToken::new(self.access_token),
            expires_in: Duration::from_secs(self.expires_in),
            obtained_at,
            refresh_token: self
                .refresh_token
                .filter(|token| !token.is_empty())
                .map(RefreshToken::new),
            refresh_token_expires_in: self.refresh_token_expires_in.map(Duration::from_secs),
            scopes: GrantedScopes::parse(self.scope.as_deref().unwrap_or_default()),
            id_token: self
                .id_token
                .filter(|token| !token.is_empty())
                .map(IdToken::new),
            token_type: self.token_type.unwrap_or_else(|| "Bearer".to_owned()),
            extra: self.extra,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_764_000_000 + seconds, 0).expect("valid")
    }

    fn grant(scope: &str, refresh: bool) -> TokenGrant {
        TokenResponse {
            access_token: "ya29.secret-value".into(),
            expires_in: 3_599,
            refresh_token: refresh.then(|| "1//0secret".into()),
            refresh_token_expires_in: None,
            scope: Some(scope.into()),
            id_token: None,
            token_type: None,
            extra: Map::new(),
        }
        .into_grant(at(0))
    }

    #[test]
    fn debug_is_redacted() {
        let grant = grant("openid", true);
        let shown = format!("{grant:?}");
        assert!(!shown.contains("secret-value"));
        assert!(!shown.contains("1//0secret"));
        assert_eq!(
            format!("{:?}", grant.access_token),
            "AccessToken([REDACTED])"
        );
    }

    #[test]
    fn expiry_and_the_refresh_margin() {
        let grant = grant("openid", true);
        assert_eq!(grant.expires_at(), at(3_599));
        assert!(!grant.refresh_due(at(3_000), Duration::from_secs(300)));
        assert!(grant.refresh_due(at(3_300), Duration::from_secs(300)));
        assert_eq!(
            add_saturating(at(0), Duration::from_secs(u64::MAX)),
            DateTime::<Utc>::MAX_UTC
        );
    }

    #[test]
    fn granular_consent_decides_the_features() {
        let all = "openid https://www.googleapis.com/auth/youtube.readonly https://www.googleapis.com/auth/yt-analytics.readonly https://www.googleapis.com/auth/userinfo.email";
        assert_eq!(
            grant(all, true).usable(),
            Ok(Features {
                analytics: true,
                identity: true
            })
        );
        let no_analytics = "openid https://www.googleapis.com/auth/youtube.readonly email";
        assert_eq!(
            grant(no_analytics, true).usable(),
            Ok(Features {
                analytics: false,
                identity: true
            })
        );
        let no_youtube = "openid https://www.googleapis.com/auth/yt-analytics.readonly";
        assert_eq!(
            grant(no_youtube, true).usable(),
            Err(GrantProblem::YouTubeScopeNotGranted)
        );
        assert_eq!(
            grant(all, false).usable(),
            Err(GrantProblem::NoRefreshToken)
        );
        assert!(GrantedScopes::parse("email").has(scope::USERINFO_EMAIL));
    }

    #[test]
    fn id_token_claims_are_read() {
        let payload = URL_SAFE_NO_PAD
            .encode(r#"{"sub":"112233445566778899001","email":"a@b.c","email_verified":true}"#);
        let token = IdToken::new(format!("e30.{payload}.sig"));
        let claims = token.unverified_claims().expect("claims");
        assert_eq!(claims.sub, "112233445566778899001");
        assert_eq!(claims.email.as_deref(), Some("a@b.c"));
        assert_eq!(claims.email_verified, Some(true));
        assert_eq!(IdToken::new("not-a-jwt").unverified_claims(), None);
    }
}
