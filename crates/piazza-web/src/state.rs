//! The state every handler shares: the desk, the web configuration, the
//! session lookup and the CSRF key.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use piazza_desk::context::AdminContext;
use piazza_desk::{Desk, DeskError, NewAdministration};
use piazza_policy::PRESETS;

use crate::auth::{DeskSessions, SessionLookup};
use crate::csrf::CsrfKey;
use crate::error::AppError;
use crate::oidc::{OidcConfig, Provider};
use crate::throttle::{AddressThrottle, LOGIN_ATTEMPTS_PER_MINUTE, PUBLIC_FORMS_PER_MINUTE};

/// The web layer's own settings. Every field has a default that works on a
/// laptop (plain HTTP on loopback, a CSRF key drawn at start).
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// Mark the cookies `Secure`: set it when Piazza is served over TLS
    /// (directly or behind a proxy), never on plain-HTTP loopback, where
    /// browsers would drop them.
    pub secure_cookies: bool,
    /// A persistent secret for CSRF tokens, so that open forms survive a
    /// restart; a random key when `None`. It also signs the cookie of an
    /// OIDC login in progress.
    pub csrf_secret: Option<String>,
    /// Login through the administration's identity provider, next to the
    /// password form; `None` hides the button and the routes answer 404.
    pub oidc: Option<OidcConfig>,
    /// Meta's webhook (`/webhooks/meta`); `None` answers 404 to deliveries
    /// and 403 to handshakes.
    pub meta_webhook: Option<MetaWebhook>,
}

/// The secrets of Meta's webhook: the app secret that signs deliveries and
/// the verify token of the subscription handshake.
#[derive(Clone)]
pub struct MetaWebhook {
    pub app_secret: piazza_desk::SecretString,
    pub verify_token: piazza_desk::SecretString,
}

impl std::fmt::Debug for MetaWebhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MetaWebhook(***)")
    }
}

/// Wakes the background worker (webhook deliveries, the outbox) when there
/// is work, instead of letting it wait for its next round.
#[derive(Default)]
pub struct WorkerSignal {
    woken: std::sync::Mutex<bool>,
    cv: std::sync::Condvar,
}

impl WorkerSignal {
    pub fn notify(&self) {
        *self.woken.lock().unwrap_or_else(|p| p.into_inner()) = true;
        self.cv.notify_all();
    }

    /// Waits until notified or `timeout` passes; true when notified.
    pub fn wait(&self, timeout: std::time::Duration) -> bool {
        let guard = self.woken.lock().unwrap_or_else(|p| p.into_inner());
        let (mut guard, _) = self
            .cv
            .wait_timeout_while(guard, timeout, |woken| !*woken)
            .unwrap_or_else(|p| p.into_inner());
        std::mem::take(&mut *guard)
    }
}

/// What handlers reach through `State<AppState>`. Cheap to clone: every
/// field is shared.
#[derive(Clone)]
pub struct AppState {
    /// The desk core. Synchronous: call it through [`AppState::run`], which
    /// moves the call off the async runtime.
    pub desk: Desk,
    pub config: Arc<WebConfig>,
    /// Resolves the session cookie to a staff member (the desk's sessions
    /// table unless a test replaces it).
    pub sessions: Arc<dyn SessionLookup>,
    /// Signs and checks CSRF tokens.
    pub csrf: CsrfKey,
    /// Login attempts per client address.
    pub login_throttle: Arc<AddressThrottle>,
    /// Submissions of the public forms (appeals, reports) per address.
    pub public_form_throttle: Arc<AddressThrottle>,
    /// Wakes the worker that processes deliveries and the outbox.
    pub worker: Arc<WorkerSignal>,
    /// The identity provider, with its cached discovery document and keys.
    pub(crate) oidc: Option<Arc<Provider>>,
    /// Keeps the temporary database of [`AppState::with_presets`] alive.
    _scratch: Option<Arc<ScratchDir>>,
}

impl AppState {
    /// The state a deployment serves: `desk` with its sessions, and the
    /// CSRF key from `config` (random when it sets none).
    pub fn new(desk: Desk, config: WebConfig) -> AppState {
        let csrf = match &config.csrf_secret {
            Some(s) => CsrfKey::from_secret(s.as_bytes()),
            None => CsrfKey::random(),
        };
        AppState {
            oidc: config.oidc.clone().map(|c| Arc::new(Provider::new(c))),
            sessions: Arc::new(DeskSessions::new(desk.clone())),
            desk,
            config: Arc::new(config),
            csrf,
            login_throttle: Arc::new(AddressThrottle::new(LOGIN_ATTEMPTS_PER_MINUTE)),
            public_form_throttle: Arc::new(AddressThrottle::new(PUBLIC_FORMS_PER_MINUTE)),
            worker: Arc::default(),
            _scratch: None,
        }
    }

    /// A desk on a fresh SQLite database in a temporary directory (removed
    /// when the last clone of the state is dropped), seeded with the five
    /// embedded presets (`cento`, `maglione`, `roma`, `torino`, `tradate`)
    /// and no staff: the public pages work, nobody can sign in.
    ///
    /// # Panics
    /// When the temporary database cannot be created: this constructor is
    /// for examples and tests.
    pub fn with_presets() -> AppState {
        let (desk, scratch) = scratch_desk("presets");
        for p in PRESETS {
            desk.create_administration(NewAdministration::preset(p.name))
                .unwrap_or_else(|e| panic!("seeding preset {}: {e}", p.name));
        }
        let mut state = AppState::new(desk, WebConfig::default());
        state._scratch = Some(scratch);
        state
    }

    /// A state over a desk on a fresh temporary SQLite database with nothing
    /// in it, returned with the desk so the caller can seed it; the
    /// directory lives as long as the state.
    ///
    /// # Panics
    /// When the temporary database cannot be created.
    pub fn scratch(config: WebConfig) -> AppState {
        let (desk, scratch) = scratch_desk("scratch");
        let mut state = AppState::new(desk, config);
        state._scratch = Some(scratch);
        state
    }

    pub fn with_sessions(mut self, sessions: Arc<dyn SessionLookup>) -> AppState {
        self.sessions = sessions;
        self
    }

    /// Allows `per_minute` login attempts per client address (30 by
    /// default).
    pub fn with_login_limit(mut self, per_minute: u32) -> AppState {
        self.login_throttle = Arc::new(AddressThrottle::new(per_minute));
        self
    }

    pub fn with_csrf_key(mut self, key: CsrfKey) -> AppState {
        self.csrf = key;
        self
    }

    /// Reads the OIDC provider's discovery document and keys (nothing when
    /// OIDC is not configured), so that a wrong issuer is reported when
    /// the server starts rather than at the first login. Blocks: call it
    /// outside the async runtime. The error names the issuer and never
    /// holds the client secret.
    pub fn oidc_preflight(&self) -> Result<(), String> {
        match &self.oidc {
            None => Ok(()),
            Some(p) => p
                .preflight()
                .map_err(|e| format!("OIDC provider {}: {}", p.config.issuer(), e.detail())),
        }
    }

    /// Runs a desk call on the blocking thread pool: the desk is
    /// synchronous and its PostgreSQL client must not run on a runtime
    /// thread.
    pub async fn run<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&Desk) -> Result<T, DeskError> + Send + 'static,
    {
        let desk = self.desk.clone();
        tokio::task::spawn_blocking(move || f(&desk))
            .await
            .map_err(|e| AppError::Internal(format!("desk task: {e}")))?
            .map_err(AppError::from)
    }

    /// Every administration served, with its policy in force, in the order
    /// they were registered.
    pub async fn administrations(&self) -> Result<Vec<Arc<AdminContext>>, AppError> {
        self.run(|desk| {
            desk.administrations()?
                .into_iter()
                .map(|a| desk.context(a.id))
                .collect()
        })
        .await
    }

    /// The administration at `slug` with its policy in force.
    pub async fn administration(&self, slug: &str) -> Result<Arc<AdminContext>, AppError> {
        let wanted = slug.to_string();
        let all = self.administrations().await?;
        all.into_iter()
            .find(|c| c.slug == wanted)
            .ok_or(AppError::NotFound)
    }
}

static SCRATCH: AtomicU64 = AtomicU64::new(0);

/// A temporary directory removed on drop.
struct ScratchDir(PathBuf);

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scratch_desk(name: &str) -> (Desk, Arc<ScratchDir>) {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let dir = std::env::temp_dir().join(format!(
        "piazza-web-{name}-{}-{}-{nanos}",
        std::process::id(),
        SCRATCH.fetch_add(1, Ordering::Relaxed)
    ));
    let desk = Desk::open_data_dir(&dir)
        .unwrap_or_else(|e| panic!("temporary database in {}: {e}", dir.display()));
    (desk, Arc::new(ScratchDir(dir)))
}
