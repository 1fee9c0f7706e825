//! What the desk needs to know about one administration at a time: the
//! policy version in force, an analyzer configured with its word lists and
//! contacts, and its working-hours clock.

use std::sync::Arc;

use piazza_analysis::{Analyzer, AnalyzerConfig};
use piazza_calendar::jiff::Timestamp;
use piazza_calendar::jiff::civil::Weekday as CalWeekday;
use piazza_calendar::{Calendar, PatronDay, SlaDeadline, SlaRule, WeeklySchedule, WorkingClock};
use piazza_policy::{HoursInterval, Policy, ResponseClock, Weekday, load_policy};

use crate::ids::AdminId;
use crate::{Desk, DeskError, Result};

/// The policy in force for one administration, ready to apply.
pub struct AdminContext {
    pub admin_id: AdminId,
    pub slug: String,
    pub name: String,
    pub policy_version_id: i64,
    /// The label decisions cite ("1.1").
    pub policy_version: String,
    pub policy: Policy,
    pub analyzer: Analyzer,
    calendar: Calendar,
}

impl std::fmt::Debug for AdminContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminContext")
            .field("admin_id", &self.admin_id)
            .field("slug", &self.slug)
            .field("policy_version", &self.policy_version)
            .finish()
    }
}

fn cal_weekday(d: Weekday) -> CalWeekday {
    match d {
        Weekday::Mon => CalWeekday::Monday,
        Weekday::Tue => CalWeekday::Tuesday,
        Weekday::Wed => CalWeekday::Wednesday,
        Weekday::Thu => CalWeekday::Thursday,
        Weekday::Fri => CalWeekday::Friday,
        Weekday::Sat => CalWeekday::Saturday,
        Weekday::Sun => CalWeekday::Sunday,
    }
}

/// The analyser configured by a policy: its allowed and denied terms and
/// its own contacts (which are not personal data). The one place where a
/// policy becomes analyser settings, for the desk and `piazza analyze`.
pub fn analyzer_for(policy: &Policy) -> Analyzer {
    Analyzer::new(AnalyzerConfig {
        allow_terms: policy.detection.allow_terms.clone(),
        deny_terms: policy
            .detection
            .deny_terms
            .iter()
            .map(|t| (t.term.clone(), t.category))
            .collect(),
        own_contacts: policy.own_contacts(),
    })
}

/// The calendar's weekly schedule for a policy's table of hours.
pub fn schedule_of(hours: &[HoursInterval]) -> Result<WeeklySchedule> {
    piazza_policy::weekly_schedule(hours).map_err(|e| DeskError::InvalidInput(e.to_string()))
}

/// The clock a promised reply time is counted on, given the moderation
/// clock (`None` when no hours are stated) and the administration's
/// calendar. The command line and the desk share it.
pub fn reply_clock_of(
    rule: &piazza_policy::ResponseRule,
    moderation: Option<WorkingClock>,
    calendar: &Calendar,
) -> Option<WorkingClock> {
    match rule.clock {
        ResponseClock::ModerationHours => moderation,
        ResponseClock::WorkingDays => {
            WorkingClock::new(WeeklySchedule::working_days(), calendar.clone()).ok()
        }
        ResponseClock::OfficeHours => {
            let schedule = schedule_of(&rule.office_hours).ok()?;
            WorkingClock::new(schedule, calendar.clone()).ok()
        }
    }
}

/// The administration's calendar: national holidays plus its patron day.
pub fn calendar_of(policy: &Policy) -> Result<Calendar> {
    let mut cal = Calendar::national();
    if let Some(p) = &policy.administration.patron {
        let bad = |e: piazza_calendar::CalendarError| DeskError::InvalidInput(e.to_string());
        let day = match (p.day, p.weekday, p.nth) {
            (Some(day), _, _) => {
                PatronDay::fixed(p.saint.clone(), p.month as i8, day as i8).map_err(bad)?
            }
            (None, Some(w), Some(nth)) => {
                PatronDay::nth_weekday(p.saint.clone(), p.month as i8, nth as i8, cal_weekday(w))
                    .map_err(bad)?
            }
            _ => {
                return Err(DeskError::InvalidInput(format!(
                    "la festa patronale di {} non ha una data",
                    p.saint
                )));
            }
        };
        cal = cal.with_patron(day);
    }
    Ok(cal)
}

impl AdminContext {
    pub(crate) fn build(
        admin_id: AdminId,
        slug: String,
        name: String,
        policy_version_id: i64,
        source_label: &str,
        toml: &str,
    ) -> Result<AdminContext> {
        let validated =
            load_policy(source_label, toml).map_err(|e| DeskError::InvalidPolicy(e.to_string()))?;
        let policy = validated.policy;
        Ok(AdminContext {
            admin_id,
            slug,
            name,
            policy_version_id,
            policy_version: policy.document.version.clone(),
            calendar: calendar_of(&policy)?,
            analyzer: analyzer_for(&policy),
            policy,
        })
    }

    /// The working clock of an account: its own hours, else the policy's.
    /// `None` when neither states any hours.
    pub fn clock(&self, account_hours: &[HoursInterval]) -> Option<WorkingClock> {
        let hours = if account_hours.is_empty() {
            &self.policy.moderation.hours
        } else {
            account_hours
        };
        if hours.is_empty() {
            return None;
        }
        let schedule = schedule_of(hours).ok()?;
        WorkingClock::new(schedule, self.calendar.clone()).ok()
    }

    /// The reply deadline for an item received at `received_ms`, when the
    /// policy promises one and the account has hours.
    pub fn deadline(
        &self,
        account_hours: &[HoursInterval],
        received_ms: i64,
    ) -> Option<SlaDeadline> {
        let rule = self.policy.response.as_ref()?;
        let counting = self.reply_clock(account_hours)?;
        // Taken in charge when the account is next moderated; without
        // moderation hours, when the counting clock next runs.
        let intake = self
            .clock(account_hours)
            .unwrap_or_else(|| counting.clone());
        let sla = SlaRule::working_hours(rule.working_hours)
            .with_courtesy_at(rule.courtesy_at)
            .ok()?;
        let received = Timestamp::from_millisecond(received_ms).ok()?;
        intake.deadline_counted_on(&counting, received, &sla).ok()
    }

    /// The clock the promised reply time is counted on (the policy's
    /// `response.clock`): hours of working days, the office's hours or the
    /// account's moderation hours. `None` without a promise, or when the
    /// hours it needs are not stated.
    pub fn reply_clock(&self, account_hours: &[HoursInterval]) -> Option<WorkingClock> {
        let rule = self.policy.response.as_ref()?;
        reply_clock_of(rule, self.clock(account_hours), &self.calendar)
    }
}

impl Desk {
    /// The context of an administration (cached until its policy changes).
    pub fn context(&self, admin_id: AdminId) -> Result<Arc<AdminContext>> {
        if let Some(c) = self.contexts.lock().expect("context cache").get(&admin_id) {
            return Ok(c.clone());
        }
        let row = self.read(|tx| {
            Ok(tx.query_opt(
                "SELECT a.slug, a.name, p.id, p.source_label, p.toml FROM administrations a
                 JOIN policy_versions p ON p.admin_id = a.id
                 WHERE a.id = ? ORDER BY p.id DESC LIMIT 1",
                &[admin_id.into()],
            )?)
        })?;
        let row = row.ok_or(DeskError::NotFound {
            what: "ente",
            id: admin_id.to_string(),
        })?;
        let ctx = Arc::new(AdminContext::build(
            admin_id,
            row.text(0)?,
            row.text(1)?,
            row.int(2)?,
            &row.text(3)?,
            &row.text(4)?,
        )?);
        self.contexts
            .lock()
            .expect("context cache")
            .insert(admin_id, ctx.clone());
        Ok(ctx)
    }

    pub(crate) fn forget_context(&self, admin_id: AdminId) {
        self.contexts
            .lock()
            .expect("context cache")
            .remove(&admin_id);
    }
}
