//! Checks on what the administration itself writes: a post's draft or a
//! staff member's reply to a citizen. Each check names the passage and
//! suggests what to write instead, in Italian; none blocks (the desk
//! decides what a policy makes blocking). Pure: no I/O, no model.
//!
//! Where each check comes from:
//! - plain language: the Gulpease index (Lucisano and Piemontese, 1988),
//!   the readability formula made for Italian; long sentences and the
//!   bureaucratic formulas of the "Guida al linguaggio della Pubblica
//!   Amministrazione", which Maglione's policy cites, and Roma's "evitare
//!   toni rigidi e burocratici";
//! - partisan wording: Tradate and Roma forbid political content on the
//!   institutional accounts, and L. 28/2000 art. 9 restricts the
//!   administration's communication during an election period;
//! - hashtags in CamelCase, so that screen readers read the words;
//! - the platform's own length limit.
//!
//! Personal data in the text is found by the analyser
//! (`piazza-analysis`): the caller passes its spans to
//! [`Report::add_personal_data`], so this crate does not load a model.
//!
//! ```
//! use piazza_editorial::{check, IssueKind};
//! let r = check("Si comunica che in data odierna l'ufficio è chiuso.", None);
//! assert!(r.issues.iter().any(|i| i.kind == IssueKind::Bureaucratic && i.passage == "Si comunica che"));
//! ```

use piazza_taxonomy::Platform;
use serde::Serialize;

/// What a check is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueKind {
    /// The whole text is hard to read (Gulpease).
    Readability,
    LongSentence,
    Bureaucratic,
    /// Personal data of someone (found by the analyser).
    PersonalData,
    /// Health, religion, origin... (art. 9 GDPR; never in a post).
    SpecialCategory,
    Partisan,
    Hashtag,
    PlatformLimit,
    /// During an election period: promotion of the administration, its
    /// mayor or its members (L. 28/2000 art. 9).
    ElectionPeriod,
    /// An image or video without a meaningful text alternative.
    AltText,
    /// An image whose content the editor has not confirmed against the
    /// policy's rules (minors, faces, brands; politicians during an
    /// election period).
    Photo,
    /// Selling something (Roma: no "scopi ... commerciali").
    Commercial,
    /// Emoji in place of words, or too many for a screen reader.
    Emoji,
    /// A link nobody can read: shortened, or long with tracking.
    Link,
}

impl IssueKind {
    pub const fn label_it(self) -> &'static str {
        match self {
            IssueKind::Readability => "leggibilità",
            IssueKind::LongSentence => "frase lunga",
            IssueKind::Bureaucratic => "formula burocratica",
            IssueKind::PersonalData => "dati personali",
            IssueKind::SpecialCategory => "dati particolari",
            IssueKind::Partisan => "contenuto di parte",
            IssueKind::Hashtag => "hashtag",
            IssueKind::PlatformLimit => "limite della piattaforma",
            IssueKind::ElectionPeriod => "periodo elettorale",
            IssueKind::AltText => "testo alternativo",
            IssueKind::Photo => "regole sulle immagini",
            IssueKind::Commercial => "promozione commerciale",
            IssueKind::Emoji => "emoji",
            IssueKind::Link => "link",
        }
    }
}

/// One finding of a check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Issue {
    pub kind: IssueKind,
    /// Char offsets of the passage in the text (`0..0` for the whole).
    pub start: usize,
    pub end: usize,
    pub passage: String,
    /// What is wrong, in Italian.
    pub message: String,
    /// What to write instead, in Italian.
    pub suggestion: String,
}

/// Everything the checks found in one text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Gulpease index, 0 (unreadable) to 100; `None` for a text with no words.
    pub gulpease: Option<f64>,
    pub words: usize,
    pub sentences: usize,
    pub chars: usize,
    pub issues: Vec<Issue>,
}

/// Sentences longer than this many words are flagged: the guides for
/// administrative writing suggest 20-25 words.
pub const LONG_SENTENCE_WORDS: usize = 25;

/// Below this Gulpease index a text is hard for readers with a lower
/// secondary education (the formula's authors' thresholds: 80 elementary,
/// 60 lower secondary, 40 upper secondary).
pub const GULPEASE_HARD: f64 = 60.0;

/// (formula, plain alternative). Lower case; matched on word boundaries.
const BUREAUCRATIC: &[(&str, &str)] = &[
    (
        "si comunica che",
        "vai al punto: scrivi direttamente la notizia",
    ),
    (
        "si rende noto che",
        "vai al punto: scrivi direttamente la notizia",
    ),
    (
        "si informa che",
        "vai al punto: scrivi direttamente la notizia",
    ),
    ("in data odierna", "oggi"),
    ("codesto", "questo"),
    ("codesta", "questa"),
    ("entro e non oltre", "entro"),
    ("a decorrere da", "da"),
    ("in ottemperanza a", "come previsto da"),
    ("nelle more di", "in attesa di"),
    ("al fine di", "per"),
    ("qualora", "se"),
    ("previa", "dopo"),
    ("all'uopo", "a questo scopo"),
    ("espletare", "svolgere"),
    ("espletamento", "svolgimento"),
    ("pervenire", "arrivare"),
    ("pervenuta", "arrivata"),
    ("pervenute", "arrivate"),
    ("il sottoscritto", "io"),
    ("si prega di", "per favore"),
    ("in riferimento alla", "sulla"),
    ("in riferimento al", "sul"),
    (
        "con la presente",
        "vai al punto: scrivi direttamente la notizia",
    ),
    ("ad ogni buon conto", "comunque"),
    ("di cui trattasi", "questo"),
    ("summenzionato", "questo"),
    ("suddetto", "questo"),
];

/// Wording that takes a side: voting exhortations and party names. A
/// public administration's account speaks for everyone.
const PARTISAN: &[&str] = &[
    "votate",
    "votatemi",
    "votateci",
    "vota per",
    "vota il",
    "vota la",
    "il mio voto",
    "campagna elettorale",
    "partito democratico",
    "fratelli d'italia",
    "forza italia",
    "movimento 5 stelle",
    "movimento cinque stelle",
    "lega per salvini",
    "alleanza verdi e sinistra",
    "azione - italia viva",
    "italia viva",
    "noi moderati",
    "+europa",
];

/// Selling wording: an institutional account does not advertise (Roma:
/// "Non è quindi consentito utilizzare i social media per scopi privati,
/// commerciali"; Tradate and Maglione alike).
const COMMERCIAL: &[&str] = &[
    "sconto",
    "sconti",
    "codice sconto",
    "in offerta",
    "offerta speciale",
    "offerta valida",
    "saldi",
    "acquista ora",
    "compra ora",
    "acquistate",
    "approfitta",
    "approfittate",
    "prezzo speciale",
    "a soli",
    "spedizione gratuita",
];

/// Link shorteners: the reader cannot see where the link goes.
const SHORTENERS: &[&str] = &[
    "bit.ly/",
    "tinyurl.com/",
    "goo.gl/",
    "ow.ly/",
    "t.co/",
    "shorturl.at/",
    "is.gd/",
    "buff.ly/",
    "rebrand.ly/",
    "cutt.ly/",
];

/// Longer links are hard to read aloud and to trust.
const LONG_LINK_CHARS: usize = 80;

/// More emoji than this in one text is noise for a screen reader, which
/// reads each one's name.
const MAX_EMOJI: usize = 3;

/// Whether `c` is an emoji picture (the main pictographic blocks; the
/// digits and symbols that may take an emoji presentation are left out).
fn is_emoji(c: char) -> bool {
    matches!(c as u32,
        0x1F300..=0x1F5FF | 0x1F600..=0x1F64F | 0x1F680..=0x1F6FF | 0x1F900..=0x1F9FF
        | 0x1FA70..=0x1FAFF | 0x2600..=0x26FF | 0x2700..=0x27BF | 0x1F1E6..=0x1F1FF)
}

/// Images a post may carry per platform (their documentation): X and
/// Mastodon 4, an Instagram carousel and a Telegram album 10, Bluesky 4,
/// Threads 20, LinkedIn 20.
pub fn platform_image_limit(p: Platform) -> Option<usize> {
    match p {
        Platform::X | Platform::Mastodon | Platform::Bluesky => Some(4),
        Platform::Instagram | Platform::Telegram => Some(10),
        Platform::Threads | Platform::Linkedin => Some(20),
        _ => None,
    }
}

/// Character limits of a post or reply per platform (their documentation).
pub fn platform_limit(p: Platform) -> Option<usize> {
    match p {
        Platform::X => Some(280),
        Platform::Mastodon => Some(500),
        Platform::Instagram => Some(2200),
        Platform::Telegram => Some(4096),
        Platform::Facebook => Some(63_206),
        Platform::Youtube => Some(10_000),
        Platform::Linkedin => Some(3000),
        Platform::Threads => Some(500),
        Platform::Bluesky => Some(300),
        _ => None,
    }
}

struct Word {
    start: usize,
    end: usize,
    letters: usize,
}

/// Words (runs of letters, digits and apostrophes inside a word) with char
/// offsets.
fn words(chars: &[char]) -> Vec<Word> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_alphanumeric() {
            let start = i;
            let mut letters = 0;
            while i < chars.len()
                && (chars[i].is_alphanumeric()
                    || ((chars[i] == '\'' || chars[i] == '’')
                        && i + 1 < chars.len()
                        && chars[i + 1].is_alphanumeric()))
            {
                if chars[i].is_alphanumeric() {
                    letters += 1;
                }
                i += 1;
            }
            out.push(Word {
                start,
                end: i,
                letters,
            });
        } else {
            i += 1;
        }
    }
    out
}

/// Sentence ends: `.`, `!`, `?`, `…` followed by space or the end, and
/// line breaks between paragraphs. Returns (start, end) char ranges.
fn sentences(chars: &[char]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let end_mark = matches!(c, '.' | '!' | '?' | '…')
            && chars.get(i + 1).is_none_or(|n| n.is_whitespace())
            && !(c == '.' && after_abbreviation(chars, i));
        if end_mark || c == '\n' {
            let end = i + 1;
            if chars[start..end].iter().any(|c| c.is_alphanumeric()) {
                out.push((start, end));
            }
            start = end;
        }
        i += 1;
    }
    if chars[start..].iter().any(|c| c.is_alphanumeric()) {
        out.push((start, chars.len()));
    }
    out
}

/// Abbreviations whose full stop does not end a sentence ("il sig. Rossi").
const ABBREVIATIONS: &[&str] = &[
    "sig", "sigg", "sig.ra", "dott", "dott.ssa", "prof", "prof.ssa", "avv", "ing", "arch", "geom",
    "rag", "on", "dr", "ecc", "es", "art", "artt", "n", "nn", "pag", "tel", "cfr", "p.es", "c.a",
    "s.p.a", "s.r.l", "v", "via", "p.zza", "c.so",
];

/// The word that ends at `dot` (exclusive) is an abbreviation.
fn after_abbreviation(chars: &[char], dot: usize) -> bool {
    let start = chars[..dot]
        .iter()
        .rposition(|c| c.is_whitespace() || matches!(c, '(' | '"' | '«'))
        .map_or(0, |p| p + 1);
    let word: String = chars[start..dot]
        .iter()
        .flat_map(|c| c.to_lowercase())
        .collect();
    ABBREVIATIONS.contains(&word.as_str())
}

fn passage(chars: &[char], start: usize, end: usize) -> String {
    chars[start..end].iter().collect()
}

/// Lower case with the typographic apostrophe made plain, char for char
/// (so offsets stay those of the text).
fn folded(chars: &[char]) -> Vec<char> {
    chars
        .iter()
        .map(|c| {
            if *c == '’' {
                '\''
            } else {
                c.to_lowercase().next().unwrap_or(*c)
            }
        })
        .collect()
}

/// Every occurrence of `needle` (lower case) in `hay` on word boundaries.
fn find_all(hay: &[char], needle: &str) -> Vec<usize> {
    let n: Vec<char> = needle.chars().collect();
    let mut out = Vec::new();
    if n.is_empty() || hay.len() < n.len() {
        return out;
    }
    let boundary = |i: Option<&char>| i.is_none_or(|c| !c.is_alphanumeric());
    for s in 0..=hay.len() - n.len() {
        if hay[s..s + n.len()] == n[..]
            && boundary(s.checked_sub(1).and_then(|p| hay.get(p)))
            && boundary(hay.get(s + n.len()))
        {
            out.push(s);
        }
    }
    out
}

/// Emoji in place of a word (between two words of a sentence: "ci
/// vediamo al 🏫 alle 9") and more than [`MAX_EMOJI`] in a text.
fn check_emoji(chars: &[char], issues: &mut Vec<Issue>) {
    let at: Vec<usize> = (0..chars.len()).filter(|&i| is_emoji(chars[i])).collect();
    for &i in &at {
        let before = chars[..i]
            .iter()
            .rev()
            .find(|c| !c.is_whitespace() && **c != '\u{FE0F}');
        let after = chars[i + 1..]
            .iter()
            .find(|c| !c.is_whitespace() && **c != '\u{FE0F}' && !is_emoji(**c));
        let mid_sentence = before.is_some_and(|c| c.is_alphanumeric())
            && after.is_some_and(|c| c.is_lowercase() || c.is_numeric());
        if mid_sentence {
            issues.push(Issue {
                kind: IssueKind::Emoji,
                start: i,
                end: i + 1,
                passage: chars[i].to_string(),
                message: "emoji al posto di una parola: un lettore di schermo ne legge il nome, e non tutti la capiscono".into(),
                suggestion: "scrivi la parola; se vuoi, metti l'emoji alla fine della frase".into(),
            });
        }
    }
    if at.len() > MAX_EMOJI {
        issues.push(Issue {
            kind: IssueKind::Emoji,
            start: 0,
            end: 0,
            passage: String::new(),
            message: format!(
                "{} emoji: un lettore di schermo le legge tutte, una per una (oltre {MAX_EMOJI} disturbano)",
                at.len()
            ),
            suggestion: "tienine una o due, dove aggiungono qualcosa".into(),
        });
    }
}

/// Links a reader cannot read: shortened ones and long ones (tracking
/// parameters included).
fn check_links(chars: &[char], issues: &mut Vec<Issue>) {
    let text: String = chars.iter().collect();
    let low = text.to_lowercase();
    let mut from = 0;
    while let Some(rel) = low[from..].find("http") {
        let start_b = from + rel;
        let rest = &low[start_b..];
        if !(rest.starts_with("http://") || rest.starts_with("https://")) {
            from = start_b + 4;
            continue;
        }
        let end_b = start_b
            + rest
                .find(|c: char| c.is_whitespace() || matches!(c, ')' | '»' | '"' | '>'))
                .unwrap_or(rest.len());
        let url = text[start_b..end_b].trim_end_matches(['.', ',', ';', ':', '!', '?']);
        let start = text[..start_b].chars().count();
        let end = start + url.chars().count();
        let host_path = url.split_once("://").map_or(url, |(_, r)| r).to_lowercase();
        let short = SHORTENERS.iter().any(|s| host_path.starts_with(s));
        let (message, suggestion) = if short {
            (
                "link abbreviato: chi legge non vede dove porta",
                "usa l'indirizzo completo del sito dell'ente",
            )
        } else if url.chars().count() > LONG_LINK_CHARS || host_path.contains("utm_") {
            (
                "link lungo o con parametri di tracciamento: è difficile da leggere e da riconoscere",
                "usa un indirizzo breve e leggibile della pagina, senza parametri utm_",
            )
        } else {
            from = end_b.max(start_b + 4);
            continue;
        };
        issues.push(Issue {
            kind: IssueKind::Link,
            start,
            end,
            passage: url.to_string(),
            message: message.into(),
            suggestion: suggestion.into(),
        });
        from = end_b.max(start_b + 4);
    }
}

/// Runs every check on `text`; `platform`, when known, adds its length
/// limit.
pub fn check(text: &str, platform: Option<Platform>) -> Report {
    let chars: Vec<char> = text.chars().collect();
    let low = folded(&chars);
    let ws = words(&chars);
    let ss = sentences(&chars);
    let letters: usize = ws.iter().map(|w| w.letters).sum();
    let gulpease = (!ws.is_empty()).then(|| {
        let g = 89.0 + (300.0 * ss.len().max(1) as f64 - 10.0 * letters as f64) / ws.len() as f64;
        g.clamp(0.0, 100.0)
    });
    let mut issues = Vec::new();
    if let Some(g) = gulpease
        && g < GULPEASE_HARD
        && ws.len() >= 20
    {
        issues.push(Issue {
            kind: IssueKind::Readability,
            start: 0,
            end: 0,
            passage: String::new(),
            message: format!(
                "indice Gulpease {g:.0}: il testo è difficile per chi ha la licenza media (sotto {GULPEASE_HARD:.0})"
            ),
            suggestion: "frasi più brevi e parole più comuni".into(),
        });
    }
    for &(s, e) in &ss {
        let n = ws.iter().filter(|w| w.start >= s && w.end <= e).count();
        if n > LONG_SENTENCE_WORDS {
            issues.push(Issue {
                kind: IssueKind::LongSentence,
                start: s,
                end: e,
                passage: passage(&chars, s, e).trim().to_string(),
                message: format!("frase di {n} parole (oltre {LONG_SENTENCE_WORDS})"),
                suggestion: "dividila in due o più frasi".into(),
            });
        }
    }
    for (formula, plain) in BUREAUCRATIC {
        for s in find_all(&low, formula) {
            let e = s + formula.chars().count();
            issues.push(Issue {
                kind: IssueKind::Bureaucratic,
                start: s,
                end: e,
                passage: passage(&chars, s, e),
                message: "formula burocratica".into(),
                suggestion: (*plain).to_string(),
            });
        }
    }
    for term in PARTISAN {
        for s in find_all(&low, term) {
            let e = s + term.chars().count();
            issues.push(Issue {
                kind: IssueKind::Partisan,
                start: s,
                end: e,
                passage: passage(&chars, s, e),
                message: "contenuto di parte: un account istituzionale parla per tutti (L. 28/2000 art. 9 nel periodo elettorale)".into(),
                suggestion: "togli il riferimento a partiti, voti o campagne".into(),
            });
        }
    }
    for (i, c) in chars.iter().enumerate() {
        if *c != '#' || i > 0 && chars[i - 1].is_alphanumeric() {
            continue;
        }
        let e = (i + 1..chars.len())
            .find(|&j| !(chars[j].is_alphanumeric() || chars[j] == '_'))
            .unwrap_or(chars.len());
        let tag = &chars[i + 1..e];
        let letters = tag.iter().filter(|c| c.is_alphabetic()).count();
        if letters >= 10 && !tag.iter().any(|c| c.is_uppercase()) {
            issues.push(Issue {
                kind: IssueKind::Hashtag,
                start: i,
                end: e,
                passage: passage(&chars, i, e),
                message: "hashtag di più parole tutto minuscolo: i lettori di schermo lo leggono come una parola sola".into(),
                suggestion: "scrivi ogni parola con l'iniziale maiuscola (CamelCase), per esempio #ComuneInforma".into(),
            });
        }
    }
    for term in COMMERCIAL {
        for s in find_all(&low, term) {
            let e = s + term.chars().count();
            issues.push(Issue {
                kind: IssueKind::Commercial,
                start: s,
                end: e,
                passage: passage(&chars, s, e),
                message: "promozione commerciale: gli account istituzionali non si usano per scopi commerciali".into(),
                suggestion: "dai l'informazione di servizio senza invitare a comprare; per un'iniziativa di un privato, valuta se è di pubblico interesse".into(),
            });
        }
    }
    check_emoji(&chars, &mut issues);
    check_links(&chars, &mut issues);
    if let Some(p) = platform
        && let Some(limit) = platform_limit(p)
        && chars.len() > limit
    {
        issues.push(Issue {
            kind: IssueKind::PlatformLimit,
            start: limit,
            end: chars.len(),
            passage: passage(&chars, limit, chars.len()),
            message: format!(
                "{} caratteri: {} ne accetta {limit}",
                chars.len(),
                p.label_it()
            ),
            suggestion: "accorcia il testo o dividilo".into(),
        });
    }
    issues.sort_by_key(|i| (i.start, i.end));
    Report {
        gulpease,
        words: ws.len(),
        sentences: ss.len(),
        chars: chars.len(),
        issues,
    }
}

/// During an election period the administration communicates "in forma
/// impersonale" and only what is indispensable: wording that promotes its
/// work or names its political members is flagged.
const ELECTION_PERIOD: &[&str] = &[
    "abbiamo realizzato",
    "abbiamo mantenuto",
    "abbiamo fatto",
    "abbiamo ottenuto",
    "promessa mantenuta",
    "come promesso",
    "risultato storico",
    "finalmente",
    "il nostro impegno",
    "la nostra amministrazione",
    "grazie all'amministrazione",
    "grazie al sindaco",
    "grazie alla sindaca",
    "grazie alla giunta",
    "il sindaco",
    "la sindaca",
    "l'assessore",
    "l'assessora",
    "la giunta",
    "candidato",
    "candidata",
];

impl Report {
    /// Adds the checks of an election period (L. 28/2000 art. 9) on
    /// `text`, the text this report is about.
    pub fn add_election_period(&mut self, text: &str) {
        let chars: Vec<char> = text.chars().collect();
        let low = folded(&chars);
        for term in ELECTION_PERIOD {
            for s in find_all(&low, term) {
                let e = s + term.chars().count();
                self.issues.push(Issue {
                    kind: IssueKind::ElectionPeriod,
                    start: s,
                    end: e,
                    passage: passage(&chars, s, e),
                    message: "periodo elettorale: la comunicazione deve essere impersonale e indispensabile (L. 28/2000, art. 9)".into(),
                    suggestion: "togli la promozione dell'attività o i nomi e i ruoli politici; lascia l'informazione di servizio".into(),
                });
            }
        }
        self.issues.sort_by_key(|i| (i.start, i.end));
    }

    /// Adds, during an election period, every mention of a political
    /// figure of the administration (`(name, role)`, from its registry),
    /// by full name in either order ("Maria Bianchi", "Bianchi Maria"):
    /// a surname alone is too common to flag.
    pub fn add_names(&mut self, text: &str, figures: &[(&str, &str)]) {
        let chars: Vec<char> = text.chars().collect();
        let low = folded(&chars);
        for (name, role) in figures {
            let words: Vec<String> = name
                .split_whitespace()
                .map(|w| w.replace('’', "'").to_lowercase())
                .collect();
            if words.len() < 2 {
                continue;
            }
            let mut reversed = words.clone();
            reversed.rotate_left(words.len() - 1);
            let mut found: Vec<(usize, usize)> = Vec::new();
            for form in [words.join(" "), reversed.join(" ")] {
                for s in find_all(&low, &form) {
                    let e = s + form.chars().count();
                    if !found.contains(&(s, e)) {
                        found.push((s, e));
                    }
                }
            }
            for (s, e) in found {
                self.issues.push(Issue {
                    kind: IssueKind::ElectionPeriod,
                    start: s,
                    end: e,
                    passage: passage(&chars, s, e),
                    message: format!(
                        "periodo elettorale: il testo nomina {name} ({role}); la comunicazione deve essere impersonale (L. 28/2000, art. 9)"
                    ),
                    suggestion: "togli il nome: scrivi dell'ufficio o del servizio, non delle persone".into(),
                });
            }
        }
        self.issues.sort_by_key(|i| (i.start, i.end));
    }

    /// Adds the platform's limit on the number of images of a post.
    pub fn add_image_count(&mut self, images: usize, platform: Option<Platform>) {
        if let Some(p) = platform
            && let Some(limit) = platform_image_limit(p)
            && images > limit
        {
            self.issues.push(Issue {
                kind: IssueKind::PlatformLimit,
                start: 0,
                end: 0,
                passage: String::new(),
                message: format!(
                    "{images} immagini: {} ne accetta {limit} per post",
                    p.label_it()
                ),
                suggestion: "scegli le immagini più utili o dividi il post".into(),
            });
        }
    }

    /// Adds a rule the editor has not confirmed for one image (`rule` says
    /// what the image must not show, in Italian). The passage is the
    /// file's name.
    pub fn add_photo_check(&mut self, file: &str, rule: &str) {
        self.issues.push(Issue {
            kind: IssueKind::Photo,
            start: 0,
            end: 0,
            passage: file.to_string(),
            message: format!("non è confermato che l'immagine {rule}"),
            suggestion: "guarda l'immagine e conferma la regola, oppure cambia immagine".into(),
        });
    }

    /// Adds the check of one image's or video's text alternative (WCAG 2.1,
    /// 1.1.1): missing, too short to say anything, or only the file's name
    /// or a word such as "foto". The passage is the file's name (the issue
    /// is not in the text, so its offsets are 0).
    pub fn add_media(&mut self, file: &str, alt_text: &str) {
        let alt = alt_text.trim();
        let low = alt.to_lowercase();
        let stem = file
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or(file)
            .to_lowercase();
        let empty_words = [
            "immagine",
            "foto",
            "fotografia",
            "image",
            "img",
            "video",
            "locandina",
        ];
        let message = if alt.is_empty() {
            Some("manca il testo alternativo: chi usa un lettore di schermo non sa cosa mostra")
        } else if stem == low || stem.split('.').next() == Some(low.as_str()) {
            Some("il testo alternativo è il nome del file")
        } else if alt.chars().count() < 10 || empty_words.contains(&low.as_str()) {
            Some("il testo alternativo è troppo breve per dire cosa mostra")
        } else {
            None
        };
        if let Some(message) = message {
            self.issues.push(Issue {
                kind: IssueKind::AltText,
                start: 0,
                end: 0,
                passage: file.to_string(),
                message: message.into(),
                suggestion:
                    "descrivi in una frase cosa mostra e, se c'è, riporta il testo dell'immagine"
                        .into(),
            });
        }
    }

    /// Adds the analyser's personal data found in the text: `(start, end,
    /// passage, special)` in char offsets; `special` for the special
    /// categories (health, religion, origin...), which never belong in a
    /// post (art. 9 GDPR; for health, Codice privacy art. 2-septies).
    pub fn add_personal_data(
        &mut self,
        spans: impl IntoIterator<Item = (usize, usize, String, bool)>,
    ) {
        for (start, end, passage, special) in spans {
            let (kind, message, suggestion) = if special {
                (
                    IssueKind::SpecialCategory,
                    "dato particolare di una persona (salute, religione, origine...): non va mai pubblicato",
                    "togli il riferimento alla persona o al dato",
                )
            } else {
                (
                    IssueKind::PersonalData,
                    "dato personale di qualcuno",
                    "togli il dato, o scrivi alla persona in privato",
                )
            };
            self.issues.push(Issue {
                kind,
                start,
                end,
                passage,
                message: message.into(),
                suggestion: suggestion.into(),
            });
        }
        self.issues.sort_by_key(|i| (i.start, i.end));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alt_text_must_say_what_the_image_shows() {
        let mut r = check("Testo.", None);
        r.add_media("locandina-festa.jpg", "");
        r.add_media("IMG_2041.jpg", "foto");
        r.add_media("IMG_2041.jpg", "img_2041");
        r.add_media(
            "locandina-festa.jpg",
            "Locandina della festa patronale: sabato 12 in piazza Garibaldi dalle 18",
        );
        let alt: Vec<&str> = r
            .issues
            .iter()
            .filter(|i| i.kind == IssueKind::AltText)
            .map(|i| i.message.as_str())
            .collect();
        assert_eq!(alt.len(), 3, "{alt:?}");
        assert!(alt[0].contains("manca"));
        assert!(alt[1].contains("troppo breve"));
        assert!(alt[2].contains("nome del file"));
    }

    #[test]
    fn gulpease_follows_its_formula() {
        // Two sentences of nine short words: 89 + (300 * 2 - 10 * letters) / 9.
        let r = check("Oggi il municipio è chiuso. Domani apre alle nove.", None);
        assert_eq!((r.words, r.sentences), (9, 2));
        let letters = 4 + 2 + 9 + 1 + 6 + 6 + 4 + 4 + 4;
        let expected = (89.0 + (600.0 - 10.0 * letters as f64) / 9.0_f64).clamp(0.0, 100.0);
        assert!((r.gulpease.unwrap() - expected).abs() < 1e-9);
        // One long sentence of long words is hard.
        let hard = "Nell'espletamento delle procedure amministrative concernenti l'assegnazione dei contributi straordinari finalizzati all'implementazione delle infrastrutture, l'amministrazione provvederà all'individuazione dei beneficiari mediante apposita graduatoria predisposta dall'ufficio competente secondo i criteri preventivamente determinati";
        let r = check(hard, None);
        assert!(r.gulpease.unwrap() < GULPEASE_HARD, "{:?}", r.gulpease);
        assert!(r.issues.iter().any(|i| i.kind == IssueKind::Readability));
        assert!(r.issues.iter().any(|i| i.kind == IssueKind::LongSentence));
        assert!(
            r.issues
                .iter()
                .any(|i| i.kind == IssueKind::Bureaucratic && i.passage == "espletamento")
        );
    }

    #[test]
    fn an_abbreviation_does_not_end_a_sentence() {
        let r = check(
            "Il sig. Rossi e la dott.ssa Bianchi, ecc. sono attesi. Grazie.",
            None,
        );
        assert_eq!(r.sentences, 2);
    }

    #[test]
    fn formulas_are_found_on_word_boundaries_with_their_alternative() {
        let r = check(
            "Si prega di presentare la domanda entro e non oltre il 30 aprile, qualora interessati. Codesto ufficio.",
            None,
        );
        let found: Vec<(&str, &str)> = r
            .issues
            .iter()
            .filter(|i| i.kind == IssueKind::Bureaucratic)
            .map(|i| (i.passage.as_str(), i.suggestion.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("Si prega di", "per favore"),
                ("entro e non oltre", "entro"),
                ("qualora", "se"),
                ("Codesto", "questo")
            ]
        );
        // "previa" inside "previamente"'s neighbour words is not a formula.
        assert!(check("La previsione meteo", None).issues.is_empty());
    }

    #[test]
    fn partisan_wording_hashtags_and_limits() {
        let r = check(
            "Votate il nostro progetto! #bilanciopartecipativo2026 #ComuneInforma",
            Some(Platform::X),
        );
        let kinds: Vec<IssueKind> = r.issues.iter().map(|i| i.kind).collect();
        assert_eq!(kinds, [IssueKind::Partisan, IssueKind::Hashtag]);
        let long = "a".repeat(300);
        let r = check(&long, Some(Platform::X));
        assert!(
            r.issues
                .iter()
                .any(|i| i.kind == IssueKind::PlatformLimit && i.start == 280)
        );
        assert!(check(&long, Some(Platform::Facebook)).issues.is_empty());
    }

    #[test]
    fn an_election_period_flags_promotion_and_political_roles() {
        let text = "Finalmente, come promesso dal sindaco, la piscina riapre lunedì alle 9.";
        let mut r = check(text, None);
        assert!(r.issues.is_empty());
        r.add_election_period(text);
        let found: Vec<&str> = r.issues.iter().map(|i| i.passage.as_str()).collect();
        assert_eq!(found, ["Finalmente", "come promesso"]);
        let mut r = check("La piscina riapre lunedì alle 9.", None);
        r.add_election_period("La piscina riapre lunedì alle 9.");
        assert!(r.issues.is_empty(), "service information passes");
    }

    #[test]
    fn personal_data_from_the_analyser_is_reported_in_place() {
        let mut r = check(
            "Ringraziamo Mario Rossi, che è diabetico, per la segnalazione.",
            None,
        );
        r.add_personal_data([(31, 40, "diabetico".to_string(), true)]);
        let i = r
            .issues
            .iter()
            .find(|i| i.kind == IssueKind::SpecialCategory)
            .unwrap();
        assert_eq!((i.start, i.end, i.passage.as_str()), (31, 40, "diabetico"));
    }

    #[test]
    fn a_political_figure_is_flagged_by_full_name_in_either_order_only() {
        let figures = [("Maria Bianchi", "sindaco o sindaca")];
        let mut r = check("Domani Maria Bianchi inaugura la scuola.", None);
        r.add_names("Domani Maria Bianchi inaugura la scuola.", &figures);
        let hits: Vec<&Issue> = r
            .issues
            .iter()
            .filter(|i| i.kind == IssueKind::ElectionPeriod)
            .collect();
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].passage, "Maria Bianchi");
        assert!(hits[0].message.contains("sindaco o sindaca"));
        let text = "Presente la sindaca BIANCHI MARIA alla cerimonia.";
        let mut r = check(text, None);
        r.add_names(text, &figures);
        assert_eq!(
            r.issues
                .iter()
                .filter(|i| i.kind == IssueKind::ElectionPeriod)
                .count(),
            1
        );
        // A surname alone, or a longer word, is not the person.
        for text in [
            "Il negozio Bianchi apre alle 9.",
            "Via Maria Bianchini è chiusa per lavori.",
        ] {
            let mut r = check(text, None);
            r.add_names(text, &figures);
            assert!(
                !r.issues.iter().any(|i| i.kind == IssueKind::ElectionPeriod),
                "{text}: {:?}",
                r.issues
            );
        }
    }

    fn kinds(text: &str) -> Vec<IssueKind> {
        check(text, None).issues.iter().map(|i| i.kind).collect()
    }

    #[test]
    fn selling_is_flagged_and_service_information_is_not() {
        let r = check("Saldi in centro: approfittate dello sconto del 30%!", None);
        let passages: Vec<&str> = r
            .issues
            .iter()
            .filter(|i| i.kind == IssueKind::Commercial)
            .map(|i| i.passage.as_str())
            .collect();
        assert_eq!(passages, ["Saldi", "approfittate", "sconto"]);
        for ok in [
            "La TARI si paga entro il 16 dicembre, anche a rate.",
            "Il mercato di sabato è spostato in piazza Garibaldi.",
            "L'offerta formativa delle scuole dell'infanzia è sul sito.",
        ] {
            assert!(!kinds(ok).contains(&IssueKind::Commercial), "{ok}");
        }
    }

    #[test]
    fn an_emoji_in_place_of_a_word_or_too_many_are_flagged() {
        let r = check("Ci vediamo al 🏫 alle 9 per l'open day.", None);
        let e: Vec<&Issue> = r
            .issues
            .iter()
            .filter(|i| i.kind == IssueKind::Emoji)
            .collect();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].passage, "🏫");
        assert!(
            kinds("Buone feste a tutti! 🎄")
                .iter()
                .all(|k| *k != IssueKind::Emoji)
        );
        assert!(kinds("Auguri 🎄🎁✨🎉").contains(&IssueKind::Emoji));
        assert!(!kinds("Auguri 🎄🎁").contains(&IssueKind::Emoji));
    }

    #[test]
    fn shortened_and_tracking_links_are_flagged_and_plain_ones_are_not() {
        let r = check("Il bando è qui: https://bit.ly/3xYz. Scade venerdì.", None);
        let l: Vec<&Issue> = r
            .issues
            .iter()
            .filter(|i| i.kind == IssueKind::Link)
            .collect();
        assert_eq!(l.len(), 1);
        assert_eq!(l[0].passage, "https://bit.ly/3xYz");
        assert!(
            kinds("Tutto su https://www.comune.roma.it/web/it/notizia.page?utm_source=fb")
                .contains(&IssueKind::Link)
        );
        assert!(
            !kinds("Il programma: https://www.comune.cento.fe.it/natale.")
                .contains(&IssueKind::Link)
        );
    }

    #[test]
    fn a_post_with_more_images_than_the_platform_takes_is_flagged() {
        let mut r = check("Le foto.", Some(Platform::X));
        r.add_image_count(5, Some(Platform::X));
        assert!(
            r.issues.iter().any(|i| i
                .message
                .starts_with("5 immagini: X (Twitter) ne accetta 4")),
            "{:?}",
            r.issues
        );
        let mut r = check("Le foto.", Some(Platform::Instagram));
        r.add_image_count(5, Some(Platform::Instagram));
        assert!(r.issues.is_empty());
    }
}
