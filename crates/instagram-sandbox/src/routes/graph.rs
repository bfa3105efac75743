//! `graph.instagram.com` under `/graph/`: the long-lived exchange and refresh (unversioned or
//! versioned), and the versioned nodes and edges (`/{vNN.0}/me`, `/{id}`, `/{id}/media`,
//! `/children`, `/stories`, `/insights`), with the token in `access_token` or a bearer header,
//! the per-account budget and its usage headers on every admitted call.

use actix_web::http::StatusCode;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::fields::{FieldSpec, MediaContext, parse_fields, render_media, render_profile};
use super::{count_and_apply_fault, first_value, insights, long_lived, media_list};
use crate::endpoint::Endpoint;
use crate::fault::Fault;
use crate::grants::Bearer;
use crate::rate_limit::Usage;
use crate::scope::BASIC;
use crate::state::SandboxState;
use crate::wire::{GraphError, json_response};

/// A parsed Graph path.
#[derive(Debug)]
struct GraphPath {
    /// `NN` of `vNN.0`, when versioned.
    version: Option<u32>,
    segments: Vec<String>,
}

fn parse_path(tail: &str) -> GraphPath {
    let mut segments: Vec<String> = tail
        .split('/')
        .filter(|segment| !segment.is_empty())
        .map(str::to_owned)
        .collect();
    let version = segments.first().and_then(|first| {
        let number = first.strip_prefix('v')?.strip_suffix(".0")?;
        number.parse::<u32>().ok()
    });
    if version.is_some() {
        segments.remove(0);
    }
    GraphPath { version, segments }
}

fn query_pairs(request: &HttpRequest) -> Vec<(String, String)> {
    serde_urlencoded::from_str(request.query_string()).unwrap_or_default()
}

/// The token from `access_token=` or `Authorization: Bearer`.
pub(crate) fn token_of(request: &HttpRequest, pairs: &[(String, String)]) -> Option<String> {
    if let Some(token) = first_value(pairs, "access_token").filter(|t| !t.is_empty()) {
        return Some(token.to_owned());
    }
    let value = request.headers().get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty())
        .then(|| token.trim().to_owned())
}

/// Anything but GET on the Graph host.
pub(crate) async fn other_method(
    state: web::Data<SandboxState>,
    request: HttpRequest,
    path: web::Path<String>,
) -> HttpResponse {
    let parsed = parse_path(&path);
    if parsed.segments.first().map(String::as_str) == Some("refresh_access_token") {
        state.calls.record(Endpoint::Refresh);
    }
    GraphError::unsupported_method(&request.method().as_str().to_ascii_lowercase()).to_response()
}

/// `GET /graph/...`.
pub(crate) async fn get(
    state: web::Data<SandboxState>,
    request: HttpRequest,
    path: web::Path<String>,
) -> HttpResponse {
    let path = parse_path(&path);
    let pairs = query_pairs(&request);
    let segments: Vec<&str> = path.segments.iter().map(String::as_str).collect();
    match segments.as_slice() {
        ["access_token"] => long_lived::exchange(&state, &request, &pairs).await,
        ["refresh_access_token"] => long_lived::refresh(&state, &request, &pairs).await,
        // Unversioned node reads go to the app's default version, as Meta's do.
        _ => node(&state, &request, &pairs, path.version, &segments).await,
    }
}

/// An admitted Graph read: who asks, for which account, with what usage.
pub(crate) struct GraphCall<'a> {
    pub(crate) state: &'a SandboxState,
    pub(crate) bearer: Bearer,
    pub(crate) usage: Usage,
    pub(crate) version: Option<u32>,
    pub(crate) pairs: Vec<(String, String)>,
}

impl GraphCall<'_> {
    fn with_headers(&self, mut response: HttpResponse) -> HttpResponse {
        let account = &self.state.catalog.accounts[self.bearer.account];
        let headers = response.headers_mut();
        if let Ok(value) = self.usage.app_header().parse() {
            headers.insert(
                actix_web::http::header::HeaderName::from_static("x-app-usage"),
                value,
            );
        }
        if let Ok(value) = self.usage.business_header(&account.ig_user_id).parse() {
            headers.insert(
                actix_web::http::header::HeaderName::from_static("x-business-use-case-usage"),
                value,
            );
        }
        response
    }

    pub(crate) fn ok(&self, body: &Value) -> HttpResponse {
        self.with_headers(json_response(StatusCode::OK, body))
    }

    pub(crate) fn error(&self, error: &GraphError) -> HttpResponse {
        self.with_headers(error.to_response())
    }

    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        first_value(&self.pairs, name).filter(|value| !value.is_empty())
    }

    pub(crate) fn fields(&self) -> Result<Option<Vec<FieldSpec>>, GraphError> {
        match self.param("fields") {
            None => Ok(None),
            Some(raw) => parse_fields(raw).map(Some).ok_or_else(|| {
                GraphError::invalid_parameter("Syntax error in the fields parameter")
            }),
        }
    }
}

/// What a node path names.
enum Target {
    Account(usize),
    Media(usize),
}

async fn node(
    state: &SandboxState,
    request: &HttpRequest,
    pairs: &[(String, String)],
    version: Option<u32>,
    segments: &[&str],
) -> HttpResponse {
    let (id, edge) = match segments {
        [id] => (*id, None),
        [id, edge] => (*id, Some(*edge)),
        _ => {
            return GraphError::new(2500, "OAuthException", "Unknown path components")
                .to_response();
        }
    };
    let endpoint = match edge {
        None if id == "me" || state.catalog.account(id).is_some() => Endpoint::Profile,
        None => Endpoint::Media,
        Some("media") => Endpoint::MediaList,
        Some("children") => Endpoint::Children,
        Some("stories") => Endpoint::Stories,
        Some("insights") if id == "me" || state.catalog.account(id).is_some() => {
            Endpoint::AccountInsights
        }
        Some("insights") => Endpoint::MediaInsights,
        Some(other) => {
            return GraphError::new(
                2500,
                "OAuthException",
                format!("Unknown path components: /{other}"),
            )
            .to_response();
        }
    };
    let fault = match count_and_apply_fault(state, endpoint).await {
        Ok(fault) => fault,
        Err(response) => return response,
    };
    let now = state.clock.now();
    let bearer = match token_of(request, pairs) {
        Some(token) => match state.auth.bearer(&token, now) {
            Ok(bearer) => bearer,
            Err(error) => return error.to_response(),
        },
        None => {
            return GraphError::new(
                2500,
                "OAuthException",
                "An active access token must be used to query information about the current user.",
            )
            .to_response();
        }
    };
    let account = &state.catalog.accounts[bearer.account];
    if let Some(Fault::Throttled { regain_minutes, .. }) = &fault {
        state
            .limits
            .throttle(&bearer.app_id, bearer.account, *regain_minutes, now);
    }
    let usage = match state.limits.admit(
        &bearer.app_id,
        bearer.account,
        account.daily_impressions,
        now,
    ) {
        Ok(usage) => usage,
        Err(throttled) => {
            let (code, status) = match &fault {
                Some(Fault::Throttled { code, status, .. }) => (
                    *code,
                    status
                        .and_then(|s| StatusCode::from_u16(s).ok())
                        .unwrap_or(StatusCode::BAD_REQUEST),
                ),
                _ => (
                    state.config.throttle.code,
                    StatusCode::from_u16(state.config.throttle.status)
                        .unwrap_or(StatusCode::BAD_REQUEST),
                ),
            };
            let call = GraphCall {
                state,
                bearer,
                usage: throttled.0,
                version,
                pairs: pairs.to_vec(),
            };
            return call.error(&GraphError::throttled(code, status));
        }
    };
    let call = GraphCall {
        state,
        bearer,
        usage,
        version,
        pairs: pairs.to_vec(),
    };
    // Only the token owner's own nodes are visible.
    let target = if id == "me" {
        Target::Account(call.bearer.account)
    } else if let Some((index, _)) = state.catalog.account(id) {
        Target::Account(index)
    } else if let Some((owner, _)) = state.catalog.media(id) {
        Target::Media(owner)
    } else {
        return call.error(&GraphError::no_such_object(id));
    };
    let owner = match target {
        Target::Account(index) | Target::Media(index) => index,
    };
    if owner != call.bearer.account {
        return call.error(&GraphError::no_such_object(id));
    }
    if !call.bearer.has_scope(BASIC) {
        return call.error(&GraphError::permission_missing(BASIC));
    }
    let outcome = match (endpoint, target) {
        (Endpoint::Profile, Target::Account(index)) => profile(&call, index),
        (Endpoint::MediaList, Target::Account(index)) => media_list::page(&call, index, id),
        (Endpoint::Stories, Target::Account(index)) => stories(&call, index),
        (Endpoint::AccountInsights, Target::Account(index)) => insights::account(&call, index),
        (Endpoint::Media, Target::Media(_)) => media_node(&call, id),
        (Endpoint::Children, Target::Media(_)) => children(&call, id),
        (Endpoint::MediaInsights, Target::Media(_)) => insights::media(&call, id),
        _ => Err(GraphError::no_such_object(id)),
    };
    match outcome {
        Ok(body) => call.ok(&body),
        Err(error) => call.error(&error),
    }
}

fn profile(call: &GraphCall<'_>, index: usize) -> Result<Value, GraphError> {
    let state = call.state;
    let account = &state.catalog.accounts[index];
    let now = state.clock.now();
    let fields = call.fields()?.unwrap_or_default();
    let picture_base = state
        .base_url
        .join("sandbox/cdn/profile/")
        .map(|u| u.to_string())
        .unwrap_or_default();
    render_profile(
        account,
        &fields,
        account.followers_at(state.catalog.start, now),
        account.media_at(now).count() as u64,
        &picture_base,
    )
}

pub(crate) fn context(state: &SandboxState) -> (String, chrono::DateTime<chrono::Utc>) {
    let cdn = state
        .base_url
        .join("sandbox/cdn/media/")
        .map(|u| u.to_string())
        .unwrap_or_default();
    (cdn, state.clock.now())
}

fn media_node(call: &GraphCall<'_>, id: &str) -> Result<Value, GraphError> {
    let state = call.state;
    let (_, media) = state
        .catalog
        .media(id)
        .ok_or_else(|| GraphError::no_such_object(id))?;
    let (cdn, now) = context(state);
    let fields = call.fields()?.unwrap_or_default();
    render_media(
        media,
        &fields,
        &MediaContext {
            now,
            media_product_type: state.config.media_product_type,
            cdn_base: &cdn,
        },
    )
}

fn children(call: &GraphCall<'_>, id: &str) -> Result<Value, GraphError> {
    let state = call.state;
    let (_, media) = state
        .catalog
        .media(id)
        .ok_or_else(|| GraphError::no_such_object(id))?;
    let (cdn, now) = context(state);
    let fields = call.fields()?.unwrap_or_default();
    let context = MediaContext {
        now,
        media_product_type: state.config.media_product_type,
        cdn_base: &cdn,
    };
    let data = media
        .children
        .iter()
        .map(|child| render_media(child, &fields, &context))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(json!({ "data": data }))
}

fn stories(call: &GraphCall<'_>, index: usize) -> Result<Value, GraphError> {
    let state = call.state;
    let (cdn, now) = context(state);
    let fields = call.fields()?.unwrap_or_default();
    let context = MediaContext {
        now,
        media_product_type: state.config.media_product_type,
        cdn_base: &cdn,
    };
    let data = state.catalog.accounts[index]
        .live_stories(now)
        .map(|story| render_media(story, &fields, &context))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(json!({ "data": data }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_version_and_segments() {
        let path = parse_path("v25.0/17841400000000000/media");
        assert_eq!(path.version, Some(25));
        assert_eq!(path.segments, ["17841400000000000", "media"]);
        let path = parse_path("refresh_access_token");
        assert_eq!(path.version, None);
        assert_eq!(parse_path("vX.0/me").segments, ["vX.0", "me"]);
    }
}
