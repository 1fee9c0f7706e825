//! What the development examples share: one short form of a finding.

use piazza_analysis::Finding;

/// `kind/target/score` of each finding, space-separated.
pub fn describe<'a>(findings: impl Iterator<Item = &'a Finding>) -> String {
    findings
        .map(|f| {
            format!(
                "{}/{:?}/{:.2}",
                f.kind.as_deref().unwrap_or("-"),
                f.target,
                f.score
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}
