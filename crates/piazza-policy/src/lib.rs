//! An administration's social media policy as versioned data that people
//! read and the rest of Piazza obeys.
//!
//! A policy is a TOML file (format documented in `docs/policy-format.md`)
//! holding what a comune, a città metropolitana or Roma Capitale wrote for
//! citizens (numbered clauses, each with the content categories it covers
//! and the measures it allows) and for its own staff (who authorises
//! accounts, credentials, handover, writing guidance, forbidden uses), plus
//! its official accounts, moderation hours, reply promise and contacts. Five
//! presets encode the seed policies Piazza was created from; where a seed is
//! silent, the preset records a gap instead of inventing a rule.
//!
//! ```
//! use piazza_policy::{load_preset, Action};
//! use piazza_taxonomy::Category;
//!
//! let cento = load_preset("cento").unwrap();
//! let rule = cento.policy.category_rule(Category::Insult);
//! assert_eq!(rule.clause, Some(2));
//! assert!(rule.allowed.contains(&Action::Remove));
//! ```

pub mod changes;
mod date;
mod decide;
pub mod defaults;
mod hours;
mod model;
pub mod naming;
mod presets;
pub mod render;
mod validate;

use std::collections::BTreeSet;

use piazza_taxonomy::{Category, Intent};

pub use date::PolicyDate;
pub use decide::{
    CitationError, ProposedDecision, SERIOUS_SEVERITY, Suggestion, Triage, category_weight,
};
pub use hours::{
    ClockTime, HoursInterval, HoursProblem, Weekday, check_hours, hours_sentence, parse_hours_text,
    weekly_schedule,
};
pub use model::*;
pub use presets::{PRESETS, Preset, load_preset, preset};
pub use validate::{Diagnostic, PolicyError, Severity, ValidatedPolicy, load_policy};

/// How a category maps onto one policy once defaults are applied.
#[derive(Debug, Clone, PartialEq)]
pub struct EffectiveCategoryRule {
    pub category: Category,
    /// Findings scoring at or above this are flagged.
    pub threshold: f64,
    /// The clause to cite; `None` means nothing can be done about it.
    pub clause: Option<u32>,
    /// Every measure the covering clauses allow.
    pub allowed: BTreeSet<Action>,
    /// The measure Piazza suggests for a flagged finding.
    pub suggested: Action,
    pub serious: bool,
    pub serious_ground: Option<String>,
}

impl Policy {
    pub fn clause(&self, number: u32) -> Option<&Clause> {
        self.external.clauses.iter().find(|c| c.number == number)
    }

    /// The stable HTML anchor of a clause on the public page.
    pub fn clause_anchor(number: u32) -> String {
        format!("clausola-{number}")
    }

    /// The link a statement of reasons gives for a clause.
    pub fn clause_link(&self, number: u32) -> String {
        let base = self.document.url.as_deref().unwrap_or("");
        format!("{base}#{}", Policy::clause_anchor(number))
    }

    /// The mapping of `category` with Piazza's defaults filled in.
    pub fn category_rule(&self, category: Category) -> EffectiveCategoryRule {
        let explicit = self.categories.get(&category);
        let allowed = self.allowed_actions(category);
        let clause = explicit.and_then(|r| r.clause).or_else(|| {
            self.external
                .clauses
                .iter()
                .find(|c| c.categories.contains(&category))
                .map(|c| c.number)
        });
        let (serious, serious_ground) = match explicit.and_then(|r| r.serious) {
            Some(s) => (s, explicit.and_then(|r| r.serious_ground.clone())),
            None => match defaults::serious_ground(category) {
                Some(g) => (true, Some(g.to_string())),
                None => (false, None),
            },
        };
        let suggested = explicit.and_then(|r| r.action).unwrap_or_else(|| {
            let reserved = self.external.deletion_reserved_for_serious && !serious;
            // Personal data is hidden, not removed: the comment leaves public
            // view at once while its author (often a citizen asking for help
            // who wrote about their own health) still sees it and can be
            // answered; a clause that allows removal allows hiding too.
            let protective = category == Category::PersonalData
                && (allowed.contains(&Action::Hide) || allowed.contains(&Action::Remove));
            if protective {
                Action::Hide
            } else if allowed.contains(&Action::Remove) && !reserved {
                Action::Remove
            } else if allowed.contains(&Action::Hide) {
                Action::Hide
            } else {
                allowed
                    .iter()
                    .copied()
                    .find(|a| a.is_restrictive())
                    .unwrap_or(Action::Keep)
            }
        });
        EffectiveCategoryRule {
            category,
            threshold: explicit
                .and_then(|r| r.threshold)
                .unwrap_or_else(|| defaults::threshold(category)),
            clause,
            allowed,
            suggested,
            serious,
            serious_ground,
        }
    }

    /// The suggested handling of an intent.
    pub fn intent_action(&self, intent: Intent) -> Action {
        self.intents
            .get(&intent)
            .map(|r| r.action)
            .unwrap_or_else(|| defaults::intent_action(intent))
    }

    /// The hours sentence for the bio of `channel` (or of the policy when
    /// `None`).
    pub fn hours_sentence(&self, channel: Option<&Channel>) -> String {
        let hours = match channel {
            Some(c) if !c.hours.is_empty() => &c.hours,
            _ => &self.moderation.hours,
        };
        let lead = self
            .moderation
            .hours_lead
            .as_deref()
            .unwrap_or("Pagina moderata");
        hours_sentence(lead, hours, self.moderation.holidays_excluded)
    }

    /// The administration's own contacts, which the analysis must not report
    /// as personal data.
    pub fn own_contacts(&self) -> Vec<String> {
        let c = &self.contacts;
        let mut out: Vec<String> = [
            &c.urp_email,
            &c.urp_phone,
            &c.urp_toll_free,
            &c.pec,
            &c.violations_email,
            &c.office_email,
        ]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
        if let Some(police) = &c.police {
            out.extend(
                [&police.phone, &police.email, &police.pec]
                    .into_iter()
                    .flatten()
                    .cloned(),
            );
        }
        for named in c
            .contact_centre
            .iter()
            .chain(c.casa_digitale.iter())
            .chain(c.apps.iter())
        {
            out.extend(named.phone.iter().cloned());
        }
        out
    }
}
