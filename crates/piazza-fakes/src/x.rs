//! A fake of the X API v2, for what Piazza's connector uses, written from
//! the digest `shared/platforms/x.md` (which cites docs.x.com):
//! - `POST /2/oauth2/token` with `grant_type=refresh_token` (a confidential
//!   client authenticates with HTTP Basic): a new access token (2 hours)
//!   and a new refresh token; the old refresh token stops working, as X
//!   rotates them;
//! - `GET /2/users/me`;
//! - `GET /2/tweets/search/recent` (`query` with `to:`, `from:`,
//!   `conversation_id:` and `-is:retweet`; `since_id`, `start_time`,
//!   `max_results` 10-100, `next_token`; `expansions=author_id`), newest
//!   first, only the last 7 days;
//! - `GET /2/tweets?ids=`;
//! - `PUT /2/tweets/:id/hidden` (only replies in conversations the user
//!   started; idempotent);
//! - `POST /2/tweets` (201), a reply allowed only when the post answered
//!   "summoned" the account (mentioned it) or is in a conversation the
//!   account started (unconfirmed rule, made strict here: see
//!   [`FakeX::set_summoning_strict`]);
//! - per-endpoint 15-minute limits with `x-rate-limit-limit`,
//!   `x-rate-limit-remaining`, `x-rate-limit-reset` (unix seconds); over it
//!   429 `{"title":"Too Many Requests",...}`; the monthly post-read cap
//!   answers 429 with the `usage-capped` problem;
//! - errors as RFC 7807 problems (`title`, `detail`, `type`).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// A post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakePost {
    pub id: String,
    pub author_id: String,
    pub text: String,
    pub conversation_id: String,
    pub in_reply_to: Option<String>,
    pub hidden: bool,
    /// Unix seconds.
    pub created_at: i64,
}

/// A call received, without the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeCall {
    pub method: String,
    pub path: String,
    pub params: BTreeMap<String, String>,
}

#[derive(Debug, Default)]
struct State {
    /// user id → username, name
    users: BTreeMap<String, (String, String)>,
    clients: BTreeMap<String, String>,
    /// refresh token → (user, scopes)
    refresh: BTreeMap<String, (String, Vec<String>)>,
    access: BTreeMap<String, (String, Vec<String>)>,
    posts: Vec<FakePost>,
    calls: Vec<FakeCall>,
    /// endpoint → (limit, remaining)
    limits: BTreeMap<&'static str, (u32, u32)>,
    reads_left: Option<u64>,
    strict: bool,
    next: u64,
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn iso(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.000Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

fn problem(status: u16, title: &str, detail: &str, kind: &str) -> (u16, Value) {
    (
        status,
        json!({"title": title, "detail": detail, "type": format!("https://api.x.com/2/problems/{kind}"), "status": status}),
    )
}

fn post_json(p: &FakePost) -> Value {
    let mut v = json!({"id": p.id, "text": p.text, "author_id": p.author_id, "conversation_id": p.conversation_id,
        "created_at": iso(p.created_at), "edit_history_tweet_ids": [p.id]});
    if let Some(r) = &p.in_reply_to {
        v["referenced_tweets"] = json!([{"type": "replied_to", "id": r}]);
    }
    v
}

/// The endpoint's name for its rate limit.
fn endpoint(method: &str, segs: &[&str]) -> &'static str {
    match (method, segs) {
        ("GET", ["2", "tweets", "search", "recent"]) => "search",
        ("PUT", ["2", "tweets", _, "hidden"]) => "hide",
        ("POST", ["2", "tweets"]) => "create",
        ("GET", ["2", "tweets"]) => "lookup",
        ("GET", ["2", "users", "me"]) => "me",
        _ => "other",
    }
}

fn default_limit(e: &str) -> u32 {
    match e {
        "search" => 300,
        "hide" => 50,
        "create" => 100,
        "lookup" => 900,
        _ => 75,
    }
}

impl State {
    fn username(&self, id: &str) -> String {
        self.users.get(id).map(|u| u.0.clone()).unwrap_or_default()
    }

    fn matches(&self, p: &FakePost, query: &str) -> bool {
        query
            .split_whitespace()
            .all(|term| match term.split_once(':') {
                Some(("to", u)) => p
                    .in_reply_to
                    .as_ref()
                    .and_then(|r| self.posts.iter().find(|x| &x.id == r))
                    .is_some_and(|x| self.username(&x.author_id).eq_ignore_ascii_case(u)),
                Some(("from", u)) => self.username(&p.author_id).eq_ignore_ascii_case(u),
                Some(("conversation_id", c)) => p.conversation_id == c,
                Some(("-is", "retweet")) => true,
                _ => true,
            })
    }
}

fn api(
    st: &mut State,
    method: &str,
    segs: &[&str],
    headers: &HeaderMap,
    p: &BTreeMap<String, String>,
    body: &Value,
) -> (u16, Value) {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    let Some((me, scopes)) = st.access.get(token).cloned() else {
        return problem(401, "Unauthorized", "Unauthorized", "about:blank");
    };
    let need = |s: &str| scopes.iter().any(|x| x == s);
    let scope_error = || {
        problem(
            403,
            "Forbidden",
            "You are not permitted to perform this action.",
            "client-forbidden",
        )
    };
    match (method, segs) {
        ("GET", ["2", "users", "me"]) => {
            if !need("users.read") {
                return scope_error();
            }
            let (username, name) = st.users.get(&me).cloned().unwrap_or_default();
            (
                200,
                json!({"data": {"id": me, "username": username, "name": name}}),
            )
        }
        ("GET", ["2", "tweets", "search", "recent"]) => {
            if !need("tweet.read") {
                return scope_error();
            }
            let Some(query) = p.get("query") else {
                return problem(
                    400,
                    "Invalid Request",
                    "The `query` query parameter can not be empty",
                    "invalid-request",
                );
            };
            let max: usize = p
                .get("max_results")
                .and_then(|m| m.parse().ok())
                .unwrap_or(10)
                .clamp(10, 100);
            let since_id: Option<u64> = p.get("since_id").and_then(|s| s.parse().ok());
            let week_ago = now() - 7 * 86_400;
            let mut hits: Vec<FakePost> = st
                .posts
                .iter()
                .filter(|x| x.created_at >= week_ago && st.matches(x, query))
                .filter(|x| since_id.is_none_or(|s| x.id.parse::<u64>().unwrap_or(0) > s))
                .cloned()
                .collect();
            hits.sort_by(|a, b| b.id.len().cmp(&a.id.len()).then(b.id.cmp(&a.id)));
            let start: usize = p
                .get("next_token")
                .or(p.get("pagination_token"))
                .and_then(|t| t.strip_prefix("n").and_then(|n| n.parse().ok()))
                .unwrap_or(0);
            let page: Vec<FakePost> = hits.iter().skip(start).take(max).cloned().collect();
            if let Some(left) = st.reads_left {
                if left < page.len() as u64 {
                    return problem(
                        429,
                        "UsageCapExceeded",
                        "Usage cap exceeded: Monthly product cap",
                        "usage-capped",
                    );
                }
                st.reads_left = Some(left - page.len() as u64);
            }
            let users: Vec<Value> = page
                .iter()
                .map(|x| x.author_id.clone())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .map(|id| {
                    let (u, n) = st.users.get(&id).cloned().unwrap_or_default();
                    json!({"id": id, "username": u, "name": n})
                })
                .collect();
            let mut meta = json!({"result_count": page.len()});
            if let (Some(f), Some(l)) = (page.first(), page.last()) {
                meta["newest_id"] = json!(f.id);
                meta["oldest_id"] = json!(l.id);
            }
            if start + max < hits.len() {
                meta["next_token"] = json!(format!("n{}", start + max));
            }
            let mut out = json!({"meta": meta});
            if !page.is_empty() {
                out["data"] = Value::Array(page.iter().map(post_json).collect());
                out["includes"] = json!({"users": users});
            }
            (200, out)
        }
        ("GET", ["2", "tweets"]) => {
            if !need("tweet.read") {
                return scope_error();
            }
            let ids: Vec<&str> = p
                .get("ids")
                .map(|s| s.split(',').collect())
                .unwrap_or_default();
            let data: Vec<Value> = st
                .posts
                .iter()
                .filter(|x| ids.contains(&x.id.as_str()))
                .map(post_json)
                .collect();
            if let Some(left) = st.reads_left {
                st.reads_left = Some(left.saturating_sub(data.len() as u64));
            }
            (200, json!({"data": data}))
        }
        ("PUT", ["2", "tweets", id, "hidden"]) => {
            if !need("tweet.moderate.write") {
                return scope_error();
            }
            let hidden = body.get("hidden").and_then(Value::as_bool);
            let Some(hidden) = hidden else {
                return problem(
                    400,
                    "Invalid Request",
                    "The `hidden` field is required",
                    "invalid-request",
                );
            };
            let Some(post) = st.posts.iter().find(|x| x.id == *id).cloned() else {
                return problem(
                    404,
                    "Not Found Error",
                    "Could not find tweet with id",
                    "resource-not-found",
                );
            };
            let root_author = st
                .posts
                .iter()
                .find(|x| x.id == post.conversation_id)
                .map(|x| x.author_id.clone());
            if root_author.as_deref() != Some(me.as_str()) || post.author_id == me {
                return problem(
                    403,
                    "Forbidden",
                    "You can only hide replies to conversations you started.",
                    "disallowed-resource",
                );
            }
            if let Some(x) = st.posts.iter_mut().find(|x| x.id == *id) {
                x.hidden = hidden;
            }
            (200, json!({"data": {"hidden": hidden}}))
        }
        ("POST", ["2", "tweets"]) => {
            if !need("tweet.write") {
                return scope_error();
            }
            let text = body
                .get("text")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            if text.trim().is_empty() {
                return problem(
                    400,
                    "Invalid Request",
                    "One or more parameters to your request was invalid.",
                    "invalid-request",
                );
            }
            if text.chars().count() > 280 {
                return problem(
                    400,
                    "Invalid Request",
                    "Your Tweet text is too long.",
                    "invalid-request",
                );
            }
            let reply_to = body
                .pointer("/reply/in_reply_to_tweet_id")
                .and_then(Value::as_str)
                .map(str::to_string);
            let conversation = match &reply_to {
                Some(r) => {
                    let Some(parent) = st.posts.iter().find(|x| &x.id == r).cloned() else {
                        return problem(
                            400,
                            "Invalid Request",
                            "The tweet you are replying to does not exist.",
                            "invalid-request",
                        );
                    };
                    let me_name = st.username(&me);
                    let summoned = parent
                        .text
                        .to_lowercase()
                        .contains(&format!("@{}", me_name.to_lowercase()));
                    let own_conversation = st
                        .posts
                        .iter()
                        .any(|x| x.id == parent.conversation_id && x.author_id == me);
                    if st.strict && !summoned && !own_conversation {
                        return problem(
                            403,
                            "Forbidden",
                            "Reply to this conversation is not allowed because you have not been mentioned or otherwise engaged by the author of the post you are replying to.",
                            "client-forbidden",
                        );
                    }
                    parent.conversation_id
                }
                None => String::new(),
            };
            st.next += 1;
            let id = format!("{}", 1_900_000_000_000_000_000u64 + st.next);
            let post = FakePost {
                id: id.clone(),
                author_id: me,
                text: text.clone(),
                conversation_id: if conversation.is_empty() {
                    id.clone()
                } else {
                    conversation
                },
                in_reply_to: reply_to,
                hidden: false,
                created_at: now(),
            };
            st.posts.push(post);
            (
                201,
                json!({"data": {"id": id, "text": text, "edit_history_tweet_ids": [id]}}),
            )
        }
        _ => problem(404, "Not Found Error", "Not found", "resource-not-found"),
    }
}

fn token(st: &mut State, headers: &HeaderMap, p: &BTreeMap<String, String>) -> (u16, Value) {
    use base64_lite::decode;
    let basic = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(decode);
    let client_ok = match basic.as_deref().and_then(|b| b.split_once(':')) {
        Some((id, secret)) => st.clients.get(id).is_some_and(|s| s == secret),
        None => p
            .get("client_id")
            .is_some_and(|c| st.clients.get(c).is_some_and(String::is_empty)),
    };
    if !client_ok {
        return (
            401,
            json!({"error": "unauthorized_client", "error_description": "Missing valid authorization header"}),
        );
    }
    let Some((user, scopes)) = p.get("refresh_token").and_then(|r| st.refresh.remove(r)) else {
        return (
            400,
            json!({"error": "invalid_request", "error_description": "Value passed for the token was invalid."}),
        );
    };
    st.next += 1;
    let access = format!("x-access-{}", st.next);
    let refresh = format!("x-refresh-{}", st.next);
    st.access
        .insert(access.clone(), (user.clone(), scopes.clone()));
    st.refresh.insert(refresh.clone(), (user, scopes.clone()));
    (
        200,
        json!({"token_type": "bearer", "expires_in": 7200, "access_token": access, "scope": scopes.join(" "), "refresh_token": refresh}),
    )
}

/// Just enough base64 to read a Basic header.
mod base64_lite {
    pub fn decode(s: &str) -> Option<String> {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut bits = 0u32;
        let mut n = 0;
        let mut out = Vec::new();
        for c in s.trim_end_matches('=').bytes() {
            let v = A.iter().position(|x| *x == c)? as u32;
            bits = (bits << 6) | v;
            n += 6;
            if n >= 8 {
                n -= 8;
                out.push((bits >> n) as u8);
                bits &= (1 << n) - 1;
            }
        }
        String::from_utf8(out).ok()
    }
}

async fn handle(
    axum::extract::State(state): axum::extract::State<Arc<Mutex<State>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut p: BTreeMap<String, String> =
        form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let ct = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let mut json_body = Value::Null;
    if ct.starts_with("application/x-www-form-urlencoded") {
        p.extend(form_urlencoded::parse(&body).into_owned());
    } else if ct.starts_with("application/json") {
        json_body = serde_json::from_slice(&body).unwrap_or(Value::Null);
    }
    let path = uri.path().to_string();
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
    st.calls.push(FakeCall {
        method: method.to_string(),
        path: path.clone(),
        params: p.clone(),
    });
    let reset = now() + 900;
    let mut limit_headers = None;
    let (status, body) = if method == Method::POST && segs.as_slice() == ["2", "oauth2", "token"] {
        token(&mut st, &headers, &p)
    } else {
        let e = endpoint(method.as_str(), &segs);
        let (limit, remaining) = *st
            .limits
            .entry(e)
            .or_insert((default_limit(e), default_limit(e)));
        limit_headers = Some((limit, remaining.saturating_sub(1)));
        if remaining == 0 {
            (
                429,
                json!({"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429}),
            )
        } else {
            st.limits.insert(e, (limit, remaining - 1));
            api(&mut st, method.as_str(), &segs, &headers, &p, &json_body)
        }
    };
    let mut res = (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        body.to_string(),
    )
        .into_response();
    let h = res.headers_mut();
    h.insert(
        "content-type",
        "application/json; charset=utf-8".parse().expect("header"),
    );
    if let Some((limit, remaining)) = limit_headers {
        h.insert(
            "x-rate-limit-limit",
            limit.to_string().parse().expect("header"),
        );
        h.insert(
            "x-rate-limit-remaining",
            remaining.to_string().parse().expect("header"),
        );
        h.insert(
            "x-rate-limit-reset",
            reset.to_string().parse().expect("header"),
        );
    }
    res
}

/// The fake API.
pub struct FakeX {
    server: crate::server::Server,
    state: Arc<Mutex<State>>,
}

impl FakeX {
    pub fn start() -> FakeX {
        let state = Arc::new(Mutex::new(State {
            strict: true,
            ..State::default()
        }));
        let server = crate::server::Server::start("fake-x", |_| {
            Router::new().fallback(handle).with_state(state.clone())
        });
        FakeX { server, state }
    }

    fn st(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The API's base, in place of `https://api.x.com`.
    pub fn url(&self) -> String {
        self.server.url.clone()
    }

    pub fn add_user(&self, id: &str, username: &str, name: &str) {
        self.st()
            .users
            .insert(id.into(), (username.into(), name.into()));
    }

    /// A confidential client (empty secret: a public one).
    pub fn add_client(&self, id: &str, secret: &str) {
        self.st().clients.insert(id.into(), secret.into());
    }

    pub fn add_refresh_token(&self, token: &str, user: &str, scopes: &[&str]) {
        self.st().refresh.insert(
            token.into(),
            (user.into(), scopes.iter().map(|s| s.to_string()).collect()),
        );
    }

    /// Whether the refresh token is still accepted.
    pub fn refresh_token_valid(&self, token: &str) -> bool {
        self.st().refresh.contains_key(token)
    }

    pub fn expire_access_tokens(&self) {
        self.st().access.clear();
    }

    /// A post by `author`, replying to `reply_to`; returns its id.
    pub fn add_post(&self, author: &str, text: &str, reply_to: Option<&str>) -> String {
        let mut st = self.st();
        st.next += 1;
        let id = format!("{}", 1_800_000_000_000_000_000u64 + st.next);
        let conversation = reply_to
            .and_then(|r| st.posts.iter().find(|x| x.id == r))
            .map(|x| x.conversation_id.clone())
            .unwrap_or_else(|| id.clone());
        let at = now() - 3600 + st.next as i64;
        st.posts.push(FakePost {
            id: id.clone(),
            author_id: author.into(),
            text: text.into(),
            conversation_id: conversation,
            in_reply_to: reply_to.map(str::to_string),
            hidden: false,
            created_at: at,
        });
        id
    }

    pub fn post(&self, id: &str) -> Option<FakePost> {
        self.st().posts.iter().find(|x| x.id == id).cloned()
    }

    /// Posts by `author` replying to `id`.
    pub fn replies_by(&self, author: &str, id: &str) -> Vec<FakePost> {
        self.st()
            .posts
            .iter()
            .filter(|x| x.author_id == author && x.in_reply_to.as_deref() == Some(id))
            .cloned()
            .collect()
    }

    pub fn calls(&self) -> Vec<FakeCall> {
        self.st().calls.clone()
    }

    /// Calls left in the current window of an endpoint (`search`, `hide`,
    /// `create`, `lookup`, `me`).
    pub fn set_remaining(&self, endpoint: &'static str, remaining: u32) {
        self.st()
            .limits
            .insert(endpoint, (default_limit(endpoint), remaining));
    }

    /// Post reads left this month; `None`: no cap.
    pub fn set_reads_left(&self, left: Option<u64>) {
        self.st().reads_left = left;
    }

    /// Whether replies need the summoning (on by default).
    pub fn set_summoning_strict(&self, strict: bool) {
        self.st().strict = strict;
    }
}
