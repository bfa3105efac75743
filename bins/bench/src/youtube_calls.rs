//! Benchmark 1, YouTube: quota units per channel. Channels with 0, 1, 50, 51, 1,000 and 5,000
//! uploads are connected through the Google emulator's consent page and synced through the
//! real services, which count nothing themselves: the emulator counts every unit it charges
//! (its own quota ledger, by Google's 2026 prices) and every call per endpoint.
//!
//! Steps per channel: the connect (code exchange, the channel read, and the first sync); a
//! daily sync a day later, after the one-hour access token has expired (so it includes the
//! refresh, which costs no units); the units are checked against the reference's minimum,
//! `1 + 2 × ceil(N / 50)` (an empty channel: 2).

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{TimeDelta, Utc};
use domain::{Connection, SyncTrigger};
use reqwest::header::LOCATION;
use secrecy::SecretString;
use services::clock::{Clock, OffsetClock};
use services::observer::{NoopObserver, ServiceObserver};
use services::platforms::youtube::{YOUTUBE, YouTubeAdapter};
use services::quota::{BudgetPolicy, CallBudget};
use services::{CallbackParams, Platforms, Services, ServicesConfig};
use storage::{ConnectOptions, Database};
use url::Url;
use youtube_client::{YouTubeClient, YouTubeConfig};
use youtube_sandbox::{
    AccountSpec, ChannelSpec, ConsentForm, Endpoint, QuotaBucket, RegisteredClient, Sandbox,
    SandboxConfig, SandboxHandle,
};

use crate::api_calls::delta;
use crate::error::{BenchError, BenchResult};
use crate::keys::BenchSecrets;

/// The upload counts measured by default.
pub const DEFAULT_UPLOAD_COUNTS: [u32; 6] = [0, 1, 50, 51, 1_000, 5_000];

/// A project's default daily units, for the channels-per-day column.
pub const DEFAULT_DAILY_UNITS: u64 = 10_000;

const CLIENT_ID: &str = "bench-web.apps.googleusercontent.com";
const CLIENT_SECRET: &str = "bench-google-client-secret";
const REDIRECT_URI: &str = "http://127.0.0.1:5001/api/auth/youtube/callback";

/// Calls received per endpoint during one step.
pub type CallsByEndpoint = BTreeMap<Endpoint, u64>;

/// What one channel cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YouTubeCost {
    /// Items of the uploads playlist.
    pub uploads: u32,
    /// Data API units of the connect (the channel read and the first sync).
    pub connect_units: u64,
    /// Calls of the connect.
    pub connect: CallsByEndpoint,
    /// Data API units of the daily sync.
    pub daily_units: u64,
    /// Calls of the daily sync (the refresh and the Analytics call included: no units).
    pub daily: CallsByEndpoint,
}

/// The reference's minimum for a sync of a channel with `uploads` playlist items.
pub fn minimum_sync_units(uploads: u32) -> u64 {
    let pages = u64::from(uploads.div_ceil(50));
    1 + pages.max(1) + pages
}

fn units(sandbox: &SandboxHandle) -> u64 {
    sandbox.quota_usage(CLIENT_ID).used(QuotaBucket::General)
}

/// The use cases with the YouTube adapter against `sandbox`, no budget cap.
fn services_for(
    sandbox: &SandboxHandle,
    db: Database,
    clock: Arc<dyn Clock>,
) -> BenchResult<Services> {
    let observer: Arc<dyn ServiceObserver> = Arc::new(NoopObserver);
    let budget = Arc::new(
        CallBudget::new(db.clone(), Arc::clone(&clock), Arc::clone(&observer)).with_policy(
            YOUTUBE,
            BudgetPolicy {
                per_minute_per_endpoint: None,
                daily: None,
                manual_reserve: 0,
                pauses: true,
                day_zone: Some(youtube_client::QUOTA_TIME_ZONE),
            },
        ),
    );
    let clock_of_client = Arc::clone(&clock);
    let client = YouTubeClient::new(
        YouTubeConfig::new(
            CLIENT_ID,
            SecretString::from(CLIENT_SECRET),
            Url::parse(REDIRECT_URI)?,
        )
        .with_single_base_url(sandbox.base_url()),
    )
    .map_err(|error| BenchError::Setup(error.to_string()))?
    .with_clock(Arc::new(move || clock_of_client.now()));
    let adapter = YouTubeAdapter::new(client, Arc::clone(&budget));
    Ok(Services::new(
        db,
        Platforms::new().with(Arc::new(adapter)),
        budget,
        clock,
        observer,
        ServicesConfig::new(format!("bench-youtube-{}", std::process::id())),
    ))
}

/// Connects `user_id` to `email`'s channel through the consent page, every scope granted.
async fn connect(
    services: &Services,
    browser: &reqwest::Client,
    user_id: &str,
    email: &str,
) -> BenchResult<Connection> {
    let authorize = services.begin_connect(user_id, YOUTUBE).await?;
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
        .form(&form.approve_all(email))
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
            YOUTUBE,
            CallbackParams {
                code: param("code"),
                state: param("state"),
                scopes: param("scope"),
                ..CallbackParams::default()
            },
        )
        .await?;
    services
        .database()
        .find_connection(user_id, YOUTUBE)
        .await?
        .ok_or_else(|| BenchError::Setup(format!("{user_id} has no connection after connect")))
}

/// Runs the YouTube half of benchmark 1 for channels with `upload_counts` uploads.
pub async fn run(upload_counts: &[u32], seed: u64) -> BenchResult<Vec<YouTubeCost>> {
    let accounts = upload_counts.iter().enumerate().map(|(n, &uploads)| {
        AccountSpec::with_channel(
            format!("bench{n}@sandbox.test"),
            format!("Bench {n}"),
            ChannelSpec::new(format!("Bench {n}"), format!("@bench{n}"), 10_000, uploads),
        )
    });
    let sandbox = Sandbox::start(
        SandboxConfig::new()
            .seed(seed)
            .accounts(accounts)
            .initial_time(Utc::now())
            .frozen_clock(true)
            .client(RegisteredClient::new(
                CLIENT_ID,
                CLIENT_SECRET,
                [REDIRECT_URI],
            )),
    )
    .await
    .map_err(|error| BenchError::Setup(error.to_string()))?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("youtube-calls.sqlite");
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

    let summaries = sandbox.accounts();
    let mut costs = Vec::with_capacity(summaries.len());
    let mut connections = Vec::with_capacity(summaries.len());
    for (index, (summary, &uploads)) in summaries.iter().zip(upload_counts).enumerate() {
        let (before, units_before) = (sandbox.call_counts(), units(&sandbox));
        let connection = connect(
            &services,
            &browser,
            &format!("bench-yt-{index}"),
            &summary.email,
        )
        .await?;
        costs.push(YouTubeCost {
            uploads,
            connect_units: units(&sandbox) - units_before,
            connect: delta(&before, &sandbox.call_counts()),
            daily_units: 0,
            daily: CallsByEndpoint::new(),
        });
        connections.push(connection);
    }

    // A day later (a new Pacific day, the access tokens long expired): the daily sync.
    let day = TimeDelta::days(1);
    sandbox.advance_clock(
        day.to_std()
            .map_err(|error| BenchError::Setup(error.to_string()))?,
    );
    clock.advance(day);
    for (cost, connection) in costs.iter_mut().zip(&connections) {
        let (before, units_before) = (sandbox.call_counts(), units(&sandbox));
        services
            .sync_connection(connection, SyncTrigger::Scheduled)
            .await?;
        cost.daily_units = units(&sandbox) - units_before;
        cost.daily = delta(&before, &sandbox.call_counts());
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

/// The report: a Markdown table of each channel's units, against the reference's minimum,
/// and how many such channels a default project's day holds.
pub fn render(costs: &[YouTubeCost], daily_units: u64) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "YouTube Data API units per channel (counted by the emulator's own quota ledger; OAuth \
         and Analytics calls spend no Data API units). Channels a day: the scheduled share \
         (9/10) of {daily_units} units.\n\n"
    ));
    out.push_str("| uploads | connect units (calls) | daily sync units | minimum 1 + 2 x ceil(N/50) | matches | daily sync calls | channels a day |\n");
    out.push_str("|---:|---|---:|---:|---|---|---:|\n");
    for cost in costs {
        let minimum = minimum_sync_units(cost.uploads);
        out.push_str(&format!(
            "| {} | {} ({}) | {} | {} | {} | {} | {} |\n",
            cost.uploads,
            cost.connect_units,
            describe(&cost.connect),
            cost.daily_units,
            minimum,
            if cost.daily_units == minimum {
                "yes"
            } else {
                "NO"
            },
            describe(&cost.daily),
            (daily_units - daily_units / 10) / cost.daily_units.max(1),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_minimum_counts_one_page_even_without_uploads() {
        assert_eq!(minimum_sync_units(0), 2);
        assert_eq!(minimum_sync_units(1), 3);
        assert_eq!(minimum_sync_units(50), 3);
        assert_eq!(minimum_sync_units(51), 5);
        assert_eq!(minimum_sync_units(1_000), 41);
    }
}
