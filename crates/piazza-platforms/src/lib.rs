//! Where comments come from and where decisions go: the platform
//! connectors behind one interface.
//!
//! - [`incoming`]: what every source delivers (posts, comments, edits and
//!   deletions), the input of the desk's one ingest pipeline;
//! - [`capability`]: what each platform's official API allows a page to do
//!   (hide, delete, reply, ban, report...) and, where it does not, why, in
//!   Italian for the moderator;
//! - [`connector`]: the [`Connector`] trait that each platform module
//!   implements: carry out one outbox delivery, read a page of comments,
//!   check the token. Failures say whether a retry can help;
//! - [`meta`]: Facebook Pages and Instagram professional accounts through
//!   Meta's Graph API: the webhooks (subscription check, signature, parsing)
//!   and [`meta::MetaConnector`]; tested over HTTP against the fake in the
//!   `piazza-fakes` crate;
//! - [`flickr`]: an account's photos on Flickr (comments read, answered,
//!   deleted) with OAuth 1.0a signed calls, tested over HTTP against the
//!   fake in `piazza-fakes`;
//! - [`linkedin`]: an organisation page's posts and comments through
//!   LinkedIn's versioned REST API (read, answer, publish), tested over
//!   HTTP against the fake in `piazza-fakes`;
//! - [`mastodon`]: an organisation's account on a Mastodon instance
//!   (mention notifications, replies, reports, posts), tested over HTTP
//!   against the fake in `piazza-fakes`;
//! - [`telegram`]: a channel's discussion group through the Bot API (updates
//!   by webhook with a secret token or by `getUpdates`, delete within 48
//!   hours, ban, replies, channel posts), tested over HTTP against the fake
//!   in `piazza-fakes`;
//! - [`x`]: an account's conversations on X through the API v2 (replies
//!   read by recent search, hidden and shown again, answered; posts), with
//!   rotating refresh tokens, 15-minute windows and the monthly read
//!   budget, tested over HTTP against the fake in `piazza-fakes`;
//! - [`youtube`]: a channel's comments through the YouTube Data API v3
//!   (pulled; held for review, rejected, banned, answered), with the
//!   project's daily quota budgeted, tested over HTTP against the fake in
//!   `piazza-fakes`;
//! - [`sandbox`]: the demo's platform, a deterministic stream of Italian
//!   comments and an in-memory page that carries out decisions.
//!
//! ```
//! use piazza_platforms::capability::{Capabilities, Operation, Support};
//! use piazza_taxonomy::Platform;
//!
//! let ig = Capabilities::of(Platform::Instagram);
//! assert!(ig.support(Operation::Hide).is_yes());
//! assert!(matches!(ig.support(Operation::Ban), Support::No(_)));
//! ```

pub mod allowance;
pub mod capability;
mod common;
pub mod connector;
pub mod flickr;
pub mod incoming;
pub mod linkedin;
pub mod links;
pub mod mastodon;
pub mod meta;
pub mod sandbox;
pub mod secret;
pub mod telegram;
pub mod x;
pub mod youtube;

pub use capability::{Capabilities, Operation, Support};
pub use connector::{
    ConnectionCheck, Connector, Delivered, Delivery, Failure, FetchPage, FetchRequest, MediaItem,
    MissingPermission, PermanentCode, QuotaKind, QuotaStatus,
};
pub use incoming::{IncomingComment, IncomingEvent, IncomingMessage, IncomingPost, RoutedEvent};
pub use piazza_taxonomy::Platform;
pub use secret::SecretString;
