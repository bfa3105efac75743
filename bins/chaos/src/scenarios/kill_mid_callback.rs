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
/// The connect cooldown (`MANUAL_SYNC_COOLDOWN_SECS`, 5 minutes by default), short for the
/// suite.
const COOLDOWN_SECS: u64 = 3;
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
    let env = [("MANUAL_SYNC_COOLDOWN_SECS", COOLDOWN_SECS.to_string())];
    let (mut server, base, _) = world.server("server-1", &env).await?;

    let first = consent(&world, &base, &bearer, &open_id).await?;
    world
        .sandbox
        .set_fault_for_calls(Endpoint::Token, Fault::Held, 1);
    let browser = consent_browser()?;
    let in_flight = tokio::spawn(
        browser
            .get(first.callback.clone())
            .header(reqwest::header::COOKIE, &first.cookie)
            .send(),
    );
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

    let (_server, base, ready) = world.server("server-2", &env).await?;
    // The same browser (its cookie) replays the callback on the restarted server.
    let replay = on_server(&first.callback, &base)?;
    let page = browser
        .get(replay)
        .header(reqwest::header::COOKIE, &first.cookie)
        .send()
        .await?
        .text()
        .await?;
    if !page.contains("connection failed") || world.count(CONNECTIONS_OF_USER, 0).await? != 0 {
        bail!("the callback was replayed on the restarted server");
    }
    // The interactive slot was claimed before the exchange (it reached TikTok): the creator
    // is told `sync_cooldown` until the cooldown ends, then connects again.
    let client = reqwest::Client::new();
    let connect = base.join("api/auth/tiktok/connect")?;
    let told = std::sync::atomic::AtomicBool::new(false);
    let waited = wait_until(
        "the connect cooldown to end",
        Duration::from_secs(60),
        || {
            let request = client.get(connect.clone()).bearer_auth(&bearer).send();
            let told = &told;
            async move {
                match request.await?.status().as_u16() {
                    429 => {
                        told.store(true, std::sync::atomic::Ordering::SeqCst);
                        Ok(false)
                    }
                    200 => Ok(true),
                    other => bail!("connect again answered {other}"),
                }
            }
        },
    )
    .await?;
    let told_to_wait = told.load(std::sync::atomic::Ordering::SeqCst);
    let again = consent(&world, &base, &bearer, &open_id).await?;
    let page = browser
        .get(again.callback)
        .header(reqwest::header::COOKIE, &again.cookie)
        .send()
        .await?
        .text()
        .await?;
    if !page.contains("TikTok connected") || world.count(CONNECTIONS_OF_USER, 0).await? != 1 {
        bail!("the creator could not connect again after the crash: {page}");
    }
    Ok(format!(
        "replay=refused reconnect=ok (after the {COOLDOWN_SECS}s connect cooldown: told to wait \
         {told_to_wait}, waited {:.1}s) connections=1 restart_ready_in={:.1}s recovered_in={:.1}s",
        waited.as_secs_f64(),
        ready.as_secs_f64(),
        killed_at.elapsed().as_secs_f64(),
    ))
}

/// A connect in one browser: the callback to open, and the cookie the start link bound the
/// connect to (the callback completes only in the browser that carries it).
struct Consented {
    callback: Url,
    cookie: String,
}

/// Starts a connect on the server as `bearer`'s user, opens its start link (which binds the
/// connect to this browser with a cookie), consents on the sandbox as `open_id`, and returns
/// the callback URL TikTok redirects to, pointed at the server, with the cookie.
async fn consent(world: &World, base: &Url, bearer: &str, open_id: &str) -> Result<Consented> {
    let browser = consent_browser()?;
    let started: serde_json::Value = browser
        .get(base.join("api/auth/tiktok/connect")?)
        .bearer_auth(bearer)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let start = started["authorizationUrl"]
        .as_str()
        .context("the connect answer has no authorizationUrl")?;
    let start = browser
        .get(on_server(&Url::parse(start)?, base)?)
        .send()
        .await?;
    let cookie = start
        .headers()
        .get(reqwest::header::SET_COOKIE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .context("the start link set no cookie")?
        .to_owned();
    let authorize = start
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|value| value.to_str().ok())
        .context("the start link did not redirect to TikTok")?
        .to_owned();
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
    Ok(Consented {
        callback: on_server(&Url::parse(location)?, base)?,
        cookie,
    })
}

/// `url` with the server's host and port (the registered redirect URI names another port).
fn on_server(url: &Url, base: &Url) -> Result<Url> {
    let mut moved = url.clone();
    moved
        .set_port(base.port())
        .map_err(|()| anyhow::anyhow!("cannot set the port of {url}"))?;
    Ok(moved)
}
