//! The api-server's own settings and how they combine with the shared ones; the shared
//! settings are tested in `bootstrap`.

use std::collections::HashMap;

use secrecy::ExposeSecret;

use super::*;

const KEY_B64: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const JWT: &str = "0123456789abcdef0123456789abcdef-jwt";

struct Vars {
    map: HashMap<String, String>,
    _dir: tempfile::TempDir,
}

impl Vars {
    /// Sandbox-mode variables with a fresh data folder.
    fn sandbox() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut map = HashMap::new();
        map.insert(
            "DATA_DIR".to_owned(),
            dir.path().to_string_lossy().into_owned(),
        );
        Self { map, _dir: dir }
    }

    /// Every variable live mode requires.
    fn live() -> Self {
        Self::sandbox()
            .with("TIKTOK_CLIENT_KEY", "client-key")
            .with("TIKTOK_CLIENT_SECRET", "client-secret-value")
            .with(
                "TIKTOK_REDIRECT_URI",
                "https://api.example.com/api/auth/tiktok/callback",
            )
            .with("TOKEN_ENCRYPTION_KEY", KEY_B64)
            .with("JWT_SECRET", JWT)
            .with("APP_ORIGIN", "https://app.example.com")
            .with("JWT_AUDIENCE", "tiktok-sync")
            .with("JWT_ISSUER", "https://host.example.com")
    }

    fn with(mut self, name: &str, value: &str) -> Self {
        self.map.insert(name.to_owned(), value.to_owned());
        self
    }

    fn without(mut self, name: &str) -> Self {
        self.map.remove(name);
        self
    }

    fn load(&self) -> Result<Config, ConfigError> {
        Config::from_lookup(|name| self.map.get(name).cloned())
    }

    fn error(&self) -> String {
        self.load()
            .expect_err("configuration should be refused")
            .to_string()
    }
}

#[test]
fn sandbox_defaults() {
    let config = Vars::sandbox().load().expect("sandbox config");
    assert_eq!(config.settings.mode, Mode::Sandbox);
    assert_eq!(config.server.port, 5001);
    assert_eq!(config.server.bind_address.to_string(), "127.0.0.1");
    assert_eq!(
        config
            .settings
            .tiktok
            .as_ref()
            .expect("tiktok on")
            .redirect_uri
            .as_str(),
        "http://localhost:5001/api/auth/tiktok/callback"
    );
    assert_eq!(config.app_origin.primary, "http://localhost:5001");
    assert_eq!(config.app_origin.also_allowed, ["http://127.0.0.1:5001"]);
}

#[test]
fn sandbox_jwt_secret_is_the_generated_one() {
    let vars = Vars::sandbox();
    let first = vars.load().expect("first start");
    let second = vars.load().expect("second start");
    assert_eq!(
        first.jwt_secret.expose_secret(),
        second.jwt_secret.expose_secret()
    );
    assert!(first.jwt_secret.expose_secret().len() >= parse::MIN_JWT_SECRET_LEN);
    let dev = first.settings.dev_secrets.as_ref().expect("sandbox");
    assert_eq!(
        first.jwt_secret.expose_secret(),
        dev.jwt_secret.expose_secret()
    );
}

#[test]
fn apply_port_rederives_sandbox_defaults_only() {
    let vars = Vars::sandbox().with("PORT", "0");
    let mut config = vars.load().expect("sandbox config");
    config.apply_port(40123);
    assert_eq!(config.server.port, 40123);
    assert_eq!(
        config
            .settings
            .tiktok
            .as_ref()
            .expect("tiktok on")
            .redirect_uri
            .as_str(),
        "http://localhost:40123/api/auth/tiktok/callback"
    );
    assert_eq!(config.app_origin.primary, "http://localhost:40123");

    let vars = Vars::sandbox()
        .with("APP_ORIGIN", "http://localhost:3000")
        .with(
            "TIKTOK_REDIRECT_URI",
            "http://localhost:3000/api/auth/tiktok/callback",
        );
    let mut config = vars.load().expect("sandbox config");
    config.apply_port(40123);
    assert_eq!(config.app_origin.primary, "http://localhost:3000");
    assert!(config.app_origin.also_allowed.is_empty());
    assert_eq!(
        config
            .settings
            .tiktok
            .as_ref()
            .expect("tiktok on")
            .redirect_uri
            .as_str(),
        "http://localhost:3000/api/auth/tiktok/callback"
    );
}

#[test]
fn live_mode_with_every_variable() {
    let config = Vars::live()
        .with("PORT", "8080")
        .with("BIND_ADDRESS", "0.0.0.0")
        .with("APP_ORIGIN", "https://app.example.com/")
        .load()
        .expect("live config");
    assert_eq!(config.settings.mode, Mode::Live);
    assert_eq!(config.server.port, 8080);
    assert_eq!(config.server.bind_address.to_string(), "0.0.0.0");
    assert_eq!(config.app_origin.primary, "https://app.example.com");
    assert!(config.app_origin.also_allowed.is_empty());
    assert_eq!(config.jwt_secret.expose_secret(), JWT);
}

#[test]
fn live_mode_names_every_missing_variable_shared_or_not() {
    let message = Vars::live()
        .without("JWT_SECRET")
        .without("TOKEN_ENCRYPTION_KEY")
        .error();
    assert!(message.contains("TOKEN_ENCRYPTION_KEY"), "{message}");
    assert!(message.contains("JWT_SECRET"), "{message}");
    assert!(!message.contains("APP_ORIGIN"), "{message}");

    for variable in [
        "TIKTOK_CLIENT_SECRET",
        "TIKTOK_REDIRECT_URI",
        "TOKEN_ENCRYPTION_KEY",
        "JWT_SECRET",
        "APP_ORIGIN",
        "JWT_AUDIENCE",
        "JWT_ISSUER",
    ] {
        let message = Vars::live().without(variable).error();
        assert!(message.contains(variable), "{variable}: {message}");
        assert!(message.contains("TIKTOK_CLIENT_KEY is set"), "{message}");
    }
}

#[test]
fn blank_values_count_as_unset() {
    let config = Vars::live().with("PORT", "  ").load().expect("config");
    assert_eq!(config.server.port, 5001);
}

fn assert_refused(variable: &str, value: &str, expected: &str) {
    let message = Vars::live().with(variable, value).error();
    assert!(
        message.starts_with(&format!("{variable}: ")),
        "{variable}={value}: {message}"
    );
    assert!(message.contains(expected), "{variable}={value}: {message}");
}

#[test]
fn bad_values_name_the_variable_and_the_problem() {
    assert_refused("PORT", "http", "`http` is not a port number");
    assert_refused("PORT", "70000", "is not a port number");
    assert_refused("BIND_ADDRESS", "localhost", "is not an IP address");
    assert_refused(
        "APP_ORIGIN",
        "https://app.example.com/dashboard",
        "is not an origin",
    );
    assert_refused(
        "APP_ORIGIN",
        "https://app.example.com/?x=1",
        "is not an origin",
    );
    assert_refused("JWT_SECRET", "short", "is 5 bytes long; use at least 32");
    // A shared setting is refused through the api-server's configuration too.
    assert_refused("TIKTOK_DAILY_QUOTA", "lots", "not a positive whole number");
}

#[test]
fn bad_jwt_secrets_are_not_quoted() {
    let secret = "tooshortsecret";
    let message = Vars::live().with("JWT_SECRET", secret).error();
    assert!(!message.contains(secret), "{message}");
}

#[test]
fn debug_output_redacts_secrets() {
    let config = Vars::live()
        .with("DATABASE_URL", "postgres://user:dbpassword@db/x")
        .load()
        .expect("config");
    let debug = format!("{config:?}");
    for secret in ["client-secret-value", JWT, "dbpassword", KEY_B64] {
        assert!(!debug.contains(secret), "Debug shows {secret}");
    }
}

#[test]
fn jwt_audience_and_issuer_are_required_in_live_mode_unless_turned_off() {
    let config = Vars::live()
        .with("JWT_AUDIENCE", " tiktok-sync ")
        .load()
        .expect("loads");
    assert_eq!(config.jwt_claims.audience.as_deref(), Some("tiktok-sync"));
    assert_eq!(
        config.jwt_claims.issuer.as_deref(),
        Some("https://host.example.com")
    );
    // Unset is an error naming both (issue 25); `*` turns a check off explicitly.
    let message = Vars::live()
        .without("JWT_AUDIENCE")
        .without("JWT_ISSUER")
        .error();
    assert!(message.contains("JWT_AUDIENCE, JWT_ISSUER"), "{message}");
    let config = Vars::live()
        .with("JWT_AUDIENCE", "*")
        .with("JWT_ISSUER", "*")
        .load()
        .expect("loads");
    assert_eq!(config.jwt_claims, crate::auth::JwtClaimRules::default());
    // Blank is an error, not "unset".
    let message = Vars::live().with("JWT_AUDIENCE", "  ").error();
    assert!(message.contains("set but blank: JWT_AUDIENCE"), "{message}");
    // Sandbox mode checks neither unless set.
    let config = Vars::sandbox().load().expect("sandbox");
    assert_eq!(config.jwt_claims, crate::auth::JwtClaimRules::default());
}

/// Issue 25: an operator whose secret store injected a blank client key, beside the host
/// product's real JWT secret, its token key and its frontend.
fn production_with_blank_key() -> Vars {
    Vars::sandbox()
        .with("JWT_SECRET", JWT)
        .with("TOKEN_ENCRYPTION_KEY", KEY_B64)
        .with("APP_ORIGIN", "https://app.example.com")
        .with("TIKTOK_CLIENT_KEY", "")
}

#[test]
fn a_blank_production_setting_is_an_error_naming_it() {
    let message = production_with_blank_key().error();
    assert!(
        message.contains("set but blank: TIKTOK_CLIENT_KEY"),
        "{message}"
    );
    for name in ["JWT_SECRET", "APP_ORIGIN", "BIND_ADDRESS"] {
        let message = Vars::sandbox().with(name, " ").error();
        assert!(
            message.contains(&format!("set but blank: {name}")),
            "{message}"
        );
    }
}

#[test]
fn production_settings_select_live_mode_and_never_sandbox() {
    // Without MODE, any production setting means live mode (here without a platform).
    let message = Vars::sandbox().with("JWT_SECRET", JWT).error();
    assert!(
        message.contains("live mode (JWT_SECRET is set)"),
        "{message}"
    );
    assert!(message.contains("no platform is configured"), "{message}");

    // MODE=sandbox beside them refuses to start and names each.
    let message = production_with_blank_key()
        .without("TIKTOK_CLIENT_KEY")
        .with("MODE", "sandbox")
        .with("BIND_ADDRESS", "0.0.0.0")
        .with("DATABASE_URL", "postgres://tiktok:hunter2@db.internal/prod")
        .error();
    for why in [
        "TOKEN_ENCRYPTION_KEY is set",
        "DATABASE_URL is a PostgreSQL database on another host",
        "JWT_SECRET is set",
        "BIND_ADDRESS is not a loopback address",
        "APP_ORIGIN is not on localhost",
    ] {
        assert!(message.contains(why), "{why}: {message}");
    }
    assert!(!message.contains("hunter2"), "{message}");
    assert!(!message.contains(JWT), "{message}");

    // Each one alone is enough.
    for (name, value) in [
        ("JWT_SECRET", JWT),
        ("TOKEN_ENCRYPTION_KEY", KEY_B64),
        ("BIND_ADDRESS", "0.0.0.0"),
        ("APP_ORIGIN", "https://app.example.com"),
        ("DATABASE_URL", "postgres://db.internal/prod"),
    ] {
        let message = Vars::sandbox()
            .with("MODE", "sandbox")
            .with(name, value)
            .error();
        assert!(message.starts_with("MODE is sandbox, but"), "{message}");
        assert!(message.contains(name), "{name}: {message}");
    }
}

#[test]
fn sandbox_mode_accepts_only_this_machine() {
    let config = Vars::sandbox()
        .with("MODE", "sandbox")
        .with("BIND_ADDRESS", "::1")
        .with("APP_ORIGIN", "http://127.0.0.1:3000")
        .with("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dev")
        .load()
        .expect("a developer's machine");
    assert!(config.is_sandbox());
    // The bearer tokens of sandbox mode are signed with its generated secret.
    let dev = config.settings.dev_secrets.as_ref().expect("sandbox");
    assert_eq!(
        config.jwt_secret.expose_secret(),
        dev.jwt_secret.expose_secret()
    );
}
