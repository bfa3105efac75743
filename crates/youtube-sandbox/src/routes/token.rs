//! `POST /token` (reference section 3): `grant_type=authorization_code` (the code exchange)
//! and `grant_type=refresh_token`. The client authenticates with `client_id` and
//! `client_secret` in the form, or with HTTP Basic. Errors are
//! `{"error", "error_description"}`.

use actix_web::http::StatusCode;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;

use super::{count_and_apply_fault, field};
use crate::config::RegisteredClient;
use crate::endpoint::Endpoint;
use crate::grants::Issued;
use crate::id_token::{IdTokenClaims, sign};
use crate::scope;
use crate::state::SandboxState;
use crate::wire::{OAuthError, json_response};

/// `POST /token`.
pub(crate) async fn token(
    state: web::Data<SandboxState>,
    request: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let endpoint = match field(&pairs, "grant_type") {
        Some("refresh_token") => Endpoint::Refresh,
        _ => Endpoint::CodeExchange,
    };
    if let Err(response) = count_and_apply_fault(&state, endpoint).await {
        return response;
    }
    match answer(&state, &request, &pairs) {
        Ok(response) => response,
        Err(error) => {
            tracing::info!(error = error.error, "token request refused");
            error.to_response()
        }
    }
}

/// `(client_id, client_secret)` from HTTP Basic, if sent.
fn basic_credentials(request: &HttpRequest) -> Option<(String, String)> {
    let value = request.headers().get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

fn authenticate<'a>(
    state: &'a SandboxState,
    request: &HttpRequest,
    pairs: &[(String, String)],
) -> Result<&'a RegisteredClient, OAuthError> {
    let (client_id, secret) = match basic_credentials(request) {
        Some(credentials) => credentials,
        None => (
            field(pairs, "client_id")
                .ok_or_else(|| {
                    OAuthError::invalid_request("Missing required parameter: client_id")
                })?
                .to_owned(),
            field(pairs, "client_secret").unwrap_or_default().to_owned(),
        ),
    };
    let client = state
        .client(&client_id)
        .ok_or_else(|| OAuthError::invalid_client("The OAuth client was not found."))?;
    if client.client_secret != secret {
        return Err(OAuthError::invalid_client("Unauthorized"));
    }
    Ok(client)
}

fn answer(
    state: &SandboxState,
    request: &HttpRequest,
    pairs: &[(String, String)],
) -> Result<HttpResponse, OAuthError> {
    let grant_type = field(pairs, "grant_type")
        .ok_or_else(|| OAuthError::invalid_request("Missing required parameter: grant_type"))?;
    let client = authenticate(state, request, pairs)?;
    let now = state.clock.now();
    let issued = match grant_type {
        "authorization_code" => {
            let code = field(pairs, "code")
                .ok_or_else(|| OAuthError::invalid_request("Missing required parameter: code"))?;
            let redirect_uri = field(pairs, "redirect_uri").ok_or_else(|| {
                OAuthError::invalid_request("Missing required parameter: redirect_uri")
            })?;
            state.auth.exchange_code(
                &client.client_id,
                code,
                redirect_uri,
                field(pairs, "code_verifier"),
                client.publishing_status,
                now,
            )?
        }
        "refresh_token" => {
            let refresh_token = field(pairs, "refresh_token").ok_or_else(|| {
                OAuthError::invalid_request("Missing required parameter: refresh_token")
            })?;
            state.auth.refresh(&client.client_id, refresh_token, now)?
        }
        other => {
            return Err(OAuthError::new(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                format!("Invalid grant_type: {other}"),
            ));
        }
    };
    Ok(json_response(StatusCode::OK, &body(state, client, &issued)))
}

fn body(state: &SandboxState, client: &RegisteredClient, issued: &Issued) -> serde_json::Value {
    let mut body = json!({
        "access_token": issued.access_token,
        "expires_in": issued.expires_in,
        "scope": issued.scopes.join(" "),
        "token_type": "Bearer",
    });
    if let Some(refresh_token) = &issued.refresh_token {
        body["refresh_token"] = json!(refresh_token);
    }
    if let Some(seconds) = issued.refresh_expires_in {
        body["refresh_token_expires_in"] = json!(seconds);
    }
    let has = |wanted: &str| issued.scopes.iter().any(|granted| granted == wanted);
    if has(scope::OPENID) {
        let account = &state.catalog.accounts[issued.account];
        let issuer = state.issuer();
        body["id_token"] = json!(sign(
            &IdTokenClaims {
                issuer: &issuer,
                client_id: &client.client_id,
                sub: &account.sub,
                email: has(scope::EMAIL).then_some(account.spec.email.as_str()),
                name: has(scope::PROFILE).then_some(account.spec.name.as_str()),
                issued_at: state.clock.now(),
                lifetime_secs: issued.expires_in,
            },
            &client.client_secret,
        ));
    }
    body
}
