//! `POST /api/oauth/access_token` (URL-encoded or multipart form): code -> short-lived token
//! (reference section 3.1), in the
//! `data[]`-wrapped or the flat shape, with the flat error shape.

use actix_web::http::StatusCode;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::form::read_form;
use super::{count_and_apply_fault, first_value};
use crate::config::TokenResponseShape;
use crate::endpoint::Endpoint;
use crate::state::SandboxState;
use crate::wire::{FlatError, json_response};

/// `POST /api/oauth/access_token`, form-encoded.
pub(crate) async fn exchange_code(
    state: web::Data<SandboxState>,
    request: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    if let Err(response) = count_and_apply_fault(&state, Endpoint::CodeExchange).await {
        return response;
    }
    let content_type = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok());
    match exchange(&state, content_type, &body) {
        Ok(body) => json_response(StatusCode::OK, &body),
        Err(error) => {
            tracing::info!(message = error.message, "code exchange refused");
            error.to_response()
        }
    }
}

fn exchange(
    state: &SandboxState,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<Value, FlatError> {
    let form = read_form(content_type, body).map_err(FlatError::oauth)?;
    let field = |name| first_value(&form, name).filter(|value| !value.is_empty());
    let client_id =
        field("client_id").ok_or_else(|| FlatError::oauth("Missing client_id parameter."))?;
    let app = state
        .app(client_id)
        .ok_or_else(|| FlatError::oauth("Invalid platform app"))?;
    if field("client_secret") != Some(app.app_secret.as_str()) {
        return Err(FlatError::oauth("Error validating client secret."));
    }
    match field("grant_type") {
        Some("authorization_code") => {}
        Some(_) => return Err(FlatError::oauth("Unsupported grant_type.")),
        None => return Err(FlatError::oauth("Missing grant_type parameter.")),
    }
    let redirect_uri =
        field("redirect_uri").ok_or_else(|| FlatError::oauth("Missing redirect_uri parameter."))?;
    let code = field("code").ok_or_else(|| FlatError::oauth("Missing code parameter."))?;
    let (token, account, scopes) =
        state
            .auth
            .exchange_code(client_id, code, redirect_uri, state.clock.now())?;
    let app_scoped_id = &state.catalog.accounts[account].app_scoped_id;
    let permissions = scopes.join(",");
    Ok(match state.config.token_shape {
        TokenResponseShape::Wrapped => json!({
            "data": [{
                "access_token": token,
                "user_id": app_scoped_id,
                "permissions": permissions,
            }]
        }),
        // The reference page's shape: `user_id` a JSON number (16 digits: above 2^53, so a
        // client that goes through f64 gets it wrong).
        TokenResponseShape::Flat => {
            let number: Value = serde_json::from_str(app_scoped_id).unwrap_or(json!(app_scoped_id));
            json!({ "access_token": token, "user_id": number, "permissions": permissions })
        }
    })
}
