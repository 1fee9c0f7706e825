//! The shared corpora parse with the crate's TSV reader and have the rows
//! and labels their README promises. Skipped (with a message) on machines
//! where `shared/data` is absent.

use std::collections::BTreeMap;
use std::path::Path;

use piazza_analysis::corpus::parse_tsv;
use piazza_analysis::training::{HEADS, TRAINING_FILES, load};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data");

/// Whether `shared/data` is beside the repository; when it is absent and
/// CI asks for it (`PIAZZA_REQUIRE_DATA=1`), the test fails.
fn data_present() -> bool {
    if Path::new(DATA).is_dir() {
        return true;
    }
    assert!(
        std::env::var("PIAZZA_REQUIRE_DATA").as_deref() != Ok("1"),
        "PIAZZA_REQUIRE_DATA=1 but {DATA} is absent"
    );
    eprintln!("skipped: {DATA} is absent");
    false
}

#[test]
fn training_files_parse_with_their_documented_sizes() {
    if !data_present() {
        return;
    }
    let expected: BTreeMap<&str, usize> = [
        ("haspeede2018/fb_train.tsv", 2400),
        ("haspeede2018/tw_train.tsv", 3000),
        ("ami2020/train.tsv", 5000),
        ("hodi2023/train.tsv", 4000),
        ("haspeede3/train.tsv", 5600),
    ]
    .into_iter()
    .collect();
    let mut sources = BTreeMap::new();
    for f in TRAINING_FILES {
        let contents = std::fs::read_to_string(Path::new(DATA).join(f)).unwrap();
        let table = parse_tsv(&contents).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert_eq!(table.rows.len(), expected[f], "{f}");
        sources.insert(f.to_string(), contents);
    }
    for head in HEADS {
        for (file, label) in head.sources {
            let (texts, labels) = load(&sources, file, label).unwrap();
            let pos = labels.iter().filter(|&&l| l).count();
            assert_eq!(texts.len(), labels.len());
            // Both classes present in reasonable proportion.
            assert!(
                pos * 10 > labels.len() && pos * 10 < labels.len() * 9,
                "{file}: {pos}"
            );
        }
    }
}

/// The list of real words the spelling repair must leave alone
/// (`lexicons/spelling_known.txt`, written by `examples/spelling_known.rs`)
/// is current for the corpora: every word they use three times or more that
/// the repair would take for a misspelling is on it. A lexicon change that
/// adds a target without regenerating the list fails here.
#[test]
fn the_speller_knows_every_corpus_word_it_would_otherwise_repair() {
    if !data_present() {
        return;
    }
    let mut texts = Vec::new();
    for dir in std::fs::read_dir(DATA).unwrap().flatten() {
        let Ok(files) = std::fs::read_dir(dir.path()) else {
            continue;
        };
        for file in files.flatten() {
            if file.path().extension().is_some_and(|e| e == "tsv") {
                texts.push(std::fs::read_to_string(file.path()).unwrap());
            }
        }
    }
    assert!(texts.len() >= 5, "{} corpus files", texts.len());
    let counts = piazza_analysis::word_counts(texts.iter().map(String::as_str));
    let must = piazza_analysis::words_the_speller_must_know(
        counts
            .iter()
            .filter(|&(_, &n)| n >= 3)
            .map(|(w, _)| w.as_str()),
    );
    assert!(must.len() > 50, "only {} words", must.len());
    let known: std::collections::HashSet<&str> = include_str!("../lexicons/spelling_known.txt")
        .lines()
        .collect();
    let missing: Vec<&String> = must
        .iter()
        .filter(|w| !known.contains(w.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "regenerate lexicons/spelling_known.txt (examples/spelling_known.rs): {missing:?}"
    );
}
