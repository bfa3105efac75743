//! Makes the framework's own error responses JSON.
//!
//! actix answers an unmatched method (405), an oversized raw body (413), a bad path segment or
//! a rejected CORS request with an empty or `text/plain` body. This middleware rewrites any
//! 4xx/5xx response that is neither JSON nor HTML (the callback page is HTML on purpose) into
//! the API's `{"error": {...}}` format, keeping the status and the other headers. Errors that
//! travel as `Err` get the same treatment through a response mapper.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderMap};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse};

use crate::error::{ErrorCode, error_response_with_status};

/// Longest framework message copied into a 400's JSON message.
const MAX_MESSAGE_BYTES: usize = 512;

/// Middleware function: wrap with `actix_web::middleware::from_fn(json_errors)`.
///
/// # Errors
/// An error of the inner service, its response made JSON.
pub async fn json_errors(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    match next.call(request).await {
        Ok(response) => {
            let (request, response) = response.map_into_boxed_body().into_parts();
            Ok(ServiceResponse::new(request, jsonify(response)))
        }
        Err(mut error) => {
            error.add_response_mapper(jsonify);
            Err(error)
        }
    }
}

/// Rewrites a plain error response as JSON; returns any other response unchanged.
pub fn jsonify(response: HttpResponse) -> HttpResponse {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || !is_plain(response.headers()) {
        return response;
    }
    let (head, body) = response.into_parts();
    let detail = match body.try_into_bytes() {
        Ok(bytes) if status == StatusCode::BAD_REQUEST && bytes.len() <= MAX_MESSAGE_BYTES => {
            String::from_utf8_lossy(&bytes).into_owned()
        }
        _ => String::new(),
    };
    let mut json = describe(status, &detail);
    for (name, value) in head.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            json.headers_mut().append(name.clone(), value.clone());
        }
    }
    json
}

/// Whether a body is the framework's: empty or plain text.
fn is_plain(headers: &HeaderMap) -> bool {
    match headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    {
        None => true,
        Some(content_type) => content_type.starts_with("text/plain"),
    }
}

/// The JSON response for a framework error of `status`.
fn describe(status: StatusCode, detail: &str) -> HttpResponse {
    let code = ErrorCode::for_framework_status(status);
    let message = match code {
        ErrorCode::Unauthorized => "authentication required",
        ErrorCode::Forbidden => "not allowed",
        ErrorCode::NotFound => "no such resource",
        ErrorCode::MethodNotAllowed => "method not allowed on this route",
        ErrorCode::PayloadTooLarge => "request body too large",
        ErrorCode::UnsupportedMediaType => "unsupported content type",
        ErrorCode::TooManyRequests => "too many requests",
        ErrorCode::ServiceUnavailable => "service unavailable",
        ErrorCode::BadGateway => "upstream failure",
        ErrorCode::BadRequest if status == StatusCode::BAD_REQUEST => "the request is malformed",
        ErrorCode::BadRequest => "the request was refused",
        _ => "internal error",
    };
    let message = if detail.trim().is_empty() {
        message
    } else {
        detail.trim()
    };
    error_response_with_status(status, code, message)
}

#[cfg(test)]
mod tests {
    use actix_web::body::to_bytes;

    use super::*;

    async fn json_of(response: HttpResponse) -> serde_json::Value {
        let bytes = to_bytes(response.into_body()).await.expect("body");
        serde_json::from_slice(&bytes).expect("JSON")
    }

    #[actix_web::test]
    async fn rewrites_plain_errors_keeping_headers() {
        let plain = HttpResponse::MethodNotAllowed()
            .insert_header((header::ALLOW, "GET"))
            .finish();
        let json = jsonify(plain);
        assert_eq!(json.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(json.headers().get(header::ALLOW).expect("kept"), "GET");
        assert_eq!(
            json_of(json).await,
            serde_json::json!({"error": {"code": "method_not_allowed", "message": "method not allowed on this route"}})
        );
    }

    #[actix_web::test]
    async fn keeps_a_short_bad_request_message() {
        let plain = HttpResponse::BadRequest()
            .content_type("text/plain; charset=utf-8")
            .body("can not parse \"abc\" to a u32");
        let body = json_of(jsonify(plain)).await;
        assert_eq!(body["error"]["code"], "bad_request");
        assert_eq!(body["error"]["message"], "can not parse \"abc\" to a u32");
    }

    #[actix_web::test]
    async fn hides_server_error_text() {
        let plain = HttpResponse::InternalServerError()
            .content_type("text/plain")
            .body("connection to db.internal failed");
        let body = json_of(jsonify(plain)).await;
        assert_eq!(body["error"]["message"], "internal error");
    }

    #[test]
    fn html_json_and_successes_are_left_alone() {
        let html = HttpResponse::BadRequest()
            .content_type("text/html")
            .body("<p>no</p>");
        assert_eq!(
            jsonify(html)
                .headers()
                .get(header::CONTENT_TYPE)
                .expect("type"),
            "text/html"
        );
        let ok = HttpResponse::Ok().body("fine");
        assert!(
            jsonify(ok)
                .headers()
                .get(header::CONTENT_TYPE)
                .is_none_or(|t| t != "application/json")
        );
        let mut headers = HeaderMap::new();
        assert!(is_plain(&headers));
        headers.insert(
            header::CONTENT_TYPE,
            "application/json".parse().expect("value"),
        );
        assert!(!is_plain(&headers));
    }
}
