//! Throughput of the pipeline on one core, ~200-byte comments from the
//! synthetic corpus (a third with a violation, personal data or an intent),
//! reported as comments per second (`thrpt`).
//!
//! * `full_pipeline`: what `piazza analyze` does for each comment, on one
//!   thread: normalisation, every detector with the post as text
//!   (off-topic), the near-duplicate signature and a [`SpamTracker`] that
//!   already holds its 50,000 comments. The comments are the varied corpus
//!   (about 4% flagged as near-duplicates) and flow through the tracker as
//!   a stream, never repeating within its memory.
//! * `full_pipeline_near_duplicates`: the same on the template corpus, where
//!   nearly every comment repeats an earlier one (the tracker's worst case).
//! * `comment_only`, `with_post_text`, `with_prepared_post`: the analysis
//!   alone, without the post, with the post as text (prepared once per
//!   thread through a small cache), or prepared once by the caller.
//!
//! `cargo bench -p piazza-analysis --bench pipeline`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use piazza_analysis::synth::{
    SyntheticComment, post_index, synthetic_corpus, synthetic_corpus_varied,
};
use piazza_analysis::{Analyzer, AnalyzerConfig, CommentInput, Normalized, SpamTracker};
use std::hint::black_box;

/// Comments analysed per measured iteration.
const BATCH: usize = 1000;
/// The stream of the full-pipeline benchmarks: longer than the tracker's
/// memory (50,000), so no comment meets itself again.
const STREAM: usize = 60_000;

#[path = "support/full_step.rs"]
mod full_step;
use full_step::full;

fn full_pipeline(c: &mut Criterion, name: &str, stream: Vec<SyntheticComment>) {
    let analyzer = Analyzer::new(AnalyzerConfig {
        own_contacts: vec!["urp@comune.example.it".into(), "800 375 515".into()],
        ..AnalyzerConfig::default()
    });
    let post_id = |s: &SyntheticComment| format!("p{}", post_index(&s.post_text).unwrap_or(0));
    let post_ids: Vec<String> = stream.iter().map(post_id).collect();
    let mut tracker = SpamTracker::default();
    let mut norm = Normalized::default();
    // Fill the tracker (and warm the lazily built automata) with a stream
    // of other comments of the same kind.
    let warm = if name.contains("near_duplicates") {
        synthetic_corpus(50_000, 7)
    } else {
        synthetic_corpus_varied(50_000, 7)
    };
    for s in &warm {
        full(&analyzer, &mut tracker, &mut norm, s, &post_id(s));
    }
    drop(warm);
    let mut g = c.benchmark_group("analyze");
    g.throughput(Throughput::Elements(BATCH as u64));
    let mut at = 0;
    g.bench_function(name, |b| {
        b.iter(|| {
            let mut found = 0;
            for _ in 0..BATCH {
                let s = &stream[at];
                found += full(&analyzer, &mut tracker, &mut norm, s, &post_ids[at]);
                at = (at + 1) % stream.len();
            }
            found
        })
    });
    g.finish();
}

fn pipeline(c: &mut Criterion) {
    full_pipeline(c, "full_pipeline", synthetic_corpus_varied(STREAM, 42));
    full_pipeline(
        c,
        "full_pipeline_near_duplicates",
        synthetic_corpus(STREAM, 42),
    );

    let analyzer = Analyzer::new(AnalyzerConfig {
        own_contacts: vec!["urp@comune.example.it".into(), "800 375 515".into()],
        ..AnalyzerConfig::default()
    });
    let corpus = synthetic_corpus(BATCH, 42);
    let mean = corpus.iter().map(|c| c.text.len()).sum::<usize>() / corpus.len();
    eprintln!("mean comment length: {mean} bytes");
    let mut g = c.benchmark_group("analyze");
    g.throughput(Throughput::Elements(corpus.len() as u64));
    g.bench_function("comment_only", |b| {
        b.iter(|| {
            for s in &corpus {
                black_box(analyzer.analyze(&CommentInput::new(&s.text)));
            }
        })
    });
    g.bench_function("with_post_text", |b| {
        b.iter(|| {
            for s in &corpus {
                black_box(
                    analyzer.analyze(
                        &CommentInput::new(&s.text)
                            .post_text(&s.post_text)
                            .author(&s.author),
                    ),
                );
            }
        })
    });
    // The desk's path: each post prepared once and shared by its comments.
    let posts: Vec<_> = corpus
        .iter()
        .map(|s| analyzer.prepare_post(&s.post_text))
        .collect();
    g.bench_function("with_prepared_post", |b| {
        b.iter(|| {
            for (s, p) in corpus.iter().zip(&posts) {
                black_box(
                    analyzer.analyze(
                        &CommentInput::new(&s.text)
                            .prepared_post(p)
                            .author(&s.author),
                    ),
                );
            }
        })
    });
    g.finish();
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
