//! Any bytes that are UTF-8, as a comment and as a post, must analyse
//! without panicking, and every evidence span must slice the original text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use piazza_analysis::{Analyzer, AnalyzerConfig, CommentInput};
use std::sync::OnceLock;

fuzz_target!(|data: &[u8]| {
    static ANALYZER: OnceLock<Analyzer> = OnceLock::new();
    let analyzer = ANALYZER.get_or_init(|| Analyzer::new(AnalyzerConfig::default()));
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (comment, post) = text.split_at(text.char_indices().nth(text.chars().count() / 2).map_or(0, |(i, _)| i));
    let a = analyzer.analyze(&CommentInput::new(comment).post_text(post));
    let n = comment.chars().count();
    for e in a.findings.iter().flat_map(|f| &f.evidence).chain(a.intents.iter().flat_map(|i| &i.evidence)) {
        assert!(e.start <= e.end && e.end <= n);
        let s: String = comment.chars().skip(e.start).take(e.end - e.start).collect();
        assert_eq!(s, e.text);
    }
});
