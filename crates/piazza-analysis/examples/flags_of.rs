//! Development aid: prints the discrimination findings (kind, target,
//! score) that the analyser, with and without its classifier, reports on
//! the rows of a TSV with `text` and optional `post_text` columns.
//!
//! `flags_of FILE.tsv [--rules-only]`

use piazza_analysis::corpus::parse_tsv;
use piazza_analysis::{Analyzer, CommentInput};
use piazza_taxonomy::Category;

#[path = "support/mod.rs"]
mod support;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .first()
        .ok_or("usage: flags_of FILE.tsv [--rules-only]")?;
    let rules_only = args.iter().any(|a| a == "--rules-only");
    let table = parse_tsv(&std::fs::read_to_string(path)?)?;
    let texts = table.texts("text")?;
    let posts = table.texts("post_text").ok();
    let mut analyzer = Analyzer::default();
    if rules_only {
        analyzer = analyzer.with_model(None);
    }
    let mut n = 0;
    for (i, t) in texts.iter().enumerate() {
        let mut c = CommentInput::new(t);
        if let Some(p) = posts.as_ref().map(|p| p[i]).filter(|p| !p.is_empty()) {
            c = c.post_text(p);
        }
        let a = analyzer.analyze(&c);
        let flags = support::describe(
            a.findings
                .iter()
                .filter(|f| f.category == Category::Discrimination && f.score >= 0.6),
        );
        if !flags.is_empty() {
            n += 1;
            println!("{i}\t{flags}\t{t}");
        }
    }
    println!("{n} of {} flagged", texts.len());
    Ok(())
}
