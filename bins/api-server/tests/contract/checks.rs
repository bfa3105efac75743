//! Checks of an OpenAPI 3.1 document, each returning what it found wrong (empty: nothing).
//!
//! [`specification_violations`] validates the document against the specification's own JSON
//! Schema (vendored beside this file) with the `jsonschema` crate, and every Schema Object in
//! it against JSON Schema 2020-12. The other checks are the rules that schema cannot express
//! (a path parameter that is in the path, a `$ref` that resolves, unique operation ids) and
//! this API's own contract (every error answer is an `ErrorBody` naming its codes, every route
//! served is documented).

use std::collections::{BTreeMap, BTreeSet};

use api_server::error::ErrorCode;
use api_server::openapi::errors::{CALLBACK_CODES_EXTENSION, CODES_EXTENSION};
use api_server::route_table::ServedRoute;
use serde_json::Value;

/// The JSON Schema of OpenAPI 3.1 documents, as the OpenAPI Initiative publishes it
/// (`https://spec.openapis.org/oas/3.1/schema/2022-10-07`): Schema Objects are checked
/// separately, by [`invalid_schema_objects`].
const OAS_31_SCHEMA: &str = include_str!("oas-3.1-schema.json");

/// The operations' keys in a Path Item.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// One operation of the document.
pub struct Operation<'a> {
    /// `GET /api/tiktok/videos`, for messages.
    pub name: String,
    /// The path template.
    pub path: &'a str,
    /// The Path Item (for its shared parameters).
    pub item: &'a Value,
    /// The Operation Object.
    pub operation: &'a Value,
}

/// Every operation, in the document's order.
pub fn operations(document: &Value) -> Vec<Operation<'_>> {
    let mut found = Vec::new();
    let Some(paths) = document["paths"].as_object() else {
        return found;
    };
    for (path, item) in paths {
        for method in METHODS {
            if let Some(operation) = item.get(method) {
                found.push(Operation {
                    name: format!("{} {path}", method.to_uppercase()),
                    path,
                    item,
                    operation,
                });
            }
        }
    }
    found
}

/// Where the document breaks the OpenAPI 3.1 specification's JSON Schema, or holds a Schema
/// Object that is not valid JSON Schema.
pub fn specification_violations(document: &Value) -> Vec<String> {
    let schema: Value = serde_json::from_str(OAS_31_SCHEMA).expect("the vendored schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("the vendored schema compiles");
    let mut problems: Vec<String> = validator
        .iter_errors(document)
        .map(|error| format!("{}: {error}", error.instance_path()))
        .collect();
    problems.extend(invalid_schema_objects(document));
    problems
}

/// Schema Objects (the components' and every `schema` of a parameter, header or body) that
/// are not valid JSON Schema 2020-12, OpenAPI 3.1's dialect.
pub fn invalid_schema_objects(document: &Value) -> Vec<String> {
    let mut schemas: Vec<(String, &Value)> = Vec::new();
    if let Some(components) = document["components"]["schemas"].as_object() {
        schemas.extend(
            components
                .iter()
                .map(|(name, schema)| (format!("/components/schemas/{name}"), schema)),
        );
    }
    collect_schema_keys(&document["paths"], "/paths", &mut schemas);
    collect_schema_keys(
        &document["components"]["responses"],
        "/components/responses",
        &mut schemas,
    );
    schemas
        .into_iter()
        .filter_map(|(at, schema)| {
            jsonschema::meta::validate(schema)
                .err()
                .map(|error| format!("{at}: not a valid JSON Schema: {error}"))
        })
        .collect()
}

/// Every value under a `schema` key below `value` (parameters, headers, media types).
fn collect_schema_keys<'a>(value: &'a Value, at: &str, found: &mut Vec<(String, &'a Value)>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                let here = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                if key == "schema" {
                    found.push((here, value));
                } else {
                    collect_schema_keys(value, &here, found);
                }
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                collect_schema_keys(item, &format!("{at}/{index}"), found);
            }
        }
        _ => {}
    }
}

/// `$ref`s that point nowhere in the document (or outside it: this document stands alone).
pub fn unresolved_refs(document: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    walk_refs(document, document, "", &mut problems);
    problems
}

fn walk_refs(document: &Value, value: &Value, at: &str, problems: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("$ref") {
                let target = reference
                    .strip_prefix('#')
                    .and_then(|pointer| document.pointer(pointer));
                if target.is_none() {
                    problems.push(format!("{at}: `$ref` {reference} does not resolve"));
                }
            }
            for (key, value) in map {
                walk_refs(document, value, &format!("{at}/{key}"), problems);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                walk_refs(document, item, &format!("{at}/{index}"), problems);
            }
        }
        _ => {}
    }
}

/// `value`, or what its `$ref` points at.
fn resolved<'a>(document: &'a Value, value: &'a Value) -> &'a Value {
    value["$ref"]
        .as_str()
        .and_then(|reference| reference.strip_prefix('#'))
        .and_then(|pointer| document.pointer(pointer))
        .unwrap_or(value)
}

/// The parameters of `operation` (its Path Item's and its own), resolved.
fn parameters<'a>(document: &'a Value, operation: &Operation<'a>) -> Vec<&'a Value> {
    [
        &operation.item["parameters"],
        &operation.operation["parameters"],
    ]
    .into_iter()
    .filter_map(Value::as_array)
    .flatten()
    .map(|parameter| resolved(document, parameter))
    .collect()
}

/// Path parameters that are not in their path's template (the bug a `limit` declared
/// `in: path` on `/api/webhooks/deliveries` was), template variables without a parameter,
/// and parameters declared twice.
pub fn parameter_problems(document: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    for operation in operations(document) {
        let template: BTreeSet<&str> = operation
            .path
            .split('/')
            .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
            .collect();
        let parameters = parameters(document, &operation);
        let in_path: BTreeSet<&str> = parameters
            .iter()
            .filter(|parameter| parameter["in"] == "path")
            .filter_map(|parameter| parameter["name"].as_str())
            .collect();
        for name in in_path.difference(&template) {
            problems.push(format!(
                "{}: path parameter `{name}` is not in the path",
                operation.name
            ));
        }
        for name in template.difference(&in_path) {
            problems.push(format!(
                "{}: `{{{name}}}` has no path parameter",
                operation.name
            ));
        }
        let mut seen = BTreeSet::new();
        for parameter in &parameters {
            let key = (parameter["name"].to_string(), parameter["in"].to_string());
            if !seen.insert(key.clone()) {
                problems.push(format!(
                    "{}: parameter {} in {} is declared twice",
                    operation.name, key.0, key.1
                ));
            }
        }
    }
    problems
}

/// Operation ids used more than once (generators name functions after them).
pub fn duplicate_operation_ids(document: &Value) -> Vec<String> {
    let mut by_id: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for operation in operations(document) {
        match operation.operation["operationId"].as_str() {
            Some(id) => by_id.entry(id).or_default().push(operation.name),
            None => by_id.entry("").or_default().push(operation.name),
        }
    }
    by_id
        .into_iter()
        .filter(|(id, names)| id.is_empty() || names.len() > 1)
        .map(|(id, names)| match id {
            "" => format!("no operationId: {names:?}"),
            id => format!("operationId `{id}` is used by {names:?}"),
        })
        .collect()
}

/// JSON bodies (requests and answers) without a schema: a generator can only call them
/// `unknown`.
pub fn missing_schemas(document: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    for operation in operations(document) {
        let request = resolved(document, &operation.operation["requestBody"]);
        let mut bodies = vec![("request body".to_owned(), request)];
        if let Some(responses) = operation.operation["responses"].as_object() {
            bodies.extend(responses.iter().map(|(status, response)| {
                (format!("{status} answer"), resolved(document, response))
            }));
        }
        for (what, body) in bodies {
            if let Some(json) = body["content"].get("application/json")
                && json.get("schema").is_none()
            {
                problems.push(format!("{}: the {what} has no schema", operation.name));
            }
        }
    }
    problems
}

/// The codes an error response names, as [`ErrorCode`]s (unknown names are reported).
fn response_codes(response: &Value, at: &str, problems: &mut Vec<String>) -> Vec<ErrorCode> {
    let Some(names) = response[CODES_EXTENSION]
        .as_array()
        .filter(|n| !n.is_empty())
    else {
        problems.push(format!("{at}: no `{CODES_EXTENSION}`"));
        return Vec::new();
    };
    names
        .iter()
        .filter_map(|name| {
            let code = ErrorCode::ALL
                .into_iter()
                .find(|code| Some(code.as_str()) == name.as_str());
            if code.is_none() {
                problems.push(format!("{at}: {name} is not an ErrorCode"));
            }
            code
        })
        .collect()
}

/// One error response's shape: an `ErrorBody`, naming codes of its own status.
fn check_error_response(
    document: &Value,
    status: &str,
    response: &Value,
    at: &str,
    problems: &mut Vec<String>,
) -> Vec<ErrorCode> {
    let response = resolved(document, response);
    if response["content"]["application/json"]["schema"]["$ref"] != "#/components/schemas/ErrorBody"
    {
        problems.push(format!("{at}: the body is not an ErrorBody"));
    }
    let codes = response_codes(response, at, problems);
    for code in &codes {
        if code.status().as_str() != status {
            problems.push(format!(
                "{at}: `{code}` is answered with {}, not {status}",
                code.status().as_u16()
            ));
        }
    }
    codes
}

/// Error answers that do not say what they carry, and operations that leave out an error
/// every route of their kind can answer: `internal` (any route), `unauthorized` (a route
/// behind the bearer token), `invalid_query` (a JSON route with query parameters),
/// `invalid_body` or `malformed_body` (a route with a JSON body).
pub fn error_response_problems(document: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    for operation in operations(document) {
        let Some(responses) = operation.operation["responses"].as_object() else {
            problems.push(format!("{}: no responses", operation.name));
            continue;
        };
        let mut codes = BTreeSet::new();
        for (status, response) in responses {
            if status.starts_with('4') || status.starts_with('5') || status == "default" {
                let at = format!("{} {status}", operation.name);
                codes.extend(
                    check_error_response(document, status, response, &at, &mut problems)
                        .into_iter()
                        .map(ErrorCode::as_str),
                );
            }
        }
        let answers_json = responses.iter().any(|(status, response)| {
            status.starts_with('2')
                && resolved(document, response)["content"]
                    .get("application/json")
                    .is_some()
        });
        let has_query = parameters(document, &operation)
            .iter()
            .any(|parameter| parameter["in"] == "query");
        let secured = operation.operation["security"]
            .as_array()
            .is_some_and(|requirements| {
                requirements
                    .iter()
                    .any(|requirement| requirement.as_object().is_some_and(|r| !r.is_empty()))
            });
        let json_body = resolved(document, &operation.operation["requestBody"])["content"]
            .get("application/json")
            .is_some();
        // Each rule: when it applies, one of its codes must be documented.
        let expected: [(bool, &[ErrorCode]); 4] = [
            (true, &[ErrorCode::Internal]),
            (secured, &[ErrorCode::Unauthorized]),
            (has_query && answers_json, &[ErrorCode::InvalidQuery]),
            // A signed webhook's unreadable body is `malformed_body`.
            (
                json_body,
                &[ErrorCode::InvalidBody, ErrorCode::MalformedBody],
            ),
        ];
        for (applies, alternatives) in expected {
            if applies
                && !alternatives
                    .iter()
                    .any(|code| codes.contains(code.as_str()))
            {
                problems.push(format!(
                    "{}: documents none of {alternatives:?}",
                    operation.name
                ));
            }
        }
    }
    if let Some(responses) = document["components"]["responses"].as_object() {
        for (name, response) in responses {
            let at = format!("components/responses/{name}");
            let codes = response_codes(response, &at, &mut problems);
            let Some(code) = codes.first() else { continue };
            check_error_response(
                document,
                code.status().as_str(),
                response,
                &at,
                &mut problems,
            );
        }
    }
    problems
}

/// The codes no response of the document names (an error answer's, the framework's, or the
/// OAuth callback page's): a code a client can see but could not have learnt from the
/// document.
pub fn undocumented_codes(document: &Value) -> Vec<ErrorCode> {
    let mut named = BTreeSet::new();
    collect_code_names(document, &mut named);
    ErrorCode::ALL
        .into_iter()
        .filter(|code| !named.contains(code.as_str()))
        .collect()
}

fn collect_code_names(value: &Value, named: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                if key == CODES_EXTENSION || key == CALLBACK_CODES_EXTENSION {
                    named.extend(
                        value
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(Value::as_str)
                            .map(str::to_owned),
                    );
                } else {
                    collect_code_names(value, named);
                }
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|item| collect_code_names(item, named)),
        _ => {}
    }
}

/// The routes served but not documented, and those documented but not served, both ways as
/// `METHOD /path`.
pub fn route_differences(served: &[ServedRoute], document: &Value) -> Vec<String> {
    let served: BTreeSet<(String, String)> = served
        .iter()
        .map(|route| (route.method.to_lowercase(), route.path.clone()))
        .collect();
    let documented: BTreeSet<(String, String)> = operations(document)
        .into_iter()
        .map(|operation| {
            let method = operation.name.split(' ').next().unwrap_or_default();
            (method.to_lowercase(), operation.path.to_owned())
        })
        .collect();
    let undocumented = served
        .difference(&documented)
        .map(|(method, path)| format!("served, not documented: {} {path}", method.to_uppercase()));
    let unserved = documented
        .difference(&served)
        .map(|(method, path)| format!("documented, not served: {} {path}", method.to_uppercase()));
    undocumented.chain(unserved).collect()
}

/// Everything above that applies to the document alone.
pub fn document_problems(document: &Value) -> Vec<String> {
    let mut problems = specification_violations(document);
    problems.extend(unresolved_refs(document));
    problems.extend(parameter_problems(document));
    problems.extend(duplicate_operation_ids(document));
    problems.extend(missing_schemas(document));
    problems.extend(error_response_problems(document));
    problems.extend(
        undocumented_codes(document)
            .into_iter()
            .map(|code| format!("no response names `{code}`")),
    );
    problems
}
