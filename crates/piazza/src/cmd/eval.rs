//! `piazza eval`: what `piazza analyze` flags, scored against a labelled
//! file. A row is predicted positive when the analyser, with the policy's
//! settings, reports a finding of one of the `--category` lists that the
//! policy flags (the `flagged` of `piazza analyze`'s output).
//!
//! With `--cv K` on a training file the folds train the whole model as
//! `piazza train` does (with the file's fold held out) and run the whole
//! analyser with it on the fold; a TF-IDF + linear SVM baseline is trained
//! and scored on the same folds. `--suite DIR` does it for every corpus of
//! the shared data and prints a Markdown table. `--head-alone` is the old
//! figure of one classifier head without the analyser, labelled as such.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;
use piazza_analysis::eval::baseline::BaselineConfig;
use piazza_analysis::eval::pipeline::{self, Benchmark, SUITE};
use piazza_analysis::eval::{Confusion, cross_validate_mean};
use piazza_analysis::model::TrainConfig;
use piazza_analysis::training::{HEADS, TRAINING_FILES, TrainingSources};
use piazza_analysis::{Analysis, Analyzer, CommentInput};
use piazza_policy::Policy;
use piazza_taxonomy::{Category, DiscriminationTarget};
use rayon::prelude::*;

use super::analysis::analyzer_for;
use crate::Outcome;

#[derive(Args)]
pub struct EvalArgs {
    /// A TSV file with a header row.
    #[arg(long, required_unless_present = "suite", conflicts_with = "suite")]
    labels: Option<PathBuf>,
    /// Every corpus of this shared data folder (`../shared/data`): the
    /// pipeline's cross-validation next to the baseline, as a Markdown
    /// table (needs `--cv`).
    #[arg(long)]
    suite: Option<PathBuf>,
    #[arg(long, default_value = "text")]
    text_column: String,
    /// The 0/1 label column.
    #[arg(long, required_unless_present = "suite")]
    label_column: Option<String>,
    /// A column with the text of the post each row answers (given to the
    /// analyser as the comment's post, as `piazza analyze` reads `post_text`).
    #[arg(long)]
    post_column: Option<String>,
    /// A category scored against the label; repeat it to count a row as
    /// positive when any of them is flagged.
    #[arg(long = "category", required_unless_present = "suite")]
    categories: Vec<Category>,
    /// For discrimination: only findings with this target count.
    #[arg(long)]
    target: Option<DiscriminationTarget>,
    /// The policy whose thresholds decide what is flagged (preset or file).
    #[arg(long, default_value = "cento")]
    policy: String,
    /// K-fold cross-validation: each fold's model is trained on the training
    /// files with the labels file's fold held out (the labels file must be
    /// one of them), and the whole analyser runs with it.
    #[arg(long)]
    cv: Option<usize>,
    /// The training corpora for `--cv` (default: the folder two levels above
    /// the labels file, as in `../shared/data/hodi2023/train.tsv`).
    #[arg(long)]
    data: Option<PathBuf>,
    /// With `--cv`: cross-validate the classifier head of `--category` and
    /// `--target` alone, on this file only (no analyser, no policy, 0.5):
    /// the figure of a head alone, not of the product.
    #[arg(long)]
    head_alone: bool,
    #[arg(long)]
    json: bool,
}

/// Reads every training file of `dir`.
fn load_sources(dir: &Path) -> anyhow::Result<TrainingSources> {
    let mut sources = BTreeMap::new();
    for f in TRAINING_FILES {
        let path = dir.join(f);
        let contents = std::fs::read_to_string(&path)
            .with_context(|| format!("impossibile leggere {}", path.display()))?;
        sources.insert(f.to_string(), contents);
    }
    Ok(sources)
}

/// True when `piazza analyze` would flag a finding of one of `categories`
/// (of `target`, when given) in `a`.
fn flagged(
    policy: &Policy,
    a: &Analysis,
    categories: &[Category],
    target: Option<DiscriminationTarget>,
) -> bool {
    a.findings.iter().any(|f| {
        categories.contains(&f.category)
            && (target.is_none() || f.target == target)
            && policy.flags(f.category, f.score)
    })
}

/// What is scored: the policy, the category lists and the target.
struct Scoring<'a> {
    policy: &'a Policy,
    lists: Vec<Vec<Category>>,
    target: Option<DiscriminationTarget>,
}

impl Scoring<'_> {
    /// One prediction per list for each row of `rows`.
    fn predict(
        &self,
        analyzer: &Analyzer,
        texts: &[&str],
        posts: Option<&[&str]>,
        rows: &[usize],
    ) -> Vec<Vec<bool>> {
        let per_row: Vec<Vec<bool>> = rows
            .par_iter()
            .map(|&i| {
                let mut c = CommentInput::new(texts[i]);
                if let Some(p) = posts.map(|p| p[i]).filter(|p| !p.is_empty()) {
                    c = c.post_text(p);
                }
                let a = analyzer.analyze(&c);
                self.lists
                    .iter()
                    .map(|l| flagged(self.policy, &a, l, self.target))
                    .collect()
            })
            .collect();
        (0..self.lists.len())
            .map(|l| per_row.iter().map(|r| r[l]).collect())
            .collect()
    }
}

/// The cross-validation of one training file: per scoring list, the
/// pipeline's confusion of each fold; the baseline's of each fold.
struct CorpusCv {
    pipeline: Vec<Vec<Confusion>>,
    baseline: Vec<Confusion>,
}

#[allow(clippy::too_many_arguments)]
fn cross_validate_corpus(
    sources: &TrainingSources,
    file: &str,
    label: &str,
    texts: &[&str],
    posts: Option<&[&str]>,
    gold: &[bool],
    k: usize,
    scoring: &Scoring<'_>,
) -> anyhow::Result<CorpusCv> {
    let cfg = TrainConfig::default();
    let folds = pipeline::folds(gold, k, &cfg);
    let per_fold: Vec<anyhow::Result<(Vec<Confusion>, Confusion)>> = (0..k)
        .into_par_iter()
        .map(|f| {
            let test: Vec<usize> = (0..texts.len()).filter(|&i| folds[i] == f).collect();
            let (bundle, baseline) = rayon::join(
                || pipeline::fold_bundle(sources, file, &folds, f, &cfg),
                || {
                    pipeline::fold_baseline(
                        sources,
                        file,
                        label,
                        &folds,
                        f,
                        &BaselineConfig::default(),
                    )
                },
            );
            let analyzer = analyzer_for(scoring.policy).with_model(Some(bundle?));
            let preds = scoring.predict(&analyzer, texts, posts, &test);
            let gold_test: Vec<bool> = test.iter().map(|&i| gold[i]).collect();
            let confusions = preds
                .iter()
                .map(|p| Confusion::from_predictions(&gold_test, p))
                .collect();
            let baseline = baseline?;
            let base: Vec<bool> = test.iter().map(|&i| baseline.predict(texts[i])).collect();
            Ok((confusions, Confusion::from_predictions(&gold_test, &base)))
        })
        .collect();
    let mut out = CorpusCv {
        pipeline: vec![Vec::new(); scoring.lists.len()],
        baseline: Vec::new(),
    };
    for r in per_fold {
        let (p, b) = r?;
        for (l, c) in p.into_iter().enumerate() {
            out.pipeline[l].push(c);
        }
        out.baseline.push(b);
    }
    Ok(out)
}

fn pooled(folds: &[Confusion]) -> Confusion {
    let mut c = Confusion::default();
    for f in folds {
        c.merge(f);
    }
    c
}

fn categories_label(list: &[Category]) -> String {
    list.iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(" + ")
}

fn confusion_json(folds: &[Confusion]) -> serde_json::Value {
    let c = pooled(folds);
    let (m, s) = pipeline::mean_sd(folds);
    let p = c.positive();
    serde_json::json!({
        "macro_f1_folds": folds.iter().map(Confusion::macro_f1).collect::<Vec<_>>(),
        "mean_macro_f1": m, "sd_macro_f1": s,
        "pooled_macro_f1": c.macro_f1(),
        "precision": p.precision, "recall": p.recall, "f1": p.f1,
        "confusion": {"tp": c.tp, "fp": c.fp, "fn": c.fn_, "tn": c.tn},
    })
}

pub fn eval(args: EvalArgs) -> anyhow::Result<Outcome> {
    let policy = crate::cmd::policy::load(&args.policy)?.policy;
    if let Some(dir) = &args.suite {
        return suite(&args, &policy, dir);
    }
    let labels_path = args.labels.as_ref().expect("clap requires --labels");
    let label_column = args
        .label_column
        .as_deref()
        .expect("clap requires --label-column");
    let contents = std::fs::read_to_string(labels_path)
        .with_context(|| format!("impossibile leggere {}", labels_path.display()))?;
    let table = piazza_analysis::corpus::parse_tsv(&contents)
        .map_err(|e| anyhow::anyhow!("{}: {e}", labels_path.display()))?;
    let err = |e| anyhow::anyhow!("{}: {e}", labels_path.display());
    let texts = table.texts(&args.text_column).map_err(err)?;
    let gold = table.labels(label_column).map_err(err)?;
    let posts = match &args.post_column {
        Some(c) => Some(table.texts(c).map_err(err)?),
        None => None,
    };
    if texts.is_empty() {
        bail!("{} non ha righe", labels_path.display());
    }
    let scoring = Scoring {
        policy: &policy,
        lists: vec![args.categories.clone()],
        target: args.target,
    };
    match args.cv {
        Some(k) if k < 2 => bail!("--cv richiede almeno 2 fold, indicati {k}"),
        Some(k) if args.head_alone => head_alone(&args, &texts, &gold, k),
        Some(k) => {
            let data = match &args.data {
                Some(d) => d.clone(),
                None => labels_path
                    .parent()
                    .and_then(Path::parent)
                    .map(Path::to_path_buf)
                    .unwrap_or_default(),
            };
            let sources = load_sources(&data).with_context(
                || "--cv addestra l'intero modello: indicare i corpora di addestramento con --data",
            )?;
            let Some(file) = TRAINING_FILES.iter().find(|f| sources[**f] == contents) else {
                bail!(
                    "--cv richiede un file di addestramento di {} (il suo fold resta fuori \
                     dall'addestramento); --head-alone valida una sola testa su qualsiasi file",
                    data.display()
                );
            };
            let r = cross_validate_corpus(
                &sources,
                file,
                label_column,
                &texts,
                posts.as_deref(),
                &gold,
                k,
                &scoring,
            )?;
            print_cv(&args, file, k, &r);
            Ok(Outcome::Ok)
        }
        None => {
            let analyzer = analyzer_for(&policy);
            let rows: Vec<usize> = (0..texts.len()).collect();
            let pred = scoring.predict(&analyzer, &texts, posts.as_deref(), &rows);
            let c = Confusion::from_predictions(&gold, &pred[0]);
            print_single(&args, texts.len(), &c);
            Ok(Outcome::Ok)
        }
    }
}

fn print_single(args: &EvalArgs, rows: usize, c: &Confusion) {
    let p = c.positive();
    let n = c.negative();
    let cats = categories_label(&args.categories);
    if args.json {
        println!(
            "{}",
            serde_json::json!({
                "scored": "pipeline",
                "policy": args.policy,
                "categories": cats,
                "rows": rows,
                "precision": p.precision, "recall": p.recall, "f1": p.f1,
                "negative": {"precision": n.precision, "recall": n.recall, "f1": n.f1},
                "macro_f1": c.macro_f1(),
                "confusion": {"tp": c.tp, "fp": c.fp, "fn": c.fn_, "tn": c.tn},
            })
        );
    } else {
        println!(
            "righe: {rows}; positivo: {cats} segnalato (flagged) dalla policy {}",
            args.policy
        );
        println!(
            "classe 1: precision {:.3}  recall {:.3}  F1 {:.3}",
            p.precision, p.recall, p.f1
        );
        println!(
            "classe 0: precision {:.3}  recall {:.3}  F1 {:.3}",
            n.precision, n.recall, n.f1
        );
        println!("macro-F1: {:.3}", c.macro_f1());
        println!("{c}");
    }
}

fn print_cv(args: &EvalArgs, file: &str, k: usize, r: &CorpusCv) {
    let cats = categories_label(&args.categories);
    let folds = &r.pipeline[0];
    if args.json {
        println!(
            "{}",
            serde_json::json!({
                "scored": "pipeline",
                "file": file,
                "policy": args.policy,
                "categories": cats,
                "folds": k,
                "rows": pooled(folds).tp + pooled(folds).fp + pooled(folds).tn + pooled(folds).fn_,
                "pipeline": confusion_json(folds),
                "baseline": confusion_json(&r.baseline),
            })
        );
        return;
    }
    println!(
        "{file}: {k} fold; positivo: {cats} segnalato (flagged) dalla policy {}",
        args.policy
    );
    println!("| fold | pipeline (piazza analyze) macro-F1 | baseline TF-IDF + SVM macro-F1 |");
    println!("|---|---|---|");
    for (f, (p, b)) in folds.iter().zip(&r.baseline).enumerate() {
        println!("| {f} | {:.3} | {:.3} |", p.macro_f1(), b.macro_f1());
    }
    let (pm, ps) = pipeline::mean_sd(folds);
    let (bm, bs) = pipeline::mean_sd(&r.baseline);
    println!("| media ± sd | {pm:.3} ± {ps:.3} | {bm:.3} ± {bs:.3} |");
    println!("\npipeline, fold riuniti:\n{}", pooled(folds));
    println!("\nbaseline, fold riuniti:\n{}", pooled(&r.baseline));
}

/// `--cv K --head-alone`: the old figure of one head (and its companions)
/// trained and scored on this file alone, at 0.5, without the analyser.
fn head_alone(args: &EvalArgs, texts: &[&str], gold: &[bool], k: usize) -> anyhow::Result<Outcome> {
    let cfg = TrainConfig::default();
    let cfgs = HEADS
        .iter()
        .find(|h| args.categories.contains(&h.category) && Some(h.target) == args.target)
        .map_or_else(|| vec![cfg], |h| h.configs(&cfg));
    let r = cross_validate_mean(texts, gold, (&[], &[]), k, &cfgs);
    let (m, s) = (r.mean_macro_f1(), r.std_macro_f1());
    let c = r.pooled;
    if args.json {
        let p = c.positive();
        println!(
            "{}",
            serde_json::json!({
                "scored": "head_alone",
                "rows": texts.len(),
                "precision": p.precision, "recall": p.recall, "f1": p.f1,
                "macro_f1": c.macro_f1(),
                "cv_mean_macro_f1": m, "cv_std_macro_f1": s,
                "confusion": {"tp": c.tp, "fp": c.fp, "fn": c.fn_, "tn": c.tn},
            })
        );
    } else {
        println!(
            "SOLO LA TESTA DEL CLASSIFICATORE (non il prodotto: niente analizzatore, niente policy, soglia 0.5)"
        );
        println!("righe: {}", texts.len());
        println!("macro-F1 per fold: {m:.3} ± {s:.3}");
        println!("{c}");
    }
    Ok(Outcome::Ok)
}

/// `--suite DIR --cv K`: every corpus of [`SUITE`], the pipeline next to
/// the baseline on the same folds, as a Markdown table.
fn suite(args: &EvalArgs, policy: &Policy, dir: &Path) -> anyhow::Result<Outcome> {
    let Some(k) = args.cv.filter(|&k| k >= 2) else {
        bail!("--suite richiede --cv K (K almeno 2)");
    };
    let sources = load_sources(dir)?;
    let mut rows: Vec<(Benchmark, CorpusCv)> = Vec::new();
    for b in SUITE {
        let t = std::time::Instant::now();
        let (texts, gold) = piazza_analysis::training::load(&sources, b.file, b.label)?;
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let scoring = Scoring {
            policy,
            lists: b.scorings.iter().map(|l| l.to_vec()).collect(),
            target: None,
        };
        let r = cross_validate_corpus(&sources, b.file, b.label, &refs, None, &gold, k, &scoring)?;
        eprintln!("{}: {:.0} s", b.name, t.elapsed().as_secs_f64());
        rows.push((*b, r));
    }
    if args.json {
        let v: Vec<serde_json::Value> = rows
            .iter()
            .flat_map(|(b, r)| {
                b.scorings.iter().enumerate().map(move |(l, list)| {
                    serde_json::json!({
                        "corpus": b.name, "file": b.file, "label": b.label,
                        "categories": categories_label(list),
                        "pipeline": confusion_json(&r.pipeline[l]),
                        "baseline": confusion_json(&r.baseline),
                    })
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::json!({"policy": args.policy, "folds": k, "corpora": v})
        );
        return Ok(Outcome::Ok);
    }
    println!(
        "Pipeline: `piazza analyze --policy {}` with each fold's model, a row positive when a finding of the listed categories is flagged; baseline: TF-IDF + linear SVM on the same folds. Macro-F1, mean ± sd over {k} folds.\n",
        args.policy
    );
    println!(
        "| corpus | label | positive when flagged | pipeline | baseline | pipeline − baseline | pipeline P / R (pooled) | pipeline folds | baseline folds |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for (b, r) in &rows {
        let (bm, bs) = pipeline::mean_sd(&r.baseline);
        for (l, list) in b.scorings.iter().enumerate() {
            let folds = &r.pipeline[l];
            let (pm, ps) = pipeline::mean_sd(folds);
            let p = pooled(folds).positive();
            let fmt = |c: &[Confusion]| {
                c.iter()
                    .map(|c| format!("{:.3}", c.macro_f1()))
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            println!(
                "| {} | `{}` | {} | {pm:.3} ± {ps:.3} | {bm:.3} ± {bs:.3} | {:+.3} | {:.3} / {:.3} | {} | {} |",
                b.name,
                b.label,
                categories_label(list),
                pm - bm,
                p.precision,
                p.recall,
                fmt(folds),
                fmt(&r.baseline)
            );
        }
    }
    Ok(Outcome::Ok)
}
