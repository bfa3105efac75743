//! Sandbox configuration: a builder with defaults that match TikTok's current documentation.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::ops::RangeInclusive;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::error::SandboxError;

/// Default client key of the one client registered when none is configured.
pub const DEFAULT_CLIENT_KEY: &str = "sandbox-client-key";
/// Default client secret of the one client registered when none is configured.
pub const DEFAULT_CLIENT_SECRET: &str = "sandbox-client-secret";
/// Redirect URIs registered for the default client: the api-server's development callback.
pub const DEFAULT_REDIRECT_URIS: [&str; 2] = [
    "http://localhost:5001/api/auth/tiktok/callback",
    "http://127.0.0.1:5001/api/auth/tiktok/callback",
];
/// The largest number of videos one creator may have (keeps start-up fast).
pub const MAX_VIDEOS_PER_CREATOR: u32 = 10_000;
/// The largest number of creators a sandbox may hold (the sync benchmark's 10,000 accounts).
pub const MAX_CREATORS: u32 = 10_000;
/// The most videos all creators together may have (keeps memory in check: 10,000 creators
/// of 50 videos, this cap, hold about 170 MB resident in the standalone sandbox).
pub const MAX_TOTAL_VIDEOS: u64 = 500_000;

/// An app registered with the sandbox, as an app is registered in TikTok's developer portal.
#[derive(Clone, PartialEq, Eq)]
pub struct RegisteredClient {
    /// The app's client key (TikTok says `client_key`, never `client_id`).
    pub client_key: String,
    /// The app's client secret.
    pub client_secret: String,
    /// Redirect URIs registered byte for byte; the authorize request must use one of them.
    pub redirect_uris: Vec<String>,
}

impl RegisteredClient {
    /// A client with the given key, secret and redirect URIs.
    pub fn new(
        client_key: impl Into<String>,
        client_secret: impl Into<String>,
        redirect_uris: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        Self {
            client_key: client_key.into(),
            client_secret: client_secret.into(),
            redirect_uris: redirect_uris.into_iter().map(Into::into).collect(),
        }
    }
}

impl Default for RegisteredClient {
    fn default() -> Self {
        Self::new(
            DEFAULT_CLIENT_KEY,
            DEFAULT_CLIENT_SECRET,
            DEFAULT_REDIRECT_URIS,
        )
    }
}

// The secret never appears in Debug output.
impl std::fmt::Debug for RegisteredClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegisteredClient")
            .field("client_key", &self.client_key)
            .field("client_secret", &"[redacted]")
            .field("redirect_uris", &self.redirect_uris)
            .finish()
    }
}

/// How many videos each generated creator has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VideosPerCreator {
    /// Every creator has this many videos.
    Fixed(u32),
    /// Each creator's count is drawn from this range, deterministically from the seed.
    Range(RangeInclusive<u32>),
    /// Explicit counts, one per creator; the number of creators is the list's length.
    List(Vec<u32>),
}

impl VideosPerCreator {
    /// Parses `95`, `10..200` / `10..=200` or `95,0,120` (the binary's `--videos` syntax).
    pub fn parse(text: &str) -> Result<Self, SandboxError> {
        let invalid =
            || SandboxError::InvalidConfig(format!("invalid videos per creator: {text:?}"));
        let number = |s: &str| s.trim().parse::<u32>().map_err(|_| invalid());
        let text = text.trim();
        if let Some((low, high)) = text.split_once("..") {
            let high = high.strip_prefix('=').unwrap_or(high);
            let (low, high) = (number(low)?, number(high)?);
            if low > high {
                return Err(invalid());
            }
            return Ok(Self::Range(low..=high));
        }
        if text.contains(',') {
            let counts = text.split(',').map(number).collect::<Result<Vec<_>, _>>()?;
            return Ok(Self::List(counts));
        }
        Ok(Self::Fixed(number(text)?))
    }
}

/// Everything a sandbox needs to start. Build it with the chained setters; every field has a
/// default that matches TikTok's documentation (section 3 and 9 of the reference).
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    pub(crate) bind: SocketAddr,
    pub(crate) seed: u64,
    pub(crate) creator_count: u32,
    pub(crate) videos_per_creator: VideosPerCreator,
    pub(crate) clients: Vec<RegisteredClient>,
    pub(crate) access_token_lifetime: Duration,
    pub(crate) refresh_token_lifetime: Duration,
    pub(crate) code_lifetime: Duration,
    pub(crate) rotate_refresh_tokens: bool,
    pub(crate) rate_limit_per_minute: u32,
    pub(crate) rate_limit_retry_after: bool,
    pub(crate) daily_quota: Option<u32>,
    pub(crate) initial_time: DateTime<Utc>,
    pub(crate) workers: usize,
    pub(crate) frozen_clock: bool,
    pub(crate) public_base_url: Option<url::Url>,
    pub(crate) webhook_url: Option<url::Url>,
    pub(crate) webhook_retry: WebhookRetry,
}

/// How the sandbox retries a webhook the app did not acknowledge with a 2xx (TikTok retries
/// with exponential backoff for up to 72 hours; a sandbox gives up sooner).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebhookRetry {
    /// Attempts in all, the first included.
    pub attempts: u32,
    /// The pause before the second attempt, doubled for each later one.
    pub first_backoff: Duration,
    /// The longest pause.
    pub max_backoff: Duration,
}

impl Default for WebhookRetry {
    /// 10 attempts over about 90 seconds: 0.25 s, doubling, at most 30 s apart.
    fn default() -> Self {
        Self {
            attempts: 10,
            first_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(30),
        }
    }
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            bind: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            seed: 42,
            creator_count: 3,
            videos_per_creator: VideosPerCreator::Range(0..=120),
            clients: vec![RegisteredClient::default()],
            access_token_lifetime: Duration::from_secs(7_200),
            refresh_token_lifetime: Duration::from_secs(15_552_000),
            code_lifetime: Duration::from_secs(300),
            rotate_refresh_tokens: true,
            rate_limit_per_minute: 600,
            rate_limit_retry_after: false,
            daily_quota: None,
            initial_time: Utc::now(),
            workers: 1,
            frozen_clock: false,
            public_base_url: None,
            webhook_url: None,
            webhook_retry: WebhookRetry::default(),
        }
    }
}

impl SandboxConfig {
    /// The defaults: 127.0.0.1 on a random port, seed 42, 3 creators with 0 to 120 videos,
    /// the default client, 2-hour access and 180-day refresh tokens, 5-minute codes,
    /// rotation on, 600 calls per minute per endpoint, no daily quota, clock at the real now.
    pub fn new() -> Self {
        Self::default()
    }

    /// Listen on this address (port 0 picks a free port).
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.bind = addr;
        self
    }

    /// Listen on 127.0.0.1 with this port (0 picks a free port).
    pub fn port(mut self, port: u16) -> Self {
        self.bind.set_port(port);
        self
    }

    /// Seed of the generated data: the same seed and start day give the same creators.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Number of creators (ignored when [`VideosPerCreator::List`] is used).
    pub fn creators(mut self, count: u32) -> Self {
        self.creator_count = count;
        self
    }

    /// How many videos each creator has.
    pub fn videos_per_creator(mut self, videos: VideosPerCreator) -> Self {
        self.videos_per_creator = videos;
        self
    }

    /// Shorthand for [`VideosPerCreator::List`]: one creator per entry.
    pub fn creator_videos(mut self, counts: impl IntoIterator<Item = u32>) -> Self {
        self.videos_per_creator = VideosPerCreator::List(counts.into_iter().collect());
        self
    }

    /// Replaces the registered clients.
    pub fn clients(mut self, clients: impl IntoIterator<Item = RegisteredClient>) -> Self {
        self.clients = clients.into_iter().collect();
        self
    }

    /// Registers one client, replacing any registered with the same client key (TikTok
    /// keys an app by its client key).
    pub fn client(mut self, client: RegisteredClient) -> Self {
        self.clients
            .retain(|registered| registered.client_key != client.client_key);
        self.clients.push(client);
        self
    }

    /// Replaces the redirect URIs of the default client (`sandbox-client-key`).
    pub fn default_client_redirect_uris(
        mut self,
        uris: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        let uris: Vec<String> = uris.into_iter().map(Into::into).collect();
        match self
            .clients
            .iter_mut()
            .find(|client| client.client_key == DEFAULT_CLIENT_KEY)
        {
            Some(client) => client.redirect_uris = uris,
            None => self.clients.push(RegisteredClient::new(
                DEFAULT_CLIENT_KEY,
                DEFAULT_CLIENT_SECRET,
                uris,
            )),
        }
        self
    }

    /// Access token lifetime (`expires_in`), default 2 hours.
    pub fn access_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.access_token_lifetime = lifetime;
        self
    }

    /// Refresh token lifetime (`refresh_expires_in`), default 180 days.
    pub fn refresh_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.refresh_token_lifetime = lifetime;
        self
    }

    /// Authorization code lifetime, default 5 minutes.
    pub fn code_lifetime(mut self, lifetime: Duration) -> Self {
        self.code_lifetime = lifetime;
        self
    }

    /// Whether a refresh issues a new refresh token and kills the old one (default true).
    pub fn rotate_refresh_tokens(mut self, rotate: bool) -> Self {
        self.rotate_refresh_tokens = rotate;
        self
    }

    /// Calls per app per Display API endpoint in a sliding minute (default 600; 0 = no limit).
    pub fn rate_limit_per_minute(mut self, limit: u32) -> Self {
        self.rate_limit_per_minute = limit;
        self
    }

    /// Whether the enforced rate limit's 429 carries `Retry-After` (TikTok does not document
    /// one, so the default is false).
    pub fn rate_limit_retry_after(mut self, send: bool) -> Self {
        self.rate_limit_retry_after = send;
        self
    }

    /// Optional Display API calls per app per sandbox day (UTC), all endpoints together.
    pub fn daily_quota(mut self, quota: Option<u32>) -> Self {
        self.daily_quota = quota;
        self
    }

    /// The sandbox clock's starting time (default: the real current time).
    pub fn initial_time(mut self, time: DateTime<Utc>) -> Self {
        self.initial_time = time;
        self
    }

    /// Number of actix worker threads (1 or 2 are plenty; default 1).
    pub fn workers(mut self, workers: usize) -> Self {
        self.workers = workers.max(1);
        self
    }

    /// Freeze the clock: it then moves only when advanced, for tests that need exact times
    /// (default false: the clock follows real time plus every advance, so tokens expire in a
    /// demo by themselves).
    pub fn frozen_clock(mut self, frozen: bool) -> Self {
        self.frozen_clock = frozen;
        self
    }

    /// The base URL browsers and clients reach the sandbox at, when it is not the bound
    /// address (behind a proxy or in a container). Default: `http://<bound address>/`.
    pub fn public_base_url(mut self, url: url::Url) -> Self {
        self.public_base_url = Some(url);
        self
    }

    /// Where to POST TikTok's signed webhooks (`authorization.removed`), as the webhook
    /// callback URL registered for the app in TikTok's portal. Default: none, no webhooks.
    pub fn webhook_url(mut self, url: url::Url) -> Self {
        self.webhook_url = Some(url);
        self
    }

    /// How unacknowledged webhooks are retried (default: [`WebhookRetry::default`]).
    pub fn webhook_retry(mut self, retry: WebhookRetry) -> Self {
        self.webhook_retry = retry;
        self
    }

    /// Whether a webhook URL is set.
    pub fn has_webhook_url(&self) -> bool {
        self.webhook_url.is_some()
    }

    /// The first redirect URI of the first registered client (for examples and demos).
    pub fn first_redirect_uri(&self) -> Option<String> {
        self.clients
            .first()
            .and_then(|client| client.redirect_uris.first())
            .cloned()
    }

    /// Checks the configuration before anything is started.
    pub(crate) fn validate(&self) -> Result<(), SandboxError> {
        let invalid = |message: String| Err(SandboxError::InvalidConfig(message));
        if self.clients.is_empty() {
            return invalid("at least one client must be registered".into());
        }
        for client in &self.clients {
            if client.client_key.is_empty() || client.client_secret.is_empty() {
                return invalid("client key and secret must not be empty".into());
            }
            for uri in &client.redirect_uris {
                let parsed = url::Url::parse(uri).map_err(|error| {
                    SandboxError::InvalidConfig(format!("redirect URI {uri:?}: {error}"))
                })?;
                if parsed.query().is_some() || parsed.fragment().is_some() {
                    return invalid(format!(
                        "redirect URI {uri:?} must be static (no query, no fragment)"
                    ));
                }
            }
        }
        let creators = match &self.videos_per_creator {
            VideosPerCreator::List(counts) => counts.len(),
            _ => self.creator_count as usize,
        };
        if creators > MAX_CREATORS as usize {
            return invalid(format!("at most {MAX_CREATORS} creators"));
        }
        let counts = self.video_counts_upper_bounds();
        if counts.iter().map(|&count| u64::from(count)).sum::<u64>() > MAX_TOTAL_VIDEOS {
            return invalid(format!("at most {MAX_TOTAL_VIDEOS} videos in all"));
        }
        if counts.iter().any(|&count| count > MAX_VIDEOS_PER_CREATOR) {
            return invalid(format!(
                "at most {MAX_VIDEOS_PER_CREATOR} videos per creator"
            ));
        }
        if self.access_token_lifetime.is_zero() || self.refresh_token_lifetime.is_zero() {
            return invalid("token lifetimes must be positive".into());
        }
        Ok(())
    }

    /// The largest video count each creator can get (used by validation).
    fn video_counts_upper_bounds(&self) -> Vec<u32> {
        match &self.videos_per_creator {
            VideosPerCreator::Fixed(count) => vec![*count; self.creator_count as usize],
            VideosPerCreator::Range(range) => vec![*range.end(); self.creator_count as usize],
            VideosPerCreator::List(counts) => counts.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_video_count_forms() {
        assert_eq!(
            VideosPerCreator::parse("95").ok(),
            Some(VideosPerCreator::Fixed(95))
        );
        assert_eq!(
            VideosPerCreator::parse("10..200").ok(),
            Some(VideosPerCreator::Range(10..=200))
        );
        assert_eq!(
            VideosPerCreator::parse("10..=200").ok(),
            Some(VideosPerCreator::Range(10..=200))
        );
        assert_eq!(
            VideosPerCreator::parse("95, 0,120").ok(),
            Some(VideosPerCreator::List(vec![95, 0, 120]))
        );
        assert!(VideosPerCreator::parse("200..10").is_err());
        assert!(VideosPerCreator::parse("many").is_err());
    }

    #[test]
    fn rejects_redirect_uris_with_a_query() {
        let config = SandboxConfig::new().default_client_redirect_uris(["https://x.test/cb?a=1"]);
        assert!(config.validate().is_err());
    }

    #[test]
    fn rejects_oversized_catalogues() {
        assert!(SandboxConfig::new().creators(u32::MAX).validate().is_err());
        let huge = SandboxConfig::new()
            .creators(100)
            .videos_per_creator(VideosPerCreator::Fixed(MAX_VIDEOS_PER_CREATOR));
        assert!(huge.validate().is_err());
        let too_many = SandboxConfig::new().creator_videos([MAX_VIDEOS_PER_CREATOR + 1]);
        assert!(too_many.validate().is_err());
        assert!(
            SandboxConfig::new()
                .creator_videos([1_000, 0])
                .validate()
                .is_ok()
        );
        // The sync benchmark's catalogue fits; one creator or one video more does not.
        let benchmark = SandboxConfig::new()
            .creators(MAX_CREATORS)
            .videos_per_creator(VideosPerCreator::Fixed(50));
        assert!(benchmark.validate().is_ok());
        assert!(
            SandboxConfig::new()
                .creators(MAX_CREATORS + 1)
                .videos_per_creator(VideosPerCreator::Fixed(0))
                .validate()
                .is_err()
        );
        let over = (0..MAX_CREATORS).map(|index| 50 + u32::from(index == 0));
        assert!(
            SandboxConfig::new()
                .creator_videos(over)
                .validate()
                .is_err()
        );
    }

    #[test]
    fn client_secret_is_redacted_in_debug() {
        let text = format!("{:?}", RegisteredClient::default());
        assert!(!text.contains(DEFAULT_CLIENT_SECRET));
    }
}
