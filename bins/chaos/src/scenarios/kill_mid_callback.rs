//! Scenario 3: SIGKILL the api-server in the middle of an OAuth callback (TikTok holds the
//! code exchange until the kill). Nothing is half-connected, the callback cannot be replayed
//! on the restarted server, and the creator simply connects again.

use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use api_server::auth::JwtIssuer;
use bench::sandbox_flow::consent_browser;
use secrecy::ExposeSecret as _;
use tiktok_sandbox::{ConsentForm, Endpoint, Fault, SandboxConfig};
use url::Url;

use crate::harness::{Suite, World, wait_until};

const USER: &str = "chaos-creator";
const CONNECTIONS_OF_USER: &str =
    "SELECT count(*) AS count FROM connections WHERE user_id = 'chaos-creator' AND $1 = $1";

/// Runs the scenario on PostgreSQL, or on SQLite with `sqlite`; returns its figures.
pub async fn run(suite: &Suite, sqlite: bool) -> Result<String> {
    let mut world = World::on_backend(
        suite,
        if sqlite {
            "kill_mid_callback_sqlite"
        } else {
            "kill_mid_callback"
        },
        SandboxConfig::new().creator_videos([5]),
        sqlite,
    )
    .await?;
    let open_id = world.sandbox.creators()[0].open_id.clone();
    let issued =
        JwtIssuer::new(world.secrets.jwt_secret()).issue(USER, chrono::Duration::hours(1))?;
    let bearer = issued.token.expose_secret().to_owned();
    let (mut server, base, _) = world.server("server-1").await?;

    let callback = consent(&world, &base, &bearer, &open_id).await?;
    world
        .sandbox
        .set_fault_for_calls(Endpoint::Token, Fault::Held, 1);
    let browser = consent_browser()?;
    let in_flight = tokio::spawn(browser.get(callback.clone()).send());
    let sandbox = &world.sandbox;
    wait_until(
        "the code exchange to be held",
        Duration::from_secs(30),
        || async { Ok(sandbox.held_calls() == 1) },
    )
    .await?;
    server.kill().await?;
    let killed_at = Instant::now();
    world.sandbox.clear_faults();
    if let Ok(Ok(response)) = in_flight.await {
        bail!(
            "the killed server still answered the callback: {}",
            response.status()
        );
    }
    if world.count(CONNECTIONS_OF_USER, 0).await? != 0 {
        bail!("a connection was stored by a callback whose server died mid-way");
    }

    let (_server, base, ready) = world.server("server-2").await?;
    let replay = on_server(&callback, &base)?;
    let page = browser.get(replay).send().await?.text().await?;
    if !page.contains("connection failed") || world.count(CONNECTIONS_OF_USER, 0).await? != 0 {
        bail!("the callback was replayed on the restarted server");
    }
    let again = consent(&world, &base, &bearer, &open_id).await?;
    let page = browser.get(again).send().await?.text().await?;
    if !page.contains("TikTok connected") || world.count(CONNECTIONS_OF_USER, 0).await? != 1 {
        bail!("the creator could not connect again after the crash: {page}");
    }
    Ok(format!(
        "replay=refused reconnect=ok connections=1 restart_ready_in={:.1}s recovered_in={:.1}s",
        ready.as_secs_f64(),
        killed_at.elapsed().as_secs_f64(),
    ))
}

/// Starts a connect on the server as `bearer`'s user, consents on the sandbox as `open_id`,
/// and returns the callback URL TikTok redirects to, pointed at the server.
async fn consent(world: &World, base: &Url, bearer: &str, open_id: &str) -> Result<Url> {
    let browser = consent_browser()?;
    let started: serde_json::Value = browser
        .get(base.join("api/auth/tiktok/connect")?)
        .bearer_auth(bearer)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let authorize = started["authorizationUrl"]
        .as_str()
        .context("the connect answer has no authorizationUrl")?;
    let page = browser.get(authorize).send().await?.text().await?;
    let form = ConsentForm::parse(&page).context("the sandbox answered no consent form")?;
    let response = browser
        .post(world.sandbox.base_url().join(&form.action)?)
        .form(&form.authorize_all(open_id))
        .send()
        .await?;
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|value| value.to_str().ok())
        .context("the consent answered no redirect")?;
    on_server(&Url::parse(location)?, base)
}

/// `url` with the server's host and port (the registered redirect URI names another port).
fn on_server(url: &Url, base: &Url) -> Result<Url> {
    let mut moved = url.clone();
    moved
        .set_port(base.port())
        .map_err(|()| anyhow::anyhow!("cannot set the port of {url}"))?;
    Ok(moved)
}
