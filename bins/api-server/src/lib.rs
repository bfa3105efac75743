//! api-server: the HTTP platform of the TikTok connect-and-sync service.
//!
//! The binary (`main.rs`) only reads [`config::Config`], sets up `bootstrap::telemetry` and runs an
//! [`startup::Application`]; everything else lives here so integration tests can start the
//! real server on port 0.
#![warn(missing_docs)]

pub mod auth;
pub mod config;
pub mod error;
pub mod error_code;
pub mod extract;
pub mod metrics;
pub mod middleware;
pub mod openapi;
pub mod ops;
pub mod readiness;
pub mod route_table;
pub mod routes;
pub mod startup;
pub mod state;
pub mod static_files;
pub mod wiring;
