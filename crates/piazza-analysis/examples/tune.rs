//! Hyper-parameter exploration for the classifier (development aid): prints
//! the 5-fold macro-F1 of each head for a grid of settings given on the
//! command line as `bits,word_ngrams,char_min,char_max,epochs,lr,l2` followed
//! by flags: `nb` (NB scaling), `avg`, `eN` (ensemble of N), `pwN` (plain-view
//! word n-grams), `pcN` (plain-view char n-grams up to N).
//!
//! ```text
//! cargo run --release -p piazza-analysis --example tune -- 18,2,2,5,8,0.2,1e-6 20,2,1,6,10,0.1,1e-6
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;

use piazza_analysis::eval::Confusion;
use piazza_analysis::model::{FeatureConfig, TrainConfig};
use piazza_analysis::training::{TRAINING_FILES, cross_validate_heads};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let data = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"));
    let mut sources = BTreeMap::new();
    for f in TRAINING_FILES {
        sources.insert(f.to_string(), std::fs::read_to_string(data.join(f))?);
    }
    for arg in std::env::args().skip(1) {
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
    // (ensemble), `pwN` (plain-view word n-grams), `pcN` (plain chars).
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
        ..TrainConfig::default()
    })
}
