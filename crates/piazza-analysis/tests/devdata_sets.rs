//! The development sets of `devdata/` (see its README): comments that
//! answer hate and hateful comments that borrow their words. Measured with
//! the shipped analyser at the policies' flag line; the test fails if
//! discrimination flags on the answers rise, or those on the hateful rows
//! fall, beyond what was reached when the counter-speech reading was
//! written. These sets were looked at while writing it: their figures are
//! not a measure of generalisation (that is `testdata/benign_mentions.tsv`).
//!
//! `cargo test --release -p piazza-analysis --test devdata_sets -- --nocapture`

use piazza_analysis::corpus::parse_tsv;
use piazza_analysis::{Analyzer, CommentInput};
use piazza_taxonomy::Category;

/// Flag line of discrimination in Piazza's default policy.
const FLAG_DISCRIMINATION: f32 = 0.6;

/// (file, answers flagged at most, hateful flagged at least).
const REACHED: &[(&str, usize, usize)] = &[
    ("counter_speech.tsv", CS_ANSWERS, CS_HATEFUL),
    ("counter_speech_acts.tsv", CA_ANSWERS, CA_HATEFUL),
];
/// 6 since a quoted clause is someone else's words (2026-12-06, night).
/// 3 since words written in quotes ("scrivere \"...\"", "con la scritta
/// \"...\"") are reported and "vanno rispettati", "fuori i razzisti, non
/// gli stranieri" are respect (2026-12-07). Raised once, 3 → 4, knowingly,
/// with the spelling repair of the skeleton (2026-12-07, morning): the
/// model retrained on the repaired corpora reads "musulmani" a little more
/// often as hate (glued hashtags like "nerimusulmani" are now two words),
/// and cs047, Muslims who raised money for flood victims, went from 0.59
/// to 0.60, the flag line.
/// 4 → 3 with the homotransphobia head trained as a calibrated
/// SVM (2026-12-07, midday).
const CS_ANSWERS: usize = 3;
/// 45 until the explicit patterns of declared hate (2026-12-06) retrained
/// the gates: one hateful comment scored 0.60 before and 0.59 after ("...è
/// una lobby di depravati che vuole distruggere la famiglia"). 39 since
/// the second batch of desk negatives (2026-12-06, 240 comments: plain
/// mentions, defences, profanity at things...): the heads and gates learned
/// that a group named, or anger with no target, is not hate by itself, and
/// hate worded with a condemnation ("vergogna") lost with it (44 to 39);
/// the explicit generalisations added the same day ("i X sono tutti
/// uguali", "vengono qui solo a rubare", "portano solo degrado"...) found
/// 5 of them again. The trade is in the model card. 43 since a dated word
/// for a disability naming a service is a description (`src/senses.rs`):
/// csh79, "le rampe per gli handicappati ... che se ne stiano a casa", has
/// no other sign of hate the rules read. 45 once "negro" outside names,
/// quotes and reports is discrimination whatever the head's gate reads.
/// 46 with the gates fitted again with the floor of a head that names no
/// group (2026-12-06, night). 47 with hate said through a pronoun and a
/// group called worthless (2026-12-07).
/// Lowered, 47 → 44, with the homotransphobia head trained as a
/// calibrated SVM (2026-12-07, midday): fewer citizens flagged on seven
/// sets, some hate missed on others; the trade is in the model card.
/// Lowered, 44 → 43, (2026-12-07, evening): apostrophes written for accents and verbs of saying
/// that report nothing are the author's words, and the model retrained on
/// the corrected reading moved comments near the line both ways; the trade
/// is in the model card.
const CS_HATEFUL: usize = 43;
/// 3 since a quoted clause is someone else's words (2026-12-06, night), 2
/// since words written in quotes are reported (2026-12-07).
const CA_ANSWERS: usize = 2;
/// 19 until the second batch of desk negatives, 15 with it, 17 with the
/// explicit generalisations (see [`CS_HATEFUL`]).
/// 18 with the gates fitted again (2026-12-06, night), 19 with the rules of
/// 2026-12-07 (see [`CS_HATEFUL`]), 20 with the spelling repair.
/// Lowered, 20 → 16, with the homotransphobia head trained as a
/// calibrated SVM (2026-12-07, midday): fewer citizens flagged on seven
/// sets, some hate missed on others; the trade is in the model card.
const CA_HATEFUL: usize = 16;

#[test]
fn counter_speech_is_not_flagged_and_hate_in_its_words_is() {
    let analyzer = Analyzer::default();
    let mut failures = Vec::new();
    for &(file, max_answers, min_hateful) in REACHED {
        let path = format!("{}/devdata/{file}", env!("CARGO_MANIFEST_DIR"));
        let contents = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let table = parse_tsv(&contents).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(table.headers, ["id", "kind", "text"], "{file}: columns");
        let (mut answers, mut answers_flagged, mut hateful, mut hateful_flagged) = (0, 0, 0, 0);
        for (row, line) in table.rows.iter().zip(&table.row_lines) {
            let a = analyzer.analyze(&CommentInput::new(&row[2]));
            let flagged = a
                .findings
                .iter()
                .any(|f| f.category == Category::Discrimination && f.score >= FLAG_DISCRIMINATION);
            match row[1].as_str() {
                "condemning" => {
                    answers += 1;
                    if flagged {
                        answers_flagged += 1;
                        println!("  {file}: answer flagged: {}: {}", row[0], row[2]);
                    }
                }
                "hateful" => {
                    hateful += 1;
                    hateful_flagged += usize::from(flagged);
                }
                other => panic!("{file}:{line}: kind {other}"),
            }
        }
        assert!(answers >= 90 && hateful >= 70, "{file}: rows");
        println!(
            "{file}: answers to hate flagged {answers_flagged} of {answers}, hateful flagged {hateful_flagged} of {hateful}"
        );
        if answers_flagged > max_answers {
            failures.push(format!(
                "{file}: {answers_flagged} answers flagged, more than {max_answers}"
            ));
        }
        if hateful_flagged < min_hateful {
            failures.push(format!(
                "{file}: {hateful_flagged} hateful flagged, fewer than {min_hateful}"
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:?}");
}
