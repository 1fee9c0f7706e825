//! An organisation's account on X, through the X API v2 (digest:
//! `shared/platforms/x.md`, from docs.x.com).
//!
//! What the API lets an account do with other people's replies: read the
//! conversations it started (recent search, the last 7 days: `to:` the
//! account), hide and show again the replies in them (`PUT
//! /2/tweets/:id/hidden`), answer them (`POST /2/tweets`, which X accepts
//! only when the author "summoned" the account: otherwise the step fails
//! and says why), and post. It cannot delete or block through Piazza: the
//! capability map says so.
//!
//! Credentials: OAuth 2.0 (Authorization Code with PKCE, done once by the
//! account's owner outside Piazza) gives a refresh token with
//! `offline.access`; X rotates it at every refresh, so the connector hands
//! the new one back ([`Connector::rotated_secret`]) for the desk to seal in
//! place of the old.
//!
//! Limits: each endpoint has a 15-minute window (`x-rate-limit-*`
//! headers): a call that would find it empty waits until the reset
//! without being sent. Reads are paid per post and capped per month: the
//! plan's monthly read budget is configured and counted here, and X's
//! `usage-capped` answer closes reading until the next month. Decisions
//! (hide, answer) spend no reads.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use piazza_taxonomy::Platform;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::allowance::{AllowanceLedger, MemoryLedger};
use crate::capability::{Operation, Support};
use crate::common::{b64, days_from_civil, need, network_kind, now_ms, parse_time, permanent};
use crate::connector::{
    ConnectionCheck, Connector, Delivered, Delivery, Failure, FetchPage, FetchRequest,
    MissingPermission, PermanentCode, QuotaKind, QuotaStatus,
};
use crate::incoming::{IncomingComment, IncomingEvent, IncomingPost};
use crate::secret::SecretString;

/// The API's base.
pub const DEFAULT_API_URL: &str = "https://api.x.com";

const TIMEOUT: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_BODY: u64 = 8 * 1024 * 1024;
/// What a fresh process reads when no start date is given.
const FIRST_WINDOW_MS: i64 = 86_400_000;

/// The credentials `piazza connect x` reads (JSON): the app's OAuth client
/// (`client_secret` only for a confidential client) and the account's
/// refresh token.
#[derive(Clone, Deserialize, serde::Serialize)]
pub struct XCredentials {
    pub client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    pub refresh_token: String,
}

impl std::fmt::Debug for XCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XCredentials")
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

impl XCredentials {
    pub fn parse(secret: &SecretString) -> Result<XCredentials, String> {
        let c: XCredentials = serde_json::from_str(secret.expose()).map_err(|_| {
            "le credenziali X devono essere un JSON con client_id, refresh_token e, per un client confidenziale, client_secret".to_string()
        })?;
        if c.client_id.trim().is_empty() || c.refresh_token.trim().is_empty() {
            return Err("nelle credenziali X mancano client_id o refresh_token".into());
        }
        Ok(c)
    }

    fn to_secret(&self) -> SecretString {
        SecretString::new(serde_json::to_string(self).unwrap_or_default())
    }
}

/// The posts the plan lets the app read in a month, shared by every X
/// connection of the deployment (the cap is the app's), and by every
/// instance when counted in the database ([`MonthlyReads::counted_in`]).
pub struct MonthlyReads {
    limit: Option<u64>,
    ledger: Arc<dyn AllowanceLedger>,
}

/// The reads' name in the ledger.
pub const ALLOWANCE: &str = "x_monthly_post_reads";

impl std::fmt::Debug for MonthlyReads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MonthlyReads")
            .field("limit", &self.limit)
            .finish_non_exhaustive()
    }
}

fn civil(days: i64) -> (i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + if m <= 2 { 1 } else { 0 }, m)
}

/// The UTC month of an instant, and when the next one starts (ms). X bills
/// by its own billing cycle; without knowing its day, the calendar month.
fn utc_month(ms: i64) -> (i64, i64) {
    let (y, m) = civil(ms.div_euclid(86_400_000));
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    (y * 12 + m, days_from_civil(ny, nm, 1) * 86_400_000)
}

impl MonthlyReads {
    /// `limit`: the plan's posts a month; `None` counts without a limit
    /// (X's own cap still answers). Counted in this process's memory.
    pub fn new(limit: Option<u64>) -> MonthlyReads {
        MonthlyReads {
            limit,
            ledger: Arc::new(MemoryLedger::default()),
        }
    }

    /// The same reads counted in `ledger` (the database, for several
    /// instances).
    pub fn counted_in(&self, ledger: Arc<dyn AllowanceLedger>) -> MonthlyReads {
        MonthlyReads {
            limit: self.limit,
            ledger,
        }
    }

    /// Reading is still allowed this month; else rate-limited until the
    /// next, or transient when the ledger cannot be read.
    pub fn open(&self, now: i64) -> Result<(), Failure> {
        let (month, next) = utc_month(now);
        let u = self
            .ledger
            .usage(ALLOWANCE, month)
            .map_err(|e| Failure::Transient {
                message: format!("impossibile contare le letture del mese su X: {e}"),
                retry_after: Some(Duration::from_secs(60)),
            })?;
        if u.exhausted || self.limit.is_some_and(|l| u.used >= l) {
            Err(Failure::RateLimited {
                message: "le letture del mese previste dal piano di accesso a X sono finite: si riprende il mese prossimo".into(),
                retry_after: Duration::from_millis((next - now).max(1000) as u64),
            })
        } else {
            Ok(())
        }
    }

    /// Counts posts read. Best effort: the posts are read already, and a
    /// count the ledger could not keep is made good by X's own cap.
    pub fn count(&self, posts: u64, now: i64) {
        let _ = self.ledger.spend(ALLOWANCE, utc_month(now).0, posts, None);
    }

    pub fn capped(&self, now: i64) {
        let _ = self.ledger.exhaust(ALLOWANCE, utc_month(now).0);
    }

    /// The month's reads; `None` without a limit or when the ledger cannot
    /// be read.
    pub fn status(&self, now: i64) -> Option<QuotaStatus> {
        let (month, next) = utc_month(now);
        let limit = self.limit?;
        let u = self.ledger.usage(ALLOWANCE, month).ok()?;
        Some(QuotaStatus {
            kind: QuotaKind::MonthlyPostReads,
            used: u.used,
            limit,
            reserve: 0,
            resets_at: next,
            exhausted: u.exhausted,
        })
    }
}

/// One account.
#[derive(Debug, Clone)]
pub struct XConnection {
    pub api_url: String,
    /// The account's numeric user id.
    pub user_id: String,
    /// Its handle, without `@` (the search's `to:`).
    pub username: String,
    pub credentials: XCredentials,
    pub reads: Arc<MonthlyReads>,
}

struct State {
    access: Option<(SecretString, Instant, Vec<String>)>,
    credentials: XCredentials,
    rotated: bool,
    /// endpoint → (remaining, reset in unix seconds)
    windows: std::collections::HashMap<&'static str, (u64, i64)>,
    /// The newest reply read by a completed pull (a search's `since_id`).
    newest: Option<String>,
    /// The pull in progress: the newest id it has seen.
    chain: Option<Option<String>>,
}

/// The connector.
pub struct XConnector {
    c: XConnection,
    agent: ureq::Agent,
    state: Mutex<State>,
    started: i64,
}

fn check_id(id: &str) -> Result<&str, Failure> {
    if !id.is_empty() && id.len() <= 25 && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(id)
    } else {
        Err(permanent(
            PermanentCode::Rejected,
            format!(
                "`{}` is not an X post id",
                id.chars().take(30).collect::<String>()
            ),
        ))
    }
}

/// Ids compare as numbers (snowflakes): longer is newer.
fn newer(a: &str, b: &str) -> bool {
    (a.len(), a) > (b.len(), b)
}

fn iso(ms: i64) -> String {
    let unix = ms.div_euclid(1000);
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let (y, m) = civil(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

enum Method<'a> {
    Get,
    Post(&'a Value),
    Put(&'a Value),
}

impl XConnector {
    pub fn new(c: XConnection) -> Result<XConnector, String> {
        if !(c.api_url.starts_with("https://") || c.api_url.starts_with("http://")) {
            return Err(format!("`{}` non è un indirizzo http(s)", c.api_url));
        }
        check_id(&c.user_id)
            .map_err(|_| format!("`{}` non è l'id numerico di un account X", c.user_id))?;
        let username = c.username.trim_start_matches('@').to_string();
        if username.is_empty()
            || !username
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            return Err(format!("`{}` non è un nome utente X", c.username));
        }
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(TIMEOUT))
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .max_redirects(0)
            .http_status_as_error(false)
            .user_agent("piazza")
            .build()
            .into();
        Ok(XConnector {
            state: Mutex::new(State {
                access: None,
                credentials: c.credentials.clone(),
                rotated: false,
                windows: Default::default(),
                newest: None,
                chain: None,
            }),
            c: XConnection {
                api_url: c.api_url.trim_end_matches('/').to_string(),
                username,
                ..c
            },
            agent,
            started: now_ms(),
        })
    }

    fn st(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A valid access token, refreshed (and the refresh token rotated)
    /// when needed.
    fn access_token(&self, force: bool) -> Result<(SecretString, Vec<String>), Failure> {
        let mut st = self.st();
        if !force
            && let Some((t, until, scopes)) = st.access.as_ref()
            && *until > Instant::now() + Duration::from_secs(60)
        {
            return Ok((t.clone(), scopes.clone()));
        }
        let cred = st.credentials.clone();
        let mut req = self
            .agent
            .post(&format!("{}/2/oauth2/token", self.c.api_url));
        if let Some(secret) = cred.client_secret.as_deref().filter(|s| !s.is_empty()) {
            req = req.header(
                "authorization",
                &format!(
                    "Basic {}",
                    b64(format!("{}:{secret}", cred.client_id).as_bytes())
                ),
            );
        }
        let mut res = req
            .send_form([
                ("grant_type", "refresh_token"),
                ("refresh_token", cred.refresh_token.as_str()),
                ("client_id", cred.client_id.as_str()),
            ])
            .map_err(|e| Failure::Transient {
                message: format!("X's token endpoint did not answer ({})", network_kind(&e)),
                retry_after: None,
            })?;
        let status = res.status().as_u16();
        let v: Value = res
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_vec()
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or(Value::Null);
        if status == 200
            && let Some(t) = v.get("access_token").and_then(Value::as_str)
        {
            let secs = v.get("expires_in").and_then(Value::as_u64).unwrap_or(7200);
            let scopes: Vec<String> = v
                .get("scope")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .split_whitespace()
                .map(str::to_string)
                .collect();
            if let Some(r) = v.get("refresh_token").and_then(Value::as_str)
                && r != cred.refresh_token
            {
                st.credentials.refresh_token = r.to_string();
                st.rotated = true;
            }
            st.access = Some((
                SecretString::new(t),
                Instant::now() + Duration::from_secs(secs),
                scopes.clone(),
            ));
            return Ok((SecretString::new(t), scopes));
        }
        Err(match status {
            500..=599 => Failure::Transient {
                message: format!("X's token endpoint: HTTP {status}"),
                retry_after: None,
            },
            _ => permanent(
                PermanentCode::TokenInvalid,
                format!(
                    "X non ha rinnovato il token ({}): il titolare dell'account deve autorizzare di nuovo Piazza (OAuth 2.0 con offline.access) e l'account va ricollegato",
                    v.get("error")
                        .and_then(Value::as_str)
                        .unwrap_or("HTTP error")
                ),
            ),
        })
    }

    fn call(
        &self,
        method: Method<'_>,
        path: &str,
        query: &[(&str, &str)],
        endpoint: &'static str,
    ) -> Result<Value, Failure> {
        let now_s = now_ms() / 1000;
        if let Some((remaining, reset)) = self.st().windows.get(endpoint).copied()
            && remaining == 0
            && reset > now_s
        {
            return Err(Failure::RateLimited {
                message: format!(
                    "limite di chiamate di X per {endpoint} esaurito nella finestra di 15 minuti"
                ),
                retry_after: Duration::from_secs((reset - now_s) as u64),
            });
        }
        let mut retried = false;
        loop {
            let (token, _) = self.access_token(retried)?;
            let url = format!("{}{path}", self.c.api_url);
            let auth = format!("Bearer {}", token.expose());
            let result = match &method {
                Method::Get => self
                    .agent
                    .get(&url)
                    .header("authorization", &auth)
                    .query_pairs(query.iter().copied())
                    .call(),
                Method::Post(b) => self
                    .agent
                    .post(&url)
                    .header("authorization", &auth)
                    .header("content-type", "application/json")
                    .send(b.to_string().as_bytes()),
                Method::Put(b) => self
                    .agent
                    .put(&url)
                    .header("authorization", &auth)
                    .header("content-type", "application/json")
                    .send(b.to_string().as_bytes()),
            };
            let mut res = result.map_err(|e| Failure::Transient {
                message: format!("X did not answer ({})", network_kind(&e)),
                retry_after: None,
            })?;
            let status = res.status().as_u16();
            let header = |n: &str| {
                res.headers()
                    .get(n)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse::<i64>().ok())
            };
            let (remaining, reset) = (
                header("x-rate-limit-remaining"),
                header("x-rate-limit-reset"),
            );
            if let (Some(r), Some(t)) = (remaining, reset) {
                self.st().windows.insert(endpoint, (r.max(0) as u64, t));
            }
            let v: Value = res
                .body_mut()
                .with_config()
                .limit(MAX_BODY)
                .read_to_vec()
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok())
                .unwrap_or(Value::Null);
            if (200..300).contains(&status) {
                return Ok(v);
            }
            if status == 401 && !retried {
                retried = true;
                continue;
            }
            return Err(self.failure(status, &v, reset));
        }
    }

    fn failure(&self, status: u16, v: &Value, reset: Option<i64>) -> Failure {
        let kind = v
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string();
        let detail = v
            .get("detail")
            .and_then(Value::as_str)
            .or_else(|| v.pointer("/errors/0/message").and_then(Value::as_str))
            .unwrap_or("no detail");
        let said = format!(
            "X {status} {kind}: {}",
            detail.chars().take(200).collect::<String>()
        );
        let now = now_ms();
        match (status, kind.as_str()) {
            (429, "usage-capped") => {
                self.c.reads.capped(now);
                let (_, next) = utc_month(now);
                Failure::RateLimited {
                    message: format!(
                        "{said}; il tetto mensile di letture del piano di accesso a X è raggiunto: la lettura riprende il mese prossimo"
                    ),
                    retry_after: Duration::from_millis((next - now).max(1000) as u64),
                }
            }
            (429, _) => Failure::RateLimited {
                message: said,
                retry_after: Duration::from_secs(
                    reset.map(|r| (r - now / 1000).clamp(1, 900)).unwrap_or(900) as u64,
                ),
            },
            (401, _) => permanent(
                PermanentCode::TokenInvalid,
                format!("{said}; il titolare dell'account deve autorizzare di nuovo Piazza"),
            ),
            (403, _) if detail.contains("mentioned") || detail.contains("engaged") => permanent(
                PermanentCode::NotAllowed,
                "X accetta risposte via API solo a chi ha menzionato l'account o citato un suo post: rispondi dall'app di X, a mano",
            ),
            (403, "disallowed-resource") => permanent(
                PermanentCode::NotAllowed,
                format!(
                    "{said}; X permette di nascondere solo le risposte alle conversazioni iniziate dall'account"
                ),
            ),
            (403, _) => permanent(
                PermanentCode::PermissionMissing,
                format!(
                    "{said}; servono gli scope tweet.read, users.read, tweet.write e tweet.moderate.write"
                ),
            ),
            (404, _) => permanent(PermanentCode::ObjectGone, said),
            (400..=499, _) => permanent(PermanentCode::Rejected, said),
            _ => Failure::Transient {
                message: said,
                retry_after: None,
            },
        }
    }

    /// A recent-search page; counts the posts it returned.
    fn search(&self, query: &[(&str, &str)]) -> Result<Value, Failure> {
        let now = now_ms();
        self.c.reads.open(now)?;
        let v = self.call(Method::Get, "/2/tweets/search/recent", query, "search")?;
        let n = v.get("data").and_then(Value::as_array).map_or(0, Vec::len);
        self.c.reads.count(n as u64, now);
        Ok(v)
    }

    fn lookup(&self, ids: &[String]) -> Result<Vec<Value>, Failure> {
        let mut out = Vec::new();
        for chunk in ids.chunks(100) {
            let joined = chunk.join(",");
            let v = self.call(
                Method::Get,
                "/2/tweets",
                &[
                    ("ids", &joined),
                    ("tweet.fields", "author_id,conversation_id,created_at"),
                ],
                "lookup",
            )?;
            let data = v
                .get("data")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            self.c.reads.count(data.len() as u64, now_ms());
            out.extend(data);
        }
        Ok(out)
    }

    fn post_of(v: &Value) -> Option<IncomingPost> {
        Some(IncomingPost {
            external_id: v.get("id")?.as_str()?.to_string(),
            text: v.get("text").and_then(Value::as_str).map(str::to_string),
            url: None,
            published_at: v
                .get("created_at")
                .and_then(Value::as_str)
                .and_then(parse_time),
        })
    }
}

impl Connector for XConnector {
    fn platform(&self) -> Platform {
        Platform::X
    }

    fn deliver(&self, d: &Delivery) -> Result<Delivered, Failure> {
        let op = d.op()?;
        if let Support::No(why) = self.capabilities().support(op) {
            return Err(permanent(PermanentCode::Unsupported, why));
        }
        match op {
            Operation::Hide | Operation::Unhide => {
                let id = check_id(need(&d.comment_external_id, "post id")?)?;
                let body = json!({"hidden": op == Operation::Hide});
                self.call(
                    Method::Put(&body),
                    &format!("/2/tweets/{id}/hidden"),
                    &[],
                    "hide",
                )?;
                Ok(Delivered::default())
            }
            Operation::Reply | Operation::Publish => {
                let text = need(&d.text, "text")?;
                let reply_to = match op {
                    Operation::Reply => Some(check_id(need(&d.comment_external_id, "post id")?)?),
                    _ => None,
                };
                if op == Operation::Publish && !d.media.is_empty() {
                    return Err(permanent(
                        PermanentCode::NotAllowed,
                        "X pubblica immagini solo caricate come file: Piazza non carica ancora i file, pubblica il post a mano",
                    ));
                }
                let text = match (&d.link, op) {
                    (Some(l), Operation::Publish) if !text.contains(l.as_str()) => {
                        format!("{text}\n\n{l}")
                    }
                    _ => text.to_string(),
                };
                // An attempt in doubt: look for the account's post with this
                // text in the conversation before writing again.
                if d.uncertain
                    && let Some(conv) = d.post_external_id.as_deref().filter(|_| reply_to.is_some())
                {
                    let q = format!(
                        "conversation_id:{} from:{}",
                        check_id(conv)?,
                        self.c.username
                    );
                    let v = self.search(&[("query", q.as_str()), ("max_results", "100")])?;
                    let found = v
                        .get("data")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .find(|p| {
                            p.get("text").and_then(Value::as_str) == Some(text.trim())
                                && p.get("id")
                                    .and_then(Value::as_str)
                                    .is_some_and(|i| !d.known_refs.iter().any(|k| k == i))
                        })
                        .and_then(|p| p.get("id").and_then(Value::as_str));
                    if let Some(id) = found {
                        return Ok(Delivered {
                            platform_ref: Some(id.to_string()),
                            already: true,
                        });
                    }
                }
                let mut body = json!({"text": text});
                if let Some(r) = reply_to {
                    body["reply"] = json!({"in_reply_to_tweet_id": r});
                }
                let v = self.call(Method::Post(&body), "/2/tweets", &[], "create")?;
                Ok(Delivered {
                    platform_ref: v
                        .pointer("/data/id")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    already: false,
                })
            }
            other => Err(permanent(
                PermanentCode::Unsupported,
                format!("operation `{}` is not available on X", other.as_str()),
            )),
        }
    }

    /// Replies to the account in the last week, newest first: only those
    /// in conversations the account started (the ones it can hide), each
    /// under its conversation's first post.
    fn fetch(&self, request: &FetchRequest) -> Result<FetchPage, Failure> {
        let query = format!("to:{} -is:retweet", self.c.username);
        let (since_id, start) = {
            let mut st = self.st();
            if request.cursor.is_none() || st.chain.is_none() {
                st.chain = Some(st.newest.clone());
            }
            let since = match (&request.since, &st.newest) {
                (Some(_), _) => None,
                (None, n) => n.clone(),
            };
            let start = match (request.since, &since) {
                (Some(s), _) => Some(s),
                (None, None) => Some(self.started - FIRST_WINDOW_MS),
                _ => None,
            };
            (since, start)
        };
        // Recent search covers seven days.
        let start = start.map(|s| iso(s.max(now_ms() - 7 * 86_400_000 + 60_000)));
        let mut q: Vec<(&str, &str)> = vec![
            ("query", query.as_str()),
            ("max_results", "100"),
            (
                "tweet.fields",
                "author_id,conversation_id,created_at,in_reply_to_user_id,referenced_tweets",
            ),
            ("expansions", "author_id"),
            ("user.fields", "username,name"),
        ];
        if let Some(s) = &since_id {
            q.push(("since_id", s));
        }
        if let Some(s) = &start {
            q.push(("start_time", s));
        }
        if let Some(c) = &request.cursor {
            q.push(("next_token", c));
        }
        let v = self.search(&q)?;
        let data = v
            .get("data")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let users = v
            .pointer("/includes/users")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let name_of = |id: &str| {
            users
                .iter()
                .find(|u| u.get("id").and_then(Value::as_str) == Some(id))
                .and_then(|u| u.get("username").and_then(Value::as_str))
                .map(|u| format!("@{u}"))
        };
        let mut roots: Vec<String> = data
            .iter()
            .filter_map(|p| p.get("conversation_id").and_then(Value::as_str))
            .map(str::to_string)
            .collect();
        roots.sort();
        roots.dedup();
        let root_posts: Vec<Value> = if roots.is_empty() {
            Vec::new()
        } else {
            self.lookup(&roots)?
        };
        let ours: Vec<&Value> = root_posts
            .iter()
            .filter(|p| p.get("author_id").and_then(Value::as_str) == Some(self.c.user_id.as_str()))
            .collect();
        let mut page = FetchPage::default();
        for r in &ours {
            if let Some(p) = Self::post_of(r) {
                page.posts.push(p);
            }
        }
        let mut newest: Option<String> = None;
        for p in data.iter().rev() {
            let Some(id) = p.get("id").and_then(Value::as_str) else {
                continue;
            };
            if newest.as_deref().is_none_or(|n| newer(id, n)) {
                newest = Some(id.to_string());
            }
            let author = p
                .get("author_id")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let conv = p
                .get("conversation_id")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if author == self.c.user_id {
                continue;
            }
            let Some(root) = ours
                .iter()
                .find(|r| r.get("id").and_then(Value::as_str) == Some(conv))
            else {
                continue;
            };
            let parent = p
                .get("referenced_tweets")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .find(|r| r.get("type").and_then(Value::as_str) == Some("replied_to"))
                .and_then(|r| r.get("id").and_then(Value::as_str))
                .filter(|r| *r != conv)
                .map(str::to_string);
            page.events.push(IncomingEvent::Comment(IncomingComment {
                external_id: id.to_string(),
                post_external_id: Some(conv.to_string()),
                post_text: root.get("text").and_then(Value::as_str).map(str::to_string),
                parent_external_id: parent,
                author_ref: Some(author.to_string()),
                author_name: name_of(author),
                text: p
                    .get("text")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                created_at: p
                    .get("created_at")
                    .and_then(Value::as_str)
                    .and_then(parse_time)
                    .unwrap_or(0),
            }));
        }
        page.cursor = v
            .pointer("/meta/next_token")
            .and_then(Value::as_str)
            .map(str::to_string);
        page.done = page.cursor.is_none();
        let mut st = self.st();
        if let (Some(n), Some(chain)) = (newest, st.chain.as_mut())
            && chain.as_deref().is_none_or(|c| newer(&n, c))
        {
            *chain = Some(n);
        }
        if page.done
            && let Some(Some(n)) = st.chain.take()
        {
            st.newest = Some(n);
        }
        Ok(page)
    }

    fn post(&self, external_id: &str) -> Result<Option<IncomingPost>, Failure> {
        Ok(self
            .lookup(&[check_id(external_id)?.to_string()])?
            .first()
            .and_then(Self::post_of))
    }

    fn check(&self) -> Result<ConnectionCheck, Failure> {
        let scopes = match self.access_token(true) {
            Ok((_, s)) => s,
            Err(Failure::Permanent { message, .. }) => {
                return Ok(ConnectionCheck {
                    valid: false,
                    problems: vec![message],
                    quota: self.quota(),
                    ..ConnectionCheck::default()
                });
            }
            Err(e) => return Err(e),
        };
        let mut check = ConnectionCheck {
            valid: true,
            permissions: scopes.clone(),
            quota: self.quota(),
            ..ConnectionCheck::default()
        };
        let has = |s: &str| scopes.iter().any(|x| x == s);
        for (scope, ops) in [
            (
                "tweet.moderate.write",
                vec![Operation::Hide, Operation::Unhide],
            ),
            ("tweet.write", vec![Operation::Reply, Operation::Publish]),
        ] {
            if !has(scope) {
                check.missing.push(MissingPermission {
                    permission: scope.into(),
                    needed_for: ops,
                });
            }
        }
        for scope in ["tweet.read", "users.read"] {
            if !has(scope) {
                check.problems.push(format!(
                    "manca lo scope {scope}: senza, Piazza non legge le risposte"
                ));
            }
        }
        if !has("offline.access") {
            check.problems.push(
                "manca lo scope offline.access: il token scade dopo due ore e non si rinnova"
                    .into(),
            );
        }
        if has("users.read") {
            let me = self.call(Method::Get, "/2/users/me", &[], "me")?;
            let id = me.pointer("/data/id").and_then(Value::as_str);
            check.account_name = me
                .pointer("/data/username")
                .and_then(Value::as_str)
                .map(|u| format!("@{u}"));
            if id != Some(self.c.user_id.as_str()) {
                check.problems.push(format!(
                    "l'autorizzazione è dell'account {} e non dell'account {} collegato",
                    id.unwrap_or("(nessuno)"),
                    self.c.user_id
                ));
            }
        }
        check.valid = check.problems.is_empty() && check.missing.is_empty();
        Ok(check)
    }

    fn reads_by_pull(&self) -> bool {
        true
    }

    fn quota(&self) -> Option<QuotaStatus> {
        self.c.reads.status(now_ms())
    }

    fn rotated_secret(&self) -> Option<SecretString> {
        let mut st = self.st();
        if st.rotated {
            st.rotated = false;
            Some(st.credentials.to_secret())
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_and_times_are_utc() {
        let t = parse_time("2026-12-31T23:59:59Z").unwrap();
        let (m, next) = utc_month(t);
        assert_eq!(next, parse_time("2027-01-01T00:00:00Z").unwrap());
        assert_ne!(utc_month(next).0, m);
        assert_eq!(iso(t), "2026-12-31T23:59:59Z");
        assert_eq!(b64(b"client:secret"), "Y2xpZW50OnNlY3JldA==");
        assert!(newer("1800000000000000010", "1800000000000000009"));
        assert!(newer("10", "9"));
    }

    #[test]
    fn the_monthly_read_budget_closes_and_reopens() {
        let r = MonthlyReads::new(Some(10));
        let t = parse_time("2026-12-05T10:00:00Z").unwrap();
        assert!(r.open(t).is_ok());
        r.count(10, t);
        assert!(r.open(t).is_err());
        let next = parse_time("2027-01-01T00:00:01Z").unwrap();
        assert!(r.open(next).is_ok());
        r.capped(next);
        assert!(r.open(next).is_err());
        assert!(MonthlyReads::new(None).status(t).is_none());
    }
}
