//! CORS for the frontend origins only (`APP_ORIGIN`, plus `http://127.0.0.1:PORT` in sandbox
//! mode). No credentials (the API uses bearer tokens, not cookies). Preflights from any other
//! origin are refused; simple requests from other origins are served without CORS headers, so
//! the browser withholds the response (refusing them outright would break same-origin requests
//! of the bundled UI, whose `Origin` is the server's own).

use actix_cors::Cors;
use actix_web::http::{Method, header};

use crate::config::AppOrigin;

/// How long a browser may cache a preflight answer, in seconds.
const PREFLIGHT_MAX_AGE_SECS: usize = 600;

/// The CORS middleware for `origins`.
pub fn cors(origins: &AppOrigin) -> Cors {
    origins
        .all()
        .fold(Cors::default(), |cors, origin| cors.allowed_origin(origin))
        .allowed_methods([Method::GET, Method::POST, Method::DELETE])
        .allowed_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT])
        .expose_headers([header::RETRY_AFTER])
        .block_on_origin_mismatch(false)
        .max_age(PREFLIGHT_MAX_AGE_SECS)
}
