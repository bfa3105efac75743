//! Admission of a Data API or Analytics call: the injected fault, the credential (a bearer
//! token, or an API key for public data), then the quota. A call admitted here has been
//! charged, whatever it answers next ("every request, including an invalid one, costs at
//! least one unit"); a refused credential is not charged (its project is not known).

use actix_web::http::StatusCode;
use actix_web::http::header::{ETAG, IF_NONE_MATCH};
use actix_web::{HttpRequest, HttpResponse};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use super::{count_and_apply_fault, field, token_of};
use crate::config::MethodCost;
use crate::endpoint::Endpoint;
use crate::grants::Bearer;
use crate::state::SandboxState;
use crate::wire::{GoogleError, json_response};

/// An answer that ends a call early (boxed: responses are large, and they travel in
/// `Result`s).
pub(crate) struct Rejection(Box<HttpResponse>);

impl From<Rejection> for HttpResponse {
    fn from(rejection: Rejection) -> Self {
        *rejection.0
    }
}

/// Who is calling.
#[derive(Debug, Clone)]
pub(crate) enum Caller {
    /// An OAuth access token.
    Bearer(Bearer),
    /// An API key: public data only.
    ApiKey,
}

/// A call past the gate.
pub(crate) struct Admitted<'a> {
    pub(crate) state: &'a SandboxState,
    pub(crate) caller: Caller,
    pub(crate) client_id: String,
    pub(crate) cost: MethodCost,
}

impl Admitted<'_> {
    /// The bearer, if the call carries a token.
    pub(crate) fn bearer(&self) -> Option<&Bearer> {
        match &self.caller {
            Caller::Bearer(bearer) => Some(bearer),
            Caller::ApiKey => None,
        }
    }

    /// The caller's account index, if a token names one.
    pub(crate) fn account(&self) -> Option<usize> {
        self.bearer().map(|bearer| bearer.account)
    }

    /// Whether the token carries a scope that reads YouTube data.
    pub(crate) fn can_read_youtube(&self) -> bool {
        self.bearer().is_some_and(|bearer| {
            [
                crate::scope::YOUTUBE_READONLY,
                crate::scope::YOUTUBE,
                crate::scope::YOUTUBE_FORCE_SSL,
                crate::scope::YOUTUBEPARTNER,
            ]
            .iter()
            .any(|scope| bearer.has_scope(scope))
        })
    }

    /// An error answer in the configured shape.
    pub(crate) fn error(&self, error: &GoogleError) -> Rejection {
        Rejection(Box::new(
            error.to_response(self.state.config.error_status_field),
        ))
    }

    /// `401 youtubeSignupRequired` when the token's account has no channel: every Data API
    /// call but `channels.list?mine=true` answers so.
    pub(crate) fn require_channel(&self) -> Result<(), Rejection> {
        match self.account() {
            Some(account) if self.state.catalog.accounts[account].channel.is_none() => {
                Err(self.error(&GoogleError::youtube_signup_required()))
            }
            _ => Ok(()),
        }
    }

    /// A 200 list answer with its `etag`; a matching `If-None-Match` gets a `304` charged
    /// the configured units instead of the method's.
    pub(crate) fn list(&self, request: &HttpRequest, mut body: Value) -> HttpResponse {
        if !self.state.config.etags {
            return json_response(StatusCode::OK, &body);
        }
        let etag = etag_of(&body);
        if let Some(object) = body.as_object_mut() {
            object.insert("etag".to_owned(), json!(etag));
        }
        let matches = request
            .headers()
            .get(IF_NONE_MATCH)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| {
                value.split(',').any(|candidate| {
                    candidate.trim().trim_start_matches("W/").trim_matches('"') == etag
                })
            });
        if matches {
            let refund = self
                .cost
                .units
                .saturating_sub(self.state.quota.not_modified_units());
            self.state
                .quota
                .refund(&self.client_id, self.cost.bucket, refund);
            return HttpResponse::NotModified()
                .insert_header((ETAG, format!("\"{etag}\"")))
                .finish();
        }
        let mut response = json_response(StatusCode::OK, &body);
        if let Ok(value) = format!("\"{etag}\"").parse() {
            response.headers_mut().insert(ETAG, value);
        }
        response
    }
}

/// An opaque ETag of a body (without its own `etag`).
pub(crate) fn etag_of(body: &Value) -> String {
    URL_SAFE_NO_PAD.encode(&Sha256::digest(body.to_string().as_bytes())[..18])
}

/// Runs the fault, credential and quota checks of `endpoint`.
pub(crate) async fn admit<'a>(
    state: &'a SandboxState,
    request: &HttpRequest,
    pairs: &[(String, String)],
    endpoint: Endpoint,
) -> Result<Admitted<'a>, HttpResponse> {
    count_and_apply_fault(state, endpoint).await?;
    let status_field = state.config.error_status_field;
    let now = state.clock.now();
    let (caller, client_id) = if let Some(token) = token_of(request, pairs) {
        match state.auth.bearer(&token, now) {
            Ok(bearer) => {
                let client_id = bearer.client_id.clone();
                (Caller::Bearer(bearer), client_id)
            }
            Err(refusal) => {
                tracing::info!(?refusal, endpoint = endpoint.name(), "access token refused");
                return Err(GoogleError::auth_error().to_response(status_field));
            }
        }
    } else if let Some(key) = field(pairs, "key") {
        match state.client_by_key(key) {
            Some(client) => (Caller::ApiKey, client.client_id.clone()),
            None => {
                let error = GoogleError::new(
                    StatusCode::BAD_REQUEST,
                    "usageLimits",
                    "keyInvalid",
                    "API key not valid. Please pass a valid API key.",
                );
                return Err(error.to_response(status_field));
            }
        }
    } else {
        return Err(GoogleError::login_required().to_response(status_field));
    };
    let method = endpoint.method().unwrap_or("unknown");
    match state.quota.admit(&client_id, method, now) {
        Ok(cost) => Ok(Admitted {
            state,
            caller,
            client_id,
            cost,
        }),
        Err(refusal) => {
            tracing::info!(?refusal, method, "quota refused a call");
            let error = state
                .quota
                .refusal_error(refusal, &state.project_number(Some(&client_id)));
            Err(error.to_response(status_field))
        }
    }
}

/// Checks `part`: present, and every entry one of `known`. Returns the parts asked for.
pub(crate) fn parts(
    admitted: &Admitted<'_>,
    pairs: &[(String, String)],
    known: &[&str],
) -> Result<Vec<String>, Rejection> {
    let parts = super::comma_list(field(pairs, "part"));
    if parts.is_empty() {
        return Err(admitted.error(&GoogleError::required_parameter("part")));
    }
    if let Some(unknown) = parts.iter().find(|part| !known.contains(&part.as_str())) {
        return Err(admitted.error(&GoogleError::unknown_part(unknown)));
    }
    Ok(parts)
}

/// `maxResults` within `0..=50`, or its default.
pub(crate) fn max_results(
    admitted: &Admitted<'_>,
    pairs: &[(String, String)],
    default: usize,
) -> Result<usize, Rejection> {
    match field(pairs, "maxResults") {
        None => Ok(default),
        Some(text) => match text.parse::<usize>() {
            Ok(value) if value <= 50 => Ok(value),
            _ => Err(admitted.error(&GoogleError::invalid_value(
                "maxResults",
                format!("Invalid value '{text}'. Values must be within the range: [0, 50]"),
            ))),
        },
    }
}
