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
    Drug,
    DrugPrice,
    SaleContact,
    Weapon,
    WeaponIllegal,
    Fake,
    Hortative,
    Infinitive,
    SelfJustice,
    CrimeHowTo,
    // misleading
    Alarm,
    Closure,
    Disaster,
    Vaccine,
    Spread,
    HearsayWho,
    HearsaySays,
    HearsayStrong,
    Urgent,
    Doubt,
    Official,
    Conspiracy,
    // copyright
    PirateSite,
    Iptv,
    IptvContext,
    Free,
    Textbooks,
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

impl Signal {
    /// Context signals: the detectors ask only whether they matched, so
    /// the rule set does not locate them (a located match runs the rule's
    /// own regex).
    pub(crate) fn presence_only(self) -> bool {
        matches!(
            self,
            Signal::SaleContact
                | Signal::DrugPrice
                | Signal::WeaponIllegal
                | Signal::HearsaySays
                | Signal::Urgent
                | Signal::Doubt
                | Signal::Official
                | Signal::IptvContext
                | Signal::LegalSource
                | Signal::AntiPiracy
        )
    }
}

/// Every clause detector's patterns, for the rule set.
pub(crate) fn specs() -> Vec<Spec> {
    let mut v = illegal::specs();
    v.extend(misleading::specs());
    v.extend(copyright::specs());
    v.extend(provocation::specs());
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

    /// The `n` tokens of the skeleton before byte `pos`, as " a b c " (a
    /// space on each side, so that `contains(" vendo ")` finds a word). An
    /// apostrophe is a token of its own ("l ' acqua").
    pub fn before(&self, pos: usize, n: usize) -> String {
        let head = self.sk[..pos.min(self.sk.len())].trim_end();
        let mut toks: Vec<&str> = head.rsplit(' ').filter(|t| !t.is_empty()).take(n).collect();
        toks.reverse();
        format!(" {} ", toks.join(" "))
    }

    /// The `n` tokens after byte `end`, as " a b c ".
    pub fn after(&self, end: usize, n: usize) -> String {
        let tail = &self.sk[end.min(self.sk.len())..];
        let toks: Vec<&str> = tail.split(' ').filter(|t| !t.is_empty()).take(n).collect();
        format!(" {} ", toks.join(" "))
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

/// Whether `window` (" a b c ") contains one of `phrases` as whole words
/// (each phrase written " like this ").
pub(crate) fn has_phrase(window: &str, phrases: &[&str]) -> bool {
    phrases.iter().any(|p| window.contains(p))
}

/// Whether a word of `window` starts with one of `stems`.
pub(crate) fn has_stem(window: &str, stems: &[&str]) -> bool {
    window
        .split(' ')
        .any(|w| !w.is_empty() && stems.iter().any(|s| w.starts_with(s)))
}

/// The strongest reading among a detector's candidates for one comment.
#[derive(Default)]
pub(crate) struct Best {
    found: Option<Reading>,
}

/// A score, the skeleton ranges that make it, and why.
type Reading = (f32, Vec<(usize, usize)>, &'static str);

impl Best {
    pub fn consider(&mut self, score: f32, spans: Vec<(usize, usize)>, why: &'static str) {
        if self.found.as_ref().is_none_or(|b| score > b.0) {
            self.found = Some((score, spans, why));
        }
    }

    /// Reports the strongest reading, if any.
    pub fn report(
        self,
        c: &mut Collector<'_>,
        norm: &Normalized,
        category: piazza_taxonomy::Category,
    ) {
        if let Some((score, spans, why)) = self.found {
            report(c, norm, category, None, score, &spans, why);
        }
    }
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

/// The detectors compare their word lists with the skeleton, where doubled
/// letters are collapsed and accents folded: each entry must be written as
/// its own skeleton ("ufici", not "uffici"), or it never matches.
#[cfg(test)]
pub(crate) fn assert_skeletal(list: &[&str]) {
    for w in list {
        let t = w.trim();
        assert_eq!(
            crate::normalize::skeletonize(t),
            t,
            "{w:?} is not a skeleton"
        );
    }
}
