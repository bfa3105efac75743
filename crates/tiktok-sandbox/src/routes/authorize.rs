//! `GET /v2/auth/authorize/` (the consent page) and `POST /v2/auth/authorize/` (its form).
//!
//! Errors in the request itself (unknown client, unregistered redirect URI, bad scope) show an
//! error page and never redirect: only a valid request may send the browser back to the app.

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, web};
use url::Url;

use super::consent_page::{render_consent_page, render_error_page};
use super::{count_and_apply_fault, first_value};
use crate::endpoint::Endpoint;
use crate::grants::PendingCode;
use crate::scope::{Scope, ScopeSet, format_scope_list, parse_scope_list};
use crate::state::SandboxState;
use crate::wire::OAuthError;

/// The description sent with `error=access_denied` when the creator cancels.
pub(crate) const ACCESS_DENIED_DESCRIPTION: &str = "The user denied the authorization request.";

/// A validated authorization request (from the URL, or echoed back by the form).
#[derive(Debug, Clone)]
pub(crate) struct AuthorizeRequest {
    pub(crate) client_key: String,
    pub(crate) redirect_uri: String,
    pub(crate) scopes: ScopeSet,
    pub(crate) state: Option<String>,
    pub(crate) code_challenge: Option<String>,
    pub(crate) code_challenge_method: Option<String>,
}

impl AuthorizeRequest {
    fn parse(state: &SandboxState, pairs: &[(String, String)]) -> Result<Self, OAuthError> {
        let field = |name| first_value(pairs, name).filter(|value| !value.is_empty());
        let client_key = field("client_key")
            .ok_or_else(|| OAuthError::invalid_client("client_key is required."))?;
        let client = state
            .client(client_key)
            .ok_or_else(|| OAuthError::invalid_client("client_key is not registered."))?;
        let redirect_uri = field("redirect_uri")
            .ok_or_else(|| OAuthError::invalid_request("redirect_uri is required."))?;
        if !client.redirect_uris.iter().any(|uri| uri == redirect_uri) {
            return Err(OAuthError::invalid_request(
                "redirect_uri is not registered for this client.",
            ));
        }
        if field("response_type") != Some("code") {
            return Err(OAuthError::unsupported_response_type(
                "response_type must be code.",
            ));
        }
        let scopes = parse_scope_list(field("scope").unwrap_or_default())
            .map_err(|unknown| OAuthError::invalid_scope(format!("Unknown scope: {unknown}.")))?;
        if scopes.is_empty() {
            return Err(OAuthError::invalid_scope("scope is required."));
        }
        let code_challenge = field("code_challenge").map(str::to_owned);
        let code_challenge_method = field("code_challenge_method").map(str::to_owned);
        match (&code_challenge, code_challenge_method.as_deref()) {
            (None, None) | (Some(_), Some("S256")) => {}
            (Some(_), _) => {
                return Err(OAuthError::invalid_request(
                    "code_challenge_method must be S256.",
                ));
            }
            (None, Some(_)) => {
                return Err(OAuthError::invalid_request(
                    "code_challenge_method was sent without code_challenge.",
                ));
            }
        }
        Ok(Self {
            client_key: client_key.to_owned(),
            redirect_uri: redirect_uri.to_owned(),
            scopes,
            state: field("state").map(str::to_owned),
            code_challenge,
            code_challenge_method,
        })
    }

    /// The redirect URI with `pairs` and then `state` appended.
    fn callback(&self, pairs: &[(&str, &str)]) -> Result<Url, OAuthError> {
        let mut url = Url::parse(&self.redirect_uri)
            .map_err(|_| OAuthError::invalid_request("redirect_uri is not a valid URL."))?;
        {
            let mut query = url.query_pairs_mut();
            query.extend_pairs(pairs);
            if let Some(state) = &self.state {
                query.append_pair("state", state);
            }
        }
        Ok(url)
    }
}

fn error_page(error: &OAuthError, log_id: &str) -> HttpResponse {
    HttpResponse::build(StatusCode::BAD_REQUEST)
        .content_type("text/html; charset=utf-8")
        .body(render_error_page(error, log_id))
}

fn redirect(to: &Url) -> HttpResponse {
    HttpResponse::Found()
        .insert_header((LOCATION, to.as_str()))
        .finish()
}

fn query_pairs(request: &HttpRequest) -> Vec<(String, String)> {
    serde_urlencoded::from_str(request.query_string()).unwrap_or_default()
}

/// `GET /v2/auth/authorize/`: the consent page.
pub(crate) async fn show_consent_page(
    state: web::Data<SandboxState>,
    request: HttpRequest,
) -> HttpResponse {
    if let Err(response) = count_and_apply_fault(&state, Endpoint::Authorize, false).await {
        return response;
    }
    let log_id = state.log_id();
    match AuthorizeRequest::parse(&state, &query_pairs(&request)) {
        Ok(authorize) => {
            if state.catalog.creators.is_empty() {
                let error = OAuthError::invalid_request("The sandbox has no creators to sign in.");
                return error_page(&error, &log_id);
            }
            let urls = state.urls();
            HttpResponse::Ok()
                .content_type("text/html; charset=utf-8")
                .body(render_consent_page(
                    &authorize,
                    &state.catalog.creators,
                    &urls,
                ))
        }
        Err(error) => {
            tracing::info!(error = error.error, log_id, "authorize request refused");
            error_page(&error, &log_id)
        }
    }
}

/// `POST /v2/auth/authorize/`: the consent form. See the crate docs for its fields.
pub(crate) async fn submit_consent(
    state: web::Data<SandboxState>,
    body: web::Bytes,
) -> HttpResponse {
    if let Err(response) = count_and_apply_fault(&state, Endpoint::Authorize, false).await {
        return response;
    }
    let log_id = state.log_id();
    let pairs: Vec<(String, String)> = match serde_urlencoded::from_bytes(&body) {
        Ok(pairs) => pairs,
        Err(_) => {
            let error = OAuthError::invalid_request("The form body is not URL-encoded.");
            return error_page(&error, &log_id);
        }
    };
    // The hidden fields are re-checked: the form is as untrusted as the URL was.
    let authorize = match AuthorizeRequest::parse(&state, &pairs) {
        Ok(authorize) => authorize,
        Err(error) => return error_page(&error, &log_id),
    };
    let outcome = match first_value(&pairs, "decision") {
        Some("authorize") => approve(&state, &authorize, &pairs),
        Some("cancel") => authorize.callback(&[
            ("error", "access_denied"),
            ("error_description", ACCESS_DENIED_DESCRIPTION),
        ]),
        _ => Err(OAuthError::invalid_request(
            "decision must be authorize or cancel.",
        )),
    };
    match outcome {
        Ok(url) => redirect(&url),
        Err(error) => error_page(&error, &log_id),
    }
}

/// The scopes the creator left ticked, within those requested. `user.info.basic` is TikTok's
/// default scope and is always granted when requested.
fn granted_scopes(authorize: &AuthorizeRequest, pairs: &[(String, String)]) -> ScopeSet {
    authorize
        .scopes
        .iter()
        .copied()
        .filter(|&scope| {
            scope == Scope::UserInfoBasic
                || pairs
                    .iter()
                    .any(|(key, value)| key == "granted_scope" && value == scope.as_str())
        })
        .collect()
}

fn approve(
    state: &SandboxState,
    authorize: &AuthorizeRequest,
    pairs: &[(String, String)],
) -> Result<Url, OAuthError> {
    let open_id = first_value(pairs, "open_id")
        .filter(|open_id| state.catalog.creator(open_id).is_some())
        .ok_or_else(|| OAuthError::invalid_request("open_id is not a sandbox creator."))?;
    let scopes = granted_scopes(authorize, pairs);
    if scopes.is_empty() {
        return authorize.callback(&[
            ("error", "access_denied"),
            ("error_description", ACCESS_DENIED_DESCRIPTION),
        ]);
    }
    let expires_at = state.clock.now()
        + chrono::Duration::from_std(state.config.code_lifetime)
            .unwrap_or(chrono::Duration::minutes(5));
    let code = state.auth.issue_code(PendingCode {
        client_key: authorize.client_key.clone(),
        redirect_uri: authorize.redirect_uri.clone(),
        open_id: open_id.to_owned(),
        scopes: scopes.clone(),
        code_challenge: authorize.code_challenge.clone(),
        expires_at,
    });
    tracing::info!(open_id, client_key = authorize.client_key, "consent given");
    authorize.callback(&[("code", &code), ("scopes", &format_scope_list(&scopes))])
}
