//! Relevance of a comment to the post it answers: Italian Snowball stems of
//! the content words, weighted by length as a cheap stand-in for IDF (long
//! words are rarer and more topical), compared with a cosine. A short post
//! says little about its topic, so the finding is then weak.
//!
//! Speed: a post is prepared once ([`PreparedPost`], shared behind an
//! `Arc`; posts given as plain text are kept in a small per-thread cache),
//! and each thread memoises word -> stem, so the Snowball stemmer runs once
//! per distinct word. Stems are compared by a 64-bit hash, so term vectors
//! are plain sorted arrays with no per-comment allocation of strings.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use rust_stemmers::{Algorithm, Stemmer};

use crate::normalize::Normalized;

/// Italian function words and fillers that say nothing about a topic.
const STOPWORDS: &[&str] = &[
    "a",
    "ad",
    "al",
    "allo",
    "ai",
    "agli",
    "all",
    "alla",
    "alle",
    "anche",
    "ancora",
    "avere",
    "aveva",
    "avete",
    "ben",
    "bene",
    "buona",
    "buongiorno",
    "buonasera",
    "che",
    "chi",
    "ci",
    "ciao",
    "come",
    "con",
    "cosa",
    "cui",
    "da",
    "dal",
    "dalla",
    "dai",
    "degli",
    "dei",
    "del",
    "della",
    "delle",
    "dello",
    "di",
    "dopo",
    "dove",
    "e",
    "ed",
    "era",
    "essere",
    "fa",
    "fare",
    "fatto",
    "gia",
    "gli",
    "grazie",
    "ha",
    "hanno",
    "ho",
    "i",
    "il",
    "in",
    "io",
    "la",
    "le",
    "lei",
    "li",
    "lo",
    "loro",
    "lui",
    "ma",
    "mai",
    "me",
    "mi",
    "mio",
    "mia",
    "molto",
    "ne",
    "nei",
    "nel",
    "nella",
    "no",
    "noi",
    "non",
    "nostro",
    "o",
    "ogni",
    "ora",
    "per",
    "perche",
    "pero",
    "piu",
    "poi",
    "poco",
    "prima",
    "proprio",
    "qua",
    "quale",
    "quando",
    "quanto",
    "quel",
    "quella",
    "quelle",
    "quelli",
    "quello",
    "questa",
    "queste",
    "questi",
    "questo",
    "qui",
    "se",
    "sei",
    "sempre",
    "senza",
    "si",
    "sia",
    "siamo",
    "siete",
    "solo",
    "sono",
    "sta",
    "stata",
    "stato",
    "su",
    "sul",
    "sulla",
    "suo",
    "sua",
    "tra",
    "fra",
    "tu",
    "tutti",
    "tutto",
    "tutte",
    "un",
    "una",
    "uno",
    "va",
    "vi",
    "voi",
    "vostro",
    "cosi",
    "tanto",
    "oggi",
    "ieri",
    "domani",
    "fate",
    "sa",
    "sapete",
    "dire",
    "detto",
    "state",
    "stati",
    "sarebbe",
    "essere",
    "abbiamo",
    "avete",
    "comune",
    "citta",
    "cittadini",
];

/// A term vector: (stem hash, weight), sorted by hash, one entry per stem.
type Terms = Vec<(u64, f32)>;

/// A post ready for off-topic comparisons: normalised, stemmed and weighted
/// once. Cheap to clone (shared); build it with
/// [`Analyzer::prepare_post`](crate::Analyzer::prepare_post).
#[derive(Clone)]
pub struct PreparedPost(Arc<PostInner>);

struct PostInner {
    text: String,
    terms: Terms,
    norm: f32,
    /// The classifier heads' groups the post names (see `crate::gate`).
    groups: u8,
}

impl PreparedPost {
    /// Prepares the post `text`.
    pub fn new(text: &str) -> PreparedPost {
        let normalized = Normalized::new(text);
        let groups = crate::named_groups_of(&normalized.skeleton);
        let plain = normalized.plain;
        let mut terms = Terms::new();
        with_memo(|m| m.terms(&plain, &mut terms));
        let norm = terms.iter().map(|(_, v)| v * v).sum::<f32>().sqrt();
        PreparedPost(Arc::new(PostInner {
            text: text.to_string(),
            terms,
            norm,
            groups,
        }))
    }

    /// The groups of the classifier heads the post names (one bit per
    /// target of [`crate::gate::GROUP_TARGETS`]).
    pub(crate) fn groups(&self) -> u8 {
        self.0.groups
    }

    /// The post text as given.
    pub fn text(&self) -> &str {
        &self.0.text
    }

    /// Number of distinct content stems of the post.
    pub fn terms(&self) -> usize {
        self.0.terms.len()
    }
}

impl std::fmt::Debug for PreparedPost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedPost")
            .field("text", &self.0.text)
            .field("terms", &self.0.terms.len())
            .finish()
    }
}

/// Two prepared posts are equal when their texts are (the rest derives
/// from the text).
impl PartialEq for PreparedPost {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0.text == other.0.text
    }
}

impl Eq for PreparedPost {}

/// A fast word hash for the memo tables and stem identities (short keys,
/// no DoS concern: the memo is a bounded cache).
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        // Final mix so the table's low bits depend on every input byte.
        let h = self.0 ^ (self.0 >> 29);
        h.wrapping_mul(0xbf58_476d_1ce4_e5b9) ^ (h >> 32)
    }
    fn write_u128(&mut self, x: u128) {
        // The packed word keys: one multiply per half.
        for half in [x as u64, (x >> 64) as u64] {
            self.0 = (self.0 ^ half)
                .wrapping_mul(0x9e37_79b9_7f4a_7c15)
                .rotate_left(23);
        }
    }
    fn write(&mut self, bytes: &[u8]) {
        // Eight bytes at a time (words are short): FNV-style multiply.
        let mut h = self.0 ^ 0xcbf2_9ce4_8422_2325;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
            h = (h ^ w).wrapping_mul(0x0000_0100_0000_01b3).rotate_left(23);
        }
        let rest = chunks.remainder();
        let mut last = [0u8; 8];
        last[..rest.len()].copy_from_slice(rest);
        h = (h ^ u64::from_le_bytes(last) ^ ((bytes.len() as u64) << 56))
            .wrapping_mul(0x0000_0100_0000_01b3);
        self.0 = h;
    }
}

fn fnv(bytes: &[u8]) -> u64 {
    let mut h = Fnv::default();
    h.write(bytes);
    h.finish()
}

/// Words remembered per thread before the memo is reset.
const MEMO_CAP: usize = 50_000;
/// Posts remembered per thread for `CommentInput::post_text`.
const POST_CACHE: usize = 16;

/// A memo table: the stem hash and weight of a word, `None` for words that
/// are not content terms.
type StemTable<K> = HashMap<K, Option<(u64, f32)>, BuildHasherDefault<Fnv>>;

/// Per-thread memo of word -> stem hash and weight (`None` for words that
/// are not content terms), and the recently seen posts.
struct Memo {
    stemmer: Stemmer,
    /// Words of up to 16 bytes (nearly all), keyed by [`pack`]: hashing and
    /// comparing an integer is far cheaper than a string key.
    short: StemTable<u128>,
    long: StemTable<Box<str>>,
    posts: Vec<PreparedPost>,
}

thread_local! {
    static MEMO: RefCell<Memo> = RefCell::new(Memo {
        stemmer: Stemmer::create(Algorithm::Italian),
        short: HashMap::default(),
        long: HashMap::default(),
        posts: Vec::new(),
    });
}

/// The word `b[s..e]` (1 to 16 bytes) as a little-endian integer padded
/// with zeros. A word holds no zero byte (NUL is not alphanumeric), so the
/// padding cannot be confused with the word and the key is exact.
fn pack(b: &[u8], s: usize, e: usize) -> u128 {
    let n = e - s;
    debug_assert!((1..=16).contains(&n));
    let mut buf = [0u8; 16];
    // One plain load when 16 bytes are readable (all but the last words of
    // a text), rather than a copy of variable length.
    let w: &[u8; 16] = match b.get(s..s + 16) {
        Some(w) => w.try_into().expect("16 bytes"),
        None => {
            buf[..n].copy_from_slice(&b[s..e]);
            &buf
        }
    };
    u128::from_le_bytes(*w) & (u128::MAX >> (128 - 8 * n))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ByteClass {
    /// An ASCII letter or digit.
    Word,
    /// Any other ASCII byte.
    Separator,
    /// Part of a multi-byte char: decode it to know.
    NonAscii,
}

const fn byte_classes() -> [ByteClass; 256] {
    let mut t = [ByteClass::NonAscii; 256];
    let mut c = 0;
    while c < 128 {
        t[c] = if (c as u8).is_ascii_alphanumeric() {
            ByteClass::Word
        } else {
            ByteClass::Separator
        };
        c += 1;
    }
    t
}
const BYTE_CLASS: [ByteClass; 256] = byte_classes();

/// Sorts a term vector by stem and adds up the weights of a stem met more
/// than once, leaving one entry per stem.
fn merge_stems(terms: &mut Terms) {
    terms.sort_unstable_by_key(|t| t.0);
    terms.dedup_by(|b, a| {
        if a.0 == b.0 {
            a.1 += b.1;
            true
        } else {
            false
        }
    });
}

fn with_memo<R>(f: impl FnOnce(&mut Memo) -> R) -> R {
    MEMO.with(|m| f(&mut m.borrow_mut()))
}

impl Memo {
    /// The stem hash and the weight of a content word, not yet memoised.
    fn stem_uncached(&self, w: &str) -> Option<(u64, f32)> {
        if w.chars().count() < 3 || STOPWORDS.contains(&w) || w.bytes().all(|b| b.is_ascii_digit())
        {
            None
        } else {
            Some((fnv(self.stemmer.stem(w).as_bytes()), (w.len() as f32).ln()))
        }
    }

    /// The stem hash and the weight of the word `plain[s..e]`.
    fn stem(&mut self, plain: &str, s: usize, e: usize) -> Option<(u64, f32)> {
        if e - s <= 16 {
            let key = pack(plain.as_bytes(), s, e);
            if let Some(&t) = self.short.get(&key) {
                return t;
            }
            let t = self.stem_uncached(&plain[s..e]);
            if self.short.len() >= MEMO_CAP {
                self.short.clear();
            }
            self.short.insert(key, t);
            t
        } else {
            let w = &plain[s..e];
            if let Some(&t) = self.long.get(w) {
                return t;
            }
            let t = self.stem_uncached(w);
            if self.long.len() >= MEMO_CAP {
                self.long.clear();
            }
            self.long.insert(w.into(), t);
            t
        }
    }

    /// The weighted stems of a plain text into `out` (cleared first).
    fn terms(&mut self, plain: &str, out: &mut Terms) {
        out.clear();
        // Words are runs of alphanumeric chars. ASCII bytes (nearly all)
        // are classed by a table in tight loops; other chars are decoded.
        let b = plain.as_bytes();
        let word_char_at = |i: usize| -> (bool, usize) {
            match BYTE_CLASS[b[i] as usize] {
                ByteClass::Word => (true, 1),
                ByteClass::Separator => (false, 1),
                ByteClass::NonAscii => {
                    let ch = plain[i..].chars().next().unwrap_or(' ');
                    (ch.is_alphanumeric(), ch.len_utf8())
                }
            }
        };
        let mut i = 0;
        while i < b.len() {
            if BYTE_CLASS[b[i] as usize] == ByteClass::Separator {
                i += 1;
                continue;
            }
            let (alnum, len) = word_char_at(i);
            if !alnum {
                i += len;
                continue;
            }
            let s = i;
            i += len;
            while i < b.len() {
                if BYTE_CLASS[b[i] as usize] == ByteClass::Word {
                    i += 1;
                    continue;
                }
                let (alnum, len) = word_char_at(i);
                if !alnum {
                    break;
                }
                i += len;
            }
            // Fewer than 3 bytes is fewer than 3 chars.
            if i - s >= 3 {
                out.extend(self.stem(plain, s, i));
            }
        }
        merge_stems(out);
    }

    fn post(&mut self, text: &str) -> PreparedPost {
        if let Some(i) = self.posts.iter().position(|p| p.text() == text) {
            let p = self.posts.remove(i);
            self.posts.insert(0, p.clone());
            return p;
        }
        let normalized = Normalized::new(text);
        let groups = crate::named_groups_of(&normalized.skeleton);
        let plain = normalized.plain;
        let mut terms = Terms::new();
        self.terms(&plain, &mut terms);
        let norm = terms.iter().map(|(_, v)| v * v).sum::<f32>().sqrt();
        let p = PreparedPost(Arc::new(PostInner {
            text: text.to_string(),
            terms,
            norm,
            groups,
        }));
        self.posts.truncate(POST_CACHE - 1);
        self.posts.insert(0, p.clone());
        p
    }
}

/// The prepared form of `text`, from the per-thread cache of recent posts.
pub(crate) fn cached_post(text: &str) -> PreparedPost {
    with_memo(|m| m.post(text))
}

/// Result of the comparison.
pub(crate) struct Relevance {
    pub similarity: f32,
    pub comment_terms: usize,
    pub post_terms: usize,
}

/// Cosine similarity of the weighted stems of a plain comment and a post.
pub(crate) fn relevance(comment_plain: &str, post: &PreparedPost) -> Relevance {
    thread_local! {
        static SCRATCH: RefCell<Terms> = const { RefCell::new(Vec::new()) };
    }
    SCRATCH.with(|scratch| {
        let mut c = scratch.borrow_mut();
        with_memo(|m| m.terms(comment_plain, &mut c));
        let p = &post.0;
        // Merge join of two sorted vectors.
        let (mut i, mut j, mut dot) = (0, 0, 0f32);
        while i < c.len() && j < p.terms.len() {
            match c[i].0.cmp(&p.terms[j].0) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    dot += c[i].1 * p.terms[j].1;
                    i += 1;
                    j += 1;
                }
            }
        }
        let nc: f32 = c.iter().map(|(_, v)| v * v).sum::<f32>().sqrt();
        let similarity = if nc == 0.0 || p.norm == 0.0 {
            0.0
        } else {
            dot / (nc * p.norm)
        };
        Relevance {
            similarity,
            comment_terms: c.len(),
            post_terms: p.terms.len(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(comment: &str, post: &str) -> Relevance {
        relevance(&Normalized::new(comment).plain, &PreparedPost::new(post))
    }

    #[test]
    fn stems_make_inflections_match() {
        let r = rel(
            "i lavori stradali in via roma",
            "lavoro di rifacimento della strada in via roma",
        );
        assert!(r.similarity > 0.3, "{}", r.similarity);
        let r = rel(
            "chi ha visto la partita di ieri sera?",
            "lavori di rifacimento della strada",
        );
        assert!(r.similarity < 0.05, "{}", r.similarity);
    }

    #[test]
    fn packed_keys_tell_words_apart() {
        // Every length up to 16 bytes, with and without 16 readable bytes
        // after the word, and non-ASCII letters.
        let words = [
            "abc",
            "abcd",
            "abcdefgh",
            "abcdefghi",
            "abcdefghijklmnop",
            "città",
            "perché",
            "ab",
            "abcdefghijklmno",
            "àèìòùàèì",
        ];
        let mut keys = std::collections::HashSet::new();
        for w in words {
            let text = format!("{w} {}", "x".repeat(20));
            let tail = pack(text.as_bytes(), 0, w.len());
            let end = pack(w.as_bytes(), 0, w.len());
            assert_eq!(tail, end, "{w}");
            assert!(keys.insert(tail), "{w}");
        }
    }

    proptest::proptest! {
        #[test]
        fn terms_of_any_text_equal_fresh_ones(text in "[a-eA-C0-2 .,'àé€😀\\n-]{0,60}") {
            proptest::prop_assert_eq!(terms_of(&text), fresh_terms(&text));
        }

        #[test]
        fn terms_of_long_words_equal_fresh_ones(text in "[a-c0àé]{10,25}( [a-cé]{1,20}){0,3}") {
            proptest::prop_assert_eq!(terms_of(&text), fresh_terms(&text));
        }
    }

    fn terms_of(text: &str) -> Terms {
        let mut terms = Terms::new();
        with_memo(|m| m.terms(text, &mut terms));
        terms
    }

    /// Terms computed without the memo nor the byte tricks.
    fn fresh_terms(text: &str) -> Terms {
        with_memo(|m| {
            let mut words: Vec<_> = text
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.len() >= 3)
                .filter_map(|w| m.stem_uncached(w))
                .collect();
            merge_stems(&mut words);
            words
        })
    }

    #[test]
    fn memoised_terms_equal_fresh_ones() {
        let text = "amministrazioni comunali precipitevolissimevolmente \
                    lavori lavoro strade strada 2024 città perché via roma";
        for _ in 0..2 {
            assert_eq!(terms_of(text), fresh_terms(text));
        }
    }

    #[test]
    fn cached_and_prepared_posts_agree() {
        let post = "Lavori di rifacimento della strada in via Roma da lunedì";
        let a = rel("i lavori stradali in via roma", post);
        let prepared = cached_post(post);
        assert_eq!(prepared, PreparedPost::new(post));
        let b = relevance(
            &Normalized::new("i lavori stradali in via roma").plain,
            &prepared,
        );
        assert_eq!(
            (a.similarity, a.comment_terms),
            (b.similarity, b.comment_terms)
        );
        assert!(Arc::ptr_eq(&cached_post(post).0, &prepared.0), "cache hit");
        assert_eq!(a.post_terms, prepared.terms());
    }
}
