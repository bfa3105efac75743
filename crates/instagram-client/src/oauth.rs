//! Instagram Login: the authorization URL, the callback, the code exchange, the long-lived
//! exchange and the refresh (reference sections 2 and 3).

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use rand::RngCore as _;
use secrecy::{ExposeSecret as _, SecretString};
use sha2::{Digest as _, Sha256};
use url::Url;

use crate::execute::Target;
use crate::response::{parse_long_lived, parse_short_lived};
use crate::retry::RetrySafety;
use crate::{Endpoint, InstagramClient, InstagramError, LongLivedToken, ShortLivedToken};

/// A fresh authorization request: where to send the browser, and what to keep until the
/// callback (server-side, bound to the user).
#[derive(Clone)]
#[non_exhaustive]
pub struct AuthorizationRequest {
    /// The authorization URL.
    pub url: Url,
    /// The random `state` (256 bits, base64url): check it on the callback.
    pub state: String,
    /// The PKCE verifier, when PKCE is on.
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

/// The code of a successful callback. Single use, valid one hour. Redacted in `Debug`.
#[derive(Clone)]
pub struct AuthorizationCode(SecretString);

impl AuthorizationCode {
    /// A code the caller read from the callback itself (a service that checks `state`
    /// against its own store rather than with [`parse_callback`]). Instagram appends `#_`
    /// to the redirect; a code copied with it has it removed.
    pub fn new(code: impl Into<String>) -> Self {
        let code = code.into();
        let code = code.strip_suffix("#_").map(str::to_owned).unwrap_or(code);
        Self(SecretString::from(code))
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
    /// The user cancelled (`error=access_denied`, `error_reason=user_denied`).
    #[error("the user denied the authorization")]
    Denied {
        /// `error_reason`.
        reason: Option<String>,
        /// `error_description`.
        description: Option<String>,
    },
    /// Another error came back.
    #[error("the authorization failed: {error}")]
    Failed {
        /// `error`.
        error: String,
        /// `error_reason`.
        reason: Option<String>,
        /// `error_description`.
        description: Option<String>,
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
    /// The code, `#_` stripped.
    pub code: AuthorizationCode,
    /// The state, already checked.
    pub state: String,
}

/// Reads a callback: a full URL (as a popup reads `location.href`, `#_` and all) or its
/// query string. The fragment, which is not part of the code, is dropped; an error answer is
/// typed; `state` must equal `expected_state` (compared in constant time).
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
            return Err(CallbackError::Denied {
                reason: get("error_reason"),
                description: get("error_description"),
            });
        }
        if !state_matches {
            return Err(CallbackError::StateMismatch);
        }
        return Err(CallbackError::Failed {
            error,
            reason: get("error_reason"),
            description: get("error_description"),
        });
    }
    if !state_matches {
        return Err(CallbackError::StateMismatch);
    }
    let code = get("code").ok_or(CallbackError::MissingCode)?;
    // A code copied with its fragment, or encoded into the query, still loses the `#_`.
    let code = code.strip_suffix("#_").unwrap_or(&code).to_owned();
    if code.is_empty() {
        return Err(CallbackError::MissingCode);
    }
    Ok(CallbackCode {
        code: AuthorizationCode(SecretString::from(code)),
        state: expected_state.to_owned(),
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

/// A connected account: the long-lived token and who granted it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Connection {
    /// The app-scoped user id of the code exchange.
    pub user_id: String,
    /// The permissions granted.
    pub permissions: Vec<String>,
    /// The long-lived token.
    pub token: LongLivedToken,
}

impl InstagramClient {
    /// A fresh authorization request with a random state (and PKCE when configured).
    pub fn authorization_request(&self) -> AuthorizationRequest {
        let state = random_url_safe(32);
        let verifier = self.inner.config.use_pkce.then(|| random_url_safe(48));
        let challenge = verifier
            .as_deref()
            .map(|verifier| URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())));
        AuthorizationRequest {
            url: self.authorization_url(&state, challenge.as_deref()),
            state,
            pkce_verifier: verifier.map(SecretString::from),
        }
    }

    /// The authorization URL for `state` (and a PKCE S256 challenge): `client_id`,
    /// `redirect_uri`, `response_type=code`, comma-joined `scope`, `state`, then the
    /// configured optional parameters.
    pub fn authorization_url(&self, state: &str, code_challenge: Option<&str>) -> Url {
        let config = &self.inner.config;
        let mut url = self.inner.authorize_url();
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("client_id", &config.app_id)
                .append_pair("redirect_uri", config.redirect_uri.as_str())
                .append_pair("response_type", "code")
                .append_pair("scope", &config.scopes.join(","))
                .append_pair("state", state);
            let options = config.authorize_options;
            if options.force_reauth {
                query.append_pair("force_reauth", "true");
            }
            if let Some(enable) = options.enable_fb_login {
                query.append_pair("enable_fb_login", if enable { "1" } else { "0" });
            }
            if let Some(force) = options.force_authentication {
                query.append_pair("force_authentication", if force { "1" } else { "0" });
            }
            if let Some(challenge) = code_challenge {
                query
                    .append_pair("code_challenge", challenge)
                    .append_pair("code_challenge_method", "S256");
            }
        }
        url
    }

    /// `POST api.instagram.com/oauth/access_token`: code -> short-lived token. Both answer
    /// shapes are read; the code is single-use, so the call is retried only when Instagram
    /// certainly did not act on it.
    pub async fn exchange_code(
        &self,
        code: &AuthorizationCode,
        pkce_verifier: Option<&SecretString>,
    ) -> Result<ShortLivedToken, InstagramError> {
        if code.expose_secret().is_empty() {
            return Err(InstagramError::InvalidArgument(
                "the authorization code is empty".into(),
            ));
        }
        let config = &self.inner.config;
        let mut form = vec![
            ("client_id", config.app_id.as_str()),
            ("client_secret", config.app_secret.expose_secret()),
            ("grant_type", "authorization_code"),
            ("redirect_uri", config.redirect_uri.as_str()),
            ("code", code.expose_secret()),
        ];
        if let Some(verifier) = pkce_verifier {
            form.push(("code_verifier", verifier.expose_secret()));
        }
        let url = self.inner.code_exchange_url();
        let lifetime = config.short_token_lifetime;
        let target = Target {
            endpoint: Endpoint::CodeExchange,
            account: None,
        };
        self.inner
            .execute(
                target,
                RetrySafety::NotIdempotent,
                |http| {
                    http.post(url.clone())
                        .timeout(config.request_timeout)
                        .form(&form)
                },
                |raw, sent_at| parse_short_lived(raw, sent_at, lifetime),
            )
            .await
    }

    /// `GET graph.instagram.com/access_token?grant_type=ig_exchange_token`: short-lived ->
    /// long-lived token. Do it at once: the short-lived token lasts an hour.
    pub async fn exchange_for_long_lived(
        &self,
        short: &ShortLivedToken,
    ) -> Result<LongLivedToken, InstagramError> {
        let url = self.inner.graph_unversioned("access_token");
        let query = [
            ("grant_type", "ig_exchange_token".to_owned()),
            (
                "client_secret",
                self.inner.config.app_secret.expose_secret().to_owned(),
            ),
        ];
        let target = Target {
            endpoint: Endpoint::LongLivedExchange,
            account: None,
        };
        self.inner
            .execute(
                target,
                RetrySafety::Idempotent,
                |http| {
                    self.inner
                        .graph_get(http, &url, &query, &short.access_token)
                },
                |raw, sent_at| parse_long_lived(Endpoint::LongLivedExchange, raw, sent_at),
            )
            .await
    }

    /// The whole connect: the code exchange, then the long-lived exchange straight after.
    pub async fn connect(
        &self,
        code: &AuthorizationCode,
        pkce_verifier: Option<&SecretString>,
    ) -> Result<Connection, InstagramError> {
        let short = self.exchange_code(code, pkce_verifier).await?;
        let token = self.exchange_for_long_lived(&short).await?;
        Ok(Connection {
            user_id: short.user_id,
            permissions: short.permissions,
            token,
        })
    }

    /// `GET graph.instagram.com/refresh_access_token?grant_type=ig_refresh_token` (GET only;
    /// there is no refresh token: the long-lived token refreshes itself). Refused without a
    /// call when the token is younger than
    /// [`refresh_min_age`](crate::InstagramConfig::refresh_min_age) at `now` or expired.
    /// Store the returned token: whether the string changes is undocumented.
    pub async fn refresh_long_lived(
        &self,
        token: &LongLivedToken,
        now: DateTime<Utc>,
    ) -> Result<LongLivedToken, InstagramError> {
        token
            .check_refreshable(now, self.inner.config.refresh_min_age)
            .map_err(InstagramError::RefreshNotAllowed)?;
        let url = self.inner.graph_unversioned("refresh_access_token");
        let query = [("grant_type", "ig_refresh_token".to_owned())];
        let target = Target {
            endpoint: Endpoint::Refresh,
            account: None,
        };
        self.inner
            .execute(
                target,
                RetrySafety::NotIdempotent,
                |http| {
                    self.inner
                        .graph_get(http, &url, &query, &token.access_token)
                },
                |raw, sent_at| parse_long_lived(Endpoint::Refresh, raw, sent_at),
            )
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fragment_is_stripped_and_the_state_checked() {
        let callback =
            parse_callback("https://app.example/cb?code=AQBx-hBs&state=S1#_", "S1").expect("code");
        assert_eq!(callback.code.expose_secret(), "AQBx-hBs");
        let query_only = parse_callback("?code=AQB%23_&state=S1", "S1").expect("code");
        assert_eq!(query_only.code.expose_secret(), "AQB");
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
    }

    #[test]
    fn a_denial_is_typed() {
        let denied = parse_callback(
            "https://app.example/cb?error=access_denied&error_reason=user_denied&error_description=The+user+denied+your+request&state=S1#_",
            "S1",
        );
        assert_eq!(
            denied.err(),
            Some(CallbackError::Denied {
                reason: Some("user_denied".into()),
                description: Some("The user denied your request".into()),
            })
        );
        assert_eq!(
            parse_callback("error=server_error&state=X", "S1").err(),
            Some(CallbackError::StateMismatch)
        );
        assert!(matches!(
            parse_callback("error=server_error&state=S1", "S1"),
            Err(CallbackError::Failed { .. })
        ));
    }

    #[test]
    fn codes_are_redacted() {
        let callback = parse_callback("code=SECRET-CODE&state=S", "S").expect("code");
        assert!(!format!("{callback:?}").contains("SECRET-CODE"));
    }
}
