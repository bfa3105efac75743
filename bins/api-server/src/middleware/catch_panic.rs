//! Turns a panic in a handler into a JSON 500.
//!
//! Without this, actix lets the panic unwind through the worker: the connection is dropped and
//! the client sees an empty reply (or a reset), and the worker thread is restarted. Here the
//! handler's future is polled inside `catch_unwind`; the panic message still goes to stderr
//! through the panic hook, and the client gets `{"error":{"code":"internal_error",...}}`.

use std::panic::AssertUnwindSafe;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, ResponseError as _};
use futures::FutureExt as _;

use crate::error::ApiError;

/// Middleware function: wrap with `actix_web::middleware::from_fn(catch_panic)`.
///
/// # Errors
/// Whatever the inner service returns.
pub async fn catch_panic(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let http_request = request.request().clone();
    let route = request.match_pattern();
    match AssertUnwindSafe(next.call(request)).catch_unwind().await {
        Ok(result) => result.map(ServiceResponse::map_into_boxed_body),
        Err(_panic) => {
            tracing::error!(
                route = route.as_deref().unwrap_or(crate::metrics::UNMATCHED_ROUTE),
                "a request handler panicked; the panic message is on stderr"
            );
            let error = ApiError::internal("handler panicked");
            Ok(ServiceResponse::new(http_request, error.error_response()))
        }
    }
}
