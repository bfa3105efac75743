//! One log line and one metrics sample per request: method, route pattern, status, latency.
//!
//! The route is the matched *pattern* (`/api/tiktok/videos`), or for unmatched requests the
//! path alone. Never logged: the query string (the OAuth callback's carries the authorization
//! code and state), headers (`Authorization` carries the bearer token), bodies.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, web};
use tracing::Instrument as _;

use crate::metrics::UNMATCHED_ROUTE;
use crate::state::AppState;

/// Middleware function: wrap with `actix_web::middleware::from_fn(request_log)`.
///
/// # Errors
/// Whatever the inner service returns (logged as a 500 first).
pub async fn request_log(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.path().to_owned();
    let state = request.app_data::<web::Data<AppState>>().cloned();
    // Everything the handler logs carries the method and path (never the query string).
    let span = tracing::info_span!("http_request", method = %method, path = %path);
    let result = next.call(request).instrument(span).await;
    let latency = started.elapsed();
    let (status, pattern) = match &result {
        Ok(response) => (
            response.status().as_u16(),
            response.request().match_pattern(),
        ),
        Err(error) => (error.as_response_error().status_code().as_u16(), None),
    };
    let route = pattern.as_deref().unwrap_or(&path);
    tracing::info!(
        method = %method,
        route,
        status,
        latency_ms = latency.as_secs_f64() * 1000.0,
        "request served"
    );
    if let Some(state) = state {
        let label = pattern.as_deref().unwrap_or(UNMATCHED_ROUTE);
        state
            .metrics
            .record_http_request(label, method.as_str(), status, latency);
    }
    result
}
