//! Metrics for binary classification (precision, recall and F1 per class,
//! macro-F1, confusion matrix) and stratified k-fold cross-validation with a
//! fixed seed.

use std::fmt;

use crate::model::{LinearModel, Rng, TrainConfig, featurize};

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
    let feats = featurize(texts, &cfg.features);
    let extra_feats = featurize(extra.0, &cfg.features);
    let folds = stratified_folds(labels, k, cfg.seed);
    let k = k.max(2);
    let mut report = CvReport {
        folds: Vec::with_capacity(k),
        pooled: Confusion::default(),
        scores: Vec::with_capacity(texts.len()),
    };
    for f in 0..k {
        let mut train_x: Vec<Vec<u32>> = Vec::new();
        let mut train_y: Vec<bool> = Vec::new();
        for i in 0..texts.len() {
            if folds[i] != f {
                train_x.push(feats[i].clone());
                train_y.push(labels[i]);
            }
        }
        train_x.extend(extra_feats.iter().cloned());
        train_y.extend_from_slice(extra.1);
        let model = LinearModel::train_features(&train_x, &train_y, cfg);
        let mut c = Confusion::default();
        for i in 0..texts.len() {
            if folds[i] == f {
                let p = model.predict_features(&feats[i]);
                c.add(labels[i], p >= 0.5);
                report.scores.push((labels[i], p));
            }
        }
        report.pooled.merge(&c);
        report.folds.push(c);
    }
    report
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
