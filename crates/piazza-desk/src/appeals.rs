//! Requests to review a decision (riesame). Every statement of reasons
//! promises that "la richiesta sarà esaminata da una persona diversa da chi
//! ha deciso"; this module keeps the promise.
//!
//! A request arrives from the public page (the citizen gives the decision's
//! reference and the date of the comment, both printed in the statement) or
//! is recorded by an operator when it came by e-mail, as a reply or as a
//! private message. Each decision can be appealed once; the request gets a
//! term (`moderation.appeal_days`, 30 days by default) and waits in the
//! appeals queue. Whoever took or confirmed the decision cannot decide its
//! appeal, and cannot undo it on their own either: while they could, the
//! appeal would be a formality (see `actions::admit`).
//!
//! The outcome is recorded with its reasons and, where the platform allows
//! a private message, sent back to the author through the outbox. A
//! reversed hide makes the comment visible again, a reversed ban is lifted;
//! a removed comment cannot be restored on the platform, and the outcome
//! says so instead of promising it.

use piazza_platforms::Operation;
use piazza_store::Tx;
use serde::Serialize;

use crate::actions::{ActRequest, ActionKind, date_it, load_comment};
use crate::audit_log::{AuditKind, AuditTarget, entry, record};
use crate::context::AdminContext;
use crate::ids::{AccountId, ActionId, AdminId, AppealId, CommentId, MailId, StaffId};
use crate::outbox::{Step, enqueue};
use crate::registry::{Actor, Role};
use crate::{Desk, DeskError, Result};

closed_set! {
    /// How a request for review reached the administration.
    pub enum AppealChannel ("canale della richiesta di riesame") {
        /// The public page of the administration, filled in by the author.
        WebForm = "web_form" => "modulo della pagina pubblica",
        Email = "email" => "e-mail",
        /// A public reply on the platform.
        PlatformReply = "platform_reply" => "risposta sulla piattaforma",
        PrivateMessage = "private_message" => "messaggio privato",
        Other = "other" => "altro canale",
    }
}

closed_set! {
    /// Where a request for review stands.
    pub enum AppealState ("stato del riesame") {
        Open = "open" => "da decidere",
        /// The decision stands.
        Upheld = "upheld" => "decisione confermata",
        /// The decision was withdrawn.
        Reversed = "reversed" => "decisione annullata",
    }
}

closed_set! {
    /// What the reviewer decides.
    pub enum AppealOutcome ("esito del riesame") {
        Uphold = "uphold" => "conferma la decisione",
        Reverse = "reverse" => "annulla la decisione",
    }
}

/// The longest reasons a request may carry (a page of text).
pub const MAX_GROUNDS_CHARS: usize = 4000;

/// A request for review as it arrives.
#[derive(Debug, Clone)]
pub struct AppealFiling {
    /// The decision's reference (the number in the statement of reasons).
    pub reference: ActionId,
    pub channel: AppealChannel,
    /// Why the author objects, in their words.
    pub grounds: String,
    /// The day the comment was written, as the statement prints it: the
    /// public form asks for it so that a reference alone (a sequential
    /// number) is not enough to appeal someone else's decision.
    pub comment_day: Option<piazza_calendar::jiff::civil::Date>,
    /// An e-mail address for the outcome, where the author gave one.
    pub reply_to: Option<String>,
}

/// What the author is told once the request is recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AppealReceipt {
    pub id: AppealId,
    pub reference: ActionId,
    pub received_at: i64,
    pub due_at: i64,
    /// The decision had already been appealed: nothing new was recorded.
    pub already_filed: bool,
    pub state: AppealState,
}

/// A request for review, as the desk shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Appeal {
    pub id: AppealId,
    pub reference: ActionId,
    pub decision: ActionKind,
    /// Who took the decision (and who confirmed it, for a removal).
    pub decided_by: Option<String>,
    pub confirmed_by: Option<String>,
    pub comment_id: Option<CommentId>,
    pub account_id: Option<AccountId>,
    pub account: Option<String>,
    pub platform: Option<String>,
    pub channel: AppealChannel,
    pub grounds: Option<String>,
    pub reply_to: Option<String>,
    pub recorded_by: Option<String>,
    pub state: AppealState,
    pub received_at: i64,
    pub due_at: i64,
    pub reviewer: Option<String>,
    pub reviewed_at: Option<i64>,
    pub outcome_reason: Option<String>,
    pub outcome_action_id: Option<ActionId>,
    /// The e-mail with the outcome, when the author gave an address.
    pub outcome_mail_id: Option<MailId>,
}

impl Appeal {
    /// Still open past its term.
    pub fn overdue(&self, now: i64) -> bool {
        self.state == AppealState::Open && now > self.due_at
    }
}

/// The decisions a citizen can ask to review: those that restrict them.
const APPEALABLE: &str = "('hide', 'remove', 'warn', 'ban', 'report')";

/// Roles that record requests that arrived outside the public page.
const RECORDERS: &[Role] = &[
    Role::Moderatore,
    Role::OperatoreUrp,
    Role::Redattore,
    Role::Dirigente,
];

/// Roles that decide appeals: those that take restrictive decisions.
const REVIEWERS: &[Role] = &[Role::Moderatore, Role::Dirigente];

/// Roles that read the appeals queue.
const READERS: &[Role] = &[
    Role::Moderatore,
    Role::OperatoreUrp,
    Role::Redattore,
    Role::Dirigente,
    Role::Auditor,
];

const SELECT: &str = "SELECT p.id, p.action_id, x.kind, s1.username, s2.username, p.comment_id, c.account_id, a.name, a.platform,
        p.channel, p.grounds, p.reply_to, s3.username, p.state, p.received_at, p.due_at, s4.username, p.decided_at, p.outcome_reason, p.outcome_action_id, p.outcome_mail_id
     FROM appeals p
     JOIN actions x ON x.id = p.action_id
     LEFT JOIN staff s1 ON s1.id = x.actor_id
     LEFT JOIN staff s2 ON s2.id = x.confirmed_by
     LEFT JOIN comments c ON c.id = p.comment_id
     LEFT JOIN accounts a ON a.id = c.account_id
     LEFT JOIN staff s3 ON s3.id = p.recorded_by
     LEFT JOIN staff s4 ON s4.id = p.decided_by";

fn appeal_of(r: &piazza_store::Row) -> Result<Appeal> {
    Ok(Appeal {
        id: AppealId(r.int(0)?),
        reference: ActionId(r.int(1)?),
        decision: r.text(2)?.parse()?,
        decided_by: r.opt_text(3)?,
        confirmed_by: r.opt_text(4)?,
        comment_id: r.opt_int(5)?.map(CommentId),
        account_id: r.opt_int(6)?.map(AccountId),
        account: r.opt_text(7)?,
        platform: r.opt_text(8)?,
        channel: r.text(9)?.parse()?,
        grounds: r.opt_text(10)?,
        reply_to: r.opt_text(11)?,
        recorded_by: r.opt_text(12)?,
        state: r.text(13)?.parse()?,
        received_at: r.int(14)?,
        due_at: r.int(15)?,
        reviewer: r.opt_text(16)?,
        reviewed_at: r.opt_int(17)?,
        outcome_reason: r.opt_text(18)?,
        outcome_action_id: r.opt_int(19)?.map(ActionId),
        outcome_mail_id: r.opt_int(20)?.map(MailId),
    })
}

/// The same words whether the reference does not exist, is not a decision
/// that can be appealed or does not match the date: a stranger learns
/// nothing by trying numbers.
fn no_such_decision() -> DeskError {
    DeskError::NotFound {
        what: "decisione con questo riferimento e questa data",
        id: String::new(),
    }
}

fn checked_grounds(grounds: &str) -> Result<String> {
    let g = grounds.trim();
    if g.is_empty() {
        return Err(DeskError::InvalidInput(
            "scrivi perché chiedi il riesame: la persona che lo esamina deve conoscere le tue ragioni"
                .into(),
        ));
    }
    if g.chars().count() > MAX_GROUNDS_CHARS {
        return Err(DeskError::InvalidInput(format!(
            "le ragioni del riesame superano {MAX_GROUNDS_CHARS} caratteri"
        )));
    }
    Ok(g.to_string())
}

pub(crate) fn checked_reply_to(reply_to: Option<&str>) -> Result<Option<String>> {
    let Some(e) = reply_to.map(str::trim).filter(|e| !e.is_empty()) else {
        return Ok(None);
    };
    let valid = e.len() <= 254
        && !e.contains(char::is_whitespace)
        && e.split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.starts_with('.'));
    if valid {
        Ok(Some(e.to_string()))
    } else {
        Err(DeskError::InvalidInput(format!(
            "«{e}» non è un indirizzo e-mail valido"
        )))
    }
}

/// The date of a comment in the statement's form (dd/mm/yyyy) against the
/// day the author gives.
fn same_day(created_at: i64, day: piazza_calendar::jiff::civil::Date) -> bool {
    date_it(created_at) == format!("{:02}/{:02}/{}", day.day(), day.month(), day.year())
}

impl Desk {
    /// Records a request for review. From the public page (`recorded_by`
    /// `None`) the channel must be the web form and the comment's day must
    /// match; an operator records requests that came by other channels.
    /// A decision appealed before gets the existing request back.
    pub fn file_appeal(
        &self,
        admin_id: AdminId,
        recorded_by: Option<&Actor>,
        filing: &AppealFiling,
    ) -> Result<AppealReceipt> {
        if let Some(actor) = recorded_by {
            actor.require(RECORDERS, "registrare una richiesta di riesame")?;
            if actor.admin_id != admin_id {
                return Err(DeskError::Forbidden(
                    "la richiesta riguarda un'altra amministrazione".into(),
                ));
            }
            if filing.channel == AppealChannel::WebForm {
                return Err(DeskError::InvalidInput(
                    "il modulo pubblico è compilato dall'autore: indica il canale da cui è arrivata la richiesta".into(),
                ));
            }
        } else if filing.channel != AppealChannel::WebForm || filing.comment_day.is_none() {
            return Err(DeskError::InvalidInput(
                "dal modulo pubblico servono il riferimento della decisione e la data del commento"
                    .into(),
            ));
        }
        let grounds = checked_grounds(&filing.grounds)?;
        let reply_to = checked_reply_to(filing.reply_to.as_deref())?;
        let ctx = self.context(admin_id)?;
        let now = self.now();
        self.write(|tx| {
            tx.lock_administration(admin_id.0)?;
            let decision = tx
                .query_opt(
                    &format!(
                        "SELECT x.comment_id, c.created_at, c.account_id FROM actions x LEFT JOIN comments c ON c.id = x.comment_id
                         WHERE x.admin_id = ? AND x.id = ? AND x.status = 'done' AND x.comment_id IS NOT NULL AND x.kind IN {APPEALABLE}"
                    ),
                    &[admin_id.into(), filing.reference.into()],
                )?
                .ok_or_else(no_such_decision)?;
            let comment_id = CommentId(decision.int(0)?);
            let created_at = decision.opt_int(1)?.unwrap_or(0);
            let account_id = decision.opt_int(2)?.map(AccountId);
            // An unknown date (rows from before arrival times were kept) is
            // not printed in the statement: the author cannot give it.
            if let Some(day) = filing.comment_day
                && created_at > 0
                && !same_day(created_at, day)
            {
                return Err(no_such_decision());
            }
            if let (Some(actor), Some(account)) = (recorded_by, account_id) {
                crate::registry::require_assigned(tx, actor, account, now)?;
            }
            if let Some(r) = tx.query_opt(
                "SELECT id, received_at, due_at, state FROM appeals WHERE admin_id = ? AND action_id = ?",
                &[admin_id.into(), filing.reference.into()],
            )? {
                return Ok(AppealReceipt {
                    id: AppealId(r.int(0)?),
                    reference: filing.reference,
                    received_at: r.int(1)?,
                    due_at: r.int(2)?,
                    already_filed: true,
                    state: r.text(3)?.parse()?,
                });
            }
            let due_at = now + i64::from(ctx.policy.moderation.appeal_days) * 86_400_000;
            let id = AppealId(tx.insert(
                "INSERT INTO appeals (admin_id, action_id, comment_id, channel, grounds, reply_to, recorded_by, state, received_at, due_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?) RETURNING id",
                &[
                    admin_id.into(),
                    filing.reference.into(),
                    comment_id.into(),
                    filing.channel.into(),
                    grounds.into(),
                    reply_to.into(),
                    recorded_by.map(|a| a.staff_id).into(),
                    now.into(),
                    due_at.into(),
                ],
            )?);
            let actor = recorded_by.map_or_else(|| "public".to_string(), Actor::audit_name);
            record(
                tx,
                admin_id,
                now,
                &entry(actor, AuditKind::AppealFile, AuditTarget::Appeal, id).payload(
                    serde_json::json!({
                        "action_id": filing.reference,
                        "comment_id": comment_id,
                        "channel": filing.channel,
                        "due_at": due_at,
                    }),
                ),
            )?;
            Ok(AppealReceipt {
                id,
                reference: filing.reference,
                received_at: now,
                due_at,
                already_filed: false,
                state: AppealState::Open,
            })
        })
    }

    /// The appeals queue, oldest term first; `state` narrows it. Staff who
    /// are not Dirigente or auditors see the accounts assigned to them.
    pub fn appeals(&self, actor: &Actor, state: Option<AppealState>) -> Result<Vec<Appeal>> {
        actor.require(READERS, "leggere le richieste di riesame")?;
        let now = self.now();
        let all_accounts = actor.has_any(&[Role::Dirigente, Role::Auditor]);
        self.read(|tx| {
            let mut sql = format!("{SELECT} WHERE p.admin_id = ?");
            let mut params: Vec<piazza_store::Value> = vec![actor.admin_id.into()];
            if let Some(s) = state {
                sql.push_str(" AND p.state = ?");
                params.push(s.into());
            }
            if !all_accounts {
                sql.push_str(
                    " AND c.account_id IN (SELECT account_id FROM assignments WHERE admin_id = ? AND staff_id = ? AND starts_at <= ? AND (ends_at IS NULL OR ends_at > ?))",
                );
                params.extend([
                    actor.admin_id.into(),
                    actor.staff_id.into(),
                    now.into(),
                    now.into(),
                ]);
            }
            sql.push_str(" ORDER BY CASE WHEN p.state = 'open' THEN 0 ELSE 1 END, p.due_at, p.id");
            tx.query(&sql, &params)?.iter().map(appeal_of).collect()
        })
    }

    /// One request for review.
    pub fn appeal(&self, actor: &Actor, id: AppealId) -> Result<Appeal> {
        actor.require(READERS, "leggere le richieste di riesame")?;
        let appeal = self.read(|tx| load_appeal(tx, actor.admin_id, id))?;
        if let Some(account) = appeal.account_id
            && !actor.has_any(&[Role::Dirigente, Role::Auditor])
        {
            self.require_scope(actor, account)?;
        }
        Ok(appeal)
    }

    /// Decides a request for review. The person who took or confirmed the
    /// decision cannot; the reasons are required and go to the author with
    /// the outcome. Reversing a hide makes the comment visible again (its
    /// own action, cited as the appeal's outcome), reversing a ban lifts
    /// it. All in one transaction with the audit entry and the outbox.
    pub fn decide_appeal(
        &self,
        actor: &Actor,
        id: AppealId,
        outcome: AppealOutcome,
        reason: &str,
    ) -> Result<Appeal> {
        actor.require(REVIEWERS, "decidere una richiesta di riesame")?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(DeskError::InvalidInput(
                "scrivi le ragioni dell'esito: l'autore le riceve con la risposta".into(),
            ));
        }
        let ctx = self.context(actor.admin_id)?;
        let now = self.now();
        self.write(|tx| {
            // The comment a reversal writes, then the administration (the
            // order of every writer: `Tx::lock_administration`).
            if let Some(comment) = load_appeal(tx, actor.admin_id, id)?.comment_id {
                tx.lock_comment(comment.0)?;
            }
            tx.lock_administration(actor.admin_id.0)?;
            let appeal = load_appeal(tx, actor.admin_id, id)?;
            if appeal.state != AppealState::Open {
                return Err(DeskError::InvalidInput(format!(
                    "la richiesta di riesame n. {id} è già stata decisa ({})",
                    appeal.state.label_it()
                )));
            }
            let deciders = decision_makers(tx, appeal.reference)?;
            if deciders.contains(&actor.staff_id) {
                return Err(DeskError::Forbidden(format!(
                    "hai preso o confermato tu la decisione n. {}: il riesame deve essere deciso da una persona diversa",
                    appeal.reference
                )));
            }
            if let Some(account) = appeal.account_id {
                crate::registry::require_assigned(tx, actor, account, now)?;
            }
            let state = match outcome {
                AppealOutcome::Uphold => AppealState::Upheld,
                AppealOutcome::Reverse => AppealState::Reversed,
            };
            // Closed before the reversal acts, so that the unhide below is
            // not refused for the appeal that is open on the decision.
            tx.execute(
                "UPDATE appeals SET state = ?, decided_by = ?, decided_at = ?, outcome_reason = ? WHERE id = ?",
                &[state.into(), actor.staff_id.into(), now.into(), reason.into(), id.into()],
            )?;
            let (outcome_action, effect) = match outcome {
                AppealOutcome::Uphold => (None, Effect::None),
                AppealOutcome::Reverse => self.reverse(tx, &ctx, actor, &appeal, reason, now)?,
            };
            if let Some(a) = outcome_action {
                tx.execute(
                    "UPDATE appeals SET outcome_action_id = ? WHERE id = ?",
                    &[a.into(), id.into()],
                )?;
            }
            let text = outcome_text(&ctx, &appeal, outcome, effect, reason);
            if let Some(comment_id) = appeal.comment_id
                && let Some(c) = load_comment(tx, actor.admin_id, comment_id)?
            {
                enqueue(
                    tx,
                    &c.target(actor.admin_id, appeal.reference, None),
                    &[Step {
                        operation: Operation::PrivateReply,
                        body: Some(text.clone()),
                        after_previous: false,
                    }],
                    now,
                )?;
            }
            // Where the author gave an address, the outcome goes there too:
            // the platform may not carry a private message.
            if let Some(to) = &appeal.reply_to {
                let mail = crate::mail::enqueue(
                    tx,
                    &crate::mail::NewMail {
                        admin_id: actor.admin_id,
                        office_id: None,
                        ticket_id: None,
                        recipient: to,
                        subject: format!(
                            "Esito della richiesta di riesame n. {id} – {}",
                            ctx.policy.administration.name
                        ),
                        body: text.clone(),
                        held: false,
                    },
                    now,
                )?;
                tx.execute(
                    "UPDATE appeals SET outcome_mail_id = ? WHERE id = ?",
                    &[mail.into(), id.into()],
                )?;
            }
            record(
                tx,
                actor.admin_id,
                now,
                &entry(
                    actor.audit_name(),
                    AuditKind::AppealDecide,
                    AuditTarget::Appeal,
                    id,
                )
                .policy_version(&ctx.policy_version)
                .reason(reason)
                .payload(serde_json::json!({
                    "action_id": appeal.reference,
                    "outcome": state,
                    "outcome_action_id": outcome_action,
                })),
            )?;
            load_appeal(tx, actor.admin_id, id)
        })
    }

    /// Undoes the appealed decision where Piazza can.
    fn reverse(
        &self,
        tx: &mut Tx<'_>,
        ctx: &AdminContext,
        actor: &Actor,
        appeal: &Appeal,
        reason: &str,
        now: i64,
    ) -> Result<(Option<ActionId>, Effect)> {
        match appeal.decision {
            ActionKind::Hide => {
                let Some(comment_id) = appeal.comment_id else {
                    return Ok((None, Effect::None));
                };
                let hidden = tx
                    .query_opt(
                        "SELECT 1 FROM comments WHERE id = ? AND visibility = 'hidden'",
                        &[comment_id.into()],
                    )?
                    .is_some();
                if !hidden {
                    return Ok((None, Effect::AlreadyVisible));
                }
                let req = ActRequest {
                    reason: Some(format!("riesame n. {}: {reason}", appeal.id)),
                    ..ActRequest::new(comment_id, ActionKind::Unhide)
                };
                let out = self.apply(tx, ctx, actor, &req, None, now)?;
                Ok((Some(out.action_id), Effect::Visible))
            }
            ActionKind::Ban => {
                let ban = tx.query_opt(
                    "SELECT b.id, b.account_id, b.author_ref, a.platform FROM bans b JOIN accounts a ON a.id = b.account_id WHERE b.action_id = ? AND b.lifted_at IS NULL",
                    &[appeal.reference.into()],
                )?;
                let Some(b) = ban else {
                    return Ok((None, Effect::BanOver));
                };
                let lifted = crate::outbox::LiftedBan {
                    ban_id: b.int(0)?,
                    admin_id: ctx.admin_id,
                    account_id: AccountId(b.int(1)?),
                    author: b.text(2)?,
                    platform: b.text(3)?,
                };
                crate::outbox::lift_ban(
                    tx,
                    &lifted,
                    &actor.audit_name(),
                    serde_json::json!({"account": lifted.account_id, "appeal": appeal.id}),
                    now,
                )?;
                Ok((None, Effect::BanLifted))
            }
            ActionKind::Remove => Ok((None, Effect::RemovedForGood)),
            _ => Ok((None, Effect::None)),
        }
    }
}

/// What reversing did beyond recording the outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effect {
    None,
    Visible,
    AlreadyVisible,
    BanLifted,
    BanOver,
    RemovedForGood,
}

/// The message to the author: the outcome, its reasons, what follows.
fn outcome_text(
    ctx: &AdminContext,
    appeal: &Appeal,
    outcome: AppealOutcome,
    effect: Effect,
    reason: &str,
) -> String {
    let ente = &ctx.policy.administration.name;
    let head = format!(
        "Gentile utente,\nla tua richiesta di riesame della decisione n. {} è stata esaminata da una persona diversa da chi aveva deciso.",
        appeal.reference
    );
    let result = match (outcome, effect) {
        (AppealOutcome::Uphold, _) => "Esito: la decisione è confermata.".to_string(),
        (AppealOutcome::Reverse, Effect::Visible | Effect::AlreadyVisible) => {
            "Esito: la decisione è annullata e il tuo commento è di nuovo visibile.".to_string()
        }
        (AppealOutcome::Reverse, Effect::BanLifted | Effect::BanOver) => {
            "Esito: la decisione è annullata e puoi di nuovo commentare sulla pagina.".to_string()
        }
        (AppealOutcome::Reverse, Effect::RemovedForGood) => {
            "Esito: la decisione è annullata. Il commento era stato cancellato dalla piattaforma e non può essere ripristinato: puoi pubblicarlo di nuovo.".to_string()
        }
        (AppealOutcome::Reverse, Effect::None) => "Esito: la decisione è annullata.".to_string(),
    };
    format!("{head}\n{result}\nMotivazione: {reason}\n\n{ente}")
}

fn load_appeal(tx: &mut Tx<'_>, admin_id: AdminId, id: AppealId) -> Result<Appeal> {
    let r = tx
        .query_opt(
            &format!("{SELECT} WHERE p.admin_id = ? AND p.id = ?"),
            &[admin_id.into(), id.into()],
        )?
        .ok_or_else(|| DeskError::NotFound {
            what: "richiesta di riesame",
            id: id.to_string(),
        })?;
    appeal_of(&r)
}

/// Who took a decision, and who confirmed it (a removal needs two).
pub(crate) fn decision_makers(tx: &mut Tx<'_>, action: ActionId) -> Result<Vec<StaffId>> {
    let r = tx.query_opt(
        "SELECT actor_id, confirmed_by FROM actions WHERE id = ?",
        &[action.into()],
    )?;
    let Some(r) = r else {
        return Ok(Vec::new());
    };
    Ok([r.opt_int(0)?, r.opt_int(1)?]
        .into_iter()
        .flatten()
        .map(StaffId)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_needs_a_local_part_and_a_domain() {
        assert_eq!(
            checked_reply_to(Some(" a@b.it ")).unwrap(),
            Some("a@b.it".into())
        );
        assert_eq!(checked_reply_to(Some("")).unwrap(), None);
        for bad in ["ab.it", "@b.it", "a@b", "a b@c.it", "a@.it"] {
            assert!(checked_reply_to(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn grounds_are_required_and_bounded() {
        assert!(checked_grounds("   ").is_err());
        assert!(checked_grounds(&"x".repeat(MAX_GROUNDS_CHARS + 1)).is_err());
        assert_eq!(
            checked_grounds(" non era un insulto ").unwrap(),
            "non era un insulto"
        );
    }
}
