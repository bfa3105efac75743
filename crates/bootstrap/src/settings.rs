//! The settings every process of the service reads, from the environment (and a `.env` file
//! when present): database, token keys, platform credentials, quotas, host webhooks, logging.
//!
//! Every variable is documented in `docs/configuration.md`. Two modes exist (`MODE`):
//! - **live** (the default once any platform credential is given): every secret must be
//!   given, and a missing one is a start-up error that names the variable; a platform with no
//!   credentials at all is switched off, and says so;
//! - **sandbox** (the default otherwise): every platform talks to its emulator, development
//!   secrets are generated once, kept in `DATA_DIR/dev-secrets.json` (mode 0600) and reused on
//!   the next start.
//!
//! Values are read through a lookup function so tests can feed a map instead of the process
//! environment. Error messages name the variable and what is wrong, never a secret's value.
//! A binary with settings of its own (the api-server's HTTP settings) reads them through the
//! same [`parse::Env`] and names its own required variables with
//! [`Settings::from_lookup_requiring`], so one error lists everything that is missing.

mod dev_secrets;
mod encryption_keys;
mod instagram;
pub mod live_signals;
pub mod parse;
mod youtube;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use secrecy::SecretString;
use services::outbox::HostWebhookConfig;
use url::Url;

pub use dev_secrets::DevSecrets;
pub use encryption_keys::{DEFAULT_KEY_ID, EncryptionKey, EncryptionKeys, KEY_LEN};
pub use instagram::{DEFAULT_INSTAGRAM_PAGE_SIZE, DEFAULT_INSTAGRAM_SCOPES, InstagramSettings};
pub use live_signals::LiveSignal;
pub use youtube::{
    DEFAULT_YOUTUBE_ANALYTICS_DAYS, DEFAULT_YOUTUBE_DAILY_UNITS, DEFAULT_YOUTUBE_RETENTION_DAYS,
    DEFAULT_YOUTUBE_SCOPES, QuotaTableChoice, YouTubeSettings,
};

use instagram::PartialInstagram;
use youtube::PartialYouTube;

/// Default folder for the SQLite database and the sandbox's development secrets.
pub const DEFAULT_DATA_DIR: &str = "./data";
/// Default OAuth scopes requested from TikTok.
pub const DEFAULT_SCOPES: &str = "user.info.basic,user.info.profile,user.info.stats,video.list";
/// TikTok's authorization host (the consent page).
pub const DEFAULT_TIKTOK_AUTH_BASE_URL: &str = "https://www.tiktok.com";
/// TikTok's API host (tokens, user info, videos).
pub const DEFAULT_TIKTOK_API_BASE_URL: &str = "https://open.tiktokapis.com";
/// Default minimum time between two manual syncs of one connection.
pub const DEFAULT_MANUAL_SYNC_COOLDOWN_SECS: u64 = 300;
/// TikTok's documented limit: requests per endpoint in any sliding minute.
pub const TIKTOK_LIMIT_PER_MINUTE: u32 = 600;
/// Default per-endpoint request budget per minute: half of TikTok's limit. The shared budget
/// counts fixed UTC minutes; TikTok counts a sliding one, which can span the end of one fixed
/// minute and the start of the next, so only half the limit per fixed minute keeps every
/// sliding minute within it.
pub const DEFAULT_RATE_LIMIT_PER_MINUTE: u32 = TIKTOK_LIMIT_PER_MINUTE / 2;
/// Client key used in sandbox mode, where the emulator accepts it.
pub const SANDBOX_CLIENT_KEY: &str = "sandbox-client-key";
/// The Instagram App ID of sandbox mode, registered with the in-process emulator.
pub const SANDBOX_INSTAGRAM_APP_ID: &str = "990602627938098";
/// The Google OAuth client id of sandbox mode, registered with the in-process emulator.
pub const SANDBOX_YOUTUBE_CLIENT_ID: &str = "sandbox-web.apps.googleusercontent.com";
/// The redirect URI of sandbox mode until the server knows its port (it replaces this one).
pub const SANDBOX_REDIRECT_PLACEHOLDER: &str = "http://localhost";

/// Whether the service talks to the real platforms or to emulators (`MODE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Emulators stand in for every platform and secrets are generated.
    Sandbox,
    /// The real platforms: every secret must be provided.
    Live,
}

/// A platform switched off in live mode because none of its credentials is given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwitchedOff {
    /// The platform's name (`tiktok`, `instagram`).
    pub platform: &'static str,
    /// Its name as shown.
    pub display_name: &'static str,
    /// Why, for the start-up log and `GET /api/platforms`.
    pub reason: String,
}

impl SwitchedOff {
    /// `platform` (shown as `display_name`) is off for `reason`.
    pub fn new(platform: &'static str, display_name: &'static str, reason: String) -> Self {
        Self {
            platform,
            display_name,
            reason,
        }
    }

    /// `platform` is off because `variable` is not set.
    fn unset(platform: &'static str, display_name: &'static str, variable: &str) -> Self {
        Self {
            platform,
            display_name,
            reason: format!("{variable} is not set"),
        }
    }
}

/// Log output format (`LOG_FORMAT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable, multi-line friendly (the default).
    Pretty,
    /// One JSON object per line, for log shippers.
    Json,
}

/// Where logs go and how much of them (`LOG_FORMAT`, `RUST_LOG`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogSettings {
    /// Log format (`LOG_FORMAT`).
    pub format: LogFormat,
    /// Log filter directives (`RUST_LOG`), default `info`.
    pub filter: String,
}

/// The TikTok app registration and API endpoints.
#[derive(Debug, Clone)]
pub struct TikTokSettings {
    /// The app's client key (`TIKTOK_CLIENT_KEY`), or [`SANDBOX_CLIENT_KEY`].
    pub client_key: String,
    /// The app's client secret (`TIKTOK_CLIENT_SECRET`), generated in sandbox mode.
    pub client_secret: SecretString,
    /// Where TikTok sends the browser back (`TIKTOK_REDIRECT_URI`); in sandbox mode without
    /// one, [`SANDBOX_REDIRECT_PLACEHOLDER`] until the server derives it from its port.
    pub redirect_uri: Url,
    /// Whether `TIKTOK_REDIRECT_URI` was given (sandbox mode derives it otherwise).
    pub redirect_uri_explicit: bool,
    /// Scopes requested at connect time (`TIKTOK_SCOPES`).
    pub scopes: Vec<String>,
    /// Base URL of the consent page (`TIKTOK_AUTH_BASE_URL`).
    pub auth_base_url: Url,
    /// Base URL of the API (`TIKTOK_API_BASE_URL`).
    pub api_base_url: Url,
    /// Whether `TIKTOK_AUTH_BASE_URL` / `TIKTOK_API_BASE_URL` were given explicitly; in sandbox
    /// mode the emulator's address replaces them when they were not.
    pub base_urls_explicit: bool,
    /// How far the timestamp of a webhook's `TikTok-Signature` may be from now
    /// (`TIKTOK_WEBHOOK_TOLERANCE_SECS`).
    pub webhook_tolerance: Duration,
}

/// `TIKTOK_REQUEST_TIMEOUT_SECS` when unset: the client's own default.
pub const DEFAULT_TIKTOK_REQUEST_TIMEOUT_SECS: u64 = 30;

/// Limits on syncing and on the TikTok API budget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncSettings {
    /// Minimum time between two manual syncs of one connection (`MANUAL_SYNC_COOLDOWN_SECS`).
    pub manual_cooldown: Duration,
    /// Requests per minute per endpoint (`TIKTOK_RATE_LIMIT_PER_MINUTE`).
    pub rate_limit_per_minute: u32,
    /// Requests per day for the whole app (`TIKTOK_DAILY_QUOTA`); `None` means no daily cap.
    pub daily_quota: Option<u32>,
    /// How long a rejected refresh waits for another process's rotation to be stored
    /// (`TOKEN_ROTATION_GRACE_MS`).
    pub rotation_grace: Duration,
    /// The longest one TikTok HTTP attempt may take (`TIKTOK_REQUEST_TIMEOUT_SECS`): a
    /// platform that stalls holds a worker slot this long per attempt.
    pub tiktok_request_timeout: Duration,
    /// Time between two purges of expired OAuth states, quota windows and pauses by the
    /// api-server (`PURGE_INTERVAL_SECS`).
    pub purge_interval: Duration,
    /// The percentage of a platform's daily budget one user's own requests may spend a day
    /// (`USER_DAILY_SHARE_PERCENT`).
    pub user_share_percent: u32,
}

/// The settings every process of the service reads.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Sandbox or live.
    pub mode: Mode,
    /// Folder for local state (`DATA_DIR`).
    pub data_dir: PathBuf,
    /// Database connection URL (`DATABASE_URL`); secret because it may hold a password.
    pub database_url: SecretString,
    /// TikTok app and endpoints; `None` when switched off.
    pub tiktok: Option<TikTokSettings>,
    /// Instagram app and endpoints; `None` when switched off.
    pub instagram: Option<InstagramSettings>,
    /// The Google OAuth client and YouTube's endpoints; `None` when switched off.
    pub youtube: Option<YouTubeSettings>,
    /// The platforms switched off, and why (live mode only).
    pub switched_off: Vec<SwitchedOff>,
    /// Keys that encrypt platform tokens at rest (`TOKEN_ENCRYPTION_KEY`).
    pub token_encryption_keys: EncryptionKeys,
    /// Sync limits and API budget.
    pub sync: SyncSettings,
    /// Logging.
    pub log: LogSettings,
    /// Notifications to the host product (`HOST_WEBHOOK_URL` and friends); `None`: none sent.
    pub host_webhook: Option<HostWebhookConfig>,
    /// Sandbox mode's generated secrets (`DATA_DIR/dev-secrets.json`); `None` in live mode.
    pub dev_secrets: Option<DevSecrets>,
}

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Live mode, and required variables are missing.
    #[error(
        "missing required configuration (the service is in live mode: {why}): {}",
        .variables.join(", ")
    )]
    Missing {
        /// The names of the missing variables.
        variables: Vec<&'static str>,
        /// Why the service is in live mode (`MODE is live`, `TIKTOK_CLIENT_KEY is set`).
        why: String,
    },
    /// Live mode without any platform's credentials.
    #[error(
        "the service is in live mode ({why}) but no platform is configured: set \
         TIKTOK_CLIENT_KEY (TikTok), INSTAGRAM_APP_ID (Instagram) or YOUTUBE_CLIENT_ID \
         (YouTube) with their secrets, or remove MODE and every production setting for \
         sandbox mode"
    )]
    NoPlatform {
        /// Why the service is in live mode (`MODE is live`, `JWT_SECRET is set`).
        why: String,
    },
    /// Production settings given blank: a blank secret or credential is refused rather than
    /// read as unset (which could select sandbox mode).
    #[error(
        "set but blank: {} (remove the line, or give it its value; a blank production \
         setting is never read as unset)",
        .variables.join(", ")
    )]
    Blank {
        /// The blank variables.
        variables: Vec<&'static str>,
    },
    /// `MODE=sandbox` beside production settings.
    #[error(
        "MODE is sandbox, but {}: sandbox mode generates its own secrets and issues bearer \
         tokens for any user, so it never runs with production settings (set MODE=live, or \
         remove them)",
        .signals.iter().map(|signal| signal.why.as_str()).collect::<Vec<_>>().join(", ")
    )]
    SandboxWithLiveSettings {
        /// The production settings found.
        signals: Vec<LiveSignal>,
    },
    /// A variable is set but its value is not acceptable.
    #[error("{variable}: {reason}")]
    Invalid {
        /// The variable's name.
        variable: &'static str,
        /// What is wrong (never the value of a secret).
        reason: String,
    },
    /// The `.env` file exists but cannot be read or parsed.
    #[error(".env: {0}")]
    DotEnv(String),
    /// The sandbox's development secrets file cannot be read or written.
    #[error("development secrets file {}: {reason}", .path.display())]
    DevSecrets {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
}

impl Settings {
    /// Reads the settings from the process environment, falling back to `.env` in the current
    /// directory for variables the environment does not set.
    ///
    /// # Errors
    /// A [`ConfigError`] naming the first offending variable (or every missing one).
    pub fn from_env() -> Result<Self, ConfigError> {
        let lookup = env_lookup()?;
        Self::from_lookup(&lookup)
    }

    /// Reads the settings through `lookup` (a variable name to its value). Empty values count
    /// as unset, so a `.env` template with blank lines changes nothing.
    ///
    /// # Errors
    /// A [`ConfigError`] naming the first offending variable (or every missing one).
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        Self::from_lookup_requiring(lookup, &[])
    }

    /// As [`Settings::from_lookup_requiring`], with the binary's own production settings:
    /// `rules.live_signals` select live mode (and refuse sandbox mode) like the shared ones,
    /// and `rules.never_blank` are refused when blank.
    ///
    /// # Errors
    /// A [`ConfigError`] naming the first offending variable (or every missing one).
    pub fn from_lookup_with(
        lookup: &dyn Fn(&str) -> Option<String>,
        rules: &ProcessRules,
    ) -> Result<Self, ConfigError> {
        Self::read(lookup, rules)
    }

    /// As [`Settings::from_lookup`], for a binary that needs more variables in live mode:
    /// `also_required` are checked with the shared ones, so one error names every missing
    /// variable.
    ///
    /// # Errors
    /// A [`ConfigError`] naming the first offending variable (or every missing one).
    pub fn from_lookup_requiring(
        lookup: &dyn Fn(&str) -> Option<String>,
        also_required: &[&'static str],
    ) -> Result<Self, ConfigError> {
        Self::read(
            lookup,
            &ProcessRules {
                also_required: also_required.to_vec(),
                ..ProcessRules::default()
            },
        )
    }

    fn read(
        lookup: &dyn Fn(&str) -> Option<String>,
        rules: &ProcessRules,
    ) -> Result<Self, ConfigError> {
        let also_required = rules.also_required.as_slice();
        let blank = live_signals::blank_among(
            lookup,
            live_signals::NEVER_BLANK
                .into_iter()
                .chain(rules.never_blank.iter().copied()),
        );
        if !blank.is_empty() {
            return Err(ConfigError::Blank { variables: blank });
        }
        let get = |name: &str| non_blank(lookup, name);
        let env = parse::Env::new(&get);

        let data_dir = PathBuf::from(get("DATA_DIR").unwrap_or_else(|| DEFAULT_DATA_DIR.into()));
        let database_url = SecretString::from(get("DATABASE_URL").unwrap_or_else(|| {
            format!(
                "sqlite://{}",
                data_dir.join("tiktok-sync.db").to_string_lossy()
            )
        }));
        let sync = SyncSettings {
            manual_cooldown: Duration::from_secs(env.parse_or(
                "MANUAL_SYNC_COOLDOWN_SECS",
                DEFAULT_MANUAL_SYNC_COOLDOWN_SECS,
                parse::seconds,
            )?),
            rate_limit_per_minute: env.parse_or(
                "TIKTOK_RATE_LIMIT_PER_MINUTE",
                DEFAULT_RATE_LIMIT_PER_MINUTE,
                parse::positive,
            )?,
            daily_quota: env.parse_optional("TIKTOK_DAILY_QUOTA", parse::positive)?,
            rotation_grace: Duration::from_millis(env.parse_or(
                "TOKEN_ROTATION_GRACE_MS",
                u64::try_from(services::DEFAULT_ROTATION_GRACE.as_millis()).unwrap_or(5_000),
                parse::milliseconds,
            )?),
            tiktok_request_timeout: Duration::from_secs(env.parse_or(
                "TIKTOK_REQUEST_TIMEOUT_SECS",
                DEFAULT_TIKTOK_REQUEST_TIMEOUT_SECS,
                parse::positive_seconds,
            )?),
            purge_interval: Duration::from_secs(env.parse_or(
                "PURGE_INTERVAL_SECS",
                services::housekeeping::DEFAULT_PURGE_INTERVAL.as_secs(),
                parse::positive_seconds,
            )?),
            user_share_percent: env.parse_or(
                "USER_DAILY_SHARE_PERCENT",
                services::quota::DEFAULT_USER_SHARE_PERCENT,
                parse::percent,
            )?,
        };
        let log = LogSettings {
            format: env.parse_or("LOG_FORMAT", LogFormat::Pretty, parse::log_format)?,
            filter: get("RUST_LOG").unwrap_or_else(|| "info".into()),
        };
        let host_webhook = host_webhook(&env)?;
        let tiktok = PartialTikTok::read(&env)?;
        let instagram = PartialInstagram::read(&env)?;
        let youtube = PartialYouTube::read(&env)?;
        let keys = env.parse_optional("TOKEN_ENCRYPTION_KEY", EncryptionKeys::parse)?;

        let credentials_given = [
            ("TIKTOK_CLIENT_KEY", tiktok.client_key.is_some()),
            ("INSTAGRAM_APP_ID", instagram.app_id.is_some()),
            ("YOUTUBE_CLIENT_ID", youtube.client_id.is_some()),
        ];
        // Every production setting present: a platform credential (sandbox mode would silently
        // not use it), a token key, a remote database, and the binary's own (its JWT secret,
        // public address, frontend origin).
        let signals: Vec<LiveSignal> = credentials_given
            .iter()
            .filter(|(_, given)| *given)
            .map(|(variable, _)| LiveSignal::set(variable))
            .chain(
                keys.is_some()
                    .then(|| LiveSignal::set("TOKEN_ENCRYPTION_KEY")),
            )
            .chain(get("DATABASE_URL").and_then(|url| live_signals::database_signal(&url)))
            .chain(rules.live_signals.iter().cloned())
            .collect();
        let explicit_mode = env.parse_optional("MODE", parse::mode)?;
        let mode = match explicit_mode {
            Some(mode) => mode,
            None if !signals.is_empty()
                || tiktok.has_credentials()
                || instagram.has_credentials()
                || youtube.has_credentials() =>
            {
                Mode::Live
            }
            None => Mode::Sandbox,
        };
        let why_live = || {
            if explicit_mode.is_some() {
                "MODE is live".to_owned()
            } else {
                signals.first().map_or_else(
                    || "a platform secret is set".to_owned(),
                    |signal| signal.why.clone(),
                )
            }
        };

        if mode == Mode::Sandbox {
            if !signals.is_empty() {
                return Err(ConfigError::SandboxWithLiveSettings { signals });
            }
            let dev = DevSecrets::load_or_create(&dev_secrets_path(&data_dir))?;
            let placeholder = default_url(SANDBOX_REDIRECT_PLACEHOLDER);
            return Ok(Self {
                mode,
                data_dir,
                database_url,
                tiktok: Some(tiktok.finish(
                    SANDBOX_CLIENT_KEY.into(),
                    dev.tiktok_client_secret.clone(),
                    placeholder.clone(),
                )),
                instagram: Some(instagram.finish(
                    SANDBOX_INSTAGRAM_APP_ID.into(),
                    dev.instagram_app_secret.clone(),
                    placeholder.clone(),
                )),
                youtube: Some(youtube.finish(
                    SANDBOX_YOUTUBE_CLIENT_ID.into(),
                    dev.youtube_client_secret.clone(),
                    placeholder,
                )),
                switched_off: Vec::new(),
                // Never a configured key: that is a production setting, refused above.
                token_encryption_keys: dev.token_encryption_keys.clone(),
                sync,
                log,
                host_webhook,
                dev_secrets: Some(dev),
            });
        }

        // Live: a platform is on when any of its credentials is given, and then needs all of
        // them; one without any is switched off (and says so).
        let mut missing: Vec<&'static str> = Vec::new();
        if keys.is_none() {
            missing.push("TOKEN_ENCRYPTION_KEY");
        }
        let mut switched_off = Vec::new();
        if tiktok.has_credentials() {
            missing.extend(tiktok.missing());
        } else {
            switched_off.push(SwitchedOff::unset("tiktok", "TikTok", "TIKTOK_CLIENT_KEY"));
        }
        if instagram.has_credentials() {
            missing.extend(instagram.missing());
        } else {
            switched_off.push(SwitchedOff::unset(
                "instagram",
                "Instagram",
                "INSTAGRAM_APP_ID",
            ));
        }
        if youtube.has_credentials() {
            missing.extend(youtube.missing());
        } else {
            switched_off.push(SwitchedOff::unset(
                "youtube",
                "YouTube",
                "YOUTUBE_CLIENT_ID",
            ));
        }
        if switched_off.len() == credentials_given.len() {
            return Err(ConfigError::NoPlatform { why: why_live() });
        }
        missing.extend(
            also_required
                .iter()
                .copied()
                .filter(|name| !env.is_set(name)),
        );
        let Some(keys) = keys.filter(|_| missing.is_empty()) else {
            return Err(ConfigError::Missing {
                variables: missing,
                why: why_live(),
            });
        };
        let tiktok = tiktok.live();
        let instagram = instagram.live();
        let youtube = youtube.live();
        // Live mode: an OAuth redirect (which carries the authorization code) and the host
        // notifications (signed, but readable on the way) go over TLS, except to this machine.
        for (variable, url) in [
            (
                "TIKTOK_REDIRECT_URI",
                tiktok.as_ref().map(|t| &t.redirect_uri),
            ),
            (
                "INSTAGRAM_REDIRECT_URI",
                instagram.as_ref().map(|i| &i.redirect_uri),
            ),
            (
                "YOUTUBE_REDIRECT_URI",
                youtube.as_ref().map(|y| &y.redirect_uri),
            ),
            ("HOST_WEBHOOK_URL", host_webhook.as_ref().map(|h| &h.url)),
        ] {
            if let Some(url) = url
                && url.scheme() == "http"
                && !url.host_str().is_some_and(live_signals::is_loopback_host)
            {
                return Err(ConfigError::Invalid {
                    variable,
                    reason: "uses http:// on a host other than this machine; live mode needs \
                             https:// (http:// only on localhost or a loopback address)"
                        .into(),
                });
            }
        }
        Ok(Self {
            mode,
            data_dir,
            database_url,
            tiktok,
            instagram,
            youtube,
            switched_off,
            token_encryption_keys: keys,
            sync,
            log,
            host_webhook,
            dev_secrets: None,
        })
    }

    /// Whether the service runs against emulators.
    pub fn is_sandbox(&self) -> bool {
        self.mode == Mode::Sandbox
    }
}

/// What a binary adds to the shared settings' rules.
#[derive(Debug, Clone, Default)]
pub struct ProcessRules {
    /// Variables live mode needs besides the shared ones (listed with them when missing).
    pub also_required: Vec<&'static str>,
    /// The binary's own production settings found (they select live mode, and refuse sandbox
    /// mode).
    pub live_signals: Vec<LiveSignal>,
    /// The binary's own variables refused when blank.
    pub never_blank: Vec<&'static str>,
}

/// The TikTok settings read before the mode decides the credentials.
struct PartialTikTok {
    client_key: Option<String>,
    client_secret: Option<SecretString>,
    redirect_uri: Option<Url>,
    scopes: Vec<String>,
    auth_base_url: Url,
    api_base_url: Url,
    base_urls_explicit: bool,
    webhook_tolerance: Duration,
}

impl PartialTikTok {
    fn read(env: &parse::Env<'_>) -> Result<Self, ConfigError> {
        Ok(Self {
            client_key: env.parse_optional("TIKTOK_CLIENT_KEY", |raw| Ok(raw.to_owned()))?,
            client_secret: env
                .parse_optional("TIKTOK_CLIENT_SECRET", |raw| Ok(SecretString::from(raw)))?,
            redirect_uri: env.parse_optional("TIKTOK_REDIRECT_URI", parse::http_url)?,
            scopes: env.parse_or(
                "TIKTOK_SCOPES",
                parse::scopes(DEFAULT_SCOPES).map_err(|reason| ConfigError::Invalid {
                    variable: "TIKTOK_SCOPES",
                    reason,
                })?,
                parse::scopes,
            )?,
            auth_base_url: env.parse_or(
                "TIKTOK_AUTH_BASE_URL",
                default_url(DEFAULT_TIKTOK_AUTH_BASE_URL),
                parse::http_url,
            )?,
            api_base_url: env.parse_or(
                "TIKTOK_API_BASE_URL",
                default_url(DEFAULT_TIKTOK_API_BASE_URL),
                parse::http_url,
            )?,
            base_urls_explicit: env.is_set("TIKTOK_AUTH_BASE_URL")
                || env.is_set("TIKTOK_API_BASE_URL"),
            webhook_tolerance: Duration::from_secs(env.parse_or(
                "TIKTOK_WEBHOOK_TOLERANCE_SECS",
                tiktok_client::DEFAULT_SIGNATURE_TOLERANCE.as_secs(),
                parse::seconds,
            )?),
        })
    }

    /// Whether any credential is given (what makes the platform wanted in live mode).
    fn has_credentials(&self) -> bool {
        self.client_key.is_some() || self.client_secret.is_some()
    }

    /// The variables live mode still needs for TikTok, once any of them is given.
    fn missing(&self) -> Vec<&'static str> {
        [
            ("TIKTOK_CLIENT_KEY", self.client_key.is_some()),
            ("TIKTOK_CLIENT_SECRET", self.client_secret.is_some()),
            ("TIKTOK_REDIRECT_URI", self.redirect_uri.is_some()),
        ]
        .into_iter()
        .filter(|(_, present)| !present)
        .map(|(name, _)| name)
        .collect()
    }

    /// The live settings, when every credential is given.
    fn live(self) -> Option<TikTokSettings> {
        let (Some(key), Some(secret), Some(uri)) = (
            self.client_key.clone(),
            self.client_secret.clone(),
            self.redirect_uri.clone(),
        ) else {
            return None;
        };
        Some(self.finish(key, secret, uri))
    }

    /// The settings, with `client_key`, `client_secret` and `redirect_uri` standing in for
    /// those not given (sandbox mode's).
    fn finish(
        self,
        client_key: String,
        client_secret: SecretString,
        redirect_uri: Url,
    ) -> TikTokSettings {
        TikTokSettings {
            client_key: self.client_key.unwrap_or(client_key),
            client_secret: self.client_secret.unwrap_or(client_secret),
            redirect_uri_explicit: self.redirect_uri.is_some(),
            redirect_uri: self.redirect_uri.unwrap_or(redirect_uri),
            scopes: self.scopes,
            auth_base_url: self.auth_base_url,
            api_base_url: self.api_base_url,
            base_urls_explicit: self.base_urls_explicit,
            webhook_tolerance: self.webhook_tolerance,
        }
    }
}

/// The host product's webhook settings: none without `HOST_WEBHOOK_URL`; with it,
/// `HOST_WEBHOOK_SECRET` is required.
fn host_webhook(env: &parse::Env<'_>) -> Result<Option<HostWebhookConfig>, ConfigError> {
    let Some(url) = env.parse_optional("HOST_WEBHOOK_URL", parse::secret_url)? else {
        return Ok(None);
    };
    let secret = env
        .parse_optional("HOST_WEBHOOK_SECRET", parse::webhook_secret)?
        .ok_or(ConfigError::Invalid {
            variable: "HOST_WEBHOOK_SECRET",
            reason: "is required when HOST_WEBHOOK_URL is set (the notifications are signed \
                     with it)"
                .into(),
        })?;
    let mut config = HostWebhookConfig::new(url, secret);
    let seconds = |name: &'static str, default: Duration| -> Result<Duration, ConfigError> {
        Ok(Duration::from_secs(env.parse_or(
            name,
            default.as_secs(),
            parse::positive_seconds,
        )?))
    };
    config.max_age = seconds("HOST_WEBHOOK_MAX_AGE_SECS", config.max_age)?;
    config.first_retry = seconds("HOST_WEBHOOK_FIRST_RETRY_SECS", config.first_retry)?;
    config.max_retry = seconds("HOST_WEBHOOK_MAX_RETRY_SECS", config.max_retry)?;
    config.timeout = seconds("HOST_WEBHOOK_TIMEOUT_SECS", config.timeout)?;
    if config.max_retry < config.first_retry {
        return Err(ConfigError::Invalid {
            variable: "HOST_WEBHOOK_MAX_RETRY_SECS",
            reason: "is shorter than HOST_WEBHOOK_FIRST_RETRY_SECS".into(),
        });
    }
    Ok(Some(config))
}

/// `name`'s value through `lookup`, with a blank value counted as unset.
pub fn non_blank(lookup: &dyn Fn(&str) -> Option<String>, name: &str) -> Option<String> {
    lookup(name).filter(|value| !value.trim().is_empty())
}

/// A lookup over the process environment, falling back to `.env` in the current directory for
/// variables the environment does not set (the environment wins, as with dotenvy's loader).
///
/// # Errors
/// [`ConfigError::DotEnv`] when `.env` exists but cannot be read or parsed.
pub fn env_lookup() -> Result<impl Fn(&str) -> Option<String>, ConfigError> {
    let dotenv = read_dotenv()?;
    Ok(move |name: &str| {
        std::env::var(name)
            .ok()
            .or_else(|| dotenv.get(name).cloned())
    })
}

/// Parses a URL constant of this module.
pub fn default_url(raw: &str) -> Url {
    Url::parse(raw).expect("the default URLs of this module are valid")
}

/// Reads `.env` from the current directory into a map, without touching the process
/// environment.
fn read_dotenv() -> Result<HashMap<String, String>, ConfigError> {
    match dotenvy::dotenv_iter() {
        Ok(iter) => iter
            .map(|item| item.map_err(describe_dotenv_error))
            .collect(),
        Err(error) if error.not_found() => Ok(HashMap::new()),
        Err(error) => Err(describe_dotenv_error(error)),
    }
}

/// Describes a `.env` error without quoting the offending line, which may hold a secret.
fn describe_dotenv_error(error: dotenvy::Error) -> ConfigError {
    match error {
        dotenvy::Error::LineParse(_, index) => {
            ConfigError::DotEnv(format!("cannot parse the line at byte offset {index}"))
        }
        dotenvy::Error::Io(io) => ConfigError::DotEnv(format!("cannot read the file: {io}")),
        dotenvy::Error::EnvVar(var) => ConfigError::DotEnv(format!("bad variable: {var}")),
        _ => ConfigError::DotEnv("cannot load the file".into()),
    }
}

/// Where sandbox mode keeps its generated development secrets inside `data_dir`.
pub fn dev_secrets_path(data_dir: &Path) -> PathBuf {
    data_dir.join("dev-secrets.json")
}

#[cfg(test)]
mod tests;
