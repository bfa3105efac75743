//! The Display API: user info, video list and video query (reference sections 5 to 8).

use actix_web::http::header::{AUTHORIZATION, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Map, Value, json};

use super::{count_and_apply_fault, first_value};
use crate::data::{CreatorRecord, VideoRecord};
use crate::endpoint::Endpoint;
use crate::fault::Fault;
use crate::grants::Bearer;
use crate::rate_limit::LimitExceeded;
use crate::scope::{Scope, ScopeSet};
use crate::state::SandboxState;
use crate::wire::{DisplayError, DisplayErrorCode, envelope_ok};

/// User info fields and the scope each needs (reference section 6).
const USER_FIELDS: &[(&str, Scope)] = &[
    ("open_id", Scope::UserInfoBasic),
    ("union_id", Scope::UserInfoBasic),
    ("avatar_url", Scope::UserInfoBasic),
    ("avatar_url_100", Scope::UserInfoBasic),
    ("avatar_large_url", Scope::UserInfoBasic),
    ("display_name", Scope::UserInfoBasic),
    ("bio_description", Scope::UserInfoProfile),
    ("profile_deep_link", Scope::UserInfoProfile),
    ("is_verified", Scope::UserInfoProfile),
    ("username", Scope::UserInfoProfile),
    ("follower_count", Scope::UserInfoStats),
    ("following_count", Scope::UserInfoStats),
    ("likes_count", Scope::UserInfoStats),
    ("video_count", Scope::UserInfoStats),
];

/// Video fields (reference section 7); all need `video.list`.
const VIDEO_FIELDS: &[&str] = &[
    "id",
    "create_time",
    "cover_image_url",
    "share_url",
    "video_description",
    "duration",
    "height",
    "width",
    "title",
    "embed_html",
    "embed_link",
    "like_count",
    "comment_count",
    "share_count",
    "view_count",
];

/// The most videos one list page or one query may hold.
const MAX_PAGE: i64 = 20;
/// `max_count` when the body does not say.
const DEFAULT_PAGE: i64 = 10;

/// An authenticated, admitted Display API call.
struct Call<'a> {
    bearer: Bearer,
    creator: &'a CreatorRecord,
    log_id: String,
}

/// Counts the call, applies faults, checks the bearer token and the rate limits.
async fn open_call<'a>(
    state: &'a SandboxState,
    request: &HttpRequest,
    endpoint: Endpoint,
) -> Result<Call<'a>, HttpResponse> {
    let fault = count_and_apply_fault(state, endpoint, false).await?;
    let log_id = state.log_id();
    let reject = |error: DisplayError| error.to_response(&log_id);
    if fault == Some(Fault::AccessTokenInvalid) {
        return Err(reject(DisplayError::access_token_invalid()));
    }
    let now = state.clock.now();
    let bearer = bearer_token(request)
        .and_then(|token| state.auth.bearer(token, now))
        .ok_or_else(|| reject(DisplayError::access_token_invalid()))?;
    if let Err(exceeded) = state.limits.admit(&bearer.client_key, endpoint, now) {
        let (message, retry_after_secs) = match exceeded {
            LimitExceeded::PerMinute { retry_after_secs } => (
                "The API rate limit was exceeded. Please try again later.",
                retry_after_secs,
            ),
            LimitExceeded::Daily { retry_after_secs } => (
                "The daily API quota of this app was exceeded.",
                retry_after_secs,
            ),
        };
        let send = state.config.rate_limit_retry_after;
        return Err(reject(
            DisplayError::new(DisplayErrorCode::RateLimitExceeded, message)
                .with_retry_after(send.then_some(retry_after_secs)),
        ));
    }
    let creator = state
        .catalog
        .creator(&bearer.open_id)
        .ok_or_else(|| reject(DisplayError::access_token_invalid()))?;
    Ok(Call {
        bearer,
        creator,
        log_id,
    })
}

fn bearer_token(request: &HttpRequest) -> Option<&str> {
    let value = request.headers().get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// The `fields` query parameter, each name checked against `known`.
fn requested_fields<'k>(
    request: &HttpRequest,
    known: &[&'k str],
) -> Result<Vec<&'k str>, DisplayError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(request.query_string())
        .map_err(|_| DisplayError::invalid_params("The query string is malformed."))?;
    let fields = first_value(&pairs, "fields").unwrap_or_default();
    let mut chosen = Vec::new();
    for name in fields
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
    {
        let field = known
            .iter()
            .copied()
            .find(|&candidate| candidate == name)
            .ok_or_else(|| DisplayError::invalid_params(format!("Invalid field: {name}.")))?;
        if !chosen.contains(&field) {
            chosen.push(field);
        }
    }
    if chosen.is_empty() {
        return Err(DisplayError::invalid_params("fields is required."));
    }
    Ok(chosen)
}

fn keep_fields(full: Value, fields: &[&str]) -> Value {
    let Value::Object(full) = full else {
        return Value::Object(Map::new());
    };
    Value::Object(
        full.into_iter()
            .filter(|(key, _)| fields.contains(&key.as_str()))
            .collect(),
    )
}

fn user_json(state: &SandboxState, creator: &CreatorRecord) -> Value {
    let urls = state.urls();
    let summary = creator.summary(state.clock.day(), state.catalog.anchor_day, &urls);
    json!({
        "open_id": summary.open_id,
        "union_id": summary.union_id,
        "avatar_url": urls.avatar(&creator.open_id, 168),
        "avatar_url_100": urls.avatar(&creator.open_id, 100),
        "avatar_large_url": urls.avatar(&creator.open_id, 1080),
        "display_name": summary.display_name,
        "bio_description": summary.bio_description,
        "profile_deep_link": summary.profile_deep_link,
        "is_verified": summary.is_verified,
        "username": summary.username,
        "follower_count": summary.follower_count,
        "following_count": summary.following_count,
        "likes_count": summary.likes_count,
        "video_count": summary.video_count,
    })
}

/// `GET /v2/user/info/?fields=...`.
pub(crate) async fn user_info(
    state: web::Data<SandboxState>,
    request: HttpRequest,
) -> HttpResponse {
    let call = match open_call(&state, &request, Endpoint::UserInfo).await {
        Ok(call) => call,
        Err(response) => return response,
    };
    let names: Vec<&str> = USER_FIELDS.iter().map(|(name, _)| *name).collect();
    let fields = match requested_fields(&request, &names) {
        Ok(fields) => fields,
        Err(error) => return error.to_response(&call.log_id),
    };
    let missing: ScopeSet = USER_FIELDS
        .iter()
        .filter(|(name, scope)| fields.contains(name) && !call.bearer.scopes.contains(scope))
        .map(|(_, scope)| *scope)
        .collect();
    if !missing.is_empty() {
        let missing: Vec<&str> = missing.iter().map(|scope| scope.as_str()).collect();
        return DisplayError::new(
            DisplayErrorCode::ScopePermissionMissed,
            format!(
                "The user did not authorize the scope required for the requested fields: {}.",
                missing.join(",")
            ),
        )
        .to_response(&call.log_id);
    }
    let user = keep_fields(user_json(&state, call.creator), &fields);
    envelope_ok(json!({ "user": user }), &call.log_id)
}

/// Checks the `video.list` scope and the `fields`, then parses the JSON body.
fn video_request(
    call: &Call<'_>,
    request: &HttpRequest,
    body: &[u8],
) -> Result<(Vec<&'static str>, Map<String, Value>), DisplayError> {
    if !call.bearer.scopes.contains(&Scope::VideoList) {
        return Err(DisplayError::new(
            DisplayErrorCode::ScopeNotAuthorized,
            "The user did not authorize the scope required for completing this request: video.list.",
        ));
    }
    let fields = requested_fields(request, VIDEO_FIELDS)?;
    let is_json = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.trim_start().starts_with("application/json"));
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok((fields, Map::new()));
    }
    if !is_json {
        return Err(DisplayError::invalid_params(
            "Content-Type must be application/json.",
        ));
    }
    match serde_json::from_slice(body) {
        Ok(Value::Object(object)) => Ok((fields, object)),
        _ => Err(DisplayError::invalid_params(
            "The body must be a JSON object.",
        )),
    }
}

fn video_json(
    state: &SandboxState,
    call: &Call<'_>,
    video: &VideoRecord,
    fields: &[&str],
) -> Value {
    let view = video.view(&call.creator.username, state.clock.day(), &state.urls());
    keep_fields(serde_json::to_value(view).unwrap_or_default(), fields)
}

/// An optional integer member of the body; a non-integer is `invalid_params`.
fn optional_integer(body: &Map<String, Value>, name: &str) -> Result<Option<i64>, DisplayError> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => value
            .as_i64()
            .map(Some)
            .ok_or_else(|| DisplayError::invalid_params(format!("{name} must be an integer."))),
    }
}

/// `POST /v2/video/list/?fields=...`, body `{"max_count", "cursor"}`: newest first, `cursor`
/// is the create time in milliseconds of the last video returned.
pub(crate) async fn video_list(
    state: web::Data<SandboxState>,
    request: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let call = match open_call(&state, &request, Endpoint::VideoList).await {
        Ok(call) => call,
        Err(response) => return response,
    };
    match list_page(&state, &call, &request, &body) {
        Ok(data) => envelope_ok(data, &call.log_id),
        Err(error) => error.to_response(&call.log_id),
    }
}

fn list_page(
    state: &SandboxState,
    call: &Call<'_>,
    request: &HttpRequest,
    body: &[u8],
) -> Result<Value, DisplayError> {
    let (fields, body) = video_request(call, request, body)?;
    let max_count = optional_integer(&body, "max_count")?.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&max_count) {
        return Err(DisplayError::invalid_params(
            "max_count must be between 1 and 20.",
        ));
    }
    let cursor = optional_integer(&body, "cursor")?;
    if cursor.is_some_and(|cursor| cursor < 0) {
        return Err(DisplayError::invalid_params("cursor must not be negative."));
    }
    // Videos are stored newest first with distinct create times.
    let mut older = call
        .creator
        .videos
        .iter()
        .filter(|video| cursor.is_none_or(|cursor| video.create_time * 1_000 < cursor));
    let page: Vec<&VideoRecord> = older.by_ref().take(max_count as usize).collect();
    let has_more = older.next().is_some();
    let next_cursor = page
        .last()
        .map(|video| video.create_time * 1_000)
        .or(cursor)
        .unwrap_or(0);
    let videos: Vec<Value> = page
        .iter()
        .map(|video| video_json(state, call, video, &fields))
        .collect();
    Ok(json!({ "videos": videos, "cursor": next_cursor, "has_more": has_more }))
}

/// `POST /v2/video/query/?fields=...`, body `{"filters": {"video_ids": [...]}}` with 1 to 20
/// ids: returns the caller's own videos among them, in the order asked.
pub(crate) async fn video_query(
    state: web::Data<SandboxState>,
    request: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let call = match open_call(&state, &request, Endpoint::VideoQuery).await {
        Ok(call) => call,
        Err(response) => return response,
    };
    match query_videos(&state, &call, &request, &body) {
        Ok(data) => envelope_ok(data, &call.log_id),
        Err(error) => error.to_response(&call.log_id),
    }
}

fn query_videos(
    state: &SandboxState,
    call: &Call<'_>,
    request: &HttpRequest,
    body: &[u8],
) -> Result<Value, DisplayError> {
    let (fields, body) = video_request(call, request, body)?;
    let ids = body
        .get("filters")
        .and_then(|filters| filters.get("video_ids"))
        .and_then(Value::as_array)
        .ok_or_else(|| DisplayError::invalid_params("filters.video_ids is required."))?;
    if ids.is_empty() || ids.len() > MAX_PAGE as usize {
        return Err(DisplayError::invalid_params(
            "filters.video_ids must hold 1 to 20 ids.",
        ));
    }
    let ids: Vec<&str> = ids
        .iter()
        .map(|id| {
            id.as_str()
                .ok_or_else(|| DisplayError::invalid_params("video ids must be strings."))
        })
        .collect::<Result<_, _>>()?;
    let videos: Vec<Value> = ids
        .iter()
        .filter_map(|id| call.creator.videos.iter().find(|video| video.id == *id))
        .map(|video| video_json(state, call, video, &fields))
        .collect();
    Ok(json!({ "videos": videos, "cursor": 0, "has_more": false }))
}
