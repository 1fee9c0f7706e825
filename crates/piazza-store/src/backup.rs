//! Copies of the SQLite database: an online backup taken while `piazza
//! serve` keeps writing, and a restore that checks the copy before it
//! replaces anything. PostgreSQL has its own tools (`pg_dump`,
//! `pg_restore`); the refusal says so.
//!
//! A restore happens in two steps so that the caller can check the copy
//! (migrations, audit chains) while it is still a staging file beside the
//! target: [`stage_restore`] makes it, [`StagedRestore::commit`] puts it
//! in place, and dropping it uncommitted removes it.

use std::path::{Path, PathBuf};

use crate::{BackendKind, Store, StoreError};

/// The file operation that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileStep {
    CreateDir,
    Copy,
    Rename,
}

impl FileStep {
    const fn label_it(self) -> &'static str {
        match self {
            FileStep::CreateDir => "impossibile creare la cartella",
            FileStep::Copy => "impossibile copiare",
            FileStep::Rename => "impossibile spostare la copia in",
        }
    }
}

/// Why a backup or a restore did not happen.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("the database is PostgreSQL: use pg_dump -Fc and pg_restore")]
    Postgres,
    #[error("{path} already exists")]
    TargetExists { path: String },
    #[error("{path} is in use by another connection or process")]
    InUse { path: String },
    #[error("{path} is not a usable Piazza SQLite database: {detail}")]
    NotADatabase { path: String, detail: String },
    #[error("{step:?} {path}: {source}")]
    Io {
        step: FileStep,
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl BackupError {
    /// The refusal for people, in Italian.
    pub fn message_it(&self) -> String {
        match self {
            BackupError::Postgres => "il database è PostgreSQL: la copia si fa con gli strumenti di PostgreSQL (pg_dump -Fc, poi pg_restore e piazza audit verify), come descritto in docs/operations.md".into(),
            BackupError::TargetExists { path } => format!(
                "{path} esiste già: non lo sovrascrivo (per un ripristino, --force sostituisce il database esistente)"
            ),
            BackupError::InUse { path } => format!(
                "{path} è in uso da un altro processo (piazza serve?): fermalo prima di ripristinare"
            ),
            BackupError::NotADatabase { path, detail } => format!(
                "{path} non è un database SQLite di Piazza integro ({detail}): nulla è stato modificato"
            ),
            BackupError::Io { step, path, source } => {
                format!("{} {path}: {source}", step.label_it())
            }
            BackupError::Store(e) => format!("errore del database: {e}"),
        }
    }
}

impl Store {
    /// The SQLite file behind this store; `None` on PostgreSQL.
    pub fn sqlite_path(&self) -> Option<&Path> {
        self.sqlite_path.as_deref()
    }

    /// Writes a consistent copy of the SQLite database to `out` while other
    /// connections, of this process or others, keep writing: `VACUUM INTO`
    /// reads one snapshot, as any reader does in WAL mode. The copy is
    /// written beside `out` and renamed at the end, so `out` never holds
    /// half a copy. An existing `out` is refused.
    pub fn backup_sqlite(&self, out: &Path) -> Result<(), BackupError> {
        if self.kind == BackendKind::Postgres {
            return Err(BackupError::Postgres);
        }
        if out.exists() {
            return Err(BackupError::TargetExists {
                path: out.display().to_string(),
            });
        }
        let Some(path) = self.sqlite_path() else {
            return Err(BackupError::Postgres);
        };
        create_parent_dir(out)?;
        let partial = sibling(out, "partial");
        remove_with_journal(&partial);
        // A connection of its own, read-only: it works on a store opened
        // for reading only (whose connections refuse even VACUUM INTO) and
        // never migrates or writes the live database.
        let copied = crate::sqlite::connect_for_copy(path).and_then(|c| {
            c.execute("VACUUM INTO ?", [partial.to_string_lossy().into_owned()])
                .map_err(crate::sqlite::err)
        });
        if let Err(e) = copied {
            remove_with_journal(&partial);
            return Err(e.into());
        }
        std::fs::rename(&partial, out).map_err(|source| {
            remove_with_journal(&partial);
            BackupError::Io {
                step: FileStep::Rename,
                path: out.display().to_string(),
                source,
            }
        })
    }
}

/// A copy of a backup beside the target, not yet in place.
#[derive(Debug)]
pub struct StagedRestore {
    staging: PathBuf,
    target: PathBuf,
    committed: bool,
}

/// Checks that `backup` is an intact Piazza SQLite database and copies it
/// beside `target`. Refuses an existing `target` unless `force`, and a
/// target another connection or process has open in any case.
pub fn stage_restore(
    backup: &Path,
    target: &Path,
    force: bool,
) -> Result<StagedRestore, BackupError> {
    check_backup(backup)?;
    if target.exists() {
        if !force {
            return Err(BackupError::TargetExists {
                path: target.display().to_string(),
            });
        }
        if in_use(target) {
            return Err(BackupError::InUse {
                path: target.display().to_string(),
            });
        }
    }
    create_parent_dir(target)?;
    let staging = sibling(target, &format!("restore-{}", std::process::id()));
    remove_with_journal(&staging);
    let staged = StagedRestore {
        staging,
        target: target.to_path_buf(),
        committed: false,
    };
    std::fs::copy(backup, &staged.staging).map_err(|source| BackupError::Io {
        step: FileStep::Copy,
        path: backup.display().to_string(),
        source,
    })?;
    Ok(staged)
}

impl StagedRestore {
    /// The staging copy's URL, to open it (and so migrate it) and check it
    /// before it is put in place.
    pub fn url(&self) -> String {
        format!("sqlite:{}", self.staging.display())
    }

    /// Puts the staging copy in place of the target. Every store opened on
    /// the staging copy must be closed (dropped) first.
    pub fn commit(mut self) -> Result<(), BackupError> {
        // Back to a single file: nothing of the copy may stay behind in a
        // WAL file that the rename would leave under the staging name.
        let c = crate::sqlite::connect(&self.staging.to_string_lossy())?;
        c.execute_batch("PRAGMA journal_mode = DELETE;")
            .map_err(crate::sqlite::err)?;
        drop(c);
        if in_use(&self.target) {
            return Err(BackupError::InUse {
                path: self.target.display().to_string(),
            });
        }
        for suffix in ["wal", "shm"] {
            let _ = std::fs::remove_file(journal(&self.target, suffix));
        }
        std::fs::rename(&self.staging, &self.target).map_err(|source| BackupError::Io {
            step: FileStep::Rename,
            path: self.target.display().to_string(),
            source,
        })?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for StagedRestore {
    fn drop(&mut self) {
        if !self.committed {
            remove_with_journal(&self.staging);
        }
    }
}

/// A backup must open, pass SQLite's own check and carry Piazza's schema.
/// It is read as immutable: nothing is written beside it.
fn check_backup(path: &Path) -> Result<(), BackupError> {
    let not_db = |detail: String| BackupError::NotADatabase {
        path: path.display().to_string(),
        detail,
    };
    let meta = std::fs::metadata(path).map_err(|e| not_db(e.to_string()))?;
    if !meta.is_file() {
        return Err(not_db("not a file".into()));
    }
    let c = crate::sqlite::connect_immutable(path).map_err(|e| not_db(e.to_string()))?;
    let check: String = c
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(|e| not_db(e.to_string()))?;
    if check != "ok" {
        return Err(not_db(check));
    }
    c.query_row("SELECT MAX(version) FROM schema_migrations", [], |r| {
        r.get::<_, Option<i64>>(0)
    })
    .map_err(|e| not_db(format!("no Piazza schema ({e})")))?
    .ok_or_else(|| not_db("no Piazza schema (no migration applied)".into()))?;
    Ok(())
}

/// Whether another connection (of this process or another) has the
/// database open: an exclusive lock cannot be taken at once. WAL
/// connections hold a shared lock for as long as they are open, idle ones
/// too.
fn in_use(path: &Path) -> bool {
    if !path.exists() {
        return false;
    }
    let Ok(c) = rusqlite::Connection::open(path) else {
        return true;
    };
    let _ = c.busy_timeout(std::time::Duration::ZERO);
    c.execute_batch("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT;")
        .is_err()
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{suffix}"));
    path.with_file_name(name)
}

fn journal(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(format!("-{suffix}"));
    PathBuf::from(name)
}

fn remove_with_journal(path: &Path) {
    let _ = std::fs::remove_file(path);
    for suffix in ["wal", "shm", "journal"] {
        let _ = std::fs::remove_file(journal(path, suffix));
    }
}

/// Creates the folder `path` is to be written in, if it has one.
fn create_parent_dir(path: &Path) -> Result<(), BackupError> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => {
            std::fs::create_dir_all(dir).map_err(|source| BackupError::Io {
                step: FileStep::CreateDir,
                path: dir.display().to_string(),
                source,
            })
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled(dir: &Path) -> Store {
        let store = Store::open_data_dir(dir).unwrap();
        store
            .write(|tx| {
                tx.execute(
                    "INSERT INTO administrations (slug, name, kind, created_at) VALUES ('cento', 'Comune di Cento', 'comune', 0)",
                    &[],
                )
            })
            .unwrap();
        store
    }

    #[test]
    fn a_backup_is_refused_over_an_existing_file_and_restores_only_with_force() {
        let dir = tempfile::tempdir().unwrap();
        let store = filled(&dir.path().join("live"));
        let out = dir.path().join("copie").join("copia.sqlite3");
        store.backup_sqlite(&out).unwrap();
        assert!(matches!(
            store.backup_sqlite(&out),
            Err(BackupError::TargetExists { .. })
        ));
        assert!(!sibling(&out, "partial").exists());

        let target = dir.path().join("altro").join("piazza.sqlite3");
        let staged = stage_restore(&out, &target, false).unwrap();
        let restored = Store::open(&staged.url()).unwrap();
        drop(restored);
        staged.commit().unwrap();
        let n = Store::open(&format!("sqlite:{}", target.display()))
            .unwrap()
            .read(|tx| {
                tx.query_one("SELECT COUNT(*) FROM administrations", &[])?
                    .int(0)
            })
            .unwrap();
        assert_eq!(n, 1);
        assert!(matches!(
            stage_restore(&out, &target, false),
            Err(BackupError::TargetExists { .. })
        ));
    }

    #[test]
    fn a_database_open_elsewhere_is_in_use_and_is_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let live_dir = dir.path().join("live");
        let store = filled(&live_dir);
        let out = dir.path().join("copia.sqlite3");
        store.backup_sqlite(&out).unwrap();
        let target = live_dir.join("piazza.sqlite3");
        // The store keeps an idle connection open, as `piazza serve` does.
        assert!(matches!(
            stage_restore(&out, &target, true),
            Err(BackupError::InUse { .. })
        ));
        drop(store);
        let staged = stage_restore(&out, &target, true).unwrap();
        staged.commit().unwrap();
    }

    #[test]
    fn a_damaged_backup_is_refused_and_nothing_is_staged() {
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("rotto.sqlite3");
        std::fs::write(
            &bad,
            b"questo non e' un database SQLite, solo testo qualunque",
        )
        .unwrap();
        let target = dir.path().join("piazza.sqlite3");
        let err = stage_restore(&bad, &target, false).unwrap_err();
        assert!(matches!(err, BackupError::NotADatabase { .. }), "{err}");
        assert!(err.message_it().contains("rotto.sqlite3"));
        assert!(!target.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
