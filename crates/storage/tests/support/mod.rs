//! Test harness: a fresh database per test, on SQLite (a temp file) and, when
//! `TEST_DATABASE_URL` is set, on PostgreSQL (a new database created from that URL and
//! dropped afterwards).

// Each test binary uses a different part of the harness.
#![allow(dead_code)]

use std::path::PathBuf;

use chrono::{DateTime, TimeDelta, Utc};
use domain::{Platform, Profile, SyncedVideo, VideoCounts};
use secrecy::SecretString;
use storage::{ConnectOptions, Database, NewConnection, ReceivedTokens, TokenCipher, TokenKey};
use test_databases::TestDatabase;

/// A database for one test; dropping it deletes the database.
pub struct TestDb {
    pub db: Database,
    pub sqlite_file: Option<PathBuf>,
    _database: TestDatabase,
}

pub fn cipher() -> TokenCipher {
    TokenCipher::new(TokenKey::generate("test").unwrap(), Vec::new()).unwrap()
}

impl TestDb {
    pub async fn sqlite() -> Self {
        Self::sqlite_connected_by(1).await
    }

    /// `None` (after saying so) when `TEST_DATABASE_URL` is not set.
    pub async fn postgres() -> Option<Self> {
        Self::postgres_connected_by(1).await
    }

    /// A new SQLite file, migrated by `processes` handles connecting at once (as an
    /// api-server and a sync-worker starting together would).
    pub async fn sqlite_connected_by(processes: usize) -> Self {
        // A nested path checks that connect creates the parent folder.
        let database = TestDatabase::sqlite("nested/app.db");
        let path = PathBuf::from(database.url().trim_start_matches("sqlite://"));
        let db = connect_concurrently(database.url(), processes).await;
        Self {
            db,
            sqlite_file: Some(path),
            _database: database,
        }
    }

    /// A new PostgreSQL database, migrated by `processes` handles connecting at once; `None`
    /// (after saying so) when `TEST_DATABASE_URL` is not set.
    pub async fn postgres_connected_by(processes: usize) -> Option<Self> {
        let database = TestDatabase::postgres("storage_test").await?;
        let db = connect_concurrently(database.url(), processes).await;
        Some(Self {
            db,
            sqlite_file: None,
            _database: database,
        })
    }
}

async fn connect_concurrently(url: &str, processes: usize) -> Database {
    let handles = (0..processes).map(|_| {
        let url = url.to_owned();
        tokio::spawn(async move { Database::connect(&url, ConnectOptions::new(cipher())).await })
    });
    let mut databases = futures::future::join_all(handles).await.into_iter();
    let first = databases.next().unwrap().unwrap().unwrap();
    for other in databases {
        other.unwrap().unwrap();
    }
    first
}

/// Runs each listed `async fn(&TestDb)` once on SQLite and once on PostgreSQL.
#[allow(unused_macros)]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let test_db = $crate::support::TestDb::sqlite().await;
                    super::$name(&test_db).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let Some(test_db) = $crate::support::TestDb::postgres().await else {
                        return;
                    };
                    super::$name(&test_db).await;
                }
            )*
        }
    };
}

pub fn t0() -> DateTime<Utc> {
    DateTime::from_timestamp(1_795_000_000, 0).unwrap()
}

pub fn at(seconds: i64) -> DateTime<Utc> {
    t0() + TimeDelta::seconds(seconds)
}

pub fn secret(text: &str) -> SecretString {
    SecretString::from(text.to_owned())
}

pub fn profile(open_id: &str, followers: i64) -> Profile {
    Profile {
        platform_account_id: open_id.to_owned(),
        username: Some(format!("user_{open_id}")),
        display_name: Some(format!("User {open_id}")),
        follower_count: Some(followers),
        following_count: Some(10),
        likes_count: Some(1000),
        video_count: Some(3),
        ..Profile::default()
    }
}

pub fn tokens(access: &str, refresh: Option<&str>, now: DateTime<Utc>) -> ReceivedTokens {
    ReceivedTokens {
        access_token: secret(access),
        access_token_expires_at: now + TimeDelta::hours(24),
        refresh_token: refresh.map(secret),
        refresh_token_expires_at: refresh.map(|_| now + TimeDelta::days(365)),
        scopes: Some(vec!["user.info.basic".into(), "video.list".into()]),
        obtained_at: now,
    }
}

pub async fn connect_user(db: &Database, user: &str, open_id: &str) -> domain::Connection {
    let profile = profile(open_id, 100);
    let tokens = tokens(&format!("act.{user}"), Some(&format!("rft.{user}")), t0());
    db.upsert_connection(
        &NewConnection {
            user_id: user,
            platform: Platform::new("tiktok"),
            profile: &profile,
            tokens: &tokens,
            notify: None,
        },
        t0(),
    )
    .await
    .unwrap()
}

pub fn video(id: u64, views: i64, likes: i64, comments: i64, shares: i64) -> SyncedVideo {
    SyncedVideo {
        platform_video_id: format!("73{id:017}"),
        title: Some(format!("video {id}")),
        description: None,
        duration_seconds: Some(30),
        cover_image_url: None,
        share_url: Some(format!("https://www.tiktok.com/@u/video/{id}")),
        embed_link: None,
        posted_at: Some(at(i64::try_from(id).unwrap() * 60)),
        media_type: None,
        counts: VideoCounts::views_likes_comments_shares(views, likes, comments, shares),
        counters_read: true,
    }
}
