//! Phrase rules on the skeleton: threats (direct and normative), explicit
//! discrimination patterns with their target group, counter-speech, intents
//! (complaint, crime report, service request, criticism), personal cases,
//! commercial content, spam phrases and political propaganda. (The GDPR
//! special categories of data are found by `special.rs`: whose data it is
//! depends on the subject, which phrase rules could not read.)
//!
//! Patterns are written in plain Italian and skeletonised at build time
//! (doubled letters collapsed, accents folded) so they match the skeleton of
//! any writing of the same words. All rules are compiled into one
//! multi-pattern regex (a set) so a clean comment costs a single scan.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use piazza_taxonomy::{Category, DiscriminationTarget, Intent};
use regex_automata::meta::{self, Regex};
use regex_automata::util::syntax;
use regex_automata::{Input, PatternID, PatternSet};

/// Lazy-DFA cache capacity of the combined rule set (per thread, grown only
/// as states are met).
const SET_DFA_CACHE: usize = 32 << 20;
/// Lazy-DFA cache capacity of each single rule (used only to locate matches).
const RULE_DFA_CACHE: usize = 4 << 20;

use crate::normalize::{skeletonize, skeletonize_regex};

pub(crate) const GROUPS: &str = include_str!("../lexicons/groups.tsv");

/// What a matching rule contributes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Action {
    /// A finding of a category (with optional kind and target).
    Finding(Category, Option<&'static str>, Option<DiscriminationTarget>),
    /// A discrimination finding whose target is the group named in capture 1.
    GroupFinding,
    /// A non-violating intent.
    Intent(Intent),
    /// Reported speech or condemnation of hate: not hate itself.
    CounterSpeech,
    /// Words that condemn (used with quotes to recognise counter-speech).
    Condemnation,
    /// A reference to hateful words or acts, or to who did them ("chi ha
    /// scritto", "scritte contro", "ho letto commenti"): a cue of
    /// counter-speech, never alone.
    HateReport,
    /// Words that call a claim false ("bugie", "pregiudizi", "luoghi
    /// comuni"): a cue of counter-speech, never alone, and only in the
    /// author's own words; not a signal of the gates (hate calls things
    /// false as readily as its answers do). Located, unlike the other cues:
    /// "chi dice che sono brave persone racconta bugie" reports the claim
    /// it calls false.
    Rebuttal,
    /// Words that defend a group's dignity ("sono esseri umani", "sono
    /// nostri vicini"): a cue of counter-speech, never alone.
    Defence,
    /// A stance of respect for a group that no hateful comment takes
    /// unless it denies it ("amo i musulmani", "gli immigrati non sono
    /// criminali", "non sopporto chi insulta i disabili"): counter-speech on
    /// its own, when not denied and the author's words hold no hate.
    Respect,
    /// The comment speaks about the administration (raises criticism).
    AdminRef,
    /// Anger aimed at people the law does not protect as a group
    /// (offenders, sports fans, drivers...): "odio i pedofili", "spacciatori
    /// di merda". Keeps a head that names no group below the flag line.
    UnprotectedTarget,
    /// Anger at one person or one thing ([`ONE_BEFORE`]): keeps a head
    /// that names no group below the flag line, but the misogyny and the
    /// homotransphobia heads, whose hate is said to one person too.
    OneTarget,
    /// Selling words (raise a price to commercial).
    Selling,
    /// A price.
    Price,
    /// A signal for one of the clause detectors (illegal content, alarmist
    /// content, copyright, provocation): [`crate::clauses`] weighs the
    /// signals of a comment together.
    Signal(crate::clauses::Signal),
    /// A word of a special category of personal data (health, religion...):
    /// `special.rs` reads the comment only when this matched.
    SpecialTrigger,
}

pub(crate) struct Rule {
    pub action: Action,
    pub score: f32,
    pub explanation: &'static str,
    re: Regex,
    /// The rule's group is named before its match ([`GROUP_BEFORE`]).
    group_before: bool,
    /// The rule speaks of one person or thing named before its match
    /// ([`ONE_BEFORE`]).
    one_before: bool,
}

/// A rule match in the skeleton (byte offsets).
#[derive(Debug, Clone, Copy)]
pub(crate) struct RuleHit {
    pub rule: usize,
    pub start: usize,
    pub end: usize,
    pub target: Option<DiscriminationTarget>,
    /// Where what the rule reads as said starts: `start`, but for a rule
    /// whose group is named before its match ([`GROUP_BEFORE`]), where the
    /// match starts. Whether it is quoted or reported is asked of
    /// `said..end`: "sui musulmani uno ha scritto 'li bruciamo tutti'"
    /// reports the threat, not the group's name.
    pub said: usize,
}

pub(crate) struct Rules {
    rules: Vec<Rule>,
    /// The rules that can match without a group's name, and last a pattern
    /// that finds whether any group is named at all.
    set: Regex,
    /// The rule index of each pattern of `set` but the last.
    set_rules: Vec<usize>,
    /// The rules that match only where a group is named, run only then:
    /// kept out of `set`, whose lazy DFA meets every comment, they cost
    /// nothing to the comments that name no group (most of them).
    group_set: Regex,
    /// The rule index of each pattern of `group_set`.
    group_set_rules: Vec<usize>,
    /// The indices of the rules whose action is `Selling`.
    selling: Vec<PatternID>,
    groups: HashMap<String, DiscriminationTarget>,
    /// Skeletons of [`ONE_ROLES`] and [`ONE_DEMONSTRATIVES`].
    one_roles: HashSet<String>,
    one_demonstratives: HashSet<String>,
    /// Words that make a [`ONE_BEFORE`] match no anger at one person:
    /// [`COLLECTIVES`], [`GENDERED_INSULTS`] and the slurs of the lexicon
    /// (whole words, and the stems of its prefix terms).
    not_one: HashSet<String>,
    slur_stems: Vec<String>,
}

pub(crate) type Spec = (Action, f32, &'static str, String);

const THREAT: Action = Action::Finding(Category::Threat, Some("direct"), None);
const THREAT_NORMATIVE: Action = Action::Finding(Category::Threat, Some("normative"), None);
const COMMERCIAL: Action = Action::Finding(Category::Commercial, None, None);
const SPAM: Action = Action::Finding(Category::Spam, None, None);
const PROPAGANDA: Action = Action::Finding(Category::PoliticalPropaganda, None, None);
const PERSONAL_CASE: Action = Action::Finding(Category::PersonalCase, None, None);
const GENDER: Action = Action::Finding(
    Category::Discrimination,
    None,
    Some(DiscriminationTarget::Gender),
);
const ORIENTATION: Action = Action::Finding(
    Category::Discrimination,
    None,
    Some(DiscriminationTarget::SexualOrientation),
);
const ETHNICITY: Action = Action::Finding(
    Category::Discrimination,
    None,
    Some(DiscriminationTarget::Ethnicity),
);

/// Violent verbs (infinitive stems taking a clitic, and participles).
/// Discrimination of Jews, decided by the rules ([`Action::Finding`]).
const JEWS: Action = Action::Finding(
    Category::Discrimination,
    None,
    Some(DiscriminationTarget::Religion),
);
/// Jews named as a people, with or without an article.
const JEWS_PLURAL: &str = r"(?:(?:gli|sti|questi|quegli|tutti\s+gli)\s+ebrei|(?:i|sti|questi|quei|tutti\s+i|soliti)\s+giudei|(?:le|ste|queste)\s+ebree)";
/// The plural words for Jews, without an article.
const JEWS_BARE: &str = r"ebrei|ebree|giudei";
/// One Jew.
const JEWS_ONE: &str = r"ebreo|ebrea|giudeo|giudea";
/// The powers of the conspiracy named as Jewish ("la lobby ebraica", "la
/// finanza giudaica", "i banchieri ebrei").
const JEWS_POWER: &str = r"(?:(?:la|le|i|gli)\s+)?(?:lobby|finanza|banche|banchieri|massoneria|poteri\s+forti|elite|cricca|mafia|potere)\s+(?:ebraic\w*|giudaic\w*|ebrei|giudei)|(?:gli\s+)?ebrei\s+ricchi";
/// A word other than "non" (a pattern's gap must not deny it).
const NOT_NON: &str = r"(?:[a-mo-z0-9]\w*|n|n[a-np-z0-9]\w*|no|no[a-mo-z0-9]\w*|non\w+)";
const VIOLENT_INF: &str = r"(?:bruciar|ammazzar|sterminar|impiccar|fucilar|sparar|uccider|affogar|annegar|gasar|bombardar|sgozzar|lapidar|massacrar|castrar|pestar|picchiar|decapitar)";
/// Blows one is "preso a" ("preso a calci").
const BLOWS: &str = r"calci|pugni|schiaffi|sberle|ceffoni|cazzotti|bastonate|sprangate|mazzate|legnate|sassate|frustate|cinghiate|randellate|manganellate|colpi\s+di\s+\w+";
/// Blows without kicks: a ball is "preso a calci" too.
const BLOWS_NOT_KICKS: &str = r"pugni|schiaffi|sberle|ceffoni|cazzotti|bastonate|sprangate|mazzate|legnate|sassate|frustate|cinghiate|randellate|manganellate";
/// Setting fire or bombs to a place, in the forms that call for it or
/// wish it (imperative, present, conditional, infinitive), not the past
/// that reports it ("è stata incendiata", "fu bombardata"), nor the
/// present that tells it ("la chiesa brucia, chiamate i pompieri").
const SET_ON_FIRE: &str = r"bruciala|brucialo|bruciamo|bruciamola|bruciatela|bruciatelo|bruciare|bruciarla|bruciarlo|brucerei|bruciavo|bruciassero|incendiamo|incendiatela|incendiare|incendiarla|incendierei|incendiavo|bombardiamo|bombardatela|bombardare|bombardarla|bombarderei|(?:facciamo|fate|fa|far|farei|facessero|fara)\s+(?:saltare|esplodere)|(?:la|lo)\s+farei\s+(?:saltare|esplodere)|(?:diamo|date|dare|dia|dessero|darei|dategli|dargli)\s+fuoco|(?:radiamo|radete|radere|raderei|radevo|radessero)\s+al\s+suolo|(?:lo|la)\s+(?:radevo|raderei|bruciavo|brucerei|incendiavo|incendierei)";
/// Places of worship and of a community (skeletons).
const PLACES: &str = r"moschea|moschee|sinagoga|sinagoghe|chiesa|chiese|tempio|templi|campo\s+rom|campi\s+rom|campo\s+nomadi|campi\s+nomadi|centro\s+(?:d\W*)?acoglienza|centri\s+(?:d\W*)?acoglienza|centro\s+islamico|sala\s+di\s+preghiera|sale\s+di\s+preghiera";
/// Blows and weapons that have no innocent use on a comune's page, named
/// in a call for violence ("ci vuole la ronda con le mazze da baseball",
/// "li aspetterei con due spranghe").
const ARMS: &str = r"botte|mazzate|legnate|lignate|lignati|bastonate|sprangate|randellate|cinghiate|frustate|manganellate|sberle|ceffoni|cazzotti|schiaffoni|spranghe|spranga|mazze\s+da\s+baseball|molotov|esplosivo|tritolo|dinamite|proiettile|proiettili|pallottola|pallottole";
/// Fire and tools that citizens name every day ("bisogna fare benzina",
/// "servono bastoni per le tende", "chi porta l'accendino alla
/// grigliata?"): a threat only with a place to use them on, or
/// with what they are said to achieve. Not "fuoco" or "bomba" at all:
/// fireworks, cooking and praise ("la festa è stata una bomba").
const TOOLS: &str = r"taniche|tanica|benzina|cerino|accendino|fiammata|mazze|bastoni|manganelli";
/// Places a call for fire names besides those of worship and of a
/// community: a foreigner's shop, a camp's caravans.
const TARGETS: &str = r"kebab|bazar|roulotte|baracche|negozio\s+(?:del|dei|di)\s+\w+";
/// A call, a plan or a wish for what follows or precedes it in the same
/// sentence: the normative "ci vuole", "basterebbe", "meriterebbe", a call
/// to others ("chi viene?", "portatevi", "forza ragazzi"), a plan of one's
/// own ("li aspetterei", "ci pensiamo noi"). A report names the act done
/// ("hanno lanciato una molotov"), not one of these.
const CALLS: &str = r"ci\s+vuole|ci\s+vogliono|ci\s+vorrebbe|ci\s+vorrebbero|servono|servirebbe|servirebbero|basterebbe|basterebbero|bisogna|bisognerebbe|meriterebbe|meriterebbero|meritano|andrebbero\s+date|andrebbe\s+data|chi\s+viene|chi\s+ci\s+sta|io\s+ci\s+sto|nessuno\s+ha|qualcuno\s+dovrebbe|ci\s+penso\s+io|ci\s+pensiamo\s+noi|portatevi|portiamoci|tiriamo|tiriamoci|tiriamogli|lanciamo|lanciamoci|lanciamogli|e\s+giu|forza\s+ragazzi|diamoci\s+una\s+mossa|(?:lo|li|la|le)\s+(?:aspetterei|aspettiamo|aspetto|aspettate|aspettiamoli|aspetteremo)";
/// What a weapon or fire is said to achieve when it is called for: "una tanica, un
/// accendino e il problema è risolto", "due sberle e vedi come smettono".
const OUTCOMES: &str = r"problema\s+(?:\w+\s+){0,6}?(?:e\s+)?risolto|(?:risolve|risolverebbe|risolvono|risolverebbero)\s+(?:il|ogni|tutti\s+i)\s+problem\w*|e\s+passa\s+la\s+paura|(?:e|poi)\s+(?:vedi|vedrai|vediamo|vedete)\s+come|cosi\s+(?:imparano|impara|capiscono|capisce|la\s+smettono|smettono)|(?:e|poi)\s+(?:spariscono|sparisce|sparirebbero|non\s+(?:li|lo|la|le)\s+vedi\s+piu)|(?:e|poi)\s+facciamola\s+finita|ecco\s+cosa\s+ci\s+vuole|e\s+non\s+ci\s+pensi\s+piu";
const VIOLENT_PART: &str = r"(?:bruciat|ammazzat|sterminat|impiccat|fucilat|uccis|affogat|annegat|gasat|bombardat|sgozzat|lapidat|massacrat|castrat|decapitat|pestat)";
const GROUP: &str = "{GROUP}";
/// Opens a rule that says something hateful of a group named before its
/// match, in the same sentence or the one before ("conosco diversi
/// africani | e li considero tutti ladri"). The rule matches only what is
/// said; the group is looked up by words before it ([`Rules::group_before`]),
/// since a regex that spans the gap from every group name grew the lazy DFA
/// of the whole set by tens of megabytes.
const GROUP_BEFORE: &str = "{GROUP_BEFORE}";
/// How far before a [`GROUP_BEFORE`] rule's match its group may be named.
const GROUP_BEFORE_REACH: usize = 120;
/// A noun naming one person of a group (`one` in `groups.tsv`).
const ONE: &str = "{ONE}";
/// Opens a rule whose match is said of one person or one thing named
/// before it in the same sentence, by a role ("il vicino del terzo piano
/// è un rompiscatole", "quel vigile che mi ha fatto la multa è un
/// cretino") or a demonstrative ("il pane di quel forno fa pena"): anger at
/// someone or something, not at a group ([`Rules::one_before`]).
const ONE_BEFORE: &str = "{ONE_BEFORE}";
/// Nouns of one person by role or relation, singular, and "sei", which
/// addresses one.
const ONE_ROLES: &str = "\
    sei tizio tizia tipo tipa signore signora vicino vicina vigile vigilessa barista \
    cassiere cassiera commesso commessa autista postino postina idraulico meccanico \
    proprietario proprietaria negoziante benzinaio tassista cameriere cameriera collega capo \
    capoufficio direttore direttrice arbitro allenatore impiegato impiegata portiere \
    portinaio portinaia amministratore condomino inquilino inquilina cognato cognata suocero \
    suocera marito fidanzato fidanzata dottore dottoressa medico infermiere infermiera \
    professore professoressa maestro maestra controllore fornaio macellaio parrucchiere \
    parrucchiera venditore venditrice operatore operatrice centralinista";
/// Singular demonstratives: "quel forno", "questa stampante".
const ONE_DEMONSTRATIVES: &str = "quel quello quella questo questa sto sta";
/// Collective nouns name many people, not one
/// ("questa gente è una piaga").
const COLLECTIVES: &str = "\
    gente gentaglia razza feccia marmaglia massa orda popolo popolazione comunita etnia \
    categoria banda manica branco specie cultura religione setta invasione immigrazione \
    nazione tribu";
/// Insults that demean a woman as a woman: said to one woman they are
/// misogyny (AMI's definition, and the desk's), not anger at one person.
const GENDERED_INSULTS: &str = "\
    puttana puttanella troia troietta zoccola mignotta baldracca sgualdrina bagascia cagna \
    vacca meretrice battona";
/// How far before a [`ONE_BEFORE`] rule's match its person or thing may
/// be named.
const ONE_BEFORE_REACH: usize = 80;
/// The words of [`DEROGATIONS`] that say nothing but contempt: read even
/// when the group is left to a pronoun in the next clause. "Ho visto i rom
/// del campo: sono malati e nessuno li cura" asks for help for them.
const DEHUMANISING: &str = r"feccia|bestie|animali|scimmie|parassiti|subumani|sottospecie|vermi|topi|zecche|spazzatura|merde|schifosi|schifose|disgustos\w*|ripugnant\w*|inferiori|porci|maiali|piaga|cancro";
/// What a generalisation calls a whole group ("gli X sono bestie"). Words
/// that also tell a plight ("malati") are read only with the group as the
/// subject of the sentence; see [`DEHUMANISING`] for a group left to a
/// pronoun.
const DEROGATIONS: &str = r"stupidi|stupide|idioti|idiote|disgustos\w*|ripugnant\w*|sottospecie|puttan\w*|troie|zoccol\w*|bestie|animali|scimmie|parassiti|criminali|delinquenti|ladri|stupratori|terroristi|feccia|merde|malati|malate|schifosi|schifose|pedofili|porci|maiali|inferiori|piaga|cancro|spazzatura|vermi|topi|zecche|subumani|pervertiti|invasori|violenti|scansafatiche|fannulloni|mantenuti|zavorre|depravati|depravate|isteriche|ubriaconi";
/// What those who complain about a group, or attack it, do: "quelli che
/// si lamentano della festa di fine ramadan mi fanno ridere" mocks them,
/// What a generalisation says of a group only when the group is the
/// subject of its clause: said of a group's facilities, the same words are
/// a citizen's complaint ("i bagni per i disabili sono uno schifo", "le
/// rampe per le persone con disabilità sono pericolose").
const SUBJECT_DEROGATIONS: &str = r"inutili|schifo|peso|zavorra|minaccia|abominio|abominevoli|errore\s+della\s+natura|scherz[io]\s+della\s+natura|degenerat[ie]|meno\s+intelligenti|disgrazia|rovina|cancro|malattia|vergogna|pericolo|pericolosi|pericolose|sporchi|sporche|merda|costo|scarti|mostri|ratti|pezzi\s+di\s+carne|incapaci|lagnos[ie]|approfittator[ie]|approfittatrici|false|falsi|manipolator[ie]|manipolatrici|bugiard[ie]|viziose|viziosi|pervertit[ie]|ridicol[ie]|irrazionali|superficiali|abomini|oche";

/// First-person forms (present, future, conditional) of verbs that can
/// only mean harm done to a person: "lo strangolo", "vi ammazzeremo", "li
/// impiccherei". Verbs that also name harmless acts ("bruciare" the leaves
/// or the calories, "pestare" the basil, "investire" money, "affogare" the
/// sorrows) are read only with a group named or a place to do it. The
/// older rules of "ti ammazzo", "lo uccido" keep their own verbs at their
/// higher scores; where both read the same words, the finding counts them
/// once (`Collector::add`).
const HARM_FIRST_PERSON: &str = r"(?:ammazz|strangol|strozz|sgozz|accoltell|massacr|scann|squart|fucil|decapit|lapid|baston|tortur|stermin)(?:o|iamo|ero|eremo|erei)|(?:impicc|sprang)h?(?:o|iamo|ero|eremo|erei)|picchi(?:o|amo|ero|eremo|erei)|linci(?:o|amo)|lincer(?:o|emo|ei)|uccid(?:o|iamo|ero|eremo|erei)";
/// First-person forms of verbs that are harm only when said of people.
const HARM_FIRST_PERSON_OF_PEOPLE: &str = r"bruci(?:o|amo)|brucer(?:o|emo|ei)|pest(?:o|iamo|ero|eremo|erei)|invest(?:o|iamo|iro|iremo|irei)|spar(?:o|iamo|ero|eremo|erei)|men(?:o|iamo|ero|eremo|erei)|spacc(?:o|hiamo|hero|heremo|herei)|gonfi(?:o|amo|ero|eremo|erei)|(?:faccio|facciamo|faro|faremo|farei)\s+fuori|(?:affog|anneg)h?(?:o|iamo|ero|eremo|erei)|rinchiuder(?:o|emo|ei)|rimander(?:o|emo|ei)\s+(?:\w+\s+)?(?:nella\s+giungla|a\s+calci|a\s+pedate)";
/// Connectives that open the author's own judgement of a group named
/// before: "ho colleghi islamici e ti dico che sono tutti falsi", "tanto
/// sono la feccia".
const JUDGEMENT_OPENERS: &str = r"tanto|cioe|visto\s+che|(?:e\s+)?(?:ti|vi)\s+(?:dico|assicuro|garantisco|giuro)\s+che|(?:e\s+)?si\s+vede\s+che";
/// Where one is thrown down from.
const HEIGHTS: &str = r"ponte|finestr\w*|scal\w*|balcon\w*|tett\w*|treno|bus|autobus|carrozzin\w*|dirupo|burrone|rupe|palazzo|terrazz\w*|campanile|viadotto";
/// Weapons one goes or comes with ("vado con la spranga").
const CARRIED_ARMS: &str = r"spranga|spranghe|benzina|tanica|taniche|mazza|mazze|bastone|bastoni|molotov|pistola|fucile|coltello|coltelli|machete";

/// Where a clause that a group opens as its subject may start: the start
/// of a sentence or a clause, or after a word that opens one ("penso che
/// le donne ...", "ma i gay ..."). "I bagni per i disabili non sono ..."
/// speaks of the toilets.
const CLAUSE_START: &str = r"(?:^|[.!?;:,]\s*|\b(?:che|ma|perche|secondo\s+me|per\s+me|ormai|insomma|qui|qua|oggi|adesso|a\s+mio\s+(?:modesto\s+)?(?:avviso|parere)|onestamente|sinceramente)\s+)";
/// Good qualities a generalisation denies a whole group ("non sono
/// capaci di crescere un figlio", "non sono persone per bene"): Multilingual
/// HateCheck's negated positive statements. Only qualities of a person, so
/// that a plight ("non sono in grado di salire sul bus senza pedana") is
/// not read as contempt.
const QUALITIES_PL: &str = r"capaci\s+di\s+(?:fare\s+(?:niente|nulla|un\s+cazzo)|ragionare|pensare|guidare|lavorare|crescere|educare|decidere|governare|amministrare|comandare|gestire|amare|comportarsi|integrarsi|rispettare|stare\s+al\s+mondo)|intelligenti|affidabili|onest[ie]|civili|civilizzat[ie]|educat[ie]|leali|degn[ie]\s+di|all\W*altezza|persone\s+(?:normali|per\s+bene|perbene|serie|oneste|civili|affidabili|con\s+cui)|brave\s+persone|gente\s+(?:per\s+bene|perbene|onesta|seria)|veri\s+(?:uomini|italiani)|vere\s+(?:donne|italiane)|come\s+noi|uguali\s+a\s+noi|da\s+fidarsi";
/// The same qualities, denied to one member as a member ("un musulmano
/// non sarà mai un cittadino leale", "nessun gay è una persona per bene").
const QUALITIES_SG: &str = r"capace\s+di\s+(?:fare\s+(?:niente|nulla|un\s+cazzo)|ragionare|pensare|guidare|lavorare|crescere|educare|decidere|governare|amministrare|comandare|gestire|comportarsi|integrarsi|rispettare)|intelligente|affidabile|onest[oa]|civile|educat[oa]|leale|degn[oa]\s+di|all\W*altezza|persona\s+(?:normale|per\s+bene|perbene|seria|onesta|civile|affidabile)|brava\s+persona|ver[oa]\s+(?:uomo|donna|italian[oa]|cittadin[oa])|cittadin[oa]\s+leale|normale";
/// What a group is said not to know how to do ("non sanno guidare", "non
/// sanno cosa sia la decenza"); "non sanno che lo sportello apre il
/// sabato" informs.
const KNOW_HOW: &str = r"fare\s+(?:niente|nulla|un\s+cazzo)|guidare|ragionare|comportarsi|stare\s+al\s+mondo|stare\s+in\s+(?:societa|mezzo\s+alla\s+gente)|vivere\s+(?:civilmente|in\s+(?:una\s+)?societa)|decidere|prendere\s+(?:una\s+)?decision\w*|educare|crescere\s+(?:un|i|dei)\s+figli\w*|cosa\s+(?:sia|siano|significa|significhi|vuol\s+dire|voglia\s+dire)\s+(?:la\s+|il\s+|l\W*|un\s+|una\s+|avere\s+(?:una\s+)?)?(?:decenza|educazione|rispetto|igiene|lavoro|lavorare|onesta|dignita|civilta|famiglia|pudore|vergogna|legalita|pulizia)";
/// A generalisation's negated good quality, said of a group as the subject
/// of the clause (the predicate after "gli X").
const NEGATED_GOOD_PL: &str = r"non\s+(?:sono|siano|saranno\s+mai|potranno\s+mai\s+essere)\s+(?:(?:mai|affatto|proprio|per\s+niente)\s+)?(?:{QUALITIES_PL})\b|non\s+(?:sanno|sapranno\s+mai)\s+(?:nemmeno\s+|neanche\s+)?(?:{KNOW_HOW})\b|non\s+(?:valgono|valgano|varranno\s+mai)\s+(?:quanto|come)\s+(?:noi|un|una|uno|gli|i|le|la|il)\b|non\s+(?:meritano|meritino|meriteranno\s+mai)\s+(?:la\s+cittadinanza|fiducia|un\s+lavoro|una\s+casa|di\s+(?:stare|vivere|lavorare|avere|entrare|sposarsi|votare|insegnare|restare|esistere|andare\s+a\s+scuola|essere\s+(?:chiamat|considerat)[ie]\s+(?:persone|esseri\s+umani|cittadini|italian[ie])))\b|non\s+hanno\s+(?:niente|nulla)\s+(?:da\s+(?:dare|offrire|insegnare)|di\s+buono|di\s+umano)\b|non\s+(?:hanno|abbiano)\s+(?:il\s+)?diritto\s+di\s+(?:insegnare|educare|adottare|sposarsi|avere\s+figli|crescere\s+(?:figli|bambini)|esistere|vivere|parlare)\b|non\s+(?:portano|porteranno)\s+(?:mai\s+)?(?:niente|nulla)\s+di\s+buono\b|non\s+si\s+integreranno\s+mai\b";
/// The same, said of one member ("un gay non sarà mai un vero uomo",
/// "nessuna donna vale quanto un uomo").
const NEGATED_GOOD_SG: &str = r"non\s+(?:e|sara\s+mai|potra\s+mai\s+essere|sara)\s+(?:(?:mai|affatto|proprio|per\s+niente)\s+)?(?:(?:un|una|uno)\s+)?(?:\w+\s+)?(?:{QUALITIES_SG})\b|non\s+(?:sa|sapra\s+mai)\s+(?:nemmeno\s+|neanche\s+)?(?:{KNOW_HOW})\b|non\s+(?:vale|varra\s+mai)\s+(?:niente|nulla|quanto|come)\b|non\s+serve\s+a\s+(?:niente|nulla)\b|non\s+merita\s+(?:la\s+cittadinanza|fiducia|rispetto|un\s+lavoro)\b";
/// What "nessun X" is said to be or do ("nessuno straniero porta
/// qualcosa di buono", "nessun musulmano merita la cittadinanza").
const NONE_GOOD: &str = r"(?:e|sara\s+mai|potra\s+mai\s+essere)\s+(?:(?:un|una|uno)\s+)?(?:\w+\s+)?(?:{QUALITIES_SG})\b|vale\s+(?:niente|nulla|quanto|come)\b|merita\s+(?:la\s+cittadinanza|fiducia|rispetto|un\s+lavoro)\b|porta\s+(?:mai\s+)?(?:niente|nulla|qualcosa)\s+di\s+buono\b|ha\s+voglia\s+di\s+lavorare\b|sa\s+(?:{KNOW_HOW})\b";
/// What someone never met in a member of a group: "non ho mai conosciuto
/// un africano onesto", "mai visto un trans che lavori onestamente".
const NEVER_MET_GOOD: &str = r"(?:{QUALITIES_SG})\b|che\s+(?:lavori|lavorasse|rispetti|rispettasse|sappia|sapesse|fosse|sia|abbia|avesse)\s+(?:\w+\s+){0,3}?(?:onest|normal|seri[oa]|per\s+bene|perbene|pulit|educat|civil|voglia\s+di\s+lavorare|rispett)\w*|(?:trattare\s+bene|lavorare\s+(?:onestamente|sul\s+serio|davvero))\b";
/// on the group's side.
const AGAINST: &str = r"(?:si\s+lamenta\w*|protesta\w*|critica\w*|ce\s+l\W*ha\w*\s+con|se\s+la\s+prend\w*\s+con|insulta\w*|attacca\w*)";
/// What a group has that others complain about: its feasts, its places of
/// worship, its parade.
const THEIRS: &str = r"(?:ramadan|moschea|moschee|sinagoga|sinagoghe|pride)";

fn specs() -> Vec<Spec> {
    let mut specs = builtin_specs();
    // ---------------------------------------------------- clause detectors
    // Illegal content, alarmist content, copyright and provocation: their
    // patterns live with their detectors (`crate::clauses`), and join the
    // one scan here so that a clean comment still costs a single pass.
    specs.extend(crate::clauses::specs());
    specs
}

fn builtin_specs() -> Vec<Spec> {
    let violent_inf = VIOLENT_INF;
    let violent_part = VIOLENT_PART;
    // "sono malati e nessuno li cura" tells a plight: said through a
    // pronoun, only the derogations that cannot.
    let derogations_not_plight = DEROGATIONS.replace("|malati|malate", "");
    let good = |src: &str| {
        src.replace("{QUALITIES_PL}", QUALITIES_PL)
            .replace("{QUALITIES_SG}", QUALITIES_SG)
            .replace("{KNOW_HOW}", KNOW_HOW)
    };
    let negated_good_pl = good(NEGATED_GOOD_PL);
    let negated_good_sg = good(NEGATED_GOOD_SG);
    let none_good = good(NONE_GOOD);
    let never_met_good = good(NEVER_MET_GOOD);
    vec![
        // ------------------------------------------------ threats, direct
        (THREAT, 0.9, "minaccia diretta: \"ti vengo a prendere\"",
         r"\b(?:ti|vi|te|ve)\s+(?:vengo|veniamo|verro|verremo|vengono)\s+a\s+(?:prendere|cercare|trovare)".into()),
        (THREAT, 0.9, "minaccia diretta di violenza",
         r"\b(?:ti|vi)\s+(?:ammazzo|ammazziamo|ammazzerei|ammazzero|uccido|ucciderei|uccidero|sparo|sparerei|brucio|bruciamo|spacco|spezzo|sgozzo|accoltello|scanno|strozzo|meno|picchio|gonfio|massacro|taglio\s+la\s+gola|rompo\s+(?:la\s+faccia|il\s+culo|le\s+gambe|le\s+ossa)|spacco\s+(?:la\s+faccia|il\s+culo)|faccio\s+(?:fuori|la\s+pelle|del\s+male|male|saltare|a\s+pezzi)|facciamo\s+(?:fuori|la\s+pelle|del\s+male)|bruceremo|ammazzeremo|troveremo)\b".into()),
        (THREAT, 0.85, "minaccia diretta di violenza contro altri: \"gli spacco la faccia\"",
         r"\b(?:lo|la)\s+(?:lascio\s+(?:affogare|annegare|crepare)|ammazzo|ammazzero|ammazzerei|massacro|massacrero|uccido|uccidero|accoltello|strozzo|sgozzo)\b|\b(?:gli|li|le)\s+(?:faro\s+(?:del\s+)?male|lascio\s+(?:affogare|annegare|crepare)|ammazzo|ammazzerei|ammazzero|uccido|ucciderei|uccidero|sparo|sparerei|sgozzo|sgozzerei|accoltello|strozzo|strozzerei|massacro|massacrerei|darei\s+fuoco|do\s+fuoco|diamo\s+fuoco|daremo\s+fuoco|spacco\s+(?:la\s+faccia|il\s+culo|le\s+gambe)|spaccherei\s+(?:la\s+faccia|il\s+culo|le\s+gambe)|rompo\s+(?:la\s+faccia|le\s+gambe|le\s+ossa)|romperei\s+(?:la\s+faccia|le\s+gambe|le\s+ossa))\b|\b(?:lo|la|l\W*)\s*(?:ammazzo|ammazzerei|uccido|ucciderei|sgozzo|strozzo|accoltello)\b".into()),
        (THREAT, 0.6, "minaccia di percosse: \"ti prendo a schiaffi\"",
         format!(r"\b(?:li|le|lo|la|gli|vi|ti|l\W*)\s*(?:prenderei|prendo|prenderemo|prendiamo|piglierei|piglio)\s+a\s+(?:{BLOWS})|\b(?:prendiamoli|prendeteli|pigliamoli|pigliateli|prendiamole|prendetele)\s+a\s+(?:{BLOWS})|\b(?:gli|le|vi|ti)\s+(?:darei|do|daremo|diamo)\s+(?:due|un\s+paio\s+di|tanti|delle|un\s+po\W*\s*di)\s+(?:{BLOWS_NOT_KICKS}|botte)|\b(?:gli|le|ti|vi)\s+(?:rompo|romperei|spacco|spaccherei)\s+(?:il\s+muso|la\s+testa|il\s+naso|le\s+ossa|le\s+gambe)\b|\b(?:rompergli|romperle|romperli|spaccargli|spaccarle|spaccarli)\s+(?:il\s+muso|la\s+testa|la\s+faccia|il\s+naso|le\s+ossa|le\s+gambe)\b")),
        (THREAT, 0.85, "minaccia: \"so dove abiti\"",
         r"\bso\s+dove\s+(?:abiti|vivi|lavori|abitate|abita|vanno\s+a\s+scuola)".into()),
        // A beating promised to whoever the author meets: "se vedo un
        // trans lo pesto", "se becco chi è stato lo ammazzo".
        (THREAT, 0.8, "minaccia condizionata: \"se lo vedo lo ammazzo\"",
         format!(r"\bse\s+(?:vedo|incontro|becco|trovo|pesco|prendo)\s+(?:\w+\s+){{1,4}}?(?:lo|la|li|le|gli|l\W*)\s*(?:pesto|ammazzo|meno|picchio|gonfio|brucio|accoltello|investo|sparo|massacro|uccido|sgozzo|strozzo|spacco\s+la\s+faccia|rompo\s+(?:la\s+faccia|le\s+ossa|le\s+gambe)|prendo\s+a\s+(?:{BLOWS_NOT_KICKS}))\b")),
        (THREAT, 0.85, "minaccia: appostamento",
         r"\b(?:ti|vi)\s+(?:aspetto|aspettiamo|vengo\s+a\s+trovare)\s+(?:sotto\s+casa|fuori|all\W*uscita|sotto\s+il\s+comune)".into()),
        (THREAT, 0.75, "augurio di morte o di malattia",
         r"\b(?:spero|speriamo|auguro|mi\s+auguro|vi\s+auguro|ti\s+auguro)\s+(?:che\s+)?(?:tu\s+|voi\s+|vi\s+|ti\s+)?(?:muoia|muoiate|crepi|crepiate|morite|ammazzino|investano|venga\s+un\s+(?:cancro|tumore|infarto)|di\s+morire|la\s+morte)|\b(?:auguro|augurerei|auguriamo|augurate)\s+(?:\w+\s+){0,3}?(?:un\s+(?:bel\s+|brutto\s+)?(?:cancro|tumore|infarto|ictus)|una\s+(?:brutta\s+)?malattia|la\s+morte|di\s+morire)\b".into()),
        (THREAT, 0.55, "invito a morire",
         r"\b(?:muori|morite|crepate|vai\s+a\s+morire|andate\s+a\s+morire|ammazzati|impiccati)\b".into()),
        (THREAT, 0.6, "incitamento alla violenza",
         r"\b(?:a\s+morte\s+(?:il|la|i|gli|le|tutti)|al\s+muro(?:\s*$|\s*[,!?;:]|\s+(?:tutti|subito|senza|e\s|quelli|questi|sti|li\b|gli\b))|al\s+rogo|forni\s+crematori|camere\s+a\s+gas|appes[io]\s+a\s+testa\s+in\s+giu|una\s+bomba\s+(?:al|sul|nel|sotto))\b".into()),
        // ------------------------------------------------ threats, normative
        (THREAT_NORMATIVE, 0.85, "minaccia normativa: si augura la morte a qualcuno",
         r"\b(?:meriteresti|meritate|meritereste|merita|meritano|meriterebbero|meriti)\s+(?:di\s+)?(?:morire|crepare|essere\s+(?:ammazzat|uccis|impiccat|bruciat|fucilat|sterminat)\w*|la\s+morte|una\s+pallottola|un\s+proiettile|la\s+sedia\s+elettrica)".into()),
        (THREAT_NORMATIVE, 0.85, "minaccia normativa: \"dovresti morire\"",
         format!(r"\b(?:devi|dovresti|dovete|dovreste|deve|dovrebbe|devono|dovrebbero)\s+(?:tutti\s+|tutte\s+)?(?:morire|crepare|essere\s+(?:tutti\s+|tutte\s+)?{violent_part}\w*)")),
        (THREAT, 0.85, "minaccia di violenza contro un gruppo: \"ammazzerò tutti i ...\"",
         format!(r"\b(?:ammazzero|uccidero|sterminero|massacrero|brucero|sparero\s+a|ammazzeremo|uccideremo|stermineremo|massacreremo|bruceremo|ammazziamo|sterminiamo|massacriamo)\s+(?:(?:tutti\s+|tutte\s+)?(?:gli|i|le|questi|queste|sti|quei|quegli)\s+(?:persone\s+)?({GROUP})|ogni\s+({ONE}))\b")),
        (THREAT_NORMATIVE, 0.8, "si augura la sofferenza o la morte di un gruppo",
         format!(r"\b(?:vorrei|voglio|spero\s+di|mi\s+piacerebbe)\s+vedere\s+(?:tutti\s+|tutte\s+)?(?:gli|i|le|questi|queste|sti)\s+(?:persone\s+)?({GROUP})\s+(?:soffrire|morire|bruciare|crepare|impiccat\w*|mort\w*|affogare|annegare)\b")),
        (THREAT_NORMATIVE, 0.85, "incitamento alla violenza contro un gruppo: \"bisognerebbe ammazzare tutti i ...\"",
         format!(r"\b(?:bisognerebbe|bisogna|occorre|occorrerebbe|si\s+dovrebbe|si\s+dovrebbero|si\s+deve|si\s+devono|dovremmo|dobbiamo|basterebbe|vorrei|voglio|vogliamo|vorremmo|andiamo\s+a)\s+(?:{violent_inf}e|sterilizzare|deportare|rinchiudere|segregare|sopprimere|far\s+sparire)\s+(?:tutti\s+|tutte\s+)?(?:gli|i|le|questi|queste|sti|quei|quegli)\s+(?:persone\s+)?({GROUP})\b")),
        (THREAT_NORMATIVE, 0.85, "incitamento alla violenza: \"bisognerebbe bruciarli tutti\"",
         format!(r"\b(?:bisognerebbe|bisogna|occorre|occorrerebbe|si\s+dovrebbe|si\s+deve|dovremmo|dobbiamo|meglio|basterebbe|vorrei|andiamo\s+a)\s+(?:\w+\s+){{0,2}}?{violent_inf}(?:li|le|gli|lo|la)\b")),
        (THREAT_NORMATIVE, 0.8, "incitamento alla violenza: \"vanno bruciati\"",
         format!(r"\b(?:vanno|andrebbero|andranno|andavano|sarebbero\s+da|sono\s+da)\s+(?:\w+\s+)?{violent_part}\w*")),
        (THREAT_NORMATIVE, 0.8, "incitamento alla violenza: \"vanno presi a calci\"",
         format!(r"\b(?:vanno|andrebbero|meriterebbero|meritano|sono\s+da|devono\s+essere|dovrebbero\s+essere)\s+(?:di\s+essere\s+)?(?:tutti\s+|tutte\s+)?(?:pres[ei]|prendere)\s+a\s+(?:{BLOWS})|\b(?:va|andrebbe|meriterebbe|merita|e\s+da|deve\s+essere|dovrebbe\s+essere)\s+(?:pres[ao]|prendere)\s+a\s+(?:{BLOWS_NOT_KICKS}|calci\s+(?:fino|in\s+culo|nel\s+sedere|fuori|via|e\s+pugni))|\b(?:bisognerebbe|bisogna|ci\s+vorrebbe|andrebbero|vanno)\s+(?:prenderli|prenderle|pigliarli|pigliarle|presi|prese)\s+a\s+(?:{BLOWS})|\b(?:meritano|merita|meriterebbe|meriterebbero|meriti|meritate)\s+(?:solo\s+)?(?:(?:delle|due|un\s+po\W*\s*di|una\s+scarica\s+di|tante|qualche|un\s+paio\s+di|una\s+bella\s+(?:dose|serie)\s+di)\s+)?(?:{BLOWS_NOT_KICKS}|botte|il\s+bastone|la\s+frusta)\b|\b(?:va|vanno|andrebbe|andrebbero)\s+(?:massacrat|pestat|gonfiat)[aeio]\s+di\s+botte")),
        (THREAT_NORMATIVE, 0.8, "si augura la morte di altri: \"che crepino tutti\"",
         r"\b(?:spero|speriamo|magari|mi\s+auguro|ci\s+auguriamo)\s+che\s+(?:\w+\s+){0,3}?(?:affoghino|anneghino|crepino|muoiano|schiattino)\b|\bche\s+(?:\w+\s+)?(?:affoghino|anneghino|affondino|crepino|muoiano|schiattino)\s+(?:tutti|tutte)\b|(?:^|[.!?,;:]\s*)(?:che|ke)\s+(?:\w+\s+)?(?:affoghino|anneghino|crepino|muoiano|schiattino|annegassero|affogassero|crepassero|morissero|schiattassero)\b|\b(?:affogateli|affogatele|annegateli|annegatele|ammazzateli|ammazzatele|impiccateli|sterminateli|massacrateli|bruciateli|bruciatele|fucilateli|pestatelo|pestateli)\b|\bse\s+li\s+(?:lasciassero|lasciamo|lasciate)\s+(?:affogare|annegare|morire|crepare)\b|\b(?:magari|speriamo|spero|almeno)\s+(?:\w+\s+){0,2}?(?:crepassero|morissero|affogassero|annegassero|schiattassero|bruciassero|crepasse|morisse|affogasse|annegasse|schiattasse)\b|\b(?:lasciateli|lasciatele|lasciatelo|lasciarli|lasciarle|lasciarlo|lasciamoli|lasciamolo)\s+(?:affogare|annegare|morire|crepare|bruciare|marcire)\b|\b(?:affondino|affondate|affondare|affondiamo)\s+(?:tutti\s+)?(?:i\s+|quei\s+|sti\s+|questi\s+|le\s+)?(?:barconi|barchini|gommoni|navi\s+delle\s+ong|barche\s+dei\s+migranti)\b".into()),
        (THREAT_NORMATIVE, 0.8, "violenza approvata: \"se qualcuno li ammazza fa bene\"",
         format!(r"\b(?:li|le|lo|la|gli|l\W*)\s*(?:ammazza|ammazzasse|ammazzano|ammazzassero|uccide|uccidesse|uccidono|picchia|picchiasse|picchiano|brucia|bruciasse)\s+(?:\w+\s+){{0,2}}?(?:fa|fara|farebbe|farebbero|faranno|fanno|avrebbe\s+fatto|ha\s+fatto)\s+(?:solo\s+)?bene\b|\b(?:hanno|ha|avete|hai)\s+fatto\s+(?:bene|benissimo)\s+(?:\w+\s+){{0,3}}?a\s+(?:{violent_inf}|menar|gonfiar|investir)(?:lo|la|li|le|gli)\b|\b(?:bravo|bravi|brava|brave|grande|grandi|onore\s+a|onore\s+ai|medaglia\s+a)\s+(?:a\s+)?(?:\w+\s+){{0,3}}?(?:chi|che)\s+(?:\w+\s+){{0,2}}?(?:gli\s+|li\s+|le\s+|l\W*\s*)?(?:ha|hanno)\s+(?:dato\s+fuoco|fatto\s+nero|pestat\w*|{violent_part}\w*|investit\w*|menat\w*|picchiat\w*|gonfiat\w*)|\bchi\s+(?:ha|hanno)\s+(?:{violent_part}\w*|investit\w*|menat\w*|picchiat\w*|gonfiat\w*)\s+(?:\w+\s+){{0,3}}?merita\s+(?:una\s+medaglia|un\s+premio)")),
        // A death or a beating told, and the author glad of it: "il ragazzo
        // ammazzato l'altra notte? anzi uno di meno", "due immigrati annegati?
        // peccato che fossero solo due"; not a death mourned or reported.
        (THREAT_NORMATIVE, 0.75, "violenza o morte approvata: \"uno di meno\"",
         r"(?:^|[.!?,;:]\s*)(?:anzi\s+)?(?:uno|una)\s+(?:di|in)\s+meno\b|\bun\s+(?:barcone|barchino|gommone)\s+in\s+meno\b|\b(?:mort[oaie]|ammazzat\w*|uccis\w*|annegat\w*|affogat\w*|investit\w*|linciat\w*|pestat\w*|massacrat\w*|bruciat\w*)\b[^.!]{0,80}?\b(?:anzi\s+(?:brindo|brindiamo|festeggio|festeggiamo|meglio)|io\s+non\s+piango|nessuno\s+(?:lo\s+|li\s+|la\s+|le\s+)?(?:piange|piangera|rimpiange|rimpiangera)|mi\s+viene\s+da\s+(?:ridere|sorridere)|peccato\s+che\s+(?:fossero|fosse|erano|era)\s+solo)\b|\b(?:se\s+)?(?:lo|li|la|le)\s+(?:trovano|trovassero|stirano|investono|ammazzano|ammazza)\b[^.!]{0,80}?\b(?:anzi\s+(?:brindo|brindiamo|festeggio|festeggiamo)|io\s+non\s+piango|nessuno\s+(?:lo\s+|li\s+|la\s+|le\s+)?(?:piange|piangera|rimpiange|rimpiangera))\b".into()),
        // A place of worship or of a community set on fire: an attack on
        // the people who gather there. Only the words of fire and bombs:
        // a building "da abbattere" or "da demolire" is a comune's
        // business.
        (THREAT_NORMATIVE, 0.85, "incitamento alla violenza contro un luogo di culto o di una comunità: \"la moschea va bruciata\"",
         format!(r"\b(?:{PLACES})\s+(?:\w+\s+){{0,5}}?(?:va|vanno|andrebbe|andrebbero|andra|andranno|deve\s+essere|devono\s+essere|dovrebbe\s+essere|dovrebbero\s+essere|e\s+da|sono\s+da|sarebbe\s+da)\s+(?:\w+\s+)?(?:bruciat|incendiat|bombardat|dat[aeio]\s+(?:alle\s+)?fiamme|fatt[aeio]\s+saltar|ras[aeio]\s+al\s+suolo|bruciar|incendiar|bombardar|far\s+saltar|rader\w*\s+al\s+suolo)\w*|\b(?:bruciamo|bruciate|bruciare|bruciatela|bruciatele|incendiamo|incendiare|bombardare|bombardiamo|(?:diamo|date|dare|dargli)\s+fuoco\s+(?:a|al|alla|alle|ai|agli)|(?:facciamo|fate|far)\s+saltare|radiamo\s+al\s+suolo|radere\s+al\s+suolo)\s+(?:la\s+|le\s+|il\s+|i\s+|quella\s+|quelle\s+|quel\s+|sta\s+|ste\s+|questa\s+|queste\s+|sto\s+|questo\s+)?(?:{PLACES})\b|\b(?:{SET_ON_FIRE})\s+(?:\w+\s+){{0,4}}?(?:{PLACES})\b|\b(?:{PLACES})\s+(?:\w+\s+){{0,4}}?(?:{SET_ON_FIRE})\b|\b(?:una|na|n|due|qualche)\s+(?:bella\s+|bele\s+)?(?:molotov|bomba|bombe)\s+(?:(?:dentro|nella|nel|nelle|sulla|sul|contro|in|a|al|alla|sotto|quella|quel|sta|sto|questa|questo|la|il|le|i)\s+){{1,3}}(?:{PLACES})\b")),
        // A call for violence beside the blows or the weapon it calls for,
        // in either order within a clause and with no "non" between them
        // ("le sberle non servono", "bisogna educare, non servono le botte");
        // fire and tools only with a place to use them on; or a
        // weapon and what it is said to achieve.
        (THREAT_NORMATIVE, 0.7, "incitamento alla violenza: si invocano armi, fuoco o percosse",
         format!(r"\b(?:{CALLS})\s+(?:{NOT_NON}\s+){{0,8}}?(?:{ARMS})\b|\b(?:{ARMS})\s+(?:{NOT_NON}\s+){{0,8}}?(?:{CALLS})\b|\b(?:{CALLS})\s+(?:{NOT_NON}\s+){{0,10}}?(?:{TOOLS})\b[^.!?]{{0,60}}?\b(?:{PLACES}|{TARGETS})\b|\b(?:{CALLS})\b[^.!?]{{0,60}}?\b(?:{PLACES}|{TARGETS})\b[^.!?]{{0,60}}?\b(?:{TOOLS})\b|\b(?:{ARMS}|{TOOLS})\b[^.!?]{{0,60}}?\b(?:{OUTCOMES})\b")),
        // A beating told in the first person or called for: "lo gonfio di
        // botte", "riempitelo di calci", "massacrarli di botte"; "l'hanno
        // gonfiato di botte" reports it.
        (THREAT_NORMATIVE, 0.75, "incitamento alla violenza: \"riempitelo di botte\"",
         r"\b(?:lo|li|la|le|ti|vi|l\W*)\s*(?:gonfio|gonfiamo|gonfierei|gonfieremo|riempio|riempiamo|riempirei|riempiremo|massacro|massacriamo|massacrerei)\s+(?:di|de)\s+(?:botte|calci|pugni|mazzate|legnate|schiaffi|sberle)\b|\b(?:riempitel[oaie]|riempiamol[oaie]|gonfiatel[oaie]|gonfiamol[oaie]|massacratel[oaie]|massacriamol[oaie]|riempirl[oaie]|gonfiarl[oaie]|massacrarl[oaie])\s+(?:di|de)\s+(?:botte|calci|pugni|mazzate|legnate|schiaffi|sberle)\b".into()),
        // ------------------------------------------------ explicit discrimination
        // "tutti i terroristi sono islamici": the crime said of the group,
        // the other way round.
        (Action::GroupFinding, 0.85, "generalizzazione offensiva contro un gruppo",
         format!(r"\b(?:tutti\s+)?(?:i|gli)\s+(?:terroristi|stupratori|criminali|delinquenti|spacciatori|ladri|assassini|tagliagole)\s+(?:sono|erano|son)\s+(?:tutti\s+|quasi\s+tutti\s+|sempre\s+|solo\s+)?({GROUP})\b")),
        (Action::GroupFinding, 0.85, "generalizzazione offensiva contro un gruppo",
         format!(r"\b(?:gli|i|le|questi|queste|sti|tutti\s+(?:gli|i)|tutte\s+le)\s+(?:persone\s+)?({GROUP})\s+(?:[?.:!]\s+)?(?:sono|son|e|siano|sarebbero)\s+(?:tutti\s+|tutte\s+|solo\s+|cosi\s+|proprio\s+|davvero\s+|sempre\s+)?(?:come\s+)?(?:dei\s+|delle\s+|degli\s+|delle\s+|una\s+|un\s+|gli\s+|le\s+)?(?:esseri\s+)?(?:{DEROGATIONS})")),
        // The group named, then the hate said of it in the next clause or
        // sentence, with only a pronoun or nothing for the group (the
        // "pronoun reference" of HateCheck): "ho conosciuto i rom del
        // quartiere: sono tutti uguali, feccia", "mi parli sempre dei neri.
        // Io li considero inferiori". Only after a verb that meets, sees or
        // talks of the group, so the pronoun is the group and not, say,
        // who attacked it.
        (Action::GroupFinding, 0.8, "generalizzazione offensiva contro un gruppo nominato prima",
         format!(r"\b(?:ho|abbiamo|hai|avete)\s+(?:conosciuto|incontrato|visto|sentito|parlato\s+con)\s+(?:\w+\s+){{0,2}}?({GROUP})\b[^!?.:;,]{{0,40}}?[.:;,!?]\s+(?:(?:e|ma|beh|insomma)\s+)?(?:sono|son)\s+(?:(?:tutti|tutte|semplicemente|solo|cosi|proprio|davvero)\s+)*(?:uguali\s*,\s*)?(?:dei\s+|delle\s+|degli\s+)?(?:esseri\s+)?(?:{DEHUMANISING})\b")),
        (Action::GroupFinding, 0.8, "generalizzazione offensiva contro un gruppo nominato prima",
         format!(r"\bmi\s+(?:parli|parlate|parla|parlano)\s+(?:\w+\s+)?(?:di|dei|degli|delle)\s+({GROUP})\b[^!?]{{0,40}}?\b(?:io\s+)?(?:li|le)\s+(?:considero|ritengo|reputo)\s+(?:\w+\s+)?(?:{DEHUMANISING})\b")),
        // "I gay? Meglio se spariscono da questa città".
        (Action::GroupFinding, 0.8, "si augura che un gruppo sparisca",
         format!(r"\b({GROUP})\s*(?:\?\s*)?(?:\w+\s+){{0,2}}?meglio\s+se\s+(?:spariscono|sparissero|sparisce|se\s+ne\s+vanno|se\s+ne\s+andassero|non\s+ci\s+fossero|non\s+esistessero)\b")),
        // Insecurity blamed on a group's presence: "da quando ci sono gli
        // immigrati nel quartiere non si può più uscire la sera".
        (Action::GroupFinding, 0.75, "generalizzazione offensiva: l'insicurezza attribuita alla presenza di un gruppo",
         format!(r"\bda\s+quando\s+(?:ci\s+sono|sono\s+arrivat[ie]|hanno\s+portato|hanno\s+messo)\s+(?:\w+\s+)?({GROUP})\b[^.!?]{{0,50}}?\bnon\s+si\s+(?:puo|riesce|vive)\s+piu\b")),
        (Action::GroupFinding, 0.75, "stereotipo: un gruppo deve stare al suo posto",
         format!(r"\b({GROUP})\s+(?:dovrebbero|devono|dovrebbe|deve)\s+(?:stare|restare|rimanere)\s+al\s+loro\s+posto\b")),
        (Action::GroupFinding, 0.8, "generalizzazione offensiva contro un gruppo: \"sono tutti uguali\"",
         format!(r"\b(?:gli|i|le|questi|queste|sti|quei|quegli|quelle)\s+(?:persone\s+)?({GROUP})\s+(?:sono|son|e)\s+(?:tutti|tutte)\s+(?:uguali|cosi)\b")),
        (Action::GroupFinding, 0.8, "generalizzazione offensiva contro un gruppo: un crimine attribuito a tutti",
         format!(r"\b(?:gli|i|le|questi|queste|sti|quei|quegli|quelle)\s+(?:persone\s+)?({GROUP})\s+(?:qui\s+|qua\s+|ormai\s+|sempre\s+|solo\s+)?(?:delinquono|rubano|spacciano|stuprano|violentano|puzzano|ammazzano|uccidono)\b")),
        (Action::GroupFinding, 0.8, "generalizzazione offensiva contro un gruppo: \"vengono qui solo a rubare\"",
         format!(r"\b(?:(?:gli|i|le|questi|queste|sti|quei|quegli|quelle)\s+)?(?:persone\s+)?({GROUP})\s+(?:che\s+)?(?:vengono|arrivano|sono\s+venuti)\s+(?:qua\s+|qui\s+|in\s+italia\s+)?(?:solo\s+)?(?:a|per)\s+(?:rubare|delinquere|stuprare|spacciare|farsi\s+mantenere|vivere\s+alle\s+nostre\s+spalle)\b")),
        (ETHNICITY, 0.7, "generalizzazione offensiva contro gli stranieri: \"vengono qui solo a rubare\"",
         r"\b(?:vengono|arrivano)\s+(?:qua|qui|in\s+italia)\s+(?:solo\s+)?(?:a|per)\s+(?:rubare|delinquere|stuprare|spacciare|farsi\s+mantenere|vivere\s+alle\s+nostre\s+spalle)\b".into()),
        (Action::GroupFinding, 0.8, "generalizzazione offensiva contro un gruppo: \"portano solo degrado\"",
         format!(r"\b(?:(?:gli|i|le|questi|queste|sti|quei|quegli|quelle)\s+)?(?:persone\s+)?({GROUP})\s+(?:qui\s+|qua\s+)?(?:portano|hanno\s+portato|porteranno)\s+solo\s+(?:degrado|crimine|criminalita|delinquenza|malattie|problemi|sporcizia|violenza)\b")),
        (Action::GroupFinding, 0.75, "generalizzazione offensiva contro un gruppo: \"non si integreranno mai\"",
         format!(r"\b(?:(?:gli|i|le|questi|queste|sti|quei|quegli|quelle)\s+)?(?:persone\s+)?({GROUP})\s+non\s+si\s+(?:integreranno|integrano|integrerebbero|possono\s+integrare)\s+mai\b")),
        (ETHNICITY, 0.75, "stereotipo contro un popolo: \"nati per delinquere\"",
         r"\b(?:nati|nate|fatti)\s+per\s+(?:delinquere|rubare|stuprare)\b|\b(?:rubare|delinquere|rubano|delinquono)\b[^.!?]{0,40}\bnel\s+(?:dna|sangue)\b".into()),
        (Action::GroupFinding, 0.92, "insulto rivolto a un gruppo protetto",
         format!(r"\b({GROUP})\s+(?:di\s+merda|dimmerda|del\s+cazzo|bastardi|bastarde|schifosi|schifose|luridi|luride|fottuti|fottute)\b|\bche\s+schifo\s+(?:di|de)\s+(?:sti\s+|questi\s+|queste\s+)?({GROUP})\b|\b(?:sti|questi|queste|quei|quegli|quelle)\s+cazzo\s+di\s+({GROUP})\b")),
        // Contempt for one person by their group. Only after a word that
        // can open a noun phrase (or at the start), so that "un ristorante
        // cinese di merda" speaks of the restaurant.
        (Action::GroupFinding, 0.85, "insulto a una persona per il gruppo a cui appartiene",
         format!(r"(?:^|[,.!?:;']\s+|\b(?:un|una|il|la|lo|l|quel|quello|quella|quell|sto|sta|questo|questa|sei|e|solo|altro|altra|solito|solita)\s+)({ONE})\s+(?:di\s+merda|del\s+cazzo|bastard[oa]|schifos[oa]|infame|maledett[oa])\b")),
        (Action::GroupFinding, 0.85, "insulto a una persona per il gruppo a cui appartiene",
         format!(r"\b(?:sporc[oa]|sporchi|sporche|(?:lurid|schifos|maledett|fottut)[oaie]|brutt[oa])\s+({ONE}|{GROUP})\b")),
        (Action::GroupFinding, 0.8, "insulto a una persona per il gruppo a cui appartiene",
         format!(r"\b(?:un|una|un\W*|quel|quella|quell\W*|sto|sta|sei|e|solito|solita)\s+({ONE})\s+(?:ignorant[ei]|ladr[oa]|delinquente|scansafatiche|fannullon[ea]|puzzolent[ei]|ubriacon[ea]|fanatic[oa]|tirchi[oa]|isteric[oa]|frustrat[oa]|pervertit[oa]|parassita|zecca|animale|bestia|criminale|terrorista|spacciatore|spacciatrice|scimmia|incivile|rompipalle|rompicoglioni)\b")),
        (Action::GroupFinding, 0.75, "stereotipo applicato a una persona per il suo gruppo",
         format!(r"\b(?:(?:cosa|che)\s+(?:ti|vi|ci)\s+(?:aspetti|aspettate|aspettavi|aspettavate|puoi\s+aspettare|vuoi\s+aspettarti)\s+da\s+(?:un|una|un\W*)|tipico|tipica|da\s+vero|da\s+vera)\s+({ONE})\b")),
        (Action::GroupFinding, 0.75, "stereotipo applicato a una persona per il suo gruppo",
         format!(r"\bda\s+(?:un|una|un\W*)\s+({ONE})\s+non\s+(?:mi|ci|te|ti)\s+(?:aspettavo|aspetto|aspettavamo|potevo\s+aspettare)\b")),
        (Action::GroupFinding, 0.8, "si invoca l'espulsione o la violenza contro un gruppo",
         format!(r"\b({GROUP})\s+(?:vanno|andrebbero|devono\s+essere|dovrebbero\s+essere|sono\s+da)\s+(?:tutti\s+|tutte\s+)?(?:rimpatriat|cacciat|espuls|rispedit|deportat|rinchius|sterminat|eliminat|bruciat|affondat|castrat|picchiat|soppress|torturat|linciat|sterilizzat|internat|arrestat|segregat)[ieoa]\b")),
        // Said of a whole group and nothing else ("le donne vanno
        // picchiate", "i disabili andrebbero soppressi alla nascita"); a
        // group to be cured is a group said to be ill, which is said of
        // gay and trans people: "gli anziani vanno curati" is care.
        (ORIENTATION, 0.8, "l'omosessualità presentata come malattia da curare",
         r"\b(?:gay|omosessual\w*|lesbich\w*|trans|transessual\w*|transgender|bisessual\w*)\s+(?:vanno|andrebbero|devono\s+essere|dovrebbero\s+essere|sono\s+da)\s+(?:tutti\s+|tutte\s+)?(?:curat|guarit|rieducat)[ieoa]\b".into()),
        (Action::GroupFinding, 0.8, "si nega l'umanità di un gruppo protetto",
         format!(r"\b(?:gli|i|le|questi|queste|sti)\s+(?:persone\s+)?({GROUP})\s+non\s+(?:sono|siano)\s+(?:neanche\s+|nemmeno\s+|neppure\s+)?(?:esseri\s+umani|umani)\b")),
        (Action::GroupFinding, 0.8, "si nega l'umanità di un gruppo protetto",
         format!(r"\b(?:gli|i|le|questi|queste|sti)\s+(?:persone\s+)?({GROUP})\s+non\s+(?:sono|siano)\s+(?:neanche\s+|nemmeno\s+|neppure\s+)?(?:persone|uomini)(?:\s+[.!?;]|\s*$)")),
        (Action::GroupFinding, 0.7, "generalizzazione offensiva contro un gruppo: \"non c'è niente di peggio dei ...\"",
         format!(r"\b(?:niente|nulla)\s+di\s+peggio\s+(?:dei|degli|delle|di)\s+(?:persone\s+)?({GROUP})\b")),
        (Action::GroupFinding, 0.7, "generalizzazione offensiva contro un gruppo: \"non ci si può fidare dei ...\"",
         format!(r"\bnon\s+(?:ci\s+si\s+puo|si\s+puo|ci\s+possiamo|possiamo|bisogna|si\s+deve)\s+(?:mai\s+)?fidar\w*\s+(?:dei|degli|delle|di)\s+(?:persone\s+)?({GROUP})\b")),
        (Action::GroupFinding, 0.8, "odio dichiarato verso un gruppo protetto",
         format!(r"\b(?:odio|odiamo|detesto|detestiamo|disprezzo|disprezziamo|non\s+sopporto|non\s+sopportiamo|non\s+tollero|non\s+reggo)\s+(?:tutti\s+|tutte\s+)?(?:gli|i|le|questi|queste|sti|quei|quegli|quelle)\s+(?:cazzo\s+di\s+|persone\s+)?({GROUP})\b")),
        (Action::GroupFinding, 0.8, "disgusto dichiarato verso un gruppo protetto",
         format!(r"\b(?:gli|i|le|questi|queste|sti)\s+(?:persone\s+)?({GROUP})\s+mi\s+(?:fanno\s+(?:schifo|ribrezzo|orrore|vomitare|venire\s+(?:il\s+)?(?:vomito|voltastomaco|la\s+nausea))|disgustano|ripugnano|schifano|danno\s+(?:il\s+voltastomaco|la\s+nausea|fastidio))\b")),
        (Action::GroupFinding, 0.8, "disgusto dichiarato verso un gruppo protetto",
         format!(r"\b(?:(?:che\s+schifo\s+(?:che\s+)?)?mi\s+(?:fanno\s+(?:schifo|ribrezzo|orrore|vomitare|venire\s+(?:il\s+)?(?:vomito|voltastomaco|la\s+nausea))|disgustano|ripugnano|schifano)|non\s+(?:li|le)\s+(?:sopporto|reggo|tollero|digerisco)|(?:li|le)\s+(?:odio|detesto|disprezzo|schifo)|fanculo\s+(?:a|ai|agli|alle|a\s+tutti\s+(?:i|gli)|a\s+tutte\s+le)|come\s+si\s+fa\s+a\s+non\s+(?:odiare|disprezzare|detestare|provare\s+(?:disgusto|schifo|ribrezzo)\s+per)|a\s+(?:che|cosa)\s+(?:servono|servirebbero))\s+(?:proprio\s+|piu\s+)?(?:tutti\s+|tutte\s+)?(?:(?:gli|i|le|questi|queste|sti|quei|quegli|quelle)\s+)?(?:persone\s+)?({GROUP})\b")),
        // What a generalisation says of a group when the group is the
        // subject of its clause ("i disabili sono inutili", "penso che le
        // donne non valgano niente"): anchored at the clause's start, since
        // "i bagni per i disabili sono uno schifo" speaks of the toilets.
        (Action::GroupFinding, 0.8, "generalizzazione offensiva contro un gruppo",
         format!(r"{CLAUSE_START}(?:tutti\s+|tutte\s+)?(?:gli|i|le|questi|queste|sti)\s+(?:persone\s+)?({GROUP})\s+(?:(?:sono|son|siano|sarebbero|restano|rimangono)\s+(?:(?:tutti|tutte|solo|soltanto|davvero|proprio|semplicemente|cosi|sempre)\s+){{0,2}}(?:(?:un|una|uno|la|il|dei|delle|degli|gli|le)\s+)?(?:{SUBJECT_DEROGATIONS})\b|non\s+(?:valgono|valgano|contano|contino)\s+(?:niente|nulla|un\s+cazzo)|non\s+servono\s+a\s+(?:niente|nulla)|valgono\s+meno\s+di\s+(?:zero|niente|un\s+cane)|non\s+(?:meritano|meritino)\s+(?:alcun\s+|nessun\s+)?(?:rispetto|niente|nulla|pieta|diritti|diritto|di\s+esistere|di\s+vivere|di\s+stare\s+qui|di\s+avere\s+figli|di\s+sposarsi|di\s+adottare|di\s+essere\s+trattat[ie]\s+come)|non\s+(?:sono|siano)\s+(?:capaci|in\s+grado)\s+di\s+(?:\w+\s+)?(?:niente|nulla|pensare|ragionare)|non\s+(?:sono|siano)\s+(?:intelligenti|utili\s+a\s+(?:niente|nulla|nessuno))\b|non\s+(?:sono|siano)\s+(?:persone\s+)?normali(?:\s*[.!?,;]|\s*$|\s+e\s+non)|non\s+(?:hanno|abbiano)\s+(?:il\s+|nessun\s+|alcun\s+)?diritto\s+(?:di|a)\s+(?:vivere|esistere|nascere|stare\s+qui)|(?:mi|ci)\s+(?:hanno|han)\s+(?:rotto|stufato|scassato|frantumato)\s+(?:i\s+coglioni|il\s+cazzo|le\s+palle|i\s+maroni|le\s+scatole)|fanno\s+(?:tutti\s+|tutte\s+)?(?:schifo|vomitare|ribrezzo)|non\s+(?:saranno|potranno|possono)\s+mai\s+(?:essere\s+|diventare\s+)?(?:italiani|italiane|come\s+noi|normali)|hanno\s+(?:il\s+)?cervello\s+(?:piccolo|di\s+gallina|da\s+gallina|bacato)|non\s+hanno\s+(?:il\s+|un\s+)?(?:briciolo\s+di\s+)?cervello\b)")),
        // Good qualities denied to a whole group or to one member as a
        // member: Multilingual HateCheck's negated positive statements,
        // the group or the member as the subject of the clause.
        (Action::GroupFinding, 0.8, "generalizzazione offensiva contro un gruppo: si negano le qualità di un gruppo",
         format!(r"{CLAUSE_START}(?:tutti\s+|tutte\s+)?(?:gli|i|le|questi|queste|sti)\s+(?:persone\s+)?({GROUP})\s+(?:{negated_good_pl})")),
        (Action::GroupFinding, 0.8, "generalizzazione offensiva contro un gruppo: si negano le qualità di chi ne fa parte",
         format!(r"{CLAUSE_START}(?:un|una|uno|un\W*)\s+({ONE})\s+(?:(?:in|al|alla|nel|nella|del|della|di|a)\s+\w+\s+)?(?:{negated_good_sg})|\bnessun[oa]?\s+({ONE})\s+(?:{none_good})|\b(?:non\s+ho\s+mai|non\s+abbiamo\s+mai|mai)\s+(?:visto|vista|conosciuto|conosciuta|incontrato|incontrata|trovato|trovata)\s+(?:un|una|uno|un\W*)\s+({ONE})\s+(?:{never_met_good})|\bnon\s+c\W*e\s+(?:mai\s+)?(?:un|una|uno|un\W*)\s+({ONE})\s+(?:\w+\s+){{0,3}}?che\s+(?:(?:sia|fosse)\s+(?:(?:una\s+persona|un\s+uomo|una\s+donna)\s+)?(?:normal|onest|seri[oa]|per\s+bene|perbene|pulit|educat|civil|affidabil|leale)\w*|rispetti|rispettasse|abbia\s+voglia|valga|sappia|lavori|meriti)\b")),
        // "Donna" is not a `one` noun of `groups.tsv`: there it would also
        // make "quella donna è una rompiscatole" a group named (no longer
        // anger at one person) and "una donna isterica" contempt by gender,
        // so the women's form of the rule above names its target itself.
        (Action::Finding(Category::Discrimination, None, Some(DiscriminationTarget::Gender)), 0.8, "generalizzazione offensiva contro le donne: si negano le qualità di una donna in quanto donna",
         format!(r"{CLAUSE_START}(?:una|un\W*)\s+(?:donna|femmina)\s+(?:(?:in|al|alla|nel|nella|del|della|di|a)\s+\w+\s+)?(?:{negated_good_sg})|\bnessuna\s+(?:donna|femmina)\s+(?:{none_good})|\b(?:non\s+ho\s+mai|mai)\s+(?:vista|conosciuto|conosciuta|incontrato|incontrata|trovato|trovata)\s+una\s+(?:donna|femmina)\s+(?:{never_met_good})")),
        (Action::GroupFinding, 0.75, "generalizzazione offensiva contro un gruppo: \"ai ... non si può affidare niente\"",
         format!(r"\b(?:ai|agli|alle|a\s+(?:un|una|uno)\s+(?:coppia\s+|famiglia\s+)?)\s*(?:persone\s+)?({GROUP}|{ONE})\s+non\s+(?:si\s+)?(?:puo|deve|dovrebbe|potrebbe|bisogna|bisognerebbe)\s+(?:mai\s+)?(?:affidare|dare\s+(?:fiducia|in\s+mano|un\s+lavoro|la\s+cittadinanza|il\s+voto|responsabilita)|affittare|credere)\b|\b(?:dei|degli|delle|di\s+(?:un|una|uno))\s+(?:persone\s+)?({GROUP}|{ONE})\s+non\s+(?:ci\s+)?si\s+(?:puo|deve|potra|potrebbe)\s+(?:mai\s+)?fidare\b")),
        // The group named as the topic, then the hate said of it by a
        // pronoun or an unnamed subject: "Le donne? Le odio.", "I trans li
        // odio tutti", "Gli immigrati: sono solo parassiti".
        (Action::GroupFinding, 0.8, "odio contro un gruppo nominato prima",
         format!(r"(?:^|[.!?;:]\s*)(?:(?:gli|i|le|questi|queste|sti|quei|quegli|quelle)\s+)?(?:persone\s+)?({GROUP})\s*(?:(?:[?,.!:;]\s*|\s+)(?:(?:io|noi)\s+)?(?:li|le)\s+(?:odio|odiamo|detesto|detestiamo|disprezzo|schifo|ammazzerei|brucerei|sterminerei|eliminerei|caccerei|impiccherei|fucilerei|sparerei)|[?,.!:;]\s*(?:(?:e|ma|beh|insomma)\s+)?(?:sono|son)\s+(?:(?:tutti|tutte|solo|soltanto|semplicemente|proprio|davvero)\s+)*(?:(?:un|una|uno|dei|delle|degli|la)\s+)?(?:{SUBJECT_DEROGATIONS}|{DEHUMANISING}))\b")),
        // The group named, then judged by a pronoun later in the sentence
        // or in the next one: "conosco diversi africani e li considero
        // tutti ladri", "ho conosciuto dei neri ieri. Li disprezzo",
        // "chiedono diritti, ma sono dei degenerati". The pronoun must
        // follow "e", "ma", "io" or a stop, so "e non li odio" is not read.
        (Action::GroupFinding, 0.75, "odio contro un gruppo nominato prima",
         format!(r"{GROUP_BEFORE}(?:[,.!?;:]\s*(?:che\s+schifo\s*[,.!]?\s*)?|\s(?:e|ma|pero|io|e\s+io|anzi|anche\s+se|perche)\s+)(?:(?:li|le)\s+(?:(?:considero|trovo|ritengo|reputo|ho\s+(?:sempre\s+)?(?:trovat|considerat)[ie])\s+(?:(?:tutti|tutte|solo|sempre|totalmente|davvero|proprio)\s+)*(?:(?:dei|delle|degli|una|un|uno)\s+)?(?:{SUBJECT_DEROGATIONS}|{DEHUMANISING}|{derogations_not_plight}|malat[ie]\s+di\s+mente)|disprezzo|odio|detesto|ho\s+sempre\s+(?:disprezzat|odiat|detestat)[ie])|(?:(?:li|le)\s+(?:faccio\s+fuori|ammazzo|uccido|brucio|ammazzerei|brucerei|sterminerei|eliminerei|caccerei)|(?:andrebbero|vanno|dovrebbero\s+essere|devono\s+essere|meriterebbero\s+di\s+essere)\s+(?:tutti\s+|tutte\s+)?(?:rimpatriat|cacciat|espuls|deportat|rinchius|sterminat|eliminat|bruciat|castrat|picchiat|soppress|torturat|linciat|sterilizzat|internat|arrestat|segregat)[ie]|non\s+dovrebbero\s+(?:nemmeno\s+|neanche\s+|neppure\s+)?(?:esistere|nascere|vivere))\b|(?:(?:per\s+me|secondo\s+me|(?:io\s+)?(?:penso|credo)\s+che)\s+)?(?:non\s+(?:valgono|valgano)\s+(?:niente|nulla)\b|(?:sono|erano|siano)\s+(?:(?:solo|soltanto|tutti|tutte|davvero|proprio|semplicemente)\s+)*(?:(?:dei|delle|degli|una|un|uno)\s+)?(?:esseri\s+)?(?:{SUBJECT_DEROGATIONS}|{DEHUMANISING}|{derogations_not_plight})\b)|(?:mi\s+|ci\s+)?fanno\s+(?:tutti\s+)?(?:schifo|ribrezzo|vomitare|orrore)\s*(?:[.!?]|$))")),
        // The same, with what is said of the group beyond a plain
        // derogation: a stereotype ("sono buone solo a lamentarsi", "sanno
        // solo piangere"), a sickness of the mind or of nature ("sono
        // malati di mente", "sono contro natura"), a race called lower,
        // "questa gente" and "gente così" standing for the group named;
        // and the derogations of the rule above after the connectives
        // that open the author's own judgement ("e ti dico che", "tanto").
        (Action::GroupFinding, 0.75, "odio contro un gruppo nominato prima",
         format!(r"{GROUP_BEFORE}(?:[,.!?;:]\s*|\s(?:e|ma|pero|anzi|perche|{JUDGEMENT_OPENERS})\s+)(?:loro\s+)?(?:(?:sono|son)\s+(?:(?:tutti|tutte|solo|soltanto|davvero|proprio|semplicemente|sempre|quanti|quante)\s+)*(?:(?:dei|delle|degli|una|un|uno|la|il)\s+)?(?:{SUBJECT_DEROGATIONS}|{DEHUMANISING}|{derogations_not_plight}|isteric[ih]e|isterici|psicopatic\w*|malat[ie]\s+(?:di\s+mente|mentali|e\s+basta)|(?:una\s+)?razza\s+inferiore|contro\s+natura|rovina\s+(?:di|del|della|dell)|buon[ie]\s+solo\s+a|capaci\s+solo\s+di|vizios[ie]|pericolo\s+pubblico|da\s+(?:nascondere|rinchiudere|eliminare|cacciare|evitare))\b|(?:mi\s+|ci\s+)?fanno\s+(?:tutti\s+|tutte\s+)?(?:schifo|ribrezzo|vomitare|orrore)\s*(?:[,.!?;]|$)|sanno\s+solo\s+(?:chiacchierare|piangere|lamentarsi|rubare|spacciare|fare\s+figli|rompere)|puzzano\s+e\s+rubano|rubano\s+e\s+puzzano|non\s+sono\s+persone\s*,\s*sono)|\b(?:quella|questa|sta)\s+gente\s+(?:e|sono)\s+(?:(?:solo|tutta|proprio|davvero)\s+)?(?:(?:una|la|un)\s+)?(?:sporca|vergogna|feccia|piaga|rovina|schifo|pericolosa|inferiore|malata|da\s+cacciare)\b|\b(?:quella|questa|sta)\s+gente\s+(?:vuole\s+(?:sottometterci|ammazzarci|invaderci|conquistarci)|va\s+(?:fermata|cacciata|eliminata|rimandata))\b|\bgente\s+(?:cosi|come\s+(?:loro|quell[oaie]|questi|queste)|del\s+genere|simile)\s+non\s+dovrebbe\s+(?:nemmeno\s+|neanche\s+|neppure\s+)?(?:nascere|esistere|vivere|uscire\s+di\s+casa)\b")),
        // Contempt that puts a member of a group below a death or a crime:
        // "meglio un figlio morto che un figlio gay", "se mio figlio fosse
        // gay lo caccerei di casa".
        (Action::GroupFinding, 0.8, "disprezzo per un gruppo: meglio morto che membro del gruppo",
         format!(r"\bmeglio\s+(?:avere\s+)?(?:un\s+|una\s+)?(?:figli[oa]\s+|fratello\s+|sorella\s+)?(?:mort[oa]|ladr[oa]|drogat[oa]|in\s+galera|assassin[oa])\s+che\s+(?:avere\s+)?(?:un\s+|una\s+)?(?:figli[oa]\s+|fratello\s+|sorella\s+)?({ONE}|{GROUP})\b|\bse\s+(?:mio|mia)\s+(?:figli[oa]|fratello|sorella)\s+(?:fosse|diventasse|nascesse)\s+({ONE})\s+(?:lo|la|l\W*)\s*(?:caccerei|ammazzerei|ucciderei|rinnegherei|butterei\s+fuori|manderei\s+via|picchierei|massacrerei|disconoscerei)\b")),
        // A group's place said to be apart from everyone: "il posto dei
        // disabili è in un istituto", "il posto delle donne è in cucina".
        (Action::GroupFinding, 0.75, "esclusione di un gruppo: il suo posto è altrove",
         format!(r"\bil\s+(?:loro\s+)?posto\s+(?:dei|degli|delle|di\s+un|di\s+una)\s+(?:persone\s+)?({GROUP}|{ONE}|donna)\s+(?:e|sarebbe|dovrebbe\s+essere)\s+(?:solo\s+)?(?:in|a|al|nel|nella|nei|negli|nelle|dietro|sotto)\s+(?:un\s+|una\s+|le\s+)?(?:cucina|casa|istitut\w*|gabbi\w*|zoo|galera|carcere|manicomi\w*|ghetto|giungla|fogna|strada|sbarre|fornelli|campi\s+di\s+concentramento|lager)\b")),
        // Rights taken from a group, or its members refused as
        // neighbours: "bisognerebbe togliere il voto alle donne", "chi
        // vorrebbe mai un africano come vicino?".
        (Action::GroupFinding, 0.75, "si negano diritti a un gruppo protetto",
         format!(r"\b(?:togliere|togliamo|togliete|levare|leviamo|levate)\s+(?:il\s+(?:diritto\s+di\s+)?voto|i\s+diritti|la\s+cittadinanza|la\s+patria\s+potesta|i\s+figli|la\s+parola)\s+(?:a|ai|agli|alle|a\s+tutti\s+(?:i|gli)|a\s+tutte\s+le)\s+(?:persone\s+)?({GROUP})\b|\bchi\s+(?:mai\s+)?(?:vorrebbe|vuole|prenderebbe|accetterebbe)\s+(?:mai\s+)?(?:un|una)\s+({ONE})\s+come\s+(?:vicin[oa]|collega|medico|insegnante|maestr[oa]|sindaco|inquilin[oa]|badante|genero|nuora)\b")),
        // Fire set to a home with its people inside.
        (THREAT, 0.85, "minaccia: fuoco alla casa con le persone dentro",
         r"\b(?:do|diamo|daro|daremo|darei|daremmo|dar)\s+fuoco\s+(?:\w+\W+){1,3}?con\s+(?:loro|lui|lei|voi|te|tutti)\s+dentro\b".into()),
        // Threats in the first person, to one or to many, with a verb
        // that can only mean harm ("lo strangolo", "vi ammazzeremo"), or
        // with one that may not ("li brucio io", "lo pesto") after a group
        // is named.
        (THREAT, 0.8, "minaccia diretta di violenza in prima persona",
         format!(r"\b(?:ti|vi|lo|la|li|le|gli|l\W*)\s*(?:{HARM_FIRST_PERSON})\b")),
        (THREAT, 0.8, "minaccia diretta di violenza contro un gruppo nominato prima",
         format!(r"{GROUP_BEFORE}\b(?:ti|vi|lo|la|li|le|gli|l\W*)\s*(?:{HARM_FIRST_PERSON_OF_PEOPLE})\b")),
        (THREAT, 0.8, "minaccia diretta di violenza: \"lo butto giù dal ponte\"",
         format!(r"\b(?:lo|la|li|le|vi|ti|l\W*)\s*(?:butto|buttiamo|buttero|butteremo|butterei|spingo|spingiamo|spingero|spingerei|getto|lancio|lanciamo)\s+(?:giu\s+)?(?:dal|dalla|dalle|dai|dagli|dallo)\s+(?:\w+\s+)?(?:{HEIGHTS})\b")),
        (THREAT, 0.75, "minaccia diretta: \"ve la faremo pagare cara\"",
         r"\bve\s+la\s+(?:faremo|faro|facciamo|faccio)\s+pagare\s*(?:cara|caro|a\s+tutti|a\s+tutte|a\s+(?:uno|una)\s+(?:a|per)\s+(?:uno|una)|,)|\b(?:vi|ti)\s+(?:daremo|diamo|daro|do|darei|daremmo)\s+fuoco\b|\b(?:vi|ti|gli|le)\s+(?:spacchiamo|spaccheremo|spaccherei|spezzo|spezziamo|spezzeremo|rompiamo|romperemo)\s+(?:le\s+ossa|la\s+faccia|le\s+gambe|la\s+testa)\b|\b(?:vi|ti)\s+faccio\s+vedere\s+io\s+(?:cosa\s+succede|come\s+va\s+a\s+finire|chi\s+comanda|di\s+cosa\s+sono\s+capace)|\bstate\s+attenti\s+quando\s+(?:uscite|tornate|girate|passate)\b".into()),
        (THREAT, 0.75, "minaccia: si va armati contro un gruppo",
         format!(r"{GROUP_BEFORE}\b(?:sto\s+arrivando|stiamo\s+arrivando|arrivo|arriviamo|vengo|veniamo|vado|andiamo|andro|andremo|torno|torniamo)\s+(?:\w+\s+){{0,4}}?con\s+(?:la|le|il|i|una|un|delle|dei)\s+(?:{CARRIED_ARMS})\b|\b(?:ho|abbiamo)\s+(?:gia\s+)?preparat\w*\s+(?:la|le|il|i)\s+(?:{CARRIED_ARMS})\b")),
        // The weapon made ready, without a group named: "ho già preparato
        // la spranga per quando rientrano". (Going armed where a group is,
        // with the group named after the weapon, would need a gap before
        // every group name in the rule set: 2 MB of automaton.)
        (THREAT, 0.75, "minaccia: armi preparate per qualcuno",
         format!(r"\b(?:ho|abbiamo)\s+(?:gia\s+)?preparat\w*\s+(?:la|le|il|i)\s+(?:{CARRIED_ARMS})\s+per\s+(?:quando|loro|quei|quegli|quelle|questi|queste|stasera|domani)\b")),
        (THREAT_NORMATIVE, 0.75, "incitamento alla violenza: \"qualcuno dovrebbe dargli fuoco\"",
         format!(r"\bqualcuno\s+(?:dovrebbe|deve|dovra)\s+(?:\w+\s+){{0,6}}?(?:dare|dar|darg\w*|darl\w*)\s+fuoco\b|\bqualcuno\s+(?:dovrebbe|deve)\s+(?:spingere|buttare)\s+(?:\w+\s+){{0,3}}?giu\s+(?:dal|dalla|dalle|dai|dagli)\b|\b(?:qualcuno\s+dovrebbe|bisognerebbe|bisogna|sarebbe\s+ora\s+di|e\s+ora\s+di)\s+(?:\w+\s+){{0,6}}?fare\s+pulizia\s+(?:di|dei|degli|delle)\s+(?:persone\s+)?(?:{GROUP})\b|\bqualcuno\s+dovrebbe\s+(?:dare|darg\w*)\s+una\s+(?:bella\s+)?lezione\s+(?:a|ai|agli|alle)\s+(?:(?:quei|quegli|quelle|questi|queste|sti|tutti\s+(?:i|gli)|tutte\s+le)\s+)?(?:persone\s+)?(?:{GROUP}|{ONE})\b|\b(?:sarebbe\s+giusto|sarebbe\s+ora\s+di|e\s+ora\s+di|bisognerebbe|bisogna|si\s+dovrebbe|dovremmo)\s+prendere\s+a\s+(?:{BLOWS})\s+(?:tutti\s+|tutte\s+)?(?:gli|i|le|quei|quegli|quelle|questi|queste|sti)\s+(?:persone\s+)?(?:{GROUP})\b|\b(?:bisognerebbe|bisogna|si\s+dovrebbero|dovremmo|dobbiamo)\s+(?:eliminar|sterminar|sopprimer|ammazzar|bruciar|far\s+sparir)(?:li|le)\s+tutt[ie]\s*,?\s+(?:i|gli|le|quei|quegli|quelle|questi|queste)\s+(?:persone\s+)?(?:{GROUP})\b|\bsarebbe\s+(?:un\s+favore\s+(?:a|per)\s+tutti|meglio|giusto|ora)\s+(?:se|che)\s+(?:\w+\s+){{0,2}}?(?:{GROUP})\s+(?:\w+\s+){{0,2}}?(?:venissero|fossero|vengano|siano)\s+(?:tutti\s+|tutte\s+)?(?:eliminat|sterminat|soppress|ammazzat|uccis|bruciat|gasat|impiccat|fucilat|pestat|picchiat)[ie]\b|\bcaccia\s+(?:al|all\W*|agli|ai|alle|allo)\s*(?:{ONE}|{GROUP}|nero|neri)\b")),
        (THREAT_NORMATIVE, 0.75, "incitamento alla violenza contro un gruppo nominato prima",
         format!(r"{GROUP_BEFORE}\b(?:vanno|andrebbero|sono\s+da|sarebbero\s+da|dovrebbero\s+essere|devono\s+essere|meriterebbero\s+di\s+essere|meritano\s+di\s+essere)\s+(?:tutti\s+|tutte\s+)?(?:appes[ie]|impalat[ie]|rinchius[ie]\s+e\s+picchiat[ie]|pres[ie]\s+a\s+cannonate|affondat[ie]|pestat[ie]|picchiat[ie]|bastonat[ie]|eliminat[ie]|soppress[ie]|frustat[ie]|sprangat[ie])\b|\b(?:meriterebbero|meritano|meriterebbe|merita|ci\s+vorrebbe|servirebbe|andrebbe\s+data)\s+una\s+(?:bella\s+|sonora\s+)?(?:lezione|ripassata|raddrizzata)\b")),
        (THREAT_NORMATIVE, 0.75, "incitamento alla violenza: \"i barconi vanno affondati\"",
         r"\b(?:barconi|barchini|gommoni|barche\s+dei\s+migranti|navi\s+delle\s+ong)\s+(?:vanno|andrebbero|sono\s+da|dovrebbero\s+essere)\s+(?:pres[ie]\s+a\s+cannonate|affondat[ie]|silurat[ie]|bombardat[ie]|speronat[ie])|\b(?:bisognerebbe|bisogna|basta|basterebbe|si\s+dovrebbero)\s+(?:affondare|silurare|bombardare|speronare|prendere\s+a\s+cannonate)\s+(?:i|quei|questi|sti|tutti\s+i)\s+(?:barconi|barchini|gommoni)\b".into()),
        // Contempt asked as a question: "perché dobbiamo mantenere questi
        // ...?", "non è ora di cacciare i ...?", "quando la smetteremo di
        // tollerare i ...?". Seeing or accepting a group is contempt only
        // with a demonstrative ("perché dobbiamo vedere i disabili lasciati
        // soli?" asks for them).
        (Action::GroupFinding, 0.75, "disprezzo per un gruppo in forma di domanda",
         format!(r"\b(?:perche|per\s+quale\s+motivo)\s+(?:dobbiamo|devo|dovremmo|si\s+deve|dovrei)\s+(?:ancora\s+)?(?:(?:sopportare|mantenere|tollerare|subire)\s+(?:(?:tutti|tutte)\s+)?(?:i|gli|le|questi|queste|sti|ste|quei|quegli|quelle)|(?:vedere|accettare|pagare\s+per)\s+(?:(?:tutti|tutte)\s+)?(?:questi|queste|sti|ste|quei|quegli|quelle))\s+(?:persone\s+)?({GROUP})\b|\bnon\s+(?:e|sarebbe)\s+(?:ora|il\s+caso|meglio)\s+(?:di\s+)?(?:togliere\s+di\s+mezzo|cacciare|mandare\s+via|rimandare\s+(?:a\s+casa|indietro)|curare|rinchiudere|togliere|eliminare|espellere|deportare)\s+(?:(?:tutti|tutte)\s+)?(?:i|gli|le|questi|queste|sti|quei|quegli)\s+(?:persone\s+)?({GROUP})\b|\b(?:quando|fino\s+a\s+quando)\s+(?:la\s+)?(?:smetteremo|smettiamo|dovremo|continueremo)\s+(?:di\s+|a\s+)?(?:tollerare|sopportare|mantenere|subire)\s+(?:(?:tutti|tutte)\s+)?(?:i|gli|le|questi|queste|sti|quei|quegli)\s+(?:persone\s+)?(?:\w+\s+)?({GROUP})\b")),
        // Women called whores as a whole: "tutte puttane", "queste zoccole".
        (Action::Finding(Category::Discrimination, None, Some(DiscriminationTarget::Gender)), 0.8, "insulto sessista rivolto alle donne in quanto tali",
         r"\b(?:tutte|queste|quelle|ste|solo)\s+(?:puttane|troie|zoccole|mignotte|baldracche|sgualdrine|bagasce)\b|(?:^|[.!?,;:]\s*)(?:puttane|troie|zoccole|mignotte)\s*,?\s+(?:tutte|ecco\s+cosa\s+sono)\b|\bcagne\s+in\s+calore\b".into()),
        // "un nero non potrà mai essere italiano".
        (Action::GroupFinding, 0.75, "si nega a una persona l'appartenenza per il suo gruppo",
         format!(r"\b(?:un|una|nessun|nessuna)\s+({ONE}|nero|nera|donna)\s+(?:non\s+)?(?:potra|sara|puo|e|restera)\s+mai\s+(?:essere\s+|diventare\s+)?(?:italian[oa]|come\s+noi|normale|un\s+vero\s+uomo|una\s+vera\s+donna|all\W*altezza)\b")),
        // A trans woman called a man in disguise: the identity denied.
        (ORIENTATION, 0.8, "si nega l'identità delle persone trans",
         r"\b(?:trans|transessual[ie]|transgender|donne\s+trans)\s+(?:sono|restano|rimangono|saranno\s+sempre|resta|restera|rimane|rimarra|e|sara)\s+(?:sempre\s+)?(?:un\s+)?(?:solo\s+|sempre\s+)?(?:degli\s+)?(?:uomini|maschi|uomo|maschio)\s+(?:travestit\w*|vestiti\s+da\s+donna|mascherat\w*|con\s+la\s+parrucca|e\s+basta)|\b(?:trans|transessual[ie]|transgender)\s+non\s+(?:sono|saranno\s+mai)\s+(?:donne\s+vere|vere\s+donne|uomini\s+veri|veri\s+uomini)\b".into()),
        (Action::GroupFinding, 0.75, "si negano diritti o l'esistenza a un gruppo protetto",
         format!(r"\b(?:gli|i|le|questi|queste|sti)\s+(?:persone\s+)?({GROUP})\s+non\s+(?:dovrebbero|devono|meritano\s+di)\s+(?:avere\s+(?:diritti|nessun\s+diritto|gli\s+stessi\s+diritti|il\s+diritto\s+di\s+(?:vivere|esistere|votare))|votare|lavorare|esistere|vivere|nascere)\b")),
        (Action::GroupFinding, 0.6, "si invoca la cacciata di un gruppo",
         format!(r"\b(?:fuori|via)\s+(?:i|gli|le|tutti\s+gli|tutti\s+i)\s+({GROUP})\b")),
        (ETHNICITY, 0.75, "si invoca la cacciata degli stranieri",
         r"\b(?:rimandiamoli|rimandateli|rispediamoli|rispediteli|cacciamoli|cacciateli|affondiamoli|affondateli|affondate\s+i\s+barconi|tornatevene\s+(?:a\s+casa|al\s+vostro\s+paese|in\s+africa)|tornate\s+(?:al\s+vostro\s+paese|in\s+africa)|a\s+casa\s+loro)\b".into()),
        (GENDER, 0.8, "stereotipo sessista contro le donne",
         r"\b(?:le\s+donne|la\s+donna|le\s+femmine|una\s+donna)\s+(?:devono|dovrebbero|deve|dovrebbe)\s+(?:stare\s+(?:a\s+casa|in\s+cucina|zitt\w*)|tacere|obbedire|pensare\s+(?:alla\s+casa|ai\s+figli))".into()),
        (GENDER, 0.75, "stereotipo sessista contro le donne",
         r"\b(?:le\s+donne|una\s+donna|le\s+femmine)\s+(?:sono\s+|e\s+)?(?:(?:buone|brave|capaci|fatte|utili)\s+solo\s+(?:a|per|in)|troppo\s+(?:emotiv\w*|isteric\w*|debol\w*|stupid\w*|sensibil\w*)\s+per|(?:al\s+potere|in\s+politica|al\s+comando)\s+(?:sono|e)\s+un\s+disastro)\b".into()),
        // The classic antisemitic accusations, as the IHRA working
        // definition of antisemitism lists them (adopted by the Italian
        // government in 2020): the conspiracy, greed, deicide and blood
        // libel, denial of the Holocaust (an aggravating circumstance under
        // art. 604-bis c.p.), dual loyalty. A gap of characters follows
        // only a rare word (a word for Jews, "olocausto"): after a common
        // one ("euro", "governo") it grew the set's lazy DFA, and the
        // memory of `piazza analyze`, by 17 MB. "Giudei" is the word of these
        // accusations today; in history and in the Scripture it is the
        // ordinary one (`senses::Sense::Historical`), and none of these
        // patterns is a word alone.
        (JEWS, 0.8, "stereotipo antisemita: il complotto",
         format!(r"\b(?:{JEWS_PLURAL}|{JEWS_POWER}|i\s+sionisti)\s+(?:{NOT_NON}\s+){{0,3}}?(?:controllano|controlla|comandano|governano|possiedono|dominano|manovrano|si\s+compra\w*|comprano\s+tutto|hanno\s+comprato|decidono\s+tutto|tengono\s+in\s+pugno|hanno\s+in\s+mano|tirano\s+i\s+fili|muovono\s+i\s+fili|c\W*e\s+dietro|ci\s+sono\s+dietro|stanno\s+dietro)\b")),
        (JEWS, 0.75, "stereotipo antisemita: il complotto",
         format!(r"\b(?:comprat\w*|pagat\w*|finanziat\w*|manovrat\w*|controllat\w*|in\s+mano|vendut\w*|servi|serva|servo|schiav\w*|sottomess\w*|inginocchia\w*|in\s+ginocchio\s+davanti|prostra\w*|leccapiedi|lecca\w*\s+i\s+piedi|pupazz\w*|burattin\w*|marionett\w*|zerbin\w*)\s+(?:a|ai|agli|al|alla|dai|dagli|dal|dalla|dei|degli|del|della)\s+(?:{JEWS_BARE}|{JEWS_POWER}|rabbin\w*|sionisti)\b|\b\bdietro\s+(?:\w+\s+){{0,4}}?c\W*e\s+(?:{JEWS_POWER})\b|\b(?:giornali|banche|media|tv|televisione|televisioni|hollywood|cinema|film|finanza|governo|politici|partiti|multinazionali)\s+(?:\w+\s+)?(?:sono\s+(?:tutti\s+|tutte\s+)?(?:degli|dei|in\s+mano\s+agli)|in\s+mano\s+agli|(?:roba|cosa)\s+degli|li\s+fanno\s+gli)\s+(?:ebrei|giudei)\b")),
        (JEWS, 0.75, "stereotipo antisemita: l'avidità",
         format!(r"\b(?:{JEWS_BARE}|{JEWS_ONE})\b[^.!?]{{0,30}}?\b(?:usurai\w*|strozz\w*|avidi|avide|tirchi|tirchie|spilorc\w*|taccagn\w*)\b|\b(?:usurai\w*|strozzin\w*|tirchi\w*|avar[oia]|spilorc\w*|taccagn\w*)\s+(?:\w+\s+)?(?:come\s+)?(?:un\s+|una\s+|gli\s+|i\s+)?(?:{JEWS_BARE}|{JEWS_ONE})\b|\b(?:fare|faccio|fai|fa|fanno|fate)\s+(?:mica\s+)?l\W*ebreo\b|\broba\s+da\s+(?:ebrei|giudei)\b|\b(?:soldi|euro|centesim\w*|prezz\w*|conti|contare|pagare|sganciare)\s+(?:\w+\s+){{0,4}}?(?:come|peggio\s+di|meglio\s+di|piu\s+di)\s+(?:un|una|gli|i)\s+(?:{JEWS_BARE}|{JEWS_ONE})\b|\b(?:{JEWS_BARE}|{JEWS_ONE})\b[^.!?]{{0,50}}?\b(?:(?:fatti|fanno|fare|farsi|fa)\s+(?:i\s+)?soldi\s+sull[ae]\s+(?:spalle|pelle)|si\s+sono\s+(?:sempre\s+)?fatti\s+i\s+soldi|pensano\s+solo\s+ai\s+soldi|attaccati\s+ai\s+soldi|fiutan\w*|annusan\w*\s+i\s+soldi|(?:ci|vi|ti|mi)\s+(?:spenn|spell|succhi|dissangu)\w*|(?:il\s+)?(?:soldo|soldi|denaro)\s+nel\s+(?:dna|sangue))")),
        (JEWS, 0.8, "stereotipo antisemita: l'accusa di deicidio o di omicidio rituale, il popolo maledetto",
         format!(r"\b(?:{JEWS_BARE})\b[^.!?]{{0,40}}?\b(?:(?:hanno\s+ucciso|uccisero|hanno\s+ammazzato|ammazzarono|(?:ad?\s+)?uccidere|ad\s+ammazzare)\s+(?:cristo|gesu|nostro\s+signore)|(?:lo\s+)?(?:hanno\s+crocifisso|crocifissero|hanno\s+messo\s+in\s+croce|misero\s+in\s+croce)|(?:tradire|tradito)\s+e\s+crocifi\w*)\b|\b(?:popolo|tempio|razza|gente)\s+(?:di\s+)?deicid\w*|\bdeicidi\b|\b(?:{JEWS_BARE})\s+deicid\w*|\bassassini\s+di\s+(?:cristo|gesu)\b|\bperfidi\s+giudei\b|\b(?:{JEWS_BARE})\s+(?:sono|siete|erano|restano|resteranno|saranno)\s+(?:tutti\s+|ancora\s+|per\s+sempre\s+)?maledett\w*\b|\bmani\s+sporche\s+del\s+sangue\s+di\s+(?:cristo|gesu)\b|\bsangue\s+di\s+(?:cristo|gesu)\s+ricad\w*|\b(?:{JEWS_BARE})\b[^.!?]{{0,40}}?\b(?:avvelen\w*\s+(?:i\s+)?pozzi|omicidi\w*\s+ritual\w*|sangue\s+(?:dei|di)\s+(?:bambini|cristiani))|\b(?:avvelen\w*\s+(?:i\s+)?pozzi|omicidi\w*\s+ritual\w*)\b[^.!?]{{0,40}}?\b(?:{JEWS_BARE})\b|\b(?:ammazzat|uccis|sgozzat|torturat|dissanguat)\w*\s+(?:dagli|dai)\s+(?:ebrei|giudei)\b[^.!?]{{0,30}}?\brit\w*")),
        (JEWS, 0.8, "negazione o minimizzazione della Shoah",
         format!(r"\b(?:olocausto|shoah|sterminio\s+degli\s+ebrei|camere\s+a\s+gas|forni\s+crematori|sei\s+milioni)\b[^.!?]{{0,40}}?\b(?:(?:e|sono|fu|era)\s+(?:stat[oaie]\s+)?(?:solo\s+|tutta\s+)?(?:un\W*|una\s+|un\s+)?(?:grand\w*\s+|enorm\w*\s+|colossal\w*\s+|gigantesc\w*\s+)?(?:invenzion\w*|bufal\w*|mito|favol\w*|menzogn\w*|montatur\w*|balla|balle|truffa|esagerazion\w*|propaganda)|non\s+(?:e|sono)\s+mai\s+(?:esistit\w*|success\w*|avvenut\w*)|mai\s+esistit\w*|inventat\w*|gonfiat\w*|esagerat\w*)|\b(?:{JEWS_BARE})\b[^.!?]{{0,40}}?\b(?:si\s+sono\s+inventat\w*|hanno\s+inventato|inventano|esagerano|gonfia\w*|speculano\s+sull\w*|ci\s+(?:marciano|lucrano|speculano)|ci\s+hanno\s+costruito\s+(?:sopra\s+)?(?:un\s+)?(?:business|affare)|(?:fa|fare|fanno)\s+(?:sempre\s+|solo\s+|ancora\s+)?(?:le|la)\s+vittim\w*|(?:fa|fare|fanno)\s+(?:sempre\s+|solo\s+|ancora\s+)?i\s+perseguitati)|\b(?:storiell\w*|favol\w*|balle|leggend\w*|mito|bufal\w*|menzogn\w*|truff\w*)\s+(?:della|dei|delle|dell\W*|sulla|sui|sulle|sull\W*)\s*(?:shoah|olocausto|lager|camere\s+a\s+gas|sterminio|forni|deportazion\w*|sei\s+milioni)\b|\b(?:olocausto|shoah|sterminio)\s*\?\s*(?:ma\s+)?(?:quale|quando\s+mai|ma\s+va|ma\s+dai|figuriamoci)\b|\b(?:sei|6)\s+milioni\b\s*\??\s*(?:ma\s+)?(?:quando\s+mai|figuriamoci|ma\s+va|ma\s+dai|si\s+certo|impossibile)\b|\bnon\s+(?:sono|erano|furono)\s+(?:mai\s+)?(?:morti|stati\s+uccisi|stati\s+sterminati)\s+(?:sei|6)\s+milioni\b|\b(?:camere\s+a\s+gas|forni(?:\s+crematori)?)\s+(?:\w+\s+){{0,3}}?(?:servivano|erano|usati|usate)\s+(?:solo\s+)?(?:per|a)\s+(?:i\s+|le\s+)?(?:pidocchi|disinfest\w*|disinfett\w*|morti\s+di\s+(?:tifo|malattia)|cremare)|\bmort[io]\s+di\s+tifo\b[^.!?]{{0,15}}?\bnon\s+(?:di|col|nelle|per\s+il)\s+gas\b|\b(?:lager|campi)\s+(?:\w+\s+){{0,3}}?(?:erano|era)\s+(?:solo\s+|soltanto\s+)?campi\s+di\s+lavoro\b|\b(?:leggete\w*|studiate\w*|informatevi\s+sui|hanno\s+ragione\s+i)\s+(?:i\s+)?(?:revisionist\w*|negazionist\w*)|\banna\s+frank\b[^.!?]{{0,60}}?\b(?:biro|falso|inventat\w*|scritto\s+dal\s+padre)\b|\bbasta\s+(?:con\s+)?(?:la|sta|questa)\s+(?:shoah|olocausto)\b")),
        (JEWS, 0.75, "stereotipo antisemita: la doppia lealtà",
         format!(r"\b(?:{JEWS_BARE})\b[^.!?]{{0,30}}?\b(?:fedeli|leali|obbediscono)\s+(?:solo\s+)?(?:a|ad)\s+israele\b|\b(?:tornatevene|tornate|andatevene|andate|tornino|vadano|se\s+ne\s+vadano|andarsene|tornare|rimandiamoli|rimandateli)\s+(?:tutti\s+)?(?:nel\s+loro\s+|a\s+)?(?:in\s+)?israele\b|\bdoppia\s+(?:fedelta|lealta)\b")),
        (GENDER, 0.75, "stereotipo sessista contro le donne",
         r"\b(?:torna(?:te)?\s+(?:in|a)\s+(?:cucina|lavare\s+i\s+piatti|fare\s+la\s+calza)|donne\s+al\s+volante|sei\s+solo\s+una\s+donna|roba\s+da\s+femmine|le\s+donne\s+non\s+(?:capiscono|sanno|servono))".into()),
        (ORIENTATION, 0.8, "l'omosessualità presentata come malattia o contro natura",
         r"\b(?:gay|omosessual\w*|lesbic\w*|trans|l\W*omosessualita|essere\s+gay)\s+(?:e|sono)\s+(?:una\s+|un\s+|dei\s+|delle\s+)?(?:malattia|malati|malate|contro\s+natura|perversione|pervertiti|innaturale|abominio|anormali|deviati|schifo)".into()),
        (ORIENTATION, 0.55, "l'omosessualità presentata come contro natura",
         r"\bcontro\s+natura\b".into()),
        // ------------------------------------------------ counter-speech
        (Action::CounterSpeech, 0.8, "chi riporta parole d'odio per condannarle",
         r"\b(?:chi|quelli\s+che|quelle\s+che|coloro\s+che|gente\s+che|chiunque|persone\s+che)\s+(?:\w+\s+){0,2}?(?:dice|dicono|scrive|scrivono|chiama|chiamano|urla|urlano|grida|gridano|insulta|insultano|augura|augurano|pensa|pensano)\b".into()),
        (Action::CounterSpeech, 0.8, "condanna di espressioni d'odio",
         r"\b(?:non\s+si\s+(?:puo|deve|dovrebbe)\s+(?:piu\s+)?(?:dire|scrivere|chiamare|leggere|sentire)|(?:basta|smettetela|smettila)\s+(?:di|con)\s+(?:dire|chiamare|scrivere|insultare|il\s+razzismo|l\W*odio|l\W*omofobia)|(?:e|sono)\s+(?:stat[oaie]\s+)?(?:chiamat[oaie]|insultat[oaie]|apostrofat[oaie])|(?:gli|le|mi|ci)\s+(?:hanno|ha)\s+(?:detto|urlato|gridato|scritto|dato\s+del|chiamat[oaie]))".into()),
        (Action::HateReport, 0.0, "riferimento a un atto o a parole d'odio o a chi li ha compiuti",
         r"\b(?:(?:chi|che)\s+(?:ha|hanno)\s+(?:\w+\s+)?(?:scritto|imbrattato|disegnato|sfregiato|vandalizzato|insultato|aggredito|picchiato|lanciato|bruciato|distrutto|spezzato|danneggiato|profanato|offeso|minacciato|deriso|preso\s+in\s+giro|sputato)|(?:scritte|svastiche|insulti|offese|frasi|commenti|cori|striscioni|minacce|battute)\s+(?:\w+\s+){0,3}?(?:contro|razzist\w*|antisemit\w*|omofob\w*|transfob\w*|sessist\w*|offensiv\w*|d\W*odio)|(?:ho\s+letto|leggo|leggere|ho\s+sentito|c\W*e\s+chi|c\W*e\s+gente\s+che)\s+(?:\w+\s+){0,3}?(?:commenti|frasi|scritte|cose|parole|tipo|che)|(?:ho\s+letto|leggo|ho\s+sentito)\s+(?:\w+\s+){0,3}?QUOTE\s?\w+|(?:urlavano|urlava|gridavano|gridava|cantavano|cantava|scandivano|hanno\s+urlato|hanno\s+gridato|hanno\s+cantato)\s+(?:\w+\s+){0,2}?QUOTE\s?\w+|(?:scrivere|scritto|scritta|scritte)\s+(?:\w+\s+){0,2}?QUOTE\s?\w+|(?:atto|atti|gesto|gesti)\s+(?:\w+\s+)?(?:d\W*odio|vil\w*|vigliacc\w*|razzist\w*|antisemit\w*|omofob\w*|vergognos\w*)|(?:certi|questi|sti|tanti|alcuni|nei|dei|sui|vostri)\s+commenti|\w+\s?QUOTE\s+(?:\w+\s+)?(?:scrivete|scrivi|scrive|scrivono|dite|dici|dice|dicono|commentate)|se\s+la\s+prend\w*\s+con|dare\s+la\s+colpa\s+(?:a|ad|ai|agli|alle|alla)|(?:dare|da|danno|date|dai)\s+del(?:la|lo|l)?\s+\w+\s+(?:a|ad)|leoni\s+da\s+tastiera|(?:lapidi|lapide|tombe|tomba|croci|moschea|moschee|sinagoga|sinagoghe|pietre\s+d\W*inciampo|pietra\s+d\W*inciampo|targa|targhe|murales|monumento|panchina\s+arcobaleno|bandiera\s+arcobaleno)\s+(?:\w+\s+){0,5}?(?:sfregiat\w*|vandalizzat\w*|imbrattat\w*|profanat\w*|spezzat\w*|distrutt\w*|danneggiat\w*|bruciat\w*|divelt\w*|deturpat\w*|rovesciat\w*))\b".replace("QUOTE", "\"")),
        (Action::Rebuttal, 0.0, "si smentisce un'affermazione",
         r"\b(?:bugie|bugia|falsita|pregiudizi\w*|luoghi\s+comuni|fake\s+news|disinformazione)\b".into()),
        (Action::Defence, 0.0, "difesa della dignità di un gruppo",
         r"\b(?:sono\s+(?:esseri\s+umani|nostri\s+vicini|vicini\s+di\s+casa|nostri\s+concittadini|fratelli)|sono\s+(?:persone|cittadini|bambini|ragazzi|lavoratori|italiani|esseri\s+umani|famiglie)\s+come\s+(?:noi|tutti|gli\s+altri|te|voi|i\s+nostri)|siamo\s+tutti\s+(?:uguali|umani|esseri\s+umani|fratelli|persone)|restiamo\s+umani|pagano\s+le\s+tasse|(?:questa\s+)?e\s+casa\s+loro|lasciateli\s+(?:in\s+pace|stare|vivere|campa\w*)|nessuno\s+merita|che\s+(?:problema|male)\s+(?:avete|hai|vi\s+hanno\s+fatto|v\W*hanno\s+fatto|ti\s+hanno\s+fatto)|ogni\s+volta\s+che\s+si\s+parla\s+di|(?:smett\w+|basta)\s+(?:di|con\s+lo|con\s+il)\s+(?:dare\s+la\s+colpa|generalizzare|insultare|offendere|prendersela)|non\s+(?:e|sono)\s+(?:un\s+|una\s+)?(?:insult\w*|malatti\w*|colpa|peso|offes\w*))\b".into()),
        (Action::Respect, 0.0, "rispetto per un gruppo",
         format!(r"\b(?:amo|adoro|stimo|rispetto)\s+(?:tutti\s+|tutte\s+)?(?:gli|i|le|questi|queste)\s+(?:persone\s+)?(?:{GROUP})\b|\b(?:{GROUP})\s+(?:sono|siete|saranno|sono\s+sempre|siano)\s+(?:i\s+|le\s+)?benvenut\w*|\bbenvenut\w*\s+(?:ai|agli|alle|a\s+tutti\s+(?:i|gli)|a\s+tutte\s+le)\s+(?:nuovi\s+|nuove\s+)?(?:{GROUP})\b|\b(?:{GROUP})\s+meritano\s+(?:il\s+)?rispetto|\brispetto\s+per\s+(?:i|gli|le|tutti\s+i|tutti\s+gli|tutte\s+le)\s+(?:persone\s+)?(?:{GROUP})\b|\b(?:{GROUP})\s+non\s+sono\s+(?:tutti\s+|tutte\s+|affatto\s+|mica\s+)?(?:dei\s+|delle\s+|degli\s+|un\s+|una\s+)?(?:criminali|delinquenti|terroristi|ladri|stupratori|bestie|animali|inferiori|malati|malate|parassiti|pericolos\w*|un\s+pericolo|una\s+minaccia|diversi\s+da\s+noi)\b|\b(?:tutte\s+le\s+(?:religioni|fedi|culture)|(?:i|gli|le)\s+(?:{GROUP}))\s+(?:vanno|devono\s+essere|meritano\s+di\s+essere)\s+rispettat\w*|\b(?:fuori|via)\s+(?:i\s+)?(?:razzisti|xenofobi|omofobi|antisemiti)\b[^.!?]{{0,30}}?\bnon\s+(?:i|gli|le)\s+(?:{GROUP})\b|\bsono\s+(?:persone|gente)\s+(?:meraviglios\w*|splendid\w*|fantastic\w*|perbene|onest\w*|straordinari\w*|per\s+bene)\b|\b(?:non\s+sopporto|non\s+tollero|odio|detesto|mi\s+fa\s+schifo|mi\s+fanno\s+schifo|mi\s+vergogno\s+di)\s+(?:chi|quelli\s+che|quelle\s+che|la\s+gente\s+che|le\s+persone\s+che)\s+(?:insulta\w*|offend\w*|discrimin\w*|attacc\w*|picchia\w*|maltratt\w*|tratta\w*\s+male|se\s+la\s+prend\w*|deride\w*|prende\w*\s+in\s+giro)|\bmi\s+fa\s+(?:schifo|rabbia|male)\s+come\s+(?:trattano|vengono\s+trattat\w*|si\s+trattano)|\bmi\s+fa(?:nno)?\s+(?:ridere|pena|tenerezza|sorridere)\s+(?:tutti\s+)?(?:chi|quelli\s+che|quelle\s+che|la\s+gente\s+che|le\s+persone\s+che)\s+{AGAINST}\s+(?:\w+\s+){{0,5}}?(?:{GROUP}|{THEIRS})\b|\b(?:chi|quelli\s+che|quelle\s+che)\s+{AGAINST}\s+(?:\w+\s+){{0,5}}?(?:{GROUP}|{THEIRS})\b[^.!?]{{0,40}}?\bmi\s+fa(?:nno)?\s+(?:ridere|pena|tenerezza|sorridere)\b|\bgrazie\s+(?:di\s+cuore\s+|mille\s+|ancora\s+)?(?:a\s+tutta\s+)?(?:alla|a)\s+comunita\s+(?:\w+\s+){{1,2}}?per\b|\b(?:ramadan|eid)\s+mubarak\b|\bshabbat\s+shalom\b|\b(?:buon|buona|felice)\s+(?:ramadan|eid|hanukkah|hannukkah|chanukah|pesach|pasqua\s+ebraica|capodanno\s+cinese|diwali)\b|\bauguri\s+(?:di\s+cuore\s+)?(?:a\s+tutti\s+|a\s+tutte\s+)?(?:a|ai|agli|alle|alla)\s+(?:nostri\s+|nostre\s+|concittadini\s+|concittadine\s+|amici\s+|comunita\s+)?(?:{GROUP}|islamica|ebraica|musulmana|cinese)\b")),
        (Action::UnprotectedTarget, 0.0, "rabbia verso persone non protette come gruppo (autori di reati, tifosi, automobilisti...)",
         {
             let who = r"(?:politici|politicanti|giornalisti|giornalai|influencer|vegani|vegan|animalisti|ambientalisti|banchieri|burocrati|sindacalisti|parlamentari|pedofil\w*|stuprator\w*|violentator\w*|spacciator\w*|mafios\w*|camorrist\w*|corrott\w*|evasori|evasore|assassin\w*|truffator\w*|bulli|bullo|vandali|teppist\w*|borseggiator\w*|scippator\w*|molestator\w*|maltrattator\w*|bracconier\w*|ladri|ladro|delinquenti|criminali|furbetti|incivili|maleducati|automobilisti|ciclisti|monopattini|fumatori|tifosi|ultras|juventini|interisti|milanisti|romanisti|laziali|no\s+vax|novax|padroni\s+(?:di|dei)\s+cani|avvocati|notai|commercialisti|tassisti|commercianti|negozianti|ristoratori|turisti|vigili|dipendenti\s+pubblici|statali|assessori|consiglieri|motociclisti|cacciatori)";
             format!(r"\b(?:odio|odiamo|detesto|detestiamo|disprezzo|non\s+sopporto|non\s+sopportiamo|a\s+morte|mi\s+fanno\s+schifo)\s+(?:tutti\s+|tutte\s+)?(?:i|gli|le|questi|queste|sti|quei|quegli)\s+{who}\b|\b{who}\s+di\s+merda\b|\b(?:i|gli|le|questi|queste|sti|quei|quegli)\s+{who}\s+(?:(?:della|del|dello|dei|degli|delle|di|dell\W*)\s*(?:\w+\s+){{1,2}}?|\w+\s+)?(?:che\s+(?:[a-z]+\s+){{1,5}}?)?(?:sono|vanno|devono|dovrebbero|meritano|mi\s+fanno|fanno\s+(?:tutti\s+)?(?:schifo|pena|ridere)|rompono)\b")
         }),
        // Anger at one person, addressed or named by a role, or at one
        // thing: "sei un idiota, Marco", "il vicino del terzo piano è un
        // rompiscatole", "odio questa stampante, è una schifezza".
        // "sei" addresses one person; the word after the article is part
        // of the match, so that a slur or a misogynous insult ("sei una
        // troia") is not taken for anger at one person.
        (Action::OneTarget, 0.0, "rabbia verso una persona o una cosa, non verso un gruppo",
         format!(r"{ONE_BEFORE}\b(?:(?:e|sei)\s+(?:proprio\s+|davvero\s+|veramente\s+|solo\s+|anche\s+)?(?:un|una|uno)\s+[a-z]+|fa\s+(?:veramente\s+|proprio\s+|davvero\s+)?(?:pena|schifo|cagare|ribrezzo|vomitare)|(?:odio|detesto)\s+(?:questo|questa|quel|quello|quella|sto|sta)\s+[a-z]+)\b")),
        (Action::Condemnation, 0.0, "condanna",
         r"\b(?:razzis\w*|omofob\w*|transfob\w*|sessis\w*|misogin\w*|xenofob\w*|vergogn\w*|inaccettabil\w*|intollerabil\w*|vomit\w*|istigazion\w*|ignoranz\w*|ignobil\w*|denunciat\w*|denuncia|condann\w*|discrimin\w*|odio|disgust\w*|squallid\w*|solidarieta)".into()),
        // ------------------------------------------------ intents
        (Action::Intent(Intent::Complaint), 0.75, "segnalazione di un problema (da inoltrare all'URP)",
         r"\b(?:buca|buche|voragin\w*|lampion\w*|illuminazione|luce\s+(?:spenta|rotta)|luci\s+spente|rifiuti|spazzatura|immondizia|cassonett\w*|raccolta\s+differenziata|marciapied\w*|allagat\w*|allagament\w*|tombin\w*|perdita\s+d\W*acqua|semafor\w*\s+(?:rott|spent|guast)\w*|strada\s+dissestata|asfalto|erba\s+alta|sfalcio|potatura|degrado|sporcizia|escrementi|deiezioni|topi|zanzare|rumore|schiamazzi|guasto|guasta|rotto|rotta|non\s+funziona\w*|disservizi\w*|segnalo|vorrei\s+segnalare|volevo\s+segnalare|segnalazione|parcheggio\s+selvaggio|abbandonat\w*|discarica\s+abusiva|scuolabus|fontanella|la\s+(?:prossima|prox)\s+(?:volta\s+)?(?:mettete|preparate|prevedete|organizzate|pensate|aggiungete|portate|ricordatevi))\b".into()),
        (Action::Intent(Intent::CrimeReport), 0.75, "denuncia di un possibile reato (da indirizzare alle forze dell'ordine)",
         r"\b(?:furto|furti|scippo|scippi|spaccio|spacciano|spacciatori|rapina|rapine|borseggi\w*|effrazione|tentato\s+furto|ladri\s+in\s+(?:casa|azione)|(?:mi|ci|gli|le|hanno|stanno|e\s+stat[oa]|sono\s+stat[ie])\s+(?:\w+\s+)?(?:rubat\w*|rubando|scippat\w*|aggredit\w*|derubat\w*|truffat\w*|vandalizzat\w*|svaligiat\w*|picchiat\w*|molestat\w*|spacciando)|ho\s+visto\s+(?:\w+\s+){0,3}(?:rubare|spacciare|rompere|scassinare|picchiare))\b".into()),
        (Action::Intent(Intent::ServiceRequest), 0.7, "richiesta di un servizio o di informazioni su una pratica",
         r"\b(?:modulo|moduli|modulistica|istanza|istanze|domanda\s+(?:di|per)|certificat\w*|carta\s+d\W*identita|anagrafe|cambio\s+di\s+residenza|residenza|iscrizione|iscrivere|prenotare|prenotazione|appuntamento|rimborso|contributo|bonus|permesso|autorizzazione|pass\s+disabili|contrassegno|tari|imu|bollettino|rilascio|rinnovo|come\s+(?:si\s+fa|faccio|posso|fare)\s+(?:a|per)|a\s+chi\s+(?:devo|posso)\s+rivolgermi|dove\s+(?:posso|devo)\s+(?:richiedere|presentare|ritirare))\b".into()),
        (Action::Intent(Intent::Criticism), 0.6, "critica all'amministrazione (opinione legittima)",
         r"\b(?:vergogna|vergognatevi|vergognoso|vergognosa|vergognosi|incapac\w*|incompetent\w*|dilettant\w*|inettitudine|dimettetevi|dimettiti|si\s+dimetta|dimissioni|non\s+(?:ha|hanno|avete|hai|abbiamo)\s+fatto\s+(?:niente|nulla)|non\s+(?:fate|fa|fanno|fai)\s+(?:niente|nulla|mai\s+niente)|pessim\w*|ridicol\w*|scandal\w*|inutil\w*|assent\w*|presa\s+in\s+giro|prendete\s+in\s+giro|soldi\s+buttati|sprec\w*|promesse\s+(?:mancate|non\s+mantenute)|solo\s+chiacchiere|sempre\s+peggio|indecente|indegn\w*|mai\s+vist\w*|complimenti\s+(?:per|a|davvero)|bravi\s+bravi|che\s+schifo|fate\s+schifo|non\s+siete\s+capaci|amministrazione\s+(?:assente|incapace|fallimentare)|e\s+una\s+vergogna)\b".into()),
        (Action::AdminRef, 0.0, "riferimento all'amministrazione",
         r"\b(?:sindac\w*|giunta|assessor\w*|comune|amministrazion\w*|amministrator\w*|consiglier\w*|govern\w*|vigili|polizia\s+locale|uffici\w*|dirigent\w*|politic\w*|voi|avete|siete|fate)\b".into()),
        // ------------------------------------------------ personal case
        (PERSONAL_CASE, 0.6, "caso personale portato sulla pagina pubblica",
         r"\b(?:(?:mio|mia|miei|mie)\s+(?:figlio|figlia|figli|madre|padre|mamma|papa|marito|moglie|nonno|nonna|suocer\w*|pratica|domanda|caso|situazione|bolletta|multa|richiesta|contratto|pensione|ricorso|sfratto|casa\s+popolare|invalidita)|il\s+mio\s+caso|(?:io\s+)?sono\s+(?:disoccupat\w*|invalid\w*|malat\w*|separat\w*|sfrattat\w*|senza\s+casa|senza\s+lavoro|in\s+graduatoria)|ho\s+(?:presentato|fatto|inviato|mandato)\s+(?:la\s+|una\s+)?(?:domanda|richiesta|ricorso|istanza|pec)|mi\s+(?:hanno|avete)\s+(?:multato|sfrattato|negato|rifiutato|respinto|tolto|escluso))\b".into()),
        // ------------------------------------------------ commercial
        (COMMERCIAL, 0.8, "invito a contattare in privato per affari",
         r"\b(?:scrivimi|contattami|contattatemi|scrivetemi|chiamami|chiamatemi|contattaci|scriveteci|info|informazioni|ordini)\s+(?:\w+\s+)?(?:su|in|al|via|per|tramite)\s+(?:whatsapp|whats\s+ap|wa|telegram|dm|direct|privato|pv|messenger|instagram|email)\b".into()),
        (COMMERCIAL, 0.7, "promozione di un'attività privata",
         r"\b(?:vendo|vendesi|affittasi|offro|offriamo|offerta\s+speciale|sconto\s+del|sconti|promo|promozione|saldi|a\s+soli|a\s+partire\s+da|spedizione\s+gratuita|consegna\s+a\s+domicilio|ordina\s+ora|acquista\s+ora|compra\s+ora|shop\s+online|visita(?:te)?\s+(?:il\s+)?(?:mio|nostro)\s+(?:negozio|sito|profilo|shop)|seguite\s+la\s+(?:mia|nostra)\s+pagina|metti\s+mi\s+piace\s+alla|codice\s+(?:sconto|promo|invito|referral))\b".into()),
        (Action::Selling, 0.0, "parole di vendita",
         r"\b(?:vendo|vendesi|vendita|affitto|affittasi|offro|offerta|prezzo|prezzi|sconto|soli|spedizione|disponibile|disponibili|pezzi|listino|ordina)\b".into()),
        // Found in the same pass as every other rule: the special-category
        // scanner runs only on the comments that have one of these words.
        (Action::SpecialTrigger, 0.0, "parola di una categoria particolare di dati",
         format!(r"\b(?:{})\b", crate::special::trigger_words().iter().map(|w| regex::escape(w)).collect::<Vec<_>>().join("|"))),
        (Action::Price, 0.0, "prezzo",
         r"(?:\b\d+(?:[.,]\d+)?\s*(?:€|euro|eur)\b|€\s*\d+)".into()),
        // ------------------------------------------------ spam
        (SPAM, 0.8, "proposta di guadagno facile (spam)",
         r"\b(?:guadagna\w*\s+(?:da\s+casa|online|facilmente|subito|\d+)|lavora\w*\s+da\s+casa|guadagno\s+facile|soldi\s+facili|reddito\s+extra|entrate\s+extra|investimento\s+garantito|raddoppia\w*\s+(?:i\s+)?(?:tuoi\s+)?soldi|bitcoin|criptovalut\w*|crypto|forex|trading\s+online|hai\s+vinto|vinci\s+(?:un|una|subito)|clicca\s+(?:qui|sul\s+link|il\s+link)|link\s+in\s+bio|iscriviti\s+al\s+mio\s+canale|segui(?:te)?mi\s+su|visita\s+il\s+mio\s+profilo|ho\s+guadagnato\s+\d+)\b".into()),
        // ------------------------------------------------ political propaganda
        (PROPAGANDA, 0.8, "appello al voto",
         r"\b(?:votate|votiamo|votatemi|votami|votatelo|votatela|votateli|vota\s+(?:la\s+lista|il\s+candidato|la\s+candidata)|votare\s+(?:per|il\s+candidato|la\s+candidata|la\s+lista)|il\s+mio\s+voto\s+(?:a|va\s+a|andra\s+a)|date\s+il\s+vostro\s+voto|barrate?\s+il\s+simbolo|scrivete\s+(?:il\s+nome|sulla\s+scheda)|preferenza\s+(?:a|per)\s+\w+|sostenete\s+(?:la\s+lista|il\s+candidato|la\s+candidata)|alle\s+(?:prossime\s+)?(?:elezioni|amministrative|comunali|europee|politiche)\s+(?:votate|scegliete|mandiamoli\s+a\s+casa|cambiamo))".into()),
        (PROPAGANDA, 0.7, "slogan di partito",
         r"\b(?:prima\s+gli\s+italiani|onesta\s+onesta|viva\s+(?:il\s+duce|la\s+lega|il\s+pd|salvini|meloni|conte|schlein|renzi|calenda|berlusconi)|(?:salvini|meloni|conte|renzi|calenda|schlein|tajani|vannacci)\s+(?:premier|presidente|sindaco)|iovoto\w*|vota(?:lega|pd|m5s|fdi|fi|avs)|(?:forza|avanti)\s+(?:lega|pd|m5s|movimento))\b".into()),
    ]
}

/// A rule's pattern as it reads the skeleton. The skeleton is lower-case
/// ASCII words separated by single spaces: ASCII classes keep the lazy DFA
/// small (Unicode `\w` made the combined set 100 times slower).
fn skeleton_pattern(src: &str) -> String {
    skeletonize_regex(src)
        .replace(r"\b", r"(?-u:\b)")
        .replace(r"\w", "[a-z0-9]")
        .replace(r"\W", "[^a-z0-9]")
        .replace(r"\s", " ")
}

/// Whether a rule's pattern (its `{GROUP}` and `{ONE}` not yet filled in)
/// can match only where a group is named: with the names replaced by a
/// class that matches nothing, nothing is left that can match.
fn needs_a_group(src: &str) -> bool {
    let none = "[a&&b]";
    let src = skeleton_pattern(&src.replace(GROUP, none).replace(ONE, none));
    regex_automata::util::syntax::parse(&src).is_ok_and(|hir| !can_match(&hir))
}

/// Whether some text matches `hir` (an empty class matches none).
fn can_match(hir: &regex_syntax::hir::Hir) -> bool {
    use regex_syntax::hir::{Class, HirKind};
    match hir.kind() {
        HirKind::Empty | HirKind::Literal(_) | HirKind::Look(_) => true,
        HirKind::Class(Class::Unicode(c)) => !c.ranges().is_empty(),
        HirKind::Class(Class::Bytes(c)) => !c.ranges().is_empty(),
        HirKind::Repetition(r) => r.min == 0 || can_match(&r.sub),
        HirKind::Capture(c) => can_match(&c.sub),
        HirKind::Concat(hs) => hs.iter().all(can_match),
        HirKind::Alternation(hs) => hs.iter().any(can_match),
    }
}

/// The regex of one rule, used only to locate matches of a rule that the
/// set found. Configured as `regex::RegexBuilder` does (same syntax, same
/// leftmost-first semantics, so the same spans) but without the literal
/// prefilter: the rules' leading literals are short common words that occur
/// every few bytes of a comment, and restarting the prefilter at each of
/// them cost more than the lazy DFA's plain scan of the short skeleton
/// (locating took about 7,200 instructions per comment with it, 2,600
/// without).
fn rule_regex(src: &str, explanation: &str) -> Regex {
    let config = meta::Config::new()
        .nfa_size_limit(Some(10 << 20))
        .hybrid_cache_capacity(RULE_DFA_CACHE)
        .match_kind(regex_automata::MatchKind::LeftmostFirst)
        .utf8_empty(true)
        .auto_prefilter(false);
    meta::Builder::new()
        .configure(config)
        .syntax(syntax::Config::new().utf8(true))
        .build(src)
        .unwrap_or_else(|e| panic!("rule {explanation}: {e}"))
}

impl Rules {
    pub fn new() -> Rules {
        let mut groups = HashMap::new();
        let mut names: Vec<String> = Vec::new();
        let mut ones: Vec<String> = Vec::new();
        for line in GROUPS.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let mut cols = line.split('\t');
            if let (Some(w), Some(Ok(t))) = (
                cols.next(),
                cols.next().map(str::parse::<DiscriminationTarget>),
            ) {
                let sk = skeletonize(w);
                match cols.next() {
                    Some("one") => ones.push(regex::escape(&sk)),
                    _ => names.push(regex::escape(&sk)),
                }
                groups.insert(sk, t);
            }
        }
        // Longest names first so alternation prefers them.
        let alternation = |mut names: Vec<String>| {
            names.sort_by_key(|n| std::cmp::Reverse(n.len()));
            names.dedup();
            names.join("|")
        };
        let group_alt = alternation(names);
        let one_alt = alternation(ones);
        let mut rules = Vec::new();
        let mut sources = Vec::new();
        let mut needs_group = Vec::new();
        for (action, score, explanation, src) in specs() {
            let group_before = src.starts_with(GROUP_BEFORE);
            let one_before = src.starts_with(ONE_BEFORE);
            needs_group.push(group_before || needs_a_group(src.trim_start_matches(ONE_BEFORE)));
            let src = src
                .trim_start_matches(GROUP_BEFORE)
                .trim_start_matches(ONE_BEFORE)
                .replace(GROUP, &group_alt)
                .replace(ONE, &one_alt);
            let src = skeleton_pattern(&src);
            let re = rule_regex(&src, explanation);
            sources.push(src);
            rules.push(Rule {
                action,
                score,
                explanation,
                re,
                group_before,
                one_before,
            });
        }
        // On real, varied comments the lazy DFA of the whole set keeps
        // meeting new states; with the default 2 MB cache it was cleared
        // and rebuilt over and over (determinisation took a third of the
        // time). A larger cache (filled only as needed) keeps the states.
        //
        // Built as `regex::RegexSetBuilder` builds a set, used directly so
        // that the set of matched rules is kept per thread rather than
        // allocated per comment.
        let config = meta::Config::new()
            .nfa_size_limit(Some(10 << 20))
            .hybrid_cache_capacity(SET_DFA_CACHE)
            .match_kind(regex_automata::MatchKind::All)
            .utf8_empty(true)
            .which_captures(regex_automata::nfa::thompson::WhichCaptures::None);
        let build = |patterns: &[&str]| {
            meta::Builder::new()
                .configure(config.clone())
                .syntax(syntax::Config::new().utf8(true))
                .build_many(patterns)
                .expect("rules compile")
        };
        let (group_set_rules, set_rules): (Vec<usize>, Vec<usize>) =
            (0..rules.len()).partition(|&i| needs_group[i]);
        // Any rule of `group_set` matches only where one of these names
        // occurs (as a substring at least).
        let any_group = format!("(?:{group_alt}|{one_alt})");
        let mut main: Vec<&str> = set_rules.iter().map(|&i| sources[i].as_str()).collect();
        main.push(&any_group);
        let set = build(&main);
        let grouped: Vec<&str> = group_set_rules
            .iter()
            .map(|&i| sources[i].as_str())
            .collect();
        let group_set = build(&grouped);
        let mut not_one: HashSet<String> = COLLECTIVES
            .split_whitespace()
            .chain(GENDERED_INSULTS.split_whitespace())
            .map(skeletonize)
            .collect();
        let mut slur_stems = Vec::new();
        for line in crate::lexicon::TERMS.lines() {
            let mut cols = line.split('\t');
            if let (Some(term), Some("discrimination")) = (cols.next(), cols.next()) {
                match term.strip_suffix('*') {
                    Some(stem) if !stem.contains(' ') => slur_stems.push(skeletonize(stem)),
                    None if !term.contains(' ') => {
                        not_one.insert(skeletonize(term));
                    }
                    _ => {}
                }
            }
        }
        let selling = (0..rules.len())
            .filter(|&i| rules[i].action == Action::Selling)
            .map(PatternID::must)
            .collect();
        Rules {
            rules,
            set,
            set_rules,
            group_set,
            group_set_rules,
            selling,
            groups,
            one_roles: ONE_ROLES.split_whitespace().map(skeletonize).collect(),
            one_demonstratives: ONE_DEMONSTRATIVES
                .split_whitespace()
                .map(skeletonize)
                .collect(),
            not_one,
            slur_stems,
        }
    }

    pub fn rule(&self, i: usize) -> &Rule {
        &self.rules[i]
    }

    /// Every rule match in the skeleton.
    pub fn find(&self, skeleton: &str, out: &mut Vec<RuleHit>) {
        thread_local! {
            /// Per set, its patterns matched; and the rules they are.
            static MATCHED: RefCell<[PatternSet; 3]> =
                RefCell::new([PatternSet::new(0), PatternSet::new(0), PatternSet::new(0)]);
        }
        MATCHED.with(|matched| {
            let [main, grouped, rules] = &mut *matched.borrow_mut();
            for (set, len) in [
                (&mut *main, self.set.pattern_len()),
                (&mut *grouped, self.group_set.pattern_len()),
                (&mut *rules, self.rules.len()),
            ] {
                if set.capacity() != len {
                    *set = PatternSet::new(len);
                }
                set.clear();
            }
            let input = Input::new(skeleton);
            self.set.which_overlapping_matches(&input, main);
            if main.is_empty() {
                return;
            }
            for pid in main.iter() {
                match self.set_rules.get(pid.as_usize()) {
                    Some(&i) => {
                        rules.insert(PatternID::must(i));
                    }
                    None => {
                        self.group_set.which_overlapping_matches(&input, grouped);
                        for pid in grouped.iter() {
                            rules.insert(PatternID::must(self.group_set_rules[pid.as_usize()]));
                        }
                    }
                }
            }
            if !rules.is_empty() {
                self.locate(skeleton, rules, out);
            }
        });
    }

    /// Whether rule `i` (which matched `skeleton`) matches somewhere outside
    /// the byte ranges `ranges`. Presence-only rules are not located when
    /// the set finds them; this locates one on demand, for the comments
    /// where it matters (those with quotes).
    pub fn matches_outside(&self, i: usize, skeleton: &str, ranges: &[(usize, usize)]) -> bool {
        self.rules[i]
            .re
            .find_iter(skeleton)
            .any(|m| !ranges.iter().any(|&(a, b)| a <= m.start() && m.end() <= b))
    }

    /// The group named nearest before byte `at` in the same sentence and
    /// within [`GROUP_BEFORE_REACH`] bytes, with the byte where its name
    /// starts: the group a [`GROUP_BEFORE`] rule speaks of.
    ///
    /// A clause of three words or fewer before the match, naming no group,
    /// leaves its subject to the sentence before: "Si parla di adozioni
    /// per le coppie omosessuali. Non sono persone, sono animali."
    fn group_before(&self, sk: &str, at: usize) -> Option<(usize, DiscriminationTarget)> {
        let (from, window, words) = words_before(sk, at, GROUP_BEFORE_REACH);
        if let Some(found) = self.group_named(from, window, &words) {
            return Some(found);
        }
        let after_a_sentence = from > 0 && matches!(sk.as_bytes()[from - 1], b'.' | b'!' | b'?');
        if words.len() <= 3 && after_a_sentence {
            let (from, window, words) = words_before(sk, from - 1, GROUP_BEFORE_REACH);
            return self.group_named(from, window, &words);
        }
        None
    }

    /// The group named nearest the end of `window` (which starts at byte
    /// `from`), among its `words`.
    fn group_named(
        &self,
        from: usize,
        window: &str,
        words: &[(usize, usize)],
    ) -> Option<(usize, DiscriminationTarget)> {
        // A name is one to three words, nearest first.
        for end in (0..words.len()).rev() {
            for len in 1..=3.min(end + 1) {
                let (start, stop) = (words[end + 1 - len].0, words[end].1);
                if let Some(&t) = self.groups.get(&window[start..stop]) {
                    return Some((from + start, t));
                }
            }
        }
        None
    }

    /// Whether the match `at..end` of a [`ONE_BEFORE`] rule is said of one
    /// person or thing: a role, "sei" or a demonstrative before a word, in
    /// the same sentence before it or in the match, and no group named
    /// there, no collective, no slur, no misogynous insult.
    fn one_before(&self, sk: &str, at: usize, end: usize) -> bool {
        let (_, window, words) = words_before(sk, end, ONE_BEFORE_REACH + (end - at));
        let word = |k: usize| &window[words[k].0..words[k].1];
        let mut one = false;
        for k in 0..words.len() {
            let w = word(k);
            if self.groups.contains_key(w)
                || self.not_one.contains(w)
                || self.slur_stems.iter().any(|s| w.starts_with(s.as_str()))
            {
                return false;
            }
            one |= self.one_roles.contains(w)
                || (self.one_demonstratives.contains(w) && k + 1 < words.len());
        }
        one
    }

    /// The hits of the matched rules.
    fn locate(&self, skeleton: &str, matched: &PatternSet, out: &mut Vec<RuleHit>) {
        // Locating a match runs the rule's own regex: done only for the
        // rules whose matches are reported. The analysis asks of the others
        // only whether they matched (one hit with an empty span says so),
        // and wants prices only next to selling words (asked of the selling
        // rules by index: a second walk over the matched set cost about 350
        // instructions per comment).
        let selling = self.selling.iter().any(|&i| matched.contains(i));
        for pid in matched.iter() {
            let i = pid.as_usize();
            let rule = &self.rules[i];
            match rule.action {
                Action::CounterSpeech
                | Action::Condemnation
                | Action::Defence
                | Action::HateReport
                | Action::AdminRef
                | Action::Selling
                | Action::SpecialTrigger => {
                    out.push(RuleHit {
                        rule: i,
                        start: 0,
                        end: 0,
                        target: None,
                        said: 0,
                    });
                    continue;
                }
                // The clause detectors' context signals: only whether.
                Action::Signal(sig) if sig.presence_only() => {
                    out.push(RuleHit {
                        rule: i,
                        start: 0,
                        end: 0,
                        target: None,
                        said: 0,
                    });
                    continue;
                }
                Action::Price if !selling => continue,
                _ => {}
            }
            if rule.one_before {
                for m in rule.re.find_iter(skeleton) {
                    if self.one_before(skeleton, m.start(), m.end()) {
                        out.push(RuleHit {
                            rule: i,
                            start: m.start(),
                            end: m.end(),
                            target: None,
                            said: m.start(),
                        });
                    }
                }
            } else if rule.group_before {
                for m in rule.re.find_iter(skeleton) {
                    if let Some((start, target)) = self.group_before(skeleton, m.start()) {
                        out.push(RuleHit {
                            rule: i,
                            start,
                            end: m.end(),
                            target: Some(target),
                            said: m.start(),
                        });
                    }
                }
            } else if rule.action == Action::GroupFinding {
                for caps in rule.re.captures_iter(skeleton) {
                    // The group named is the first capture that took part
                    // (a rule may name it in one of several alternatives).
                    let group = (1..caps.group_len()).find_map(|k| caps.get_group(k));
                    let (Some(m), Some(g)) = (caps.get_match(), group) else {
                        continue;
                    };
                    out.push(RuleHit {
                        rule: i,
                        start: m.start(),
                        end: m.end(),
                        target: self.groups.get(&skeleton[g.range()]).copied(),
                        said: m.start(),
                    });
                }
            } else {
                for m in rule.re.find_iter(skeleton) {
                    out.push(RuleHit {
                        rule: i,
                        start: m.start(),
                        end: m.end(),
                        target: None,
                        said: m.start(),
                    });
                }
            }
        }
    }
}

/// The window of at most `reach` bytes before byte `at` of `sk`, cut at
/// the last sentence end in it: its start, its text, and the byte ranges
/// (in the window) of its words, first to last.
fn words_before(sk: &str, at: usize, reach: usize) -> (usize, &str, Vec<(usize, usize)>) {
    let mut from = at.saturating_sub(reach);
    while !sk.is_char_boundary(from) {
        from += 1;
    }
    let window = &sk[from..at];
    let from = from + window.rfind(['.', '!', '?']).map_or(0, |i| i + 1);
    let window = &sk[from..at];
    // Words are runs of ASCII letters and digits; whatever is between
    // them may be any char ("donne ♀ come", "neri… li"), so their ranges are
    // taken from the bytes, not counted from the pieces of a split.
    let mut words = Vec::new();
    let mut start = None;
    for (i, b) in window.bytes().enumerate() {
        match (b.is_ascii_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(a)) => {
                words.push((a, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(a) = start {
        words.push((a, window.len()));
    }
    (from, window, words)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::Normalized;

    #[test]
    fn the_words_before_a_match_are_found_across_any_char() {
        let sk = "le done ♀ come queli … li odio";
        let at = sk.find("li odio").unwrap();
        let (from, window, words) = words_before(sk, at, 120);
        assert_eq!(from, 0);
        let found: Vec<&str> = words.iter().map(|&(a, b)| &window[a..b]).collect();
        assert_eq!(found, ["le", "done", "come", "queli"]);
        // And the rules that look back do not stumble on such a char.
        let mut hits = Vec::new();
        Rules::new().find("i neri ♀ come queli che vedo , li disprezo", &mut hits);
        Rules::new().find("quel tizio ♀ del bar e un cafone", &mut hits);
    }

    fn actions(text: &str) -> Vec<Action> {
        let rules = Rules::new();
        let n = Normalized::new(text);
        let mut hits = Vec::new();
        rules.find(&n.skeleton, &mut hits);
        hits.iter()
            .map(|h| match rules.rule(h.rule).action {
                Action::GroupFinding => Action::Finding(Category::Discrimination, None, h.target),
                a => a,
            })
            .collect()
    }

    #[test]
    fn the_rules_that_need_a_group_are_told_apart_and_still_found() {
        let specs = specs();
        let needs = |explanation: &str| {
            specs
                .iter()
                .filter(|s| s.2 == explanation)
                .map(|s| needs_a_group(&s.3))
                .collect::<Vec<_>>()
        };
        assert_eq!(needs("insulto rivolto a un gruppo protetto"), [true]);
        // One alternative names a woman without a group's name.
        assert_eq!(
            needs("si nega a una persona l'appartenenza per il suo gruppo"),
            [false]
        );
        assert_eq!(needs("minaccia diretta di violenza"), [false]);
        assert!(specs.iter().filter(|s| needs_a_group(&s.3)).count() >= 30);
        // Found through the second set, and through the first.
        assert!(
            actions("che schifo, gli immigrati di merda").contains(&Action::Finding(
                Category::Discrimination,
                None,
                Some(DiscriminationTarget::Ethnicity)
            ))
        );
        assert!(
            actions("una donna non sara mai all'altezza")
                .iter()
                .any(|a| matches!(a, Action::Finding(Category::Discrimination, None, _)))
        );
    }

    #[test]
    fn threats_direct_and_normative() {
        for t in [
            "ti vengo a prendere",
            "Ti ammazzo",
            "so dove abiti",
            "ti spacco la faccia",
            "se lo incontro gli spacco la faccia",
            "a quei due gli darei fuoco",
            "li prenderei a calci uno per uno",
            "io l'ammazzo",
            "a quelli gli darei due schiaffi a testa",
            "pigliamoli a cazzotti",
            "all'arbitro bisogna rompergli le ossa",
            "io all'assessore auguro un bel tumore",
        ] {
            assert!(actions(t).contains(&THREAT), "{t}");
        }
        for t in [
            "meriteresti di morire",
            "bisognerebbe bruciarli tutti",
            "andrebbero impiccati",
            "dovrebbero essere fucilati",
            "quella moschea va bruciata",
            "il campo rom andrebbe dato alle fiamme",
            "sta sinagoga andrebbe fatta saltare",
            "diamo fuoco alla sinagoga",
            "gli immigrati vanno presi a calci fino al confine",
            "quello va preso a sprangate",
            "che affoghino tutti",
            "spero che affondino tutti i barconi",
            "prima o poi qualcuno li ammazza e farà bene",
            "il centro d'accoglienza è da incendiare",
            "brucialo quel centro islamico",
            "sta moschea la bruciamo noi",
            "una molotov dentro la sinagoga",
            "meritano solo bastonate",
            "quel vigile va preso a sberle",
            "gente così va presa a calci fino al confine",
            "affogateli tutti",
            "ke annegassero in mare",
            "hanno fatto bene a pestarlo",
            "bravo chi gli ha dato fuoco",
            "chi ha investito quel ragazzo merita una medaglia",
            "ci vuole la ronda con le mazze da baseball la sera",
            "chi viene sabato con due taniche di benzina al campo rom? io ci sto",
            "una tanica e un accendino e il problema del centro è risolto",
            "due sberle e vedi come smettono",
            "lo gonfio di botte se lo rivedo",
            "riempitelo di calci quello lì",
            "magari crepassero tutti nel loro campo",
            "lasciateli affogare, le ONG stiano a casa",
            "il ragazzo ammazzato l'altra notte? anzi uno di meno",
            "due annegati nel fiume? peccato che fossero solo due",
            "bravi i ragazzi che ieri hanno pestato quello lì",
            "ha fatto benissimo il gioielliere a sparargli",
        ] {
            assert!(actions(t).contains(&THREAT_NORMATIVE), "{t}");
        }
        for t in [
            "vengo a prendere mio figlio a scuola",
            "bisogna eliminare le buche",
            "ti aspetto domani in ufficio",
            "la vecchia chiesa sconsacrata va abbattuta, è pericolante",
            "chi ha bruciato la porta della moschea va trovato",
            "il pallone va preso al volo",
            "spero che affondino il progetto del parcheggio",
            "lo sparo di capodanno ha spaventato il cane",
            "gli do una mano io con il trasloco",
            "il pallone va preso a calci, non accarezzato",
            "la moschea è stata incendiata stanotte, solidarietà",
            "il duomo fu bombardato nel 43",
            "hanno dato fuoco alla porta della sinagoga, spero li prendano",
            "mi spacco la schiena al lavoro",
            "la chiesa di San Rocco brucia, chiamate i pompieri",
            "la mostra sulle sinagoghe bruciate nella notte dei cristalli",
            "le chiese bombardate nel 43 sono state ricostruite",
            "al Muro del Pianto pregavano tanti ebrei",
            "ho appeso il calendario al muro della cucina",
            "condanna per la molotov lanciata contro il tempio",
            "serve la benzina per il tosaerba del parco",
            "è morto il maestro Rossi, tutto il paese lo piange",
            "una macchina in meno in centro è un bene",
            "bravi i vigili che hanno multato le auto in doppia fila",
            "ci vuole un bel fuoco per la brace della sagra",
            "speriamo che la festa sia una bomba",
            "per la gita bisogna fare benzina prima di partire",
            "per il campeggio dei lupetti servono bastoni e corde per le tende",
            "alla grigliata chi viene porta l'accendino?",
            "ci vorrebbero delle mazze nuove per la squadra di hockey",
            "ci vuole pazienza con i ragazzi, le sberle non servono",
        ] {
            let a = actions(t);
            assert!(
                !a.contains(&THREAT) && !a.contains(&THREAT_NORMATIVE),
                "{t}: {a:?}"
            );
        }
    }

    #[test]
    fn discrimination_patterns_name_the_target() {
        let a = actions("gli immigrati sono tutti delinquenti");
        assert!(a.contains(&ETHNICITY), "{a:?}");
        let a = actions("i gay sono malati");
        assert!(a.contains(&ORIENTATION), "{a:?}");
        let a = actions("le donne devono stare a casa");
        assert!(a.contains(&GENDER), "{a:?}");
        // The group named, then the hate said of it by a pronoun or nothing.
        for (t, want) in [
            (
                "ho conosciuto i rom del quartiere: sono tutti uguali, feccia",
                ETHNICITY,
            ),
            (
                "Ho incontrato dei gay ieri. Sono semplicemente disgustosi",
                ORIENTATION,
            ),
            (
                "mi parli sempre dei neri. Io li considero inferiori, punto",
                ETHNICITY,
            ),
            ("I gay? Meglio se spariscono da questa città", ORIENTATION),
            ("le donne dovrebbero stare al loro posto e zitte", GENDER),
            (
                "da quando ci sono gli immigrati nel quartiere non si può più uscire la sera",
                ETHNICITY,
            ),
        ] {
            assert!(actions(t).contains(&want), "{t}: {:?}", actions(t));
        }
        for t in [
            "ho conosciuto i ragazzi che hanno picchiato dei gay, sono in carcere",
            "ho conosciuto i rom del quartiere: sono persone splendide",
            "ho visto i migranti sgomberati, non sono criminali",
            "ho visto i rom del campo: sono malati e nessuno li cura",
            "i miei vicini rom li considero amici",
            "da quando ci sono i nuovi vicini rom non si può più dire che il quartiere è vuoto",
        ] {
            let a = actions(t);
            assert!(
                !a.iter()
                    .any(|a| matches!(a, Action::Finding(Category::Discrimination, _, _))),
                "{t}: {a:?}"
            );
        }
    }

    #[test]
    fn contempt_for_one_person_by_their_group_names_the_target() {
        let religion = Action::Finding(
            Category::Discrimination,
            None,
            Some(DiscriminationTarget::Religion),
        );
        let disability = Action::Finding(
            Category::Discrimination,
            None,
            Some(DiscriminationTarget::Disability),
        );
        for (t, want) in [
            ("Marocchino di merda tornatene a casa tua", ETHNICITY),
            ("quel rumeno bastardo mi ha rigato la macchina", ETHNICITY),
            ("sei solo un terrone del cazzo", ETHNICITY),
            ("sporco albanese", ETHNICITY),
            ("sporchi zingari", ETHNICITY),
            ("lurido musulmano", religion),
            ("quell'ebreo di merda del negozio", religion),
            ("sporca lesbica", ORIENTATION),
            ("maledetto handicappato", disability),
            ("brutto zingaro", ETHNICITY),
            ("il consigliere e un senegalese ignorante", ETHNICITY),
            ("la mamma rumena e una zingara ladra", ETHNICITY),
            ("la vigilessa e una lesbica isterica", ORIENTATION),
            ("cosa ti aspetti da un musulmano", religion),
            (
                "da un pakistano non mi aspettavo niente di meglio",
                ETHNICITY,
            ),
        ] {
            let a = actions(t);
            assert!(a.contains(&want), "{t}: {a:?}");
        }
        // The noun after another noun describes it, and a group noun alone
        // is no contempt.
        for t in [
            "il ristorante cinese di merda in piazza ha chiuso",
            "il mio vicino marocchino e una brava persona",
            "la strada sporca vicino al centro islamico",
            "un signore albanese mi ha aiutato con la spesa",
            "da un albanese ho comprato la frutta migliore del mercato",
            "mi sono trovato benissimo con un medico ebreo",
        ] {
            let a = actions(t);
            assert!(
                !a.iter()
                    .any(|x| matches!(x, Action::Finding(Category::Discrimination, None, Some(_)))),
                "{t}: {a:?}"
            );
        }
    }

    #[test]
    fn intents() {
        assert!(
            actions("c'è una buca enorme in via Roma").contains(&Action::Intent(Intent::Complaint))
        );
        // A suggestion to the organisers, in the register it is written in.
        assert!(
            actions("i panini eran tutti al salame, la prox mettete qlc altro")
                .contains(&Action::Intent(Intent::Complaint))
        );
        assert!(
            actions("mi hanno rubato la bici davanti alla stazione")
                .contains(&Action::Intent(Intent::CrimeReport))
        );
        assert!(
            actions("dove posso richiedere la carta d'identità?")
                .contains(&Action::Intent(Intent::ServiceRequest))
        );
        assert!(
            actions("il sindaco non ha fatto niente per le buche, vergogna")
                .contains(&Action::Intent(Intent::Criticism))
        );
    }

    #[test]
    fn commercial_spam_propaganda() {
        assert!(actions("scrivimi su WhatsApp per info").contains(&COMMERCIAL));
        assert!(actions("guadagna da casa 500 euro al giorno").contains(&SPAM));
        assert!(actions("domenica votate Rossi sindaco").contains(&PROPAGANDA));
        assert!(!actions("domenica si vota per il sindaco").contains(&PROPAGANDA));
    }
}
