//! Building the use cases as every process builds them ([`bootstrap::wiring`]): the same
//! database, token keys, TikTok app, pacing and budgets, so the worker and the server share one
//! quota and one set of tokens.

use std::sync::Arc;

use bootstrap::Settings;
use bootstrap::settings::SwitchedOff;
use bootstrap::wiring;
use services::Services;
use services::clock::Clock;
use services::observer::NoopObserver;

/// Why the worker cannot start.
#[derive(Debug, thiserror::Error)]
pub enum WiringError {
    /// Sandbox mode without an emulator to talk to.
    #[error(
        "sandbox mode: the sync worker has no emulator of its own; start one (e.g. `cargo run \
         -p tiktok-sandbox`) and point its base URLs at it (TIKTOK_API_BASE_URL and \
         TIKTOK_AUTH_BASE_URL; INSTAGRAM_AUTH_BASE_URL, INSTAGRAM_API_BASE_URL and \
         INSTAGRAM_GRAPH_BASE_URL), or set MODE=live with a platform's credentials"
    )]
    SandboxWithoutEmulator,
    /// The database, the keys or the platform settings are unusable (the same checks as the
    /// api-server's).
    #[error(transparent)]
    Shared(#[from] wiring::WiringError),
}

/// Opens (and migrates) the database and builds the use cases exactly as the api-server
/// does ([`bootstrap::wiring`]), so both processes share one quota, one reserve and one set
/// of tokens. In sandbox mode the worker syncs only the platforms whose emulator address is
/// given: it starts no emulator of its own, and the api-server's in-process ones are on
/// ports it cannot know. None given is refused.
pub async fn build_services(
    settings: &Settings,
    clock: Arc<dyn Clock>,
    instance_id: String,
) -> Result<Services, WiringError> {
    let settings = reachable_platforms(settings)?;
    Ok(wiring::build_services(&settings, clock, Arc::new(NoopObserver), instance_id).await?)
}

/// `settings` with, in sandbox mode, the platforms whose emulator address is not given
/// switched off (and said so).
fn reachable_platforms(settings: &Settings) -> Result<Settings, WiringError> {
    let mut settings = settings.clone();
    if !settings.is_sandbox() {
        return Ok(settings);
    }
    if settings
        .tiktok
        .as_ref()
        .is_some_and(|tiktok| !tiktok.base_urls_explicit)
    {
        settings.tiktok = None;
        settings.switched_off.push(SwitchedOff::new(
            "tiktok",
            "TikTok",
            "sandbox mode without TIKTOK_API_BASE_URL".into(),
        ));
    }
    if settings
        .instagram
        .as_ref()
        .is_some_and(|instagram| !instagram.base_urls_explicit)
    {
        settings.instagram = None;
        settings.switched_off.push(SwitchedOff::new(
            "instagram",
            "Instagram",
            "sandbox mode without INSTAGRAM_GRAPH_BASE_URL".into(),
        ));
    }
    if settings.tiktok.is_none() && settings.instagram.is_none() {
        return Err(WiringError::SandboxWithoutEmulator);
    }
    for off in &settings.switched_off {
        tracing::warn!(platform = off.platform, reason = %off.reason, "platform switched off");
    }
    Ok(settings)
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
