//! Quick single-core throughput check (development aid; the reference
//! figure comes from `cargo bench`).
use piazza_analysis::synth::synthetic_corpus;
use piazza_analysis::{Analyzer, AnalyzerConfig, CommentInput, Normalized};
use std::hint::black_box;
use std::time::Instant;

fn main() {
    let corpus = synthetic_corpus(2000, 42);
    let t = Instant::now();
    for s in &corpus {
        black_box(Normalized::new(&s.text));
    }
    println!(
        "normalize: {:.0}/s",
        corpus.len() as f64 / t.elapsed().as_secs_f64()
    );
    for (name, an) in [
        (
            "rules only",
            Analyzer::new(AnalyzerConfig::default()).with_model(None),
        ),
        ("full", Analyzer::new(AnalyzerConfig::default())),
    ] {
        let t = Instant::now();
        for s in &corpus {
            black_box(an.analyze(&CommentInput::new(&s.text)));
        }
        println!(
            "{name}: {:.0}/s",
            corpus.len() as f64 / t.elapsed().as_secs_f64()
        );
    }
}
