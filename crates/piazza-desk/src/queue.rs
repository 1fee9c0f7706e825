//! The queue: what waits for a moderator, most urgent first, and the detail
//! of one item with its findings, history and statements.

use serde::{Deserialize, Serialize};

use crate::actions::{ActionKind, ActionStatus};
use crate::ids::{AccountId, ActionId, AdminId, CommentId, StaffId};
use crate::registry::{Actor, Role};
use crate::{Desk, DeskError, Result};

/// Where a comment stands in the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommentState {
    New,
    InReview,
    Resolved,
}

impl CommentState {
    pub const ALL: [CommentState; 3] = [
        CommentState::New,
        CommentState::InReview,
        CommentState::Resolved,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            CommentState::New => "new",
            CommentState::InReview => "in_review",
            CommentState::Resolved => "resolved",
        }
    }

    pub const fn label_it(self) -> &'static str {
        match self {
            CommentState::New => "nuovo",
            CommentState::InReview => "in esame",
            CommentState::Resolved => "chiuso",
        }
    }
}

impl std::fmt::Display for CommentState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl From<CommentState> for piazza_store::Value {
    fn from(s: CommentState) -> Self {
        piazza_store::Value::Text(s.as_str().to_string())
    }
}

impl std::str::FromStr for CommentState {
    type Err = DeskError;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "new" => Ok(CommentState::New),
            "in_review" => Ok(CommentState::InReview),
            "resolved" => Ok(CommentState::Resolved),
            _ => Err(DeskError::InvalidInput(format!(
                "stato sconosciuto `{s}`; quelli possibili sono new (nuovo), in_review (in esame) e resolved (concluso)"
            ))),
        }
    }
}

closed_set! {
    /// How a resolved comment was closed.
    pub enum Resolution ("esito") {
        Kept = "kept" => "mantenuto",
        Hidden = "hidden" => "nascosto",
        Removed = "removed" => "rimosso",
        Replied = "replied" => "risposto",
        Redirected = "redirected" => "indirizzato al canale competente",
        Forwarded = "forwarded" => "inoltrato",
        /// Deleted on the platform (by its author or outside Piazza) while
        /// it was open. The item page says so on its own line, so the
        /// state's label is only "closed".
        DeletedOnPlatform = "deleted_on_platform" => "chiuso",
    }
}

closed_set! {
    /// Whether a comment can be seen on its platform, as far as Piazza knows.
    pub enum Visibility ("visibilità") {
        Visible = "visible" => "visibile",
        Hidden = "hidden" => "nascosto",
        Removed = "removed" => "rimosso",
    }
}

closed_set! {
    /// Where a comment that needs a reply stands against its deadline.
    pub enum SlaState ("stato della scadenza di risposta") {
        /// Waiting for the reply.
        Open = "open" => "in attesa di risposta",
        /// The courtesy time came: a courtesy reply is due.
        CourtesyDue = "courtesy_due" => "risposta di cortesia da inviare",
        /// A courtesy reply was sent; the answer is still due.
        CourtesySent = "courtesy_sent" => "risposta di cortesia inviata",
        /// Answered by the deadline.
        Met = "met" => "risposto entro il termine",
        /// The deadline passed (answered late, or not yet answered).
        Breached = "breached" => "termine superato",
        /// Answered, with no deadline to meet.
        Answered = "answered" => "risposto",
    }
}

/// What to show. Empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    pub account_id: Option<AccountId>,
    /// Open items (new and in review) when empty.
    pub states: Vec<CommentState>,
    /// Items with a flagged finding of this category.
    pub category: Option<String>,
    pub assigned_to: Option<StaffId>,
    /// Items whose reply deadline falls before this instant.
    pub deadline_before: Option<i64>,
    /// Only the accounts this person may work on.
    pub scope_of: Option<Actor>,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueueItem {
    pub id: CommentId,
    pub account_id: AccountId,
    pub account: String,
    pub platform: String,
    pub author_name: Option<String>,
    /// `None` once retention has purged the text.
    pub text: Option<String>,
    pub created_at: i64,
    pub state: CommentState,
    pub resolution: Option<Resolution>,
    pub priority: i64,
    pub severity: f64,
    pub top_category: Option<String>,
    pub flagged: Vec<String>,
    pub assigned_to: Option<String>,
    pub needs_reply: bool,
    pub deadline_at: Option<i64>,
    pub courtesy_due_at: Option<i64>,
    pub sla_state: Option<SlaState>,
    pub version: i64,
    /// The author was banned from the account when the comment arrived.
    pub author_banned: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredFinding {
    pub category: Option<String>,
    pub intent: Option<String>,
    pub kind: Option<String>,
    pub target: Option<String>,
    pub score: f64,
    pub flagged: bool,
    pub clause: Option<i64>,
    pub evidence: serde_json::Value,
    pub explanation: String,
    pub revision: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionRecord {
    pub id: ActionId,
    pub parent_id: Option<ActionId>,
    pub kind: ActionKind,
    pub status: ActionStatus,
    pub actor: Option<String>,
    pub confirmed_by: Option<String>,
    pub clauses: Vec<u32>,
    pub categories: Vec<String>,
    pub policy_version: Option<String>,
    pub reason: Option<String>,
    pub reply_text: Option<String>,
    pub office: Option<String>,
    pub ticket_number: Option<String>,
    pub ban_until: Option<i64>,
    pub created_at: i64,
    pub statement: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Revision {
    pub revision: i64,
    pub text: Option<String>,
    pub seen_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemDetail {
    pub item: QueueItem,
    pub external_id: String,
    pub author_ref: Option<String>,
    pub post_text: Option<String>,
    pub post_url: Option<String>,
    pub policy_version: Option<String>,
    pub findings: Vec<StoredFinding>,
    pub actions: Vec<ActionRecord>,
    pub revisions: Vec<Revision>,
    pub taken_in_charge_at: Option<i64>,
    pub answered_at: Option<i64>,
    pub legal_hold: bool,
    /// What the decisions asked of the platform, and where each step is.
    pub steps: Vec<crate::OutboxItem>,
    /// When the comment was deleted on the platform (by its author or
    /// outside Piazza).
    pub platform_deleted_at: Option<i64>,
    /// As far as Piazza knows.
    pub visibility: Visibility,
    /// The ban in force against the author when the comment arrived: its
    /// end (`None` for an indefinite ban).
    pub author_ban_until: Option<Option<i64>>,
    /// The comment this one answers, on the platform.
    pub parent_external_id: Option<String>,
    /// Citizens' reports of this comment.
    pub user_reports: Vec<crate::UserReport>,
    /// The election period in force today, if any: what staff write is
    /// checked against L. 28/2000 art. 9.
    pub election_period: Option<crate::ElectionPeriod>,
    /// While a period is on: the political figures whose names the checks
    /// of a reply flag.
    pub public_figures: Vec<crate::PublicFigure>,
    /// The tickets of its forwards, with the draft replies the offices'
    /// answers left for the URP.
    pub tickets: Vec<crate::Ticket>,
}

const ITEM_COLUMNS: &str = "c.id, c.account_id, a.name, c.platform, c.author_name, c.text, c.created_at, c.state, c.resolution, c.priority, c.severity, c.top_category, s.username, c.needs_reply, c.deadline_at, c.courtesy_due_at, c.sla_state, c.version, c.author_ban_id";

fn item_from(r: &piazza_store::Row) -> Result<QueueItem> {
    Ok(QueueItem {
        id: CommentId(r.int(0)?),
        account_id: AccountId(r.int(1)?),
        account: r.text(2)?,
        platform: r.text(3)?,
        author_name: r.opt_text(4)?,
        text: r.opt_text(5)?,
        created_at: r.int(6)?,
        state: r.text(7)?.parse()?,
        resolution: r.opt_text(8)?.map(|s| s.parse()).transpose()?,
        priority: r.int(9)?,
        severity: r.real(10)?,
        top_category: r.opt_text(11)?,
        flagged: Vec::new(),
        assigned_to: r.opt_text(12)?,
        needs_reply: r.bool(13)?,
        deadline_at: r.opt_int(14)?,
        courtesy_due_at: r.opt_int(15)?,
        sla_state: r.opt_text(16)?.map(|s| s.parse()).transpose()?,
        version: r.int(17)?,
        author_banned: r.opt_int(18)?.is_some(),
    })
}

impl Desk {
    /// The queue: high-severity items first (threats, discrimination,
    /// personal data), then by reply deadline, then by priority and age.
    pub fn queue(&self, admin_id: AdminId, filter: &QueueFilter) -> Result<Vec<QueueItem>> {
        let (sql, params) = self.queue_query(admin_id, filter);
        let (rows, flagged) = self.read(|tx| {
            if tx.kind() == piazza_store::BackendKind::Postgres {
                // PostgreSQL plans a prepared statement afresh on every
                // execution while it rates its own custom plans cheaper than
                // the generic one, which it does here (the custom plan knows
                // the page size); planning the inbox took 100 to 630 ms under
                // 16 connections on two cores, executing it 0.1 ms. The
                // generic plan is the same walk of `comments_open_order`.
                tx.batch("SET LOCAL plan_cache_mode = force_generic_plan")?;
            }
            let rows = tx.query(&sql, &params)?;
            let ids: Vec<i64> = rows.iter().filter_map(|r| r.int(0).ok()).collect();
            // In slices: one parameter per item, and the databases cap
            // the parameters of a statement (SQLite at 32,766).
            let mut flagged = Vec::new();
            for chunk in ids.chunks(500) {
                let marks = vec!["?"; chunk.len()].join(", ");
                let p: Vec<piazza_store::Value> = chunk.iter().map(|i| (*i).into()).collect();
                flagged.extend(tx.query(
                    &format!(
                        "SELECT f.comment_id, f.category FROM findings f JOIN comments c ON c.id = f.comment_id
                         WHERE f.comment_id IN ({marks}) AND f.revision = c.revision AND f.flagged = 1 ORDER BY f.score DESC"
                    ),
                    &p,
                )?);
            }
            Ok((rows, flagged))
        })?;
        let mut items: Vec<QueueItem> = rows.iter().map(item_from).collect::<Result<_>>()?;
        let at: std::collections::HashMap<CommentId, usize> = items
            .iter()
            .enumerate()
            .map(|(i, item)| (item.id, i))
            .collect();
        for f in flagged {
            let (id, cat) = (CommentId(f.int(0)?), f.opt_text(1)?);
            if let (Some(&i), Some(cat)) = (at.get(&id), cat)
                && !items[i].flagged.contains(&cat)
            {
                items[i].flagged.push(cat);
            }
        }
        Ok(items)
    }

    /// The SQL of [`Desk::queue`] and its parameters.
    fn queue_query(
        &self,
        admin_id: AdminId,
        filter: &QueueFilter,
    ) -> (String, Vec<piazza_store::Value>) {
        let mut sql = format!(
            "SELECT {ITEM_COLUMNS} FROM comments c JOIN accounts a ON a.id = c.account_id
             LEFT JOIN staff s ON s.id = c.assigned_to WHERE c.admin_id = ?"
        );
        let mut params: Vec<piazza_store::Value> = vec![admin_id.into()];
        let states: Vec<&str> = filter.states.iter().map(|s| s.as_str()).collect();
        if states.is_empty() || states == ["new", "in_review"] || states == ["in_review", "new"] {
            // Written out, not bound: only a literal condition lets the
            // planners prove that the partial index `comments_open_order`
            // (migration 0002) covers the query.
            sql.push_str(" AND c.state IN ('new', 'in_review')");
        } else {
            sql.push_str(&format!(
                " AND c.state IN ({})",
                states.iter().map(|_| "?").collect::<Vec<_>>().join(", ")
            ));
            params.extend(states.iter().map(|s| (*s).into()));
        }
        if let Some(a) = filter.account_id {
            sql.push_str(" AND c.account_id = ?");
            params.push(a.into());
        }
        if let Some(cat) = &filter.category {
            sql.push_str(
                " AND EXISTS (SELECT 1 FROM findings f WHERE f.comment_id = c.id AND f.revision = c.revision AND f.category = ? AND f.flagged = 1)",
            );
            params.push(cat.into());
        }
        if let Some(s) = filter.assigned_to {
            sql.push_str(" AND c.assigned_to = ?");
            params.push(s.into());
        }
        if let Some(d) = filter.deadline_before {
            sql.push_str(" AND c.deadline_at IS NOT NULL AND c.deadline_at < ?");
            params.push(d.into());
        }
        if let Some(actor) = &filter.scope_of
            && !actor.has_any(&[Role::Dirigente, Role::Auditor])
        {
            let now = self.now();
            let assigned = "SELECT account_id FROM assignments WHERE staff_id = ? AND starts_at <= ? AND (ends_at IS NULL OR ends_at > ?)";
            match self.backend() {
                // PostgreSQL turns `IN (SELECT ...)` into a join driven by
                // the assignments and then sorts every open comment of
                // those accounts on each page (9 ms at 14,000, 65 ms under
                // load); the account list computed once, as a filter,
                // lets it walk `comments_open_order` and stop at the page.
                piazza_store::BackendKind::Postgres => {
                    sql.push_str(&format!(" AND c.account_id = ANY(ARRAY({assigned}))"))
                }
                piazza_store::BackendKind::Sqlite => {
                    sql.push_str(&format!(" AND c.account_id IN ({assigned})"))
                }
            }
            params.extend([actor.staff_id.into(), now.into(), now.into()]);
        }
        // Same expressions as the index `comments_open_order`.
        sql.push_str(
            " ORDER BY CASE WHEN c.severity >= 0.6 THEN 0 ELSE 1 END, CASE WHEN c.deadline_at IS NULL THEN 1 ELSE 0 END, c.deadline_at, c.priority DESC, c.created_at, c.id LIMIT ? OFFSET ?",
        );
        let limit = if filter.limit > 0 { filter.limit } else { 100 };
        params.push(limit.into());
        params.push(filter.offset.max(0).into());
        (sql, params)
    }

    /// The database's plan for [`Desk::queue`] with `filter`, one line per
    /// step: what an operator looks at when the inbox gets slow.
    pub fn explain_queue(&self, admin_id: AdminId, filter: &QueueFilter) -> Result<Vec<String>> {
        let (sql, params) = self.queue_query(admin_id, filter);
        self.read(|tx| {
            let rows = match tx.kind() {
                piazza_store::BackendKind::Sqlite => {
                    tx.query(&format!("EXPLAIN QUERY PLAN {sql}"), &params)?
                }
                piazza_store::BackendKind::Postgres => {
                    tx.query(&format!("EXPLAIN {sql}"), &params)?
                }
            };
            Ok(rows
                .iter()
                .map(|r| {
                    let last = r.len() - 1;
                    r.text(last)
                })
                .collect::<piazza_store::Result<_>>()?)
        })
    }

    /// One item with everything a moderator needs to decide.
    pub fn item(&self, actor: &Actor, comment_id: CommentId) -> Result<ItemDetail> {
        let period = self.election_period_now(actor.admin_id)?;
        let (row, extra) = self.read(|tx| {
            let row = tx.query_opt(
                &format!(
                    "SELECT {ITEM_COLUMNS} FROM comments c JOIN accounts a ON a.id = c.account_id
                     LEFT JOIN staff s ON s.id = c.assigned_to WHERE c.admin_id = ? AND c.id = ?"
                ),
                &[actor.admin_id.into(), comment_id.into()],
            )?;
            let extra = tx.query_opt(
                "SELECT c.external_id, c.author_ref, p.text, p.url, v.version_label, c.taken_in_charge_at, c.answered_at, c.legal_hold,
                        c.platform_deleted_at, c.visibility, c.author_ban_id, b.until_at, c.parent_external_id
                 FROM comments c LEFT JOIN posts p ON p.id = c.post_id LEFT JOIN policy_versions v ON v.id = c.policy_version_id
                 LEFT JOIN bans b ON b.id = c.author_ban_id
                 WHERE c.admin_id = ? AND c.id = ?",
                &[actor.admin_id.into(), comment_id.into()],
            )?;
            Ok((row, extra))
        })?;
        let (Some(row), Some(extra)) = (row, extra) else {
            return Err(DeskError::NotFound {
                what: "commento",
                id: comment_id.to_string(),
            });
        };
        let item = item_from(&row)?;
        // Reading is scoped like acting: an auditor reads everything.
        if !actor.has(Role::Auditor) {
            self.require_scope(actor, item.account_id)?;
        }
        let (findings, actions, revisions, user_reports) = self.read(|tx| {
            let f = tx.query(
                "SELECT category, intent, kind, target, score, flagged, clause, evidence_json, explanation, revision
                 FROM findings WHERE admin_id = ? AND comment_id = ? ORDER BY revision DESC, flagged DESC, score DESC",
                &[actor.admin_id.into(), comment_id.into()],
            )?;
            let a = tx.query(
                "SELECT x.id, x.parent_id, x.kind, x.status, s.username, t.username, x.clauses, x.categories, v.version_label, x.reason, x.reply_text, x.office, x.ticket_number, x.ban_until, x.created_at,
                        (SELECT st.text FROM statements st WHERE st.action_id = x.id ORDER BY st.id DESC LIMIT 1)
                 FROM actions x LEFT JOIN staff s ON s.id = x.actor_id LEFT JOIN staff t ON t.id = x.confirmed_by
                 LEFT JOIN policy_versions v ON v.id = x.policy_version_id
                 WHERE x.admin_id = ? AND x.comment_id = ? ORDER BY x.id",
                &[actor.admin_id.into(), comment_id.into()],
            )?;
            let r = tx.query(
                "SELECT revision, text, seen_at FROM comment_revisions WHERE admin_id = ? AND comment_id = ? ORDER BY revision",
                &[actor.admin_id.into(), comment_id.into()],
            )?;
            let u = crate::user_reports::reports_of(tx, comment_id)?;
            Ok((f, a, r, u))
        })?;
        Ok(ItemDetail {
            item,
            external_id: extra.text(0)?,
            author_ref: extra.opt_text(1)?,
            post_text: extra.opt_text(2)?,
            post_url: extra.opt_text(3)?,
            policy_version: extra.opt_text(4)?,
            taken_in_charge_at: extra.opt_int(5)?,
            answered_at: extra.opt_int(6)?,
            legal_hold: extra.bool(7)?,
            platform_deleted_at: extra.opt_int(8)?,
            visibility: extra.text(9)?.parse()?,
            author_ban_until: match extra.opt_int(10)? {
                Some(_) => Some(extra.opt_int(11)?),
                None => None,
            },
            parent_external_id: extra.opt_text(12)?,
            user_reports,
            election_period: period.clone(),
            public_figures: match period {
                Some(_) => self.public_figures(actor.admin_id)?,
                None => Vec::new(),
            },
            tickets: match self.tickets(
                actor,
                &crate::TicketFilter {
                    comment_id: Some(comment_id),
                    ..Default::default()
                },
            ) {
                Ok(t) => t,
                // Whoever reads the item but works no tickets.
                Err(DeskError::Forbidden(_)) => Vec::new(),
                Err(e) => return Err(e),
            },
            steps: self.outbox(
                actor.admin_id,
                &crate::OutboxFilter {
                    comment_id: Some(comment_id),
                    limit: 1000,
                    ..Default::default()
                },
            )?,
            findings: findings
                .iter()
                .map(|r| {
                    Ok(StoredFinding {
                        category: r.opt_text(0)?,
                        intent: r.opt_text(1)?,
                        kind: r.opt_text(2)?,
                        target: r.opt_text(3)?,
                        score: r.real(4)?,
                        flagged: r.bool(5)?,
                        clause: r.opt_int(6)?,
                        evidence: r
                            .opt_text(7)?
                            .and_then(|j| serde_json::from_str(&j).ok())
                            .unwrap_or(serde_json::Value::Null),
                        explanation: r.text(8)?,
                        revision: r.int(9)?,
                    })
                })
                .collect::<Result<_>>()?,
            actions: actions
                .iter()
                .map(|r| {
                    Ok(ActionRecord {
                        id: ActionId(r.int(0)?),
                        parent_id: r.opt_int(1)?.map(ActionId),
                        kind: r.text(2)?.parse()?,
                        status: r.text(3)?.parse()?,
                        actor: r.opt_text(4)?,
                        confirmed_by: r.opt_text(5)?,
                        clauses: serde_json::from_str(&r.text(6)?).unwrap_or_default(),
                        categories: serde_json::from_str(&r.text(7)?).unwrap_or_default(),
                        policy_version: r.opt_text(8)?,
                        reason: r.opt_text(9)?,
                        reply_text: r.opt_text(10)?,
                        office: r.opt_text(11)?,
                        ticket_number: r.opt_text(12)?,
                        ban_until: r.opt_int(13)?,
                        created_at: r.int(14)?,
                        statement: r.opt_text(15)?,
                    })
                })
                .collect::<Result<_>>()?,
            revisions: revisions
                .iter()
                .map(|r| {
                    Ok(Revision {
                        revision: r.int(0)?,
                        text: r.opt_text(1)?,
                        seen_at: r.int(2)?,
                    })
                })
                .collect::<Result<_>>()?,
        })
    }
}
