//! The desk from the command line: administrations, accounts, staff,
//! import, queue, actions, audit, retention and reports.
//!
//! The command line trusts the person at the shell (`--as` names the staff
//! member acting); it is the operator's tool. The web desk authenticates
//! every person and enforces the same rules through the same use cases.

use std::io::{BufReader, Read};
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use piazza_desk::{
    AccountId, AccountStatus, ActRequest, ActionKind, ActionStatus, CommentId, CommentState,
    ImportFormat, NewAccount, NewAdministration, NewStaff, QueueFilter, Role,
};
use piazza_policy::{ChannelKind, Platform};
use piazza_taxonomy::Category;
use sha2::{Digest, Sha256};

use crate::Outcome;
use crate::cmd::{StoreArgs, iso};

#[derive(Subcommand)]
pub enum AdminCommand {
    /// Create an administration from a preset or a policy file.
    Add {
        #[arg(long, conflicts_with = "policy", required_unless_present = "policy")]
        preset: Option<String>,
        #[arg(long)]
        policy: Option<PathBuf>,
        /// The short name used in URLs and ticket numbers.
        #[arg(long)]
        slug: Option<String>,
    },
    /// List the administrations.
    List {
        #[arg(long)]
        json: bool,
    },
}

pub fn admin(store: &StoreArgs, cmd: AdminCommand) -> anyhow::Result<Outcome> {
    let desk = store.desk()?;
    match cmd {
        AdminCommand::Add {
            preset,
            policy,
            slug,
        } => {
            let mut new = match (preset, policy) {
                (Some(p), _) => {
                    if piazza_policy::preset(&p).is_none() {
                        let names: Vec<&str> =
                            piazza_policy::PRESETS.iter().map(|p| p.name).collect();
                        bail!(
                            "nessun preset di nome `{p}`; preset disponibili: {}",
                            names.join(", ")
                        );
                    }
                    NewAdministration::preset(&p)
                }
                (None, Some(path)) => {
                    let text = std::fs::read_to_string(&path)
                        .with_context(|| format!("impossibile leggere {}", path.display()))?;
                    NewAdministration::policy(&path.display().to_string(), &text)
                }
                (None, None) => bail!("indica --preset NOME oppure --policy FILE"),
            };
            if let Some(s) = slug {
                new = new.with_slug(&s);
            }
            let a = desk.create_administration(new)?;
            let accounts = desk.accounts(a.id)?.len();
            println!(
                "creato l'ente «{}» (slug {}, policy versione {}, {accounts} account ufficiali)",
                a.name, a.slug, a.policy_version
            );
            println!(
                "prossimo passo: piazza staff add UTENTE --name \"Nome Cognome\" --admin --ente {}",
                a.slug
            );
        }
        AdminCommand::List { json } => {
            let all = desk.administrations()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&all)?);
            } else {
                for a in all {
                    println!("{:<12} {:<36} policy {}", a.slug, a.name, a.policy_version);
                }
            }
        }
    }
    Ok(Outcome::Ok)
}

// Parsed once per process: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
pub enum AccountsCommand {
    /// Register an account.
    Add {
        #[arg(long)]
        platform: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        handle: Option<String>,
        #[arg(long)]
        url: Option<String>,
        /// istituzionale, tematico, municipale or progetto.
        #[arg(long, default_value = "istituzionale")]
        kind: String,
        #[arg(long)]
        office: Option<String>,
        /// Who authorised it (name and role, e.g. "Dirigente Settore Comunicazione").
        #[arg(long)]
        authorised_by: Option<String>,
        /// The e-mail address the account was opened with.
        #[arg(long)]
        email: Option<String>,
        /// active, closed or unofficial.
        #[arg(long, default_value = "active")]
        status: AccountStatus,
        #[arg(long = "as")]
        as_staff: String,
    },
    List {
        #[arg(long)]
        json: bool,
    },
    /// Apply the policy's compliance rules to every account.
    Check {
        #[arg(long)]
        json: bool,
    },
    /// Change an account: status, hours, who authorised it...
    Set {
        account: piazza_desk::AccountId,
        /// active, suspended, closed or unofficial.
        #[arg(long)]
        status: Option<AccountStatus>,
        /// Moderation hours, e.g. "lun-ven 9:00-13:00; sab 9-12" (empty:
        /// the policy's).
        #[arg(long)]
        hours: Option<String>,
        /// When private messages are answered, in the same form.
        #[arg(long)]
        im_hours: Option<String>,
        /// Who authorised it (name and role); recorded with today's date.
        #[arg(long)]
        authorised_by: Option<String>,
        #[arg(long)]
        office: Option<String>,
        #[arg(long)]
        handle: Option<String>,
        #[arg(long)]
        url: Option<String>,
        #[arg(long = "as")]
        as_staff: String,
    },
    /// The bio Piazza suggests for an account, with its hours.
    Bio { account: piazza_desk::AccountId },
    /// Who holds each account's platform credentials (Piazza never stores
    /// them: it records who has them).
    Holders {
        #[arg(long)]
        json: bool,
    },
    /// Record who holds an account's credentials: a person or an office.
    HolderAdd {
        account: piazza_desk::AccountId,
        #[arg(long, conflicts_with = "office", required_unless_present = "office")]
        staff: Option<String>,
        #[arg(long)]
        office: Option<String>,
        #[arg(long = "as")]
        as_staff: String,
    },
    /// Record that a holder no longer has the credentials.
    HolderEnd {
        /// The holder's id (`piazza accounts holders`).
        id: i64,
        #[arg(long = "as")]
        as_staff: String,
    },
}

fn parse_id<T: serde::de::DeserializeOwned>(
    what: &str,
    value: &str,
    expected: &str,
) -> anyhow::Result<T> {
    serde_json::from_value(serde_json::Value::String(value.to_string())).map_err(|_| {
        anyhow::anyhow!(
            "valore sconosciuto `{value}` per {what}; quelli possibili sono: {expected}"
        )
    })
}

pub fn accounts(store: &StoreArgs, cmd: AccountsCommand) -> anyhow::Result<Outcome> {
    let desk = store.desk()?;
    let admin = store.administration(&desk)?;
    match cmd {
        AccountsCommand::Add {
            platform,
            name,
            handle,
            url,
            kind,
            office,
            authorised_by,
            email,
            status,
            as_staff,
        } => {
            let actor = desk.actor(admin.id, &as_staff)?;
            let platform: Platform = parse_id(
                "platform",
                &platform,
                "facebook, instagram, youtube, x, telegram, mastodon, linkedin, tiktok, flickr, whatsapp, threads, bluesky",
            )?;
            let kind: ChannelKind = parse_id(
                "kind",
                &kind,
                "istituzionale, tematico, municipale, progetto",
            )?;
            let a = desk.add_account(
                &actor,
                NewAccount {
                    platform,
                    name,
                    handle,
                    url,
                    kind,
                    managing_office: office,
                    authorised_by,
                    opened_with_email: email,
                    hours: Vec::new(),
                    status,
                },
            )?;
            println!("account {} registrato: {} ({})", a.id, a.name, a.platform);
        }
        AccountsCommand::List { json } => {
            let list = desk.accounts(admin.id)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                println!(
                    "{:>4}  {:<10} {:<36} {:<14} {:<10}",
                    "ID", "PIATTAF.", "NOME", "TIPO", "STATO"
                );
                for a in list {
                    println!(
                        "{:>4}  {:<10} {:<36} {:<14} {:<10}",
                        a.id,
                        a.platform,
                        a.name,
                        a.kind,
                        a.status.as_str()
                    );
                }
            }
        }
        AccountsCommand::Check { json } => {
            let issues = desk.check_accounts(admin.id)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&issues)?);
            } else if issues.is_empty() {
                println!("nessun problema di conformità");
            } else {
                for i in &issues {
                    println!(
                        "account {} «{}» [{}]: {}",
                        i.account_id, i.account, i.rule, i.message
                    );
                }
            }
            return Ok(if issues.is_empty() {
                Outcome::Ok
            } else {
                Outcome::Failed
            });
        }
        AccountsCommand::Set {
            account,
            status,
            hours,
            im_hours,
            authorised_by,
            office,
            handle,
            url,
            as_staff,
        } => {
            let actor = desk.actor(admin.id, &as_staff)?;
            let parse = |what: &str, t: Option<String>| {
                t.map(|t| {
                    piazza_policy::parse_hours_text(&t)
                        .map_err(|e| anyhow::anyhow!("--{what}: {e}"))
                })
                .transpose()
            };
            let a = desk.update_account(
                &actor,
                account,
                &piazza_desk::AccountUpdate {
                    status,
                    hours: parse("hours", hours)?,
                    im_hours: parse("im-hours", im_hours)?,
                    authorised_by,
                    managing_office: office,
                    handle,
                    url,
                },
            )?;
            println!("account {} «{}»: {}", a.id, a.name, a.status.label_it());
            println!("bio suggerita: {}", desk.suggested_bio(admin.id, a.id)?);
        }
        AccountsCommand::Bio { account } => {
            println!("{}", desk.suggested_bio(admin.id, account)?);
        }
        AccountsCommand::Holders { json } => {
            let holders = desk.credential_holders(admin.id)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&holders)?);
            } else {
                for h in &holders {
                    println!(
                        "#{:<4} account {:<4} {:<30} dal {}{}",
                        h.id,
                        h.account_id,
                        h.holder,
                        iso(h.since),
                        h.until
                            .map(|u| format!(" al {}", iso(u)))
                            .unwrap_or_default()
                    );
                }
                if holders.is_empty() {
                    println!("nessun detentore registrato");
                }
            }
        }
        AccountsCommand::HolderAdd {
            account,
            staff,
            office,
            as_staff,
        } => {
            let by = desk.actor(admin.id, &as_staff)?;
            let who = match (staff, office) {
                (Some(s), _) => piazza_desk::CredentialHolderRef::Staff(s),
                (None, Some(o)) => piazza_desk::CredentialHolderRef::Office(o),
                (None, None) => bail!("indica --staff UTENTE oppure --office NOME"),
            };
            let id = desk.add_credential_holder(&by, account, &who)?;
            println!("detentore #{id} registrato per l'account {account}");
        }
        AccountsCommand::HolderEnd { id, as_staff } => {
            let by = desk.actor(admin.id, &as_staff)?;
            desk.end_credential_holder(&by, id)?;
            println!("il detentore #{id} non ha più le credenziali");
        }
    }
    Ok(Outcome::Ok)
}

#[derive(Subcommand)]
pub enum StaffCommand {
    /// Add a person. With --admin, creates the first administrator login.
    Add {
        username: String,
        #[arg(long)]
        name: String,
        /// Roles, comma-separated: admin, dirigente, redattore, moderatore, operatore_urp, auditor, ufficio (bind it with `piazza offices bind`).
        #[arg(long, value_delimiter = ',')]
        role: Vec<String>,
        #[arg(long)]
        email: Option<String>,
        /// The first administrator of the administration (role admin, with a login).
        #[arg(long = "admin")]
        first_admin: bool,
        /// Give a web login; the password is read from standard input.
        #[arg(long)]
        password_stdin: bool,
        /// Who adds the person (an administrator); not needed with --admin.
        #[arg(long = "as")]
        as_staff: Option<String>,
    },
    /// Assign a person to an account.
    Assign {
        username: String,
        #[arg(long)]
        account: AccountId,
        #[arg(long = "as")]
        as_staff: String,
    },
    /// End an assignment and open its handover checklist.
    End {
        username: String,
        #[arg(long)]
        account: AccountId,
        #[arg(long, default_value = "fine incarico")]
        reason: String,
        /// Pass the person's open items on this account to this colleague.
        #[arg(long)]
        to: Option<String>,
        #[arg(long = "as")]
        as_staff: String,
    },
    /// Deactivate a login (a person who left): sessions end, past
    /// decisions stay.
    Deactivate {
        username: String,
        #[arg(long = "as")]
        as_staff: String,
    },
    List {
        #[arg(long)]
        json: bool,
    },
    /// Handover checklists: list, complete a step, sign off.
    Handover {
        #[command(subcommand)]
        cmd: HandoverCommand,
    },
    /// Record a change of an account's shared credentials.
    Rotate {
        #[arg(long)]
        account: AccountId,
        #[arg(long)]
        note: Option<String>,
        #[arg(long = "as")]
        as_staff: String,
    },
    /// Accounts whose credentials are due for a change.
    Reminders {
        /// Days after which a change is due (default: the policy's period,
        /// else 90, as in the web desk).
        #[arg(long)]
        days: Option<i64>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum HandoverCommand {
    List {
        #[arg(long)]
        json: bool,
    },
    Done {
        handover: i64,
        /// revoke_platform_permissions, rotate_shared_credentials or hand_over_open_items.
        item: String,
        #[arg(long)]
        note: Option<String>,
        #[arg(long = "as")]
        as_staff: String,
    },
    Sign {
        handover: i64,
        #[arg(long = "as")]
        as_staff: String,
    },
}

fn read_password() -> anyhow::Result<String> {
    let mut s = String::new();
    std::io::stdin()
        .read_to_string(&mut s)
        .context("impossibile leggere la password")?;
    Ok(s.trim_end_matches(['\n', '\r']).to_string())
}

/// A password for a new login, printed once: 20 characters.
fn generated_password() -> anyhow::Result<String> {
    Ok(piazza_desk::generate_password(20)?)
}

pub fn staff(store: &StoreArgs, cmd: StaffCommand) -> anyhow::Result<Outcome> {
    let desk = store.desk()?;
    let admin = store.administration(&desk)?;
    match cmd {
        StaffCommand::Add {
            username,
            name,
            role,
            email,
            first_admin,
            password_stdin,
            as_staff,
        } => {
            let mut roles: Vec<Role> = role.iter().map(|r| r.parse()).collect::<Result<_, _>>()?;
            if first_admin && !roles.contains(&Role::Admin) {
                roles.push(Role::Admin);
            }
            let mut shown = None;
            let password = if password_stdin {
                Some(read_password()?)
            } else if first_admin {
                let p = generated_password()?;
                shown = Some(p.clone());
                Some(p)
            } else {
                None
            };
            let by = match &as_staff {
                Some(u) => Some(desk.actor(admin.id, u)?),
                None if first_admin => None,
                None => bail!(
                    "indica --as AMMINISTRATORE (il personale lo aggiunge un amministratore), oppure --admin per il primo"
                ),
            };
            let s = desk.add_staff(
                admin.id,
                by.as_ref(),
                NewStaff {
                    username,
                    full_name: name,
                    email,
                    roles,
                    password,
                },
            )?;
            let roles: Vec<&str> = s.roles.iter().map(|r| r.as_str()).collect();
            println!(
                "aggiunto {} ({}) con ruoli {}",
                s.username,
                s.full_name,
                roles.join(", ")
            );
            if let Some(p) = shown {
                // Printed once, to the operator's terminal only; never logged.
                println!(
                    "password iniziale (mostrata una sola volta, cambiala al primo accesso): {p}"
                );
            }
        }
        StaffCommand::Assign {
            username,
            account,
            as_staff,
        } => {
            let by = desk.actor(admin.id, &as_staff)?;
            let id = desk.assign(&by, &username, account, None)?;
            println!("incarico {id}: {username} assegnato all'account {account}");
        }
        StaffCommand::Deactivate { username, as_staff } => {
            let by = desk.actor(admin.id, &as_staff)?;
            desk.deactivate_staff(&by, &username)?;
            println!(
                "accesso di {username} disattivato: le sue sessioni sono chiuse, le decisioni già prese restano"
            );
        }
        StaffCommand::End {
            username,
            account,
            reason,
            to,
            as_staff,
        } => {
            let by = desk.actor(admin.id, &as_staff)?;
            let h = desk.end_assignment(&by, &username, account, &reason)?;
            if let Some(heir) = to {
                let n = desk.pass_open_items(&by, h, &heir)?;
                println!("{n} elementi aperti di {username} su questo account passati a {heir}");
            }
            println!("incarico chiuso; passaggio di consegne n. {h} da completare:");
            for (item, label) in piazza_desk_handover_items() {
                println!("  [ ] {item}: {label}");
            }
            println!("segna i passi con `piazza staff handover done {h} ITEM --as DIRIGENTE`");
        }
        StaffCommand::List { json } => {
            let list = desk.staff(admin.id)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                for s in list {
                    let roles: Vec<&str> = s.roles.iter().map(|r| r.as_str()).collect();
                    // The numbers, as a list: `[1, 2]`.
                    let accounts: Vec<i64> = s.accounts.iter().map(|a| a.0).collect();
                    println!(
                        "{:<16} {:<28} {:<28} account {:?}{}",
                        s.username,
                        s.full_name,
                        roles.join(","),
                        accounts,
                        if s.has_login {
                            ""
                        } else {
                            " (senza accesso web)"
                        }
                    );
                }
            }
        }
        StaffCommand::Handover { cmd } => match cmd {
            HandoverCommand::List { json } => {
                let items = desk.handover_items(admin.id)?;
                if json {
                    println!("{}", serde_json::to_string_pretty(&items)?);
                } else {
                    for i in items {
                        println!(
                            "passaggio {:>3} {:<14} {:<30} [{}] {}{}",
                            i.handover_id,
                            i.staff,
                            i.account,
                            if i.done_at.is_some() { "x" } else { " " },
                            i.item,
                            if i.signed_off_at.is_some() {
                                " (firmato)"
                            } else {
                                ""
                            }
                        );
                    }
                }
            }
            HandoverCommand::Done {
                handover,
                item,
                note,
                as_staff,
            } => {
                let by = desk.actor(admin.id, &as_staff)?;
                desk.complete_handover_item(&by, handover, &item, note.as_deref())?;
                println!("passo {item} del passaggio {handover} completato");
            }
            HandoverCommand::Sign { handover, as_staff } => {
                let by = desk.actor(admin.id, &as_staff)?;
                desk.sign_off_handover(&by, handover)?;
                println!("passaggio di consegne {handover} firmato");
            }
        },
        StaffCommand::Rotate {
            account,
            note,
            as_staff,
        } => {
            let by = desk.actor(admin.id, &as_staff)?;
            desk.record_rotation(&by, account, note.as_deref())?;
            println!("cambio delle credenziali dell'account {account} registrato");
        }
        StaffCommand::Reminders { days, json } => {
            let days = match days {
                Some(d) => d,
                None => desk.rotation_period_days(admin.id)?,
            };
            let due = desk.rotation_reminders(admin.id, days)?;
            if json {
                let v: Vec<_> = due
                    .iter()
                    .map(|(a, d)| serde_json::json!({"account_id": a.id, "account": a.name, "days": d}))
                    .collect();
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else if due.is_empty() {
                println!("nessun cambio di credenziali in scadenza");
            } else {
                for (a, d) in &due {
                    println!(
                        "account {} «{}»: credenziali non cambiate da {d} giorni",
                        a.id, a.name
                    );
                }
            }
        }
    }
    Ok(Outcome::Ok)
}

fn piazza_desk_handover_items() -> [(&'static str, &'static str); 3] {
    [
        (
            "revoke_platform_permissions",
            "revocare le autorizzazioni sulla piattaforma",
        ),
        (
            "rotate_shared_credentials",
            "cambiare le credenziali condivise",
        ),
        (
            "hand_over_open_items",
            "passare gli elementi aperti a un collega",
        ),
    ]
}

#[derive(Args)]
pub struct ImportArgs {
    /// A .jsonl or .csv file.
    file: PathBuf,
    #[arg(long)]
    account: AccountId,
    /// jsonl or csv (from the extension when absent).
    #[arg(long)]
    format: Option<String>,
    /// Comments per transaction.
    #[arg(long, default_value_t = 2000)]
    batch: usize,
    #[arg(long = "as")]
    as_staff: Option<String>,
    #[arg(long)]
    json: bool,
}

/// The SHA-256 of a file's content, read in a stream.
pub fn file_key(path: &std::path::Path) -> anyhow::Result<String> {
    let mut f = std::fs::File::open(path)
        .with_context(|| format!("impossibile aprire {}", path.display()))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

pub fn import(store: &StoreArgs, args: ImportArgs) -> anyhow::Result<Outcome> {
    let desk = store.desk()?;
    let admin = store.administration(&desk)?;
    let name = args.file.display().to_string();
    let format = match args.format.as_deref() {
        Some("jsonl") => ImportFormat::Jsonl,
        Some("csv") => ImportFormat::Csv,
        Some(other) => bail!("formato sconosciuto `{other}`; quelli possibili sono jsonl e csv"),
        None => ImportFormat::from_name(&name).with_context(|| {
            format!("impossibile capire il formato di {name}: usa --format jsonl|csv")
        })?,
    };
    let by = args
        .as_staff
        .as_deref()
        .map(|u| desk.actor(admin.id, u))
        .transpose()?;
    let key = file_key(&args.file)?;
    let total = count_lines(&args.file)?;
    let bar = crate::cmd::progress_bar(Some(total), "importazione");
    let reader = BufReader::with_capacity(1 << 20, std::fs::File::open(&args.file)?);
    let report = desk.import(
        by.as_ref(),
        admin.id,
        args.account,
        reader,
        format,
        &key,
        &name,
        args.batch,
        &mut |p| {
            bar.set_position(p.lines_done);
            if !bar.is_hidden() {
                return;
            }
            // Without a terminal, a line per batch shows progress in logs.
            eprintln!(
                "importazione: {} righe, {} importati, {} invariati, {} errori",
                p.lines_done, p.imported, p.unchanged, p.failed
            );
        },
    )?;
    bar.finish_and_clear();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        if report.already_complete {
            println!("il file era già stato importato per intero: nessuna modifica");
        } else if report.resumed_after > 0 {
            println!("ripresa dopo la riga {}", report.resumed_after);
        }
        let p = report.progress;
        println!(
            "{} righe lette, {} commenti importati, {} invariati, {} righe con errori",
            p.lines_done, p.imported, p.unchanged, p.failed
        );
        for e in &report.errors {
            match &e.field {
                Some(f) => eprintln!("riga {}, campo `{f}`: {}", e.line, e.message),
                None => eprintln!("riga {}: {}", e.line, e.message),
            }
        }
    }
    Ok(if report.errors.is_empty() {
        Outcome::Ok
    } else {
        Outcome::Failed
    })
}

fn count_lines(path: &std::path::Path) -> anyhow::Result<u64> {
    let mut f = std::fs::File::open(path)?;
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf)?;
        if k == 0 {
            break;
        }
        n += buf[..k].iter().filter(|b| **b == b'\n').count() as u64;
    }
    Ok(n)
}

#[derive(Subcommand)]
pub enum QueueCommand {
    /// What waits for a moderator, most urgent first.
    List {
        #[arg(long)]
        account: Option<AccountId>,
        /// new, in_review or resolved (open items when absent).
        #[arg(long)]
        state: Vec<CommentState>,
        #[arg(long)]
        category: Option<Category>,
        /// Only items assigned to this person.
        #[arg(long)]
        assigned_to: Option<String>,
        /// Only the accounts this person works on.
        #[arg(long = "as")]
        as_staff: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: i64,
        #[arg(long)]
        json: bool,
    },
    /// One item with findings, history and statements.
    Show {
        item: CommentId,
        #[arg(long = "as")]
        as_staff: String,
        #[arg(long)]
        json: bool,
    },
}

fn scope_actor(
    desk: &piazza_desk::Desk,
    admin: piazza_desk::AdminId,
    as_staff: Option<String>,
) -> anyhow::Result<Option<piazza_desk::Actor>> {
    Ok(as_staff.map(|u| desk.actor(admin, &u)).transpose()?)
}

/// `queue list --json`: a JSON array written as the pages are read, up to
/// the filter's limit.
fn stream_queue_json(
    desk: &piazza_desk::Desk,
    admin: piazza_desk::AdminId,
    filter: QueueFilter,
) -> anyhow::Result<Outcome> {
    use std::io::Write;
    const PAGE: i64 = 1000;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    out.write_all(b"[")?;
    let mut written = 0i64;
    while written < filter.limit {
        let want = PAGE.min(filter.limit - written);
        let page = desk.queue(
            admin,
            &QueueFilter {
                limit: want,
                offset: written,
                ..filter.clone()
            },
        )?;
        for item in &page {
            out.write_all(if written == 0 { b"\n" } else { b",\n" })?;
            serde_json::to_writer(&mut out, item)?;
            written += 1;
        }
        if (page.len() as i64) < want {
            break;
        }
    }
    out.write_all(b"\n]\n")?;
    out.flush()?;
    Ok(Outcome::Ok)
}

pub fn queue(store: &StoreArgs, cmd: QueueCommand) -> anyhow::Result<Outcome> {
    // Reads only: works on a read-only copy of the database too.
    let desk = store.read_desk()?;
    let admin = store.administration(&desk)?;
    match cmd {
        QueueCommand::List {
            account,
            state,
            category,
            assigned_to,
            as_staff,
            limit,
            json,
        } => {
            let assigned = assigned_to.map(|u| desk.actor(admin.id, &u)).transpose()?;
            let scope = scope_actor(&desk, admin.id, as_staff)?;
            let filter = QueueFilter {
                account_id: account,
                states: state,
                category: category.map(|c| c.as_str().to_string()),
                assigned_to: assigned.map(|a| a.staff_id),
                scope_of: scope,
                limit,
                ..Default::default()
            };
            if json {
                // Streamed page by page: an export of the whole queue never
                // holds it in memory nor in one statement.
                return stream_queue_json(&desk, admin.id, filter);
            }
            let items = desk.queue(admin.id, &filter)?;
            {
                println!(
                    "{:>6} {:>4} {:<10} {:<26} {:<25} TESTO",
                    "ID", "PRIO", "STATO", "CATEGORIE", "SCADENZA"
                );
                for i in items {
                    let text: String = i
                        .text
                        .as_deref()
                        .unwrap_or("(testo eliminato)")
                        .chars()
                        .take(60)
                        .collect();
                    println!(
                        "{:>6} {:>4} {:<10} {:<26} {:<25} {}",
                        i.id,
                        i.priority,
                        i.state,
                        i.flagged.join(","),
                        i.deadline_at.map(iso).unwrap_or_default(),
                        text.replace('\n', " ")
                    );
                }
            }
        }
        QueueCommand::Show {
            item,
            as_staff,
            json,
        } => {
            let actor = desk.actor(admin.id, &as_staff)?;
            let d = desk.item(&actor, item)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&d)?);
            } else {
                println!(
                    "commento {} su «{}» ({}), stato {}",
                    d.item.id, d.item.account, d.item.platform, d.item.state
                );
                println!(
                    "testo: {}",
                    d.item
                        .text
                        .as_deref()
                        .unwrap_or("(eliminato per scadenza dei termini di conservazione)")
                );
                if let Some(p) = &d.post_text {
                    println!("post: {p}");
                }
                for f in d
                    .findings
                    .iter()
                    .filter(|f| f.revision == d.revisions.len() as i64)
                {
                    println!(
                        "  {} {:.2}{} {} — {}",
                        f.category.as_deref().or(f.intent.as_deref()).unwrap_or("?"),
                        f.score,
                        if f.flagged { " [segnalato]" } else { "" },
                        f.clause.map(|c| format!("regola {c}")).unwrap_or_default(),
                        f.explanation
                    );
                }
                for a in &d.actions {
                    println!(
                        "  azione {} {} ({}) da {} regole {:?}",
                        a.id,
                        a.kind,
                        a.status,
                        a.actor.as_deref().unwrap_or("?"),
                        a.clauses
                    );
                    for s in d.steps.iter().rev().filter(|s| s.action_id == Some(a.id)) {
                        println!("    {}", s.describe_it(iso));
                    }
                }
                if let Some(deadline) = d.item.deadline_at {
                    println!("scadenza della risposta: {}", iso(deadline));
                }
            }
        }
    }
    Ok(Outcome::Ok)
}

#[derive(Args)]
pub struct ActArgs {
    item: CommentId,
    #[arg(long)]
    action: ActionKind,
    /// A clause of the policy in force (repeatable).
    #[arg(long = "clause")]
    clauses: Vec<u32>,
    /// The category of the violation (repeatable; from the findings when absent).
    #[arg(long = "category")]
    categories: Vec<Category>,
    #[arg(long)]
    reason: Option<String>,
    /// Reply template: urp, denuncia, cortesia, fuori_tema, dati_personali,
    /// risposta. A redirect sends urp or denuncia (by default denuncia for a
    /// crime report, urp otherwise).
    #[arg(long)]
    template: Option<String>,
    /// The text of a free reply.
    #[arg(long)]
    text: Option<String>,
    /// The office a forward goes to.
    #[arg(long)]
    office: Option<String>,
    /// A temporary ban's length in days (permanent when absent).
    #[arg(long)]
    ban_days: Option<u32>,
    /// Who an assign gives the item to.
    #[arg(long)]
    assign_to: Option<String>,
    /// The item version you saw (a newer one is a conflict).
    #[arg(long)]
    expect_version: Option<i64>,
    #[arg(long = "as")]
    as_staff: String,
    #[arg(long)]
    json: bool,
}

pub fn act(store: &StoreArgs, args: ActArgs) -> anyhow::Result<Outcome> {
    let desk = store.desk()?;
    let admin = store.administration(&desk)?;
    let actor = desk.actor(admin.id, &args.as_staff)?;
    let req = ActRequest {
        comment_id: args.item,
        kind: Some(args.action),
        clauses: args.clauses,
        categories: args.categories,
        reason: args.reason,
        template: args.template,
        reply_text: args.text,
        office: args.office,
        ban_days: args.ban_days,
        assign_to: args.assign_to,
        expected_version: args.expect_version,
    };
    let out = desk.act(&actor, &req)?;
    piazza_desk::fault_point("act.after_commit");
    if args.json {
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        println!(
            "azione {} «{}» sul commento {}: {}",
            out.action_id,
            args.action.label_it(),
            args.item,
            if out.status == ActionStatus::PendingConfirmation {
                "in attesa della conferma di un secondo moderatore".to_string()
            } else {
                format!("stato {}", out.state.as_ref().map_or("?", |s| s.as_str()))
            }
        );
        if let Some(t) = &out.ticket_number {
            println!("pratica n. {t}");
        }
        if let Some(r) = &out.reply_text {
            println!("\nrisposta:\n{r}");
        }
        if let Some(s) = &out.statement {
            println!("\nmotivazione per il cittadino:\n{}", s.text);
        }
        crate::cmd::platforms::print_steps(&out.platform_steps);
    }
    Ok(Outcome::Ok)
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Check the hash chain; names any altered, deleted or moved entry.
    /// With --checkpoint, checks a signed checkpoint file against the log.
    Verify {
        #[arg(long)]
        json: bool,
        /// A checkpoint file written by `piazza audit checkpoint`: its
        /// signatures are checked, then that the log still holds each
        /// signed entry with its hash and that the chain verifies.
        #[arg(long, value_name = "FILE")]
        checkpoint: Option<PathBuf>,
        /// The public key (hex) the administration published: the
        /// checkpoint must be signed by it.
        #[arg(long, value_name = "HEX", requires = "checkpoint")]
        public_key: Option<String>,
    },
    /// Show the latest entries.
    Log {
        #[arg(long, default_value_t = 30)]
        limit: i64,
        #[arg(long)]
        json: bool,
    },
    /// Sign the head of the audit chain of each administration (or of
    /// --ente) with an Ed25519 key kept outside the database; the
    /// checkpoints are stored, shown on the public page and written out.
    Checkpoint {
        /// The key file (32-byte seed, hex or raw) from `piazza audit keygen`.
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
        /// Where to write the checkpoints (JSON); stdout when absent. An
        /// existing file is never overwritten.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Write a new Ed25519 key for checkpoints (mode 0600) and print its
    /// public key, the one to publish.
    Keygen {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

pub fn audit(store: &StoreArgs, cmd: AuditCommand) -> anyhow::Result<Outcome> {
    match cmd {
        AuditCommand::Keygen { out } => return crate::cmd::checkpoint::keygen(&out),
        AuditCommand::Checkpoint { key, out } => {
            return crate::cmd::checkpoint::sign(store, &key, out.as_deref());
        }
        AuditCommand::Verify {
            json,
            checkpoint: Some(file),
            public_key,
        } => {
            return crate::cmd::checkpoint::verify(store, &file, public_key.as_deref(), json);
        }
        _ => {}
    }
    // Reads only: works on a read-only copy of the database too.
    let desk = store.read_desk()?;
    let admin = store.administration(&desk)?;
    match cmd {
        AuditCommand::Keygen { .. } | AuditCommand::Checkpoint { .. } => {
            unreachable!("handled above")
        }
        AuditCommand::Verify { json, .. } => {
            let v = desk.verify_audit(admin.id)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else if v.is_intact() {
                println!(
                    "registro integro: {} voci, ultima impronta {}",
                    v.entries,
                    v.head_hash.as_deref().unwrap_or("-")
                );
            } else {
                println!("REGISTRO ALTERATO ({} voci lette):", v.entries);
                for p in &v.problems {
                    println!("  {}", p.message_it());
                }
            }
            Ok(if v.is_intact() {
                Outcome::Ok
            } else {
                Outcome::Failed
            })
        }
        AuditCommand::Log { limit, json } => {
            let last = desk.audit_last_seq(admin.id)?;
            let entries = desk.audit_entries(admin.id, (last - limit + 1).max(1), limit)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&entries)?);
            } else {
                for e in entries {
                    println!(
                        "#{:<5} {} {:<22} {:<20} {}:{} {}",
                        e.seq,
                        iso(e.at),
                        e.entry.kind,
                        e.entry.actor,
                        e.entry.target_type,
                        e.entry.target_id,
                        e.entry
                            .clauses
                            .as_deref()
                            .map(|c| format!("regole {c}"))
                            .unwrap_or_default()
                    );
                }
            }
            Ok(Outcome::Ok)
        }
    }
}

#[derive(Subcommand)]
pub enum RetentionCommand {
    /// Purge texts and personal data older than --days.
    Run {
        #[arg(long)]
        days: u32,
        #[arg(long)]
        json: bool,
    },
}

pub fn retention(store: &StoreArgs, cmd: RetentionCommand) -> anyhow::Result<Outcome> {
    let desk = store.desk()?;
    let admin = store.administration(&desk)?;
    let RetentionCommand::Run { days, json } = cmd;
    let r = desk.run_retention(None, admin.id, days)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        println!(
            "conservazione {days} giorni: {} commenti anonimizzati, {} revisioni, {} evidenze; tenuti {} per blocco legale e {} ancora aperti",
            r.comments_purged, r.revisions_purged, r.evidence_purged, r.kept_on_hold, r.kept_open
        );
    }
    Ok(Outcome::Ok)
}

#[derive(Subcommand)]
pub enum ReportCommand {
    /// Response times against the deadlines, per account and office.
    ResponseTimes {
        /// From this date-time (Europe/Rome when no offset).
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The transparency report per month and account (the public page's
    /// figures): a table, or JSON.
    Transparency {
        /// From this date-time (Europe/Rome when no offset).
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

pub fn report(store: &StoreArgs, cmd: ReportCommand) -> anyhow::Result<Outcome> {
    // Reads only: works on a read-only copy of the database too.
    let desk = store.read_desk()?;
    let admin = store.administration(&desk)?;
    let parse = |s: &str| -> anyhow::Result<i64> {
        Ok(piazza_calendar::parse_instant(s)
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .as_millisecond())
    };
    let (from, to, json) = match &cmd {
        ReportCommand::ResponseTimes { from, to, json }
        | ReportCommand::Transparency { from, to, json } => (
            from.as_deref().map(parse).transpose()?.unwrap_or(0),
            to.as_deref().map(parse).transpose()?.unwrap_or(i64::MAX),
            *json,
        ),
    };
    if let ReportCommand::Transparency { .. } = cmd {
        let r = desk.transparency_report(admin.id, from, to)?;
        if json {
            println!("{}", serde_json::to_string_pretty(&r)?);
            return Ok(Outcome::Ok);
        }
        println!(
            "{:<8} {:<40} {:>8} {:>10} {:>9} {:>10} {:>8}",
            "MESE", "ACCOUNT", "COMMENTI", "SEGNALATI", "DECISIONI", "MEDIANA", "RIESAMI"
        );
        for row in &r.rows {
            println!(
                "{:<8} {:<40} {:>8} {:>10} {:>9} {:>10} {:>8}",
                row.month,
                row.label,
                row.comments,
                row.flagged,
                row.decisions_by_measure.values().sum::<i64>(),
                row.median_minutes_to_decision
                    .map(|m| format!("{}h{:02}", m / 60, m % 60))
                    .unwrap_or_else(|| "-".into()),
                row.appeals.received
            );
        }
        return Ok(Outcome::Ok);
    }
    let r = desk.response_times(admin.id, from, to)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        println!(
            "{:<8} {:<36} {:>6} {:>8} {:>10} {:>10} {:>9} {:>8}",
            "GRUPPO", "NOME", "ITEM", "RISPOSTE", "MEDIANA", "90° PERC.", "IN TEMPO", "SFORATI"
        );
        let min = |m: Option<i64>| {
            m.map(|m| format!("{}h{:02}", m / 60, m % 60))
                .unwrap_or_else(|| "-".into())
        };
        for row in r.rows {
            println!(
                "{:<8} {:<36} {:>6} {:>8} {:>10} {:>10} {:>9} {:>8}",
                row.group,
                row.name,
                row.items,
                row.answered,
                min(row.median_minutes),
                min(row.p90_minutes),
                row.within_deadline
                    .map(|w| format!("{:.0}%", w * 100.0))
                    .unwrap_or_else(|| "-".into()),
                row.breaches
            );
        }
    }
    Ok(Outcome::Ok)
}

#[derive(Subcommand)]
pub enum AppealsCommand {
    /// The appeals queue (open ones unless --all), oldest term first.
    List {
        #[arg(long)]
        all: bool,
        #[arg(long = "as")]
        as_staff: String,
        #[arg(long)]
        json: bool,
    },
    /// Record a request that arrived by e-mail, reply or private message;
    /// the reasons are read from standard input.
    Record {
        /// The decision's reference (the number in the statement).
        reference: i64,
        /// email, platform_reply, private_message or other.
        #[arg(long)]
        channel: String,
        /// Where the outcome goes when the platform cannot carry it.
        #[arg(long)]
        reply_to: Option<String>,
        #[arg(long = "as")]
        as_staff: String,
    },
    /// Decide a request: uphold or reverse, with the reasons sent to the
    /// author. Not by who took or confirmed the decision.
    Decide {
        appeal: i64,
        /// uphold or reverse.
        #[arg(long)]
        outcome: String,
        #[arg(long)]
        reason: String,
        #[arg(long = "as")]
        as_staff: String,
    },
}

pub fn appeals(store: &StoreArgs, cmd: AppealsCommand) -> anyhow::Result<Outcome> {
    use piazza_desk::{AppealChannel, AppealFiling, AppealId, AppealOutcome, AppealState};
    let desk = store.desk()?;
    let admin = store.administration(&desk)?;
    match cmd {
        AppealsCommand::List {
            all,
            as_staff,
            json,
        } => {
            let actor = desk.actor(admin.id, &as_staff)?;
            let list = desk.appeals(&actor, (!all).then_some(AppealState::Open))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else if list.is_empty() {
                println!("nessuna richiesta di riesame");
            } else {
                let now = desk.now();
                for a in &list {
                    println!(
                        "riesame {:<5} decisione n. {:<6} ({}) ricevuta {} scadenza {}{} – {}",
                        a.id,
                        a.reference,
                        a.decision.label_it(),
                        iso(a.received_at),
                        iso(a.due_at),
                        if a.overdue(now) { " SCADUTA" } else { "" },
                        a.state.label_it()
                    );
                }
            }
            Ok(Outcome::Ok)
        }
        AppealsCommand::Record {
            reference,
            channel,
            reply_to,
            as_staff,
        } => {
            let actor = desk.actor(admin.id, &as_staff)?;
            let channel: AppealChannel = channel.parse()?;
            let mut grounds = String::new();
            std::io::stdin()
                .read_to_string(&mut grounds)
                .context("lettura delle ragioni dallo standard input")?;
            let r = desk.file_appeal(
                admin.id,
                Some(&actor),
                &AppealFiling {
                    reference: piazza_desk::ActionId(reference),
                    channel,
                    grounds,
                    comment_day: None,
                    reply_to,
                },
            )?;
            if r.already_filed {
                println!(
                    "la decisione n. {reference} ha già la richiesta di riesame n. {} ({}): nessuna nuova richiesta registrata",
                    r.id,
                    r.state.label_it()
                );
            } else {
                println!(
                    "richiesta di riesame n. {} registrata; da decidere entro {}",
                    r.id,
                    iso(r.due_at)
                );
            }
            Ok(Outcome::Ok)
        }
        AppealsCommand::Decide {
            appeal,
            outcome,
            reason,
            as_staff,
        } => {
            let actor = desk.actor(admin.id, &as_staff)?;
            let outcome: AppealOutcome = outcome.parse()?;
            let a = desk.decide_appeal(&actor, AppealId(appeal), outcome, &reason)?;
            println!(
                "riesame n. {}: {}; l'esito è in coda per l'autore (piazza outbox list mostra l'invio)",
                a.id,
                a.state.label_it()
            );
            Ok(Outcome::Ok)
        }
    }
}

#[derive(Subcommand)]
pub enum ElectionsCommand {
    /// Record an election period (a dirigente): from the calling of the
    /// election to the close of the polls, both days included.
    Add {
        /// comunali, regionali, politiche, europee or referendum.
        #[arg(long)]
        kind: String,
        #[arg(long)]
        territory: String,
        /// The first day, YYYY-MM-DD.
        #[arg(long)]
        from: String,
        /// The last day, YYYY-MM-DD.
        #[arg(long)]
        to: String,
        /// The act that called the election.
        #[arg(long)]
        act: Option<String>,
        #[arg(long = "as")]
        as_staff: String,
    },
    /// The periods recorded, and the one in force today.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Everything published through Piazza during a period, for the record:
    /// CSV (default) or JSON, to a file or to standard output.
    Export {
        id: i64,
        #[arg(long)]
        json: bool,
        #[arg(long, short)]
        output: Option<std::path::PathBuf>,
    },
    /// Add a political figure (mayor, assessore, candidate...) whose name
    /// the checks flag during an election period (a dirigente).
    AddPerson {
        /// Name and surname.
        name: String,
        /// sindaco, vicesindaco, assessore, consigliere or candidato.
        #[arg(long)]
        role: String,
        #[arg(long = "as")]
        as_staff: String,
    },
    /// The political figures the checks flag.
    People {
        #[arg(long)]
        json: bool,
    },
    /// Take a figure off the list (the end of a mandate).
    RemovePerson {
        id: i64,
        #[arg(long = "as")]
        as_staff: String,
    },
}

pub fn elections(store: &StoreArgs, cmd: ElectionsCommand) -> anyhow::Result<Outcome> {
    let desk = store.desk()?;
    let admin = store.administration(&desk)?;
    let day = |s: &str| -> anyhow::Result<piazza_calendar::jiff::civil::Date> {
        s.parse()
            .map_err(|_| anyhow::anyhow!("data non valida `{s}`: attesa AAAA-MM-GG"))
    };
    match cmd {
        ElectionsCommand::Add {
            kind,
            territory,
            from,
            to,
            act,
            as_staff,
        } => {
            let actor = desk.actor(admin.id, &as_staff)?;
            let id = desk.add_election_period(
                &actor,
                &piazza_desk::NewElectionPeriod {
                    kind: kind.parse()?,
                    territory,
                    starts_on: day(&from)?,
                    ends_on: day(&to)?,
                    act,
                },
            )?;
            println!("periodo elettorale n. {id} registrato, dal {from} al {to}");
        }
        ElectionsCommand::List { json } => {
            let all = desk.election_periods(admin.id)?;
            let now = desk.election_period_now(admin.id)?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(
                        &serde_json::json!({"periods": all, "in_force": now})
                    )?
                );
            } else {
                match &now {
                    Some(p) => println!("{}", p.notice_it()),
                    None => println!("nessun periodo elettorale in corso"),
                }
                for p in &all {
                    println!(
                        "n. {:<4} {} – {}: {}, {}",
                        p.id,
                        p.starts_on,
                        p.ends_on,
                        p.kind.label_it(),
                        p.territory
                    );
                }
            }
        }
        ElectionsCommand::Export { id, json, output } => {
            let record = desk.election_record(admin.id, id)?;
            let text = if json {
                serde_json::to_string_pretty(&record)?
            } else {
                record.to_csv()
            };
            match output {
                Some(path) => {
                    std::fs::write(&path, &text)
                        .with_context(|| format!("impossibile scrivere {}", path.display()))?;
                    eprintln!(
                        "{} pubblicazioni del periodo n. {id} ({} – {}) scritte in {}",
                        record.publications.len(),
                        record.period.starts_on,
                        record.period.ends_on,
                        path.display()
                    );
                }
                None => print!("{text}"),
            }
        }
        ElectionsCommand::AddPerson {
            name,
            role,
            as_staff,
        } => {
            let actor = desk.actor(admin.id, &as_staff)?;
            let id = desk.add_public_figure(&actor, &name, role.parse()?)?;
            println!(
                "n. {id}: durante i periodi elettorali i testi che nominano «{name}» sono segnalati"
            );
        }
        ElectionsCommand::People { json } => {
            let all = desk.public_figures(admin.id)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&all)?);
            } else if all.is_empty() {
                println!("nessuna persona nell'elenco");
            } else {
                for f in &all {
                    println!("n. {:<4} {} ({})", f.id, f.name, f.role.label_it());
                }
            }
        }
        ElectionsCommand::RemovePerson { id, as_staff } => {
            let actor = desk.actor(admin.id, &as_staff)?;
            desk.remove_public_figure(&actor, id)?;
            println!("n. {id} tolto dall'elenco");
        }
    }
    Ok(Outcome::Ok)
}
