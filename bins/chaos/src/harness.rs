//! What every scenario stands on: a fresh database, the TikTok sandbox in this process over
//! loopback, creators connected through the real consent flow, the real `sync-worker` and
//! `api-server` binaries as child processes, and waits for conditions with deadlines.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use bench::keys::BenchSecrets;
use bench::sandbox_flow::{SCOPES, connect_creator, consent_browser, redirect_uri, services_for};
use chrono::{DateTime, TimeDelta, Utc};
use diesel::SqliteConnection;
use diesel::sql_types::{BigInt, Date, Nullable, Text};
use diesel_async::sync_connection_wrapper::SyncConnectionWrapper;
use diesel_async::{AsyncConnection as _, AsyncPgConnection, RunQueryDsl as _};
use futures::{StreamExt as _, TryStreamExt as _};
use secrecy::ExposeSecret as _;
use services::Services;
use services::clock::OffsetClock;
use tiktok_sandbox::{
    DEFAULT_CLIENT_KEY, DEFAULT_CLIENT_SECRET, Sandbox, SandboxConfig, SandboxHandle,
};
use tokio::process::{Child, Command};

/// Runs `$body` with `$c` bound to the probe's connection, whatever its backend.
macro_rules! on_probe {
    ($world:expr, |$c:ident| $body:expr) => {
        match &mut $world.probe {
            Probe::Postgres($c) => {
                let $c = &mut **$c;
                $body
            }
            Probe::Sqlite($c) => $body,
        }
    };
}

#[derive(diesel::QueryableByName)]
struct IdRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

#[derive(diesel::QueryableByName)]
struct StatusRow {
    #[diesel(sql_type = Text)]
    status: String,
}

#[derive(diesel::QueryableByName)]
struct CountRow {
    #[diesel(sql_type = BigInt)]
    count: i64,
}

#[derive(diesel::QueryableByName)]
struct LeaseRow {
    #[diesel(sql_type = Nullable<Text>)]
    lease_holder: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    lease_expires_at: Option<i64>,
    #[diesel(sql_type = Text)]
    #[allow(dead_code)]
    status: String,
}

/// One row of the sync log.
#[derive(Debug, Clone, diesel::QueryableByName)]
pub struct RunRow {
    /// The connection.
    #[diesel(sql_type = BigInt)]
    pub connection_id: i64,
    /// `connect`, `scheduled`, `manual`.
    #[diesel(sql_type = Text)]
    pub triggered_by: String,
    /// `None` while open.
    #[diesel(sql_type = Nullable<Text>)]
    pub outcome: Option<String>,
    /// The error code, if any.
    #[diesel(sql_type = Nullable<Text>)]
    pub error_code: Option<String>,
    /// Unix seconds.
    #[diesel(sql_type = BigInt)]
    pub started_at: i64,
    /// Unix seconds.
    #[diesel(sql_type = Nullable<BigInt>)]
    pub finished_at: Option<i64>,
}

/// A child process of the suite, killed when dropped.
pub struct Process {
    child: Child,
    /// Its name in the scenario.
    pub label: String,
    /// Its log file.
    pub log: PathBuf,
}

impl Process {
    /// SIGKILL, then reap it.
    pub async fn kill(&mut self) -> Result<()> {
        self.child.start_kill()?;
        self.child.wait().await?;
        Ok(())
    }

    /// SIGTERM (a graceful stop).
    pub fn terminate(&self) -> Result<()> {
        let pid = self.child.id().context("the process has exited")?;
        let status = std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()?;
        if !status.success() {
            bail!("kill -TERM {pid} failed");
        }
        Ok(())
    }

    /// Waits for the process to exit, at most `deadline`.
    pub async fn wait(&mut self, deadline: Duration) -> Result<std::process::ExitStatus> {
        match tokio::time::timeout(deadline, self.child.wait()).await {
            Ok(status) => Ok(status?),
            Err(_) => bail!(
                "{} did not exit within {deadline:?}; see {}",
                self.label,
                self.log.display()
            ),
        }
    }

    /// Whether it has exited.
    pub fn exited(&mut self) -> Result<bool> {
        Ok(self.child.try_wait()?.is_some())
    }

    /// Its log so far.
    pub fn log_text(&self) -> String {
        read_log(&self.log)
    }
}

/// A log file's text (empty if unreadable).
pub fn read_log(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// Polls `condition` every 20 ms until it holds or `deadline` passes.
pub async fn wait_until<F, Fut>(
    what: &str,
    deadline: Duration,
    mut condition: F,
) -> Result<Duration>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<bool>>,
{
    let started = Instant::now();
    loop {
        if condition().await? {
            return Ok(started.elapsed());
        }
        if started.elapsed() > deadline {
            bail!("timed out after {deadline:?} waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Unix seconds now.
pub fn unix_now() -> i64 {
    Utc::now().timestamp()
}

/// Maps the sandbox's arrival `Instant`s to UTC through one reference pair.
#[derive(Debug, Clone, Copy)]
pub struct InstantToUtc {
    instant: Instant,
    utc: DateTime<Utc>,
}

impl InstantToUtc {
    /// The reference pair, now.
    pub fn now() -> Self {
        Self {
            instant: Instant::now(),
            utc: Utc::now(),
        }
    }

    /// `at` in UTC.
    pub fn utc(&self, at: Instant) -> DateTime<Utc> {
        let offset = if at >= self.instant {
            TimeDelta::from_std(at - self.instant).unwrap_or(TimeDelta::MAX)
        } else {
            -TimeDelta::from_std(self.instant - at).unwrap_or(TimeDelta::MAX)
        };
        self.utc + offset
    }
}

/// What the whole suite shares.
pub struct Suite {
    /// The `sync-worker` executable.
    pub worker_bin: PathBuf,
    /// The `api-server` executable.
    pub server_bin: PathBuf,
    /// A PostgreSQL server URL; each scenario gets its own database on it.
    pub postgres: url::Url,
    /// The seed of the sandbox's data and of the orders chosen.
    pub seed: u64,
    /// Where the processes' logs are kept.
    pub log_dir: PathBuf,
}

/// One scenario's world.
pub struct World {
    /// The TikTok emulator (in this process, on a loopback port).
    pub sandbox: SandboxHandle,
    /// The use cases as the api-server wires them, for connecting creators.
    pub services: Services,
    /// The database's URL, as the child processes get it.
    pub database_url: String,
    /// A direct connection for the checks (not through the service's code).
    probe: Probe,
    /// The secrets the processes share with the harness.
    pub secrets: BenchSecrets,
    /// Where this scenario's processes log.
    pub log_dir: PathBuf,
    /// The scenario's name.
    pub name: &'static str,
    worker_bin: PathBuf,
    server_bin: PathBuf,
}

/// How long connections were "connected" before the scenario starts: every one is due.
const CONNECTED_AGO: TimeDelta = TimeDelta::hours(25);

impl World {
    /// A fresh database `chaos_<name>` and a sandbox started with `sandbox`; access tokens
    /// last 30 days so that no scenario refreshes unless it means to.
    pub async fn new(suite: &Suite, name: &'static str, sandbox: SandboxConfig) -> Result<Self> {
        let mut url = suite.postgres.clone();
        url.set_path(&format!("/chaos_{name}"));
        Self::on(suite, name, sandbox, url.to_string()).await
    }

    /// As [`World::new`], on a fresh SQLite file in the scenario's log folder.
    pub async fn new_sqlite(
        suite: &Suite,
        name: &'static str,
        sandbox: SandboxConfig,
    ) -> Result<Self> {
        let dir = suite.log_dir.join(name);
        std::fs::create_dir_all(&dir)?;
        let url = format!("sqlite://{}", dir.join("chaos.db").display());
        Self::on(suite, name, sandbox, url).await
    }

    /// [`World::new`] on PostgreSQL, or [`World::new_sqlite`] with `sqlite`.
    pub async fn on_backend(
        suite: &Suite,
        name: &'static str,
        sandbox: SandboxConfig,
        sqlite: bool,
    ) -> Result<Self> {
        if sqlite {
            Self::new_sqlite(suite, name, sandbox).await
        } else {
            Self::new(suite, name, sandbox).await
        }
    }

    /// As [`World::new`], on the (re-created) database at `database_url`.
    pub async fn on(
        suite: &Suite,
        name: &'static str,
        sandbox: SandboxConfig,
        database_url: String,
    ) -> Result<Self> {
        bench::database::recreate(&database_url).await?;
        let secrets = BenchSecrets::from_seed(suite.seed);
        let db = bench::database::open(&database_url, secrets.cipher()?, 8).await?;
        let sandbox = Sandbox::start(sandbox.seed(suite.seed).rate_limit_per_minute(0)).await?;
        let clock = OffsetClock::new();
        clock.advance(-CONNECTED_AGO);
        let services = services_for(&sandbox, db, Arc::new(clock.clone()), u32::MAX)?;
        let probe = Probe::open(&database_url)
            .await
            .context("the checks' own connection")?;
        let log_dir = suite.log_dir.join(name);
        std::fs::create_dir_all(&log_dir)?;
        Ok(Self {
            sandbox,
            services,
            database_url,
            probe,
            secrets,
            log_dir,
            name,
            worker_bin: suite.worker_bin.clone(),
            server_bin: suite.server_bin.clone(),
        })
    }

    /// Connects every sandbox creator (8 at a time) a day ago; returns their open ids in
    /// the sandbox's order.
    pub async fn connect_all(&self) -> Result<Vec<String>> {
        let browser = consent_browser()?;
        let base = self.sandbox.base_url();
        let creators = self.sandbox.creators();
        let ids: Vec<String> = creators.iter().map(|c| c.open_id.clone()).collect();
        futures::stream::iter(creators.into_iter().enumerate().map(|(index, creator)| {
            let (browser, base) = (&browser, &base);
            async move {
                connect_creator(
                    &self.services,
                    browser,
                    base,
                    &format!("chaos-user-{index:05}"),
                    &creator.open_id,
                )
                .await
                .map(|_| ())
            }
        }))
        .buffer_unordered(8)
        .try_collect::<Vec<()>>()
        .await?;
        Ok(ids)
    }

    /// A `sync-worker` command against this world: live mode against the sandbox, logs to
    /// `<log_dir>/<label>.log`, the given extra environment.
    pub fn worker(&self, label: &str, args: &[&str], env: &[(&str, String)]) -> Result<Process> {
        let log_path = self.log_dir.join(format!("{label}.log"));
        let log = std::fs::File::create(&log_path)?;
        let base = self.sandbox.base_url();
        let mut command = Command::new(&self.worker_bin);
        command
            .args(args)
            .current_dir(&self.log_dir)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("DATA_DIR", &self.log_dir)
            .env("DATABASE_URL", &self.database_url)
            .env("TIKTOK_CLIENT_KEY", DEFAULT_CLIENT_KEY)
            .env("TIKTOK_CLIENT_SECRET", DEFAULT_CLIENT_SECRET)
            .env("TIKTOK_REDIRECT_URI", redirect_uri())
            .env("TIKTOK_AUTH_BASE_URL", base.as_str())
            .env("TIKTOK_API_BASE_URL", base.as_str())
            .env("TIKTOK_SCOPES", SCOPES.join(","))
            .env("TOKEN_ENCRYPTION_KEY", self.secrets.encryption_key_env())
            .env("JWT_SECRET", self.secrets.jwt_secret().expose_secret())
            .env("APP_ORIGIN", "http://127.0.0.1:5001")
            .env("WORKER_INSTANCE_ID", format!("chaos-{}-{label}", self.name))
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .kill_on_drop(true);
        for (name, value) in env {
            command.env(name, value);
        }
        let child = command
            .spawn()
            .with_context(|| format!("starting {}", self.worker_bin.display()))?;
        Ok(Process {
            child,
            label: label.to_owned(),
            log: log_path,
        })
    }

    /// Starts the `api-server` in live mode against the sandbox on a free loopback port and
    /// waits until `/readyz` answers 200 (at most 30 s); returns it, its base URL and how
    /// long it took to be ready.
    pub async fn server(
        &self,
        label: &str,
        env: &[(&str, String)],
    ) -> Result<(Process, url::Url, Duration)> {
        let port = bench::server::free_port()?;
        let base_url = url::Url::parse(&format!("http://127.0.0.1:{port}/"))?;
        let log_path = self.log_dir.join(format!("{label}.log"));
        let log = std::fs::File::create(&log_path)?;
        let base = self.sandbox.base_url();
        let mut command = Command::new(&self.server_bin);
        command
            .current_dir(&self.log_dir)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("PORT", port.to_string())
            .env("BIND_ADDRESS", "127.0.0.1")
            .env("DATA_DIR", &self.log_dir)
            .env("DATABASE_URL", &self.database_url)
            .env("TIKTOK_CLIENT_KEY", DEFAULT_CLIENT_KEY)
            .env("TIKTOK_CLIENT_SECRET", DEFAULT_CLIENT_SECRET)
            // Registered with the sandbox; the harness follows the redirect to the real port.
            .env("TIKTOK_REDIRECT_URI", redirect_uri())
            .env("TIKTOK_AUTH_BASE_URL", base.as_str())
            .env("TIKTOK_API_BASE_URL", base.as_str())
            .env("TIKTOK_SCOPES", SCOPES.join(","))
            .env("TOKEN_ENCRYPTION_KEY", self.secrets.encryption_key_env())
            .env("JWT_SECRET", self.secrets.jwt_secret().expose_secret())
            .env("APP_ORIGIN", "http://127.0.0.1:5001")
            // Live mode asks for both; the suite's tokens carry neither.
            .env("JWT_AUDIENCE", "*")
            .env("JWT_ISSUER", "*")
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .kill_on_drop(true);
        for (name, value) in env {
            command.env(name, value);
        }
        let started = Instant::now();
        let child = command
            .spawn()
            .with_context(|| format!("starting {}", self.server_bin.display()))?;
        let mut process = Process {
            child,
            label: label.to_owned(),
            log: log_path,
        };
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()?;
        let readyz = base_url.join("readyz")?;
        loop {
            if let Ok(response) = client.get(readyz.clone()).send().await
                && response.status() == reqwest::StatusCode::OK
            {
                return Ok((process, base_url, started.elapsed()));
            }
            if process.exited()? || started.elapsed() > Duration::from_secs(30) {
                bail!(
                    "the api-server was not ready; see {}",
                    process.log.display()
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Runs a `sync-worker` command to its end (at most a minute); its standard output.
    pub async fn worker_output(&self, args: &[&str], env: &[(&str, String)]) -> Result<String> {
        let label = args.join("-").replace("--", "");
        let mut process = self.worker(&label, args, env)?;
        let status = process.wait(Duration::from_secs(60)).await?;
        if !status.success() {
            bail!(
                "sync-worker {args:?} exited with {status}; see {}",
                process.log.display()
            );
        }
        // Standard output and error share the log; the JSON is its outermost braces.
        let log = process.log_text();
        match (log.find("{\n"), log.rfind('}')) {
            (Some(start), Some(end)) if start < end => Ok(log[start..=end].to_owned()),
            _ => bail!(
                "sync-worker {args:?} printed no JSON; see {}",
                process.log.display()
            ),
        }
    }

    /// Every connection's status, in id order.
    pub async fn statuses(&mut self) -> Result<Vec<String>> {
        let query = diesel::sql_query("SELECT status FROM connections ORDER BY id");
        let rows: Vec<StatusRow> = on_probe!(self, |c| query.load(c).await?);
        Ok(rows.into_iter().map(|row| row.status).collect())
    }

    /// Sets each connection's last successful sync so that `order` (connection ids) is
    /// stalest first, one minute apart, all of them due (the freshest two days ago less one
    /// minute per connection).
    pub async fn set_staleness(&mut self, order: &[i64]) -> Result<()> {
        let spread = i64::try_from(order.len())? * 60;
        let stalest = (Utc::now() - TimeDelta::days(2)).timestamp() - spread;
        for (rank, id) in order.iter().enumerate() {
            let at = stalest + i64::try_from(rank)? * 60;
            let query =
                diesel::sql_query("UPDATE connections SET last_synced_at = $1 WHERE id = $2")
                    .bind::<BigInt, _>(at)
                    .bind::<BigInt, _>(*id);
            on_probe!(self, |c| query.execute(c).await?);
        }
        Ok(())
    }

    /// Runs a statement without parameters.
    pub async fn execute(&mut self, sql: &str) -> Result<usize> {
        let query = diesel::sql_query(sql);
        Ok(on_probe!(self, |c| query.execute(c).await?))
    }

    /// Opens the checks' connection again (after a database restart).
    pub async fn reconnect_probe(&mut self) -> Result<()> {
        self.probe = Probe::open(&self.database_url).await?;
        Ok(())
    }

    /// Every connection id, in id order.
    pub async fn connection_ids(&mut self) -> Result<Vec<i64>> {
        let query = diesel::sql_query("SELECT id FROM connections ORDER BY id");
        let rows: Vec<IdRow> = on_probe!(self, |c| query.load(c).await?);
        Ok(rows.into_iter().map(|row| row.id).collect())
    }

    /// Every sync run, oldest first.
    pub async fn runs(&mut self) -> Result<Vec<RunRow>> {
        let query = diesel::sql_query(
            "SELECT connection_id, triggered_by, outcome, error_code, started_at, \
             finished_at FROM sync_runs ORDER BY id",
        );
        Ok(on_probe!(self, |c| query.load(c).await?))
    }

    /// One connection's lease: holder and expiry (unix seconds).
    pub async fn lease(&mut self, id: i64) -> Result<(Option<String>, Option<i64>)> {
        let query = diesel::sql_query(
            "SELECT lease_holder, lease_expires_at, status FROM connections WHERE id = $1",
        )
        .bind::<BigInt, _>(id);
        let row: LeaseRow = on_probe!(self, |c| query.get_result(c).await?);
        Ok((row.lease_holder, row.lease_expires_at))
    }

    /// A count from `sql` with one bigint parameter.
    pub async fn count(&mut self, sql: &str, id: i64) -> Result<i64> {
        let query = diesel::sql_query(sql).bind::<BigInt, _>(id);
        let row: CountRow = on_probe!(self, |c| query.get_result(c).await?);
        Ok(row.count)
    }

    /// How many snapshots of connection `id`'s videos are dated today (UTC): a sync writes
    /// one per video under the day it ran.
    pub async fn snapshots_today(&mut self, id: i64) -> Result<i64> {
        let query = diesel::sql_query(
            "SELECT count(*) AS count FROM video_snapshots WHERE connection_id = $1 AND day = $2",
        )
        .bind::<BigInt, _>(id)
        .bind::<Date, _>(Utc::now().date_naive());
        let row: CountRow = on_probe!(self, |c| query.get_result(c).await?);
        Ok(row.count)
    }
}

/// The checks' connection, on the scenario's backend.
enum Probe {
    // Boxed: one probe per scenario, and the variants differ much in size.
    Postgres(Box<AsyncPgConnection>),
    Sqlite(SyncConnectionWrapper<SqliteConnection>),
}

impl Probe {
    async fn open(url: &str) -> Result<Self> {
        if bench::database::is_postgres(url) {
            return Ok(Self::Postgres(Box::new(
                AsyncPgConnection::establish(url).await?,
            )));
        }
        let path = url.strip_prefix("sqlite://").unwrap_or(url);
        let mut conn = SyncConnectionWrapper::<SqliteConnection>::establish(path).await?;
        // The checks read while the processes write.
        diesel::sql_query("PRAGMA busy_timeout = 5000")
            .execute(&mut conn)
            .await?;
        Ok(Self::Sqlite(conn))
    }
}
