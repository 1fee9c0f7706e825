//! Meta: Facebook Pages and Instagram professional accounts, through the
//! Graph API.
//!
//! - [`webhook`]: the subscription handshake, the `X-Hub-Signature-256`
//!   check and the parsing of `page` / `instagram` deliveries into events;
//! - [`MetaConnector`]: the [`Connector`] of one Page or one Instagram
//!   account: hide, unhide, delete, reply, private reply, ban and unban;
//!   paged pulls of posts and comments; the token check; the webhook
//!   subscription.
//!
//! Everything follows `shared/platforms/meta.md`, the digest of Meta's
//! documentation (sources there and in each module). What it marks
//! unconfirmed is read defensively: both documented shapes are accepted,
//! unknown errors are classified by their HTTP status.
//!
//! The base URL and the version are configuration ([`MetaConfig`]), so
//! tests run against `piazza_fakes::meta::FakeGraph`. With Instagram Login
//! tokens the base URL is `https://graph.instagram.com`; with Facebook
//! Login (Page tokens) it is [`DEFAULT_GRAPH_URL`] for both platforms.
//!
//! ```no_run
//! use piazza_platforms::meta::{MetaConfig, MetaConnection, MetaConnector};
//! use piazza_platforms::{Connector, Delivery, Operation, Platform, SecretString};
//!
//! let meta = MetaConnector::new(
//!     MetaConfig::default(),
//!     MetaConnection {
//!         platform: Platform::Facebook,
//!         account_id: "1234567890".into(),
//!         page_id: None,
//!         token: SecretString::new("EAAB..."),
//!     },
//! )
//! .unwrap();
//! let mut hide = Delivery::new(Operation::Hide, "outbox-17");
//! hide.comment_external_id = Some("111_222".into());
//! meta.deliver(&hide)?;
//! # Ok::<(), piazza_platforms::Failure>(())
//! ```

mod check;
mod error;
mod fetch;
mod http;
mod time;
pub mod usage;
pub mod webhook;

use piazza_taxonomy::Platform;
use serde_json::{Value, json};

use self::error::Context;
use self::fetch::{FetchState, Queued, str_field};
pub use self::http::appsecret_proof;
use self::http::{Body, Graph, Method, Refused};
pub use self::usage::Usage;
use crate::capability::{Operation, Support};
use crate::connector::{
    ConnectionCheck, Connector, Delivered, Delivery, Failure, FetchPage, FetchRequest,
    PermanentCode,
};
use crate::incoming::IncomingPost;
use crate::secret::SecretString;

/// The Graph API version every call uses: the one place to change it.
/// v24.0 (8 October 2025) is the newest Meta has confirmed; a version works
/// for at least two years after its successor ships.
pub const GRAPH_API_VERSION: &str = "v24.0";

/// Meta's Graph API host (Facebook Login tokens, for Pages and Instagram).
pub const DEFAULT_GRAPH_URL: &str = "https://graph.facebook.com";

/// Posts per posts-list page.
const POSTS_PAGE: usize = 25;
/// Comments per comments page (Instagram serves at most 50).
const COMMENTS_PAGE: usize = 50;
/// How many pages of replies a reconciliation reads before concluding that
/// the earlier attempt did not go through.
const RECONCILE_PAGES: usize = 20;

/// Where and how to reach the Graph API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetaConfig {
    /// Base URL without the version (`https://graph.facebook.com`).
    pub graph_url: String,
    /// Graph API version (`v24.0`).
    pub version: String,
    /// The app secret: when set, every call carries `appsecret_proof`
    /// (required when the app enables "Require App Secret").
    pub app_secret: Option<SecretString>,
}

impl Default for MetaConfig {
    fn default() -> MetaConfig {
        MetaConfig {
            graph_url: DEFAULT_GRAPH_URL.into(),
            version: GRAPH_API_VERSION.into(),
            app_secret: None,
        }
    }
}

impl MetaConfig {
    /// The default configuration against another base URL (a fake).
    pub fn with_url(graph_url: impl Into<String>) -> MetaConfig {
        MetaConfig {
            graph_url: graph_url.into(),
            ..MetaConfig::default()
        }
    }
}

/// One account of the administration on Meta.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetaConnection {
    /// [`Platform::Facebook`] or [`Platform::Instagram`].
    pub platform: Platform,
    /// The Page id (Facebook) or the Instagram professional account id.
    pub account_id: String,
    /// The Facebook Page linked to an Instagram account: needed for
    /// Instagram private replies (sent through the Page) and for webhook
    /// subscriptions with Facebook Login. Ignored for Facebook, where the
    /// account is the Page.
    pub page_id: Option<String>,
    /// A Page access token (Facebook Login) or an Instagram user token
    /// (Instagram Login).
    pub token: SecretString,
}

/// A connection that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetaConfigError {
    #[error("the Meta connector serves Facebook and Instagram, not {0:?}")]
    Platform(Platform),
    #[error("the Graph API URL must start with http:// or https://")]
    GraphUrl,
    #[error("the Meta account id is empty")]
    AccountId,
    #[error("the Meta access token is empty")]
    EmptyToken,
}

/// The connector of one Facebook Page or Instagram professional account.
#[derive(Debug)]
pub struct MetaConnector {
    platform: Platform,
    account_id: String,
    page_id: Option<String>,
    graph: Graph,
    posts_page: usize,
    comments_page: usize,
}

fn permanent(code: PermanentCode, message: impl Into<String>) -> Failure {
    Failure::Permanent {
        code,
        message: message.into(),
    }
}

fn need<'a>(v: &'a Option<String>, what: &str) -> Result<&'a str, Failure> {
    v.as_deref().filter(|s| !s.is_empty()).ok_or_else(|| {
        permanent(
            PermanentCode::Rejected,
            format!("the delivery has no {what}"),
        )
    })
}

/// `{"success": true}`, or any 2xx without `success: false` (some edges
/// answer with other shapes).
fn confirmed(v: &Value) -> Result<Delivered, Failure> {
    if v.get("success") == Some(&Value::Bool(false)) {
        return Err(Failure::Transient {
            message: "Meta answered success=false".into(),
            retry_after: None,
        });
    }
    Ok(Delivered::default())
}

impl MetaConnector {
    pub fn new(
        config: MetaConfig,
        connection: MetaConnection,
    ) -> Result<MetaConnector, MetaConfigError> {
        if !matches!(
            connection.platform,
            Platform::Facebook | Platform::Instagram
        ) {
            return Err(MetaConfigError::Platform(connection.platform));
        }
        let url = config.graph_url.trim();
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(MetaConfigError::GraphUrl);
        }
        if connection.account_id.trim().is_empty() {
            return Err(MetaConfigError::AccountId);
        }
        if connection.token.is_empty() {
            return Err(MetaConfigError::EmptyToken);
        }
        Ok(MetaConnector {
            platform: connection.platform,
            account_id: connection.account_id,
            page_id: connection.page_id.filter(|p| !p.is_empty()),
            graph: Graph::new(
                url,
                &config.version,
                connection.token,
                config.app_secret.as_ref(),
            ),
            posts_page: POSTS_PAGE,
            comments_page: COMMENTS_PAGE,
        })
    }

    /// Smaller pages (tests exercise paging with a handful of comments).
    pub fn with_page_sizes(mut self, posts: usize, comments: usize) -> MetaConnector {
        self.posts_page = posts.clamp(1, 100);
        self.comments_page = comments.clamp(1, 100);
        self
    }

    /// The last rate-limit figures Meta sent, and whether the connector is
    /// holding off because of them.
    pub fn usage(&self) -> Usage {
        self.graph.usage()
    }

    fn is_instagram(&self) -> bool {
        self.platform == Platform::Instagram
    }

    /// The Page that sends private replies and owns the blocked list.
    fn page(&self) -> Option<&str> {
        if self.is_instagram() {
            self.page_id.as_deref()
        } else {
            Some(self.page_id.as_deref().unwrap_or(&self.account_id))
        }
    }

    fn post_params(
        &self,
        path: &[&str],
        params: &[(&str, &str)],
        context: Context,
    ) -> Result<Value, Refused> {
        self.graph
            .call(Method::Post, path, Body::Params(params), context)
    }

    /// Subscribes the account to comment webhooks. Facebook:
    /// `POST /{page-id}/subscribed_apps subscribed_fields=feed`. Instagram
    /// with a linked Page (Facebook Login): the same call on the Page, which
    /// installs the app on it (the `comments` field itself is chosen in the
    /// app's webhook settings). Instagram without a Page (Instagram Login):
    /// `POST /me/subscribed_apps subscribed_fields=comments` on
    /// graph.instagram.com.
    pub fn subscribe_webhooks(&self) -> Result<(), Failure> {
        let (account, fields) = match self.page() {
            Some(page) => (page, "feed"),
            None => ("me", "comments"),
        };
        let v = self.post_params(
            &[account, "subscribed_apps"],
            &[("subscribed_fields", fields)],
            Context::Other,
        )?;
        confirmed(&v).map(|_| ())
    }

    fn hide(&self, comment: &str, hidden: bool) -> Result<Delivered, Failure> {
        let flag = if self.is_instagram() {
            "hide"
        } else {
            "is_hidden"
        };
        let value = if hidden { "true" } else { "false" };
        let v = self.post_params(&[comment], &[(flag, value)], Context::Hide)?;
        confirmed(&v)
    }

    fn delete(&self, comment: &str) -> Result<Delivered, Failure> {
        match self.graph.call(
            Method::Delete,
            &[comment],
            Body::Params(&[]),
            Context::Other,
        ) {
            Ok(v) => confirmed(&v),
            // Already gone: the asked state holds.
            Err(r) if r.is(100, Some(33)) => Ok(Delivered {
                platform_ref: None,
                already: true,
            }),
            Err(r) => Err(r.into()),
        }
    }

    /// The edge replies live on: `comments` on Facebook, `replies` on
    /// Instagram.
    fn replies_edge(&self) -> &'static str {
        if self.is_instagram() {
            "replies"
        } else {
            "comments"
        }
    }

    fn reply(&self, d: &Delivery) -> Result<Delivered, Failure> {
        let comment = need(&d.comment_external_id, "comment id")?;
        let text = need(&d.text, "reply text")?;
        // Facebook files a reply to a reply under the thread's first
        // comment: an earlier attempt may be there.
        let mut threads = vec![comment];
        threads.extend(d.parent_external_id.as_deref().filter(|p| *p != comment));
        if d.uncertain
            && let Some(id) = threads
                .into_iter()
                .find_map(|t| self.find_reply(t, text, &d.known_refs).transpose())
                .transpose()?
        {
            return Ok(Delivered {
                platform_ref: Some(id),
                already: true,
            });
        }
        let v = self.post_params(
            &[comment, self.replies_edge()],
            &[("message", text)],
            Context::Other,
        )?;
        Ok(Delivered {
            platform_ref: str_field(&v, "id"),
            already: false,
        })
    }

    /// A reply by the account under `comment` with exactly `text` that no
    /// other delivery has claimed: an earlier attempt that went through.
    fn find_reply(
        &self,
        comment: &str,
        text: &str,
        known: &[String],
    ) -> Result<Option<String>, Failure> {
        let fields = if self.is_instagram() {
            "id,text,from,username"
        } else {
            "id,message,from"
        };
        let limit = self.comments_page.to_string();
        let mut after: Option<String> = None;
        for _ in 0..RECONCILE_PAGES {
            let mut params = vec![("fields", fields), ("limit", limit.as_str())];
            if !self.is_instagram() {
                params.push(("filter", "stream"));
            }
            if let Some(a) = &after {
                params.push(("after", a));
            }
            let v = self.graph.get(&[comment, self.replies_edge()], &params)?;
            let (data, next) = fetch::list(&v);
            for r in data {
                let by_us = r
                    .get("from")
                    .and_then(|f| str_field(f, "id"))
                    .is_some_and(|id| id == self.account_id);
                let same = str_field(r, "message")
                    .or_else(|| str_field(r, "text"))
                    .is_some_and(|t| t.trim() == text.trim());
                if let Some(id) = str_field(r, "id")
                    && by_us
                    && same
                    && !known.contains(&id)
                {
                    return Ok(Some(id));
                }
            }
            match next {
                Some(n) => after = Some(n),
                None => break,
            }
        }
        Ok(None)
    }

    fn private_reply(&self, d: &Delivery) -> Result<Delivered, Failure> {
        let comment = need(&d.comment_external_id, "comment id")?;
        let text = need(&d.text, "private reply text")?;
        let page = self.page().ok_or_else(|| {
            permanent(
                PermanentCode::Unsupported,
                "Instagram private replies are sent through the linked Facebook Page: the connection has no page_id",
            )
        })?;
        let body = json!({"recipient": {"comment_id": comment}, "message": {"text": text}});
        match self.graph.call(
            Method::Post,
            &[page, "messages"],
            Body::Json(&body),
            Context::Other,
        ) {
            Ok(v) => Ok(Delivered {
                platform_ref: str_field(&v, "message_id"),
                already: false,
            }),
            // One private reply per comment: it was sent before.
            Err(r) if r.is(10_900, None) => Ok(Delivered {
                platform_ref: None,
                already: true,
            }),
            Err(r) => Err(r.into()),
        }
    }

    /// A message in a private conversation through the Send API: `POST
    /// /{page-id}/messages` to the person's page-scoped id, as a
    /// `RESPONSE` within the 24-hour standard messaging window (Instagram
    /// through its linked Page). Meta offers no way to look up an earlier
    /// attempt: one in doubt is left to a person.
    fn message(&self, d: &Delivery) -> Result<Delivered, Failure> {
        let psid = need(&d.comment_external_id, "conversation id")?;
        let text = need(&d.text, "message text")?;
        let page = self.page().ok_or_else(|| {
            permanent(
                PermanentCode::Unsupported,
                "Instagram messages are sent through the linked Facebook Page: the connection has no page_id",
            )
        })?;
        if d.uncertain {
            return Err(permanent(
                PermanentCode::Unverifiable,
                "un tentativo precedente di inviare il messaggio potrebbe essere arrivato e Meta non permette di verificarlo: controlla la conversazione nella casella della Pagina e ritenta solo se non c'è",
            ));
        }
        let body = json!({"recipient": {"id": psid}, "messaging_type": "RESPONSE", "message": {"text": text}});
        match self.graph.call(
            Method::Post,
            &[page, "messages"],
            Body::Json(&body),
            Context::Other,
        ) {
            Ok(v) => Ok(Delivered {
                platform_ref: str_field(&v, "message_id"),
                already: false,
            }),
            Err(r) if r.is(10, Some(2_018_278)) => Err(permanent(
                PermanentCode::NotAllowed,
                "sono passate più di 24 ore dall'ultimo messaggio del cittadino: Meta non consente più di rispondere da qui",
            )),
            Err(r) => Err(r.into()),
        }
    }

    /// `POST /{page-id}/blocked` with `user=<id>`. Meta lists `asid`,
    /// `psid`, `uid` and `user` as parameters without confirming their
    /// shape; `user` with the id the comment's `from` carries is the one
    /// that matches what the desk knows. The answer is a map of ids to
    /// booleans or `{"success":true}`: an explicit `false` for the user is a
    /// refusal, anything else a success.
    fn ban(&self, d: &Delivery, banned: bool) -> Result<Delivered, Failure> {
        let user = need(&d.author_ref, "author id")?;
        let page = self.page().unwrap_or(&self.account_id);
        let v = if banned {
            self.post_params(&[page, "blocked"], &[("user", user)], Context::Other)?
        } else {
            self.graph.call(
                Method::Delete,
                &[page, "blocked"],
                Body::Params(&[("user", user)]),
                Context::Other,
            )?
        };
        if v.get(user) == Some(&Value::Bool(false)) {
            return Err(permanent(
                PermanentCode::NotAllowed,
                format!(
                    "Meta did not {} the user",
                    if banned { "block" } else { "unblock" }
                ),
            ));
        }
        confirmed(&v)
    }

    /// Publishes the administration's post. Facebook: each image is
    /// uploaded unpublished (`POST /{page-id}/photos url published=false
    /// alt_text_custom`), then `POST /{page-id}/feed` with the message and
    /// `attached_media[i]={"media_fbid":...}`, or with `link` when there is
    /// no image (Facebook shows a link preview or photos, not both: with
    /// photos the link is written in the text). Instagram: a container per
    /// image (`POST /{ig-user-id}/media image_url caption alt_text`; a
    /// carousel for several), then `POST /{ig-user-id}/media_publish
    /// creation_id`; Instagram publishes nothing without an image.
    ///
    /// An uncertain attempt first looks among the account's latest posts
    /// for one with the same text that no other delivery claimed.
    fn publish(&self, d: &Delivery) -> Result<Delivered, Failure> {
        let text = need(&d.text, "post text")?;
        let message = match (&d.link, d.media.is_empty() && !self.is_instagram()) {
            (Some(link), false) if !text.contains(link.as_str()) => format!("{text}\n\n{link}"),
            _ => text.to_string(),
        };
        if d.uncertain
            && let Some(id) = self.find_post(&message, &d.known_refs)?
        {
            return Ok(Delivered {
                platform_ref: Some(id),
                already: true,
            });
        }
        if let Some(m) = d.media.iter().find(|m| !m.url.starts_with("https://")) {
            return Err(permanent(
                PermanentCode::Rejected,
                format!(
                    "Meta fetches images from a public https address; `{}` is not one",
                    m.url
                ),
            ));
        }
        let id = if self.is_instagram() {
            self.publish_instagram(&message, d)?
        } else {
            self.publish_facebook(&message, d)?
        };
        Ok(Delivered {
            platform_ref: Some(id),
            already: false,
        })
    }

    fn publish_facebook(&self, message: &str, d: &Delivery) -> Result<String, Failure> {
        let page = self.page().unwrap_or(&self.account_id).to_string();
        let mut attached = Vec::new();
        for m in &d.media {
            let v = self.post_params(
                &[&page, "photos"],
                &[
                    ("url", m.url.as_str()),
                    ("published", "false"),
                    ("alt_text_custom", m.alt_text.as_str()),
                ],
                Context::Other,
            )?;
            let photo = str_field(&v, "id").ok_or_else(|| Failure::Transient {
                message: "Meta answered an upload without the photo's id".into(),
                retry_after: None,
            })?;
            attached.push(json!({ "media_fbid": photo }).to_string());
        }
        let keys: Vec<String> = (0..attached.len())
            .map(|i| format!("attached_media[{i}]"))
            .collect();
        let mut params: Vec<(&str, &str)> = vec![("message", message)];
        match &d.link {
            Some(link) if attached.is_empty() => params.push(("link", link)),
            _ => {}
        }
        params.extend(
            keys.iter()
                .map(String::as_str)
                .zip(attached.iter().map(String::as_str)),
        );
        let v = self.post_params(&[&page, "feed"], &params, Context::Other)?;
        str_field(&v, "id").ok_or_else(|| Failure::Transient {
            message: "Meta answered a publication without the post's id".into(),
            retry_after: None,
        })
    }

    fn publish_instagram(&self, caption: &str, d: &Delivery) -> Result<String, Failure> {
        let account = self.account_id.as_str();
        let container = |params: &[(&str, &str)]| -> Result<String, Failure> {
            let v = self.post_params(&[account, "media"], params, Context::Other)?;
            str_field(&v, "id").ok_or_else(|| Failure::Transient {
                message: "Meta answered a media container without its id".into(),
                retry_after: None,
            })
        };
        let creation = match d.media.as_slice() {
            [] => {
                return Err(permanent(
                    PermanentCode::NotAllowed,
                    "Instagram publishes only posts with an image",
                ));
            }
            [one] => container(&[
                ("image_url", one.url.as_str()),
                ("caption", caption),
                ("alt_text", one.alt_text.as_str()),
            ])?,
            many => {
                let mut children = Vec::new();
                for m in many {
                    children.push(container(&[
                        ("image_url", m.url.as_str()),
                        ("is_carousel_item", "true"),
                        ("alt_text", m.alt_text.as_str()),
                    ])?);
                }
                let children = children.join(",");
                container(&[
                    ("media_type", "CAROUSEL"),
                    ("children", children.as_str()),
                    ("caption", caption),
                ])?
            }
        };
        let v = self.post_params(
            &[account, "media_publish"],
            &[("creation_id", creation.as_str())],
            Context::Other,
        )?;
        str_field(&v, "id").ok_or_else(|| Failure::Transient {
            message: "Meta answered a publication without the media's id".into(),
            retry_after: None,
        })
    }

    /// A post of the account with exactly `text` that no other delivery
    /// has claimed: an earlier attempt that went through.
    fn find_post(&self, text: &str, known: &[String]) -> Result<Option<String>, Failure> {
        let (edge, fields) = if self.is_instagram() {
            ("media", "id,caption")
        } else {
            ("posts", "id,message")
        };
        let account = if self.is_instagram() {
            self.account_id.as_str()
        } else {
            self.page().unwrap_or(&self.account_id)
        };
        let limit = self.posts_page.to_string();
        let mut after: Option<String> = None;
        for _ in 0..RECONCILE_PAGES {
            let mut params = vec![("fields", fields), ("limit", limit.as_str())];
            if let Some(a) = &after {
                params.push(("after", a));
            }
            let v = self.graph.get(&[account, edge], &params)?;
            let (data, next) = fetch::list(&v);
            for p in data {
                let same = str_field(p, "message")
                    .or_else(|| str_field(p, "caption"))
                    .is_some_and(|t| t.trim() == text.trim());
                if let Some(id) = str_field(p, "id")
                    && same
                    && !known.contains(&id)
                {
                    return Ok(Some(id));
                }
            }
            match next {
                Some(n) => after = Some(n),
                None => break,
            }
        }
        Ok(None)
    }

    /// One posts-list request: queues the posts since `since`.
    fn read_posts(&self, st: &mut FetchState, page: &mut FetchPage) -> Result<(), Failure> {
        let (edge, fields) = if self.is_instagram() {
            ("media", "id,caption,permalink,timestamp")
        } else {
            ("posts", "id,message,permalink_url,created_time")
        };
        let limit = self.posts_page.to_string();
        let since = st.since.map(|ms| ms.div_euclid(1000).to_string());
        let mut params = vec![("fields", fields), ("limit", limit.as_str())];
        if let Some(s) = &since {
            params.push(("since", s));
        }
        if let Some(a) = &st.posts_after {
            params.push(("after", a));
        }
        let v = self.graph.get(&[&self.account_id, edge], &params)?;
        let (data, after) = fetch::list(&v);
        for p in data.iter().filter_map(fetch::post) {
            // Lists are newest first: an older post ends the pass (Meta
            // honours `since` on Pages; this also covers Instagram).
            if let (Some(since), Some(at)) = (st.since, p.published_at)
                && at < since
            {
                st.posts_done = true;
                continue;
            }
            st.queue.push(Queued {
                id: p.external_id.clone(),
                text: p.text.clone(),
            });
            page.posts.push(p);
        }
        st.posts_done |= after.is_none();
        st.posts_after = if st.posts_done { None } else { after };
        Ok(())
    }

    /// One comments request for the current post.
    fn read_comments(&self, st: &mut FetchState, page: &mut FetchPage) -> Result<(), Failure> {
        let Some(post) = st.queue.first().cloned() else {
            return Ok(());
        };
        let limit = self.comments_page.to_string();
        let mut params: Vec<(&str, &str)> = if self.is_instagram() {
            vec![(
                "fields",
                "id,text,username,from{id,username},timestamp,hidden,parent_id,replies{id,text,username,from{id,username},timestamp,parent_id}",
            )]
        } else {
            vec![
                ("filter", "stream"),
                ("order", "chronological"),
                (
                    "fields",
                    "id,message,from{id,name},created_time,parent{id},is_hidden",
                ),
            ]
        };
        params.push(("limit", &limit));
        if let Some(a) = &st.comments_after {
            params.push(("after", a));
        }
        let v = match self.graph.get(&[&post.id, "comments"], &params) {
            Ok(v) => v,
            // The post was deleted since it was listed: nothing to read.
            Err(r) if r.is(100, Some(33)) => json!({"data": []}),
            Err(r) => return Err(r.into()),
        };
        let (data, after) = fetch::list(&v);
        page.events.extend(fetch::comments(data, &post));
        match after {
            Some(a) => st.comments_after = Some(a),
            None => {
                st.queue.remove(0);
                st.comments_after = None;
            }
        }
        Ok(())
    }

    fn account_name(&self) -> Result<Option<String>, Refused> {
        let fields = if self.is_instagram() {
            "username,name"
        } else {
            "name"
        };
        let v = self.graph.get(&[&self.account_id], &[("fields", fields)])?;
        Ok(str_field(&v, "name").or_else(|| str_field(&v, "username")))
    }
}

impl Connector for MetaConnector {
    fn platform(&self) -> Platform {
        self.platform
    }

    fn deliver(&self, d: &Delivery) -> Result<Delivered, Failure> {
        let op = d.op()?;
        if let Support::No(why) = self.capabilities().support(op) {
            return Err(permanent(PermanentCode::Unsupported, why));
        }
        match op {
            Operation::Hide | Operation::Unhide => self.hide(
                need(&d.comment_external_id, "comment id")?,
                op == Operation::Hide,
            ),
            Operation::Delete => self.delete(need(&d.comment_external_id, "comment id")?),
            Operation::Reply => self.reply(d),
            Operation::PrivateReply => self.private_reply(d),
            Operation::Ban | Operation::Unban => self.ban(d, op == Operation::Ban),
            Operation::Report => Err(permanent(
                PermanentCode::Unsupported,
                "Meta has no API to report a comment",
            )),
            Operation::Publish => self.publish(d),
            Operation::Message => self.message(d),
        }
    }

    fn fetch(&self, request: &FetchRequest) -> Result<FetchPage, Failure> {
        let mut st = match &request.cursor {
            Some(c) => FetchState::decode(c)?,
            None => FetchState::new(request.since),
        };
        let mut page = FetchPage::default();
        if st.queue.is_empty() && !st.posts_done {
            self.read_posts(&mut st, &mut page)?;
        }
        self.read_comments(&mut st, &mut page)?;
        page.done = st.done();
        page.cursor = (!page.done).then(|| st.encode());
        Ok(page)
    }

    fn post(&self, external_id: &str) -> Result<Option<IncomingPost>, Failure> {
        let fields = if self.is_instagram() {
            "id,caption,permalink,timestamp"
        } else {
            "id,message,permalink_url,created_time"
        };
        match self.graph.get(&[external_id], &[("fields", fields)]) {
            Ok(v) => Ok(fetch::post(&v)),
            Err(r) if r.is(100, Some(33)) => Ok(None),
            Err(r) => Err(r.into()),
        }
    }

    fn subscribe(&self) -> Result<bool, Failure> {
        self.subscribe_webhooks().map(|()| true)
    }

    fn check(&self) -> Result<ConnectionCheck, Failure> {
        let mut out = ConnectionCheck::default();
        let token = self.graph.token().expose().to_string();
        let v = match self.graph.get(&["debug_token"], &[("input_token", &token)]) {
            Ok(v) => v,
            Err(r) => match r.failure {
                Failure::Permanent {
                    code: PermanentCode::TokenInvalid,
                    message,
                } => {
                    out.problems
                        .push(check::invalid_problem(self.platform, &message));
                    return Ok(out);
                }
                f => return Err(f),
            },
        };
        let data = v.get("data").unwrap_or(&Value::Null);
        out.valid = data.get("is_valid").and_then(Value::as_bool) == Some(true);
        out.expires_at = data
            .get("expires_at")
            .and_then(Value::as_i64)
            .filter(|s| *s > 0)
            .and_then(time::unix_to_ms);
        out.permissions = data
            .get("scopes")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let now = time::now_ms();
        if !out.valid {
            match out.expires_at {
                Some(at) if at <= now => {
                    out.problems.push(check::expired_problem(self.platform, at))
                }
                _ => {
                    let why = data
                        .get("error")
                        .and_then(|e| e.get("message"))
                        .and_then(Value::as_str)
                        .unwrap_or("Meta lo segnala come non valido");
                    out.problems.push(check::invalid_problem(
                        self.platform,
                        &self.graph.scrub(why.to_string()),
                    ));
                }
            }
            return Ok(out);
        }
        if let Some(at) = out.expires_at
            && at - now < 7 * 86_400_000
        {
            out.problems
                .push(check::expiring_problem(self.platform, at));
        }
        for (m, without) in check::missing(self.platform, &out.permissions) {
            out.problems
                .push(check::missing_problem(&m.permission, without));
            out.missing.push(m);
        }
        if self.is_instagram() && self.page_id.is_none() {
            out.problems.push(
                "Nessuna pagina Facebook collegata all'account: la motivazione non potrà essere inviata in privato all'autore".into(),
            );
        }
        match self.account_name() {
            Ok(name) => out.account_name = name,
            Err(r) if r.failure.is_permanent() => out.problems.push(format!(
                "Non è stato possibile leggere il nome dell'account ({})",
                r.failure.message()
            )),
            Err(r) => return Err(r.into()),
        }
        Ok(out)
    }
}
