//! Security headers on every response, including errors and static files.

use axum::http::{HeaderName, HeaderValue};
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
