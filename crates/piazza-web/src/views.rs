//! Small helpers shared by the desk's pages and API: dates in Rome time,
//! repeated form fields, evidence highlighting.

use piazza_calendar::jiff::Timestamp;
use piazza_calendar::rome;

/// The status of a page shown again with a refusal (422) or as asked (200).
pub(crate) fn page_status(error: &Option<String>) -> axum::http::StatusCode {
    if error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    }
}

/// An instant as people in Rome read it: `22/11/2026 10:05`.
pub(crate) fn when(ms: i64) -> String {
    Timestamp::from_millisecond(ms)
        .map(|t| {
            t.to_zoned(rome().clone())
                .strftime("%d/%m/%Y %H:%M")
                .to_string()
        })
        .unwrap_or_else(|_| ms.to_string())
}

/// The value of an `<input type="date">` (`2026-11-22`) of an instant.
pub(crate) fn day_value(ms: i64) -> String {
    Timestamp::from_millisecond(ms)
        .map(|t| t.to_zoned(rome().clone()).strftime("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// A day or date-time typed in a form, in Rome time, as milliseconds.
pub(crate) fn parse_when(s: &str) -> Option<i64> {
    if s.trim().is_empty() {
        return None;
    }
    piazza_calendar::parse_instant(s)
        .ok()
        .map(|t| t.as_millisecond())
}

/// The fields of a form or query, in order, with repeated names kept
/// (checkbox groups): serde's map forms would keep one value only.
#[derive(Debug, Clone, Default)]
pub(crate) struct Pairs(pub Vec<(String, String)>);

impl Pairs {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
            .collect()
    }

    pub fn int(&self, name: &str) -> Option<i64> {
        self.get(name).and_then(|v| v.parse().ok())
    }
}

/// A run of a comment's text, highlighted when some evidence covers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Segment {
    pub text: String,
    pub marked: bool,
}

/// Splits `text` at the evidence spans, given as Unicode scalar (char)
/// offsets `[start, end)`; overlapping and out-of-range spans are merged
/// and clamped.
pub(crate) fn highlight(text: &str, spans: &[(usize, usize)]) -> Vec<Segment> {
    let chars: Vec<char> = text.chars().collect();
    let mut marked = vec![false; chars.len()];
    for &(s, e) in spans {
        for m in marked
            .iter_mut()
            .take(e.min(chars.len()))
            .skip(s.min(chars.len()))
        {
            *m = true;
        }
    }
    let mut out: Vec<Segment> = Vec::new();
    for (c, m) in chars.iter().zip(marked) {
        match out.last_mut() {
            Some(seg) if seg.marked == m => seg.text.push(*c),
            _ => out.push(Segment {
                text: c.to_string(),
                marked: m,
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_by_char_offsets_not_bytes() {
        let segs = highlight("Perché ti ammazzo", &[(10, 17)]);
        assert_eq!(
            segs,
            vec![
                Segment {
                    text: "Perché ti ".into(),
                    marked: false
                },
                Segment {
                    text: "ammazzo".into(),
                    marked: true
                },
            ]
        );
    }

    #[test]
    fn overlapping_and_out_of_range_spans_are_merged_and_clamped() {
        let segs = highlight("abcdef", &[(1, 3), (2, 4), (5, 99)]);
        let shown: Vec<(String, bool)> = segs.into_iter().map(|s| (s.text, s.marked)).collect();
        assert_eq!(
            shown,
            vec![
                ("a".into(), false),
                ("bcd".into(), true),
                ("e".into(), false),
                ("f".into(), true)
            ]
        );
    }

    #[test]
    fn repeated_fields_are_all_kept() {
        let p = Pairs(vec![
            ("c".into(), "1".into()),
            ("x".into(), " ".into()),
            ("c".into(), "2".into()),
        ]);
        assert_eq!(p.all("c"), vec!["1", "2"]);
        assert_eq!(p.get("x"), None);
        assert_eq!(p.int("c"), Some(1));
    }

    #[test]
    fn dates_are_in_rome_time() {
        // 2026-11-23T09:00:00Z is 10:00 in Rome.
        assert_eq!(when(1_795_424_400_000), "23/11/2026 10:00");
        assert_eq!(parse_when("2026-11-23T10:00"), Some(1_795_424_400_000));
        assert_eq!(day_value(1_795_424_400_000), "2026-11-23");
        assert_eq!(parse_when(""), None);
    }
}
