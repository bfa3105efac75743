//! `POST /v2/oauth/revoke/` (reference section 4).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use super::token::{authenticate_client, read_form};
use super::{count_and_apply_fault, first_value};
use crate::endpoint::Endpoint;
use crate::state::SandboxState;
use crate::webhook::RemovalReason;
use crate::wire::{OAuthError, json_response};

/// `POST /v2/oauth/revoke/`: form fields `client_key`, `client_secret`, `token` (the access
/// token). Success is HTTP 200 with `{}`.
pub(crate) async fn revoke(
    state: web::Data<SandboxState>,
    request: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    if let Err(response) = count_and_apply_fault(&state, Endpoint::Revoke, false).await {
        return response;
    }
    let log_id = state.log_id();
    let outcome = read_form(&request, &body).and_then(|form| {
        let client_key = authenticate_client(&state, &form)?;
        let token = first_value(&form, "token")
            .filter(|token| !token.is_empty())
            .ok_or_else(|| OAuthError::invalid_request("token is required."))?;
        state.auth.revoke(client_key, token, state.clock.now())
    });
    match outcome {
        Ok(revocation) => {
            // TikTok sends the app's own revocation back as a webhook, after answering.
            if state.webhooks.is_enabled() {
                let state = state.into_inner();
                tokio::spawn(async move {
                    state
                        .notify_removed(&revocation, RemovalReason::DeveloperRevoked)
                        .await;
                });
            }
            json_response(StatusCode::OK, &log_id, &json!({}))
        }
        Err(error) => {
            tracing::info!(error = error.error, log_id, "revoke refused");
            error.to_response(&log_id)
        }
    }
}
