//! The moderation desk's pages: the inbox, one item with its decision
//! forms, and bulk decisions. Every page works without JavaScript; the
//! desk core checks roles and account scope on every call, and the pages
//! check roles again before showing or accepting a form.

use std::collections::BTreeSet;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use piazza_desk::context::AdminContext;
use piazza_desk::{
    AccountId, ActRequest, ActionId, ActionKind, ActionStatus, BulkTarget, CommentId, CommentState,
    ItemDetail, QueueFilter, QueueItem, Resolution, Role, SlaState,
};
use piazza_desk::{
    REDIRECT_TEMPLATES, TEMPLATES, intent_suggestion, redirect_template, render_template,
};
use piazza_platforms::Support;
use piazza_policy::Policy;
use piazza_taxonomy::{Category, Intent};

use crate::auth::{Authenticated, StaffSession};
use crate::csrf::{CSRF_FIELD, CsrfForm};
use crate::error::AppError;
use crate::pages::{Layout, NavItem, render};
use crate::state::AppState;
use crate::views::{Pairs, Segment, highlight, parse_when, when};

/// Roles that may decide on comments (the desk narrows each action further).
pub(crate) const ACTING: &[Role] = &[
    Role::Moderatore,
    Role::OperatoreUrp,
    Role::Redattore,
    Role::Dirigente,
];
/// Roles that work the queue or read it.
pub(crate) const QUEUE: &[Role] = &[
    Role::Moderatore,
    Role::OperatoreUrp,
    Role::Redattore,
    Role::Dirigente,
    Role::Auditor,
];
/// Roles that read the registry.
pub(crate) const REGISTRY_READ: &[Role] = &[Role::Admin, Role::Dirigente, Role::Auditor];
/// Roles that change the registry (handover steps, sign-off).
pub(crate) const REGISTRY_WRITE: &[Role] = &[Role::Admin, Role::Dirigente];

/// The desk's sections, in the bar under the header.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum DeskSection {
    Inbox,
    Conversations,
    Appeals,
    UserReports,
    Tickets,
    Registry,
    Drafts,
    Calendar,
    Elections,
    Policy,
    Audit,
    Reports,
}

impl Layout {
    /// A page of the desk: the administration's name in the header and the
    /// desk's sections (those the person's roles open) in the bar.
    pub(crate) fn desk(
        state: &AppState,
        session: &StaffSession,
        ctx: &AdminContext,
        title: &str,
        current: DeskSection,
    ) -> Layout {
        let mut nav = Vec::new();
        let mut add = |href: &str, label: &'static str, s: DeskSection| {
            nav.push(NavItem {
                href: href.to_string(),
                label,
                current: current == s,
            })
        };
        if session.has_any(QUEUE) {
            add("/desk", "Da trattare", DeskSection::Inbox);
            add(
                "/desk/conversazioni",
                "Messaggi privati",
                DeskSection::Conversations,
            );
            add("/desk/riesami", "Riesami", DeskSection::Appeals);
            add(
                "/desk/segnalazioni",
                "Segnalazioni",
                DeskSection::UserReports,
            );
        }
        if session.has_any(crate::tickets::TICKETS) {
            add("/desk/ticket", "Ticket", DeskSection::Tickets);
        }
        if session.has_any(crate::drafts::WRITERS) {
            add("/desk/bozze", "Bozze", DeskSection::Drafts);
            add("/desk/calendario", "Calendario", DeskSection::Calendar);
        }
        if session.has_any(crate::editorial::ELECTIONS) {
            add("/desk/elezioni", "Elezioni", DeskSection::Elections);
        }
        if session.has_any(REGISTRY_READ) {
            add("/desk/registro", "Registro", DeskSection::Registry);
        }
        add("/desk/policy", "Policy", DeskSection::Policy);
        if !session.office_only() {
            add(
                "/desk/audit",
                "Registro delle operazioni",
                DeskSection::Audit,
            );
            add("/desk/report", "Report", DeskSection::Reports);
        }
        let mut layout = Layout::piazza(title);
        layout.title = format!("{title} – Scrivania – {}", ctx.name);
        layout.brand = ctx.name.clone();
        layout.tagline = "Scrivania di moderazione".into();
        layout.home = "/desk".into();
        layout.nav = nav;
        layout.staff = Some(session.display_name.clone());
        layout.logout_token = Some(state.csrf.token(&session.session_id));
        layout
    }
}

pub(crate) async fn context(
    state: &AppState,
    session: &StaffSession,
) -> Result<Arc<AdminContext>, AppError> {
    let admin = session.admin_id;
    state.run(move |d| d.context(admin)).await
}

pub(crate) fn category_label(id: &str) -> String {
    id.parse::<Category>()
        .map(|c| c.label_it().to_string())
        .unwrap_or_else(|_| id.to_string())
}

/// A clause offered for citation, with its public anchor.
pub(crate) struct ClauseOption {
    pub number: u32,
    pub title: String,
    pub href: String,
    pub checked: bool,
}

fn clause_option(slug: &str, p: &Policy, n: u32, checked: bool) -> Option<ClauseOption> {
    p.clause(n).map(|c| ClauseOption {
        number: c.number,
        title: c.title.clone(),
        href: format!("/enti/{slug}/policy#{}", Policy::clause_anchor(c.number)),
        checked,
    })
}

fn all_clauses(ctx: &AdminContext) -> Vec<ClauseOption> {
    ctx.policy
        .external
        .clauses
        .iter()
        .filter_map(|c| clause_option(&ctx.slug, &ctx.policy, c.number, false))
        .collect()
}

// ---------------------------------------------------------------------------
// Inbox.

/// The inbox's filters, as typed in its GET form.
#[derive(Debug, Clone, Default)]
pub(crate) struct InboxFilter {
    pub account: Option<AccountId>,
    pub category: Option<String>,
    pub state: Option<String>,
    /// `YYYY-MM-DD` or a date-time: items due before it.
    pub deadline: Option<String>,
    pub mine: bool,
    pub page: i64,
}

pub(crate) const PAGE_SIZE: i64 = 50;

impl InboxFilter {
    pub fn from_pairs(q: &Pairs) -> InboxFilter {
        InboxFilter {
            account: q.int("account").map(AccountId),
            category: q.get("categoria").map(String::from),
            state: q.get("stato").map(String::from),
            deadline: q.get("scadenza").map(String::from),
            mine: q.get("mie").is_some(),
            page: q.int("pagina").unwrap_or(1).max(1),
        }
    }

    /// The desk's filter, scoped to the accounts `session` may see.
    pub fn to_queue(&self, session: &StaffSession) -> Result<QueueFilter, AppError> {
        let states = match self.state.as_deref() {
            None | Some("aperti") => Vec::new(),
            Some("tutti") => vec![
                CommentState::New,
                CommentState::InReview,
                CommentState::Resolved,
            ],
            Some(s) => vec![s.parse::<CommentState>()?],
        };
        if let Some(c) = &self.category {
            c.parse::<Category>().map_err(|_| AppError::Desk {
                code: "invalid_input",
                message: format!("Dati non validi: categoria sconosciuta `{c}`"),
            })?;
        }
        let deadline_before = match &self.deadline {
            Some(d) => Some(parse_when(d).ok_or_else(|| AppError::Desk {
                code: "invalid_input",
                message: format!("Dati non validi: data di scadenza non valida `{d}`"),
            })?),
            None => None,
        };
        Ok(QueueFilter {
            account_id: self.account,
            states,
            category: self.category.clone(),
            assigned_to: self.mine.then_some(session.staff_id),
            deadline_before,
            scope_of: Some(session.actor()),
            limit: PAGE_SIZE + 1,
            offset: (self.page - 1) * PAGE_SIZE,
        })
    }
}

struct InboxRow {
    id: CommentId,
    account: String,
    platform: String,
    author: String,
    excerpt: String,
    received: String,
    state: &'static str,
    categories: Vec<String>,
    serious: bool,
    deadline: Option<String>,
    overdue: bool,
    assigned_to: Option<String>,
    /// The author was banned from the account when writing it.
    banned: bool,
}

fn excerpt(text: Option<&str>) -> String {
    match text {
        None => "(testo rimosso per scadenza dei termini di conservazione)".into(),
        Some(t) => {
            let mut s: String = t.chars().take(140).collect();
            if t.chars().count() > 140 {
                s.push('…');
            }
            s
        }
    }
}

fn inbox_row(i: &QueueItem) -> InboxRow {
    InboxRow {
        id: i.id,
        account: i.account.clone(),
        platform: i.platform.clone(),
        author: i.author_name.clone().unwrap_or_else(|| "—".into()),
        excerpt: excerpt(i.text.as_deref()),
        received: when(i.created_at),
        state: i.state.label_it(),
        categories: i.flagged.iter().map(|c| category_label(c)).collect(),
        serious: i.severity >= piazza_policy::SERIOUS_SEVERITY,
        deadline: i.deadline_at.map(when),
        overdue: i.sla_state == Some(SlaState::Breached),
        assigned_to: i.assigned_to.clone(),
        banned: i.author_banned,
    }
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
    /// Why the platform cannot do it; the choice is shown disabled.
    unavailable: Option<String>,
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    layout: Layout,
    csrf_field: &'static str,
    csrf_token: String,
    rows: Vec<InboxRow>,
    accounts: Vec<Choice>,
    categories: Vec<Choice>,
    states: Vec<Choice>,
    deadline: String,
    mine: bool,
    filtered: bool,
    can_act: bool,
    clauses: Vec<ClauseOption>,
    bulk_kinds: Vec<Choice>,
    page: i64,
    prev_page: Option<String>,
    next_page: Option<String>,
    notice: Option<String>,
}

fn page_link(q: &Pairs, page: i64) -> String {
    let mut pairs: Vec<(String, String)> =
        q.0.iter()
            .filter(|(k, _)| k != "pagina" && k != "esito")
            .cloned()
            .collect();
    pairs.push(("pagina".into(), page.to_string()));
    format!(
        "/desk?{}",
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    )
}

pub(crate) async fn inbox(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    if !session.has_any(QUEUE) && session.has_any(REGISTRY_READ) {
        // A technical administrator does not moderate: their desk is the
        // registry.
        return Ok(Redirect::to("/desk/registro").into_response());
    }
    if !session.has_any(QUEUE) && session.has_any(&[Role::Ufficio]) {
        // An office's referente never sees the moderation queue: their
        // desk is their office's tickets.
        return Ok(Redirect::to("/desk/ticket").into_response());
    }
    session.require(QUEUE)?;
    let q = Pairs(q);
    let f = InboxFilter::from_pairs(&q);
    let filter = f.to_queue(&session)?;
    let ctx = context(&state, &session).await?;
    let admin = session.admin_id;
    let (mut items, accounts) = state
        .run(move |d| Ok((d.queue(admin, &filter)?, d.accounts(admin)?)))
        .await?;
    let more = items.len() as i64 > PAGE_SIZE;
    items.truncate(PAGE_SIZE as usize);
    let state_choice = f.state.clone().unwrap_or_else(|| "aperti".into());
    let notice = q.get("esito").map(|n| {
        format!("Azione multipla registrata su {n} commenti. Ogni commento ha la sua motivazione nello storico.")
    });
    let page = InboxPage {
        layout: Layout::desk(&state, &session, &ctx, "Da trattare", DeskSection::Inbox),
        csrf_field: CSRF_FIELD,
        csrf_token: state.csrf.token(&session.session_id),
        rows: items.iter().map(inbox_row).collect(),
        accounts: accounts
            .iter()
            .map(|a| Choice {
                value: a.id.to_string(),
                label: format!("{} ({})", a.name, a.platform),
                selected: f.account == Some(a.id),
                unavailable: None,
            })
            .collect(),
        categories: Category::ALL
            .iter()
            .map(|c| Choice {
                value: c.as_str().into(),
                label: c.label_it().into(),
                selected: f.category.as_deref() == Some(c.as_str()),
                unavailable: None,
            })
            .collect(),
        states: [
            ("aperti", "da trattare (nuovi e in esame)"),
            ("new", "nuovi"),
            ("in_review", "in esame"),
            ("resolved", "chiusi"),
            ("tutti", "tutti"),
        ]
        .iter()
        .map(|(v, l)| Choice {
            value: (*v).into(),
            label: (*l).into(),
            selected: state_choice == *v,
            unavailable: None,
        })
        .collect(),
        deadline: f.deadline.clone().unwrap_or_default(),
        mine: f.mine,
        filtered: f.account.is_some()
            || f.category.is_some()
            || f.state.is_some()
            || f.deadline.is_some()
            || f.mine,
        can_act: session.has_any(&[Role::Moderatore, Role::Dirigente]),
        clauses: all_clauses(&ctx),
        bulk_kinds: [
            ActionKind::Hide,
            ActionKind::Remove,
            ActionKind::Warn,
            ActionKind::Report,
            ActionKind::Keep,
        ]
        .iter()
        .map(|k| Choice {
            value: k.as_str().into(),
            label: k.label_it().into(),
            selected: false,
            unavailable: None,
        })
        .collect(),
        page: f.page,
        prev_page: (f.page > 1).then(|| page_link(&q, f.page - 1)),
        next_page: more.then(|| page_link(&q, f.page + 1)),
        notice,
    };
    Ok(render(&page))
}

/// The request of a decision form (single or bulk).
pub(crate) fn act_request(form: &Pairs, comment_id: CommentId) -> Result<ActRequest, AppError> {
    let kind = form
        .get("azione")
        .ok_or_else(|| AppError::Desk {
            code: "invalid_input",
            message: "Dati non validi: scegli l'azione da compiere.".into(),
        })?
        .parse::<ActionKind>()?;
    let clauses = form
        .all("clausole")
        .iter()
        .map(|c| c.parse::<u32>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| AppError::BadRequest("clause numbers".into()))?;
    let ban_days = match form.get("giorni") {
        Some(d) => Some(d.parse::<u32>().map_err(|_| AppError::Desk {
            code: "invalid_input",
            message: "Dati non validi: i giorni di allontanamento sono un numero intero.".into(),
        })?),
        None => None,
    };
    Ok(ActRequest {
        comment_id,
        kind: Some(kind),
        clauses,
        categories: Vec::new(),
        reason: form.get("motivo").map(String::from),
        template: form.get("modello").map(String::from),
        reply_text: form.get("testo").map(String::from),
        office: form.get("ufficio").map(String::from),
        ban_days,
        assign_to: form.get("assegna_a").map(String::from),
        expected_version: form.int("expected_version"),
    })
}

pub(crate) async fn bulk_submit(
    State(state): State<AppState>,
    CsrfForm { session, form }: CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    session.require(ACTING)?;
    let form = Pairs(form);
    let ids = form
        .all("commenti")
        .iter()
        .map(|c| c.parse::<CommentId>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| AppError::BadRequest("comment ids".into()))?;
    if ids.is_empty() {
        return Err(AppError::Desk {
            code: "invalid_input",
            message: "Dati non validi: seleziona almeno un commento.".into(),
        });
    }
    let mut req = act_request(&form, CommentId(0))?;
    req.expected_version = None;
    let actor = session.actor();
    let n = ids.len();
    state
        .run(move |d| d.act_bulk(&actor, &BulkTarget::Comments(ids), &req))
        .await?;
    Ok(Redirect::to(&format!("/desk?esito={n}")).into_response())
}

// ---------------------------------------------------------------------------
// One item.

struct FindingView {
    category: String,
    score: String,
    flagged: bool,
    explanation: String,
    clause: Option<ClauseOption>,
    evidence: Vec<String>,
}

struct SuggestionView {
    category: String,
    action: &'static str,
    clause: Option<ClauseOption>,
}

struct TemplateView {
    id: &'static str,
    name: &'static str,
    text: String,
}

/// A reply template a redirect can send, preselected when the comment's
/// intent calls for it.
struct RedirectView {
    id: &'static str,
    name: &'static str,
    text: String,
    checked: bool,
}

/// What the policy suggests for the comment's intent.
struct IntentSuggestionView {
    intent: &'static str,
    action: &'static str,
    template: Option<&'static str>,
}

struct ActionView {
    id: ActionId,
    when: String,
    kind: &'static str,
    status: &'static str,
    /// What the decision asked of the platform, each step as it stands.
    steps: Vec<StepView>,
    actor: String,
    clauses: Vec<ClauseOption>,
    reason: Option<String>,
    statement: Option<String>,
    reply_text: Option<String>,
    office: Option<String>,
    ticket: Option<String>,
}

/// A ticket of the comment, with the draft reply its office's answer left.
struct ItemTicketView {
    id: piazza_desk::TicketId,
    number: String,
    office: String,
    state: &'static str,
    version: i64,
    draft: Option<String>,
    /// The draft waits for this person's review.
    can_send: bool,
}

struct RevisionView {
    revision: i64,
    when: String,
    text: String,
}

struct OutcomeView {
    kind: &'static str,
    pending: bool,
    /// A written reply waiting for its approval.
    awaiting_approval: bool,
    statement: Option<String>,
    ticket: Option<String>,
    reply_text: Option<String>,
    steps: Vec<StepView>,
}

/// One platform step of a decision.
struct StepView {
    text: String,
    /// The step failed or is left to a person, and this person may put it
    /// back in the queue.
    retry: Option<piazza_desk::OutboxId>,
}

#[derive(Template)]
#[template(path = "item.html")]
struct ItemPage {
    layout: Layout,
    csrf_field: &'static str,
    csrf_token: String,
    id: CommentId,
    version: i64,
    account: String,
    platform: String,
    author: String,
    received: String,
    state: &'static str,
    resolution: Option<&'static str>,
    resolved: bool,
    deadline: Option<String>,
    policy_version: String,
    post_text: Option<String>,
    post_url: Option<String>,
    segments: Vec<Segment>,
    tickets: Vec<ItemTicketView>,
    purged: bool,
    findings: Vec<FindingView>,
    suggestions: Vec<SuggestionView>,
    covering: Vec<ClauseOption>,
    others: Vec<ClauseOption>,
    restrictive: Vec<Choice>,
    templates: Vec<TemplateView>,
    redirects: Vec<RedirectView>,
    intent_suggestion: Option<IntentSuggestionView>,
    can_act: bool,
    can_restrict: bool,
    /// Why replies cannot be posted on this platform, when they cannot.
    reply_unavailable: Option<String>,
    /// The author was banned when the comment arrived (until when).
    banned_until: Option<String>,
    /// Citizens' reports of the comment: (received, clause, reason).
    user_reports: Vec<(String, Option<u32>, String)>,
    /// When the comment was deleted on the platform.
    deleted_on_platform: Option<String>,
    /// A removal proposed by somebody else waits for a second moderator.
    pending_removal: Option<String>,
    /// A written reply waiting for approval: (author, text).
    pending_reply: Option<(String, String)>,
    /// The editorial checks of that reply, one sentence each.
    reply_checks: Vec<String>,
    /// The election period's notice, while one is on.
    election_notice: Option<String>,
    /// This person took or confirmed the last restrictive decision: the
    /// desk lets someone else reopen or unhide it.
    own_decision: bool,
    /// This person may approve it (a dirigente who did not write it).
    can_approve: bool,
    preview: Option<String>,
    history: Vec<ActionView>,
    revisions: Vec<RevisionView>,
    error: Option<String>,
    outcome: Option<OutcomeView>,
}

/// Flagged categories of the current revision, most serious first.
fn flagged_categories(d: &ItemDetail) -> Vec<Category> {
    let rev = d.findings.iter().map(|f| f.revision).max().unwrap_or(0);
    let mut out = Vec::new();
    for f in d.findings.iter().filter(|f| f.revision == rev && f.flagged) {
        if let Some(c) = f
            .category
            .as_deref()
            .and_then(|c| c.parse::<Category>().ok())
            && !out.contains(&c)
        {
            out.push(c);
        }
    }
    out
}

/// The statement a citizen would receive, before the decision is taken:
/// the desk's own text (so the preview cannot drift from what is sent),
/// without the reference number the decision will get.
fn preview(
    state: &AppState,
    ctx: &AdminContext,
    d: &ItemDetail,
    kind: ActionKind,
    clause: u32,
    cats: &[Category],
) -> String {
    piazza_desk::statement_preview(
        ctx,
        kind,
        piazza_desk::StatementSubject {
            created_at: d.item.created_at,
            account: &d.item.account,
            platform: &d.item.platform,
            reported_by_user: !d.user_reports.is_empty(),
        },
        &[clause],
        cats,
        // The categories previewed are the analysis's flagged ones.
        true,
        state.desk.now(),
    )
    .text
}

fn item_page(
    state: &AppState,
    session: &StaffSession,
    ctx: &AdminContext,
    d: &ItemDetail,
    outcome_id: Option<ActionId>,
    error: Option<String>,
) -> ItemPage {
    let p = &ctx.policy;
    let slug = &ctx.slug;
    let pending_reply = d
        .actions
        .iter()
        .rev()
        .find(|a| a.status == ActionStatus::PendingApproval)
        .map(|a| {
            (
                a.actor.clone().unwrap_or_default(),
                a.reply_text.clone().unwrap_or_default(),
            )
        });
    let rev = d.findings.iter().map(|f| f.revision).max().unwrap_or(0);
    let mut spans = Vec::new();
    let findings: Vec<FindingView> = d
        .findings
        .iter()
        .filter(|f| f.revision == rev)
        .map(|f| {
            let ev: Vec<(usize, usize, String)> = f
                .evidence
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|e| {
                            Some((
                                e.get("start")?.as_u64()? as usize,
                                e.get("end")?.as_u64()? as usize,
                                e.get("text")?.as_str()?.to_string(),
                            ))
                        })
                        .collect()
                })
                .unwrap_or_default();
            if f.flagged {
                spans.extend(ev.iter().map(|(s, e, _)| (*s, *e)));
            }
            FindingView {
                category: f
                    .category
                    .as_deref()
                    .map(category_label)
                    .or_else(|| f.intent.clone())
                    .or_else(|| f.kind.clone())
                    .unwrap_or_else(|| "—".into()),
                score: format!("{:.0}%", f.score * 100.0),
                flagged: f.flagged,
                explanation: f.explanation.clone(),
                clause: f
                    .clause
                    .and_then(|n| clause_option(slug, p, n as u32, false)),
                evidence: ev.into_iter().map(|(_, _, t)| t).collect(),
            }
        })
        .collect();
    let flagged = flagged_categories(d);
    let suggested = p.suggestions(&flagged);
    let suggestions: Vec<SuggestionView> = suggested
        .iter()
        .map(|s| SuggestionView {
            category: s.category.label_it().into(),
            action: s.action.label_it(),
            clause: s.clause.and_then(|n| clause_option(slug, p, n, false)),
        })
        .collect();
    let suggested_clauses: BTreeSet<u32> = suggested.iter().filter_map(|s| s.clause).collect();
    let covering_numbers = p.covering_clauses(&flagged);
    let covering: Vec<ClauseOption> = covering_numbers
        .iter()
        .filter_map(|n| clause_option(slug, p, *n, suggested_clauses.contains(n)))
        .collect();
    let others: Vec<ClauseOption> = p
        .external
        .clauses
        .iter()
        .filter(|cl| !covering_numbers.contains(&cl.number))
        .filter_map(|cl| clause_option(slug, p, cl.number, false))
        .collect();
    let proposal = p.proposed_decision(&flagged);
    let restrictive = [
        ActionKind::Hide,
        ActionKind::Remove,
        ActionKind::Warn,
        ActionKind::Ban,
        ActionKind::Report,
    ]
    .iter()
    .map(|k| {
        let unavailable = match k.support_on(&d.item.platform) {
            Support::Yes => None,
            Support::No(why) => Some(why.to_string()),
        };
        Choice {
            value: k.as_str().into(),
            label: k.label_it().into(),
            selected: unavailable.is_none()
                && proposal
                    .as_ref()
                    .is_some_and(|d| d.measure.as_str() == k.as_str()),
            unavailable,
        }
    })
    .collect();
    let preview = proposal.as_ref().map(|prop| {
        let kind = prop
            .measure
            .as_str()
            .parse::<ActionKind>()
            .unwrap_or(ActionKind::Hide);
        preview(state, ctx, d, kind, prop.clause, &prop.categories)
    });
    let templates = TEMPLATES
        .iter()
        .filter(|(id, _)| *id != "risposta")
        .filter_map(|(id, name)| {
            render_template(id, p, None)
                .ok()
                .map(|text| TemplateView { id, name, text })
        })
        .collect();
    // A crime report is redirected to 112 and the police, anything else to
    // the URP: the redirect offers the templates the policy can fill, the
    // one the comment's intents call for first.
    let intents: Vec<Intent> = d
        .findings
        .iter()
        .filter(|f| f.revision == rev)
        .filter_map(|f| f.intent.as_deref()?.parse().ok())
        .collect();
    let template_name = |id: &str| {
        TEMPLATES
            .iter()
            .find(|(t, _)| *t == id)
            .map_or("", |(_, name)| *name)
    };
    let wanted = redirect_template(&intents);
    let mut redirects: Vec<RedirectView> = REDIRECT_TEMPLATES
        .iter()
        .filter_map(|id| {
            render_template(id, p, None).ok().map(|text| RedirectView {
                id,
                name: template_name(id),
                text,
                checked: *id == wanted,
            })
        })
        .collect();
    redirects.sort_by_key(|r| !r.checked);
    if let Some(first) = redirects.first_mut() {
        first.checked = true;
    }
    let intent_suggestion = intent_suggestion(p, &intents).map(|s| IntentSuggestionView {
        intent: s.intent.label_it(),
        action: s.action.label_it(),
        template: s.template.map(template_name),
    });
    // The steps come newest first; each decision lists its own in order.
    let may_retry = session.has_any(&[Role::Admin, Role::Dirigente, Role::Moderatore]);
    let steps_of = |action: ActionId| -> Vec<StepView> {
        d.steps
            .iter()
            .rev()
            .filter(|s| s.action_id == Some(action))
            .map(|s| StepView {
                text: s.describe_it(when),
                retry: (may_retry && s.retryable()).then_some(s.id),
            })
            .collect()
    };
    let history = d
        .actions
        .iter()
        .map(|a| ActionView {
            id: a.id,
            when: when(a.created_at),
            kind: a.kind.label_it(),
            status: a.status.label_it(),
            steps: steps_of(a.id),
            actor: a.actor.clone().unwrap_or_else(|| "sistema".into()),
            clauses: a
                .clauses
                .iter()
                .filter_map(|n| clause_option(slug, p, *n, false))
                .collect(),
            reason: a.reason.clone(),
            statement: a.statement.clone(),
            reply_text: a.reply_text.clone(),
            office: a.office.clone(),
            ticket: a.ticket_number.clone(),
        })
        .collect();
    let outcome = outcome_id
        .and_then(|oid| d.actions.iter().find(|a| a.id == oid))
        .map(|a| OutcomeView {
            kind: a.kind.label_it(),
            pending: a.status == ActionStatus::PendingConfirmation,
            awaiting_approval: a.status == ActionStatus::PendingApproval,
            statement: a.statement.clone(),
            ticket: a.ticket_number.clone(),
            reply_text: a.reply_text.clone(),
            steps: steps_of(a.id),
        });
    let i = &d.item;
    ItemPage {
        layout: Layout::desk(
            state,
            session,
            ctx,
            &format!("Commento n. {}", i.id),
            DeskSection::Inbox,
        ),
        csrf_field: CSRF_FIELD,
        csrf_token: state.csrf.token(&session.session_id),
        id: i.id,
        version: i.version,
        account: i.account.clone(),
        platform: i.platform.clone(),
        author: i.author_name.clone().unwrap_or_else(|| "—".into()),
        received: when(i.created_at),
        state: i.state.label_it(),
        resolution: i.resolution.map(Resolution::label_it),
        resolved: i.state == CommentState::Resolved,
        deadline: i.deadline_at.map(when),
        policy_version: ctx.policy_version.clone(),
        post_text: d.post_text.clone(),
        post_url: d.post_url.clone(),
        tickets: d
            .tickets
            .iter()
            .map(|t| ItemTicketView {
                id: t.id,
                number: t.number.clone(),
                office: t.office.clone(),
                state: t.state.label_it(),
                version: t.version,
                draft: t.draft_reply.clone(),
                can_send: session.has_any(ACTING)
                    && t.state.after(piazza_desk::TicketEvent::ReplySent).is_some(),
            })
            .collect(),
        segments: i
            .text
            .as_deref()
            .map(|t| highlight(t, &spans))
            .unwrap_or_default(),
        purged: i.text.is_none(),
        findings,
        suggestions,
        covering,
        others,
        restrictive,
        templates,
        redirects,
        intent_suggestion,
        can_act: session.has_any(ACTING),
        can_restrict: session.has_any(&[Role::Moderatore, Role::Dirigente]),
        reply_unavailable: match ActionKind::Reply.support_on(&i.platform) {
            Support::Yes => None,
            Support::No(why) => Some(why.to_string()),
        },
        user_reports: d
            .user_reports
            .iter()
            .map(|r| {
                (
                    when(r.received_at),
                    r.clause,
                    r.reason.clone().unwrap_or_default(),
                )
            })
            .collect(),
        banned_until: d.author_ban_until.map(|u| match u {
            Some(t) => format!("fino al {}", when(t)),
            None => "a tempo indeterminato".to_string(),
        }),
        deleted_on_platform: d.platform_deleted_at.map(when),
        pending_removal: d
            .actions
            .iter()
            .rev()
            .find(|a| a.status == ActionStatus::PendingConfirmation)
            .map(|a| a.actor.clone().unwrap_or_default()),
        reply_checks: pending_reply
            .as_ref()
            .map(|(_, text)| {
                piazza_desk::editorial::check_text(
                    &ctx.analyzer,
                    text,
                    d.item.platform.parse().ok(),
                    d.election_period
                        .as_ref()
                        .map(|_| d.public_figures.as_slice()),
                )
                .issues
                .iter()
                .map(|i| {
                    if i.passage.is_empty() {
                        format!("{}: {}; {}", i.kind.label_it(), i.message, i.suggestion)
                    } else {
                        format!(
                            "{} «{}»: {}; suggerimento: {}",
                            i.kind.label_it(),
                            i.passage,
                            i.message,
                            i.suggestion
                        )
                    }
                })
                .collect()
            })
            .unwrap_or_default(),
        election_notice: d.election_period.as_ref().map(|p| p.notice_it()),
        own_decision: d
            .actions
            .iter()
            .rev()
            .find(|a| a.kind.is_restrictive() && a.status == ActionStatus::Done)
            .is_some_and(|a| {
                [a.actor.as_deref(), a.confirmed_by.as_deref()]
                    .contains(&Some(session.username.as_str()))
            }),
        pending_reply: pending_reply.clone(),
        can_approve: session.has_any(&[Role::Dirigente])
            && pending_reply
                .as_ref()
                .is_some_and(|(by, _)| *by != session.username),
        preview,
        history,
        revisions: d
            .revisions
            .iter()
            .map(|r| RevisionView {
                revision: r.revision,
                when: when(r.seen_at),
                text: r.text.clone().unwrap_or_else(|| "(testo rimosso)".into()),
            })
            .collect(),
        error,
        outcome,
    }
}

pub(crate) async fn item(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    Path(id): Path<CommentId>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    session.require(QUEUE)?;
    let ctx = context(&state, &session).await?;
    let actor = session.actor();
    let d = state.run(move |desk| desk.item(&actor, id)).await?;
    let outcome = Pairs(q).int("esito").map(ActionId);
    Ok(render(&item_page(
        &state, &session, &ctx, &d, outcome, None,
    )))
}

pub(crate) async fn act_submit(
    State(state): State<AppState>,
    Path(id): Path<CommentId>,
    CsrfForm { session, form }: CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    session.require(ACTING)?;
    let form = Pairs(form);
    let result = match act_request(&form, id) {
        Ok(req) => {
            let actor = session.actor();
            state.run(move |d| d.act(&actor, &req)).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(out) => Ok(Redirect::to(&format!(
            "/desk/commenti/{id}?esito={}#esito",
            out.action_id
        ))
        .into_response()),
        // A refusal the moderator can fix: the page again, with the reason.
        Err(e @ AppError::Desk { .. })
            if !matches!(e.status(), StatusCode::FORBIDDEN | StatusCode::NOT_FOUND) =>
        {
            let ctx = context(&state, &session).await?;
            let actor = session.actor();
            let d = state.run(move |desk| desk.item(&actor, id)).await?;
            let msg = e.message();
            let page = item_page(&state, &session, &ctx, &d, None, Some(msg));
            Ok((e.status(), render(&page)).into_response())
        }
        Err(e) => Err(e),
    }
}
