//! Bearer-token authentication: HS256 JWTs signed by the host product with `JWT_SECRET`.
//!
//! `sub` is the host product's user id and `exp` is required; `nbf` is checked when present,
//! and `aud`/`iss` when configured ([`JwtClaimRules`]). Anything else (missing header,
//! wrong scheme, malformed, expired, wrongly signed, other algorithm) is a 401 JSON with
//! `WWW-Authenticate: Bearer`. The token itself is never logged nor echoed.

use std::future::{Ready, ready};

use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::state::AppState;

/// Clock skew tolerated on `exp`, in seconds.
pub const LEEWAY_SECS: u64 = 30;

/// The claims we read and write.
#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    exp: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    iat: Option<i64>,
}

/// Why a bearer token was refused (the messages are safe to send to the client).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No `Authorization` header.
    #[error("missing bearer token")]
    Missing,
    /// A header that is not `Bearer <token>`.
    #[error("the Authorization header must be `Bearer <token>`")]
    NotBearer,
    /// The token is past its `exp`.
    #[error("the bearer token has expired")]
    Expired,
    /// The token's `nbf` is still ahead.
    #[error("the bearer token is not valid yet")]
    NotYetValid,
    /// Malformed, wrongly signed, wrong algorithm, missing `sub`/`exp`, or not for this
    /// service (`aud`/`iss` other than the configured ones).
    #[error("invalid bearer token")]
    Invalid,
}

impl AuthError {
    /// The message sent to the client (the same as `Display`, as a static string).
    pub fn message(self) -> &'static str {
        match self {
            Self::Missing => "missing bearer token",
            Self::NotBearer => "the Authorization header must be `Bearer <token>`",
            Self::Expired => "the bearer token has expired",
            Self::NotYetValid => "the bearer token is not valid yet",
            Self::Invalid => "invalid bearer token",
        }
    }
}

impl From<AuthError> for ApiError {
    fn from(error: AuthError) -> Self {
        ApiError::Unauthorized(error.message())
    }
}

/// Verifies bearer tokens.
#[derive(Clone)]
pub struct JwtVerifier {
    key: DecodingKey,
    validation: Validation,
}

impl std::fmt::Debug for JwtVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtVerifier").finish_non_exhaustive()
    }
}

/// Claims a deployment may require of every bearer token besides `sub` and `exp`
/// (`JWT_AUDIENCE`, `JWT_ISSUER`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JwtClaimRules {
    /// The `aud` every token must name; unset, a token's `aud` is not checked.
    pub audience: Option<String>,
    /// The `iss` every token must carry; unset, a token's `iss` is not checked.
    pub issuer: Option<String>,
}

impl JwtVerifier {
    /// A verifier for tokens signed with `secret` (HS256), requiring `sub` and `exp` only.
    pub fn new(secret: &SecretString) -> Self {
        Self::with_rules(secret, &JwtClaimRules::default())
    }

    /// A verifier for tokens signed with `secret` (HS256) that also checks `rules`. `nbf`,
    /// when a token has it, is always checked (with the same leeway as `exp`).
    pub fn with_rules(secret: &SecretString, rules: &JwtClaimRules) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = LEEWAY_SECS;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        let mut required = vec!["exp", "sub"];
        // Without a configured audience, a host product's tokens that carry one (many
        // identity providers add it) are accepted rather than refused.
        validation.validate_aud = rules.audience.is_some();
        if let Some(audience) = &rules.audience {
            validation.set_audience(&[audience]);
            required.push("aud");
        }
        if let Some(issuer) = &rules.issuer {
            validation.set_issuer(&[issuer]);
            required.push("iss");
        }
        validation.set_required_spec_claims(&required);
        Self {
            key: DecodingKey::from_secret(secret.expose_secret().as_bytes()),
            validation,
        }
    }

    /// Checks `token` and returns its subject (the user id).
    ///
    /// # Errors
    /// [`AuthError::Expired`] or [`AuthError::Invalid`].
    pub fn verify(&self, token: &str) -> Result<String, AuthError> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.key, &self.validation).map_err(
            |error| match error.kind() {
                ErrorKind::ExpiredSignature => AuthError::Expired,
                ErrorKind::ImmatureSignature => AuthError::NotYetValid,
                _ => AuthError::Invalid,
            },
        )?;
        let subject = data.claims.sub;
        if subject.trim().is_empty() {
            return Err(AuthError::Invalid);
        }
        Ok(subject)
    }

    /// Reads and checks the `Authorization` header of `request`.
    ///
    /// # Errors
    /// An [`AuthError`] saying what is wrong.
    pub fn authenticate(&self, request: &HttpRequest) -> Result<String, AuthError> {
        let value = request
            .headers()
            .get(header::AUTHORIZATION)
            .ok_or(AuthError::Missing)?;
        let value = value.to_str().map_err(|_| AuthError::NotBearer)?.trim();
        // `Bearer ` with nothing after it arrives trimmed to `Bearer`.
        if value.eq_ignore_ascii_case("bearer") {
            return Err(AuthError::Missing);
        }
        let (scheme, token) = value.split_once(' ').ok_or(AuthError::NotBearer)?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(AuthError::NotBearer);
        }
        let token = token.trim();
        if token.is_empty() {
            return Err(AuthError::Missing);
        }
        self.verify(token)
    }
}

/// Signs bearer tokens. Used by the sandbox-only `POST /api/dev/token` and by tests.
#[derive(Clone)]
pub struct JwtIssuer {
    key: EncodingKey,
}

impl std::fmt::Debug for JwtIssuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtIssuer").finish_non_exhaustive()
    }
}

/// A freshly signed token.
#[derive(Clone)]
pub struct IssuedToken {
    /// The compact JWT.
    pub token: SecretString,
    /// Its subject.
    pub user_id: String,
    /// Its `exp`.
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedToken")
            .field("user_id", &self.user_id)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// Signing failed (only possible with a broken key; kept typed rather than panicking).
#[derive(Debug, thiserror::Error)]
#[error("cannot sign the token")]
pub struct IssueError(#[source] jsonwebtoken::errors::Error);

impl JwtIssuer {
    /// An issuer signing with `secret` (HS256).
    pub fn new(secret: &SecretString) -> Self {
        Self {
            key: EncodingKey::from_secret(secret.expose_secret().as_bytes()),
        }
    }

    /// Signs a token for `user_id` valid for `lifetime` from now.
    ///
    /// # Errors
    /// [`IssueError`] when signing fails.
    pub fn issue(&self, user_id: &str, lifetime: Duration) -> Result<IssuedToken, IssueError> {
        self.issue_at(user_id, Utc::now(), lifetime)
    }

    /// Signs a token as if issued at `issued_at` (tests use it for expired tokens).
    ///
    /// # Errors
    /// [`IssueError`] when signing fails.
    pub fn issue_at(
        &self,
        user_id: &str,
        issued_at: DateTime<Utc>,
        lifetime: Duration,
    ) -> Result<IssuedToken, IssueError> {
        let expires_at = issued_at + lifetime;
        let claims = Claims {
            sub: user_id.to_owned(),
            exp: expires_at.timestamp(),
            iat: Some(issued_at.timestamp()),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.key)
            .map_err(IssueError)?;
        Ok(IssuedToken {
            token: SecretString::from(token),
            user_id: user_id.to_owned(),
            expires_at,
        })
    }
}

/// The caller, authenticated by its bearer token. Add it to a handler's arguments to protect
/// the route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticatedUser {
    /// The host product's user id (the token's `sub`).
    pub user_id: String,
}

impl FromRequest for AuthenticatedUser {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let Some(state) = request.app_data::<web::Data<AppState>>() else {
            return ready(Err(ApiError::internal(
                "AppState is not registered as app data",
            )));
        };
        ready(
            state
                .jwt
                .authenticate(request)
                .map(|user_id| Self { user_id })
                .map_err(ApiError::from),
        )
    }
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret as _;

    use super::*;

    fn secret(text: &str) -> SecretString {
        SecretString::from(text)
    }

    const SECRET: &str = "a-test-secret-that-is-long-enough-0123";

    #[test]
    fn issues_and_verifies() {
        let issuer = JwtIssuer::new(&secret(SECRET));
        let verifier = JwtVerifier::new(&secret(SECRET));
        let issued = issuer.issue("user-1", Duration::minutes(5)).expect("sign");
        let user = verifier
            .verify(issued.token.expose_secret())
            .expect("valid");
        assert_eq!(user, "user-1");
    }

    #[test]
    fn rejects_expired_tokens_beyond_the_leeway() {
        let issuer = JwtIssuer::new(&secret(SECRET));
        let verifier = JwtVerifier::new(&secret(SECRET));
        let issued = issuer
            .issue_at(
                "user-1",
                Utc::now() - Duration::hours(2),
                Duration::hours(1),
            )
            .expect("sign");
        assert_eq!(
            verifier.verify(issued.token.expose_secret()),
            Err(AuthError::Expired)
        );
    }

    #[test]
    fn accepts_a_token_expired_within_the_leeway() {
        let issuer = JwtIssuer::new(&secret(SECRET));
        let verifier = JwtVerifier::new(&secret(SECRET));
        let issued = issuer
            .issue_at(
                "user-1",
                Utc::now() - Duration::seconds(70),
                Duration::seconds(60),
            )
            .expect("sign");
        assert!(verifier.verify(issued.token.expose_secret()).is_ok());
    }

    #[test]
    fn rejects_other_secrets_and_garbage() {
        let issuer = JwtIssuer::new(&secret("another-secret-that-is-long-enough-99"));
        let verifier = JwtVerifier::new(&secret(SECRET));
        let issued = issuer.issue("user-1", Duration::minutes(5)).expect("sign");
        assert_eq!(
            verifier.verify(issued.token.expose_secret()),
            Err(AuthError::Invalid)
        );
        assert_eq!(verifier.verify("not.a.jwt"), Err(AuthError::Invalid));
    }

    #[test]
    fn requires_sub_and_exp() {
        let key = EncodingKey::from_secret(SECRET.as_bytes());
        let verifier = JwtVerifier::new(&secret(SECRET));
        let without_exp = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &serde_json::json!({"sub": "user-1"}),
            &key,
        )
        .expect("sign");
        assert_eq!(verifier.verify(&without_exp), Err(AuthError::Invalid));
        let without_sub = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &serde_json::json!({"exp": Utc::now().timestamp() + 60}),
            &key,
        )
        .expect("sign");
        assert_eq!(verifier.verify(&without_sub), Err(AuthError::Invalid));
    }

    #[test]
    fn rejects_other_algorithms() {
        let key = EncodingKey::from_secret(SECRET.as_bytes());
        let verifier = JwtVerifier::new(&secret(SECRET));
        let hs512 = jsonwebtoken::encode(
            &Header::new(Algorithm::HS512),
            &serde_json::json!({"sub": "u", "exp": Utc::now().timestamp() + 60}),
            &key,
        )
        .expect("sign");
        assert_eq!(verifier.verify(&hs512), Err(AuthError::Invalid));
    }

    fn signed(claims: &serde_json::Value) -> String {
        let key = EncodingKey::from_secret(SECRET.as_bytes());
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &key).expect("sign")
    }

    #[test]
    fn audience_and_issuer_are_checked_only_when_configured() {
        let exp = Utc::now().timestamp() + 60;
        let with_aud = signed(&serde_json::json!({"sub": "u", "exp": exp, "aud": "other-app"}));
        let plain = signed(&serde_json::json!({"sub": "u", "exp": exp}));
        let ours = signed(&serde_json::json!({
            "sub": "u", "exp": exp, "aud": ["tiktok-sync", "x"], "iss": "https://host.example"
        }));
        let open = JwtVerifier::new(&secret(SECRET));
        for token in [&with_aud, &plain, &ours] {
            assert_eq!(open.verify(token).as_deref(), Ok("u"));
        }
        let strict = JwtVerifier::with_rules(
            &secret(SECRET),
            &JwtClaimRules {
                audience: Some("tiktok-sync".into()),
                issuer: Some("https://host.example".into()),
            },
        );
        assert_eq!(strict.verify(&ours).as_deref(), Ok("u"));
        assert_eq!(strict.verify(&with_aud), Err(AuthError::Invalid));
        assert_eq!(
            strict.verify(&plain),
            Err(AuthError::Invalid),
            "aud and iss required"
        );
        let wrong_issuer = signed(&serde_json::json!({
            "sub": "u", "exp": exp, "aud": "tiktok-sync", "iss": "https://evil.example"
        }));
        assert_eq!(strict.verify(&wrong_issuer), Err(AuthError::Invalid));
    }

    #[test]
    fn a_token_before_its_nbf_is_refused() {
        let verifier = JwtVerifier::new(&secret(SECRET));
        let now = Utc::now().timestamp();
        let later = signed(&serde_json::json!({"sub": "u", "exp": now + 3600, "nbf": now + 600}));
        assert_eq!(verifier.verify(&later), Err(AuthError::NotYetValid));
        let within_leeway =
            signed(&serde_json::json!({"sub": "u", "exp": now + 3600, "nbf": now + 10}));
        assert!(verifier.verify(&within_leeway).is_ok());
    }

    #[test]
    fn debug_hides_the_token() {
        let issuer = JwtIssuer::new(&secret(SECRET));
        let issued = issuer.issue("user-1", Duration::minutes(5)).expect("sign");
        let debug = format!("{issued:?} {issuer:?}");
        assert!(!debug.contains(issued.token.expose_secret()));
        assert!(!debug.contains(SECRET));
    }
}
