//! Spelling repair of the skeleton toward the words of hate speech.
//!
//! Haters dodge word lists by misspelling on purpose, and HateCheck tests
//! exactly that: a letter dropped ("disabli", "Froi"), two letters swapped
//! ("inutlii", "scimime"), a space put inside a word ("inu tili", "Fr oci")
//! or taken out between words ("sonotuttescimmie", "Odioigay"). After the
//! skeleton has undone leet, separators and repeated letters, this pass reads
//! such a token as the word it imitates, but only toward a closed list of
//! targets (names of groups, slurs, insults and the derogations of
//! `lexicons/spelling.tsv`) and never for a token that is a real word: the
//! Italian words that look like a variant of a target ("nei", "erbe",
//! "dimostri") are listed in `lexicons/spelling_known.txt`, the names a
//! dictionary lacks ("Terni") in `spelling.tsv`, and a capitalised word
//! inside a sentence is taken for a name, so a citizen's ordinary words are
//! never rewritten.
//!
//! The repair edits the skeleton and its offset map together: a repaired
//! word maps back to the whole original word, an inserted space to an empty
//! span, so every finding still cites the characters the citizen wrote.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use aho_corasick::Input;
use aho_corasick::automaton::Automaton;
use aho_corasick::dfa::DFA;

use super::{Normalized, Span, span_of};

const SPELLING: &str = include_str!("../../lexicons/spelling.tsv");
const KNOWN: &str = include_str!("../../lexicons/spelling_known.txt");

/// The longest token the segmentation tries to cut.
const MAX_CUT_TOKEN: usize = 40;

/// What a pattern of the automaton stands for.
#[derive(Debug, Clone, Copy)]
enum Pattern {
    /// A target as written: inside a longer token, a cue to cut the token.
    Target,
    /// A target with a letter dropped or two letters swapped.
    Variant(u32),
    /// A target with a space inside.
    Split,
}

/// The repair's tables, built once from the lexicons.
pub(crate) struct Speller {
    /// A DFA used directly, as the lexicon's is: one pass over every
    /// comment's skeleton.
    automaton: DFA,
    patterns: Vec<Pattern>,
    targets: Vec<String>,
    /// Targets and glue words: the pieces a glued token may be cut into.
    pieces: HashSet<Vec<u8>>,
    target_set: HashSet<Vec<u8>>,
    longest_piece: usize,
    /// Words never cut or rewritten: real words, lexicon words, glue.
    untouchable: HashSet<Vec<u8>>,
}

/// One change to the skeleton, on the byte range `at..end`.
#[derive(Debug, Clone, Copy)]
enum Edit {
    /// The token `at..end` becomes target `t`.
    Replace { at: usize, end: usize, t: u32 },
    /// The space at `at` goes.
    Join { at: usize },
    /// A space goes before byte `at`; with `dup`, the byte before `at` is
    /// written again after the space (a letter two glued words shared:
    /// "tuttiinutili" has the skeleton "tutinutili").
    Cut { at: usize, dup: bool },
}

impl Edit {
    fn range(&self) -> (usize, usize) {
        match *self {
            Edit::Replace { at, end, .. } => (at, end),
            Edit::Join { at } => (at, at + 1),
            Edit::Cut { at, .. } => (at, at),
        }
    }
}

/// The real words among `candidates` (a word list, a corpus's words) that
/// the speller, knowing no word, would take for a misspelling, or that are
/// a piece of a target a space may split: `lexicons/spelling_known.txt` is
/// this list, sorted, for the Italian dictionary and the corpora.
pub fn words_the_speller_must_know<'a>(
    candidates: impl IntoIterator<Item = &'a str>,
) -> std::collections::BTreeSet<String> {
    let speller = Speller::new("");
    let pieces: HashSet<&[u8]> = speller.target_pieces().collect();
    let mut out = std::collections::BTreeSet::new();
    for word in candidates {
        let sk = skeleton(word);
        if sk.is_empty()
            || !sk.bytes().all(is_token_byte)
            || speller.target_set.contains(sk.as_bytes())
        {
            continue;
        }
        if pieces.contains(sk.as_bytes()) || speller.would_touch(&sk) {
            out.insert(sk);
        }
    }
    out
}

/// How many times each word (lower case, letters only) occurs in `texts`:
/// the corpora's words for [`words_the_speller_must_know`].
pub fn word_counts<'a>(texts: impl IntoIterator<Item = &'a str>) -> HashMap<String, usize> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for text in texts {
        for word in text.split(|c: char| !c.is_alphabetic()) {
            if !word.is_empty() {
                *counts.entry(word.to_lowercase()).or_default() += 1;
            }
        }
    }
    counts
}

/// The shared speller, built on first use from the shipped lexicons.
pub(crate) fn speller() -> &'static Speller {
    static SPELLER: OnceLock<Speller> = OnceLock::new();
    SPELLER.get_or_init(|| Speller::new(KNOWN))
}

/// The skeleton of a word, without repair (the speller's own words must not
/// go through the speller).
fn skeleton(word: &str) -> String {
    Normalized::unrepaired(word).skeleton
}

/// Whether the char at `at` (a char index of `text`) starts a capitalised
/// word that does not start a sentence or a line.
fn is_name(text: &str, at: usize) -> bool {
    let Some((byte, c)) = text.char_indices().nth(at) else {
        return false;
    };
    if !c.is_uppercase() {
        return false;
    }
    for before in text[..byte].chars().rev() {
        if before == '\n' {
            return false;
        }
        if !before.is_whitespace() {
            return !matches!(
                before,
                '.' | '!' | '?' | '…' | ':' | ';' | '"' | '\'' | '«' | '(' | '“' | '-'
            );
        }
    }
    false
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_lowercase()
}

impl Speller {
    /// Builds the tables, with `known` the list of real words (one a line).
    pub(crate) fn new(known: &str) -> Speller {
        // Every single word of the lexicons is a word, never a misspelling.
        let mut lexicon_words: HashSet<String> = HashSet::new();
        let mut raw_targets: Vec<String> = Vec::new();
        for line in crate::lexicon::TERMS.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let mut cols = line.split('\t');
            let (Some(term), Some(category)) = (cols.next(), cols.next()) else {
                continue;
            };
            let targeted = matches!(category, "discrimination" | "insult");
            match term.strip_suffix('*') {
                Some(stem) if !stem.contains(' ') => {
                    for ending in ["o", "a", "i", "e"] {
                        let word = format!("{stem}{ending}");
                        if targeted {
                            raw_targets.push(word.clone());
                        }
                        lexicon_words.insert(skeleton(&word));
                    }
                }
                Some(_) => {}
                None if !term.contains(' ') => {
                    if targeted {
                        raw_targets.push(term.to_string());
                    }
                    lexicon_words.insert(skeleton(term));
                }
                None => {}
            }
        }
        for line in crate::rules::GROUPS.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let word = line.split('\t').next().unwrap_or("");
            if !word.contains(' ') {
                raw_targets.push(word.to_string());
                lexicon_words.insert(skeleton(word));
            }
        }
        let mut glue: HashSet<Vec<u8>> = HashSet::new();
        let mut untouchable: HashSet<Vec<u8>> = HashSet::new();
        for line in SPELLING.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let mut cols = line.split('\t');
            let (Some(word), Some(role)) = (cols.next(), cols.next()) else {
                continue;
            };
            match role {
                "target" => raw_targets.push(word.to_string()),
                "glue" => {
                    glue.insert(skeleton(word).into_bytes());
                }
                "known" => {
                    untouchable.insert(skeleton(word).into_bytes());
                }
                _ => {}
            }
        }
        for word in known.lines().map(str::trim).filter(|w| !w.is_empty()) {
            untouchable.insert(skeleton(word).into_bytes());
        }
        untouchable.extend(lexicon_words.iter().map(|w| w.as_bytes().to_vec()));
        untouchable.extend(glue.iter().cloned());

        // Targets in order, so that a variant of two targets goes to the
        // first of them whatever the hash order.
        raw_targets.sort();
        raw_targets.dedup();
        let mut targets: Vec<String> = Vec::new();
        let mut index: HashMap<String, u32> = HashMap::new();
        let mut raw_of: Vec<(String, u32)> = Vec::new();
        for raw in &raw_targets {
            let sk = skeleton(raw);
            if sk.len() < 3 || !sk.bytes().all(is_token_byte) {
                continue;
            }
            let t = *index.entry(sk.clone()).or_insert_with(|| {
                targets.push(sk.clone());
                (targets.len() - 1) as u32
            });
            raw_of.push((raw.to_lowercase(), t));
        }
        let target_set: HashSet<Vec<u8>> = targets.iter().map(|t| t.as_bytes().to_vec()).collect();

        // Variants: a letter dropped (targets of five letters or more, so
        // that three-letter stubs like "nei" never qualify), two letters
        // swapped (targets of three letters or more), written from the word
        // as spelled and from its skeleton.
        let mut variants: HashMap<String, u32> = HashMap::new();
        let add_variants = |word: &str, t: u32, variants: &mut HashMap<String, u32>| {
            let chars: Vec<char> = word.chars().collect();
            let mut forms: Vec<String> = Vec::new();
            for i in 0..chars.len().saturating_sub(1) {
                if chars[i] != chars[i + 1] {
                    let mut c = chars.clone();
                    c.swap(i, i + 1);
                    forms.push(c.into_iter().collect());
                }
            }
            let target_len = targets[t as usize].len();
            let mut dropped: Vec<String> = Vec::new();
            if target_len >= 5 {
                // Never the last letter: a word cut short is an
                // abbreviation ("stupid", "indian"), not a misspelling.
                // Nor the first, but a silent h ("andicappati"): "migrati"
                // is no "immigrati", "into" no "sinto".
                let first = usize::from(chars.first() != Some(&'h'));
                for i in first..chars.len().saturating_sub(1) {
                    let mut c = chars.clone();
                    c.remove(i);
                    dropped.push(c.into_iter().collect());
                }
            }
            for (form, dropped) in forms
                .into_iter()
                .map(|f| (f, false))
                .chain(dropped.into_iter().map(|f| (f, true)))
            {
                let sk = skeleton(&form);
                // A change that folds two letters into one ("slaa" is "sla",
                // "stupiid" is "stupid") has taken a letter more.
                if sk.len() + usize::from(dropped) < target_len {
                    continue;
                }
                if sk.len() < if dropped { 4 } else { 3 }
                    || !sk.bytes().all(is_token_byte)
                    || target_set.contains(sk.as_bytes())
                    || untouchable.contains(sk.as_bytes())
                {
                    continue;
                }
                variants.entry(sk).or_insert(t);
            }
        };
        for (raw, t) in &raw_of {
            add_variants(raw, *t, &mut variants);
            let sk = targets[*t as usize].clone();
            add_variants(&sk, *t, &mut variants);
        }

        let mut sources: Vec<Vec<u8>> = Vec::new();
        let mut patterns: Vec<Pattern> = Vec::new();
        for t in &targets {
            sources.push(t.as_bytes().to_vec());
            patterns.push(Pattern::Target);
        }
        let mut variant_list: Vec<(String, u32)> = variants.into_iter().collect();
        variant_list.sort();
        for (v, t) in variant_list {
            sources.push(v.into_bytes());
            patterns.push(Pattern::Variant(t));
        }
        // A space inside a target of five letters or more, both halves of
        // two letters or more, unless both halves are words already ("per
        // versi" is no "perversi").
        let known_piece =
            |p: &[u8]| untouchable.contains(p) || target_set.contains(p) || glue.contains(p);
        for word in &targets {
            let b = word.as_bytes();
            if b.len() < 5 {
                continue;
            }
            for at in 2..=b.len() - 2 {
                if known_piece(&b[..at]) && known_piece(&b[at..]) {
                    continue;
                }
                let mut s = b[..at].to_vec();
                s.push(b' ');
                s.extend_from_slice(&b[at..]);
                sources.push(s);
                patterns.push(Pattern::Split);
            }
        }
        let automaton = super::overlapping_dfa(&sources, "the speller's patterns");
        let mut pieces = target_set.clone();
        pieces.extend(glue.iter().cloned());
        let longest_piece = pieces.iter().map(Vec::len).max().unwrap_or(0);
        Speller {
            automaton,
            patterns,
            targets,
            pieces,
            target_set,
            longest_piece,
            untouchable,
        }
    }

    /// Repairs the skeleton of `n` in place (and its map, hashtags and
    /// joints). Most texts have nothing to repair: one pass of the
    /// automaton, no allocation.
    pub(crate) fn repair(&self, n: &mut Normalized, text: &str) {
        let mut edits: Vec<Edit> = Vec::new();
        let sk = n.skeleton.as_bytes();
        let mut cut_token = usize::MAX;
        let matches = self
            .automaton
            .try_find_overlapping_iter(Input::new(sk))
            .expect("unanchored standard DFA supports overlapping search");
        for m in matches {
            let (s, e) = (m.start(), m.end());
            let starts = s == 0 || sk[s - 1] == b' ';
            let ends = e == sk.len() || sk[e] == b' ';
            match self.patterns[m.pattern().as_usize()] {
                Pattern::Variant(t) if starts && ends => {
                    edits.push(Edit::Replace { at: s, end: e, t })
                }
                Pattern::Split if starts && ends => {
                    let space = s + sk[s..e].iter().position(|&b| b == b' ').unwrap_or(0);
                    edits.push(Edit::Join { at: space });
                }
                Pattern::Target if !(starts && ends) => {
                    let mut a = s;
                    while a > 0 && sk[a - 1] != b' ' {
                        a -= 1;
                    }
                    if a == cut_token {
                        continue;
                    }
                    cut_token = a;
                    let mut b = e;
                    while b < sk.len() && sk[b] != b' ' {
                        b += 1;
                    }
                    self.cut(sk, a, b, &mut edits);
                }
                _ => {}
            }
        }
        if edits.is_empty() {
            return;
        }
        // A capitalised word inside a sentence is a name ("Dadone", "Savo"),
        // whatever it looks like.
        edits.retain(|e| {
            let mut a = e.range().0;
            while a > 0 && sk[a - 1] != b' ' {
                a -= 1;
            }
            !is_name(text, n.skeleton_map[a].0 as usize)
        });
        if edits.is_empty() {
            return;
        }
        edits.sort_by_key(|e| e.range());
        self.apply(n, &edits);
    }

    /// Cuts the glued token `a..b` into targets and glue words, at least
    /// one target and two pieces, pushing the cuts; leaves it whole when it
    /// is a word or cannot be cut so.
    fn cut(&self, sk: &[u8], a: usize, b: usize, edits: &mut Vec<Edit>) {
        let token = &sk[a..b];
        if token.len() < 4
            || token.len() > MAX_CUT_TOKEN
            || !token.iter().all(|&c| is_token_byte(c))
            || self.untouchable.contains(token)
            || self.target_set.contains(token)
        {
            return;
        }
        // best[j]: how the first j bytes are cut: the start of the last
        // piece, whether that piece shares its first letter with the piece
        // before (collapsed in the skeleton), and whether a target is among
        // the pieces. Prefer cuts with a target, then fewer pieces.
        #[derive(Clone, Copy)]
        struct Step {
            from: u8,
            shared: bool,
            target: bool,
            pieces: u8,
        }
        let n = token.len();
        let mut best: [Option<Step>; MAX_CUT_TOKEN + 1] = [None; MAX_CUT_TOKEN + 1];
        best[0] = Some(Step {
            from: 0,
            shared: false,
            target: false,
            pieces: 0,
        });
        for i in 0..n {
            let Some(here) = best[i] else { continue };
            // A piece starting at i, or at i - 1 sharing the letter there.
            for shared in [false, true] {
                if shared && i == 0 {
                    continue;
                }
                let start = if shared { i - 1 } else { i };
                for j in (i + 1)..=n.min(start + self.longest_piece) {
                    let piece = &token[start..j];
                    if !self.pieces.contains(piece) {
                        continue;
                    }
                    let step = Step {
                        from: i as u8,
                        shared,
                        target: here.target || self.target_set.contains(piece),
                        pieces: here.pieces + 1,
                    };
                    let better = match best[j] {
                        None => true,
                        Some(old) => {
                            (step.target, std::cmp::Reverse(step.pieces))
                                > (old.target, std::cmp::Reverse(old.pieces))
                        }
                    };
                    if better {
                        best[j] = Some(step);
                    }
                }
            }
        }
        let Some(last) = best[n] else { return };
        if !last.target || last.pieces < 2 {
            return;
        }
        // The token ends on a target, or on "merda" ("africanidimerda"):
        // a glue word at the end is more often a suffix ("animalisti" is no
        // "animali sti", "finocchiello" no "finocchi lo").
        let tail = &token[last.from as usize - usize::from(last.shared)..];
        if !self.target_set.contains(tail) && tail != b"merda" {
            return;
        }
        let mut cuts: Vec<Edit> = Vec::new();
        let mut j = n;
        while j > 0 {
            let Some(step) = best[j] else { return };
            let from = step.from as usize;
            if from > 0 {
                cuts.push(Edit::Cut {
                    at: a + from,
                    dup: step.shared,
                });
            }
            j = from;
        }
        cuts.reverse();
        edits.extend(cuts);
    }

    /// Writes the edits (sorted, overlapping ones skipped) into the views.
    fn apply(&self, n: &mut Normalized, edits: &[Edit]) {
        let old = std::mem::take(&mut n.skeleton).into_bytes();
        let old_map = std::mem::take(&mut n.skeleton_map);
        let mut sk: Vec<u8> = Vec::with_capacity(old.len() + 8);
        let mut map: Vec<Span> = Vec::with_capacity(old.len() + 8);
        // (old position, new position) at each edit's start and end, for
        // the hashtags and joints.
        let mut marks: Vec<(usize, usize)> = Vec::new();
        let mut pos = 0;
        for edit in edits {
            let (a, b) = edit.range();
            if a < pos {
                continue;
            }
            sk.extend_from_slice(&old[pos..a]);
            map.extend_from_slice(&old_map[pos..a]);
            marks.push((a, sk.len()));
            match *edit {
                Edit::Replace { at, end, t } => {
                    let span = span_of(&old_map, at, end);
                    let word = self.targets[t as usize].as_bytes();
                    sk.extend_from_slice(word);
                    map.extend(std::iter::repeat_n(span, word.len()));
                }
                Edit::Join { .. } => {}
                Edit::Cut { at, dup } => {
                    let end = old_map[at - 1].1;
                    sk.push(b' ');
                    map.push((end, end));
                    if dup {
                        sk.push(old[at - 1]);
                        map.push(old_map[at - 1]);
                    }
                }
            }
            marks.push((b, sk.len()));
            pos = b;
        }
        sk.extend_from_slice(&old[pos..]);
        map.extend_from_slice(&old_map[pos..]);
        let shift = |p: u32| -> u32 {
            let p = p as usize;
            let mut new = p;
            for &(o, nw) in &marks {
                if o <= p {
                    new = nw + (p - o);
                }
            }
            new as u32
        };
        for h in &mut n.hashtags {
            *h = (shift(h.0), shift(h.1));
        }
        for j in &mut n.joints {
            *j = shift(*j);
        }
        n.skeleton = String::from_utf8(sk).expect("ASCII edits of a UTF-8 skeleton");
        n.skeleton_map = map;
    }

    /// Whether `word` would be rewritten or cut when written alone: what the
    /// list of known words must hold if it is a real word.
    pub(crate) fn would_touch(&self, word: &str) -> bool {
        let mut n = Normalized::unrepaired(word);
        let before = n.skeleton.clone();
        self.repair(&mut n, word);
        n.skeleton != before
    }

    /// The pieces of the targets that a space may split, for the list of
    /// known words: a real word among them keeps "per versi" apart.
    pub(crate) fn target_pieces(&self) -> impl Iterator<Item = &[u8]> {
        self.targets.iter().filter(|t| t.len() >= 5).flat_map(|t| {
            (2..=t.len() - 2).flat_map(move |at| [&t.as_bytes()[..at], &t.as_bytes()[at..]])
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repaired(text: &str) -> String {
        Normalized::new(text).skeleton
    }

    #[test]
    fn misspelt_words_of_hate_are_read_as_the_words_they_imitate() {
        for (text, want) in [
            ("I disabili sono inutlii.", "i disabili sono inutili ."),
            ("I neri sono delle scimime.", "i neri sono dele scimie ."),
            ("Gli afrcani sono animali.", "gli africani sono animali ."),
            ("I disabili sono inu tili.", "i disabili sono inutili ."),
            ("Fr oci ovunque", "froci ovunque"),
            ("Odioigay.", "odio i gay ."),
            ("I neri sonotuttescimmie.", "i neri sono tute scimie ."),
            (
                "I disabili sonotuttiinutili.",
                "i disabili sono tuti inutili .",
            ),
            (
                "Africanidimerda, tornate a casa",
                "africani di merda , tornate a casa",
            ),
            ("Ciao. Odioidonne", "ciao . odio i done"),
        ] {
            assert_eq!(repaired(text), want, "{text}");
        }
    }

    #[test]
    fn real_words_and_names_are_never_rewritten() {
        for text in [
            "nei giardini ci sono le erbe alte",
            "il sito del comune non funziona",
            "sono di Terni e vivo a Tunisi",
            "per versi e per rime",
            "ci dimostri che la strada è sicura",
            "la scia del motoscafo",
            "la ministra Dadone e il signor Enri",
        ] {
            assert_eq!(
                repaired(text),
                Normalized::unrepaired(text).skeleton,
                "{text}"
            );
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// Whatever is repaired, the views stay whole: a span for every
        /// byte, within the text, and hashtags and joints inside the
        /// skeleton, in order.
        #[test]
        fn repairs_keep_the_views_whole(
            words in proptest::collection::vec(proptest::sample::select(vec![
                "odioigay", "Odioidonne", "inu", "tili", "#africanidimerda", "Fr", "oci",
                "stronzo.vai", "dnone", "nei", "sonotuttiinutili", "i", "Dadone", ".", "#",
                "scimime", "d1sabli", "à", "perver", "titi", "e", "\n", "😀",
            ]), 0..12),
        ) {
            let text = words.join(" ");
            let n = Normalized::new(&text);
            proptest::prop_assert_eq!(n.skeleton.len(), n.skeleton_map.len());
            for &(a, b) in &n.skeleton_map {
                proptest::prop_assert!(a <= b && b <= n.char_len);
            }
            let len = n.skeleton.len() as u32;
            for &(a, b) in &n.hashtags {
                proptest::prop_assert!(a <= b && b <= len);
            }
            proptest::prop_assert!(n.joints.windows(2).all(|w| w[0] <= w[1]));
            proptest::prop_assert!(n.joints.iter().all(|&j| j <= len));
        }
    }

    #[test]
    fn a_repaired_word_cites_the_characters_written() {
        let text = "Sono tutti inu tili, i dis4bli";
        let n = Normalized::new(text);
        let cited = |word: &str| -> String {
            let at = n.skeleton.find(word).expect("repaired");
            let (a, b) = n.skeleton_span(at, at + word.len());
            text.chars()
                .skip(a as usize)
                .take((b - a) as usize)
                .collect()
        };
        assert_eq!(cited("inutili"), "inu tili");
        assert_eq!(cited("disabili"), "dis4bli");
        assert_eq!(n.skeleton.len(), n.skeleton_map.len());
    }
}
