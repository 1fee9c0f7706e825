//! Throughput of the full pipeline on one core, ~200-byte comments from the
//! synthetic corpus (a third with a violation, personal data or an intent):
//! the comment alone, with its post as text (`CommentInput::post_text`, the
//! post prepared once per thread through a small cache) and with the post
//! prepared once by the caller (`Analyzer::prepare_post`).
//!
//! `cargo bench -p piazza-analysis --bench pipeline`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use piazza_analysis::synth::synthetic_corpus;
use piazza_analysis::{Analyzer, AnalyzerConfig, CommentInput};
use std::hint::black_box;

fn pipeline(c: &mut Criterion) {
    let analyzer = Analyzer::new(AnalyzerConfig {
        own_contacts: vec!["urp@comune.example.it".into(), "800 375 515".into()],
        ..AnalyzerConfig::default()
    });
    let corpus = synthetic_corpus(1000, 42);
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
