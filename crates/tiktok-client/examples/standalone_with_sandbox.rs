//! tiktok-client as another service would use it, with none of this workspace's services:
//! its own `reqwest::Client`, its own token store behind the [`TokenKeeper`], and the raw
//! call, against a TikTok sandbox started in-process (so it runs anywhere, offline).
//!
//! ```text
//! cargo run -p tiktok-client --example standalone_with_sandbox
//! ```
//!
//! It connects a sandbox creator (consent page, code exchange), stores the pair, moves the
//! sandbox's clock past the access token's two hours, and reads the profile and videos
//! through the keeper from ten tasks at once: one refresh, one save of the rotated pair.
//! `RUST_LOG=tiktok_client=debug` shows the calls. It exits non-zero if anything is off,
//! which is how CI runs it.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::{Context as _, bail, ensure};
use futures::TryStreamExt as _;
use futures::future::BoxFuture;
use serde_json::Value;
use tiktok_client::{
    ExposeSecret as _, RawRequest, StoreError, TikTokClient, TikTokConfig, TokenKeeper, TokenPair,
    TokenStore, UserField, VideoField, scope,
};
use tiktok_sandbox::{
    ConsentForm, DEFAULT_CLIENT_KEY, DEFAULT_CLIENT_SECRET, Sandbox, SandboxConfig,
};
use url::Url;

const REDIRECT_URI: &str = "https://app.example/api/auth/tiktok/callback";

/// The caller's own storage: here a map in memory. A real service writes to its database,
/// in one transaction per pair (the access and refresh token belong together).
#[derive(Default)]
struct MyStore {
    pairs: Mutex<HashMap<String, TokenPair>>,
    saves: AtomicUsize,
}

impl TokenStore for MyStore {
    fn load<'a>(
        &'a self,
        account: &'a str,
    ) -> BoxFuture<'a, Result<Option<TokenPair>, StoreError>> {
        Box::pin(async move {
            let pairs = self
                .pairs
                .lock()
                .map_err(|_| StoreError::new("the store's lock is poisoned"))?;
            Ok(pairs.get(account).cloned())
        })
    }

    fn save<'a>(
        &'a self,
        account: &'a str,
        tokens: &'a TokenPair,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            self.saves.fetch_add(1, Ordering::SeqCst);
            let mut pairs = self
                .pairs
                .lock()
                .map_err(|_| StoreError::new("the store's lock is poisoned"))?;
            pairs.insert(account.to_owned(), tokens.clone());
            Ok(())
        })
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();

    let sandbox = Sandbox::start(
        SandboxConfig::new()
            .seed(11)
            .creator_videos([27])
            .frozen_clock(true)
            .default_client_redirect_uris([REDIRECT_URI]),
    )
    .await?;
    println!("sandbox at {}", sandbox.base_url());

    // 1. The caller's HTTP client: its pool, proxies, roots and headers; no redirects.
    let http = reqwest::Client::builder()
        .user_agent("standalone-example/1.0")
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(4)
        .build()?;
    let config = TikTokConfig::new(
        DEFAULT_CLIENT_KEY,
        DEFAULT_CLIENT_SECRET,
        REDIRECT_URI.parse()?,
    )
    .with_scopes([
        scope::USER_INFO_BASIC,
        scope::USER_INFO_PROFILE,
        scope::USER_INFO_STATS,
        scope::VIDEO_LIST,
    ])
    .with_auth_base_url(sandbox.base_url())
    .with_api_base_url(sandbox.base_url());
    let client = TikTokClient::with_http_client(config, http.clone())?;

    // 2. Connect a creator: the consent page, as a browser would drive it, then the exchange.
    let request = client.authorization_request();
    let page = http.get(request.url.clone()).send().await?.text().await?;
    let form = ConsentForm::parse(&page).context("the sandbox's consent form")?;
    let creator = sandbox
        .creators()
        .into_iter()
        .next()
        .context("a sandbox creator")?;
    let answer = http
        .post(sandbox.base_url().join(&form.action)?)
        .form(&form.authorize_all(&creator.open_id))
        .send()
        .await?;
    let location = answer
        .headers()
        .get("location")
        .context("a redirect to the callback")?
        .to_str()?;
    let callback = Url::parse(location)?;
    let param = |name: &str| {
        callback
            .query_pairs()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.into_owned())
    };
    ensure!(
        param("state").as_deref() == Some(request.state.as_str()),
        "state mismatch"
    );
    let code = param("code").context("a code on the callback")?;
    let obtained_at = sandbox.now();
    let tokens = client
        .exchange_code(&code, request.pkce_verifier.expose_secret())
        .await?;
    println!(
        "connected {} with scopes {:?}",
        tokens.open_id, tokens.scopes
    );

    // 3. The keeper owns upkeep from here on; the pair is stored under the caller's key.
    let keeper = Arc::new(TokenKeeper::new(client.clone(), MyStore::default()));
    let account = "creator-1";
    keeper.insert(account, &tokens, obtained_at).await?;

    // 4. Three hours later (on TikTok's clock) the access token is dead; ten tasks read at
    //    once and the keeper refreshes once.
    let now = sandbox.advance_clock(Duration::from_secs(3 * 3600));
    let readers: Vec<_> = (0..10)
        .map(|_| {
            let keeper = Arc::clone(&keeper);
            let client = client.clone();
            tokio::spawn(async move {
                keeper
                    .call(account, now, |token| {
                        let client = client.clone();
                        async move {
                            client
                                .user_info(
                                    &token,
                                    &[UserField::DisplayName, UserField::FollowerCount],
                                )
                                .await
                        }
                    })
                    .await
            })
        })
        .collect();
    for reader in readers {
        let user = reader.await??;
        ensure!(user.open_id == creator.open_id, "another creator's profile");
    }
    let saves = keeper.store().saves.load(Ordering::SeqCst);
    println!(
        "10 concurrent reads after expiry: {} save(s) of a rotated pair",
        saves - 1
    );
    if saves != 2 {
        bail!("expected the exchange's pair and one rotated pair to be saved, got {saves} saves");
    }

    // 5. Only the fields this caller needs, over every page.
    let videos: Vec<_> = keeper
        .call(account, now, |token| {
            let client = client.clone();
            async move {
                client
                    .videos_with_fields(&token, &[VideoField::ViewCount, VideoField::CreateTime])
                    .try_collect::<Vec<_>>()
                    .await
            }
        })
        .await?;
    let views: i64 = videos.iter().filter_map(|video| video.view_count).sum();
    println!("{} videos, {views} views in all", videos.len());
    ensure!(
        videos.len() == 27,
        "expected 27 videos, got {}",
        videos.len()
    );

    // 6. An endpoint the crate does not wrap goes through `raw_call` with the same token,
    //    errors and retries: here the user info endpoint itself, untyped.
    let raw: Value = keeper
        .call(account, now, |token| {
            let client = client.clone();
            async move {
                client
                    .raw_call(
                        &token,
                        &RawRequest::get("/v2/user/info/").fields(["open_id", "video_count"]),
                    )
                    .await
            }
        })
        .await?;
    println!("raw user info: video_count {}", raw["user"]["video_count"]);
    ensure!(
        raw["user"]["video_count"] == 27,
        "the raw call read another count"
    );

    sandbox.stop().await;
    println!("ok");
    Ok(())
}
