//! Prints the token owner's channel, walks its uploads, reads every video's counters and the
//! last week of Analytics, and says how many quota units that spent.
//!
//! ```text
//! YT_ACCESS_TOKEN=ya29... YT_BASE_URL=http://127.0.0.1:5004/ \
//! RUST_LOG=youtube_client=debug \
//! cargo run -p youtube-client --example channel_and_videos
//! ```
//!
//! Against the sandbox (`cargo run -p youtube-sandbox`), connect a channel in a browser and
//! copy the access token from your callback handler; against Google, leave `YT_BASE_URL`
//! unset. `YT_CLIENT_ID`, `YT_CLIENT_SECRET` and `YT_REDIRECT_URI` are only needed for a
//! refresh, which this example does not make.

use std::sync::Arc;

use anyhow::Context as _;
use futures::TryStreamExt as _;
use youtube_client::{
    AccessToken, ChannelLookup, ChannelPart, PlaylistItemPart, QuotaBucket, QuotaLedger,
    QuotaTable, YouTubeClient, YouTubeConfig, analytics_range,
};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let token = AccessToken::new(std::env::var("YT_ACCESS_TOKEN").context("set YT_ACCESS_TOKEN")?);
    let mut config = YouTubeConfig::new(
        std::env::var("YT_CLIENT_ID").unwrap_or_else(|_| "unused".into()),
        std::env::var("YT_CLIENT_SECRET").unwrap_or_else(|_| "unused".into()),
        std::env::var("YT_REDIRECT_URI")
            .unwrap_or_else(|_| "http://localhost/cb".into())
            .parse()?,
    );
    if let Ok(base) = std::env::var("YT_BASE_URL") {
        config = config.with_single_base_url(base.parse().context("YT_BASE_URL")?);
    }
    let ledger = Arc::new(QuotaLedger::new(QuotaTable::current()));
    let client = YouTubeClient::new(config)?.with_call_hook(ledger.clone());

    let ChannelLookup::Found(channel) = client.my_channel(&token, &ChannelPart::DEFAULT).await?
    else {
        println!("This Google account has no YouTube channel.");
        return Ok(());
    };
    let title = channel
        .snippet
        .as_ref()
        .and_then(|snippet| snippet.title.clone())
        .unwrap_or_default();
    let statistics = channel.statistics.clone().unwrap_or_default();
    let subscribers = statistics
        .visible_subscriber_count()
        .map_or_else(|| "hidden".to_owned(), |count| count.to_string());
    println!("{title} ({}): {subscribers} subscribers", channel.id);

    let uploads = channel
        .uploads_playlist_id()
        .context("no uploads playlist")?;
    let ids: Vec<String> = client
        .playlist_items(&token, uploads, &PlaylistItemPart::DEFAULT)
        .try_filter_map(|item| async move { Ok(item.video_id().map(str::to_owned)) })
        .try_collect()
        .await?;
    let counters = client.video_statistics(&token, &ids).await?;
    for (id, statistics) in counters.statistics.iter().take(10) {
        println!("  {id}: {:?} views", statistics.view_count);
    }
    println!(
        "{} uploads, {} with counters, {} gone or hidden",
        ids.len(),
        counters.statistics.len(),
        counters.missing.len()
    );

    let (start, end) = analytics_range(client.now(), 7);
    match client.daily_channel_report(&token, start, end).await {
        Ok(report) => {
            for row in report.rows {
                println!(
                    "  {}: {} views, {} minutes",
                    row.day, row.views, row.estimated_minutes_watched
                );
            }
        }
        Err(error) => println!("Analytics: {error}"),
    }
    println!(
        "Quota spent: {} general units (resets at {})",
        ledger.spent(QuotaBucket::General),
        ledger.resets_at()
    );
    Ok(())
}
