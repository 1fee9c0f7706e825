//! Drafts of the administration's own publications: an office asks, an
//! editor writes (every version kept), colleagues comment, the draft is
//! submitted, and the people the policy names approve it
//! (`internal.editorial`, one approval when the policy is silent). Nobody
//! approves a draft they wrote or asked for, an approval counts only for
//! the version it read, and during an election period (L. 28/2000 art. 9)
//! an approval must say why the text is impersonal and indispensable.
//! Every step is in the audit chain.
//!
//! An approved draft is published through the outbox, at its scheduled
//! time, by a connector (or left to a person where the account is not
//! connected); the platform's post id is recorded with the draft and as a
//! post of the account, so the comments that arrive under it are tied to
//! it. The urgent path (civil protection, weather alerts) publishes at
//! once and keeps a visible mark until the approvals are recorded
//! afterwards. During an election period nothing goes out without the
//! approvers' statement, checked again when the worker delivers.

use serde::{Deserialize, Serialize};

use piazza_platforms::MediaItem;
use piazza_store::Tx;

use crate::audit_log::{AuditKind, AuditTarget, entry, record};
use crate::ids::{AccountId, AdminId, DraftId, PostId};
use crate::outbox::{OutboxFilter, OutboxItem, Publication, enqueue_publication};
use crate::registry::{Actor, Role};
use crate::{Desk, DeskError, Result};

closed_set! {
    /// Where a draft stands.
    pub enum DraftState ("stato della bozza") {
        /// Being written.
        Bozza = "bozza" => "in scrittura",
        /// Submitted, waiting for its approvals.
        InApprovazione = "in_approvazione" => "in attesa di approvazione",
        /// Approved in its current version.
        Approvata = "approvata" => "approvata",
        /// Sent back with a reason; a new version can be submitted again.
        Respinta = "respinta" => "respinta",
        /// Queued for publication (at its scheduled time), or failed and
        /// waiting for a retry: the publication step says which.
        Programmata = "programmata" => "in pubblicazione",
        /// On the platform, with its post id.
        Pubblicata = "pubblicata" => "pubblicata",
    }
}

closed_set! {
    /// The rights on an image or a video (Roma: "immagini e video di
    /// proprietà o liberi da copyright"; Maglione: owned or Creative
    /// Commons).
    pub enum MediaLicence ("licenza dell'immagine") {
        Propria = "propria" => "di proprietà dell'ente",
        CreativeCommons = "cc" => "Creative Commons, con attribuzione",
        Permesso = "permesso" => "di terzi, con permesso scritto",
    }
}

closed_set! {
    /// A reviewer's decision on a version.
    pub enum DraftDecision ("decisione sulla bozza") {
        Approva = "approva" => "approvata",
        Respingi = "respingi" => "respinta",
    }
}

/// An image or a video of a draft.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DraftMedia {
    /// The file's name or reference.
    pub file: String,
    /// What it shows, for who cannot see it.
    pub alt_text: String,
    #[serde(with = "licence_id")]
    pub licence: MediaLicence,
    /// The rules of the photo checklist the editor confirmed for it (ids
    /// of [`PhotoRule`]: `testo`, the policy's, `politici`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub confirmed: Vec<String>,
}

/// A rule an image must meet, confirmed by the editor: the policy's
/// (`internal.editorial.photo_checklist`) and, during an election period,
/// no administrators or candidates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PhotoRule {
    pub id: &'static str,
    /// What the image must not show, completing "l'immagine ...".
    pub label: &'static str,
}

/// Accessibility (WCAG 2.1, 1.4.5 and 1.1.1): what an image says in
/// words is said in the post or in its text alternative too.
pub const TEXT_IN_IMAGE: PhotoRule = PhotoRule {
    id: "testo",
    label: "non contiene scritte che manchino nel post o nel testo alternativo",
};

/// The election period's rule on images (L. 28/2000 art. 9).
pub const NO_POLITICIANS: PhotoRule = PhotoRule {
    id: "politici",
    label: "non ritrae amministratori né candidati riconoscibili (periodo elettorale)",
};

mod licence_id {
    use super::MediaLicence;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(l: &MediaLicence, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(l.as_str())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<MediaLicence, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// What a version of a draft says and shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DraftContent {
    pub body: String,
    pub link: Option<String>,
    pub media: Vec<DraftMedia>,
}

/// A draft to open.
#[derive(Debug, Clone)]
pub struct NewDraft {
    /// The account it will be published on.
    pub account_id: AccountId,
    pub title: String,
    /// The office or association that asked for it.
    pub requested_by: Option<String>,
    /// Why it should be published.
    pub purpose: Option<String>,
    pub campaign: Option<String>,
    /// When it should go out (epoch milliseconds).
    pub scheduled_at: Option<i64>,
    pub content: DraftContent,
}

/// One version of a draft.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DraftVersion {
    pub version: i64,
    pub content: DraftContent,
    pub written_by: String,
    pub written_at: i64,
}

/// A comment on a draft.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DraftComment {
    pub by: String,
    pub body: String,
    pub at: i64,
}

/// A reviewer's decision.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DraftApproval {
    pub version: i64,
    pub by: String,
    pub decision: DraftDecision,
    pub note: Option<String>,
    /// Why the text is impersonal and indispensable (election period).
    pub impersonal_reason: Option<String>,
    pub at: i64,
}

/// A draft with its history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Draft {
    pub id: DraftId,
    pub admin_id: AdminId,
    pub account_id: AccountId,
    pub account_name: String,
    pub platform: String,
    pub title: String,
    pub requested_by: Option<String>,
    pub purpose: Option<String>,
    pub campaign: Option<String>,
    pub state: DraftState,
    pub scheduled_at: Option<i64>,
    /// The current version's number.
    pub version: i64,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// Approvals the current version needs (the policy's).
    pub approvals_needed: u32,
    /// Approvals the current version has.
    pub approvals_given: u32,
    /// Every version, the first first.
    pub versions: Vec<DraftVersion>,
    pub comments: Vec<DraftComment>,
    /// Every decision, on any version, in order.
    pub decisions: Vec<DraftApproval>,
    /// Published without its approvals (urgent path).
    pub urgent: Option<UrgentMark>,
    /// The platform's id of the published post.
    pub published_ref: Option<String>,
    pub published_at: Option<i64>,
    /// The post as Piazza knows it, where comments under it are filed.
    pub post_id: Option<PostId>,
    /// The latest publication step, with its state.
    pub publication: Option<OutboxItem>,
    /// The central campaign's draft this one relays.
    pub relayed_from: Option<DraftId>,
}

/// What the editorial calendar shows.
#[derive(Debug, Clone, Default)]
pub struct CalendarFilter {
    /// Epoch ms, included.
    pub from: i64,
    /// Epoch ms, excluded.
    pub to: i64,
    pub account: Option<AccountId>,
    /// The office or association that asked (`requested_by`).
    pub office: Option<String>,
    pub campaign: Option<String>,
}

/// A draft in the calendar, at the time it goes (or went) out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalendarEntry {
    pub at: Option<i64>,
    pub draft: Draft,
}

/// The editorial calendar of a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Calendar {
    /// In time order.
    pub entries: Vec<CalendarEntry>,
    /// Drafts (not rejected) without a time yet.
    pub unscheduled: Vec<CalendarEntry>,
    /// Every office and campaign named by a draft, for the filters.
    pub offices: Vec<String>,
    pub campaigns: Vec<String>,
}

/// Who published a draft at once, and why (civil protection, a weather
/// alert): the approvals are recorded afterwards.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UrgentMark {
    pub by: String,
    pub reason: String,
    pub at: i64,
    /// During an election period: why it is impersonal and indispensable.
    pub impersonal_reason: Option<String>,
}

impl Draft {
    /// Published (or queued) on the urgent path and still short of the
    /// approvals the policy asks for: the mark stays until they come.
    pub fn awaits_approval_after_urgent(&self) -> bool {
        self.urgent.is_some()
            && matches!(self.state, DraftState::Programmata | DraftState::Pubblicata)
            && self.approvals_given < self.approvals_needed
    }

    /// The current version.
    pub fn current(&self) -> &DraftVersion {
        self.versions
            .iter()
            .find(|v| v.version == self.version)
            .or(self.versions.last())
            .expect("a draft has at least one version")
    }
}

/// Roles that write drafts (an office's referente asks for a publication
/// by opening one).
const WRITERS: &[Role] = &[
    Role::Redattore,
    Role::Dirigente,
    Role::OperatoreUrp,
    Role::Ufficio,
];

/// Roles that review and approve: the publishing office's editors and the
/// dirigenti.
const REVIEWERS: &[Role] = &[Role::Redattore, Role::Dirigente];

fn validate(content: &DraftContent) -> Result<()> {
    if content.body.trim().is_empty() {
        return Err(DeskError::InvalidInput(
            "il testo della bozza è vuoto".into(),
        ));
    }
    if let Some(link) = &content.link
        && !(link.starts_with("https://") || link.starts_with("http://"))
    {
        return Err(DeskError::InvalidInput(format!(
            "il link «{link}» non è un indirizzo web (deve cominciare con https://)"
        )));
    }
    for m in &content.media {
        if m.file.trim().is_empty() {
            return Err(DeskError::InvalidInput(
                "un'immagine o un video senza nome del file".into(),
            ));
        }
    }
    Ok(())
}

impl Desk {
    /// Whether `by` may write on `account`: an office's referente asks for
    /// any account of the administration; the others on their accounts.
    fn require_draft_writer(&self, by: &Actor, account: AccountId) -> Result<()> {
        by.require(WRITERS, "scrivere una bozza")?;
        if by.has(Role::Ufficio) && !by.has_any(&[Role::Redattore, Role::Dirigente]) {
            self.account(by.admin_id, account).map(|_| ())
        } else {
            self.require_scope(by, account)
        }
    }

    /// Opens a draft with its first version. Audited.
    pub fn create_draft(&self, by: &Actor, new: &NewDraft) -> Result<DraftId> {
        self.require_draft_writer(by, new.account_id)?;
        if new.title.trim().is_empty() {
            return Err(DeskError::InvalidInput(
                "manca il titolo della bozza".into(),
            ));
        }
        validate(&new.content)?;
        let now = self.now();
        let media = serde_json::to_string(&new.content.media).expect("media serialise");
        self.write(|tx| {
            let id = tx.insert(
                "INSERT INTO drafts (admin_id, account_id, title, requested_by, purpose, campaign, state, scheduled_at, version, created_by, created_at, updated_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?) RETURNING id",
                &[
                    by.admin_id.into(),
                    new.account_id.into(),
                    new.title.trim().into(),
                    new.requested_by.clone().into(),
                    new.purpose.clone().into(),
                    new.campaign.clone().into(),
                    DraftState::Bozza.into(),
                    new.scheduled_at.into(),
                    by.staff_id.into(),
                    now.into(),
                    now.into(),
                ],
            )?;
            tx.execute(
                "INSERT INTO draft_versions (draft_id, version, body, link, media, written_by, written_at)
                 VALUES (?, 1, ?, ?, ?, ?, ?)",
                &[
                    id.into(),
                    new.content.body.clone().into(),
                    new.content.link.clone().into(),
                    media.clone().into(),
                    by.staff_id.into(),
                    now.into(),
                ],
            )?;
            record(
                tx,
                by.admin_id,
                now,
                &entry(by.audit_name(), AuditKind::DraftCreate, AuditTarget::Draft, id)
                    .payload(serde_json::json!({ "title": new.title.trim(), "account": new.account_id })),
            )?;
            Ok(DraftId(id))
        })
    }

    /// Writes a new version (`expected` is the version the writer read).
    /// Approvals of earlier versions stop counting: an approved draft goes
    /// back to approval, a rejected one back to writing. Audited.
    pub fn revise_draft(
        &self,
        by: &Actor,
        id: DraftId,
        expected: i64,
        content: &DraftContent,
    ) -> Result<i64> {
        let d = self.draft(by.admin_id, id)?;
        self.require_draft_writer(by, d.account_id)?;
        validate(content)?;
        if d.version != expected {
            return Err(DeskError::Conflict {
                expected,
                found: d.version,
            });
        }
        let state = match d.state {
            DraftState::Bozza | DraftState::Respinta => DraftState::Bozza,
            DraftState::InApprovazione | DraftState::Approvata | DraftState::Programmata => {
                DraftState::InApprovazione
            }
            DraftState::Pubblicata => {
                return Err(DeskError::InvalidInput(
                    "la bozza è già pubblicata: una correzione si fa sulla piattaforma, o con una nuova bozza"
                        .into(),
                ));
            }
        };
        let now = self.now();
        let version = d.version + 1;
        let media = serde_json::to_string(&content.media).expect("media serialise");
        self.write(|tx| {
            // A queued publication is withdrawn with the version it
            // carried; one already under way cannot be.
            if d.state == DraftState::Programmata {
                let withdrawn = tx.execute(
                    "UPDATE outbox SET state = 'cancelled', lease_until = NULL WHERE draft_id = ? AND state IN ('pending', 'manual', 'failed')",
                    &[id.into()],
                )?;
                let open = tx
                    .query_opt(
                        "SELECT 1 FROM outbox WHERE draft_id = ? AND state IN ('in_flight', 'done')",
                        &[id.into()],
                    )?
                    .is_some();
                if open || withdrawn == 0 {
                    return Err(DeskError::InvalidInput(
                        "la pubblicazione è già in corso o avvenuta: la bozza non si può più modificare"
                            .into(),
                    ));
                }
                tx.execute(
                    "UPDATE drafts SET urgent_reason = NULL, urgent_by = NULL, urgent_at = NULL WHERE id = ?",
                    &[id.into()],
                )?;
            }
            let n = tx.execute(
                "UPDATE drafts SET version = ?, state = ?, updated_at = ? WHERE id = ? AND admin_id = ? AND version = ?",
                &[
                    version.into(),
                    state.into(),
                    now.into(),
                    id.into(),
                    by.admin_id.into(),
                    expected.into(),
                ],
            )?;
            if n != 1 {
                return Err(DeskError::Conflict {
                    expected,
                    found: expected + 1,
                });
            }
            tx.execute(
                "INSERT INTO draft_versions (draft_id, version, body, link, media, written_by, written_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
                &[
                    id.into(),
                    version.into(),
                    content.body.clone().into(),
                    content.link.clone().into(),
                    media.clone().into(),
                    by.staff_id.into(),
                    now.into(),
                ],
            )?;
            record(
                tx,
                by.admin_id,
                now,
                &entry(by.audit_name(), AuditKind::DraftRevise, AuditTarget::Draft, id.0)
                    .payload(serde_json::json!({ "version": version, "state": state })),
            )?;
            Ok(version)
        })
    }

    /// A comment on a draft, by anyone who may write or review it.
    pub fn comment_draft(&self, by: &Actor, id: DraftId, body: &str) -> Result<()> {
        let d = self.draft(by.admin_id, id)?;
        if by.has_any(REVIEWERS) {
            self.require_scope(by, d.account_id)?;
        } else {
            self.require_draft_writer(by, d.account_id)?;
        }
        if body.trim().is_empty() {
            return Err(DeskError::InvalidInput("il commento è vuoto".into()));
        }
        let now = self.now();
        self.write(|tx| {
            tx.execute(
                "INSERT INTO draft_comments (draft_id, staff_id, body, created_at) VALUES (?, ?, ?, ?)",
                &[id.into(), by.staff_id.into(), body.trim().into(), now.into()],
            )?;
            record(
                tx,
                by.admin_id,
                now,
                &entry(by.audit_name(), AuditKind::DraftComment, AuditTarget::Draft, id.0),
            )?;
            Ok(())
        })
    }

    /// Sends a draft in writing (or rejected) to approval. Audited.
    pub fn submit_draft(&self, by: &Actor, id: DraftId) -> Result<()> {
        let d = self.draft(by.admin_id, id)?;
        self.require_draft_writer(by, d.account_id)?;
        if !matches!(d.state, DraftState::Bozza | DraftState::Respinta) {
            return Err(DeskError::InvalidInput(format!(
                "la bozza è {}: si manda in approvazione una bozza in scrittura o respinta",
                d.state.label_it()
            )));
        }
        if d.state == DraftState::Respinta {
            return Err(DeskError::InvalidInput(
                "la bozza è stata respinta: scrivi una nuova versione prima di rimandarla in approvazione"
                    .into(),
            ));
        }
        self.set_draft_state(by, &d, DraftState::InApprovazione, AuditKind::DraftSubmit)
    }

    fn set_draft_state(
        &self,
        by: &Actor,
        d: &Draft,
        state: DraftState,
        kind: AuditKind,
    ) -> Result<()> {
        let now = self.now();
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE drafts SET state = ?, updated_at = ? WHERE id = ? AND version = ? AND state = ?",
                &[
                    state.into(),
                    now.into(),
                    d.id.into(),
                    d.version.into(),
                    d.state.into(),
                ],
            )?;
            if n != 1 {
                return Err(DeskError::Conflict {
                    expected: d.version,
                    found: d.version + 1,
                });
            }
            record(
                tx,
                by.admin_id,
                now,
                &entry(by.audit_name(), kind, AuditTarget::Draft, d.id.0)
                    .payload(serde_json::json!({ "version": d.version, "state": state })),
            )?;
            Ok(())
        })
    }

    /// A reviewer's decision on the version `expected` of a draft waiting
    /// for approval. An approval needs a reviewer who neither asked for
    /// nor wrote any version of it; a rejection needs a reason; during an
    /// election period an approval says why the text is impersonal and
    /// indispensable. The draft is approved when its current version has
    /// the approvals the policy asks for. Audited.
    pub fn decide_draft(
        &self,
        by: &Actor,
        id: DraftId,
        expected: i64,
        decision: DraftDecision,
        note: Option<&str>,
        impersonal_reason: Option<&str>,
    ) -> Result<DraftState> {
        by.require(
            &self.draft_approvers(by.admin_id)?,
            "approvare o respingere una bozza",
        )?;
        let d = self.draft(by.admin_id, id)?;
        self.require_scope(by, d.account_id)?;
        if d.version != expected {
            return Err(DeskError::Conflict {
                expected,
                found: d.version,
            });
        }
        // After an urgent publication the approvals are recorded
        // afterwards: the draft stays published, the mark goes when they
        // are all there.
        let after_urgent = d.awaits_approval_after_urgent();
        if d.state != DraftState::InApprovazione && !after_urgent {
            return Err(DeskError::InvalidInput(format!(
                "la bozza è {}: si decide solo su una bozza in attesa di approvazione",
                d.state.label_it()
            )));
        }
        // Usernames are unique: the draft already names its authors.
        if d.created_by == by.username
            || d.versions.iter().any(|v| v.written_by == by.username)
            || d.urgent.as_ref().is_some_and(|u| u.by == by.username)
        {
            return Err(DeskError::SecondModerator(
                "non puoi approvare né respingere una bozza che hai chiesto, scritto o pubblicato d'urgenza tu: deve farlo un'altra persona"
                    .into(),
            ));
        }
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        let reason = impersonal_reason.map(str::trim).filter(|n| !n.is_empty());
        if decision == DraftDecision::Respingi && note.is_none() {
            return Err(DeskError::InvalidInput(
                "per respingere una bozza scrivi il motivo".into(),
            ));
        }
        if decision == DraftDecision::Approva
            && reason.is_none()
            && let Some(period) = self.election_period_now(by.admin_id)?
        {
            return Err(DeskError::InvalidInput(format!(
                "{} Per approvare scrivi perché il testo è impersonale e indispensabile.",
                period.notice_it()
            )));
        }
        if d.decisions
            .iter()
            .any(|a| a.version == d.version && a.by == by.username)
        {
            return Err(DeskError::InvalidInput(
                "hai già deciso su questa versione della bozza".into(),
            ));
        }
        let needed = self.draft_approvals_needed(by.admin_id)?;
        let given = d.approvals_given + u32::from(decision == DraftDecision::Approva);
        let state = match decision {
            _ if after_urgent => d.state,
            DraftDecision::Respingi => DraftState::Respinta,
            DraftDecision::Approva if given >= needed => DraftState::Approvata,
            DraftDecision::Approva => DraftState::InApprovazione,
        };
        let now = self.now();
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE drafts SET state = ?, updated_at = ? WHERE id = ? AND version = ? AND state = ?",
                &[
                    state.into(),
                    now.into(),
                    id.into(),
                    d.version.into(),
                    d.state.into(),
                ],
            )?;
            if n != 1 {
                return Err(DeskError::Conflict {
                    expected,
                    found: expected + 1,
                });
            }
            tx.execute(
                "INSERT INTO draft_approvals (draft_id, version, staff_id, decision, note, impersonal_reason, created_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
                &[
                    id.into(),
                    d.version.into(),
                    by.staff_id.into(),
                    decision.into(),
                    note.map(str::to_string).into(),
                    reason.map(str::to_string).into(),
                    now.into(),
                ],
            )?;
            let kind = match decision {
                DraftDecision::Approva => AuditKind::DraftApprove,
                DraftDecision::Respingi => AuditKind::DraftReject,
            };
            record(
                tx,
                by.admin_id,
                now,
                &entry(by.audit_name(), kind, AuditTarget::Draft, id.0)
                    .payload(serde_json::json!({
                        "version": d.version,
                        "state": state,
                        "approvals": given,
                        "needed": needed,
                        "impersonal_reason": reason,
                        "after_urgent_publication": after_urgent,
                    })),
            )?;
            Ok(state)
        })
    }

    /// Queues an approved draft for publication on its account at its
    /// scheduled time (now when it has none), through the outbox: a
    /// connected account publishes by its connector, any other is left to
    /// a person and says so. A reviewer's act, audited. During an election
    /// period (today or on the scheduled day) the approvals must carry the
    /// statement that the text is impersonal and indispensable.
    pub fn publish_draft(&self, by: &Actor, id: DraftId, expected: i64) -> Result<OutboxItem> {
        by.require(REVIEWERS, "pubblicare una bozza")?;
        let d = self.draft(by.admin_id, id)?;
        self.require_scope(by, d.account_id)?;
        if d.version != expected {
            return Err(DeskError::Conflict {
                expected,
                found: d.version,
            });
        }
        if d.state != DraftState::Approvata {
            return Err(DeskError::InvalidInput(format!(
                "la bozza è {}: si pubblica una bozza approvata ({} approvazioni su {})",
                d.state.label_it(),
                d.approvals_given,
                d.approvals_needed
            )));
        }
        let due = d.scheduled_at.unwrap_or_else(|| self.now());
        for at in [self.now(), due] {
            if let Some(why) = self.election_refusal(&d, at)? {
                return Err(DeskError::InvalidInput(why));
            }
        }
        self.queue_publication(by, &d, due, None)
    }

    /// Publishes a draft at once, before its approvals (civil protection,
    /// weather alerts, a service suddenly interrupted): a reviewer's act
    /// with its reason, audited. The draft keeps a visible mark until the
    /// approvals the policy asks for are recorded afterwards, by others.
    /// During an election period the reason why it is impersonal and
    /// indispensable is required here too.
    pub fn publish_urgent(
        &self,
        by: &Actor,
        id: DraftId,
        expected: i64,
        reason: &str,
        impersonal_reason: Option<&str>,
    ) -> Result<OutboxItem> {
        by.require(REVIEWERS, "pubblicare d'urgenza una bozza")?;
        let d = self.draft(by.admin_id, id)?;
        self.require_scope(by, d.account_id)?;
        if d.version != expected {
            return Err(DeskError::Conflict {
                expected,
                found: d.version,
            });
        }
        match d.state {
            DraftState::Bozza | DraftState::InApprovazione => {}
            DraftState::Approvata => {
                return Err(DeskError::InvalidInput(
                    "la bozza è già approvata: pubblicala normalmente".into(),
                ));
            }
            DraftState::Respinta => {
                return Err(DeskError::InvalidInput(
                    "la bozza è stata respinta: l'urgenza non scavalca un rifiuto; scrivi una nuova versione"
                        .into(),
                ));
            }
            DraftState::Programmata | DraftState::Pubblicata => {
                return Err(DeskError::InvalidInput(format!(
                    "la bozza è già {}",
                    d.state.label_it()
                )));
            }
        }
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(DeskError::InvalidInput(
                "per pubblicare d'urgenza scrivi il motivo (per esempio: allerta meteo della protezione civile)"
                    .into(),
            ));
        }
        let impersonal = impersonal_reason.map(str::trim).filter(|r| !r.is_empty());
        if impersonal.is_none()
            && let Some(period) = self.election_period_now(by.admin_id)?
        {
            return Err(DeskError::InvalidInput(format!(
                "{} Per pubblicare d'urgenza scrivi perché il testo è impersonale e indispensabile.",
                period.notice_it()
            )));
        }
        self.queue_publication(by, &d, self.now(), Some((reason, impersonal)))
    }

    fn queue_publication(
        &self,
        by: &Actor,
        d: &Draft,
        due: i64,
        urgent: Option<(&str, Option<&str>)>,
    ) -> Result<OutboxItem> {
        let ctx = self.context(by.admin_id)?;
        let content = &d.current().content;
        let mut body = content.body.trim_end().to_string();
        if let Some(footer) = ctx
            .policy
            .internal
            .editorial
            .as_ref()
            .and_then(|e| e.licence_footer.as_deref())
            .map(str::trim)
            .filter(|f| !f.is_empty())
            && !body.contains(footer)
        {
            body.push_str("\n\n");
            body.push_str(footer);
        }
        let media: Vec<MediaItem> = content
            .media
            .iter()
            .map(|m| MediaItem {
                url: m.file.trim().to_string(),
                alt_text: m.alt_text.trim().to_string(),
            })
            .collect();
        self.check_publishable(by.admin_id, d.account_id, &d.platform, &media)?;
        let now = self.now();
        let kind = match urgent {
            Some(_) => AuditKind::DraftPublishUrgent,
            None => AuditKind::DraftPublish,
        };
        let next = DraftState::Programmata;
        let outbox = self.write(|tx| {
            let n = tx.execute(
                "UPDATE drafts SET state = ?, updated_at = ? WHERE id = ? AND version = ? AND state = ?",
                &[
                    next.into(),
                    now.into(),
                    d.id.into(),
                    d.version.into(),
                    d.state.into(),
                ],
            )?;
            if n != 1 {
                return Err(DeskError::Conflict {
                    expected: d.version,
                    found: d.version + 1,
                });
            }
            if let Some((reason, impersonal)) = urgent {
                tx.execute(
                    "UPDATE drafts SET urgent_reason = ?, urgent_by = ?, urgent_at = ?, urgent_impersonal = ? WHERE id = ?",
                    &[
                        reason.into(),
                        by.staff_id.into(),
                        now.into(),
                        impersonal.map(str::to_string).into(),
                        d.id.into(),
                    ],
                )?;
            }
            let (outbox, state) = enqueue_publication(
                tx,
                &Publication {
                    admin_id: by.admin_id,
                    account_id: d.account_id,
                    platform: &d.platform,
                    draft_id: d.id,
                    body: &body,
                    link: content.link.as_deref(),
                    media: &media,
                    due_at: due,
                },
                now,
            )?;
            record(
                tx,
                by.admin_id,
                now,
                &entry(by.audit_name(), kind, AuditTarget::Draft, d.id.0).payload(
                    serde_json::json!({
                        "version": d.version,
                        "outbox": outbox,
                        "step": state.as_str(),
                        "due_at": due.max(now),
                        "urgent_reason": urgent.map(|u| u.0),
                        "impersonal_reason": urgent.and_then(|u| u.1),
                    }),
                ),
            )?;
            Ok(outbox)
        })?;
        self.outbox(
            by.admin_id,
            &OutboxFilter {
                draft_id: Some(d.id),
                limit: 1,
                ..OutboxFilter::default()
            },
        )?
        .into_iter()
        .find(|i| i.id == outbox)
        .ok_or(DeskError::NotFound {
            what: "passo",
            id: outbox.to_string(),
        })
    }

    /// Relays an approved central campaign to other accounts in one step
    /// (Roma: the municipal accounts relay the central campaigns): for each
    /// account a copy of the approved version, with the same campaign and
    /// time, carrying the central approvals (the content is the one they
    /// approved), queued for publication at once. A reviewer's act on the
    /// source and on every target account, audited per copy. Nothing is
    /// written when any target is refused.
    pub fn relay_draft(
        &self,
        by: &Actor,
        id: DraftId,
        accounts: &[AccountId],
    ) -> Result<Vec<(DraftId, OutboxItem)>> {
        by.require(REVIEWERS, "rilanciare una campagna sugli altri account")?;
        let d = self.draft(by.admin_id, id)?;
        self.require_scope(by, d.account_id)?;
        if !matches!(
            d.state,
            DraftState::Approvata | DraftState::Programmata | DraftState::Pubblicata
        ) || d.approvals_given < d.approvals_needed
        {
            return Err(DeskError::InvalidInput(format!(
                "la bozza è {}: si rilancia una campagna approvata",
                d.state.label_it()
            )));
        }
        if accounts.is_empty() {
            return Err(DeskError::InvalidInput(
                "scegli almeno un account su cui rilanciare la campagna".into(),
            ));
        }
        let media_items: Vec<MediaItem> = d
            .current()
            .content
            .media
            .iter()
            .map(|m| MediaItem {
                url: m.file.trim().to_string(),
                alt_text: m.alt_text.trim().to_string(),
            })
            .collect();
        let mut targets = Vec::new();
        for a in accounts {
            if *a == d.account_id || targets.contains(a) {
                continue;
            }
            self.require_scope(by, *a)?;
            let account = self.account(by.admin_id, *a)?;
            self.check_publishable(by.admin_id, *a, &account.platform, &media_items)
                .map_err(|e| {
                    DeskError::InvalidInput(format!("{}: {}", account.name, e.message_it()))
                })?;
            targets.push(*a);
        }
        let due = d.scheduled_at.unwrap_or_else(|| self.now()).max(self.now());
        for at in [self.now(), due] {
            if let Some(why) = self.election_refusal(&d, at)? {
                return Err(DeskError::InvalidInput(why));
            }
        }
        let source = d.current().clone();
        let approvals: Vec<&DraftApproval> = d
            .decisions
            .iter()
            .filter(|a| a.version == d.version && a.decision == DraftDecision::Approva)
            .collect();
        let now = self.now();
        let media = serde_json::to_string(&source.content.media).expect("media serialise");
        let copies: Vec<DraftId> = self.write(|tx| {
            let mut out = Vec::new();
            for account in &targets {
                let copy = tx.insert(
                    "INSERT INTO drafts (admin_id, account_id, title, requested_by, purpose, campaign, state, scheduled_at, version, created_by, created_at, updated_at, relayed_from)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?) RETURNING id",
                    &[
                        by.admin_id.into(),
                        (*account).into(),
                        d.title.clone().into(),
                        d.requested_by.clone().into(),
                        d.purpose.clone().into(),
                        d.campaign.clone().or_else(|| Some(d.title.clone())).into(),
                        DraftState::Approvata.into(),
                        d.scheduled_at.into(),
                        by.staff_id.into(),
                        now.into(),
                        now.into(),
                        d.id.into(),
                    ],
                )?;
                tx.execute(
                    "INSERT INTO draft_versions (draft_id, version, body, link, media, written_by, written_at)
                     SELECT ?, 1, body, link, ?, written_by, ? FROM draft_versions WHERE draft_id = ? AND version = ?",
                    &[copy.into(), media.clone().into(), now.into(), d.id.into(), d.version.into()],
                )?;
                // The central approvals, with their statements: the copy
                // says what the central approvers approved.
                for a in &approvals {
                    tx.execute(
                        "INSERT INTO draft_approvals (draft_id, version, staff_id, decision, note, impersonal_reason, created_at)
                         SELECT ?, 1, staff_id, decision, ?, impersonal_reason, created_at FROM draft_approvals
                         WHERE draft_id = ? AND version = ? AND staff_id = (SELECT id FROM staff WHERE admin_id = ? AND username = ?) AND decision = 'approva'",
                        &[
                            copy.into(),
                            format!("approvazione della campagna centrale (bozza n. {})", d.id).into(),
                            d.id.into(),
                            d.version.into(),
                            by.admin_id.into(),
                            a.by.clone().into(),
                        ],
                    )?;
                }
                record(
                    tx,
                    by.admin_id,
                    now,
                    &entry(by.audit_name(), AuditKind::DraftRelay, AuditTarget::Draft, copy)
                        .payload(serde_json::json!({ "from": d.id, "version": d.version, "account": account })),
                )?;
                out.push(DraftId(copy));
            }
            Ok(out)
        })?;
        let mut queued = Vec::new();
        for copy in copies {
            let c = self.draft(by.admin_id, copy)?;
            queued.push((copy, self.queue_publication(by, &c, due, None)?));
        }
        Ok(queued)
    }

    /// Puts a draft's failed (or left to a person) publication back in the
    /// queue, once the cause is fixed: a reviewer's act, audited as an
    /// outbox retry.
    pub fn retry_publication(&self, by: &Actor, id: DraftId) -> Result<OutboxItem> {
        by.require(REVIEWERS, "ritentare la pubblicazione di una bozza")?;
        let d = self.draft(by.admin_id, id)?;
        self.require_scope(by, d.account_id)?;
        let step = d
            .publication
            .filter(|p| d.state == DraftState::Programmata && p.retryable())
            .ok_or_else(|| {
                DeskError::InvalidInput(
                    "la bozza non ha una pubblicazione non riuscita da ritentare".into(),
                )
            })?;
        self.requeue_outbox(by, step.id)
    }

    /// What the account's connector cannot publish, said before anything
    /// is queued rather than after the scheduled time: images that are not
    /// public `https://` addresses, an Instagram post without an image.
    /// Nothing to check for an account left to a person.
    fn check_publishable(
        &self,
        admin_id: AdminId,
        account: AccountId,
        platform: &str,
        media: &[MediaItem],
    ) -> Result<()> {
        let connected = self
            .connections(admin_id)?
            .iter()
            .any(|c| c.account_id == account && c.status == crate::ConnectionStatus::Active);
        if !connected {
            return Ok(());
        }
        if let Some(m) = media.iter().find(|m| !m.url.starts_with("https://")) {
            return Err(DeskError::InvalidInput(format!(
                "l'immagine «{}» non è un indirizzo https: la piattaforma scarica le immagini da un indirizzo pubblico (per esempio la pagina del sito dell'ente che la ospita)",
                m.url
            )));
        }
        if platform == "instagram" && media.is_empty() {
            return Err(DeskError::InvalidInput(
                "Instagram pubblica solo post con almeno un'immagine".into(),
            ));
        }
        Ok(())
    }

    /// Why the law keeps this draft from going out at `at`, if it does:
    /// an election period is on that day and neither every approval of the
    /// current version nor the urgent publication states why the text is
    /// impersonal and indispensable.
    fn election_refusal(&self, d: &Draft, at: i64) -> Result<Option<String>> {
        let Some(period) = self.election_period_at(d.admin_id, at)? else {
            return Ok(None);
        };
        let approvals: Vec<&DraftApproval> = d
            .decisions
            .iter()
            .filter(|a| a.version == d.version && a.decision == DraftDecision::Approva)
            .collect();
        let urgent_ok = d
            .urgent
            .as_ref()
            .is_some_and(|u| u.impersonal_reason.is_some());
        let approvals_ok =
            !approvals.is_empty() && approvals.iter().all(|a| a.impersonal_reason.is_some());
        if urgent_ok || approvals_ok {
            return Ok(None);
        }
        Ok(Some(format!(
            "{} Le approvazioni di questa versione non dicono perché il testo è impersonale e indispensabile: scrivi una nuova versione e falla approvare con questa dichiarazione.",
            period.notice_it()
        )))
    }

    /// Checked by the outbox worker right before a publication goes out.
    pub(crate) fn publication_refused(
        &self,
        admin_id: AdminId,
        id: DraftId,
    ) -> Result<Option<String>> {
        let d = self.draft(admin_id, id)?;
        self.election_refusal(&d, self.now())
    }

    /// The roles that approve drafts under the policy in force (redattori
    /// and dirigenti unless it names fewer).
    pub fn draft_approvers(&self, admin_id: AdminId) -> Result<Vec<Role>> {
        let ctx = self.context(admin_id)?;
        let named: Vec<Role> = ctx
            .policy
            .internal
            .editorial
            .as_ref()
            .map(|e| {
                e.approvers
                    .iter()
                    .map(|a| match a {
                        piazza_policy::EditorialApprover::Redattore => Role::Redattore,
                        piazza_policy::EditorialApprover::Dirigente => Role::Dirigente,
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(if named.is_empty() {
            REVIEWERS.to_vec()
        } else {
            named
        })
    }

    /// Approvals a draft needs under the policy in force (at least one).
    pub fn draft_approvals_needed(&self, admin_id: AdminId) -> Result<u32> {
        let ctx = self.context(admin_id)?;
        Ok(ctx
            .policy
            .internal
            .editorial
            .as_ref()
            .map_or(1, |e| e.approvals.max(1)))
    }

    /// A draft with its versions, comments and decisions.
    pub fn draft(&self, admin_id: AdminId, id: DraftId) -> Result<Draft> {
        let needed = self.draft_approvals_needed(admin_id)?;
        let mut draft = self.read(|tx| {
            let r = tx
                .query_opt(
                    "SELECT d.id, d.account_id, a.name, a.platform, d.title, d.requested_by, d.purpose, d.campaign,
                            d.state, d.scheduled_at, d.version, s.username, d.created_at, d.updated_at,
                            d.published_ref, d.published_at, d.post_id, d.urgent_reason, u.username, d.urgent_at, d.urgent_impersonal,
                            d.relayed_from
                     FROM drafts d JOIN accounts a ON a.id = d.account_id JOIN staff s ON s.id = d.created_by
                     LEFT JOIN staff u ON u.id = d.urgent_by
                     WHERE d.admin_id = ? AND d.id = ?",
                    &[admin_id.into(), id.into()],
                )?
                .ok_or_else(|| DeskError::NotFound {
                    what: "bozza",
                    id: id.to_string(),
                })?;
            let versions = tx
                .query(
                    "SELECT v.version, v.body, v.link, v.media, s.username, v.written_at
                     FROM draft_versions v JOIN staff s ON s.id = v.written_by
                     WHERE v.draft_id = ? ORDER BY v.version",
                    &[id.into()],
                )?
                .iter()
                .map(|v| {
                    let media: Vec<DraftMedia> = serde_json::from_str(&v.text(3)?).map_err(|e| {
                        DeskError::InvalidInput(format!(
                            "immagini della versione {} della bozza {id} illeggibili: {e}",
                            v.int(0).unwrap_or(0)
                        ))
                    })?;
                    Ok(DraftVersion {
                        version: v.int(0)?,
                        content: DraftContent {
                            body: v.text(1)?,
                            link: v.opt_text(2)?,
                            media,
                        },
                        written_by: v.text(4)?,
                        written_at: v.int(5)?,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            let comments = tx
                .query(
                    "SELECT s.username, c.body, c.created_at FROM draft_comments c JOIN staff s ON s.id = c.staff_id
                     WHERE c.draft_id = ? ORDER BY c.id",
                    &[id.into()],
                )?
                .iter()
                .map(|c| {
                    Ok(DraftComment {
                        by: c.text(0)?,
                        body: c.text(1)?,
                        at: c.int(2)?,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            let decisions = tx
                .query(
                    "SELECT a.version, s.username, a.decision, a.note, a.impersonal_reason, a.created_at
                     FROM draft_approvals a JOIN staff s ON s.id = a.staff_id
                     WHERE a.draft_id = ? ORDER BY a.id",
                    &[id.into()],
                )?
                .iter()
                .map(|a| {
                    Ok(DraftApproval {
                        version: a.int(0)?,
                        by: a.text(1)?,
                        decision: a.text(2)?.parse()?,
                        note: a.opt_text(3)?,
                        impersonal_reason: a.opt_text(4)?,
                        at: a.int(5)?,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            let version = r.int(10)?;
            let approvals_given = decisions
                .iter()
                .filter(|a| a.version == version && a.decision == DraftDecision::Approva)
                .count() as u32;
            Ok(Draft {
                id: DraftId(r.int(0)?),
                admin_id,
                account_id: AccountId(r.int(1)?),
                account_name: r.text(2)?,
                platform: r.text(3)?,
                title: r.text(4)?,
                requested_by: r.opt_text(5)?,
                purpose: r.opt_text(6)?,
                campaign: r.opt_text(7)?,
                state: r.text(8)?.parse()?,
                scheduled_at: r.opt_int(9)?,
                version,
                created_by: r.text(11)?,
                created_at: r.int(12)?,
                updated_at: r.int(13)?,
                approvals_needed: needed,
                approvals_given,
                versions,
                comments,
                decisions,
                urgent: match (r.opt_text(17)?, r.opt_text(18)?, r.opt_int(19)?) {
                    (Some(reason), Some(by), Some(at)) => Some(UrgentMark {
                        by,
                        reason,
                        at,
                        impersonal_reason: r.opt_text(20)?,
                    }),
                    _ => None,
                },
                published_ref: r.opt_text(14)?,
                published_at: r.opt_int(15)?,
                post_id: r.opt_int(16)?.map(PostId),
                publication: None,
                relayed_from: r.opt_int(21)?.map(DraftId),
            })
        })?;
        draft.publication = self
            .outbox(
                admin_id,
                &OutboxFilter {
                    draft_id: Some(id),
                    limit: 1,
                    ..OutboxFilter::default()
                },
            )?
            .into_iter()
            .next();
        Ok(draft)
    }

    /// The drafts of an administration, optionally in one state, the
    /// latest changed first.
    pub fn drafts(&self, admin_id: AdminId, state: Option<DraftState>) -> Result<Vec<Draft>> {
        let ids: Vec<i64> = self.read(|tx| {
            let rows = match state {
                Some(state) => tx.query(
                    "SELECT id FROM drafts WHERE admin_id = ? AND state = ?
                     ORDER BY updated_at DESC, id DESC",
                    &[admin_id.into(), state.into()],
                )?,
                None => tx.query(
                    "SELECT id FROM drafts WHERE admin_id = ? ORDER BY updated_at DESC, id DESC",
                    &[admin_id.into()],
                )?,
            };
            rows.iter().map(|r| Ok(r.int(0)?)).collect()
        })?;
        ids.into_iter()
            .map(|i| self.draft(admin_id, DraftId(i)))
            .collect()
    }

    /// The editorial calendar: the drafts due, queued or published from
    /// `from` to `to` (epoch ms, `to` excluded) by the time they go out
    /// (published: when they went; queued: when they are due; otherwise
    /// their scheduled time), the latest decisions included, plus those
    /// still without a time; filtered by account, by the office that asked
    /// and by campaign.
    pub fn editorial_calendar(
        &self,
        admin_id: AdminId,
        filter: &CalendarFilter,
    ) -> Result<Calendar> {
        let all = self.drafts(admin_id, None)?;
        let mut offices: Vec<String> = all.iter().filter_map(|d| d.requested_by.clone()).collect();
        let mut campaigns: Vec<String> = all.iter().filter_map(|d| d.campaign.clone()).collect();
        offices.sort();
        offices.dedup();
        campaigns.sort();
        campaigns.dedup();
        let wanted = |d: &Draft| {
            filter.account.is_none_or(|a| a == d.account_id)
                && filter
                    .office
                    .as_ref()
                    .is_none_or(|o| d.requested_by.as_ref() == Some(o))
                && filter
                    .campaign
                    .as_ref()
                    .is_none_or(|c| d.campaign.as_ref() == Some(c))
        };
        let mut entries = Vec::new();
        let mut unscheduled = Vec::new();
        for d in all.into_iter().filter(|d| wanted(d)) {
            let at = match d.state {
                DraftState::Pubblicata => d.published_at,
                DraftState::Programmata => d
                    .publication
                    .as_ref()
                    .map(|p| p.next_attempt_at)
                    .or(d.scheduled_at),
                _ => d.scheduled_at,
            };
            match at {
                Some(t) if t >= filter.from && t < filter.to => entries.push(CalendarEntry {
                    at: Some(t),
                    draft: d,
                }),
                Some(_) => {}
                None if !matches!(d.state, DraftState::Respinta) => {
                    unscheduled.push(CalendarEntry { at: None, draft: d })
                }
                None => {}
            }
        }
        entries.sort_by_key(|e| (e.at, e.draft.id));
        Ok(Calendar {
            entries,
            unscheduled,
            offices,
            campaigns,
        })
    }

    /// The editorial checks of a draft's current version: the text's (see
    /// [`crate::editorial::check_text`], the election period's when one is
    /// on) and each image's text alternative.
    pub fn draft_checks(&self, admin_id: AdminId, id: DraftId) -> Result<piazza_editorial::Report> {
        let d = self.draft(admin_id, id)?;
        let ctx = self.context(admin_id)?;
        let figures = match self.election_period_now(admin_id)? {
            Some(_) => Some(self.public_figures(admin_id)?),
            None => None,
        };
        let current = d.current();
        let mut report = crate::editorial::check_text(
            &ctx.analyzer,
            &current.content.body,
            d.platform.parse().ok(),
            figures.as_deref(),
        );
        let rules = self.photo_rules(admin_id)?;
        report.add_image_count(current.content.media.len(), d.platform.parse().ok());
        for m in &current.content.media {
            report.add_media(&m.file, &m.alt_text);
            for r in &rules {
                if !m.confirmed.iter().any(|c| c == r.id) {
                    report.add_photo_check(&m.file, r.label);
                }
            }
        }
        Ok(report)
    }

    /// The rules the editor confirms for each image of a draft today.
    pub fn photo_rules(&self, admin_id: AdminId) -> Result<Vec<PhotoRule>> {
        let ctx = self.context(admin_id)?;
        let mut rules: Vec<PhotoRule> = vec![TEXT_IN_IMAGE];
        rules.extend(
            ctx.policy
                .internal
                .editorial
                .as_ref()
                .map(|e| {
                    e.photo_checklist
                        .iter()
                        .map(|c| PhotoRule {
                            id: c.as_str(),
                            label: c.label_it(),
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default(),
        );
        if self.election_period_now(admin_id)?.is_some() {
            rules.push(NO_POLITICIANS);
        }
        Ok(rules)
    }
}

/// Records that the platform published a draft: the draft with its post
/// id, and the post among the account's posts (the comments that arrive
/// under it are filed there), in the transaction of the outbox's answer.
pub(crate) fn record_published(
    tx: &mut Tx<'_>,
    admin_id: AdminId,
    id: DraftId,
    platform_ref: Option<&str>,
    text: Option<&str>,
    now: i64,
) -> Result<()> {
    let r = tx.query_one(
        "SELECT d.account_id, a.platform FROM drafts d JOIN accounts a ON a.id = d.account_id WHERE d.id = ? AND d.admin_id = ?",
        &[id.into(), admin_id.into()],
    )?;
    let (account, platform) = (AccountId(r.int(0)?), r.text(1)?);
    let post = match platform_ref {
        Some(external) => {
            tx.execute(
                "INSERT INTO posts (admin_id, account_id, platform, external_id, text, published_at, ingested_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (admin_id, platform, external_id) DO NOTHING",
                &[
                    admin_id.into(),
                    account.into(),
                    platform.clone().into(),
                    external.into(),
                    text.map(str::to_string).into(),
                    now.into(),
                    now.into(),
                ],
            )?;
            Some(PostId(
                tx.query_one(
                    "SELECT id FROM posts WHERE admin_id = ? AND platform = ? AND external_id = ?",
                    &[admin_id.into(), platform.into(), external.into()],
                )?
                .int(0)?,
            ))
        }
        None => None,
    };
    tx.execute(
        "UPDATE drafts SET state = ?, published_ref = ?, published_at = ?, post_id = ?, updated_at = ? WHERE id = ?",
        &[
            DraftState::Pubblicata.into(),
            platform_ref.map(str::to_string).into(),
            now.into(),
            post.into(),
            now.into(),
            id.into(),
        ],
    )?;
    record(
        tx,
        admin_id,
        now,
        &entry(
            "system",
            AuditKind::DraftPublished,
            AuditTarget::Draft,
            id.0,
        )
        .payload(serde_json::json!({ "platform_ref": platform_ref, "post": post })),
    )?;
    Ok(())
}
