//! The sandbox's own control API under `/sandbox/`: clock, faults, call counts, creators and
//! revocations, all JSON. Not part of TikTok's API.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::endpoint::Endpoint;
use crate::fault::Fault;
use crate::state::SandboxState;
use crate::webhook::RemovalReason;

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
        .service(web::resource("/sandbox/faults/release").route(web::post().to(release_held)))
        .service(web::resource("/sandbox/faults/{endpoint}").route(web::delete().to(clear_fault)))
        .service(web::resource("/sandbox/calls").route(web::get().to(call_counts)))
        .service(web::resource("/sandbox/creators").route(web::get().to(list_creators)))
        .service(web::resource("/sandbox/creators/{open_id}").route(web::get().to(show_creator)))
        .service(
            web::resource("/sandbox/creators/{open_id}/deauthorize")
                .route(web::post().to(deauthorize_creator)),
        )
        .service(web::resource("/sandbox/webhooks").route(web::get().to(list_webhooks)))
        .service(web::resource("/sandbox/revocations").route(web::get().to(list_revocations)));
}

fn json_body(status: StatusCode, body: &Value) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("application/json")
        .body(body.to_string())
}

fn control_error(status: StatusCode, message: impl Into<String>) -> HttpResponse {
    json_body(status, &json!({ "error": message.into() }))
}

fn clock_json(state: &SandboxState) -> Value {
    let now = state.clock.now();
    json!({ "now": now.to_rfc3339(), "unix": now.timestamp(), "day": state.clock.day() })
}

async fn read_clock(state: web::Data<SandboxState>) -> HttpResponse {
    json_body(StatusCode::OK, &clock_json(&state))
}

/// Body of `POST /sandbox/clock`.
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
            json_body(StatusCode::OK, &clock_json(&state))
        }
        Err(error) => control_error(
            StatusCode::BAD_REQUEST,
            format!("expected {{\"advance_secs\": <seconds>}}: {error}"),
        ),
    }
}

/// Body of `PUT /sandbox/faults`.
#[derive(Debug, Serialize, Deserialize)]
struct SetFault {
    endpoint: Endpoint,
    fault: Fault,
    /// How many calls it affects; absent means until cleared.
    #[serde(default)]
    times: Option<u32>,
}

async fn list_faults(state: web::Data<SandboxState>) -> HttpResponse {
    json_body(StatusCode::OK, &json!({ "faults": state.faults.list() }))
}

async fn set_fault(state: web::Data<SandboxState>, body: web::Bytes) -> HttpResponse {
    match serde_json::from_slice::<SetFault>(&body) {
        Ok(set) => {
            state.faults.set(set.endpoint, set.fault, set.times);
            json_body(StatusCode::OK, &json!({ "faults": state.faults.list() }))
        }
        Err(error) => control_error(StatusCode::BAD_REQUEST, format!("invalid fault: {error}")),
    }
}

/// `POST /sandbox/faults/release`: lets the calls a `held` fault holds go on.
async fn release_held(state: web::Data<SandboxState>) -> HttpResponse {
    let held = state.faults.held();
    state.faults.release_held();
    json_body(StatusCode::OK, &json!({ "released": held }))
}

async fn clear_faults(state: web::Data<SandboxState>) -> HttpResponse {
    state.faults.clear_all();
    json_body(StatusCode::OK, &json!({ "faults": [] }))
}

async fn clear_fault(state: web::Data<SandboxState>, path: web::Path<String>) -> HttpResponse {
    match Endpoint::from_name(&path) {
        Some(endpoint) => {
            state.faults.clear(endpoint);
            json_body(StatusCode::OK, &json!({ "faults": state.faults.list() }))
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
    json_body(StatusCode::OK, &Value::Object(counts))
}

async fn list_creators(state: web::Data<SandboxState>) -> HttpResponse {
    let (day, urls) = (state.clock.day(), state.urls());
    let creators: Vec<_> = state
        .catalog
        .creators
        .iter()
        .map(|creator| creator.summary(day, state.catalog.anchor_day, &urls))
        .collect();
    json_body(StatusCode::OK, &json!({ "creators": creators }))
}

async fn show_creator(state: web::Data<SandboxState>, path: web::Path<String>) -> HttpResponse {
    match state.catalog.creator(&path) {
        Some(creator) => {
            let details =
                creator.details(state.clock.day(), state.catalog.anchor_day, &state.urls());
            json_body(
                StatusCode::OK,
                &serde_json::to_value(details).unwrap_or_default(),
            )
        }
        None => control_error(StatusCode::NOT_FOUND, "no such creator"),
    }
}

async fn list_revocations(state: web::Data<SandboxState>) -> HttpResponse {
    json_body(
        StatusCode::OK,
        &json!({ "revocations": state.auth.revocations() }),
    )
}

/// Body of `POST /sandbox/creators/{open_id}/deauthorize`: `{"reason": 0..5 or a name}`
/// (empty means `user_disconnected`).
#[derive(Debug, Deserialize)]
struct Deauthorize {
    #[serde(default = "default_reason")]
    reason: RemovalReason,
}

fn default_reason() -> RemovalReason {
    RemovalReason::UserDisconnected
}

async fn deauthorize_creator(
    state: web::Data<SandboxState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    if state.catalog.creator(&path).is_none() {
        return control_error(StatusCode::NOT_FOUND, "no such creator");
    }
    let request = if body.iter().all(u8::is_ascii_whitespace) {
        Ok(Deauthorize {
            reason: default_reason(),
        })
    } else {
        serde_json::from_slice::<Deauthorize>(&body)
    };
    let reason = match request {
        Ok(request) => request.reason,
        Err(error) => {
            return control_error(StatusCode::BAD_REQUEST, format!("invalid body: {error}"));
        }
    };
    let revocations = state.auth.revoke_creator(&path, state.clock.now());
    // As at TikTok, the webhooks go out after the answer, retried in the background; they
    // show up at GET /sandbox/webhooks.
    let sending = if state.webhooks.is_enabled() {
        revocations.len()
    } else {
        0
    };
    if sending > 0 {
        let state = state.into_inner();
        let removed = revocations.clone();
        tokio::spawn(async move {
            for revocation in &removed {
                state.notify_removed(revocation, reason).await;
            }
        });
    }
    json_body(
        StatusCode::OK,
        &json!({ "revocations": revocations, "webhooks_sending": sending }),
    )
}

async fn list_webhooks(state: web::Data<SandboxState>) -> HttpResponse {
    json_body(
        StatusCode::OK,
        &json!({ "webhooks": state.webhooks.deliveries() }),
    )
}
