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
    /// Meta webhook deliveries, signed, POSTed over HTTP to `piazza serve`'s
    /// web stack (one comment each): accepted and stored per second, then
    /// processed into the queue per second.
    Webhooks {
        #[arg(long, default_value_t = 20_000)]
        n: usize,
        /// Concurrent HTTP clients.
        #[arg(long, default_value_t = 8)]
        clients: usize,
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
            let desk = match &database_url {
                Some(url) => Desk::open(url)?,
                None => Desk::open_data_dir(&dir)?,
            };
            let admin = desk
                .create_administration(
                    NewAdministration::preset("cento")
                        .with_slug(&format!("bench-{}", std::process::id())),
                )
                .context("impossibile creare l'ente per la misura (usa un database vuoto)")?;
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
        BenchCommand::Webhooks {
            n,
            clients,
            database_url,
        } => webhooks(n, clients.max(1), database_url.as_deref())?,
    }
    Ok(Outcome::Ok)
}

/// `piazza bench webhooks`: the real route, on a real socket, with the
/// worker's processing measured apart.
fn webhooks(n: usize, clients: usize, database_url: Option<&str>) -> anyhow::Result<()> {
    use piazza_desk::{
        ConnectorKind, IncomingPost, NewConnection, NewStaff, Role, SecretKey, SecretString,
        StandardConnectors,
    };
    use piazza_platforms::meta::MetaConfig;
    use std::sync::Arc;

    const APP_SECRET: &str = "bench-app-secret";
    const PAGE: &str = "424242";
    const POSTS: usize = 50;
    let dir = std::env::temp_dir().join(format!("piazza-bench-wh-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let desk = match database_url {
        Some(url) => Desk::open(url)?,
        None => Desk::open_data_dir(&dir)?,
    };
    // A closed local port: processing never reaches Meta, whatever happens.
    let desk = desk.with_platforms(
        Arc::new(StandardConnectors {
            meta: MetaConfig::with_url("http://127.0.0.1:9"),
            sandbox_backlog: 0,
            telegram: Default::default(),
            youtube: Default::default(),
            x: Default::default(),
            flickr_url: piazza_platforms::flickr::DEFAULT_REST_URL.into(),
            linkedin_url: piazza_platforms::linkedin::DEFAULT_API_URL.into(),
        }),
        Some(Arc::new(
            SecretKey::from_passphrase("bench: a passphrase of at least 32 characters")
                .map_err(|e| anyhow::anyhow!("{e}"))?,
        )),
        piazza_desk::DEFAULT_LEASE_MS,
    );
    let admin = desk
        .create_administration(
            NewAdministration::preset("cento").with_slug(&format!("bench-{}", std::process::id())),
        )
        .context("impossibile creare l'ente per la misura (usa un database vuoto)")?;
    desk.add_staff(
        admin.id,
        None,
        NewStaff {
            username: format!("bench-{}", std::process::id()),
            full_name: "bench".into(),
            email: None,
            roles: vec![Role::Admin],
            password: None,
        },
    )?;
    let root = desk.actor(admin.id, &format!("bench-{}", std::process::id()))?;
    let account = desk
        .accounts(admin.id)?
        .into_iter()
        .find(|a| a.platform == "facebook")
        .context("il preset non ha un account Facebook")?
        .id;
    desk.connect(
        &root,
        NewConnection {
            account_id: account,
            connector: ConnectorKind::Facebook,
            platform_account: PAGE.into(),
            page_id: None,
            token: Some(SecretString::new("bench-token")),
            base_url: None,
        },
    )?;
    let corpus = synthetic_corpus_varied(n, 11);
    // The posts are known, so processing reads no post from the platform.
    for p in 0..POSTS {
        desk.ingest_post(
            admin.id,
            account,
            &IncomingPost {
                external_id: format!("{PAGE}_{p}"),
                text: Some(corpus[p % corpus.len()].post_text.clone()),
                url: None,
                published_at: None,
            },
        )?;
    }
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, APP_SECRET.as_bytes());
    let deliveries: Vec<(Vec<u8>, String)> = corpus
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let post = format!("{PAGE}_{}", i % POSTS);
            let body = serde_json::json!({"object": "page", "entry": [{"id": PAGE, "time": 1_795_424_400, "changes": [{
                "field": "feed",
                "value": {
                    "from": {"id": format!("u{}", i % 997), "name": c.author},
                    "item": "comment", "verb": "add",
                    "comment_id": format!("{post}_{i}"), "post_id": post, "parent_id": post,
                    "created_time": 1_795_424_400 + i as i64, "message": c.text,
                }
            }]}]})
            .to_string()
            .into_bytes();
            let sig = format!("sha256={}", hex::encode(ring::hmac::sign(&key, &body).as_ref()));
            (body, sig)
        })
        .collect();

    let state = piazza_web::AppState::new(
        desk.clone(),
        piazza_web::WebConfig {
            meta_webhook: Some(piazza_web::MetaWebhook {
                app_secret: SecretString::new(APP_SECRET),
                verify_token: SecretString::new("bench-verify"),
            }),
            ..piazza_web::WebConfig::default()
        },
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let url = format!("http://{}/webhooks/meta", listener.local_addr()?);
    rt.spawn(piazza_web::serve_on(listener, state));

    let bar = crate::cmd::progress_bar(Some(n as u64), "bench webhooks");
    let next = std::sync::atomic::AtomicUsize::new(0);
    let t = Instant::now();
    let latencies: Vec<Vec<f64>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..clients)
            .map(|_| {
                scope.spawn(|| -> anyhow::Result<Vec<f64>> {
                    let agent: ureq::Agent = ureq::Agent::config_builder()
                        .http_status_as_error(false)
                        .build()
                        .into();
                    let mut lat = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some((body, sig)) = deliveries.get(i) else {
                            return Ok(lat);
                        };
                        let t0 = Instant::now();
                        let res = agent
                            .post(&url)
                            .header("content-type", "application/json")
                            .header("x-hub-signature-256", sig)
                            .send(&body[..])?;
                        anyhow::ensure!(
                            res.status() == 200,
                            "delivery {i} answered {}",
                            res.status()
                        );
                        lat.push(t0.elapsed().as_secs_f64() * 1000.0);
                        bar.inc(1);
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("client thread"))
            .collect::<anyhow::Result<Vec<_>>>()
    })?;
    let accept_secs = t.elapsed().as_secs_f64();
    bar.finish_and_clear();
    let mut all: Vec<f64> = latencies.into_iter().flatten().collect();
    all.sort_by(f64::total_cmp);
    let pct = |p: f64| all[((all.len() as f64 * p) as usize).min(all.len() - 1)];
    let stored = desk.pending_platform_deliveries()?;
    let backend = match desk.backend() {
        piazza_desk::BackendKind::Sqlite => "SQLite",
        piazza_desk::BackendKind::Postgres => "PostgreSQL",
    };
    println!(
        "{n} consegne firmate accettate e salvate su {backend} in {accept_secs:.1} s: {:.0}/s ({clients} client; latenza p50 {:.1} ms, p99 {:.1} ms); in attesa di elaborazione: {stored}",
        n as f64 / accept_secs,
        pct(0.5),
        pct(0.99)
    );
    let t = Instant::now();
    let mut events = 0;
    loop {
        let r = desk.process_platform_deliveries(500)?;
        anyhow::ensure!(r.failed == 0, "{} deliveries failed", r.failed);
        if r.deliveries == 0 {
            break;
        }
        events += r.events;
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{events} commenti elaborati (analisi, policy, coda) in {secs:.1} s: {:.0}/s",
        events as f64 / secs
    );
    drop(rt);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// The corpus as `piazza analyze` input, one comment per line.
fn write_analyze_input(corpus: &[SyntheticComment], path: &Path) -> anyhow::Result<()> {
    let file = std::fs::File::create(path)
        .with_context(|| format!("impossibile creare {}", path.display()))?;
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
