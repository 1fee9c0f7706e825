//! `piazza policy ...`: the policy as data, from the command line.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use piazza_policy::render::{Audience, Format, render};
use piazza_policy::{PRESETS, Policy, PolicyError, ValidatedPolicy, load_policy, preset};

use crate::Outcome;

#[derive(Subcommand)]
pub enum PolicyCommand {
    /// List the embedded presets.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Summarise a policy (a preset name or a TOML file).
    Show {
        /// Preset name (cento, maglione, roma, torino, tradate) or a file.
        policy: String,
        #[arg(long)]
        json: bool,
    },
    /// Check a policy and report errors and warnings with line and column.
    Validate {
        policy: String,
        #[arg(long)]
        json: bool,
    },
    /// Render the public or internal policy page as HTML or Markdown.
    Render(RenderArgs),
    /// Activate a new version of the administration's policy: shows what
    /// changes against the version in force; `--yes` activates it.
    Activate {
        /// The new policy file.
        file: PathBuf,
        /// Who activates it (a dirigente or the technical administrator).
        #[arg(long = "as")]
        as_staff: String,
        /// Activate (without it, only the changes are shown).
        #[arg(long)]
        yes: bool,
        #[arg(long)]
        json: bool,
    },
    /// The versions of the administration's policy, newest first.
    History {
        #[arg(long)]
        json: bool,
    },
    /// Write an editable copy of a preset.
    Init {
        /// The preset (or file) to copy.
        #[arg(long)]
        from: String,
        #[arg(short, long)]
        output: PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Args)]
pub struct RenderArgs {
    policy: String,
    #[arg(long, default_value = "html", value_parser = ["html", "md", "markdown"])]
    format: String,
    #[arg(long, default_value = "public", value_parser = ["public", "internal"])]
    audience: String,
    /// Write to this file instead of standard output.
    #[arg(short, long)]
    output: Option<PathBuf>,
}

/// Where a policy came from, and its text.
pub struct PolicySource {
    pub label: String,
    pub text: String,
}

/// Resolves a preset name or a file path to the policy text.
pub fn read_source(name_or_file: &str) -> anyhow::Result<PolicySource> {
    if let Some(p) = preset(name_or_file) {
        return Ok(PolicySource {
            label: format!("preset:{}", p.name),
            text: p.toml.to_string(),
        });
    }
    let path = Path::new(name_or_file);
    if path.exists() {
        let text = std::fs::read_to_string(path).with_context(|| {
            format!(
                "impossibile leggere il file della policy {}",
                path.display()
            )
        })?;
        return Ok(PolicySource {
            label: path.display().to_string(),
            text,
        });
    }
    let names: Vec<&str> = PRESETS.iter().map(|p| p.name).collect();
    bail!(
        "nessun preset o file di nome `{name_or_file}`; preset disponibili: {}",
        names.join(", ")
    )
}

/// Loads a policy, printing every diagnostic to stderr on failure.
pub fn load(name_or_file: &str) -> anyhow::Result<ValidatedPolicy> {
    let src = read_source(name_or_file)?;
    load_policy(&src.label, &src.text).map_err(|e: PolicyError| anyhow::anyhow!("{e}"))
}

pub fn run(store: &crate::cmd::StoreArgs, cmd: PolicyCommand) -> anyhow::Result<Outcome> {
    match cmd {
        PolicyCommand::Activate {
            file,
            as_staff,
            yes,
            json,
        } => activate(store, &file, &as_staff, yes, json),
        PolicyCommand::History { json } => {
            let desk = store.read_desk()?;
            let admin = store.administration(&desk)?;
            let history = desk.policy_history(admin.id)?;
            if json {
                let list: Vec<_> = history
                    .iter()
                    .map(|v| {
                        serde_json::json!({
                            "version": v.version, "source": v.source,
                            "activated_at": crate::cmd::iso(v.activated_at),
                        })
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                for (i, v) in history.iter().enumerate() {
                    println!(
                        "{:<14} attivata il {}  {}{}",
                        v.version,
                        crate::cmd::iso(v.activated_at),
                        v.source,
                        if i == 0 { "  (in vigore)" } else { "" }
                    );
                }
            }
            Ok(Outcome::Ok)
        }
        PolicyCommand::List { json } => {
            if json {
                let list: Vec<_> = PRESETS
                    .iter()
                    .map(|p| {
                        let v = piazza_policy::load_preset(p.name).expect("preset exists");
                        serde_json::json!({
                            "name": p.name,
                            "administration": p.administration,
                            "seed": p.seed,
                            "version": v.policy.document.version,
                            "clauses": v.policy.external.clauses.len(),
                            "accounts": v.policy.channels.accounts.len(),
                            "warnings": v.warnings.len(),
                        })
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                println!(
                    "{:<10} {:<32} {:<12} {:>7} {:>7}",
                    "NOME", "ENTE", "VERSIONE", "REGOLE", "ACCOUNT"
                );
                for p in PRESETS {
                    let v = piazza_policy::load_preset(p.name).expect("preset exists");
                    println!(
                        "{:<10} {:<32} {:<12} {:>7} {:>7}",
                        p.name,
                        p.administration,
                        v.policy.document.version,
                        v.policy.external.clauses.len(),
                        v.policy.channels.accounts.len()
                    );
                }
            }
            Ok(Outcome::Ok)
        }
        PolicyCommand::Show { policy, json } => {
            let v = load(&policy)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&v.policy)?);
            } else {
                print_summary(&v.policy);
                if !v.warnings.is_empty() {
                    println!(
                        "\n{} avvisi: `piazza policy validate {policy}` li elenca.",
                        v.warnings.len()
                    );
                }
            }
            Ok(Outcome::Ok)
        }
        PolicyCommand::Validate { policy, json } => {
            let src = read_source(&policy)?;
            let result = load_policy(&src.label, &src.text);
            let (ok, diagnostics) = match &result {
                Ok(v) => (true, v.warnings.clone()),
                Err(e) => (false, e.diagnostics.clone()),
            };
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "policy": src.label,
                        "valid": ok,
                        "diagnostics": diagnostics,
                    }))?
                );
            } else {
                for d in &diagnostics {
                    eprintln!("{d}");
                }
                let warnings = diagnostics
                    .iter()
                    .filter(|d| d.severity == piazza_policy::Severity::Warning)
                    .count();
                if ok {
                    println!("{}: valida ({warnings} avvisi)", src.label);
                } else {
                    println!(
                        "{}: NON valida ({} errori, {warnings} avvisi)",
                        src.label,
                        diagnostics.len() - warnings
                    );
                }
            }
            Ok(if ok { Outcome::Ok } else { Outcome::Failed })
        }
        PolicyCommand::Render(args) => {
            let v = load(&args.policy)?;
            let format: Format = args.format.parse().map_err(anyhow::Error::msg)?;
            let audience: Audience = args.audience.parse().map_err(anyhow::Error::msg)?;
            let out = render(&v.policy, audience, format);
            write_output(args.output.as_deref(), &out)?;
            Ok(Outcome::Ok)
        }
        PolicyCommand::Init {
            from,
            output,
            force,
        } => {
            let src = read_source(&from)?;
            // Validate before copying: an editable copy must start valid.
            load_policy(&src.label, &src.text).map_err(|e| anyhow::anyhow!("{e}"))?;
            if output.exists() && !force {
                bail!(
                    "{} esiste già; usa --force per sovrascriverlo",
                    output.display()
                );
            }
            std::fs::write(&output, &src.text)
                .with_context(|| format!("impossibile scrivere {}", output.display()))?;
            eprintln!(
                "scritta una copia modificabile di {} in {}",
                src.label,
                output.display()
            );
            Ok(Outcome::Ok)
        }
    }
}

pub fn write_output(path: Option<&Path>, text: &str) -> anyhow::Result<()> {
    match path {
        Some(p) => {
            std::fs::write(p, text).with_context(|| format!("impossibile scrivere {}", p.display()))
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            Ok(())
        }
    }
}

fn print_summary(p: &Policy) {
    println!(
        "{} ({})",
        p.administration.name,
        p.administration.kind.label_it()
    );
    println!("{}", p.document.title);
    print!("versione {}", p.document.version);
    if let Some(d) = p.document.last_updated {
        print!(", aggiornata il {}", d.italian());
    }
    println!();
    println!();
    if p.external.clauses.is_empty() {
        println!("Regole per i cittadini: nessuna nel documento di origine.");
    } else {
        println!("Regole per i cittadini:");
        for c in &p.external.clauses {
            let cats: Vec<&str> = c.categories.iter().map(|c| c.as_str()).collect();
            let acts: Vec<&str> = c.actions.iter().map(|a| a.as_str()).collect();
            println!("  {:>2}. {}", c.number, c.title);
            if !cats.is_empty() {
                println!("      categorie: {}", cats.join(", "));
            }
            if !acts.is_empty() {
                println!("      misure: {}", acts.join(", "));
            }
        }
    }
    println!();
    println!("Account ufficiali: {}", p.channels.accounts.len());
    for a in &p.channels.accounts {
        println!(
            "  {:<12} {:<36} {}",
            a.platform.label_it(),
            a.name,
            a.url.as_deref().unwrap_or("—")
        );
    }
    println!();
    if p.moderation.hours.is_empty() {
        println!("Orari di moderazione: non indicati.");
    } else {
        println!("{}", p.hours_sentence(None));
    }
    if let Some(r) = &p.response {
        println!(
            "Risposta entro {} ore lavorative dalla presa in carico{}.",
            r.working_hours,
            if r.courtesy_reply {
                ", con risposta di cortesia se serve più tempo"
            } else {
                ""
            }
        );
    }
}

/// `piazza policy activate`: the changes first, then, with `--yes`, the
/// activation.
fn activate(
    store: &crate::cmd::StoreArgs,
    file: &Path,
    as_staff: &str,
    yes: bool,
    json: bool,
) -> anyhow::Result<Outcome> {
    let desk = store.desk()?;
    let admin = store.administration(&desk)?;
    let actor = desk.actor(admin.id, as_staff)?;
    let toml = std::fs::read_to_string(file)
        .with_context(|| format!("impossibile leggere {}", file.display()))?;
    let label = file.display().to_string();
    let preview = if yes {
        desk.activate_policy(&actor, &label, &toml)?
    } else {
        desk.preview_policy(admin.id, &label, &toml)?
    };
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "activated": yes, "preview": preview,
            }))?
        );
        return Ok(Outcome::Ok);
    }
    println!(
        "versione {} al posto della {} in vigore:",
        preview.version, preview.in_force
    );
    if preview.changes.is_empty() {
        println!("  nessun cambiamento nelle regole, nelle categorie, negli orari o nei contatti");
    }
    for c in &preview.changes {
        println!("  - {}", c.describe_it());
    }
    for w in &preview.warnings {
        println!("  avviso: {w}");
    }
    if yes {
        println!(
            "attivata: da ora le decisioni citano la versione {}; quelle già prese restano legate alla versione in cui sono state prese",
            preview.version
        );
    } else {
        println!(
            "nulla è stato attivato: ripeti il comando con --yes per attivare questa versione"
        );
    }
    Ok(Outcome::Ok)
}
