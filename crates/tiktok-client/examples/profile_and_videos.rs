//! Prints the profile of the user behind an access token, then walks all of
//! their public videos.
//!
//! ```text
//! TIKTOK_ACCESS_TOKEN=act.... TIKTOK_API_BASE_URL=http://127.0.0.1:7001/ \
//! cargo run -p tiktok-client --example profile_and_videos
//! ```
//!
//! Optional: `TIKTOK_SCOPES` (the scopes granted to the token, comma-separated;
//! default `user.info.basic,user.info.profile,user.info.stats,video.list`):
//! only fields those scopes allow are requested. `TIKTOK_CLIENT_KEY` and
//! `TIKTOK_CLIENT_SECRET` are not sent by Display API calls and may be left
//! unset. `RUST_LOG=tiktok_client=debug` shows the calls.

use anyhow::Context as _;
use futures::TryStreamExt as _;
use tiktok_client::{AccessToken, TikTokClient, TikTokConfig, UserField, scope};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();

    let token =
        AccessToken::new(std::env::var("TIKTOK_ACCESS_TOKEN").context("set TIKTOK_ACCESS_TOKEN")?);
    let api_base = std::env::var("TIKTOK_API_BASE_URL")
        .unwrap_or_else(|_| tiktok_client::DEFAULT_API_BASE_URL.to_owned());
    let scopes: Vec<String> = std::env::var("TIKTOK_SCOPES")
        .map(|scopes| scopes.split(',').map(|s| s.trim().to_owned()).collect())
        .unwrap_or_else(|_| {
            [
                scope::USER_INFO_BASIC,
                scope::USER_INFO_PROFILE,
                scope::USER_INFO_STATS,
                scope::VIDEO_LIST,
            ]
            .map(str::to_owned)
            .to_vec()
        });

    // The Display API needs only the access token; the app credentials are
    // required by the configuration but not sent by these calls.
    let config = TikTokConfig::new(
        std::env::var("TIKTOK_CLIENT_KEY").unwrap_or_else(|_| "not-used-by-display-api".into()),
        std::env::var("TIKTOK_CLIENT_SECRET").unwrap_or_else(|_| "not-used-by-display-api".into()),
        "http://localhost/callback".parse()?,
    )
    .with_api_base_url(
        api_base
            .parse()
            .context("TIKTOK_API_BASE_URL is not a URL")?,
    );
    let client = TikTokClient::new(config)?;

    let user = client
        .user_info(&token, &UserField::allowed_by(&scopes))
        .await?;
    println!("open_id:      {}", user.open_id);
    println!(
        "display name: {}",
        user.display_name.as_deref().unwrap_or("-")
    );
    println!("username:     {}", user.username.as_deref().unwrap_or("-"));
    println!(
        "verified:     {}",
        user.is_verified.map_or("-".into(), |v| v.to_string())
    );
    println!(
        "followers:    {}",
        user.follower_count.map_or("-".into(), |n| n.to_string())
    );
    println!(
        "videos:       {}",
        user.video_count.map_or("-".into(), |n| n.to_string())
    );

    if !scopes.iter().any(|granted| granted == scope::VIDEO_LIST) {
        println!("\n(video.list not granted: no videos)");
        return Ok(());
    }
    println!();
    let mut videos = std::pin::pin!(client.videos(&token));
    let mut count = 0usize;
    while let Some(video) = videos.try_next().await? {
        count += 1;
        println!(
            "{}  {:>10} views  {:>8} likes  {}",
            video.id,
            video.view_count.unwrap_or_default(),
            video.like_count.unwrap_or_default(),
            video.title.as_deref().unwrap_or_default()
        );
    }
    println!("\n{count} videos");
    Ok(())
}
