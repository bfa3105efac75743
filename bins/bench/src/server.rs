//! The real api-server, as a separate process (release build), so its memory and CPU are its
//! own: started with a benchmark configuration and stopped at the end.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use secrecy::ExposeSecret as _;
use url::Url;

use crate::error::{BenchError, BenchResult};
use crate::keys::BenchSecrets;
use crate::proc_stats::{self, Memory};

/// How long a server may take to answer `/readyz` before the benchmark gives up.
const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// The `api-server` built beside this binary (`target/release/api-server` when the bench
/// runs from `target/release/bench`).
pub fn default_binary(name: &str) -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(name)))
        .unwrap_or_else(|| PathBuf::from(name))
}

/// A free TCP port on 127.0.0.1 (bound, then released for the server to take).
pub fn free_port() -> BenchResult<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// How to start a server.
#[derive(Debug, Clone)]
pub struct ServerSpec {
    /// The api-server executable.
    pub binary: PathBuf,
    /// Its `DATABASE_URL`.
    pub database_url: String,
    /// Its `RUST_LOG`.
    pub log_filter: String,
    /// A working folder (its `DATA_DIR`, its log, and no `.env` to pick up).
    pub work_dir: PathBuf,
}

/// A running api-server process.
pub struct RunningServer {
    child: Child,
    pid: u32,
    base_url: Url,
    /// From spawning the process to the first `200` of `/readyz`.
    pub ready_after: Duration,
}

impl RunningServer {
    /// Starts the server in production mode (a TikTok client key is set, so no emulator runs
    /// in-process) and waits until `/readyz` answers 200.
    pub async fn start(spec: &ServerSpec, secrets: &BenchSecrets) -> BenchResult<Self> {
        if !spec.binary.is_file() {
            return Err(BenchError::Setup(format!(
                "{} not found: build it first with `cargo build --release -p api-server`, or \
                 pass --server-bin",
                spec.binary.display()
            )));
        }
        let port = free_port()?;
        let origin = format!("http://127.0.0.1:{port}");
        let base_url = Url::parse(&format!("{origin}/"))?;
        let log = std::fs::File::create(spec.work_dir.join("api-server.log"))?;
        let mut command = Command::new(&spec.binary);
        command
            .current_dir(&spec.work_dir)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("PORT", port.to_string())
            .env("BIND_ADDRESS", "127.0.0.1")
            .env("DATA_DIR", &spec.work_dir)
            .env("DATABASE_URL", &spec.database_url)
            .env("TIKTOK_CLIENT_KEY", "bench-client-key")
            .env("TIKTOK_CLIENT_SECRET", "bench-client-secret")
            .env(
                "TIKTOK_REDIRECT_URI",
                format!("{origin}/api/auth/tiktok/callback"),
            )
            .env("TOKEN_ENCRYPTION_KEY", secrets.encryption_key_env())
            .env("JWT_SECRET", secrets.jwt_secret().expose_secret())
            .env("APP_ORIGIN", &origin)
            // The benchmark's tokens carry neither claim: both checks explicitly off.
            .env("JWT_AUDIENCE", "*")
            .env("JWT_ISSUER", "*")
            .env("LOG_FORMAT", "json")
            .env("RUST_LOG", &spec.log_filter)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        let started = Instant::now();
        let mut child = command.spawn()?;
        let pid = child.id();
        let ready_after = match wait_ready(&mut child, &base_url, started, &spec.work_dir).await {
            Ok(ready_after) => ready_after,
            Err(error) => {
                // Best effort: the set-up error is what matters.
                let _ = child.kill();
                let _ = child.wait();
                return Err(error);
            }
        };
        Ok(Self {
            child,
            pid,
            base_url,
            ready_after,
        })
    }

    /// The server's base URL (`http://127.0.0.1:<port>/`).
    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Its resident memory now and at its peak.
    pub fn memory(&self) -> BenchResult<Memory> {
        proc_stats::memory(self.pid)
    }

    /// Its CPU seconds so far.
    pub fn cpu_seconds(&self) -> BenchResult<f64> {
        proc_stats::cpu_seconds(self.pid)
    }

    /// Kills the server and waits for it to exit.
    pub fn stop(mut self) -> BenchResult<()> {
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        // A benchmark that stops on an error must not leave its server running. After
        // `stop` this finds the process already reaped and does nothing.
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Polls `/readyz` every millisecond (a refused connection means "not listening yet").
async fn wait_ready(
    child: &mut Child,
    base_url: &Url,
    started: Instant,
    work_dir: &Path,
) -> BenchResult<Duration> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()?;
    let readyz = base_url.join("readyz")?;
    loop {
        if let Ok(response) = client.get(readyz.clone()).send().await
            && response.status() == reqwest::StatusCode::OK
        {
            return Ok(started.elapsed());
        }
        if let Some(status) = child.try_wait()? {
            return Err(BenchError::Setup(format!(
                "the api-server exited with {status} before it was ready; see {}",
                work_dir.join("api-server.log").display()
            )));
        }
        if started.elapsed() > READY_TIMEOUT {
            return Err(BenchError::Setup(format!(
                "the api-server was not ready within {READY_TIMEOUT:?}; see {}",
                work_dir.join("api-server.log").display()
            )));
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}
