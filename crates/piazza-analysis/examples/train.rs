//! Trains the shipped model bundle from the shared corpora and writes it to
//! `crates/piazza-analysis/model/piazza-model.bin`, printing 5-fold
//! cross-validated figures first (the ones in `model/MODEL_CARD.md`).
//!
//! ```text
//! cargo run --release -p piazza-analysis --example train -- [DATA_DIR] [--cv K] [--no-cv] [--nested] [-o MODEL]
//! ```
//! DATA_DIR defaults to the `shared/data` folder beside the repository.
//! `--nested` also prints the nested cross-validation (K outer folds, 3
//! inner) of the choice of the homotransphobia head's companion models
//! among `training::HOMOTRANSPHOBIA_CANDIDATES`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use piazza_analysis::model::TrainConfig;
use piazza_analysis::training::{
    HOMOTRANSPHOBIA_CANDIDATES, TRAINING_FILES, cross_validate_heads, nested_cross_validate_head,
    train_bundle,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let manifest = env!("CARGO_MANIFEST_DIR");
    let mut data = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"));
    let mut out = PathBuf::from(manifest).join("model/piazza-model.bin");
    let mut k = 5;
    let mut nested = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--cv" => k = args.next().ok_or("--cv needs K")?.parse()?,
            "--no-cv" => k = 0,
            "--nested" => nested = true,
            "-o" => out = PathBuf::from(args.next().ok_or("-o needs a path")?),
            other => data = PathBuf::from(other),
        }
    }
    let mut sources = BTreeMap::new();
    for f in TRAINING_FILES {
        let path = data.join(f);
        let contents =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        sources.insert(f.to_string(), contents);
    }
    let cfg = TrainConfig::default();
    if k >= 2 {
        let t = Instant::now();
        println!(
            "| head | file | label | macro-F1 (mean ± sd over {k} folds) | P(1) | R(1) | F1(1) | F1(0) |"
        );
        println!("|---|---|---|---|---|---|---|---|");
        for r in cross_validate_heads(&sources, k, &cfg)? {
            let p = r.report.pooled.positive();
            let n = r.report.pooled.negative();
            println!(
                "| {} | {} | {} | {:.3} ± {:.3} | {:.3} | {:.3} | {:.3} | {:.3} |",
                r.head,
                r.file,
                r.label,
                r.report.mean_macro_f1(),
                r.report.std_macro_f1(),
                p.precision,
                p.recall,
                p.f1,
                n.f1
            );
        }
        eprintln!("cross-validation took {:.1}s", t.elapsed().as_secs_f64());
    }
    if nested && k >= 2 {
        let t = Instant::now();
        let cands = HOMOTRANSPHOBIA_CANDIDATES;
        for (file, r) in nested_cross_validate_head(&sources, "homotransphobia", k, 3, &cfg, cands)?
        {
            println!(
                "nested homotransphobia {file}: macro-F1 {:.3} ± {:.3} over {k} outer folds",
                r.mean_macro_f1(),
                r.std_macro_f1()
            );
            for (f, (c, (pick, inner))) in
                r.folds.iter().zip(r.picks.iter().zip(&r.inner)).enumerate()
            {
                let inner: Vec<String> = inner.iter().map(|s| format!("{s:.3}")).collect();
                println!(
                    "  outer fold {f}: picked candidate {pick}, outer macro-F1 {:.3}; inner [{}]",
                    c.macro_f1(),
                    inner.join(", ")
                );
            }
            let all: Vec<String> = r.final_scores.iter().map(|s| format!("{s:.3}")).collect();
            println!(
                "  on all the data: picked candidate {} ({:?}); inner [{}]",
                r.final_pick,
                cands[r.final_pick],
                all.join(", ")
            );
        }
        eprintln!(
            "nested cross-validation took {:.1}s",
            t.elapsed().as_secs_f64()
        );
    }
    let t = Instant::now();
    let bundle = train_bundle(&sources, &cfg)?;
    let bytes = bundle.to_bytes();
    std::fs::write(&out, &bytes)?;
    eprintln!(
        "wrote {} ({} bytes, {} heads) in {:.1}s",
        out.display(),
        bytes.len(),
        bundle.heads.len(),
        t.elapsed().as_secs_f64()
    );
    Ok(())
}
