//! Development aid: the `full_pipeline` benchmark's loop as a plain program,
//! for instruction counts. Run under callgrind with
//! `--toggle-collect=profile_pipeline::measured` to count only the measured
//! comments (after a tracker filled with 50,000 comments).
//!
//! `profile_pipeline [n] [var|dup|var-tracker|dup-tracker] [rounds]`: with
//! `-tracker`, only `SpamTracker::observe_signature` is timed (signatures
//! computed beforehand), over rounds of `n` comments each.
use piazza_analysis::synth::{
    SyntheticComment, post_index, synthetic_corpus, synthetic_corpus_varied,
};
use piazza_analysis::{Analyzer, AnalyzerConfig, Normalized, SpamSignature, SpamTracker};
use std::hint::black_box;
use std::time::Instant;

#[path = "../benches/support/full_step.rs"]
mod full_step;
use full_step::full;

#[inline(never)]
fn measured(
    analyzer: &Analyzer,
    tracker: &mut SpamTracker,
    norm: &mut Normalized,
    stream: &[SyntheticComment],
    ids: &[String],
) -> usize {
    let mut found = 0;
    for (s, id) in stream.iter().zip(ids) {
        found += full(analyzer, tracker, norm, s, id);
    }
    found
}

#[inline(never)]
fn observe(tracker: &mut SpamTracker, c: &SyntheticComment, id: &str, sig: &SpamSignature) -> bool {
    tracker
        .observe_signature(&c.author, id, &c.text, sig)
        .is_some()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(5000);
    let dup = args.get(2).is_some_and(|a| a.starts_with("dup"));
    let tracker_only = args.get(2).is_some_and(|a| a.ends_with("tracker"));
    let analyzer = Analyzer::new(AnalyzerConfig {
        own_contacts: vec!["urp@comune.example.it".into(), "800 375 515".into()],
        ..AnalyzerConfig::default()
    });
    let post_id = |s: &SyntheticComment| format!("p{}", post_index(&s.post_text).unwrap_or(0));
    let corpus = |n, seed| {
        if dup {
            synthetic_corpus(n, seed)
        } else {
            synthetic_corpus_varied(n, seed)
        }
    };
    let rounds: usize = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(1);
    if tracker_only {
        return tracker_alone(n, n * rounds, &corpus, &post_id);
    }
    let mut tracker = SpamTracker::default();
    let mut norm = Normalized::default();
    for s in &corpus(50_000, 7) {
        full(&analyzer, &mut tracker, &mut norm, s, &post_id(s));
    }
    let stream = corpus(n * rounds, 42);
    let ids: Vec<String> = stream.iter().map(post_id).collect();
    for r in 0..rounds {
        let (s, i) = (&stream[r * n..][..n], &ids[r * n..][..n]);
        let t = Instant::now();
        let found = measured(&analyzer, &mut tracker, &mut norm, s, i);
        println!(
            "{n} comments: {:.0}/s ({found} findings)",
            n as f64 / t.elapsed().as_secs_f64()
        );
    }
}

/// Times the tracker alone: the signatures are computed first.
fn tracker_alone(
    n: usize,
    total: usize,
    corpus: &dyn Fn(usize, u64) -> Vec<SyntheticComment>,
    post_id: &dyn Fn(&SyntheticComment) -> String,
) {
    let prepare = |cs: Vec<SyntheticComment>| -> Vec<(SyntheticComment, String, SpamSignature)> {
        cs.into_iter()
            .map(|c| {
                let id = post_id(&c);
                let sig = SpamSignature::new(&c.text);
                (c, id, sig)
            })
            .collect()
    };
    let mut tracker = SpamTracker::default();
    for (c, id, sig) in &prepare(corpus(50_000, 7)) {
        tracker.observe_signature(&c.author, id, &c.text, sig);
    }
    let stream = prepare(corpus(total, 42));
    let mut rates = Vec::new();
    for chunk in stream.chunks(n) {
        let t = Instant::now();
        let mut found = 0;
        for (c, id, sig) in chunk {
            found += observe(&mut tracker, c, id, sig) as usize;
        }
        black_box(found);
        rates.push(chunk.len() as f64 / t.elapsed().as_secs_f64());
    }
    rates.sort_by(f64::total_cmp);
    println!(
        "tracker alone: best {:.0}/s, median {:.0}/s ({} rounds)",
        rates[rates.len() - 1],
        rates[rates.len() / 2],
        rates.len()
    );
}
