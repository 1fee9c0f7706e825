//! A test server for the browser test of the editorial desk: a fresh
//! temporary SQLite desk for the Comune di Cento asking two approvals per
//! draft, its Facebook page connected to a local fake of Meta's Graph API
//! (real HTTP; never Meta), the outbox worker running as in `piazza
//! serve`, and a clock the test can move forward so that a publication
//! scheduled for later comes due without waiting.
//!
//! ```sh
//! cargo run -p piazza-web --example serve_editorial
//! ```
//!
//! Standard output carries one JSON line (the logins, the fake's address
//! and the Page's id and token, the control address), then `listening on
//! http://ADDR`. `POST /advance?minutes=N` on the control address moves the
//! desk's clock. The passwords are known on purpose: this is not a
//! deployment.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use piazza_desk::{
    ConnectorKind, Desk, NewAdministration, NewConnection, NewStaff, Role, SecretKey, SecretString,
    StandardConnectors,
};
use piazza_fakes::meta::{FB_PAGE_SCOPES, FakeGraph};
use piazza_platforms::meta::MetaConfig;
use piazza_web::{AppState, WebConfig, serve_on};

const PASSWORD: &str = "piazza-prova-2026";
const PAGE: &str = "1000001";
const TOKEN: &str = "page-token-di-prova";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr: SocketAddr = match std::env::args().nth(1) {
        Some(a) => a.parse()?,
        None => SocketAddr::from(([127, 0, 0, 1], 0)),
    };
    let fake = FakeGraph::start();
    fake.add_page(PAGE, "Comune di Cento");
    fake.add_token(TOKEN, PAGE, FB_PAGE_SCOPES);

    let dir = std::env::temp_dir().join(format!("piazza-editorial-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = piazza_store::Store::open_data_dir(&dir)?;
    let offset = Arc::new(AtomicI64::new(0));
    let o = offset.clone();
    let desk = Desk::with_clock(
        store,
        Arc::new(move || piazza_store::now_ms() + o.load(Ordering::SeqCst)),
    )
    .with_platforms(
        Arc::new(StandardConnectors {
            meta: MetaConfig::with_url(fake.url()),
            sandbox_backlog: 0,
            telegram: Default::default(),
            youtube: Default::default(),
            x: Default::default(),
            flickr_url: piazza_platforms::flickr::DEFAULT_REST_URL.into(),
            linkedin_url: piazza_platforms::linkedin::DEFAULT_API_URL.into(),
        }),
        Some(Arc::new(SecretKey::from_passphrase(
            "chiave di prova del server editoriale, non di produzione",
        )?)),
        120_000,
    );
    let cento = include_str!("../../piazza-policy/presets/cento.toml")
        .replace("\napprovals = 1\n", "\napprovals = 2\n");
    let admin = desk
        .create_administration(NewAdministration::policy("cento", &cento))?
        .id;
    // Roma's public form for associations' requests.
    desk.create_administration(NewAdministration::preset("roma"))?;
    let staff = |username: &str, full_name: &str, role: Role| NewStaff {
        username: username.into(),
        full_name: full_name.into(),
        email: None,
        roles: vec![role],
        password: Some(PASSWORD.into()),
    };
    desk.add_staff(
        admin,
        None,
        staff("admin", "Amministratore di sistema", Role::Admin),
    )?;
    let root = desk.actor(admin, "admin")?;
    for (u, n, r) in [
        ("dirigente", "Daniela Ferri", Role::Dirigente),
        ("dirigente2", "Carlo Neri", Role::Dirigente),
        ("paola", "Paola Rossi", Role::Redattore),
        ("cultura", "Servizio Cultura", Role::Ufficio),
    ] {
        desk.add_staff(admin, Some(&root), staff(u, n, r))?;
    }
    // The office's referente belongs to the office (their first page is
    // its tickets).
    let boss = desk.actor(admin, "dirigente")?;
    let office = desk.add_office(
        &boss,
        piazza_desk::NewOffice {
            name: "Servizio Cultura".into(),
            email: None,
            digest: false,
        },
    )?;
    desk.set_staff_office(&boss, "cultura", Some(office.id))?;
    let account = desk
        .accounts(admin)?
        .into_iter()
        .find(|a| a.platform == "facebook")
        .ok_or("Cento has a Facebook page")?;
    desk.assign(&root, "paola", account.id, None)?;
    desk.connect(
        &root,
        NewConnection {
            account_id: account.id,
            connector: ConnectorKind::Facebook,
            platform_account: PAGE.into(),
            page_id: None,
            token: Some(SecretString::new(TOKEN)),
            base_url: None,
        },
    )?;

    let state = AppState::new(desk.clone(), WebConfig::default());
    // The outbox worker of `piazza serve`: woken by the pages, and every
    // half second.
    let signal = state.worker.clone();
    std::thread::spawn(move || {
        loop {
            if let Err(e) = desk.deliver_outbox(50) {
                eprintln!("outbox: {e}");
            }
            signal.wait(Duration::from_millis(500));
        }
    });

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let result = rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let control = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let control_addr = control.local_addr()?;
        let clock = offset.clone();
        let worker = state.worker.clone();
        let control_app = axum::Router::new().route(
            "/advance",
            axum::routing::post(
                move |axum::extract::Query(q): axum::extract::Query<
                    std::collections::HashMap<String, i64>,
                >| {
                    let clock = clock.clone();
                    let worker = worker.clone();
                    async move {
                        let minutes = q.get("minutes").copied().unwrap_or(0);
                        let now =
                            clock.fetch_add(minutes * 60_000, Ordering::SeqCst) + minutes * 60_000;
                        worker.notify();
                        format!("{now}")
                    }
                },
            ),
        );
        tokio::spawn(async move {
            let _ = axum::serve(control, control_app).await;
        });
        let info = serde_json::json!({
            "password": PASSWORD,
            "users": ["dirigente", "dirigente2", "paola", "cultura", "admin"],
            "account": account.name,
            "graph": format!("{}/{}", fake.url(), MetaConfig::default().version),
            "page": PAGE,
            "token": TOKEN,
            "control": format!("http://{control_addr}"),
        });
        let mut out = std::io::stdout().lock();
        writeln!(out, "{info}")?;
        writeln!(out, "listening on http://{}", listener.local_addr()?)?;
        out.flush()?;
        drop(out);
        let served = serve_on(listener, state).await;
        drop(fake);
        served
    });
    let _ = std::fs::remove_dir_all(&dir);
    result?;
    Ok(())
}
