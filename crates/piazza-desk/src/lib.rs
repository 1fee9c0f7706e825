//! The moderation desk: the use cases that the command line, the web desk
//! and the platform connectors drive.
//!
//! Everything a moderator does goes through [`Desk`]: it checks the role and
//! the account scope of the person acting, refuses a restrictive action that
//! cites no clause of the policy in force, writes the action, its statement
//! of reasons and the audit entry in one transaction, and keeps the exact
//! text at decision time as evidence.
//!
//! ```no_run
//! use piazza_desk::{Desk, NewAdministration};
//! let store = piazza_store::Store::open_data_dir(std::path::Path::new("piazza-data")).unwrap();
//! let desk = Desk::new(store);
//! let admin = desk.create_administration(NewAdministration::preset("cento")).unwrap();
//! ```

#[macro_use]
mod vocabulary;

mod actions;
mod allowances;
mod appeals;
mod attempts;
mod audit_log;
mod auth;
mod backups;
mod checkpoints;
pub mod context;
mod conversations;
mod drafts;
pub mod editorial;
mod elections;
mod error;
mod ids;
mod import;
mod ingest;
mod leases;
mod mail;
mod offices;
mod outbox;
mod platforms;
mod queue;
mod registry;
mod rekey;
mod reports;
mod requests;
mod retention;
mod sessions;
mod sla;
mod templates;
mod tickets;
mod transparency;
mod user_reports;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use piazza_store::{Store, Tx};

pub use actions::{
    ActRequest, ActionKind, ActionOutcome, ActionStatus, BulkTarget, StatementOfReasons,
    StatementSubject, statement_preview,
};
pub use appeals::{
    Appeal, AppealChannel, AppealFiling, AppealOutcome, AppealReceipt, AppealState,
    MAX_GROUNDS_CHARS,
};
pub use attempts::{AttemptKey, LOGIN_WINDOW_MS, address_block};
pub use audit_log::{AuditKind, AuditReader, AuditTarget, ScopedEntries};
pub use auth::{generate_password, hash_password, verify_password};
pub use backups::{CopiedAdministration, CopyError, CopyReport, restore_sqlite};
pub use checkpoints::{
    CHECKPOINT_EVERY_MS, CHECKPOINT_FORMAT, Checkpoint, CheckpointCheck, CheckpointFile,
    CheckpointProblem, StoredCheckpoint,
};
pub use context::AdminContext;
pub use conversations::{
    Conversation, ConversationDetail, ConversationMessage, ConversationState, Direction,
    MessagingWindow, messaging_window,
};
pub use drafts::{
    Calendar, CalendarEntry, CalendarFilter, Draft, DraftApproval, DraftComment, DraftContent,
    DraftDecision, DraftMedia, DraftState, DraftVersion, MediaLicence, NO_POLITICIANS, NewDraft,
    PhotoRule, TEXT_IN_IMAGE, UrgentMark,
};
pub use elections::{
    ElectionKind, ElectionPeriod, FigureRole, NewElectionPeriod, PeriodPublication, PeriodRecord,
    PublicFigure, csv_field,
};
pub use error::DeskError;
pub use ids::{
    AccountId, ActionId, AdminId, AppealId, CommentId, ConversationId, DraftId, MailId, OfficeId,
    OutboxId, ParseIdError, PostId, PublicationRequestId, StaffId, TicketId, UserReportId,
};
pub use import::{
    ImportFormat, ImportProgress, ImportRecord, ImportReport, LineError, read_records,
};
pub use ingest::{IncomingComment, IncomingEvent, IncomingPost, IngestOutcome};
pub use leases::WorkerJob;
pub use mail::{
    MAX_MAIL_ATTEMPTS, MailItem, MailRun, MailSettings, MailState, NewMailSettings, SmtpSecurity,
};
pub use offices::{NewOffice, Office, OfficeUpdate};
pub use outbox::{DEFAULT_LEASE_MS, OutboxFilter, OutboxItem, OutboxRun, OutboxState, fault_point};
pub use piazza_platforms::{ConnectionCheck, Operation, PermanentCode, SecretString};
pub use piazza_secrets::SecretKey;
pub use piazza_secrets::signing::SigningKeyFile;
pub use piazza_store::audit::{ChainBreak, StoredEntry, Verification};
pub use piazza_store::backup;
pub use piazza_store::{BackendKind, now_ms, redact_url};
pub use platforms::{
    Connection, ConnectionSpec, ConnectionStatus, ConnectorFactory, ConnectorKind, EventsRun,
    NewConnection, StandardConnectors, SyncReport, TelegramSettings, XSettings, YoutubeSettings,
};
pub use queue::{
    CommentState, ItemDetail, QueueFilter, QueueItem, Resolution, SlaState, Visibility,
};
pub use registry::{
    Account, AccountStatus, AccountUpdate, Actor, Administration, ComplianceIssue,
    CredentialHolder, CredentialHolderRef, HandoverItem, NewAccount, NewAdministration, NewStaff,
    PolicyPreview, PolicyVersion, Role, Staff,
};
pub use rekey::ResealReport;
pub use reports::{AppealCounts, ModerationStats, ResponseTimeReport, ResponseTimeRow};
pub use requests::{
    MAX_REQUEST_CHARS, PublicationRequest, PublicationRequestFiling, PublicationRequestState,
};
pub use retention::RetentionReport;
pub use sessions::{LOCKOUT_MS, MAX_FAILED_LOGINS, NewSession, SESSION_MS};
pub use sla::{SlaSweep, italian_when};
pub use templates::{
    IntentSuggestion, REDIRECT_TEMPLATES, TEMPLATES, contacts_phrase, intent_suggestion,
    police_phrase, redirect_template, render_template, review_contact,
};
pub use tickets::{Ticket, TicketEvent, TicketFilter, TicketMessage, TicketState};
pub use transparency::{TransparencyReport, TransparencyRow, account_label, month_of};
pub use user_reports::{
    MAX_REPORT_CHARS, UserReport, UserReportFiling, UserReportReceipt, UserReportState,
};

pub type Result<T, E = DeskError> = std::result::Result<T, E>;

/// The source of "now" (milliseconds since the epoch); tests replace it.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// The desk. Cheap to clone; share one per process.
#[derive(Clone)]
pub struct Desk {
    store: Store,
    clock: Clock,
    contexts: Arc<Mutex<HashMap<AdminId, Arc<AdminContext>>>>,
    trackers: Arc<ingest::Trackers>,
    platforms: Arc<platforms::PlatformParts>,
    /// This instance's name in leases and claims ([`leases`]).
    instance: Arc<str>,
}

impl Desk {
    /// The desk over the database at `url` (`sqlite:PATH` or
    /// `postgres://...`), created and migrated on first use.
    pub fn open(url: &str) -> Result<Desk> {
        Ok(Desk::new(Store::open(url)?))
    }

    /// The desk over the SQLite database `piazza.sqlite3` in `dir`, created
    /// with the folder on first use.
    pub fn open_data_dir(dir: &std::path::Path) -> Result<Desk> {
        Ok(Desk::new(Store::open_data_dir(dir)?))
    }

    /// The desk over the database at `url`, for reading only: every use
    /// case that writes is refused with a read-only storage error.
    pub fn open_read_only(url: &str) -> Result<Desk> {
        Ok(Desk::new(Store::open_read_only(url)?))
    }

    /// [`Desk::open_read_only`] for the SQLite database in `dir`.
    pub fn open_data_dir_read_only(dir: &std::path::Path) -> Result<Desk> {
        Ok(Desk::new(Store::open_data_dir_read_only(dir)?))
    }

    pub fn new(store: Store) -> Desk {
        Desk {
            store,
            clock: Arc::new(piazza_store::now_ms),
            contexts: Arc::new(Mutex::new(HashMap::new())),
            trackers: Arc::default(),
            instance: leases::instance_name().into(),
            platforms: Arc::new(platforms::PlatformParts {
                factory: Arc::new(StandardConnectors {
                    meta: piazza_platforms::meta::MetaConfig::default(),
                    sandbox_backlog: 0,
                    telegram: Default::default(),
                    youtube: Default::default(),
                    x: Default::default(),
                    flickr_url: piazza_platforms::flickr::DEFAULT_REST_URL.into(),
                    linkedin_url: piazza_platforms::linkedin::DEFAULT_API_URL.into(),
                }),
                secrets: None,
                cache: Default::default(),
                lease_ms: DEFAULT_LEASE_MS,
            }),
        }
    }

    /// This desk with its platform settings: how connectors are built
    /// (base URLs, app secrets), the key that seals tokens at rest, and how
    /// long a delivery attempt holds its outbox row (ms).
    pub fn with_platforms(
        mut self,
        factory: Arc<dyn ConnectorFactory>,
        secrets: Option<Arc<SecretKey>>,
        lease_ms: i64,
    ) -> Desk {
        self.platforms = Arc::new(platforms::PlatformParts {
            factory,
            secrets,
            cache: Default::default(),
            lease_ms: lease_ms.max(0),
        });
        self
    }

    /// A desk whose clock is `clock` (for tests and simulations).
    pub fn with_clock(store: Store, clock: Clock) -> Desk {
        Desk {
            clock,
            ..Desk::new(store)
        }
    }

    /// The database behind the desk.
    pub fn backend(&self) -> BackendKind {
        self.store.kind()
    }

    /// The database's URL without its password, for messages.
    pub fn database_for_display(&self) -> &str {
        self.store.display_url()
    }

    pub fn now(&self) -> i64 {
        (self.clock)()
    }

    /// A write transaction whose closure refuses with the desk's own
    /// errors: whatever it returns comes back unchanged, and the store's
    /// errors convert into [`DeskError::Store`].
    pub(crate) fn write<T>(&self, f: impl FnOnce(&mut Tx<'_>) -> Result<T>) -> Result<T> {
        self.store.write(f)
    }

    /// A read transaction (a consistent snapshot) with the desk's errors.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&mut Tx<'_>) -> Result<T>) -> Result<T> {
        self.store.read(f)
    }
}
