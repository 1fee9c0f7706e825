//! The policy as the staff see it: the version in force, every version
//! activated, and the differences between two of them.

use askama::Template;
use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use piazza_desk::{AdminId, PolicyVersion};
use serde::Serialize;

use crate::auth::{Authenticated, StaffSession};
use crate::csrf::{CSRF_FIELD, CsrfForm};
use crate::desk::{DeskSection, REGISTRY_WRITE, context};
use crate::diff::{Line, Op, hunks, line_diff};
use crate::error::AppError;
use crate::pages::{Layout, render};
use crate::state::AppState;
use crate::views::{Pairs, when};

#[derive(Serialize)]
pub(crate) struct VersionInfo {
    id: i64,
    version: String,
    source: String,
    activated_at: i64,
}

fn info(v: &PolicyVersion) -> VersionInfo {
    VersionInfo {
        id: v.id,
        version: v.version.clone(),
        source: v.source.clone(),
        activated_at: v.activated_at,
    }
}

#[derive(Serialize)]
pub(crate) struct DiffView {
    from: VersionInfo,
    to: VersionInfo,
    lines: Vec<Line>,
}

/// The versions (newest first) and, when two are chosen (`da`, `a`, by id)
/// or at least two exist, the diff between them.
async fn load(
    state: &AppState,
    admin: AdminId,
    q: &Pairs,
) -> Result<(Vec<PolicyVersion>, Option<DiffView>), AppError> {
    let versions = state.run(move |d| d.policy_history(admin)).await?;
    let pick = |name: &str, default: usize| match q.int(name) {
        Some(id) => versions
            .iter()
            .position(|v| v.id == id)
            .map(Some)
            .ok_or(AppError::NotFound),
        None => Ok((default < versions.len()).then_some(default)),
    };
    let to = pick("a", 0)?.map(|i| &versions[i]);
    let from = pick("da", 1)?.map(|i| &versions[i]);
    let diff = match (from, to) {
        (Some(f), Some(t)) => Some(DiffView {
            from: info(f),
            to: info(t),
            lines: line_diff(&f.toml, &t.toml),
        }),
        _ => None,
    };
    Ok((versions, diff))
}

struct ShownLine {
    class: &'static str,
    sign: &'static str,
    label: &'static str,
    text: String,
}

struct VersionRow {
    id: i64,
    version: String,
    source: String,
    activated: String,
    current: bool,
    from: bool,
    to: bool,
}

#[derive(Template)]
#[template(path = "desk_policy.html")]
struct PolicyDeskPage {
    layout: Layout,
    slug: String,
    title: String,
    version: String,
    clauses: Vec<(u32, String, String)>,
    versions: Vec<VersionRow>,
    diff: Option<(String, String, Vec<Option<ShownLine>>, usize)>,
    /// The person may activate a new version (dirigente, administrator).
    can_activate: bool,
    csrf_field: &'static str,
    csrf_token: String,
    /// The text pasted for activation, shown again with its preview.
    draft: String,
    preview: Option<PreviewView>,
    error: Option<String>,
    notice: Option<String>,
}

/// What activating the pasted text would change.
struct PreviewView {
    version: String,
    in_force: String,
    changes: Vec<String>,
    warnings: Vec<String>,
}

pub(crate) async fn policy_page(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let notice = Pairs(q.clone()).get("esito").map(|v| {
        format!("Versione {v} attivata: da ora le decisioni citano questa versione; quelle già prese restano legate alla versione in cui sono state prese.")
    });
    page(&state, &session, q, String::new(), None, None, notice).await
}

/// The page, with an activation draft and its preview or refusal.
async fn page(
    state: &AppState,
    session: &StaffSession,
    q: Vec<(String, String)>,
    draft: String,
    preview: Option<PreviewView>,
    error: Option<String>,
    notice: Option<String>,
) -> Result<Response, AppError> {
    let state = state.clone();
    let ctx = context(&state, session).await?;
    let (versions, diff) = load(&state, session.admin_id, &Pairs(q)).await?;
    let p = &ctx.policy;
    let shown = diff.as_ref().map(|d| {
        let changes = d.lines.iter().filter(|l| l.op != Op::Same).count();
        let lines = hunks(&d.lines, 3)
            .into_iter()
            .map(|l| {
                l.map(|l| {
                    let (class, sign, label) = match l.op {
                        Op::Same => ("", " ", "invariata"),
                        Op::Del => ("del", "−", "tolta"),
                        Op::Ins => ("ins", "+", "aggiunta"),
                    };
                    ShownLine {
                        class,
                        sign,
                        label,
                        text: l.text.clone(),
                    }
                })
            })
            .collect();
        (d.from.version.clone(), d.to.version.clone(), lines, changes)
    });
    let versions = versions
        .iter()
        .enumerate()
        .map(|(i, v)| VersionRow {
            id: v.id,
            version: v.version.clone(),
            source: v.source.clone(),
            activated: when(v.activated_at),
            current: i == 0,
            from: diff.as_ref().is_some_and(|d| d.from.id == v.id),
            to: diff.as_ref().is_some_and(|d| d.to.id == v.id),
        })
        .collect();
    Ok(render(&PolicyDeskPage {
        layout: Layout::desk(&state, session, &ctx, "Policy", DeskSection::Policy),
        can_activate: session.has_any(REGISTRY_WRITE),
        csrf_field: CSRF_FIELD,
        csrf_token: state.csrf.token(&session.session_id),
        draft,
        preview,
        error,
        notice,
        slug: ctx.slug.clone(),
        title: p.document.title.clone(),
        version: ctx.policy_version.clone(),
        clauses: p
            .external
            .clauses
            .iter()
            .map(|c| {
                (
                    c.number,
                    c.title.clone(),
                    c.actions
                        .iter()
                        .filter(|a| a.is_restrictive())
                        .map(|a| a.label_it())
                        .collect::<Vec<_>>()
                        .join(", "),
                )
            })
            .collect(),
        versions,
        diff: shown,
    }))
}

/// The activation form's field.
#[derive(serde::Deserialize)]
pub(crate) struct DraftForm {
    testo: String,
}

/// `POST /desk/policy/anteprima`: what the pasted text would change.
pub(crate) async fn preview_submit(
    State(state): State<AppState>,
    CsrfForm { session, form }: CsrfForm<DraftForm>,
) -> Result<Response, AppError> {
    session.require(REGISTRY_WRITE)?;
    let admin = session.admin_id;
    let toml = form.testo.clone();
    let result = state
        .run(move |d| d.preview_policy(admin, "testo incollato nella scrivania", &toml))
        .await;
    let (preview, error) = match result {
        Ok(p) => (
            Some(PreviewView {
                version: p.version,
                in_force: p.in_force,
                changes: p.changes.iter().map(|c| c.describe_it()).collect(),
                warnings: p.warnings,
            }),
            None,
        ),
        Err(e @ AppError::Desk { .. }) => (None, Some(e.message())),
        Err(e) => return Err(e),
    };
    page(
        &state,
        &session,
        Vec::new(),
        form.testo,
        preview,
        error,
        None,
    )
    .await
}

/// `POST /desk/policy/attiva`: activates the previewed text.
pub(crate) async fn activate_submit(
    State(state): State<AppState>,
    CsrfForm { session, form }: CsrfForm<DraftForm>,
) -> Result<Response, AppError> {
    session.require(REGISTRY_WRITE)?;
    let actor = session.actor();
    let toml = form.testo.clone();
    let result = state
        .run(move |d| d.activate_policy(&actor, "testo incollato nella scrivania", &toml))
        .await;
    match result {
        Ok(p) => Ok(axum::response::Redirect::to(&format!(
            "/desk/policy?{}#versioni",
            serde_urlencoded::to_string([("esito", &p.version)]).unwrap_or_default()
        ))
        .into_response()),
        Err(e @ AppError::Desk { .. }) => {
            page(
                &state,
                &session,
                Vec::new(),
                form.testo,
                None,
                Some(e.message()),
                None,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

#[derive(Serialize)]
pub(crate) struct HistoryView {
    current: Option<VersionInfo>,
    versions: Vec<VersionInfo>,
}

/// `GET /api/v1/policy`.
pub(crate) async fn api_history(
    Authenticated(session): Authenticated,
    State(state): State<AppState>,
) -> Result<Json<HistoryView>, AppError> {
    let admin = session.admin_id;
    let versions = state.run(move |d| d.policy_history(admin)).await?;
    Ok(Json(HistoryView {
        current: versions.first().map(info),
        versions: versions.iter().map(info).collect(),
    }))
}

/// `GET /api/v1/policy/differenze?da=ID&a=ID`.
pub(crate) async fn api_diff(
    Authenticated(session): Authenticated,
    State(state): State<AppState>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Json<DiffView>, AppError> {
    let (_, diff) = load(&state, session.admin_id, &Pairs(q)).await?;
    diff.map(Json).ok_or_else(|| AppError::Desk {
        code: "invalid_input",
        message: "Dati non validi: servono due versioni della policy da confrontare.".into(),
    })
}
