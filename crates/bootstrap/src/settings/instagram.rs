//! Instagram's settings: the app registration (Instagram Login), its hosts, and the choices the
//! reference leaves open (the Graph version, how the token travels, the page size, which
//! secrets may sign Meta's callbacks).

use std::time::Duration;

use secrecy::SecretString;
use url::Url;

use super::{ConfigError, default_url, parse};

/// Default permissions requested from Instagram: the profile and media, and insights.
pub const DEFAULT_INSTAGRAM_SCOPES: &str =
    "instagram_business_basic,instagram_business_manage_insights";
/// Media asked for per page by default (the reference's default; Meta's maximum is
/// unconfirmed, so it is a setting).
pub const DEFAULT_INSTAGRAM_PAGE_SIZE: u32 = 50;

/// The Instagram app registration and API endpoints.
#[derive(Debug, Clone)]
pub struct InstagramSettings {
    /// The Instagram App ID (`INSTAGRAM_APP_ID`), or the emulator's in sandbox mode.
    pub app_id: String,
    /// The Instagram App Secret (`INSTAGRAM_APP_SECRET`); it also verifies Meta's signed
    /// callbacks.
    pub app_secret: SecretString,
    /// Further secrets accepted on Meta's signed callbacks (`INSTAGRAM_EXTRA_SIGNING_SECRETS`,
    /// comma-separated): which secret signs them for Instagram Login apps is unconfirmed
    /// (the Meta app's own secret is the other candidate).
    pub extra_signing_secrets: Vec<SecretString>,
    /// Where Instagram sends the browser back (`INSTAGRAM_REDIRECT_URI`).
    pub redirect_uri: Url,
    /// Whether `INSTAGRAM_REDIRECT_URI` was given (sandbox mode derives it otherwise).
    pub redirect_uri_explicit: bool,
    /// Permissions requested at connect time (`INSTAGRAM_SCOPES`).
    pub scopes: Vec<String>,
    /// The consent page's host (`INSTAGRAM_AUTH_BASE_URL`).
    pub auth_base_url: Url,
    /// The code exchange's host (`INSTAGRAM_API_BASE_URL`).
    pub api_base_url: Url,
    /// The Graph host: long-lived tokens and every read (`INSTAGRAM_GRAPH_BASE_URL`).
    pub graph_base_url: Url,
    /// Whether any of the three hosts was given; in sandbox mode the emulator's addresses
    /// replace them when none was.
    pub base_urls_explicit: bool,
    /// The Graph version in read paths (`INSTAGRAM_GRAPH_VERSION`).
    pub graph_version: String,
    /// Whether the token travels in the `Authorization` header rather than the query
    /// (`INSTAGRAM_TOKEN_IN_HEADER`): Meta's examples use the query; the header is
    /// unconfirmed for this host.
    pub token_in_header: bool,
    /// Media per page (`INSTAGRAM_PAGE_SIZE`).
    pub page_size: u32,
    /// The app's own cap on Instagram calls a day (`INSTAGRAM_DAILY_QUOTA`); Meta's budget is
    /// per account and read from its usage headers, so none by default.
    pub daily_quota: Option<u32>,
    /// Media younger than this have their insights read at every sync
    /// (`INSTAGRAM_INSIGHTS_RECENT_HOURS`).
    pub insights_recent: Duration,
    /// Older media's insights are read again once this old, a share a day
    /// (`INSTAGRAM_INSIGHTS_REFRESH_DAYS`).
    pub insights_refresh_every: Duration,
}

/// The Instagram settings read before the mode decides the credentials.
pub(super) struct PartialInstagram {
    pub(super) app_id: Option<String>,
    pub(super) app_secret: Option<SecretString>,
    pub(super) redirect_uri: Option<Url>,
    extra_signing_secrets: Vec<SecretString>,
    scopes: Vec<String>,
    auth_base_url: Url,
    api_base_url: Url,
    graph_base_url: Url,
    base_urls_explicit: bool,
    graph_version: String,
    token_in_header: bool,
    page_size: u32,
    daily_quota: Option<u32>,
    insights_recent: Duration,
    insights_refresh_every: Duration,
}

impl PartialInstagram {
    pub(super) fn read(env: &parse::Env<'_>) -> Result<Self, ConfigError> {
        let url = |variable: &'static str, default: &str| {
            env.parse_or(variable, default_url(default), parse::http_url)
        };
        Ok(Self {
            app_id: env.parse_optional("INSTAGRAM_APP_ID", app_id)?,
            app_secret: env
                .parse_optional("INSTAGRAM_APP_SECRET", |raw| Ok(SecretString::from(raw)))?,
            redirect_uri: env.parse_optional("INSTAGRAM_REDIRECT_URI", parse::http_url)?,
            extra_signing_secrets: env
                .parse_optional("INSTAGRAM_EXTRA_SIGNING_SECRETS", |raw| {
                    Ok(raw
                        .split(',')
                        .map(str::trim)
                        .filter(|secret| !secret.is_empty())
                        .map(SecretString::from)
                        .collect())
                })?
                .unwrap_or_default(),
            scopes: env.parse_or(
                "INSTAGRAM_SCOPES",
                parse::scopes(DEFAULT_INSTAGRAM_SCOPES).map_err(|reason| ConfigError::Invalid {
                    variable: "INSTAGRAM_SCOPES",
                    reason,
                })?,
                instagram_scopes,
            )?,
            auth_base_url: url(
                "INSTAGRAM_AUTH_BASE_URL",
                instagram_client::DEFAULT_AUTH_BASE_URL,
            )?,
            api_base_url: url(
                "INSTAGRAM_API_BASE_URL",
                instagram_client::DEFAULT_API_BASE_URL,
            )?,
            graph_base_url: url(
                "INSTAGRAM_GRAPH_BASE_URL",
                instagram_client::DEFAULT_GRAPH_BASE_URL,
            )?,
            base_urls_explicit: env.is_set("INSTAGRAM_AUTH_BASE_URL")
                || env.is_set("INSTAGRAM_API_BASE_URL")
                || env.is_set("INSTAGRAM_GRAPH_BASE_URL"),
            graph_version: env.parse_or(
                "INSTAGRAM_GRAPH_VERSION",
                instagram_client::DEFAULT_GRAPH_VERSION.to_owned(),
                graph_version,
            )?,
            token_in_header: env.parse_or("INSTAGRAM_TOKEN_IN_HEADER", false, parse::boolean)?,
            page_size: env.parse_or(
                "INSTAGRAM_PAGE_SIZE",
                DEFAULT_INSTAGRAM_PAGE_SIZE,
                page_size,
            )?,
            daily_quota: env.parse_optional("INSTAGRAM_DAILY_QUOTA", parse::positive)?,
            insights_recent: Duration::from_secs(
                3_600
                    * u64::from(env.parse_or(
                        "INSTAGRAM_INSIGHTS_RECENT_HOURS",
                        48,
                        parse::positive,
                    )?),
            ),
            insights_refresh_every: Duration::from_secs(
                86_400
                    * u64::from(env.parse_or(
                        "INSTAGRAM_INSIGHTS_REFRESH_DAYS",
                        7,
                        parse::positive,
                    )?),
            ),
        })
    }

    /// Whether any credential is given (what makes the platform wanted in live mode).
    pub(super) fn has_credentials(&self) -> bool {
        self.app_id.is_some() || self.app_secret.is_some()
    }

    /// The variables live mode still needs for Instagram, once any of them is given.
    pub(super) fn missing(&self) -> Vec<&'static str> {
        [
            ("INSTAGRAM_APP_ID", self.app_id.is_some()),
            ("INSTAGRAM_APP_SECRET", self.app_secret.is_some()),
            ("INSTAGRAM_REDIRECT_URI", self.redirect_uri.is_some()),
        ]
        .into_iter()
        .filter(|(_, present)| !present)
        .map(|(name, _)| name)
        .collect()
    }

    /// The live settings, when every credential is given.
    pub(super) fn live(self) -> Option<InstagramSettings> {
        let (Some(id), Some(secret), Some(uri)) = (
            self.app_id.clone(),
            self.app_secret.clone(),
            self.redirect_uri.clone(),
        ) else {
            return None;
        };
        Some(self.finish(id, secret, uri))
    }

    /// The settings, with `app_id`, `app_secret` and `redirect_uri` standing in for those not
    /// given (sandbox mode's).
    pub(super) fn finish(
        self,
        app_id: String,
        app_secret: SecretString,
        redirect_uri: Url,
    ) -> InstagramSettings {
        InstagramSettings {
            app_id: self.app_id.unwrap_or(app_id),
            app_secret: self.app_secret.unwrap_or(app_secret),
            extra_signing_secrets: self.extra_signing_secrets,
            redirect_uri_explicit: self.redirect_uri.is_some(),
            redirect_uri: self.redirect_uri.unwrap_or(redirect_uri),
            scopes: self.scopes,
            auth_base_url: self.auth_base_url,
            api_base_url: self.api_base_url,
            graph_base_url: self.graph_base_url,
            base_urls_explicit: self.base_urls_explicit,
            graph_version: self.graph_version,
            token_in_header: self.token_in_header,
            page_size: self.page_size,
            daily_quota: self.daily_quota,
            insights_recent: self.insights_recent,
            insights_refresh_every: self.insights_refresh_every,
        }
    }
}

/// An Instagram App ID: digits only (Meta's ids are numeric strings).
fn app_id(raw: &str) -> Result<String, String> {
    if raw.chars().all(|c| c.is_ascii_digit()) {
        Ok(raw.to_owned())
    } else {
        Err(
            "is not an Instagram App ID (digits only, from the App Dashboard's Instagram \
             settings; not the Facebook app id's name)"
                .into(),
        )
    }
}

/// Instagram permissions: scope names, and `instagram_business_basic` among them (every
/// read and the token refresh need it).
fn instagram_scopes(raw: &str) -> Result<Vec<String>, String> {
    let scopes = parse::scopes(raw)?;
    if !scopes
        .iter()
        .any(|scope| scope == instagram_client::scope::BUSINESS_BASIC)
    {
        return Err(format!(
            "must include {} (the profile, the media and the token refresh need it)",
            instagram_client::scope::BUSINESS_BASIC
        ));
    }
    Ok(scopes)
}

/// A Graph version such as `v25.0`.
fn graph_version(raw: &str) -> Result<String, String> {
    let valid = raw.strip_prefix('v').is_some_and(|rest| {
        let mut parts = rest.split('.');
        let number = |part: Option<&str>| {
            part.is_some_and(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_digit()))
        };
        number(parts.next()) && number(parts.next()) && parts.next().is_none()
    });
    if valid {
        Ok(raw.to_owned())
    } else {
        Err(format!(
            "`{raw}` is not a Graph version (expected the form v25.0)"
        ))
    }
}

/// Media per page: 1 to 100.
fn page_size(raw: &str) -> Result<u32, String> {
    match raw.parse::<u32>() {
        Ok(size @ 1..=100) => Ok(size),
        _ => Err(format!("`{raw}` is not a page size (1 to 100)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_versions_have_the_form_v_major_minor() {
        assert_eq!(graph_version("v25.0").as_deref(), Ok("v25.0"));
        for bad in ["25.0", "v25", "v25.0.1", "vx.0", "v.0"] {
            assert!(graph_version(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn scopes_must_include_the_basic_permission() {
        assert!(instagram_scopes("instagram_business_manage_insights").is_err());
        assert_eq!(
            instagram_scopes("instagram_business_basic").expect("valid"),
            ["instagram_business_basic"]
        );
    }

    #[test]
    fn app_ids_are_digits_and_page_sizes_bounded() {
        assert!(app_id("990602627938098").is_ok());
        assert!(app_id("my-app").is_err());
        assert_eq!(page_size("50"), Ok(50));
        assert!(page_size("0").is_err());
        assert!(page_size("101").is_err());
    }
}
