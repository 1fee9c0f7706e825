//! One Graph API call: the URL from checked ids, the token where Meta
//! documents it (`access_token` in the query of a GET or DELETE, in the
//! form body of a POST), `appsecret_proof` when an app secret is set, the
//! rate-limit headers of every answer, and errors turned into
//! [`Failure`]s. The token never reaches a message: errors are built from
//! Meta's error body or from the kind of network failure, never from the
//! request URL, and every message is scrubbed of the token all the same.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use ring::hmac;
use serde_json::Value;

use super::error::{Context, GraphError, classify};
use super::usage::{Gate, Usage, parse_app_usage, parse_business_usage};
use crate::connector::{Failure, PermanentCode};
use crate::secret::SecretString;

/// The whole call, connection included; Graph answers in well under a
/// second when healthy.
const TIMEOUT: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Graph pages are small; anything larger is not an answer we expect.
const MAX_BODY: u64 = 8 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    Get,
    Post,
    Delete,
}

/// A failed call: the failure for the outbox, with Meta's code and subcode
/// for the callers that give some of them another meaning (a delete of a
/// comment that is gone, a private reply already sent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refused {
    pub failure: Failure,
    pub code: Option<i64>,
    pub subcode: Option<i64>,
}

impl Refused {
    fn plain(failure: Failure) -> Refused {
        Refused {
            failure,
            code: None,
            subcode: None,
        }
    }

    pub fn is(&self, code: i64, subcode: Option<i64>) -> bool {
        self.code == Some(code) && (subcode.is_none() || self.subcode == subcode)
    }
}

impl From<Refused> for Failure {
    fn from(r: Refused) -> Failure {
        r.failure
    }
}

/// The body of a call.
pub(crate) enum Body<'a> {
    /// Parameters: in the query for GET and DELETE, form-encoded for POST.
    Params(&'a [(&'a str, &'a str)]),
    /// A JSON body (the Send API); the token goes in the query.
    Json(&'a Value),
}

pub(crate) struct Graph {
    /// `{graph_url}/{version}`.
    base: String,
    agent: ureq::Agent,
    token: SecretString,
    /// `appsecret_proof`: hex HMAC-SHA256 of the token under the app secret.
    proof: Option<String>,
    gate: Mutex<Gate>,
}

impl std::fmt::Debug for Graph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Graph")
            .field("base", &self.base)
            .field("token", &self.token)
            .field("appsecret_proof", &self.proof.is_some())
            .finish_non_exhaustive()
    }
}

/// `appsecret_proof` as Meta documents it: the hex HMAC-SHA256 of the access
/// token, keyed with the app secret.
pub fn appsecret_proof(app_secret: &str, token: &str) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, app_secret.as_bytes());
    hex::encode(hmac::sign(&key, token.as_bytes()).as_ref())
}

/// An id (or a fixed edge name) that may go in a URL path: Meta's ids are
/// digits and underscores; anything that could change the path or the
/// query is refused before a call is made.
fn check_segment(s: &str) -> Result<(), Refused> {
    let ok = !s.is_empty()
        && s.len() <= 200
        && s != "."
        && s != ".."
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    if ok {
        Ok(())
    } else {
        let shown: String = s.chars().take(40).collect();
        Err(Refused::plain(Failure::Permanent {
            code: PermanentCode::Rejected,
            message: format!("`{shown}` is not a Meta id"),
        }))
    }
}

impl Graph {
    pub fn new(
        graph_url: &str,
        version: &str,
        token: SecretString,
        app_secret: Option<&SecretString>,
    ) -> Graph {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(TIMEOUT))
            .timeout_connect(Some(CONNECT_TIMEOUT))
            // A redirect would carry the token somewhere else.
            .max_redirects(0)
            .http_status_as_error(false)
            .user_agent("piazza")
            .build()
            .into();
        let proof = app_secret
            .filter(|s| !s.is_empty())
            .map(|s| appsecret_proof(s.expose(), token.expose()));
        Graph {
            base: format!(
                "{}/{}",
                graph_url.trim_end_matches('/'),
                version.trim_matches('/')
            ),
            agent,
            token,
            proof,
            gate: Mutex::new(Gate::default()),
        }
    }

    pub fn token(&self) -> &SecretString {
        &self.token
    }

    pub fn usage(&self) -> Usage {
        self.gate
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .usage(Instant::now())
    }

    /// Removes the token from a text, in every form it could take in one.
    pub fn scrub(&self, s: String) -> String {
        let t = self.token.expose();
        if t.is_empty() {
            return s;
        }
        let encoded: String = form_encode(t);
        let s = s.replace(t, "***");
        if encoded != t {
            s.replace(&encoded, "***")
        } else {
            s
        }
    }

    fn scrubbed(&self, failure: Failure) -> Failure {
        match failure {
            Failure::Transient {
                message,
                retry_after,
            } => Failure::Transient {
                message: self.scrub(message),
                retry_after,
            },
            Failure::RateLimited {
                message,
                retry_after,
            } => Failure::RateLimited {
                message: self.scrub(message),
                retry_after,
            },
            Failure::Permanent { code, message } => Failure::Permanent {
                code,
                message: self.scrub(message),
            },
        }
    }

    /// One call. `path` is the list of path segments after the version.
    pub fn call(
        &self,
        method: Method,
        path: &[&str],
        body: Body<'_>,
        context: Context,
    ) -> Result<Value, Refused> {
        for s in path {
            check_segment(s)?;
        }
        if let Some(wait) = self
            .gate
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .closed_for(Instant::now())
        {
            return Err(Refused::plain(Failure::RateLimited {
                message: "Meta rate limit reached (usage headers): no call until it passes".into(),
                retry_after: wait,
            }));
        }
        let url = format!("{}/{}", self.base, path.join("/"));
        let mut auth: Vec<(&str, &str)> = vec![("access_token", self.token.expose())];
        if let Some(p) = &self.proof {
            auth.push(("appsecret_proof", p));
        }
        let result = match (method, body) {
            (Method::Get, Body::Params(p)) => self
                .agent
                .get(&url)
                .query_pairs(p.iter().copied())
                .query_pairs(auth)
                .call(),
            (Method::Delete, Body::Params(p)) => self
                .agent
                .delete(&url)
                .query_pairs(p.iter().copied())
                .query_pairs(auth)
                .call(),
            (Method::Post, Body::Params(p)) => self
                .agent
                .post(&url)
                .send_form(p.iter().copied().chain(auth)),
            (Method::Post, Body::Json(v)) => self
                .agent
                .post(&url)
                .query_pairs(auth)
                .header("content-type", "application/json")
                .send(v.to_string().as_bytes()),
            (_, Body::Json(_)) => {
                return Err(Refused::plain(Failure::Permanent {
                    code: PermanentCode::Rejected,
                    message: "a JSON body is only sent with POST".into(),
                }));
            }
        };
        let mut res = result.map_err(|e| {
            Refused::plain(Failure::Transient {
                message: self.scrub(network_message(&e)),
                retry_after: None,
            })
        })?;
        let status = res.status().as_u16();
        let header = |name: &str| {
            res.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let app = header("x-app-usage").and_then(|h| parse_app_usage(&h));
        let business = header("x-business-use-case-usage").map(|h| parse_business_usage(&h));
        let regain = business
            .as_ref()
            .and_then(|b| b.iter().map(|u| u.estimated_time_to_regain_access).max())
            .filter(|m| *m > 0)
            .map(|m| Duration::from_secs(u64::from(m) * 60));
        self.gate
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .record(app, business, Instant::now());
        let bytes = res
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_vec()
            .map_err(|e| {
                Refused::plain(Failure::Transient {
                    message: self.scrub(format!(
                        "Meta HTTP {status}: the answer broke off ({})",
                        network_message(&e)
                    )),
                    retry_after: None,
                })
            })?;
        let json: Option<Value> = serde_json::from_slice(&bytes).ok();
        let error = json.as_ref().and_then(GraphError::from_body);
        if (200..300).contains(&status) && error.is_none() {
            return json.ok_or_else(|| {
                Refused::plain(Failure::Transient {
                    message: format!("Meta HTTP {status}: the answer is not JSON"),
                    retry_after: None,
                })
            });
        }
        let failure = self.scrubbed(classify(status, error.as_ref(), regain, context));
        if let Failure::RateLimited { retry_after, .. } = &failure {
            self.gate
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .block(*retry_after, Instant::now());
        }
        Err(Refused {
            failure,
            code: error.as_ref().and_then(|e| e.code),
            subcode: error.as_ref().and_then(|e| e.subcode),
        })
    }

    pub fn get(&self, path: &[&str], params: &[(&str, &str)]) -> Result<Value, Refused> {
        self.call(Method::Get, path, Body::Params(params), Context::Other)
    }
}

/// What went wrong on the wire, without the request (whose URL carries the
/// token).
fn network_message(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Timeout(t) => format!("Meta did not answer in time ({t})"),
        ureq::Error::HostNotFound => "Meta's host was not found".into(),
        ureq::Error::ConnectionFailed => "the connection to Meta failed".into(),
        ureq::Error::Io(io) => format!("network error talking to Meta: {}", io.kind()),
        ureq::Error::BodyExceedsLimit(n) => format!("Meta's answer is larger than {n} bytes"),
        ureq::Error::Protocol(_) => "Meta's answer broke the HTTP protocol".into(),
        ureq::Error::BadUri(_) => "the Graph API URL is not valid".into(),
        _ => "HTTP error talking to Meta".into(),
    }
}

fn form_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proof_is_the_documented_hmac() {
        // HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog").
        assert_eq!(
            appsecret_proof("key", "The quick brown fox jumps over the lazy dog"),
            "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        );
    }

    #[test]
    fn only_ids_go_in_paths() {
        for ok in ["123_456", "me", "debug_token", "v1.2"] {
            assert!(check_segment(ok).is_ok(), "{ok}");
        }
        for bad in ["", ".", "..", "1/2", "1?a=b", "1#x", "a b", "è", "1%2F"] {
            assert!(check_segment(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_token_is_scrubbed_in_any_form_and_never_debugged() {
        let g = Graph::new(
            "http://127.0.0.1:9",
            "v24.0",
            SecretString::new("EAAB zq/xw"),
            Some(&SecretString::new("shh-app-key")),
        );
        assert_eq!(
            g.scrub("a EAAB zq/xw b EAAB%20zq%2Fxw c".into()),
            "a *** b *** c"
        );
        let d = format!("{g:?}");
        assert!(!d.contains("zq") && !d.contains("shh"), "{d}");
    }

    #[test]
    fn a_refused_network_call_says_why_without_the_url() {
        let g = Graph::new(
            "http://127.0.0.1:9",
            "v24.0",
            SecretString::new("EAABsecrettoken"),
            None,
        );
        let e = g.get(&["me"], &[]).unwrap_err();
        assert!(matches!(e.failure, Failure::Transient { .. }), "{e:?}");
        assert!(!format!("{e:?}").contains("EAABsecrettoken"));
    }
}
