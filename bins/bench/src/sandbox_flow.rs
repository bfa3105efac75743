//! The real connect flow against the TikTok sandbox: the services build the authorize URL,
//! the consent page is fetched and its form posted over HTTP as a creator's browser would,
//! and the redirect's code and state go to `complete_connect`.

use std::sync::Arc;

use domain::Connection;
use reqwest::header::LOCATION;
use secrecy::SecretString;
use services::clock::Clock;
use services::observer::{NoopObserver, ServiceObserver};
use services::platforms::tiktok::{TIKTOK, TikTokAdapter};
use services::quota::{BudgetPolicy, CallBudget};
use services::{CallbackParams, Connected, Platforms, Services, ServicesConfig};
use storage::Database;
use tiktok_client::{TikTokClient, TikTokConfig, scope};
use tiktok_sandbox::{
    ConsentForm, DEFAULT_CLIENT_KEY, DEFAULT_CLIENT_SECRET, DEFAULT_REDIRECT_URIS, SandboxHandle,
};
use url::Url;

use crate::error::{BenchError, BenchResult};

/// Every scope a sync uses: the profile, its stats and the videos.
pub const SCOPES: [&str; 4] = [
    scope::USER_INFO_BASIC,
    scope::USER_INFO_PROFILE,
    scope::USER_INFO_STATS,
    scope::VIDEO_LIST,
];

/// The redirect URI registered for the sandbox's default client. Nothing listens there: the
/// flow reads the redirect instead of following it.
pub fn redirect_uri() -> &'static str {
    DEFAULT_REDIRECT_URIS[1]
}

/// The use cases wired as the api-server wires them, against `sandbox`, with a per-minute
/// budget of `per_minute` calls per endpoint and no daily cap.
pub fn services_for(
    sandbox: &SandboxHandle,
    db: Database,
    clock: Arc<dyn Clock>,
    per_minute: u32,
) -> BenchResult<Services> {
    let base = sandbox.base_url();
    let tiktok = TikTokClient::new(
        TikTokConfig::new(
            DEFAULT_CLIENT_KEY,
            SecretString::from(DEFAULT_CLIENT_SECRET),
            Url::parse(redirect_uri())?,
        )
        .with_scopes(SCOPES)
        .with_auth_base_url(base.clone())
        .with_api_base_url(base),
    )?;
    let config = ServicesConfig::new(format!("bench-{}", std::process::id()));
    let observer: Arc<dyn ServiceObserver> = Arc::new(NoopObserver);
    let budget = Arc::new(
        CallBudget::new(db.clone(), Arc::clone(&clock), Arc::clone(&observer)).with_policy(
            TIKTOK,
            BudgetPolicy {
                per_minute_per_endpoint: Some(per_minute),
                daily: None,
                manual_reserve: 0,
                pauses: false,
                day_zone: None,
            },
        ),
    );
    let adapter = TikTokAdapter::new(
        tiktok,
        Arc::clone(&budget),
        tiktok_client::DEFAULT_SIGNATURE_TOLERANCE,
    );
    let platforms = Platforms::new().with(Arc::new(adapter));
    Ok(Services::new(
        db, platforms, budget, clock, observer, config,
    ))
}

/// A browser that does not follow redirects (the callback is read, not visited).
pub fn consent_browser() -> BenchResult<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?)
}

/// Connects `user_id` to the sandbox creator `open_id` through the consent page, granting
/// every scope; returns what `complete_connect` said and the stored connection.
pub async fn connect_creator(
    services: &Services,
    browser: &reqwest::Client,
    sandbox_base: &Url,
    user_id: &str,
    open_id: &str,
) -> BenchResult<(Connected, Connection)> {
    let authorize_url = services.begin_connect(user_id, TIKTOK).await?;
    let page = browser
        .get(authorize_url)
        .send()
        .await?
        .error_for_status()?
        .text()
        .await?;
    let form = ConsentForm::parse(&page)
        .ok_or_else(|| BenchError::Setup("the sandbox answered no consent form".into()))?;
    let response = browser
        .post(sandbox_base.join(&form.action)?)
        .form(&form.authorize_all(open_id))
        .send()
        .await?;
    let location = response
        .headers()
        .get(LOCATION)
        .and_then(|value| value.to_str().ok())
        .ok_or_else(|| {
            BenchError::Setup(format!(
                "the consent form answered {} without a redirect",
                response.status()
            ))
        })?;
    let connected = services
        .complete_connect(TIKTOK, callback_params(&Url::parse(location)?))
        .await?;
    let connection = services
        .database()
        .find_connection(user_id, TIKTOK)
        .await?
        .ok_or_else(|| BenchError::Setup(format!("{user_id} has no connection after connect")))?;
    Ok((connected, connection))
}

/// The callback's query parameters, as the web framework would hand them over.
fn callback_params(redirect: &Url) -> CallbackParams {
    let mut params = CallbackParams::default();
    for (name, value) in redirect.query_pairs() {
        let value = Some(value.into_owned());
        match name.as_ref() {
            "code" => params.code = value,
            "state" => params.state = value,
            "scopes" => params.scopes = value,
            "error" => params.error = value,
            "error_description" => params.error_description = value,
            _ => {}
        }
    }
    params
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_code_state_and_scopes_from_the_redirect() {
        let redirect = Url::parse(
            "http://127.0.0.1:5001/api/auth/tiktok/callback?code=a%2Ab&scopes=user.info.basic%2Cvideo.list&state=s1",
        )
        .expect("valid URL");
        let params = callback_params(&redirect);
        assert_eq!(params.code.as_deref(), Some("a*b"));
        assert_eq!(params.state.as_deref(), Some("s1"));
        assert_eq!(params.scopes.as_deref(), Some("user.info.basic,video.list"));
        assert!(params.error.is_none());
    }
}
