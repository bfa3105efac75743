//! The real client against the real sandbox, over real HTTP: both crates are written from
//! the wire-format reference (`youtube-api.md`) and neither imports the other's types, so
//! these tests check that they agree, through a connection's whole life, and every
//! unconfirmed behaviour both ways.
//!
//! Each test starts its own sandbox (random port, frozen clock) and gives the client the
//! sandbox's clock, so token stamps, quota days and Analytics days run on sandbox time. The
//! consent page is driven like a browser would: GET the authorize URL, POST the form, read
//! the redirect.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Days, Utc};
use futures::TryStreamExt as _;
use futures::future::BoxFuture;
use url::Url;
use youtube_client::{
    ChannelLookup, ChannelPart, ErrorClass, GrantProblem, PlaylistItem, PlaylistItemPart,
    QuotaBucket as ClientBucket, QuotaLedger, QuotaTable, RefreshToken, RetryPolicy, RevokeOutcome,
    StatsSource, StoreError, StoredTokens, TokenGrant, TokenKeeper, TokenStore, VideoPart,
    YouTubeClient, YouTubeConfig, YouTubeError, analytics_range, parse_callback,
};
use youtube_sandbox::{
    AccountSpec, BucketExhausted, ChannelSpec, ConsentForm, DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET, Endpoint, Fault, GeneralExhausted, HiddenSubscribers, NumberEncoding,
    PublishingStatus, QuotaBucket, QuotaSettings, RefreshDeath, RegisteredClient, Sandbox,
    SandboxConfig, SandboxHandle,
};

const REDIRECT_URI: &str = "https://app.example/api/auth/youtube/callback";
const YOUTUBE: &str = "https://www.googleapis.com/auth/youtube.readonly";
const ANALYTICS: &str = "https://www.googleapis.com/auth/yt-analytics.readonly";
const MAYA: &str = "maya@sandbox.test";
const STUDIO: &str = "studio@sandbox.test";
const PAT: &str = "pat@sandbox.test";
const KENJI: &str = "kenji@sandbox.test";
const DAY: Duration = Duration::from_secs(86_400);

fn start_time() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-05T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn sandbox_config() -> SandboxConfig {
    SandboxConfig::new()
        .seed(7)
        .initial_time(start_time())
        .frozen_clock(true)
        .default_client_redirect_uris([REDIRECT_URI])
}

fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_retries: 3,
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(20),
        max_retry_after: Duration::from_secs(1),
    }
}

fn config_for(sandbox: &SandboxHandle) -> YouTubeConfig {
    YouTubeConfig::new(
        DEFAULT_CLIENT_ID,
        DEFAULT_CLIENT_SECRET.to_owned(),
        Url::parse(REDIRECT_URI).unwrap(),
    )
    .with_base_urls(
        sandbox.auth_base_url(),
        sandbox.token_base_url(),
        sandbox.data_base_url(),
        sandbox.analytics_base_url(),
    )
    .with_retry(fast_retry())
    .with_request_timeout(Duration::from_secs(5))
}

fn client_with(sandbox: &SandboxHandle, config: YouTubeConfig) -> YouTubeClient {
    let clock = sandbox.clock();
    YouTubeClient::new(config)
        .unwrap()
        .with_clock(Arc::new(move || clock.now()))
}

fn client_for(sandbox: &SandboxHandle) -> YouTubeClient {
    client_with(sandbox, config_for(sandbox))
}

/// Opens the consent page the client's URL shows, submits `decide`'s form, and returns the
/// redirect's `Location`.
async fn consent(
    sandbox: &SandboxHandle,
    url: &Url,
    decide: impl FnOnce(&ConsentForm) -> Vec<(String, String)>,
) -> String {
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = browser.get(url.clone()).send().await.unwrap();
    assert_eq!(page.status(), 200, "the client's authorize URL was refused");
    let form = ConsentForm::parse(&page.text().await.unwrap()).expect("a consent form");
    let action = sandbox.base_url().join(&form.action).unwrap();
    let answer = browser
        .post(action)
        .form(&decide(&form))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 302);
    answer.headers()["location"].to_str().unwrap().to_owned()
}

/// Consent as `email` granting `granted`, then the code exchange with the PKCE verifier.
async fn connect(
    sandbox: &SandboxHandle,
    client: &YouTubeClient,
    email: &str,
    granted: &[&str],
) -> TokenGrant {
    let request = client.authorization_request();
    let location = consent(sandbox, &request.url, |form| form.approve(email, granted)).await;
    assert!(location.starts_with(REDIRECT_URI), "{location}");
    let callback = parse_callback(&location, &request.state).unwrap();
    client
        .exchange_code(&callback.code, request.pkce_verifier.as_ref())
        .await
        .unwrap()
}

/// An in-memory token store; clones share the tokens.
#[derive(Clone, Default)]
struct MemoryStore(Arc<Mutex<HashMap<String, StoredTokens>>>);

impl MemoryStore {
    fn get(&self, account: &str) -> Option<StoredTokens> {
        self.0.lock().unwrap().get(account).cloned()
    }
}

impl TokenStore for MemoryStore {
    fn load<'a>(
        &'a self,
        account: &'a str,
    ) -> BoxFuture<'a, Result<Option<StoredTokens>, StoreError>> {
        Box::pin(async move { Ok(self.get(account)) })
    }

    fn save<'a>(
        &'a self,
        account: &'a str,
        tokens: &'a StoredTokens,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            self.0
                .lock()
                .unwrap()
                .insert(account.to_owned(), tokens.clone());
            Ok(())
        })
    }
}

/// Every video id of the uploads playlist.
async fn upload_ids(
    client: &YouTubeClient,
    token: &youtube_client::AccessToken,
    playlist: &str,
) -> Vec<String> {
    let items: Vec<PlaylistItem> = client
        .playlist_items(token, playlist, &PlaylistItemPart::DEFAULT)
        .try_collect()
        .await
        .unwrap();
    items
        .iter()
        .filter_map(|item| item.video_id().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn a_whole_life_consent_a_month_of_refreshes_reads_quota_and_revocation() {
    let sandbox = Sandbox::start(sandbox_config()).await.unwrap();
    let clock = sandbox.clock();
    let ledger = Arc::new(QuotaLedger::with_clock(
        QuotaTable::current(),
        Arc::new(move || clock.now()),
    ));
    let client = client_for(&sandbox).with_call_hook(ledger.clone());

    // Consent with Analytics unticked: connect anyway, without Analytics.
    let first = connect(&sandbox, &client, MAYA, &[YOUTUBE]).await;
    let features = first.usable().unwrap();
    assert!(!features.analytics && features.identity);
    assert_eq!(first.expires_in, Duration::from_secs(3_599));
    assert_eq!(
        first.obtained_at,
        sandbox.now(),
        "stamped on the sandbox clock"
    );
    let (start, end) = analytics_range(sandbox.now(), 30);
    let refused = client
        .daily_channel_report(&first.access_token, start, end)
        .await
        .unwrap_err();
    assert_eq!(refused.class(), ErrorClass::PermissionMissing);
    assert_eq!(refused.missing_scope(), Some(ANALYTICS));
    let claims = first
        .id_token
        .as_ref()
        .unwrap()
        .unverified_claims()
        .unwrap();
    assert_eq!(claims.sub, sandbox.account(MAYA).unwrap().summary.sub);

    // Asked again (incremental), the user grants Analytics: both scopes now.
    let grant = connect(&sandbox, &client, MAYA, &[YOUTUBE, ANALYTICS]).await;
    assert!(grant.usable().unwrap().analytics);
    let store = MemoryStore::default();
    let account = "maya";
    store
        .save(account, &StoredTokens::from_grant(&grant).unwrap())
        .await
        .unwrap();
    let keeper = TokenKeeper::new(client.clone(), store.clone());

    // A month of days: each day the access token has expired, and the keeper refreshes it.
    let refreshes_before = sandbox.call_count(Endpoint::Refresh);
    for _ in 0..30 {
        sandbox.advance_clock(DAY);
        keeper.token(account, sandbox.now()).await.unwrap();
    }
    assert_eq!(sandbox.call_count(Endpoint::Refresh) - refreshes_before, 30);
    let stored = store.get(account).unwrap();
    assert_eq!(
        stored.refresh_token,
        grant.refresh_token.clone().unwrap(),
        "never rotated"
    );
    assert!(stored.scopes.analytics());
    keeper.token(account, sandbox.now()).await.unwrap();
    assert_eq!(
        sandbox.call_count(Endpoint::Refresh) - refreshes_before,
        30,
        "a fresh token is reused"
    );

    // The channel.
    let now = sandbox.now();
    let lookup = keeper
        .call(account, now, |token| {
            let client = client.clone();
            async move { client.my_channel(&token, &ChannelPart::DEFAULT).await }
        })
        .await
        .unwrap();
    let ChannelLookup::Found(channel) = lookup else {
        panic!("Maya has a channel");
    };
    let truth = sandbox.account(MAYA).unwrap();
    let summary = truth.summary.channel.as_ref().unwrap();
    assert_eq!(channel.id, summary.channel_id);
    let statistics = channel.statistics.as_ref().unwrap();
    let rounded = {
        let mut factor = 1;
        while summary.subscribers / factor >= 1_000 {
            factor *= 10;
        }
        summary.subscribers / factor * factor
    };
    assert_eq!(statistics.subscriber_count, Some(rounded));
    assert_eq!(statistics.video_count, Some(summary.public_videos));
    assert_eq!(statistics.view_count, Some(summary.view_count));

    // Every video.
    let token = keeper.token(account, now).await.unwrap();
    let ids = upload_ids(&client, &token, channel.uploads_playlist_id().unwrap()).await;
    let expected: Vec<&str> = truth.videos.iter().map(|video| video.id.as_str()).collect();
    assert_eq!(ids, expected);
    let lookup = client
        .videos(&token, &ids, &VideoPart::DEFAULT)
        .await
        .unwrap();
    assert_eq!(
        lookup.videos.len(),
        truth.videos.iter().filter(|v| !v.deleted).count()
    );
    for video in &lookup.videos {
        let known = truth.videos.iter().find(|v| v.id == video.id).unwrap();
        assert_eq!(
            video.statistics.as_ref().unwrap().view_count,
            Some(known.views)
        );
    }

    // Analytics: a month of days up to the last complete one.
    let (start, end) = analytics_range(now, 30);
    let report = client
        .daily_channel_report(&token, start, end)
        .await
        .unwrap();
    let today = youtube_client::quota_day(now);
    assert_eq!(
        report.rows.last().unwrap().day,
        today.checked_sub_days(Days::new(2)).unwrap()
    );
    assert!(
        report
            .rows
            .windows(2)
            .all(|pair| pair[0].day.succ_opt() == Some(pair[1].day))
    );
    assert!(report.rows.iter().map(|row| row.views).sum::<u64>() > 0);

    // Quota exhausted, then reset at midnight Pacific.
    sandbox.set_quota_used(DEFAULT_CLIENT_ID, QuotaBucket::General, 10_000);
    let spent = client
        .my_channel(&token, &[ChannelPart::Id])
        .await
        .unwrap_err();
    let resets_at = sandbox.quota_usage(DEFAULT_CLIENT_ID).resets_at;
    assert_eq!(spent.quota_resets_at(), Some(resets_at));
    assert!(ledger.is_exhausted(ClientBucket::General));
    let calls = sandbox.call_count(Endpoint::Channels);
    let again = client
        .my_channel(&token, &[ChannelPart::Id])
        .await
        .unwrap_err();
    assert!(matches!(again, YouTubeError::CallRejected { .. }));
    assert_eq!(
        sandbox.call_count(Endpoint::Channels),
        calls,
        "the ledger held it back"
    );
    sandbox.advance_clock((resets_at - sandbox.now()).to_std().unwrap());
    let token = keeper.token(account, sandbox.now()).await.unwrap();
    assert!(client.my_channel(&token, &[ChannelPart::Id]).await.is_ok());

    // Revocation: done, done again, and the connection is dead.
    let refresh_token = store.get(account).unwrap().refresh_token;
    assert_eq!(
        client.revoke_refresh_token(&refresh_token).await.unwrap(),
        RevokeOutcome::Revoked
    );
    assert_eq!(
        client.revoke_refresh_token(&refresh_token).await.unwrap(),
        RevokeOutcome::AlreadyInvalid
    );
    let dead = client
        .my_channel(&token, &[ChannelPart::Id])
        .await
        .unwrap_err();
    assert_eq!(dead.class(), ErrorClass::AccessTokenRejected);
    let after = keeper
        .call(account, sandbox.now(), |token| {
            let client = client.clone();
            async move { client.my_channel(&token, &[ChannelPart::Id]).await }
        })
        .await
        .unwrap_err();
    assert!(
        after.needs_reauth(),
        "the refresh after the refused token is invalid_grant"
    );
}

/// A full sync: the channel, every page of uploads, and every video's counters.
async fn full_sync(client: &YouTubeClient, token: &youtube_client::AccessToken) -> usize {
    let ChannelLookup::Found(channel) = client
        .my_channel(token, &ChannelPart::DEFAULT)
        .await
        .unwrap()
    else {
        panic!("a channel");
    };
    let ids = upload_ids(client, token, channel.uploads_playlist_id().unwrap()).await;
    client.video_statistics(token, &ids).await.unwrap();
    ids.len()
}

#[tokio::test]
async fn a_sync_costs_exactly_what_the_readme_says() {
    let thousand = AccountSpec::with_channel(
        "thousand@sandbox.test",
        "Thousand",
        ChannelSpec::new("A Thousand Uploads", "@thousand", 5_000, 1_000),
    );
    let empty = AccountSpec::with_channel(
        "empty@sandbox.test",
        "Empty",
        ChannelSpec::new("Nothing Yet", "@empty", 0, 0),
    );
    let table = QuotaTable::current();
    for (email, uploads, classic) in [
        ("thousand@sandbox.test", 1_000, 41),
        (STUDIO, 1_250, 51),
        (MAYA, 24, 3),
        ("empty@sandbox.test", 0, 2),
    ] {
        for source in [StatsSource::VideosList, StatsSource::BatchGetStats] {
            let sandbox = Sandbox::start(
                sandbox_config()
                    .account(thousand.clone())
                    .account(empty.clone()),
            )
            .await
            .unwrap();
            let client = client_with(&sandbox, config_for(&sandbox).with_stats_source(source));
            let grant = connect(&sandbox, &client, email, &[YOUTUBE]).await;
            let synced = full_sync(&client, &grant.access_token).await;
            assert_eq!(synced, uploads);
            let expected = table.sync_cost(uploads as u64, source, 0);
            let usage = sandbox.quota_usage(DEFAULT_CLIENT_ID);
            assert_eq!(
                usage.used(QuotaBucket::General),
                expected.units(ClientBucket::General),
                "{email} {source:?}"
            );
            assert_eq!(
                usage.used(QuotaBucket::BatchGetStats),
                expected.units(ClientBucket::BatchGetStats),
                "{email} {source:?}"
            );
            if source == StatsSource::VideosList {
                assert_eq!(expected.total(), classic, "the README's table");
            }
        }
    }
}

#[tokio::test]
async fn an_account_without_a_channel_is_an_outcome() {
    let sandbox = Sandbox::start(sandbox_config()).await.unwrap();
    let client = client_for(&sandbox);
    let grant = connect(&sandbox, &client, PAT, &[YOUTUBE, ANALYTICS]).await;
    assert_eq!(
        client
            .my_channel(&grant.access_token, &ChannelPart::DEFAULT)
            .await
            .unwrap(),
        ChannelLookup::NoChannel
    );
    let error = client
        .playlist_items_page(
            &grant.access_token,
            "UUxxxxxxxxxxxxxxxxxxxxxx",
            None,
            &PlaylistItemPart::DEFAULT,
        )
        .await
        .unwrap_err();
    assert_eq!(error.class(), ErrorClass::NoChannel);
    // Unticking YouTube makes the grant unusable.
    let grant = connect(&sandbox, &client, KENJI, &[ANALYTICS]).await;
    assert_eq!(grant.usable(), Err(GrantProblem::YouTubeScopeNotGranted));
}

#[tokio::test]
async fn dead_refresh_tokens_surface_as_reauth() {
    for cause in [
        RefreshDeath::Idle,
        RefreshDeath::TooManyTokens,
        RefreshDeath::AdminPolicy,
    ] {
        let sandbox = Sandbox::start(sandbox_config()).await.unwrap();
        let client = client_for(&sandbox);
        let grant = connect(&sandbox, &client, MAYA, &[YOUTUBE]).await;
        let store = MemoryStore::default();
        store
            .save("m", &StoredTokens::from_grant(&grant).unwrap())
            .await
            .unwrap();
        assert_eq!(sandbox.expire_refresh_tokens(MAYA, None, cause), 1);
        sandbox.advance_clock(Duration::from_secs(3_600));
        let error = TokenKeeper::new(client, store)
            .token("m", sandbox.now())
            .await
            .unwrap_err();
        assert!(error.needs_reauth(), "{cause:?}");
    }
    // A Testing client: a daily refresh does not save the token past seven days.
    let testing = RegisteredClient::new(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, [REDIRECT_URI])
        .with_publishing_status(PublishingStatus::Testing);
    let sandbox = Sandbox::start(sandbox_config().client(testing))
        .await
        .unwrap();
    let client = client_for(&sandbox);
    let grant = connect(&sandbox, &client, MAYA, &[YOUTUBE]).await;
    let store = MemoryStore::default();
    store
        .save("m", &StoredTokens::from_grant(&grant).unwrap())
        .await
        .unwrap();
    let keeper = TokenKeeper::new(client, store);
    for _ in 0..6 {
        sandbox.advance_clock(DAY);
        keeper.token("m", sandbox.now()).await.unwrap();
    }
    sandbox.advance_clock(DAY);
    assert!(
        keeper
            .token("m", sandbox.now())
            .await
            .unwrap_err()
            .needs_reauth()
    );
}

#[tokio::test]
async fn hidden_subscriber_counts_read_as_hidden_in_every_shape() {
    for (shape, flag, raw) in [
        (HiddenSubscribers::Omit, true, None),
        (HiddenSubscribers::Zero, true, Some(0)),
        (HiddenSubscribers::Shown, true, Some(1_980_000)),
        (HiddenSubscribers::Omit, false, None),
    ] {
        let sandbox = Sandbox::start(
            sandbox_config()
                .hidden_subscribers(shape)
                .hidden_subscriber_flag(flag),
        )
        .await
        .unwrap();
        let client = client_for(&sandbox);
        let grant = connect(&sandbox, &client, STUDIO, &[YOUTUBE]).await;
        let lookup = client
            .my_channel(&grant.access_token, &[ChannelPart::Statistics])
            .await
            .unwrap();
        let statistics = lookup.channel().unwrap().statistics.clone().unwrap();
        assert_eq!(statistics.subscriber_count, raw, "{shape:?} {flag}");
        assert_eq!(statistics.hidden_subscriber_count, flag.then_some(true));
        if flag {
            assert_eq!(statistics.visible_subscriber_count(), None, "{shape:?}");
        }
    }
}

#[tokio::test]
async fn batch_get_stats_in_both_encodings_and_non_atomic() {
    for (encoding, drop_every) in [
        (NumberEncoding::Strings, None),
        (NumberEncoding::Numbers, Some(5)),
    ] {
        let sandbox = Sandbox::start(
            sandbox_config()
                .batch_numbers(encoding)
                .batch_drop_every(drop_every),
        )
        .await
        .unwrap();
        let client = client_with(
            &sandbox,
            config_for(&sandbox).with_stats_source(StatsSource::BatchGetStats),
        );
        let grant = connect(&sandbox, &client, MAYA, &[YOUTUBE]).await;
        let truth = sandbox.account(MAYA).unwrap();
        let ids: Vec<String> = truth.videos.iter().map(|v| v.id.clone()).collect();
        let lookup = client
            .video_statistics(&grant.access_token, &ids)
            .await
            .unwrap();
        let deleted = truth.videos.iter().filter(|v| v.deleted).count();
        let dropped = drop_every.map_or(0, |n| ids.len() / n as usize);
        assert_eq!(
            lookup.statistics.len() + lookup.missing.len(),
            ids.len(),
            "{encoding:?}"
        );
        assert!(lookup.missing.len() >= dropped.max(deleted));
        for (id, statistics) in &lookup.statistics {
            let known = truth.videos.iter().find(|v| &v.id == id).unwrap();
            assert_eq!(statistics.view_count, Some(known.views), "{encoding:?}");
        }
    }
}

#[tokio::test]
async fn every_shape_of_an_exhausted_quota_is_quota_exhausted() {
    let shapes = [
        (
            GeneralExhausted::QuotaExceeded,
            BucketExhausted::PerDay429,
            true,
        ),
        (
            GeneralExhausted::DailyLimitExceeded,
            BucketExhausted::QuotaExceeded403,
            false,
        ),
    ];
    for (general, bucket, status_field) in shapes {
        let settings = QuotaSettings::current().with_exhausted_shapes(general, bucket);
        let sandbox = Sandbox::start(
            sandbox_config()
                .quota(settings)
                .error_status_field(status_field),
        )
        .await
        .unwrap();
        let client = client_for(&sandbox);
        let grant = connect(&sandbox, &client, MAYA, &[YOUTUBE]).await;
        let resets_at = sandbox.quota_usage(DEFAULT_CLIENT_ID).resets_at;
        sandbox.set_quota_used(DEFAULT_CLIENT_ID, QuotaBucket::BatchGetStats, 10_000);
        let ids = vec![sandbox.account(MAYA).unwrap().videos[0].id.clone()];
        let error = client
            .batch_get_stats(
                &grant.access_token,
                &ids,
                &[youtube_client::StatsPart::Statistics],
            )
            .await
            .unwrap_err();
        assert_eq!(error.quota_resets_at(), Some(resets_at), "{bucket:?}");
        assert_eq!(error.quota_bucket(), Some(ClientBucket::BatchGetStats));
        sandbox.set_quota_used(DEFAULT_CLIENT_ID, QuotaBucket::General, 10_000);
        let error = client
            .my_channel(&grant.access_token, &[])
            .await
            .unwrap_err();
        assert_eq!(error.quota_resets_at(), Some(resets_at), "{general:?}");
        assert_eq!(sandbox.call_count(Endpoint::Channels), 1, "never retried");
    }
}

#[tokio::test]
async fn the_older_single_pool_agrees_between_client_and_sandbox() {
    let sandbox = Sandbox::start(sandbox_config().quota(QuotaSettings::single_pool()))
        .await
        .unwrap();
    let clock = sandbox.clock();
    let ledger = Arc::new(QuotaLedger::with_clock(
        QuotaTable::single_pool(),
        Arc::new(move || clock.now()),
    ));
    let client = client_with(
        &sandbox,
        config_for(&sandbox).with_quota_table(QuotaTable::single_pool()),
    )
    .with_call_hook(ledger.clone());
    let grant = connect(&sandbox, &client, MAYA, &[YOUTUBE]).await;
    client
        .data_get(
            &grant.access_token,
            "search",
            &[("part", "id"), ("forMine", "true"), ("type", "video")],
            "search.list",
        )
        .await
        .unwrap();
    client.my_channel(&grant.access_token, &[]).await.unwrap();
    assert_eq!(ledger.spent(ClientBucket::General), 101);
    assert_eq!(
        sandbox
            .quota_usage(DEFAULT_CLIENT_ID)
            .used(QuotaBucket::General),
        101
    );
}

#[tokio::test]
async fn other_unconfirmed_behaviours_both_ways() {
    // Rotation: the keeper stores the new refresh token; the old one dies.
    let sandbox = Sandbox::start(sandbox_config().rotate_refresh_tokens(true))
        .await
        .unwrap();
    let client = client_for(&sandbox);
    let grant = connect(&sandbox, &client, MAYA, &[YOUTUBE]).await;
    let store = MemoryStore::default();
    store
        .save("m", &StoredTokens::from_grant(&grant).unwrap())
        .await
        .unwrap();
    let keeper = TokenKeeper::new(client.clone(), store.clone());
    sandbox.advance_clock(Duration::from_secs(3_600));
    keeper.token("m", sandbox.now()).await.unwrap();
    let rotated = store.get("m").unwrap().refresh_token;
    assert_ne!(Some(&rotated), grant.refresh_token.as_ref());
    assert!(
        client
            .refresh(grant.refresh_token.as_ref().unwrap())
            .await
            .unwrap_err()
            .needs_reauth()
    );
    assert!(client.refresh(&rotated).await.is_ok());

    // A longer access token life, and time-based access.
    let sandbox = Sandbox::start(
        sandbox_config()
            .access_token_lifetime(Duration::from_secs(3_920))
            .offer_time_based_access(true),
    )
    .await
    .unwrap();
    let client = client_for(&sandbox);
    let request = client.authorization_request();
    let location = consent(&sandbox, &request.url, |form| {
        form.approve_for_hours(MAYA, &[YOUTUBE], 168)
    })
    .await;
    let callback = parse_callback(&location, &request.state).unwrap();
    let grant = client
        .exchange_code(&callback.code, request.pkce_verifier.as_ref())
        .await
        .unwrap();
    assert_eq!(grant.expires_in, Duration::from_secs(3_920));
    assert_eq!(
        grant.refresh_token_expires_at(),
        Some(sandbox.now() + chrono::Duration::days(7))
    );
    let stored = StoredTokens::from_grant(&grant).unwrap();
    assert_eq!(
        stored.refresh_token_expires_at,
        grant.refresh_token_expires_at()
    );

    // Analytics without youtube.readonly, where the sandbox allows it.
    let sandbox = Sandbox::start(sandbox_config().analytics_requires_youtube_readonly(false))
        .await
        .unwrap();
    let client = client_for(&sandbox);
    let grant = connect(&sandbox, &client, KENJI, &[ANALYTICS]).await;
    let (start, end) = analytics_range(sandbox.now(), 7);
    assert!(
        client
            .daily_channel_report(&grant.access_token, start, end)
            .await
            .is_ok()
    );

    // Revoking only the token's line: its refresh token dies with it, the grant lives on.
    let sandbox = Sandbox::start(sandbox_config().revoke_whole_grant(false))
        .await
        .unwrap();
    let client = client_for(&sandbox);
    let first = connect(&sandbox, &client, MAYA, &[YOUTUBE]).await;
    let second = connect(&sandbox, &client, MAYA, &[YOUTUBE]).await;
    client
        .revoke_access_token(&first.access_token)
        .await
        .unwrap();
    assert!(
        client
            .refresh(first.refresh_token.as_ref().unwrap())
            .await
            .unwrap_err()
            .needs_reauth()
    );
    assert!(
        client
            .refresh(second.refresh_token.as_ref().unwrap())
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn injected_faults_are_retried_or_reported_as_their_class() {
    let sandbox = Sandbox::start(sandbox_config()).await.unwrap();
    let client = client_for(&sandbox);
    let grant = connect(&sandbox, &client, STUDIO, &[YOUTUBE]).await;
    let token = &grant.access_token;
    sandbox.set_fault_for_calls(Endpoint::Channels, Fault::BackendError, 2);
    assert!(
        client
            .my_channel(token, &[ChannelPart::ContentDetails])
            .await
            .is_ok()
    );
    assert_eq!(sandbox.call_count(Endpoint::Channels), 3);
    let playlist = sandbox
        .account(STUDIO)
        .unwrap()
        .summary
        .channel
        .unwrap()
        .uploads_playlist_id;
    // A stale page token in the middle of the walk: it starts over and yields no duplicates.
    let before = sandbox.call_count(Endpoint::PlaylistItems);
    let walked: Vec<PlaylistItem> = {
        let stream = client.playlist_items(token, &playlist, &PlaylistItemPart::DEFAULT);
        futures::pin_mut!(stream);
        let mut items = Vec::new();
        while let Some(item) = stream.try_next().await.unwrap() {
            items.push(item);
            if items.len() == 100 {
                sandbox.set_fault_for_calls(Endpoint::PlaylistItems, Fault::InvalidPageToken, 1);
            }
        }
        items
    };
    assert_eq!(walked.len(), 1_250);
    let unique: std::collections::HashSet<&str> =
        walked.iter().map(|item| item.id.as_str()).collect();
    assert_eq!(unique.len(), 1_250);
    assert_eq!(
        sandbox.call_count(Endpoint::PlaylistItems) - before,
        25 + 1 + 2,
        "one refused page, then the first two again"
    );
    sandbox.set_fault(
        Endpoint::Videos,
        Fault::RateLimitExceeded {
            status: Some(429),
            retry_after_secs: None,
        },
    );
    let error = client
        .videos_list(token, &["dQw4w9WgXcQ".to_owned()], &[])
        .await
        .unwrap_err();
    assert!(matches!(error.class(), ErrorClass::RateLimited { .. }));
    assert_eq!(
        sandbox.call_count(Endpoint::Videos),
        4,
        "retried with backoff, then returned"
    );
    sandbox.set_fault(Endpoint::Refresh, Fault::InvalidGrant { description: None });
    let error = client
        .refresh(&RefreshToken::new("1//0anything"))
        .await
        .unwrap_err();
    assert!(error.needs_reauth());
}
