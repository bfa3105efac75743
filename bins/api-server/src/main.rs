//! api-server: reads the configuration, sets up logging, serves until stopped.

use anyhow::Context as _;
use api_server::config::{Config, Mode};
use api_server::startup::Application;
use api_server::telemetry;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = Config::from_env().context("invalid configuration")?;
    let subscriber = telemetry::stdout_subscriber(config.log_format, &config.log_filter)?;
    telemetry::init(subscriber)?;

    let app = Application::builder(config)?.build()?;
    let config = &app.state().config;
    if config.mode == Mode::Sandbox {
        tracing::warn!(
            data_dir = %config.data_dir.display(),
            "SANDBOX MODE: TIKTOK_CLIENT_KEY is not set, so no real TikTok account can be \
             connected; development secrets are generated and kept in DATA_DIR/dev-secrets.json. \
             Never use sandbox mode in production."
        );
    }
    tracing::info!(
        address = %app.address(),
        mode = ?config.mode,
        app_origin = %config.app_origin.primary,
        "api-server listening"
    );
    app.run_until_stopped().await.context("server failed")
}
