//! Piazza's defaults for categories and intents a policy leaves unmapped.
//!
//! These are product settings, not rules of any administration: the
//! thresholds are where the analysis is precise enough to be worth a
//! moderator's look, and the seriousness follows Italian criminal law. A
//! policy file overrides any of them under `[categories.<id>]`.

use piazza_taxonomy::{Category, Intent};

use crate::model::Action;

/// The flagging threshold used when a policy sets none.
pub fn threshold(category: Category) -> f64 {
    match category {
        Category::Threat | Category::PersonalData => 0.5,
        Category::Discrimination
        | Category::Insult
        | Category::Vulgarity
        | Category::Obscene
        | Category::Spam
        | Category::Commercial
        | Category::PoliticalPropaganda
        | Category::Illegal => 0.6,
        Category::OffTopic | Category::Trolling | Category::PersonalCase => 0.7,
        Category::Misleading | Category::Copyright => 0.8,
    }
}

/// Whether a category is serious by law when the policy does not say, and
/// the ground. Serious violations may be removed by one moderator even where
/// the policy reserves deletion for serious cases.
pub fn serious_ground(category: Category) -> Option<&'static str> {
    match category {
        Category::Threat => Some("minaccia (art. 612 c.p.)"),
        Category::Discrimination => Some(
            "propaganda e istigazione a delinquere per motivi di discriminazione razziale etnica e religiosa (art. 604-bis c.p.)",
        ),
        Category::Illegal => Some("contenuto illecito o istigazione a delinquere (art. 414 c.p.)"),
        Category::Obscene => Some("pubblicazioni e spettacoli osceni (art. 528 c.p.)"),
        _ => None,
    }
}

/// The suggested handling of an intent when the policy sets none. Intents
/// are never violations, so none of these is restrictive.
pub fn intent_action(intent: Intent) -> Action {
    match intent {
        Intent::Question => Action::Reply,
        Intent::Complaint | Intent::CrimeReport | Intent::ServiceRequest => Action::Redirect,
        Intent::Criticism => Action::Keep,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_default_intent_action_is_restrictive() {
        for i in Intent::ALL {
            assert!(!intent_action(*i).is_restrictive(), "{i}");
        }
    }

    #[test]
    fn thresholds_are_probabilities() {
        for c in Category::ALL {
            let t = threshold(*c);
            assert!(t > 0.0 && t < 1.0, "{c}: {t}");
        }
    }
}
