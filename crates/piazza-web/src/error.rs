//! One error enum for every route, with stable snake_case codes and Italian
//! messages.
//!
//! A handler returns `Result<_, AppError>`; the error becomes a JSON body
//! `{"code": ..., "message": ...}`. For anything outside `/api/` the
//! [`html_error_pages`] middleware turns that same error into an Italian
//! HTML page, so handlers never need to know who is asking.

use axum::Json;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::auth::Authenticated;
use crate::pages::{self, Layout};

/// Everything a request can fail with. The codes are part of the API: the UI
/// and API clients match on them, so they never change once published.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("authentication required")]
    Unauthenticated,
    #[error("forbidden")]
    Forbidden,
    #[error("CSRF token missing or invalid")]
    CsrfRejected,
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("method not allowed")]
    MethodNotAllowed,
    /// The detail is logged, never shown: it may name tables or paths.
    #[error("internal error: {0}")]
    Internal(String),
    /// Wrong user name or password, or a locked account: one answer for
    /// all, so that user names cannot be probed.
    #[error("login failed")]
    LoginFailed,
    /// Too many login attempts from one address within a minute.
    #[error("too many login attempts")]
    TooManyAttempts,
    /// A refusal of the desk core, with its stable code and Italian message.
    #[error("{code}: {message}")]
    Desk { code: &'static str, message: String },
}

impl From<piazza_desk::DeskError> for AppError {
    fn from(e: piazza_desk::DeskError) -> AppError {
        match e.code() {
            "storage" => AppError::Internal(e.to_string()),
            code => AppError::Desk {
                code,
                message: e.message_it(),
            },
        }
    }
}

/// The JSON body of an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorBody {
    pub code: &'static str,
    pub message: String,
}

impl AppError {
    /// Every code, in declaration order (the OpenAPI document lists them).
    pub const CODES: &'static [&'static str] = &[
        "not_found",
        "unauthenticated",
        "forbidden",
        "csrf_rejected",
        "bad_request",
        "method_not_allowed",
        "internal",
        "login_failed",
        "too_many_attempts",
        // The desk's codes (`piazza_desk::DeskError::code`); its `storage`
        // errors are `internal` here.
        "out_of_scope",
        "conflict",
        "clause_required",
        "clause_not_applicable",
        "invalid_input",
        "invalid_policy",
        "second_moderator",
        "handover_incomplete",
        "not_supported",
        "duplicate",
        "storage_unavailable",
    ];

    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound => "not_found",
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden => "forbidden",
            AppError::CsrfRejected => "csrf_rejected",
            AppError::BadRequest(_) => "bad_request",
            AppError::MethodNotAllowed => "method_not_allowed",
            AppError::Internal(_) => "internal",
            AppError::LoginFailed => "login_failed",
            AppError::TooManyAttempts => "too_many_attempts",
            AppError::Desk { code, .. } => code,
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::CsrfRejected => StatusCode::FORBIDDEN,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::LoginFailed => StatusCode::UNAUTHORIZED,
            AppError::TooManyAttempts => StatusCode::TOO_MANY_REQUESTS,
            AppError::Desk { code, .. } => match *code {
                "not_found" => StatusCode::NOT_FOUND,
                "forbidden" | "out_of_scope" => StatusCode::FORBIDDEN,
                "conflict" | "duplicate" => StatusCode::CONFLICT,
                "storage" => StatusCode::INTERNAL_SERVER_ERROR,
                // The database is full, read-only or unreachable: the
                // message says which, and nothing was recorded.
                "storage_unavailable" => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            },
        }
    }

    /// The short Italian message of the JSON body.
    pub fn message(&self) -> String {
        let m = match self {
            AppError::Desk { message, .. } => return message.clone(),
            AppError::NotFound => "Risorsa non trovata",
            AppError::Unauthenticated => "Autenticazione richiesta",
            AppError::Forbidden => "Non hai i permessi per questa operazione",
            AppError::CsrfRejected => "Modulo scaduto o non valido: ricarica la pagina e riprova",
            AppError::BadRequest(_) => "Richiesta non valida",
            AppError::MethodNotAllowed => "Metodo non consentito",
            AppError::Internal(_) => "Errore interno del server",
            AppError::LoginFailed => "Nome utente o password non corretti",
            AppError::TooManyAttempts => "Troppi tentativi di accesso: riprova tra un minuto",
        };
        m.to_string()
    }

    /// Title and explanation of the HTML error page.
    fn page_text(&self) -> (String, String) {
        let (title, text) = match self {
            AppError::Desk { code, message } => {
                let title = match *code {
                    "not_found" => "Elemento non trovato",
                    "forbidden" | "out_of_scope" => "Accesso non consentito",
                    "conflict" => "Modifica concorrente",
                    "duplicate" => "Elemento già esistente",
                    _ => "Operazione non eseguita",
                };
                return (title.to_string(), message.clone());
            }
            AppError::LoginFailed => (
                "Accesso non riuscito",
                "Nome utente o password non corretti.",
            ),
            AppError::TooManyAttempts => (
                "Troppi tentativi di accesso",
                "Da questo indirizzo sono arrivati troppi tentativi di accesso in poco tempo. Attendi un minuto e riprova.",
            ),
            AppError::NotFound => (
                "Pagina non trovata",
                "La pagina che cerchi non esiste o è stata spostata. Controlla l’indirizzo oppure torna all’elenco delle amministrazioni.",
            ),
            AppError::Unauthenticated => (
                "Accesso richiesto",
                "Questa pagina è riservata al personale dell’amministrazione: accedi con le tue credenziali per continuare.",
            ),
            AppError::Forbidden => (
                "Accesso non consentito",
                "Il tuo profilo non ha i permessi per vedere questa pagina o per compiere questa operazione.",
            ),
            AppError::CsrfRejected => (
                "Modulo scaduto",
                "Il modulo che hai inviato è scaduto o non è valido. Torna alla pagina precedente, ricaricala e riprova: nessuna modifica è stata registrata.",
            ),
            AppError::BadRequest(_) => (
                "Richiesta non valida",
                "La richiesta contiene dati non validi. Torna alla pagina precedente e controlla i campi.",
            ),
            AppError::MethodNotAllowed => (
                "Operazione non consentita",
                "Questo indirizzo non accetta l’operazione richiesta.",
            ),
            AppError::Internal(_) => (
                "Errore interno",
                "Si è verificato un errore imprevisto. Riprova tra qualche minuto; se il problema persiste, contatta l’assistenza.",
            ),
        };
        (title.to_string(), text.to_string())
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            code: self.code(),
            message: self.message(),
        }
    }

    /// The error as an HTML page (what browsers get outside `/api/`).
    pub fn html_page(&self) -> Response {
        let (title, text) = self.page_text();
        let page = pages::ErrorPage {
            layout: Layout::piazza(&title),
            title,
            text,
            code: self.code(),
            status: self.status().as_u16(),
        };
        (self.status(), pages::render(&page)).into_response()
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(detail) = &self {
            tracing::error!(%detail, "internal error");
        }
        let mut res = (self.status(), Json(self.body())).into_response();
        if self == AppError::Unauthenticated {
            // RFC 9110 wants a challenge with every 401; the session cookie
            // is the only scheme.
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Cookie realm=\"piazza\""),
            );
        }
        if self == AppError::TooManyAttempts {
            // The throttle counts per minute: at most a minute to wait.
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
        }
        // Left for `html_error_pages`, which renders the page when a browser
        // asked for a page.
        res.extensions_mut().insert(self);
        res
    }
}

/// No route matched. Under `/api/` an anonymous caller gets 401 whatever
/// the path, so the API does not reveal which protected routes exist.
pub(crate) async fn fallback(auth: Option<Authenticated>, req: Request) -> AppError {
    if req.uri().path().starts_with("/api/") && auth.is_none() {
        AppError::Unauthenticated
    } else {
        AppError::NotFound
    }
}

/// Renders errors as HTML pages for every path outside `/api/`, and gives
/// axum's own bare 405 answers the error body of the rest. A page that
/// needs a session sends a browser without one to the login page, which
/// brings it back afterwards.
pub(crate) async fn html_error_pages(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let get = req.method() == axum::http::Method::GET;
    let here = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    let res = next.run(req).await;
    if !api && get && res.extensions().get::<AppError>() == Some(&AppError::Unauthenticated) {
        let to = format!(
            "/accesso?{}",
            serde_urlencoded::to_string([("next", here.as_str())]).unwrap_or_default()
        );
        return axum::response::Redirect::to(&to).into_response();
    }
    let plain_text = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    let error = match res.extensions().get::<AppError>() {
        Some(e) => e.clone(),
        None if res.status() == StatusCode::METHOD_NOT_ALLOWED => AppError::MethodNotAllowed,
        // axum's own refusals of a body or a path (malformed JSON, a wrong
        // content type, an id that is not a number) are plain text: under
        // `/api/` they get the JSON error format, with their status.
        None if api && plain_text && res.status().is_client_error() => {
            let status = res.status();
            let bytes = axum::body::to_bytes(res.into_body(), 16 * 1024)
                .await
                .unwrap_or_default();
            let detail = String::from_utf8_lossy(&bytes).trim().to_string();
            let code = match status {
                StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
                StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
                StatusCode::UNPROCESSABLE_ENTITY => "invalid_input",
                _ => "bad_request",
            };
            return (
                status,
                Json(ErrorBody {
                    code,
                    message: format!("Richiesta non valida: {detail}"),
                }),
            )
                .into_response();
        }
        None => return res,
    };
    if api && res.extensions().get::<AppError>().is_some() {
        return res;
    }
    let allow = res.headers().get(header::ALLOW).cloned();
    let retry = res.headers().get(header::RETRY_AFTER).cloned();
    let mut out = if api {
        error.into_response()
    } else {
        error.html_page()
    };
    if let Some(allow) = allow {
        out.headers_mut().insert(header::ALLOW, allow);
    }
    if let Some(retry) = retry {
        out.headers_mut().insert(header::RETRY_AFTER, retry);
    }
    out
}
