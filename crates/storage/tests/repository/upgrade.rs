//! Upgrading a database of the TikTok-only schema (migrations up to 000004) that holds data:
//! the platform migrations (nullable counters, reach and saves, pauses, deletion requests,
//! interactions, counters' read times) keep every row and value, and the tokens stored
//! before still decrypt.

use chrono::NaiveDate;
use diesel::sql_types::{BigInt, Binary, Double, Text};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use domain::{ConnectionStatus, Platform};
use secrecy::{ExposeSecret as _, SecretString};
use storage::{ConnectOptions, Database, SortDirection, VideoQuery, VideoSort};
use test_databases::TestDatabase;

use crate::support::cipher;

const SQLITE: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");
/// The migrations of the TikTok-only schema: 000000 to 000004.
const BEFORE_PLATFORMS: usize = 5;

/// What the old schema held, to find again after the upgrade.
const TIKTOK_ID: &str = "-000aBcD-open-id";
const ACCESS: &str = "act.old-access-token";
const REFRESH: &str = "rft.old-refresh-token";

/// A bound value of the old rows.
enum Param {
    Text(String),
    Bytes(Vec<u8>),
    Int(i64),
    Float(f64),
}

/// Runs `rows`' statements on `$conn`, `$sqlite` saying whether placeholders are `?n`.
macro_rules! insert_old_rows {
    ($conn:expr, $rows:expr, $sqlite:expr) => {{
        use diesel::RunQueryDsl as _;
        for (sql, params) in $rows.statements() {
            let sql = if $sqlite { sql.replace('$', "?") } else { sql };
            let mut query = diesel::sql_query(sql).into_boxed();
            for param in params {
                query = match param {
                    Param::Text(text) => query.bind::<Text, _>(text),
                    Param::Bytes(bytes) => query.bind::<Binary, _>(bytes),
                    Param::Int(value) => query.bind::<BigInt, _>(value),
                    Param::Float(value) => query.bind::<Double, _>(value),
                };
            }
            query.execute($conn).unwrap();
        }
    }};
}

#[tokio::test]
async fn a_tiktok_database_keeps_its_data_through_the_platform_migrations_on_sqlite() {
    let database = TestDatabase::sqlite("upgrade.db");
    let path = database.url().trim_start_matches("sqlite://").to_owned();
    let cipher = cipher();
    let rows = OldRows::new(&cipher);
    tokio::task::spawn_blocking(move || {
        use diesel::Connection as _;
        if let Some(parent) = std::path::Path::new(&path).parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        let mut conn = diesel::SqliteConnection::establish(&path).unwrap();
        apply_first(&mut conn, SQLITE);
        insert_old_rows!(&mut conn, rows, true);
    })
    .await
    .unwrap();
    check_upgraded(database.url(), cipher).await;
}

#[tokio::test]
async fn a_tiktok_database_keeps_its_data_through_the_platform_migrations_on_postgres() {
    let Some(database) = TestDatabase::postgres("upgrade").await else {
        return;
    };
    let url = database.url().to_owned();
    let cipher = cipher();
    let rows = OldRows::new(&cipher);
    tokio::task::spawn_blocking(move || {
        use diesel::Connection as _;
        use diesel_async::AsyncPgConnection;
        use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
        let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(&url).unwrap();
        apply_first(&mut conn, POSTGRES);
        insert_old_rows!(&mut conn, rows, false);
    })
    .await
    .unwrap();
    check_upgraded(database.url(), cipher).await;
}

/// Runs the TikTok-only schema's migrations, and no later one.
fn apply_first<DB, C>(conn: &mut C, migrations: EmbeddedMigrations)
where
    DB: diesel::backend::Backend,
    C: MigrationHarness<DB> + diesel::Connection<Backend = DB>,
    diesel::query_builder::SqlQuery: diesel::query_dsl::methods::ExecuteDsl<C>,
{
    // What `run_pending_migrations` sets up first: diesel's table of applied versions.
    diesel::RunQueryDsl::execute(
        diesel::sql_query(
            "CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (\
             version VARCHAR(50) PRIMARY KEY NOT NULL, \
             run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)",
        ),
        conn,
    )
    .unwrap();
    let all = diesel::migration::MigrationSource::<DB>::migrations(&migrations).unwrap();
    assert!(
        all.len() > BEFORE_PLATFORMS,
        "the upgrade has migrations to run"
    );
    for migration in all.iter().take(BEFORE_PLATFORMS) {
        conn.run_migration(migration.as_ref()).unwrap();
    }
}

/// A connected creator with tokens, two videos (one with zero counters: zeros stay zeros),
/// a profile snapshot and a video snapshot, written with the old schema's columns.
struct OldRows {
    access: Vec<u8>,
    refresh: Vec<u8>,
}

impl OldRows {
    fn new(cipher: &storage::TokenCipher) -> Self {
        Self {
            access: cipher.encrypt(&SecretString::from(ACCESS)).unwrap(),
            refresh: cipher.encrypt(&SecretString::from(REFRESH)).unwrap(),
        }
    }

    /// The statements, with `$n` placeholders (SQLite reads them as `?n`).
    fn statements(&self) -> Vec<(String, Vec<Param>)> {
        let now: i64 = 1_764_000_000;
        let mut statements = vec![(
            "INSERT INTO connections (user_id, platform, platform_account_id, username, \
             display_name, follower_count, following_count, likes_count, video_count, \
             access_token_ciphertext, refresh_token_ciphertext, access_token_expires_at, \
             refresh_token_expires_at, tokens_obtained_at, scopes, status, last_synced_at, \
             created_at, updated_at) \
             VALUES ('old-user', 'tiktok', $1, 'oldname', 'Old Name', 1200, 15, 9000, 2, \
             $2, $3, $4, $5, $6, 'user.info.basic,video.list', 'active', $7, $8, $9)"
                .to_owned(),
            vec![
                Param::Text(TIKTOK_ID.to_owned()),
                Param::Bytes(self.access.clone()),
                Param::Bytes(self.refresh.clone()),
                Param::Int(now + 86_400),
                Param::Int(now + 86_400 * 365),
                Param::Int(now),
                Param::Int(now),
                Param::Int(now - 86_400),
                Param::Int(now),
            ],
        )];
        for (video, views, likes, rate) in [
            ("7300000000000000001", 1000_i64, 100_i64, 0.12_f64),
            ("7300000000000000002", 0, 0, 0.0),
        ] {
            statements.push((
                "INSERT INTO videos (connection_id, platform_video_id, title, posted_at, \
                 view_count, like_count, comment_count, share_count, engagement_rate, \
                 first_seen_at, updated_at) \
                 SELECT id, $1, 'a video', $2, $3, $4, 10, 10, $5, $6, $7 FROM connections"
                    .to_owned(),
                vec![
                    Param::Text(video.to_owned()),
                    Param::Int(now - 3_600),
                    Param::Int(views),
                    Param::Int(likes),
                    Param::Float(rate),
                    Param::Int(now),
                    Param::Int(now),
                ],
            ));
        }
        statements.push((
            "INSERT INTO profile_snapshots (connection_id, day, follower_count, following_count, \
             likes_count, video_count, total_video_views, captured_at) \
             SELECT id, '2025-11-24', 1200, 15, 9000, 2, 1000, $1 FROM connections"
                .to_owned(),
            vec![Param::Int(now)],
        ));
        statements.push((
            "INSERT INTO video_snapshots (video_id, connection_id, day, view_count, like_count, \
             comment_count, share_count, captured_at) \
             SELECT v.id, v.connection_id, '2025-11-24', v.view_count, v.like_count, 10, 10, $1 \
             FROM videos v"
                .to_owned(),
            vec![Param::Int(now)],
        ));
        statements
    }
}

/// Opens the old database as the service does (running the later migrations) and finds
/// everything again.
async fn check_upgraded(url: &str, cipher: storage::TokenCipher) {
    let db = Database::connect(url, ConnectOptions::new(cipher))
        .await
        .expect("the upgrade runs");
    let tiktok = Platform::new("tiktok");
    let connection = db
        .find_connection("old-user", tiktok)
        .await
        .unwrap()
        .expect("the connection survives");
    assert_eq!(connection.status, ConnectionStatus::Active);
    assert_eq!(connection.profile.platform_account_id, TIKTOK_ID);
    assert_eq!(connection.profile.follower_count, Some(1200));
    assert_eq!(connection.profile.likes_count, Some(9000));
    assert_eq!(connection.scopes, ["user.info.basic", "video.list"]);
    let tokens = db.connection_tokens(connection.id).await.unwrap();
    assert_eq!(tokens.access_token.unwrap().expose_secret(), ACCESS);
    assert_eq!(tokens.refresh_token.unwrap().expose_secret(), REFRESH);

    let page = db
        .list_videos(
            connection.id,
            &VideoQuery {
                sort: VideoSort::Views,
                direction: SortDirection::Desc,
                limit: domain::PageLimit::constant(10),
                cursor: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(page.videos.len(), 2);
    let top = &page.videos[0].video;
    assert_eq!(top.platform_video_id, "7300000000000000001");
    assert_eq!(top.counts.views, Some(1000));
    assert_eq!(top.counts.likes, Some(100));
    assert_eq!(top.counts.reach, None, "TikTok has no reach: NULL, not 0");
    assert_eq!(top.counts.saves, None);
    assert_eq!(page.videos[0].engagement_rate, Some(0.12));
    let zero = &page.videos[1].video;
    assert_eq!(zero.counts.views, Some(0), "a stored 0 stays 0");

    let history = db
        .profile_history(
            connection.id,
            NaiveDate::from_ymd_opt(2025, 11, 24).unwrap(),
            1,
        )
        .await
        .unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].follower_count, Some(1200));
    assert_eq!(history[0].total_video_views, Some(1000));
    assert_eq!(
        history[0].total_interactions, None,
        "not recorded before the upgrade"
    );
    let counts = db.stored_video_counts(connection.id).await.unwrap();
    assert_eq!(counts.len(), 2);
    assert!(counts.values().all(|stored| stored.read_at.is_none()));
}
