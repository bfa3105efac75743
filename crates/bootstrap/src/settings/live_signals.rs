//! What marks a configuration as production: the settings sandbox mode must never meet.
//!
//! Sandbox mode generates its own secrets and mints bearer tokens for any user id
//! (`POST /api/dev/token`). Started with a production secret or pointed at a production
//! database, that route would hand out access to every creator. So the mode is live as soon as
//! any production setting is present, `MODE=sandbox` beside one refuses to start, and a
//! production setting given blank (a secret store that injected an empty value) is an error
//! naming it rather than "unset".

use url::Url;

/// A production setting found in the configuration, and why it counts as one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveSignal {
    /// The variable.
    pub variable: &'static str,
    /// Why it marks production, e.g. `JWT_SECRET is set` (never its value).
    pub why: String,
}

impl LiveSignal {
    /// `variable` is a production setting because it is set at all.
    pub fn set(variable: &'static str) -> Self {
        Self {
            variable,
            why: format!("{variable} is set"),
        }
    }

    /// `variable` is a production setting for `why`.
    pub fn because(variable: &'static str, why: impl Into<String>) -> Self {
        Self {
            variable,
            why: why.into(),
        }
    }
}

/// The shared settings that may never be given blank: production secrets and credentials.
/// A binary adds its own ([`crate::settings::ProcessRules::never_blank`]).
pub const NEVER_BLANK: [&str; 8] = [
    "TOKEN_ENCRYPTION_KEY",
    "DATABASE_URL",
    "TIKTOK_CLIENT_KEY",
    "TIKTOK_CLIENT_SECRET",
    "INSTAGRAM_APP_ID",
    "INSTAGRAM_APP_SECRET",
    "YOUTUBE_CLIENT_ID",
    "YOUTUBE_CLIENT_SECRET",
];

/// The names among `names` that `lookup` has set to a blank value (empty or whitespace).
pub fn blank_among(
    lookup: &dyn Fn(&str) -> Option<String>,
    names: impl IntoIterator<Item = &'static str>,
) -> Vec<&'static str> {
    names
        .into_iter()
        .filter(|name| lookup(name).is_some_and(|value| value.trim().is_empty()))
        .collect()
}

/// Whether `host` names this machine: `localhost` (and its subdomains), or a loopback address.
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.eq_ignore_ascii_case("localhost") || host.to_ascii_lowercase().ends_with(".localhost") {
        return true;
    }
    host.parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

/// A PostgreSQL `DATABASE_URL` on another host is production's database. One on this machine
/// (or its Unix socket) is a developer's or a test's, which sandbox mode may use.
pub fn database_signal(database_url: &str) -> Option<LiveSignal> {
    let lower = database_url.to_ascii_lowercase();
    if !(lower.starts_with("postgres://") || lower.starts_with("postgresql://")) {
        return None;
    }
    // Without a host the client uses the local Unix socket; an unparsable URL is treated as
    // remote (the safe side).
    let local = Url::parse(database_url).is_ok_and(|url| match url.host_str() {
        None | Some("") => true,
        Some(host) => is_loopback_host(host),
    });
    (!local).then(|| {
        LiveSignal::because(
            "DATABASE_URL",
            "DATABASE_URL is a PostgreSQL database on another host",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for host in [
            "localhost",
            "LOCALHOST",
            "app.localhost",
            "127.0.0.1",
            "[::1]",
            "::1",
        ] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in [
            "example.com",
            "10.0.0.1",
            "0.0.0.0",
            "localhost.example.com",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }

    #[test]
    fn only_a_remote_postgres_database_is_production() {
        assert_eq!(database_signal("sqlite://data/tiktok-sync.db"), None);
        assert_eq!(database_signal("postgres://u:p@127.0.0.1:5432/test"), None);
        assert_eq!(database_signal("postgres://u@localhost/test"), None);
        assert_eq!(database_signal("postgres:///test"), None);
        let signal = database_signal("postgres://u:secret@db.internal/prod").expect("remote");
        assert_eq!(signal.variable, "DATABASE_URL");
        assert!(!signal.why.contains("secret"), "{}", signal.why);
        assert!(database_signal("postgresql://db.example.com/prod").is_some());
    }

    #[test]
    fn blank_values_are_found_by_name() {
        let lookup = |name: &str| match name {
            "JWT_SECRET" => Some(String::new()),
            "APP_ORIGIN" => Some("  ".to_owned()),
            "TOKEN_ENCRYPTION_KEY" => Some("key".to_owned()),
            _ => None,
        };
        assert_eq!(
            blank_among(
                &lookup,
                [
                    "JWT_SECRET",
                    "APP_ORIGIN",
                    "TOKEN_ENCRYPTION_KEY",
                    "DATABASE_URL"
                ]
            ),
            ["JWT_SECRET", "APP_ORIGIN"]
        );
    }
}
