//! Configuration from the environment (and a `.env` file when present).
//!
//! Every variable is documented in `docs/configuration.md`. Two modes exist:
//! - **live** (`TIKTOK_CLIENT_KEY` set): every secret must be given, and a missing one is a
//!   start-up error that names the variable;
//! - **sandbox** (no client key): development secrets are generated once, kept in
//!   `DATA_DIR/dev-secrets.json` (mode 0600) and reused on the next start.
//!
//! Values are read through a lookup function so tests can feed a map instead of the process
//! environment. Error messages name the variable and what is wrong, never a secret's value.

mod dev_secrets;
mod encryption_keys;
mod parse;

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use secrecy::SecretString;
use services::outbox::HostWebhookConfig;
use url::Url;

pub use dev_secrets::DevSecrets;
pub use encryption_keys::{EncryptionKey, EncryptionKeys};

/// Default HTTP port (the seed's development port).
pub const DEFAULT_PORT: u16 = 5001;
/// Default address the server listens on: loopback, because production sits behind a reverse
/// proxy on the same host; set `BIND_ADDRESS=0.0.0.0` in a container.
pub const DEFAULT_BIND_ADDRESS: &str = "127.0.0.1";
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
/// Default per-endpoint request budget per minute (TikTok's documented limit).
pub const DEFAULT_RATE_LIMIT_PER_MINUTE: u32 = 600;
/// Client key used in sandbox mode, where the in-process emulator accepts it.
pub const SANDBOX_CLIENT_KEY: &str = "sandbox-client-key";
/// Path of the OAuth callback route, used to derive the sandbox's redirect URI.
pub const CALLBACK_PATH: &str = "/api/auth/tiktok/callback";

/// Whether the server talks to the real TikTok or to the in-process emulator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// No `TIKTOK_CLIENT_KEY`: the emulator stands in for TikTok and secrets are generated.
    Sandbox,
    /// A TikTok app is configured: every secret must be provided.
    Live,
}

/// Log output format (`LOG_FORMAT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable, multi-line friendly (the default).
    Pretty,
    /// One JSON object per line, for log shippers.
    Json,
}

/// Where the HTTP server listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// Address to bind (`BIND_ADDRESS`).
    pub bind_address: IpAddr,
    /// Port to bind (`PORT`); 0 picks a free port (tests).
    pub port: u16,
}

/// The TikTok app registration and API endpoints.
#[derive(Debug, Clone)]
pub struct TikTokConfig {
    /// The app's client key (`TIKTOK_CLIENT_KEY`), or [`SANDBOX_CLIENT_KEY`].
    pub client_key: String,
    /// The app's client secret (`TIKTOK_CLIENT_SECRET`), generated in sandbox mode.
    pub client_secret: SecretString,
    /// Where TikTok sends the browser back (`TIKTOK_REDIRECT_URI`).
    pub redirect_uri: Url,
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

/// Limits on syncing and on the TikTok API budget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncConfig {
    /// Minimum time between two manual syncs of one connection (`MANUAL_SYNC_COOLDOWN_SECS`).
    pub manual_cooldown: Duration,
    /// Requests per minute per endpoint (`TIKTOK_RATE_LIMIT_PER_MINUTE`).
    pub rate_limit_per_minute: u32,
    /// Requests per day for the whole app (`TIKTOK_DAILY_QUOTA`); `None` means no daily cap.
    pub daily_quota: Option<u32>,
}

/// The frontend origins allowed to call the API and to receive the callback's `postMessage`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppOrigin {
    /// `APP_ORIGIN`, serialised as an origin (`scheme://host[:port]`, no trailing slash): the
    /// `postMessage` target and the first CORS origin.
    pub primary: String,
    /// Further origins accepted by CORS (sandbox mode accepts `http://127.0.0.1:PORT` too).
    pub also_allowed: Vec<String>,
}

impl AppOrigin {
    /// Every origin CORS accepts, the primary first.
    pub fn all(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.primary.as_str()).chain(self.also_allowed.iter().map(String::as_str))
    }
}

/// The whole configuration of api-server.
#[derive(Debug, Clone)]
pub struct Config {
    /// Sandbox or live.
    pub mode: Mode,
    /// Listening address and port.
    pub server: ServerConfig,
    /// Folder for local state (`DATA_DIR`).
    pub data_dir: PathBuf,
    /// Database connection URL (`DATABASE_URL`); secret because it may hold a password.
    pub database_url: SecretString,
    /// TikTok app and endpoints.
    pub tiktok: TikTokConfig,
    /// Keys that encrypt TikTok tokens at rest (`TOKEN_ENCRYPTION_KEY`).
    pub token_encryption_keys: EncryptionKeys,
    /// HS256 secret of the host product's bearer tokens (`JWT_SECRET`).
    pub jwt_secret: SecretString,
    /// The `aud` and `iss` bearer tokens must carry, when set (`JWT_AUDIENCE`, `JWT_ISSUER`).
    pub jwt_claims: crate::auth::JwtClaimRules,
    /// Allowed frontend origins (`APP_ORIGIN`).
    pub app_origin: AppOrigin,
    /// Sync limits and API budget.
    pub sync: SyncConfig,
    /// Log format (`LOG_FORMAT`).
    pub log_format: LogFormat,
    /// Log filter directives (`RUST_LOG`), default `info`.
    pub log_filter: String,
    /// Notifications to the host product (`HOST_WEBHOOK_URL` and friends); `None`: none sent.
    pub host_webhook: Option<HostWebhookConfig>,
    /// Values derived from the port (sandbox defaults), re-derived once the real port is known.
    port_derived: PortDerived,
}

/// Which values were derived from the port because they were not given.
#[derive(Debug, Clone, Copy, Default)]
struct PortDerived {
    redirect_uri: bool,
    app_origin: bool,
}

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Live mode, and required variables are missing.
    #[error(
        "missing required configuration (TIKTOK_CLIENT_KEY is set, so the server is not in \
         sandbox mode): {}",
        .variables.join(", ")
    )]
    Missing {
        /// The names of the missing variables.
        variables: Vec<&'static str>,
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

impl Config {
    /// Reads the configuration from the process environment, falling back to `.env` in the
    /// current directory for variables the environment does not set.
    ///
    /// # Errors
    /// A [`ConfigError`] naming the first offending variable (or every missing one).
    pub fn from_env() -> Result<Self, ConfigError> {
        let dotenv = read_dotenv()?;
        Self::from_lookup(|name| {
            std::env::var(name)
                .ok()
                .or_else(|| dotenv.get(name).cloned())
        })
    }

    /// Reads the configuration through `lookup` (a variable name to its value). Empty values
    /// count as unset, so a `.env` template with blank lines changes nothing.
    ///
    /// # Errors
    /// A [`ConfigError`] naming the first offending variable (or every missing one).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        let env = parse::Env::new(&get);

        let port = env.parse_or("PORT", DEFAULT_PORT, parse::port)?;
        let bind_address = env.parse_or(
            "BIND_ADDRESS",
            parse::ip(DEFAULT_BIND_ADDRESS).map_err(|reason| ConfigError::Invalid {
                variable: "BIND_ADDRESS",
                reason,
            })?,
            parse::ip,
        )?;
        let data_dir = PathBuf::from(get("DATA_DIR").unwrap_or_else(|| DEFAULT_DATA_DIR.into()));
        let database_url = SecretString::from(get("DATABASE_URL").unwrap_or_else(|| {
            format!(
                "sqlite://{}",
                data_dir.join("tiktok-sync.db").to_string_lossy()
            )
        }));
        let scopes = env.parse_or(
            "TIKTOK_SCOPES",
            parse::scopes(DEFAULT_SCOPES).map_err(|reason| ConfigError::Invalid {
                variable: "TIKTOK_SCOPES",
                reason,
            })?,
            parse::scopes,
        )?;
        let auth_base_url = env.parse_or(
            "TIKTOK_AUTH_BASE_URL",
            default_url(DEFAULT_TIKTOK_AUTH_BASE_URL),
            parse::http_url,
        )?;
        let api_base_url = env.parse_or(
            "TIKTOK_API_BASE_URL",
            default_url(DEFAULT_TIKTOK_API_BASE_URL),
            parse::http_url,
        )?;
        let base_urls_explicit =
            get("TIKTOK_AUTH_BASE_URL").is_some() || get("TIKTOK_API_BASE_URL").is_some();
        let sync = SyncConfig {
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
        };
        let webhook_tolerance = Duration::from_secs(env.parse_or(
            "TIKTOK_WEBHOOK_TOLERANCE_SECS",
            tiktok_client::DEFAULT_SIGNATURE_TOLERANCE.as_secs(),
            parse::seconds,
        )?);
        let host_webhook = host_webhook(&env)?;
        let log_format = env.parse_or("LOG_FORMAT", LogFormat::Pretty, parse::log_format)?;
        let log_filter = get("RUST_LOG").unwrap_or_else(|| "info".into());

        let redirect_uri = env.parse_optional("TIKTOK_REDIRECT_URI", parse::http_url)?;
        let app_origin = env.parse_optional("APP_ORIGIN", parse::origin)?;
        let keys = env.parse_optional("TOKEN_ENCRYPTION_KEY", EncryptionKeys::parse)?;
        let jwt_secret = env.parse_optional("JWT_SECRET", parse::jwt_secret)?;
        let jwt_claims = crate::auth::JwtClaimRules {
            audience: env.parse_optional("JWT_AUDIENCE", parse::claim_value)?,
            issuer: env.parse_optional("JWT_ISSUER", parse::claim_value)?,
        };
        let client_secret = get("TIKTOK_CLIENT_SECRET").map(SecretString::from);

        let server = ServerConfig { bind_address, port };
        let base = Partial {
            server,
            data_dir,
            database_url,
            sync,
            log_format,
            log_filter,
            scopes,
            auth_base_url,
            api_base_url,
            base_urls_explicit,
            webhook_tolerance,
            jwt_claims,
            host_webhook,
        };

        match get("TIKTOK_CLIENT_KEY") {
            Some(client_key) => {
                let required = [
                    ("TIKTOK_CLIENT_SECRET", client_secret.is_some()),
                    ("TIKTOK_REDIRECT_URI", redirect_uri.is_some()),
                    ("TOKEN_ENCRYPTION_KEY", keys.is_some()),
                    ("JWT_SECRET", jwt_secret.is_some()),
                    ("APP_ORIGIN", app_origin.is_some()),
                ];
                let missing: Vec<&'static str> = required
                    .iter()
                    .filter(|(_, present)| !present)
                    .map(|(name, _)| *name)
                    .collect();
                match (client_secret, redirect_uri, keys, jwt_secret, app_origin) {
                    (
                        Some(client_secret),
                        Some(redirect_uri),
                        Some(keys),
                        Some(jwt_secret),
                        Some(app_origin),
                    ) if missing.is_empty() => Ok(base.finish(Finish {
                        mode: Mode::Live,
                        client_key,
                        client_secret,
                        redirect_uri,
                        keys,
                        jwt_secret,
                        app_origin: AppOrigin {
                            primary: app_origin,
                            also_allowed: Vec::new(),
                        },
                        port_derived: PortDerived::default(),
                    })),
                    _ => Err(ConfigError::Missing { variables: missing }),
                }
            }
            None => {
                let dev = DevSecrets::load_or_create(&dev_secrets_path(&base.data_dir))?;
                let port_derived = PortDerived {
                    redirect_uri: redirect_uri.is_none(),
                    app_origin: app_origin.is_none(),
                };
                let mut config = base.finish(Finish {
                    mode: Mode::Sandbox,
                    client_key: SANDBOX_CLIENT_KEY.into(),
                    client_secret: client_secret.unwrap_or(dev.tiktok_client_secret),
                    redirect_uri: redirect_uri.unwrap_or_else(|| default_url("http://localhost")),
                    keys: keys.unwrap_or(dev.token_encryption_keys),
                    jwt_secret: jwt_secret.unwrap_or(dev.jwt_secret),
                    app_origin: AppOrigin {
                        primary: app_origin.unwrap_or_default(),
                        also_allowed: Vec::new(),
                    },
                    port_derived,
                });
                config.apply_port(port);
                Ok(config)
            }
        }
    }

    /// Records the port actually bound (it differs from `server.port` when that was 0) and
    /// re-derives the sandbox defaults that depend on it: the redirect URI and the app origins.
    pub fn apply_port(&mut self, port: u16) {
        self.server.port = port;
        if self.port_derived.redirect_uri {
            self.tiktok.redirect_uri =
                default_url(&format!("http://localhost:{port}{CALLBACK_PATH}"));
        }
        if self.port_derived.app_origin {
            self.app_origin = AppOrigin {
                primary: format!("http://localhost:{port}"),
                also_allowed: vec![format!("http://127.0.0.1:{port}")],
            };
        }
    }

    /// Whether the server runs against the in-process emulator.
    pub fn is_sandbox(&self) -> bool {
        self.mode == Mode::Sandbox
    }
}

/// Values common to both modes, gathered before the mode decides the rest.
struct Partial {
    server: ServerConfig,
    data_dir: PathBuf,
    database_url: SecretString,
    sync: SyncConfig,
    log_format: LogFormat,
    log_filter: String,
    scopes: Vec<String>,
    auth_base_url: Url,
    api_base_url: Url,
    base_urls_explicit: bool,
    webhook_tolerance: Duration,
    jwt_claims: crate::auth::JwtClaimRules,
    host_webhook: Option<HostWebhookConfig>,
}

/// The mode-dependent values.
struct Finish {
    mode: Mode,
    client_key: String,
    client_secret: SecretString,
    redirect_uri: Url,
    keys: EncryptionKeys,
    jwt_secret: SecretString,
    app_origin: AppOrigin,
    port_derived: PortDerived,
}

impl Partial {
    fn finish(self, rest: Finish) -> Config {
        Config {
            mode: rest.mode,
            server: self.server,
            data_dir: self.data_dir,
            database_url: self.database_url,
            tiktok: TikTokConfig {
                client_key: rest.client_key,
                client_secret: rest.client_secret,
                redirect_uri: rest.redirect_uri,
                scopes: self.scopes,
                auth_base_url: self.auth_base_url,
                api_base_url: self.api_base_url,
                base_urls_explicit: self.base_urls_explicit,
                webhook_tolerance: self.webhook_tolerance,
            },
            token_encryption_keys: rest.keys,
            jwt_secret: rest.jwt_secret,
            jwt_claims: self.jwt_claims,
            app_origin: rest.app_origin,
            sync: self.sync,
            log_format: self.log_format,
            log_filter: self.log_filter,
            host_webhook: self.host_webhook,
            port_derived: rest.port_derived,
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

/// Parses a URL constant of this module.
fn default_url(raw: &str) -> Url {
    Url::parse(raw).expect("the default URLs of this module are valid")
}

/// Reads `.env` from the current directory into a map, without touching the process
/// environment (the environment wins over the file, as with dotenvy's own loader).
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
