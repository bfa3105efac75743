//! The routes every platform has: connect, callback, disconnect, sync, and the reads. They are
//! registered once per platform the service runs, at that platform's paths
//! (`/api/auth/tiktok/connect`, `/api/auth/instagram/connect`...; the posts at the
//! platform's own word, `/api/tiktok/videos` or `/api/instagram/media`), with the platform as
//! the resource's [`RoutePlatform`]. Each handler extracts, calls one use case of `services`,
//! and maps the result. The OpenAPI annotations describe TikTok's paths; the document is
//! completed with every other platform's from them ([`crate::openapi`]).

use actix_web::http::Method;
use actix_web::http::header::ContentType;
use actix_web::{HttpResponse, web};
use domain::{PageLimit, Platform};
use serde::Deserialize;
use services::views::{AnalyticsView, ConnectionView, ProfileView, SyncRunView, VideoPageView};
use services::{
    CallbackParams, ConnectError, FailureSource, ManualSync, ServiceError, Services, VideoQuery,
};
use storage::{SortDirection, VideoSort};
use utoipa::{IntoParams, ToSchema};

use crate::auth::AuthenticatedUser;
use crate::error::{ApiError, ErrorCode};
use crate::extract::ApiQuery;
use crate::middleware::security_headers::CspNonce;
use crate::openapi::errors::{self, error_responses};
use crate::route_table::RouteTable;
use crate::routes::callback_page::{self, CallbackMessage};
use crate::routes::connect_cookie;
use crate::state::AppState;
use secrecy::ExposeSecret as _;

/// The platform a route was registered for (resource data).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoutePlatform {
    /// The platform.
    pub platform: Platform,
    /// What it calls its posts in routes (`videos`, `media`).
    pub posts_route: &'static str,
}

/// Adds the routes of `route`'s platform.
pub fn register(table: &mut RouteTable, route: RoutePlatform) {
    let name = route.platform.as_str();
    let data = web::Data::new(route);
    table
        .add_with(
            Method::GET,
            format!("/api/auth/{name}/connect"),
            data.clone(),
            connect,
        )
        .add_with(
            Method::GET,
            format!("/api/auth/{name}/start"),
            data.clone(),
            start,
        )
        .add_with(
            Method::GET,
            format!("/api/auth/{name}/callback"),
            data.clone(),
            callback,
        )
        .add_with(
            Method::DELETE,
            format!("/api/auth/{name}/disconnect"),
            data.clone(),
            disconnect,
        )
        .add_with(
            Method::POST,
            format!("/api/auth/{name}/sync"),
            data.clone(),
            sync,
        )
        .add_with(
            Method::GET,
            format!("/api/{name}/profile"),
            data.clone(),
            profile,
        )
        .add_with(
            Method::GET,
            format!("/api/{name}/{}", route.posts_route),
            data.clone(),
            videos,
        )
        .add_with(
            Method::GET,
            format!("/api/{name}/analytics"),
            data.clone(),
            analytics,
        )
        .add_with(
            Method::GET,
            format!("/api/{name}/sync-runs"),
            data,
            sync_runs,
        );
}

/// `{"authorizationUrl": "..."}`.
#[derive(Debug, serde::Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConnectResponse {
    /// The URL to open in the popup: this server's start route, which binds the connect to
    /// the browser (a short-lived cookie) and redirects to the platform's consent page.
    pub authorization_url: String,
}

/// `{"connections": [...]}`.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct ConnectionsResponse {
    /// One entry per supported platform.
    pub connections: Vec<ConnectionView>,
}

/// `{"runs": [...]}`.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct SyncRunsResponse {
    /// Newest first.
    pub runs: Vec<SyncRunView>,
}

/// The answer to a manual sync (200 `synced` or 202 `queued`).
#[derive(Debug, serde::Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SyncResponse {
    /// `synced` or `queued`.
    pub status: &'static str,
    /// Videos written (synced only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub videos_synced: Option<u64>,
    /// Platform calls (or quota units) spent (synced only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_calls: Option<u32>,
    /// When the sync ended (synced only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Requested scopes the user did not grant (synced only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing_scopes: Option<Vec<String>>,
    /// Why it was queued (queued only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Sort keys of `GET /api/tiktok/videos`.
#[derive(Debug, Clone, Copy, Default, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SortParam {
    /// Newest or oldest first.
    #[default]
    Created,
    /// By views.
    Views,
    /// By likes.
    Likes,
    /// By comments.
    Comments,
    /// By shares.
    Shares,
    /// By engagement rate.
    Engagement,
}

/// Sort order.
#[derive(Debug, Clone, Copy, Default, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum OrderParam {
    /// Ascending.
    Asc,
    /// Descending.
    #[default]
    Desc,
}

/// Query of `GET /api/tiktok/videos`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct VideosParams {
    /// `created` (default), `views`, `likes`, `comments`, `shares` or `engagement`.
    #[param(inline)]
    pub sort: Option<SortParam>,
    /// `desc` (default) or `asc`.
    #[param(inline)]
    pub order: Option<OrderParam>,
    /// Page size, 1 to 100 (default 20).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub limit: Option<PageLimit>,
    /// The previous page's `nextCursor`.
    pub cursor: Option<String>,
}

/// Query of `GET /api/tiktok/analytics`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AnalyticsParams {
    /// The period in days, 1 to 365 (default 30).
    pub days: Option<u32>,
}

/// Query of `GET /api/tiktok/sync-runs`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SyncRunsParams {
    /// How many runs, 1 to 100 (default 20).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub limit: Option<PageLimit>,
}

/// Maps a use case's failure on `platform`'s routes to the API's error.
pub(crate) fn api_error_on(platform: Platform) -> impl Fn(ServiceError) -> ApiError {
    move |error| match error {
        ServiceError::SyncFailed { .. } | ServiceError::PlatformUnavailable { .. } => {
            let mut refused = api_error(error);
            if let ApiError::Refused { code, .. } = &mut refused {
                *code = ErrorCode::platform_unavailable(platform);
            }
            refused
        }
        other => api_error(other),
    }
}

/// Maps a use case's failure to the API's error.
pub(crate) fn api_error(error: ServiceError) -> ApiError {
    match error {
        ServiceError::NotConnected { .. } | ServiceError::UnknownPlatform(_) => {
            ApiError::new(ErrorCode::NotConnected, error.to_string())
        }
        ServiceError::NeedsReauth { .. } => {
            ApiError::new(ErrorCode::NeedsReauth, error.to_string())
        }
        ServiceError::SyncInProgress => ApiError::new(ErrorCode::SyncInProgress, error.to_string()),
        ServiceError::Cooldown { retry_after } => {
            ApiError::too_many_requests(ErrorCode::SyncCooldown, error.to_string(), retry_after)
        }
        ServiceError::ShareSpent { retry_after, .. } => {
            ApiError::too_many_requests(ErrorCode::ManualShareSpent, error.to_string(), retry_after)
        }
        // TikTok's own words (codes, log ids) are in the sync log and the server log; the
        // creator gets a sentence.
        ServiceError::SyncFailed {
            origin: FailureSource::Storage,
            ..
        } => ApiError::database_unavailable(
            "The sync could not be saved; your previous data is unchanged. Try again in a few minutes.",
        ),
        ServiceError::SyncFailed { .. } | ServiceError::PlatformUnavailable { .. } => {
            tracing::warn!(error = %crate::error::ErrorChain(&error), "sync failed at the platform");
            let platform = match &error {
                ServiceError::PlatformUnavailable { platform, .. }
                | ServiceError::SyncFailed { platform, .. } => platform,
                _ => "The platform",
            };
            ApiError::new(
                ErrorCode::PlatformUnavailable,
                format!(
                    "{platform} did not answer properly, so the sync failed; your previous data is unchanged. Try again in a few minutes."
                ),
            )
        }
        ServiceError::InvalidArgument(message) => ApiError::new(ErrorCode::InvalidQuery, message),
        ServiceError::Storage(error) if error.is_unavailable() => {
            ApiError::database_unavailable("the database is unavailable")
        }
        ServiceError::Misconfigured { .. } | ServiceError::Storage(_) => ApiError::internal(error),
    }
}

/// The code the callback page of `platform` posts for a refused connect.
fn connect_error_code(platform: Platform, error: &ConnectError) -> ErrorCode {
    match error {
        ConnectError::Cancelled => ErrorCode::Cancelled,
        ConnectError::Denied { .. } => ErrorCode::AccessDenied,
        ConnectError::MissingParameter { .. } => ErrorCode::InvalidCallback,
        ConnectError::UnknownState => ErrorCode::InvalidState,
        ConnectError::StateExpired => ErrorCode::StateExpired,
        ConnectError::StateUsed => ErrorCode::StateUsed,
        ConnectError::OtherBrowser => ErrorCode::OtherBrowser,
        ConnectError::Cooldown { .. } => ErrorCode::SyncCooldown,
        ConnectError::ExchangeFailed { .. } => ErrorCode::ExchangeFailed,
        ConnectError::NotEligible(_) => ErrorCode::NotEligible,
        ConnectError::DifferentAccount { .. } => ErrorCode::DifferentAccount,
        ConnectError::AccountInUse { .. } => ErrorCode::AccountInUse,
        ConnectError::PlatformUnavailable { .. } => ErrorCode::platform_unavailable(platform),
        ConnectError::Misconfigured { .. } => ErrorCode::Misconfigured,
        ConnectError::UnknownPlatform(_) => ErrorCode::InvalidCallback,
        ConnectError::Storage(_) => ErrorCode::Internal,
    }
}

error_responses!(
    /// What `GET /api/auth/tiktok/connect` can refuse with.
    ConnectErrors: Unauthorized, NotConnected, SyncCooldown, ManualShareSpent, TiktokUnavailable,
        DatabaseUnavailable, Internal
);
error_responses!(
    /// What `GET /api/auth/tiktok/start` can fail with (its refusals are an HTML page).
    StartErrors: Internal
);
error_responses!(
    /// What `DELETE /api/auth/tiktok/disconnect` can refuse with.
    DisconnectErrors: Unauthorized, NotConnected, DatabaseUnavailable, Internal
);
error_responses!(
    /// What `POST /api/auth/tiktok/sync` can refuse with.
    SyncErrors: Unauthorized, NotConnected, SyncInProgress, NeedsReauth, SyncCooldown,
        ManualShareSpent, TiktokUnavailable, DatabaseUnavailable, Internal
);
error_responses!(
    /// What `GET /api/connections` can fail with.
    ConnectionsErrors: Unauthorized, DatabaseUnavailable, Internal
);
error_responses!(
    /// What `GET /api/tiktok/profile` can refuse with.
    ProfileErrors: Unauthorized, NotConnected, DatabaseUnavailable, Internal
);
error_responses!(
    /// What the reads with a query (`/videos`, `/analytics`, `/sync-runs`) can refuse with.
    ReadErrors: InvalidQuery, Unauthorized, NotConnected, DatabaseUnavailable, Internal
);

/// The OAuth callback's answers: its page (the outcome in a `postMessage`), or a 500 when the
/// page itself could not be made.
pub struct CallbackResponses;

impl utoipa::IntoResponses for CallbackResponses {
    fn responses() -> std::collections::BTreeMap<
        String,
        utoipa::openapi::RefOr<utoipa::openapi::response::Response>,
    > {
        let mut responses = errors::responses(&[ErrorCode::Internal]);
        responses.insert(
            "200".to_owned(),
            utoipa::openapi::RefOr::T(errors::callback_page_response()),
        );
        responses
    }
}

/// Start connecting: a single-use state (10 minutes) and a PKCE challenge.
#[utoipa::path(
    get, path = "/api/auth/tiktok/connect", tag = "connect",
    responses(
        (status = 200, body = ConnectResponse),
        ConnectErrors,
    ),
    security(("bearer_auth" = []))
)]
pub async fn connect(
    user: AuthenticatedUser,
    route: web::Data<RoutePlatform>,
    services: web::Data<Services>,
) -> Result<web::Json<ConnectResponse>, ApiError> {
    let url = services
        .begin_connect(&user.user_id, route.platform)
        .await
        .map_err(api_error_on(route.platform))?;
    let start = connect_cookie::start_url(&url).ok_or_else(|| {
        ApiError::internal("the platform's authorize URL has no redirect_uri ending in callback")
    })?;
    Ok(web::Json(ConnectResponse {
        authorization_url: start.to_string(),
    }))
}

/// `?state=` of the start route.
#[derive(Debug, Deserialize)]
struct StartQuery {
    state: String,
}

/// Opened by the connect popup: binds the connect to this browser with a short-lived
/// `HttpOnly` cookie and redirects to the platform's consent page. A link opened a second
/// time, or more than two minutes after it was issued, shows the callback page's error.
#[utoipa::path(
    get, path = "/api/auth/tiktok/start", tag = "connect",
    params(("state" = String, Query, description = "The state of `GET /api/auth/tiktok/connect`")),
    responses(
        (status = 303, description = "To the platform's consent page, with the connect cookie"),
        (status = 200, description = "An HTML page telling the opener the link is not valid", content_type = "text/html"),
        StartErrors,
    )
)]
pub async fn start(
    request: actix_web::HttpRequest,
    route: web::Data<RoutePlatform>,
    services: web::Data<Services>,
    state: web::Data<AppState>,
    nonce: CspNonce,
) -> HttpResponse {
    let platform = route.platform;
    let given = serde_urlencoded::from_str::<StartQuery>(request.query_string())
        .ok()
        .map(|query| query.state)
        .unwrap_or_default();
    match services.start_connect_in_browser(platform, &given).await {
        Ok(started) => HttpResponse::SeeOther()
            .insert_header((
                actix_web::http::header::LOCATION,
                started.authorize_url.as_str(),
            ))
            .insert_header((
                actix_web::http::header::SET_COOKIE,
                connect_cookie::set(
                    platform,
                    started.cookie.expose_secret(),
                    &started.authorize_url,
                ),
            ))
            .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
            .finish(),
        Err(error) => {
            tracing::info!(code = %connect_error_code(platform, &error), "connect start refused");
            refused_page(platform, &services, &state, &nonce, &error)
        }
    }
}

/// The callback page telling the opener that a connect was refused.
fn refused_page(
    platform: Platform,
    services: &Services,
    state: &AppState,
    nonce: &CspNonce,
    error: &ConnectError,
) -> HttpResponse {
    let platform_name = services
        .adapter(platform)
        .map_or("", |adapter| adapter.traits().display_name);
    let text = match error {
        ConnectError::Storage(_) => "Something went wrong on our side; please try again".to_owned(),
        other => other.to_string(),
    };
    let message = CallbackMessage::error(
        platform,
        platform_name,
        connect_error_code(platform, error),
        text,
    );
    let origins: Vec<&str> = state.config.app_origin.all().collect();
    HttpResponse::Ok()
        .content_type(ContentType::html())
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .body(callback_page::render(&message, &origins, nonce))
}

/// TikTok's redirect after the consent page. Answers an HTML page that posts the outcome to
/// the opener (target origin `APP_ORIGIN`) and closes itself.
#[utoipa::path(
    get, path = "/api/auth/tiktok/callback", tag = "connect",
    params(
        ("code" = Option<String>, Query, description = "The authorization code"),
        ("state" = Option<String>, Query, description = "Our state, returned unchanged"),
        ("scopes" = Option<String>, Query, description = "Granted scopes"),
        ("error" = Option<String>, Query, description = "`access_denied` when cancelled"),
        ("error_description" = Option<String>, Query, description = "TikTok's description"),
    ),
    responses(CallbackResponses)
)]
pub async fn callback(
    request: actix_web::HttpRequest,
    route: web::Data<RoutePlatform>,
    services: web::Data<Services>,
    state: web::Data<AppState>,
    nonce: CspNonce,
) -> HttpResponse {
    let params = callback_params(request.query_string());
    let platform = route.platform;
    let platform_name = services
        .adapter(platform)
        .map_or("", |adapter| adapter.traits().display_name);
    // Only the browser that opened the start route carries the connect cookie.
    let cookie = connect_cookie::read(&request, platform);
    let completed = services
        .complete_connect_in_browser(platform, params, cookie.as_deref())
        .await;
    let message = match completed {
        Ok(connected) => CallbackMessage::connected(
            platform,
            platform_name,
            connected.handle,
            connected.display_name,
        ),
        Err(error) => {
            match &error {
                ConnectError::Storage(_) | ConnectError::Misconfigured { .. } => {
                    tracing::error!(error = %crate::error::ErrorChain(&error), "connect failed");
                }
                _ => {
                    tracing::info!(code = %connect_error_code(platform, &error), "connect refused")
                }
            }
            let text = match &error {
                ConnectError::Storage(_) => {
                    "Something went wrong on our side; please try again".to_owned()
                }
                other => other.to_string(),
            };
            CallbackMessage::error(
                platform,
                platform_name,
                connect_error_code(platform, &error),
                text,
            )
        }
    };
    let origins: Vec<&str> = state.config.app_origin.all().collect();
    let page = callback_page::render(&message, &origins, &nonce);
    HttpResponse::Ok()
        .content_type(ContentType::html())
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .insert_header((
            actix_web::http::header::SET_COOKIE,
            connect_cookie::clear(platform, &request),
        ))
        .body(page)
}

/// The callback's parameters, read leniently: the page is always rendered (the popup must
/// tell its opener something), so a repeated parameter keeps its first value and unknown ones
/// are ignored, where a strict parse would answer the popup with JSON.
fn callback_params(query: &str) -> CallbackParams {
    let mut params = CallbackParams::default();
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        let slot = match name.as_ref() {
            "code" => &mut params.code,
            "state" => &mut params.state,
            // TikTok says `scopes`, Google `scope`: either is the granted list.
            "scopes" | "scope" => &mut params.scopes,
            "error" => &mut params.error,
            "error_reason" => &mut params.error_reason,
            "error_description" => &mut params.error_description,
            _ => continue,
        };
        if slot.is_none() {
            *slot = Some(value.into_owned());
        }
    }
    params
}

/// Revoke at TikTok (best effort) and delete the tokens and every synced row.
#[utoipa::path(
    delete, path = "/api/auth/tiktok/disconnect", tag = "connect",
    responses(
        (status = 204, description = "Disconnected"),
        DisconnectErrors,
    ),
    security(("bearer_auth" = []))
)]
pub async fn disconnect(
    user: AuthenticatedUser,
    route: web::Data<RoutePlatform>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    services
        .disconnect(&user.user_id, route.platform)
        .await
        .map_err(api_error_on(route.platform))?;
    Ok(HttpResponse::NoContent().finish())
}

/// Sync now: refresh the token if needed, then the profile and every video page.
#[utoipa::path(
    post, path = "/api/auth/tiktok/sync", tag = "sync",
    responses(
        (status = 200, body = SyncResponse, description = "`synced`"),
        (status = 202, body = SyncResponse, description = "`queued`: the call budget is spent"),
        SyncErrors,
    ),
    security(("bearer_auth" = []))
)]
pub async fn sync(
    user: AuthenticatedUser,
    route: web::Data<RoutePlatform>,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    match services
        .manual_sync(&user.user_id, route.platform)
        .await
        .map_err(api_error_on(route.platform))?
    {
        ManualSync::Synced(report) => Ok(HttpResponse::Ok().json(SyncResponse {
            status: "synced",
            videos_synced: Some(report.videos_synced),
            api_calls: Some(report.api_calls),
            finished_at: Some(report.finished_at),
            missing_scopes: Some(report.missing_scopes),
            message: None,
        })),
        ManualSync::Queued { message } => Ok(HttpResponse::Accepted().json(SyncResponse {
            status: "queued",
            videos_synced: None,
            api_calls: None,
            finished_at: None,
            missing_scopes: None,
            message: Some(message),
        })),
    }
}

/// The user's connections, one entry per supported platform.
#[utoipa::path(
    get, path = "/api/connections", tag = "read",
    responses((status = 200, body = ConnectionsResponse), ConnectionsErrors),
    security(("bearer_auth" = []))
)]
pub async fn connections(
    user: AuthenticatedUser,
    services: web::Data<Services>,
) -> Result<web::Json<ConnectionsResponse>, ApiError> {
    let connections = services
        .connections(&user.user_id)
        .await
        .map_err(api_error)?;
    Ok(web::Json(ConnectionsResponse { connections }))
}

/// The connected TikTok profile.
#[utoipa::path(
    get, path = "/api/tiktok/profile", tag = "read",
    responses(
        (status = 200, body = ProfileView),
        ProfileErrors,
    ),
    security(("bearer_auth" = []))
)]
pub async fn profile(
    user: AuthenticatedUser,
    route: web::Data<RoutePlatform>,
    services: web::Data<Services>,
) -> Result<web::Json<ProfileView>, ApiError> {
    Ok(web::Json(
        services
            .profile(&user.user_id, route.platform)
            .await
            .map_err(api_error_on(route.platform))?,
    ))
}

/// One page of videos, sorted.
#[utoipa::path(
    get, path = "/api/tiktok/videos", tag = "read",
    params(VideosParams),
    responses(
        (status = 200, body = VideoPageView),
        ReadErrors,
    ),
    security(("bearer_auth" = []))
)]
pub async fn videos(
    user: AuthenticatedUser,
    route: web::Data<RoutePlatform>,
    query: ApiQuery<VideosParams>,
    services: web::Data<Services>,
) -> Result<web::Json<VideoPageView>, ApiError> {
    let params = query.into_inner();
    let limit = params.limit.unwrap_or(PageLimit::constant(20));
    let sort = match params.sort.unwrap_or_default() {
        SortParam::Created => VideoSort::Created,
        SortParam::Views => VideoSort::Views,
        SortParam::Likes => VideoSort::Likes,
        SortParam::Comments => VideoSort::Comments,
        SortParam::Shares => VideoSort::Shares,
        SortParam::Engagement => VideoSort::Engagement,
    };
    let order = match params.order.unwrap_or_default() {
        OrderParam::Asc => SortDirection::Asc,
        OrderParam::Desc => SortDirection::Desc,
    };
    let page = services
        .videos(
            &user.user_id,
            route.platform,
            VideoQuery {
                sort,
                direction: order,
                limit,
                cursor: params.cursor,
            },
        )
        .await
        .map_err(|error| match error {
            ServiceError::InvalidArgument(reason) => ApiError::invalid_query("cursor", reason),
            other => api_error_on(route.platform)(other),
        })?;
    Ok(web::Json(page))
}

/// Engagement summary, top videos, and daily follower and view series.
#[utoipa::path(
    get, path = "/api/tiktok/analytics", tag = "read",
    params(AnalyticsParams),
    responses(
        (status = 200, body = AnalyticsView),
        ReadErrors,
    ),
    security(("bearer_auth" = []))
)]
pub async fn analytics(
    user: AuthenticatedUser,
    route: web::Data<RoutePlatform>,
    query: ApiQuery<AnalyticsParams>,
    services: web::Data<Services>,
) -> Result<web::Json<AnalyticsView>, ApiError> {
    let days = query.days.unwrap_or(30);
    if !(1..=365).contains(&days) {
        return Err(ApiError::invalid_query("days", "must be between 1 and 365"));
    }
    Ok(web::Json(
        services
            .analytics(&user.user_id, route.platform, days)
            .await
            .map_err(api_error_on(route.platform))?,
    ))
}

/// The sync log, newest first.
#[utoipa::path(
    get, path = "/api/tiktok/sync-runs", tag = "read",
    params(SyncRunsParams),
    responses(
        (status = 200, body = SyncRunsResponse),
        ReadErrors,
    ),
    security(("bearer_auth" = []))
)]
pub async fn sync_runs(
    user: AuthenticatedUser,
    route: web::Data<RoutePlatform>,
    query: ApiQuery<SyncRunsParams>,
    services: web::Data<Services>,
) -> Result<web::Json<SyncRunsResponse>, ApiError> {
    let limit = query.limit.unwrap_or(PageLimit::constant(20));
    let runs = services
        .sync_runs(&user.user_id, route.platform, limit)
        .await
        .map_err(api_error_on(route.platform))?;
    Ok(web::Json(SyncRunsResponse { runs }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callback_parameters_keep_their_first_value_and_ignore_unknown_ones() {
        let params = callback_params(
            "code=abc%2A1&state=s1&state=s2&scopes=user.info.basic,video.list&extra=1&error_description=a+b",
        );
        assert_eq!(params.code.as_deref(), Some("abc*1"));
        assert_eq!(params.state.as_deref(), Some("s1"));
        assert_eq!(params.scopes.as_deref(), Some("user.info.basic,video.list"));
        assert_eq!(params.error, None);
        assert_eq!(params.error_description.as_deref(), Some("a b"));
        let empty = callback_params("");
        assert!(empty.code.is_none() && empty.state.is_none());
    }
}
