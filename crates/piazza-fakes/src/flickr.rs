//! A fake of the Flickr REST API, for what Piazza's connector uses,
//! written from Flickr's API documentation
//! (<https://www.flickr.com/services/api/>, the methods' pages and
//! "User Authentication", OAuth 1.0a):
//! - one endpoint, `/services/rest/`, with `method`, `format=json` and
//!   `nojsoncallback=1`; answers `{"stat":"ok",...}` or `{"stat":"fail",
//!   "code":N,"message":"..."}` (HTTP 200 in both cases);
//! - every call signed with OAuth 1.0a (HMAC-SHA1 over the method, the URL
//!   and the sorted parameters, with `consumer_secret&token_secret`); a bad
//!   signature or an unknown token answers code 98 "Invalid auth token";
//! - `flickr.auth.oauth.checkToken` (the token's `perms`),
//!   `flickr.test.login`, `flickr.people.getPhotos` (`user_id=me`,
//!   `extras=date_upload`, `per_page`, `page`),
//!   `flickr.photos.comments.getList` (`photo_id`, `min_comment_date`),
//!   `flickr.photos.comments.addComment` (`photo_id`, `comment_text`; code
//!   1 photo not found), `flickr.photos.comments.deleteComment`
//!   (`comment_id`; code 2 comment not found; the author or the photo's
//!   owner may delete; anyone else gets code 99 "Insufficient
//!   permissions": Flickr does not say the owner may, so the fake allows
//!   it and the connector reads a refusal as "not allowed").

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use ring::hmac;
use serde_json::{Value, json};

/// A comment on a photo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeComment {
    pub id: String,
    pub photo_id: String,
    pub author: String,
    pub authorname: String,
    pub text: String,
    /// Unix seconds.
    pub date: i64,
    pub deleted: bool,
}

#[derive(Debug, Default)]
struct State {
    /// consumer key → secret
    consumers: BTreeMap<String, String>,
    /// token → (secret, user nsid, perms)
    tokens: BTreeMap<String, (String, String, String)>,
    users: BTreeMap<String, String>,
    /// (id, owner, title, date)
    photos: Vec<(String, String, String, i64)>,
    comments: Vec<FakeComment>,
    calls: Vec<BTreeMap<String, String>>,
    next: u64,
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// RFC 3986 percent-encoding, as OAuth 1.0a wants it.
fn pct(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn b64(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn fail(code: i64, message: &str) -> Value {
    json!({"stat": "fail", "code": code, "message": message})
}

fn call(st: &mut State, url: &str, http_method: &str, p: &BTreeMap<String, String>) -> Value {
    // OAuth 1.0a: the signature over everything but itself.
    let Some(consumer_secret) = p
        .get("oauth_consumer_key")
        .and_then(|k| st.consumers.get(k))
        .cloned()
    else {
        return fail(100, "Invalid API Key (Key not found)");
    };
    let Some((token_secret, user, perms)) =
        p.get("oauth_token").and_then(|t| st.tokens.get(t)).cloned()
    else {
        return fail(98, "Invalid auth token");
    };
    let params: Vec<String> = p
        .iter()
        .filter(|(k, _)| k.as_str() != "oauth_signature")
        .map(|(k, v)| format!("{}={}", pct(k), pct(v)))
        .collect();
    let base = format!("{}&{}&{}", http_method, pct(url), pct(&params.join("&")));
    let key = hmac::Key::new(
        hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
        format!("{}&{}", pct(&consumer_secret), pct(&token_secret)).as_bytes(),
    );
    let expected = b64(hmac::sign(&key, base.as_bytes()).as_ref());
    if p.get("oauth_signature") != Some(&expected) {
        return fail(96, "Invalid signature");
    }
    let needs_write = matches!(
        p.get("method").map(String::as_str),
        Some("flickr.photos.comments.addComment" | "flickr.photos.comments.deleteComment")
    );
    if needs_write && !(perms == "write" || perms == "delete") {
        return fail(
            99,
            "Insufficient permissions. Method requires write privileges; read granted.",
        );
    }
    match p.get("method").map(String::as_str).unwrap_or_default() {
        "flickr.auth.oauth.checkToken" => json!({"stat": "ok", "oauth": {
            "token": {"_content": p.get("oauth_token").cloned().unwrap_or_default()},
            "perms": {"_content": perms},
            "user": {"nsid": user, "username": st.users.get(&user).cloned().unwrap_or_default(), "fullname": ""}}}),
        "flickr.test.login" => {
            json!({"stat": "ok", "user": {"id": user, "username": {"_content": st.users.get(&user).cloned().unwrap_or_default()}}})
        }
        "flickr.people.getPhotos" => {
            let who = match p.get("user_id").map(String::as_str) {
                Some("me") | None => user.clone(),
                Some(u) => u.to_string(),
            };
            let per_page: usize = p
                .get("per_page")
                .and_then(|v| v.parse().ok())
                .unwrap_or(100)
                .clamp(1, 500);
            let page: usize = p
                .get("page")
                .and_then(|v| v.parse().ok())
                .unwrap_or(1)
                .max(1);
            let mine: Vec<&(String, String, String, i64)> =
                st.photos.iter().filter(|x| x.1 == who).rev().collect();
            let photos: Vec<Value> = mine
                .iter()
                .skip((page - 1) * per_page)
                .take(per_page)
                .map(|x| json!({"id": x.0, "owner": x.1, "title": x.2, "dateupload": x.3.to_string(), "ispublic": 1}))
                .collect();
            let pages = mine.len().div_ceil(per_page).max(1);
            json!({"stat": "ok", "photos": {"page": page, "pages": pages, "perpage": per_page, "total": mine.len(), "photo": photos}})
        }
        "flickr.photos.comments.getList" => {
            let Some(photo) = p.get("photo_id") else {
                return fail(1, "Photo not found");
            };
            if !st.photos.iter().any(|x| &x.0 == photo) {
                return fail(1, "Photo not found");
            }
            let min: i64 = p
                .get("min_comment_date")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let comments: Vec<Value> = st
                .comments
                .iter()
                .filter(|c| &c.photo_id == photo && !c.deleted && c.date >= min)
                .map(|c| json!({"id": c.id, "author": c.author, "authorname": c.authorname, "datecreate": c.date.to_string(),
                    "permalink": format!("https://www.flickr.com/photos/x/{}/#comment{}", c.photo_id, c.id), "_content": c.text}))
                .collect();
            let mut body = json!({"photo_id": photo});
            if !comments.is_empty() {
                body["comment"] = Value::Array(comments);
            }
            json!({"stat": "ok", "comments": body})
        }
        "flickr.photos.comments.addComment" => {
            let Some(photo) = p.get("photo_id").cloned() else {
                return fail(1, "Photo not found");
            };
            if !st.photos.iter().any(|x| x.0 == photo) {
                return fail(1, "Photo not found");
            }
            let text = p.get("comment_text").cloned().unwrap_or_default();
            if text.trim().is_empty() {
                return fail(2, "Blank comment");
            }
            st.next += 1;
            let id = format!("72157{:012}", st.next);
            st.comments.push(FakeComment {
                id: id.clone(),
                photo_id: photo,
                author: user.clone(),
                authorname: st.users.get(&user).cloned().unwrap_or_default(),
                text,
                date: now(),
                deleted: false,
            });
            json!({"stat": "ok", "comment": {"id": id}})
        }
        "flickr.photos.comments.deleteComment" => {
            let id = p.get("comment_id").cloned().unwrap_or_default();
            let Some(c) = st
                .comments
                .iter()
                .find(|c| c.id == id && !c.deleted)
                .cloned()
            else {
                return fail(2, "Comment not found.");
            };
            let owner = st
                .photos
                .iter()
                .find(|x| x.0 == c.photo_id)
                .map(|x| x.1.clone());
            if c.author != user && owner.as_deref() != Some(user.as_str()) {
                return fail(99, "Insufficient permissions");
            }
            if let Some(x) = st.comments.iter_mut().find(|x| x.id == id) {
                x.deleted = true;
            }
            json!({"stat": "ok"})
        }
        _ => fail(112, "Method not found"),
    }
}

async fn handle(
    axum::extract::State((state, base)): axum::extract::State<(Arc<Mutex<State>>, String)>,
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
    if ct.starts_with("application/x-www-form-urlencoded") {
        p.extend(form_urlencoded::parse(&body).into_owned());
    }
    let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
    let mut logged = p.clone();
    logged.remove("oauth_signature");
    logged.remove("oauth_token");
    st.calls.push(logged);
    let answer = if uri.path() == "/services/rest/" || uri.path() == "/services/rest" {
        let url = format!("{base}{}", uri.path());
        call(&mut st, &url, method.as_str(), &p)
    } else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let mut res = (StatusCode::OK, answer.to_string()).into_response();
    res.headers_mut()
        .insert("content-type", "application/json".parse().expect("header"));
    res
}

/// The fake API.
pub struct FakeFlickr {
    server: crate::server::Server,
    state: Arc<Mutex<State>>,
}

impl FakeFlickr {
    pub fn start() -> FakeFlickr {
        let state = Arc::new(Mutex::new(State::default()));
        let server = crate::server::Server::start("fake-flickr", |url| {
            Router::new()
                .fallback(handle)
                .with_state((state.clone(), url.to_string()))
        });
        FakeFlickr { server, state }
    }

    fn st(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The REST endpoint, in place of `https://www.flickr.com/services/rest/`.
    pub fn rest_url(&self) -> String {
        format!("{}/services/rest/", self.server.url)
    }

    pub fn add_consumer(&self, key: &str, secret: &str) {
        self.st().consumers.insert(key.into(), secret.into());
    }

    /// A user's access token with `perms` (`read`, `write`, `delete`).
    pub fn add_token(&self, token: &str, secret: &str, user: &str, username: &str, perms: &str) {
        let mut st = self.st();
        st.users.insert(user.into(), username.into());
        st.tokens
            .insert(token.into(), (secret.into(), user.into(), perms.into()));
    }

    /// A photo of `owner`; returns its id.
    pub fn add_photo(&self, owner: &str, title: &str) -> String {
        let mut st = self.st();
        st.next += 1;
        let id = format!("5300{:08}", st.next);
        let at = now() - 3600 + st.next as i64;
        st.photos.push((id.clone(), owner.into(), title.into(), at));
        id
    }

    /// A comment by `author` on a photo; returns its id.
    pub fn add_comment(&self, photo: &str, author: &str, name: &str, text: &str) -> String {
        let mut st = self.st();
        st.next += 1;
        let id = format!("72157{:012}", st.next);
        let at = now() - 1800 + st.next as i64;
        st.comments.push(FakeComment {
            id: id.clone(),
            photo_id: photo.into(),
            author: author.into(),
            authorname: name.into(),
            text: text.into(),
            date: at,
            deleted: false,
        });
        id
    }

    pub fn comment(&self, id: &str) -> Option<FakeComment> {
        self.st().comments.iter().find(|c| c.id == id).cloned()
    }

    /// The live comments on a photo.
    pub fn comments_on(&self, photo: &str) -> Vec<FakeComment> {
        self.st()
            .comments
            .iter()
            .filter(|c| c.photo_id == photo && !c.deleted)
            .cloned()
            .collect()
    }

    /// The parameters of every call, without the signature and the token.
    pub fn calls(&self) -> Vec<BTreeMap<String, String>> {
        self.st().calls.clone()
    }
}
