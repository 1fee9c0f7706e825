//! Typed ids: an account id cannot be passed where a comment id is
//! expected. Each is the database's integer id, shown and serialised as
//! the bare number (JSON, URLs and messages are unchanged), parsed from
//! the command line and URL paths, and bound as an SQL parameter with
//! `id.into()`.
//!
//! ```
//! use piazza_desk::CommentId;
//! let id: CommentId = "42".parse().unwrap();
//! assert_eq!(id, CommentId(42));
//! assert_eq!(id.to_string(), "42");
//! assert_eq!(serde_json::to_string(&id).unwrap(), "42");
//! assert!("x".parse::<CommentId>().unwrap_err().to_string().contains("comment"));
//! ```

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A string that is not an id of the expected kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseIdError {
    /// What kind of id was expected ("comment", "account", ...).
    pub kind: &'static str,
    /// The value that was given.
    pub value: String,
}

impl fmt::Display for ParseIdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a valid {} id: expected a whole number",
            self.value, self.kind
        )
    }
}

impl std::error::Error for ParseIdError {}

/// Declares integer id newtypes.
macro_rules! ids {
    ( $( $(#[$meta:meta])* $name:ident = $kind:literal; )+ ) => { $(
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl $name {
            /// What this id names, for messages.
            pub const KIND: &'static str = $kind;
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                // Honours width and alignment, like the number itself.
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl FromStr for $name {
            type Err = ParseIdError;
            fn from_str(s: &str) -> Result<Self, ParseIdError> {
                s.parse::<i64>().map($name).map_err(|_| ParseIdError {
                    kind: $kind,
                    value: s.to_string(),
                })
            }
        }

        impl From<$name> for piazza_store::Value {
            fn from(id: $name) -> Self {
                piazza_store::Value::Int(id.0)
            }
        }
    )+ };
}

ids! {
    /// An administration (ente).
    AdminId = "administration";
    /// An official account of an administration on a platform.
    AccountId = "account";
    /// A person on an administration's staff.
    StaffId = "staff";
    /// A post on an account, under which comments arrive.
    PostId = "post";
    /// A comment received on an account.
    CommentId = "comment";
    /// A moderation action (a decision, or the parent of a bulk decision).
    ActionId = "action";
    /// One step of the outbox, to be carried out on a platform.
    OutboxId = "outbox step";
    /// A citizen's request to review a decision (riesame).
    AppealId = "appeal";
    /// A citizen's report of a comment.
    UserReportId = "user report";
    /// A private conversation a citizen opened with an account.
    ConversationId = "conversation";
    /// An office of the administration, to which comments are forwarded.
    OfficeId = "office";
    /// A ticket: a comment forwarded to an office, and its workflow.
    TicketId = "ticket";
    /// An e-mail in the mail outbox.
    MailId = "mail";
    /// A draft of a publication of the administration.
    DraftId = "draft";
    /// A request to publish from an association or a group of citizens.
    PublicationRequestId = "publication request";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_read_and_print_as_their_number() {
        let id: AccountId = "7".parse().unwrap();
        assert_eq!(id, AccountId(7));
        assert_eq!(format!("{id}|{id:>4}|{id:<3}|"), "7|   7|7  |");
        assert_eq!(serde_json::to_value(id).unwrap(), serde_json::json!(7));
        assert_eq!(
            serde_json::from_value::<AccountId>(serde_json::json!(7)).unwrap(),
            id
        );
        assert_eq!(piazza_store::Value::from(id), piazza_store::Value::Int(7));
        assert_eq!(
            piazza_store::Value::from(Some(CommentId(3))),
            piazza_store::Value::Int(3)
        );
        assert_eq!(
            piazza_store::Value::from(None::<CommentId>),
            piazza_store::Value::Null
        );
    }

    #[test]
    fn a_bad_id_names_its_kind() {
        let e = "abc".parse::<OutboxId>().unwrap_err();
        assert_eq!(e.kind, "outbox step");
        assert_eq!(
            e.to_string(),
            "`abc` is not a valid outbox step id: expected a whole number"
        );
    }
}
