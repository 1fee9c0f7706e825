//! Training of the shipped model bundle from the shared corpora. Pure: the
//! caller reads the files listed in [`TRAINING_FILES`] and passes their
//! contents, keyed by the same relative paths.

use std::collections::BTreeMap;
use std::fmt;

use piazza_taxonomy::{Category, DiscriminationTarget};

use crate::corpus::{TsvError, parse_tsv};
use crate::eval::{CvReport, cross_validate};
use crate::model::{HeadMeta, LinearModel, ModelBundle, TrainConfig};

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
    },
    HeadSpec {
        name: "misogyny",
        category: Category::Discrimination,
        target: DiscriminationTarget::Gender,
        sources: &[("ami2020/train.tsv", "misogynous")],
        threshold: 0.6,
    },
    HeadSpec {
        name: "homotransphobia",
        category: Category::Discrimination,
        target: DiscriminationTarget::SexualOrientation,
        sources: &[("hodi2023/train.tsv", "homotransphobic")],
        threshold: 0.55,
    },
    HeadSpec {
        name: "political_hate",
        category: Category::Discrimination,
        target: DiscriminationTarget::PoliticalOpinion,
        sources: &[("haspeede3/train.tsv", "hate")],
        threshold: 0.65,
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
    let mut heads = Vec::new();
    for spec in HEADS {
        let mut texts = Vec::new();
        let mut labels = Vec::new();
        for (file, col) in spec.sources {
            let (t, l) = load(sources, file, col)?;
            texts.extend(t);
            labels.extend(l);
        }
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let model = LinearModel::train(&refs, &labels, cfg);
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
    Ok(ModelBundle::from_models(heads))
}

/// Cross-validated figures of one head on one file.
#[derive(Debug, Clone)]
pub struct HeadCv {
    pub head: &'static str,
    pub file: &'static str,
    pub label: &'static str,
    pub report: CvReport,
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
            let texts: Vec<&str> = loaded[i].0.iter().map(String::as_str).collect();
            let mut extra_t: Vec<&str> = Vec::new();
            let mut extra_l: Vec<bool> = Vec::new();
            for (j, (t, l)) in loaded.iter().enumerate() {
                if j != i {
                    extra_t.extend(t.iter().map(String::as_str));
                    extra_l.extend_from_slice(l);
                }
            }
            let report = cross_validate(&texts, &loaded[i].1, (&extra_t, &extra_l), k, cfg);
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
