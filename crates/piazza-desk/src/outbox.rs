//! The outbox: every decision that must reach a platform (hide, unhide,
//! delete, reply, the statement of reasons as a private message, ban,
//! unban, report) is a row written in the transaction of the decision and
//! its audit entry, so a decision is never recorded without its delivery
//! nor delivered without its record.
//!
//! A worker ([`Desk::deliver_outbox`], run by `piazza serve` and by
//! `piazza outbox run`) claims due rows, calls the connector outside any
//! transaction, and records the answer:
//! - done: the platform's id (a reply's), and an audit entry;
//! - a temporary failure: retried with exponential backoff and jitter;
//! - a rate limit: the row and the whole connection wait as long as the
//!   platform asks;
//! - a permanent failure (expired token, missing permission, object gone):
//!   no more retries; the item page shows why.
//!
//! Exactly once: a row is claimed with a lease before the call. If the
//! process dies after the call and before the answer is recorded, the row
//! is claimed again once the lease expires, and the connector is told the
//! earlier attempt may have gone through, so it looks for it (a reply with
//! the same text by the page) instead of posting again. Hiding, deleting
//! and banning are idempotent on the platforms.

use piazza_platforms::{
    Capabilities, Delivery, Failure, MediaItem, Operation, PermanentCode, Platform, Support,
};
use piazza_store::Tx;
use serde::Serialize;

use crate::audit_log::{AuditKind, AuditTarget, entry, record};
use crate::ids::{AccountId, ActionId, AdminId, CommentId, DraftId, OutboxId};
use crate::platforms::ConnectorKind;
use crate::registry::{Actor, Role};
use crate::{Desk, DeskError, Result};

/// Where an outbox row stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    /// Waiting for the worker (or for its next attempt).
    Pending,
    /// An attempt is under way (or its process stopped during it).
    InFlight,
    /// Carried out on the platform.
    Done,
    /// Stopped by a permanent failure.
    Failed,
    /// The platform's API cannot do it: a person must act on the platform.
    Unsupported,
    /// The account is not connected: a person must act on the platform,
    /// or connect the account and retry.
    Manual,
    /// Withdrawn before it was carried out.
    Cancelled,
}

impl OutboxState {
    pub const ALL: [OutboxState; 7] = [
        OutboxState::Pending,
        OutboxState::InFlight,
        OutboxState::Done,
        OutboxState::Failed,
        OutboxState::Unsupported,
        OutboxState::Manual,
        OutboxState::Cancelled,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            OutboxState::Pending => "pending",
            OutboxState::InFlight => "in_flight",
            OutboxState::Done => "done",
            OutboxState::Failed => "failed",
            OutboxState::Unsupported => "unsupported",
            OutboxState::Manual => "manual",
            OutboxState::Cancelled => "cancelled",
        }
    }

    /// No attempt will follow.
    pub const fn is_final(self) -> bool {
        !matches!(self, OutboxState::Pending | OutboxState::InFlight)
    }
}

impl std::str::FromStr for OutboxState {
    type Err = DeskError;
    fn from_str(s: &str) -> Result<Self> {
        OutboxState::ALL
            .iter()
            .copied()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| {
                DeskError::InvalidInput(format!(
                    "stato sconosciuto `{s}` di un'operazione verso le piattaforme"
                ))
            })
    }
}

/// One step for a platform, as the desk shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutboxItem {
    pub id: OutboxId,
    pub account_id: AccountId,
    pub account: String,
    pub platform: String,
    pub connector: Option<ConnectorKind>,
    pub comment_id: Option<CommentId>,
    pub action_id: Option<ActionId>,
    pub operation: Operation,
    pub state: OutboxState,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    pub failure: Option<PermanentCode>,
    /// The platform's id of what was created (a reply).
    pub platform_ref: Option<String>,
    pub done_at: Option<i64>,
    pub created_at: i64,
}

impl OutboxItem {
    /// A person can put the step back in the queue: it failed or was left
    /// to a person, and its account is connected now.
    pub fn retryable(&self) -> bool {
        matches!(self.state, OutboxState::Failed | OutboxState::Manual) && self.connector.is_some()
    }

    /// The step in one Italian sentence: what was done, what waits, what
    /// failed, and nothing else.
    pub fn describe_it(&self, when: impl Fn(i64) -> String) -> String {
        let what = self.operation.label_it();
        let place = self
            .connector
            .map(|c| c.place_it(&self.platform))
            .unwrap_or_else(|| self.platform_label());
        match self.state {
            OutboxState::Done => format!(
                "{what}: eseguito su {place} il {}",
                when(self.done_at.unwrap_or(self.created_at))
            ),
            // A publication waits for its scheduled time.
            OutboxState::Pending
                if self.attempts == 0 && self.next_attempt_at > self.created_at =>
            {
                format!(
                    "{what}: programmato per il {} su {place}",
                    when(self.next_attempt_at)
                )
            }
            OutboxState::Pending if self.attempts == 0 => {
                format!("{what}: in coda per {place}")
            }
            OutboxState::Pending => format!(
                "{what}: non ancora eseguito ({} tentativi; ultimo errore: {}); nuovo tentativo dal {}",
                self.attempts,
                self.last_error.as_deref().unwrap_or("sconosciuto"),
                when(self.next_attempt_at)
            ),
            OutboxState::InFlight => format!("{what}: invio a {place} in corso"),
            OutboxState::Failed => format!(
                "{what}: non riuscito ({}){}",
                self.failure
                    .map(|f| f.label_it())
                    .unwrap_or("errore della piattaforma"),
                self.last_error
                    .as_deref()
                    .map(|e| format!(": {e}"))
                    .unwrap_or_default()
            ),
            OutboxState::Unsupported => format!(
                "{what}: da fare a mano sulla piattaforma ({})",
                self.last_error
                    .as_deref()
                    .unwrap_or("non previsto dalle API")
            ),
            OutboxState::Manual => {
                format!("{what}: da fare a mano su {place}: l'account non è collegato a Piazza")
            }
            OutboxState::Cancelled => format!("{what}: annullato"),
        }
    }

    fn platform_label(&self) -> String {
        self.platform
            .parse::<Platform>()
            .map(|p| p.label_it().to_string())
            .unwrap_or_else(|_| self.platform.clone())
    }
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct OutboxFilter {
    pub states: Vec<OutboxState>,
    pub comment_id: Option<CommentId>,
    pub action_id: Option<ActionId>,
    pub draft_id: Option<DraftId>,
    pub limit: i64,
}

/// What one pass of the worker did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct OutboxRun {
    pub claimed: u64,
    pub done: u64,
    pub retrying: u64,
    pub failed: u64,
    /// Expired temporary bans lifted before the pass.
    pub bans_lifted: u64,
}

/// How long a claimed row is held by its attempt before another worker may
/// take it over (the attempt's process is presumed dead).
pub const DEFAULT_LEASE_MS: i64 = 120_000;
/// After this many temporary failures the row stops retrying.
pub const MAX_ATTEMPTS: i64 = 15;

/// The wait before attempt `attempts + 1`: 30 s doubling to one hour, with
/// ±20% jitter so that rows failed together do not retry together.
pub(crate) fn backoff_ms(attempts: i64, jitter: f64) -> i64 {
    let base = 30_000f64 * 2f64.powi((attempts.max(1) - 1).min(20) as i32);
    let capped = base.min(3_600_000.0);
    (capped * (0.8 + 0.4 * jitter.clamp(0.0, 1.0))) as i64
}

fn jitter() -> f64 {
    rand::random::<f64>()
}

/// One step to enqueue.
pub(crate) struct Step {
    pub operation: Operation,
    pub body: Option<String>,
    /// Delivered only after the previous step of the same decision.
    pub after_previous: bool,
}

/// Where the steps of a decision go.
pub(crate) struct Target<'a> {
    pub admin_id: AdminId,
    pub account_id: AccountId,
    pub platform: &'a str,
    pub comment_id: Option<CommentId>,
    pub action_id: Option<ActionId>,
    pub ban_id: Option<i64>,
    pub comment_ref: Option<&'a str>,
    pub post_ref: Option<&'a str>,
    pub author_ref: Option<&'a str>,
    pub until: Option<i64>,
}

/// Writes the steps of one decision, in the decision's transaction. Each
/// gets its state now: pending when the account's connection can carry it
/// out, unsupported (with the platform's reason) or manual otherwise.
pub(crate) fn enqueue(
    tx: &mut Tx<'_>,
    target: &Target<'_>,
    steps: &[Step],
    now: i64,
) -> Result<Vec<OutboxId>> {
    if steps.is_empty() {
        return Ok(Vec::new());
    }
    let connected = is_connected(tx, target.admin_id, target.account_id)?;
    let mut ids = Vec::new();
    let mut previous: Option<i64> = None;
    for step in steps {
        let (state, note) = initial_state(target.platform, step.operation, connected);
        let id = tx.insert(
            "INSERT INTO outbox (admin_id, account_id, comment_id, action_id, ban_id, after_id, operation, target_ref, post_ref, author_ref, body, until_at, state, next_attempt_at, last_error, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            &[
                target.admin_id.into(),
                target.account_id.into(),
                target.comment_id.into(),
                target.action_id.into(),
                target.ban_id.into(),
                previous.filter(|_| step.after_previous).into(),
                step.operation.as_str().into(),
                target.comment_ref.into(),
                target.post_ref.into(),
                target.author_ref.into(),
                step.body.clone().into(),
                target.until.into(),
                state.as_str().into(),
                now.into(),
                note.into(),
                now.into(),
            ],
        )?;
        previous = Some(id);
        ids.push(OutboxId(id));
    }
    Ok(ids)
}

fn is_connected(tx: &mut Tx<'_>, admin_id: AdminId, account_id: AccountId) -> Result<bool> {
    Ok(tx
        .query_opt(
            "SELECT connector FROM platform_connections WHERE admin_id = ? AND account_id = ? AND status = 'active'",
            &[admin_id.into(), account_id.into()],
        )?
        .is_some())
}

/// A new step's state: pending when the account's connection can carry it
/// out, unsupported (with the platform's reason) or manual otherwise.
fn initial_state(
    platform: &str,
    operation: Operation,
    connected: bool,
) -> (OutboxState, Option<String>) {
    let support = match platform.parse::<Platform>() {
        Ok(p) => Capabilities::of(p).support(operation),
        Err(_) => Support::No("piattaforma sconosciuta"),
    };
    match support {
        Support::No(why) => (OutboxState::Unsupported, Some(why.to_string())),
        Support::Yes if connected => (OutboxState::Pending, None),
        Support::Yes => (OutboxState::Manual, None),
    }
}

/// A post of the administration to publish.
pub(crate) struct Publication<'a> {
    pub admin_id: AdminId,
    pub account_id: AccountId,
    pub platform: &'a str,
    pub draft_id: DraftId,
    /// The text as it goes out (licence footer included).
    pub body: &'a str,
    pub link: Option<&'a str>,
    pub media: &'a [MediaItem],
    /// Not before this instant (the draft's scheduled time).
    pub due_at: i64,
}

/// Writes the publication step of a draft, in the transaction that moves
/// the draft to publishing.
pub(crate) fn enqueue_publication(
    tx: &mut Tx<'_>,
    p: &Publication<'_>,
    now: i64,
) -> Result<(OutboxId, OutboxState)> {
    let connected = is_connected(tx, p.admin_id, p.account_id)?;
    let (state, note) = initial_state(p.platform, Operation::Publish, connected);
    let attachments = serde_json::json!({ "link": p.link, "media": p.media }).to_string();
    let id = tx.insert(
        "INSERT INTO outbox (admin_id, account_id, draft_id, operation, body, attachments, state, next_attempt_at, last_error, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        &[
            p.admin_id.into(),
            p.account_id.into(),
            p.draft_id.into(),
            Operation::Publish.as_str().into(),
            p.body.into(),
            attachments.into(),
            state.as_str().into(),
            p.due_at.max(now).into(),
            note.into(),
            now.into(),
        ],
    )?;
    Ok((OutboxId(id), state))
}

#[derive(serde::Deserialize, Default)]
struct Attachments {
    link: Option<String>,
    #[serde(default)]
    media: Vec<MediaItem>,
}

const ITEM_COLUMNS: &str = "o.id, o.account_id, a.name, a.platform, pc.connector, o.comment_id, o.action_id, o.operation, o.state, o.attempts, o.next_attempt_at, o.last_error, o.failure_code, o.platform_ref, o.done_at, o.created_at";

fn item_from(r: &piazza_store::Row) -> Result<OutboxItem> {
    Ok(OutboxItem {
        id: OutboxId(r.int(0)?),
        account_id: AccountId(r.int(1)?),
        account: r.text(2)?,
        platform: r.text(3)?,
        connector: r.opt_text(4)?.and_then(|c| c.parse().ok()),
        comment_id: r.opt_int(5)?.map(CommentId),
        action_id: r.opt_int(6)?.map(ActionId),
        operation: r.text(7)?.parse().map_err(DeskError::InvalidInput)?,
        state: r.text(8)?.parse()?,
        attempts: r.int(9)?,
        next_attempt_at: r.int(10)?,
        last_error: r.opt_text(11)?,
        failure: r.opt_text(12)?.and_then(|c| c.parse().ok()),
        platform_ref: r.opt_text(13)?,
        done_at: r.opt_int(14)?,
        created_at: r.int(15)?,
    })
}

/// A claimed row, ready for its connector.
struct Claimed {
    id: OutboxId,
    admin_id: AdminId,
    account_id: AccountId,
    comment_id: Option<CommentId>,
    action_id: Option<ActionId>,
    draft_id: Option<DraftId>,
    delivery: Delivery,
    /// The end of this claim's lease: the row is still this claim's while
    /// it holds this value.
    lease_until: i64,
}

/// A crash-test hook: with `PIAZZA_FAULT` set to `point`, the process
/// aborts there. `outbox.after_delivery` is right after the platform
/// answered and before the answer is recorded, the worst moment for
/// exactly-once delivery; `act.after_commit` (in the command line) right
/// after a decision committed, before anything was delivered. The tests
/// use them to kill a real `piazza` process.
pub fn fault_point(point: &str) {
    if std::env::var("PIAZZA_FAULT").is_ok_and(|v| v == point) {
        eprintln!("PIAZZA_FAULT: stopping at {point}");
        std::process::abort();
    }
}

impl Desk {
    /// The steps of an administration's outbox, newest first.
    pub fn outbox(&self, admin_id: AdminId, filter: &OutboxFilter) -> Result<Vec<OutboxItem>> {
        let mut sql = format!(
            "SELECT {ITEM_COLUMNS} FROM outbox o JOIN accounts a ON a.id = o.account_id
             LEFT JOIN platform_connections pc ON pc.account_id = o.account_id AND pc.status = 'active'
             WHERE o.admin_id = ?"
        );
        let mut params: Vec<piazza_store::Value> = vec![admin_id.into()];
        if !filter.states.is_empty() {
            sql.push_str(&format!(
                " AND o.state IN ({})",
                vec!["?"; filter.states.len()].join(", ")
            ));
            params.extend(filter.states.iter().map(|s| s.as_str().into()));
        }
        if let Some(c) = filter.comment_id {
            sql.push_str(" AND o.comment_id = ?");
            params.push(c.into());
        }
        if let Some(a) = filter.action_id {
            sql.push_str(" AND o.action_id = ?");
            params.push(a.into());
        }
        if let Some(d) = filter.draft_id {
            sql.push_str(" AND o.draft_id = ?");
            params.push(d.into());
        }
        sql.push_str(" ORDER BY o.id DESC LIMIT ?");
        params.push(if filter.limit > 0 { filter.limit } else { 100 }.into());
        let rows = self.read(|tx| Ok(tx.query(&sql, &params)?))?;
        rows.iter().map(item_from).collect()
    }

    /// Puts a failed, manual or waiting step back in the queue for an
    /// attempt now (after the token was renewed, the permission granted or
    /// the account connected).
    pub fn retry_outbox(&self, by: &Actor, id: OutboxId) -> Result<OutboxItem> {
        by.require(
            &[Role::Admin, Role::Dirigente, Role::Moderatore],
            "ritentare un'operazione verso la piattaforma",
        )?;
        self.requeue_outbox(by, id)
    }

    /// [`Desk::retry_outbox`] once the caller's right to it is checked.
    pub(crate) fn requeue_outbox(&self, by: &Actor, id: OutboxId) -> Result<OutboxItem> {
        let now = self.now();
        self.write(|tx| {
            // A step goes back in the queue only where a worker can take
            // it: an account with an active connection.
            let connected = tx
                .query_opt(
                    "SELECT 1 FROM outbox o JOIN platform_connections pc ON pc.account_id = o.account_id AND pc.status = 'active'
                     WHERE o.admin_id = ? AND o.id = ?",
                    &[by.admin_id.into(), id.into()],
                )?
                .is_some();
            if !connected {
                return Err(DeskError::InvalidInput(format!(
                    "l'operazione {id} non può essere ritentata: il suo account non è collegato alla piattaforma (collegalo prima, oppure esegui l'operazione a mano)"
                )));
            }
            let n = tx.execute(
                // An unverifiable step is retried by a person who looked
                // on the platform and did not find it: the new attempt is
                // no longer in doubt.
                "UPDATE outbox SET state = 'pending', next_attempt_at = ?, failure_code = NULL, lease_until = NULL,
                        attempts = CASE WHEN failure_code = 'unverifiable' THEN 0 ELSE attempts END
                 WHERE admin_id = ? AND id = ? AND state IN ('failed', 'manual', 'pending')",
                &[now.into(), by.admin_id.into(), id.into()],
            )?;
            if n == 0 {
                return Err(DeskError::InvalidInput(format!(
                    "l'operazione {id} non può essere ritentata: non esiste, è già stata eseguita, è in corso, oppure la piattaforma non la consente"
                )));
            }
            record(
                tx,
                by.admin_id,
                now,
                &entry(by.audit_name(), AuditKind::OutboxRetry, AuditTarget::Outbox, id),
            )?;
            Ok(())
        })?;
        self.outbox(
            by.admin_id,
            &OutboxFilter {
                limit: 1_000_000,
                ..OutboxFilter::default()
            },
        )?
        .into_iter()
        .find(|i| i.id == id)
        .ok_or(DeskError::NotFound {
            what: "passo",
            id: id.to_string(),
        })
    }

    /// Claims up to `limit` due rows of every administration: pending rows
    /// whose time has come and whose predecessor is final, and rows whose
    /// attempt's lease expired, on accounts with an active connection that
    /// the platform has not asked to slow down.
    fn claim(&self, limit: i64, now: i64) -> Result<Vec<Claimed>> {
        let lease = self.platforms.lease_ms;
        self.write(|tx| {
            let lock = match tx.kind() {
                piazza_store::BackendKind::Postgres => " FOR UPDATE OF o SKIP LOCKED",
                piazza_store::BackendKind::Sqlite => "",
            };
            let rows = tx.query(
                &format!(
                    "SELECT o.id, o.admin_id, o.account_id, o.comment_id, o.action_id, o.operation, o.target_ref, o.post_ref, o.author_ref, o.body, o.until_at, o.attempts, o.state, c.parent_external_id, o.draft_id, o.attachments
                     FROM outbox o JOIN platform_connections pc ON pc.account_id = o.account_id AND pc.status = 'active'
                     LEFT JOIN comments c ON c.id = o.comment_id
                     WHERE ((o.state = 'pending' AND o.next_attempt_at <= ?) OR (o.state = 'in_flight' AND o.lease_until <= ?))
                       AND (pc.paused_until IS NULL OR pc.paused_until <= ?)
                       AND (o.after_id IS NULL OR EXISTS (SELECT 1 FROM outbox p WHERE p.id = o.after_id AND p.state NOT IN ('pending', 'in_flight')))
                     ORDER BY o.id LIMIT ?{lock}"
                ),
                &[now.into(), now.into(), now.into(), limit.into()],
            )?;
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                let id = OutboxId(r.int(0)?);
                let attempts = r.int(11)?;
                tx.execute(
                    "UPDATE outbox SET state = 'in_flight', attempts = attempts + 1, lease_until = ? WHERE id = ?",
                    &[(now + lease).into(), id.into()],
                )?;
                let operation: Operation = r.text(5)?.parse().map_err(DeskError::InvalidInput)?;
                let account_id = AccountId(r.int(2)?);
                // Only a reconciliation needs them, and only those of the
                // comment's thread: where the connector will look.
                let known_refs = match (operation, r.opt_text(6)?) {
                    (Operation::Reply, Some(target)) if attempts > 0 => {
                        let parent = r.opt_text(13)?.unwrap_or_else(|| target.clone());
                        tx.query(
                            "SELECT platform_ref FROM outbox WHERE account_id = ? AND target_ref IN (?, ?) AND platform_ref IS NOT NULL AND id <> ?
                             UNION
                             SELECT o.platform_ref FROM outbox o JOIN comments c ON c.id = o.comment_id
                             WHERE c.account_id = ? AND c.parent_external_id IN (?, ?) AND o.platform_ref IS NOT NULL AND o.id <> ?",
                            &[
                                account_id.into(),
                                (&target).into(),
                                (&parent).into(),
                                id.into(),
                                account_id.into(),
                                (&target).into(),
                                (&parent).into(),
                                id.into(),
                            ],
                        )?
                        .iter()
                        .filter_map(|r| r.text(0).ok())
                        .collect()
                    }
                    // A publication looks among the account's posts: the
                    // ones other publications produced are not its own.
                    (Operation::Publish, _) if attempts > 0 => tx
                        .query(
                            "SELECT platform_ref FROM outbox WHERE account_id = ? AND operation = 'publish' AND platform_ref IS NOT NULL AND id <> ?",
                            &[account_id.into(), id.into()],
                        )?
                        .iter()
                        .filter_map(|r| r.text(0).ok())
                        .collect(),
                    _ => Vec::new(),
                };
                let attachments: Attachments = r
                    .opt_text(15)?
                    .and_then(|a| serde_json::from_str(&a).ok())
                    .unwrap_or_default();
                out.push(Claimed {
                    lease_until: now + lease,
                    id,
                    admin_id: AdminId(r.int(1)?),
                    account_id,
                    comment_id: r.opt_int(3)?.map(CommentId),
                    action_id: r.opt_int(4)?.map(ActionId),
                    draft_id: r.opt_int(14)?.map(DraftId),
                    delivery: Delivery {
                        operation: Some(operation),
                        key: format!("piazza-outbox-{id}"),
                        comment_external_id: r.opt_text(6)?,
                        post_external_id: r.opt_text(7)?,
                        parent_external_id: r.opt_text(13)?,
                        author_ref: r.opt_text(8)?,
                        text: r.opt_text(9)?,
                        until: r.opt_int(10)?,
                        // Any earlier attempt may have reached the platform.
                        uncertain: attempts > 0,
                        known_refs,
                        link: attachments.link,
                        media: attachments.media,
                    },
                });
            }
            Ok(out)
        })
    }

    /// One pass of the worker: lifts expired bans, then delivers up to
    /// `limit` due steps. Each answer is recorded in its own transaction.
    pub fn deliver_outbox(&self, limit: i64) -> Result<OutboxRun> {
        let mut run = OutboxRun {
            bans_lifted: self.lift_expired_bans()?,
            ..OutboxRun::default()
        };
        // A step that waits for another becomes due when that one is
        // recorded: claim again until nothing is due or the limit is met.
        while (run.claimed as i64) < limit {
            let claimed = self.claim(limit - run.claimed as i64, self.now())?;
            if claimed.is_empty() {
                break;
            }
            run.claimed += claimed.len() as u64;
            for c in claimed {
                // An election period may have been called after the draft
                // was queued: the law is checked again at the last moment.
                let held = match c.draft_id {
                    Some(d) => self.publication_refused(c.admin_id, d)?,
                    None => None,
                };
                let result = match (held, self.connector(c.admin_id, c.account_id)) {
                    (Some(why), _) => Err(Failure::Permanent {
                        code: PermanentCode::NotAllowed,
                        message: why,
                    }),
                    (None, Ok((conn, connector))) => {
                        let result = connector.deliver(&c.delivery);
                        self.keep_rotated_secret(&conn, connector.as_ref());
                        result
                    }
                    (None, Err(e)) => Err(Failure::Permanent {
                        code: PermanentCode::Rejected,
                        message: e.to_string(),
                    }),
                };
                fault_point("outbox.after_delivery");
                match self.record_delivery(&c, result)? {
                    OutboxState::Done => run.done += 1,
                    OutboxState::Pending => run.retrying += 1,
                    _ => run.failed += 1,
                }
            }
        }
        Ok(run)
    }

    fn record_delivery(
        &self,
        c: &Claimed,
        result: std::result::Result<piazza_platforms::Delivered, Failure>,
    ) -> Result<OutboxState> {
        let now = self.now();
        let op = c.delivery.operation.map(|o| o.as_str()).unwrap_or("?");
        self.write(|tx| {
            // A delivery slower than the lease may have been taken over by
            // another instance (its attempt is then the uncertain one, and
            // reconciles): the answer is that claim's to record, not ours.
            let current = tx.query_one(
                "SELECT state, lease_until FROM outbox WHERE id = ?",
                &[c.id.into()],
            )?;
            if current.text(0)? != "in_flight" || current.opt_int(1)? != Some(c.lease_until) {
                return Ok(current.text(0)?.parse().unwrap_or(OutboxState::Pending));
            }
            let entry = |kind: AuditKind, payload: serde_json::Value| {
                entry("system", kind, AuditTarget::Outbox, c.id).payload(payload)
            };
            let state = match result {
                Ok(d) => {
                    tx.execute(
                        "UPDATE outbox SET state = 'done', platform_ref = ?, done_at = ?, lease_until = NULL, last_error = NULL WHERE id = ?",
                        &[d.platform_ref.clone().into(), now.into(), c.id.into()],
                    )?;
                    record(
                        tx,
                        c.admin_id,
                        now,
                        &entry(
                            AuditKind::OutboxDone,
                            serde_json::json!({
                                "operation": op, "comment": c.comment_id, "action": c.action_id,
                                "draft": c.draft_id,
                                "platform_ref": d.platform_ref, "already": d.already,
                            }),
                        ),
                    )?;
                    if let Some(draft) = c.draft_id {
                        crate::drafts::record_published(
                            tx,
                            c.admin_id,
                            draft,
                            d.platform_ref.as_deref(),
                            c.delivery.text.as_deref(),
                            now,
                        )?;
                    }
                    OutboxState::Done
                }
                Err(Failure::Transient { message, retry_after }) => {
                    let attempts = tx
                        .query_one("SELECT attempts FROM outbox WHERE id = ?", &[c.id.into()])?
                        .int(0)?;
                    if attempts >= MAX_ATTEMPTS {
                        self.fail_row(tx, c, now, PermanentCode::Rejected, &format!("{attempts} tentativi non riusciti; ultimo errore: {message}"))?;
                        OutboxState::Failed
                    } else {
                        let wait = retry_after
                            .map(|d| d.as_millis() as i64)
                            .unwrap_or_else(|| backoff_ms(attempts, jitter()));
                        tx.execute(
                            "UPDATE outbox SET state = 'pending', next_attempt_at = ?, lease_until = NULL, last_error = ? WHERE id = ?",
                            &[(now + wait).into(), message.into(), c.id.into()],
                        )?;
                        OutboxState::Pending
                    }
                }
                Err(Failure::RateLimited { message, retry_after }) => {
                    let until = now + retry_after.as_millis() as i64;
                    // A throttled call is refused before it acts: the
                    // attempt did not happen, and the next one is not in
                    // doubt about it.
                    tx.execute(
                        "UPDATE outbox SET state = 'pending', attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, next_attempt_at = ?, lease_until = NULL, last_error = ? WHERE id = ?",
                        &[until.into(), format!("limite di chiamate della piattaforma: {message}").into(), c.id.into()],
                    )?;
                    tx.execute(
                        "UPDATE platform_connections SET paused_until = ? WHERE account_id = ? AND status = 'active'",
                        &[until.into(), c.account_id.into()],
                    )?;
                    OutboxState::Pending
                }
                Err(Failure::Permanent { code, message }) => {
                    self.fail_row(tx, c, now, code, &message)?;
                    OutboxState::Failed
                }
            };
            Ok(state)
        })
    }

    fn fail_row(
        &self,
        tx: &mut Tx<'_>,
        c: &Claimed,
        now: i64,
        code: PermanentCode,
        message: &str,
    ) -> Result<()> {
        tx.execute(
            "UPDATE outbox SET state = 'failed', failure_code = ?, last_error = ?, lease_until = NULL WHERE id = ?",
            &[code.as_str().into(), message.into(), c.id.into()],
        )?;
        record(
            tx,
            c.admin_id,
            now,
            &entry("system", AuditKind::OutboxFailed, AuditTarget::Outbox, c.id).payload(
                serde_json::json!({
                    "operation": c.delivery.operation.map(|o| o.as_str()),
                    "comment": c.comment_id,
                    "action": c.action_id,
                    "draft": c.draft_id,
                    "failure": code.as_str(),
                }),
            ),
        )?;
        Ok(())
    }

    /// Lifts temporary bans whose date has come, and asks the platforms to
    /// lift them too where they can. Returns how many were lifted.
    pub fn lift_expired_bans(&self) -> Result<u64> {
        let now = self.now();
        self.write(|tx| {
            let rows = tx.query(
                "SELECT b.id, b.admin_id, b.account_id, b.author_ref, a.platform FROM bans b JOIN accounts a ON a.id = b.account_id
                 WHERE b.lifted_at IS NULL AND b.until_at IS NOT NULL AND b.until_at <= ?",
                &[now.into()],
            )?;
            for r in &rows {
                let lifted = LiftedBan {
                    ban_id: r.int(0)?,
                    admin_id: AdminId(r.int(1)?),
                    account_id: AccountId(r.int(2)?),
                    author: r.text(3)?,
                    platform: r.text(4)?,
                };
                lift_ban(
                    tx,
                    &lifted,
                    "system",
                    serde_json::json!({"account": lifted.account_id, "expired": true}),
                    now,
                )?;
            }
            Ok(rows.len() as u64)
        })
    }
}

/// A ban to lift: in Piazza, and on the platform where it was sent there.
pub(crate) struct LiftedBan {
    pub ban_id: i64,
    pub admin_id: AdminId,
    pub account_id: AccountId,
    pub author: String,
    pub platform: String,
}

/// Lifts a ban (its date came, or an appeal reversed it): records it with
/// an audit entry by `actor`, and asks the platform to lift it where the
/// ban was sent there.
pub(crate) fn lift_ban(
    tx: &mut Tx<'_>,
    ban: &LiftedBan,
    actor: &str,
    payload: serde_json::Value,
    now: i64,
) -> Result<()> {
    tx.execute(
        "UPDATE bans SET lifted_at = ? WHERE id = ?",
        &[now.into(), ban.ban_id.into()],
    )?;
    record(
        tx,
        ban.admin_id,
        now,
        &entry(actor, AuditKind::BanLift, AuditTarget::Ban, ban.ban_id).payload(payload),
    )?;
    let on_platform = tx
        .query_opt(
            "SELECT 1 FROM outbox WHERE ban_id = ? AND operation = 'ban' AND state IN ('done', 'pending', 'in_flight')",
            &[ban.ban_id.into()],
        )?
        .is_some();
    if on_platform {
        enqueue(
            tx,
            &Target {
                admin_id: ban.admin_id,
                account_id: ban.account_id,
                platform: &ban.platform,
                comment_id: None,
                action_id: None,
                ban_id: Some(ban.ban_id),
                comment_ref: None,
                post_ref: None,
                author_ref: Some(&ban.author),
                until: None,
            },
            &[Step {
                operation: Operation::Unban,
                body: None,
                after_previous: false,
            }],
            now,
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_thirty_seconds_to_an_hour_with_jitter() {
        assert_eq!(backoff_ms(1, 0.5), 30_000);
        assert_eq!(backoff_ms(2, 0.5), 60_000);
        assert_eq!(backoff_ms(3, 0.5), 120_000);
        assert_eq!(backoff_ms(40, 0.5), 3_600_000);
        assert_eq!(backoff_ms(1, 0.0), 24_000);
        assert_eq!(backoff_ms(1, 1.0), 36_000);
    }

    #[test]
    fn every_state_round_trips_and_only_two_are_open() {
        for s in OutboxState::ALL {
            assert_eq!(s.as_str().parse::<OutboxState>().unwrap(), s);
        }
        let open: Vec<OutboxState> = OutboxState::ALL
            .into_iter()
            .filter(|s| !s.is_final())
            .collect();
        assert_eq!(open, [OutboxState::Pending, OutboxState::InFlight]);
    }
}
