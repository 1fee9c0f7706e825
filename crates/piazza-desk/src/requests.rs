//! Requests to publish from associations and groups of citizens, where the
//! policy allows them (Roma: "Sarà però possibile per associazioni e/o
//! gruppi di cittadini chiedere di pubblicare, sugli account social,
//! informazioni relative ad attività sul territorio"). A public form files
//! the request; an editor accepts it as a draft on an account (the draft
//! then goes through the same checks and approvals as any other) or
//! declines it with a reason. Nothing reaches a platform from the form.

use serde::Serialize;

use crate::audit_log::{AuditKind, AuditTarget, entry, record};
use crate::drafts::{DraftContent, NewDraft};
use crate::ids::{AccountId, AdminId, DraftId, PublicationRequestId};
use crate::registry::{Actor, Role};
use crate::{Desk, DeskError, Result};

/// The longest text a field of the form may carry.
pub const MAX_REQUEST_CHARS: usize = 4000;

closed_set! {
    /// Where a request stands.
    pub enum PublicationRequestState ("stato della richiesta di pubblicazione") {
        Nuova = "nuova" => "da esaminare",
        Accolta = "accolta" => "accolta: è una bozza",
        Respinta = "respinta" => "non accolta",
    }
}

/// A request as it arrives from the public form.
#[derive(Debug, Clone, Default)]
pub struct PublicationRequestFiling {
    /// The association or group that asks.
    pub requester: String,
    /// An address for an answer.
    pub reply_to: Option<String>,
    pub subject: String,
    /// What they would like published.
    pub body: String,
    /// Why it matters to the territory.
    pub purpose: Option<String>,
    /// When they would like it out, as they write it.
    pub wanted_on: Option<String>,
    pub link: Option<String>,
}

/// A request as the desk shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicationRequest {
    pub id: PublicationRequestId,
    pub requester: String,
    pub reply_to: Option<String>,
    pub subject: String,
    pub body: String,
    pub purpose: Option<String>,
    pub wanted_on: Option<String>,
    pub link: Option<String>,
    pub state: PublicationRequestState,
    pub received_at: i64,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    /// Why it was declined.
    pub outcome: Option<String>,
    pub draft_id: Option<DraftId>,
}

/// Who examines requests: the publishing office's editors and the
/// dirigenti.
const EXAMINERS: &[Role] = &[Role::Redattore, Role::Dirigente];

fn bounded(what: &str, s: &str, required: bool) -> Result<Option<String>> {
    let s = s.trim();
    if s.chars().count() > MAX_REQUEST_CHARS {
        return Err(DeskError::InvalidInput(format!(
            "{what} supera {MAX_REQUEST_CHARS} caratteri"
        )));
    }
    if s.is_empty() && required {
        return Err(DeskError::InvalidInput(format!("manca {what}")));
    }
    Ok(Some(s.to_string()).filter(|s| !s.is_empty()))
}

const SELECT: &str = "SELECT r.id, r.requester, r.reply_to, r.subject, r.body, r.purpose, r.wanted_on, r.link, r.state, r.received_at, s.username, r.decided_at, r.outcome, r.draft_id
     FROM publication_requests r LEFT JOIN staff s ON s.id = r.decided_by";

fn request_of(r: &piazza_store::Row) -> Result<PublicationRequest> {
    Ok(PublicationRequest {
        id: PublicationRequestId(r.int(0)?),
        requester: r.text(1)?,
        reply_to: r.opt_text(2)?,
        subject: r.text(3)?,
        body: r.text(4)?,
        purpose: r.opt_text(5)?,
        wanted_on: r.opt_text(6)?,
        link: r.opt_text(7)?,
        state: r.text(8)?.parse()?,
        received_at: r.int(9)?,
        decided_by: r.opt_text(10)?,
        decided_at: r.opt_int(11)?,
        outcome: r.opt_text(12)?,
        draft_id: r.opt_int(13)?.map(DraftId),
    })
}

impl Desk {
    /// Whether the administration's policy takes requests from the public.
    pub fn takes_publication_requests(&self, admin_id: AdminId) -> Result<bool> {
        let ctx = self.context(admin_id)?;
        Ok(ctx
            .policy
            .internal
            .editorial
            .as_ref()
            .is_some_and(|e| e.public_requests.is_some()))
    }

    /// Files a request from the public form. Audited (actor `public`).
    pub fn file_publication_request(
        &self,
        admin_id: AdminId,
        filing: &PublicationRequestFiling,
    ) -> Result<PublicationRequestId> {
        if !self.takes_publication_requests(admin_id)? {
            return Err(DeskError::Forbidden(
                "la policy di questo ente non prevede richieste di pubblicazione dal pubblico"
                    .into(),
            ));
        }
        let requester = bounded(
            "il nome dell'associazione o del gruppo",
            &filing.requester,
            true,
        )?;
        let subject = bounded("l'oggetto", &filing.subject, true)?;
        let body = bounded("il testo da pubblicare", &filing.body, true)?;
        let purpose = bounded("il perché", filing.purpose.as_deref().unwrap_or(""), false)?;
        let wanted_on = bounded("la data", filing.wanted_on.as_deref().unwrap_or(""), false)?;
        let link = bounded(
            "il collegamento",
            filing.link.as_deref().unwrap_or(""),
            false,
        )?;
        if let Some(l) = &link
            && !(l.starts_with("https://") || l.starts_with("http://"))
        {
            return Err(DeskError::InvalidInput(format!(
                "il collegamento «{l}» non è un indirizzo web (deve cominciare con https://)"
            )));
        }
        let reply_to = crate::appeals::checked_reply_to(filing.reply_to.as_deref())?;
        let now = self.now();
        self.write(|tx| {
            let id = tx.insert(
                "INSERT INTO publication_requests (admin_id, requester, reply_to, subject, body, purpose, wanted_on, link, state, received_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'nuova', ?) RETURNING id",
                &[
                    admin_id.into(),
                    requester.clone().into(),
                    reply_to.clone().into(),
                    subject.clone().into(),
                    body.clone().into(),
                    purpose.clone().into(),
                    wanted_on.clone().into(),
                    link.clone().into(),
                    now.into(),
                ],
            )?;
            // The audit names the request, not the requester's address.
            record(
                tx,
                admin_id,
                now,
                &entry(
                    "public",
                    AuditKind::PublicationRequestFile,
                    AuditTarget::PublicationRequest,
                    id,
                ),
            )?;
            Ok(PublicationRequestId(id))
        })
    }

    /// The requests, the newest first; only those to examine unless `all`.
    pub fn publication_requests(&self, by: &Actor, all: bool) -> Result<Vec<PublicationRequest>> {
        by.require(EXAMINERS, "leggere le richieste di pubblicazione")?;
        self.read(|tx| {
            let filter = if all { "" } else { " AND r.state = 'nuova'" };
            tx.query(
                &format!("{SELECT} WHERE r.admin_id = ?{filter} ORDER BY r.id DESC"),
                &[by.admin_id.into()],
            )?
            .iter()
            .map(request_of)
            .collect()
        })
    }

    fn publication_request(
        &self,
        by: &Actor,
        id: PublicationRequestId,
    ) -> Result<PublicationRequest> {
        let r = self.read(|tx| {
            Ok(tx.query_opt(
                &format!("{SELECT} WHERE r.admin_id = ? AND r.id = ?"),
                &[by.admin_id.into(), id.into()],
            )?)
        })?;
        let r = r.ok_or(DeskError::NotFound {
            what: "richiesta di pubblicazione",
            id: id.to_string(),
        })?;
        let r = request_of(&r)?;
        if r.state != PublicationRequestState::Nuova {
            return Err(DeskError::InvalidInput(format!(
                "la richiesta n. {id} è già stata esaminata ({})",
                r.state.label_it()
            )));
        }
        Ok(r)
    }

    /// Accepts a request as a draft on `account`: the association is who
    /// asked, its text the first version. The draft then follows the
    /// usual path (checks, approvals, publication). Audited.
    pub fn accept_publication_request(
        &self,
        by: &Actor,
        id: PublicationRequestId,
        account: AccountId,
    ) -> Result<DraftId> {
        by.require(EXAMINERS, "accogliere una richiesta di pubblicazione")?;
        self.require_scope(by, account)?;
        let r = self.publication_request(by, id)?;
        let draft = self.create_draft(
            by,
            &NewDraft {
                account_id: account,
                title: r.subject.clone(),
                requested_by: Some(format!("{} (richiesta n. {id})", r.requester)),
                purpose: r.purpose.clone(),
                campaign: None,
                scheduled_at: None,
                content: DraftContent {
                    body: r.body.clone(),
                    link: r.link.clone(),
                    media: Vec::new(),
                },
            },
        )?;
        let now = self.now();
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE publication_requests SET state = 'accolta', decided_by = ?, decided_at = ?, draft_id = ? WHERE id = ? AND state = 'nuova'",
                &[by.staff_id.into(), now.into(), draft.into(), id.into()],
            )?;
            if n != 1 {
                return Err(DeskError::InvalidInput(format!(
                    "la richiesta n. {id} è stata esaminata nel frattempo"
                )));
            }
            record(
                tx,
                by.admin_id,
                now,
                &entry(
                    by.audit_name(),
                    AuditKind::PublicationRequestAccept,
                    AuditTarget::PublicationRequest,
                    id,
                )
                .payload(serde_json::json!({ "draft": draft, "account": account })),
            )?;
            Ok(draft)
        })
    }

    /// Declines a request with the reason (the policy's criteria: Roma's
    /// point 3, no private, commercial or partisan aims). Audited.
    pub fn decline_publication_request(
        &self,
        by: &Actor,
        id: PublicationRequestId,
        reason: &str,
    ) -> Result<()> {
        by.require(EXAMINERS, "respingere una richiesta di pubblicazione")?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(DeskError::InvalidInput(
                "per non accogliere una richiesta scrivi il motivo".into(),
            ));
        }
        self.publication_request(by, id)?;
        let now = self.now();
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE publication_requests SET state = 'respinta', decided_by = ?, decided_at = ?, outcome = ? WHERE id = ? AND state = 'nuova'",
                &[by.staff_id.into(), now.into(), reason.into(), id.into()],
            )?;
            if n != 1 {
                return Err(DeskError::InvalidInput(format!(
                    "la richiesta n. {id} è stata esaminata nel frattempo"
                )));
            }
            record(
                tx,
                by.admin_id,
                now,
                &entry(
                    by.audit_name(),
                    AuditKind::PublicationRequestDecline,
                    AuditTarget::PublicationRequest,
                    id,
                )
                .reason(reason),
            )?;
            Ok(())
        })
    }
}
