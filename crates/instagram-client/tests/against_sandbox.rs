//! The real client against the real sandbox, over real HTTP: both crates are written from
//! the wire-format reference (`instagram-api.md`) and neither imports the other's types, so
//! these tests check that they agree, through a connection's whole life.
//!
//! Each test starts its own sandbox (random port, frozen clock) and gives the client the
//! sandbox's clock, so token stamps and the 24-hour rule run on sandbox time. The consent
//! page is driven like a browser would: GET the authorize URL, POST the form, read the
//! redirect.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::TryStreamExt as _;
use futures::future::BoxFuture;
use instagram_client::{
    AccountInsightsQuery, Connection, ErrorClass, InsightsState, InstagramClient, InstagramConfig,
    InstagramError, LongLivedToken, MediaMetric, MediaProductType, MediaQuery, MetricType,
    MetricValue, ProfileField, RetryPolicy, StoreError, TokenKeeper, TokenStore, deletion_response,
    parse_callback, signed_request_from_form,
};
use instagram_sandbox::{
    AccountDetails, CallbackKind, ConsentForm, DEFAULT_APP_ID, DEFAULT_APP_SECRET, Endpoint, Fault,
    RegisteredApp, Sandbox, SandboxConfig, SandboxHandle, TokenResponseShape,
};
use url::Url;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const REDIRECT_URI: &str = "https://app.example/api/auth/instagram/callback";

fn start_time() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn sandbox_config() -> SandboxConfig {
    SandboxConfig::new()
        .seed(7)
        .initial_time(start_time())
        .frozen_clock(true)
        .default_app_redirect_uris([REDIRECT_URI])
}

fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_retries: 2,
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(20),
        max_throttle_wait: Duration::from_secs(1),
    }
}

fn client_for(sandbox: &SandboxHandle) -> InstagramClient {
    let config = InstagramConfig::new(
        DEFAULT_APP_ID,
        DEFAULT_APP_SECRET.to_owned(),
        Url::parse(REDIRECT_URI).unwrap(),
    )
    .with_base_urls(
        sandbox.authorize_base_url(),
        sandbox.api_base_url(),
        sandbox.graph_base_url(),
    )
    .with_page_limit(7)
    .with_retry(fast_retry())
    .with_request_timeout(Duration::from_secs(5));
    let clock = sandbox.clock();
    InstagramClient::new(config)
        .unwrap()
        .with_clock(Arc::new(move || clock.now()))
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Opens the consent page the client's URL shows, submits `decide`'s form, and returns the
/// redirect's `Location`.
async fn consent(
    sandbox: &SandboxHandle,
    url: &Url,
    decide: impl FnOnce(&ConsentForm) -> Vec<(String, String)>,
) -> String {
    let browser = browser();
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

fn account(sandbox: &SandboxHandle, username: &str) -> AccountDetails {
    sandbox.account(username).unwrap()
}

/// Consent as `username` granting `granted`, then the code and long-lived exchanges.
async fn connect(
    sandbox: &SandboxHandle,
    client: &InstagramClient,
    username: &str,
    granted: &[&str],
) -> Connection {
    let ig_user_id = account(sandbox, username).summary.ig_user_id;
    let request = client.authorization_request();
    let location = consent(sandbox, &request.url, |form| {
        form.approve(&ig_user_id, granted)
    })
    .await;
    assert!(location.starts_with(REDIRECT_URI), "{location}");
    assert!(
        location.ends_with("#_"),
        "the documented fragment: {location}"
    );
    let callback = parse_callback(&location, &request.state).unwrap();
    client.connect(&callback.code, None).await.unwrap()
}

const BOTH: [&str; 2] = [
    "instagram_business_basic",
    "instagram_business_manage_insights",
];

/// An in-memory token store; clones share the tokens.
#[derive(Clone, Default)]
struct MemoryStore {
    tokens: Arc<Mutex<HashMap<String, LongLivedToken>>>,
}

impl MemoryStore {
    fn get(&self, account: &str) -> Option<LongLivedToken> {
        self.tokens.lock().unwrap().get(account).cloned()
    }
}

impl TokenStore for MemoryStore {
    fn load<'a>(
        &'a self,
        account: &'a str,
    ) -> BoxFuture<'a, Result<Option<LongLivedToken>, StoreError>> {
        Box::pin(async move { Ok(self.tokens.lock().unwrap().get(account).cloned()) })
    }

    fn save<'a>(
        &'a self,
        account: &'a str,
        token: &'a LongLivedToken,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            self.tokens
                .lock()
                .unwrap()
                .insert(account.to_owned(), token.clone());
            Ok(())
        })
    }
}

#[tokio::test]
async fn a_whole_life_consent_exchange_thirty_days_of_refreshes_throttle_and_deauthorization() {
    let callbacks = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/deauthorize"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&callbacks)
        .await;
    let base = Url::parse(&callbacks.uri()).unwrap();
    let app = RegisteredApp::new(DEFAULT_APP_ID, DEFAULT_APP_SECRET, [REDIRECT_URI])
        .with_deauthorize_url(base.join("deauthorize").unwrap());
    let sandbox = Sandbox::start(sandbox_config().app(app)).await.unwrap();
    let client = client_for(&sandbox);

    // Consent, code exchange, long-lived exchange straight after.
    let connection = connect(&sandbox, &client, "metricsaurus", &BOTH).await;
    let truth = account(&sandbox, "metricsaurus");
    assert_eq!(connection.user_id, truth.summary.app_scoped_id);
    assert_eq!(connection.permissions, BOTH);
    assert_eq!(
        connection.token.expires_in,
        Duration::from_secs(5_184_000),
        "from expires_in"
    );
    assert_eq!(
        connection.token.issued_at,
        sandbox.now(),
        "stamped on the sandbox clock"
    );

    // Profile, with the fields the permissions allow.
    let token = connection.token.access_token.clone();
    let profile = client
        .profile(&token, &ProfileField::allowed_by(&connection.permissions))
        .await
        .unwrap();
    let ig_user_id = profile.user_id.clone().unwrap();
    assert_eq!(ig_user_id, truth.summary.ig_user_id);
    assert_eq!(profile.followers_count, Some(truth.summary.followers_count));
    assert_eq!(profile.media_count, Some(truth.summary.media_count));

    // Every media, paging through `paging.next` with 7 per page.
    let before = sandbox.call_count(Endpoint::MediaList);
    let media: Vec<_> = client
        .media(&token, &ig_user_id, MediaQuery::default())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(media.len(), truth.media.len());
    assert_eq!(
        sandbox.call_count(Endpoint::MediaList) - before,
        truth.media.len().div_ceil(7) as u64
    );
    let ids: Vec<_> = media.iter().map(|m| m.id.clone()).collect();
    let expected: Vec<_> = truth.media.iter().map(|m| m.id.clone()).collect();
    assert_eq!(ids, expected, "newest first, ids as strings");
    assert!(
        media
            .iter()
            .any(|m| m.product_type() == MediaProductType::Reels)
    );
    assert!(
        media.iter().any(|m| !m.children.is_empty()),
        "carousels carry children"
    );
    assert!(
        media.iter().any(|m| m.like_count.is_none()),
        "hidden likes stay unknown"
    );

    // Insights per product type; media from before the conversion are a state, not an error.
    for (item, expected) in media.iter().zip(&truth.media).take(12) {
        let product = item.product_type();
        let insights = client
            .media_insights(
                &token,
                &item.id,
                &product,
                &MediaMetric::recommended_for(&product),
            )
            .await
            .unwrap();
        if expected.before_conversion {
            assert_eq!(insights.state, InsightsState::Unavailable);
            continue;
        }
        assert_eq!(insights.state, InsightsState::Available);
        assert_eq!(
            insights.get(MediaMetric::Views),
            Some(MetricValue::Integer(expected.views as i64))
        );
        assert!(
            insights.unsupported.is_empty(),
            "{:?}",
            insights.unsupported
        );
    }
    let oldest = media.last().unwrap();
    let insights = client
        .media_insights(
            &token,
            &oldest.id,
            &oldest.product_type(),
            &[MediaMetric::Views],
        )
        .await
        .unwrap();
    assert_eq!(
        insights.state,
        InsightsState::Unavailable,
        "posted before the conversion"
    );

    // Account insights: a daily total.
    let now = sandbox.now();
    let query = AccountInsightsQuery::daily_totals(
        ["reach", "views"],
        now - chrono::Duration::days(7),
        now,
    );
    let totals = client
        .account_insights(&token, &ig_user_id, &query, now)
        .await
        .unwrap();
    assert_eq!(totals.len(), 2);
    assert!(totals.iter().all(|insight| insight.value().is_some()));

    // Thirty days of clock: the keeper refreshes whenever 55 days or less remain.
    let store = MemoryStore::default();
    store.save(&ig_user_id, &connection.token).await.unwrap();
    let keeper = TokenKeeper::new(
        client.clone(),
        store.clone(),
        Duration::from_secs(55 * 86_400),
    );
    let refreshes_before = sandbox.call_count(Endpoint::Refresh);
    let followers_at_start = profile.followers_count.unwrap();
    let mut last = 0;
    for _day in 0..30 {
        sandbox.advance_clock(Duration::from_secs(86_400));
        let profile = keeper
            .call(&ig_user_id, sandbox.now(), |token| {
                let client = client.clone();
                async move {
                    client
                        .profile(&token, &[ProfileField::FollowersCount])
                        .await
                }
            })
            .await
            .unwrap();
        last = profile.followers_count.unwrap();
    }
    assert!(last > followers_at_start, "followers grew over the month");
    let refreshes = sandbox.call_count(Endpoint::Refresh) - refreshes_before;
    assert!(
        (5..=7).contains(&refreshes),
        "about every 5 days: {refreshes}"
    );
    let latest = store.get(&ig_user_id).unwrap();
    assert!(latest.expires_at() > sandbox.now() + chrono::Duration::days(54));

    // A throttle: the announced wait is honoured on the sandbox clock.
    let token = latest.access_token;
    sandbox.set_fault_for_calls(
        Endpoint::Profile,
        Fault::Throttled {
            code: 80_002,
            regain_minutes: 10,
            status: Some(403),
        },
        1,
    );
    let throttled = client
        .profile(&token, &[ProfileField::Username])
        .await
        .unwrap_err();
    assert_eq!(
        throttled.class(),
        ErrorClass::Throttled {
            retry_after: Some(Duration::from_secs(600))
        }
    );
    assert!(throttled.usage().is_some());
    let still = client
        .profile(&token, &[ProfileField::Username])
        .await
        .unwrap_err();
    assert!(
        matches!(still.class(), ErrorClass::Throttled { .. }),
        "before the wait is over"
    );
    sandbox.advance_clock(throttled.retry_after().unwrap());
    client
        .profile(&token, &[ProfileField::Username])
        .await
        .unwrap();

    // The user removes the app: a signed request arrives, and the token is dead.
    let deliveries = sandbox.remove_app(&ig_user_id, None, false).await;
    assert_eq!(deliveries.len(), 1);
    assert_eq!(deliveries[0].kind, CallbackKind::Deauthorize);
    assert!(deliveries[0].accepted);
    let received = callbacks.received_requests().await.unwrap();
    let signed = signed_request_from_form(&received[0].body).unwrap();
    let payload = client.verify_signed_request(&signed).unwrap();
    assert_eq!(
        payload.user_id, connection.user_id,
        "the app-scoped id by default"
    );
    let dead = client
        .profile(&token, &[ProfileField::Username])
        .await
        .unwrap_err();
    assert!(dead.needs_reauth());
    assert_eq!(dead.subcode(), Some(458));
    assert!(!dead.is_retryable());
    sandbox.stop().await;
}

#[tokio::test]
async fn the_flat_token_shape_and_a_number_user_id_connect_too() {
    let sandbox = Sandbox::start(sandbox_config().token_shape(TokenResponseShape::Flat))
        .await
        .unwrap();
    let client = client_for(&sandbox);
    let connection = connect(&sandbox, &client, "ana.makes", &BOTH).await;
    assert_eq!(
        connection.user_id,
        account(&sandbox, "ana.makes").summary.app_scoped_id
    );
    sandbox.stop().await;
}

#[tokio::test]
async fn the_24_hour_rule_is_kept_by_the_client_and_enforced_by_the_sandbox() {
    let sandbox = Sandbox::start(sandbox_config()).await.unwrap();
    let client = client_for(&sandbox);
    let connection = connect(&sandbox, &client, "metricsaurus", &BOTH).await;
    sandbox.advance_clock(Duration::from_secs(23 * 3_600));
    let early = client
        .refresh_long_lived(&connection.token, sandbox.now())
        .await
        .unwrap_err();
    assert!(matches!(early, InstagramError::RefreshNotAllowed(_)));
    assert_eq!(
        sandbox.call_count(Endpoint::Refresh),
        0,
        "refused without a call"
    );

    // A client that ignores the rule (min age 1 h) meets the sandbox's refusal.
    let careless = InstagramClient::new(
        client
            .config()
            .clone()
            .with_refresh_min_age(Duration::from_secs(3_600)),
    )
    .unwrap()
    .with_clock({
        let clock = sandbox.clock();
        Arc::new(move || clock.now())
    });
    let refused = careless
        .refresh_long_lived(&connection.token, sandbox.now())
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some(100));
    assert_eq!(refused.class(), ErrorClass::Invalid);

    sandbox.advance_clock(Duration::from_secs(3_600 + 300));
    let fresh = client
        .refresh_long_lived(&connection.token, sandbox.now())
        .await
        .unwrap();
    assert_ne!(fresh.access_token, connection.token.access_token);
    assert_eq!(fresh.issued_at, sandbox.now());

    // Sixty days later without a refresh, the old token is dead: only re-auth helps.
    sandbox.advance_clock(Duration::from_secs(60 * 86_400));
    let expired = client
        .refresh_long_lived(&connection.token, sandbox.now())
        .await
        .unwrap_err();
    assert!(expired.needs_reauth());
    let dead = client
        .profile(&connection.token.access_token, &[])
        .await
        .unwrap_err();
    assert_eq!((dead.code(), dead.subcode()), (Some(190), Some(463)));
    sandbox.stop().await;
}

#[tokio::test]
async fn media_without_product_type_and_with_empty_pages_still_walk_to_the_end() {
    let sandbox = Sandbox::start(sandbox_config().media_product_type(false).empty_pages(true))
        .await
        .unwrap();
    let client = client_for(&sandbox);
    let connection = connect(&sandbox, &client, "ana.makes", &BOTH).await;
    let truth = account(&sandbox, "ana.makes");
    let media: Vec<_> = client
        .media(
            &connection.token.access_token,
            "me",
            MediaQuery::default().with_limit(25),
        )
        .try_collect()
        .await
        .unwrap();
    assert_eq!(media.len(), truth.media.len());
    for (item, expected) in media.iter().zip(&truth.media) {
        assert!(item.media_product_type.is_none());
        assert_eq!(
            item.product_type().as_str(),
            expected.media_product_type,
            "derived"
        );
    }
    // 120 media in pages of 25: 5 pages, and an empty page before each of the last 4.
    assert_eq!(sandbox.call_count(Endpoint::MediaList), 9);
    sandbox.stop().await;
}

#[tokio::test]
async fn a_refused_metric_is_retried_alone_and_remembered() {
    let sandbox = Sandbox::start(sandbox_config()).await.unwrap();
    let client = client_for(&sandbox);
    let connection = connect(&sandbox, &client, "metricsaurus", &BOTH).await;
    let token = connection.token.access_token;
    let reel = account(&sandbox, "metricsaurus")
        .media
        .into_iter()
        .find(|m| m.media_product_type == "REELS" && !m.before_conversion)
        .unwrap();
    // `follows` is a feed and story metric: the sandbox refuses it for a reel.
    let metrics = [MediaMetric::Views, MediaMetric::Follows, MediaMetric::Reach];
    let insights = client
        .media_insights(&token, &reel.id, &MediaProductType::Reels, &metrics)
        .await
        .unwrap();
    assert_eq!(insights.unsupported, [MediaMetric::Follows]);
    assert_eq!(
        insights.get(MediaMetric::Views),
        Some(MetricValue::Integer(reel.views as i64))
    );
    assert!(insights.get(MediaMetric::Reach).is_some());
    let calls = sandbox.call_count(Endpoint::MediaInsights);
    assert_eq!(calls, 4, "the batch, then each metric alone");
    let again = client
        .media_insights(&token, &reel.id, &MediaProductType::Reels, &metrics)
        .await
        .unwrap();
    assert_eq!(again.unsupported, [MediaMetric::Follows]);
    assert_eq!(
        sandbox.call_count(Endpoint::MediaInsights),
        calls + 1,
        "not asked again"
    );
    sandbox.stop().await;
}

#[tokio::test]
async fn stories_of_a_small_account_have_not_enough_viewers_and_small_accounts_lack_follower_metrics()
 {
    let sandbox = Sandbox::start(sandbox_config()).await.unwrap();
    let client = client_for(&sandbox);
    let connection = connect(&sandbox, &client, "tiny.studio", &BOTH).await;
    let token = connection.token.access_token;
    let stories = client.stories(&token, "me", &[]).await.unwrap();
    assert_eq!(stories.len(), 1);
    let insights = client
        .media_insights(
            &token,
            &stories[0].id,
            &MediaProductType::Story,
            &[MediaMetric::Views],
        )
        .await
        .unwrap();
    assert_eq!(insights.state, InsightsState::NotEnoughData);
    let now = sandbox.now();
    let query = AccountInsightsQuery::daily_totals(
        ["follower_count"],
        now - chrono::Duration::days(3),
        now,
    )
    .with_metric_type(MetricType::TimeSeries);
    let series = client
        .account_insights(&token, "me", &query, now)
        .await
        .unwrap();
    assert!(series.is_empty(), "under 100 followers: absent, not 0");
    sandbox.advance_clock(Duration::from_secs(25 * 3_600));
    assert!(
        client.stories(&token, "me", &[]).await.unwrap().is_empty(),
        "stories expire"
    );
    sandbox.stop().await;
}

#[tokio::test]
async fn unticked_insights_permission_and_a_denial() {
    let sandbox = Sandbox::start(sandbox_config()).await.unwrap();
    let client = client_for(&sandbox);
    let connection = connect(&sandbox, &client, "metricsaurus", &[]).await;
    assert_eq!(connection.permissions, ["instagram_business_basic"]);
    let ig = account(&sandbox, "metricsaurus").summary.ig_user_id;
    let now = sandbox.now();
    let query = AccountInsightsQuery::daily_totals(["reach"], now - chrono::Duration::days(1), now);
    let error = client
        .account_insights(&connection.token.access_token, &ig, &query, now)
        .await
        .unwrap_err();
    assert_eq!(error.class(), ErrorClass::PermissionMissing);

    let request = client.authorization_request();
    let location = consent(&sandbox, &request.url, ConsentForm::deny).await;
    let denied = parse_callback(&location, &request.state).unwrap_err();
    assert!(matches!(
        denied,
        instagram_client::CallbackError::Denied { .. }
    ));
    sandbox.stop().await;
}

#[tokio::test]
async fn data_deletion_requests_are_verified_and_answered() {
    let callbacks = MockServer::start().await;
    let status = Url::parse("https://app.example/deletion?id=abc123").unwrap();
    Mock::given(method("POST"))
        .and(path("/deletion"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(deletion_response(&status, "abc123")),
        )
        .mount(&callbacks)
        .await;
    let app = RegisteredApp::new(DEFAULT_APP_ID, DEFAULT_APP_SECRET, [REDIRECT_URI])
        .with_deletion_url(
            Url::parse(&callbacks.uri())
                .unwrap()
                .join("deletion")
                .unwrap(),
        );
    let sandbox = Sandbox::start(sandbox_config().app(app)).await.unwrap();
    let client = client_for(&sandbox);
    let deliveries = sandbox.request_deletion("metricsaurus", None, false).await;
    assert_eq!(deliveries.len(), 1);
    assert!(deliveries[0].accepted, "{:?}", deliveries[0]);
    assert_eq!(deliveries[0].confirmation_code.as_deref(), Some("abc123"));
    let forged = sandbox.request_deletion("metricsaurus", None, true).await;
    let received = callbacks.received_requests().await.unwrap();
    assert_eq!(received.len(), 2);
    let genuine = signed_request_from_form(&received[0].body).unwrap();
    assert!(client.verify_signed_request(&genuine).is_ok());
    let tampered = signed_request_from_form(&received[1].body).unwrap();
    assert!(client.verify_signed_request(&tampered).is_err());
    assert!(forged[0].tampered);
    sandbox.stop().await;
}

/// Thirty days of daily reads through a keeper refreshing whenever 55 days or less remain.
async fn thirty_days(sandbox: &SandboxHandle, client: &InstagramClient, username: &str) -> u64 {
    let connection = connect(sandbox, client, username, &BOTH).await;
    let store = MemoryStore::default();
    store.save(username, &connection.token).await.unwrap();
    let keeper = TokenKeeper::new(
        client.clone(),
        store.clone(),
        Duration::from_secs(55 * 86_400),
    );
    for _day in 0..30 {
        sandbox.advance_clock(Duration::from_secs(86_400));
        keeper
            .call(username, sandbox.now(), |token| {
                let client = client.clone();
                async move { client.profile(&token, &[ProfileField::Username]).await }
            })
            .await
            .unwrap();
    }
    assert!(store.get(username).unwrap().expires_at() > sandbox.now() + chrono::Duration::days(54));
    sandbox.call_count(Endpoint::Refresh)
}

#[tokio::test]
async fn refreshes_work_whether_the_string_changes_and_whether_the_old_token_survives() {
    for config in [
        sandbox_config().refresh_issues_new_token(false),
        sandbox_config().old_token_survives_refresh(false),
    ] {
        let sandbox = Sandbox::start(config).await.unwrap();
        let client = client_for(&sandbox);
        let refreshes = thirty_days(&sandbox, &client, "ana.makes").await;
        assert!((5..=7).contains(&refreshes), "{refreshes}");
        sandbox.stop().await;
    }
}

#[tokio::test]
async fn the_keeper_retries_once_with_a_token_another_process_stored() {
    let sandbox = Sandbox::start(sandbox_config().old_token_survives_refresh(false))
        .await
        .unwrap();
    let client = client_for(&sandbox);
    let connection = connect(&sandbox, &client, "metricsaurus", &BOTH).await;
    let store = MemoryStore::default();
    store.save("acct", &connection.token).await.unwrap();
    let keeper = TokenKeeper::new(client.clone(), store.clone(), Duration::from_secs(86_400));
    sandbox.advance_clock(Duration::from_secs(2 * 86_400));
    // "Another process" refreshes meanwhile: the keeper's token dies, the store holds the new one.
    let elsewhere = client
        .refresh_long_lived(&connection.token, sandbox.now())
        .await
        .unwrap();
    let attempts = Arc::new(Mutex::new(Vec::new()));
    let profile = keeper
        .call("acct", sandbox.now(), |token| {
            let (client, store, elsewhere, attempts) = (
                client.clone(),
                store.clone(),
                elsewhere.clone(),
                attempts.clone(),
            );
            async move {
                if attempts.lock().unwrap().is_empty() {
                    store.save("acct", &elsewhere).await.unwrap();
                }
                attempts.lock().unwrap().push(token.clone());
                client.profile(&token, &[ProfileField::Username]).await
            }
        })
        .await
        .unwrap();
    assert_eq!(profile.username.as_deref(), Some("metricsaurus"));
    let attempts = attempts.lock().unwrap().clone();
    assert_eq!(
        attempts,
        [
            connection.token.access_token.clone(),
            elsewhere.access_token.clone()
        ]
    );
    // With nothing newer in the store, the 190 is the caller's.
    sandbox.remove_app("metricsaurus", None, false).await;
    let error = keeper
        .call("acct", sandbox.now(), |token| {
            let client = client.clone();
            async move { client.profile(&token, &[]).await }
        })
        .await
        .unwrap_err();
    assert!(error.needs_reauth());
    sandbox.stop().await;
}

#[tokio::test]
async fn pkce_parameters_and_a_bearer_header_are_accepted() {
    let sandbox = Sandbox::start(sandbox_config()).await.unwrap();
    let config = client_for(&sandbox)
        .config()
        .clone()
        .with_pkce(true)
        .with_token_transport(instagram_client::TokenTransport::Header);
    let clock = sandbox.clock();
    let client = InstagramClient::new(config)
        .unwrap()
        .with_clock(Arc::new(move || clock.now()));
    let ig_user_id = account(&sandbox, "metricsaurus").summary.ig_user_id;
    let request = client.authorization_request();
    assert!(request.url.query().unwrap().contains("code_challenge="));
    let location = consent(&sandbox, &request.url, |form| form.approve_all(&ig_user_id)).await;
    let callback = parse_callback(&location, &request.state).unwrap();
    let connection = client
        .connect(&callback.code, request.pkce_verifier.as_ref())
        .await
        .unwrap();
    let profile = client
        .profile(&connection.token.access_token, &[ProfileField::UserId])
        .await
        .unwrap();
    assert_eq!(profile.user_id, Some(ig_user_id));
    sandbox.stop().await;
}

#[tokio::test]
async fn the_unhelpful_unknown_error_also_falls_back_to_single_metrics() {
    let sandbox = Sandbox::start(
        sandbox_config()
            .unsupported_metric_error(instagram_sandbox::UnsupportedMetricError::UnknownError),
    )
    .await
    .unwrap();
    let client = client_for(&sandbox);
    let connection = connect(&sandbox, &client, "metricsaurus", &BOTH).await;
    let post = account(&sandbox, "metricsaurus")
        .media
        .into_iter()
        .find(|m| m.media_product_type == "FEED" && !m.before_conversion)
        .unwrap();
    let metrics = [MediaMetric::Views, MediaMetric::ReelsSkipRate];
    let insights = client
        .media_insights(
            &connection.token.access_token,
            &post.id,
            &MediaProductType::Feed,
            &metrics,
        )
        .await
        .unwrap();
    assert_eq!(insights.unsupported, [MediaMetric::ReelsSkipRate]);
    assert_eq!(
        insights.get(MediaMetric::Views),
        Some(MetricValue::Integer(post.views as i64))
    );
    sandbox.stop().await;
}

#[tokio::test]
async fn an_early_refresh_answered_with_190_looks_like_a_dead_token_which_is_why_the_client_never_sends_one()
 {
    let sandbox = Sandbox::start(
        sandbox_config().early_refresh_error(instagram_sandbox::EarlyRefreshError::InvalidToken),
    )
    .await
    .unwrap();
    let client = client_for(&sandbox);
    let connection = connect(&sandbox, &client, "metricsaurus", &BOTH).await;
    let careless =
        InstagramClient::new(client.config().clone().with_refresh_min_age(Duration::ZERO))
            .unwrap()
            .with_clock({
                let clock = sandbox.clock();
                Arc::new(move || clock.now())
            });
    let refused = careless
        .refresh_long_lived(&connection.token, sandbox.now())
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some(190));
    assert!(
        refused.needs_reauth(),
        "indistinguishable from a dead token"
    );
    // The token is in fact alive: the guarded client refuses locally instead.
    assert!(
        client
            .profile(&connection.token.access_token, &[])
            .await
            .is_ok()
    );
    assert!(matches!(
        client
            .refresh_long_lived(&connection.token, sandbox.now())
            .await,
        Err(InstagramError::RefreshNotAllowed(_))
    ));
    sandbox.stop().await;
}
