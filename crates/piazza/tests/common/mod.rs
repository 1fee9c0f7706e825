//! Helpers shared by the command-line tests: run the binary, read what it
//! printed.

// Each test file uses its own subset of these.
#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output};

/// `piazza ARGS`, run to the end.
pub fn piazza(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_piazza"))
        .args(args)
        .output()
        .expect("run piazza")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A data directory and a database (SQLite in it, or a fresh PostgreSQL
/// schema) for one command-line test, and the environment its commands
/// run with.
pub struct Env {
    pub dir: tempfile::TempDir,
    pub url: String,
    pub vars: Vec<(String, String)>,
}

/// One environment per backend: SQLite always, PostgreSQL when
/// `PIAZZA_TEST_POSTGRES_URL` is set (required under
/// `PIAZZA_REQUIRE_POSTGRES=1`).
pub fn envs(name: &str) -> Vec<Env> {
    let mut out = Vec::new();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("db.sqlite3").display());
    out.push(Env {
        dir,
        url,
        vars: Vec::new(),
    });
    if let Ok(base) = std::env::var("PIAZZA_TEST_POSTGRES_URL") {
        if !base.is_empty() {
            // A fresh schema per test, created with psql-free SQL through the store.
            let schema = format!("cli_{name}_{}", std::process::id());
            let mut c = postgres_client(&base);
            c.batch_execute(&format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
            ))
            .unwrap();
            let sep = if base.contains('?') { '&' } else { '?' };
            out.push(Env {
                dir: tempfile::tempdir().unwrap(),
                url: format!("{base}{sep}options=-csearch_path%3D{schema}"),
                vars: Vec::new(),
            });
        }
    } else if std::env::var("PIAZZA_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
        panic!("PIAZZA_REQUIRE_POSTGRES=1 but PIAZZA_TEST_POSTGRES_URL is not set");
    } else {
        eprintln!("SKIP PostgreSQL for {name}: PIAZZA_TEST_POSTGRES_URL is not set");
    }
    out
}

pub fn postgres_client(url: &str) -> postgres::Client {
    postgres::Client::connect(url, postgres::NoTls).expect("connect to PostgreSQL")
}

impl Env {
    /// This environment with one more variable for its commands.
    pub fn with(mut self, name: &str, value: &str) -> Env {
        self.vars.push((name.into(), value.into()));
        self
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_piazza"));
        c.args(args)
            .env("PIAZZA_DATABASE_URL", &self.url)
            .env("PIAZZA_DATA_DIR", self.dir.path())
            .env_remove("PIAZZA_ENTE")
            .current_dir(self.dir.path());
        for (k, v) in &self.vars {
            c.env(k, v);
        }
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    pub fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert!(
            o.status.success(),
            "{args:?} failed on {}: {}{}",
            self.url,
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut a = args.to_vec();
        a.push("--json");
        serde_json::from_str(&self.ok(&a)).unwrap()
    }
}

pub fn write_jsonl(path: &Path, lines: &[String]) {
    let mut f = std::fs::File::create(path).unwrap();
    for l in lines {
        writeln!(f, "{l}").unwrap();
    }
}

/// `GET path` on the local server at `port`, the whole raw answer (status
/// line, headers, body), or `None` while nothing answers.
pub fn http_get(port: u16, path: &str) -> Option<String> {
    use std::io::Read;
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    Some(out)
}
