//! The normaliser as it was before the rewrite of its tokeniser and writer,
//! kept verbatim as the reference the current one is compared with (same
//! views, same maps, same hashtags and joints on every input). The char
//! folding into units and the plain view, the classes and the push helpers,
//! which the rewrite left as they were, are shared with it.

use super::*;

/// The views of `text` as the previous normaliser built them.
pub(super) fn normalized(text: &str) -> Normalized {
    let mut n = Normalized::default();
    fill_with(&mut n, text, &mut Scratch::default());
    // The spelling repair is a later stage, shared by both.
    super::spelling::speller().repair(&mut n, text);
    n
}

fn fill_with(out: &mut Normalized, text: &str, scratch: &mut Scratch) {
    // Stage 1 (the char folding into units and the plain view) was left
    // as it was by the rewrite, but for one table look-up per ASCII byte,
    // which `ascii_units_are_what_folding_gives` checks against the folding.
    out.fold_into_units(text, &mut scratch.units);
    let units = std::mem::take(&mut scratch.units);
    build_skeleton(out, &units, scratch);
    scratch.units = units;
}

fn build_skeleton(out: &mut Normalized, units: &[Unit], scratch: &mut Scratch) {
    // Tokenise into words (alphanumeric runs, allowing joiners between
    // alphanumerics) and the single non-space symbols between them. The
    // chars of every word live in one flat buffer (no allocation per word).
    let n = units.len();
    let chars = &mut scratch.chars;
    chars.clear();
    chars.reserve(n);
    // Indices in `chars` where a word-internal joiner was removed between
    // two parts of two or more chars.
    let joint_at = &mut scratch.joint_at;
    joint_at.clear();
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
            let start = chars.len();
            let mut part_start = start;
            let mut j = i;
            // Whether the word has letters, digits or leet symbols (for
            // the leet decision below).
            let mut letters = 0u32;
            let mut leetish = false;
            while j < n {
                let u = units[j];
                if u.class & (CORE | LEET) != 0 {
                    if u.class & LETTER != 0 {
                        letters += 1;
                    } else if u.class & (CORE | DIGIT) != CORE {
                        leetish = true;
                    }
                    chars.push((u.c, (u.idx, u.idx + 1)));
                    j += 1;
                } else if u.class & JOINER != 0 && chars.len() > start {
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
                        let next_long = k + 1 < n && core_at(k + 1);
                        if chars.len() - part_start >= 2 && next_long {
                            joint_at.push(chars.len() as u32);
                        }
                        part_start = chars.len();
                        j = k;
                    } else {
                        break;
                    }
                } else {
                    break;
                }
            }
            let len = (chars.len() - start) as u32;
            let leet = letters >= 1 && len >= 3 && leetish && letters * 2 >= len;
            pieces.push(Piece::Word {
                start: start as u32,
                end: chars.len() as u32,
                hashtag: pending_hash,
                leet,
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
        pieces.push(Piece::Symbol(c, (units[i].idx, units[i].idx + 1)));
        i += 1;
    }

    // Emit, merging runs of >= 3 single-char words separated only by
    // spaces or joiners (`s t r o n z o`) into one word: leet inside
    // words, repeated letters collapsed, single spaces.
    let chars = &scratch.chars;
    let pieces = &scratch.pieces;
    // The skeleton is built as bytes (a byte push is cheaper than a char
    // push) and validated once at the end.
    let sk = &mut scratch.skeleton;
    sk.clear();
    let map = &mut out.skeleton_map;
    // Spaces are added around symbols ("buca," -> "buca ,"): reserve
    // enough that the views never grow.
    let cap = out.plain.len() + pieces.len() + 1;
    sk.reserve(cap);
    map.reserve(cap);
    let mut joints = scratch.joint_at.iter().copied().peekable();
    let mut k = 0;
    while k < pieces.len() {
        let run_end = single_run_end(pieces, chars, k);
        let (word, next) = if run_end - k >= 3 {
            // Words of the run are contiguous in `chars` (symbols are not
            // stored there).
            let first = pieces[k..run_end].iter().find_map(Piece::range);
            let last = pieces[k..run_end].iter().rev().find_map(Piece::range);
            let hashtag = matches!(pieces[k], Piece::Word { hashtag: true, .. });
            match (first, last) {
                (Some((a, _)), Some((_, b))) => {
                    let w = &chars[a as usize..b as usize];
                    (Some((a, b, hashtag, word_is_leet(w))), run_end)
                }
                _ => (None, k + 1),
            }
        } else {
            match pieces[k] {
                Piece::Word {
                    start,
                    end,
                    hashtag,
                    leet,
                } => (Some((start, end, hashtag, leet)), k + 1),
                Piece::Symbol(..) => (None, k + 1),
            }
        };
        match (word, &pieces[k]) {
            (Some((a, b, hashtag, leet)), _) => {
                if !sk.is_empty() && sk.last() != Some(&b' ') {
                    push_byte(sk, map, ' ', last_end(map));
                }
                let w = &chars[a as usize..b as usize];
                let word_start = sk.len() as u32;
                let mut prev = '\0';
                let check_joints = joints.peek().is_some_and(|&j| j < b);
                for (off, &(c, span)) in w.iter().enumerate() {
                    if check_joints {
                        let flat = a + off as u32;
                        while joints.peek().is_some_and(|&j| j < flat) {
                            joints.next();
                        }
                        if joints.peek() == Some(&flat) {
                            joints.next();
                            out.joints.push(sk.len() as u32);
                        }
                    }
                    let c = if leet || is_leet_symbol(c) {
                        unleet(c)
                    } else {
                        c
                    };
                    if prev == c && c.is_alphabetic() {
                        // Collapse: the kept char now also covers this one.
                        let len = c.len_utf8();
                        let at = map.len() - len;
                        for m in &mut map[at..] {
                            m.1 = span.1;
                        }
                        continue;
                    }
                    prev = c;
                    push_byte(sk, map, c, span);
                }
                if hashtag {
                    out.hashtags.push((word_start, sk.len() as u32));
                }
            }
            (None, &Piece::Symbol(c, span)) => {
                if !sk.is_empty() && sk.last() != Some(&b' ') {
                    push_byte(sk, map, ' ', last_end(map));
                }
                push_byte(sk, map, c, span);
            }
            (None, Piece::Word { .. }) => {}
        }
        k = next;
    }
    out.skeleton
        .push_str(std::str::from_utf8(sk).expect("whole chars were pushed"));
}

/// Reusable buffers of the normalisation.
#[derive(Default)]
struct Scratch {
    units: Vec<Unit>,
    skeleton: Vec<u8>,
    chars: Vec<(char, Span)>,
    joint_at: Vec<u32>,
    pieces: Vec<Piece>,
}

/// Whether the chars of a word are leetspeak to undo (`m3rd4`, `str0nz0`):
/// some letters, at least as many letters as other chars, and a digit or a
/// leet symbol.
fn word_is_leet(w: &[(char, Span)]) -> bool {
    let letters = w.iter().filter(|(c, _)| c.is_alphabetic()).count();
    letters >= 1
        && w.len() >= 3
        && w.iter()
            .any(|(c, _)| is_leet_symbol(*c) || c.is_ascii_digit())
        && letters * 2 >= w.len()
}

enum Piece {
    /// A word: the range of its chars in the flat buffer, whether it came
    /// from a hashtag and whether it is leetspeak to undo.
    Word {
        start: u32,
        end: u32,
        hashtag: bool,
        leet: bool,
    },
    Symbol(char, Span),
}

impl Piece {
    fn range(&self) -> Option<(u32, u32)> {
        match *self {
            Piece::Word { start, end, .. } => Some((start, end)),
            Piece::Symbol(..) => None,
        }
    }
}

/// End of the run of single-char words starting at `k` (exclusive). Symbols
/// that are joiners are allowed between them; anything else stops the run.
fn single_run_end(pieces: &[Piece], chars: &[(char, Span)], k: usize) -> usize {
    let mut j = k;
    let mut end = k;
    while j < pieces.len() {
        match pieces[j] {
            Piece::Word { start, end: e, .. }
                if e - start == 1 && chars[start as usize].0.is_alphanumeric() =>
            {
                j += 1;
                end = j;
            }
            Piece::Symbol(c, _) if is_joiner(c) && end > k => j += 1,
            _ => break,
        }
    }
    end
}
