//! The OpenAPI document served at `GET /api/openapi.json`: the HTTP platform's routes (this
//! crate's [`PlatformApi`]) merged with the product's ([`crate::routes::RoutesApi`]), whose
//! per-platform routes are described once, at TikTok's paths, and written out here for every
//! platform the server runs, at that platform's paths.

pub mod errors;
mod sandbox;

pub use sandbox::{SandboxDocumentError, sandbox_document};

use actix_web::http::Method;
use actix_web::{HttpResponse, web};
use utoipa::openapi::RefOr;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::{ErrorBody, ErrorCode, ErrorDetail};
use crate::ops;
use crate::route_table::RouteTable;
use crate::routes::PlatformRoutes;
use crate::routes::webhooks::RouteCallback;
use crate::state::AppState;

/// Name of the bearer security scheme; protected routes declare
/// `security(("bearer_auth" = []))`.
pub const BEARER_SCHEME: &str = "bearer_auth";

/// The platform's part of the document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Creator connect-and-sync API",
        description = "Connect creators' accounts (TikTok, Instagram, YouTube: `GET /api/platforms` says which \
                       this server runs), keep their analytics in sync, read them back. Errors are `{\"error\": {\"code\", \"message\"}}`: each operation lists \
                       its own; the framework's, possible on any route (an unknown path, a wrong \
                       method...), are the reusable responses of the components."
    ),
    paths(ops::healthz, ops::readyz, ops::metrics, ops::dev_token, openapi_json),
    components(schemas(ErrorBody, ErrorDetail, ErrorCode, ops::Status, ops::DevToken, ops::DevTokenRequest)),
    modifiers(&BearerAuth, &FrameworkErrors),
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

/// Adds the framework's error answers as reusable responses.
struct FrameworkErrors;

impl Modify for FrameworkErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.responses.extend(
            errors::framework_responses().map(|(name, response)| (name, RefOr::T(response))),
        );
    }
}

/// The platform whose paths the route annotations are written at.
const TEMPLATE: &str = "tiktok";
/// What the template platform calls its posts.
const TEMPLATE_POSTS: &str = "videos";
/// The template platform's name as shown.
const TEMPLATE_NAME: &str = "TikTok";

/// The whole document for a server running `platforms`.
pub fn document(platforms: &[PlatformRoutes]) -> utoipa::openapi::OpenApi {
    let mut document = PlatformApi::openapi();
    let mut routes = crate::routes::RoutesApi::openapi();
    let template = std::mem::take(&mut routes.paths.paths);
    for (path, item) in template {
        let Some(shape) = PathShape::of(&path) else {
            routes.paths.paths.insert(path, item);
            continue;
        };
        for platform in platforms {
            for (concrete, operation) in shape.paths_for(platform) {
                let mut item = for_platform(&item, platform, &operation);
                if matches!(shape, PathShape::Callback) {
                    describe_callback(&mut item, &operation);
                }
                routes.paths.paths.insert(concrete, item);
            }
        }
    }
    document.merge(routes);
    document
}

/// How a template path becomes a platform's.
enum PathShape {
    /// `/api/auth/tiktok/<action>` or `/api/tiktok/<read>`: one path per platform.
    Route { prefix: &'static str, rest: String },
    /// `/api/webhooks/tiktok`: one path per callback of each platform.
    Callback,
}

impl PathShape {
    fn of(path: &str) -> Option<Self> {
        if path == format!("/api/webhooks/{TEMPLATE}") {
            return Some(Self::Callback);
        }
        ["/api/auth/", "/api/"].into_iter().find_map(|prefix| {
            let rest = path.strip_prefix(prefix)?.strip_prefix(TEMPLATE)?;
            rest.starts_with('/').then(|| Self::Route {
                prefix,
                rest: rest.to_owned(),
            })
        })
    }

    /// The concrete paths for `platform`, each with the suffix of its operation id.
    fn paths_for(&self, platform: &PlatformRoutes) -> Vec<(String, String)> {
        let name = platform.platform.as_str();
        match self {
            Self::Route { prefix, rest } => {
                let rest = match rest.strip_prefix('/') {
                    Some(TEMPLATE_POSTS) => format!("/{}", platform.posts_route),
                    _ => rest.clone(),
                };
                vec![(format!("{prefix}{name}{rest}"), String::new())]
            }
            Self::Callback => platform
                .callbacks
                .iter()
                .map(|kind| {
                    let route = RouteCallback {
                        platform: platform.platform,
                        kind,
                    };
                    (route.path(), kind.replace('-', "_"))
                })
                .collect(),
        }
    }
}

/// The template `item` for `platform`: operation ids prefixed with the platform (and
/// suffixed with the callback's kind), and the template platform's name in the texts
/// replaced with this one's.
fn for_platform(
    item: &utoipa::openapi::path::PathItem,
    platform: &PlatformRoutes,
    operation_suffix: &str,
) -> utoipa::openapi::path::PathItem {
    let mut json = serde_json::to_value(item).unwrap_or_default();
    rewrite_texts(&mut json, platform.display_name);
    rewrite_outage_code(
        &mut json,
        ErrorCode::platform_unavailable(platform.platform),
    );
    let mut item: utoipa::openapi::path::PathItem =
        serde_json::from_value(json).unwrap_or_else(|_| item.clone());
    for operation in [
        &mut item.get,
        &mut item.post,
        &mut item.put,
        &mut item.delete,
        &mut item.patch,
    ]
    .into_iter()
    .flatten()
    {
        if let Some(id) = &operation.operation_id {
            let mut renamed = format!("{}_{id}", platform.platform);
            if !operation_suffix.is_empty() {
                renamed = format!("{renamed}_{operation_suffix}");
            }
            operation.operation_id = Some(renamed);
        }
    }
    item
}

/// Meta's callbacks (any kind but a platform's one webhook) are signed form posts, with no
/// signature header; a data deletion request is answered with its status URL and
/// confirmation code.
fn describe_callback(item: &mut utoipa::openapi::path::PathItem, kind: &str) {
    if kind.is_empty() {
        return;
    }
    let Ok(mut json) = serde_json::to_value(&*item) else {
        return;
    };
    if let Some(post) = json.get_mut("post") {
        if let Some(post) = post.as_object_mut() {
            post.remove("parameters");
        }
        post["requestBody"] = serde_json::json!({
            "description": "`signed_request=<signature>.<payload>`, signed with the app secret",
            "required": true,
            "content": {"application/x-www-form-urlencoded": {"schema": {
                "type": "object",
                "required": ["signed_request"],
                "properties": {"signed_request": {"type": "string"}}
            }}}
        });
        if kind == "data_deletion" {
            post["responses"]["200"] = serde_json::json!({
                "description": "The request's status page and confirmation code (the same for \
                                every delivery of one request)",
                "content": {"application/json": {"schema": {
                    "$ref": "#/components/schemas/DeletionAck"
                }}}
            });
        }
    }
    if let Ok(described) = serde_json::from_value(json) {
        *item = described;
    }
}

/// The template platform's outage code (`tiktok_unavailable`) is `outage` on this platform's
/// routes: in the texts and in the lists of codes.
fn rewrite_outage_code(value: &mut serde_json::Value, outage: ErrorCode) {
    let template = ErrorCode::TiktokUnavailable.as_str();
    match value {
        serde_json::Value::String(text) if text.contains(template) => {
            *text = text.replace(template, outage.as_str());
        }
        serde_json::Value::Object(map) => map
            .values_mut()
            .for_each(|value| rewrite_outage_code(value, outage)),
        serde_json::Value::Array(items) => items
            .iter_mut()
            .for_each(|value| rewrite_outage_code(value, outage)),
        _ => {}
    }
}

/// Replaces the template platform's name in every `summary` and `description`.
fn rewrite_texts(value: &mut serde_json::Value, display_name: &str) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                match value {
                    serde_json::Value::String(text) if key == "summary" || key == "description" => {
                        *text = text.replace(TEMPLATE_NAME, display_name);
                    }
                    other => rewrite_texts(other, display_name),
                }
            }
        }
        serde_json::Value::Array(items) => {
            for item in items {
                rewrite_texts(item, display_name);
            }
        }
        _ => {}
    }
}

/// Adds the route of this document.
pub fn register(table: &mut RouteTable) {
    table.add(Method::GET, "/api/openapi.json", openapi_json);
}

errors::error_responses!(
    /// What `GET /api/openapi.json` can fail with.
    DocumentErrors: Internal
);

/// The schema of this document as the answer of its own route: any JSON object (the OpenAPI
/// specification describes it; a generator needs only to know it is an object).
pub struct DocumentSchema;

impl utoipa::PartialSchema for DocumentSchema {
    fn schema() -> RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::Object)
            .additional_properties(Some(
                utoipa::openapi::schema::AdditionalProperties::FreeForm(true),
            ))
            .description(Some("An OpenAPI 3.1 document"))
            .into()
    }
}

impl utoipa::ToSchema for DocumentSchema {}

/// This document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "operations",
    responses(
        (status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json",
            body = inline(DocumentSchema)),
        DocumentErrors,
    ))]
pub async fn openapi_json(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(document(&state.platforms))
}
