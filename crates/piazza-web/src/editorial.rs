//! The editorial desk's other pages: the calendar of publications (per
//! week, per account, by the office that asked and by campaign), and the
//! election periods with the political figures whose names the checks
//! flag and, per period, the record of everything published in it (CSV).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use piazza_calendar::jiff::ToSpan;
use piazza_calendar::jiff::civil::Date;
use piazza_desk::{AccountId, CalendarFilter, FigureRole, NewElectionPeriod, Role};
use serde::Deserialize;

use crate::auth::Authenticated;
use crate::csrf::{CSRF_FIELD, CsrfForm};
use crate::desk::{DeskSection, context};
use crate::drafts::{REVIEWERS, WRITERS};
use crate::error::AppError;
use crate::pages::{Layout, render};
use crate::state::AppState;
use crate::views::Pairs;

/// Who reads the election periods and their record: the editors, the
/// dirigenti, and the auditors (the DPO) who check the record.
pub(crate) const ELECTIONS: &[Role] = &[Role::Redattore, Role::Dirigente, Role::Auditor];

struct CalendarRow {
    id: String,
    time: String,
    title: String,
    account: String,
    state: String,
    office: String,
    campaign: String,
}

struct CalendarDay {
    label: String,
    rows: Vec<CalendarRow>,
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    layout: Layout,
    week: String,
    week_label: String,
    previous: String,
    next: String,
    days: Vec<CalendarDay>,
    unscheduled: Vec<CalendarRow>,
    accounts: Vec<(String, String)>,
    offices: Vec<String>,
    campaigns: Vec<String>,
    account: String,
    office: String,
    campaign: String,
    query: String,
    election: Option<String>,
}

/// Midnight in Rome at the start of `d`, in epoch ms.
fn midnight(d: Date) -> Result<i64, AppError> {
    piazza_calendar::local_midnight(d)
        .map(|t| t.as_millisecond())
        .map_err(|e| AppError::BadRequest(format!("data non valida: {e}")))
}

fn calendar_row(e: &piazza_desk::CalendarEntry) -> CalendarRow {
    let d = &e.draft;
    let time =
        e.at.and_then(|t| piazza_calendar::jiff::Timestamp::from_millisecond(t).ok())
            .map(|t| {
                let z = t.to_zoned(piazza_calendar::rome().clone());
                format!("{:02}:{:02}", z.hour(), z.minute())
            })
            .unwrap_or_default();
    CalendarRow {
        id: d.id.to_string(),
        time,
        title: d.title.clone(),
        account: format!("{} ({})", d.account_name, d.platform),
        state: if d.awaits_approval_after_urgent() {
            format!(
                "{} d’urgenza, approvazione da registrare",
                d.state.label_it()
            )
        } else if d.state == piazza_desk::DraftState::Programmata
            && d.publication.as_ref().is_some_and(|p| p.state.is_final())
        {
            "pubblicazione non riuscita o da fare a mano".to_string()
        } else {
            d.state.label_it().to_string()
        },
        office: d.requested_by.clone().unwrap_or_default(),
        campaign: d.campaign.clone().unwrap_or_default(),
    }
}

/// `GET /desk/calendario?settimana=YYYY-MM-DD&account=&ufficio=&campagna=`.
pub(crate) async fn calendar(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    session.require(&[WRITERS, REVIEWERS].concat())?;
    let ctx = context(&state, &session).await?;
    let q = Pairs(q);
    let today = piazza_calendar::local_date(piazza_calendar::jiff::Timestamp::now());
    let day = match q.get("settimana").filter(|s| !s.is_empty()) {
        Some(s) => piazza_calendar::parse_date(s)
            .map_err(|e| AppError::BadRequest(format!("settimana «{s}»: {e}")))?,
        None => today,
    };
    let monday = piazza_calendar::week_start(day);
    let days: Vec<Date> = (0..8)
        .map(|i| monday.checked_add(i.days()))
        .collect::<Result<_, _>>()
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let account = q.get("account").unwrap_or("").to_string();
    let office = q.get("ufficio").unwrap_or("").to_string();
    let campaign = q.get("campagna").unwrap_or("").to_string();
    let filter = CalendarFilter {
        from: midnight(days[0])?,
        to: midnight(days[7])?,
        account: account.parse::<i64>().ok().map(AccountId),
        office: Some(office.clone()).filter(|o| !o.is_empty()),
        campaign: Some(campaign.clone()).filter(|c| !c.is_empty()),
    };
    let admin = session.admin_id;
    let (cal, accounts, election) = state
        .run(move |d| {
            Ok((
                d.editorial_calendar(admin, &filter)?,
                d.accounts(admin)?,
                d.election_period_now(admin)?,
            ))
        })
        .await?;
    let mut out: Vec<CalendarDay> = days[..7]
        .iter()
        .map(|d| CalendarDay {
            label: piazza_calendar::day_label_it(*d),
            rows: Vec::new(),
        })
        .collect();
    for e in &cal.entries {
        let Some(at) = e.at else { continue };
        let i = days[..7]
            .iter()
            .rposition(|d| midnight(*d).is_ok_and(|m| m <= at))
            .unwrap_or(0);
        out[i].rows.push(calendar_row(e));
    }
    let query = format!(
        "&account={}&ufficio={}&campagna={}",
        urlencoding(&account),
        urlencoding(&office),
        urlencoding(&campaign)
    );
    let page = CalendarPage {
        layout: Layout::desk(
            &state,
            &session,
            &ctx,
            "Calendario editoriale",
            DeskSection::Calendar,
        ),
        week: monday.to_string(),
        week_label: format!(
            "dal {} al {}",
            piazza_calendar::day_label_it(days[0]),
            piazza_calendar::day_label_it(days[6])
        ),
        previous: monday
            .checked_sub(7.days())
            .map(|d| d.to_string())
            .unwrap_or_default(),
        next: days[7].to_string(),
        days: out,
        unscheduled: cal.unscheduled.iter().map(calendar_row).collect(),
        accounts: accounts
            .iter()
            .map(|a| (a.id.to_string(), format!("{} ({})", a.name, a.platform)))
            .collect(),
        offices: cal.offices,
        campaigns: cal.campaigns,
        account,
        office,
        campaign,
        query,
        election: election.map(|p| p.notice_it()),
    };
    Ok(render(&page))
}

/// Percent-encodes a query value.
fn urlencoding(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

struct PeriodRow {
    id: i64,
    kind: &'static str,
    territory: String,
    from: String,
    to: String,
    act: String,
}

#[derive(Template)]
#[template(path = "elections.html")]
struct ElectionsPage {
    layout: Layout,
    csrf_field: &'static str,
    csrf_token: String,
    in_force: Option<String>,
    periods: Vec<PeriodRow>,
    people: Vec<(i64, String, &'static str)>,
    kinds: Vec<(&'static str, &'static str)>,
    roles: Vec<(&'static str, &'static str)>,
    can_manage: bool,
    notice: Option<&'static str>,
}

/// `GET /desk/elezioni`.
pub(crate) async fn elections(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    session.require(ELECTIONS)?;
    let ctx = context(&state, &session).await?;
    let admin = session.admin_id;
    let (periods, now, people) = state
        .run(move |d| {
            Ok((
                d.election_periods(admin)?,
                d.election_period_now(admin)?,
                d.public_figures(admin)?,
            ))
        })
        .await?;
    let notice = match Pairs(q).get("esito") {
        Some("periodo") => Some("Periodo elettorale registrato."),
        Some("persona") => Some("Persona aggiunta all’elenco."),
        Some("tolta") => Some("Persona tolta dall’elenco."),
        _ => None,
    };
    let page = ElectionsPage {
        layout: Layout::desk(
            &state,
            &session,
            &ctx,
            "Periodi elettorali",
            DeskSection::Elections,
        ),
        csrf_field: CSRF_FIELD,
        csrf_token: state.csrf.token(&session.session_id),
        in_force: now.map(|p| p.notice_it()),
        periods: periods
            .into_iter()
            .map(|p| PeriodRow {
                id: p.id,
                kind: p.kind.label_it(),
                territory: p.territory,
                from: p.starts_on,
                to: p.ends_on,
                act: p.act.unwrap_or_default(),
            })
            .collect(),
        people: people
            .into_iter()
            .map(|f| (f.id, f.name, f.role.label_it()))
            .collect(),
        kinds: piazza_desk::ElectionKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label_it()))
            .collect(),
        roles: FigureRole::ALL
            .iter()
            .map(|r| (r.as_str(), r.label_it()))
            .collect(),
        can_manage: session.has_any(&[Role::Dirigente]),
        notice,
    };
    Ok(render(&page))
}

#[derive(Deserialize)]
pub(crate) struct PeriodForm {
    tipo: String,
    territorio: String,
    dal: String,
    al: String,
    #[serde(default)]
    atto: String,
}

/// `POST /desk/elezioni`: records a period (a dirigente).
pub(crate) async fn add_period(
    State(state): State<AppState>,
    CsrfForm { session, form }: CsrfForm<PeriodForm>,
) -> Result<Response, AppError> {
    let date = |s: &str| {
        piazza_calendar::parse_date(s).map_err(|e| AppError::BadRequest(format!("«{s}»: {e}")))
    };
    let new = NewElectionPeriod {
        kind: form
            .tipo
            .parse()
            .map_err(|e: piazza_desk::DeskError| AppError::BadRequest(e.message_it()))?,
        territory: form.territorio.clone(),
        starts_on: date(&form.dal)?,
        ends_on: date(&form.al)?,
        act: Some(form.atto.trim().to_string()).filter(|a| !a.is_empty()),
    };
    let actor = session.actor();
    state
        .run(move |d| d.add_election_period(&actor, &new))
        .await?;
    Ok(Redirect::to("/desk/elezioni?esito=periodo").into_response())
}

#[derive(Deserialize)]
pub(crate) struct PersonForm {
    nome: String,
    ruolo: String,
}

/// `POST /desk/elezioni/persone`: adds a political figure (a dirigente).
pub(crate) async fn add_person(
    State(state): State<AppState>,
    CsrfForm { session, form }: CsrfForm<PersonForm>,
) -> Result<Response, AppError> {
    let role: FigureRole = form
        .ruolo
        .parse()
        .map_err(|e: piazza_desk::DeskError| AppError::BadRequest(e.message_it()))?;
    let actor = session.actor();
    state
        .run(move |d| d.add_public_figure(&actor, &form.nome, role))
        .await?;
    Ok(Redirect::to("/desk/elezioni?esito=persona#persone").into_response())
}

#[derive(Deserialize)]
pub(crate) struct EmptyForm {}

/// `POST /desk/elezioni/persone/{id}/togli`.
pub(crate) async fn remove_person(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm { session, form: _ }: CsrfForm<EmptyForm>,
) -> Result<Response, AppError> {
    let actor = session.actor();
    state
        .run(move |d| d.remove_public_figure(&actor, id))
        .await?;
    Ok(Redirect::to("/desk/elezioni?esito=tolta#persone").into_response())
}

/// `GET /desk/elezioni/{id}/registro.csv`: everything published in the
/// period, for the record (UTF-8 with a byte-order mark for spreadsheets).
pub(crate) async fn period_record_csv(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    session.require(ELECTIONS)?;
    let admin = session.admin_id;
    let record = state.run(move |d| d.election_record(admin, id)).await?;
    let mut res = format!("\u{feff}{}", record.to_csv()).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!(
            "attachment; filename=\"piazza-periodo-elettorale-{id}.csv\""
        ))
        .map_err(|e| AppError::Internal(e.to_string()))?,
    );
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(urlencoding("Natale 2026"), "Natale%202026");
        assert_eq!(urlencoding("a&b=c"), "a%26b%3Dc");
        assert_eq!(urlencoding("Città"), "Citt%C3%A0");
    }
}
