//! Ingestion: posts and comments arrive with (platform, external id).
//! Ingesting the same item twice changes nothing; an edited comment keeps
//! its history. Each comment is analysed at ingest and its findings are
//! stored with the policy version in force.

use piazza_analysis::{Analysis, CommentInput};
use piazza_policy::Triage;
use piazza_store::Tx;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::context::AdminContext;
use crate::registry::{Account, AccountStatus};
use crate::{Desk, DeskError, Result};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncomingPost {
    pub platform: String,
    pub external_id: String,
    pub text: Option<String>,
    pub url: Option<String>,
    pub published_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncomingComment {
    pub platform: String,
    pub external_id: String,
    /// The post the comment answers, when known.
    pub post_external_id: Option<String>,
    /// The post's text, when the source carries it (for off-topic).
    pub post_text: Option<String>,
    /// The author's id on the platform (pseudonymous).
    pub author_ref: Option<String>,
    pub author_name: Option<String>,
    pub text: String,
    /// When the citizen wrote it (ms since the epoch).
    pub created_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", content = "id", rename_all = "snake_case")]
pub enum IngestOutcome {
    Inserted(i64),
    Unchanged(i64),
    Edited(i64),
}

impl IngestOutcome {
    pub fn id(self) -> i64 {
        match self {
            IngestOutcome::Inserted(i) | IngestOutcome::Unchanged(i) | IngestOutcome::Edited(i) => {
                i
            }
        }
    }
}

pub(crate) fn sha(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// The policy's triage of one analysis.
pub(crate) fn triage(ctx: &AdminContext, a: &Analysis) -> Triage {
    ctx.policy.triage(
        a.findings.iter().map(|f| (f.category, f.score)),
        a.intents.iter().map(|i| i.intent),
    )
}

pub(crate) fn store_findings(
    tx: &mut Tx<'_>,
    ctx: &AdminContext,
    comment_id: i64,
    revision: i64,
    a: &Analysis,
) -> piazza_store::Result<()> {
    for f in &a.findings {
        let clause = ctx.policy.category_rule(f.category).clause;
        tx.execute(
            "INSERT INTO findings (admin_id, comment_id, revision, policy_version_id, category, intent, kind, target, score, flagged, clause, evidence_json, explanation)
             VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?)",
            &[
                ctx.admin_id.into(),
                comment_id.into(),
                revision.into(),
                ctx.policy_version_id.into(),
                f.category.as_str().into(),
                f.kind.clone().into(),
                f.target.map(|t| t.as_str()).into(),
                f64::from(f.score).into(),
                ctx.policy.flags(f.category, f.score).into(),
                clause.map(i64::from).into(),
                serde_json::to_string(&f.evidence).unwrap_or_default().into(),
                (&f.explanation).into(),
            ],
        )?;
    }
    for i in &a.intents {
        tx.execute(
            "INSERT INTO findings (admin_id, comment_id, revision, policy_version_id, category, intent, kind, target, score, flagged, clause, evidence_json, explanation)
             VALUES (?, ?, ?, ?, NULL, ?, NULL, NULL, ?, 0, NULL, ?, ?)",
            &[
                ctx.admin_id.into(),
                comment_id.into(),
                revision.into(),
                ctx.policy_version_id.into(),
                i.intent.as_str().into(),
                f64::from(i.score).into(),
                serde_json::to_string(&i.evidence).unwrap_or_default().into(),
                (&i.explanation).into(),
            ],
        )?;
    }
    Ok(())
}

impl Desk {
    pub(crate) fn analyse(
        &self,
        ctx: &AdminContext,
        c: &IncomingComment,
        post_text: Option<&str>,
    ) -> Analysis {
        let mut input = CommentInput::new(&c.text).platform(&c.platform);
        if let Some(p) = post_text.or(c.post_text.as_deref()) {
            input = input.post_text(p);
        }
        if let Some(a) = &c.author_ref {
            input = input.author(a);
        }
        ctx.analyzer.analyze(&input)
    }

    /// Records a post (idempotent); returns its id.
    pub fn ingest_post(&self, admin_id: i64, account_id: i64, post: &IncomingPost) -> Result<i64> {
        self.account(admin_id, account_id)?;
        let now = self.now();
        Ok(self
            .store
            .write(|tx| upsert_post(tx, admin_id, account_id, post, now))?)
    }

    /// Ingests comments of one account in one transaction. Analysis runs in
    /// parallel before the transaction; the transaction only writes.
    pub fn ingest_comments(
        &self,
        admin_id: i64,
        account_id: i64,
        items: &[IncomingComment],
    ) -> Result<Vec<IngestOutcome>> {
        let ctx = self.context(admin_id)?;
        let account = self.account(admin_id, account_id)?;
        if account.status != AccountStatus::Active {
            return Err(DeskError::InvalidInput(format!(
                "account {} is {}: it receives no comments",
                account.name,
                account.status.as_str()
            )));
        }
        let analyses: Vec<Analysis> = items
            .par_iter()
            .map(|c| self.analyse(&ctx, c, None))
            .collect();
        let now = self.now();
        self.write(|tx| {
            let mut out = Vec::with_capacity(items.len());
            for (c, a) in items.iter().zip(&analyses) {
                out.push(ingest_one(tx, &ctx, &account, c, a, now)?);
            }
            Ok(out)
        })
    }

    /// Ingests one comment.
    pub fn ingest_comment(
        &self,
        admin_id: i64,
        account_id: i64,
        item: &IncomingComment,
    ) -> Result<IngestOutcome> {
        Ok(self.ingest_comments(admin_id, account_id, std::slice::from_ref(item))?[0])
    }
}

pub(crate) fn upsert_post(
    tx: &mut Tx<'_>,
    admin_id: i64,
    account_id: i64,
    post: &IncomingPost,
    now: i64,
) -> piazza_store::Result<i64> {
    if let Some(r) = tx.query_opt(
        "SELECT id, text FROM posts WHERE admin_id = ? AND platform = ? AND external_id = ?",
        &[
            admin_id.into(),
            (&post.platform).into(),
            (&post.external_id).into(),
        ],
    )? {
        let id = r.int(0)?;
        if r.opt_text(1)?.is_none() && post.text.is_some() {
            tx.execute(
                "UPDATE posts SET text = ? WHERE id = ?",
                &[post.text.clone().into(), id.into()],
            )?;
        }
        return Ok(id);
    }
    tx.insert(
        "INSERT INTO posts (admin_id, account_id, platform, external_id, text, url, published_at, ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        &[
            admin_id.into(),
            account_id.into(),
            (&post.platform).into(),
            (&post.external_id).into(),
            post.text.clone().into(),
            post.url.clone().into(),
            post.published_at.into(),
            now.into(),
        ],
    )
}

pub(crate) fn ingest_one(
    tx: &mut Tx<'_>,
    ctx: &AdminContext,
    account: &Account,
    c: &IncomingComment,
    a: &Analysis,
    now: i64,
) -> piazza_store::Result<IngestOutcome> {
    let admin_id = ctx.admin_id;
    let hash = sha(&c.text);
    let existing = tx.query_opt(
        "SELECT id, text_sha256, revision, state, resolution FROM comments WHERE admin_id = ? AND platform = ? AND external_id = ?",
        &[admin_id.into(), (&c.platform).into(), (&c.external_id).into()],
    )?;
    let t = triage(ctx, a);
    if let Some(r) = existing {
        let id = r.int(0)?;
        if r.text(1)? == hash {
            return Ok(IngestOutcome::Unchanged(id));
        }
        // An edit: keep the old text as a revision, analyse the new one.
        let revision = r.int(2)? + 1;
        let state = r.text(3)?;
        let resolution = r.opt_text(4)?;
        let reopen = state == "resolved" && matches!(resolution.as_deref(), Some("kept") | None);
        tx.execute(
            "INSERT INTO comment_revisions (admin_id, comment_id, revision, text, text_sha256, seen_at) VALUES (?, ?, ?, ?, ?, ?)",
            &[admin_id.into(), id.into(), revision.into(), (&c.text).into(), (&hash).into(), now.into()],
        )?;
        tx.execute(
            &format!(
                "UPDATE comments SET text = ?, text_sha256 = ?, revision = ?, severity = ?, priority = ?, top_category = ?, policy_version_id = ?, version = version + 1{}
                 WHERE id = ?",
                if reopen { ", state = 'new', resolution = NULL, resolved_at = NULL" } else { "" }
            ),
            &[
                (&c.text).into(),
                hash.into(),
                revision.into(),
                t.severity.into(),
                t.priority.into(),
                t.top_category.map(|c| c.as_str()).into(),
                ctx.policy_version_id.into(),
                id.into(),
            ],
        )?;
        store_findings(tx, ctx, id, revision, a)?;
        return Ok(IngestOutcome::Edited(id));
    }
    let post_id = match &c.post_external_id {
        Some(ext) => Some(upsert_post(
            tx,
            admin_id,
            account.id,
            &IncomingPost {
                platform: c.platform.clone(),
                external_id: ext.clone(),
                text: c.post_text.clone(),
                url: None,
                published_at: None,
            },
            now,
        )?),
        None => None,
    };
    let deadline = if t.needs_reply {
        ctx.deadline(&account.hours, c.created_at)
    } else {
        None
    };
    let ms = |ts: piazza_calendar::jiff::Timestamp| ts.as_millisecond();
    let id = tx.insert(
        "INSERT INTO comments (admin_id, account_id, post_id, platform, external_id, author_ref, author_name, text, text_sha256, created_at, ingested_at, revision, state, severity, priority, top_category, policy_version_id, needs_reply, taken_in_charge_at, courtesy_due_at, deadline_at, sla_state)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 'new', ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        &[
            admin_id.into(),
            account.id.into(),
            post_id.into(),
            (&c.platform).into(),
            (&c.external_id).into(),
            c.author_ref.clone().into(),
            c.author_name.clone().into(),
            (&c.text).into(),
            (&hash).into(),
            c.created_at.into(),
            now.into(),
            t.severity.into(),
            t.priority.into(),
            t.top_category.map(|c| c.as_str()).into(),
            ctx.policy_version_id.into(),
            t.needs_reply.into(),
            deadline.map(|d| ms(d.taken_in_charge)).into(),
            deadline.map(|d| ms(d.courtesy_due)).into(),
            deadline.map(|d| ms(d.deadline)).into(),
            deadline.map(|_| "open").into(),
        ],
    )?;
    tx.execute(
        "INSERT INTO comment_revisions (admin_id, comment_id, revision, text, text_sha256, seen_at) VALUES (?, ?, 1, ?, ?, ?)",
        &[admin_id.into(), id.into(), (&c.text).into(), hash.into(), now.into()],
    )?;
    store_findings(tx, ctx, id, 1, a)?;
    Ok(IngestOutcome::Inserted(id))
}
