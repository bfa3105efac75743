//! api-server: reads the configuration, sets up logging, serves until stopped.
//!
//! `api-server openapi` prints the OpenAPI document of a sandbox server (every platform on)
//! instead, without serving: `scripts/generate-ts-types` makes the TypeScript types from it.

use anyhow::Context as _;
use api_server::config::{Config, Mode};
use api_server::wiring::{WiringOptions, wire};
use bootstrap::telemetry;

/// What `api-server --help` prints.
const USAGE: &str = "\
usage: api-server           serve (configured by the environment, see docs/configuration.md)
       api-server openapi   print the OpenAPI document of a sandbox server, every platform on";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] => serve().await,
        ["openapi"] => print_openapi().await,
        ["-h" | "--help" | "help"] => {
            println!("{USAGE}");
            Ok(())
        }
        _ => anyhow::bail!("unknown arguments {args:?}\n{USAGE}"),
    }
}

/// Prints the sandbox server's document as pretty JSON.
async fn print_openapi() -> anyhow::Result<()> {
    let document = api_server::openapi::sandbox_document()
        .await
        .context("the sandbox server could not be wired")?;
    let json = document
        .to_pretty_json()
        .context("the document cannot be written as JSON")?;
    println!("{json}");
    Ok(())
}

/// Serves until stopped.
async fn serve() -> anyhow::Result<()> {
    let config = Config::from_env().context("invalid configuration")?;
    let subscriber =
        telemetry::stdout_subscriber(config.settings.log.format, &config.settings.log.filter)?;
    telemetry::init(subscriber)?;

    let wired = wire(config, WiringOptions::default())
        .await
        .context("the server could not start")?;
    let app = wired.app;
    let config = &app.state().config;
    if config.settings.mode == Mode::Sandbox {
        tracing::warn!(
            data_dir = %config.settings.data_dir.display(),
            "SANDBOX MODE: emulators stand in for every platform, so no real account can be \
             connected; development secrets are generated and kept in DATA_DIR/dev-secrets.json. \
             Never use sandbox mode in production."
        );
    }
    if let Some(sandbox) = &wired.sandbox {
        tracing::warn!(
            sandbox_url = %sandbox.base_url(),
            creators = sandbox.creators().len(),
            "SANDBOX MODE: the built-in TikTok emulator stands in for TikTok; open the dashboard \
             and press Connect to sign in as one of its creators"
        );
    }
    if let Some(sandbox) = &wired.instagram_sandbox {
        tracing::warn!(
            sandbox_url = %sandbox.base_url(),
            accounts = sandbox.accounts().len(),
            "SANDBOX MODE: the built-in Instagram emulator stands in for Instagram"
        );
    }
    if let Some(sandbox) = &wired.youtube_sandbox {
        tracing::warn!(
            sandbox_url = %sandbox.base_url(),
            accounts = sandbox.accounts().len(),
            "SANDBOX MODE: the built-in YouTube emulator stands in for Google and YouTube"
        );
    }
    for off in &config.settings.switched_off {
        tracing::warn!(
            platform = off.platform,
            reason = %off.reason,
            "platform switched off: its routes answer 404 and GET /api/platforms says why"
        );
    }
    tracing::info!(
        address = %app.address(),
        mode = ?config.settings.mode,
        app_origin = %config.app_origin.primary,
        "api-server listening"
    );
    app.run_until_stopped().await.context("server failed")
}
