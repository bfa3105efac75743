//! The authorization window (reference section 2): `GET /www/oauth/authorize` shows the
//! consent page, `POST` takes its form and redirects back to the app.
//!
//! A request that is wrong in itself (unknown app, unregistered redirect URI, bad scope)
//! shows an error page and never redirects: only a valid request may send the browser back.

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, web};
use url::Url;

use super::consent_page::{render_consent_page, render_error_page};
use super::{count_and_apply_fault, first_value};
use crate::accounts::AccountKind;
use crate::endpoint::Endpoint;
use crate::grants::PendingCode;
use crate::scope::{BASIC, is_known, parse_list};
use crate::state::SandboxState;

/// The `error_description` of a denial (as documented).
pub(crate) const DENIED_DESCRIPTION: &str = "The user denied your request";

/// Why the request cannot be shown: an error code and a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PageError {
    pub(crate) code: &'static str,
    pub(crate) message: String,
}

impl PageError {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// A validated authorization request (from the URL, or echoed back by the form).
#[derive(Debug, Clone)]
pub(crate) struct AuthorizeRequest {
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) state: Option<String>,
}

fn parse_flag(value: Option<&str>, name: &str) -> Result<(), PageError> {
    match value {
        None | Some("" | "0" | "1" | "true" | "false") => Ok(()),
        Some(_) => Err(PageError::new(
            "invalid_request",
            format!("{name} must be 0, 1, true or false."),
        )),
    }
}

impl AuthorizeRequest {
    fn parse(state: &SandboxState, pairs: &[(String, String)]) -> Result<Self, PageError> {
        let field = |name| first_value(pairs, name).filter(|value| !value.is_empty());
        let client_id = field("client_id")
            .ok_or_else(|| PageError::new("invalid_client", "client_id is required."))?;
        let app = state
            .app(client_id)
            .ok_or_else(|| PageError::new("invalid_client", "Invalid platform app"))?;
        let redirect_uri = field("redirect_uri")
            .ok_or_else(|| PageError::new("invalid_request", "redirect_uri is required."))?;
        if !app.redirect_uris.iter().any(|uri| uri == redirect_uri) {
            return Err(PageError::new(
                "invalid_request",
                "Invalid redirect_uri: it is not one of the app's valid OAuth redirect URIs.",
            ));
        }
        if field("response_type") != Some("code") {
            return Err(PageError::new(
                "unsupported_response_type",
                "response_type must be code.",
            ));
        }
        let scopes = parse_list(field("scope").unwrap_or_default());
        if let Some(unknown) = scopes.iter().find(|scope| !is_known(scope)) {
            return Err(PageError::new(
                "invalid_scope",
                format!("Invalid scope: {unknown}"),
            ));
        }
        if !scopes.iter().any(|scope| scope == BASIC) {
            return Err(PageError::new(
                "invalid_scope",
                format!("{BASIC} is required."),
            ));
        }
        parse_flag(field("enable_fb_login"), "enable_fb_login")?;
        parse_flag(field("force_authentication"), "force_authentication")?;
        parse_flag(field("force_reauth"), "force_reauth")?;
        Ok(Self {
            client_id: client_id.to_owned(),
            redirect_uri: redirect_uri.to_owned(),
            scopes,
            state: field("state").map(str::to_owned),
        })
    }

    /// The redirect URI with `pairs`, then `state`, then `#_` when configured.
    fn callback(&self, pairs: &[(&str, &str)], fragment: bool) -> Result<Url, PageError> {
        let mut url = Url::parse(&self.redirect_uri)
            .map_err(|_| PageError::new("invalid_request", "redirect_uri is not a valid URL."))?;
        {
            let mut query = url.query_pairs_mut();
            query.extend_pairs(pairs);
            if let Some(state) = &self.state {
                query.append_pair("state", state);
            }
        }
        if fragment {
            url.set_fragment(Some("_"));
        }
        Ok(url)
    }
}

fn error_page(error: &PageError, status: StatusCode) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(render_error_page(error))
}

fn redirect(to: &Url) -> HttpResponse {
    HttpResponse::Found()
        .insert_header((LOCATION, to.as_str()))
        .finish()
}

/// `GET /www/oauth/authorize`: the consent page.
pub(crate) async fn show_consent_page(
    state: web::Data<SandboxState>,
    request: HttpRequest,
) -> HttpResponse {
    if let Err(response) = count_and_apply_fault(&state, Endpoint::Authorize).await {
        return response;
    }
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(request.query_string()).unwrap_or_default();
    match AuthorizeRequest::parse(&state, &pairs) {
        Ok(authorize) => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(render_consent_page(&authorize, &state.catalog.accounts)),
        Err(error) => {
            tracing::info!(error = error.code, "authorize request refused");
            error_page(&error, StatusCode::BAD_REQUEST)
        }
    }
}

/// `POST /www/oauth/authorize`: the consent form (see the crate docs for its fields).
pub(crate) async fn submit_consent(
    state: web::Data<SandboxState>,
    body: web::Bytes,
) -> HttpResponse {
    if let Err(response) = count_and_apply_fault(&state, Endpoint::Authorize).await {
        return response;
    }
    let Ok(pairs) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body) else {
        let error = PageError::new("invalid_request", "The form body is not URL-encoded.");
        return error_page(&error, StatusCode::BAD_REQUEST);
    };
    // The hidden fields are re-checked: the form is as untrusted as the URL was.
    let authorize = match AuthorizeRequest::parse(&state, &pairs) {
        Ok(authorize) => authorize,
        Err(error) => return error_page(&error, StatusCode::BAD_REQUEST),
    };
    let fragment = state.config.append_fragment;
    let outcome = match first_value(&pairs, "decision") {
        Some("approve") => approve(&state, &authorize, &pairs),
        Some("deny") => authorize.callback(
            &[
                ("error", "access_denied"),
                ("error_reason", "user_denied"),
                ("error_description", DENIED_DESCRIPTION),
            ],
            fragment,
        ),
        _ => Err(PageError::new(
            "invalid_request",
            "decision must be approve or deny.",
        )),
    };
    match outcome {
        Ok(url) => redirect(&url),
        Err(error) if error.code == "personal_account" => error_page(&error, StatusCode::FORBIDDEN),
        Err(error) => error_page(&error, StatusCode::BAD_REQUEST),
    }
}

fn approve(
    state: &SandboxState,
    authorize: &AuthorizeRequest,
    pairs: &[(String, String)],
) -> Result<Url, PageError> {
    let account = first_value(pairs, "user_id")
        .and_then(|id| state.account_index(id))
        .ok_or_else(|| PageError::new("invalid_request", "user_id is not a sandbox account."))?;
    if state.catalog.accounts[account].spec.kind == AccountKind::Personal
        && !state.config.personal_login
    {
        return Err(PageError::new(
            "personal_account",
            "This account can't log in: Instagram API with Instagram Login needs a professional \
             (Business or Creator) account.",
        ));
    }
    // instagram_business_basic is always granted; the others only when left ticked.
    let scopes: Vec<String> = authorize
        .scopes
        .iter()
        .filter(|scope| {
            *scope == BASIC
                || pairs
                    .iter()
                    .any(|(key, value)| key == "granted_scope" && value == *scope)
        })
        .cloned()
        .collect();
    let expires_at = state.clock.now()
        + chrono::Duration::from_std(state.config.code_lifetime)
            .unwrap_or(chrono::Duration::hours(1));
    let code = state.auth.issue_code(PendingCode {
        app_id: authorize.client_id.clone(),
        redirect_uri: authorize.redirect_uri.clone(),
        account,
        scopes,
        expires_at,
    });
    tracing::info!(client_id = authorize.client_id, "consent given");
    authorize.callback(&[("code", &code)], state.config.append_fragment)
}
