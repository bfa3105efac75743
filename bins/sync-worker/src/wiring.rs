//! Building the use cases from the api-server's configuration and builders: the same
//! database, token keys, TikTok app, pacing and budgets, so the worker and the server share one
//! quota and one set of tokens.

use std::sync::Arc;

use api_server::config::Config;
use api_server::wiring;
use services::Services;
use services::clock::Clock;
use services::observer::NoopObserver;

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
    /// The database, the keys or the TikTok settings are unusable (the same checks as the
    /// api-server's).
    #[error(transparent)]
    Shared(#[from] api_server::wiring::WiringError),
}

/// Opens (and migrates) the database and builds the use cases exactly as the api-server
/// does ([`api_server::wiring`]), so both processes share one quota, one reserve and one set
/// of tokens. Refuses sandbox mode without an explicit TikTok base URL: the worker does not
/// start an emulator of its own, and the api-server's in-process one is not reachable from
/// here.
pub async fn build_services(
    config: &Config,
    clock: Arc<dyn Clock>,
    instance_id: String,
) -> Result<Services, WiringError> {
    if config.is_sandbox() && !config.tiktok.base_urls_explicit {
        return Err(WiringError::SandboxWithoutEmulator);
    }
    let tiktok = wiring::tiktok_client(config)?;
    let db = wiring::open_database(config).await?;
    Ok(Services::new(
        db,
        tiktok,
        clock,
        Arc::new(NoopObserver),
        wiring::services_config(config, instance_id),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

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
