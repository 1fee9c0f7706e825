//! Election periods (L. 28/2000 art. 9): "dalla data di convocazione dei
//! comizi elettorali e fino alla chiusura delle operazioni di voto è fatto
//! divieto a tutte le amministrazioni pubbliche di svolgere attività di
//! comunicazione ad eccezione di quelle effettuate in forma impersonale ed
//! indispensabili per l'efficace assolvimento delle proprie funzioni".
//!
//! A period is data a dirigente records (kind, territory, first and last
//! day, the act that called it). While one is on, the desk says so and the
//! editorial checks of what staff write also flag promotional wording about
//! the administration's work.

use piazza_calendar::jiff::Timestamp;
use piazza_calendar::jiff::civil::Date;
use serde::Serialize;

use crate::audit_log::{AuditKind, AuditTarget, entry, record};
use crate::ids::AdminId;
use crate::registry::{Actor, Role};
use crate::{Desk, DeskError, Result};

closed_set! {
    /// What is being elected.
    pub enum ElectionKind ("tipo di consultazione") {
        Comunali = "comunali" => "elezioni comunali",
        Regionali = "regionali" => "elezioni regionali",
        Politiche = "politiche" => "elezioni politiche",
        Europee = "europee" => "elezioni europee",
        Referendum = "referendum" => "referendum",
    }
}

/// A period as the desk shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ElectionPeriod {
    pub id: i64,
    pub kind: ElectionKind,
    pub territory: String,
    /// The first day (the calling of the election), `YYYY-MM-DD`.
    pub starts_on: String,
    /// The last day (the close of the polls), `YYYY-MM-DD`.
    pub ends_on: String,
    pub act: Option<String>,
    pub created_by: Option<String>,
}

impl ElectionPeriod {
    /// The notice every editor reads while the period is on.
    pub fn notice_it(&self) -> String {
        format!(
            "Periodo elettorale in corso ({}, {}) fino al {}: si comunica solo in forma impersonale e quando è indispensabile (L. 28/2000, art. 9).",
            self.kind.label_it(),
            self.territory,
            self.ends_on
        )
    }
}

/// A period to record.
#[derive(Debug, Clone)]
pub struct NewElectionPeriod {
    pub kind: ElectionKind,
    pub territory: String,
    pub starts_on: Date,
    pub ends_on: Date,
    pub act: Option<String>,
}

impl Desk {
    /// Records a period. A dirigente's decision, audited.
    pub fn add_election_period(&self, by: &Actor, new: &NewElectionPeriod) -> Result<i64> {
        by.require(&[Role::Dirigente], "registrare un periodo elettorale")?;
        if new.territory.trim().is_empty() {
            return Err(DeskError::InvalidInput(
                "indica il territorio della consultazione".into(),
            ));
        }
        if new.ends_on < new.starts_on {
            return Err(DeskError::InvalidInput(format!(
                "il periodo finisce il {} prima di cominciare il {}",
                new.ends_on, new.starts_on
            )));
        }
        let now = self.now();
        self.write(|tx| {
            let id = tx.insert(
                "INSERT INTO election_periods (admin_id, kind, territory, starts_on, ends_on, act, created_by, created_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                &[
                    by.admin_id.into(),
                    new.kind.into(),
                    new.territory.trim().into(),
                    new.starts_on.to_string().into(),
                    new.ends_on.to_string().into(),
                    new.act.clone().into(),
                    by.staff_id.into(),
                    now.into(),
                ],
            )?;
            record(
                tx,
                by.admin_id,
                now,
                &entry(
                    by.audit_name(),
                    AuditKind::ElectionPeriodAdd,
                    AuditTarget::ElectionPeriod,
                    id,
                )
                .payload(serde_json::json!({
                    "kind": new.kind,
                    "territory": new.territory.trim(),
                    "starts_on": new.starts_on.to_string(),
                    "ends_on": new.ends_on.to_string(),
                })),
            )?;
            Ok(id)
        })
    }

    /// Every period recorded, the latest first.
    pub fn election_periods(&self, admin_id: AdminId) -> Result<Vec<ElectionPeriod>> {
        self.read(|tx| {
            tx.query(
                "SELECT e.id, e.kind, e.territory, e.starts_on, e.ends_on, e.act, s.username
                 FROM election_periods e LEFT JOIN staff s ON s.id = e.created_by
                 WHERE e.admin_id = ? ORDER BY e.starts_on DESC, e.id DESC",
                &[admin_id.into()],
            )?
            .iter()
            .map(|r| {
                Ok(ElectionPeriod {
                    id: r.int(0)?,
                    kind: r.text(1)?.parse()?,
                    territory: r.text(2)?,
                    starts_on: r.text(3)?,
                    ends_on: r.text(4)?,
                    act: r.opt_text(5)?,
                    created_by: r.opt_text(6)?,
                })
            })
            .collect()
        })
    }

    /// The period in force today (Rome), if any.
    pub fn election_period_now(&self, admin_id: AdminId) -> Result<Option<ElectionPeriod>> {
        self.election_period_at(admin_id, self.now())
    }

    /// The period in force on the day (Rome) of the instant `at` (epoch
    /// milliseconds), if any.
    pub fn election_period_at(&self, admin_id: AdminId, at: i64) -> Result<Option<ElectionPeriod>> {
        let today = Timestamp::from_millisecond(at)
            .map(piazza_calendar::local_date)
            .map_err(|e| DeskError::InvalidInput(format!("orologio non valido: {e}")))?
            .to_string();
        // ISO dates compare as strings.
        Ok(self
            .election_periods(admin_id)?
            .into_iter()
            .find(|p| p.starts_on <= today && today <= p.ends_on))
    }
}
