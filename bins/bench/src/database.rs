//! Benchmark databases: a fresh SQLite file or a fresh PostgreSQL database per run.

use diesel_async::{AsyncConnection as _, AsyncPgConnection, RunQueryDsl as _};
use storage::{ConnectOptions, Database, TokenCipher};
use url::Url;

use crate::error::{BenchError, BenchResult};

/// Whether `url` names a PostgreSQL database.
pub fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// A database name the benchmark may drop and create: letters, digits and `_` only, so it
/// can be spliced into `CREATE DATABASE` safely.
fn checked_name(url: &Url) -> BenchResult<String> {
    let name = url.path().trim_start_matches('/').to_owned();
    let valid = !name.is_empty()
        && name.len() <= 63
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if valid && name != "postgres" {
        Ok(name)
    } else {
        Err(BenchError::Setup(format!(
            "use a dedicated database name of letters, digits and _ (not {name:?}) in the \
             PostgreSQL URL: the benchmark drops and recreates it"
        )))
    }
}

/// Empties the database at `url`: removes the SQLite file (and its WAL), or drops and
/// recreates the PostgreSQL database through the server's `postgres` database.
pub async fn recreate(url: &str) -> BenchResult<()> {
    if is_postgres(url) {
        let parsed = Url::parse(url)?;
        let name = checked_name(&parsed)?;
        let mut admin_url = parsed.clone();
        admin_url.set_path("/postgres");
        let mut admin = AsyncPgConnection::establish(admin_url.as_str())
            .await
            .map_err(|error| BenchError::Postgres(error.to_string()))?;
        for statement in [
            format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            format!("CREATE DATABASE {name}"),
        ] {
            diesel::sql_query(statement)
                .execute(&mut admin)
                .await
                .map_err(|error| BenchError::Postgres(error.to_string()))?;
        }
        return Ok(());
    }
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    for suffix in ["", "-wal", "-shm"] {
        match std::fs::remove_file(format!("{path}{suffix}")) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => return Err(error.into()),
            _ => {}
        }
    }
    Ok(())
}

/// Refreshes PostgreSQL's planner statistics after a bulk fill, as autovacuum would soon do
/// on a server where it is on (it is off on some test servers, which leaves the planner
/// guessing from empty statistics). Nothing to do for SQLite.
pub async fn analyze(url: &str) -> BenchResult<()> {
    if !is_postgres(url) {
        return Ok(());
    }
    let mut conn = AsyncPgConnection::establish(url)
        .await
        .map_err(|error| BenchError::Postgres(error.to_string()))?;
    diesel::sql_query("ANALYZE")
        .execute(&mut conn)
        .await
        .map_err(|error| BenchError::Postgres(error.to_string()))?;
    Ok(())
}

/// Opens (and migrates) the database with a pool of `pool_size` connections.
pub async fn open(url: &str, cipher: TokenCipher, pool_size: usize) -> BenchResult<Database> {
    let mut options = ConnectOptions::new(cipher);
    options.max_connections = pool_size;
    Ok(Database::connect(url, options).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_dedicated_names_may_be_recreated() {
        let name = |url: &str| checked_name(&Url::parse(url).expect("valid URL"));
        assert_eq!(
            name("postgres://postgres@127.0.0.1:5432/bench_read").ok(),
            Some("bench_read".to_owned())
        );
        assert!(name("postgres://postgres@127.0.0.1:5432/postgres").is_err());
        assert!(name("postgres://postgres@127.0.0.1:5432/").is_err());
        assert!(name("postgres://postgres@127.0.0.1:5432/x;DROP").is_err());
    }
}
