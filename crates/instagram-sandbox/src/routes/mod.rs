//! HTTP routes: the three Instagram hosts under path prefixes (`/www/`, `/api/`, `/graph/`),
//! the sandbox's control API under `/sandbox/` and an index page.

mod authorize;
mod consent_page;
mod control;
mod fields;
mod form;
mod graph;
mod index;
mod insights;
mod long_lived;
mod media_list;
mod token;

use std::time::Duration;

use actix_web::{HttpResponse, web};

use crate::endpoint::Endpoint;
use crate::fault::Fault;
use crate::state::SandboxState;
use crate::wire::{FlatError, malformed_body};

#[cfg(test)]
pub(crate) use consent_page::render_consent_page_for_tests;

/// How long a hanging request hangs: longer than any sensible client timeout.
const HANG: Duration = Duration::from_secs(3_600);

/// Registers every route.
pub(crate) fn configure(config: &mut web::ServiceConfig) {
    config
        .service(
            web::resource("/www/oauth/authorize")
                .route(web::get().to(authorize::show_consent_page))
                .route(web::post().to(authorize::submit_consent)),
        )
        // The reference page still names the Basic-Display-era host: accept it too.
        .service(
            web::resource("/api/oauth/authorize")
                .route(web::get().to(authorize::show_consent_page))
                .route(web::post().to(authorize::submit_consent)),
        )
        .service(
            web::resource("/api/oauth/access_token").route(web::post().to(token::exchange_code)),
        )
        .service(
            web::resource("/graph/{tail:.*}")
                .route(web::get().to(graph::get))
                .route(web::route().to(graph::other_method)),
        )
        .configure(control::configure)
        .configure(index::configure);
}

/// The shared start of every endpoint: count the call, then apply an injected fault.
///
/// Returns `Err(response)` when the fault decides the answer, `Ok(Some(fault))` for a
/// throttle (the caller must throttle the account first), `Ok(None)` otherwise.
pub(crate) async fn count_and_apply_fault(
    state: &SandboxState,
    endpoint: Endpoint,
) -> Result<Option<Fault>, HttpResponse> {
    state.calls.record(endpoint);
    let Some(fault) = state.faults.take(endpoint) else {
        return Ok(None);
    };
    tracing::info!(endpoint = endpoint.name(), ?fault, "injecting a fault");
    if let Some(latency) = fault.latency() {
        tokio::time::sleep(latency).await;
        return Ok(None);
    }
    let app_id = state
        .config
        .apps
        .first()
        .map(|app| app.app_id.clone())
        .unwrap_or_default();
    match &fault {
        Fault::Hang => {
            tokio::time::sleep(HANG).await;
            Err(HttpResponse::GatewayTimeout().finish())
        }
        Fault::MalformedBody => Err(malformed_body()),
        Fault::FlatError { code, message } => Err(FlatError {
            code: *code,
            error_type: "OAuthException".into(),
            message: message.clone(),
        }
        .to_response()),
        Fault::Throttled { .. } if endpoint.is_graph_read() => Ok(Some(fault)),
        other => {
            let Some(error) = other.graph_error(&app_id) else {
                return Ok(None);
            };
            if endpoint == Endpoint::CodeExchange {
                // The code exchange speaks the flat shape.
                return Err(FlatError {
                    code: error.status.as_u16(),
                    error_type: error.error_type,
                    message: error.message,
                }
                .to_response());
            }
            Err(error.to_response())
        }
    }
}

/// The first value of `name` in decoded pairs (query or form body).
pub(crate) fn first_value<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}
