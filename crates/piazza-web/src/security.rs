//! Security headers on every response, including errors and static files.

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

/// No inline script or style anywhere: everything comes from `/static/`.
/// `img-src data:` is there because Bootstrap Italia's CSS draws some icons
/// as data URIs.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

const HEADERS: &[(&str, &str)] = &[
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "same-origin"),
    ("x-frame-options", "DENY"),
    (
        "permissions-policy",
        "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()",
    ),
    ("cross-origin-opener-policy", "same-origin"),
];

/// Adds the security headers a handler did not set itself (a handler may
/// loosen one for a reason of its own, and keeps it). Pages and API
/// answers hold personal data (comments, names, conversations): nothing is
/// kept by browsers or proxies unless the handler says otherwise, as the
/// static files do.
pub async fn security_headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    if !h.contains_key("cache-control") {
        h.insert(
            HeaderName::from_static("cache-control"),
            HeaderValue::from_static("no-store"),
        );
    }
    for (name, value) in HEADERS {
        if !h.contains_key(*name) {
            h.insert(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
    }
    res
}

/// Logs every refused request (403: a role or an account out of scope, a
/// CSRF token or an origin refused), so that someone probing the desk
/// shows in the logs (OWASP ASVS 7.2.2). Method and path only: no query,
/// no body, no cookie; the path holds ids, not personal data.
pub async fn log_refusals(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let res = next.run(req).await;
    if res.status() == StatusCode::FORBIDDEN {
        tracing::warn!(%method, path = %path, "access refused");
    }
    res
}
