//! Signing in and out.
//!
//! The login form has no session to bind its CSRF token to, so `GET
//! /accesso` sets a random pre-session cookie (HttpOnly, SameSite=Strict)
//! and the token is derived from it: a forged cross-site login fails like
//! any other forged form. Failures get one generic answer; the desk counts
//! them and locks the account after five in a row.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::api::SessionInfo;

use askama::Template;

use crate::auth::{
    Authenticated, SESSION_COOKIE, StaffSession, desk_session_id, session_cookie, session_token,
};
use crate::csrf::{CSRF_FIELD, CsrfForm, CsrfHeader};
use crate::error::AppError;
use crate::pages::{Layout, render};
use crate::state::AppState;
use crate::throttle::sign_in_allowed;

/// The pre-session cookie of the login form.
pub const PRESESSION_COOKIE: &str = "piazza_presession";

pub(crate) fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.trim_matches('"'))
        .filter(|v| !v.is_empty())
}

fn presession_binding(value: &str) -> String {
    format!("pre-session-{value}")
}

/// The CSRF token of a public form for a visitor without a session, bound
/// to the pre-session cookie; the cookie to set when the visitor has none.
pub(crate) fn presession_token(
    state: &AppState,
    headers: &HeaderMap,
) -> (String, Option<HeaderValue>) {
    let (pre, set) = match cookie_value(headers, PRESESSION_COOKIE) {
        Some(v) if v.len() == 48 && v.bytes().all(|b| b.is_ascii_hexdigit()) => {
            (v.to_string(), false)
        }
        _ => (random_hex(), true),
    };
    let token = state.csrf.token(&presession_binding(&pre));
    let cookie = set.then(|| cookie(PRESESSION_COOKIE, &pre, state.config.secure_cookies, None));
    (token, cookie)
}

/// Checks a public form's CSRF token against the pre-session cookie.
pub(crate) fn verify_presession(
    state: &AppState,
    headers: &HeaderMap,
    token: Option<&str>,
) -> Result<(), AppError> {
    let pre = cookie_value(headers, PRESESSION_COOKIE).ok_or(AppError::CsrfRejected)?;
    if state
        .csrf
        .verify(&presession_binding(pre), token.unwrap_or(""))
    {
        Ok(())
    } else {
        Err(AppError::CsrfRejected)
    }
}

fn random_hex() -> String {
    let mut b = [0u8; 24];
    getrandom::fill(&mut b).expect("the operating system has no random source");
    hex::encode(b)
}

fn cookie(name: &str, value: &str, secure: bool, max_age: Option<i64>) -> HeaderValue {
    let mut v = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if let Some(a) = max_age {
        v.push_str(&format!("; Max-Age={a}"));
    }
    if secure {
        v.push_str("; Secure");
    }
    HeaderValue::from_str(&v).expect("cookie values are visible ASCII")
}

/// Where to go after signing in: only a path of this site (`/desk...`),
/// never another origin (`//evil`, `https://...`).
pub(crate) fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && !n.contains(['\r', '\n'])
                && !n.starts_with("/accesso") =>
        {
            n.to_string()
        }
        _ => "/desk".to_string(),
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    csrf_field: &'static str,
    csrf_token: String,
    next: String,
    username: String,
    error: Option<&'static str>,
    signed_out: bool,
    /// The button to the identity provider: its address and label.
    oidc: Option<(String, String)>,
}

/// The login page's OIDC button, when a provider is configured; it
/// carries `next` so the person lands where they were going.
fn oidc_button(state: &AppState, next: &str) -> Option<(String, String)> {
    state.oidc.as_ref().map(|p| {
        (
            format!(
                "/accesso/oidc?{}",
                serde_urlencoded::to_string([("next", next)]).unwrap_or_default()
            ),
            p.config.button_label().to_string(),
        )
    })
}

#[derive(Deserialize)]
pub(crate) struct LoginQuery {
    next: Option<String>,
    uscita: Option<String>,
}

pub(crate) async fn login_page(
    State(state): State<AppState>,
    auth: Option<Authenticated>,
    Query(q): Query<LoginQuery>,
    headers: HeaderMap,
) -> Response {
    let next = safe_next(q.next.as_deref());
    if auth.is_some() {
        return Redirect::to(&next).into_response();
    }
    let (csrf_token, set_cookie) = presession_token(&state, &headers);
    let page = LoginPage {
        layout: Layout::piazza("Accesso del personale"),
        csrf_field: CSRF_FIELD,
        csrf_token,
        username: String::new(),
        error: None,
        signed_out: q.uscita.is_some(),
        oidc: oidc_button(&state, &next),
        next,
    };
    let mut res = render(&page);
    if let Some(c) = set_cookie {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    res
}

#[derive(Deserialize)]
pub(crate) struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
    csrf_token: Option<String>,
}

pub(crate) async fn login_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    ext: axum::http::Extensions,
    axum::Form(form): axum::Form<LoginForm>,
) -> Result<Response, AppError> {
    verify_presession(&state, &headers, form.csrf_token.as_deref())?;
    let token = form.csrf_token.as_deref().unwrap_or("");
    let next = safe_next(form.next.as_deref());
    match sign_in(
        &state,
        client_addr(&ext),
        form.username.trim(),
        &form.password,
    )
    .await
    {
        Ok((token, _)) => {
            let mut res = Redirect::to(&next).into_response();
            let h = res.headers_mut();
            h.append(
                header::SET_COOKIE,
                session_cookie(&token, state.config.secure_cookies),
            );
            h.append(
                header::SET_COOKIE,
                cookie(PRESESSION_COOKIE, "", state.config.secure_cookies, Some(0)),
            );
            Ok(res)
        }
        Err(AppError::LoginFailed) => {
            let page = LoginPage {
                layout: Layout::piazza("Accesso del personale"),
                csrf_field: CSRF_FIELD,
                csrf_token: token.to_string(),
                username: form.username.trim().to_string(),
                error: Some(
                    "Accesso non riuscito: nome utente o password non corretti, oppure accesso temporaneamente bloccato dopo troppi tentativi.",
                ),
                signed_out: false,
                oidc: oidc_button(&state, &next),
                next,
            };
            Ok((StatusCode::UNAUTHORIZED, render(&page)).into_response())
        }
        Err(e) => Err(e),
    }
}

/// The client's address, when the server was started with connection
/// information ([`crate::serve_on`] does; in-process tests do not).
pub(crate) fn client_addr(ext: &axum::http::Extensions) -> Option<std::net::IpAddr> {
    ext.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())
}

/// Checks the credentials and logs a refusal (ASVS 7.2.1): the client's
/// address and what was refused, never the username typed (people type
/// passwords there) nor the password. A login that succeeds is an audit
/// entry already.
async fn sign_in(
    state: &AppState,
    client: Option<std::net::IpAddr>,
    username: &str,
    password: &str,
) -> Result<(String, StaffSession), AppError> {
    let outcome = check_credentials(state, client, username, password).await;
    match &outcome {
        Err(AppError::LoginFailed) => tracing::warn!(client = ?client, "login refused"),
        Err(AppError::TooManyAttempts) => tracing::warn!(client = ?client, "login throttled"),
        _ => {}
    }
    outcome
}

/// The checks themselves: the throttles, then the desk's login (the
/// session token and the session).
async fn check_credentials(
    state: &AppState,
    client: Option<std::net::IpAddr>,
    username: &str,
    password: &str,
) -> Result<(String, StaffSession), AppError> {
    // Counted for unknown usernames too (the answer must not tell them
    // apart).
    let counted = (!username.is_empty() && username.len() <= 200).then_some(username);
    if !sign_in_allowed(state, client, counted).await? {
        return Err(AppError::TooManyAttempts);
    }
    if username.is_empty() || password.is_empty() || username.len() > 200 || password.len() > 1024 {
        return Err(AppError::LoginFailed);
    }
    let (u, p) = (username.to_string(), password.to_string());
    match state.run(move |desk| desk.login(&u, &p)).await {
        Ok(s) => {
            let session = StaffSession::of_actor(desk_session_id(s.session_id), &s.actor);
            Ok((s.token, session))
        }
        // Unknown user, wrong password, locked account: one answer.
        Err(AppError::Desk { code, .. }) if code == "forbidden" || code == "not_found" => {
            Err(AppError::LoginFailed)
        }
        Err(e) => Err(e),
    }
}

async fn sign_out(state: &AppState, headers: &HeaderMap) -> Result<(), AppError> {
    if let Some(token) = session_token(headers) {
        let token = token.to_string();
        state.run(move |desk| desk.logout(&token)).await?;
    }
    Ok(())
}

fn clear_session(state: &AppState, res: &mut Response) {
    res.headers_mut().append(
        header::SET_COOKIE,
        cookie(SESSION_COOKIE, "", state.config.secure_cookies, Some(0)),
    );
}

#[derive(Deserialize)]
pub(crate) struct Empty {}

pub(crate) async fn logout_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm { .. }: CsrfForm<Empty>,
) -> Result<Response, AppError> {
    sign_out(&state, &headers).await?;
    let mut res = Redirect::to("/accesso?uscita=1").into_response();
    clear_session(&state, &mut res);
    Ok(res)
}

// ---------------------------------------------------------------------------
// The same over JSON.

#[derive(Deserialize)]
pub(crate) struct Credentials {
    username: String,
    password: String,
}

/// `POST /api/v1/sessione`. A JSON body cannot be sent cross-site without
/// a CORS preflight, which Piazza never grants, so this call needs no CSRF
/// token.
pub(crate) async fn api_login(
    State(state): State<AppState>,
    ext: axum::http::Extensions,
    Json(c): Json<Credentials>,
) -> Result<Response, AppError> {
    let (token, session) =
        sign_in(&state, client_addr(&ext), c.username.trim(), &c.password).await?;
    let csrf_token = state.csrf.token(&session.session_id);
    let mut res = (
        StatusCode::CREATED,
        Json(SessionInfo {
            session,
            csrf_token,
        }),
    )
        .into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        session_cookie(&token, state.config.secure_cookies),
    );
    Ok(res)
}

/// `DELETE /api/v1/sessione`.
pub(crate) async fn api_logout(
    State(state): State<AppState>,
    _csrf: CsrfHeader,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    sign_out(&state, &headers).await?;
    let mut res = StatusCode::NO_CONTENT.into_response();
    clear_session(&state, &mut res);
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/desk/commenti/3")), "/desk/commenti/3");
        assert_eq!(safe_next(Some("//evil.example/x")), "/desk");
        assert_eq!(safe_next(Some("https://evil.example/")), "/desk");
        assert_eq!(safe_next(Some("/\\evil.example")), "/desk");
        assert_eq!(safe_next(Some("/accesso?next=/x")), "/desk");
        assert_eq!(safe_next(Some("/accesso/oidc?next=/x")), "/desk");
        assert_eq!(safe_next(None), "/desk");
    }
}
