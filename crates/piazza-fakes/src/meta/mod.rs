//! A fake of Meta's Graph API (Facebook Pages and Instagram professional
//! accounts), for what Piazza's connector uses, and builders of signed
//! webhook deliveries.
//!
//! Each endpoint follows the official page it is named after (read through
//! the digest `shared/platforms/meta.md`):
//! - paths `/{version}/...`, `access_token` in the query or the form body,
//!   `appsecret_proof` (checked when the fake has an app secret), errors
//!   `{"error":{"message","type","code","error_subcode","fbtrace_id"}}`:
//!   <https://developers.facebook.com/docs/graph-api/guides/error-handling>,
//!   <https://developers.facebook.com/docs/graph-api/securing-requests>;
//! - paging with `paging.cursors.{before,after}` and `paging.next`:
//!   <https://developers.facebook.com/docs/graph-api/results>;
//! - `X-App-Usage`, `X-Business-Use-Case-Usage`:
//!   <https://developers.facebook.com/docs/graph-api/overview/rate-limiting>;
//! - `GET /{page-id}/posts`, `GET /{object-id}/comments` (`filter`,
//!   `order`, `fields`), `GET|POST|DELETE /{comment-id}` (`is_hidden`),
//!   `POST /{object-id}/comments`:
//!   <https://developers.facebook.com/docs/graph-api/reference/object/comments>,
//!   <https://developers.facebook.com/docs/graph-api/reference/comment>;
//! - `POST /{page-id}/messages` with a `comment_id` recipient (errors 10900,
//!   10903): <https://developers.facebook.com/docs/messenger-platform/discovery/private-replies>;
//! - `GET|POST|DELETE /{page-id}/blocked`:
//!   <https://developers.facebook.com/docs/graph-api/reference/page/blocked>
//!   (POST parameters unconfirmed: `user`, `uid`, `asid`, `psid`, as one id
//!   or a JSON list, are all accepted);
//! - `GET /{ig-user-id}/media`, `GET /{ig-media-id}/comments` (nested
//!   `replies{...}`), `GET|POST /{ig-comment-id}/replies`, `POST
//!   /{ig-comment-id}` (`hide`), `DELETE /{ig-comment-id}`:
//!   <https://developers.facebook.com/docs/instagram-api/reference/ig-comment>,
//!   <https://developers.facebook.com/docs/instagram-api/guides/comment-moderation>;
//! - publishing: `POST /{page-id}/feed` (`message`, `link`,
//!   `attached_media[i]`), `POST /{page-id}/photos` (`url`, `published`,
//!   `alt_text_custom`), with `pages_manage_posts`:
//!   <https://developers.facebook.com/docs/pages-api/posts>,
//!   <https://developers.facebook.com/docs/graph-api/reference/page/photos/>;
//!   `POST /{ig-user-id}/media` (`image_url`, `caption`, `alt_text`,
//!   `is_carousel_item`, `media_type=CAROUSEL` with `children`) and `POST
//!   /{ig-user-id}/media_publish` (`creation_id`), with
//!   `instagram_content_publish`:
//!   <https://developers.facebook.com/docs/instagram-platform/content-publishing>
//!   (the shared digest does not cover publishing; `alt_text_custom` and
//!   `alt_text` are taken from those pages and unconfirmed there);
//! - `GET /debug_token`: <https://developers.facebook.com/docs/graph-api/reference/debug_token>;
//! - `POST|GET /{page-id}/subscribed_apps`, `POST /me/subscribed_apps`:
//!   <https://developers.facebook.com/docs/graph-api/webhooks/getting-started>,
//!   <https://developers.facebook.com/docs/instagram-platform/webhooks>;
//! - webhook deliveries and `X-Hub-Signature-256`: see [`webhook`].
//!
//! Where Meta does not document an answer (hiding a comment that cannot be
//! hidden, the answer of `POST /blocked`), the fake answers in the shape of
//! the neighbouring documented errors, and says so at that place.
//!
//! ```
//! use piazza_fakes::meta::{FakeGraph, FB_PAGE_SCOPES};
//!
//! let fake = FakeGraph::start();
//! fake.add_page("100", "Comune di Esempio");
//! fake.add_token("page-token", "100", FB_PAGE_SCOPES);
//! let post = fake.add_post("100", "Lavori in via Roma");
//! let c = fake.add_comment(&post, "u1", "Giulia", "Quando finiscono?");
//! assert_eq!(fake.comment(&c).unwrap().text, "Quando finiscono?");
//! assert!(fake.url().starts_with("http://127.0.0.1:"));
//! ```

mod graph;
pub mod webhook;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

/// The version the fake serves unless told otherwise.
pub const DEFAULT_VERSION: &str = "v24.0";

/// Every scope a Facebook Page connection uses.
pub const FB_PAGE_SCOPES: &[&str] = &[
    "pages_show_list",
    "pages_read_engagement",
    "pages_read_user_content",
    "pages_manage_engagement",
    "pages_messaging",
    "pages_manage_posts",
    "pages_manage_metadata",
];

/// Every scope an Instagram connection with Facebook Login uses (a Page
/// token of the linked Page).
pub const IG_FACEBOOK_LOGIN_SCOPES: &[&str] = &[
    "instagram_basic",
    "instagram_manage_comments",
    "instagram_content_publish",
    "pages_show_list",
    "pages_read_engagement",
    "pages_messaging",
    "pages_manage_metadata",
];

/// Every scope an Instagram connection with Instagram Login uses.
pub const IG_LOGIN_SCOPES: &[&str] = &[
    "instagram_business_basic",
    "instagram_business_manage_comments",
    "instagram_business_content_publish",
];

/// A Facebook Page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakePage {
    pub id: String,
    pub name: String,
}

/// An Instagram professional account, with the Page it is linked to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeIgAccount {
    pub id: String,
    pub username: String,
    pub name: String,
    pub page_id: Option<String>,
}

/// An access token: whose it is, its scopes, when it expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeToken {
    /// The Page or Instagram account the token acts as.
    pub account: String,
    pub scopes: Vec<String>,
    /// Unix seconds; `None` never expires (Page tokens from long-lived
    /// user tokens).
    pub expires_at: Option<i64>,
    /// `false` once revoked.
    pub valid: bool,
}

/// A Page post or an Instagram media.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakePost {
    pub id: String,
    /// The Page or Instagram account that published it.
    pub account: String,
    pub text: Option<String>,
    /// Unix seconds.
    pub created_time: i64,
    pub permalink: String,
    /// The link a Page post carries (`link`).
    pub link: Option<String>,
    /// The images it shows, in order.
    pub media: Vec<FakeMedia>,
    /// Published through the API (`/feed`, `/media_publish`), not seeded
    /// by a test.
    pub by_api: bool,
}

/// An uploaded image: an unpublished Page photo or an Instagram media
/// container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeMedia {
    pub id: String,
    /// The account that uploaded it.
    pub account: String,
    pub url: String,
    pub alt_text: Option<String>,
    /// Instagram: the container's caption; carousels list their children.
    pub caption: Option<String>,
    pub children: Vec<String>,
    /// Instagram: published once; a container is not published twice.
    pub published: bool,
}

/// A comment or a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeComment {
    pub id: String,
    pub post_id: String,
    /// The comment this one answers.
    pub parent_id: Option<String>,
    pub author_id: String,
    /// The name (Facebook) or username (Instagram).
    pub author_name: String,
    pub text: String,
    /// Unix seconds.
    pub created_time: i64,
    pub hidden: bool,
    pub deleted: bool,
    /// Written by the Page / account itself through the API.
    pub by_account: bool,
}

/// A private reply sent through `POST /{page-id}/messages`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakePrivateReply {
    pub page_id: String,
    pub comment_id: String,
    pub text: String,
    pub message_id: String,
}

/// A message a Page sent in a conversation through the Send API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeSentMessage {
    pub page_id: String,
    /// The person's page-scoped id.
    pub recipient_id: String,
    pub messaging_type: String,
    pub text: String,
    pub message_id: String,
}

/// One request the fake received, without the token or the proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeCall {
    pub method: String,
    /// The path, version included (`/v24.0/123_456`).
    pub path: String,
    /// Query, form and top-level JSON parameters, less `access_token` and
    /// `appsecret_proof`; an `input_token` shows as `***`.
    pub params: BTreeMap<String, String>,
    pub had_token: bool,
    pub had_proof: bool,
}

/// A documented failure to answer the next calls with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FakeFailure {
    /// A Graph error with Meta's documented message, type and HTTP status
    /// for the code (1, 2, 4, 10, 17, 32, 100, 190, 200, 368, 613, 80001,
    /// 80002, 10900, 10903; others get a generic message).
    Graph { code: i64, subcode: Option<i64> },
    /// A rate-limit error whose `X-Business-Use-Case-Usage` announces the
    /// regain time (minutes).
    RateLimited { code: i64, regain_minutes: u32 },
    /// HTTP 500 with a body that is not Graph JSON.
    Http500,
    /// The connection closes before any answer.
    DropConnection,
}

impl FakeFailure {
    pub fn code(code: i64) -> FakeFailure {
        FakeFailure::Graph {
            code,
            subcode: None,
        }
    }

    pub fn with_subcode(code: i64, subcode: i64) -> FakeFailure {
        FakeFailure::Graph {
            code,
            subcode: Some(subcode),
        }
    }
}

/// What `debug_token` reports, for the check's tests.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum FakeDebugToken {
    /// The truth about the token.
    #[default]
    Truthful,
    /// `is_valid: false`, expired at this unix time.
    Expired { at: i64 },
    /// Valid, with these scopes instead of the token's.
    Scopes(Vec<String>),
    /// Valid, expiring at this unix time.
    ExpiresAt(i64),
}

/// The fake's whole state.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub version: String,
    pub base_url: String,
    pub app_secret: Option<String>,
    pub pages: BTreeMap<String, FakePage>,
    pub ig: BTreeMap<String, FakeIgAccount>,
    pub tokens: BTreeMap<String, FakeToken>,
    /// In insertion order.
    pub posts: Vec<FakePost>,
    /// Unpublished Page photos and Instagram containers.
    pub uploads: Vec<FakeMedia>,
    pub comments: Vec<FakeComment>,
    pub private_replies: Vec<FakePrivateReply>,
    /// Messages people wrote to a Page or an Instagram account in private:
    /// (account, sender's page-scoped id, message id, text, unix seconds).
    pub inbox: Vec<(String, String, String, String, i64)>,
    /// Messages the Page sent in conversations (not private replies).
    pub sent_messages: Vec<FakeSentMessage>,
    pub blocked: BTreeMap<String, BTreeSet<String>>,
    pub subscriptions: BTreeMap<String, BTreeSet<String>>,
    pub calls: Vec<FakeCall>,
    pub failures: VecDeque<FakeFailure>,
    pub usage_app: Option<String>,
    pub usage_business: Option<String>,
    pub debug_token: FakeDebugToken,
    pub next_id: u64,
}

impl State {
    pub fn next(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }
}

/// The fake Graph API server.
pub struct FakeGraph {
    url: String,
    state: Arc<Mutex<State>>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for FakeGraph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeGraph")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

async fn handle(
    axum::extract::State(state): axum::extract::State<Arc<Mutex<State>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let req = graph::Request {
        method: method.as_str().to_string(),
        path: uri.path().to_string(),
        query: uri.query().unwrap_or_default().to_string(),
        content_type: headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string(),
        body: body.to_vec(),
    };
    let outcome = {
        let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
        graph::handle(&mut st, &req)
    };
    match outcome {
        graph::Outcome::Answer {
            status,
            body,
            headers,
        } => {
            let mut res = (
                StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                body,
            )
                .into_response();
            for (k, v) in headers {
                if let (Ok(k), Ok(v)) = (
                    axum::http::HeaderName::try_from(k),
                    axum::http::HeaderValue::try_from(v),
                ) {
                    res.headers_mut().insert(k, v);
                }
            }
            res
        }
        // Unwinding out of the connection's task drops the socket before a
        // byte of the answer is written; `resume_unwind` skips the panic
        // hook, so nothing is printed.
        graph::Outcome::Drop => std::panic::resume_unwind(Box::new("fake: dropped connection")),
    }
}

impl FakeGraph {
    /// Starts the server on `127.0.0.1`, on a port the system picks.
    pub fn start() -> FakeGraph {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener
            .set_nonblocking(true)
            .expect("nonblocking listener");
        let addr: SocketAddr = listener.local_addr().expect("local address");
        let url = format!("http://{addr}");
        let state = Arc::new(Mutex::new(State {
            version: DEFAULT_VERSION.into(),
            base_url: url.clone(),
            ..State::default()
        }));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let app = Router::new().fallback(handle).with_state(state.clone());
        let thread = std::thread::Builder::new()
            .name("fake-graph".into())
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("fake runtime");
                rt.block_on(async move {
                    let listener =
                        tokio::net::TcpListener::from_std(listener).expect("tokio listener");
                    let server = axum::serve(listener, app);
                    tokio::select! {
                        _ = server => {}
                        _ = rx => {}
                    }
                });
            })
            .expect("fake thread");
        FakeGraph {
            url,
            state,
            shutdown: Some(tx),
            thread: Some(thread),
        }
    }

    /// The base URL, without version (for `MetaConfig.graph_url`).
    pub fn url(&self) -> String {
        self.url.clone()
    }

    fn st(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Serves another version prefix (calls with any other are refused).
    pub fn set_version(&self, version: &str) {
        self.st().version = version.into();
    }

    /// Requires `appsecret_proof` on every call, computed with this secret.
    pub fn set_app_secret(&self, secret: Option<&str>) {
        self.st().app_secret = secret.map(str::to_string);
    }

    pub fn add_page(&self, id: &str, name: &str) {
        self.st().pages.insert(
            id.into(),
            FakePage {
                id: id.into(),
                name: name.into(),
            },
        );
    }

    /// An Instagram professional account, linked to `page_id` when given.
    pub fn add_instagram(&self, id: &str, username: &str, page_id: Option<&str>) {
        self.st().ig.insert(
            id.into(),
            FakeIgAccount {
                id: id.into(),
                username: username.into(),
                name: format!("{username} (Instagram)"),
                page_id: page_id.map(str::to_string),
            },
        );
    }

    /// A token acting as `account` (a Page or an Instagram account), which
    /// never expires.
    pub fn add_token(&self, token: &str, account: &str, scopes: &[&str]) {
        self.st().tokens.insert(
            token.into(),
            FakeToken {
                account: account.into(),
                scopes: scopes.iter().map(|s| s.to_string()).collect(),
                expires_at: None,
                valid: true,
            },
        );
    }

    /// Sets when a token expires (unix seconds; in the past: expired).
    pub fn set_token_expiry(&self, token: &str, expires_at: Option<i64>) {
        if let Some(t) = self.st().tokens.get_mut(token) {
            t.expires_at = expires_at;
        }
    }

    /// Revokes a token (error 190/460 from then on).
    pub fn revoke_token(&self, token: &str) {
        if let Some(t) = self.st().tokens.get_mut(token) {
            t.valid = false;
        }
    }

    /// A post of a Page (`{page}_{n}`) or a media of an Instagram account,
    /// published now. Returns its id.
    pub fn add_post(&self, account: &str, text: &str) -> String {
        self.add_post_at(account, text, now())
    }

    /// A post published at `created_time` (unix seconds).
    pub fn add_post_at(&self, account: &str, text: &str, created_time: i64) -> String {
        let mut st = self.st();
        let n = st.next();
        let instagram = st.ig.contains_key(account);
        let id = if instagram {
            format!("1790{n:08}")
        } else {
            format!("{account}_{n}")
        };
        let permalink = if instagram {
            format!("https://www.instagram.com/p/FAKE{n}/")
        } else {
            format!("https://www.facebook.com/{account}/posts/{n}")
        };
        st.posts.push(FakePost {
            id: id.clone(),
            account: account.into(),
            text: Some(text.into()).filter(|t: &String| !t.is_empty()),
            created_time,
            permalink,
            link: None,
            media: Vec::new(),
            by_api: false,
        });
        id
    }

    /// The posts of an account, in the order they were added.
    pub fn posts(&self, account: &str) -> Vec<FakePost> {
        self.st()
            .posts
            .iter()
            .filter(|p| p.account == account)
            .cloned()
            .collect()
    }

    /// A citizen's comment under a post (or, given a comment id, a reply to
    /// it), written now. Returns its id.
    pub fn add_comment(&self, on: &str, author_id: &str, author_name: &str, text: &str) -> String {
        self.add_comment_at(on, author_id, author_name, text, now())
    }

    /// A comment written at `created_time` (unix seconds).
    pub fn add_comment_at(
        &self,
        on: &str,
        author_id: &str,
        author_name: &str,
        text: &str,
        created_time: i64,
    ) -> String {
        let mut st = self.st();
        graph::new_comment(
            &mut st,
            on,
            author_id,
            author_name,
            text,
            created_time,
            false,
        )
        .expect("add_comment: no such post or comment")
    }

    /// A comment as the fake holds it (deleted ones included).
    pub fn comment(&self, id: &str) -> Option<FakeComment> {
        self.st().comments.iter().find(|c| c.id == id).cloned()
    }

    /// The replies to a comment, oldest first (deleted ones included).
    pub fn replies_to(&self, id: &str) -> Vec<FakeComment> {
        self.st()
            .comments
            .iter()
            .filter(|c| c.parent_id.as_deref() == Some(id))
            .cloned()
            .collect()
    }

    pub fn private_replies(&self) -> Vec<FakePrivateReply> {
        self.st().private_replies.clone()
    }

    /// A person writes to the Page (or the Instagram account) in private;
    /// returns the message id. The Send API may answer within 24 hours.
    pub fn user_message(&self, account: &str, psid: &str, text: &str) -> String {
        let mut st = self.st();
        let n = st.next();
        let mid = format!("m_in{n}");
        let at = now();
        st.inbox
            .push((account.into(), psid.into(), mid.clone(), text.into(), at));
        mid
    }

    /// Moves a person's private messages `secs` into the past.
    pub fn age_user_messages(&self, psid: &str, secs: i64) {
        for m in self.st().inbox.iter_mut().filter(|m| m.1 == psid) {
            m.4 -= secs;
        }
    }

    /// What the Page sent in conversations.
    pub fn sent_messages(&self) -> Vec<FakeSentMessage> {
        self.st().sent_messages.clone()
    }

    /// The users a Page has blocked.
    pub fn blocked(&self, page: &str) -> Vec<String> {
        self.st()
            .blocked
            .get(page)
            .map(|b| b.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// The webhook fields an account (Page id, or Instagram id for `me`)
    /// subscribed to.
    pub fn subscriptions(&self, account: &str) -> Vec<String> {
        self.st()
            .subscriptions
            .get(account)
            .map(|b| b.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Every call received so far.
    pub fn calls(&self) -> Vec<FakeCall> {
        self.st().calls.clone()
    }

    pub fn clear_calls(&self) {
        self.st().calls.clear();
    }

    /// Answers the next `n` calls with `failure`.
    pub fn fail_next(&self, n: usize, failure: FakeFailure) {
        let mut st = self.st();
        for _ in 0..n {
            st.failures.push_back(failure.clone());
        }
    }

    /// Sends these raw `X-App-Usage` / `X-Business-Use-Case-Usage` values
    /// on every answer from now on (`None`: the fake's own low figures).
    pub fn set_usage(&self, app: Option<&str>, business: Option<&str>) {
        let mut st = self.st();
        st.usage_app = app.map(str::to_string);
        st.usage_business = business.map(str::to_string);
    }

    /// What `debug_token` reports.
    pub fn set_debug_token(&self, mode: FakeDebugToken) {
        self.st().debug_token = mode;
    }
}

impl Drop for FakeGraph {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
