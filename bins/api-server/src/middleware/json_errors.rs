//! Makes the framework's own error responses JSON.
//!
//! actix answers an unmatched method (405), an oversized raw body (413), a bad path segment or
//! a rejected CORS request with an empty or `text/plain` body. This middleware rewrites any
//! 4xx/5xx response that is neither JSON nor HTML (the callback page is HTML on purpose) into
//! the API's `{"error": {...}}` format, keeping the status and the other headers.

use actix_web::body::{BoxBody, MessageBody, to_bytes_limited};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderMap};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse};

use crate::error::error_response;

/// Longest framework message copied into a 400's JSON message.
const MAX_MESSAGE_BYTES: usize = 512;

/// Middleware function: wrap with `actix_web::middleware::from_fn(json_errors)`.
///
/// # Errors
/// Never: an error from the inner service becomes a JSON response.
pub async fn json_errors(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let http_request = request.request().clone();
    let response = match next.call(request).await {
        Ok(response) => response.map_into_boxed_body(),
        Err(error) => ServiceResponse::new(http_request, error.error_response()),
    };
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || !is_plain(response.headers()) {
        return Ok(response);
    }
    let (request, response) = response.into_parts();
    let (head, body) = response.into_parts();
    let detail = if status == StatusCode::BAD_REQUEST {
        match to_bytes_limited(body, MAX_MESSAGE_BYTES).await {
            Ok(Ok(bytes)) if !bytes.is_empty() => String::from_utf8_lossy(&bytes).into_owned(),
            _ => String::new(),
        }
    } else {
        String::new()
    };
    let mut json = describe(status, &detail);
    for (name, value) in head.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            json.headers_mut().append(name.clone(), value.clone());
        }
    }
    Ok(ServiceResponse::new(request, json))
}

/// Whether a body is the framework's: empty or plain text.
fn is_plain(headers: &HeaderMap) -> bool {
    match headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) {
        None => true,
        Some(content_type) => content_type.starts_with("text/plain"),
    }
}

/// The JSON response for a framework error of `status`.
fn describe(status: StatusCode, detail: &str) -> HttpResponse {
    let (code, message) = match status {
        StatusCode::BAD_REQUEST => ("bad_request", "the request is malformed"),
        StatusCode::UNAUTHORIZED => ("unauthorized", "authentication required"),
        StatusCode::FORBIDDEN => ("forbidden", "not allowed"),
        StatusCode::NOT_FOUND => ("not_found", "no such resource"),
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "method not allowed on this route"),
        StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "request body too large"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported_media_type", "unsupported content type"),
        StatusCode::TOO_MANY_REQUESTS => ("too_many_requests", "too many requests"),
        StatusCode::SERVICE_UNAVAILABLE => ("service_unavailable", "service unavailable"),
        StatusCode::BAD_GATEWAY => ("bad_gateway", "upstream failure"),
        status if status.is_client_error() => ("bad_request", "the request was refused"),
        _ => ("internal_error", "internal error"),
    };
    let message = if detail.is_empty() { message } else { detail };
    error_response(status, code, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_and_json_bodies_are_left_alone() {
        let mut headers = HeaderMap::new();
        assert!(is_plain(&headers));
        headers.insert(header::CONTENT_TYPE, "text/plain; charset=utf-8".parse().expect("value"));
        assert!(is_plain(&headers));
        headers.insert(header::CONTENT_TYPE, "text/html; charset=utf-8".parse().expect("value"));
        assert!(!is_plain(&headers));
        headers.insert(header::CONTENT_TYPE, "application/json".parse().expect("value"));
        assert!(!is_plain(&headers));
    }
}
