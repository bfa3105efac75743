//! Building the use cases from the api-server's configuration: the same database, token keys,
//! TikTok app and budgets, so the worker and the server share one quota and one set of tokens.

use std::num::NonZeroU32;
use std::sync::Arc;

use api_server::config::Config;
use api_server::wiring::token_cipher;
use scheduler::pacing_quota;
use secrecy::ExposeSecret as _;
use services::clock::Clock;
use services::observer::NoopObserver;
use services::quota::QuotaConfig;
use services::{Services, ServicesConfig};
use storage::{ConnectOptions, Database};
use tiktok_client::{EndpointRateLimiter, TikTokClient, TikTokConfig};

/// Why the worker cannot start.
#[derive(Debug, thiserror::Error)]
pub enum WiringError {
    /// Sandbox mode without an emulator to talk to.
    #[error(
        "sandbox mode (TIKTOK_CLIENT_KEY is not set): the sync worker has no TikTok emulator of \
         its own; start one (e.g. `cargo run -p tiktok-sandbox`) and point TIKTOK_API_BASE_URL \
         and TIKTOK_AUTH_BASE_URL at it, or set TIKTOK_CLIENT_KEY for the real TikTok"
    )]
    SandboxWithoutEmulator,
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
}

/// The share of a daily quota kept for creators pressing "Sync now": a tenth, as the
/// api-server keeps it, so both processes plan with the same reserve.
pub fn manual_reserve(daily_quota: Option<u32>) -> u32 {
    daily_quota.map_or(0, |daily| daily / 10)
}

/// The TikTok client of the worker: the configured app and base URLs, with a `governor`
/// limiter that spreads each endpoint's calls evenly over the minute
/// ([`scheduler::pacing_quota`]) instead of letting them burst.
pub fn tiktok_client(config: &Config) -> Result<TikTokClient, WiringError> {
    let per_minute =
        NonZeroU32::new(config.sync.rate_limit_per_minute).ok_or(WiringError::ZeroRateLimit)?;
    let limiter: Arc<EndpointRateLimiter> =
        Arc::new(governor::RateLimiter::keyed(pacing_quota(per_minute)));
    Ok(TikTokClient::new(
        TikTokConfig::new(
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

/// The use cases' settings from the configuration, `instance_id` naming this process in
/// leases.
pub fn services_config(config: &Config, instance_id: String) -> ServicesConfig {
    let mut services_config = ServicesConfig::new(config.tiktok.scopes.clone(), instance_id);
    services_config.manual_sync_cooldown = config.sync.manual_cooldown;
    services_config.quota = QuotaConfig {
        per_minute_per_endpoint: config.sync.rate_limit_per_minute,
        daily: config.sync.daily_quota,
        manual_reserve: manual_reserve(config.sync.daily_quota),
    };
    services_config
}

/// Opens (and migrates) the database and builds the use cases. Refuses sandbox mode without
/// an explicit TikTok base URL: the worker does not start an emulator of its own, and the
/// api-server's in-process one is not reachable from here.
pub async fn build_services(
    config: &Config,
    clock: Arc<dyn Clock>,
    instance_id: String,
) -> Result<Services, WiringError> {
    if config.is_sandbox() && !config.tiktok.base_urls_explicit {
        return Err(WiringError::SandboxWithoutEmulator);
    }
    let tiktok = tiktok_client(config)?;
    let db = Database::connect(
        config.database_url.expose_secret(),
        ConnectOptions::new(token_cipher(config)?),
    )
    .await?;
    Ok(Services::new(
        db,
        tiktok,
        clock,
        Arc::new(NoopObserver),
        services_config(config, instance_id),
    ))
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

    #[test]
    fn sandbox_mode_without_an_emulator_url_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let data_dir = dir.path().to_string_lossy().into_owned();
        let config = Config::from_lookup(|name| (name == "DATA_DIR").then(|| data_dir.clone()))
            .expect("sandbox configuration");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let error = runtime
            .block_on(build_services(
                &config,
                Arc::new(services::clock::SystemClock),
                "test".into(),
            ))
            .expect_err("refused");
        assert!(matches!(error, WiringError::SandboxWithoutEmulator));
        assert!(error.to_string().contains("TIKTOK_API_BASE_URL"));
    }
}
