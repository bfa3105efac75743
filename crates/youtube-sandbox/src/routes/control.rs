//! The sandbox's own control API under `/sandbox/`: clock, faults, calls, accounts, grants,
//! "the user revoked access", refresh-token death, scope removal and quota; all JSON. Not
//! part of Google's API.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::config::QuotaBucket;
use crate::endpoint::Endpoint;
use crate::fault::Fault;
use crate::grants::RefreshDeath;
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
        .service(web::resource("/sandbox/accounts/{id}/revoke").route(web::post().to(revoke)))
        .service(
            web::resource("/sandbox/accounts/{id}/expire-refresh-tokens")
                .route(web::post().to(expire_refresh_tokens)),
        )
        .service(
            web::resource("/sandbox/accounts/{id}/remove-scope")
                .route(web::post().to(remove_scope)),
        )
        .service(web::resource("/sandbox/grants").route(web::get().to(list_grants)))
        .service(
            web::resource("/sandbox/quota")
                .route(web::get().to(read_quota))
                .route(web::put().to(set_quota)),
        )
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
    json!({
        "now": now.to_rfc3339(),
        "unix": now.timestamp(),
        "pacific_day": crate::pacific::pacific_day(now).to_string(),
        "quota_resets_at": crate::pacific::next_pacific_midnight(now).to_rfc3339(),
    })
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

/// Body naming one client, or every client when absent.
#[derive(Debug, Default, Deserialize)]
struct ForClient {
    #[serde(default)]
    client_id: Option<String>,
}

async fn revoke(
    state: web::Data<SandboxState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let Some(account) = state.account_index(&path) else {
        return control_error(StatusCode::NOT_FOUND, "no such account");
    };
    let request: ForClient = match body_or_default(&body) {
        Ok(request) => request,
        Err(message) => return control_error(StatusCode::BAD_REQUEST, message),
    };
    let ended = state
        .auth
        .revoke_account(account, request.client_id.as_deref(), state.clock.now());
    ok(&json!({ "grants_ended": ended }))
}

#[derive(Debug, Default, Deserialize)]
struct Expire {
    #[serde(default)]
    client_id: Option<String>,
    #[serde(default)]
    cause: Option<RefreshDeath>,
}

async fn expire_refresh_tokens(
    state: web::Data<SandboxState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let Some(account) = state.account_index(&path) else {
        return control_error(StatusCode::NOT_FOUND, "no such account");
    };
    let request: Expire = match body_or_default(&body) {
        Ok(request) => request,
        Err(message) => return control_error(StatusCode::BAD_REQUEST, message),
    };
    let killed = state.auth.expire_refresh_tokens(
        account,
        request.client_id.as_deref(),
        request.cause.unwrap_or(RefreshDeath::Idle),
        state.clock.now(),
    );
    ok(&json!({ "refresh_tokens_expired": killed }))
}

#[derive(Debug, Deserialize)]
struct RemoveScope {
    scope: String,
    #[serde(default)]
    client_id: Option<String>,
}

async fn remove_scope(
    state: web::Data<SandboxState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let Some(account) = state.account_index(&path) else {
        return control_error(StatusCode::NOT_FOUND, "no such account");
    };
    match serde_json::from_slice::<RemoveScope>(&body) {
        Ok(request) => {
            let changed =
                state
                    .auth
                    .remove_scope(account, request.client_id.as_deref(), &request.scope);
            ok(&json!({ "changed": changed }))
        }
        Err(error) => control_error(
            StatusCode::BAD_REQUEST,
            format!("expected {{\"scope\": \"…\", \"client_id\"?}}: {error}"),
        ),
    }
}

async fn list_grants(state: web::Data<SandboxState>) -> HttpResponse {
    ok(&json!({ "grants": state.grants() }))
}

async fn read_quota(state: web::Data<SandboxState>) -> HttpResponse {
    let now = state.clock.now();
    let projects: Vec<_> = state
        .config
        .clients
        .iter()
        .map(|client| state.quota.usage(&client.client_id, now))
        .collect();
    ok(&json!({ "projects": projects }))
}

#[derive(Debug, Deserialize)]
struct SetQuota {
    #[serde(default)]
    client_id: Option<String>,
    bucket: QuotaBucket,
    used: u64,
}

async fn set_quota(state: web::Data<SandboxState>, body: web::Bytes) -> HttpResponse {
    let request = match serde_json::from_slice::<SetQuota>(&body) {
        Ok(request) => request,
        Err(error) => {
            return control_error(
                StatusCode::BAD_REQUEST,
                format!(
                    "expected {{\"bucket\": \"general\", \"used\": 9990, \"client_id\"?}}: {error}"
                ),
            );
        }
    };
    let client_id = match request.client_id {
        Some(id) if state.client(&id).is_some() => id,
        Some(_) => return control_error(StatusCode::NOT_FOUND, "no such client"),
        None => state
            .config
            .clients
            .first()
            .map(|client| client.client_id.clone())
            .unwrap_or_default(),
    };
    let now = state.clock.now();
    state
        .quota
        .set_used(&client_id, request.bucket, request.used, now);
    ok(&json!(state.quota.usage(&client_id, now)))
}

/// Stand-in images for channel and video thumbnails.
async fn cdn(path: web::Path<String>) -> HttpResponse {
    let hue = path.bytes().fold(0u32, |sum, byte| {
        sum.wrapping_mul(31).wrapping_add(u32::from(byte))
    }) % 360;
    HttpResponse::Ok()
        .content_type("image/svg+xml")
        .body(format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"320\" height=\"180\">\
         <rect width=\"320\" height=\"180\" fill=\"hsl({hue},60%,55%)\"/></svg>"
        ))
}
