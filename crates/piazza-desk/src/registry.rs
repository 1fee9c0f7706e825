//! The registry: administrations and their policy history, official
//! accounts and their compliance, staff with roles, assignments to accounts,
//! handover checklists when an assignment ends, credential rotations.

use piazza_policy::naming::{check_account_email, check_municipal_name};
use piazza_policy::{ChannelKind, HoursInterval, Platform, load_policy, preset};
use piazza_store::Tx;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::audit_log::{AuditKind, AuditTarget, entry, record};
use crate::ids::{AccountId, AdminId, StaffId};
use crate::{Desk, DeskError, Result};

/// A staff role. Permissions follow least privilege: each role can do only
/// what its job needs, and moderation is scoped to assigned accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Technical administration: logins and the registry; no moderation.
    Admin,
    /// Dirigente or responsabile: authorises accounts and staff, confirms,
    /// acts on every account of the administration.
    Dirigente,
    /// Social media editor: replies on assigned accounts.
    Redattore,
    /// Moderator: works the queue of assigned accounts.
    Moderatore,
    /// URP operator: replies, redirects and forwards on assigned accounts.
    OperatoreUrp,
    /// DPO or auditor: reads everything, changes nothing.
    Auditor,
    /// Referente d'ufficio: bound to one office, sees only the tickets
    /// forwarded to it (never the moderation queue), answers them, asks
    /// the URP for more, closes them.
    Ufficio,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Admin,
        Role::Dirigente,
        Role::Redattore,
        Role::Moderatore,
        Role::OperatoreUrp,
        Role::Auditor,
        Role::Ufficio,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Dirigente => "dirigente",
            Role::Redattore => "redattore",
            Role::Moderatore => "moderatore",
            Role::OperatoreUrp => "operatore_urp",
            Role::Auditor => "auditor",
            Role::Ufficio => "ufficio",
        }
    }

    pub const fn label_it(self) -> &'static str {
        match self {
            Role::Admin => "amministratore di sistema",
            Role::Dirigente => "dirigente / responsabile",
            Role::Redattore => "redattore",
            Role::Moderatore => "moderatore",
            Role::OperatoreUrp => "operatore URP",
            Role::Auditor => "auditor (sola lettura)",
            Role::Ufficio => "referente d'ufficio",
        }
    }
}

impl Role {
    /// The roles that work the accounts (moderate, reply, publish): the
    /// staff a policy's rule on appointments is about.
    pub const fn is_operational(self) -> bool {
        matches!(
            self,
            Role::Redattore | Role::Moderatore | Role::OperatoreUrp
        )
    }
}

impl std::str::FromStr for Role {
    type Err = DeskError;
    fn from_str(s: &str) -> Result<Role> {
        Role::ALL
            .iter()
            .copied()
            .find(|r| r.as_str() == s || (s == "responsabile" && *r == Role::Dirigente))
            .ok_or_else(|| {
                let ids: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
                DeskError::InvalidInput(format!(
                    "ruolo sconosciuto `{s}`; quelli possibili sono: {}",
                    ids.join(", ")
                ))
            })
    }
}

pub(crate) fn parse_roles(s: &str) -> Result<Vec<Role>> {
    s.split(',')
        .filter(|r| !r.is_empty())
        .map(str::parse)
        .collect()
}

fn roles_text(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// A person acting on the desk.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Actor {
    pub staff_id: StaffId,
    pub admin_id: AdminId,
    pub username: String,
    pub full_name: String,
    pub roles: Vec<Role>,
}

impl Actor {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn has_any(&self, roles: &[Role]) -> bool {
        roles.iter().any(|r| self.has(*r))
    }

    /// How the audit log names this person.
    pub fn audit_name(&self) -> String {
        format!("staff:{}", self.username)
    }

    pub(crate) fn require(&self, roles: &[Role], what: &str) -> Result<()> {
        if self.has_any(roles) {
            Ok(())
        } else {
            let names: Vec<&str> = roles.iter().map(|r| r.label_it()).collect();
            Err(DeskError::Forbidden(format!(
                "{what} spetta a chi ha il ruolo {}, e {} ha: {}",
                names.join(" o "),
                self.username,
                self.roles
                    .iter()
                    .map(|r| r.label_it())
                    .collect::<Vec<_>>()
                    .join(", ")
            )))
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Administration {
    pub id: AdminId,
    pub slug: String,
    pub name: String,
    pub kind: String,
    pub policy_version: String,
}

fn sha_of(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// What activating a policy changes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyPreview {
    /// The new version's label.
    pub version: String,
    /// The label of the version it replaces.
    pub in_force: String,
    /// What `piazza policy validate` would warn about.
    pub warnings: Vec<String>,
    pub changes: Vec<piazza_policy::changes::PolicyChange>,
}

/// One version in an administration's policy history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyVersion {
    pub id: i64,
    /// The label decisions cite.
    pub version: String,
    pub source: String,
    pub activated_at: i64,
    pub toml: String,
}

/// How to create an administration: from a preset or a policy file.
#[derive(Debug, Clone)]
pub struct NewAdministration {
    pub slug: Option<String>,
    pub source_label: String,
    pub toml: String,
}

impl NewAdministration {
    /// From one of the embedded presets; its slug is the preset name.
    pub fn preset(name: &str) -> NewAdministration {
        let p = preset(name);
        NewAdministration {
            slug: Some(name.to_string()),
            source_label: format!("preset:{name}"),
            toml: p.map(|p| p.toml.to_string()).unwrap_or_default(),
        }
    }

    pub fn policy(source_label: &str, toml: &str) -> NewAdministration {
        NewAdministration {
            slug: None,
            source_label: source_label.to_string(),
            toml: toml.to_string(),
        }
    }

    pub fn with_slug(mut self, slug: &str) -> Self {
        self.slug = Some(slug.to_string());
        self
    }
}

fn slugify(name: &str) -> String {
    let mut out = String::new();
    for c in name.to_lowercase().chars() {
        let c = match c {
            'à' | 'á' => 'a',
            'è' | 'é' => 'e',
            'ì' | 'í' => 'i',
            'ò' | 'ó' => 'o',
            'ù' | 'ú' => 'u',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    Active,
    /// Official but temporarily not in use (no moderation, no comments
    /// received): a pause that is not a closure.
    Suspended,
    Closed,
    /// An account that claims the body but is not official.
    Unofficial,
}

impl AccountStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Active => "active",
            AccountStatus::Suspended => "suspended",
            AccountStatus::Closed => "closed",
            AccountStatus::Unofficial => "unofficial",
        }
    }

    pub const fn label_it(self) -> &'static str {
        match self {
            AccountStatus::Active => "attivo",
            AccountStatus::Suspended => "sospeso",
            AccountStatus::Closed => "chiuso",
            AccountStatus::Unofficial => "non ufficiale",
        }
    }

    fn parse(s: &str) -> Result<AccountStatus> {
        match s {
            "active" => Ok(AccountStatus::Active),
            "suspended" => Ok(AccountStatus::Suspended),
            "closed" => Ok(AccountStatus::Closed),
            "unofficial" => Ok(AccountStatus::Unofficial),
            _ => Err(DeskError::InvalidInput(format!(
                "stato dell'account sconosciuto `{s}`; quelli possibili sono active (attivo), suspended (sospeso), closed (chiuso) e unofficial (non ufficiale)"
            ))),
        }
    }
}

impl std::str::FromStr for AccountStatus {
    type Err = DeskError;
    fn from_str(s: &str) -> Result<Self> {
        AccountStatus::parse(s)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Account {
    pub id: AccountId,
    pub admin_id: AdminId,
    pub platform: String,
    pub name: String,
    pub handle: Option<String>,
    pub url: Option<String>,
    pub kind: String,
    pub managing_office: Option<String>,
    pub authorised_by: Option<String>,
    pub authorised_at: Option<i64>,
    pub opened_with_email: Option<String>,
    /// Moderation hours of this account, when they differ from the
    /// policy's.
    pub hours: Vec<HoursInterval>,
    /// When instant messages are answered.
    pub im_hours: Vec<HoursInterval>,
    pub status: AccountStatus,
}

/// Changes to an account; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct AccountUpdate {
    pub status: Option<AccountStatus>,
    /// Moderation hours (an empty list: the policy's).
    pub hours: Option<Vec<HoursInterval>>,
    pub im_hours: Option<Vec<HoursInterval>>,
    /// Who authorised the account (name and role), recorded with today's
    /// date.
    pub authorised_by: Option<String>,
    pub managing_office: Option<String>,
    pub handle: Option<String>,
    pub url: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewAccount {
    pub platform: Platform,
    pub name: String,
    pub handle: Option<String>,
    pub url: Option<String>,
    pub kind: ChannelKind,
    pub managing_office: Option<String>,
    pub authorised_by: Option<String>,
    pub opened_with_email: Option<String>,
    pub hours: Vec<HoursInterval>,
    pub status: AccountStatus,
}

fn platform_id(p: Platform) -> String {
    serde_json::to_value(p)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

fn kind_id(k: ChannelKind) -> String {
    serde_json::to_value(k)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

const ACCOUNT_COLUMNS: &str = "id, admin_id, platform, name, handle, url, kind, managing_office, authorised_by, authorised_at, opened_with_email, hours_json, status, im_hours_json";

fn account_from(r: &piazza_store::Row) -> Result<Account> {
    Ok(Account {
        id: AccountId(r.int(0)?),
        admin_id: AdminId(r.int(1)?),
        platform: r.text(2)?,
        name: r.text(3)?,
        handle: r.opt_text(4)?,
        url: r.opt_text(5)?,
        kind: r.text(6)?,
        managing_office: r.opt_text(7)?,
        authorised_by: r.opt_text(8)?,
        authorised_at: r.opt_int(9)?,
        opened_with_email: r.opt_text(10)?,
        hours: r
            .opt_text(11)?
            .map(|j| serde_json::from_str(&j).unwrap_or_default())
            .unwrap_or_default(),
        status: AccountStatus::parse(&r.text(12)?)?,
        im_hours: r
            .opt_text(13)?
            .map(|j| serde_json::from_str(&j).unwrap_or_default())
            .unwrap_or_default(),
    })
}

fn hours_json(hours: &[HoursInterval]) -> Option<String> {
    (!hours.is_empty()).then(|| serde_json::to_string(hours).unwrap_or_default())
}

/// A breach of the policy's rules for accounts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComplianceIssue {
    pub account_id: AccountId,
    pub account: String,
    pub rule: &'static str,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Staff {
    pub id: StaffId,
    pub admin_id: AdminId,
    pub username: String,
    pub full_name: String,
    pub email: Option<String>,
    pub roles: Vec<Role>,
    pub active: bool,
    pub has_login: bool,
    /// Accounts currently assigned.
    pub accounts: Vec<AccountId>,
}

#[derive(Debug, Clone)]
pub struct NewStaff {
    pub username: String,
    pub full_name: String,
    pub email: Option<String>,
    pub roles: Vec<Role>,
    /// A password gives the person a web login (hashed with Argon2id).
    pub password: Option<String>,
}

/// One step of a handover checklist.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HandoverItem {
    pub handover_id: i64,
    pub assignment_id: i64,
    pub staff: String,
    pub account: String,
    pub item: String,
    pub label: &'static str,
    pub done_at: Option<i64>,
    pub signed_off_at: Option<i64>,
}

/// Who holds an account's credentials: a person or an office.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialHolderRef {
    Staff(String),
    Office(String),
}

/// A holder of an account's credentials, current or past.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CredentialHolder {
    pub id: i64,
    pub account_id: AccountId,
    /// The person's username, when the holder is a person.
    pub username: Option<String>,
    /// The person's name or the office.
    pub holder: String,
    pub since: i64,
    pub until: Option<i64>,
}

/// Days after which shared credentials are due for a change when the
/// policy states no period.
pub const DEFAULT_ROTATION_DAYS: i64 = 90;

/// The steps of a handover, from Roma's policy: "disabilitando le
/// autorizzazioni all'interno delle piattaforme, autorizzando il nuovo
/// personale designato o fornendo le credenziali di accesso".
pub const HANDOVER_ITEMS: [(&str, &str); 3] = [
    (
        "revoke_platform_permissions",
        "revocare le autorizzazioni sulla piattaforma",
    ),
    (
        "rotate_shared_credentials",
        "cambiare le credenziali condivise",
    ),
    (
        "hand_over_open_items",
        "passare gli elementi aperti a un collega",
    ),
];

fn handover_label(item: &str) -> &'static str {
    HANDOVER_ITEMS
        .iter()
        .find(|(id, _)| *id == item)
        .map(|(_, l)| *l)
        .unwrap_or("passo del passaggio di consegne")
}

impl Desk {
    // ---------------------------------------------------------------
    // Administrations and policies.

    /// Creates an administration with its policy and the official accounts
    /// the policy lists.
    pub fn create_administration(&self, new: NewAdministration) -> Result<Administration> {
        if new.toml.is_empty() {
            return Err(DeskError::InvalidInput(format!(
                "nessun testo di policy per {}",
                new.source_label
            )));
        }
        let validated = load_policy(&new.source_label, &new.toml)
            .map_err(|e| DeskError::InvalidPolicy(e.to_string()))?;
        let policy = validated.policy;
        let slug = new
            .slug
            .clone()
            .unwrap_or_else(|| slugify(&policy.administration.name));
        if slug.is_empty()
            || !slug
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(DeskError::InvalidInput(format!(
                "l'identificativo `{slug}` può contenere solo lettere minuscole, cifre e trattini"
            )));
        }
        let now = self.now();
        let kind = serde_json::to_value(policy.administration.kind)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        let id = self.write(|tx| {
            let id = AdminId(tx.insert(
                "INSERT INTO administrations (slug, name, kind, created_at) VALUES (?, ?, ?, ?) RETURNING id",
                &[(&slug).into(), (&policy.administration.name).into(), kind.clone().into(), now.into()],
            )?);
            let pv = insert_policy_version(tx, id, &policy.document.version, &new.source_label, &new.toml, now, None)?;
            record(
                tx,
                id,
                now,
                &entry("cli", AuditKind::AdministrationCreate, AuditTarget::Administration, id)
                    .payload(serde_json::json!({"slug": slug, "name": policy.administration.name})),
            )?;
            record(
                tx,
                id,
                now,
                &entry("cli", AuditKind::PolicyActivate, AuditTarget::PolicyVersion, pv)
                    .policy_version(&policy.document.version)
                    .payload(serde_json::json!({"source": new.source_label})),
            )?;
            for ch in &policy.channels.accounts {
                let acc = tx.insert(
                    "INSERT INTO accounts (admin_id, platform, name, handle, url, kind, managing_office, authorised_by, authorised_at, hours_json, status, created_at)
                         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?) RETURNING id",
                    &[
                        id.into(),
                        platform_id(ch.platform).into(),
                        (&ch.name).into(),
                        ch.handle.clone().into(),
                        ch.url.clone().into(),
                        kind_id(ch.kind).into(),
                        (!ch.managed_by.is_empty()).then(|| ch.managed_by.join(", ")).into(),
                        format!("elencato nella policy, versione {}", policy.document.version).into(),
                        now.into(),
                        (!ch.hours.is_empty()).then(|| serde_json::to_string(&ch.hours).unwrap_or_default()).into(),
                        now.into(),
                    ],
                )?;
                record(
                    tx,
                    id,
                    now,
                    &entry("cli", AuditKind::AccountAdd, AuditTarget::Account, acc)
                        .payload(serde_json::json!({"platform": platform_id(ch.platform), "name": ch.name, "source": "policy"})),
                )?;
            }
            Ok(id)
        })?;
        Ok(Administration {
            id,
            slug,
            name: policy.administration.name.clone(),
            kind,
            policy_version: policy.document.version,
        })
    }

    pub fn administrations(&self) -> Result<Vec<Administration>> {
        let rows = self.read(|tx| {
            Ok(tx.query(
                "SELECT a.id, a.slug, a.name, a.kind,
                        (SELECT version_label FROM policy_versions p WHERE p.admin_id = a.id ORDER BY p.id DESC LIMIT 1)
                 FROM administrations a ORDER BY a.id",
                &[],
            )?)
        })?;
        rows.iter()
            .map(|r| {
                Ok(Administration {
                    id: AdminId(r.int(0)?),
                    slug: r.text(1)?,
                    name: r.text(2)?,
                    kind: r.text(3)?,
                    policy_version: r.opt_text(4)?.unwrap_or_default(),
                })
            })
            .collect()
    }

    /// The administration with this slug (or numeric id).
    pub fn administration(&self, slug_or_id: &str) -> Result<Administration> {
        self.administrations()?
            .into_iter()
            .find(|a| a.slug == slug_or_id || a.id.to_string() == slug_or_id)
            .ok_or(DeskError::NotFound {
                what: "ente",
                id: slug_or_id.to_string(),
            })
    }

    /// Activates a new policy version; decisions from now on cite it.
    /// What activating `toml` would change: its warnings and its
    /// differences from the version in force. Refused (as activation would
    /// be) when the policy is invalid, reuses a version label already
    /// activated, or is the text in force.
    pub fn preview_policy(
        &self,
        admin_id: AdminId,
        source_label: &str,
        toml: &str,
    ) -> Result<PolicyPreview> {
        let validated =
            load_policy(source_label, toml).map_err(|e| DeskError::InvalidPolicy(e.to_string()))?;
        let ctx = self.context(admin_id)?;
        let history = self.policy_history(admin_id)?;
        let version = validated.policy.document.version.clone();
        if history
            .first()
            .is_some_and(|v| hex::encode(Sha256::digest(toml.as_bytes())) == sha_of(&v.toml))
        {
            return Err(DeskError::InvalidInput(format!(
                "è il testo della versione {} già in vigore: non c'è nulla da attivare",
                ctx.policy_version
            )));
        }
        if let Some(v) = history.iter().find(|v| v.version == version) {
            return Err(DeskError::InvalidInput(format!(
                "la versione {version} è già stata attivata il {}: le decisioni citano le versioni con la loro etichetta, quindi un testo nuovo richiede un nuovo `document.version`",
                piazza_calendar::jiff::Timestamp::from_millisecond(v.activated_at)
                    .map(piazza_calendar::format_instant)
                    .unwrap_or_default()
            )));
        }
        Ok(PolicyPreview {
            version,
            in_force: ctx.policy_version.clone(),
            warnings: validated.warnings.iter().map(|w| w.to_string()).collect(),
            changes: piazza_policy::changes::compare(&ctx.policy, &validated.policy),
        })
    }

    /// Activates a new version of the policy: from now on decisions cite
    /// it; earlier decisions keep citing the version they were taken
    /// under. One audit entry records who, the version replaced and what
    /// changed.
    pub fn activate_policy(
        &self,
        actor: &Actor,
        source_label: &str,
        toml: &str,
    ) -> Result<PolicyPreview> {
        actor.require(
            &[Role::Admin, Role::Dirigente],
            "attivare una versione della policy",
        )?;
        let preview = self.preview_policy(actor.admin_id, source_label, toml)?;
        let now = self.now();
        self.write(|tx| {
            let pv = insert_policy_version(
                tx,
                actor.admin_id,
                &preview.version,
                source_label,
                toml,
                now,
                Some(actor.staff_id),
            )?;
            Ok(record(
                tx,
                actor.admin_id,
                now,
                &entry(
                    actor.audit_name(),
                    AuditKind::PolicyActivate,
                    AuditTarget::PolicyVersion,
                    pv,
                )
                .policy_version(&preview.version)
                .payload(serde_json::json!({
                    "source": source_label,
                    "replaces": preview.in_force,
                    "changes": preview.changes.iter().map(|c| c.describe_it()).collect::<Vec<_>>(),
                })),
            )?)
        })?;
        self.forget_context(actor.admin_id);
        Ok(preview)
    }

    /// Every policy version of an administration, newest first.
    pub fn policy_history(&self, admin_id: AdminId) -> Result<Vec<PolicyVersion>> {
        let rows = self.read(|tx| {
            Ok(tx.query(
                "SELECT id, version_label, source_label, activated_at, toml FROM policy_versions WHERE admin_id = ? ORDER BY id DESC",
                &[admin_id.into()],
            )?)
        })?;
        rows.iter()
            .map(|r| {
                Ok(PolicyVersion {
                    id: r.int(0)?,
                    version: r.text(1)?,
                    source: r.text(2)?,
                    activated_at: r.int(3)?,
                    toml: r.text(4)?,
                })
            })
            .collect()
    }

    // ---------------------------------------------------------------
    // Staff.

    /// The person with this username, who must belong to `admin_id`.
    pub fn actor(&self, admin_id: AdminId, username: &str) -> Result<Actor> {
        let row = self.read(|tx| {
            Ok(tx.query_opt(
                "SELECT id, admin_id, username, full_name, roles, active FROM staff WHERE username = ?",
                &[username.into()],
            )?)
        })?;
        let row = row.ok_or(DeskError::NotFound {
            what: "persona",
            id: username.to_string(),
        })?;
        if AdminId(row.int(1)?) != admin_id {
            // Never reveal that the username exists in another administration.
            return Err(DeskError::NotFound {
                what: "persona",
                id: username.to_string(),
            });
        }
        if !row.bool(5)? {
            return Err(DeskError::Forbidden(format!(
                "{username} non è più in servizio"
            )));
        }
        Ok(Actor {
            staff_id: StaffId(row.int(0)?),
            admin_id,
            username: row.text(2)?,
            full_name: row.text(3)?,
            roles: parse_roles(&row.text(4)?)?,
        })
    }

    /// The actor behind a staff id (for sessions).
    pub fn actor_by_id(&self, staff_id: StaffId) -> Result<Actor> {
        let row = self.read(|tx| {
            Ok(tx.query_opt(
                "SELECT admin_id, username FROM staff WHERE id = ?",
                &[staff_id.into()],
            )?)
        })?;
        let row = row.ok_or(DeskError::NotFound {
            what: "persona",
            id: staff_id.to_string(),
        })?;
        self.actor(AdminId(row.int(0)?), &row.text(1)?)
    }

    /// Adds a person. `by` is the admin doing it; `None` is allowed only to
    /// create the first administrator of an administration.
    pub fn add_staff(&self, admin_id: AdminId, by: Option<&Actor>, new: NewStaff) -> Result<Staff> {
        if new.username.trim().is_empty()
            || !new
                .username
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        {
            return Err(DeskError::InvalidInput(format!(
                "il nome utente `{}` può contenere solo lettere, cifre, punti, trattini e trattini bassi",
                new.username
            )));
        }
        if new.roles.is_empty() {
            return Err(DeskError::InvalidInput("indica almeno un ruolo".into()));
        }
        if let Some(by) = by {
            if by.admin_id != admin_id {
                return Err(DeskError::Forbidden("persona di un altro ente".into()));
            }
            if new.roles.iter().any(|r| r.is_operational()) {
                self.require_appointer(by, "incaricare il personale")?;
            } else {
                // Administrators, dirigenti and auditors are appointed
                // outside Piazza (a decree, a contract): the technical
                // administrator or a dirigente registers them.
                by.require(&[Role::Admin, Role::Dirigente], "aggiungere personale")?;
            }
        }
        let hash = new
            .password
            .as_deref()
            .map(crate::auth::hash_password)
            .transpose()?;
        let now = self.now();
        let actor_name = by.map(|b| b.audit_name()).unwrap_or_else(|| "cli".into());
        let id = self.write(|tx| {
            if by.is_none() {
                let admins = tx.query_one(
                    "SELECT COUNT(*) FROM staff WHERE admin_id = ? AND roles LIKE '%admin%'",
                    &[admin_id.into()],
                )?;
                if admins.int(0)? > 0 || !new.roles.contains(&Role::Admin) {
                    return Err(DeskError::Forbidden(
                        "senza --as si può creare solo il primo amministratore".into(),
                    ));
                }
            }
            let id = StaffId(tx.insert(
                "INSERT INTO staff (admin_id, username, full_name, email, roles, password_hash, active, created_at)
                 VALUES (?, ?, ?, ?, ?, ?, 1, ?) RETURNING id",
                &[
                    admin_id.into(),
                    (&new.username).into(),
                    (&new.full_name).into(),
                    new.email.clone().into(),
                    roles_text(&new.roles).into(),
                    hash.clone().into(),
                    now.into(),
                ],
            )?);
            record(
                tx,
                admin_id,
                now,
                &entry(&actor_name, AuditKind::StaffAdd, AuditTarget::Staff, id).payload(serde_json::json!({
                    "username": new.username,
                    "roles": roles_text(&new.roles),
                    "login": hash.is_some(),
                })),
            )?;
            Ok(id)
        })?;
        self.staff_member(admin_id, id)
    }

    fn staff_member(&self, admin_id: AdminId, id: StaffId) -> Result<Staff> {
        self.staff(admin_id)?
            .into_iter()
            .find(|s| s.id == id)
            .ok_or(DeskError::NotFound {
                what: "persona",
                id: id.to_string(),
            })
    }

    /// Deactivates a login (a person who left): their sessions end at once
    /// and they can no longer sign in or act. Their record and their past
    /// decisions stay.
    pub fn deactivate_staff(&self, by: &Actor, username: &str) -> Result<()> {
        by.require(&[Role::Admin, Role::Dirigente], "disattivare un accesso")?;
        if by.username == username {
            return Err(DeskError::Forbidden(
                "nessuno può disattivare il proprio accesso".into(),
            ));
        }
        let now = self.now();
        self.write(|tx| {
            let id = tx
                .query_opt(
                    "SELECT id FROM staff WHERE admin_id = ? AND username = ? AND active = 1",
                    &[by.admin_id.into(), username.into()],
                )?
                .ok_or_else(|| DeskError::NotFound {
                    what: "persona attiva",
                    id: username.to_string(),
                })?
                .int(0)?;
            tx.execute("UPDATE staff SET active = 0 WHERE id = ?", &[id.into()])?;
            tx.execute(
                "UPDATE sessions SET revoked_at = ? WHERE staff_id = ? AND revoked_at IS NULL",
                &[now.into(), id.into()],
            )?;
            // Whoever leaves no longer holds credentials; the accounts they
            // held are flagged for a change (check_accounts).
            tx.execute(
                "UPDATE credential_holders SET until_at = ? WHERE staff_id = ? AND until_at IS NULL",
                &[now.into(), id.into()],
            )?;
            record(
                tx,
                by.admin_id,
                now,
                &entry(
                    by.audit_name(),
                    AuditKind::StaffDeactivate,
                    AuditTarget::Staff,
                    id,
                )
                .payload(serde_json::json!({"username": username})),
            )?;
            Ok(())
        })
    }

    /// Who may appoint the staff who manage the accounts, and assign them
    /// to accounts: where the policy names who authorises and appoints them
    /// (Maglione: "il Sindaco o Dirigente di riferimento autorizza e
    /// incarica il personale"; Roma: "i funzionari responsabili di
    /// riferimento"), a dirigente only, not the technical administrator;
    /// where it is silent, either.
    fn require_appointer(&self, by: &Actor, what: &str) -> Result<()> {
        let ctx = self.context(by.admin_id)?;
        match &ctx.policy.internal.staff_authorisation {
            Some(rule) if !rule.by.contains(&piazza_policy::Authority::Amministrazione) => {
                if by.has(Role::Dirigente) {
                    Ok(())
                } else {
                    let who: Vec<&str> = rule.by.iter().map(|a| a.label_it()).collect();
                    Err(DeskError::Forbidden(format!(
                        "secondo la policy {what} spetta a {} («{}»), e {} non è un dirigente",
                        who.join(" o "),
                        rule.text,
                        by.username
                    )))
                }
            }
            _ => by.require(&[Role::Admin, Role::Dirigente], what),
        }
    }

    pub fn staff(&self, admin_id: AdminId) -> Result<Vec<Staff>> {
        let now = self.now();
        let (rows, assigned) = self.read(|tx| {
            let rows = tx.query(
                "SELECT id, username, full_name, email, roles, active, password_hash IS NOT NULL FROM staff WHERE admin_id = ? ORDER BY id",
                &[admin_id.into()],
            )?;
            let assigned = tx.query(
                "SELECT staff_id, account_id FROM assignments WHERE admin_id = ? AND starts_at <= ? AND (ends_at IS NULL OR ends_at > ?)",
                &[admin_id.into(), now.into(), now.into()],
            )?;
            Ok((rows, assigned))
        })?;
        rows.iter()
            .map(|r| {
                let id = StaffId(r.int(0)?);
                Ok(Staff {
                    id,
                    admin_id,
                    username: r.text(1)?,
                    full_name: r.text(2)?,
                    email: r.opt_text(3)?,
                    roles: parse_roles(&r.text(4)?)?,
                    active: r.bool(5)?,
                    has_login: r.bool(6)?,
                    accounts: assigned
                        .iter()
                        .filter(|a| a.int(0).ok() == Some(id.0))
                        .filter_map(|a| a.int(1).ok().map(AccountId))
                        .collect(),
                })
            })
            .collect()
    }

    /// Assigns a person to an account from `starts_at` (now when `None`).
    pub fn assign(
        &self,
        by: &Actor,
        username: &str,
        account_id: AccountId,
        starts_at: Option<i64>,
    ) -> Result<i64> {
        self.require_appointer(by, "assegnare il personale a un account")?;
        let person = self.actor(by.admin_id, username)?;
        let account = self.account(by.admin_id, account_id)?;
        if account.status != AccountStatus::Active {
            return Err(DeskError::InvalidInput(format!(
                "l'account {} è {}, non attivo",
                account.name,
                account.status.as_str()
            )));
        }
        let now = self.now();
        let starts = starts_at.unwrap_or(now);
        self.write(|tx| {
            let id = tx.insert(
                "INSERT INTO assignments (admin_id, staff_id, account_id, starts_at) VALUES (?, ?, ?, ?) RETURNING id",
                &[by.admin_id.into(), person.staff_id.into(), account_id.into(), starts.into()],
            )?;
            record(
                tx,
                by.admin_id,
                now,
                &entry(by.audit_name(), AuditKind::AssignmentStart, AuditTarget::Assignment, id).payload(
                    serde_json::json!({"staff": person.username, "account": account_id, "starts_at": starts}),
                ),
            )?;
            Ok(id)
        })
    }

    /// Ends a person's assignment to an account and opens its handover
    /// checklist. Returns the handover id.
    pub fn end_assignment(
        &self,
        by: &Actor,
        username: &str,
        account_id: AccountId,
        reason: &str,
    ) -> Result<i64> {
        by.require(&[Role::Admin, Role::Dirigente], "chiudere un incarico")?;
        let person = self.actor(by.admin_id, username)?;
        let now = self.now();
        let out = self.write(|tx| {
            let Some(row) = tx.query_opt(
                "SELECT id FROM assignments WHERE admin_id = ? AND staff_id = ? AND account_id = ? AND (ends_at IS NULL OR ends_at > ?) ORDER BY id DESC LIMIT 1",
                &[by.admin_id.into(), person.staff_id.into(), account_id.into(), now.into()],
            )?
            else {
                return Ok(None);
            };
            let assignment = row.int(0)?;
            tx.execute(
                "UPDATE assignments SET ends_at = ?, ended_by = ?, end_reason = ? WHERE id = ?",
                &[now.into(), by.staff_id.into(), reason.into(), assignment.into()],
            )?;
            let handover = tx.insert(
                "INSERT INTO handovers (admin_id, assignment_id, opened_at) VALUES (?, ?, ?) RETURNING id",
                &[by.admin_id.into(), assignment.into(), now.into()],
            )?;
            for (item, _) in HANDOVER_ITEMS {
                tx.execute(
                    "INSERT INTO handover_items (admin_id, handover_id, item) VALUES (?, ?, ?)",
                    &[by.admin_id.into(), handover.into(), item.into()],
                )?;
            }
            record(
                tx,
                by.admin_id,
                now,
                &entry(by.audit_name(), AuditKind::AssignmentEnd, AuditTarget::Assignment, assignment)
                    .reason(reason)
                    .payload(serde_json::json!({"staff": person.username, "account": account_id, "handover": handover})),
            )?;
            Ok(Some(handover))
        })?;
        out.ok_or(DeskError::NotFound {
            what: "incarico attivo",
            id: format!("{username} su account {account_id}"),
        })
    }

    /// Every handover step, open ones first.
    pub fn handover_items(&self, admin_id: AdminId) -> Result<Vec<HandoverItem>> {
        let rows = self.read(|tx| {
            Ok(tx.query(
                "SELECT h.id, h.assignment_id, s.username, a.name, i.item, i.done_at, h.signed_off_at
                 FROM handover_items i JOIN handovers h ON h.id = i.handover_id
                 JOIN assignments g ON g.id = h.assignment_id
                 JOIN staff s ON s.id = g.staff_id JOIN accounts a ON a.id = g.account_id
                 WHERE i.admin_id = ? ORDER BY h.signed_off_at IS NOT NULL, h.id, i.id",
                &[admin_id.into()],
            )?)
        })?;
        rows.iter()
            .map(|r| {
                let item = r.text(4)?;
                Ok(HandoverItem {
                    handover_id: r.int(0)?,
                    assignment_id: r.int(1)?,
                    staff: r.text(2)?,
                    account: r.text(3)?,
                    label: handover_label(&item),
                    item,
                    done_at: r.opt_int(5)?,
                    signed_off_at: r.opt_int(6)?,
                })
            })
            .collect()
    }

    /// Marks one handover step as done.
    /// Passes the open items of a handover's person on its account to a
    /// successor (who must be assigned to the account), and records the
    /// handover step `hand_over_open_items` as done with the count.
    /// Returns how many items were passed.
    pub fn pass_open_items(&self, by: &Actor, handover_id: i64, successor: &str) -> Result<u64> {
        by.require(
            &[Role::Admin, Role::Dirigente],
            "passare ad altri i commenti aperti",
        )?;
        let heir = self.actor(by.admin_id, successor)?;
        let now = self.now();
        self.write(|tx| {
            let row = tx
                .query_opt(
                    "SELECT g.staff_id, g.account_id, i.done_at FROM handovers h JOIN assignments g ON g.id = h.assignment_id
                     JOIN handover_items i ON i.handover_id = h.id AND i.item = 'hand_over_open_items'
                     WHERE h.admin_id = ? AND h.id = ?",
                    &[by.admin_id.into(), handover_id.into()],
                )?
                .ok_or_else(|| DeskError::NotFound {
                    what: "passaggio di consegne",
                    id: handover_id.to_string(),
                })?;
            if row.opt_int(2)?.is_some() {
                return Err(DeskError::Handover(
                    "i commenti aperti di questo passaggio di consegne sono già stati passati".into(),
                ));
            }
            let (leaving, account) = (row.int(0)?, row.int(1)?);
            let assigned = tx
                .query_one(
                    "SELECT COUNT(*) FROM assignments WHERE admin_id = ? AND staff_id = ? AND account_id = ? AND starts_at <= ? AND (ends_at IS NULL OR ends_at > ?)",
                    &[by.admin_id.into(), heir.staff_id.into(), account.into(), now.into(), now.into()],
                )?
                .int(0)?;
            if assigned == 0 && !heir.has(Role::Dirigente) {
                return Err(DeskError::InvalidInput(format!(
                    "{successor} non è assegnato all'account: assegnalo prima"
                )));
            }
            let passed = tx.execute(
                "UPDATE comments SET assigned_to = ?, version = version + 1
                 WHERE admin_id = ? AND account_id = ? AND assigned_to = ? AND state <> 'resolved'",
                &[heir.staff_id.into(), by.admin_id.into(), account.into(), leaving.into()],
            )?;
            let note = format!("{passed} elementi aperti passati a {successor}");
            tx.execute(
                "UPDATE handover_items SET done_at = ?, done_by = ?, note = ? WHERE admin_id = ? AND handover_id = ? AND item = 'hand_over_open_items'",
                &[now.into(), by.staff_id.into(), (&note).into(), by.admin_id.into(), handover_id.into()],
            )?;
            record(
                tx,
                by.admin_id,
                now,
                &entry(by.audit_name(), AuditKind::HandoverStep, AuditTarget::Handover, handover_id)
                    .payload(serde_json::json!({"item": "hand_over_open_items", "to": successor, "items": passed})),
            )?;
            Ok(passed)
        })
    }

    /// Records who holds an account's platform credentials: a person of
    /// the registry or an office.
    pub fn add_credential_holder(
        &self,
        by: &Actor,
        account_id: AccountId,
        holder: &CredentialHolderRef,
    ) -> Result<i64> {
        by.require(
            &[Role::Admin, Role::Dirigente],
            "registrare chi detiene le credenziali",
        )?;
        self.account(by.admin_id, account_id)?;
        let (staff, office) = match holder {
            CredentialHolderRef::Staff(u) => (Some(self.actor(by.admin_id, u)?.staff_id), None),
            CredentialHolderRef::Office(o) if !o.trim().is_empty() => {
                (None, Some(o.trim().to_string()))
            }
            CredentialHolderRef::Office(_) => {
                return Err(DeskError::InvalidInput(
                    "indica il nome dell'ufficio".into(),
                ));
            }
        };
        let now = self.now();
        self.write(|tx| {
            let id = tx.insert(
                "INSERT INTO credential_holders (admin_id, account_id, staff_id, office, since, recorded_by) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                &[by.admin_id.into(), account_id.into(), staff.into(), office.clone().into(), now.into(), by.staff_id.into()],
            )?;
            record(
                tx,
                by.admin_id,
                now,
                &entry(by.audit_name(), AuditKind::CredentialHolderAdd, AuditTarget::Account, account_id)
                    .payload(serde_json::json!({"holder": id, "office": office, "staff": staff})),
            )?;
            Ok(id)
        })
    }

    /// Records that a holder no longer has an account's credentials.
    pub fn end_credential_holder(&self, by: &Actor, holder_id: i64) -> Result<()> {
        by.require(
            &[Role::Admin, Role::Dirigente],
            "registrare chi detiene le credenziali",
        )?;
        let now = self.now();
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE credential_holders SET until_at = ? WHERE admin_id = ? AND id = ? AND until_at IS NULL",
                &[now.into(), by.admin_id.into(), holder_id.into()],
            )?;
            if n == 0 {
                return Err(DeskError::NotFound {
                    what: "detentore attuale delle credenziali",
                    id: holder_id.to_string(),
                });
            }
            record(
                tx,
                by.admin_id,
                now,
                &entry(by.audit_name(), AuditKind::CredentialHolderEnd, AuditTarget::Account, holder_id),
            )?;
            Ok(())
        })
    }

    /// Who holds or held each account's credentials, current holders
    /// first.
    pub fn credential_holders(&self, admin_id: AdminId) -> Result<Vec<CredentialHolder>> {
        let rows = self.read(|tx| {
            Ok(tx.query(
                "SELECT h.id, h.account_id, s.username, s.full_name, h.office, h.since, h.until_at
                 FROM credential_holders h LEFT JOIN staff s ON s.id = h.staff_id
                 WHERE h.admin_id = ? ORDER BY h.until_at IS NOT NULL, h.account_id, h.id",
                &[admin_id.into()],
            )?)
        })?;
        rows.iter()
            .map(|r| {
                Ok(CredentialHolder {
                    id: r.int(0)?,
                    account_id: AccountId(r.int(1)?),
                    username: r.opt_text(2)?,
                    holder: r
                        .opt_text(3)?
                        .or(r.opt_text(4)?)
                        .unwrap_or_else(|| "—".into()),
                    since: r.int(5)?,
                    until: r.opt_int(6)?,
                })
            })
            .collect()
    }

    /// The period after which an account's shared credentials are due for
    /// a change: the policy's when it states one, else 90 days. No seed
    /// states a period (Maglione only says the renewal "va concordato con
    /// il Responsabile"); three months is what the former technical rules
    /// of the Codice privacy (allegato B) asked where special-category
    /// data is handled, as comments on a comune's page often are. One
    /// period for the command line and the web desk.
    pub fn rotation_period_days(&self, admin_id: AdminId) -> Result<i64> {
        Ok(self
            .context(admin_id)?
            .policy
            .internal
            .credentials
            .as_ref()
            .and_then(|c| c.password_renewal_days)
            .map(i64::from)
            .unwrap_or(DEFAULT_ROTATION_DAYS))
    }

    pub fn complete_handover_item(
        &self,
        by: &Actor,
        handover_id: i64,
        item: &str,
        note: Option<&str>,
    ) -> Result<()> {
        by.require(
            &[Role::Admin, Role::Dirigente],
            "completare un passo del passaggio di consegne",
        )?;
        if !HANDOVER_ITEMS.iter().any(|(id, _)| *id == item) {
            let ids: Vec<&str> = HANDOVER_ITEMS.iter().map(|(id, _)| *id).collect();
            return Err(DeskError::InvalidInput(format!(
                "passo del passaggio di consegne sconosciuto `{item}`; quelli possibili sono: {}",
                ids.join(", ")
            )));
        }
        let now = self.now();
        let n = self.write(|tx| {
            let n = tx.execute(
                "UPDATE handover_items SET done_at = ?, done_by = ?, note = ? WHERE admin_id = ? AND handover_id = ? AND item = ? AND done_at IS NULL",
                &[now.into(), by.staff_id.into(), note.into(), by.admin_id.into(), handover_id.into(), item.into()],
            )?;
            if n == 1 {
                if item == "rotate_shared_credentials" {
                    let acc = tx.query_one(
                        "SELECT g.account_id FROM handovers h JOIN assignments g ON g.id = h.assignment_id WHERE h.id = ?",
                        &[handover_id.into()],
                    )?;
                    tx.execute(
                        "INSERT INTO credential_rotations (admin_id, account_id, rotated_at, recorded_by, note) VALUES (?, ?, ?, ?, ?)",
                        &[by.admin_id.into(), acc.int(0)?.into(), now.into(), by.staff_id.into(), "passaggio di consegne".into()],
                    )?;
                }
                record(
                    tx,
                    by.admin_id,
                    now,
                    &entry(by.audit_name(), AuditKind::HandoverStep, AuditTarget::Handover, handover_id)
                        .payload(serde_json::json!({"item": item})),
                )?;
            }
            Ok(n)
        })?;
        if n == 0 {
            return Err(DeskError::NotFound {
                what: "passo aperto del passaggio di consegne",
                id: format!("{handover_id}/{item}"),
            });
        }
        Ok(())
    }

    /// Signs a handover off; every step must be done first.
    pub fn sign_off_handover(&self, by: &Actor, handover_id: i64) -> Result<()> {
        by.require(
            &[Role::Dirigente, Role::Admin],
            "firmare un passaggio di consegne",
        )?;
        let now = self.now();
        let open: Vec<String> = self.read(|tx| {
            let rows = tx.query(
                "SELECT item FROM handover_items WHERE admin_id = ? AND handover_id = ? AND done_at IS NULL ORDER BY id",
                &[by.admin_id.into(), handover_id.into()],
            )?;
            Ok(rows
                .iter()
                .map(|r| r.text(0))
                .collect::<piazza_store::Result<_>>()?)
        })?;
        if !open.is_empty() {
            let labels: Vec<&str> = open.iter().map(|i| handover_label(i)).collect();
            return Err(DeskError::Handover(format!(
                "mancano ancora: {}",
                labels.join("; ")
            )));
        }
        let n = self.write(|tx| {
            let n = tx.execute(
                "UPDATE handovers SET signed_off_at = ?, signed_off_by = ? WHERE admin_id = ? AND id = ? AND signed_off_at IS NULL",
                &[now.into(), by.staff_id.into(), by.admin_id.into(), handover_id.into()],
            )?;
            if n == 1 {
                record(
                    tx,
                    by.admin_id,
                    now,
                    &entry(by.audit_name(), AuditKind::HandoverSignOff, AuditTarget::Handover, handover_id),
                )?;
            }
            Ok(n)
        })?;
        if n == 0 {
            return Err(DeskError::NotFound {
                what: "passaggio di consegne da firmare",
                id: handover_id.to_string(),
            });
        }
        Ok(())
    }

    /// Records that an account's shared credentials were changed.
    pub fn record_rotation(
        &self,
        by: &Actor,
        account_id: AccountId,
        note: Option<&str>,
    ) -> Result<()> {
        by.require(
            &[Role::Admin, Role::Dirigente],
            "registrare il cambio delle credenziali",
        )?;
        self.account(by.admin_id, account_id)?;
        let now = self.now();
        self.write(|tx| {
            tx.execute(
                "INSERT INTO credential_rotations (admin_id, account_id, rotated_at, recorded_by, note) VALUES (?, ?, ?, ?, ?)",
                &[by.admin_id.into(), account_id.into(), now.into(), by.staff_id.into(), note.into()],
            )?;
            Ok(record(
                tx,
                by.admin_id,
                now,
                &entry(by.audit_name(), AuditKind::CredentialsRotate, AuditTarget::Account, account_id),
            )?)
        })
    }

    /// Accounts whose credentials were last changed more than `period_days`
    /// ago (or never since the account was registered): (account, days).
    pub fn rotation_reminders(
        &self,
        admin_id: AdminId,
        period_days: i64,
    ) -> Result<Vec<(Account, i64)>> {
        let now = self.now();
        let accounts = self.accounts(admin_id)?;
        let rows = self.read(|tx| {
            Ok(tx.query(
                "SELECT a.id, COALESCE(MAX(r.rotated_at), a.created_at) FROM accounts a
                 LEFT JOIN credential_rotations r ON r.account_id = a.id
                 WHERE a.admin_id = ? AND a.status = 'active' GROUP BY a.id, a.created_at",
                &[admin_id.into()],
            )?)
        })?;
        let mut out = Vec::new();
        for r in rows {
            let age_days = (now - r.int(1)?) / 86_400_000;
            if age_days >= period_days
                && let Some(a) = accounts.iter().find(|a| Some(a.id.0) == r.int(0).ok())
            {
                out.push((a.clone(), age_days));
            }
        }
        Ok(out)
    }

    /// Whether `actor` may work on `account_id`: dirigenti on every account
    /// of their administration, everybody else only on assigned accounts.
    pub fn require_scope(&self, actor: &Actor, account_id: AccountId) -> Result<()> {
        let account = self.account(actor.admin_id, account_id)?;
        if actor.has(Role::Dirigente) {
            return Ok(());
        }
        let now = self.now();
        self.read(|tx| require_assigned(tx, actor, account.id, now))
    }

    // ---------------------------------------------------------------
    // Accounts.

    pub fn add_account(&self, by: &Actor, new: NewAccount) -> Result<Account> {
        by.require(&[Role::Admin, Role::Dirigente], "registrare un account")?;
        if new.name.trim().is_empty() {
            return Err(DeskError::InvalidInput(
                "indica il nome dell'account".into(),
            ));
        }
        let now = self.now();
        let id = self.write(|tx| {
            let id = AccountId(tx.insert(
                "INSERT INTO accounts (admin_id, platform, name, handle, url, kind, managing_office, authorised_by, authorised_at, opened_with_email, hours_json, status, created_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                &[
                    by.admin_id.into(),
                    platform_id(new.platform).into(),
                    (&new.name).into(),
                    new.handle.clone().into(),
                    new.url.clone().into(),
                    kind_id(new.kind).into(),
                    new.managing_office.clone().into(),
                    new.authorised_by.clone().into(),
                    new.authorised_by.as_ref().map(|_| now).into(),
                    new.opened_with_email.clone().into(),
                    (!new.hours.is_empty()).then(|| serde_json::to_string(&new.hours).unwrap_or_default()).into(),
                    new.status.as_str().into(),
                    now.into(),
                ],
            )?);
            record(
                tx,
                by.admin_id,
                now,
                &entry(by.audit_name(), AuditKind::AccountAdd, AuditTarget::Account, id).payload(serde_json::json!({
                    "platform": platform_id(new.platform), "name": new.name, "status": new.status.as_str(),
                    "authorised_by": new.authorised_by,
                })),
            )?;
            Ok(id)
        })?;
        self.account(by.admin_id, id)
    }

    pub fn set_account_status(
        &self,
        by: &Actor,
        account_id: AccountId,
        status: AccountStatus,
    ) -> Result<()> {
        by.require(
            &[Role::Admin, Role::Dirigente],
            "cambiare lo stato di un account",
        )?;
        self.account(by.admin_id, account_id)?;
        let now = self.now();
        self.write(|tx| {
            tx.execute(
                "UPDATE accounts SET status = ? WHERE admin_id = ? AND id = ?",
                &[
                    status.as_str().into(),
                    by.admin_id.into(),
                    account_id.into(),
                ],
            )?;
            Ok(record(
                tx,
                by.admin_id,
                now,
                &entry(
                    by.audit_name(),
                    AuditKind::AccountStatus,
                    AuditTarget::Account,
                    account_id,
                )
                .payload(serde_json::json!({"status": status.as_str()})),
            )?)
        })
    }

    /// Changes an account: status, hours, who authorised it, office,
    /// handle, address. One audit entry lists what changed.
    pub fn update_account(
        &self,
        by: &Actor,
        account_id: AccountId,
        update: &AccountUpdate,
    ) -> Result<Account> {
        by.require(&[Role::Admin, Role::Dirigente], "modificare un account")?;
        let before = self.account(by.admin_id, account_id)?;
        for (what, hours) in [
            ("orari di moderazione", &update.hours),
            ("orari di messaggistica", &update.im_hours),
        ] {
            if let Some(h) = hours
                && let Some(p) = piazza_policy::check_hours(h).first()
            {
                return Err(DeskError::InvalidInput(format!(
                    "{what}, fascia {}: {}",
                    p.index + 1,
                    p.message
                )));
            }
        }
        let now = self.now();
        let mut changed: Vec<&str> = Vec::new();
        let mut sets: Vec<&str> = Vec::new();
        let mut params: Vec<piazza_store::Value> = Vec::new();
        if let Some(st) = update.status
            && st != before.status
        {
            sets.push("status = ?");
            params.push(st.as_str().into());
            changed.push("status");
        }
        if let Some(h) = &update.hours
            && *h != before.hours
        {
            sets.push("hours_json = ?");
            params.push(hours_json(h).into());
            changed.push("hours");
        }
        if let Some(h) = &update.im_hours
            && *h != before.im_hours
        {
            sets.push("im_hours_json = ?");
            params.push(hours_json(h).into());
            changed.push("im_hours");
        }
        if let Some(a) = update.authorised_by.as_deref().map(str::trim)
            && !a.is_empty()
        {
            sets.push("authorised_by = ?, authorised_at = ?");
            params.push(a.into());
            params.push(now.into());
            changed.push("authorised_by");
        }
        for (field, value, column) in [
            (
                "managing_office",
                &update.managing_office,
                "managing_office = ?",
            ),
            ("handle", &update.handle, "handle = ?"),
            ("url", &update.url, "url = ?"),
        ] {
            if let Some(v) = value {
                let v = v.trim();
                sets.push(column);
                params.push((!v.is_empty()).then(|| v.to_string()).into());
                changed.push(field);
            }
        }
        if changed.is_empty() {
            return Ok(before);
        }
        params.push(by.admin_id.into());
        params.push(account_id.into());
        self.write(|tx| {
            tx.execute(
                &format!(
                    "UPDATE accounts SET {} WHERE admin_id = ? AND id = ?",
                    sets.join(", ")
                ),
                &params,
            )?;
            record(
                tx,
                by.admin_id,
                now,
                &entry(
                    by.audit_name(),
                    AuditKind::AccountUpdate,
                    AuditTarget::Account,
                    account_id,
                )
                .payload(serde_json::json!({
                    "changed": changed,
                    "status": update.status.map(|s| s.as_str()),
                })),
            )?;
            Ok(())
        })?;
        self.account(by.admin_id, account_id)
    }

    /// The bio Piazza suggests for an account: its moderation hours (its
    /// own, else the policy's), its instant-messaging hours, and where the
    /// policy is published (Roma: "devono essere indicati gli orari").
    pub fn suggested_bio(&self, admin_id: AdminId, account_id: AccountId) -> Result<String> {
        let ctx = self.context(admin_id)?;
        let account = self.account(admin_id, account_id)?;
        let p = &ctx.policy;
        let mut parts = Vec::new();
        let hours = if account.hours.is_empty() {
            &p.moderation.hours
        } else {
            &account.hours
        };
        if !hours.is_empty() {
            let lead = p
                .moderation
                .hours_lead
                .as_deref()
                .unwrap_or("Pagina moderata");
            parts.push(piazza_policy::hours_sentence(
                lead,
                hours,
                p.moderation.holidays_excluded,
            ));
        }
        if !account.im_hours.is_empty() {
            parts.push(piazza_policy::hours_sentence(
                "Messaggi privati",
                &account.im_hours,
                p.moderation.holidays_excluded,
            ));
        }
        if let Some(url) = &p.document.url {
            parts.push(format!("Social media policy: {url}"));
        }
        Ok(parts.join(" "))
    }

    pub fn accounts(&self, admin_id: AdminId) -> Result<Vec<Account>> {
        let rows = self.read(|tx| {
            Ok(tx.query(
                &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE admin_id = ? ORDER BY id"),
                &[admin_id.into()],
            )?)
        })?;
        rows.iter().map(account_from).collect()
    }

    pub fn account(&self, admin_id: AdminId, account_id: AccountId) -> Result<Account> {
        let row = self.read(|tx| {
            Ok(tx.query_opt(
                &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE admin_id = ? AND id = ?"),
                &[admin_id.into(), account_id.into()],
            )?)
        })?;
        row.as_ref()
            .map(account_from)
            .transpose()?
            .ok_or(DeskError::NotFound {
                what: "account",
                id: account_id.to_string(),
            })
    }

    /// Applies the policy's compliance rules to every account.
    pub fn check_accounts(&self, admin_id: AdminId) -> Result<Vec<ComplianceIssue>> {
        let ctx = self.context(admin_id)?;
        let p = &ctx.policy;
        let mut issues = Vec::new();
        // Holders who left after the account's last change of credentials.
        let left_holders: std::collections::HashMap<AccountId, String> = self
            .read(|tx| {
                Ok(tx.query(
                    "SELECT h.account_id, s.full_name FROM credential_holders h JOIN staff s ON s.id = h.staff_id
                     WHERE h.admin_id = ? AND s.active = 0 AND h.until_at IS NOT NULL
                       AND h.until_at >= COALESCE((SELECT MAX(r.rotated_at) FROM credential_rotations r WHERE r.account_id = h.account_id), 0)",
                    &[admin_id.into()],
                )?)
            })?
            .iter()
            .filter_map(|r| Some((AccountId(r.int(0).ok()?), r.text(1).ok()?)))
            .collect();
        for a in self.accounts(admin_id)? {
            let mut push = |rule: &'static str, message: String| {
                issues.push(ComplianceIssue {
                    account_id: a.id,
                    account: a.name.clone(),
                    rule,
                    message,
                })
            };
            if a.status != AccountStatus::Closed
                && let Some(who) = left_holders.get(&a.id)
            {
                push(
                    "credentials_after_departure",
                    format!(
                        "le credenziali erano in mano a {who}, che non è più in servizio: vanno cambiate"
                    ),
                );
            }
            match a.status {
                AccountStatus::Closed => continue,
                AccountStatus::Unofficial => {
                    push(
                        "unofficial_account",
                        format!(
                            "l'account «{}» si presenta come dell'ente ma non è ufficiale{}",
                            a.name,
                            p.channels
                                .unofficial_statement
                                .as_ref()
                                .map(|s| format!(": «{s}»"))
                                .unwrap_or_default()
                        ),
                    );
                    continue;
                }
                // A suspended account is still official: its rules apply.
                AccountStatus::Active | AccountStatus::Suspended => {}
            }
            if p.accounts.institutional_email_domain.is_some()
                || p.accounts.personal_email_forbidden
            {
                match &a.opened_with_email {
                    Some(email) => {
                        if let Err(why) = check_account_email(&p.accounts, email) {
                            push("institutional_email", why);
                        }
                    }
                    None => push(
                        "institutional_email",
                        format!(
                            "non è registrato l'indirizzo e-mail con cui è stato aperto l'account (richiesto un indirizzo di servizio {})",
                            p.accounts
                                .institutional_email_domain
                                .as_deref()
                                .unwrap_or("istituzionale")
                        ),
                    ),
                }
            }
            if a.kind == "municipale"
                && let Some(rule) = &p.accounts.municipal_naming
                && let Err(why) = check_municipal_name(rule, &a.name)
            {
                push("municipal_naming", format!("«{}»: {why}", a.name));
            }
            if a.authorised_by.is_none() {
                let by = p
                    .internal
                    .account_authorisation
                    .as_ref()
                    .map(|x| {
                        x.by.iter()
                            .map(|b| b.label_it())
                            .collect::<Vec<_>>()
                            .join(" o ")
                    })
                    .unwrap_or_else(|| "chi è competente".into());
                push(
                    "authorisation",
                    format!("non risulta l'autorizzazione all'apertura (la concede: {by})"),
                );
            }
            if p.moderation.hours_must_be_published
                && a.hours.is_empty()
                && p.moderation.hours.is_empty()
            {
                push(
                    "published_hours",
                    "la policy chiede di pubblicare gli orari di moderazione, ma per questo account non ne sono impostati".into(),
                );
            }
            let listed = p.channels.accounts.iter().any(|c| {
                platform_id(c.platform) == a.platform
                    && (c.name == a.name || (c.handle.is_some() && c.handle == a.handle))
            });
            if !listed && !p.channels.accounts.is_empty() {
                push(
                    "not_in_published_list",
                    "l'account non è nell'elenco degli account ufficiali della policy in vigore: aggiornare la policy pubblicata".into(),
                );
            }
        }
        Ok(issues)
    }
}

fn insert_policy_version(
    tx: &mut Tx<'_>,
    admin_id: AdminId,
    version: &str,
    source_label: &str,
    toml: &str,
    now: i64,
    by: Option<StaffId>,
) -> piazza_store::Result<i64> {
    let sha = hex::encode(Sha256::digest(toml.as_bytes()));
    tx.insert(
        "INSERT INTO policy_versions (admin_id, version_label, source_label, toml, sha256, activated_at, activated_by) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        &[admin_id.into(), version.into(), source_label.into(), toml.into(), sha.into(), now.into(), by.into()],
    )
}

/// `actor` works on `account` at `now`: dirigenti on every account of their
/// administration, everybody else on the accounts assigned to them.
pub(crate) fn require_assigned(
    tx: &mut piazza_store::Tx<'_>,
    actor: &Actor,
    account: AccountId,
    now: i64,
) -> Result<()> {
    if actor.has(Role::Dirigente) {
        return Ok(());
    }
    let n = tx
        .query_one(
            "SELECT COUNT(*) FROM assignments WHERE admin_id = ? AND staff_id = ? AND account_id = ? AND starts_at <= ? AND (ends_at IS NULL OR ends_at > ?)",
            &[actor.admin_id.into(), actor.staff_id.into(), account.into(), now.into(), now.into()],
        )?
        .int(0)?;
    if n == 0 {
        return Err(DeskError::OutOfScope {
            staff: actor.username.clone(),
            account,
        });
    }
    Ok(())
}
