//! Retention: comment texts and personal data older than N days are purged,
//! while anonymised statistics (categories, clauses, actions, response
//! times) and a verifiable audit chain stay. Items still open, and items on
//! legal hold (forwarded to an office, e.g. a threat sent to the police),
//! are kept.

use serde::Serialize;

use crate::audit_log::{AuditKind, AuditTarget, entry, record};
use crate::ids::AdminId;
use crate::registry::{Actor, Role};
use crate::{Desk, DeskError, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct RetentionReport {
    pub comments_purged: u64,
    pub revisions_purged: u64,
    pub findings_purged: u64,
    pub evidence_purged: u64,
    pub kept_on_hold: u64,
    /// Texts of private conversations.
    pub messages_purged: u64,
    pub kept_open: u64,
}

impl Desk {
    /// Purges what is older than `days` days. `by` may be `None` for the
    /// scheduled run from the command line.
    pub fn run_retention(
        &self,
        by: Option<&Actor>,
        admin_id: AdminId,
        days: u32,
    ) -> Result<RetentionReport> {
        if let Some(by) = by {
            by.require(
                &[Role::Admin, Role::Dirigente],
                "applicare i tempi di conservazione dei dati",
            )?;
        }
        if days == 0 {
            return Err(DeskError::InvalidInput(
                "la conservazione deve durare almeno un giorno".into(),
            ));
        }
        let now = self.now();
        let cutoff = now - i64::from(days) * 86_400_000;
        let actor = by
            .map(|b| b.audit_name())
            .unwrap_or_else(|| "system".into());
        self.write(|tx| {
            let scope = "SELECT id FROM comments WHERE admin_id = ? AND created_at < ? AND purged_at IS NULL AND legal_hold = 0 AND state = 'resolved'";
            let p = || -> Vec<piazza_store::Value> { vec![admin_id.into(), cutoff.into()] };
            let revisions_purged = tx.execute(
                &format!("UPDATE comment_revisions SET text = NULL WHERE comment_id IN ({scope}) AND text IS NOT NULL"),
                &p(),
            )?;
            let findings_purged = tx.execute(
                &format!("UPDATE findings SET evidence_json = NULL WHERE comment_id IN ({scope}) AND evidence_json IS NOT NULL"),
                &p(),
            )?;
            let evidence_purged = tx.execute(
                &format!("UPDATE actions SET evidence_text = NULL WHERE comment_id IN ({scope}) AND evidence_text IS NOT NULL"),
                &p(),
            )?;
            let comments_purged = tx.execute(
                "UPDATE comments SET text = NULL, author_name = NULL, author_ref = NULL, purged_at = ?
                 WHERE admin_id = ? AND created_at < ? AND purged_at IS NULL AND legal_hold = 0 AND state = 'resolved'",
                &[now.into(), admin_id.into(), cutoff.into()],
            )?;
            let kept_on_hold = tx
                .query_one(
                    "SELECT COUNT(*) FROM comments WHERE admin_id = ? AND created_at < ? AND purged_at IS NULL AND legal_hold = 1",
                    &p(),
                )?
                .int(0)? as u64;
            let kept_open = tx
                .query_one(
                    "SELECT COUNT(*) FROM comments WHERE admin_id = ? AND created_at < ? AND purged_at IS NULL AND legal_hold = 0 AND state <> 'resolved'",
                    &p(),
                )?
                .int(0)? as u64;
            // Expired bans no longer need to know who was banned, nor do
            // the finished platform steps of purged comments.
            tx.execute(
                "UPDATE bans SET author_ref = '' WHERE admin_id = ? AND until_at IS NOT NULL AND until_at < ?",
                &p(),
            )?;
            tx.execute(
                "UPDATE outbox SET author_ref = NULL WHERE admin_id = ? AND created_at < ? AND author_ref IS NOT NULL AND state NOT IN ('pending', 'in_flight')",
                &p(),
            )?;
            // Decided appeals keep their outcome, not the citizen's words
            // or address; an open one keeps both until it is decided.
            tx.execute(
                "UPDATE appeals SET grounds = NULL, reply_to = NULL WHERE admin_id = ? AND received_at < ? AND state <> 'open' AND (grounds IS NOT NULL OR reply_to IS NOT NULL)",
                &p(),
            )?;
            // Citizens' reports: once examined, the words and the address
            // go with the period; the link and the outcome stay.
            tx.execute(
                "UPDATE user_reports SET reason = NULL, reply_to = NULL WHERE admin_id = ? AND received_at < ? AND state = 'closed' AND (reason IS NOT NULL OR reply_to IS NOT NULL)",
                &p(),
            )?;
            // Webhook deliveries keep their bodies only while they are
            // needed (processed ones lose them at once); what is older than
            // the period goes, hash included (platforms retry for hours,
            // not for days).
            tx.execute(
                "DELETE FROM platform_events WHERE received_at < ? AND state NOT IN ('pending', 'processing')",
                &[cutoff.into()],
            )?;
            let messages_purged = crate::conversations::purge(tx, admin_id, cutoff, now)?;
            let report = RetentionReport {
                messages_purged,
                comments_purged,
                revisions_purged,
                findings_purged,
                evidence_purged,
                kept_on_hold,
                kept_open,
            };
            record(
                tx,
                admin_id,
                now,
                &entry(actor, AuditKind::RetentionRun, AuditTarget::Administration, admin_id)
                    .payload(serde_json::json!({"days": days, "report": report})),
            )?;
            Ok(report)
        })
    }
}
