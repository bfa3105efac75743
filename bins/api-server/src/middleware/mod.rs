//! The middleware stack, applied to every response (see [`crate::startup`] for the order).

pub mod body_timeout;
pub mod catch_panic;
pub mod cors;
pub mod json_errors;
pub mod request_log;
pub mod security_headers;

pub use security_headers::CspNonce;
