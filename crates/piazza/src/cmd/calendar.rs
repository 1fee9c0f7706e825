//! `piazza calendar holidays|open` and `piazza sla deadline`: the working
//! clock of a policy from the command line. Times without an offset are
//! Europe/Rome.

use anyhow::Context;
use clap::{Args, Subcommand};
use piazza_calendar::{SlaRule, WorkingClock, format_instant, parse_instant};
use piazza_desk::context::{calendar_of, reply_clock_of, schedule_of};
use serde_json::json;

use crate::Outcome;

#[derive(Subcommand)]
pub enum CalendarCommand {
    /// National holidays, the patron day and closures of a year.
    Holidays {
        #[arg(long)]
        year: i16,
        /// Adds the policy's patron day (national holidays only when absent).
        #[arg(long)]
        policy: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Whether the policy's moderation is open at an instant, and the next opening.
    Open {
        #[arg(long)]
        policy: String,
        /// e.g. 2026-12-24T11:30 (Europe/Rome) or with an offset.
        #[arg(long)]
        at: String,
        #[arg(long)]
        json: bool,
    },
}

fn clock(policy_name: &str) -> anyhow::Result<(piazza_policy::Policy, WorkingClock)> {
    let policy = crate::cmd::policy::load(policy_name)?.policy;
    if policy.moderation.hours.is_empty() {
        anyhow::bail!(
            "la policy `{policy_name}` non indica orari di moderazione: non c'è un orario di lavoro su cui calcolare"
        );
    }
    let schedule = schedule_of(&policy.moderation.hours)?;
    let clock =
        WorkingClock::new(schedule, calendar_of(&policy)?).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok((policy, clock))
}

pub fn calendar(cmd: CalendarCommand) -> anyhow::Result<Outcome> {
    match cmd {
        CalendarCommand::Holidays { year, policy, json } => {
            let cal = match &policy {
                Some(p) => calendar_of(&crate::cmd::policy::load(p)?.policy)?,
                None => piazza_calendar::Calendar::national(),
            };
            let mut days = cal.holidays(year);
            // A patron day on a national holiday (Tradate's Santo Stefano) is one day.
            days.dedup_by(|b, a| {
                if a.date == b.date && a.part.is_whole_day() && b.part.is_whole_day() {
                    if a.name != b.name {
                        a.name = format!("{} / {}", a.name, b.name);
                    }
                    true
                } else {
                    false
                }
            });
            if json {
                println!("{}", serde_json::to_string_pretty(&days)?);
            } else {
                for h in days {
                    println!("{}  {}  ({})", h.date, h.name, h.kind.label_it());
                }
            }
        }
        CalendarCommand::Open { policy, at, json } => {
            let (_, clock) = clock(&policy)?;
            let at = parse_instant(&at).map_err(|e| anyhow::anyhow!("{e}"))?;
            let open = clock.is_open_at(at);
            let next = clock.next_opening(at).map_err(|e| anyhow::anyhow!("{e}"))?;
            if json {
                println!(
                    "{}",
                    json!({"at": format_instant(at), "open": open, "next_opening": format_instant(next),
                           "closes_at": clock.current_closing(at).map(format_instant)})
                );
            } else if open {
                println!(
                    "aperto alle {}; chiude alle {}",
                    format_instant(at),
                    clock
                        .current_closing(at)
                        .map(format_instant)
                        .unwrap_or_default()
                );
            } else {
                println!(
                    "chiuso alle {}; prossima apertura {}",
                    format_instant(at),
                    format_instant(next)
                );
            }
        }
    }
    Ok(Outcome::Ok)
}

#[derive(Args)]
pub struct SlaArgs {
    #[command(subcommand)]
    cmd: SlaCommand,
}

#[derive(Subcommand)]
pub enum SlaCommand {
    /// Flag items due for a courtesy reply and record breaches (run it
    /// periodically, e.g. from cron; `piazza serve` runs it every minute).
    Sweep {
        #[arg(long)]
        json: bool,
    },
    /// When an item received at an instant is taken in charge and due.
    Deadline {
        #[arg(long)]
        policy: String,
        #[arg(long)]
        received: String,
        /// Working hours to reply (the policy's promise when absent).
        #[arg(long)]
        hours: Option<u32>,
        #[arg(long)]
        json: bool,
    },
}

pub fn sla(store: &crate::cmd::StoreArgs, args: SlaArgs) -> anyhow::Result<Outcome> {
    let (policy, received, hours, json) = match args.cmd {
        SlaCommand::Sweep { json } => {
            let desk = store.desk()?;
            let admin = store.administration(&desk)?;
            let s = desk.sla_sweep(admin.id)?;
            if json {
                println!("{}", serde_json::to_string(&s)?);
            } else {
                println!(
                    "{} elementi da sollecitare con una risposta di cortesia, {} scadenze superate",
                    s.courtesy_due, s.breached
                );
            }
            return Ok(Outcome::Ok);
        }
        SlaCommand::Deadline {
            policy,
            received,
            hours,
            json,
        } => (policy, received, hours, json),
    };
    let (p, clock) = clock(&policy)?;
    let hours = match (hours, &p.response) {
        (Some(h), _) => h,
        (None, Some(r)) => r.working_hours,
        (None, None) => {
            anyhow::bail!(
                "la policy `{policy}` non promette un tempo di risposta: indica --hours N"
            )
        }
    };
    let courtesy = p.response.as_ref().map(|r| r.courtesy_at).unwrap_or(0.75);
    let rule = SlaRule::working_hours(hours)
        .with_courtesy_at(courtesy)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let received = parse_instant(&received)
        .map_err(|e| anyhow::anyhow!("{e}"))
        .context("--received")?;
    // The same reading of "ore lavorative" as the desk's (the policy's
    // `response.clock`); hours on the moderation clock without a promise.
    let counting = p
        .response
        .as_ref()
        .and_then(|r| reply_clock_of(r, Some(clock.clone()), clock.calendar()))
        .unwrap_or_else(|| clock.clone());
    let d = clock
        .deadline_counted_on(&counting, received, &rule)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if json {
        println!(
            "{}",
            json!({
                "received": format_instant(d.received),
                "taken_in_charge": format_instant(d.taken_in_charge),
                "courtesy_due": format_instant(d.courtesy_due),
                "deadline": format_instant(d.deadline),
                "working_hours": hours,
            })
        );
    } else {
        println!("ricevuto:         {}", format_instant(d.received));
        println!("preso in carico:  {}", format_instant(d.taken_in_charge));
        println!("cortesia entro:   {}", format_instant(d.courtesy_due));
        println!("scadenza:         {}", format_instant(d.deadline));
    }
    Ok(Outcome::Ok)
}
