//! Meta's webhooks: the subscription handshake, the signature of every
//! delivery, and the comments inside a delivery.
//!
//! The web layer calls, in this order: [`verify_signature`] on the raw
//! body (before anything else reads it), stores the body, answers 200, and
//! later [`parse_webhook`]. A GET with `hub.*` parameters is answered with
//! [`verify_subscription`].
//!
//! Sources: <https://developers.facebook.com/docs/graph-api/webhooks/getting-started>,
//! <https://developers.facebook.com/docs/graph-api/webhooks/reference/page/>,
//! <https://developers.facebook.com/docs/graph-api/webhooks/reference/instagram/>,
//! <https://developers.facebook.com/docs/instagram-platform/webhooks>. The
//! reference types a Page `feed` value only as "object": the fields read
//! here follow public typings and are read defensively (a missing optional
//! field is fine, a wrong type is an error naming its path).
//!
//! ```
//! use piazza_platforms::meta::webhook::parse_webhook;
//! use piazza_platforms::IncomingEvent;
//!
//! let body = br#"{"object":"page","entry":[{"id":"P1","time":1700000000,"changes":[{"field":"feed",
//!   "value":{"item":"comment","verb":"add","comment_id":"10_20","post_id":"P1_10","parent_id":"P1_10",
//!   "from":{"id":"U1","name":"Giulia"},"message":"Buongiorno","created_time":1700000000}}]}]}"#;
//! let events = parse_webhook(body).unwrap();
//! assert_eq!(events[0].platform_account, "P1");
//! let IncomingEvent::Comment(c) = &events[0].event else { panic!() };
//! assert_eq!((c.text.as_str(), c.parent_external_id.as_deref()), ("Buongiorno", None));
//! ```

use piazza_taxonomy::Platform;
use ring::hmac;
use serde_json::{Map, Value};

use super::time;
use crate::incoming::{IncomingComment, IncomingEvent, IncomingMessage, RoutedEvent};

/// The answer to Meta's subscription check (`GET ?hub.mode=subscribe&
/// hub.verify_token=…&hub.challenge=…`): the challenge to echo as the body
/// when the mode is `subscribe` and the token is the configured one, else
/// `None` (answer 403). An empty configured token never matches.
pub fn verify_subscription(
    mode: Option<&str>,
    verify_token: Option<&str>,
    challenge: Option<&str>,
    configured: &str,
) -> Option<String> {
    if mode != Some("subscribe") || configured.is_empty() {
        return None;
    }
    let token = verify_token?;
    let challenge = challenge?;
    constant_time_eq(token.as_bytes(), configured.as_bytes()).then(|| challenge.to_string())
}

/// Equality in time independent of where the inputs differ: both sides go
/// through an HMAC under a fresh key and `ring` compares the tags.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let rng = ring::rand::SystemRandom::new();
    let Ok(key) = hmac::Key::generate(hmac::HMAC_SHA256, &rng) else {
        return false;
    };
    let tag = hmac::sign(&key, b);
    hmac::verify(&key, a, tag.as_ref()).is_ok()
}

/// Why a delivery's signature was refused (for the logs; never carries the
/// secret or the expected value).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("no app secret is configured: Meta webhooks cannot be verified")]
    NoSecret,
    #[error("the X-Hub-Signature-256 header is missing")]
    Missing,
    #[error("the X-Hub-Signature-256 header is malformed: {0}")]
    Malformed(&'static str),
    #[error("the X-Hub-Signature-256 header does not match the body")]
    Mismatch,
}

/// Checks `X-Hub-Signature-256: sha256=<hex>`: the HMAC-SHA256 of the raw
/// body under the app secret, compared in constant time.
pub fn verify_signature(
    app_secret: &[u8],
    header: Option<&str>,
    body: &[u8],
) -> Result<(), SignatureError> {
    if app_secret.is_empty() {
        return Err(SignatureError::NoSecret);
    }
    let header = header.ok_or(SignatureError::Missing)?.trim();
    let hex_sig = header
        .strip_prefix("sha256=")
        .ok_or(SignatureError::Malformed(
            "it does not start with `sha256=`",
        ))?;
    if hex_sig.len() != 64 {
        return Err(SignatureError::Malformed("the digest is not 64 hex digits"));
    }
    let sig = hex::decode(hex_sig)
        .map_err(|_| SignatureError::Malformed("the digest is not hexadecimal"))?;
    let key = hmac::Key::new(hmac::HMAC_SHA256, app_secret);
    hmac::verify(&key, body, &sig).map_err(|_| SignatureError::Mismatch)
}

/// A delivery that is not what Meta documents.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("the webhook body is not JSON: {0}")]
    Json(String),
    #[error("the webhook body has no `{0}`")]
    Missing(String),
    #[error("in the webhook body, `{path}` should be {expected}")]
    Type {
        path: String,
        expected: &'static str,
    },
}

type R<T> = Result<T, WebhookError>;

fn type_err<T>(path: String, expected: &'static str) -> R<T> {
    Err(WebhookError::Type { path, expected })
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn object<'a>(v: &'a Value, path: &str) -> R<&'a Map<String, Value>> {
    match v {
        Value::Object(o) => Ok(o),
        _ => type_err(path.to_string(), "an object"),
    }
}

/// An optional string (ids may come as numbers: accepted as their digits).
fn opt_str(o: &Map<String, Value>, path: &str, key: &str) -> R<Option<String>> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) if n.is_u64() || n.is_i64() => Ok(Some(n.to_string())),
        Some(_) => type_err(join(path, key), "a string"),
    }
}

fn req_str(o: &Map<String, Value>, path: &str, key: &str) -> R<String> {
    opt_str(o, path, key)?.ok_or_else(|| WebhookError::Missing(join(path, key)))
}

/// An optional text: `message`/`text` must be a string when present.
fn opt_text(o: &Map<String, Value>, path: &str, key: &str) -> R<Option<String>> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => type_err(join(path, key), "a string"),
    }
}

/// A time: unix seconds (integer) or an ISO 8601 string, as milliseconds.
fn opt_time(o: &Map<String, Value>, path: &str, key: &str) -> R<Option<i64>> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_i64() {
            Some(i) => Ok(time::unix_to_ms(i)),
            // A float of seconds, seen in some payloads.
            None => Ok(n
                .as_f64()
                .filter(|f| f.is_finite() && f.abs() < 1e15)
                .map(|f| (f * 1000.0) as i64)),
        },
        Some(Value::String(s)) => match time::parse_iso_ms(s) {
            Some(t) => Ok(Some(t)),
            // Digits in a string: seconds.
            None => match s.trim().parse::<i64>() {
                Ok(i) => Ok(time::unix_to_ms(i)),
                Err(_) => type_err(join(path, key), "a unix time or an ISO 8601 time"),
            },
        },
        Some(_) => type_err(join(path, key), "a unix time or an ISO 8601 time"),
    }
}

/// `{"id": …, "name"|"username": …}`.
fn author(
    o: &Map<String, Value>,
    path: &str,
    name_key: &str,
) -> R<(Option<String>, Option<String>)> {
    match o.get("from") {
        None | Some(Value::Null) => Ok((None, None)),
        Some(v) => {
            let p = join(path, "from");
            let f = object(v, &p)?;
            Ok((opt_str(f, &p, "id")?, opt_text(f, &p, name_key)?))
        }
    }
}

/// Parses a delivery into events. Items other than comments (reactions,
/// posts, likes, mentions, messages...) and objects other than `page` and
/// `instagram` give no events; they are not errors.
pub fn parse_webhook(body: &[u8]) -> Result<Vec<RoutedEvent>, WebhookError> {
    let root: Value =
        serde_json::from_slice(body).map_err(|e| WebhookError::Json(e.to_string()))?;
    let top = object(&root, "(body)")?;
    let platform = match top.get("object") {
        Some(Value::String(s)) if s == "page" => Platform::Facebook,
        Some(Value::String(s)) if s == "instagram" => Platform::Instagram,
        Some(Value::String(_)) => return Ok(Vec::new()),
        Some(_) => return type_err("object".into(), "a string"),
        None => return Err(WebhookError::Missing("object".into())),
    };
    let entries = match top.get("entry") {
        Some(Value::Array(a)) => a,
        Some(_) => return type_err("entry".into(), "an array"),
        None => return Err(WebhookError::Missing("entry".into())),
    };
    let mut out = Vec::new();
    // Last resort for a comment time: the moment of parsing.
    let now = time::now_ms();
    for (i, e) in entries.iter().enumerate() {
        let path = format!("entry[{i}]");
        let entry = object(e, &path)?;
        let account = req_str(entry, &path, "id")?;
        let sent = opt_time(entry, &path, "time")?.unwrap_or(now);
        let mut changes: Vec<(String, &Value)> = Vec::new();
        match entry.get("changes") {
            None | Some(Value::Null) => {}
            Some(Value::Array(a)) => {
                for (j, c) in a.iter().enumerate() {
                    changes.push((format!("{path}.changes[{j}]"), c));
                }
            }
            Some(_) => return type_err(join(&path, "changes"), "an array"),
        }
        // Private messages (the Messenger Platform's `messaging` field,
        // also for Instagram): what a person wrote, never the account's
        // own echoes.
        if let Some(Value::Array(items)) = entry.get("messaging") {
            for (j, m) in items.iter().enumerate() {
                let mpath = format!("{path}.messaging[{j}]");
                let item = object(m, &mpath)?;
                let Some(Value::Object(message)) = item.get("message") else {
                    continue;
                };
                if message.get("is_echo").and_then(Value::as_bool) == Some(true) {
                    continue;
                }
                let Some(text) = opt_text(message, &join(&mpath, "message"), "text")? else {
                    continue;
                };
                let sender = match item.get("sender") {
                    Some(Value::Object(s)) => req_str(s, &join(&mpath, "sender"), "id")?,
                    _ => return Err(WebhookError::Missing(join(&mpath, "sender"))),
                };
                let mid = req_str(message, &join(&mpath, "message"), "mid")?;
                let at = match item.get("timestamp") {
                    Some(Value::Number(n)) => n.as_i64().unwrap_or(sent),
                    _ => sent,
                };
                out.push(RoutedEvent {
                    platform,
                    platform_account: account.clone(),
                    event: IncomingEvent::Message(IncomingMessage {
                        conversation_ref: sender.clone(),
                        external_id: mid,
                        author_ref: Some(sender),
                        author_name: None,
                        text,
                        created_at: at,
                    }),
                });
            }
        }
        // Instagram Login puts one change straight in the entry.
        if entry.contains_key("field") && entry.contains_key("value") {
            changes.push((path.clone(), e));
        }
        for (cpath, change) in changes {
            let c = object(change, &cpath)?;
            let Some(field) = opt_text(c, &cpath, "field")? else {
                continue;
            };
            let vpath = join(&cpath, "value");
            let Some(value) = c.get("value") else {
                continue;
            };
            let event = match (platform, field.as_str()) {
                (Platform::Facebook, "feed") => feed(object(value, &vpath)?, &vpath, sent)?,
                (Platform::Instagram, "comments" | "live_comments") => {
                    Some(instagram(object(value, &vpath)?, &vpath, sent)?)
                }
                _ => None,
            };
            if let Some(event) = event {
                out.push(RoutedEvent {
                    platform,
                    platform_account: account.clone(),
                    event,
                });
            }
        }
    }
    Ok(out)
}

/// A Page `feed` change: only `item: comment` matters.
fn feed(v: &Map<String, Value>, path: &str, sent: i64) -> R<Option<IncomingEvent>> {
    if opt_text(v, path, "item")?.as_deref() != Some("comment") {
        return Ok(None);
    }
    let verb = opt_text(v, path, "verb")?.unwrap_or_default();
    let at = opt_time(v, path, "created_time")?.unwrap_or(sent);
    let event = match verb.as_str() {
        "add" | "edited" | "edit" => {
            let external_id = req_str(v, path, "comment_id")?;
            let post = opt_str(v, path, "post_id")?;
            let parent = opt_str(v, path, "parent_id")?.filter(|p| Some(p) != post.as_ref());
            let (author_ref, author_name) = author(v, path, "name")?;
            let post_text = match v.get("post") {
                Some(Value::Object(p)) => opt_text(p, &join(path, "post"), "message")?,
                _ => None,
            };
            IncomingEvent::Comment(IncomingComment {
                external_id,
                post_external_id: post,
                post_text,
                parent_external_id: parent,
                author_ref,
                author_name,
                // Photo-only comments have no message: kept, with no text.
                text: opt_text(v, path, "message")?.unwrap_or_default(),
                created_at: at,
            })
        }
        "remove" | "delete" => IncomingEvent::Deleted {
            external_id: req_str(v, path, "comment_id")?,
            at,
        },
        "hide" | "unhide" => IncomingEvent::Visibility {
            external_id: req_str(v, path, "comment_id")?,
            hidden: verb == "hide",
            at,
        },
        _ => return Ok(None),
    };
    Ok(Some(event))
}

/// An Instagram `comments` / `live_comments` value.
fn instagram(v: &Map<String, Value>, path: &str, sent: i64) -> R<IncomingEvent> {
    let external_id = match opt_str(v, path, "id")? {
        Some(id) => id,
        None => req_str(v, path, "comment_id")?,
    };
    let media = match v.get("media") {
        None | Some(Value::Null) => None,
        Some(m) => {
            let p = join(path, "media");
            opt_str(object(m, &p)?, &p, "id")?
        }
    };
    let (author_ref, author_name) = author(v, path, "username")?;
    let created_at = match opt_time(v, path, "timestamp")? {
        Some(t) => Some(t),
        None => opt_time(v, path, "created_time")?,
    }
    .unwrap_or(sent);
    Ok(IncomingEvent::Comment(IncomingComment {
        external_id,
        post_external_id: media,
        post_text: None,
        parent_external_id: opt_str(v, path, "parent_id")?,
        author_ref,
        author_name,
        text: opt_text(v, path, "text")?.unwrap_or_default(),
        created_at,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(secret: &[u8], body: &[u8]) -> String {
        let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
        format!("sha256={}", hex::encode(hmac::sign(&key, body).as_ref()))
    }

    #[test]
    fn the_subscription_check_echoes_only_for_the_right_token() {
        let ok = verify_subscription(Some("subscribe"), Some("tok"), Some("1158201444"), "tok");
        assert_eq!(ok.as_deref(), Some("1158201444"));
        assert_eq!(
            verify_subscription(Some("subscribe"), Some("tok2"), Some("1"), "tok"),
            None
        );
        assert_eq!(
            verify_subscription(Some("subscribe"), Some("to"), Some("1"), "tok"),
            None
        );
        assert_eq!(
            verify_subscription(Some("unsubscribe"), Some("tok"), Some("1"), "tok"),
            None
        );
        assert_eq!(
            verify_subscription(None, Some("tok"), Some("1"), "tok"),
            None
        );
        assert_eq!(
            verify_subscription(Some("subscribe"), None, Some("1"), "tok"),
            None
        );
        assert_eq!(
            verify_subscription(Some("subscribe"), Some(""), Some("1"), ""),
            None
        );
    }

    #[test]
    fn signatures() {
        let body = br#"{"object":"page","entry":[]}"#;
        let good = sign(b"s3cret", body);
        assert_eq!(verify_signature(b"s3cret", Some(&good), body), Ok(()));
        assert_eq!(
            verify_signature(
                b"s3cret",
                Some(&good.to_uppercase().replace("SHA256=", "sha256=")),
                body
            ),
            Ok(())
        );
        assert_eq!(
            verify_signature(b"other", Some(&good), body),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_signature(b"s3cret", None, body),
            Err(SignatureError::Missing)
        );
        assert!(matches!(
            verify_signature(b"s3cret", Some(&good.replace("sha256=", "sha1=")), body),
            Err(SignatureError::Malformed(_))
        ));
        assert!(matches!(
            verify_signature(b"s3cret", Some(&good[..40]), body),
            Err(SignatureError::Malformed(_))
        ));
        assert!(matches!(
            verify_signature(
                b"s3cret",
                Some(&format!("sha256={}", "zz".repeat(32))),
                body
            ),
            Err(SignatureError::Malformed(_))
        ));
        assert_eq!(
            verify_signature(b"", Some(&good), body),
            Err(SignatureError::NoSecret)
        );
        let msg = verify_signature(b"s3cret", Some(&sign(b"x", body)), body)
            .unwrap_err()
            .to_string();
        assert!(!msg.contains("s3cret"));
    }

    #[test]
    fn errors_name_the_path() {
        let e = parse_webhook(
            br#"{"object":"page","entry":[{"id":"P","changes":[{"field":"feed","value":{"item":"status"}},{"field":"feed","value":{"item":"comment","verb":"add","comment_id":true}}]}]}"#,
        )
        .unwrap_err();
        assert_eq!(
            e,
            WebhookError::Type {
                path: "entry[0].changes[1].value.comment_id".into(),
                expected: "a string"
            }
        );
        assert_eq!(
            e.to_string(),
            "in the webhook body, `entry[0].changes[1].value.comment_id` should be a string"
        );
        assert!(matches!(parse_webhook(b"{"), Err(WebhookError::Json(_))));
        assert!(matches!(
            parse_webhook(b"[]"),
            Err(WebhookError::Type { .. })
        ));
        assert_eq!(
            parse_webhook(br#"{"object":"page"}"#),
            Err(WebhookError::Missing("entry".into()))
        );
        assert_eq!(
            parse_webhook(br#"{"object":"page","entry":[{"changes":[]}]}"#),
            Err(WebhookError::Missing("entry[0].id".into()))
        );
        assert_eq!(
            parse_webhook(br#"{"object":"page","entry":[{"id":"P","changes":[{"field":"feed","value":{"item":"comment","verb":"add"}}]}]}"#),
            Err(WebhookError::Missing("entry[0].changes[0].value.comment_id".into()))
        );
    }

    #[test]
    fn other_objects_and_fields_are_not_errors() {
        assert_eq!(
            parse_webhook(br#"{"object":"user","entry":"whatever"}"#),
            Ok(vec![])
        );
        assert_eq!(
            parse_webhook(br#"{"object":"instagram","entry":[{"id":"I","time":1,"changes":[{"field":"mentions","value":{"media_id":"1"}}]}]}"#),
            Ok(vec![])
        );
        assert_eq!(
            parse_webhook(
                br#"{"object":"page","entry":[{"id":"P","time":1,"messaging":[{"x":1}]}]}"#
            ),
            Ok(vec![])
        );
    }

    #[test]
    fn times_as_seconds_strings_or_the_entry_time() {
        let ev = |value: &str| {
            let body = format!(
                r#"{{"object":"page","entry":[{{"id":"P","time":1700000500,"changes":[{{"field":"feed","value":{value}}}]}}]}}"#
            );
            match &parse_webhook(body.as_bytes()).unwrap()[0].event {
                IncomingEvent::Comment(c) => c.created_at,
                e => panic!("{e:?}"),
            }
        };
        let base = r#""item":"comment","verb":"add","comment_id":"C""#;
        assert_eq!(
            ev(&format!(r#"{{{base},"created_time":1700000000}}"#)),
            1_700_000_000_000
        );
        assert_eq!(
            ev(&format!(
                r#"{{{base},"created_time":"2023-11-14T22:13:20+0000"}}"#
            )),
            1_700_000_000_000
        );
        assert_eq!(ev(&format!(r#"{{{base}}}"#)), 1_700_000_500_000);
    }
}
