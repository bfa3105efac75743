//! `LIMIT n` written into the SQL text instead of bound, for the queries the API runs on
//! every request.
//!
//! *Why:* SQLite (3.50, the bundled `libsqlite3-sys`) reads the value of a bound `LIMIT ?`
//! while it prepares the statement, and then marks that parameter so that binding it again
//! expires the statement: every execution of a cached statement with a bound LIMIT is
//! prepared again from its SQL (`sqlite3Reprepare`), which took about a quarter of the
//! api-server's CPU on the videos endpoint. Diesel's `.limit(n)` and `.first()` always bind.
//! A literal LIMIT keeps the cached statement valid; on PostgreSQL a literal LIMIT also lets
//! a prepared statement keep one plan, as the planner knows how many rows are wanted.
//!
//! Each distinct `n` is its own statement in Diesel's per-connection statement cache (the
//! cache is keyed by the SQL text for such queries), so row counts chosen by a client go
//! through [`rounded_rows`], which rounds them up to a handful of sizes; the caller drops
//! the extra rows.

use diesel::QueryResult;
use diesel::backend::Backend;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};

/// The row counts [`rounded_rows`] rounds up to: a page of 5, 10, 20, 50 or 100 plus the
/// one row that tells whether there is a next page.
const ROW_COUNTS: [u32; 5] = [6, 11, 21, 51, 101];

/// How many rows to fetch when `wanted` are needed: the smallest of [`ROW_COUNTS`] that is
/// at least `wanted`, or `wanted` itself above them (0 for a negative count).
pub(crate) fn rounded_rows(wanted: i64) -> u32 {
    let wanted = u32::try_from(wanted.max(0)).unwrap_or(u32::MAX);
    ROW_COUNTS
        .iter()
        .copied()
        .find(|&rows| rows >= wanted)
        .unwrap_or(wanted)
}

/// How many rows to fetch for a page of `limit` videos and one look-ahead row.
pub(crate) fn page_rows(limit: i64) -> u32 {
    rounded_rows(limit.saturating_add(1))
}

/// `<query> LIMIT <rows>`, with `rows` in the SQL text (see the module's documentation).
/// The query must not have a LIMIT or OFFSET of its own.
#[derive(Debug, Clone)]
pub(crate) struct LiteralLimit<Q> {
    query: Q,
    rows: u32,
}

impl<Q> LiteralLimit<Q> {
    /// `query` limited to `rows` rows.
    pub(crate) fn new(query: Q, rows: u32) -> Self {
        Self { query, rows }
    }
}

impl<Q: Query> Query for LiteralLimit<Q> {
    type SqlType = Q::SqlType;
}

impl<Q, DB> QueryFragment<DB> for LiteralLimit<Q>
where
    DB: Backend,
    Q: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        self.query.walk_ast(out.reborrow())?;
        out.push_sql(" LIMIT ");
        out.push_sql(&self.rows.to_string());
        Ok(())
    }
}

impl<Q, Conn> diesel::RunQueryDsl<Conn> for LiteralLimit<Q> {}

// The row count is part of the SQL, not of the type: without a static query id, Diesel
// caches the statement by its SQL text, one entry per row count.
impl<Q> QueryId for LiteralLimit<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_sizes_round_up_to_a_few_row_counts() {
        assert_eq!(page_rows(1), 6);
        assert_eq!(page_rows(5), 6);
        assert_eq!(page_rows(6), 11);
        assert_eq!(page_rows(20), 21);
        assert_eq!(page_rows(21), 51);
        assert_eq!(page_rows(50), 51);
        assert_eq!(page_rows(99), 101);
        assert_eq!(page_rows(100), 101);
        // Outside the API's range: exact, never fewer rows than asked.
        assert_eq!(page_rows(150), 151);
        assert_eq!(rounded_rows(1), 6);
        assert_eq!(rounded_rows(20), 21);
        assert_eq!(rounded_rows(-3), 6);
        let distinct: std::collections::BTreeSet<u32> = (1..=100).map(page_rows).collect();
        assert_eq!(distinct.len(), ROW_COUNTS.len());
    }

    #[test]
    fn the_row_count_is_in_the_sql_not_a_bind() {
        use diesel::prelude::*;

        use crate::schema::videos;

        let query = LiteralLimit::new(
            videos::table
                .filter(videos::connection_id.eq(7_i64))
                .select(videos::id),
            21,
        );
        let sqlite = diesel::debug_query::<diesel::sqlite::Sqlite, _>(&query).to_string();
        assert!(sqlite.ends_with("= ?) LIMIT 21 -- binds: [7]"), "{sqlite}");
        let postgres = diesel::debug_query::<diesel::pg::Pg, _>(&query).to_string();
        assert!(
            postgres.ends_with("= $1) LIMIT 21 -- binds: [7]"),
            "{postgres}"
        );
    }
}
