//! `piazza audit keygen`, `piazza audit checkpoint` and `piazza audit
//! verify --checkpoint`: signed checkpoints of the audit log.

use std::path::Path;

use anyhow::{Context, bail};
use piazza_desk::{CHECKPOINT_FORMAT, CheckpointFile, SigningKeyFile};

use crate::Outcome;
use crate::cmd::StoreArgs;

pub fn keygen(out: &Path) -> anyhow::Result<Outcome> {
    let key = SigningKeyFile::generate(out).map_err(|e| {
        anyhow::anyhow!(
            "impossibile creare la chiave {} (un file esistente non viene mai sovrascritto): {e}",
            out.display()
        )
    })?;
    eprintln!(
        "chiave di firma scritta in {} (leggibile solo dal proprietario); conservala fuori dal database e dai suoi backup",
        out.display()
    );
    eprintln!("chiave pubblica da pubblicare:");
    println!("{}", key.public_hex());
    Ok(Outcome::Ok)
}

pub fn sign(store: &StoreArgs, key_path: &Path, out: Option<&Path>) -> anyhow::Result<Outcome> {
    let key = SigningKeyFile::from_file(key_path).map_err(|e| {
        anyhow::anyhow!(
            "impossibile usare la chiave di firma {}: {e}",
            key_path.display()
        )
    })?;
    if let Some(out) = out
        && out.exists()
    {
        bail!(
            "{} esiste già: non sovrascrivo verifiche firmate, scegli un altro file",
            out.display()
        );
    }
    let desk = store.open_desk()?;
    let admins = match &store.admin {
        Some(slug) => vec![desk.administration(slug)?],
        None => desk.administrations()?,
    };
    if admins.is_empty() {
        bail!("non c'è ancora nessun ente: nulla da firmare");
    }
    let mut signed = Vec::new();
    let mut failed = 0;
    for a in admins {
        match desk.sign_checkpoint(a.id, &key, "cli") {
            Ok(c) => signed.push(c),
            Err(e) => {
                failed += 1;
                eprintln!("{}: verifica NON firmata: {}", a.slug, e.message_it());
            }
        }
    }
    if !signed.is_empty() {
        let text = serde_json::to_string_pretty(&CheckpointFile::new(signed.clone()))?;
        match out {
            Some(path) => write_new(path, &text)?,
            None => println!("{text}"),
        }
        for c in &signed {
            eprintln!(
                "{}: firmata la voce n. {} (impronta {}) il {} con la chiave pubblica {}",
                c.ente, c.seq, c.head_hash, c.signed_at, c.public_key
            );
        }
        if let Some(path) = out {
            eprintln!("verifiche firmate scritte in {}", path.display());
        }
    }
    Ok(if failed == 0 {
        Outcome::Ok
    } else {
        Outcome::Failed
    })
}

fn write_new(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| format!("impossibile creare {}", path.display()))?;
    f.write_all(text.as_bytes())
        .and_then(|_| f.write_all(b"\n"))
        .and_then(|_| f.sync_all())
        .with_context(|| format!("impossibile scrivere {}", path.display()))
}

pub fn verify(
    store: &StoreArgs,
    file: &Path,
    public_key: Option<&str>,
    json: bool,
) -> anyhow::Result<Outcome> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("impossibile leggere {}", file.display()))?;
    let parsed: CheckpointFile = serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "{} non è un file di verifiche firmate di Piazza: {e}",
            file.display()
        )
    })?;
    if parsed.format != CHECKPOINT_FORMAT {
        bail!(
            "{}: formato «{}» sconosciuto, atteso «{CHECKPOINT_FORMAT}»",
            file.display(),
            parsed.format
        );
    }
    let checkpoints: Vec<_> = parsed
        .checkpoints
        .into_iter()
        .filter(|c| store.admin.as_ref().is_none_or(|s| *s == c.ente))
        .collect();
    if checkpoints.is_empty() {
        bail!(
            "{} non contiene verifiche firmate{}",
            file.display(),
            store
                .admin
                .as_ref()
                .map(|s| format!(" per l'ente «{s}»"))
                .unwrap_or_default()
        );
    }
    // Reads only: an auditor checks a read-only copy too.
    let desk = store.read_desk()?;
    let mut checks = Vec::new();
    for c in &checkpoints {
        checks.push(desk.verify_checkpoint(c, public_key)?);
    }
    let all_ok = checks.iter().all(|c| c.is_ok());
    if json {
        println!("{}", serde_json::to_string_pretty(&checks)?);
    } else {
        for check in &checks {
            let c = &check.checkpoint;
            if check.is_ok() {
                println!(
                    "«{}»: verifica firmata confermata. La firma è valida ed è della chiave pubblica {}{}; il registro contiene ancora la voce n. {} con l'impronta firmata {} (firmata il {}) e l'intera catena è integra ({} voci oggi).",
                    c.ente,
                    c.public_key,
                    if public_key.is_some() {
                        ", quella attesa"
                    } else {
                        " (la firma prova solo che l'ha apposta chi possiede questa chiave: confrontala con quella pubblicata dall'ente, o passala con --public-key)"
                    },
                    c.seq,
                    c.head_hash,
                    c.signed_at,
                    check.entries
                );
            } else {
                println!(
                    "«{}»: VERIFICA NON SUPERATA (voce n. {}, firmata il {}, chiave pubblica dichiarata {}):",
                    c.ente, c.seq, c.signed_at, c.public_key
                );
                for p in &check.problems {
                    println!("  {}", p.message_it());
                }
            }
        }
    }
    Ok(if all_ok { Outcome::Ok } else { Outcome::Failed })
}
