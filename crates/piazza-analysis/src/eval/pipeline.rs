//! Cross-validation of the product, not of a head: for each fold of a
//! training file, the whole bundle is trained as `piazza train` trains it
//! ([`crate::training::train_bundle_without`]) on every training file with
//! that file's fold held out, and the caller runs the whole [`Analyzer`]
//! with that model on the held-out rows, scoring what a policy flags. The
//! [TF-IDF + linear SVM baseline](super::baseline) is trained and scored on
//! the same folds. The folds are those of the head-alone cross-validation
//! ([`super::cross_validate_mean`]): stratified, seed of [`TrainConfig`].
//!
//! The analysis itself (and the policy that decides what is flagged) is
//! the caller's: this module is pure and single-threaded, and `piazza eval`
//! runs the folds in parallel.
//!
//! [`Analyzer`]: crate::Analyzer

use piazza_taxonomy::Category;

use super::baseline::{Baseline, BaselineConfig};
use super::{Confusion, stratified_folds};
use crate::model::{ModelBundle, TrainConfig};
use crate::training::{HEADS, TrainError, TrainingSources, load, train_bundle_without};

/// One corpus of the suite and what counts as positive on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Benchmark {
    /// Short name for tables.
    pub name: &'static str,
    /// The training file, relative to the data folder.
    pub file: &'static str,
    /// Its 0/1 label column.
    pub label: &'static str,
    /// Lists of categories scored against the label: a row is predicted
    /// positive when a finding of any category of the list is flagged.
    pub scorings: &'static [&'static [Category]],
}

const DISCRIMINATION: &[Category] = &[Category::Discrimination];
/// How the held-out HaSpeeDe 3 set of issue 14 is scored.
const DISCRIMINATION_INSULT_THREAT: &[Category] =
    &[Category::Discrimination, Category::Insult, Category::Threat];

/// The corpora of `piazza eval --suite`, in the order of the tables.
pub const SUITE: &[Benchmark] = &[
    Benchmark {
        name: "HaSpeeDe 2018 FB",
        file: "haspeede2018/fb_train.tsv",
        label: "hate",
        scorings: &[DISCRIMINATION],
    },
    Benchmark {
        name: "HaSpeeDe 2018 TW",
        file: "haspeede2018/tw_train.tsv",
        label: "hate",
        scorings: &[DISCRIMINATION],
    },
    Benchmark {
        name: "AMI 2020",
        file: "ami2020/train.tsv",
        label: "misogynous",
        scorings: &[DISCRIMINATION],
    },
    Benchmark {
        name: "HODI 2023",
        file: "hodi2023/train.tsv",
        label: "homotransphobic",
        scorings: &[DISCRIMINATION],
    },
    Benchmark {
        name: "HaSpeeDe 3",
        file: "haspeede3/train.tsv",
        label: "hate",
        scorings: &[DISCRIMINATION, DISCRIMINATION_INSULT_THREAT],
    },
];

/// The fold of every row of a training file (stratified on `labels`).
pub fn folds(labels: &[bool], k: usize, cfg: &TrainConfig) -> Vec<usize> {
    stratified_folds(labels, k, cfg.seed)
}

/// The bundle of fold `fold` of `file`: every training file, with the rows
/// of `file` whose fold is `fold` held out.
pub fn fold_bundle(
    sources: &TrainingSources,
    file: &str,
    folds: &[usize],
    fold: usize,
    cfg: &TrainConfig,
) -> Result<ModelBundle, TrainError> {
    train_bundle_without(sources, cfg, &|f, i| f == file && folds[i] == fold)
}

/// The baseline of fold `fold` of `file` (label column `label`): trained on
/// the rows of the other folds, plus every row of the other files of the
/// head that learns from `file` (HaSpeeDe FB and TW), as that head is.
pub fn fold_baseline(
    sources: &TrainingSources,
    file: &str,
    label: &str,
    folds: &[usize],
    fold: usize,
    cfg: &BaselineConfig,
) -> Result<Baseline, TrainError> {
    let (texts, labels) = load(sources, file, label)?;
    let mut t: Vec<String> = Vec::new();
    let mut l: Vec<bool> = Vec::new();
    for (i, (text, y)) in texts.into_iter().zip(labels).enumerate() {
        if folds[i] != fold {
            t.push(text);
            l.push(y);
        }
    }
    for spec in HEADS
        .iter()
        .filter(|h| h.sources.iter().any(|(f, _)| *f == file))
    {
        for (f, col) in spec.sources.iter().filter(|(f, _)| *f != file) {
            let (et, el) = load(sources, f, col)?;
            t.extend(et);
            l.extend(el);
        }
    }
    let refs: Vec<&str> = t.iter().map(String::as_str).collect();
    Ok(Baseline::train(&refs, &l, cfg))
}

/// Mean and (population) standard deviation of the folds' macro-F1.
pub fn mean_sd(folds: &[Confusion]) -> (f64, f64) {
    let n = folds.len().max(1) as f64;
    let m = folds.iter().map(Confusion::macro_f1).sum::<f64>() / n;
    let var = folds
        .iter()
        .map(|c| (c.macro_f1() - m).powi(2))
        .sum::<f64>()
        / n;
    (m, var.sqrt())
}
