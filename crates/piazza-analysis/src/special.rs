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
    roles: HashMap<String, Role>,
}

const HEALTH: PersonalDataKind = PersonalDataKind::Health;
const RELIGION: PersonalDataKind = PersonalDataKind::Religion;
const ETHNIC: PersonalDataKind = PersonalDataKind::EthnicOrigin;
const POLITICAL: PersonalDataKind = PersonalDataKind::PoliticalOpinion;
const UNION: PersonalDataKind = PersonalDataKind::UnionMembership;
const SEX: PersonalDataKind = PersonalDataKind::SexLife;
const CRIMINAL: PersonalDataKind = PersonalDataKind::CriminalRecord;

/// Adjectives and nouns in -o/-a/-i/-e ("diabetic*"), listed by stem.
const HEALTH_OAIE: &[&str] = &[
    "diabetic",
    "celiac",
    "epilettic",
    "autistic",
    "dislessic",
    "discalculic",
    "disprassic",
    "invalid",
    "ciec",
    "sord",
    "sordomut",
    "paraplegic",
    "tetraplegic",
    "paralizzat",
    "cardiopatic",
    "asmatic",
    "sieropositiv",
    "depress",
    "schizofrenic",
    "anoressic",
    "bulimic",
    "alcolizzat",
    "drogat",
    "ludopatic",
    "oncologic",
    "ricoverat",
    "operat",
    "trapiantat",
    "immunodepress",
    "allettat",
    "obes",
    "psicotic",
    "nefropatic",
    "emofilic",
    "distrofic",
    "amputat",
    "infartuat",
    "talassemic",
    "spastic",
    "disturbat",
];
/// Adjectives and nouns in -e/-i.
const HEALTH_EI: &[&str] = &[
    "disabil",
    "ipovedent",
    "non vedent",
    "tossicodipendent",
    "bipolar",
    "dement",
    "autolesionist",
    "alcolist",
    "eroinoman",
    "cocainoman",
    "cardiopatic",
];
/// Fixed forms.
const HEALTH_WORDS: &[&str] = &[
    "incinta",
    "incinte",
    "gravida",
    "tossico",
    "tossica",
    "down",
    "malato terminale",
    "malata terminale",
    "malato oncologico",
    "malata oncologica",
    "malato grave",
    "malata grave",
    "malato cronico",
    "malata cronica",
    "malato di mente",
    "malata di mente",
    "malato di cuore",
    "malata di cuore",
    "malati di cuore",
    "malato di cancro",
    "malata di cancro",
];
/// Conditions, treatments and places of care, after "ho/ha", "soffre di",
/// "malato di", "in cura per", "faccio", "sono in"...
const HEALTH_NOUNS: &[&str] = &[
    "diabete",
    "tumore",
    "tumori",
    "cancro",
    "leucemia",
    "linfoma",
    "melanoma",
    "mieloma",
    "sarcoma",
    "metastasi",
    "sclerosi",
    "sla",
    "alzheimer",
    "alzaimer",
    "alzhaimer",
    "parkinson",
    "demenza",
    "epilessia",
    "depressione",
    "schizofrenia",
    "anoressia",
    "bulimia",
    "disturbo bipolare",
    "disturbo ossessivo",
    "disturbi alimentari",
    "disturbo alimentare",
    "attacchi di panico",
    "attacchi d'ansia",
    "disturbo d'ansia",
    "esaurimento nervoso",
    "crisi depressiva",
    "hiv",
    "aids",
    "epatite",
    "cirrosi",
    "infarto",
    "ictus",
    "ischemia",
    "fibromialgia",
    "crohn",
    "morbo",
    "celiachia",
    "autismo",
    "adhd",
    "dislessia",
    "distrofia",
    "fibrosi cistica",
    "asma",
    "bpco",
    "enfisema",
    "cardiopatia",
    "endometriosi",
    "psoriasi",
    "artrite",
    "artrosi",
    "ernia",
    "ernie",
    "covid lungo",
    "long covid",
    "herpes",
    "clamidia",
    "sifilide",
    "gonorrea",
    "papilloma",
    "malattia rara",
    "malattia genetica",
    "malattia mentale",
    "malattia degenerativa",
    "malattia autoimmune",
    "lupus",
    "disabilita",
    "handicap",
    "tetraplegia",
    "paralisi",
    "spina bifida",
    "sindrome di down",
    "sindrome di tourette",
    "sindrome",
    "trapianto",
    "dialisi",
    "chemio",
    "chemioterapia",
    "radioterapia",
    "metadone",
    "psicofarmaci",
    "antidepressivi",
    "ansiolitici",
    "insulina",
    "pacemaker",
    "defibrillatore",
    "dipendenza",
    "tossicodipendenza",
    "alcolismo",
    "ludopatia",
    "gravidanza",
    "aborto",
    "aborto spontaneo",
    "diabete gestazionale",
    "legge 104",
    "la 104",
    "invalidita",
    "coma",
    "tentato suicidio",
    "tentato il suicidio",
    "suicidio",
    "psichiatria",
    "psichiatra",
    "csm",
    "centro di salute mentale",
    "sert",
    "serd",
    "comunita di recupero",
    "comunita terapeutica",
    "comunita per la droga",
    "comunita per tossicodipendenti",
    "comunita per tossicodipendenza",
    "lista per il trapianto",
    "insufficienza renale",
    "ipertensione",
    "obesita",
    "cecita",
    "sordita",
    "carrozzina",
    "sedia a rotelle",
    "deambulatore",
    "protesi",
    "allergia",
    "allergie",
    "ossigeno",
    "anemia",
    "talassemia",
    "emofilia",
    "ossessivo compulsivo",
    "depressione post partum",
    "autolesionismo",
    "cocaina",
    "eroina",
    "droga",
    "droghe",
    "crack",
    "alcol",
];
/// Phrases with their own verb.
const HEALTH_SELF: &[&str] = &[
    "aspetta un bambino",
    "aspetto un bambino",
    "aspettiamo un bambino",
    "aspetta una bambina",
    "aspetto una bambina",
    "aspetta un figlio",
    "aspetto un figlio",
    "aspettano un bambino",
];
const RELIGION_OAIE: &[&str] = &[
    "musulman",
    "islamic",
    "cristian",
    "cattolic",
    "evangelic",
    "ortodoss",
    "agnostic",
    "convertit",
    "battezzat",
    "anglican",
    "luteran",
    "protestant",
    "osservant",
];
const RELIGION_WORDS: &[&str] = &[
    "ebreo",
    "ebrea",
    "ebrei",
    "ebree",
    "ateo",
    "atea",
    "atei",
    "atee",
    "buddista",
    "buddisti",
    "buddiste",
    "induista",
    "induisti",
    "hindu",
    "sikh",
    "mormone",
    "mormoni",
    "valdese",
    "valdesi",
    "pentecostale",
    "pentecostali",
    "testimone di geova",
    "testimoni di geova",
    "non credente",
    "credente",
    "credenti",
    "praticante",
    "praticanti",
    "suora",
    "frate",
    "monaca",
    "prete",
];
const RELIGION_NOUNS: &[&str] = &[
    "islam",
    "ramadan",
    "velo",
    "hijab",
    "chador",
    "niqab",
    "burqa",
    "turbante",
    "kippah",
    "kirpan",
    "kosher",
    "halal",
    "bar mitzvah",
    "bat mitzvah",
    "messa",
    "moschea",
    "sinagoga",
    "catechista",
    "convento",
];
/// Origins, with "di origine/origini ..." and the demonyms that reveal an
/// origin when said of a person ("sono marocchino", "mia nuora è eritrea").
const ETHNIC_OAIE: &[&str] = &[
    "marocchin",
    "tunisin",
    "nigerian",
    "eritre",
    "somal",
    "egizian",
    "pakistan",
    "filippin",
    "peruvian",
    "ecuadorian",
    "colombian",
    "brasilian",
    "ucrain",
    "moldav",
    "russ",
    "polacc",
    "kosovar",
    "serb",
    "bosniac",
    "curd",
    "turc",
    "sirian",
    "afghan",
    "iranian",
    "maliano",
    "algerin",
    "liban",
    "indian",
    "african",
    "berber",
    "arab",
    "ghanes",
    "etiop",
    "bengales",
    "alban",
    "rumen",
    "romen",
    "ivorian",
    "sudanes",
    "ner",
    "zingar",
];
const ETHNIC_WORDS: &[&str] = &[
    "ebreo di origine",
    "ebrea di origine",
    "ebrei di origine",
    "di origine ebraica",
    "di origini ebraiche",
    "rom",
    "sinti",
    "sinto",
    "sinta",
    "di colore",
    "figlio di immigrati",
    "figlia di immigrati",
    "figli di immigrati",
    "albanese",
    "albanesi",
    "senegalese",
    "senegalesi",
    "cinese",
    "cinesi",
    "giapponese",
    "ghanese",
    "ghanesi",
    "bengalese",
    "bengalesi",
    "etiope",
    "etiopi",
    "cingalese",
    "srilankese",
    "camerunense",
    "congolese",
    "sudanese",
    "libanese",
    "tamil",
    "mezzo sangue",
];
const ETHNIC_NOUNS: &[&str] = &["origine", "origini", "etnia"];
const POLITICAL_NOUNS: &[&str] = &[
    "pd",
    "partito democratico",
    "lega",
    "m5s",
    "5 stelle",
    "cinque stelle",
    "fratelli d'italia",
    "fdi",
    "forza italia",
    "azione",
    "italia viva",
    "avs",
    "sinistra italiana",
    "rifondazione",
    "casapound",
    "forza nuova",
    "giovani democratici",
    "extinction rebellion",
    "ultima generazione",
    "partito",
];
const POLITICAL_WORDS: &[&str] = &[
    "di sinistra",
    "di destra",
    "di centrodestra",
    "di centrosinistra",
    "comunista",
    "comunisti",
    "fascista",
    "fascisti",
    "leghista",
    "leghisti",
    "anarchico",
    "anarchica",
    "monarchico",
    "monarchica",
    "grillino",
    "grillina",
    "piddino",
    "piddina",
    "sovranista",
    "socialista",
    "democristiano",
    "partigiano",
];
const UNION_NOUNS: &[&str] = &[
    "cgil",
    "cisl",
    "uil",
    "ugl",
    "cobas",
    "usb",
    "fiom",
    "fim",
    "uilm",
    "filt",
    "fisascat",
    "flc",
    "snals",
    "gilda",
    "cub",
    "sindacato",
    "sindacato di base",
    "tessera",
];
const UNION_WORDS: &[&str] = &[
    "rsu",
    "rsa",
    "sindacalista",
    "sindacalisti",
    "sindacalizzato",
    "sindacalizzata",
];
const SEX_WORDS: &[&str] = &[
    "gay",
    "lesbica",
    "lesbiche",
    "omosessuale",
    "omosessuali",
    "bisessuale",
    "bisessuali",
    "bisex",
    "transessuale",
    "trans",
    "transgender",
    "non binario",
    "non binaria",
    "non binari",
    "asessuale",
    "pansessuale",
    "queer",
];
const SEX_NOUNS: &[&str] = &[
    "coming out",
    "coppia aperta",
    "transizione",
    "amante",
    "tradito",
    "tradita",
];
/// Phrases with their own verb: only a subject is looked for.
const SEX_SELF: &[&str] = &[
    "tradisce",
    "tradiva",
    "va a letto con",
    "se la fa con",
    "unito civilmente",
    "unita civilmente",
    "uniti civilmente",
    "unite civilmente",
    "per un uomo",
    "per una donna",
];
const CRIMINAL_NOUNS: &[&str] = &[
    "carcere",
    "galera",
    "prigione",
    "domiciliari",
    "arresti domiciliari",
    "precedenti",
    "precedenti penali",
    "fedina penale",
    "braccialetto elettronico",
    "condanna",
    "rebibbia",
    "san vittore",
    "poggioreale",
    "bollate",
    "ucciardone",
    "regina coeli",
    "dozza",
    "marassi",
    "messa alla prova",
    "affidamento ai servizi sociali",
];
const CRIMINAL_WORDS: &[&str] = &[
    "pregiudicato",
    "pregiudicata",
    "detenuto",
    "detenuta",
    "carcerato",
    "carcerata",
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
    "sorvegliato speciale",
    "sorvegliata speciale",
    "patteggiato",
    "scontato la mia pena",
    "scontato la pena",
    "scontando una pena",
    "spacciatore",
    "spacciatrice",
];

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
];

/// Governing words, with their person.
const CUES_OWN: &[&str] = &[
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
    "sto",
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
        let mut add = |w: String, kind: PersonalDataKind, score: f32, shape: Shape| {
            pats.push((skeletonize(&w), Term { kind, score, shape }))
        };
        let inflected: [(&[&str], &[&str], PersonalDataKind, f32); 4] = [
            (HEALTH_OAIE, &["o", "a", "i", "e"], HEALTH, 0.8),
            (HEALTH_EI, &["e", "i", "a"], HEALTH, 0.8),
            (RELIGION_OAIE, &["o", "a", "i", "e"], RELIGION, 0.75),
            // A demonym reveals an origin less surely than "di origine".
            (ETHNIC_OAIE, &["o", "a", "i", "e"], ETHNIC, 0.65),
        ];
        for (stems, endings, kind, score) in inflected {
            for stem in stems {
                for e in endings {
                    add(format!("{stem}{e}"), kind, score, Shape::Predicate);
                }
            }
        }
        let fixed: [(&[&str], PersonalDataKind, f32, Shape); 16] = [
            (HEALTH_SELF, HEALTH, 0.8, Shape::Verb),
            (HEALTH_WORDS, HEALTH, 0.8, Shape::Predicate),
            (HEALTH_NOUNS, HEALTH, 0.8, Shape::Noun),
            (RELIGION_WORDS, RELIGION, 0.75, Shape::Predicate),
            (RELIGION_NOUNS, RELIGION, 0.75, Shape::Noun),
            (ETHNIC_WORDS, ETHNIC, 0.7, Shape::Predicate),
            (ETHNIC_NOUNS, ETHNIC, 0.7, Shape::Noun),
            (POLITICAL_WORDS, POLITICAL, 0.7, Shape::Predicate),
            (POLITICAL_NOUNS, POLITICAL, 0.7, Shape::Noun),
            (UNION_WORDS, UNION, 0.75, Shape::Predicate),
            (UNION_NOUNS, UNION, 0.75, Shape::Noun),
            (SEX_WORDS, SEX, 0.75, Shape::Predicate),
            (SEX_NOUNS, SEX, 0.75, Shape::Noun),
            (SEX_SELF, SEX, 0.7, Shape::Verb),
            (CRIMINAL_WORDS, CRIMINAL, 0.75, Shape::Predicate),
            (CRIMINAL_NOUNS, CRIMINAL, 0.75, Shape::Noun),
        ];
        for (words, kind, score, shape) in fixed {
            for w in words {
                add(w.to_string(), kind, score, shape);
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
fn words_before(sk: &str, pos: usize) -> impl Iterator<Item = (usize, &str)> {
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
        let Some((start, whose)) = governed(t, sk, s, &sk[s..e], term.shape) else {
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
        });
    }
}

/// Whether the term `word` at `s` is governed by a word that makes it a
/// person's data, and whose: the start of the evidence and the owner.
fn governed(t: &Tables, sk: &str, s: usize, word: &str, shape: Shape) -> Option<(usize, Whose)> {
    // Back over the bridges to the governing word.
    let (cue_start, cue, cue_role) = if shape == Shape::Verb {
        (s, word, Role::CueNeutral)
    } else {
        let mut bridges = 0;
        let mut words = words_before(sk, s);
        loop {
            let (ws, w) = words.next()?;
            match t.roles.get(w).copied() {
                Some(role @ (Role::CueOwn | Role::CueSono | Role::CueThird | Role::CueNeutral)) => {
                    if shape == Shape::Noun && bridges == 0 && t.copulas.contains(w) {
                        return None;
                    }
                    break (ws, w, role);
                }
                _ if is_bridge(t, w) && bridges < 6 => bridges += 1,
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
    let mut sono = cue_role == Role::CueSono;
    for (i, (_, w)) in words_before(sk, cue_start).enumerate() {
        if i >= 6 {
            break;
        }
        match t.roles.get(w).copied() {
            Some(Role::Subject) if w == "mi" => first_person = true,
            Some(Role::Me) if i == 0 => return Some((cue_start, Whose::Own)),
            Some(Role::Me) | Some(Role::CueOwn) => first_person = true,
            Some(Role::Subject) => return Some((cue_start, Whose::ThirdParty)),
            Some(Role::CueSono) if i < 3 => sono = true,
            Some(Role::General) => return None,
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
