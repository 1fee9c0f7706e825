//! `piazza backup` and `piazza restore`: copies of the SQLite database,
//! taken while `piazza serve` runs and checked (audit chains) before they
//! are trusted. PostgreSQL is backed up with its own tools.

use std::path::PathBuf;

use anyhow::bail;
use clap::Args;
use piazza_desk::backup::BackupError;
use piazza_desk::{CopyError, CopyReport};

use crate::Outcome;
use crate::cmd::{StoreArgs, config};

#[derive(Args)]
pub struct BackupArgs {
    /// The file to write the copy to (must not exist).
    #[arg(value_name = "OUT")]
    out: PathBuf,
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct RestoreArgs {
    /// The backup to restore (a file written by `piazza backup`).
    #[arg(value_name = "IN")]
    input: PathBuf,
    /// Replace the existing database (never while a process has it open).
    #[arg(long)]
    force: bool,
    #[arg(long)]
    json: bool,
}

/// The SQLite file the configuration names (flags, environment,
/// `piazza.toml`), or the refusal for PostgreSQL.
fn sqlite_target(store: &StoreArgs) -> anyhow::Result<PathBuf> {
    let store = store.with_file(&config::load(None)?);
    match store.database_url.as_deref().filter(|u| !u.is_empty()) {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            bail!("{}", BackupError::Postgres.message_it())
        }
        Some(url) => match url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            Some(path) => Ok(PathBuf::from(path)),
            None => bail!(
                "indirizzo del database non riconosciuto «{}»",
                piazza_desk::redact_url(url)
            ),
        },
        None => Ok(store.data_dir.join("piazza.sqlite3")),
    }
}

pub fn backup(store: &StoreArgs, args: BackupArgs) -> anyhow::Result<Outcome> {
    let source = sqlite_target(store)?;
    if !source.exists() {
        bail!("nessun database in {}: nulla da copiare", source.display());
    }
    // Read-only: a backup never migrates or writes the live database.
    let desk = piazza_desk::Desk::open_read_only(&format!("sqlite:{}", source.display()))?;
    match desk.backup_sqlite(&args.out) {
        Ok(r) => {
            print_report(
                &r,
                &format!("copia di {} in {}", source.display(), args.out.display()),
                args.json,
            )?;
            Ok(Outcome::Ok)
        }
        Err(CopyError::BrokenChains(r)) => {
            print_report(
                &r,
                &format!(
                    "copia di {} scritta in {}, MA con un registro alterato (lo è anche nel database copiato)",
                    source.display(),
                    args.out.display()
                ),
                args.json,
            )?;
            Ok(Outcome::Failed)
        }
        Err(e) => bail!("copia non eseguita: {}", e.message_it()),
    }
}

pub fn restore(store: &StoreArgs, args: RestoreArgs) -> anyhow::Result<Outcome> {
    let target = sqlite_target(store)?;
    match piazza_desk::restore_sqlite(&args.input, &target, args.force) {
        Ok(r) => {
            print_report(
                &r,
                &format!(
                    "ripristinato {} in {} (schema aggiornato a questa versione)",
                    args.input.display(),
                    target.display()
                ),
                args.json,
            )?;
            Ok(Outcome::Ok)
        }
        Err(CopyError::BrokenChains(r)) => {
            print_report(
                &r,
                &format!(
                    "ripristino NON eseguito: {} contiene un registro alterato; {} non è stato modificato",
                    args.input.display(),
                    target.display()
                ),
                args.json,
            )?;
            Ok(Outcome::Failed)
        }
        Err(e) => bail!(
            "ripristino non eseguito ({} non è stato modificato): {}",
            target.display(),
            e.message_it()
        ),
    }
}

fn print_report(r: &CopyReport, headline: &str, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(r)?);
        return Ok(());
    }
    println!(
        "{headline}: {} enti, {} voci del registro",
        r.administrations.len(),
        r.entries()
    );
    for a in &r.administrations {
        if a.problems.is_empty() {
            println!("  {}: {} voci, registro integro", a.slug, a.entries);
        } else {
            println!("  {}: {} voci, REGISTRO ALTERATO:", a.slug, a.entries);
            for p in &a.problems {
                println!("    {}", p.message_it());
            }
        }
    }
    Ok(())
}
