//! The product's routes (connect, callback, disconnect, sync, reads, webhooks), registered on
//! the platform built in [`crate::startup`]: the same handlers at every platform's paths,
//! plus the routes of no platform (`/api/connections`, `/api/webhooks/deliveries`). The
//! handlers reach the use cases through `web::Data<services::Services>`, registered by the
//! binary's wiring.

pub mod callback_page;
pub mod connect_cookie;
pub mod data_deletion;
pub mod overview;
pub mod platform;
pub mod webhooks;

use domain::Platform;
use utoipa::OpenApi;

use self::platform::RoutePlatform;
use self::webhooks::RouteCallback;

/// What the routes of one platform are: its name, its word for posts, its callbacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlatformRoutes {
    /// The platform.
    pub platform: Platform,
    /// Its name as shown.
    pub display_name: &'static str,
    /// What it calls its posts in routes (`videos`, `media`).
    pub posts_route: &'static str,
    /// The kinds of callback it sends (see [`RouteCallback`]).
    pub callbacks: &'static [&'static str],
}

impl PlatformRoutes {
    /// The routes of `adapter`'s platform.
    pub fn of(adapter: &dyn services::PlatformAdapter) -> Self {
        let traits = adapter.traits();
        Self {
            platform: adapter.platform(),
            display_name: traits.display_name,
            posts_route: traits.posts_route,
            callbacks: traits.callbacks,
        }
    }
}

/// Registers the routes of `platforms` and those of no platform. Called once per worker by
/// [`crate::startup::Application`].
pub fn configure(cfg: &mut actix_web::web::ServiceConfig, platforms: &[PlatformRoutes]) {
    for routes in platforms {
        platform::configure(
            cfg,
            RoutePlatform {
                platform: routes.platform,
                posts_route: routes.posts_route,
            },
        );
        for kind in routes.callbacks {
            webhooks::configure(
                cfg,
                RouteCallback {
                    platform: routes.platform,
                    kind,
                },
            );
        }
    }
    cfg.service(platform::connections)
        .service(overview::platforms)
        .service(overview::analytics)
        .service(webhooks::deliveries)
        .service(data_deletion::status);
}

/// The OpenAPI description of the routes registered by [`configure`].
#[derive(OpenApi)]
#[openapi(
    paths(
        platform::connect,
        platform::start,
        platform::callback,
        platform::disconnect,
        platform::sync,
        platform::connections,
        platform::profile,
        platform::videos,
        platform::analytics,
        platform::sync_runs,
        webhooks::platform_callback,
        webhooks::deliveries,
        data_deletion::status,
        overview::platforms,
        overview::analytics,
    ),
    components(schemas(
        platform::ConnectResponse,
        platform::ConnectionsResponse,
        platform::SyncRunsResponse,
        platform::SyncResponse,
        platform::SortParam,
        platform::OrderParam,
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
        data_deletion::DeletionAck,
        overview::PlatformEntry,
        overview::PlatformsResponse,
        services::overview::OverviewView,
        services::overview::OverviewPoint,
        services::overview::DayCounters,
    )),
    tags(
        (name = "connect", description = "Connecting and disconnecting an account"),
        (name = "sync", description = "Syncing on demand"),
        (name = "read", description = "The synced data"),
        (name = "webhooks", description = "The platforms' callbacks in, notifications to the host product out"),
    )
)]
pub struct RoutesApi;
