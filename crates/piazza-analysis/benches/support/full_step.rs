//! The `full_pipeline` benchmark's step, shared with
//! `examples/profile_pipeline.rs` so that the profile counts exactly what the
//! benchmark times.

use piazza_analysis::synth::SyntheticComment;
use piazza_analysis::{Analyzer, CommentInput, Normalized, SpamSignature, SpamTracker};
use std::hint::black_box;

/// One comment through the whole pipeline, as `piazza analyze` runs it.
pub fn full(
    analyzer: &Analyzer,
    tracker: &mut SpamTracker,
    norm: &mut Normalized,
    c: &SyntheticComment,
    post_id: &str,
) -> usize {
    norm.set(&c.text);
    let input = CommentInput::new(&c.text)
        .post_text(&c.post_text)
        .author(&c.author)
        .platform("facebook");
    let mut a = analyzer.analyze_normalized(&input, norm);
    let sig = SpamSignature::from_normalized(norm);
    if let Some(f) = tracker.observe_signature(&c.author, post_id, &c.text, &sig) {
        a.findings.push(f);
    }
    black_box(a).findings.len()
}
