//! A linear classifier over hashed features of the skeleton: word uni- and
//! bi-grams plus character n-grams, trained by logistic regression with
//! AdaGrad, class weighting and L2 regularisation. Training is deterministic
//! (fixed seed, no threads) so the shipped model is reproducible bit for bit.
//!
//! Several binary classifiers ("heads") share one feature extraction in a
//! [`ModelBundle`]; weights are quantised to `i8` and interleaved by bucket
//! so scoring all heads touches one cache line per feature.

use std::fmt;

use piazza_taxonomy::{Category, DiscriminationTarget};

use crate::gate::{FEATURES, Gate};
use crate::normalize::Normalized;

/// How texts become feature indices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FeatureConfig {
    /// log2 of the number of hash buckets.
    pub bits: u8,
    /// 1 = unigrams, 2 = unigrams and bigrams.
    pub word_ngrams: u8,
    /// Shortest character n-gram (0 disables character n-grams).
    pub char_min: u8,
    /// Longest character n-gram.
    pub char_max: u8,
    /// Word n-grams of the *plain* view too (0 = none, 1 = unigrams,
    /// 2 = and bigrams): tokens split on spaces only, so they keep what the
    /// skeleton undoes (elongation, leet, `#`, punctuation stuck to words).
    pub plain_words: u8,
    /// Longest character n-gram of the plain view (0 = none; from
    /// `char_min`, at least 2).
    pub plain_char_max: u8,
}

impl Default for FeatureConfig {
    fn default() -> Self {
        FeatureConfig {
            bits: 18,
            word_ngrams: 2,
            char_min: 1,
            char_max: 6,
            plain_words: 0,
            plain_char_max: 0,
        }
    }
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

#[inline]
fn mix(h: u64) -> u64 {
    // A cheap finaliser so low bits of similar strings spread well.
    let h = h ^ (h >> 29);
    let h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^ (h >> 32)
}

impl FeatureConfig {
    /// Number of hash buckets.
    pub fn buckets(&self) -> usize {
        1usize << self.bits
    }

    /// Appends the bucket of every feature of `skeleton` to `out` (the
    /// skeleton also stands for the plain view when the config uses it;
    /// see [`FeatureConfig::extract_views`]).
    pub fn extract(&self, skeleton: &str, out: &mut Vec<u32>) {
        self.for_each_feature(skeleton, skeleton, |b| out.push(b));
    }

    /// Appends the bucket of every feature of a normalised text to `out`.
    pub fn extract_views(&self, norm: &Normalized, out: &mut Vec<u32>) {
        self.for_each_feature(&norm.skeleton, &norm.plain, |b| out.push(b));
    }

    /// Calls `f` with the bucket of every feature of the two views of a
    /// text, in the order of [`FeatureConfig::extract`], without allocating.
    #[inline(always)]
    pub fn for_each_feature(&self, skeleton: &str, plain: &str, mut f: impl FnMut(u32)) {
        let mask = (self.buckets() - 1) as u64;
        if self.plain_words > 0 {
            let mut prev: u64 = 0x7f4a_7c15;
            for w in plain.split_ascii_whitespace() {
                let mut h = FNV_OFFSET ^ 0x5151;
                for &b in w.as_bytes() {
                    h = (h ^ b as u64).wrapping_mul(FNV_PRIME);
                }
                f((mix(h ^ 0x33) & mask) as u32);
                if self.plain_words >= 2 {
                    f((mix(h.wrapping_mul(31) ^ prev.rotate_left(17) ^ 0x44) & mask) as u32);
                }
                prev = h;
            }
        }
        if self.plain_char_max >= 2 {
            let b = plain.as_bytes();
            let lo = (self.char_min as usize).max(2);
            let hi = self.plain_char_max as usize;
            for i in 0..b.len() {
                let mut h = FNV_OFFSET ^ 0x7777;
                let end = (i + hi).min(b.len());
                for (k, &c) in b[i..end].iter().enumerate() {
                    h = (h ^ c as u64).wrapping_mul(FNV_PRIME);
                    if k + 1 >= lo {
                        f((mix(h ^ (k as u64 + 0x80)) & mask) as u32);
                    }
                }
            }
        }
        // Word n-grams.
        let mut prev: u64 = 0x9e37_79b9;
        for w in crate::normalize::split_spaces(skeleton).filter(|w| !w.is_empty()) {
            let mut h = FNV_OFFSET;
            for &b in w.as_bytes() {
                h = (h ^ b as u64).wrapping_mul(FNV_PRIME);
            }
            f((mix(h ^ 0x11) & mask) as u32);
            if self.word_ngrams >= 2 {
                f((mix(h.wrapping_mul(31) ^ prev.rotate_left(17) ^ 0x22) & mask) as u32);
            }
            prev = h;
        }
        // Character n-grams over the text padded with spaces.
        if self.char_min == 0 {
            return;
        }
        let b = skeleton.as_bytes();
        let n = b.len() + 2;
        // The padded text in a stack buffer (heap only for long texts), so
        // the inner loop has no edge tests.
        let mut stack = [b' '; 1024];
        let mut heap = Vec::new();
        let padded: &mut [u8] = if n <= stack.len() {
            &mut stack[..n]
        } else {
            heap.resize(n, b' ');
            &mut heap
        };
        padded[1..n - 1].copy_from_slice(b);
        padded[0] = b' ';
        padded[n - 1] = b' ';
        let padded = &*padded;
        let (lo, hi) = (self.char_min as usize, self.char_max as usize);
        for i in 0..n {
            let mut h = FNV_OFFSET;
            let end = (i + hi).min(n);
            for (k, &c) in padded[i..end].iter().enumerate() {
                // n-grams do not cross two words: stop after a space that is
                // not the first char.
                h = (h ^ c as u64).wrapping_mul(FNV_PRIME);
                if k + 1 >= lo {
                    f((mix(h ^ (k as u64 + 0x40)) & mask) as u32);
                }
                if c == b' ' && k > 0 {
                    break;
                }
            }
        }
    }
}

/// Training hyper-parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainConfig {
    pub features: FeatureConfig,
    /// Passes over the data.
    pub epochs: u32,
    /// AdaGrad base learning rate.
    pub learning_rate: f32,
    /// L2 penalty per update.
    pub l2: f32,
    /// Weigh classes inversely to their frequency.
    pub balance_classes: bool,
    /// Scale each feature by its naive-Bayes log-count ratio before the
    /// regression (NB-SVM, Wang & Manning 2012); folded into the weights
    /// afterwards, so prediction and model size do not change.
    pub nb_scaling: bool,
    /// Average the weights of the second half of the epochs.
    pub average: bool,
    /// Number of models (different shuffles) averaged into one.
    pub ensemble: u32,
    /// Seed of the shuffling.
    pub seed: u64,
    /// Cost of a converged L2-loss linear SVM (dual coordinate descent),
    /// its margin calibrated to a logit, instead of the AdaGrad logistic
    /// regression (0: AdaGrad). `ensemble`, `epochs`, `learning_rate`,
    /// `l2` and `average` do not apply to it.
    pub svm_c: f32,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            features: FeatureConfig::default(),
            epochs: 4,
            learning_rate: 0.2,
            l2: 1e-6,
            balance_classes: true,
            nb_scaling: true,
            average: false,
            ensemble: 1,
            seed: 0x5eed_2026,
            svm_c: 0.0,
        }
    }
}

/// A deterministic xorshift generator (no external crates, stable output).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    /// Uniform in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    /// Fisher-Yates shuffle.
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }
}

/// Featurises raw texts: normalise, take the skeleton, hash.
pub fn featurize(texts: &[&str], cfg: &FeatureConfig) -> Vec<Vec<u32>> {
    texts
        .iter()
        .map(|t| {
            let n = Normalized::new(t);
            let mut f = Vec::new();
            cfg.extract_views(&n, &mut f);
            f
        })
        .collect()
}

/// A binary logistic-regression model with float weights.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearModel {
    pub features: FeatureConfig,
    pub weights: Vec<f32>,
    pub bias: f32,
}

#[inline]
fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

impl LinearModel {
    /// Trains on raw texts.
    pub fn train(texts: &[&str], labels: &[bool], cfg: &TrainConfig) -> LinearModel {
        let feats = featurize(texts, &cfg.features);
        Self::train_features(&feats, labels, cfg)
    }

    /// Trains on already extracted features (lets cross-validation featurise
    /// once). With `cfg.ensemble > 1`, several models trained with different
    /// shuffling seeds are averaged (still one linear model).
    pub fn train_features(feats: &[Vec<u32>], labels: &[bool], cfg: &TrainConfig) -> LinearModel {
        Self::train_weighted(feats, labels, &[], cfg)
    }

    /// [`LinearModel::train_features`] with a weight per text (`weights`
    /// empty: all 1). Class balancing and the naive-Bayes ratios count
    /// texts by their weight.
    pub fn train_weighted<F: AsRef<[u32]>>(
        feats: &[F],
        labels: &[bool],
        weights: &[f32],
        cfg: &TrainConfig,
    ) -> LinearModel {
        if cfg.svm_c > 0.0 {
            // A converged SVM hardly depends on the shuffle: one model.
            return Self::train_svm_calibrated(feats, labels, weights, cfg);
        }
        let n = cfg.ensemble.max(1);
        let mut acc = Self::train_one(feats, labels, weights, cfg);
        for i in 1..n {
            let c = TrainConfig {
                seed: cfg.seed.wrapping_add(i as u64 * 0x9e37_79b9),
                ..*cfg
            };
            let m = Self::train_one(feats, labels, weights, &c);
            for (a, w) in acc.weights.iter_mut().zip(&m.weights) {
                *a += w;
            }
            acc.bias += m.bias;
        }
        if n > 1 {
            for a in &mut acc.weights {
                *a /= n as f32;
            }
            acc.bias /= n as f32;
        }
        acc
    }

    /// An SVM whose margin is mapped to a logit (Platt scaling): the scale
    /// and offset are fitted on the out-of-fold margins of three models
    /// trained without a third of the rows each, the naive-Bayes ratios
    /// included, so the head's logit means what a logistic head's does
    /// next to the other heads' and the subject models' in the gates.
    fn train_svm_calibrated<F: AsRef<[u32]>>(
        feats: &[F],
        labels: &[bool],
        weights: &[f32],
        cfg: &TrainConfig,
    ) -> LinearModel {
        const FOLDS: usize = 3;
        let sw = |i: usize| if weights.is_empty() { 1.0 } else { weights[i] };
        let mut order: Vec<usize> = (0..feats.len()).collect();
        Rng::new(cfg.seed ^ 0x9a77).shuffle(&mut order);
        let mut fold = vec![0usize; feats.len()];
        for (k, &i) in order.iter().enumerate() {
            fold[i] = k % FOLDS;
        }
        let mut margins = vec![0f32; feats.len()];
        for f in 0..FOLDS {
            let rows: Vec<usize> = (0..feats.len()).filter(|&i| fold[i] != f).collect();
            let x: Vec<&[u32]> = rows.iter().map(|&i| feats[i].as_ref()).collect();
            let y: Vec<bool> = rows.iter().map(|&i| labels[i]).collect();
            let w: Vec<f32> = rows.iter().map(|&i| sw(i)).collect();
            let m = Self::train_one(&x, &y, &w, cfg);
            for i in (0..feats.len()).filter(|&i| fold[i] == f) {
                margins[i] = m.margin(feats[i].as_ref());
            }
        }
        // The classes weigh as in the training.
        let (wp, wn) = class_weights(labels, weights, cfg);
        let cw: Vec<f32> = (0..labels.len())
            .map(|i| sw(i) * if labels[i] { wp } else { wn })
            .collect();
        let (a, b) = platt(&margins, labels, &cw);
        let mut model = Self::train_one(feats, labels, weights, cfg);
        for x in &mut model.weights {
            *x *= a;
        }
        model.bias = model.bias * a + b;
        model
    }

    /// The linear score (the logit of a logistic model) of features.
    fn margin(&self, f: &[u32]) -> f32 {
        if f.is_empty() {
            return self.bias;
        }
        let v = 1.0 / (f.len() as f32).sqrt();
        self.bias + f.iter().map(|&j| self.weights[j as usize]).sum::<f32>() * v
    }

    fn train_one<F: AsRef<[u32]>>(
        feats: &[F],
        labels: &[bool],
        weights: &[f32],
        cfg: &TrainConfig,
    ) -> LinearModel {
        assert_eq!(feats.len(), labels.len(), "one label per text");
        assert!(weights.is_empty() || weights.len() == labels.len());
        let buckets = cfg.features.buckets();
        let mut w = vec![0f32; buckets];
        let mut g2 = vec![0f32; buckets];
        let mut bias = 0f32;
        let mut bias_g2 = 0f32;
        let (wp, wn) = class_weights(labels, weights, cfg);
        let r = if cfg.nb_scaling {
            nb_ratios(feats, labels, weights, buckets)
        } else {
            Vec::new()
        };
        if cfg.svm_c > 0.0 {
            return svm_dual_cd(feats, labels, weights, (wp, wn), &r, cfg);
        }
        let scale = |j: usize| if r.is_empty() { 1.0 } else { r[j] };
        let mut order: Vec<usize> = (0..feats.len()).collect();
        let mut rng = Rng::new(cfg.seed);
        // Polyak-style averaging of the end-of-epoch weights over the second
        // half of training: smoother than the last SGD iterate.
        let mut avg_w = vec![0f32; if cfg.average { buckets } else { 0 }];
        let mut avg_b = 0f32;
        let mut averaged = 0u32;
        for epoch in 0..cfg.epochs {
            rng.shuffle(&mut order);
            for &i in &order {
                let f = feats[i].as_ref();
                if f.is_empty() {
                    continue;
                }
                let v = 1.0 / (f.len() as f32).sqrt();
                let z: f32 = bias
                    + f.iter()
                        .map(|&j| w[j as usize] * scale(j as usize))
                        .sum::<f32>()
                        * v;
                let y = if labels[i] { 1.0 } else { 0.0 };
                let cw = if labels[i] { wp } else { wn };
                let cw = if weights.is_empty() {
                    cw
                } else {
                    cw * weights[i]
                };
                let g = (sigmoid(z) - y) * cw;
                for &j in f {
                    let j = j as usize;
                    let gj = g * v * scale(j) + cfg.l2 * w[j];
                    g2[j] += gj * gj;
                    w[j] -= cfg.learning_rate * gj / (g2[j].sqrt() + 1e-8);
                }
                bias_g2 += g * g;
                bias -= cfg.learning_rate * g / (bias_g2.sqrt() + 1e-8);
            }
            if cfg.average && epoch * 2 >= cfg.epochs {
                for (a, x) in avg_w.iter_mut().zip(&w) {
                    *a += x;
                }
                avg_b += bias;
                averaged += 1;
            }
        }
        if cfg.average && averaged > 0 {
            let n = averaged as f32;
            w = avg_w.into_iter().map(|a| a / n).collect();
            bias = avg_b / n;
        }
        if !r.is_empty() {
            for (wj, rj) in w.iter_mut().zip(&r) {
                *wj *= rj;
            }
        }
        LinearModel {
            features: cfg.features,
            weights: w,
            bias,
        }
    }

    /// Probability of the positive class for precomputed features.
    pub fn predict_features(&self, f: &[u32]) -> f32 {
        sigmoid(self.margin(f))
    }

    /// Probability of the positive class for a raw text.
    pub fn predict(&self, text: &str) -> f32 {
        let n = Normalized::new(text);
        let mut f = Vec::new();
        self.features.extract_views(&n, &mut f);
        self.predict_features(&f)
    }
}

/// The weights of a positive and of a negative row: with
/// `balance_classes`, each class weighs as much as the other in all.
fn class_weights(labels: &[bool], weights: &[f32], cfg: &TrainConfig) -> (f32, f32) {
    if !cfg.balance_classes {
        return (1.0, 1.0);
    }
    let (pos, neg, total) = if weights.is_empty() {
        // Counted as integers: the shipped heads' arithmetic, exactly.
        let pos = labels.iter().filter(|&&l| l).count().max(1) as f32;
        (
            pos,
            (labels.len() as f32 - pos).max(1.0),
            labels.len() as f32,
        )
    } else {
        let sw = |i: usize| weights[i];
        let pos: f32 = (0..labels.len()).filter(|&i| labels[i]).map(sw).sum();
        let total: f32 = (0..labels.len()).map(sw).sum();
        (pos.max(1.0), (total - pos).max(1.0), total)
    };
    (total / (2.0 * pos), total / (2.0 * neg))
}

/// L2-regularised squared-hinge linear SVM by dual coordinate descent
/// (Hsieh et al. 2008, LIBLINEAR's `-s 1`), over the features the
/// logistic trainer sees (counts times the NB ratios, over the square root
/// of the text's length) and a bias feature of 1; the NB ratios are folded
/// into the weights as there. At most 200 passes; it stops when the
/// projected gradients span less than 0.1 (LIBLINEAR's default).
fn svm_dual_cd<F: AsRef<[u32]>>(
    feats: &[F],
    labels: &[bool],
    weights: &[f32],
    (wp, wn): (f32, f32),
    r: &[f32],
    cfg: &TrainConfig,
) -> LinearModel {
    let buckets = cfg.features.buckets();
    let scale = |j: usize| if r.is_empty() { 1.0 } else { r[j] as f64 };
    // Sparse rows with repeated buckets merged.
    let rows: Vec<Vec<(u32, f64)>> = feats
        .iter()
        .map(|f| {
            let f = f.as_ref();
            let mut s: Vec<u32> = f.to_vec();
            s.sort_unstable();
            let v = if f.is_empty() {
                0.0
            } else {
                1.0 / (f.len() as f64).sqrt()
            };
            let mut out: Vec<(u32, f64)> = Vec::new();
            for j in s {
                match out.last_mut() {
                    Some((k, x)) if *k == j => *x += v * scale(j as usize),
                    _ => out.push((j, v * scale(j as usize))),
                }
            }
            out
        })
        .collect();
    let n = rows.len();
    let c: Vec<f64> = (0..n)
        .map(|i| {
            let cw = if labels[i] { wp } else { wn };
            let sw = if weights.is_empty() { 1.0 } else { weights[i] };
            (cfg.svm_c * cw * sw) as f64
        })
        .collect();
    let diag: Vec<f64> = c.iter().map(|&ci| 0.5 / ci.max(1e-12)).collect();
    let qii: Vec<f64> = rows
        .iter()
        .zip(&diag)
        .map(|(row, d)| row.iter().map(|(_, x)| x * x).sum::<f64>() + 1.0 + d)
        .collect();
    let mut w = vec![0f64; buckets];
    let mut b = 0f64;
    let mut alpha = vec![0f64; n];
    let mut order: Vec<usize> = (0..n).collect();
    let mut rng = Rng::new(cfg.seed);
    for _ in 0..200 {
        rng.shuffle(&mut order);
        let (mut pg_max, mut pg_min) = (f64::NEG_INFINITY, f64::INFINITY);
        for &i in &order {
            let y = if labels[i] { 1.0 } else { -1.0 };
            let wx: f64 = b + rows[i].iter().map(|&(j, x)| w[j as usize] * x).sum::<f64>();
            let g = y * wx - 1.0 + diag[i] * alpha[i];
            let pg = if alpha[i] == 0.0 { g.min(0.0) } else { g };
            pg_max = pg_max.max(pg);
            pg_min = pg_min.min(pg);
            if pg.abs() > 1e-12 {
                let old = alpha[i];
                alpha[i] = (old - g / qii[i]).max(0.0);
                let d = (alpha[i] - old) * y;
                for &(j, x) in &rows[i] {
                    w[j as usize] += d * x;
                }
                b += d;
            }
        }
        if pg_max - pg_min < 0.1 {
            break;
        }
    }
    let weights: Vec<f32> = w
        .iter()
        .enumerate()
        .map(|(j, &x)| (x * scale(j)) as f32)
        .collect();
    LinearModel {
        features: cfg.features,
        weights,
        bias: b as f32,
    }
}

/// Scale and offset `(a, b)` of the weighted logistic fit of `labels` on
/// `a * margin + b` (Newton's method with a small ridge on `a`).
fn platt(margins: &[f32], labels: &[bool], weights: &[f32]) -> (f32, f32) {
    let (mut a, mut b) = (1f64, 0f64);
    for _ in 0..50 {
        let (mut ga, mut gb, mut haa, mut hab, mut hbb) = (1e-3 * (a - 1.0), 0.0, 1e-3, 0.0, 0.0);
        for ((&m, &l), &w) in margins.iter().zip(labels).zip(weights) {
            let (m, w) = (m as f64, w as f64);
            let p = 1.0 / (1.0 + (-(a * m + b)).exp());
            let g = (p - if l { 1.0 } else { 0.0 }) * w;
            let h = (p * (1.0 - p)).max(1e-12) * w;
            ga += g * m;
            gb += g;
            haa += h * m * m;
            hab += h * m;
            hbb += h;
        }
        let det = haa * hbb - hab * hab;
        if det.abs() < 1e-18 {
            break;
        }
        let da = (hbb * ga - hab * gb) / det;
        let db = (haa * gb - hab * ga) / det;
        a -= da;
        b -= db;
        if da.abs() + db.abs() < 1e-9 {
            break;
        }
    }
    (a as f32, b as f32)
}

/// Naive-Bayes log-count ratios of every bucket (document frequency per
/// class, each text counted with its weight, add-one smoothing).
fn nb_ratios<F: AsRef<[u32]>>(
    feats: &[F],
    labels: &[bool],
    weights: &[f32],
    buckets: usize,
) -> Vec<f32> {
    let mut p = vec![1f32; buckets];
    let mut q = vec![1f32; buckets];
    let mut seen: Vec<u32> = Vec::new();
    for (i, (f, &l)) in feats.iter().zip(labels).enumerate() {
        seen.clear();
        seen.extend_from_slice(f.as_ref());
        seen.sort_unstable();
        seen.dedup();
        let t = if l { &mut p } else { &mut q };
        let wi = if weights.is_empty() { 1.0 } else { weights[i] };
        for &j in &seen {
            t[j as usize] += wi;
        }
    }
    let sp: f32 = p.iter().sum();
    let sq: f32 = q.iter().sum();
    p.iter()
        .zip(&q)
        .map(|(a, b)| ((a / sp) / (b / sq)).ln())
        .collect()
}

/// What one head of the bundle detects.
#[derive(Debug, Clone, PartialEq)]
pub struct HeadMeta {
    /// Stable name ("hate_ethnicity", "misogyny", ...).
    pub name: String,
    pub category: Category,
    pub target: Option<DiscriminationTarget>,
    /// Probability from which the analyzer reports a finding.
    pub threshold: f32,
    pub bias: f32,
    /// Dequantisation factor of this head's weights.
    pub scale: f32,
}

/// The dequantisation of one subject model (see [`ModelBundle::subjects`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SubjectMeta {
    pub bias: f32,
    pub scale: f32,
}

/// A second model of one head over its own feature space (for instance the
/// plain view): the head's probability is the mean of the shared head's and
/// its companions' probabilities. A companion is evaluated only when its
/// head is asked for (see [`ModelBundle::predict_heads_into`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Companion {
    /// Index of the head in [`ModelBundle::heads`].
    pub head: usize,
    pub features: FeatureConfig,
    pub bias: f32,
    /// Dequantisation factor of `weights`.
    pub scale: f32,
    /// One `i8` weight per bucket of `features`.
    pub weights: Vec<i8>,
}

impl Companion {
    /// Quantises a trained model into a companion of head `head`.
    pub fn from_model(head: usize, model: &LinearModel) -> Companion {
        let (weights, scale) = quantize(&model.weights);
        Companion {
            head,
            features: model.features,
            bias: model.bias,
            scale,
            weights,
        }
    }

    /// Probability of the positive class for the two views of a text.
    pub fn predict_views(&self, skeleton: &str, plain: &str) -> f32 {
        let mut acc = 0i32;
        let mut n = 0u32;
        let w = &self.weights;
        self.features.for_each_feature(skeleton, plain, |j| {
            if let Some(&x) = w.get(j as usize) {
                acc += x as i32;
            }
            n += 1;
        });
        let v = if n == 0 { 0.0 } else { 1.0 / (n as f32).sqrt() };
        sigmoid(self.bias + acc as f32 * self.scale * v)
    }
}

/// `i8` weights and their dequantisation factor.
fn quantize(w: &[f32]) -> (Vec<i8>, f32) {
    let max = w.iter().fold(0f32, |m, w| m.max(w.abs()));
    let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
    let q = w
        .iter()
        .map(|w| (w / scale).round().clamp(-127.0, 127.0) as i8)
        .collect();
    (q, scale)
}

/// Several heads sharing one feature extraction, with `i8` weights, plus
/// optional per-head companion models.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelBundle {
    pub features: FeatureConfig,
    pub heads: Vec<HeadMeta>,
    /// One subject model per head, or none: the probability that a text
    /// speaks of what the head's corpora speak of (women, immigration...),
    /// whatever its tone. Trained on which corpus a text comes from; the
    /// gates read it to trust a head on its own ground only.
    pub subjects: Vec<SubjectMeta>,
    /// `weights[bucket * stride + k]`, `stride` = heads + subjects: the
    /// heads' weights of a bucket, then the subjects'.
    pub weights: Vec<i8>,
    /// Companion models, sorted by head.
    pub companions: Vec<Companion>,
    /// One gate per head (see [`crate::gate`]), or none: a bundle without
    /// gates (the inner folds' models of the training) lets a head speak
    /// when its group is named and its probability reaches the head's
    /// threshold.
    pub gates: Vec<Gate>,
}

/// Error decoding a model file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelError(pub String);

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid model file: {}", self.0)
    }
}

impl std::error::Error for ModelError {}

/// File magic: `PIAZZAM` and the format version. Version 6 (the only one
/// read) stores the plain-view bytes of every feature config, the subject
/// models after the heads (their weights interleaved with the heads'),
/// appends the companion models and then the heads' gates (whose features
/// include the subjects since version 6); versions 1 to 5 are rejected
/// with a message asking to retrain.
const MAGIC_PREFIX: &[u8; 7] = b"PIAZZAM";
const VERSION: u8 = b'6';

impl ModelBundle {
    /// Quantises trained models into a bundle.
    pub fn from_models(heads: Vec<(HeadMeta, LinearModel)>) -> ModelBundle {
        let features = heads.first().map(|(_, m)| m.features).unwrap_or_default();
        let nb = features.buckets();
        let nh = heads.len();
        let mut weights = vec![0i8; nb * nh];
        let mut metas = Vec::with_capacity(nh);
        for (h, (mut meta, model)) in heads.into_iter().enumerate() {
            assert_eq!(model.features, features, "heads share one feature config");
            let (q, scale) = quantize(&model.weights);
            for (b, w) in q.into_iter().enumerate() {
                weights[b * nh + h] = w;
            }
            meta.bias = model.bias;
            meta.scale = scale;
            metas.push(meta);
        }
        ModelBundle {
            features,
            heads: metas,
            subjects: Vec::new(),
            weights,
            companions: Vec::new(),
            gates: Vec::new(),
        }
    }

    /// Weights per bucket: the heads', then the subjects'.
    pub fn stride(&self) -> usize {
        self.heads.len() + self.subjects.len()
    }

    /// Sets the subject models, one per head, in the heads' order (their
    /// weights are interleaved with the heads', read in the same pass).
    pub fn with_subjects(mut self, models: &[LinearModel]) -> ModelBundle {
        assert_eq!(models.len(), self.heads.len(), "one subject per head");
        assert!(self.stride() + models.len() <= 16, "at most 16 models");
        let nh = self.heads.len();
        let nw = nh + models.len();
        let nb = self.features.buckets();
        let mut weights = vec![0i8; nb * nw];
        for b in 0..nb {
            weights[b * nw..b * nw + nh].copy_from_slice(&self.weights[b * nh..b * nh + nh]);
        }
        self.subjects.clear();
        for (k, m) in models.iter().enumerate() {
            assert_eq!(
                m.features, self.features,
                "subjects share the heads' features"
            );
            let (q, scale) = quantize(&m.weights);
            for (b, w) in q.into_iter().enumerate() {
                weights[b * nw + nh + k] = w;
            }
            self.subjects.push(SubjectMeta {
                bias: m.bias,
                scale,
            });
        }
        self.weights = weights;
        self
    }

    /// Sets the heads' gates (one per head).
    pub fn with_gates(mut self, gates: Vec<Gate>) -> ModelBundle {
        assert_eq!(gates.len(), self.heads.len(), "one gate per head");
        self.gates = gates;
        self
    }

    /// Adds companion models: `(head index, trained model)`.
    pub fn with_companions(mut self, companions: &[(usize, LinearModel)]) -> ModelBundle {
        for (h, m) in companions {
            assert!(*h < self.heads.len(), "companion of an existing head");
            self.companions.push(Companion::from_model(*h, m));
        }
        self.companions.sort_by_key(|c| c.head);
        self
    }

    /// Probabilities of every head, companions included, into `out`.
    pub fn predict_normalized_into(&self, norm: &Normalized, out: &mut [f32]) {
        self.predict_heads_into(norm, out, |_| true);
    }

    /// Probabilities of every head into `out`; companions are evaluated only
    /// for the heads `wanted` accepts (the others get the shared head's
    /// probability alone). With no companions this is one pass of hashing.
    pub fn predict_heads_into(
        &self,
        norm: &Normalized,
        out: &mut [f32],
        wanted: impl Fn(usize) -> bool,
    ) {
        self.predict_views_into(&norm.skeleton, &norm.plain, out);
        self.add_companions(norm, out, wanted);
    }

    /// The shared heads' probabilities alone (no companion) into `out`:
    /// the first half of [`ModelBundle::predict_heads_into`].
    pub fn predict_shared_into(&self, norm: &Normalized, out: &mut [f32]) {
        self.predict_views_into(&norm.skeleton, &norm.plain, out);
    }

    /// The heads that have companions, each with its number of companions
    /// (sorted by head).
    pub fn companion_heads(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.companions
            .chunk_by(|a, b| a.head == b.head)
            .map(|g| (g[0].head, g.len()))
    }

    /// Averages the companions of the heads `wanted` accepts into the
    /// shared probabilities `out` (of [`ModelBundle::predict_shared_into`]):
    /// the second half of [`ModelBundle::predict_heads_into`].
    pub fn add_companions(
        &self,
        norm: &Normalized,
        out: &mut [f32],
        wanted: impl Fn(usize) -> bool,
    ) {
        let mut i = 0;
        while i < self.companions.len() {
            let h = self.companions[i].head;
            let mut j = i;
            while j < self.companions.len() && self.companions[j].head == h {
                j += 1;
            }
            if h < out.len() && wanted(h) {
                let sum: f32 = self.companions[i..j]
                    .iter()
                    .map(|c| c.predict_views(&norm.skeleton, &norm.plain))
                    .sum();
                out[h] = (out[h] + sum) / (1 + j - i) as f32;
            }
            i = j;
        }
    }

    /// Probabilities of every head, then of every subject, for the
    /// features `f`, into `out` (as many as it holds).
    pub fn predict_features(&self, f: &[u32], out: &mut [f32]) {
        let nw = self.stride().min(16);
        let mut acc = [0i32; 16];
        for &j in f {
            let row = &self.weights[j as usize * nw..j as usize * nw + nw];
            for (a, &w) in acc.iter_mut().zip(row) {
                *a += w as i32;
            }
        }
        let n = f.len() as u32;
        self.probabilities(&acc[..nw], n, out);
    }

    /// The probabilities of summed weights `acc` over `n` features.
    fn probabilities(&self, acc: &[i32], n: u32, out: &mut [f32]) {
        let v = if n == 0 { 0.0 } else { 1.0 / (n as f32).sqrt() };
        let nh = self.heads.len();
        for (k, o) in out.iter_mut().enumerate().take(acc.len()) {
            let (bias, scale) = match self.heads.get(k) {
                Some(h) => (h.bias, h.scale),
                None => {
                    let s = &self.subjects[k - nh];
                    (s.bias, s.scale)
                }
            };
            *o = sigmoid(bias + acc[k] as f32 * scale * v);
        }
    }

    /// Probabilities of every head for a skeleton into `out` (one per head),
    /// hashing and scoring in one pass without allocating.
    pub fn predict_skeleton_into(&self, skeleton: &str, out: &mut [f32]) {
        self.predict_views_into(skeleton, skeleton, out);
    }

    fn predict_views_into(&self, skeleton: &str, plain: &str, out: &mut [f32]) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has the features the function is compiled for.
            return unsafe { self.predict_views_avx2(skeleton, plain, out) };
        }
        self.predict_views_portable(skeleton, plain, out)
    }

    /// [`ModelBundle::predict_views_into`] compiled for AVX2, which widens a
    /// bucket's eight weights to 32 bits in one instruction (SSE2 needs
    /// unpacks and shifts) and sums them in one; 5–8% faster in three
    /// paired runs of four (docs/benchmarks.md).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn predict_views_avx2(&self, skeleton: &str, plain: &str, out: &mut [f32]) {
        self.predict_views_portable(skeleton, plain, out)
    }

    #[inline(always)]
    fn predict_views_portable(&self, skeleton: &str, plain: &str, out: &mut [f32]) {
        let nw = self.stride().min(16);
        let mut acc = [0i32; 16];
        let mut n = 0u32;
        let w = &self.weights;
        // A bucket's weights as one array: one bounds check, and the sums
        // in one vector.
        //
        // The buckets are hashed first and read afterwards, a batch at a
        // time: the table (2 MB) does not fit a core's L2 cache, and a
        // tight loop of reads keeps many misses in flight where reads
        // between the hashing kept a few.
        #[inline(always)]
        fn rows<const N: usize>(
            bundle: &ModelBundle,
            skeleton: &str,
            plain: &str,
            acc: &mut [i32; 16],
            n: &mut u32,
        ) {
            #[inline(always)]
            fn add<const N: usize>(rows: &[[i8; N]], batch: &[u32], sum: &mut [i32; N]) {
                for &j in batch {
                    if let Some(r) = rows.get(j as usize) {
                        for (s, &x) in sum.iter_mut().zip(r) {
                            *s += x as i32;
                        }
                    }
                }
            }
            const BATCH: usize = 256;
            let (rows, _) = bundle.weights.as_chunks::<N>();
            let mut sum = [0i32; N];
            let mut batch = [0u32; BATCH];
            let mut len = 0;
            bundle.features.for_each_feature(skeleton, plain, |j| {
                batch[len] = j;
                len += 1;
                if len == BATCH {
                    add(rows, &batch, &mut sum);
                    len = 0;
                }
                *n += 1;
            });
            add(rows, &batch[..len], &mut sum);
            acc[..N].copy_from_slice(&sum);
        }
        match nw {
            4 => rows::<4>(self, skeleton, plain, &mut acc, &mut n),
            8 => rows::<8>(self, skeleton, plain, &mut acc, &mut n),
            _ => self.features.for_each_feature(skeleton, plain, |j| {
                let j = j as usize * nw;
                if let Some(r) = w.get(j..j + nw) {
                    for (a, &x) in acc.iter_mut().zip(r) {
                        *a += x as i32;
                    }
                }
                n += 1;
            }),
        }
        self.probabilities(&acc[..nw], n, out);
    }

    /// Probabilities of every head for a skeleton.
    pub fn predict_skeleton(&self, skeleton: &str, scratch: &mut Vec<u32>) -> Vec<f32> {
        scratch.clear();
        self.features.extract(skeleton, scratch);
        let mut out = vec![0.0; self.heads.len()];
        self.predict_features(scratch, &mut out);
        out
    }

    /// Serialises the bundle (little endian, versioned).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(self.weights.len() + 256);
        b.extend_from_slice(MAGIC_PREFIX);
        b.push(VERSION);
        put_features(&mut b, &self.features);
        b.push(self.heads.len() as u8);
        for h in &self.heads {
            put_str(&mut b, &h.name);
            put_str(&mut b, h.category.as_str());
            put_str(&mut b, h.target.map_or("", |t| t.as_str()));
            b.extend_from_slice(&h.threshold.to_le_bytes());
            b.extend_from_slice(&h.bias.to_le_bytes());
            b.extend_from_slice(&h.scale.to_le_bytes());
        }
        b.push(self.subjects.len() as u8);
        for s in &self.subjects {
            b.extend_from_slice(&s.bias.to_le_bytes());
            b.extend_from_slice(&s.scale.to_le_bytes());
        }
        b.extend(self.weights.iter().map(|&w| w as u8));
        assert!(self.companions.len() <= 255, "at most 255 companions");
        b.push(self.companions.len() as u8);
        for c in &self.companions {
            b.push(c.head as u8);
            put_features(&mut b, &c.features);
            b.extend_from_slice(&c.bias.to_le_bytes());
            b.extend_from_slice(&c.scale.to_le_bytes());
            b.extend(c.weights.iter().map(|&w| w as u8));
        }
        b.push(self.gates.len() as u8);
        for g in &self.gates {
            b.push(g.weights.len() as u8);
            for w in &g.weights {
                b.extend_from_slice(&w.to_le_bytes());
            }
            b.extend_from_slice(&g.threshold.to_le_bytes());
        }
        b
    }

    /// Decodes a bundle written by [`ModelBundle::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<ModelBundle, ModelError> {
        let mut r = Reader { b: bytes, pos: 0 };
        let magic = r.take(8)?;
        if &magic[..7] != MAGIC_PREFIX {
            return Err(ModelError("bad magic".into()));
        }
        if magic[7] != VERSION {
            return Err(ModelError(format!(
                "format version {} is not supported (this build reads version {}): retrain the model with `piazza train`",
                magic[7] as char, VERSION as char
            )));
        }
        let features = r.features()?;
        let nh = r.take(1)?[0] as usize;
        if nh == 0 || nh > 16 {
            return Err(ModelError("bad head count".into()));
        }
        let mut heads = Vec::with_capacity(nh);
        for _ in 0..nh {
            let name = r.string()?;
            let category = r
                .string()?
                .parse::<Category>()
                .map_err(|e| ModelError(e.to_string()))?;
            let t = r.string()?;
            let target = if t.is_empty() {
                None
            } else {
                Some(
                    t.parse::<DiscriminationTarget>()
                        .map_err(|e| ModelError(e.to_string()))?,
                )
            };
            let threshold = r.f32()?;
            let bias = r.f32()?;
            let scale = r.f32()?;
            heads.push(HeadMeta {
                name,
                category,
                target,
                threshold,
                bias,
                scale,
            });
        }
        let ns = r.take(1)?[0] as usize;
        if ns != 0 && ns != nh || nh + ns > 16 {
            return Err(ModelError("bad subject count".into()));
        }
        let mut subjects = Vec::with_capacity(ns);
        for _ in 0..ns {
            let bias = r.f32()?;
            let scale = r.f32()?;
            subjects.push(SubjectMeta { bias, scale });
        }
        let n = features.buckets() * (nh + ns);
        let weights: Vec<i8> = r.take(n)?.iter().map(|&w| w as i8).collect();
        let nc = r.take(1)?[0] as usize;
        let mut companions: Vec<Companion> = Vec::with_capacity(nc);
        for _ in 0..nc {
            let head = r.take(1)?[0] as usize;
            if head >= nh || companions.last().is_some_and(|c| c.head > head) {
                return Err(ModelError("bad companion head".into()));
            }
            let features = r.features()?;
            let bias = r.f32()?;
            let scale = r.f32()?;
            let weights = r
                .take(features.buckets())?
                .iter()
                .map(|&w| w as i8)
                .collect();
            companions.push(Companion {
                head,
                features,
                bias,
                scale,
                weights,
            });
        }
        let ng = r.take(1)?[0] as usize;
        if ng != 0 && ng != nh {
            return Err(ModelError("bad gate count".into()));
        }
        let mut gates = Vec::with_capacity(ng);
        for _ in 0..ng {
            if r.take(1)?[0] as usize != FEATURES {
                return Err(ModelError(format!(
                    "gates of another feature count (this build has {FEATURES}): retrain the model with `piazza train`"
                )));
            }
            let mut weights = [0f32; FEATURES];
            for w in &mut weights {
                *w = r.f32()?;
            }
            let threshold = r.f32()?;
            gates.push(Gate { weights, threshold });
        }
        if r.pos != bytes.len() {
            return Err(ModelError("trailing bytes".into()));
        }
        Ok(ModelBundle {
            features,
            heads,
            subjects,
            weights,
            companions,
            gates,
        })
    }
}

fn put_features(b: &mut Vec<u8>, f: &FeatureConfig) {
    b.extend_from_slice(&[
        f.bits,
        f.word_ngrams,
        f.char_min,
        f.char_max,
        f.plain_words,
        f.plain_char_max,
    ]);
}

fn put_str(b: &mut Vec<u8>, s: &str) {
    b.push(s.len() as u8);
    b.extend_from_slice(s.as_bytes());
}

struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ModelError> {
        if self.pos + n > self.b.len() {
            return Err(ModelError("truncated".into()));
        }
        let s = &self.b[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    fn string(&mut self) -> Result<String, ModelError> {
        let n = self.take(1)?[0] as usize;
        String::from_utf8(self.take(n)?.to_vec()).map_err(|_| ModelError("bad string".into()))
    }
    fn features(&mut self) -> Result<FeatureConfig, ModelError> {
        let f = self.take(6)?;
        let features = FeatureConfig {
            bits: f[0],
            word_ngrams: f[1],
            char_min: f[2],
            char_max: f[3],
            plain_words: f[4],
            plain_char_max: f[5],
        };
        if !(8..=24).contains(&features.bits)
            || features.word_ngrams > 2
            || features.char_max > 8
            || features.char_min > features.char_max
            || features.plain_words > 2
            || features.plain_char_max > 8
        {
            return Err(ModelError("bad feature config".into()));
        }
        Ok(features)
    }
    fn f32(&mut self) -> Result<f32, ModelError> {
        let s = self.take(4)?;
        Ok(f32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy() -> (Vec<&'static str>, Vec<bool>) {
        let pos = [
            "odio questi immigrati",
            "fuori gli immigrati",
            "immigrati delinquenti",
        ];
        let neg = [
            "bella giornata al parco",
            "grazie per il concerto",
            "la biblioteca apre alle nove",
        ];
        let texts: Vec<&str> = pos.iter().chain(neg.iter()).copied().collect();
        let labels = vec![true, true, true, false, false, false];
        (texts, labels)
    }

    /// The default training on 2^12 buckets, enough for the toy texts.
    fn small_cfg() -> TrainConfig {
        TrainConfig {
            features: FeatureConfig {
                bits: 12,
                ..FeatureConfig::default()
            },
            ..TrainConfig::default()
        }
    }

    #[test]
    fn training_is_deterministic_and_learns() {
        let (texts, labels) = toy();
        let cfg = small_cfg();
        let a = LinearModel::train(&texts, &labels, &cfg);
        let b = LinearModel::train(&texts, &labels, &cfg);
        assert_eq!(a, b);
        assert!(a.predict("immigrati delinquenti fuori") > 0.5);
        assert!(a.predict("concerto al parco") < 0.5);
    }

    #[test]
    fn platt_scaling_recovers_the_scale_and_offset_of_the_labels() {
        // At each margin, the share of positives that a*m + b predicts.
        let (a, b) = (2.0f64, -0.5f64);
        let mut margins = Vec::new();
        let mut labels = Vec::new();
        for k in -20..=20 {
            let m = k as f64 / 10.0;
            let p = 1.0 / (1.0 + (-(a * m + b)).exp());
            let pos = (p * 200.0).round() as usize;
            for i in 0..200 {
                margins.push(m as f32);
                labels.push(i < pos);
            }
        }
        let weights = vec![1.0; labels.len()];
        let (fa, fb) = platt(&margins, &labels, &weights);
        assert!((fa as f64 - a).abs() < 0.05, "scale {fa}");
        assert!((fb as f64 - b).abs() < 0.05, "offset {fb}");
    }

    /// Texts of a few words, the positive ones with one of three words
    /// of contempt, and some of them mislabelled, so no model is perfect.
    fn noisy() -> (Vec<String>, Vec<bool>) {
        let filler = [
            "oggi",
            "il",
            "parco",
            "biblioteca",
            "sindaco",
            "strada",
            "bus",
            "scuola",
            "festa",
            "mercato",
            "piazza",
            "ponte",
            "giardino",
            "museo",
        ];
        let contempt = ["schifosi", "parassiti", "feccia"];
        let mut rng = Rng::new(7);
        let mut texts = Vec::new();
        let mut labels = Vec::new();
        for i in 0..240 {
            let hateful = i % 2 == 0;
            let mut words: Vec<&str> = (0..5).map(|_| filler[rng.below(filler.len())]).collect();
            if hateful {
                words.insert(rng.below(5), contempt[rng.below(3)]);
            }
            texts.push(words.join(" "));
            labels.push(hateful ^ (i % 17 == 0));
        }
        (texts, labels)
    }

    #[test]
    fn an_svm_head_is_deterministic_learns_and_speaks_in_logits() {
        let (texts, labels) = noisy();
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        let cfg = TrainConfig {
            svm_c: 1.0,
            ..small_cfg()
        };
        let a = LinearModel::train(&texts, &labels, &cfg);
        assert_eq!(a, LinearModel::train(&texts, &labels, &cfg));
        let uncalibrated =
            LinearModel::train_one(&featurize(&texts, &cfg.features), &labels, &[], &cfg);
        assert_ne!(a.weights, uncalibrated.weights, "the margin is rescaled");
        let hateful = a.predict("il sindaco e i parassiti del mercato");
        let plain = a.predict("il sindaco e il mercato");
        assert!(hateful > 0.8 && plain < 0.2, "{hateful} {plain}");
        // Calibrated: about as many positives as the probabilities say.
        let expected: f32 = texts.iter().map(|t| a.predict(t)).sum();
        let positives = labels.iter().filter(|&&l| l).count() as f32;
        assert!(
            (expected - positives).abs() < 0.15 * positives,
            "{expected} vs {positives}"
        );
    }

    #[test]
    fn bundle_round_trips_and_agrees_with_the_float_model() {
        let (texts, labels) = toy();
        let cfg = small_cfg();
        let m = LinearModel::train(&texts, &labels, &cfg);
        let meta = HeadMeta {
            name: "toy".into(),
            category: Category::Discrimination,
            target: Some(DiscriminationTarget::Ethnicity),
            threshold: 0.5,
            bias: 0.0,
            scale: 0.0,
        };
        let bundle = ModelBundle::from_models(vec![(meta, m.clone())]);
        let bytes = bundle.to_bytes();
        let back = ModelBundle::from_bytes(&bytes).unwrap();
        assert_eq!(back, bundle);
        let mut scratch = Vec::new();
        for t in ["immigrati delinquenti fuori", "concerto al parco"] {
            let q = back.predict_skeleton(&Normalized::new(t).skeleton, &mut scratch)[0];
            assert!(
                (q - m.predict(t)).abs() < 0.05,
                "{t}: {q} vs {}",
                m.predict(t)
            );
        }
        assert!(ModelBundle::from_bytes(&bytes[..bytes.len() - 1]).is_err());
        assert!(ModelBundle::from_bytes(b"nonsense").is_err());
    }

    #[test]
    fn companions_round_trip_average_and_are_gated() {
        let (texts, labels) = toy();
        let cfg = small_cfg();
        let plain = TrainConfig {
            features: FeatureConfig {
                bits: 10,
                char_min: 0,
                char_max: 0,
                plain_words: 2,
                plain_char_max: 5,
                ..FeatureConfig::default()
            },
            ..cfg
        };
        let m = LinearModel::train(&texts, &labels, &cfg);
        let c = LinearModel::train(&texts, &labels, &plain);
        let meta = |name: &str| HeadMeta {
            name: name.into(),
            category: Category::Discrimination,
            target: Some(DiscriminationTarget::Ethnicity),
            threshold: 0.5,
            bias: 0.0,
            scale: 0.0,
        };
        let bundle = ModelBundle::from_models(vec![(meta("a"), m.clone()), (meta("b"), m)])
            .with_companions(&[(1, c.clone())]);
        let bytes = bundle.to_bytes();
        let back = ModelBundle::from_bytes(&bytes).unwrap();
        assert_eq!(back, bundle);
        let n = Normalized::new("immigrati delinquenti fuori");
        let (mut all, mut gated) = ([0f32; 2], [0f32; 2]);
        back.predict_normalized_into(&n, &mut all);
        back.predict_heads_into(&n, &mut gated, |h| h == 0);
        // Head 0 has no companion; head 1 averages its companion in only
        // when asked for.
        assert_eq!(all[0], gated[0]);
        assert_eq!(gated[1], gated[0]);
        let q = back.companions[0].predict_views(&n.skeleton, &n.plain);
        assert!((q - c.predict("immigrati delinquenti fuori")).abs() < 0.05);
        assert!((all[1] - (gated[0] + q) / 2.0).abs() < 1e-6);
        assert!(ModelBundle::from_bytes(&bytes[..bytes.len() - 1]).is_err());
        let mut long = bytes.clone();
        long.push(0);
        assert!(ModelBundle::from_bytes(&long).is_err());
    }

    /// Four heads and their four subject models share each bucket's row:
    /// one pass gives the heads' probabilities, then the subjects', each
    /// within quantisation of its float model, and the file keeps them.
    #[test]
    fn subjects_are_read_in_the_heads_pass_and_round_trip() {
        let (texts, labels) = toy();
        let cfg = small_cfg();
        let flipped: Vec<bool> = labels.iter().map(|l| !l).collect();
        let models: Vec<LinearModel> = (0..4)
            .map(|i| {
                let y = if i % 2 == 0 { &labels } else { &flipped };
                LinearModel::train(&texts, y, &cfg)
            })
            .collect();
        let subjects: Vec<LinearModel> = models.iter().rev().cloned().collect();
        let heads = models
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let meta = HeadMeta {
                    name: format!("h{i}"),
                    category: Category::Discrimination,
                    target: Some(DiscriminationTarget::Ethnicity),
                    threshold: 0.5,
                    bias: 0.0,
                    scale: 0.0,
                };
                (meta, m.clone())
            })
            .collect();
        let bundle = ModelBundle::from_models(heads).with_subjects(&subjects);
        assert_eq!(bundle.stride(), 8);
        let back = ModelBundle::from_bytes(&bundle.to_bytes()).unwrap();
        assert_eq!(back, bundle);
        for t in ["immigrati delinquenti fuori", "concerto al parco"] {
            let n = Normalized::new(t);
            let mut out = [0f32; 8];
            back.predict_normalized_into(&n, &mut out);
            let mut f = Vec::new();
            cfg.features.extract_views(&n, &mut f);
            let mut by_features = [0f32; 8];
            back.predict_features(&f, &mut by_features);
            assert_eq!(out, by_features, "{t}");
            for (k, m) in models.iter().chain(&subjects).enumerate() {
                assert!((out[k] - m.predict(t)).abs() < 0.05, "{t} {k}");
            }
            // Asking for the heads alone gives the same heads.
            let mut heads = [0f32; 4];
            back.predict_normalized_into(&n, &mut heads);
            assert_eq!(heads, out[..4]);
        }
        let e = ModelBundle::from_bytes(&bundle.to_bytes()[..100]);
        assert!(e.is_err());
    }

    #[test]
    fn old_format_versions_are_rejected_with_a_clear_message() {
        let mut bytes = b"PIAZZAM1".to_vec();
        bytes.extend_from_slice(&[18, 2, 1, 6, 1]);
        let e = ModelBundle::from_bytes(&bytes).unwrap_err().to_string();
        assert!(e.contains("version 1 is not supported"), "{e}");
        assert!(e.contains("piazza train"), "{e}");
        bytes[7] = b'2';
        let e = ModelBundle::from_bytes(&bytes).unwrap_err().to_string();
        assert!(e.contains("version 2"), "{e}");
        // The version before the subject models.
        bytes[7] = b'5';
        let e = ModelBundle::from_bytes(&bytes).unwrap_err().to_string();
        assert!(e.contains("version 5"), "{e}");
    }

    #[test]
    fn features_stay_in_range() {
        let cfg = FeatureConfig {
            bits: 10,
            ..FeatureConfig::default()
        };
        let mut out = Vec::new();
        cfg.extract("ciao a tutti 😀 come va", &mut out);
        assert!(!out.is_empty());
        assert!(out.iter().all(|&b| (b as usize) < cfg.buckets()));
    }
}
