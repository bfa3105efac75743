//! Building the use cases from the [`Settings`]: the database (migrated on open), the token
//! cipher, the shared call budget, each platform's client and adapter, [`Services`] and the
//! host notifications' deliverer. Both binaries build them here, so they share one budget per
//! platform, one reserve and one set of tokens.

use std::num::NonZeroU32;
use std::sync::Arc;

use chrono::TimeDelta;
use scheduler::pacing_quota;
use secrecy::ExposeSecret as _;
use services::clock::Clock;
use services::observer::ServiceObserver;
use services::outbox::Deliverer;
use services::platforms::instagram::{INSTAGRAM, InsightsPolicy, InstagramAdapter};
use services::platforms::tiktok::{TIKTOK, TikTokAdapter};
use services::platforms::youtube::{YOUTUBE, YouTubeAdapter};
use services::quota::{BudgetPolicy, CallBudget};
use services::{Platforms, Services, ServicesConfig};
use storage::{ConnectOptions, Database, TokenCipher, TokenKey};
use tiktok_client::{EndpointRateLimiter, TikTokClient};

use crate::settings::{
    InstagramSettings, QuotaTableChoice, Settings, TikTokSettings, YouTubeSettings,
};

/// Why the use cases cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum WiringError {
    /// The encryption keys are unusable.
    #[error("TOKEN_ENCRYPTION_KEY: {0}")]
    Keys(#[from] storage::CryptoError),
    /// The database cannot be opened or migrated.
    #[error("DATABASE_URL: {0}")]
    Database(#[from] storage::StorageError),
    /// The TikTok client settings are invalid.
    #[error("TikTok settings: {0}")]
    TikTok(#[from] tiktok_client::ConfigError),
    /// The Instagram client settings are invalid.
    #[error("Instagram settings: {0}")]
    Instagram(#[from] instagram_client::ConfigError),
    /// The YouTube client settings are invalid.
    #[error("YouTube settings: {0}")]
    YouTube(#[from] youtube_client::ConfigError),
    /// `TIKTOK_RATE_LIMIT_PER_MINUTE` is zero.
    #[error("TIKTOK_RATE_LIMIT_PER_MINUTE must be at least 1")]
    ZeroRateLimit,
    /// The host notifications' HTTP client could not be built.
    #[error("HOST_WEBHOOK_URL: {0}")]
    HostWebhook(#[from] services::outbox::DelivererError),
}

/// The token cipher from the configured keys (the first one encrypts).
///
/// # Errors
/// A [`storage::CryptoError`] when a key is unusable.
pub fn token_cipher(settings: &Settings) -> Result<TokenCipher, storage::CryptoError> {
    let mut keys = settings
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
///
/// # Errors
/// [`WiringError::ZeroRateLimit`] or [`WiringError::TikTok`].
pub fn tiktok_client(
    tiktok: &TikTokSettings,
    settings: &Settings,
) -> Result<TikTokClient, WiringError> {
    let per_minute =
        NonZeroU32::new(settings.sync.rate_limit_per_minute).ok_or(WiringError::ZeroRateLimit)?;
    let limiter: Arc<EndpointRateLimiter> =
        Arc::new(governor::RateLimiter::keyed(pacing_quota(per_minute)));
    Ok(TikTokClient::new(
        tiktok_client::TikTokConfig::new(
            tiktok.client_key.clone(),
            tiktok.client_secret.clone(),
            tiktok.redirect_uri.clone(),
        )
        .with_scopes(tiktok.scopes.clone())
        .with_auth_base_url(tiktok.auth_base_url.clone())
        .with_api_base_url(tiktok.api_base_url.clone())
        .with_request_timeout(settings.sync.tiktok_request_timeout)
        // Explicit consent on every connect: a one-click approval cannot happen unseen
        // (issue 25).
        .with_disable_auto_auth(true),
    )?
    .with_rate_limiter(limiter))
}

/// The Instagram client for the configured app and hosts. Its retries never sit out a
/// throttle: Meta states waits in minutes, and the adapter pauses the account instead, so no
/// worker slot is held while it waits.
///
/// # Errors
/// [`WiringError::Instagram`].
pub fn instagram_client(
    instagram: &InstagramSettings,
) -> Result<instagram_client::InstagramClient, WiringError> {
    let mut config = instagram_client::InstagramConfig::new(
        instagram.app_id.clone(),
        instagram.app_secret.clone(),
        instagram.redirect_uri.clone(),
    )
    .with_scopes(instagram.scopes.clone())
    .with_base_urls(
        instagram.auth_base_url.clone(),
        instagram.api_base_url.clone(),
        instagram.graph_base_url.clone(),
    )
    .with_graph_version(instagram.graph_version.clone())
    .with_token_transport(if instagram.token_in_header {
        instagram_client::TokenTransport::Header
    } else {
        instagram_client::TokenTransport::Query
    })
    .with_page_limit(instagram.page_size)
    .with_retry(instagram_client::RetryPolicy {
        max_throttle_wait: std::time::Duration::ZERO,
        ..instagram_client::RetryPolicy::default()
    });
    for secret in &instagram.extra_signing_secrets {
        config = config.with_extra_signing_secret(secret.clone());
    }
    Ok(instagram_client::InstagramClient::new(config)?)
}

/// The use cases' settings; `instance_id` names this process in leases.
pub fn services_config(settings: &Settings, instance_id: String) -> ServicesConfig {
    let mut config = ServicesConfig::new(instance_id);
    config.manual_sync_cooldown = settings.sync.manual_cooldown;
    config.host_notifications = settings.host_webhook.is_some();
    config.rotation_grace = settings.sync.rotation_grace;
    config
}

/// TikTok's share of the shared budget: its per-endpoint minute and the optional daily cap,
/// a tenth of which scheduled syncs leave to manual ones.
pub fn tiktok_budget(settings: &Settings) -> BudgetPolicy {
    BudgetPolicy {
        per_minute_per_endpoint: Some(settings.sync.rate_limit_per_minute),
        daily: settings.sync.daily_quota,
        manual_reserve: manual_reserve(settings.sync.daily_quota),
        pauses: false,
        day_zone: None,
    }
}

/// Instagram's share of the shared budget: Meta's budget is per account (the adapter pauses
/// an account Meta throttles, or whose usage nears the limit); the app's own daily cap is
/// optional, a tenth of it left to manual syncs.
pub fn instagram_budget(instagram: &InstagramSettings) -> BudgetPolicy {
    BudgetPolicy {
        per_minute_per_endpoint: None,
        daily: instagram.daily_quota,
        manual_reserve: manual_reserve(instagram.daily_quota),
        pauses: true,
        day_zone: None,
    }
}

/// The YouTube client for the configured Google OAuth client and hosts, on the budget's
/// clock (token lifetimes and quota resets are computed on the services' time).
///
/// # Errors
/// [`WiringError::YouTube`].
pub fn youtube_client(
    youtube: &YouTubeSettings,
    budget: &Arc<CallBudget>,
) -> Result<youtube_client::YouTubeClient, WiringError> {
    let quota = match youtube.quota_table {
        QuotaTableChoice::Current => youtube_client::QuotaTable::current(),
        QuotaTableChoice::SinglePool => youtube_client::QuotaTable::single_pool(),
    }
    .with_limit(
        youtube_client::QuotaBucket::General,
        u64::from(youtube.daily_units),
    );
    let config = youtube_client::YouTubeConfig::new(
        youtube.client_id.clone(),
        youtube.client_secret.clone(),
        youtube.redirect_uri.clone(),
    )
    .with_scopes(youtube.scopes.clone())
    .with_base_urls(
        youtube.auth_base_url.clone(),
        youtube.token_base_url.clone(),
        youtube.data_base_url.clone(),
        youtube.analytics_base_url.clone(),
    )
    .with_quota_table(quota);
    let clock_budget = Arc::clone(budget);
    Ok(
        youtube_client::YouTubeClient::new(config)?
            .with_clock(Arc::new(move || clock_budget.now())),
    )
}

/// YouTube's share of the shared budget: the project's daily Data API units, counted on
/// Pacific days (Google resets the quota at midnight Pacific time), a tenth left to manual
/// syncs; a `quotaExceeded` from Google pauses the budget until the reset.
pub fn youtube_budget(youtube: &YouTubeSettings) -> BudgetPolicy {
    BudgetPolicy {
        per_minute_per_endpoint: None,
        daily: Some(youtube.daily_units),
        manual_reserve: manual_reserve(Some(youtube.daily_units)),
        pauses: true,
        day_zone: Some(youtube_client::QUOTA_TIME_ZONE),
    }
}

/// Every platform's adapter over `budget`: what the settings switch on.
///
/// # Errors
/// [`WiringError`] when a platform's settings are unusable.
pub fn platforms(settings: &Settings, budget: &Arc<CallBudget>) -> Result<Platforms, WiringError> {
    let mut platforms = Platforms::new();
    if let Some(tiktok) = &settings.tiktok {
        platforms = platforms.with(Arc::new(TikTokAdapter::new(
            tiktok_client(tiktok, settings)?,
            Arc::clone(budget),
            tiktok.webhook_tolerance,
        )));
    }
    if let Some(instagram) = &settings.instagram {
        let insights = InsightsPolicy {
            recent: TimeDelta::from_std(instagram.insights_recent).unwrap_or(TimeDelta::MAX),
            refresh_every: TimeDelta::from_std(instagram.insights_refresh_every)
                .unwrap_or(TimeDelta::MAX),
        };
        platforms = platforms.with(Arc::new(
            InstagramAdapter::new(instagram_client(instagram)?, Arc::clone(budget))
                .with_insights_policy(insights),
        ));
    }
    if let Some(youtube) = &settings.youtube {
        platforms = platforms.with(Arc::new(
            YouTubeAdapter::new(youtube_client(youtube, budget)?, Arc::clone(budget))
                .with_analytics_days(youtube.analytics_days)
                .with_data_retention(TimeDelta::days(i64::from(youtube.retention_days))),
        ));
    }
    Ok(platforms)
}

/// The call budget over `db`, with each switched-on platform's policy.
pub fn call_budget(
    settings: &Settings,
    db: Database,
    clock: Arc<dyn Clock>,
    observer: Arc<dyn ServiceObserver>,
) -> CallBudget {
    let mut budget =
        CallBudget::new(db, clock, observer).with_user_share(settings.sync.user_share_percent);
    if settings.tiktok.is_some() {
        budget = budget.with_policy(TIKTOK, tiktok_budget(settings));
    }
    if let Some(instagram) = &settings.instagram {
        budget = budget.with_policy(INSTAGRAM, instagram_budget(instagram));
    }
    if let Some(youtube) = &settings.youtube {
        budget = budget.with_policy(YOUTUBE, youtube_budget(youtube));
    }
    budget
}

/// Opens the configured database (running its migrations) with the configured token keys.
///
/// # Errors
/// [`WiringError::Keys`] or [`WiringError::Database`].
pub async fn open_database(settings: &Settings) -> Result<Database, WiringError> {
    Ok(Database::connect(
        settings.database_url.expose_secret(),
        ConnectOptions::new(token_cipher(settings)?),
    )
    .await?)
}

/// Opens the database and builds the use cases: the same wiring in every process.
///
/// # Errors
/// Any [`WiringError`].
pub async fn build_services(
    settings: &Settings,
    clock: Arc<dyn Clock>,
    observer: Arc<dyn ServiceObserver>,
    instance_id: String,
) -> Result<Services, WiringError> {
    let db = open_database(settings).await?;
    let budget = Arc::new(call_budget(
        settings,
        db.clone(),
        Arc::clone(&clock),
        Arc::clone(&observer),
    ));
    let platforms = platforms(settings, &budget)?;
    Ok(Services::new(
        db,
        platforms,
        budget,
        clock,
        observer,
        services_config(settings, instance_id),
    ))
}

/// The host notifications' deliverer, when `HOST_WEBHOOK_URL` is set.
///
/// # Errors
/// [`WiringError::HostWebhook`] when its HTTP client cannot be built.
pub fn host_deliverer(
    settings: &Settings,
    services: &Services,
) -> Result<Option<Deliverer>, WiringError> {
    settings
        .host_webhook
        .clone()
        .map(|host| Deliverer::new(services, host))
        .transpose()
        .map_err(WiringError::from)
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
