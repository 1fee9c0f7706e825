//! The fake's answers: one synchronous function from a request and the
//! state to an answer, so that the HTTP layer stays a thin shell.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::{
    FakeCall, FakeComment, FakeDebugToken, FakeFailure, FakeMedia, FakePost, FakePrivateReply,
    State, now,
};

pub(crate) struct Request {
    pub method: String,
    pub path: String,
    pub query: String,
    pub content_type: String,
    pub body: Vec<u8>,
}

pub(crate) enum Outcome {
    Answer {
        status: u16,
        body: String,
        headers: Vec<(String, String)>,
    },
    Drop,
}

/// A Graph error answer.
#[derive(Debug)]
pub(crate) struct GErr {
    status: u16,
    kind: &'static str,
    code: i64,
    subcode: Option<i64>,
    message: String,
    transient: bool,
}

type Res = Result<Value, GErr>;

fn gerr(
    status: u16,
    kind: &'static str,
    code: i64,
    subcode: Option<i64>,
    message: impl Into<String>,
) -> GErr {
    GErr {
        status,
        kind,
        code,
        subcode,
        message: message.into(),
        transient: false,
    }
}

fn invalid(message: impl Into<String>) -> GErr {
    gerr(400, "OAuthException", 100, None, message)
}

/// Meta's answer for an object that does not exist or that the token may
/// not see (the same answer for both, as Meta gives it).
fn unsupported(method: &str, id: &str) -> GErr {
    gerr(
        400,
        "GraphMethodException",
        100,
        Some(33),
        format!(
            "Unsupported {} request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api",
            method.to_ascii_lowercase()
        ),
    )
}

/// The documented message, type and status of an error code.
pub(crate) fn documented(code: i64, subcode: Option<i64>) -> GErr {
    let (status, kind, message, transient) = match code {
        1 => (500, "OAuthException", "An unknown error has occurred.".to_string(), true),
        2 => (
            503,
            "OAuthException",
            "An unexpected error has occurred. Please retry your request later.".into(),
            true,
        ),
        4 => (403, "OAuthException", "(#4) Application request limit reached".into(), false),
        10 => (
            403,
            "OAuthException",
            "(#10) Application does not have permission for this action".into(),
            false,
        ),
        17 => (403, "OAuthException", "(#17) User request limit reached".into(), false),
        32 => (403, "OAuthException", "(#32) Page request limit reached".into(), false),
        100 if subcode == Some(33) => return unsupported("GET", "0"),
        100 => (400, "OAuthException", "(#100) Invalid parameter".into(), false),
        190 => (
            400,
            "OAuthException",
            "Error validating access token: Session has expired on Tuesday, 14-Nov-23 22:13:20 PST. The current time is Wednesday, 15-Nov-23 09:00:00 PST.".into(),
            false,
        ),
        200 => (403, "OAuthException", "(#200) Permissions error".into(), false),
        368 => (
            400,
            "OAuthException",
            "The action attempted has been deemed abusive or is otherwise disallowed".into(),
            false,
        ),
        613 => (
            400,
            "OAuthException",
            "(#613) Calls to this api have exceeded the rate limit.".into(),
            false,
        ),
        80_001 => (
            400,
            "OAuthException",
            "(#80001) There have been too many calls to this Page account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.".into(),
            false,
        ),
        80_002 => (
            400,
            "OAuthException",
            "(#80002) There have been too many calls to this Instagram account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.".into(),
            false,
        ),
        10_900 => (400, "OAuthException", "(#10900) Activity already replied to".into(), false),
        10_903 => (
            400,
            "OAuthException",
            "(#10903) This activity cannot be replied to".into(),
            false,
        ),
        c => (400, "OAuthException", format!("(#{c}) An error occurred"), false),
    };
    let subcode = match (code, subcode) {
        (190, None) => Some(463),
        (_, s) => s,
    };
    GErr {
        status,
        kind,
        code,
        subcode,
        message,
        transient,
    }
}

/// `2024-01-15T10:00:00+0000`, the Graph API's time format.
pub(crate) fn iso(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let sod = unix.rem_euclid(86_400);
    // H. Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}+0000",
        sod / 3600,
        (sod % 3600) / 60,
        sod % 60
    )
}

/// Query, form body and the top level of a JSON body, merged (the body
/// wins). JSON values that are not strings are kept as JSON text.
fn params(req: &Request) -> (BTreeMap<String, String>, Option<Value>) {
    let mut p: BTreeMap<String, String> = form_urlencoded::parse(req.query.as_bytes())
        .into_owned()
        .collect();
    let mut json_body = None;
    if req
        .content_type
        .starts_with("application/x-www-form-urlencoded")
    {
        p.extend(form_urlencoded::parse(&req.body).into_owned());
    } else if req.content_type.starts_with("application/json")
        && let Ok(v) = serde_json::from_slice::<Value>(&req.body)
    {
        if let Some(o) = v.as_object() {
            for (k, x) in o {
                let s = match x {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                p.insert(k.clone(), s);
            }
        }
        json_body = Some(v);
    }
    (p, json_body)
}

struct Auth {
    account: String,
    scopes: Vec<String>,
}

impl Auth {
    fn has(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    /// Passes with any of `scopes`; else Meta's permission error with
    /// `code` (200 by default, 10 for the messaging endpoints).
    fn require(&self, scopes: &[&str], code: i64) -> Result<(), GErr> {
        if scopes.iter().any(|s| self.has(s)) {
            return Ok(());
        }
        let message = if code == 10 {
            format!(
                "(#10) This endpoint requires the '{}' permission to manage the object",
                scopes[0]
            )
        } else {
            format!(
                "(#200) Requires {} permission to manage the object",
                scopes[0]
            )
        };
        Err(gerr(403, "OAuthException", code, None, message))
    }
}

fn authenticate(st: &State, p: &BTreeMap<String, String>) -> Result<Auth, GErr> {
    let Some(token) = p.get("access_token").filter(|t| !t.is_empty()) else {
        return Err(gerr(
            400,
            "OAuthException",
            2500,
            None,
            "An active access token must be used to query information about the current user.",
        ));
    };
    let Some(t) = st.tokens.get(token) else {
        return Err(gerr(
            400,
            "OAuthException",
            190,
            None,
            "Invalid OAuth access token - Cannot parse access token",
        ));
    };
    if !t.valid {
        return Err(gerr(
            400,
            "OAuthException",
            190,
            Some(460),
            "Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.",
        ));
    }
    if t.expires_at.is_some_and(|e| e <= now()) {
        return Err(gerr(
            400,
            "OAuthException",
            190,
            Some(463),
            format!(
                "Error validating access token: Session has expired on {}. The current time is {}.",
                iso(t.expires_at.unwrap_or_default()),
                iso(now())
            ),
        ));
    }
    if let Some(secret) = &st.app_secret {
        let expected = super::webhook::hmac_hex(secret.as_bytes(), token.as_bytes());
        match p.get("appsecret_proof") {
            None => {
                return Err(gerr(
                    400,
                    "GraphMethodException",
                    100,
                    None,
                    "API calls from the server require an appsecret_proof argument",
                ));
            }
            Some(proof) if *proof != expected => {
                return Err(gerr(
                    400,
                    "GraphMethodException",
                    100,
                    None,
                    "Invalid appsecret_proof provided in the API argument",
                ));
            }
            Some(_) => {}
        }
    }
    Ok(Auth {
        account: t.account.clone(),
        scopes: t.scopes.clone(),
    })
}

fn usage_headers(st: &State, account: Option<&str>, regain: Option<u32>) -> Vec<(String, String)> {
    let mut h = vec![(
        "x-app-usage".to_string(),
        st.usage_app
            .clone()
            .unwrap_or_else(|| r#"{"call_count":1,"total_time":1,"total_cputime":1}"#.into()),
    )];
    let kind = |a: &str| {
        if st.ig.contains_key(a) {
            "instagram"
        } else {
            "pages"
        }
    };
    let business = match (regain, &st.usage_business, account) {
        (Some(m), _, a) => {
            let a = a.unwrap_or("0");
            Some(format!(
                r#"{{"{a}":[{{"type":"{}","call_count":100,"total_cputime":20,"total_time":20,"estimated_time_to_regain_access":{m}}}]}}"#,
                kind(a)
            ))
        }
        (None, Some(b), _) => Some(b.clone()),
        (None, None, Some(a)) => Some(format!(
            r#"{{"{a}":[{{"type":"{}","call_count":1,"total_cputime":1,"total_time":1,"estimated_time_to_regain_access":0}}]}}"#,
            kind(a)
        )),
        (None, None, None) => None,
    };
    if let Some(b) = business {
        h.push(("x-business-use-case-usage".into(), b));
    }
    h
}

fn answer(status: u16, body: Value, headers: Vec<(String, String)>) -> Outcome {
    let mut headers = headers;
    headers.push((
        "content-type".into(),
        "application/json; charset=UTF-8".into(),
    ));
    Outcome::Answer {
        status,
        body: body.to_string(),
        headers,
    }
}

fn error_answer(st: &mut State, e: GErr, headers: Vec<(String, String)>) -> Outcome {
    let n = st.next();
    let mut o = json!({
        "message": e.message,
        "type": e.kind,
        "code": e.code,
        "fbtrace_id": format!("AFake{n:06}"),
    });
    if let Some(s) = e.subcode {
        o["error_subcode"] = json!(s);
    }
    if e.transient {
        o["is_transient"] = json!(true);
    }
    answer(e.status, json!({ "error": o }), headers)
}

pub(crate) fn handle(st: &mut State, req: &Request) -> Outcome {
    let (p, json_body) = params(req);
    let mut logged = p.clone();
    logged.remove("access_token");
    logged.remove("appsecret_proof");
    if let Some(t) = logged.get_mut("input_token") {
        *t = "***".into();
    }
    st.calls.push(FakeCall {
        method: req.method.clone(),
        path: req.path.clone(),
        params: logged,
        had_token: p.contains_key("access_token"),
        had_proof: p.contains_key("appsecret_proof"),
    });
    let account = p
        .get("access_token")
        .and_then(|t| st.tokens.get(t))
        .map(|t| t.account.clone());
    if let Some(f) = st.failures.pop_front() {
        let headers = usage_headers(st, account.as_deref(), None);
        return match f {
            FakeFailure::DropConnection => Outcome::Drop,
            FakeFailure::Http500 => Outcome::Answer {
                status: 500,
                body: "<html><body>Internal Server Error</body></html>".into(),
                headers: vec![("content-type".into(), "text/html".into())],
            },
            FakeFailure::Graph { code, subcode } => {
                error_answer(st, documented(code, subcode), headers)
            }
            FakeFailure::RateLimited {
                code,
                regain_minutes,
            } => {
                let headers = usage_headers(st, account.as_deref(), Some(regain_minutes));
                error_answer(st, documented(code, None), headers)
            }
        };
    }
    let headers = usage_headers(st, account.as_deref(), None);
    match route(st, req, &p, json_body.as_ref()) {
        Ok(v) => answer(200, v, headers),
        Err(e) => error_answer(st, e, headers),
    }
}

fn route(
    st: &mut State,
    req: &Request,
    p: &BTreeMap<String, String>,
    json_body: Option<&Value>,
) -> Res {
    let segments: Vec<&str> = req.path.split('/').filter(|s| !s.is_empty()).collect();
    let Some((version, rest)) = segments.split_first() else {
        return Err(gerr(
            400,
            "OAuthException",
            2500,
            None,
            "Unknown path components: /",
        ));
    };
    if *version != st.version {
        return Err(gerr(
            400,
            "OAuthException",
            2500,
            None,
            format!("Unknown path components: /{version}"),
        ));
    }
    let auth = authenticate(st, p)?;
    let rest: Vec<String> = rest
        .iter()
        .map(|s| {
            if *s == "me" {
                auth.account.clone()
            } else {
                (*s).to_string()
            }
        })
        .collect();
    let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
    let m = req.method.as_str();
    match (m, rest.as_slice()) {
        ("GET", ["debug_token"]) => debug_token(st, p),
        ("GET", [id]) => get_object(st, &auth, id, p),
        ("POST", [id]) => update_comment(st, &auth, id, p),
        ("DELETE", [id]) => delete_comment(st, &auth, id),
        ("GET", [id, "posts" | "feed"]) => list_posts(st, &auth, id, p, req, false),
        ("GET", [id, "media"]) => list_posts(st, &auth, id, p, req, true),
        ("GET", [id, "comments"]) => list_comments(st, &auth, id, p, req, "comments"),
        ("GET", [id, "replies"]) => list_comments(st, &auth, id, p, req, "replies"),
        ("POST", [id, "comments"]) => create_reply(st, &auth, id, p, false),
        ("POST", [id, "replies"]) => create_reply(st, &auth, id, p, true),
        ("POST", [id, "messages"]) => private_reply(st, &auth, id, p, json_body),
        ("POST", [id, "feed"]) => publish_feed(st, &auth, id, p),
        ("POST", [id, "photos"]) => upload_photo(st, &auth, id, p),
        ("POST", [id, "media"]) => ig_container(st, &auth, id, p),
        ("POST", [id, "media_publish"]) => ig_publish(st, &auth, id, p),
        ("POST", [id, "blocked"]) => block(st, &auth, id, p, true),
        ("DELETE", [id, "blocked"]) => block(st, &auth, id, p, false),
        ("GET", [id, "blocked"]) => list_blocked(st, &auth, id, p, req),
        ("POST", [id, "subscribed_apps"]) => subscribe(st, &auth, id, p),
        ("GET", [id, "subscribed_apps"]) => {
            let fields: Vec<String> = st
                .subscriptions
                .get(*id)
                .map(|s| s.iter().cloned().collect())
                .unwrap_or_default();
            Ok(json!({"data": [{"id": "1", "name": "Piazza", "subscribed_fields": fields}]}))
        }
        (_, [id, ..]) => Err(unsupported(m, id)),
        _ => Err(gerr(
            400,
            "OAuthException",
            2500,
            None,
            "Unknown path components",
        )),
    }
}

// ---- the model -------------------------------------------------------

fn is_ig(st: &State, account: &str) -> bool {
    st.ig.contains_key(account)
}

/// Whether the token may act on what `account` owns: its own account, or
/// an Instagram account linked to its Page.
fn visible(st: &State, auth: &Auth, account: &str) -> bool {
    auth.account == account
        || st
            .ig
            .get(account)
            .is_some_and(|a| a.page_id.as_deref() == Some(auth.account.as_str()))
}

fn post_idx(st: &State, id: &str) -> Option<usize> {
    st.posts.iter().position(|p| p.id == id)
}

fn comment_idx(st: &State, id: &str) -> Option<usize> {
    st.comments.iter().position(|c| c.id == id && !c.deleted)
}

fn post_account(st: &State, post_id: &str) -> Option<String> {
    post_idx(st, post_id).map(|i| st.posts[i].account.clone())
}

/// A new comment under a post, or a reply under a comment.
pub(crate) fn new_comment(
    st: &mut State,
    on: &str,
    author_id: &str,
    author_name: &str,
    text: &str,
    created_time: i64,
    by_account: bool,
) -> Option<String> {
    let (post_id, parent_id) = if let Some(i) = post_idx(st, on) {
        (st.posts[i].id.clone(), None)
    } else {
        let i = comment_idx(st, on)?;
        // Facebook threads are two levels deep: a reply to a reply is
        // filed under the thread's first comment.
        let thread = st.comments[i].parent_id.clone().unwrap_or(on.to_string());
        (st.comments[i].post_id.clone(), Some(thread))
    };
    let n = st.next();
    let instagram = post_account(st, &post_id).is_some_and(|a| is_ig(st, &a));
    let id = if instagram {
        format!("1800{n:08}")
    } else {
        // `{post-number}_{comment-number}`, as Facebook writes them.
        let post_n = post_id.rsplit('_').next().unwrap_or("0").to_string();
        format!("{post_n}_{n}")
    };
    st.comments.push(FakeComment {
        id: id.clone(),
        post_id,
        parent_id,
        author_id: author_id.into(),
        author_name: author_name.into(),
        text: text.into(),
        created_time,
        hidden: false,
        deleted: false,
        by_account,
    });
    Some(id)
}

fn children(st: &State, id: &str) -> Vec<usize> {
    (0..st.comments.len())
        .filter(|&i| !st.comments[i].deleted && st.comments[i].parent_id.as_deref() == Some(id))
        .collect()
}

fn fb_comment_json(st: &State, c: &FakeComment) -> Value {
    let mut o = json!({
        "id": c.id,
        "message": c.text,
        "from": {"id": c.author_id, "name": c.author_name},
        "created_time": iso(c.created_time),
        "is_hidden": c.hidden,
        "can_hide": !c.by_account,
        "can_remove": true,
        "can_comment": c.parent_id.is_none(),
        "can_reply_privately": !c.by_account,
        "comment_count": children(st, &c.id).len(),
        "like_count": 0,
        "permalink_url": format!("https://www.facebook.com/{}?comment_id={}", c.post_id, c.id),
    });
    if let Some(p) = &c.parent_id {
        o["parent"] = json!({"id": p});
    }
    o
}

fn ig_comment_json(st: &State, c: &FakeComment, nested: bool) -> Value {
    let mut o = json!({
        "id": c.id,
        "text": c.text,
        "username": c.author_name,
        "from": {"id": c.author_id, "username": c.author_name},
        "timestamp": iso(c.created_time),
        "hidden": c.hidden,
        "like_count": 0,
        "media": {"id": c.post_id},
    });
    if let Some(p) = &c.parent_id {
        o["parent_id"] = json!(p);
    }
    if nested {
        let replies: Vec<Value> = children(st, &c.id)
            .into_iter()
            .map(|i| ig_comment_json(st, &st.comments[i], false))
            .collect();
        o["replies"] = json!({ "data": replies });
    }
    o
}

fn post_json(st: &State, i: usize) -> Value {
    let p = &st.posts[i];
    let comments = st
        .comments
        .iter()
        .filter(|c| c.post_id == p.id && !c.deleted)
        .count();
    let mut o = if is_ig(st, &p.account) {
        json!({
            "id": p.id,
            "timestamp": iso(p.created_time),
            "permalink": p.permalink,
            "media_type": "IMAGE",
            "media_product_type": "FEED",
            "comments_count": comments,
            "like_count": 0,
            "username": st.ig.get(&p.account).map(|a| a.username.clone()),
        })
    } else {
        json!({
            "id": p.id,
            "created_time": iso(p.created_time),
            "permalink_url": p.permalink,
            "from": {"id": p.account, "name": st.pages.get(&p.account).map(|a| a.name.clone())},
            "status_type": "mobile_status_update",
            "is_published": true,
        })
    };
    if let Some(t) = &p.text {
        o[if is_ig(st, &p.account) {
            "caption"
        } else {
            "message"
        }] = json!(t);
    }
    o
}

// ---- fields ----------------------------------------------------------

struct Field {
    name: String,
    sub: Option<Vec<Field>>,
}

/// `a,b{c,d},e.limit(5)` (modifiers are ignored).
fn parse_fields(s: &str) -> Result<Vec<Field>, GErr> {
    fn list(b: &[u8], i: &mut usize, depth: usize) -> Result<Vec<Field>, GErr> {
        let mut out = Vec::new();
        loop {
            let start = *i;
            while *i < b.len() && !matches!(b[*i], b',' | b'{' | b'}') {
                *i += 1;
            }
            let raw = String::from_utf8_lossy(&b[start..*i]).trim().to_string();
            let name = raw.split('.').next().unwrap_or_default().to_string();
            let mut sub = None;
            if *i < b.len() && b[*i] == b'{' {
                *i += 1;
                sub = Some(list(b, i, depth + 1)?);
                if *i >= b.len() || b[*i] != b'}' {
                    return Err(invalid("(#100) Syntax error in fields: missing }"));
                }
                *i += 1;
            }
            if !name.is_empty() {
                out.push(Field { name, sub });
            }
            if *i < b.len() && b[*i] == b',' {
                *i += 1;
                continue;
            }
            if *i < b.len() && b[*i] == b'}' && depth == 0 {
                return Err(invalid("(#100) Syntax error in fields: unexpected }"));
            }
            return Ok(out);
        }
    }
    let mut i = 0;
    list(s.as_bytes(), &mut i, 0)
}

const FB_COMMENT_FIELDS: &[&str] = &[
    "id",
    "message",
    "from",
    "created_time",
    "parent",
    "is_hidden",
    "can_hide",
    "can_remove",
    "can_comment",
    "can_reply_privately",
    "comment_count",
    "like_count",
    "attachment",
    "message_tags",
    "object",
    "permalink_url",
];
const IG_COMMENT_FIELDS: &[&str] = &[
    "id",
    "text",
    "username",
    "from",
    "timestamp",
    "hidden",
    "like_count",
    "media",
    "parent_id",
    "replies",
    "user",
    "legacy_instagram_comment_id",
];
const FB_POST_FIELDS: &[&str] = &[
    "id",
    "message",
    "permalink_url",
    "created_time",
    "from",
    "story",
    "full_picture",
    "status_type",
    "is_published",
    "updated_time",
];
const IG_MEDIA_FIELDS: &[&str] = &[
    "id",
    "caption",
    "permalink",
    "timestamp",
    "media_type",
    "media_url",
    "media_product_type",
    "comments_count",
    "like_count",
    "username",
    "owner",
    "shortcode",
];

/// Keeps the requested fields (and `id`, which Graph always returns);
/// a field the node type does not have is Meta's error 100.
fn project(v: &Value, fields: &[Field], known: &[&str], node: &str) -> Res {
    let mut out = Map::new();
    if let Some(id) = v.get("id") {
        out.insert("id".into(), id.clone());
    }
    for f in fields {
        if !known.contains(&f.name.as_str()) {
            return Err(invalid(format!(
                "(#100) Tried accessing nonexisting field ({}) on node type ({node})",
                f.name
            )));
        }
        let Some(x) = v.get(&f.name) else { continue };
        let x = match (&f.sub, x) {
            (Some(sub), Value::Object(o)) if o.get("data").is_some_and(Value::is_array) => {
                let data = o["data"].as_array().cloned().unwrap_or_default();
                let data: Vec<Value> = data.iter().map(|d| project_loose(d, sub)).collect();
                json!({ "data": data })
            }
            (Some(sub), Value::Object(_)) => project_loose(x, sub),
            _ => x.clone(),
        };
        out.insert(f.name.clone(), x);
    }
    Ok(Value::Object(out))
}

/// Sub-selections are not checked against a node type.
fn project_loose(v: &Value, fields: &[Field]) -> Value {
    let mut out = Map::new();
    if let Some(id) = v.get("id") {
        out.insert("id".into(), id.clone());
    }
    for f in fields {
        if let Some(x) = v.get(&f.name) {
            let x = match &f.sub {
                Some(sub) if x.is_object() => project_loose(x, sub),
                _ => x.clone(),
            };
            out.insert(f.name.clone(), x);
        }
    }
    Value::Object(out)
}

fn fields_of(p: &BTreeMap<String, String>, default: &str) -> Result<Vec<Field>, GErr> {
    parse_fields(p.get("fields").map_or(default, String::as_str))
}

// ---- paging ----------------------------------------------------------

fn cursor(offset: usize) -> String {
    hex::encode(format!("fake-offset:{offset}"))
}

fn offset_of(c: &str) -> Option<usize> {
    let raw = String::from_utf8(hex::decode(c).ok()?).ok()?;
    raw.strip_prefix("fake-offset:")?.parse().ok()
}

/// One page of `items`, with Meta's `paging` (cursors, and `next` /
/// `previous` URLs that carry every parameter of the request, the token
/// included, as Meta's do).
fn paged(st: &State, req: &Request, p: &BTreeMap<String, String>, items: Vec<Value>) -> Res {
    let limit = p
        .get("limit")
        .map(|l| {
            l.parse::<usize>()
                .map_err(|_| invalid("(#100) limit must be an integer"))
        })
        .transpose()?
        .unwrap_or(25)
        .clamp(1, 100);
    let offset = match p.get("after") {
        Some(a) => offset_of(a).ok_or_else(|| invalid("(#100) The after cursor is invalid"))?,
        None => 0,
    };
    let total = items.len();
    let data: Vec<Value> = items.into_iter().skip(offset).take(limit).collect();
    if data.is_empty() {
        return Ok(json!({ "data": [] }));
    }
    let end = offset + data.len();
    let link = |after: Option<usize>| {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in p {
            if k != "after" && k != "before" {
                s.append_pair(k, v);
            }
        }
        if let Some(a) = after {
            s.append_pair("after", &cursor(a));
        }
        format!("{}{}?{}", st.base_url, req.path, s.finish())
    };
    let mut paging = json!({"cursors": {"before": cursor(offset), "after": cursor(end)}});
    if end < total {
        paging["next"] = json!(link(Some(end)));
    }
    if offset > 0 {
        paging["previous"] = json!(link(Some(offset.saturating_sub(limit))));
    }
    Ok(json!({ "data": data, "paging": paging }))
}

// ---- endpoints -------------------------------------------------------

fn debug_token(st: &State, p: &BTreeMap<String, String>) -> Res {
    let input = p
        .get("input_token")
        .ok_or_else(|| invalid("(#100) The parameter input_token is required"))?;
    let Some(t) = st.tokens.get(input) else {
        return Ok(json!({"data": {
            "is_valid": false,
            "scopes": [],
            "error": {"code": 190, "message": "Invalid OAuth access token."}
        }}));
    };
    let mut data = json!({
        "app_id": "1",
        "type": if is_ig(st, &t.account) { "USER" } else { "PAGE" },
        "application": "Piazza",
        "data_access_expires_at": now() + 90 * 86_400,
        "expires_at": t.expires_at.unwrap_or(0),
        "is_valid": t.valid && t.expires_at.is_none_or(|e| e > now()),
        "issued_at": now() - 86_400,
        "profile_id": t.account,
        "scopes": t.scopes,
        "user_id": "9000",
    });
    match &st.debug_token {
        FakeDebugToken::Truthful => {}
        FakeDebugToken::Expired { at } => {
            data["is_valid"] = json!(false);
            data["expires_at"] = json!(at);
            data["error"] = json!({"code": 190, "subcode": 463, "message": format!("Session has expired on {}.", iso(*at))});
        }
        FakeDebugToken::Scopes(s) => data["scopes"] = json!(s),
        FakeDebugToken::ExpiresAt(at) => data["expires_at"] = json!(at),
    }
    let granular: Vec<Value> = data["scopes"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|s| json!({"scope": s, "target_ids": [t.account]}))
        .collect();
    data["granular_scopes"] = json!(granular);
    Ok(json!({ "data": data }))
}

fn get_object(st: &State, auth: &Auth, id: &str, p: &BTreeMap<String, String>) -> Res {
    if let Some(page) = st.pages.get(id) {
        let full = json!({"id": page.id, "name": page.name, "category": "Government Organization", "link": format!("https://www.facebook.com/{}", page.id)});
        return project(
            &full,
            &fields_of(p, "id,name")?,
            &["id", "name", "category", "link", "username", "fan_count"],
            "Page",
        );
    }
    if let Some(a) = st.ig.get(id) {
        let full = json!({"id": a.id, "username": a.username, "name": a.name, "media_count": st.posts.iter().filter(|x| x.account == a.id).count()});
        return project(
            &full,
            &fields_of(p, "id")?,
            &[
                "id",
                "username",
                "name",
                "media_count",
                "biography",
                "followers_count",
                "profile_picture_url",
            ],
            "IGUser",
        );
    }
    if let Some(i) = post_idx(st, id)
        && visible(st, auth, &st.posts[i].account)
    {
        let ig = is_ig(st, &st.posts[i].account);
        if ig {
            auth.require(&["instagram_basic", "instagram_business_basic"], 10)?;
            return project(
                &post_json(st, i),
                &fields_of(p, "id")?,
                IG_MEDIA_FIELDS,
                "IGMedia",
            );
        }
        auth.require(&["pages_read_engagement"], 200)?;
        return project(
            &post_json(st, i),
            &fields_of(p, "created_time,message,id")?,
            FB_POST_FIELDS,
            "Post",
        );
    }
    if let Some(i) = comment_idx(st, id) {
        let c = &st.comments[i];
        if let Some(acct) = post_account(st, &c.post_id)
            && visible(st, auth, &acct)
        {
            if is_ig(st, &acct) {
                auth.require(
                    &[
                        "instagram_manage_comments",
                        "instagram_business_manage_comments",
                    ],
                    10,
                )?;
                return project(
                    &ig_comment_json(st, c, true),
                    &fields_of(p, "id,text,timestamp")?,
                    IG_COMMENT_FIELDS,
                    "IGComment",
                );
            }
            auth.require(&["pages_read_engagement"], 200)?;
            return project(
                &fb_comment_json(st, c),
                &fields_of(p, "created_time,from,message,id")?,
                FB_COMMENT_FIELDS,
                "Comment",
            );
        }
    }
    Err(unsupported("GET", id))
}

/// The comment `id` if the token may act on it, with whether it is on
/// Instagram.
fn own_comment(st: &State, auth: &Auth, method: &str, id: &str) -> Result<(usize, bool), GErr> {
    let i = comment_idx(st, id).ok_or_else(|| unsupported(method, id))?;
    let acct = post_account(st, &st.comments[i].post_id).ok_or_else(|| unsupported(method, id))?;
    if !visible(st, auth, &acct) {
        return Err(unsupported(method, id));
    }
    Ok((i, is_ig(st, &acct)))
}

fn flag(p: &BTreeMap<String, String>, key: &str) -> Result<Option<bool>, GErr> {
    match p.get(key).map(String::as_str) {
        None => Ok(None),
        Some("true" | "1") => Ok(Some(true)),
        Some("false" | "0") => Ok(Some(false)),
        Some(_) => Err(invalid(format!("(#100) Param {key} must be a boolean"))),
    }
}

fn update_comment(st: &mut State, auth: &Auth, id: &str, p: &BTreeMap<String, String>) -> Res {
    let (i, ig) = own_comment(st, auth, "POST", id)?;
    let hidden = if ig {
        auth.require(
            &[
                "instagram_manage_comments",
                "instagram_business_manage_comments",
            ],
            10,
        )?;
        flag(p, "hide")?
    } else {
        auth.require(&["pages_manage_engagement"], 200)?;
        auth.require(&["pages_read_engagement"], 200)?;
        flag(p, "is_hidden")?
    };
    let Some(hidden) = hidden else {
        return Err(invalid(format!(
            "(#100) The parameter {} is required",
            if ig { "hide" } else { "is_hidden" }
        )));
    };
    // `can_hide` is false for comments by the Page itself; Meta's answer to
    // hiding one is not documented: code 100, in the words of `can_hide`.
    if st.comments[i].by_account {
        return Err(invalid(
            "(#100) This comment cannot be hidden (can_hide is false)",
        ));
    }
    st.comments[i].hidden = hidden;
    Ok(json!({"success": true}))
}

fn delete_comment(st: &mut State, auth: &Auth, id: &str) -> Res {
    let (i, ig) = own_comment(st, auth, "DELETE", id)?;
    if ig {
        auth.require(
            &[
                "instagram_manage_comments",
                "instagram_business_manage_comments",
            ],
            10,
        )?;
    } else {
        auth.require(&["pages_manage_engagement"], 200)?;
        if !st.comments[i].by_account {
            auth.require(&["pages_read_user_content"], 200)?;
        }
    }
    // Replies go with the comment they answer.
    let mut gone = vec![st.comments[i].id.clone()];
    while let Some(g) = gone.pop() {
        for c in st.comments.iter_mut() {
            if c.id == g {
                c.deleted = true;
            }
            if c.parent_id.as_deref() == Some(g.as_str()) && !c.deleted {
                gone.push(c.id.clone());
            }
        }
    }
    Ok(json!({"success": true}))
}

fn list_posts(
    st: &State,
    auth: &Auth,
    id: &str,
    p: &BTreeMap<String, String>,
    req: &Request,
    media: bool,
) -> Res {
    let right_kind = if media {
        st.ig.contains_key(id)
    } else {
        st.pages.contains_key(id)
    };
    if !right_kind || !visible(st, auth, id) {
        return Err(unsupported("GET", id));
    }
    let (fields, known, node) = if media {
        auth.require(&["instagram_basic", "instagram_business_basic"], 10)?;
        (fields_of(p, "id")?, IG_MEDIA_FIELDS, "IGMedia")
    } else {
        auth.require(&["pages_read_engagement"], 200)?;
        (
            fields_of(p, "created_time,message,id")?,
            FB_POST_FIELDS,
            "Post",
        )
    };
    let time = |k: &str| -> Result<Option<i64>, GErr> {
        p.get(k)
            .map(|s| {
                s.parse::<i64>()
                    .map_err(|_| invalid(format!("(#100) {k} must be a unix time")))
            })
            .transpose()
    };
    let (since, until) = (time("since")?, time("until")?);
    let mut idx: Vec<usize> = (0..st.posts.len())
        .filter(|&i| st.posts[i].account == id)
        .filter(|&i| since.is_none_or(|s| st.posts[i].created_time >= s))
        .filter(|&i| until.is_none_or(|u| st.posts[i].created_time <= u))
        .collect();
    // Newest first; among equal times, the later added first.
    idx.sort_by(|a, b| {
        st.posts[*b]
            .created_time
            .cmp(&st.posts[*a].created_time)
            .then(b.cmp(a))
    });
    let items = idx
        .into_iter()
        .map(|i| project(&post_json(st, i), &fields, known, node))
        .collect::<Result<Vec<_>, _>>()?;
    paged(st, req, p, items)
}

fn list_comments(
    st: &State,
    auth: &Auth,
    id: &str,
    p: &BTreeMap<String, String>,
    req: &Request,
    edge: &str,
) -> Res {
    let (mut idx, ig) = if let Some(i) = post_idx(st, id) {
        let acct = st.posts[i].account.clone();
        if !visible(st, auth, &acct) || edge != "comments" {
            return Err(unsupported("GET", id));
        }
        let ig = is_ig(st, &acct);
        let stream = !ig && p.get("filter").map(String::as_str) == Some("stream");
        let idx: Vec<usize> = (0..st.comments.len())
            .filter(|&j| {
                let c = &st.comments[j];
                c.post_id == id && !c.deleted && (stream || c.parent_id.is_none())
            })
            .collect();
        (idx, ig)
    } else {
        let (_, ig) = own_comment(st, auth, "GET", id)?;
        // Instagram reads replies on `replies`; Facebook on `comments`.
        if (edge == "replies") != ig {
            return Err(invalid(format!(
                "(#100) Tried accessing nonexisting field ({edge}) on node type ({})",
                if ig { "IGComment" } else { "Comment" }
            )));
        }
        (children(st, id), ig)
    };
    if ig {
        auth.require(
            &[
                "instagram_manage_comments",
                "instagram_business_manage_comments",
            ],
            10,
        )?;
    } else {
        auth.require(&["pages_read_engagement"], 200)?;
        auth.require(&["pages_read_user_content"], 200)?;
    }
    let key = |j: &usize| (st.comments[*j].created_time, *j);
    idx.sort_by_key(key);
    // Instagram lists top-level comments newest first; Facebook follows
    // `order` (chronological by default).
    let reverse = if ig {
        edge == "comments"
    } else {
        p.get("order").map(String::as_str) == Some("reverse_chronological")
    };
    if reverse {
        idx.reverse();
    }
    let items = idx
        .into_iter()
        .map(|j| {
            let c = &st.comments[j];
            if ig {
                project(
                    &ig_comment_json(st, c, edge == "comments"),
                    &fields_of(p, "id,text,timestamp")?,
                    IG_COMMENT_FIELDS,
                    "IGComment",
                )
            } else {
                project(
                    &fb_comment_json(st, c),
                    &fields_of(p, "created_time,from,message,id")?,
                    FB_COMMENT_FIELDS,
                    "Comment",
                )
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    paged(st, req, p, items)
}

fn create_reply(
    st: &mut State,
    auth: &Auth,
    id: &str,
    p: &BTreeMap<String, String>,
    instagram_edge: bool,
) -> Res {
    let message = p
        .get("message")
        .filter(|m| !m.trim().is_empty())
        .cloned()
        .ok_or_else(|| invalid("(#100) Missing message or attachment"))?;
    let (account, ig) = if let Some(i) = post_idx(st, id) {
        (st.posts[i].account.clone(), is_ig(st, &st.posts[i].account))
    } else {
        let (i, ig) = own_comment(st, auth, "POST", id)?;
        (
            post_account(st, &st.comments[i].post_id).unwrap_or_default(),
            ig,
        )
    };
    if !visible(st, auth, &account) {
        return Err(unsupported("POST", id));
    }
    if instagram_edge != ig {
        return Err(unsupported("POST", id));
    }
    if ig {
        auth.require(
            &[
                "instagram_manage_comments",
                "instagram_business_manage_comments",
            ],
            10,
        )?;
        if comment_idx(st, id).is_some_and(|i| st.comments[i].parent_id.is_some()) {
            return Err(invalid(
                "(#100) Replies can only be made to top-level comments",
            ));
        }
    } else {
        auth.require(&["pages_manage_engagement"], 200)?;
    }
    let name = if ig {
        st.ig.get(&account).map(|a| a.username.clone())
    } else {
        st.pages.get(&account).map(|a| a.name.clone())
    }
    .unwrap_or_default();
    let new = new_comment(st, id, &account, &name, &message, now(), true)
        .ok_or_else(|| unsupported("POST", id))?;
    Ok(json!({ "id": new }))
}

/// `POST /{page-id}/feed`: `message`, `link`, `attached_media[i]` (JSON
/// `{"media_fbid": ...}` of photos uploaded with `published=false`);
/// Page token with `pages_manage_posts` (and `pages_read_engagement`).
/// Answers `{"id": "{page-id}_{post-id}"}`.
/// <https://developers.facebook.com/docs/pages-api/posts>
fn publish_feed(st: &mut State, auth: &Auth, id: &str, p: &BTreeMap<String, String>) -> Res {
    if !st.pages.contains_key(id) || !visible(st, auth, id) {
        return Err(unsupported("POST", id));
    }
    auth.require(&["pages_manage_posts"], 200)?;
    auth.require(&["pages_read_engagement"], 200)?;
    let message = p.get("message").filter(|m| !m.trim().is_empty()).cloned();
    let link = p.get("link").filter(|l| !l.is_empty()).cloned();
    let mut media = Vec::new();
    for i in 0.. {
        let Some(a) = p.get(&format!("attached_media[{i}]")) else {
            break;
        };
        let fbid = serde_json::from_str::<Value>(a)
            .ok()
            .and_then(|v| {
                v.get("media_fbid")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .ok_or_else(|| {
                invalid(format!(
                    "(#100) attached_media[{i}] must be {{\"media_fbid\": ID}}"
                ))
            })?;
        let photo = st
            .uploads
            .iter()
            .find(|u| u.id == fbid && u.account == id && !u.published)
            .cloned()
            .ok_or_else(|| invalid(format!("(#100) Invalid media_fbid {fbid}")))?;
        media.push(photo);
    }
    if message.is_none() && link.is_none() && media.is_empty() {
        return Err(invalid("(#100) Missing message or attachment"));
    }
    for m in &media {
        if let Some(u) = st.uploads.iter_mut().find(|u| u.id == m.id) {
            u.published = true;
        }
    }
    let post = add_api_post(st, id, message, link, media);
    Ok(json!({ "id": post }))
}

/// `POST /{page-id}/photos`: `url` (fetched by Meta), `published`,
/// `alt_text_custom`, `caption`. With `published=false` the photo waits
/// for a `/feed` post; otherwise it is a post of its own. Answers
/// `{"id": PHOTO_ID}` (and `post_id` when published).
/// <https://developers.facebook.com/docs/graph-api/reference/page/photos/>
fn upload_photo(st: &mut State, auth: &Auth, id: &str, p: &BTreeMap<String, String>) -> Res {
    if !st.pages.contains_key(id) || !visible(st, auth, id) {
        return Err(unsupported("POST", id));
    }
    auth.require(&["pages_manage_posts"], 200)?;
    let url = p
        .get("url")
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        .cloned()
        .ok_or_else(|| invalid("(#100) Missing or invalid image url"))?;
    let n = st.next();
    let photo = FakeMedia {
        id: format!("{n}"),
        account: id.into(),
        url,
        alt_text: p.get("alt_text_custom").cloned(),
        caption: p.get("caption").or(p.get("message")).cloned(),
        children: Vec::new(),
        published: false,
    };
    st.uploads.push(photo.clone());
    if flag(p, "published")? == Some(false) {
        return Ok(json!({ "id": photo.id }));
    }
    if let Some(u) = st.uploads.last_mut() {
        u.published = true;
    }
    let caption = photo.caption.clone();
    let post = add_api_post(st, id, caption, None, vec![photo.clone()]);
    Ok(json!({ "id": photo.id, "post_id": post }))
}

/// `POST /{ig-user-id}/media`: `image_url` (JPEG, fetched by Meta),
/// `caption`, `alt_text`, `is_carousel_item`; or `media_type=CAROUSEL`
/// with `children` (2 to 10 container ids). Needs
/// `instagram_content_publish` (Facebook Login) or
/// `instagram_business_content_publish` (Instagram Login). Answers
/// `{"id": CONTAINER_ID}`.
/// <https://developers.facebook.com/docs/instagram-platform/content-publishing>
fn ig_container(st: &mut State, auth: &Auth, id: &str, p: &BTreeMap<String, String>) -> Res {
    if !st.ig.contains_key(id) || !visible(st, auth, id) {
        return Err(unsupported("POST", id));
    }
    auth.require(
        &[
            "instagram_content_publish",
            "instagram_business_content_publish",
        ],
        10,
    )?;
    let n = st.next();
    let container = if p.get("media_type").map(String::as_str) == Some("CAROUSEL") {
        let children: Vec<String> = p
            .get("children")
            .map(|c| c.split(',').map(|x| x.trim().to_string()).collect())
            .unwrap_or_default();
        if !(2..=10).contains(&children.len())
            || children
                .iter()
                .any(|c| !st.uploads.iter().any(|u| &u.id == c && u.account == id))
        {
            return Err(invalid(
                "(#100) children must list 2 to 10 item containers of this account",
            ));
        }
        FakeMedia {
            id: format!("1789{n:08}"),
            account: id.into(),
            url: String::new(),
            alt_text: None,
            caption: p.get("caption").cloned(),
            children,
            published: false,
        }
    } else {
        let url = p
            .get("image_url")
            .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
            .cloned()
            .ok_or_else(|| invalid("(#100) The parameter image_url is required"))?;
        FakeMedia {
            id: format!("1789{n:08}"),
            account: id.into(),
            url,
            alt_text: p.get("alt_text").cloned(),
            caption: p.get("caption").cloned(),
            children: Vec::new(),
            published: false,
        }
    };
    let cid = container.id.clone();
    st.uploads.push(container);
    Ok(json!({ "id": cid }))
}

/// `POST /{ig-user-id}/media_publish` with `creation_id`: publishes a
/// container once. Answers `{"id": IG_MEDIA_ID}`.
fn ig_publish(st: &mut State, auth: &Auth, id: &str, p: &BTreeMap<String, String>) -> Res {
    if !st.ig.contains_key(id) || !visible(st, auth, id) {
        return Err(unsupported("POST", id));
    }
    auth.require(
        &[
            "instagram_content_publish",
            "instagram_business_content_publish",
        ],
        10,
    )?;
    let creation = p
        .get("creation_id")
        .cloned()
        .ok_or_else(|| invalid("(#100) The parameter creation_id is required"))?;
    let i = st
        .uploads
        .iter()
        .position(|u| u.id == creation && u.account == id && !u.published)
        .ok_or_else(|| invalid(format!("(#100) Invalid creation_id {creation}")))?;
    st.uploads[i].published = true;
    let container = st.uploads[i].clone();
    let media = if container.children.is_empty() {
        vec![container.clone()]
    } else {
        st.uploads
            .iter()
            .filter(|u| container.children.contains(&u.id))
            .cloned()
            .collect()
    };
    let post = add_api_post(st, id, container.caption.clone(), None, media);
    Ok(json!({ "id": post }))
}

/// A post published through the API, now.
fn add_api_post(
    st: &mut State,
    account: &str,
    text: Option<String>,
    link: Option<String>,
    media: Vec<FakeMedia>,
) -> String {
    let n = st.next();
    let instagram = is_ig(st, account);
    let (id, permalink) = if instagram {
        (
            format!("1790{n:08}"),
            format!("https://www.instagram.com/p/FAKE{n}/"),
        )
    } else {
        (
            format!("{account}_{n}"),
            format!("https://www.facebook.com/{account}/posts/{n}"),
        )
    };
    st.posts.push(FakePost {
        id: id.clone(),
        account: account.into(),
        text,
        created_time: now(),
        permalink,
        link,
        media,
        by_api: true,
    });
    id
}

fn private_reply(
    st: &mut State,
    auth: &Auth,
    page: &str,
    p: &BTreeMap<String, String>,
    json_body: Option<&Value>,
) -> Res {
    if !st.pages.contains_key(page) || !visible(st, auth, page) {
        return Err(unsupported("POST", page));
    }
    auth.require(&["pages_messaging"], 10)?;
    // The Send API takes JSON; form posts carry `recipient`/`message` as
    // JSON text.
    let field = |k: &str| -> Option<Value> {
        json_body
            .and_then(|b| b.get(k).cloned())
            .or_else(|| p.get(k).and_then(|s| serde_json::from_str(s).ok()))
    };
    let text = field("message")
        .and_then(|m| m.get("text").and_then(Value::as_str).map(str::to_string))
        .filter(|t| !t.is_empty())
        .ok_or_else(|| invalid("(#100) param message must have a text"))?;
    // A message in a conversation: `recipient.id`, the person's
    // page-scoped id, within 24 hours of their last message (the standard
    // messaging window; code 10, subcode 2018278 outside it).
    if let Some(psid) =
        field("recipient").and_then(|r| r.get("id").and_then(Value::as_str).map(str::to_string))
    {
        let last = st
            .inbox
            .iter()
            .filter(|m| {
                m.1 == psid
                    && (m.0 == page
                        || st.ig.get(&m.0).and_then(|a| a.page_id.as_deref()) == Some(page))
            })
            .map(|m| m.4)
            .max();
        let Some(last) = last else {
            return Err(GErr {
                status: 400,
                kind: "OAuthException",
                code: 100,
                subcode: Some(2_018_001),
                message: "(#100) No matching user found".into(),
                transient: false,
            });
        };
        if now() - last > 24 * 3600 {
            return Err(GErr {
                status: 400,
                kind: "OAuthException",
                code: 10,
                subcode: Some(2_018_278),
                message: "(#10) This message is sent outside of allowed window.".into(),
                transient: false,
            });
        }
        let n = st.next();
        let message_id = format!("m_out{n}");
        st.sent_messages.push(crate::meta::FakeSentMessage {
            page_id: page.into(),
            recipient_id: psid.clone(),
            messaging_type: p
                .get("messaging_type")
                .cloned()
                .or_else(|| {
                    json_body
                        .and_then(|b| b.get("messaging_type"))
                        .and_then(Value::as_str)
                        .map(str::to_string)
                })
                .unwrap_or_default(),
            text,
            message_id: message_id.clone(),
        });
        return Ok(json!({"recipient_id": psid, "message_id": message_id}));
    }
    let comment_id = field("recipient")
        .and_then(|r| {
            r.get("comment_id")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .ok_or_else(|| invalid("(#100) param recipient must be a JSON object with a comment_id"))?;
    let i = comment_idx(st, &comment_id).ok_or_else(|| unsupported("POST", &comment_id))?;
    let acct = post_account(st, &st.comments[i].post_id).unwrap_or_default();
    if acct != page && st.ig.get(&acct).and_then(|a| a.page_id.as_deref()) != Some(page) {
        return Err(unsupported("POST", &comment_id));
    }
    if st
        .private_replies
        .iter()
        .any(|r| r.comment_id == comment_id)
    {
        return Err(documented(10_900, None));
    }
    if now() - st.comments[i].created_time > 7 * 86_400 {
        return Err(documented(10_903, None));
    }
    let n = st.next();
    let message_id = format!("m_fake{n}");
    let recipient = format!("psid-{}", st.comments[i].author_id);
    st.private_replies.push(FakePrivateReply {
        page_id: page.into(),
        comment_id,
        text,
        message_id: message_id.clone(),
    });
    Ok(json!({"recipient_id": recipient, "message_id": message_id}))
}

/// The ids of a `/blocked` call: `user`, `uid`, `asid` or `psid`, each one
/// id or a JSON list of ids.
fn blocked_ids(p: &BTreeMap<String, String>) -> Vec<String> {
    let mut out = Vec::new();
    for k in ["user", "uid", "asid", "psid"] {
        if let Some(v) = p.get(k) {
            match serde_json::from_str::<Value>(v) {
                Ok(Value::Array(a)) => out.extend(a.iter().map(|x| match x {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })),
                _ => out.push(v.clone()),
            }
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

fn block(st: &mut State, auth: &Auth, page: &str, p: &BTreeMap<String, String>, add: bool) -> Res {
    if !st.pages.contains_key(page) || !visible(st, auth, page) {
        return Err(unsupported(if add { "POST" } else { "DELETE" }, page));
    }
    auth.require(&["pages_manage_engagement"], 200)?;
    let ids = blocked_ids(p);
    if ids.is_empty() {
        return Err(invalid(
            "(#100) One of the parameters user, uid, asid or psid is required",
        ));
    }
    let set = st.blocked.entry(page.to_string()).or_default();
    if add {
        let mut answer = Map::new();
        for id in ids {
            set.insert(id.clone());
            answer.insert(id, json!(true));
        }
        Ok(Value::Object(answer))
    } else {
        for id in ids {
            set.remove(&id);
        }
        Ok(json!({"success": true}))
    }
}

fn list_blocked(
    st: &State,
    auth: &Auth,
    page: &str,
    p: &BTreeMap<String, String>,
    req: &Request,
) -> Res {
    if !st.pages.contains_key(page) || !visible(st, auth, page) {
        return Err(unsupported("GET", page));
    }
    auth.require(&["pages_manage_engagement"], 200)?;
    let items: Vec<Value> = st
        .blocked
        .get(page)
        .map(|s| s.iter().map(|id| json!({"id": id})).collect())
        .unwrap_or_default();
    paged(st, req, p, items)
}

fn subscribe(st: &mut State, auth: &Auth, id: &str, p: &BTreeMap<String, String>) -> Res {
    if st.pages.contains_key(id) && visible(st, auth, id) {
        auth.require(&["pages_manage_metadata"], 200)?;
    } else if st.ig.contains_key(id) && auth.account == id {
        // Instagram Login: `POST /me/subscribed_apps`.
        auth.require(&["instagram_business_basic"], 10)?;
    } else {
        return Err(unsupported("POST", id));
    }
    let fields: Vec<String> = p
        .get("subscribed_fields")
        .map(|f| {
            f.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    if fields.is_empty() {
        return Err(invalid(
            "(#100) The parameter subscribed_fields is required",
        ));
    }
    st.subscriptions
        .entry(id.to_string())
        .or_default()
        .extend(fields);
    Ok(json!({"success": true}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_format_is_graphs() {
        assert_eq!(iso(1_705_312_800), "2024-01-15T10:00:00+0000");
        assert_eq!(iso(0), "1970-01-01T00:00:00+0000");
    }

    #[test]
    fn fields_parse_with_nesting() {
        let f = parse_fields("id,from{id,name},replies{id,from{id}},x.limit(5)").unwrap();
        let names: Vec<&str> = f.iter().map(|x| x.name.as_str()).collect();
        assert_eq!(names, ["id", "from", "replies", "x"]);
        assert_eq!(
            f[2].sub.as_ref().unwrap()[1].sub.as_ref().unwrap()[0].name,
            "id"
        );
        assert!(parse_fields("a{b").is_err());
        assert!(parse_fields("a}").is_err());
    }

    #[test]
    fn cursors_round_trip() {
        assert_eq!(offset_of(&cursor(17)), Some(17));
        assert_eq!(offset_of("zz"), None);
    }
}
