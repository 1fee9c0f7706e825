//! `piazza analyze`, `piazza train`, `piazza eval`: the Italian analysis
//! from the command line.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{BufRead, BufWriter, Write};
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use piazza_analysis::{
    Analyzer, CommentInput, Finding, Normalized, ProvocationSignal, ProvocationTracker,
    SpamSignature, SpamTracker,
};
use piazza_policy::Policy;
use piazza_taxonomy::{Category, DiscriminationTarget};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::analysis_json::{push_finding, push_intents};
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
struct InputLine<'a> {
    id: serde_json::Value,
    #[serde(borrow)]
    text: Cow<'a, str>,
    #[serde(default, borrow)]
    post_text: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    author: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    platform: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    post_id: Option<Cow<'a, str>>,
    /// Milliseconds since the epoch, or an RFC 3339 instant: the window in
    /// which repeated provocation counts as trolling.
    #[serde(default)]
    created_at: Option<serde_json::Value>,
}

/// `created_at` as milliseconds since the epoch (a number, or an RFC 3339
/// string); `None` when absent or unreadable (then only the order counts).
fn instant_ms(v: Option<&serde_json::Value>) -> Option<i64> {
    match v? {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s
            .parse::<piazza_calendar::jiff::Timestamp>()
            .ok()
            .map(|t| t.as_millisecond()),
        _ => None,
    }
}

/// A finding as `piazza analyze` writes it. Written by
/// `analysis_json::push_finding`; this derive is the reference it is tested
/// against.
#[derive(Serialize)]
pub(crate) struct OutFinding<'a> {
    pub(crate) category: Category,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) kind: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) target: Option<DiscriminationTarget>,
    pub(crate) score: f32,
    pub(crate) flagged: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) clause: Option<u32>,
    pub(crate) evidence: &'a [piazza_analysis::Evidence],
    pub(crate) explanation: &'a str,
}

impl<'a> OutFinding<'a> {
    pub(crate) fn new(policy: &Policy, f: &'a Finding) -> OutFinding<'a> {
        OutFinding {
            category: f.category,
            kind: f.kind.as_deref(),
            target: f.target,
            score: f.score,
            flagged: policy.flags(f.category, f.score),
            clause: policy.category_rule(f.category).clause,
            evidence: &f.evidence,
            explanation: &f.explanation,
        }
    }
}

pub use piazza_desk::context::analyzer_for;

/// Lines read and analysed together; the order of the output is the order
/// of the chunks, and within a chunk the order of the lines.
const CHUNK_LINES: usize = 4096;
/// Lines one worker analyses into one buffer.
const BLOCK_LINES: usize = 256;

/// Input lines, in one buffer.
#[derive(Default)]
struct Chunk {
    buf: String,
    /// Line number and byte range in `buf` of every line.
    lines: Vec<(u64, usize, usize)>,
    bytes: u64,
}

/// What the ordered stage needs of one analysed line.
struct Analysed {
    /// `{"id":...,"findings":[...],"intents":[...]}` in `Block::out`.
    out: (usize, usize),
    /// Where the findings list closes (the near-duplicate finding goes
    /// there), and whether it is empty.
    findings_end: usize,
    no_findings: bool,
    /// Author, post id and text in `Block::strings`.
    author: (usize, usize),
    post: (usize, usize),
    text: (usize, usize),
    signature: SpamSignature,
    /// The comment's provocation, for the trolling tracker.
    provocation: Option<ProvocationSignal>,
    created_at: Option<i64>,
}

/// A run of lines analysed by one worker: their output and what the
/// near-duplicate tracker needs, in a few buffers (not a few per line).
#[derive(Default)]
struct Block {
    out: Vec<u8>,
    strings: String,
    lines: Vec<Result<Analysed, String>>,
    /// The normalisation's buffers, reused from line to line.
    norm: Normalized,
}

impl Block {
    fn analyse(&mut self, policy: &Policy, analyzer: &Analyzer, n: u64, line: &str) {
        let r = self.analyse_line(policy, analyzer, n, line);
        self.lines.push(r);
    }

    fn analyse_line(
        &mut self,
        policy: &Policy,
        analyzer: &Analyzer,
        n: u64,
        line: &str,
    ) -> Result<Analysed, String> {
        if line.trim().is_empty() {
            return Err(format!("riga {n}: riga vuota"));
        }
        let input: InputLine =
            serde_json::from_str(line).map_err(|e| format!("riga {n}: {}", json_error_it(&e)))?;
        if !(input.id.is_string() || input.id.is_number()) {
            return Err(format!(
                "riga {n}: il campo `id` deve essere un testo o un numero"
            ));
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
        self.norm.set(&input.text);
        let a = analyzer.analyze_normalized(&c, &self.norm);
        let signature = SpamSignature::from_normalized(&self.norm);
        if self.norm.plain.capacity() > 1 << 16 {
            // Not kept for a very long text.
            self.norm = Normalized::default();
        }
        // `{"id":..,"findings":[..],"intents":[..]}` as serde_json writes a
        // struct, with the end of the findings list remembered.
        let start = self.out.len();
        self.out.extend_from_slice(b"{\"id\":");
        serde_json::to_writer(&mut self.out, &input.id).expect("a JSON value serialises");
        self.out.extend_from_slice(b",\"findings\":[");
        for (i, f) in a.findings.iter().enumerate() {
            if i > 0 {
                self.out.push(b',');
            }
            push_finding(&mut self.out, &OutFinding::new(policy, f));
        }
        let findings_end = self.out.len();
        self.out.extend_from_slice(b"],\"intents\":");
        push_intents(&mut self.out, &a.intents);
        self.out.push(b'}');
        let mut keep = |s: &str| {
            let at = self.strings.len();
            self.strings.push_str(s);
            (at, self.strings.len())
        };
        Ok(Analysed {
            out: (start, self.out.len()),
            findings_end,
            no_findings: a.findings.is_empty(),
            author: keep(input.author.as_deref().unwrap_or("")),
            post: keep(input.post_id.as_deref().unwrap_or("")),
            text: keep(&input.text),
            signature,
            provocation: ProvocationSignal::of(&a),
            created_at: instant_ms(input.created_at.as_ref()),
        })
    }
}

/// Reads up to `CHUNK_LINES` lines into `chunk`.
fn read_chunk(
    reader: &mut dyn BufRead,
    chunk: &mut Chunk,
    line_no: &mut u64,
) -> anyhow::Result<()> {
    chunk.buf.clear();
    chunk.lines.clear();
    chunk.bytes = 0;
    let mut raw = std::mem::take(&mut chunk.buf).into_bytes();
    while chunk.lines.len() < CHUNK_LINES {
        let start = raw.len();
        let n = reader.read_until(b'\n', &mut raw);
        *line_no += 1;
        let n = n.with_context(|| format!("impossibile leggere la riga {line_no}"))?;
        if n == 0 {
            *line_no -= 1;
            break;
        }
        chunk.bytes += n as u64;
        // As `BufRead::lines`: no "\n" or "\r\n" at the end, UTF-8 only.
        let mut end = raw.len();
        if raw[end - 1] == b'\n' {
            end -= 1;
            if end > start && raw[end - 1] == b'\r' {
                end -= 1;
            }
        }
        if std::str::from_utf8(&raw[start..]).is_err() {
            let e = std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "stream did not contain valid UTF-8",
            );
            return Err(
                anyhow::Error::new(e).context(format!("impossibile leggere la riga {line_no}"))
            );
        }
        chunk.lines.push((*line_no, start, end));
    }
    chunk.buf = String::from_utf8(raw).expect("validated line by line");
    Ok(())
}

pub fn analyze(args: AnalyzeArgs) -> anyhow::Result<Outcome> {
    let policy = crate::cmd::policy::load(&args.policy)?.policy;
    let analyzer = analyzer_for(&policy);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
        .context("impossibile avviare i thread di lavoro")?;
    let mut reader: Box<dyn BufRead> = match &args.input {
        Some(p) => Box::new(std::io::BufReader::with_capacity(
            1 << 20,
            std::fs::File::open(p)
                .with_context(|| format!("impossibile aprire {}", p.display()))?,
        )),
        None => Box::new(std::io::BufReader::new(std::io::stdin().lock())),
    };
    let len = args
        .input
        .as_ref()
        .and_then(|p| std::fs::metadata(p).ok())
        .map(|m| m.len());
    let bar = crate::cmd::progress_bar(len, "analisi");
    let out: Box<dyn Write + Send> = match &args.output {
        Some(p) => Box::new(
            std::fs::File::create(p)
                .with_context(|| format!("impossibile creare {}", p.display()))?,
        ),
        None => Box::new(std::io::stdout()),
    };
    let out = BufWriter::with_capacity(1 << 20, out);
    // Three stages: this thread reads a chunk, the pool analyses it (and
    // computes the near-duplicate signatures, which depend on the text
    // alone), and a writer thread takes the chunks in order for what must
    // be sequential (the near-duplicate tracker remembers every comment)
    // and writes, while the pool already analyses the next chunk.
    let (to_writer, chunks) = std::sync::mpsc::sync_channel::<(Vec<Block>, u64)>(1);
    let (recycle, recycled) = std::sync::mpsc::channel::<Vec<Block>>();
    let (done, failed) = std::thread::scope(|scope| -> anyhow::Result<(u64, u64)> {
        let writer = scope.spawn(|| write_in_order(chunks, recycle, out, &policy, &bar));
        let mut chunk = Chunk::default();
        let mut line_no = 0u64;
        let read = loop {
            if let Err(e) = read_chunk(&mut *reader, &mut chunk, &mut line_no) {
                break Err(e);
            }
            if chunk.lines.is_empty() {
                break Ok(());
            }
            let mut blocks: Vec<Block> = recycled.try_recv().unwrap_or_default();
            let n_blocks = chunk.lines.len().div_ceil(BLOCK_LINES);
            blocks.resize_with(n_blocks, Block::default);
            pool.install(|| {
                blocks
                    .par_iter_mut()
                    .zip(chunk.lines.par_chunks(BLOCK_LINES))
                    .for_each(|(block, lines)| {
                        block.out.clear();
                        block.strings.clear();
                        block.lines.clear();
                        for &(n, a, b) in lines {
                            block.analyse(&policy, &analyzer, n, &chunk.buf[a..b]);
                        }
                    })
            });
            let bytes = if len.is_some() {
                chunk.bytes
            } else {
                chunk.lines.len() as u64
            };
            if to_writer.send((blocks, bytes)).is_err() {
                // The writer stopped on an error: it reports it.
                break Ok(());
            }
        };
        drop(to_writer);
        let written = writer.join().unwrap_or_else(|_| {
            Err(anyhow::anyhow!(
                "il thread di scrittura si è interrotto per un errore interno"
            ))
        });
        read?;
        written
    })?;
    bar.finish_and_clear();
    eprintln!("{done} commenti analizzati, {failed} righe scartate");
    Ok(if failed > 0 {
        Outcome::Failed
    } else {
        Outcome::Ok
    })
}

/// The ordered stage of `analyze`: near-duplicates and repeated
/// provocation (trolling), then output. Returns
/// the lines written and the lines rejected.
fn write_in_order(
    chunks: std::sync::mpsc::Receiver<(Vec<Block>, u64)>,
    recycle: std::sync::mpsc::Sender<Vec<Block>>,
    mut out: BufWriter<Box<dyn Write + Send>>,
    policy: &Policy,
    bar: &indicatif::ProgressBar,
) -> anyhow::Result<(u64, u64)> {
    let mut spam = SpamTracker::default();
    let mut trolls = ProvocationTracker::default();
    let (mut done, mut failed) = (0u64, 0u64);
    let mut finding = Vec::new();
    for (blocks, bytes) in chunks {
        for block in &blocks {
            let s = |(a, b): (usize, usize)| &block.strings[a..b];
            for line in &block.lines {
                let line = match line {
                    Ok(line) => line,
                    Err(e) => {
                        failed += 1;
                        bar.suspend(|| eprintln!("errore: {e}"));
                        continue;
                    }
                };
                let text = s(line.text);
                let (a, b) = line.out;
                // The findings that need earlier comments: near-duplicates,
                // and provocation repeated by one author under one post.
                let (author, post) = (s(line.author), s(line.post));
                let dup = spam.observe_signature(author, post, text, &line.signature);
                let trolling =
                    trolls.observe_signal(author, post, line.created_at, line.provocation.as_ref());
                if dup.is_none() && trolling.is_none() {
                    out.write_all(&block.out[a..b])?;
                } else {
                    finding.clear();
                    for (i, f) in dup.iter().chain(trolling.iter()).enumerate() {
                        if i > 0 || !line.no_findings {
                            finding.push(b',');
                        }
                        push_finding(&mut finding, &OutFinding::new(policy, f));
                    }
                    out.write_all(&block.out[a..line.findings_end])?;
                    out.write_all(&finding)?;
                    out.write_all(&block.out[line.findings_end..b])?;
                }
                out.write_all(b"\n")?;
                done += 1;
            }
        }
        bar.inc(bytes);
        // The buffers go back to be filled again.
        let _ = recycle.send(blocks);
    }
    out.flush()?;
    Ok((done, failed))
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
            .with_context(|| format!("impossibile leggere {}", path.display()))?;
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
        .with_context(|| format!("impossibile scrivere {}", args.output.display()))?;
    eprintln!(
        "modello scritto in {} ({} byte)",
        args.output.display(),
        bytes.len()
    );
    Ok(Outcome::Ok)
}

/// A line that is not the expected JSON, in Italian (serde_json's own text
/// is English); the field is named when one is missing.
fn json_error_it(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let text = e.to_string();
    match e.classify() {
        Category::Eof => "JSON incompleto: la riga finisce prima che l'oggetto sia chiuso".into(),
        Category::Syntax => format!("JSON non valido alla colonna {}", e.column()),
        Category::Data => match text
            .strip_prefix("missing field `")
            .and_then(|r| r.split('`').next())
        {
            Some(field) => format!("manca il campo `{field}`"),
            None => format!("valore non ammesso alla colonna {}", e.column()),
        },
        Category::Io => "errore di lettura".into(),
    }
}
