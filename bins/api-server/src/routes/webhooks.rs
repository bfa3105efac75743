//! Webhooks: TikTok's deliveries in (`POST /api/webhooks/tiktok`, authenticated by their
//! signature, not a bearer token) and the user's notifications out, for debugging
//! (`GET /api/webhooks/deliveries`).

use std::time::Duration;

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use domain::PageLimit;
use serde::Deserialize;
use services::views::DeliveryView;
use services::{ServiceError, Services, WebhookRejection};
use tiktok_client::SIGNATURE_HEADER;
use utoipa::{IntoParams, ToSchema};

use crate::auth::AuthenticatedUser;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::extract::ApiQuery;
use crate::routes::tiktok::api_error;
use crate::state::AppState;

/// The path registered as the webhook callback URL in TikTok's developer portal.
pub const TIKTOK_WEBHOOK_PATH: &str = "/api/webhooks/tiktok";

/// TikTok retries anything but a prompt 200: answer within this, whatever happens
/// downstream (the work goes on and a redelivery finds it done).
const ANSWER_WITHIN: Duration = Duration::from_secs(1);

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
pub struct DeliveriesParams {
    /// How many, 1 to 100 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub limit: Option<PageLimit>,
}

/// A TikTok webhook: `authorization.removed` ends the connection of that `open_id` (tokens
/// and synced data deleted, no revoke call) and tells the host product; other events are
/// recorded and acknowledged. A redelivery changes nothing.
#[utoipa::path(
    post, path = "/api/webhooks/tiktok", tag = "webhooks",
    request_body(content = String, content_type = "application/json",
        description = "TikTok's event, signed in the `TikTok-Signature` header"),
    responses(
        (status = 200, body = WebhookAck),
        (status = 400, body = ErrorBody, description = "`malformed_body`, `malformed_content`"),
        (status = 401, body = ErrorBody, description = "`missing_signature`, `malformed_signature`, `bad_signature`, `stale_timestamp`, `unknown_client_key`"),
        (status = 413, body = ErrorBody),
        (status = 503, body = ErrorBody, description = "the database is unavailable (TikTok retries)"),
    )
)]
#[post("/api/webhooks/tiktok")]
pub async fn tiktok_webhook(
    request: HttpRequest,
    body: web::Bytes,
    services: web::Data<Services>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let signature = request
        .headers()
        .get(SIGNATURE_HEADER)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let services = services.into_inner();
    // Handled on its own task: if the answer is cut short, the work still completes.
    let handling = tokio::spawn(async move {
        services
            .handle_tiktok_webhook(signature.as_deref(), &body)
            .await
    });
    let handled = match tokio::time::timeout(ANSWER_WITHIN, handling).await {
        Ok(Ok(result)) => result,
        Ok(Err(join_error)) => return Err(ApiError::internal(join_error)),
        Err(_) => {
            tracing::warn!(
                "TikTok webhook still being handled after a second; asking for a redelivery"
            );
            return Err(ApiError::database_unavailable(
                "the webhook is still being handled; deliver it again later",
            ));
        }
    };
    match handled {
        Ok(outcome) => Ok(HttpResponse::Ok().json(WebhookAck {
            received: true,
            outcome: outcome.as_str(),
        })),
        Err(WebhookRejection::Invalid(error)) => {
            // The body is never logged: it names a creator, and a forged one may be anything.
            tracing::warn!(reason = error.kind(), %error, "TikTok webhook refused");
            state.metrics.record_webhook_refused(error.kind());
            Err(ApiError::new(webhook_error_code(&error), error.to_string()))
        }
        // Whatever failed downstream (the database is down, a write failed), TikTok should
        // deliver again later: a 503, not a 500 that reads like a bug in the request.
        Err(WebhookRejection::Service(ServiceError::Storage(error))) => {
            tracing::warn!(%error, "TikTok webhook not handled: the database failed; TikTok will deliver it again");
            Err(ApiError::database_unavailable(
                "the database is unavailable; deliver the webhook again later",
            ))
        }
        Err(WebhookRejection::Service(error)) => Err(api_error(error)),
    }
}

/// The code answered for a webhook refused before it was handled: 401 for one whose sender is
/// not proven, 400 for a signed one that cannot be read.
fn webhook_error_code(error: &tiktok_client::WebhookError) -> ErrorCode {
    use tiktok_client::WebhookError;
    match error {
        WebhookError::MissingSignature => ErrorCode::MissingSignature,
        WebhookError::MalformedSignature(_) => ErrorCode::MalformedSignature,
        WebhookError::BadSignature => ErrorCode::BadSignature,
        WebhookError::StaleTimestamp { .. } => ErrorCode::StaleTimestamp,
        WebhookError::UnknownClientKey(_) => ErrorCode::UnknownClientKey,
        WebhookError::MalformedBody(_) => ErrorCode::MalformedBody,
        WebhookError::MalformedContent(_) => ErrorCode::MalformedContent,
    }
}

/// The user's notifications to the host product and their delivery state, newest first.
#[utoipa::path(
    get, path = "/api/webhooks/deliveries", tag = "webhooks",
    params(DeliveriesParams),
    responses(
        (status = 200, body = DeliveriesResponse),
        (status = 400, body = ErrorBody, description = "`invalid_query`"),
        (status = 401, body = ErrorBody),
    ),
    security(("bearer_auth" = []))
)]
#[get("/api/webhooks/deliveries")]
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
