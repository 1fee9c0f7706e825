//! Writes `lexicons/spelling_known.txt`: the real Italian words that the
//! spelling repair would otherwise take for a misspelling of a target
//! ("nei" for "neri", "dimostri" for "di mostri"), or that are a piece of a
//! target a space may split ("per versi").
//!
//! ```text
//! cargo run --release -p piazza-analysis --example spelling_known -- \
//!     WORDLIST [DATA_DIR] [--min-count N] > crates/piazza-analysis/lexicons/spelling_known.txt
//! ```
//! WORDLIST is a dictionary, one word a line (Debian's `witalian`,
//! `/usr/share/dict/italian`, was used; it is consulted, not shipped: only
//! the words that collide are written). DATA_DIR (default: the `shared/data`
//! folder beside the repository) adds every word its corpora use at least N
//! times (default 3): names and forms a dictionary lacks ("Terni").

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut wordlist: Option<PathBuf> = None;
    let mut data = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"));
    let mut min_count = 3usize;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--min-count" => {
                min_count = args
                    .next()
                    .ok_or("--min-count needs a number")?
                    .parse()
                    .map_err(|e| format!("--min-count: {e}"))?
            }
            _ if wordlist.is_none() => wordlist = Some(PathBuf::from(a)),
            _ => data = PathBuf::from(a),
        }
    }
    let wordlist = wordlist.ok_or("usage: spelling_known WORDLIST [DATA_DIR] [--min-count N]")?;
    let dictionary = std::fs::read_to_string(&wordlist)
        .map_err(|e| format!("cannot read the word list {}: {e}", wordlist.display()))?;
    let mut words: Vec<String> = dictionary
        .lines()
        .map(|l| l.trim().to_string())
        .filter(|w| !w.is_empty())
        .collect();

    let mut texts: Vec<String> = Vec::new();
    for dir in
        std::fs::read_dir(&data).map_err(|e| format!("cannot read {}: {e}", data.display()))?
    {
        let dir = dir?.path();
        if !dir.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&dir)? {
            let file = file?.path();
            if file.extension().and_then(|e| e.to_str()) != Some("tsv") {
                continue;
            }
            texts.push(
                std::fs::read_to_string(&file)
                    .map_err(|e| format!("cannot read {}: {e}", file.display()))?,
            );
        }
    }
    let files = texts.len();
    if files == 0 {
        return Err(format!("no corpus file under {}", data.display()).into());
    }
    let counts = piazza_analysis::word_counts(texts.iter().map(String::as_str));
    words.extend(
        counts
            .into_iter()
            .filter(|&(_, n)| n >= min_count)
            .map(|(w, _)| w),
    );
    let known = piazza_analysis::words_the_speller_must_know(words.iter().map(String::as_str));
    eprintln!(
        "{} words read ({} corpus files), {} the speller must know",
        words.len(),
        files,
        known.len()
    );
    for word in known {
        println!("{word}");
    }
    Ok(())
}
