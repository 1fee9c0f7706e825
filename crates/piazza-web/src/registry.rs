//! The registry: official accounts with their compliance warnings and
//! credential rotations, staff with roles and assignments, and handover
//! checklists, whose steps and sign-off only an administrator or a
//! dirigente may record.

use askama::Template;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use piazza_desk::{
    Account, AccountId, AdminId, ComplianceIssue, Connection, ConnectionStatus, HandoverItem,
    OutboxFilter, OutboxId, OutboxItem, OutboxState, Staff,
};
use serde::{Deserialize, Serialize};

use crate::auth::{Authenticated, StaffSession};
use crate::csrf::{CSRF_FIELD, CsrfForm, CsrfHeader};
use crate::desk::{DeskSection, REGISTRY_READ, REGISTRY_WRITE, context};
use crate::error::AppError;
use crate::pages::{Layout, render};
use crate::state::AppState;
use crate::views::when;

#[derive(Serialize)]
pub(crate) struct AccountsView {
    accounts: Vec<Account>,
    issues: Vec<ComplianceIssue>,
    /// (account id, days since the last credential change).
    rotation_due: Vec<(AccountId, i64)>,
    /// The period after which a change is due (the policy's, else 90).
    rotation_days: i64,
}

async fn accounts(state: &AppState, admin: AdminId) -> Result<AccountsView, AppError> {
    state
        .run(move |d| {
            let rotation_days = d.rotation_period_days(admin)?;
            Ok(AccountsView {
                accounts: d.accounts(admin)?,
                issues: d.check_accounts(admin)?,
                rotation_days,
                rotation_due: d
                    .rotation_reminders(admin, rotation_days)?
                    .into_iter()
                    .map(|(a, days)| (a.id, days))
                    .collect(),
            })
        })
        .await
}

struct AccountRow {
    name: String,
    platform: String,
    handle: String,
    office: String,
    authorised: String,
    status: &'static str,
    warnings: Vec<String>,
}

struct StaffRow {
    username: String,
    full_name: String,
    roles: String,
    active: bool,
    has_login: bool,
    accounts: String,
}

struct Step {
    item: String,
    label: &'static str,
    done: Option<String>,
}

struct Handover {
    id: i64,
    staff: String,
    account: String,
    signed_off: Option<String>,
    steps: Vec<Step>,
    complete: bool,
}

fn handovers(items: Vec<HandoverItem>) -> Vec<Handover> {
    let mut out: Vec<Handover> = Vec::new();
    for i in items {
        let step = Step {
            item: i.item.clone(),
            label: i.label,
            done: i.done_at.map(when),
        };
        match out.iter_mut().find(|h| h.id == i.handover_id) {
            Some(h) => h.steps.push(step),
            None => out.push(Handover {
                id: i.handover_id,
                staff: i.staff,
                account: i.account,
                signed_off: i.signed_off_at.map(when),
                steps: vec![step],
                complete: false,
            }),
        }
    }
    for h in &mut out {
        h.complete = h.steps.iter().all(|s| s.done.is_some());
    }
    out
}

/// A connection as the registry shows it: what the last check found, in
/// Italian, and nothing of its token.
struct ConnectionRow {
    account_id: AccountId,
    account: String,
    connector: &'static str,
    platform_account: String,
    active: bool,
    check: Vec<String>,
    /// The check found something to fix.
    trouble: bool,
    paused: Option<String>,
    last_synced: Option<String>,
}

fn connection_row(c: &Connection, now: i64) -> ConnectionRow {
    let mut check = Vec::new();
    let mut trouble = false;
    match (&c.last_check, c.last_checked_at) {
        (Some(k), Some(at)) => {
            check.push(match (k.valid, k.expires_at) {
                (false, _) => {
                    trouble = true;
                    format!("token NON valido (verifica del {})", when(at))
                }
                (true, None) => format!("token valido, senza scadenza (verifica del {})", when(at)),
                (true, Some(t)) => format!(
                    "token valido fino al {} (verifica del {})",
                    when(t),
                    when(at)
                ),
            });
            for m in &k.missing {
                trouble = true;
                let ops: Vec<&str> = m.needed_for.iter().map(|o| o.label_it()).collect();
                check.push(format!(
                    "manca il permesso {} (serve per: {})",
                    m.permission,
                    ops.join(", ")
                ));
            }
            check.extend(k.problems.iter().cloned());
        }
        _ => check.push("non ancora verificato".into()),
    }
    if let Some(q) = &c.quota {
        check.push(q.describe_it());
    }
    ConnectionRow {
        account_id: c.account_id,
        account: c.account.clone(),
        connector: c.connector.as_str(),
        platform_account: c.platform_account.clone(),
        active: c.status == ConnectionStatus::Active,
        check,
        trouble,
        paused: c.paused_until.filter(|t| *t > now).map(|t| {
            format!(
                "in pausa fino al {} su richiesta della piattaforma",
                when(t)
            )
        }),
        last_synced: c.last_synced_at.map(when),
    }
}

/// A platform step that did not happen: failed, or left to a person.
struct StepRow {
    id: OutboxId,
    comment: Option<String>,
    account: String,
    text: String,
    can_retry: bool,
}

fn step_row(i: &OutboxItem) -> StepRow {
    StepRow {
        id: i.id,
        comment: i.comment_id.map(|c| c.to_string()),
        account: i.account.clone(),
        text: i.describe_it(when),
        can_retry: i.retryable(),
    }
}

#[derive(Template)]
#[template(path = "registry.html")]
struct RegistryPage {
    layout: Layout,
    csrf_field: &'static str,
    csrf_token: String,
    accounts: Vec<AccountRow>,
    issues: usize,
    staff: Vec<StaffRow>,
    handovers: Vec<Handover>,
    connections: Vec<ConnectionRow>,
    steps: Vec<StepRow>,
    /// Who holds each account's credentials now: (account, holder, since).
    holders: Vec<(String, String, String)>,
    can_write: bool,
    notice: Option<String>,
}

pub(crate) async fn registry_page(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    axum::extract::Query(q): axum::extract::Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    session.require(REGISTRY_READ)?;
    let ctx = context(&state, &session).await?;
    let admin = session.admin_id;
    let view = accounts(&state, admin).await?;
    let (staff, items, connections, steps, holders) = state
        .run(move |d| {
            Ok((
                d.staff(admin)?,
                d.handover_items(admin)?,
                d.connections(admin)?,
                d.outbox(
                    admin,
                    &OutboxFilter {
                        states: vec![OutboxState::Failed, OutboxState::Manual],
                        limit: 50,
                        ..OutboxFilter::default()
                    },
                )?,
                d.credential_holders(admin)?,
            ))
        })
        .await?;
    let now = state.desk.now();
    let account_name = |id: AccountId| {
        view.accounts
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.name.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let rows = view
        .accounts
        .iter()
        .map(|a| {
            let mut warnings: Vec<String> = view
                .issues
                .iter()
                .filter(|i| i.account_id == a.id)
                .map(|i| i.message.clone())
                .collect();
            if let Some((_, days)) = view.rotation_due.iter().find(|(id, _)| *id == a.id) {
                warnings.push(format!(
                    "credenziali non cambiate da {days} giorni (promemoria ogni {})",
                    view.rotation_days
                ));
            }
            AccountRow {
                name: a.name.clone(),
                platform: a.platform.clone(),
                handle: a
                    .handle
                    .as_deref()
                    .map(|h| format!("@{h}"))
                    .unwrap_or_else(|| "—".into()),
                office: a.managing_office.clone().unwrap_or_else(|| "—".into()),
                authorised: match (&a.authorised_by, a.authorised_at) {
                    (Some(by), Some(at)) => format!("{by}, {}", when(at)),
                    (Some(by), None) => by.clone(),
                    _ => "—".into(),
                },
                status: a.status.label_it(),
                warnings,
            }
        })
        .collect();
    let staff_rows = staff
        .iter()
        .map(|s: &Staff| StaffRow {
            username: s.username.clone(),
            full_name: s.full_name.clone(),
            roles: s
                .roles
                .iter()
                .map(|r| r.label_it())
                .collect::<Vec<_>>()
                .join(", "),
            active: s.active,
            has_login: s.has_login,
            accounts: if s.accounts.is_empty() {
                "—".into()
            } else {
                s.accounts
                    .iter()
                    .map(|id| account_name(*id))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        })
        .collect();
    let notice = q
        .iter()
        .find(|(k, _)| k == "esito")
        .map(|(_, v)| match v.as_str() {
            "firma" => "Passaggio di consegne firmato.".to_string(),
            "verifica" => "Collegamento verificato ora con la piattaforma: l'esito è nella tabella dei collegamenti.".to_string(),
            "riprova" => "Il passo è di nuovo in coda: sarà eseguito al prossimo giro del servizio di invio.".to_string(),
            _ => "Passo del passaggio di consegne registrato.".to_string(),
        });
    Ok(render(&RegistryPage {
        layout: Layout::desk(&state, &session, &ctx, "Registro", DeskSection::Registry),
        csrf_field: CSRF_FIELD,
        csrf_token: state.csrf.token(&session.session_id),
        issues: view.issues.len() + view.rotation_due.len(),
        accounts: rows,
        staff: staff_rows,
        handovers: handovers(items),
        connections: connections.iter().map(|c| connection_row(c, now)).collect(),
        steps: steps.iter().map(step_row).collect(),
        holders: holders
            .iter()
            .filter(|h| h.until.is_none())
            .map(|h| {
                let account = view
                    .accounts
                    .iter()
                    .find(|a| a.id == h.account_id)
                    .map(|a| piazza_desk::account_label(&a.name, &a.platform))
                    .unwrap_or_else(|| h.account_id.to_string());
                (account, h.holder.clone(), when(h.since))
            })
            .collect(),
        can_write: session.has_any(REGISTRY_WRITE),
        notice,
    }))
}

/// Checks a connection's token with its platform now (a dirigente or the
/// administrator, from the registry).
pub(crate) async fn check_submit(
    State(state): State<AppState>,
    Path(account): Path<i64>,
    CsrfForm { session, .. }: CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    session.require(REGISTRY_WRITE)?;
    let admin = session.admin_id;
    state
        .run(move |d| d.check_connection(admin, AccountId(account)))
        .await?;
    Ok(Redirect::to("/desk/registro?esito=verifica#collegamenti").into_response())
}

/// Puts a failed or manual platform step back in the queue.
pub(crate) async fn retry_submit(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { session, form }: CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    // Those the desk lets retry: a moderator from the item page too.
    session.require(&[
        piazza_desk::Role::Admin,
        piazza_desk::Role::Dirigente,
        piazza_desk::Role::Moderatore,
    ])?;
    let actor = session.actor();
    state
        .run(move |d| d.retry_outbox(&actor, OutboxId(id)))
        .await?;
    state.worker.notify();
    // From an item's page, back to it.
    let back = form
        .iter()
        .find(|(k, _)| k == "commento")
        .and_then(|(_, v)| v.parse::<i64>().ok())
        .map(|c| format!("/desk/commenti/{c}#titolo-storico"))
        .unwrap_or_else(|| "/desk/registro?esito=riprova#passi".into());
    Ok(Redirect::to(&back).into_response())
}

#[derive(Deserialize)]
pub(crate) struct StepForm {
    item: String,
    note: Option<String>,
}

async fn complete_step(
    state: &AppState,
    session: &StaffSession,
    id: i64,
    f: StepForm,
) -> Result<(), AppError> {
    session.require(REGISTRY_WRITE)?;
    let actor = session.actor();
    let note = f.note.filter(|n| !n.trim().is_empty());
    state
        .run(move |d| d.complete_handover_item(&actor, id, &f.item, note.as_deref()))
        .await
}

async fn sign_off(state: &AppState, session: &StaffSession, id: i64) -> Result<(), AppError> {
    session.require(REGISTRY_WRITE)?;
    let actor = session.actor();
    state.run(move |d| d.sign_off_handover(&actor, id)).await
}

pub(crate) async fn step_submit(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { session, form }: CsrfForm<StepForm>,
) -> Result<Response, AppError> {
    complete_step(&state, &session, id, form).await?;
    Ok(Redirect::to(&format!("/desk/registro?esito=passo#consegna-{id}")).into_response())
}

#[derive(Deserialize)]
pub(crate) struct NoFields {}

pub(crate) async fn sign_off_submit(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { session, .. }: CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    sign_off(&state, &session, id).await?;
    Ok(Redirect::to(&format!("/desk/registro?esito=firma#consegna-{id}")).into_response())
}

// ---------------------------------------------------------------------------
// API.

/// `GET /api/v1/registro/account`.
pub(crate) async fn api_accounts(
    Authenticated(session): Authenticated,
    State(state): State<AppState>,
) -> Result<Json<AccountsView>, AppError> {
    session.require(REGISTRY_READ)?;
    Ok(Json(accounts(&state, session.admin_id).await?))
}

/// `GET /api/v1/registro/collegamenti`.
pub(crate) async fn api_connections(
    Authenticated(session): Authenticated,
    State(state): State<AppState>,
) -> Result<Json<Vec<Connection>>, AppError> {
    session.require(REGISTRY_READ)?;
    let admin = session.admin_id;
    Ok(Json(state.run(move |d| d.connections(admin)).await?))
}

/// `GET /api/v1/registro/personale`.
pub(crate) async fn api_staff(
    Authenticated(session): Authenticated,
    State(state): State<AppState>,
) -> Result<Json<Vec<Staff>>, AppError> {
    session.require(REGISTRY_READ)?;
    let admin = session.admin_id;
    Ok(Json(state.run(move |d| d.staff(admin)).await?))
}

/// `GET /api/v1/registro/consegne`.
pub(crate) async fn api_handovers(
    Authenticated(session): Authenticated,
    State(state): State<AppState>,
) -> Result<Json<Vec<HandoverItem>>, AppError> {
    session.require(REGISTRY_READ)?;
    let admin = session.admin_id;
    Ok(Json(state.run(move |d| d.handover_items(admin)).await?))
}

/// `POST /api/v1/registro/consegne/{id}/passi`.
pub(crate) async fn api_step(
    CsrfHeader(session): CsrfHeader,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Json(f): Json<StepForm>,
) -> Result<StatusCode, AppError> {
    complete_step(&state, &session, id, f).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/registro/consegne/{id}/firma`.
pub(crate) async fn api_sign_off(
    CsrfHeader(session): CsrfHeader,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    sign_off(&state, &session, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
