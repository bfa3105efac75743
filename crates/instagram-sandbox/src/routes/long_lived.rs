//! The Graph host's token endpoints (reference sections 3.2 and 3.3): the long-lived
//! exchange and the refresh, both GET, unversioned or versioned.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use serde_json::json;

use super::graph::token_of;
use super::{count_and_apply_fault, first_value};
use crate::endpoint::Endpoint;
use crate::grants::TokenKind;
use crate::scope::BASIC;
use crate::state::SandboxState;
use crate::wire::{GraphError, json_response};

/// `GET /access_token?grant_type=ig_exchange_token&client_secret=..&access_token=<short>`.
pub(crate) async fn exchange(
    state: &SandboxState,
    request: &HttpRequest,
    pairs: &[(String, String)],
) -> HttpResponse {
    if let Err(response) = count_and_apply_fault(state, Endpoint::LongLivedExchange).await {
        return response;
    }
    if first_value(pairs, "grant_type") != Some("ig_exchange_token") {
        return GraphError::invalid_parameter("grant_type must be ig_exchange_token").to_response();
    }
    let Some(app) =
        first_value(pairs, "client_secret").and_then(|secret| state.app_by_secret(secret))
    else {
        return GraphError::new(101, "OAuthException", "Error validating client secret.")
            .to_response();
    };
    let now = state.clock.now();
    let bearer =
        match token_of(request, pairs).map(|token| state.auth.bearer(&token, now)) {
            Some(Ok(bearer)) => bearer,
            Some(Err(error)) => return error.to_response(),
            None => return GraphError::new(
                2500,
                "OAuthException",
                "An active access token must be used to query information about the current user.",
            )
            .to_response(),
        };
    if bearer.app_id != app.app_id {
        return GraphError::new(101, "OAuthException", "Error validating client secret.")
            .to_response();
    }
    if bearer.kind != TokenKind::ShortLived {
        return GraphError::invalid_parameter("Only short-lived tokens can be exchanged")
            .to_response();
    }
    let issued = state.auth.issue_long_lived(bearer.grant, now);
    json_response(
        StatusCode::OK,
        &json!({ "access_token": issued.token, "token_type": "bearer", "expires_in": issued.expires_in }),
    )
}

/// `GET /refresh_access_token?grant_type=ig_refresh_token&access_token=<long-lived>`.
pub(crate) async fn refresh(
    state: &SandboxState,
    request: &HttpRequest,
    pairs: &[(String, String)],
) -> HttpResponse {
    if let Err(response) = count_and_apply_fault(state, Endpoint::Refresh).await {
        return response;
    }
    if first_value(pairs, "grant_type") != Some("ig_refresh_token") {
        return GraphError::invalid_parameter("grant_type must be ig_refresh_token").to_response();
    }
    let Some(token) = token_of(request, pairs) else {
        return GraphError::invalid_token().to_response();
    };
    let now = state.clock.now();
    match state.auth.bearer(&token, now) {
        Ok(bearer) if !bearer.has_scope(BASIC) => {
            return GraphError::permission_missing(BASIC).to_response();
        }
        Ok(_) => {}
        Err(error) => return error.to_response(),
    }
    match state.auth.refresh(&token, now) {
        Ok(issued) => json_response(
            StatusCode::OK,
            &json!({ "access_token": issued.token, "token_type": "bearer", "expires_in": issued.expires_in }),
        ),
        Err(error) => error.to_response(),
    }
}
