//! `POST /v2/oauth/token/`: code exchange and refresh (reference section 3).

use actix_web::http::StatusCode;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Map, Value, json};

use super::{count_and_apply_fault, first_value};
use crate::endpoint::Endpoint;
use crate::fault::Fault;
use crate::grants::IssuedTokens;
use crate::scope::format_scope_list;
use crate::state::SandboxState;
use crate::wire::{OAuthError, json_response};

/// Reads a form-encoded body; anything else (JSON included) is `invalid_request`.
pub(crate) fn read_form(
    request: &HttpRequest,
    body: &[u8],
) -> Result<Vec<(String, String)>, OAuthError> {
    let is_form = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value.split(';').next().is_some_and(|mime| {
                mime.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            })
        });
    if !is_form {
        return Err(OAuthError::invalid_request(
            "Content-Type must be application/x-www-form-urlencoded.",
        ));
    }
    serde_urlencoded::from_bytes(body)
        .map_err(|_| OAuthError::invalid_request("The body is not valid URL-encoded form data."))
}

/// Checks `client_key` and `client_secret` from the form.
pub(crate) fn authenticate_client<'a>(
    state: &SandboxState,
    form: &'a [(String, String)],
) -> Result<&'a str, OAuthError> {
    let client_key = first_value(form, "client_key")
        .filter(|key| !key.is_empty())
        .ok_or_else(|| OAuthError::invalid_client("client_key is required."))?;
    let secret = first_value(form, "client_secret").unwrap_or_default();
    match state.client(client_key) {
        Some(client) if client.client_secret == secret => Ok(client_key),
        _ => Err(OAuthError::invalid_client(
            "Client authentication failed: unknown client_key or wrong client_secret.",
        )),
    }
}

fn success_body(tokens: &IssuedTokens) -> Value {
    let mut body = Map::new();
    body.insert("access_token".into(), json!(tokens.access_token));
    body.insert("expires_in".into(), json!(tokens.expires_in));
    if let Some(refresh_token) = &tokens.refresh_token {
        body.insert("refresh_token".into(), json!(refresh_token));
    }
    body.insert(
        "refresh_expires_in".into(),
        json!(tokens.refresh_expires_in),
    );
    body.insert("open_id".into(), json!(tokens.open_id));
    body.insert("scope".into(), json!(format_scope_list(&tokens.scopes)));
    body.insert("token_type".into(), json!("Bearer"));
    Value::Object(body)
}

/// `POST /v2/oauth/token/`.
pub(crate) async fn token(
    state: web::Data<SandboxState>,
    request: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let form = read_form(&request, &body);
    let is_refresh = form
        .as_ref()
        .is_ok_and(|form| first_value(form, "grant_type") == Some("refresh_token"));
    let fault = match count_and_apply_fault(&state, Endpoint::Token, is_refresh).await {
        Ok(fault) => fault,
        Err(response) => return response,
    };
    let log_id = state.log_id();
    let outcome = form.and_then(|form| grant(&state, &form, fault.as_ref()));
    if fault == Some(Fault::RefreshAnswerHeld) {
        // Made (rotated) before it is held: the answer is what waits.
        state.faults.hold().await;
    }
    match outcome {
        Ok(tokens) => json_response(StatusCode::OK, &log_id, &success_body(&tokens)),
        Err(error) => {
            tracing::info!(error = error.error, log_id, "token request refused");
            error.to_response(&log_id)
        }
    }
}

fn grant(
    state: &SandboxState,
    form: &[(String, String)],
    fault: Option<&Fault>,
) -> Result<IssuedTokens, OAuthError> {
    let client_key = authenticate_client(state, form)?;
    let now = state.clock.now();
    match first_value(form, "grant_type") {
        Some("authorization_code") => {
            let code = first_value(form, "code")
                .filter(|code| !code.is_empty())
                .ok_or_else(|| OAuthError::invalid_request("code is required."))?;
            state.auth.exchange_code(
                client_key,
                code,
                first_value(form, "redirect_uri"),
                first_value(form, "code_verifier"),
                now,
            )
        }
        Some("refresh_token") => {
            let refresh_token = first_value(form, "refresh_token")
                .filter(|token| !token.is_empty())
                .ok_or_else(|| OAuthError::invalid_request("refresh_token is required."))?;
            if fault == Some(&Fault::RefreshInvalidGrant) {
                return Err(OAuthError::invalid_grant(
                    "Refresh token is invalid or expired.",
                ));
            }
            let omit = fault == Some(&Fault::RefreshWithoutRefreshToken);
            state.auth.refresh(client_key, refresh_token, now, omit)
        }
        Some(other) if !other.is_empty() => Err(OAuthError::unsupported_grant_type(format!(
            "grant_type {other:?} is not supported."
        ))),
        _ => Err(OAuthError::invalid_request("grant_type is required.")),
    }
}
