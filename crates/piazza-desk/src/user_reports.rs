//! Reports of a comment by citizens ("segnala un commento"). Torino asks
//! users who see a violation to report it; the public form takes the link
//! to the comment, the rule the citizen thinks it breaks and why.
//!
//! When the link names a comment Piazza holds, the report is attached to
//! it: the item rises in the queue (a kept comment goes back to review), and
//! a restrictive decision on it says in its statement that a user reported
//! it (DSA source `SOURCE_TYPE_OTHER_NOTIFICATION`: the form is not a notice
//! of art. 16, which would need the reporter's name). Otherwise the report
//! waits in the desk's list of reports for a person to open the link on the
//! platform; Piazza does not pretend to have seen a comment it has not.

use piazza_platforms::links::comment_ref;
use piazza_store::Tx;
use serde::Serialize;

use crate::audit_log::{AuditKind, AuditTarget, entry, record};
use crate::ids::{AdminId, CommentId, UserReportId};
use crate::registry::{Actor, Role};
use crate::{Desk, DeskError, Result};

/// The priority of a comment a citizen reported: above ordinary items, below
/// a banned author's (see `ingest`), so a person looks at it soon.
const USER_REPORT_PRIORITY: i64 = 60;

/// The longest reasons and links a report may carry.
pub const MAX_REPORT_CHARS: usize = 2000;

/// A citizen's report as it arrives.
#[derive(Debug, Clone)]
pub struct UserReportFiling {
    /// The link to the comment, as the citizen's app copied it.
    pub link: String,
    /// The rule of the policy the citizen thinks it breaks.
    pub clause: Option<u32>,
    pub reason: String,
    /// An address for an answer, if the citizen wants one.
    pub reply_to: Option<String>,
}

/// What the citizen is told.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserReportReceipt {
    pub id: UserReportId,
    /// The link named a comment Piazza holds, which is now in the queue.
    pub matched: bool,
}

closed_set! {
    /// Where a citizen's report stands.
    pub enum UserReportState ("stato della segnalazione") {
        Open = "open" => "da esaminare",
        Closed = "closed" => "esaminata",
    }
}

/// A report as the desk shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserReport {
    pub id: UserReportId,
    pub comment_id: Option<CommentId>,
    pub link: String,
    pub clause: Option<u32>,
    pub reason: Option<String>,
    pub reply_to: Option<String>,
    pub state: UserReportState,
    pub received_at: i64,
    pub closed_by: Option<String>,
    pub closed_at: Option<i64>,
    pub outcome: Option<String>,
}

const READERS: &[Role] = &[
    Role::Moderatore,
    Role::OperatoreUrp,
    Role::Redattore,
    Role::Dirigente,
    Role::Auditor,
];

fn bounded(what: &str, s: &str) -> Result<String> {
    let s = s.trim();
    if s.chars().count() > MAX_REPORT_CHARS {
        return Err(DeskError::InvalidInput(format!(
            "{what} supera {MAX_REPORT_CHARS} caratteri"
        )));
    }
    Ok(s.to_string())
}

const SELECT: &str = "SELECT r.id, r.comment_id, r.link, r.clause, r.reason, r.reply_to, r.state, r.received_at, s.username, r.closed_at, r.outcome
     FROM user_reports r LEFT JOIN staff s ON s.id = r.closed_by";

fn report_of(r: &piazza_store::Row) -> Result<UserReport> {
    Ok(UserReport {
        id: UserReportId(r.int(0)?),
        comment_id: r.opt_int(1)?.map(CommentId),
        link: r.text(2)?,
        clause: r.opt_int(3)?.map(|n| n as u32),
        reason: r.opt_text(4)?,
        reply_to: r.opt_text(5)?,
        state: r.text(6)?.parse()?,
        received_at: r.int(7)?,
        closed_by: r.opt_text(8)?,
        closed_at: r.opt_int(9)?,
        outcome: r.opt_text(10)?,
    })
}

impl Desk {
    /// Records a citizen's report; see the module's documentation.
    pub fn file_user_report(
        &self,
        admin_id: AdminId,
        filing: &UserReportFiling,
    ) -> Result<UserReportReceipt> {
        let link = bounded("il collegamento", &filing.link)?;
        if link.is_empty() {
            return Err(DeskError::InvalidInput(
                "indica il collegamento al commento (dal menu del commento, «copia link»)".into(),
            ));
        }
        let reason = bounded("il motivo", &filing.reason)?;
        let reply_to = crate::appeals::checked_reply_to(filing.reply_to.as_deref())?;
        let ctx = self.context(admin_id)?;
        if let Some(n) = filing.clause
            && ctx.policy.clause(n).is_none()
        {
            return Err(DeskError::InvalidInput(format!(
                "la policy in vigore non ha una regola {n}"
            )));
        }
        let now = self.now();
        let target = comment_ref(&link);
        // No early lock of the administration: the audit append takes it
        // last, after the comment's row (`Tx::lock_administration`).
        self.write(|tx| {
            let comment = match &target {
                Some(r) => find_comment(tx, admin_id, r.platform.as_str(), &r.id)?,
                None => None,
            };
            let id = UserReportId(tx.insert(
                "INSERT INTO user_reports (admin_id, comment_id, link, clause, reason, reply_to, state, received_at)
                 VALUES (?, ?, ?, ?, ?, ?, 'open', ?) RETURNING id",
                &[
                    admin_id.into(),
                    comment.into(),
                    link.clone().into(),
                    filing.clause.map(i64::from).into(),
                    Some(reason.clone()).filter(|r| !r.is_empty()).into(),
                    reply_to.clone().into(),
                    now.into(),
                ],
            )?);
            if let Some(c) = comment {
                // Raised, and a kept comment goes back to review: a citizen
                // sees something the first look did not.
                tx.execute(
                    "UPDATE comments SET priority = CASE WHEN priority < ? THEN ? ELSE priority END,
                        state = CASE WHEN state = 'resolved' AND resolution = 'kept' THEN 'in_review' ELSE state END,
                        resolution = CASE WHEN state = 'resolved' AND resolution = 'kept' THEN NULL ELSE resolution END,
                        version = version + 1
                     WHERE id = ?",
                    &[
                        USER_REPORT_PRIORITY.into(),
                        USER_REPORT_PRIORITY.into(),
                        c.into(),
                    ],
                )?;
            }
            record(
                tx,
                admin_id,
                now,
                &entry("public", AuditKind::UserReportFile, AuditTarget::UserReport, id).payload(
                    serde_json::json!({
                        "comment_id": comment,
                        "clause": filing.clause,
                        "platform": target.as_ref().map(|r| r.platform.as_str()),
                    }),
                ),
            )?;
            Ok(UserReportReceipt {
                id,
                matched: comment.is_some(),
            })
        })
    }

    /// Citizens' reports, newest first; `state` narrows them.
    pub fn user_reports(
        &self,
        actor: &Actor,
        state: Option<UserReportState>,
    ) -> Result<Vec<UserReport>> {
        actor.require(READERS, "leggere le segnalazioni dei cittadini")?;
        self.read(|tx| {
            let mut sql = format!("{SELECT} WHERE r.admin_id = ?");
            let mut params: Vec<piazza_store::Value> = vec![actor.admin_id.into()];
            if let Some(s) = state {
                sql.push_str(" AND r.state = ?");
                params.push(s.into());
            }
            sql.push_str(" ORDER BY r.received_at DESC, r.id DESC LIMIT 500");
            tx.query(&sql, &params)?.iter().map(report_of).collect()
        })
    }

    /// Closes a report once a person has looked at it (on the platform, for
    /// a comment Piazza does not hold), saying what was found.
    pub fn close_user_report(&self, actor: &Actor, id: UserReportId, outcome: &str) -> Result<()> {
        actor.require(
            &[
                Role::Moderatore,
                Role::OperatoreUrp,
                Role::Redattore,
                Role::Dirigente,
            ],
            "chiudere una segnalazione",
        )?;
        let outcome = bounded("l'esito", outcome)?;
        if outcome.is_empty() {
            return Err(DeskError::InvalidInput(
                "scrivi che cosa è stato trovato e fatto".into(),
            ));
        }
        let now = self.now();
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE user_reports SET state = 'closed', closed_by = ?, closed_at = ?, outcome = ? WHERE admin_id = ? AND id = ? AND state = 'open'",
                &[actor.staff_id.into(), now.into(), outcome.clone().into(), actor.admin_id.into(), id.into()],
            )?;
            if n == 0 {
                return Err(DeskError::NotFound {
                    what: "segnalazione aperta",
                    id: id.to_string(),
                });
            }
            record(
                tx,
                actor.admin_id,
                now,
                &entry(
                    actor.audit_name(),
                    AuditKind::UserReportClose,
                    AuditTarget::UserReport,
                    id,
                )
                .reason(&outcome),
            )?;
            Ok(())
        })
    }
}

/// The comment of `platform` whose id is `id`, or whose Graph id ends with
/// it (`<post>_<comment>`).
fn find_comment(
    tx: &mut Tx<'_>,
    admin_id: AdminId,
    platform: &str,
    id: &str,
) -> Result<Option<CommentId>> {
    let suffix = format!("_{id}");
    let rows = tx.query(
        "SELECT id, external_id FROM comments WHERE admin_id = ? AND platform = ? AND (external_id = ? OR external_id LIKE ?) ORDER BY id LIMIT 20",
        &[admin_id.into(), platform.into(), id.into(), format!("%{suffix}").into()],
    )?;
    for r in &rows {
        let ext = r.text(1)?;
        if ext == id || ext.ends_with(&suffix) {
            return Ok(Some(CommentId(r.int(0)?)));
        }
    }
    Ok(None)
}

/// The reports attached to a comment, oldest first (the item page).
pub(crate) fn reports_of(tx: &mut Tx<'_>, comment: CommentId) -> Result<Vec<UserReport>> {
    tx.query(
        &format!("{SELECT} WHERE r.comment_id = ? ORDER BY r.id"),
        &[comment.into()],
    )?
    .iter()
    .map(report_of)
    .collect()
}

/// Closes the open reports of a comment when a person decides on it.
pub(crate) fn close_with_decision(
    tx: &mut Tx<'_>,
    actor: &Actor,
    comment: CommentId,
    decision: &str,
    now: i64,
) -> Result<()> {
    tx.execute(
        "UPDATE user_reports SET state = 'closed', closed_by = ?, closed_at = ?, outcome = ? WHERE comment_id = ? AND state = 'open'",
        &[actor.staff_id.into(), now.into(), decision.into(), comment.into()],
    )?;
    Ok(())
}
