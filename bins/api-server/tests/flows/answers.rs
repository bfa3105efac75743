//! The answers are what the OpenAPI document says: with a creator connected on every platform
//! the server runs, each route's answers (successes and the refusals met on the way) have a
//! status the served document lists for that route, and a JSON body valid under the schema it
//! gives. A field typed wrongly (a count that can be null documented as a number, a property
//! the schema requires and the answer lacks) fails here, before a generated client meets it.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Flow, FlowOptions, TestDatabase};

const USER: &str = "contract-reader";

/// The schema the document gives for `method path` answering `status` with JSON (`None`: the
/// answer has no JSON body), or why there is none.
fn documented_schema(
    document: &Value,
    method: &str,
    path: &str,
    status: StatusCode,
) -> Result<Option<Value>, String> {
    let operation = &document["paths"][path][method.to_lowercase()];
    if operation.is_null() {
        return Err(format!("{method} {path} is not documented"));
    }
    let response = &operation["responses"][status.as_str()];
    if response.is_null() {
        return Err(format!("{method} {path} answered {status}, not documented"));
    }
    Ok(response["content"]["application/json"]
        .get("schema")
        .cloned())
}

/// Validates `body` under `schema`, resolving its `$ref`s in `document`'s components.
fn violations(document: &Value, schema: Value, body: &Value) -> Vec<String> {
    let mut root = match schema {
        Value::Object(map) => map,
        other => return vec![format!("schema is not an object: {other}")],
    };
    root.insert("components".to_owned(), document["components"].clone());
    let validator = jsonschema::validator_for(&Value::Object(root)).unwrap();
    validator
        .iter_errors(body)
        .map(|error| format!("{}: {error}", error.instance_path()))
        .collect()
}

/// Calls routes and checks each answer against the document, collecting what is wrong.
struct Checker<'a> {
    flow: &'a Flow,
    document: Value,
    problems: Vec<String>,
    /// JSON bodies validated under a schema.
    validated: usize,
}

impl Checker<'_> {
    /// Calls `method path` (with `token` when given) and checks the answer against the
    /// document; returns its status and body.
    async fn call(
        &mut self,
        method: &str,
        path_and_query: &str,
        token: Option<&str>,
    ) -> (StatusCode, Value) {
        let response = match token {
            Some(token) => self.flow.call(method, path_and_query, token).await,
            None => self
                .flow
                .client
                .request(method.parse().unwrap(), self.flow.url(path_and_query))
                .send()
                .await
                .unwrap(),
        };
        let status = response.status();
        let is_json = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with("application/json"));
        let text = response.text().await.unwrap();
        let body: Value = if is_json {
            serde_json::from_str(&text).unwrap()
        } else {
            Value::Null
        };
        let path = path_and_query.split('?').next().unwrap_or_default();
        let call = format!("{method} {path_and_query} ({status})");
        match documented_schema(&self.document, method, path, status) {
            Err(problem) => self.problems.push(problem),
            Ok(None) if is_json => self.problems.push(format!("{call}: JSON not documented")),
            Ok(None) => {}
            Ok(Some(_)) if !is_json => {
                self.problems
                    .push(format!("{call}: documented JSON, got {text}"));
            }
            Ok(Some(schema)) => {
                self.validated += 1;
                let found = violations(&self.document, schema, &body);
                self.problems.extend(
                    found
                        .into_iter()
                        .map(|violation| format!("{call}: {violation}")),
                );
            }
        }
        (status, body)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_is_valid_under_its_documented_schema() {
    let flow = FlowOptions::new()
        .spawn(TestDatabase::sqlite("flow.db"))
        .await;
    let token = flow.token(USER);
    let document = flow.get_json("/api/openapi.json", &token).await;
    let mut check = Checker {
        flow: &flow,
        document,
        problems: Vec::new(),
        validated: 0,
    };

    // Before anything is connected: empty reads, and the refusals of a missing connection
    // and a missing token.
    check.call("GET", "/api/analytics", Some(&token)).await;
    check.call("GET", "/api/tiktok/profile", Some(&token)).await;
    check.call("GET", "/api/connections", None).await;

    // One creator on every platform, each connected through its popup flow (and synced).
    let creator = flow.creator_with_videos(3);
    flow.connect_ok(&token, &creator.open_id).await;
    let account = flow.instagram_account("tiny.studio");
    flow.connect_instagram_ok(&token, &account.ig_user_id).await;
    flow.connect_youtube_ok(&token, "maya@sandbox.test").await;

    let (_, platforms) = check.call("GET", "/api/platforms", Some(&token)).await;
    let enabled: Vec<(String, String)> = platforms["platforms"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["state"] == "enabled")
        .map(|entry| {
            (
                entry["platform"].as_str().unwrap().to_owned(),
                entry["postsRoute"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(enabled.len() >= 3, "{platforms}");
    for (platform, posts) in &enabled {
        for (method, path) in [
            ("GET", format!("/api/auth/{platform}/connect")),
            ("GET", format!("/api/{platform}/profile")),
            ("GET", format!("/api/{platform}/{posts}?sort=views&limit=2")),
            ("GET", format!("/api/{platform}/{posts}?limit=0")),
            ("GET", format!("/api/{platform}/analytics?days=7")),
            ("GET", format!("/api/{platform}/sync-runs?limit=5")),
            // Just connected: inside the manual sync's cooldown.
            ("POST", format!("/api/auth/{platform}/sync")),
        ] {
            check.call(method, &path, Some(&token)).await;
        }
    }
    for path in [
        "/api/connections",
        "/api/analytics?days=7",
        "/api/analytics?days=0",
        "/api/webhooks/deliveries?limit=5",
        "/healthz",
        "/readyz",
    ] {
        check.call("GET", path, Some(&token)).await;
    }
    let (status, _) = check.call("POST", "/api/dev/token", None).await;
    assert_eq!(status, StatusCode::OK);

    // After a disconnect: the 204, then the platform's reads refuse.
    let (platform, _) = &enabled[0];
    let (status, _) = check
        .call(
            "DELETE",
            &format!("/api/auth/{platform}/disconnect"),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = check
        .call("GET", &format!("/api/{platform}/profile"), Some(&token))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], json!("not_connected"));

    // Every call above but the 204 answered JSON the document describes.
    let problems = check.problems;
    assert!(
        check.validated >= 30,
        "only {} bodies validated",
        check.validated
    );
    assert!(
        problems.is_empty(),
        "answers the document does not describe:\n  {}",
        problems.join("\n  ")
    );
}
