//! HTTP routes: Google's OAuth paths, the Data API under `/youtube/v3/`, the Analytics API
//! under `/v2/reports`, OpenID Connect, the sandbox's control API under `/sandbox/` and an
//! index page. Google's hosts do not share paths, so one root serves them all.

mod authorize;
mod channels;
mod consent_page;
mod control;
mod gate;
mod index;
mod oidc;
mod playlist_items;
mod render;
mod reports;
mod revoke;
mod search;
mod token;
mod videos;

use std::time::Duration;

use actix_web::http::header::AUTHORIZATION;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::endpoint::Endpoint;
use crate::fault::FaultAnswer;
use crate::state::SandboxState;
use crate::wire::malformed_body;

#[cfg(test)]
pub(crate) use consent_page::render_consent_page_for_tests;

/// How long a hanging request hangs: longer than any sensible client timeout.
const HANG: Duration = Duration::from_secs(3_600);

/// Registers every route.
pub(crate) fn configure(config: &mut web::ServiceConfig) {
    config
        .service(
            web::resource("/o/oauth2/v2/auth")
                .route(web::get().to(authorize::show_consent_page))
                .route(web::post().to(authorize::submit_consent)),
        )
        .service(web::resource("/token").route(web::post().to(token::token)))
        .service(web::resource("/revoke").route(web::post().to(revoke::revoke)))
        .service(web::resource("/tokeninfo").route(web::get().to(oidc::token_info)))
        .service(
            web::resource("/.well-known/openid-configuration")
                .route(web::get().to(oidc::discovery)),
        )
        .service(web::resource("/v1/userinfo").route(web::get().to(oidc::user_info)))
        .service(web::resource("/youtube/v3/channels").route(web::get().to(channels::list)))
        .service(
            web::resource("/youtube/v3/playlistItems").route(web::get().to(playlist_items::list)),
        )
        .service(
            web::resource("/youtube/v3/videos:batchGetStats")
                .route(web::get().to(videos::batch_get_stats)),
        )
        .service(web::resource("/youtube/v3/videos").route(web::get().to(videos::list)))
        .service(web::resource("/youtube/v3/search").route(web::get().to(search::list)))
        .service(web::resource("/v2/reports").route(web::get().to(reports::query)))
        .configure(control::configure)
        .configure(index::configure);
}

/// The shared start of every endpoint: count the call, then apply an injected fault.
/// `Err(response)` when the fault decides the answer.
pub(crate) async fn count_and_apply_fault(
    state: &SandboxState,
    endpoint: Endpoint,
) -> Result<(), HttpResponse> {
    state.calls.record(endpoint);
    let Some(fault) = state.faults.take(endpoint) else {
        return Ok(());
    };
    tracing::info!(endpoint = endpoint.name(), ?fault, "injecting a fault");
    match fault.answer(&state.project_number(None)) {
        FaultAnswer::Delay(delay) => {
            tokio::time::sleep(delay).await;
            Ok(())
        }
        FaultAnswer::Hang => {
            tokio::time::sleep(HANG).await;
            Err(HttpResponse::GatewayTimeout().finish())
        }
        FaultAnswer::Malformed => Err(malformed_body()),
        FaultAnswer::Google(error) => Err(error.to_response(state.config.error_status_field)),
        FaultAnswer::OAuth(error) => Err(error.to_response()),
    }
}

/// The decoded query pairs of a request.
pub(crate) fn query_pairs(request: &HttpRequest) -> Vec<(String, String)> {
    serde_urlencoded::from_str(request.query_string()).unwrap_or_default()
}

/// The first value of `name` in decoded pairs (query or form body).
pub(crate) fn first_value<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// A non-empty value of `name`.
pub(crate) fn field<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    first_value(pairs, name).filter(|value| !value.trim().is_empty())
}

/// The bearer token of `Authorization: Bearer`, else of `access_token=`.
pub(crate) fn token_of(request: &HttpRequest, pairs: &[(String, String)]) -> Option<String> {
    let header = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, token)| scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty())
        .map(|(_, token)| token.trim().to_owned());
    header.or_else(|| field(pairs, "access_token").map(str::to_owned))
}

/// A comma-separated parameter, trimmed, empty entries dropped.
pub(crate) fn comma_list(value: Option<&str>) -> Vec<String> {
    value
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
        .collect()
}
