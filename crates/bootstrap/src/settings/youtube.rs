//! YouTube's settings: the Google OAuth client, Google's four hosts, the project's daily
//! units, and the choices the reference leaves open (which quota table Google applies, how
//! many Analytics days are read, how long unrefreshed data is kept).

use secrecy::SecretString;
use url::Url;

use super::{ConfigError, default_url, parse};

/// Default scopes requested from Google: the Sign-In identity, the channel and its videos,
/// and the Analytics API's daily figures (which a creator may untick).
pub const DEFAULT_YOUTUBE_SCOPES: &str = "openid,email,https://www.googleapis.com/auth/youtube.readonly,https://www.googleapis.com/auth/yt-analytics.readonly";
/// A Cloud project's default Data API units a day.
pub const DEFAULT_YOUTUBE_DAILY_UNITS: u32 = 10_000;
/// Days of Analytics rows read at every sync by default.
pub const DEFAULT_YOUTUBE_ANALYTICS_DAYS: u32 = 30;
/// Days unrefreshed YouTube data is kept by default (YouTube API Services' policy).
pub const DEFAULT_YOUTUBE_RETENTION_DAYS: u32 = 30;

/// Which unit prices Google applies (its own pages disagree: see youtube-client's
/// `QuotaTable`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuotaTableChoice {
    /// The 2026 per-method buckets (the default).
    Current,
    /// The older single 10,000-unit pool.
    SinglePool,
}

/// The Google OAuth client and YouTube's endpoints.
#[derive(Debug, Clone)]
pub struct YouTubeSettings {
    /// The OAuth client id (`YOUTUBE_CLIENT_ID`), or the emulator's in sandbox mode.
    pub client_id: String,
    /// The OAuth client secret (`YOUTUBE_CLIENT_SECRET`).
    pub client_secret: SecretString,
    /// Where Google sends the browser back (`YOUTUBE_REDIRECT_URI`).
    pub redirect_uri: Url,
    /// Whether `YOUTUBE_REDIRECT_URI` was given (sandbox mode derives it otherwise).
    pub redirect_uri_explicit: bool,
    /// Scopes requested at connect time (`YOUTUBE_SCOPES`).
    pub scopes: Vec<String>,
    /// The consent page's host (`YOUTUBE_AUTH_BASE_URL`).
    pub auth_base_url: Url,
    /// The token endpoint's host (`YOUTUBE_TOKEN_BASE_URL`).
    pub token_base_url: Url,
    /// The Data API's host (`YOUTUBE_DATA_BASE_URL`).
    pub data_base_url: Url,
    /// The Analytics API's host (`YOUTUBE_ANALYTICS_BASE_URL`).
    pub analytics_base_url: Url,
    /// Whether any host was given; in sandbox mode the emulator replaces them when none was.
    pub base_urls_explicit: bool,
    /// The project's Data API units a day (`YOUTUBE_DAILY_UNITS`), counted on Pacific days.
    pub daily_units: u32,
    /// The unit prices (`YOUTUBE_QUOTA_TABLE`: `current` or `single_pool`).
    pub quota_table: QuotaTableChoice,
    /// Days of Analytics rows read at every sync (`YOUTUBE_ANALYTICS_DAYS`).
    pub analytics_days: u32,
    /// Days unrefreshed data is kept before the worker deletes it
    /// (`YOUTUBE_DATA_RETENTION_DAYS`).
    pub retention_days: u32,
}

/// The YouTube settings read before the mode decides the credentials.
pub(super) struct PartialYouTube {
    pub(super) client_id: Option<String>,
    pub(super) client_secret: Option<SecretString>,
    pub(super) redirect_uri: Option<Url>,
    scopes: Vec<String>,
    auth_base_url: Url,
    token_base_url: Url,
    data_base_url: Url,
    analytics_base_url: Url,
    base_urls_explicit: bool,
    daily_units: u32,
    quota_table: QuotaTableChoice,
    analytics_days: u32,
    retention_days: u32,
}

impl PartialYouTube {
    pub(super) fn read(env: &parse::Env<'_>) -> Result<Self, ConfigError> {
        let url = |variable: &'static str, default: &str| {
            env.parse_or(variable, default_url(default), parse::http_url)
        };
        let hosts = [
            "YOUTUBE_AUTH_BASE_URL",
            "YOUTUBE_TOKEN_BASE_URL",
            "YOUTUBE_DATA_BASE_URL",
            "YOUTUBE_ANALYTICS_BASE_URL",
        ];
        Ok(Self {
            client_id: env.parse_optional("YOUTUBE_CLIENT_ID", client_id)?,
            client_secret: env
                .parse_optional("YOUTUBE_CLIENT_SECRET", |raw| Ok(SecretString::from(raw)))?,
            redirect_uri: env.parse_optional("YOUTUBE_REDIRECT_URI", parse::http_url)?,
            scopes: env.parse_or(
                "YOUTUBE_SCOPES",
                youtube_scopes(DEFAULT_YOUTUBE_SCOPES).map_err(|reason| ConfigError::Invalid {
                    variable: "YOUTUBE_SCOPES",
                    reason,
                })?,
                youtube_scopes,
            )?,
            auth_base_url: url(
                "YOUTUBE_AUTH_BASE_URL",
                youtube_client::DEFAULT_AUTH_BASE_URL,
            )?,
            token_base_url: url(
                "YOUTUBE_TOKEN_BASE_URL",
                youtube_client::DEFAULT_TOKEN_BASE_URL,
            )?,
            data_base_url: url(
                "YOUTUBE_DATA_BASE_URL",
                youtube_client::DEFAULT_DATA_BASE_URL,
            )?,
            analytics_base_url: url(
                "YOUTUBE_ANALYTICS_BASE_URL",
                youtube_client::DEFAULT_ANALYTICS_BASE_URL,
            )?,
            base_urls_explicit: hosts.iter().any(|variable| env.is_set(variable)),
            daily_units: env.parse_or(
                "YOUTUBE_DAILY_UNITS",
                DEFAULT_YOUTUBE_DAILY_UNITS,
                parse::positive,
            )?,
            quota_table: env.parse_or(
                "YOUTUBE_QUOTA_TABLE",
                QuotaTableChoice::Current,
                quota_table,
            )?,
            analytics_days: env.parse_or(
                "YOUTUBE_ANALYTICS_DAYS",
                DEFAULT_YOUTUBE_ANALYTICS_DAYS,
                analytics_days,
            )?,
            retention_days: env.parse_or(
                "YOUTUBE_DATA_RETENTION_DAYS",
                DEFAULT_YOUTUBE_RETENTION_DAYS,
                parse::positive,
            )?,
        })
    }

    /// Whether any credential is given (what makes the platform wanted in live mode).
    pub(super) fn has_credentials(&self) -> bool {
        self.client_id.is_some() || self.client_secret.is_some()
    }

    /// The variables live mode still needs for YouTube, once any of them is given.
    pub(super) fn missing(&self) -> Vec<&'static str> {
        [
            ("YOUTUBE_CLIENT_ID", self.client_id.is_some()),
            ("YOUTUBE_CLIENT_SECRET", self.client_secret.is_some()),
            ("YOUTUBE_REDIRECT_URI", self.redirect_uri.is_some()),
        ]
        .into_iter()
        .filter(|(_, present)| !present)
        .map(|(name, _)| name)
        .collect()
    }

    /// The live settings, when every credential is given.
    pub(super) fn live(self) -> Option<YouTubeSettings> {
        let (Some(id), Some(secret), Some(uri)) = (
            self.client_id.clone(),
            self.client_secret.clone(),
            self.redirect_uri.clone(),
        ) else {
            return None;
        };
        Some(self.finish(id, secret, uri))
    }

    /// The settings, with `client_id`, `client_secret` and `redirect_uri` standing in for
    /// those not given (sandbox mode's).
    pub(super) fn finish(
        self,
        client_id: String,
        client_secret: SecretString,
        redirect_uri: Url,
    ) -> YouTubeSettings {
        YouTubeSettings {
            client_id: self.client_id.unwrap_or(client_id),
            client_secret: self.client_secret.unwrap_or(client_secret),
            redirect_uri_explicit: self.redirect_uri.is_some(),
            redirect_uri: self.redirect_uri.unwrap_or(redirect_uri),
            scopes: self.scopes,
            auth_base_url: self.auth_base_url,
            token_base_url: self.token_base_url,
            data_base_url: self.data_base_url,
            analytics_base_url: self.analytics_base_url,
            base_urls_explicit: self.base_urls_explicit,
            daily_units: self.daily_units,
            quota_table: self.quota_table,
            analytics_days: self.analytics_days,
            retention_days: self.retention_days,
        }
    }
}

/// A Google OAuth client id: `…apps.googleusercontent.com`, no spaces.
fn client_id(raw: &str) -> Result<String, String> {
    if raw.ends_with(".apps.googleusercontent.com") && !raw.contains(char::is_whitespace) {
        Ok(raw.to_owned())
    } else {
        Err(
            "is not a Google OAuth client id (the form 1234-abc.apps.googleusercontent.com, \
             from the Cloud console's Credentials page)"
                .into(),
        )
    }
}

/// Google scopes, comma- or space-separated: a short name (`openid`, `email`) or a scope URL
/// (`https://www.googleapis.com/auth/youtube.readonly`), `youtube.readonly` among them (every
/// sync needs it).
fn youtube_scopes(raw: &str) -> Result<Vec<String>, String> {
    let mut scopes: Vec<String> = Vec::new();
    for scope in raw.split([',', ' ']).filter(|scope| !scope.is_empty()) {
        let short = scope
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_');
        let url = scope.starts_with("https://") && Url::parse(scope).is_ok();
        if !short && !url {
            return Err(format!(
                "`{scope}` is not a Google scope (a name such as openid, or an https:// scope URL)"
            ));
        }
        if !scopes.iter().any(|known| known == scope) {
            scopes.push(scope.to_owned());
        }
    }
    if !scopes
        .iter()
        .any(|scope| scope == youtube_client::scope::YOUTUBE_READONLY)
    {
        return Err(format!(
            "must include {} (the channel and its videos need it)",
            youtube_client::scope::YOUTUBE_READONLY
        ));
    }
    Ok(scopes)
}

/// `current` or `single_pool`.
fn quota_table(raw: &str) -> Result<QuotaTableChoice, String> {
    match raw {
        "current" => Ok(QuotaTableChoice::Current),
        "single_pool" => Ok(QuotaTableChoice::SinglePool),
        other => Err(format!(
            "`{other}` is not a quota table (expected current or single_pool)"
        )),
    }
}

/// 1 to 90 days (the Analytics window read at every sync).
fn analytics_days(raw: &str) -> Result<u32, String> {
    let days = parse::positive(raw)?;
    if days > 90 {
        return Err(format!("{days} days is more than the 90 a sync re-reads"));
    }
    Ok(days)
}
