//! `instagram-sandbox`: run the Instagram API with Instagram Login emulator on its own.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use anyhow::{Context as _, bail};
use chrono::{DateTime, Utc};
use clap::{Parser, ValueEnum};
use instagram_sandbox::{
    AccountKind, AccountSpec, CallBudget, DEFAULT_APP_ID, DEFAULT_APP_SECRET,
    DEFAULT_REDIRECT_URIS, EarlyRefreshError, RegisteredApp, Sandbox, SandboxConfig, SignedUserId,
    ThrottleResponse, TokenResponseShape, UnsupportedMetricError,
};
use tracing_subscriber::EnvFilter;

/// An emulator of the Instagram API with Instagram Login: consent page, code exchange,
/// long-lived tokens and their refresh, profile, media, insights, per-account rate limits,
/// injectable faults, a controllable clock, and the deauthorize and data-deletion callbacks.
/// Point a client's www.instagram.com, api.instagram.com and graph.instagram.com base URLs at
/// the printed <base>/www/, <base>/api/ and <base>/graph/.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "IG_SANDBOX_HOST", default_value = "127.0.0.1")]
    host: IpAddr,

    /// Port to listen on (0 picks a free one).
    #[arg(long, env = "IG_SANDBOX_PORT", default_value_t = 5003)]
    port: u16,

    /// Base URL browsers and clients use, when not http://<host>:<port>/ (behind a proxy).
    #[arg(long, env = "IG_SANDBOX_PUBLIC_URL")]
    public_url: Option<url::Url>,

    /// Seed of the generated ids, media and metrics.
    #[arg(long, env = "IG_SANDBOX_SEED", default_value_t = 42)]
    seed: u64,

    /// An account to seed, KIND:USERNAME:FOLLOWERS:MEDIA[:STORIES] with KIND business,
    /// creator or personal (repeat for several; default: a large Business account, a small
    /// and a large Creator account, and a personal one).
    #[arg(long = "account", env = "IG_SANDBOX_ACCOUNTS", value_delimiter = ',')]
    accounts: Vec<String>,

    /// Instagram App ID of the registered app.
    #[arg(long, env = "IG_SANDBOX_APP_ID", default_value = DEFAULT_APP_ID)]
    app_id: String,

    /// Instagram App Secret of the registered app (also signs the callbacks).
    #[arg(long, env = "IG_SANDBOX_APP_SECRET", default_value = DEFAULT_APP_SECRET)]
    app_secret: String,

    /// A valid OAuth redirect URI (repeat for several; default: the api-server's development
    /// callbacks on localhost:5001 and 127.0.0.1:5001).
    #[arg(
        long = "redirect-uri",
        env = "IG_SANDBOX_REDIRECT_URIS",
        value_delimiter = ','
    )]
    redirect_uris: Vec<String>,

    /// Deauthorize callback URL: receives a signed_request when a user removes the app.
    #[arg(long, env = "IG_SANDBOX_DEAUTHORIZE_URL")]
    deauthorize_url: Option<url::Url>,

    /// Data deletion request URL: receives a signed_request, must answer {url, confirmation_code}.
    #[arg(long, env = "IG_SANDBOX_DELETION_URL")]
    deletion_url: Option<url::Url>,

    /// Authorization code lifetime in seconds.
    #[arg(long, env = "IG_SANDBOX_CODE_TTL", default_value_t = 3_600)]
    code_ttl: u64,

    /// Short-lived token lifetime in seconds.
    #[arg(long, env = "IG_SANDBOX_SHORT_TOKEN_TTL", default_value_t = 3_600)]
    short_token_ttl: u64,

    /// Long-lived token lifetime in seconds (`expires_in`; 60 days).
    #[arg(long, env = "IG_SANDBOX_LONG_TOKEN_TTL", default_value_t = 5_184_000)]
    long_token_ttl: u64,

    /// Age in seconds a long-lived token must reach before it may be refreshed.
    #[arg(long, env = "IG_SANDBOX_REFRESH_MIN_AGE", default_value_t = 86_400)]
    refresh_min_age: u64,

    /// Shape of the code exchange's answer (the docs disagree).
    #[arg(long, env = "IG_SANDBOX_TOKEN_SHAPE", value_enum, default_value_t = Shape::Wrapped)]
    token_shape: Shape,

    /// Do not append `#_` to redirects back to the app.
    #[arg(long, env = "IG_SANDBOX_NO_FRAGMENT")]
    no_fragment: bool,

    /// A refresh answers the same token string with a new expiry (default: a new string).
    #[arg(long, env = "IG_SANDBOX_REFRESH_SAME_TOKEN")]
    refresh_same_token: bool,

    /// A refreshed token dies at once (default: it lives until its own expiry).
    #[arg(long, env = "IG_SANDBOX_KILL_REFRESHED_TOKEN")]
    kill_refreshed_token: bool,

    /// Error code of a refresh before the token is old enough: 100 or 190.
    #[arg(long, env = "IG_SANDBOX_EARLY_REFRESH_CODE", default_value_t = 100)]
    early_refresh_code: u32,

    /// How a media insights call with a metric the media type lacks fails.
    #[arg(long, env = "IG_SANDBOX_UNSUPPORTED_METRIC", value_enum, default_value_t = MetricError::InvalidParameter)]
    unsupported_metric_error: MetricError,

    /// Leave `media_product_type` out of media (Meta says it is Facebook Login only).
    #[arg(long, env = "IG_SANDBOX_NO_MEDIA_PRODUCT_TYPE")]
    no_media_product_type: bool,

    /// `/media` page size when `limit` is absent.
    #[arg(long, env = "IG_SANDBOX_PAGE_DEFAULT", default_value_t = 25)]
    page_default: u32,

    /// The largest `limit`; larger ones are clamped (or refused with --reject-large-limit).
    #[arg(long, env = "IG_SANDBOX_PAGE_MAX", default_value_t = 100)]
    page_max: u32,

    /// Refuse a `limit` above the maximum with code 100 instead of clamping it.
    #[arg(long, env = "IG_SANDBOX_REJECT_LARGE_LIMIT")]
    reject_large_limit: bool,

    /// Serve an empty page that still carries `paging.next` before every later page.
    #[arg(long, env = "IG_SANDBOX_EMPTY_PAGES")]
    empty_pages: bool,

    /// Longest since..until span of account insights, in days.
    #[arg(long, env = "IG_SANDBOX_INSIGHTS_MAX_DAYS", default_value_t = 30)]
    account_insights_max_days: u32,

    /// Calls per account per rolling 24 hours: `impressions` (4800 per impression, at least
    /// 200), `fixed:N`, or `unlimited`.
    #[arg(long, env = "IG_SANDBOX_BUDGET", default_value = "impressions")]
    budget: String,

    /// Error code of calls over budget: 4, 17, 32, 613 or 80002.
    #[arg(long, env = "IG_SANDBOX_THROTTLE_CODE", default_value_t = 4)]
    throttle_code: u32,

    /// HTTP status of calls over budget (400, or 403 as some integrators report).
    #[arg(long, env = "IG_SANDBOX_THROTTLE_STATUS", default_value_t = 400)]
    throttle_status: u16,

    /// Which id signed requests carry in `user_id`.
    #[arg(long, env = "IG_SANDBOX_SIGNED_USER_ID", value_enum, default_value_t = SignedId::AppScoped)]
    signed_user_id: SignedId,

    /// Start the sandbox clock at this RFC 3339 time instead of now.
    #[arg(long, env = "IG_SANDBOX_START_TIME")]
    start_time: Option<DateTime<Utc>>,

    /// Freeze the clock: it then moves only through POST /sandbox/clock.
    #[arg(long, env = "IG_SANDBOX_FROZEN_CLOCK")]
    frozen_clock: bool,

    /// Worker threads of the HTTP server.
    #[arg(long, env = "IG_SANDBOX_WORKERS", default_value_t = 1)]
    workers: usize,
}

/// `--token-shape`.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Shape {
    /// `{"data": [{"access_token", "user_id": "<string>", "permissions"}]}`.
    Wrapped,
    /// `{"access_token", "user_id": <number>, "permissions"}`.
    Flat,
}

/// `--unsupported-metric-error`.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum MetricError {
    /// Code 100 naming the metric.
    InvalidParameter,
    /// Code 1, HTTP 500, "An unknown error has occurred.".
    UnknownError,
}

/// `--signed-user-id`.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum SignedId {
    /// The app-scoped id.
    AppScoped,
    /// The Instagram professional account id.
    IgUserId,
}

fn parse_account(text: &str) -> anyhow::Result<AccountSpec> {
    let parts: Vec<&str> = text.split(':').collect();
    let (kind, username, followers, media) = match parts.as_slice() {
        [kind, username, followers, media] | [kind, username, followers, media, _] => {
            (*kind, *username, *followers, *media)
        }
        _ => bail!("--account {text:?}: expected KIND:USERNAME:FOLLOWERS:MEDIA[:STORIES]"),
    };
    let followers = followers
        .parse()
        .with_context(|| format!("--account {text:?}: followers"))?;
    let media = media
        .parse()
        .with_context(|| format!("--account {text:?}: media"))?;
    let spec = match kind {
        "business" => AccountSpec::business(username, followers, media),
        "creator" => AccountSpec::creator(username, followers, media),
        "personal" => AccountSpec::personal(username, followers, media),
        other => bail!("--account {text:?}: unknown kind {other:?}"),
    };
    match parts.get(4) {
        Some(stories) => Ok(spec.with_stories(
            stories
                .parse()
                .with_context(|| format!("--account {text:?}: stories"))?,
        )),
        None => Ok(spec),
    }
}

fn parse_budget(text: &str) -> anyhow::Result<CallBudget> {
    match text {
        "impressions" => Ok(CallBudget::Impressions {
            per_impression: 4_800,
            floor: 200,
        }),
        "unlimited" => Ok(CallBudget::Unlimited),
        other => match other.strip_prefix("fixed:").map(str::parse::<u64>) {
            Some(Ok(calls)) => Ok(CallBudget::Fixed(calls)),
            _ => bail!("--budget {other:?}: expected impressions, fixed:N or unlimited"),
        },
    }
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
        let mut app = RegisteredApp::new(&self.app_id, &self.app_secret, redirect_uris);
        app.deauthorize_url = self.deauthorize_url.clone();
        app.deletion_url = self.deletion_url.clone();
        let early_refresh_error = match self.early_refresh_code {
            100 => EarlyRefreshError::InvalidParameter,
            190 => EarlyRefreshError::InvalidToken,
            other => bail!("--early-refresh-code {other}: expected 100 or 190"),
        };
        let mut config = SandboxConfig::new()
            .bind(SocketAddr::new(self.host, self.port))
            .seed(self.seed)
            .apps([app])
            .code_lifetime(Duration::from_secs(self.code_ttl))
            .short_token_lifetime(Duration::from_secs(self.short_token_ttl))
            .long_token_lifetime(Duration::from_secs(self.long_token_ttl))
            .refresh_min_age(Duration::from_secs(self.refresh_min_age))
            .token_shape(match self.token_shape {
                Shape::Wrapped => TokenResponseShape::Wrapped,
                Shape::Flat => TokenResponseShape::Flat,
            })
            .append_fragment(!self.no_fragment)
            .refresh_issues_new_token(!self.refresh_same_token)
            .old_token_survives_refresh(!self.kill_refreshed_token)
            .early_refresh_error(early_refresh_error)
            .unsupported_metric_error(match self.unsupported_metric_error {
                MetricError::InvalidParameter => UnsupportedMetricError::InvalidParameter,
                MetricError::UnknownError => UnsupportedMetricError::UnknownError,
            })
            .media_product_type(!self.no_media_product_type)
            .page_limits(self.page_default, self.page_max)
            .clamp_limit(!self.reject_large_limit)
            .empty_pages(self.empty_pages)
            .account_insights_max_days(self.account_insights_max_days)
            .call_budget(parse_budget(&self.budget)?)
            .throttle_response(ThrottleResponse {
                code: self.throttle_code,
                status: self.throttle_status,
            })
            .signed_user_id(match self.signed_user_id {
                SignedId::AppScoped => SignedUserId::AppScoped,
                SignedId::IgUserId => SignedUserId::InstagramUserId,
            })
            .frozen_clock(self.frozen_clock)
            .workers(self.workers);
        if !self.accounts.is_empty() {
            config = config.accounts(
                self.accounts
                    .iter()
                    .map(|text| parse_account(text))
                    .collect::<anyhow::Result<Vec<_>>>()?,
            );
        }
        if let Some(start) = self.start_time {
            config = config.initial_time(start);
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
    let config = args.config()?;
    let redirect_uri = config.first_redirect_uri();
    let sandbox = Sandbox::start(config)
        .await
        .context("starting the sandbox")?;
    let base = sandbox.base_url();
    println!("Instagram sandbox listening on {base}");
    println!("  www.instagram.com   -> {}", sandbox.authorize_base_url());
    println!("  api.instagram.com   -> {}", sandbox.api_base_url());
    println!("  graph.instagram.com -> {}", sandbox.graph_base_url());
    println!("  control API: {base}sandbox/ (clock, faults, calls, accounts, grants, callbacks)");
    println!("  app id: {}", args.app_id);
    if let Some(redirect_uri) = redirect_uri {
        let mut example = sandbox.authorize_base_url().join("oauth/authorize")?;
        example
            .query_pairs_mut()
            .append_pair("client_id", &args.app_id)
            .append_pair("redirect_uri", &redirect_uri)
            .append_pair("response_type", "code")
            .append_pair(
                "scope",
                "instagram_business_basic,instagram_business_manage_insights",
            )
            .append_pair("state", "demo");
        println!("  try: {example}");
    }
    println!("  clock: {}", sandbox.now().to_rfc3339());
    println!("Accounts:");
    for account in sandbox.accounts() {
        println!(
            "  @{:<20} {:<10} ig_user_id={} followers={} media={}{}",
            account.username,
            format!("{:?}", account.kind),
            account.ig_user_id,
            account.followers_count,
            account.media_count,
            if account.kind == AccountKind::Personal {
                " (cannot log in)"
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
