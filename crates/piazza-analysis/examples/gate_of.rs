//! Development aid: for each line of standard input (one comment), prints
//! its skeleton, its discrimination findings, what the heads' gates see of
//! it (signal bits, groups named, rule scores) and the text the heads read:
//! the comment without the words it reports from someone else. This is how
//! the readings of quotes and verbs of saying were checked on the corpora.
//!
//! ```text
//! cargo run --release -p piazza-analysis --example gate_of < comments.txt
//! ```

use std::io::BufRead;

use piazza_analysis::{Analyzer, CommentInput, Normalized};
use piazza_taxonomy::Category;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let analyzer = Analyzer::default();
    for line in std::io::stdin().lock().lines() {
        let text = line?;
        let input = CommentInput::new(&text);
        let findings: Vec<String> = analyzer
            .analyze(&input)
            .findings
            .iter()
            .filter(|f| f.category == Category::Discrimination)
            .map(|f| format!("{:?}/{:?}/{:.2}", f.kind, f.target, f.score))
            .collect();
        println!("{text}");
        println!("  skeleton: {}", Normalized::new(&text).skeleton);
        println!("  findings: {findings:?}");
        match analyzer.gate_input(&input) {
            Some((ctx, read)) => {
                println!(
                    "  signals {:016b}, groups named {:04b}, words {}, rule scores {:?}",
                    ctx.signals, ctx.named_comment, ctx.words, ctx.rule_scores
                );
                println!("  the heads read: {read}");
            }
            None => println!("  the heads do not run"),
        }
    }
    Ok(())
}
