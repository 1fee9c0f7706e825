//! A YouTube channel's comments, through the YouTube Data API v3 (digest:
//! `shared/platforms/youtube.md`, from developers.google.com/youtube/v3).
//!
//! YouTube sends no push for comments: the channel is pulled
//! (`commentThreads.list` with `allThreadsRelatedToChannelId`, newest
//! first, page tokens as the cursor; replies a thread does not carry whole
//! are read with `comments.list`). The owner moderates with
//! `comments.setModerationStatus`: hiding holds a comment for review
//! (`heldForReview`, reversible with `published`), removing rejects it
//! (`rejected`, for good), a ban rejects the comment with `banAuthor`.
//! Answers are `comments.insert` under the thread's top-level comment.
//!
//! Credentials: an OAuth client of the administration's Google Cloud
//! project and a refresh token of the channel's owner with the
//! `youtube.force-ssl` scope; access tokens (about an hour) are obtained
//! and renewed here, and never leave the connector.
//!
//! Quota: the project has 10,000 units a day by default, reset at midnight
//! Pacific time; a list costs 1, a moderation or an answer 50. The
//! [`QuotaBudget`] is shared by every YouTube connection of the
//! deployment (the quota is the project's), and by every instance when it
//! is counted in the database ([`QuotaBudget::counted_in`]): pulls may spend only what
//! leaves the reserve for decisions, decisions may spend the rest, and
//! when nothing is left a decision fails as rate-limited until the reset,
//! so it waits in the outbox and goes out then. A `quotaExceeded` answer
//! (another program on the same project, or a count kept in memory and
//! lost with a restart) closes the budget until the reset too.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use piazza_taxonomy::Platform;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::allowance::{AllowanceLedger, MemoryLedger};
use crate::capability::{Operation, Support};
use crate::common::{days_from_civil, need, network_kind, now_ms, parse_time, permanent};
use crate::connector::{
    ConnectionCheck, Connector, Delivered, Delivery, Failure, FetchPage, FetchRequest,
    MissingPermission, PermanentCode, QuotaKind, QuotaStatus,
};
use crate::incoming::{IncomingComment, IncomingEvent, IncomingPost};
use crate::secret::SecretString;

/// The Data API's base.
pub const DEFAULT_API_URL: &str = "https://www.googleapis.com/youtube/v3";
/// Google's OAuth 2.0 token endpoint's base.
pub const DEFAULT_OAUTH_URL: &str = "https://oauth2.googleapis.com";
/// The scope every comment method needs.
pub const FORCE_SSL: &str = "https://www.googleapis.com/auth/youtube.force-ssl";
/// A project's default daily quota.
pub const DEFAULT_DAILY_QUOTA: u64 = 10_000;
/// What pulls leave for decisions by default: forty moderations or
/// answers.
pub const DEFAULT_RESERVE: u64 = 2_000;

const LIST: u64 = 1;
const WRITE: u64 = 50;
const TIMEOUT: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_BODY: u64 = 16 * 1024 * 1024;

/// The clock the budget counts days with (ms since the epoch).
pub type BudgetClock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// The day's budget of one Google Cloud project.
pub struct QuotaBudget {
    daily: u64,
    reserve: u64,
    ledger: Arc<dyn AllowanceLedger>,
    clock: BudgetClock,
}

/// The budget's name in the ledger.
pub const ALLOWANCE: &str = "youtube_daily_units";

impl std::fmt::Debug for QuotaBudget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QuotaBudget")
            .field("daily", &self.daily)
            .field("reserve", &self.reserve)
            .finish_non_exhaustive()
    }
}

fn year_of(days: i64) -> i64 {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    yoe + era * 400 + if m <= 2 { 1 } else { 0 }
}

/// The n-th Sunday of a month, as days since the epoch.
fn nth_sunday(y: i64, m: i64, n: i64) -> i64 {
    let first = days_from_civil(y, m, 1);
    // 1970-01-01 was a Thursday: (days + 4) mod 7 is 0 on Sundays.
    let wd = (first + 4).rem_euclid(7);
    first + (7 - wd) % 7 + 7 * (n - 1)
}

/// Pacific time's offset from UTC at an instant (seconds): daylight time
/// from the second Sunday of March at 2:00 (10:00 UTC) to the first Sunday
/// of November at 2:00 (9:00 UTC).
fn pacific_offset(unix: i64) -> i64 {
    let y = year_of(unix.div_euclid(86_400));
    let start = nth_sunday(y, 3, 2) * 86_400 + 10 * 3600;
    let end = nth_sunday(y, 11, 1) * 86_400 + 9 * 3600;
    if unix >= start && unix < end {
        -7 * 3600
    } else {
        -8 * 3600
    }
}

/// The Pacific day of an instant, and when the next one starts (ms).
fn pacific_day(ms: i64) -> (i64, i64) {
    let unix = ms.div_euclid(1000);
    let offset = pacific_offset(unix);
    let day = (unix + offset).div_euclid(86_400);
    // Daylight time changes at 2:00, never at midnight: the offset at the
    // next midnight is today's.
    (day, ((day + 1) * 86_400 - offset) * 1000)
}

impl QuotaBudget {
    /// A budget counted in this process's memory.
    pub fn new(daily: u64, reserve: u64) -> QuotaBudget {
        QuotaBudget::with_clock(daily, reserve, Arc::new(now_ms))
    }

    /// A budget that reads the time from `clock` (tests and simulations).
    pub fn with_clock(daily: u64, reserve: u64, clock: BudgetClock) -> QuotaBudget {
        QuotaBudget {
            daily,
            reserve: reserve.min(daily),
            ledger: Arc::new(MemoryLedger::default()),
            clock,
        }
    }

    /// The same budget counted in `ledger` (the database, for several
    /// instances).
    pub fn counted_in(&self, ledger: Arc<dyn AllowanceLedger>) -> QuotaBudget {
        QuotaBudget {
            daily: self.daily,
            reserve: self.reserve,
            ledger,
            clock: self.clock.clone(),
        }
    }

    /// The budget's time.
    pub fn now(&self) -> i64 {
        (self.clock)()
    }

    /// Spends `units` for a pull (`decision` false) or a decision; refused
    /// as rate-limited until the reset, or as transient when the ledger
    /// cannot be read (nothing is called without counting it).
    pub fn spend(&self, units: u64, decision: bool, now: i64) -> Result<(), Failure> {
        let limit = if decision {
            self.daily
        } else {
            self.daily - self.reserve
        };
        let (day, reset) = pacific_day(now);
        let unreadable = |e: String| Failure::Transient {
            message: format!("impossibile contare la quota di YouTube: {e}"),
            retry_after: Some(Duration::from_secs(60)),
        };
        if self
            .ledger
            .spend(ALLOWANCE, day, units, Some(limit))
            .map_err(unreadable)?
        {
            return Ok(());
        }
        let used = self.ledger.usage(ALLOWANCE, day).map_err(unreadable)?.used;
        Err(Failure::RateLimited {
            message: format!(
                "quota giornaliera di YouTube esaurita per {} ({used} di {} unità usate): si riprende dopo la mezzanotte del Pacifico",
                if decision {
                    "le decisioni"
                } else {
                    "le letture"
                },
                self.daily
            ),
            retry_after: Duration::from_millis((reset - now).max(1000) as u64),
        })
    }

    /// The platform answered `quotaExceeded`. Best effort: if the ledger
    /// cannot record it, the next call meets the same answer.
    pub fn exhaust(&self, now: i64) {
        let _ = self.ledger.exhaust(ALLOWANCE, pacific_day(now).0);
    }

    /// The day's use; `None` when the ledger cannot be read.
    pub fn status(&self, now: i64) -> Option<QuotaStatus> {
        let (day, resets_at) = pacific_day(now);
        let u = self.ledger.usage(ALLOWANCE, day).ok()?;
        Some(QuotaStatus {
            kind: QuotaKind::DailyUnits,
            used: u.used,
            limit: self.daily,
            reserve: self.reserve,
            resets_at,
            exhausted: u.exhausted,
        })
    }
}

/// What the connection's sealed secret holds: the OAuth client and the
/// owner's refresh token, as the JSON `piazza connect youtube` reads.
#[derive(Clone, Deserialize)]
pub struct YoutubeCredentials {
    pub client_id: String,
    pub client_secret: String,
    pub refresh_token: String,
}

impl std::fmt::Debug for YoutubeCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("YoutubeCredentials")
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

impl YoutubeCredentials {
    /// Reads the credentials JSON; the error never quotes the secret.
    pub fn parse(secret: &SecretString) -> Result<YoutubeCredentials, String> {
        let c: YoutubeCredentials = serde_json::from_str(secret.expose()).map_err(|_| {
            "le credenziali YouTube devono essere un JSON con client_id, client_secret e refresh_token".to_string()
        })?;
        if c.client_id.trim().is_empty()
            || c.client_secret.trim().is_empty()
            || c.refresh_token.trim().is_empty()
        {
            return Err(
                "nelle credenziali YouTube mancano client_id, client_secret o refresh_token".into(),
            );
        }
        Ok(c)
    }
}

/// One channel.
#[derive(Debug, Clone)]
pub struct YoutubeConnection {
    pub api_url: String,
    pub oauth_url: String,
    /// The channel's id (`UC…`).
    pub channel_id: String,
    pub credentials: YoutubeCredentials,
    pub budget: Arc<QuotaBudget>,
    /// The shortest time between two pulls of the newest comments: pulls
    /// more frequent than this read nothing and cost nothing.
    pub poll_every: Duration,
}

struct AccessToken {
    token: SecretString,
    until: Instant,
    scopes: Vec<String>,
}

/// The connector.
pub struct YoutubeConnector {
    c: YoutubeConnection,
    agent: ureq::Agent,
    access: Mutex<Option<AccessToken>>,
    last_poll: Mutex<Option<Instant>>,
    /// Comments older than this were read by an earlier pull of this
    /// process; a fresh process reads the last week (or `--since`).
    window: Mutex<Window>,
}

/// Where the newest-first reading stops.
struct Window {
    /// Threads older than this are known (ms).
    known_until: i64,
    /// The pull in progress: where it stops, and the newest comment seen.
    chain: Option<(i64, i64)>,
}

/// What a fresh process reads when no start date is given.
const FIRST_WINDOW_MS: i64 = 7 * 86_400_000;
/// Overlap with the previous pull, for comments YouTube shows late.
const OVERLAP_MS: i64 = 15 * 60_000;

/// Comment ids are `[A-Za-z0-9_-]` with a dot between a reply's parent
/// and itself.
fn check_id(id: &str) -> Result<&str, Failure> {
    if !id.is_empty()
        && id.len() <= 200
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b))
    {
        Ok(id)
    } else {
        Err(permanent(
            PermanentCode::Rejected,
            format!(
                "`{}` is not a YouTube comment id",
                id.chars().take(40).collect::<String>()
            ),
        ))
    }
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    cur.as_str()
}

enum Body<'a> {
    None,
    Json(&'a Value),
}

impl YoutubeConnector {
    pub fn new(c: YoutubeConnection) -> Result<YoutubeConnector, String> {
        for u in [&c.api_url, &c.oauth_url] {
            if !(u.starts_with("https://") || u.starts_with("http://")) {
                return Err(format!("`{u}` non è un indirizzo http(s)"));
            }
        }
        if !c.channel_id.starts_with("UC")
            || !c
                .channel_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err(format!(
                "`{}` non è l'id di un canale YouTube (comincia con UC)",
                c.channel_id
            ));
        }
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(TIMEOUT))
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .max_redirects(0)
            .http_status_as_error(false)
            .user_agent("piazza")
            .build()
            .into();
        Ok(YoutubeConnector {
            c: YoutubeConnection {
                api_url: c.api_url.trim_end_matches('/').to_string(),
                oauth_url: c.oauth_url.trim_end_matches('/').to_string(),
                ..c
            },
            agent,
            access: Mutex::new(None),
            last_poll: Mutex::new(None),
            window: Mutex::new(Window {
                known_until: now_ms() - FIRST_WINDOW_MS,
                chain: None,
            }),
        })
    }

    /// A fresh access token, renewed with the refresh token when it is
    /// missing or about to expire.
    fn access_token(&self, force: bool) -> Result<(SecretString, Vec<String>), Failure> {
        let mut access = self.access.lock().unwrap_or_else(|e| e.into_inner());
        if !force
            && let Some(a) = access.as_ref()
            && a.until > Instant::now() + Duration::from_secs(60)
        {
            return Ok((a.token.clone(), a.scopes.clone()));
        }
        let cred = &self.c.credentials;
        let mut res = self
            .agent
            .post(&format!("{}/token", self.c.oauth_url))
            .send_form([
                ("client_id", cred.client_id.as_str()),
                ("client_secret", cred.client_secret.as_str()),
                ("refresh_token", cred.refresh_token.as_str()),
                ("grant_type", "refresh_token"),
            ])
            .map_err(|e| Failure::Transient {
                message: format!(
                    "Google's token endpoint did not answer ({})",
                    network_kind(&e)
                ),
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
            let secs = v.get("expires_in").and_then(Value::as_u64).unwrap_or(3600);
            let scopes: Vec<String> = v
                .get("scope")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .split_whitespace()
                .map(str::to_string)
                .collect();
            *access = Some(AccessToken {
                token: SecretString::new(t),
                until: Instant::now() + Duration::from_secs(secs),
                scopes: scopes.clone(),
            });
            return Ok((SecretString::new(t), scopes));
        }
        let error = v.get("error").and_then(Value::as_str).unwrap_or_default();
        Err(match (status, error) {
            (_, "invalid_grant") => permanent(
                PermanentCode::TokenInvalid,
                "il refresh token di YouTube è scaduto o revocato (se l'app OAuth è in modalità «Testing» scade dopo 7 giorni): il proprietario del canale deve autorizzare di nuovo Piazza e l'account va ricollegato",
            ),
            (_, "invalid_client" | "unauthorized_client") => permanent(
                PermanentCode::TokenInvalid,
                "client_id o client_secret dell'app OAuth non validi: ricollega l'account con le credenziali giuste",
            ),
            (500..=599, _) => Failure::Transient {
                message: format!("Google's token endpoint: HTTP {status}"),
                retry_after: None,
            },
            _ => permanent(
                PermanentCode::TokenInvalid,
                format!("Google non ha rinnovato il token (HTTP {status} {error})"),
            ),
        })
    }

    /// One Data API call, its units spent from the budget first.
    fn call(
        &self,
        method: &str,
        path: &str,
        query: &[(&str, &str)],
        body: Body<'_>,
        units: u64,
        decision: bool,
    ) -> Result<Value, Failure> {
        self.c.budget.spend(units, decision, self.c.budget.now())?;
        let mut retried = false;
        loop {
            let (token, _) = self.access_token(retried)?;
            let url = format!("{}{path}", self.c.api_url);
            let auth = format!("Bearer {}", token.expose());
            let result = match (method, &body) {
                ("GET", _) => self
                    .agent
                    .get(&url)
                    .header("authorization", &auth)
                    .query_pairs(query.iter().copied())
                    .call(),
                (_, Body::Json(v)) => self
                    .agent
                    .post(&url)
                    .header("authorization", &auth)
                    .query_pairs(query.iter().copied())
                    .header("content-type", "application/json")
                    .send(v.to_string().as_bytes()),
                (_, Body::None) => self
                    .agent
                    .post(&url)
                    .header("authorization", &auth)
                    .query_pairs(query.iter().copied())
                    .send_empty(),
            };
            let mut res = result.map_err(|e| Failure::Transient {
                message: format!("YouTube did not answer ({})", network_kind(&e)),
                retry_after: None,
            })?;
            let status = res.status().as_u16();
            if status == 204 {
                return Ok(Value::Null);
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
                // The access token expired early or was revoked: one new
                // one, and the call again (it costs again).
                retried = true;
                self.c.budget.spend(units, decision, self.c.budget.now())?;
                continue;
            }
            return Err(self.failure(status, &v));
        }
    }

    fn failure(&self, status: u16, v: &Value) -> Failure {
        let reason = v
            .pointer("/error/errors/0/reason")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let said = format!(
            "YouTube {status} {reason}: {}",
            str_at(v, &["error", "message"])
                .unwrap_or("no message")
                .chars()
                .take(200)
                .collect::<String>()
        );
        match (status, reason.as_str()) {
            (403, "quotaExceeded" | "dailyLimitExceeded" | "rateLimitExceeded") => {
                let now = self.c.budget.now();
                self.c.budget.exhaust(now);
                let (_, reset) = pacific_day(now);
                Failure::RateLimited {
                    message: format!(
                        "{said}; la quota giornaliera del progetto è esaurita: si riprende dopo la mezzanotte del Pacifico"
                    ),
                    retry_after: Duration::from_millis((reset - now).max(1000) as u64),
                }
            }
            (401, _) => permanent(
                PermanentCode::TokenInvalid,
                format!("{said}; il proprietario del canale deve autorizzare di nuovo Piazza"),
            ),
            (403, "commentsDisabled") => permanent(PermanentCode::NotAllowed, said),
            (403, _) => permanent(
                PermanentCode::PermissionMissing,
                format!(
                    "{said}; serve l'autorizzazione youtube.force-ssl del proprietario del canale o del video"
                ),
            ),
            (404, _) => permanent(PermanentCode::ObjectGone, said),
            (400, "processingFailure") | (500..=599, _) => Failure::Transient {
                message: said,
                retry_after: None,
            },
            (400, "operationNotSupported") => permanent(PermanentCode::NotAllowed, said),
            _ => permanent(PermanentCode::Rejected, said),
        }
    }

    fn moderate(&self, id: &str, status: &str, ban: bool) -> Result<(), Failure> {
        let mut q = vec![("id", id), ("moderationStatus", status)];
        if ban {
            q.push(("banAuthor", "true"));
        }
        self.call(
            "POST",
            "/comments/setModerationStatus",
            &q,
            Body::None,
            WRITE,
            true,
        )?;
        Ok(())
    }

    fn comment_of(&self, c: &Value, video: &str, top: Option<&str>) -> Option<IncomingComment> {
        let s = c.get("snippet")?;
        let author = str_at(s, &["authorChannelId", "value"])?;
        if author == self.c.channel_id {
            return None;
        }
        Some(IncomingComment {
            external_id: c.get("id")?.as_str()?.to_string(),
            post_external_id: Some(video.to_string()),
            post_text: None,
            parent_external_id: top.map(str::to_string),
            author_ref: Some(author.to_string()),
            author_name: str_at(s, &["authorDisplayName"]).map(str::to_string),
            text: str_at(s, &["textDisplay"])
                .or_else(|| str_at(s, &["textOriginal"]))?
                .to_string(),
            created_at: str_at(s, &["publishedAt"])
                .and_then(parse_time)
                .unwrap_or(0),
        })
    }

    fn videos(&self, ids: &[String], decision: bool) -> Result<Vec<IncomingPost>, Failure> {
        let mut out = Vec::new();
        for chunk in ids.chunks(50) {
            let joined = chunk.join(",");
            let v = self.call(
                "GET",
                "/videos",
                &[("part", "snippet"), ("id", &joined)],
                Body::None,
                LIST,
                decision,
            )?;
            for item in v
                .get("items")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let Some(id) = item.get("id").and_then(Value::as_str) else {
                    continue;
                };
                let title = str_at(item, &["snippet", "title"]).unwrap_or_default();
                let description = str_at(item, &["snippet", "description"]).unwrap_or_default();
                let text = if description.is_empty() {
                    title.to_string()
                } else {
                    format!("{title}\n\n{description}")
                };
                out.push(IncomingPost {
                    external_id: id.to_string(),
                    text: Some(text).filter(|t| !t.is_empty()),
                    url: Some(format!("https://www.youtube.com/watch?v={id}")),
                    published_at: str_at(item, &["snippet", "publishedAt"]).and_then(parse_time),
                });
            }
        }
        Ok(out)
    }

    /// The project's quota as the ledger counted it.
    pub fn quota_status(&self) -> Option<QuotaStatus> {
        self.c.budget.status(self.c.budget.now())
    }
}

impl Connector for YoutubeConnector {
    fn platform(&self) -> Platform {
        Platform::Youtube
    }

    fn deliver(&self, d: &Delivery) -> Result<Delivered, Failure> {
        let op = d.op()?;
        if let Support::No(why) = self.capabilities().support(op) {
            return Err(permanent(PermanentCode::Unsupported, why));
        }
        let id = check_id(need(&d.comment_external_id, "comment id")?)?;
        let done = Delivered::default();
        match op {
            Operation::Hide => self.moderate(id, "heldForReview", false).map(|_| done),
            Operation::Unhide => self.moderate(id, "published", false).map(|_| done),
            Operation::Delete | Operation::Ban => {
                match self.moderate(id, "rejected", op == Operation::Ban) {
                    Ok(()) => Ok(done),
                    // Already gone (its author deleted it): what was asked.
                    Err(Failure::Permanent {
                        code: PermanentCode::ObjectGone,
                        ..
                    }) if op == Operation::Delete => Ok(Delivered {
                        platform_ref: None,
                        already: true,
                    }),
                    Err(e) => Err(e),
                }
            }
            Operation::Reply => {
                let text = need(&d.text, "reply text")?;
                // Replies are one level deep: under the thread's top-level
                // comment.
                let top = id.split('.').next().unwrap_or(id);
                if d.uncertain {
                    let v = self.call(
                        "GET",
                        "/comments",
                        &[
                            ("part", "snippet"),
                            ("parentId", top),
                            ("maxResults", "100"),
                            ("textFormat", "plainText"),
                        ],
                        Body::None,
                        LIST,
                        true,
                    )?;
                    let found = v
                        .get("items")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .find(|c| {
                            str_at(c, &["snippet", "authorChannelId", "value"])
                                == Some(self.c.channel_id.as_str())
                                && (str_at(c, &["snippet", "textOriginal"]) == Some(text.trim())
                                    || str_at(c, &["snippet", "textDisplay"]) == Some(text.trim()))
                                && c.get("id")
                                    .and_then(Value::as_str)
                                    .is_some_and(|i| !d.known_refs.iter().any(|k| k == i))
                        })
                        .and_then(|c| c.get("id").and_then(Value::as_str));
                    if let Some(found) = found {
                        return Ok(Delivered {
                            platform_ref: Some(found.to_string()),
                            already: true,
                        });
                    }
                }
                let body = json!({"snippet": {"parentId": top, "textOriginal": text}});
                let v = self.call(
                    "POST",
                    "/comments",
                    &[("part", "snippet")],
                    Body::Json(&body),
                    WRITE,
                    true,
                )?;
                Ok(Delivered {
                    platform_ref: v.get("id").and_then(Value::as_str).map(str::to_string),
                    already: false,
                })
            }
            other => Err(permanent(
                PermanentCode::Unsupported,
                format!("operation `{}` is not available on YouTube", other.as_str()),
            )),
        }
    }

    /// A page of the channel's comment threads, newest first; a pull of
    /// the newest page sooner than `poll_every` after the last reads
    /// nothing and spends nothing.
    fn fetch(&self, request: &FetchRequest) -> Result<FetchPage, Failure> {
        if request.cursor.is_none() {
            let mut last = self.last_poll.lock().unwrap_or_else(|e| e.into_inner());
            if last.is_some_and(|t| t.elapsed() < self.c.poll_every) {
                return Ok(FetchPage {
                    done: true,
                    ..FetchPage::default()
                });
            }
            *last = Some(Instant::now());
        }
        // Newest first: the pull stops at what an earlier pull read.
        let stop_at = {
            let mut w = self.window.lock().unwrap_or_else(|e| e.into_inner());
            match (request.cursor.as_ref(), w.chain) {
                (Some(_), Some((stop, _))) => request.since.unwrap_or(stop),
                _ => {
                    let stop = request.since.unwrap_or(w.known_until);
                    w.chain = Some((stop, stop));
                    stop
                }
            }
        };
        let mut q = vec![
            ("part", "snippet,replies"),
            ("allThreadsRelatedToChannelId", self.c.channel_id.as_str()),
            ("maxResults", "100"),
            ("order", "time"),
            ("textFormat", "plainText"),
        ];
        if let Some(c) = &request.cursor {
            q.push(("pageToken", c.as_str()));
        }
        let v = self.call("GET", "/commentThreads", &q, Body::None, LIST, false)?;
        let mut page = FetchPage::default();
        let mut videos: Vec<String> = Vec::new();
        let mut older_than_since = false;
        for t in v
            .get("items")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(s) = t.get("snippet") else { continue };
            let Some(video) = s.get("videoId").and_then(Value::as_str) else {
                continue;
            };
            let Some(top) = s.get("topLevelComment") else {
                continue;
            };
            let top_id = top.get("id").and_then(Value::as_str).unwrap_or_default();
            let published = str_at(top, &["snippet", "publishedAt"]).and_then(parse_time);
            if published.is_some_and(|p| p < stop_at) {
                older_than_since = true;
                continue;
            }
            if let Some(p) = published {
                let mut w = self.window.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(chain) = w.chain.as_mut() {
                    chain.1 = chain.1.max(p);
                }
            }
            if !videos.iter().any(|v| v == video) {
                videos.push(video.to_string());
            }
            if let Some(c) = self.comment_of(top, video, None) {
                page.events.push(IncomingEvent::Comment(c));
            }
            let included: Vec<&Value> = t
                .pointer("/replies/comments")
                .and_then(Value::as_array)
                .map(|a| a.iter().collect())
                .unwrap_or_default();
            let total = s
                .get("totalReplyCount")
                .and_then(Value::as_u64)
                .unwrap_or(0);
            let replies: Vec<Value> = if total as usize > included.len() {
                let r = self.call(
                    "GET",
                    "/comments",
                    &[
                        ("part", "snippet"),
                        ("parentId", top_id),
                        ("maxResults", "100"),
                        ("textFormat", "plainText"),
                    ],
                    Body::None,
                    LIST,
                    false,
                )?;
                r.get("items")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default()
            } else {
                included.into_iter().cloned().collect()
            };
            for r in &replies {
                if let Some(c) = self.comment_of(r, video, Some(top_id)) {
                    page.events.push(IncomingEvent::Comment(c));
                }
            }
        }
        if !videos.is_empty() {
            page.posts = self.videos(&videos, false)?;
            // The video's title and description: the context of each
            // comment under it.
            for e in &mut page.events {
                if let IncomingEvent::Comment(c) = e {
                    c.post_text = page
                        .posts
                        .iter()
                        .find(|p| Some(&p.external_id) == c.post_external_id.as_ref())
                        .and_then(|p| p.text.clone());
                }
            }
        }
        // Oldest first, as the pipeline expects a thread's order.
        page.events.reverse();
        page.cursor = v
            .get("nextPageToken")
            .and_then(Value::as_str)
            .map(str::to_string);
        page.done = page.cursor.is_none() || older_than_since;
        if page.done {
            let mut w = self.window.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((_, newest)) = w.chain.take() {
                w.known_until = w.known_until.max(newest - OVERLAP_MS);
            }
        }
        Ok(page)
    }

    fn post(&self, external_id: &str) -> Result<Option<IncomingPost>, Failure> {
        Ok(self
            .videos(&[external_id.to_string()], false)?
            .into_iter()
            .next())
    }

    fn check(&self) -> Result<ConnectionCheck, Failure> {
        let scopes = match self.access_token(true) {
            Ok((_, s)) => s,
            Err(Failure::Permanent { message, .. }) => {
                return Ok(ConnectionCheck {
                    valid: false,
                    problems: vec![message],
                    quota: self.quota_status(),
                    ..ConnectionCheck::default()
                });
            }
            Err(e) => return Err(e),
        };
        let mut check = ConnectionCheck {
            valid: true,
            permissions: scopes.clone(),
            ..ConnectionCheck::default()
        };
        if !scopes.iter().any(|s| s == FORCE_SSL) {
            check.missing.push(MissingPermission {
                permission: FORCE_SSL.into(),
                needed_for: vec![
                    Operation::Hide,
                    Operation::Unhide,
                    Operation::Delete,
                    Operation::Reply,
                    Operation::Ban,
                ],
            });
        } else {
            let v = self.call(
                "GET",
                "/channels",
                &[("part", "id,snippet"), ("mine", "true")],
                Body::None,
                LIST,
                false,
            )?;
            let item = v.pointer("/items/0");
            let id = item.and_then(|i| i.get("id")).and_then(Value::as_str);
            check.account_name = item
                .and_then(|i| str_at(i, &["snippet", "title"]))
                .map(str::to_string);
            if id != Some(self.c.channel_id.as_str()) {
                check.problems.push(format!(
                    "l'autorizzazione è del canale {} e non del canale {} collegato: il proprietario del canale giusto deve autorizzare Piazza",
                    id.unwrap_or("(nessuno)"),
                    self.c.channel_id
                ));
            }
        }
        check.quota = self.quota_status();
        check.valid = check.problems.is_empty() && check.missing.is_empty();
        Ok(check)
    }

    fn reads_by_pull(&self) -> bool {
        true
    }

    fn quota(&self) -> Option<QuotaStatus> {
        self.quota_status()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quota_day_is_pacific_with_its_daylight_time() {
        // 2026-12-05 07:59 UTC is 23:59 on the 4th in California (PST).
        let before = parse_time("2026-12-05T07:59:00Z").unwrap();
        let after = parse_time("2026-12-05T08:00:00Z").unwrap();
        assert_ne!(pacific_day(before).0, pacific_day(after).0);
        assert_eq!(pacific_day(before).1, after);
        // In July (PDT) the day turns at 07:00 UTC.
        let july = parse_time("2026-07-01T06:30:00Z").unwrap();
        assert_eq!(
            pacific_day(july).1,
            parse_time("2026-07-01T07:00:00Z").unwrap()
        );
        // 2026: daylight time from 8 March to 1 November.
        assert_eq!(nth_sunday(2026, 3, 2), days_from_civil(2026, 3, 8));
        assert_eq!(nth_sunday(2026, 11, 1), days_from_civil(2026, 11, 1));
    }

    #[test]
    fn pulls_leave_the_reserve_to_decisions_and_the_day_resets() {
        let b = QuotaBudget::new(100, 60);
        let t = parse_time("2026-12-05T12:00:00Z").unwrap();
        assert!(b.spend(40, false, t).is_ok());
        // A pull may not eat into the reserve...
        let Err(Failure::RateLimited { retry_after, .. }) = b.spend(1, false, t) else {
            panic!("a pull into the reserve is rate-limited");
        };
        assert!(retry_after > Duration::from_secs(3600));
        // ...a decision may.
        assert!(b.spend(50, true, t).is_ok());
        assert!(b.spend(50, true, t).is_err());
        assert_eq!(b.status(t).unwrap().used, 90);
        b.exhaust(t);
        assert!(b.spend(1, true, t).is_err());
        let tomorrow = t + 86_400_000;
        assert!(b.spend(50, true, tomorrow).is_ok());
        assert_eq!(b.status(tomorrow).unwrap().used, 50);
        assert!(!b.status(tomorrow).unwrap().exhausted);
    }

    #[test]
    fn credentials_are_json_and_never_quoted_in_errors() {
        let ok = SecretString::new(
            r#"{"client_id":"c","client_secret":"s3cr3t","refresh_token":"1//r"}"#,
        );
        assert_eq!(YoutubeCredentials::parse(&ok).unwrap().client_id, "c");
        assert!(!format!("{:?}", YoutubeCredentials::parse(&ok).unwrap()).contains("s3cr3t"));
        let bad = SecretString::new("s3cr3t-non-json");
        let e = YoutubeCredentials::parse(&bad).unwrap_err();
        assert!(!e.contains("s3cr3t"));
        assert!(check_id("UgzAbC.UgzDeF").is_ok());
        assert!(check_id("../x").is_err());
    }
}
