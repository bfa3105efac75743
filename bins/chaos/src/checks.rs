//! The properties the scenarios check, as pure functions over what was observed (the
//! sandbox's call log, the database's rows). Each returns the first violation it finds, and
//! its unit tests show it fails on the broken behaviour it is there to catch.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, DurationRound as _, TimeDelta, Utc};

/// A violated property, in words.
pub type Violation = String;

/// One scheduled run, as the sync log holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// The connection.
    pub connection: i64,
    /// `None` while open.
    pub outcome: Option<String>,
    /// Unix seconds.
    pub started: i64,
    /// Unix seconds.
    pub finished: Option<i64>,
}

/// Every connection synced at most once by the workers: at most one successful run each, no
/// two runs of one connection at the same time, only successes and budget refusals
/// (`rate_limited`, retried later), and the platform saw no more profile calls than runs and
/// no fewer than successes (`profile_calls`, from the sandbox's own count). Returns the
/// connections synced.
pub fn synced_at_most_once(runs: &[Run], profile_calls: u64) -> Result<HashSet<i64>, Violation> {
    let mut synced = HashSet::new();
    let mut by_connection: HashMap<i64, Vec<&Run>> = HashMap::new();
    for run in runs {
        match run.outcome.as_deref() {
            Some("success") => {
                if !synced.insert(run.connection) {
                    return Err(format!("connection {} was synced twice", run.connection));
                }
            }
            Some("rate_limited") => {}
            other => {
                return Err(format!(
                    "connection {}'s sync ended {other:?}, not success or rate_limited",
                    run.connection
                ));
            }
        }
        by_connection.entry(run.connection).or_default().push(run);
    }
    for (connection, runs) in &by_connection {
        for (i, a) in runs.iter().enumerate() {
            for b in &runs[i + 1..] {
                let (first, second) = if a.started <= b.started {
                    (a, b)
                } else {
                    (b, a)
                };
                if second.started < first.finished.unwrap_or(i64::MAX) {
                    return Err(format!(
                        "connection {connection} had two syncs at once (started {} and {})",
                        first.started, second.started
                    ));
                }
            }
        }
    }
    let (successes, all) = (
        u64::try_from(synced.len()).unwrap_or(u64::MAX),
        u64::try_from(runs.len()).unwrap_or(u64::MAX),
    );
    if profile_calls < successes || profile_calls > all {
        return Err(format!(
            "{successes} syncs succeeded of {all} runs, but the platform answered \
             {profile_calls} profile calls"
        ));
    }
    Ok(synced)
}

/// No more calls than the scheduled share of the daily quota (the quota less its reserve).
pub fn within_daily_budget(calls: u64, daily_quota: u32, reserve: u32) -> Result<(), Violation> {
    let allowed = u64::from(daily_quota.saturating_sub(reserve));
    if calls > allowed {
        return Err(format!(
            "{calls} calls for a scheduled budget of {allowed} ({daily_quota} less the reserve {reserve})"
        ));
    }
    Ok(())
}

/// No endpoint got more than `per_minute` calls in a fixed UTC minute (the service's
/// window), from the arrival times the sandbox logged. A call may arrive up to `latency`
/// after the service counted it, so a call arriving just after a minute starts may belong to
/// the minute before: it is counted there when that minute has room. Returns the busiest
/// minute's count.
pub fn within_per_minute(
    arrivals: &BTreeMap<String, Vec<DateTime<Utc>>>,
    per_minute: u32,
    latency: TimeDelta,
) -> Result<u32, Violation> {
    let mut busiest = 0;
    for (endpoint, times) in arrivals {
        let mut windows: BTreeMap<DateTime<Utc>, (u32, u32)> = BTreeMap::new();
        for at in times {
            let Ok(minute) = at.duration_trunc(TimeDelta::minutes(1)) else {
                return Err(format!("{endpoint}: arrival time {at} out of range"));
            };
            let entry = windows.entry(minute).or_default();
            if *at - minute < latency {
                entry.1 += 1; // may belong to the minute before
            } else {
                entry.0 += 1;
            }
        }
        let mut previous: Option<(DateTime<Utc>, u32)> = None;
        for (minute, (certain, ambiguous)) in windows {
            let room_before = match previous {
                Some((at, count)) if at + TimeDelta::minutes(1) == minute => {
                    per_minute.saturating_sub(count)
                }
                _ => 0,
            };
            let moved = ambiguous.min(room_before);
            let count = certain + ambiguous - moved;
            if let Some((at, before)) = previous.as_mut()
                && *at + TimeDelta::minutes(1) == minute
            {
                *before += moved;
                busiest = busiest.max(*before);
            }
            if count > per_minute {
                return Err(format!(
                    "{endpoint}: {count} calls in the minute from {minute} (limit {per_minute})"
                ));
            }
            busiest = busiest.max(count);
            previous = Some((minute, count));
        }
    }
    Ok(busiest)
}

/// Stalest first: with `order` the connections stalest first and `synced` the ones synced,
/// the synced must be the stalest `synced.len()` ones, give or take `slack` (what several
/// workers had in flight when the budget ran out). Returns the largest displacement seen.
pub fn stalest_first(
    order: &[i64],
    synced: &HashSet<i64>,
    slack: usize,
) -> Result<usize, Violation> {
    let count = synced.len();
    let rank: HashMap<i64, usize> = order.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let mut worst = 0;
    for id in synced {
        let Some(&position) = rank.get(id) else {
            return Err(format!("connection {id} was synced but was not due"));
        };
        if position >= count {
            worst = worst.max(position - count + 1);
        }
    }
    for (position, id) in order.iter().enumerate().take(count.saturating_sub(slack)) {
        if !synced.contains(id) {
            return Err(format!(
                "connection {id} (the {}th stalest) was deferred while {count} were synced",
                position + 1
            ));
        }
    }
    if worst > slack {
        return Err(format!(
            "a connection {worst} places past the stalest {count} was synced (slack {slack})"
        ));
    }
    Ok(worst)
}

/// After a kill mid-sync: the killed run is still open, and nothing of it is stored (no
/// snapshot of today's date, the last sync time unchanged).
pub fn nothing_half_written(
    open_run: bool,
    snapshots_today: i64,
    last_synced_moved: bool,
) -> Result<(), Violation> {
    if !open_run {
        return Err("the kill did not land mid-sync: no open run".into());
    }
    if snapshots_today != 0 || last_synced_moved {
        return Err(format!(
            "half a sync was written: {snapshots_today} snapshots of today, last sync moved: \
             {last_synced_moved}"
        ));
    }
    Ok(())
}

/// After the recovery: the sync ran in full (every video of the platform stored and
/// snapshotted today) and the killed run is closed as interrupted.
pub fn recovered_in_full(
    videos_on_platform: i64,
    snapshots_today: i64,
    runs: &[(Option<String>, Option<String>)],
) -> Result<(), Violation> {
    if snapshots_today != videos_on_platform {
        return Err(format!(
            "{snapshots_today} of {videos_on_platform} videos snapshotted after the recovery"
        ));
    }
    let interrupted = runs
        .iter()
        .filter(|(outcome, code)| {
            outcome.as_deref() == Some("failed")
                && code.as_deref() == Some(storage::INTERRUPTED_RUN_CODE)
        })
        .count();
    let succeeded = runs
        .iter()
        .filter(|(outcome, _)| outcome.as_deref() == Some("success"))
        .count();
    let open = runs.iter().filter(|(outcome, _)| outcome.is_none()).count();
    if (interrupted, succeeded, open) != (1, 1, 0) {
        return Err(format!(
            "the sync log should say one run was interrupted and one succeeded, none open: \
             {interrupted} interrupted, {succeeded} succeeded, {open} open"
        ));
    }
    Ok(())
}

/// While the platform was down: one run per account, each `failed` (a transient failure,
/// retried later), and every connection still `active` (never `needs_reauth`).
pub fn failed_but_not_reauth(
    outcomes: &[Option<String>],
    statuses: &[String],
    accounts: usize,
) -> Result<(), Violation> {
    if outcomes.len() != accounts {
        return Err(format!("{} runs for {accounts} accounts", outcomes.len()));
    }
    if let Some(other) = outcomes.iter().find(|o| o.as_deref() != Some("failed")) {
        return Err(format!(
            "a sync ended {other:?} while the platform was down, not failed"
        ));
    }
    if let Some(status) = statuses.iter().find(|status| *status != "active") {
        return Err(format!(
            "a connection became {status} because the platform was down"
        ));
    }
    Ok(())
}

/// After a worker died between TikTok's rotated answer to a refresh and its write, and was
/// started again: every restart exited cleanly (no crash loop), the row's tokens still
/// decrypt, and the connection is either `active` with an access token TikTok accepts, or
/// `needs_reauth` with all its data kept.
pub fn refresh_survived(
    restarts_clean: bool,
    tokens_readable: bool,
    status: &str,
    access_token_works: bool,
    videos_before: i64,
    videos_after: i64,
) -> Result<&'static str, Violation> {
    if !restarts_clean {
        return Err("a restarted worker failed: a crash loop".into());
    }
    if !tokens_readable {
        return Err("the connection's tokens no longer decrypt".into());
    }
    match status {
        "active" if access_token_works => Ok("active with working tokens"),
        "active" => Err("active, but TikTok refuses its access token".into()),
        "needs_reauth" if videos_before > 0 && videos_after == videos_before => {
            Ok("needs_reauth with its data kept")
        }
        "needs_reauth" => Err(format!(
            "needs_reauth, but {videos_after} of {videos_before} videos kept"
        )),
        other => Err(format!("the connection is {other}")),
    }
}

/// SQLite under two processes: no answer a user got was a server error or mentioned the
/// lock (`answers`: status and body), no sync failed (`runs`: outcome and error message),
/// and the worker's own pass ended cleanly. Returns the answers counted.
pub fn no_lock_reached_anyone(
    answers: &[(u16, String)],
    runs: &[(Option<String>, Option<String>)],
    worker_clean: bool,
) -> Result<usize, Violation> {
    if let Some((status, body)) = answers
        .iter()
        .find(|(status, body)| *status >= 500 || body.contains("database is locked"))
    {
        let body: String = body.chars().take(200).collect();
        return Err(format!("a user was answered {status}: {body}"));
    }
    if let Some((outcome, message)) = runs.iter().find(|(outcome, message)| {
        !matches!(outcome.as_deref(), Some("success" | "rate_limited") | None)
            || message.as_deref().is_some_and(|m| m.contains("locked"))
    }) {
        return Err(format!("a sync ended {outcome:?}: {message:?}"));
    }
    if !worker_clean {
        return Err("the worker's run-once failed".into());
    }
    Ok(answers.len())
}

/// When an answer came, relative to the database restart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Before the stop.
    Before,
    /// Between the stop and the start.
    Down,
    /// After the start.
    After,
}

/// The read load across a database restart: every answer a 200 or a 503 (`None` is no
/// answer at all: the server died or hung), at least one 503 while the database was down,
/// and 200s again after it came back. Returns how many 503s there were.
pub fn served_through_restart(answers: &[(Phase, Option<u16>)]) -> Result<usize, Violation> {
    if let Some((phase, status)) = answers
        .iter()
        .find(|(_, status)| !matches!(status, Some(200 | 503)))
    {
        return Err(format!("answered {status:?} ({phase:?} the restart)"));
    }
    let unavailable = answers.iter().filter(|(_, s)| *s == Some(503)).count();
    if !answers.contains(&(Phase::Down, Some(503))) {
        return Err("no 503 while the database was down".into());
    }
    let after: Vec<_> = answers.iter().filter(|(p, _)| *p == Phase::After).collect();
    if after.last().is_none_or(|(_, status)| *status != Some(200)) {
        return Err("the server did not answer 200 again after the database came back".into());
    }
    Ok(unavailable)
}

/// After the restart and one more `run-once`: every connection synced with all its videos,
/// once each (`per_connection`: videos stored and snapshots of today).
pub fn nothing_lost_or_duplicated(
    per_connection: &[(i64, i64)],
    videos: i64,
) -> Result<(), Violation> {
    if let Some((stored, snapshots)) = per_connection
        .iter()
        .find(|(stored, snapshots)| *stored != videos || *snapshots != videos)
    {
        return Err(format!(
            "a connection has {stored} videos and {snapshots} snapshots of today, not {videos}"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(connection: i64, outcome: &str, started: i64, finished: i64) -> Run {
        Run {
            connection,
            outcome: Some(outcome.into()),
            started,
            finished: Some(finished),
        }
    }

    #[test]
    fn a_connection_synced_twice_fails() {
        let good = [
            run(1, "success", 0, 2),
            run(2, "rate_limited", 0, 1),
            run(2, "success", 1, 3),
        ];
        assert_eq!(synced_at_most_once(&good, 2), Ok(HashSet::from([1, 2])));
        // A worker without leases: two workers take the same connection.
        let twice = [run(1, "success", 0, 2), run(1, "success", 1, 3)];
        assert!(synced_at_most_once(&twice, 2).is_err());
        // Two at once, even if one was refused by the budget.
        let overlap = [run(1, "rate_limited", 0, 2), run(1, "success", 1, 3)];
        assert!(synced_at_most_once(&overlap, 1).is_err());
        // The duplicate's run lost, but the platform saw it.
        assert!(synced_at_most_once(&good[..1], 2).is_err());
        assert!(synced_at_most_once(&[run(1, "failed", 0, 1)], 1).is_err());
    }

    #[test]
    fn a_timeout_taken_for_a_dead_grant_fails() {
        let failed = || Some("failed".to_owned());
        let active = || "active".to_owned();
        assert!(failed_but_not_reauth(&[failed(), failed()], &[active(), active()], 2).is_ok());
        // A client that reads a reset as a refused token.
        assert!(
            failed_but_not_reauth(
                &[failed(), Some("needs_reauth".into())],
                &[active(), "needs_reauth".into()],
                2
            )
            .is_err()
        );
        // A pass that never tried (or never ended) an account.
        assert!(failed_but_not_reauth(&[failed(), None], &[active(), active()], 2).is_err());
        assert!(failed_but_not_reauth(&[failed()], &[active(), active()], 2).is_err());
    }

    #[test]
    fn a_lost_rotation_must_leave_a_usable_or_reconnectable_connection() {
        assert!(refresh_survived(true, true, "needs_reauth", false, 30, 30).is_ok());
        assert!(refresh_survived(true, true, "active", true, 30, 30).is_ok());
        // Each way of getting it wrong.
        assert!(refresh_survived(false, true, "needs_reauth", false, 30, 30).is_err());
        assert!(refresh_survived(true, false, "needs_reauth", false, 30, 30).is_err());
        assert!(refresh_survived(true, true, "active", false, 30, 30).is_err());
        assert!(refresh_survived(true, true, "needs_reauth", false, 30, 0).is_err());
        assert!(refresh_survived(true, true, "disconnected", false, 30, 30).is_err());
    }

    #[test]
    fn a_lock_seen_by_a_user_or_a_sync_fails() {
        let ok = (200, "{}".to_owned());
        let success = (Some("success".to_owned()), None);
        assert_eq!(
            no_lock_reached_anyone(
                std::slice::from_ref(&ok),
                std::slice::from_ref(&success),
                true
            ),
            Ok(1)
        );
        // Without the busy timeout: the server maps SQLITE_BUSY to a 503, or a sync fails.
        let busy = (
            503,
            r#"{"error":{"code":"database_unavailable"}}"#.to_owned(),
        );
        assert!(
            no_lock_reached_anyone(&[ok.clone(), busy], std::slice::from_ref(&success), true)
                .is_err()
        );
        let locked = (
            Some("failed".to_owned()),
            Some("database is locked".to_owned()),
        );
        assert!(no_lock_reached_anyone(std::slice::from_ref(&ok), &[locked], true).is_err());
        assert!(no_lock_reached_anyone(&[ok], &[success], false).is_err());
    }

    #[test]
    fn a_server_that_dies_or_never_recovers_fails_the_restart() {
        use Phase::{After, Before, Down};
        let good = [
            (Before, Some(200)),
            (Down, Some(503)),
            (Down, Some(503)),
            (After, Some(503)),
            (After, Some(200)),
        ];
        assert_eq!(served_through_restart(&good), Ok(3));
        // A 500 (an unmapped error) or no answer (the server exited with the database).
        assert!(served_through_restart(&[(Down, Some(500)), (After, Some(200))]).is_err());
        assert!(served_through_restart(&[(Down, None), (After, Some(200))]).is_err());
        // Never noticed the outage, or never recovered.
        assert!(served_through_restart(&[(Down, Some(200)), (After, Some(200))]).is_err());
        assert!(served_through_restart(&[(Down, Some(503)), (After, Some(503))]).is_err());
    }

    #[test]
    fn a_lost_or_doubled_sync_fails() {
        assert!(nothing_lost_or_duplicated(&[(45, 45), (45, 45)], 45).is_ok());
        assert!(nothing_lost_or_duplicated(&[(45, 45), (45, 0)], 45).is_err());
        assert!(nothing_lost_or_duplicated(&[(45, 90)], 45).is_err());
        assert!(nothing_lost_or_duplicated(&[(20, 20)], 45).is_err());
    }

    #[test]
    fn spending_the_reserve_fails() {
        assert!(within_daily_budget(900, 1000, 100).is_ok());
        assert!(within_daily_budget(901, 1000, 100).is_err());
    }

    fn at(minute: u32, second: u32, millis: u32) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(&format!(
            "2026-12-05T10:{minute:02}:{second:02}.{millis:03}Z"
        ))
        .map(|t| t.to_utc())
        .unwrap_or_default()
    }

    #[test]
    fn a_burst_over_the_minute_fails_but_late_arrivals_are_forgiven() {
        let latency = TimeDelta::milliseconds(500);
        let mut calls = BTreeMap::new();
        calls.insert(
            "user_info".to_owned(),
            vec![at(0, 10, 0), at(0, 59, 900), at(1, 0, 100), at(1, 30, 0)],
        );
        // 3 a minute: the call at 01:00.100 may have been counted in minute 0.
        assert_eq!(within_per_minute(&calls, 3, latency), Ok(3));
        assert!(within_per_minute(&calls, 2, latency).is_ok());
        // Three processes each pacing their own share: 4 in one minute with a limit of 3.
        calls.insert(
            "video_list".to_owned(),
            vec![at(2, 1, 0), at(2, 2, 0), at(2, 3, 0), at(2, 4, 0)],
        );
        assert!(within_per_minute(&calls, 3, latency).is_err());
        // Not forgiven when the minute before is full.
        let mut full = BTreeMap::new();
        full.insert(
            "user_info".to_owned(),
            vec![
                at(0, 1, 0),
                at(0, 2, 0),
                at(1, 0, 10),
                at(1, 5, 0),
                at(1, 6, 0),
            ],
        );
        assert!(within_per_minute(&full, 2, latency).is_err());
    }

    #[test]
    fn newest_first_or_random_order_fails_stalest_first() {
        let order: Vec<i64> = (1..=100).collect();
        let prefix: HashSet<i64> = (1..=40).collect();
        assert_eq!(stalest_first(&order, &prefix, 5), Ok(0));
        // In-flight jitter within the slack passes.
        let mut jitter = prefix.clone();
        jitter.remove(&40);
        jitter.insert(43);
        assert!(stalest_first(&order, &jitter, 5).is_ok());
        // A worker that syncs the freshest first.
        let newest: HashSet<i64> = (61..=100).collect();
        assert!(stalest_first(&order, &newest, 5).is_err());
        // A worker that ignores staleness (id order of another permutation).
        let every_other: HashSet<i64> = (1..=80).filter(|id| id % 2 == 0).collect();
        assert!(stalest_first(&order, &every_other, 5).is_err());
    }

    #[test]
    fn half_a_sync_or_a_kill_after_the_sync_fails() {
        assert!(nothing_half_written(true, 0, false).is_ok());
        // The kill came too late (the sync had finished): the scenario proved nothing.
        assert!(nothing_half_written(false, 0, false).is_err());
        // Pages written as they came (no single transaction).
        assert!(nothing_half_written(true, 20, false).is_err());
        assert!(nothing_half_written(true, 0, true).is_err());
    }

    #[test]
    fn a_partial_recovery_or_a_run_left_open_fails() {
        let interrupted = (
            Some("failed".to_owned()),
            Some(storage::INTERRUPTED_RUN_CODE.to_owned()),
        );
        let success = (Some("success".to_owned()), None);
        assert!(recovered_in_full(100, 100, &[interrupted.clone(), success.clone()]).is_ok());
        assert!(recovered_in_full(100, 40, &[interrupted.clone(), success.clone()]).is_err());
        // Without the close of the killed run, the log says it is still running.
        assert!(recovered_in_full(100, 100, &[(None, None), success]).is_err());
        assert!(recovered_in_full(100, 100, &[interrupted]).is_err());
    }
}
