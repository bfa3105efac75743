//! Benchmark 1, Instagram: calls per account. Business accounts with 0, 1, 50, 51, 100 and
//! 1,000 media are connected through the Instagram emulator's consent page and synced through
//! the real services, which count nothing themselves: the emulator counts every call it
//! receives per endpoint.
//!
//! Steps per account: the connect (code exchange, long-lived exchange, profile, and the first
//! sync, which reads every media's insights, as far as Meta's per-account budget allows); a
//! daily sync a day later (the profile, the media pages, and the insights of media younger than
//! 48 hours: the reference's minimum, plus any media the connect could not read); a sync a week
//! later (the stalest seventh of the older media re-read, so re-reads spread over the week); and
//! the token's monthly refresh.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{TimeDelta, Utc};
use domain::{Connection, SyncTrigger};
use instagram_client::{InstagramClient, InstagramConfig, RetryPolicy};
use instagram_sandbox::{
    AccountSpec, ConsentForm, Endpoint, RegisteredApp, Sandbox, SandboxConfig, SandboxHandle,
};
use reqwest::header::LOCATION;
use secrecy::SecretString;
use services::clock::{Clock, OffsetClock};
use services::observer::{NoopObserver, ServiceObserver};
use services::platforms::instagram::{INSTAGRAM, InsightsPolicy, InstagramAdapter};
use services::quota::{BudgetPolicy, CallBudget};
use services::{CallbackParams, Platforms, Services, ServicesConfig};
use storage::{ConnectOptions, Database};
use url::Url;

use crate::api_calls::delta;
use crate::error::{BenchError, BenchResult};
use crate::keys::BenchSecrets;

/// The media counts measured by default.
pub const DEFAULT_MEDIA_COUNTS: [u32; 6] = [0, 1, 50, 51, 100, 1_000];

/// Media per page (the adapter's default).
const PAGE_SIZE: u64 = 50;

const APP_ID: &str = "990602627938098";
const APP_SECRET: &str = "bench-instagram-app-secret";
const REDIRECT_URI: &str = "http://127.0.0.1:5001/api/auth/instagram/callback";

/// Calls received per endpoint during one step.
pub type CallsByEndpoint = BTreeMap<Endpoint, u64>;

/// What one account cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstagramCost {
    /// Media the account has.
    pub media: u32,
    /// Media younger than 48 hours at the daily sync.
    pub recent: u32,
    /// The connect flow (exchanges, profile, first sync with every insight).
    pub connect: CallsByEndpoint,
    /// A daily sync (recent media's insights only).
    pub daily: CallsByEndpoint,
    /// A sync a week after connect: the recent media and the stalest seventh of the others.
    pub sweep: CallsByEndpoint,
    /// The token's refresh, once a month.
    pub refresh: CallsByEndpoint,
}

/// The reference's minimum for a daily sync: 1 profile + `ceil(N / 50)` pages + the recent
/// media's insights. An account without media still costs its one (empty) page.
pub fn minimum_daily_calls(media: u32, recent: u32) -> u64 {
    1 + u64::from(media).div_ceil(PAGE_SIZE).max(1) + u64::from(recent)
}

/// Every call in a step (the consent page's loads are the creator's browser, not the app).
pub fn all_calls(calls: &CallsByEndpoint) -> u64 {
    calls
        .iter()
        .filter(|(endpoint, _)| **endpoint != Endpoint::Authorize)
        .map(|(_, count)| count)
        .sum()
}

/// The use cases with the Instagram adapter against `sandbox`, no budget cap.
fn services_for(
    sandbox: &SandboxHandle,
    db: Database,
    clock: Arc<dyn Clock>,
) -> BenchResult<Services> {
    let client = InstagramClient::new(
        InstagramConfig::new(
            APP_ID,
            SecretString::from(APP_SECRET),
            Url::parse(REDIRECT_URI)?,
        )
        .with_base_urls(
            sandbox.authorize_base_url(),
            sandbox.api_base_url(),
            sandbox.graph_base_url(),
        )
        .with_retry(RetryPolicy::none()),
    )
    .map_err(|error| BenchError::Setup(error.to_string()))?;
    let observer: Arc<dyn ServiceObserver> = Arc::new(NoopObserver);
    let budget = Arc::new(
        CallBudget::new(db.clone(), Arc::clone(&clock), Arc::clone(&observer)).with_policy(
            INSTAGRAM,
            BudgetPolicy {
                per_minute_per_endpoint: None,
                daily: None,
                manual_reserve: 0,
                pauses: true,
                day_zone: None,
            },
        ),
    );
    let adapter = InstagramAdapter::new(client, Arc::clone(&budget))
        .with_insights_policy(InsightsPolicy::default());
    Ok(Services::new(
        db,
        Platforms::new().with(Arc::new(adapter)),
        budget,
        clock,
        observer,
        ServicesConfig::new(format!("bench-instagram-{}", std::process::id())),
    ))
}

/// Connects `user_id` to the account `ig_user_id` through the consent page, every permission
/// granted.
async fn connect(
    services: &Services,
    browser: &reqwest::Client,
    user_id: &str,
    ig_user_id: &str,
) -> BenchResult<Connection> {
    let authorize = services.begin_connect(user_id, INSTAGRAM).await?;
    let page = browser
        .get(authorize.clone())
        .send()
        .await?
        .error_for_status()?
        .text()
        .await?;
    let form = ConsentForm::parse(&page)
        .ok_or_else(|| BenchError::Setup("the emulator answered no consent form".into()))?;
    let response = browser
        .post(authorize.join(&form.action)?)
        .form(&form.approve_all(ig_user_id))
        .send()
        .await?;
    let location = response
        .headers()
        .get(LOCATION)
        .and_then(|value| value.to_str().ok())
        .ok_or_else(|| BenchError::Setup("the consent form answered no redirect".into()))?;
    let redirect = Url::parse(location)?;
    let param = |name: &str| {
        redirect
            .query_pairs()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.into_owned())
    };
    services
        .complete_connect(
            INSTAGRAM,
            CallbackParams {
                code: param("code"),
                state: param("state"),
                ..CallbackParams::default()
            },
        )
        .await?;
    services
        .database()
        .find_connection(user_id, INSTAGRAM)
        .await?
        .ok_or_else(|| BenchError::Setup(format!("{user_id} has no connection after connect")))
}

/// Runs the Instagram half of benchmark 1 for accounts with `media_counts` media.
pub async fn run(media_counts: &[u32], seed: u64) -> BenchResult<Vec<InstagramCost>> {
    let accounts = media_counts
        .iter()
        .enumerate()
        .map(|(n, &media)| AccountSpec::business(format!("bench.{n}"), 10_000, media));
    let sandbox = Sandbox::start(
        SandboxConfig::new()
            .seed(seed)
            .accounts(accounts)
            .initial_time(Utc::now())
            .frozen_clock(true)
            .apps([RegisteredApp::new(APP_ID, APP_SECRET, [REDIRECT_URI])]),
    )
    .await
    .map_err(|error| BenchError::Setup(error.to_string()))?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("instagram-calls.sqlite");
    let url = path
        .to_str()
        .ok_or_else(|| BenchError::Setup("temporary path is not UTF-8".into()))?;
    let db = Database::connect(
        url,
        ConnectOptions::new(BenchSecrets::from_seed(seed).cipher()?),
    )
    .await?;
    let clock = OffsetClock::new();
    let services = services_for(&sandbox, db, Arc::new(clock.clone()))?;
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let advance = |by: TimeDelta| -> BenchResult<()> {
        sandbox.advance_clock(
            by.to_std()
                .map_err(|error| BenchError::Setup(error.to_string()))?,
        );
        clock.advance(by);
        Ok(())
    };
    let sync = |connection: Connection| {
        let services = services.clone();
        async move {
            services
                .sync_connection(&connection, SyncTrigger::Scheduled)
                .await
                .map_err(BenchError::from)
        }
    };

    let summaries = sandbox.accounts();
    let mut costs = Vec::with_capacity(summaries.len());
    let mut connections = Vec::with_capacity(summaries.len());
    for (index, (summary, &media)) in summaries.iter().zip(media_counts).enumerate() {
        let before = sandbox.call_counts();
        let connection = connect(
            &services,
            &browser,
            &format!("bench-ig-{index}"),
            &summary.ig_user_id,
        )
        .await?;
        costs.push(InstagramCost {
            media,
            recent: 0,
            connect: delta(&before, &sandbox.call_counts()),
            daily: CallsByEndpoint::new(),
            sweep: CallsByEndpoint::new(),
            refresh: CallsByEndpoint::new(),
        });
        connections.push(connection);
    }

    // A day later: the daily sync.
    advance(TimeDelta::days(1))?;
    let now = clock.now();
    for (cost, connection) in costs.iter_mut().zip(&connections) {
        let details = sandbox
            .account(&connection.profile.platform_account_id)
            .ok_or_else(|| BenchError::Setup("an account left the emulator".into()))?;
        cost.recent = u32::try_from(
            details
                .media
                .iter()
                .filter(|media| now - media.created_at < TimeDelta::hours(48))
                .count(),
        )
        .unwrap_or(u32::MAX);
        let before = sandbox.call_counts();
        sync(connection.clone()).await?;
        cost.daily = delta(&before, &sandbox.call_counts());
    }

    // A week after the first sync: the older media are due again, a seventh per sync.
    advance(TimeDelta::days(6))?;
    for (cost, connection) in costs.iter_mut().zip(&connections) {
        let before = sandbox.call_counts();
        sync(connection.clone()).await?;
        cost.sweep = delta(&before, &sandbox.call_counts());
    }

    // A month on: the token's refresh (due once 30 days or fewer are left).
    advance(TimeDelta::days(24))?;
    let before = sandbox.call_counts();
    services.refresh_expiring_tokens().await?;
    let refreshes = delta(&before, &sandbox.call_counts());
    let per_account = refreshes.get(&Endpoint::Refresh).copied().unwrap_or(0)
        / u64::try_from(costs.len().max(1)).unwrap_or(1);
    for cost in &mut costs {
        cost.refresh = CallsByEndpoint::from([(Endpoint::Refresh, per_account)]);
    }
    sandbox.stop().await;
    Ok(costs)
}

fn describe(calls: &CallsByEndpoint) -> String {
    if calls.is_empty() {
        return "none".into();
    }
    calls
        .iter()
        .filter(|(endpoint, _)| **endpoint != Endpoint::Authorize)
        .map(|(endpoint, count)| format!("{} {count}", endpoint.name()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Media whose insights the connect's first sync read.
fn insights_read(calls: &CallsByEndpoint) -> u64 {
    calls.get(&Endpoint::MediaInsights).copied().unwrap_or(0)
}

/// The report: a Markdown table of each step's calls, against the reference's minimum.
pub fn render(costs: &[InstagramCost]) -> String {
    let mut out = String::new();
    out.push_str("Instagram calls the app made per account (the consent page's loads are the creator's browser).\n\n");
    out.push_str("| media | connect (first sync: every insight) | daily sync | recent (< 48 h) | minimum 1 + ceil(N/50) + recent | + never read | matches | a week later (a seventh of the older media) | refresh (monthly) |\n");
    out.push_str("|---:|---|---|---:|---:|---:|---|---|---|\n");
    for cost in costs {
        let minimum = minimum_daily_calls(cost.media, cost.recent);
        // Media the connect could not read within Meta's per-account budget are read the
        // next day, before any re-read.
        let never_read = u64::from(cost.media).saturating_sub(insights_read(&cost.connect));
        let daily = all_calls(&cost.daily);
        out.push_str(&format!(
            "| {} | {} ({}) | {} ({}) | {} | {} | {} | {} | {} ({}) | {} |\n",
            cost.media,
            all_calls(&cost.connect),
            describe(&cost.connect),
            daily,
            describe(&cost.daily),
            cost.recent,
            minimum,
            never_read,
            if daily == minimum + never_read {
                "yes"
            } else {
                "NO"
            },
            all_calls(&cost.sweep),
            describe(&cost.sweep),
            all_calls(&cost.refresh),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_minimum_counts_one_page_even_without_media() {
        assert_eq!(minimum_daily_calls(0, 0), 2);
        assert_eq!(minimum_daily_calls(50, 3), 5);
        assert_eq!(minimum_daily_calls(51, 0), 3);
        assert_eq!(minimum_daily_calls(1_000, 2), 23);
    }
}
