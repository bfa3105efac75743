//! Prints a TikTok authorize URL built from environment variables.
//!
//! ```text
//! TIKTOK_CLIENT_KEY=... TIKTOK_CLIENT_SECRET=... \
//! TIKTOK_REDIRECT_URI=https://app.example/api/auth/tiktok/callback \
//! cargo run -p tiktok-client --example authorize_url
//! ```
//!
//! Optional: `TIKTOK_SCOPES` (comma-separated, default `user.info.basic`),
//! `TIKTOK_AUTH_BASE_URL` (a sandbox), `TIKTOK_PKCE_ENCODING` (`base64url` or
//! `hex`), `TIKTOK_DISABLE_AUTO_AUTH=1`.

use anyhow::{Context as _, bail};
use tiktok_client::{ExposeSecret as _, PkceEncoding, TikTokClient, TikTokConfig};

fn required(name: &str) -> anyhow::Result<String> {
    std::env::var(name).with_context(|| format!("set {name}"))
}

fn main() -> anyhow::Result<()> {
    let mut config = TikTokConfig::new(
        required("TIKTOK_CLIENT_KEY")?,
        required("TIKTOK_CLIENT_SECRET")?,
        required("TIKTOK_REDIRECT_URI")?
            .parse()
            .context("TIKTOK_REDIRECT_URI is not a URL")?,
    );
    if let Ok(scopes) = std::env::var("TIKTOK_SCOPES") {
        config = config.with_scopes(scopes.split(',').map(str::trim));
    }
    if let Ok(base) = std::env::var("TIKTOK_AUTH_BASE_URL") {
        config = config.with_auth_base_url(base.parse().context("TIKTOK_AUTH_BASE_URL")?);
    }
    match std::env::var("TIKTOK_PKCE_ENCODING").as_deref() {
        Err(_) | Ok("base64url") => {}
        Ok("hex") => config = config.with_pkce_encoding(PkceEncoding::Hex),
        Ok(other) => bail!("TIKTOK_PKCE_ENCODING must be base64url or hex, not {other}"),
    }
    if std::env::var("TIKTOK_DISABLE_AUTO_AUTH").as_deref() == Ok("1") {
        config = config.with_disable_auto_auth(true);
    }

    let client = TikTokClient::new(config)?;
    let request = client.authorization_request();
    println!("Open this URL in a browser:\n{}\n", request.url);
    println!("state (check it on the callback): {}", request.state);
    // Printed because this is a manual flow: the verifier is needed to
    // exchange the code. A service stores it server-side and never shows it.
    println!(
        "PKCE verifier (keep it for the code exchange): {}",
        request.pkce_verifier.expose_secret()
    );
    Ok(())
}
