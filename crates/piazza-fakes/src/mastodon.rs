//! A fake Mastodon instance, for what Piazza's connector uses, written from
//! the digest `shared/platforms/mastodon.md` (which cites the official
//! pages at docs.joinmastodon.org):
//! - `Authorization: Bearer <token>`; 401 `{"error":"The access token is
//!   invalid"}`; scopes checked per endpoint (403 `{"error":"This action is
//!   outside the authorized scopes"}`):
//!   <https://docs.joinmastodon.org/api/oauth-scopes/>,
//!   <https://docs.joinmastodon.org/entities/Error/>;
//! - `GET /api/v1/accounts/verify_credentials`;
//! - `GET /api/v1/notifications` (`types[]=mention`, `since_id`, `min_id`,
//!   `limit` up to 80, newest first):
//!   <https://docs.joinmastodon.org/methods/notifications/>;
//! - `GET /api/v1/statuses/:id/context`, 404 `{"error":"Record not
//!   found"}`: <https://docs.joinmastodon.org/methods/statuses/#context>;
//! - `POST /api/v1/statuses` (`status`, `in_reply_to_id`, `visibility`)
//!   with the `Idempotency-Key` header honoured (the same key within an
//!   hour answers the status created the first time), 422
//!   `{"error":"Validation failed: Text can't be blank"}`:
//!   <https://docs.joinmastodon.org/methods/statuses/#create>;
//! - `POST /api/v1/accounts/:id/block` and `/unblock` (`write:blocks`)
//!   → a Relationship: <https://docs.joinmastodon.org/methods/accounts/#block>;
//! - `POST /api/v1/admin/accounts/:id/action` (`type`, `text`;
//!   `admin:write:accounts`) and `/unsilence` (unconfirmed in the digest):
//!   <https://docs.joinmastodon.org/methods/admin/accounts/>;
//! - `POST /api/v1/reports` (`account_id`, `status_ids[]`, `comment`,
//!   `forward`, `category`): <https://docs.joinmastodon.org/methods/reports/>;
//! - rate limits: `X-RateLimit-Limit`, `X-RateLimit-Remaining`,
//!   `X-RateLimit-Reset` (ISO 8601, unconfirmed), 429 when exhausted:
//!   <https://docs.joinmastodon.org/api/rate-limits/>.
//!
//! ```
//! use piazza_fakes::mastodon::FakeMastodon;
//!
//! let fake = FakeMastodon::start();
//! let org = fake.add_account("comune", "Comune di Esempio");
//! fake.add_token("tok", &org, &["read:statuses", "write:statuses"]);
//! let post = fake.add_status(&org, "Lavori in via Roma", None);
//! let reply = fake.add_status("42", "Quando finiscono?", Some(&post));
//! assert_eq!(fake.status(&reply).unwrap().in_reply_to_id.as_deref(), Some(post.as_str()));
//! ```

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// The default rate limit: 300 requests per 5 minutes per account.
pub const RATE_LIMIT: u32 = 300;

/// A status (a post or a reply).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeStatus {
    pub id: String,
    pub account_id: String,
    pub text: String,
    pub in_reply_to_id: Option<String>,
    pub visibility: String,
    /// Unix seconds.
    pub created_at: i64,
}

/// A report filed with the instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeReport {
    pub id: String,
    pub account_id: String,
    pub status_ids: Vec<String>,
    pub comment: String,
    pub forward: bool,
    pub category: String,
}

/// A call received, without the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeCall {
    pub method: String,
    pub path: String,
    pub params: BTreeMap<String, String>,
    pub idempotency_key: Option<String>,
}

#[derive(Debug, Default)]
struct State {
    accounts: BTreeMap<String, (String, String)>,
    tokens: BTreeMap<String, (String, Vec<String>)>,
    statuses: Vec<FakeStatus>,
    reports: Vec<FakeReport>,
    /// (blocker, blocked)
    blocks: Vec<(String, String)>,
    /// Accounts the instance's admins silenced, with the note.
    silenced: BTreeMap<String, String>,
    /// Idempotency-Key → the status it created.
    idempotency: BTreeMap<String, String>,
    calls: Vec<FakeCall>,
    remaining: Option<u32>,
    next_id: u64,
}

impl State {
    fn next(&mut self) -> String {
        self.next_id += 1;
        format!("{}", 110_000_000_000_000_000u64 + self.next_id)
    }
}

/// The fake instance.
pub struct FakeMastodon {
    server: crate::server::Server,
    state: Arc<Mutex<State>>,
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn iso(unix: i64) -> String {
    // Days from the civil calendar (Howard Hinnant's algorithm), UTC.
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

fn error(status: u16, message: &str) -> (u16, Value) {
    (status, json!({ "error": message }))
}

fn status_json(st: &State, s: &FakeStatus) -> Value {
    let (acct, name) = st.accounts.get(&s.account_id).cloned().unwrap_or_else(|| {
        (
            format!("user{}@altra.istanza", s.account_id),
            "Utente".into(),
        )
    });
    json!({
        "id": s.id,
        "uri": format!("https://fake.social/users/{acct}/statuses/{}", s.id),
        "url": format!("https://fake.social/@{acct}/{}", s.id),
        "created_at": iso(s.created_at),
        "account": {"id": s.account_id, "acct": acct, "username": acct.split('@').next(), "display_name": name},
        // Sanitized HTML, as Mastodon serves it.
        "content": format!("<p>{}</p>", s.text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")),
        "visibility": s.visibility,
        "in_reply_to_id": s.in_reply_to_id,
        "in_reply_to_account_id": s.in_reply_to_id.as_ref().and_then(|p| st.statuses.iter().find(|x| &x.id == p)).map(|p| p.account_id.clone()),
        "sensitive": false,
        "spoiler_text": "",
        "language": "it",
        "edited_at": null,
    })
}

fn handle_call(
    st: &mut State,
    method: &str,
    path: &str,
    headers: &HeaderMap,
    p: &BTreeMap<String, String>,
    multi: &BTreeMap<String, Vec<String>>,
) -> (u16, Value) {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string);
    let Some((me, scopes)) = token.and_then(|t| st.tokens.get(&t).cloned()) else {
        return error(401, "The access token is invalid");
    };
    let need = |scope: &str| -> Result<(), (u16, Value)> {
        let family = scope.split(':').next().unwrap_or(scope);
        if scopes.iter().any(|s| s == scope || s == family) {
            Ok(())
        } else {
            Err(error(403, "This action is outside the authorized scopes"))
        }
    };
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let r = (|| -> Result<(u16, Value), (u16, Value)> {
        match (method, segs.as_slice()) {
            ("GET", ["api", "v1", "accounts", "verify_credentials"]) => {
                let (acct, name) = st.accounts.get(&me).cloned().unwrap_or_default();
                Ok((
                    200,
                    json!({"id": me, "acct": acct, "username": acct, "display_name": name}),
                ))
            }
            ("GET", ["api", "v1", "notifications"]) => {
                need("read:notifications")?;
                let since = p.get("since_id").or(p.get("min_id")).cloned();
                let limit: usize = p
                    .get("limit")
                    .and_then(|l| l.parse().ok())
                    .unwrap_or(40)
                    .min(80);
                let mentions_only = multi
                    .get("types[]")
                    .is_some_and(|t| t.iter().any(|x| x == "mention"));
                // A mention: a reply by someone else in a thread that
                // starts with one of the account's statuses.
                let root_of = |s: &FakeStatus| {
                    let mut cur = s.clone();
                    while let Some(p) = cur.in_reply_to_id.clone() {
                        match st.statuses.iter().find(|x| x.id == p) {
                            Some(x) => cur = x.clone(),
                            None => break,
                        }
                    }
                    cur
                };
                let mut items: Vec<Value> = st
                    .statuses
                    .iter()
                    .filter(|s| s.account_id != me && s.in_reply_to_id.is_some())
                    .filter(|s| root_of(s).account_id == me)
                    .filter(|s| since.as_ref().is_none_or(|x| s.id.as_str() > x.as_str()))
                    .map(|s| json!({"id": s.id, "type": "mention", "created_at": iso(s.created_at), "account": status_json(st, s)["account"].clone(), "status": status_json(st, s)}))
                    .collect();
                // Only mentions exist here: asking for other types only
                // gets nothing.
                if multi.contains_key("types[]") && !mentions_only {
                    items.clear();
                }
                items.reverse();
                // With min_id the page is the oldest after it; otherwise the newest.
                if p.contains_key("min_id") {
                    items.reverse();
                    items.truncate(limit);
                    items.reverse();
                } else {
                    items.truncate(limit);
                }
                Ok((200, Value::Array(items)))
            }
            ("GET", ["api", "v1", "statuses", id, "context"]) => {
                need("read:statuses")?;
                let Some(s) = st.statuses.iter().find(|s| s.id == *id) else {
                    return Err(error(404, "Record not found"));
                };
                let mut ancestors = Vec::new();
                let mut cur = s.in_reply_to_id.clone();
                while let Some(c) = cur {
                    match st.statuses.iter().find(|x| x.id == c) {
                        Some(x) => {
                            ancestors.insert(0, status_json(st, x));
                            cur = x.in_reply_to_id.clone();
                        }
                        None => break,
                    }
                }
                let mut descendants = Vec::new();
                let mut frontier = vec![s.id.clone()];
                while let Some(f) = frontier.pop() {
                    for x in st
                        .statuses
                        .iter()
                        .filter(|x| x.in_reply_to_id.as_deref() == Some(f.as_str()))
                    {
                        descendants.push(status_json(st, x));
                        frontier.push(x.id.clone());
                    }
                }
                Ok((
                    200,
                    json!({"ancestors": ancestors, "descendants": descendants}),
                ))
            }
            ("GET", ["api", "v1", "statuses", id]) => {
                match st.statuses.iter().find(|s| s.id == *id) {
                    Some(s) => Ok((200, status_json(st, s))),
                    None => Err(error(404, "Record not found")),
                }
            }
            ("POST", ["api", "v1", "statuses"]) => {
                need("write:statuses")?;
                let key = headers
                    .get("idempotency-key")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string);
                if let Some(k) = &key
                    && let Some(id) = st.idempotency.get(k)
                    && let Some(s) = st.statuses.iter().find(|s| &s.id == id)
                {
                    return Ok((200, status_json(st, s)));
                }
                let text = p
                    .get("status")
                    .map(|s| s.trim().to_string())
                    .unwrap_or_default();
                if text.is_empty() {
                    return Err(error(422, "Validation failed: Text can't be blank"));
                }
                if text.chars().count() > 500 {
                    return Err(error(
                        422,
                        "Validation failed: Text character limit of 500 exceeded",
                    ));
                }
                let reply_to = p.get("in_reply_to_id").filter(|r| !r.is_empty()).cloned();
                if let Some(r) = &reply_to
                    && !st.statuses.iter().any(|s| &s.id == r)
                {
                    return Err(error(404, "Record not found"));
                }
                let id = st.next();
                let s = FakeStatus {
                    id: id.clone(),
                    account_id: me.clone(),
                    text,
                    in_reply_to_id: reply_to,
                    visibility: p
                        .get("visibility")
                        .cloned()
                        .unwrap_or_else(|| "public".into()),
                    created_at: now(),
                };
                st.statuses.push(s.clone());
                if let Some(k) = key {
                    st.idempotency.insert(k, id);
                }
                Ok((200, status_json(st, &s)))
            }
            ("POST", ["api", "v1", "accounts", id, action @ ("block" | "unblock")]) => {
                need("write:blocks")?;
                let id = id.to_string();
                if *action == "block" {
                    if !st.blocks.iter().any(|(a, b)| *a == me && *b == id) {
                        st.blocks.push((me.clone(), id.clone()));
                    }
                } else {
                    st.blocks.retain(|(a, b)| !(*a == me && *b == id));
                }
                let blocking = *action == "block";
                Ok((
                    200,
                    json!({"id": id, "following": false, "followed_by": false, "blocking": blocking, "blocked_by": false, "muting": false, "requested": false, "domain_blocking": false}),
                ))
            }
            ("POST", ["api", "v1", "admin", "accounts", id, "action"]) => {
                need("admin:write:accounts")?;
                let kind = p.get("type").cloned().unwrap_or_default();
                if !["none", "sensitive", "disable", "silence", "suspend"].contains(&kind.as_str())
                {
                    return Err(error(422, "Record invalid"));
                }
                if kind == "silence" {
                    st.silenced
                        .insert(id.to_string(), p.get("text").cloned().unwrap_or_default());
                }
                Ok((200, json!({})))
            }
            ("POST", ["api", "v1", "admin", "accounts", id, "unsilence"]) => {
                need("admin:write:accounts")?;
                st.silenced.remove(*id);
                Ok((200, json!({"id": id, "silenced": false})))
            }
            ("POST", ["api", "v1", "reports"]) => {
                need("write:reports")?;
                let account = p
                    .get("account_id")
                    .cloned()
                    .ok_or_else(|| error(422, "Validation failed: Target account must exist"))?;
                let comment = p.get("comment").cloned().unwrap_or_default();
                if comment.chars().count() > 1000 {
                    return Err(error(
                        422,
                        "Validation failed: Comment is too long (maximum is 1000 characters)",
                    ));
                }
                let category = p.get("category").cloned().unwrap_or_else(|| "other".into());
                if !["spam", "legal", "violation", "other"].contains(&category.as_str()) {
                    return Err(error(
                        422,
                        "Validation failed: Category is not included in the list",
                    ));
                }
                let id = st.next();
                let report = FakeReport {
                    id: id.clone(),
                    account_id: account.clone(),
                    status_ids: multi.get("status_ids[]").cloned().unwrap_or_default(),
                    comment,
                    forward: p.get("forward").is_some_and(|f| f == "true"),
                    category,
                };
                st.reports.push(report.clone());
                Ok((
                    200,
                    json!({"id": id, "action_taken": false, "category": report.category, "comment": report.comment, "forwarded": report.forward, "created_at": iso(now()), "status_ids": report.status_ids, "rule_ids": [], "target_account": {"id": account}}),
                ))
            }
            _ => Err(error(404, "Record not found")),
        }
    })();
    r.unwrap_or_else(|e| e)
}

async fn handle(
    axum::extract::State(state): axum::extract::State<Arc<Mutex<State>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut pairs: Vec<(String, String)> =
        form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let ct = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if ct.starts_with("application/x-www-form-urlencoded") {
        pairs.extend(form_urlencoded::parse(&body).into_owned());
    } else if ct.starts_with("application/json")
        && let Ok(Value::Object(o)) = serde_json::from_slice::<Value>(&body)
    {
        for (k, v) in o {
            match v {
                Value::String(s) => pairs.push((k, s)),
                Value::Array(a) => pairs.extend(a.into_iter().map(|x| {
                    (
                        format!("{k}[]"),
                        x.as_str().map_or(x.to_string(), str::to_string),
                    )
                })),
                other => pairs.push((k, other.to_string())),
            }
        }
    }
    let mut p = BTreeMap::new();
    let mut multi: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, v) in &pairs {
        p.insert(k.clone(), v.clone());
        multi.entry(k.clone()).or_default().push(v.clone());
    }
    let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
    st.calls.push(FakeCall {
        method: method.to_string(),
        path: uri.path().to_string(),
        params: p.clone(),
        idempotency_key: headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
    });
    let reset = iso(now() + 300);
    let (status, body, remaining) = match st.remaining {
        Some(0) => {
            let (s, b) = error(429, "Too many requests");
            (s, b, 0)
        }
        r => {
            let remaining = r.unwrap_or(RATE_LIMIT).saturating_sub(1);
            if r.is_some() {
                st.remaining = Some(remaining);
            }
            let (s, b) = handle_call(&mut st, method.as_str(), uri.path(), &headers, &p, &multi);
            (s, b, remaining)
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
    h.insert(
        "x-ratelimit-limit",
        RATE_LIMIT.to_string().parse().expect("header"),
    );
    h.insert(
        "x-ratelimit-remaining",
        remaining.to_string().parse().expect("header"),
    );
    h.insert("x-ratelimit-reset", reset.parse().expect("header"));
    res
}

impl FakeMastodon {
    /// Starts the instance on `127.0.0.1`, on a port the system picks.
    pub fn start() -> FakeMastodon {
        let state = Arc::new(Mutex::new(State::default()));
        let server = crate::server::Server::start("fake-mastodon", |_| {
            Router::new().fallback(handle).with_state(state.clone())
        });
        FakeMastodon { server, state }
    }

    fn st(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The instance's base URL.
    pub fn url(&self) -> String {
        self.server.url.clone()
    }

    /// A local account; returns its id.
    pub fn add_account(&self, username: &str, display_name: &str) -> String {
        let mut st = self.st();
        let id = st.next();
        st.accounts
            .insert(id.clone(), (username.into(), display_name.into()));
        id
    }

    pub fn add_token(&self, token: &str, account: &str, scopes: &[&str]) {
        self.st().tokens.insert(
            token.into(),
            (
                account.into(),
                scopes.iter().map(|s| s.to_string()).collect(),
            ),
        );
    }

    /// A status by `account` (any id: other servers' accounts need not be
    /// registered), optionally replying to another; returns its id.
    pub fn add_status(&self, account: &str, text: &str, in_reply_to: Option<&str>) -> String {
        let mut st = self.st();
        let id = st.next();
        st.statuses.push(FakeStatus {
            id: id.clone(),
            account_id: account.into(),
            text: text.into(),
            in_reply_to_id: in_reply_to.map(str::to_string),
            visibility: "public".into(),
            created_at: now(),
        });
        id
    }

    pub fn status(&self, id: &str) -> Option<FakeStatus> {
        self.st().statuses.iter().find(|s| s.id == id).cloned()
    }

    /// The statuses of an account, in creation order.
    pub fn statuses_of(&self, account: &str) -> Vec<FakeStatus> {
        self.st()
            .statuses
            .iter()
            .filter(|s| s.account_id == account)
            .cloned()
            .collect()
    }

    /// Accounts the instance silenced, with the moderator's note.
    pub fn silenced(&self) -> BTreeMap<String, String> {
        self.st().silenced.clone()
    }

    /// The accounts `account` blocks.
    pub fn blocked_by(&self, account: &str) -> Vec<String> {
        self.st()
            .blocks
            .iter()
            .filter(|(a, _)| a == account)
            .map(|(_, b)| b.clone())
            .collect()
    }

    pub fn reports(&self) -> Vec<FakeReport> {
        self.st().reports.clone()
    }

    pub fn calls(&self) -> Vec<FakeCall> {
        self.st().calls.clone()
    }

    /// Requests left in the window; at 0 every call answers 429.
    pub fn set_remaining(&self, remaining: Option<u32>) {
        self.st().remaining = remaining;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_iso_8601_utc() {
        assert_eq!(iso(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso(1_795_424_400), "2026-11-23T09:00:00.000Z");
    }
}
