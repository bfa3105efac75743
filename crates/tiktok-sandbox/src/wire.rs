//! Response bodies in TikTok's documented wire format (reference sections 3, 4 and 5), built
//! from our own JSON, never from a client's types.

use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use actix_web::{HttpResponse, HttpResponseBuilder};
use serde_json::{Value, json};

/// TikTok also returns the log id in this header (observed).
pub(crate) const LOG_ID_HEADER: &str = "x-tt-logid";

/// An error of the OAuth endpoints: `{"error", "error_description", "log_id"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OAuthError {
    pub(crate) status: StatusCode,
    pub(crate) error: &'static str,
    pub(crate) description: String,
}

impl OAuthError {
    fn new(status: StatusCode, error: &'static str, description: impl Into<String>) -> Self {
        Self {
            status,
            error,
            description: description.into(),
        }
    }

    pub(crate) fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", description)
    }

    pub(crate) fn invalid_client(description: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_client", description)
    }

    pub(crate) fn invalid_grant(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_grant", description)
    }

    pub(crate) fn invalid_scope(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_scope", description)
    }

    pub(crate) fn unsupported_grant_type(description: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            description,
        )
    }

    pub(crate) fn unsupported_response_type(description: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "unsupported_response_type",
            description,
        )
    }

    pub(crate) fn server_error(status: StatusCode) -> Self {
        Self::new(
            status,
            "server_error",
            "The server encountered an unexpected error.",
        )
    }

    pub(crate) fn rate_limited() -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limit_exceeded",
            "The API rate limit was exceeded. Please try again later.",
        )
    }

    pub(crate) fn to_response(&self, log_id: &str) -> HttpResponse {
        json_response(
            self.status,
            log_id,
            &json!({
                "error": self.error,
                "error_description": self.description,
                "log_id": log_id,
            }),
        )
    }
}

/// The Display API's error codes (reference section 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DisplayErrorCode {
    AccessTokenInvalid,
    ScopeNotAuthorized,
    ScopePermissionMissed,
    InvalidParams,
    RateLimitExceeded,
    InternalError,
}

impl DisplayErrorCode {
    fn code(self) -> &'static str {
        match self {
            Self::AccessTokenInvalid => "access_token_invalid",
            Self::ScopeNotAuthorized => "scope_not_authorized",
            Self::ScopePermissionMissed => "scope_permission_missed",
            Self::InvalidParams => "invalid_params",
            Self::RateLimitExceeded => "rate_limit_exceeded",
            Self::InternalError => "internal_error",
        }
    }

    fn status(self) -> StatusCode {
        match self {
            Self::AccessTokenInvalid | Self::ScopeNotAuthorized | Self::ScopePermissionMissed => {
                StatusCode::UNAUTHORIZED
            }
            Self::InvalidParams => StatusCode::BAD_REQUEST,
            Self::RateLimitExceeded => StatusCode::TOO_MANY_REQUESTS,
            Self::InternalError => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// A Display API failure: code, message, and an optional status override (5xx faults).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DisplayError {
    pub(crate) code: DisplayErrorCode,
    pub(crate) message: String,
    pub(crate) status: Option<StatusCode>,
    pub(crate) retry_after_secs: Option<u64>,
}

impl DisplayError {
    pub(crate) fn new(code: DisplayErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            status: None,
            retry_after_secs: None,
        }
    }

    pub(crate) fn invalid_params(message: impl Into<String>) -> Self {
        Self::new(DisplayErrorCode::InvalidParams, message)
    }

    pub(crate) fn access_token_invalid() -> Self {
        Self::new(
            DisplayErrorCode::AccessTokenInvalid,
            "The access token is invalid or not found in the request.",
        )
    }

    pub(crate) fn with_status(mut self, status: StatusCode) -> Self {
        self.status = Some(status);
        self
    }

    pub(crate) fn with_retry_after(mut self, seconds: Option<u64>) -> Self {
        self.retry_after_secs = seconds;
        self
    }

    pub(crate) fn to_response(&self, log_id: &str) -> HttpResponse {
        let mut response = json_response(
            self.status.unwrap_or(self.code.status()),
            log_id,
            &json!({
                "data": {},
                "error": { "code": self.code.code(), "message": self.message, "log_id": log_id },
            }),
        );
        if let Some(seconds) = self.retry_after_secs {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// A Display API success: `{"data": ..., "error": {"code": "ok", "message": "", "log_id"}}`.
pub(crate) fn envelope_ok(data: Value, log_id: &str) -> HttpResponse {
    json_response(
        StatusCode::OK,
        log_id,
        &json!({
            "data": data,
            "error": { "code": "ok", "message": "", "log_id": log_id },
        }),
    )
}

/// A JSON response carrying the log id header.
pub(crate) fn json_response(status: StatusCode, log_id: &str, body: &Value) -> HttpResponse {
    with_log_id(&mut HttpResponse::build(status), log_id)
        .content_type("application/json")
        .body(body.to_string())
}

/// Sets `x-tt-logid` on a response being built.
pub(crate) fn with_log_id<'a>(
    builder: &'a mut HttpResponseBuilder,
    log_id: &str,
) -> &'a mut HttpResponseBuilder {
    if let Ok(value) = HeaderValue::from_str(log_id) {
        builder.insert_header((LOG_ID_HEADER, value));
    }
    builder
}

/// The malformed-body fault: HTTP 200, JSON content type, a body cut off mid-object.
pub(crate) fn malformed_body(log_id: &str) -> HttpResponse {
    with_log_id(&mut HttpResponse::Ok(), log_id)
        .insert_header((CONTENT_TYPE, "application/json"))
        .body("{\"data\": {\"user\": {\"open_id\": \"-000")
}

/// Adds `Retry-After` to a response when asked.
pub(crate) fn set_retry_after(response: &mut HttpResponse, seconds: Option<u64>) {
    if let Some(seconds) = seconds {
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(seconds));
    }
}

/// The custom-error fault's body: the Display API envelope or the OAuth error shape, with
/// any code and status.
pub(crate) fn custom_error(
    display_api: bool,
    status: StatusCode,
    code: &str,
    log_id: &str,
) -> HttpResponse {
    let message = "Injected error.";
    let body = if display_api {
        json!({
            "data": {},
            "error": { "code": code, "message": message, "log_id": log_id },
        })
    } else {
        json!({ "error": code, "error_description": message, "log_id": log_id })
    };
    json_response(status, log_id, &body)
}
