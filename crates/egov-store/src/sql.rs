//! Query helpers shared by the tables: write transactions, filters assembled
//! from fixed fragments, pagination and reading columns.
//!
//! SQL text here is only ever assembled from constant fragments of this crate
//! and placeholder numbers; every value from outside is a bind parameter.

use egov_domain::{Page, PageRequest};
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, AnyConnection, Row, Transaction};

use crate::error::{backend_error, corrupt};
use crate::{Backend, SqlStore, StoreError};

/// Keys looked up per `IN (…)` query when a batch is checked against what is stored.
pub(crate) const CHUNK: usize = 500;

pub(crate) type AnyQuery<'q> = Query<'q, Any, AnyArguments<'q>>;

/// Starts a transaction that will write.
///
/// Writers are serialised on both databases, so that a batch reads what is
/// stored and writes its changes without another writer slipping in between.
pub(crate) async fn begin_write(store: &SqlStore) -> Result<Transaction<'static, Any>, StoreError> {
    match store.backend {
        // SQLite: take the write lock at BEGIN. A deferred transaction that
        // reads first and writes later fails at once (SQLITE_BUSY, no retry)
        // when another connection committed in between.
        Backend::Sqlite => store
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(backend_error),
        // PostgreSQL: catalogue writers queue on one transaction-scoped
        // advisory lock (released at commit or rollback), so two imports
        // cannot both compute the same next version of a procedure.
        Backend::Postgres => {
            let mut tx = store.pool.begin().await.map_err(backend_error)?;
            sqlx::query("SELECT pg_advisory_xact_lock(7418001)")
                .execute(&mut *tx)
                .await
                .map_err(backend_error)?;
            // Foreign-key checks run cached plans. One planned while a table
            // was nearly empty (a first import, parents just inserted) keeps
            // scanning the whole table as it grows: 10,000 communes took
            // seconds instead of a fraction of one. Plan with the actual size.
            sqlx::query("SET LOCAL plan_cache_mode = force_custom_plan")
                .execute(&mut *tx)
                .await
                .map_err(backend_error)?;
            Ok(tx)
        }
    }
}

/// Starts a transaction that writes a few rows of the identity tables.
///
/// SQLite takes its write lock at BEGIN, as in [`begin_write`], so a
/// transaction that reads before it writes cannot fail half-way. PostgreSQL
/// needs no table-wide lock here: row locks and constraints keep concurrent
/// writers apart (a caller that must serialise per row locks it itself).
pub(crate) async fn begin_row_write(
    store: &SqlStore,
) -> Result<Transaction<'static, Any>, StoreError> {
    match store.backend {
        Backend::Sqlite => store
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(backend_error),
        Backend::Postgres => store.pool.begin().await.map_err(backend_error),
    }
}

/// Rows written per multi-row `INSERT` statement.
const INSERT_ROWS: usize = 100;

/// Inserts `rows` in order, up to [`INSERT_ROWS`] per statement:
/// `{head} VALUES ($1, …), (…)`. `width` is the number of columns in `head`
/// and `bind` binds one row's values in that order. Foreign keys are checked
/// at the end of each statement on both databases, so a row may refer to an
/// earlier row of the same statement.
pub(crate) async fn insert_many<R>(
    conn: &mut AnyConnection,
    head: &str,
    width: usize,
    rows: &[R],
    bind: impl for<'q> Fn(AnyQuery<'q>, &'q R) -> AnyQuery<'q>,
) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(INSERT_ROWS) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("({})", placeholders(i * width + 1, width)))
            .collect();
        let statement = format!("{head} VALUES {}", values.join(", "));
        let mut query = sqlx::query(&statement);
        for row in chunk {
            query = bind(query, row);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// `$first, $first+1, …` (`count` placeholders).
pub(crate) fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A `WHERE` clause assembled from fixed conditions, with its bind values.
#[derive(Debug, Default)]
pub(crate) struct Where {
    conditions: Vec<String>,
    /// Bind values, in placeholder order (every filter value is text).
    args: Vec<String>,
}

impl Where {
    /// `column = $n`.
    pub(crate) fn eq(&mut self, column: &'static str, value: impl Into<String>) {
        self.args.push(value.into());
        let n = self.args.len();
        self.conditions.push(format!("{column} = ${n}"));
    }

    /// `column < $n`, in text order (which is time order for timestamps as
    /// stored); a NULL never matches.
    pub(crate) fn less_than(&mut self, column: &'static str, value: impl Into<String>) {
        self.args.push(value.into());
        let n = self.args.len();
        self.conditions.push(format!("{column} < ${n}"));
    }

    /// `column` contains `needle` (wildcards in `needle` match literally).
    pub(crate) fn contains(&mut self, column: &'static str, needle: &str) {
        self.args.push(format!("%{}%", escape_like(needle)));
        let n = self.args.len();
        self.conditions
            .push(format!("{column} LIKE ${n} ESCAPE '\\'"));
    }

    /// `column` starts with `prefix` (wildcards in `prefix` match literally).
    pub(crate) fn starts_with(&mut self, column: &'static str, prefix: &str) {
        self.args.push(format!("{}%", escape_like(prefix)));
        let n = self.args.len();
        self.conditions
            .push(format!("{column} LIKE ${n} ESCAPE '\\'"));
    }

    /// `{head}$n, $n+1, …{tail}`: a fixed condition with one placeholder
    /// per value, e.g. `id IN (SELECT … WHERE code IN (` … `))`.
    pub(crate) fn list(&mut self, head: &'static str, values: &[String], tail: &'static str) {
        let first = self.args.len() + 1;
        self.args.extend(values.iter().cloned());
        self.conditions
            .push(format!("{head}{}{tail}", placeholders(first, values.len())));
    }

    fn sql(&self) -> String {
        if self.conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.conditions.join(" AND "))
        }
    }

    fn bind<'q>(&'q self, mut query: AnyQuery<'q>) -> AnyQuery<'q> {
        for arg in &self.args {
            query = query.bind(arg.as_str());
        }
        query
    }
}

/// Escapes `\`, `%` and `_` so user text matches literally in `LIKE … ESCAPE '\'`.
pub(crate) fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// What a paginated list reads: `SELECT {columns} FROM {table} … ORDER BY {order_by}`.
pub(crate) struct ListQuery<'a> {
    pub table: &'a str,
    pub columns: &'a str,
    pub order_by: &'a str,
}

/// One page of `list` under `filter`, plus the count of all matches.
pub(crate) async fn fetch_page<T>(
    store: &SqlStore,
    list: &ListQuery<'_>,
    filter: &Where,
    page: PageRequest,
    decode: fn(&AnyRow) -> Result<T, StoreError>,
) -> Result<Page<T>, StoreError> {
    let limit = page.limit.clamp(1, PageRequest::MAX_LIMIT);
    let where_sql = filter.sql();
    let count_sql = format!("SELECT COUNT(*) AS n FROM {}{where_sql}", list.table);
    let total: i64 = filter
        .bind(sqlx::query(&count_sql))
        .fetch_one(&store.pool)
        .await
        .map_err(backend_error)?
        .try_get("n")
        .map_err(backend_error)?;
    let n = filter.args.len();
    let rows_sql = format!(
        "SELECT {} FROM {}{where_sql} ORDER BY {} LIMIT ${} OFFSET ${}",
        list.columns,
        list.table,
        list.order_by,
        n + 1,
        n + 2
    );
    let rows = filter
        .bind(sqlx::query(&rows_sql))
        .bind(i64::from(limit))
        .bind(i64::from(page.offset))
        .fetch_all(&store.pool)
        .await
        .map_err(backend_error)?;
    Ok(Page {
        items: rows.iter().map(decode).collect::<Result<_, _>>()?,
        total: u64::try_from(total).unwrap_or(0),
        offset: page.offset,
        limit,
    })
}

/// `query` with the text parameters `args` bound in order.
fn with_args<'q>(query: &'q str, args: &[&'q str]) -> AnyQuery<'q> {
    args.iter().fold(sqlx::query(query), |q, arg| q.bind(*arg))
}

/// The row `query` selects with the text parameters `args` ($1, $2, …),
/// decoded; `None` when there is none.
pub(crate) async fn fetch_row<T>(
    store: &SqlStore,
    query: &str,
    args: &[&str],
    decode: fn(&AnyRow) -> Result<T, StoreError>,
) -> Result<Option<T>, StoreError> {
    let row = with_args(query, args)
        .fetch_optional(&store.pool)
        .await
        .map_err(backend_error)?;
    row.as_ref().map(decode).transpose()
}

/// Every row `query` selects with the text parameters `args` ($1, $2, …),
/// decoded, in the query's order.
pub(crate) async fn fetch_rows<T>(
    store: &SqlStore,
    query: &str,
    args: &[&str],
    decode: fn(&AnyRow) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let rows = with_args(query, args)
        .fetch_all(&store.pool)
        .await
        .map_err(backend_error)?;
    rows.iter().map(decode).collect()
}

/// Runs a `SELECT COUNT(*) AS n …` query with at most one text parameter.
pub(crate) async fn count(
    store: &SqlStore,
    query: &str,
    arg: Option<&str>,
) -> Result<u64, StoreError> {
    let mut q = sqlx::query(query);
    if let Some(arg) = arg {
        q = q.bind(arg);
    }
    let row = q.fetch_one(&store.pool).await.map_err(backend_error)?;
    let n = int(&row, "n")?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// A text column.
pub(crate) fn text(row: &AnyRow, column: &str) -> Result<String, StoreError> {
    row.try_get(column).map_err(|e| corrupt(column, e))
}

/// A nullable text column.
pub(crate) fn opt_text(row: &AnyRow, column: &str) -> Result<Option<String>, StoreError> {
    row.try_get(column).map_err(|e| corrupt(column, e))
}

/// An integer column.
pub(crate) fn int(row: &AnyRow, column: &str) -> Result<i64, StoreError> {
    row.try_get(column).map_err(|e| corrupt(column, e))
}

/// An integer column that holds a version number.
pub(crate) fn version(row: &AnyRow, column: &str) -> Result<u32, StoreError> {
    let n = int(row, column)?;
    u32::try_from(n).map_err(|_| corrupt(column, format!("version {n} out of range")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(escape_like("50%_a\\b"), "50\\%\\_a\\\\b");
        assert_eq!(escape_like("ha noi"), "ha noi");
    }

    #[test]
    fn placeholders_are_numbered() {
        assert_eq!(placeholders(3, 3), "$3, $4, $5");
        assert_eq!(placeholders(1, 1), "$1");
    }

    #[test]
    fn where_numbers_its_parameters() {
        let mut w = Where::default();
        assert_eq!(w.sql(), "");
        w.eq("era", "current");
        w.eq("level", "province");
        w.contains("name_folded", "ha");
        assert_eq!(
            w.sql(),
            " WHERE era = $1 AND level = $2 AND name_folded LIKE $3 ESCAPE '\\'"
        );
        w.starts_with("action", "sign_in");
        w.list("code IN (", &["a".into(), "b".into()], ")");
        w.less_than("deadline_at", "2026");
        assert!(
            w.sql().ends_with(
                " AND action LIKE $4 ESCAPE '\\' AND code IN ($5, $6) AND deadline_at < $7"
            ),
            "{}",
            w.sql()
        );
        assert_eq!(
            w.args,
            [
                "current",
                "province",
                "%ha%",
                "sign\\_in%",
                "a",
                "b",
                "2026"
            ]
        );
    }
}
