//! A fake of the YouTube Data API v3 comment methods and of Google's OAuth
//! token endpoint, for what Piazza's connector uses, written from the
//! digest `shared/platforms/youtube.md` (which cites
//! developers.google.com/youtube/v3/docs):
//! - `POST /token` (form: `client_id`, `client_secret`, `refresh_token`,
//!   `grant_type=refresh_token`) → `{"access_token","expires_in","scope",
//!   "token_type":"Bearer"}`; a revoked refresh token answers 400
//!   `{"error":"invalid_grant","error_description":"Token has been
//!   expired or revoked."}`;
//! - under `/youtube/v3`, `Authorization: Bearer`, every call charged to
//!   the project's daily quota (list 1 unit, moderation and insert 50;
//!   even a failed call costs): `GET /channels?mine=true`, `GET
//!   /commentThreads` (`allThreadsRelatedToChannelId` or `videoId`,
//!   `maxResults` up to 100, `pageToken`, `textFormat`), `GET /comments`
//!   (`parentId`), `GET /videos` (`id`), `POST /comments?part=snippet`
//!   (a reply), `POST /comments/setModerationStatus` (`id` up to 50,
//!   `moderationStatus`, `banAuthor` only with `rejected`; 204);
//! - errors as `{"error":{"code","message","errors":[{"domain","reason",
//!   "message"}]}}`: 401 `authError`, 403 `quotaExceeded`, 403 `forbidden`,
//!   404 `commentNotFound`, 400 `banWithoutReject`, `commentTextRequired`,
//!   `operationNotSupported`.
//!
//! ```
//! use piazza_fakes::youtube::FakeYoutube;
//!
//! let fake = FakeYoutube::start();
//! fake.add_client("cid", "csecret");
//! fake.add_refresh_token("rt", "UCcomune", true);
//! let video = fake.add_video("UCcomune", "Consiglio comunale del 3 dicembre");
//! let c = fake.add_comment(&video, "UCcittadino", "Mario", "Quando il prossimo?", None);
//! assert_eq!(fake.comment(&c).unwrap().status, "published");
//! ```

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// The scope every comment method needs.
pub const FORCE_SSL: &str = "https://www.googleapis.com/auth/youtube.force-ssl";
/// The default daily quota of a project.
pub const DAILY_QUOTA: u64 = 10_000;

/// A comment (top-level or reply).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeComment {
    pub id: String,
    pub video_id: String,
    pub author_channel: String,
    pub author_name: String,
    pub text: String,
    /// The top-level comment, for replies.
    pub parent_id: Option<String>,
    /// `published`, `heldForReview`, `rejected`.
    pub status: String,
    /// Unix seconds.
    pub published_at: i64,
}

/// A call received, without the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeCall {
    pub method: String,
    pub path: String,
    pub params: BTreeMap<String, String>,
    /// The quota units it cost.
    pub units: u64,
}

#[derive(Debug, Default)]
struct State {
    clients: BTreeMap<String, String>,
    /// refresh token → (channel, has the force-ssl scope, revoked)
    refresh: BTreeMap<String, (String, bool, bool)>,
    /// access token → (channel, has the scope)
    access: BTreeMap<String, (String, bool)>,
    videos: Vec<(String, String, String)>,
    comments: Vec<FakeComment>,
    banned: Vec<String>,
    calls: Vec<FakeCall>,
    used: u64,
    quota: u64,
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
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

type Answer = Result<(u16, Value), (u16, String, String)>;

fn error_body(code: u16, reason: &str, message: &str) -> Value {
    let domain = match reason {
        "quotaExceeded" => "youtube.quota",
        "authError" => "global",
        _ => "youtube.comment",
    };
    json!({"error": {"code": code, "message": message,
        "errors": [{"message": message, "domain": domain, "reason": reason}]}})
}

fn comment_json(c: &FakeComment, owner: bool) -> Value {
    let mut snippet = json!({
        "authorDisplayName": c.author_name,
        "authorProfileImageUrl": "https://yt3.example/x.jpg",
        "authorChannelUrl": format!("http://www.youtube.com/channel/{}", c.author_channel),
        "authorChannelId": {"value": c.author_channel},
        "channelId": "",
        "videoId": c.video_id,
        "textDisplay": c.text,
        "textOriginal": c.text,
        "canRate": true,
        "viewerRating": "none",
        "likeCount": 0,
        "publishedAt": iso(c.published_at),
        "updatedAt": iso(c.published_at),
    });
    if let Some(p) = &c.parent_id {
        snippet["parentId"] = json!(p);
    }
    if owner {
        snippet["moderationStatus"] = json!(c.status);
    }
    json!({"kind": "youtube#comment", "etag": "e", "id": c.id, "snippet": snippet})
}

impl State {
    fn video_owner(&self, video: &str) -> Option<String> {
        self.videos
            .iter()
            .find(|v| v.0 == video)
            .map(|v| v.1.clone())
    }

    fn next_id(&mut self) -> String {
        self.next += 1;
        format!("Ugz{:08}AaBbCc", self.next)
    }
}

fn units(method: &str, path: &str) -> u64 {
    match (method, path) {
        ("POST", "/youtube/v3/comments")
        | ("POST", "/youtube/v3/comments/setModerationStatus")
        | ("DELETE", "/youtube/v3/comments")
        | ("POST", "/youtube/v3/commentThreads") => 50,
        _ => 1,
    }
}

fn api(
    st: &mut State,
    method: &str,
    path: &str,
    headers: &HeaderMap,
    p: &BTreeMap<String, String>,
    body: &Value,
) -> Answer {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_string();
    // Every request costs, even an invalid one.
    let cost = units(method, path);
    if st.used + cost > st.quota {
        return Err((
            403,
            "quotaExceeded".into(),
            "The request cannot be completed because you have exceeded your <a href=\"/youtube/v3/getting-started#quota\">quota</a>.".into(),
        ));
    }
    st.used += cost;
    if let Some(c) = st.calls.last_mut() {
        c.units = cost;
    }
    let Some((me, scoped)) = st.access.get(&token).cloned() else {
        return Err((401, "authError".into(), "Invalid Credentials".into()));
    };
    if !scoped {
        return Err((
            403,
            "insufficientPermissions".into(),
            "Request had insufficient authentication scopes.".into(),
        ));
    }
    let forbidden = || {
        (
            403,
            "forbidden".to_string(),
            "The comment could not be updated due to insufficient permissions.".to_string(),
        )
    };
    match (method, path) {
        ("GET", "/youtube/v3/channels") => {
            if p.get("mine").map(String::as_str) != Some("true") {
                return Err((
                    400,
                    "missingRequiredParameter".into(),
                    "No filter selected.".into(),
                ));
            }
            Ok((
                200,
                json!({"kind": "youtube#channelListResponse",
                "items": [{"kind": "youtube#channel", "id": me, "snippet": {"title": format!("Canale {me}")}}]}),
            ))
        }
        ("GET", "/youtube/v3/videos") => {
            let ids: Vec<&str> = p
                .get("id")
                .map(|s| s.split(',').collect())
                .unwrap_or_default();
            let items: Vec<Value> = st
                .videos
                .iter()
                .filter(|v| ids.contains(&v.0.as_str()))
                .map(|v| json!({"kind": "youtube#video", "id": v.0, "snippet": {"channelId": v.1, "title": v.2, "description": ""}}))
                .collect();
            Ok((
                200,
                json!({"kind": "youtube#videoListResponse", "items": items}),
            ))
        }
        ("GET", "/youtube/v3/commentThreads") => {
            let filter_channel = p.get("allThreadsRelatedToChannelId");
            let filter_video = p.get("videoId");
            if filter_channel.is_some() == filter_video.is_some() {
                return Err((
                    400,
                    "incompatibleParameters".into(),
                    "Exactly one filter.".into(),
                ));
            }
            let max: usize = p
                .get("maxResults")
                .and_then(|m| m.parse().ok())
                .unwrap_or(20)
                .clamp(1, 100);
            let status = p
                .get("moderationStatus")
                .cloned()
                .unwrap_or_else(|| "published".into());
            let mut tops: Vec<&FakeComment> = st
                .comments
                .iter()
                .filter(|c| c.parent_id.is_none() && c.status == status)
                .filter(|c| match (filter_channel, filter_video) {
                    (Some(ch), _) => st.video_owner(&c.video_id).as_deref() == Some(ch.as_str()),
                    (_, Some(v)) => &c.video_id == v,
                    _ => false,
                })
                .collect();
            // order=time: newest first.
            tops.sort_by(|a, b| b.published_at.cmp(&a.published_at).then(b.id.cmp(&a.id)));
            let start: usize = p
                .get("pageToken")
                .map(|t| {
                    t.strip_prefix("page-")
                        .and_then(|n| n.parse().ok())
                        .ok_or(())
                })
                .transpose()
                .map_err(|_| {
                    (
                        400,
                        "invalidPageToken".to_string(),
                        "The request specifies an invalid page token.".to_string(),
                    )
                })?
                .unwrap_or(0);
            let page: Vec<Value> = tops
                .iter()
                .skip(start)
                .take(max)
                .map(|t| {
                    let owner = st.video_owner(&t.video_id).as_deref() == Some(me.as_str());
                    let replies: Vec<Value> = st
                        .comments
                        .iter()
                        .filter(|r| r.parent_id.as_deref() == Some(t.id.as_str()) && r.status == "published")
                        .take(5)
                        .map(|r| comment_json(r, owner))
                        .collect();
                    let total = st
                        .comments
                        .iter()
                        .filter(|r| r.parent_id.as_deref() == Some(t.id.as_str()) && r.status == "published")
                        .count();
                    json!({"kind": "youtube#commentThread", "etag": "e", "id": t.id,
                        "snippet": {"channelId": st.video_owner(&t.video_id), "videoId": t.video_id, "canReply": true,
                            "totalReplyCount": total, "isPublic": true, "topLevelComment": comment_json(t, owner)},
                        "replies": {"comments": replies}})
                })
                .collect();
            let mut out = json!({"kind": "youtube#commentThreadListResponse", "etag": "e",
                "pageInfo": {"totalResults": tops.len(), "resultsPerPage": max}, "items": page});
            if start + max < tops.len() {
                out["nextPageToken"] = json!(format!("page-{}", start + max));
            }
            Ok((200, out))
        }
        ("GET", "/youtube/v3/comments") => {
            let parent = p.get("parentId").ok_or((
                400,
                "missingRequiredParameter".to_string(),
                "No filter selected.".to_string(),
            ))?;
            let items: Vec<Value> = st
                .comments
                .iter()
                .filter(|c| {
                    c.parent_id.as_deref() == Some(parent.as_str()) && c.status == "published"
                })
                .map(|c| comment_json(c, true))
                .collect();
            Ok((
                200,
                json!({"kind": "youtube#commentListResponse", "etag": "e", "items": items}),
            ))
        }
        ("POST", "/youtube/v3/comments") => {
            let snippet = &body["snippet"];
            let parent = snippet["parentId"].as_str().unwrap_or_default().to_string();
            let text = snippet["textOriginal"]
                .as_str()
                .unwrap_or_default()
                .trim()
                .to_string();
            if parent.is_empty() {
                return Err((
                    400,
                    "parentIdMissing".into(),
                    "No parent ID specified.".into(),
                ));
            }
            if text.is_empty() {
                return Err((
                    400,
                    "commentTextRequired".into(),
                    "The comment must contain text.".into(),
                ));
            }
            if text.chars().count() > 10_000 {
                return Err((
                    400,
                    "commentTextTooLong".into(),
                    "The comment is too long.".into(),
                ));
            }
            let Some(top) = st.comments.iter().find(|c| c.id == parent).cloned() else {
                return Err((
                    404,
                    "commentNotFound".into(),
                    "The parent comment could not be found.".into(),
                ));
            };
            if top.parent_id.is_some() {
                return Err((
                    400,
                    "operationNotSupported".into(),
                    "Replies to replies are not supported.".into(),
                ));
            }
            let id = format!("{}.{}", top.id, st.next_id());
            let c = FakeComment {
                id,
                video_id: top.video_id.clone(),
                author_channel: me.clone(),
                author_name: format!("Canale {me}"),
                text,
                parent_id: Some(top.id.clone()),
                status: "published".into(),
                published_at: now(),
            };
            st.comments.push(c.clone());
            Ok((200, comment_json(&c, true)))
        }
        ("POST", "/youtube/v3/comments/setModerationStatus") => {
            let ids: Vec<String> = p
                .get("id")
                .map(|s| s.split(',').map(str::to_string).collect())
                .unwrap_or_default();
            if ids.is_empty() || ids.len() > 50 {
                return Err((
                    400,
                    "missingRequiredParameter".into(),
                    "Between 1 and 50 ids.".into(),
                ));
            }
            let status = p.get("moderationStatus").cloned().unwrap_or_default();
            if !["heldForReview", "published", "rejected"].contains(&status.as_str()) {
                return Err((
                    400,
                    "invalidModerationStatus".into(),
                    "Invalid moderation status.".into(),
                ));
            }
            let ban = p.get("banAuthor").is_some_and(|b| b == "true");
            if ban && status != "rejected" {
                return Err((
                    400,
                    "banWithoutReject".into(),
                    "banAuthor can only be used with rejected.".into(),
                ));
            }
            for id in &ids {
                let Some(c) = st.comments.iter().find(|c| &c.id == id).cloned() else {
                    return Err((
                        404,
                        "commentNotFound".into(),
                        "The comment could not be found.".into(),
                    ));
                };
                if st.video_owner(&c.video_id).as_deref() != Some(me.as_str()) {
                    return Err(forbidden());
                }
                if c.status == "rejected" && status == "published" {
                    return Err((
                        400,
                        "operationNotSupported".into(),
                        "A rejected comment cannot be published again.".into(),
                    ));
                }
            }
            for id in &ids {
                let mut author = None;
                for c in st.comments.iter_mut() {
                    if &c.id == id
                        || (status == "rejected" && c.parent_id.as_deref() == Some(id.as_str()))
                    {
                        c.status = status.clone();
                        if &c.id == id {
                            author = Some(c.author_channel.clone());
                        }
                    }
                }
                if ban && let Some(a) = author {
                    st.banned.push(a);
                }
            }
            Ok((204, Value::Null))
        }
        _ => Err((404, "notFound".into(), "Not Found".into())),
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
    let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
    st.calls.push(FakeCall {
        method: method.to_string(),
        path: path.clone(),
        params: p.clone(),
        units: 0,
    });
    let (status, body) = if path == "/token" && method == Method::POST {
        token(&mut st, &p)
    } else {
        match api(&mut st, method.as_str(), &path, &headers, &p, &json_body) {
            Ok(x) => x,
            Err((code, reason, message)) => (code, error_body(code, &reason, &message)),
        }
    };
    let mut res = if status == 204 {
        StatusCode::NO_CONTENT.into_response()
    } else {
        (
            StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            body.to_string(),
        )
            .into_response()
    };
    if status != 204 {
        res.headers_mut().insert(
            "content-type",
            "application/json; charset=UTF-8".parse().expect("header"),
        );
    }
    res
}

fn token(st: &mut State, p: &BTreeMap<String, String>) -> (u16, Value) {
    let client_ok = p
        .get("client_id")
        .and_then(|c| st.clients.get(c))
        .is_some_and(|s| Some(s) == p.get("client_secret"));
    if !client_ok {
        return (
            401,
            json!({"error": "invalid_client", "error_description": "The OAuth client was not found."}),
        );
    }
    if p.get("grant_type").map(String::as_str) != Some("refresh_token") {
        return (
            400,
            json!({"error": "unsupported_grant_type", "error_description": "Invalid grant_type"}),
        );
    }
    let Some((channel, scoped, revoked)) = p
        .get("refresh_token")
        .and_then(|r| st.refresh.get(r))
        .cloned()
    else {
        return (
            400,
            json!({"error": "invalid_grant", "error_description": "Bad Request"}),
        );
    };
    if revoked {
        return (
            400,
            json!({"error": "invalid_grant", "error_description": "Token has been expired or revoked."}),
        );
    }
    st.next += 1;
    let access = format!("ya29.fake-{}", st.next);
    st.access.insert(access.clone(), (channel, scoped));
    let scope = if scoped {
        format!("{FORCE_SSL} https://www.googleapis.com/auth/youtube.readonly")
    } else {
        "https://www.googleapis.com/auth/youtube.readonly".to_string()
    };
    (
        200,
        json!({"access_token": access, "expires_in": 3599, "scope": scope, "token_type": "Bearer"}),
    )
}

/// The fake API and token endpoint.
pub struct FakeYoutube {
    server: crate::server::Server,
    state: Arc<Mutex<State>>,
}

impl FakeYoutube {
    /// Starts on `127.0.0.1`, on a port the system picks.
    pub fn start() -> FakeYoutube {
        let state = Arc::new(Mutex::new(State {
            quota: DAILY_QUOTA,
            ..State::default()
        }));
        let server = crate::server::Server::start("fake-youtube", |_| {
            Router::new().fallback(handle).with_state(state.clone())
        });
        FakeYoutube { server, state }
    }

    fn st(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The Data API's base (in place of
    /// `https://www.googleapis.com/youtube/v3`).
    pub fn api_url(&self) -> String {
        format!("{}/youtube/v3", self.server.url)
    }

    /// The token endpoint's base (in place of
    /// `https://oauth2.googleapis.com`).
    pub fn oauth_url(&self) -> String {
        self.server.url.clone()
    }

    pub fn add_client(&self, id: &str, secret: &str) {
        self.st().clients.insert(id.into(), secret.into());
    }

    /// A refresh token of the channel's owner, with or without the
    /// `youtube.force-ssl` scope.
    pub fn add_refresh_token(&self, token: &str, channel: &str, force_ssl: bool) {
        self.st()
            .refresh
            .insert(token.into(), (channel.into(), force_ssl, false));
    }

    /// The owner revokes the refresh token (or a "Testing" app's token
    /// expires): the next refresh fails and access tokens stop working.
    pub fn revoke(&self, token: &str) {
        let mut st = self.st();
        let channel = st.refresh.get_mut(token).map(|r| {
            r.2 = true;
            r.0.clone()
        });
        if let Some(c) = channel {
            st.access.retain(|_, a| a.0 != c);
        }
    }

    /// Access tokens expire: the connector must refresh.
    pub fn expire_access_tokens(&self) {
        self.st().access.clear();
    }

    /// A video of the channel; returns its id.
    pub fn add_video(&self, channel: &str, title: &str) -> String {
        let mut st = self.st();
        st.next += 1;
        let id = format!("vid{:08}", st.next);
        st.videos.push((id.clone(), channel.into(), title.into()));
        id
    }

    /// A comment on a video (a reply with `parent`); returns its id.
    pub fn add_comment(
        &self,
        video: &str,
        author_channel: &str,
        author_name: &str,
        text: &str,
        parent: Option<&str>,
    ) -> String {
        let mut st = self.st();
        let base = st.next_id();
        let id = match parent {
            Some(p) => format!("{p}.{base}"),
            None => base,
        };
        // Strictly increasing times keep the order stable.
        let at = now() - 10_000 + st.next as i64;
        st.comments.push(FakeComment {
            id: id.clone(),
            video_id: video.into(),
            author_channel: author_channel.into(),
            author_name: author_name.into(),
            text: text.into(),
            parent_id: parent.map(str::to_string),
            status: "published".into(),
            published_at: at,
        });
        id
    }

    pub fn comment(&self, id: &str) -> Option<FakeComment> {
        self.st().comments.iter().find(|c| c.id == id).cloned()
    }

    /// Replies to a top-level comment, in order.
    pub fn replies_to(&self, id: &str) -> Vec<FakeComment> {
        self.st()
            .comments
            .iter()
            .filter(|c| c.parent_id.as_deref() == Some(id))
            .cloned()
            .collect()
    }

    /// Channels banned by `banAuthor`.
    pub fn banned(&self) -> Vec<String> {
        self.st().banned.clone()
    }

    pub fn calls(&self) -> Vec<FakeCall> {
        self.st().calls.clone()
    }

    /// Units spent today.
    pub fn quota_used(&self) -> u64 {
        self.st().used
    }

    /// The project's daily quota; `used` sets what is already spent.
    pub fn set_quota(&self, quota: u64, used: u64) {
        let mut st = self.st();
        st.quota = quota;
        st.used = used;
    }
}
