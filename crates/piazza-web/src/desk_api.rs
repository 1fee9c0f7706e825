//! The desk's JSON API: the same use cases as the pages, for programs.
//! Reads take [`Authenticated`], writes [`CsrfHeader`]; roles are checked
//! here as on the pages, and the desk checks them again with the account
//! scope.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use piazza_desk::{ActRequest, ActionOutcome, BulkTarget, CommentId, ItemDetail, QueueItem};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::auth::Authenticated;
use crate::csrf::CsrfHeader;
use crate::desk::{ACTING, InboxFilter, PAGE_SIZE, QUEUE};
use crate::error::AppError;
use crate::state::AppState;
use crate::views::Pairs;

#[derive(Serialize)]
pub(crate) struct QueuePage {
    items: Vec<QueueItem>,
    page: i64,
    more: bool,
}

/// `GET /api/v1/coda`: the filters of the inbox page, same names.
pub(crate) async fn queue(
    Authenticated(session): Authenticated,
    State(state): State<AppState>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Json<QueuePage>, AppError> {
    session.require(QUEUE)?;
    let f = InboxFilter::from_pairs(&Pairs(q));
    let filter = f.to_queue(&session)?;
    let admin = session.admin_id;
    let mut items = state.run(move |d| d.queue(admin, &filter)).await?;
    let more = items.len() as i64 > PAGE_SIZE;
    items.truncate(PAGE_SIZE as usize);
    Ok(Json(QueuePage {
        items,
        page: f.page,
        more,
    }))
}

#[derive(Serialize)]
pub(crate) struct Suggestion {
    category: String,
    suggested_action: &'static str,
    clause: Option<u32>,
    clause_url: Option<String>,
}

/// What the policy suggests for the comment's intent (a crime report goes
/// to the police with the `denuncia` template, a complaint to the URP).
#[derive(Serialize)]
pub(crate) struct IntentSuggestionView {
    intent: &'static str,
    suggested_action: &'static str,
    template: Option<&'static str>,
}

#[derive(Serialize)]
pub(crate) struct ItemView {
    #[serde(flatten)]
    detail: ItemDetail,
    policy_version: String,
    suggestions: Vec<Suggestion>,
    intent_suggestion: Option<IntentSuggestionView>,
}

/// `GET /api/v1/commenti/{id}`.
pub(crate) async fn item(
    Authenticated(session): Authenticated,
    State(state): State<AppState>,
    Path(id): Path<CommentId>,
) -> Result<Json<ItemView>, AppError> {
    session.require(QUEUE)?;
    let actor = session.actor();
    let admin = session.admin_id;
    let (detail, ctx) = state
        .run(move |d| Ok((d.item(&actor, id)?, d.context(admin)?)))
        .await?;
    let rev = detail
        .findings
        .iter()
        .map(|f| f.revision)
        .max()
        .unwrap_or(0);
    let flagged: Vec<piazza_taxonomy::Category> = detail
        .findings
        .iter()
        .filter(|f| f.revision == rev && f.flagged)
        .filter_map(|f| f.category.as_deref()?.parse().ok())
        .collect();
    let suggestions: Vec<Suggestion> = ctx
        .policy
        .suggestions(&flagged)
        .into_iter()
        .map(|s| Suggestion {
            category: s.category.as_str().into(),
            suggested_action: s.action.as_str(),
            clause: s.clause,
            clause_url: s.clause.map(|n| {
                format!(
                    "/enti/{}/policy#{}",
                    ctx.slug,
                    piazza_policy::Policy::clause_anchor(n)
                )
            }),
        })
        .collect();
    let intents: Vec<piazza_taxonomy::Intent> = detail
        .findings
        .iter()
        .filter(|f| f.revision == rev)
        .filter_map(|f| f.intent.as_deref()?.parse().ok())
        .collect();
    let intent_suggestion =
        piazza_desk::intent_suggestion(&ctx.policy, &intents).map(|s| IntentSuggestionView {
            intent: s.intent.as_str(),
            suggested_action: s.action.as_str(),
            template: s.template,
        });
    Ok(Json(ItemView {
        detail,
        policy_version: ctx.policy_version.clone(),
        suggestions,
        intent_suggestion,
    }))
}

/// The body of an act call: an [`ActRequest`] without `comment_id`, which
/// the path gives.
fn request_from(body: Value, comment_id: CommentId) -> Result<ActRequest, AppError> {
    let mut body = body;
    let obj = body
        .as_object_mut()
        .ok_or_else(|| AppError::BadRequest("expected a JSON object".into()))?;
    obj.insert("comment_id".into(), comment_id.0.into());
    serde_json::from_value(body).map_err(|e| AppError::BadRequest(e.to_string()))
}

/// `POST /api/v1/commenti/{id}/azioni`.
pub(crate) async fn act(
    CsrfHeader(session): CsrfHeader,
    State(state): State<AppState>,
    Path(id): Path<CommentId>,
    Json(body): Json<Value>,
) -> Result<Response, AppError> {
    session.require(ACTING)?;
    let req = request_from(body, id)?;
    let actor = session.actor();
    let out: ActionOutcome = state.run(move |d| d.act(&actor, &req)).await?;
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

#[derive(Deserialize)]
pub(crate) struct BulkBody {
    comment_ids: Vec<CommentId>,
    #[serde(flatten)]
    request: Value,
}

/// `POST /api/v1/azioni-multiple`.
pub(crate) async fn act_bulk(
    CsrfHeader(session): CsrfHeader,
    State(state): State<AppState>,
    Json(body): Json<Value>,
) -> Result<Response, AppError> {
    session.require(ACTING)?;
    let body: BulkBody =
        serde_json::from_value(body).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let mut req = request_from(body.request, CommentId(0))?;
    req.expected_version = None;
    let ids = body.comment_ids;
    let actor = session.actor();
    let out = state
        .run(move |d| d.act_bulk(&actor, &BulkTarget::Comments(ids), &req))
        .await?;
    Ok((StatusCode::CREATED, Json(out)).into_response())
}
