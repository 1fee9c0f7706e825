//! The one interface every platform connector implements: read comments
//! (pull), carry out the desk's decisions (through the desk's outbox), and
//! check that the connection still works.
//!
//! A connector holds one connection: one account of the administration on
//! one platform, with its token. It does blocking HTTP; the desk calls it
//! from worker threads, never from the web server's async runtime.

use std::time::Duration;

use piazza_taxonomy::Platform;
use serde::{Deserialize, Serialize};

use crate::capability::{Capabilities, Operation};
use crate::incoming::{IncomingEvent, IncomingPost};
use crate::secret::SecretString;

/// One operation for the platform, as the outbox holds it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Delivery {
    pub operation: Option<Operation>,
    /// The outbox row's key: stable across retries of the same operation.
    pub key: String,
    /// The comment on the platform (hide, unhide, delete, reply, private
    /// reply, report).
    pub comment_external_id: Option<String>,
    /// The post the comment is under.
    pub post_external_id: Option<String>,
    /// The comment the comment answers, when it is a reply: some
    /// platforms (Facebook) file a reply to a reply under the thread's
    /// first comment, where a reconciliation must look too.
    pub parent_external_id: Option<String>,
    /// The author on the platform (ban, unban).
    pub author_ref: Option<String>,
    /// The text of a reply or of a private reply.
    pub text: Option<String>,
    /// When a temporary ban ends (ms since the epoch).
    pub until: Option<i64>,
    /// A previous attempt may have reached the platform without its answer
    /// being recorded (the process stopped in between): the connector must
    /// look for that attempt's result before acting again, so that nothing
    /// is posted twice.
    pub uncertain: bool,
    /// Platform ids already recorded for other deliveries of this account:
    /// a reconciliation never claims one of them as its own.
    pub known_refs: Vec<String>,
    /// The link a published post carries.
    pub link: Option<String>,
    /// The images a published post carries, in order.
    pub media: Vec<MediaItem>,
}

/// An image of a post to publish: where the platform fetches it from and
/// its text alternative.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MediaItem {
    /// A public `https://` address (Meta fetches images by URL).
    pub url: String,
    pub alt_text: String,
}

impl Delivery {
    pub fn new(operation: Operation, key: impl Into<String>) -> Delivery {
        Delivery {
            operation: Some(operation),
            key: key.into(),
            ..Delivery::default()
        }
    }

    /// The operation; a delivery without one is a programming error that
    /// the connector reports as a permanent failure.
    pub fn op(&self) -> Result<Operation, Failure> {
        self.operation.ok_or_else(|| Failure::Permanent {
            code: PermanentCode::Rejected,
            message: "delivery without an operation".into(),
        })
    }
}

/// A delivery the platform carried out.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Delivered {
    /// The platform's id of what was created (a reply's id).
    pub platform_ref: Option<String>,
    /// Nothing needed doing: the platform was already in the asked state
    /// (a comment already deleted, a reply found by reconciliation).
    pub already: bool,
}

/// Why a call failed, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Try again later: network errors, server errors, the platform's
    /// "temporary" codes.
    Transient {
        message: String,
        retry_after: Option<Duration>,
    },
    /// The platform asks the whole connection to slow down.
    RateLimited {
        message: String,
        retry_after: Duration,
    },
    /// Retrying cannot help until a person acts.
    Permanent {
        code: PermanentCode,
        message: String,
    },
}

impl Failure {
    pub fn message(&self) -> &str {
        match self {
            Failure::Transient { message, .. }
            | Failure::RateLimited { message, .. }
            | Failure::Permanent { message, .. } => message,
        }
    }

    pub fn is_permanent(&self) -> bool {
        matches!(self, Failure::Permanent { .. })
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Transient { message, .. } => write!(f, "temporary failure: {message}"),
            Failure::RateLimited {
                message,
                retry_after,
            } => write!(f, "rate limited for {}s: {message}", retry_after.as_secs()),
            Failure::Permanent { code, message } => {
                write!(f, "{}: {message}", code.as_str())
            }
        }
    }
}

impl std::error::Error for Failure {}

/// The kinds of permanent failure, each with what a person must do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PermanentCode {
    /// The token expired or was revoked (Meta code 190).
    TokenInvalid,
    /// The token lacks a permission the call needs (Meta codes 10, 200-299).
    PermissionMissing,
    /// The comment or post no longer exists (Meta code 100, subcode 33).
    ObjectGone,
    /// The platform refuses this operation on this object (a comment that
    /// cannot be hidden, a private reply after 7 days...).
    NotAllowed,
    /// The platform has no API for the operation.
    Unsupported,
    /// Any other refusal that retrying will not change.
    Rejected,
    /// An earlier attempt may have gone through and the platform offers no
    /// way to find out (Telegram): a person looks, and retries only if it
    /// is not there.
    Unverifiable,
}

impl PermanentCode {
    pub const ALL: [PermanentCode; 7] = [
        PermanentCode::TokenInvalid,
        PermanentCode::PermissionMissing,
        PermanentCode::ObjectGone,
        PermanentCode::NotAllowed,
        PermanentCode::Unsupported,
        PermanentCode::Rejected,
        PermanentCode::Unverifiable,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            PermanentCode::TokenInvalid => "token_invalid",
            PermanentCode::PermissionMissing => "permission_missing",
            PermanentCode::ObjectGone => "object_gone",
            PermanentCode::NotAllowed => "not_allowed",
            PermanentCode::Unsupported => "unsupported",
            PermanentCode::Rejected => "rejected",
            PermanentCode::Unverifiable => "unverifiable",
        }
    }

    /// The short Italian reason shown on the item page ("non riuscito:
    /// token scaduto").
    pub const fn label_it(self) -> &'static str {
        match self {
            PermanentCode::TokenInvalid => "token scaduto o revocato",
            PermanentCode::PermissionMissing => "permesso mancante",
            PermanentCode::ObjectGone => "il contenuto non esiste più sulla piattaforma",
            PermanentCode::NotAllowed => {
                "la piattaforma non consente l'operazione su questo contenuto"
            }
            PermanentCode::Unsupported => "operazione non disponibile su questa piattaforma",
            PermanentCode::Rejected => "richiesta rifiutata dalla piattaforma",
            PermanentCode::Unverifiable => {
                "esito di un tentativo precedente non verificabile: controlla sulla piattaforma prima di ritentare"
            }
        }
    }
}

impl std::str::FromStr for PermanentCode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        PermanentCode::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| format!("unknown failure code `{s}`"))
    }
}

/// What to read in one pull.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FetchRequest {
    /// Where the previous page ended (the opaque value of
    /// [`FetchPage::cursor`]); `None` starts from the newest posts.
    pub cursor: Option<String>,
    /// Only posts and comments from this instant on (ms since the epoch).
    pub since: Option<i64>,
}

/// One page of a pull.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FetchPage {
    pub posts: Vec<IncomingPost>,
    pub events: Vec<IncomingEvent>,
    /// Where to continue; stored by the desk so that a re-run resumes.
    pub cursor: Option<String>,
    /// Nothing more to read.
    pub done: bool,
}

/// A permission the connection lacks, with what it is needed for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingPermission {
    pub permission: String,
    pub needed_for: Vec<Operation>,
}

/// What a platform's quota counts, and over which period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuotaKind {
    /// YouTube: units a day, reset at midnight Pacific time.
    DailyUnits,
    /// X: posts read a month, as the access plan allows.
    MonthlyPostReads,
}

/// A connection's API quota, as the desk shows it (the platform's own
/// counter is the authority; this is what this process spent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotaStatus {
    pub kind: QuotaKind,
    /// Spent in the current period by this process's connections.
    pub used: u64,
    pub limit: u64,
    /// What only decisions may spend.
    pub reserve: u64,
    /// When the period ends (ms since the epoch).
    pub resets_at: i64,
    /// The platform said the quota is exhausted.
    pub exhausted: bool,
}

impl QuotaStatus {
    /// One Italian line for the registry and `piazza connectors status`.
    pub fn describe_it(&self) -> String {
        let base = match self.kind {
            QuotaKind::DailyUnits => format!(
                "quota giornaliera dell'API: {} di {} unità usate oggi da questo processo (riserva per le decisioni: {})",
                self.used, self.limit, self.reserve
            ),
            QuotaKind::MonthlyPostReads => format!(
                "post letti questo mese da questo processo: {} di {} previsti dal piano di accesso",
                self.used, self.limit
            ),
        };
        if self.exhausted {
            format!(
                "{base}; la piattaforma ha detto che la quota è esaurita: le decisioni attendono nella coda fino all'azzeramento"
            )
        } else {
            base
        }
    }
}

/// The state of a connection's token, as the platform reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct ConnectionCheck {
    pub valid: bool,
    /// When the token expires (ms since the epoch); `None` for tokens that
    /// do not expire.
    pub expires_at: Option<i64>,
    /// The permissions the token has.
    pub permissions: Vec<String>,
    pub missing: Vec<MissingPermission>,
    /// The account's name on the platform, when the check reads it.
    pub account_name: Option<String>,
    /// What is wrong, in Italian, for the operator.
    pub problems: Vec<String>,
    /// The daily quota, where the platform has one.
    pub quota: Option<QuotaStatus>,
}

/// A connection to one account on one platform.
pub trait Connector: Send + Sync {
    fn platform(&self) -> Platform;

    /// What the platform's API allows. Connectors that can do less than
    /// their platform (a missing permission) still report the platform's
    /// map: the check says what the token lacks.
    fn capabilities(&self) -> Capabilities {
        Capabilities::of(self.platform())
    }

    /// Carries out one operation. Called again for the same [`Delivery`]
    /// after a transient failure, with `uncertain` set when a previous
    /// attempt may have gone through.
    fn deliver(&self, delivery: &Delivery) -> Result<Delivered, Failure>;

    /// Reads one page of recent posts and comments.
    fn fetch(&self, request: &FetchRequest) -> Result<FetchPage, Failure>;

    /// One post, to give a comment that arrived by webhook its context.
    fn post(&self, external_id: &str) -> Result<Option<IncomingPost>, Failure>;

    /// Checks the token: validity, expiry, permissions.
    fn check(&self) -> Result<ConnectionCheck, Failure>;

    /// Asks the platform to send this account's events to the webhook.
    /// `Ok(false)` where the platform has no webhooks (the account is read
    /// by pulls).
    fn subscribe(&self) -> Result<bool, Failure> {
        Ok(false)
    }

    /// The account is read by periodic pulls (`piazza serve` pulls it):
    /// its platform sends no webhooks to it, or none is configured.
    fn reads_by_pull(&self) -> bool {
        false
    }

    /// The quota spent, where the platform counts one (YouTube's daily
    /// units, X's monthly post reads).
    fn quota(&self) -> Option<QuotaStatus> {
        None
    }

    /// The connection's secret, when the platform replaced it (X rotates
    /// refresh tokens at every use): the desk seals it in place of the
    /// old one. Returned once.
    fn rotated_secret(&self) -> Option<SecretString> {
        None
    }
}
