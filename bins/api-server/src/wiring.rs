//! Wiring the real dependencies into the HTTP platform: in sandbox mode every platform's
//! emulator started in-process, then the use cases built as every process builds them
//! ([`bootstrap::wiring`]), the readiness probe and the metrics.

use std::sync::Arc;

use actix_web::web;
use bootstrap::wiring::{build_services, host_deliverer};
use secrecy::ExposeSecret as _;
use services::Services;
use services::clock::{Clock, SystemClock};
use services::observer::ServiceObserver;
use tiktok_sandbox::{RegisteredClient, Sandbox, SandboxConfig, SandboxHandle};

use crate::config::Config;
use crate::metrics::Metrics;
use crate::readiness::{NotReady, probe_fn};
use crate::routes::PlatformRoutes;
use crate::routes::webhooks::{RouteCallback, TIKTOK_WEBHOOK_PATH};
use crate::startup::{Application, ApplicationBuilder, StartupError};
use services::platforms::instagram::{DATA_DELETION, DEAUTHORIZE, INSTAGRAM};

/// What can stop the server from starting.
#[derive(Debug, thiserror::Error)]
pub enum WiringError {
    /// Binding or building the HTTP server failed.
    #[error(transparent)]
    Startup(#[from] StartupError),
    /// The database, the keys, the platform or the host webhook settings are unusable.
    #[error(transparent)]
    Services(#[from] bootstrap::wiring::WiringError),
    /// The in-process TikTok emulator could not start.
    #[error("the sandbox TikTok emulator could not start: {0}")]
    Sandbox(#[from] tiktok_sandbox::SandboxError),
    /// The in-process Instagram emulator could not start.
    #[error("the sandbox Instagram emulator could not start: {0}")]
    InstagramSandbox(#[from] instagram_sandbox::SandboxError),
    /// The in-process YouTube emulator could not start.
    #[error("the sandbox YouTube emulator could not start: {0}")]
    YouTubeSandbox(#[from] youtube_sandbox::SandboxError),
}

/// Knobs that tests turn; the binary uses the defaults.
pub struct WiringOptions {
    /// Where "now" comes from.
    pub clock: Arc<dyn Clock>,
    /// The TikTok emulator's settings in sandbox mode (its client registration is added
    /// here).
    pub sandbox: SandboxConfig,
    /// The Instagram emulator's settings in sandbox mode (its app registration is added
    /// here).
    pub instagram_sandbox: instagram_sandbox::SandboxConfig,
    /// The YouTube emulator's settings in sandbox mode (its OAuth client is added here).
    pub youtube_sandbox: youtube_sandbox::SandboxConfig,
    /// Who this process is in sync leases.
    pub instance_id: String,
}

impl Default for WiringOptions {
    fn default() -> Self {
        Self {
            clock: Arc::new(SystemClock),
            sandbox: SandboxConfig::new(),
            instagram_sandbox: instagram_sandbox::SandboxConfig::new(),
            youtube_sandbox: youtube_sandbox::SandboxConfig::new(),
            instance_id: format!("api-server-{}", std::process::id()),
        }
    }
}

/// A server ready to run, with what was wired into it.
pub struct Wired {
    /// The HTTP server.
    pub app: Application,
    /// The use cases (shared with the handlers).
    pub services: Services,
    /// The TikTok emulator, in sandbox mode.
    pub sandbox: Option<SandboxHandle>,
    /// The Instagram emulator, in sandbox mode.
    pub instagram_sandbox: Option<instagram_sandbox::SandboxHandle>,
    /// The YouTube emulator, in sandbox mode.
    pub youtube_sandbox: Option<youtube_sandbox::SandboxHandle>,
}

/// Counts what the services report in the Prometheus metrics.
struct MetricsObserver(Metrics);

impl ServiceObserver for MetricsObserver {
    fn platform_call(&self, platform: domain::Platform, endpoint: &str, status: Option<u16>) {
        self.0
            .record_platform_call(platform.as_str(), endpoint, status.unwrap_or(0));
    }

    fn sync_run(&self, outcome: domain::SyncOutcome) {
        self.0.record_sync_run(outcome.as_str());
    }

    fn token_refresh(&self, outcome: &'static str) {
        self.0.record_token_refresh(outcome);
    }

    fn quota_left(&self, bucket: &str, window: &'static str, left: i64) {
        // Buckets are `<platform>:<endpoint>` per minute and `<platform>:app` per day.
        let (platform, rest) = bucket.split_once(':').unwrap_or((bucket, ""));
        let label = match window {
            "minute" => format!("minute:{rest}"),
            _ => window.to_owned(),
        };
        self.0.set_quota_left(platform, &label, left);
    }

    fn revocation(&self, outcome: &'static str) {
        self.0.record_revocation(outcome);
    }

    fn webhook_received(&self, event: &str, outcome: &'static str) {
        self.0.record_webhook(event, outcome);
    }

    fn host_delivery(&self, result: &'static str) {
        self.0.record_host_delivery(result);
    }
}

/// Binds the server, starts the emulators in sandbox mode, opens and migrates the database,
/// and builds the use cases and the HTTP app around them.
pub async fn wire(config: Config, options: WiringOptions) -> Result<Wired, WiringError> {
    let mut builder = Application::builder(config)?;
    let (sandbox, instagram_sandbox, youtube_sandbox) = if builder.config().is_sandbox() {
        (
            start_tiktok_sandbox(&mut builder, options.sandbox).await?,
            start_instagram_sandbox(&mut builder, options.instagram_sandbox).await?,
            start_youtube_sandbox(&mut builder, options.youtube_sandbox).await?,
        )
    } else {
        (None, None, None)
    };
    let config = builder.config().clone();

    let metrics = Metrics::new().map_err(StartupError::from)?;
    let services = build_services(
        &config.settings,
        options.clock,
        Arc::new(MetricsObserver(metrics.clone())),
        options.instance_id,
    )
    .await?;
    let db = services.database().clone();

    if let Some(deliverer) = host_deliverer(&config.settings, &services)? {
        // Runs for the life of the process; an attempt cut short by shutdown is retried by
        // the next process once its claim lapses (delivery is at least once).
        tokio::spawn(deliverer.run_until(std::future::pending()));
    }

    // Expired OAuth states, quota windows and pauses are deleted for the life of the
    // process, so no table grows with every connect or minute.
    tokio::spawn(
        services
            .clone()
            .run_housekeeping(config.settings.sync.purge_interval),
    );

    let data = web::Data::new(services.clone());
    let platforms = services
        .platforms()
        .iter()
        .map(|adapter| PlatformRoutes::of(adapter.as_ref()))
        .collect();
    let app = builder
        .platforms(platforms)
        .metrics(metrics)
        .readiness(probe_fn(move || {
            let db = db.clone();
            async move {
                db.ping().await.map_err(|error| NotReady {
                    component: "database",
                    reason: error.to_string(),
                })
            }
        }))
        .configure(move |cfg| {
            cfg.app_data(data.clone());
        })
        .build()?;
    Ok(Wired {
        app,
        services,
        sandbox,
        instagram_sandbox,
        youtube_sandbox,
    })
}

/// The address the in-process emulators call this server back at.
fn loopback_url(builder: &ApplicationBuilder, path: &str) -> url::Url {
    let port = builder.config().server.port;
    url::Url::parse(&format!("http://127.0.0.1:{port}{path}"))
        .expect("a loopback URL with a port is valid")
}

/// Starts the TikTok emulator with this server registered as its client, and points the
/// TikTok settings at it (unless its base URLs were given).
async fn start_tiktok_sandbox(
    builder: &mut ApplicationBuilder,
    sandbox: SandboxConfig,
) -> Result<Option<SandboxHandle>, WiringError> {
    let Some(tiktok) = &builder.config().settings.tiktok else {
        return Ok(None);
    };
    let client = RegisteredClient::new(
        tiktok.client_key.clone(),
        tiktok.client_secret.expose_secret().to_owned(),
        [tiktok.redirect_uri.to_string()],
    );
    let mut sandbox = sandbox.client(client);
    if !sandbox.has_webhook_url() {
        // The emulator plays TikTok's part: it tells this server when a creator removes the
        // app, at the route TikTok's portal would be given.
        sandbox = sandbox.webhook_url(loopback_url(builder, TIKTOK_WEBHOOK_PATH));
    }
    let handle = Sandbox::start(sandbox).await?;
    if let Some(tiktok) = builder.config_mut().settings.tiktok.as_mut()
        && !tiktok.base_urls_explicit
    {
        tiktok.auth_base_url = handle.base_url();
        tiktok.api_base_url = handle.base_url();
    }
    Ok(Some(handle))
}

/// Starts the Instagram emulator with this server registered as its app (redirect URI,
/// deauthorize and data-deletion callbacks), and points the Instagram settings at it (unless
/// its hosts were given).
async fn start_instagram_sandbox(
    builder: &mut ApplicationBuilder,
    sandbox: instagram_sandbox::SandboxConfig,
) -> Result<Option<instagram_sandbox::SandboxHandle>, WiringError> {
    let Some(instagram) = &builder.config().settings.instagram else {
        return Ok(None);
    };
    let callback = |kind: &'static str| {
        let path = RouteCallback {
            platform: INSTAGRAM,
            kind,
        }
        .path();
        loopback_url(builder, &path)
    };
    let app = instagram_sandbox::RegisteredApp::new(
        instagram.app_id.clone(),
        instagram.app_secret.expose_secret().to_owned(),
        [instagram.redirect_uri.to_string()],
    )
    .with_deauthorize_url(callback(DEAUTHORIZE))
    .with_deletion_url(callback(DATA_DELETION));
    let handle = instagram_sandbox::Sandbox::start(sandbox.app(app)).await?;
    if let Some(instagram) = builder.config_mut().settings.instagram.as_mut()
        && !instagram.base_urls_explicit
    {
        instagram.auth_base_url = handle.authorize_base_url();
        instagram.api_base_url = handle.api_base_url();
        instagram.graph_base_url = handle.graph_base_url();
    }
    Ok(Some(handle))
}

/// Starts the YouTube (Google) emulator with this server registered as its OAuth client, and
/// points the YouTube settings at it (unless its hosts were given).
async fn start_youtube_sandbox(
    builder: &mut ApplicationBuilder,
    sandbox: youtube_sandbox::SandboxConfig,
) -> Result<Option<youtube_sandbox::SandboxHandle>, WiringError> {
    let Some(youtube) = &builder.config().settings.youtube else {
        return Ok(None);
    };
    let client = youtube_sandbox::RegisteredClient::new(
        youtube.client_id.clone(),
        youtube.client_secret.expose_secret().to_owned(),
        [youtube.redirect_uri.to_string()],
    );
    let handle = youtube_sandbox::Sandbox::start(sandbox.client(client)).await?;
    if let Some(youtube) = builder.config_mut().settings.youtube.as_mut()
        && !youtube.base_urls_explicit
    {
        youtube.auth_base_url = handle.auth_base_url();
        youtube.token_base_url = handle.token_base_url();
        youtube.data_base_url = handle.data_base_url();
        youtube.analytics_base_url = handle.analytics_base_url();
    }
    Ok(Some(handle))
}
