//! Development aid: writes, for every text of the training files, its
//! out-of-fold head probabilities (5 models, each trained without one fold
//! of every file), the gate's context and what the rules alone flag, as
//! TSV, to explore gates outside Rust.
//!
//! `gate_data [DATA_DIR] OUT.tsv [CROSS_NEGATIVES]`
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use piazza_analysis::eval::stratified_folds;
use piazza_analysis::model::TrainConfig;
use piazza_analysis::training::{BundleOptions, HEADS, TRAINING_FILES, load, train_bundle_with};
use piazza_analysis::{Analyzer, CommentInput, Normalized};
use piazza_taxonomy::Category;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (data, out, cross, crossp) = match args.as_slice() {
        [d, o, w, p] => (
            PathBuf::from(d),
            PathBuf::from(o),
            w.parse::<f32>()?,
            p.parse::<f32>()?,
        ),
        [d, o, w] => (PathBuf::from(d), PathBuf::from(o), w.parse::<f32>()?, 0.0),
        [d, o] => (PathBuf::from(d), PathBuf::from(o), 0.0, 0.0),
        _ => return Err("usage: gate_data DATA_DIR OUT.tsv [CROSS_NEG [CROSS_POS]]".into()),
    };
    let opts = BundleOptions {
        cross_negatives: cross,
        cross_positives: crossp,
    };
    let mut sources = BTreeMap::new();
    for f in TRAINING_FILES {
        sources.insert(f.to_string(), std::fs::read_to_string(data.join(f))?);
    }
    let cfg = TrainConfig::default();
    let k = 5;
    let mut files: Vec<(&str, &str, Vec<String>, Vec<bool>, Vec<usize>)> = Vec::new();
    for spec in HEADS {
        for (f, col) in spec.sources {
            let (t, l) = load(&sources, f, col)?;
            let folds = stratified_folds(&l, k, cfg.seed);
            files.push((f, col, t, l, folds));
        }
    }
    let fold_of: BTreeMap<&str, &Vec<usize>> = files.iter().map(|x| (x.0, &x.4)).collect();
    let rules = Analyzer::default().with_model(None);
    let mut w = std::io::BufWriter::new(std::fs::File::create(&out)?);
    writeln!(
        w,
        "file\trow\tlabel\tfold\tp0\tp1\tp2\tp3\thas_ctx\tnamed\tsignals\twords\trule_disc\trule_insult\trule_threat"
    )?;
    for g in 0..k {
        let bundle = train_bundle_with(&sources, &cfg, &|f, i| fold_of[f][i] == g, &opts)?;
        let nh = bundle.heads.len();
        for (f, _, texts, labels, folds) in &files {
            for (i, t) in texts.iter().enumerate() {
                if folds[i] != g {
                    continue;
                }
                let mut p = vec![0f32; nh];
                bundle.predict_normalized_into(&Normalized::new(t), &mut p);
                let input = CommentInput::new(t);
                let ctx = rules.gate_context(&input);
                let a = rules.analyze(&input);
                let flag = |c: Category, th: f32| a.score(c, None) >= th;
                writeln!(
                    w,
                    "{f}\t{i}\t{}\t{g}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    labels[i] as u8,
                    p[0],
                    p[1],
                    p[2],
                    p[3],
                    ctx.is_some() as u8,
                    ctx.map_or(0, |c| c.named_comment),
                    ctx.map_or(0, |c| c.signals),
                    ctx.map_or(0, |c| c.words),
                    flag(Category::Discrimination, 0.6) as u8,
                    flag(Category::Insult, 0.6) as u8,
                    flag(Category::Threat, 0.5) as u8,
                )?;
            }
        }
        eprintln!("fold {g} done");
    }
    Ok(())
}
