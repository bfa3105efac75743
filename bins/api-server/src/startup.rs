//! Building and running the server.
//!
//! ```no_run
//! # async fn run(config: api_server::config::Config) -> Result<(), Box<dyn std::error::Error>> {
//! use api_server::startup::Application;
//! let app = Application::builder(config)?   // binds now, so port 0 works
//!     .configure(|cfg| { /* extra routes, app data */ })
//!     .build()?;
//! println!("listening on {}", app.address());
//! app.run_until_stopped().await?;
//! # Ok(()) }
//! ```
//!
//! Middleware order, outermost first: request log and metrics (sees the final status of
//! everything), security headers (on every response), JSON errors (framework errors become
//! JSON, CORS refusals included; the CORS headers already set are kept), CORS, panic catcher
//! (closest to the handlers).

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};

use crate::auth::{JwtIssuer, JwtVerifier};
use crate::config::Config;
use crate::metrics::{Metrics, MetricsError};
use crate::middleware::{catch_panic, cors, json_errors, request_log, security_headers};
use crate::readiness::{NoDependencies, ReadinessProbe};
use crate::route_table::{RouteTable, ServedRoute};
use crate::state::AppState;
use crate::{extract, openapi, ops, routes, static_files};

/// Every route of the API, for a server in sandbox mode or not, running `platforms`: the
/// table the server registers (once per worker) and [`Application::routes`] lists.
pub fn api_routes(sandbox: bool, platforms: &[crate::routes::PlatformRoutes]) -> RouteTable {
    let mut table = RouteTable::new();
    ops::register(&mut table, sandbox);
    openapi::register(&mut table);
    routes::register(&mut table, platforms);
    table
}

/// A function adding routes or app data; called once per worker.
pub type ConfigureFn = Arc<dyn Fn(&mut web::ServiceConfig) + Send + Sync>;

/// Starting the server failed.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// The address cannot be bound (in use, not permitted, not local).
    #[error("cannot listen on {address}: {source}")]
    Bind {
        /// The address asked for.
        address: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The metrics registry could not be built.
    #[error(transparent)]
    Metrics(#[from] MetricsError),
}

/// A bound listener and the configuration, waiting for the app's parts.
pub struct ApplicationBuilder {
    config: Config,
    listener: TcpListener,
    metrics: Option<Metrics>,
    readiness: Arc<dyn ReadinessProbe>,
    extra: Vec<ConfigureFn>,
    workers: Option<usize>,
    platforms: Vec<crate::routes::PlatformRoutes>,
}

impl std::fmt::Debug for ApplicationBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApplicationBuilder")
            .field("listener", &self.listener)
            .finish_non_exhaustive()
    }
}

impl ApplicationBuilder {
    /// The configuration, with `server.port` (and the sandbox's port-derived defaults, such as
    /// the redirect URI) already set to the bound port: build the services from this.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The configuration, to adjust before building (e.g. the sandbox emulator's base URLs).
    pub fn config_mut(&mut self) -> &mut Config {
        &mut self.config
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.config.server.port
    }

    /// Uses these metrics (to share them with the services) instead of a fresh set.
    #[must_use]
    pub fn metrics(mut self, metrics: Metrics) -> Self {
        self.metrics = Some(metrics);
        self
    }

    /// What `GET /readyz` checks (default: nothing, always ready).
    #[must_use]
    pub fn readiness(mut self, probe: Arc<dyn ReadinessProbe>) -> Self {
        self.readiness = probe;
        self
    }

    /// Serves the routes of `platforms` (none by default: a server built for tests of the HTTP
    /// platform alone has only the routes of no platform).
    #[must_use]
    pub fn platforms(mut self, platforms: Vec<crate::routes::PlatformRoutes>) -> Self {
        self.platforms = platforms;
        self
    }

    /// Adds app data, or routes that are not the API's, after the API's routes. Tests use it
    /// to register probe routes; may be called several times. (The API's own routes are added
    /// to [`api_routes`], so that the OpenAPI tests see them.)
    #[must_use]
    pub fn configure(
        mut self,
        extra: impl Fn(&mut web::ServiceConfig) + Send + Sync + 'static,
    ) -> Self {
        self.extra.push(Arc::new(extra));
        self
    }

    /// Number of worker threads (default: one per core).
    #[must_use]
    pub fn workers(mut self, workers: usize) -> Self {
        self.workers = Some(workers);
        self
    }

    /// Builds the server on the bound listener. It starts serving when the returned
    /// [`Application`] is run.
    ///
    /// # Errors
    /// [`StartupError`] when the metrics cannot be created or the listener cannot be used.
    pub fn build(self) -> Result<Application, StartupError> {
        let address = self
            .listener
            .local_addr()
            .map_err(|source| StartupError::Bind {
                address: self.requested_address(),
                source,
            })?;
        let metrics = match self.metrics {
            Some(metrics) => metrics,
            None => Metrics::new()?,
        };
        let sandbox = self.config.is_sandbox();
        let state = web::Data::new(AppState {
            jwt: JwtVerifier::with_rules(&self.config.jwt_secret, &self.config.jwt_claims),
            // Only ever the sandbox's own generated secret: never a configured one.
            dev_tokens: self
                .config
                .settings
                .dev_secrets
                .as_ref()
                .map(|dev| JwtIssuer::new(&dev.jwt_secret)),
            metrics: metrics.clone(),
            readiness: self.readiness,
            platforms: self.platforms,
            config: Arc::new(self.config),
        });
        let extra = self.extra;
        let platforms = state.platforms.clone();
        let app_origin = state.config.app_origin.clone();
        let server_state = state.clone();
        let mut server = HttpServer::new(move || {
            let extra = extra.clone();
            let platforms = platforms.clone();
            App::new()
                .app_data(server_state.clone())
                .app_data(extract::json_config())
                .app_data(extract::payload_config())
                .app_data(extract::query_config())
                // Every route of the API comes from the one table (see `api_routes`).
                .configure(|cfg| api_routes(sandbox, &platforms).register(cfg))
                .configure(move |cfg| {
                    for configure in &extra {
                        configure(cfg);
                    }
                })
                .default_service(web::to(static_files::serve_or_not_found))
                .wrap(from_fn(catch_panic::catch_panic))
                .wrap(cors::cors(&app_origin))
                .wrap(from_fn(json_errors::json_errors))
                .wrap(from_fn(security_headers::security_headers))
                .wrap(from_fn(request_log::request_log))
        });
        if let Some(workers) = self.workers {
            server = server.workers(workers);
        }
        let server = server
            .listen(self.listener)
            .map_err(|source| StartupError::Bind { address, source })?
            .run();
        Ok(Application {
            address,
            state,
            server,
        })
    }

    fn requested_address(&self) -> SocketAddr {
        SocketAddr::new(self.config.server.bind_address, self.config.server.port)
    }
}

/// A built server: bound, not yet serving until [`Application::run_until_stopped`] is polled.
pub struct Application {
    address: SocketAddr,
    state: web::Data<AppState>,
    server: Server,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

impl Application {
    /// Binds `BIND_ADDRESS:PORT` (port 0 picks a free one) and returns a builder.
    ///
    /// # Errors
    /// [`StartupError::Bind`] when the address cannot be bound.
    pub fn builder(mut config: Config) -> Result<ApplicationBuilder, StartupError> {
        let requested = SocketAddr::new(config.server.bind_address, config.server.port);
        let listener = TcpListener::bind(requested).map_err(|source| StartupError::Bind {
            address: requested,
            source,
        })?;
        let port = listener
            .local_addr()
            .map_err(|source| StartupError::Bind {
                address: requested,
                source,
            })?
            .port();
        config.apply_port(port);
        Ok(ApplicationBuilder {
            config,
            listener,
            metrics: None,
            readiness: Arc::new(NoDependencies),
            extra: Vec::new(),
            workers: None,
            platforms: Vec::new(),
        })
    }

    /// Binds and builds in one step, with `extra` routes and default metrics and readiness.
    ///
    /// # Errors
    /// [`StartupError`] when binding fails.
    pub fn build(
        config: Config,
        extra: impl Fn(&mut web::ServiceConfig) + Send + Sync + 'static,
    ) -> Result<Self, StartupError> {
        Self::builder(config)?.configure(extra).build()
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// The bound address.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Every route of the API this server serves (the extra routes of
    /// [`ApplicationBuilder::configure`] left out), in registration order.
    pub fn routes(&self) -> Vec<ServedRoute> {
        api_routes(self.state.config.is_sandbox(), &self.state.platforms)
            .routes()
            .to_vec()
    }

    /// The shared state (configuration with the resolved port, metrics).
    pub fn state(&self) -> &web::Data<AppState> {
        &self.state
    }

    /// A handle to stop the server gracefully.
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until the server is stopped (SIGINT/SIGTERM or [`Application::handle`]).
    ///
    /// # Errors
    /// The I/O error that stopped the server.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
