//! What platforms deliver: posts, comments, and the changes an author or
//! the platform makes to them afterwards. Every connector, the file import
//! and the sandbox produce these, and the desk's one ingest pipeline
//! consumes them.

use piazza_taxonomy::Platform;
use serde::{Deserialize, Serialize};

/// A post of the administration's account, as the platform describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncomingPost {
    pub external_id: String,
    pub text: Option<String>,
    pub url: Option<String>,
    /// When it was published (ms since the epoch).
    pub published_at: Option<i64>,
}

/// A comment written under one of the account's posts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncomingComment {
    /// The comment's id on the platform (unique per platform).
    pub external_id: String,
    /// The post the comment is under, when known.
    pub post_external_id: Option<String>,
    /// The post's text, when the source carries it: the context that
    /// off-topic detection and the statement of reasons need.
    pub post_text: Option<String>,
    /// The comment this one answers, for replies.
    #[serde(default)]
    pub parent_external_id: Option<String>,
    /// The author's id on the platform (pseudonymous).
    pub author_ref: Option<String>,
    pub author_name: Option<String>,
    pub text: String,
    /// When the citizen wrote it (ms since the epoch).
    pub created_at: i64,
}

/// A message a citizen wrote to the account in private.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncomingMessage {
    /// The conversation on the platform (a Telegram private chat's id).
    pub conversation_ref: String,
    /// The message's id, unique within its conversation.
    pub external_id: String,
    pub author_ref: Option<String>,
    pub author_name: Option<String>,
    pub text: String,
    /// ms since the epoch.
    pub created_at: i64,
}

/// One thing that happened on a platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum IncomingEvent {
    /// A new comment, or a new text of a known one (an edit).
    Comment(IncomingComment),
    /// The comment was deleted on the platform (by its author, or by the
    /// page outside Piazza).
    Deleted { external_id: String, at: i64 },
    /// The comment was hidden or shown again on the platform.
    Visibility {
        external_id: String,
        hidden: bool,
        at: i64,
    },
    /// A private message to the account: it goes to the conversations,
    /// never to the comment queue.
    Message(IncomingMessage),
}

impl IncomingEvent {
    /// The comment the event is about.
    pub fn external_id(&self) -> &str {
        match self {
            IncomingEvent::Comment(c) => &c.external_id,
            IncomingEvent::Message(m) => &m.external_id,
            IncomingEvent::Deleted { external_id, .. }
            | IncomingEvent::Visibility { external_id, .. } => external_id,
        }
    }
}

/// An event together with the platform account it belongs to (a Facebook
/// Page id, an Instagram professional account id...), which is how the desk
/// finds the administration's account a webhook is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutedEvent {
    pub platform: Platform,
    pub platform_account: String,
    pub event: IncomingEvent,
}
