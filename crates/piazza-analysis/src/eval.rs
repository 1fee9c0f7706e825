//! Metrics for binary classification (precision, recall and F1 per class,
//! macro-F1, confusion matrix) and stratified k-fold cross-validation with a
//! fixed seed; the product's cross-validation ([`pipeline`]) and its
//! baseline ([`baseline`]).

pub mod baseline;
pub mod pipeline;

use std::collections::HashMap;
use std::fmt;

use crate::model::{FeatureConfig, LinearModel, Rng, TrainConfig, featurize};

/// Confusion counts of a binary classifier.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Confusion {
    pub tp: usize,
    pub fp: usize,
    pub tn: usize,
    pub fn_: usize,
}

/// Precision, recall and F1 of one class.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClassMetrics {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub support: usize,
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

impl Confusion {
    /// Counts from gold labels and predictions.
    pub fn from_predictions(gold: &[bool], pred: &[bool]) -> Confusion {
        let mut c = Confusion::default();
        for (&g, &p) in gold.iter().zip(pred) {
            c.add(g, p);
        }
        c
    }

    pub fn add(&mut self, gold: bool, pred: bool) {
        match (gold, pred) {
            (true, true) => self.tp += 1,
            (false, true) => self.fp += 1,
            (false, false) => self.tn += 1,
            (true, false) => self.fn_ += 1,
        }
    }

    pub fn merge(&mut self, o: &Confusion) {
        self.tp += o.tp;
        self.fp += o.fp;
        self.tn += o.tn;
        self.fn_ += o.fn_;
    }

    /// Metrics of the positive class.
    pub fn positive(&self) -> ClassMetrics {
        let p = ratio(self.tp, self.tp + self.fp);
        let r = ratio(self.tp, self.tp + self.fn_);
        ClassMetrics {
            precision: p,
            recall: r,
            f1: f1(p, r),
            support: self.tp + self.fn_,
        }
    }

    /// Metrics of the negative class.
    pub fn negative(&self) -> ClassMetrics {
        let p = ratio(self.tn, self.tn + self.fn_);
        let r = ratio(self.tn, self.tn + self.fp);
        ClassMetrics {
            precision: p,
            recall: r,
            f1: f1(p, r),
            support: self.tn + self.fp,
        }
    }

    /// Mean of the F1 of the two classes.
    pub fn macro_f1(&self) -> f64 {
        (self.positive().f1 + self.negative().f1) / 2.0
    }

    pub fn accuracy(&self) -> f64 {
        ratio(self.tp + self.tn, self.tp + self.tn + self.fp + self.fn_)
    }
}

impl fmt::Display for Confusion {
    /// A small report: per-class table, macro-F1 and the confusion matrix.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (n, p) = (self.negative(), self.positive());
        writeln!(f, "class  precision  recall  f1      support")?;
        writeln!(
            f,
            "0      {:.4}     {:.4}  {:.4}  {}",
            n.precision, n.recall, n.f1, n.support
        )?;
        writeln!(
            f,
            "1      {:.4}     {:.4}  {:.4}  {}",
            p.precision, p.recall, p.f1, p.support
        )?;
        writeln!(
            f,
            "macro-F1 {:.4}  accuracy {:.4}",
            self.macro_f1(),
            self.accuracy()
        )?;
        writeln!(f, "confusion (rows gold, columns predicted)")?;
        writeln!(f, "        pred 0  pred 1")?;
        writeln!(f, "gold 0  {:<6}  {}", self.tn, self.fp)?;
        write!(f, "gold 1  {:<6}  {}", self.fn_, self.tp)
    }
}

/// The result of k-fold cross-validation.
#[derive(Debug, Clone, PartialEq)]
pub struct CvReport {
    /// One confusion per fold.
    pub folds: Vec<Confusion>,
    /// All folds' predictions pooled.
    pub pooled: Confusion,
    /// Out-of-fold (gold, probability) of every scored text.
    pub scores: Vec<(bool, f32)>,
}

impl CvReport {
    /// The threshold that maximises the pooled out-of-fold macro-F1, with
    /// that macro-F1 (reported separately: choosing it on the same folds is
    /// optimistic).
    pub fn best_threshold(&self) -> (f32, f64) {
        let mut best = (0.5, 0.0);
        for t in (20..=80).map(|i| i as f32 / 100.0) {
            let mut c = Confusion::default();
            for &(g, p) in &self.scores {
                c.add(g, p >= t);
            }
            if c.macro_f1() > best.1 {
                best = (t, c.macro_f1());
            }
        }
        best
    }

    /// Mean of the folds' macro-F1.
    pub fn mean_macro_f1(&self) -> f64 {
        if self.folds.is_empty() {
            return 0.0;
        }
        self.folds.iter().map(Confusion::macro_f1).sum::<f64>() / self.folds.len() as f64
    }

    /// Standard deviation of the folds' macro-F1.
    pub fn std_macro_f1(&self) -> f64 {
        let m = self.mean_macro_f1();
        let n = self.folds.len().max(1) as f64;
        (self
            .folds
            .iter()
            .map(|c| (c.macro_f1() - m).powi(2))
            .sum::<f64>()
            / n)
            .sqrt()
    }
}

/// Stratified fold assignment: each class is shuffled with `seed` and dealt
/// round-robin, so every fold has the same class balance.
pub fn stratified_folds(labels: &[bool], k: usize, seed: u64) -> Vec<usize> {
    let k = k.max(2);
    let mut fold = vec![0; labels.len()];
    let mut rng = Rng::new(seed);
    for class in [true, false] {
        let mut idx: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == class).collect();
        rng.shuffle(&mut idx);
        for (n, i) in idx.into_iter().enumerate() {
            fold[i] = n % k;
        }
    }
    fold
}

/// Stratified k-fold cross-validation of a [`LinearModel`] at a 0.5
/// threshold. `extra` are texts added to every training fold and never
/// scored (for instance negatives from other corpora).
pub fn cross_validate(
    texts: &[&str],
    labels: &[bool],
    extra: (&[&str], &[bool]),
    k: usize,
    cfg: &TrainConfig,
) -> CvReport {
    cross_validate_mean(texts, labels, extra, k, std::slice::from_ref(cfg))
}

/// The features of a list of texts.
type Features = Vec<Vec<u32>>;

/// Features of the scored texts and of the extra texts for every distinct
/// feature config of `cfgs`.
struct FeatureCache {
    feats: HashMap<FeatureConfig, (Features, Features)>,
}

impl FeatureCache {
    fn new<'a>(
        texts: &[&str],
        extra: &[&str],
        cfgs: impl IntoIterator<Item = &'a TrainConfig>,
    ) -> FeatureCache {
        let mut feats = HashMap::new();
        for c in cfgs {
            feats
                .entry(c.features)
                .or_insert_with(|| (featurize(texts, &c.features), featurize(extra, &c.features)));
        }
        FeatureCache { feats }
    }

    /// Trains every config of `cfgs` on the texts `train` plus the extra
    /// texts, and returns the mean probability of the models for each text
    /// of `test`.
    fn fit_predict(
        &self,
        labels: &[bool],
        extra_labels: &[bool],
        train: &[usize],
        test: &[usize],
        cfgs: &[TrainConfig],
    ) -> Vec<f32> {
        let mut sum = vec![0f32; test.len()];
        for cfg in cfgs {
            let (feats, extra_feats) = &self.feats[&cfg.features];
            let mut train_x: Vec<Vec<u32>> = train.iter().map(|&i| feats[i].clone()).collect();
            let mut train_y: Vec<bool> = train.iter().map(|&i| labels[i]).collect();
            train_x.extend(extra_feats.iter().cloned());
            train_y.extend_from_slice(extra_labels);
            let model = LinearModel::train_features(&train_x, &train_y, cfg);
            for (s, &i) in sum.iter_mut().zip(test) {
                *s += model.predict_features(&feats[i]);
            }
        }
        if cfgs.len() > 1 {
            for s in &mut sum {
                *s /= cfgs.len() as f32;
            }
        }
        sum
    }
}

/// [`cross_validate`] of the mean probability of several models (one per
/// config, trained on the same folds; the folds follow the first config's
/// seed). With one config it is exactly [`cross_validate`].
pub fn cross_validate_mean(
    texts: &[&str],
    labels: &[bool],
    extra: (&[&str], &[bool]),
    k: usize,
    cfgs: &[TrainConfig],
) -> CvReport {
    assert!(!cfgs.is_empty(), "at least one config");
    let cache = FeatureCache::new(texts, extra.0, cfgs);
    let folds = stratified_folds(labels, k, cfgs[0].seed);
    let k = k.max(2);
    let mut report = CvReport {
        folds: Vec::with_capacity(k),
        pooled: Confusion::default(),
        scores: Vec::with_capacity(texts.len()),
    };
    for f in 0..k {
        let train: Vec<usize> = (0..texts.len()).filter(|&i| folds[i] != f).collect();
        let test: Vec<usize> = (0..texts.len()).filter(|&i| folds[i] == f).collect();
        let probs = cache.fit_predict(labels, extra.1, &train, &test, cfgs);
        let mut c = Confusion::default();
        for (&i, &p) in test.iter().zip(&probs) {
            c.add(labels[i], p >= 0.5);
            report.scores.push((labels[i], p));
        }
        report.pooled.merge(&c);
        report.folds.push(c);
    }
    report
}

/// The result of nested cross-validation.
#[derive(Debug, Clone, PartialEq)]
pub struct NestedReport {
    /// Confusion of the chosen candidate on each outer test fold.
    pub folds: Vec<Confusion>,
    /// Index of the candidate chosen in each outer fold.
    pub picks: Vec<usize>,
    /// Inner mean macro-F1 of every candidate, per outer fold.
    pub inner: Vec<Vec<f64>>,
    /// The candidate the same selection picks on all the texts (the one to
    /// ship), and every candidate's score there.
    pub final_pick: usize,
    pub final_scores: Vec<f64>,
}

impl NestedReport {
    /// Mean of the outer folds' macro-F1.
    pub fn mean_macro_f1(&self) -> f64 {
        self.folds.iter().map(Confusion::macro_f1).sum::<f64>() / self.folds.len().max(1) as f64
    }

    /// Standard deviation of the outer folds' macro-F1.
    pub fn std_macro_f1(&self) -> f64 {
        let m = self.mean_macro_f1();
        let n = self.folds.len().max(1) as f64;
        (self
            .folds
            .iter()
            .map(|c| (c.macro_f1() - m).powi(2))
            .sum::<f64>()
            / n)
            .sqrt()
    }
}

/// Nested cross-validation of a choice among `candidates` (each a list of
/// configs whose models' probabilities are averaged, as in
/// [`cross_validate_mean`]). The outer folds are those of
/// [`cross_validate_mean`]; inside each outer training part, `inner_k`
/// stratified folds (another seed) score every candidate, the best inner
/// mean macro-F1 wins (ties go to the earlier candidate), and the winner,
/// retrained on the whole outer training part, is scored on the untouched
/// outer test fold. `extra` joins every training part and is never scored.
pub fn nested_cross_validate(
    texts: &[&str],
    labels: &[bool],
    extra: (&[&str], &[bool]),
    outer_k: usize,
    inner_k: usize,
    candidates: &[Vec<TrainConfig>],
) -> NestedReport {
    assert!(
        candidates.iter().all(|c| !c.is_empty()) && !candidates.is_empty(),
        "non-empty candidates"
    );
    let cache = FeatureCache::new(texts, extra.0, candidates.iter().flatten());
    let seed = candidates[0][0].seed;
    let folds = stratified_folds(labels, outer_k, seed);
    let outer_k = outer_k.max(2);
    let mut report = NestedReport {
        folds: Vec::with_capacity(outer_k),
        picks: Vec::with_capacity(outer_k),
        inner: Vec::with_capacity(outer_k),
        final_pick: 0,
        final_scores: Vec::new(),
    };
    for f in 0..outer_k {
        let train: Vec<usize> = (0..texts.len()).filter(|&i| folds[i] != f).collect();
        let test: Vec<usize> = (0..texts.len()).filter(|&i| folds[i] == f).collect();
        let (pick, scores) = select(&cache, labels, extra.1, &train, inner_k, candidates, seed);
        let probs = cache.fit_predict(labels, extra.1, &train, &test, &candidates[pick]);
        let mut c = Confusion::default();
        for (&i, &p) in test.iter().zip(&probs) {
            c.add(labels[i], p >= 0.5);
        }
        report.folds.push(c);
        report.picks.push(pick);
        report.inner.push(scores);
    }
    let all: Vec<usize> = (0..texts.len()).collect();
    let (pick, scores) = select(&cache, labels, extra.1, &all, inner_k, candidates, seed);
    report.final_pick = pick;
    report.final_scores = scores;
    report
}

/// The candidate with the best mean macro-F1 over `inner_k` stratified
/// folds of the texts `idx` (ties go to the earlier one), and every
/// candidate's score.
fn select(
    cache: &FeatureCache,
    labels: &[bool],
    extra_labels: &[bool],
    idx: &[usize],
    inner_k: usize,
    candidates: &[Vec<TrainConfig>],
    seed: u64,
) -> (usize, Vec<f64>) {
    let idx_labels: Vec<bool> = idx.iter().map(|&i| labels[i]).collect();
    let inner_folds = stratified_folds(&idx_labels, inner_k, seed ^ 0x014e_4ee5);
    let inner_k = inner_k.max(2);
    let mut scores = Vec::with_capacity(candidates.len());
    for cand in candidates {
        let mut sum = 0.0;
        for g in 0..inner_k {
            let (mut itrain, mut itest) = (Vec::new(), Vec::new());
            for (n, &i) in idx.iter().enumerate() {
                if inner_folds[n] == g {
                    itest.push(i);
                } else {
                    itrain.push(i);
                }
            }
            let probs = cache.fit_predict(labels, extra_labels, &itrain, &itest, cand);
            let mut c = Confusion::default();
            for (&i, &p) in itest.iter().zip(&probs) {
                c.add(labels[i], p >= 0.5);
            }
            sum += c.macro_f1();
        }
        scores.push(sum / inner_k as f64);
    }
    let mut pick = 0;
    for (i, &s) in scores.iter().enumerate() {
        if s > scores[pick] {
            pick = i;
        }
    }
    (pick, scores)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_by_hand() {
        // gold: 1 1 1 0 0 0 0 ; pred: 1 1 0 1 0 0 0
        let gold = [true, true, true, false, false, false, false];
        let pred = [true, true, false, true, false, false, false];
        let c = Confusion::from_predictions(&gold, &pred);
        assert_eq!(
            c,
            Confusion {
                tp: 2,
                fp: 1,
                tn: 3,
                fn_: 1
            }
        );
        let p = c.positive();
        assert!((p.precision - 2.0 / 3.0).abs() < 1e-9);
        assert!((p.recall - 2.0 / 3.0).abs() < 1e-9);
        let n = c.negative();
        assert!((n.f1 - 0.75).abs() < 1e-9);
        assert!((c.macro_f1() - (2.0 / 3.0 + 0.75) / 2.0).abs() < 1e-9);
        let s = c.to_string();
        assert!(s.contains("gold 1  1       2"), "{s}");
    }

    #[test]
    fn folds_are_stratified_and_deterministic() {
        let labels: Vec<bool> = (0..100).map(|i| i % 4 == 0).collect();
        let a = stratified_folds(&labels, 5, 7);
        assert_eq!(a, stratified_folds(&labels, 5, 7));
        for f in 0..5 {
            let pos = (0..100).filter(|&i| a[i] == f && labels[i]).count();
            let all = (0..100).filter(|&i| a[i] == f).count();
            assert_eq!((pos, all), (5, 20));
        }
    }

    #[test]
    fn cross_validation_separates_an_easy_problem() {
        let mut texts = Vec::new();
        let mut labels = Vec::new();
        for i in 0..60 {
            texts.push(if i % 2 == 0 {
                "odio gli immigrati fuori tutti"
            } else {
                "concerto in piazza stasera"
            });
            labels.push(i % 2 == 0);
        }
        let cfg = TrainConfig {
            features: crate::model::FeatureConfig {
                bits: 12,
                ..Default::default()
            },
            ..TrainConfig::default()
        };
        let r = cross_validate(&texts, &labels, (&[], &[]), 3, &cfg);
        assert_eq!(r.folds.len(), 3);
        assert!(r.mean_macro_f1() > 0.99, "{}", r.pooled);
    }
}
