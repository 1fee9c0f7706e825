//! The shared corpora parse with the crate's TSV reader and have the rows
//! and labels their README promises. Skipped (with a message) on machines
//! where `shared/data` is absent.

use std::collections::BTreeMap;
use std::path::Path;

use piazza_analysis::corpus::parse_tsv;
use piazza_analysis::training::{HEADS, TRAINING_FILES, load};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data");

#[test]
fn training_files_parse_with_their_documented_sizes() {
    if !Path::new(DATA).is_dir() {
        assert!(
            std::env::var("PIAZZA_REQUIRE_DATA").as_deref() != Ok("1"),
            "PIAZZA_REQUIRE_DATA=1 but {DATA} is absent"
        );
        eprintln!("skipped: {DATA} is absent");
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
