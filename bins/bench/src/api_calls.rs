//! Benchmark 1: TikTok calls per account. Creators with 0, 1, 20, 21, 100 and 1,000 videos
//! are connected through the consent page and synced through the real services against the
//! sandbox, which counts every call it receives per endpoint.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use domain::SyncTrigger;
use services::clock::OffsetClock;
use storage::{ConnectOptions, Database};
use tiktok_sandbox::{Endpoint, Sandbox, SandboxConfig, SandboxHandle};

use crate::error::{BenchError, BenchResult};
use crate::keys::BenchSecrets;
use crate::sandbox_flow::{connect_creator, consent_browser, services_for};

/// The video counts the issue asks for.
pub const DEFAULT_VIDEO_COUNTS: [u32; 6] = [0, 1, 20, 21, 100, 1_000];

/// The videos one list call returns at most (TikTok's `max_count`).
const PAGE_SIZE: u64 = 20;

/// How far both clocks move so that every access token (2 hours in the sandbox) is within
/// the refresh margin (1 hour, or half the lifetime) before the second sync.
const TO_REFRESH_DUE: Duration = Duration::from_secs(90 * 60);

/// Calls received per endpoint during one step.
pub type CallsByEndpoint = BTreeMap<Endpoint, u64>;

/// What one creator cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountCost {
    /// Videos the creator has.
    pub videos: u32,
    /// Videos the scheduled sync wrote.
    pub videos_synced: u64,
    /// The connect flow (code exchange, profile, first sync).
    pub connect: CallsByEndpoint,
    /// A scheduled sync with a fresh token.
    pub sync: CallsByEndpoint,
    /// A scheduled sync when the token is due for a refresh.
    pub sync_with_refresh: CallsByEndpoint,
}

/// `1 + ceil(videos / 20)`: the cost the issue states for a sync.
pub fn expected_sync_calls(videos: u32) -> u64 {
    1 + u64::from(videos).div_ceil(PAGE_SIZE)
}

/// Display API calls (user info, list, query) in a step: what a daily quota counts.
pub fn display_calls(calls: &CallsByEndpoint) -> u64 {
    calls
        .iter()
        .filter(|(endpoint, _)| endpoint.is_display_api())
        .map(|(_, count)| count)
        .sum()
}

/// Every call the app makes to TikTok in a step, the token endpoint included; the consent
/// page's loads (`authorize`) are the creator's browser, not the app, and are left out.
pub fn all_calls(calls: &CallsByEndpoint) -> u64 {
    calls
        .iter()
        .filter(|(endpoint, _)| **endpoint != Endpoint::Authorize)
        .map(|(_, count)| count)
        .sum()
}

/// How many accounts `budget` calls a day keep in daily sync at `calls_per_account` each.
pub fn accounts_per_day(budget: u64, calls_per_account: u64) -> u64 {
    budget.checked_div(calls_per_account).unwrap_or(0)
}

/// What moved between two readings of a sandbox's call counts (any platform's endpoints):
/// the endpoints called in between, with how often.
pub(crate) fn delta<E: Ord + Copy>(
    before: &BTreeMap<E, u64>,
    after: &BTreeMap<E, u64>,
) -> BTreeMap<E, u64> {
    after
        .iter()
        .map(|(endpoint, &count)| {
            let earlier = before.get(endpoint).copied().unwrap_or(0);
            (*endpoint, count.saturating_sub(earlier))
        })
        .filter(|(_, count)| *count > 0)
        .collect()
}

/// Counts what `step` costs at the sandbox.
async fn counted<T>(
    sandbox: &SandboxHandle,
    step: impl Future<Output = BenchResult<T>>,
) -> BenchResult<(T, CallsByEndpoint)> {
    let before = sandbox.call_counts();
    let value = step.await?;
    Ok((value, delta(&before, &sandbox.call_counts())))
}

/// Runs benchmark 1 for creators with `video_counts` videos.
pub async fn run(video_counts: &[u32], seed: u64) -> BenchResult<Vec<AccountCost>> {
    let sandbox = Sandbox::start(
        SandboxConfig::new()
            .seed(seed)
            .creator_videos(video_counts.iter().copied())
            .frozen_clock(true)
            // No sandbox limit: the counts, not the pacing, are measured.
            .rate_limit_per_minute(0),
    )
    .await?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("api-calls.sqlite");
    let url = path
        .to_str()
        .ok_or_else(|| BenchError::Setup("temporary path is not UTF-8".into()))?;
    let db = Database::connect(
        url,
        ConnectOptions::new(BenchSecrets::from_seed(seed).cipher()?),
    )
    .await?;
    let clock = OffsetClock::new();
    let services = services_for(&sandbox, db, Arc::new(clock.clone()), 600)?;
    let browser = consent_browser()?;
    let base = sandbox.base_url();

    let creators = sandbox.creators();
    let mut costs = Vec::with_capacity(creators.len());
    let mut connections = Vec::with_capacity(creators.len());
    for (index, (creator, &videos)) in creators.iter().zip(video_counts).enumerate() {
        let user_id = format!("bench-calls-{index}");
        let ((_, connection), connect) = counted(
            &sandbox,
            connect_creator(&services, &browser, &base, &user_id, &creator.open_id),
        )
        .await?;
        let (report, sync) = counted(&sandbox, async {
            Ok(services
                .sync_connection(&connection, SyncTrigger::Scheduled)
                .await?)
        })
        .await?;
        if report.videos_synced != u64::from(videos) {
            return Err(BenchError::Setup(format!(
                "the sync of a creator with {videos} videos wrote {} ({:?}: {:?})",
                report.videos_synced, report.outcome, report.error_message
            )));
        }
        costs.push(AccountCost {
            videos,
            videos_synced: report.videos_synced,
            connect,
            sync,
            sync_with_refresh: CallsByEndpoint::new(),
        });
        connections.push(connection);
    }

    // Both clocks move together, so the services see the token as due and the sandbox still
    // accepts it and the refresh token.
    sandbox.advance_clock(TO_REFRESH_DUE);
    clock.advance(TimeDelta::from_std(TO_REFRESH_DUE).unwrap_or(TimeDelta::zero()));
    for (cost, connection) in costs.iter_mut().zip(&connections) {
        let (_, calls) = counted(&sandbox, async {
            Ok(services
                .sync_connection(connection, SyncTrigger::Scheduled)
                .await?)
        })
        .await?;
        cost.sync_with_refresh = calls;
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

/// The report: a Markdown table per step, then the accounts a daily budget keeps in sync.
pub fn render(costs: &[AccountCost], daily_budget: u64) -> String {
    let mut out = String::new();
    out.push_str("TikTok calls the app made (the consent page's two loads by the creator's browser are not counted).\n\n");
    out.push_str("| videos | connect | scheduled sync | expected 1 + ceil(v/20) | matches | sync with refresh due |\n");
    out.push_str("|---:|---|---|---:|---|---|\n");
    for cost in costs {
        let expected = expected_sync_calls(cost.videos);
        let measured = all_calls(&cost.sync);
        out.push_str(&format!(
            "| {} | {} ({}) | {} ({}) | {} | {} | {} ({}) |\n",
            cost.videos,
            all_calls(&cost.connect),
            describe(&cost.connect),
            measured,
            describe(&cost.sync),
            expected,
            if measured == expected { "yes" } else { "NO" },
            all_calls(&cost.sync_with_refresh),
            describe(&cost.sync_with_refresh),
        ));
    }
    out.push_str(&format!(
        "\nAccounts kept in daily sync by {daily_budget} calls a day:\n\n"
    ));
    out.push_str("| videos | calls/account/day (no refresh) | accounts | calls/account/day (with refresh) | accounts |\n");
    out.push_str("|---:|---:|---:|---:|---:|\n");
    for cost in costs {
        let plain = all_calls(&cost.sync);
        let refreshed = all_calls(&cost.sync_with_refresh);
        out.push_str(&format!(
            "| {} | {plain} | {} | {refreshed} | {} |\n",
            cost.videos,
            accounts_per_day(daily_budget, plain),
            accounts_per_day(daily_budget, refreshed),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_cost_follows_the_page_size() {
        let expected: Vec<u64> = DEFAULT_VIDEO_COUNTS
            .iter()
            .map(|&videos| expected_sync_calls(videos))
            .collect();
        assert_eq!(expected, [1, 2, 2, 3, 6, 51]);
    }

    #[test]
    fn accounts_per_day_rounds_down_and_survives_zero() {
        assert_eq!(accounts_per_day(1_000, 3), 333);
        assert_eq!(accounts_per_day(1_000, 0), 0);
    }

    #[test]
    fn delta_keeps_only_what_moved() {
        let before = CallsByEndpoint::from([(Endpoint::Token, 2), (Endpoint::UserInfo, 1)]);
        let after = CallsByEndpoint::from([
            (Endpoint::Token, 2),
            (Endpoint::UserInfo, 2),
            (Endpoint::VideoList, 3),
        ]);
        let moved = delta(&before, &after);
        assert_eq!(
            moved,
            CallsByEndpoint::from([(Endpoint::UserInfo, 1), (Endpoint::VideoList, 3)])
        );
        assert_eq!(all_calls(&moved), 4);
        let with_pages = CallsByEndpoint::from([(Endpoint::Authorize, 2), (Endpoint::Token, 1)]);
        assert_eq!(all_calls(&with_pages), 1);
        assert_eq!(display_calls(&with_pages), 0);
        assert_eq!(display_calls(&moved), 4);
    }
}
