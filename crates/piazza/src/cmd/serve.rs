//! `piazza serve` and `piazza demo`: the web desk.
//!
//! Configuration comes from a TOML file (`piazza.toml`, or `--config`),
//! then `PIAZZA_*` environment variables, then command-line flags, each
//! overriding the one before. Every key has a default that works on a
//! laptop; `docs/configuration.md` documents them.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;
use piazza_desk::{
    AccountId, AdminId, ConnectorKind, Desk, NewAdministration, NewConnection, NewStaff, Role,
    WorkerJob,
};
use piazza_web::{AppState, MetaWebhook, WebConfig, WorkerSignal};

use crate::Outcome;
use crate::cmd::config::{self, FileConfig, OidcFile, env};

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
    pub file: FileConfig,
    /// Signs a checkpoint of each administration's audit log once a day.
    pub audit_key: Option<Arc<piazza_desk::SigningKeyFile>>,
}

pub fn settings(store: &crate::cmd::StoreArgs, args: &ServeArgs) -> anyhow::Result<Settings> {
    let mut file = config::load(args.config.as_deref())?;
    let listen = args
        .listen
        .clone()
        .or_else(|| env("PIAZZA_LISTEN"))
        .or(file.listen.clone())
        .unwrap_or_else(|| "127.0.0.1:8080".into());
    let listen: SocketAddr = listen.parse().with_context(|| {
        format!("indirizzo di ascolto non valido `{listen}`; si attende ad esempio 127.0.0.1:8080")
    })?;
    let store = store.with_file(&file);
    let secure_cookies = match env("PIAZZA_SECURE_COOKIES") {
        Some(v) => matches!(v.as_str(), "1" | "true" | "yes"),
        None => file.secure_cookies.unwrap_or(false),
    };
    let secret = env("PIAZZA_SECRET_KEY")
        .or(file.secret_key.clone())
        .filter(|s| !s.is_empty());
    if let Some(s) = &secret
        && s.len() < 32
    {
        bail!("la chiave segreta deve essere lunga almeno 32 caratteri");
    }
    let oidc = file.oidc.take().map(OidcFile::config).transpose()?;
    let platforms = config::PlatformSettings::from_file(&file)?;
    let meta_webhook = match (
        platforms.meta.app_secret.clone(),
        platforms.meta_verify_token,
    ) {
        (Some(app_secret), Some(verify_token)) => Some(MetaWebhook {
            app_secret,
            verify_token,
        }),
        (None, None) => None,
        _ => bail!(
            "il webhook di Meta richiede sia PIAZZA_META_APP_SECRET sia PIAZZA_META_VERIFY_TOKEN (oppure [meta] app_secret e verify_token)"
        ),
    };
    let audit_key = config::audit_signing_key(&file)?.map(Arc::new);
    Ok(Settings {
        listen,
        store,
        audit_key,
        web: WebConfig {
            secure_cookies,
            csrf_secret: secret,
            oidc,
            meta_webhook,
        },
        file,
    })
}

pub fn serve(store: &crate::cmd::StoreArgs, args: ServeArgs) -> anyhow::Result<Outcome> {
    let s = settings(store, &args)?;
    let desk = s.store.desk_with(&s.file)?;
    if desk.administrations()?.is_empty() {
        eprintln!(
            "attenzione: nessun ente nel database; crealo con `piazza admin add --preset NOME`"
        );
    }
    if desk.backend() == piazza_desk::BackendKind::Postgres && s.web.csrf_secret.is_none() {
        // Without a shared key each instance draws its own: a form opened
        // on one is refused by another behind the same balancer.
        eprintln!(
            "attenzione: PIAZZA_SECRET_KEY non impostata; con più istanze sullo stesso database impostate la stessa chiave su tutte"
        );
    }
    eprintln!(
        "Piazza in ascolto su http://{} (database {})",
        s.listen,
        desk.database_for_display()
    );
    if let Some(k) = &s.audit_key {
        eprintln!(
            "Verifiche firmate del registro: una al giorno per ente, chiave pubblica {}",
            k.public_hex()
        );
    }
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
    run_server(s.listen, state, s.audit_key)
}

/// The background worker of `piazza serve`: processes webhook deliveries
/// the outbox and the mail outbox as soon as the web layer signals work, and at least
/// every few seconds (retries come due, bans expire); every minute it also
/// flags courtesy replies and records breaches for every administration,
/// so the queue's deadlines stay true while nobody runs a command, and,
/// with a signing key, signs each administration's daily audit checkpoint.
fn spawn_worker(
    desk: Desk,
    signal: Arc<WorkerSignal>,
    every: Duration,
    audit_key: Option<Arc<piazza_desk::SigningKeyFile>>,
) {
    std::thread::spawn(move || {
        let mut last_sweep: Option<std::time::Instant> = None;
        let mut last_poll: Option<std::time::Instant> = None;
        loop {
            // Accounts without webhooks (Mastodon; Telegram when Piazza has
            // no public address) are read by pulls every two minutes: well
            // inside Mastodon's default 300 calls per 5 minutes.
            // With several instances on one database, the instance that
            // holds a job's lease runs it; the others skip this round.
            if last_poll.is_none_or(|t| t.elapsed() >= POLL_EVERY) {
                if holds(&desk, WorkerJob::PlatformPull, POLL_EVERY) {
                    poll_pulled_accounts(&desk);
                }
                last_poll = Some(std::time::Instant::now());
            }
            if last_sweep.is_none_or(|t| t.elapsed() >= SWEEP_EVERY) {
                if !holds(&desk, WorkerJob::SlaSweep, SWEEP_EVERY) {
                    // Another instance sweeps this minute.
                } else if let Ok(admins) = desk.administrations() {
                    // Closed windows of the login count (whoever holds the
                    // sweep's lease clears them for every instance).
                    if let Err(e) = desk.prune_attempts() {
                        eprintln!("conteggio degli accessi: {e}");
                    }
                    for a in admins {
                        if let Err(e) = desk.sla_sweep(a.id) {
                            eprintln!("sla sweep of {}: {e}", a.slug);
                        }
                        if let Some(key) = &audit_key {
                            daily_checkpoint(&desk, &a, key);
                        }
                    }
                }
                last_sweep = Some(std::time::Instant::now());
            }
            loop {
                match desk.process_platform_deliveries(200) {
                    Ok(r) if r.deliveries > 0 => {
                        if r.failed > 0 {
                            eprintln!("webhook: {} consegne non elaborate", r.failed);
                        }
                        continue;
                    }
                    Ok(_) => break,
                    Err(e) => {
                        eprintln!("webhook: {e}");
                        break;
                    }
                }
            }
            match desk.deliver_outbox(200) {
                Ok(r) if r.failed > 0 => {
                    eprintln!(
                        "outbox: {} passi non riusciti (piazza outbox list --failed)",
                        r.failed
                    )
                }
                Ok(_) => {}
                Err(e) => eprintln!("outbox: {e}"),
            }
            // Notifications to offices and the URP, and the daily digests.
            match desk.send_mail(100) {
                Ok(r) if r.failed > 0 => {
                    eprintln!("posta: {} e-mail non inviate (piazza mail list)", r.failed)
                }
                Ok(_) => {}
                Err(e) => eprintln!("posta: {e}"),
            }
            signal.wait(every);
        }
    });
}

/// Signs the administration's checkpoint when the last one is a day old.
fn daily_checkpoint(
    desk: &Desk,
    a: &piazza_desk::Administration,
    key: &piazza_desk::SigningKeyFile,
) {
    match desk.sign_checkpoint_if_due(a.id, key, piazza_desk::CHECKPOINT_EVERY_MS) {
        Ok(Some(c)) => eprintln!(
            "verifica firmata del registro di {}: {} voci, ultima impronta {}",
            a.slug, c.seq, c.head_hash
        ),
        Ok(None) => {}
        Err(e) => eprintln!(
            "verifica firmata del registro di {} non apposta: {}",
            a.slug,
            e.message_it()
        ),
    }
}

/// How often `piazza serve` pulls the accounts that have no webhooks.
const POLL_EVERY: Duration = Duration::from_secs(120);

/// How often `piazza serve` runs the reply clock's sweep.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// Whether this instance holds the lease of `job` for the round that
/// starts now. The lease is a little shorter than the round, so that it
/// has run out when any instance's next round comes; a database error
/// skips the round and says why.
fn holds(desk: &Desk, job: WorkerJob, round: Duration) -> bool {
    let lease = round.saturating_sub(Duration::from_secs(5)).as_millis() as i64;
    match desk.try_lease(job, lease) {
        Ok(held) => held,
        Err(e) => {
            eprintln!("{job}: turno saltato, il registro dei turni non risponde: {e}");
            false
        }
    }
}

/// One pull of every account read by pulls (Mastodon, Telegram without
/// a public address); errors are printed and the next round tries again.
fn poll_pulled_accounts(desk: &Desk) {
    for (account, e) in desk.pull_accounts() {
        eprintln!("lettura di {account}: {}", e.message_it());
    }
}

fn run_server(
    addr: SocketAddr,
    state: AppState,
    audit_key: Option<Arc<piazza_desk::SigningKeyFile>>,
) -> anyhow::Result<Outcome> {
    // The web layer logs with `tracing` (refused logins, internal errors);
    // without a subscriber those lines would go nowhere. INFO keeps
    // per-request lines, and the URLs in them, out.
    let _ = tracing_subscriber::fmt()
        .with_max_level(tracing_subscriber::filter::LevelFilter::INFO)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
    spawn_worker(
        state.desk.clone(),
        state.worker.clone(),
        Duration::from_secs(5),
        audit_key,
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("impossibile avviare il runtime asincrono")?;
    rt.block_on(piazza_web::serve(addr, state))
        .with_context(|| format!("impossibile mettersi in ascolto su {addr}"))?;
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
pub type SeededDemo = (AdminId, Vec<AccountId>, Vec<DemoLogin>);

/// Seeds a fresh desk for the demo: the administration, its logins, and
/// its first two accounts connected to sandbox pages, from which the first
/// comments are read (each page holds its share of the backlog the desk's
/// connectors were built with). Returns the logins and the connected
/// accounts.
pub fn seed_demo(desk: &Desk, preset: &str) -> anyhow::Result<SeededDemo> {
    if piazza_policy::preset(preset).is_none() {
        let names: Vec<&str> = piazza_policy::PRESETS.iter().map(|p| p.name).collect();
        bail!(
            "nessun preset di nome `{preset}`; preset disponibili: {}",
            names.join(", ")
        );
    }
    let admin = desk.create_administration(NewAdministration::preset(preset))?;
    let mut logins = Vec::new();
    let mut root = None;
    let mut boss = None;
    for (username, name, roles, _) in DEMO_STAFF {
        let pw = piazza_desk::generate_password(16)?;
        // The administrator registers the dirigente, who appoints the rest
        // (as the policies that say who appoints staff require).
        let by = if roles.iter().any(|r| r.is_operational()) {
            boss.as_ref().or(root.as_ref())
        } else {
            root.as_ref()
        };
        desk.add_staff(
            admin.id,
            by,
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
        if boss.is_none() && roles.contains(&Role::Dirigente) {
            boss = Some(desk.actor(admin.id, username)?);
        }
        let roles: Vec<&str> = roles.iter().map(|r| r.label_it()).collect();
        logins.push(((*username).to_string(), pw, roles.join(", ")));
    }
    let root = root.expect("the first demo login is the administrator");
    let mut accounts: Vec<AccountId> = desk.accounts(admin.id)?.iter().map(|a| a.id).collect();
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
    let boss = boss.expect("the demo has a dirigente");
    for (username, _, _, account) in DEMO_STAFF {
        if let Some(i) = account {
            let id = accounts[(*i).min(accounts.len() - 1)];
            desk.assign(&boss, username, id, None)?;
        }
    }
    // The second page is on a platform that cannot hide a comment, where
    // one exists: a newcomer sees the desk offer less there, and why.
    let listed = desk.accounts(admin.id)?;
    let no_hide = listed.iter().skip(1).find(|a| {
        a.platform
            .parse::<piazza_platforms::Platform>()
            .is_ok_and(|p| {
                !piazza_platforms::Capabilities::of(p)
                    .support(piazza_desk::Operation::Hide)
                    .is_yes()
            })
    });
    let mut targets: Vec<AccountId> = accounts.iter().take(1).copied().collect();
    match no_hide.map(|a| a.id).or_else(|| accounts.get(1).copied()) {
        Some(second) if !targets.contains(&second) => targets.push(second),
        _ => {}
    }
    for (i, account) in targets.iter().enumerate() {
        desk.connect(
            &root,
            NewConnection {
                account_id: *account,
                connector: ConnectorKind::Sandbox,
                platform_account: format!("pagina-di-prova-{}", i + 1),
                page_id: None,
                token: None,
                base_url: None,
            },
        )?;
        desk.sync(admin.id, *account, None, &mut |_| {})?;
    }
    Ok((admin.id, targets, logins))
}

pub fn demo(args: DemoArgs) -> anyhow::Result<Outcome> {
    let listen: SocketAddr = args
        .listen
        .parse()
        .with_context(|| format!("indirizzo di ascolto non valido `{}`", args.listen))?;
    let dir = std::env::temp_dir().join(format!("piazza-demo-{}", std::process::id()));
    // Two pages share the waiting comments; each pull then brings one more.
    let (desk, _) = config::with_platforms(
        Desk::open_data_dir(&dir)?,
        &FileConfig::default(),
        &dir,
        args.initial / 2,
    )?;
    let (admin_id, targets, logins) = seed_demo(&desk, &args.preset)?;
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
    for account in &targets {
        let a = desk.account(admin_id, *account)?;
        let hide = a
            .platform
            .parse::<piazza_platforms::Platform>()
            .map(|p| piazza_platforms::Capabilities::of(p).support(piazza_desk::Operation::Hide));
        match hide {
            Ok(piazza_platforms::Support::No(why)) => println!(
                "Pagina di prova «{}» ({}): non si può nascondere un commento: {why}",
                a.name, a.platform
            ),
            _ => println!(
                "Pagina di prova «{}» ({}): si può nascondere, rimuovere, rispondere",
                a.name, a.platform
            ),
        }
    }
    println!("Database temporaneo: {}", dir.display());
    println!(
        "Un nuovo commento arriva dalla piattaforma di prova ogni {} secondi; le decisioni sono eseguite sulla piattaforma di prova (nessuna piattaforma reale è coinvolta). Ctrl-C per uscire.",
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
            let account = targets[i % targets.len()];
            i += 1;
            if let Err(e) = feeder.sync(admin_id, account, None, &mut |_| {}) {
                eprintln!("piattaforma di prova: {e}");
            }
        }
    });
    let out = run_server(listen, AppState::new(desk, WebConfig::default()), None);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let _ = std::fs::remove_dir_all(&dir);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use piazza_fakes::mastodon::FakeMastodon;

    #[test]
    fn the_worker_signs_one_checkpoint_a_day_per_administration() {
        let dir = tempfile::tempdir().unwrap();
        let desk = Desk::open_data_dir(dir.path()).unwrap();
        let cento = desk
            .create_administration(NewAdministration::preset("cento"))
            .unwrap();
        let roma = desk
            .create_administration(NewAdministration::preset("roma"))
            .unwrap();
        let key = piazza_desk::SigningKeyFile::from_seed([6u8; 32]);
        for _ in 0..3 {
            for a in [&cento, &roma] {
                daily_checkpoint(&desk, a, &key);
            }
        }
        for a in [&cento, &roma] {
            let stored = desk.audit_checkpoints(a.id, 10).unwrap();
            assert_eq!(stored.len(), 1, "{}", a.slug);
            assert_eq!(stored[0].checkpoint.public_key, key.public_hex());
            let last = desk
                .audit_entries(a.id, stored[0].checkpoint.seq + 1, 1)
                .unwrap();
            assert_eq!(last[0].entry.kind, "audit.checkpoint");
            assert_eq!(last[0].entry.actor, "system");
        }
    }

    #[test]
    fn the_worker_pulls_the_accounts_that_send_no_webhooks() {
        let fake = FakeMastodon::start();
        let org = fake.add_account("comune", "Comune");
        fake.add_token("tok", &org, &["read:statuses", "read:notifications"]);
        let post = fake.add_status(&org, "Avviso", None);
        fake.add_status("9", "@comune grazie", Some(&post));
        let dir = tempfile::tempdir().unwrap();
        let desk = Desk::open_data_dir(dir.path()).unwrap().with_platforms(
            Arc::new(piazza_desk::StandardConnectors {
                meta: Default::default(),
                sandbox_backlog: 0,
                telegram: Default::default(),
                youtube: Default::default(),
                x: Default::default(),
                flickr_url: piazza_platforms::flickr::DEFAULT_REST_URL.into(),
                linkedin_url: piazza_platforms::linkedin::DEFAULT_API_URL.into(),
            }),
            Some(Arc::new(
                piazza_desk::SecretKey::from_passphrase(
                    "chiave di prova lunga almeno trentadue caratteri",
                )
                .unwrap(),
            )),
            120_000,
        );
        let admin = desk
            .create_administration(NewAdministration::preset("cento"))
            .unwrap();
        desk.add_staff(
            admin.id,
            None,
            NewStaff {
                username: "root".into(),
                full_name: "root".into(),
                email: None,
                roles: vec![Role::Admin],
                password: None,
            },
        )
        .unwrap();
        let root = desk.actor(admin.id, "root").unwrap();
        let account = desk
            .add_account(
                &root,
                piazza_desk::NewAccount {
                    platform: piazza_policy::Platform::Mastodon,
                    name: "Mastodon".into(),
                    handle: None,
                    url: None,
                    kind: piazza_policy::ChannelKind::Istituzionale,
                    managing_office: None,
                    authorised_by: None,
                    opened_with_email: None,
                    hours: Vec::new(),
                    status: piazza_desk::AccountStatus::Active,
                },
            )
            .unwrap()
            .id;
        desk.connect(
            &root,
            NewConnection {
                account_id: account,
                connector: ConnectorKind::Mastodon,
                platform_account: org,
                page_id: None,
                token: Some(piazza_desk::SecretString::new("tok")),
                base_url: Some(fake.url()),
            },
        )
        .unwrap();
        let count = || {
            desk.queue(
                admin.id,
                &piazza_desk::QueueFilter {
                    limit: 10,
                    ..Default::default()
                },
            )
            .unwrap()
            .len()
        };
        assert_eq!(count(), 0);
        poll_pulled_accounts(&desk);
        assert_eq!(count(), 1);
        // The next round resumes from the cursor: nothing twice.
        poll_pulled_accounts(&desk);
        assert_eq!(count(), 1);
    }
}
