//! OpenID Connect and token introspection: `GET /.well-known/openid-configuration`,
//! `GET /v1/userinfo` (bearer), `GET /tokeninfo?access_token=`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use super::{count_and_apply_fault, field, query_pairs, token_of};
use crate::endpoint::Endpoint;
use crate::scope;
use crate::state::SandboxState;
use crate::wire::json_response;

/// `GET /.well-known/openid-configuration`, pointing at this sandbox.
pub(crate) async fn discovery(state: web::Data<SandboxState>) -> HttpResponse {
    let base = state.issuer();
    json_response(
        StatusCode::OK,
        &json!({
            "issuer": base,
            "authorization_endpoint": format!("{base}/o/oauth2/v2/auth"),
            "token_endpoint": format!("{base}/token"),
            "userinfo_endpoint": format!("{base}/v1/userinfo"),
            "revocation_endpoint": format!("{base}/revoke"),
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["HS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "claims_supported": ["aud", "email", "email_verified", "exp", "iat", "iss", "name", "sub"],
            "code_challenge_methods_supported": ["plain", "S256"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
        }),
    )
}

/// `GET /v1/userinfo`.
pub(crate) async fn user_info(
    state: web::Data<SandboxState>,
    request: HttpRequest,
) -> HttpResponse {
    if let Err(response) = count_and_apply_fault(&state, Endpoint::UserInfo).await {
        return response;
    }
    let pairs = query_pairs(&request);
    let bearer = token_of(&request, &pairs)
        .and_then(|token| state.auth.bearer(&token, state.clock.now()).ok());
    let Some(bearer) = bearer else {
        return json_response(
            StatusCode::UNAUTHORIZED,
            &json!({ "error": "invalid_request", "error_description": "Invalid Credentials" }),
        );
    };
    let account = &state.catalog.accounts[bearer.account];
    let mut body = json!({ "sub": account.sub });
    if bearer.has_scope(scope::EMAIL) {
        body["email"] = json!(account.spec.email);
        body["email_verified"] = json!(true);
    }
    if bearer.has_scope(scope::PROFILE) {
        body["name"] = json!(account.spec.name);
    }
    json_response(StatusCode::OK, &body)
}

/// `GET /tokeninfo?access_token=…`.
pub(crate) async fn token_info(
    state: web::Data<SandboxState>,
    request: HttpRequest,
) -> HttpResponse {
    if let Err(response) = count_and_apply_fault(&state, Endpoint::TokenInfo).await {
        return response;
    }
    let pairs = query_pairs(&request);
    let now = state.clock.now();
    let bearer = field(&pairs, "access_token").and_then(|token| state.auth.bearer(token, now).ok());
    let Some(bearer) = bearer else {
        return json_response(
            StatusCode::BAD_REQUEST,
            &json!({ "error": "invalid_token", "error_description": "Invalid Value" }),
        );
    };
    let account = &state.catalog.accounts[bearer.account];
    let mut body = json!({
        "azp": bearer.client_id,
        "aud": bearer.client_id,
        "sub": account.sub,
        "scope": bearer.scopes.join(" "),
        "exp": bearer.expires_at.timestamp().to_string(),
        "expires_in": (bearer.expires_at - now).num_seconds().max(0).to_string(),
        "access_type": "offline",
    });
    if bearer.has_scope(scope::EMAIL) {
        body["email"] = json!(account.spec.email);
        body["email_verified"] = json!("true");
    }
    json_response(StatusCode::OK, &body)
}
