//! The policy's decisions, as pure functions: which findings are flagged,
//! how urgent a comment is, which measure the policy suggests and which
//! clause it cites, and whether a moderator's citation holds. The desk,
//! the web desk and the command line all call these, so a comment is
//! judged the same way wherever it is looked at.

use std::collections::BTreeSet;

use piazza_taxonomy::{Category, Intent};

use crate::{Action, Policy};

/// How much a category weighs in the queue's priority: threats first.
pub fn category_weight(c: Category) -> f32 {
    match c {
        Category::Threat => 1.0,
        Category::Discrimination => 0.9,
        Category::Illegal | Category::PersonalData => 0.8,
        Category::Insult | Category::Obscene => 0.7,
        Category::Vulgarity | Category::Misleading => 0.5,
        Category::PoliticalPropaganda | Category::Trolling => 0.4,
        Category::Spam | Category::Commercial | Category::Copyright | Category::PersonalCase => 0.3,
        Category::OffTopic => 0.2,
    }
}

/// Severity at or above which an item is serious: it goes to the top of
/// the queue whatever its deadline (the queue's index repeats the figure).
pub const SERIOUS_SEVERITY: f64 = 0.6;

/// What the policy makes of one analysed comment.
#[derive(Debug, Clone, PartialEq)]
pub struct Triage {
    /// The heaviest flagged finding, weighted by its category (0..1).
    pub severity: f64,
    /// The queue's priority (0..100).
    pub priority: i64,
    /// The category of the heaviest flagged finding.
    pub top_category: Option<Category>,
    /// Every flagged category, heaviest first.
    pub flagged: Vec<Category>,
    /// A question, complaint or request that waits for an answer.
    pub needs_reply: bool,
}

impl Policy {
    /// Whether a finding of `category` scoring `score` is flagged under
    /// this policy.
    pub fn flags(&self, category: Category, score: f32) -> bool {
        f64::from(score) >= self.category_rule(category).threshold
    }

    /// Triage of one comment from its findings (category and score) and
    /// its intents.
    pub fn triage(
        &self,
        findings: impl IntoIterator<Item = (Category, f32)>,
        intents: impl IntoIterator<Item = Intent>,
    ) -> Triage {
        let mut weighted: Vec<(Category, f32)> = Vec::new();
        for (category, score) in findings {
            if !self.flags(category, score) {
                continue;
            }
            let s = score * category_weight(category);
            match weighted.iter_mut().find(|(c, _)| *c == category) {
                Some((_, best)) if *best >= s => {}
                Some((_, best)) => *best = s,
                None => weighted.push((category, s)),
            }
        }
        // Heaviest first; ties keep the order the analysis reported.
        weighted.sort_by(|a, b| b.1.total_cmp(&a.1));
        let severity = weighted.first().map(|(_, s)| *s).unwrap_or(0.0);
        let needs_reply = intents.into_iter().any(|i| {
            matches!(
                i,
                Intent::Question | Intent::Complaint | Intent::ServiceRequest
            )
        });
        let mut priority = (severity * 100.0).round() as i64;
        if needs_reply {
            // A question waits for an answer: above clean comments, below abuse.
            priority = priority.max(40);
        }
        Triage {
            severity: f64::from(severity),
            priority,
            top_category: weighted.first().map(|(c, _)| *c),
            flagged: weighted.into_iter().map(|(c, _)| c).collect(),
            needs_reply,
        }
    }

    /// For each flagged category, the measure the policy suggests and the
    /// clause it would cite (`None`: no clause covers it, nothing can be
    /// done about it).
    pub fn suggestions(&self, flagged: &[Category]) -> Vec<Suggestion> {
        let mut out: Vec<Suggestion> = Vec::new();
        for c in flagged {
            if out.iter().any(|s| s.category == *c) {
                continue;
            }
            let rule = self.category_rule(*c);
            out.push(Suggestion {
                category: *c,
                action: rule.suggested,
                clause: rule.clause,
            });
        }
        out
    }

    /// The restrictive decision the policy proposes for a comment whose
    /// flagged categories are `flagged` (heaviest first): the measure and
    /// the clause of the first category that a clause covers, and the
    /// flagged categories that clause covers. `None` when no flagged
    /// category is covered by a clause.
    pub fn proposed_decision(&self, flagged: &[Category]) -> Option<ProposedDecision> {
        flagged.iter().find_map(|c| {
            let rule = self.category_rule(*c);
            let clause = self.clause(rule.clause?)?;
            let measure = if rule.suggested.is_restrictive() {
                rule.suggested
            } else {
                Action::Hide
            };
            Some(ProposedDecision {
                measure,
                clause: clause.number,
                categories: flagged
                    .iter()
                    .copied()
                    .filter(|f| clause.categories.contains(f))
                    .collect(),
            })
        })
    }

    /// The clauses that cover at least one of `categories`.
    pub fn covering_clauses(&self, categories: &[Category]) -> BTreeSet<u32> {
        self.external
            .clauses
            .iter()
            .filter(|cl| cl.categories.iter().any(|c| categories.contains(c)))
            .map(|cl| cl.number)
            .collect()
    }

    /// Checks that `clauses` may be cited for `measure` (`None` for a
    /// warning, the lightest measure, which any restrictive clause
    /// supports): at least one clause, each in this policy, each allowing
    /// the measure. Hiding is allowed wherever removal is.
    pub fn check_citation(
        &self,
        measure: Option<Action>,
        clauses: &[u32],
    ) -> Result<(), CitationError> {
        if clauses.is_empty() {
            return Err(CitationError::ClauseRequired);
        }
        for n in clauses {
            let Some(clause) = self.clause(*n) else {
                return Err(CitationError::UnknownClause {
                    clause: *n,
                    available: self.external.clauses.iter().map(|c| c.number).collect(),
                });
            };
            let allows = |a: Action| {
                clause.actions.contains(&a)
                    || (a == Action::Hide && clause.actions.contains(&Action::Remove))
            };
            let ok = match measure {
                Some(m) => allows(m),
                None => clause.actions.iter().any(|a| a.is_restrictive()),
            };
            if !ok {
                return Err(CitationError::NotAllowed {
                    clause: *n,
                    title: clause.title.clone(),
                    measure,
                    allowed: clause.actions.clone(),
                });
            }
        }
        Ok(())
    }

    /// The categories a restrictive decision citing `clauses` rests on, and
    /// whether automated detection flagged them. The moderator's
    /// `requested` categories when given (each must be covered by a cited
    /// clause), else the comment's `flagged` categories that the clauses
    /// cover.
    pub fn decision_categories(
        &self,
        clauses: &[u32],
        flagged: &[Category],
        requested: &[Category],
    ) -> Result<(Vec<Category>, bool), CitationError> {
        let covered: BTreeSet<Category> = clauses
            .iter()
            .filter_map(|n| self.clause(*n))
            .flat_map(|cl| cl.categories.iter().copied())
            .collect();
        let chosen: Vec<Category> = if requested.is_empty() {
            flagged
                .iter()
                .copied()
                .filter(|c| covered.contains(c))
                .collect()
        } else {
            requested.to_vec()
        };
        if chosen.is_empty() {
            return Err(CitationError::NoCategory {
                clauses: clauses.to_vec(),
            });
        }
        if let Some(c) = chosen.iter().find(|c| !covered.contains(c)) {
            return Err(CitationError::NotCovered { category: *c });
        }
        let automated = chosen.iter().any(|c| flagged.contains(c));
        Ok((chosen, automated))
    }

    /// Whether a removal resting on `categories` waits for a second
    /// moderator: where the policy reserves deletion for serious
    /// violations and not every category is serious.
    pub fn removal_needs_confirmation(&self, categories: &[Category]) -> bool {
        self.external.deletion_reserved_for_serious
            && !categories.iter().all(|c| self.category_rule(*c).serious)
    }
}

/// The policy's suggestion for one flagged category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub category: Category,
    pub action: Action,
    pub clause: Option<u32>,
}

/// The restrictive decision the policy proposes for a comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposedDecision {
    pub measure: Action,
    pub clause: u32,
    /// The flagged categories the clause covers.
    pub categories: Vec<Category>,
}

/// Why a citation does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CitationError {
    /// A restrictive measure cites no clause.
    ClauseRequired,
    UnknownClause {
        clause: u32,
        available: Vec<u32>,
    },
    /// The clause does not allow the measure.
    NotAllowed {
        clause: u32,
        title: String,
        /// `None` for a warning.
        measure: Option<Action>,
        allowed: Vec<Action>,
    },
    /// No flagged category is covered by the cited clauses, and the
    /// moderator named none.
    NoCategory {
        clauses: Vec<u32>,
    },
    /// A named category is covered by no cited clause.
    NotCovered {
        category: Category,
    },
}

/// In Italian: the moderator reads it on the desk.
impl std::fmt::Display for CitationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let list = |v: &[String]| {
            if v.is_empty() {
                "nessuna".to_string()
            } else {
                v.join(", ")
            }
        };
        match self {
            CitationError::ClauseRequired => {
                f.write_str("ogni azione restrittiva deve citare almeno una regola della policy")
            }
            CitationError::UnknownClause { clause, available } => write!(
                f,
                "la regola {clause} non esiste (regole della policy: {})",
                list(&available.iter().map(|n| n.to_string()).collect::<Vec<_>>())
            ),
            CitationError::NotAllowed {
                clause,
                title,
                measure,
                allowed,
            } => write!(
                f,
                "la regola {clause} («{title}») non consente di {}; consente di: {}",
                measure.map(|m| m.label_it()).unwrap_or("ammonire"),
                list(
                    &allowed
                        .iter()
                        .map(|a| a.label_it().to_string())
                        .collect::<Vec<_>>()
                )
            ),
            CitationError::NoCategory { clauses } => write!(
                f,
                "indica la categoria della violazione: nessun contenuto segnalato in questo commento rientra {} {}",
                if clauses.len() == 1 {
                    "nella regola"
                } else {
                    "nelle regole"
                },
                clauses
                    .iter()
                    .map(|n| n.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            CitationError::NotCovered { category } => write!(
                f,
                "nessuna regola citata riguarda la categoria «{}»",
                category.label_it()
            ),
        }
    }
}

impl std::error::Error for CitationError {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load_preset;

    fn cento() -> Policy {
        load_preset("cento").unwrap().policy
    }

    #[test]
    fn triage_orders_flagged_categories_by_weight_and_ignores_what_is_under_threshold() {
        let p = cento();
        let t = p.triage(
            [
                (Category::OffTopic, 0.95),
                (Category::Threat, 0.9),
                (Category::Insult, 0.01),
            ],
            [],
        );
        assert_eq!(t.flagged, [Category::Threat, Category::OffTopic]);
        assert_eq!(t.top_category, Some(Category::Threat));
        assert!((t.severity - 0.9).abs() < 1e-6, "{}", t.severity);
        assert_eq!(t.priority, 90);
        assert!(!t.needs_reply);
    }

    #[test]
    fn a_question_waits_for_an_answer_above_clean_comments() {
        let t = cento().triage([], [Intent::Question]);
        assert!(t.needs_reply);
        assert_eq!(t.priority, 40);
        assert_eq!(t.severity, 0.0);
        let t = cento().triage([], [Intent::Criticism]);
        assert!(!t.needs_reply);
        assert_eq!(t.priority, 0);
    }

    #[test]
    fn citations_need_a_clause_that_exists_and_allows_the_measure() {
        let p = cento();
        assert_eq!(
            p.check_citation(Some(Action::Remove), &[]),
            Err(CitationError::ClauseRequired)
        );
        let e = p.check_citation(Some(Action::Remove), &[99]).unwrap_err();
        assert!(e.to_string().contains("la regola 99 non esiste"), "{e}");
        let insult = p.category_rule(Category::Insult).clause.unwrap();
        p.check_citation(Some(Action::Remove), &[insult]).unwrap();
        // Hiding is allowed wherever removal is.
        p.check_citation(Some(Action::Hide), &[insult]).unwrap();
    }

    #[test]
    fn decision_categories_come_from_the_flagged_ones_the_clauses_cover() {
        let p = cento();
        let insult = p.category_rule(Category::Insult).clause.unwrap();
        let (cats, automated) = p
            .decision_categories(&[insult], &[Category::Insult, Category::OffTopic], &[])
            .unwrap();
        assert!(cats.contains(&Category::Insult));
        assert!(automated);
        // Named by the moderator, not flagged: a human decision.
        let (_, automated) = p
            .decision_categories(&[insult], &[], &[Category::Insult])
            .unwrap();
        assert!(!automated);
        assert!(matches!(
            p.decision_categories(&[insult], &[], &[]),
            Err(CitationError::NoCategory { .. })
        ));
    }

    #[test]
    fn the_proposal_cites_the_clause_of_the_heaviest_covered_category() {
        let p = cento();
        let d = p
            .proposed_decision(&[Category::Threat, Category::OffTopic])
            .unwrap();
        assert_eq!(Some(d.clause), p.category_rule(Category::Threat).clause);
        assert!(d.measure.is_restrictive());
        assert!(d.categories.contains(&Category::Threat));
        assert!(p.proposed_decision(&[]).is_none());
    }
}
