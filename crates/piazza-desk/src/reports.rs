//! Reports: response times against the promised deadlines, per account and
//! per office, computed in working time.

use piazza_calendar::jiff::Timestamp;
use serde::Serialize;

use crate::ids::{AccountId, AdminId};
use crate::{Desk, Result};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseTimeRow {
    /// "account" or "office".
    pub group: &'static str,
    pub name: String,
    /// Items that needed a reply and have a deadline.
    pub items: u64,
    pub answered: u64,
    /// Working minutes from taking charge to the answer.
    pub median_minutes: Option<i64>,
    pub p90_minutes: Option<i64>,
    /// Share of answered items answered by their deadline (0..1).
    pub within_deadline: Option<f64>,
    /// Answered late, plus unanswered past the deadline.
    pub breaches: u64,
    pub open: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseTimeReport {
    pub from: i64,
    pub to: i64,
    pub rows: Vec<ResponseTimeRow>,
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[i64], p: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

struct Sample {
    account: String,
    office: String,
    minutes: Option<i64>,
    within: Option<bool>,
    breached: bool,
}

fn summarise(group: &'static str, name: String, samples: &[&Sample]) -> ResponseTimeRow {
    let mut minutes: Vec<i64> = samples.iter().filter_map(|s| s.minutes).collect();
    minutes.sort_unstable();
    let answered = minutes.len() as u64;
    let within = samples.iter().filter(|s| s.within == Some(true)).count() as f64;
    ResponseTimeRow {
        group,
        name,
        items: samples.len() as u64,
        answered,
        median_minutes: percentile(&minutes, 0.5),
        p90_minutes: percentile(&minutes, 0.9),
        within_deadline: (answered > 0).then(|| within / answered as f64),
        breaches: samples.iter().filter(|s| s.breached).count() as u64,
        open: samples.iter().filter(|s| s.minutes.is_none()).count() as u64,
    }
}

impl Desk {
    /// Response times of items received in `[from, to)`.
    pub fn response_times(
        &self,
        admin_id: AdminId,
        from: i64,
        to: i64,
    ) -> Result<ResponseTimeReport> {
        let ctx = self.context(admin_id)?;
        let accounts = self.accounts(admin_id)?;
        let now = self.now();
        let rows = self.read(|tx| {
            Ok(tx.query(
                "SELECT c.account_id, c.taken_in_charge_at, c.answered_at, c.deadline_at FROM comments c
                 WHERE c.admin_id = ? AND c.needs_reply = 1 AND c.deadline_at IS NOT NULL AND c.created_at >= ? AND c.created_at < ?",
                &[admin_id.into(), from.into(), to.into()],
            )?)
        })?;
        let mut samples = Vec::new();
        for r in rows {
            let account_id = AccountId(r.int(0)?);
            let Some(account) = accounts.iter().find(|a| a.id == account_id) else {
                continue;
            };
            let taken = r.opt_int(1)?;
            let answered = r.opt_int(2)?;
            let deadline = r.opt_int(3)?;
            // Counted as the promise counts: working days, office or moderation hours.
            let minutes = match (
                taken,
                answered,
                ctx.reply_clock(&account.hours)
                    .or_else(|| ctx.clock(&account.hours)),
            ) {
                (Some(t), Some(a), Some(clock)) => {
                    let (Ok(t), Ok(a)) = (
                        Timestamp::from_millisecond(t),
                        Timestamp::from_millisecond(a),
                    ) else {
                        continue;
                    };
                    // An answer before the office opened took no working time.
                    Some(clock.working_minutes_between(t, a.max(t)).unwrap_or(0))
                }
                _ => None,
            };
            let within = match (answered, deadline) {
                (Some(a), Some(d)) => Some(a <= d),
                _ => None,
            };
            let breached = match (answered, deadline) {
                (Some(a), Some(d)) => a > d,
                (None, Some(d)) => now > d,
                _ => false,
            };
            samples.push(Sample {
                account: crate::transparency::account_label(&account.name, &account.platform),
                office: account
                    .managing_office
                    .clone()
                    .unwrap_or_else(|| "(ufficio non indicato)".into()),
                minutes,
                within,
                breached,
            });
        }
        let mut out = Vec::new();
        let mut names: Vec<String> = samples.iter().map(|s| s.account.clone()).collect();
        names.sort();
        names.dedup();
        for n in names {
            let group: Vec<&Sample> = samples.iter().filter(|s| s.account == n).collect();
            out.push(summarise("account", n, &group));
        }
        let mut offices: Vec<String> = samples.iter().map(|s| s.office.clone()).collect();
        offices.sort();
        offices.dedup();
        for o in offices {
            let group: Vec<&Sample> = samples.iter().filter(|s| s.office == o).collect();
            out.push(summarise("office", o, &group));
        }
        Ok(ResponseTimeReport {
            from,
            to,
            rows: out,
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn nearest_rank_percentiles() {
        let v = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
        assert_eq!(super::percentile(&v, 0.5), Some(50));
        assert_eq!(super::percentile(&v, 0.9), Some(90));
        assert_eq!(super::percentile(&[7], 0.9), Some(7));
        assert_eq!(super::percentile(&[], 0.5), None);
    }
}

/// Counts per clause, category, account and action: aggregate numbers with
/// no personal data, fit for the public statistics page.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct ModerationStats {
    pub from: i64,
    pub to: i64,
    pub comments: i64,
    /// (clause number, clause title, restrictive decisions citing it).
    pub by_clause: Vec<(i64, String, i64)>,
    /// (category id, Italian label, comments flagged, decisions resting on it).
    pub by_category: Vec<(String, String, i64, i64)>,
    /// (action kind, count of completed actions).
    pub by_action: Vec<(String, i64)>,
    /// (account with its platform, comments received, restrictive decisions).
    pub by_account: Vec<(String, i64, i64)>,
    /// Requests to review a decision received in the period, by where
    /// they stand now.
    pub appeals: AppealCounts,
}

/// Requests for review by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct AppealCounts {
    pub received: i64,
    pub open: i64,
    /// The decision was confirmed.
    pub upheld: i64,
    /// The decision was withdrawn.
    pub reversed: i64,
}

impl AppealCounts {
    /// Counts `n` requests in `state` (an `AppealState` id).
    pub(crate) fn add(&mut self, state: &str, n: i64) {
        self.received += n;
        match state {
            "open" => self.open += n,
            "upheld" => self.upheld += n,
            _ => self.reversed += n,
        }
    }
}

impl Desk {
    pub fn moderation_stats(
        &self,
        admin_id: AdminId,
        from: i64,
        to: i64,
    ) -> Result<ModerationStats> {
        let ctx = self.context(admin_id)?;
        let (comments, actions, flagged, accounts, appeals) = self.read(|tx| {
            let comments = tx
                .query_one(
                    "SELECT COUNT(*) FROM comments WHERE admin_id = ? AND created_at >= ? AND created_at < ?",
                    &[admin_id.into(), from.into(), to.into()],
                )?
                .int(0)?;
            let actions = tx.query(
                "SELECT kind, clauses, categories FROM actions WHERE admin_id = ? AND status = 'done' AND comment_id IS NOT NULL AND created_at >= ? AND created_at < ?",
                &[admin_id.into(), from.into(), to.into()],
            )?;
            let flagged = tx.query(
                "SELECT f.category, COUNT(DISTINCT f.comment_id) FROM findings f JOIN comments c ON c.id = f.comment_id
                 WHERE f.admin_id = ? AND f.flagged = 1 AND f.category IS NOT NULL AND c.created_at >= ? AND c.created_at < ?
                 GROUP BY f.category",
                &[admin_id.into(), from.into(), to.into()],
            )?;
            let accounts = tx.query(
                "SELECT a.name, a.platform, COUNT(c.id),
                        (SELECT COUNT(*) FROM actions x JOIN comments y ON y.id = x.comment_id
                         WHERE y.account_id = a.id AND x.status = 'done' AND x.kind IN ('hide', 'remove', 'ban', 'warn', 'report')
                           AND x.created_at >= ? AND x.created_at < ?)
                 FROM accounts a LEFT JOIN comments c ON c.account_id = a.id AND c.created_at >= ? AND c.created_at < ?
                 WHERE a.admin_id = ? GROUP BY a.id, a.name, a.platform ORDER BY a.id",
                &[from.into(), to.into(), from.into(), to.into(), admin_id.into()],
            )?;
            let mut appeals = AppealCounts::default();
            for r in tx.query(
                "SELECT state, COUNT(*) FROM appeals WHERE admin_id = ? AND received_at >= ? AND received_at < ? GROUP BY state",
                &[admin_id.into(), from.into(), to.into()],
            )? {
                appeals.add(&r.text(0)?, r.int(1)?);
            }
            Ok((comments, actions, flagged, accounts, appeals))
        })?;
        let restrictive = ["hide", "remove", "ban", "warn", "report"];
        let mut by_clause: std::collections::BTreeMap<i64, i64> = Default::default();
        let mut by_cat_acted: std::collections::BTreeMap<String, i64> = Default::default();
        let mut by_action: std::collections::BTreeMap<String, i64> = Default::default();
        for a in &actions {
            let kind = a.text(0)?;
            *by_action.entry(kind.clone()).or_default() += 1;
            if restrictive.contains(&kind.as_str()) {
                let clauses: Vec<i64> = serde_json::from_str(&a.text(1)?).unwrap_or_default();
                for c in clauses {
                    *by_clause.entry(c).or_default() += 1;
                }
                let cats: Vec<String> = serde_json::from_str(&a.text(2)?).unwrap_or_default();
                for c in cats {
                    *by_cat_acted.entry(c).or_default() += 1;
                }
            }
        }
        let mut by_category = Vec::new();
        for cat in piazza_taxonomy::Category::ALL {
            let flagged_n = flagged
                .iter()
                .find(|r| r.text(0).ok().as_deref() == Some(cat.as_str()))
                .and_then(|r| r.int(1).ok())
                .unwrap_or(0);
            let acted = by_cat_acted.get(cat.as_str()).copied().unwrap_or(0);
            if flagged_n > 0 || acted > 0 {
                by_category.push((
                    cat.as_str().to_string(),
                    cat.label_it().to_string(),
                    flagged_n,
                    acted,
                ));
            }
        }
        Ok(ModerationStats {
            from,
            to,
            comments,
            by_clause: by_clause
                .into_iter()
                .map(|(n, count)| {
                    let title = ctx
                        .policy
                        .clause(n as u32)
                        .map(|c| c.title.clone())
                        .unwrap_or_else(|| "regola di una versione precedente".into());
                    (n, title, count)
                })
                .collect(),
            by_category,
            by_action: by_action.into_iter().collect(),
            by_account: accounts
                .iter()
                .map(|r| {
                    Ok((
                        crate::transparency::account_label(&r.text(0)?, &r.text(1)?),
                        r.int(2)?,
                        r.int(3)?,
                    ))
                })
                .collect::<Result<_>>()?,
            appeals,
        })
    }
}
