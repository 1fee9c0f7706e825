//! A Telegram channel's comments, through the Bot API (digest:
//! `shared/platforms/telegram.md`, from core.telegram.org/bots/api).
//!
//! A channel's comments live in its linked discussion group, where the
//! administration's bot is an administrator: it sees every message there,
//! deletes them (within 48 hours of their sending: Telegram refuses older
//! ones, and the desk says so), bans their authors and answers them. The
//! channel post appears in the group as an automatic forward; the comments
//! reply to it, and that forward is the post Piazza ties them to.
//!
//! Ids: a message id is unique only within its chat, so Piazza's ids are
//! `chat:message` (`-1001234567890:77`).
//!
//! Intake: by webhook (`setWebhook` with a `secret_token` derived from the
//! bot token and the account, checked on every delivery) where Piazza has
//! a public address, else by `getUpdates`, whose offset is the stored
//! cursor: an update is confirmed to Telegram only by the call after the
//! page that held it was committed.
//!
//! Exactly once: the Bot API has no idempotency key and a bot cannot read
//! a chat's history, so an attempt whose answer was lost cannot be looked
//! up. Such a reply or post is not sent again blindly: it fails as
//! [`PermanentCode::Unverifiable`], and a person checks the group and
//! retries it if it is not there.

use std::time::Duration;

use piazza_taxonomy::Platform;
use ring::hmac;
use serde_json::{Value, json};

use crate::capability::{Operation, Support};
use crate::common::{need, network_kind, permanent};
use crate::connector::{
    ConnectionCheck, Connector, Delivered, Delivery, Failure, FetchPage, FetchRequest,
    MissingPermission, PermanentCode,
};
use crate::incoming::{IncomingComment, IncomingEvent, IncomingMessage, IncomingPost, RoutedEvent};
use crate::secret::SecretString;

/// The Bot API's address.
pub const DEFAULT_API_URL: &str = "https://api.telegram.org";

const TIMEOUT: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_BODY: u64 = 8 * 1024 * 1024;
/// Updates per `getUpdates` call (the API's maximum).
const PAGE: usize = 100;
/// The updates Piazza asks for: the group's messages and their edits.
const ALLOWED_UPDATES: &[&str] = &["message", "edited_message"];

/// One bot in one discussion group (and its channel).
#[derive(Debug, Clone)]
pub struct TelegramConnection {
    /// `https://api.telegram.org`; tests point it at a local fake.
    pub api_url: String,
    /// The bot's token from @BotFather.
    pub token: SecretString,
    /// The discussion group (`-100…`).
    pub group_chat_id: String,
    /// The channel whose posts the group discusses, where Piazza publishes.
    pub channel_chat_id: Option<String>,
    /// This account's webhook on Piazza's public address, and its secret;
    /// `None`: the account is read with `getUpdates`.
    pub webhook: Option<(String, SecretString)>,
}

/// The connector.
pub struct TelegramConnector {
    base: String,
    token: SecretString,
    group: i64,
    channel: Option<i64>,
    webhook: Option<(String, SecretString)>,
    agent: ureq::Agent,
}

/// The secret Telegram sends back in `X-Telegram-Bot-Api-Secret-Token`
/// with every update of an account: the HMAC of the account's reference
/// under the bot token, in the 64 hex characters the API allows. Whoever
/// could forge it already holds the bot token, which can do more.
pub fn webhook_secret(token: &SecretString, account: &str) -> SecretString {
    let key = hmac::Key::new(hmac::HMAC_SHA256, token.expose().as_bytes());
    let tag = hmac::sign(
        &key,
        format!("piazza-telegram-webhook:{account}").as_bytes(),
    );
    SecretString::new(hex::encode(tag.as_ref()))
}

/// Why a webhook delivery is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("the X-Telegram-Bot-Api-Secret-Token header is missing")]
    Missing,
    #[error("the X-Telegram-Bot-Api-Secret-Token header is wrong")]
    Mismatch,
}

/// Compares the header with the expected secret in constant time.
pub fn verify_secret(expected: &SecretString, header: Option<&str>) -> Result<(), SecretError> {
    let got = header.ok_or(SecretError::Missing)?;
    // HMAC verification is ring's constant-time comparison.
    let key = hmac::Key::new(hmac::HMAC_SHA256, b"piazza-telegram-compare");
    let tag = hmac::sign(&key, expected.expose().as_bytes());
    hmac::verify(&key, got.as_bytes(), tag.as_ref()).map_err(|_| SecretError::Mismatch)
}

fn chat_id(s: &str) -> Result<i64, String> {
    s.trim().parse::<i64>().map_err(|_| {
        format!("`{s}` non è l'id di una chat Telegram (un numero, per i gruppi -100…)")
    })
}

/// `chat:message` → the two numbers.
fn split_ref(r: &str) -> Result<(i64, i64), Failure> {
    r.rsplit_once(':')
        .and_then(|(c, m)| Some((c.parse().ok()?, m.parse().ok()?)))
        .ok_or_else(|| {
            permanent(
                PermanentCode::Rejected,
                format!(
                    "`{}` is not a Telegram message reference (chat:message)",
                    r.chars().take(40).collect::<String>()
                ),
            )
        })
}

fn text_of(m: &Value) -> Option<String> {
    m.get("text")
        .or_else(|| m.get("caption"))
        .and_then(Value::as_str)
        .map(str::to_string)
}

fn int(v: &Value, key: &str) -> Option<i64> {
    v.get(key).and_then(Value::as_i64)
}

/// What one update says: in a group, the post it shows (an automatic
/// forward of the channel's post) or the comment (new or edited) it
/// carries; in a private chat with the bot, the citizen's message. Channel
/// posts, service messages, private edits and messages without text say
/// nothing here.
enum Read {
    Group(i64, Option<IncomingPost>, Option<IncomingComment>),
    Private(IncomingMessage),
}

fn read_private(m: &Value, chat_id: i64) -> Option<IncomingMessage> {
    let f = m.get("from")?;
    if f.get("is_bot").and_then(Value::as_bool) == Some(true) {
        return None;
    }
    let name = [f.get("first_name"), f.get("last_name")]
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect::<Vec<_>>()
        .join(" ");
    Some(IncomingMessage {
        conversation_ref: chat_id.to_string(),
        external_id: int(m, "message_id")?.to_string(),
        author_ref: int(f, "id").map(|i| i.to_string()),
        author_name: Some(name).filter(|n| !n.is_empty()),
        text: text_of(m)?,
        created_at: int(m, "date").unwrap_or(0) * 1000,
    })
}

fn read(update: &Value) -> Option<Read> {
    if let Some(m) = update.get("message")
        && m.pointer("/chat/type").and_then(Value::as_str) == Some("private")
    {
        let chat = int(m.get("chat")?, "id")?;
        return read_private(m, chat).map(Read::Private);
    }
    read_update(update).map(|(c, p, k)| Read::Group(c, p, k))
}

/// A group's update: its chat, the post or the comment.
fn read_update(update: &Value) -> Option<(i64, Option<IncomingPost>, Option<IncomingComment>)> {
    let m = update
        .get("message")
        .or_else(|| update.get("edited_message"))?;
    let chat = m.get("chat")?;
    let chat_id = int(chat, "id")?;
    if !matches!(
        chat.get("type").and_then(Value::as_str),
        Some("group" | "supergroup")
    ) {
        return None;
    }
    let id = int(m, "message_id")?;
    let date = int(m, "date").unwrap_or(0) * 1000;
    if m.get("is_automatic_forward").and_then(Value::as_bool) == Some(true) {
        return Some((
            chat_id,
            Some(IncomingPost {
                external_id: format!("{chat_id}:{id}"),
                text: text_of(m),
                url: None,
                published_at: Some(date).filter(|d| *d > 0),
            }),
            None,
        ));
    }
    let text = text_of(m)?;
    let (author_ref, author_name) = match (m.get("sender_chat"), m.get("from")) {
        // Anonymous administrators write as the group itself: the
        // administration, not a citizen.
        (Some(sc), _) if int(sc, "id") == Some(chat_id) => return None,
        (Some(sc), _) => (
            int(sc, "id")?.to_string(),
            sc.get("title").and_then(Value::as_str).map(str::to_string),
        ),
        (None, Some(f)) => {
            if f.get("is_bot").and_then(Value::as_bool) == Some(true) {
                return None;
            }
            let name = [f.get("first_name"), f.get("last_name")]
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" ");
            (
                int(f, "id")?.to_string(),
                Some(name).filter(|n| !n.is_empty()),
            )
        }
        (None, None) => return None,
    };
    let parent = m.get("reply_to_message");
    let parent_is_post = parent
        .and_then(|p| p.get("is_automatic_forward"))
        .and_then(Value::as_bool)
        == Some(true);
    let root = int(m, "message_thread_id").or_else(|| {
        parent
            .filter(|_| parent_is_post)
            .and_then(|p| int(p, "message_id"))
    });
    Some((
        chat_id,
        None,
        Some(IncomingComment {
            external_id: format!("{chat_id}:{id}"),
            post_external_id: root.map(|r| format!("{chat_id}:{r}")),
            post_text: parent.filter(|_| parent_is_post).and_then(text_of),
            parent_external_id: parent
                .filter(|_| !parent_is_post)
                .and_then(|p| int(p, "message_id"))
                .map(|p| format!("{chat_id}:{p}")),
            author_ref: Some(author_ref),
            author_name,
            text,
            created_at: date,
        }),
    ))
}

/// The events of one webhook delivery (one `Update`): a group's comments
/// routed by the group they happened in, a private message to the
/// connection whose webhook received it (`private_to`, its group's id).
pub fn parse_update(body: &[u8], private_to: Option<&str>) -> Result<Vec<RoutedEvent>, String> {
    let update: Value =
        serde_json::from_slice(body).map_err(|e| format!("the update is not JSON: {e}"))?;
    if int(&update, "update_id").is_none() {
        return Err("the update has no update_id".into());
    }
    Ok(match read(&update) {
        Some(Read::Group(chat, _, Some(c))) => vec![RoutedEvent {
            platform: Platform::Telegram,
            platform_account: chat.to_string(),
            event: IncomingEvent::Comment(c),
        }],
        Some(Read::Private(m)) => private_to
            .map(|to| RoutedEvent {
                platform: Platform::Telegram,
                platform_account: to.to_string(),
                event: IncomingEvent::Message(m),
            })
            .into_iter()
            .collect(),
        _ => Vec::new(),
    })
}

impl TelegramConnector {
    pub fn new(c: TelegramConnection) -> Result<TelegramConnector, String> {
        let url = c.api_url.trim().trim_end_matches('/');
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err("l'indirizzo della Bot API deve cominciare con https://".into());
        }
        // The token goes in the path: anything but `digits:[A-Za-z0-9_-]`
        // could change it.
        let t = c.token.expose().trim();
        let well_formed = t.split_once(':').is_some_and(|(id, secret)| {
            !id.is_empty()
                && id.bytes().all(|b| b.is_ascii_digit())
                && !secret.is_empty()
                && secret
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        });
        if !well_formed {
            return Err(
                "il token del bot non ha la forma che dà @BotFather (numero:codice)".into(),
            );
        }
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(TIMEOUT))
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .max_redirects(0)
            .http_status_as_error(false)
            .user_agent("piazza")
            .build()
            .into();
        Ok(TelegramConnector {
            base: url.to_string(),
            token: SecretString::new(t),
            group: chat_id(&c.group_chat_id)?,
            channel: c.channel_chat_id.as_deref().map(chat_id).transpose()?,
            webhook: c.webhook,
            agent,
        })
    }

    /// One method call with a JSON body; the envelope's `result`.
    fn call(&self, method: &str, params: Value) -> Result<Value, Failure> {
        // Never put this URL in a message: it holds the token.
        let url = format!("{}/bot{}/{method}", self.base, self.token.expose());
        let mut res = self
            .agent
            .post(&url)
            .header("content-type", "application/json")
            .send(params.to_string().as_bytes())
            .map_err(|e| Failure::Transient {
                message: format!("Telegram did not answer {method} ({})", network_kind(&e)),
                retry_after: None,
            })?;
        let status = res.status().as_u16();
        let bytes = res
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_vec()
            .map_err(|e| Failure::Transient {
                message: format!(
                    "Telegram {method}: the answer broke off ({})",
                    network_kind(&e)
                ),
                retry_after: None,
            })?;
        let v: Value = serde_json::from_slice(&bytes).map_err(|_| Failure::Transient {
            message: format!("Telegram {method}: HTTP {status}, the answer is not JSON"),
            retry_after: None,
        })?;
        if v.get("ok").and_then(Value::as_bool) == Some(true) {
            return Ok(v.get("result").cloned().unwrap_or(Value::Null));
        }
        let code = int(&v, "error_code").unwrap_or(status as i64);
        let said = v
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or("no description")
            .to_string();
        Err(self.failure(method, code, said, &v))
    }

    fn failure(&self, method: &str, code: i64, said: String, v: &Value) -> Failure {
        let lower = said.to_ascii_lowercase();
        match code {
            401 => permanent(
                PermanentCode::TokenInvalid,
                format!(
                    "Telegram: {said}; il token del bot non è valido o è stato revocato: creane uno con @BotFather e ricollega l'account"
                ),
            ),
            403 => permanent(
                PermanentCode::PermissionMissing,
                format!("Telegram: {said}; il bot deve essere membro e amministratore del gruppo"),
            ),
            409 => permanent(
                PermanentCode::Rejected,
                format!(
                    "Telegram: {said}; su questo bot è registrato un webhook: o Piazza riceve dal webhook, o legge con getUpdates"
                ),
            ),
            429 => Failure::RateLimited {
                message: format!("Telegram: {said}"),
                retry_after: Duration::from_secs(
                    v.get("parameters")
                        .and_then(|p| int(p, "retry_after"))
                        .unwrap_or(30)
                        .clamp(1, 3600) as u64,
                ),
            },
            400 if lower.contains("can't be deleted for everyone") => permanent(
                PermanentCode::NotAllowed,
                "Telegram consente ai bot di cancellare un messaggio solo entro 48 ore dall'invio: questo è più vecchio, va rimosso a mano dall'app da un amministratore del gruppo",
            ),
            400 if lower.contains("not enough rights")
                || lower.contains("can't be deleted")
                || lower.contains("administrator rights") =>
            {
                permanent(
                    PermanentCode::PermissionMissing,
                    format!(
                        "Telegram: {said}; dai al bot i diritti di amministratore che servono (cancellare messaggi, bloccare utenti, pubblicare nel canale)"
                    ),
                )
            }
            400 if lower.contains("not found") => {
                permanent(PermanentCode::ObjectGone, format!("Telegram: {said}"))
            }
            400..=499 => permanent(PermanentCode::Rejected, format!("Telegram: {said}")),
            _ => Failure::Transient {
                message: format!("Telegram {method}: {said}"),
                retry_after: None,
            },
        }
    }

    /// The message a delivery is about, in this connection's group.
    fn group_message(&self, d: &Delivery) -> Result<i64, Failure> {
        let (chat, id) = split_ref(need(&d.comment_external_id, "message id")?)?;
        if chat != self.group {
            return Err(permanent(
                PermanentCode::Rejected,
                format!(
                    "message {chat}:{id} is not in the connected group {}",
                    self.group
                ),
            ));
        }
        Ok(id)
    }

    fn user(&self, d: &Delivery) -> Result<i64, Failure> {
        need(&d.author_ref, "author id")?
            .parse()
            .map_err(|_| permanent(PermanentCode::Rejected, "the author is not a Telegram id"))
    }

    fn unverifiable(&self, what: &str) -> Failure {
        permanent(
            PermanentCode::Unverifiable,
            format!(
                "un tentativo precedente di {what} potrebbe essere arrivato su Telegram, che non permette di verificarlo: controlla nel gruppo o nel canale e ritenta solo se non c'è"
            ),
        )
    }

    fn message_ref(&self, chat: i64, v: &Value) -> Option<String> {
        let m = v.as_array().and_then(|a| a.first()).unwrap_or(v);
        int(m, "message_id").map(|id| format!("{chat}:{id}"))
    }
}

impl Connector for TelegramConnector {
    fn platform(&self) -> Platform {
        Platform::Telegram
    }

    fn deliver(&self, d: &Delivery) -> Result<Delivered, Failure> {
        let op = d.op()?;
        if let Support::No(why) = self.capabilities().support(op) {
            return Err(permanent(PermanentCode::Unsupported, why));
        }
        let done = |platform_ref: Option<String>| Delivered {
            platform_ref,
            already: false,
        };
        match op {
            Operation::Delete => {
                let id = self.group_message(d)?;
                match self.call(
                    "deleteMessage",
                    json!({"chat_id": self.group, "message_id": id}),
                ) {
                    Ok(_) => Ok(done(None)),
                    // Deleting is idempotent: gone is what was asked.
                    Err(Failure::Permanent {
                        code: PermanentCode::ObjectGone,
                        ..
                    }) if d.uncertain => Ok(Delivered {
                        platform_ref: None,
                        already: true,
                    }),
                    Err(e) => Err(e),
                }
            }
            Operation::Ban => {
                let user = self.user(d)?;
                if user < 0 {
                    // Someone writing as one of their channels.
                    self.call(
                        "banChatSenderChat",
                        json!({"chat_id": self.group, "sender_chat_id": user}),
                    )?;
                } else {
                    let mut p = json!({"chat_id": self.group, "user_id": user});
                    if let Some(until) = d.until {
                        p["until_date"] = json!(until / 1000);
                    }
                    self.call("banChatMember", p)?;
                }
                Ok(done(None))
            }
            Operation::Unban => {
                let user = self.user(d)?;
                if user < 0 {
                    self.call(
                        "unbanChatSenderChat",
                        json!({"chat_id": self.group, "sender_chat_id": user}),
                    )?;
                } else {
                    self.call(
                        "unbanChatMember",
                        json!({"chat_id": self.group, "user_id": user, "only_if_banned": true}),
                    )?;
                }
                Ok(done(None))
            }
            Operation::Reply => {
                let id = self.group_message(d)?;
                let text = need(&d.text, "reply text")?;
                if d.uncertain {
                    return Err(self.unverifiable("risposta"));
                }
                let v = self.call(
                    "sendMessage",
                    json!({"chat_id": self.group, "text": text,
                           "reply_parameters": {"message_id": id, "allow_sending_without_reply": false}}),
                )?;
                Ok(done(self.message_ref(self.group, &v)))
            }
            Operation::Publish => {
                let channel = self.channel.ok_or_else(|| {
                    permanent(
                        PermanentCode::Rejected,
                        "nessun canale Telegram collegato a questo account: ricollegalo indicando --channel",
                    )
                })?;
                let text = need(&d.text, "post text")?;
                if d.uncertain {
                    return Err(self.unverifiable("pubblicazione"));
                }
                let text = match &d.link {
                    Some(l) if !text.contains(l.as_str()) => format!("{text}\n\n{l}"),
                    _ => text.to_string(),
                };
                let v = match d.media.as_slice() {
                    [] => self.call("sendMessage", json!({"chat_id": channel, "text": text}))?,
                    [one] => self.call(
                        "sendPhoto",
                        json!({"chat_id": channel, "photo": one.url, "caption": text}),
                    )?,
                    many => {
                        let media: Vec<Value> = many
                            .iter()
                            .take(10)
                            .enumerate()
                            .map(|(i, m)| {
                                let mut x = json!({"type": "photo", "media": m.url});
                                if i == 0 {
                                    x["caption"] = json!(text);
                                }
                                x
                            })
                            .collect();
                        self.call(
                            "sendMediaGroup",
                            json!({"chat_id": channel, "media": media}),
                        )?
                    }
                };
                Ok(done(self.message_ref(channel, &v)))
            }
            Operation::Message => {
                let chat = need(&d.comment_external_id, "conversation id")?
                    .parse::<i64>()
                    .map_err(|_| permanent(PermanentCode::Rejected, "not a Telegram chat id"))?;
                if chat <= 0 {
                    return Err(permanent(
                        PermanentCode::Rejected,
                        "a private message goes to a person's chat, not to a group",
                    ));
                }
                let text = need(&d.text, "message text")?;
                if d.uncertain {
                    return Err(self.unverifiable("messaggio privato"));
                }
                let v = self.call("sendMessage", json!({"chat_id": chat, "text": text}))?;
                Ok(done(self.message_ref(chat, &v)))
            }
            other => Err(permanent(
                PermanentCode::Unsupported,
                format!(
                    "operation `{}` is not available on Telegram",
                    other.as_str()
                ),
            )),
        }
    }

    /// `getUpdates` from the cursor (the next update id): the group's
    /// messages, oldest first. Calling with that offset confirms to
    /// Telegram the updates before it, which the desk committed.
    fn fetch(&self, request: &FetchRequest) -> Result<FetchPage, Failure> {
        let mut p = json!({"limit": PAGE, "timeout": 0, "allowed_updates": ALLOWED_UPDATES});
        if let Some(c) = &request.cursor {
            p["offset"] = json!(c.parse::<i64>().unwrap_or(0));
        }
        let v = self.call("getUpdates", p)?;
        let updates = v.as_array().cloned().unwrap_or_default();
        let mut page = FetchPage {
            cursor: request.cursor.clone(),
            done: updates.len() < PAGE,
            ..FetchPage::default()
        };
        for u in &updates {
            if let Some(id) = int(u, "update_id") {
                let next = id + 1;
                if page
                    .cursor
                    .as_deref()
                    .and_then(|c| c.parse::<i64>().ok())
                    .is_none_or(|c| next > c)
                {
                    page.cursor = Some(next.to_string());
                }
            }
            let (chat, post, comment) = match read(u) {
                Some(Read::Group(chat, post, comment)) => (chat, post, comment),
                Some(Read::Private(m)) => {
                    page.events.push(IncomingEvent::Message(m));
                    continue;
                }
                None => continue,
            };
            if chat != self.group {
                continue;
            }
            if let Some(p) = post
                && !page.posts.iter().any(|x| x.external_id == p.external_id)
            {
                page.posts.push(p);
            }
            if let Some(c) = comment
                && request.since.is_none_or(|s| c.created_at >= s)
            {
                page.events.push(IncomingEvent::Comment(c));
            }
        }
        // Nothing new: the cursor stays, and the next pull asks again.
        if updates.is_empty() {
            page.done = true;
        }
        Ok(page)
    }

    /// A bot cannot read a message by its id: the post's text comes with
    /// the comments that answer it directly.
    fn post(&self, _external_id: &str) -> Result<Option<IncomingPost>, Failure> {
        Ok(None)
    }

    fn check(&self) -> Result<ConnectionCheck, Failure> {
        let me = match self.call("getMe", json!({})) {
            Ok(me) => me,
            Err(Failure::Permanent {
                code: PermanentCode::TokenInvalid,
                message,
            }) => {
                return Ok(ConnectionCheck {
                    valid: false,
                    problems: vec![message],
                    ..ConnectionCheck::default()
                });
            }
            Err(e) => return Err(e),
        };
        let bot = int(&me, "id").unwrap_or(0);
        let mut check = ConnectionCheck {
            valid: true,
            account_name: me
                .get("username")
                .and_then(Value::as_str)
                .map(|u| format!("@{u}")),
            ..ConnectionCheck::default()
        };
        let rights = |chat: i64| -> Result<Option<Value>, Failure> {
            match self.call("getChatMember", json!({"chat_id": chat, "user_id": bot})) {
                Ok(m) => Ok(Some(m)),
                Err(Failure::Permanent { .. }) => Ok(None),
                Err(e) => Err(e),
            }
        };
        let mut require = |member: &Option<Value>, right: &str, ops: Vec<Operation>| {
            let has = member.as_ref().is_some_and(|m| {
                m.get(right).and_then(Value::as_bool) == Some(true)
                    || m.get("status").and_then(Value::as_str) == Some("creator")
            });
            if has {
                check.permissions.push(right.to_string());
            } else {
                check.missing.push(MissingPermission {
                    permission: right.to_string(),
                    needed_for: ops,
                });
            }
        };
        let group = rights(self.group)?;
        let group_admin = group.as_ref().is_some_and(|m| {
            matches!(
                m.get("status").and_then(Value::as_str),
                Some("administrator" | "creator")
            )
        });
        require(&group, "can_delete_messages", vec![Operation::Delete]);
        require(
            &group,
            "can_restrict_members",
            vec![Operation::Ban, Operation::Unban],
        );
        let channel = match self.channel {
            Some(c) => {
                let m = rights(c)?;
                require(&m, "can_post_messages", vec![Operation::Publish]);
                Some(m)
            }
            None => None,
        };
        if !group_admin {
            check.problems.push(format!(
                "il bot non è amministratore del gruppo di discussione {}: senza esserlo non vede tutti i commenti e non può cancellarli",
                self.group
            ));
        }
        if let Some(None) = channel {
            check.problems.push(
                "il bot non risulta nel canale collegato: aggiungilo come amministratore per pubblicare".into(),
            );
        }
        let info = self.call("getWebhookInfo", json!({}))?;
        let registered = info.get("url").and_then(Value::as_str).unwrap_or("");
        match &self.webhook {
            Some((url, _)) if registered != url => check.problems.push(format!(
                "Telegram non consegna a Piazza: il webhook registrato è «{registered}»; esegui `piazza connectors subscribe` per registrare {url}"
            )),
            None if !registered.is_empty() => check.problems.push(format!(
                "sul bot è registrato un webhook («{registered}»): finché c'è, Piazza non può leggere con getUpdates"
            )),
            _ => {}
        }
        if let Some(e) = info.get("last_error_message").and_then(Value::as_str) {
            check.problems.push(format!(
                "l'ultima consegna di Telegram al webhook non è riuscita: {e}"
            ));
        }
        check.valid = check.problems.is_empty() && check.missing.is_empty();
        Ok(check)
    }

    fn subscribe(&self) -> Result<bool, Failure> {
        let Some((url, secret)) = &self.webhook else {
            return Ok(false);
        };
        self.call(
            "setWebhook",
            json!({"url": url, "secret_token": secret.expose(), "allowed_updates": ALLOWED_UPDATES}),
        )?;
        Ok(true)
    }

    fn reads_by_pull(&self) -> bool {
        self.webhook.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_comment_under_a_channel_post_is_placed_under_it() {
        let body = br#"{"update_id":900001,"message":{"message_id":77,"date":1760000000,
 "chat":{"id":-1001234567890,"type":"supergroup","title":"Org discussion"},
 "from":{"id":42,"is_bot":false,"first_name":"Jane","username":"jane"},
 "message_thread_id":70,"text":"nice post",
 "reply_to_message":{"message_id":70,"date":1759999000,"chat":{"id":-1001234567890,"type":"supergroup"},
  "sender_chat":{"id":-1009876543210,"type":"channel","title":"Org"},"is_automatic_forward":true,"text":"Il post"}}}"#;
        let events = parse_update(body, None).unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].platform_account, "-1001234567890");
        let IncomingEvent::Comment(c) = &events[0].event else {
            panic!("a comment");
        };
        assert_eq!(c.external_id, "-1001234567890:77");
        assert_eq!(c.post_external_id.as_deref(), Some("-1001234567890:70"));
        assert_eq!(c.post_text.as_deref(), Some("Il post"));
        assert_eq!(c.parent_external_id, None);
        assert_eq!(c.author_ref.as_deref(), Some("42"));
        assert_eq!(c.created_at, 1_760_000_000_000);
    }

    #[test]
    fn private_chats_bots_and_anonymous_admins_are_not_comments() {
        let private = br#"{"update_id":1,"message":{"message_id":1,"date":1,"chat":{"id":42,"type":"private"},"from":{"id":42,"is_bot":false,"first_name":"A"},"text":"ciao"}}"#;
        assert!(parse_update(private, None).unwrap().is_empty());
        let bot = br#"{"update_id":2,"message":{"message_id":2,"date":1,"chat":{"id":-100,"type":"supergroup"},"from":{"id":7,"is_bot":true,"first_name":"B"},"text":"risposta"}}"#;
        assert!(parse_update(bot, None).unwrap().is_empty());
        let anon = br#"{"update_id":3,"message":{"message_id":3,"date":1,"chat":{"id":-100,"type":"supergroup"},"sender_chat":{"id":-100,"type":"supergroup"},"text":"avviso"}}"#;
        assert!(parse_update(anon, None).unwrap().is_empty());
        assert!(parse_update(b"{}", None).is_err());
        assert!(parse_update(b"not json", None).is_err());
    }

    #[test]
    fn the_webhook_secret_is_per_account_and_checked_whole() {
        let token = SecretString::new("123:abc");
        let a = webhook_secret(&token, "1");
        let b = webhook_secret(&token, "2");
        assert_ne!(a.expose(), b.expose());
        assert_eq!(a.expose().len(), 64);
        assert!(verify_secret(&a, Some(a.expose())).is_ok());
        assert_eq!(verify_secret(&a, None), Err(SecretError::Missing));
        assert_eq!(
            verify_secret(&a, Some(b.expose())),
            Err(SecretError::Mismatch)
        );
        assert_eq!(
            verify_secret(&a, Some(&a.expose()[..63])),
            Err(SecretError::Mismatch)
        );
    }

    #[test]
    fn references_are_chat_and_message() {
        assert_eq!(
            split_ref("-1001234567890:77").unwrap(),
            (-1_001_234_567_890, 77)
        );
        assert!(split_ref("77").is_err());
        assert!(split_ref("a:b").is_err());
    }
}
