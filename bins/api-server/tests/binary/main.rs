//! The `api-server` binary as a process: the configurations that must never start, and the
//! sandbox-only route absent from a live server (issue 25, point 1).
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

const KEY_B64: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const JWT: &str = "the-host-products-real-jwt-secret-0123456789";

/// The configuration of issue 25: the host product's real secrets, and a client key that the
/// secret store injected blank.
fn production_with_blank_key() -> HashMap<&'static str, String> {
    HashMap::from([
        ("JWT_SECRET", JWT.to_owned()),
        ("TOKEN_ENCRYPTION_KEY", KEY_B64.to_owned()),
        ("APP_ORIGIN", "https://app.example.com".to_owned()),
        ("TIKTOK_CLIENT_KEY", String::new()),
        ("PORT", "0".to_owned()),
    ])
}

/// Runs the binary with exactly `env` in a private folder (no `.env` of the checkout), to its
/// end: a configuration it refuses ends it at once.
fn run_to_end(env: &HashMap<&'static str, String>) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_api-server"))
        .env_clear()
        .envs(env)
        .env("DATA_DIR", dir.path())
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The process is waited for on its own thread; a refused configuration ends it at once,
    // one that started the server never does, and is killed at the deadline.
    let pid = child.id();
    let (ended, end) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = ended.send(child.wait_with_output());
    });
    match end.recv_timeout(Duration::from_secs(30)) {
        Ok(output) => output.unwrap(),
        Err(_) => {
            let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
            panic!("the server started with {:?}", env.keys());
        }
    }
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_blank_client_key_beside_production_secrets_refuses_to_start() {
    let output = run_to_end(&production_with_blank_key());
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(
        message.contains("set but blank: TIKTOK_CLIENT_KEY"),
        "{message}"
    );
    assert!(!message.contains(JWT), "{message}");
}

#[test]
fn sandbox_mode_beside_production_settings_refuses_to_start_naming_them() {
    let mut env = production_with_blank_key();
    env.remove("TIKTOK_CLIENT_KEY");
    env.insert("MODE", "sandbox".to_owned());
    env.insert("BIND_ADDRESS", "0.0.0.0".to_owned());
    let output = run_to_end(&env);
    assert!(!output.status.success());
    let message = stderr(&output);
    for why in [
        "MODE is sandbox",
        "TOKEN_ENCRYPTION_KEY is set",
        "JWT_SECRET is set",
        "BIND_ADDRESS is not a loopback address",
        "APP_ORIGIN is not on localhost",
    ] {
        assert!(message.contains(why), "{why}: {message}");
    }
    assert!(!message.contains(JWT), "{message}");

    // Without MODE, the same settings mean live mode, which needs a platform.
    env.remove("MODE");
    let message = stderr(&run_to_end(&env));
    assert!(
        message.contains("live mode (TOKEN_ENCRYPTION_KEY is set)"),
        "{message}"
    );
}

/// A started server: its address, and the process (killed when dropped).
struct Running {
    child: std::process::Child,
    base: String,
    _dir: tempfile::TempDir,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the binary with `env` and waits (with a deadline) for its "listening" log line.
fn start(env: &HashMap<&'static str, String>) -> Running {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_api-server"))
        .env_clear()
        .envs(env)
        .env("DATA_DIR", dir.path())
        .env("LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { return };
            if line.contains("api-server listening") {
                let _ = sender.send(line);
            }
        }
    });
    let line = receiver
        .recv_timeout(Duration::from_secs(60))
        .expect("the server starts");
    let log: serde_json::Value = serde_json::from_str(&line).unwrap();
    let address = log["fields"]["address"]
        .as_str()
        .or_else(|| log["address"].as_str())
        .unwrap_or_else(|| panic!("no address in {line}"))
        .to_owned();
    Running {
        child,
        base: format!("http://{address}"),
        _dir: dir,
    }
}

#[tokio::test]
async fn a_live_server_has_no_dev_token_route() {
    let mut env = production_with_blank_key();
    env.extend([
        ("TIKTOK_CLIENT_KEY", "client-key".to_owned()),
        ("TIKTOK_CLIENT_SECRET", "client-secret-value".to_owned()),
        (
            "TIKTOK_REDIRECT_URI",
            "https://api.example.com/api/auth/tiktok/callback".to_owned(),
        ),
        ("JWT_AUDIENCE", "tiktok-sync".to_owned()),
        ("JWT_ISSUER", "https://host.example.com".to_owned()),
    ]);
    let server = tokio::task::spawn_blocking(move || start(&env))
        .await
        .unwrap();
    let client = reqwest::Client::new();
    let response = client
        .post(format!("{}/api/dev/token", server.base))
        .json(&serde_json::json!({ "userId": "victim" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::NOT_FOUND);
    let ready = client
        .get(format!("{}/healthz", server.base))
        .send()
        .await
        .unwrap();
    assert!(ready.status().is_success());
}
