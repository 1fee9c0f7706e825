//! The editorial checks of a text the administration writes, with the
//! personal data the analyser finds in it: one function for the command
//! line and the web desk.

use piazza_analysis::{Analyzer, CommentInput};
use piazza_editorial::Report;
use piazza_taxonomy::{Category, PersonalDataKind, Platform};

/// Every check of `text` (see `piazza_editorial`), plus the personal and
/// special-category data `analyzer` finds in it, plus the election
/// period's checks while one is on.
pub fn check_text(
    analyzer: &Analyzer,
    text: &str,
    platform: Option<Platform>,
    election_period: bool,
) -> Report {
    let analysis = analyzer.analyze(&CommentInput::new(text));
    let mut report = piazza_editorial::check(text, platform);
    report.add_personal_data(
        analysis
            .findings
            .iter()
            .filter(|f| f.category == Category::PersonalData)
            .flat_map(|f| {
                let special = f
                    .kind
                    .as_deref()
                    .and_then(|k| k.parse::<PersonalDataKind>().ok())
                    .is_some_and(PersonalDataKind::is_special);
                f.evidence
                    .iter()
                    .map(move |e| (e.start, e.end, e.text.clone(), special))
            }),
    );
    if election_period {
        report.add_election_period(text);
    }
    report
}
