//! An organisation's account on a Mastodon instance, through the REST API
//! (digest: `shared/platforms/mastodon.md`, from docs.joinmastodon.org).
//!
//! What an ordinary account's token can do to replies from other people
//! (often on other servers): read them (mention notifications, a status's
//! context), answer them, report them to the instance, block their author
//! (a ban). It cannot hide or delete them; the capability map says so and
//! those steps are left to a person. Publishing posts text; images must be
//! uploaded as files (`POST /api/v2/media`), which Piazza does not do yet,
//! so a post with images is refused with that reason rather than published
//! without them.
//!
//! Exactly once: every status Piazza creates carries the outbox row's key
//! as `Idempotency-Key` (Mastodon answers the first status again for an
//! hour); an attempt in doubt also looks in the thread for a reply by the
//! account with the same text before writing.

use std::time::Duration;

use piazza_taxonomy::Platform;
use serde_json::Value;

use crate::capability::{Operation, Support};
use crate::common::{need, network_kind, parse_time, permanent};
use crate::connector::{
    ConnectionCheck, Connector, Delivered, Delivery, Failure, FetchPage, FetchRequest,
    PermanentCode,
};
use crate::incoming::{IncomingComment, IncomingEvent, IncomingPost};
use crate::secret::SecretString;

const TIMEOUT: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_BODY: u64 = 8 * 1024 * 1024;
/// Notifications per page (the API's maximum is 80).
const PAGE: usize = 40;
/// When a 429 carries no usable reset time: the default window.
const DEFAULT_WAIT: Duration = Duration::from_secs(300);
/// The longest report comment the API takes by default.
const REPORT_CHARS: usize = 1000;

/// One account on one instance.
#[derive(Debug, Clone)]
pub struct MastodonConnection {
    /// `https://social.example.it`.
    pub instance_url: String,
    /// The organisation's account id on that instance.
    pub account_id: String,
    /// A user token with `read:statuses read:notifications write:statuses
    /// write:reports write:blocks`.
    pub token: SecretString,
    /// The token is an administrator's of this instance (the
    /// administration runs it) with `admin:write:accounts`.
    pub instance_admin: bool,
}

/// The connector.
pub struct MastodonConnector {
    base: String,
    account_id: String,
    token: SecretString,
    instance_admin: bool,
    agent: ureq::Agent,
}

/// Ids are strings of digits; anything else could change the path.
fn check_id(id: &str) -> Result<&str, Failure> {
    if !id.is_empty() && id.len() <= 40 && id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(id)
    } else {
        Err(permanent(
            PermanentCode::Rejected,
            format!(
                "`{}` is not a Mastodon id",
                id.chars().take(40).collect::<String>()
            ),
        ))
    }
}

/// The plain text of a status's sanitized HTML: paragraphs and line breaks
/// become new lines, tags go, the five entities Mastodon escapes come back.
pub fn plain_text(html: &str) -> String {
    let spaced = html
        .replace("<br>", "\n")
        .replace("<br/>", "\n")
        .replace("<br />", "\n")
        .replace("</p><p>", "\n\n");
    let mut out = String::with_capacity(spaced.len());
    let mut in_tag = false;
    for c in spaced.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
        .trim()
        .to_string()
}

fn str_field(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

/// The events of one admin webhook delivery of the administration's own
/// instance (`status.created`, `status.updated`), for the organisation's
/// account `org`: a local status that answers or mentions the account is a
/// comment (an update is an edit); every other event, and every other
/// status, says nothing here. A report (`report.created`) is the
/// instance's own moderation and stays there.
pub fn parse_admin_webhook(body: &[u8], org: &str) -> Result<Vec<IncomingEvent>, String> {
    let v: Value =
        serde_json::from_slice(body).map_err(|e| format!("the webhook body is not JSON: {e}"))?;
    let event = v
        .get("event")
        .and_then(Value::as_str)
        .ok_or("the webhook body has no `event`")?;
    if !matches!(event, "status.created" | "status.updated") {
        return Ok(Vec::new());
    }
    let s = v.get("object").ok_or("the webhook body has no `object`")?;
    let author = s
        .get("account")
        .and_then(|a| str_field(a, "id"))
        .ok_or("the status has no `account.id`")?;
    let id = str_field(s, "id").ok_or("the status has no `id`")?;
    let to_org = str_field(s, "in_reply_to_account_id").as_deref() == Some(org);
    let mentions_org = s
        .get("mentions")
        .and_then(Value::as_array)
        .is_some_and(|m| m.iter().any(|x| str_field(x, "id").as_deref() == Some(org)));
    if author == org || !(to_org || mentions_org) {
        return Ok(Vec::new());
    }
    let parent = str_field(s, "in_reply_to_id");
    let account = s.get("account");
    Ok(vec![IncomingEvent::Comment(IncomingComment {
        external_id: id,
        // A direct answer to one of the account's statuses is under it.
        post_external_id: parent.clone().filter(|_| to_org),
        post_text: None,
        parent_external_id: parent.filter(|_| !to_org),
        author_ref: Some(author),
        author_name: account
            .and_then(|a| str_field(a, "display_name"))
            .filter(|n| !n.is_empty())
            .or_else(|| account.and_then(|a| str_field(a, "acct"))),
        text: plain_text(&str_field(s, "content").unwrap_or_default()),
        created_at: str_field(s, "created_at")
            .and_then(|t| parse_time(&t))
            .unwrap_or(0),
    })])
}

impl MastodonConnector {
    pub fn new(connection: MastodonConnection) -> Result<MastodonConnector, String> {
        let url = connection.instance_url.trim().trim_end_matches('/');
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err("l'indirizzo dell'istanza Mastodon deve cominciare con https://".into());
        }
        check_id(&connection.account_id).map_err(|e| e.to_string())?;
        if connection.token.is_empty() {
            return Err("manca il token dell'account Mastodon".into());
        }
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(TIMEOUT))
            .timeout_connect(Some(CONNECT_TIMEOUT))
            // A redirect would carry the token somewhere else.
            .max_redirects(0)
            .http_status_as_error(false)
            .user_agent("piazza")
            .build()
            .into();
        Ok(MastodonConnector {
            base: url.to_string(),
            account_id: connection.account_id,
            token: connection.token,
            instance_admin: connection.instance_admin,
            agent,
        })
    }

    /// One call; `form` for POSTs, `query` for GETs.
    fn call(
        &self,
        post: bool,
        path: &str,
        params: &[(&str, &str)],
        idempotency_key: Option<&str>,
    ) -> Result<Value, Failure> {
        let url = format!("{}{path}", self.base);
        let auth = format!("Bearer {}", self.token.expose());
        let result = if post {
            let mut r = self.agent.post(&url).header("authorization", &auth);
            if let Some(k) = idempotency_key {
                r = r.header("idempotency-key", k);
            }
            r.send_form(params.iter().copied())
        } else {
            self.agent
                .get(&url)
                .header("authorization", &auth)
                .query_pairs(params.iter().copied())
                .call()
        };
        let mut res = result.map_err(|e| Failure::Transient {
            message: format!(
                "the Mastodon instance did not answer ({})",
                network_kind(&e)
            ),
            retry_after: None,
        })?;
        let status = res.status().as_u16();
        let reset = res
            .headers()
            .get("x-ratelimit-reset")
            .and_then(|v| v.to_str().ok())
            .and_then(parse_time);
        let bytes = res
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_vec()
            .map_err(|e| Failure::Transient {
                message: format!(
                    "Mastodon HTTP {status}: the answer broke off ({})",
                    network_kind(&e)
                ),
                retry_after: None,
            })?;
        let json: Option<Value> = serde_json::from_slice(&bytes).ok();
        if (200..300).contains(&status) {
            return json.ok_or_else(|| Failure::Transient {
                message: format!("Mastodon HTTP {status}: the answer is not JSON"),
                retry_after: None,
            });
        }
        let said = json
            .as_ref()
            .and_then(|j| str_field(j, "error"))
            .unwrap_or_else(|| format!("HTTP {status}"));
        Err(match status {
            401 => permanent(
                PermanentCode::TokenInvalid,
                format!("Mastodon: {said}; genera un nuovo token e ricollega l'account"),
            ),
            403 => permanent(
                PermanentCode::PermissionMissing,
                format!("Mastodon: {said}"),
            ),
            404 | 410 => permanent(PermanentCode::ObjectGone, format!("Mastodon: {said}")),
            422 => permanent(PermanentCode::Rejected, format!("Mastodon: {said}")),
            429 => {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_millis() as i64);
                let wait = reset
                    .map(|r| Duration::from_millis((r - now).clamp(1_000, 3_600_000) as u64))
                    .unwrap_or(DEFAULT_WAIT);
                Failure::RateLimited {
                    message: format!("Mastodon: {said}"),
                    retry_after: wait,
                }
            }
            _ => Failure::Transient {
                message: format!("Mastodon: {said}"),
                retry_after: None,
            },
        })
    }

    /// A status by the account under `thread` with exactly `text` that no
    /// other delivery claimed: an earlier attempt that went through.
    fn find_own(
        &self,
        thread: &str,
        text: &str,
        known: &[String],
    ) -> Result<Option<String>, Failure> {
        let v = self.call(
            false,
            &format!("/api/v1/statuses/{}/context", check_id(thread)?),
            &[],
            None,
        )?;
        let found = v
            .get("descendants")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|s| {
                s.get("account").and_then(|a| str_field(a, "id")).as_deref()
                    == Some(self.account_id.as_str())
                    && str_field(s, "content").is_some_and(|c| plain_text(&c) == text.trim())
                    && str_field(s, "id").is_some_and(|id| !known.contains(&id))
            })
            .and_then(|s| str_field(s, "id"));
        Ok(found)
    }

    fn post_status(
        &self,
        d: &Delivery,
        text: &str,
        reply_to: Option<&str>,
        visibility: &str,
    ) -> Result<Delivered, Failure> {
        if d.uncertain
            && let Some(thread) = reply_to
            && let Some(id) = self.find_own(thread, text, &d.known_refs)?
        {
            return Ok(Delivered {
                platform_ref: Some(id),
                already: true,
            });
        }
        let mut params = vec![("status", text), ("visibility", visibility)];
        if let Some(r) = reply_to {
            params.push(("in_reply_to_id", r));
        }
        let v = self.call(true, "/api/v1/statuses", &params, Some(&d.key))?;
        Ok(Delivered {
            platform_ref: str_field(&v, "id"),
            already: false,
        })
    }

    fn comment_of(&self, s: &Value, post: Option<&Value>) -> Option<IncomingComment> {
        let id = str_field(s, "id")?;
        let account = s.get("account")?;
        let author = str_field(account, "id")?;
        if author == self.account_id {
            return None;
        }
        Some(IncomingComment {
            external_id: id,
            post_external_id: post.and_then(|p| str_field(p, "id")),
            post_text: post
                .and_then(|p| str_field(p, "content"))
                .map(|c| plain_text(&c)),
            parent_external_id: str_field(s, "in_reply_to_id"),
            author_ref: Some(author),
            author_name: str_field(account, "display_name")
                .filter(|n| !n.is_empty())
                .or_else(|| str_field(account, "acct")),
            text: plain_text(&str_field(s, "content").unwrap_or_default()),
            created_at: str_field(s, "created_at")
                .and_then(|t| parse_time(&t))
                .unwrap_or(0),
        })
    }
}

impl Connector for MastodonConnector {
    fn platform(&self) -> Platform {
        Platform::Mastodon
    }

    fn deliver(&self, d: &Delivery) -> Result<Delivered, Failure> {
        let op = d.op()?;
        if let Support::No(why) = self.capabilities().support(op) {
            return Err(permanent(PermanentCode::Unsupported, why));
        }
        match op {
            Operation::Reply => {
                let comment = check_id(need(&d.comment_external_id, "comment id")?)?;
                let text = need(&d.text, "reply text")?;
                // Unlisted: the answer shows in the thread without filling
                // the followers' timelines.
                self.post_status(d, text, Some(comment), "unlisted")
            }
            Operation::Publish => {
                if !d.media.is_empty() {
                    return Err(permanent(
                        PermanentCode::NotAllowed,
                        "Mastodon pubblica immagini solo caricate come file: Piazza non carica ancora i file, pubblica il post a mano",
                    ));
                }
                let text = need(&d.text, "post text")?;
                let text = match &d.link {
                    Some(l) if !text.contains(l.as_str()) => format!("{text}\n\n{l}"),
                    _ => text.to_string(),
                };
                self.post_status(d, &text, None, "public")
            }
            // Keeping the author away: the account blocks them (their
            // replies no longer reach it). On the administration's own
            // instance its admins may do more; that is theirs to do.
            Operation::Ban | Operation::Unban => {
                let author = check_id(need(&d.author_ref, "author id")?)?;
                let action = if op == Operation::Ban {
                    "block"
                } else {
                    "unblock"
                };
                self.call(
                    true,
                    &format!("/api/v1/accounts/{author}/{action}"),
                    &[],
                    None,
                )?;
                // On the administration's own instance, with an
                // administrator's token, the instance limits the author too.
                if self.instance_admin {
                    if op == Operation::Ban {
                        let note: String = d
                            .text
                            .as_deref()
                            .unwrap_or("Allontanato secondo la social media policy dell'ente")
                            .chars()
                            .take(REPORT_CHARS)
                            .collect();
                        self.call(
                            true,
                            &format!("/api/v1/admin/accounts/{author}/action"),
                            &[
                                ("type", "silence"),
                                ("text", note.as_str()),
                                ("send_email_notification", "true"),
                            ],
                            None,
                        )?;
                    } else {
                        self.call(
                            true,
                            &format!("/api/v1/admin/accounts/{author}/unsilence"),
                            &[],
                            None,
                        )?;
                    }
                }
                Ok(Delivered::default())
            }
            Operation::Report => {
                let comment = check_id(need(&d.comment_external_id, "comment id")?)?;
                let author = check_id(need(&d.author_ref, "author id")?)?;
                let note: String = d
                    .text
                    .as_deref()
                    .unwrap_or("Segnalato dall'ente secondo la sua social media policy")
                    .chars()
                    .take(REPORT_CHARS)
                    .collect();
                let v = self.call(
                    true,
                    "/api/v1/reports",
                    &[
                        ("account_id", author),
                        ("status_ids[]", comment),
                        ("comment", note.as_str()),
                        // The author's own server moderates them.
                        ("forward", "true"),
                        ("category", "other"),
                    ],
                    None,
                )?;
                Ok(Delivered {
                    platform_ref: str_field(&v, "id"),
                    already: false,
                })
            }
            other => Err(permanent(
                PermanentCode::Unsupported,
                format!(
                    "operation `{}` is not available on Mastodon",
                    other.as_str()
                ),
            )),
        }
    }

    /// Mention notifications after the cursor (the last notification id
    /// read), oldest first; each reply is placed under the first status of
    /// its thread when that status is the account's own.
    fn fetch(&self, request: &FetchRequest) -> Result<FetchPage, Failure> {
        let limit = PAGE.to_string();
        let mut params = vec![("types[]", "mention"), ("limit", limit.as_str())];
        if let Some(c) = &request.cursor {
            params.push(("min_id", c.as_str()));
        }
        let v = self.call(false, "/api/v1/notifications", &params, None)?;
        let items = v.as_array().cloned().unwrap_or_default();
        let mut page = FetchPage {
            cursor: request.cursor.clone(),
            done: items.len() < PAGE,
            ..FetchPage::default()
        };
        let mut newest: Option<String> = request.cursor.clone();
        let mut ordered = items;
        // min_id pages come oldest first; without it the newest first.
        ordered.sort_by(|a, b| {
            let id = |x: &Value| str_field(x, "id").unwrap_or_default();
            (id(a).len(), id(a)).cmp(&(id(b).len(), id(b)))
        });
        for n in &ordered {
            let nid = str_field(n, "id").unwrap_or_default();
            if newest
                .as_ref()
                .is_none_or(|c| (nid.len(), &nid) > (c.len(), c))
            {
                newest = Some(nid);
            }
            let Some(status) = n.get("status") else {
                continue;
            };
            if request.since.is_some_and(|s| {
                str_field(status, "created_at")
                    .and_then(|t| parse_time(&t))
                    .is_some_and(|t| t < s)
            }) {
                continue;
            }
            let sid = str_field(status, "id").unwrap_or_default();
            let context = self.call(
                false,
                &format!("/api/v1/statuses/{}/context", check_id(&sid)?),
                &[],
                None,
            )?;
            let root = context
                .get("ancestors")
                .and_then(Value::as_array)
                .and_then(|a| a.first())
                .filter(|r| {
                    r.get("account").and_then(|a| str_field(a, "id")).as_deref()
                        == Some(self.account_id.as_str())
                })
                .cloned();
            if let Some(r) = &root
                && let Some(id) = str_field(r, "id")
                && !page.posts.iter().any(|p| p.external_id == id)
            {
                page.posts.push(IncomingPost {
                    external_id: id,
                    text: str_field(r, "content").map(|c| plain_text(&c)),
                    url: str_field(r, "url"),
                    published_at: str_field(r, "created_at").and_then(|t| parse_time(&t)),
                });
            }
            if let Some(c) = self.comment_of(status, root.as_ref()) {
                page.events.push(IncomingEvent::Comment(c));
            }
        }
        page.cursor = newest;
        Ok(page)
    }

    fn post(&self, external_id: &str) -> Result<Option<IncomingPost>, Failure> {
        match self.call(
            false,
            &format!("/api/v1/statuses/{}", check_id(external_id)?),
            &[],
            None,
        ) {
            Ok(s) => Ok(Some(IncomingPost {
                external_id: external_id.to_string(),
                text: str_field(&s, "content").map(|c| plain_text(&c)),
                url: str_field(&s, "url"),
                published_at: str_field(&s, "created_at").and_then(|t| parse_time(&t)),
            })),
            Err(Failure::Permanent {
                code: PermanentCode::ObjectGone,
                ..
            }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// An ordinary account gets no webhooks: it is pulled.
    fn reads_by_pull(&self) -> bool {
        true
    }

    /// Mastodon does not tell a token's scopes through the API: the check
    /// confirms the token and the account, and says that a missing scope
    /// shows at the first operation that needs it.
    fn check(&self) -> Result<ConnectionCheck, Failure> {
        match self.call(false, "/api/v1/accounts/verify_credentials", &[], None) {
            Ok(v) => {
                let mut problems = Vec::new();
                if str_field(&v, "id").as_deref() != Some(self.account_id.as_str()) {
                    problems.push(format!(
                        "il token è dell'account {} e non dell'account {} collegato: ricollega l'account con il token giusto",
                        str_field(&v, "acct").unwrap_or_default(),
                        self.account_id
                    ));
                }
                Ok(ConnectionCheck {
                    valid: problems.is_empty(),
                    expires_at: None,
                    permissions: Vec::new(),
                    missing: Vec::new(),
                    account_name: str_field(&v, "display_name").or_else(|| str_field(&v, "acct")),
                    problems,
                    quota: None,
                })
            }
            Err(Failure::Permanent {
                code: PermanentCode::TokenInvalid,
                message,
            }) => Ok(ConnectionCheck {
                valid: false,
                problems: vec![message],
                ..ConnectionCheck::default()
            }),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_plain_text() {
        assert_eq!(
            plain_text(
                "<p><span class=\"h-card\"><a href=\"x\">@<span>comune</span></a></span> Quando riapre?</p><p>Grazie &amp; saluti</p>"
            ),
            "@comune Quando riapre?\n\nGrazie & saluti"
        );
        assert_eq!(plain_text("<p>a<br>b &lt;3</p>"), "a\nb <3");
    }

    #[test]
    fn times_and_ids_are_read_strictly() {
        assert_eq!(
            parse_time("2026-11-23T09:00:00.000Z"),
            Some(1_795_424_400_000)
        );
        assert_eq!(parse_time("ieri"), None);
        assert!(check_id("110000000000000001").is_ok());
        assert!(check_id("../admin").is_err());
        assert!(check_id("").is_err());
    }
}
