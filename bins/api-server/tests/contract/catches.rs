//! Each check refuses a document broken the way it looks for. The documents are this API's,
//! made for two platforms without wiring anything, then broken one way each.

use api_server::error::ErrorCode;
use api_server::routes::PlatformRoutes;
use api_server::startup::api_routes;
use domain::Platform;
use serde_json::{Value, json};

use crate::checks::{
    document_problems, duplicate_operation_ids, error_response_problems, invalid_schema_objects,
    missing_schemas, parameter_problems, route_differences, specification_violations,
    undocumented_codes, unresolved_refs,
};

/// Two platforms, as their adapters describe them.
const PLATFORMS: [PlatformRoutes; 2] = [
    PlatformRoutes {
        platform: Platform::new("tiktok"),
        display_name: "TikTok",
        posts_route: "videos",
        callbacks: &[""],
    },
    PlatformRoutes {
        platform: Platform::new("instagram"),
        display_name: "Instagram",
        posts_route: "media",
        callbacks: &["deauthorize", "data-deletion"],
    },
];

fn document() -> Value {
    serde_json::to_value(api_server::openapi::document(&PLATFORMS)).unwrap()
}

#[test]
fn the_unbroken_document_passes_every_check() {
    let document = document();
    let problems = document_problems(&document);
    assert!(problems.is_empty(), "{problems:#?}");
    let routes = api_routes(true, &PLATFORMS);
    let differences = route_differences(routes.routes(), &document);
    assert!(differences.is_empty(), "{differences:#?}");
}

#[test]
fn a_limit_declared_in_the_path_is_refused() {
    // The bug this suite was written for: `limit` of `/api/webhooks/deliveries` in: path.
    let mut document = document();
    document["paths"]["/api/webhooks/deliveries"]["get"]["parameters"][0]["in"] = json!("path");
    let problems = parameter_problems(&document);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("`limit` is not in the path")),
        "{problems:?}"
    );
    // The specification's schema refuses it too (a path parameter must be required).
    assert!(!specification_violations(&document).is_empty());
}

#[test]
fn a_path_variable_without_its_parameter_is_refused() {
    let mut document = document();
    document["paths"]["/api/data-deletion/{code}"]["get"]["parameters"] = json!([]);
    let problems = parameter_problems(&document);
    assert_eq!(
        problems,
        ["GET /api/data-deletion/{code}: `{code}` has no path parameter"]
    );
}

#[test]
fn a_document_the_specification_refuses_is_refused() {
    let mut broken = document();
    broken.as_object_mut().unwrap().remove("info");
    assert!(!specification_violations(&broken).is_empty());

    let mut broken = document();
    broken["paths"]["/healthz"]["get"]["responses"] = json!(["200"]);
    assert!(!specification_violations(&broken).is_empty());

    let mut broken = document();
    broken["openapi"] = json!("3.0.3");
    assert!(!specification_violations(&broken).is_empty());
}

#[test]
fn a_schema_that_is_not_json_schema_is_refused() {
    let mut document = document();
    document["components"]["schemas"]["ErrorBody"]["type"] = json!("objekt");
    let problems = invalid_schema_objects(&document);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].starts_with("/components/schemas/ErrorBody"));
}

#[test]
fn a_reference_to_nothing_is_refused() {
    let mut document = document();
    document["components"]["schemas"]
        .as_object_mut()
        .unwrap()
        .remove("ErrorCode");
    let problems = unresolved_refs(&document);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("#/components/schemas/ErrorCode")),
        "{problems:?}"
    );
}

#[test]
fn a_json_body_without_a_schema_is_refused() {
    let mut document = document();
    document["paths"]["/api/connections"]["get"]["responses"]["200"]["content"]["application/json"]
        .as_object_mut()
        .unwrap()
        .remove("schema");
    assert_eq!(
        missing_schemas(&document),
        ["GET /api/connections: the 200 answer has no schema"]
    );
}

#[test]
fn an_operation_id_used_twice_is_refused() {
    let mut document = document();
    document["paths"]["/readyz"]["get"]["operationId"] = json!("healthz");
    assert_eq!(duplicate_operation_ids(&document).len(), 1);
}

#[test]
fn error_answers_must_name_their_codes_and_keep_the_usual_ones() {
    let problems = |edit: &dyn Fn(&mut Value)| {
        let mut document = document();
        edit(&mut document);
        error_response_problems(&document)
    };
    let sync = "/api/auth/tiktok/sync";
    // Codes unnamed.
    let found = problems(&|d| {
        d["paths"][sync]["post"]["responses"]["409"]
            .as_object_mut()
            .unwrap()
            .remove("x-error-codes");
    });
    assert_eq!(
        found,
        ["POST /api/auth/tiktok/sync 409: no `x-error-codes`"]
    );
    // A code under another status than its own.
    let found = problems(&|d| {
        d["paths"][sync]["post"]["responses"]["409"]["x-error-codes"] = json!(["sync_cooldown"]);
    });
    assert_eq!(
        found,
        ["POST /api/auth/tiktok/sync 409: `sync_cooldown` is answered with 429, not 409"]
    );
    // Not an ErrorBody.
    let found = problems(&|d| {
        d["paths"][sync]["post"]["responses"]["409"]["content"]["application/json"]["schema"] =
            json!({"type": "string"});
    });
    assert_eq!(
        found,
        ["POST /api/auth/tiktok/sync 409: the body is not an ErrorBody"]
    );
    // The 500 every route can answer, and the 401 of a route behind the token.
    let found = problems(&|d| {
        let responses = d["paths"][sync]["post"]["responses"]
            .as_object_mut()
            .unwrap();
        responses.remove("500");
        responses.remove("401");
    });
    assert_eq!(found.len(), 2, "{found:?}");
    // The 400 of a read with a query.
    let found = problems(&|d| {
        d["paths"]["/api/tiktok/videos"]["get"]["responses"]
            .as_object_mut()
            .unwrap()
            .remove("400");
    });
    assert_eq!(
        found,
        ["GET /api/tiktok/videos: documents none of [InvalidQuery]"]
    );
}

#[test]
fn a_code_no_response_names_is_reported() {
    let mut document = document();
    document["components"]["responses"]
        .as_object_mut()
        .unwrap()
        .remove("method_not_allowed");
    assert_eq!(undocumented_codes(&document), [ErrorCode::MethodNotAllowed]);
}

#[test]
fn a_route_added_without_documentation_is_refused() {
    let document = document();
    let mut table = api_routes(true, &PLATFORMS);
    table.add(
        actix_web::http::Method::GET,
        "/api/undocumented",
        || async { "" },
    );
    assert_eq!(
        route_differences(table.routes(), &document),
        ["served, not documented: GET /api/undocumented"]
    );
    // And a documented route no longer served: the document for a platform the server does
    // not run.
    let routes = api_routes(true, &PLATFORMS[..1]);
    let differences = route_differences(routes.routes(), &document);
    assert!(
        differences
            .iter()
            .any(|d| d == "documented, not served: GET /api/instagram/media"),
        "{differences:?}"
    );
}
