//! The transparency report: per month (Europe/Rome) and per account, what
//! arrived, what was decided under which rule and measure, how much of it
//! the automatic analysis flagged, how long a decision took in working
//! time, and how the requests for review ended.
//!
//! Aggregate numbers only: no author, no text. An account is always named
//! with its platform ("Comune di Cento – Facebook"): an administration
//! gives its accounts on every platform the same name.
//!
//! Months are counted by when each thing happened: comments by their
//! date, decisions by when they were taken, appeals by when they arrived.

use std::collections::BTreeMap;

use piazza_calendar::jiff::Timestamp;
use piazza_calendar::rome;
use serde::Serialize;

use crate::ids::{AccountId, AdminId};
use crate::reports::AppealCounts;
use crate::{Desk, Result};

/// One account in one month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TransparencyRow {
    /// `2026-11`.
    pub month: String,
    pub account_id: AccountId,
    pub account: String,
    pub platform: String,
    /// The account with its platform, as every table and chart names it.
    pub label: String,
    pub comments: i64,
    /// Comments with at least one finding the policy flags.
    pub flagged: i64,
    /// `flagged / comments`.
    pub flagged_share: Option<f64>,
    /// Decisions taken in the month, by measure (action id: count).
    pub decisions_by_measure: BTreeMap<String, i64>,
    /// Restrictive decisions taken in the month, by clause cited.
    pub decisions_by_clause: BTreeMap<u32, i64>,
    /// Median working minutes (the account's moderation hours) from a
    /// comment's arrival to the decision that closed it.
    pub median_minutes_to_decision: Option<i64>,
    /// Comments of the month decided (those the median is taken over).
    pub decided: i64,
    pub appeals: AppealCounts,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TransparencyReport {
    pub from: i64,
    pub to: i64,
    pub administration: String,
    /// By month, then account.
    pub rows: Vec<TransparencyRow>,
}

/// The month of an instant in Rome, `YYYY-MM`.
pub fn month_of(ms: i64) -> String {
    match Timestamp::from_millisecond(ms) {
        Ok(t) => t.to_zoned(rome().clone()).strftime("%Y-%m").to_string(),
        Err(_) => "????-??".into(),
    }
}

#[derive(Default)]
struct Acc {
    comments: i64,
    flagged: i64,
    by_measure: BTreeMap<String, i64>,
    by_clause: BTreeMap<u32, i64>,
    minutes: Vec<i64>,
    appeals: AppealCounts,
}

const RESTRICTIVE: [&str; 5] = ["hide", "remove", "warn", "ban", "report"];

impl Desk {
    /// The report of `[from, to)`.
    pub fn transparency_report(
        &self,
        admin_id: AdminId,
        from: i64,
        to: i64,
    ) -> Result<TransparencyReport> {
        let ctx = self.context(admin_id)?;
        let accounts = self.accounts(admin_id)?;
        let (comments, actions, appeals) = self.read(|tx| {
            let comments = tx.query(
                "SELECT c.account_id, c.created_at, c.ingested_at, c.resolved_at,
                        (SELECT COUNT(*) FROM findings f WHERE f.comment_id = c.id AND f.revision = c.revision AND f.flagged = 1)
                 FROM comments c WHERE c.admin_id = ? AND c.created_at >= ? AND c.created_at < ?",
                &[admin_id.into(), from.into(), to.into()],
            )?;
            let actions = tx.query(
                "SELECT c.account_id, x.created_at, x.kind, x.clauses FROM actions x JOIN comments c ON c.id = x.comment_id
                 WHERE x.admin_id = ? AND x.status = 'done' AND x.created_at >= ? AND x.created_at < ?",
                &[admin_id.into(), from.into(), to.into()],
            )?;
            let appeals = tx.query(
                "SELECT c.account_id, p.received_at, p.state FROM appeals p JOIN comments c ON c.id = p.comment_id
                 WHERE p.admin_id = ? AND p.received_at >= ? AND p.received_at < ?",
                &[admin_id.into(), from.into(), to.into()],
            )?;
            Ok((comments, actions, appeals))
        })?;
        let mut acc: BTreeMap<(String, AccountId), Acc> = BTreeMap::new();
        let clock_of = |account: AccountId| {
            accounts
                .iter()
                .find(|a| a.id == account)
                .and_then(|a| ctx.clock(&a.hours))
        };
        let mut clocks = BTreeMap::new();
        for r in &comments {
            let account = AccountId(r.int(0)?);
            let created = r.int(1)?;
            let a = acc.entry((month_of(created), account)).or_default();
            a.comments += 1;
            if r.int(4)? > 0 {
                a.flagged += 1;
            }
            if let Some(resolved) = r.opt_int(3)? {
                let arrived = r.int(2)?;
                let clock = clocks.entry(account).or_insert_with(|| clock_of(account));
                let minutes = match (
                    clock.as_ref(),
                    Timestamp::from_millisecond(arrived),
                    Timestamp::from_millisecond(resolved),
                ) {
                    (Some(c), Ok(t0), Ok(t1)) => {
                        c.working_minutes_between(t0, t1.max(t0)).unwrap_or(0)
                    }
                    // No moderation hours known: elapsed minutes.
                    _ => (resolved - arrived).max(0) / 60_000,
                };
                a.minutes.push(minutes);
            }
        }
        for r in &actions {
            let account = AccountId(r.int(0)?);
            let a = acc.entry((month_of(r.int(1)?), account)).or_default();
            let kind = r.text(2)?;
            if RESTRICTIVE.contains(&kind.as_str()) {
                let clauses: Vec<u32> = serde_json::from_str(&r.text(3)?).unwrap_or_default();
                for c in clauses {
                    *a.by_clause.entry(c).or_default() += 1;
                }
            }
            *a.by_measure.entry(kind).or_default() += 1;
        }
        for r in &appeals {
            let account = AccountId(r.int(0)?);
            let a = acc.entry((month_of(r.int(1)?), account)).or_default();
            a.appeals.add(&r.text(2)?, 1);
        }
        let rows = acc
            .into_iter()
            .map(|((month, account_id), mut a)| {
                let (account, platform) = accounts
                    .iter()
                    .find(|x| x.id == account_id)
                    .map(|x| (x.name.clone(), x.platform.clone()))
                    .unwrap_or_else(|| (format!("account {account_id}"), String::new()));
                a.minutes.sort_unstable();
                TransparencyRow {
                    month,
                    account_id,
                    label: account_label(&account, &platform),
                    account,
                    platform,
                    comments: a.comments,
                    flagged: a.flagged,
                    flagged_share: (a.comments > 0).then(|| a.flagged as f64 / a.comments as f64),
                    decisions_by_measure: a.by_measure,
                    decisions_by_clause: a.by_clause,
                    median_minutes_to_decision: a
                        .minutes
                        .get(a.minutes.len().saturating_sub(1) / 2)
                        .copied(),
                    decided: a.minutes.len() as i64,
                    appeals: a.appeals,
                }
            })
            .collect();
        Ok(TransparencyReport {
            from,
            to,
            administration: ctx.policy.administration.name.clone(),
            rows,
        })
    }
}

/// "Comune di Cento – Facebook": the platform's own name, from the
/// taxonomy, when the id is known.
pub fn account_label(name: &str, platform: &str) -> String {
    let platform = platform
        .parse::<piazza_taxonomy::Platform>()
        .map(|p| p.label_it().to_string())
        .unwrap_or_else(|_| platform.to_string());
    if platform.is_empty() {
        name.to_string()
    } else {
        format!("{name} – {platform}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_counted_in_rome() {
        // 2026-11-30T23:30Z is already December in Rome.
        assert_eq!(month_of(1_796_081_400_000), "2026-12");
        assert_eq!(month_of(1_795_424_400_000), "2026-11");
    }

    #[test]
    fn an_account_is_named_with_its_platform() {
        assert_eq!(
            account_label("Comune di Cento", "facebook"),
            "Comune di Cento – Facebook"
        );
        assert_eq!(
            account_label("Comune di Cento", "x"),
            "Comune di Cento – X (Twitter)"
        );
    }
}
