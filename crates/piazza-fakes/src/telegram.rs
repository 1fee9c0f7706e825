//! A fake Telegram Bot API, for what Piazza's connector uses, written from
//! the digest `shared/platforms/telegram.md` (which cites
//! <https://core.telegram.org/bots/api>, Bot API 10.1):
//! - calls at `/bot<token>/<method>`, GET or POST, parameters in the query
//!   string, a form or JSON; method names ignore case; every answer is the
//!   envelope `{"ok":true,"result":...}` or `{"ok":false,"error_code":N,
//!   "description":"..."}` with `parameters.retry_after` on 429;
//! - `getMe`, `getChatMember` (an administrator's rights:
//!   `can_delete_messages`, `can_restrict_members`, `can_post_messages`);
//! - `setWebhook` (`url`, `secret_token` of 1-256 `A-Za-z0-9_-`,
//!   `allowed_updates`), `getWebhookInfo`, `deleteWebhook`; while a webhook
//!   is set `getUpdates` answers 409;
//! - `getUpdates` (`offset` confirms what is below it, `limit` 1-100,
//!   `allowed_updates`);
//! - `deleteMessage` (only messages younger than 48 hours; an administrator
//!   bot with `can_delete_messages`), `banChatMember` (`until_date`,
//!   `revoke_messages`, always revoking in supergroups), `unbanChatMember`
//!   (`only_if_banned`);
//! - `sendMessage` (`text` 1-4096, `reply_parameters`), `sendPhoto`
//!   (`photo` as a URL, `caption` up to 1024), `sendMediaGroup` (2-10
//!   photos). A post in a channel with a discussion group appears in the
//!   group as an automatic forward, as Telegram does.
//!
//! The description strings are the ones the digest shows or the API is
//! known to send; Telegram marks them as subject to change, and the
//! connector reads them only as a hint.
//!
//! The fake can also play Telegram's side of the webhook:
//! [`FakeTelegram::push_updates`] POSTs the queued updates to the
//! registered URL with the `X-Telegram-Bot-Api-Secret-Token` header. Unlike
//! Telegram it accepts `http://127.0.0.1` URLs, so that tests can run a
//! local server.
//!
//! ```
//! use piazza_fakes::telegram::{FakeTelegram, Rights};
//!
//! let fake = FakeTelegram::start();
//! let bot = fake.add_bot("123:abc", "comune_bot");
//! fake.add_channel(-1001, "Comune");
//! fake.add_group(-1002, "Comune - commenti", Some(-1001));
//! fake.set_admin(-1002, bot, Rights::all());
//! let (_, forward) = fake.channel_post(-1001, "Lavori in via Roma");
//! let c = fake.comment(-1002, forward.unwrap(), 42, "Anna", "Quando finiscono?");
//! assert_eq!(fake.message(-1002, c).unwrap().thread_id, forward);
//! ```

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// Messages older than this cannot be deleted (seconds).
pub const DELETE_WINDOW: i64 = 48 * 3600;

/// An administrator's rights in a chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rights {
    pub delete: bool,
    pub restrict: bool,
    pub post: bool,
}

impl Rights {
    pub fn all() -> Rights {
        Rights {
            delete: true,
            restrict: true,
            post: true,
        }
    }
}

/// A message in a chat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeMessage {
    pub chat_id: i64,
    pub message_id: i64,
    /// The sender: user id and first name; `None` for channel posts.
    pub from: Option<(i64, String)>,
    pub text: String,
    pub reply_to: Option<i64>,
    pub thread_id: Option<i64>,
    /// An automatic forward of a channel post: the channel and the post.
    pub forward_of: Option<(i64, i64)>,
    /// Unix seconds.
    pub date: i64,
    pub edited: bool,
    pub deleted: bool,
    /// Photo URLs.
    pub photos: Vec<String>,
}

/// A ban in a chat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeBan {
    pub chat_id: i64,
    pub user_id: i64,
    pub until_date: Option<i64>,
    pub revoke_messages: bool,
    pub lifted: bool,
}

/// A call received, without the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeCall {
    pub method: String,
    pub params: BTreeMap<String, Value>,
}

#[derive(Debug, Clone)]
struct Chat {
    kind: &'static str,
    title: String,
    linked: Option<i64>,
}

#[derive(Debug, Clone, Default)]
struct Webhook {
    url: String,
    secret: Option<String>,
    allowed: Option<Vec<String>>,
}

#[derive(Debug, Default)]
struct State {
    bot: Option<(String, i64, String)>,
    chats: BTreeMap<i64, Chat>,
    admins: BTreeMap<(i64, i64), Rights>,
    messages: Vec<FakeMessage>,
    next_message: BTreeMap<i64, i64>,
    updates: Vec<(i64, Value)>,
    next_update: i64,
    webhook: Option<Webhook>,
    bans: Vec<FakeBan>,
    calls: Vec<FakeCall>,
    /// The next N calls answer 429 with this retry_after.
    flood: Option<(u32, u64)>,
    /// The next N calls answer 500.
    broken: u32,
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

type Answer = Result<Value, (u16, String)>;

fn bad(description: &str) -> (u16, String) {
    (400, format!("Bad Request: {description}"))
}

impl State {
    fn chat_json(&self, id: i64) -> Value {
        let c = self.chats.get(&id).cloned().unwrap_or(Chat {
            kind: "private",
            title: String::new(),
            linked: None,
        });
        if c.kind == "private" {
            json!({"id": id, "type": "private", "first_name": "Utente"})
        } else {
            json!({"id": id, "type": c.kind, "title": c.title})
        }
    }

    fn find(&self, chat: i64, id: i64) -> Option<&FakeMessage> {
        self.messages
            .iter()
            .find(|m| m.chat_id == chat && m.message_id == id)
    }

    fn message_json(&self, m: &FakeMessage, nested: bool) -> Value {
        let mut v = json!({
            "message_id": m.message_id,
            "date": m.date,
            "chat": self.chat_json(m.chat_id),
        });
        if m.photos.is_empty() {
            v["text"] = json!(m.text);
        } else {
            v["caption"] = json!(m.text);
            v["photo"] =
                json!([{"file_id": "AgAC", "file_unique_id": "AQAD", "width": 800, "height": 600}]);
        }
        match &m.from {
            Some((id, name)) => {
                let is_bot = self.bot.as_ref().is_some_and(|b| b.1 == *id);
                v["from"] = json!({"id": id, "is_bot": is_bot, "first_name": name});
            }
            None => {
                // A channel post, or its forward into the discussion group:
                // sent on behalf of the channel.
                let channel = m.forward_of.map_or(m.chat_id, |(c, _)| c);
                v["sender_chat"] = self.chat_json(channel);
            }
        }
        if let Some((channel, post)) = m.forward_of {
            v["is_automatic_forward"] = json!(true);
            v["forward_origin"] = json!({"type": "channel", "chat": self.chat_json(channel), "message_id": post, "date": m.date});
        }
        if let Some(t) = m.thread_id {
            v["message_thread_id"] = json!(t);
        }
        if m.edited {
            v["edit_date"] = json!(now());
        }
        if !nested
            && let Some(r) = m.reply_to
            && let Some(parent) = self.find(m.chat_id, r)
        {
            v["reply_to_message"] = self.message_json(parent, true);
        }
        v
    }

    fn add_message(&mut self, mut m: FakeMessage) -> i64 {
        let next = self.next_message.entry(m.chat_id).or_insert(0);
        *next += 1;
        m.message_id = *next;
        let id = m.message_id;
        self.messages.push(m);
        id
    }

    fn queue(&mut self, kind: &str, chat: i64, id: i64) {
        let Some(m) = self.find(chat, id).cloned() else {
            return;
        };
        self.next_update += 1;
        let update_id = 900_000 + self.next_update;
        let body = json!({"update_id": update_id, kind: self.message_json(&m, false)});
        self.updates.push((update_id, body));
    }

    /// A message in `chat`, and its automatic forward in the linked
    /// discussion group when `chat` is a channel.
    fn post(
        &mut self,
        chat: i64,
        from: Option<(i64, String)>,
        text: &str,
        reply_to: Option<i64>,
        photos: Vec<String>,
    ) -> (i64, Option<i64>) {
        let thread_id = reply_to.and_then(|r| {
            self.find(chat, r).map(|p| {
                if p.forward_of.is_some() {
                    p.message_id
                } else {
                    p.thread_id.unwrap_or(p.message_id)
                }
            })
        });
        let is_channel = self.chats.get(&chat).is_some_and(|c| c.kind == "channel");
        let id = self.add_message(FakeMessage {
            chat_id: chat,
            message_id: 0,
            from: if is_channel { None } else { from },
            text: text.into(),
            reply_to,
            thread_id,
            forward_of: None,
            date: now(),
            edited: false,
            deleted: false,
            photos: photos.clone(),
        });
        let kind = if is_channel {
            "channel_post"
        } else {
            "message"
        };
        self.queue(kind, chat, id);
        let mut forward = None;
        if is_channel && let Some(group) = self.chats.get(&chat).and_then(|c| c.linked) {
            let f = self.add_message(FakeMessage {
                chat_id: group,
                message_id: 0,
                from: None,
                text: text.into(),
                reply_to: None,
                thread_id: None,
                forward_of: Some((chat, id)),
                date: now(),
                edited: false,
                deleted: false,
                photos,
            });
            self.queue("message", group, f);
            forward = Some(f);
        }
        (id, forward)
    }

    fn rights(&self, chat: i64) -> Rights {
        let bot = self.bot.as_ref().map_or(0, |b| b.1);
        self.admins.get(&(chat, bot)).copied().unwrap_or_default()
    }
}

fn int(p: &BTreeMap<String, Value>, key: &str) -> Option<i64> {
    match p.get(key)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn string(p: &BTreeMap<String, Value>, key: &str) -> Option<String> {
    match p.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

fn boolean(p: &BTreeMap<String, Value>, key: &str) -> bool {
    match p.get(key) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s == "true" || s == "1",
        _ => false,
    }
}

/// A JSON-serialised parameter (`reply_parameters`, `allowed_updates`,
/// `media`): an object in a JSON body, a string in a form.
fn structured(p: &BTreeMap<String, Value>, key: &str) -> Option<Value> {
    match p.get(key)? {
        Value::String(s) => serde_json::from_str(s).ok(),
        other => Some(other.clone()),
    }
}

fn need_chat(st: &State, p: &BTreeMap<String, Value>) -> Result<i64, (u16, String)> {
    let chat = int(p, "chat_id").ok_or_else(|| bad("chat_id is empty"))?;
    if !st.chats.contains_key(&chat) {
        return Err(bad("chat not found"));
    }
    Ok(chat)
}

fn call(st: &mut State, method: &str, p: &BTreeMap<String, Value>) -> Answer {
    let (_, bot_id, bot_name) = st.bot.clone().unwrap_or_default();
    match method {
        "getme" => Ok(
            json!({"id": bot_id, "is_bot": true, "first_name": bot_name, "username": bot_name,
            "can_join_groups": true, "can_read_all_group_messages": false, "supports_inline_queries": false}),
        ),
        "getchatmember" => {
            let chat = need_chat(st, p)?;
            let user = int(p, "user_id").ok_or_else(|| bad("user_id is empty"))?;
            let user_json = json!({"id": user, "is_bot": user == bot_id, "first_name": if user == bot_id { bot_name.clone() } else { "Utente".into() }});
            Ok(match st.admins.get(&(chat, user)) {
                Some(r) => {
                    json!({"status": "administrator", "user": user_json, "can_be_edited": false,
                    "is_anonymous": false, "can_manage_chat": true, "can_delete_messages": r.delete,
                    "can_manage_video_chats": false, "can_restrict_members": r.restrict,
                    "can_promote_members": false, "can_change_info": false, "can_invite_users": true,
                    "can_post_stories": false, "can_edit_stories": false, "can_delete_stories": false,
                    "can_post_messages": r.post, "can_edit_messages": r.post})
                }
                None => json!({"status": "member", "user": user_json}),
            })
        }
        "setwebhook" => {
            let url = string(p, "url").unwrap_or_default();
            if url.is_empty() {
                st.webhook = None;
                return Ok(json!(true));
            }
            let local = url.starts_with("http://127.0.0.1") || url.starts_with("http://localhost");
            if !url.starts_with("https://") && !local {
                return Err(bad(
                    "bad webhook: An HTTPS URL must be provided for webhook",
                ));
            }
            let secret = string(p, "secret_token");
            if let Some(s) = &secret
                && (s.is_empty()
                    || s.len() > 256
                    || !s
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'))
            {
                return Err(bad("secret token contains unallowed characters"));
            }
            let allowed = structured(p, "allowed_updates").and_then(|v| {
                v.as_array().map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect()
                })
            });
            let keep = st.webhook.as_ref().and_then(|w| w.allowed.clone());
            st.webhook = Some(Webhook {
                url,
                secret,
                allowed: allowed.or(keep),
            });
            Ok(json!(true))
        }
        "deletewebhook" => {
            st.webhook = None;
            if boolean(p, "drop_pending_updates") {
                st.updates.clear();
            }
            Ok(json!(true))
        }
        "getwebhookinfo" => Ok(match &st.webhook {
            Some(w) => {
                json!({"url": w.url, "has_custom_certificate": false, "pending_update_count": st.updates.len(),
                "max_connections": 40, "allowed_updates": w.allowed})
            }
            None => {
                json!({"url": "", "has_custom_certificate": false, "pending_update_count": st.updates.len()})
            }
        }),
        "getupdates" => {
            if st.webhook.is_some() {
                return Err((409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first".into()));
            }
            let offset = int(p, "offset").unwrap_or(0);
            if offset > 0 {
                st.updates.retain(|(id, _)| *id >= offset);
            }
            let limit = int(p, "limit").unwrap_or(100).clamp(1, 100) as usize;
            let allowed: Option<Vec<String>> = structured(p, "allowed_updates").and_then(|v| {
                v.as_array().map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect()
                })
            });
            let items: Vec<Value> = st
                .updates
                .iter()
                .filter(|(_, u)| {
                    allowed.as_ref().is_none_or(|a| {
                        a.is_empty() || a.iter().any(|k| u.get(k.as_str()).is_some())
                    })
                })
                .take(limit)
                .map(|(_, u)| u.clone())
                .collect();
            Ok(Value::Array(items))
        }
        "deletemessage" => {
            let chat = need_chat(st, p)?;
            let id =
                int(p, "message_id").ok_or_else(|| bad("message identifier is not specified"))?;
            let rights = st.rights(chat);
            let Some(m) = st
                .messages
                .iter_mut()
                .find(|m| m.chat_id == chat && m.message_id == id && !m.deleted)
            else {
                return Err(bad("message to delete not found"));
            };
            let own = m.from.as_ref().is_some_and(|f| f.0 == bot_id);
            if !own && !rights.delete {
                return Err(bad("message can't be deleted"));
            }
            if now() - m.date > DELETE_WINDOW {
                return Err(bad("message can't be deleted for everyone"));
            }
            m.deleted = true;
            Ok(json!(true))
        }
        "banchatmember" | "unbanchatmember" => {
            let chat = need_chat(st, p)?;
            let user = int(p, "user_id").ok_or_else(|| bad("user_id is empty"))?;
            if !st.rights(chat).restrict {
                return Err(bad("not enough rights to restrict/unrestrict chat member"));
            }
            if st.admins.contains_key(&(chat, user)) {
                return Err(bad("user is an administrator of the chat"));
            }
            if method == "unbanchatmember" {
                for b in st
                    .bans
                    .iter_mut()
                    .filter(|b| b.chat_id == chat && b.user_id == user)
                {
                    b.lifted = true;
                }
                return Ok(json!(true));
            }
            let supergroup = st.chats.get(&chat).is_some_and(|c| c.kind != "group");
            let revoke = supergroup || boolean(p, "revoke_messages");
            if revoke {
                for m in st
                    .messages
                    .iter_mut()
                    .filter(|m| m.chat_id == chat && m.from.as_ref().is_some_and(|f| f.0 == user))
                {
                    m.deleted = true;
                }
            }
            st.bans.push(FakeBan {
                chat_id: chat,
                user_id: user,
                until_date: int(p, "until_date").filter(|u| *u > 0),
                revoke_messages: revoke,
                lifted: false,
            });
            Ok(json!(true))
        }
        "sendmessage" | "sendphoto" | "sendmediagroup" => {
            let chat = need_chat(st, p)?;
            let is_channel = st.chats.get(&chat).is_some_and(|c| c.kind == "channel");
            if is_channel && !st.rights(chat).post {
                return Err(bad("need administrator rights in the channel chat"));
            }
            let (text, photos) = match method {
                "sendmessage" => {
                    let text = string(p, "text").unwrap_or_default();
                    if text.trim().is_empty() {
                        return Err(bad("message text is empty"));
                    }
                    if text.chars().count() > 4096 {
                        return Err(bad("message is too long"));
                    }
                    (text, Vec::new())
                }
                "sendphoto" => {
                    let photo = string(p, "photo")
                        .ok_or_else(|| bad("there is no photo in the request"))?;
                    let caption = string(p, "caption").unwrap_or_default();
                    if caption.chars().count() > 1024 {
                        return Err(bad("message caption is too long"));
                    }
                    (caption, vec![photo])
                }
                _ => {
                    let media = structured(p, "media")
                        .and_then(|m| m.as_array().cloned())
                        .unwrap_or_default();
                    if !(2..=10).contains(&media.len()) {
                        return Err(bad("wrong number of media in the group"));
                    }
                    let caption = media
                        .first()
                        .and_then(|m| m.get("caption"))
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string();
                    let urls = media
                        .iter()
                        .filter_map(|m| m.get("media").and_then(Value::as_str).map(str::to_string))
                        .collect();
                    (caption, urls)
                }
            };
            let reply = structured(p, "reply_parameters");
            let reply_to = reply
                .as_ref()
                .and_then(|r| r.get("message_id"))
                .and_then(Value::as_i64);
            let lenient = reply
                .as_ref()
                .and_then(|r| r.get("allow_sending_without_reply"))
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let reply_to = match reply_to {
                Some(r) if st.find(chat, r).is_some_and(|m| !m.deleted) => Some(r),
                Some(_) if lenient => None,
                Some(_) => return Err(bad("message to be replied not found")),
                None => None,
            };
            let (id, _) = st.post(
                chat,
                Some((bot_id, bot_name.clone())),
                &text,
                reply_to,
                photos,
            );
            let m = st.find(chat, id).cloned().expect("just added");
            let v = st.message_json(&m, false);
            Ok(if method == "sendmediagroup" {
                json!([v])
            } else {
                v
            })
        }
        _ => Err((404, "Not Found".into())),
    }
}

async fn handle(
    axum::extract::State(state): axum::extract::State<Arc<Mutex<State>>>,
    _method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut p: BTreeMap<String, Value> =
        form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
            .into_owned()
            .map(|(k, v)| (k, Value::String(v)))
            .collect();
    let ct = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if ct.starts_with("application/x-www-form-urlencoded") {
        p.extend(
            form_urlencoded::parse(&body)
                .into_owned()
                .map(|(k, v)| (k, Value::String(v))),
        );
    } else if ct.starts_with("application/json")
        && let Ok(Value::Object(o)) = serde_json::from_slice::<Value>(&body)
    {
        p.extend(o);
    }
    let segs: Vec<&str> = uri.path().split('/').filter(|s| !s.is_empty()).collect();
    let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
    let answer = match segs.as_slice() {
        [bot, method] if bot.starts_with("bot") => {
            let token = &bot[3..];
            let method = method.to_ascii_lowercase();
            st.calls.push(FakeCall {
                method: method.clone(),
                params: p.clone(),
            });
            if st.bot.as_ref().is_none_or(|b| b.0 != token) {
                Err((401, "Unauthorized".to_string()))
            } else if st.broken > 0 {
                st.broken -= 1;
                Err((500, "Internal Server Error".to_string()))
            } else if let Some((n, wait)) = st.flood {
                st.flood = if n > 1 { Some((n - 1, wait)) } else { None };
                Err((429, format!("Too Many Requests: retry after {wait}")))
            } else {
                call(&mut st, &method, &p)
            }
        }
        _ => Err((404, "Not Found".into())),
    };
    let (status, body) = match answer {
        Ok(result) => (200, json!({"ok": true, "result": result})),
        Err((code, description)) => {
            let mut b = json!({"ok": false, "error_code": code, "description": description});
            if code == 429 {
                let wait: u64 = description
                    .rsplit(' ')
                    .next()
                    .and_then(|w| w.parse().ok())
                    .unwrap_or(1);
                b["parameters"] = json!({"retry_after": wait});
            }
            (code, b)
        }
    };
    let mut res = (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        body.to_string(),
    )
        .into_response();
    res.headers_mut()
        .insert("content-type", "application/json".parse().expect("header"));
    res
}

/// The fake Bot API.
pub struct FakeTelegram {
    server: crate::server::Server,
    state: Arc<Mutex<State>>,
}

impl FakeTelegram {
    /// Starts the API on `127.0.0.1`, on a port the system picks.
    pub fn start() -> FakeTelegram {
        let state = Arc::new(Mutex::new(State::default()));
        let server = crate::server::Server::start("fake-telegram", |_| {
            Router::new().fallback(handle).with_state(state.clone())
        });
        FakeTelegram { server, state }
    }

    fn st(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The API's base URL (in place of `https://api.telegram.org`).
    pub fn url(&self) -> String {
        self.server.url.clone()
    }

    /// The bot, with its token; returns its user id.
    pub fn add_bot(&self, token: &str, username: &str) -> i64 {
        let id = 7_000_000_001;
        self.st().bot = Some((token.into(), id, username.into()));
        id
    }

    pub fn add_channel(&self, id: i64, title: &str) {
        self.st().chats.insert(
            id,
            Chat {
                kind: "channel",
                title: title.into(),
                linked: None,
            },
        );
    }

    /// A supergroup; with `channel`, the channel's discussion group.
    pub fn add_group(&self, id: i64, title: &str, channel: Option<i64>) {
        let mut st = self.st();
        st.chats.insert(
            id,
            Chat {
                kind: "supergroup",
                title: title.into(),
                linked: channel,
            },
        );
        if let Some(c) = channel
            && let Some(ch) = st.chats.get_mut(&c)
        {
            ch.linked = Some(id);
        }
    }

    pub fn set_admin(&self, chat: i64, user: i64, rights: Rights) {
        self.st().admins.insert((chat, user), rights);
    }

    /// A post in a channel by its administrators: returns its id and the
    /// id of its automatic forward in the discussion group.
    pub fn channel_post(&self, channel: i64, text: &str) -> (i64, Option<i64>) {
        self.st().post(channel, None, text, None, Vec::new())
    }

    /// A user's message in a group answering `reply_to`; returns its id.
    pub fn comment(&self, group: i64, reply_to: i64, user: i64, name: &str, text: &str) -> i64 {
        self.st()
            .post(
                group,
                Some((user, name.into())),
                text,
                Some(reply_to),
                Vec::new(),
            )
            .0
    }

    /// A message a user writes to the bot in a private chat.
    pub fn private_message(&self, user: i64, name: &str, text: &str) -> i64 {
        let mut st = self.st();
        // The private chat exists once the user has written to the bot.
        st.chats.entry(user).or_insert(Chat {
            kind: "private",
            title: String::new(),
            linked: None,
        });
        st.post(user, Some((user, name.into())), text, None, Vec::new())
            .0
    }

    /// The author changes a message's text (an `edited_message` update).
    pub fn edit(&self, chat: i64, id: i64, text: &str) {
        let mut st = self.st();
        if let Some(m) = st
            .messages
            .iter_mut()
            .find(|m| m.chat_id == chat && m.message_id == id)
        {
            m.text = text.into();
            m.edited = true;
        }
        st.queue("edited_message", chat, id);
    }

    /// Moves a message's date `secs` into the past.
    pub fn age(&self, chat: i64, id: i64, secs: i64) {
        if let Some(m) = self
            .st()
            .messages
            .iter_mut()
            .find(|m| m.chat_id == chat && m.message_id == id)
        {
            m.date -= secs;
        }
    }

    pub fn message(&self, chat: i64, id: i64) -> Option<FakeMessage> {
        self.st().find(chat, id).cloned()
    }

    /// The messages of a chat, in order.
    pub fn messages_in(&self, chat: i64) -> Vec<FakeMessage> {
        self.st()
            .messages
            .iter()
            .filter(|m| m.chat_id == chat)
            .cloned()
            .collect()
    }

    pub fn bans(&self) -> Vec<FakeBan> {
        self.st().bans.clone()
    }

    pub fn calls(&self) -> Vec<FakeCall> {
        self.st().calls.clone()
    }

    /// The next `calls` calls answer 429 with `retry_after` seconds.
    pub fn flood(&self, calls: u32, retry_after: u64) {
        self.st().flood = Some((calls, retry_after));
    }

    /// The next `calls` calls answer 500 (Telegram's side failing).
    pub fn break_for(&self, calls: u32) {
        self.st().broken = calls;
    }

    /// The registered webhook: its URL and secret token.
    pub fn webhook(&self) -> Option<(String, Option<String>)> {
        self.st()
            .webhook
            .as_ref()
            .map(|w| (w.url.clone(), w.secret.clone()))
    }

    /// Updates waiting to be fetched or pushed.
    pub fn pending_updates(&self) -> usize {
        self.st().updates.len()
    }

    /// Plays Telegram's side of the webhook: POSTs each queued update the
    /// webhook's `allowed_updates` admit to its URL, with the secret
    /// header; an update answered 2xx is done, any other answer keeps it
    /// queued. Returns the statuses, in order.
    pub fn push_updates(&self) -> Vec<u16> {
        let (hook, updates) = {
            let st = self.st();
            let Some(w) = st.webhook.clone() else {
                return Vec::new();
            };
            (w, st.updates.clone())
        };
        let mut statuses = Vec::new();
        for (id, u) in updates {
            if let Some(a) = &hook.allowed
                && !a.is_empty()
                && !a.iter().any(|k| u.get(k.as_str()).is_some())
            {
                self.st().updates.retain(|(x, _)| *x != id);
                continue;
            }
            let status = post_json(&hook.url, hook.secret.as_deref(), &u.to_string());
            if (200..300).contains(&status) {
                self.st().updates.retain(|(x, _)| *x != id);
            }
            statuses.push(status);
        }
        statuses
    }
}

/// A minimal HTTP/1.1 POST over a plain TCP connection (the webhook of a
/// local test server); 0 when nothing answered.
fn post_json(url: &str, secret: Option<&str>, body: &str) -> u16 {
    let Some(rest) = url.strip_prefix("http://") else {
        return 0;
    };
    let (host, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_string()), |(h, p)| (h, format!("/{p}")));
    let Ok(mut s) = std::net::TcpStream::connect(host) else {
        return 0;
    };
    let secret_line = secret.map_or(String::new(), |s| {
        format!("X-Telegram-Bot-Api-Secret-Token: {s}\r\n")
    });
    let req = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n{secret_line}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    if s.write_all(req.as_bytes()).is_err() {
        return 0;
    }
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    answer
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}
