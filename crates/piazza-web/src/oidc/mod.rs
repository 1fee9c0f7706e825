//! Optional login through the administration's identity provider (OpenID
//! Connect, Authorization Code flow with PKCE).
//!
//! `GET /accesso/oidc` draws a `state`, a `nonce` and a PKCE verifier, keeps
//! them in a short-lived cookie signed with the server key, and sends the
//! browser to the provider. `GET /accesso/oidc/ritorno` checks the `state`
//! against that cookie, trades the code (with the verifier) for an ID token,
//! checks the token, and opens the same server-side session a password
//! login opens, for the staff member the configured claim names. Nobody is
//! ever created: a person the registry does not know is turned away.
//!
//! The flow cookie is `SameSite=Lax` because the provider sends the browser
//! back with a cross-site navigation, on which `Strict` cookies are not
//! sent. For the same reason the callback does not redirect to the desk:
//! the session cookie is `Strict`, and a redirect that continues a
//! cross-site navigation would arrive without it, sending the person back
//! to the login page. The callback answers with a small page that sets the
//! cookie and moves on by itself (`<meta http-equiv="refresh">`, since the
//! CSP forbids inline scripts): that navigation starts on Piazza's own
//! page, so it is same-site and carries the cookie.

mod config;
mod jwt;
mod provider;

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

pub use config::{
    CALLBACK_PATH, DEFAULT_BUTTON_LABEL, DEFAULT_CLAIM, OidcConfig, OidcConfigError, default_scopes,
};
pub(crate) use provider::Provider;
use provider::ProviderError;

use crate::auth::{Authenticated, session_cookie};
use crate::error::AppError;
use crate::login::{client_addr, cookie_value, safe_next};
use crate::pages::{Layout, render};
use crate::state::AppState;
use crate::throttle::sign_in_allowed;

/// The cookie that carries a login in progress.
pub const FLOW_COOKIE: &str = "piazza_oidc";
/// Where the flow cookie is sent: the start and the callback only.
const FLOW_PATH: &str = "/accesso/oidc";
/// How long a person may take at the provider.
const FLOW_MAX_AGE_S: i64 = 10 * 60;
/// The purpose the flow cookie is signed for.
const FLOW_PURPOSE: &str = "oidc-flow";

fn random_b64(n: usize) -> String {
    let mut b = vec![0u8; n];
    getrandom::fill(&mut b).expect("the operating system has no random source");
    jwt::b64url(&b)
}

/// A login in progress, as the flow cookie holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Flow {
    issued_ms: i64,
    state: String,
    nonce: String,
    verifier: String,
    next: String,
}

impl Flow {
    fn new(now_ms: i64, next: String) -> Flow {
        Flow {
            issued_ms: now_ms,
            state: random_b64(32),
            nonce: random_b64(32),
            // 32 random bytes make the 43-character verifier RFC 7636 asks
            // for at least.
            verifier: random_b64(32),
            next,
        }
    }

    /// The S256 challenge of the verifier.
    fn challenge(&self) -> String {
        jwt::b64url(&Sha256::digest(self.verifier.as_bytes()))
    }

    /// `data.mac`, every field base64url or digits, so the value needs no
    /// quoting in a cookie.
    fn seal(&self, state: &AppState) -> String {
        let data = format!(
            "v1.{}.{}.{}.{}.{}",
            self.issued_ms,
            self.state,
            self.nonce,
            self.verifier,
            jwt::b64url(self.next.as_bytes())
        );
        let mac = state.csrf.sign(FLOW_PURPOSE, &data);
        format!("{data}.{mac}")
    }

    /// The flow of a cookie that Piazza signed less than ten minutes ago.
    fn open(value: &str, state: &AppState, now_ms: i64) -> Option<Flow> {
        let (data, mac) = value.rsplit_once('.')?;
        if !state.csrf.verify_signed(FLOW_PURPOSE, data, mac) {
            return None;
        }
        let f: Vec<&str> = data.split('.').collect();
        let ["v1", issued, st, nonce, verifier, next] = f.as_slice() else {
            return None;
        };
        let issued_ms: i64 = issued.parse().ok()?;
        if now_ms < issued_ms || now_ms - issued_ms > FLOW_MAX_AGE_S * 1000 {
            return None;
        }
        use base64::Engine;
        let next = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(next)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())?;
        Some(Flow {
            issued_ms,
            state: st.to_string(),
            nonce: nonce.to_string(),
            verifier: verifier.to_string(),
            next: safe_next(Some(&next)),
        })
    }
}

fn flow_cookie(value: &str, secure: bool, max_age: i64) -> HeaderValue {
    let mut v = format!(
        "{FLOW_COOKIE}={value}; Path={FLOW_PATH}; HttpOnly; SameSite=Lax; Max-Age={max_age}"
    );
    if secure {
        v.push_str("; Secure");
    }
    HeaderValue::from_str(&v).expect("flow cookies are visible ASCII")
}

fn no_store(res: &mut Response) {
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

/// Constant-time equality of two short strings (the `state`).
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

// ---------------------------------------------------------------------------
// Pages.

/// Why a login through the provider did not happen. Each becomes a page
/// with a way back to the login form; the details go to the log only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    /// No flow cookie, a forged or stale one, or a `state` that is not its.
    Expired,
    /// The provider sent an error instead of a code (the person cancelled,
    /// or the provider refused them).
    Cancelled,
    /// The code or the ID token did not prove who the person is.
    Invalid,
    /// The provider could not be reached.
    Unavailable,
    /// A valid identity that the registry does not enable.
    NotEnabled,
}

impl Failure {
    fn status(self) -> StatusCode {
        match self {
            Failure::Expired => StatusCode::BAD_REQUEST,
            Failure::Cancelled | Failure::Invalid => StatusCode::UNAUTHORIZED,
            Failure::Unavailable => StatusCode::BAD_GATEWAY,
            Failure::NotEnabled => StatusCode::FORBIDDEN,
        }
    }

    fn code(self) -> &'static str {
        match self {
            Failure::Expired => "oidc_expired",
            Failure::Cancelled => "oidc_cancelled",
            Failure::Invalid => "oidc_invalid",
            Failure::Unavailable => "oidc_unavailable",
            Failure::NotEnabled => "oidc_not_enabled",
        }
    }

    fn text(self, issuer: &str) -> (&'static str, String) {
        match self {
            Failure::Expired => (
                "Accesso non riuscito",
                "La richiesta di accesso è scaduta o non è valida. Torna alla pagina di accesso e riprova.".into(),
            ),
            Failure::Cancelled => (
                "Accesso annullato",
                "L’accesso è stato annullato o rifiutato dal sistema di identità dell’ente. Può riprovare dalla pagina di accesso.".into(),
            ),
            Failure::Invalid => (
                "Accesso non riuscito",
                "Il sistema di identità dell’ente non ha confermato la tua identità. Torna alla pagina di accesso e riprova; se il problema persiste, contatta l’assistenza.".into(),
            ),
            Failure::Unavailable => (
                "Sistema di identità non raggiungibile",
                format!(
                    "Il sistema di identità dell’ente ({issuer}) non risponde. Riprova tra qualche minuto oppure accedi con nome utente e password."
                ),
            ),
            Failure::NotEnabled => (
                "Account non abilitato",
                "Il tuo account non è abilitato a Piazza: chiedi al dirigente di registrarti.".into(),
            ),
        }
    }
}

#[derive(Template)]
#[template(path = "oidc_error.html")]
struct FailurePage {
    layout: Layout,
    title: &'static str,
    text: String,
    code: &'static str,
    status: u16,
}

/// The page of a failure; it also drops the flow cookie, so that one
/// flow is tried once.
fn failure(state: &AppState, f: Failure, issuer: &str) -> Response {
    let (title, text) = f.text(issuer);
    let page = FailurePage {
        layout: Layout::piazza(title),
        title,
        text,
        code: f.code(),
        status: f.status().as_u16(),
    };
    let mut res = (f.status(), render(&page)).into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        flow_cookie("", state.config.secure_cookies, 0),
    );
    no_store(&mut res);
    res
}

#[derive(Template)]
#[template(path = "oidc_done.html")]
struct DonePage {
    layout: Layout,
    next: String,
}

// ---------------------------------------------------------------------------
// Handlers.

fn provider(state: &AppState) -> Result<Arc<Provider>, AppError> {
    state.oidc.clone().ok_or(AppError::NotFound)
}

#[derive(Deserialize)]
pub(crate) struct StartQuery {
    next: Option<String>,
}

/// `GET /accesso/oidc`: off to the provider.
pub(crate) async fn start(
    State(state): State<AppState>,
    auth: Option<Authenticated>,
    Query(q): Query<StartQuery>,
) -> Result<Response, AppError> {
    let p = provider(&state)?;
    let next = safe_next(q.next.as_deref());
    if auth.is_some() {
        return Ok(Redirect::to(&next).into_response());
    }
    let flow = Flow::new(state.desk.now(), next);
    let (st, nonce, challenge) = (flow.state.clone(), flow.nonce.clone(), flow.challenge());
    let p2 = p.clone();
    let url = tokio::task::spawn_blocking(move || p2.authorization_url(&st, &nonce, &challenge))
        .await
        .map_err(|e| AppError::Internal(format!("oidc task: {e}")))?;
    let url = match url {
        Ok(u) => u,
        Err(ProviderError::Unavailable(detail) | ProviderError::Rejected(detail)) => {
            tracing::warn!(issuer = %p.config.issuer(), %detail, "OIDC provider unavailable");
            return Ok(failure(&state, Failure::Unavailable, p.config.issuer()));
        }
    };
    let mut res = Redirect::to(&url).into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        flow_cookie(
            &flow.seal(&state),
            state.config.secure_cookies,
            FLOW_MAX_AGE_S,
        ),
    );
    no_store(&mut res);
    Ok(res)
}

#[derive(Deserialize)]
pub(crate) struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    /// RFC 9207: the provider names itself, which defeats mix-ups between
    /// providers.
    iss: Option<String>,
}

/// The value of `claim` as text: strings, and numbers for providers that
/// name people by a numeric id.
fn claim_text(claims: &Map<String, Value>, claim: &str) -> Option<String> {
    match claims.get(claim)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `GET /accesso/oidc/ritorno`: the provider sends the person back here.
pub(crate) async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    ext: axum::http::Extensions,
    Query(q): Query<CallbackQuery>,
) -> Result<Response, AppError> {
    let p = provider(&state)?;
    let issuer = p.config.issuer().to_string();
    let now = state.desk.now();
    // Each callback may cost a call to the provider: it counts as a login
    // attempt of the address.
    if !sign_in_allowed(&state, client_addr(&ext), None).await? {
        return Err(AppError::TooManyAttempts);
    }
    let Some(flow) = cookie_value(&headers, FLOW_COOKIE).and_then(|v| Flow::open(v, &state, now))
    else {
        tracing::warn!(%issuer, "OIDC callback without a valid flow cookie");
        return Ok(failure(&state, Failure::Expired, &issuer));
    };
    if !q.state.as_deref().is_some_and(|s| same(s, &flow.state)) {
        tracing::warn!(%issuer, "OIDC callback with a state that is not the flow's");
        return Ok(failure(&state, Failure::Expired, &issuer));
    }
    if let Some(iss) = &q.iss
        && iss != &issuer
    {
        tracing::warn!(%issuer, "OIDC callback from another issuer");
        return Ok(failure(&state, Failure::Invalid, &issuer));
    }
    if let Some(error) = &q.error {
        let error: String = error.chars().take(100).collect();
        tracing::info!(%issuer, %error, "OIDC login cancelled or refused by the provider");
        return Ok(failure(&state, Failure::Cancelled, &issuer));
    }
    let Some(code) = q.code.filter(|c| !c.is_empty() && c.len() <= 4096) else {
        tracing::warn!(%issuer, "OIDC callback without a code");
        return Ok(failure(&state, Failure::Invalid, &issuer));
    };
    let (p2, verifier, nonce) = (p.clone(), flow.verifier.clone(), flow.nonce.clone());
    let claims = tokio::task::spawn_blocking(move || {
        p2.redeem(&code, &verifier, &nonce, now.div_euclid(1000))
    })
    .await
    .map_err(|e| AppError::Internal(format!("oidc task: {e}")))?;
    let claims = match claims {
        Ok(c) => c,
        Err(ProviderError::Rejected(detail)) => {
            tracing::warn!(%issuer, %detail, "OIDC login refused: the identity was not proven");
            return Ok(failure(&state, Failure::Invalid, &issuer));
        }
        Err(ProviderError::Unavailable(detail)) => {
            tracing::warn!(%issuer, %detail, "OIDC provider unavailable");
            return Ok(failure(&state, Failure::Unavailable, &issuer));
        }
    };
    let claim = p.config.claim();
    let sub = claims.get("sub").and_then(Value::as_str).unwrap_or("");
    let Some(identity) = claim_text(&claims, claim) else {
        tracing::warn!(%issuer, %claim, %sub, "OIDC login refused: the ID token lacks the configured claim");
        return Ok(failure(&state, Failure::NotEnabled, &issuer));
    };
    // An address the provider has not verified could be anyone's.
    if claim == "email" && claims.get("email_verified") == Some(&Value::Bool(false)) {
        tracing::warn!(%issuer, %identity, %sub, "OIDC login refused: the provider has not verified the e-mail");
        return Ok(failure(&state, Failure::Invalid, &issuer));
    }
    let (who, provider_name) = (identity.clone(), issuer.clone());
    let session = match state
        .run(move |desk| desk.login_external(&who, &provider_name))
        .await
    {
        Ok(s) => s,
        Err(AppError::Desk { code, message }) if code == "not_found" || code == "forbidden" => {
            tracing::warn!(
                %issuer, %claim, %identity, %sub, reason = %message,
                "OIDC login refused: no active staff member matches the identity"
            );
            return Ok(failure(&state, Failure::NotEnabled, &issuer));
        }
        Err(e) => return Err(e),
    };
    tracing::info!(%issuer, staff = %session.actor.username, "OIDC login");
    let page = DonePage {
        layout: Layout::piazza("Accesso effettuato"),
        next: flow.next,
    };
    let mut res = render(&page);
    let h = res.headers_mut();
    h.append(
        header::SET_COOKIE,
        session_cookie(&session.token, state.config.secure_cookies),
    );
    h.append(
        header::SET_COOKIE,
        flow_cookie("", state.config.secure_cookies, 0),
    );
    no_store(&mut res);
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flow_cookie_round_trips_and_resists_tampering() {
        let state = AppState::with_presets();
        let f = Flow::new(1_000_000, "/desk/registro".into());
        let sealed = f.seal(&state);
        assert!(
            sealed
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)),
            "{sealed}"
        );
        assert_eq!(Flow::open(&sealed, &state, 1_000_500), Some(f.clone()));
        assert_eq!(
            Flow::open(&sealed, &state, 1_000_000 + FLOW_MAX_AGE_S * 1000 + 1),
            None,
            "too old"
        );
        assert_eq!(
            Flow::open(&sealed, &state, 999_999),
            None,
            "from the future"
        );
        let other = Flow::new(1_000_000, "/desk".into());
        let swapped = sealed.replacen(&f.state, &other.state, 1);
        assert_eq!(Flow::open(&swapped, &state, 1_000_500), None);
        assert_eq!(
            Flow::open(&sealed, &AppState::with_presets(), 1_000_500),
            None,
            "another server key"
        );
        assert_eq!(f.verifier.len(), 43);
        assert_eq!(f.challenge().len(), 43);
    }

    #[test]
    fn state_comparison() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "abcd"));
    }
}
