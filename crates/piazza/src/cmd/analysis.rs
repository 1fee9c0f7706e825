//! `piazza analyze`, `piazza train`, `piazza eval`: the Italian analysis
//! from the command line.

use std::collections::BTreeMap;
use std::io::{BufRead, BufWriter, Write};
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;
use piazza_analysis::{Analysis, Analyzer, AnalyzerConfig, CommentInput, SpamTracker};
use piazza_policy::Policy;
use piazza_taxonomy::{Category, DiscriminationTarget};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::Outcome;

#[derive(Args)]
pub struct AnalyzeArgs {
    /// The policy whose thresholds and clauses apply (preset or file).
    #[arg(long, default_value = "cento")]
    policy: String,
    /// Input JSONL (standard input when absent).
    input: Option<PathBuf>,
    /// Output JSONL (standard output when absent).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Worker threads (all cores by default).
    #[arg(long)]
    threads: Option<usize>,
}

#[derive(Deserialize)]
struct InputLine {
    id: serde_json::Value,
    text: String,
    #[serde(default)]
    post_text: Option<String>,
    #[serde(default)]
    author: Option<String>,
    #[serde(default)]
    platform: Option<String>,
    #[serde(default)]
    post_id: Option<String>,
    #[allow(dead_code)]
    #[serde(default)]
    created_at: Option<serde_json::Value>,
}

#[derive(Serialize)]
struct OutFinding<'a> {
    category: Category,
    #[serde(skip_serializing_if = "Option::is_none")]
    kind: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    target: Option<DiscriminationTarget>,
    score: f32,
    flagged: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    clause: Option<u32>,
    evidence: &'a [piazza_analysis::Evidence],
    explanation: &'a str,
}

#[derive(Serialize)]
struct OutLine<'a> {
    id: &'a serde_json::Value,
    findings: Vec<OutFinding<'a>>,
    intents: &'a [piazza_analysis::IntentFinding],
}

/// The analyzer configured by a policy.
pub fn analyzer_for(policy: &Policy) -> Analyzer {
    Analyzer::new(AnalyzerConfig {
        allow_terms: policy.detection.allow_terms.clone(),
        deny_terms: policy
            .detection
            .deny_terms
            .iter()
            .map(|t| (t.term.clone(), t.category))
            .collect(),
        own_contacts: policy.own_contacts(),
    })
}

fn render(policy: &Policy, id: &serde_json::Value, a: &Analysis) -> String {
    let findings = a
        .findings
        .iter()
        .map(|f| {
            let rule = policy.category_rule(f.category);
            OutFinding {
                category: f.category,
                kind: f.kind.as_deref(),
                target: f.target,
                score: f.score,
                flagged: f64::from(f.score) >= rule.threshold,
                clause: rule.clause,
                evidence: &f.evidence,
                explanation: &f.explanation,
            }
        })
        .collect();
    serde_json::to_string(&OutLine {
        id,
        findings,
        intents: &a.intents,
    })
    .expect("analysis serialises")
}

pub fn analyze(args: AnalyzeArgs) -> anyhow::Result<Outcome> {
    let policy = crate::cmd::policy::load(&args.policy)?.policy;
    let analyzer = analyzer_for(&policy);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
        .context("cannot start the worker threads")?;
    let reader: Box<dyn BufRead> = match &args.input {
        Some(p) => Box::new(std::io::BufReader::with_capacity(
            1 << 20,
            std::fs::File::open(p).with_context(|| format!("cannot open {}", p.display()))?,
        )),
        None => Box::new(std::io::BufReader::new(std::io::stdin().lock())),
    };
    let len = args
        .input
        .as_ref()
        .and_then(|p| std::fs::metadata(p).ok())
        .map(|m| m.len());
    let bar = crate::cmd::progress_bar(len, "analisi");
    let out: Box<dyn Write> = match &args.output {
        Some(p) => Box::new(
            std::fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut out = BufWriter::with_capacity(1 << 20, out);
    let mut spam = SpamTracker::default();
    let mut failed = 0u64;
    let mut done = 0u64;
    let mut chunk: Vec<(u64, String)> = Vec::with_capacity(8192);
    let mut lines = reader.lines();
    let mut line_no = 0u64;
    loop {
        chunk.clear();
        let mut bytes = 0u64;
        for line in lines.by_ref() {
            line_no += 1;
            let line = line.with_context(|| format!("cannot read line {line_no}"))?;
            bytes += line.len() as u64 + 1;
            chunk.push((line_no, line));
            if chunk.len() == 8192 {
                break;
            }
        }
        if chunk.is_empty() {
            break;
        }
        let results: Vec<Result<(InputLine, Analysis), String>> = pool.install(|| {
            chunk
                .par_iter()
                .map(|(n, line)| {
                    if line.trim().is_empty() {
                        return Err(format!("line {n}: empty line"));
                    }
                    let input: InputLine =
                        serde_json::from_str(line).map_err(|e| format!("line {n}: {e}"))?;
                    if !(input.id.is_string() || input.id.is_number()) {
                        return Err(format!("line {n}: field `id` must be a string or a number"));
                    }
                    let mut c = CommentInput::new(&input.text);
                    if let Some(p) = &input.post_text {
                        c = c.post_text(p);
                    }
                    if let Some(a) = &input.author {
                        c = c.author(a);
                    }
                    if let Some(p) = &input.platform {
                        c = c.platform(p);
                    }
                    let a = analyzer.analyze(&c);
                    Ok((input, a))
                })
                .collect()
        });
        // Near-duplicates depend on order: observed sequentially.
        for r in results {
            match r {
                Ok((input, mut a)) => {
                    let author = input.author.as_deref().unwrap_or("");
                    let post = input.post_id.as_deref().unwrap_or("");
                    if let Some(f) = spam.observe(author, post, &input.text) {
                        a.findings.push(f);
                    }
                    writeln!(out, "{}", render(&policy, &input.id, &a))?;
                    done += 1;
                }
                Err(e) => {
                    failed += 1;
                    bar.suspend(|| eprintln!("errore: {e}"));
                }
            }
        }
        bar.inc(if len.is_some() {
            bytes
        } else {
            chunk.len() as u64
        });
    }
    out.flush()?;
    bar.finish_and_clear();
    eprintln!("{done} commenti analizzati, {failed} righe scartate");
    Ok(if failed > 0 {
        Outcome::Failed
    } else {
        Outcome::Ok
    })
}

#[derive(Args)]
pub struct TrainArgs {
    /// The corpora folder (../shared/data).
    #[arg(long)]
    data: PathBuf,
    /// Where to write the model.
    #[arg(short, long)]
    output: PathBuf,
    /// Also print K-fold cross-validated figures first (0 = skip).
    #[arg(long, default_value_t = 0)]
    cv: usize,
}

pub fn train(args: TrainArgs) -> anyhow::Result<Outcome> {
    use piazza_analysis::model::TrainConfig;
    use piazza_analysis::training::{TRAINING_FILES, cross_validate_heads, train_bundle};
    let mut sources = BTreeMap::new();
    for f in TRAINING_FILES {
        let path = args.data.join(f);
        let contents = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        sources.insert(f.to_string(), contents);
    }
    let cfg = TrainConfig::default();
    if args.cv >= 2 {
        println!(
            "| modello | file | etichetta | macro-F1 ({} fold) |",
            args.cv
        );
        println!("|---|---|---|---|");
        for r in cross_validate_heads(&sources, args.cv, &cfg)? {
            println!(
                "| {} | {} | {} | {:.3} ± {:.3} |",
                r.head,
                r.file,
                r.label,
                r.report.mean_macro_f1(),
                r.report.std_macro_f1()
            );
        }
    }
    let bundle = train_bundle(&sources, &cfg)?;
    let bytes = bundle.to_bytes();
    std::fs::write(&args.output, &bytes)
        .with_context(|| format!("cannot write {}", args.output.display()))?;
    eprintln!(
        "modello scritto in {} ({} byte)",
        args.output.display(),
        bytes.len()
    );
    Ok(Outcome::Ok)
}

#[derive(Args)]
pub struct EvalArgs {
    /// A TSV file with a header row.
    #[arg(long)]
    labels: PathBuf,
    #[arg(long, default_value = "text")]
    text_column: String,
    /// The 0/1 label column.
    #[arg(long)]
    label_column: String,
    /// The category scored against the label.
    #[arg(long)]
    category: Category,
    /// For discrimination: only findings with this target count.
    #[arg(long)]
    target: Option<DiscriminationTarget>,
    /// Train and score K folds on this file instead of using the shipped model.
    #[arg(long)]
    cv: Option<usize>,
    /// Score threshold for a positive (default: the category's default).
    #[arg(long)]
    threshold: Option<f32>,
    #[arg(long)]
    json: bool,
}

pub fn eval(args: EvalArgs) -> anyhow::Result<Outcome> {
    use piazza_analysis::eval::Confusion;
    let contents = std::fs::read_to_string(&args.labels)
        .with_context(|| format!("cannot read {}", args.labels.display()))?;
    let table = piazza_analysis::corpus::parse_tsv(&contents)
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.labels.display()))?;
    let texts = table
        .texts(&args.text_column)
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.labels.display()))?;
    let gold = table
        .labels(&args.label_column)
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.labels.display()))?;
    if texts.is_empty() {
        bail!("{} has no rows", args.labels.display());
    }
    let (confusion, folds): (Confusion, Option<(f64, f64)>) = match args.cv {
        Some(k) if k >= 2 => {
            let cfg = piazza_analysis::model::TrainConfig::default();
            let r = piazza_analysis::eval::cross_validate(&texts, &gold, (&[], &[]), k, &cfg);
            let m = (r.mean_macro_f1(), r.std_macro_f1());
            (r.pooled, Some(m))
        }
        Some(k) => bail!("--cv needs at least 2 folds, got {k}"),
        None => {
            let analyzer = Analyzer::new(AnalyzerConfig::default());
            let threshold = args
                .threshold
                .unwrap_or_else(|| piazza_policy::defaults::threshold(args.category) as f32);
            let pred: Vec<bool> = texts
                .par_iter()
                .map(|t| {
                    analyzer
                        .analyze(&CommentInput::new(t))
                        .score(args.category, args.target)
                        >= threshold
                })
                .collect();
            (Confusion::from_predictions(&gold, &pred), None)
        }
    };
    let p = confusion.positive();
    let n = confusion.negative();
    if args.json {
        println!(
            "{}",
            serde_json::json!({
                "rows": texts.len(),
                "precision": p.precision, "recall": p.recall, "f1": p.f1,
                "negative": {"precision": n.precision, "recall": n.recall, "f1": n.f1},
                "macro_f1": confusion.macro_f1(),
                "cv_mean_macro_f1": folds.map(|f| f.0), "cv_std_macro_f1": folds.map(|f| f.1),
                "confusion": {"tp": confusion.tp, "fp": confusion.fp, "fn": confusion.fn_, "tn": confusion.tn},
            })
        );
    } else {
        println!("righe: {}", texts.len());
        println!(
            "classe 1: precision {:.3}  recall {:.3}  F1 {:.3}",
            p.precision, p.recall, p.f1
        );
        println!(
            "classe 0: precision {:.3}  recall {:.3}  F1 {:.3}",
            n.precision, n.recall, n.f1
        );
        println!("macro-F1: {:.3}", confusion.macro_f1());
        if let Some((m, s)) = folds {
            println!("macro-F1 per fold: {m:.3} ± {s:.3}");
        }
        println!("{confusion}");
    }
    Ok(Outcome::Ok)
}
