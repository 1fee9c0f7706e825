//! Tickets are a workflow, not a number. A forward opens one for an
//! office; the office's staff see only their office's tickets, answer,
//! ask the URP for more (an internal question the URP answers back), or
//! close; an answer becomes a draft reply to the citizen, which the URP
//! reviews and sends through the ordinary reply path (an action and the
//! platform outbox: nothing is ever posted from here).
//!
//! ```text
//!   forward ──▶ open ──question──▶ info_requested
//!                │  ▲                   │
//!                │  └──────info─────────┘
//!                ├──answer──▶ answered ──answer (revised draft)──▶ answered
//!                │               │
//!                │               └──reply sent by the URP──▶ closed
//!                └──close (office or URP, from any open state)──▶ closed
//! ```
//!
//! Every step is one transaction: the ticket's new state (checked against
//! the version read, so two people cannot both move it), the message in its
//! history, the audit entry and the notification mail are written together
//! or not at all.
//!
//! What the office sees of the citizen is minimised: the comment's text
//! (the office must know what is asked), the account and the date; never
//! the author's name or platform id. The mails carry no free text at all,
//! only the ticket's number and a link to the web desk, behind a login.

use piazza_store::Tx;
use serde::Serialize;

use crate::actions::{ActRequest, ActionKind, ActionOutcome};
use crate::audit_log::{AuditKind, AuditTarget, entry, record};
use crate::context::AdminContext;
use crate::ids::{AccountId, ActionId, AdminId, CommentId, OfficeId, TicketId};
use crate::mail::{self, NewMail};
use crate::offices::{office_of, resolve_office};
use crate::registry::{Actor, Role};
use crate::{Desk, DeskError, Result};

closed_set! {
    /// Where a ticket stands.
    pub enum TicketState ("stato del ticket") {
        /// Waiting for the office.
        Open = "open" => "aperto",
        /// The office asked the URP for more; waiting for the URP.
        InfoRequested = "info_requested" => "in attesa di informazioni dall'URP",
        /// The office answered; a draft reply waits for the URP's review.
        Answered = "answered" => "risposto dall'ufficio",
        Closed = "closed" => "chiuso",
    }
}

closed_set! {
    /// One step in a ticket's history.
    pub enum TicketEvent ("passo del ticket") {
        /// The URP forwarded the comment (the message is its note).
        Forwarded = "forward" => "inoltro all'ufficio",
        /// The office asks the URP for more information.
        Question = "question" => "domanda dell'ufficio all'URP",
        /// The URP answers the office's question.
        Info = "info" => "risposta dell'URP all'ufficio",
        /// The office's answer, drafted into a reply for the citizen.
        Answer = "answer" => "risposta dell'ufficio",
        Close = "close" => "chiusura",
        /// The URP sent the citizen the reply drafted from the answer.
        ReplySent = "reply_sent" => "risposta pubblicata al cittadino",
    }
}

impl TicketState {
    /// The state after `event`, or `None` where the workflow does not
    /// allow it.
    pub const fn after(self, event: TicketEvent) -> Option<TicketState> {
        use TicketEvent as E;
        use TicketState as S;
        match (self, event) {
            (S::Open, E::Question) => Some(S::InfoRequested),
            (S::InfoRequested, E::Info) => Some(S::Open),
            // A revised answer replaces the draft until the reply is sent.
            (S::Open | S::Answered, E::Answer) => Some(S::Answered),
            (S::Open | S::InfoRequested | S::Answered, E::Close) => Some(S::Closed),
            (S::Answered, E::ReplySent) => Some(S::Closed),
            _ => None,
        }
    }
}

/// Who may take a step: the office's own staff, or the URP side (those
/// who may forward and reply, on the comment's account).
const fn office_step(event: TicketEvent) -> bool {
    matches!(
        event,
        TicketEvent::Question | TicketEvent::Answer | TicketEvent::Close
    )
}

const fn urp_step(event: TicketEvent) -> bool {
    matches!(
        event,
        TicketEvent::Info | TicketEvent::ReplySent | TicketEvent::Close
    )
}

/// The roles of the URP side: the same who may forward and reply.
pub(crate) const URP_SIDE: &[Role] = &[
    Role::Moderatore,
    Role::OperatoreUrp,
    Role::Redattore,
    Role::Dirigente,
];

/// A ticket as the desk shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ticket {
    pub id: TicketId,
    pub number: String,
    pub office: String,
    pub office_id: Option<OfficeId>,
    pub comment_id: Option<CommentId>,
    pub account_id: Option<AccountId>,
    pub account: Option<String>,
    pub platform: Option<String>,
    /// What the citizen wrote (none once retention purged it). Never the
    /// author.
    pub comment_text: Option<String>,
    pub comment_at: Option<i64>,
    pub state: TicketState,
    /// The reply for the citizen drafted from the office's answer.
    pub draft_reply: Option<String>,
    /// The reply action that sent it.
    pub reply_action_id: Option<ActionId>,
    pub created_at: i64,
    pub updated_at: i64,
    pub closed_at: Option<i64>,
    /// Moves with every step: a step taken on an older version is a
    /// conflict.
    pub version: i64,
    /// The history, oldest first (only from [`Desk::ticket`]).
    pub messages: Vec<TicketMessage>,
}

/// One step of a ticket's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TicketMessage {
    pub event: TicketEvent,
    pub author: Option<String>,
    pub author_name: Option<String>,
    pub body: Option<String>,
    pub state_after: TicketState,
    pub created_at: i64,
}

/// Which tickets to list.
#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    pub office: Option<OfficeId>,
    pub states: Vec<TicketState>,
    pub comment_id: Option<CommentId>,
}

const TICKET_COLUMNS: &str = "t.id, t.number, t.office, t.office_id, t.comment_id, c.account_id, a.name, a.platform, c.text, c.created_at, t.status, t.draft_reply, t.reply_action_id, t.created_at, COALESCE(t.updated_at, t.created_at), t.closed_at, t.version";

const TICKET_FROM: &str = "FROM tickets t LEFT JOIN comments c ON c.id = t.comment_id LEFT JOIN accounts a ON a.id = c.account_id";

fn ticket_from(r: &piazza_store::Row) -> Result<Ticket> {
    Ok(Ticket {
        id: TicketId(r.int(0)?),
        number: r.text(1)?,
        office: r.text(2)?,
        office_id: r.opt_int(3)?.map(OfficeId),
        comment_id: r.opt_int(4)?.map(CommentId),
        account_id: r.opt_int(5)?.map(AccountId),
        account: r.opt_text(6)?,
        platform: r.opt_text(7)?,
        comment_text: r.opt_text(8)?,
        comment_at: r.opt_int(9)?,
        state: r.text(10)?.parse()?,
        draft_reply: r.opt_text(11)?,
        reply_action_id: r.opt_int(12)?.map(ActionId),
        created_at: r.int(13)?,
        updated_at: r.int(14)?,
        closed_at: r.opt_int(15)?,
        version: r.int(16)?,
        messages: Vec::new(),
    })
}

/// What a person may do with tickets, read once per call.
struct Standing {
    office: Option<OfficeId>,
    urp: bool,
    all_accounts: bool,
    accounts: Vec<AccountId>,
    reader: bool,
}

impl Standing {
    fn of(tx: &mut Tx<'_>, actor: &Actor, now: i64) -> Result<Standing> {
        let office = office_of(tx, actor)?;
        let urp = actor.has_any(URP_SIDE);
        let accounts = if urp && !actor.has(Role::Dirigente) {
            tx.query(
                "SELECT account_id FROM assignments WHERE admin_id = ? AND staff_id = ? AND starts_at <= ? AND (ends_at IS NULL OR ends_at > ?)",
                &[actor.admin_id.into(), actor.staff_id.into(), now.into(), now.into()],
            )?
            .iter()
            .filter_map(|r| r.int(0).ok().map(AccountId))
            .collect()
        } else {
            Vec::new()
        };
        Ok(Standing {
            office,
            urp,
            all_accounts: actor.has(Role::Dirigente),
            accounts,
            reader: actor.has(Role::Auditor),
        })
    }

    /// The ticket's office's own staff.
    fn is_office(&self, t: &Ticket) -> bool {
        self.office.is_some() && self.office == t.office_id
    }

    /// The URP side, on the comment's account.
    fn is_urp(&self, t: &Ticket) -> bool {
        self.urp && (self.all_accounts || t.account_id.is_some_and(|a| self.accounts.contains(&a)))
    }

    fn sees(&self, t: &Ticket) -> bool {
        self.reader || self.is_office(t) || self.is_urp(t)
    }
}

fn load(tx: &mut Tx<'_>, admin_id: AdminId, id: TicketId) -> Result<Ticket> {
    let row = tx
        .query_opt(
            &format!("SELECT {TICKET_COLUMNS} {TICKET_FROM} WHERE t.admin_id = ? AND t.id = ?"),
            &[admin_id.into(), id.into()],
        )?
        .ok_or(DeskError::NotFound {
            what: "ticket",
            id: id.to_string(),
        })?;
    ticket_from(&row)
}

fn office_mail_target(
    tx: &mut Tx<'_>,
    office: Option<OfficeId>,
) -> Result<Option<(OfficeId, String, bool)>> {
    let Some(office) = office else {
        return Ok(None);
    };
    let row = tx.query_opt(
        "SELECT email, digest FROM offices WHERE id = ? AND active = 1",
        &[office.into()],
    )?;
    match row {
        Some(r) => match r.opt_text(0)? {
            Some(email) => Ok(Some((office, email, r.bool(1)?))),
            None => Ok(None),
        },
        None => Ok(None),
    }
}

const SIGNATURE: &str = "\n\n-- \nPiazza, scrivania dei social dell'ente (messaggio automatico: non rispondere a questa e-mail)";
const NO_TEXT: &str = "Il testo del commento e i dati di chi l'ha scritto non sono riportati nelle e-mail: si leggono nella scrivania di Piazza, dopo l'accesso.";

/// The notification a step sends, if anyone is to be told: the office
/// when work reaches it, the URP when the office answers or asks.
fn notify(
    tx: &mut Tx<'_>,
    admin_id: AdminId,
    t: &Ticket,
    event: TicketEvent,
    now: i64,
) -> Result<()> {
    let addr = mail::addresses(tx, admin_id)?;
    let ticket_link = format!("{}/desk/ticket/{}", addr.desk_url, t.id);
    let where_from = match (&t.account, &t.platform) {
        (Some(a), Some(p)) => format!(", arrivata sull'account «{a}» ({p})"),
        _ => String::new(),
    };
    let (number, office) = (&t.number, &t.office);
    match event {
        TicketEvent::Forwarded | TicketEvent::Info => {
            let Some((office_id, email, digest)) = office_mail_target(tx, t.office_id)? else {
                return Ok(());
            };
            let (subject, lead) = if event == TicketEvent::Forwarded {
                (
                    format!("[Piazza] Segnalazione {number} inoltrata a {office}"),
                    format!(
                        "l'URP ha inoltrato all'ufficio «{office}» la segnalazione {number}{where_from}."
                    ),
                )
            } else {
                (
                    format!(
                        "[Piazza] L'URP ha risposto alla vostra domanda sulla segnalazione {number}"
                    ),
                    format!(
                        "l'URP ha risposto alla domanda dell'ufficio «{office}» sulla segnalazione {number}."
                    ),
                )
            };
            mail::enqueue(
                tx,
                &NewMail {
                    admin_id,
                    office_id: Some(office_id),
                    ticket_id: Some(t.id),
                    recipient: &email,
                    subject,
                    body: format!(
                        "Buongiorno,\n\n{lead}\n\nPer leggerla e rispondere: {ticket_link}\n\n{NO_TEXT}{SIGNATURE}"
                    ),
                    held: digest,
                },
                now,
            )?;
        }
        TicketEvent::Question | TicketEvent::Answer => {
            // The URP's mailbox; else whoever forwarded the comment.
            let recipient = match addr.urp {
                Some(u) => Some(u),
                None => tx
                    .query_opt(
                        "SELECT s.email FROM tickets t JOIN actions x ON x.id = t.action_id JOIN staff s ON s.id = x.actor_id WHERE t.id = ?",
                        &[t.id.into()],
                    )?
                    .map(|r| r.opt_text(0))
                    .transpose()?
                    .flatten(),
            };
            let Some(recipient) = recipient else {
                return Ok(());
            };
            let (subject, lead, link) = if event == TicketEvent::Question {
                (
                    format!(
                        "[Piazza] L'ufficio {office} chiede informazioni sulla segnalazione {number}"
                    ),
                    format!(
                        "l'ufficio «{office}» chiede all'URP altre informazioni sulla segnalazione {number}."
                    ),
                    ticket_link,
                )
            } else {
                (
                    format!("[Piazza] L'ufficio {office} ha risposto alla segnalazione {number}"),
                    format!(
                        "l'ufficio «{office}» ha risposto alla segnalazione {number}: la bozza di risposta al cittadino attende la vostra revisione."
                    ),
                    match t.comment_id {
                        Some(c) => format!("{}/desk/commenti/{c}", addr.desk_url),
                        None => ticket_link,
                    },
                )
            };
            mail::enqueue(
                tx,
                &NewMail {
                    admin_id,
                    office_id: t.office_id,
                    ticket_id: Some(t.id),
                    recipient: &recipient,
                    subject,
                    body: format!(
                        "Buongiorno,\n\n{lead}\n\nPer leggerla: {link}\n\n{NO_TEXT}{SIGNATURE}"
                    ),
                    held: false,
                },
                now,
            )?;
        }
        TicketEvent::Close | TicketEvent::ReplySent => {}
    }
    Ok(())
}

/// Opens the ticket of a forward, in the forward's transaction: its
/// number, its office (a registered one once offices exist), the first
/// message of its history (the forwarder's note) and the office's mail.
#[allow(clippy::too_many_arguments)]
pub(crate) fn open(
    tx: &mut Tx<'_>,
    ctx: &AdminContext,
    actor: &Actor,
    comment_id: CommentId,
    action_id: ActionId,
    office: &str,
    note: Option<&str>,
    number: &str,
    now: i64,
) -> Result<(TicketId, String)> {
    let registered = resolve_office(tx, ctx.admin_id, office)?;
    let (office_id, name) = match &registered {
        Some(o) => (Some(o.id), o.name.clone()),
        None => (None, office.trim().to_string()),
    };
    let id = TicketId(tx.insert(
        "INSERT INTO tickets (admin_id, number, office, office_id, comment_id, action_id, status, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0) RETURNING id",
        &[ctx.admin_id.into(), number.into(), (&name).into(), office_id.into(), comment_id.into(), action_id.into(), TicketState::Open.into(), now.into(), now.into()],
    )?);
    insert_message(
        tx,
        ctx.admin_id,
        id,
        TicketEvent::Forwarded,
        actor,
        note,
        TicketState::Open,
        now,
    )?;
    let t = load(tx, ctx.admin_id, id)?;
    notify(tx, ctx.admin_id, &t, TicketEvent::Forwarded, now)?;
    Ok((id, name))
}

#[allow(clippy::too_many_arguments)]
fn insert_message(
    tx: &mut Tx<'_>,
    admin_id: AdminId,
    ticket: TicketId,
    event: TicketEvent,
    actor: &Actor,
    body: Option<&str>,
    after: TicketState,
    now: i64,
) -> Result<()> {
    tx.execute(
        "INSERT INTO ticket_messages (admin_id, ticket_id, kind, author_id, body, state_after, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        &[admin_id.into(), ticket.into(), event.into(), actor.staff_id.into(), body.into(), after.into(), now.into()],
    )?;
    Ok(())
}

/// The reply for the citizen drafted from an office's answer: the URP
/// reviews it (and may rewrite it) before it is sent.
fn draft_reply(ctx: &AdminContext, office: &str, answer: &str) -> String {
    format!(
        "Gentile utente, abbiamo chiesto all'ufficio competente ({office}), che ci risponde: {} {}",
        answer.trim(),
        ctx.policy.administration.name
    )
}

impl Desk {
    /// The tickets `actor` may see, newest first: office staff their
    /// office's, the URP side those of its accounts, dirigenti and
    /// auditors all.
    pub fn tickets(&self, actor: &Actor, filter: &TicketFilter) -> Result<Vec<Ticket>> {
        let now = self.now();
        let mut sql = format!("SELECT {TICKET_COLUMNS} {TICKET_FROM} WHERE t.admin_id = ?");
        let mut params: Vec<piazza_store::Value> = vec![actor.admin_id.into()];
        if let Some(o) = filter.office {
            sql.push_str(" AND t.office_id = ?");
            params.push(o.into());
        }
        if let Some(c) = filter.comment_id {
            sql.push_str(" AND t.comment_id = ?");
            params.push(c.into());
        }
        if !filter.states.is_empty() {
            sql.push_str(&format!(
                " AND t.status IN ({})",
                vec!["?"; filter.states.len()].join(", ")
            ));
            params.extend(filter.states.iter().map(|s| (*s).into()));
        }
        sql.push_str(" ORDER BY t.id DESC");
        let (standing, rows) = self.read(|tx| {
            let standing = Standing::of(tx, actor, now)?;
            Ok((standing, tx.query(&sql, &params)?))
        })?;
        if !(standing.reader || standing.urp || standing.office.is_some()) {
            return Err(DeskError::Forbidden(format!(
                "{} non lavora i ticket: serve un ruolo dell'URP, della moderazione o il ruolo «{}» legato a un ufficio",
                actor.username,
                Role::Ufficio.label_it()
            )));
        }
        let mut out = Vec::new();
        for r in &rows {
            let t = ticket_from(r)?;
            if standing.sees(&t) {
                out.push(t);
            }
        }
        Ok(out)
    }

    /// One ticket with its history, if `actor` may see it.
    pub fn ticket(&self, actor: &Actor, id: TicketId) -> Result<Ticket> {
        let now = self.now();
        let (mut t, standing, messages) = self.read(|tx| {
            let t = load(tx, actor.admin_id, id)?;
            let standing = Standing::of(tx, actor, now)?;
            let messages = tx.query(
                "SELECT m.kind, s.username, s.full_name, m.body, m.state_after, m.created_at
                 FROM ticket_messages m LEFT JOIN staff s ON s.id = m.author_id
                 WHERE m.admin_id = ? AND m.ticket_id = ? ORDER BY m.id",
                &[actor.admin_id.into(), id.into()],
            )?;
            Ok((t, standing, messages))
        })?;
        if !standing.sees(&t) {
            // As for a comment out of scope: not even its existence.
            return Err(DeskError::NotFound {
                what: "ticket",
                id: id.to_string(),
            });
        }
        t.messages = messages
            .iter()
            .map(|r| {
                Ok(TicketMessage {
                    event: r.text(0)?.parse()?,
                    author: r.opt_text(1)?,
                    author_name: r.opt_text(2)?,
                    body: r.opt_text(3)?,
                    state_after: r.text(4)?.parse()?,
                    created_at: r.int(5)?,
                })
            })
            .collect::<Result<_>>()?;
        Ok(t)
    }

    /// The ticket with this number.
    pub fn ticket_by_number(&self, actor: &Actor, number: &str) -> Result<Ticket> {
        let id = self.read(|tx| {
            Ok(tx
                .query_opt(
                    "SELECT id FROM tickets WHERE admin_id = ? AND number = ?",
                    &[actor.admin_id.into(), number.trim().into()],
                )?
                .map(|r| r.int(0))
                .transpose()?)
        })?;
        match id {
            Some(id) => self.ticket(actor, TicketId(id)),
            None => Err(DeskError::NotFound {
                what: "ticket",
                id: number.to_string(),
            }),
        }
    }

    /// The office answers: the answer becomes the draft reply for the
    /// citizen, and the URP is told.
    pub fn ticket_answer(
        &self,
        actor: &Actor,
        id: TicketId,
        answer: &str,
        expected_version: Option<i64>,
    ) -> Result<Ticket> {
        self.ticket_step(
            actor,
            id,
            TicketEvent::Answer,
            Some(answer),
            expected_version,
        )
    }

    /// The office asks the URP for more information.
    pub fn ticket_ask(
        &self,
        actor: &Actor,
        id: TicketId,
        question: &str,
        expected_version: Option<i64>,
    ) -> Result<Ticket> {
        self.ticket_step(
            actor,
            id,
            TicketEvent::Question,
            Some(question),
            expected_version,
        )
    }

    /// The URP answers the office's question; the ticket is the office's
    /// again.
    pub fn ticket_inform(
        &self,
        actor: &Actor,
        id: TicketId,
        info: &str,
        expected_version: Option<i64>,
    ) -> Result<Ticket> {
        self.ticket_step(actor, id, TicketEvent::Info, Some(info), expected_version)
    }

    /// Closes a ticket without a reply to the citizen (the office handled
    /// it otherwise, or the URP withdrew it), with an optional note.
    pub fn ticket_close(
        &self,
        actor: &Actor,
        id: TicketId,
        note: Option<&str>,
        expected_version: Option<i64>,
    ) -> Result<Ticket> {
        self.ticket_step(actor, id, TicketEvent::Close, note, expected_version)
    }

    fn ticket_step(
        &self,
        actor: &Actor,
        id: TicketId,
        event: TicketEvent,
        body: Option<&str>,
        expected_version: Option<i64>,
    ) -> Result<Ticket> {
        let body = body.map(str::trim).filter(|b| !b.is_empty());
        if body.is_none() && event != TicketEvent::Close {
            return Err(DeskError::InvalidInput(format!(
                "scrivi il testo ({})",
                event.label_it()
            )));
        }
        let ctx = self.context(actor.admin_id)?;
        let now = self.now();
        self.write(|tx| {
            tx.lock_administration(actor.admin_id.0)?;
            let t = load(tx, actor.admin_id, id)?;
            self.advance(
                tx,
                &ctx,
                actor,
                &t,
                event,
                body,
                None,
                expected_version,
                now,
            )
        })?;
        self.ticket(actor, id)
    }

    /// The URP sends the citizen the reply drafted from the office's
    /// answer (`text` replaces the draft when given): a `reply` action on
    /// the comment, queued for the platform like any other, and the ticket
    /// closed with it, in one transaction.
    pub fn ticket_send_reply(
        &self,
        actor: &Actor,
        id: TicketId,
        text: Option<&str>,
        expected_version: Option<i64>,
    ) -> Result<ActionOutcome> {
        let ctx = self.context(actor.admin_id)?;
        let now = self.now();
        let out = self.write(|tx| {
            // The comment the reply is written on, then the administration
            // (the order of every writer: `Tx::lock_administration`).
            if let Some(comment) = load(tx, actor.admin_id, id)?.comment_id {
                tx.lock_comment(comment.0)?;
            }
            tx.lock_administration(actor.admin_id.0)?;
            let t = load(tx, actor.admin_id, id)?;
            if t.state.after(TicketEvent::ReplySent).is_none() {
                return Err(refused(&t, TicketEvent::ReplySent));
            }
            let comment_id = t.comment_id.ok_or_else(|| {
                DeskError::InvalidInput("il ticket non ha più il suo commento".into())
            })?;
            let text = text
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .map(String::from)
                .or_else(|| t.draft_reply.clone())
                .ok_or_else(|| DeskError::InvalidInput("la risposta è vuota".into()))?;
            // Admission (roles, scope, platform) is the reply path's own.
            self.check_standing(tx, actor, &t, TicketEvent::ReplySent, now)?;
            let req = ActRequest {
                template: Some("risposta".into()),
                reply_text: Some(text),
                reason: Some(format!("risposta dall'ufficio, ticket {}", t.number)),
                ..ActRequest::new(comment_id, ActionKind::Reply)
            };
            let out = self.apply(tx, &ctx, actor, &req, None, now)?;
            self.advance(
                tx,
                &ctx,
                actor,
                &t,
                TicketEvent::ReplySent,
                out.reply_text.as_deref(),
                Some(out.action_id),
                expected_version,
                now,
            )?;
            Ok(out)
        })?;
        let mut out = out;
        // As `act` shows them: what the reply asks of the platform.
        out.platform_steps = self.outbox(
            actor.admin_id,
            &crate::OutboxFilter {
                action_id: Some(out.action_id),
                limit: 100,
                ..Default::default()
            },
        )?;
        Ok(out)
    }

    fn check_standing(
        &self,
        tx: &mut Tx<'_>,
        actor: &Actor,
        t: &Ticket,
        event: TicketEvent,
        now: i64,
    ) -> Result<()> {
        let s = Standing::of(tx, actor, now)?;
        if (office_step(event) && s.is_office(t)) || (urp_step(event) && s.is_urp(t)) {
            return Ok(());
        }
        if !s.sees(t) {
            return Err(DeskError::NotFound {
                what: "ticket",
                id: t.id.to_string(),
            });
        }
        let who = match (office_step(event), urp_step(event)) {
            (true, true) => format!("all'ufficio «{}» o all'URP", t.office),
            (true, false) => format!("all'ufficio «{}»", t.office),
            _ => "all'URP (a chi può rispondere sull'account)".to_string(),
        };
        Err(DeskError::Forbidden(format!(
            "il passo «{}» spetta {who}",
            event.label_it()
        )))
    }

    /// One step, in the caller's transaction: who may take it, whether the
    /// workflow allows it, the new state (against the version read), the
    /// message, the audit entry, the notification.
    #[allow(clippy::too_many_arguments)]
    fn advance(
        &self,
        tx: &mut Tx<'_>,
        ctx: &AdminContext,
        actor: &Actor,
        t: &Ticket,
        event: TicketEvent,
        body: Option<&str>,
        reply_action: Option<ActionId>,
        expected_version: Option<i64>,
        now: i64,
    ) -> Result<TicketState> {
        self.check_standing(tx, actor, t, event, now)?;
        if let Some(v) = expected_version
            && v != t.version
        {
            return Err(DeskError::Conflict {
                expected: v,
                found: t.version,
            });
        }
        let next = t.state.after(event).ok_or_else(|| refused(t, event))?;
        let draft = match (event, body) {
            (TicketEvent::Answer, Some(answer)) => Some(draft_reply(ctx, &t.office, answer)),
            _ => t.draft_reply.clone(),
        };
        let n = tx.execute(
            "UPDATE tickets SET status = ?, draft_reply = ?, reply_action_id = COALESCE(?, reply_action_id), updated_at = ?,
                    closed_at = CASE WHEN ? = 'closed' THEN ? ELSE closed_at END, version = version + 1
             WHERE admin_id = ? AND id = ? AND version = ?",
            &[next.into(), draft.into(), reply_action.into(), now.into(), next.into(), now.into(), ctx.admin_id.into(), t.id.into(), t.version.into()],
        )?;
        if n == 0 {
            return Err(DeskError::Conflict {
                expected: t.version,
                found: t.version + 1,
            });
        }
        insert_message(tx, ctx.admin_id, t.id, event, actor, body, next, now)?;
        let kind = match event {
            TicketEvent::Question => AuditKind::TicketQuestion,
            TicketEvent::Info => AuditKind::TicketInfo,
            TicketEvent::Answer => AuditKind::TicketAnswer,
            TicketEvent::ReplySent => AuditKind::TicketReply,
            TicketEvent::Close | TicketEvent::Forwarded => AuditKind::TicketClose,
        };
        record(
            tx,
            ctx.admin_id,
            now,
            &entry(actor.audit_name(), kind, AuditTarget::Ticket, t.id).payload(
                serde_json::json!({
                    "number": t.number,
                    "office": t.office,
                    "from": t.state,
                    "to": next,
                    "comment": t.comment_id,
                    "reply_action": reply_action,
                }),
            ),
        )?;
        notify(tx, ctx.admin_id, t, event, now)?;
        Ok(next)
    }
}

fn refused(t: &Ticket, event: TicketEvent) -> DeskError {
    DeskError::InvalidInput(format!(
        "il ticket {} è «{}»: il passo «{}» non è possibile",
        t.number,
        t.state.label_it(),
        event.label_it()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workflow_allows_only_its_arrows() {
        use TicketEvent as E;
        use TicketState as S;
        let allowed: Vec<(S, E, S)> = S::ALL
            .iter()
            .flat_map(|s| E::ALL.iter().map(move |e| (*s, *e)))
            .filter_map(|(s, e)| s.after(e).map(|n| (s, e, n)))
            .collect();
        assert_eq!(
            allowed,
            vec![
                (S::Open, E::Question, S::InfoRequested),
                (S::Open, E::Answer, S::Answered),
                (S::Open, E::Close, S::Closed),
                (S::InfoRequested, E::Info, S::Open),
                (S::InfoRequested, E::Close, S::Closed),
                (S::Answered, E::Answer, S::Answered),
                (S::Answered, E::Close, S::Closed),
                (S::Answered, E::ReplySent, S::Closed),
            ]
        );
        assert!(S::Closed.after(E::Answer).is_none(), "closed is final");
    }

    #[test]
    fn only_the_office_answers_and_asks_only_the_urp_informs_and_replies() {
        assert!(office_step(TicketEvent::Answer) && !urp_step(TicketEvent::Answer));
        assert!(office_step(TicketEvent::Question) && !urp_step(TicketEvent::Question));
        assert!(urp_step(TicketEvent::Info) && !office_step(TicketEvent::Info));
        assert!(urp_step(TicketEvent::ReplySent) && !office_step(TicketEvent::ReplySent));
        assert!(urp_step(TicketEvent::Close) && office_step(TicketEvent::Close));
        assert!(!urp_step(TicketEvent::Forwarded) && !office_step(TicketEvent::Forwarded));
    }
}
