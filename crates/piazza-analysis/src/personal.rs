//! Personal data with real validation: codice fiscale (check character and
//! omocodia), partita IVA (check digit and office code), IBAN (ISO 13616
//! mod 97, Italian and SEPA lengths, with or without spaces), Italian phone
//! numbers in the usual writings, e-mail addresses, licence plates, street
//! addresses with a house number and identity-document numbers.
//!
//! Every scanner works on the plain view (lower case, NFKC-folded digits)
//! and reports byte ranges of it; hand-written scanners instead of regexes
//! keep the common case (no digits, no `@`) almost free.

use std::sync::OnceLock;

use piazza_taxonomy::PersonalDataKind;
use regex::Regex;

/// A personal-data match in the plain view (byte offsets).
#[derive(Debug, Clone)]
pub(crate) struct PdHit {
    pub kind: PersonalDataKind,
    pub start: usize,
    pub end: usize,
    pub score: f32,
    pub explanation: &'static str,
}

/// The administration's own contacts, canonicalised so that any writing of
/// them is recognised.
#[derive(Debug, Clone, Default)]
pub(crate) struct OwnContacts {
    emails: Vec<String>,
    phones: Vec<String>,
}

impl OwnContacts {
    pub fn new(contacts: &[String]) -> OwnContacts {
        let mut own = OwnContacts::default();
        for c in contacts {
            let c = c.trim().to_lowercase();
            if c.contains('@') {
                own.emails.push(c);
            } else {
                let digits: String = c.chars().filter(char::is_ascii_digit).collect();
                if digits.len() >= 3 {
                    own.phones.push(canonical_phone(&digits).to_string());
                }
            }
        }
        own
    }

    fn has_email(&self, e: &str) -> bool {
        self.emails.iter().any(|o| o == e)
    }

    fn has_phone(&self, digits: &str) -> bool {
        let d = canonical_phone(digits);
        self.phones.iter().any(|o| o == d)
    }
}

fn canonical_phone(digits: &str) -> &str {
    if let Some(rest) = digits.strip_prefix("0039") {
        rest
    } else if digits.len() > 10 && digits.starts_with("39") {
        &digits[2..]
    } else {
        digits
    }
}

/// Scans the plain view for personal data.
pub(crate) fn scan(
    plain: &str,
    original_upper: &dyn Fn(usize) -> bool,
    own: &OwnContacts,
    out: &mut Vec<PdHit>,
) {
    let bytes = plain.as_bytes();
    // A sum, not a filtered count: the compiler vectorises it.
    let digit_count: usize = bytes.iter().map(|b| b.is_ascii_digit() as usize).sum();
    let has_at = memchr_at(bytes);
    if has_at {
        scan_emails(plain, own, out);
    }
    if digit_count >= 2 {
        scan_tokens(plain, original_upper, out);
    }
    if digit_count >= 5 {
        scan_ibans(plain, out);
    }
    if digit_count >= 6 {
        scan_phones(plain, own, out);
    }
    if digit_count >= 1 {
        scan_addresses(plain, original_upper, out);
    }
}

fn memchr_at(b: &[u8]) -> bool {
    b.contains(&b'@')
}

fn overlaps(out: &[PdHit], s: usize, e: usize) -> bool {
    out.iter().any(|h| h.start < e && s < h.end)
}

fn is_alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

// ---------------------------------------------------------------- e-mail

fn scan_emails(plain: &str, own: &OwnContacts, out: &mut Vec<PdHit>) {
    let b = plain.as_bytes();
    let local_ok =
        |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'%' | b'+' | b'-');
    let domain_ok = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-');
    for (at, _) in plain.match_indices('@') {
        let mut s = at;
        while s > 0 && local_ok(b[s - 1]) {
            s -= 1;
        }
        while s < at && b[s] == b'.' {
            s += 1;
        }
        let mut e = at + 1;
        while e < b.len() && domain_ok(b[e]) {
            e += 1;
        }
        while e > at + 1 && matches!(b[e - 1], b'.' | b'-') {
            e -= 1;
        }
        if s == at || e <= at + 1 {
            continue;
        }
        let domain = &plain[at + 1..e];
        let Some(dot) = domain.rfind('.') else {
            continue;
        };
        let tld = &domain[dot + 1..];
        if tld.len() < 2 || !tld.bytes().all(|c| c.is_ascii_alphabetic()) {
            continue;
        }
        let email = &plain[s..e];
        if own.has_email(email) || is_institutional_domain(domain) {
            continue;
        }
        out.push(PdHit {
            kind: PersonalDataKind::Email,
            start: s,
            end: e,
            score: 0.9,
            explanation: "indirizzo e-mail di una persona",
        });
    }
}

/// Addresses of public bodies are contact points, not personal data.
fn is_institutional_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    domain.ends_with(".gov.it")
        || labels.iter().any(|l| {
            l.starts_with("comune")
                || l.starts_with("regione")
                || l.starts_with("provincia")
                || l.starts_with("cittametropolitana")
                || *l == "pec"
                || *l == "legalmail"
        })
}

// ---------------------------------------------------------------- tokens: CF, P.IVA, plates, documents

fn scan_tokens(plain: &str, original_upper: &dyn Fn(usize) -> bool, out: &mut Vec<PdHit>) {
    let b = plain.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if !is_alnum(b[i]) {
            i += 1;
            continue;
        }
        // The token and its digits, in one pass.
        let s = i;
        let mut digits = 0;
        while i < b.len() && is_alnum(b[i]) {
            digits += b[i].is_ascii_digit() as usize;
            i += 1;
        }
        let e = i;
        let tok = &b[s..e];
        // Only a fully omocodic codice fiscale has no digit at all.
        if digits == 0 && tok.len() != 16 {
            continue;
        }
        match tok.len() {
            16 if is_codice_fiscale(tok) => out.push(PdHit {
                kind: PersonalDataKind::CodiceFiscale,
                start: s,
                end: e,
                score: 0.97,
                explanation: "codice fiscale valido (carattere di controllo verificato)",
            }),
            11 if digits == 11 && is_partita_iva(tok) => out.push(PdHit {
                kind: PersonalDataKind::PartitaIva,
                start: s,
                end: e,
                score: 0.85,
                explanation: "partita IVA valida (cifra di controllo verificata)",
            }),
            13 if digits == 11 && tok.starts_with(b"it") && is_partita_iva(&tok[2..]) => {
                out.push(PdHit {
                    kind: PersonalDataKind::PartitaIva,
                    start: s,
                    end: e,
                    score: 0.9,
                    explanation: "partita IVA valida (cifra di controllo verificata)",
                })
            }
            7 if is_plate(tok) && (original_upper(s) || has_context(plain, s, PLATE_CONTEXT)) => {
                out.push(PdHit {
                    kind: PersonalDataKind::LicencePlate,
                    start: s,
                    end: e,
                    score: if has_context(plain, s, PLATE_CONTEXT) {
                        0.9
                    } else {
                        0.7
                    },
                    explanation: "targa di un veicolo",
                })
            }
            9 if is_cie(tok) => {
                let ctx = has_context(plain, s, DOC_CONTEXT);
                out.push(PdHit {
                    kind: PersonalDataKind::IdentityDocument,
                    start: s,
                    end: e,
                    score: if ctx { 0.9 } else { 0.6 },
                    explanation: "numero di carta d'identità elettronica",
                });
            }
            9 | 10 if is_doc_number(tok) && has_context(plain, s, DOC_CONTEXT) => out.push(PdHit {
                kind: PersonalDataKind::IdentityDocument,
                start: s,
                end: e,
                score: 0.85,
                explanation: "numero di un documento d'identità",
            }),
            _ => {}
        }
    }
    // Spaced plates "AB 123 CD" (upper case in the original only: in lower
    // case "da 100 km" would look the same).
    if b.len() >= 9 {
        for w in 0..=b.len() - 9 {
            let t = &b[w..w + 9];
            if t[2] == b' '
                && t[6] == b' '
                && (w == 0 || !is_alnum(b[w - 1]))
                && (w + 9 == b.len() || !is_alnum(b[w + 9]))
            {
                let compact = [t[0], t[1], t[3], t[4], t[5], t[7], t[8]];
                if is_plate(&compact) && original_upper(w) && original_upper(w + 7) {
                    out.push(PdHit {
                        kind: PersonalDataKind::LicencePlate,
                        start: w,
                        end: w + 9,
                        score: 0.75,
                        explanation: "targa di un veicolo",
                    });
                }
            }
        }
    }
}

const PLATE_CONTEXT: &[&str] = &[
    "targa", "targat", "auto", "macchina", "veicolo", "furgone", "moto",
];
const DOC_CONTEXT: &[&str] = &[
    "identita",
    "documento",
    "passaporto",
    "patente",
    "cie",
    "c.i.",
    "carta d",
];

/// True when one of `words` appears in the 40 bytes before `pos`.
fn has_context(plain: &str, pos: usize, words: &[&str]) -> bool {
    let mut from = pos.saturating_sub(40);
    while !plain.is_char_boundary(from) {
        from -= 1;
    }
    let window = &plain[from..pos];
    words.iter().any(|w| window.contains(w))
}

const PLATE_LETTERS: &[u8] = b"abcdefghjklmnprstvwxyz";

fn is_plate(t: &[u8]) -> bool {
    t.len() == 7
        && t[..2].iter().all(|c| PLATE_LETTERS.contains(c))
        && t[2..5].iter().all(u8::is_ascii_digit)
        && t[5..].iter().all(|c| PLATE_LETTERS.contains(c))
}

/// Electronic identity card: two letters, five digits, two letters.
fn is_cie(t: &[u8]) -> bool {
    t.len() == 9
        && t[..2].iter().all(u8::is_ascii_alphabetic)
        && t[2..7].iter().all(u8::is_ascii_digit)
        && t[7..].iter().all(u8::is_ascii_alphabetic)
}

/// Paper identity card / passport (two letters, seven digits) or driving
/// licence (two letters, seven digits, one letter).
fn is_doc_number(t: &[u8]) -> bool {
    (t.len() == 9 || t.len() == 10)
        && t[..2].iter().all(u8::is_ascii_alphabetic)
        && t[2..9].iter().all(u8::is_ascii_digit)
        && t[9..].iter().all(u8::is_ascii_alphabetic)
}

// ---------------------------------------------------------------- codice fiscale

const CF_ODD: [u8; 26] = [
    1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
];
const OMOCODE: &[u8] = b"lmnpqrstuv";
const MONTHS: &[u8] = b"abcdehlmprst";

/// Validates a 16-char codice fiscale (case-insensitive), including
/// omocodia substitutions and the check character.
pub fn is_codice_fiscale(t: &[u8]) -> bool {
    if t.len() != 16 {
        return false;
    }
    let t: Vec<u8> = t.iter().map(u8::to_ascii_lowercase).collect();
    let alpha = |i: usize| t[i].is_ascii_lowercase();
    let numeric = |i: usize| t[i].is_ascii_digit() || OMOCODE.contains(&t[i]);
    if !(0..6).all(alpha) || !alpha(8) || !alpha(11) || !alpha(15) {
        return false;
    }
    if ![6, 7, 9, 10, 12, 13, 14].iter().all(|&i| numeric(i)) {
        return false;
    }
    if !MONTHS.contains(&t[8]) {
        return false;
    }
    let digit = |c: u8| -> u8 {
        if c.is_ascii_digit() {
            c - b'0'
        } else {
            OMOCODE.iter().position(|&o| o == c).unwrap_or(0) as u8
        }
    };
    let day = digit(t[9]) * 10 + digit(t[10]);
    if !((1..=31).contains(&day) || (41..=71).contains(&day)) {
        return false;
    }
    let mut sum: u32 = 0;
    for (i, &c) in t[..15].iter().enumerate() {
        let v = if c.is_ascii_digit() {
            c - b'0'
        } else {
            c - b'a'
        };
        sum += if i % 2 == 0 {
            CF_ODD[v as usize] as u32
        } else {
            v as u32
        };
    }
    t[15] == b'a' + (sum % 26) as u8
}

// ---------------------------------------------------------------- partita IVA

/// Validates an 11-digit partita IVA: check digit and a plausible office code.
pub fn is_partita_iva(t: &[u8]) -> bool {
    if t.len() != 11 || !t.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let d: Vec<u32> = t.iter().map(|c| (c - b'0') as u32).collect();
    if d[..7].iter().all(|&x| x == 0) {
        return false;
    }
    let office = d[7] * 100 + d[8] * 10 + d[9];
    if !((1..=100).contains(&office) || matches!(office, 120 | 121 | 888 | 999)) {
        return false;
    }
    let mut sum = 0;
    for (i, &x) in d[..10].iter().enumerate() {
        if i % 2 == 0 {
            sum += x;
        } else {
            let y = x * 2;
            sum += if y > 9 { y - 9 } else { y };
        }
    }
    (10 - sum % 10) % 10 == d[10]
}

// ---------------------------------------------------------------- IBAN

/// IBAN lengths of the SEPA countries.
const IBAN_LENGTHS: &[(&[u8; 2], usize)] = &[
    (b"it", 27),
    (b"sm", 27),
    (b"va", 22),
    (b"de", 22),
    (b"fr", 27),
    (b"es", 24),
    (b"at", 20),
    (b"be", 16),
    (b"nl", 18),
    (b"ch", 21),
    (b"gb", 22),
    (b"ie", 22),
    (b"pt", 25),
    (b"lu", 20),
    (b"mc", 27),
    (b"li", 21),
    (b"si", 19),
    (b"hr", 21),
    (b"gr", 27),
    (b"cy", 28),
    (b"mt", 31),
    (b"fi", 18),
    (b"ee", 20),
    (b"lv", 21),
    (b"lt", 20),
    (b"sk", 24),
    (b"cz", 24),
    (b"pl", 28),
    (b"hu", 28),
    (b"ro", 24),
    (b"bg", 22),
    (b"dk", 18),
    (b"se", 24),
    (b"no", 15),
    (b"is", 26),
    (b"ad", 24),
];

/// ISO 13616 mod-97 check of a compact IBAN (letters in any case).
pub fn iban_checksum_ok(iban: &[u8]) -> bool {
    if iban.len() < 15 || iban.len() > 34 {
        return false;
    }
    let mut rem: u32 = 0;
    for &c in iban[4..].iter().chain(&iban[..4]) {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_digit() {
            rem = (rem * 10 + (c - b'0') as u32) % 97;
        } else if c.is_ascii_lowercase() {
            let v = (c - b'a') as u32 + 10;
            rem = (rem * 100 + v) % 97;
        } else {
            return false;
        }
    }
    rem == 1
}

fn scan_ibans(plain: &str, out: &mut Vec<PdHit>) {
    let b = plain.as_bytes();
    if b.len() < 15 {
        return;
    }
    for s in 0..b.len() - 3 {
        if !(b[s].is_ascii_lowercase()
            && b[s + 1].is_ascii_lowercase()
            && b[s + 2].is_ascii_digit()
            && b[s + 3].is_ascii_digit())
        {
            continue;
        }
        if s > 0 && is_alnum(b[s - 1]) {
            continue;
        }
        let Some(&(_, len)) = IBAN_LENGTHS.iter().find(|(cc, _)| cc[..] == b[s..s + 2]) else {
            continue;
        };
        let mut compact = Vec::with_capacity(len);
        let mut i = s;
        while i < b.len() && compact.len() < len {
            if is_alnum(b[i]) {
                compact.push(b[i]);
                i += 1;
            } else if matches!(b[i], b' ' | b'-' | b'.')
                && i + 1 < b.len()
                && is_alnum(b[i + 1])
                && !compact.is_empty()
            {
                i += 1;
            } else {
                break;
            }
        }
        if compact.len() != len || (i < b.len() && is_alnum(b[i])) {
            continue;
        }
        if iban_checksum_ok(&compact) && !overlaps(out, s, i) {
            out.push(PdHit {
                kind: PersonalDataKind::Iban,
                start: s,
                end: i,
                score: 0.97,
                explanation: "IBAN valido (controllo mod 97 verificato)",
            });
        }
    }
}

// ---------------------------------------------------------------- phones

const PHONE_CONTEXT: &[&str] = &[
    "tel", "cell", "telefono", "chiama", "numero", "whatsapp", "contatt", "scrivi", "sms",
];

fn scan_phones(plain: &str, own: &OwnContacts, out: &mut Vec<PdHit>) {
    let b = plain.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let starts = c.is_ascii_digit()
            || (c == b'+' && i + 1 < b.len() && b[i + 1].is_ascii_digit())
            || (c == b'(' && i + 1 < b.len() && (b[i + 1] == b'+' || b[i + 1].is_ascii_digit()));
        if !starts || (i > 0 && (is_alnum(b[i - 1]) || b[i - 1] == b'+')) {
            i += 1;
            continue;
        }
        let s = i;
        let plus = c == b'+' || (c == b'(' && b[i + 1] == b'+');
        let mut digits = String::new();
        let mut groups: Vec<(usize, u8)> = Vec::new(); // (len, separator after)
        let mut glen = 0;
        let mut separators = false;
        let mut j = i;
        while j < b.len() {
            let cj = b[j];
            if cj.is_ascii_digit() {
                digits.push(cj as char);
                glen += 1;
                j += 1;
            } else if (j == s && matches!(cj, b'+' | b'('))
                || (cj == b'+' && j == s + 1 && b[s] == b'(')
            {
                j += 1;
            } else if cj == b')' && j > s && b[s] == b'(' {
                separators = true;
                groups.push((glen, b')'));
                glen = 0;
                j += 1;
                if j < b.len() && b[j] == b' ' {
                    j += 1;
                }
            } else if matches!(cj, b' ' | b'.' | b'-' | b'/')
                && glen > 0
                && j + 1 < b.len()
                && b[j + 1].is_ascii_digit()
            {
                separators = true;
                groups.push((glen, cj));
                glen = 0;
                j += 1;
            } else {
                break;
            }
            if digits.len() > 16 {
                break;
            }
        }
        if glen > 0 {
            groups.push((glen, 0));
        }
        let e = j;
        i = j.max(i + 1);
        // A letter glued to the end (a codice fiscale, a plate) is no phone.
        if e < b.len() && b[e].is_ascii_alphabetic() {
            continue;
        }
        if looks_like_date_or_time(&groups) {
            continue;
        }
        let national: &str = if plus {
            match digits.strip_prefix("39") {
                Some(rest) => rest,
                None => {
                    // Other countries: accept a plausible international number.
                    if (8..=15).contains(&digits.len()) && !overlaps(out, s, e) {
                        out.push(PdHit {
                            kind: PersonalDataKind::Phone,
                            start: s,
                            end: e,
                            score: 0.8,
                            explanation: "numero di telefono",
                        });
                    }
                    continue;
                }
            }
        } else if let Some(rest) = digits.strip_prefix("0039") {
            rest
        } else {
            digits.as_str()
        };
        let prefixed = national.len() != digits.len();
        let context = has_context(plain, s, PHONE_CONTEXT);
        let mobile = national.starts_with('3') && (9..=10).contains(&national.len());
        let landline = national.starts_with('0') && (6..=11).contains(&national.len());
        let business =
            national.starts_with("80") || national.starts_with("89") || national.starts_with("84");
        if business || !(mobile || landline) {
            continue;
        }
        // Bare digit runs need more evidence: an 11-digit run is more often a
        // partita IVA, a short one a protocol number.
        let bare = !prefixed && !separators;
        if bare && !context {
            let ok = if mobile {
                true
            } else {
                (9..=10).contains(&national.len())
            };
            if !ok {
                continue;
            }
        }
        if landline && !prefixed && national.len() < 8 && !context {
            continue;
        }
        if own.has_phone(&digits) || overlaps(out, s, e) {
            continue;
        }
        out.push(PdHit {
            kind: PersonalDataKind::Phone,
            start: s,
            end: e,
            score: if context || prefixed || mobile {
                0.9
            } else {
                0.7
            },
            explanation: "numero di telefono",
        });
    }
}

fn looks_like_date_or_time(groups: &[(usize, u8)]) -> bool {
    if groups.len() == 3 {
        let seps_ok = groups[0].1 == groups[1].1 && matches!(groups[0].1, b'/' | b'.' | b'-');
        let lens = (groups[0].0, groups[1].0, groups[2].0);
        if seps_ok && lens.0 <= 2 && lens.1 <= 2 && (lens.2 == 2 || lens.2 == 4) {
            return true;
        }
    }
    false
}

// ---------------------------------------------------------------- addresses

fn address_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"\b(?:via|viale|v\.le|piazza|p\.zza|piazzale|corso|c\.so|largo|vicolo|vico|strada|contrada|localita|loc\.|borgo|lungomare|lungotevere|salita|traversa|circonvallazione)\s+((?:[a-z][a-z'.]*\s+){0,4}?[a-z][a-z'.]*)\s*,?\s*(?:n\.?\s*|nr\.?\s*|numero\s+|civico\s+)?\d{1,4}(?:\s*/\s*[a-z]\b|[a-z]\b)?\b",
        )
        .expect("valid address regex")
    })
}

/// Words that cannot be a street name: "andate via tutti e 3".
const NOT_STREET: &[&str] = &[
    "tutti", "tutte", "e", "di", "da", "con", "per", "che", "a", "il", "la", "le", "i", "gli",
    "un", "una", "mail", "email", "sms", "web", "internet", "anni", "ore", "volte", "giorni",
    "euro", "km", "metri", "ci", "ne", "non", "sono", "subito", "dopo", "prima", "poi", "ormai",
    "almeno", "circa", "solo",
];

/// Where someone lives: "abito in", "la mia residenza è in"... (matched at
/// the start of a word, in the words around the address).
const RESIDENCE_CUES: &[&str] = &[
    "abit",
    "viv",
    "resident",
    "residenz",
    "risied",
    "domicil",
    "trasferit",
    "appartament",
    "villett",
    "indirizz",
    "cresciut",
];
/// Words that tie an address to a person: "la signora di via Neri 3",
/// "quello del civico 8 di via Verdi", "mia madre, via Roma 12".
const PERSON_WORDS: &[&str] = &[
    "quello",
    "quella",
    "quelli",
    "quelle",
    "tizio",
    "tizia",
    "tipo",
    "tipa",
    "signora",
    "signore",
    "signor",
    "signori",
    "famiglia",
    "famiglie",
    "vicino",
    "vicina",
    "vicini",
    "vicine",
    "inquilino",
    "inquilina",
    "inquilini",
    "proprietario",
    "proprietaria",
    "proprietari",
    "affittuario",
    "affittuaria",
    "ragazzo",
    "ragazza",
    "ragazzi",
    "ragazze",
    "coppia",
    "vedova",
    "vedovo",
    "vecchietto",
    "vecchietta",
    "vecchio",
    "vecchia",
    "anziano",
    "anziana",
    "anziani",
    "pensionato",
    "pensionata",
    "professoressa",
    "professore",
    "maestra",
    "medico",
    "dottore",
    "camionista",
    "madre",
    "padre",
    "mamma",
    "papa",
    "figlio",
    "figlia",
    "figli",
    "moglie",
    "marito",
    "nonna",
    "nonno",
    "nonni",
    "zia",
    "zio",
    "sorella",
    "fratello",
    "cugina",
    "cugino",
    "suocera",
    "suocero",
    "nipote",
    "ex",
    "io",
    "lui",
    "lei",
    "me",
    "casa",
    "mia",
    "mio",
    "miei",
    "sua",
    "suo",
    "suoi",
    "compagno",
    "compagna",
    "amico",
    "amica",
    "badante",
    "padrone",
    "inquilina",
    "rossi",
    "gente",
];
/// Prepositions that tie a person to the address after them.
const ADDRESS_LINKS: &[&str] = &[
    "di", "del", "della", "dei", "delle", "degli", "dello", "al", "in", "a", "da", "dal", "dalla",
];

/// Words without which no address can match (a quick test before the
/// regex), in one automaton: one pass instead of a search per word.
fn address_words() -> &'static aho_corasick::AhoCorasick {
    static AC: OnceLock<aho_corasick::AhoCorasick> = OnceLock::new();
    AC.get_or_init(|| {
        aho_corasick::AhoCorasick::new([
            "via",
            "viale",
            "piazza",
            "corso",
            "largo",
            "vicolo",
            "strada",
            "contrada",
            "localita",
            "borgo",
            "lungo",
            "v.le",
            "p.zza",
            "c.so",
            "loc.",
            "salita",
            "traversa",
            "circonvallazione",
            "vico",
            "piazzale",
        ])
        .expect("valid address words")
    })
}

/// "civico 8 di via Verdi", "al 15 di via Verdi": the number first.
fn address_number_first_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"\b(?:civico|numero|n\.|nr\.?|al|del|dal|allo)\s*\d{1,4}(?:\s*/\s*[a-z]\b|[a-z]\b)?\s+(?:di|in)\s+(?:via|viale|piazza|piazzale|corso|largo|vicolo|strada|contrada|borgo|lungomare|salita|traversa)\s+[a-z0-9][a-z'.]*",
        )
        .expect("valid address regex")
    })
}

fn scan_addresses(plain: &str, original_upper: &dyn Fn(usize) -> bool, out: &mut Vec<PdHit>) {
    if !address_words().is_match(plain) {
        return;
    }
    let mut found: Vec<(usize, usize)> = Vec::new();
    for caps in address_regex().captures_iter(plain) {
        let (Some(m), Some(name)) = (caps.get(0), caps.get(1)) else {
            continue;
        };
        if name
            .as_str()
            .split_whitespace()
            .any(|w| NOT_STREET.contains(&w.trim_matches(|c| c == '.' || c == '\'')))
        {
            continue;
        }
        found.push((m.start(), m.end()));
    }
    for m in address_number_first_regex().find_iter(plain) {
        // The street's name: the capitalised words after the street word
        // (at least one word).
        let b = plain.as_bytes();
        let mut end = m.end();
        loop {
            let mut s = end;
            while s < b.len() && b[s] == b' ' {
                s += 1;
            }
            let mut e = s;
            while e < b.len() && (b[e].is_ascii_alphanumeric() || b[e] == b'\'') {
                e += 1;
            }
            if e == s || s == end || !original_upper(s) {
                break;
            }
            end = e;
        }
        if !found.iter().any(|&(s, e)| s < end && m.start() < e) {
            found.push((m.start(), end));
        }
    }
    for (start, end) in found {
        if overlaps(out, start, end) {
            continue;
        }
        let personal = tied_to_a_person(plain, start, end, original_upper);
        out.push(PdHit {
            kind: PersonalDataKind::Address,
            start,
            end,
            score: if personal { 0.85 } else { 0.45 },
            explanation: if personal {
                "indirizzo di una persona (dove abita o si trova): da non lasciare visibile a tutti, a sua tutela"
            } else {
                "indirizzo con numero civico (il luogo di una segnalazione non è un dato personale)"
            },
        });
    }
}

/// Whether the address at `start..end` is where a person lives or stays
/// ("abito in via Garibaldi 12", "la signora Neri di corso Italia 3",
/// "quello del civico 8 di via Verdi") rather than the place of a public
/// problem ("in piazza Cavour 16 c'è una perdita d'acqua", "la buca davanti
/// al civico 8 di via Verdi"): a residence word near it, or a person tied
/// to it by a preposition or a comma.
fn tied_to_a_person(
    plain: &str,
    start: usize,
    end: usize,
    original_upper: &dyn Fn(usize) -> bool,
) -> bool {
    // The words before the address, nearest first, with whether a comma
    // follows them.
    let head = &plain[..start];
    let mut before: Vec<(usize, &str, bool)> = Vec::new();
    let mut comma = false;
    let mut e = head.len();
    let b = head.as_bytes();
    while e > 0 && before.len() < 7 {
        let c = b[e - 1];
        if c.is_ascii_alphanumeric() {
            let mut s = e;
            while s > 0 && b[s - 1].is_ascii_alphanumeric() {
                s -= 1;
            }
            before.push((s, &head[s..e], comma));
            comma = false;
            e = s;
        } else {
            if c == b',' || c == b':' {
                comma = true;
            } else if matches!(c, b'.' | b'!' | b'?' | b';') {
                break;
            }
            e -= 1;
        }
    }
    let after = plain[end..]
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(2);
    let residence = |w: &str| RESIDENCE_CUES.iter().any(|c| w.starts_with(c));
    if before.iter().take(6).any(|&(_, w, _)| residence(w))
        || before
            .windows(2)
            .any(|p| p[0].1 == "in" && matches!(p[1].1, "sta" | "sto" | "stanno" | "stiamo"))
        || after.clone().any(|w| residence(w) || w == "abita")
    {
        return true;
    }
    // A capitalised word is a person's name after a comma ("Mario, via
    // Verdi 4") or as a family ("i Rossi di via Carducci"); elsewhere it is
    // as often a place ("a Casumaro in via Chiesa 17").
    let name = |i: usize| {
        let (s, _, _) = before[i];
        s > 0
            && original_upper(s)
            && (before[i].2
                || before
                    .get(i + 1)
                    .is_some_and(|p| p.1 == "i" || p.1 == "gli"))
    };
    let person = |i: usize| PERSON_WORDS.contains(&before[i].1) || name(i);
    // "al 15 di via Verdi", "del civico 8": the link is inside the match.
    let first = plain[start..]
        .split(|c: char| !c.is_ascii_alphanumeric())
        .next();
    let linked_inside = matches!(first, Some("al" | "del" | "dal" | "allo"));
    // The address right after a comma: "la signora Ferri, via Dante 20".
    if before.first().is_some_and(|w| w.2) && (0..before.len().min(2)).any(person) {
        return true;
    }
    let from = if linked_inside {
        0
    } else {
        match before.first() {
            Some(&(_, w, _)) if ADDRESS_LINKS.contains(&w) => 1,
            _ => return false,
        }
    };
    // Up to five words back from the link: "quello con la Panda rossa di
    // via Alighieri 3" ties the address to "quello" across four words.
    (from..before.len().min(from + 5)).any(person)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(PersonalDataKind, String)> {
        kinds_own(text, &[])
    }

    fn kinds_own(text: &str, own: &[&str]) -> Vec<(PersonalDataKind, String)> {
        let n = crate::normalize::Normalized::new(text);
        let own = OwnContacts::new(&own.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        let chars: Vec<char> = text.chars().collect();
        let upper = |pos: usize| {
            let ci = n.plain_map[pos].0 as usize;
            chars.get(ci).is_some_and(|c| c.is_uppercase())
        };
        let mut out = Vec::new();
        scan(&n.plain, &upper, &own, &mut out);
        out.into_iter()
            .map(|h| (h.kind, n.plain[h.start..h.end].to_string()))
            .collect()
    }

    /// Computes the check character of the first 15 chars of a CF.
    pub(crate) fn cf_check(first15: &str) -> char {
        let mut sum = 0u32;
        for (i, c) in first15.to_ascii_lowercase().bytes().enumerate() {
            let v = if c.is_ascii_digit() {
                c - b'0'
            } else {
                c - b'a'
            };
            sum += if i % 2 == 0 {
                CF_ODD[v as usize] as u32
            } else {
                v as u32
            };
        }
        (b'A' + (sum % 26) as u8) as char
    }

    #[test]
    fn codice_fiscale_check_character_and_omocodia() {
        assert!(is_codice_fiscale(b"RSSMRA85T10A562S"));
        assert!(!is_codice_fiscale(b"RSSMRA85T10A562T"));
        // Omocodia: digits replaced by letters, check char recomputed.
        let omo = "RSSMRA85T10A56NS";
        let first = &omo[..15];
        let full = format!("{first}{}", cf_check(first));
        assert!(is_codice_fiscale(full.as_bytes()), "{full}");
        // A month letter that does not exist.
        let bad_month = "RSSMRA85Z10A562";
        let full = format!("{bad_month}{}", cf_check(bad_month));
        assert!(!is_codice_fiscale(full.as_bytes()));
    }

    #[test]
    fn partita_iva_check_digit() {
        // 00743110157 is a real, valid one (check digit 7, office 015).
        assert!(is_partita_iva(b"00743110157"));
        assert!(!is_partita_iva(b"00743110158"));
    }

    #[test]
    fn iban_mod_97() {
        assert!(iban_checksum_ok(b"IT60X0542811101000000123456"));
        assert!(!iban_checksum_ok(b"IT61X0542811101000000123456"));
        assert!(iban_checksum_ok(b"DE89370400440532013000"));
        assert!(iban_checksum_ok(b"GB29NWBK60161331926819"));
    }

    #[test]
    fn table_of_personal_data_formats() {
        use PersonalDataKind::*;
        let cases: &[(&str, PersonalDataKind, &str)] = &[
            (
                "il mio cf è RSSMRA85T10A562S grazie",
                CodiceFiscale,
                "rssmra85t10a562s",
            ),
            ("cf rssmra85t10a562s", CodiceFiscale, "rssmra85t10a562s"),
            ("P.IVA 00743110157", PartitaIva, "00743110157"),
            ("partita iva IT00743110157", PartitaIva, "it00743110157"),
            (
                "IBAN IT60X0542811101000000123456",
                Iban,
                "it60x0542811101000000123456",
            ),
            (
                "IBAN IT60 X054 2811 1010 0000 0123 456 intestato",
                Iban,
                "it60 x054 2811 1010 0000 0123 456",
            ),
            (
                "bonifico su DE89 3704 0044 0532 0130 00",
                Iban,
                "de89 3704 0044 0532 0130 00",
            ),
            ("chiamami al 3331234567", Phone, "3331234567"),
            ("cell 333 123 4567", Phone, "333 123 4567"),
            ("+39 333 1234567", Phone, "+39 333 1234567"),
            ("0039 333.123.45.67", Phone, "0039 333.123.45.67"),
            ("tel. 051-6543210", Phone, "051-6543210"),
            ("chiamate lo 06 12345678", Phone, "06 12345678"),
            ("numero 051/234567", Phone, "051/234567"),
            ("(+39) 347 765 4321", Phone, "(+39) 347 765 4321"),
            (
                "scrivete a mario.rossi@gmail.com",
                Email,
                "mario.rossi@gmail.com",
            ),
            ("la macchina targata AB123CD", LicencePlate, "ab123cd"),
            (
                "la AB 123 CD parcheggia sempre lì",
                LicencePlate,
                "ab 123 cd",
            ),
            (
                "abita in via Garibaldi 12, secondo piano",
                Address,
                "via garibaldi 12",
            ),
            ("carta d'identità CA12345AB", IdentityDocument, "ca12345ab"),
            ("passaporto n. YA1234567", IdentityDocument, "ya1234567"),
        ];
        for (text, kind, found) in cases {
            let got = kinds(text);
            assert!(
                got.iter().any(|(k, t)| k == kind && t == found),
                "{text:?}: expected {kind:?} {found:?}, got {got:?}"
            );
        }
    }

    #[test]
    fn things_that_are_not_personal_data() {
        for text in [
            "ci vediamo il 12/05/2023 alle 10.30",
            "sono 1.000.000 di euro buttati",
            "da 100 km all'ora",
            "andate via tutti e 3",
            "RSSMRA85T10A562T",
            "IT61X0542811101000000123456",
            "protocollo n. 0012345",
            "00743110158",
            "numero verde 800 375 515",
            "scrivete a urp@comune.cento.fe.it",
            "la pec protocollo@pec.comune.example.it",
        ] {
            let got = kinds(text);
            assert!(got.is_empty(), "{text:?}: {got:?}");
        }
    }

    #[test]
    fn own_contacts_are_not_personal_data() {
        let own = ["urp@cento.example.org", "+39 051 6843111"];
        assert!(kinds_own("scrivete a URP@cento.example.org", &own).is_empty());
        assert!(kinds_own("telefonate allo 051.6843111", &own).is_empty());
        assert!(kinds_own("telefonate allo 0039 051 6843111", &own).is_empty());
        // Someone else's number is still reported.
        assert_eq!(kinds_own("telefonate allo 051.6843112", &own).len(), 1);
    }
}
