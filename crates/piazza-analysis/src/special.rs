//! Special categories of personal data (GDPR art. 9 and 10) that a comment
//! reveals about a person: the author ("sono diabetico", "ho l'hiv", "sono
//! iscritto alla CGIL") or someone else ("mia figlia ha la sclerosi
//! multipla", "mio marito è stato in carcere").
//!
//! Why a scanner of its own and not phrase rules: the same fact is said in
//! many shapes (a predicate after a copula, a condition after "ho/ha/soffre
//! di/in cura per", a practice after "faccio/porto/prendo", a membership
//! after "iscritto/tesserato/delegato"), and what decides whether it is a
//! person's data is the *subject*: "mia figlia ha il diabete" is, "la
//! campagna per il diabete" and "i malati di SLA meritano più servizi" are
//! not. Written as regexes, every subject times every verb times every term
//! made the rules both large and blind to the author's own sentences. Here
//! one Aho-Corasick pass over the skeleton finds the terms (most comments
//! have none, and then nothing else runs); for each term the words before it
//! are read back: only "bridge" words (articles, prepositions, "stato",
//! "ex", "donna"...) may stand between the term and a governing word (a
//! copula, "ho/ha", "soffre", "faccio", "iscritto", "votato"...), and the
//! words before that decide whose data it is (a possessive or a person noun:
//! someone else's; a first-person verb or "io/mi": the author's). A general
//! subject ("chi", "tutti", "le persone", "se") means no one in particular.
//!
//! The finding's explanation protects, it does not reproach: such data is
//! hidden to protect the person it concerns, who is often the author asking
//! for help.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use piazza_taxonomy::PersonalDataKind;

use crate::normalize::skeletonize;

/// A special-category match in the skeleton (byte offsets).
#[derive(Debug, Clone)]
pub(crate) struct SpecialHit {
    pub kind: PersonalDataKind,
    pub start: usize,
    pub end: usize,
    pub score: f32,
    pub explanation: &'static str,
    /// The author's own data ("sono musulmano"), not someone else's.
    pub own: bool,
}

/// Whose data a match is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Whose {
    Own,
    ThirdParty,
    /// A third-person verb with no subject in sight ("è diabetico e..."):
    /// reported below the usual flag line.
    Unknown,
}

/// The role of a word read back from a term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// May stand between a term and the word that governs it.
    Bridge,
    /// Governs a term; first person ("ho", "soffro", "siamo").
    CueOwn,
    /// Governs a term; "sono" (first singular or third plural).
    CueSono,
    /// Governs a term; third person ("ha", "è", "soffre").
    CueThird,
    /// Governs a term; takes its person from the words before ("malato",
    /// "iscritto", "diagnosticato", "votato").
    CueNeutral,
    /// A person other than the author ("mia", "figlio", "vicina").
    Subject,
    /// The author ("io", "mi").
    Me,
    /// A general subject: no one in particular ("chi", "tutti", "se").
    General,
    /// An auxiliary or other word skipped when looking for the subject.
    Skip,
}

/// How a term is said of a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// An adjective or a noun of a person ("diabetico", "musulmana",
    /// "iscritto", "in carcere"): right after a copula too.
    Predicate,
    /// A condition, a practice or a body ("il diabete", "la CGIL"): after
    /// a copula only through a preposition or an article ("è in dialisi",
    /// "sono del PD"), since a bare "e" is as often "and" as "is" once
    /// accents are folded ("CISL e UIL").
    Noun,
    /// A phrase with its own verb ("va a letto con"): only the subject is
    /// looked for.
    Verb,
}

#[derive(Debug, Clone, Copy)]
struct Term {
    kind: PersonalDataKind,
    score: f32,
    shape: Shape,
    /// A plural predicate ("dementi", "leghisti"): after "sono" it is
    /// "they are", after a bare "e" it is "and".
    plural: bool,
}

struct Tables {
    terms: AhoCorasick,
    term_info: Vec<Term>,
    /// The skeletons of [`BRIDGES`] (a word may be a bridge and have a role
    /// too: "signora", "ex").
    bridges: HashSet<String>,
    /// For each term, its longest word: a comment with none of them has no
    /// term (the rule set looks for them in its single pass, see
    /// [`trigger_words`]).
    triggers: Vec<String>,
    copulas: HashSet<String>,
    have: HashSet<String>,
    passive_only: HashSet<String>,
    person_governors: HashSet<String>,
    self_governors: HashSet<String>,
    have_only: HashSet<String>,
    not_after_copula: HashSet<String>,
    articles: HashSet<String>,
    before_sono: HashSet<String>,
    membership: HashSet<String>,
    belonging: HashSet<String>,
    noun_articles: HashSet<String>,
    me_markers: HashSet<String>,
    nounable_cues: HashSet<String>,
    allergens: HashSet<String>,
    roles: HashMap<String, Role>,
}

/// The terms, one per line (see the file's header).
const SPECIAL_TERMS: &str = include_str!("../lexicons/special.tsv");

/// Words too common to tell whether a comment may hold a term.
const COMMON_WORDS: &[&str] = &[
    "con",
    "lungo",
    "immigrati",
    "di",
    "la",
    "per",
    "un",
    "una",
    "non",
    "se",
    "va",
    "a",
    "fa",
];

/// Words in -i that are not plurals.
const INVARIABLE: &[&str] = &["hindu", "sikh", "sinti", "bisex"];
/// Words that govern a term but are nouns after an article ("il voto del
/// M5S", "la cura", "la lista"): then they are read over, as a bridge.
const NOUNABLE_CUES: &[&str] = &[
    "voto", "cura", "lotta", "tessera", "parte", "attesa", "lista", "terapia", "fatto", "passato",
    "seguito", "uscita", "entrata", "aspetto",
];
/// Feminine plurals among the fixed words.
const PLURAL_E: &[&str] = &["lesbiche", "incinte", "ebree", "atee", "buddiste", "mamme"];
/// Words of belonging that govern a party or a union ("iscritto al PD",
/// "voto Lega", "delegata FIOM"): "fa il PD", "abbiamo il PD", "è in mano
/// al PD" say nothing about anyone.
const MEMBERSHIP: &[&str] = &[
    "iscritto",
    "iscritta",
    "iscritti",
    "iscritte",
    "tesserato",
    "tesserata",
    "tesserati",
    "delegato",
    "delegata",
    "delegati",
    "militante",
    "attivista",
    "elettore",
    "elettrice",
    "simpatizzante",
    "rappresentante",
    "segreteria",
    "tessera",
    "parte",
    "milita",
    "milito",
    "voto",
    "vota",
    "votato",
    "votata",
    "votano",
    "votavo",
    "votiamo",
    "passato",
    "passata",
    "uscito",
    "uscita",
    "entrato",
    "entrata",
];
/// Prepositions of belonging after a copula: "sono del PD", "è della CGIL".
const BELONGING: &[&str] = &["del", "della", "di", "dei", "nel", "nella", "nei"];
/// Articles that make the next word a noun ("il voto", "la cura").
const NOUN_ARTICLES: &[&str] = &["il", "lo", "la", "i", "gli", "le", "un", "uno", "una"];
/// First-person words that are not governing words ("sto" is as often
/// "questo").
const ME_MARKERS: &[&str] = &["sto", "stiamo", "stavo"];

/// Words between a term and its governing word.
const BRIDGES: &[&str] = &[
    "il",
    "lo",
    "la",
    "l",
    "i",
    "gli",
    "le",
    "un",
    "uno",
    "una",
    "di",
    "da",
    "per",
    "pe",
    "in",
    "a",
    "al",
    "allo",
    "alla",
    "ai",
    "agli",
    "alle",
    "dal",
    "dalla",
    "dai",
    "del",
    "della",
    "dei",
    "delle",
    "dello",
    "degli",
    "con",
    "sotto",
    "anche",
    "gia",
    "ancora",
    "molto",
    "poco",
    "gravemente",
    "purtroppo",
    "sempre",
    "ormai",
    "pure",
    "proprio",
    "davvero",
    "stato",
    "stata",
    "stati",
    "state",
    "diventato",
    "diventata",
    "diventati",
    "nato",
    "nata",
    "nati",
    "ex",
    "donna",
    "uomo",
    "ragazzo",
    "ragazza",
    "persona",
    "coppia",
    "famiglia",
    "signora",
    "bambino",
    "bambina",
    "mezzo",
    "mezza",
    "cicli",
    "ciclo",
    "sedute",
    "seduta",
    "po",
    "forma",
    "grave",
    "cronico",
    "cronica",
    "tipo",
    "1",
    "2",
    "iniziale",
    "convinto",
    "convinta",
    "dichiarato",
    "dichiarata",
    "fiero",
    "fiera",
    "orgoglioso",
    "orgogliosa",
    "felicemente",
    "pratica",
    "praticante",
    "osservante",
    "dallo",
    "nascita",
    "infanzia",
    "totale",
    "assoluto",
    "assoluta",
    "leggera",
    "lieve",
    "grado",
    "uso",
    "problemi",
    "problema",
    "gamba",
    "gambe",
    "braccio",
    "mano",
    "occhio",
    "sindacale",
    "sindacali",
    "lavoratori",
    "nella",
    "nel",
    "nelle",
    "negli",
    "certificato",
    "certificata",
    "accertato",
    "accertata",
    "civile",
    "civili",
    "anni",
    "tre",
    "due",
    "cinque",
    "dieci",
    "venti",
    "giorni",
    "mesi",
    "sul",
    "sulla",
    "sui",
    "comunita",
    "cittadino",
    "cittadina",
    "rifugiato",
    "rifugiata",
    "mese",
    "primo",
    "terzo",
    "quarto",
    "quinto",
    "sesto",
    "settimo",
    "ottavo",
    "nono",
    "paziente",
    "d",
    "col",
];

/// Governing words, with their person.
const CUES_OWN: &[&str] = &[
    "aspettiamo",
    "aspetto",
    "ho",
    "soffro",
    "faccio",
    "facciamo",
    "prendo",
    "porto",
    "siamo",
    "abbiamo",
    "ero",
    "eravamo",
    "avevo",
    "curo",
    "vado",
    "andiamo",
    "frequento",
    "mangio",
    "mangiamo",
    "sn",
    "milito",
    "voto",
    "votavo",
    "combatto",
    "convivo",
    "lotto",
    "seguo",
    "indosso",
    "preghiamo",
];
const CUES_SONO: &[&str] = &["sono", "so"];
const CUES_THIRD: &[&str] = &[
    "e",
    "ha",
    "hanno",
    "soffre",
    "soffrono",
    "fa",
    "fanno",
    "prende",
    "prendono",
    "porta",
    "portano",
    "era",
    "erano",
    "sta",
    "stanno",
    "aveva",
    "avevano",
    "cura",
    "va",
    "vanno",
    "frequenta",
    "frequentano",
    "mangia",
    "mangiano",
    "milita",
    "vota",
    "votano",
    "tiene",
    "combatte",
    "convive",
    "lotta",
    "segue",
    "indossa",
    "fu",
    "resta",
    "rimane",
    "vive",
];
const CUES_NEUTRAL: &[&str] = &[
    "trovato",
    "trovata",
    "facendo",
    "cura",
    "terapia",
    "attesa",
    "lista",
    "malato",
    "malata",
    "malati",
    "malate",
    "affetto",
    "affetta",
    "affetti",
    "diagnosticato",
    "diagnosticata",
    "diagnosticati",
    "diagnosticate",
    "curato",
    "curata",
    "curati",
    "iscritto",
    "iscritta",
    "iscritti",
    "iscritte",
    "tesserato",
    "tesserata",
    "tesserati",
    "delegato",
    "delegata",
    "delegati",
    "militante",
    "attivista",
    "elettore",
    "elettrice",
    "simpatizzante",
    "rappresentante",
    "segreteria",
    "tessera",
    "parte",
    "votato",
    "votata",
    "fatto",
    "fatta",
    "avuto",
    "ricoverato",
    "ricoverata",
    "operato",
    "operata",
    "seguito",
    "seguita",
    "finito",
    "finita",
    "entrato",
    "entrata",
    "uscito",
    "uscita",
    "convertito",
    "convertita",
    "scappato",
    "scappata",
    "arrestato",
    "arrestata",
    "condannato",
    "condannata",
    "iniziato",
    "iniziata",
    "perso",
    "persa",
    "nata",
    "nato",
    "trattato",
    "passato",
    "sofferto",
    "trapiantato",
    "trapiantata",
    "aspetta",
    "aspetto",
    "lasciata",
    "lasciato",
];

const SUBJECTS: &[&str] = &[
    "mio",
    "mia",
    "miei",
    "mie",
    "mi",
    "tuo",
    "tua",
    "tuoi",
    "tue",
    "suo",
    "sua",
    "suoi",
    "sue",
    "nostro",
    "nostra",
    "nostri",
    "nostre",
    "vostro",
    "vostra",
    "fija",
    "fijo",
    "figlio",
    "figlia",
    "figli",
    "figlie",
    "madre",
    "padre",
    "mamma",
    "papa",
    "babbo",
    "marito",
    "moglie",
    "compagno",
    "compagna",
    "fidanzato",
    "fidanzata",
    "fratello",
    "sorella",
    "fratelli",
    "sorelle",
    "nonno",
    "nonna",
    "nonni",
    "zio",
    "zia",
    "zii",
    "cugino",
    "cugina",
    "cugini",
    "nipote",
    "nipoti",
    "suocero",
    "suocera",
    "suoceri",
    "cognato",
    "cognata",
    "genero",
    "nuora",
    "vicino",
    "vicina",
    "vicini",
    "vicine",
    "signore",
    "signor",
    "tizio",
    "tizia",
    "collega",
    "colleghi",
    "amico",
    "amica",
    "amici",
    "inquilino",
    "proprietario",
    "titolare",
    "sindaco",
    "assessore",
    "consigliere",
    "parroco",
    "maestra",
    "maestro",
    "professore",
    "professoressa",
    "medico",
    "dottore",
    "farmacista",
    "allenatore",
    "capo",
    "badante",
    "bimbo",
    "bimba",
    "ragazzi",
    "lui",
    "lei",
    "quello",
    "quella",
    "fratellino",
    "sorellina",
    "frate",
    "cognati",
    "nuore",
    "generi",
    "figliastro",
    "patrigno",
    "matrigna",
    "bambini",
    "ex",
    "prete",
    "ragazzo",
    "ragazza",
    "donna",
    "uomo",
    "signora",
    "bambino",
    "bambina",
    "persona",
];
const ME: &[&str] = &["io", "me", "noi"];
/// Singular persons that may govern a term with no verb: "bimbo allergico
/// alle arachidi", "un figlio con disabilità", "mio figlio disabile".
const PERSON_GOVERNORS: &[&str] = &[
    "figlio",
    "figlia",
    "bimbo",
    "bimba",
    "bambino",
    "bambina",
    "ragazzo",
    "ragazza",
    "marito",
    "moglie",
    "madre",
    "padre",
    "mamma",
    "papa",
    "fratello",
    "sorella",
    "nonno",
    "nonna",
    "zio",
    "zia",
    "compagno",
    "compagna",
    "nipote",
    "cugino",
    "cugina",
    "suocero",
    "suocera",
    "vicino",
    "vicina",
    "signora",
    "signore",
    "amico",
    "amica",
    "collega",
    "figlioletto",
    "figlioletta",
];
/// Of those, the ones that are the author after "sono": "sono una mamma rom".
const SELF_GOVERNORS: &[&str] = &[
    "mamma", "papa", "madre", "padre", "donna", "uomo", "ragazzo", "ragazza", "signora",
];
/// What someone may be allergic to ("allergico alla burocrazia" is a joke).
const ALLERGENS: &[&str] = &[
    "uova",
    "uovo",
    "arachidi",
    "latte",
    "lattosio",
    "glutine",
    "nichel",
    "polline",
    "pollini",
    "graminacee",
    "acari",
    "pelo",
    "gatti",
    "cani",
    "penicillina",
    "antibiotici",
    "noci",
    "frutta",
    "crostacei",
    "pesce",
    "api",
    "vespe",
    "farmaci",
    "lattice",
    "soia",
    "sesamo",
    "parietaria",
    "ambrosia",
    "betulla",
    "cipresso",
    "fave",
    "kiwi",
    "pomodoro",
    "aspirina",
];
const GENERAL: &[&str] = &[
    "chi",
    "chiunque",
    "se",
    "tutti",
    "tutte",
    "persone",
    "gente",
    "quanti",
    "quante",
    "molti",
    "molte",
    "tanti",
    "tante",
    "alcuni",
    "ogni",
    "nessuno",
    "malati",
    "pazienti",
    "quelli",
    "quelle",
    "associazione",
    "campagna",
    "giornata",
    "contro",
    "centro",
    "reparto",
    "servizio",
    "servizi",
    "ricerca",
    "screening",
    "prevenzione",
    "festa",
    "comunita",
    "sede",
    "cittadini",
    "donne",
    "uomini",
    "diritti",
    "legge",
];
const SKIP: &[&str] = &[
    "che",
    "non",
    "ed",
    "hanno",
    "ha",
    "gia",
    "ancora",
    "anche",
    "pure",
    "poi",
    "ora",
    "oggi",
    "adesso",
    "da",
    "anni",
    "sempre",
    "mai",
    "si",
    "ci",
    "ce",
    "c",
    "e",
    "stato",
    "stata",
    "purtroppo",
    "ormai",
    "qui",
    "qua",
    "li",
    "la",
    "il",
    "lo",
    "l",
    "un",
    "una",
];

fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        let mut pats: Vec<(String, Term)> = Vec::new();
        let mut add =
            |w: String, kind: PersonalDataKind, score: f32, shape: Shape, fem_pl: bool| {
                // The head: the first word ("figlio di immigrati", "testimoni
                // di Geova"), but for "non vedente", "di colore", "mezzo ...".
                let mut heads = w.split(' ');
                let mut head = heads.next().unwrap_or(&w);
                if matches!(head, "non" | "di" | "mezzo") {
                    head = heads.next().unwrap_or(head);
                }
                let plural = shape == Shape::Predicate
                    && (fem_pl
                        || head.ends_with('i') && !INVARIABLE.contains(&head)
                        || PLURAL_E.contains(&head));
                pats.push((
                    skeletonize(&w),
                    Term {
                        kind,
                        score,
                        shape,
                        plural,
                    },
                ))
            };
        for line in SPECIAL_TERMS
            .lines()
            .skip_while(|l| !l.starts_with("term\t"))
            .skip(1)
        {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let mut cols = line.split('\t');
            let (Some(term), Some(kind), Some(shape), Some(score)) =
                (cols.next(), cols.next(), cols.next(), cols.next())
            else {
                panic!("special.tsv: four columns expected: {line:?}");
            };
            let kind: PersonalDataKind = kind
                .parse()
                .unwrap_or_else(|_| panic!("special.tsv: kind {kind:?}"));
            let shape = match shape {
                "predicate" => Shape::Predicate,
                "noun" => Shape::Noun,
                "verb" => Shape::Verb,
                other => panic!("special.tsv: shape {other:?}"),
            };
            let score: f32 = score
                .parse()
                .unwrap_or_else(|_| panic!("special.tsv: score {score:?}"));
            match term.split_once('(') {
                // A stem and its endings: "diabetic(o|a|i|e)".
                Some((stem, endings)) => {
                    let endings: Vec<&str> = endings.trim_end_matches(')').split('|').collect();
                    for e in &endings {
                        // Of four endings the -e is a feminine plural, and
                        // after -c/-g it takes an h: "diabetiche".
                        let fem_pl = *e == "e" && endings.len() == 4;
                        let h = if fem_pl && (stem.ends_with('c') || stem.ends_with('g')) {
                            "h"
                        } else {
                            ""
                        };
                        add(format!("{stem}{h}{e}"), kind, score, shape, fem_pl);
                    }
                }
                None => add(term.to_string(), kind, score, shape, false),
            }
        }
        // One pattern per skeleton: the first listing wins.
        let mut seen = std::collections::HashSet::new();
        pats.retain(|(p, _)| !p.is_empty() && seen.insert(p.clone()));
        // The longest word of each term that is not a common one ("con" of
        // "se la fa con", "lungo" of "covid lungo", "immigrati" of "figlio di
        // immigrati" would wake the scanner on a quarter of all comments).
        let common: HashSet<String> = COMMON_WORDS.iter().map(|w| skeletonize(w)).collect();
        let mut triggers: Vec<String> = pats
            .iter()
            .map(|(p, _)| {
                p.split(' ')
                    .filter(|w| !common.contains(*w))
                    .max_by_key(|w| w.len())
                    .unwrap_or(p)
                    .to_string()
            })
            .collect();
        triggers.sort();
        triggers.dedup();
        // Each term starts after a space (the scan puts one before the
        // skeleton): terms match only at the start of a word, so the short
        // ones ("rsa", "azione", "lega") do not stop the scan inside every
        // "corsa", "amministrazione" or "collega".
        for (p, _) in &mut pats {
            p.insert(0, ' ');
        }
        // A DFA without prefilter: the scan runs on every comment and most
        // have no term, so the per-byte cost is what counts (a space starts
        // every pattern: a prefilter would stop at every word).
        let terms = AhoCorasickBuilder::new()
            .kind(Some(AhoCorasickKind::DFA))
            .prefilter(false)
            .match_kind(MatchKind::LeftmostLongest)
            .build(pats.iter().map(|(p, _)| p.as_str()))
            .expect("special-category terms");
        let term_info = pats.into_iter().map(|(_, t)| t).collect();
        let mut roles = HashMap::new();
        // Later tables win: a word that is both a bridge and a cue ("cura")
        // is a cue.
        for (words, role) in [
            (SKIP, Role::Skip),
            (BRIDGES, Role::Bridge),
            (GENERAL, Role::General),
            (SUBJECTS, Role::Subject),
            (ME, Role::Me),
            (CUES_NEUTRAL, Role::CueNeutral),
            (CUES_THIRD, Role::CueThird),
            (CUES_SONO, Role::CueSono),
            (CUES_OWN, Role::CueOwn),
        ] {
            for w in words {
                roles.insert(skeletonize(w), role);
            }
        }
        let set = |words: &[&str]| words.iter().map(|w| skeletonize(w)).collect();
        Tables {
            terms,
            term_info,
            roles,
            bridges: set(BRIDGES),
            triggers,
            copulas: set(COPULAS),
            have: set(HAVE),
            passive_only: set(PASSIVE_ONLY),
            person_governors: set(PERSON_GOVERNORS),
            self_governors: set(SELF_GOVERNORS),
            have_only: set(HAVE_ONLY),
            not_after_copula: set(NOT_AFTER_COPULA),
            articles: set(ARTICLES),
            before_sono: set(BEFORE_SONO),
            membership: set(MEMBERSHIP),
            belonging: set(BELONGING),
            noun_articles: set(NOUN_ARTICLES),
            me_markers: set(ME_MARKERS),
            nounable_cues: set(NOUNABLE_CUES),
            allergens: set(ALLERGENS),
        }
    })
}

/// The words without which no term can match, as skeletons (the longest
/// word of each term): the rule set's single pass looks for them, so that
/// the automaton runs only on the few comments that have one.
pub(crate) fn trigger_words() -> &'static [String] {
    &tables().triggers
}

/// A bridge word, or the apostrophe of an elision ("l ' hiv" in the
/// skeleton).
fn is_bridge(t: &Tables, w: &str) -> bool {
    w == "'" || w.bytes().all(|c| c.is_ascii_digit()) || t.bridges.contains(w)
}

/// Terms that are a person's data only after "ho/ha" ("ho precedenti"),
/// or only after a word of membership ("iscritto al partito", not "siamo
/// il partito di maggioranza").
const HAVE_ONLY: &[&str] = &["precedenti"];
const NOT_AFTER_COPULA: &[&str] = &["partito", "sindacato"];
/// Articles: after a copula, a noun needs a preposition ("è in dialisi",
/// "è del PD"), since "e il" is as often "and the" ("Grillo e il M5S").
const ARTICLES: &[&str] = &[
    "il", "lo", "la", "l", "i", "gli", "le", "un", "uno", "una", "'",
];
/// Words that may stand before "sono" when it means "I am" (a greeting, a
/// conjunction); any other word there is likely its plural subject ("i voti
/// sono del PD").
const BEFORE_SONO: &[&str] = &[
    "buongiorno",
    "buonasera",
    "salve",
    "ciao",
    "scusate",
    "grazie",
    "si",
    "no",
    "allora",
    "comunque",
    "anche",
    "anch",
    "ecco",
    "beh",
    "ma",
    "e",
    "ed",
    "perche",
    "che",
    "poi",
    "ora",
    "oggi",
    "adesso",
    "pure",
    "gia",
    "io",
    "non",
    "se",
    "quando",
    "purtroppo",
    "ormai",
    "cmq",
    "x",
    "sn",
    "sempre",
    "ancora",
    "mi",
    "ci",
    "lo",
    "la",
    "dire",
    "premetto",
    "certo",
    "infatti",
    "appunto",
    "dunque",
    "quindi",
    "sì",
    "ah",
    "eh",
    "oh",
    "raga",
    "ragazzi",
    "signori",
    "mica",
];
/// Copulas: after them a noun needs a preposition or an article.
const COPULAS: &[&str] = &[
    "e", "sono", "so", "sn", "era", "erano", "ero", "siamo", "eravamo",
];
/// Auxiliaries of the active voice: "ho denunciato" is not "sono stato
/// denunciato".
const HAVE: &[&str] = &["ho", "ha", "hanno", "abbiamo", "avevo", "aveva", "avevano"];
/// Participles that are a person's record only in the passive.
const PASSIVE_ONLY: &[&str] = &[
    "condannato",
    "condannata",
    "condannati",
    "arrestato",
    "arrestata",
    "arrestati",
    "indagato",
    "indagata",
    "denunciato",
    "denunciata",
    "processato",
    "processata",
];

/// The words of `sk` before byte `pos`, nearest first: `(start, word)`.
pub(crate) fn words_before(sk: &str, pos: usize) -> impl Iterator<Item = (usize, &str)> {
    let head = sk[..pos].trim_end_matches(' ');
    let mut end = head.len();
    std::iter::from_fn(move || {
        if end == 0 {
            return None;
        }
        let start = head[..end].rfind(' ').map_or(0, |i| i + 1);
        let w = &head[start..end];
        end = start.saturating_sub(1);
        Some((start, w))
    })
}

/// Scans the skeleton for special-category data about a person.
pub(crate) fn scan(sk: &str, out: &mut Vec<SpecialHit>) {
    thread_local! {
        static SPACED: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    }
    SPACED.with(|spaced| {
        let mut spaced = spaced.borrow_mut();
        spaced.clear();
        spaced.push(' ');
        spaced.push_str(sk);
        scan_spaced(&spaced, sk, out);
    });
}

/// [`scan`] on `spaced`, the skeleton `sk` after one space.
fn scan_spaced(spaced: &str, sk: &str, out: &mut Vec<SpecialHit>) {
    let t = tables();
    let b = sk.as_bytes();
    for m in t.terms.find_iter(spaced) {
        // Offsets in the skeleton: the pattern's space is the byte before.
        let (s, e) = (m.start(), m.end() - 1);
        if e < b.len() && b[e] != b' ' {
            continue;
        }
        let term = t.term_info[m.pattern().as_usize()];
        if sk[s..e].starts_with("alergic")
            && !sk[e..]
                .split(' ')
                .filter(|w| !w.is_empty())
                .take(4)
                .any(|w| t.allergens.contains(w))
        {
            continue;
        }
        let Some((start, whose)) = governed(t, sk, s, &sk[s..e], term) else {
            continue;
        };
        if out
            .iter()
            .any(|h| h.kind == term.kind && h.start < e && start < h.end)
        {
            continue;
        }
        out.push(SpecialHit {
            kind: term.kind,
            start,
            end: e,
            score: if whose == Whose::Unknown {
                0.45
            } else {
                term.score
            },
            explanation: explanation(term.kind, whose),
            own: whose == Whose::Own,
        });
    }
}

/// Whether the term `word` at `s` is governed by a word that makes it a
/// person's data, and whose: the start of the evidence and the owner.
fn governed(t: &Tables, sk: &str, s: usize, word: &str, term: Term) -> Option<(usize, Whose)> {
    let shape = term.shape;
    let party = matches!(
        term.kind,
        PersonalDataKind::PoliticalOpinion | PersonalDataKind::UnionMembership
    ) && shape == Shape::Noun;
    // Back over the bridges to the governing word.
    let (cue_start, cue, cue_role) = if shape == Shape::Verb {
        // "soffro d'ansia", "aspetto un bambino": the verb's person.
        let first = word.split(' ').next().unwrap_or(word);
        let own = t.roles.get(first) == Some(&Role::CueOwn)
            || first.ends_with("rmi")
            || first.ends_with("rci");
        (s, word, if own { Role::CueOwn } else { Role::CueNeutral })
    } else {
        let mut bridges = 0;
        let mut via_con = false;
        let mut via_preposition = false;
        let mut membership = false;
        let mut via_article = false;
        // The bridge right before the term.
        let mut last_bridge: Option<&str> = None;
        let mut words = words_before(sk, s).peekable();
        loop {
            let (ws, w) = words.next()?;
            match t.roles.get(w).copied() {
                Some(role @ (Role::CueOwn | Role::CueSono | Role::CueThird | Role::CueNeutral)) => {
                    // A bare "e" is as often "and" as "is" once accents are
                    // folded: before an article and a noun ("ha 80 anni e
                    // l'alzheimer": read on, to "ha"; "CISL e UIL", "Grillo
                    // e il M5S": nothing to read on to), before a plural
                    // ("e leghisti", "e degli arabi").
                    if w == "e" && (shape == Shape::Noun && !via_preposition || term.plural) {
                        bridges += 1;
                        continue;
                    }
                    // "il voto", "la tessera": a noun, read over ("ho la
                    // tessera della CISL", but "il voto del M5S" alone).
                    if t.nounable_cues.contains(w)
                        && words
                            .peek()
                            .is_some_and(|&(_, p)| t.noun_articles.contains(p))
                    {
                        membership |= t.membership.contains(w);
                        bridges += 1;
                        continue;
                    }
                    let copula = t.copulas.contains(w);
                    if copula && t.not_after_copula.contains(word) {
                        return None;
                    }
                    if t.have_only.contains(word) && !t.have.contains(w) {
                        return None;
                    }
                    // A party or a union: "iscritto al PD", "voto Lega",
                    // "sono del PD".
                    let belongs = membership
                        || t.membership.contains(w)
                        || copula && last_bridge.is_some_and(|b| t.belonging.contains(b));
                    if party && !belongs {
                        return None;
                    }
                    // "è dementi" is no sentence: a plural wants a plural verb.
                    if term.plural && matches!(w, "era" | "ha" | "fa" | "sta") {
                        return None;
                    }
                    break (ws, w, role);
                }
                // "io in carrozzina", "noi filippini", "io #M5S" (not "io i
                // gay...", "io la lesbica": an article starts another phrase).
                Some(Role::Me) if w != "me" && bridges <= 3 => {
                    if via_article {
                        return None;
                    }
                    return Some((ws, Whose::Own));
                }
                _ if is_bridge(t, w) && bridges < 6 => {
                    via_con |= w == "con";
                    via_preposition |= !t.articles.contains(w);
                    via_article |= t.noun_articles.contains(w);
                    if last_bridge.is_none() && w != "'" {
                        last_bridge = Some(w);
                    }
                    bridges += 1;
                }
                // A person with no verb: "bimbo allergico alle arachidi",
                // "mio figlio disabile", "un ragazzo con paralisi cerebrale"
                // (a noun only after "con"); not "una figlia lesbica" said
                // of no one.
                _ if !party
                    && t.person_governors.contains(w)
                    && (shape == Shape::Predicate && bridges == 0
                        || shape == Shape::Noun && via_con) =>
                {
                    let before: Vec<&str> = words.take(3).map(|(_, p)| p).collect();
                    let anchored = before.is_empty()
                        || before.iter().take(2).any(|p| {
                            t.roles.get(*p) == Some(&Role::Subject) && p.starts_with('m')
                                || t.have.contains(*p)
                                || t.roles.get(*p) == Some(&Role::CueSono)
                        });
                    if !anchored {
                        return None;
                    }
                    let author = t.self_governors.contains(w)
                        && before
                            .iter()
                            .any(|p| matches!(t.roles.get(*p), Some(Role::CueSono | Role::Me)));
                    return Some((
                        ws,
                        if author {
                            Whose::Own
                        } else {
                            Whose::ThirdParty
                        },
                    ));
                }
                _ => return None,
            }
        }
    };
    if t.passive_only.contains(word) && t.have.contains(cue) {
        return None;
    }
    if cue_role == Role::CueOwn {
        return Some((cue_start, Whose::Own));
    }
    // Then back to the subject: another person named before the verb makes
    // it theirs ("a mio figlio hanno diagnosticato"), "io" or "mi" the
    // author's ("mi hanno diagnosticato").
    let mut first_person = false;
    let mut sono = cue_role == Role::CueSono && !term.plural;
    let mut before = words_before(sk, cue_start)
        .filter(|(_, w)| w.bytes().any(|c| c.is_ascii_alphanumeric()))
        .peekable();
    if let Some(&(_, w)) = before.peek() {
        // "ci sono due ...", "c'è": there are, there is.
        if matches!(w, "ci" | "c") && matches!(cue, "sono" | "e") {
            return Some((cue_start, Whose::Unknown));
        }
        let content = !t.roles.contains_key(w) && !t.before_sono.contains(w) && !is_bridge(t, w);
        // "i voti sono del PD": "sono" after a noun is "they are".
        if content {
            sono = false;
        }
        // "l'amore è cieco": a noun with its article right before the verb
        // is the subject, and no person.
        let mut rest = words_before(sk, cue_start).filter(|(_, w)| *w != "'");
        rest.next();
        if content && rest.next().is_some_and(|(_, p)| t.articles.contains(p)) {
            return Some((cue_start, Whose::Unknown));
        }
    }
    for (i, (_, w)) in before.enumerate() {
        if i >= 6 {
            break;
        }
        match t.roles.get(w).copied() {
            Some(Role::Subject) if w == "mi" => first_person = true,
            Some(Role::Me) if i == 0 => return Some((cue_start, Whose::Own)),
            Some(Role::Me) | Some(Role::CueOwn) => first_person = true,
            Some(Role::Subject) => return Some((cue_start, Whose::ThirdParty)),
            Some(Role::CueSono) if i < 3 && !term.plural => sono = true,
            Some(Role::General) => return None,
            _ if t.me_markers.contains(w) => first_person = true,
            _ => {}
        }
    }
    if first_person || sono {
        return Some((cue_start, Whose::Own));
    }
    Some((cue_start, Whose::Unknown))
}

fn explanation(kind: PersonalDataKind, whose: Whose) -> &'static str {
    use PersonalDataKind::*;
    let own = whose == Whose::Own;
    match (kind, own) {
        (Health, true) => {
            "dato sulla salute di chi scrive (art. 9 GDPR): da non lasciare visibile a tutti, a tutela di chi scrive"
        }
        (Health, false) => {
            "dato sulla salute di un'altra persona (art. 9 GDPR): da non lasciare visibile a tutti, a tutela della persona di cui si parla"
        }
        (Religion, true) => {
            "convinzioni religiose di chi scrive (art. 9 GDPR): da non lasciare visibili a tutti, a tutela di chi scrive"
        }
        (Religion, false) => {
            "convinzioni religiose di un'altra persona (art. 9 GDPR): da non lasciare visibili a tutti, a tutela della persona di cui si parla"
        }
        (EthnicOrigin, true) => {
            "origine etnica di chi scrive (art. 9 GDPR): da non lasciare visibile a tutti, a tutela di chi scrive"
        }
        (EthnicOrigin, false) => {
            "origine etnica di un'altra persona (art. 9 GDPR): da non lasciare visibile a tutti, a tutela della persona di cui si parla"
        }
        (PoliticalOpinion, true) => {
            "appartenenza politica di chi scrive (art. 9 GDPR): da non lasciare visibile a tutti, a tutela di chi scrive"
        }
        (PoliticalOpinion, false) => {
            "appartenenza politica di un'altra persona (art. 9 GDPR): da non lasciare visibile a tutti, a tutela della persona di cui si parla"
        }
        (UnionMembership, true) => {
            "appartenenza sindacale di chi scrive (art. 9 GDPR): da non lasciare visibile a tutti, a tutela di chi scrive"
        }
        (UnionMembership, false) => {
            "appartenenza sindacale di un'altra persona (art. 9 GDPR): da non lasciare visibile a tutti, a tutela della persona di cui si parla"
        }
        (SexLife, true) => {
            "vita od orientamento sessuale di chi scrive (art. 9 GDPR): da non lasciare visibile a tutti, a tutela di chi scrive"
        }
        (SexLife, false) => {
            "vita od orientamento sessuale di un'altra persona (art. 9 GDPR): da non lasciare visibile a tutti, a tutela della persona di cui si parla"
        }
        (CriminalRecord, true) => {
            "dato giudiziario di chi scrive (art. 10 GDPR): da non lasciare visibile a tutti, a tutela di chi scrive"
        }
        (_, _) => {
            "dato giudiziario di un'altra persona (art. 10 GDPR): da non lasciare visibile a tutti, a tutela della persona di cui si parla"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::Normalized;

    fn found(text: &str) -> Vec<(PersonalDataKind, bool, f32)> {
        let n = Normalized::new(text);
        let mut out = Vec::new();
        scan(&n.skeleton, &mut out);
        out.iter()
            .map(|h| {
                (
                    h.kind,
                    h.explanation.contains("chi scrive,")
                        || h.explanation.ends_with("di chi scrive"),
                    h.score,
                )
            })
            .collect()
    }

    #[test]
    fn own_and_third_parties_data_with_their_kind() {
        use PersonalDataKind::*;
        for (text, kind, own) in [
            (
                "sono diabetico e il centro prelievi apre troppo tardi",
                Health,
                true,
            ),
            ("mia figlia ha la sclerosi multipla", Health, false),
            ("sono invalido civile al 75%", Health, true),
            ("mio fratello è in comunità per la droga", Health, false),
            ("ho l'hiv", Health, true),
            ("sono in cura al CSM", Health, true),
            ("mio marito è stato in carcere", CriminalRecord, false),
            ("siamo testimoni di Geova", Religion, true),
            ("sono iscritto alla CGIL", UnionMembership, true),
            ("sono gay e vorrei sposarmi", SexLife, true),
            ("sono ebreo e il sabato non vengo", Religion, true),
        ] {
            let got = found(text);
            assert!(
                got.iter()
                    .any(|&(k, o, s)| k == kind && o == own && s >= 0.5),
                "{text}: {got:?}"
            );
        }
    }

    #[test]
    fn mentions_that_reveal_nothing_about_anyone() {
        for text in [
            "la campagna vaccinale per il diabete",
            "il sindacato ha indetto uno sciopero dei trasporti",
            "la chiesa di San Pietro è chiusa",
            "i malati di SLA meritano più servizi",
            "il gay pride sfila sabato",
            "ho denunciato lo smarrimento della carta d'identità",
        ] {
            let got = found(text);
            assert!(got.iter().all(|&(_, _, s)| s < 0.5), "{text}: {got:?}");
        }
    }
}
