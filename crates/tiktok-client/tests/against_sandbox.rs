//! The real client against the real sandbox, over real HTTP: both crates are
//! written from the wire-format reference (`tiktok-api-v2.md`) and neither
//! imports the other's types, so these tests check that they agree.
//!
//! Each test starts its own sandbox (random port, frozen clock, fixed start
//! time) and points both of the client's base URLs at it. The consent page
//! is driven like a browser would: GET the authorize URL the client built,
//! POST the form, read the redirect.
#![allow(clippy::unwrap_used)]

#[path = "against_sandbox/token_keeper.rs"]
mod token_keeper;

use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::TryStreamExt as _;
use tiktok_client::{
    ExposeSecret as _, PkceEncoding, RefreshToken, RetryPolicy, TikTokClient, TikTokConfig,
    TikTokError, TokenSet, UserField, UserInfo, Video, pkce_challenge, scope,
};
use tiktok_sandbox::{
    ConsentForm, CreatorSummary, DEFAULT_CLIENT_KEY, DEFAULT_CLIENT_SECRET, Endpoint, Fault,
    Sandbox, SandboxConfig, SandboxHandle, SandboxVideo,
};
use url::Url;

const REDIRECT_URI: &str = "https://app.example/api/auth/tiktok/callback";
const ALL_SCOPES: [&str; 4] = [
    scope::USER_INFO_BASIC,
    scope::USER_INFO_PROFILE,
    scope::USER_INFO_STATS,
    scope::VIDEO_LIST,
];
/// The sandbox's default access token lifetime (the reference's 2 hours).
const ACCESS_LIFETIME: Duration = Duration::from_secs(7_200);

/// Noon UTC, so no test crosses a sandbox day unless it advances the clock.
fn start_time() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn sandbox_config(videos: impl IntoIterator<Item = u32>) -> SandboxConfig {
    SandboxConfig::new()
        .seed(7)
        .initial_time(start_time())
        .frozen_clock(true)
        .creator_videos(videos)
        .default_client_redirect_uris([REDIRECT_URI])
}

/// Fast retries; `max_retry_after` leaves room for a one-second `Retry-After`.
fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_retries: 3,
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(20),
        max_retry_after: Duration::from_secs(5),
    }
}

fn config_for(sandbox: &SandboxHandle, secret: &str) -> TikTokConfig {
    TikTokConfig::new(
        DEFAULT_CLIENT_KEY,
        secret.to_owned(),
        Url::parse(REDIRECT_URI).unwrap(),
    )
    .with_scopes(ALL_SCOPES)
    .with_auth_base_url(sandbox.base_url())
    .with_api_base_url(sandbox.base_url())
    .with_retry(fast_retry())
    .with_request_timeout(Duration::from_secs(5))
}

fn client_for(sandbox: &SandboxHandle) -> TikTokClient {
    TikTokClient::new(config_for(sandbox, DEFAULT_CLIENT_SECRET)).unwrap()
}

/// What the sandbox redirected the browser to.
struct Callback {
    url: Url,
}

impl Callback {
    fn param(&self, name: &str) -> Option<String> {
        self.url
            .query_pairs()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.into_owned())
    }
}

/// A browser that does not follow redirects, so the callback can be read.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Opens the consent page at `authorize_url`, submits the form `decide`
/// builds, and returns where the sandbox redirected.
async fn consent(
    sandbox: &SandboxHandle,
    authorize_url: &Url,
    decide: impl FnOnce(&ConsentForm) -> Vec<(String, String)>,
) -> Callback {
    let browser = browser();
    let page = browser.get(authorize_url.clone()).send().await.unwrap();
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
    let location = answer.headers()["location"].to_str().unwrap();
    let url = Url::parse(location).unwrap();
    assert!(url.as_str().starts_with(REDIRECT_URI), "{url}");
    Callback { url }
}

/// The whole Login Kit flow for `open_id`, granting `granted` of the
/// requested scopes: authorize URL, consent, callback, code exchange.
async fn connect(
    sandbox: &SandboxHandle,
    client: &TikTokClient,
    open_id: &str,
    granted: &[&str],
) -> TokenSet {
    let request = client.authorization_request();
    let callback = consent(sandbox, &request.url, |form| {
        form.authorize(open_id, granted)
    })
    .await;
    assert_eq!(
        callback.param("state").as_deref(),
        Some(request.state.as_str())
    );
    let code = callback.param("code").expect("a code");
    let tokens = client
        .exchange_code(&code, request.pkce_verifier.expose_secret())
        .await
        .unwrap();
    assert_eq!(tokens.open_id, open_id);
    tokens
}

fn creators(sandbox: &SandboxHandle) -> Vec<CreatorSummary> {
    sandbox.creators()
}

fn sorted(scopes: &[impl AsRef<str>]) -> Vec<String> {
    let mut scopes: Vec<String> = scopes.iter().map(|s| s.as_ref().to_owned()).collect();
    scopes.sort();
    scopes
}

fn count(number: u64) -> Option<i64> {
    Some(i64::try_from(number).unwrap())
}

fn pixels(number: u32) -> Option<i32> {
    Some(i32::try_from(number).unwrap())
}

/// The client's decoding of a video equals the sandbox's truth, field by field.
fn assert_same_video(got: &Video, truth: &SandboxVideo) {
    let mut expected = Video::new(truth.id.clone());
    expected.create_time = Some(truth.create_time);
    expected.cover_image_url = Some(truth.cover_image_url.clone());
    expected.share_url = Some(truth.share_url.clone());
    expected.video_description = Some(truth.video_description.clone());
    expected.duration = pixels(truth.duration);
    expected.height = pixels(truth.height);
    expected.width = pixels(truth.width);
    expected.title = Some(truth.title.clone());
    expected.embed_html = Some(truth.embed_html.clone());
    expected.embed_link = Some(truth.embed_link.clone());
    expected.like_count = count(truth.like_count);
    expected.comment_count = count(truth.comment_count);
    expected.share_count = count(truth.share_count);
    expected.view_count = count(truth.view_count);
    // The sandbox sends only documented fields: nothing lands in `extra`.
    assert_eq!(got, &expected);
}

fn assert_basic_fields(user: &UserInfo, truth: &CreatorSummary) {
    assert_eq!(user.open_id, truth.open_id);
    assert_eq!(user.union_id.as_deref(), Some(truth.union_id.as_str()));
    assert_eq!(
        user.display_name.as_deref(),
        Some(truth.display_name.as_str())
    );
    assert_eq!(user.avatar_url.as_deref(), Some(truth.avatar_url.as_str()));
    assert!(user.avatar_url_100.is_some());
    assert!(user.avatar_large_url.is_some());
}

fn assert_profile_fields(user: &UserInfo, truth: &CreatorSummary) {
    assert_eq!(
        user.bio_description.as_deref(),
        Some(truth.bio_description.as_str())
    );
    assert_eq!(
        user.profile_deep_link.as_deref(),
        Some(truth.profile_deep_link.as_str())
    );
    assert_eq!(user.is_verified, Some(truth.is_verified));
    assert_eq!(user.username.as_deref(), Some(truth.username.as_str()));
}

fn assert_stats_fields(user: &UserInfo, truth: &CreatorSummary) {
    assert_eq!(user.follower_count, count(truth.follower_count));
    assert_eq!(user.following_count, count(truth.following_count));
    assert_eq!(user.likes_count, count(truth.likes_count));
    assert_eq!(user.video_count, count(truth.video_count));
}

/// Consent, exchange, profile, refresh with rotation, expiry on the sandbox
/// clock, revoke: the documented life of a grant, with `encoding` for PKCE.
async fn whole_flow(encoding: PkceEncoding) {
    let sandbox = Sandbox::start(sandbox_config([3])).await.unwrap();
    let client =
        TikTokClient::new(config_for(&sandbox, DEFAULT_CLIENT_SECRET).with_pkce_encoding(encoding))
            .unwrap();
    let creator = creators(&sandbox).remove(0);

    // The client's authorize URL is accepted and carries the challenge of
    // the verifier it returned, in the configured encoding.
    let request = client.authorization_request();
    let verifier = request.pkce_verifier.expose_secret().to_owned();
    let challenge = request
        .url
        .query_pairs()
        .find(|(key, _)| key == "code_challenge")
        .map(|(_, value)| value.into_owned());
    assert_eq!(challenge, Some(pkce_challenge(&verifier, encoding)));
    let callback = consent(&sandbox, &request.url, |form| {
        assert_eq!(sorted(&form.scopes), sorted(&ALL_SCOPES));
        form.authorize_all(&creator.open_id)
    })
    .await;
    assert_eq!(callback.param("state"), Some(request.state.clone()));
    let granted = callback.param("scopes").unwrap();
    assert_eq!(
        sorted(&granted.split(',').collect::<Vec<_>>()),
        sorted(&ALL_SCOPES)
    );
    let code = callback.param("code").unwrap();

    // Another well-formed verifier does not match the challenge; a failed
    // exchange does not use the code up.
    let wrong_verifier = format!("{verifier}-not-the-one");
    match client.exchange_code(&code, &wrong_verifier).await {
        Err(TikTokError::OAuth { error, .. }) => assert_eq!(error, "invalid_grant"),
        other => panic!("expected invalid_grant for a PKCE mismatch, got {other:?}"),
    }

    let tokens = client.exchange_code(&code, &verifier).await.unwrap();
    assert_eq!(tokens.open_id, creator.open_id);
    assert_eq!(sorted(&tokens.scopes), sorted(&ALL_SCOPES));
    assert_eq!(tokens.expires_in, ACCESS_LIFETIME);
    assert_eq!(
        tokens.refresh_expires_in,
        Some(Duration::from_secs(15_552_000))
    );
    assert_eq!(tokens.token_type, "Bearer");
    let first_refresh = tokens.refresh_token.clone().expect("a refresh token");

    // The code is single-use: on an exchange, invalid_grant is an OAuth
    // error, not a dead refresh token.
    match client.exchange_code(&code, &verifier).await {
        Err(TikTokError::OAuth { error, .. }) => assert_eq!(error, "invalid_grant"),
        other => panic!("expected invalid_grant for a reused code, got {other:?}"),
    }

    // Every field, as the sandbox says the creator is.
    let fields = UserField::allowed_by(&tokens.scopes);
    assert_eq!(fields.len(), UserField::ALL.len());
    let user = client
        .user_info(&tokens.access_token, &fields)
        .await
        .unwrap();
    assert_basic_fields(&user, &creator);
    assert_profile_fields(&user, &creator);
    assert_stats_fields(&user, &creator);

    // Refresh rotates: a new refresh token, the old one rejected.
    let refreshed = client.refresh_access_token(&first_refresh).await.unwrap();
    let second_refresh = refreshed.refresh_token.clone().expect("a rotated token");
    assert_ne!(
        second_refresh.expose_secret(),
        first_refresh.expose_secret()
    );
    assert_ne!(
        refreshed.access_token.expose_secret(),
        tokens.access_token.expose_secret()
    );
    assert_eq!(refreshed.open_id, creator.open_id);
    assert_eq!(sorted(&refreshed.scopes), sorted(&ALL_SCOPES));
    assert!(matches!(
        client.refresh_access_token(&first_refresh).await,
        Err(TikTokError::RefreshRejected { .. })
    ));
    client
        .user_info(&refreshed.access_token, &[UserField::DisplayName])
        .await
        .unwrap();

    // Past the access token's lifetime on the sandbox clock: rejected, and
    // not retried by the client.
    sandbox.advance_clock(ACCESS_LIFETIME + Duration::from_secs(1));
    let before = sandbox.call_count(Endpoint::UserInfo);
    let error = client
        .user_info(&refreshed.access_token, &fields)
        .await
        .unwrap_err();
    assert!(
        matches!(error, TikTokError::AccessTokenInvalid { .. }),
        "{error:?}"
    );
    assert!(error.log_id().is_some(), "the log id is kept");
    assert_eq!(sandbox.call_count(Endpoint::UserInfo), before + 1);

    // The refresh token outlives it.
    let renewed = client.refresh_access_token(&second_refresh).await.unwrap();
    let last_refresh = renewed.refresh_token.clone().expect("a rotated token");
    client
        .user_info(&renewed.access_token, &fields)
        .await
        .unwrap();

    // Revoke: both tokens of the grant die.
    client.revoke(&renewed.access_token).await.unwrap();
    let revoked = sandbox.revoked_grants();
    assert_eq!(revoked.len(), 1);
    assert_eq!(revoked[0].open_id, creator.open_id);
    assert_eq!(revoked[0].client_key, DEFAULT_CLIENT_KEY);
    assert!(matches!(
        client.user_info(&renewed.access_token, &fields).await,
        Err(TikTokError::AccessTokenInvalid { .. })
    ));
    let videos: Result<Vec<Video>, _> = client.videos(&renewed.access_token).try_collect().await;
    assert!(matches!(
        videos,
        Err(TikTokError::AccessTokenInvalid { .. })
    ));
    assert!(matches!(
        client.refresh_access_token(&last_refresh).await,
        Err(TikTokError::RefreshRejected { .. })
    ));
    sandbox.stop().await;
}

#[tokio::test]
async fn whole_flow_with_base64url_pkce() {
    whole_flow(PkceEncoding::Base64Url).await;
}

#[tokio::test]
async fn whole_flow_with_hex_pkce() {
    whole_flow(PkceEncoding::Hex).await;
}

#[tokio::test]
async fn cancel_comes_back_as_access_denied() {
    let sandbox = Sandbox::start(sandbox_config([0])).await.unwrap();
    let client = client_for(&sandbox);
    let request = client.authorization_request();
    let callback = consent(&sandbox, &request.url, ConsentForm::cancel).await;
    assert_eq!(callback.param("error").as_deref(), Some("access_denied"));
    assert!(callback.param("error_description").is_some());
    assert_eq!(callback.param("state"), Some(request.state));
    assert_eq!(callback.param("code"), None);
    assert_eq!(sandbox.call_count(Endpoint::Token), 0);
    sandbox.stop().await;
}

#[tokio::test]
async fn a_scope_limited_grant_gives_only_its_fields() {
    let sandbox = Sandbox::start(sandbox_config([5])).await.unwrap();
    let client = client_for(&sandbox);
    let creator = creators(&sandbox).remove(0);
    // All four scopes asked for; the creator unticks profile and video.list.
    let tokens = connect(
        &sandbox,
        &client,
        &creator.open_id,
        &[scope::USER_INFO_BASIC, scope::USER_INFO_STATS],
    )
    .await;
    assert_eq!(
        sorted(&tokens.scopes),
        sorted(&[scope::USER_INFO_BASIC, scope::USER_INFO_STATS])
    );
    assert!(!tokens.has_scope(scope::VIDEO_LIST));

    let fields = UserField::allowed_by(&tokens.scopes);
    assert_eq!(fields.len(), 10);
    assert!(
        fields
            .iter()
            .all(|field| field.required_scope() != scope::USER_INFO_PROFILE)
    );
    let user = client
        .user_info(&tokens.access_token, &fields)
        .await
        .unwrap();
    assert_basic_fields(&user, &creator);
    assert_stats_fields(&user, &creator);
    assert_eq!(user.bio_description, None);
    assert_eq!(user.profile_deep_link, None);
    assert_eq!(user.is_verified, None);
    assert_eq!(user.username, None);

    // Asking for fields of the missing scope fails the whole call.
    let error = client
        .user_info(&tokens.access_token, &UserField::ALL)
        .await
        .unwrap_err();
    assert!(
        matches!(error, TikTokError::ScopePermissionMissed { .. }),
        "{error:?}"
    );
    // Without video.list the video endpoints are refused.
    let videos: Result<Vec<Video>, _> = client.videos(&tokens.access_token).try_collect().await;
    assert!(
        matches!(videos, Err(TikTokError::ScopeNotAuthorized { .. })),
        "{videos:?}"
    );
    sandbox.stop().await;
}

#[tokio::test]
async fn the_video_stream_walks_every_page_at_the_documented_cost() {
    let counts = [0u32, 1, 20, 21, 95];
    let expected_calls = [1u64, 1, 1, 2, 5];
    let sandbox = Sandbox::start(sandbox_config(counts)).await.unwrap();
    let client = client_for(&sandbox);
    let creators = creators(&sandbox);
    assert_eq!(creators.len(), counts.len());

    let mut grants = Vec::new();
    for ((creator, videos), calls) in creators.iter().zip(counts).zip(expected_calls) {
        let truth = sandbox.creator(&creator.open_id).unwrap();
        assert_eq!(truth.videos.len(), usize::try_from(videos).unwrap());
        let tokens = connect(&sandbox, &client, &creator.open_id, &ALL_SCOPES).await;
        let before = sandbox.call_count(Endpoint::VideoList);
        let got: Vec<Video> = client
            .videos(&tokens.access_token)
            .try_collect()
            .await
            .unwrap();
        assert_eq!(
            sandbox.call_count(Endpoint::VideoList) - before,
            calls,
            "calls for {videos} videos"
        );
        assert_eq!(got.len(), truth.videos.len());
        for (video, expected) in got.iter().zip(&truth.videos) {
            assert_same_video(video, expected);
        }
        // Newest first, ids kept exactly (above 2^53).
        assert!(
            got.windows(2)
                .all(|pair| pair[0].create_time >= pair[1].create_time)
        );
        assert!(got.iter().all(|video| video.id.len() == 19));
        grants.push(tokens);
    }

    // Query known ids: the caller's own come back, in the order asked; a
    // video of another creator is simply missing.
    let big = &creators[4];
    let tokens = &grants[4];
    let truth = sandbox.creator(&big.open_id).unwrap();
    let other = sandbox.creator(&creators[3].open_id).unwrap();
    let ids = vec![
        truth.videos[40].id.clone(),
        truth.videos[0].id.clone(),
        other.videos[0].id.clone(),
        truth.videos[94].id.clone(),
    ];
    let before = sandbox.call_count(Endpoint::VideoQuery);
    let queried = client
        .query_videos(&tokens.access_token, &ids)
        .await
        .unwrap();
    assert_eq!(sandbox.call_count(Endpoint::VideoQuery) - before, 1);
    assert_eq!(queried.len(), 3);
    for (video, expected) in
        queried
            .iter()
            .zip([&truth.videos[40], &truth.videos[0], &truth.videos[94]])
    {
        assert_same_video(video, expected);
    }

    // A sandbox day later the metrics have grown; a query after a refresh
    // reads the new values.
    sandbox.advance_clock(Duration::from_secs(86_400));
    let refreshed = client
        .refresh_access_token(tokens.refresh_token.as_ref().unwrap())
        .await
        .unwrap();
    let later = sandbox.creator(&big.open_id).unwrap();
    let requeried = client
        .query_videos(&refreshed.access_token, &ids[..2])
        .await
        .unwrap();
    assert_same_video(&requeried[0], &later.videos[40]);
    assert_same_video(&requeried[1], &later.videos[0]);
    assert!(requeried[0].view_count >= queried[0].view_count);
    assert!(later.summary.follower_count > big.follower_count);
    sandbox.stop().await;
}

/// A sandbox with one creator of `videos` videos, connected with every scope.
async fn connected(videos: u32) -> (SandboxHandle, TikTokClient, TokenSet) {
    connected_with(sandbox_config([videos]), |config| config).await
}

async fn connected_with(
    config: SandboxConfig,
    adjust: impl FnOnce(TikTokConfig) -> TikTokConfig,
) -> (SandboxHandle, TikTokClient, TokenSet) {
    let sandbox = Sandbox::start(config).await.unwrap();
    let client = TikTokClient::new(adjust(config_for(&sandbox, DEFAULT_CLIENT_SECRET))).unwrap();
    let open_id = creators(&sandbox).remove(0).open_id;
    let tokens = connect(&sandbox, &client, &open_id, &ALL_SCOPES).await;
    (sandbox, client, tokens)
}

async fn all_videos(client: &TikTokClient, tokens: &TokenSet) -> Result<Vec<Video>, TikTokError> {
    client.videos(&tokens.access_token).try_collect().await
}

#[tokio::test]
async fn server_errors_on_the_video_list_are_retried() {
    let (sandbox, client, tokens) = connected(21).await;
    for status in [503, 500] {
        sandbox.set_fault_for_calls(Endpoint::VideoList, Fault::ServerError { status }, 1);
        let before = sandbox.call_count(Endpoint::VideoList);
        let videos = all_videos(&client, &tokens).await.unwrap();
        assert_eq!(videos.len(), 21);
        // Two pages plus one retry.
        assert_eq!(
            sandbox.call_count(Endpoint::VideoList) - before,
            3,
            "HTTP {status}"
        );
    }
    // A 5xx that persists past the retries is returned, retryable.
    sandbox.set_fault(Endpoint::VideoList, Fault::ServerError { status: 502 });
    let before = sandbox.call_count(Endpoint::VideoList);
    let error = all_videos(&client, &tokens).await.unwrap_err();
    assert!(error.is_retryable(), "{error:?}");
    assert_eq!(error.http_status(), Some(502));
    assert_eq!(sandbox.call_count(Endpoint::VideoList) - before, 4);
    sandbox.stop().await;
}

#[tokio::test]
async fn rate_limits_with_retry_after_are_waited_out_or_returned() {
    let (sandbox, client, tokens) = connected(2).await;
    let fields = UserField::allowed_by(&tokens.scopes);

    // One second is within the policy's limit: waited out, then retried.
    sandbox.set_fault_for_calls(
        Endpoint::UserInfo,
        Fault::RateLimited {
            retry_after_secs: Some(1),
        },
        1,
    );
    let before = sandbox.call_count(Endpoint::UserInfo);
    client
        .user_info(&tokens.access_token, &fields)
        .await
        .unwrap();
    assert_eq!(sandbox.call_count(Endpoint::UserInfo) - before, 2);

    // Without Retry-After: jittered backoff, then retried.
    sandbox.set_fault_for_calls(
        Endpoint::VideoList,
        Fault::RateLimited {
            retry_after_secs: None,
        },
        1,
    );
    let before = sandbox.call_count(Endpoint::VideoList);
    assert_eq!(all_videos(&client, &tokens).await.unwrap().len(), 2);
    assert_eq!(sandbox.call_count(Endpoint::VideoList) - before, 2);

    // Longer than the policy waits: returned at once for the caller to defer.
    sandbox.set_fault_for_calls(
        Endpoint::UserInfo,
        Fault::RateLimited {
            retry_after_secs: Some(60),
        },
        1,
    );
    let before = sandbox.call_count(Endpoint::UserInfo);
    let error = client
        .user_info(&tokens.access_token, &fields)
        .await
        .unwrap_err();
    match error {
        TikTokError::RateLimited { retry_after, .. } => {
            assert_eq!(retry_after, Some(Duration::from_secs(60)));
        }
        other => panic!("expected RateLimited, got {other:?}"),
    }
    assert_eq!(sandbox.call_count(Endpoint::UserInfo) - before, 1);
    sandbox.stop().await;
}

#[tokio::test]
async fn the_sandbox_per_minute_limit_reaches_the_client_as_rate_limited() {
    let config = sandbox_config([0])
        .rate_limit_per_minute(2)
        .rate_limit_retry_after(true);
    let (sandbox, client, tokens) = connected_with(config, |config| config).await;
    let fields = [UserField::DisplayName];
    for _ in 0..2 {
        client
            .user_info(&tokens.access_token, &fields)
            .await
            .unwrap();
    }
    let before = sandbox.call_count(Endpoint::UserInfo);
    let error = client
        .user_info(&tokens.access_token, &fields)
        .await
        .unwrap_err();
    match error {
        TikTokError::RateLimited { retry_after, .. } => {
            // The frozen window leaves the whole minute to wait, beyond the
            // policy's five seconds: returned without a retry.
            let wait = retry_after.expect("the sandbox was told to send Retry-After");
            assert!(wait > fast_retry().max_retry_after, "{wait:?}");
        }
        other => panic!("expected RateLimited, got {other:?}"),
    }
    assert_eq!(sandbox.call_count(Endpoint::UserInfo) - before, 1);
    // The other endpoints have their own window.
    all_videos(&client, &tokens).await.unwrap();
    // A minute later the window has slid.
    sandbox.advance_clock(Duration::from_secs(61));
    client
        .user_info(&tokens.access_token, &fields)
        .await
        .unwrap();
    sandbox.stop().await;
}

#[tokio::test]
async fn access_token_invalid_is_not_retried() {
    let (sandbox, client, tokens) = connected(3).await;
    sandbox.set_fault_for_calls(Endpoint::VideoList, Fault::AccessTokenInvalid, 1);
    let before = sandbox.call_count(Endpoint::VideoList);
    let error = all_videos(&client, &tokens).await.unwrap_err();
    assert!(
        matches!(error, TikTokError::AccessTokenInvalid { .. }),
        "{error:?}"
    );
    assert!(!error.is_retryable());
    assert_eq!(sandbox.call_count(Endpoint::VideoList) - before, 1);
    // The token itself was fine.
    assert_eq!(all_videos(&client, &tokens).await.unwrap().len(), 3);
    sandbox.stop().await;
}

#[tokio::test]
async fn a_malformed_body_is_a_decode_error() {
    let (sandbox, client, tokens) = connected(3).await;
    for endpoint in [Endpoint::UserInfo, Endpoint::VideoList] {
        sandbox.set_fault_for_calls(endpoint, Fault::MalformedBody, 1);
        let before = sandbox.call_count(endpoint);
        let error = if endpoint == Endpoint::UserInfo {
            client
                .user_info(&tokens.access_token, &[UserField::DisplayName])
                .await
                .map(|_| ())
                .unwrap_err()
        } else {
            all_videos(&client, &tokens).await.map(|_| ()).unwrap_err()
        };
        match &error {
            TikTokError::Decode { http_status, .. } => assert_eq!(*http_status, 200),
            other => panic!("expected Decode on {endpoint:?}, got {other:?}"),
        }
        assert!(!error.is_retryable());
        assert_eq!(sandbox.call_count(endpoint) - before, 1);
    }
    sandbox.stop().await;
}

#[tokio::test]
async fn a_timed_out_display_call_is_retried_but_a_timed_out_refresh_is_not() {
    let (sandbox, client, tokens) = connected_with(sandbox_config([1]), |config| {
        // Long enough for the calls that do answer on a busy machine; each hang costs one.
        config.with_request_timeout(Duration::from_secs(2))
    })
    .await;
    sandbox.set_fault_for_calls(Endpoint::UserInfo, Fault::Hang, 1);
    let before = sandbox.call_count(Endpoint::UserInfo);
    client
        .user_info(&tokens.access_token, &[UserField::DisplayName])
        .await
        .unwrap();
    assert_eq!(sandbox.call_count(Endpoint::UserInfo) - before, 2);

    // TikTok may have rotated the token before the answer was lost: the
    // client returns the timeout instead of re-sending.
    sandbox.set_fault_for_calls(Endpoint::Token, Fault::Hang, 1);
    let refresh = tokens.refresh_token.clone().unwrap();
    let before = sandbox.call_count(Endpoint::Token);
    let error = client.refresh_access_token(&refresh).await.unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
    assert!(error.is_retryable());
    assert_eq!(sandbox.call_count(Endpoint::Token) - before, 1);
    // Here the sandbox never processed it, so the token still works.
    client.refresh_access_token(&refresh).await.unwrap();
    sandbox.stop().await;
}

#[tokio::test]
async fn token_endpoint_failures_are_retried_only_when_nothing_happened() {
    let (sandbox, client, tokens) = connected(0).await;
    let refresh = tokens.refresh_token.clone().unwrap();

    // A 5xx: TikTok did not act, the refresh is re-sent and succeeds.
    sandbox.set_fault_for_calls(Endpoint::Token, Fault::ServerError { status: 502 }, 1);
    let before = sandbox.call_count(Endpoint::Token);
    let refreshed = client.refresh_access_token(&refresh).await.unwrap();
    assert_eq!(sandbox.call_count(Endpoint::Token) - before, 2);
    let refresh = refreshed.refresh_token.clone().unwrap();

    // HTTP 200 carrying server_error (observed from TikTok): an error read
    // from the body, retryable by the caller, not re-sent by the client.
    sandbox.set_fault_for_calls(
        Endpoint::Token,
        Fault::CustomError {
            status: 200,
            code: "server_error".to_owned(),
        },
        1,
    );
    let before = sandbox.call_count(Endpoint::Token);
    let error = client.refresh_access_token(&refresh).await.unwrap_err();
    match &error {
        TikTokError::OAuth {
            error, http_status, ..
        } => {
            assert_eq!(error, "server_error");
            assert_eq!(*http_status, 200);
        }
        other => panic!("expected OAuth server_error, got {other:?}"),
    }
    assert!(error.is_retryable());
    assert_eq!(sandbox.call_count(Endpoint::Token) - before, 1);

    // invalid_grant for a refresh token that is in fact alive (another
    // process rotated it, say): RefreshRejected, and the token survives.
    sandbox.set_fault_for_calls(Endpoint::Token, Fault::RefreshInvalidGrant, 1);
    assert!(matches!(
        client.refresh_access_token(&refresh).await,
        Err(TikTokError::RefreshRejected { .. })
    ));
    client.refresh_access_token(&refresh).await.unwrap();
    sandbox.stop().await;
}

#[tokio::test]
async fn a_refresh_without_refresh_token_keeps_the_old_one() {
    let (sandbox, client, tokens) = connected(0).await;
    let refresh: RefreshToken = tokens.refresh_token.clone().unwrap();
    sandbox.set_fault_for_calls(Endpoint::Token, Fault::RefreshWithoutRefreshToken, 1);
    let refreshed = client.refresh_access_token(&refresh).await.unwrap();
    assert!(refreshed.refresh_token.is_none());
    assert_eq!(refreshed.open_id, tokens.open_id);
    client
        .user_info(&refreshed.access_token, &[UserField::DisplayName])
        .await
        .unwrap();
    // The caller keeps the token it had, which still works and rotates.
    let again = client.refresh_access_token(&refresh).await.unwrap();
    let rotated = again.refresh_token.expect("rotated this time");
    assert_ne!(rotated.expose_secret(), refresh.expose_secret());
    sandbox.stop().await;
}

#[tokio::test]
async fn a_wrong_client_secret_is_invalid_client() {
    let sandbox = Sandbox::start(sandbox_config([0])).await.unwrap();
    let good = client_for(&sandbox);
    let bad = TikTokClient::new(config_for(&sandbox, "not-the-client-secret")).unwrap();
    let open_id = creators(&sandbox).remove(0).open_id;

    // The exchange: a configuration problem, not the user's.
    let request = bad.authorization_request();
    let callback = consent(&sandbox, &request.url, |form| form.authorize_all(&open_id)).await;
    let code = callback.param("code").unwrap();
    let verifier = request.pkce_verifier.expose_secret();
    let before = sandbox.call_count(Endpoint::Token);
    let error = bad.exchange_code(&code, verifier).await.unwrap_err();
    assert!(
        matches!(error, TikTokError::InvalidClient { .. }),
        "{error:?}"
    );
    assert!(!error.is_retryable());
    assert_eq!(sandbox.call_count(Endpoint::Token) - before, 1);
    // The code was not used up by the refused exchange.
    let tokens = good.exchange_code(&code, verifier).await.unwrap();

    // Refresh and revoke with the wrong secret: InvalidClient too, never
    // RefreshRejected (that would send the user to reconnect for nothing).
    let refresh = tokens.refresh_token.clone().unwrap();
    assert!(matches!(
        bad.refresh_access_token(&refresh).await,
        Err(TikTokError::InvalidClient { .. })
    ));
    assert!(matches!(
        bad.revoke(&tokens.access_token).await,
        Err(TikTokError::InvalidClient { .. })
    ));
    assert!(sandbox.revoked_grants().is_empty());
    good.user_info(&tokens.access_token, &[UserField::DisplayName])
        .await
        .unwrap();
    good.refresh_access_token(&refresh).await.unwrap();
    sandbox.stop().await;
}

#[tokio::test]
async fn list_videos_pages_follow_max_count_cursor_and_has_more() {
    let (sandbox, client, tokens) = connected(21).await;
    let truth = sandbox.creator(&tokens.open_id).unwrap();
    let mut cursor = None;
    let mut seen = Vec::new();
    for expected_len in [7, 7, 7] {
        let page = client
            .list_videos(&tokens.access_token, cursor, 7)
            .await
            .unwrap();
        assert_eq!(page.videos.len(), expected_len);
        seen.extend(page.videos);
        // The cursor is in milliseconds: videos created before it come next.
        let next = page.cursor.expect("a cursor");
        let last = seen.last().unwrap().create_time.unwrap();
        assert!(next <= last * 1_000 + 999, "cursor {next} after {last} s");
        assert_eq!(page.has_more, seen.len() < truth.videos.len());
        cursor = Some(next);
    }
    assert_eq!(seen.len(), truth.videos.len());
    for (video, expected) in seen.iter().zip(&truth.videos) {
        assert_same_video(video, expected);
    }
    assert_eq!(sandbox.call_count(Endpoint::VideoList), 3);
    sandbox.stop().await;
}
