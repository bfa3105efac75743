//! Building the use cases as every process builds them ([`bootstrap::wiring`]): the same
//! database, token keys, TikTok app, pacing and budgets, so the worker and the server share one
//! quota and one set of tokens.

use std::sync::Arc;

use bootstrap::Settings;
use bootstrap::wiring;
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
    Shared(#[from] wiring::WiringError),
}

/// Opens (and migrates) the database and builds the use cases exactly as the api-server
/// does ([`bootstrap::wiring`]), so both processes share one quota, one reserve and one set
/// of tokens. Refuses sandbox mode without an explicit TikTok base URL: the worker does not
/// start an emulator of its own, and the api-server's in-process one is not reachable from
/// here.
pub async fn build_services(
    settings: &Settings,
    clock: Arc<dyn Clock>,
    instance_id: String,
) -> Result<Services, WiringError> {
    if settings.is_sandbox() && !settings.tiktok.base_urls_explicit {
        return Err(WiringError::SandboxWithoutEmulator);
    }
    Ok(wiring::build_services(settings, clock, Arc::new(NoopObserver), instance_id).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sandbox_mode_without_an_emulator_url_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let data_dir = dir.path().to_string_lossy().into_owned();
        let settings =
            Settings::from_lookup(&|name| (name == "DATA_DIR").then(|| data_dir.clone()))
                .expect("sandbox configuration");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let error = runtime
            .block_on(build_services(
                &settings,
                Arc::new(services::clock::SystemClock),
                "test".into(),
            ))
            .expect_err("refused");
        assert!(matches!(error, WiringError::SandboxWithoutEmulator));
        assert!(error.to_string().contains("TIKTOK_API_BASE_URL"));
    }
}
