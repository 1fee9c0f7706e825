//! Private conversations: what citizens write to an account in private
//! (Telegram chats with the administration's bot, messages to a Facebook
//! Page or an Instagram account through the Messenger Platform's
//! webhook), and the staff's answers through the outbox.
//!
//! Stricter than comments: a conversation is seen only by the staff
//! assigned to its account (not by every dirigente); its texts never go in
//! the audit log, in public statistics or in exports, and retention purges
//! them like comments. Personal data is expected in a private message and
//! is not flagged: a conversation keeps only its intent (question,
//! complaint, crime report, request for a service), to sort the list and
//! to suggest the right answer. The promised answer time runs on the
//! account's instant-messaging hours (or its moderation hours).
//!
//! The platform's rules for answering are enforced and explained: a
//! Telegram bot answers whoever wrote to it, at any time, but cannot write
//! first; Meta allows an answer within its standard messaging window, 24
//! hours from the citizen's last message, and the desk does not offer one
//! after it.

use piazza_analysis::CommentInput;
use piazza_platforms::{IncomingMessage, Operation, Platform};
use piazza_store::Tx;
use piazza_taxonomy::Intent;
use serde::Serialize;

use crate::audit_log::{AuditKind, AuditTarget, entry, record};
use crate::context::AdminContext;
use crate::ids::{AccountId, AdminId, ConversationId, OutboxId};
use crate::outbox::OutboxState;
use crate::registry::{Account, Actor, require_assigned};
use crate::{Desk, DeskError, Result};

/// Where a conversation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConversationState {
    /// The citizen's last message waits for an answer.
    Open,
    /// The staff answered the last message.
    Answered,
    /// Closed by the staff; a new message opens it again.
    Closed,
}

impl ConversationState {
    pub const fn as_str(self) -> &'static str {
        match self {
            ConversationState::Open => "open",
            ConversationState::Answered => "answered",
            ConversationState::Closed => "closed",
        }
    }

    pub const fn label_it(self) -> &'static str {
        match self {
            ConversationState::Open => "da rispondere",
            ConversationState::Answered => "risposto",
            ConversationState::Closed => "chiusa",
        }
    }

    fn parse(s: &str) -> ConversationState {
        match s {
            "answered" => ConversationState::Answered,
            "closed" => ConversationState::Closed,
            _ => ConversationState::Open,
        }
    }
}

/// A conversation in the list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conversation {
    pub id: ConversationId,
    pub account_id: AccountId,
    pub account: String,
    pub platform: String,
    pub citizen_name: Option<String>,
    pub state: ConversationState,
    pub intent: Option<Intent>,
    pub last_incoming_at: Option<i64>,
    pub last_message_at: i64,
    /// When the answer is due (the account's messaging hours).
    pub deadline_at: Option<i64>,
}

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// The citizen.
    In,
    /// The staff.
    Out,
}

/// One message of a conversation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConversationMessage {
    pub direction: Direction,
    /// `None` once retention purged it.
    pub text: Option<String>,
    pub at: i64,
    /// The staff member who wrote an answer.
    pub staff: Option<String>,
    /// An answer's step towards the platform.
    pub outbox_id: Option<OutboxId>,
    pub outbox_state: Option<OutboxState>,
    pub outbox_error: Option<String>,
}

/// Whether the platform lets the staff answer now, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MessagingWindow {
    pub open: bool,
    pub explanation: String,
}

/// A conversation with its messages.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConversationDetail {
    pub conversation: Conversation,
    pub messages: Vec<ConversationMessage>,
    pub window: MessagingWindow,
}

/// Meta's standard messaging window.
const META_WINDOW_MS: i64 = 24 * 3_600_000;

/// The platform's rule for answering a conversation whose citizen last
/// wrote at `last_incoming` (ms), at `now`.
pub fn messaging_window(platform: &str, last_incoming: Option<i64>, now: i64) -> MessagingWindow {
    match platform.parse::<Platform>() {
        Ok(Platform::Telegram) => MessagingWindow {
            open: true,
            explanation: "su Telegram il bot può rispondere a chi gli ha scritto, in qualsiasi momento; non può scrivere per primo a nessuno".into(),
        },
        Ok(Platform::Facebook | Platform::Instagram) => {
            let open = last_incoming.is_some_and(|t| now - t < META_WINDOW_MS);
            MessagingWindow {
                open,
                explanation: if open {
                    "Meta consente di rispondere entro 24 ore dall'ultimo messaggio del cittadino".into()
                } else {
                    "sono passate più di 24 ore dall'ultimo messaggio del cittadino: Meta non consente più di rispondere da qui, si può solo attendere che scriva di nuovo".into()
                },
            }
        }
        _ => MessagingWindow {
            open: false,
            explanation: "Piazza non gestisce conversazioni private su questa piattaforma".into(),
        },
    }
}

const COLUMNS: &str = "c.id, c.account_id, a.name, a.platform, c.citizen_name, c.state, c.intent, c.last_incoming_at, c.last_message_at, c.deadline_at";

fn conversation_from(r: &piazza_store::Row) -> Result<Conversation> {
    Ok(Conversation {
        id: ConversationId(r.int(0)?),
        account_id: AccountId(r.int(1)?),
        account: r.text(2)?,
        platform: r.text(3)?,
        citizen_name: r.opt_text(4)?,
        state: ConversationState::parse(&r.text(5)?),
        intent: r.opt_text(6)?.and_then(|i| i.parse().ok()),
        last_incoming_at: r.opt_int(7)?,
        last_message_at: r.int(8)?,
        deadline_at: r.opt_int(9)?,
    })
}

/// The intent a private message expresses, if any: the analyser's intents
/// only; its findings (personal data above all) are not kept.
fn intent_of(ctx: &AdminContext, account: &Account, text: &str) -> Option<Intent> {
    let analysis = ctx
        .analyzer
        .analyze(&CommentInput::new(text).platform(&account.platform));
    analysis
        .intents
        .iter()
        .filter(|i| i.intent != Intent::Criticism)
        .max_by(|a, b| a.score.total_cmp(&b.score))
        .map(|i| i.intent)
}

/// Step 5 of the ingest pipeline for a private message: the conversation
/// opened (or opened again), the message stored once, the promised time set.
/// Returns whether the message is new.
pub(crate) fn ingest_message(
    tx: &mut Tx<'_>,
    ctx: &AdminContext,
    account: &Account,
    m: &IncomingMessage,
    now: i64,
) -> Result<bool> {
    let at = if m.created_at > 0 { m.created_at } else { now };
    let existing = tx.query_opt(
        "SELECT id, state, deadline_at FROM conversations WHERE account_id = ? AND platform_ref = ?",
        &[account.id.into(), (&m.conversation_ref).into()],
    )?;
    let hours = if account.im_hours.is_empty() {
        &account.hours
    } else {
        &account.im_hours
    };
    let deadline = ctx.deadline(hours, at).map(|d| d.deadline.as_millisecond());
    let intent = intent_of(ctx, account, &m.text);
    let id = match existing {
        Some(r) => {
            let id = r.int(0)?;
            let already = tx
                .query_opt(
                    "SELECT 1 FROM conversation_messages WHERE conversation_id = ? AND external_id = ?",
                    &[id.into(), (&m.external_id).into()],
                )?
                .is_some();
            if already {
                return Ok(false);
            }
            // The promised time counts from the oldest unanswered message.
            let waiting = ConversationState::parse(&r.text(1)?) == ConversationState::Open;
            let deadline = if waiting { r.opt_int(2)?.or(deadline) } else { deadline };
            tx.execute(
                "UPDATE conversations SET state = 'open', last_incoming_at = ?, last_message_at = ?, deadline_at = ?,
                        intent = COALESCE(?, intent), citizen_name = COALESCE(?, citizen_name) WHERE id = ?",
                &[
                    at.into(),
                    at.into(),
                    deadline.into(),
                    intent.map(|i| i.as_str()).into(),
                    m.author_name.clone().into(),
                    id.into(),
                ],
            )?;
            id
        }
        None => tx.insert(
            "INSERT INTO conversations (admin_id, account_id, platform_ref, citizen_ref, citizen_name, state, intent, last_incoming_at, last_message_at, deadline_at, created_at)
             VALUES (?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?) RETURNING id",
            &[
                ctx.admin_id.into(),
                account.id.into(),
                (&m.conversation_ref).into(),
                m.author_ref.clone().into(),
                m.author_name.clone().into(),
                intent.map(|i| i.as_str()).into(),
                at.into(),
                at.into(),
                deadline.into(),
                now.into(),
            ],
        )?,
    };
    tx.execute(
        "INSERT INTO conversation_messages (conversation_id, admin_id, direction, external_id, text, created_at) VALUES (?, ?, 'in', ?, ?, ?)",
        &[id.into(), ctx.admin_id.into(), (&m.external_id).into(), (&m.text).into(), at.into()],
    )?;
    Ok(true)
}

impl Desk {
    /// The conversations of the accounts assigned to `actor`, those waiting
    /// for an answer first (by promised time), then the others by their
    /// last message.
    pub fn conversations(
        &self,
        actor: &Actor,
        state: Option<ConversationState>,
    ) -> Result<Vec<Conversation>> {
        let now = self.now();
        let rows = self.read(|tx| {
            Ok(tx.query(
                &format!(
                    "SELECT {COLUMNS} FROM conversations c JOIN accounts a ON a.id = c.account_id
                     JOIN assignments s ON s.account_id = c.account_id AND s.staff_id = ? AND s.admin_id = c.admin_id
                          AND s.starts_at <= ? AND (s.ends_at IS NULL OR s.ends_at > ?)
                     WHERE c.admin_id = ? AND (? = '' OR c.state = ?)
                     ORDER BY CASE WHEN c.state = 'open' THEN 0 ELSE 1 END, COALESCE(c.deadline_at, c.last_message_at), c.last_message_at DESC
                     LIMIT 500"
                ),
                &[
                    actor.staff_id.into(),
                    now.into(),
                    now.into(),
                    actor.admin_id.into(),
                    state.map_or("", |s| s.as_str()).into(),
                    state.map_or("", |s| s.as_str()).into(),
                ],
            )?)
        })?;
        let mut out: Vec<Conversation> =
            rows.iter().map(conversation_from).collect::<Result<_>>()?;
        out.dedup_by_key(|c| c.id);
        Ok(out)
    }

    /// Only the staff assigned to the account see a conversation, whatever
    /// their role: a private message is not the desk's common property.
    fn require_conversation(&self, actor: &Actor, id: ConversationId) -> Result<Conversation> {
        let now = self.now();
        self.read(|tx| {
            let row = tx
                .query_opt(
                    &format!(
                        "SELECT {COLUMNS} FROM conversations c JOIN accounts a ON a.id = c.account_id WHERE c.admin_id = ? AND c.id = ?"
                    ),
                    &[actor.admin_id.into(), id.into()],
                )?
                .ok_or(DeskError::NotFound {
                    what: "conversazione",
                    id: id.to_string(),
                })?;
            let c = conversation_from(&row)?;
            let assigned = tx
                .query_one(
                    "SELECT COUNT(*) FROM assignments WHERE admin_id = ? AND staff_id = ? AND account_id = ? AND starts_at <= ? AND (ends_at IS NULL OR ends_at > ?)",
                    &[actor.admin_id.into(), actor.staff_id.into(), c.account_id.into(), now.into(), now.into()],
                )?
                .int(0)?;
            if assigned == 0 {
                return Err(DeskError::OutOfScope {
                    staff: actor.username.clone(),
                    account: c.account_id,
                });
            }
            Ok(c)
        })
    }

    /// A conversation with its messages and whether it can be answered now.
    pub fn conversation(&self, actor: &Actor, id: ConversationId) -> Result<ConversationDetail> {
        let conversation = self.require_conversation(actor, id)?;
        let rows = self.read(|tx| {
            Ok(tx.query(
                "SELECT m.direction, m.text, m.created_at, s.username, o.id, o.state, o.last_error
                 FROM conversation_messages m
                 LEFT JOIN staff s ON s.id = m.staff_id
                 LEFT JOIN outbox o ON o.conversation_message_id = m.id
                 WHERE m.conversation_id = ? ORDER BY m.created_at, m.id",
                &[id.into()],
            )?)
        })?;
        let messages = rows
            .iter()
            .map(|r| {
                Ok(ConversationMessage {
                    direction: if r.text(0)? == "out" {
                        Direction::Out
                    } else {
                        Direction::In
                    },
                    text: r.opt_text(1)?,
                    at: r.int(2)?,
                    staff: r.opt_text(3)?,
                    outbox_id: r.opt_int(4)?.map(OutboxId),
                    outbox_state: r.opt_text(5)?.and_then(|s| s.parse().ok()),
                    outbox_error: r.opt_text(6)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let window = messaging_window(
            &conversation.platform,
            conversation.last_incoming_at,
            self.now(),
        );
        Ok(ConversationDetail {
            conversation,
            messages,
            window,
        })
    }

    /// Answers a conversation: the message is stored and goes to the
    /// platform through the outbox. The text is not in the audit entry.
    pub fn reply_conversation(
        &self,
        actor: &Actor,
        id: ConversationId,
        text: &str,
    ) -> Result<OutboxId> {
        let c = self.require_conversation(actor, id)?;
        let text = text.trim();
        if text.is_empty() {
            return Err(DeskError::InvalidInput(
                "scrivi il testo del messaggio".into(),
            ));
        }
        if text.chars().count() > 4000 {
            return Err(DeskError::InvalidInput(
                "il messaggio supera i 4.000 caratteri: dividilo in più messaggi".into(),
            ));
        }
        let now = self.now();
        let window = messaging_window(&c.platform, c.last_incoming_at, now);
        if !window.open {
            return Err(DeskError::InvalidInput(window.explanation));
        }
        let outbox = self.write(|tx| {
            require_assigned(tx, actor, c.account_id, now)?;
            let platform_ref = tx
                .query_one("SELECT platform_ref FROM conversations WHERE id = ?", &[id.into()])?
                .text(0)?;
            let message = tx.insert(
                "INSERT INTO conversation_messages (conversation_id, admin_id, direction, text, created_at, staff_id) VALUES (?, ?, 'out', ?, ?, ?) RETURNING id",
                &[id.into(), actor.admin_id.into(), text.into(), now.into(), actor.staff_id.into()],
            )?;
            let connected = tx
                .query_opt(
                    "SELECT 1 FROM platform_connections WHERE admin_id = ? AND account_id = ? AND status = 'active'",
                    &[actor.admin_id.into(), c.account_id.into()],
                )?
                .is_some();
            let state = if connected { OutboxState::Pending } else { OutboxState::Manual };
            let outbox = tx.insert(
                "INSERT INTO outbox (admin_id, account_id, conversation_id, conversation_message_id, operation, target_ref, body, state, next_attempt_at, created_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                &[
                    actor.admin_id.into(),
                    c.account_id.into(),
                    id.into(),
                    message.into(),
                    Operation::Message.as_str().into(),
                    platform_ref.into(),
                    text.into(),
                    state.as_str().into(),
                    now.into(),
                    now.into(),
                ],
            )?;
            tx.execute(
                "UPDATE conversations SET state = 'answered', deadline_at = NULL, last_message_at = ? WHERE id = ?",
                &[now.into(), id.into()],
            )?;
            record(
                tx,
                actor.admin_id,
                now,
                &entry(actor.audit_name(), AuditKind::ConversationReply, AuditTarget::Conversation, id)
                    .payload(serde_json::json!({"account": c.account_id, "outbox": outbox})),
            )?;
            Ok(OutboxId(outbox))
        })?;
        Ok(outbox)
    }

    /// Closes a conversation; a new message from the citizen opens it again.
    pub fn close_conversation(&self, actor: &Actor, id: ConversationId) -> Result<()> {
        let c = self.require_conversation(actor, id)?;
        let now = self.now();
        self.write(|tx| {
            tx.execute(
                "UPDATE conversations SET state = 'closed', deadline_at = NULL WHERE id = ?",
                &[id.into()],
            )?;
            record(
                tx,
                actor.admin_id,
                now,
                &entry(
                    actor.audit_name(),
                    AuditKind::ConversationClose,
                    AuditTarget::Conversation,
                    id,
                )
                .payload(serde_json::json!({"account": c.account_id})),
            )?;
            Ok(())
        })
    }

    /// How many conversations wait for an answer on the accounts assigned
    /// to `actor` (the desk's menu shows it).
    pub fn conversations_waiting(&self, actor: &Actor) -> Result<usize> {
        Ok(self
            .conversations(actor, Some(ConversationState::Open))?
            .len())
    }
}

/// Retention for conversations: texts older than the cutoff go, the
/// conversation's existence and state stay. Returns the messages purged.
pub(crate) fn purge(tx: &mut Tx<'_>, admin_id: AdminId, cutoff: i64, now: i64) -> Result<u64> {
    let n = tx.execute(
        "UPDATE conversation_messages SET text = NULL, purged_at = ? WHERE admin_id = ? AND created_at < ? AND text IS NOT NULL",
        &[now.into(), admin_id.into(), cutoff.into()],
    )?;
    tx.execute(
        "UPDATE outbox SET body = NULL WHERE admin_id = ? AND conversation_id IS NOT NULL AND created_at < ? AND state NOT IN ('pending', 'in_flight')",
        &[admin_id.into(), cutoff.into()],
    )?;
    tx.execute(
        "UPDATE conversations SET citizen_name = NULL WHERE admin_id = ? AND last_message_at < ? AND citizen_name IS NOT NULL",
        &[admin_id.into(), cutoff.into()],
    )?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_platform_says_when_it_may_be_answered() {
        let now = 1_800_000_000_000;
        assert!(messaging_window("telegram", Some(now - 30 * 86_400_000), now).open);
        let fb = messaging_window("facebook", Some(now - 23 * 3_600_000), now);
        assert!(fb.open);
        let late = messaging_window("facebook", Some(now - 25 * 3_600_000), now);
        assert!(!late.open);
        assert!(late.explanation.contains("24 ore"));
        assert!(!messaging_window("youtube", Some(now), now).open);
    }
}
