//! The sandbox's own control API under `/sandbox/`: clock, faults, calls, accounts, grants,
//! "the user removed the app", "the user asked for deletion", "the user changed their
//! password", throttles and callback deliveries; all JSON. Not part of Instagram's API.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::endpoint::Endpoint;
use crate::fault::Fault;
use crate::state::SandboxState;
use crate::wire::json_response;

/// Registers the control routes.
pub(crate) fn configure(config: &mut web::ServiceConfig) {
    config
        .service(
            web::resource("/sandbox/clock")
                .route(web::get().to(read_clock))
                .route(web::post().to(advance_clock)),
        )
        .service(
            web::resource("/sandbox/faults")
                .route(web::get().to(list_faults))
                .route(web::put().to(set_fault))
                .route(web::delete().to(clear_faults)),
        )
        .service(web::resource("/sandbox/faults/{endpoint}").route(web::delete().to(clear_fault)))
        .service(web::resource("/sandbox/calls").route(web::get().to(call_counts)))
        .service(web::resource("/sandbox/accounts").route(web::get().to(list_accounts)))
        .service(web::resource("/sandbox/accounts/{id}").route(web::get().to(show_account)))
        .service(
            web::resource("/sandbox/accounts/{id}/remove-app").route(web::post().to(remove_app)),
        )
        .service(
            web::resource("/sandbox/accounts/{id}/request-deletion")
                .route(web::post().to(request_deletion)),
        )
        .service(
            web::resource("/sandbox/accounts/{id}/change-password")
                .route(web::post().to(change_password)),
        )
        .service(web::resource("/sandbox/accounts/{id}/throttle").route(web::post().to(throttle)))
        .service(web::resource("/sandbox/grants").route(web::get().to(list_grants)))
        .service(web::resource("/sandbox/callbacks").route(web::get().to(list_callbacks)))
        .service(web::resource("/sandbox/cdn/{tail:.*}").route(web::get().to(cdn)));
}

fn control_error(status: StatusCode, message: impl Into<String>) -> HttpResponse {
    json_response(status, &json!({ "error": message.into() }))
}

fn ok(body: &Value) -> HttpResponse {
    json_response(StatusCode::OK, body)
}

/// A JSON body, an empty body meaning `T::default()`.
fn body_or_default<T: for<'de> Deserialize<'de> + Default>(body: &[u8]) -> Result<T, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(|error| format!("invalid body: {error}"))
}

fn clock_json(state: &SandboxState) -> Value {
    let now = state.clock.now();
    json!({ "now": now.to_rfc3339(), "unix": now.timestamp() })
}

async fn read_clock(state: web::Data<SandboxState>) -> HttpResponse {
    ok(&clock_json(&state))
}

#[derive(Debug, Deserialize)]
struct AdvanceClock {
    advance_secs: u64,
}

async fn advance_clock(state: web::Data<SandboxState>, body: web::Bytes) -> HttpResponse {
    match serde_json::from_slice::<AdvanceClock>(&body) {
        Ok(advance) => {
            state
                .clock
                .advance(Duration::from_secs(advance.advance_secs));
            ok(&clock_json(&state))
        }
        Err(error) => control_error(
            StatusCode::BAD_REQUEST,
            format!("expected {{\"advance_secs\": <seconds>}}: {error}"),
        ),
    }
}

#[derive(Debug, Deserialize)]
struct SetFault {
    endpoint: Endpoint,
    fault: Fault,
    #[serde(default)]
    times: Option<u32>,
}

async fn list_faults(state: web::Data<SandboxState>) -> HttpResponse {
    ok(&json!({ "faults": state.faults.list() }))
}

async fn set_fault(state: web::Data<SandboxState>, body: web::Bytes) -> HttpResponse {
    match serde_json::from_slice::<SetFault>(&body) {
        Ok(set) => {
            state.faults.set(set.endpoint, set.fault, set.times);
            ok(&json!({ "faults": state.faults.list() }))
        }
        Err(error) => control_error(StatusCode::BAD_REQUEST, format!("invalid fault: {error}")),
    }
}

async fn clear_faults(state: web::Data<SandboxState>) -> HttpResponse {
    state.faults.clear_all();
    ok(&json!({ "faults": [] }))
}

async fn clear_fault(state: web::Data<SandboxState>, path: web::Path<String>) -> HttpResponse {
    match Endpoint::from_name(&path) {
        Some(endpoint) => {
            state.faults.clear(endpoint);
            ok(&json!({ "faults": state.faults.list() }))
        }
        None => control_error(StatusCode::NOT_FOUND, "unknown endpoint"),
    }
}

async fn call_counts(state: web::Data<SandboxState>) -> HttpResponse {
    let counts: serde_json::Map<String, Value> = state
        .calls
        .all()
        .into_iter()
        .map(|(endpoint, count)| (endpoint.name().to_owned(), json!(count)))
        .collect();
    ok(&Value::Object(counts))
}

async fn list_accounts(state: web::Data<SandboxState>) -> HttpResponse {
    let now = state.clock.now();
    let accounts: Vec<_> = state
        .catalog
        .accounts
        .iter()
        .map(|account| account.summary(state.catalog.start, now))
        .collect();
    ok(&json!({ "accounts": accounts }))
}

async fn show_account(state: web::Data<SandboxState>, path: web::Path<String>) -> HttpResponse {
    match state.account_index(&path) {
        Some(index) => ok(&serde_json::to_value(
            state.catalog.accounts[index].details(state.catalog.start, state.clock.now()),
        )
        .unwrap_or_default()),
        None => control_error(StatusCode::NOT_FOUND, "no such account"),
    }
}

/// Body of the remove-app and request-deletion routes.
#[derive(Debug, Default, Deserialize)]
struct CallbackRequest {
    /// One app, or every app when absent.
    #[serde(default)]
    app_id: Option<String>,
    /// Break the signature on purpose.
    #[serde(default)]
    tampered: bool,
}

async fn remove_app(
    state: web::Data<SandboxState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    if state.account_index(&path).is_none() {
        return control_error(StatusCode::NOT_FOUND, "no such account");
    }
    let request: CallbackRequest = match body_or_default(&body) {
        Ok(request) => request,
        Err(message) => return control_error(StatusCode::BAD_REQUEST, message),
    };
    let deliveries = state
        .remove_app(&path, request.app_id.as_deref(), request.tampered)
        .await;
    ok(&json!({ "grants": state.grants(), "callbacks": deliveries }))
}

async fn request_deletion(
    state: web::Data<SandboxState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    if state.account_index(&path).is_none() {
        return control_error(StatusCode::NOT_FOUND, "no such account");
    }
    let request: CallbackRequest = match body_or_default(&body) {
        Ok(request) => request,
        Err(message) => return control_error(StatusCode::BAD_REQUEST, message),
    };
    let deliveries = state
        .request_deletion(&path, request.app_id.as_deref(), request.tampered)
        .await;
    ok(&json!({ "callbacks": deliveries }))
}

async fn change_password(state: web::Data<SandboxState>, path: web::Path<String>) -> HttpResponse {
    let Some(index) = state.account_index(&path) else {
        return control_error(StatusCode::NOT_FOUND, "no such account");
    };
    let apps = state.auth.end_grants(
        index,
        None,
        crate::grants::GrantEnd::PasswordChanged,
        state.clock.now(),
    );
    ok(&json!({ "apps": apps }))
}

#[derive(Debug, Default, Deserialize)]
struct Throttle {
    #[serde(default)]
    app_id: Option<String>,
    minutes: u64,
}

async fn throttle(
    state: web::Data<SandboxState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let Some(index) = state.account_index(&path) else {
        return control_error(StatusCode::NOT_FOUND, "no such account");
    };
    let request: Throttle = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(error) => {
            return control_error(
                StatusCode::BAD_REQUEST,
                format!("expected {{\"minutes\": n}}: {error}"),
            );
        }
    };
    let now = state.clock.now();
    let apps: Vec<String> = match request.app_id {
        Some(app) => vec![app],
        None => state
            .config
            .apps
            .iter()
            .map(|app| app.app_id.clone())
            .collect(),
    };
    for app in &apps {
        state.limits.throttle(app, index, request.minutes, now);
    }
    ok(&json!({ "throttled": apps, "minutes": request.minutes }))
}

async fn list_grants(state: web::Data<SandboxState>) -> HttpResponse {
    ok(&json!({ "grants": state.grants() }))
}

async fn list_callbacks(state: web::Data<SandboxState>) -> HttpResponse {
    ok(&json!({ "callbacks": state.callbacks.deliveries() }))
}

/// Stand-in images for `media_url`, `thumbnail_url` and `profile_picture_url`.
async fn cdn(path: web::Path<String>) -> HttpResponse {
    let hue = path.bytes().fold(0u32, |sum, byte| {
        sum.wrapping_mul(31).wrapping_add(u32::from(byte))
    }) % 360;
    HttpResponse::Ok()
        .content_type("image/svg+xml")
        .body(format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"320\" height=\"320\">\
         <rect width=\"320\" height=\"320\" fill=\"hsl({hue},60%,55%)\"/></svg>"
        ))
}
