//! Normalisation that defeats the usual evasions while remembering, for every
//! byte of the normalised text, which characters of the original it came from.
//!
//! Two views are produced:
//!
//! * [`Normalized::plain`]: NFKC-like compatibility folding, lower case,
//!   accents stripped, confusable letters (Cyrillic/Greek look-alikes) mapped
//!   to Latin, typographic quotes and dashes unified, invisible characters
//!   dropped. Structure (digits, punctuation, spacing) is kept, so personal
//!   data scanners and the off-topic detector work on it.
//! * [`Normalized::skeleton`]: the plain view with the evasions undone —
//!   leetspeak inside words (`m3rd4`), separators inside words
//!   (`s t r o n z o`, `s.t.r.o.n.z.o`, `str-onzo`), hashtag marks, and every
//!   run of a repeated letter collapsed to one letter (`schifooooo` and
//!   `cazzzo` both become the same skeleton as the dictionary form). Lexicons,
//!   phrase rules and the classifier all work on skeletons, and every pattern
//!   is skeletonised the same way ([`skeletonize`]), so doubled letters in the
//!   dictionary never matter.
//!
//! Offsets: `*_map[i]` is the half-open range of original *char* indices that
//! produced byte `i` of the view, so a match `a..b` in a view maps back to
//! `map[a].0..map[b - 1].1` in the original.

use unicode_normalization::char::{decompose_compatible, is_combining_mark};

/// A range of original char indices, end exclusive.
pub(crate) type Span = (u32, u32);

/// The normalised views of one text, with offset maps back to the original.
#[derive(Debug, Clone, Default)]
pub struct Normalized {
    /// Folded text: lower case, no accents, confusables mapped, structure kept.
    pub plain: String,
    /// Original char range of every byte of `plain`.
    pub plain_map: Vec<Span>,
    /// De-obfuscated text: leet undone, separators and repetitions removed.
    pub skeleton: String,
    /// Original char range of every byte of `skeleton`.
    pub skeleton_map: Vec<Span>,
    /// Byte ranges in `skeleton` of the words that came from a hashtag.
    pub hashtags: Vec<(u32, u32)>,
    /// Number of chars of the original text.
    pub char_len: u32,
    /// Sorted byte offsets in `skeleton` where a joiner inside a word was
    /// removed between two parts of two or more chars (see [`Normalized::at_joint`]).
    pub joints: Vec<u32>,
}

impl Normalized {
    /// Normalises `text`.
    pub fn new(text: &str) -> Normalized {
        let mut n = Normalized::default();
        n.fill(text);
        n
    }

    /// Normalises `text` into `self`, reusing its buffers (as
    /// `*self = Normalized::new(text)`, without allocating again).
    pub fn set(&mut self, text: &str) {
        self.plain.clear();
        self.plain_map.clear();
        self.skeleton.clear();
        self.skeleton_map.clear();
        self.hashtags.clear();
        self.joints.clear();
        self.char_len = 0;
        self.fill(text);
    }

    /// Original char range of the byte range `a..b` of the plain view.
    pub fn plain_span(&self, a: usize, b: usize) -> Span {
        span_of(&self.plain_map, a, b)
    }

    /// Original char range of the byte range `a..b` of the skeleton.
    pub fn skeleton_span(&self, a: usize, b: usize) -> Span {
        span_of(&self.skeleton_map, a, b)
    }

    /// True when skeleton byte `pos` lies inside a word that was a hashtag.
    pub fn in_hashtag(&self, pos: usize) -> bool {
        let pos = pos as u32;
        self.hashtags.iter().any(|&(a, b)| a <= pos && pos < b)
    }

    /// True when skeleton byte `pos` is where a joiner was removed between
    /// two parts of a word of two or more letters each (`stronzo.vai`):
    /// lexicon terms may start or end there.
    pub fn at_joint(&self, pos: usize) -> bool {
        self.joints.binary_search(&(pos as u32)).is_ok()
    }

    /// The views of `text` without the spelling repair: the skeleton as
    /// the evasions left it, for the speller's own words.
    pub(crate) fn unrepaired(text: &str) -> Normalized {
        let mut n = Normalized::default();
        n.fill_unrepaired(text);
        n
    }

    fn fill(&mut self, text: &str) {
        self.fill_unrepaired(text);
        spelling::speller().repair(self, text);
    }

    fn fill_unrepaired(&mut self, text: &str) {
        // Scratch buffers are reused across calls on the same thread.
        thread_local! {
            static SCRATCH: std::cell::RefCell<Scratch> =
                std::cell::RefCell::new(Scratch::default());
        }
        SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
            Ok(mut s) => self.fill_with(text, &mut s),
            // Not reachable (no re-entrance), but never panic for it.
            Err(_) => self.fill_with(text, &mut Scratch::default()),
        });
    }

    fn fill_with(&mut self, text: &str, scratch: &mut Scratch) {
        self.fold_into_units(text, &mut scratch.units);
        let units = std::mem::take(&mut scratch.units);
        self.build_skeleton(&units, scratch);
        scratch.units = units;
    }

    /// Stage 1: folds every original char into zero or more plain chars,
    /// building the plain view on the way, and sets `char_len`.
    #[inline]
    fn fold_into_units(&mut self, text: &str, units: &mut Vec<Unit>) {
        units.clear();
        units.reserve(text.len() + 2);
        self.plain.reserve(text.len() + 2);
        self.plain_map.reserve(text.len() + 2);
        let mut idx: u32 = 0;
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            // A run of ASCII chars (most of an Italian text) in bulk: each
            // folds to itself in lower case, one byte, one char.
            let end = ascii_run_end(bytes, i);
            if end > i {
                let ascii = &bytes[i..end];
                units.extend((0..ascii.len()).map(|k| {
                    let (l, upper, class) = ASCII_UNIT[ascii[k] as usize & 0x7f];
                    Unit {
                        c: l as char,
                        idx: idx + k as u32,
                        upper,
                        class,
                    }
                }));
                let at = self.plain.len();
                self.plain.push_str(&text[i..end]);
                self.plain[at..].make_ascii_lowercase();
                let n = (end - i) as u32;
                self.plain_map.extend((idx..idx + n).map(|x| (x, x + 1)));
                idx += n;
                i = end;
                if i == bytes.len() {
                    break;
                }
            }
            let Some(c) = text[i..].chars().next() else {
                break;
            };
            let upper = c.is_uppercase();
            let (plain, map) = (&mut self.plain, &mut self.plain_map);
            fold_char(c, |f| {
                units.push(Unit {
                    c: f,
                    idx,
                    upper,
                    class: class_of(f),
                });
                push(plain, map, f, (idx, idx + 1));
            });
            i += c.len_utf8();
            idx += 1;
        }
        self.char_len = idx;
    }

    fn build_skeleton(&mut self, units: &[Unit], scratch: &mut Scratch) {
        // Tokenise into words (alphanumeric runs, allowing joiners between
        // alphanumerics) and the single non-space symbols between them. A
        // word is the range of its units: the joiners inside it are skipped
        // when it is written out, so no char is copied a second time.
        let n = units.len();
        let pieces = &mut scratch.pieces;
        pieces.clear();
        pieces.reserve(n / 2 + 4);
        let mut i = 0;
        let mut pending_hash = false;
        let core_at = |k: usize| units[k].class & CORE != 0;
        while i < n {
            let c = units[i].c;
            let class = units[i].class;
            if class & SPACE != 0 {
                i += 1;
                continue;
            }
            // `@` never starts a word: `@mario` is a mention, not leet.
            if class & CORE != 0 || (c == '$' && i + 1 < n && core_at(i + 1)) {
                let start = i;
                let mut j = i;
                // Chars and letters of the word, and whether it has digits
                // or leet symbols (for the leet decision below).
                let mut letters = 0u32;
                let mut ascii_letters = 0u32;
                let mut len = 0u32;
                let mut leetish = false;
                while j < n {
                    // A run of ASCII letters (most of a word) in one go.
                    let run = units[j..]
                        .iter()
                        .take_while(|u| u.class & ASCII_LETTER != 0)
                        .count() as u32;
                    if run > 0 {
                        letters += run;
                        ascii_letters += run;
                        len += run;
                        j += run as usize;
                        continue;
                    }
                    let u = units[j];
                    if u.class & (CORE | LEET) != 0 {
                        if u.class & LETTER != 0 {
                            letters += 1;
                            ascii_letters += u32::from(u.class & ASCII_LETTER != 0);
                        } else if u.class & (CORE | DIGIT) != CORE {
                            leetish = true;
                        }
                        len += 1;
                        j += 1;
                    } else if u.class & JOINER != 0 && len > 0 {
                        // Up to two joiners between two alphanumerics vanish
                        // (`s.t.r`, `str--onzo`), unless a dot ends a sentence
                        // without a space (`stronzo.Vai`: lower case before,
                        // upper case after, in the original).
                        let mut k = j;
                        while k < n && k - j < 2 && units[k].class & JOINER != 0 {
                            k += 1;
                        }
                        if k < n && core_at(k) {
                            let prev = units[j - 1];
                            let sentence = units[j..k].iter().any(|u| u.c == '.')
                                && units[k].upper
                                && prev.c.is_alphabetic()
                                && !prev.upper;
                            if sentence {
                                break;
                            }
                            j = k;
                        } else {
                            break;
                        }
                    } else {
                        break;
                    }
                }
                let leet = letters >= 1 && len >= 3 && leetish && letters * 2 >= len;
                pieces.push(Piece::Word {
                    start: start as u32,
                    end: j as u32,
                    hashtag: pending_hash,
                    leet,
                    letters_only: ascii_letters == len && (j - start) as u32 == len,
                });
                pending_hash = false;
                i = j;
                continue;
            }
            if c == '#' {
                pending_hash = true;
                i += 1;
                continue;
            }
            pending_hash = false;
            pieces.push(Piece::Symbol(i as u32));
            i += 1;
        }

        // Emit, merging runs of three or more pieces of single-char words
        // and the joiners between them (`s t r o n z o`, `s . t . r`) into
        // one word: leet inside words, repeated letters collapsed, single
        // spaces.
        let pieces = &scratch.pieces;
        // The skeleton is built as bytes (a byte push is cheaper than a char
        // push) and validated once at the end.
        let sk = &mut scratch.skeleton;
        sk.clear();
        let map = &mut self.skeleton_map;
        // Spaces are added around symbols ("buca," -> "buca ,"): reserve
        // enough that the views never grow.
        let cap = self.plain.len() + pieces.len() + 1;
        sk.reserve(cap);
        map.reserve(cap);
        let run = &mut scratch.run;
        let mut k = 0;
        while k < pieces.len() {
            if !sk.is_empty() && sk.last() != Some(&b' ') {
                push_byte(sk, map, ' ', last_end(map));
            }
            let word_start = sk.len() as u32;
            let run_end = single_run_end(pieces, units, k);
            let hashtag = if run_end - k >= 3 {
                run.clear();
                run.extend(pieces[k..run_end].iter().filter_map(|p| match *p {
                    Piece::Word { start, .. } => Some(units[start as usize]),
                    Piece::Symbol(_) => None,
                }));
                let leet = run_is_leet(run);
                let mut prev = '\0';
                for &u in run.iter() {
                    emit_char(sk, map, &mut prev, u, leet);
                }
                let hashtag = matches!(pieces[k], Piece::Word { hashtag: true, .. });
                k = run_end;
                hashtag
            } else {
                k += 1;
                match pieces[k - 1] {
                    Piece::Word {
                        start,
                        end,
                        hashtag,
                        letters_only: true,
                        ..
                    } => {
                        emit_letters(sk, map, &units[start as usize..end as usize]);
                        hashtag
                    }
                    Piece::Word {
                        start,
                        end,
                        hashtag,
                        leet,
                        letters_only: false,
                    } => {
                        let word = &units[start as usize..end as usize];
                        // The unit after the word, for the last joint.
                        let after = units.get(end as usize).copied();
                        emit_word(sk, map, &mut self.joints, word, after, leet);
                        hashtag
                    }
                    Piece::Symbol(at) => {
                        let u = units[at as usize];
                        push_byte(sk, map, u.c, (u.idx, u.idx + 1));
                        false
                    }
                }
            };
            if hashtag {
                self.hashtags.push((word_start, sk.len() as u32));
            }
        }
        self.skeleton
            .push_str(std::str::from_utf8(sk).expect("whole chars were pushed"));
    }
}

/// Writes a word of ASCII letters only (most words): no leet, no joiners,
/// only repeated letters to fold, as [`emit_word`] would.
#[inline(always)]
fn emit_letters(sk: &mut Vec<u8>, map: &mut Vec<Span>, word: &[Unit]) {
    let mut prev = 0u8;
    for u in word {
        let b = u.c as u8;
        if b == prev {
            if let Some(last) = map.last_mut() {
                last.1 = u.idx + 1;
            }
            continue;
        }
        prev = b;
        sk.push(b);
        map.push((u.idx, u.idx + 1));
    }
}

/// Writes the chars of a word (its units, joiners skipped) to the skeleton,
/// recording a joint where a joiner vanished between two parts of two or
/// more chars (see [`Normalized::at_joint`]).
#[inline(always)]
fn emit_word(
    sk: &mut Vec<u8>,
    map: &mut Vec<Span>,
    joints: &mut Vec<u32>,
    word: &[Unit],
    after: Option<Unit>,
    leet: bool,
) {
    let mut prev = '\0';
    // Chars of the current part, and whether joiners were just skipped.
    let mut part = 0u32;
    let mut joined = false;
    for (p, &u) in word.iter().enumerate() {
        if u.class & (CORE | LEET) == 0 {
            joined = true;
            continue;
        }
        if joined {
            joined = false;
            let next = word.get(p + 1).copied().or(after);
            if part >= 2 && next.is_some_and(|v| v.class & CORE != 0) {
                joints.push(sk.len() as u32);
            }
            part = 0;
        }
        part += 1;
        emit_char(sk, map, &mut prev, u, leet);
    }
}

/// Writes one char of a word: leet undone, and a letter that repeats the
/// previous one folded into it (the kept char now also covers this one).
#[inline(always)]
fn emit_char(sk: &mut Vec<u8>, map: &mut Vec<Span>, prev: &mut char, u: Unit, leet: bool) {
    let c = if leet || is_leet_symbol(u.c) {
        unleet(u.c)
    } else {
        u.c
    };
    if *prev == c && c.is_alphabetic() {
        let at = map.len() - c.len_utf8();
        for m in &mut map[at..] {
            m.1 = u.idx + 1;
        }
        return;
    }
    *prev = c;
    push_byte(sk, map, c, (u.idx, u.idx + 1));
}

/// Reusable buffers of the normalisation.
#[derive(Default)]
struct Scratch {
    units: Vec<Unit>,
    skeleton: Vec<u8>,
    pieces: Vec<Piece>,
    run: Vec<Unit>,
}

/// Whether the chars of a run of single-char words are leetspeak to undo
/// (`s t r 0 n z 0`): some letters, at least as many letters as other
/// chars, and a digit or a leet symbol.
fn run_is_leet(w: &[Unit]) -> bool {
    let letters = w.iter().filter(|u| u.c.is_alphabetic()).count();
    letters >= 1
        && w.len() >= 3
        && w.iter()
            .any(|u| is_leet_symbol(u.c) || u.c.is_ascii_digit())
        && letters * 2 >= w.len()
}

/// One folded char and the original char it came from.
#[derive(Debug, Clone, Copy)]
struct Unit {
    c: char,
    idx: u32,
    /// The original char was upper case.
    upper: bool,
    /// What the tokeniser asks of `c` (see [`class_of`]), worked out once.
    class: u8,
}

/// `is_core`.
const CORE: u8 = 1;
/// `is_leet_symbol`.
const LEET: u8 = 2;
/// `is_joiner`.
const JOINER: u8 = 4;
/// `char::is_whitespace`.
const SPACE: u8 = 8;
/// A letter: ASCII lower case, or a non-ASCII alphabetic char.
const LETTER: u8 = 16;
/// An ASCII digit.
const DIGIT: u8 = 32;
/// An ASCII lower case letter.
const ASCII_LETTER: u8 = 64;

fn class_of(c: char) -> u8 {
    if c.is_ascii() {
        return ASCII_CLASS[c as usize];
    }
    let mut k = 0;
    if is_core(c) {
        k |= CORE;
    }
    if c.is_whitespace() {
        k |= SPACE;
    }
    if c.is_alphabetic() {
        k |= LETTER;
    }
    k
}

/// [`class_of`] for the ASCII chars.
const ASCII_CLASS: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut i = 0;
    while i < 128 {
        let c = i as u8;
        let mut k = 0;
        if c.is_ascii_alphanumeric() {
            k |= CORE;
        }
        if matches!(c, b'@' | b'$') {
            k |= LEET;
        }
        if matches!(
            c,
            b'.' | b'-' | b'_' | b'*' | b'|' | b'+' | b'~' | b'/' | b'\\'
        ) {
            k |= JOINER;
        }
        // `char::is_whitespace` in ASCII: space and \t \n \x0b \x0c \r.
        if matches!(c, b' ' | 0x09..=0x0d) {
            k |= SPACE;
        }
        if c.is_ascii_lowercase() {
            k |= LETTER;
        }
        if c.is_ascii_digit() {
            k |= DIGIT;
        }
        if c.is_ascii_lowercase() {
            k |= ASCII_LETTER;
        }
        t[i] = k;
        i += 1;
    }
    t
};

/// What a unit of every ASCII byte is: the byte in lower case, whether it
/// was upper case, and the class of the lower case byte.
const ASCII_UNIT: [(u8, bool, u8); 128] = {
    let mut t = [(0u8, false, 0u8); 128];
    let mut i = 0;
    while i < 128 {
        let b = i as u8;
        let l = b.to_ascii_lowercase();
        t[i] = (l, b.is_ascii_uppercase(), ASCII_CLASS[l as usize]);
        i += 1;
    }
    t
};

#[derive(Clone, Copy)]
enum Piece {
    /// A word: the range of its units (joiners inside it included), whether
    /// it came from a hashtag and whether it is leetspeak to undo.
    Word {
        start: u32,
        end: u32,
        hashtag: bool,
        leet: bool,
        /// Only ASCII letters, no joiner inside (see [`emit_letters`]).
        letters_only: bool,
    },
    /// A symbol: its unit.
    Symbol(u32),
}

/// End of the run of ASCII bytes from `i`, eight bytes at a time.
pub(crate) fn ascii_run_end(bytes: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = bytes.get(i..i + 8) {
        let word = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        let high = word & 0x8080_8080_8080_8080;
        if high != 0 {
            return i + (high.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    i + bytes[i..]
        .iter()
        .position(|b| !b.is_ascii())
        .unwrap_or(bytes.len() - i)
}

/// End of the run of single-char words starting at `k` (exclusive). Symbols
/// that are joiners are allowed between them; anything else stops the run.
fn single_run_end(pieces: &[Piece], units: &[Unit], k: usize) -> usize {
    let mut j = k;
    let mut end = k;
    while j < pieces.len() {
        match pieces[j] {
            // A word of one unit has one char: joiners stay inside a word
            // only between two chars.
            Piece::Word { start, end: e, .. }
                if e - start == 1 && units[start as usize].c.is_alphanumeric() =>
            {
                j += 1;
                end = j;
            }
            Piece::Symbol(at) if is_joiner(units[at as usize].c) && end > k => j += 1,
            _ => break,
        }
    }
    end
}

fn last_end(map: &[Span]) -> Span {
    let e = map.last().map(|s| s.1).unwrap_or(0);
    (e, e)
}

/// [`push`] into the bytes of a string being built.
#[inline(always)]
fn push_byte(s: &mut Vec<u8>, map: &mut Vec<Span>, c: char, span: Span) {
    if c.is_ascii() {
        s.push(c as u8);
        map.push(span);
    } else {
        let mut buf = [0u8; 4];
        let e = c.encode_utf8(&mut buf);
        s.extend_from_slice(e.as_bytes());
        for _ in 0..e.len() {
            map.push(span);
        }
    }
}

#[inline(always)]
fn push(s: &mut String, map: &mut Vec<Span>, c: char, span: Span) {
    s.push(c);
    if c.is_ascii() {
        map.push(span);
    } else {
        for _ in 0..c.len_utf8() {
            map.push(span);
        }
    }
}

fn span_of(map: &[Span], a: usize, b: usize) -> Span {
    if a >= b || b > map.len() {
        return (0, 0);
    }
    // Separator spaces carry empty spans; skip them at the edges.
    let mut lo = a;
    while lo < b && map[lo].0 == map[lo].1 {
        lo += 1;
    }
    let mut hi = b;
    while hi > lo && map[hi - 1].0 == map[hi - 1].1 {
        hi -= 1;
    }
    if lo >= hi {
        return (map[a].0, map[a].0);
    }
    let start = map[lo..hi].iter().map(|s| s.0).min().unwrap_or(0);
    let end = map[lo..hi].iter().map(|s| s.1).max().unwrap_or(start);
    (start, end)
}

fn is_core(c: char) -> bool {
    c.is_ascii_alphanumeric() || (!c.is_ascii() && c.is_alphanumeric())
}

fn is_joiner(c: char) -> bool {
    matches!(c, '.' | '-' | '_' | '*' | '|' | '+' | '~' | '/' | '\\')
}

fn is_leet_symbol(c: char) -> bool {
    matches!(c, '@' | '$')
}

fn unleet(c: char) -> char {
    match c {
        '0' => 'o',
        '1' => 'i',
        '3' => 'e',
        '4' | '@' => 'a',
        '5' | '$' => 's',
        '7' => 't',
        '8' => 'b',
        '9' => 'g',
        other => other,
    }
}

/// Folds one char into zero or more plain chars.
fn fold_char(c: char, mut out: impl FnMut(char)) {
    if c.is_ascii() {
        out(c.to_ascii_lowercase());
        return;
    }
    match c {
        // Invisible characters used to split words without showing it.
        '\u{00AD}' | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{180E}' => {}
        '\u{2018}' | '\u{2019}' | '\u{201B}' | '\u{00B4}' | '\u{2032}' | '\u{02BC}' => out('\''),
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{00AB}' | '\u{00BB}' | '\u{2033}' => out('"'),
        '\u{2010}'..='\u{2015}' | '\u{2212}' => out('-'),
        '\u{00A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' => out(' '),
        '\u{00DF}' => {
            out('s');
            out('s');
        }
        '\u{00E6}' => {
            out('a');
            out('e');
        }
        '\u{0153}' => {
            out('o');
            out('e');
        }
        '\u{00F8}' | '\u{00D8}' => out('o'),
        '\u{0142}' | '\u{0141}' => out('l'),
        '\u{0111}' | '\u{0110}' => out('d'),
        '\u{20AC}' => out('€'),
        _ => {
            if let Some(l) = confusable(c) {
                out(l);
                return;
            }
            let mut any = false;
            let mut buf = [None::<char>; 4];
            let mut n = 0;
            let mut overflow = false;
            decompose_compatible(c, |d| {
                if is_combining_mark(d) {
                    return;
                }
                if n < buf.len() {
                    buf[n] = Some(d);
                    n += 1;
                } else {
                    overflow = true;
                }
            });
            if overflow || n == 0 {
                // Long expansions (ligature words) or pure marks: keep the
                // lowercased char itself so nothing is silently lost.
                if n == 0 && is_combining_mark(c) {
                    return;
                }
                for l in c.to_lowercase() {
                    out(l);
                }
                return;
            }
            for d in buf.iter().take(n).flatten() {
                let d = confusable(*d).unwrap_or(*d);
                for l in d.to_lowercase() {
                    any = true;
                    out(l);
                }
            }
            let _ = any;
        }
    }
}

/// Cyrillic and Greek letters that look like Latin ones.
fn confusable(c: char) -> Option<char> {
    Some(match c {
        'а' | 'А' | 'α' | 'Α' => 'a',
        'в' | 'В' | 'β' | 'Β' => 'b',
        'с' | 'С' | 'ϲ' => 'c',
        'ԁ' => 'd',
        'е' | 'Е' | 'ё' | 'Ё' | 'ε' | 'Ε' => 'e',
        'һ' | 'Н' | 'Η' => 'h',
        'і' | 'І' | 'ι' | 'Ι' | 'ı' => 'i',
        'ј' | 'Ј' => 'j',
        'к' | 'К' | 'κ' | 'Κ' => 'k',
        'м' | 'М' | 'Μ' => 'm',
        'п' | 'η' | 'Ν' => 'n',
        'о' | 'О' | 'ο' | 'Ο' | 'σ' => 'o',
        'р' | 'Р' | 'ρ' | 'Ρ' => 'p',
        'ԛ' => 'q',
        'ѕ' | 'Ѕ' => 's',
        'т' | 'Т' | 'τ' | 'Τ' => 't',
        'υ' | 'ս' => 'u',
        'ν' | 'ѵ' => 'v',
        'ԝ' | 'ω' => 'w',
        'х' | 'Х' | 'χ' | 'Χ' => 'x',
        'у' | 'У' | 'γ' | 'Υ' => 'y',
        'ᴢ' | 'Ζ' => 'z',
        _ => return None,
    })
}

/// A DFA of plain patterns for the overlapping scans of the skeleton (the
/// lexicon's terms, the speller's variants). Used directly rather than
/// behind `AhoCorasick`'s dynamic dispatch, since both scans meet every
/// comment; no prefilter, as the patterns start with common letters and
/// restarting a prefilter at each of them cost more than the plain scan.
pub(crate) fn overlapping_dfa<P: AsRef<[u8]>>(
    patterns: &[P],
    what: &str,
) -> aho_corasick::dfa::DFA {
    aho_corasick::dfa::DFA::builder()
        .match_kind(aho_corasick::MatchKind::Standard)
        .start_kind(aho_corasick::StartKind::Unanchored)
        .prefilter(false)
        .build(patterns)
        .unwrap_or_else(|e| panic!("{what} are plain strings and fit a DFA: {e}"))
}

/// The skeleton of a lexicon entry or pattern literal: the same folding as
/// [`Normalized::skeleton`] for a single word or phrase.
pub fn skeletonize(s: &str) -> String {
    Normalized::new(s).skeleton
}

/// Skeletonises the literal letters of a regex source: collapses doubled
/// letters and folds accents, leaving regex syntax (escapes, classes) alone.
pub(crate) fn skeletonize_regex(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut prev: Option<char> = None;
    let mut escaped = false;
    for c in src.chars() {
        if escaped {
            out.push(c);
            escaped = false;
            prev = None;
            continue;
        }
        if c == '\\' {
            out.push(c);
            escaped = true;
            prev = None;
            continue;
        }
        let mut folded = None;
        fold_char(c, |f| folded = Some(f));
        let c = folded.unwrap_or(c);
        if c.is_ascii_alphabetic() && prev == Some(c) {
            continue;
        }
        prev = Some(c);
        out.push(c);
    }
    out
}

/// The pieces of `s` between single spaces, as `s.split(' ')` gives them
/// (empty pieces included), with a plain byte loop: `split`'s `memchr` costs
/// more than it saves on words of a few bytes.
pub fn split_spaces(s: &str) -> SplitSpaces<'_> {
    SplitSpaces {
        s,
        start: 0,
        done: false,
    }
}

/// Iterator of [`split_spaces`].
#[derive(Debug, Clone)]
pub struct SplitSpaces<'a> {
    s: &'a str,
    start: usize,
    done: bool,
}

impl<'a> Iterator for SplitSpaces<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        if self.done {
            return None;
        }
        let b = self.s.as_bytes();
        let start = self.start;
        let mut i = start;
        while i < b.len() && b[i] != b' ' {
            i += 1;
        }
        if i >= b.len() {
            self.done = true;
        } else {
            self.start = i + 1;
        }
        // A space is never inside a multi-byte char: `start..i` is on
        // char boundaries.
        Some(&self.s[start..i])
    }
}

#[cfg(test)]
mod reference;
mod spelling;
pub use spelling::{word_counts, words_the_speller_must_know};

#[cfg(test)]
mod tests {
    #[test]
    fn split_spaces_is_split_on_a_space() {
        for s in [
            "",
            " ",
            "a",
            "a b",
            " a  b ",
            "perché è così  ",
            "città ' d'oro",
            "  ",
        ] {
            let ours: Vec<&str> = super::split_spaces(s).collect();
            let std: Vec<&str> = s.split(' ').collect();
            assert_eq!(ours, std, "{s:?}");
        }
    }

    use super::*;

    /// The ASCII fast path of stage 1 (one table look-up a byte) builds the
    /// unit the general path (fold, case, class) would build for that char.
    #[test]
    fn ascii_units_are_what_folding_gives() {
        for b in 0u8..128 {
            let c = b as char;
            let mut folded = Vec::new();
            fold_char(c, |f| folded.push(f));
            assert_eq!(folded.len(), 1, "{c:?} folds to one char");
            let f = folded[0];
            assert_eq!(
                ASCII_UNIT[b as usize],
                (f as u8, c.is_uppercase(), class_of(f)),
                "{c:?}"
            );
        }
    }

    fn orig(text: &str, span: Span) -> String {
        text.chars()
            .skip(span.0 as usize)
            .take((span.1 - span.0) as usize)
            .collect()
    }

    #[test]
    fn evasions_reduce_to_the_same_skeleton() {
        let target = skeletonize("stronzo");
        assert_eq!(target, "stronzo");
        for evasion in [
            "STRONZO",
            "s t r o n z o",
            "s.t.r.o.n.z.o",
            "s-t-r-o-n-z-o",
            "str0nz0",
            "5tr0nz0",
            "strooooonzooo",
            "#stronzo",
            "stro.nzo",
            "ѕтronzo",
            "ｓｔｒｏｎｚｏ",
            "stron\u{200B}zo",
            "strònzó",
        ] {
            let n = Normalized::new(evasion);
            assert_eq!(n.skeleton.trim(), target, "evasion {evasion:?}");
        }
    }

    #[test]
    fn repetition_and_doubles_collapse_alike() {
        assert_eq!(skeletonize("schifooooo"), skeletonize("schifo"));
        assert_eq!(skeletonize("cazzzzo"), skeletonize("cazzo"));
        assert_eq!(skeletonize("m3rd4"), "merda");
    }

    #[test]
    fn plain_keeps_structure_and_folds_accents() {
        let n = Normalized::new("Perché NON funziona? Tel. 333 123");
        assert_eq!(n.plain, "perche non funziona? tel. 333 123");
    }

    #[test]
    fn offsets_map_back_to_the_original() {
        let text = "Sei uno s t r o n z o!!";
        let n = Normalized::new(text);
        let pos = n.skeleton.find("stronzo").unwrap();
        let span = n.skeleton_span(pos, pos + "stronzo".len());
        assert_eq!(orig(text, span), "s t r o n z o");

        let text = "è un cretinooooo";
        let n = Normalized::new(text);
        let pos = n.skeleton.find("cretino").unwrap();
        let span = n.skeleton_span(pos, pos + "cretino".len());
        assert_eq!(orig(text, span), "cretinooooo");
    }

    #[test]
    fn hashtag_words_are_marked() {
        let n = Normalized::new("basta #stopinvasione ora");
        let pos = n.skeleton.find("stopinvasione").unwrap();
        assert!(n.in_hashtag(pos + 4));
        assert!(!n.in_hashtag(0));
    }

    #[test]
    fn numbers_stay_numbers() {
        // Leet applies only inside words with letters: phone numbers and
        // prices keep their digits.
        assert_eq!(skeletonize("333 1234567"), "333 1234567");
        assert_eq!(skeletonize("20€"), "20 €");
    }

    /// Every view, map, hashtag and joint of `text` is what the previous
    /// normaliser built.
    fn assert_same_as_reference(text: &str) {
        let new = Normalized::new(text);
        let old = reference::normalized(text);
        assert_eq!(new.plain, old.plain, "plain of {text:?}");
        assert_eq!(new.plain_map, old.plain_map, "plain map of {text:?}");
        assert_eq!(new.skeleton, old.skeleton, "skeleton of {text:?}");
        assert_eq!(
            new.skeleton_map, old.skeleton_map,
            "skeleton map of {text:?}"
        );
        assert_eq!(new.hashtags, old.hashtags, "hashtags of {text:?}");
        assert_eq!(new.joints, old.joints, "joints of {text:?}");
        assert_eq!(new.char_len, old.char_len, "length of {text:?}");
    }

    #[test]
    fn builds_what_the_reference_normaliser_builds() {
        for text in [
            "",
            " ",
            "#",
            "# ciao",
            "a #b c",
            "s t r o n z o",
            "s . t . r . o",
            "s...t.r",
            "a b",
            "a b c",
            "a.b.c",
            "a - b - c d",
            "s t r 0 n z 0",
            "$tronzo $ 5 $5",
            "@mario m@rio m4rio @",
            "stronzo.Vai via",
            "Stronzo.vai",
            "stro.nzo str--onzo str---onzo st.r.on.zo",
            "ab.cd.e ab.c.de a.bc",
            "schifoooo cazzzzo perchèèè",
            "ｓｔｒｏｎｚｏ ѕтronzo stron\u{200B}zo strònzó ß æ œ ø ł đ",
            "ﬁne Ⅻ ① ²³ ١٢٣ 中文 😀😀 e\u{301}",
            "«citazione» “virgolette” ‘apice’ – — −",
            "20€ 333 1234567 +39 02-1234 RSSMRA85T10A562S",
            "#StopInvasione #m3rd4 #a b c",
            "x.Y a.B. 1.2.3 v1.2 A.b",
        ] {
            assert_same_as_reference(text);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]
        #[test]
        fn builds_what_the_reference_builds_on_hostile_text(
            text in "[a-zA-Z0-9 .\\-_*|+~/@$#'\"!?,àèéìòùÈßæœøłđ€ѕтΑ\u{200B}\u{00AD}\u{0301}\u{00A0}ｓ①²😀ﬁ]{0,40}"
        ) {
            assert_same_as_reference(&text);
        }
    }

    #[test]
    fn builds_what_the_reference_builds_on_the_shared_corpora() {
        let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data");
        let Ok(dirs) = std::fs::read_dir(data) else {
            assert!(
                std::env::var("PIAZZA_REQUIRE_DATA").as_deref() != Ok("1"),
                "PIAZZA_REQUIRE_DATA=1 but {data} is absent"
            );
            eprintln!("skipped: {data} is absent");
            return;
        };
        let mut texts = 0;
        for dir in dirs.flatten() {
            let Ok(files) = std::fs::read_dir(dir.path()) else {
                continue;
            };
            for file in files.flatten() {
                let path = file.path();
                if path.extension().is_none_or(|e| e != "tsv") {
                    continue;
                }
                let contents = std::fs::read_to_string(&path).expect("corpus is UTF-8");
                let table = crate::corpus::parse_tsv(&contents).expect("corpus parses");
                let Ok(column) = table.texts("text") else {
                    continue;
                };
                for text in column {
                    assert_same_as_reference(text);
                    texts += 1;
                }
            }
        }
        assert!(texts > 20_000, "only {texts} texts compared");
    }

    #[test]
    fn regex_sources_are_skeletonised_without_breaking_escapes() {
        assert_eq!(skeletonize_regex(r"ammazzo\s+\d\d"), r"amazo\s+\d\d");
        assert_eq!(skeletonize_regex(r"\bbello"), r"\bbelo");
        assert_eq!(skeletonize_regex("perché"), "perche");
    }
}
