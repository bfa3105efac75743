//! Prints a Google authorization URL for YouTube built from environment variables.
//!
//! ```text
//! YT_CLIENT_ID=123-abc.apps.googleusercontent.com YT_CLIENT_SECRET=GOCSPX-... \
//! YT_REDIRECT_URI=https://app.example/api/auth/youtube/callback \
//! cargo run -p youtube-client --example authorize_url
//! ```
//!
//! Optional: `YT_BASE_URL` (one root for every Google host: a sandbox),
//! `YT_LOGIN_HINT` (an email to pre-select).

use anyhow::Context as _;
use youtube_client::{ExposeSecret as _, YouTubeClient, YouTubeConfig};

fn required(name: &str) -> anyhow::Result<String> {
    std::env::var(name).with_context(|| format!("set {name}"))
}

fn main() -> anyhow::Result<()> {
    let mut config = YouTubeConfig::new(
        required("YT_CLIENT_ID")?,
        required("YT_CLIENT_SECRET")?,
        required("YT_REDIRECT_URI")?
            .parse()
            .context("YT_REDIRECT_URI is not a URL")?,
    );
    if let Ok(base) = std::env::var("YT_BASE_URL") {
        config = config.with_single_base_url(base.parse().context("YT_BASE_URL")?);
    }
    let client = YouTubeClient::new(config)?;
    let hint = std::env::var("YT_LOGIN_HINT").ok();
    let request = client.authorization_request_for(hint.as_deref());
    println!("Open this URL in a browser:\n{}\n", request.url);
    println!("state (check it on the callback): {}", request.state);
    if let Some(verifier) = &request.pkce_verifier {
        // Printed because this is a manual flow: the verifier is needed to exchange the
        // code. A service stores it server-side and never shows it.
        println!(
            "PKCE verifier (keep it for the code exchange): {}",
            verifier.expose_secret()
        );
    }
    Ok(())
}
