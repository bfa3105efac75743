//! The state every handler can reach through `web::Data<AppState>`.
//!
//! Route-specific state (the services) is registered separately by the routes' own
//! `configure` hooks, so this struct stays the platform's.

use std::sync::Arc;

use crate::auth::{JwtIssuer, JwtVerifier};
use crate::config::Config;
use crate::metrics::Metrics;
use crate::readiness::ReadinessProbe;
use crate::routes::PlatformRoutes;

/// Shared, read-only application state.
pub struct AppState {
    /// The configuration the server started with (port already resolved).
    pub config: Arc<Config>,
    /// Verifies the host product's bearer tokens.
    pub jwt: JwtVerifier,
    /// Signs development tokens; `Some` in sandbox mode only.
    pub dev_tokens: Option<JwtIssuer>,
    /// Prometheus metrics.
    pub metrics: Metrics,
    /// What `GET /readyz` checks.
    pub readiness: Arc<dyn ReadinessProbe>,
    /// The platforms whose routes are served.
    pub platforms: Vec<PlatformRoutes>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("config", &self.config)
            .field("sandbox_tokens", &self.dev_tokens.is_some())
            .finish_non_exhaustive()
    }
}
