//! Outbox deliveries per second against the local fake of Meta's Graph
//! API, over real HTTP on loopback, on SQLite: the worker's whole path for
//! each step (claim in a transaction, the connector's HTTP call, the answer
//! and its audit entry recorded in another transaction).
//!
//! Each measured step is a public reply under a comment of the fake Page
//! (`POST /{comment-id}/comments`), the step every answered question
//! produces. The decisions that create the steps are taken before the
//! clock starts.
//!
//! `cargo bench -p piazza-desk --bench outbox`

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use piazza_desk::{
    ActRequest, ActionKind, Actor, ConnectorKind, Desk, IncomingComment, NewAdministration,
    NewConnection, NewStaff, Role, SecretKey, SecretString, StandardConnectors,
};
use piazza_fakes::meta::{FB_PAGE_SCOPES, FakeGraph};
use piazza_platforms::meta::MetaConfig;

const PAGE: &str = "555000";
const COMMENTS: usize = 200;

struct Bench {
    desk: Desk,
    moderator: Actor,
    comments: Vec<piazza_desk::CommentId>,
    next: AtomicUsize,
    _fake: FakeGraph,
    _dir: tempfile::TempDir,
}

fn setup() -> Bench {
    let fake = FakeGraph::start();
    fake.add_page(PAGE, "Comune di Cento");
    fake.add_token("bench-token", PAGE, FB_PAGE_SCOPES);
    let post = fake.add_post(PAGE, "Lavori in via Garibaldi");
    let dir = tempfile::tempdir().unwrap();
    let desk = Desk::new(piazza_store::Store::open_data_dir(dir.path()).unwrap()).with_platforms(
        Arc::new(StandardConnectors {
            meta: MetaConfig::with_url(fake.url()),
            sandbox_backlog: 0,
            telegram: Default::default(),
            youtube: Default::default(),
            x: Default::default(),
            flickr_url: piazza_platforms::flickr::DEFAULT_REST_URL.into(),
            linkedin_url: piazza_platforms::linkedin::DEFAULT_API_URL.into(),
        }),
        Some(Arc::new(
            SecretKey::from_passphrase("bench: a passphrase of at least 32 characters").unwrap(),
        )),
        120_000,
    );
    let admin = desk
        .create_administration(NewAdministration::preset("cento"))
        .unwrap()
        .id;
    let staff = |username: &str, roles: Vec<Role>| NewStaff {
        username: username.into(),
        full_name: username.into(),
        email: None,
        roles,
        password: None,
    };
    desk.add_staff(admin, None, staff("root", vec![Role::Admin]))
        .unwrap();
    let root = desk.actor(admin, "root").unwrap();
    desk.add_staff(admin, Some(&root), staff("capo", vec![Role::Dirigente]))
        .unwrap();
    let boss = desk.actor(admin, "capo").unwrap();
    let account = desk
        .accounts(admin)
        .unwrap()
        .into_iter()
        .find(|a| a.platform == "facebook")
        .unwrap()
        .id;
    desk.connect(
        &boss,
        NewConnection {
            account_id: account,
            connector: ConnectorKind::Facebook,
            platform_account: PAGE.into(),
            page_id: None,
            token: Some(SecretString::new("bench-token")),
            base_url: None,
        },
    )
    .unwrap();
    let items: Vec<IncomingComment> = (0..COMMENTS)
        .map(|i| {
            let id = fake.add_comment(&post, &format!("u{i}"), "Anna", "A che ora?");
            IncomingComment {
                external_id: id,
                post_external_id: Some(post.clone()),
                post_text: Some("Lavori in via Garibaldi".into()),
                parent_external_id: None,
                author_ref: Some(format!("u{i}")),
                author_name: Some("Anna".into()),
                text: format!("A che ora finiscono i lavori? Domanda {i}"),
                created_at: 1_795_424_400_000,
            }
        })
        .collect();
    let comments = desk
        .ingest_comments(admin, account, &items)
        .unwrap()
        .iter()
        .map(|o| o.id())
        .collect();
    Bench {
        desk,
        moderator: boss,
        comments,
        next: AtomicUsize::new(0),
        _fake: fake,
        _dir: dir,
    }
}

fn deliveries(c: &mut Criterion) {
    let b = setup();
    let mut group = c.benchmark_group("outbox");
    group.throughput(Throughput::Elements(1));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("reply_to_fake_graph_api", |bench| {
        bench.iter_custom(|iters| {
            // The decisions first, off the clock: one reply step each.
            for _ in 0..iters {
                let i = b.next.fetch_add(1, Ordering::Relaxed);
                let mut req = ActRequest::new(b.comments[i % COMMENTS], ActionKind::Reply);
                req.template = Some("risposta".into());
                req.reply_text = Some(format!("Risposta {i}."));
                b.desk.act(&b.moderator, &req).unwrap();
            }
            let t = Instant::now();
            let mut done = 0;
            while done < iters {
                let run = b.desk.deliver_outbox(500).unwrap();
                assert_eq!(run.failed, 0);
                done += run.done;
                assert!(run.claimed > 0, "steps left undelivered");
            }
            t.elapsed()
        })
    });
    group.finish();
}

criterion_group!(benches, deliveries);
criterion_main!(benches);
