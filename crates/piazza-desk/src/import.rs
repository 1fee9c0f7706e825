//! Importing comments from a JSONL or CSV file: streaming, in batched
//! transactions, with progress. A bad line is recorded with its line number
//! and field and does not stop the good ones. Progress is committed with
//! each batch, so a re-run after a crash resumes where the last committed
//! batch ended, with no duplicates and nothing lost.

use std::io::BufRead;

use serde::Serialize;

use crate::audit_log::{AuditKind, AuditTarget, entry, record};
use crate::ids::{AccountId, AdminId};
use crate::ingest::{IncomingComment, IncomingEvent};
use crate::registry::Actor;
use crate::{Desk, DeskError, Result};

/// The longest comment an import takes.
pub const MAX_COMMENT_CHARS: usize = 20_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportFormat {
    Jsonl,
    Csv,
}

impl ImportFormat {
    /// From a file name's extension.
    pub fn from_name(name: &str) -> Option<ImportFormat> {
        let lower = name.to_lowercase();
        if lower.ends_with(".jsonl") || lower.ends_with(".ndjson") || lower.ends_with(".json") {
            Some(ImportFormat::Jsonl)
        } else if lower.ends_with(".csv") {
            Some(ImportFormat::Csv)
        } else {
            None
        }
    }
}

/// Where an import stands, reported after every batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ImportProgress {
    pub lines_done: u64,
    pub imported: u64,
    pub unchanged: u64,
    pub failed: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineError {
    pub line: u64,
    pub field: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportReport {
    pub run_id: i64,
    pub progress: ImportProgress,
    /// The line after which this run started (0 for a fresh import).
    pub resumed_after: u64,
    pub already_complete: bool,
    /// The errors of the whole import (every run of it), by line.
    pub errors: Vec<LineError>,
}

/// A record of the file, before validation.
fn parse_record(
    fields: &dyn Fn(&str) -> Option<serde_json::Value>,
    now: i64,
) -> std::result::Result<IncomingComment, (Option<String>, String)> {
    let text_of = |name: &str,
                   required: bool|
     -> std::result::Result<Option<String>, (Option<String>, String)> {
        match fields(name) {
            None | Some(serde_json::Value::Null) if required => {
                Err((Some(name.into()), format!("manca il campo `{name}`")))
            }
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(s)) if required && s.trim().is_empty() => {
                Err((Some(name.into()), format!("il campo `{name}` è vuoto")))
            }
            Some(serde_json::Value::String(s)) => Ok(Some(s)),
            Some(serde_json::Value::Number(n)) if name != "text" => Ok(Some(n.to_string())),
            Some(other) => Err((
                Some(name.into()),
                format!(
                    "il campo `{name}` deve essere un testo, invece è {}",
                    json_kind(&other)
                ),
            )),
        }
    };
    let id = text_of("id", true)?.unwrap_or_default();
    let text = text_of("text", true)?.unwrap_or_default();
    // Longer than any platform allows a comment (YouTube: 10,000).
    if text.chars().count() > MAX_COMMENT_CHARS {
        return Err((
            Some("text".into()),
            format!(
                "il testo è lungo {} caratteri, più di quanti ne ammetta qualsiasi piattaforma ({MAX_COMMENT_CHARS})",
                text.chars().count()
            ),
        ));
    }
    let created_at = match fields("created_at") {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::Number(n)) => match n.as_i64() {
            Some(ms) => Some(ms),
            None => {
                return Err((
                    Some("created_at".into()),
                    format!("`{n}` non è un numero intero di millisecondi"),
                ));
            }
        },
        Some(serde_json::Value::String(s)) if s.trim().is_empty() => None,
        Some(serde_json::Value::String(s)) => match piazza_calendar::parse_instant(s.trim()) {
            Ok(t) => Some(t.as_millisecond()),
            Err(_) => {
                return Err((
                    Some("created_at".into()),
                    format!(
                        "`{s}` non è una data e ora valida; si attende ad esempio 2026-11-22T10:30 oppure 2026-11-22T10:30:00+01:00"
                    ),
                ));
            }
        },
        Some(other) => {
            return Err((
                Some("created_at".into()),
                format!(
                    "si attende una data e ora come testo, invece è {}",
                    json_kind(&other)
                ),
            ));
        }
    };
    Ok(IncomingComment {
        external_id: id,
        post_external_id: text_of("post_id", false)?,
        post_text: text_of("post_text", false)?,
        parent_external_id: text_of("parent_id", false)?,
        author_ref: text_of("author", false)?,
        author_name: text_of("author_name", false)?,
        text,
        // A file without dates: the comments arrive now, which is when the
        // reply clock starts for the administration too.
        created_at: created_at.unwrap_or(now),
    })
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "un valore vero/falso",
        serde_json::Value::Number(_) => "un numero",
        serde_json::Value::String(_) => "un testo",
        serde_json::Value::Array(_) => "un elenco",
        serde_json::Value::Object(_) => "un oggetto",
    }
}

/// A line that is not JSON, said in Italian with the column where reading
/// stopped (serde_json's own text is English).
fn json_error_it(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match e.classify() {
        Category::Eof => "JSON incompleto: la riga finisce prima che l'oggetto sia chiuso".into(),
        Category::Syntax => format!("JSON non valido alla colonna {}", e.column()),
        Category::Data => format!("valore JSON non ammesso alla colonna {}", e.column()),
        Category::Io => "errore di lettura del file".into(),
    }
}

/// A CSV record that cannot be read, in Italian.
fn csv_error_it(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "la riga contiene caratteri non UTF-8".into(),
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("{len} campi, ma l'intestazione ne ha {expected_len}"),
        csv::ErrorKind::Io(_) => "errore di lettura del file".into(),
        _ => "riga CSV non leggibile".into(),
    }
}

/// An import of at least this many comments refreshes the planner's
/// statistics when it ends (see [`piazza_store::Tx::analyze`]).
const ANALYZE_AFTER: u64 = 1_000;

/// A record of an import file as read: a comment, or what is wrong with
/// its line.
#[derive(Debug, Clone, PartialEq)]
pub enum ImportRecord {
    Ok(IncomingComment),
    Bad(LineError),
}

/// Reads the records of an import file after line `resumed_after`, calling
/// `each` with every line's number and its record (`None` for a blank
/// line). The one reader of import files: [`Desk::import`] runs it, and
/// the fuzz targets run it on mutated files. Pure apart from `reader`:
/// `now` dates the records without a date.
pub fn read_records(
    reader: impl BufRead,
    format: ImportFormat,
    resumed_after: u64,
    now: i64,
    each: &mut dyn FnMut(u64, Option<ImportRecord>) -> Result<()>,
) -> Result<()> {
    let mut last_line = resumed_after;
    match format {
        ImportFormat::Jsonl => {
            for (i, line) in reader.lines().enumerate() {
                let n = i as u64 + 1;
                let line = line.map_err(|e| {
                    DeskError::InvalidInput(format!("impossibile leggere la riga {n}: {e}"))
                })?;
                if n <= resumed_after {
                    continue;
                }
                if line.trim().is_empty() {
                    each(n, None)?;
                    continue;
                }
                let parsed = match serde_json::from_str::<serde_json::Value>(&line) {
                    Ok(serde_json::Value::Object(map)) => {
                        match parse_record(&|k| map.get(k).cloned(), now) {
                            Ok(c) => ImportRecord::Ok(c),
                            Err((field, message)) => ImportRecord::Bad(LineError {
                                line: n,
                                field,
                                message,
                            }),
                        }
                    }
                    Ok(other) => ImportRecord::Bad(LineError {
                        line: n,
                        field: None,
                        message: format!(
                            "si attende un oggetto JSON, invece la riga contiene {}",
                            json_kind(&other)
                        ),
                    }),
                    Err(e) => ImportRecord::Bad(LineError {
                        line: n,
                        field: None,
                        message: json_error_it(&e),
                    }),
                };
                each(n, Some(parsed))?;
            }
        }
        ImportFormat::Csv => {
            let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
            let headers = rdr
                .headers()
                .map_err(|e| {
                    DeskError::InvalidInput(format!(
                        "impossibile leggere l'intestazione del CSV: {e}"
                    ))
                })?
                .clone();
            for rec in rdr.records() {
                let (n, parsed) = match rec {
                    Ok(r) => {
                        let n = r.position().map(|p| p.line()).unwrap_or(0);
                        let get = |k: &str| {
                            headers
                                .iter()
                                .position(|h| h.trim() == k)
                                .and_then(|i| r.get(i))
                                .map(|v| serde_json::Value::String(v.to_string()))
                        };
                        let parsed = if r.len() != headers.len() {
                            ImportRecord::Bad(LineError {
                                line: n,
                                field: None,
                                message: format!(
                                    "{} campi, ma l'intestazione ne ha {}",
                                    r.len(),
                                    headers.len()
                                ),
                            })
                        } else {
                            match parse_record(&get, now) {
                                Ok(c) => ImportRecord::Ok(c),
                                Err((field, message)) => ImportRecord::Bad(LineError {
                                    line: n,
                                    field,
                                    message,
                                }),
                            }
                        };
                        (n, parsed)
                    }
                    Err(e) => {
                        let n = e.position().map(|p| p.line()).unwrap_or(last_line + 1);
                        (
                            n,
                            ImportRecord::Bad(LineError {
                                line: n,
                                field: None,
                                message: csv_error_it(&e),
                            }),
                        )
                    }
                };
                if n <= resumed_after {
                    continue;
                }
                last_line = n;
                each(n, Some(parsed))?;
            }
        }
    }
    Ok(())
}

impl Desk {
    /// Imports comments into one account. `file_key` identifies the file's
    /// content (e.g. its SHA-256): the same key resumes the same import.
    #[allow(clippy::too_many_arguments)]
    pub fn import(
        &self,
        by: Option<&Actor>,
        admin_id: AdminId,
        account_id: AccountId,
        reader: impl BufRead + Send,
        format: ImportFormat,
        file_key: &str,
        file_name: &str,
        batch_size: usize,
        progress: &mut dyn FnMut(ImportProgress),
    ) -> Result<ImportReport> {
        if let Some(by) = by {
            by.require(
                &[
                    crate::Role::Admin,
                    crate::Role::Dirigente,
                    crate::Role::Moderatore,
                ],
                "importing comments",
            )?;
            if by.admin_id != admin_id {
                return Err(DeskError::Forbidden("un altro ente".into()));
            }
        }
        let ctx = self.context(admin_id)?;
        let account = self.account(admin_id, account_id)?;
        let actor_name = by.map(|b| b.audit_name()).unwrap_or_else(|| "cli".into());
        let now = self.now();
        let (run_id, resumed_after, finished, mut p) = self.write(|tx| {
            if let Some(r) = tx.query_opt(
                "SELECT id, lines_done, finished_at, imported, unchanged, failed FROM import_runs WHERE admin_id = ? AND account_id = ? AND file_key = ?",
                &[admin_id.into(), account_id.into(), file_key.into()],
            )? {
                let lines = r.int(1)? as u64;
                return Ok((
                    r.int(0)?,
                    lines,
                    r.opt_int(2)?.is_some(),
                    ImportProgress {
                        lines_done: lines,
                        imported: r.int(3)? as u64,
                        unchanged: r.int(4)? as u64,
                        failed: r.int(5)? as u64,
                    },
                ));
            }
            let id = tx.insert(
                "INSERT INTO import_runs (admin_id, account_id, file_key, file_name, started_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                &[admin_id.into(), account_id.into(), file_key.into(), file_name.into(), now.into(), now.into()],
            )?;
            record(
                tx,
                admin_id,
                now,
                &entry(&actor_name, AuditKind::ImportStart, AuditTarget::Import, id)
                    .payload(serde_json::json!({"file": file_name, "account": account_id})),
            )?;
            Ok((id, 0, false, ImportProgress::default()))
        })?;
        if finished {
            return Ok(ImportReport {
                run_id,
                progress: p,
                resumed_after,
                already_complete: true,
                errors: self.import_errors(admin_id, run_id)?,
            });
        }
        let batch_size = batch_size.max(1);

        // Reading and analysing run on a producer thread while this thread
        // writes the previous batch: the two overlap instead of taking turns.
        struct Ready {
            /// The lines that did not parse.
            bad: Vec<LineError>,
            prepared: crate::ingest::PreparedBatch,
            last_line: u64,
        }
        let write = |ready: Ready, p: &mut ImportProgress| -> Result<()> {
            let now = self.now();
            let Ready {
                bad,
                prepared,
                last_line,
            } = ready;
            let (_, (imported, unchanged, failed)) =
                self.commit_batch(&ctx, &account, prepared, |tx, outcomes| {
                    let imported = outcomes.iter().filter(|o| o.is_new_text()).count() as u64;
                    let unchanged = outcomes.len() as u64 - imported;
                    let mut failed = 0u64;
                    for e in &bad {
                        failed += tx.execute(
                            "INSERT INTO import_errors (admin_id, run_id, line, field, message) VALUES (?, ?, ?, ?, ?) ON CONFLICT (run_id, line) DO NOTHING",
                            &[admin_id.into(), run_id.into(), (e.line as i64).into(), e.field.clone().into(), (&e.message).into()],
                        )?;
                    }
                    tx.execute(
                        "UPDATE import_runs SET lines_done = ?, imported = imported + ?, unchanged = unchanged + ?, failed = failed + ?, updated_at = ? WHERE id = ?",
                        &[
                            (last_line as i64).into(),
                            (imported as i64).into(),
                            (unchanged as i64).into(),
                            (failed as i64).into(),
                            now.into(),
                            run_id.into(),
                        ],
                    )?;
                    Ok((imported, unchanged, failed))
                })?;
            p.lines_done = last_line;
            p.imported += imported;
            p.unchanged += unchanged;
            p.failed += failed;
            Ok(())
        };

        std::thread::scope(|scope| -> Result<()> {
            let (sender, receiver) = std::sync::mpsc::sync_channel::<Result<Ready>>(2);
            let (ctx, account) = (&ctx, &account);
            scope.spawn(move || {
                let emit = |batch: &mut Vec<ImportRecord>, last_line: u64| -> Result<()> {
                    let mut bad = Vec::new();
                    let mut events = Vec::with_capacity(batch.len());
                    for b in batch.drain(..) {
                        match b {
                            ImportRecord::Ok(c) => events.push(IncomingEvent::Comment(c)),
                            ImportRecord::Bad(e) => bad.push(e),
                        }
                    }
                    let ready = Ready {
                        bad,
                        prepared: self.prepare_batch(ctx, account, events)?,
                        last_line,
                    };
                    // The writer stopped (an error): stop reading too.
                    sender.send(Ok(ready)).map_err(|_| {
                        DeskError::InvalidInput("l'importazione è stata interrotta".into())
                    })
                };
                let produced = (|| -> Result<()> {
                    let mut batch: Vec<ImportRecord> = Vec::with_capacity(batch_size);
                    let mut last_line = resumed_after;
                    read_records(reader, format, resumed_after, now, &mut |n, parsed| {
                        last_line = n;
                        if let Some(parsed) = parsed {
                            batch.push(parsed);
                            if batch.len() >= batch_size {
                                emit(&mut batch, last_line)?;
                            }
                        }
                        Ok(())
                    })?;
                    emit(&mut batch, last_line)?;
                    Ok(())
                })();
                if let Err(e) = produced {
                    let _ = sender.send(Err(e));
                }
            });
            for ready in receiver {
                write(ready?, &mut p)?;
                progress(p);
            }
            Ok(())
        })?;
        let now = self.now();
        self.write(|tx| {
            if p.imported >= ANALYZE_AFTER {
                tx.analyze(&["comments", "comment_revisions", "findings", "posts"])?;
            }
            tx.execute("UPDATE import_runs SET finished_at = ? WHERE id = ?", &[now.into(), run_id.into()])?;
            Ok(record(
                tx,
                admin_id,
                now,
                &entry(&actor_name, AuditKind::ImportFinish, AuditTarget::Import, run_id).payload(serde_json::json!({
                    "lines": p.lines_done, "imported": p.imported, "unchanged": p.unchanged, "failed": p.failed,
                })),
            )?)
        })?;
        Ok(ImportReport {
            run_id,
            progress: p,
            resumed_after,
            already_complete: false,
            errors: self.import_errors(admin_id, run_id)?,
        })
    }

    pub fn import_errors(&self, admin_id: AdminId, run_id: i64) -> Result<Vec<LineError>> {
        let rows = self.read(|tx| {
            Ok(tx.query(
                "SELECT line, field, message FROM import_errors WHERE admin_id = ? AND run_id = ? ORDER BY line",
                &[admin_id.into(), run_id.into()],
            )?)
        })?;
        rows.iter()
            .map(|r| {
                Ok(LineError {
                    line: r.int(0)? as u64,
                    field: r.opt_text(1)?,
                    message: r.text(2)?,
                })
            })
            .collect()
    }
}
