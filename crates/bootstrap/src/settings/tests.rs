use std::collections::HashMap;

use secrecy::ExposeSecret;

use super::*;

const KEY_B64: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

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

    /// Every variable live mode requires of every process.
    fn live() -> Self {
        Self::sandbox()
            .with("TIKTOK_CLIENT_KEY", "client-key")
            .with("TIKTOK_CLIENT_SECRET", "client-secret-value")
            .with(
                "TIKTOK_REDIRECT_URI",
                "https://api.example.com/api/auth/tiktok/callback",
            )
            .with("TOKEN_ENCRYPTION_KEY", KEY_B64)
    }

    fn with(mut self, name: &str, value: &str) -> Self {
        self.map.insert(name.to_owned(), value.to_owned());
        self
    }

    fn without(mut self, name: &str) -> Self {
        self.map.remove(name);
        self
    }

    fn lookup(&self) -> impl Fn(&str) -> Option<String> + '_ {
        |name| self.map.get(name).cloned()
    }

    fn load(&self) -> Result<Settings, ConfigError> {
        Settings::from_lookup(&self.lookup())
    }

    fn error(&self) -> String {
        self.load()
            .expect_err("configuration should be refused")
            .to_string()
    }
}

#[test]
fn sandbox_defaults() {
    let settings = Vars::sandbox().load().expect("sandbox settings");
    assert_eq!(settings.mode, Mode::Sandbox);
    assert_eq!(
        settings.tiktok.as_ref().expect("tiktok on").client_key,
        SANDBOX_CLIENT_KEY
    );
    assert_eq!(
        settings.tiktok.as_ref().expect("tiktok on").scopes,
        [
            "user.info.basic",
            "user.info.profile",
            "user.info.stats",
            "video.list"
        ]
    );
    assert_eq!(
        settings
            .tiktok
            .as_ref()
            .expect("tiktok on")
            .auth_base_url
            .as_str(),
        "https://www.tiktok.com/"
    );
    assert_eq!(
        settings
            .tiktok
            .as_ref()
            .expect("tiktok on")
            .api_base_url
            .as_str(),
        "https://open.tiktokapis.com/"
    );
    assert!(
        !settings
            .tiktok
            .as_ref()
            .expect("tiktok on")
            .base_urls_explicit
    );
    assert!(
        !settings
            .tiktok
            .as_ref()
            .expect("tiktok on")
            .redirect_uri_explicit
    );
    assert_eq!(settings.sync.manual_cooldown.as_secs(), 300);
    // Half TikTok's 600: two adjacent fixed minutes never exceed a sliding one's limit.
    assert_eq!(settings.sync.rate_limit_per_minute, 300);
    assert!(2 * settings.sync.rate_limit_per_minute <= TIKTOK_LIMIT_PER_MINUTE);
    assert_eq!(settings.sync.daily_quota, None);
    assert_eq!(settings.sync.rotation_grace, Duration::from_secs(5));
    assert_eq!(
        settings.sync.tiktok_request_timeout,
        Duration::from_secs(30)
    );
    assert_eq!(settings.log.format, LogFormat::Pretty);
    assert_eq!(settings.log.filter, "info");
    let database_url = settings.database_url.expose_secret();
    assert!(database_url.starts_with("sqlite://"), "{database_url}");
    assert!(database_url.ends_with("tiktok-sync.db"), "{database_url}");
    assert!(settings.dev_secrets.is_some());
}

#[test]
fn sandbox_secrets_are_persisted_and_reused() {
    let vars = Vars::sandbox();
    let first = vars.load().expect("first start");
    let second = vars.load().expect("second start");
    assert_eq!(
        first.token_encryption_keys.active().bytes().expose_secret(),
        second
            .token_encryption_keys
            .active()
            .bytes()
            .expose_secret()
    );
    assert_eq!(
        first
            .tiktok
            .as_ref()
            .expect("tiktok on")
            .client_secret
            .expose_secret(),
        second
            .tiktok
            .as_ref()
            .expect("tiktok on")
            .client_secret
            .expose_secret()
    );
    let (first, second) = (
        first.dev_secrets.expect("sandbox"),
        second.dev_secrets.expect("sandbox"),
    );
    assert_eq!(
        first.jwt_secret.expose_secret(),
        second.jwt_secret.expose_secret()
    );
}

#[cfg(unix)]
#[test]
fn sandbox_secrets_file_is_private() {
    use std::os::unix::fs::PermissionsExt as _;
    let vars = Vars::sandbox();
    let settings = vars.load().expect("sandbox settings");
    let mode = std::fs::metadata(dev_secrets_path(&settings.data_dir))
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
fn live_mode_with_every_variable() {
    let settings = Vars::live()
        .with("TIKTOK_SCOPES", "user.info.basic, video.list")
        .with("TIKTOK_DAILY_QUOTA", "1000")
        .with("TIKTOK_RATE_LIMIT_PER_MINUTE", "100")
        .with("MANUAL_SYNC_COOLDOWN_SECS", "0")
        .with("TOKEN_ROTATION_GRACE_MS", "250")
        .with("TIKTOK_REQUEST_TIMEOUT_SECS", "7")
        .with("LOG_FORMAT", "JSON")
        .with("DATABASE_URL", "postgres://u:p@db/tiktok")
        .load()
        .expect("live settings");
    assert_eq!(settings.sync.rotation_grace, Duration::from_millis(250));
    assert_eq!(settings.sync.tiktok_request_timeout, Duration::from_secs(7));
    assert_eq!(settings.mode, Mode::Live);
    assert_eq!(
        settings.tiktok.as_ref().expect("tiktok on").client_key,
        "client-key"
    );
    assert!(
        settings
            .tiktok
            .as_ref()
            .expect("tiktok on")
            .redirect_uri_explicit
    );
    assert_eq!(
        settings.tiktok.as_ref().expect("tiktok on").scopes,
        ["user.info.basic", "video.list"]
    );
    assert_eq!(settings.sync.daily_quota, Some(1000));
    assert_eq!(settings.sync.rate_limit_per_minute, 100);
    assert_eq!(settings.sync.manual_cooldown.as_secs(), 0);
    assert_eq!(settings.log.format, LogFormat::Json);
    assert_eq!(settings.token_encryption_keys.active().id(), "default");
    assert_eq!(
        settings
            .token_encryption_keys
            .active()
            .bytes()
            .expose_secret()[31],
        31
    );
    assert!(settings.dev_secrets.is_none());
    assert!(!dev_secrets_path(&settings.data_dir).exists());
}

#[test]
fn the_worker_needs_no_http_settings_in_live_mode() {
    // JWT_SECRET and APP_ORIGIN are the api-server's; a worker runs without them.
    let settings = Vars::live()
        .load()
        .expect("live settings without HTTP ones");
    assert_eq!(settings.mode, Mode::Live);
}

#[test]
fn live_mode_names_every_missing_variable() {
    for variable in [
        "TIKTOK_CLIENT_SECRET",
        "TIKTOK_REDIRECT_URI",
        "TOKEN_ENCRYPTION_KEY",
    ] {
        let message = Vars::live().without(variable).error();
        assert!(message.contains(variable), "{variable}: {message}");
        assert!(message.contains("TIKTOK_CLIENT_KEY is set"), "{message}");
    }
    // A binary's own required variables are named in the same error.
    let vars = Vars::live().without("TOKEN_ENCRYPTION_KEY");
    let message = Settings::from_lookup_requiring(&vars.lookup(), &["JWT_SECRET"])
        .expect_err("refused")
        .to_string();
    assert!(
        message.contains("TOKEN_ENCRYPTION_KEY, JWT_SECRET"),
        "{message}"
    );
    // ...and only when they are missing.
    let vars = Vars::live().with("JWT_SECRET", "set");
    Settings::from_lookup_requiring(&vars.lookup(), &["JWT_SECRET"]).expect("complete");
}

#[test]
fn blank_values_count_as_unset() {
    let settings = Vars::live()
        .with("TIKTOK_DAILY_QUOTA", "")
        .with("LOG_FORMAT", "  ")
        .load()
        .expect("settings");
    assert_eq!(settings.sync.daily_quota, None);
    assert_eq!(settings.log.format, LogFormat::Pretty);
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
    assert_refused(
        "MANUAL_SYNC_COOLDOWN_SECS",
        "5m",
        "not a whole number of seconds",
    );
    assert_refused("TIKTOK_RATE_LIMIT_PER_MINUTE", "0", "must be at least 1");
    assert_refused("TIKTOK_DAILY_QUOTA", "lots", "not a positive whole number");
    assert_refused(
        "TOKEN_ROTATION_GRACE_MS",
        "5s",
        "not a whole number of milliseconds",
    );
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
}

#[test]
fn bad_keys_are_not_quoted() {
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
    let settings = Vars::live()
        .with("TOKEN_ENCRYPTION_KEY", &format!("k2:{other}, k1:{KEY_B64}"))
        .load()
        .expect("settings");
    let ids: Vec<&str> = settings
        .token_encryption_keys
        .all()
        .map(EncryptionKey::id)
        .collect();
    assert_eq!(ids, ["k2", "k1"]);
    assert_eq!(settings.token_encryption_keys.active().id(), "k2");
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
    let settings = Vars::live()
        .with("DATABASE_URL", "postgres://user:dbpassword@db/x")
        .load()
        .expect("settings");
    let debug = format!("{settings:?}");
    for secret in ["client-secret-value", "dbpassword", KEY_B64] {
        assert!(!debug.contains(secret), "Debug shows {secret}");
    }
    let key_bytes = format!(
        "{:?}",
        settings
            .token_encryption_keys
            .active()
            .bytes()
            .expose_secret()
    );
    assert!(!debug.contains(&key_bytes));

    let sandbox = Vars::sandbox().load().expect("sandbox settings");
    let dev = sandbox.dev_secrets.as_ref().expect("sandbox");
    let debug = format!("{sandbox:?}");
    assert!(!debug.contains(dev.jwt_secret.expose_secret()), "{debug}");
    assert!(
        !debug.contains(dev.tiktok_client_secret.expose_secret()),
        "{debug}"
    );
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
    let settings = Vars::live().load().expect("live settings load");
    assert!(settings.host_webhook.is_none());
    assert_eq!(
        settings
            .tiktok
            .as_ref()
            .expect("tiktok on")
            .webhook_tolerance,
        Duration::from_secs(300)
    );

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

    let settings = Vars::live()
        .with("HOST_WEBHOOK_URL", url)
        .with("HOST_WEBHOOK_SECRET", "0123456789abcdef0123")
        .with("HOST_WEBHOOK_MAX_AGE_SECS", "3600")
        .with("HOST_WEBHOOK_FIRST_RETRY_SECS", "2")
        .with("HOST_WEBHOOK_MAX_RETRY_SECS", "60")
        .with("HOST_WEBHOOK_TIMEOUT_SECS", "5")
        .with("TIKTOK_WEBHOOK_TOLERANCE_SECS", "120")
        .load()
        .expect("host webhook settings load");
    let host = settings.host_webhook.expect("host webhooks on");
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
    assert_eq!(
        settings
            .tiktok
            .as_ref()
            .expect("tiktok on")
            .webhook_tolerance,
        Duration::from_secs(120)
    );
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

/// Live mode with Instagram's credentials only.
fn instagram_only() -> Vars {
    Vars::sandbox()
        .with("INSTAGRAM_APP_ID", "990602627938098")
        .with("INSTAGRAM_APP_SECRET", "instagram-secret-value")
        .with(
            "INSTAGRAM_REDIRECT_URI",
            "https://api.example.com/api/auth/instagram/callback",
        )
        .with("TOKEN_ENCRYPTION_KEY", KEY_B64)
}

#[test]
fn sandbox_mode_turns_every_platform_on() {
    let settings = Vars::sandbox().load().expect("sandbox settings");
    let instagram = settings.instagram.as_ref().expect("instagram on");
    assert_eq!(instagram.app_id, SANDBOX_INSTAGRAM_APP_ID);
    assert_eq!(
        instagram.scopes,
        [
            "instagram_business_basic",
            "instagram_business_manage_insights"
        ]
    );
    assert_eq!(instagram.page_size, DEFAULT_INSTAGRAM_PAGE_SIZE);
    assert!(!instagram.base_urls_explicit);
    assert!(settings.tiktok.is_some());
    assert!(settings.switched_off.is_empty());
    let dev = settings.dev_secrets.as_ref().expect("sandbox");
    assert_eq!(
        instagram.app_secret.expose_secret(),
        dev.instagram_app_secret.expose_secret()
    );
}

#[test]
fn live_mode_switches_off_a_platform_without_credentials() {
    let settings = instagram_only().load().expect("instagram only");
    assert_eq!(settings.mode, Mode::Live);
    assert!(settings.tiktok.is_none());
    assert_eq!(
        settings.switched_off,
        [
            SwitchedOff::new("tiktok", "TikTok", "TIKTOK_CLIENT_KEY is not set".into()),
            SwitchedOff::new("youtube", "YouTube", "YOUTUBE_CLIENT_ID is not set".into()),
        ]
    );
    let instagram = settings.instagram.expect("instagram on");
    assert_eq!(instagram.app_id, "990602627938098");
    assert_eq!(
        instagram.graph_base_url.as_str(),
        "https://graph.instagram.com/"
    );

    let settings = Vars::live().load().expect("tiktok only");
    assert!(settings.instagram.is_none());
    assert_eq!(settings.switched_off[0].platform, "instagram");
}

#[test]
fn live_mode_names_every_missing_instagram_variable() {
    for variable in ["INSTAGRAM_APP_SECRET", "INSTAGRAM_REDIRECT_URI"] {
        let message = instagram_only().without(variable).error();
        assert!(message.contains(variable), "{variable}: {message}");
        assert!(message.contains("INSTAGRAM_APP_ID is set"), "{message}");
    }
    // A secret without its id is a half-configured platform, not a switched-off one.
    let message = instagram_only().without("INSTAGRAM_APP_ID").error();
    assert!(message.contains("INSTAGRAM_APP_ID"), "{message}");
    assert!(!message.contains("instagram-secret-value"), "{message}");
}

#[test]
fn the_mode_is_explicit_when_given() {
    let message = Vars::sandbox().with("MODE", "live").error();
    assert!(message.contains("no platform is configured"), "{message}");

    let message = Vars::live().with("MODE", "sandbox").error();
    assert!(message.contains("MODE"), "{message}");
    assert!(message.contains("TIKTOK_CLIENT_KEY is set"), "{message}");

    let message = Vars::sandbox().with("MODE", "production").error();
    assert!(message.contains("`production` is not a mode"), "{message}");

    let settings = Vars::live().with("MODE", "LIVE").load().expect("live");
    assert_eq!(settings.mode, Mode::Live);
}

#[test]
fn instagram_options_are_read_and_checked() {
    let settings = instagram_only()
        .with("INSTAGRAM_GRAPH_VERSION", "v26.0")
        .with("INSTAGRAM_TOKEN_IN_HEADER", "true")
        .with("INSTAGRAM_PAGE_SIZE", "25")
        .with("INSTAGRAM_DAILY_QUOTA", "5000")
        .with("INSTAGRAM_EXTRA_SIGNING_SECRETS", "meta-app-secret, other")
        .with("INSTAGRAM_GRAPH_BASE_URL", "http://127.0.0.1:9000/graph/")
        .load()
        .expect("settings");
    let instagram = settings.instagram.expect("instagram on");
    assert_eq!(instagram.graph_version, "v26.0");
    assert!(instagram.token_in_header);
    assert_eq!(instagram.page_size, 25);
    assert_eq!(instagram.daily_quota, Some(5000));
    assert_eq!(instagram.extra_signing_secrets.len(), 2);
    assert!(instagram.base_urls_explicit);

    for (variable, value, expected) in [
        ("INSTAGRAM_GRAPH_VERSION", "25", "not a Graph version"),
        ("INSTAGRAM_TOKEN_IN_HEADER", "maybe", "not a boolean"),
        ("INSTAGRAM_PAGE_SIZE", "500", "not a page size"),
        (
            "INSTAGRAM_SCOPES",
            "instagram_business_manage_insights",
            "must include",
        ),
        ("INSTAGRAM_APP_ID", "my-app", "not an Instagram App ID"),
    ] {
        let message = instagram_only().with(variable, value).error();
        assert!(message.starts_with(variable), "{message}");
        assert!(message.contains(expected), "{message}");
    }
}

#[test]
fn a_dev_secrets_file_without_instagram_gains_its_secret_once() {
    let vars = Vars::sandbox();
    let dir = PathBuf::from(&vars.map["DATA_DIR"]);
    std::fs::write(
        dev_secrets_path(&dir),
        format!(
            r#"{{"tokenEncryptionKey":"dev:{KEY_B64}","jwtSecret":"{}","tiktokClientSecret":"tiktok-secret"}}"#,
            "j".repeat(48)
        ),
    )
    .expect("write an older file");
    let first = vars.load().expect("upgraded");
    let second = vars.load().expect("reread");
    let (first, second) = (
        first.dev_secrets.expect("sandbox"),
        second.dev_secrets.expect("sandbox"),
    );
    assert_eq!(first.tiktok_client_secret.expose_secret(), "tiktok-secret");
    assert_eq!(
        first.instagram_app_secret.expose_secret(),
        second.instagram_app_secret.expose_secret()
    );
    let text = std::fs::read_to_string(dev_secrets_path(&dir)).expect("read");
    assert!(text.contains("instagramAppSecret"), "{text}");
}

/// Live mode with YouTube's credentials only.
fn youtube_only() -> Vars {
    Vars::sandbox()
        .with("YOUTUBE_CLIENT_ID", "1234-web.apps.googleusercontent.com")
        .with("YOUTUBE_CLIENT_SECRET", "GOCSPX-youtube-secret-value")
        .with(
            "YOUTUBE_REDIRECT_URI",
            "https://api.example.com/api/auth/youtube/callback",
        )
        .with("TOKEN_ENCRYPTION_KEY", KEY_B64)
}

#[test]
fn sandbox_mode_runs_youtube_against_its_emulator_with_a_generated_secret() {
    let settings = Vars::sandbox().load().expect("sandbox settings");
    let youtube = settings.youtube.as_ref().expect("youtube on");
    assert_eq!(youtube.client_id, SANDBOX_YOUTUBE_CLIENT_ID);
    assert_eq!(youtube.daily_units, DEFAULT_YOUTUBE_DAILY_UNITS);
    assert_eq!(youtube.analytics_days, DEFAULT_YOUTUBE_ANALYTICS_DAYS);
    assert_eq!(youtube.retention_days, DEFAULT_YOUTUBE_RETENTION_DAYS);
    assert_eq!(youtube.quota_table, QuotaTableChoice::Current);
    assert!(
        youtube
            .scopes
            .iter()
            .any(|scope| scope == "https://www.googleapis.com/auth/yt-analytics.readonly")
    );
    let dev = settings.dev_secrets.as_ref().expect("sandbox");
    assert_eq!(
        youtube.client_secret.expose_secret(),
        dev.youtube_client_secret.expose_secret()
    );
}

#[test]
fn a_blank_production_setting_is_refused_by_name() {
    let message = Vars::live()
        .with("TOKEN_ENCRYPTION_KEY", "")
        .with("INSTAGRAM_APP_SECRET", " ")
        .error();
    assert!(
        message.contains("set but blank: TOKEN_ENCRYPTION_KEY, INSTAGRAM_APP_SECRET"),
        "{message}"
    );
    // In sandbox mode too: a blank client key never reads as "no credentials".
    let message = Vars::sandbox().with("TIKTOK_CLIENT_KEY", "").error();
    assert!(
        message.contains("set but blank: TIKTOK_CLIENT_KEY"),
        "{message}"
    );
}

#[test]
fn live_mode_with_youtube_only_reads_its_settings_and_names_what_is_missing() {
    let settings = youtube_only()
        .with("YOUTUBE_DAILY_UNITS", "50000")
        .with("YOUTUBE_QUOTA_TABLE", "single_pool")
        .with("YOUTUBE_ANALYTICS_DAYS", "7")
        .with("YOUTUBE_DATA_RETENTION_DAYS", "20")
        .load()
        .expect("youtube only");
    assert_eq!(settings.mode, Mode::Live);
    assert!(settings.tiktok.is_none() && settings.instagram.is_none());
    let youtube = settings.youtube.expect("youtube on");
    assert_eq!(youtube.daily_units, 50_000);
    assert_eq!(youtube.quota_table, QuotaTableChoice::SinglePool);
    assert_eq!(youtube.analytics_days, 7);
    assert_eq!(youtube.retention_days, 20);
    assert_eq!(
        youtube.data_base_url.as_str(),
        "https://www.googleapis.com/"
    );

    let error = youtube_only().without("YOUTUBE_CLIENT_SECRET").error();
    assert!(error.contains("YOUTUBE_CLIENT_SECRET"), "{error}");
    let error = youtube_only()
        .with("YOUTUBE_CLIENT_ID", "not-a-google-client")
        .error();
    assert!(error.contains("YOUTUBE_CLIENT_ID"), "{error}");
    let error = youtube_only()
        .with("YOUTUBE_SCOPES", "openid,email")
        .error();
    assert!(error.contains("youtube.readonly"), "{error}");
    let error = youtube_only().with("YOUTUBE_QUOTA_TABLE", "cheap").error();
    assert!(error.contains("YOUTUBE_QUOTA_TABLE"), "{error}");
    let error = youtube_only().with("YOUTUBE_ANALYTICS_DAYS", "400").error();
    assert!(error.contains("YOUTUBE_ANALYTICS_DAYS"), "{error}");
}

#[test]
fn a_token_key_or_a_remote_database_means_live_mode() {
    let message = Vars::sandbox()
        .with("TOKEN_ENCRYPTION_KEY", KEY_B64)
        .error();
    assert!(
        message.contains("live mode (TOKEN_ENCRYPTION_KEY is set)"),
        "{message}"
    );
    let message = Vars::sandbox()
        .with("MODE", "sandbox")
        .with("DATABASE_URL", "postgres://u:pw@db.internal/prod")
        .error();
    assert!(
        message.contains("MODE is sandbox, but DATABASE_URL is a PostgreSQL database"),
        "{message}"
    );
    assert!(!message.contains("pw@"), "{message}");
    // A developer's own PostgreSQL is fine.
    let settings = Vars::sandbox()
        .with("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
        .load()
        .expect("local database");
    assert_eq!(settings.mode, Mode::Sandbox);
}

#[test]
fn the_users_share_of_the_manual_reserve_is_a_percentage() {
    let settings = Vars::live().load().expect("default");
    assert_eq!(settings.sync.user_share_percent, 10);
    let settings = Vars::live()
        .with("USER_DAILY_SHARE_PERCENT", "50")
        .load()
        .expect("set");
    assert_eq!(settings.sync.user_share_percent, 50);
    for bad in ["0", "101", "half"] {
        let message = Vars::live().with("USER_DAILY_SHARE_PERCENT", bad).error();
        assert!(
            message.starts_with("USER_DAILY_SHARE_PERCENT: "),
            "{message}"
        );
    }
}

#[test]
fn live_mode_refuses_http_to_another_host() {
    for (variable, value) in [
        (
            "TIKTOK_REDIRECT_URI",
            "http://api.example.com/api/auth/tiktok/callback",
        ),
        (
            "HOST_WEBHOOK_URL",
            "http://app.example.com/hooks?key=secret-key",
        ),
    ] {
        let message = Vars::live()
            .with("HOST_WEBHOOK_SECRET", "0123456789abcdef0123")
            .with(variable, value)
            .error();
        assert!(
            message.starts_with(&format!("{variable}: uses http://")),
            "{message}"
        );
        assert!(!message.contains("secret-key"), "{message}");
    }
    // On this machine, and in sandbox mode, http is fine.
    Vars::live()
        .with(
            "TIKTOK_REDIRECT_URI",
            "http://127.0.0.1:5001/api/auth/tiktok/callback",
        )
        .with("HOST_WEBHOOK_URL", "http://localhost:9000/hooks")
        .with("HOST_WEBHOOK_SECRET", "0123456789abcdef0123")
        .load()
        .expect("loopback");
    Vars::sandbox()
        .with("HOST_WEBHOOK_URL", "http://app.example.com/hooks")
        .with("HOST_WEBHOOK_SECRET", "0123456789abcdef0123")
        .load()
        .expect("sandbox");
}
