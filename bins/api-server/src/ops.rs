//! The platform's own routes: health, readiness, metrics and the sandbox's token endpoint.

use actix_web::http::Method;
use actix_web::http::header::ContentType;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiError, ErrorCode};
use crate::openapi::errors::error_responses;
use crate::route_table::RouteTable;
use crate::state::AppState;

/// User id of the token `POST /api/dev/token` issues when no body is sent.
pub const DEMO_USER_ID: &str = "demo-user";
/// Lifetime of development tokens.
pub const DEV_TOKEN_LIFETIME_HOURS: i64 = 24;
/// Longest user id accepted by `POST /api/dev/token`.
const MAX_USER_ID_LEN: usize = 128;

/// Adds the routes of this module; `/api/dev/token` only when `sandbox` is true.
pub fn register(table: &mut RouteTable, sandbox: bool) {
    table
        .add(Method::GET, "/healthz", healthz)
        .add(Method::GET, "/readyz", readyz)
        .add(Method::GET, "/metrics", metrics);
    if sandbox {
        table.add(Method::POST, "/api/dev/token", dev_token);
    }
}

/// Body of `GET /healthz` (`ok`) and `GET /readyz` (`ready`).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Status {
    /// `ok` (alive) or `ready` (dependencies answer).
    #[schema(example = "ok")]
    pub status: String,
}

fn status(text: &str) -> HttpResponse {
    HttpResponse::Ok().json(Status {
        status: text.into(),
    })
}

error_responses!(
    /// What `GET /healthz`, `GET /metrics` can fail with.
    OperationErrors: Internal
);
error_responses!(
    /// What `GET /readyz` can answer besides ready.
    ReadinessErrors: DatabaseUnavailable, Internal
);
error_responses!(
    /// What `POST /api/dev/token` can refuse with.
    DevTokenErrors: InvalidBody, InvalidUserId, NotFound, PayloadTooLarge, Internal
);

/// Liveness: the process is up and serving.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "The process is up", body = Status), OperationErrors))]
pub async fn healthz() -> HttpResponse {
    status("ok")
}

/// Readiness: the dependencies (the database) answer.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, description = "Ready to serve", body = Status),
        ReadinessErrors,
    ))]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    match state.readiness.check().await {
        Ok(()) => Ok(status("ready")),
        Err(not_ready) => {
            tracing::warn!(
                component = not_ready.component,
                reason = %not_ready.reason,
                "readiness check failed"
            );
            Err(ApiError::database_unavailable(format!(
                "{} is unavailable",
                not_ready.component
            )))
        }
    }
}

/// Prometheus metrics in text format.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses(
        (status = 200, description = "Prometheus text exposition format", content_type = "text/plain", body = String),
        OperationErrors,
    ))]
pub async fn metrics(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let text = state.metrics.render().map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type(ContentType(prometheus_text_type()))
        .body(text))
}

fn prometheus_text_type() -> actix_web::mime::Mime {
    prometheus::TEXT_FORMAT
        .parse()
        .unwrap_or(actix_web::mime::TEXT_PLAIN_UTF_8)
}

/// Optional body of `POST /api/dev/token`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DevTokenRequest {
    /// The user to issue a token for (default `demo-user`).
    #[schema(example = "demo-user")]
    pub user_id: Option<String>,
}

/// A development bearer token.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DevToken {
    /// The HS256 JWT to send as `Authorization: Bearer <token>`.
    pub token: String,
    /// Its subject.
    #[schema(example = "demo-user")]
    pub user_id: String,
    /// Its expiry.
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for DevToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevToken")
            .field("user_id", &self.user_id)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// Sandbox mode only: a 24-hour bearer token for `demo-user`, or for the `userId` in the
/// optional JSON body. Absent (404) outside sandbox mode.
#[utoipa::path(post, path = "/api/dev/token", tag = "sandbox",
    request_body(content = Option<DevTokenRequest>, description = "Optional; defaults to demo-user"),
    responses(
        (status = 200, description = "A token", body = DevToken),
        DevTokenErrors,
    ))]
pub async fn dev_token(
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<web::Json<DevToken>, ApiError> {
    let issuer = state
        .dev_tokens
        .as_ref()
        .ok_or_else(|| ApiError::not_found("no such resource"))?;
    let user_id = requested_user(&body)?;
    let issued = issuer
        .issue(&user_id, chrono::Duration::hours(DEV_TOKEN_LIFETIME_HOURS))
        .map_err(ApiError::internal)?;
    tracing::info!(user_id = %issued.user_id, "issued a development token");
    Ok(web::Json(DevToken {
        token: secrecy::ExposeSecret::expose_secret(&issued.token).to_owned(),
        user_id: issued.user_id,
        expires_at: issued.expires_at,
    }))
}

/// The user id asked for, `demo-user` for an empty body.
fn requested_user(body: &[u8]) -> Result<String, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(DEMO_USER_ID.into());
    }
    let request: DevTokenRequest =
        serde_json::from_slice(body).map_err(|error| ApiError::invalid_body(error.to_string()))?;
    let Some(user_id) = request.user_id else {
        return Ok(DEMO_USER_ID.into());
    };
    let valid = !user_id.is_empty()
        && user_id.len() <= MAX_USER_ID_LEN
        && user_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'));
    if !valid {
        return Err(ApiError::new(
            ErrorCode::InvalidUserId,
            format!("userId must be 1 to {MAX_USER_ID_LEN} letters, digits, `-`, `_`, `.` or `@`"),
        ));
    }
    Ok(user_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_token_user_selection() {
        assert_eq!(requested_user(b"").expect("empty"), DEMO_USER_ID);
        assert_eq!(requested_user(b"{}").expect("no id"), DEMO_USER_ID);
        assert_eq!(
            requested_user(br#"{"userId":"alice"}"#).expect("alice"),
            "alice"
        );
        assert!(matches!(
            requested_user(br#"{"userId":"a b"}"#),
            Err(ApiError::Refused {
                code: ErrorCode::InvalidUserId,
                ..
            })
        ));
        assert!(matches!(
            requested_user(b"{"),
            Err(ApiError::Refused {
                code: ErrorCode::InvalidBody,
                ..
            })
        ));
    }
}
