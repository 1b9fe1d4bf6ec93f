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
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
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
    /// The SQLite file and its folder are gone (removed, renamed, unmounted).
    #[error("database {url}: the file and its folder are gone (removed, renamed or unmounted); runs are kept in memory until it is back")]
    Gone {
        /// The URL.
        url: String,
    },
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
    /// For SQLite: the file, so a removed or replaced file is noticed instead of written blind.
    file: Option<Arc<SqliteFile>>,
}

/// An SQLite file and the pool writing it now.
///
/// Connections to a file that was deleted keep writing to the deleted inode, so every batch first
/// checks that the path still names the file the pool has open. When it names a new file (or the
/// file was removed and its folder is still there), a new pool is opened there; when the folder is
/// gone too, writes fail with a clear error and the writer keeps the runs until it is back.
#[derive(Debug)]
struct SqliteFile {
    path: PathBuf,
    /// (device, inode) of the file the current pool has open.
    identity: Mutex<Option<(u64, u64)>>,
    /// The pool opened after the file was replaced. Borrowed by every query, so it lives as long as
    /// the process: a replacement happens only when someone removes the database file.
    reopened: RwLock<Option<&'static AnyPool>>,
}

fn identity(path: &Path) -> std::io::Result<(u64, u64)> {
    let m = std::fs::metadata(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Ok((m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = m;
        Ok((0, 0))
    }
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
        let pool = connect_pool(backend, &connect).await.map_err(err)?;
        let file = (backend == Backend::Sqlite).then(|| {
            let path = PathBuf::from(connect_path(&connect));
            Arc::new(SqliteFile {
                identity: Mutex::new(identity(&path).ok()),
                path,
                reopened: RwLock::new(None),
            })
        });
        let store = Store {
            pool,
            backend,
            url: shown.clone(),
            file,
        };
        store.migrate().await.map_err(err)?;
        Ok(store)
    }

    /// For SQLite: makes sure the pool writes the file at the path (see [`SqliteFile`]).
    pub(crate) async fn ensure_file(&self) -> Result<(), StoreError> {
        let Some(file) = &self.file else {
            return Ok(());
        };
        let opened = *file.identity.lock().unwrap_or_else(|p| p.into_inner());
        let now = identity(&file.path);
        match &now {
            Ok(id) if Some(*id) == opened => return Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let folder = file.path.parent().filter(|p| !p.as_os_str().is_empty());
                if folder.is_some_and(|d| !d.is_dir()) {
                    return Err(StoreError::Gone {
                        url: self.url.clone(),
                    });
                }
            }
            Err(e) => {
                return Err(StoreError::Db {
                    url: self.url.clone(),
                    source: sqlx::Error::Io(std::io::Error::new(e.kind(), e.to_string())),
                })
            }
            Ok(_) => {}
        }
        tracing::error!(db = %self.url, "the database file was removed or replaced; writing to the file now at its path");
        let connect = format!("sqlite://{}?mode=rwc", file.path.display());
        let pool = connect_pool(Backend::Sqlite, &connect)
            .await
            .map_err(|e| self.wrap(e))?;
        let fresh = Store {
            pool: pool.clone(),
            backend: Backend::Sqlite,
            url: self.url.clone(),
            file: None,
        };
        fresh.migrate().await.map_err(|e| self.wrap(e))?;
        *file.identity.lock().unwrap_or_else(|p| p.into_inner()) = identity(&file.path).ok();
        let old = file
            .reopened
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .replace(Box::leak(Box::new(pool)));
        match old {
            Some(old) => old.close().await,
            None => self.pool.close().await,
        }
        Ok(())
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
        if let Some(file) = &self.file {
            if let Some(p) = *file.reopened.read().unwrap_or_else(|p| p.into_inner()) {
                return p;
            }
        }
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
        self.pool().close().await;
    }
}

/// The path in `sqlite://PATH?mode=rwc`.
fn connect_path(connect: &str) -> &str {
    let rest = connect.strip_prefix("sqlite://").unwrap_or(connect);
    rest.rsplit_once('?').map_or(rest, |(p, _)| p)
}

async fn connect_pool(backend: Backend, connect: &str) -> Result<AnyPool, sqlx::Error> {
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
    options.connect(connect).await
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
