//! Error bodies in Meta's documented shapes (reference sections 3.1 and 5.4), built from our
//! own JSON, never from a client's types.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use rand::Rng as _;
use rand::distributions::Alphanumeric;
use serde_json::{Map, Value, json};

/// A random `fbtrace_id` (11 characters, as in Meta's examples).
pub(crate) fn new_fbtrace_id() -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(11)
        .map(char::from)
        .collect()
}

/// A Graph API error: `{"error": {message, type, code, error_subcode?, is_transient?,
/// fbtrace_id}}`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct GraphError {
    pub(crate) status: StatusCode,
    pub(crate) code: u32,
    pub(crate) subcode: Option<u32>,
    pub(crate) error_type: String,
    pub(crate) message: String,
    pub(crate) is_transient: Option<bool>,
    pub(crate) error_user_title: Option<String>,
    pub(crate) error_user_msg: Option<String>,
}

impl GraphError {
    pub(crate) fn new(code: u32, error_type: &str, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code,
            subcode: None,
            error_type: error_type.to_owned(),
            message: message.into(),
            is_transient: None,
            error_user_title: None,
            error_user_msg: None,
        }
    }

    pub(crate) fn with_subcode(mut self, subcode: u32) -> Self {
        self.subcode = Some(subcode);
        self
    }

    pub(crate) fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    pub(crate) fn transient(mut self, transient: bool) -> Self {
        self.is_transient = Some(transient);
        self
    }

    /// 190 without subcode: a token that is not one of ours.
    pub(crate) fn invalid_token() -> Self {
        Self::new(
            190,
            "OAuthException",
            "Invalid OAuth access token - Cannot parse access token",
        )
    }

    /// 190/463: expired.
    pub(crate) fn token_expired(expired_at: &str, now: &str) -> Self {
        Self::new(
            190,
            "OAuthException",
            format!(
                "Error validating access token: Session has expired on {expired_at}. The current time is {now}."
            ),
        )
        .with_subcode(463)
    }

    /// 190/458: the user removed the app.
    pub(crate) fn app_removed(app_id: &str) -> Self {
        Self::new(
            190,
            "OAuthException",
            format!(
                "Error validating access token: The user has not authorized application {app_id}."
            ),
        )
        .with_subcode(458)
    }

    /// 190/460: the user changed their password.
    pub(crate) fn password_changed() -> Self {
        Self::new(
            190,
            "OAuthException",
            "Error validating access token: The session has been invalidated because the user \
             changed their password or Facebook has changed the session for security reasons.",
        )
        .with_subcode(460)
    }

    /// 100: an invalid parameter.
    pub(crate) fn invalid_parameter(message: impl Into<String>) -> Self {
        Self::new(100, "OAuthException", format!("(#100) {}", message.into()))
    }

    /// 100: a field the node does not have.
    pub(crate) fn unknown_field(field: &str, node: &str) -> Self {
        Self::new(
            100,
            "OAuthException",
            format!("(#100) Tried accessing nonexisting field ({field}) on node type ({node})"),
        )
    }

    /// 100/33: no such object (or not visible with this token).
    pub(crate) fn no_such_object(id: &str) -> Self {
        Self::new(
            100,
            "GraphMethodException",
            format!(
                "Unsupported get request. Object with ID '{id}' does not exist, cannot be loaded \
                 due to missing permissions, or does not support this operation."
            ),
        )
        .with_subcode(33)
    }

    /// 100: a method the path does not take.
    pub(crate) fn unsupported_method(method: &str) -> Self {
        Self::new(
            100,
            "GraphMethodException",
            format!("Unsupported request - method type: {method}"),
        )
    }

    /// 10: a permission the token lacks.
    pub(crate) fn permission_missing(scope: &str) -> Self {
        Self::new(
            10,
            "OAuthException",
            format!("(#10) Application does not have permission for this action ({scope})"),
        )
        .with_status(StatusCode::FORBIDDEN)
    }

    /// 10: a story with fewer than 5 viewers.
    pub(crate) fn not_enough_viewers() -> Self {
        Self::new(
            10,
            "OAuthException",
            "(#10) Not enough viewers for the media to show insights",
        )
    }

    /// 4/2108006: insights of media posted before the account became professional.
    pub(crate) fn before_conversion() -> Self {
        let mut error = Self::new(
            4,
            "OAuthException",
            "(#4) Insights data is not available for media posted before the account was \
             converted to a professional account",
        )
        .with_subcode(2_108_006);
        error.error_user_title = Some("Media Posted Before Business Account Conversion".into());
        error.error_user_msg =
            Some("The media was posted before the most recent time that the user's account was converted to a business account from a personal account.".into());
        error
    }

    /// 1, HTTP 500: "An unknown error has occurred."
    pub(crate) fn unknown() -> Self {
        Self::new(1, "OAuthException", "An unknown error has occurred.")
            .with_status(StatusCode::INTERNAL_SERVER_ERROR)
            .transient(true)
    }

    /// 2, HTTP 503: service temporarily unavailable.
    pub(crate) fn service_unavailable() -> Self {
        Self::new(
            2,
            "OAuthException",
            "An unexpected error has occurred. Please retry your request later.",
        )
        .with_status(StatusCode::SERVICE_UNAVAILABLE)
        .transient(true)
    }

    /// A rate-limit error of `code` (4, 17, 32, 613, 80002).
    pub(crate) fn throttled(code: u32, status: StatusCode) -> Self {
        let message = match code {
            4 => "(#4) Application request limit reached",
            17 => "(#17) User request limit reached",
            32 => "(#32) Page request limit reached",
            613 => "(#613) Calls to this api have exceeded the rate limit.",
            _ => {
                "(#80002) There have been too many calls to this Instagram account. Wait a bit and try again."
            }
        };
        Self::new(code, "OAuthException", message)
            .with_status(status)
            .transient(true)
    }

    pub(crate) fn body(&self) -> Value {
        let mut error = Map::new();
        error.insert("message".into(), json!(self.message));
        error.insert("type".into(), json!(self.error_type));
        error.insert("code".into(), json!(self.code));
        if let Some(subcode) = self.subcode {
            error.insert("error_subcode".into(), json!(subcode));
        }
        if let Some(transient) = self.is_transient {
            error.insert("is_transient".into(), json!(transient));
        }
        if let Some(title) = &self.error_user_title {
            error.insert("error_user_title".into(), json!(title));
        }
        if let Some(message) = &self.error_user_msg {
            error.insert("error_user_msg".into(), json!(message));
        }
        error.insert("fbtrace_id".into(), json!(new_fbtrace_id()));
        json!({ "error": error })
    }

    pub(crate) fn to_response(&self) -> HttpResponse {
        json_response(self.status, &self.body())
    }
}

/// The token endpoint's flat error: `{"error_type", "code", "error_message"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FlatError {
    pub(crate) code: u16,
    pub(crate) error_type: String,
    pub(crate) message: String,
}

impl FlatError {
    pub(crate) fn oauth(message: impl Into<String>) -> Self {
        Self {
            code: 400,
            error_type: "OAuthException".into(),
            message: message.into(),
        }
    }

    pub(crate) fn to_response(&self) -> HttpResponse {
        let status = StatusCode::from_u16(self.code)
            .ok()
            .filter(|status| status.is_client_error() || status.is_server_error())
            .unwrap_or(StatusCode::BAD_REQUEST);
        json_response(
            status,
            &json!({
                "error_type": self.error_type,
                "code": self.code,
                "error_message": self.message,
            }),
        )
    }
}

/// A JSON response.
pub(crate) fn json_response(status: StatusCode, body: &Value) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("application/json; charset=UTF-8")
        .body(body.to_string())
}

/// HTTP 200 with a truncated JSON body.
pub(crate) fn malformed_body() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json; charset=UTF-8")
        .body("{\"data\": [{\"id\": \"1784")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_errors_have_the_documented_fields() {
        let body = GraphError::token_expired("Sunday", "Monday").body();
        let error = &body["error"];
        assert_eq!(error["code"], 190);
        assert_eq!(error["error_subcode"], 463);
        assert_eq!(error["type"], "OAuthException");
        assert_eq!(error["fbtrace_id"].as_str().map(str::len), Some(11));
        assert!(
            GraphError::invalid_token().body()["error"]
                .get("error_subcode")
                .is_none()
        );
        assert_eq!(
            GraphError::unknown().status,
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
}
