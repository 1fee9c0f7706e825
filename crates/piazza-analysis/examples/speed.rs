//! Quick single-core throughput check of the stages (development aid; the
//! reference figure comes from `cargo bench`).
use piazza_analysis::synth::synthetic_corpus;
use piazza_analysis::{Analyzer, AnalyzerConfig, CommentInput, Normalized};
use std::hint::black_box;
use std::time::Instant;

fn main() {
    let corpus = synthetic_corpus(2000, 42);
    let rate = |t: Instant| corpus.len() as f64 / t.elapsed().as_secs_f64();
    for _ in 0..3 {
        let t = Instant::now();
        for s in &corpus {
            black_box(Normalized::new(&s.text));
        }
        println!("normalize: {:.0}/s", rate(t));
    }
    let norms: Vec<Normalized> = corpus.iter().map(|s| Normalized::new(&s.text)).collect();
    let full = Analyzer::new(AnalyzerConfig::default());
    if let Some(model) = full.model() {
        let mut out = vec![0f32; model.heads.len()];
        let t = Instant::now();
        for n in &norms {
            model.predict_normalized_into(n, &mut out);
            black_box(&out);
        }
        println!("classifier on every comment: {:.0}/s", rate(t));
    }
    // Real comments and tweets of the training corpora (when present): longer
    // tail of distinct words, so the per-thread stem memo hits less.
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data");
    let mut real: Vec<String> = Vec::new();
    for f in piazza_analysis::training::TRAINING_FILES {
        let Ok(c) = std::fs::read_to_string(format!("{data}/{f}")) else {
            continue;
        };
        if let Ok(t) = piazza_analysis::corpus::parse_tsv(&c) {
            let texts = t.texts("text").unwrap_or_default();
            real.extend(texts.into_iter().map(String::from));
        }
    }
    if !real.is_empty() {
        let an = Analyzer::new(AnalyzerConfig::default());
        let post = an.prepare_post(&corpus[0].post_text);
        let bytes = real.iter().map(String::len).sum::<usize>() / real.len();
        for (name, with_post) in [("real texts", false), ("real texts with post", true)] {
            let t = Instant::now();
            for r in &real {
                let mut input = CommentInput::new(r);
                if with_post {
                    input = input.prepared_post(&post);
                }
                black_box(an.analyze(&input));
            }
            println!(
                "{name} ({} texts, mean {bytes} bytes): {:.0}/s",
                real.len(),
                real.len() as f64 / t.elapsed().as_secs_f64()
            );
        }
    }
    for (name, an) in [
        (
            "rules only",
            Analyzer::new(AnalyzerConfig::default()).with_model(None),
        ),
        ("full", full),
    ] {
        let t = Instant::now();
        for s in &corpus {
            black_box(an.analyze(&CommentInput::new(&s.text)));
        }
        println!("{name}: {:.0}/s", rate(t));
    }
}
