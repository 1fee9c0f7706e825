//! `piazza bench`: throughput measured on this machine, never asserted in
//! tests. Figures go in docs/benchmarks.md with the command that produced
//! them.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::Subcommand;
use piazza_analysis::synth::{
    SyntheticComment, post_index, synthetic_corpus, synthetic_corpus_varied,
};
use piazza_analysis::{Analyzer, AnalyzerConfig, CommentInput};
use piazza_desk::{Desk, ImportFormat, NewAdministration};
use rayon::prelude::*;

use crate::Outcome;

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Analysis throughput on the built-in synthetic corpus: one core, then all.
    Analysis {
        #[arg(long, default_value_t = 200_000)]
        n: usize,
        /// Also pass each comment's post (for the off-topic detector).
        #[arg(long)]
        with_post: bool,
        /// Instead of measuring, write the N comments as `piazza analyze`
        /// input (JSONL with id, text, post_text, post_id, author, platform,
        /// created_at), to time the command end to end.
        #[arg(long, value_name = "FILE")]
        write_jsonl: Option<PathBuf>,
        /// Comments with a random middle clause, so near-duplicates are rare
        /// (the default corpus repeats a few thousand templates: the worst
        /// case for the near-duplicate tracker).
        #[arg(long)]
        varied: bool,
    },
    /// Import + analysis + storage of N synthetic comments into a fresh
    /// database (SQLite in a temporary folder, or --database-url).
    Ingest {
        #[arg(long, default_value_t = 1_000_000)]
        n: usize,
        #[arg(long, default_value_t = 5000)]
        batch: usize,
        /// postgres://... to measure PostgreSQL (a fresh, empty database).
        #[arg(long)]
        database_url: Option<String>,
    },
}

pub fn bench(cmd: BenchCommand) -> anyhow::Result<Outcome> {
    match cmd {
        BenchCommand::Analysis {
            n,
            with_post,
            write_jsonl,
            varied,
        } => {
            let corpus = if varied {
                synthetic_corpus_varied(n, 42)
            } else {
                synthetic_corpus(n, 42)
            };
            if let Some(path) = write_jsonl {
                write_analyze_input(&corpus, &path)?;
                eprintln!("{n} commenti scritti in {}", path.display());
                return Ok(Outcome::Ok);
            }
            let bytes: usize = corpus.iter().map(|c| c.text.len()).sum();
            let analyzer = Analyzer::new(AnalyzerConfig::default());
            fn input(
                c: &piazza_analysis::synth::SyntheticComment,
                with_post: bool,
            ) -> CommentInput<'_> {
                let i = CommentInput::new(&c.text).author(&c.author);
                if with_post {
                    i.post_text(&c.post_text)
                } else {
                    i
                }
            }
            // Warm up the lazily built tables.
            for c in corpus.iter().take(1000) {
                std::hint::black_box(analyzer.analyze(&input(c, with_post)));
            }
            let t = Instant::now();
            let mut found = 0usize;
            for c in &corpus {
                found += analyzer.analyze(&input(c, with_post)).findings.len();
            }
            let one = t.elapsed().as_secs_f64();
            let t = Instant::now();
            let found_par: usize = corpus
                .par_iter()
                .map(|c| analyzer.analyze(&input(c, with_post)).findings.len())
                .sum();
            let all = t.elapsed().as_secs_f64();
            assert_eq!(
                found, found_par,
                "parallel and sequential analysis disagree"
            );
            println!(
                "{n} commenti sintetici, {:.0} byte in media{}",
                bytes as f64 / n as f64,
                if with_post {
                    ", con il testo del post"
                } else {
                    ""
                }
            );
            println!("1 core:   {:>10.0} commenti/s ({one:.2} s)", n as f64 / one);
            println!(
                "{} core: {:>10.0} commenti/s ({all:.2} s)",
                rayon::current_num_threads(),
                n as f64 / all
            );
            println!("risultati: {found} rilevazioni");
        }
        BenchCommand::Ingest {
            n,
            batch,
            database_url,
        } => {
            let dir = std::env::temp_dir().join(format!("piazza-bench-{}", std::process::id()));
            std::fs::create_dir_all(&dir)?;
            let store = match &database_url {
                Some(url) => piazza_store::Store::open(url)?,
                None => piazza_store::Store::open_data_dir(&dir)?,
            };
            let desk = Desk::new(store);
            let admin = desk
                .create_administration(
                    NewAdministration::preset("cento")
                        .with_slug(&format!("bench-{}", std::process::id())),
                )
                .context("cannot create the benchmark administration (use an empty database)")?;
            let account = desk.accounts(admin.id)?[0].id;
            let file = dir.join("comments.jsonl");
            {
                let mut w = std::io::BufWriter::new(std::fs::File::create(&file)?);
                for (i, c) in synthetic_corpus(n, 7).iter().enumerate() {
                    serde_json::to_writer(
                        &mut w,
                        &serde_json::json!({
                            "id": format!("b{i}"), "text": c.text, "author": c.author,
                            "post_id": format!("p{}", i % 500),
                            "created_at": 1_795_424_400_000i64 + i as i64 * 1000,
                        }),
                    )?;
                    w.write_all(b"\n")?;
                }
            }
            let bar = crate::cmd::progress_bar(Some(n as u64), "bench ingest");
            let t = Instant::now();
            let reader = std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(&file)?);
            let r = desk.import(
                None,
                admin.id,
                account,
                reader,
                ImportFormat::Jsonl,
                "bench",
                "bench.jsonl",
                batch,
                &mut |p| {
                    bar.set_position(p.lines_done);
                },
            )?;
            bar.finish_and_clear();
            let secs = t.elapsed().as_secs_f64();
            println!(
                "{} commenti importati, analizzati e salvati su {} in {secs:.1} s: {:.0} commenti/s",
                r.progress.imported,
                match desk.backend() {
                    piazza_desk::BackendKind::Sqlite => "SQLite",
                    piazza_desk::BackendKind::Postgres => "PostgreSQL",
                },
                r.progress.imported as f64 / secs
            );
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
    Ok(Outcome::Ok)
}

/// The corpus as `piazza analyze` input, one comment per line.
fn write_analyze_input(corpus: &[SyntheticComment], path: &Path) -> anyhow::Result<()> {
    let file =
        std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut w = std::io::BufWriter::new(file);
    for (i, c) in corpus.iter().enumerate() {
        serde_json::to_writer(
            &mut w,
            &serde_json::json!({
                "id": format!("c{i}"),
                "text": c.text,
                "post_text": c.post_text,
                "post_id": format!("p{}", post_index(&c.post_text).unwrap_or(0)),
                "author": c.author,
                "platform": "facebook",
                "created_at": 1_795_424_400_000i64 + i as i64 * 1000,
            }),
        )?;
        w.write_all(b"\n")?;
    }
    w.flush()?;
    Ok(())
}
