//! What changes when a new version of a policy replaces the one in force,
//! in the terms people decide by: clauses added, removed or reworded, the
//! measures a clause allows, the categories it covers, and for each
//! category the threshold, the suggested measure and the clause cited.
//! The line diff of the two files says the rest; this says what matters
//! for the decisions.

use serde::Serialize;

use crate::{Action, Policy};
use piazza_taxonomy::Category;

/// One change, with an Italian sentence for the person who activates it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum PolicyChange {
    ClauseAdded {
        number: u32,
        title: String,
    },
    ClauseRemoved {
        number: u32,
        title: String,
    },
    /// The title, text or items of a clause changed.
    ClauseReworded {
        number: u32,
        title: String,
    },
    ClauseMeasures {
        number: u32,
        before: Vec<Action>,
        after: Vec<Action>,
    },
    ClauseCategories {
        number: u32,
        before: Vec<Category>,
        after: Vec<Category>,
    },
    Threshold {
        category: Category,
        before: f64,
        after: f64,
    },
    SuggestedMeasure {
        category: Category,
        before: Action,
        after: Action,
    },
    CitedClause {
        category: Category,
        before: Option<u32>,
        after: Option<u32>,
    },
    /// The moderation hours or the reply promise changed.
    Hours,
    ResponsePromise,
    Contacts,
    /// Official accounts listed in the policy file.
    Accounts,
}

fn measures(v: &[Action]) -> String {
    if v.is_empty() {
        "nessuna".into()
    } else {
        v.iter()
            .map(|a| a.label_it())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn categories(v: &[Category]) -> String {
    if v.is_empty() {
        "nessuna".into()
    } else {
        v.iter()
            .map(|c| c.label_it())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn clause(n: Option<u32>) -> String {
    n.map(|n| format!("regola {n}"))
        .unwrap_or_else(|| "nessuna regola".into())
}

impl PolicyChange {
    /// The change in one Italian sentence.
    pub fn describe_it(&self) -> String {
        match self {
            PolicyChange::ClauseAdded { number, title } => {
                format!("nuova regola {number} («{title}»)")
            }
            PolicyChange::ClauseRemoved { number, title } => {
                format!("regola {number} («{title}») tolta")
            }
            PolicyChange::ClauseReworded { number, title } => {
                format!("regola {number} («{title}») riformulata")
            }
            PolicyChange::ClauseMeasures {
                number,
                before,
                after,
            } => format!(
                "regola {number}: misure ammesse da «{}» a «{}»",
                measures(before),
                measures(after)
            ),
            PolicyChange::ClauseCategories {
                number,
                before,
                after,
            } => format!(
                "regola {number}: contenuti coperti da «{}» a «{}»",
                categories(before),
                categories(after)
            ),
            PolicyChange::Threshold {
                category,
                before,
                after,
            } => format!(
                "{}: soglia di segnalazione da {:.0}% a {:.0}%",
                category.label_it(),
                before * 100.0,
                after * 100.0
            ),
            PolicyChange::SuggestedMeasure {
                category,
                before,
                after,
            } => format!(
                "{}: misura suggerita da «{}» a «{}»",
                category.label_it(),
                before.label_it(),
                after.label_it()
            ),
            PolicyChange::CitedClause {
                category,
                before,
                after,
            } => format!(
                "{}: regola citata da {} a {}",
                category.label_it(),
                clause(*before),
                clause(*after)
            ),
            PolicyChange::Hours => "orari di moderazione cambiati".into(),
            PolicyChange::ResponsePromise => "impegno sui tempi di risposta cambiato".into(),
            PolicyChange::Contacts => "contatti cambiati".into(),
            PolicyChange::Accounts => "elenco degli account ufficiali cambiato".into(),
        }
    }
}

/// The changes from `old` to `new`, clauses first, then categories, then
/// the rest.
pub fn compare(old: &Policy, new: &Policy) -> Vec<PolicyChange> {
    let mut out = Vec::new();
    for c in &new.external.clauses {
        match old.clause(c.number) {
            None => out.push(PolicyChange::ClauseAdded {
                number: c.number,
                title: c.title.clone(),
            }),
            Some(o) => {
                if o.title != c.title || o.text != c.text || o.items != c.items {
                    out.push(PolicyChange::ClauseReworded {
                        number: c.number,
                        title: c.title.clone(),
                    });
                }
                let (mut a, mut b) = (o.actions.clone(), c.actions.clone());
                a.sort();
                b.sort();
                if a != b {
                    out.push(PolicyChange::ClauseMeasures {
                        number: c.number,
                        before: a,
                        after: b,
                    });
                }
                let (mut a, mut b) = (o.categories.clone(), c.categories.clone());
                a.sort();
                b.sort();
                if a != b {
                    out.push(PolicyChange::ClauseCategories {
                        number: c.number,
                        before: a,
                        after: b,
                    });
                }
            }
        }
    }
    for o in &old.external.clauses {
        if new.clause(o.number).is_none() {
            out.push(PolicyChange::ClauseRemoved {
                number: o.number,
                title: o.title.clone(),
            });
        }
    }
    for &category in Category::ALL {
        let (a, b) = (old.category_rule(category), new.category_rule(category));
        if (a.threshold - b.threshold).abs() > 1e-9 {
            out.push(PolicyChange::Threshold {
                category,
                before: a.threshold,
                after: b.threshold,
            });
        }
        if a.suggested != b.suggested {
            out.push(PolicyChange::SuggestedMeasure {
                category,
                before: a.suggested,
                after: b.suggested,
            });
        }
        if a.clause != b.clause {
            out.push(PolicyChange::CitedClause {
                category,
                before: a.clause,
                after: b.clause,
            });
        }
    }
    if old.moderation != new.moderation {
        out.push(PolicyChange::Hours);
    }
    if old.response != new.response {
        out.push(PolicyChange::ResponsePromise);
    }
    if old.contacts != new.contacts {
        out.push(PolicyChange::Contacts);
    }
    if old.channels != new.channels {
        out.push(PolicyChange::Accounts);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load_preset;

    #[test]
    fn the_same_policy_changes_nothing() {
        let p = load_preset("cento").unwrap().policy;
        assert!(compare(&p, &p).is_empty());
    }

    #[test]
    fn clauses_measures_and_thresholds_are_named() {
        let old = load_preset("cento").unwrap().policy;
        let mut new = old.clone();
        let removed = new.external.clauses.remove(0);
        new.external.clauses[0].text.push_str(" Testo aggiunto.");
        new.external.clauses[0]
            .actions
            .retain(|a| *a != Action::Ban);
        let mut added = removed.clone();
        added.number = 99;
        added.title = "Nuova regola".into();
        new.external.clauses.push(added);
        new.categories
            .entry(Category::Insult)
            .or_insert(crate::CategoryRule {
                threshold: None,
                action: None,
                clause: None,
                serious: None,
                serious_ground: None,
            })
            .threshold = Some(0.77);
        let changes = compare(&old, &new);
        let text: Vec<String> = changes.iter().map(|c| c.describe_it()).collect();
        let n = new.external.clauses[0].number;
        assert!(
            text.contains(&format!(
                "regola {} («{}») tolta",
                removed.number, removed.title
            )),
            "{text:?}"
        );
        assert!(
            text.contains(&"nuova regola 99 («Nuova regola»)".to_string()),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|t| t.starts_with(&format!("regola {n} («")) && t.ends_with("riformulata")),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|t| t.contains("soglia di segnalazione") && t.contains("77%")),
            "{text:?}"
        );
        if old.clause(n).unwrap().actions.contains(&Action::Ban) {
            assert!(
                changes.iter().any(
                    |c| matches!(c, PolicyChange::ClauseMeasures { number, .. } if *number == n)
                )
            );
        }
    }
}
