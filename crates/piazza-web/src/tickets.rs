//! The tickets' pages: the list an office's referente works from (their
//! office's tickets only: the desk decides which), one ticket with its
//! history and the forms its reader may use (answer, ask, inform, close,
//! send the drafted reply), and the posts of those forms. The URP also
//! sees each ticket's draft on the comment's page, and sends it there.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use piazza_desk::{Role, Ticket, TicketFilter, TicketId, TicketState};

use crate::auth::{Authenticated, StaffSession};
use crate::csrf::{CSRF_FIELD, CsrfForm};
use crate::desk::{ACTING, DeskSection, QUEUE, context};
use crate::error::AppError;
use crate::pages::{Layout, render};
use crate::state::AppState;
use crate::views::{Pairs, when};

/// Roles that may open the tickets' pages (the desk narrows each ticket).
pub(crate) const TICKETS: &[Role] = &[
    Role::Ufficio,
    Role::Moderatore,
    Role::OperatoreUrp,
    Role::Redattore,
    Role::Dirigente,
    Role::Auditor,
];

struct TicketRow {
    id: TicketId,
    number: String,
    office: String,
    state: &'static str,
    open: bool,
    updated: String,
    excerpt: String,
}

#[derive(Template)]
#[template(path = "tickets.html")]
struct ListPage {
    layout: Layout,
    office: Option<String>,
    rows: Vec<TicketRow>,
    all: bool,
}

struct MessageView {
    when: String,
    what: &'static str,
    who: String,
    body: Option<String>,
}

#[derive(Template)]
#[template(path = "ticket.html")]
struct TicketPage {
    layout: Layout,
    csrf_field: &'static str,
    csrf_token: String,
    id: TicketId,
    number: String,
    office: String,
    state: &'static str,
    version: i64,
    account: String,
    received: Option<String>,
    comment_text: Option<String>,
    comment_link: Option<String>,
    draft: Option<String>,
    messages: Vec<MessageView>,
    /// The office's own forms.
    can_answer: bool,
    can_ask: bool,
    /// The URP's.
    can_inform: bool,
    can_reply: bool,
    can_close: bool,
    error: Option<String>,
    done: bool,
}

fn excerpt(t: &Ticket) -> String {
    let text = t
        .comment_text
        .as_deref()
        .unwrap_or("(testo non più conservato)");
    let mut s: String = text.chars().take(120).collect();
    if text.chars().count() > 120 {
        s.push('…');
    }
    s
}

pub(crate) async fn list(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    session.require(TICKETS)?;
    let ctx = context(&state, &session).await?;
    let all = Pairs(q).get("tutti").is_some();
    let actor = session.actor();
    let (tickets, office) = state
        .run(move |d| {
            let states = if all {
                Vec::new()
            } else {
                vec![
                    TicketState::Open,
                    TicketState::InfoRequested,
                    TicketState::Answered,
                ]
            };
            let t = d.tickets(
                &actor,
                &TicketFilter {
                    states,
                    ..Default::default()
                },
            )?;
            Ok((t, d.office_of(&actor)?.map(|o| o.name)))
        })
        .await?;
    let page = ListPage {
        layout: Layout::desk(&state, &session, &ctx, "Ticket", DeskSection::Tickets),
        office,
        all,
        rows: tickets
            .iter()
            .map(|t| TicketRow {
                id: t.id,
                number: t.number.clone(),
                office: t.office.clone(),
                state: t.state.label_it(),
                open: t.state != TicketState::Closed,
                updated: when(t.updated_at),
                excerpt: excerpt(t),
            })
            .collect(),
    };
    Ok(render(&page))
}

fn ticket_page(
    state: &AppState,
    session: &StaffSession,
    ctx: &piazza_desk::context::AdminContext,
    t: &Ticket,
    office_side: bool,
    error: Option<String>,
    done: bool,
) -> TicketPage {
    let urp_side = session.has_any(ACTING);
    let s = t.state;
    TicketPage {
        layout: Layout::desk(
            state,
            session,
            ctx,
            &format!("Ticket {}", t.number),
            DeskSection::Tickets,
        ),
        csrf_field: CSRF_FIELD,
        csrf_token: state.csrf.token(&session.session_id),
        id: t.id,
        number: t.number.clone(),
        office: t.office.clone(),
        state: s.label_it(),
        version: t.version,
        account: match (&t.account, &t.platform) {
            (Some(a), Some(p)) => format!("{a} ({p})"),
            _ => "—".into(),
        },
        received: t.comment_at.map(when),
        comment_text: t.comment_text.clone(),
        // The comment's page is the moderation desk's: only for the URP.
        comment_link: t
            .comment_id
            .filter(|_| session.has_any(QUEUE))
            .map(|c| format!("/desk/commenti/{c}")),
        draft: t.draft_reply.clone(),
        messages: t
            .messages
            .iter()
            .map(|m| MessageView {
                when: when(m.created_at),
                what: m.event.label_it(),
                who: m
                    .author_name
                    .clone()
                    .or(m.author.clone())
                    .unwrap_or_else(|| "sistema".into()),
                body: m.body.clone(),
            })
            .collect(),
        can_answer: office_side && s.after(piazza_desk::TicketEvent::Answer).is_some(),
        can_ask: office_side && s.after(piazza_desk::TicketEvent::Question).is_some(),
        can_inform: urp_side && s.after(piazza_desk::TicketEvent::Info).is_some(),
        can_reply: urp_side && s.after(piazza_desk::TicketEvent::ReplySent).is_some(),
        can_close: (office_side || urp_side) && s.after(piazza_desk::TicketEvent::Close).is_some(),
        error,
        done,
    }
}

async fn load(
    state: &AppState,
    session: &StaffSession,
    id: TicketId,
) -> Result<(Ticket, bool), AppError> {
    let actor = session.actor();
    state
        .run(move |d| {
            let t = d.ticket(&actor, id)?;
            let mine = d
                .office_of(&actor)?
                .is_some_and(|o| Some(o.id) == t.office_id);
            Ok((t, mine))
        })
        .await
}

pub(crate) async fn show(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    Path(id): Path<TicketId>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    session.require(TICKETS)?;
    let ctx = context(&state, &session).await?;
    let (t, mine) = load(&state, &session, id).await?;
    let done = Pairs(q).get("esito").is_some();
    Ok(render(&ticket_page(
        &state, &session, &ctx, &t, mine, None, done,
    )))
}

/// One step from a form: `passo` is risposta (answer), domanda (ask),
/// informazioni (inform), chiusura (close) or invio (send the reply).
pub(crate) async fn step(
    State(state): State<AppState>,
    Path((id, passo)): Path<(TicketId, String)>,
    CsrfForm { session, form }: CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    session.require(TICKETS)?;
    let form = Pairs(form);
    let text = form.get("testo").unwrap_or("").to_string();
    let version = form.int("versione");
    // Where to go back: the comment's page when the reply was sent from it.
    let back = form
        .get("ritorno")
        .filter(|r| {
            r.strip_prefix("/desk/commenti/")
                .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        })
        .map(String::from);
    let actor = session.actor();
    let result = match passo.as_str() {
        "risposta" => {
            state
                .run(move |d| d.ticket_answer(&actor, id, &text, version).map(|_| ()))
                .await
        }
        "domanda" => {
            state
                .run(move |d| d.ticket_ask(&actor, id, &text, version).map(|_| ()))
                .await
        }
        "informazioni" => {
            state
                .run(move |d| d.ticket_inform(&actor, id, &text, version).map(|_| ()))
                .await
        }
        "chiusura" => {
            state
                .run(move |d| {
                    let note = (!text.trim().is_empty()).then_some(text.as_str());
                    d.ticket_close(&actor, id, note, version).map(|_| ())
                })
                .await
        }
        "invio" => {
            state
                .run(move |d| {
                    let text = (!text.trim().is_empty()).then_some(text.as_str());
                    d.ticket_send_reply(&actor, id, text, version).map(|_| ())
                })
                .await
        }
        _ => return Err(AppError::NotFound),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&match back {
            Some(b) => format!("{b}#ticket-{id}"),
            None => format!("/desk/ticket/{id}?esito=1"),
        })
        .into_response()),
        // A refusal the person can fix: the page again, with the reason.
        Err(e @ AppError::Desk { .. })
            if !matches!(e.status(), StatusCode::FORBIDDEN | StatusCode::NOT_FOUND) =>
        {
            let ctx = context(&state, &session).await?;
            let (t, mine) = load(&state, &session, id).await?;
            let page = ticket_page(&state, &session, &ctx, &t, mine, Some(e.message()), false);
            Ok((e.status(), render(&page)).into_response())
        }
        Err(e) => Err(e),
    }
}
