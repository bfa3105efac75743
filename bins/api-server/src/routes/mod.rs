//! The TikTok routes (connect, callback, disconnect, sync, reads, webhooks), registered on the platform
//! built in [`crate::startup`]. The handlers reach the use cases through
//! `web::Data<services::Services>`, registered by the binary's wiring.

pub mod callback_page;
pub mod tiktok;
pub mod webhooks;

use utoipa::OpenApi;

/// Registers the TikTok routes on the app. Called once per worker by
/// [`crate::startup::Application`].
pub fn configure(cfg: &mut actix_web::web::ServiceConfig) {
    cfg.service(tiktok::connect)
        .service(tiktok::callback)
        .service(tiktok::disconnect)
        .service(tiktok::sync)
        .service(tiktok::connections)
        .service(tiktok::profile)
        .service(tiktok::videos)
        .service(tiktok::analytics)
        .service(tiktok::sync_runs)
        .service(webhooks::tiktok_webhook)
        .service(webhooks::deliveries);
}

/// The OpenAPI description of the routes registered by [`configure`].
#[derive(OpenApi)]
#[openapi(
    paths(
        tiktok::connect,
        tiktok::callback,
        tiktok::disconnect,
        tiktok::sync,
        tiktok::connections,
        tiktok::profile,
        tiktok::videos,
        tiktok::analytics,
        tiktok::sync_runs,
        webhooks::tiktok_webhook,
        webhooks::deliveries,
    ),
    components(schemas(
        tiktok::ConnectResponse,
        tiktok::ConnectionsResponse,
        tiktok::SyncRunsResponse,
        tiktok::SyncResponse,
        tiktok::SortParam,
        tiktok::OrderParam,
        services::views::ConnectionView,
        services::views::ProfileView,
        services::views::VideoView,
        services::views::VideoPageView,
        services::views::GrowthView,
        services::views::AnalyticsSummary,
        services::views::SeriesPoint,
        services::views::AnalyticsView,
        services::views::SyncRunView,
        services::views::DeliveryView,
        webhooks::WebhookAck,
        webhooks::DeliveriesResponse,
    )),
    tags(
        (name = "connect", description = "Connecting and disconnecting a TikTok account"),
        (name = "sync", description = "Syncing on demand"),
        (name = "read", description = "The synced data"),
        (name = "webhooks", description = "TikTok's webhooks in, notifications to the host product out"),
    )
)]
pub struct RoutesApi;
