//! The platforms from the command line: connecting an account (the token
//! is read from a file, never from the command line), checking the
//! connections, pulling recent comments, and the outbox (deliver once,
//! list, retry).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use piazza_desk::{
    AccountId, ConnectionCheck, ConnectorKind, NewConnection, OutboxFilter, OutboxId, OutboxItem,
    OutboxState, SecretString,
};

use crate::Outcome;
use crate::cmd::{StoreArgs, iso};

#[derive(Subcommand)]
pub enum ConnectCommand {
    /// Connect a Facebook Page (Graph API, Page access token).
    Facebook {
        /// The account in Piazza's registry (`piazza accounts list`).
        #[arg(long)]
        account: AccountId,
        /// The Page's numeric id.
        #[arg(long)]
        page_id: String,
        /// A file holding the Page access token (and nothing else).
        #[arg(long)]
        token_file: PathBuf,
        /// Who connects it (a dirigente or the technical administrator).
        #[arg(long = "as")]
        as_staff: String,
        /// Do not ask Meta to send the Page's comments to the webhook.
        #[arg(long)]
        no_subscribe: bool,
    },
    /// Connect an Instagram professional account (Graph API).
    Instagram {
        #[arg(long)]
        account: AccountId,
        /// The Instagram professional account's id.
        #[arg(long)]
        ig_user_id: String,
        /// The Facebook Page linked to it (private replies go through it).
        #[arg(long)]
        page_id: Option<String>,
        #[arg(long)]
        token_file: PathBuf,
        #[arg(long = "as")]
        as_staff: String,
        #[arg(long)]
        no_subscribe: bool,
    },
    /// Connect an account on a Mastodon instance (a user token with
    /// read:statuses read:notifications write:statuses write:reports write:blocks).
    Mastodon {
        #[arg(long)]
        account: AccountId,
        /// The instance's address (`https://social.example.it`).
        #[arg(long)]
        instance: String,
        /// The account's id on the instance (from
        /// `/api/v1/accounts/verify_credentials`).
        #[arg(long)]
        account_id: String,
        #[arg(long)]
        token_file: PathBuf,
        #[arg(long = "as")]
        as_staff: String,
        /// Where the administration runs the instance: a file with the
        /// secret of its admin webhook (Administration > Webhooks, events
        /// status.created and status.updated, URL
        /// https://PIAZZA/webhooks/mastodon/ACCOUNT).
        #[arg(long)]
        webhook_secret_file: Option<PathBuf>,
        /// The token is an administrator's of the administration's own
        /// instance (scope admin:write:accounts): a ban also silences the
        /// author on the instance.
        #[arg(long)]
        instance_admin: bool,
    },
    /// Connect a Telegram channel's discussion group, through the
    /// administration's bot (an administrator of the group, and of the
    /// channel to publish there).
    Telegram {
        #[arg(long)]
        account: AccountId,
        /// The discussion group's chat id (`-100…`), where the comments are.
        #[arg(long, allow_hyphen_values = true)]
        group: String,
        /// The channel's chat id (`-100…`), where Piazza publishes.
        #[arg(long, allow_hyphen_values = true)]
        channel: Option<String>,
        /// A file holding the bot token from @BotFather.
        #[arg(long)]
        token_file: PathBuf,
        #[arg(long = "as")]
        as_staff: String,
        /// Do not register the webhook (read with `piazza sync`).
        #[arg(long)]
        no_subscribe: bool,
    },
    /// Connect a LinkedIn organisation page: a page administrator's token
    /// with r_organization_social and w_organization_social.
    Linkedin {
        #[arg(long)]
        account: AccountId,
        /// The organisation's id (the digits of urn:li:organization:ID).
        #[arg(long)]
        organization_id: String,
        #[arg(long)]
        token_file: PathBuf,
        #[arg(long = "as")]
        as_staff: String,
    },
    /// Connect an account on Flickr: the app's key and secret and the
    /// account's OAuth 1.0a access token (permission write or delete).
    Flickr {
        #[arg(long)]
        account: AccountId,
        /// The account's NSID (`12345678@N01`).
        #[arg(long)]
        user_id: String,
        /// A JSON file with `consumer_key`, `consumer_secret`, `token` and
        /// `token_secret` (mode 600).
        #[arg(long)]
        credentials_file: PathBuf,
        #[arg(long = "as")]
        as_staff: String,
    },
    /// Connect an account on X (API v2): the app's OAuth 2.0 client and the
    /// account owner's refresh token (scopes tweet.read users.read
    /// tweet.write tweet.moderate.write offline.access).
    X {
        #[arg(long)]
        account: AccountId,
        /// The account's numeric user id.
        #[arg(long)]
        user_id: String,
        /// Its username, without @.
        #[arg(long)]
        username: String,
        /// A JSON file with `client_id`, `refresh_token` and, for a
        /// confidential client, `client_secret` (mode 600).
        #[arg(long)]
        credentials_file: PathBuf,
        #[arg(long = "as")]
        as_staff: String,
    },
    /// Connect a YouTube channel (Data API v3): an OAuth client of the
    /// administration's Google Cloud project and the channel owner's
    /// refresh token with the youtube.force-ssl scope.
    Youtube {
        #[arg(long)]
        account: AccountId,
        /// The channel's id (`UC…`).
        #[arg(long)]
        channel_id: String,
        /// A JSON file with `client_id`, `client_secret` and
        /// `refresh_token` (mode 600).
        #[arg(long)]
        credentials_file: PathBuf,
        #[arg(long = "as")]
        as_staff: String,
    },
}

#[derive(Subcommand)]
pub enum ConnectorsCommand {
    /// Check every connection's token with its platform: validity, expiry,
    /// the permissions the actions need.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Ask the account's platform to send its events to Piazza's webhook
    /// again (after a change of address, or of the bot's webhook).
    Subscribe {
        #[arg(long)]
        account: AccountId,
    },
    /// Disconnect an account: nothing more is read or delivered, the
    /// stored token is erased.
    Disconnect {
        #[arg(long)]
        account: AccountId,
        #[arg(long = "as")]
        as_staff: String,
    },
}

#[derive(Args)]
pub struct SyncArgs {
    #[arg(long)]
    account: AccountId,
    /// Read posts and comments from this date (YYYY-MM-DD or a date-time);
    /// without it, a stopped pull continues and a new one reads the
    /// newest.
    #[arg(long)]
    since: Option<String>,
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
pub enum OutboxCommand {
    /// Deliver what is due, once, and exit (for cron and tests; `piazza
    /// serve` runs the same worker continuously).
    Run {
        /// At most this many steps.
        #[arg(long, default_value_t = 500)]
        limit: i64,
        #[arg(long)]
        json: bool,
    },
    /// The steps for the platforms, newest first.
    List {
        /// Only the failed ones.
        #[arg(long)]
        failed: bool,
        #[arg(long, default_value_t = 50)]
        limit: i64,
        #[arg(long)]
        json: bool,
    },
    /// Put a failed or manual step back in the queue.
    Retry {
        id: OutboxId,
        #[arg(long = "as")]
        as_staff: String,
    },
}

/// Reads a YouTube credentials file (JSON, private to its owner) into the
/// one secret the connection seals.
fn read_credentials(path: &Path, kind: ConnectorKind) -> anyhow::Result<SecretString> {
    check_private(path)?;
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("impossibile leggere {}", path.display()))?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "{}: non è JSON valido (riga {}, colonna {}); servono client_id, client_secret e refresh_token",
            path.display(),
            e.line(),
            e.column()
        )
    })?;
    let compact = SecretString::new(v.to_string());
    let parsed = match kind {
        ConnectorKind::X => piazza_platforms::x::XCredentials::parse(&compact).map(|_| ()),
        ConnectorKind::Flickr => {
            piazza_platforms::flickr::FlickrCredentials::parse(&compact).map(|_| ())
        }
        _ => piazza_platforms::youtube::YoutubeCredentials::parse(&compact).map(|_| ()),
    };
    parsed.map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    Ok(compact)
}

fn check_private(path: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .with_context(|| format!("impossibile leggere {}", path.display()))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            bail!(
                "{} can be read by other users (mode {:o}): chmod 600 it first",
                path.display(),
                mode & 0o777
            );
        }
    }
    Ok(())
}

/// Reads a token file: the token alone, trimmed. A file others can read is
/// refused, so that tokens do not linger readable on shared machines.
fn read_token(path: &Path) -> anyhow::Result<SecretString> {
    check_private(path)?;
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("impossibile leggere {}", path.display()))?;
    let token = text.trim();
    if token.is_empty() || token.contains(char::is_whitespace) {
        bail!(
            "{} deve contenere solo il token di accesso, su una riga",
            path.display()
        );
    }
    Ok(SecretString::new(token))
}

fn print_check(account: &str, check: &ConnectionCheck) {
    let validity = if !check.valid {
        "token NON valido".to_string()
    } else {
        match check.expires_at {
            None => "token valido, senza scadenza".to_string(),
            Some(t) => format!("token valido fino al {}", iso(t)),
        }
    };
    println!("{account}: {validity}");
    if let Some(n) = &check.account_name {
        println!("  account sulla piattaforma: {n}");
    }
    for m in &check.missing {
        let ops: Vec<&str> = m.needed_for.iter().map(|o| o.label_it()).collect();
        println!(
            "  manca il permesso {} (serve per: {})",
            m.permission,
            ops.join(", ")
        );
    }
    for p in &check.problems {
        println!("  {p}");
    }
    if let Some(q) = &check.quota {
        println!("  {}", q.describe_it());
    }
}

/// What a successful webhook subscription means, per platform.
fn subscribed_it(kind: ConnectorKind) -> &'static str {
    match kind {
        ConnectorKind::Telegram => {
            "Telegram invierà i messaggi del gruppo al webhook di Piazza (/webhooks/telegram/…), con il codice segreto dell'account"
        }
        _ => {
            "Meta invierà i nuovi commenti al webhook di Piazza (/webhooks/meta) se l'app è iscritta al campo giusto"
        }
    }
}

pub fn connect(store: &StoreArgs, cmd: ConnectCommand) -> anyhow::Result<Outcome> {
    let desk = store.desk()?;
    let admin = store.administration(&desk)?;
    let mut base_url = None;
    let mut credentials = None;
    let mut webhook_secret = None;
    let mut instance_admin = false;
    let (account, kind, platform_account, page_id, token_file, as_staff, no_subscribe) = match cmd {
        ConnectCommand::Facebook {
            account,
            page_id,
            token_file,
            as_staff,
            no_subscribe,
        } => (
            account,
            ConnectorKind::Facebook,
            page_id,
            None,
            token_file,
            as_staff,
            no_subscribe,
        ),
        ConnectCommand::Instagram {
            account,
            ig_user_id,
            page_id,
            token_file,
            as_staff,
            no_subscribe,
        } => (
            account,
            ConnectorKind::Instagram,
            ig_user_id,
            page_id,
            token_file,
            as_staff,
            no_subscribe,
        ),
        ConnectCommand::Mastodon {
            account,
            instance,
            account_id,
            token_file,
            as_staff,
            webhook_secret_file,
            instance_admin: admin_token,
        } => {
            base_url = Some(instance);
            instance_admin = admin_token;
            webhook_secret = webhook_secret_file.map(|f| read_token(&f)).transpose()?;
            // Mastodon has no webhooks for an ordinary account: replies
            // are read from its notifications (`piazza sync`).
            (
                account,
                ConnectorKind::Mastodon,
                account_id,
                None,
                token_file,
                as_staff,
                true,
            )
        }
        ConnectCommand::Youtube {
            account,
            channel_id,
            credentials_file,
            as_staff,
        } => {
            credentials = Some(read_credentials(&credentials_file, ConnectorKind::Youtube)?);
            // YouTube sends no webhooks for comments: they are pulled.
            (
                account,
                ConnectorKind::Youtube,
                channel_id,
                None,
                credentials_file,
                as_staff,
                true,
            )
        }
        ConnectCommand::Linkedin {
            account,
            organization_id,
            token_file,
            as_staff,
        } => (
            account,
            ConnectorKind::Linkedin,
            organization_id,
            None,
            token_file,
            as_staff,
            true,
        ),
        ConnectCommand::Flickr {
            account,
            user_id,
            credentials_file,
            as_staff,
        } => {
            credentials = Some(read_credentials(&credentials_file, ConnectorKind::Flickr)?);
            // Flickr sends no notifications: comments are pulled.
            (
                account,
                ConnectorKind::Flickr,
                user_id,
                None,
                credentials_file,
                as_staff,
                true,
            )
        }
        ConnectCommand::X {
            account,
            user_id,
            username,
            credentials_file,
            as_staff,
        } => {
            credentials = Some(read_credentials(&credentials_file, ConnectorKind::X)?);
            // The search's `to:` needs the handle; it rides in the
            // connection's second id.
            (
                account,
                ConnectorKind::X,
                user_id,
                Some(username.trim_start_matches('@').to_string()),
                credentials_file,
                as_staff,
                true,
            )
        }
        ConnectCommand::Telegram {
            account,
            group,
            channel,
            token_file,
            as_staff,
            no_subscribe,
        } => (
            account,
            ConnectorKind::Telegram,
            group,
            channel,
            token_file,
            as_staff,
            no_subscribe,
        ),
    };
    let actor = desk.actor(admin.id, &as_staff)?;
    let token = match credentials {
        Some(c) => c,
        None => read_token(&token_file)?,
    };
    let c = desk.connect(
        &actor,
        NewConnection {
            account_id: account,
            connector: kind,
            platform_account,
            page_id,
            token: Some(token),
            base_url,
        },
    )?;
    println!(
        "account {} «{}» collegato a {} (id {}); il token è conservato cifrato",
        c.account_id,
        c.account,
        kind.as_str(),
        c.platform_account
    );
    println!(
        "puoi cancellare {}: Piazza non ne ha più bisogno",
        token_file.display()
    );
    if instance_admin {
        desk.set_instance_admin(&actor, account, true)?;
        println!(
            "il token agisce come amministratore dell'istanza: allontanare un autore lo limita anche sull'istanza (silence)"
        );
    }
    if let Some(secret) = &webhook_secret {
        desk.set_webhook_secret(&actor, account, secret)?;
        println!(
            "i webhook amministrativi dell'istanza firmati con quel segreto sono accettati su /webhooks/mastodon/{account}"
        );
    }
    // Subscribed first, so that the check sees the webhook in place.
    if !no_subscribe {
        match desk.subscribe_webhooks(admin.id, account) {
            Ok(true) => println!("{}", subscribed_it(kind)),
            Ok(false) => {}
            Err(e) => println!(
                "iscrizione ai webhook non riuscita: {}; i commenti si possono leggere con `piazza sync --account {account}`",
                e.message_it()
            ),
        }
    }
    let mut outcome = Outcome::Ok;
    match desk.check_connection(admin.id, account) {
        Ok(check) => {
            print_check(&c.account, &check);
            if !check.valid {
                outcome = Outcome::Failed;
            }
        }
        Err(e) => {
            println!("verifica del token non riuscita: {}", e.message_it());
            outcome = Outcome::Failed;
        }
    }
    Ok(outcome)
}

pub fn connectors(store: &StoreArgs, cmd: ConnectorsCommand) -> anyhow::Result<Outcome> {
    let desk = store.desk()?;
    let admin = store.administration(&desk)?;
    match cmd {
        ConnectorsCommand::Subscribe { account } => {
            let c = desk
                .connection(admin.id, account)?
                .with_context(|| format!("l'account {account} non è collegato"))?;
            if desk.subscribe_webhooks(admin.id, account)? {
                println!("{}", subscribed_it(c.connector));
            } else {
                println!(
                    "l'account {account} ({}) non riceve webhook: `piazza serve` lo legge ogni due minuti, oppure `piazza sync --account {account}`",
                    c.connector.as_str()
                );
            }
            Ok(Outcome::Ok)
        }
        ConnectorsCommand::Status { json } => {
            let mut outcome = Outcome::Ok;
            let mut out = Vec::new();
            for c in desk.connections(admin.id)? {
                if c.status != piazza_desk::ConnectionStatus::Active {
                    continue;
                }
                let label = format!(
                    "account {} «{}» ({}, {})",
                    c.account_id,
                    c.account,
                    c.connector.as_str(),
                    c.platform_account
                );
                match desk.check_connection(admin.id, c.account_id) {
                    Ok(check) => {
                        if !check.valid || !check.missing.is_empty() {
                            outcome = Outcome::Failed;
                        }
                        if !json {
                            print_check(&label, &check);
                        }
                        out.push(serde_json::json!({"connection": c, "check": check}));
                    }
                    Err(e) => {
                        outcome = Outcome::Failed;
                        if !json {
                            println!("{label}: verifica non riuscita: {}", e.message_it());
                        }
                        out.push(serde_json::json!({"connection": c, "error": e.message_it()}));
                    }
                }
            }
            if json {
                println!("{}", serde_json::to_string_pretty(&out)?);
            } else if out.is_empty() {
                println!(
                    "nessun account collegato: usa `piazza connect facebook` o `piazza connect instagram`"
                );
            }
            Ok(outcome)
        }
        ConnectorsCommand::Disconnect { account, as_staff } => {
            let actor = desk.actor(admin.id, &as_staff)?;
            desk.disconnect(&actor, account)?;
            println!("account {account} scollegato: il token è stato cancellato");
            Ok(Outcome::Ok)
        }
    }
}

pub fn sync(store: &StoreArgs, args: SyncArgs) -> anyhow::Result<Outcome> {
    let desk = store.desk()?;
    let admin = store.administration(&desk)?;
    let since = args
        .since
        .as_deref()
        .map(|s| {
            piazza_calendar::parse_instant(s)
                .map(|t| t.as_millisecond())
                .map_err(|e| anyhow::anyhow!("--since: {e}"))
        })
        .transpose()?;
    let bar = crate::cmd::progress_bar(None, "lettura dalla piattaforma");
    let report = desk.sync(admin.id, args.account, since, &mut |r| {
        bar.set_position(r.new_comments + r.unchanged);
        if bar.is_hidden() {
            eprintln!(
                "lettura: {} pagine, {} post, {} commenti nuovi o modificati, {} invariati",
                r.pages, r.posts, r.new_comments, r.unchanged
            );
        }
    })?;
    bar.finish_and_clear();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        if report.resumed {
            println!("ripresa dal punto in cui si era fermata la lettura precedente");
        }
        println!(
            "{} pagine lette: {} post, {} commenti nuovi o modificati, {} invariati",
            report.pages, report.posts, report.new_comments, report.unchanged
        );
    }
    Ok(Outcome::Ok)
}

fn describe(i: &OutboxItem) -> String {
    i.describe_it(iso)
}

pub fn outbox(store: &StoreArgs, cmd: OutboxCommand) -> anyhow::Result<Outcome> {
    let desk = store.desk()?;
    match cmd {
        OutboxCommand::Run { limit, json } => {
            let run = desk.deliver_outbox(limit)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&run)?);
            } else {
                println!(
                    "passi eseguiti: {}; da ritentare: {}; non riusciti: {}; allontanamenti scaduti revocati: {}",
                    run.done, run.retrying, run.failed, run.bans_lifted
                );
            }
            Ok(Outcome::Ok)
        }
        OutboxCommand::List {
            failed,
            limit,
            json,
        } => {
            let admin = store.administration(&desk)?;
            let items = desk.outbox(
                admin.id,
                &OutboxFilter {
                    states: if failed {
                        vec![OutboxState::Failed]
                    } else {
                        Vec::new()
                    },
                    limit,
                    ..OutboxFilter::default()
                },
            )?;
            if json {
                println!("{}", serde_json::to_string_pretty(&items)?);
            } else {
                for i in &items {
                    println!(
                        "#{:<6} commento {:<6} {}",
                        i.id,
                        i.comment_id.map(|c| c.to_string()).unwrap_or("-".into()),
                        describe(i)
                    );
                }
                if items.is_empty() {
                    println!("nessun passo");
                }
            }
            Ok(Outcome::Ok)
        }
        OutboxCommand::Retry { id, as_staff } => {
            let admin = store.administration(&desk)?;
            let actor = desk.actor(admin.id, &as_staff)?;
            let i = desk.retry_outbox(&actor, id)?;
            println!("#{} {}", i.id, describe(&i));
            Ok(Outcome::Ok)
        }
    }
}

/// Prints the platform steps of a decision just taken.
pub fn print_steps(steps: &[OutboxItem]) {
    if steps.is_empty() {
        return;
    }
    println!("\nsulla piattaforma:");
    for s in steps {
        println!("  {}", describe(s));
    }
    if steps.iter().any(|s| s.state == OutboxState::Pending) {
        println!("  (i passi in coda sono eseguiti da `piazza serve` o da `piazza outbox run`)");
    }
}

/// `piazza secrets`: the key that seals secrets at rest.
#[derive(Subcommand)]
pub enum SecretsCommand {
    /// Seal every stored secret (platform tokens, webhook secrets, SMTP
    /// passwords) again under a new key, in one transaction. Stop `piazza
    /// serve` first, and start it again with the new key afterwards.
    Reseal {
        /// A key file (64 hexadecimal characters, mode 0600), created with
        /// a random key when it does not exist.
        #[arg(long, conflicts_with = "new_passphrase_file")]
        new_key_file: Option<PathBuf>,
        /// A file holding the new passphrase (at least 32 characters), the
        /// new value of PIAZZA_SECRET_KEY. Never on the command line.
        #[arg(long)]
        new_passphrase_file: Option<PathBuf>,
    },
}

pub fn secrets(store: &StoreArgs, cmd: SecretsCommand) -> anyhow::Result<Outcome> {
    match cmd {
        SecretsCommand::Reseal {
            new_key_file,
            new_passphrase_file,
        } => {
            let (new, next_step) = match (new_key_file, new_passphrase_file) {
                (Some(path), None) => (
                    piazza_desk::SecretKey::from_key_file(&path)
                        .map_err(|e| anyhow::anyhow!("{e}"))?,
                    format!(
                        "ora sostituite il file della chiave con {} (o puntate Piazza a quel file) e riavviate `piazza serve`",
                        path.display()
                    ),
                ),
                (None, Some(path)) => {
                    let text = std::fs::read_to_string(&path)
                        .with_context(|| format!("impossibile leggere {}", path.display()))?;
                    (
                        piazza_desk::SecretKey::from_passphrase(text.trim_end_matches(['\n', '\r']))
                            .map_err(|e| anyhow::anyhow!("{e}"))?,
                        "ora impostate PIAZZA_SECRET_KEY al nuovo valore su ogni istanza e riavviate `piazza serve`".to_string(),
                    )
                }
                _ => bail!(
                    "indicate la nuova chiave con --new-key-file oppure --new-passphrase-file"
                ),
            };
            let desk = store.desk()?;
            let r = desk.reseal_secrets(&new)?;
            println!(
                "{} segreti cifrati di nuovo con la nuova chiave ({} token, {} segreti di webhook, {} password SMTP); {next_step}",
                r.total(),
                r.tokens,
                r.webhook_secrets,
                r.mail_passwords
            );
            Ok(Outcome::Ok)
        }
    }
}
