//! Offices as registry data: the offices comments are forwarded to, the
//! address their notifications go to, whether they want one daily digest
//! instead of one mail per ticket, and the office staff bound to each.
//!
//! Which office exists and where its mail goes is an organisational
//! decision, not a technical one: a dirigente makes it, never the
//! technical administrator alone (least privilege, as for appointing the
//! staff who moderate). Every change is audited.

use piazza_store::Tx;
use serde::Serialize;

use crate::audit_log::{AuditKind, AuditTarget, entry, record};
use crate::ids::{AdminId, OfficeId};
use crate::registry::{Actor, Role};
use crate::{Desk, DeskError, Result};

/// An office of the administration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Office {
    pub id: OfficeId,
    pub admin_id: AdminId,
    pub name: String,
    /// Where notifications go; none: the office reads the web desk only.
    pub email: Option<String>,
    /// One daily summary instead of one mail per ticket.
    pub digest: bool,
    pub active: bool,
    pub last_digest_at: Option<i64>,
    /// The usernames of the office staff bound to it.
    pub staff: Vec<String>,
}

/// A new office.
#[derive(Debug, Clone, Default)]
pub struct NewOffice {
    pub name: String,
    pub email: Option<String>,
    pub digest: bool,
}

/// Changes to an office; `None` leaves a field as it is. An empty e-mail
/// removes the address.
#[derive(Debug, Clone, Default)]
pub struct OfficeUpdate {
    pub email: Option<String>,
    pub digest: Option<bool>,
    pub active: Option<bool>,
}

/// Only a dirigente decides which offices exist and where their mail goes.
const DECIDES: &[Role] = &[Role::Dirigente];

/// A checked e-mail address, or `None` for an empty one.
pub(crate) fn checked_email(email: Option<&str>) -> Result<Option<String>> {
    match email.map(str::trim) {
        None | Some("") => Ok(None),
        Some(e) => e
            .parse::<lettre::Address>()
            .map(|_| Some(e.to_string()))
            .map_err(|_| {
                DeskError::InvalidInput(format!("`{e}` non è un indirizzo e-mail valido"))
            }),
    }
}

const OFFICE_COLUMNS: &str = "id, admin_id, name, email, digest, active, last_digest_at";

fn office_from(r: &piazza_store::Row) -> Result<Office> {
    Ok(Office {
        id: OfficeId(r.int(0)?),
        admin_id: AdminId(r.int(1)?),
        name: r.text(2)?,
        email: r.opt_text(3)?,
        digest: r.bool(4)?,
        active: r.bool(5)?,
        last_digest_at: r.opt_int(6)?,
        staff: Vec::new(),
    })
}

/// The active office a forward names (case and surrounding blanks do not
/// matter). `Ok(None)` when the administration has registered no office
/// yet: forwards then keep the free-text office of before, and nobody is
/// notified. Once offices exist, a forward must name one of them, so that
/// no ticket lands where nobody reads.
pub(crate) fn resolve_office(
    tx: &mut Tx<'_>,
    admin_id: AdminId,
    name: &str,
) -> Result<Option<Office>> {
    let rows = tx.query(
        &format!(
            "SELECT {OFFICE_COLUMNS} FROM offices WHERE admin_id = ? AND active = 1 ORDER BY name"
        ),
        &[admin_id.into()],
    )?;
    if rows.is_empty() {
        return Ok(None);
    }
    let offices: Vec<Office> = rows.iter().map(office_from).collect::<Result<_>>()?;
    let wanted = name.trim().to_lowercase();
    match offices.iter().find(|o| o.name.to_lowercase() == wanted) {
        Some(o) => Ok(Some(o.clone())),
        None => Err(DeskError::InvalidInput(format!(
            "l'ufficio «{}» non è tra gli uffici registrati: {}",
            name.trim(),
            offices
                .iter()
                .map(|o| o.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// The office a person of the office staff is bound to, read from the
/// registry at every call (a session never carries a stale binding).
pub(crate) fn office_of(tx: &mut Tx<'_>, actor: &Actor) -> Result<Option<OfficeId>> {
    if !actor.has(Role::Ufficio) {
        return Ok(None);
    }
    Ok(tx
        .query_opt(
            "SELECT s.office_id FROM staff s JOIN offices o ON o.id = s.office_id
             WHERE s.id = ? AND s.admin_id = ? AND o.active = 1",
            &[actor.staff_id.into(), actor.admin_id.into()],
        )?
        .map(|r| r.opt_int(0))
        .transpose()?
        .flatten()
        .map(OfficeId))
}

impl Desk {
    /// Registers an office.
    pub fn add_office(&self, by: &Actor, new: NewOffice) -> Result<Office> {
        by.require(DECIDES, "registrare un ufficio")?;
        let name = new.name.trim().to_string();
        if name.is_empty() {
            return Err(DeskError::InvalidInput(
                "indica il nome dell'ufficio".into(),
            ));
        }
        let email = checked_email(new.email.as_deref())?;
        let now = self.now();
        let id = self.write(|tx| {
            let taken = tx
                .query_opt(
                    "SELECT id FROM offices WHERE admin_id = ? AND LOWER(name) = LOWER(?)",
                    &[by.admin_id.into(), (&name).into()],
                )?
                .is_some();
            if taken {
                return Err(DeskError::InvalidInput(format!(
                    "l'ufficio «{name}» è già registrato"
                )));
            }
            let id = OfficeId(tx.insert(
                "INSERT INTO offices (admin_id, name, email, digest, active, created_at) VALUES (?, ?, ?, ?, 1, ?) RETURNING id",
                &[by.admin_id.into(), (&name).into(), email.clone().into(), new.digest.into(), now.into()],
            )?);
            record(
                tx,
                by.admin_id,
                now,
                &entry(by.audit_name(), AuditKind::OfficeAdd, AuditTarget::Office, id).payload(
                    serde_json::json!({"name": name, "email": email.is_some(), "digest": new.digest}),
                ),
            )?;
            Ok(id)
        })?;
        self.office(by.admin_id, id)
    }

    /// Changes an office's address, digest preference or activity.
    pub fn update_office(&self, by: &Actor, id: OfficeId, update: &OfficeUpdate) -> Result<Office> {
        by.require(DECIDES, "modificare un ufficio")?;
        let before = self.office(by.admin_id, id)?;
        let email = match &update.email {
            Some(e) => Some(checked_email(Some(e))?),
            None => None,
        };
        let mut changed: Vec<&str> = Vec::new();
        let mut sets: Vec<&str> = Vec::new();
        let mut params: Vec<piazza_store::Value> = Vec::new();
        if let Some(e) = &email
            && *e != before.email
        {
            sets.push("email = ?");
            params.push(e.clone().into());
            changed.push("email");
        }
        if let Some(d) = update.digest
            && d != before.digest
        {
            sets.push("digest = ?");
            params.push(d.into());
            changed.push("digest");
        }
        if let Some(a) = update.active
            && a != before.active
        {
            sets.push("active = ?");
            params.push(a.into());
            changed.push("active");
        }
        if changed.is_empty() {
            return Ok(before);
        }
        params.push(by.admin_id.into());
        params.push(id.into());
        let now = self.now();
        self.write(|tx| {
            tx.execute(
                &format!("UPDATE offices SET {} WHERE admin_id = ? AND id = ?", sets.join(", ")),
                &params,
            )?;
            record(
                tx,
                by.admin_id,
                now,
                &entry(by.audit_name(), AuditKind::OfficeUpdate, AuditTarget::Office, id).payload(
                    serde_json::json!({"changed": changed, "digest": update.digest, "active": update.active}),
                ),
            )?;
            Ok(())
        })?;
        self.office(by.admin_id, id)
    }

    /// Every office of an administration, by name, with its staff.
    pub fn offices(&self, admin_id: AdminId) -> Result<Vec<Office>> {
        let (rows, staff) = self.read(|tx| {
            let rows = tx.query(
                &format!("SELECT {OFFICE_COLUMNS} FROM offices WHERE admin_id = ? ORDER BY name"),
                &[admin_id.into()],
            )?;
            let staff = tx.query(
                "SELECT office_id, username FROM staff WHERE admin_id = ? AND office_id IS NOT NULL AND active = 1 ORDER BY username",
                &[admin_id.into()],
            )?;
            Ok((rows, staff))
        })?;
        rows.iter()
            .map(|r| {
                let mut o = office_from(r)?;
                o.staff = staff
                    .iter()
                    .filter(|s| s.int(0).ok() == Some(o.id.0))
                    .filter_map(|s| s.text(1).ok())
                    .collect();
                Ok(o)
            })
            .collect()
    }

    /// One office.
    pub fn office(&self, admin_id: AdminId, id: OfficeId) -> Result<Office> {
        self.offices(admin_id)?
            .into_iter()
            .find(|o| o.id == id)
            .ok_or(DeskError::NotFound {
                what: "ufficio",
                id: id.to_string(),
            })
    }

    /// The office with this name (any case) or number.
    pub fn office_named(&self, admin_id: AdminId, name_or_id: &str) -> Result<Office> {
        let wanted = name_or_id.trim().to_lowercase();
        self.offices(admin_id)?
            .into_iter()
            .find(|o| o.name.to_lowercase() == wanted || o.id.to_string() == wanted)
            .ok_or(DeskError::NotFound {
                what: "ufficio",
                id: name_or_id.to_string(),
            })
    }

    /// The office `actor` works for, if they are office staff bound to an
    /// active office.
    pub fn office_of(&self, actor: &Actor) -> Result<Option<Office>> {
        let id = self.read(|tx| office_of(tx, actor))?;
        id.map(|id| self.office(actor.admin_id, id)).transpose()
    }

    /// Binds a person with the role `ufficio` to an office (`None`
    /// unbinds them): from then on they see that office's tickets only.
    pub fn set_staff_office(
        &self,
        by: &Actor,
        username: &str,
        office: Option<OfficeId>,
    ) -> Result<()> {
        by.require(DECIDES, "assegnare il personale a un ufficio")?;
        let person = self.actor(by.admin_id, username)?;
        if office.is_some() && !person.has(Role::Ufficio) {
            return Err(DeskError::InvalidInput(format!(
                "{username} non ha il ruolo «{}»: solo il personale d'ufficio si lega a un ufficio",
                Role::Ufficio.label_it()
            )));
        }
        if let Some(o) = office {
            let o = self.office(by.admin_id, o)?;
            if !o.active {
                return Err(DeskError::InvalidInput(format!(
                    "l'ufficio «{}» non è attivo",
                    o.name
                )));
            }
        }
        let now = self.now();
        self.write(|tx| {
            tx.execute(
                "UPDATE staff SET office_id = ? WHERE admin_id = ? AND id = ?",
                &[office.into(), by.admin_id.into(), person.staff_id.into()],
            )?;
            record(
                tx,
                by.admin_id,
                now,
                &entry(
                    by.audit_name(),
                    AuditKind::StaffOffice,
                    AuditTarget::Staff,
                    person.staff_id,
                )
                .payload(serde_json::json!({"username": username, "office": office})),
            )?;
            Ok(())
        })
    }
}
