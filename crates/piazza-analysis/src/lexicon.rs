//! Word lists (vulgarity, insults, obscenity, slurs) matched on the skeleton
//! of a comment with one Aho-Corasick pass, plus the per-administration
//! allow and deny lists.

use aho_corasick::automaton::Automaton;
use aho_corasick::dfa::DFA;
use aho_corasick::{AhoCorasick, Input};
use piazza_taxonomy::{Category, DiscriminationTarget};

use crate::normalize::{Normalized, overlapping_dfa, skeletonize};

pub(crate) const TERMS: &str = include_str!("../lexicons/terms.tsv");

/// One lexicon entry.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub category: Category,
    pub target: Option<DiscriminationTarget>,
    pub weight: f32,
    /// Matches any word starting with the term.
    pub prefix: bool,
    /// True for terms added by the administration (deny list).
    pub custom: bool,
}

/// A match of an entry in the skeleton (byte offsets in the skeleton).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hit {
    pub entry: usize,
    pub start: usize,
    pub end: usize,
    /// Length of the matched term (a longer term is more specific).
    pub term_len: usize,
}

/// The compiled lexicon.
#[derive(Debug, Clone)]
pub(crate) struct Lexicon {
    /// A DFA used directly (not behind `AhoCorasick`'s dynamic dispatch):
    /// the overlapping scan runs on every comment.
    ac: DFA,
    /// One per builtin or custom pattern; patterns from `entries.len()` on
    /// are the extra words of [`Lexicon::with_groups`].
    entries: Vec<Entry>,
    allow: Option<AhoCorasick>,
}

impl Lexicon {
    /// Builds the builtin lexicon plus the administration's lists.
    #[cfg(test)]
    pub fn new(allow_terms: &[String], deny_terms: &[(String, Category)]) -> Lexicon {
        Lexicon::with_groups(allow_terms, deny_terms, &[])
    }

    /// Like [`Lexicon::new`], also scanning for `extra` patterns (already
    /// skeletonised) reported by [`Lexicon::find_with_groups`].
    pub fn with_groups(
        allow_terms: &[String],
        deny_terms: &[(String, Category)],
        extra: &[String],
    ) -> Lexicon {
        let mut patterns: Vec<String> = Vec::new();
        let mut entries: Vec<Entry> = Vec::new();
        for line in TERMS.lines() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let mut cols = line.split('\t');
            let (Some(term), Some(cat), Some(target), Some(weight)) =
                (cols.next(), cols.next(), cols.next(), cols.next())
            else {
                continue;
            };
            let (term, prefix) = match term.strip_suffix('*') {
                Some(t) => (t, true),
                None => (term, false),
            };
            let Ok(category) = cat.parse::<Category>() else {
                continue;
            };
            let target = target.parse::<DiscriminationTarget>().ok();
            let weight = weight.parse::<f32>().unwrap_or(0.5);
            patterns.push(skeletonize(term));
            entries.push(Entry {
                category,
                target,
                weight,
                prefix,
                custom: false,
            });
        }
        for (term, category) in deny_terms {
            let (term, prefix) = match term.strip_suffix('*') {
                Some(t) => (t, true),
                None => (term.as_str(), false),
            };
            let sk = skeletonize(term);
            if sk.trim().is_empty() {
                continue;
            }
            patterns.push(sk);
            entries.push(Entry {
                category: *category,
                target: None,
                weight: 0.8,
                prefix,
                custom: true,
            });
        }
        patterns.extend(extra.iter().cloned());
        let ac = overlapping_dfa(&patterns, "the lexicon's patterns");
        let allow_patterns: Vec<String> = allow_terms
            .iter()
            .map(|t| skeletonize(t))
            .filter(|t| !t.trim().is_empty())
            .collect();
        let allow = if allow_patterns.is_empty() {
            None
        } else {
            AhoCorasick::new(&allow_patterns).ok()
        };
        Lexicon { ac, entries, allow }
    }

    pub fn entry(&self, i: usize) -> &Entry {
        &self.entries[i]
    }

    /// Every accepted hit, longest first where they overlap.
    #[cfg(test)]
    pub fn find(&self, norm: &Normalized, out: &mut Vec<Hit>) {
        self.find_with_groups(norm, out, &|_, _, _, _| 0);
    }

    /// [`Lexicon::find`], also OR-ing `group(skeleton, i, start, end)` over
    /// the matches of extra pattern `i` into the returned mask.
    pub fn find_with_groups(
        &self,
        norm: &Normalized,
        out: &mut Vec<Hit>,
        group: &dyn Fn(&str, usize, usize, usize) -> u8,
    ) -> u8 {
        let mut mask = 0u8;
        let sk = norm.skeleton.as_str();
        let bytes = sk.as_bytes();
        let matches = self
            .ac
            .try_find_overlapping_iter(Input::new(sk))
            .expect("unanchored standard DFA supports overlapping search");
        for m in matches {
            let Some(entry) = self.entries.get(m.pattern().as_usize()) else {
                mask |= group(
                    sk,
                    m.pattern().as_usize() - self.entries.len(),
                    m.start(),
                    m.end(),
                );
                continue;
            };
            let (s, mut e) = (m.start(), m.end());
            let in_tag = norm.in_hashtag(s);
            let term_len = e - s;
            let start_ok = s == 0 || !is_word_byte_before(sk, s);
            // Inside a hashtag (`#sindacostronzo`) or at a removed joiner
            // (`vai.stronzo`) a long enough term may start mid-word.
            let start_ok = start_ok || ((in_tag || norm.at_joint(s)) && term_len >= 4);
            if !start_ok {
                continue;
            }
            if entry.prefix {
                while e < bytes.len() && is_word_byte_at(sk, e) && !norm.at_joint(e) {
                    e += sk[e..].chars().next().map_or(1, char::len_utf8);
                }
            } else {
                let end_ok = e == bytes.len()
                    || !is_word_byte_at(sk, e)
                    || (norm.at_joint(e) && term_len >= 4);
                if !(end_ok || (in_tag && term_len >= 4)) {
                    continue;
                }
            }
            out.push(Hit {
                entry: m.pattern().as_usize(),
                start: s,
                end: e,
                term_len,
            });
        }
        // Drop hits contained in a longer one ("figlio di puttana" wins over
        // "puttana", "di merda" over "merda").
        out.sort_by_key(|h| {
            (
                h.start,
                std::cmp::Reverse(h.end),
                std::cmp::Reverse(h.term_len),
            )
        });
        let mut kept: Vec<Hit> = Vec::with_capacity(out.len());
        for h in out.drain(..) {
            if kept.iter().any(|k| {
                k.start <= h.start && h.end <= k.end && (k.end - k.start) > (h.end - h.start)
            }) {
                continue;
            }
            if kept.iter().any(|k| k.start == h.start && k.end == h.end) {
                continue;
            }
            kept.push(h);
        }
        if let Some(allow) = &self.allow {
            let allowed: Vec<(usize, usize)> = allow
                .find_overlapping_iter(sk)
                .map(|m| (m.start(), m.end()))
                .collect();
            kept.retain(|h| {
                !allowed
                    .iter()
                    .any(|&(a, b)| a <= h.start && h.end <= b.max(word_end(sk, b)))
            });
        }
        out.extend(kept);
        mask
    }
}

fn word_end(sk: &str, mut e: usize) -> usize {
    while e < sk.len() && is_word_byte_at(sk, e) {
        e += sk[e..].chars().next().map_or(1, char::len_utf8);
    }
    e
}

fn is_word_byte_before(sk: &str, pos: usize) -> bool {
    sk[..pos]
        .chars()
        .next_back()
        .is_some_and(char::is_alphanumeric)
}

fn is_word_byte_at(sk: &str, pos: usize) -> bool {
    sk[pos..].chars().next().is_some_and(char::is_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cats(lex: &Lexicon, text: &str) -> Vec<Category> {
        let n = Normalized::new(text);
        let mut hits = Vec::new();
        lex.find(&n, &mut hits);
        hits.iter().map(|h| lex.entry(h.entry).category).collect()
    }

    #[test]
    fn whole_words_and_prefixes() {
        let lex = Lexicon::new(&[], &[]);
        assert_eq!(cats(&lex, "sei uno stronzo"), vec![Category::Insult]);
        assert_eq!(cats(&lex, "che stronzate"), vec![Category::Vulgarity]);
        // "cazzo" must not match inside an unrelated longer word.
        assert!(cats(&lex, "scazzottata al mercato").is_empty());
        assert!(cats(&lex, "la legge sull'aborto").is_empty());
    }

    #[test]
    fn longest_match_wins() {
        let lex = Lexicon::new(&[], &[]);
        assert_eq!(cats(&lex, "figlio di puttana"), vec![Category::Insult]);
        assert_eq!(cats(&lex, "negri di merda").len(), 1);
    }

    #[test]
    fn hashtags_match_inside_words() {
        let lex = Lexicon::new(&[], &[]);
        assert_eq!(cats(&lex, "#sindacostronzo"), vec![Category::Insult]);
        assert!(cats(&lex, "sindacostronzo").is_empty());
    }

    #[test]
    fn allow_and_deny_lists() {
        let lex = Lexicon::new(
            &["Fica".to_string()],
            &[("cacasotto".to_string(), Category::Insult)],
        );
        assert!(cats(&lex, "la figa è bella").contains(&Category::Obscene));
        assert_eq!(cats(&lex, "sei un cacasotto"), vec![Category::Insult]);
        let lex = Lexicon::new(&["figa".to_string()], &[]);
        assert!(cats(&lex, "la figa è bella").is_empty());
    }
}
