//! Hyper-parameter exploration for the classifier (development aid): prints
//! the 5-fold macro-F1 of each head for a grid of settings given on the
//! command line as `bits,word_ngrams,char_min,char_max,epochs,lr,l2` followed
//! by flags: `nb` (NB scaling), `avg`, `eN` (ensemble of N), `pwN` (plain-view
//! word n-grams), `pcN` (plain-view char n-grams up to N), `svmC` (a
//! converged linear SVM of cost C, its margin calibrated to a logit, instead
//! of the AdaGrad logistic regression; `TrainConfig::svm_c`).
//!
//! ```text
//! cargo run --release -p piazza-analysis --example tune -- 18,2,2,5,8,0.2,1e-6 20,2,1,6,10,0.1,1e-6
//! ```
//!
//! `--nested SEED...` instead reruns the nested cross-validation of the
//! homotransphobia companion choice (`examples/train.rs --nested`) with
//! other seeds (folds and shuffles), to see how much the figure owes to
//! the shipped seed.

use std::collections::BTreeMap;
use std::path::PathBuf;

use piazza_analysis::eval::{Confusion, cross_validate_mean};
use piazza_analysis::model::{FeatureConfig, TrainConfig};
use piazza_analysis::training::{
    HOMOTRANSPHOBIA_CANDIDATES, TRAINING_FILES, cross_validate_heads, load,
    nested_cross_validate_head,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let data = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"));
    let mut sources = BTreeMap::new();
    for f in TRAINING_FILES {
        sources.insert(f.to_string(), std::fs::read_to_string(data.join(f))?);
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--nested") {
        for seed in &args[1..] {
            let cfg = TrainConfig {
                seed: parse_seed(seed)?,
                ..TrainConfig::default()
            };
            let cands = HOMOTRANSPHOBIA_CANDIDATES;
            for (file, r) in
                nested_cross_validate_head(&sources, "homotransphobia", 5, 3, &cfg, cands)?
            {
                println!(
                    "seed {seed} {file}: nested {:.3} ± {:.3}, picks {:?}, pick on all data {}",
                    r.mean_macro_f1(),
                    r.std_macro_f1(),
                    r.picks,
                    r.final_pick
                );
            }
            // Plain 5-fold figure of every candidate with this seed.
            let (texts, labels) = load(&sources, "hodi2023/train.tsv", "homotransphobic")?;
            let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
            let plain: Vec<String> = cands
                .iter()
                .map(|c| {
                    let cfgs: Vec<TrainConfig> = std::iter::once(cfg)
                        .chain(c.iter().map(|x| x.config(&cfg)))
                        .collect();
                    let r = cross_validate_mean(&texts, &labels, (&[], &[]), 5, &cfgs);
                    format!("{:.3}±{:.3}", r.mean_macro_f1(), r.std_macro_f1())
                })
                .collect();
            println!(
                "seed {seed}: plain 5-fold per candidate {}",
                plain.join(" ")
            );
        }
        return Ok(());
    }
    for arg in args {
        // `A+B+...`: average the out-of-fold probabilities of several configs.
        let mut reports: Vec<Vec<piazza_analysis::training::HeadCv>> = Vec::new();
        for spec in arg.split('+') {
            reports.push(cross_validate_heads(&sources, 5, &parse(spec)?)?);
        }
        let figures: Vec<String> = (0..reports[0].len())
            .map(|h| {
                let first = &reports[0][h].report;
                let mut folds = Vec::new();
                let mut at = 0;
                for f in &first.folds {
                    let n = f.tp + f.fp + f.tn + f.fn_;
                    let mut c = Confusion::default();
                    for i in at..at + n {
                        let p: f32 = reports.iter().map(|r| r[h].report.scores[i].1).sum::<f32>()
                            / reports.len() as f32;
                        c.add(first.scores[i].0, p >= 0.5);
                    }
                    folds.push(c.macro_f1());
                    at += n;
                }
                let m = folds.iter().sum::<f64>() / folds.len() as f64;
                let sd = (folds.iter().map(|x| (x - m).powi(2)).sum::<f64>() / folds.len() as f64)
                    .sqrt();
                let file = reports[0][h].file;
                format!(
                    "{}={m:.3}±{sd:.3}",
                    file.split('/').next_back().unwrap_or(file)
                )
            })
            .collect();
        println!("{arg}: {}", figures.join(" "));
    }
    Ok(())
}

fn parse(spec: &str) -> Result<TrainConfig, Box<dyn std::error::Error>> {
    let v: Vec<&str> = spec.split(',').collect();
    // Flags after the seven positional values: `nb`, `avg`, `eN`
    // (ensemble), `pwN` (plain-view word n-grams), `pcN` (plain chars),
    // `svmC` (SVM of cost C).
    let flag = |p: &str| -> Option<u64> {
        v[7..]
            .iter()
            .find_map(|x| x.strip_prefix(p).and_then(|n| n.parse().ok()))
    };
    Ok(TrainConfig {
        features: FeatureConfig {
            bits: v[0].parse()?,
            word_ngrams: v[1].parse()?,
            char_min: v[2].parse()?,
            char_max: v[3].parse()?,
            plain_words: flag("pw").unwrap_or(0) as u8,
            plain_char_max: flag("pc").unwrap_or(0) as u8,
        },
        epochs: v[4].parse()?,
        learning_rate: v[5].parse()?,
        l2: v[6].parse()?,
        nb_scaling: v[7..].contains(&"nb"),
        average: v[7..].contains(&"avg"),
        ensemble: flag("e").unwrap_or(1) as u32,
        svm_c: v[7..]
            .iter()
            .find_map(|x| x.strip_prefix("svm").and_then(|n| n.parse().ok()))
            .unwrap_or(0.0),
        ..TrainConfig::default()
    })
}

fn parse_seed(s: &str) -> Result<u64, Box<dyn std::error::Error>> {
    Ok(match s.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(&h.replace('_', ""), 16)?,
        None => s.parse()?,
    })
}
