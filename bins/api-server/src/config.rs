//! The api-server's configuration: the settings every process reads
//! ([`bootstrap::Settings`]: database, keys, platforms, quotas, host webhooks, logging) and the
//! HTTP server's own (bind address, port, JWT, allowed origins).
//!
//! Every variable is documented in `docs/configuration.md`. In live mode `JWT_SECRET` and
//! `APP_ORIGIN` are required besides the shared settings; sandbox mode takes the JWT secret
//! from the generated development secrets and derives the origins and the redirect URI from
//! the port once it is bound ([`Config::apply_port`]).

mod parse;

use std::net::IpAddr;

use bootstrap::settings::live_signals::is_loopback_host;
use bootstrap::settings::parse::{Env, ip, port};
use bootstrap::settings::{LiveSignal, ProcessRules, env_lookup, non_blank};
use secrecy::SecretString;

pub use bootstrap::settings::{
    ConfigError, LogFormat, Mode, SANDBOX_CLIENT_KEY, Settings, SyncSettings, TikTokSettings,
};

/// Default HTTP port (the seed's development port).
pub const DEFAULT_PORT: u16 = 5001;
/// Default address the server listens on: loopback, because production sits behind a reverse
/// proxy on the same host; set `BIND_ADDRESS=0.0.0.0` in a container.
pub const DEFAULT_BIND_ADDRESS: &str = "127.0.0.1";
/// Path of a platform's OAuth callback route (`/api/auth/<platform>/callback`), used to
/// derive the sandbox's redirect URIs.
pub fn callback_path(platform: &str) -> String {
    format!("/api/auth/{platform}/callback")
}
/// The variables live mode requires besides the shared settings'. `JWT_AUDIENCE` and
/// `JWT_ISSUER` too: a token the host product minted for another service must not be
/// accepted here unless the operator says so (`*`).
const REQUIRED_IN_LIVE_MODE: [&str; 4] = ["JWT_SECRET", "APP_ORIGIN", "JWT_AUDIENCE", "JWT_ISSUER"];
/// The HTTP server's production settings, refused when blank.
const NEVER_BLANK: [&str; 5] = [
    "JWT_SECRET",
    "APP_ORIGIN",
    "BIND_ADDRESS",
    "JWT_AUDIENCE",
    "JWT_ISSUER",
];

/// Where the HTTP server listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// Address to bind (`BIND_ADDRESS`).
    pub bind_address: IpAddr,
    /// Port to bind (`PORT`); 0 picks a free port (tests).
    pub port: u16,
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
    /// The settings every process reads.
    pub settings: Settings,
    /// Listening address and port.
    pub server: ServerConfig,
    /// HS256 secret of the host product's bearer tokens (`JWT_SECRET`).
    pub jwt_secret: SecretString,
    /// The `aud` and `iss` bearer tokens must carry, when set (`JWT_AUDIENCE`, `JWT_ISSUER`).
    pub jwt_claims: crate::auth::JwtClaimRules,
    /// Allowed frontend origins (`APP_ORIGIN`).
    pub app_origin: AppOrigin,
    /// Whether `APP_ORIGIN` is derived from the port (sandbox mode without one).
    app_origin_derived: bool,
}

impl Config {
    /// Reads the configuration from the process environment, falling back to `.env` in the
    /// current directory for variables the environment does not set.
    ///
    /// # Errors
    /// A [`ConfigError`] naming the first offending variable (or every missing one).
    pub fn from_env() -> Result<Self, ConfigError> {
        let lookup = env_lookup()?;
        Self::from_lookup(lookup)
    }

    /// Reads the configuration through `lookup` (a variable name to its value). Empty values
    /// count as unset, so a `.env` template with blank lines changes nothing.
    ///
    /// # Errors
    /// A [`ConfigError`] naming the first offending variable (or every missing one).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| non_blank(&lookup, name);
        let env = Env::new(&get);

        let server = ServerConfig {
            port: env.parse_or("PORT", DEFAULT_PORT, port)?,
            bind_address: env.parse_or(
                "BIND_ADDRESS",
                ip(DEFAULT_BIND_ADDRESS).map_err(|reason| ConfigError::Invalid {
                    variable: "BIND_ADDRESS",
                    reason,
                })?,
                ip,
            )?,
        };
        let app_origin = env.parse_optional("APP_ORIGIN", parse::origin)?;
        let jwt_secret = env.parse_optional("JWT_SECRET", parse::jwt_secret)?;
        let jwt_claims = crate::auth::JwtClaimRules {
            audience: env
                .parse_optional("JWT_AUDIENCE", parse::claim_value)?
                .flatten(),
            issuer: env
                .parse_optional("JWT_ISSUER", parse::claim_value)?
                .flatten(),
        };
        // The HTTP server's production settings: a JWT secret (the host product's real one), a
        // public address, a frontend other than this machine. Any of them selects live mode,
        // and refuses sandbox mode.
        let mut live_signals = Vec::new();
        if jwt_secret.is_some() {
            live_signals.push(LiveSignal::set("JWT_SECRET"));
        }
        if env.is_set("BIND_ADDRESS") && !server.bind_address.is_loopback() {
            live_signals.push(LiveSignal::because(
                "BIND_ADDRESS",
                "BIND_ADDRESS is not a loopback address",
            ));
        }
        if app_origin
            .as_deref()
            .is_some_and(|origin| !origin_is_local(origin))
        {
            live_signals.push(LiveSignal::because(
                "APP_ORIGIN",
                "APP_ORIGIN is not on localhost",
            ));
        }
        let settings = Settings::from_lookup_with(
            &lookup,
            &ProcessRules {
                also_required: REQUIRED_IN_LIVE_MODE.to_vec(),
                live_signals,
                never_blank: NEVER_BLANK.to_vec(),
            },
        )?;

        let jwt_secret = match (jwt_secret, &settings.dev_secrets) {
            // Sandbox mode signs with its own generated secret only (a configured one is a
            // production setting, refused there).
            (_, Some(dev)) => dev.jwt_secret.clone(),
            (Some(secret), None) => secret,
            (None, None) => {
                return Err(ConfigError::Missing {
                    variables: vec!["JWT_SECRET"],
                    why: "no development secret exists outside sandbox mode".into(),
                });
            }
        };
        let app_origin_derived = app_origin.is_none() && settings.is_sandbox();
        let mut config = Self {
            server,
            jwt_secret,
            jwt_claims,
            app_origin: AppOrigin {
                primary: app_origin.unwrap_or_default(),
                also_allowed: Vec::new(),
            },
            app_origin_derived,
            settings,
        };
        if config.is_sandbox() {
            config.apply_port(config.server.port);
        }
        Ok(config)
    }

    /// Records the port actually bound (it differs from `server.port` when that was 0) and
    /// re-derives the sandbox defaults that depend on it: the redirect URI and the app origins.
    pub fn apply_port(&mut self, port: u16) {
        self.server.port = port;
        if self.is_sandbox() {
            let derived = |platform: &str| {
                bootstrap::settings::default_url(&format!(
                    "http://localhost:{port}{}",
                    callback_path(platform)
                ))
            };
            if let Some(tiktok) = self
                .settings
                .tiktok
                .as_mut()
                .filter(|tiktok| !tiktok.redirect_uri_explicit)
            {
                tiktok.redirect_uri = derived("tiktok");
            }
            if let Some(instagram) = self
                .settings
                .instagram
                .as_mut()
                .filter(|instagram| !instagram.redirect_uri_explicit)
            {
                instagram.redirect_uri = derived("instagram");
            }
            if let Some(youtube) = self
                .settings
                .youtube
                .as_mut()
                .filter(|youtube| !youtube.redirect_uri_explicit)
            {
                youtube.redirect_uri = derived("youtube");
            }
        }
        if self.app_origin_derived {
            self.app_origin = AppOrigin {
                primary: format!("http://localhost:{port}"),
                also_allowed: vec![format!("http://127.0.0.1:{port}")],
            };
        }
    }

    /// Whether the server runs against the in-process emulator.
    pub fn is_sandbox(&self) -> bool {
        self.settings.is_sandbox()
    }
}

/// Whether `origin` (`scheme://host[:port]`) is on this machine.
fn origin_is_local(origin: &str) -> bool {
    url::Url::parse(origin)
        .ok()
        .and_then(|url| url.host_str().map(is_loopback_host))
        .unwrap_or(false)
}

#[cfg(test)]
mod tests;
