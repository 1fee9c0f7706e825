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
use crate::drafts::DraftDecision;
use crate::ids::{AccountId, AdminId, DraftId};
use crate::registry::{Actor, Role};
use crate::{Desk, DeskError, Result};

closed_set! {
    /// A political figure's role, as the checks name it.
    pub enum FigureRole ("ruolo politico") {
        Sindaco = "sindaco" => "sindaco o sindaca",
        Vicesindaco = "vicesindaco" => "vicesindaco o vicesindaca",
        Assessore = "assessore" => "assessore o assessora",
        Consigliere = "consigliere" => "consigliere o consigliera",
        Candidato = "candidato" => "candidato o candidata",
    }
}

/// A person whose name the election period's checks flag.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicFigure {
    pub id: i64,
    pub name: String,
    pub role: FigureRole,
}

/// A publication of the administration during a period, for the record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodPublication {
    pub draft_id: DraftId,
    pub title: String,
    pub account_id: AccountId,
    pub account: String,
    pub platform: String,
    pub published_at: i64,
    /// The platform's post id.
    pub post_ref: Option<String>,
    pub version: i64,
    /// The text as it went out (licence footer included).
    pub text: String,
    /// Who approved the published version, each with their statement
    /// that the text is impersonal and indispensable.
    pub approvals: Vec<(String, Option<String>)>,
    /// Published on the urgent path: by whom, why, and their statement.
    pub urgent: Option<(String, String, Option<String>)>,
}

/// Everything the administration published through Piazza during one
/// period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodRecord {
    pub period: ElectionPeriod,
    pub publications: Vec<PeriodPublication>,
}

impl PeriodRecord {
    /// The record as CSV (UTF-8, comma-separated, one publication a row),
    /// every cell defused against spreadsheet formulas.
    pub fn to_csv(&self) -> String {
        let mut out = String::from(
            "bozza,titolo,account,piattaforma,pubblicata_il,id_post,versione,approvata_da,dichiarazioni,urgenza,testo\n",
        );
        for p in &self.publications {
            let approvals: Vec<&str> = p.approvals.iter().map(|(by, _)| by.as_str()).collect();
            let statements: Vec<String> =
                p.approvals
                    .iter()
                    .filter_map(|(by, r)| r.as_ref().map(|r| format!("{by}: {r}")))
                    .chain(p.urgent.iter().filter_map(|(by, _, r)| {
                        r.as_ref().map(|r| format!("{by} (urgenza): {r}"))
                    }))
                    .collect();
            let cells = [
                p.draft_id.to_string(),
                p.title.clone(),
                p.account.clone(),
                p.platform.clone(),
                crate::italian_when(p.published_at),
                p.post_ref.clone().unwrap_or_default(),
                p.version.to_string(),
                approvals.join("; "),
                statements.join("; "),
                p.urgent
                    .as_ref()
                    .map(|(by, why, _)| format!("{by}: {why}"))
                    .unwrap_or_default(),
                p.text.clone(),
            ];
            let row: Vec<String> = cells.iter().map(|c| csv_field(c)).collect();
            out.push_str(&row.join(","));
            out.push('\n');
        }
        out
    }
}

/// One CSV cell: quoted when it holds a separator, a quote or a line
/// break, and with a leading `=`, `+`, `-` or `@` defused (a spreadsheet
/// would run it as a formula).
pub fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r', ';']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

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

    /// One period.
    pub fn election_period(&self, admin_id: AdminId, id: i64) -> Result<ElectionPeriod> {
        self.election_periods(admin_id)?
            .into_iter()
            .find(|p| p.id == id)
            .ok_or(DeskError::NotFound {
                what: "periodo elettorale",
                id: id.to_string(),
            })
    }

    /// Everything published through Piazza from the first to the last day
    /// of a period (Rome), with the text as it went out, the post id, the
    /// approvals and their statements: the record L. 28/2000 asks the
    /// administration to be able to show. Publications left to a person
    /// (accounts not connected) are not known to Piazza and not listed.
    pub fn election_record(&self, admin_id: AdminId, id: i64) -> Result<PeriodRecord> {
        let period = self.election_period(admin_id, id)?;
        let rows = self.read(|tx| {
            Ok(tx.query(
                "SELECT d.id FROM drafts d WHERE d.admin_id = ? AND d.state = 'pubblicata' AND d.published_at IS NOT NULL
                 ORDER BY d.published_at, d.id",
                &[admin_id.into()],
            )?)
        })?;
        let mut publications = Vec::new();
        for r in rows {
            let d = self.draft(admin_id, DraftId(r.int(0)?))?;
            let Some(at) = d.published_at else { continue };
            let day = Timestamp::from_millisecond(at)
                .map(piazza_calendar::local_date)
                .map_err(|e| DeskError::InvalidInput(format!("data non valida: {e}")))?
                .to_string();
            if day < period.starts_on || day > period.ends_on {
                continue;
            }
            let text: Option<String> = self.read(|tx| {
                Ok(tx
                    .query_opt(
                        "SELECT body FROM outbox WHERE draft_id = ? AND state = 'done' ORDER BY id DESC LIMIT 1",
                        &[d.id.into()],
                    )?
                    .map(|r| r.opt_text(0))
                    .transpose()?
                    .flatten())
            })?;
            publications.push(PeriodPublication {
                draft_id: d.id,
                title: d.title.clone(),
                account_id: d.account_id,
                account: d.account_name.clone(),
                platform: d.platform.clone(),
                published_at: at,
                post_ref: d.published_ref.clone(),
                version: d.version,
                text: text.unwrap_or_else(|| d.current().content.body.clone()),
                approvals: d
                    .decisions
                    .iter()
                    .filter(|a| a.version == d.version && a.decision == DraftDecision::Approva)
                    .map(|a| (a.by.clone(), a.impersonal_reason.clone()))
                    .collect(),
                urgent: d
                    .urgent
                    .as_ref()
                    .map(|u| (u.by.clone(), u.reason.clone(), u.impersonal_reason.clone())),
            });
        }
        Ok(PeriodRecord {
            period,
            publications,
        })
    }

    /// Records a political figure whose name the election period's checks
    /// flag. A dirigente's act, audited.
    pub fn add_public_figure(&self, by: &Actor, name: &str, role: FigureRole) -> Result<i64> {
        by.require(
            &[Role::Dirigente],
            "registrare un amministratore o un candidato",
        )?;
        let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.chars().filter(|c| c.is_alphabetic()).count() < 3 || !name.contains(' ') {
            return Err(DeskError::InvalidInput(format!(
                "«{name}»: scrivi nome e cognome (un nome solo darebbe segnalazioni sbagliate)"
            )));
        }
        let now = self.now();
        self.write(|tx| {
            let id = tx.insert(
                "INSERT INTO public_figures (admin_id, name, role, active, created_by, created_at) VALUES (?, ?, ?, 1, ?, ?) RETURNING id",
                &[by.admin_id.into(), name.clone().into(), role.into(), by.staff_id.into(), now.into()],
            )?;
            record(
                tx,
                by.admin_id,
                now,
                &entry(by.audit_name(), AuditKind::PublicFigureAdd, AuditTarget::PublicFigure, id)
                    .payload(serde_json::json!({ "name": name, "role": role })),
            )?;
            Ok(id)
        })
    }

    /// Takes a figure off the list (the end of a mandate). Audited.
    pub fn remove_public_figure(&self, by: &Actor, id: i64) -> Result<()> {
        by.require(
            &[Role::Dirigente],
            "togliere un amministratore o un candidato dall'elenco",
        )?;
        let now = self.now();
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE public_figures SET active = 0 WHERE admin_id = ? AND id = ? AND active = 1",
                &[by.admin_id.into(), id.into()],
            )?;
            if n != 1 {
                return Err(DeskError::NotFound {
                    what: "persona dell'elenco politico",
                    id: id.to_string(),
                });
            }
            record(
                tx,
                by.admin_id,
                now,
                &entry(
                    by.audit_name(),
                    AuditKind::PublicFigureRemove,
                    AuditTarget::PublicFigure,
                    id,
                ),
            )?;
            Ok(())
        })
    }

    /// The figures on the list.
    pub fn public_figures(&self, admin_id: AdminId) -> Result<Vec<PublicFigure>> {
        self.read(|tx| {
            tx.query(
                "SELECT id, name, role FROM public_figures WHERE admin_id = ? AND active = 1 ORDER BY name, id",
                &[admin_id.into()],
            )?
            .iter()
            .map(|r| {
                Ok(PublicFigure {
                    id: r.int(0)?,
                    name: r.text(1)?,
                    role: r.text(2)?.parse()?,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("semplice"), "semplice");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("detto \"così\""), "\"detto \"\"così\"\"\"");
        assert_eq!(csv_field("=SOMMA(A1)"), "'=SOMMA(A1)");
        assert_eq!(csv_field("-1"), "'-1");
        assert_eq!(csv_field("riga\nnuova"), "\"riga\nnuova\"");
    }
}
