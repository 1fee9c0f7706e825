//! The public transparency report, per month and per account: HTML with
//! charts (each with its data as text), CSV (one row per month and
//! account) and JSON. Aggregate numbers only, the same for citizens and
//! staff. An account is always named with its platform.

use std::collections::BTreeMap;

use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use piazza_desk::{ActionKind, TransparencyReport, TransparencyRow};

use crate::auth::Authenticated;
use crate::error::AppError;
use crate::pages::{Layout, Section, render};
use crate::reports::{bar_chart, csv_field, period};
use crate::state::AppState;
use crate::views::Pairs;

async fn report(
    state: &AppState,
    slug: &str,
    q: &Pairs,
) -> Result<
    (
        std::sync::Arc<piazza_desk::AdminContext>,
        TransparencyReport,
    ),
    AppError,
> {
    let ctx = state.administration(slug).await?;
    let (from, to) = period(q, state.desk.now(), 365)?;
    let admin = ctx.admin_id;
    let r = state
        .run(move |d| d.transparency_report(admin, from, to))
        .await?;
    Ok((ctx, r))
}

fn minutes(m: Option<i64>) -> String {
    match m {
        None => "—".into(),
        Some(m) if m < 60 => format!("{m} min"),
        Some(m) => format!("{} h {:02} min", m / 60, m % 60),
    }
}

fn measure_label(id: &str) -> String {
    id.parse::<ActionKind>()
        .map(|k| k.label_it().to_string())
        .unwrap_or_else(|_| id.to_string())
}

struct RowView {
    month: String,
    label: String,
    comments: i64,
    flagged: String,
    measures: String,
    clauses: String,
    median: String,
    appeals: String,
}

fn row_view(r: &TransparencyRow) -> RowView {
    RowView {
        month: r.month.clone(),
        label: r.label.clone(),
        comments: r.comments,
        flagged: match r.flagged_share {
            Some(s) => format!("{} ({:.0}%)", r.flagged, s * 100.0),
            None => r.flagged.to_string(),
        },
        measures: r
            .decisions_by_measure
            .iter()
            .map(|(k, n)| format!("{}: {n}", measure_label(k)))
            .collect::<Vec<_>>()
            .join("; "),
        clauses: r
            .decisions_by_clause
            .iter()
            .map(|(c, n)| format!("regola {c}: {n}"))
            .collect::<Vec<_>>()
            .join("; "),
        median: minutes(r.median_minutes_to_decision),
        appeals: if r.appeals.received == 0 {
            "0".into()
        } else {
            format!(
                "{} (confermate {}, annullate {}, da decidere {})",
                r.appeals.received, r.appeals.upheld, r.appeals.reversed, r.appeals.open
            )
        },
    }
}

#[derive(Template)]
#[template(path = "transparency.html")]
struct TransparencyPage {
    layout: Layout,
    slug: String,
    name: String,
    from: String,
    to: String,
    query: String,
    rows: Vec<RowView>,
    charts: Vec<String>,
}

/// Totals over the period, per account label.
fn per_account(r: &TransparencyReport, f: impl Fn(&TransparencyRow) -> i64) -> Vec<(String, f64)> {
    let mut m: BTreeMap<&str, i64> = BTreeMap::new();
    for row in &r.rows {
        *m.entry(&row.label).or_default() += f(row);
    }
    m.into_iter()
        .map(|(l, v)| (l.to_string(), v as f64))
        .collect()
}

fn charts(r: &TransparencyReport) -> Vec<String> {
    let mut by_measure: BTreeMap<String, i64> = BTreeMap::new();
    for row in &r.rows {
        for (k, n) in &row.decisions_by_measure {
            *by_measure.entry(measure_label(k)).or_default() += n;
        }
    }
    vec![
        bar_chart(
            "grafico-commenti",
            "Commenti ricevuti nel periodo, per account",
            &per_account(r, |row| row.comments),
            false,
        ),
        bar_chart(
            "grafico-segnalati",
            "Commenti segnalati dall’analisi automatica, per account",
            &per_account(r, |row| row.flagged),
            false,
        ),
        bar_chart(
            "grafico-misure",
            "Decisioni nel periodo, per misura",
            &by_measure
                .into_iter()
                .map(|(l, v)| (l, v as f64))
                .collect::<Vec<_>>(),
            false,
        ),
        bar_chart(
            "grafico-riesami",
            "Richieste di riesame nel periodo, per account",
            &per_account(r, |row| row.appeals.received),
            false,
        ),
    ]
}

fn day(ms: i64) -> String {
    crate::views::when(ms)
        .split(' ')
        .next()
        .unwrap_or_default()
        .to_string()
}

pub(crate) async fn transparency_page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    auth: Option<Authenticated>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let query = serde_urlencoded::to_string(
        q.iter()
            .filter(|(k, _)| k == "dal" || k == "al")
            .collect::<Vec<_>>(),
    )
    .unwrap_or_default();
    let (ctx, r) = report(&state, &slug, &Pairs(q)).await?;
    Ok(render(&TransparencyPage {
        layout: Layout::administration(
            &slug,
            &ctx.policy,
            "Rapporto di trasparenza",
            Section::Stats,
        )
        .with_staff(auth, &state),
        slug: slug.clone(),
        name: ctx.name.clone(),
        from: day(r.from),
        to: day(r.to - 1),
        query,
        rows: r.rows.iter().map(row_view).collect(),
        charts: charts(&r),
    }))
}

pub(crate) async fn transparency_json(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Json<TransparencyReport>, AppError> {
    Ok(Json(report(&state, &slug, &Pairs(q)).await?.1))
}

/// One row per month and account; every measure has its own column.
pub(crate) async fn transparency_csv(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let (_, r) = report(&state, &slug, &Pairs(q)).await?;
    let measures: Vec<ActionKind> = ActionKind::ALL
        .iter()
        .copied()
        .filter(|k| {
            !matches!(
                k,
                ActionKind::Assign | ActionKind::Reopen | ActionKind::Confirm | ActionKind::Reject
            )
        })
        .collect();
    let mut out = String::from("\u{feff}");
    let mut header = vec![
        "mese".to_string(),
        "account".into(),
        "piattaforma".into(),
        "commenti".into(),
        "segnalati_analisi".into(),
        "quota_segnalati".into(),
        "decisi".into(),
        "minuti_lavorativi_mediani_alla_decisione".into(),
    ];
    header.extend(measures.iter().map(|k| format!("misura_{}", k.as_str())));
    header.extend([
        "regole_citate".into(),
        "riesami_ricevuti".into(),
        "riesami_confermati".into(),
        "riesami_annullati".into(),
        "riesami_da_decidere".into(),
    ]);
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    for row in &r.rows {
        let mut f = vec![
            row.month.clone(),
            csv_field(&row.account),
            csv_field(&row.platform),
            row.comments.to_string(),
            row.flagged.to_string(),
            row.flagged_share
                .map(|s| format!("{s:.4}"))
                .unwrap_or_default(),
            row.decided.to_string(),
            row.median_minutes_to_decision
                .map(|m| m.to_string())
                .unwrap_or_default(),
        ];
        f.extend(measures.iter().map(|k| {
            row.decisions_by_measure
                .get(k.as_str())
                .copied()
                .unwrap_or(0)
                .to_string()
        }));
        f.push(csv_field(
            &row.decisions_by_clause
                .iter()
                .map(|(c, n)| format!("{c}:{n}"))
                .collect::<Vec<_>>()
                .join(" "),
        ));
        f.extend(
            [
                row.appeals.received,
                row.appeals.upheld,
                row.appeals.reversed,
                row.appeals.open,
            ]
            .map(|n| n.to_string()),
        );
        out.push_str(&f.join(","));
        out.push_str("\r\n");
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"trasparenza-{slug}.csv\""),
            ),
        ],
        out,
    )
        .into_response())
}
