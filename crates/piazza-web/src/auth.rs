//! Staff sessions as the web layer sees them: a cookie holding an opaque
//! token, resolved by a [`SessionLookup`] that the desk backs with the
//! database.

use std::collections::HashMap;
use std::sync::RwLock;

use axum::extract::{FromRef, FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use serde::Serialize;

use crate::error::AppError;
use crate::state::AppState;

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "piazza_session";

/// A signed-in staff member, as much as the web layer needs. The desk will
/// add roles and account scope here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaffSession {
    /// A stable, non-secret id of the session (not the cookie token): CSRF
    /// tokens are bound to it.
    pub session_id: String,
    pub staff_id: String,
    /// The name shown in the header ("Maria Rossi").
    pub display_name: String,
}

/// Resolves a session token (the cookie value) to a live session.
///
/// Synchronous on purpose: the store is synchronous (SQLite), and a lookup
/// is one indexed read. Implementations decide expiry: an expired session is
/// `None`.
pub trait SessionLookup: Send + Sync {
    fn lookup(&self, token: &str) -> Option<StaffSession>;
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

fn lookup<S>(parts: &Parts, state: &S) -> Option<StaffSession>
where
    AppState: FromRef<S>,
{
    let token = session_token(&parts.headers)?;
    AppState::from_ref(state).sessions.lookup(token)
}

impl<S> FromRequestParts<S> for Authenticated
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        lookup(parts, state)
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
        Ok(lookup(parts, state).map(Authenticated))
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
