//! `piazza-fuzz TARGET|all --inputs N [--seed S] [--out DIR]`: runs the
//! fuzz targets of this crate, prints progress and a summary line per
//! target, writes the inputs that panicked to DIR and exits 1 when any
//! did.

use std::time::Instant;

use anyhow::{Context, bail};
use piazza_fuzz::{Target, fuzz};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut targets = Vec::new();
    let mut inputs: u64 = 100_000;
    let mut seed: u64 = 0x5eed_2026;
    let mut out = std::path::PathBuf::from("fuzz-crashes");
    let mut i = 0;
    while i < args.len() {
        let value = |i: usize| {
            args.get(i + 1)
                .with_context(|| format!("{} vuole un valore", args[i]))
        };
        match args[i].as_str() {
            "--inputs" => {
                inputs = value(i)?.replace('_', "").parse().context("--inputs")?;
                i += 1;
            }
            "--seed" => {
                seed = value(i)?.parse().context("--seed")?;
                i += 1;
            }
            "--out" => {
                out = value(i)?.into();
                i += 1;
            }
            "all" => targets.extend(Target::ALL),
            name => match Target::from_name(name) {
                Some(t) => targets.push(t),
                None => bail!(
                    "bersaglio sconosciuto `{name}`; ci sono: all, {}",
                    Target::ALL.map(Target::name).join(", ")
                ),
            },
        }
        i += 1;
    }
    if targets.is_empty() {
        bail!(
            "uso: piazza-fuzz BERSAGLIO|all --inputs N [--seed S] [--out DIR]; bersagli: {}",
            Target::ALL.map(Target::name).join(", ")
        );
    }
    let mut failed = false;
    for t in targets {
        let started = Instant::now();
        let report = fuzz(t, inputs, seed, &mut |r| {
            if r.inputs % (1 << 20) == 0 {
                eprintln!(
                    "{}: {} input, {:.0}/s",
                    t.name(),
                    r.inputs,
                    r.inputs as f64 / started.elapsed().as_secs_f64()
                );
            }
        });
        let secs = started.elapsed().as_secs_f64();
        println!(
            "{}: {} input in {:.1} s ({:.0}/s), {} accettati, {} rifiutati, {} panic",
            t.name(),
            report.inputs,
            secs,
            report.inputs as f64 / secs,
            report.accepted,
            report.refused,
            report.panic_count
        );
        if !report.panics.is_empty() {
            failed = true;
            std::fs::create_dir_all(&out)
                .with_context(|| format!("impossibile creare {}", out.display()))?;
            for (n, (input, msg)) in report.panics.iter().enumerate() {
                let path = out.join(format!("{}-{n}.bin", t.name()));
                std::fs::write(&path, input)
                    .with_context(|| format!("impossibile scrivere {}", path.display()))?;
                println!("  panic: {msg} (input in {})", path.display());
            }
        }
    }
    if failed {
        std::process::exit(1);
    }
    Ok(())
}
