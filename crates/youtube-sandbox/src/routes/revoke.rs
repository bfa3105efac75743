//! `POST /revoke` (reference section 4): `token=` in the form body or the query. 200 on
//! success; 400 `invalid_token` for an unknown, expired or already revoked token.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use super::{count_and_apply_fault, field, query_pairs};
use crate::endpoint::Endpoint;
use crate::state::SandboxState;
use crate::wire::{OAuthError, json_response};

/// `POST /revoke`.
pub(crate) async fn revoke(
    state: web::Data<SandboxState>,
    request: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    if let Err(response) = count_and_apply_fault(&state, Endpoint::Revoke).await {
        return response;
    }
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let query = query_pairs(&request);
    let token = field(&form, "token").or_else(|| field(&query, "token"));
    let Some(token) = token else {
        return OAuthError::invalid_request("Missing required parameter: token").to_response();
    };
    match state.auth.revoke(token, state.clock.now()) {
        Ok(()) => {
            tracing::info!("token revoked by the app");
            json_response(StatusCode::OK, &json!({}))
        }
        Err(error) => error.to_response(),
    }
}
