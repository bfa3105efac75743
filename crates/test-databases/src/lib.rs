//! Test-only helper shared by the integration tests of storage, the api-server and the
//! sync-worker: a fresh database per test, on SQLite (a file in a temp folder) or on
//! PostgreSQL (a new database created from `TEST_DATABASE_URL`), removed when dropped.
#![warn(missing_docs)]

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

/// The variable naming the PostgreSQL server tests may create databases on.
pub const TEST_DATABASE_URL: &str = "TEST_DATABASE_URL";

/// A database for one test; dropping it deletes the database.
pub struct TestDatabase {
    url: String,
    _guard: Guard,
}

enum Guard {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl Drop for Guard {
    fn drop(&mut self) {
        let Guard::Postgres { admin_url, name } = self else {
            return;
        };
        let (admin_url, name) = (admin_url.clone(), name.clone());
        // Drop runs inside the test's runtime: use a thread with its own runtime.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime to drop the test database");
            runtime.block_on(async {
                let mut admin = AsyncPgConnection::establish(&admin_url).await?;
                diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin)
                    .await
                    .map_err(diesel::ConnectionError::CouldntSetupConfiguration)
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(_))) {
            say_skipped("could not drop a test database; it is left on the server");
        }
    }
}

impl TestDatabase {
    /// A new SQLite database at `relative_path` (which may hold folders) in a fresh temp
    /// folder. The file is created by whoever connects first.
    pub fn sqlite(relative_path: &str) -> Self {
        let dir = tempfile::tempdir().expect("a temp folder");
        let url = format!("sqlite://{}", dir.path().join(relative_path).display());
        Self {
            url,
            _guard: Guard::Sqlite(dir),
        }
    }

    /// A new, empty PostgreSQL database named `<prefix>_<random>` on the server of
    /// `TEST_DATABASE_URL`; `None` (after saying so once) when that variable is not set.
    ///
    /// # Panics
    /// When the server cannot be reached or refuses to create the database: a test that was
    /// asked to run on PostgreSQL must not pass silently.
    pub async fn postgres(prefix: &str) -> Option<Self> {
        let Ok(admin_url) = std::env::var(TEST_DATABASE_URL) else {
            say_skipped("skipping PostgreSQL: TEST_DATABASE_URL not set");
            return None;
        };
        let name = format!("{prefix}_{:016x}", rand::random::<u64>());
        let mut admin = AsyncPgConnection::establish(&admin_url)
            .await
            .expect("TEST_DATABASE_URL reachable");
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .expect("CREATE DATABASE on TEST_DATABASE_URL");
        let mut url = url::Url::parse(&admin_url).expect("TEST_DATABASE_URL is a URL");
        url.set_path(&name);
        Some(Self {
            url: url.to_string(),
            _guard: Guard::Postgres { admin_url, name },
        })
    }

    /// The URL to connect with (`sqlite://...` or `postgres://...`).
    pub fn url(&self) -> &str {
        &self.url
    }
}

/// Whether PostgreSQL tests run (`TEST_DATABASE_URL` is set).
pub fn postgres_configured() -> bool {
    std::env::var(TEST_DATABASE_URL).is_ok()
}

/// Says once per test binary, on the real stderr, that some tests skip: libtest captures
/// `println!`/`eprintln!` of passing tests, so those would never be seen.
pub fn say_skipped(message: &str) {
    use std::io::Write as _;
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = writeln!(std::io::stderr(), "{message}");
    });
}
