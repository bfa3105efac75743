//! The facts the scheduler plans with, read from a connection and its latest sync runs.

use chrono::{DateTime, Utc};
use domain::{Connection, ConnectionStatus, SyncOutcome, SyncRun, TokenExpiryPolicy};

use crate::SyncCandidate;

/// The facts about `connection` the scheduler plans with, from its latest `runs` (any order)
/// and its token expiry under `token_policy` at `now`. The count of recent videos, which only
/// a shallow sync depth needs, is left unknown.
pub fn sync_candidate(
    connection: &Connection,
    runs: &[SyncRun],
    token_policy: &TokenExpiryPolicy,
    now: DateTime<Utc>,
) -> SyncCandidate {
    let mut finished: Vec<&SyncRun> = runs
        .iter()
        .filter(|run| run.connection_id == connection.id && run.outcome.is_some())
        .collect();
    finished.sort_by_key(|run| std::cmp::Reverse((run.finished_at, run.id.0)));
    let is_success = |run: &&SyncRun| {
        matches!(
            run.outcome,
            Some(SyncOutcome::Success | SyncOutcome::Partial)
        )
    };
    let failures: Vec<&&SyncRun> = finished
        .iter()
        .take_while(|run| !is_success(run))
        .filter(|run| {
            matches!(
                run.outcome,
                Some(SyncOutcome::Failed | SyncOutcome::RateLimited)
            )
        })
        .collect();
    let last_success_at = finished
        .iter()
        .find(|run| is_success(run))
        .and_then(|run| run.finished_at)
        .or(connection.last_synced_at);
    let video_count = connection
        .profile
        .video_count
        .and_then(|count| u64::try_from(count).ok());
    SyncCandidate {
        last_synced_at: connection.last_synced_at,
        last_success_at,
        consecutive_failures: u32::try_from(failures.len()).unwrap_or(u32::MAX),
        last_failure_at: failures.first().and_then(|run| run.finished_at),
        last_video_count: video_count,
        last_full_sync_at: connection.last_full_sync_at,
        manual_requested_at: connection.sync_requested_at,
        token_refresh_needed: connection.status == ConnectionStatus::Active
            && token_policy.access_token_needs_refresh(
                now,
                connection.tokens_obtained_at,
                connection.access_token_expires_at,
            ),
        ..SyncCandidate::new(connection.id, connection.status)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;
    use domain::{ConnectionId, Platform, Profile, SyncRunId, SyncTrigger};

    use super::*;
    use crate::{DuePolicy, DueReason, select_due};

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).expect("valid timestamp")
    }

    fn connection(id: i64, last_synced_hours_ago: Option<i64>, videos: i64) -> Connection {
        Connection {
            id: ConnectionId(id),
            user_id: format!("user-{id}"),
            platform: Platform::new("tiktok"),
            profile: Profile {
                platform_account_id: format!("open-{id}"),
                video_count: Some(videos),
                ..Profile::default()
            },
            status: ConnectionStatus::Active,
            status_error: None,
            scopes: Vec::new(),
            access_token_expires_at: Some(now() + TimeDelta::hours(20)),
            refresh_token_expires_at: Some(now() + TimeDelta::days(300)),
            tokens_obtained_at: Some(now() - TimeDelta::hours(4)),
            token_version: 1,
            refresh_failures: 0,
            next_refresh_attempt_at: None,
            last_synced_at: last_synced_hours_ago.map(|hours| now() - TimeDelta::hours(hours)),
            last_sync_outcome: None,
            last_sync_error: None,
            sync_requested_at: None,
            last_full_sync_at: None,
            created_at: now() - TimeDelta::days(30),
            updated_at: now(),
        }
    }

    fn run(id: i64, connection: i64, minutes_ago: i64, outcome: SyncOutcome) -> SyncRun {
        let finished = now() - TimeDelta::minutes(minutes_ago);
        SyncRun {
            id: SyncRunId(id),
            connection_id: ConnectionId(connection),
            trigger: SyncTrigger::Scheduled,
            started_at: finished - TimeDelta::seconds(5),
            finished_at: Some(finished),
            outcome: Some(outcome),
            videos_synced: 0,
            api_calls: 2,
            error_code: None,
            error_message: None,
        }
    }

    #[test]
    fn failures_in_a_row_are_counted_back_to_the_last_success() {
        let conn = connection(1, Some(30), 45);
        let runs = vec![
            run(4, 1, 10, SyncOutcome::Failed),
            run(3, 1, 40, SyncOutcome::RateLimited),
            run(2, 1, 24 * 60, SyncOutcome::Success),
            run(1, 1, 48 * 60, SyncOutcome::Failed),
        ];
        let candidate = sync_candidate(&conn, &runs, &TokenExpiryPolicy::default(), now());
        assert_eq!(candidate.consecutive_failures, 2);
        assert_eq!(
            candidate.last_failure_at,
            Some(now() - TimeDelta::minutes(10))
        );
        assert_eq!(
            candidate.last_success_at,
            Some(now() - TimeDelta::hours(24))
        );
        assert_eq!(candidate.last_video_count, Some(45));
        assert!(!candidate.token_refresh_needed);
    }

    #[test]
    fn the_last_full_walk_is_the_connections_not_the_last_success() {
        let mut conn = connection(1, Some(30), 45);
        conn.last_full_sync_at = Some(now() - TimeDelta::days(3));
        let runs = [run(1, 1, 30 * 60, SyncOutcome::Success)];
        let candidate = sync_candidate(&conn, &runs, &TokenExpiryPolicy::default(), now());
        assert_eq!(
            candidate.last_full_sync_at,
            Some(now() - TimeDelta::days(3))
        );
        assert_eq!(
            candidate.last_success_at,
            Some(now() - TimeDelta::hours(30))
        );
        assert_eq!(candidate.recent_video_count, None);
        conn.last_full_sync_at = None;
        let never = sync_candidate(&conn, &runs, &TokenExpiryPolicy::default(), now());
        assert_eq!(never.last_full_sync_at, None, "never walked fully");
    }

    #[test]
    fn a_recent_failure_backs_off_and_an_older_one_is_retried() {
        let policy = DuePolicy::default();
        let fresh = sync_candidate(
            &connection(1, Some(30), 0),
            &[run(1, 1, 5, SyncOutcome::Failed)],
            &TokenExpiryPolicy::default(),
            now(),
        );
        let old = sync_candidate(
            &connection(2, Some(30), 0),
            &[run(2, 2, 20, SyncOutcome::Failed)],
            &TokenExpiryPolicy::default(),
            now(),
        );
        let due = select_due(&[fresh, old], &policy, now());
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].candidate.id, ConnectionId(2));
        assert_eq!(due[0].reason, DueReason::RetryAfterFailure { attempt: 1 });
    }

    #[test]
    fn without_runs_the_connection_row_speaks() {
        let mut conn = connection(3, None, 7);
        conn.access_token_expires_at = Some(now() + TimeDelta::minutes(10));
        conn.sync_requested_at = Some(now() - TimeDelta::minutes(1));
        let candidate = sync_candidate(&conn, &[], &TokenExpiryPolicy::default(), now());
        assert_eq!(candidate.last_success_at, None);
        assert_eq!(candidate.consecutive_failures, 0);
        assert!(candidate.token_refresh_needed);
        assert_eq!(candidate.manual_requested_at, conn.sync_requested_at);
    }

    #[test]
    fn unfinished_and_other_connections_runs_are_ignored() {
        let mut running = run(5, 1, 1, SyncOutcome::Failed);
        running.outcome = None;
        let runs = vec![running, run(6, 2, 1, SyncOutcome::Failed)];
        let candidate = sync_candidate(
            &connection(1, Some(25), 0),
            &runs,
            &TokenExpiryPolicy::default(),
            now(),
        );
        assert_eq!(candidate.consecutive_failures, 0);
        assert_eq!(
            candidate.last_success_at,
            Some(now() - TimeDelta::hours(25))
        );
    }
}
