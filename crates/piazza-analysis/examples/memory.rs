//! Analyses N synthetic comments (default 100,000; with their post unless
//! `nopost`) on one thread with the embedded model loaded and a
//! near-duplicate tracker (50,000 comments remembered), as `piazza analyze`
//! does, generating them in chunks of 1,000 so that peak memory measures
//! the analyzer (model, automata, caches, tracker) rather than the corpus.
//! `varied` uses the corpus with few near-duplicates, which fills the
//! tracker's tables most. For peak memory and profiling:
//!
//! ```text
//! cargo build --release -p piazza-analysis --example memory
//! /usr/bin/time -v target/release/examples/memory [N] [nopost] [varied]
//! ```
use piazza_analysis::synth::{post_index, synthetic_corpus, synthetic_corpus_varied};
use piazza_analysis::{
    Analyzer, AnalyzerConfig, CommentInput, Normalized, SpamSignature, SpamTracker,
};
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let with_post = !args.iter().any(|a| a == "nopost");
    let varied = args.iter().any(|a| a == "varied");
    let analyzer = Analyzer::new(AnalyzerConfig::default());
    assert!(analyzer.model().is_some(), "embedded model missing");
    let mut tracker = SpamTracker::default();
    let mut norm = Normalized::default();
    let mut busy = Duration::ZERO;
    let mut findings = 0usize;
    let mut done = 0usize;
    let mut chunk = 0u64;
    while done < n {
        let m = 1000.min(n - done);
        let corpus = if varied {
            synthetic_corpus_varied(m, 7 + chunk)
        } else {
            synthetic_corpus(m, 7 + chunk)
        };
        chunk += 1;
        let t = Instant::now();
        for s in &corpus {
            let mut input = CommentInput::new(&s.text).author(&s.author);
            if with_post {
                input = input.post_text(&s.post_text);
            }
            norm.set(&s.text);
            let mut a = analyzer.analyze_normalized(&input, &norm);
            let post = format!("p{}", post_index(&s.post_text).unwrap_or(0));
            let sig = SpamSignature::from_normalized(&norm);
            if let Some(f) = tracker.observe_signature(&s.author, &post, &s.text, &sig) {
                a.findings.push(f);
            }
            findings += a.findings.len() + a.intents.len();
        }
        busy += t.elapsed();
        done += corpus.len();
    }
    let secs = busy.as_secs_f64();
    println!(
        "{n} comments (post: {with_post}, varied: {varied}) analysed in {secs:.2}s ({:.0}/s), {findings} findings and intents",
        n as f64 / secs
    );
}
