//! Near-duplicate spam: MinHash signatures over word shingles of the
//! skeleton, indexed with LSH bands. The state lives in a [`SpamTracker`]
//! owned by the caller (one per page or per administration), so the
//! [`Analyzer`](crate::Analyzer) stays stateless and shareable.

use std::collections::{HashMap, VecDeque};

use piazza_taxonomy::Category;

use crate::normalize::Normalized;
use crate::{Evidence, Finding};

const HASHES: usize = 64;
const BANDS: usize = 16;
const ROWS: usize = HASHES / BANDS;

/// Settings of a [`SpamTracker`].
#[derive(Debug, Clone, Copy)]
pub struct SpamConfig {
    /// Estimated Jaccard similarity from which two comments are duplicates.
    pub threshold: f32,
    /// Comments with fewer words are ignored ("grazie!" is no spam).
    pub min_words: usize,
    /// How many comments are remembered (oldest forgotten first).
    pub capacity: usize,
}

impl Default for SpamConfig {
    fn default() -> Self {
        SpamConfig {
            threshold: 0.7,
            min_words: 6,
            capacity: 50_000,
        }
    }
}

struct Seen {
    id: u64,
    author: String,
    post: String,
    sig: [u64; HASHES],
}

/// How many recent signatures one LSH bucket keeps.
const MAX_PER_BUCKET: usize = 32;
/// How many recent comments of each author are always compared.
const PER_AUTHOR: usize = 8;

/// Remembers recent comments and recognises near-duplicates.
pub struct SpamTracker {
    cfg: SpamConfig,
    seen: VecDeque<Seen>,
    bands: HashMap<u64, Vec<u64>>,
    /// The latest comments of each author: a repetition by the same person
    /// is found even when a flood has pushed it out of the buckets.
    by_author: HashMap<String, Vec<u64>>,
    next_id: u64,
}

fn mix(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

fn hash_str(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in s.as_bytes() {
        h = (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
    }
    mix(h)
}

impl Default for SpamTracker {
    fn default() -> Self {
        SpamTracker::new(SpamConfig::default())
    }
}

impl SpamTracker {
    pub fn new(cfg: SpamConfig) -> SpamTracker {
        SpamTracker {
            cfg,
            seen: VecDeque::new(),
            bands: HashMap::new(),
            by_author: HashMap::new(),
            next_id: 0,
        }
    }

    /// Number of comments remembered.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }

    fn signature(words: &[&str]) -> [u64; HASHES] {
        let mut sig = [u64::MAX; HASHES];
        let k = if words.len() >= 3 { 3 } else { 1 };
        for w in words.windows(k) {
            let mut h = 0u64;
            for x in w {
                h = mix(h ^ hash_str(x));
            }
            for (i, s) in sig.iter_mut().enumerate() {
                let v = mix(h ^ (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
                if v < *s {
                    *s = v;
                }
            }
        }
        sig
    }

    fn band_keys(sig: &[u64; HASHES]) -> [u64; BANDS] {
        let mut keys = [0u64; BANDS];
        for (b, key) in keys.iter_mut().enumerate() {
            let mut h = mix(b as u64 + 1);
            for v in &sig[b * ROWS..(b + 1) * ROWS] {
                h = mix(h ^ v);
            }
            *key = h;
        }
        keys
    }

    /// Records a comment and reports it as spam when it nearly repeats an
    /// earlier comment of the same author (on any post), or the same text
    /// posted by someone else under a different post. `author` and `post_id`
    /// may be empty when unknown.
    pub fn observe(&mut self, author: &str, post_id: &str, text: &str) -> Option<Finding> {
        let norm = Normalized::new(text);
        let words: Vec<&str> = norm
            .skeleton
            .split(' ')
            .filter(|w| w.chars().any(char::is_alphanumeric))
            .collect();
        if words.len() < self.cfg.min_words {
            return None;
        }
        let sig = Self::signature(&words);
        let keys = Self::band_keys(&sig);
        let mut candidates: Vec<u64> = keys
            .iter()
            .filter_map(|k| self.bands.get(k))
            .flatten()
            .chain(self.by_author.get(author).into_iter().flatten())
            .copied()
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        let first_id = self.seen.front().map_or(0, |s| s.id);
        let mut repeats = 0usize;
        let mut best: f32 = 0.0;
        let mut same_author = false;
        for id in candidates {
            let Some(s) = self.seen.get((id - first_id) as usize) else {
                continue;
            };
            let sim = s.sig.iter().zip(&sig).filter(|(a, b)| a == b).count() as f32 / HASHES as f32;
            if sim < self.cfg.threshold {
                continue;
            }
            let by_author = !author.is_empty() && s.author == author;
            let across_posts = s.post != post_id || post_id.is_empty();
            if by_author || across_posts {
                repeats += 1;
                best = best.max(sim);
                same_author |= by_author;
            }
        }
        self.remember(author, post_id, sig, keys);
        if repeats == 0 {
            return None;
        }
        let char_len = text.chars().count();
        let score = (0.6 + 0.1 * repeats as f32 + 0.1 * (best - self.cfg.threshold)).min(0.97);
        Some(Finding {
            category: Category::Spam,
            kind: Some("near_duplicate".to_string()),
            target: None,
            score,
            evidence: vec![Evidence {
                start: 0,
                end: char_len,
                text: text.to_string(),
            }],
            explanation: if same_author {
                format!(
                    "testo ripetuto dallo stesso autore ({repeats} volte, somiglianza {:.0}%)",
                    best * 100.0
                )
            } else {
                format!(
                    "stesso testo pubblicato sotto altri post ({repeats} volte, somiglianza {:.0}%)",
                    best * 100.0
                )
            },
        })
    }

    fn remember(&mut self, author: &str, post_id: &str, sig: [u64; HASHES], keys: [u64; BANDS]) {
        let id = self.next_id;
        self.next_id += 1;
        for k in keys {
            let bucket = self.bands.entry(k).or_default();
            bucket.push(id);
            // A flood of near-identical texts must not make every new comment
            // compare against all of them (quadratic time): the most recent
            // few in a bucket are enough to tell a repetition.
            if bucket.len() > MAX_PER_BUCKET {
                bucket.remove(0);
            }
        }
        if !author.is_empty() {
            let recent = self.by_author.entry(author.to_string()).or_default();
            recent.push(id);
            if recent.len() > PER_AUTHOR {
                recent.remove(0);
            }
        }
        self.seen.push_back(Seen {
            id,
            author: author.to_string(),
            post: post_id.to_string(),
            sig,
        });
        while self.seen.len() > self.cfg.capacity.max(1) {
            if let Some(old) = self.seen.pop_front() {
                if let Some(v) = self.by_author.get_mut(&old.author) {
                    v.retain(|&x| x != old.id);
                    if v.is_empty() {
                        self.by_author.remove(&old.author);
                    }
                }
                for k in Self::band_keys(&old.sig) {
                    if let Some(v) = self.bands.get_mut(&k) {
                        v.retain(|&x| x != old.id);
                        if v.is_empty() {
                            self.bands.remove(&k);
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AD: &str =
        "Guadagna 500 euro a settimana lavorando da casa, scrivimi in privato per sapere come";

    #[test]
    fn same_author_repeating_on_other_posts_is_spam() {
        let mut t = SpamTracker::default();
        assert!(t.observe("mario", "p1", AD).is_none());
        let f = t
            .observe("mario", "p2", "Guadagna 500 euro a settimana lavorando da casa!! scrivimi in privato per sapere come")
            .expect("near duplicate");
        assert_eq!(f.category, Category::Spam);
        assert!(f.explanation.contains("stesso autore"), "{}", f.explanation);
    }

    #[test]
    fn same_text_by_others_across_posts_is_spam_but_not_on_the_same_post() {
        let mut t = SpamTracker::default();
        assert!(t.observe("a", "p1", AD).is_none());
        // Someone else under the same post: a quote or a reply, not spam.
        assert!(t.observe("b", "p1", AD).is_none());
        assert!(t.observe("c", "p2", AD).is_some());
    }

    #[test]
    fn different_texts_and_short_texts_are_not_spam() {
        let mut t = SpamTracker::default();
        assert!(t.observe("a", "p1", "grazie mille a tutti").is_none());
        assert!(t.observe("a", "p2", "grazie mille a tutti").is_none());
        assert!(
            t.observe(
                "a",
                "p1",
                "la biblioteca resta chiusa per lavori fino a lunedì prossimo"
            )
            .is_none()
        );
        assert!(
            t.observe(
                "a",
                "p2",
                "quando riapre la piscina comunale dopo i lavori di manutenzione?"
            )
            .is_none()
        );
    }

    #[test]
    fn capacity_forgets_the_oldest() {
        let mut t = SpamTracker::new(SpamConfig {
            capacity: 2,
            ..SpamConfig::default()
        });
        t.observe("a", "p1", AD);
        t.observe(
            "x",
            "p1",
            "la biblioteca resta chiusa per lavori fino a lunedì prossimo",
        );
        t.observe(
            "y",
            "p1",
            "quando riapre la piscina comunale dopo i lavori di manutenzione?",
        );
        assert_eq!(t.len(), 2);
        assert!(t.observe("a", "p2", AD).is_none());
    }

    #[test]
    fn a_flood_of_near_duplicates_keeps_buckets_bounded() {
        // Regression: every bucket used to grow with the flood, making each
        // new comment compare against all earlier ones.
        let mut t = SpamTracker::default();
        let mut flagged = 0;
        for i in 0..2000 {
            let text = format!(
                "Guadagna da casa cinquecento euro al giorno scrivimi subito su WhatsApp {i}"
            );
            if t.observe(&format!("a{}", i % 50), "p1", &text).is_some() {
                flagged += 1;
            }
        }
        assert!(t.bands.values().all(|b| b.len() <= MAX_PER_BUCKET));
        // The first comment of each of the 50 authors under the same post is
        // not a repetition; every later one is.
        assert_eq!(flagged, 1950, "the flood is still recognised");
    }
}
