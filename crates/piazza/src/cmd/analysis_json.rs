//! The findings and intents of an output line of `piazza analyze`, written
//! as JSON by hand, byte for byte as serde_json writes them.
//!
//! serde_json escapes strings one byte at a time, and the evidence of an
//! off-topic finding or of an intent is often the whole comment: that loop
//! was about 5% of the instructions of `piazza analyze`. Here a string is
//! checked eight bytes at a time and copied in runs. The serde form stays
//! the reference: `OutFinding` keeps its `Serialize` derive, and the tests
//! below compare both writers on hostile strings and on real analyses.

use piazza_analysis::{Evidence, IntentFinding};

use super::analysis::OutFinding;

/// What serde_json writes after a backslash for each byte, 0 for none;
/// `u` means `\u00XX`.
const ESCAPE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = b'u';
        b += 1;
    }
    t[0x08] = b'b';
    t[0x09] = b't';
    t[0x0a] = b'n';
    t[0x0c] = b'f';
    t[0x0d] = b'r';
    t[b'"' as usize] = b'"';
    t[b'\\' as usize] = b'\\';
    t
};

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Whether any of the eight bytes of `x` needs an escape: a control
/// character, a quote or a backslash. Exact (no false answers either
/// way) for the whole word, which is all the caller needs.
#[inline]
fn needs_escape(x: u64) -> bool {
    let below_space = x.wrapping_sub(ONES * 0x20) & !x;
    let quote = x ^ (ONES * u64::from(b'"'));
    let backslash = x ^ (ONES * u64::from(b'\\'));
    let zero_in = |v: u64| v.wrapping_sub(ONES) & !v;
    (below_space | zero_in(quote) | zero_in(backslash)) & HIGHS != 0
}

/// `s` as a JSON string, quotes included.
pub(crate) fn push_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut run = 0;
    let mut i = 0;
    while i < bytes.len() {
        if let Some(word) = bytes.get(i..i + 8) {
            let x = u64::from_le_bytes(word.try_into().expect("eight bytes"));
            if !needs_escape(x) {
                i += 8;
                continue;
            }
        }
        let end = (i + 8).min(bytes.len());
        while i < end {
            let escape = ESCAPE[usize::from(bytes[i])];
            if escape != 0 {
                out.extend_from_slice(&bytes[run..i]);
                push_escape(out, bytes[i], escape);
                run = i + 1;
            }
            i += 1;
        }
    }
    out.extend_from_slice(&bytes[run..]);
    out.push(b'"');
}

fn push_escape(out: &mut Vec<u8>, byte: u8, escape: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    if escape == b'u' {
        out.extend_from_slice(&[
            b'\\',
            b'u',
            b'0',
            b'0',
            HEX[usize::from(byte >> 4)],
            HEX[usize::from(byte & 0xf)],
        ]);
    } else {
        out.extend_from_slice(&[b'\\', escape]);
    }
}

/// As serde_json: the shortest round-tripping form, `null` when not finite.
fn push_f32(out: &mut Vec<u8>, value: f32) {
    if value.is_finite() {
        out.extend_from_slice(zmij::Buffer::new().format_finite(value).as_bytes());
    } else {
        out.extend_from_slice(b"null");
    }
}

fn push_uint(out: &mut Vec<u8>, value: u64) {
    out.extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
}

fn push_evidence(out: &mut Vec<u8>, evidence: &[Evidence]) {
    out.push(b'[');
    for (i, e) in evidence.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"start\":");
        push_uint(out, e.start as u64);
        out.extend_from_slice(b",\"end\":");
        push_uint(out, e.end as u64);
        out.extend_from_slice(b",\"text\":");
        push_str(out, &e.text);
        out.push(b'}');
    }
    out.push(b']');
}

/// One finding, fields in the order and with the omissions of its derive.
pub(crate) fn push_finding(out: &mut Vec<u8>, f: &OutFinding<'_>) {
    // Category, kind and target ids are snake_case ASCII: nothing to escape,
    // but `kind` comes from the analysis as free text, so it goes through
    // the escaper like every other string.
    out.extend_from_slice(b"{\"category\":\"");
    out.extend_from_slice(f.category.as_str().as_bytes());
    out.push(b'"');
    if let Some(kind) = f.kind {
        out.extend_from_slice(b",\"kind\":");
        push_str(out, kind);
    }
    if let Some(target) = f.target {
        out.extend_from_slice(b",\"target\":\"");
        out.extend_from_slice(target.as_str().as_bytes());
        out.push(b'"');
    }
    out.extend_from_slice(b",\"score\":");
    push_f32(out, f.score);
    out.extend_from_slice(if f.flagged {
        b",\"flagged\":true"
    } else {
        b",\"flagged\":false"
    });
    if let Some(clause) = f.clause {
        out.extend_from_slice(b",\"clause\":");
        push_uint(out, u64::from(clause));
    }
    out.extend_from_slice(b",\"evidence\":");
    push_evidence(out, f.evidence);
    out.extend_from_slice(b",\"explanation\":");
    push_str(out, f.explanation);
    out.push(b'}');
}

/// The list of intents, as serde_json writes `Vec<IntentFinding>`.
pub(crate) fn push_intents(out: &mut Vec<u8>, intents: &[IntentFinding]) {
    out.push(b'[');
    for (i, it) in intents.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"intent\":\"");
        out.extend_from_slice(it.intent.as_str().as_bytes());
        out.extend_from_slice(b"\",\"score\":");
        push_f32(out, it.score);
        out.extend_from_slice(b",\"evidence\":");
        push_evidence(out, &it.evidence);
        out.extend_from_slice(b",\"explanation\":");
        push_str(out, &it.explanation);
        out.push(b'}');
    }
    out.push(b']');
}

#[cfg(test)]
mod tests {
    use super::*;
    use piazza_analysis::{CommentInput, Finding};
    use piazza_taxonomy::{Category, DiscriminationTarget, Intent};
    use proptest::prelude::*;

    fn by_hand(s: &str) -> String {
        let mut out = Vec::new();
        push_str(&mut out, s);
        String::from_utf8(out).expect("UTF-8")
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let every_low_byte: String = (0u8..0x80).map(char::from).collect();
        let cases = [
            "",
            "a",
            "\"",
            "\\",
            "sette b",
            "otto byt",
            "nove byte",
            "ciao \"sindaco\"\n\tè\u{1}\u{1f}\u{7f} 😡😡 \\ fine",
            "\u{0}\u{8}\u{c}\r",
            "€€€€€€€€\"€€€",
            &every_low_byte,
        ];
        for s in cases {
            assert_eq!(by_hand(s), serde_json::to_string(s).unwrap(), "{s:?}");
        }
    }

    #[test]
    fn the_word_check_is_exact() {
        // Every byte value in every position of an otherwise clean word.
        for pos in 0..8 {
            for b in 0..=255u8 {
                let mut word = *b"abcdefgh";
                word[pos] = b;
                let x = u64::from_le_bytes(word);
                let expected = b < 0x20 || b == b'"' || b == b'\\';
                assert_eq!(needs_escape(x), expected, "byte {b:#x} at {pos}");
            }
        }
        // Two bytes together, where borrows could cross from one to the next.
        for a in 0..=255u8 {
            for b in [
                0u8, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x5b, 0x5c, 0x5d, 0x80, 0xff,
            ] {
                let x = u64::from_le_bytes([b'x', a, b, b'x', b'x', b'x', b'x', b'x']);
                let bad = |c: u8| c < 0x20 || c == b'"' || c == b'\\';
                assert_eq!(needs_escape(x), bad(a) || bad(b), "{a:#x} {b:#x}");
            }
        }
    }

    fn hostile_char() -> impl Strategy<Value = char> {
        prop_oneof![
            (0u32..0x80).prop_map(|c| char::from_u32(c).unwrap()),
            Just('"'),
            Just('\\'),
            Just('è'),
            Just('€'),
            Just('😡'),
            any::<char>(),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn any_string_is_written_as_serde_json_writes_it(
            chars in proptest::collection::vec(hostile_char(), 0..64)
        ) {
            let s: String = chars.into_iter().collect();
            prop_assert_eq!(by_hand(&s), serde_json::to_string(&s).unwrap());
        }

        #[test]
        fn any_finding_is_written_as_serde_json_writes_it(
            text in proptest::collection::vec(hostile_char(), 0..40),
            kind in proptest::option::of("[a-z_\"\\\\]{0,12}"),
            target in proptest::option::of(0usize..DiscriminationTarget::ALL.len()),
            category in 0usize..Category::ALL.len(),
            score in prop_oneof![any::<f32>(), 0.0f32..1.0, Just(f32::NAN), Just(f32::INFINITY)],
            flagged in any::<bool>(),
            clause in proptest::option::of(any::<u32>()),
            spans in 0usize..3,
        ) {
            let text: String = text.into_iter().collect();
            let evidence: Vec<Evidence> = (0..spans)
                .map(|i| Evidence { start: i * 7, end: usize::MAX - i, text: text.clone() })
                .collect();
            let f = OutFinding {
                category: Category::ALL[category],
                kind: kind.as_deref(),
                target: target.map(|t| DiscriminationTarget::ALL[t]),
                score,
                flagged,
                clause,
                evidence: &evidence,
                explanation: &text,
            };
            let mut out = Vec::new();
            push_finding(&mut out, &f);
            prop_assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(&f).unwrap());

            let intents: Vec<IntentFinding> = (0..spans)
                .map(|i| IntentFinding {
                    intent: Intent::ALL[(category + i) % Intent::ALL.len()],
                    score,
                    evidence: evidence.clone(),
                    explanation: text.clone(),
                })
                .collect();
            let mut out = Vec::new();
            push_intents(&mut out, &intents);
            prop_assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(&intents).unwrap());
        }
    }

    /// Real analyses, under the default policy (clauses and thresholds).
    #[test]
    fn analyses_of_real_comments_are_written_as_serde_json_writes_them() {
        let policy = crate::cmd::policy::load("cento").unwrap().policy;
        let analyzer = crate::cmd::analysis::analyzer_for(&policy);
        let comments = [
            "Sei un coglione, ti vengo a prendere! Il mio numero è 333 123 4567",
            "Quando riapre l'ufficio anagrafe? C'è una buca enorme in via Roma 12",
            "VOTATE LISTA CIVICA \"Cento Futura\" alle prossime elezioni!!!",
            "guadagna da casa 500€ al giorno scrivimi su WhatsApp\nhttp://bit.ly/x",
            "i froci e gli zingari andrebbero bruciati tutti\t\u{1}",
            "mio codice fiscale RSSMRA85T10A562S, iban IT60 X054 2811 1010 0000 0123 456",
        ];
        let mut seen_findings = 0;
        for text in comments {
            let a = analyzer.analyze(
                &CommentInput::new(text)
                    .post_text("Lavori in via Roma: strada chiusa fino a lunedì"),
            );
            for f in &a.findings {
                let f: &Finding = f;
                let out_finding = OutFinding::new(&policy, f);
                let mut out = Vec::new();
                push_finding(&mut out, &out_finding);
                assert_eq!(
                    String::from_utf8(out).unwrap(),
                    serde_json::to_string(&out_finding).unwrap()
                );
                seen_findings += 1;
            }
            let mut out = Vec::new();
            push_intents(&mut out, &a.intents);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                serde_json::to_string(&a.intents).unwrap()
            );
        }
        assert!(seen_findings >= 8, "only {seen_findings} findings compared");
    }
}
