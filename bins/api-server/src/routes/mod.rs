//! The product's routes (connect, callback, disconnect, sync, reads, webhooks), added to the
//! [`RouteTable`] built in [`crate::startup`]: the same handlers at every platform's paths,
//! plus the routes of no platform (`/api/connections`, `/api/webhooks/deliveries`). The
//! handlers reach the use cases through `web::Data<services::Services>`, registered by the
//! binary's wiring.

pub mod callback_page;
pub mod connect_cookie;
pub mod data_deletion;
pub mod overview;
pub mod platform;
pub mod webhooks;

use actix_web::http::Method;
use domain::Platform;
use utoipa::OpenApi;

use self::platform::RoutePlatform;
use self::webhooks::RouteCallback;
use crate::route_table::RouteTable;

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

/// Adds the routes of `platforms` and those of no platform.
pub fn register(table: &mut RouteTable, platforms: &[PlatformRoutes]) {
    for routes in platforms {
        platform::register(
            table,
            RoutePlatform {
                platform: routes.platform,
                posts_route: routes.posts_route,
            },
        );
        for kind in routes.callbacks {
            webhooks::register(
                table,
                RouteCallback {
                    platform: routes.platform,
                    kind,
                },
            );
        }
    }
    table
        .add(Method::GET, "/api/connections", platform::connections)
        .add(Method::GET, "/api/platforms", overview::platforms)
        .add(Method::GET, "/api/analytics", overview::analytics)
        .add(
            Method::GET,
            "/api/webhooks/deliveries",
            webhooks::deliveries,
        )
        .add(
            Method::GET,
            "/api/data-deletion/{code}",
            data_deletion::status,
        );
}

/// The OpenAPI description of the routes added by [`register`].
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
        services::views::DailyPoint,
        services::views::DailySource,
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
