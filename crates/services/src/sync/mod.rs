//! Syncing one account: profile and the video pages of the planned depth (every page by
//! default), written in one transaction, recorded in `sync_runs` whatever happens.
//!
//! [`report`] says how a sync ended and why; [`manual`] is the creator's "Sync now".

mod failure;
mod manual;
mod report;

use failure::SyncFailure;
pub use manual::ManualSync;
pub use report::{FailureSource, SyncReport};

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use domain::{Connection, Profile, SyncOutcome, SyncTrigger, SyncedVideo};
use scheduler::PlannedDepth;
use secrecy::SecretString;
use storage::{StorageError, StoredCounters, SyncRunFinish, SyncWrite};
use tracing::{Instrument as _, info, info_span, warn};

use crate::Services;
use crate::error::ServiceError;
use crate::notifications::{Notice, SyncCompleted};
use crate::platforms::{FetchRequest, PlatformAdapter, PlatformErrorKind};
use crate::quota::{CallContext, CallPriority, with_context};

/// What a successful fetch brought back.
struct Fetched {
    profile: Profile,
    videos: Vec<domain::SyncedVideo>,
    /// Whether the video list was walked to its end (or, without the video scope, whether a
    /// full walk was planned).
    full_walk: bool,
    missing_scopes: Vec<String>,
    /// The platform's daily activity (YouTube Analytics), written with the rest.
    daily: Vec<domain::DailyActivity>,
}

/// What a successful write stored.
struct Written {
    videos: u64,
    full_walk: bool,
    missing_scopes: Vec<String>,
}

impl Services {
    /// Syncs one connection now: refreshes its token when needed, fetches the profile and
    /// every page of posts, writes it all in one transaction, and records the run. Never fails:
    /// the outcome (including failures) is in the report and in `sync_runs`. The same as
    /// [`Self::sync_connection_at_depth`] with [`PlannedDepth::Full`].
    ///
    /// The caller makes sure no other sync of this connection runs (a lease).
    ///
    /// # Errors
    /// [`ServiceError::NotConnected`] when the connection was removed while the sync ran
    /// (nothing of the sync is stored); [`ServiceError::Storage`] when the run could not be
    /// recorded.
    pub async fn sync_connection(
        &self,
        connection: &Connection,
        trigger: SyncTrigger,
    ) -> Result<SyncReport, ServiceError> {
        self.sync_connection_with(connection, trigger, None).await
    }

    /// [`Self::sync_connection`] at a planned depth (the scheduler's
    /// [`scheduler::decide_depth`]): [`PlannedDepth::Full`] walks every video page;
    /// [`PlannedDepth::Recent`] still fetches the profile (one user-info call) but walks the
    /// video pages newest first only until the first page that reaches a video created before
    /// its `created_after`. A shallow sync writes (and snapshots) only the videos it fetched,
    /// keeps every older stored video, and leaves the connection's last full walk time as it
    /// was, unless it happened to reach the end of the list.
    ///
    /// # Errors
    /// As [`Self::sync_connection`].
    pub async fn sync_connection_at_depth(
        &self,
        connection: &Connection,
        trigger: SyncTrigger,
        depth: PlannedDepth,
    ) -> Result<SyncReport, ServiceError> {
        self.run_sync(connection, trigger, None, depth).await
    }

    /// [`Self::sync_connection`], reusing a profile fetched moments ago (on connect) instead
    /// of spending a user-info call on it again.
    pub(crate) async fn sync_connection_with(
        &self,
        connection: &Connection,
        trigger: SyncTrigger,
        prefetched: Option<Profile>,
    ) -> Result<SyncReport, ServiceError> {
        self.run_sync(connection, trigger, prefetched, PlannedDepth::Full)
            .await
    }

    /// One sync, recorded in `sync_runs` whatever happens.
    async fn run_sync(
        &self,
        connection: &Connection,
        trigger: SyncTrigger,
        prefetched: Option<Profile>,
        depth: PlannedDepth,
    ) -> Result<SyncReport, ServiceError> {
        let adapter = Arc::clone(
            self.inner
                .platforms
                .get(connection.platform)
                .ok_or(ServiceError::UnknownPlatform(connection.platform))?,
        );
        let priority = match trigger {
            SyncTrigger::Scheduled => CallPriority::Background,
            _ => CallPriority::Interactive,
        };
        // A person's request (manual, connect) also spends that user's share.
        let context = match priority {
            CallPriority::Interactive => CallContext::for_user(priority, &connection.user_id),
            CallPriority::Background => CallContext::new(priority),
        };
        let span = info_span!(
            "sync",
            connection_id = %connection.id,
            platform = %connection.platform,
            trigger = trigger.as_str(),
            full = depth.is_full()
        );
        async {
            let run = self
                .inner
                .db
                .start_sync_run(connection.id, trigger, self.now())
                .await?;
            let fetched = with_context(
                Arc::clone(&context),
                self.fetch(adapter.as_ref(), connection, prefetched, depth),
            )
            .await;
            let result = match fetched {
                Ok(fetched) => {
                    self.write(
                        adapter.as_ref(),
                        connection,
                        fetched,
                        trigger,
                        context.calls(),
                    )
                    .await
                }
                Err(failure) => Err(failure),
            };
            let finished_at = self.now();
            let report = match result {
                Ok(Written {
                    videos: videos_synced,
                    full_walk,
                    missing_scopes,
                }) => {
                    let outcome = if missing_scopes.is_empty() {
                        SyncOutcome::Success
                    } else {
                        SyncOutcome::Partial
                    };
                    let message = (!missing_scopes.is_empty())
                        .then(|| format!("scopes not granted: {}", missing_scopes.join(", ")));
                    SyncReport {
                        connection_id: connection.id,
                        outcome,
                        videos_synced,
                        full_walk,
                        api_calls: context.calls(),
                        finished_at,
                        error_code: message.as_ref().map(|_| "missing_scopes".to_owned()),
                        error_message: message,
                        missing_scopes,
                        retry_after: None,
                        failure: None,
                    }
                }
                Err(failure) => {
                    warn!(error = %failure, "sync failed");
                    let outcome = failure.outcome();
                    let message = failure.to_string();
                    // NeedsReauth was recorded (and notified) on the connection by the refresh.
                    if outcome != SyncOutcome::NeedsReauth {
                        let notice = self.notice(|| {
                            Notice::sync_failed(
                                connection,
                                trigger,
                                outcome,
                                &failure.code(),
                                &message,
                                context.calls(),
                                finished_at,
                            )
                        });
                        self.inner
                            .db
                            .record_sync_failure(
                                connection.id,
                                outcome,
                                &message,
                                finished_at,
                                notice.as_ref().map(Notice::as_new).as_ref(),
                            )
                            .await?;
                        self.queued(notice.as_ref());
                    }
                    SyncReport {
                        connection_id: connection.id,
                        outcome,
                        videos_synced: 0,
                        full_walk: false,
                        api_calls: context.calls(),
                        finished_at,
                        missing_scopes: Self::missing_scopes(adapter.as_ref(), &connection.scopes),
                        error_code: Some(failure.code()),
                        error_message: Some(message),
                        retry_after: failure.retry_after(),
                        failure: Some(failure.source()),
                    }
                }
            };
            self.inner
                .db
                .finish_sync_run(
                    run,
                    &SyncRunFinish {
                        outcome: report.outcome,
                        videos_synced: i64::try_from(report.videos_synced).unwrap_or(i64::MAX),
                        api_calls: i64::from(report.api_calls),
                        error_code: report.error_code.as_deref(),
                        error_message: report.error_message.as_deref(),
                        finished_at,
                    },
                )
                .await?;
            self.inner.observer.sync_run(report.outcome);
            info!(
                outcome = report.outcome.as_str(),
                videos = report.videos_synced,
                full_walk = report.full_walk,
                api_calls = report.api_calls,
                "sync finished"
            );
            Ok(report)
        }
        .instrument(span)
        .await
        // A disconnect while the sync waited on TikTok deletes the connection and, by
        // cascade, its run: the late writes find nothing. That is "not connected" (nothing
        // was stored), not a database fault.
        .map_err(|error| match error {
            ServiceError::Storage(StorageError::NotFound(_)) => ServiceError::NotConnected {
                platform: adapter.traits().display_name,
            },
            other => other,
        })
    }

    /// Writes a fetched sync in one transaction; only a full walk moves the connection's
    /// last full walk time.
    async fn write(
        &self,
        adapter: &dyn PlatformAdapter,
        connection: &Connection,
        fetched: Fetched,
        trigger: SyncTrigger,
        api_calls: u32,
    ) -> Result<Written, SyncFailure> {
        let outcome = if fetched.missing_scopes.is_empty() {
            SyncOutcome::Success
        } else {
            SyncOutcome::Partial
        };
        let synced_at = self.now();
        let notice = self.notice(|| {
            Notice::sync_completed(
                connection,
                SyncCompleted {
                    trigger,
                    outcome,
                    videos: fetched.videos.len() as u64,
                    api_calls,
                    full_walk: fetched.full_walk,
                },
                synced_at,
            )
        });
        let write = SyncWrite {
            connection_id: connection.id,
            profile: Some(&fetched.profile),
            videos: &fetched.videos,
            engagement: adapter.traits().engagement,
            daily: &fetched.daily,
            outcome,
            error: None,
            synced_at,
            notify: notice.as_ref().map(Notice::as_new),
        };
        let applied = if fetched.full_walk {
            self.inner.db.apply_sync(&write).await?
        } else {
            self.inner.db.apply_shallow_sync(&write).await?
        };
        self.queued(notice.as_ref());
        Ok(Written {
            videos: applied.videos_written as u64,
            full_walk: fetched.full_walk,
            missing_scopes: fetched.missing_scopes,
        })
    }

    /// Fetches everything a sync writes, refreshing the token once and retrying once when
    /// the platform answers that the access token is invalid (revoked, rotated elsewhere, or
    /// clocks apart).
    async fn fetch(
        &self,
        adapter: &dyn PlatformAdapter,
        connection: &Connection,
        prefetched: Option<Profile>,
        depth: PlannedDepth,
    ) -> Result<Fetched, SyncFailure> {
        let token = self.usable_access_token(connection).await?;
        match self
            .fetch_with(adapter, connection, &token, prefetched.clone(), depth)
            .await
        {
            Err(SyncFailure::Platform(error))
                if error.is(PlatformErrorKind::AccessTokenInvalid) =>
            {
                let version = self
                    .inner
                    .db
                    .connection_tokens(connection.id)
                    .await?
                    .token_version;
                let token = self.refresh_tokens(connection, version).await?;
                self.fetch_with(adapter, connection, &token, prefetched, depth)
                    .await
            }
            other => other,
        }
    }

    async fn fetch_with(
        &self,
        adapter: &dyn PlatformAdapter,
        connection: &Connection,
        token: &SecretString,
        prefetched: Option<Profile>,
        depth: PlannedDepth,
    ) -> Result<Fetched, SyncFailure> {
        // The scopes may have changed at the last refresh: read what is stored now.
        let scopes = self.inner.db.connection_tokens(connection.id).await?.scopes;
        let account_id = &connection.profile.platform_account_id;
        // A platform that re-reads some counters only periodically picks the stalest posts,
        // and the counters it leaves unread keep their stored values.
        let stored = if adapter.traits().counters_read_periodically {
            self.inner.db.stored_video_counts(connection.id).await?
        } else {
            HashMap::new()
        };
        let counters_read_at: HashMap<String, DateTime<Utc>> = stored
            .iter()
            .filter_map(|(id, counters)| counters.read_at.map(|at| (id.clone(), at)))
            .collect();
        let fetched = adapter
            .fetch(
                token,
                FetchRequest {
                    account_id,
                    scopes: &scopes,
                    depth,
                    prefetched,
                    now: self.now(),
                    counters_read_at: &counters_read_at,
                },
            )
            .await?;
        if fetched.profile.platform_account_id != *account_id {
            return Err(SyncFailure::AccountMismatch(
                fetched.profile.platform_account_id,
            ));
        }
        let mut missing_scopes = Self::missing_scopes(adapter, &scopes);
        for scope in fetched.withdrawn_scopes {
            if !missing_scopes.contains(&scope) {
                missing_scopes.push(scope);
            }
        }
        let mut videos = fetched.posts;
        if fetched.partial_counters {
            carry_counters_forward(&stored, &mut videos);
        }
        Ok(Fetched {
            profile: fetched.profile,
            videos,
            // A full walk: every post walked and every counter read.
            full_walk: fetched.reached_end && !fetched.partial_counters,
            missing_scopes,
            daily: fetched.daily,
        })
    }
}

/// Fills the counters a platform did not read this time with the stored ones, so an unread
/// counter keeps its last known value (and the engagement rate its basis).
fn carry_counters_forward(stored: &HashMap<String, StoredCounters>, videos: &mut [SyncedVideo]) {
    for video in videos.iter_mut().filter(|video| !video.counters_read) {
        if let Some(known) = stored.get(&video.platform_video_id) {
            video.counts = video.counts.or(&known.counts);
        }
    }
}
