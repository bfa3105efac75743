//! Login Kit: the authorize URL, code exchange, refresh and revoke.

use secrecy::{ExposeSecret as _, SecretString};
use url::Url;

use crate::pkce::{AuthorizationRequest, new_state, new_verifier, pkce_challenge};
use crate::response::{Grant, parse_revoke, parse_token};
use crate::retry::RetrySafety;
use crate::{AccessToken, Endpoint, RefreshToken, TikTokClient, TikTokError, TokenSet};

impl TikTokClient {
    /// A fresh authorization request: a random state (256 bits), a random
    /// PKCE verifier, and the authorize URL carrying the state and the
    /// verifier's S256 challenge. Store `state` and `pkce_verifier`
    /// server-side, bound to the user, until the callback.
    pub fn authorization_request(&self) -> AuthorizationRequest {
        let state = new_state();
        let verifier = new_verifier();
        let challenge = pkce_challenge(&verifier, self.inner.config.pkce_encoding);
        AuthorizationRequest {
            url: self.authorize_url(&state, &challenge),
            state,
            pkce_verifier: SecretString::from(verifier),
        }
    }

    /// The authorize URL (`/v2/auth/authorize/` on the authorize host) for a
    /// given state and already-encoded S256 code challenge: `client_key`,
    /// comma-separated `scope`, `response_type=code`, `redirect_uri`,
    /// `state`, `code_challenge`, `code_challenge_method=S256`, and
    /// `disable_auto_auth=1` when configured.
    pub fn authorize_url(&self, state: &str, code_challenge: &str) -> Url {
        let config = &self.inner.config;
        let mut url = self.inner.authorize_url.clone();
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("client_key", &config.client_key)
                .append_pair("scope", &config.scopes.join(","))
                .append_pair("response_type", "code")
                .append_pair("redirect_uri", config.redirect_uri.as_str())
                .append_pair("state", state)
                .append_pair("code_challenge", code_challenge)
                .append_pair("code_challenge_method", "S256");
            if config.disable_auto_auth {
                query.append_pair("disable_auto_auth", "1");
            }
        }
        url
    }

    /// Exchanges the callback's `code` (already URL-decoded once by the web
    /// framework; never decode it again) and the stored PKCE verifier for a
    /// token set. An empty verifier is left out (web apps may skip PKCE).
    ///
    /// Codes are single-use, so the call is retried only when TikTok
    /// certainly did not act on it (see [`RetryPolicy`](crate::RetryPolicy)
    /// and the crate docs).
    pub async fn exchange_code(
        &self,
        code: &str,
        pkce_verifier: &str,
    ) -> Result<TokenSet, TikTokError> {
        if code.is_empty() {
            return Err(TikTokError::InvalidArgument(
                "the authorization code is empty".to_owned(),
            ));
        }
        let config = &self.inner.config;
        let mut form = vec![
            ("client_key", config.client_key.as_str()),
            ("client_secret", config.client_secret.expose_secret()),
            ("code", code),
            ("grant_type", "authorization_code"),
            ("redirect_uri", config.redirect_uri.as_str()),
        ];
        if !pkce_verifier.is_empty() {
            form.push(("code_verifier", pkce_verifier));
        }
        self.token_call(&form, Grant::AuthorizationCode).await
    }

    /// Exchanges a refresh token for a new token set. TikTok rotates the
    /// refresh token: persist the returned one (when `Some`) before using
    /// the new access token.
    ///
    /// [`TikTokError::RefreshRejected`] means the refresh token is dead (or
    /// another process already rotated it: re-read storage before asking the
    /// user to reconnect). Retried only when TikTok certainly did not act on
    /// the request: connection failures, 429 and 5xx; a timeout is returned
    /// as is, since the refresh may have happened.
    pub async fn refresh_access_token(
        &self,
        refresh_token: &RefreshToken,
    ) -> Result<TokenSet, TikTokError> {
        if refresh_token.expose_secret().is_empty() {
            return Err(TikTokError::InvalidArgument(
                "the refresh token is empty".to_owned(),
            ));
        }
        let config = &self.inner.config;
        let form = [
            ("client_key", config.client_key.as_str()),
            ("client_secret", config.client_secret.expose_secret()),
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.expose_secret()),
        ];
        self.token_call(&form, Grant::RefreshToken).await
    }

    /// Revokes the grant behind `access_token` (TikTok disconnects the app;
    /// the refresh token dies with it). Best effort for the caller: an
    /// expired access token may not be revocable.
    pub async fn revoke(&self, access_token: &AccessToken) -> Result<(), TikTokError> {
        let config = &self.inner.config;
        let form = [
            ("client_key", config.client_key.as_str()),
            ("client_secret", config.client_secret.expose_secret()),
            ("token", access_token.expose_secret()),
        ];
        let url = self.inner.url(Endpoint::Revoke);
        self.inner
            .execute(
                Endpoint::Revoke,
                RetrySafety::Idempotent,
                |http| http.post(url.clone()).form(&form),
                |raw, _| parse_revoke(raw),
            )
            .await
    }

    /// `POST /v2/oauth/token/` with a form body.
    async fn token_call(
        &self,
        form: &[(&str, &str)],
        grant: Grant,
    ) -> Result<TokenSet, TikTokError> {
        let url = self.inner.url(Endpoint::Token);
        self.inner
            .execute(
                Endpoint::Token,
                RetrySafety::NotIdempotent,
                |http| http.post(url.clone()).form(form),
                |raw, sent_at| parse_token(raw, grant, sent_at),
            )
            .await
    }
}
