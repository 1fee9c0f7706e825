//! Hyper-parameter exploration for the classifier (development aid): prints
//! the 5-fold macro-F1 of each head for a grid of settings given on the
//! command line as `bits,word_ngrams,char_min,char_max,epochs,lr,l2`.
//!
//! ```text
//! cargo run --release -p piazza-analysis --example tune -- 18,2,2,5,8,0.2,1e-6 20,2,1,6,10,0.1,1e-6
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;

use piazza_analysis::model::{FeatureConfig, TrainConfig};
use piazza_analysis::training::{TRAINING_FILES, cross_validate_heads};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let data = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"));
    let mut sources = BTreeMap::new();
    for f in TRAINING_FILES {
        sources.insert(f.to_string(), std::fs::read_to_string(data.join(f))?);
    }
    for spec in std::env::args().skip(1) {
        let v: Vec<&str> = spec.split(',').collect();
        let cfg = TrainConfig {
            features: FeatureConfig {
                bits: v[0].parse()?,
                word_ngrams: v[1].parse()?,
                char_min: v[2].parse()?,
                char_max: v[3].parse()?,
            },
            epochs: v[4].parse()?,
            learning_rate: v[5].parse()?,
            l2: v[6].parse()?,
            nb_scaling: v[7..].contains(&"nb"),
            average: v[7..].contains(&"avg"),
            ensemble: v[7..]
                .iter()
                .find_map(|x| x.strip_prefix('e'))
                .map_or(Ok(1), str::parse)?,
            ..TrainConfig::default()
        };
        if v[7..].contains(&"noextra") {
            let (t, l) =
                piazza_analysis::training::load(&sources, "haspeede2018/fb_train.tsv", "hate")?;
            let t: Vec<&str> = t.iter().map(String::as_str).collect();
            let r = piazza_analysis::eval::cross_validate(&t, &l, (&[], &[]), 5, &cfg);
            println!("{spec}: fb alone={:.3}", r.mean_macro_f1());
            continue;
        }
        let figures: Vec<String> = cross_validate_heads(&sources, 5, &cfg)?
            .iter()
            .map(|r| {
                let (t, f) = r.report.best_threshold();
                format!(
                    "{}={:.3} (t{t:.2}:{f:.3})",
                    r.file.split('/').next_back().unwrap_or(r.file),
                    r.report.mean_macro_f1()
                )
            })
            .collect();
        println!("{spec}: {}", figures.join(" "));
    }
    Ok(())
}
