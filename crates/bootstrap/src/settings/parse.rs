//! Parsers for single configuration values, shared by every binary's settings. Each returns
//! the reason a value is refused; [`Env`] adds the variable's name. Reasons for secrets never
//! quote the value.

use std::net::IpAddr;

use secrecy::SecretString;
use url::Url;

use super::{ConfigError, LogFormat, Mode};

/// Shortest accepted `HOST_WEBHOOK_SECRET`, in bytes.
pub const MIN_WEBHOOK_SECRET_LEN: usize = 16;

/// Looks variables up and attaches their names to parse failures.
pub struct Env<'a> {
    get: &'a dyn Fn(&str) -> Option<String>,
}

impl<'a> Env<'a> {
    /// Looks variables up through `get` (blank values already removed).
    pub fn new(get: &'a dyn Fn(&str) -> Option<String>) -> Self {
        Self { get }
    }

    /// Parses `variable` when set, or returns `default`.
    pub fn parse_or<T>(
        &self,
        variable: &'static str,
        default: T,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Result<T, ConfigError> {
        Ok(self.parse_optional(variable, parse)?.unwrap_or(default))
    }

    /// Whether `variable` is set (blank counts as unset).
    pub fn is_set(&self, variable: &str) -> bool {
        (self.get)(variable).is_some()
    }

    /// Parses `variable` when set.
    pub fn parse_optional<T>(
        &self,
        variable: &'static str,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Result<Option<T>, ConfigError> {
        (self.get)(variable)
            .map(|raw| {
                parse(raw.trim()).map_err(|reason| ConfigError::Invalid { variable, reason })
            })
            .transpose()
    }
}

/// A TCP port (0 lets the system pick one).
pub fn port(raw: &str) -> Result<u16, String> {
    raw.parse()
        .map_err(|_| format!("`{raw}` is not a port number (0 to 65535)"))
}

/// An IPv4 or IPv6 address.
pub fn ip(raw: &str) -> Result<IpAddr, String> {
    raw.parse()
        .map_err(|_| format!("`{raw}` is not an IP address (for example 127.0.0.1 or 0.0.0.0)"))
}

/// A whole number of seconds, 0 allowed.
pub fn seconds(raw: &str) -> Result<u64, String> {
    raw.parse()
        .map_err(|_| format!("`{raw}` is not a whole number of seconds"))
}

/// A whole number of milliseconds, 0 allowed.
pub fn milliseconds(raw: &str) -> Result<u64, String> {
    raw.parse()
        .map_err(|_| format!("`{raw}` is not a whole number of milliseconds"))
}

/// A whole number of seconds, at least 1.
pub fn positive_seconds(raw: &str) -> Result<u64, String> {
    match seconds(raw)? {
        0 => Err("must be at least 1 second".into()),
        n => Ok(n),
    }
}

/// A whole number, at least 1.
pub fn positive(raw: &str) -> Result<u32, String> {
    match raw.parse::<u32>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("`{raw}` is not a positive whole number")),
    }
}

/// A whole percentage, 1 to 100.
pub fn percent(raw: &str) -> Result<u32, String> {
    match raw.parse::<u32>() {
        Ok(n @ 1..=100) => Ok(n),
        _ => Err(format!("`{raw}` is not a whole percentage from 1 to 100")),
    }
}

/// `pretty` or `json`, in any case.
pub fn log_format(raw: &str) -> Result<LogFormat, String> {
    match raw.to_ascii_lowercase().as_str() {
        "pretty" => Ok(LogFormat::Pretty),
        "json" => Ok(LogFormat::Json),
        _ => Err(format!(
            "`{raw}` is not a log format (expected `pretty` or `json`)"
        )),
    }
}

/// `true`/`false` (also `1`/`0`, `yes`/`no`).
pub fn boolean(raw: &str) -> Result<bool, String> {
    match raw.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        _ => Err(format!("`{raw}` is not a boolean (expected true or false)")),
    }
}

/// `sandbox` or `live`.
pub fn mode(raw: &str) -> Result<Mode, String> {
    match raw.to_ascii_lowercase().as_str() {
        "sandbox" => Ok(Mode::Sandbox),
        "live" => Ok(Mode::Live),
        _ => Err(format!("`{raw}` is not a mode (expected sandbox or live)")),
    }
}

/// A comma-separated list of OAuth scope names.
pub fn scopes(raw: &str) -> Result<Vec<String>, String> {
    let scopes: Vec<String> = raw
        .split(',')
        .map(str::trim)
        .filter(|scope| !scope.is_empty())
        .map(str::to_owned)
        .collect();
    if scopes.is_empty() {
        return Err(
            "lists no scope (expected a comma-separated list such as user.info.basic)".into(),
        );
    }
    if let Some(bad) = scopes.iter().find(|scope| {
        !scope
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
    }) {
        return Err(format!(
            "`{bad}` is not a scope name (letters, digits, `.` and `_`)"
        ));
    }
    Ok(scopes)
}

/// An absolute `http` or `https` URL.
pub fn http_url(raw: &str) -> Result<Url, String> {
    let url = Url::parse(raw).map_err(|error| format!("`{raw}` is not a valid URL: {error}"))?;
    match url.scheme() {
        "http" | "https" if url.host().is_some() => Ok(url),
        "http" | "https" => Err(format!("`{raw}` has no host")),
        other => Err(format!("`{raw}` uses `{other}`; expected http or https")),
    }
}

/// An absolute `http` or `https` URL that may carry a credential (in its path or query):
/// errors never repeat it.
pub fn secret_url(raw: &str) -> Result<Url, String> {
    let url = Url::parse(raw).map_err(|error| format!("is not a valid URL ({error})"))?;
    match url.scheme() {
        "http" | "https" if url.host().is_some() => Ok(url),
        "http" | "https" => Err("has no host".into()),
        other => Err(format!("uses `{other}`; expected http or https")),
    }
}

/// A signing secret of at least [`MIN_WEBHOOK_SECRET_LEN`] bytes.
pub fn webhook_secret(raw: &str) -> Result<SecretString, String> {
    if raw.len() < MIN_WEBHOOK_SECRET_LEN {
        return Err(format!(
            "is {} bytes long; use at least {MIN_WEBHOOK_SECRET_LEN} random bytes \
             (for example `openssl rand -hex 32`)",
            raw.len()
        ));
    }
    Ok(SecretString::from(raw))
}
