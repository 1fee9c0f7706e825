//! Reports for the staff (per account, office, clause and category;
//! response times against deadlines; bar charts drawn as inline SVG on the
//! server, each with its table as the text alternative; CSV export of every
//! table) and the public moderation statistics per clause, which carry no
//! personal data.

use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use piazza_desk::{AdminId, ModerationStats, ResponseTimeReport};
use serde::Serialize;

use crate::auth::Authenticated;
use crate::desk::{DeskSection, category_label, context};
use crate::error::AppError;
use crate::pages::{Layout, Section, render};
use crate::state::AppState;
use crate::views::{Pairs, day_value, parse_when};

const DAY_MS: i64 = 86_400_000;

/// The period of a report: `dal` and `al` (days, Rome time, `al`
/// included), the last 30 days by default.
pub(crate) fn period(q: &Pairs, now: i64, default_days: i64) -> Result<(i64, i64), AppError> {
    let bad = |what: &str| AppError::Desk {
        code: "invalid_input",
        message: format!("Dati non validi: data {what} non valida (formato AAAA-MM-GG)."),
    };
    let to = match q.get("al") {
        Some(d) => parse_when(d).ok_or_else(|| bad("finale"))? + DAY_MS,
        // The end of today.
        None => parse_when(&day_value(now)).unwrap_or(now) + DAY_MS,
    };
    let from = match q.get("dal") {
        Some(d) => parse_when(d).ok_or_else(|| bad("iniziale"))?,
        None => to - default_days * DAY_MS,
    };
    if from >= to {
        return Err(AppError::Desk {
            code: "invalid_input",
            message: "Dati non validi: il periodo finisce prima di cominciare.".into(),
        });
    }
    Ok((from, to))
}

#[derive(Serialize)]
pub(crate) struct Report {
    from: i64,
    to: i64,
    response_times: ResponseTimeReport,
    moderation: ModerationStats,
}

async fn report(state: &AppState, admin: AdminId, q: &Pairs) -> Result<Report, AppError> {
    let (from, to) = period(q, state.desk.now(), 30)?;
    state
        .run(move |d| {
            Ok(Report {
                from,
                to,
                response_times: d.response_times(admin, from, to)?,
                moderation: d.moderation_stats(admin, from, to)?,
            })
        })
        .await
}

/// A table of a report: what the page shows, the chart draws and the CSV
/// exports.
pub(crate) struct Table {
    pub id: &'static str,
    pub title: String,
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
    /// The column the chart draws (a count), if any.
    pub chart_column: Option<usize>,
}

fn pct(x: Option<f64>) -> String {
    x.map(|v| format!("{:.0}%", v * 100.0))
        .unwrap_or_else(|| "—".into())
}

fn minutes(m: Option<i64>) -> String {
    match m {
        None => "—".into(),
        Some(m) if m < 60 => format!("{m} min"),
        Some(m) => format!("{} h {:02} min", m / 60, m % 60),
    }
}

fn action_label(k: &str) -> String {
    k.parse::<piazza_desk::ActionKind>()
        .map(|k| k.label_it().to_string())
        .unwrap_or_else(|_| k.to_string())
}

fn tables(r: &Report) -> Vec<Table> {
    let m = &r.moderation;
    let times = |group: &str| -> Vec<Vec<String>> {
        r.response_times
            .rows
            .iter()
            .filter(|row| row.group == group)
            .map(|row| {
                vec![
                    row.name.clone(),
                    row.items.to_string(),
                    row.answered.to_string(),
                    minutes(row.median_minutes),
                    minutes(row.p90_minutes),
                    pct(row.within_deadline),
                    row.breaches.to_string(),
                    row.open.to_string(),
                ]
            })
            .collect()
    };
    let time_headers = vec![
        "Nome",
        "Richieste",
        "Risposte",
        "Tempo mediano (ore lavorative)",
        "90° percentile",
        "Entro la scadenza",
        "Scadenze superate",
        "Ancora aperte",
    ];
    vec![
        Table {
            id: "account",
            title: "Per account: commenti ricevuti e decisioni restrittive".into(),
            headers: vec!["Account", "Commenti", "Decisioni restrittive"],
            rows: m
                .by_account
                .iter()
                .map(|(n, c, d)| vec![n.clone(), c.to_string(), d.to_string()])
                .collect(),
            chart_column: Some(1),
        },
        Table {
            id: "clausola",
            title: "Per regola citata: decisioni restrittive".into(),
            headers: vec!["Regola", "Titolo", "Decisioni"],
            rows: m
                .by_clause
                .iter()
                .map(|(n, t, c)| vec![format!("Regola {n}"), t.clone(), c.to_string()])
                .collect(),
            chart_column: Some(2),
        },
        Table {
            id: "categoria",
            title: "Per categoria: commenti segnalati e decisioni".into(),
            headers: vec!["Categoria", "Commenti segnalati", "Decisioni"],
            rows: m
                .by_category
                .iter()
                .map(|(_, l, f, d)| vec![l.clone(), f.to_string(), d.to_string()])
                .collect(),
            chart_column: Some(1),
        },
        Table {
            id: "azione",
            title: "Per azione".into(),
            headers: vec!["Azione", "Numero"],
            rows: m
                .by_action
                .iter()
                .map(|(k, n)| vec![action_label(k), n.to_string()])
                .collect(),
            chart_column: Some(1),
        },
        Table {
            id: "riesami",
            title: "Richieste di riesame ricevute nel periodo".into(),
            headers: vec![
                "Ricevute",
                "Decisione confermata",
                "Decisione annullata",
                "Da decidere",
            ],
            rows: vec![vec![
                m.appeals.received.to_string(),
                m.appeals.upheld.to_string(),
                m.appeals.reversed.to_string(),
                m.appeals.open.to_string(),
            ]],
            chart_column: None,
        },
        Table {
            id: "tempi_account",
            title: "Tempi di risposta rispetto alle scadenze, per account".into(),
            headers: time_headers.clone(),
            rows: times("account"),
            chart_column: Some(6),
        },
        Table {
            id: "tempi_ufficio",
            title: "Tempi di risposta rispetto alle scadenze, per ufficio".into(),
            headers: time_headers,
            rows: times("office"),
            chart_column: Some(6),
        },
    ]
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// A horizontal bar chart as inline SVG. The chart is an image with a
/// title and a description; the table beside it is its full text
/// alternative. No inline style: colours come from the stylesheet.
pub(crate) fn bar_chart(id: &str, title: &str, bars: &[(String, f64)], late: bool) -> String {
    let row_h = 28.0;
    let label_w = 240.0;
    let bar_w = 420.0;
    let height = (bars.len().max(1) as f64) * row_h + 10.0;
    let max = bars.iter().map(|(_, v)| *v).fold(0.0, f64::max).max(1.0);
    let desc = if bars.is_empty() {
        "Nessun dato nel periodo.".to_string()
    } else {
        bars.iter()
            .map(|(l, v)| format!("{l}: {v}"))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let mut svg = format!(
        "<svg class=\"piazza-chart\" role=\"img\" aria-labelledby=\"{id}-t {id}-d\" viewBox=\"0 0 {w} {height}\" width=\"100%\" preserveAspectRatio=\"xMinYMin meet\" xmlns=\"http://www.w3.org/2000/svg\"><title id=\"{id}-t\">{t}</title><desc id=\"{id}-d\">{d}</desc>",
        w = label_w + bar_w + 60.0,
        t = xml_escape(title),
        d = xml_escape(&desc),
    );
    for (i, (label, value)) in bars.iter().enumerate() {
        let y = i as f64 * row_h + 5.0;
        let w = (value / max * bar_w).max(if *value > 0.0 { 2.0 } else { 0.0 });
        let short: String = label.chars().take(34).collect();
        svg.push_str(&format!(
            "<text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\">{l}</text><rect class=\"{class}\" x=\"{bx}\" y=\"{y}\" width=\"{w:.1}\" height=\"{h}\"></rect><text x=\"{vx:.1}\" y=\"{ty}\">{v}</text>",
            lx = label_w - 8.0,
            ty = y + row_h * 0.6,
            l = xml_escape(&short),
            class = if late { "bar bar-late" } else { "bar" },
            bx = label_w,
            h = row_h - 8.0,
            vx = label_w + w + 6.0,
            v = value,
        ));
    }
    svg.push_str("</svg>");
    svg
}

fn chart_of(t: &Table) -> Option<String> {
    let col = t.chart_column?;
    let bars: Vec<(String, f64)> = t
        .rows
        .iter()
        .map(|r| {
            let label = if t.id == "clausola" {
                format!("{} – {}", r[0], r[1])
            } else {
                r[0].clone()
            };
            (label, r[col].parse::<f64>().unwrap_or(0.0))
        })
        .collect();
    Some(bar_chart(
        &format!("grafico-{}", t.id),
        &t.title,
        &bars,
        t.id.starts_with("tempi"),
    ))
}

struct TableView {
    table: Table,
    chart: Option<String>,
    csv: String,
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ReportsPage {
    layout: Layout,
    from: String,
    to: String,
    comments: i64,
    tables: Vec<TableView>,
}

fn query_string(q: &Pairs, extra: (&str, &str)) -> String {
    let mut pairs: Vec<(String, String)> =
        q.0.iter()
            .filter(|(k, _)| k == "dal" || k == "al")
            .cloned()
            .collect();
    pairs.push((extra.0.into(), extra.1.into()));
    serde_urlencoded::to_string(&pairs).unwrap_or_default()
}

pub(crate) async fn reports_page(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    session.refuse_office_only()?;
    let q = Pairs(q);
    let ctx = context(&state, &session).await?;
    let r = report(&state, session.admin_id, &q).await?;
    let tables = tables(&r)
        .into_iter()
        .map(|t| TableView {
            chart: chart_of(&t),
            csv: format!("/desk/report.csv?{}", query_string(&q, ("table", t.id))),
            table: t,
        })
        .collect();
    Ok(render(&ReportsPage {
        layout: Layout::desk(&state, &session, &ctx, "Report", DeskSection::Reports),
        from: day_value(r.from),
        to: day_value(r.to - DAY_MS),
        comments: r.moderation.comments,
        tables,
    }))
}

pub(crate) use piazza_desk::csv_field;

/// `GET /desk/report.csv?table=ID&dal=...&al=...`: one table of the report
/// as CSV (UTF-8 with a byte-order mark, so spreadsheets read the accents).
pub(crate) async fn report_csv(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    session.refuse_office_only()?;
    let q = Pairs(q);
    let id = q.get("table").unwrap_or("account").to_string();
    let r = report(&state, session.admin_id, &q).await?;
    let t = tables(&r)
        .into_iter()
        .find(|t| t.id == id)
        .ok_or(AppError::NotFound)?;
    let mut out = String::from("\u{feff}");
    let line = |cells: Vec<String>| {
        cells
            .iter()
            .map(|c| csv_field(c))
            .collect::<Vec<_>>()
            .join(",")
            + "\r\n"
    };
    out.push_str(&line(t.headers.iter().map(|h| h.to_string()).collect()));
    for row in t.rows {
        out.push_str(&line(row));
    }
    let mut res = out.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!(
            "attachment; filename=\"piazza-report-{id}-{}.csv\"",
            day_value(r.from)
        ))
        .map_err(|e| AppError::Internal(e.to_string()))?,
    );
    Ok(res)
}

/// `GET /api/v1/report?dal=...&al=...`.
pub(crate) async fn api_report(
    Authenticated(session): Authenticated,
    State(state): State<AppState>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Json<Report>, AppError> {
    // As the page: an office reads its tickets, not the moderation's
    // figures (found by the route × role test).
    session.refuse_office_only()?;
    Ok(Json(report(&state, session.admin_id, &Pairs(q)).await?))
}

// ---------------------------------------------------------------------------
// Public statistics.

/// Aggregate figures for citizens: no account, no author, no text.
#[derive(Serialize)]
pub(crate) struct PublicStats {
    from: i64,
    to: i64,
    comments: i64,
    /// Restrictive decisions per clause: number, title, count.
    by_clause: Vec<ClauseCount>,
    /// Per category: id, Italian label, comments flagged, decisions.
    by_category: Vec<CategoryCount>,
    by_action: Vec<ActionCount>,
    /// Requests for review received in the period, by outcome.
    appeals: piazza_desk::AppealCounts,
}

#[derive(Serialize)]
pub(crate) struct ClauseCount {
    clause: i64,
    title: String,
    decisions: i64,
}

#[derive(Serialize)]
pub(crate) struct CategoryCount {
    category: String,
    label: String,
    flagged: i64,
    decisions: i64,
}

#[derive(Serialize)]
pub(crate) struct ActionCount {
    action: String,
    label: String,
    count: i64,
}

async fn public_stats(
    state: &AppState,
    slug: &str,
    q: &Pairs,
) -> Result<
    (
        std::sync::Arc<piazza_desk::context::AdminContext>,
        PublicStats,
    ),
    AppError,
> {
    let ctx = state.administration(slug).await?;
    let (from, to) = period(q, state.desk.now(), 365)?;
    let admin = ctx.admin_id;
    let m = state
        .run(move |d| d.moderation_stats(admin, from, to))
        .await?;
    Ok((
        ctx,
        PublicStats {
            from,
            to,
            comments: m.comments,
            by_clause: m
                .by_clause
                .into_iter()
                .map(|(clause, title, decisions)| ClauseCount {
                    clause,
                    title,
                    decisions,
                })
                .collect(),
            appeals: m.appeals,
            by_category: m
                .by_category
                .into_iter()
                .map(|(category, _, flagged, decisions)| CategoryCount {
                    label: category_label(&category),
                    category,
                    flagged,
                    decisions,
                })
                .collect(),
            by_action: m
                .by_action
                .into_iter()
                .map(|(action, count)| ActionCount {
                    label: action_label(&action),
                    action,
                    count,
                })
                .collect(),
        },
    ))
}

#[derive(Template)]
#[template(path = "stats.html")]
struct StatsPage {
    layout: Layout,
    slug: String,
    name: String,
    from: String,
    to: String,
    stats: PublicStats,
    chart: String,
}

pub(crate) async fn public_stats_page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    auth: Option<Authenticated>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let (ctx, stats) = public_stats(&state, &slug, &Pairs(q)).await?;
    let bars: Vec<(String, f64)> = stats
        .by_clause
        .iter()
        .map(|c| {
            (
                format!("Regola {} – {}", c.clause, c.title),
                c.decisions as f64,
            )
        })
        .collect();
    Ok(render(&StatsPage {
        layout: Layout::administration(
            &slug,
            &ctx.policy,
            "Statistiche di moderazione",
            Section::Stats,
        )
        .with_staff(auth, &state),
        slug: slug.clone(),
        name: ctx.name.clone(),
        from: crate::views::when(stats.from)
            .split(' ')
            .next()
            .unwrap_or_default()
            .to_string(),
        to: crate::views::when(stats.to)
            .split(' ')
            .next()
            .unwrap_or_default()
            .to_string(),
        chart: bar_chart(
            "grafico-regole",
            "Decisioni restrittive per regola",
            &bars,
            false,
        ),
        stats,
    }))
}

/// `GET /api/v1/enti/{slug}/statistiche` (public).
pub(crate) async fn api_public_stats(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Json<PublicStats>, AppError> {
    Ok(Json(public_stats(&state, &slug, &Pairs(q)).await?.1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chart_escapes_labels_and_scales_bars() {
        let svg = bar_chart(
            "g",
            "Prova <1>",
            &[("a & b".into(), 10.0), ("c".into(), 5.0)],
            false,
        );
        assert!(svg.starts_with("<svg class=\"piazza-chart\" role=\"img\""));
        assert!(svg.contains("<title id=\"g-t\">Prova &lt;1&gt;</title>"));
        assert!(svg.contains("a &amp; b"));
        assert!(svg.contains("width=\"420.0\""));
        assert!(svg.contains("width=\"210.0\""));
        assert!(!svg.contains("style="));
        let empty = bar_chart("e", "Vuoto", &[], false);
        assert!(empty.contains("Nessun dato nel periodo."));
    }
}
