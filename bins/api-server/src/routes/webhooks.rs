//! Webhooks: the platforms' callbacks in (`POST /api/webhooks/tiktok`,
//! `/api/webhooks/instagram/deauthorize`..., authenticated by their signature, not a bearer
//! token) and the user's notifications out, for debugging (`GET /api/webhooks/deliveries`).

use std::collections::BTreeMap;
use std::time::Duration;

use actix_web::http::Method;
use actix_web::{HttpRequest, HttpResponse, web};
use domain::{PageLimit, Platform};
use serde::Deserialize;
use services::platforms::{PlatformCallback, RejectionKind};
use services::views::DeliveryView;
use services::{HandledCallback, ServiceError, Services, WebhookRejection};
use utoipa::{IntoParams, ToSchema};

use crate::auth::AuthenticatedUser;
use crate::error::{ApiError, ErrorCode};
use crate::extract::ApiQuery;
use crate::openapi::errors::error_responses;
use crate::route_table::RouteTable;
use crate::routes::data_deletion::{DeletionAck, status_url};
use crate::routes::platform::api_error;
use crate::state::AppState;

/// The path registered as the webhook callback URL in TikTok's developer portal.
pub const TIKTOK_WEBHOOK_PATH: &str = "/api/webhooks/tiktok";

/// The platforms retry anything but a prompt 200: answer within this, whatever happens
/// downstream (the work goes on and a redelivery finds it done).
const ANSWER_WITHIN: Duration = Duration::from_secs(1);

/// The callback a route was registered for (resource data).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteCallback {
    /// The platform that sends it.
    pub platform: Platform,
    /// Its kind (the path's last segment; empty for the platform's one webhook route).
    pub kind: &'static str,
}

impl RouteCallback {
    /// Its path: `/api/webhooks/<platform>[/<kind>]`.
    pub fn path(&self) -> String {
        match self.kind {
            "" => format!("/api/webhooks/{}", self.platform),
            kind => format!("/api/webhooks/{}/{kind}", self.platform),
        }
    }
}

/// Adds the route of `callback`.
pub fn register(table: &mut RouteTable, callback: RouteCallback) {
    table.add_with(
        Method::POST,
        callback.path(),
        web::Data::new(callback),
        platform_callback,
    );
}

/// `{"received": true, "outcome": "..."}`.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct WebhookAck {
    /// Always true.
    pub received: bool,
    /// `disconnected`, `unknown_account`, `own_revocation`, `older_than_grant`, `ignored` or
    /// `duplicate`.
    pub outcome: &'static str,
}

/// `{"deliveries": [...]}`.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct DeliveriesResponse {
    /// Newest first.
    pub deliveries: Vec<DeliveryView>,
}

/// Query of `GET /api/webhooks/deliveries`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeliveriesParams {
    /// How many, 1 to 100 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub limit: Option<PageLimit>,
}

error_responses!(
    /// What a platform's callback can be refused with (a 503 asks the platform to deliver it
    /// again).
    CallbackErrors: MalformedBody, MalformedContent, MissingSignature, MalformedSignature,
        BadSignature, StaleTimestamp, UnknownClientKey, PayloadTooLarge, DatabaseUnavailable,
        Internal
);
error_responses!(
    /// What `GET /api/webhooks/deliveries` can refuse with.
    DeliveriesErrors: InvalidQuery, Unauthorized, DatabaseUnavailable, Internal
);

/// A platform's callback (the annotations describe TikTok's webhook; every platform's are
/// in the document). TikTok's `authorization.removed` ends the connection of that `open_id`
/// (tokens and synced data deleted, no revoke call) and tells the host product; other events
/// are recorded and acknowledged. A redelivery changes nothing.
#[utoipa::path(
    post, path = "/api/webhooks/tiktok", tag = "webhooks",
    params(("TikTok-Signature" = String, Header,
        description = "`t=<unix seconds>,s=<hex HMAC-SHA256>` of `<t>.<body>`, keyed with the app's client secret")),
    request_body(content = String, content_type = "application/json",
        description = "TikTok's event, signed in the `TikTok-Signature` header"),
    responses(
        (status = 200, body = WebhookAck),
        CallbackErrors,
    )
)]
pub async fn platform_callback(
    request: HttpRequest,
    body: web::Bytes,
    route: web::Data<RouteCallback>,
    services: web::Data<Services>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    // Header names are lowercase in `http`; values that are not text are left out (no
    // platform signs with bytes that are not).
    let headers: BTreeMap<String, String> = request
        .headers()
        .iter()
        .filter_map(|(name, value)| {
            Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned()))
        })
        .collect();
    let services = services.into_inner();
    let route = *route.into_inner();
    let redirect_uri = services
        .adapter(route.platform)
        .map(|adapter| adapter.redirect_uri().clone())
        .map_err(api_error)?;
    // Handled on its own task: if the answer is cut short, the work still completes.
    let handling = tokio::spawn(async move {
        let callback = PlatformCallback {
            kind: route.kind,
            headers: &headers,
            body: &body,
            received_at: chrono::Utc::now(),
        };
        services
            .handle_platform_callback(route.platform, &callback)
            .await
    });
    let handled = match tokio::time::timeout(ANSWER_WITHIN, handling).await {
        Ok(Ok(result)) => result,
        Ok(Err(join_error)) => return Err(ApiError::internal(join_error)),
        Err(_) => {
            tracing::warn!(
                platform = %route.platform,
                "platform callback still being handled after a second; asking for a redelivery"
            );
            return Err(ApiError::database_unavailable(
                "the webhook is still being handled; deliver it again later",
            ));
        }
    };
    match handled {
        // A data deletion request is answered where its status can be followed, and its code.
        Ok(HandledCallback {
            confirmation_code: Some(code),
            ..
        }) => Ok(HttpResponse::Ok().json(DeletionAck {
            url: status_url(&redirect_uri, &code)?.to_string(),
            confirmation_code: code,
        })),
        Ok(handled) => Ok(HttpResponse::Ok().json(WebhookAck {
            received: true,
            outcome: handled.outcome.as_str(),
        })),
        Err(WebhookRejection::Invalid(error)) => {
            // The body is never logged: it names a creator, and a forged one may be anything.
            let reason = error.kind.as_str();
            tracing::warn!(platform = %route.platform, reason, %error, "platform callback refused");
            state.metrics.record_webhook_refused(reason);
            Err(ApiError::new(rejection_code(error.kind), error.to_string()))
        }
        // Whatever failed downstream (the database is down, a write failed), the platform
        // should deliver again later: a 503, not a 500 that reads like a bug in the request.
        Err(WebhookRejection::Service(ServiceError::Storage(error))) => {
            tracing::warn!(platform = %route.platform, %error, "platform callback not handled: the database failed; the platform will deliver it again");
            Err(ApiError::database_unavailable(
                "the database is unavailable; deliver the webhook again later",
            ))
        }
        Err(WebhookRejection::Service(error)) => Err(api_error(error)),
    }
}

/// The code answered for a callback refused before it was handled: 401 for one whose sender
/// is not proven, 400 for a signed one that cannot be read.
fn rejection_code(kind: RejectionKind) -> ErrorCode {
    match kind {
        RejectionKind::MissingSignature => ErrorCode::MissingSignature,
        RejectionKind::MalformedSignature => ErrorCode::MalformedSignature,
        RejectionKind::BadSignature => ErrorCode::BadSignature,
        RejectionKind::StaleTimestamp => ErrorCode::StaleTimestamp,
        RejectionKind::UnknownApp => ErrorCode::UnknownClientKey,
        RejectionKind::MalformedBody => ErrorCode::MalformedBody,
        RejectionKind::MalformedContent | RejectionKind::UnknownCallback => {
            ErrorCode::MalformedContent
        }
        // A kind added later: the body was not what the platform sends.
        _ => ErrorCode::MalformedBody,
    }
}

/// The user's notifications to the host product and their delivery state, newest first.
#[utoipa::path(
    get, path = "/api/webhooks/deliveries", tag = "webhooks",
    params(DeliveriesParams),
    responses(
        (status = 200, body = DeliveriesResponse),
        DeliveriesErrors,
    ),
    security(("bearer_auth" = []))
)]
pub async fn deliveries(
    user: AuthenticatedUser,
    query: ApiQuery<DeliveriesParams>,
    services: web::Data<Services>,
) -> Result<web::Json<DeliveriesResponse>, ApiError> {
    let limit = query.limit.unwrap_or(PageLimit::constant(50));
    let deliveries = services
        .webhook_deliveries(&user.user_id, limit)
        .await
        .map_err(api_error)?;
    Ok(web::Json(DeliveriesResponse { deliveries }))
}
