//! The API's error type and its wire format: `{"error": {"code": "snake_case", "message": "..."}}`,
//! the code one of [`ErrorCode`]'s.
//!
//! Handlers return `Result<_, ApiError>`; actix turns the error into the JSON response through
//! [`ResponseError`]. Framework errors (unknown route, wrong method, oversized or malformed
//! bodies, panics) reach the same format through the extractor configs in
//! [`crate::extract`] and the middleware in [`crate::middleware`].

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

pub use crate::error_code::ErrorCode;

/// A boxed error kept as the cause of [`ApiError::Internal`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything a route can answer besides success. Its status is always its code's
/// ([`ErrorCode::status`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// A refusal with its code and a message for humans.
    #[error("{message}")]
    Refused {
        /// Machine-readable code; it decides the status.
        code: ErrorCode,
        /// Human-readable explanation.
        message: String,
    },
    /// 400 `invalid_query`: a query parameter is missing or has a bad value.
    #[error("invalid query parameter `{parameter}`: {reason}")]
    InvalidQuery {
        /// The parameter's name (empty when the query string as a whole is malformed).
        parameter: String,
        /// What is wrong with it.
        reason: String,
    },
    /// 401 `unauthorized`: no valid bearer token. Answered with `WWW-Authenticate: Bearer`.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// 413 `payload_too_large`: the body is larger than the route accepts.
    #[error("request body too large (limit {limit} bytes)")]
    PayloadTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// 429 with `Retry-After`.
    #[error("{message}")]
    TooManyRequests {
        /// Machine-readable code, e.g. `sync_cooldown`.
        code: ErrorCode,
        /// Human-readable explanation.
        message: String,
        /// When the client may try again (rounded up to whole seconds).
        retry_after: Duration,
    },
    /// 500 `internal`: a bug or an unexpected failure. The cause is logged, the client learns
    /// nothing.
    #[error("internal error")]
    Internal(#[source] BoxError),
}

impl ApiError {
    /// A refusal with `code` (which decides the status).
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::Refused {
            code,
            message: message.into(),
        }
    }

    /// A 400 naming the offending query parameter.
    pub fn invalid_query(parameter: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::InvalidQuery {
            parameter: parameter.into(),
            reason: reason.into(),
        }
    }

    /// A 400 `invalid_body`.
    pub fn invalid_body(reason: impl Into<String>) -> Self {
        Self::new(
            ErrorCode::InvalidBody,
            format!("invalid request body: {}", reason.into()),
        )
    }

    /// A 404 `not_found`.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }

    /// A 405 `method_not_allowed`.
    pub fn method_not_allowed() -> Self {
        Self::new(ErrorCode::MethodNotAllowed, "method not allowed")
    }

    /// A 503 `database_unavailable`.
    pub fn database_unavailable(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::DatabaseUnavailable, message)
    }

    /// A 429 with `Retry-After`.
    pub fn too_many_requests(
        code: ErrorCode,
        message: impl Into<String>,
        retry_after: Duration,
    ) -> Self {
        Self::TooManyRequests {
            code,
            message: message.into(),
            retry_after,
        }
    }

    /// A 500 keeping `cause` for the log.
    pub fn internal(cause: impl Into<BoxError>) -> Self {
        Self::Internal(cause.into())
    }

    /// The machine-readable code sent to the client.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Refused { code, .. } | Self::TooManyRequests { code, .. } => *code,
            Self::InvalidQuery { .. } => ErrorCode::InvalidQuery,
            Self::Unauthorized(_) => ErrorCode::Unauthorized,
            Self::PayloadTooLarge { .. } => ErrorCode::PayloadTooLarge,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.code().status()
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Internal(cause) = self {
            tracing::error!(error = %ErrorChain(cause.as_ref()), "internal error");
        }
        let mut response = error_response(self.code(), &self.to_string());
        let headers = response.headers_mut();
        match self {
            Self::Unauthorized(_) => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            Self::TooManyRequests { retry_after, .. } => {
                let seconds = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
                headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
            }
            _ => {}
        }
        response
    }
}

/// Builds the JSON error response for `code` (at its status) and `message`.
pub fn error_response(code: ErrorCode, message: &str) -> HttpResponse {
    error_response_with_status(code.status(), code, message)
}

/// Builds the JSON error response for `code` at a given `status` (the framework's own
/// errors keep the status actix chose).
pub fn error_response_with_status(
    status: StatusCode,
    code: ErrorCode,
    message: &str,
) -> HttpResponse {
    HttpResponse::build(status).json(ErrorBody {
        error: ErrorDetail {
            code,
            message: message.to_owned(),
        },
    })
}

/// The body of every error response.
#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// The code and message of an error response.
#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, machine-readable, snake_case (`not_found`, `needs_reauth`, ...).
    pub code: ErrorCode,
    /// For humans; may change between versions.
    #[schema(example = "no TikTok account is connected")]
    pub message: String,
}

/// Displays an error followed by each of its sources, so the log shows the whole chain.
pub struct ErrorChain<'a>(pub &'a (dyn std::error::Error + 'static));

impl std::fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(cause) = source {
            write!(f, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use actix_web::body::to_bytes;

    use super::*;

    async fn body_of(
        error: ApiError,
    ) -> (
        StatusCode,
        serde_json::Value,
        actix_web::http::header::HeaderMap,
    ) {
        let response = error.error_response();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = to_bytes(response.into_body()).await.expect("body");
        let json = serde_json::from_slice(&bytes).expect("JSON body");
        (status, json, headers)
    }

    #[actix_web::test]
    async fn pins_the_wire_format() {
        let (status, json, _) =
            body_of(ApiError::invalid_query("days", "must be between 1 and 365")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            json,
            serde_json::json!({"error": {
                "code": "invalid_query",
                "message": "invalid query parameter `days`: must be between 1 and 365"
            }})
        );
    }

    #[actix_web::test]
    async fn statuses_and_codes() {
        let cases = [
            (
                ApiError::new(ErrorCode::InvalidState, "x"),
                400,
                "invalid_state",
            ),
            (ApiError::invalid_body("x"), 400, "invalid_body"),
            (ApiError::Unauthorized("x"), 401, "unauthorized"),
            (ApiError::new(ErrorCode::Forbidden, "x"), 403, "forbidden"),
            (ApiError::not_found("x"), 404, "not_found"),
            (ApiError::method_not_allowed(), 405, "method_not_allowed"),
            (
                ApiError::PayloadTooLarge { limit: 1 },
                413,
                "payload_too_large",
            ),
            (
                ApiError::new(ErrorCode::UnsupportedMediaType, "x"),
                415,
                "unsupported_media_type",
            ),
            (
                ApiError::new(ErrorCode::NeedsReauth, "x"),
                409,
                "needs_reauth",
            ),
            (
                ApiError::database_unavailable("x"),
                503,
                "database_unavailable",
            ),
            (
                ApiError::new(ErrorCode::TiktokUnavailable, "x"),
                502,
                "tiktok_unavailable",
            ),
        ];
        for (error, status, code) in cases {
            let (actual, json, _) = body_of(error).await;
            assert_eq!(actual.as_u16(), status);
            assert_eq!(json["error"]["code"], code);
        }
    }

    #[actix_web::test]
    async fn unauthorized_asks_for_a_bearer_token() {
        let (_, _, headers) = body_of(ApiError::Unauthorized("missing bearer token")).await;
        assert_eq!(
            headers.get(header::WWW_AUTHENTICATE).expect("header"),
            "Bearer"
        );
    }

    #[actix_web::test]
    async fn too_many_requests_rounds_retry_after_up() {
        let error = ApiError::too_many_requests(
            ErrorCode::SyncCooldown,
            "wait",
            Duration::from_millis(120_500),
        );
        let (status, json, headers) = body_of(error).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(json["error"]["code"], "sync_cooldown");
        assert_eq!(headers.get(header::RETRY_AFTER).expect("header"), "121");
    }

    #[actix_web::test]
    async fn internal_hides_the_cause() {
        let cause = std::io::Error::other("password=hunter2 in connection string");
        let (status, json, _) = body_of(ApiError::internal(cause)).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            json,
            serde_json::json!({"error": {"code": "internal", "message": "internal error"}})
        );
    }

    #[test]
    fn error_chain_walks_sources() {
        #[derive(Debug, thiserror::Error)]
        #[error("outer")]
        struct Outer(#[source] std::io::Error);
        let error = Outer(std::io::Error::other("inner"));
        assert_eq!(ErrorChain(&error).to_string(), "outer: inner");
    }
}
