//! The TikTok routes (connect, callback, disconnect, sync, reads).
//!
//! Owned by the lead: this placeholder only fixes the two hooks the platform calls.
//! [`configure`] registers the handlers; [`RoutesApi`] lists their OpenAPI paths and schemas,
//! merged into the platform's document served at `/api/openapi.json`.

use utoipa::OpenApi;

/// Registers the TikTok routes on the app. Called once per worker by
/// [`crate::startup::Application`].
pub fn configure(_cfg: &mut actix_web::web::ServiceConfig) {}

/// The OpenAPI description of the routes registered by [`configure`].
#[derive(OpenApi)]
#[openapi()]
pub struct RoutesApi;
