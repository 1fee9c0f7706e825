//! The citizens' own forms: asking for a decision to be reviewed
//! (riesame). No account is needed; the request is checked by the desk
//! (the reference and the comment's day must match a decision) and the
//! page says what was recorded and what follows, nothing more.
//!
//! The forms carry a CSRF token bound to a pre-session cookie, like the
//! login form, and are limited per client address: references are
//! sequential numbers, and a script should not be able to try them.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use piazza_desk::{ActionId, AppealChannel, AppealFiling, AppealReceipt, MAX_GROUNDS_CHARS};
use serde::Deserialize;

use crate::auth::Authenticated;
use crate::csrf::CSRF_FIELD;
use crate::error::AppError;
use crate::login::{client_addr, presession_token, verify_presession};
use crate::pages::{Layout, Section, render};
use crate::state::AppState;
use crate::throttle::public_form_allowed;

#[derive(Template)]
#[template(path = "appeal.html")]
struct AppealPage {
    layout: Layout,
    slug: String,
    name: String,
    csrf_field: &'static str,
    csrf_token: String,
    reference: String,
    day: String,
    grounds: String,
    email: String,
    max_grounds: usize,
    appeal_days: u32,
    error: Option<String>,
    receipt: Option<ReceiptView>,
}

struct ReceiptView {
    number: String,
    reference: String,
    received: String,
    due: String,
    already_filed: bool,
    decided: Option<&'static str>,
    email_given: bool,
}

#[derive(Deserialize, Default)]
pub(crate) struct AppealQuery {
    riferimento: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct AppealForm {
    #[serde(default)]
    riferimento: String,
    #[serde(default)]
    data: String,
    #[serde(default)]
    motivi: String,
    #[serde(default)]
    email: String,
    csrf_token: Option<String>,
}

fn page(
    ctx: &piazza_desk::AdminContext,
    auth: Option<Authenticated>,
    state: &AppState,
    csrf_token: String,
) -> AppealPage {
    let p = &ctx.policy;
    AppealPage {
        layout: Layout::administration(&ctx.slug, p, "Richiesta di riesame", Section::Policy)
            .with_staff(auth, state),
        slug: ctx.slug.clone(),
        name: p.administration.name.clone(),
        csrf_field: CSRF_FIELD,
        csrf_token,
        reference: String::new(),
        day: String::new(),
        grounds: String::new(),
        email: String::new(),
        max_grounds: MAX_GROUNDS_CHARS,
        appeal_days: p.moderation.appeal_days,
        error: None,
        receipt: None,
    }
}

pub(crate) async fn appeal_page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    auth: Option<Authenticated>,
    Query(q): Query<AppealQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let ctx = state.administration(&slug).await?;
    let (token, cookie) = presession_token(&state, &headers);
    let mut view = page(&ctx, auth, &state, token);
    view.reference = q
        .riferimento
        .filter(|r| r.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or_default();
    let mut res = render(&view);
    if let Some(c) = cookie {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    Ok(res)
}

pub(crate) async fn appeal_submit(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    auth: Option<Authenticated>,
    headers: HeaderMap,
    ext: axum::http::Extensions,
    axum::Form(form): axum::Form<AppealForm>,
) -> Result<Response, AppError> {
    verify_presession(&state, &headers, form.csrf_token.as_deref())?;
    let ctx = state.administration(&slug).await?;
    let mut view = page(
        &ctx,
        auth,
        &state,
        form.csrf_token.clone().unwrap_or_default(),
    );
    view.reference = form.riferimento.trim().to_string();
    view.day = form.data.trim().to_string();
    view.grounds = form.motivi.clone();
    view.email = form.email.trim().to_string();
    let refuse = |mut view: AppealPage, status: StatusCode, message: String| {
        view.error = Some(message);
        (status, render(&view)).into_response()
    };
    if !public_form_allowed(&state, client_addr(&ext)).await? {
        return Ok(refuse(
            view,
            StatusCode::TOO_MANY_REQUESTS,
            "Troppe richieste da questo indirizzo in un minuto: riprova tra poco.".into(),
        ));
    }
    let Ok(reference) = view.reference.trim_start_matches("n. ").parse::<i64>() else {
        return Ok(refuse(
            view,
            StatusCode::UNPROCESSABLE_ENTITY,
            "Indica il numero di riferimento della decisione, come scritto nella motivazione che hai ricevuto.".into(),
        ));
    };
    let Ok(day) = view.day.parse::<piazza_calendar::jiff::civil::Date>() else {
        return Ok(refuse(
            view,
            StatusCode::UNPROCESSABLE_ENTITY,
            "Indica la data del commento (giorno, mese e anno).".into(),
        ));
    };
    let filing = AppealFiling {
        reference: ActionId(reference),
        channel: AppealChannel::WebForm,
        grounds: view.grounds.clone(),
        comment_day: Some(day),
        reply_to: Some(view.email.clone()).filter(|e| !e.is_empty()),
    };
    let admin = ctx.admin_id;
    match state
        .run(move |d| d.file_appeal(admin, None, &filing))
        .await
    {
        Ok(receipt) => {
            view.receipt = Some(receipt_view(&receipt, !view.email.is_empty()));
            Ok(render(&view))
        }
        Err(AppError::Desk { code, message }) => {
            let (status, message) = match code {
                "not_found" => (
                    StatusCode::NOT_FOUND,
                    "Nessuna decisione corrisponde a questo riferimento e a questa data. Controlla i dati nella motivazione che hai ricevuto.".to_string(),
                ),
                _ => (StatusCode::UNPROCESSABLE_ENTITY, message),
            };
            Ok(refuse(view, status, message))
        }
        Err(e) => Err(e),
    }
}

fn receipt_view(r: &AppealReceipt, email_given: bool) -> ReceiptView {
    ReceiptView {
        number: r.id.to_string(),
        reference: r.reference.to_string(),
        received: crate::views::when(r.received_at),
        due: crate::views::when(r.due_at),
        already_filed: r.already_filed,
        decided: (r.state != piazza_desk::AppealState::Open).then(|| r.state.label_it()),
        email_given,
    }
}

#[derive(Template)]
#[template(path = "report_comment.html")]
struct ReportPage {
    layout: Layout,
    slug: String,
    name: String,
    csrf_field: &'static str,
    csrf_token: String,
    clauses: Vec<(u32, String, bool)>,
    link: String,
    reason: String,
    email: String,
    max_chars: usize,
    error: Option<String>,
    /// Received: whether the link named a comment the office holds.
    received: Option<(String, bool)>,
}

#[derive(Deserialize)]
pub(crate) struct ReportForm {
    #[serde(default)]
    collegamento: String,
    #[serde(default)]
    regola: String,
    #[serde(default)]
    motivo: String,
    #[serde(default)]
    email: String,
    csrf_token: Option<String>,
}

fn report_page(
    ctx: &piazza_desk::AdminContext,
    auth: Option<Authenticated>,
    state: &AppState,
    csrf_token: String,
    chosen: Option<u32>,
) -> ReportPage {
    let p = &ctx.policy;
    ReportPage {
        layout: Layout::administration(&ctx.slug, p, "Segnala un commento", Section::Policy)
            .with_staff(auth, state),
        slug: ctx.slug.clone(),
        name: p.administration.name.clone(),
        csrf_field: CSRF_FIELD,
        csrf_token,
        clauses: p
            .external
            .clauses
            .iter()
            .map(|c| (c.number, c.title.clone(), Some(c.number) == chosen))
            .collect(),
        link: String::new(),
        reason: String::new(),
        email: String::new(),
        max_chars: piazza_desk::MAX_REPORT_CHARS,
        error: None,
        received: None,
    }
}

pub(crate) async fn report_form(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    auth: Option<Authenticated>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let ctx = state.administration(&slug).await?;
    let (token, cookie) = presession_token(&state, &headers);
    let mut res = render(&report_page(&ctx, auth, &state, token, None));
    if let Some(c) = cookie {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    Ok(res)
}

pub(crate) async fn report_submit(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    auth: Option<Authenticated>,
    headers: HeaderMap,
    ext: axum::http::Extensions,
    axum::Form(form): axum::Form<ReportForm>,
) -> Result<Response, AppError> {
    verify_presession(&state, &headers, form.csrf_token.as_deref())?;
    let ctx = state.administration(&slug).await?;
    let clause = form.regola.trim().parse::<u32>().ok();
    let mut view = report_page(
        &ctx,
        auth,
        &state,
        form.csrf_token.clone().unwrap_or_default(),
        clause,
    );
    view.link = form.collegamento.trim().to_string();
    view.reason = form.motivo.clone();
    view.email = form.email.trim().to_string();
    if !public_form_allowed(&state, client_addr(&ext)).await? {
        view.error =
            Some("Troppe richieste da questo indirizzo in un minuto: riprova tra poco.".into());
        return Ok((StatusCode::TOO_MANY_REQUESTS, render(&view)).into_response());
    }
    let filing = piazza_desk::UserReportFiling {
        link: view.link.clone(),
        clause,
        reason: view.reason.clone(),
        reply_to: Some(view.email.clone()).filter(|e| !e.is_empty()),
    };
    let admin = ctx.admin_id;
    match state.run(move |d| d.file_user_report(admin, &filing)).await {
        Ok(r) => {
            view.received = Some((r.id.to_string(), r.matched));
            Ok(render(&view))
        }
        Err(AppError::Desk { message, .. }) => {
            view.error = Some(message);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)).into_response())
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "publication_request.html")]
struct RequestPage {
    layout: Layout,
    slug: String,
    name: String,
    csrf_field: &'static str,
    csrf_token: String,
    policy_text: String,
    form: RequestForm,
    max_chars: usize,
    error: Option<String>,
    /// The request's number, once filed.
    received: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
pub(crate) struct RequestForm {
    #[serde(default)]
    richiedente: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    oggetto: String,
    #[serde(default)]
    testo: String,
    #[serde(default)]
    perche: String,
    #[serde(default)]
    quando: String,
    #[serde(default)]
    collegamento: String,
    csrf_token: Option<String>,
}

/// The policy's words on requests from the public, or a 404: an
/// administration whose policy does not take them has no such form.
fn request_policy(ctx: &piazza_desk::AdminContext) -> Result<String, AppError> {
    ctx.policy
        .internal
        .editorial
        .as_ref()
        .and_then(|e| e.public_requests.as_ref())
        .map(|r| r.text.clone())
        .ok_or(AppError::NotFound)
}

fn request_page(
    ctx: &piazza_desk::AdminContext,
    auth: Option<Authenticated>,
    state: &AppState,
    csrf_token: String,
    policy_text: String,
    form: RequestForm,
) -> RequestPage {
    let p = &ctx.policy;
    RequestPage {
        layout: Layout::administration(&ctx.slug, p, "Chiedi una pubblicazione", Section::Policy)
            .with_staff(auth, state),
        slug: ctx.slug.clone(),
        name: p.administration.name.clone(),
        csrf_field: CSRF_FIELD,
        csrf_token,
        policy_text,
        form,
        max_chars: piazza_desk::MAX_REQUEST_CHARS,
        error: None,
        received: None,
    }
}

pub(crate) async fn request_form(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    auth: Option<Authenticated>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let ctx = state.administration(&slug).await?;
    let text = request_policy(&ctx)?;
    let (token, cookie) = presession_token(&state, &headers);
    let mut res = render(&request_page(
        &ctx,
        auth,
        &state,
        token,
        text,
        RequestForm::default(),
    ));
    if let Some(c) = cookie {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    Ok(res)
}

pub(crate) async fn request_submit(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    auth: Option<Authenticated>,
    headers: HeaderMap,
    ext: axum::http::Extensions,
    axum::Form(form): axum::Form<RequestForm>,
) -> Result<Response, AppError> {
    verify_presession(&state, &headers, form.csrf_token.as_deref())?;
    let ctx = state.administration(&slug).await?;
    let text = request_policy(&ctx)?;
    let token = form.csrf_token.clone().unwrap_or_default();
    let mut view = request_page(&ctx, auth, &state, token, text, form.clone());
    if !public_form_allowed(&state, client_addr(&ext)).await? {
        view.error =
            Some("Troppe richieste da questo indirizzo in un minuto: riprova tra poco.".into());
        return Ok((StatusCode::TOO_MANY_REQUESTS, render(&view)).into_response());
    }
    let given = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let filing = piazza_desk::PublicationRequestFiling {
        requester: form.richiedente.clone(),
        reply_to: given(&form.email),
        subject: form.oggetto.clone(),
        body: form.testo.clone(),
        purpose: given(&form.perche),
        wanted_on: given(&form.quando),
        link: given(&form.collegamento),
    };
    let admin = ctx.admin_id;
    match state
        .run(move |d| d.file_publication_request(admin, &filing))
        .await
    {
        Ok(id) => {
            view.received = Some(id.to_string());
            Ok(render(&view))
        }
        Err(AppError::Desk { message, .. }) => {
            view.error = Some(message);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)).into_response())
        }
        Err(e) => Err(e),
    }
}
