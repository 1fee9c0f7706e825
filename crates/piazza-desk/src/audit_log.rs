//! The audit log: what the desk writes in it, and reading it back (the
//! DPO's and the auditor's view, in chain order, page by page).
//!
//! The store keeps entries as strings, as it keeps any log; the desk names
//! every kind of entry it writes and every kind of target in
//! [`AuditKind`] and [`AuditTarget`], and builds each entry with
//! [`entry`], so that the set of kinds is written down in one place.

use piazza_store::Tx;
use piazza_store::audit::{self, AuditEntry, StoredEntry};

use crate::actions::ActionKind;
use crate::ids::AdminId;
use crate::{Desk, Result};

closed_set! {
    /// What an audit entry records. `as_str` is the kind stored in the log.
    pub enum AuditKind ("tipo di voce del registro") {
        // The registry.
        AdministrationCreate = "administration.create",
        PolicyActivate = "policy.activate",
        AccountAdd = "account.add",
        AccountStatus = "account.status",
        AccountUpdate = "account.update",
        CredentialsRotate = "credentials.rotate",
        CredentialHolderAdd = "credentials.holder_add",
        CredentialHolderEnd = "credentials.holder_end",
        StaffAdd = "staff.add",
        StaffDeactivate = "staff.deactivate",
        StaffPassword = "staff.password",
        AssignmentStart = "assignment.start",
        AssignmentEnd = "assignment.end",
        HandoverStep = "handover.step",
        HandoverSignOff = "handover.sign_off",
        OfficeAdd = "office.add",
        OfficeUpdate = "office.update",
        /// A person of the staff bound to an office (or unbound).
        StaffOffice = "staff.office",
        // Tickets: the workflow between the URP and the offices.
        TicketQuestion = "ticket.question",
        TicketInfo = "ticket.info",
        TicketAnswer = "ticket.answer",
        TicketClose = "ticket.close",
        TicketReply = "ticket.reply",
        // E-mail notifications.
        MailSettings = "mail.settings",
        MailDigest = "mail.digest",
        MailSent = "mail.sent",
        MailFailed = "mail.failed",
        // Sessions.
        Login = "login",
        LoginLockout = "login.lockout",
        /// A signed checkpoint of the chain's head (the entry comes after
        /// the head it signs).
        AuditCheckpoint = "audit.checkpoint",
        // Imports, retention, the reply clock.
        ImportStart = "import.start",
        ImportFinish = "import.finish",
        RetentionRun = "retention.run",
        SlaCourtesyDue = "sla.courtesy_due",
        SlaBreach = "sla.breach",
        ClosedNotice = "sla.closed_notice",
        // The platforms.
        ConnectionAdd = "connection.add",
        ConnectionRemove = "connection.remove",
        CommentDeletedOnPlatform = "comment.deleted_on_platform",
        OutboxRetry = "outbox.retry",
        OutboxDone = "outbox.done",
        OutboxFailed = "outbox.failed",
        BanLift = "ban.lift",
        // Requests to review a decision.
        AppealFile = "appeal.file",
        AppealDecide = "appeal.decide",
        // Election periods (L. 28/2000).
        ElectionPeriodAdd = "election_period.add",
        // The editorial desk.
        DraftCreate = "draft.create",
        DraftRevise = "draft.revise",
        DraftComment = "draft.comment",
        DraftSubmit = "draft.submit",
        DraftApprove = "draft.approve",
        DraftReject = "draft.reject",
        DraftPublish = "draft.publish",
        DraftPublishUrgent = "draft.publish_urgent",
        DraftPublished = "draft.published",
        DraftRelay = "draft.relay",
        PublicationRequestFile = "publication_request.file",
        PublicationRequestAccept = "publication_request.accept",
        PublicationRequestDecline = "publication_request.decline",
        PublicFigureAdd = "public_figure.add",
        PublicFigureRemove = "public_figure.remove",
        // Citizens' reports of a comment.
        UserReportFile = "user_report.file",
        UserReportClose = "user_report.close",
        // Private conversations (the texts never go in the log).
        ConversationReply = "conversation.reply",
        ConversationClose = "conversation.close",
        // Decisions on one comment.
        ActionKeep = "action.keep",
        ActionHide = "action.hide",
        ActionUnhide = "action.unhide",
        ActionRemove = "action.remove",
        ActionReply = "action.reply",
        ActionRedirect = "action.redirect",
        ActionForward = "action.forward",
        ActionWarn = "action.warn",
        ActionBan = "action.ban",
        ActionReport = "action.report",
        ActionReopen = "action.reopen",
        ActionAssign = "action.assign",
        /// A second moderator confirmed a pending removal.
        RemovalConfirm = "action.remove.confirm",
        /// A second moderator rejected a pending removal.
        RemovalReject = "action.remove.reject",
        /// A written reply was approved and goes to the platform.
        ReplyApprove = "action.reply.approve",
        /// A written reply was sent back to be rewritten.
        ReplySendBack = "action.reply.send_back",
        // The parents of bulk decisions.
        BulkKeep = "action.bulk.keep",
        BulkHide = "action.bulk.hide",
        BulkUnhide = "action.bulk.unhide",
        BulkRemove = "action.bulk.remove",
        BulkReply = "action.bulk.reply",
        BulkRedirect = "action.bulk.redirect",
        BulkForward = "action.bulk.forward",
        BulkWarn = "action.bulk.warn",
        BulkBan = "action.bulk.ban",
        BulkReport = "action.bulk.report",
        BulkReopen = "action.bulk.reopen",
    }
}

impl AuditKind {
    /// The entry of a decision on one comment (`action.hide`, ...); a
    /// confirmation or a rejection is about the pending removal
    /// (`action.remove.confirm`, `action.remove.reject`).
    pub const fn of_action(kind: ActionKind) -> AuditKind {
        match kind {
            ActionKind::Keep => AuditKind::ActionKeep,
            ActionKind::Hide => AuditKind::ActionHide,
            ActionKind::Unhide => AuditKind::ActionUnhide,
            ActionKind::Remove => AuditKind::ActionRemove,
            ActionKind::Reply => AuditKind::ActionReply,
            ActionKind::Redirect => AuditKind::ActionRedirect,
            ActionKind::Forward => AuditKind::ActionForward,
            ActionKind::Warn => AuditKind::ActionWarn,
            ActionKind::Ban => AuditKind::ActionBan,
            ActionKind::Report => AuditKind::ActionReport,
            ActionKind::Reopen => AuditKind::ActionReopen,
            ActionKind::Assign => AuditKind::ActionAssign,
            ActionKind::Confirm => AuditKind::RemovalConfirm,
            ActionKind::Reject => AuditKind::RemovalReject,
        }
    }

    /// The entry of a bulk decision's parent (`action.bulk.hide`, ...);
    /// `None` for the actions that cannot be applied in bulk.
    pub const fn of_bulk(kind: ActionKind) -> Option<AuditKind> {
        match kind {
            ActionKind::Keep => Some(AuditKind::BulkKeep),
            ActionKind::Hide => Some(AuditKind::BulkHide),
            ActionKind::Unhide => Some(AuditKind::BulkUnhide),
            ActionKind::Remove => Some(AuditKind::BulkRemove),
            ActionKind::Reply => Some(AuditKind::BulkReply),
            ActionKind::Redirect => Some(AuditKind::BulkRedirect),
            ActionKind::Forward => Some(AuditKind::BulkForward),
            ActionKind::Warn => Some(AuditKind::BulkWarn),
            ActionKind::Ban => Some(AuditKind::BulkBan),
            ActionKind::Report => Some(AuditKind::BulkReport),
            ActionKind::Reopen => Some(AuditKind::BulkReopen),
            ActionKind::Assign | ActionKind::Confirm | ActionKind::Reject => None,
        }
    }
}

closed_set! {
    /// What an audit entry is about: the type of its target id.
    pub enum AuditTarget ("oggetto della voce del registro") {
        Administration = "administration",
        PolicyVersion = "policy_version",
        Account = "account",
        Staff = "staff",
        Session = "session",
        Assignment = "assignment",
        Handover = "handover",
        Import = "import",
        Comment = "comment",
        Action = "action",
        Outbox = "outbox",
        Ban = "ban",
        Appeal = "appeal",
        UserReport = "user_report",
        ElectionPeriod = "election_period",
        Draft = "draft",
        PublicFigure = "public_figure",
        PublicationRequest = "publication_request",
        Office = "office",
        Ticket = "ticket",
        Mail = "mail",
        Conversation = "conversation",
    }
}

/// An audit entry of `kind` about `target` number `id`, by `actor`
/// (`staff:<username>`, `system`, `cli`).
pub(crate) fn entry(
    actor: impl Into<String>,
    kind: AuditKind,
    target: AuditTarget,
    id: impl ToString,
) -> AuditEntry {
    AuditEntry::new(actor, kind.as_str(), target.as_str(), id)
}

/// Appends `entry` to the administration's chain, in the transaction.
pub(crate) fn record(
    tx: &mut Tx<'_>,
    admin_id: AdminId,
    at: i64,
    entry: &AuditEntry,
) -> piazza_store::Result<()> {
    audit::append(tx, admin_id.0, at, entry)?;
    Ok(())
}

impl Desk {
    /// The sequence number of the newest audit entry of an administration
    /// (0 when the log is empty): where the audit viewer starts.
    pub fn audit_last_seq(&self, admin_id: AdminId) -> Result<i64> {
        self.read(|tx| {
            Ok(tx
                .query_one(
                    "SELECT COALESCE(MAX(seq), 0) FROM audit_log WHERE admin_id = ?",
                    &[admin_id.into()],
                )?
                .int(0)?)
        })
    }

    /// Up to `limit` audit entries from sequence number `from_seq` on, in
    /// chain order.
    pub fn audit_entries(
        &self,
        admin_id: AdminId,
        from_seq: i64,
        limit: i64,
    ) -> Result<Vec<StoredEntry>> {
        self.read(|tx| Ok(audit::entries(tx, admin_id.0, from_seq, limit)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_audit_kind_round_trips_and_none_repeats() {
        let mut seen = HashSet::new();
        for k in AuditKind::ALL {
            assert_eq!(k.as_str().parse::<AuditKind>().unwrap(), *k);
            assert!(seen.insert(k.as_str()), "{k} listed twice");
        }
        assert_eq!(AuditKind::ALL.len(), AuditKind::IDS.len());
        assert!("action.fly".parse::<AuditKind>().is_err());
        let mut seen = HashSet::new();
        for t in AuditTarget::ALL {
            assert_eq!(t.as_str().parse::<AuditTarget>().unwrap(), *t);
            assert!(seen.insert(t.as_str()), "{t} listed twice");
        }
    }

    #[test]
    fn decisions_keep_the_kinds_they_always_had() {
        for k in ActionKind::ALL {
            let expected = match k {
                ActionKind::Confirm => "action.remove.confirm".to_string(),
                ActionKind::Reject => "action.remove.reject".to_string(),
                k => format!("action.{}", k.as_str()),
            };
            assert_eq!(AuditKind::of_action(k).as_str(), expected);
            let bulk = AuditKind::of_bulk(k).map(AuditKind::as_str);
            match k {
                ActionKind::Assign | ActionKind::Confirm | ActionKind::Reject => {
                    assert_eq!(bulk, None)
                }
                k => assert_eq!(bulk, Some(format!("action.bulk.{}", k.as_str()).as_str())),
            }
        }
    }
}
