//! Backups and restores of the SQLite database, with the audit chains of
//! the copy checked and counted: a copy is trusted only once every chain
//! in it verifies. The store does the file work ([`piazza_store::backup`]).

use std::path::Path;

use piazza_store::audit::ChainBreak;
use piazza_store::backup::{BackupError, stage_restore};
use serde::Serialize;

use crate::{Desk, DeskError};

/// What a copy holds: each administration and its audit chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CopyReport {
    pub administrations: Vec<CopiedAdministration>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CopiedAdministration {
    pub slug: String,
    pub entries: i64,
    pub problems: Vec<ChainBreak>,
}

impl CopyReport {
    pub fn is_intact(&self) -> bool {
        self.administrations.iter().all(|a| a.problems.is_empty())
    }

    /// Audit entries over every administration.
    pub fn entries(&self) -> i64 {
        self.administrations.iter().map(|a| a.entries).sum()
    }
}

/// Why a backup or a restore did not complete.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error(transparent)]
    Refused(#[from] BackupError),
    #[error(transparent)]
    Desk(#[from] DeskError),
    /// The copy was read but a chain in it does not verify.
    #[error("an audit chain in the copy does not verify")]
    BrokenChains(CopyReport),
}

impl CopyError {
    pub fn message_it(&self) -> String {
        match self {
            CopyError::Refused(e) => e.message_it(),
            CopyError::Desk(e) => e.message_it(),
            CopyError::BrokenChains(_) => {
                "la copia contiene un registro che non supera la verifica".into()
            }
        }
    }
}

fn report_of(desk: &Desk) -> Result<CopyReport, DeskError> {
    let mut administrations = Vec::new();
    for a in desk.administrations()? {
        let v = desk.verify_audit(a.id)?;
        administrations.push(CopiedAdministration {
            slug: a.slug,
            entries: v.entries,
            problems: v.problems,
        });
    }
    Ok(CopyReport { administrations })
}

impl Desk {
    /// Copies the SQLite database to `out` while others may be writing,
    /// then opens the copy read-only and verifies every chain in it. A
    /// copy whose chains do not verify stays on disk (it is a faithful copy
    /// of what the database holds) and is reported as
    /// [`CopyError::BrokenChains`].
    pub fn backup_sqlite(&self, out: &Path) -> Result<CopyReport, CopyError> {
        self.store.backup_sqlite(out)?;
        let copy = Desk::open_read_only(&format!("sqlite:{}", out.display()))?;
        let report = report_of(&copy)?;
        if report.is_intact() {
            Ok(report)
        } else {
            Err(CopyError::BrokenChains(report))
        }
    }
}

/// Restores the SQLite backup `backup` as the database `target`: the copy
/// is checked, staged beside the target, migrated to this build's schema
/// and its chains verified before it takes the target's place. Until then
/// the target is untouched; an existing target is replaced only with
/// `force`, and never while another process has it open.
pub fn restore_sqlite(backup: &Path, target: &Path, force: bool) -> Result<CopyReport, CopyError> {
    let staged = stage_restore(backup, target, force)?;
    let report = {
        let desk = Desk::open(&staged.url())?;
        report_of(&desk)?
    };
    if !report.is_intact() {
        return Err(CopyError::BrokenChains(report));
    }
    staged.commit()?;
    Ok(report)
}
