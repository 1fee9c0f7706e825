//! Persistence for Piazza: SQLite by default (a file in a data directory, WAL,
//! created and migrated on first run) and PostgreSQL for larger deployments,
//! picked from the URL scheme.
//!
//! The crate offers four things:
//! - [`Store`]: open by URL, migrate, run closures in transactions;
//! - [`Tx`]: a tiny SQL interface (`?` placeholders, [`Value`] parameters,
//!   [`Row`] results) that hides the backend, so the desk's queries are
//!   written once and behave the same on both;
//! - the audit chain ([`audit`]): append-only, every entry hashing the
//!   previous one, verified with the entry that breaks it named;
//! - copies of the SQLite file ([`backup`]): online backups and checked
//!   restores.
//!
//! Backend-specific SQL (types in the schema, row locks) stays inside this
//! crate. A backend that was not compiled in gives a clear error.
//!
//! ```
//! let dir = tempfile::tempdir().unwrap();
//! let store = piazza_store::Store::open_data_dir(dir.path()).unwrap();
//! let n: i64 = store
//!     .read(|tx| tx.query_one("SELECT COUNT(*) FROM administrations", &[])?.int(0))
//!     .unwrap();
//! assert_eq!(n, 0);
//! ```

pub mod audit;
#[cfg(feature = "sqlite")]
pub mod backup;
mod migrate;
#[cfg(feature = "postgres")]
mod pg;
#[cfg(feature = "sqlite")]
mod sqlite;
pub mod testing;
mod value;

use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};

pub use migrate::{versions as schema_versions, versions_changing as schema_versions_changing};
pub use value::{Row, Value};

/// Everything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL `{0}`: expected sqlite:PATH or postgres://...")]
    UnsupportedUrl(String),
    #[error(
        "the {0} backend is not compiled into this build of Piazza; rebuild with the `{0}` feature"
    )]
    BackendNotCompiled(&'static str),
    #[error("database error: {0}")]
    Database(String),
    /// A uniqueness constraint failed (a duplicate, or two writers raced).
    #[error("duplicate: {0}")]
    Duplicate(String),
    #[error("no row found: {0}")]
    NotFound(String),
    #[error("column {index} of `{sql}`: {message}")]
    Column {
        sql: String,
        index: usize,
        message: String,
    },
    #[error("cannot create data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("migration {version} failed: {message}")]
    Migration { version: u32, message: String },
    /// The database cannot do what was asked for a reason outside Piazza
    /// (a full disk, a read-only file, a server that does not answer):
    /// what an operator must fix, said as such.
    #[error("the database is unavailable ({}): {detail}", .reason.as_str())]
    Unavailable {
        reason: Unavailability,
        detail: String,
    },
}

/// Why the database could not do what was asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unavailability {
    /// No space left on the database's disk.
    DiskFull,
    /// The database, or the connection, is read-only.
    ReadOnly,
    /// Another process holds a lock for longer than the wait.
    Locked,
    /// The operating system or the server refuses access.
    NoPermission,
    /// The server cannot be reached.
    Unreachable,
    /// The file is not a database, or is damaged.
    Corrupt,
}

impl Unavailability {
    pub const fn as_str(self) -> &'static str {
        match self {
            Unavailability::DiskFull => "disk full",
            Unavailability::ReadOnly => "read-only",
            Unavailability::Locked => "locked",
            Unavailability::NoPermission => "no permission",
            Unavailability::Unreachable => "unreachable",
            Unavailability::Corrupt => "damaged",
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which database a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    Sqlite,
    Postgres,
}

pub(crate) enum Conn {
    #[cfg(feature = "sqlite")]
    Sqlite(rusqlite::Connection),
    #[cfg(feature = "postgres")]
    Postgres(Box<pg::PgConn>),
}

struct Pool {
    idle: Mutex<Vec<Conn>>,
    available: Condvar,
    open: Mutex<usize>,
    max: usize,
    connect: Box<dyn Fn() -> Result<Conn> + Send + Sync>,
    /// Taken by SQLite write transactions of this process. SQLite allows one
    /// writer; without this, concurrent writers wait in its busy handler,
    /// which sleeps in steps of up to 100 ms and makes the slowest requests
    /// of a busy desk wait for nothing. Other processes still meet the busy
    /// timeout.
    writer: Option<Mutex<()>>,
}

thread_local! {
    /// Whether this thread already holds its pool's writer lock: a nested
    /// write then fails on SQLite's lock (as it always did) instead of
    /// deadlocking on ours.
    static HOLDS_WRITER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Clears [`HOLDS_WRITER`] however the transaction ends.
struct WriterGuard<'a> {
    _lock: std::sync::MutexGuard<'a, ()>,
}

impl Drop for WriterGuard<'_> {
    fn drop(&mut self) {
        HOLDS_WRITER.with(|h| h.set(false));
    }
}

/// A handle to the database; cheap to clone and share between threads.
#[derive(Clone)]
pub struct Store {
    pool: Arc<Pool>,
    kind: BackendKind,
    url_for_display: String,
    /// Opened for reading only: every write is refused before it reaches
    /// the database.
    read_only: bool,
    /// The SQLite file, for backups; `None` on PostgreSQL.
    sqlite_path: Option<std::path::PathBuf>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("kind", &self.kind)
            .field("url", &self.url_for_display)
            .finish()
    }
}

/// The URL with any password removed, for logs and messages.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let creds = &url[scheme_end + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}://{user}:***@{}", &url[..scheme_end], &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

impl Store {
    /// Opens the SQLite database `piazza.sqlite3` in `dir`, creating the
    /// directory and the schema on first run.
    pub fn open_data_dir(dir: &Path) -> Result<Store> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::DataDir {
            path: dir.display().to_string(),
            source,
        })?;
        let path = dir.join("piazza.sqlite3");
        Store::open(&format!("sqlite:{}", path.display()))
    }

    /// Opens a database by URL: `sqlite:PATH` (or `sqlite://PATH`) or
    /// `postgres://user:pass@host/db` (also `postgresql://`).
    pub fn open(url: &str) -> Result<Store> {
        Store::open_with(url, false)
    }

    /// Opens a database for reading only, for the commands that only read
    /// (an auditor checking a read-only copy): nothing is created or
    /// migrated, and a schema older than this build is an error. SQLite
    /// files that cannot be written are read as immutable.
    pub fn open_read_only(url: &str) -> Result<Store> {
        Store::open_with(url, true)
    }

    /// [`Store::open_read_only`] for the SQLite database in `dir`.
    pub fn open_data_dir_read_only(dir: &Path) -> Result<Store> {
        let path = dir.join("piazza.sqlite3");
        if !path.exists() {
            return Err(StoreError::DataDir {
                path: path.display().to_string(),
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "no database here"),
            });
        }
        Store::open_read_only(&format!("sqlite:{}", path.display()))
    }

    /// A database with exactly the migrations in `versions` applied, for the
    /// upgrade tests: what a deployment of an older build left behind. A
    /// build may ship a later migration before an earlier one lands (0015
    /// shipped before 0014), and such a database must be brought forward too.
    #[doc(hidden)]
    pub fn open_with_schema_versions(url: &str, versions: &[u32]) -> Result<Store> {
        Store::open_with_migrations(url, false, &|v| versions.contains(&v))
    }

    fn open_with(url: &str, read_only: bool) -> Result<Store> {
        Store::open_with_migrations(url, read_only, &|_| true)
    }

    fn open_with_migrations(
        url: &str,
        read_only: bool,
        wanted: &dyn Fn(u32) -> bool,
    ) -> Result<Store> {
        let display = redact_url(url);
        let sqlite_path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"));
        let (kind, pool) = if let Some(path) = sqlite_path {
            open_sqlite(path, read_only)?
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            open_postgres(url, read_only)?
        } else {
            return Err(StoreError::UnsupportedUrl(display));
        };
        let store = Store {
            pool: Arc::new(pool),
            kind,
            url_for_display: display,
            read_only,
            sqlite_path: sqlite_path.map(std::path::PathBuf::from),
        };
        if read_only {
            store.read(migrate::check_current)?;
        } else {
            store.write(|tx| migrate::run_wanted(tx, wanted))?;
        }
        Ok(store)
    }

    /// Whether the store was opened for reading only.
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    pub fn kind(&self) -> BackendKind {
        self.kind
    }

    /// The URL without its password.
    pub fn display_url(&self) -> &str {
        &self.url_for_display
    }

    fn checkout(&self) -> Result<PooledConn<'_>> {
        let mut idle = self.pool.idle.lock().expect("pool lock");
        loop {
            if let Some(conn) = idle.pop() {
                return Ok(PooledConn {
                    conn: Some(conn),
                    pool: &self.pool,
                });
            }
            {
                let mut open = self.pool.open.lock().expect("pool count");
                if *open < self.pool.max {
                    *open += 1;
                    drop(open);
                    drop(idle);
                    return match (self.pool.connect)() {
                        Ok(conn) => Ok(PooledConn {
                            conn: Some(conn),
                            pool: &self.pool,
                        }),
                        Err(e) => {
                            *self.pool.open.lock().expect("pool count") -= 1;
                            Err(e)
                        }
                    };
                }
            }
            idle = self.pool.available.wait(idle).expect("pool wait");
        }
    }

    /// Runs `f` in a write transaction: committed if `f` returns `Ok`, rolled
    /// back otherwise, so a half-finished operation leaves nothing behind.
    ///
    /// The closure's error type is the caller's: a use case refuses with
    /// its own error (a conflict, a missing clause) and gets that same
    /// value back, while the store's errors convert into it.
    pub fn write<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&mut Tx<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        if self.read_only {
            return Err(StoreError::Unavailable {
                reason: Unavailability::ReadOnly,
                detail: "opened for reading only".into(),
            }
            .into());
        }
        self.transaction(true, f)
    }

    /// Runs `f` for reading. On SQLite, in a read transaction: one snapshot
    /// for all its statements. On PostgreSQL, each statement on its own
    /// (read committed, the default there, gives every statement of a
    /// transaction its own snapshot, so a `BEGIN` bought nothing but two
    /// round trips); a [`Tx::batch`] such as `SET LOCAL` opens a
    /// transaction first. Writing from a read is a mistake on both.
    pub fn read<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&mut Tx<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        self.transaction(false, f)
    }

    fn transaction<T, E: From<StoreError>>(
        &self,
        write: bool,
        f: impl FnOnce(&mut Tx<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        // Taken before a connection is checked out, so waiting writers hold
        // no connection that readers could use.
        let _writer = match &self.pool.writer {
            Some(m) if write && !HOLDS_WRITER.with(|h| h.get()) => {
                // A panic inside another write leaves nothing to protect:
                // the database rolled that transaction back.
                let lock = m.lock().unwrap_or_else(|p| p.into_inner());
                HOLDS_WRITER.with(|h| h.set(true));
                Some(WriterGuard { _lock: lock })
            }
            _ => None,
        };
        let mut pooled = self.checkout()?;
        let conn = pooled.conn.as_mut().expect("checked out");
        match conn {
            #[cfg(feature = "sqlite")]
            Conn::Sqlite(c) => {
                // IMMEDIATE takes the write lock up front: two writers never
                // both read and then fail to upgrade (SQLITE_BUSY mid-way).
                let behaviour = if write {
                    rusqlite::TransactionBehavior::Immediate
                } else {
                    rusqlite::TransactionBehavior::Deferred
                };
                let t = c
                    .transaction_with_behavior(behaviour)
                    .map_err(sqlite::err)?;
                let mut tx = Tx {
                    inner: TxInner::Sqlite(t),
                };
                // An `Err` drops the transaction, which rolls it back.
                let out = f(&mut tx)?;
                match tx.inner {
                    TxInner::Sqlite(t) => t.commit().map_err(sqlite::err)?,
                    #[cfg(feature = "postgres")]
                    TxInner::Postgres(..) => unreachable!(),
                }
                Ok(out)
            }
            #[cfg(feature = "postgres")]
            Conn::Postgres(c) => {
                let pg::PgConn { client, statements } = &mut **c;
                let t = if write {
                    pg::PgTx::Write(client.transaction().map_err(pg::err)?)
                } else {
                    pg::PgTx::Read(pg::PgRead {
                        client,
                        began: false,
                    })
                };
                let mut tx = Tx {
                    inner: TxInner::Postgres(t, statements),
                };
                let out = f(&mut tx)?;
                match tx.inner {
                    TxInner::Postgres(pg::PgTx::Write(t), _) => t.commit().map_err(pg::err)?,
                    TxInner::Postgres(pg::PgTx::Read(r), _) => r.finish()?,
                    #[cfg(feature = "sqlite")]
                    TxInner::Sqlite(_) => unreachable!(),
                }
                Ok(out)
            }
        }
    }
}

struct PooledConn<'a> {
    conn: Option<Conn>,
    pool: &'a Pool,
}

impl Drop for PooledConn<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.pool.idle.lock().expect("pool lock").push(conn);
            self.pool.available.notify_one();
        }
    }
}

#[cfg(feature = "sqlite")]
fn open_sqlite(path: &str, read_only: bool) -> Result<(BackendKind, Pool)> {
    if !read_only
        && let Some(parent) = Path::new(path).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent).map_err(|source| StoreError::DataDir {
            path: parent.display().to_string(),
            source,
        })?;
    }
    let path = path.to_string();
    Ok((
        BackendKind::Sqlite,
        Pool {
            idle: Mutex::new(Vec::new()),
            available: Condvar::new(),
            open: Mutex::new(0),
            max: 4,
            connect: Box::new(move || {
                if read_only {
                    sqlite::connect_read_only(&path).map(Conn::Sqlite)
                } else {
                    sqlite::connect(&path).map(Conn::Sqlite)
                }
            }),
            writer: Some(Mutex::new(())),
        },
    ))
}

#[cfg(not(feature = "sqlite"))]
fn open_sqlite(_: &str, _: bool) -> Result<(BackendKind, Pool)> {
    Err(StoreError::BackendNotCompiled("sqlite"))
}

#[cfg(feature = "postgres")]
fn open_postgres(url: &str, read_only: bool) -> Result<(BackendKind, Pool)> {
    let (url, transport) = pg::transport(url)?;
    let url = url.as_str();
    let config: postgres::Config = url.parse().map_err(|e| {
        StoreError::Database(format!("invalid PostgreSQL URL {}: {e}", redact_url(url)))
    })?;
    Ok((
        BackendKind::Postgres,
        Pool {
            idle: Mutex::new(Vec::new()),
            available: Condvar::new(),
            open: Mutex::new(0),
            max: 8,
            // PostgreSQL locks rows, not the database: writers run side by side.
            writer: None,
            connect: Box::new(move || {
                let mut client = match &transport {
                    pg::Transport::Plain => config.connect(postgres::NoTls),
                    pg::Transport::Tls(tls) => config.connect(tls.clone()),
                }
                .map_err(pg::err)?;
                if read_only {
                    // The server refuses every write of this session.
                    client
                        .batch_execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
                        .map_err(pg::err)?;
                }
                Ok(Conn::Postgres(Box::new(pg::PgConn {
                    client,
                    statements: Default::default(),
                })))
            }),
        },
    ))
}

#[cfg(not(feature = "postgres"))]
fn open_postgres(_: &str, _: bool) -> Result<(BackendKind, Pool)> {
    Err(StoreError::BackendNotCompiled("postgres"))
}

enum TxInner<'a> {
    #[cfg(feature = "sqlite")]
    Sqlite(rusqlite::Transaction<'a>),
    #[cfg(feature = "postgres")]
    Postgres(
        pg::PgTx<'a>,
        &'a mut std::collections::HashMap<String, postgres::Statement>,
    ),
}

/// A transaction. SQL uses `?` placeholders on every backend.
pub struct Tx<'a> {
    inner: TxInner<'a>,
}

impl Tx<'_> {
    pub fn kind(&self) -> BackendKind {
        match &self.inner {
            #[cfg(feature = "sqlite")]
            TxInner::Sqlite(_) => BackendKind::Sqlite,
            #[cfg(feature = "postgres")]
            TxInner::Postgres(..) => BackendKind::Postgres,
        }
    }

    /// Runs a statement; returns the number of rows changed.
    pub fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        match &mut self.inner {
            #[cfg(feature = "sqlite")]
            TxInner::Sqlite(t) => sqlite::execute(t, sql, params),
            #[cfg(feature = "postgres")]
            TxInner::Postgres(t, cache) => {
                pg::with_client!(t, |c| pg::execute(c, cache, sql, params))
            }
        }
    }

    /// Runs several statements with no parameters (DDL).
    pub fn batch(&mut self, sql: &str) -> Result<()> {
        match &mut self.inner {
            #[cfg(feature = "sqlite")]
            TxInner::Sqlite(t) => t.execute_batch(sql).map_err(sqlite::err),
            #[cfg(feature = "postgres")]
            TxInner::Postgres(pg::PgTx::Write(t), _) => t.batch_execute(sql).map_err(pg::err),
            #[cfg(feature = "postgres")]
            TxInner::Postgres(pg::PgTx::Read(r), _) => r.batch(sql),
        }
    }

    pub fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
        match &mut self.inner {
            #[cfg(feature = "sqlite")]
            TxInner::Sqlite(t) => sqlite::query(t, sql, params),
            #[cfg(feature = "postgres")]
            TxInner::Postgres(t, cache) => {
                pg::with_client!(t, |c| pg::query(c, cache, sql, params))
            }
        }
    }

    pub fn query_opt(&mut self, sql: &str, params: &[Value]) -> Result<Option<Row>> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    pub fn query_one(&mut self, sql: &str, params: &[Value]) -> Result<Row> {
        self.query_opt(sql, params)?
            .ok_or_else(|| StoreError::NotFound(first_line(sql)))
    }

    /// Runs an `INSERT ... RETURNING id` and returns the id.
    pub fn insert(&mut self, sql: &str, params: &[Value]) -> Result<i64> {
        debug_assert!(
            sql.contains("RETURNING id"),
            "insert needs RETURNING id: {sql}"
        );
        self.query_one(sql, params)?.int(0)
    }

    /// Writes `rows` (values in the order of `columns`) into `table` in as
    /// few statements as the backend allows: one `COPY` on PostgreSQL,
    /// multi-row `INSERT`s on SQLite. For bulk writes of rows that cannot
    /// collide with stored ones; a constraint error fails the whole call.
    pub fn bulk_insert(
        &mut self,
        table: &str,
        columns: &[&str],
        rows: &[Vec<Value>],
    ) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        debug_assert!(rows.iter().all(|r| r.len() == columns.len()));
        match &mut self.inner {
            #[cfg(feature = "sqlite")]
            TxInner::Sqlite(t) => sqlite::insert_many(t, table, columns, rows),
            #[cfg(feature = "postgres")]
            TxInner::Postgres(t, _) => {
                pg::with_client!(t, |c| pg::copy_in(c, table, columns, rows))
            }
        }
    }

    /// [`Tx::bulk_insert`] into a table keyed by `id`, each row under a new
    /// id (returned in the rows' order). When a row collides with a stored
    /// one on a unique key (another writer stored it since the caller
    /// looked), nothing is written and the answer is `Ok(None)`: the
    /// transaction goes on, and the caller takes the rows one at a time.
    pub fn bulk_insert_with_new_ids(
        &mut self,
        table: &str,
        columns: &[&str],
        rows: Vec<Vec<Value>>,
    ) -> Result<Option<Vec<i64>>> {
        if rows.is_empty() {
            return Ok(Some(Vec::new()));
        }
        let n = rows.len() as i64;
        let ids: Vec<i64> = match self.kind() {
            // Write transactions are exclusive on SQLite, and an
            // INTEGER PRIMARY KEY without AUTOINCREMENT takes the highest
            // id plus one anyway.
            BackendKind::Sqlite => {
                let max = self
                    .query_one(&format!("SELECT COALESCE(MAX(id), 0) FROM {table}"), &[])?
                    .int(0)?;
                (max + 1..=max + n).collect()
            }
            // The identity's sequence hands out ids no other writer gets.
            BackendKind::Postgres => {
                let mut ids = self
                    .query(
                        &format!(
                            "SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, ?)"
                        ),
                        &[Value::Int(n)],
                    )?
                    .iter()
                    .map(|r| r.int(0))
                    .collect::<Result<Vec<i64>>>()?;
                ids.sort_unstable();
                ids
            }
        };
        let mut all_columns = Vec::with_capacity(columns.len() + 1);
        all_columns.push("id");
        all_columns.extend_from_slice(columns);
        let rows: Vec<Vec<Value>> = rows
            .into_iter()
            .zip(&ids)
            .map(|(mut r, id)| {
                r.insert(0, Value::Int(*id));
                r
            })
            .collect();
        self.batch("SAVEPOINT piazza_bulk_insert")?;
        match self.bulk_insert(table, &all_columns, &rows) {
            Ok(()) => {
                self.batch("RELEASE SAVEPOINT piazza_bulk_insert")?;
                Ok(Some(ids))
            }
            Err(StoreError::Duplicate(_)) => {
                self.batch("ROLLBACK TO SAVEPOINT piazza_bulk_insert; RELEASE SAVEPOINT piazza_bulk_insert")?;
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Plans this transaction's statements with their values instead of
    /// a cached generic plan (PostgreSQL; SQLite plans each run anyway).
    /// Statements are prepared once per connection and kept: a generic plan
    /// made while a table was nearly empty (a sequential scan) would stay
    /// for good, and the ingest's lookup of a few hundred ids by the unique
    /// index took 300 ms on 50,000 comments. Only for the bulk statements:
    /// planning each small statement of a request would cost more than it
    /// saves (the act endpoint lost a third of its rate with it on the
    /// whole session).
    pub fn plan_with_values(&mut self) -> Result<()> {
        match self.kind() {
            BackendKind::Sqlite => Ok(()),
            BackendKind::Postgres => self.batch("SET LOCAL plan_cache_mode = force_custom_plan"),
        }
    }

    /// Refreshes the planner's statistics of `tables` after a bulk load
    /// (PostgreSQL; SQLite's planner needs none for Piazza's queries).
    /// Autovacuum gets there eventually, but the statements the web desk
    /// prepares right after an import of many thousand comments would be
    /// planned for nearly empty tables.
    pub fn analyze(&mut self, tables: &[&str]) -> Result<()> {
        match self.kind() {
            BackendKind::Sqlite => Ok(()),
            BackendKind::Postgres => self.batch(&format!("ANALYZE {}", tables.join(", "))),
        }
    }

    /// Serialises writers of one administration until the transaction ends
    /// (the audit chain needs one writer at a time). SQLite write
    /// transactions are already exclusive.
    ///
    /// On PostgreSQL the lock is taken as late as it can be, by the audit
    /// append at the end of a change, so that writers of one administration
    /// wait for each other only over the append and the commit. Hence the
    /// order every writer follows: the rows it changes first, the
    /// administration last; a writer that must take the administration
    /// early and then writes a comment takes that comment first
    /// ([`Tx::lock_comment`]), or two writers could wait for each other in
    /// a circle.
    ///
    /// The lock is a transaction-scoped advisory lock, not a lock on the
    /// administration's row: it is granted in the order it was asked for,
    /// writes nothing (a row lock writes the row and its WAL), and does not
    /// meet the key-share locks every insert referring to the
    /// administration takes. Measured against `SELECT ... FOR NO KEY
    /// UPDATE`: decisions 1,157–1,196 req/s against 1,062–1,107, p99 23 ms
    /// against 36–41 (`docs/benchmarks.md`). It is released after the
    /// commit is visible, so the next writer reads the head just written.
    pub fn lock_administration(&mut self, admin_id: i64) -> Result<()> {
        match self.kind() {
            BackendKind::Sqlite => Ok(()),
            BackendKind::Postgres => {
                // Piazza's administrations in the high half of the key; two
                // ids 2^32 apart would share a lock, which only serialises
                // more.
                self.execute(
                    "SELECT pg_advisory_xact_lock(?)",
                    &[Value::Int(
                        (ADMINISTRATION_LOCKS << 32) | (admin_id & 0xFFFF_FFFF),
                    )],
                )?;
                Ok(())
            }
        }
    }

    /// Holds a comment's row until the transaction ends, for a writer that
    /// takes the administration's lock before it writes the comment (see
    /// [`Tx::lock_administration`]).
    pub fn lock_comment(&mut self, comment_id: i64) -> Result<()> {
        self.lock_row("comments", comment_id)
    }

    /// Row locks are PostgreSQL's: SQLite write transactions are already
    /// exclusive.
    fn lock_row(&mut self, table: &'static str, id: i64) -> Result<()> {
        match self.kind() {
            BackendKind::Sqlite => Ok(()),
            BackendKind::Postgres => {
                self.query(
                    &format!("SELECT id FROM {table} WHERE id = ? FOR NO KEY UPDATE"),
                    &[Value::Int(id)],
                )?;
                Ok(())
            }
        }
    }
}

/// The high half of the advisory-lock keys of administrations ("PZ").
const ADMINISTRATION_LOCKS: i64 = 0x505A;

pub(crate) fn first_line(sql: &str) -> String {
    let s: String = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.len() > 120 {
        format!("{}…", &s[..s.floor_char_boundary(120)])
    } else {
        s
    }
}

/// Milliseconds since the Unix epoch, the way every instant is stored.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            redact_url("postgres://piazza:segreta@127.0.0.1:5432/piazza"),
            "postgres://piazza:***@127.0.0.1:5432/piazza"
        );
        assert_eq!(redact_url("sqlite:/tmp/x.db"), "sqlite:/tmp/x.db");
        let err = Store::open("mysql://u:segreta@h/db")
            .unwrap_err()
            .to_string();
        assert!(!err.contains("segreta"), "{err}");
        assert!(err.contains("unsupported database URL"), "{err}");
    }
}
