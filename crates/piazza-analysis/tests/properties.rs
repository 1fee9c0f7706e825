//! Property tests: every evidence span lies inside the original text, on
//! char boundaries, and is exactly the chars it claims; no input panics.

use piazza_analysis::{Analyzer, AnalyzerConfig, CommentInput, SpamTracker};
use proptest::prelude::*;
use std::sync::OnceLock;

fn analyzer() -> &'static Analyzer {
    static A: OnceLock<Analyzer> = OnceLock::new();
    A.get_or_init(|| {
        Analyzer::new(AnalyzerConfig {
            allow_terms: vec!["cornuto".into()],
            deny_terms: vec![("cacasotto".into(), piazza_taxonomy::Category::Insult)],
            own_contacts: vec!["urp@comune.example.it".into(), "800 123 456".into()],
        })
    })
}

/// Text that looks like comments: Italian words, evasions, digits, emoji,
/// combining marks, confusables and separators mixed at random.
fn comment() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "stronzo",
        "s t r o n z o",
        "m3rd4",
        "#frocio",
        "ti vengo a prendere",
        "333 123 4567",
        "+39",
        "IT60",
        "X054 2811 1010 0000 0123 456",
        "RSSMRA85T10A562S",
        "mario@x.it",
        "via Roma 12",
        "AB 123 CD",
        "?",
        "!!!",
        "\"",
        "«",
        "»",
        "😀",
        "\u{0301}",
        "\u{200B}",
        "ѕ",
        "ｓ",
        "è",
        "ß",
        "ﬁ",
        ".",
        "-",
        "_",
        "*",
        "@",
        "$",
        "€",
        "vergogna",
        "sindaco",
        "buca",
        "http://x.it/?ref=1",
        " ",
        "  ",
        "\n",
        "\t",
        "ǅ",
        "İ",
        "ﷺ",
        "𝓈",
    ]);
    prop::collection::vec(
        prop_oneof![pieces.prop_map(String::from), any::<String>()],
        0..12,
    )
    .prop_map(|v| v.concat())
}

fn check(text: &str, post: Option<&str>) {
    let mut input = CommentInput::new(text);
    if let Some(p) = post {
        input = input.post_text(p);
    }
    let a = analyzer().analyze(&input);
    let n = text.chars().count();
    let spans = a
        .findings
        .iter()
        .flat_map(|f| &f.evidence)
        .chain(a.intents.iter().flat_map(|i| &i.evidence));
    for e in spans {
        assert!(e.start <= e.end && e.end <= n, "{text:?}: {e:?}");
        let slice: String = text.chars().skip(e.start).take(e.end - e.start).collect();
        assert_eq!(slice, e.text, "{text:?}");
    }
    for f in &a.findings {
        assert!((0.0..=1.0).contains(&f.score), "{f:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    #[test]
    fn evidence_spans_slice_the_original(text in comment()) {
        check(&text, None);
    }

    #[test]
    fn arbitrary_unicode_never_panics(text in any::<String>(), post in any::<String>()) {
        check(&text, Some(&post));
    }

    #[test]
    fn spam_tracker_never_panics(texts in prop::collection::vec(comment(), 1..8)) {
        let mut t = SpamTracker::default();
        for (i, text) in texts.iter().enumerate() {
            if let Some(f) = t.observe("a", &format!("p{}", i % 2), text) {
                prop_assert_eq!(&f.evidence[0].text, text);
            }
        }
    }
}
