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
}

/// The JSON body of an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ErrorBody {
    pub code: &'static str,
    pub message: &'static str,
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
        }
    }

    /// The short Italian message of the JSON body.
    pub fn message(&self) -> &'static str {
        match self {
            AppError::NotFound => "Risorsa non trovata",
            AppError::Unauthenticated => "Autenticazione richiesta",
            AppError::Forbidden => "Non hai i permessi per questa operazione",
            AppError::CsrfRejected => "Modulo scaduto o non valido: ricarica la pagina e riprova",
            AppError::BadRequest(_) => "Richiesta non valida",
            AppError::MethodNotAllowed => "Metodo non consentito",
            AppError::Internal(_) => "Errore interno del server",
        }
    }

    /// Title and explanation of the HTML error page.
    fn page_text(&self) -> (&'static str, &'static str) {
        match self {
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
        }
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
            layout: Layout::piazza(title),
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
/// axum's own bare 405 answers the error body of the rest.
pub(crate) async fn html_error_pages(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    let error = match res.extensions().get::<AppError>() {
        Some(e) => e.clone(),
        None if res.status() == StatusCode::METHOD_NOT_ALLOWED => AppError::MethodNotAllowed,
        None => return res,
    };
    if api && res.extensions().get::<AppError>().is_some() {
        return res;
    }
    let allow = res.headers().get(header::ALLOW).cloned();
    let mut out = if api {
        error.into_response()
    } else {
        error.html_page()
    };
    if let Some(allow) = allow {
        out.headers_mut().insert(header::ALLOW, allow);
    }
    out
}
