//! Every repository future is `Send`, so callers can `tokio::spawn` them (the sync-worker
//! does). This is checked by the compiler: the test only has to build.
#![allow(clippy::unwrap_used)]

mod support;

use std::time::Duration;

use domain::{ConnectionId, Platform, SyncOutcome, SyncRunId, SyncTrigger};
use storage::{
    Database, NewConnection, NewOAuthState, NewOutboundEvent, NewWebhookEvent, QuotaWindow,
    SortDirection, SyncRunFinish, SyncWrite, VideoQuery, VideoSort,
};
use support::{profile, secret, t0, tokens};

fn assert_send<T: Send>(_: T) {}

#[test]
fn repository_futures_are_send() {
    // Never polled: only the types matter.
    let check = |db: Database| {
        let id = ConnectionId(1);
        let profile = profile("open", 1);
        let tokens = tokens("a", Some("r"), t0());
        let payload = serde_json::Value::Null;
        let notify = NewOutboundEvent {
            event: "sync.completed",
            user_id: "u",
            connection_id: Some(id),
            payload: &payload,
            created_at: t0(),
        };
        let verifier = secret("v");
        let query = VideoQuery {
            sort: VideoSort::Views,
            direction: SortDirection::Desc,
            limit: domain::PageLimit::constant(10),
            cursor: None,
        };
        assert_send(Database::connect(
            "x",
            storage::ConnectOptions::new(support::cipher()),
        ));
        assert_send(db.ping());
        assert_send(db.create_oauth_state(&NewOAuthState {
            state: "s",
            user_id: "u",
            platform: Platform::new("tiktok"),
            pkce_verifier: Some(&verifier),
            created_at: t0(),
            expires_at: t0(),
        }));
        assert_send(db.consume_oauth_state("s", t0()));
        assert_send(db.upsert_connection(
            &NewConnection {
                user_id: "u",
                platform: Platform::new("tiktok"),
                profile: &profile,
                tokens: &tokens,
                notify: Some(notify.clone()),
            },
            t0(),
        ));
        assert_send(db.connection_tokens(id));
        assert_send(db.swap_tokens(id, 0, &tokens));
        assert_send(db.mark_needs_reauth(id, "e", t0(), Some(&notify)));
        assert_send(db.apply_sync(&SyncWrite {
            connection_id: id,
            profile: Some(&profile),
            videos: &[],
            engagement: domain::EngagementBasis::Views,
            daily: &[],
            outcome: SyncOutcome::Success,
            error: None,
            synced_at: t0(),
            notify: Some(notify.clone()),
        }));
        assert_send(db.record_sync_failure(id, SyncOutcome::Failed, "e", t0(), None));
        assert_send(db.start_sync_run(id, SyncTrigger::Manual, t0()));
        assert_send(db.finish_sync_run(
            SyncRunId(1),
            &SyncRunFinish {
                outcome: SyncOutcome::Success,
                videos_synced: 0,
                api_calls: 0,
                error_code: None,
                error_message: None,
                finished_at: t0(),
            },
        ));
        assert_send(db.list_videos(id, &query));
        assert_send(db.profile_history(id, t0().date_naive(), 30));
        assert_send(db.video_history(id, "v", t0().date_naive(), 30));
        assert_send(db.disconnect(id, Some(&notify)));
        assert_send(db.consume_quota("b", QuotaWindow::Day, t0(), 1, 10));
        assert_send(db.lease_due_connections(
            "h",
            &[Platform::new("tiktok")],
            t0(),
            t0(),
            Duration::from_secs(1),
            1,
        ));
        assert_send(db.claim_outbound_events(t0(), Duration::from_secs(1), 1));
        assert_send(db.record_webhook_event(&NewWebhookEvent {
            platform: Platform::new("tiktok"),
            event: "e",
            platform_account_id: None,
            event_created_at: t0(),
            body_digest: "d",
            received_at: t0(),
            reason_code: None,
        }));
        assert_send(db.recent_webhook_events(1));
        assert_send(db.mark_outbound_gave_up(1, "e", t0()));
        assert_send(db.list_outbound_events("u", 1));
    };
    // Reference the closure so it is type-checked without running.
    let _ = &check;
}
