//! Local fakes of the platforms' APIs, written from the platforms' official
//! documentation, for tests and benchmarks only: the connectors are tested
//! over real HTTP against them, and nothing here ever calls a real
//! platform. Each fake is a real HTTP server bound to `127.0.0.1:0` on a
//! thread of its own, with test controls to seed its state, read it back,
//! inject the documented errors and log the calls it received.
//!
//! - [`meta`]: the Graph API of Facebook Pages and Instagram professional
//!   accounts, and signed webhook deliveries;
//! - [`flickr`]: Flickr's REST API with OAuth 1.0a signatures (an
//!   account's photos, their comments, adding and deleting them);
//! - [`linkedin`]: LinkedIn's versioned REST API for an organisation page
//!   (posts, their comments, comments and posts by the organisation);
//! - [`mastodon`]: an instance's REST API for an organisation's account
//!   (notifications, threads, replies with an idempotency key, reports);
//! - [`telegram`]: the Bot API for a channel's discussion group (updates
//!   by webhook or `getUpdates`, delete, ban, replies, channel posts);
//! - [`x`]: the X API v2 for an organisation's conversations (search,
//!   hidden replies, posts) with rotating refresh tokens and rate limits;
//! - [`youtube`]: the YouTube Data API's comment methods with the daily
//!   quota, and Google's OAuth token endpoint.

pub mod flickr;
pub mod linkedin;
pub mod mastodon;
pub mod meta;
mod server;
pub mod smtp;
pub mod telegram;
pub mod x;
pub mod youtube;
