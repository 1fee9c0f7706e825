//! The SQLite backend (rusqlite, bundled SQLite).

use std::sync::Arc;

use rusqlite::types::{ToSqlOutput, ValueRef};

use crate::{Result, Row, StoreError, Value};

pub(crate) fn err(e: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(f, msg) = &e
        && f.code == rusqlite::ErrorCode::ConstraintViolation
        && msg.as_deref().is_some_and(|m| m.contains("UNIQUE"))
    {
        return StoreError::Duplicate(msg.clone().unwrap_or_default());
    }
    if let rusqlite::Error::SqliteFailure(f, _) = &e {
        use crate::Unavailability as U;
        use rusqlite::ErrorCode as C;
        let reason = match f.code {
            C::DiskFull => Some(U::DiskFull),
            C::ReadOnly => Some(U::ReadOnly),
            C::DatabaseBusy | C::DatabaseLocked => Some(U::Locked),
            C::PermissionDenied | C::CannotOpen => Some(U::NoPermission),
            C::NotADatabase | C::DatabaseCorrupt => Some(U::Corrupt),
            _ => None,
        };
        if let Some(reason) = reason {
            return StoreError::Unavailable {
                reason,
                detail: e.to_string(),
            };
        }
    }
    StoreError::Database(e.to_string())
}

/// A connection that only reads. A file the process may write is opened
/// read-only (and sees the latest commits, WAL included); a file it may
/// not write, such as an auditor's copy, is opened as immutable: SQLite
/// then needs no lock file or shared memory beside it.
pub(crate) fn connect_read_only(path: &str) -> Result<rusqlite::Connection> {
    use rusqlite::OpenFlags;
    let writable = std::fs::OpenOptions::new().write(true).open(path).is_ok();
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let c = if writable {
        rusqlite::Connection::open_with_flags(path, flags).map_err(err)?
    } else {
        connect_immutable(std::path::Path::new(path))?
    };
    c.execute_batch("PRAGMA query_only = ON; PRAGMA busy_timeout = 10000;")
        .map_err(err)?;
    Ok(c)
}

/// A read-only connection to a file nobody writes (an auditor's copy, a
/// backup): SQLite then needs no lock file or shared memory beside it.
pub(crate) fn connect_immutable(path: &std::path::Path) -> Result<rusqlite::Connection> {
    use rusqlite::OpenFlags;
    let abs = std::fs::canonicalize(path).map_err(|e| StoreError::Unavailable {
        reason: crate::Unavailability::NoPermission,
        detail: format!("{}: {e}", path.display()),
    })?;
    // The path inside a URI: what would end it or start a query must
    // be escaped.
    let uri_path = abs
        .display()
        .to_string()
        .replace('%', "%25")
        .replace('?', "%3f")
        .replace('#', "%23");
    rusqlite::Connection::open_with_flags(
        format!("file:{uri_path}?immutable=1"),
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(err)
}

/// A read-only connection that sees the latest commits of the writers
/// (WAL included) and may still write elsewhere, as `VACUUM INTO` does.
pub(crate) fn connect_for_copy(path: &std::path::Path) -> Result<rusqlite::Connection> {
    use rusqlite::OpenFlags;
    let c = rusqlite::Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(err)?;
    c.execute_batch("PRAGMA busy_timeout = 10000;")
        .map_err(err)?;
    Ok(c)
}

pub(crate) fn connect(path: &str) -> Result<rusqlite::Connection> {
    let c = rusqlite::Connection::open(path).map_err(err)?;
    // WAL lets readers work while one writer commits; a busy timeout makes
    // concurrent writers wait instead of failing at once.
    c.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = NORMAL;
         PRAGMA foreign_keys = ON;
         PRAGMA busy_timeout = 10000;
         PRAGMA cache_size = -65536;
         PRAGMA temp_store = MEMORY;
         PRAGMA mmap_size = 268435456;
         PRAGMA wal_autocheckpoint = 10000;",
    )
    .map_err(err)?;
    Ok(c)
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Int(v) => ToSqlOutput::Borrowed(ValueRef::Integer(*v)),
            Value::Real(v) => ToSqlOutput::Borrowed(ValueRef::Real(*v)),
            Value::Text(v) => ToSqlOutput::Borrowed(ValueRef::Text(v.as_bytes())),
        })
    }
}

pub(crate) fn execute(t: &rusqlite::Transaction<'_>, sql: &str, params: &[Value]) -> Result<u64> {
    let mut stmt = t.prepare_cached(sql).map_err(err)?;
    let n = stmt
        .execute(rusqlite::params_from_iter(params.iter()))
        .map_err(err)?;
    Ok(n as u64)
}

pub(crate) fn query(
    t: &rusqlite::Transaction<'_>,
    sql: &str,
    params: &[Value],
) -> Result<Vec<Row>> {
    let mut stmt = t.prepare_cached(sql).map_err(err)?;
    let cols = stmt.column_count();
    let shared: Arc<str> = Arc::from(sql);
    let mut rows = stmt
        .query(rusqlite::params_from_iter(params.iter()))
        .map_err(err)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(err)? {
        let mut values = Vec::with_capacity(cols);
        for i in 0..cols {
            values.push(match r.get_ref(i).map_err(err)? {
                ValueRef::Null => Value::Null,
                ValueRef::Integer(v) => Value::Int(v),
                ValueRef::Real(v) => Value::Real(v),
                ValueRef::Text(v) => Value::Text(String::from_utf8_lossy(v).into_owned()),
                ValueRef::Blob(v) => Value::Text(hex::encode(v)),
            });
        }
        out.push(Row {
            values,
            sql: shared.clone(),
        });
    }
    Ok(out)
}

/// Statements carry at most this many parameters (SQLite's limit is 32,766).
const MAX_PARAMS: usize = 30_000;

/// `INSERT INTO table (columns) VALUES (..), (..)...`, in as few statements
/// as the parameter limit allows.
pub(crate) fn insert_many(
    t: &rusqlite::Transaction<'_>,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Value>],
) -> Result<()> {
    let width = columns.len().max(1);
    let one = format!("({})", vec!["?"; width].join(", "));
    for chunk in rows.chunks((MAX_PARAMS / width).max(1)) {
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES {}",
            columns.join(", "),
            vec![one.as_str(); chunk.len()].join(", ")
        );
        let params: Vec<&Value> = chunk.iter().flatten().collect();
        t.prepare_cached(&sql)
            .and_then(|mut st| st.execute(rusqlite::params_from_iter(params)))
            .map_err(err)?;
    }
    Ok(())
}
