//! The OpenAPI document served at `GET /api/openapi.json`: the platform's routes (this crate's
//! [`PlatformApi`]) merged with the TikTok routes' ([`crate::routes::RoutesApi`]).

use actix_web::{HttpResponse, get};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::{ErrorBody, ErrorDetail};
use crate::ops;

/// Name of the bearer security scheme; protected routes declare
/// `security(("bearer_auth" = []))`.
pub const BEARER_SCHEME: &str = "bearer_auth";

/// The platform's part of the document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "TikTok connect-and-sync API",
        description = "Connect creators' TikTok accounts, keep their analytics in sync, read them back. \
                       Errors are `{\"error\": {\"code\", \"message\"}}`."
    ),
    paths(ops::healthz, ops::readyz, ops::metrics, ops::dev_token, openapi_json),
    components(schemas(ErrorBody, ErrorDetail, ops::Status, ops::DevToken, ops::DevTokenRequest)),
    modifiers(&BearerAuth),
    tags(
        (name = "operations", description = "Health, readiness, metrics"),
        (name = "sandbox", description = "Only in sandbox mode"),
    )
)]
pub struct PlatformApi;

/// Adds the bearer security scheme.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER_SCHEME,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "HS256 JWT signed by the host product with JWT_SECRET; `sub` is the user id",
                    ))
                    .build(),
            ),
        );
    }
}

/// The whole document.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut document = PlatformApi::openapi();
    document.merge(crate::routes::RoutesApi::openapi());
    document
}

/// This document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "operations",
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json")))]
#[get("/api/openapi.json")]
pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(document())
}
