//! Offices, tickets and mail from the command line: register offices and
//! bind their staff (`piazza offices`), work the tickets as an office or as
//! the URP (`piazza tickets`), set the SMTP server and send what is due
//! (`piazza mail`). Every command goes through the desk, which checks the
//! roles of the person named by `--as`.

use std::io::Read;

use anyhow::Context;
use clap::Subcommand;
use piazza_desk::{
    Desk, MailState, NewMailSettings, NewOffice, OfficeUpdate, SecretString, SmtpSecurity, Ticket,
    TicketFilter, TicketId, TicketState,
};

use crate::Outcome;
use crate::cmd::{StoreArgs, iso};

#[derive(Subcommand)]
pub enum OfficesCommand {
    /// Register an office (a dirigente's decision).
    Add {
        name: String,
        /// Where its notifications go.
        #[arg(long)]
        email: Option<String>,
        /// One daily summary instead of one mail per ticket.
        #[arg(long)]
        digest: bool,
        #[arg(long = "as")]
        as_staff: String,
    },
    /// Change an office's address, digest preference or activity.
    Edit {
        /// The office's name or number.
        office: String,
        /// The new address ("" removes it).
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        digest: Option<bool>,
        #[arg(long)]
        active: Option<bool>,
        #[arg(long = "as")]
        as_staff: String,
    },
    /// Bind a person with the role `ufficio` to an office (or unbind).
    Bind {
        username: String,
        /// The office's name or number; omitted: unbind.
        #[arg(long)]
        office: Option<String>,
        #[arg(long = "as")]
        as_staff: String,
    },
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum TicketsCommand {
    /// The tickets the person sees: an office's staff their office's only.
    List {
        #[arg(long)]
        office: Option<String>,
        /// open, info_requested, answered, closed (comma-separated).
        #[arg(long, value_delimiter = ',')]
        state: Vec<TicketState>,
        #[arg(long = "as")]
        as_staff: String,
        #[arg(long)]
        json: bool,
    },
    /// A ticket with its history.
    Show {
        /// The ticket's number (CENTO-2026-000001) or id.
        ticket: String,
        #[arg(long = "as")]
        as_staff: String,
        #[arg(long)]
        json: bool,
    },
    /// The office answers: the answer becomes the draft reply.
    Answer {
        ticket: String,
        #[arg(long)]
        text: String,
        #[arg(long = "as")]
        as_staff: String,
    },
    /// The office asks the URP for more information.
    Ask {
        ticket: String,
        #[arg(long)]
        text: String,
        #[arg(long = "as")]
        as_staff: String,
    },
    /// The URP answers the office's question.
    Inform {
        ticket: String,
        #[arg(long)]
        text: String,
        #[arg(long = "as")]
        as_staff: String,
    },
    /// Close without a reply to the citizen.
    Close {
        ticket: String,
        #[arg(long)]
        note: Option<String>,
        #[arg(long = "as")]
        as_staff: String,
    },
    /// The URP sends the citizen the reply drafted from the answer
    /// (through the outbox, like every reply).
    Reply {
        ticket: String,
        /// Replaces the draft.
        #[arg(long)]
        text: Option<String>,
        #[arg(long = "as")]
        as_staff: String,
    },
}

#[derive(Subcommand)]
pub enum MailCommand {
    /// Set the SMTP server (the technical administrator's job). The
    /// password is read from standard input and sealed at rest.
    Setup {
        #[arg(long)]
        host: String,
        #[arg(long, default_value_t = 587)]
        port: u16,
        /// none, starttls or tls.
        #[arg(long, default_value = "starttls")]
        security: SmtpSecurity,
        #[arg(long)]
        from: String,
        #[arg(long)]
        user: Option<String>,
        #[arg(long)]
        password_stdin: bool,
        /// The web desk's public address, for the links in the mails.
        #[arg(long)]
        desk_url: Option<String>,
        /// The URP's mailbox (else the person who forwarded is told).
        #[arg(long)]
        urp: Option<String>,
        /// When the daily digests leave (hour, Rome time).
        #[arg(long, default_value_t = 8)]
        digest_hour: u8,
        #[arg(long = "as")]
        as_staff: String,
    },
    /// The SMTP settings (never the password).
    Show {
        #[arg(long)]
        json: bool,
    },
    /// The mails, newest first.
    List {
        #[arg(long, value_delimiter = ',')]
        state: Vec<MailState>,
        #[arg(long, default_value_t = 50)]
        limit: i64,
        #[arg(long)]
        json: bool,
    },
    /// Fold due digests and send what is due, once, and exit (for cron and
    /// tests; `piazza serve` runs the same worker continuously).
    SendPending {
        #[arg(long, default_value_t = 200)]
        limit: i64,
        #[arg(long)]
        json: bool,
    },
}

fn print_json(v: &impl serde::Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

pub fn offices(store: &StoreArgs, cmd: OfficesCommand) -> anyhow::Result<Outcome> {
    let desk = store.desk()?;
    let admin = store.administration(&desk)?;
    match cmd {
        OfficesCommand::Add {
            name,
            email,
            digest,
            as_staff,
        } => {
            let by = desk.actor(admin.id, &as_staff)?;
            let o = desk.add_office(
                &by,
                NewOffice {
                    name,
                    email,
                    digest,
                },
            )?;
            println!("ufficio {} registrato: {}", o.id, o.name);
        }
        OfficesCommand::Edit {
            office,
            email,
            digest,
            active,
            as_staff,
        } => {
            let by = desk.actor(admin.id, &as_staff)?;
            let o = desk.office_named(admin.id, &office)?;
            let o = desk.update_office(
                &by,
                o.id,
                &OfficeUpdate {
                    email,
                    digest,
                    active,
                },
            )?;
            println!(
                "ufficio {}: e-mail {}, riepilogo giornaliero {}, {}",
                o.name,
                o.email.as_deref().unwrap_or("—"),
                if o.digest { "sì" } else { "no" },
                if o.active { "attivo" } else { "non attivo" }
            );
        }
        OfficesCommand::Bind {
            username,
            office,
            as_staff,
        } => {
            let by = desk.actor(admin.id, &as_staff)?;
            let o = office
                .map(|o| desk.office_named(admin.id, &o))
                .transpose()?;
            desk.set_staff_office(&by, &username, o.as_ref().map(|o| o.id))?;
            match o {
                Some(o) => println!("{username} lavora ora per l'ufficio {}", o.name),
                None => println!("{username} non è più legato a un ufficio"),
            }
        }
        OfficesCommand::List { json } => {
            let all = desk.offices(admin.id)?;
            if json {
                print_json(&all)?;
            } else if all.is_empty() {
                println!(
                    "nessun ufficio registrato: aggiungine uno con `piazza offices add NOME --email INDIRIZZO --as DIRIGENTE`"
                );
            } else {
                for o in all {
                    println!(
                        "{:>4}  {:<30} {:<32} {:<10} {}{}",
                        o.id,
                        o.name,
                        o.email.as_deref().unwrap_or("—"),
                        if o.digest { "riepilogo" } else { "subito" },
                        if o.staff.is_empty() {
                            "nessun referente".to_string()
                        } else {
                            o.staff.join(", ")
                        },
                        if o.active { "" } else { " (non attivo)" }
                    );
                }
            }
        }
    }
    Ok(Outcome::Ok)
}

/// A ticket named by its number or its id.
fn find_ticket(
    desk: &Desk,
    by: &piazza_desk::Actor,
    ticket: &str,
) -> anyhow::Result<piazza_desk::Ticket> {
    Ok(match ticket.parse::<TicketId>() {
        Ok(id) => desk.ticket(by, id)?,
        Err(_) => desk.ticket_by_number(by, ticket)?,
    })
}

fn print_ticket_line(t: &Ticket) {
    println!(
        "{:<20} {:<24} {:<36} {}",
        t.number,
        t.office,
        t.state.label_it(),
        iso(t.updated_at)
    );
}

pub fn tickets(store: &StoreArgs, cmd: TicketsCommand) -> anyhow::Result<Outcome> {
    let desk = store.desk()?;
    let admin = store.administration(&desk)?;
    match cmd {
        TicketsCommand::List {
            office,
            state,
            as_staff,
            json,
        } => {
            let by = desk.actor(admin.id, &as_staff)?;
            let office = office
                .map(|o| desk.office_named(admin.id, &o))
                .transpose()?;
            let all = desk.tickets(
                &by,
                &TicketFilter {
                    office: office.map(|o| o.id),
                    states: state,
                    comment_id: None,
                },
            )?;
            if json {
                print_json(&all)?;
            } else if all.is_empty() {
                println!("nessun ticket");
            } else {
                for t in &all {
                    print_ticket_line(t);
                }
            }
        }
        TicketsCommand::Show {
            ticket,
            as_staff,
            json,
        } => {
            let by = desk.actor(admin.id, &as_staff)?;
            let t = find_ticket(&desk, &by, &ticket)?;
            if json {
                print_json(&t)?;
            } else {
                println!(
                    "ticket {} per l'ufficio {}: {}",
                    t.number,
                    t.office,
                    t.state.label_it()
                );
                if let (Some(a), Some(p)) = (&t.account, &t.platform) {
                    println!("account: {a} ({p})");
                }
                println!(
                    "commento: {}",
                    t.comment_text
                        .as_deref()
                        .unwrap_or("(testo non più conservato)")
                );
                for m in &t.messages {
                    println!(
                        "- {} {} ({}){}",
                        iso(m.created_at),
                        m.event.label_it(),
                        m.author.as_deref().unwrap_or("?"),
                        m.body
                            .as_deref()
                            .map(|b| format!(": {b}"))
                            .unwrap_or_default()
                    );
                }
                if let Some(d) = &t.draft_reply {
                    println!("bozza di risposta al cittadino: {d}");
                }
            }
        }
        TicketsCommand::Answer {
            ticket,
            text,
            as_staff,
        } => {
            let by = desk.actor(admin.id, &as_staff)?;
            let t = find_ticket(&desk, &by, &ticket)?;
            let t = desk.ticket_answer(&by, t.id, &text, Some(t.version))?;
            println!(
                "ticket {}: {}; bozza per l'URP: {}",
                t.number,
                t.state.label_it(),
                t.draft_reply.unwrap_or_default()
            );
        }
        TicketsCommand::Ask {
            ticket,
            text,
            as_staff,
        } => {
            let by = desk.actor(admin.id, &as_staff)?;
            let t = find_ticket(&desk, &by, &ticket)?;
            let t = desk.ticket_ask(&by, t.id, &text, Some(t.version))?;
            println!("ticket {}: {}", t.number, t.state.label_it());
        }
        TicketsCommand::Inform {
            ticket,
            text,
            as_staff,
        } => {
            let by = desk.actor(admin.id, &as_staff)?;
            let t = find_ticket(&desk, &by, &ticket)?;
            let t = desk.ticket_inform(&by, t.id, &text, Some(t.version))?;
            println!("ticket {}: {}", t.number, t.state.label_it());
        }
        TicketsCommand::Close {
            ticket,
            note,
            as_staff,
        } => {
            let by = desk.actor(admin.id, &as_staff)?;
            let t = find_ticket(&desk, &by, &ticket)?;
            let t = desk.ticket_close(&by, t.id, note.as_deref(), Some(t.version))?;
            println!("ticket {}: {}", t.number, t.state.label_it());
        }
        TicketsCommand::Reply {
            ticket,
            text,
            as_staff,
        } => {
            let by = desk.actor(admin.id, &as_staff)?;
            let t = find_ticket(&desk, &by, &ticket)?;
            let out = desk.ticket_send_reply(&by, t.id, text.as_deref(), Some(t.version))?;
            println!(
                "risposta {} in coda per la piattaforma; ticket {} chiuso",
                out.action_id, t.number
            );
        }
    }
    Ok(Outcome::Ok)
}

pub fn mail(store: &StoreArgs, cmd: MailCommand) -> anyhow::Result<Outcome> {
    let desk = store.desk()?;
    match cmd {
        MailCommand::Setup {
            host,
            port,
            security,
            from,
            user,
            password_stdin,
            desk_url,
            urp,
            digest_hour,
            as_staff,
        } => {
            let admin = store.administration(&desk)?;
            let by = desk.actor(admin.id, &as_staff)?;
            let password = if password_stdin {
                let mut s = String::new();
                std::io::stdin()
                    .read_to_string(&mut s)
                    .context("impossibile leggere la password")?;
                Some(SecretString::new(s.trim_end_matches(['\n', '\r'])))
            } else {
                None
            };
            let s = desk.set_mail_settings(
                &by,
                NewMailSettings {
                    host,
                    port,
                    security,
                    from,
                    username: user,
                    password,
                    desk_url,
                    urp_address: urp,
                    digest_hour,
                },
            )?;
            println!(
                "server di posta {}:{} ({}), mittente {}{}",
                s.host,
                s.port,
                s.security.label_it(),
                s.from,
                if s.has_password {
                    ", password salvata cifrata"
                } else {
                    ""
                }
            );
        }
        MailCommand::Show { json } => {
            let admin = store.administration(&desk)?;
            match desk.mail_settings(admin.id)? {
                Some(s) if json => print_json(&s)?,
                Some(s) => {
                    println!("server: {}:{} ({})", s.host, s.port, s.security.label_it());
                    println!("mittente: {}", s.from);
                    println!("utente: {}", s.username.as_deref().unwrap_or("—"));
                    println!(
                        "password: {}",
                        if s.has_password {
                            "salvata (cifrata)"
                        } else {
                            "nessuna"
                        }
                    );
                    println!("scrivania: {}", s.desk_url.as_deref().unwrap_or("—"));
                    println!("URP: {}", s.urp_address.as_deref().unwrap_or("—"));
                    println!("riepiloghi alle {}:00", s.digest_hour);
                }
                None => println!(
                    "nessun server di posta: impostalo con `piazza mail setup --host HOST --from INDIRIZZO --as AMMINISTRATORE`"
                ),
            }
        }
        MailCommand::List { state, limit, json } => {
            let admin = store.administration(&desk)?;
            let all = desk.mail_outbox(admin.id, &state, limit)?;
            if json {
                print_json(&all)?;
            } else {
                for m in all {
                    println!(
                        "{:>5}  {:<34} {:<32} {}{}",
                        m.id,
                        m.state.label_it(),
                        m.recipient,
                        m.subject,
                        m.last_error
                            .as_deref()
                            .map(|e| format!(" [{e}]"))
                            .unwrap_or_default()
                    );
                }
            }
        }
        MailCommand::SendPending { limit, json } => {
            let run = desk.send_mail(limit)?;
            if json {
                print_json(&run)?;
            } else {
                println!(
                    "e-mail: {} inviate, {} da ritentare, {} non inviate; {} riepiloghi preparati",
                    run.sent, run.retrying, run.failed, run.digests
                );
            }
            if run.failed > 0 {
                return Ok(Outcome::Failed);
            }
        }
    }
    Ok(Outcome::Ok)
}
