//! The editorial checks of a text the administration writes, with the
//! personal data the analyser finds in it: one function for the command
//! line and the web desk.

use piazza_analysis::{Analyzer, CommentInput};
use piazza_editorial::Report;
use piazza_taxonomy::{Category, PersonalDataKind, Platform};

/// During an election period: the political figures of the registry,
/// whose names the checks flag (empty when the registry lists none).
pub type ElectionCheck<'a> = Option<&'a [crate::PublicFigure]>;

/// Every check of `text` (see `piazza_editorial`), plus the personal and
/// special-category data `analyzer` finds in it, plus, while an election
/// period is on (`election` is `Some`), its checks and the names of the
/// political figures it lists.
pub fn check_text(
    analyzer: &Analyzer,
    text: &str,
    platform: Option<Platform>,
    election: ElectionCheck<'_>,
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
    if let Some(figures) = election {
        report.add_election_period(text);
        let names: Vec<(&str, &str)> = figures
            .iter()
            .map(|f| (f.name.as_str(), f.role.label_it()))
            .collect();
        report.add_names(text, &names);
    }
    report
}
