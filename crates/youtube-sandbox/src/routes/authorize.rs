//! The authorization window (reference section 2): `GET /o/oauth2/v2/auth` shows Google's
//! account chooser and granular consent screen, `POST` takes its form and redirects back.
//!
//! A request that is wrong in itself (unknown client, unregistered redirect URI, bad scope
//! or PKCE parameters) shows an error page and never redirects, as Google's do: the popup
//! simply stays open.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, web};
use url::Url;

use super::consent_page::{render_consent_page, render_error_page};
use super::{count_and_apply_fault, field, first_value, query_pairs};
use crate::endpoint::Endpoint;
use crate::grants::{ChallengeMethod, PendingCode};
use crate::scope::{is_known, is_sign_in, parse_list};
use crate::state::SandboxState;

/// The hours of time-based access the page offers, when configured.
pub(crate) const ACCESS_HOURS: [u64; 3] = [1, 24, 168];

/// Why the request cannot be shown: Google's error code and a sentence.
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
    pub(crate) offline: bool,
    pub(crate) prompt: Vec<String>,
    pub(crate) include_granted_scopes: bool,
    pub(crate) challenge: Option<(String, ChallengeMethod)>,
    pub(crate) login_hint: Option<String>,
    pub(crate) testing: bool,
}

impl AuthorizeRequest {
    fn parse(state: &SandboxState, pairs: &[(String, String)]) -> Result<Self, PageError> {
        let value = |name| field(pairs, name);
        let client_id = value("client_id").ok_or_else(|| {
            PageError::new("invalid_request", "Missing required parameter: client_id")
        })?;
        let client = state
            .client(client_id)
            .ok_or_else(|| PageError::new("invalid_client", "The OAuth client was not found."))?;
        let redirect_uri = value("redirect_uri").ok_or_else(|| {
            PageError::new(
                "invalid_request",
                "Missing required parameter: redirect_uri",
            )
        })?;
        if !client.redirect_uris.iter().any(|uri| uri == redirect_uri) {
            return Err(PageError::new(
                "redirect_uri_mismatch",
                format!(
                    "You can't sign in to this app because it doesn't comply with Google's OAuth \
                     2.0 policy. If you're the app developer, register the redirect URI in the \
                     Google Cloud Console. Request details: redirect_uri={redirect_uri}"
                ),
            ));
        }
        if value("response_type") != Some("code") {
            return Err(PageError::new(
                "unsupported_response_type",
                "Invalid response_type: the web-server flow needs response_type=code.",
            ));
        }
        let scopes = parse_list(value("scope").unwrap_or_default());
        if scopes.is_empty() {
            return Err(PageError::new(
                "invalid_request",
                "Missing required parameter: scope",
            ));
        }
        if let Some(unknown) = scopes.iter().find(|scope| !is_known(scope)) {
            return Err(PageError::new(
                "invalid_scope",
                format!("Some requested scopes were invalid. {{invalid=[{unknown}]}}"),
            ));
        }
        let offline = match value("access_type") {
            None | Some("online") => false,
            Some("offline") => true,
            Some(other) => {
                return Err(PageError::new(
                    "invalid_request",
                    format!("Invalid access_type: {other}"),
                ));
            }
        };
        let prompt: Vec<String> = value("prompt")
            .unwrap_or_default()
            .split(' ')
            .filter(|item| !item.is_empty())
            .map(str::to_owned)
            .collect();
        if let Some(bad) = prompt
            .iter()
            .find(|item| !matches!(item.as_str(), "none" | "consent" | "select_account"))
        {
            return Err(PageError::new(
                "invalid_request",
                format!("Invalid prompt: {bad}"),
            ));
        }
        if prompt.iter().any(|item| item == "none") && prompt.len() > 1 {
            return Err(PageError::new(
                "invalid_request",
                "prompt=none cannot be combined with other values.",
            ));
        }
        let include_granted_scopes = match value("include_granted_scopes") {
            None | Some("false") => false,
            Some("true") => true,
            Some(other) => {
                return Err(PageError::new(
                    "invalid_request",
                    format!("Invalid include_granted_scopes: {other}"),
                ));
            }
        };
        let challenge = match value("code_challenge") {
            None => None,
            Some(challenge) => {
                let method = match value("code_challenge_method") {
                    Some("S256") => ChallengeMethod::S256,
                    None | Some("plain") => ChallengeMethod::Plain,
                    Some(other) => {
                        return Err(PageError::new(
                            "invalid_request",
                            format!("Invalid code_challenge_method: {other}"),
                        ));
                    }
                };
                let valid_length = match method {
                    ChallengeMethod::S256 => challenge.len() == 43,
                    ChallengeMethod::Plain => (43..=128).contains(&challenge.len()),
                };
                if !valid_length {
                    return Err(PageError::new("invalid_request", "Invalid code_challenge."));
                }
                Some((challenge.to_owned(), method))
            }
        };
        Ok(Self {
            client_id: client_id.to_owned(),
            redirect_uri: redirect_uri.to_owned(),
            scopes,
            state: value("state").map(str::to_owned),
            offline,
            prompt,
            include_granted_scopes,
            challenge,
            login_hint: value("login_hint").map(str::to_owned),
            testing: client.publishing_status == crate::config::PublishingStatus::Testing,
        })
    }

    /// The redirect URI with `state` first, then `pairs`.
    fn callback(&self, pairs: &[(&str, &str)]) -> Result<Url, PageError> {
        let mut url = Url::parse(&self.redirect_uri)
            .map_err(|_| PageError::new("invalid_request", "redirect_uri is not a valid URL."))?;
        {
            let mut query = url.query_pairs_mut();
            if let Some(state) = &self.state {
                query.append_pair("state", state);
            }
            query.extend_pairs(pairs);
        }
        Ok(url)
    }

    fn forced_consent(&self) -> bool {
        self.prompt.iter().any(|item| item == "consent")
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

/// `GET /o/oauth2/v2/auth`: the consent page.
pub(crate) async fn show_consent_page(
    state: web::Data<SandboxState>,
    request: HttpRequest,
) -> HttpResponse {
    if let Err(response) = count_and_apply_fault(&state, Endpoint::Authorize).await {
        return response;
    }
    let pairs = query_pairs(&request);
    match AuthorizeRequest::parse(&state, &pairs) {
        // No Google session exists in the sandbox, so `prompt=none` can never pass silently.
        Ok(authorize) if authorize.prompt.iter().any(|item| item == "none") => {
            match authorize.callback(&[("error", "interaction_required")]) {
                Ok(url) => redirect(&url),
                Err(error) => error_page(&error, StatusCode::BAD_REQUEST),
            }
        }
        Ok(authorize) => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(render_consent_page(
                &authorize,
                &state.catalog.accounts,
                state.config.offer_time_based_access,
            )),
        Err(error) => {
            tracing::info!(error = error.code, "authorize request refused");
            error_page(&error, StatusCode::BAD_REQUEST)
        }
    }
}

/// `POST /o/oauth2/v2/auth`: the consent form (see the crate docs for its fields).
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
    let outcome = match first_value(&pairs, "decision") {
        Some("allow") => approve(&state, &authorize, &pairs),
        Some("deny") => authorize.callback(&[("error", "access_denied")]),
        _ => Err(PageError::new(
            "invalid_request",
            "decision must be allow or deny.",
        )),
    };
    match outcome {
        Ok(url) => redirect(&url),
        Err(error) => error_page(&error, StatusCode::BAD_REQUEST),
    }
}

fn approve(
    state: &SandboxState,
    authorize: &AuthorizeRequest,
    pairs: &[(String, String)],
) -> Result<Url, PageError> {
    let account = first_value(pairs, "account")
        .and_then(|email| {
            state
                .catalog
                .accounts
                .iter()
                .position(|account| account.spec.email == email)
        })
        .ok_or_else(|| PageError::new("invalid_request", "account is not a sandbox account."))?;
    // Sign-In scopes were consented on the first screen; the others only when left ticked.
    let mut scopes: Vec<String> = authorize
        .scopes
        .iter()
        .filter(|scope| {
            is_sign_in(scope)
                || pairs
                    .iter()
                    .any(|(key, value)| key == "scope_choice" && value == *scope)
        })
        .cloned()
        .collect();
    if authorize.include_granted_scopes {
        for previous in state.auth.granted_scopes(&authorize.client_id, account) {
            if !scopes.contains(&previous) {
                scopes.push(previous);
            }
        }
    }
    let access_limit = match field(pairs, "access_hours") {
        Some(hours) if state.config.offer_time_based_access => {
            let hours: u64 = hours
                .parse()
                .ok()
                .filter(|hours| ACCESS_HOURS.contains(hours))
                .ok_or_else(|| PageError::new("invalid_request", "Invalid access_hours."))?;
            Some(Duration::from_secs(hours * 3_600))
        }
        _ => None,
    };
    let expires_at = state.clock.now()
        + chrono::Duration::from_std(state.config.code_lifetime)
            .unwrap_or(chrono::Duration::minutes(10));
    let code = state.auth.issue_code(PendingCode {
        client_id: authorize.client_id.clone(),
        redirect_uri: authorize.redirect_uri.clone(),
        account,
        scopes: scopes.clone(),
        offline: authorize.offline,
        forced_consent: authorize.forced_consent(),
        challenge: authorize.challenge.clone(),
        access_limit,
        expires_at,
    });
    tracing::info!(client_id = authorize.client_id, "consent given");
    let granted = scopes.join(" ");
    let prompt = if authorize.forced_consent() {
        "consent"
    } else {
        "none"
    };
    authorize.callback(&[
        ("code", &code),
        ("scope", &granted),
        ("authuser", "0"),
        ("prompt", prompt),
    ])
}
