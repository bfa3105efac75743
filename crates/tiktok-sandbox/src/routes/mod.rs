//! HTTP routes: TikTok's paths, the sandbox's control API and its media.

mod authorize;
mod consent_page;
mod control;
mod display;
mod index;
mod media;
mod revoke;
mod token;

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use crate::endpoint::Endpoint;
use crate::fault::Fault;
use crate::state::SandboxState;
use crate::wire::{
    DisplayError, DisplayErrorCode, OAuthError, custom_error, malformed_body, set_retry_after,
};

/// Renders a consent page without a server, for the form reader's tests.
#[cfg(test)]
pub(crate) fn render_consent_page_for_tests(
    client_key: &str,
    redirect_uri: &str,
    state: &str,
    creators: &[crate::data::CreatorRecord],
    urls: &crate::data::UrlContext,
) -> String {
    let request = authorize::AuthorizeRequest {
        client_key: client_key.into(),
        redirect_uri: redirect_uri.into(),
        scopes: [
            crate::scope::Scope::UserInfoBasic,
            crate::scope::Scope::VideoList,
        ]
        .into_iter()
        .collect(),
        state: Some(state.into()),
        code_challenge: None,
        code_challenge_method: None,
    };
    consent_page::render_consent_page(&request, creators, urls)
}

/// How long a hanging request hangs: longer than any sensible client timeout.
const HANG: Duration = Duration::from_secs(3_600);

/// Registers every route.
pub(crate) fn configure(config: &mut web::ServiceConfig) {
    config
        .service(
            web::resource(Endpoint::Authorize.path())
                .route(web::get().to(authorize::show_consent_page))
                .route(web::post().to(authorize::submit_consent)),
        )
        .service(web::resource(Endpoint::Token.path()).route(web::post().to(token::token)))
        .service(web::resource(Endpoint::Revoke.path()).route(web::post().to(revoke::revoke)))
        .service(web::resource(Endpoint::UserInfo.path()).route(web::get().to(display::user_info)))
        .service(
            web::resource(Endpoint::VideoList.path()).route(web::post().to(display::video_list)),
        )
        .service(
            web::resource(Endpoint::VideoQuery.path()).route(web::post().to(display::video_query)),
        )
        .configure(control::configure)
        .configure(media::configure)
        .configure(index::configure);
}

/// The shared start of every TikTok endpoint: count the call, then apply an injected fault.
///
/// Returns `Err(response)` when the fault decides the answer, `Ok(Some(fault))` for faults
/// the handler itself must apply (token and refresh faults), `Ok(None)` otherwise.
pub(crate) async fn count_and_apply_fault(
    state: &SandboxState,
    endpoint: Endpoint,
    is_refresh_grant: bool,
) -> Result<Option<Fault>, HttpResponse> {
    state.calls.record(endpoint);
    let Some(fault) = state.faults.take(endpoint, is_refresh_grant) else {
        return Ok(None);
    };
    tracing::info!(endpoint = endpoint.name(), ?fault, "injecting a fault");
    if let Some(latency) = fault.latency() {
        tokio::time::sleep(latency).await;
        return Ok(None);
    }
    let log_id = state.log_id();
    match fault {
        Fault::Held => {
            state.faults.hold().await;
            Ok(None)
        }
        Fault::Hang => {
            tokio::time::sleep(HANG).await;
            Err(HttpResponse::GatewayTimeout().finish())
        }
        Fault::MalformedBody => Err(malformed_body(&log_id)),
        Fault::RateLimited { retry_after_secs } => {
            let mut response = if endpoint.is_display_api() {
                DisplayError::new(
                    DisplayErrorCode::RateLimitExceeded,
                    "The API rate limit was exceeded. Please try again later.",
                )
                .to_response(&log_id)
            } else {
                OAuthError::rate_limited().to_response(&log_id)
            };
            set_retry_after(&mut response, retry_after_secs);
            Err(response)
        }
        Fault::ServerError { status } => {
            let status = StatusCode::from_u16(status)
                .ok()
                .filter(StatusCode::is_server_error)
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            Err(if endpoint.is_display_api() {
                DisplayError::new(
                    DisplayErrorCode::InternalError,
                    "Something went wrong. Please try again later.",
                )
                .with_status(status)
                .to_response(&log_id)
            } else {
                OAuthError::server_error(status).to_response(&log_id)
            })
        }
        Fault::CustomError { status, code } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            Err(custom_error(
                endpoint.is_display_api(),
                status,
                &code,
                &log_id,
            ))
        }
        other => Ok(Some(other)),
    }
}

/// The first value of `name` in a URL-encoded string (query or form body).
pub(crate) fn first_value<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}
