//! Training of the shipped model bundle from the shared corpora. Pure: the
//! caller reads the files listed in [`TRAINING_FILES`] and passes their
//! contents, keyed by the same relative paths.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use piazza_taxonomy::{Category, DiscriminationTarget};

use crate::corpus::{TsvError, parse_tsv};
use crate::eval::{CvReport, NestedReport, cross_validate_mean, nested_cross_validate};
use crate::model::{FeatureConfig, HeadMeta, LinearModel, ModelBundle, TrainConfig, featurize};

/// A companion model of a head: trained on the head's data like the head
/// (same [`TrainConfig`] otherwise) but over its own features; the head's
/// probability is the mean of the head's and its companions'.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CompanionSpec {
    pub features: FeatureConfig,
    /// Models with different shuffles averaged into one (1 = one model).
    pub ensemble: u32,
}

impl CompanionSpec {
    /// The training config of this companion given the head's.
    pub fn config(&self, cfg: &TrainConfig) -> TrainConfig {
        TrainConfig {
            features: self.features,
            ensemble: self.ensemble,
            ..*cfg
        }
    }
}

/// Plain-view companion: skeleton word 1-2-grams, plain-view word
/// 1-2-grams and plain-view character 2-`chars`-grams, 2^18 buckets.
const fn plain_view(chars: u8, ensemble: u32) -> CompanionSpec {
    CompanionSpec {
        features: FeatureConfig {
            bits: 18,
            word_ngrams: 2,
            char_min: 0,
            char_max: 0,
            plain_words: 2,
            plain_char_max: chars,
        },
        ensemble,
    }
}

/// Candidate companion lists of the homotransphobia head for the nested
/// cross-validation of `examples/train.rs --nested`, fixed before it was
/// run: none (the previous model), a plain-view companion (chars 2-5, the
/// `tune` row "probability average with a plain-view model"), the same
/// with chars 2-6, the same averaged over 3 shuffles, and a companion with
/// both skeleton and plain-view features.
pub const HOMOTRANSPHOBIA_CANDIDATES: &[&[CompanionSpec]] = &[
    &[],
    &[plain_view(5, 1)],
    &[plain_view(6, 1)],
    &[plain_view(5, 3)],
    &[CompanionSpec {
        features: FeatureConfig {
            bits: 18,
            word_ngrams: 2,
            char_min: 1,
            char_max: 6,
            plain_words: 2,
            plain_char_max: 5,
        },
        ensemble: 1,
    }],
];

/// One classifier of the bundle and the data it learns from.
#[derive(Debug, Clone, Copy)]
pub struct HeadSpec {
    pub name: &'static str,
    pub category: Category,
    pub target: DiscriminationTarget,
    /// (file, label column) pairs; the text column is always `text`.
    pub sources: &'static [(&'static str, &'static str)],
    /// Probability from which the analyzer reports a finding.
    pub threshold: f32,
    /// Companion models averaged with the head (see [`CompanionSpec`]).
    pub companions: &'static [CompanionSpec],
}

impl HeadSpec {
    /// The configs of the head's model and of its companions, in order.
    pub fn configs(&self, cfg: &TrainConfig) -> Vec<TrainConfig> {
        configs(cfg, self.companions)
    }
}

fn configs(cfg: &TrainConfig, companions: &[CompanionSpec]) -> Vec<TrainConfig> {
    std::iter::once(*cfg)
        .chain(companions.iter().map(|c| c.config(cfg)))
        .collect()
}

/// The heads of the shipped bundle.
pub const HEADS: &[HeadSpec] = &[
    HeadSpec {
        name: "hate_ethnicity_religion",
        category: Category::Discrimination,
        target: DiscriminationTarget::Ethnicity,
        sources: &[
            ("haspeede2018/fb_train.tsv", "hate"),
            ("haspeede2018/tw_train.tsv", "hate"),
        ],
        threshold: 0.5,
        companions: &[],
    },
    HeadSpec {
        name: "misogyny",
        category: Category::Discrimination,
        target: DiscriminationTarget::Gender,
        sources: &[("ami2020/train.tsv", "misogynous")],
        threshold: 0.6,
        companions: &[],
    },
    HeadSpec {
        name: "homotransphobia",
        category: Category::Discrimination,
        target: DiscriminationTarget::SexualOrientation,
        sources: &[("hodi2023/train.tsv", "homotransphobic")],
        threshold: 0.55,
        companions: &[plain_view(5, 3)],
    },
    HeadSpec {
        name: "political_hate",
        category: Category::Discrimination,
        target: DiscriminationTarget::PoliticalOpinion,
        sources: &[("haspeede3/train.tsv", "hate")],
        threshold: 0.65,
        companions: &[],
    },
];

/// Every file the training reads, relative to the data directory.
pub const TRAINING_FILES: &[&str] = &[
    "haspeede2018/fb_train.tsv",
    "haspeede2018/tw_train.tsv",
    "ami2020/train.tsv",
    "hodi2023/train.tsv",
    "haspeede3/train.tsv",
];

/// Contents of the training files keyed by relative path.
pub type TrainingSources = BTreeMap<String, String>;

/// Why training could not run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrainError {
    MissingFile(String),
    Tsv { file: String, error: TsvError },
}

impl fmt::Display for TrainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrainError::MissingFile(p) => write!(f, "training file {p} was not provided"),
            TrainError::Tsv { file, error } => write!(f, "{file}: {error}"),
        }
    }
}

impl std::error::Error for TrainError {}

/// Texts and labels of one file.
pub fn load(
    sources: &TrainingSources,
    file: &str,
    label: &str,
) -> Result<(Vec<String>, Vec<bool>), TrainError> {
    let contents = sources
        .get(file)
        .ok_or_else(|| TrainError::MissingFile(file.to_string()))?;
    let wrap = |error| TrainError::Tsv {
        file: file.to_string(),
        error,
    };
    let table = parse_tsv(contents).map_err(wrap)?;
    let texts = table
        .texts("text")
        .map_err(wrap)?
        .into_iter()
        .map(String::from)
        .collect();
    let labels = table.labels(label).map_err(wrap)?;
    Ok((texts, labels))
}

/// Trains the shipped bundle: one head per [`HEADS`] entry, each on its own
/// corpora only (adding the other corpora's negatives shifts the class
/// balance and cost 4-14 points of macro-F1 in cross-validation).
pub fn train_bundle(
    sources: &TrainingSources,
    cfg: &TrainConfig,
) -> Result<ModelBundle, TrainError> {
    train_bundle_without(sources, cfg, &|_, _| false)
}

/// How the bundle is trained beyond each model's [`TrainConfig`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BundleOptions {
    /// Weight of the other corpora's negatives in each head's training (0:
    /// a head learns from its own corpora only). The product runs every
    /// head on every comment, so a head must also say no to what the other
    /// corpora hold that is not hate.
    pub cross_negatives: f32,
    /// Weight of the other corpora's positives (hate of another kind) as
    /// positives of each head (0: not used).
    pub cross_positives: f32,
}

/// The options of the shipped bundle.
pub const SHIPPED: BundleOptions = BundleOptions {
    cross_negatives: 0.0,
    cross_positives: 0.0,
};

/// [`train_bundle`] without the rows for which `held_out(file, row)` is
/// true (row = 0-based data row of the file): the model of one fold of the
/// pipeline's cross-validation ([`crate::eval::pipeline`]).
pub fn train_bundle_without(
    sources: &TrainingSources,
    cfg: &TrainConfig,
    held_out: &dyn Fn(&str, usize) -> bool,
) -> Result<ModelBundle, TrainError> {
    train_bundle_with(sources, cfg, held_out, &SHIPPED)
}

/// Every training file with the label of the head that learns from it.
fn load_all(sources: &TrainingSources) -> Result<Vec<(&'static str, Vec<String>, Vec<bool>)>, TrainError> {
    let mut out = Vec::new();
    for spec in HEADS {
        for (file, col) in spec.sources {
            let (t, l) = load(sources, file, col)?;
            out.push((*file, t, l));
        }
    }
    Ok(out)
}

/// [`train_bundle_without`] with explicit [`BundleOptions`].
pub fn train_bundle_with(
    sources: &TrainingSources,
    cfg: &TrainConfig,
    held_out: &dyn Fn(&str, usize) -> bool,
    opts: &BundleOptions,
) -> Result<ModelBundle, TrainError> {
    let files = load_all(sources)?;
    // Features of every kept row, once per feature config.
    let mut cache: HashMap<FeatureConfig, Vec<Vec<Vec<u32>>>> = HashMap::new();
    let kept: Vec<Vec<usize>> = files
        .iter()
        .map(|(f, t, _)| (0..t.len()).filter(|&i| !held_out(f, i)).collect())
        .collect();
    let mut heads = Vec::new();
    let mut companions = Vec::new();
    for (h, spec) in HEADS.iter().enumerate() {
        let own = |f: &str| spec.sources.iter().any(|(s, _)| *s == f);
        for (k, tc) in spec.configs(cfg).iter().enumerate() {
            let feats = cache.entry(tc.features).or_insert_with(|| {
                files
                    .iter()
                    .zip(&kept)
                    .map(|((_, t, _), kept)| {
                        let refs: Vec<&str> = kept.iter().map(|&i| t[i].as_str()).collect();
                        featurize(&refs, &tc.features)
                    })
                    .collect()
            });
            // The head's own files first, in the order of its sources (the
            // shipped model's order), then the other files' negatives.
            let mut x: Vec<&[u32]> = Vec::new();
            let mut y: Vec<bool> = Vec::new();
            let mut w: Vec<f32> = Vec::new();
            for (file, _) in spec.sources {
                let n = files.iter().position(|(f, _, _)| f == file).expect("loaded");
                for (j, &i) in kept[n].iter().enumerate() {
                    x.push(&feats[n][j]);
                    y.push(files[n].2[i]);
                }
            }
            let mut tc = *tc;
            if opts.cross_negatives > 0.0 || opts.cross_positives > 0.0 {
                // Classes balanced on the head's own files, as without the
                // extra negatives; each of those weighs `cross_negatives`
                // times one of the head's own negatives.
                tc.balance_classes = false;
                let n = y.len() as f32;
                let pos = y.iter().filter(|&&l| l).count().max(1) as f32;
                let (wp, wn) = (n / (2.0 * pos), n / (2.0 * (n - pos).max(1.0)));
                w = y.iter().map(|&l| if l { wp } else { wn }).collect();
                for (n, (f, _, labels)) in files.iter().enumerate() {
                    if own(f) {
                        continue;
                    }
                    for (j, &i) in kept[n].iter().enumerate() {
                        let cw = if labels[i] {
                            opts.cross_positives * wp
                        } else {
                            opts.cross_negatives * wn
                        };
                        if cw > 0.0 {
                            x.push(&feats[n][j]);
                            y.push(labels[i]);
                            w.push(cw);
                        }
                    }
                }
            }
            let model = LinearModel::train_weighted(&x, &y, &w, &tc);
            if k == 0 {
                heads.push((
                    HeadMeta {
                        name: spec.name.to_string(),
                        category: spec.category,
                        target: Some(spec.target),
                        threshold: spec.threshold,
                        bias: 0.0,
                        scale: 0.0,
                    },
                    model,
                ));
            } else {
                companions.push((h, model));
            }
        }
    }
    Ok(ModelBundle::from_models(heads).with_companions(&companions))
}

/// Cross-validated figures of one head on one file.
#[derive(Debug, Clone)]
pub struct HeadCv {
    pub head: &'static str,
    pub file: &'static str,
    pub label: &'static str,
    pub report: CvReport,
}

/// The texts of file `i` of a head (to score), and the texts and labels of
/// its other files (added to every training fold, never scored).
fn scored_and_extra(
    loaded: &[(Vec<String>, Vec<bool>)],
    i: usize,
) -> (Vec<&str>, Vec<&str>, Vec<bool>) {
    let texts = loaded[i].0.iter().map(String::as_str).collect();
    let mut extra_t = Vec::new();
    let mut extra_l = Vec::new();
    for (j, (t, l)) in loaded.iter().enumerate() {
        if j != i {
            extra_t.extend(t.iter().map(String::as_str));
            extra_l.extend_from_slice(l);
        }
    }
    (texts, extra_t, extra_l)
}

/// k-fold cross-validation of every head on each of its files, trained as
/// the shipped model is: the head's other files join every training fold
/// but are never scored.
pub fn cross_validate_heads(
    sources: &TrainingSources,
    k: usize,
    cfg: &TrainConfig,
) -> Result<Vec<HeadCv>, TrainError> {
    let mut out = Vec::new();
    for spec in HEADS {
        let loaded: Vec<(Vec<String>, Vec<bool>)> = spec
            .sources
            .iter()
            .map(|(f, c)| load(sources, f, c))
            .collect::<Result<_, _>>()?;
        for (i, (file, label)) in spec.sources.iter().enumerate() {
            let (texts, extra_t, extra_l) = scored_and_extra(&loaded, i);
            let report = cross_validate_mean(
                &texts,
                &loaded[i].1,
                (&extra_t, &extra_l),
                k,
                &spec.configs(cfg),
            );
            out.push(HeadCv {
                head: spec.name,
                file,
                label,
                report,
            });
        }
    }
    Ok(out)
}

/// Nested cross-validation of the choice of a head's companions among
/// `candidates` on each of the head's files (`k` outer folds, the same as
/// [`cross_validate_heads`], and `inner_k` inner folds), trained as the
/// shipped model is: the head's other files join every training part.
pub fn nested_cross_validate_head(
    sources: &TrainingSources,
    head: &str,
    k: usize,
    inner_k: usize,
    cfg: &TrainConfig,
    candidates: &[&[CompanionSpec]],
) -> Result<Vec<(&'static str, NestedReport)>, TrainError> {
    let Some(spec) = HEADS.iter().find(|s| s.name == head) else {
        return Ok(Vec::new());
    };
    let cands: Vec<Vec<TrainConfig>> = candidates.iter().map(|c| configs(cfg, c)).collect();
    let loaded: Vec<(Vec<String>, Vec<bool>)> = spec
        .sources
        .iter()
        .map(|(f, c)| load(sources, f, c))
        .collect::<Result<_, _>>()?;
    let mut out = Vec::new();
    for (i, (file, _)) in spec.sources.iter().enumerate() {
        let (texts, extra_t, extra_l) = scored_and_extra(&loaded, i);
        let r = nested_cross_validate(
            &texts,
            &loaded[i].1,
            (&extra_t, &extra_l),
            k,
            inner_k,
            &cands,
        );
        out.push((*file, r));
    }
    Ok(out)
}
