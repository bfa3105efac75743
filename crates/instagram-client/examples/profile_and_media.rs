//! Prints the profile of a long-lived token's owner, walks all their media and prints the
//! insights of the newest few.
//!
//! ```text
//! IG_ACCESS_TOKEN=IGAA... cargo run -p instagram-client --example profile_and_media
//! ```
//!
//! Optional: `IG_GRAPH_BASE_URL` (a sandbox's `<base>/graph/`, default
//! `https://graph.instagram.com/`), `IG_GRAPH_VERSION` (default `v25.0`),
//! `RUST_LOG=instagram_client=debug` to see each call.

use anyhow::Context as _;
use futures::TryStreamExt as _;
use instagram_client::{
    AccessToken, InstagramClient, InstagramConfig, MediaMetric, MediaQuery, ProfileField,
};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let token = AccessToken::new(std::env::var("IG_ACCESS_TOKEN").context("set IG_ACCESS_TOKEN")?);
    // Reads need neither the app secret nor a redirect URI: placeholders keep the
    // configuration valid.
    let mut config = InstagramConfig::new(
        "unused-for-reads",
        "unused-for-reads".to_owned(),
        "http://localhost/".parse()?,
    );
    if let Ok(base) = std::env::var("IG_GRAPH_BASE_URL") {
        config.graph_base_url = base.parse().context("IG_GRAPH_BASE_URL")?;
    }
    if let Ok(version) = std::env::var("IG_GRAPH_VERSION") {
        config = config.with_graph_version(version);
    }
    let client = InstagramClient::new(config)?;

    let profile = client.profile(&token, &ProfileField::ALL).await?;
    println!(
        "@{} ({:?}): {:?} followers, {:?} media",
        profile.username.as_deref().unwrap_or("?"),
        profile.account_type,
        profile.followers_count,
        profile.media_count
    );
    let media: Vec<_> = client
        .media(&token, "me", MediaQuery::default())
        .try_collect()
        .await?;
    println!("{} media walked", media.len());
    for item in media.iter().take(3) {
        let product = item.product_type();
        let insights = client
            .media_insights(
                &token,
                &item.id,
                &product,
                &MediaMetric::recommended_for(&product),
            )
            .await?;
        println!(
            "  {} {} {:?}: views {:?}, reach {:?}",
            item.id,
            product.as_str(),
            insights.state,
            insights.get(MediaMetric::Views),
            insights.get(MediaMetric::Reach)
        );
    }
    Ok(())
}
