//! What the worker shows: a progress bar on a terminal, plain log lines otherwise, the
//! summary of a run and the status table.

use std::fmt::Write as _;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use scheduler::{SyncDepth, SyncPlan};
use services::outbox::DeliveryReport;
use services::{
    PlatformPlan, SyncAllReport, SyncProgress, SyncReport, TokenPassReport, WorkerStatus,
};
use tracing::info;

/// A progress bar on standard error, one tick per account.
#[derive(Debug)]
pub struct TerminalProgress {
    bar: ProgressBar,
}

impl TerminalProgress {
    /// A hidden bar until the plan says how many accounts there are.
    pub fn new() -> Self {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} accounts  {msg}",
            )
            .expect("the template is valid"),
        );
        bar.enable_steady_tick(Duration::from_millis(200));
        Self { bar }
    }

    /// Removes the bar, so the summary prints on a clean line.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Default for TerminalProgress {
    fn default() -> Self {
        Self::new()
    }
}

impl SyncProgress for TerminalProgress {
    fn planned(&self, plan: &SyncPlan) {
        self.bar.set_length(plan.selected.len() as u64);
        self.bar.set_message(format!(
            "~{} calls planned, {} deferred",
            plan.estimated_calls,
            plan.deferred.len()
        ));
    }

    fn account_finished(&self, report: &SyncReport) {
        self.bar.inc(1);
        self.bar.set_message(format!(
            "connection {}: {}",
            report.connection_id,
            report.outcome.as_str()
        ));
    }
}

/// Progress as log lines, for journald and log files.
#[derive(Debug, Default, Clone, Copy)]
pub struct LogProgress;

impl SyncProgress for LogProgress {
    fn planned(&self, plan: &SyncPlan) {
        info!(
            selected = plan.selected.len(),
            deferred = plan.deferred.len(),
            estimated_calls = plan.estimated_calls,
            "sync pass planned"
        );
    }

    fn account_finished(&self, report: &SyncReport) {
        info!(
            connection_id = %report.connection_id,
            outcome = report.outcome.as_str(),
            videos = report.videos_synced,
            api_calls = report.api_calls,
            "account synced"
        );
    }
}

/// The token refresh pass in one line.
pub fn refresh_summary(report: &TokenPassReport) -> String {
    let refresh = &report.refresh;
    let mut text = format!(
        "tokens: {} refreshed, {} need re-auth, {} failed (retried later), {} API calls",
        refresh.refreshed, refresh.needs_reauth, refresh.failed, refresh.api_calls
    );
    if report.leased_elsewhere > 0 {
        let _ = write!(
            text,
            ", {} left to the process syncing them",
            report.leased_elsewhere
        );
    }
    text
}

/// The host notifications' pass in a line.
pub fn delivery_summary(report: &DeliveryReport) -> String {
    format!(
        "host notifications: {} delivered, {} to retry, {} given up",
        report.delivered, report.failed, report.gave_up
    )
}

/// The sync pass in a few lines.
pub fn sync_summary(report: &SyncAllReport) -> String {
    let mut text = format!(
        "sync: {} synced, {} failed, {} skipped for quota (deferred), {} need re-auth, {} API \
         calls ({} planned, {} saved by sync depth), {:.1} s",
        report.synced,
        report.failed,
        report.deferred,
        report.needs_reauth,
        report.api_calls,
        report.planned_calls,
        report.calls_saved,
        report.duration.as_secs_f64()
    );
    if report.not_due > 0 {
        let _ = write!(
            text,
            "\n      {} waiting out a retry backoff",
            report.not_due
        );
    }
    if report.interrupted > 0 {
        let _ = write!(
            text,
            "\n      {} not started (stop requested)",
            report.interrupted
        );
    }
    if !report.deferred_connections.is_empty() {
        let ids: Vec<String> = report
            .deferred_connections
            .iter()
            .map(ToString::to_string)
            .collect();
        let _ = write!(text, "\n      deferred: {}", ids.join(", "));
    }
    text
}

/// The sync depth in words.
pub fn depth_text(depth: &SyncDepth) -> String {
    match depth {
        SyncDepth::Full => "full: every sync walks every video".to_owned(),
        SyncDepth::Recent {
            newer_than_days,
            full_every_days,
        } => format!(
            "recent: videos of the last {newer_than_days} days, every video once every \
             {full_every_days} days"
        ),
    }
}

/// The status as a human table.
pub fn status_table(status: &WorkerStatus) -> String {
    let mut text = String::new();
    let _ = writeln!(text, "as of {}", status.at.format("%Y-%m-%d %H:%M:%S UTC"));
    let _ = writeln!(text, "\nconnections");
    for (state, count) in &status.connections_by_status {
        let _ = writeln!(text, "  {state:<14} {count:>8}");
    }
    let _ = writeln!(text, "  {:<14} {:>8}", "due now", status.due_now);

    let _ = writeln!(text, "\nsync depth");
    let _ = writeln!(text, "  {}", depth_text(&status.depth));

    let _ = writeln!(text, "\nlast run of each connection");
    if status.last_run_outcomes.is_empty() {
        let _ = writeln!(text, "  (no runs yet)");
    }
    for (outcome, count) in &status.last_run_outcomes {
        let _ = writeln!(text, "  {outcome:<14} {count:>8}");
    }

    for platform in &status.platforms {
        platform_section(&mut text, platform);
    }
    text
}

/// One platform's quota and what a pass would do on it.
fn platform_section(text: &mut String, platform: &PlatformPlan) {
    let budget = &platform.budget;
    let _ = writeln!(text, "\n{} quota", platform.platform);
    let _ = writeln!(
        text,
        "  {:<26} {:>8}",
        "per minute per endpoint",
        per_minute_text(budget.per_minute_per_endpoint)
    );
    match budget.daily_quota {
        Some(daily) => {
            let _ = writeln!(text, "  {:<26} {:>8}", "daily", daily);
            let _ = writeln!(text, "  {:<26} {:>8}", "spent today", budget.spent_today);
            let _ = writeln!(
                text,
                "  {:<26} {:>8}",
                "reserved for manual syncs",
                budget.reserve_calls()
            );
            let _ = writeln!(
                text,
                "  {:<26} {:>8}",
                "left today",
                platform.left_today.unwrap_or(0)
            );
            let _ = writeln!(
                text,
                "  {:<26} {:>8}",
                "left for scheduled syncs",
                platform.scheduled_left_today.unwrap_or(0)
            );
        }
        None => {
            let _ = writeln!(text, "  {:<26} {:>8}", "daily", "none");
        }
    }

    let plan = &platform.plan;
    let _ = writeln!(text, "\n{}: a pass now", platform.platform);
    let _ = writeln!(
        text,
        "  would sync {} connections (~{} calls, ~{} saved by sync depth)",
        plan.selected.len(),
        plan.estimated_calls,
        plan.calls_saved
    );
    if plan.deferred.is_empty() {
        let _ = writeln!(text, "  would defer none");
    } else {
        let _ = writeln!(text, "  would defer {} for quota:", plan.deferred.len());
        for deferred in &plan.deferred {
            let _ = writeln!(
                text,
                "    connection {:<8} ~{:>4} calls  {}",
                deferred.id.to_string(),
                deferred.estimated_calls,
                deferred.reason
            );
        }
    }
}

/// A per-minute limit, or "none" for a platform that counts none.
fn per_minute_text(per_minute: u32) -> String {
    if per_minute == u32::MAX {
        "none".to_owned()
    } else {
        per_minute.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::ConnectionId;

    #[test]
    fn the_summary_names_every_count() {
        let report = SyncAllReport {
            synced: 27,
            failed: 1,
            deferred: 2,
            needs_reauth: 1,
            api_calls: 95,
            planned_calls: 97,
            deferred_connections: vec![ConnectionId(4), ConnectionId(9)],
            duration: Duration::from_millis(1500),
            ..SyncAllReport::default()
        };
        let text = sync_summary(&report);
        assert!(text.starts_with(
            "sync: 27 synced, 1 failed, 2 skipped for quota (deferred), 1 need re-auth, 95 API \
             calls (97 planned, 0 saved by sync depth), 1.5 s"
        ));
        assert!(text.contains("deferred: 4, 9"), "{text}");
    }

    #[test]
    fn the_sync_depth_reads_in_words() {
        assert_eq!(
            depth_text(&SyncDepth::Full),
            "full: every sync walks every video"
        );
        let recent = SyncDepth::recent(30, 7).expect("valid depth");
        assert_eq!(
            depth_text(&recent),
            "recent: videos of the last 30 days, every video once every 7 days"
        );
    }

    #[test]
    fn the_refresh_summary_is_one_line() {
        let mut report = TokenPassReport {
            refresh: services::RefreshReport {
                refreshed: 3,
                needs_reauth: 1,
                failed: 0,
                api_calls: 4,
            },
            leased_elsewhere: 0,
        };
        assert_eq!(
            refresh_summary(&report),
            "tokens: 3 refreshed, 1 need re-auth, 0 failed (retried later), 4 API calls"
        );
        report.leased_elsewhere = 2;
        assert!(refresh_summary(&report).ends_with(", 2 left to the process syncing them"));
    }
}
