//! The PostgreSQL backend (the synchronous `postgres` client).

use std::collections::HashMap;
use std::error::Error as _;
use std::sync::Arc;

use postgres::GenericClient;
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};

use crate::{Result, Row, StoreError, Value};

pub(crate) fn err(e: postgres::Error) -> StoreError {
    if let Some(db) = e.as_db_error() {
        use crate::Unavailability as U;
        use postgres::error::SqlState as S;
        if db.code() == &S::UNIQUE_VIOLATION {
            return StoreError::Duplicate(db.message().to_string());
        }
        let reason = match db.code() {
            c if *c == S::DISK_FULL || *c == S::OUT_OF_MEMORY => Some(U::DiskFull),
            c if *c == S::READ_ONLY_SQL_TRANSACTION => Some(U::ReadOnly),
            c if *c == S::LOCK_NOT_AVAILABLE || *c == S::T_R_DEADLOCK_DETECTED => Some(U::Locked),
            c if *c == S::INSUFFICIENT_PRIVILEGE || *c == S::INVALID_PASSWORD => {
                Some(U::NoPermission)
            }
            c if *c == S::DATA_CORRUPTED || *c == S::INDEX_CORRUPTED => Some(U::Corrupt),
            c if *c == S::ADMIN_SHUTDOWN || *c == S::CANNOT_CONNECT_NOW => Some(U::Unreachable),
            _ => None,
        };
        if let Some(reason) = reason {
            return StoreError::Unavailable {
                reason,
                detail: format!("{}: {}", db.code().code(), db.message()),
            };
        }
        return StoreError::Database(format!("{}: {}", db.code().code(), db.message()));
    }
    // No answer from the server at all: it cannot be reached.
    if e.is_closed() || e.source().is_some_and(|s| s.is::<std::io::Error>()) {
        return StoreError::Unavailable {
            reason: crate::Unavailability::Unreachable,
            detail: match e.source() {
                Some(s) => format!("{e}: {s}"),
                None => e.to_string(),
            },
        };
    }
    match e.source() {
        Some(s) => StoreError::Database(format!("{e}: {s}")),
        None => StoreError::Database(e.to_string()),
    }
}

impl ToSql for Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut postgres::types::private::BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(v) => match *ty {
                Type::INT2 => i16::try_from(*v)?.to_sql(ty, out),
                Type::INT4 => i32::try_from(*v)?.to_sql(ty, out),
                Type::FLOAT8 => (*v as f64).to_sql(ty, out),
                Type::BOOL => (*v != 0).to_sql(ty, out),
                _ => v.to_sql(ty, out),
            },
            Value::Real(v) => match *ty {
                Type::FLOAT4 => (*v as f32).to_sql(ty, out),
                _ => v.to_sql(ty, out),
            },
            Value::Text(v) => v.as_str().to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        // The value converts itself to the column's type above.
        true
    }

    to_sql_checked!();
}

/// `?` placeholders become `$1, $2, ...` outside string literals.
pub(crate) fn rewrite(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    let mut in_string = false;
    for c in sql.chars() {
        match c {
            '\'' => {
                in_string = !in_string;
                out.push(c);
            }
            '?' if !in_string => {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            }
            c => out.push(c),
        }
    }
    out
}

fn params(values: &[Value]) -> Vec<&(dyn ToSql + Sync)> {
    values.iter().map(|v| v as &(dyn ToSql + Sync)).collect()
}

/// A connection with its prepared statements: preparing costs a round trip,
/// so each distinct SQL text is prepared once per connection.
pub(crate) struct PgConn {
    pub client: postgres::Client,
    pub statements: HashMap<String, postgres::Statement>,
}

/// A transaction as the store runs it on PostgreSQL.
pub(crate) enum PgTx<'a> {
    /// `BEGIN` ... `COMMIT`: every write.
    Write(postgres::Transaction<'a>),
    /// A read: each statement on its own, with no `BEGIN` and `COMMIT`
    /// around them (two round trips of every read, a third of the
    /// statements of a request that only looks). Nothing is lost: under
    /// read committed, PostgreSQL's default and the store's, each statement
    /// of a transaction takes its own snapshot anyway. A `SET LOCAL` needs
    /// a transaction, so [`Tx::batch`](crate::Tx::batch) opens one first.
    Read(PgRead<'a>),
}

pub(crate) struct PgRead<'a> {
    pub client: &'a mut postgres::Client,
    /// Whether a `BEGIN` was sent: it is committed at the end, or rolled
    /// back when the read fails, so the connection goes back to the pool
    /// outside any transaction.
    pub began: bool,
}

impl PgRead<'_> {
    pub fn batch(&mut self, sql: &str) -> Result<()> {
        if self.began {
            return self.client.batch_execute(sql).map_err(err);
        }
        // One round trip for both.
        self.client
            .batch_execute(&format!("BEGIN; {sql}"))
            .map_err(err)?;
        self.began = true;
        Ok(())
    }

    pub fn finish(mut self) -> Result<()> {
        if self.began {
            self.began = false;
            self.client.batch_execute("COMMIT").map_err(err)?;
        }
        Ok(())
    }
}

impl Drop for PgRead<'_> {
    fn drop(&mut self) {
        if self.began {
            // The read failed or panicked; a broken connection is dropped by
            // its next use's error.
            let _ = self.client.batch_execute("ROLLBACK");
        }
    }
}

/// Runs `$body` with `$c` bound to the client of either kind of [`PgTx`].
macro_rules! with_client {
    ($t:expr, |$c:ident| $body:expr) => {
        match $t {
            $crate::pg::PgTx::Write($c) => $body,
            $crate::pg::PgTx::Read(r) => {
                let $c = &mut *r.client;
                $body
            }
        }
    };
}
pub(crate) use with_client;

fn prepared(
    t: &mut impl GenericClient,
    cache: &mut HashMap<String, postgres::Statement>,
    sql: &str,
) -> Result<postgres::Statement> {
    if let Some(s) = cache.get(sql) {
        return Ok(s.clone());
    }
    let stmt = t.prepare(&rewrite(sql)).map_err(err)?;
    cache.insert(sql.to_string(), stmt.clone());
    Ok(stmt)
}

pub(crate) fn execute(
    t: &mut impl GenericClient,
    cache: &mut HashMap<String, postgres::Statement>,
    sql: &str,
    values: &[Value],
) -> Result<u64> {
    let stmt = prepared(t, cache, sql)?;
    t.execute(&stmt, &params(values)).map_err(err)
}

pub(crate) fn query(
    t: &mut impl GenericClient,
    cache: &mut HashMap<String, postgres::Statement>,
    sql: &str,
    values: &[Value],
) -> Result<Vec<Row>> {
    let stmt = prepared(t, cache, sql)?;
    let rows = t.query(&stmt, &params(values)).map_err(err)?;
    let shared: Arc<str> = Arc::from(sql);
    rows.iter()
        .map(|r| {
            let mut values = Vec::with_capacity(r.len());
            for (i, col) in r.columns().iter().enumerate() {
                let v = match *col.type_() {
                    Type::INT8 => r.try_get::<_, Option<i64>>(i).map(|v| v.map(Value::Int)),
                    Type::INT4 => r
                        .try_get::<_, Option<i32>>(i)
                        .map(|v| v.map(|x| Value::Int(x.into()))),
                    Type::INT2 => r
                        .try_get::<_, Option<i16>>(i)
                        .map(|v| v.map(|x| Value::Int(x.into()))),
                    Type::BOOL => r
                        .try_get::<_, Option<bool>>(i)
                        .map(|v| v.map(|x| Value::Int(x.into()))),
                    Type::FLOAT8 => r.try_get::<_, Option<f64>>(i).map(|v| v.map(Value::Real)),
                    Type::FLOAT4 => r
                        .try_get::<_, Option<f32>>(i)
                        .map(|v| v.map(|x| Value::Real(x.into()))),
                    Type::NUMERIC => {
                        return Err(StoreError::Column {
                            sql: crate::first_line(sql),
                            index: i,
                            message:
                                "NUMERIC is not used by Piazza; cast to BIGINT or DOUBLE PRECISION"
                                    .into(),
                        });
                    }
                    _ => r
                        .try_get::<_, Option<String>>(i)
                        .map(|v| v.map(Value::Text)),
                }
                .map_err(err)?;
                values.push(v.unwrap_or(Value::Null));
            }
            Ok(Row {
                values,
                sql: shared.clone(),
            })
        })
        .collect()
}

/// How the connections reach the server.
#[derive(Clone)]
pub(crate) enum Transport {
    /// No TLS: loopback, a local socket or a trusted network.
    Plain,
    /// TLS with the server's certificate verified (chain and host name).
    Tls(tokio_postgres_rustls::MakeRustlsConnect),
}

/// Splits the TLS settings off a PostgreSQL URL. `sslmode=require`,
/// `verify-ca` and `verify-full` all mean TLS with the certificate verified
/// against the Mozilla roots, or against the CAs of `sslrootcert=FILE`
/// (PEM) when given: Piazza never accepts an unverified certificate, which
/// is stricter than libpq's `require`. `disable`, `prefer` or no `sslmode`
/// connect without TLS, as before. Returns the URL for the client library.
pub(crate) fn transport(url: &str) -> Result<(String, Transport)> {
    let Some((base, query)) = url.split_once('?') else {
        return Ok((url.to_string(), Transport::Plain));
    };
    let mut kept: Vec<String> = Vec::new();
    let mut tls = false;
    let mut root_file: Option<String> = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "sslmode" => match value {
                "disable" | "prefer" => kept.push(pair.to_string()),
                "require" | "verify-ca" | "verify-full" => {
                    tls = true;
                    kept.push("sslmode=require".to_string());
                }
                other => {
                    return Err(StoreError::Database(format!(
                        "sslmode={other} in the PostgreSQL URL is not one of disable, prefer, require, verify-ca, verify-full"
                    )));
                }
            },
            "sslrootcert" => root_file = Some(percent_decoded(value)),
            _ => kept.push(pair.to_string()),
        }
    }
    let url = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    if !tls {
        if let Some(file) = root_file {
            return Err(StoreError::Database(format!(
                "sslrootcert={file} in the PostgreSQL URL needs sslmode=verify-full (or require)"
            )));
        }
        return Ok((url, Transport::Plain));
    }
    let config = tls_config(root_file.as_deref())?;
    Ok((
        url,
        Transport::Tls(tokio_postgres_rustls::MakeRustlsConnect::new(config)),
    ))
}

fn percent_decoded(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn tls_config(root_file: Option<&str>) -> Result<rustls::ClientConfig> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    match root_file {
        Some(file) => {
            let bad = |e: String| StoreError::Database(format!("sslrootcert {file}: {e}"));
            let certs = CertificateDer::pem_file_iter(file)
                .map_err(|e| bad(e.to_string()))?
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(|e| bad(e.to_string()))?;
            if certs.is_empty() {
                return Err(bad("no PEM certificate in the file".into()));
            }
            for c in certs {
                roots.add(c).map_err(|e| bad(e.to_string()))?;
            }
        }
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    Ok(rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| StoreError::Database(format!("TLS set-up: {e}")))?
    .with_root_certificates(roots)
    .with_no_client_auth())
}

/// `COPY table (columns) FROM STDIN` in the text format: no statement to
/// parse or plan, whatever the number of rows.
pub(crate) fn copy_in(
    t: &mut impl GenericClient,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Value>],
) -> Result<()> {
    use std::io::Write;
    let mut w = t
        .copy_in(&format!("COPY {table} ({}) FROM STDIN", columns.join(", ")))
        .map_err(err)?;
    let mut line = String::new();
    for r in rows {
        line.clear();
        for (i, v) in r.iter().enumerate() {
            if i > 0 {
                line.push('\t');
            }
            copy_text(v, &mut line);
        }
        line.push('\n');
        if let Err(e) = w.write_all(line.as_bytes()) {
            // The server's refusal, if any, comes with `finish`.
            return Err(w
                .finish()
                .err()
                .map(err)
                .unwrap_or_else(|| StoreError::Database(format!("COPY {table}: {e}"))));
        }
    }
    w.finish().map_err(err)?;
    Ok(())
}

/// One value in COPY's text format: `\N` for NULL, backslash escapes for
/// the separators.
fn copy_text(v: &Value, out: &mut String) {
    use std::fmt::Write;
    match v {
        Value::Null => out.push_str("\\N"),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Real(r) if r.is_nan() => out.push_str("NaN"),
        Value::Real(r) if r.is_infinite() => {
            out.push_str(if *r > 0.0 { "Infinity" } else { "-Infinity" })
        }
        Value::Real(r) => {
            let _ = write!(out, "{r}");
        }
        Value::Text(s) => {
            for c in s.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    c => out.push(c),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_url_says_whether_tls_is_used_and_keeps_the_rest() {
        use super::{Transport, transport};
        let plain = transport("postgres://u@h/db?application_name=piazza").unwrap();
        assert_eq!(plain.0, "postgres://u@h/db?application_name=piazza");
        assert!(matches!(plain.1, Transport::Plain));
        let tls = transport("postgres://u@h/db?sslmode=verify-full&connect_timeout=5").unwrap();
        assert_eq!(tls.0, "postgres://u@h/db?sslmode=require&connect_timeout=5");
        assert!(matches!(tls.1, Transport::Tls(_)));
        let Err(e) = transport("postgres://u@h/db?sslmode=allow") else {
            panic!("allow accepted")
        };
        assert!(e.to_string().contains("sslmode=allow"), "{e}");
        let Err(e) = transport("postgres://u@h/db?sslrootcert=%2Ftmp%2Fca.pem") else {
            panic!("a root file without TLS accepted")
        };
        assert!(e.to_string().contains("/tmp/ca.pem"), "{e}");
        let Err(e) = transport("postgres://u@h/db?sslmode=require&sslrootcert=/nonexistent/ca.pem")
        else {
            panic!("a missing root file accepted")
        };
        assert!(e.to_string().contains("/nonexistent/ca.pem"), "{e}");
    }

    #[test]
    fn copy_text_escapes_separators_and_spells_null() {
        use crate::Value;
        let mut out = String::new();
        for v in [
            Value::Null,
            Value::Int(-7),
            Value::Real(0.25),
            Value::Real(f64::INFINITY),
            Value::Text("a\tb\nc\\N\r".into()),
        ] {
            super::copy_text(&v, &mut out);
            out.push('|');
        }
        assert_eq!(out, "\\N|-7|0.25|Infinity|a\\tb\\nc\\\\N\\r|");
    }

    #[test]
    fn placeholders_are_numbered_outside_strings() {
        assert_eq!(
            super::rewrite("SELECT '?' , a FROM t WHERE b = ? AND c = ?"),
            "SELECT '?' , a FROM t WHERE b = $1 AND c = $2"
        );
    }
}
