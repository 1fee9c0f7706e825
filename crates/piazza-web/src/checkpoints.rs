//! The public page of an administration's signed audit checkpoints
//! (`/enti/{slug}/registro-verifiche`): what anyone needs to keep a copy
//! and later check, with `piazza audit verify --checkpoint`, that the log
//! was not rewritten.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;

use crate::auth::Authenticated;
use crate::error::AppError;
use crate::pages::{Layout, Section, render};
use crate::state::AppState;

/// How many checkpoints the page lists (newest first).
const SHOWN: i64 = 60;

#[derive(Template)]
#[template(path = "checkpoints.html")]
struct CheckpointsPage {
    layout: Layout,
    name: String,
    rows: Vec<Row>,
    /// Every public key that signed a listed checkpoint.
    keys: Vec<String>,
}

struct Row {
    when: String,
    signed_at: String,
    seq: i64,
    head_hash: String,
    public_key: String,
    signature: String,
}

pub(crate) async fn checkpoints_page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    auth: Option<Authenticated>,
) -> Result<Response, AppError> {
    let ctx = state.administration(&slug).await?;
    let admin = ctx.admin_id;
    let stored = state
        .run(move |d| d.audit_checkpoints(admin, SHOWN))
        .await?;
    let mut keys: Vec<String> = Vec::new();
    for s in &stored {
        if !keys.contains(&s.checkpoint.public_key) {
            keys.push(s.checkpoint.public_key.clone());
        }
    }
    let rows = stored
        .into_iter()
        .map(|s| Row {
            when: crate::views::when(s.created_at),
            signed_at: s.checkpoint.signed_at,
            seq: s.checkpoint.seq,
            head_hash: s.checkpoint.head_hash,
            public_key: s.checkpoint.public_key,
            signature: s.checkpoint.signature,
        })
        .collect();
    Ok(render(&CheckpointsPage {
        layout: Layout::administration(
            &slug,
            &ctx.policy,
            "Verifiche del registro",
            Section::Checkpoints,
        )
        .with_staff(auth, &state),
        name: ctx.policy.administration.name.clone(),
        rows,
        keys,
    }))
}
