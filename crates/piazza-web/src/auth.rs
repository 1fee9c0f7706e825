//! Staff sessions as the web layer sees them: a cookie holding an opaque
//! token, resolved by a [`SessionLookup`]: [`DeskSessions`] (the desk's
//! sessions table) in a deployment, [`InMemorySessions`] in some tests.

use std::collections::HashMap;
use std::sync::RwLock;

use axum::extract::{FromRef, FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use piazza_desk::{Actor, AdminId, Desk, Role, StaffId};
use serde::Serialize;

use crate::error::AppError;
use crate::state::AppState;

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "piazza_session";

/// A signed-in staff member, as much as the web layer needs: who, for which
/// administration, with which roles. The account scope is checked by the
/// desk on every call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaffSession {
    /// A stable, non-secret id of the session (not the cookie token): CSRF
    /// tokens are bound to it.
    pub session_id: String,
    pub staff_id: StaffId,
    pub admin_id: AdminId,
    pub username: String,
    /// The name shown in the header ("Maria Rossi").
    pub display_name: String,
    pub roles: Vec<Role>,
}

impl StaffSession {
    /// The session of a desk actor.
    pub fn of_actor(session_id: String, actor: &Actor) -> StaffSession {
        StaffSession {
            session_id,
            staff_id: actor.staff_id,
            admin_id: actor.admin_id,
            username: actor.username.clone(),
            display_name: actor.full_name.clone(),
            roles: actor.roles.clone(),
        }
    }

    /// The person as the desk knows them.
    pub fn actor(&self) -> Actor {
        Actor {
            staff_id: self.staff_id,
            admin_id: self.admin_id,
            username: self.username.clone(),
            full_name: self.display_name.clone(),
            roles: self.roles.clone(),
        }
    }

    pub fn has_any(&self, roles: &[Role]) -> bool {
        self.roles.iter().any(|r| roles.contains(r))
    }

    /// Office staff and nothing else: they work their office's tickets,
    /// and read neither the audit log nor the moderation reports.
    pub fn office_only(&self) -> bool {
        !self.roles.is_empty() && self.roles.iter().all(|r| *r == Role::Ufficio)
    }

    /// Fails with [`AppError::Forbidden`] for [`StaffSession::office_only`].
    pub fn refuse_office_only(&self) -> Result<(), AppError> {
        if self.office_only() {
            Err(AppError::Forbidden)
        } else {
            Ok(())
        }
    }

    /// Fails with [`AppError::Forbidden`] unless the person has one of
    /// `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), AppError> {
        if self.has_any(roles) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

/// Resolves a session token (the cookie value) to a live session.
///
/// Synchronous on purpose: the store is synchronous (SQLite), and a lookup
/// is one indexed read. Implementations decide expiry: an expired session is
/// `None`.
pub trait SessionLookup: Send + Sync {
    fn lookup(&self, token: &str) -> Option<StaffSession>;
}

/// Sessions in the desk's database: the cookie token is looked up by its
/// SHA-256; expired and revoked sessions, and those of deactivated staff,
/// are `None`.
#[derive(Clone)]
pub struct DeskSessions {
    desk: Desk,
}

impl DeskSessions {
    pub fn new(desk: Desk) -> DeskSessions {
        DeskSessions { desk }
    }
}

/// The CSRF binding of a desk session.
pub(crate) fn desk_session_id(id: i64) -> String {
    format!("desk-session-{id}")
}

impl SessionLookup for DeskSessions {
    fn lookup(&self, token: &str) -> Option<StaffSession> {
        match self.desk.session(token) {
            Ok(Some((id, actor))) => Some(StaffSession::of_actor(desk_session_id(id), &actor)),
            Ok(None) => None,
            Err(e) => {
                tracing::warn!(error = %e, "session lookup failed");
                None
            }
        }
    }
}

/// Sessions held in memory: for tests and the browser harness, never for a
/// deployment (they vanish on restart and are never expired).
#[derive(Debug, Default)]
pub struct InMemorySessions {
    sessions: RwLock<HashMap<String, StaffSession>>,
}

impl InMemorySessions {
    pub fn insert(&self, token: impl Into<String>, session: StaffSession) {
        self.sessions
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(token.into(), session);
    }

    pub fn remove(&self, token: &str) -> Option<StaffSession> {
        self.sessions
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(token)
    }
}

impl SessionLookup for InMemorySessions {
    fn lookup(&self, token: &str) -> Option<StaffSession> {
        self.sessions
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(token)
            .cloned()
    }
}

/// The value of the session cookie in `headers`, if any.
pub fn session_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.trim_matches('"'))
        .filter(|v| !v.is_empty())
}

/// The `Set-Cookie` value that starts a session. `secure` adds `Secure`,
/// which browsers require behind TLS and refuse on plain-HTTP loopback.
pub fn session_cookie(token: &str, secure: bool) -> HeaderValue {
    let mut v = format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict");
    if secure {
        v.push_str("; Secure");
    }
    HeaderValue::from_str(&v).expect("session tokens are visible ASCII")
}

/// Extracts the signed-in staff member, or fails with
/// [`AppError::Unauthenticated`] (401 JSON under `/api`, a page elsewhere).
///
/// Use `Option<Authenticated>` where a page serves both the public and
/// the staff.
#[derive(Debug, Clone)]
pub struct Authenticated(pub StaffSession);

/// The result of the lookup, kept in the request so that two extractors
/// of one request look the session up once.
#[derive(Clone)]
struct Looked(Option<StaffSession>);

async fn lookup<S>(parts: &mut Parts, state: &S) -> Option<StaffSession>
where
    AppState: FromRef<S>,
{
    if let Some(Looked(s)) = parts.extensions.get::<Looked>() {
        return s.clone();
    }
    let found = match session_token(&parts.headers) {
        None => None,
        Some(token) => {
            let token = token.to_string();
            let sessions = AppState::from_ref(state).sessions.clone();
            // The lookup reads the database, which must not happen on a
            // runtime thread.
            tokio::task::spawn_blocking(move || sessions.lookup(&token))
                .await
                .ok()
                .flatten()
        }
    };
    parts.extensions.insert(Looked(found.clone()));
    found
}

impl<S> FromRequestParts<S> for Authenticated
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        lookup(parts, state)
            .await
            .map(Authenticated)
            .ok_or(AppError::Unauthenticated)
    }
}

impl<S> OptionalFromRequestParts<S> for Authenticated
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(lookup(parts, state).await.map(Authenticated))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_session_cookie_among_others() {
        let mut h = HeaderMap::new();
        h.append(header::COOKIE, HeaderValue::from_static("a=1; b=2"));
        h.append(
            header::COOKIE,
            HeaderValue::from_static("x=y;  piazza_session=abc123 ; z=w"),
        );
        assert_eq!(session_token(&h), Some("abc123"));
    }

    #[test]
    fn an_empty_or_absent_cookie_is_no_session() {
        let mut h = HeaderMap::new();
        assert_eq!(session_token(&h), None);
        h.insert(header::COOKIE, HeaderValue::from_static("piazza_session="));
        assert_eq!(session_token(&h), None);
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("not_piazza_session=abc"),
        );
        assert_eq!(session_token(&h), None);
    }

    #[test]
    fn the_cookie_is_http_only_and_strict() {
        let c = session_cookie("tok", false);
        assert_eq!(
            c.to_str().unwrap(),
            "piazza_session=tok; Path=/; HttpOnly; SameSite=Strict"
        );
        assert!(
            session_cookie("tok", true)
                .to_str()
                .unwrap()
                .ends_with("; Secure")
        );
    }
}
