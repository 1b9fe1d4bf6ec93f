//! The history: runs, state changes, rollups and the alert outbox, in SQLite (default) or PostgreSQL.
//!
//! One schema ([`schema::MIGRATIONS`]) and one set of queries serve both backends through sqlx's
//! `Any` driver; queries are built at run time with `$N` placeholders, which both understand.
//!
//! Writes come in batches ([`Batch`]) from one writer, each batch one transaction. Reads
//! ([`Store::states`], [`Store::runs`], [`Store::events`], [`Store::uptime`], [`Store::failures`],
//! [`Store::rollups`]) are what the status page and the monitor API show; [`Store::set_paused`] keeps
//! the checks paused through the API.

mod pause;
mod read;
pub mod schema;
mod write;

pub use read::{CodeCount, RollupRow, RunPage, RunQuery, RunRow, Uptime};
pub use write::{now_ms, AlertRow, Batch, EventRecord, NewAlert, RunRecord, StateRecord};

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor, Row};
use std::path::Path;
use std::time::Duration;

/// Which database is behind a [`Store`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// A database problem, with the URL (password hidden) it concerns.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The URL names no backend we speak.
    #[error("database URL '{0}': use sqlite:PATH or postgres://USER@HOST/DB")]
    Url(String),
    /// The database refused or failed.
    #[error("database {url}: {source}")]
    Db {
        /// The URL, password hidden.
        url: String,
        /// The driver's error.
        source: sqlx::Error,
    },
}

/// The history database.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    url: String,
}

/// Hides the password of `postgres://user:secret@host/db`.
fn redact(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        if let Some((auth, host)) = rest.split_once('@') {
            if let Some((user, _)) = auth.split_once(':') {
                return format!("{scheme}://{user}:***@{host}");
            }
        }
    }
    url.to_string()
}

/// The default database of a suite: `apiprobe.db` beside it.
pub fn default_url(suite: &Path) -> String {
    let dir = suite
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    format!("sqlite:{}", dir.join("apiprobe.db").display())
}

impl Store {
    /// Opens (creating an SQLite file if needed) and migrates the database at `url`:
    /// `sqlite:PATH` or `postgres://...`.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let (backend, connect) = if let Some(path) = url.strip_prefix("sqlite:") {
            let path = path.trim_start_matches("//");
            if path.is_empty() {
                return Err(StoreError::Url(url.into()));
            }
            (Backend::Sqlite, format!("sqlite://{path}?mode=rwc"))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            (Backend::Postgres, url.to_string())
        } else {
            return Err(StoreError::Url(redact(url)));
        };
        let shown = redact(url);
        let err = |source| StoreError::Db {
            url: shown.clone(),
            source,
        };
        let mut options = AnyPoolOptions::new()
            .acquire_timeout(Duration::from_secs(10))
            .max_connections(if backend == Backend::Sqlite { 4 } else { 8 });
        if backend == Backend::Sqlite {
            options = options.after_connect(|conn, _| {
                Box::pin(async move {
                    // Incremental vacuum only takes effect on a new file; WAL lets the status page
                    // read while the writer writes; NORMAL sync is safe with WAL.
                    for pragma in [
                        "PRAGMA auto_vacuum = INCREMENTAL",
                        "PRAGMA journal_mode = WAL",
                        "PRAGMA synchronous = NORMAL",
                        "PRAGMA busy_timeout = 10000",
                    ] {
                        conn.execute(pragma).await?;
                    }
                    Ok(())
                })
            });
        }
        let pool = options.connect(&connect).await.map_err(err)?;
        let store = Store {
            pool,
            backend,
            url: shown.clone(),
        };
        store.migrate().await.map_err(err)?;
        Ok(store)
    }

    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The URL, password hidden.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub(crate) fn wrap(&self, source: sqlx::Error) -> StoreError {
        StoreError::Db {
            url: self.url.clone(),
            source,
        }
    }

    fn ddl(&self, stmt: &str) -> String {
        stmt.replace(
            "{ID}",
            match self.backend {
                Backend::Sqlite => "INTEGER PRIMARY KEY AUTOINCREMENT",
                Backend::Postgres => "BIGSERIAL PRIMARY KEY",
            },
        )
    }

    async fn migrate(&self) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            // Several monitors may start at once on one database: one migrates, the others wait.
            tx.execute("SELECT pg_advisory_xact_lock(7468001)").await?;
        }
        tx.execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")
            .await?;
        let row: Option<AnyRow> = sqlx::query("SELECT MAX(version) AS v FROM schema_version")
            .fetch_optional(&mut *tx)
            .await?;
        let done = row
            .and_then(|r| r.try_get::<Option<i64>, _>("v").ok().flatten())
            .unwrap_or(0);
        for (i, steps) in schema::MIGRATIONS.iter().enumerate() {
            let n = i as i64 + 1;
            if n <= done {
                continue;
            }
            for stmt in *steps {
                tx.execute(self.ddl(stmt).as_str()).await?;
            }
            sqlx::query("INSERT INTO schema_version (version) VALUES ($1)")
                .bind(n)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await
    }

    /// Every row of `query`, each read by `read`.
    pub(crate) async fn fetch<'q, T>(
        &self,
        query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
        read: impl Fn(&AnyRow) -> Result<T, sqlx::Error>,
    ) -> Result<Vec<T>, StoreError> {
        let rows = query
            .fetch_all(self.pool())
            .await
            .map_err(|e| self.wrap(e))?;
        rows.iter()
            .map(read)
            .collect::<Result<_, _>>()
            .map_err(|e| self.wrap(e))
    }

    /// Closes the connections (after the last batch).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// `$1, $2, ...` from `from`, `n` of them, in parentheses.
pub(crate) fn placeholders(from: usize, n: usize) -> String {
    let mut s = String::from("(");
    for i in 0..n {
        if i > 0 {
            s.push_str(", ");
        }
        s.push('$');
        s.push_str(&(from + i).to_string());
    }
    s.push(')');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_placeholders() {
        assert_eq!(placeholders(3, 2), "($3, $4)");
        assert_eq!(
            redact("postgres://me:secret@127.0.0.1:5432/db"),
            "postgres://me:***@127.0.0.1:5432/db"
        );
        assert_eq!(default_url(Path::new("suite.toml")), "sqlite:./apiprobe.db");
        assert_eq!(
            default_url(Path::new("/a/b/s.toml")),
            "sqlite:/a/b/apiprobe.db"
        );
    }

    #[tokio::test]
    async fn upgrades_a_database_of_the_first_schema() {
        // A file as the first schema left it, with the status page's indexes that earlier versions
        // created at start-up.
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("old.db");
        sqlx::any::install_default_drivers();
        let pool = AnyPoolOptions::new()
            .max_connections(1)
            .connect(&format!("sqlite://{}?mode=rwc", path.display()))
            .await
            .expect("connect");
        pool.execute("CREATE TABLE schema_version (version BIGINT NOT NULL)")
            .await
            .expect("version table");
        for stmt in schema::MIGRATIONS[0] {
            pool.execute(
                stmt.replace("{ID}", "INTEGER PRIMARY KEY AUTOINCREMENT")
                    .as_str(),
            )
            .await
            .expect("first schema");
        }
        for stmt in [
            "INSERT INTO schema_version (version) VALUES (1)",
            "CREATE INDEX rollups_day_start ON rollups (start_ms) WHERE period = 'day'",
        ] {
            pool.execute(stmt).await.expect("old state");
        }
        pool.close().await;
        let store = Store::open(&format!("sqlite:{}", path.display()))
            .await
            .expect("migrates");
        assert!(store.set_paused("a", true, 1).await.expect("paused table"));
        let indexes = sqlx::query("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE '%day_start' ORDER BY name")
            .fetch_all(store.pool())
            .await
            .expect("indexes");
        let names: Vec<String> = indexes
            .iter()
            .map(|r| r.try_get("name").expect("name"))
            .collect();
        assert_eq!(names, ["rollup_codes_day_start", "rollups_day_start"]);
        let v = sqlx::query("SELECT MAX(version) AS v FROM schema_version")
            .fetch_one(store.pool())
            .await
            .expect("version");
        assert_eq!(
            v.try_get::<i64, _>("v").expect("v"),
            schema::MIGRATIONS.len() as i64
        );
    }

    #[tokio::test]
    async fn bad_urls_are_clear_errors() {
        let e = Store::open("mysql://x/y").await.expect_err("refused");
        assert!(e.to_string().contains("use sqlite:PATH"), "{e}");
        let e = Store::open("sqlite:/nonexistent-dir/sub/x.db")
            .await
            .expect_err("no dir");
        assert!(
            e.to_string()
                .starts_with("database sqlite:/nonexistent-dir"),
            "{e}"
        );
    }
}
