//! Moderation actions. Every restrictive action cites at least one clause of
//! the policy version in force; the action, its statement of reasons and the
//! audit entry are written in one transaction, with the exact text at
//! decision time kept as evidence.

use piazza_calendar::format_instant;
use piazza_calendar::jiff::Timestamp;
use piazza_policy::{Action, CitationError};
use piazza_store::Tx;
use piazza_store::audit;
use piazza_taxonomy::{Category, Intent};
use serde::{Deserialize, Serialize};

use crate::audit_log::{AuditKind, AuditTarget, entry, record};
use crate::context::AdminContext;
use crate::ids::{AccountId, ActionId, AdminId, CommentId, PostId};
use crate::outbox::{Step, Target, enqueue};
use crate::queue::{CommentState, Resolution, SlaState, Visibility};
use crate::registry::{Actor, Role};
use crate::templates::{
    REDIRECT_TEMPLATES, dsa_category, redirect_template, render_template, review_contact,
};
use crate::{Desk, DeskError, Result};
use piazza_platforms::{Capabilities, Operation, Platform, Support};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Keep,
    Hide,
    Unhide,
    Remove,
    Reply,
    /// Redirect with the policy's contacts: to the URP (template `urp`),
    /// or a crime report to 112 and the police (template `denuncia`).
    Redirect,
    /// Forward to an office: opens a ticket with a number.
    Forward,
    Warn,
    Ban,
    Report,
    Reopen,
    Assign,
    /// A second moderator confirms a pending removal.
    Confirm,
    /// A second moderator rejects a pending removal.
    Reject,
}

impl ActionKind {
    pub const ALL: [ActionKind; 14] = [
        ActionKind::Keep,
        ActionKind::Hide,
        ActionKind::Unhide,
        ActionKind::Remove,
        ActionKind::Reply,
        ActionKind::Redirect,
        ActionKind::Forward,
        ActionKind::Warn,
        ActionKind::Ban,
        ActionKind::Report,
        ActionKind::Reopen,
        ActionKind::Assign,
        ActionKind::Confirm,
        ActionKind::Reject,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            ActionKind::Keep => "keep",
            ActionKind::Hide => "hide",
            ActionKind::Unhide => "unhide",
            ActionKind::Remove => "remove",
            ActionKind::Reply => "reply",
            ActionKind::Redirect => "redirect",
            ActionKind::Forward => "forward",
            ActionKind::Warn => "warn",
            ActionKind::Ban => "ban",
            ActionKind::Report => "report",
            ActionKind::Reopen => "reopen",
            ActionKind::Assign => "assign",
            ActionKind::Confirm => "confirm",
            ActionKind::Reject => "reject",
        }
    }

    pub const fn label_it(self) -> &'static str {
        match self {
            ActionKind::Keep => "mantieni",
            ActionKind::Hide => "nascondi",
            ActionKind::Unhide => "rendi di nuovo visibile",
            ActionKind::Remove => "rimuovi",
            ActionKind::Reply => "rispondi",
            ActionKind::Redirect => "indirizza al canale competente",
            ActionKind::Forward => "inoltra a un ufficio",
            ActionKind::Warn => "avvisa l'autore",
            ActionKind::Ban => "allontana l'autore",
            ActionKind::Report => "segnala alla piattaforma",
            ActionKind::Reopen => "riapri",
            ActionKind::Assign => "assegna",
            ActionKind::Confirm => "conferma la rimozione",
            ActionKind::Reject => "respingi la rimozione",
        }
    }

    /// Restrictive actions limit a citizen's speech or presence: each must
    /// cite a clause and gets a statement of reasons.
    pub const fn is_restrictive(self) -> bool {
        matches!(
            self,
            ActionKind::Hide
                | ActionKind::Remove
                | ActionKind::Warn
                | ActionKind::Ban
                | ActionKind::Report
        )
    }

    /// The platform operation without which the action cannot be carried
    /// out: the desk offers an action only where the account's platform
    /// can do it.
    pub const fn platform_operation(self) -> Option<Operation> {
        match self {
            ActionKind::Hide => Some(Operation::Hide),
            ActionKind::Unhide => Some(Operation::Unhide),
            ActionKind::Remove | ActionKind::Confirm => Some(Operation::Delete),
            ActionKind::Reply | ActionKind::Redirect => Some(Operation::Reply),
            // A warning exists only as a message to the author.
            ActionKind::Warn => Some(Operation::PrivateReply),
            ActionKind::Ban => Some(Operation::Ban),
            ActionKind::Report => Some(Operation::Report),
            _ => None,
        }
    }

    /// Whether the action can be carried out on `platform`, and if not, why
    /// (the capability map's Italian sentence).
    pub fn support_on(self, platform: &str) -> Support {
        match (self.platform_operation(), platform.parse::<Platform>()) {
            (None, _) => Support::Yes,
            (Some(op), Ok(p)) => Capabilities::of(p).support(op),
            (Some(_), Err(_)) => Support::No("piattaforma sconosciuta"),
        }
    }

    /// The policy measure a clause must allow for this action.
    fn policy_measure(self) -> Option<Action> {
        match self {
            ActionKind::Hide => Some(Action::Hide),
            ActionKind::Remove => Some(Action::Remove),
            ActionKind::Ban => Some(Action::Ban),
            ActionKind::Report => Some(Action::ReportToPlatform),
            _ => None,
        }
    }
}

impl std::fmt::Display for ActionKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl std::str::FromStr for ActionKind {
    type Err = DeskError;
    fn from_str(s: &str) -> Result<Self> {
        ActionKind::ALL
            .iter()
            .copied()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                let ids: Vec<&str> = ActionKind::ALL.iter().map(|k| k.as_str()).collect();
                DeskError::InvalidInput(format!(
                    "azione sconosciuta `{s}`; quelle disponibili sono: {}",
                    ids.join(", ")
                ))
            })
    }
}

closed_set! {
    /// Where an action stands.
    pub enum ActionStatus ("stato dell'azione") {
        /// Carried out (in Piazza; its platform steps have their own state).
        Done = "done" => "eseguita",
        /// A removal waiting for a second moderator.
        PendingConfirmation = "pending_confirmation" => "in attesa di conferma",
        /// A removal the second moderator rejected, or a reply the
        /// approver sent back.
        Rejected = "rejected" => "respinta",
        /// A written reply waiting for its approval (policy
        /// `internal.reply_approval`).
        PendingApproval = "pending_approval" => "in attesa di approvazione",
    }
}

/// What a moderator asks the desk to do.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ActRequest {
    pub comment_id: CommentId,
    pub kind: Option<ActionKind>,
    /// Clause numbers of the policy in force.
    #[serde(default)]
    pub clauses: Vec<u32>,
    /// The categories of the violation; derived from the flagged findings
    /// that the cited clauses cover when empty.
    #[serde(default)]
    pub categories: Vec<Category>,
    pub reason: Option<String>,
    /// A reply template id (urp, denuncia, cortesia, fuori_tema,
    /// dati_personali, risposta). For a redirect: `urp` or `denuncia`,
    /// chosen from the comment's intents when not given.
    pub template: Option<String>,
    pub reply_text: Option<String>,
    /// The office a forward goes to.
    pub office: Option<String>,
    /// A temporary ban's length; permanent when `None`.
    pub ban_days: Option<u32>,
    /// Who an `assign` gives the item to (a username).
    pub assign_to: Option<String>,
    /// The version the moderator saw: a newer one is a conflict.
    pub expected_version: Option<i64>,
}

impl Default for ActRequest {
    /// A request about no comment yet (comment id 0) that asks nothing.
    fn default() -> Self {
        ActRequest {
            comment_id: CommentId(0),
            kind: None,
            clauses: Vec::new(),
            categories: Vec::new(),
            reason: None,
            template: None,
            reply_text: None,
            office: None,
            ban_days: None,
            assign_to: None,
            expected_version: None,
        }
    }
}

/// The longest reason a decision records (it goes into the statement of
/// reasons a citizen reads).
pub const MAX_REASON_CHARS: usize = 4_000;
/// The longest written reply: above every platform's own limit.
pub const MAX_REPLY_CHARS: usize = 10_000;

/// A reason or a reply longer than any statement or platform takes is
/// refused with its length, before anything is written.
fn check_lengths(req: &ActRequest) -> Result<()> {
    for (what, text, max) in [
        ("la motivazione", req.reason.as_deref(), MAX_REASON_CHARS),
        (
            "il testo della risposta",
            req.reply_text.as_deref(),
            MAX_REPLY_CHARS,
        ),
    ] {
        let n = text.map_or(0, |t| t.chars().count());
        if n > max {
            return Err(DeskError::InvalidInput(format!(
                "{what} è lunga {n} caratteri: il massimo è {max}; accorciala (nulla è stato registrato)"
            )));
        }
    }
    Ok(())
}

impl ActRequest {
    pub fn new(comment_id: CommentId, kind: ActionKind) -> ActRequest {
        ActRequest {
            comment_id,
            kind: Some(kind),
            ..Default::default()
        }
    }

    pub fn clause(mut self, n: u32) -> Self {
        self.clauses.push(n);
        self
    }

    pub fn reason(mut self, r: &str) -> Self {
        self.reason = Some(r.into());
        self
    }

    pub fn expecting(mut self, version: i64) -> Self {
        self.expected_version = Some(version);
        self
    }
}

/// A statement of reasons: the Italian text for the citizen and the
/// DSA-shaped fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatementOfReasons {
    pub text: String,
    pub fields: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionOutcome {
    pub action_id: ActionId,
    /// Done, or pending confirmation for a removal awaiting a second
    /// moderator (rejected for a rejection).
    pub status: ActionStatus,
    pub comment_id: Option<CommentId>,
    pub state: Option<CommentState>,
    pub resolution: Option<Resolution>,
    pub version: Option<i64>,
    pub statement: Option<StatementOfReasons>,
    pub ticket_number: Option<String>,
    pub reply_text: Option<String>,
    /// Children of a bulk action.
    pub children: Vec<ActionOutcome>,
    /// What the decision asks of the platform, as it stands right after
    /// the decision (pending, or why it cannot be done there).
    pub platform_steps: Vec<crate::OutboxItem>,
    /// Whether the decision, or a child of it, queued a platform step:
    /// when none did, there is nothing to read back.
    #[serde(skip)]
    pub(crate) steps_queued: bool,
}

/// The comments a bulk action covers.
#[derive(Debug, Clone)]
pub enum BulkTarget {
    /// Every open comment of one author under one post.
    AuthorUnderPost {
        post_id: PostId,
        author_ref: String,
    },
    Comments(Vec<CommentId>),
}

pub(crate) struct CommentRow {
    id: CommentId,
    account_id: AccountId,
    account_name: String,
    platform: String,
    author_ref: Option<String>,
    text: Option<String>,
    created_at: i64,
    state: CommentState,
    version: i64,
    revision: i64,
    deadline_at: Option<i64>,
    needs_reply: bool,
    external_id: String,
    post_ref: Option<String>,
    /// A citizen reported it with the public form.
    reported_by_user: bool,
}

impl CommentRow {
    /// Where the steps of a decision about this comment go.
    pub(crate) fn target(
        &self,
        admin_id: AdminId,
        action_id: ActionId,
        ban_id: Option<i64>,
    ) -> Target<'_> {
        Target {
            admin_id,
            account_id: self.account_id,
            platform: &self.platform,
            comment_id: Some(self.id),
            action_id: Some(action_id),
            ban_id,
            comment_ref: Some(&self.external_id),
            post_ref: self.post_ref.as_deref(),
            author_ref: self.author_ref.as_deref(),
            until: None,
        }
    }
}

/// What a decision asks of the platform, in order.
fn platform_steps(
    kind: ActionKind,
    pending: bool,
    reply_text: Option<&str>,
    statement: Option<&StatementOfReasons>,
) -> Vec<Step> {
    // The statement of reasons reaches the author privately where the
    // platform allows it; it goes before a deletion, which would leave it
    // nothing to refer to.
    let notice = |after_previous| {
        statement.map(|s| Step {
            operation: Operation::PrivateReply,
            body: Some(s.text.clone()),
            after_previous,
        })
    };
    let step = |operation, body: Option<&str>, after_previous| Step {
        operation,
        body: body.map(String::from),
        after_previous,
    };
    let steps: Vec<Option<Step>> = match kind {
        ActionKind::Hide => vec![Some(step(Operation::Hide, None, false)), notice(false)],
        ActionKind::Remove | ActionKind::Confirm if !pending => {
            vec![notice(false), Some(step(Operation::Delete, None, true))]
        }
        ActionKind::Unhide => vec![Some(step(Operation::Unhide, None, false))],
        // A reply waiting for approval is posted when approved.
        ActionKind::Reply if pending => Vec::new(),
        ActionKind::Reply | ActionKind::Redirect => {
            vec![reply_text.map(|t| step(Operation::Reply, Some(t), false))]
        }
        ActionKind::Warn => vec![notice(false)],
        ActionKind::Ban => vec![Some(step(Operation::Ban, None, false)), notice(false)],
        ActionKind::Report => vec![Some(step(Operation::Report, None, false))],
        _ => Vec::new(),
    };
    let mut steps: Vec<Step> = steps.into_iter().flatten().collect();
    // A step that follows one that was left out follows nothing.
    if let Some(first) = steps.first_mut() {
        first.after_previous = false;
    }
    steps
}

pub(crate) fn load_comment(
    tx: &mut Tx<'_>,
    admin_id: AdminId,
    id: CommentId,
) -> Result<Option<CommentRow>> {
    let Some(r) = tx.query_opt(
        "SELECT c.id, c.account_id, a.name, c.platform, c.author_ref, c.text, c.created_at, c.state, c.version, c.revision, c.deadline_at, c.needs_reply, c.external_id, p.external_id,
                (SELECT COUNT(*) FROM user_reports u WHERE u.comment_id = c.id)
         FROM comments c JOIN accounts a ON a.id = c.account_id LEFT JOIN posts p ON p.id = c.post_id WHERE c.admin_id = ? AND c.id = ?",
        &[admin_id.into(), id.into()],
    )?
    else {
        return Ok(None);
    };
    Ok(Some(CommentRow {
        id: CommentId(r.int(0)?),
        account_id: AccountId(r.int(1)?),
        account_name: r.text(2)?,
        platform: r.text(3)?,
        author_ref: r.opt_text(4)?,
        text: r.opt_text(5)?,
        created_at: r.int(6)?,
        state: r.text(7)?.parse()?,
        version: r.int(8)?,
        revision: r.int(9)?,
        deadline_at: r.opt_int(10)?,
        needs_reply: r.bool(11)?,
        external_id: r.text(12)?,
        post_ref: r.opt_text(13)?,
        reported_by_user: r.int(14)? > 0,
    }))
}

/// The flagged categories of the comment's current text.
fn flagged_categories(tx: &mut Tx<'_>, c: &CommentRow) -> Result<Vec<Category>> {
    Ok(tx
        .query(
            "SELECT DISTINCT category FROM findings WHERE comment_id = ? AND revision = ? AND flagged = 1 AND category IS NOT NULL",
            &[c.id.into(), c.revision.into()],
        )?
        .iter()
        .filter_map(|r| r.text(0).ok()?.parse().ok())
        .collect())
}

/// The intents the analysis found in the comment's current text.
fn intents(tx: &mut Tx<'_>, c: &CommentRow) -> Result<Vec<Intent>> {
    Ok(tx
        .query(
            "SELECT DISTINCT intent FROM findings WHERE comment_id = ? AND revision = ? AND intent IS NOT NULL",
            &[c.id.into(), c.revision.into()],
        )?
        .iter()
        .filter_map(|r| r.text(0).ok()?.parse().ok())
        .collect())
}

/// A citation the policy refuses, as the desk reports it.
fn citation_error(e: CitationError, version: &str) -> DeskError {
    match e {
        CitationError::ClauseRequired => DeskError::ClauseRequired {
            version: version.to_string(),
        },
        CitationError::NoCategory { .. } => DeskError::InvalidInput(e.to_string()),
        other => {
            DeskError::ClauseNotApplicable(format!("{other} (versione della policy {version})"))
        }
    }
}

fn ts(ms: i64) -> String {
    Timestamp::from_millisecond(ms)
        .map(format_instant)
        .unwrap_or_else(|_| ms.to_string())
}

pub(crate) fn date_it(ms: i64) -> String {
    let s = ts(ms);
    // 2026-11-22T10:00:00+01:00 -> 22/11/2026
    match (s.get(0..4), s.get(5..7), s.get(8..10)) {
        (Some(y), Some(m), Some(d)) => format!("{d}/{m}/{y}"),
        _ => s,
    }
}

/// What a statement of reasons says about the comment itself: never its
/// text, only when and where it was written.
pub struct StatementSubject<'a> {
    pub created_at: i64,
    pub account: &'a str,
    pub platform: &'a str,
    /// A citizen reported the comment (the DSA source of the decision).
    pub reported_by_user: bool,
}

impl<'a> From<&'a CommentRow> for StatementSubject<'a> {
    fn from(c: &'a CommentRow) -> Self {
        StatementSubject {
            created_at: c.created_at,
            account: &c.account_name,
            platform: &c.platform,
            reported_by_user: c.reported_by_user,
        }
    }
}

/// The statement a citizen would receive for a decision not yet taken, word
/// for word the one the desk writes when it is (the web desk previews it),
/// except that the reference number does not exist yet.
pub fn statement_preview(
    ctx: &AdminContext,
    kind: ActionKind,
    subject: StatementSubject<'_>,
    clauses: &[u32],
    categories: &[Category],
    automated: bool,
    now: i64,
) -> StatementOfReasons {
    statement(
        ctx, kind, subject, clauses, categories, automated, now, None, None, None,
    )
}

/// The public page where the author asks for a review of decision `id`,
/// with the reference filled in, when the administration has said where
/// its desk is served (`piazza mail setup --desk-url`).
fn appeal_url(tx: &mut Tx<'_>, ctx: &AdminContext, id: ActionId) -> Result<Option<String>> {
    let base = tx
        .query_opt(
            "SELECT desk_url FROM mail_settings WHERE admin_id = ?",
            &[ctx.admin_id.into()],
        )?
        .map(|r| r.opt_text(0))
        .transpose()?
        .flatten()
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"));
    Ok(base.map(|b| {
        format!(
            "{}/enti/{}/riesame?riferimento={id}",
            b.trim_end_matches('/'),
            ctx.slug
        )
    }))
}

#[allow(clippy::too_many_arguments)]
fn statement(
    ctx: &AdminContext,
    kind: ActionKind,
    c: StatementSubject<'_>,
    clauses: &[u32],
    categories: &[Category],
    automated: bool,
    now: i64,
    ban_until: Option<i64>,
    action_id: Option<ActionId>,
    appeal_url: Option<&str>,
) -> StatementOfReasons {
    let p = &ctx.policy;
    let reference = match action_id {
        Some(id) => format!("il riferimento n. {id}"),
        None => "il riferimento della decisione".to_string(),
    };
    let what = match kind {
        ActionKind::Hide => "è stato nascosto".to_string(),
        ActionKind::Remove => "è stato rimosso".to_string(),
        ActionKind::Warn => "ha ricevuto un avviso: il commento resta visibile, ma un'altra violazione potrà portare alla rimozione o all'allontanamento".to_string(),
        ActionKind::Ban => match ban_until {
            Some(u) => format!("ha portato al tuo allontanamento dalla pagina fino al {}", date_it(u)),
            None => "ha portato al tuo allontanamento dalla pagina a tempo indeterminato".to_string(),
        },
        ActionKind::Report => "è stato segnalato ai filtri di moderazione della piattaforma".to_string(),
        _ => "è stato esaminato".to_string(),
    };
    let rules: Vec<String> = clauses
        .iter()
        .filter_map(|n| p.clause(*n))
        .map(|cl| format!("regola {} («{}»)", cl.number, cl.title))
        .collect();
    let links: Vec<String> = clauses.iter().map(|n| p.clause_link(*n)).collect();
    let facts: Vec<&str> = categories.iter().map(|c| c.label_it()).collect();
    let detection = match (automated, c.reported_by_user) {
        (true, true) => {
            "Il commento è stato segnalato da un utente e da uno strumento automatico di analisi del testo; la decisione è stata presa da una persona."
        }
        (true, false) => {
            "Il commento è stato segnalato da uno strumento automatico di analisi del testo; la decisione è stata presa da una persona."
        }
        (false, true) => "Il commento è stato segnalato da un utente ed esaminato da una persona.",
        (false, false) => {
            "Il commento è stato esaminato da una persona, senza segnalazione automatica."
        }
    };
    let text = format!(
        "Gentile utente,\n\
         il tuo commento{date} sull'account «{account}» ({platform}) {what}.\n\n\
         Motivo: il commento non rispetta la {rules} della Social Media Policy di {ente}, versione {version}{link}.\n\
         Fatti: nel commento sono stati rilevati contenuti riconducibili a: {facts}.\n\
         {detection}\n\n\
         Come contestare: puoi chiedere il riesame della decisione {review}, indicando la data del commento e {reference}. La richiesta sarà esaminata da una persona diversa da chi ha deciso.\n\n\
         {ente}",
        // Rows written before arrival times were enforced may lack a date:
        // say nothing rather than a wrong day.
        date = if c.created_at > 0 {
            format!(" del {}", date_it(c.created_at))
        } else {
            String::new()
        },
        account = c.account,
        platform = c.platform,
        rules = rules.join(" e la "),
        ente = p.administration.name,
        version = ctx.policy_version,
        link = if links.iter().all(|l| l.starts_with('#')) {
            String::new()
        } else {
            format!(" ({})", links.join(", "))
        },
        facts = facts.join(", "),
        review = match appeal_url {
            Some(url) => format!("{}, oppure dalla pagina {url}", review_contact(p)),
            None => review_contact(p),
        },
    );
    let decision = match kind {
        ActionKind::Hide => {
            serde_json::json!({"decision_visibility": ["DECISION_VISIBILITY_CONTENT_DISABLED"]})
        }
        ActionKind::Remove => {
            serde_json::json!({"decision_visibility": ["DECISION_VISIBILITY_CONTENT_REMOVED"]})
        }
        ActionKind::Ban => {
            serde_json::json!({"decision_account": if ban_until.is_some() { "DECISION_ACCOUNT_SUSPENDED" } else { "DECISION_ACCOUNT_TERMINATED" }})
        }
        ActionKind::Warn => {
            serde_json::json!({"decision_visibility": ["DECISION_VISIBILITY_OTHER"], "decision_visibility_other": "avviso all'autore"})
        }
        _ => {
            serde_json::json!({"decision_visibility": ["DECISION_VISIBILITY_OTHER"], "decision_visibility_other": "segnalazione alla piattaforma"})
        }
    };
    let mut fields = serde_json::json!({
        "reference": action_id,
        "decision_type": kind.as_str(),
        "decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT",
        "incompatible_content_ground": rules.join("; "),
        "incompatible_content_url": links,
        "policy_version": ctx.policy_version,
        "category": categories.first().map(|c| dsa_category(*c)),
        "category_addition": categories.iter().skip(1).map(|c| dsa_category(*c)).collect::<Vec<_>>(),
        "piazza_categories": categories.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        "automated_detection": if automated { "Yes" } else { "No" },
        "automated_decision": "AUTOMATED_DECISION_NOT_AUTOMATED",
        "content_type": ["CONTENT_TYPE_TEXT"],
        "content_date": (c.created_at > 0).then(|| ts(c.created_at)),
        "application_date": ts(now),
        "end_date": ban_until.map(ts),
        // A citizen's report through the public form is a notification,
        // not a notice of DSA art. 16 (it does not ask for a name).
        "source_type": if c.reported_by_user { "SOURCE_TYPE_OTHER_NOTIFICATION" } else { "SOURCE_VOLUNTARY" },
        "territorial_scope": ["IT"],
        "platform_name": c.platform,
    });
    if let (Some(obj), Some(d)) = (fields.as_object_mut(), decision.as_object()) {
        for (k, v) in d {
            obj.insert(k.clone(), v.clone());
        }
    }
    StatementOfReasons { text, fields }
}

fn record_statement(
    tx: &mut Tx<'_>,
    admin_id: AdminId,
    action_id: ActionId,
    comment_id: CommentId,
    s: &StatementOfReasons,
    now: i64,
) -> piazza_store::Result<()> {
    tx.execute(
        "INSERT INTO statements (admin_id, action_id, comment_id, text, dsa_json, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        &[admin_id.into(), action_id.into(), comment_id.into(), (&s.text).into(), s.fields.to_string().into(), now.into()],
    )?;
    Ok(())
}

fn next_ticket(tx: &mut Tx<'_>, ctx: &AdminContext, now: i64) -> piazza_store::Result<String> {
    let year = &ts(now)[0..4];
    let name = format!("ticket_{year}");
    tx.execute(
        "INSERT INTO counters (admin_id, name, value) VALUES (?, ?, 1)
         ON CONFLICT (admin_id, name) DO UPDATE SET value = counters.value + 1",
        &[ctx.admin_id.into(), (&name).into()],
    )?;
    let n = tx
        .query_one(
            "SELECT value FROM counters WHERE admin_id = ? AND name = ?",
            &[ctx.admin_id.into(), name.into()],
        )?
        .int(0)?;
    Ok(format!("{}-{year}-{n:06}", ctx.slug.to_uppercase()))
}

/// The checks every decision passes before anything is written: the
/// person's roles for this kind of action, the comment, the person's scope
/// over its account, the version the person saw, and whether the account's
/// platform can carry it out. The administration's writer lock is taken by
/// the audit append at the end (`Tx::lock_administration`): a decision
/// written meanwhile on the same comment is refused by the version check
/// of `move_comment`.
fn admit(
    tx: &mut Tx<'_>,
    ctx: &AdminContext,
    actor: &Actor,
    kind: ActionKind,
    req: &ActRequest,
    now: i64,
) -> Result<CommentRow> {
    let roles: &[Role] = match kind {
        ActionKind::Reply | ActionKind::Redirect | ActionKind::Forward => &[
            Role::Moderatore,
            Role::OperatoreUrp,
            Role::Redattore,
            Role::Dirigente,
        ],
        _ => &[Role::Moderatore, Role::Dirigente],
    };
    actor.require(roles, kind.label_it())?;
    let c = load_comment(tx, ctx.admin_id, req.comment_id)?.ok_or_else(|| DeskError::NotFound {
        what: "commento",
        id: req.comment_id.to_string(),
    })?;
    crate::registry::require_assigned(tx, actor, c.account_id, now)?;
    if let Some(expected) = req.expected_version
        && expected != c.version
    {
        return Err(DeskError::Conflict {
            expected,
            found: c.version,
        });
    }
    if let Support::No(why) = kind.support_on(&c.platform) {
        return Err(DeskError::NotSupported(why.to_string()));
    }
    if matches!(kind, ActionKind::Unhide | ActionKind::Reopen) {
        guard_review(tx, ctx.admin_id, actor, &c)?;
    }
    Ok(c)
}

/// A decision on the comment itself answers the citizens who reported it.
fn closes_user_reports(kind: ActionKind) -> bool {
    matches!(
        kind,
        ActionKind::Keep
            | ActionKind::Hide
            | ActionKind::Remove
            | ActionKind::Warn
            | ActionKind::Ban
            | ActionKind::Report
    )
}

/// Unhiding or reopening a comment reviews the last restrictive decision
/// on it. The statement of reasons promises that a review is made by a
/// person other than the one who decided: the decision's author (or the
/// second moderator who confirmed it) cannot undo it, and while an appeal
/// is open the appeal is the way to review it.
fn guard_review(tx: &mut Tx<'_>, admin_id: AdminId, actor: &Actor, c: &CommentRow) -> Result<()> {
    let Some(r) = tx.query_opt(
        "SELECT id FROM actions WHERE admin_id = ? AND comment_id = ? AND status = 'done' AND kind IN ('hide', 'remove', 'warn', 'ban', 'report') ORDER BY id DESC LIMIT 1",
        &[admin_id.into(), c.id.into()],
    )?
    else {
        return Ok(());
    };
    let decision = ActionId(r.int(0)?);
    if let Some(a) = tx.query_opt(
        "SELECT id FROM appeals WHERE action_id = ? AND state = 'open'",
        &[decision.into()],
    )? {
        return Err(DeskError::InvalidInput(format!(
            "sulla decisione n. {decision} è aperta la richiesta di riesame n. {}: decidila dalla coda dei riesami",
            a.int(0)?
        )));
    }
    if crate::appeals::decision_makers(tx, decision)?.contains(&actor.staff_id) {
        return Err(DeskError::Forbidden(format!(
            "hai preso o confermato tu la decisione n. {decision}: a rivederla deve essere una persona diversa"
        )));
    }
    Ok(())
}

/// What a decision rests on in the policy in force.
struct Grounds {
    /// The cited clauses, sorted, each once.
    clauses: Vec<u32>,
    categories: Vec<Category>,
    /// Automated detection flagged the categories.
    automated: bool,
    /// A removal that waits for a second moderator.
    pending: bool,
}

/// The grounds of a decision: a restrictive one must cite clauses that
/// allow it and cover the violation's categories (the policy decides).
fn grounds(
    tx: &mut Tx<'_>,
    ctx: &AdminContext,
    kind: ActionKind,
    c: &CommentRow,
    req: &ActRequest,
) -> Result<Grounds> {
    let mut clauses = req.clauses.clone();
    clauses.sort_unstable();
    clauses.dedup();
    let (categories, automated) = if kind.is_restrictive() {
        let version = &ctx.policy_version;
        ctx.policy
            .check_citation(kind.policy_measure(), &clauses)
            .map_err(|e| citation_error(e, version))?;
        let flagged = flagged_categories(tx, c)?;
        ctx.policy
            .decision_categories(&clauses, &flagged, &req.categories)
            .map_err(|e| citation_error(e, version))?
    } else {
        (req.categories.clone(), false)
    };
    if kind == ActionKind::Ban && c.author_ref.is_none() {
        return Err(DeskError::InvalidInput(
            "il commento non indica il suo autore: non c'è nessuno da allontanare".into(),
        ));
    }
    // A removal where deletion is reserved for serious violations needs a
    // second moderator unless every category is serious.
    let pending = match kind {
        ActionKind::Remove => ctx.policy.removal_needs_confirmation(&categories),
        ActionKind::Reply => reply_needs_approval(tx, ctx, c, req)?,
        _ => false,
    };
    Ok(Grounds {
        clauses,
        categories,
        automated,
        pending,
    })
}

/// A written reply waits for approval where the policy asks (Maglione: a
/// reply to a complaint is shared with the Dirigente di Settore). The
/// templates are the policy's own words and never wait.
fn reply_needs_approval(
    tx: &mut Tx<'_>,
    ctx: &AdminContext,
    c: &CommentRow,
    req: &ActRequest,
) -> Result<bool> {
    let Some(rule) = &ctx.policy.internal.reply_approval else {
        return Ok(false);
    };
    if req.template.as_deref().is_some_and(|t| t != "risposta") {
        return Ok(false);
    }
    Ok(match rule.applies_to {
        piazza_policy::ReplyApprovalScope::All => true,
        piazza_policy::ReplyApprovalScope::Complaints => {
            intents(tx, c)?.contains(&Intent::Complaint)
        }
    })
}

/// What a decision carries besides its grounds.
struct Particulars {
    /// The reply, filled from its template.
    reply_text: Option<String>,
    template: Option<String>,
    /// The office a forward goes to.
    office: Option<String>,
    ban_until: Option<i64>,
    /// Who an assignment gives the item to.
    assignee: Option<i64>,
}

fn particulars(
    tx: &mut Tx<'_>,
    ctx: &AdminContext,
    actor: &Actor,
    c: &CommentRow,
    kind: ActionKind,
    req: &ActRequest,
    now: i64,
) -> Result<Particulars> {
    let (reply_text, template) = match kind {
        ActionKind::Reply => {
            let id = req.template.clone().unwrap_or_else(|| "risposta".into());
            let text = render_template(&id, &ctx.policy, req.reply_text.as_deref())?;
            (Some(text), Some(id))
        }
        ActionKind::Redirect => {
            // To the URP, or to the police for a crime report: the
            // moderator's choice, else what the comment's intents call for.
            let id = match req.template.as_deref() {
                Some(id) if REDIRECT_TEMPLATES.contains(&id) => id,
                Some(other) => {
                    return Err(DeskError::InvalidInput(format!(
                        "a redirect sends `{}`, not `{other}`",
                        REDIRECT_TEMPLATES.join("` or `")
                    )));
                }
                None => redirect_template(&intents(tx, c)?),
            };
            (
                Some(render_template(id, &ctx.policy, None)?),
                Some(id.to_string()),
            )
        }
        _ => (None, req.template.clone()),
    };
    let office = if kind == ActionKind::Forward {
        match req.office.as_deref().map(str::trim) {
            Some(o) if !o.is_empty() => Some(o.to_string()),
            _ => {
                return Err(DeskError::InvalidInput(
                    "indica l'ufficio a cui inoltrare".into(),
                ));
            }
        }
    } else {
        None
    };
    let ban_until = match (kind, req.ban_days) {
        (ActionKind::Ban, Some(days)) if days > 0 => Some(now + i64::from(days) * 86_400_000),
        (ActionKind::Ban, Some(_)) => {
            return Err(DeskError::InvalidInput(
                "un allontanamento temporaneo dura almeno un giorno".into(),
            ));
        }
        _ => None,
    };
    let assignee = if kind == ActionKind::Assign {
        let username = req
            .assign_to
            .clone()
            .unwrap_or_else(|| actor.username.clone());
        let row = tx
            .query_opt(
                "SELECT id FROM staff WHERE admin_id = ? AND username = ? AND active = 1",
                &[ctx.admin_id.into(), (&username).into()],
            )?
            .ok_or_else(|| DeskError::NotFound {
                what: "persona",
                id: username.clone(),
            })?;
        if username != actor.username && !actor.has(Role::Dirigente) {
            return Err(DeskError::Forbidden(
                "solo un dirigente assegna i commenti ad altre persone".into(),
            ));
        }
        Some(row.int(0)?)
    } else {
        None
    };
    Ok(Particulars {
        reply_text,
        template,
        office,
        ban_until,
        assignee,
    })
}

/// The action's own row: who, what, on which grounds, with the text of the
/// comment kept as evidence for restrictive decisions and forwards.
#[allow(clippy::too_many_arguments)]
fn insert_action(
    tx: &mut Tx<'_>,
    ctx: &AdminContext,
    actor: &Actor,
    c: &CommentRow,
    (kind, status, parent): (ActionKind, ActionStatus, Option<ActionId>),
    reason: Option<&str>,
    g: &Grounds,
    p: &Particulars,
    now: i64,
) -> Result<ActionId> {
    let evidence = if kind.is_restrictive() || kind == ActionKind::Forward {
        c.text.clone()
    } else {
        None
    };
    Ok(ActionId(tx.insert(
        "INSERT INTO actions (admin_id, comment_id, parent_id, kind, status, actor_id, clauses, categories, policy_version_id, reason, template, reply_text, office, ban_until, automated_detection, evidence_text, is_revert, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        &[
            ctx.admin_id.into(),
            c.id.into(),
            parent.into(),
            kind.as_str().into(),
            status.into(),
            actor.staff_id.into(),
            serde_json::to_string(&g.clauses).unwrap_or_default().into(),
            serde_json::to_string(&g.categories).unwrap_or_default().into(),
            ctx.policy_version_id.into(),
            reason.into(),
            p.template.clone().into(),
            p.reply_text.clone().into(),
            p.office.clone().into(),
            p.ban_until.into(),
            g.automated.into(),
            evidence.into(),
            matches!(kind, ActionKind::Unhide | ActionKind::Reopen).into(),
            now.into(),
        ],
    )?))
}

/// A forward opens a ticket with the administration's next number (the
/// workflow itself is in [`crate::tickets`]).
#[allow(clippy::too_many_arguments)]
fn open_ticket(
    tx: &mut Tx<'_>,
    ctx: &AdminContext,
    actor: &Actor,
    c: &CommentRow,
    action_id: ActionId,
    office: &str,
    note: Option<&str>,
    now: i64,
) -> Result<String> {
    let number = next_ticket(tx, ctx, now)?;
    crate::tickets::open(tx, ctx, actor, c.id, action_id, office, note, &number, now)?;
    tx.execute(
        "UPDATE actions SET ticket_number = ? WHERE id = ?",
        &[(&number).into(), action_id.into()],
    )?;
    Ok(number)
}

/// Where a decision moves the comment.
struct Transition {
    state: CommentState,
    resolution: Option<Resolution>,
    visibility: Option<Visibility>,
    /// Author-level and platform-level measures leave the resolution as it
    /// is: the moderator still decides about the content.
    keep_resolution: bool,
    /// The decision answers a question that waited for a reply.
    answers: bool,
    sla_state: Option<SlaState>,
}

fn transition(
    kind: ActionKind,
    c: &CommentRow,
    pending: bool,
    p: &Particulars,
    now: i64,
) -> Transition {
    use CommentState::{InReview, Resolved};
    let courtesy = kind == ActionKind::Reply && p.template.as_deref() == Some("cortesia");
    let (state, resolution, visibility) = match kind {
        ActionKind::Keep => (Resolved, Some(Resolution::Kept), None),
        ActionKind::Hide => (Resolved, Some(Resolution::Hidden), Some(Visibility::Hidden)),
        ActionKind::Unhide => (Resolved, Some(Resolution::Kept), Some(Visibility::Visible)),
        ActionKind::Remove if pending => (InReview, None, None),
        ActionKind::Remove => (
            Resolved,
            Some(Resolution::Removed),
            Some(Visibility::Removed),
        ),
        ActionKind::Reply if courtesy || pending => (InReview, None, None),
        ActionKind::Reply => (Resolved, Some(Resolution::Replied), None),
        ActionKind::Redirect => (Resolved, Some(Resolution::Redirected), None),
        ActionKind::Forward => (Resolved, Some(Resolution::Forwarded), None),
        ActionKind::Reopen | ActionKind::Assign => (InReview, None, None),
        ActionKind::Warn | ActionKind::Ban | ActionKind::Report => (
            if c.state == CommentState::New {
                InReview
            } else {
                c.state
            },
            None,
            None,
        ),
        // Confirmations have their own path.
        ActionKind::Confirm | ActionKind::Reject => (c.state, None, None),
    };
    let answers = c.needs_reply
        && matches!(
            kind,
            ActionKind::Reply | ActionKind::Redirect | ActionKind::Forward
        )
        && !courtesy
        && !pending;
    let sla_state = if answers {
        Some(match c.deadline_at {
            Some(d) if now > d => SlaState::Breached,
            Some(_) => SlaState::Met,
            None => SlaState::Answered,
        })
    } else if courtesy {
        Some(SlaState::CourtesySent)
    } else {
        None
    };
    Transition {
        state,
        resolution,
        visibility,
        keep_resolution: matches!(
            kind,
            ActionKind::Warn | ActionKind::Ban | ActionKind::Report
        ),
        answers,
        sla_state,
    }
}

/// Writes the comment's new state, if nobody changed it since it was read.
fn move_comment(
    tx: &mut Tx<'_>,
    ctx: &AdminContext,
    c: &CommentRow,
    kind: ActionKind,
    t: &Transition,
    assignee: Option<i64>,
    now: i64,
) -> Result<()> {
    let n = tx.execute(
        &format!(
            "UPDATE comments SET state = ?, {}version = version + 1,
             visibility = COALESCE(?, visibility), assigned_to = COALESCE(?, assigned_to),
             resolved_at = CASE WHEN ? = 'resolved' THEN ? ELSE resolved_at END,
             answered_at = CASE WHEN ? = 1 THEN ? ELSE answered_at END,
             sla_state = COALESCE(?, sla_state),
             legal_hold = CASE WHEN ? = 1 THEN 1 ELSE legal_hold END
             WHERE id = ? AND version = ?",
            if t.keep_resolution {
                ""
            } else {
                "resolution = ?, "
            }
        ),
        &{
            let mut p: Vec<piazza_store::Value> = vec![t.state.into()];
            if !t.keep_resolution {
                p.push(t.resolution.into());
            }
            p.extend([
                t.visibility.into(),
                assignee.into(),
                t.state.into(),
                now.into(),
                t.answers.into(),
                now.into(),
                t.sla_state.into(),
                (kind == ActionKind::Forward).into(),
                c.id.into(),
                c.version.into(),
            ]);
            p
        },
    )?;
    if n == 0 {
        // Someone else wrote the comment between our read and write.
        let found = load_comment(tx, ctx.admin_id, c.id)?
            .map(|x| x.version)
            .unwrap_or(c.version);
        return Err(DeskError::Conflict {
            expected: c.version,
            found,
        });
    }
    Ok(())
}

impl Desk {
    /// Acts on one comment.
    pub fn act(&self, actor: &Actor, req: &ActRequest) -> Result<ActionOutcome> {
        let ctx = self.context(actor.admin_id)?;
        let now = self.now();
        let mut out = self.write(|tx| self.apply(tx, &ctx, actor, req, None, now))?;
        if !out.steps_queued {
            return Ok(out);
        }
        let mut steps = self.outbox(
            actor.admin_id,
            &crate::OutboxFilter {
                action_id: Some(out.action_id),
                limit: 100,
                ..Default::default()
            },
        )?;
        steps.reverse();
        out.platform_steps = steps;
        Ok(out)
    }

    /// Acts on several comments at once: one parent action, one child per
    /// comment, all in one transaction (all or nothing).
    pub fn act_bulk(
        &self,
        actor: &Actor,
        target: &BulkTarget,
        template: &ActRequest,
    ) -> Result<ActionOutcome> {
        let ctx = self.context(actor.admin_id)?;
        let kind = template.kind.ok_or_else(|| {
            DeskError::InvalidInput("indica l'azione da applicare ai commenti selezionati".into())
        })?;
        let Some(audit_kind) = AuditKind::of_bulk(kind) else {
            return Err(DeskError::InvalidInput(format!(
                "l'azione «{}» non si applica a più commenti insieme",
                kind.as_str()
            )));
        };
        let now = self.now();
        self.store
            .write(|tx| {
                let ids: Vec<CommentId> = match target {
                    BulkTarget::Comments(ids) => ids.clone(),
                    BulkTarget::AuthorUnderPost { post_id, author_ref } => tx
                        .query(
                            "SELECT id FROM comments WHERE admin_id = ? AND post_id = ? AND author_ref = ? AND state <> 'resolved' ORDER BY id",
                            &[actor.admin_id.into(), (*post_id).into(), author_ref.into()],
                        )?
                        .iter()
                        .map(|r| r.int(0).map(CommentId))
                        .collect::<piazza_store::Result<_>>()?,
                };
                if ids.is_empty() {
                    return Err(DeskError::NotFound {
                        what: "commenti per l'azione multipla",
                        id: "0".into(),
                    });
                }
                // The comments, in one order, before the audit entry below
                // takes the administration's lock: rows first, the
                // administration last (`Tx::lock_administration`).
                let mut sorted = ids.clone();
                sorted.sort_unstable_by_key(|c| c.0);
                for c in &sorted {
                    tx.lock_comment(c.0)?;
                }
                let parent = ActionId(tx.insert(
                    "INSERT INTO actions (admin_id, comment_id, parent_id, kind, status, actor_id, clauses, categories, policy_version_id, reason, created_at)
                     VALUES (?, NULL, NULL, ?, 'done', ?, ?, ?, ?, ?, ?) RETURNING id",
                    &[
                        actor.admin_id.into(),
                        kind.as_str().into(),
                        actor.staff_id.into(),
                        serde_json::to_string(&template.clauses).unwrap_or_default().into(),
                        serde_json::to_string(&template.categories).unwrap_or_default().into(),
                        ctx.policy_version_id.into(),
                        template.reason.clone().into(),
                        now.into(),
                    ],
                )?);
                record(
                    tx,
                    actor.admin_id,
                    now,
                    &entry(actor.audit_name(), audit_kind, AuditTarget::Action, parent)
                        .clauses(&template.clauses)
                        .policy_version(&ctx.policy_version)
                        .payload(serde_json::json!({"comments": ids})),
                )?;
                let mut children = Vec::new();
                for id in ids {
                    let mut req = template.clone();
                    req.comment_id = id;
                    req.expected_version = None;
                    children.push(self.apply(tx, &ctx, actor, &req, Some(parent), now)?);
                }
                let steps_queued = children.iter().any(|c| c.steps_queued);
                Ok(ActionOutcome {
                    action_id: parent,
                    status: ActionStatus::Done,
                    comment_id: None,
                    state: None,
                    resolution: None,
                    version: None,
                    statement: None,
                    ticket_number: None,
                    reply_text: None,
                    children,
                    platform_steps: Vec::new(),
                    steps_queued,
                })
            })
    }

    /// One decision on one comment, in the caller's transaction: admit
    /// it (roles, scope, version, the platform), find its grounds in the
    /// policy, gather what it carries, record it with its side records,
    /// move the comment, write the statement, the platform steps and the
    /// audit entry.
    pub(crate) fn apply(
        &self,
        tx: &mut Tx<'_>,
        ctx: &AdminContext,
        actor: &Actor,
        req: &ActRequest,
        parent: Option<ActionId>,
        now: i64,
    ) -> Result<ActionOutcome> {
        let kind = req
            .kind
            .ok_or_else(|| DeskError::InvalidInput("nessuna azione indicata".into()))?;
        check_lengths(req)?;
        let c = admit(tx, ctx, actor, kind, req, now)?;
        if matches!(kind, ActionKind::Confirm | ActionKind::Reject) {
            return self.confirm_or_reject(tx, ctx, actor, &c, kind, req, now);
        }
        let grounds = grounds(tx, ctx, kind, &c, req)?;
        let parts = particulars(tx, ctx, actor, &c, kind, req, now)?;
        let status = match (grounds.pending, kind) {
            (false, _) => ActionStatus::Done,
            (true, ActionKind::Reply) => ActionStatus::PendingApproval,
            (true, _) => ActionStatus::PendingConfirmation,
        };
        let action_id = insert_action(
            tx,
            ctx,
            actor,
            &c,
            (kind, status, parent),
            req.reason.as_deref(),
            &grounds,
            &parts,
            now,
        )?;
        let ticket = match (kind, &parts.office) {
            (ActionKind::Forward, Some(office)) => Some(open_ticket(
                tx,
                ctx,
                actor,
                &c,
                action_id,
                office,
                req.reason.as_deref(),
                now,
            )?),
            _ => None,
        };
        let ban_id = if kind == ActionKind::Ban {
            Some(tx.insert(
                "INSERT INTO bans (admin_id, account_id, author_ref, until_at, action_id, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                &[ctx.admin_id.into(), c.account_id.into(), c.author_ref.clone().into(), parts.ban_until.into(), action_id.into(), now.into()],
            )?)
        } else {
            None
        };
        let t = transition(kind, &c, grounds.pending, &parts, now);
        move_comment(tx, ctx, &c, kind, &t, parts.assignee, now)?;
        if c.reported_by_user && !grounds.pending && closes_user_reports(kind) {
            crate::user_reports::close_with_decision(
                tx,
                actor,
                c.id,
                &format!("decisione n. {action_id}: {}", kind.label_it()),
                now,
            )?;
        }

        let statement = if kind.is_restrictive() && !grounds.pending {
            let url = appeal_url(tx, ctx, action_id)?;
            let s = statement(
                ctx,
                kind,
                (&c).into(),
                &grounds.clauses,
                &grounds.categories,
                grounds.automated,
                now,
                parts.ban_until,
                Some(action_id),
                url.as_deref(),
            );
            record_statement(tx, ctx.admin_id, action_id, c.id, &s, now)?;
            Some(s)
        } else {
            None
        };
        let steps = platform_steps(
            kind,
            grounds.pending,
            parts.reply_text.as_deref(),
            statement.as_ref(),
        );
        let mut target = c.target(ctx.admin_id, action_id, ban_id);
        target.until = parts.ban_until;
        enqueue(tx, &target, &steps, now)?;

        let mut entry = entry(
            actor.audit_name(),
            AuditKind::of_action(kind),
            AuditTarget::Comment,
            c.id,
        )
        .policy_version(&ctx.policy_version)
        .payload(serde_json::json!({
            "action_id": action_id,
            "parent_id": parent,
            "status": status,
            "categories": grounds.categories.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
            "ticket": ticket,
            "template": parts.template,
            "ban_until": parts.ban_until,
            "office": parts.office,
            "automated_detection": grounds.automated,
        }));
        if !grounds.clauses.is_empty() {
            entry = entry.clauses(&grounds.clauses);
        }
        if let Some(r) = &req.reason {
            entry = entry.reason(r);
        }
        record(tx, ctx.admin_id, now, &entry)?;

        Ok(ActionOutcome {
            action_id,
            status,
            comment_id: Some(c.id),
            state: Some(t.state),
            resolution: if t.keep_resolution {
                None
            } else {
                t.resolution
            },
            version: Some(c.version + 1),
            statement,
            ticket_number: ticket,
            reply_text: parts.reply_text,
            children: Vec::new(),
            platform_steps: Vec::new(),
            steps_queued: !steps.is_empty(),
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn confirm_or_reject(
        &self,
        tx: &mut Tx<'_>,
        ctx: &AdminContext,
        actor: &Actor,
        c: &CommentRow,
        kind: ActionKind,
        req: &ActRequest,
        now: i64,
    ) -> Result<ActionOutcome> {
        let pending = tx
            .query_opt(
                "SELECT id, actor_id, clauses, categories, automated_detection, kind, reply_text, template FROM actions
                 WHERE admin_id = ? AND comment_id = ? AND ((kind = 'remove' AND status = 'pending_confirmation') OR (kind = 'reply' AND status = 'pending_approval'))
                 ORDER BY id DESC LIMIT 1",
                &[ctx.admin_id.into(), c.id.into()],
            )?
            .ok_or_else(|| {
                DeskError::SecondModerator(
                    "nessuna rimozione o risposta di questo commento è in attesa di conferma"
                        .into(),
                )
            })?;
        let action_id = ActionId(pending.int(0)?);
        if pending.text(5)? == "reply" {
            return self.approve_or_send_back(tx, ctx, actor, c, kind, req, &pending, now);
        }
        if pending.opt_int(1)? == Some(actor.staff_id.0) {
            return Err(DeskError::SecondModerator(
                "la rimozione deve essere confermata da un moderatore diverso da chi l'ha proposta"
                    .into(),
            ));
        }
        let clauses: Vec<u32> = serde_json::from_str(&pending.text(2)?).unwrap_or_default();
        let categories: Vec<Category> = serde_json::from_str(&pending.text(3)?).unwrap_or_default();
        let automated = pending.bool(4)?;
        let confirm = kind == ActionKind::Confirm;
        let status = if confirm {
            ActionStatus::Done
        } else {
            ActionStatus::Rejected
        };
        tx.execute(
            "UPDATE actions SET status = ?, confirmed_by = ?, confirmed_at = ? WHERE id = ?",
            &[
                status.into(),
                actor.staff_id.into(),
                now.into(),
                action_id.into(),
            ],
        )?;
        let (state, resolution, visibility) = if confirm {
            (
                CommentState::Resolved,
                Some(Resolution::Removed),
                Visibility::Removed,
            )
        } else {
            (CommentState::InReview, None, Visibility::Visible)
        };
        let n = tx.execute(
            "UPDATE comments SET state = ?, resolution = ?, visibility = ?, version = version + 1, resolved_at = CASE WHEN ? = 'resolved' THEN ? ELSE resolved_at END WHERE id = ? AND version = ?",
            &[state.into(), resolution.into(), visibility.into(), state.into(), now.into(), c.id.into(), c.version.into()],
        )?;
        if n == 0 {
            return Err(DeskError::Conflict {
                expected: c.version,
                found: c.version + 1,
            });
        }
        let statement = if confirm {
            let url = appeal_url(tx, ctx, action_id)?;
            let s = statement(
                ctx,
                ActionKind::Remove,
                c.into(),
                &clauses,
                &categories,
                automated,
                now,
                None,
                Some(action_id),
                url.as_deref(),
            );
            record_statement(tx, ctx.admin_id, action_id, c.id, &s, now)?;
            Some(s)
        } else {
            None
        };
        if confirm {
            let steps = platform_steps(ActionKind::Confirm, false, None, statement.as_ref());
            enqueue(tx, &c.target(ctx.admin_id, action_id, None), &steps, now)?;
        }
        let mut entry = entry(
            actor.audit_name(),
            AuditKind::of_action(kind),
            AuditTarget::Comment,
            c.id,
        )
        .clauses(&clauses)
        .policy_version(&ctx.policy_version)
        .payload(serde_json::json!({"action_id": action_id}));
        if let Some(r) = &req.reason {
            entry = entry.reason(r);
        }
        record(tx, ctx.admin_id, now, &entry)?;
        Ok(ActionOutcome {
            action_id,
            status,
            comment_id: Some(c.id),
            state: Some(state),
            resolution,
            version: Some(c.version + 1),
            statement,
            ticket_number: None,
            reply_text: None,
            children: Vec::new(),
            platform_steps: Vec::new(),
            steps_queued: true,
        })
    }

    /// Approves a written reply (it goes to the outbox and answers the
    /// comment) or sends it back (the comment stays in review for a new
    /// reply). A dirigente approves, never the reply's author.
    #[allow(clippy::too_many_arguments)]
    fn approve_or_send_back(
        &self,
        tx: &mut Tx<'_>,
        ctx: &AdminContext,
        actor: &Actor,
        c: &CommentRow,
        kind: ActionKind,
        req: &ActRequest,
        pending: &piazza_store::Row,
        now: i64,
    ) -> Result<ActionOutcome> {
        let action_id = ActionId(pending.int(0)?);
        let rule = ctx.policy.internal.reply_approval.as_ref();
        if !actor.has(Role::Dirigente) {
            return Err(DeskError::Forbidden(format!(
                "la risposta deve essere approvata da un dirigente{}",
                rule.map(|r| format!(" («{}»)", r.text)).unwrap_or_default()
            )));
        }
        if pending.opt_int(1)? == Some(actor.staff_id.0) {
            return Err(DeskError::SecondModerator(
                "non puoi approvare una risposta che hai scritto tu: deve farlo un'altra persona"
                    .into(),
            ));
        }
        let approve = kind == ActionKind::Confirm;
        let status = if approve {
            ActionStatus::Done
        } else {
            ActionStatus::Rejected
        };
        tx.execute(
            "UPDATE actions SET status = ?, confirmed_by = ?, confirmed_at = ? WHERE id = ?",
            &[
                status.into(),
                actor.staff_id.into(),
                now.into(),
                action_id.into(),
            ],
        )?;
        let reply_text = pending.opt_text(6)?;
        let parts = Particulars {
            reply_text: reply_text.clone(),
            template: pending.opt_text(7)?,
            office: None,
            ban_until: None,
            assignee: None,
        };
        let t = if approve {
            transition(ActionKind::Reply, c, false, &parts, now)
        } else {
            transition(ActionKind::Reopen, c, false, &parts, now)
        };
        move_comment(tx, ctx, c, ActionKind::Reply, &t, None, now)?;
        if approve {
            let steps = platform_steps(ActionKind::Reply, false, reply_text.as_deref(), None);
            enqueue(tx, &c.target(ctx.admin_id, action_id, None), &steps, now)?;
        }
        let mut entry = entry(
            actor.audit_name(),
            if approve {
                AuditKind::ReplyApprove
            } else {
                AuditKind::ReplySendBack
            },
            AuditTarget::Comment,
            c.id,
        )
        .policy_version(&ctx.policy_version)
        .payload(serde_json::json!({"action_id": action_id}));
        if let Some(r) = &req.reason {
            entry = entry.reason(r);
        }
        record(tx, ctx.admin_id, now, &entry)?;
        Ok(ActionOutcome {
            action_id,
            status,
            comment_id: Some(c.id),
            state: Some(t.state),
            resolution: t.resolution,
            version: Some(c.version + 1),
            statement: None,
            ticket_number: None,
            reply_text,
            children: Vec::new(),
            platform_steps: Vec::new(),
            steps_queued: true,
        })
    }

    /// The statement of reasons for an action, if it has one.
    pub fn statement(
        &self,
        admin_id: AdminId,
        action_id: ActionId,
    ) -> Result<Option<StatementOfReasons>> {
        let row = self.read(|tx| {
            Ok(tx.query_opt(
                "SELECT text, dsa_json FROM statements WHERE admin_id = ? AND action_id = ? ORDER BY id DESC LIMIT 1",
                &[admin_id.into(), action_id.into()],
            )?)
        })?;
        row.map(|r| {
            Ok(StatementOfReasons {
                text: r.text(0)?,
                fields: serde_json::from_str(&r.text(1)?).unwrap_or_default(),
            })
        })
        .transpose()
    }

    /// Verifies the audit chain of an administration.
    pub fn verify_audit(&self, admin_id: AdminId) -> Result<piazza_store::audit::Verification> {
        self.read(|tx| Ok(audit::verify(tx, admin_id.0)?))
    }
}
