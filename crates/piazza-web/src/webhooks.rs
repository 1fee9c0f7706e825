//! Webhooks: where platforms deliver what happens on the administration's
//! accounts. A delivery is verified on its raw bytes before anything is
//! read from it, stored as received (a repeated delivery is stored once),
//! answered at once, and processed afterwards by the worker of `piazza
//! serve`, which this handler wakes.
//!
//! - `GET /webhooks/meta`: Meta's subscription handshake: `hub.mode =
//!   subscribe` and `hub.verify_token` equal to the configured verify token
//!   echo `hub.challenge`; anything else is 403.
//! - `POST /webhooks/meta`: `X-Hub-Signature-256` must be the HMAC-SHA256
//!   of the body with the app secret (compared in constant time): a
//!   missing signature is 401, a wrong or malformed one 403, and in both
//!   cases nothing is stored.
//! - `POST /webhooks/mastodon/{account}`: an admin webhook of the
//!   administration's own Mastodon instance; `X-Hub-Signature` must be
//!   `sha256=` and the HMAC-SHA256 of the body under the secret recorded
//!   for the account: missing is 401, wrong 403 (also for an account with
//!   no secret), and then nothing is stored.
//! - `POST /webhooks/telegram/{account}`: one Telegram update for an
//!   account connected to a discussion group; the header
//!   `X-Telegram-Bot-Api-Secret-Token` must equal the account's secret
//!   (derived from its bot token, compared in constant time): missing is
//!   401, wrong 403 (also for an account without a Telegram connection,
//!   so the address tells nothing), and then nothing is stored. A
//!   repeated update is stored once.
//!
//! The answers are plain text, for machines; they never echo the body.

use axum::body::Bytes;
use axum::extract::Path;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use piazza_desk::AccountId;
use piazza_platforms::meta::webhook::{SignatureError, verify_signature, verify_subscription};
use piazza_platforms::telegram::verify_secret;

use crate::state::AppState;

/// The largest delivery accepted. Meta batches up to 1,000 changes; a
/// comment's change is well under 2 kB.
pub const MAX_DELIVERY_BYTES: usize = 4 * 1024 * 1024;

/// The largest Telegram update accepted: one message of at most 4,096
/// characters with its entities and the message it answers.
pub const MAX_TELEGRAM_UPDATE_BYTES: usize = 256 * 1024;

fn plain(status: StatusCode, body: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body,
    )
        .into_response()
}

pub(crate) async fn meta_handshake(
    State(state): State<AppState>,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let configured = state
        .config
        .meta_webhook
        .as_ref()
        .map(|m| m.verify_token.expose())
        .unwrap_or("");
    match verify_subscription(
        get("hub.mode"),
        get("hub.verify_token"),
        get("hub.challenge"),
        configured,
    ) {
        Some(challenge) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            challenge,
        )
            .into_response(),
        None => {
            tracing::warn!("Meta webhook handshake refused (mode or verify token)");
            plain(StatusCode::FORBIDDEN, "forbidden")
        }
    }
}

pub(crate) async fn meta_delivery(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(config) = state.config.meta_webhook.as_ref() else {
        // Without the app secret nothing can be verified: nothing is taken.
        return plain(StatusCode::NOT_FOUND, "webhook not configured");
    };
    let signature = headers
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok());
    if let Err(e) = verify_signature(config.app_secret.expose().as_bytes(), signature, &body) {
        tracing::warn!("Meta webhook delivery refused: {e}");
        return match e {
            SignatureError::Missing => plain(StatusCode::UNAUTHORIZED, "signature required"),
            _ => plain(StatusCode::FORBIDDEN, "invalid signature"),
        };
    }
    let stored = state
        .run(move |d| d.receive_platform_delivery("meta", &body))
        .await;
    match stored {
        Ok(_) => {
            state.worker.notify();
            plain(StatusCode::OK, "EVENT_RECEIVED")
        }
        Err(e) => {
            // Meta retries for 36 hours: a 5xx makes it try again.
            tracing::error!("Meta webhook delivery not stored: {e}");
            plain(StatusCode::SERVICE_UNAVAILABLE, "retry later")
        }
    }
}

pub(crate) async fn telegram_delivery(
    State(state): State<AppState>,
    Path(account): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header = headers
        .get("x-telegram-bot-api-secret-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    // An account that is not connected to Telegram answers like a wrong
    // secret: the address does not tell which accounts exist.
    let refuse = |why: String| {
        tracing::warn!("Telegram update refused: {why}");
        match header.as_deref() {
            None => plain(StatusCode::UNAUTHORIZED, "secret token required"),
            Some(_) => plain(StatusCode::FORBIDDEN, "invalid secret token"),
        }
    };
    let Ok(account) = account.parse::<i64>().map(AccountId) else {
        return refuse("not an account id".into());
    };
    let secret = match state.run(move |d| d.telegram_webhook_secret(account)).await {
        Ok(Some(s)) => s,
        Ok(None) => return refuse(format!("account {account} has no Telegram connection")),
        Err(e) => {
            tracing::error!("Telegram webhook secret of account {account} unavailable: {e}");
            return plain(StatusCode::SERVICE_UNAVAILABLE, "retry later");
        }
    };
    if let Err(e) = verify_secret(&secret, header.as_deref()) {
        return refuse(format!("account {account}: {e}"));
    }
    let stored = state
        .run(move |d| d.receive_platform_delivery(&format!("telegram:{account}"), &body))
        .await;
    match stored {
        Ok(_) => {
            state.worker.notify();
            plain(StatusCode::OK, "ok")
        }
        Err(e) => {
            // Telegram retries a delivery that was not answered 2xx.
            tracing::error!("Telegram update not stored: {e}");
            plain(StatusCode::SERVICE_UNAVAILABLE, "retry later")
        }
    }
}

pub(crate) async fn mastodon_delivery(
    State(state): State<AppState>,
    Path(account): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header = headers
        .get("x-hub-signature")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let refuse = |why: String| {
        tracing::warn!("Mastodon webhook delivery refused: {why}");
        match header.as_deref() {
            None => plain(StatusCode::UNAUTHORIZED, "signature required"),
            Some(_) => plain(StatusCode::FORBIDDEN, "invalid signature"),
        }
    };
    let Ok(account) = account.parse::<i64>().map(AccountId) else {
        return refuse("not an account id".into());
    };
    let secret = match state.run(move |d| d.mastodon_webhook_secret(account)).await {
        Ok(Some(s)) => s,
        Ok(None) => return refuse(format!("account {account} has no webhook secret")),
        Err(e) => {
            tracing::error!("Mastodon webhook secret of account {account} unavailable: {e}");
            return plain(StatusCode::SERVICE_UNAVAILABLE, "retry later");
        }
    };
    // The same signature as Meta's, in the WebSub header.
    if let Err(e) = verify_signature(secret.expose().as_bytes(), header.as_deref(), &body) {
        return refuse(format!("account {account}: {e}"));
    }
    let stored = state
        .run(move |d| d.receive_platform_delivery(&format!("mastodon:{account}"), &body))
        .await;
    match stored {
        Ok(_) => {
            state.worker.notify();
            plain(StatusCode::OK, "ok")
        }
        Err(e) => {
            tracing::error!("Mastodon webhook delivery not stored: {e}");
            plain(StatusCode::SERVICE_UNAVAILABLE, "retry later")
        }
    }
}
