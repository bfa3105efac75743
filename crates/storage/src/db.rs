//! The database handle: backend choice, pools, migrations, and the macros that run one Diesel
//! query body on either backend.
//!
//! Lookups by a unique key use `get_result`, never `first`: `first` adds a bound `LIMIT 1`,
//! which makes SQLite prepare the statement again on every execution (see `limit.rs`).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use diesel::SqliteConnection;
use diesel::connection::AnsiTransactionManager;
use diesel_async::pooled_connection::deadpool::{BuildError, Object, Pool};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::sync_connection_wrapper::SyncConnectionWrapper;
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection, TransactionManager};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::cipher::TokenCipher;
use crate::error::{StorageError, StorageResult};

/// SQLite connection usable from async code (runs on tokio's blocking pool).
pub(crate) type SqliteConn = SyncConnectionWrapper<SqliteConnection>;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");
/// PostgreSQL advisory lock key held while migrating (`tiktok` in ASCII).
const MIGRATION_LOCK_KEY: i64 = 0x7469_6b74_6f6b;

/// Which database engine a [`Database`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An SQLite file (the embedded default).
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// Options of [`Database::connect`].
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// Encrypts tokens and PKCE verifiers at rest.
    pub cipher: TokenCipher,
    /// Pool size (PostgreSQL connections, or SQLite handles on the file).
    pub max_connections: usize,
    /// How long an SQLite statement waits for another writer before failing
    /// (`PRAGMA busy_timeout`).
    pub sqlite_busy_timeout: Duration,
    /// How long a call waits for a pooled connection (including opening one) before failing
    /// with [`StorageError::Unavailable`], so a dead database turns into a 503, not a hang.
    pub acquire_timeout: Duration,
}

impl ConnectOptions {
    /// Defaults: 8 connections, 5 s SQLite busy timeout, 10 s acquire timeout.
    pub fn new(cipher: TokenCipher) -> Self {
        Self {
            cipher,
            max_connections: 8,
            sqlite_busy_timeout: Duration::from_secs(5),
            acquire_timeout: Duration::from_secs(10),
        }
    }
}

/// A pool of connections to one backend.
enum Pools {
    Postgres(Pool<AsyncPgConnection>),
    Sqlite(Pool<SqliteConn>),
}

/// One pooled connection, of either backend. Queries run on it through [`with_conn!`] and
/// [`transaction!`].
// One `Conn` lives on the stack for the length of a call; boxing the larger variant would cost
// an allocation per query for nothing.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Conn {
    /// PostgreSQL.
    Postgres(Object<AsyncPgConnection>),
    /// SQLite.
    Sqlite(Object<SqliteConn>),
}

/// Runs the same Diesel query body on whichever connection type `$conn` holds. The body is
/// written once and type-checked against each backend. The second form gives one body per
/// backend, for the few places where the SQL really differs.
macro_rules! with_conn {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::Conn::Postgres(pooled) => {
                let result: $crate::error::StorageResult<_> = async {
                    let $c: &mut ::diesel_async::AsyncPgConnection = &mut **pooled;
                    Ok($body)
                }
                .await;
                match result {
                    Ok(value) => value,
                    Err(error) => return Err($crate::db::lost_if_closed(pooled, error)),
                }
            }
            $crate::db::Conn::Sqlite(pooled) => {
                let $c: &mut $crate::db::SqliteConn = &mut **pooled;
                $body
            }
        }
    };
}
pub(crate) use with_conn;

/// Loads every row of a read query, written once, on whichever connection `$conn` holds:
/// `load_rows!(&mut conn, query)` is `query.load(conn)` (with `?`).
///
/// On SQLite the query runs through Diesel's synchronous API inside the connection's
/// blocking task, and each row is decoded straight from the statement. diesel-async's own
/// `load` on SQLite first copies every value of every row into an owned row
/// (`sqlite3_value_dup`: an allocation, under SQLite's global allocator mutex, per value),
/// which was about a third of the api-server's CPU on the videos page. The query is moved
/// into the blocking task, so it must own its bind values (`String`, not `&str`).
macro_rules! load_rows {
    ($conn:expr, $query:expr) => {
        match $conn {
            $crate::db::Conn::Postgres(pooled) => {
                ::diesel_async::RunQueryDsl::load($query, &mut **pooled)
                    .await
                    .map_err(|error| $crate::db::lost_if_closed(pooled, error.into()))?
            }
            $crate::db::Conn::Sqlite(pooled) => {
                let query = $query;
                pooled
                    .spawn_blocking(move |inner| ::diesel::RunQueryDsl::load(query, inner))
                    .await?
            }
        }
    };
}
pub(crate) use load_rows;

/// The one row of a read query by a unique key, or `None`, as [`load_rows!`] (the same
/// synchronous path on SQLite): `query.get_result(conn).optional()` (with `?`). Never
/// `first()`, whose bound `LIMIT 1` makes SQLite prepare the statement again every time.
macro_rules! load_optional {
    ($conn:expr, $query:expr) => {
        match $conn {
            $crate::db::Conn::Postgres(pooled) => ::diesel::OptionalExtension::optional(
                ::diesel_async::RunQueryDsl::get_result($query, &mut **pooled).await,
            )
            .map_err(|error| $crate::db::lost_if_closed(pooled, error.into()))?,
            $crate::db::Conn::Sqlite(pooled) => {
                let query = $query;
                pooled
                    .spawn_blocking(move |inner| {
                        ::diesel::OptionalExtension::optional(::diesel::RunQueryDsl::get_result(
                            query, inner,
                        ))
                    })
                    .await?
            }
        }
    };
}
pub(crate) use load_optional;

/// Runs a body (written once, as in [`with_conn!`]) inside a transaction, committing when it
/// evaluates to `Ok` and rolling back on `Err` (the body may use `?`).
///
/// On SQLite the transaction is `BEGIN IMMEDIATE`: it takes the write lock up front (waiting
/// up to `busy_timeout`), so a read-then-write body cannot fail half-way when another process
/// wrote in between. On PostgreSQL it is a plain `BEGIN` (read committed); bodies that need row
/// locks say so (`FOR UPDATE`).
macro_rules! transaction {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::Conn::Postgres(pooled) => {
                let $c: &mut ::diesel_async::AsyncPgConnection = &mut **pooled;
                let result: $crate::error::StorageResult<_> = async {
                    $crate::db::begin_postgres($c).await?;
                    let result: $crate::error::StorageResult<_> = async { $body }.await;
                    $crate::db::finish_transaction($c, result).await
                }
                .await;
                result.map_err(|error| $crate::db::lost_if_closed(pooled, error))
            }
            $crate::db::Conn::Sqlite(pooled) => {
                let $c: &mut $crate::db::SqliteConn = &mut **pooled;
                $crate::db::begin_sqlite_immediate($c).await?;
                let result: $crate::error::StorageResult<_> = async { $body }.await;
                $crate::db::finish_transaction($c, result).await
            }
        }
    };
}
pub(crate) use transaction;

/// `BEGIN` on PostgreSQL, through the transaction manager so it tracks the depth.
pub(crate) async fn begin_postgres(conn: &mut AsyncPgConnection) -> StorageResult<()> {
    <AsyncPgConnection as AsyncConnection>::TransactionManager::begin_transaction(conn).await?;
    Ok(())
}

/// `BEGIN IMMEDIATE` on SQLite, through Diesel's transaction manager so the depth is tracked
/// (a connection dropped mid-transaction is then discarded by the pool, not reused).
pub(crate) async fn begin_sqlite_immediate(conn: &mut SqliteConn) -> StorageResult<()> {
    conn.spawn_blocking(|inner| {
        AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")
    })
    .await?;
    Ok(())
}

/// `error` as the caller should see it: when the PostgreSQL connection it happened on is
/// closed now (its server backend terminated, the server restarted, the network cut), the
/// database was lost mid-request, which is [`StorageError::ConnectionLost`] (a 503, and worth a
/// retry), not a query the database refused. The pool then discards the connection instead of
/// handing it out again (its recycling checks only this, without a round trip).
pub(crate) fn lost_if_closed(
    pooled: &mut Object<AsyncPgConnection>,
    error: StorageError,
) -> StorageError {
    use diesel_async::pooled_connection::PoolableConnection as _;
    let lost = match error {
        StorageError::Query(cause) if pooled.is_broken() || ends_the_session(&cause) => {
            StorageError::ConnectionLost(cause.to_string())
        }
        lost @ StorageError::ConnectionLost(_) => lost,
        other => return other,
    };
    // One lost connection rarely comes alone (a restart, a failover, a network cut end them
    // all): the idle ones are dropped too, so the next requests open fresh connections
    // instead of each meeting a dead one.
    if let Some(pool) = Object::pool(pooled) {
        let dropped = pool.retain(|_, _| false).removed.len();
        tracing::warn!(
            dropped,
            "a database connection was lost; the idle ones were dropped"
        );
    }
    lost
}

/// Whether PostgreSQL answered `error` as it ended the session (SQLSTATE class 57, operator
/// intervention: a terminated backend, a shutdown, a crash of another backend). The answer
/// arrives before the socket closes, so the connection may not look closed yet; diesel does
/// not expose the SQLSTATE, so the server's (English, default `lc_messages`) words decide.
fn ends_the_session(error: &diesel::result::Error) -> bool {
    const SESSION_ENDED: [&str; 4] = [
        "terminating connection due to",
        "the database system is shutting down",
        "the database system is starting up",
        "server closed the connection unexpectedly",
    ];
    match error {
        diesel::result::Error::DatabaseError(_, info) => {
            let message = info.message();
            SESSION_ENDED.iter().any(|words| message.contains(words))
        }
        _ => false,
    }
}

/// Commits on `Ok`, rolls back on `Err`; a failed commit is rolled back and reported.
pub(crate) async fn finish_transaction<C, R>(
    conn: &mut C,
    result: StorageResult<R>,
) -> StorageResult<R>
where
    C: AsyncConnection,
{
    match result {
        Ok(value) => match C::TransactionManager::commit_transaction(conn).await {
            Ok(()) => Ok(value),
            Err(commit_error) => {
                if let Err(error) = C::TransactionManager::rollback_transaction(conn).await {
                    tracing::warn!(%error, "rollback after a failed commit failed");
                }
                Err(commit_error.into())
            }
        },
        Err(error) => {
            if let Err(rollback_error) = C::TransactionManager::rollback_transaction(conn).await {
                tracing::warn!(error = %rollback_error, "rollback failed");
            }
            Err(error)
        }
    }
}

/// The handle every repository method hangs off. Cheap to clone (shared pool).
#[derive(Clone)]
pub struct Database {
    inner: Arc<Inner>,
}

struct Inner {
    pools: Pools,
    cipher: TokenCipher,
    acquire_timeout: Duration,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may hold a password: show the backend only.
        f.debug_struct("Database")
            .field("backend", &self.backend())
            .finish_non_exhaustive()
    }
}

/// Where an SQLite database lives, from `sqlite://path`, `sqlite:path` or a plain path.
fn sqlite_path(url: &str) -> StorageResult<PathBuf> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    if path.is_empty() {
        return Err(StorageError::InvalidUrl("empty SQLite path".into()));
    }
    if path.contains('?') || path.starts_with(":memory:") {
        // An in-memory database is per connection: the pool's connections would not share it.
        return Err(StorageError::InvalidUrl(
            "use a file path for SQLite (no query string, no :memory:)".into(),
        ));
    }
    Ok(PathBuf::from(path))
}

impl Database {
    /// Connects to the database named by `url`, builds the pool and runs the embedded
    /// migrations.
    ///
    /// `postgres://` and `postgresql://` URLs select PostgreSQL; anything else is an SQLite
    /// file: `sqlite://path`, `sqlite:path` or a plain path (its parent folder is created). Each
    /// SQLite connection gets `busy_timeout`, `foreign_keys=ON` and `synchronous=NORMAL`; the
    /// file is put in WAL mode, so the api-server and the sync-worker can share it.
    ///
    /// Must run inside a tokio runtime.
    pub async fn connect(url: &str, options: ConnectOptions) -> StorageResult<Self> {
        let max = options.max_connections.max(1);
        let pools = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            run_postgres_migrations(url).await?;
            // No `SELECT 1` on every checkout (it doubled the round trips of every request): a
            // connection is recycled when its socket is still open, and a query that meets a
            // connection lost since is answered as the database being unavailable
            // ([`lost_if_closed`]), the connection then discarded.
            let mut config = ManagerConfig::<AsyncPgConnection>::default();
            config.recycling_method = RecyclingMethod::Fast;
            let manager =
                AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(url, config);
            Pools::Postgres(
                Pool::builder(manager)
                    .max_size(max)
                    .build()
                    .map_err(pool_build_error)?,
            )
        } else {
            let path = sqlite_path(url)?;
            prepare_sqlite_file(&path, options.sqlite_busy_timeout).await?;
            let path = path_text(&path)?;
            let busy_ms =
                u64::try_from(options.sqlite_busy_timeout.as_millis()).unwrap_or(u64::MAX);
            let mut config = ManagerConfig::<SqliteConn>::default();
            config.custom_setup = Box::new(move |url| {
                let url = url.to_owned();
                Box::pin(async move {
                    let mut conn = SqliteConn::establish(&url).await?;
                    conn.batch_execute(&sqlite_pragmas(busy_ms))
                        .await
                        .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                    Ok(conn)
                })
            });
            // A local file does not drop connections: skip the per-checkout `SELECT 1`.
            config.recycling_method = RecyclingMethod::Fast;
            let manager = AsyncDieselConnectionManager::new_with_config(path, config);
            Pools::Sqlite(
                Pool::builder(manager)
                    .max_size(max)
                    .build()
                    .map_err(pool_build_error)?,
            )
        };
        let database = Self {
            inner: Arc::new(Inner {
                pools,
                cipher: options.cipher,
                acquire_timeout: options.acquire_timeout,
            }),
        };
        database.ping().await?;
        tracing::info!(backend = ?database.backend(), "database ready");
        Ok(database)
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        match self.inner.pools {
            Pools::Postgres(_) => Backend::Postgres,
            Pools::Sqlite(_) => Backend::Sqlite,
        }
    }

    /// Readiness check: takes a connection and runs `SELECT 1`.
    pub async fn ping(&self) -> StorageResult<()> {
        use diesel::IntoSql;
        use diesel_async::RunQueryDsl;
        let mut conn = self.conn().await?;
        let one: i32 = with_conn!(&mut conn, |c| {
            diesel::select(1_i32.into_sql::<diesel::sql_types::Integer>())
                .get_result(c)
                .await?
        });
        if one == 1 {
            Ok(())
        } else {
            Err(StorageError::Unavailable("unexpected ping answer".into()))
        }
    }

    /// A pooled connection.
    pub(crate) async fn conn(&self) -> StorageResult<Conn> {
        let acquire = async {
            Ok::<_, StorageError>(match &self.inner.pools {
                Pools::Postgres(pool) => Conn::Postgres(pool.get().await?),
                Pools::Sqlite(pool) => Conn::Sqlite(pool.get().await?),
            })
        };
        tokio::time::timeout(self.inner.acquire_timeout, acquire)
            .await
            .map_err(|_| {
                StorageError::Unavailable("timed out waiting for a database connection".into())
            })?
    }

    /// The token cipher.
    pub(crate) fn cipher(&self) -> &TokenCipher {
        &self.inner.cipher
    }
}

fn pool_build_error(error: BuildError) -> StorageError {
    StorageError::Unavailable(error.to_string())
}

fn sqlite_pragmas(busy_ms: u64) -> String {
    // busy_timeout first, so the others wait for a busy file too.
    format!(
        "PRAGMA busy_timeout = {busy_ms}; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;"
    )
}

fn path_text(path: &Path) -> StorageResult<String> {
    path.to_str()
        .map(str::to_owned)
        .ok_or_else(|| StorageError::InvalidUrl("SQLite path is not UTF-8".into()))
}

/// Creates the parent folder, switches the file to WAL (persistent, so once is enough) and
/// runs the migrations, on one plain connection in the blocking pool.
///
/// All of it runs under an exclusive lock on a sibling file (`<database>.setup-lock`), the
/// SQLite counterpart of PostgreSQL's advisory lock. SQLite's own locks are not enough here:
/// two connections switching a new file to WAL at once can deadlock on its header, and SQLite
/// then answers one of them `database is locked` at once, without waiting for `busy_timeout`
/// (an api-server and a sync-worker starting together on a fresh install would hit it). The
/// lock is on a separate file because SQLite's POSIX locks on the database file itself must
/// not be disturbed.
async fn prepare_sqlite_file(path: &Path, busy_timeout: Duration) -> StorageResult<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|error| {
            StorageError::InvalidUrl(format!("cannot create {}: {error}", parent.display()))
        })?;
    }
    let lock_path = setup_lock_path(path);
    let path = path_text(path)?;
    let busy_ms = u64::try_from(busy_timeout.as_millis()).unwrap_or(u64::MAX);
    tokio::task::spawn_blocking(move || -> StorageResult<()> {
        use diesel::Connection;
        use diesel::connection::SimpleConnection;
        // Held until the end of this closure (closing the file releases it).
        let _setup_lock = lock_exclusively(&lock_path)?;
        let mut conn = SqliteConnection::establish(&path)
            .map_err(|error| StorageError::Unavailable(error.to_string()))?;
        conn.batch_execute(&sqlite_pragmas(busy_ms))?;
        conn.batch_execute("PRAGMA journal_mode = WAL;")?;
        // Migrations that rebuild a table (SQLite cannot drop NOT NULL in place) must not
        // cascade the drop of the old table to its children: foreign keys are off while they
        // run (this connection only migrates), and checked once they are done.
        conn.batch_execute("PRAGMA foreign_keys = OFF;")?;
        // Under the write lock, so two processes starting at once do not both apply the same
        // migration (the second waits, then finds nothing pending).
        conn.immediate_transaction(|conn| {
            conn.run_pending_migrations(SQLITE_MIGRATIONS)
                .map(|_| ())
                .map_err(|error| StorageError::Migration(error.to_string()))?;
            foreign_keys_hold(conn)
        })
    })
    .await
    .map_err(|error| StorageError::Migration(error.to_string()))?
}

/// Fails when a row points at a row that no longer exists (`PRAGMA foreign_key_check`
/// answers one row per violation).
fn foreign_keys_hold(conn: &mut SqliteConnection) -> StorageResult<()> {
    use diesel::RunQueryDsl as _;
    #[derive(diesel::QueryableByName)]
    struct Violation {
        #[diesel(sql_type = diesel::sql_types::Text)]
        table: String,
    }
    let violations: Vec<Violation> = diesel::sql_query("PRAGMA foreign_key_check").load(conn)?;
    match violations.first() {
        None => Ok(()),
        Some(violation) => Err(StorageError::Migration(format!(
            "{} rows of {} point at rows that do not exist",
            violations.len(),
            violation.table
        ))),
    }
}

/// `<database file>.setup-lock`, beside the database.
fn setup_lock_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".setup-lock");
    PathBuf::from(name)
}

/// Opens (creating it if needed) and exclusively locks `path`, waiting for another process
/// that holds it. The lock goes with the returned file.
fn lock_exclusively(path: &Path) -> StorageResult<std::fs::File> {
    let unusable = |error: std::io::Error| {
        StorageError::Unavailable(format!("cannot lock {}: {error}", path.display()))
    };
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(unusable)?;
    file.lock().map_err(unusable)?;
    Ok(file)
}

/// Runs the PostgreSQL migrations through diesel-async's sync wrapper, in the blocking pool
/// (the wrapper blocks on the runtime, which a blocking-pool thread may do).
async fn run_postgres_migrations(url: &str) -> StorageResult<()> {
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || -> StorageResult<()> {
        use diesel::Connection;
        use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
        let mut conn = <AsyncConnectionWrapper<AsyncPgConnection> as Connection>::establish(&url)
            .map_err(|error| StorageError::Unavailable(error.to_string()))?;
        // A session advisory lock serialises processes migrating at once; it is released when
        // this connection closes at the end of the closure.
        diesel::RunQueryDsl::execute(
            diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})")),
            &mut conn,
        )?;
        conn.run_pending_migrations(POSTGRES_MIGRATIONS)
            .map_err(|error| StorageError::Migration(error.to_string()))?;
        Ok(())
    })
    .await
    .map_err(|error| StorageError::Migration(error.to_string()))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_paths_from_urls() {
        assert_eq!(
            sqlite_path("sqlite://data/app.db").ok(),
            Some(PathBuf::from("data/app.db"))
        );
        assert_eq!(
            sqlite_path("sqlite:///tmp/app.db").ok(),
            Some(PathBuf::from("/tmp/app.db"))
        );
        assert_eq!(
            sqlite_path("./data/app.db").ok(),
            Some(PathBuf::from("./data/app.db"))
        );
        assert!(sqlite_path("sqlite://").is_err());
        assert!(sqlite_path(":memory:").is_err());
    }

    #[test]
    fn the_setup_lock_sits_beside_the_database() {
        assert_eq!(
            setup_lock_path(Path::new("data/app.db")),
            PathBuf::from("data/app.db.setup-lock")
        );
    }
}
