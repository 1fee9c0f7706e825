//! Meta's error bodies and what each one means for the outbox.
//!
//! Source: <https://developers.facebook.com/docs/graph-api/guides/error-handling>
//! (codes 1, 2, 4, 10, 17, 32, 100, 102, 190, 200-299, 341, 368, 613),
//! <https://developers.facebook.com/docs/graph-api/overview/rate-limiting>
//! (80001 Pages, 80002 Instagram and the other 800xx business use case
//! throttles), <https://developers.facebook.com/docs/messenger-platform/discovery/private-replies>
//! (10900 already replied, 10903 cannot be replied to).

use std::time::Duration;

use serde_json::Value;

use super::usage::{DEFAULT_RATE_LIMIT_WAIT, POLICY_BLOCK_WAIT};
use crate::connector::{Failure, PermanentCode};

/// Meta's messages are kept, but not without end.
const MAX_MESSAGE: usize = 400;

/// The `error` object of a Graph error answer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct GraphError {
    pub code: Option<i64>,
    pub subcode: Option<i64>,
    pub message: String,
    pub is_transient: bool,
}

fn int(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n.as_i64(),
        // Some answers quote their numbers.
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

impl GraphError {
    /// The `error` object of a body, if it has one.
    pub fn from_body(body: &Value) -> Option<GraphError> {
        let e = body.get("error")?;
        match e {
            Value::Object(o) => Some(GraphError {
                code: int(o.get("code")),
                subcode: int(o.get("error_subcode")),
                message: o
                    .get("message")
                    .and_then(Value::as_str)
                    .or_else(|| o.get("error_user_msg").and_then(Value::as_str))
                    .unwrap_or_default()
                    .to_string(),
                is_transient: o.get("is_transient").and_then(Value::as_bool) == Some(true),
            }),
            // Very old endpoints answer `{"error": "text"}`.
            Value::String(s) => Some(GraphError {
                message: s.clone(),
                ..GraphError::default()
            }),
            _ => None,
        }
    }

    /// `Meta 190/463: Error validating access token...`
    pub fn describe(&self, status: u16) -> String {
        let mut m = match (self.code, self.subcode) {
            (Some(c), Some(s)) => format!("Meta {c}/{s}"),
            (Some(c), None) => format!("Meta {c}"),
            (None, _) => format!("Meta HTTP {status}"),
        };
        if !self.message.is_empty() {
            m.push_str(": ");
            let mut msg: String = self.message.chars().take(MAX_MESSAGE).collect();
            if msg.len() < self.message.len() {
                msg.push('…');
            }
            m.push_str(&msg);
        }
        m
    }
}

/// What the call was, where that changes the meaning of an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Context {
    Other,
    /// Hiding or showing a comment: Meta refuses some comments (by the
    /// Page itself, on reviews, live...).
    Hide,
}

fn permanent(code: PermanentCode, message: String) -> Failure {
    Failure::Permanent { code, message }
}

/// The failure for an error answer. `usage_wait` is what the response's
/// rate-limit headers announce (a regain time), used for the rate-limit
/// codes.
pub(crate) fn classify(
    status: u16,
    error: Option<&GraphError>,
    usage_wait: Option<Duration>,
    context: Context,
) -> Failure {
    let message = match error {
        Some(e) => e.describe(status),
        None => format!("Meta HTTP {status}"),
    };
    let rate_limited = |default: Duration| Failure::RateLimited {
        message: message.clone(),
        retry_after: usage_wait.unwrap_or(default),
    };
    let code = error.and_then(|e| e.code);
    let subcode = error.and_then(|e| e.subcode);
    match code {
        // "Temporary issue due to downtime": retry.
        Some(1 | 2) => Failure::Transient {
            message,
            retry_after: None,
        },
        // App, user, Pages-with-user-token and custom limits, "application
        // limit reached" (341) and the business use case throttles (80001
        // Pages, 80002 Instagram, 80003-80014 other use cases).
        Some(4 | 17 | 32 | 341 | 613 | 80_000..=80_099) => rate_limited(DEFAULT_RATE_LIMIT_WAIT),
        // Temporarily blocked for policy violations: wait, long.
        Some(368) => rate_limited(POLICY_BLOCK_WAIT),
        // Expired, revoked, invalid token (any subcode: 458, 459, 460, 463,
        // 464, 467, 492); 102 is the older "API session" form of the same.
        Some(190 | 102) => permanent(PermanentCode::TokenInvalid, message),
        // Messenger's "outside of the allowed window" is code 10 too, but
        // no permission fixes it (Messenger Platform error codes).
        Some(10) if subcode == Some(2_018_278) => permanent(PermanentCode::NotAllowed, message),
        Some(10 | 200..=299) => permanent(PermanentCode::PermissionMissing, message),
        Some(100) if subcode == Some(33) => permanent(PermanentCode::ObjectGone, message),
        // A private reply that can no longer be sent (older than 7 days,
        // already answered in a conversation).
        Some(10_903) => permanent(PermanentCode::NotAllowed, message),
        // Meta's answer to hiding a comment that cannot be hidden is not
        // documented (the `can_hide` field says when): recognised by its
        // words, defensively.
        Some(100) if context == Context::Hide && mentions_hiding(&message) => {
            permanent(PermanentCode::NotAllowed, message)
        }
        Some(100) => permanent(PermanentCode::Rejected, message),
        _ if error.is_some_and(|e| e.is_transient) => Failure::Transient {
            message,
            retry_after: None,
        },
        _ if status == 429 => rate_limited(DEFAULT_RATE_LIMIT_WAIT),
        _ if status >= 500 => Failure::Transient {
            message,
            retry_after: None,
        },
        _ => permanent(PermanentCode::Rejected, message),
    }
}

fn mentions_hiding(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("can_hide")
        || m.contains("cannot be hidden")
        || m.contains("can't be hidden")
        || m.contains("cannot hide")
        || m.contains("can't hide")
        || m.contains("not allowed to hide")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(code: i64, subcode: Option<i64>) -> GraphError {
        GraphError {
            code: Some(code),
            subcode,
            message: "m".into(),
            is_transient: false,
        }
    }

    fn perm(f: &Failure) -> Option<PermanentCode> {
        match f {
            Failure::Permanent { code, .. } => Some(*code),
            _ => None,
        }
    }

    #[test]
    fn every_documented_code_has_its_meaning() {
        let c = |code, sub| classify(400, Some(&err(code, sub)), None, Context::Other);
        assert!(matches!(c(1, None), Failure::Transient { .. }));
        assert!(matches!(c(2, None), Failure::Transient { .. }));
        for code in [4, 17, 32, 613, 80_001, 80_002] {
            assert_eq!(
                c(code, None),
                Failure::RateLimited {
                    message: format!("Meta {code}: m"),
                    retry_after: DEFAULT_RATE_LIMIT_WAIT
                }
            );
        }
        assert!(
            matches!(c(368, None), Failure::RateLimited { retry_after, .. } if retry_after == POLICY_BLOCK_WAIT)
        );
        for sub in [None, Some(458), Some(463), Some(492)] {
            assert_eq!(perm(&c(190, sub)), Some(PermanentCode::TokenInvalid));
        }
        for code in [10, 200, 230, 299] {
            assert_eq!(perm(&c(code, None)), Some(PermanentCode::PermissionMissing));
        }
        assert_eq!(
            perm(&c(10, Some(2_018_278))),
            Some(PermanentCode::NotAllowed)
        );
        assert_eq!(perm(&c(100, Some(33))), Some(PermanentCode::ObjectGone));
        assert_eq!(perm(&c(100, None)), Some(PermanentCode::Rejected));
        assert_eq!(perm(&c(10_903, None)), Some(PermanentCode::NotAllowed));
        assert_eq!(perm(&c(12_345, None)), Some(PermanentCode::Rejected));
    }

    #[test]
    fn the_regain_time_of_the_headers_wins_over_the_default() {
        let f = classify(
            400,
            Some(&err(80_001, None)),
            Some(Duration::from_secs(420)),
            Context::Other,
        );
        assert!(
            matches!(f, Failure::RateLimited { retry_after, .. } if retry_after.as_secs() == 420)
        );
    }

    #[test]
    fn unknown_codes_follow_the_http_status() {
        let e = err(99_999, None);
        assert!(matches!(
            classify(503, Some(&e), None, Context::Other),
            Failure::Transient { .. }
        ));
        assert!(matches!(
            classify(502, None, None, Context::Other),
            Failure::Transient { .. }
        ));
        assert!(matches!(
            classify(429, None, None, Context::Other),
            Failure::RateLimited { .. }
        ));
        assert_eq!(
            perm(&classify(404, None, None, Context::Other)),
            Some(PermanentCode::Rejected)
        );
        let t = GraphError {
            is_transient: true,
            ..e
        };
        assert!(matches!(
            classify(400, Some(&t), None, Context::Other),
            Failure::Transient { .. }
        ));
    }

    #[test]
    fn a_comment_that_cannot_be_hidden_is_not_allowed_only_when_hiding() {
        let e = GraphError {
            code: Some(100),
            subcode: None,
            message: "(#100) This comment cannot be hidden".into(),
            is_transient: false,
        };
        assert_eq!(
            perm(&classify(400, Some(&e), None, Context::Hide)),
            Some(PermanentCode::NotAllowed)
        );
        assert_eq!(
            perm(&classify(400, Some(&e), None, Context::Other)),
            Some(PermanentCode::Rejected)
        );
    }

    #[test]
    fn bodies_and_messages() {
        let body: Value = serde_json::from_str(
            r#"{"error":{"message":"Error validating access token: Session has expired","type":"OAuthException","code":190,"error_subcode":463,"fbtrace_id":"Ab1"}}"#,
        )
        .unwrap();
        let e = GraphError::from_body(&body).unwrap();
        assert_eq!(
            e.describe(400),
            "Meta 190/463: Error validating access token: Session has expired"
        );
        let quoted: Value =
            serde_json::from_str(r#"{"error":{"code":"4","message":"x"}}"#).unwrap();
        assert_eq!(GraphError::from_body(&quoted).unwrap().code, Some(4));
        let text: Value = serde_json::from_str(r#"{"error":"boom"}"#).unwrap();
        assert_eq!(
            GraphError::from_body(&text).unwrap().describe(500),
            "Meta HTTP 500: boom"
        );
        assert_eq!(
            GraphError::from_body(&serde_json::json!({"error": 3})),
            None
        );
        let long = GraphError {
            message: "é".repeat(1000),
            ..GraphError::default()
        };
        assert!(long.describe(400).chars().count() < 420);
    }
}
