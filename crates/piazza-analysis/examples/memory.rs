//! Analyses N synthetic comments (default 100,000; with their post unless
//! `nopost`) on one thread with the embedded model loaded, generating them
//! in chunks of 1,000 so that peak memory measures the analyzer (model,
//! automata, caches) rather than the corpus. For peak memory and profiling:
//!
//! ```text
//! cargo build --release -p piazza-analysis --example memory
//! /usr/bin/time -v target/release/examples/memory [N] [nopost]
//! ```
use piazza_analysis::synth::synthetic_corpus;
use piazza_analysis::{Analyzer, AnalyzerConfig, CommentInput};
use std::time::{Duration, Instant};

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let with_post = std::env::args().nth(2).as_deref() != Some("nopost");
    let analyzer = Analyzer::new(AnalyzerConfig::default());
    assert!(analyzer.model().is_some(), "embedded model missing");
    let mut busy = Duration::ZERO;
    let mut findings = 0usize;
    let mut done = 0usize;
    let mut chunk = 0u64;
    while done < n {
        let corpus = synthetic_corpus(1000.min(n - done), 7 + chunk);
        chunk += 1;
        let t = Instant::now();
        for s in &corpus {
            let mut input = CommentInput::new(&s.text).author(&s.author);
            if with_post {
                input = input.post_text(&s.post_text);
            }
            let a = analyzer.analyze(&input);
            findings += a.findings.len() + a.intents.len();
        }
        busy += t.elapsed();
        done += corpus.len();
    }
    let secs = busy.as_secs_f64();
    println!(
        "{n} comments (post: {with_post}) analysed in {secs:.2}s ({:.0}/s), {findings} findings and intents",
        n as f64 / secs
    );
}
