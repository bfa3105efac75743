//! `youtube-sandbox`: run the YouTube emulator on its own.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use anyhow::{Context as _, bail};
use chrono::{DateTime, Utc};
use clap::{Parser, ValueEnum};
use tracing_subscriber::EnvFilter;
use youtube_sandbox::{
    AccountSpec, BucketExhausted, ChannelSpec, DEFAULT_API_KEY, DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET, DEFAULT_REDIRECT_URIS, GeneralExhausted, HiddenSubscribers,
    NumberEncoding, PublishingStatus, QuotaBucket, QuotaSettings, RegisteredClient, Sandbox,
    SandboxConfig,
};

/// An emulator of YouTube for integrators: Google's consent page with per-scope checkboxes,
/// codes, access and refresh tokens with their death rules, revoke, seeded channels and
/// uploads with growing statistics, daily Analytics rows with their lag, a unit quota per
/// project reset at midnight Pacific time, injectable faults, a controllable clock and a
/// control API under /sandbox/. Point every Google base URL of a client (accounts.google.com,
/// oauth2.googleapis.com, www.googleapis.com, youtubeanalytics.googleapis.com) at the printed
/// base URL.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "YT_SANDBOX_HOST", default_value = "127.0.0.1")]
    host: IpAddr,

    /// Port to listen on (0 picks a free one).
    #[arg(long, env = "YT_SANDBOX_PORT", default_value_t = 5004)]
    port: u16,

    /// Base URL browsers and clients use, when not http://<host>:<port>/ (behind a proxy).
    #[arg(long, env = "YT_SANDBOX_PUBLIC_URL")]
    public_url: Option<url::Url>,

    /// Seed of the generated ids, videos and statistics.
    #[arg(long, env = "YT_SANDBOX_SEED", default_value_t = 42)]
    seed: u64,

    /// A Google account to seed (repeat for several): EMAIL:NAME for an account without a
    /// channel, or EMAIL:NAME:TITLE:HANDLE:SUBSCRIBERS:UPLOADS[:FLAGS] with FLAGS joined by
    /// `+` from hidden, live, partner, shorts=PERCENT, private=PERCENT, unlisted=PERCENT,
    /// deleted=COUNT. Default: a small channel, a large one (1,250 uploads, hidden
    /// subscribers), an account without a channel, a channel of Shorts and live streams.
    #[arg(long = "account")]
    accounts: Vec<String>,

    /// OAuth client id of the registered client.
    #[arg(long, env = "YT_SANDBOX_CLIENT_ID", default_value = DEFAULT_CLIENT_ID)]
    client_id: String,

    /// OAuth client secret of the registered client.
    #[arg(long, env = "YT_SANDBOX_CLIENT_SECRET", default_value = DEFAULT_CLIENT_SECRET)]
    client_secret: String,

    /// API key of the client's project (key= requests of public data).
    #[arg(long, env = "YT_SANDBOX_API_KEY", default_value = DEFAULT_API_KEY)]
    api_key: String,

    /// An authorized redirect URI (repeat for several; default: the api-server's development
    /// callbacks on localhost:5001 and 127.0.0.1:5001).
    #[arg(
        long = "redirect-uri",
        env = "YT_SANDBOX_REDIRECT_URIS",
        value_delimiter = ','
    )]
    redirect_uris: Vec<String>,

    /// The client's consent screen is in "Testing": refresh tokens die after --testing-refresh-days.
    #[arg(long, env = "YT_SANDBOX_TESTING")]
    testing: bool,

    /// Authorization code lifetime in seconds (single use either way).
    #[arg(long, env = "YT_SANDBOX_CODE_TTL", default_value_t = 600)]
    code_ttl: u64,

    /// Access token lifetime in seconds (`expires_in`; Google's example shows 3920).
    #[arg(long, env = "YT_SANDBOX_ACCESS_TOKEN_TTL", default_value_t = 3_599)]
    access_token_ttl: u64,

    /// A refresh also answers a new refresh token and kills the old one (Google does not).
    #[arg(long, env = "YT_SANDBOX_ROTATE_REFRESH_TOKENS")]
    rotate_refresh_tokens: bool,

    /// Live refresh tokens per account and client; one more kills the oldest silently.
    #[arg(long, env = "YT_SANDBOX_MAX_REFRESH_TOKENS", default_value_t = 100)]
    max_refresh_tokens: usize,

    /// Days a refresh token may go unused before it dies.
    #[arg(long, env = "YT_SANDBOX_REFRESH_IDLE_DAYS", default_value_t = 183)]
    refresh_idle_days: u64,

    /// Lifetime in days of refresh tokens issued to a Testing client.
    #[arg(long, env = "YT_SANDBOX_TESTING_REFRESH_DAYS", default_value_t = 7)]
    testing_refresh_days: u64,

    /// Revoking a token ends only its line (refresh token and its access tokens), not the
    /// whole grant.
    #[arg(long, env = "YT_SANDBOX_REVOKE_TOKEN_ONLY")]
    revoke_token_only: bool,

    /// Offer time-based access on the consent page (answered with refresh_token_expires_in).
    #[arg(long, env = "YT_SANDBOX_TIME_BASED_ACCESS")]
    time_based_access: bool,

    /// Quota buckets and costs: `current` (2026: search, insert and batchGetStats in their
    /// own buckets) or `single-pool` (one 10,000-unit pool, search.list 100 units).
    #[arg(long, env = "YT_SANDBOX_QUOTA", value_enum, default_value_t = QuotaPreset::Current)]
    quota: QuotaPreset,

    /// A bucket's daily limit, BUCKET=UNITS with BUCKET general, search, videos_insert,
    /// batch_get_stats or analytics (repeat for several).
    #[arg(long = "quota-limit")]
    quota_limits: Vec<String>,

    /// A method's cost, METHOD=BUCKET:UNITS, e.g. search.list=general:100 (repeat).
    #[arg(long = "quota-cost")]
    quota_costs: Vec<String>,

    /// How a spent general bucket answers.
    #[arg(long, env = "YT_SANDBOX_GENERAL_EXHAUSTED", value_enum, default_value_t = GeneralShape::QuotaExceeded)]
    general_exhausted: GeneralShape,

    /// How a spent per-method bucket answers.
    #[arg(long, env = "YT_SANDBOX_BUCKET_EXHAUSTED", value_enum, default_value_t = BucketShape::PerDay429)]
    bucket_exhausted: BucketShape,

    /// Calls per project per minute (default: no per-minute limit).
    #[arg(long, env = "YT_SANDBOX_PER_MINUTE_LIMIT")]
    per_minute_limit: Option<u32>,

    /// HTTP status of a per-minute refusal: 403 or 429.
    #[arg(long, env = "YT_SANDBOX_PER_MINUTE_STATUS", default_value_t = 403)]
    per_minute_status: u16,

    /// Units a 304 Not Modified costs (the sources say 0 or 1).
    #[arg(long, env = "YT_SANDBOX_NOT_MODIFIED_UNITS", default_value_t = 1)]
    not_modified_units: u64,

    /// Leave the canonical `status` out of error envelopes.
    #[arg(long, env = "YT_SANDBOX_NO_ERROR_STATUS")]
    no_error_status: bool,

    /// What a hidden subscriber count shows as subscriberCount.
    #[arg(long, env = "YT_SANDBOX_HIDDEN_SUBSCRIBERS", value_enum, default_value_t = HiddenShape::Omit)]
    hidden_subscribers: HiddenShape,

    /// Leave statistics.hiddenSubscriberCount out of channels.
    #[arg(long, env = "YT_SANDBOX_NO_HIDDEN_SUBSCRIBER_FLAG")]
    no_hidden_subscriber_flag: bool,

    /// Show the owner the exact subscriber count (default: rounded down to three figures).
    #[arg(long, env = "YT_SANDBOX_EXACT_OWNER_SUBSCRIBERS")]
    exact_owner_subscribers: bool,

    /// How videos.batchGetStats encodes counters.
    #[arg(long, env = "YT_SANDBOX_BATCH_NUMBERS", value_enum, default_value_t = Numbers::Strings)]
    batch_numbers: Numbers,

    /// Leave every Nth requested id out of videos.batchGetStats answers (non-atomic).
    #[arg(long, env = "YT_SANDBOX_BATCH_DROP_EVERY")]
    batch_drop_every: Option<u32>,

    /// Leave the `summary` object out of videos.batchGetStats answers.
    #[arg(long, env = "YT_SANDBOX_NO_BATCH_SUMMARY")]
    no_batch_summary: bool,

    /// Whole Pacific days Analytics data lags behind today (1 to 3).
    #[arg(long, env = "YT_SANDBOX_ANALYTICS_LAG_DAYS", default_value_t = 2)]
    analytics_lag_days: u32,

    /// reports.query does not also need youtube.readonly.
    #[arg(long, env = "YT_SANDBOX_ANALYTICS_WITHOUT_YOUTUBE_READONLY")]
    analytics_without_youtube_readonly: bool,

    /// No etag in list answers and no 304 for If-None-Match.
    #[arg(long, env = "YT_SANDBOX_NO_ETAGS")]
    no_etags: bool,

    /// Start the sandbox clock at this RFC 3339 time instead of now.
    #[arg(long, env = "YT_SANDBOX_START_TIME")]
    start_time: Option<DateTime<Utc>>,

    /// Freeze the clock: it then moves only through POST /sandbox/clock.
    #[arg(long, env = "YT_SANDBOX_FROZEN_CLOCK")]
    frozen_clock: bool,

    /// Worker threads of the HTTP server.
    #[arg(long, env = "YT_SANDBOX_WORKERS", default_value_t = 1)]
    workers: usize,
}

/// `--quota`.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum QuotaPreset {
    /// The 2026 buckets.
    Current,
    /// The older single pool.
    SinglePool,
}

/// `--general-exhausted`.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum GeneralShape {
    /// 403 quotaExceeded.
    QuotaExceeded,
    /// 403 dailyLimitExceeded.
    DailyLimitExceeded,
}

/// `--bucket-exhausted`.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum BucketShape {
    /// 429 rateLimitExceeded naming a "per day" limit.
    #[value(name = "per-day-429")]
    PerDay429,
    /// 403 quotaExceeded.
    #[value(name = "quota-exceeded-403")]
    QuotaExceeded403,
}

/// `--hidden-subscribers`.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum HiddenShape {
    /// subscriberCount left out.
    Omit,
    /// subscriberCount "0".
    Zero,
    /// The count anyway.
    Shown,
}

/// `--batch-numbers`.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Numbers {
    /// JSON strings.
    Strings,
    /// JSON numbers.
    Numbers,
}

fn parse_channel_flags(mut channel: ChannelSpec, flags: &str) -> anyhow::Result<ChannelSpec> {
    for flag in flags.split('+').filter(|flag| !flag.is_empty()) {
        let (name, value) = flag.split_once('=').unwrap_or((flag, ""));
        let number = || -> anyhow::Result<u32> {
            value
                .parse()
                .with_context(|| format!("flag {flag:?}: expected a number"))
        };
        channel = match name {
            "hidden" => channel.with_hidden_subscribers(),
            "live" => channel.with_live(),
            "partner" => channel.partner(),
            "shorts" => channel.with_shorts(u8::try_from(number()?)?),
            "private" => {
                let unlisted = channel.unlisted_percent;
                channel.with_privacy_mix(u8::try_from(number()?)?, unlisted)
            }
            "unlisted" => {
                let private = channel.private_percent;
                channel.with_privacy_mix(private, u8::try_from(number()?)?)
            }
            "deleted" => channel.with_deleted(number()?),
            other => bail!("unknown channel flag {other:?}"),
        };
    }
    Ok(channel)
}

fn parse_account(text: &str) -> anyhow::Result<AccountSpec> {
    let parts: Vec<&str> = text.split(':').collect();
    match parts.as_slice() {
        [email, name] => Ok(AccountSpec::without_channel(*email, *name)),
        [email, name, title, handle, subscribers, uploads, rest @ ..] if rest.len() <= 1 => {
            let subscribers = subscribers
                .parse()
                .with_context(|| format!("--account {text:?}: subscribers"))?;
            let uploads = uploads
                .parse()
                .with_context(|| format!("--account {text:?}: uploads"))?;
            let channel = ChannelSpec::new(*title, *handle, subscribers, uploads);
            let channel = parse_channel_flags(channel, rest.first().copied().unwrap_or_default())
                .with_context(|| format!("--account {text:?}"))?;
            Ok(AccountSpec::with_channel(*email, *name, channel))
        }
        _ => bail!(
            "--account {text:?}: expected EMAIL:NAME or EMAIL:NAME:TITLE:HANDLE:SUBSCRIBERS:UPLOADS[:FLAGS]"
        ),
    }
}

fn parse_bucket(name: &str) -> anyhow::Result<QuotaBucket> {
    QuotaBucket::from_name(name).with_context(|| {
        format!(
            "unknown bucket {name:?}: general, search, videos_insert, batch_get_stats or analytics"
        )
    })
}

impl Args {
    fn quota(&self) -> anyhow::Result<QuotaSettings> {
        let mut quota = match self.quota {
            QuotaPreset::Current => QuotaSettings::current(),
            QuotaPreset::SinglePool => QuotaSettings::single_pool(),
        };
        for limit in &self.quota_limits {
            let (bucket, units) = limit
                .split_once('=')
                .with_context(|| format!("--quota-limit {limit:?}: expected BUCKET=UNITS"))?;
            let units = units
                .parse()
                .with_context(|| format!("--quota-limit {limit:?}: units"))?;
            quota = quota.with_limit(parse_bucket(bucket)?, units);
        }
        for cost in &self.quota_costs {
            let parsed = cost
                .split_once('=')
                .and_then(|(method, rest)| Some((method, rest.split_once(':')?)));
            let Some((method, (bucket, units))) = parsed else {
                bail!("--quota-cost {cost:?}: expected METHOD=BUCKET:UNITS");
            };
            let units = units
                .parse()
                .with_context(|| format!("--quota-cost {cost:?}: units"))?;
            quota = quota.with_cost(method, parse_bucket(bucket)?, units);
        }
        Ok(quota
            .with_exhausted_shapes(
                match self.general_exhausted {
                    GeneralShape::QuotaExceeded => GeneralExhausted::QuotaExceeded,
                    GeneralShape::DailyLimitExceeded => GeneralExhausted::DailyLimitExceeded,
                },
                match self.bucket_exhausted {
                    BucketShape::PerDay429 => BucketExhausted::PerDay429,
                    BucketShape::QuotaExceeded403 => BucketExhausted::QuotaExceeded403,
                },
            )
            .with_per_minute(self.per_minute_limit, self.per_minute_status)
            .with_not_modified_units(self.not_modified_units))
    }

    fn config(&self) -> anyhow::Result<SandboxConfig> {
        let redirect_uris: Vec<String> = if self.redirect_uris.is_empty() {
            DEFAULT_REDIRECT_URIS
                .iter()
                .map(|uri| (*uri).to_owned())
                .collect()
        } else {
            self.redirect_uris.clone()
        };
        let client = RegisteredClient::new(&self.client_id, &self.client_secret, redirect_uris)
            .with_api_key(&self.api_key)
            .with_publishing_status(if self.testing {
                PublishingStatus::Testing
            } else {
                PublishingStatus::Production
            });
        let day = |days: u64| Duration::from_secs(days * 86_400);
        let mut config = SandboxConfig::new()
            .bind(SocketAddr::new(self.host, self.port))
            .seed(self.seed)
            .clients([client])
            .code_lifetime(Duration::from_secs(self.code_ttl))
            .access_token_lifetime(Duration::from_secs(self.access_token_ttl))
            .rotate_refresh_tokens(self.rotate_refresh_tokens)
            .max_refresh_tokens(self.max_refresh_tokens)
            .refresh_idle_limit(day(self.refresh_idle_days))
            .testing_refresh_lifetime(day(self.testing_refresh_days))
            .revoke_whole_grant(!self.revoke_token_only)
            .offer_time_based_access(self.time_based_access)
            .quota(self.quota()?)
            .error_status_field(!self.no_error_status)
            .hidden_subscribers(match self.hidden_subscribers {
                HiddenShape::Omit => HiddenSubscribers::Omit,
                HiddenShape::Zero => HiddenSubscribers::Zero,
                HiddenShape::Shown => HiddenSubscribers::Shown,
            })
            .hidden_subscriber_flag(!self.no_hidden_subscriber_flag)
            .round_owner_subscribers(!self.exact_owner_subscribers)
            .batch_numbers(match self.batch_numbers {
                Numbers::Strings => NumberEncoding::Strings,
                Numbers::Numbers => NumberEncoding::Numbers,
            })
            .batch_drop_every(self.batch_drop_every)
            .batch_summary(!self.no_batch_summary)
            .analytics_lag_days(self.analytics_lag_days)
            .analytics_requires_youtube_readonly(!self.analytics_without_youtube_readonly)
            .etags(!self.no_etags)
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
    println!("YouTube sandbox listening on {base}");
    println!("  accounts.google.com, oauth2.googleapis.com, www.googleapis.com and");
    println!("  youtubeanalytics.googleapis.com -> {base}");
    println!("  control API: {base}sandbox/ (clock, faults, calls, accounts, grants, quota)");
    println!("  client id: {}", args.client_id);
    if let Some(redirect_uri) = redirect_uri {
        let mut example = base.join("o/oauth2/v2/auth")?;
        example
            .query_pairs_mut()
            .append_pair("client_id", &args.client_id)
            .append_pair("redirect_uri", &redirect_uri)
            .append_pair("response_type", "code")
            .append_pair(
                "scope",
                "openid email https://www.googleapis.com/auth/youtube.readonly https://www.googleapis.com/auth/yt-analytics.readonly",
            )
            .append_pair("access_type", "offline")
            .append_pair("prompt", "consent")
            .append_pair("state", "demo");
        println!("  try: {example}");
    }
    println!("  clock: {}", sandbox.now().to_rfc3339());
    println!("Accounts:");
    for account in sandbox.accounts() {
        match account.channel {
            Some(channel) => println!(
                "  {:<24} {:<28} {} {} subscribers={}{} uploads={}",
                account.email,
                channel.title,
                channel.handle,
                channel.channel_id,
                channel.subscribers,
                if channel.hidden_subscriber_count {
                    " (hidden)"
                } else {
                    ""
                },
                channel.uploads,
            ),
            None => println!("  {:<24} (no YouTube channel)", account.email),
        }
    }
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    println!("Stopping.");
    sandbox.stop().await;
    Ok(())
}
