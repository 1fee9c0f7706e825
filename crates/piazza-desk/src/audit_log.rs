//! The audit log: what the desk writes in it, and reading it back (the
//! DPO's and the auditor's view, in chain order, page by page).
//!
//! The store keeps entries as strings, as it keeps any log; the desk names
//! every kind of entry it writes and every kind of target in
//! [`AuditKind`] and [`AuditTarget`], and builds each entry with
//! [`entry`], so that the set of kinds is written down in one place.

use piazza_store::Tx;
use piazza_store::audit::{self, AuditEntry, StoredEntry};

use std::collections::HashSet;

use crate::actions::ActionKind;
use crate::ids::AdminId;
use crate::registry::{Actor, Role};
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
        /// The secrets at rest sealed again under a new key.
        SecretsReseal = "secrets.reseal",
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
    /// chain order, as `reader` may see them: the entries outside the
    /// reader's scope are left out and counted (see [`AuditReader`]).
    pub fn audit_entries_for(
        &self,
        reader: &Actor,
        from_seq: i64,
        limit: i64,
    ) -> Result<ScopedEntries> {
        let scope = AuditReader::of(reader);
        self.read(|tx| {
            let all = audit::entries(tx, reader.admin_id.0, from_seq, limit)?;
            let accounts = match scope {
                AuditReader::Accounts => assigned_accounts(tx, reader, self.now())?,
                _ => HashSet::new(),
            };
            let mut out = ScopedEntries::default();
            for e in all {
                if scope.sees(tx, reader, &accounts, &e)? {
                    out.entries.push(e);
                } else {
                    out.hidden += 1;
                }
            }
            Ok(out)
        })
    }

    /// Up to `limit` audit entries from sequence number `from_seq` on, in
    /// chain order, whole: for the CLI on the server and the tests; a
    /// person on the desk reads [`Desk::audit_entries_for`].
    pub fn audit_entries(
        &self,
        admin_id: AdminId,
        from_seq: i64,
        limit: i64,
    ) -> Result<Vec<StoredEntry>> {
        self.read(|tx| Ok(audit::entries(tx, admin_id.0, from_seq, limit)?))
    }
}

/// A page of the log as one reader sees it.
#[derive(Debug, Default)]
pub struct ScopedEntries {
    pub entries: Vec<StoredEntry>,
    /// Entries of the page outside the reader's scope.
    pub hidden: usize,
}

/// How much of the log a person reads. The log holds the reasons written
/// on every account and the registry of the staff: a moderator reads of it
/// what the desk already shows them, the DPO and the dirigente all of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditReader {
    /// Dirigente, DPO or auditor: every entry.
    Whole,
    /// Technical administration: the registry (accounts, staff, logins,
    /// assignments, offices, imports, mail), not the moderation.
    Registry,
    /// Everybody else: the entries about the accounts assigned to them.
    Accounts,
}

impl AuditReader {
    pub fn of(actor: &Actor) -> AuditReader {
        if actor.has_any(&[Role::Dirigente, Role::Auditor]) {
            AuditReader::Whole
        } else if actor.has(Role::Admin) {
            AuditReader::Registry
        } else {
            AuditReader::Accounts
        }
    }

    fn sees(
        self,
        tx: &mut Tx<'_>,
        reader: &Actor,
        accounts: &HashSet<i64>,
        e: &StoredEntry,
    ) -> piazza_store::Result<bool> {
        if self == AuditReader::Whole || e.entry.actor == reader.audit_name() {
            return Ok(true);
        }
        let Ok(target) = e.entry.target_type.parse::<AuditTarget>() else {
            return Ok(false);
        };
        use AuditTarget as T;
        match target {
            // What the public pages already say.
            T::Administration | T::PolicyVersion | T::ElectionPeriod | T::PublicFigure => {
                return Ok(true);
            }
            T::Staff if e.entry.target_id == reader.staff_id.0.to_string() => return Ok(true),
            _ => {}
        }
        match self {
            AuditReader::Whole => Ok(true),
            AuditReader::Registry => Ok(matches!(
                target,
                T::Account
                    | T::Staff
                    | T::Session
                    | T::Assignment
                    | T::Handover
                    | T::Import
                    | T::Office
                    | T::Mail
            )),
            AuditReader::Accounts => Ok(
                match account_of(tx, reader.admin_id, target, &e.entry.target_id)? {
                    Some(a) => accounts.contains(&a),
                    None => false,
                },
            ),
        }
    }
}

/// The accounts assigned to `actor` now.
fn assigned_accounts(
    tx: &mut Tx<'_>,
    actor: &Actor,
    now: i64,
) -> piazza_store::Result<HashSet<i64>> {
    tx.query(
        "SELECT account_id FROM assignments WHERE admin_id = ? AND staff_id = ? AND starts_at <= ? AND (ends_at IS NULL OR ends_at > ?)",
        &[actor.admin_id.into(), actor.staff_id.into(), now.into(), now.into()],
    )?
    .iter()
    .map(|r| r.int(0))
    .collect()
}

/// The account an entry's target belongs to, when it belongs to one.
fn account_of(
    tx: &mut Tx<'_>,
    admin: AdminId,
    target: AuditTarget,
    id: &str,
) -> piazza_store::Result<Option<i64>> {
    use AuditTarget as T;
    let Ok(id) = id.parse::<i64>() else {
        return Ok(None);
    };
    let sql = match target {
        T::Account => return Ok(Some(id)),
        T::Comment => "SELECT account_id FROM comments WHERE id = ? AND admin_id = ?",
        T::Action => {
            "SELECT c.account_id FROM actions a JOIN comments c ON c.id = a.comment_id WHERE a.id = ? AND a.admin_id = ?"
        }
        T::Outbox => "SELECT account_id FROM outbox WHERE id = ? AND admin_id = ?",
        T::Ban => "SELECT account_id FROM bans WHERE id = ? AND admin_id = ?",
        T::Appeal => {
            "SELECT c.account_id FROM appeals p JOIN comments c ON c.id = p.comment_id WHERE p.id = ? AND p.admin_id = ?"
        }
        T::UserReport => {
            "SELECT c.account_id FROM user_reports u JOIN comments c ON c.id = u.comment_id WHERE u.id = ? AND u.admin_id = ?"
        }
        T::Ticket => {
            "SELECT c.account_id FROM tickets t JOIN comments c ON c.id = t.comment_id WHERE t.id = ? AND t.admin_id = ?"
        }
        T::Draft => "SELECT account_id FROM drafts WHERE id = ? AND admin_id = ?",
        T::PublicationRequest => {
            "SELECT d.account_id FROM publication_requests r JOIN drafts d ON d.id = r.draft_id WHERE r.id = ? AND r.admin_id = ?"
        }
        T::Conversation => "SELECT account_id FROM conversations WHERE id = ? AND admin_id = ?",
        T::Assignment => "SELECT account_id FROM assignments WHERE id = ? AND admin_id = ?",
        T::Handover => {
            "SELECT s.account_id FROM handovers h JOIN assignments s ON s.id = h.assignment_id WHERE h.id = ? AND h.admin_id = ?"
        }
        _ => return Ok(None),
    };
    Ok(tx
        .query_opt(sql, &[id.into(), admin.into()])?
        .map(|r| r.opt_int(0))
        .transpose()?
        .flatten())
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
