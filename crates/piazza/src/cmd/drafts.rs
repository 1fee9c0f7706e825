//! `piazza drafts`: the editorial desk from the command line, over the same
//! desk calls as the web pages. An office or an editor opens a draft,
//! writes new versions, comments, submits it; the reviewers the policy
//! names approve or reject it; a reviewer publishes it through the outbox
//! (at its scheduled time; `piazza outbox run` or `piazza serve` deliver
//! it), or at once on the urgent path with the approvals recorded
//! afterwards.

use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;
use piazza_desk::{
    AccountId, Draft, DraftContent, DraftDecision, DraftId, DraftMedia, DraftState, NewDraft,
};

use super::StoreArgs;
use crate::Outcome;

/// The text and attachments of a version.
#[derive(clap::Args)]
pub struct ContentArgs {
    /// A file with the text of the post (UTF-8).
    #[arg(long)]
    text_file: PathBuf,
    /// A link published with the post.
    #[arg(long)]
    link: Option<String>,
    /// An image or video as `FILE|ALT TEXT|LICENCE` (licence: propria, cc,
    /// permesso), optionally `|RULES` with the photo rules confirmed
    /// (testo, minori_e_volti, esercizi_e_marchi, politici,
    /// comma-separated);
    /// repeat it for each one.
    #[arg(long = "media")]
    media: Vec<String>,
}

impl ContentArgs {
    fn content(&self) -> anyhow::Result<DraftContent> {
        let body = std::fs::read_to_string(&self.text_file)
            .with_context(|| format!("impossibile leggere {}", self.text_file.display()))?;
        let media = self
            .media
            .iter()
            .map(|m| {
                let parts: Vec<&str> = m.splitn(4, '|').collect();
                let (file, alt, licence, confirmed) = match parts[..] {
                    [file, alt, licence] => (file, alt, licence, ""),
                    [file, alt, licence, confirmed] => (file, alt, licence, confirmed),
                    _ => anyhow::bail!(
                        "--media «{m}»: atteso FILE|TESTO ALTERNATIVO|LICENZA (propria, cc o permesso), e facoltativo |REGOLE CONFERMATE separate da virgole"
                    ),
                };
                let confirmed: Vec<String> = confirmed
                    .split(',')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(str::to_string)
                    .collect();
                if let Some(bad) = confirmed.iter().find(|c| {
                    !piazza_policy::PhotoCheck::ALL
                        .iter()
                        .any(|p| p.as_str() == c.as_str())
                        && c.as_str() != piazza_desk::NO_POLITICIANS.id
                        && c.as_str() != piazza_desk::TEXT_IN_IMAGE.id
                }) {
                    anyhow::bail!(
                        "--media «{m}»: regola «{bad}» sconosciuta (testo, minori_e_volti, esercizi_e_marchi, politici)"
                    );
                }
                Ok(DraftMedia {
                    file: file.trim().to_string(),
                    alt_text: alt.trim().to_string(),
                    licence: licence
                        .trim()
                        .parse()
                        .map_err(|e| anyhow::anyhow!("--media «{m}»: {e}"))?,
                    confirmed,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(DraftContent {
            body,
            link: self.link.clone(),
            media,
        })
    }
}

#[derive(Subcommand)]
pub enum DraftsCommand {
    /// Open a draft (an office's request, or an editor's post).
    New {
        #[arg(long)]
        account: AccountId,
        #[arg(long)]
        title: String,
        /// The office or association that asks for it.
        #[arg(long)]
        requested_by: Option<String>,
        /// Why it should be published.
        #[arg(long)]
        purpose: Option<String>,
        #[arg(long)]
        campaign: Option<String>,
        /// When it should go out, e.g. `2026-12-12T10:00` (Europe/Rome) or
        /// with an offset.
        #[arg(long)]
        scheduled: Option<String>,
        #[command(flatten)]
        content: ContentArgs,
        #[arg(long = "as")]
        as_staff: String,
    },
    /// Write a new version (`--version` is the one you read).
    Revise {
        id: DraftId,
        #[arg(long)]
        version: i64,
        #[command(flatten)]
        content: ContentArgs,
        #[arg(long = "as")]
        as_staff: String,
    },
    /// Comment on a draft.
    Comment {
        id: DraftId,
        #[arg(long)]
        text: String,
        #[arg(long = "as")]
        as_staff: String,
    },
    /// Send a draft to approval.
    Submit {
        id: DraftId,
        #[arg(long = "as")]
        as_staff: String,
    },
    /// Approve the version `--version` of a draft.
    Approve {
        id: DraftId,
        #[arg(long)]
        version: i64,
        #[arg(long)]
        note: Option<String>,
        /// During an election period: why the text is impersonal and
        /// indispensable (L. 28/2000 art. 9).
        #[arg(long)]
        impersonal: Option<String>,
        #[arg(long = "as")]
        as_staff: String,
    },
    /// Reject the version `--version` of a draft, with the reason.
    Reject {
        id: DraftId,
        #[arg(long)]
        version: i64,
        #[arg(long)]
        reason: String,
        #[arg(long = "as")]
        as_staff: String,
    },
    /// Queue an approved draft for publication at its scheduled time (now
    /// when it has none); with `--urgent REASON`, publish a draft not yet
    /// approved at once (emergencies), its approvals to be recorded
    /// afterwards.
    Publish {
        id: DraftId,
        #[arg(long)]
        version: i64,
        /// Why it cannot wait for its approvals (a weather alert, civil
        /// protection).
        #[arg(long)]
        urgent: Option<String>,
        /// During an election period, with `--urgent`: why the text is
        /// impersonal and indispensable (L. 28/2000 art. 9).
        #[arg(long)]
        impersonal: Option<String>,
        #[arg(long = "as")]
        as_staff: String,
    },
    /// Relay an approved campaign to other accounts in one step (Roma's
    /// municipal accounts): a copy per account, with the central
    /// approvals, queued for publication.
    Relay {
        id: DraftId,
        /// An account to relay it to; repeat it for each one.
        #[arg(long = "account", required = true)]
        accounts: Vec<AccountId>,
        #[arg(long = "as")]
        as_staff: String,
    },
    /// The editorial calendar of a week: what goes out when, what waits
    /// for approval, what went out; and the drafts without a time.
    Calendar {
        /// A day of the week to show (YYYY-MM-DD); this week by default.
        #[arg(long)]
        week: Option<String>,
        #[arg(long)]
        account: Option<AccountId>,
        /// The office or association that asked.
        #[arg(long)]
        office: Option<String>,
        #[arg(long)]
        campaign: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The drafts, optionally in one state (bozza, in_approvazione,
    /// approvata, respinta, programmata, pubblicata).
    List {
        #[arg(long)]
        state: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// A draft with its versions, comments, decisions and the checks of its
    /// current version.
    Show {
        id: DraftId,
        #[arg(long)]
        json: bool,
    },
}

/// A scheduled time as `piazza sla` reads instants: Europe/Rome without
/// an offset.
fn scheduled(s: &str) -> anyhow::Result<i64> {
    Ok(piazza_calendar::parse_instant(s)?.as_millisecond())
}

fn line(d: &Draft) -> String {
    format!(
        "n. {:<4} v{:<2} {:<26} {} ({}) — approvazioni {}/{}{}",
        d.id,
        d.version,
        d.state.label_it(),
        d.title,
        d.account_name,
        d.approvals_given,
        d.approvals_needed,
        if d.awaits_approval_after_urgent() {
            " — PUBBLICATA D'URGENZA, APPROVAZIONE DA REGISTRARE"
        } else {
            ""
        }
    )
}

/// The publication's state in one sentence, or nothing when the draft was
/// never sent to publication.
fn publication(d: &Draft) -> Option<String> {
    d.publication
        .as_ref()
        .map(|p| p.describe_it(piazza_desk::italian_when))
}

pub fn drafts(store: &StoreArgs, cmd: DraftsCommand) -> anyhow::Result<Outcome> {
    let desk = store.desk()?;
    let admin = store.administration(&desk)?;
    let actor = |name: &str| desk.actor(admin.id, name);
    match cmd {
        DraftsCommand::New {
            account,
            title,
            requested_by,
            purpose,
            campaign,
            scheduled: when,
            content,
            as_staff,
        } => {
            let by = actor(&as_staff)?;
            let id = desk.create_draft(
                &by,
                &NewDraft {
                    account_id: account,
                    title,
                    requested_by,
                    purpose,
                    campaign,
                    scheduled_at: when.as_deref().map(scheduled).transpose()?,
                    content: content.content()?,
                },
            )?;
            println!("bozza n. {id} aperta (versione 1, in scrittura)");
        }
        DraftsCommand::Revise {
            id,
            version,
            content,
            as_staff,
        } => {
            let v = desk.revise_draft(&actor(&as_staff)?, id, version, &content.content()?)?;
            let d = desk.draft(admin.id, id)?;
            println!(
                "bozza n. {id}: versione {v} salvata ({})",
                d.state.label_it()
            );
        }
        DraftsCommand::Comment { id, text, as_staff } => {
            desk.comment_draft(&actor(&as_staff)?, id, &text)?;
            println!("commento aggiunto alla bozza n. {id}");
        }
        DraftsCommand::Submit { id, as_staff } => {
            desk.submit_draft(&actor(&as_staff)?, id)?;
            let d = desk.draft(admin.id, id)?;
            println!(
                "bozza n. {id} in attesa di approvazione: servono {} approvazioni di persone che non l'hanno scritta",
                d.approvals_needed
            );
        }
        DraftsCommand::Approve {
            id,
            version,
            note,
            impersonal,
            as_staff,
        } => {
            let state = desk.decide_draft(
                &actor(&as_staff)?,
                id,
                version,
                DraftDecision::Approva,
                note.as_deref(),
                impersonal.as_deref(),
            )?;
            let d = desk.draft(admin.id, id)?;
            match state {
                DraftState::Approvata => println!(
                    "bozza n. {id} approvata ({}/{}); non è ancora pubblicata: `piazza drafts publish {id} --version {}` la mette in coda",
                    d.approvals_given, d.approvals_needed, d.version
                ),
                DraftState::Programmata | DraftState::Pubblicata => println!(
                    "approvazione registrata dopo la pubblicazione d'urgenza ({}/{})",
                    d.approvals_given, d.approvals_needed
                ),
                _ => println!(
                    "approvazione registrata ({}/{}): la bozza n. {id} attende ancora {} approvazioni",
                    d.approvals_given,
                    d.approvals_needed,
                    d.approvals_needed.saturating_sub(d.approvals_given)
                ),
            }
        }
        DraftsCommand::Reject {
            id,
            version,
            reason,
            as_staff,
        } => {
            desk.decide_draft(
                &actor(&as_staff)?,
                id,
                version,
                DraftDecision::Respingi,
                Some(&reason),
                None,
            )?;
            println!("bozza n. {id} respinta: chi l'ha scritta può preparare una nuova versione");
        }
        DraftsCommand::Publish {
            id,
            version,
            urgent,
            impersonal,
            as_staff,
        } => {
            let by = actor(&as_staff)?;
            let step = match urgent {
                Some(reason) => {
                    desk.publish_urgent(&by, id, version, &reason, impersonal.as_deref())?
                }
                None => desk.publish_draft(&by, id, version)?,
            };
            println!(
                "bozza n. {id}: {}",
                step.describe_it(piazza_desk::italian_when)
            );
            if step.state == piazza_desk::OutboxState::Pending {
                println!("(la consegna la fa `piazza serve`, oppure `piazza outbox run`)");
            }
        }
        DraftsCommand::Relay {
            id,
            accounts,
            as_staff,
        } => {
            let copies = desk.relay_draft(&actor(&as_staff)?, id, &accounts)?;
            println!(
                "campagna della bozza n. {id} rilanciata su {} account:",
                copies.len()
            );
            for (copy, step) in copies {
                let c = desk.draft(admin.id, copy)?;
                println!(
                    "  bozza n. {copy} ({}): {}",
                    c.account_name,
                    step.describe_it(piazza_desk::italian_when)
                );
            }
        }
        DraftsCommand::Calendar {
            week,
            account,
            office,
            campaign,
            json,
        } => {
            let day = match week {
                Some(w) => piazza_calendar::parse_date(&w)?,
                None => piazza_calendar::local_date(piazza_calendar::jiff::Timestamp::now()),
            };
            let monday = piazza_calendar::week_start(day);
            let days: Vec<_> = (0..8)
                .map(|i| monday.checked_add(piazza_calendar::jiff::Span::new().days(i)))
                .collect::<Result<_, _>>()?;
            let cal = desk.editorial_calendar(
                admin.id,
                &piazza_desk::CalendarFilter {
                    from: piazza_calendar::local_midnight(days[0])?.as_millisecond(),
                    to: piazza_calendar::local_midnight(days[7])?.as_millisecond(),
                    account,
                    office,
                    campaign,
                },
            )?;
            if json {
                println!("{}", serde_json::to_string_pretty(&cal)?);
                return Ok(Outcome::Ok);
            }
            println!(
                "settimana dal {} al {}",
                piazza_calendar::day_label_it(days[0]),
                piazza_calendar::day_label_it(days[6])
            );
            let mut current = None;
            for e in &cal.entries {
                let Some(at) = e.at else { continue };
                let t = piazza_calendar::jiff::Timestamp::from_millisecond(at)?;
                let day = piazza_calendar::local_date(t);
                if current != Some(day) {
                    println!("\n{}", piazza_calendar::day_label_it(day));
                    current = Some(day);
                }
                let z = t.to_zoned(piazza_calendar::rome().clone());
                println!("  {:02}:{:02}  {}", z.hour(), z.minute(), line(&e.draft));
            }
            if cal.entries.is_empty() {
                println!("\nniente in programma");
            }
            if !cal.unscheduled.is_empty() {
                println!("\nsenza data:");
                for e in &cal.unscheduled {
                    println!("  {}", line(&e.draft));
                }
            }
        }
        DraftsCommand::List { state, json } => {
            let state: Option<DraftState> = state.as_deref().map(str::parse).transpose()?;
            let all = desk.drafts(admin.id, state)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&all)?);
            } else if all.is_empty() {
                println!("nessuna bozza");
            } else {
                for d in &all {
                    println!("{}", line(d));
                }
            }
        }
        DraftsCommand::Show { id, json } => {
            let d = desk.draft(admin.id, id)?;
            let checks = desk.draft_checks(admin.id, id)?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(
                        &serde_json::json!({"draft": d, "checks": checks})
                    )?
                );
            } else {
                println!("{}", line(&d));
                if let Some(p) = publication(&d) {
                    println!("pubblicazione: {p}");
                }
                if let Some(r) = &d.published_ref {
                    println!("id del post sulla piattaforma: {r}");
                }
                if let Some(u) = &d.urgent {
                    println!(
                        "pubblicata d'urgenza da {} il {}: {}",
                        u.by,
                        piazza_desk::italian_when(u.at),
                        u.reason
                    );
                }
                let v = d.current();
                println!("\n{}", v.content.body.trim_end());
                if let Some(link) = &v.content.link {
                    println!("link: {link}");
                }
                for m in &v.content.media {
                    println!(
                        "allegato: {} ({}) — testo alternativo: «{}»",
                        m.file,
                        m.licence.label_it(),
                        m.alt_text
                    );
                }
                println!("\ncontrolli della versione {}:", d.version);
                if let Some(g) = checks.gulpease {
                    println!("  indice Gulpease {g:.0}");
                }
                if checks.issues.is_empty() {
                    println!("  nessun problema");
                }
                for i in &checks.issues {
                    println!(
                        "  {}: «{}» — {} ({})",
                        i.kind.label_it(),
                        i.passage,
                        i.message,
                        i.suggestion
                    );
                }
                for c in &d.comments {
                    println!("commento di {}: {}", c.by, c.body);
                }
                for a in &d.decisions {
                    println!(
                        "versione {}: {} da {}{}",
                        a.version,
                        a.decision.label_it(),
                        a.by,
                        a.note
                            .as_deref()
                            .map(|n| format!(" — {n}"))
                            .unwrap_or_default()
                    );
                }
            }
        }
    }
    Ok(Outcome::Ok)
}
