//! A line diff by longest common subsequence, for comparing two versions of
//! a policy. Policies are a few hundred lines: the quadratic table is small
//! once the common head and tail are set aside.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Op {
    Same,
    Del,
    Ins,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Line {
    pub op: Op,
    pub text: String,
}

/// Past this many cells the middle is shown as deleted then inserted
/// instead of aligned: correct, if less helpful, and bounded in memory.
const MAX_CELLS: usize = 16_000_000;

/// The lines of `a` and `b` as kept, deleted (only in `a`) and inserted
/// (only in `b`), in order.
pub(crate) fn line_diff(a: &str, b: &str) -> Vec<Line> {
    let a: Vec<&str> = a.lines().collect();
    let b: Vec<&str> = b.lines().collect();
    let head = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let tail = a[head..]
        .iter()
        .rev()
        .zip(b[head..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (am, bm) = (&a[head..a.len() - tail], &b[head..b.len() - tail]);
    let line = |op, t: &str| Line {
        op,
        text: t.to_string(),
    };
    let mut out: Vec<Line> = a[..head].iter().map(|t| line(Op::Same, t)).collect();
    let (n, m) = (am.len(), bm.len());
    if n.saturating_mul(m) > MAX_CELLS {
        out.extend(am.iter().map(|t| line(Op::Del, t)));
        out.extend(bm.iter().map(|t| line(Op::Ins, t)));
    } else {
        // lcs[i][j]: the LCS length of am[i..] and bm[j..].
        let w = m + 1;
        let mut lcs = vec![0u32; (n + 1) * w];
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                lcs[i * w + j] = if am[i] == bm[j] {
                    lcs[(i + 1) * w + j + 1] + 1
                } else {
                    lcs[(i + 1) * w + j].max(lcs[i * w + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < n && j < m {
            if am[i] == bm[j] {
                out.push(line(Op::Same, am[i]));
                i += 1;
                j += 1;
            } else if lcs[(i + 1) * w + j] >= lcs[i * w + j + 1] {
                out.push(line(Op::Del, am[i]));
                i += 1;
            } else {
                out.push(line(Op::Ins, bm[j]));
                j += 1;
            }
        }
        out.extend(am[i..].iter().map(|t| line(Op::Del, t)));
        out.extend(bm[j..].iter().map(|t| line(Op::Ins, t)));
    }
    out.extend(a[a.len() - tail..].iter().map(|t| line(Op::Same, t)));
    out
}

/// A run of the diff to show: changed lines with `context` unchanged lines
/// around them; `None` stands for unchanged lines left out.
pub(crate) fn hunks(lines: &[Line], context: usize) -> Vec<Option<&Line>> {
    let changed: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.op != Op::Same)
        .map(|(i, _)| i)
        .collect();
    let keep = |i: usize| {
        changed
            .iter()
            .any(|&c| i + context >= c && i <= c + context)
    };
    let mut out = Vec::new();
    let mut skipped = false;
    for (i, l) in lines.iter().enumerate() {
        if keep(i) {
            out.push(Some(l));
            skipped = false;
        } else if !skipped {
            out.push(None);
            skipped = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ops(d: &[Line]) -> String {
        d.iter()
            .map(|l| {
                format!(
                    "{}{}",
                    match l.op {
                        Op::Same => ' ',
                        Op::Del => '-',
                        Op::Ins => '+',
                    },
                    l.text
                )
            })
            .collect::<Vec<_>>()
            .join("|")
    }

    #[test]
    fn identical_texts_have_no_change() {
        let d = line_diff("a\nb\nc", "a\nb\nc");
        assert!(d.iter().all(|l| l.op == Op::Same));
        assert_eq!(d.len(), 3);
    }

    #[test]
    fn a_changed_line_is_a_deletion_and_an_insertion() {
        assert_eq!(ops(&line_diff("a\nb\nc", "a\nB\nc")), " a|-b|+B| c");
    }

    #[test]
    fn moved_and_added_lines_follow_the_longest_common_subsequence() {
        assert_eq!(
            ops(&line_diff("x\na\nb\nc\ny", "x\nb\nc\na\nd\ny")),
            " x|-a| b| c|+a|+d| y"
        );
        assert_eq!(ops(&line_diff("", "n")), "+n");
        assert_eq!(ops(&line_diff("o", "")), "-o");
    }

    #[test]
    fn hunks_keep_context_and_mark_gaps() {
        let a: String = (0..20).map(|i| format!("{i}\n")).collect();
        let b = a.replace("10\n", "dieci\n");
        let d = line_diff(&a, &b);
        let h = hunks(&d, 2);
        let shown: Vec<String> = h
            .iter()
            .map(|l| l.map(|l| l.text.clone()).unwrap_or_else(|| "…".into()))
            .collect();
        assert_eq!(shown, vec!["…", "8", "9", "10", "dieci", "11", "12", "…"]);
    }
}
