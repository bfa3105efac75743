//! Turns a panic in a handler into a JSON 500.
//!
//! Without this, actix lets the panic unwind through the worker: the connection is dropped and
//! the client sees an empty reply (or a reset), and the worker thread is restarted. Here the
//! handler's future is polled inside `catch_unwind`; the panic message still goes to stderr
//! through the panic hook, and the client gets `{"error":{"code":"internal",...}}` with
//! the usual security and CORS headers. State a handler shared with others (a `RefCell`, a
//! lock) may be left half-updated by the panic: handlers keep such state out of `AppState`.

use std::panic::AssertUnwindSafe;

use actix_web::Error;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
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
    // The request cannot be kept (a clone made before routing makes routing panic), so the
    // 500 travels as an `Err`: actix renders it with `ApiError`'s JSON, and the outer
    // middleware decorate it through response mappers.
    let path = request.path().to_owned();
    match AssertUnwindSafe(next.call(request)).catch_unwind().await {
        Ok(result) => result.map(ServiceResponse::map_into_boxed_body),
        Err(_panic) => {
            tracing::error!(
                path,
                "a request handler panicked; the panic message is on stderr"
            );
            Err(ApiError::internal("handler panicked").into())
        }
    }
}
