//! `piazza editorial check`: the checks on a text the administration
//! writes (a post's draft, a reply to a citizen), with the passage and a
//! suggestion for each, and the Gulpease index. For scripts and for offices
//! without the web desk.

use std::io::Read;
use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;
use piazza_taxonomy::Platform;

use super::analysis::analyzer_for;
use crate::Outcome;

#[derive(Subcommand)]
pub enum EditorialCommand {
    /// Check a text (a file, or standard input with `-` or nothing).
    Check {
        file: Option<PathBuf>,
        /// The policy whose analyser settings find personal data.
        #[arg(long, default_value = "cento")]
        policy: String,
        /// The platform the text is for (its length limit).
        #[arg(long)]
        platform: Option<Platform>,
        /// Also the checks of an election period (L. 28/2000 art. 9):
        /// promotion of the administration, names of political roles.
        #[arg(long)]
        election_period: bool,
        #[arg(long)]
        json: bool,
    },
}

pub fn editorial(cmd: EditorialCommand) -> anyhow::Result<Outcome> {
    let EditorialCommand::Check {
        file,
        policy,
        platform,
        election_period,
        json,
    } = cmd;
    let mut text = String::new();
    match file.as_deref() {
        Some(p) if p.as_os_str() != "-" => {
            text = std::fs::read_to_string(p)
                .with_context(|| format!("impossibile leggere {}", p.display()))?;
        }
        _ => {
            std::io::stdin()
                .read_to_string(&mut text)
                .context("lettura del testo dallo standard input")?;
        }
    }
    let policy = crate::cmd::policy::load(&policy)?.policy;
    let report = piazza_desk::editorial::check_text(
        &analyzer_for(&policy),
        &text,
        platform,
        // The names of the registry live in the database; from a policy
        // file the period's wording checks run without them.
        election_period.then_some(&[][..]),
    );
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(Outcome::Ok);
    }
    match report.gulpease {
        Some(g) => println!(
            "indice Gulpease {g:.0} ({} parole, {} frasi, {} caratteri)",
            report.words, report.sentences, report.chars
        ),
        None => println!("nessuna parola da controllare"),
    }
    if report.issues.is_empty() {
        println!("nessuna osservazione");
    }
    for i in &report.issues {
        if i.passage.is_empty() {
            println!("- {}: {}; {}", i.kind.label_it(), i.message, i.suggestion);
        } else {
            println!(
                "- {} «{}» (caratteri {}–{}): {}; suggerimento: {}",
                i.kind.label_it(),
                i.passage,
                i.start,
                i.end,
                i.message,
                i.suggestion
            );
        }
    }
    Ok(Outcome::Ok)
}
