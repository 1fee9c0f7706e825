//! CSRF protection by synchronizer tokens derived from the session: the
//! token is HMAC-SHA256(server secret, session id), so the server stores
//! nothing and a token stolen from one session is useless in another.
//!
//! Every state-changing form carries the token in a hidden field named
//! [`CSRF_FIELD`] and is read with [`CsrfForm`]; JSON calls send it in the
//! [`CSRF_HEADER`] header and take [`CsrfHeader`]. Both extractors require
//! a session, so an anonymous POST fails with 401 before the token is even
//! looked at. The login form, which has no session yet, needs a pre-session
//! id of its own to bind the token to.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRef, FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use sha2::Sha256;

use crate::auth::{Authenticated, StaffSession};
use crate::error::AppError;
use crate::state::AppState;

/// The hidden form field holding the token.
pub const CSRF_FIELD: &str = "csrf_token";
/// The request header holding the token on API calls.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Separates these MACs from any other use of the same secret.
const DOMAIN: &[u8] = b"piazza/csrf/v1\0";

type HmacSha256 = Hmac<Sha256>;

/// The server secret CSRF tokens are derived from.
#[derive(Clone)]
pub struct CsrfKey(Arc<[u8; 32]>);

impl std::fmt::Debug for CsrfKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the secret.
        f.write_str("CsrfKey(..)")
    }
}

impl CsrfKey {
    /// A fresh random key. Tokens then die with the process: a deployment
    /// sets a persistent key with [`CsrfKey::from_secret`].
    pub fn random() -> CsrfKey {
        let mut k = [0u8; 32];
        getrandom::fill(&mut k).expect("the operating system has no random source");
        CsrfKey(Arc::new(k))
    }

    /// A key derived from a configured secret of any length (at least 32
    /// random bytes are advisable).
    pub fn from_secret(secret: &[u8]) -> CsrfKey {
        let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes keys of any length");
        mac.update(b"piazza/csrf-key/v1");
        CsrfKey(Arc::new(mac.finalize().into_bytes().into()))
    }

    fn mac(&self, session_id: &str) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.0[..]).expect("32-byte key");
        mac.update(DOMAIN);
        mac.update(session_id.as_bytes());
        mac
    }

    /// The token for forms shown within `session_id` (64 hex digits).
    pub fn token(&self, session_id: &str) -> String {
        hex::encode(self.mac(session_id).finalize().into_bytes())
    }

    /// Whether `token` was issued for `session_id`, compared in constant
    /// time.
    pub fn verify(&self, session_id: &str, token: &str) -> bool {
        match hex::decode(token.trim()) {
            Ok(bytes) => self.mac(session_id).verify_slice(&bytes).is_ok(),
            Err(_) => false,
        }
    }
}

impl CsrfKey {
    /// A MAC of `data` for `purpose` (hex), in a domain of its own so that
    /// no signed value can ever pass for a CSRF token or the reverse: the
    /// OIDC flow cookie is signed with it.
    pub(crate) fn sign(&self, purpose: &str, data: &str) -> String {
        hex::encode(self.signer(purpose, data).finalize().into_bytes())
    }

    /// Whether `mac` is [`CsrfKey::sign`] of `data`, in constant time.
    pub(crate) fn verify_signed(&self, purpose: &str, data: &str, mac: &str) -> bool {
        match hex::decode(mac) {
            Ok(bytes) => self.signer(purpose, data).verify_slice(&bytes).is_ok(),
            Err(_) => false,
        }
    }

    fn signer(&self, purpose: &str, data: &str) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.0[..]).expect("32-byte key");
        mac.update(b"piazza/signed/v1\0");
        mac.update(purpose.as_bytes());
        mac.update(b"\0");
        mac.update(data.as_bytes());
        mac
    }
}

/// A form posted by a signed-in staff member with a valid CSRF token.
///
/// `T` is the form's own fields; it must not deny unknown fields, since the
/// body also carries [`CSRF_FIELD`].
#[derive(Debug, Clone)]
pub struct CsrfForm<T> {
    pub session: StaffSession,
    pub form: T,
}

#[derive(Deserialize)]
struct TokenField {
    csrf_token: Option<String>,
}

/// The second line behind the token: a state-changing request that the
/// browser says comes from another site (`Sec-Fetch-Site: cross-site`),
/// or whose `Origin` is not this server's `Host`, is refused before the
/// token is even read. Clients that send neither header (scripts, older
/// browsers) rely on the token alone.
pub(crate) fn refuse_cross_site(headers: &axum::http::HeaderMap) -> Result<(), AppError> {
    let get = |n: &str| headers.get(n).and_then(|v| v.to_str().ok());
    if get("sec-fetch-site") == Some("cross-site") {
        return Err(AppError::CsrfRejected);
    }
    if let (Some(origin), Some(host)) = (get("origin"), get("host")) {
        let origin_host = origin
            .split_once("://")
            .map_or(origin, |(_, rest)| rest)
            .trim_end_matches('/');
        // Behind a reverse proxy the public name may arrive as
        // X-Forwarded-Host.
        let ours = |h: Option<&str>| h.is_some_and(|h| origin_host.eq_ignore_ascii_case(h.trim()));
        if origin == "null" || !(ours(Some(host)) || ours(get("x-forwarded-host"))) {
            return Err(AppError::CsrfRejected);
        }
    }
    Ok(())
}

impl<S, T> FromRequest<S> for CsrfForm<T>
where
    AppState: FromRef<S>,
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let (mut parts, body) = req.into_parts();
        let Authenticated(session) = Authenticated::from_request_parts(&mut parts, state).await?;
        refuse_cross_site(&parts.headers)?;
        let is_form = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return Err(AppError::BadRequest(
                "expected application/x-www-form-urlencoded".into(),
            ));
        }
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|e| AppError::BadRequest(e.body_text()))?;
        let token = serde_urlencoded::from_bytes::<TokenField>(&bytes)
            .ok()
            .and_then(|t| t.csrf_token)
            .unwrap_or_default();
        let key = AppState::from_ref(state).csrf;
        if !key.verify(&session.session_id, &token) {
            return Err(AppError::CsrfRejected);
        }
        let form = serde_urlencoded::from_bytes::<T>(&bytes)
            .map_err(|e| AppError::BadRequest(e.to_string()))?;
        Ok(CsrfForm { session, form })
    }
}

/// A signed-in staff member whose request carries a valid token in
/// [`CSRF_HEADER`]: for state-changing JSON calls.
#[derive(Debug, Clone)]
pub struct CsrfHeader(pub StaffSession);

impl<S> FromRequestParts<S> for CsrfHeader
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let Authenticated(session) = Authenticated::from_request_parts(parts, state).await?;
        refuse_cross_site(&parts.headers)?;
        let token = parts
            .headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if AppState::from_ref(state)
            .csrf
            .verify(&session.session_id, token)
        {
            Ok(CsrfHeader(session))
        } else {
            Err(AppError::CsrfRejected)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_verifies_for_its_own_session_only() {
        let k = CsrfKey::random();
        let t = k.token("session-1");
        assert_eq!(t.len(), 64);
        assert!(k.verify("session-1", &t));
        assert!(!k.verify("session-2", &t));
    }

    #[test]
    fn a_token_from_another_key_is_rejected() {
        let a = CsrfKey::random();
        let b = CsrfKey::random();
        assert!(!b.verify("s", &a.token("s")));
    }

    #[test]
    fn garbage_and_truncated_tokens_are_rejected() {
        let k = CsrfKey::random();
        let t = k.token("s");
        assert!(!k.verify("s", ""));
        assert!(!k.verify("s", "zz"));
        assert!(!k.verify("s", &t[..62]));
        let mut flipped = t.clone().into_bytes();
        flipped[0] = if flipped[0] == b'0' { b'1' } else { b'0' };
        assert!(!k.verify("s", std::str::from_utf8(&flipped).unwrap()));
    }

    #[test]
    fn keys_from_the_same_secret_agree_across_restarts() {
        let a = CsrfKey::from_secret(b"configured secret");
        let b = CsrfKey::from_secret(b"configured secret");
        assert!(b.verify("s", &a.token("s")));
        assert!(!CsrfKey::from_secret(b"other").verify("s", &a.token("s")));
    }

    #[test]
    fn signed_values_are_bound_to_their_purpose_and_are_no_csrf_tokens() {
        let k = CsrfKey::random();
        let mac = k.sign("oidc", "data");
        assert!(k.verify_signed("oidc", "data", &mac));
        assert!(!k.verify_signed("oidc", "datb", &mac));
        assert!(!k.verify_signed("other", "data", &mac));
        assert!(!k.verify("data", &mac));
        assert!(!k.verify_signed("oidc", "data", &k.token("data")));
    }

    #[test]
    fn the_key_is_never_printed() {
        assert_eq!(format!("{:?}", CsrfKey::random()), "CsrfKey(..)");
    }
}
