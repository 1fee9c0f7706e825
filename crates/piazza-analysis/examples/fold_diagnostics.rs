//! Development aid: where the product and one of its heads part on a
//! corpus's cross-validation folds. For each fold of `piazza eval --cv 5`
//! (the same folds and the same bundle training), prints one line per
//! held-out comment: gold label, whether `piazza analyze` flags it as
//! discrimination (default policy line), the probability of head `HEAD`
//! (shared part only, no companion), the discrimination findings and the
//! text. At the end, on standard error, the pooled macro-F1 of the product
//! and of the head alone at 0.5 and at its best threshold (chosen on the
//! held-out folds themselves: an optimistic figure, labelled as such).
//!
//! ```text
//! cargo run --release -p piazza-analysis --example fold_diagnostics -- \
//!     haspeede2018/fb_train.tsv hate 0 [FOLDS] > fb.tsv
//! ```
//!
//! `HEAD` is the index in `training::HEADS` (0 ethnicity and religion, 1
//! misogyny, 2 homotransphobia, 3 political hate); `FOLDS` is how many of
//! the five folds to run (all by default). Reads `../shared/data`.

use std::collections::BTreeMap;

use piazza_analysis::eval::{Confusion, pipeline};
use piazza_analysis::model::TrainConfig;
use piazza_analysis::training::{TRAINING_FILES, load};
use piazza_analysis::{Analyzer, CommentInput, Normalized};
use piazza_taxonomy::Category;

#[path = "support/mod.rs"]
mod support;

/// The policies' default flag line for discrimination.
const FLAG: f32 = 0.6;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: fold_diagnostics FILE LABEL HEAD [FOLDS]";
    let (file, label, head) = match &args[..] {
        [f, l, h, ..] => (f.as_str(), l.as_str(), h.parse::<usize>()?),
        _ => return Err(usage.into()),
    };
    let runs = args
        .get(3)
        .map(|s| s.parse::<usize>())
        .transpose()?
        .unwrap_or(5);
    let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"));
    let mut sources = BTreeMap::new();
    for f in TRAINING_FILES {
        let path = dir.join(f);
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        sources.insert(f.to_string(), text);
    }
    let (texts, gold) = load(&sources, file, label)?;
    let cfg = TrainConfig::default();
    let folds = pipeline::folds(&gold, 5, &cfg);
    let mut product = Confusion::default();
    let mut scored: Vec<(bool, f32)> = Vec::new();
    for fold in 0..runs.min(5) {
        let bundle = pipeline::fold_bundle(&sources, file, &folds, fold, &cfg)?;
        if head >= bundle.heads.len() {
            return Err(format!("head {head}: the bundle has {}", bundle.heads.len()).into());
        }
        let analyzer = Analyzer::default().with_model(Some(bundle.clone()));
        let mut probs = vec![0.0f32; bundle.heads.len()];
        for (i, text) in texts.iter().enumerate().filter(|&(i, _)| folds[i] == fold) {
            let analysis = analyzer.analyze(&CommentInput::new(text));
            let found = support::describe(
                analysis
                    .findings
                    .iter()
                    .filter(|f| f.category == Category::Discrimination),
            );
            let flagged = analysis
                .findings
                .iter()
                .any(|f| f.category == Category::Discrimination && f.score >= FLAG);
            bundle.predict_normalized_into(&Normalized::new(text), &mut probs);
            product.add(gold[i], flagged);
            scored.push((gold[i], probs[head]));
            println!(
                "{}\t{}\t{:.2}\t{}\t{}",
                u8::from(gold[i]),
                u8::from(flagged),
                probs[head],
                found,
                text.replace(['\n', '\t'], " ")
            );
        }
    }
    let at = |t: f32| {
        let mut c = Confusion::default();
        for &(g, p) in &scored {
            c.add(g, p >= t);
        }
        c
    };
    let (best_t, best) = (20..=90)
        .step_by(5)
        .map(|t| t as f32 / 100.0)
        .map(|t| (t, at(t)))
        .max_by(|a, b| a.1.macro_f1().total_cmp(&b.1.macro_f1()))
        .expect("thresholds");
    let head_half = at(0.5);
    eprintln!(
        "{file}: product {:.3} (TP {}, FP {}); head {head} alone at 0.5 {:.3} (TP {}, FP {}); \
         at its best threshold on these folds, {best_t:.2} (optimistic), {:.3}",
        product.macro_f1(),
        product.tp,
        product.fp,
        head_half.macro_f1(),
        head_half.tp,
        head_half.fp,
        best.macro_f1()
    );
    Ok(())
}
