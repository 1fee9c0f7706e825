//! Private messages at the desk (`/desk/conversazioni`): the conversations
//! citizens open in private with the accounts assigned to the person
//! looking, those waiting for an answer first by the promised time; one
//! conversation with its messages, where each answer stands on its way to
//! the platform, the platform's rule for answering, and the answer form
//! with the policy's ready texts. The desk refuses anyone not assigned to
//! the account, whatever their role.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use piazza_desk::{
    Conversation, ConversationDetail, ConversationId, ConversationState, Direction, OutboxState,
};
use serde::Deserialize;

use crate::auth::Authenticated;
use crate::csrf::{CSRF_FIELD, CsrfForm};
use crate::desk::{DeskSection, context};
use crate::error::AppError;
use crate::pages::{Layout, render};
use crate::state::AppState;
use crate::views::{Pairs, page_status, when};

pub(crate) struct ConversationView {
    id: String,
    citizen: String,
    account: String,
    intent: &'static str,
    last: String,
    due: String,
    state: &'static str,
    open_or_answered: bool,
}

fn view(c: &Conversation, now: i64) -> ConversationView {
    ConversationView {
        id: c.id.to_string(),
        citizen: c.citizen_name.clone().unwrap_or_else(|| "—".into()),
        account: format!(
            "{} ({})",
            c.account,
            c.platform
                .parse::<piazza_taxonomy::Platform>()
                .map(|p| p.label_it().to_string())
                .unwrap_or_else(|_| c.platform.clone())
        ),
        intent: c.intent.map_or("—", |i| i.label_it()),
        last: when(c.last_message_at),
        due: match (c.state, c.deadline_at) {
            (ConversationState::Open, Some(d)) if d < now => format!("{} (scaduto)", when(d)),
            (ConversationState::Open, Some(d)) => when(d),
            (ConversationState::Open, None) => "nessun tempo promesso per questo account".into(),
            _ => "—".into(),
        },
        state: c.state.label_it(),
        open_or_answered: c.state != ConversationState::Closed,
    }
}

#[derive(Template)]
#[template(path = "conversations.html")]
struct ConversationsPage {
    layout: Layout,
    conversations: Vec<ConversationView>,
    show_all: bool,
}

pub(crate) async fn conversations_page(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    // Private messages are the accounts' staff's: an office has none.
    session.refuse_office_only()?;
    let show_all = Pairs(q).get("tutte").is_some();
    let ctx = context(&state, &session).await?;
    let actor = session.actor();
    let list = state
        .run(move |d| d.conversations(&actor, (!show_all).then_some(ConversationState::Open)))
        .await?;
    let now = state.desk.now();
    Ok(render(&ConversationsPage {
        layout: Layout::desk(
            &state,
            &session,
            &ctx,
            "Messaggi privati",
            DeskSection::Conversations,
        ),
        conversations: list.iter().map(|c| view(c, now)).collect(),
        show_all,
    })
    .into_response())
}

struct MessageView {
    who: String,
    at: String,
    text: String,
    outgoing: bool,
    delivery: Option<String>,
}

#[derive(Template)]
#[template(path = "conversation.html")]
struct ConversationPage {
    layout: Layout,
    csrf_field: &'static str,
    csrf_token: String,
    c: ConversationView,
    messages: Vec<MessageView>,
    window: String,
    can_reply: bool,
    templates: Vec<(&'static str, String)>,
    error: Option<String>,
    notice: Option<&'static str>,
}

fn delivery_it(state: Option<OutboxState>, error: Option<&str>, platform: &str) -> Option<String> {
    let place = platform
        .parse::<piazza_taxonomy::Platform>()
        .map(|p| p.label_it().to_string())
        .unwrap_or_else(|_| platform.to_string());
    Some(match state? {
        OutboxState::Done => format!("inviato su {place}"),
        OutboxState::Pending | OutboxState::InFlight => {
            format!("in coda per {place}: non ancora inviato")
        }
        OutboxState::Failed => format!(
            "non inviato: {}",
            error.unwrap_or("la piattaforma ha rifiutato il messaggio")
        ),
        OutboxState::Manual => {
            "non inviato: l'account non è collegato, va inviato a mano dall'app".into()
        }
        OutboxState::Unsupported => format!(
            "non inviato: {}",
            error.unwrap_or("la piattaforma non lo consente")
        ),
        OutboxState::Cancelled => "annullato: non è stato inviato".into(),
    })
}

async fn detail(
    state: &AppState,
    session: &crate::auth::StaffSession,
    id: ConversationId,
    error: Option<String>,
    notice: Option<&'static str>,
) -> Result<Response, AppError> {
    let ctx = context(state, session).await?;
    let actor = session.actor();
    let detail: ConversationDetail = state.run(move |d| d.conversation(&actor, id)).await?;
    let now = state.desk.now();
    let platform = detail.conversation.platform.clone();
    let messages = detail
        .messages
        .iter()
        .map(|m| MessageView {
            who: match (m.direction, &m.staff) {
                (Direction::In, _) => detail
                    .conversation
                    .citizen_name
                    .clone()
                    .unwrap_or_else(|| "Cittadino".into()),
                (Direction::Out, Some(s)) => format!("{s} (per l'ente)"),
                (Direction::Out, None) => "L'ente".into(),
            },
            at: when(m.at),
            text: m
                .text
                .clone()
                .unwrap_or_else(|| "(testo cancellato per i tempi di conservazione)".into()),
            outgoing: m.direction == Direction::Out,
            delivery: delivery_it(m.outbox_state, m.outbox_error.as_deref(), &platform),
        })
        .collect();
    let templates = ["urp", "denuncia", "cortesia"]
        .into_iter()
        .filter_map(|t| {
            let label = piazza_desk::TEMPLATES.iter().find(|(id, _)| *id == t)?.1;
            piazza_desk::render_template(t, &ctx.policy, None)
                .ok()
                .map(|text| (label, text))
        })
        .collect();
    let page = ConversationPage {
        layout: Layout::desk(
            state,
            session,
            &ctx,
            &format!("Conversazione n. {id}"),
            DeskSection::Conversations,
        ),
        csrf_field: CSRF_FIELD,
        csrf_token: state.csrf.token(&session.session_id),
        c: view(&detail.conversation, now),
        messages,
        window: detail.window.explanation.clone(),
        can_reply: detail.window.open,
        templates,
        error: error.clone(),
        notice,
    };
    Ok((page_status(&error), render(&page)).into_response())
}

pub(crate) async fn conversation_page(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    Path(id): Path<i64>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let notice = match Pairs(q).get("esito") {
        Some("inviato") => Some(
            "Messaggio messo in coda per la piattaforma: lo stato dell’invio è indicato sotto.",
        ),
        Some("chiusa") => Some("Conversazione chiusa. Un nuovo messaggio del cittadino la riapre."),
        _ => None,
    };
    detail(&state, &session, ConversationId(id), None, notice).await
}

#[derive(Deserialize)]
pub(crate) struct ReplyForm {
    testo: String,
}

pub(crate) async fn reply_submit(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { session, form }: CsrfForm<ReplyForm>,
) -> Result<Response, AppError> {
    let actor = session.actor();
    let id = ConversationId(id);
    let text = form.testo;
    match state
        .run(move |d| d.reply_conversation(&actor, id, &text))
        .await
    {
        Ok(_) => {
            state.worker.notify();
            Ok(Redirect::to(&format!("/desk/conversazioni/{id}?esito=inviato")).into_response())
        }
        Err(AppError::Desk {
            code: "invalid_input",
            message,
        }) => detail(&state, &session, id, Some(message), None).await,
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub(crate) struct CloseForm {}

pub(crate) async fn close_submit(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { session, form: _ }: CsrfForm<CloseForm>,
) -> Result<Response, AppError> {
    let actor = session.actor();
    let id = ConversationId(id);
    state.run(move |d| d.close_conversation(&actor, id)).await?;
    Ok(Redirect::to(&format!("/desk/conversazioni/{id}?esito=chiusa")).into_response())
}
