//! The API contract host products generate clients from: the OpenAPI document the server
//! serves is valid OpenAPI 3.1, documents every route the server serves (every platform's)
//! and nothing else, with its error answers; and the document `api-server openapi` prints
//! (the TypeScript types' source) is the one served.
//!
//! `checks` holds the checks; `catches` shows each one refusing a document broken the way it
//! looks for, so a check that stopped working would fail here rather than pass everything.
#![allow(clippy::unwrap_used)]

mod catches;
mod checks;
mod server;

use serde_json::Value;

use crate::checks::{document_problems, route_differences};

/// Fails with every problem listed.
#[track_caller]
fn assert_none(what: &str, problems: &[String]) {
    assert!(problems.is_empty(), "{what}:\n  {}", problems.join("\n  "));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_served_document_is_valid_openapi_3_1_with_every_error_answer() {
    let server = server::Sandbox::spawn().await;
    let document = server.document().await;
    assert!(
        document["openapi"].as_str().unwrap().starts_with("3.1."),
        "{}",
        document["openapi"]
    );
    assert_none("the served document", &document_problems(&document));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_served_is_documented_and_every_documented_route_served() {
    let server = server::Sandbox::spawn().await;
    let document = server.document().await;
    let routes = server.routes();
    assert_none(
        "the routes and the document differ",
        &route_differences(&routes, &document),
    );
    // Every platform the server runs is in it (the comparison covers them whatever they
    // are; this says it compared something for each).
    let platforms = server.platforms();
    assert!(platforms.len() >= 2, "{platforms:?}");
    for platform in platforms {
        let connect = format!("/api/auth/{platform}/connect");
        assert!(
            routes.iter().any(|route| route.path == connect),
            "{connect} is not served"
        );
    }
    // One route per method and path: the table would register a second one silently.
    let mut unique = routes.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), routes.len(), "a route is registered twice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_printed_document_is_the_served_one() {
    let server = server::Sandbox::spawn().await;
    let served = server.document().await;
    let printed: Value =
        serde_json::to_value(api_server::openapi::sandbox_document().await.unwrap()).unwrap();
    assert_eq!(printed, served);
}
