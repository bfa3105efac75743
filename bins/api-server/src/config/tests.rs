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
    let vars = Vars::sandbox();
    let config = vars.load().expect("sandbox config");
    assert_eq!(config.mode, Mode::Sandbox);
    assert_eq!(config.server.port, 5001);
    assert_eq!(config.server.bind_address.to_string(), "127.0.0.1");
    assert_eq!(config.tiktok.client_key, SANDBOX_CLIENT_KEY);
    assert_eq!(
        config.tiktok.scopes,
        [
            "user.info.basic",
            "user.info.profile",
            "user.info.stats",
            "video.list"
        ]
    );
    assert_eq!(
        config.tiktok.auth_base_url.as_str(),
        "https://www.tiktok.com/"
    );
    assert_eq!(
        config.tiktok.api_base_url.as_str(),
        "https://open.tiktokapis.com/"
    );
    assert!(!config.tiktok.base_urls_explicit);
    assert_eq!(
        config.tiktok.redirect_uri.as_str(),
        "http://localhost:5001/api/auth/tiktok/callback"
    );
    assert_eq!(config.app_origin.primary, "http://localhost:5001");
    assert_eq!(config.app_origin.also_allowed, ["http://127.0.0.1:5001"]);
    assert_eq!(config.sync.manual_cooldown.as_secs(), 300);
    assert_eq!(config.sync.rate_limit_per_minute, 600);
    assert_eq!(config.sync.daily_quota, None);
    assert_eq!(config.log_format, LogFormat::Pretty);
    assert_eq!(config.log_filter, "info");
    assert!(config.database_url.expose_secret().starts_with("sqlite://"));
    assert!(
        config
            .database_url
            .expose_secret()
            .ends_with("tiktok-sync.db")
    );
}

#[test]
fn sandbox_secrets_are_persisted_and_reused() {
    let vars = Vars::sandbox();
    let first = vars.load().expect("first start");
    let second = vars.load().expect("second start");
    assert_eq!(
        first.jwt_secret.expose_secret(),
        second.jwt_secret.expose_secret()
    );
    assert_eq!(
        first.token_encryption_keys.active().bytes().expose_secret(),
        second
            .token_encryption_keys
            .active()
            .bytes()
            .expose_secret()
    );
    assert_eq!(
        first.tiktok.client_secret.expose_secret(),
        second.tiktok.client_secret.expose_secret()
    );
    assert!(first.jwt_secret.expose_secret().len() >= parse::MIN_JWT_SECRET_LEN);
}

#[cfg(unix)]
#[test]
fn sandbox_secrets_file_is_private() {
    use std::os::unix::fs::PermissionsExt as _;
    let vars = Vars::sandbox();
    let config = vars.load().expect("sandbox config");
    let mode = std::fs::metadata(dev_secrets_path(&config.data_dir))
        .expect("secrets file")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn corrupt_dev_secrets_file_is_an_error() {
    let vars = Vars::sandbox();
    let dir = PathBuf::from(&vars.map["DATA_DIR"]);
    std::fs::write(dev_secrets_path(&dir), "{not json").expect("write");
    assert!(vars.error().contains("dev-secrets.json"));
}

#[test]
fn apply_port_rederives_sandbox_defaults_only() {
    let vars = Vars::sandbox().with("PORT", "0");
    let mut config = vars.load().expect("sandbox config");
    config.apply_port(40123);
    assert_eq!(config.server.port, 40123);
    assert_eq!(
        config.tiktok.redirect_uri.as_str(),
        "http://localhost:40123/api/auth/tiktok/callback"
    );
    assert_eq!(config.app_origin.primary, "http://localhost:40123");

    let vars = Vars::sandbox().with("APP_ORIGIN", "http://localhost:3000");
    let mut config = vars.load().expect("sandbox config");
    config.apply_port(40123);
    assert_eq!(config.app_origin.primary, "http://localhost:3000");
    assert!(config.app_origin.also_allowed.is_empty());
}

#[test]
fn live_mode_with_every_variable() {
    let vars = Vars::live()
        .with("PORT", "8080")
        .with("BIND_ADDRESS", "0.0.0.0")
        .with("TIKTOK_SCOPES", "user.info.basic, video.list")
        .with("TIKTOK_DAILY_QUOTA", "1000")
        .with("TIKTOK_RATE_LIMIT_PER_MINUTE", "100")
        .with("MANUAL_SYNC_COOLDOWN_SECS", "0")
        .with("LOG_FORMAT", "JSON")
        .with("APP_ORIGIN", "https://app.example.com/")
        .with("DATABASE_URL", "postgres://u:p@db/tiktok");
    let config = vars.load().expect("live config");
    assert_eq!(config.mode, Mode::Live);
    assert_eq!(config.server.port, 8080);
    assert_eq!(config.tiktok.client_key, "client-key");
    assert_eq!(config.tiktok.scopes, ["user.info.basic", "video.list"]);
    assert_eq!(config.sync.daily_quota, Some(1000));
    assert_eq!(config.sync.rate_limit_per_minute, 100);
    assert_eq!(config.sync.manual_cooldown.as_secs(), 0);
    assert_eq!(config.log_format, LogFormat::Json);
    assert_eq!(config.app_origin.primary, "https://app.example.com");
    assert!(config.app_origin.also_allowed.is_empty());
    assert_eq!(config.token_encryption_keys.active().id(), "default");
    assert_eq!(
        config
            .token_encryption_keys
            .active()
            .bytes()
            .expose_secret()[31],
        31
    );
    assert!(!dev_secrets_path(&config.data_dir).exists());
}

#[test]
fn live_mode_names_every_missing_variable() {
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
    ] {
        let message = Vars::live().without(variable).error();
        assert!(message.contains(variable), "{variable}: {message}");
        assert!(message.contains("TIKTOK_CLIENT_KEY is set"), "{message}");
    }
}

#[test]
fn blank_values_count_as_unset() {
    let config = Vars::live()
        .with("PORT", "  ")
        .with("TIKTOK_DAILY_QUOTA", "")
        .load()
        .expect("config");
    assert_eq!(config.server.port, 5001);
    assert_eq!(config.sync.daily_quota, None);
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
        "MANUAL_SYNC_COOLDOWN_SECS",
        "5m",
        "not a whole number of seconds",
    );
    assert_refused("TIKTOK_RATE_LIMIT_PER_MINUTE", "0", "must be at least 1");
    assert_refused("TIKTOK_DAILY_QUOTA", "lots", "not a positive whole number");
    assert_refused("LOG_FORMAT", "xml", "expected `pretty` or `json`");
    assert_refused("TIKTOK_SCOPES", ",,", "lists no scope");
    assert_refused("TIKTOK_SCOPES", "user info", "is not a scope name");
    assert_refused("TIKTOK_REDIRECT_URI", "not a url", "is not a valid URL");
    assert_refused(
        "TIKTOK_REDIRECT_URI",
        "ftp://x.example",
        "expected http or https",
    );
    assert_refused("TIKTOK_AUTH_BASE_URL", "tiktok.com", "is not a valid URL");
    assert_refused(
        "TIKTOK_API_BASE_URL",
        "mailto:a@b.c",
        "expected http or https",
    );
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
}

#[test]
fn bad_secrets_are_not_quoted() {
    let secret = "tooshortsecret";
    let message = Vars::live().with("JWT_SECRET", secret).error();
    assert!(!message.contains(secret), "{message}");

    let key = "bm90IDMyIGJ5dGVz";
    let message = Vars::live().with("TOKEN_ENCRYPTION_KEY", key).error();
    assert!(
        message.contains("decodes to 12 bytes; it must be 32"),
        "{message}"
    );
    assert!(!message.contains(key), "{message}");

    let message = Vars::live()
        .with("TOKEN_ENCRYPTION_KEY", "not base64 at all!")
        .error();
    assert!(message.contains("is not valid base64"), "{message}");
    assert!(!message.contains("at all"), "{message}");
}

#[test]
fn rotation_list_puts_the_first_key_in_charge() {
    let other = "HyAhIiMkJSYnKCkqKywtLi8wMTIzNDU2Nzg5Ojs8PT4=";
    let config = Vars::live()
        .with("TOKEN_ENCRYPTION_KEY", &format!("k2:{other}, k1:{KEY_B64}"))
        .load()
        .expect("config");
    let ids: Vec<&str> = config
        .token_encryption_keys
        .all()
        .map(EncryptionKey::id)
        .collect();
    assert_eq!(ids, ["k2", "k1"]);
    assert_eq!(config.token_encryption_keys.active().id(), "k2");
}

#[test]
fn rotation_list_errors() {
    assert_refused(
        "TOKEN_ENCRYPTION_KEY",
        &format!("k1:{KEY_B64},{KEY_B64}"),
        "entry 2 has no id",
    );
    assert_refused(
        "TOKEN_ENCRYPTION_KEY",
        &format!("k1:{KEY_B64},k1:{KEY_B64}"),
        "the key id `k1` appears twice",
    );
    assert_refused(
        "TOKEN_ENCRYPTION_KEY",
        &format!("bad id:{KEY_B64}"),
        "entry 1 has an invalid id",
    );
    assert_refused(
        "TOKEN_ENCRYPTION_KEY",
        "k1:AAAA",
        "key `k1` decodes to 3 bytes",
    );
}

#[test]
fn debug_output_redacts_secrets() {
    let vars = Vars::live().with("DATABASE_URL", "postgres://user:dbpassword@db/x");
    let config = vars.load().expect("config");
    let debug = format!("{config:?}");
    for secret in ["client-secret-value", JWT, "dbpassword", KEY_B64] {
        assert!(!debug.contains(secret), "Debug shows {secret}");
    }
    let key_bytes = format!(
        "{:?}",
        config
            .token_encryption_keys
            .active()
            .bytes()
            .expose_secret()
    );
    assert!(!debug.contains(&key_bytes));
}

#[test]
fn dotenv_errors_do_not_quote_the_line() {
    let error = describe_dotenv_error(dotenvy::Error::LineParse(
        "JWT_SECRET='unterminated-secret-value".into(),
        11,
    ));
    let message = error.to_string();
    assert_eq!(message, ".env: cannot parse the line at byte offset 11");
    assert!(!message.contains("unterminated-secret-value"));
}

#[test]
fn host_webhooks_are_off_without_a_url_and_need_a_secret_with_one() {
    let config = Vars::live().load().expect("live config loads");
    assert!(config.host_webhook.is_none());
    assert_eq!(config.tiktok.webhook_tolerance, Duration::from_secs(300));

    let url = "https://host.example.com/hooks?token=query-credential";
    let error = Vars::live().with("HOST_WEBHOOK_URL", url).error();
    assert!(error.starts_with("HOST_WEBHOOK_SECRET:"), "{error}");

    let short = Vars::live()
        .with("HOST_WEBHOOK_URL", url)
        .with("HOST_WEBHOOK_SECRET", "too-short")
        .error();
    assert!(short.contains("at least 16"), "{short}");
    assert!(
        !short.contains("too-short"),
        "a secret is never repeated: {short}"
    );

    let config = Vars::live()
        .with("HOST_WEBHOOK_URL", url)
        .with("HOST_WEBHOOK_SECRET", "0123456789abcdef0123")
        .with("HOST_WEBHOOK_MAX_AGE_SECS", "3600")
        .with("HOST_WEBHOOK_FIRST_RETRY_SECS", "2")
        .with("HOST_WEBHOOK_MAX_RETRY_SECS", "60")
        .with("HOST_WEBHOOK_TIMEOUT_SECS", "5")
        .with("TIKTOK_WEBHOOK_TOLERANCE_SECS", "120")
        .load()
        .expect("host webhook settings load");
    let host = config.host_webhook.expect("host webhooks on");
    assert_eq!(host.url.as_str(), url);
    assert_eq!(host.secret.expose_secret(), "0123456789abcdef0123");
    assert_eq!(
        (host.max_age, host.first_retry, host.max_retry, host.timeout),
        (
            Duration::from_secs(3600),
            Duration::from_secs(2),
            Duration::from_secs(60),
            Duration::from_secs(5)
        )
    );
    assert_eq!(config.tiktok.webhook_tolerance, Duration::from_secs(120));
}

#[test]
fn a_bad_host_webhook_setting_names_its_variable_without_echoing_the_url() {
    let bad_url = Vars::live()
        .with(
            "HOST_WEBHOOK_URL",
            "ftp://host.example.com/?token=query-credential",
        )
        .with("HOST_WEBHOOK_SECRET", "0123456789abcdef0123")
        .error();
    assert!(bad_url.starts_with("HOST_WEBHOOK_URL:"), "{bad_url}");
    assert!(!bad_url.contains("query-credential"), "{bad_url}");

    let inverted = Vars::live()
        .with("HOST_WEBHOOK_URL", "https://host.example.com/hooks")
        .with("HOST_WEBHOOK_SECRET", "0123456789abcdef0123")
        .with("HOST_WEBHOOK_FIRST_RETRY_SECS", "60")
        .with("HOST_WEBHOOK_MAX_RETRY_SECS", "10")
        .error();
    assert!(
        inverted.starts_with("HOST_WEBHOOK_MAX_RETRY_SECS:"),
        "{inverted}"
    );

    let zero = Vars::live()
        .with("HOST_WEBHOOK_URL", "https://host.example.com/hooks")
        .with("HOST_WEBHOOK_SECRET", "0123456789abcdef0123")
        .with("HOST_WEBHOOK_TIMEOUT_SECS", "0")
        .error();
    assert!(zero.starts_with("HOST_WEBHOOK_TIMEOUT_SECS:"), "{zero}");
}

#[test]
fn jwt_audience_and_issuer_are_optional() {
    let config = Vars::live().load().expect("loads");
    assert_eq!(config.jwt_claims, crate::auth::JwtClaimRules::default());
    let config = Vars::live()
        .with("JWT_AUDIENCE", " tiktok-sync ")
        .with("JWT_ISSUER", "https://host.example.com")
        .load()
        .expect("loads");
    assert_eq!(config.jwt_claims.audience.as_deref(), Some("tiktok-sync"));
    assert_eq!(
        config.jwt_claims.issuer.as_deref(),
        Some("https://host.example.com")
    );
    // Blank is unset, as for every variable.
    let blank = Vars::live()
        .with("JWT_AUDIENCE", "  ")
        .load()
        .expect("loads");
    assert_eq!(blank.jwt_claims.audience, None);
}
