//! The platforms Piazza talks to. Each connector turns a platform's API
//! into posts and comments with (platform, external id), and carries the
//! desk's decisions back (hide, delete, reply) through an outbox.
//!
//! This first version holds only the **sandbox platform**: a deterministic,
//! realistic stream of Italian comments under a comune's posts, so that the
//! demo desk shows work arriving seconds after it starts. The real
//! connectors (Facebook, Instagram, YouTube, X, Telegram, Mastodon) are not
//! written yet.
//!
//! ```
//! let mut sandbox = piazza_platforms::sandbox::Sandbox::new(7);
//! let c = sandbox.next_comment();
//! assert!(c.external_id.starts_with("sandbox-"));
//! assert!(!c.text.is_empty());
//! ```

pub mod sandbox;
