//! Test support shared by the store's and the desk's tests: the same test
//! runs on SQLite and, when `PIAZZA_TEST_POSTGRES_URL` is set, on
//! PostgreSQL, each in a fresh database or schema.
//!
//! CI sets `PIAZZA_REQUIRE_POSTGRES=1` so that a missing server fails the
//! run instead of silently testing one backend.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::Store;

/// A store for one test, and what to clean up after it.
pub struct TestStore {
    pub store: Store,
    pub label: &'static str,
    _dir: Option<tempfile_dir::TempDir>,
    #[cfg(feature = "postgres")]
    drop_schema: Option<(String, String)>,
}

impl std::ops::Deref for TestStore {
    type Target = Store;
    fn deref(&self) -> &Store {
        &self.store
    }
}

#[cfg(feature = "postgres")]
impl Drop for TestStore {
    fn drop(&mut self) {
        if let Some((url, schema)) = self.drop_schema.take()
            && let Ok(mut c) = postgres::Client::connect(&url, postgres::NoTls)
        {
            let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        }
    }
}

/// A tiny temporary directory, so the store needs no test-only dependency.
mod tempfile_dir {
    pub struct TempDir(pub std::path::PathBuf);
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique(name: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let clean: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(30)
        .collect();
    format!("t_{clean}_{}_{n}_{nanos}", std::process::id())
}

/// A fresh SQLite store in a temporary directory.
pub fn sqlite_store(name: &str) -> TestStore {
    let dir = std::env::temp_dir().join(format!("piazza-{}", unique(name)));
    let store = Store::open_data_dir(&dir).expect("open SQLite test store");
    TestStore {
        store,
        label: "sqlite",
        _dir: Some(tempfile_dir::TempDir(dir)),
        #[cfg(feature = "postgres")]
        drop_schema: None,
    }
}

/// Every backend available to this test run.
pub fn test_stores(name: &str) -> Vec<TestStore> {
    let mut out = vec![sqlite_store(name)];
    match std::env::var("PIAZZA_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => out.push(postgres_store(&url, name)),
        _ => {
            if std::env::var("PIAZZA_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
                panic!("PIAZZA_REQUIRE_POSTGRES=1 but PIAZZA_TEST_POSTGRES_URL is not set");
            }
            eprintln!("SKIP PostgreSQL for {name}: PIAZZA_TEST_POSTGRES_URL is not set");
        }
    }
    out
}

#[cfg(feature = "postgres")]
fn postgres_store(url: &str, name: &str) -> TestStore {
    let schema = unique(name);
    let mut admin = postgres::Client::connect(url, postgres::NoTls)
        .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at {}: {e}", crate::redact_url(url)));
    admin
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .expect("create test schema");
    let sep = if url.contains('?') { '&' } else { '?' };
    let scoped = format!("{url}{sep}options=-csearch_path%3D{schema}");
    let store = Store::open(&scoped).expect("open PostgreSQL test store");
    TestStore {
        store,
        label: "postgres",
        _dir: None,
        drop_schema: Some((url.to_string(), schema)),
    }
}

#[cfg(not(feature = "postgres"))]
fn postgres_store(_: &str, name: &str) -> TestStore {
    panic!("{name}: PIAZZA_TEST_POSTGRES_URL is set but the postgres backend is not compiled in");
}

/// An empty database (a SQLite file not created yet, or a fresh
/// PostgreSQL schema), dropped with the value: for tests that build a
/// schema themselves, such as the upgrade tests.
pub struct BlankDatabase {
    pub label: &'static str,
    pub url: String,
    _dir: Option<tempfile_dir::TempDir>,
    #[cfg(feature = "postgres")]
    drop_schema: Option<(String, String)>,
}

impl Drop for BlankDatabase {
    fn drop(&mut self) {
        #[cfg(feature = "postgres")]
        if let Some((url, schema)) = self.drop_schema.take()
            && let Ok(mut c) = postgres::Client::connect(&url, postgres::NoTls)
        {
            let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        }
    }
}

/// An empty database on every backend available to this test run (the
/// same rules as [`test_stores`]).
pub fn blank_databases(name: &str) -> Vec<BlankDatabase> {
    let dir = std::env::temp_dir().join(format!("piazza-{}", unique(name)));
    std::fs::create_dir_all(&dir).expect("temporary directory");
    let mut out = vec![BlankDatabase {
        label: "sqlite",
        url: format!("sqlite:{}", dir.join("piazza.sqlite3").display()),
        _dir: Some(tempfile_dir::TempDir(dir)),
        #[cfg(feature = "postgres")]
        drop_schema: None,
    }];
    match std::env::var("PIAZZA_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => out.push(blank_postgres(&url, name)),
        _ => {
            if std::env::var("PIAZZA_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
                panic!("PIAZZA_REQUIRE_POSTGRES=1 but PIAZZA_TEST_POSTGRES_URL is not set");
            }
            eprintln!("SKIP PostgreSQL for {name}: PIAZZA_TEST_POSTGRES_URL is not set");
        }
    }
    out
}

#[cfg(feature = "postgres")]
fn blank_postgres(url: &str, name: &str) -> BlankDatabase {
    let schema = unique(name);
    let mut admin = postgres::Client::connect(url, postgres::NoTls)
        .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at {}: {e}", crate::redact_url(url)));
    admin
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .expect("create test schema");
    let sep = if url.contains('?') { '&' } else { '?' };
    BlankDatabase {
        label: "postgres",
        url: format!("{url}{sep}options=-csearch_path%3D{schema}"),
        _dir: None,
        drop_schema: Some((url.to_string(), schema)),
    }
}

#[cfg(not(feature = "postgres"))]
fn blank_postgres(_: &str, name: &str) -> BlankDatabase {
    panic!("{name}: PIAZZA_TEST_POSTGRES_URL is set but the postgres backend is not compiled in");
}
