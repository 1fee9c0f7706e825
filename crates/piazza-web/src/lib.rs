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
//! What exists today needs no database: the public pages (`/`,
//! `/enti/{slug}/policy`, `/enti/{slug}/account`), the public API
//! (`/api/v1/enti`, `/api/v1/enti/{slug}/policy`, `/api/v1/openapi.json`),
//! and the shapes the staff desk plugs into: [`SessionLookup`] behind the
//! [`Authenticated`] extractor, [`CsrfKey`] with the [`CsrfForm`] and
//! [`CsrfHeader`] extractors, the [`AppError`] enum, and [`ApiRouter`], which
//! keeps the OpenAPI document honest.
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

mod api;
pub mod assets;
mod auth;
mod csrf;
mod error;
mod pages;
mod security;
mod state;

use std::net::SocketAddr;

use axum::Router;
use tokio::net::TcpListener;

pub use api::{ApiRoute, ApiRouter, api_routes, openapi};
pub use auth::{
    Authenticated, InMemorySessions, SESSION_COOKIE, SessionLookup, StaffSession, session_cookie,
    session_token,
};
pub use csrf::{CSRF_FIELD, CSRF_HEADER, CsrfForm, CsrfHeader, CsrfKey};
pub use error::AppError;
pub use security::{CONTENT_SECURITY_POLICY, security_headers};
pub use state::AppState;

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
        .merge(api)
        .merge(extra)
        .route("/static/{*path}", axum::routing::get(assets::serve))
        .fallback(error::fallback)
        .layer(axum::middleware::from_fn(error::html_error_pages))
        .layer(axum::middleware::map_response(security_headers))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// Binds `addr` and serves [`app`] until Ctrl-C or SIGTERM.
pub async fn serve(addr: SocketAddr, state: AppState) -> std::io::Result<()> {
    let listener = TcpListener::bind(addr).await?;
    serve_on(listener, state).await
}

/// Serves [`app`] on an already bound listener (tests and the browser
/// harness bind port 0 and read the address back).
pub async fn serve_on(listener: TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(listener, app(state))
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
