//! Prints an Instagram Login authorization URL built from environment variables.
//!
//! ```text
//! IG_APP_ID=... IG_APP_SECRET=... \
//! IG_REDIRECT_URI=https://app.example/api/auth/instagram/callback \
//! cargo run -p instagram-client --example authorize_url
//! ```
//!
//! Optional: `IG_SCOPES` (comma-separated, default basic and insights), `IG_AUTH_BASE_URL`
//! (a sandbox's `<base>/www/`), `IG_FORCE_REAUTH=1`.

use anyhow::Context as _;
use instagram_client::{AuthorizeOptions, InstagramClient, InstagramConfig};

fn required(name: &str) -> anyhow::Result<String> {
    std::env::var(name).with_context(|| format!("set {name}"))
}

fn main() -> anyhow::Result<()> {
    let mut config = InstagramConfig::new(
        required("IG_APP_ID")?,
        required("IG_APP_SECRET")?,
        required("IG_REDIRECT_URI")?
            .parse()
            .context("IG_REDIRECT_URI is not a URL")?,
    );
    if let Ok(scopes) = std::env::var("IG_SCOPES") {
        config = config.with_scopes(scopes.split(',').map(str::trim));
    }
    if let Ok(base) = std::env::var("IG_AUTH_BASE_URL") {
        config.auth_base_url = base.parse().context("IG_AUTH_BASE_URL")?;
    }
    if std::env::var("IG_FORCE_REAUTH").as_deref() == Ok("1") {
        config = config.with_authorize_options(AuthorizeOptions {
            force_reauth: true,
            ..AuthorizeOptions::default()
        });
    }
    let client = InstagramClient::new(config)?;
    let request = client.authorization_request();
    println!("Open this URL in a browser:\n{}\n", request.url);
    println!("state (check it on the callback): {}", request.state);
    Ok(())
}
