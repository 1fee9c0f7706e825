//! `piazza serve` and `piazza demo`: the web desk.
//!
//! Configuration comes from a TOML file (`piazza.toml`, or `--config`),
//! then `PIAZZA_*` environment variables, then command-line flags, each
//! overriding the one before. Every key has a default that works on a
//! laptop; `docs/configuration.md` documents them.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;
use piazza_desk::{Desk, IncomingComment, NewAdministration, NewStaff, Role};
use piazza_platforms::sandbox::Sandbox;
use piazza_web::{AppState, OidcConfig, WebConfig};
use serde::Deserialize;

use crate::Outcome;

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long)]
    listen: Option<String>,
    /// The configuration file (default ./piazza.toml when present).
    #[arg(long, env = "PIAZZA_CONFIG")]
    config: Option<PathBuf>,
}

/// The settings in force after file, environment and flags.
#[derive(Debug)]
pub struct Settings {
    pub listen: SocketAddr,
    pub store: crate::cmd::StoreArgs,
    pub web: WebConfig,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

pub fn settings(store: &crate::cmd::StoreArgs, args: &ServeArgs) -> anyhow::Result<Settings> {
    let path = args.config.clone().or_else(|| {
        let p = PathBuf::from("piazza.toml");
        p.exists().then_some(p)
    });
    let file: FileConfig = match &path {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read {}", p.display()))?;
            toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?
        }
        None => FileConfig::default(),
    };
    let listen = args
        .listen
        .clone()
        .or_else(|| env("PIAZZA_LISTEN"))
        .or(file.listen)
        .unwrap_or_else(|| "127.0.0.1:8080".into());
    let listen: SocketAddr = listen.parse().with_context(|| {
        format!("invalid listen address `{listen}`, expected e.g. 127.0.0.1:8080")
    })?;
    // clap already applied PIAZZA_DATA_DIR / PIAZZA_DATABASE_URL and the
    // flags; the file fills in only what they left at the default.
    let mut store = store.clone();
    if store.database_url.is_none() {
        store.database_url = file.database_url.filter(|u| !u.is_empty());
    }
    if env("PIAZZA_DATA_DIR").is_none()
        && store.data_dir == Path::new("piazza-data")
        && let Some(d) = file.data_dir
    {
        store.data_dir = d;
    }
    let secure_cookies = match env("PIAZZA_SECURE_COOKIES") {
        Some(v) => matches!(v.as_str(), "1" | "true" | "yes"),
        None => file.secure_cookies.unwrap_or(false),
    };
    let secret = env("PIAZZA_SECRET_KEY")
        .or(file.secret_key)
        .filter(|s| !s.is_empty());
    if let Some(s) = &secret
        && s.len() < 32
    {
        bail!("the secret key must be at least 32 characters long");
    }
    let oidc = file.oidc.map(OidcFile::config).transpose()?;
    Ok(Settings {
        listen,
        store,
        web: WebConfig {
            secure_cookies,
            csrf_secret: secret,
            oidc,
        },
    })
}

pub fn serve(store: &crate::cmd::StoreArgs, args: ServeArgs) -> anyhow::Result<Outcome> {
    let s = settings(store, &args)?;
    let desk = s.store.desk()?;
    if desk.administrations()?.is_empty() {
        eprintln!(
            "attenzione: nessun ente nel database; crealo con `piazza admin add --preset NOME`"
        );
    }
    eprintln!(
        "Piazza in ascolto su http://{} (database {})",
        s.listen,
        desk.database_for_display()
    );
    let state = AppState::new(desk, s.web);
    if let Some(c) = &state.config.oidc {
        // A provider that is down must not keep password logins from
        // working: warn, and let the button try again at each use.
        match state.oidc_preflight() {
            Ok(()) => eprintln!("Accesso OIDC attivo con {}", c.issuer()),
            Err(e) => {
                eprintln!("attenzione: {e}; il pulsante di accesso OIDC riproverà a ogni richiesta")
            }
        }
    }
    run_server(s.listen, state)
}

/// Every minute: flag courtesy replies and record breaches for every
/// administration, so the queue's deadlines stay true while nobody runs a
/// command.
fn spawn_sla_sweeper(desk: Desk) {
    std::thread::spawn(move || {
        loop {
            if let Ok(admins) = desk.administrations() {
                for a in admins {
                    if let Err(e) = desk.sla_sweep(a.id) {
                        eprintln!("sla sweep of {}: {e}", a.slug);
                    }
                }
            }
            std::thread::sleep(Duration::from_secs(60));
        }
    });
}

fn run_server(addr: SocketAddr, state: AppState) -> anyhow::Result<Outcome> {
    // The web layer logs with `tracing` (refused logins, internal errors);
    // without a subscriber those lines would go nowhere. INFO keeps
    // per-request lines, and the URLs in them, out.
    let _ = tracing_subscriber::fmt()
        .with_max_level(tracing_subscriber::filter::LevelFilter::INFO)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
    spawn_sla_sweeper(state.desk.clone());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    rt.block_on(piazza_web::serve(addr, state))
        .with_context(|| format!("cannot serve on {addr}"))?;
    Ok(Outcome::Ok)
}

#[derive(Args)]
pub struct DemoArgs {
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: String,
    /// The seed policy (cento, maglione, roma, torino, tradate).
    #[arg(long, default_value = "cento")]
    preset: String,
    /// Seconds between two comments arriving from the sandbox platform.
    #[arg(long, default_value_t = 5)]
    interval: u64,
    /// Comments already waiting when the desk opens.
    #[arg(long, default_value_t = 24)]
    initial: usize,
}

fn password() -> String {
    // 16 characters from the operating system's randomness.
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 16];
    if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
        use std::io::Read;
        let _ = f.read_exact(&mut bytes);
    }
    bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

/// The demo logins: (username, name, roles, account index to assign).
const DEMO_STAFF: &[(&str, &str, &[Role], Option<usize>)] = &[
    ("admin", "Amministratore di sistema", &[Role::Admin], None),
    (
        "dirigente",
        "Dirigente Comunicazione",
        &[Role::Dirigente],
        None,
    ),
    (
        "moderatore",
        "Moderatrice account principale",
        &[Role::Moderatore],
        Some(0),
    ),
    (
        "moderatore2",
        "Moderatore secondo account",
        &[Role::Moderatore],
        Some(1),
    ),
    ("urp", "Operatore URP", &[Role::OperatoreUrp], Some(0)),
    (
        "auditor",
        "Responsabile protezione dati",
        &[Role::Auditor],
        None,
    ),
];

/// (username, password, roles) of a demo login.
pub type DemoLogin = (String, String, String);

/// What the demo seeding made: the administration, the accounts the
/// sandbox writes to, and the logins.
pub type SeededDemo = (i64, Vec<i64>, Vec<DemoLogin>);

/// Seeds a fresh desk for the demo; returns the logins and the accounts
/// the sandbox writes to.
pub fn seed_demo(
    desk: &Desk,
    preset: &str,
    initial: usize,
    sandbox: &mut Sandbox,
) -> anyhow::Result<SeededDemo> {
    if piazza_policy::preset(preset).is_none() {
        let names: Vec<&str> = piazza_policy::PRESETS.iter().map(|p| p.name).collect();
        bail!("no preset named `{preset}`; presets: {}", names.join(", "));
    }
    let admin = desk.create_administration(NewAdministration::preset(preset))?;
    let mut logins = Vec::new();
    let mut root = None;
    for (username, name, roles, _) in DEMO_STAFF {
        let pw = password();
        desk.add_staff(
            admin.id,
            root.as_ref(),
            NewStaff {
                username: (*username).into(),
                full_name: (*name).into(),
                email: None,
                roles: roles.to_vec(),
                password: Some(pw.clone()),
            },
        )?;
        if root.is_none() {
            root = Some(desk.actor(admin.id, username)?);
        }
        let roles: Vec<&str> = roles.iter().map(|r| r.label_it()).collect();
        logins.push(((*username).to_string(), pw, roles.join(", ")));
    }
    let root = root.expect("the first demo login is the administrator");
    let mut accounts: Vec<i64> = desk.accounts(admin.id)?.iter().map(|a| a.id).collect();
    if accounts.is_empty() {
        // Maglione's policy lists no account: register the page the demo writes to.
        let a = desk.add_account(
            &root,
            piazza_desk::NewAccount {
                platform: piazza_policy::Platform::Facebook,
                name: admin.name.clone(),
                handle: None,
                url: None,
                kind: piazza_policy::ChannelKind::Istituzionale,
                managing_office: None,
                authorised_by: Some("demo".into()),
                opened_with_email: None,
                hours: Vec::new(),
                status: piazza_desk::AccountStatus::Active,
            },
        )?;
        accounts.push(a.id);
    }
    for (username, _, _, account) in DEMO_STAFF {
        if let Some(i) = account {
            let id = accounts[(*i).min(accounts.len() - 1)];
            desk.assign(&root, username, id, None)?;
        }
    }
    let targets: Vec<i64> = accounts.iter().take(2).copied().collect();
    let now = desk.now();
    for i in 0..initial {
        let c = sandbox.next_comment();
        // Two comments in three go to the main account.
        let account = targets[(i % 3 / 2) % targets.len()];
        let at = now - ((initial - i) as i64) * 7 * 60_000;
        desk.ingest_comment(admin.id, account, &incoming(c, at))?;
    }
    Ok((admin.id, targets, logins))
}

fn incoming(c: piazza_platforms::sandbox::SandboxComment, at: i64) -> IncomingComment {
    IncomingComment {
        external_id: c.external_id,
        post_external_id: Some(c.post_external_id),
        parent_external_id: None,
        post_text: Some(c.post_text),
        author_ref: Some(c.author_ref),
        author_name: Some(c.author_name),
        text: c.text,
        created_at: at,
    }
}

pub fn demo(args: DemoArgs) -> anyhow::Result<Outcome> {
    let listen: SocketAddr = args
        .listen
        .parse()
        .with_context(|| format!("invalid listen address `{}`", args.listen))?;
    let dir = std::env::temp_dir().join(format!("piazza-demo-{}", std::process::id()));
    let store = piazza_store::Store::open_data_dir(&dir)?;
    let desk = Desk::new(store);
    let mut sandbox = Sandbox::new(2026);
    let (admin_id, targets, logins) = seed_demo(&desk, &args.preset, args.initial, &mut sandbox)?;
    println!(
        "Piazza demo — ente: {} (policy «{}»)",
        desk.administration(&admin_id.to_string())?.name,
        args.preset
    );
    println!(
        "Apri http://{listen}/desk e accedi con uno di questi utenti (password valide solo per questa demo):"
    );
    for (u, p, roles) in &logins {
        println!("  {u:<12} {p}   {roles}");
    }
    println!(
        "Pagina pubblica della policy: http://{listen}/enti/{}/policy",
        args.preset
    );
    println!("Database temporaneo: {}", dir.display());
    println!(
        "Un nuovo commento arriva dalla piattaforma sandbox ogni {} secondi. Ctrl-C per uscire.",
        args.interval
    );
    let feeder = desk.clone();
    let interval = Duration::from_secs(args.interval.max(1));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop_feed = stop.clone();
    std::thread::spawn(move || {
        let mut i = 0usize;
        while !stop_feed.load(std::sync::atomic::Ordering::Relaxed) {
            std::thread::sleep(interval);
            let c = sandbox.next_comment();
            let account = targets[i % targets.len()];
            i += 1;
            if let Err(e) = feeder.ingest_comment(admin_id, account, &incoming(c, feeder.now())) {
                eprintln!("sandbox: {e}");
            }
        }
    });
    let out = run_server(listen, AppState::new(desk, WebConfig::default()));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let _ = std::fs::remove_dir_all(&dir);
    out
}
