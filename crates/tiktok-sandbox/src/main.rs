//! `tiktok-sandbox`: run the TikTok API v2 emulator on its own.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use clap::Parser;
use tiktok_sandbox::{
    DEFAULT_CLIENT_KEY, DEFAULT_CLIENT_SECRET, DEFAULT_REDIRECT_URIS, RegisteredClient, Sandbox,
    SandboxConfig, VideosPerCreator,
};
use tracing_subscriber::EnvFilter;

/// A TikTok API v2 emulator: consent page, OAuth tokens, user info and videos of seeded
/// creators, a controllable clock and injectable faults. Point a TikTok client's authorize
/// and API base URLs at the printed base URL.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "SANDBOX_HOST", default_value = "127.0.0.1")]
    host: IpAddr,

    /// Port to listen on (0 picks a free one).
    #[arg(long, env = "SANDBOX_PORT", default_value_t = 5002)]
    port: u16,

    /// Base URL browsers and clients use, when not http://<host>:<port>/ (behind a proxy).
    #[arg(long, env = "SANDBOX_PUBLIC_URL")]
    public_url: Option<url::Url>,

    /// Seed of the generated creators: the same seed and start day give the same data.
    #[arg(long, env = "SANDBOX_SEED", default_value_t = 42)]
    seed: u64,

    /// Number of creators (ignored when --videos is a list).
    #[arg(long, env = "SANDBOX_CREATORS", default_value_t = 3)]
    creators: u32,

    /// Videos per creator: a number (`95`), a range drawn from the seed (`10..200`), or one
    /// count per creator (`95,0,120`).
    #[arg(long, env = "SANDBOX_VIDEOS", default_value = "0..120")]
    videos: String,

    /// Client key of the registered app.
    #[arg(long, env = "SANDBOX_CLIENT_KEY", default_value = DEFAULT_CLIENT_KEY)]
    client_key: String,

    /// Client secret of the registered app.
    #[arg(long, env = "SANDBOX_CLIENT_SECRET", default_value = DEFAULT_CLIENT_SECRET)]
    client_secret: String,

    /// A registered redirect URI (repeat for several; default: the api-server's development
    /// callbacks on localhost:5001 and 127.0.0.1:5001).
    #[arg(
        long = "redirect-uri",
        env = "SANDBOX_REDIRECT_URIS",
        value_delimiter = ','
    )]
    redirect_uris: Vec<String>,

    /// Access token lifetime in seconds (`expires_in`).
    #[arg(long, env = "SANDBOX_ACCESS_TOKEN_TTL", default_value_t = 7_200)]
    access_token_ttl: u64,

    /// Refresh token lifetime in seconds (`refresh_expires_in`).
    #[arg(long, env = "SANDBOX_REFRESH_TOKEN_TTL", default_value_t = 15_552_000)]
    refresh_token_ttl: u64,

    /// Authorization code lifetime in seconds.
    #[arg(long, env = "SANDBOX_CODE_TTL", default_value_t = 300)]
    code_ttl: u64,

    /// Keep refresh tokens on refresh instead of rotating them.
    #[arg(long, env = "SANDBOX_NO_ROTATION")]
    no_rotation: bool,

    /// Calls per minute per app per Display API endpoint (sliding window; 0 = unlimited).
    #[arg(long, env = "SANDBOX_RATE_LIMIT", default_value_t = 600)]
    rate_limit_per_minute: u32,

    /// Send Retry-After with the enforced rate limit's 429 (TikTok does not document one).
    #[arg(long, env = "SANDBOX_RETRY_AFTER")]
    retry_after: bool,

    /// Display API calls per app per sandbox day (unset = no daily quota).
    #[arg(long, env = "SANDBOX_DAILY_QUOTA")]
    daily_quota: Option<u32>,

    /// Start the sandbox clock at this RFC 3339 time instead of now.
    #[arg(long, env = "SANDBOX_START_TIME")]
    start_time: Option<DateTime<Utc>>,

    /// Freeze the clock: it then moves only through POST /sandbox/clock.
    #[arg(long, env = "SANDBOX_FROZEN_CLOCK")]
    frozen_clock: bool,

    /// Where to POST signed `authorization.removed` webhooks (the app's webhook callback).
    #[arg(long, env = "SANDBOX_WEBHOOK_URL")]
    webhook_url: Option<url::Url>,

    /// Worker threads of the HTTP server.
    #[arg(long, env = "SANDBOX_WORKERS", default_value_t = 1)]
    workers: usize,
}

impl Args {
    fn config(&self) -> anyhow::Result<SandboxConfig> {
        let redirect_uris: Vec<String> = if self.redirect_uris.is_empty() {
            DEFAULT_REDIRECT_URIS
                .iter()
                .map(|uri| (*uri).to_owned())
                .collect()
        } else {
            self.redirect_uris.clone()
        };
        let mut config = SandboxConfig::new()
            .bind(SocketAddr::new(self.host, self.port))
            .seed(self.seed)
            .creators(self.creators)
            .videos_per_creator(VideosPerCreator::parse(&self.videos).context("reading --videos")?)
            .clients([RegisteredClient::new(
                &self.client_key,
                &self.client_secret,
                redirect_uris,
            )])
            .access_token_lifetime(Duration::from_secs(self.access_token_ttl))
            .refresh_token_lifetime(Duration::from_secs(self.refresh_token_ttl))
            .code_lifetime(Duration::from_secs(self.code_ttl))
            .rotate_refresh_tokens(!self.no_rotation)
            .rate_limit_per_minute(self.rate_limit_per_minute)
            .rate_limit_retry_after(self.retry_after)
            .daily_quota(self.daily_quota)
            .frozen_clock(self.frozen_clock)
            .workers(self.workers);
        if let Some(start) = self.start_time {
            config = config.initial_time(start);
        }
        if let Some(url) = &self.webhook_url {
            config = config.webhook_url(url.clone());
        }
        if let Some(url) = &self.public_url {
            config = config.public_base_url(url.clone());
        }
        Ok(config)
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let args = Args::parse();
    let sandbox = Sandbox::start(args.config()?)
        .await
        .context("starting the sandbox")?;
    let base = sandbox.base_url();
    println!("TikTok sandbox listening on {base}");
    println!("  authorize base and API base: {base}");
    println!("  control API: {base}sandbox/ (clock, faults, calls, creators, revocations)");
    println!("  client_key: {}", args.client_key);
    if let Some(redirect_uri) = args.config()?.first_redirect_uri() {
        let mut example = base.join("v2/auth/authorize/")?;
        example
            .query_pairs_mut()
            .append_pair("client_key", &args.client_key)
            .append_pair(
                "scope",
                "user.info.basic,user.info.profile,user.info.stats,video.list",
            )
            .append_pair("response_type", "code")
            .append_pair("redirect_uri", &redirect_uri)
            .append_pair("state", "demo");
        println!("  try: {example}");
    }
    println!("  clock: {}", sandbox.now().to_rfc3339());
    println!("Creators:");
    for creator in sandbox.creators() {
        println!(
            "  @{:<24} {:<32} open_id={} followers={} videos={}{}",
            creator.username,
            creator.display_name,
            creator.open_id,
            creator.follower_count,
            creator.video_count,
            if creator.is_verified {
                " (verified)"
            } else {
                ""
            },
        );
    }
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    println!("Stopping.");
    sandbox.stop().await;
    Ok(())
}
