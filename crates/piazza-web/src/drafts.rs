//! The editorial desk's pages (bozze): the drafts of the administration's
//! publications, a form to open one, and each draft with its current
//! version, the checks of that version, every earlier version, the
//! comments and the decisions. The forms shown are those the person may
//! use (the desk refuses the others anyway): writers revise and submit,
//! reviewers who wrote no version approve or reject, then queue it for
//! publication (or publish it at once on the urgent path); the page says
//! where the publication stands and retries a failed one.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use piazza_desk::{
    AccountId, Draft, DraftContent, DraftDecision, DraftId, DraftMedia, DraftState, MediaLicence,
    NewDraft, Role,
};
use serde::Deserialize;

use crate::auth::{Authenticated, StaffSession};
use crate::csrf::{CSRF_FIELD, CsrfForm};
use crate::desk::{DeskSection, context};
use crate::error::AppError;
use crate::pages::{Layout, render};
use crate::state::AppState;
use crate::views::{Pairs, page_status, when};

/// Who opens and rewrites drafts (an office's referente asks for a
/// publication by opening one).
pub(crate) const WRITERS: &[Role] = &[
    Role::Redattore,
    Role::Dirigente,
    Role::OperatoreUrp,
    Role::Ufficio,
];
/// Who approves or rejects.
pub(crate) const REVIEWERS: &[Role] = &[Role::Redattore, Role::Dirigente];

struct DraftRow {
    id: String,
    title: String,
    account: String,
    state: String,
    version: i64,
    approvals: String,
    scheduled: String,
    updated: String,
}

fn row(d: &Draft) -> DraftRow {
    DraftRow {
        id: d.id.to_string(),
        title: d.title.clone(),
        account: format!("{} ({})", d.account_name, d.platform),
        state: if d.awaits_approval_after_urgent() {
            format!(
                "{} d'urgenza, approvazione da registrare",
                d.state.label_it()
            )
        } else {
            d.state.label_it().to_string()
        },
        version: d.version,
        approvals: format!("{} su {}", d.approvals_given, d.approvals_needed),
        scheduled: d.scheduled_at.map(when).unwrap_or_else(|| "—".into()),
        updated: when(d.updated_at),
    }
}

struct RequestView {
    id: String,
    requester: String,
    reply_to: String,
    subject: String,
    body: String,
    purpose: String,
    wanted_on: String,
    link: String,
    received: String,
}

#[derive(Template)]
#[template(path = "drafts.html")]
struct DraftsPage {
    layout: Layout,
    csrf_field: &'static str,
    csrf_token: String,
    drafts: Vec<DraftRow>,
    filter: String,
    states: Vec<(&'static str, &'static str)>,
    can_write: bool,
    accounts: Vec<(String, String)>,
    licences: Vec<(&'static str, &'static str)>,
    photo_rules: Vec<(&'static str, &'static str, bool)>,
    /// Requests to publish from the public, to examine (reviewers only).
    requests: Vec<RequestView>,
    election: Option<String>,
    error: Option<String>,
    content_text: String,
    content_link: String,
    content_file: String,
    content_alt: String,
}

pub(crate) async fn drafts_page(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let filter = Pairs(q).get("stato").unwrap_or("").to_string();
    list(&state, &session, filter, None).await
}

async fn list(
    state: &AppState,
    session: &StaffSession,
    filter: String,
    error: Option<String>,
) -> Result<Response, AppError> {
    session.require(&[WRITERS, REVIEWERS].concat())?;
    let ctx = context(state, session).await?;
    let st: Option<DraftState> = if filter.is_empty() {
        None
    } else {
        Some(
            filter
                .parse()
                .map_err(|e: piazza_desk::DeskError| AppError::BadRequest(e.message_it()))?,
        )
    };
    let admin = session.admin_id;
    let reviewer = session.has_any(REVIEWERS);
    let actor = session.actor();
    let (drafts, accounts, election, rules, requests) = state
        .run(move |d| {
            Ok((
                d.drafts(admin, st)?,
                d.accounts(admin)?,
                d.election_period_now(admin)?,
                d.photo_rules(admin)?,
                if reviewer {
                    d.publication_requests(&actor, false)?
                } else {
                    Vec::new()
                },
            ))
        })
        .await?;
    let status = page_status(&error);
    let page = DraftsPage {
        layout: Layout::desk(state, session, &ctx, "Bozze", DeskSection::Drafts),
        csrf_field: CSRF_FIELD,
        csrf_token: state.csrf.token(&session.session_id),
        drafts: drafts.iter().map(row).collect(),
        filter,
        states: DraftState::ALL
            .iter()
            .map(|s| (s.as_str(), s.label_it()))
            .collect(),
        can_write: session.has_any(WRITERS),
        accounts: accounts
            .iter()
            .map(|a| (a.id.to_string(), format!("{} ({})", a.name, a.platform)))
            .collect(),
        licences: MediaLicence::ALL
            .iter()
            .map(|l| (l.as_str(), l.label_it()))
            .collect(),
        photo_rules: rules.iter().map(|r| (r.id, r.label, false)).collect(),
        requests: requests
            .into_iter()
            .map(|r| RequestView {
                id: r.id.to_string(),
                requester: r.requester,
                reply_to: r.reply_to.unwrap_or_default(),
                subject: r.subject,
                body: r.body,
                purpose: r.purpose.unwrap_or_default(),
                wanted_on: r.wanted_on.unwrap_or_default(),
                link: r.link.unwrap_or_default(),
                received: when(r.received_at),
            })
            .collect(),
        election: election.map(|p| p.notice_it()),
        error,
        content_text: String::new(),
        content_link: String::new(),
        content_file: String::new(),
        content_alt: String::new(),
    };
    Ok((status, render(&page)).into_response())
}

/// The text and the (optional) image of a version, as the forms send it.
#[derive(Deserialize)]
pub(crate) struct ContentForm {
    testo: String,
    #[serde(default)]
    link: String,
    #[serde(default)]
    file: String,
    #[serde(default)]
    alt: String,
    #[serde(default)]
    licenza: String,
    /// The photo checklist: one checkbox per rule, checked = confirmed.
    #[serde(default)]
    conferma_testo: Option<String>,
    #[serde(default)]
    conferma_minori_e_volti: Option<String>,
    #[serde(default)]
    conferma_esercizi_e_marchi: Option<String>,
    #[serde(default)]
    conferma_politici: Option<String>,
}

impl ContentForm {
    fn content(&self) -> Result<DraftContent, AppError> {
        let media = if self.file.trim().is_empty() {
            Vec::new()
        } else {
            vec![DraftMedia {
                file: self.file.trim().to_string(),
                alt_text: self.alt.trim().to_string(),
                licence: self
                    .licenza
                    .parse()
                    .map_err(|e: piazza_desk::DeskError| AppError::BadRequest(e.message_it()))?,
                confirmed: [
                    ("testo", &self.conferma_testo),
                    ("minori_e_volti", &self.conferma_minori_e_volti),
                    ("esercizi_e_marchi", &self.conferma_esercizi_e_marchi),
                    ("politici", &self.conferma_politici),
                ]
                .into_iter()
                .filter(|(_, v)| v.is_some())
                .map(|(id, _)| id.to_string())
                .collect(),
            }]
        };
        Ok(DraftContent {
            body: self.testo.clone(),
            link: Some(self.link.trim().to_string()).filter(|l| !l.is_empty()),
            media,
        })
    }
}

#[derive(Deserialize)]
pub(crate) struct NewForm {
    account: i64,
    titolo: String,
    #[serde(default)]
    richiedente: String,
    #[serde(default)]
    scopo: String,
    #[serde(default)]
    campagna: String,
    /// `YYYY-MM-DDTHH:MM`, Rome time (the browser's datetime-local).
    #[serde(default)]
    prevista: String,
    #[serde(flatten)]
    content: ContentForm,
}

fn given(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

pub(crate) async fn create_submit(
    State(state): State<AppState>,
    CsrfForm { session, form }: CsrfForm<NewForm>,
) -> Result<Response, AppError> {
    session.require(WRITERS)?;
    let scheduled_at = given(&form.prevista)
        .map(|p| {
            piazza_calendar::parse_instant(&p)
                .map(|t| t.as_millisecond())
                .map_err(|e| {
                    AppError::BadRequest(format!("data e ora di pubblicazione «{p}»: {e}"))
                })
        })
        .transpose()?;
    let new = NewDraft {
        account_id: AccountId(form.account),
        title: form.titolo.clone(),
        requested_by: given(&form.richiedente),
        purpose: given(&form.scopo),
        campaign: given(&form.campagna),
        scheduled_at,
        content: form.content.content()?,
    };
    let actor = session.actor();
    match state.run(move |d| d.create_draft(&actor, &new)).await {
        Ok(id) => Ok(Redirect::to(&format!("/desk/bozze/{id}?esito=aperta")).into_response()),
        Err(AppError::Desk {
            code: "invalid_input" | "forbidden" | "out_of_scope",
            message,
        }) => list(&state, &session, String::new(), Some(message)).await,
        Err(e) => Err(e),
    }
}

struct VersionView {
    version: i64,
    body: String,
    link: Option<String>,
    media: Vec<(String, String, &'static str)>,
    written_by: String,
    written_at: String,
}

struct CheckView {
    kind: &'static str,
    passage: String,
    message: String,
    suggestion: String,
}

#[derive(Template)]
#[template(path = "draft.html")]
struct DraftPage {
    layout: Layout,
    csrf_field: &'static str,
    csrf_token: String,
    draft: DraftRow,
    requested_by: Option<String>,
    purpose: Option<String>,
    campaign: Option<String>,
    created_by: String,
    approved: bool,
    /// The publication step in one sentence.
    publication: Option<String>,
    published_ref: Option<String>,
    /// Published on the urgent path, approvals still missing.
    urgent_mark: Option<String>,
    urgent_note: Option<String>,
    can_publish: bool,
    can_publish_urgent: bool,
    can_retry: bool,
    /// Other accounts an approved campaign can be relayed to.
    relay_targets: Vec<(String, String)>,
    relayed_from: Option<String>,
    current: VersionView,
    older: Vec<VersionView>,
    gulpease: Option<String>,
    checks: Vec<CheckView>,
    comments: Vec<(String, String, String)>,
    decisions: Vec<String>,
    can_revise: bool,
    can_submit: bool,
    can_decide: bool,
    own: bool,
    licences: Vec<(&'static str, &'static str)>,
    photo_rules: Vec<(&'static str, &'static str, bool)>,
    election: Option<String>,
    error: Option<String>,
    notice: Option<&'static str>,
    content_text: String,
    content_link: String,
    content_file: String,
    content_alt: String,
}

fn version_view(v: &piazza_desk::DraftVersion) -> VersionView {
    VersionView {
        version: v.version,
        body: v.content.body.clone(),
        link: v.content.link.clone(),
        media: v
            .content
            .media
            .iter()
            .map(|m| (m.file.clone(), m.alt_text.clone(), m.licence.label_it()))
            .collect(),
        written_by: v.written_by.clone(),
        written_at: when(v.written_at),
    }
}

pub(crate) async fn draft_detail(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    Path(id): Path<i64>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let notice = match Pairs(q).get("esito") {
        Some("aperta") => Some("Bozza aperta (versione 1, in scrittura)."),
        Some("versione") => Some(
            "Nuova versione salvata: le approvazioni delle versioni precedenti non contano più.",
        ),
        Some("commento") => Some("Commento aggiunto."),
        Some("inviata") => Some("Bozza inviata in approvazione."),
        Some("decisa") => Some("Decisione registrata."),
        Some("pubblicazione") => {
            Some("Pubblicazione messa in coda: lo stato qui sotto dice se è avvenuta.")
        }
        Some("riprova") => Some("Pubblicazione rimessa in coda."),
        Some("rilanciata") => Some(
            "Campagna rilanciata: le copie sono nell’elenco delle bozze, ognuna con il suo stato.",
        ),
        _ => None,
    };
    detail(&state, &session, DraftId(id), None, notice).await
}

async fn detail(
    state: &AppState,
    session: &StaffSession,
    id: DraftId,
    error: Option<String>,
    notice: Option<&'static str>,
) -> Result<Response, AppError> {
    session.require(&[WRITERS, REVIEWERS].concat())?;
    let ctx = context(state, session).await?;
    let admin = session.admin_id;
    let (d, report, election, rules, accounts, approvers) = state
        .run(move |desk| {
            Ok((
                desk.draft(admin, id)?,
                desk.draft_checks(admin, id)?,
                desk.election_period_now(admin)?,
                desk.photo_rules(admin)?,
                desk.accounts(admin)?,
                desk.draft_approvers(admin)?,
            ))
        })
        .await?;
    let me = session.username.clone();
    let own = d.created_by == me || d.versions.iter().any(|v| v.written_by == me);
    let already = d
        .decisions
        .iter()
        .any(|a| a.version == d.version && a.by == me);
    let urgent_by_me = d.urgent.as_ref().is_some_and(|u| u.by == me);
    let reviewer = session.has_any(REVIEWERS);
    let after_urgent = d.awaits_approval_after_urgent();
    let status = page_status(&error);
    let page = DraftPage {
        layout: Layout::desk(
            state,
            session,
            &ctx,
            &format!("Bozza n. {id}"),
            DeskSection::Drafts,
        ),
        csrf_field: CSRF_FIELD,
        csrf_token: state.csrf.token(&session.session_id),
        draft: row(&d),
        requested_by: d.requested_by.clone(),
        purpose: d.purpose.clone(),
        campaign: d.campaign.clone(),
        created_by: d.created_by.clone(),
        approved: d.state == DraftState::Approvata,
        publication: d.publication.as_ref().map(|p| p.describe_it(when)),
        published_ref: d.published_ref.clone(),
        urgent_mark: d.urgent.as_ref().filter(|_| after_urgent).map(|u| {
            format!(
                "Pubblicata d’urgenza da {} il {} senza le approvazioni: {}. Mancano {} approvazioni su {}, da registrare ora.",
                u.by,
                when(u.at),
                u.reason,
                d.approvals_needed.saturating_sub(d.approvals_given),
                d.approvals_needed
            )
        }),
        urgent_note: d.urgent.as_ref().filter(|_| !after_urgent).map(|u| {
            format!(
                "Pubblicata d’urgenza da {} il {} ({}); le approvazioni sono state registrate dopo.",
                u.by,
                when(u.at),
                u.reason
            )
        }),
        can_publish: d.state == DraftState::Approvata && reviewer,
        can_publish_urgent: matches!(d.state, DraftState::Bozza | DraftState::InApprovazione)
            && reviewer,
        relay_targets: if reviewer
            && d.relayed_from.is_none()
            && matches!(
                d.state,
                DraftState::Approvata | DraftState::Programmata | DraftState::Pubblicata
            )
            && d.approvals_given >= d.approvals_needed
        {
            accounts
                .iter()
                .filter(|a| a.id != d.account_id)
                .map(|a| (a.id.to_string(), format!("{} ({})", a.name, a.platform)))
                .collect()
        } else {
            Vec::new()
        },
        relayed_from: d.relayed_from.map(|r| r.to_string()),
        can_retry: d.state == DraftState::Programmata
            && reviewer
            && d.publication.as_ref().is_some_and(|p| p.retryable()),
        current: version_view(d.current()),
        older: d
            .versions
            .iter()
            .rev()
            .filter(|v| v.version != d.version)
            .map(version_view)
            .collect(),
        gulpease: report.gulpease.map(|g| format!("{g:.0}")),
        checks: report
            .issues
            .iter()
            .map(|i| CheckView {
                kind: i.kind.label_it(),
                passage: i.passage.clone(),
                message: i.message.clone(),
                suggestion: i.suggestion.clone(),
            })
            .collect(),
        comments: d
            .comments
            .iter()
            .map(|c| (c.by.clone(), when(c.at), c.body.clone()))
            .collect(),
        decisions: d
            .decisions
            .iter()
            .map(|a| {
                format!(
                    "versione {}: {} da {} il {}{}{}",
                    a.version,
                    a.decision.label_it(),
                    a.by,
                    when(a.at),
                    a.note
                        .as_deref()
                        .map(|n| format!(" — {n}"))
                        .unwrap_or_default(),
                    a.impersonal_reason
                        .as_deref()
                        .map(|r| format!(" (impersonale e indispensabile: {r})"))
                        .unwrap_or_default()
                )
            })
            .collect(),
        can_revise: session.has_any(WRITERS),
        can_submit: d.state == DraftState::Bozza && session.has_any(WRITERS),
        can_decide: (d.state == DraftState::InApprovazione || after_urgent)
            && session.has_any(&approvers)
            && !own
            && !urgent_by_me
            && !already,
        own: (own || urgent_by_me) && (d.state == DraftState::InApprovazione || after_urgent),
        licences: MediaLicence::ALL
            .iter()
            .map(|l| (l.as_str(), l.label_it()))
            .collect(),
        photo_rules: {
            let confirmed: Vec<String> = d
                .current()
                .content
                .media
                .first()
                .map(|m| m.confirmed.clone())
                .unwrap_or_default();
            rules
                .iter()
                .map(|r| (r.id, r.label, confirmed.iter().any(|c| c == r.id)))
                .collect()
        },
        election: election.map(|p| p.notice_it()),
        error,
        notice,
        content_text: d.current().content.body.clone(),
        content_link: d.current().content.link.clone().unwrap_or_default(),
        content_file: d
            .current()
            .content
            .media
            .first()
            .map(|m| m.file.clone())
            .unwrap_or_default(),
        content_alt: d
            .current()
            .content
            .media
            .first()
            .map(|m| m.alt_text.clone())
            .unwrap_or_default(),
    };
    Ok((status, render(&page)).into_response())
}

/// Runs a desk call on a draft; the desk's refusals are shown on the
/// draft's page, with nothing changed.
async fn on_draft(
    state: &AppState,
    session: &StaffSession,
    id: DraftId,
    done: &'static str,
    call: impl FnOnce(&piazza_desk::Desk) -> Result<(), piazza_desk::DeskError> + Send + 'static,
) -> Result<Response, AppError> {
    match state.run(call).await {
        Ok(()) => Ok(Redirect::to(&format!("/desk/bozze/{id}?esito={done}")).into_response()),
        Err(AppError::Desk {
            code: "invalid_input" | "forbidden" | "out_of_scope" | "conflict" | "second_moderator",
            message,
        }) => detail(state, session, id, Some(message), None).await,
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub(crate) struct ReviseForm {
    versione: i64,
    #[serde(flatten)]
    content: ContentForm,
}

pub(crate) async fn revise_submit(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { session, form }: CsrfForm<ReviseForm>,
) -> Result<Response, AppError> {
    let content = form.content.content()?;
    let actor = session.actor();
    let id = DraftId(id);
    on_draft(&state, &session, id, "versione", move |d| {
        d.revise_draft(&actor, id, form.versione, &content)
            .map(|_| ())
    })
    .await
}

#[derive(Deserialize)]
pub(crate) struct CommentForm {
    commento: String,
}

pub(crate) async fn comment_submit(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { session, form }: CsrfForm<CommentForm>,
) -> Result<Response, AppError> {
    let actor = session.actor();
    let id = DraftId(id);
    on_draft(&state, &session, id, "commento", move |d| {
        d.comment_draft(&actor, id, &form.commento)
    })
    .await
}

#[derive(Deserialize)]
pub(crate) struct EmptyForm {}

pub(crate) async fn submit_submit(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { session, form: _ }: CsrfForm<EmptyForm>,
) -> Result<Response, AppError> {
    let actor = session.actor();
    let id = DraftId(id);
    on_draft(&state, &session, id, "inviata", move |d| {
        d.submit_draft(&actor, id)
    })
    .await
}

#[derive(Deserialize)]
pub(crate) struct DecideForm {
    versione: i64,
    decisione: String,
    #[serde(default)]
    nota: String,
    #[serde(default)]
    impersonale: String,
}

pub(crate) async fn decide_submit(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { session, form }: CsrfForm<DecideForm>,
) -> Result<Response, AppError> {
    let decision: DraftDecision = form
        .decisione
        .parse()
        .map_err(|e: piazza_desk::DeskError| AppError::BadRequest(e.message_it()))?;
    let actor = session.actor();
    let id = DraftId(id);
    on_draft(&state, &session, id, "decisa", move |d| {
        d.decide_draft(
            &actor,
            id,
            form.versione,
            decision,
            given(&form.nota).as_deref(),
            given(&form.impersonale).as_deref(),
        )
        .map(|_| ())
    })
    .await
}

#[derive(Deserialize)]
pub(crate) struct PublishForm {
    versione: i64,
}

pub(crate) async fn publish_submit(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { session, form }: CsrfForm<PublishForm>,
) -> Result<Response, AppError> {
    let actor = session.actor();
    let id = DraftId(id);
    let worker = state.worker.clone();
    on_draft(&state, &session, id, "pubblicazione", move |d| {
        d.publish_draft(&actor, id, form.versione)?;
        worker.notify();
        Ok(())
    })
    .await
}

#[derive(Deserialize)]
pub(crate) struct UrgentForm {
    versione: i64,
    #[serde(default)]
    motivo: String,
    #[serde(default)]
    impersonale: String,
}

pub(crate) async fn urgent_submit(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { session, form }: CsrfForm<UrgentForm>,
) -> Result<Response, AppError> {
    let actor = session.actor();
    let id = DraftId(id);
    let worker = state.worker.clone();
    on_draft(&state, &session, id, "pubblicazione", move |d| {
        d.publish_urgent(
            &actor,
            id,
            form.versione,
            &form.motivo,
            given(&form.impersonale).as_deref(),
        )?;
        worker.notify();
        Ok(())
    })
    .await
}

pub(crate) async fn retry_publication_submit(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { session, form: _ }: CsrfForm<EmptyForm>,
) -> Result<Response, AppError> {
    let actor = session.actor();
    let id = DraftId(id);
    let worker = state.worker.clone();
    on_draft(&state, &session, id, "riprova", move |d| {
        d.retry_publication(&actor, id)?;
        worker.notify();
        Ok(())
    })
    .await
}

/// `POST /desk/bozze/{id}/rilancia`: the form's checked accounts
/// (`account=ID`, repeated).
pub(crate) async fn relay_submit(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { session, form }: CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let accounts: Vec<AccountId> = form
        .iter()
        .filter(|(k, _)| k == "account")
        .filter_map(|(_, v)| v.parse().ok().map(AccountId))
        .collect();
    let actor = session.actor();
    let id = DraftId(id);
    let worker = state.worker.clone();
    on_draft(&state, &session, id, "rilanciata", move |d| {
        d.relay_draft(&actor, id, &accounts)?;
        worker.notify();
        Ok(())
    })
    .await
}

#[derive(Deserialize)]
pub(crate) struct AcceptForm {
    account: i64,
}

/// `POST /desk/richieste/{id}/accogli`: the request becomes a draft.
pub(crate) async fn accept_request_submit(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { session, form }: CsrfForm<AcceptForm>,
) -> Result<Response, AppError> {
    let actor = session.actor();
    let draft = state
        .run(move |d| {
            d.accept_publication_request(
                &actor,
                piazza_desk::PublicationRequestId(id),
                AccountId(form.account),
            )
        })
        .await?;
    Ok(Redirect::to(&format!("/desk/bozze/{draft}?esito=aperta")).into_response())
}

#[derive(Deserialize)]
pub(crate) struct DeclineForm {
    #[serde(default)]
    motivo: String,
}

/// `POST /desk/richieste/{id}/respingi`.
pub(crate) async fn decline_request_submit(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { session, form }: CsrfForm<DeclineForm>,
) -> Result<Response, AppError> {
    let actor = session.actor();
    state
        .run(move |d| {
            d.decline_publication_request(
                &actor,
                piazza_desk::PublicationRequestId(id),
                &form.motivo,
            )
        })
        .await?;
    Ok(Redirect::to("/desk/bozze#richieste").into_response())
}
