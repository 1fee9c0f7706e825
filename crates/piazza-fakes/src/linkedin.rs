//! A fake of LinkedIn's versioned REST API for an organisation page, for
//! what Piazza's connector uses. The shared map (`platform-apis.md`) gives
//! only `socialActions/{urn}/comments` with `r_organization_social` and
//! `w_organization_social`; the rest follows LinkedIn's Community
//! Management API documentation (learn.microsoft.com/linkedin/marketing:
//! "Posts API", "Comments API", "Versioning") and is marked unconfirmed in
//! the connector:
//! - every call needs `Authorization: Bearer`, `LinkedIn-Version: YYYYMM`
//!   and `X-Restli-Protocol-Version: 2.0.0`; a missing version answers 400;
//! - `GET /rest/posts?q=author&author={org urn}&count=N` → `elements` with
//!   `id`, `commentary`, `createdAt`;
//! - `GET /rest/socialActions/{post urn}/comments` → `elements` with `id`,
//!   `commentUrn`, `actor`, `message.text`, `created.time`,
//!   `parentComment`;
//! - `POST /rest/socialActions/{post urn}/comments` (`actor`, `object`,
//!   `message.text`, `parentComment`) → 201 and the comment, its id also in
//!   `x-restli-id`;
//! - `POST /rest/posts` (`author`, `commentary`, `visibility`,
//!   `lifecycleState`) → 201 with `x-restli-id`;
//! - errors `{"status":N,"code":"...","message":"..."}`; 401 for an unknown
//!   token, 403 `ACCESS_DENIED` for a missing scope, 404, 429 when the
//!   day's throttle is used up.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// A comment on a post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeComment {
    pub id: String,
    pub post: String,
    pub actor: String,
    pub text: String,
    pub parent: Option<String>,
    /// ms since the epoch.
    pub time: i64,
}

#[derive(Debug, Default)]
struct State {
    /// token → (organisation urn, scopes)
    tokens: BTreeMap<String, (String, Vec<String>)>,
    /// (urn, author, text, time)
    posts: Vec<(String, String, String, i64)>,
    comments: Vec<FakeComment>,
    calls: Vec<(String, String, Option<String>)>,
    throttled: bool,
    next: u64,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn err(status: u16, code: &str, message: &str) -> (u16, Value, Option<String>) {
    (
        status,
        json!({"status": status, "code": code, "message": message}),
        None,
    )
}

fn comment_json(c: &FakeComment) -> Value {
    let mut v = json!({
        "id": c.id,
        "commentUrn": format!("urn:li:comment:({},{})", c.post, c.id),
        "actor": c.actor,
        "object": c.post,
        "message": {"text": c.text},
        "created": {"time": c.time, "actor": c.actor},
    });
    if let Some(p) = &c.parent {
        v["parentComment"] = json!(p);
    }
    v
}

fn handle_call(
    st: &mut State,
    method: &str,
    path: &str,
    headers: &HeaderMap,
    q: &BTreeMap<String, String>,
    body: &Value,
) -> (u16, Value, Option<String>) {
    let Some((org, scopes)) = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .and_then(|t| st.tokens.get(t).cloned())
    else {
        return err(
            401,
            "REVOKED_ACCESS_TOKEN",
            "The token used in the request has been revoked by the user",
        );
    };
    let version = headers
        .get("linkedin-version")
        .and_then(|v| v.to_str().ok());
    if version.is_none_or(|v| v.len() != 6 || !v.bytes().all(|b| b.is_ascii_digit())) {
        return err(
            400,
            "VERSION_MISSING",
            "A version must be present. Please specify a version by adding the LinkedIn-Version header.",
        );
    }
    if st.throttled {
        return err(
            429,
            "TOO_MANY_REQUESTS",
            "Resource level throttle APPLICATION DAY limit for calls to this resource is reached.",
        );
    }
    let need = |s: &str| scopes.iter().any(|x| x == s);
    let denied = || {
        err(
            403,
            "ACCESS_DENIED",
            "Not enough permissions to access: partnerApiPostsExternal",
        )
    };
    let segs: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        })
        .collect();
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    match (method, segs.as_slice()) {
        ("GET", ["rest", "posts"]) => {
            if !need("r_organization_social") {
                return denied();
            }
            let author = q.get("author").cloned().unwrap_or_default();
            if author != org {
                return denied();
            }
            let count: usize = q
                .get("count")
                .and_then(|c| c.parse().ok())
                .unwrap_or(10)
                .min(100);
            let elements: Vec<Value> = st
                .posts
                .iter()
                .rev()
                .filter(|p| p.1 == author)
                .take(count)
                .map(|p| json!({"id": p.0, "author": p.1, "commentary": p.2, "createdAt": p.3, "lifecycleState": "PUBLISHED", "visibility": "PUBLIC"}))
                .collect();
            (
                200,
                json!({"elements": elements, "paging": {"start": 0, "count": count}}),
                None,
            )
        }
        ("POST", ["rest", "posts"]) => {
            if !need("w_organization_social") {
                return denied();
            }
            if body.get("author").and_then(Value::as_str) != Some(org.as_str()) {
                return denied();
            }
            let text = body
                .get("commentary")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            if text.trim().is_empty() {
                return err(422, "UNPROCESSABLE_ENTITY", "commentary is required");
            }
            st.next += 1;
            let urn = format!("urn:li:share:7{:018}", st.next);
            st.posts.push((urn.clone(), org, text, now_ms()));
            (201, Value::Null, Some(urn))
        }
        ("GET", ["rest", "socialActions", post, "comments"]) => {
            if !need("r_organization_social") {
                return denied();
            }
            if !st.posts.iter().any(|p| p.0 == *post) {
                return err(404, "NOT_FOUND", "Not Found");
            }
            let elements: Vec<Value> = st
                .comments
                .iter()
                .filter(|c| c.post == *post)
                .map(comment_json)
                .collect();
            (
                200,
                json!({"elements": elements, "paging": {"start": 0, "count": elements.len()}}),
                None,
            )
        }
        ("POST", ["rest", "socialActions", post, "comments"]) => {
            if !need("w_organization_social") {
                return denied();
            }
            if !st.posts.iter().any(|p| p.0 == *post) {
                return err(404, "NOT_FOUND", "Not Found");
            }
            if body.get("actor").and_then(Value::as_str) != Some(org.as_str()) {
                return denied();
            }
            let text = body
                .pointer("/message/text")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            if text.trim().is_empty() {
                return err(422, "UNPROCESSABLE_ENTITY", "message.text is required");
            }
            st.next += 1;
            let c = FakeComment {
                id: format!("7{:018}", st.next),
                post: post.to_string(),
                actor: org,
                text,
                parent: body
                    .get("parentComment")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                time: now_ms(),
            };
            st.comments.push(c.clone());
            let urn = format!("urn:li:comment:({},{})", c.post, c.id);
            (201, comment_json(&c), Some(urn))
        }
        _ => err(404, "NOT_FOUND", "Not Found"),
    }
}

async fn handle(
    axum::extract::State(state): axum::extract::State<Arc<Mutex<State>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let q: BTreeMap<String, String> =
        form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let json_body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
    st.calls.push((
        method.to_string(),
        uri.path().to_string(),
        headers
            .get("linkedin-version")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
    ));
    let (status, body, id) = handle_call(
        &mut st,
        method.as_str(),
        uri.path(),
        &headers,
        &q,
        &json_body,
    );
    let mut res = if body.is_null() {
        StatusCode::from_u16(status)
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            .into_response()
    } else {
        (
            StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            body.to_string(),
        )
            .into_response()
    };
    let h = res.headers_mut();
    h.insert("content-type", "application/json".parse().expect("header"));
    if let Some(id) = id
        && let Ok(v) = id.parse()
    {
        h.insert("x-restli-id", v);
    }
    res
}

/// The fake API.
pub struct FakeLinkedin {
    server: crate::server::Server,
    state: Arc<Mutex<State>>,
}

impl FakeLinkedin {
    pub fn start() -> FakeLinkedin {
        let state = Arc::new(Mutex::new(State::default()));
        let server = crate::server::Server::start("fake-linkedin", |_| {
            Router::new().fallback(handle).with_state(state.clone())
        });
        FakeLinkedin { server, state }
    }

    fn st(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The API's base, in place of `https://api.linkedin.com`.
    pub fn url(&self) -> String {
        self.server.url.clone()
    }

    pub fn add_token(&self, token: &str, organization: &str, scopes: &[&str]) {
        self.st().tokens.insert(
            token.into(),
            (
                organization.into(),
                scopes.iter().map(|s| s.to_string()).collect(),
            ),
        );
    }

    /// A post of the organisation; returns its URN.
    pub fn add_post(&self, organization: &str, text: &str) -> String {
        let mut st = self.st();
        st.next += 1;
        let urn = format!("urn:li:share:7{:018}", st.next);
        let at = now_ms() - 3_600_000 + st.next as i64;
        st.posts
            .push((urn.clone(), organization.into(), text.into(), at));
        urn
    }

    /// A member's comment on a post; returns its id.
    pub fn add_comment(
        &self,
        post: &str,
        member: &str,
        text: &str,
        parent: Option<&str>,
    ) -> String {
        let mut st = self.st();
        st.next += 1;
        let id = format!("7{:018}", st.next);
        let at = now_ms() - 1_800_000 + st.next as i64;
        st.comments.push(FakeComment {
            id: id.clone(),
            post: post.into(),
            actor: member.into(),
            text: text.into(),
            parent: parent.map(str::to_string),
            time: at,
        });
        id
    }

    pub fn comments_on(&self, post: &str) -> Vec<FakeComment> {
        self.st()
            .comments
            .iter()
            .filter(|c| c.post == post)
            .cloned()
            .collect()
    }

    /// The organisation's posts: (urn, text).
    pub fn posts_of(&self, organization: &str) -> Vec<(String, String)> {
        self.st()
            .posts
            .iter()
            .filter(|p| p.1 == organization)
            .map(|p| (p.0.clone(), p.2.clone()))
            .collect()
    }

    /// (method, path, LinkedIn-Version) of every call.
    pub fn calls(&self) -> Vec<(String, String, Option<String>)> {
        self.st().calls.clone()
    }

    /// Every call answers 429 until set back.
    pub fn set_throttled(&self, throttled: bool) {
        self.st().throttled = throttled;
    }
}
