//! Trolling: provocation repeated by one author in one thread (Cento rule
//! 2: "messaggi gratuitamente polemici, soprattutto se inseriti
//! ripetutamente e/o al fine di disturbare o provocare (cd. trolling o
//! flame)"). The analysis marks each provocative comment with a weak
//! finding (category `trolling`, kind `provocation`, below any flag line);
//! the repetition needs memory of earlier comments, which lives in a
//! [`ProvocationTracker`] owned by the caller, as the near-duplicate
//! tracker's does ([`crate::SpamTracker`]).
//!
//! The caller observes every comment in arrival order, with its author, its
//! post (the thread) and its time. From the `flag_from`-th provocative
//! comment of one author under one post within `window_ms`, the tracker
//! returns a `trolling` finding (kind `repeated`) that scores above the
//! default flag line, with the provocation of that comment as evidence.
//!
//! ```
//! use piazza_analysis::{Analyzer, CommentInput, ProvocationTracker};
//! use piazza_taxonomy::Category;
//!
//! let analyzer = Analyzer::default();
//! let mut tracker = ProvocationTracker::default();
//! let mut found = None;
//! for (i, text) in ["Svegliaaa gente!", "ahahah che ridere, rosicate", "Ciaone, fatevene una ragione"]
//!     .into_iter()
//!     .enumerate()
//! {
//!     let a = analyzer.analyze(&CommentInput::new(text));
//!     found = tracker.observe("troll", "post-1", Some(i as i64 * 60_000), &a);
//! }
//! let f = found.expect("the third provocation is trolling");
//! assert_eq!(f.category, Category::Trolling);
//! assert!(f.score >= 0.7);
//! ```

use std::collections::{HashMap, VecDeque};

use piazza_taxonomy::Category;

use crate::clauses::provocation::PROVOCATION_KIND;
use crate::{Analysis, Evidence, Finding};

/// The kind of the finding the tracker returns.
pub const REPEATED_KIND: &str = "repeated";

/// Settings of a [`ProvocationTracker`].
#[derive(Debug, Clone, Copy)]
pub struct ProvocationConfig {
    /// From which provocative comment of one author under one post the
    /// tracker reports trolling (the third by default: twice may be a
    /// citizen losing patience).
    pub flag_from: usize,
    /// How long a provocative comment counts, in milliseconds, when the
    /// caller gives times (a day by default).
    pub window_ms: i64,
    /// How many (author, post) pairs are remembered, oldest forgotten first.
    pub capacity: usize,
}

impl Default for ProvocationConfig {
    fn default() -> Self {
        ProvocationConfig {
            flag_from: 3,
            window_ms: 24 * 3_600_000,
            capacity: 50_000,
        }
    }
}

/// The provocation of one comment, as the analysis found it: what the
/// tracker needs, small enough to pass from a worker thread to the thread
/// that observes in order.
#[derive(Debug, Clone, PartialEq)]
pub struct ProvocationSignal {
    pub score: f32,
    pub evidence: Vec<Evidence>,
}

impl ProvocationSignal {
    /// The provocation the analysis found in a comment, if any.
    pub fn of(a: &Analysis) -> Option<ProvocationSignal> {
        a.findings
            .iter()
            .find(|f| {
                f.category == Category::Trolling && f.kind.as_deref() == Some(PROVOCATION_KIND)
            })
            .map(|f| ProvocationSignal {
                score: f.score,
                evidence: f.evidence.clone(),
            })
    }
}

/// Counts provocative comments per author and post. See the module docs.
#[derive(Debug)]
pub struct ProvocationTracker {
    cfg: ProvocationConfig,
    /// (author, post) -> times of the provocative comments in the window.
    seen: HashMap<(String, String), VecDeque<Option<i64>>>,
    /// Insertion order of the pairs, for the capacity.
    order: VecDeque<(String, String)>,
}

impl Default for ProvocationTracker {
    fn default() -> Self {
        ProvocationTracker::new(ProvocationConfig::default())
    }
}

impl ProvocationTracker {
    pub fn new(cfg: ProvocationConfig) -> ProvocationTracker {
        ProvocationTracker {
            cfg: ProvocationConfig {
                flag_from: cfg.flag_from.max(1),
                ..cfg
            },
            seen: HashMap::new(),
            order: VecDeque::new(),
        }
    }

    /// (author, post) pairs remembered.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }

    /// Observes one comment (in arrival order) by `author` under `post_id`
    /// at `at_ms` (milliseconds, any epoch; `None` when unknown: then only
    /// the capacity forgets) with its analysis. Returns the trolling finding
    /// when this comment repeats the author's provocation in the thread.
    pub fn observe(
        &mut self,
        author: &str,
        post_id: &str,
        at_ms: Option<i64>,
        analysis: &Analysis,
    ) -> Option<Finding> {
        self.observe_signal(
            author,
            post_id,
            at_ms,
            ProvocationSignal::of(analysis).as_ref(),
        )
    }

    /// [`ProvocationTracker::observe`] with the signal taken from the
    /// analysis beforehand ([`ProvocationSignal::of`]), for callers that
    /// analyse on worker threads and observe in order on one.
    pub fn observe_signal(
        &mut self,
        author: &str,
        post_id: &str,
        at_ms: Option<i64>,
        signal: Option<&ProvocationSignal>,
    ) -> Option<Finding> {
        // Only provocative comments count, and only with a known author:
        // anonymous comments cannot be told apart.
        let signal = signal?;
        if author.is_empty() {
            return None;
        }
        let key = (author.to_string(), post_id.to_string());
        if !self.seen.contains_key(&key) {
            if self.seen.len() >= self.cfg.capacity
                && let Some(old) = self.order.pop_front()
            {
                self.seen.remove(&old);
            }
            self.order.push_back(key.clone());
        }
        let times = self.seen.entry(key).or_default();
        if let Some(now) = at_ms {
            let window = self.cfg.window_ms;
            while let Some(Some(t)) = times.front() {
                if now.saturating_sub(*t) > window {
                    times.pop_front();
                } else {
                    break;
                }
            }
        }
        times.push_back(at_ms);
        // Only the last `flag_from` times matter.
        while times.len() > self.cfg.flag_from.max(8) {
            times.pop_front();
        }
        let n = times.len();
        if n < self.cfg.flag_from {
            return None;
        }
        let over = (n - self.cfg.flag_from) as f32;
        Some(Finding {
            category: Category::Trolling,
            kind: Some(REPEATED_KIND.to_string()),
            target: None,
            score: (0.75 + 0.05 * over).min(0.9),
            evidence: signal.evidence.clone(),
            explanation: format!(
                "provocazione ripetuta dallo stesso autore nella stessa discussione ({n}° commento provocatorio)"
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signal() -> ProvocationSignal {
        ProvocationSignal {
            score: 0.4,
            evidence: vec![Evidence {
                start: 0,
                end: 7,
                text: "sveglia".into(),
            }],
        }
    }

    #[test]
    fn the_third_provocation_of_one_author_in_one_thread_is_trolling() {
        let mut t = ProvocationTracker::default();
        let s = signal();
        assert!(t.observe_signal("a", "p", Some(0), Some(&s)).is_none());
        // Other authors, other threads and clean comments do not count.
        assert!(t.observe_signal("b", "p", Some(1), Some(&s)).is_none());
        assert!(t.observe_signal("a", "q", Some(2), Some(&s)).is_none());
        assert!(t.observe_signal("a", "p", Some(3), None).is_none());
        assert!(t.observe_signal("a", "p", Some(4), Some(&s)).is_none());
        let f = t.observe_signal("a", "p", Some(5), Some(&s)).unwrap();
        assert_eq!(f.kind.as_deref(), Some(REPEATED_KIND));
        assert!((f.score - 0.75).abs() < 1e-6);
        assert_eq!(f.evidence[0].text, "sveglia");
        assert!(f.explanation.contains("3°"));
        let f = t.observe_signal("a", "p", Some(6), Some(&s)).unwrap();
        assert!(f.score > 0.75);
        // Anonymous comments are never counted.
        for i in 0..5 {
            assert!(t.observe_signal("", "p", Some(i), Some(&s)).is_none());
        }
    }

    #[test]
    fn provocations_older_than_the_window_are_forgotten() {
        let mut t = ProvocationTracker::new(ProvocationConfig {
            window_ms: 1_000,
            ..ProvocationConfig::default()
        });
        let s = signal();
        t.observe_signal("a", "p", Some(0), Some(&s));
        t.observe_signal("a", "p", Some(500), Some(&s));
        assert!(t.observe_signal("a", "p", Some(2_000), Some(&s)).is_none());
        assert!(t.observe_signal("a", "p", Some(2_100), Some(&s)).is_none());
        assert!(t.observe_signal("a", "p", Some(2_200), Some(&s)).is_some());
    }

    #[test]
    fn the_capacity_forgets_the_oldest_pairs() {
        let mut t = ProvocationTracker::new(ProvocationConfig {
            capacity: 2,
            ..ProvocationConfig::default()
        });
        let s = signal();
        t.observe_signal("a", "p", None, Some(&s));
        t.observe_signal("b", "p", None, Some(&s));
        t.observe_signal("c", "p", None, Some(&s));
        assert_eq!(t.len(), 2);
        // "a" was forgotten: its count starts again.
        t.observe_signal("a", "p", None, Some(&s));
        assert!(t.observe_signal("a", "p", None, Some(&s)).is_none());
        assert!(t.observe_signal("a", "p", None, Some(&s)).is_some());
    }
}
