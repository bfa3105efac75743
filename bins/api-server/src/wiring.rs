//! Wiring the real dependencies into the platform: the database (migrated at start-up), the
//! TikTok client (paced and budgeted), the use cases, the readiness probe and the metrics;
//! and, in sandbox mode, the TikTok emulator started in-process.

use std::num::NonZeroU32;
use std::sync::Arc;

use actix_web::web;
use scheduler::pacing_quota;
use secrecy::ExposeSecret as _;
use services::clock::{Clock, SystemClock};
use services::observer::ServiceObserver;
use services::outbox::Deliverer;
use services::quota::QuotaConfig;
use services::{Services, ServicesConfig};
use storage::{ConnectOptions, Database, TokenCipher, TokenKey};
use tiktok_client::{EndpointRateLimiter, TikTokClient};
use tiktok_sandbox::{RegisteredClient, Sandbox, SandboxConfig, SandboxHandle};

use crate::config::Config;
use crate::metrics::Metrics;
use crate::readiness::{NotReady, probe_fn};
use crate::routes::webhooks::TIKTOK_WEBHOOK_PATH;
use crate::startup::{Application, StartupError};

/// What can stop the server from starting.
#[derive(Debug, thiserror::Error)]
pub enum WiringError {
    /// Binding or building the HTTP server failed.
    #[error(transparent)]
    Startup(#[from] StartupError),
    /// The encryption keys are unusable.
    #[error("TOKEN_ENCRYPTION_KEY: {0}")]
    Keys(#[from] storage::CryptoError),
    /// The database cannot be opened or migrated.
    #[error("DATABASE_URL: {0}")]
    Database(#[from] storage::StorageError),
    /// The TikTok client settings are invalid.
    #[error("TikTok settings: {0}")]
    TikTok(#[from] tiktok_client::ConfigError),
    /// `TIKTOK_RATE_LIMIT_PER_MINUTE` is zero.
    #[error("TIKTOK_RATE_LIMIT_PER_MINUTE must be at least 1")]
    ZeroRateLimit,
    /// The in-process TikTok emulator could not start.
    #[error("the sandbox TikTok emulator could not start: {0}")]
    Sandbox(#[from] tiktok_sandbox::SandboxError),
    /// The host notifications' HTTP client could not be built.
    #[error("HOST_WEBHOOK_URL: {0}")]
    HostWebhook(#[from] services::outbox::DelivererError),
}

/// Knobs that tests turn; the binary uses the defaults.
pub struct WiringOptions {
    /// Where "now" comes from.
    pub clock: Arc<dyn Clock>,
    /// The emulator's settings in sandbox mode (its client registration is added here).
    pub sandbox: SandboxConfig,
    /// Who this process is in sync leases.
    pub instance_id: String,
}

impl Default for WiringOptions {
    fn default() -> Self {
        Self {
            clock: Arc::new(SystemClock),
            sandbox: SandboxConfig::new(),
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
    /// The emulator, in sandbox mode.
    pub sandbox: Option<SandboxHandle>,
}

/// Counts what the services report in the Prometheus metrics.
struct MetricsObserver(Metrics);

impl ServiceObserver for MetricsObserver {
    fn tiktok_call(&self, endpoint: &'static str, status: Option<u16>) {
        self.0.record_tiktok_call(endpoint, status.unwrap_or(0));
    }

    fn sync_run(&self, outcome: domain::SyncOutcome) {
        self.0.record_sync_run(outcome.as_str());
    }

    fn token_refresh(&self, outcome: &'static str) {
        self.0.record_token_refresh(outcome);
    }

    fn quota_left(&self, bucket: &str, window: &'static str, left: i64) {
        // Per-minute windows are per endpoint (`tiktok:video_list`); the day is per app.
        let label = match (window, bucket.split_once(':')) {
            ("minute", Some((_, endpoint))) => format!("minute:{endpoint}"),
            _ => window.to_owned(),
        };
        self.0.set_quota_left(&label, left);
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

/// The token cipher from the configured keys (the first one encrypts).
pub fn token_cipher(config: &Config) -> Result<TokenCipher, storage::CryptoError> {
    let mut keys = config
        .token_encryption_keys
        .all()
        .map(|key| TokenKey::new(key.id(), key.bytes().expose_secret()));
    let primary = keys.next().ok_or(storage::CryptoError::NoKeys)??;
    let others = keys.collect::<Result<Vec<_>, _>>()?;
    TokenCipher::new(primary, others)
}

/// The share of a daily quota kept for creators pressing "Sync now": a tenth. Every process
/// (api-server, sync-worker) plans with the same reserve.
pub fn manual_reserve(daily_quota: Option<u32>) -> u32 {
    daily_quota.map_or(0, |daily| daily / 10)
}

/// The TikTok client for the configured app and base URLs, with a `governor` limiter per
/// endpoint that spreads calls evenly over the minute ([`scheduler::pacing_quota`]) instead
/// of letting a whole minute's budget burst.
pub fn tiktok_client(config: &Config) -> Result<TikTokClient, WiringError> {
    let per_minute =
        NonZeroU32::new(config.sync.rate_limit_per_minute).ok_or(WiringError::ZeroRateLimit)?;
    let limiter: Arc<EndpointRateLimiter> =
        Arc::new(governor::RateLimiter::keyed(pacing_quota(per_minute)));
    Ok(TikTokClient::new(
        tiktok_client::TikTokConfig::new(
            config.tiktok.client_key.clone(),
            config.tiktok.client_secret.clone(),
            config.tiktok.redirect_uri.clone(),
        )
        .with_scopes(config.tiktok.scopes.clone())
        .with_auth_base_url(config.tiktok.auth_base_url.clone())
        .with_api_base_url(config.tiktok.api_base_url.clone()),
    )?
    .with_rate_limiter(limiter))
}

/// The use cases' settings from the configuration; `instance_id` names this process in
/// leases.
pub fn services_config(config: &Config, instance_id: String) -> ServicesConfig {
    let mut services_config = ServicesConfig::new(config.tiktok.scopes.clone(), instance_id);
    services_config.manual_sync_cooldown = config.sync.manual_cooldown;
    services_config.quota = QuotaConfig {
        per_minute_per_endpoint: config.sync.rate_limit_per_minute,
        daily: config.sync.daily_quota,
        manual_reserve: manual_reserve(config.sync.daily_quota),
    };
    services_config.host_notifications = config.host_webhook.is_some();
    services_config.webhook_tolerance = config.tiktok.webhook_tolerance;
    services_config
}

/// The host notifications' deliverer, when `HOST_WEBHOOK_URL` is set.
pub fn host_deliverer(
    config: &Config,
    services: &Services,
) -> Result<Option<Deliverer>, WiringError> {
    config
        .host_webhook
        .clone()
        .map(|host| Deliverer::new(services, host))
        .transpose()
        .map_err(WiringError::from)
}

/// Opens the configured database (running its migrations) with the configured token keys.
pub async fn open_database(config: &Config) -> Result<Database, WiringError> {
    Ok(Database::connect(
        config.database_url.expose_secret(),
        ConnectOptions::new(token_cipher(config)?),
    )
    .await?)
}

/// Binds the server, starts the emulator in sandbox mode, opens and migrates the database,
/// and builds the use cases and the HTTP app around them.
pub async fn wire(config: Config, options: WiringOptions) -> Result<Wired, WiringError> {
    let mut builder = Application::builder(config)?;
    let sandbox = if builder.config().is_sandbox() {
        let tiktok = &builder.config().tiktok;
        let client = RegisteredClient::new(
            tiktok.client_key.clone(),
            tiktok.client_secret.expose_secret().to_owned(),
            [tiktok.redirect_uri.to_string()],
        );
        let mut sandbox = options.sandbox.client(client);
        if !sandbox.has_webhook_url() {
            // The emulator plays TikTok's part: it tells this server when a creator removes
            // the app, at the route TikTok's portal would be given.
            let port = builder.config().server.port;
            sandbox = sandbox.webhook_url(
                url::Url::parse(&format!("http://127.0.0.1:{port}{TIKTOK_WEBHOOK_PATH}"))
                    .expect("a loopback URL with a port is valid"),
            );
        }
        let handle = Sandbox::start(sandbox).await?;
        let config = builder.config_mut();
        if !config.tiktok.base_urls_explicit {
            config.tiktok.auth_base_url = handle.base_url();
            config.tiktok.api_base_url = handle.base_url();
        }
        Some(handle)
    } else {
        None
    };
    let config = builder.config().clone();

    let db = open_database(&config).await?;
    let tiktok = tiktok_client(&config)?;
    let metrics = Metrics::new().map_err(StartupError::from)?;
    let services = Services::new(
        db.clone(),
        tiktok,
        options.clock,
        Arc::new(MetricsObserver(metrics.clone())),
        services_config(&config, options.instance_id),
    );

    if let Some(deliverer) = host_deliverer(&config, &services)? {
        // Runs for the life of the process; an attempt cut short by shutdown is retried by
        // the next process once its claim lapses (delivery is at least once).
        tokio::spawn(deliverer.run_until(std::future::pending()));
    }

    let data = web::Data::new(services.clone());
    let app = builder
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
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tenth_of_the_daily_quota_is_reserved() {
        assert_eq!(manual_reserve(None), 0);
        assert_eq!(manual_reserve(Some(1000)), 100);
        assert_eq!(manual_reserve(Some(9)), 0);
    }
}
