//! The audit log viewer: the newest entries first, page by page, and a
//! check of the whole hash chain. It records who did what under which
//! clause, never a comment's text; each person reads the entries of their
//! scope ([`piazza_desk::AuditReader`]): the dirigente and the DPO all of
//! them, a moderator those of the accounts assigned to them.

use askama::Template;
use axum::Json;
use axum::extract::{Query, State};
use axum::response::Response;
use piazza_desk::{Actor, AdminId, ChainBreak, StoredEntry, Verification};
use serde::Serialize;

use crate::auth::Authenticated;
use crate::desk::{DeskSection, context};
use crate::error::AppError;
use crate::pages::{Layout, render};
use crate::state::AppState;
use crate::views::{Pairs, when};

pub(crate) const AUDIT_PAGE: i64 = 50;

#[derive(Serialize)]
pub(crate) struct AuditRow {
    seq: i64,
    at: i64,
    at_text: String,
    actor: String,
    kind: String,
    target_type: String,
    target_id: String,
    reason: Option<String>,
    clauses: Option<String>,
    policy_version: Option<String>,
    payload: serde_json::Value,
    hash: String,
}

fn row(e: StoredEntry) -> AuditRow {
    AuditRow {
        seq: e.seq,
        at: e.at,
        at_text: when(e.at),
        actor: e.entry.actor,
        kind: e.entry.kind,
        target_type: e.entry.target_type,
        target_id: e.entry.target_id,
        reason: e.entry.reason,
        clauses: e.entry.clauses,
        policy_version: e.entry.policy_version,
        payload: e.entry.payload,
        hash: e.hash,
    }
}

#[derive(Serialize)]
pub(crate) struct AuditPage {
    /// Newest first.
    entries: Vec<AuditRow>,
    last_seq: i64,
    /// `da` of the next (older) page, if any.
    older_from: Option<i64>,
    /// `da` of the previous (newer) page, if any.
    newer_from: Option<i64>,
    /// Entries of this stretch of the chain outside the reader's scope.
    hidden: usize,
}

/// The page of entries ending at sequence number `upto` (the newest when
/// `None`).
async fn page(state: &AppState, reader: Actor, upto: Option<i64>) -> Result<AuditPage, AppError> {
    state
        .run(move |d| {
            let last = d.audit_last_seq(reader.admin_id)?;
            let upto = upto.unwrap_or(last).clamp(0, last);
            let from = (upto - AUDIT_PAGE + 1).max(1);
            let scoped = d.audit_entries_for(&reader, from, (upto - from + 1).max(0))?;
            let hidden = scoped.hidden;
            let mut entries: Vec<AuditRow> = scoped
                .entries
                .into_iter()
                .filter(|e| e.seq <= upto)
                .map(row)
                .collect();
            entries.reverse();
            Ok(AuditPage {
                entries,
                last_seq: last,
                older_from: (from > 1).then_some(from - 1),
                newer_from: (upto < last).then_some((upto + AUDIT_PAGE).min(last)),
                hidden,
            })
        })
        .await
}

#[derive(Serialize)]
pub(crate) struct VerifyView {
    intact: bool,
    entries: i64,
    head_hash: Option<String>,
    problems: Vec<ChainBreak>,
    /// The problems in Italian, in the same order.
    messages: Vec<String>,
}

fn verify_view(v: Verification) -> VerifyView {
    VerifyView {
        intact: v.is_intact(),
        entries: v.entries,
        messages: v.problems.iter().map(|p| p.message_it()).collect(),
        head_hash: v.head_hash,
        problems: v.problems,
    }
}

async fn verify(state: &AppState, admin: AdminId) -> Result<VerifyView, AppError> {
    Ok(verify_view(
        state.run(move |d| d.verify_audit(admin)).await?,
    ))
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditTemplate {
    layout: Layout,
    page: AuditPage,
    verification: Option<VerifyView>,
}

pub(crate) async fn audit_page(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    session.refuse_office_only()?;
    let q = Pairs(q);
    let ctx = context(&state, &session).await?;
    let page = page(&state, session.actor(), q.int("da")).await?;
    let verification = match q.get("verifica") {
        Some(_) => Some(verify(&state, session.admin_id).await?),
        None => None,
    };
    Ok(render(&AuditTemplate {
        layout: Layout::desk(
            &state,
            &session,
            &ctx,
            "Registro delle operazioni",
            DeskSection::Audit,
        ),
        page,
        verification,
    }))
}

/// `GET /api/v1/audit?da=SEQ`: a page of entries ending at `da`.
pub(crate) async fn api_entries(
    Authenticated(session): Authenticated,
    State(state): State<AppState>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Json<AuditPage>, AppError> {
    session.refuse_office_only()?;
    Ok(Json(
        page(&state, session.actor(), Pairs(q).int("da")).await?,
    ))
}

/// `GET /api/v1/audit/verifica`.
pub(crate) async fn api_verify(
    Authenticated(session): Authenticated,
    State(state): State<AppState>,
) -> Result<Json<VerifyView>, AppError> {
    session.refuse_office_only()?;
    Ok(Json(verify(&state, session.admin_id).await?))
}
