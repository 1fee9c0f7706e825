//! The desk's side of the platforms: connections (an account linked to its
//! platform through a connector, with its token sealed at rest), webhook
//! deliveries stored as received and processed after, and pulls that
//! resume where the last committed page ended. Everything that arrives goes
//! through the one ingest pipeline.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use piazza_platforms::{
    ConnectionCheck, Connector, FetchRequest, IncomingEvent, IncomingPost, Platform, RoutedEvent,
    SecretString,
};
use piazza_secrets::SecretKey;
use serde::Serialize;

use crate::audit_log::{AuditKind, AuditTarget, entry, record};
use crate::ids::{AccountId, AdminId};
use crate::ingest::{IngestOutcome, sha, upsert_post};
use crate::registry::{Actor, Role};
use crate::{Desk, DeskError, Result};

/// How an account reaches its platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectorKind {
    /// A Facebook Page through the Graph API.
    Facebook,
    /// An Instagram professional account through the Graph API.
    Instagram,
    /// An organisation's account on a Mastodon instance.
    Mastodon,
    /// A Telegram channel's discussion group, through the
    /// administration's bot.
    Telegram,
    /// A YouTube channel, through the Data API v3.
    Youtube,
    /// An account on X, through the API v2.
    X,
    /// An account's photos on Flickr.
    Flickr,
    /// An organisation page on LinkedIn.
    Linkedin,
    /// The demo's in-memory platform.
    Sandbox,
}

impl ConnectorKind {
    pub const ALL: [ConnectorKind; 9] = [
        ConnectorKind::Facebook,
        ConnectorKind::Instagram,
        ConnectorKind::Mastodon,
        ConnectorKind::Telegram,
        ConnectorKind::Youtube,
        ConnectorKind::X,
        ConnectorKind::Flickr,
        ConnectorKind::Linkedin,
        ConnectorKind::Sandbox,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            ConnectorKind::Facebook => "facebook",
            ConnectorKind::Instagram => "instagram",
            ConnectorKind::Mastodon => "mastodon",
            ConnectorKind::Telegram => "telegram",
            ConnectorKind::Youtube => "youtube",
            ConnectorKind::X => "x",
            ConnectorKind::Flickr => "flickr",
            ConnectorKind::Linkedin => "linkedin",
            ConnectorKind::Sandbox => "sandbox",
        }
    }

    /// Where a step was carried out, as the item page says it ("eseguito
    /// su Facebook").
    pub fn place_it(self, platform: &str) -> String {
        match self {
            ConnectorKind::Facebook => "Facebook".into(),
            ConnectorKind::Instagram => "Instagram".into(),
            ConnectorKind::Mastodon => "Mastodon".into(),
            ConnectorKind::Telegram => "Telegram".into(),
            ConnectorKind::Youtube => "YouTube".into(),
            ConnectorKind::X => "X".into(),
            ConnectorKind::Flickr => "Flickr".into(),
            ConnectorKind::Linkedin => "LinkedIn".into(),
            ConnectorKind::Sandbox => {
                let label = platform
                    .parse::<Platform>()
                    .map(|p| p.label_it().to_string())
                    .unwrap_or_else(|_| platform.to_string());
                format!("piattaforma di prova (simula {label})")
            }
        }
    }

    /// The platform a connector of this kind serves; `None` for the
    /// sandbox, which stands for any.
    pub const fn platform(self) -> Option<Platform> {
        match self {
            ConnectorKind::Facebook => Some(Platform::Facebook),
            ConnectorKind::Instagram => Some(Platform::Instagram),
            ConnectorKind::Mastodon => Some(Platform::Mastodon),
            ConnectorKind::Telegram => Some(Platform::Telegram),
            ConnectorKind::Youtube => Some(Platform::Youtube),
            ConnectorKind::X => Some(Platform::X),
            ConnectorKind::Flickr => Some(Platform::Flickr),
            ConnectorKind::Linkedin => Some(Platform::Linkedin),
            ConnectorKind::Sandbox => None,
        }
    }
}

impl std::str::FromStr for ConnectorKind {
    type Err = DeskError;
    fn from_str(s: &str) -> Result<Self> {
        ConnectorKind::ALL
            .iter()
            .copied()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                DeskError::InvalidInput(format!(
                    "collegamento sconosciuto `{s}`; quelli possibili sono facebook, instagram, mastodon, telegram, youtube, x, flickr, linkedin e sandbox"
                ))
            })
    }
}

/// What a connector factory needs to build a connector.
#[derive(Debug, Clone)]
pub struct ConnectionSpec {
    pub id: i64,
    /// The account in Piazza's registry (a Telegram webhook's address
    /// names it).
    pub account_id: AccountId,
    pub kind: ConnectorKind,
    /// The account's platform.
    pub platform: Platform,
    pub platform_account: String,
    pub page_id: Option<String>,
    /// The API's address for this account (a Mastodon instance).
    pub base_url: Option<String>,
    /// The token acts as the instance's administrator (Mastodon).
    pub instance_admin: bool,
    pub token: Option<SecretString>,
}

/// Builds connectors from connections. The deployment's factory knows the
/// platforms' base URLs and app secrets; tests point it at local fakes.
pub trait ConnectorFactory: Send + Sync {
    fn build(&self, spec: &ConnectionSpec) -> std::result::Result<Arc<dyn Connector>, String>;
}

/// The state of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionStatus {
    Active,
    Disconnected,
}

impl ConnectionStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            ConnectionStatus::Active => "active",
            ConnectionStatus::Disconnected => "disconnected",
        }
    }

    fn parse(s: &str) -> ConnectionStatus {
        match s {
            "active" => ConnectionStatus::Active,
            _ => ConnectionStatus::Disconnected,
        }
    }
}

/// A connection as the desk shows it: never its token.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Connection {
    pub id: i64,
    pub account_id: AccountId,
    pub account: String,
    pub platform: String,
    pub connector: ConnectorKind,
    pub platform_account: String,
    pub page_id: Option<String>,
    pub base_url: Option<String>,
    /// The token acts as the instance's administrator (Mastodon).
    pub instance_admin: bool,
    pub status: ConnectionStatus,
    /// A token is stored (sealed).
    pub has_token: bool,
    pub last_synced_at: Option<i64>,
    /// The platform asked to slow down until then.
    pub paused_until: Option<i64>,
    pub last_check: Option<ConnectionCheck>,
    pub last_checked_at: Option<i64>,
    pub created_at: i64,
    /// The daily API quota this process spent, where the platform has one
    /// (YouTube) and the connection has been used since the start.
    pub quota: Option<piazza_platforms::QuotaStatus>,
}

/// How to connect an account.
#[derive(Debug, Clone)]
pub struct NewConnection {
    pub account_id: AccountId,
    pub connector: ConnectorKind,
    /// The account's id on the platform (Page id, Instagram user id,
    /// Telegram discussion group, YouTube channel, X user id).
    pub platform_account: String,
    /// A second id: the Facebook Page of an Instagram account, a Telegram
    /// channel, an X account's username.
    pub page_id: Option<String>,
    /// The API's address for this account (a Mastodon instance:
    /// `https://social.example.it`); `None` for Meta.
    pub base_url: Option<String>,
    pub token: Option<SecretString>,
}

/// What a pull read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    pub pages: u64,
    pub posts: u64,
    pub new_comments: u64,
    pub unchanged: u64,
    /// Private messages filed in their conversations.
    pub new_messages: u64,
    /// The pull resumed from a stored cursor.
    pub resumed: bool,
    /// Everything since the start date was read.
    pub complete: bool,
}

/// What a pass over the stored webhook deliveries did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct EventsRun {
    pub deliveries: u64,
    pub events: u64,
    /// Events for accounts no connection serves.
    pub unrouted: u64,
    pub failed: u64,
}

/// The connectors built so far, by connection, so that one connection's
/// state (rate-limit figures, the sandbox's page) lives as long as the
/// process.
#[derive(Default)]
pub(crate) struct ConnectorCache {
    pub(crate) built: Mutex<HashMap<i64, Arc<dyn Connector>>>,
}

const CONNECTION_COLUMNS: &str = "pc.id, pc.account_id, a.name, a.platform, pc.connector, pc.platform_account, pc.page_id, pc.status, pc.token_sealed IS NOT NULL, pc.last_synced_at, pc.paused_until, pc.last_check_json, pc.last_checked_at, pc.created_at, pc.base_url, pc.instance_admin";

fn connection_from(r: &piazza_store::Row) -> Result<Connection> {
    Ok(Connection {
        id: r.int(0)?,
        account_id: AccountId(r.int(1)?),
        account: r.text(2)?,
        platform: r.text(3)?,
        connector: r.text(4)?.parse()?,
        platform_account: r.text(5)?,
        page_id: r.opt_text(6)?,
        base_url: r.opt_text(14)?,
        instance_admin: r.bool(15)?,
        status: ConnectionStatus::parse(&r.text(7)?),
        has_token: r.bool(8)?,
        last_synced_at: r.opt_int(9)?,
        paused_until: r.opt_int(10)?,
        last_check: r
            .opt_text(11)?
            .and_then(|j| serde_json::from_str::<CheckRecord>(&j).ok())
            .map(CheckRecord::into_check),
        last_checked_at: r.opt_int(12)?,
        created_at: r.int(13)?,
        quota: None,
    })
}

/// A token check as stored (the check itself holds no secret).
#[derive(Serialize, serde::Deserialize)]
struct CheckRecord {
    valid: bool,
    expires_at: Option<i64>,
    permissions: Vec<String>,
    missing: Vec<(String, Vec<String>)>,
    account_name: Option<String>,
    problems: Vec<String>,
    #[serde(default)]
    quota: Option<piazza_platforms::QuotaStatus>,
}

impl CheckRecord {
    fn from_check(c: &ConnectionCheck) -> CheckRecord {
        CheckRecord {
            valid: c.valid,
            expires_at: c.expires_at,
            permissions: c.permissions.clone(),
            missing: c
                .missing
                .iter()
                .map(|m| {
                    (
                        m.permission.clone(),
                        m.needed_for
                            .iter()
                            .map(|o| o.as_str().to_string())
                            .collect(),
                    )
                })
                .collect(),
            account_name: c.account_name.clone(),
            problems: c.problems.clone(),
            quota: c.quota,
        }
    }

    fn into_check(self) -> ConnectionCheck {
        ConnectionCheck {
            valid: self.valid,
            expires_at: self.expires_at,
            permissions: self.permissions,
            missing: self
                .missing
                .into_iter()
                .map(|(permission, ops)| piazza_platforms::MissingPermission {
                    permission,
                    needed_for: ops.iter().filter_map(|o| o.parse().ok()).collect(),
                })
                .collect(),
            account_name: self.account_name,
            problems: self.problems,
            quota: self.quota,
        }
    }
}

/// The context a sealed token is bound to: the connection's account and
/// platform id, so a sealed value moved to another row does not open.
pub(crate) fn token_context(account_id: AccountId, platform_account: &str) -> String {
    format!("connection:{account_id}:{platform_account}")
}

/// Roles that connect accounts to their platforms: those who authorise
/// accounts (Maglione: the Responsabile keeps the credentials).
const CONNECTING: &[Role] = &[Role::Admin, Role::Dirigente];

impl Desk {
    pub(crate) fn secret_key(&self) -> Result<&SecretKey> {
        self.platforms.secrets.as_deref().ok_or_else(|| {
            DeskError::InvalidInput(
                "manca la chiave per cifrare i token delle piattaforme: imposta PIAZZA_SECRET_KEY oppure lascia che Piazza crei il file della chiave nella cartella dei dati".into(),
            )
        })
    }

    /// Connects an account to its platform, replacing an earlier
    /// connection of the account. The token is sealed before it is stored
    /// and appears in no audit entry.
    pub fn connect(&self, by: &Actor, new: NewConnection) -> Result<Connection> {
        by.require(CONNECTING, "collegare un account alla sua piattaforma")?;
        let account = self.account(by.admin_id, new.account_id)?;
        if let Some(p) = new.connector.platform()
            && p.as_str() != account.platform
        {
            return Err(DeskError::InvalidInput(format!(
                "l'account {} è su {}, non su {}",
                account.name,
                account.platform,
                p.as_str()
            )));
        }
        let platform_account = new.platform_account.trim().to_string();
        if platform_account.is_empty()
            || !platform_account
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-.:@".contains(c))
        {
            return Err(DeskError::InvalidInput(format!(
                "`{}` non è un identificativo della piattaforma: servono le cifre dell'id della Pagina o dell'account Instagram",
                new.platform_account
            )));
        }
        let base_url = new
            .base_url
            .as_deref()
            .map(|u| u.trim().trim_end_matches('/').to_string())
            .filter(|u| !u.is_empty());
        if new.connector == ConnectorKind::Mastodon
            && !base_url
                .as_deref()
                .is_some_and(|u| u.starts_with("https://") || u.starts_with("http://"))
        {
            return Err(DeskError::InvalidInput(
                "un account Mastodon richiede l'indirizzo della sua istanza (https://...)".into(),
            ));
        }
        let sealed = match &new.token {
            Some(t) if t.expose().trim().is_empty() => {
                return Err(DeskError::InvalidInput("il file del token è vuoto".into()));
            }
            Some(t) => Some(self.secret_key()?.seal(
                t.expose().trim().as_bytes(),
                &token_context(account.id, &platform_account),
            )),
            None if new.connector != ConnectorKind::Sandbox => {
                return Err(DeskError::InvalidInput(format!(
                    "un collegamento {} richiede un token di accesso",
                    new.connector.as_str()
                )));
            }
            None => None,
        };
        let now = self.now();
        let id = self.write(|tx| {
            tx.execute(
                "DELETE FROM platform_connections WHERE admin_id = ? AND account_id = ?",
                &[by.admin_id.into(), account.id.into()],
            )?;
            let id = tx.insert(
                "INSERT INTO platform_connections (admin_id, account_id, connector, platform_account, page_id, base_url, token_sealed, status, created_at, created_by)
                 VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?) RETURNING id",
                &[
                    by.admin_id.into(),
                    account.id.into(),
                    new.connector.as_str().into(),
                    (&platform_account).into(),
                    new.page_id.clone().into(),
                    base_url.clone().into(),
                    sealed.clone().into(),
                    now.into(),
                    by.staff_id.into(),
                ],
            )?;
            record(
                tx,
                by.admin_id,
                now,
                &entry(by.audit_name(), AuditKind::ConnectionAdd, AuditTarget::Account, account.id).payload(
                    serde_json::json!({
                        "connection": id,
                        "connector": new.connector.as_str(),
                        "platform_account": platform_account,
                        "token": sealed.is_some(),
                    }),
                ),
            )?;
            Ok(id)
        })?;
        self.forget_connector_of(account.id);
        self.connection(by.admin_id, account.id)?
            .filter(|c| c.id == id)
            .ok_or(DeskError::NotFound {
                what: "collegamento",
                id: id.to_string(),
            })
    }

    /// Disconnects an account: nothing more is read or delivered; the
    /// sealed token is erased.
    pub fn disconnect(&self, by: &Actor, account_id: AccountId) -> Result<()> {
        by.require(CONNECTING, "scollegare un account")?;
        let now = self.now();
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE platform_connections SET status = 'disconnected', token_sealed = NULL WHERE admin_id = ? AND account_id = ? AND status = 'active'",
                &[by.admin_id.into(), account_id.into()],
            )?;
            if n == 0 {
                return Err(DeskError::NotFound {
                    what: "collegamento attivo dell'account",
                    id: account_id.to_string(),
                });
            }
            // What was waiting can no longer be carried out by Piazza: it
            // is for a person to do on the platform, or to retry once the
            // account is connected again.
            let waiting = tx.execute(
                "UPDATE outbox SET state = 'manual', lease_until = NULL WHERE admin_id = ? AND account_id = ? AND state IN ('pending', 'in_flight')",
                &[by.admin_id.into(), account_id.into()],
            )?;
            record(
                tx,
                by.admin_id,
                now,
                &entry(by.audit_name(), AuditKind::ConnectionRemove, AuditTarget::Account, account_id)
                    .payload(serde_json::json!({"steps_left_to_do_by_hand": waiting})),
            )?;
            Ok(())
        })?;
        self.forget_connector_of(account_id);
        Ok(())
    }

    /// The connections of an administration.
    pub fn connections(&self, admin_id: AdminId) -> Result<Vec<Connection>> {
        let rows = self.read(|tx| {
            Ok(tx.query(
                &format!(
                    "SELECT {CONNECTION_COLUMNS} FROM platform_connections pc JOIN accounts a ON a.id = pc.account_id
                     WHERE pc.admin_id = ? ORDER BY pc.account_id"
                ),
                &[admin_id.into()],
            )?)
        })?;
        let mut out = rows
            .iter()
            .map(connection_from)
            .collect::<Result<Vec<Connection>>>()?;
        let built = self.platforms.cache.built.lock().expect("connectors");
        for c in &mut out {
            c.quota = built.get(&c.id).and_then(|k| k.quota());
        }
        Ok(out)
    }

    /// The connection of one account, if any.
    pub fn connection(
        &self,
        admin_id: AdminId,
        account_id: AccountId,
    ) -> Result<Option<Connection>> {
        Ok(self
            .connections(admin_id)?
            .into_iter()
            .find(|c| c.account_id == account_id))
    }

    fn forget_connector_of(&self, account_id: AccountId) {
        // Connection ids are not known here: drop every cached connector of
        // the account by rebuilding lazily.
        let ids: Vec<i64> = self
            .read(|tx| {
                Ok(tx
                    .query(
                        "SELECT id FROM platform_connections WHERE account_id = ?",
                        &[account_id.into()],
                    )?
                    .iter()
                    .filter_map(|r| r.int(0).ok())
                    .collect())
            })
            .unwrap_or_default();
        let mut built = self.platforms.cache.built.lock().expect("connectors");
        for id in ids {
            built.remove(&id);
        }
    }

    /// The connector of an account's active connection.
    pub(crate) fn connector(
        &self,
        admin_id: AdminId,
        account_id: AccountId,
    ) -> Result<(Connection, Arc<dyn Connector>)> {
        let row = self.read(|tx| {
            Ok(tx.query_opt(
                &format!(
                    "SELECT {CONNECTION_COLUMNS}, pc.token_sealed FROM platform_connections pc JOIN accounts a ON a.id = pc.account_id
                     WHERE pc.admin_id = ? AND pc.account_id = ? AND pc.status = 'active'"
                ),
                &[admin_id.into(), account_id.into()],
            )?)
        })?;
        let Some(row) = row else {
            return Err(DeskError::NotFound {
                what: "collegamento attivo dell'account",
                id: account_id.to_string(),
            });
        };
        let conn = connection_from(&row)?;
        if let Some(c) = self
            .platforms
            .cache
            .built
            .lock()
            .expect("connectors")
            .get(&conn.id)
        {
            return Ok((conn, c.clone()));
        }
        let token = match row.opt_text(16)? {
            Some(sealed) => Some(
                self.secret_key()?
                    .open(
                        &sealed,
                        &token_context(conn.account_id, &conn.platform_account),
                    )
                    .map_err(|e| {
                        DeskError::InvalidInput(format!(
                            "il token conservato dell'account {}: {e}; collega di nuovo l'account",
                            conn.account
                        ))
                    })?,
            ),
            None => None,
        };
        let platform: Platform = conn
            .platform
            .parse()
            .map_err(|e| DeskError::InvalidInput(format!("account {}: {e}", conn.account)))?;
        let spec = ConnectionSpec {
            id: conn.id,
            account_id: conn.account_id,
            kind: conn.connector,
            platform,
            platform_account: conn.platform_account.clone(),
            page_id: conn.page_id.clone(),
            base_url: conn.base_url.clone(),
            instance_admin: conn.instance_admin,
            token,
        };
        let built = self
            .platforms
            .factory
            .build(&spec)
            .map_err(DeskError::InvalidInput)?;
        self.platforms
            .cache
            .built
            .lock()
            .expect("connectors")
            .insert(conn.id, built.clone());
        Ok((conn, built))
    }

    /// Seals a secret the platform replaced (X's rotated refresh token) in
    /// place of the old one, so that the next process starts from it.
    pub(crate) fn keep_rotated_secret(&self, conn: &Connection, connector: &dyn Connector) {
        let Some(new) = connector.rotated_secret() else {
            return;
        };
        let Ok(key) = self.secret_key() else {
            return;
        };
        let sealed = key.seal(
            new.expose().as_bytes(),
            &token_context(conn.account_id, &conn.platform_account),
        );
        let stored = self.write(|tx| {
            tx.execute(
                "UPDATE platform_connections SET token_sealed = ? WHERE id = ? AND status = 'active'",
                &[sealed.into(), conn.id.into()],
            )?;
            Ok(())
        });
        if let Err(e) = stored {
            // The connector keeps the new secret in memory; the next
            // rotation tries to store again.
            tracing_warn(&format!(
                "the renewed credentials of account {} were not stored: {e}",
                conn.account
            ));
        }
    }

    /// Checks the token of an account's connection with its platform and
    /// records the answer.
    pub fn check_connection(
        &self,
        admin_id: AdminId,
        account_id: AccountId,
    ) -> Result<ConnectionCheck> {
        let (conn, connector) = self.connector(admin_id, account_id)?;
        let check = connector.check();
        self.keep_rotated_secret(&conn, connector.as_ref());
        let check = check.map_err(|f| {
            DeskError::InvalidInput(format!("la piattaforma non ha risposto alla verifica: {f}"))
        })?;
        let now = self.now();
        let json = serde_json::to_string(&CheckRecord::from_check(&check)).unwrap_or_default();
        self.write(|tx| {
            tx.execute(
                "UPDATE platform_connections SET last_check_json = ?, last_checked_at = ? WHERE id = ?",
                &[json.into(), now.into(), conn.id.into()],
            )?;
            Ok(())
        })?;
        Ok(check)
    }

    /// Asks the platform to send the account's comments to the webhook.
    /// `false` where the platform has no webhooks.
    pub fn subscribe_webhooks(&self, admin_id: AdminId, account_id: AccountId) -> Result<bool> {
        let (_, connector) = self.connector(admin_id, account_id)?;
        connector
            .subscribe()
            .map_err(|f| DeskError::InvalidInput(f.to_string()))
    }

    /// Reads an account's recent posts and comments from its platform, one
    /// page at a time, each page committed with the cursor that follows
    /// it: a pull stopped half-way continues where it stopped.
    pub fn sync(
        &self,
        admin_id: AdminId,
        account_id: AccountId,
        since: Option<i64>,
        progress: &mut dyn FnMut(&SyncReport),
    ) -> Result<SyncReport> {
        let ctx = self.context(admin_id)?;
        let account = self.account(admin_id, account_id)?;
        let (conn, connector) = self.connector(admin_id, account_id)?;
        let stored = self.read(|tx| {
            Ok(tx
                .query_one(
                    "SELECT sync_cursor, sync_since FROM platform_connections WHERE id = ?",
                    &[conn.id.into()],
                )
                .and_then(|r| Ok((r.opt_text(0)?, r.opt_int(1)?)))?)
        })?;
        let mut report = SyncReport::default();
        // A stored cursor belongs to the pull that wrote it: same start date.
        let mut cursor = match stored {
            (Some(c), s) if since.is_none() || s == since => {
                report.resumed = true;
                Some(c)
            }
            _ => None,
        };
        let since = since.or(if report.resumed { stored.1 } else { None });
        loop {
            let page = connector.fetch(&FetchRequest {
                cursor: cursor.clone(),
                since,
            });
            self.keep_rotated_secret(&conn, connector.as_ref());
            let page = page.map_err(|f| {
                DeskError::InvalidInput(format!(
                    "la lettura da {} si è interrotta: {f}; ripeti il comando per continuare",
                    conn.platform
                ))
            })?;
            let next = if page.done { None } else { page.cursor.clone() };
            let now = self.now();
            let posts = page.posts.clone();
            let (outcomes, ()) = self.ingest_with(&ctx, &account, &page.events, |tx, _| {
                for p in &posts {
                    upsert_post(tx, admin_id, &account, p, now)?;
                }
                tx.execute(
                    "UPDATE platform_connections SET sync_cursor = ?, sync_since = ?, last_synced_at = ? WHERE id = ?",
                    &[next.clone().into(), since.into(), now.into(), conn.id.into()],
                )?;
                Ok(())
            })?;
            report.pages += 1;
            report.posts += page.posts.len() as u64;
            report.new_comments += outcomes.iter().filter(|o| o.is_new_text()).count() as u64;
            report.unchanged += outcomes
                .iter()
                .filter(|o| !o.is_new_text() && !matches!(o, IngestOutcome::PrivateMessage(_)))
                .count() as u64;
            report.new_messages += outcomes
                .iter()
                .filter(|o| matches!(o, IngestOutcome::PrivateMessage(true)))
                .count() as u64;
            progress(&report);
            if page.done || next.is_none() {
                report.complete = page.done;
                return Ok(report);
            }
            cursor = next;
        }
    }

    /// The secret Telegram must send with the updates of an account
    /// (`X-Telegram-Bot-Api-Secret-Token`); `None` when the account has no
    /// active Telegram connection, and then nothing is taken.
    pub fn telegram_webhook_secret(&self, account_id: AccountId) -> Result<Option<SecretString>> {
        let row = self.read(|tx| {
            Ok(tx.query_opt(
                "SELECT platform_account, token_sealed FROM platform_connections
                 WHERE account_id = ? AND connector = 'telegram' AND status = 'active'",
                &[account_id.into()],
            )?)
        })?;
        let Some(row) = row else {
            return Ok(None);
        };
        let Some(sealed) = row.opt_text(1)? else {
            return Ok(None);
        };
        let token = self
            .secret_key()?
            .open(&sealed, &token_context(account_id, &row.text(0)?))
            .map_err(|e| DeskError::InvalidInput(format!("il token conservato: {e}")))?;
        Ok(Some(piazza_platforms::telegram::webhook_secret(
            &token,
            &account_id.to_string(),
        )))
    }

    /// Records the secret the administration's own Mastodon instance signs
    /// its admin webhooks with (Administration > Webhooks), sealed like
    /// the token; from then on `/webhooks/mastodon/{account}` takes the
    /// deliveries it signs.
    pub fn set_webhook_secret(
        &self,
        by: &Actor,
        account_id: AccountId,
        secret: &SecretString,
    ) -> Result<()> {
        by.require(CONNECTING, "impostare il segreto dei webhook")?;
        let conn = self
            .connection(by.admin_id, account_id)?
            .filter(|c| {
                c.status == ConnectionStatus::Active && c.connector == ConnectorKind::Mastodon
            })
            .ok_or_else(|| {
                DeskError::InvalidInput(format!(
                    "l'account {account_id} non ha un collegamento Mastodon attivo"
                ))
            })?;
        if secret.expose().trim().len() < 16 {
            return Err(DeskError::InvalidInput(
                "il segreto del webhook è troppo corto: copia quello che l'istanza mostra in Amministrazione > Webhook".into(),
            ));
        }
        let sealed = self.secret_key()?.seal(
            secret.expose().trim().as_bytes(),
            &format!(
                "webhook:{}",
                token_context(account_id, &conn.platform_account)
            ),
        );
        let now = self.now();
        self.write(|tx| {
            tx.execute(
                "UPDATE platform_connections SET webhook_secret_sealed = ? WHERE id = ?",
                &[sealed.into(), conn.id.into()],
            )?;
            record(
                tx,
                by.admin_id,
                now,
                &entry(
                    by.audit_name(),
                    AuditKind::ConnectionAdd,
                    AuditTarget::Account,
                    account_id,
                )
                .payload(serde_json::json!({"connection": conn.id, "webhook_secret": true})),
            )?;
            Ok(())
        })
    }

    /// Declares that an account's Mastodon token is an administrator's of
    /// the administration's own instance (scope `admin:write:accounts`):
    /// a ban then also limits the author on the instance (`silence`), not
    /// only for the account. A choice of the dirigente, audited.
    pub fn set_instance_admin(&self, by: &Actor, account_id: AccountId, admin: bool) -> Result<()> {
        by.require(CONNECTING, "dichiarare l'amministrazione dell'istanza")?;
        let conn = self
            .connection(by.admin_id, account_id)?
            .filter(|c| {
                c.status == ConnectionStatus::Active && c.connector == ConnectorKind::Mastodon
            })
            .ok_or_else(|| {
                DeskError::InvalidInput(format!(
                    "l'account {account_id} non ha un collegamento Mastodon attivo"
                ))
            })?;
        let now = self.now();
        self.write(|tx| {
            tx.execute(
                "UPDATE platform_connections SET instance_admin = ? WHERE id = ?",
                &[i64::from(admin).into(), conn.id.into()],
            )?;
            record(
                tx,
                by.admin_id,
                now,
                &entry(
                    by.audit_name(),
                    AuditKind::ConnectionAdd,
                    AuditTarget::Account,
                    account_id,
                )
                .payload(serde_json::json!({"connection": conn.id, "instance_admin": admin})),
            )?;
            Ok(())
        })?;
        self.forget_connector_of(account_id);
        Ok(())
    }

    /// The secret an account's Mastodon admin webhooks are signed with;
    /// `None` when none is set (then nothing is taken).
    pub fn mastodon_webhook_secret(&self, account_id: AccountId) -> Result<Option<SecretString>> {
        let row = self.read(|tx| {
            Ok(tx.query_opt(
                "SELECT platform_account, webhook_secret_sealed FROM platform_connections
                 WHERE account_id = ? AND connector = 'mastodon' AND status = 'active'",
                &[account_id.into()],
            )?)
        })?;
        let Some(row) = row else { return Ok(None) };
        let Some(sealed) = row.opt_text(1)? else {
            return Ok(None);
        };
        let secret = self
            .secret_key()?
            .open(
                &sealed,
                &format!("webhook:{}", token_context(account_id, &row.text(0)?)),
            )
            .map_err(|e| DeskError::InvalidInput(format!("il segreto conservato: {e}")))?;
        Ok(Some(secret))
    }

    /// One pull of every active connection that is read by pulls
    /// (Mastodon; Telegram without a public address), for `piazza serve`'s
    /// worker: each resumes from its stored cursor. Returns the account and
    /// what failed, for the log; the next round tries again.
    pub fn pull_accounts(&self) -> Vec<(String, DeskError)> {
        let mut failed = Vec::new();
        let Ok(admins) = self.administrations() else {
            return failed;
        };
        for a in admins {
            let Ok(connections) = self.connections(a.id) else {
                continue;
            };
            for c in connections {
                if c.status != ConnectionStatus::Active
                    || c.paused_until.is_some_and(|t| t > self.now())
                {
                    continue;
                }
                let pulled = match self.connector(a.id, c.account_id) {
                    Ok((_, connector)) => connector.reads_by_pull(),
                    Err(e) => {
                        failed.push((format!("{} ({})", c.account, a.slug), e));
                        continue;
                    }
                };
                if pulled && let Err(e) = self.sync(a.id, c.account_id, None, &mut |_| {}) {
                    failed.push((format!("{} ({})", c.account, a.slug), e));
                }
            }
        }
        failed
    }

    /// Stores a webhook delivery whose signature the web layer verified.
    /// Returns `false` for a delivery already stored (the platform
    /// retried it): nothing is stored twice.
    pub fn receive_platform_delivery(&self, source: &str, body: &[u8]) -> Result<bool> {
        let text = std::str::from_utf8(body)
            .map_err(|_| DeskError::InvalidInput("la notifica non è testo UTF-8".into()))?;
        let hash = sha(text);
        let now = self.now();
        self.write(|tx| {
            Ok(tx.execute(
                "INSERT INTO platform_events (source, body_sha256, body, received_at, state) VALUES (?, ?, ?, ?, 'pending')
                 ON CONFLICT (body_sha256) DO NOTHING",
                &[source.into(), hash.into(), text.into(), now.into()],
            )? == 1)
        })
    }

    /// Deliveries waiting to be processed.
    pub fn pending_platform_deliveries(&self) -> Result<i64> {
        self.read(|tx| {
            Ok(tx
                .query_one(
                    "SELECT COUNT(*) FROM platform_events WHERE state IN ('pending', 'processing')",
                    &[],
                )?
                .int(0)?)
        })
    }

    /// Processes up to `limit` stored deliveries, oldest first: each is
    /// parsed, its events routed to the connected accounts and ingested.
    /// The deliveries are first claimed for the outbox's lease time, so
    /// that several instances on one database never process one delivery
    /// together; an instance that stops midway leaves its claims to run
    /// out and be taken again (a delivery processed twice changes nothing
    /// the second time).
    pub fn process_platform_deliveries(&self, limit: i64) -> Result<EventsRun> {
        let lease = self.platforms.lease_ms;
        let claimed_at = self.now();
        // The worker asks after every decision: a read says "nothing" without
        // taking the write lock (SQLite's is the whole database).
        let due = self.read(|tx| {
            Ok(tx
                .query_opt(
                    "SELECT 1 FROM platform_events WHERE state = 'pending' OR (state = 'processing' AND lease_until <= ?) LIMIT 1",
                    &[claimed_at.into()],
                )?
                .is_some())
        })?;
        if !due {
            return Ok(EventsRun::default());
        }
        let rows = self.write(|tx| {
            let lock = match tx.kind() {
                piazza_store::BackendKind::Postgres => " FOR UPDATE SKIP LOCKED",
                piazza_store::BackendKind::Sqlite => "",
            };
            let rows = tx.query(
                &format!(
                    "SELECT id, source, body FROM platform_events
                     WHERE state = 'pending' OR (state = 'processing' AND lease_until <= ?)
                     ORDER BY id LIMIT ?{lock}"
                ),
                &[claimed_at.into(), limit.into()],
            )?;
            for r in &rows {
                tx.execute(
                    "UPDATE platform_events SET state = 'processing', lease_until = ? WHERE id = ?",
                    &[(claimed_at + lease).into(), r.int(0)?.into()],
                )?;
            }
            Ok(rows)
        })?;
        let mut run = EventsRun {
            deliveries: rows.len() as u64,
            ..EventsRun::default()
        };
        let mut parsed: Vec<(i64, Vec<RoutedEvent>)> = Vec::with_capacity(rows.len());
        let mut finished: Vec<(i64, Option<String>)> = Vec::with_capacity(rows.len());
        for r in rows {
            let (id, source, body) = (r.int(0)?, r.text(1)?, r.opt_text(2)?.unwrap_or_default());
            // A delivery that arrived at one account's address (Telegram,
            // Mastodon): what it carries for the account belongs to that
            // account's connection.
            let private_to = match source.split_once(':') {
                Some((connector, account)) => self.read(|tx| {
                    Ok(tx
                        .query_opt(
                            "SELECT platform_account FROM platform_connections WHERE account_id = ? AND connector = ? AND status = 'active'",
                            &[account.parse::<i64>().unwrap_or(0).into(), connector.into()],
                        )?
                        .map(|r| r.text(0))
                        .transpose()?)
                })?,
                None => None,
            };
            match parse_delivery(&source, body.as_bytes(), private_to.as_deref()) {
                Ok(events) => parsed.push((id, events)),
                Err(e) => finished.push((id, Some(e.to_string()))),
            }
        }
        // The deliveries' events together, in order: one ingest batch per
        // account instead of one per delivery.
        let all: Vec<RoutedEvent> = parsed.iter().flat_map(|(_, e)| e.clone()).collect();
        let mut together = EventsRun::default();
        if self.route_and_ingest(all, &mut together).is_ok() {
            run.events += together.events;
            run.unrouted += together.unrouted;
            finished.extend(parsed.iter().map(|(id, _)| (*id, None)));
        } else {
            // One delivery spoils the batch: take them one at a time to
            // find it (ingesting again what already went in changes
            // nothing).
            for (id, events) in parsed {
                let outcome = self.route_and_ingest(events, &mut run);
                finished.push((id, outcome.err().map(|e| e.to_string())));
            }
        }
        let now = self.now();
        run.failed = finished.iter().filter(|(_, e)| e.is_some()).count() as u64;
        self.write(|tx| {
            for (id, error) in &finished {
                // A processed delivery's content lives on in the comments
                // (under retention); its body, names and texts of citizens,
                // is not kept twice. A failed one keeps it, to be looked at.
                match error {
                    None => tx.execute(
                        "UPDATE platform_events SET state = 'done', error = NULL, body = NULL, attempts = attempts + 1, processed_at = ?, lease_until = NULL WHERE id = ?",
                        &[now.into(), (*id).into()],
                    )?,
                    Some(e) => tx.execute(
                        "UPDATE platform_events SET state = 'failed', error = ?, attempts = attempts + 1, processed_at = ?, lease_until = NULL WHERE id = ?",
                        &[e.into(), now.into(), (*id).into()],
                    )?,
                };
            }
            Ok(())
        })?;
        Ok(run)
    }

    fn route_and_ingest(&self, events: Vec<RoutedEvent>, run: &mut EventsRun) -> Result<()> {
        let mut groups: BTreeMap<(Platform, String), Vec<IncomingEvent>> = BTreeMap::new();
        for e in events {
            groups
                .entry((e.platform, e.platform_account))
                .or_default()
                .push(e.event);
        }
        for ((platform, platform_account), mut events) in groups {
            let kind = match platform {
                Platform::Facebook => ConnectorKind::Facebook,
                Platform::Instagram => ConnectorKind::Instagram,
                Platform::Telegram => ConnectorKind::Telegram,
                Platform::Mastodon => ConnectorKind::Mastodon,
                _ => {
                    run.unrouted += events.len() as u64;
                    continue;
                }
            };
            let target = self.read(|tx| {
                Ok(tx
                    .query_opt(
                        "SELECT admin_id, account_id FROM platform_connections WHERE connector = ? AND platform_account = ? AND status = 'active'",
                        &[kind.as_str().into(), (&platform_account).into()],
                    )?
                    .map(|r| {
                        Ok::<_, piazza_store::StoreError>((
                            AdminId(r.int(0)?),
                            AccountId(r.int(1)?),
                        ))
                    })
                    .transpose()?)
            })?;
            let Some((admin_id, account_id)) = target else {
                run.unrouted += events.len() as u64;
                continue;
            };
            self.complete_posts(admin_id, account_id, &mut events);
            let ctx = self.context(admin_id)?;
            let account = self.account(admin_id, account_id)?;
            run.events += events.len() as u64;
            self.ingest_with(&ctx, &account, &events, |_, _| Ok(()))?;
        }
        Ok(())
    }

    /// A webhook names a comment's post but does not carry its text: the
    /// text is read once from the platform (the context of off-topic
    /// detection and of the statement). A failed read leaves the comment
    /// without it rather than holding it back.
    fn complete_posts(
        &self,
        admin_id: AdminId,
        account_id: AccountId,
        events: &mut [IncomingEvent],
    ) {
        let mut known: HashMap<String, Option<String>> = HashMap::new();
        for e in events.iter_mut() {
            let IncomingEvent::Comment(c) = e else {
                continue;
            };
            let (Some(post), None) = (c.post_external_id.clone(), c.post_text.as_ref()) else {
                continue;
            };
            if !known.contains_key(&post) {
                let stored: Option<Option<String>> = self
                    .read(|tx| {
                        Ok(tx
                            .query_opt(
                                "SELECT text FROM posts WHERE admin_id = ? AND external_id = ?",
                                &[admin_id.into(), (&post).into()],
                            )?
                            .map(|r| r.opt_text(0))
                            .transpose()?)
                    })
                    .ok()
                    .flatten();
                let text = match stored {
                    Some(Some(t)) => Some(t),
                    _ => self
                        .connector(admin_id, account_id)
                        .ok()
                        .and_then(|(_, c)| c.post(&post).ok().flatten())
                        .and_then(|p: IncomingPost| p.text),
                };
                known.insert(post.clone(), text);
            }
            c.post_text = known.get(&post).cloned().flatten();
        }
    }
}

/// The events of one stored delivery.
fn parse_delivery(source: &str, body: &[u8], private_to: Option<&str>) -> Result<Vec<RoutedEvent>> {
    let source = source.split_once(':').map_or(source, |(c, _)| c);
    match source {
        "meta" => piazza_platforms::meta::webhook::parse_webhook(body)
            .map_err(|e| DeskError::InvalidInput(format!("notifica di Meta: {e}"))),
        "mastodon" => {
            let org = private_to.ok_or_else(|| {
                DeskError::InvalidInput(
                    "webhook di Mastodon per un account non più collegato".into(),
                )
            })?;
            Ok(piazza_platforms::mastodon::parse_admin_webhook(body, org)
                .map_err(|e| DeskError::InvalidInput(format!("webhook di Mastodon: {e}")))?
                .into_iter()
                .map(|event| RoutedEvent {
                    platform: Platform::Mastodon,
                    platform_account: org.to_string(),
                    event,
                })
                .collect())
        }
        "telegram" => piazza_platforms::telegram::parse_update(body, private_to)
            .map_err(|e| DeskError::InvalidInput(format!("aggiornamento di Telegram: {e}"))),
        other => Err(DeskError::InvalidInput(format!(
            "nessun lettore per le notifiche di `{other}`"
        ))),
    }
}

/// The connectors Piazza ships: the sandbox, Meta's Graph API for
/// Facebook Pages and Instagram accounts, Mastodon instances and Telegram's
/// Bot API.
pub struct StandardConnectors {
    pub meta: piazza_platforms::meta::MetaConfig,
    pub telegram: TelegramSettings,
    pub youtube: YoutubeSettings,
    pub x: XSettings,
    /// Flickr's REST endpoint (tests point it at a local fake).
    pub flickr_url: String,
    /// LinkedIn's API base (tests point it at a local fake).
    pub linkedin_url: String,
    /// Comments a sandbox page already holds at its first pull (the demo),
    /// one every five minutes.
    pub sandbox_backlog: usize,
}

impl ConnectorFactory for StandardConnectors {
    fn build(&self, spec: &ConnectionSpec) -> std::result::Result<Arc<dyn Connector>, String> {
        match spec.kind {
            ConnectorKind::Sandbox => Ok(Arc::new(
                piazza_platforms::sandbox::SandboxConnector::new(spec.platform, spec.id as u64, 1),
            )),
            ConnectorKind::Facebook | ConnectorKind::Instagram => {
                let token = spec
                    .token
                    .clone()
                    .ok_or_else(|| format!("connection {} has no token", spec.id))?;
                let connector = piazza_platforms::meta::MetaConnector::new(
                    self.meta.clone(),
                    piazza_platforms::meta::MetaConnection {
                        platform: spec.platform,
                        account_id: spec.platform_account.clone(),
                        page_id: spec.page_id.clone(),
                        token,
                    },
                )
                .map_err(|e| e.to_string())?;
                Ok(Arc::new(connector))
            }
            ConnectorKind::Mastodon => {
                let connector = piazza_platforms::mastodon::MastodonConnector::new(
                    piazza_platforms::mastodon::MastodonConnection {
                        instance_url: spec.base_url.clone().ok_or_else(|| {
                            format!("connection {} has no instance address", spec.id)
                        })?,
                        account_id: spec.platform_account.clone(),
                        token: spec
                            .token
                            .clone()
                            .ok_or_else(|| format!("connection {} has no token", spec.id))?,
                        instance_admin: spec.instance_admin,
                    },
                )?;
                Ok(Arc::new(connector))
            }
            ConnectorKind::Telegram => {
                let token = spec
                    .token
                    .clone()
                    .ok_or_else(|| format!("connection {} has no token", spec.id))?;
                let webhook = self.telegram.public_url.as_deref().map(|u| {
                    (
                        format!(
                            "{}/webhooks/telegram/{}",
                            u.trim_end_matches('/'),
                            spec.account_id
                        ),
                        piazza_platforms::telegram::webhook_secret(
                            &token,
                            &spec.account_id.to_string(),
                        ),
                    )
                });
                let connector = piazza_platforms::telegram::TelegramConnector::new(
                    piazza_platforms::telegram::TelegramConnection {
                        api_url: self.telegram.api_url.clone(),
                        token,
                        group_chat_id: spec.platform_account.clone(),
                        channel_chat_id: spec.page_id.clone(),
                        webhook,
                    },
                )?;
                Ok(Arc::new(connector))
            }
            ConnectorKind::Linkedin => {
                let connector = piazza_platforms::linkedin::LinkedinConnector::new(
                    piazza_platforms::linkedin::LinkedinConnection {
                        api_url: self.linkedin_url.clone(),
                        organization_id: spec.platform_account.clone(),
                        token: spec
                            .token
                            .clone()
                            .ok_or_else(|| format!("connection {} has no token", spec.id))?,
                    },
                )?;
                Ok(Arc::new(connector))
            }
            ConnectorKind::Flickr => {
                let secret = spec
                    .token
                    .as_ref()
                    .ok_or_else(|| format!("connection {} has no credentials", spec.id))?;
                let connector = piazza_platforms::flickr::FlickrConnector::new(
                    piazza_platforms::flickr::FlickrConnection {
                        rest_url: self.flickr_url.clone(),
                        user_id: spec.platform_account.clone(),
                        credentials: piazza_platforms::flickr::FlickrCredentials::parse(secret)?,
                    },
                )?;
                Ok(Arc::new(connector))
            }
            ConnectorKind::X => {
                let secret = spec
                    .token
                    .as_ref()
                    .ok_or_else(|| format!("connection {} has no credentials", spec.id))?;
                let connector =
                    piazza_platforms::x::XConnector::new(piazza_platforms::x::XConnection {
                        api_url: self.x.api_url.clone(),
                        user_id: spec.platform_account.clone(),
                        username: spec
                            .page_id
                            .clone()
                            .ok_or_else(|| format!("connection {} has no X username", spec.id))?,
                        credentials: piazza_platforms::x::XCredentials::parse(secret)?,
                        reads: self.x.reads.clone(),
                    })?;
                Ok(Arc::new(connector))
            }
            ConnectorKind::Youtube => {
                let secret = spec
                    .token
                    .as_ref()
                    .ok_or_else(|| format!("connection {} has no credentials", spec.id))?;
                let connector = piazza_platforms::youtube::YoutubeConnector::new(
                    piazza_platforms::youtube::YoutubeConnection {
                        api_url: self.youtube.api_url.clone(),
                        oauth_url: self.youtube.oauth_url.clone(),
                        channel_id: spec.platform_account.clone(),
                        credentials: piazza_platforms::youtube::YoutubeCredentials::parse(secret)?,
                        budget: self.youtube.budget.clone(),
                        poll_every: self.youtube.poll_every,
                    },
                )?;
                Ok(Arc::new(connector))
            }
        }
    }
}

/// Where Telegram's Bot API is, and where Telegram reaches this Piazza.
#[derive(Debug, Clone)]
pub struct TelegramSettings {
    /// `https://api.telegram.org`; tests point it at a local fake.
    pub api_url: String,
    /// Piazza's public HTTPS address (`https://piazza.comune.example`):
    /// with it, accounts get their updates by webhook at
    /// `/webhooks/telegram/{account}`; without it they are pulled with
    /// `getUpdates`.
    pub public_url: Option<String>,
}

impl Default for TelegramSettings {
    fn default() -> TelegramSettings {
        TelegramSettings {
            api_url: piazza_platforms::telegram::DEFAULT_API_URL.into(),
            public_url: None,
        }
    }
}

/// Where the YouTube Data API and Google's token endpoint are, and the
/// project's daily quota, shared by every YouTube connection.
#[derive(Debug, Clone)]
pub struct YoutubeSettings {
    pub api_url: String,
    pub oauth_url: String,
    pub budget: Arc<piazza_platforms::youtube::QuotaBudget>,
    /// The shortest time between two pulls of a channel's newest comments.
    pub poll_every: std::time::Duration,
}

impl YoutubeSettings {
    pub fn new(api_url: &str, oauth_url: &str, daily: u64, reserve: u64) -> YoutubeSettings {
        YoutubeSettings {
            api_url: api_url.trim_end_matches('/').into(),
            oauth_url: oauth_url.trim_end_matches('/').into(),
            budget: Arc::new(piazza_platforms::youtube::QuotaBudget::new(daily, reserve)),
            // 288 pulls a day of 2-3 units each: well inside the quota
            // left after the reserve, for a few channels.
            poll_every: std::time::Duration::from_secs(300),
        }
    }
}

impl Default for YoutubeSettings {
    fn default() -> YoutubeSettings {
        use piazza_platforms::youtube as yt;
        YoutubeSettings::new(
            yt::DEFAULT_API_URL,
            yt::DEFAULT_OAUTH_URL,
            yt::DEFAULT_DAILY_QUOTA,
            yt::DEFAULT_RESERVE,
        )
    }
}

/// Where the X API is, and the app's monthly post reads, shared by every X
/// connection.
#[derive(Debug, Clone)]
pub struct XSettings {
    pub api_url: String,
    pub reads: Arc<piazza_platforms::x::MonthlyReads>,
}

impl XSettings {
    pub fn new(api_url: &str, monthly_post_reads: Option<u64>) -> XSettings {
        XSettings {
            api_url: api_url.trim_end_matches('/').into(),
            reads: Arc::new(piazza_platforms::x::MonthlyReads::new(monthly_post_reads)),
        }
    }
}

impl Default for XSettings {
    fn default() -> XSettings {
        XSettings::new(piazza_platforms::x::DEFAULT_API_URL, None)
    }
}

/// The desk's platform settings: how connectors are built, the key that
/// seals their tokens, how long a delivery attempt holds its row.
pub(crate) struct PlatformParts {
    pub(crate) factory: Arc<dyn ConnectorFactory>,
    pub(crate) secrets: Option<Arc<SecretKey>>,
    pub(crate) cache: ConnectorCache,
    pub(crate) lease_ms: i64,
}

fn tracing_warn(message: &str) {
    eprintln!("piazza: {message}");
}
