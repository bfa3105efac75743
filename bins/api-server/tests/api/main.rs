//! Integration tests of the HTTP platform, over real sockets: one binary, one module per area.
#![allow(clippy::unwrap_used)]

mod auth;
mod cors;
mod errors;
mod helpers;
mod logs;
mod ops;
mod security_headers;
mod static_ui;
