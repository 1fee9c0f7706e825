//! The one ingest pipeline. File imports, the sandbox, webhooks and pulls
//! from the platforms all feed events of one account through
//! [`Desk::ingest_with`]:
//!
//! 1. the account must be active: a closed or unofficial account receives
//!    nothing;
//! 2. comments whose text has not changed since they were stored are not
//!    analysed again (one read of the stored hashes);
//! 3. new and edited texts are analysed in parallel, with the post's text
//!    as context;
//! 4. new comments pass, in order, through the administration's
//!    near-duplicate tracker, whose state outlives the batch (it is rebuilt
//!    from the stored comments after a restart, or after a batch it saw
//!    failed to commit);
//! 5. one transaction writes the comments, their findings, their triage,
//!    the ban in force against their author, platform deletions and
//!    visibility changes, and whatever the caller records with them (an
//!    import's progress, a webhook delivery's state).
//!
//! Ingesting the same item twice changes nothing; an edited comment keeps
//! its history.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use piazza_analysis::{Analysis, CommentInput, Normalized, SpamSignature, SpamTracker};
use piazza_policy::Triage;
use piazza_store::Tx;
use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

pub use piazza_platforms::{IncomingComment, IncomingEvent, IncomingPost};

use crate::audit_log::{AuditKind, AuditTarget, entry, record};
use crate::context::AdminContext;
use crate::ids::{AccountId, AdminId, CommentId, PostId};
use crate::queue::{CommentState, Resolution, SlaState, Visibility};
use crate::registry::{Account, AccountStatus};
use crate::{Desk, DeskError, Result};
use piazza_store::audit::AuditEntry;

/// What the pipeline did with one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", content = "id", rename_all = "snake_case")]
pub enum IngestOutcome {
    Inserted(CommentId),
    Unchanged(CommentId),
    Edited(CommentId),
    /// The comment was deleted on the platform.
    Deleted(CommentId),
    /// The comment was hidden or shown again on the platform.
    VisibilityChanged(CommentId),
    /// An event about a comment Piazza never received.
    Ignored,
    /// A private message, filed in its conversation (`true` when new).
    PrivateMessage(bool),
}

impl IngestOutcome {
    /// The comment's id (0 for an ignored event).
    pub fn id(self) -> CommentId {
        match self {
            IngestOutcome::Inserted(i)
            | IngestOutcome::Unchanged(i)
            | IngestOutcome::Edited(i)
            | IngestOutcome::Deleted(i)
            | IngestOutcome::VisibilityChanged(i) => i,
            IngestOutcome::Ignored | IngestOutcome::PrivateMessage(_) => CommentId(0),
        }
    }

    /// A new comment or a new text.
    pub fn is_new_text(self) -> bool {
        matches!(self, IngestOutcome::Inserted(_) | IngestOutcome::Edited(_))
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

/// The id a post gets when a source gives its text but no id (a file
/// import): the same text is the same post.
fn post_key(text: &str) -> String {
    format!("testo-{}", &sha(text)[..16])
}

/// A new or changed comment, analysed.
pub(crate) struct Prepared {
    analysis: Analysis,
    /// Its near-duplicate signature, for new comments only.
    signature: Option<SpamSignature>,
}

/// Events of one account, analysed and ready to commit.
pub(crate) struct PreparedBatch {
    events: Vec<IncomingEvent>,
    /// One per event: `None` for unchanged texts and non-comment events.
    prepared: Vec<Option<Prepared>>,
}

/// The near-duplicate trackers, one per administration, shared by every
/// clone of the desk.
#[derive(Default)]
pub(crate) struct Trackers {
    by_admin: Mutex<HashMap<AdminId, Arc<Mutex<SpamTracker>>>>,
}

/// How many stored comments rebuild a tracker after a restart: its
/// capacity, so that it remembers what it would have remembered.
const TRACKER_REBUILD: i64 = 50_000;

impl Desk {
    /// The administration's tracker, rebuilt from the stored comments the
    /// first time this process needs it.
    fn tracker(&self, admin_id: AdminId) -> Result<Arc<Mutex<SpamTracker>>> {
        if let Some(t) = self
            .trackers
            .by_admin
            .lock()
            .expect("trackers")
            .get(&admin_id)
        {
            return Ok(t.clone());
        }
        let rows = self.read(|tx| {
            Ok(tx.query(
                "SELECT c.author_ref, p.external_id, c.text FROM comments c LEFT JOIN posts p ON p.id = c.post_id
                 WHERE c.admin_id = ? AND c.text IS NOT NULL ORDER BY c.id DESC LIMIT ?",
                &[admin_id.into(), TRACKER_REBUILD.into()],
            )?)
        })?;
        let mut seen: Vec<(String, String, String)> = rows
            .iter()
            .map(|r| {
                Ok((
                    r.opt_text(0)?.unwrap_or_default(),
                    r.opt_text(1)?.unwrap_or_default(),
                    r.text(2)?,
                ))
            })
            .collect::<Result<_>>()?;
        seen.reverse();
        let signatures: Vec<SpamSignature> = seen
            .par_iter()
            .map(|(_, _, t)| SpamSignature::new(t))
            .collect();
        let mut tracker = SpamTracker::default();
        for ((author, post, text), sig) in seen.iter().zip(&signatures) {
            tracker.observe_signature(author, post, text, sig);
        }
        let t = Arc::new(Mutex::new(tracker));
        Ok(self
            .trackers
            .by_admin
            .lock()
            .expect("trackers")
            .entry(admin_id)
            .or_insert(t)
            .clone())
    }

    /// Drops a tracker that saw comments a failed transaction did not
    /// store: it is rebuilt from the store when next needed.
    fn forget_tracker(&self, admin_id: AdminId) {
        self.trackers
            .by_admin
            .lock()
            .expect("trackers")
            .remove(&admin_id);
    }

    /// Records a post (idempotent); returns its id.
    pub fn ingest_post(
        &self,
        admin_id: AdminId,
        account_id: AccountId,
        post: &IncomingPost,
    ) -> Result<PostId> {
        let account = self.account(admin_id, account_id)?;
        let now = self.now();
        self.write(|tx| Ok(upsert_post(tx, admin_id, &account, post, now)?))
    }

    /// Ingests events of one account (comments, edits, deletions).
    pub fn ingest(
        &self,
        admin_id: AdminId,
        account_id: AccountId,
        events: &[IncomingEvent],
    ) -> Result<Vec<IngestOutcome>> {
        let ctx = self.context(admin_id)?;
        let account = self.account(admin_id, account_id)?;
        Ok(self.ingest_with(&ctx, &account, events, |_, _| Ok(()))?.0)
    }

    /// Ingests comments of one account in one transaction.
    pub fn ingest_comments(
        &self,
        admin_id: AdminId,
        account_id: AccountId,
        items: &[IncomingComment],
    ) -> Result<Vec<IngestOutcome>> {
        let events: Vec<IncomingEvent> =
            items.iter().cloned().map(IncomingEvent::Comment).collect();
        self.ingest(admin_id, account_id, &events)
    }

    /// Ingests one comment.
    pub fn ingest_comment(
        &self,
        admin_id: AdminId,
        account_id: AccountId,
        item: &IncomingComment,
    ) -> Result<IngestOutcome> {
        Ok(self.ingest_comments(admin_id, account_id, std::slice::from_ref(item))?[0])
    }

    /// The pipeline itself. `finish` runs in the same transaction, after
    /// the events are written, with their outcomes: what the caller must
    /// record atomically with them.
    pub(crate) fn ingest_with<T>(
        &self,
        ctx: &AdminContext,
        account: &Account,
        events: &[IncomingEvent],
        finish: impl FnOnce(&mut Tx<'_>, &[IngestOutcome]) -> Result<T>,
    ) -> Result<(Vec<IngestOutcome>, T)> {
        let batch = self.prepare_batch(ctx, account, events.to_vec())?;
        // Events from the platform (not from a file): a question that
        // arrives while the account is closed may be told when it opens.
        let now = self.now();
        self.commit_batch(ctx, account, batch, |tx, outcomes| {
            crate::sla::queue_closed_notices(tx, ctx, account, events, outcomes, now)?;
            finish(tx, outcomes)
        })
    }

    /// Steps 1 to 4 of the pipeline: nothing is written, so a caller may
    /// prepare the next batch on another thread while the previous one
    /// commits.
    pub(crate) fn prepare_batch(
        &self,
        ctx: &AdminContext,
        account: &Account,
        events: Vec<IncomingEvent>,
    ) -> Result<PreparedBatch> {
        if account.status != AccountStatus::Active {
            return Err(DeskError::InvalidInput(format!(
                "l'account {} è {}: non riceve commenti",
                account.name,
                account.status.as_str()
            )));
        }
        // Comments of a file import may carry a post's text without its id.
        let events: Vec<IncomingEvent> = events
            .into_iter()
            .map(|e| match e {
                IncomingEvent::Comment(mut c)
                    if c.post_external_id.is_none() && c.post_text.is_some() =>
                {
                    c.post_external_id = c.post_text.as_deref().map(post_key);
                    IncomingEvent::Comment(c)
                }
                other => other,
            })
            .collect();

        // The stored hashes: an unchanged text is not analysed again.
        let ids: Vec<&str> = events
            .iter()
            .filter_map(|e| match e {
                IncomingEvent::Comment(c) => Some(c.external_id.as_str()),
                _ => None,
            })
            .collect();
        let stored = self.stored_hashes(ctx.admin_id, &account.platform, &ids)?;
        let prepared: Vec<Option<Prepared>> = events
            .par_iter()
            .map(|e| {
                let IncomingEvent::Comment(c) = e else {
                    return None;
                };
                let known = stored.get(c.external_id.as_str());
                if known.is_some_and(|h| *h == sha(&c.text)) {
                    return None;
                }
                let norm = Normalized::new(&c.text);
                let analysis = ctx
                    .analyzer
                    .analyze_normalized(&input(c, &account.platform), &norm);
                // Edits do not go through the tracker: an edit repeats its
                // own earlier text.
                let signature = known
                    .is_none()
                    .then(|| SpamSignature::from_normalized(&norm));
                Some(Prepared {
                    analysis,
                    signature,
                })
            })
            .collect();
        // The tracker sees new comments in the order they arrive. Batches
        // are prepared in order, so this can run here, overlapping the
        // previous batch's transaction; a batch that then fails to commit
        // makes the tracker be rebuilt from the store.
        let mut prepared = prepared;
        {
            let tracker = self.tracker(ctx.admin_id)?;
            let mut tracker = tracker.lock().unwrap_or_else(|p| p.into_inner());
            for (e, p) in events.iter().zip(prepared.iter_mut()) {
                if let (IncomingEvent::Comment(c), Some(p)) = (e, p)
                    && let Some(sig) = &p.signature
                    && let Some(f) = tracker.observe_signature(
                        c.author_ref.as_deref().unwrap_or(""),
                        c.post_external_id.as_deref().unwrap_or(""),
                        &c.text,
                        sig,
                    )
                {
                    p.analysis.findings.push(f);
                }
            }
        }
        Ok(PreparedBatch { events, prepared })
    }

    /// Step 5: one transaction.
    pub(crate) fn commit_batch<T>(
        &self,
        ctx: &AdminContext,
        account: &Account,
        batch: PreparedBatch,
        finish: impl FnOnce(&mut Tx<'_>, &[IngestOutcome]) -> Result<T>,
    ) -> Result<(Vec<IngestOutcome>, T)> {
        let admin_id = ctx.admin_id;
        let PreparedBatch { events, prepared } = batch;
        let analyses: Vec<Option<Analysis>> = prepared
            .into_iter()
            .map(|p| p.map(|p| p.analysis))
            .collect();

        let now = self.now();
        let written = self.write(|tx| {
            let bans = bans_in_force(tx, admin_id, account.id, now)?;
            // New comments go in with multi-row statements (a round trip
            // per few hundred rows instead of several per comment, which is
            // what PostgreSQL's speed depends on); everything else, in the
            // batch's order, one at a time. A run of new comments is written
            // before any other event, so the order of effects is the
            // batch's.
            tx.plan_with_values()?;
            let stored = existing_comments(tx, admin_id, &account.platform, &events)?;
            // The batch's audit entries are appended after every row it
            // writes: the administration is locked last, the order of
            // every writer (`Tx::lock_administration`). Appended at once,
            // a deletion's entry would hold the administration while a
            // later edit of the batch waited for a comment that a
            // moderator's decision holds, itself waiting for the
            // administration.
            let mut entries: Vec<(i64, AuditEntry)> = Vec::new();
            let mut seen: HashSet<&str> = HashSet::new();
            let mut run: Vec<usize> = Vec::new();
            let mut slots: Vec<Option<IngestOutcome>> = vec![None; events.len()];
            for (i, e) in events.iter().enumerate() {
                if let IncomingEvent::Comment(c) = e
                    && !stored.contains(c.external_id.as_str())
                    && seen.insert(c.external_id.as_str())
                {
                    run.push(i);
                    continue;
                }
                insert_new(
                    tx, ctx, account, &events, &analyses, &run, &bans, now, &mut slots,
                )?;
                run.clear();
                slots[i] = Some(match e {
                    IncomingEvent::Comment(c) => {
                        ingest_one(tx, ctx, account, c, analyses[i].as_ref(), &bans, now)?
                    }
                    IncomingEvent::Deleted { external_id, at } => {
                        deleted_on_platform(tx, ctx, account, external_id, *at, &mut entries)?
                    }
                    IncomingEvent::Visibility {
                        external_id,
                        hidden,
                        ..
                    } => visibility_on_platform(tx, ctx, account, external_id, *hidden)?,
                    IncomingEvent::Message(m) => IngestOutcome::PrivateMessage(
                        crate::conversations::ingest_message(tx, ctx, account, m, now)?,
                    ),
                });
            }
            insert_new(
                tx, ctx, account, &events, &analyses, &run, &bans, now, &mut slots,
            )?;
            for (at, e) in &entries {
                record(tx, admin_id, *at, e)?;
            }
            let out: Vec<IngestOutcome> = slots
                .into_iter()
                .map(|o| o.expect("every event has its outcome"))
                .collect();
            let extra = finish(tx, &out)?;
            Ok((out, extra))
        });
        if written.is_err() {
            self.forget_tracker(admin_id);
        }
        written
    }

    /// The stored text hash of each comment of `ids` that exists.
    fn stored_hashes(
        &self,
        admin_id: AdminId,
        platform: &str,
        ids: &[&str],
    ) -> Result<HashMap<String, String>> {
        let mut out = HashMap::new();
        for chunk in ids.chunks(500) {
            if chunk.is_empty() {
                continue;
            }
            let marks = vec!["?"; chunk.len()].join(", ");
            let mut params: Vec<piazza_store::Value> = vec![admin_id.into(), platform.into()];
            params.extend(chunk.iter().map(|i| (*i).into()));
            let rows = self.read(|tx| {
                tx.plan_with_values()?;
                Ok(tx.query(
                    &format!(
                        "SELECT external_id, text_sha256 FROM comments WHERE admin_id = ? AND platform = ? AND external_id IN ({marks})"
                    ),
                    &params,
                )?)
            })?;
            for r in rows {
                out.insert(r.text(0)?, r.text(1)?);
            }
        }
        Ok(out)
    }
}

fn input<'a>(c: &'a IncomingComment, platform: &'a str) -> CommentInput<'a> {
    let mut input = CommentInput::new(&c.text).platform(platform);
    if let Some(p) = c.post_text.as_deref() {
        input = input.post_text(p);
    }
    if let Some(a) = &c.author_ref {
        input = input.author(a);
    }
    input
}

pub(crate) fn store_findings(
    tx: &mut Tx<'_>,
    ctx: &AdminContext,
    comment_id: CommentId,
    revision: i64,
    a: &Analysis,
) -> piazza_store::Result<()> {
    let mut rows = Vec::new();
    finding_rows(ctx, comment_id, revision, a, &mut rows);
    tx.bulk_insert("findings", FINDING_COLUMNS, &rows)?;
    Ok(())
}

pub(crate) fn upsert_post(
    tx: &mut Tx<'_>,
    admin_id: AdminId,
    account: &Account,
    post: &IncomingPost,
    now: i64,
) -> piazza_store::Result<PostId> {
    if let Some(r) = tx.query_opt(
        "SELECT id, text, url FROM posts WHERE admin_id = ? AND platform = ? AND external_id = ?",
        &[
            admin_id.into(),
            (&account.platform).into(),
            (&post.external_id).into(),
        ],
    )? {
        let id = PostId(r.int(0)?);
        // A post first seen without its text (a webhook names only its id)
        // gets it when a later source carries it.
        if (r.opt_text(1)?.is_none() && post.text.is_some())
            || (r.opt_text(2)?.is_none() && post.url.is_some())
        {
            tx.execute(
                "UPDATE posts SET text = COALESCE(text, ?), url = COALESCE(url, ?), published_at = COALESCE(published_at, ?) WHERE id = ?",
                &[
                    post.text.clone().into(),
                    post.url.clone().into(),
                    post.published_at.into(),
                    id.into(),
                ],
            )?;
        }
        return Ok(id);
    }
    tx.insert(
        "INSERT INTO posts (admin_id, account_id, platform, external_id, text, url, published_at, ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        &[
            admin_id.into(),
            account.id.into(),
            (&account.platform).into(),
            (&post.external_id).into(),
            post.text.clone().into(),
            post.url.clone().into(),
            post.published_at.into(),
            now.into(),
        ],
    )
    .map(PostId)
}

/// The bans in force on the account at `now`, by author: read once per
/// batch (there are few, and most batches have none).
fn bans_in_force(
    tx: &mut Tx<'_>,
    admin_id: AdminId,
    account_id: AccountId,
    now: i64,
) -> piazza_store::Result<HashMap<String, i64>> {
    let mut out = HashMap::new();
    for r in tx.query(
        "SELECT author_ref, id FROM bans WHERE admin_id = ? AND account_id = ? AND lifted_at IS NULL AND (until_at IS NULL OR until_at > ?) ORDER BY id",
        &[admin_id.into(), account_id.into(), now.into()],
    )? {
        // The newest ban of an author wins.
        out.insert(r.text(0)?, r.int(1)?);
    }
    Ok(out)
}

/// The priority of a comment whose author is banned: above ordinary
/// abuse, so that a moderator sees at once that the ban is being evaded
/// (on platforms where it cannot be enforced, every new comment needs a
/// decision).
const BANNED_AUTHOR_PRIORITY: i64 = 75;

/// Statements carry at most this many parameters (SQLite's limit is
/// 32,766, PostgreSQL's 65,535).
const MAX_PARAMS: usize = 30_000;

/// Runs `INSERT INTO {head} VALUES (..), (..) ... {tail}` for `rows` of
/// `width` values each, in as few statements as the parameter limit
/// allows, and returns the rows of every statement's RETURNING clause.
fn insert_rows(
    tx: &mut Tx<'_>,
    head: &str,
    width: usize,
    rows: Vec<Vec<piazza_store::Value>>,
    tail: &str,
) -> piazza_store::Result<Vec<piazza_store::Row>> {
    let per = (MAX_PARAMS / width).max(1);
    let one = format!("({})", vec!["?"; width].join(", "));
    let mut out = Vec::new();
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<piazza_store::Value>> = rows.by_ref().take(per).collect();
        let sql = format!(
            "INSERT INTO {head} VALUES {} {tail}",
            vec![one.as_str(); chunk.len()].join(", ")
        );
        let params: Vec<piazza_store::Value> = chunk.into_iter().flatten().collect();
        if tail.contains("RETURNING") {
            out.extend(tx.query(&sql, &params)?);
        } else {
            tx.execute(&sql, &params)?;
        }
    }
    Ok(out)
}

/// The external ids of the batch's comments that are stored already.
fn existing_comments(
    tx: &mut Tx<'_>,
    admin_id: AdminId,
    platform: &str,
    events: &[IncomingEvent],
) -> piazza_store::Result<HashSet<String>> {
    let ids: Vec<&str> = events
        .iter()
        .filter_map(|e| match e {
            IncomingEvent::Comment(c) => Some(c.external_id.as_str()),
            _ => None,
        })
        .collect();
    let mut out = HashSet::new();
    for chunk in ids.chunks(1000) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let mut params: Vec<piazza_store::Value> = vec![admin_id.into(), platform.into()];
        params.extend(chunk.iter().map(|i| (*i).into()));
        for r in tx.query(
            &format!(
                "SELECT external_id FROM comments WHERE admin_id = ? AND platform = ? AND external_id IN ({marks})"
            ),
            &params,
        )? {
            out.insert(r.text(0)?);
        }
    }
    Ok(out)
}

/// The posts of `wanted` (external id, text carried by the comment), found
/// or created, by external id: one query for the stored ones, one
/// multi-row insert for the others. A stored post without its text gets
/// the first one a comment carries.
fn posts_of(
    tx: &mut Tx<'_>,
    admin_id: AdminId,
    account: &Account,
    wanted: &[(&str, Option<&str>)],
    now: i64,
) -> piazza_store::Result<HashMap<String, PostId>> {
    let mut ids: HashMap<String, PostId> = HashMap::new();
    let mut text_of: HashMap<&str, Option<&str>> = HashMap::new();
    for (ext, text) in wanted {
        let t = text_of.entry(ext).or_insert(None);
        if t.is_none() {
            *t = *text;
        }
    }
    let keys: Vec<&str> = text_of.keys().copied().collect();
    for chunk in keys.chunks(1000) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let mut params: Vec<piazza_store::Value> =
            vec![admin_id.into(), (&account.platform).into()];
        params.extend(chunk.iter().map(|i| (*i).into()));
        for r in tx.query(
            &format!(
                "SELECT id, external_id, text FROM posts WHERE admin_id = ? AND platform = ? AND external_id IN ({marks})"
            ),
            &params,
        )? {
            let (id, ext) = (PostId(r.int(0)?), r.text(1)?);
            if r.opt_text(2)?.is_none()
                && let Some(Some(text)) = text_of.get(ext.as_str())
            {
                tx.execute(
                    "UPDATE posts SET text = COALESCE(text, ?) WHERE id = ?",
                    &[(*text).into(), id.into()],
                )?;
            }
            ids.insert(ext, id);
        }
    }
    let missing: Vec<Vec<piazza_store::Value>> = keys
        .iter()
        .filter(|k| !ids.contains_key(**k))
        .map(|k| {
            vec![
                admin_id.into(),
                account.id.into(),
                (&account.platform).into(),
                (*k).into(),
                text_of[k].map(str::to_string).into(),
                piazza_store::Value::Null,
                piazza_store::Value::Null,
                now.into(),
            ]
        })
        .collect();
    for r in insert_rows(
        tx,
        "posts (admin_id, account_id, platform, external_id, text, url, published_at, ingested_at)",
        8,
        missing,
        // Another instance may have stored one since the query above.
        "ON CONFLICT (admin_id, platform, external_id) DO NOTHING RETURNING id, external_id",
    )? {
        ids.insert(r.text(1)?, PostId(r.int(0)?));
    }
    let raced: Vec<&str> = keys
        .iter()
        .filter(|k| !ids.contains_key(**k))
        .copied()
        .collect();
    for k in raced {
        let r = tx.query_one(
            "SELECT id FROM posts WHERE admin_id = ? AND platform = ? AND external_id = ?",
            &[admin_id.into(), (&account.platform).into(), k.into()],
        )?;
        ids.insert(k.to_string(), PostId(r.int(0)?));
    }
    Ok(ids)
}

/// Writes the new comments of `run` (indices into `events`, each a comment
/// not stored yet and not repeated in the run) with their first revision
/// and their findings, in multi-row statements, and sets their outcomes.
#[allow(clippy::too_many_arguments)]
fn insert_new(
    tx: &mut Tx<'_>,
    ctx: &AdminContext,
    account: &Account,
    events: &[IncomingEvent],
    analyses: &[Option<Analysis>],
    run: &[usize],
    bans: &HashMap<String, i64>,
    now: i64,
    slots: &mut [Option<IngestOutcome>],
) -> Result<()> {
    if run.is_empty() {
        return Ok(());
    }
    let admin_id = ctx.admin_id;
    let comment = |i: usize| match &events[i] {
        IncomingEvent::Comment(c) => c,
        _ => unreachable!("a run holds comments only"),
    };
    // Analyses the batch did not prepare (see `ingest_one`).
    let computed: Vec<Option<Analysis>> = run
        .iter()
        .map(|&i| match &analyses[i] {
            Some(_) => None,
            None => Some(ctx.analyzer.analyze(&input(comment(i), &account.platform))),
        })
        .collect();
    let analysis = |k: usize| -> &Analysis {
        analyses[run[k]]
            .as_ref()
            .or(computed[k].as_ref())
            .expect("analysed")
    };
    let wanted: Vec<(&str, Option<&str>)> = run
        .iter()
        .filter_map(|&i| {
            let c = comment(i);
            c.post_external_id
                .as_deref()
                .map(|p| (p, c.post_text.as_deref()))
        })
        .collect();
    let posts = posts_of(tx, admin_id, account, &wanted, now)?;
    let mut rows = Vec::with_capacity(run.len());
    let mut hashes: HashMap<&str, String> = HashMap::with_capacity(run.len());
    for (k, &i) in run.iter().enumerate() {
        let c = comment(i);
        let hash = sha(&c.text);
        let post_id = c
            .post_external_id
            .as_deref()
            .and_then(|p| posts.get(p).copied());
        rows.push(new_comment_row(
            ctx,
            account,
            c,
            &triage(ctx, analysis(k)),
            post_id,
            &hash,
            bans,
            now,
        ));
        hashes.insert(c.external_id.as_str(), hash);
    }
    // COPY on PostgreSQL, under ids taken from the sequence first; should
    // another instance store one of these comments since the batch looked,
    // nothing is written and each is taken as an arrival of a stored
    // comment (unchanged, or an edit) or a new one, one at a time.
    let Some(ids) = tx.bulk_insert_with_new_ids("comments", NEW_COMMENT_COLUMNS, rows)? else {
        for (k, &i) in run.iter().enumerate() {
            slots[i] = Some(ingest_one(
                tx,
                ctx,
                account,
                comment(i),
                Some(analysis(k)),
                bans,
                now,
            )?);
        }
        return Ok(());
    };
    let mut revisions = Vec::with_capacity(run.len());
    let mut findings = Vec::new();
    for (k, (&i, id)) in run.iter().zip(ids).enumerate() {
        let c = comment(i);
        let id = CommentId(id);
        revisions.push(vec![
            admin_id.into(),
            id.into(),
            1i64.into(),
            (&c.text).into(),
            hashes[c.external_id.as_str()].clone().into(),
            now.into(),
        ]);
        finding_rows(ctx, id, 1, analysis(k), &mut findings);
        slots[i] = Some(IngestOutcome::Inserted(id));
    }
    tx.bulk_insert("comment_revisions", REVISION_COLUMNS, &revisions)?;
    tx.bulk_insert("findings", FINDING_COLUMNS, &findings)?;
    Ok(())
}

const NEW_COMMENT_COLUMNS: &[&str] = &[
    "admin_id",
    "account_id",
    "post_id",
    "platform",
    "external_id",
    "parent_external_id",
    "author_ref",
    "author_name",
    "text",
    "text_sha256",
    "created_at",
    "ingested_at",
    "revision",
    "state",
    "severity",
    "priority",
    "top_category",
    "policy_version_id",
    "needs_reply",
    "taken_in_charge_at",
    "courtesy_due_at",
    "deadline_at",
    "sla_state",
    "author_ban_id",
];
const REVISION_COLUMNS: &[&str] = &[
    "admin_id",
    "comment_id",
    "revision",
    "text",
    "text_sha256",
    "seen_at",
];

/// The row of `comments` for a comment seen for the first time, the one
/// place where its arrival time, reply deadline and priority are decided,
/// whether it is written alone or with the rest of its batch.
#[allow(clippy::too_many_arguments)]
fn new_comment_row(
    ctx: &AdminContext,
    account: &Account,
    c: &IncomingComment,
    t: &Triage,
    post_id: Option<PostId>,
    hash: &str,
    bans: &HashMap<String, i64>,
    now: i64,
) -> Vec<piazza_store::Value> {
    // The platform's time when it has one, else the time of arrival: a
    // zero or negative time is a missing one, and the statement of reasons
    // must never name a day nobody knows (01/01/1970).
    let created_at = if c.created_at > 0 { c.created_at } else { now };
    let deadline = if t.needs_reply {
        ctx.deadline(&account.hours, created_at)
    } else {
        None
    };
    let ban = c.author_ref.as_deref().and_then(|a| bans.get(a).copied());
    let priority = if ban.is_some() {
        t.priority.max(BANNED_AUTHOR_PRIORITY)
    } else {
        t.priority
    };
    let ms = |ts: piazza_calendar::jiff::Timestamp| ts.as_millisecond();
    vec![
        ctx.admin_id.into(),
        account.id.into(),
        post_id.into(),
        (&account.platform).into(),
        (&c.external_id).into(),
        c.parent_external_id.clone().into(),
        c.author_ref.clone().into(),
        c.author_name.clone().into(),
        (&c.text).into(),
        hash.into(),
        created_at.into(),
        now.into(),
        1i64.into(),
        "new".into(),
        t.severity.into(),
        priority.into(),
        t.top_category.map(|c| c.as_str()).into(),
        ctx.policy_version_id.into(),
        t.needs_reply.into(),
        deadline.map(|d| ms(d.taken_in_charge)).into(),
        deadline.map(|d| ms(d.courtesy_due)).into(),
        deadline.map(|d| ms(d.deadline)).into(),
        deadline.map(|_| SlaState::Open).into(),
        ban.into(),
    ]
}

const FINDING_COLUMNS: &[&str] = &[
    "admin_id",
    "comment_id",
    "revision",
    "policy_version_id",
    "category",
    "intent",
    "kind",
    "target",
    "score",
    "flagged",
    "clause",
    "evidence_json",
    "explanation",
];

/// The rows of `findings` for one analysis: its findings, then its intents.
fn finding_rows(
    ctx: &AdminContext,
    comment_id: CommentId,
    revision: i64,
    a: &Analysis,
    out: &mut Vec<Vec<piazza_store::Value>>,
) {
    use piazza_store::Value;
    for f in &a.findings {
        let clause = ctx.policy.category_rule(f.category).clause;
        out.push(vec![
            ctx.admin_id.into(),
            comment_id.into(),
            revision.into(),
            ctx.policy_version_id.into(),
            f.category.as_str().into(),
            Value::Null,
            f.kind.clone().into(),
            f.target.map(|t| t.as_str()).into(),
            f64::from(f.score).into(),
            ctx.policy.flags(f.category, f.score).into(),
            clause.map(i64::from).into(),
            serde_json::to_string(&f.evidence)
                .unwrap_or_default()
                .into(),
            (&f.explanation).into(),
        ]);
    }
    for i in &a.intents {
        out.push(vec![
            ctx.admin_id.into(),
            comment_id.into(),
            revision.into(),
            ctx.policy_version_id.into(),
            Value::Null,
            i.intent.as_str().into(),
            Value::Null,
            Value::Null,
            f64::from(i.score).into(),
            false.into(),
            Value::Null,
            serde_json::to_string(&i.evidence)
                .unwrap_or_default()
                .into(),
            (&i.explanation).into(),
        ]);
    }
}

pub(crate) fn ingest_one(
    tx: &mut Tx<'_>,
    ctx: &AdminContext,
    account: &Account,
    c: &IncomingComment,
    analysis: Option<&Analysis>,
    bans: &HashMap<String, i64>,
    now: i64,
) -> Result<IngestOutcome> {
    let admin_id = ctx.admin_id;
    let hash = sha(&c.text);
    let existing = tx.query_opt(
        "SELECT id, text_sha256, revision, state, resolution FROM comments WHERE admin_id = ? AND platform = ? AND external_id = ?",
        &[admin_id.into(), (&account.platform).into(), (&c.external_id).into()],
    )?;
    if let Some(r) = &existing
        && r.text(1)? == hash
    {
        return Ok(IngestOutcome::Unchanged(CommentId(r.int(0)?)));
    }
    // The text changed after the hashes were read (another writer): it is
    // analysed here, without the tracker.
    let computed;
    let a = match analysis {
        Some(a) => a,
        None => {
            computed = ctx.analyzer.analyze(&input(c, &account.platform));
            &computed
        }
    };
    let t = triage(ctx, a);
    if let Some(r) = existing {
        let id = CommentId(r.int(0)?);
        // An edit: keep the old text as a revision, analyse the new one.
        let revision = r.int(2)? + 1;
        let state: CommentState = r.text(3)?.parse()?;
        let resolution: Option<Resolution> = r.opt_text(4)?.map(|s| s.parse()).transpose()?;
        let reopen =
            state == CommentState::Resolved && matches!(resolution, Some(Resolution::Kept) | None);
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
            account,
            &IncomingPost {
                external_id: ext.clone(),
                text: c.post_text.clone(),
                url: None,
                published_at: None,
            },
            now,
        )?),
        None => None,
    };
    let row = new_comment_row(ctx, account, c, &t, post_id, &hash, bans, now);
    let id = CommentId(tx.insert(
        &format!(
            "INSERT INTO comments ({}) VALUES ({}) RETURNING id",
            NEW_COMMENT_COLUMNS.join(", "),
            vec!["?"; NEW_COMMENT_COLUMNS.len()].join(", ")
        ),
        &row,
    )?);
    tx.execute(
        "INSERT INTO comment_revisions (admin_id, comment_id, revision, text, text_sha256, seen_at) VALUES (?, ?, 1, ?, ?, ?)",
        &[admin_id.into(), id.into(), (&c.text).into(), hash.into(), now.into()],
    )?;
    store_findings(tx, ctx, id, 1, a)?;
    Ok(IngestOutcome::Inserted(id))
}

fn comment_by_external(
    tx: &mut Tx<'_>,
    ctx: &AdminContext,
    account: &Account,
    external_id: &str,
) -> Result<Option<(CommentId, CommentState, Option<i64>)>> {
    tx.query_opt(
        "SELECT id, state, platform_deleted_at FROM comments WHERE admin_id = ? AND platform = ? AND external_id = ?",
        &[ctx.admin_id.into(), (&account.platform).into(), external_id.into()],
    )?
    .map(|r| Ok((CommentId(r.int(0)?), r.text(1)?.parse()?, r.opt_int(2)?)))
    .transpose()
}

/// A comment deleted on the platform leaves the queue: nothing is left to
/// decide about it. Decisions already taken keep their record. The audit
/// entry goes to `entries`, for the caller to append after the batch's
/// rows.
fn deleted_on_platform(
    tx: &mut Tx<'_>,
    ctx: &AdminContext,
    account: &Account,
    external_id: &str,
    at: i64,
    entries: &mut Vec<(i64, AuditEntry)>,
) -> Result<IngestOutcome> {
    let Some((id, state, deleted)) = comment_by_external(tx, ctx, account, external_id)? else {
        return Ok(IngestOutcome::Ignored);
    };
    if deleted.is_some() {
        return Ok(IngestOutcome::Unchanged(id));
    }
    let open = state != CommentState::Resolved;
    tx.execute(
        &format!(
            "UPDATE comments SET platform_deleted_at = ?, visibility = 'removed', version = version + 1{} WHERE id = ?",
            if open {
                ", state = 'resolved', resolution = 'deleted_on_platform', resolved_at = ?"
            } else {
                ""
            }
        ),
        &if open {
            vec![at.into(), at.into(), id.into()]
        } else {
            vec![at.into(), id.into()]
        },
    )?;
    entries.push((
        at,
        entry(
            "system",
            AuditKind::CommentDeletedOnPlatform,
            AuditTarget::Comment,
            id,
        )
        .payload(serde_json::json!({"was_open": open})),
    ));
    Ok(IngestOutcome::Deleted(id))
}

fn visibility_on_platform(
    tx: &mut Tx<'_>,
    ctx: &AdminContext,
    account: &Account,
    external_id: &str,
    hidden: bool,
) -> Result<IngestOutcome> {
    let Some((id, _, _)) = comment_by_external(tx, ctx, account, external_id)? else {
        return Ok(IngestOutcome::Ignored);
    };
    let visibility = if hidden {
        Visibility::Hidden
    } else {
        Visibility::Visible
    };
    let n = tx.execute(
        "UPDATE comments SET visibility = ?, version = version + 1 WHERE id = ? AND visibility <> ? AND visibility <> 'removed'",
        &[visibility.into(), id.into(), visibility.into()],
    )?;
    Ok(if n == 0 {
        IngestOutcome::Unchanged(id)
    } else {
        IngestOutcome::VisibilityChanged(id)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NewAdministration;

    fn comment(id: &str, text: &str) -> IncomingEvent {
        IncomingEvent::Comment(IncomingComment {
            external_id: id.into(),
            post_external_id: None,
            post_text: None,
            parent_external_id: None,
            author_ref: Some("a".into()),
            author_name: None,
            text: text.into(),
            created_at: 0,
        })
    }

    #[test]
    fn unchanged_texts_are_not_analysed_again() {
        let store = piazza_store::testing::sqlite_store("unchanged");
        let desk = Desk::new(store.store.clone());
        let admin = desk
            .create_administration(NewAdministration::preset("cento"))
            .unwrap()
            .id;
        let ctx = desk.context(admin).unwrap();
        let account = desk.accounts(admin).unwrap().remove(0);
        desk.ingest_with(&ctx, &account, &[comment("1", "Sei un idiota")], |_, _| {
            Ok(())
        })
        .unwrap();
        let batch = desk
            .prepare_batch(
                &ctx,
                &account,
                vec![
                    comment("1", "Sei un idiota"),
                    comment("1", "Sei un idiota, ripeto"),
                    comment("2", "Nuovo"),
                ],
            )
            .unwrap();
        let analysed: Vec<bool> = batch.prepared.iter().map(Option::is_some).collect();
        assert_eq!(analysed, [false, true, true]);
        // Only the new comment goes through the near-duplicate tracker.
        let signed: Vec<bool> = batch
            .prepared
            .iter()
            .map(|p| p.as_ref().is_some_and(|p| p.signature.is_some()))
            .collect();
        assert_eq!(signed, [false, false, true]);
    }
}
