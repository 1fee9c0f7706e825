//! Detectors for the clauses that word lists and the classifier do not
//! cover: illegal content ([`illegal`]), alarmist or misleading content
//! ([`misleading`]), copyright ([`copyright`]) and the provocation that,
//! repeated by one author in a thread, is trolling ([`provocation`]; the
//! repetition is counted by [`crate::ProvocationTracker`]).
//!
//! Each detector contributes phrase patterns (its *signals*) to the one
//! rule set of [`crate::rules`], so a clean comment costs no more than the
//! single scan it already had; only the signals that matched are located,
//! and the detector then weighs them together: an offer *and* a drug, an
//! alarm *and* a call to spread it, a film *and* "gratis". Every detector
//! has guards for what a citizen who did nothing wrong writes with the same
//! words (a report of dealing is not dealing, a question about a rumour is
//! not the rumour), because a flag in front of such a citizen is the worst
//! error a public desk can make. Each is measured on its own set in
//! `testdata/` by `tests/clause_detectors.rs`.

pub(crate) mod copyright;
pub(crate) mod illegal;
pub(crate) mod misleading;
pub(crate) mod provocation;

use crate::Collector;
use crate::normalize::Normalized;
use crate::rules::{Action, RuleHit, Rules, Spec};

/// What one clause pattern says about a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Signal {
    // illegal
    DrugOffer,
    DrugPrice,
    SaleContact,
    WeaponOffer,
    WeaponIllegal,
    FakeGoods,
    Incitement,
    SelfJustice,
    CrimeHowTo,
    // misleading
    Alarm,
    Spread,
    Hearsay,
    Urgent,
    Doubt,
    Official,
    Conspiracy,
    // copyright
    PirateSite,
    Iptv,
    IptvContext,
    FreeContent,
    Torrent,
    LegalSource,
    AntiPiracy,
    ArticleRights,
    Newspaper,
    ArticleFurniture,
    // provocation
    Taunt,
    Bait,
}

/// Every clause detector's patterns, for the rule set.
pub(crate) fn specs() -> Vec<Spec> {
    let mut v = illegal::specs();
    v.extend(misleading::specs());
    v.extend(copyright::specs());
    v.extend(provocation::specs());
    // A gap of a few words is a few tokens of the skeleton, where an
    // apostrophe stands alone ("l ' acqua", "un po ' d ' erba").
    for spec in &mut v {
        spec.3 = spec.3.replace(r"(?:\w+\s+)", "(?:[^ ]+ )");
    }
    v
}

/// The signals one comment matched: (signal, skeleton byte range).
pub(crate) struct Signals<'a> {
    hits: Vec<(Signal, usize, usize)>,
    pub sk: &'a str,
}

impl Signals<'_> {
    pub fn has(&self, s: Signal) -> bool {
        self.hits.iter().any(|h| h.0 == s)
    }

    /// Ranges of every match of `s`, in order.
    pub fn all(&self, s: Signal) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.hits
            .iter()
            .filter(move |h| h.0 == s)
            .map(|h| (h.1, h.2))
    }

    pub fn first(&self, s: Signal) -> Option<(usize, usize)> {
        self.all(s).next()
    }

    /// True when the word before skeleton byte `pos` negates what follows
    /// ("non vendo", "mai bruciare").
    pub fn negated(&self, pos: usize) -> bool {
        let before = self.sk[..pos.min(self.sk.len())].trim_end();
        let word = before.rsplit(' ').next().unwrap_or("");
        matches!(word, "non" | "mai" | "ne" | "nesuno" | "senza")
    }
}

/// Runs the clause detectors on the rule hits of one comment. Called once
/// per comment by the analyzer, after the other rules; costs nothing when
/// no clause pattern matched.
pub(crate) fn detect(rules: &Rules, hits: &[RuleHit], norm: &Normalized, c: &mut Collector<'_>) {
    let mut signals = Signals {
        hits: Vec::new(),
        sk: norm.skeleton.as_str(),
    };
    for h in hits {
        if let Action::Signal(s) = rules.rule(h.rule).action {
            signals.hits.push((s, h.start, h.end));
        }
    }
    if signals.hits.is_empty() {
        return;
    }
    illegal::detect(&signals, norm, c);
    misleading::detect(&signals, norm, c);
    copyright::detect(&signals, norm, c);
    provocation::detect(&signals, norm, c);
}

/// Reports a finding with one piece of evidence per skeleton range (the
/// signals that together make it), in text order.
pub(crate) fn report(
    c: &mut Collector<'_>,
    norm: &Normalized,
    category: piazza_taxonomy::Category,
    kind: Option<&str>,
    score: f32,
    spans: &[(usize, usize)],
    why: &str,
) {
    let mut spans = spans.to_vec();
    spans.sort_unstable();
    spans.dedup();
    for (i, &(a, b)) in spans.iter().enumerate() {
        let (score, why) = if i == 0 { (score, why) } else { (0.0, "") };
        c.finding(
            category,
            kind,
            None,
            score,
            Some(norm.skeleton_span(a, b)),
            why,
        );
    }
}
