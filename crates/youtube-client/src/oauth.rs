//! Google OAuth 2.0 for web-server apps (reference sections 2 to 4): the authorization URL,
//! the callback, the code exchange, the refresh and the revocation.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore as _;
use secrecy::{ExposeSecret as _, SecretString};
use sha2::{Digest as _, Sha256};
use url::Url;

use crate::execute::Target;
use crate::response::{checked_body, decode, safe_reason};
use crate::retry::RetrySafety;
use crate::token::TokenResponse;
use crate::{
    AccessToken, Endpoint, GrantedScopes, RefreshToken, TokenGrant, YouTubeClient, YouTubeError,
};

/// A fresh authorization request: where to send the browser, and what to keep until the
/// callback (server-side, bound to the user's session).
#[derive(Clone)]
#[non_exhaustive]
pub struct AuthorizationRequest {
    /// The authorization URL.
    pub url: Url,
    /// The random `state` (256 bits, base64url): check it on the callback.
    pub state: String,
    /// The PKCE verifier, when PKCE is on: send it with the code exchange.
    pub pkce_verifier: Option<SecretString>,
}

impl fmt::Debug for AuthorizationRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizationRequest")
            .field("url", &self.url.as_str())
            .field("state", &self.state)
            .field(
                "pkce_verifier",
                &self.pkce_verifier.as_ref().map(|_| "[REDACTED]"),
            )
            .finish()
    }
}

/// The code of a successful callback: single use, valid minutes. Redacted in `Debug`.
#[derive(Clone)]
pub struct AuthorizationCode(SecretString);

impl AuthorizationCode {
    /// Wraps a raw code.
    pub fn new(code: impl Into<String>) -> Self {
        Self(SecretString::from(code.into()))
    }

    /// The raw code, for the exchange.
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for AuthorizationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuthorizationCode([REDACTED])")
    }
}

/// Why a callback does not carry a usable code.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CallbackError {
    /// The user clicked "Cancel" (`error=access_denied`).
    #[error("the user denied the authorization")]
    Denied,
    /// Another error came back (`interaction_required`, ...). Errors of the request itself
    /// (`redirect_uri_mismatch`, `invalid_client`, ...) are shown on Google's page and never
    /// come back: the popup needs a timeout.
    #[error("the authorization failed: {error}")]
    Failed {
        /// `error`.
        error: String,
    },
    /// `state` is missing or is not the one sent: possible CSRF, nothing is used.
    #[error("the callback's state does not match the one sent")]
    StateMismatch,
    /// Neither a code nor an error.
    #[error("the callback carries no code")]
    MissingCode,
}

/// A successful callback.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct CallbackCode {
    /// The code.
    pub code: AuthorizationCode,
    /// The state, already checked.
    pub state: String,
    /// The `scope` the redirect carried, if any (unconfirmed: decide on the token response's
    /// scopes, never on these).
    pub scopes: Option<GrantedScopes>,
}

/// Reads a callback: a full URL or its query string. `state` must equal `expected_state`
/// (compared in constant time) before anything else is believed.
pub fn parse_callback(callback: &str, expected_state: &str) -> Result<CallbackCode, CallbackError> {
    let without_fragment = callback.split('#').next().unwrap_or_default();
    let query = match Url::parse(without_fragment) {
        Ok(url) => url.query().unwrap_or_default().to_owned(),
        Err(_) => without_fragment.trim_start_matches('?').to_owned(),
    };
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect();
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
            .filter(|value| !value.is_empty())
    };
    let state_matches = get("state").is_some_and(|state| constant_time_eq(&state, expected_state));
    if let Some(error) = get("error") {
        // A denial is shown to the user even without our state (it carries no credential);
        // anything else needs the state first.
        if error == "access_denied" {
            return Err(CallbackError::Denied);
        }
        if !state_matches {
            return Err(CallbackError::StateMismatch);
        }
        return Err(CallbackError::Failed { error });
    }
    if !state_matches {
        return Err(CallbackError::StateMismatch);
    }
    let code = get("code").ok_or(CallbackError::MissingCode)?;
    Ok(CallbackCode {
        code: AuthorizationCode::new(code),
        state: expected_state.to_owned(),
        scopes: get("scope").map(|scope| GrantedScopes::parse(&scope)),
    })
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |diff, (x, y)| diff | (x ^ y))
            == 0
}

fn random_url_safe(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buffer);
    URL_SAFE_NO_PAD.encode(buffer)
}

/// The S256 `code_challenge` of a PKCE verifier: unpadded base64url of its SHA-256.
pub fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// How a revocation ended. Both mean the token is no longer usable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RevokeOutcome {
    /// 200: revoked now (with its grant).
    Revoked,
    /// 400 `invalid_token`: already expired or revoked.
    AlreadyInvalid,
}

impl YouTubeClient {
    /// A fresh authorization request with a random state (and PKCE S256 when configured).
    pub fn authorization_request(&self) -> AuthorizationRequest {
        self.authorization_request_for(None)
    }

    /// [`Self::authorization_request`] with a `login_hint` (an email or `sub`), to pre-select
    /// the account on a reconnect.
    pub fn authorization_request_for(&self, login_hint: Option<&str>) -> AuthorizationRequest {
        let state = random_url_safe(32);
        // 48 random bytes: a 64-character verifier, within RFC 7636's 43 to 128.
        let verifier = self
            .inner
            .config
            .authorize
            .pkce
            .then(|| random_url_safe(48));
        let challenge = verifier.as_deref().map(pkce_challenge);
        AuthorizationRequest {
            url: self.authorization_url(&state, challenge.as_deref(), login_hint),
            state,
            pkce_verifier: verifier.map(SecretString::from),
        }
    }

    /// The authorization URL: `client_id`, `redirect_uri`, `response_type=code`,
    /// space-delimited `scope`, `state`, then `access_type`, `prompt`,
    /// `include_granted_scopes`, the PKCE challenge and `login_hint` as configured.
    pub fn authorization_url(
        &self,
        state: &str,
        code_challenge: Option<&str>,
        login_hint: Option<&str>,
    ) -> Url {
        let config = &self.inner.config;
        let options = config.authorize;
        let mut url = self.inner.authorize_url();
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("client_id", &config.client_id)
                .append_pair("redirect_uri", config.redirect_uri.as_str())
                .append_pair("response_type", "code")
                .append_pair("scope", &config.scopes.join(" "))
                .append_pair("state", state);
            if options.offline {
                query.append_pair("access_type", "offline");
            }
            let prompt: Vec<&str> = [
                options.prompt_consent.then_some("consent"),
                options.select_account.then_some("select_account"),
            ]
            .into_iter()
            .flatten()
            .collect();
            if !prompt.is_empty() {
                query.append_pair("prompt", &prompt.join(" "));
            }
            if options.include_granted_scopes {
                query.append_pair("include_granted_scopes", "true");
            }
            if let Some(challenge) = code_challenge {
                query
                    .append_pair("code_challenge", challenge)
                    .append_pair("code_challenge_method", "S256");
            }
            if let Some(hint) = login_hint {
                query.append_pair("login_hint", hint);
            }
        }
        url
    }

    /// `POST oauth2.googleapis.com/token`, `grant_type=authorization_code`. The code is
    /// single-use, so the call is retried only when Google certainly did not act on it.
    /// Check [`TokenGrant::usable`] before keeping the grant: the user may have unticked
    /// scopes, and a refresh token comes only with offline access and consent.
    pub async fn exchange_code(
        &self,
        code: &AuthorizationCode,
        pkce_verifier: Option<&SecretString>,
    ) -> Result<TokenGrant, YouTubeError> {
        if code.expose_secret().is_empty() {
            return Err(YouTubeError::InvalidArgument(
                "the authorization code is empty".into(),
            ));
        }
        let config = &self.inner.config;
        let mut form = vec![
            ("code", code.expose_secret()),
            ("client_id", config.client_id.as_str()),
            ("client_secret", config.client_secret.expose_secret()),
            ("redirect_uri", config.redirect_uri.as_str()),
            ("grant_type", "authorization_code"),
        ];
        if let Some(verifier) = pkce_verifier {
            form.push(("code_verifier", verifier.expose_secret()));
        }
        self.token_call(Endpoint::CodeExchange, &form).await
    }

    /// `POST oauth2.googleapis.com/token`, `grant_type=refresh_token`. The answer normally
    /// holds no refresh token (keep the stored one); if it does, store it. Re-read the
    /// scopes: a user can remove one without revoking. `invalid_grant` means the grant is
    /// dead ([`YouTubeError::needs_reauth`]).
    pub async fn refresh(&self, refresh_token: &RefreshToken) -> Result<TokenGrant, YouTubeError> {
        let config = &self.inner.config;
        let form = [
            ("client_id", config.client_id.as_str()),
            ("client_secret", config.client_secret.expose_secret()),
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.expose_secret()),
        ];
        self.token_call(Endpoint::Refresh, &form).await
    }

    async fn token_call(
        &self,
        endpoint: Endpoint,
        form: &[(&str, &str)],
    ) -> Result<TokenGrant, YouTubeError> {
        let url = self.inner.token_url();
        let timeout = self.inner.config.request_timeout;
        self.inner
            .execute(
                Target::of(endpoint),
                RetrySafety::NotIdempotent,
                |http| http.post(url.clone()).timeout(timeout).form(form),
                |raw, context| {
                    let body = checked_body(context, raw)?;
                    let parsed: TokenResponse =
                        serde_json::from_value(serde_json::Value::Object(body))
                            .map_err(|error| decode(context, raw, safe_reason(&error)))?;
                    if parsed.access_token.is_empty() {
                        return Err(decode(context, raw, "empty access_token"));
                    }
                    Ok(parsed.into_grant(context.sent_at))
                },
            )
            .await
    }

    /// `POST oauth2.googleapis.com/revoke` with the refresh token (which ends the grant: every
    /// scope, every token). Both a 200 and a 400 `invalid_token` mean it is done.
    pub async fn revoke_refresh_token(
        &self,
        token: &RefreshToken,
    ) -> Result<RevokeOutcome, YouTubeError> {
        self.revoke(token.expose_secret()).await
    }

    /// `POST oauth2.googleapis.com/revoke` with an access token (which also revokes its
    /// refresh token).
    pub async fn revoke_access_token(
        &self,
        token: &AccessToken,
    ) -> Result<RevokeOutcome, YouTubeError> {
        self.revoke(token.expose_secret()).await
    }

    async fn revoke(&self, token: &str) -> Result<RevokeOutcome, YouTubeError> {
        let url = self.inner.revoke_url();
        let timeout = self.inner.config.request_timeout;
        // The token goes in the form body, never the query: URLs end up in logs.
        let form = [("token", token)];
        self.inner
            .execute(
                Target::of(Endpoint::Revoke),
                RetrySafety::Idempotent,
                |http| http.post(url.clone()).timeout(timeout).form(&form),
                |raw, context| match checked_body(context, raw) {
                    Ok(_) => Ok(RevokeOutcome::Revoked),
                    Err(YouTubeError::OAuth { error, .. }) if error == "invalid_token" => {
                        Ok(RevokeOutcome::AlreadyInvalid)
                    }
                    // Google may answer a 200 with an empty body.
                    Err(YouTubeError::Decode { .. }) if raw.is_success() => {
                        Ok(RevokeOutcome::Revoked)
                    }
                    Err(error) => Err(error),
                },
            )
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_is_checked_and_a_denial_is_typed() {
        let callback = parse_callback(
            "https://app.example/cb?state=S1&code=4/0AVG7fiQ&scope=email%20openid%20https://www.googleapis.com/auth/youtube.readonly&authuser=0&prompt=consent",
            "S1",
        )
        .expect("code");
        assert_eq!(callback.code.expose_secret(), "4/0AVG7fiQ");
        assert!(
            callback
                .scopes
                .expect("scopes")
                .has("https://www.googleapis.com/auth/youtube.readonly")
        );
        assert_eq!(
            parse_callback("code=c&state=other", "S1").err(),
            Some(CallbackError::StateMismatch)
        );
        assert_eq!(
            parse_callback("code=c", "S1").err(),
            Some(CallbackError::StateMismatch)
        );
        assert_eq!(
            parse_callback("state=S1", "S1").err(),
            Some(CallbackError::MissingCode)
        );
        assert_eq!(
            parse_callback("?error=access_denied&state=S1", "S1").err(),
            Some(CallbackError::Denied)
        );
        assert_eq!(
            parse_callback("error=interaction_required&state=S1", "S1").err(),
            Some(CallbackError::Failed {
                error: "interaction_required".into()
            })
        );
        assert_eq!(
            parse_callback("error=interaction_required&state=X", "S1").err(),
            Some(CallbackError::StateMismatch)
        );
    }

    #[test]
    fn codes_are_redacted_and_the_challenge_matches_rfc_7636() {
        let callback = parse_callback("code=SECRET-CODE&state=S", "S").expect("code");
        assert!(!format!("{callback:?}").contains("SECRET-CODE"));
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}
