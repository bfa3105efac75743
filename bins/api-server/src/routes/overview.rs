//! The routes of no single platform: which platforms this service runs
//! (`GET /api/platforms`) and the combined overview of a user's platforms
//! (`GET /api/analytics`).

use actix_web::web;
use serde::Serialize;
use services::Services;
use services::overview::OverviewView;
use utoipa::ToSchema;

use crate::auth::AuthenticatedUser;
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::openapi::errors::error_responses;
use crate::routes::platform::{AnalyticsParams, api_error};
use crate::state::AppState;

/// One platform and whether it can be connected here.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlatformEntry {
    /// Its name in routes and data (`tiktok`, `instagram`).
    pub platform: String,
    /// Its name as shown.
    pub display_name: String,
    /// `enabled`, or `off` (live mode without its credentials).
    pub state: &'static str,
    /// Why it is off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Its posts' route (`/api/<platform>/<postsRoute>`), when enabled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub posts_route: Option<&'static str>,
    /// The permissions asked for at connect, when enabled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_scopes: Option<Vec<String>>,
    /// Whether a disconnect also revokes the grant at the platform (Instagram has no revoke:
    /// the creator removes the app in Instagram's settings).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revokes_on_disconnect: Option<bool>,
}

/// `{"platforms": [...]}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlatformsResponse {
    /// Every platform this service knows, enabled ones first.
    pub platforms: Vec<PlatformEntry>,
}

error_responses!(
    /// What `GET /api/platforms` can refuse with.
    PlatformsErrors: Unauthorized, Internal
);
error_responses!(
    /// What `GET /api/analytics` can refuse with.
    OverviewErrors: InvalidQuery, Unauthorized, DatabaseUnavailable, Internal
);

/// The platforms this service runs, and those switched off (with why).
#[utoipa::path(
    get, path = "/api/platforms", tag = "read",
    responses((status = 200, body = PlatformsResponse), PlatformsErrors),
    security(("bearer_auth" = []))
)]
pub async fn platforms(
    _user: AuthenticatedUser,
    services: web::Data<Services>,
    state: web::Data<AppState>,
) -> web::Json<PlatformsResponse> {
    let enabled = services.platforms().iter().map(|adapter| {
        let traits = adapter.traits();
        PlatformEntry {
            platform: adapter.platform().to_string(),
            display_name: traits.display_name.to_owned(),
            state: "enabled",
            reason: None,
            posts_route: Some(traits.posts_route),
            requested_scopes: Some(traits.requested_scopes.clone()),
            revokes_on_disconnect: Some(traits.can_revoke),
        }
    });
    let off = state
        .config
        .settings
        .switched_off
        .iter()
        .map(|off| PlatformEntry {
            platform: off.platform.to_owned(),
            display_name: off.display_name.to_owned(),
            state: "off",
            reason: Some(off.reason.clone()),
            posts_route: None,
            requested_scopes: None,
            revokes_on_disconnect: None,
        });
    web::Json(PlatformsResponse {
        platforms: enabled.chain(off).collect(),
    })
}

/// The combined overview: per day, each connected platform's followers, views and
/// interactions, and their sum (docs/api.md says how a missed day and an unknown value
/// count).
#[utoipa::path(
    get, path = "/api/analytics", operation_id = "combined_analytics", tag = "read",
    params(AnalyticsParams),
    responses(
        (status = 200, body = OverviewView),
        OverviewErrors,
    ),
    security(("bearer_auth" = []))
)]
pub async fn analytics(
    user: AuthenticatedUser,
    query: ApiQuery<AnalyticsParams>,
    services: web::Data<Services>,
) -> Result<web::Json<OverviewView>, ApiError> {
    let days = query.days.unwrap_or(30);
    if !(1..=365).contains(&days) {
        return Err(ApiError::invalid_query("days", "must be between 1 and 365"));
    }
    Ok(web::Json(
        services
            .overview(&user.user_id, days)
            .await
            .map_err(api_error)?,
    ))
}
