//! The state every handler shares.

use std::sync::Arc;

use piazza_policy::{PRESETS, Policy, load_preset};

use crate::auth::{InMemorySessions, SessionLookup};
use crate::csrf::CsrfKey;

/// What handlers reach through `State<AppState>`. Cheap to clone: every
/// field is shared.
///
/// The desk grows this struct: add its handle (e.g. `desk:
/// Arc<piazza_desk::Desk>`) in place of [`AppState::desk`], give
/// [`AppState::sessions`] the database-backed [`SessionLookup`], and set a
/// persistent [`CsrfKey`] from the configuration so that forms survive a
/// restart.
#[derive(Clone)]
pub struct AppState {
    /// The administrations served, by slug (the URL segment in
    /// `/enti/{slug}/...`), in the order the landing page lists them.
    pub policies: Arc<Vec<(String, Policy)>>,
    /// Resolves the session cookie to a staff member.
    pub sessions: Arc<dyn SessionLookup>,
    /// Signs and checks CSRF tokens.
    pub csrf: CsrfKey,
    /// Placeholder for the desk core (`piazza-desk`), which does not exist
    /// yet: nothing reads it.
    pub desk: (),
}

impl AppState {
    /// A state serving `policies`, with no staff session (an empty
    /// [`InMemorySessions`]) and a CSRF key drawn at random.
    pub fn new(policies: Vec<(String, Policy)>) -> AppState {
        AppState {
            policies: Arc::new(policies),
            sessions: Arc::new(InMemorySessions::default()),
            csrf: CsrfKey::random(),
            desk: (),
        }
    }

    /// A state serving the five embedded presets, slugs being the preset
    /// names (`cento`, `maglione`, `roma`, `torino`, `tradate`).
    pub fn with_presets() -> AppState {
        AppState::new(
            PRESETS
                .iter()
                .filter_map(|p| load_preset(p.name).map(|v| (p.name.to_string(), v.policy)))
                .collect(),
        )
    }

    pub fn with_sessions(mut self, sessions: Arc<dyn SessionLookup>) -> AppState {
        self.sessions = sessions;
        self
    }

    pub fn with_csrf_key(mut self, key: CsrfKey) -> AppState {
        self.csrf = key;
        self
    }

    /// The policy of the administration at `slug`.
    pub fn policy(&self, slug: &str) -> Option<&Policy> {
        self.policies
            .iter()
            .find(|(s, _)| s == slug)
            .map(|(_, p)| p)
    }
}
