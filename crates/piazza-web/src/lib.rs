//! Piazza's HTTP face: server-rendered pages in the Bootstrap Italia style,
//! the JSON API under `/api/v1`, staff sessions, CSRF protection and the
//! security headers every response carries.
//!
//! The whole HTTP stack is one [`axum::Router`] built by [`app`] from an
//! [`AppState`], so tests drive it in-process with `tower::ServiceExt::oneshot`
//! exactly as a browser would over TCP, and [`serve`] only binds a socket.
//! Everything a browser loads is compiled into the binary: the templates
//! (askama) and the Bootstrap Italia kit (CSS, JavaScript, SVG sprite, Titillium
//! Web and the other fonts), which `build.rs` fetches from the npm registry
//! with `npm ci` against the committed lock file.
//!
//! The state is the desk core ([`piazza_desk::Desk`]) plus a [`WebConfig`]:
//! a deployment builds it with [`AppState::new`] and serves it with
//! [`serve`]; tests and examples use [`AppState::with_presets`] (a temporary
//! SQLite desk seeded with the five presets) or [`AppState::scratch`].
//!
//! Routes:
//! - public pages: `/`, `/enti/{slug}/policy`, `/enti/{slug}/account`,
//!   `/enti/{slug}/statistiche` (aggregate statistics per clause),
//!   `/enti/{slug}/registro-verifiche` (signed checkpoints of the audit log);
//! - staff: `/accesso` (login form, CSRF-bound to a pre-session cookie),
//!   `/uscita` (logout), `/accesso/oidc` and `/accesso/oidc/ritorno` (login
//!   through the administration's identity provider, when configured: see
//!   [`oidc`]), and the desk: `/desk` (inbox with filters, keyboard
//!   shortcuts and bulk decisions), `/desk/commenti/{id}` (one item, its
//!   decision forms and history), `/desk/registro`, `/desk/policy`,
//!   `/desk/audit`, `/desk/report` and `/desk/report.csv`;
//! - the JSON API under `/api/v1`, described by `/api/v1/openapi.json`
//!   ([`openapi`]), with the same use cases;
//! - the platforms' webhooks: `/webhooks/meta`, `/webhooks/telegram/{account}`
//!   ([`webhooks`]).
//!
//! Every desk route checks the person's roles before calling the desk, and
//! the desk checks roles and account scope again; the desk's refusals become
//! HTTP statuses with their stable codes ([`AppError::Desk`]). A page that
//! needs a session sends an anonymous browser to `/accesso?next=...` (303);
//! the API answers 401. Forms carry a CSRF token ([`CsrfForm`]), API writes
//! an `X-CSRF-Token` header ([`CsrfHeader`]).
//!
//! ```
//! use piazza_web::{app, AppState};
//! use tower::ServiceExt;
//! use axum::{body::Body, http::Request};
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let router = app(AppState::with_presets());
//! let res = router
//!     .oneshot(Request::get("/enti/cento/policy").body(Body::empty()).unwrap())
//!     .await
//!     .unwrap();
//! assert_eq!(res.status(), 200);
//! assert!(res.headers().contains_key("content-security-policy"));
//! # });
//! ```

// The hand-written OpenAPI document is one large `json!` literal.
#![recursion_limit = "512"]

mod api;
mod appeals;
pub mod assets;
mod audit;
mod auth;
mod checkpoints;
mod citizens;
mod conversations;
mod csrf;
mod desk;
mod desk_api;
mod diff;
mod drafts;
mod editorial;
mod error;
mod login;
pub mod oidc;
mod pages;
mod policy_desk;
mod registry;
mod reports;
mod security;
mod state;
mod throttle;
mod tickets;
mod transparency;
mod views;
pub mod webhooks;

use std::net::SocketAddr;

use axum::Router;
use tokio::net::TcpListener;

pub use api::{ApiRoute, ApiRouter, api_routes, openapi};
pub use auth::{
    Authenticated, DeskSessions, InMemorySessions, SESSION_COOKIE, SessionLookup, StaffSession,
    session_cookie, session_token,
};
pub use csrf::{CSRF_FIELD, CSRF_HEADER, CsrfForm, CsrfHeader, CsrfKey};
pub use error::AppError;
pub use login::PRESESSION_COOKIE;
pub use oidc::{OidcConfig, OidcConfigError};
pub use security::{CONTENT_SECURITY_POLICY, security_headers};
pub use state::{AppState, MetaWebhook, WebConfig, WorkerSignal};
pub use throttle::{
    AddressThrottle, LOGIN_ATTEMPTS_PER_MINUTE, LOGIN_ATTEMPTS_PER_USERNAME_MINUTE,
};

/// The whole HTTP application: pages, API, static assets, error pages and
/// security headers.
///
/// The desk's pages belong in a module merged here like `pages`, its JSON
/// routes in [`api_routes`]: routes added to the returned router afterwards
/// would miss the layers (axum applies a layer to the routes that exist
/// when it is added), so use [`app_with`] for those.
pub fn app(state: AppState) -> Router {
    app_with(state, Router::new())
}

/// [`app`] with `extra` routes merged in under the same layers (error
/// pages, security headers, tracing). Tests use it to mount routes shaped
/// like the desk's.
pub fn app_with(state: AppState, extra: Router<AppState>) -> Router {
    let (api, _) = api_routes().into_parts();
    Router::new()
        .merge(pages::routes())
        .merge(desk_routes())
        .merge(api)
        .merge(extra)
        .route("/static/{*path}", axum::routing::get(assets::serve))
        .route(
            "/webhooks/meta",
            axum::routing::get(webhooks::meta_handshake)
                .post(webhooks::meta_delivery)
                .layer(axum::extract::DefaultBodyLimit::max(
                    webhooks::MAX_DELIVERY_BYTES,
                )),
        )
        .route(
            "/webhooks/mastodon/{account}",
            axum::routing::post(webhooks::mastodon_delivery).layer(
                axum::extract::DefaultBodyLimit::max(webhooks::MAX_DELIVERY_BYTES),
            ),
        )
        .route(
            "/webhooks/telegram/{account}",
            axum::routing::post(webhooks::telegram_delivery).layer(
                axum::extract::DefaultBodyLimit::max(webhooks::MAX_TELEGRAM_UPDATE_BYTES),
            ),
        )
        .fallback(error::fallback)
        .layer(axum::middleware::from_fn(error::html_error_pages))
        .layer(axum::middleware::from_fn(security::log_refusals))
        .layer(axum::middleware::map_response(security_headers))
        // Bootstrap Italia's stylesheet alone is 600 kB; offices on slow
        // lines get it, and every page, gzipped when the browser asks.
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// The staff pages: signing in and out, and the desk.
fn desk_routes() -> Router<AppState> {
    use axum::routing::{get, post};
    Router::new()
        .route("/accesso", get(login::login_page).post(login::login_submit))
        .route("/uscita", post(login::logout_submit))
        .route("/accesso/oidc", get(oidc::start))
        .route(oidc::CALLBACK_PATH, get(oidc::callback))
        .route("/desk", get(desk::inbox))
        .route("/desk/azioni", post(desk::bulk_submit))
        .route("/desk/commenti/{id}", get(desk::item))
        .route("/desk/commenti/{id}/azione", post(desk::act_submit))
        .route(
            "/desk/bozze",
            get(drafts::drafts_page).post(drafts::create_submit),
        )
        .route("/desk/bozze/{id}", get(drafts::draft_detail))
        .route("/desk/bozze/{id}/versione", post(drafts::revise_submit))
        .route("/desk/bozze/{id}/commento", post(drafts::comment_submit))
        .route("/desk/bozze/{id}/invia", post(drafts::submit_submit))
        .route("/desk/bozze/{id}/decisione", post(drafts::decide_submit))
        .route("/desk/calendario", get(editorial::calendar))
        .route(
            "/desk/elezioni",
            get(editorial::elections).post(editorial::add_period),
        )
        .route("/desk/elezioni/persone", post(editorial::add_person))
        .route(
            "/desk/elezioni/persone/{id}/togli",
            post(editorial::remove_person),
        )
        .route(
            "/desk/elezioni/{id}/registro.csv",
            get(editorial::period_record_csv),
        )
        .route("/desk/bozze/{id}/pubblica", post(drafts::publish_submit))
        .route("/desk/bozze/{id}/urgenza", post(drafts::urgent_submit))
        .route("/desk/bozze/{id}/rilancia", post(drafts::relay_submit))
        .route(
            "/desk/richieste/{id}/accogli",
            post(drafts::accept_request_submit),
        )
        .route(
            "/desk/richieste/{id}/respingi",
            post(drafts::decline_request_submit),
        )
        .route(
            "/desk/bozze/{id}/riprova",
            post(drafts::retry_publication_submit),
        )
        .route(
            "/desk/conversazioni",
            get(conversations::conversations_page),
        )
        .route(
            "/desk/conversazioni/{id}",
            get(conversations::conversation_page),
        )
        .route(
            "/desk/conversazioni/{id}/rispondi",
            post(conversations::reply_submit),
        )
        .route(
            "/desk/conversazioni/{id}/chiudi",
            post(conversations::close_submit),
        )
        .route("/desk/riesami", get(appeals::appeals_page))
        .route("/desk/riesami/registra", post(appeals::record_submit))
        .route("/desk/riesami/{id}", get(appeals::appeal_detail))
        .route("/desk/riesami/{id}/esito", post(appeals::decide_submit))
        .route("/desk/segnalazioni", get(appeals::user_reports_page))
        .route(
            "/desk/segnalazioni/{id}/chiudi",
            post(appeals::close_report_submit),
        )
        .route("/desk/ticket", get(tickets::list))
        .route("/desk/ticket/{id}", get(tickets::show))
        .route("/desk/ticket/{id}/{passo}", post(tickets::step))
        .route("/desk/audit", get(audit::audit_page))
        .route("/desk/registro", get(registry::registry_page))
        .route("/desk/policy", get(policy_desk::policy_page))
        .route("/desk/policy/anteprima", post(policy_desk::preview_submit))
        .route("/desk/policy/attiva", post(policy_desk::activate_submit))
        .route("/desk/report", get(reports::reports_page))
        .route("/desk/report.csv", get(reports::report_csv))
        .route(
            "/desk/registro/consegne/{id}/passo",
            post(registry::step_submit),
        )
        .route(
            "/desk/registro/consegne/{id}/firma",
            post(registry::sign_off_submit),
        )
        .route(
            "/desk/registro/collegamenti/{account}/verifica",
            post(registry::check_submit),
        )
        .route(
            "/desk/registro/passi/{id}/riprova",
            post(registry::retry_submit),
        )
}

/// Binds `addr` and serves [`app`] until Ctrl-C or SIGTERM.
pub async fn serve(addr: SocketAddr, state: AppState) -> std::io::Result<()> {
    let listener = TcpListener::bind(addr).await?;
    serve_on(listener, state).await
}

/// Serves [`app`] on an already bound listener (tests and the browser
/// harness bind port 0 and read the address back).
pub async fn serve_on(listener: TcpListener, state: AppState) -> std::io::Result<()> {
    // The peer address feeds the login throttle.
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        // If the handler cannot be installed the server simply runs until
        // killed, which is what it would do without graceful shutdown.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
