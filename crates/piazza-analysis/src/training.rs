//! Training of the shipped model bundle from the shared corpora. Pure: the
//! caller reads the files listed in [`TRAINING_FILES`] and passes their
//! contents, keyed by the same relative paths.

use std::collections::BTreeMap;
use std::fmt;

use piazza_taxonomy::{Category, DiscriminationTarget};

use crate::corpus::{TsvError, parse_tsv};
use crate::eval::{CvReport, NestedReport, cross_validate_mean, nested_cross_validate};
use crate::model::{FeatureConfig, HeadMeta, LinearModel, ModelBundle, TrainConfig};

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

/// [`train_bundle`] without the rows for which `held_out(file, row)` is
/// true (row = 0-based data row of the file): the model of one fold of the
/// pipeline's cross-validation ([`crate::eval::pipeline`]).
pub fn train_bundle_without(
    sources: &TrainingSources,
    cfg: &TrainConfig,
    held_out: &dyn Fn(&str, usize) -> bool,
) -> Result<ModelBundle, TrainError> {
    let mut heads = Vec::new();
    let mut companions = Vec::new();
    for (h, spec) in HEADS.iter().enumerate() {
        let mut texts = Vec::new();
        let mut labels = Vec::new();
        for (file, col) in spec.sources {
            let (t, l) = load(sources, file, col)?;
            for (i, (t, l)) in t.into_iter().zip(l).enumerate() {
                if !held_out(file, i) {
                    texts.push(t);
                    labels.push(l);
                }
            }
        }
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let model = LinearModel::train(&refs, &labels, cfg);
        for c in spec.companions {
            companions.push((h, LinearModel::train(&refs, &labels, &c.config(cfg))));
        }
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
