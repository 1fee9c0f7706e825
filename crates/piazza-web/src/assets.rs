//! The static files compiled into the binary: the Bootstrap Italia kit
//! fetched by `build.rs`, the `@font-face` sheet it generates, and Piazza's
//! own small CSS and JavaScript from `static/`.
//!
//! Pages link assets through [`url`], which appends `?v=<content hash>`:
//! such a URL never changes meaning, so it is cached for a year; a URL
//! without the current hash is cached briefly and revalidated by ETag.

use axum::extract::{Path, RawQuery};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::error::AppError;

/// One embedded file.
#[derive(Debug)]
pub struct Asset {
    /// The path under `/static/`.
    pub path: &'static str,
    pub content_type: &'static str,
    /// A hash of the content (16 hex digits).
    pub hash: &'static str,
    pub bytes: &'static [u8],
}

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

/// The embedded file at `path` (relative to `/static/`).
pub fn get(path: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.path == path)
}

/// The URL of the embedded file at `path`, with its cache-busting hash.
///
/// # Panics
/// In debug builds, when no such file is embedded: a template linking a
/// missing asset is a bug to catch in tests, not in a browser.
pub fn url(path: &str) -> String {
    match get(path) {
        Some(a) => format!("/static/{}?v={}", a.path, a.hash),
        None => {
            debug_assert!(false, "no embedded asset {path}");
            format!("/static/{path}")
        }
    }
}

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "public, max-age=3600, must-revalidate";

pub(crate) async fn serve(
    Path(path): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let Some(asset) = get(&path) else {
        return AppError::NotFound.into_response();
    };
    let etag = format!("\"{}\"", asset.hash);
    let versioned = query
        .as_deref()
        .is_some_and(|q| q.split('&').any(|kv| kv == format!("v={}", asset.hash)));
    let cache = if versioned { IMMUTABLE } else { REVALIDATE };
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut res = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static(asset.content_type),
            )],
            asset.bytes,
        )
            .into_response()
    };
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(
        header::ETAG,
        HeaderValue::from_str(&etag).expect("hex hash"),
    );
    res
}
