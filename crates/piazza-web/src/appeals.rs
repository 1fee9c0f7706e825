//! The appeals queue of the desk (riesami): requests for review, oldest
//! term first, each with the decision it concerns, the citizen's reasons
//! and, once decided, the outcome and where its message to the author
//! stands. The decision form is offered only to someone who may decide
//! (not the decision's author: the desk refuses it anyway). Requests that
//! arrived by e-mail or as replies are recorded here by an operator.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use piazza_desk::{
    ActionId, Appeal, AppealChannel, AppealFiling, AppealId, AppealOutcome, AppealState,
    OutboxFilter, Role,
};
use serde::Deserialize;

use crate::auth::Authenticated;
use crate::csrf::{CSRF_FIELD, CsrfForm};
use crate::desk::{DeskSection, context};
use crate::error::AppError;
use crate::pages::{Layout, render};
use crate::state::AppState;
use crate::views::{Pairs, page_status, when};

/// Who decides appeals (the desk also refuses the decision's author).
const REVIEWERS: &[Role] = &[Role::Moderatore, Role::Dirigente];
/// Who records a request that came by another channel.
const RECORDERS: &[Role] = &[
    Role::Moderatore,
    Role::OperatoreUrp,
    Role::Redattore,
    Role::Dirigente,
];

pub(crate) struct AppealView {
    id: String,
    reference: String,
    decision: &'static str,
    decided_by: String,
    comment: Option<String>,
    account: String,
    channel: &'static str,
    grounds: String,
    reply_to: Option<String>,
    recorded_by: Option<String>,
    state: &'static str,
    open: bool,
    received: String,
    due: String,
    overdue: bool,
    reviewer: Option<String>,
    reviewed: Option<String>,
    outcome_reason: Option<String>,
    /// This person took or confirmed the decision: they cannot decide.
    own: bool,
    /// Where the message to the author stands, in one sentence each.
    messages: Vec<String>,
}

fn view(a: &Appeal, me: &str, now: i64) -> AppealView {
    let decided_by = [a.decided_by.as_deref(), a.confirmed_by.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>();
    AppealView {
        id: a.id.to_string(),
        reference: a.reference.to_string(),
        decision: a.decision.label_it(),
        decided_by: if decided_by.is_empty() {
            "—".into()
        } else {
            decided_by.join(" e ")
        },
        own: decided_by.contains(&me),
        comment: a.comment_id.map(|c| c.to_string()),
        account: match (&a.account, &a.platform) {
            (Some(n), Some(p)) => format!("{n} ({p})"),
            _ => "—".into(),
        },
        channel: a.channel.label_it(),
        grounds: a
            .grounds
            .clone()
            .unwrap_or_else(|| "(cancellate secondo i tempi di conservazione)".into()),
        reply_to: a.reply_to.clone(),
        recorded_by: a.recorded_by.clone(),
        state: a.state.label_it(),
        open: a.state == AppealState::Open,
        received: when(a.received_at),
        due: when(a.due_at),
        overdue: a.overdue(now),
        reviewer: a.reviewer.clone(),
        reviewed: a.reviewed_at.map(when),
        outcome_reason: a.outcome_reason.clone(),
        messages: Vec::new(),
    }
}

#[derive(Template)]
#[template(path = "appeals.html")]
struct AppealsPage {
    layout: Layout,
    csrf_field: &'static str,
    csrf_token: String,
    appeals: Vec<AppealView>,
    show_all: bool,
    can_record: bool,
    channels: Vec<(&'static str, &'static str)>,
}

pub(crate) async fn appeals_page(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let q = Pairs(q);
    let ctx = context(&state, &session).await?;
    let show_all = q.get("tutte").is_some();
    let actor = session.actor();
    let appeals = state
        .run(move |d| d.appeals(&actor, (!show_all).then_some(AppealState::Open)))
        .await?;
    let now = state.desk.now();
    let me = session.username.clone();
    Ok(render(&AppealsPage {
        layout: Layout::desk(&state, &session, &ctx, "Riesami", DeskSection::Appeals),
        csrf_field: CSRF_FIELD,
        csrf_token: state.csrf.token(&session.session_id),
        appeals: appeals.iter().map(|a| view(a, &me, now)).collect(),
        show_all,
        can_record: session.has_any(RECORDERS),
        channels: AppealChannel::ALL
            .iter()
            .filter(|c| **c != AppealChannel::WebForm)
            .map(|c| (c.as_str(), c.label_it()))
            .collect(),
    }))
}

#[derive(Template)]
#[template(path = "appeal_detail.html")]
struct AppealDetailPage {
    layout: Layout,
    csrf_field: &'static str,
    csrf_token: String,
    appeal: AppealView,
    can_decide: bool,
    error: Option<String>,
    notice: Option<&'static str>,
}

pub(crate) async fn appeal_detail(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    Path(id): Path<i64>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let notice = match Pairs(q).get("esito") {
        Some("registrata") => Some("Richiesta di riesame registrata."),
        Some("decisa") => Some(
            "Riesame deciso. L’esito è in coda per l’autore: lo stato dell’invio è indicato sotto.",
        ),
        _ => None,
    };
    detail(&state, &session, AppealId(id), None, notice).await
}

async fn detail(
    state: &AppState,
    session: &crate::auth::StaffSession,
    id: AppealId,
    error: Option<String>,
    notice: Option<&'static str>,
) -> Result<Response, AppError> {
    let ctx = context(state, session).await?;
    let actor = session.actor();
    let admin = session.admin_id;
    let (appeal, steps, mail) = state
        .run(move |d| {
            let a = d.appeal(&actor, id)?;
            let steps = match a.comment_id {
                Some(c) => d.outbox(
                    admin,
                    &OutboxFilter {
                        comment_id: Some(c),
                        action_id: Some(a.reference),
                        limit: 20,
                        ..Default::default()
                    },
                )?,
                None => Vec::new(),
            };
            let mail = match a.outcome_mail_id {
                Some(m) => d.mail(admin, m)?,
                None => None,
            };
            Ok((a, steps, mail))
        })
        .await?;
    let now = state.desk.now();
    let mut v = view(&appeal, &session.username, now);
    // The outcome's message is the private reply queued at the decision.
    if let Some(at) = appeal.reviewed_at {
        v.messages = steps
            .iter()
            .filter(|s| s.operation == piazza_desk::Operation::PrivateReply && s.created_at >= at)
            .map(|s| s.describe_it(when))
            .collect();
        if let Some(m) = &mail {
            v.messages.push(match (&m.state, m.sent_at) {
                (piazza_desk::MailState::Sent, Some(at)) => {
                    format!("e-mail a {}: inviata il {}", m.recipient, when(at))
                }
                (state, _) => format!(
                    "e-mail a {}: {}{}",
                    m.recipient,
                    state.label_it(),
                    m.last_error
                        .as_deref()
                        .map(|e| format!(" ({e})"))
                        .unwrap_or_default()
                ),
            });
        }
    }
    let can_decide = session.has_any(REVIEWERS) && !v.own && v.open;
    let status = page_status(&error);
    let page = AppealDetailPage {
        layout: Layout::desk(
            state,
            session,
            &ctx,
            &format!("Riesame n. {id}"),
            DeskSection::Appeals,
        ),
        csrf_field: CSRF_FIELD,
        csrf_token: state.csrf.token(&session.session_id),
        appeal: v,
        can_decide,
        error,
        notice,
    };
    Ok((status, render(&page)).into_response())
}

#[derive(Deserialize)]
pub(crate) struct DecideForm {
    esito: String,
    #[serde(default)]
    motivazione: String,
}

pub(crate) async fn decide_submit(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { session, form }: CsrfForm<DecideForm>,
) -> Result<Response, AppError> {
    session.require(REVIEWERS)?;
    let outcome: AppealOutcome = form
        .esito
        .parse()
        .map_err(|e: piazza_desk::DeskError| AppError::BadRequest(e.message_it()))?;
    let actor = session.actor();
    let id = AppealId(id);
    let reason = form.motivazione;
    match state
        .run(move |d| d.decide_appeal(&actor, id, outcome, &reason))
        .await
    {
        Ok(_) => {
            state.worker.notify();
            Ok(Redirect::to(&format!("/desk/riesami/{id}?esito=decisa")).into_response())
        }
        Err(AppError::Desk {
            code: "invalid_input" | "forbidden" | "out_of_scope",
            message,
        }) => detail(&state, &session, id, Some(message), None).await,
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub(crate) struct RecordForm {
    riferimento: i64,
    canale: String,
    #[serde(default)]
    motivi: String,
    #[serde(default)]
    email: String,
}

pub(crate) async fn record_submit(
    State(state): State<AppState>,
    CsrfForm { session, form }: CsrfForm<RecordForm>,
) -> Result<Response, AppError> {
    session.require(RECORDERS)?;
    let channel: AppealChannel = form
        .canale
        .parse()
        .map_err(|e: piazza_desk::DeskError| AppError::BadRequest(e.message_it()))?;
    let actor = session.actor();
    let admin = session.admin_id;
    let filing = AppealFiling {
        reference: ActionId(form.riferimento),
        channel,
        grounds: form.motivi,
        comment_day: None,
        reply_to: Some(form.email).filter(|e| !e.trim().is_empty()),
    };
    let receipt = state
        .run(move |d| d.file_appeal(admin, Some(&actor), &filing))
        .await?;
    Ok(Redirect::to(&format!("/desk/riesami/{}?esito=registrata", receipt.id)).into_response())
}

// ---------------------------------------------------------------------------
// Citizens' reports of a comment.

pub(crate) struct UserReportView {
    id: String,
    comment: Option<String>,
    link: String,
    /// The link is a web address (shown as a link only then).
    link_is_web: bool,
    clause: Option<u32>,
    reason: String,
    reply_to: Option<String>,
    open: bool,
    received: String,
    closed: Option<String>,
}

#[derive(Template)]
#[template(path = "user_reports.html")]
struct UserReportsPage {
    layout: Layout,
    csrf_field: &'static str,
    csrf_token: String,
    reports: Vec<UserReportView>,
    show_all: bool,
    can_close: bool,
    notice: bool,
}

pub(crate) async fn user_reports_page(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let q = Pairs(q);
    let ctx = context(&state, &session).await?;
    let show_all = q.get("tutte").is_some();
    let actor = session.actor();
    let reports = state
        .run(move |d| {
            d.user_reports(
                &actor,
                (!show_all).then_some(piazza_desk::UserReportState::Open),
            )
        })
        .await?;
    Ok(render(&UserReportsPage {
        layout: Layout::desk(
            &state,
            &session,
            &ctx,
            "Segnalazioni dei cittadini",
            DeskSection::UserReports,
        ),
        csrf_field: CSRF_FIELD,
        csrf_token: state.csrf.token(&session.session_id),
        reports: reports
            .iter()
            .map(|r| UserReportView {
                id: r.id.to_string(),
                comment: r.comment_id.map(|c| c.to_string()),
                link_is_web: r.link.starts_with("https://") || r.link.starts_with("http://"),
                link: r.link.clone(),
                clause: r.clause,
                reason: r.reason.clone().unwrap_or_default(),
                reply_to: r.reply_to.clone(),
                open: r.state == piazza_desk::UserReportState::Open,
                received: when(r.received_at),
                closed: r.closed_at.map(|at| {
                    format!(
                        "{} il {}: {}",
                        r.closed_by.as_deref().unwrap_or("—"),
                        when(at),
                        r.outcome.as_deref().unwrap_or("")
                    )
                }),
            })
            .collect(),
        show_all,
        can_close: session.has_any(RECORDERS),
        notice: q.get("esito").is_some(),
    }))
}

#[derive(Deserialize)]
pub(crate) struct CloseReportForm {
    #[serde(default)]
    esito: String,
}

pub(crate) async fn close_report_submit(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { session, form }: CsrfForm<CloseReportForm>,
) -> Result<Response, AppError> {
    session.require(RECORDERS)?;
    let actor = session.actor();
    state
        .run(move |d| d.close_user_report(&actor, piazza_desk::UserReportId(id), &form.esito))
        .await?;
    Ok(Redirect::to("/desk/segnalazioni?esito=chiusa").into_response())
}
