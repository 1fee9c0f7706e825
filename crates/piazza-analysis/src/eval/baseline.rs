//! The reference baseline of the evaluation: TF-IDF over word 1-2-grams and
//! character 2-5-grams inside words, and a linear SVM (L2-regularised,
//! squared hinge loss, balanced class weights, `C = 1`), trained by dual
//! coordinate descent as LIBLINEAR trains it. It is what scikit-learn's
//! `TfidfVectorizer` + `LinearSVC` would give, written here so that
//! `piazza eval --cv K` can train and score it on exactly the folds of the
//! pipeline, in one command, with no new dependency.
//!
//! Texts are lower-cased (nothing else: no skeleton, no accent folding, as
//! the scikit-learn defaults). Word tokens are runs of two or more
//! alphanumeric chars; character n-grams are taken inside each
//! whitespace-separated word padded with one space (`char_wb`). Each block
//! is hashed into 2^20 buckets, weighted by sublinear tf times smoothed idf
//! (fitted on the training texts) and L2-normalised; the two blocks are
//! concatenated and normalised again. Deterministic: fixed seed, no threads.

use crate::model::Rng;

const BLOCK_BITS: u32 = 20;
const BLOCK: u32 = 1 << BLOCK_BITS;

/// Baseline settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BaselineConfig {
    /// SVM cost.
    pub c: f64,
    /// Weigh the classes inversely to their frequency.
    pub balanced: bool,
    /// Stop when the projected gradient's spread falls under this.
    pub tolerance: f64,
    pub max_epochs: usize,
    pub seed: u64,
}

impl Default for BaselineConfig {
    fn default() -> Self {
        BaselineConfig {
            c: 1.0,
            balanced: true,
            tolerance: 0.1,
            max_epochs: 1000,
            seed: 0x5eed_2026,
        }
    }
}

/// The hashed n-gram counts of one text: (bucket, count), buckets of the
/// word block below 2^20, of the character block from 2^20.
fn counts(text: &str) -> Vec<(u32, f32)> {
    let lower = text.to_lowercase();
    let mut out: Vec<u32> = Vec::new();
    let hash = |tag: u64, s: &[char]| -> u32 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ tag;
        for &c in s {
            h = (h ^ c as u64).wrapping_mul(0x0000_0100_0000_01b3);
        }
        h ^= h >> 29;
        h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
        h ^= h >> 32;
        (h as u32) & (BLOCK - 1)
    };
    // Word 1-2-grams over tokens of two or more alphanumeric chars.
    let chars: Vec<char> = lower.chars().collect();
    let mut tokens: Vec<&[char]> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_alphanumeric() || chars[i] == '_' {
            let s = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            if i - s >= 2 {
                tokens.push(&chars[s..i]);
            }
        } else {
            i += 1;
        }
    }
    for (n, t) in tokens.iter().enumerate() {
        out.push(hash(1, t));
        if n > 0 {
            let mut bi: Vec<char> = tokens[n - 1].to_vec();
            bi.push(' ');
            bi.extend_from_slice(t);
            out.push(hash(1, &bi));
        }
    }
    // Character 2-5-grams inside space-padded words.
    let mut padded: Vec<char> = Vec::new();
    for w in lower.split_whitespace() {
        padded.clear();
        padded.push(' ');
        padded.extend(w.chars());
        padded.push(' ');
        for n in 2..=5usize {
            if n > padded.len() {
                break;
            }
            for s in 0..=padded.len() - n {
                out.push(BLOCK + hash(2, &padded[s..s + n]));
            }
        }
    }
    out.sort_unstable();
    let mut merged: Vec<(u32, f32)> = Vec::with_capacity(out.len());
    for b in out {
        match merged.last_mut() {
            Some((last, c)) if *last == b => *c += 1.0,
            _ => merged.push((b, 1.0)),
        }
    }
    merged
}

/// A trained baseline: idf of both blocks and the SVM's weights.
#[derive(Debug, Clone)]
pub struct Baseline {
    idf: Vec<f32>,
    weights: Vec<f32>,
    bias: f32,
}

/// TF-IDF rows of texts already counted.
fn tfidf(counts: &[(u32, f32)], idf: &[f32]) -> Vec<(u32, f32)> {
    let mut row: Vec<(u32, f32)> = counts
        .iter()
        .map(|&(b, c)| (b, (1.0 + c.ln()) * idf[b as usize]))
        .collect();
    // Each block normalised, then the pair.
    for block in [0, 1] {
        let norm: f32 = row
            .iter()
            .filter(|(b, _)| (b >> BLOCK_BITS) == block)
            .map(|(_, v)| v * v)
            .sum::<f32>()
            .sqrt();
        if norm > 0.0 {
            for (b, v) in row.iter_mut() {
                if (*b >> BLOCK_BITS) == block {
                    *v /= norm;
                }
            }
        }
    }
    let norm: f32 = row.iter().map(|(_, v)| v * v).sum::<f32>().sqrt();
    if norm > 0.0 {
        for (_, v) in row.iter_mut() {
            *v /= norm;
        }
    }
    row
}

impl Baseline {
    /// Trains on texts and labels.
    pub fn train(texts: &[&str], labels: &[bool], cfg: &BaselineConfig) -> Baseline {
        assert_eq!(texts.len(), labels.len(), "one label per text");
        let counted: Vec<Vec<(u32, f32)>> = texts.iter().map(|t| counts(t)).collect();
        // Smoothed idf: ln((1 + n) / (1 + df)) + 1.
        let mut df = vec![0u32; 2 * BLOCK as usize];
        for row in &counted {
            for &(b, _) in row {
                df[b as usize] += 1;
            }
        }
        let n = texts.len() as f32;
        let idf: Vec<f32> = df
            .iter()
            .map(|&d| ((1.0 + n) / (1.0 + d as f32)).ln() + 1.0)
            .collect();
        let rows: Vec<Vec<(u32, f32)>> = counted.iter().map(|c| tfidf(c, &idf)).collect();
        let (weights, bias) = train_svm(&rows, labels, cfg);
        Baseline { idf, weights, bias }
    }

    /// The SVM's decision value (positive class from 0).
    pub fn decision(&self, text: &str) -> f32 {
        let row = tfidf(&counts(text), &self.idf);
        self.bias
            + row
                .iter()
                .map(|&(b, v)| self.weights[b as usize] * v)
                .sum::<f32>()
    }

    /// True when the text is predicted positive.
    pub fn predict(&self, text: &str) -> bool {
        self.decision(text) > 0.0
    }
}

/// Dual coordinate descent for the L2-regularised L2-loss SVM (Hsieh et al.
/// 2008, LIBLINEAR's default solver), with a constant feature of 1 for the
/// bias (regularised, as LIBLINEAR does). Returns the weights and the bias.
fn train_svm(rows: &[Vec<(u32, f32)>], labels: &[bool], cfg: &BaselineConfig) -> (Vec<f32>, f32) {
    let n = rows.len();
    let pos = labels.iter().filter(|&&l| l).count().max(1) as f64;
    let neg = (n as f64 - pos).max(1.0);
    let (cp, cn) = if cfg.balanced {
        (
            cfg.c * n as f64 / (2.0 * pos),
            cfg.c * n as f64 / (2.0 * neg),
        )
    } else {
        (cfg.c, cfg.c)
    };
    let mut w = vec![0f64; 2 * BLOCK as usize];
    let mut b = 0f64;
    let mut alpha = vec![0f64; n];
    let y: Vec<f64> = labels.iter().map(|&l| if l { 1.0 } else { -1.0 }).collect();
    // D_ii = 1 / (2 C_i); Q_ii = x_i . x_i + 1 (the bias feature) + D_ii.
    let d: Vec<f64> = labels
        .iter()
        .map(|&l| 0.5 / if l { cp } else { cn })
        .collect();
    let qd: Vec<f64> = rows
        .iter()
        .zip(&d)
        .map(|(r, di)| r.iter().map(|&(_, v)| (v as f64) * (v as f64)).sum::<f64>() + 1.0 + di)
        .collect();
    let mut order: Vec<usize> = (0..n).collect();
    let mut rng = Rng::new(cfg.seed);
    for _ in 0..cfg.max_epochs {
        rng.shuffle(&mut order);
        let (mut pg_max, mut pg_min) = (f64::NEG_INFINITY, f64::INFINITY);
        for &i in &order {
            let wx: f64 = rows[i]
                .iter()
                .map(|&(j, v)| w[j as usize] * v as f64)
                .sum::<f64>()
                + b;
            let g = y[i] * wx - 1.0 + d[i] * alpha[i];
            let pg = if alpha[i] == 0.0 { g.min(0.0) } else { g };
            pg_max = pg_max.max(pg);
            pg_min = pg_min.min(pg);
            if pg.abs() > 1e-12 {
                let old = alpha[i];
                alpha[i] = (alpha[i] - g / qd[i]).max(0.0);
                let delta = (alpha[i] - old) * y[i];
                for &(j, v) in &rows[i] {
                    w[j as usize] += delta * v as f64;
                }
                b += delta;
            }
        }
        if pg_max - pg_min < cfg.tolerance {
            break;
        }
    }
    (w.into_iter().map(|x| x as f32).collect(), b as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_have_both_blocks_and_merge_repeats() {
        let c = counts("Ciao ciao a tutti");
        assert!(c.iter().any(|&(b, _)| b < BLOCK));
        assert!(c.iter().any(|&(b, _)| b >= BLOCK));
        // "ciao" twice as a unigram (lower-cased).
        assert!(c.iter().any(|&(_, n)| n >= 2.0));
        assert!(c.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn the_svm_separates_an_easy_problem_deterministically() {
        let mut texts = Vec::new();
        let mut labels = Vec::new();
        for i in 0..40 {
            if i % 3 == 0 {
                texts.push(format!("odio gli immigrati, fuori tutti {i}"));
                labels.push(true);
            } else {
                texts.push(format!("concerto in piazza stasera alle {i}"));
                labels.push(false);
            }
        }
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let cfg = BaselineConfig::default();
        let m = Baseline::train(&refs, &labels, &cfg);
        let again = Baseline::train(&refs, &labels, &cfg);
        assert_eq!(m.weights, again.weights);
        assert!(m.predict("fuori gli immigrati"));
        assert!(!m.predict("il concerto in piazza"));
    }
}
