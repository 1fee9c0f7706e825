//! Words of the slur lexicon that citizens also use innocently, and how to
//! tell the uses apart from the words around them. On a comune's page
//! "l'apertura ritardata del nido" speaks of a delay, "il parcheggio per
//! handicappati è sempre occupato" and "mio figlio è cerebroleso" are a
//! parent's or a citizen's dated but descriptive words for a disability,
//! "la poetessa Ada Negri" and "via Negri" are names, and "Gesù re dei
//! Giudei" is the Gospel. Flagging any of them as discrimination accuses
//! the citizen who is asking for help.
//!
//! Pure: reads the skeleton and the original text, does no I/O.

use std::sync::OnceLock;

use crate::normalize::{self, Normalized};

/// How a slur of the lexicon is used where it was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sense {
    /// Another word that happens to be spelt alike: the participle of
    /// "ritardare", a surname, the Gospel's "re dei Giudei". Not a slur.
    Plain,
    /// A dated word for a disability, used to describe a relative or to
    /// ask for a service for disabled people: not an attack, but a
    /// moderator may want to see it.
    Descriptive,
    /// Said of oneself or of one's own group ("noi terroni", "sono un
    /// terrone e ne vado fiero"): reclaimed. The slur's head still reads
    /// the comment; only the fallback to offensive language is spared.
    OwnGroup,
    /// "Giudei" in history or in the Scripture and its liturgy ("la
    /// cacciata dei giudei nel 1541", "la Passione letta a più voci: Gesù,
    /// Pilato e i giudei"), the register in which the word is still the
    /// ordinary one. Like [`Sense::OwnGroup`], the head still reads the
    /// comment and the explicit antisemitic patterns of the rules still
    /// apply; only the fallback to offensive language is spared.
    Historical,
    /// Nothing says otherwise: the lexicon's reading stands.
    Slur,
}

/// Skeletonised word lists, built once.
struct Words {
    delay: String,
    descriptive: Vec<String>,
    surnames: Vec<String>,
    /// The stem of "giudeo", "giudei".
    giudei: String,
    /// Words of history, of the Scripture and of its liturgy, after which
    /// "giudei" is the word of its register (prefixes of skeleton words).
    /// Present-day Jewish life (the synagogue, the community) is not among
    /// them: a comment about it is read as any other.
    historical: Vec<String>,
    spastic: String,
    /// Conditions "spastica" qualifies in medicine ("paralisi spastica").
    conditions: Vec<String>,
    /// Auxiliaries after which "ritardato" is a verb: passive ("è stato",
    /// "viene", "verrà") and perfect ("ha", "hanno", "abbiamo").
    auxiliaries: Vec<String>,
    /// Things and events that are delayed, not people.
    delayed_things: Vec<String>,
    /// What follows "ritardato di" when it measures a delay.
    delay_measures: Vec<String>,
    /// Words after which "ritardato" is a noun: articles, demonstratives,
    /// "da ritardati", "come un ritardato", "branco di ritardati".
    noun_makers: Vec<String>,
    /// People of the comune's staff and the like, of whom "ritardato" is
    /// said to insult ("vigili ritardati").
    staff: Vec<String>,
    /// Words that speak to someone: "zitto ritardato", "vai a studiare".
    vocatives: Vec<String>,
    kin: Vec<String>,
    possessives: Vec<String>,
    /// People an adjective may describe ("un signore handicappato").
    persons: Vec<String>,
    /// Verbs that name a word as someone's ("lo chiama mongoloide").
    naming: Vec<String>,
    /// Services and places for disabled people ("parcheggio per ...").
    services: Vec<String>,
    service_links: Vec<String>,
    /// Street and institution words before a surname ("via Negri").
    name_places: Vec<String>,
}

fn skel(list: &[&str]) -> Vec<String> {
    list.iter().map(|w| normalize::skeletonize(w)).collect()
}

fn words() -> &'static Words {
    static WORDS: OnceLock<Words> = OnceLock::new();
    WORDS.get_or_init(|| Words {
        delay: normalize::skeletonize("ritardat"),
        descriptive: skel(&[
            "handicappat",
            "cerebroles",
            "spastic",
            "mongoloid",
            "subnormal",
            "ritardat",
        ]),
        surnames: skel(&["negri", "negro", "negra", "negre"]),
        giudei: normalize::skeletonize("giude"),
        historical: skel(&[
            // history
            "storia",
            "storic",
            "secol",
            "epoca",
            "medioev",
            "mediev",
            "rinasciment",
            "trecento",
            "quattrocento",
            "cinquecento",
            "seicento",
            "settecento",
            "ottocento",
            "ghetto",
            "giudecca",
            "cacciat",
            "espuls",
            "razzial",
            "deportat",
            "deportazion",
            "archivi",
            "document",
            "notaril",
            "decreto",
            "lapide",
            "cimitero",
            "museo",
            "mostra",
            "tesi",
            "shylock",
            "shakespeare",
            // the Scripture and its liturgy
            "vangel",
            "gesu",
            "pilato",
            "caifa",
            "sinedrio",
            "erode",
            "passione",
            "crocifi",
            "croce",
            "pentecoste",
            "gerusalemme",
            "apostol",
            "omelia",
            "parroc",
            "vescov",
            "lettura",
            "rappresentazion",
            "figurant",
            "presepe",
            "bibbia",
            "biblic",
            "scrittur",
            "nazareno",
            "inri",
        ]),
        spastic: normalize::skeletonize("spastic"),
        conditions: skel(&[
            "paralisi",
            "paresi",
            "tetraparesi",
            "diparesi",
            "emiparesi",
            "tetraplegia",
            "diplegia",
            "emiplegia",
            "forma",
            "andatura",
            "ipertonia",
        ]),
        auxiliaries: skel(&[
            "stato",
            "stata",
            "stati",
            "state",
            "viene",
            "vengono",
            "verra",
            "verranno",
            "venuto",
            "venuta",
            "ha",
            "hanno",
            "ho",
            "hai",
            "abbiamo",
            "avete",
            "aveva",
            "avevano",
            "avevo",
            "avra",
            "avranno",
            "avrebbe",
            "avrebbero",
            "aver",
            "avere",
            "avendo",
        ]),
        delayed_things: skel(&[
            "apertura",
            "riapertura",
            "chiusura",
            "partenza",
            "arrivo",
            "consegna",
            "consegne",
            "pagamento",
            "pagamenti",
            "rimborso",
            "rimborsi",
            "versamento",
            "bonifico",
            "stipendio",
            "stipendi",
            "pensione",
            "pensioni",
            "contributo",
            "contributi",
            "erogazione",
            "inizio",
            "avvio",
            "fine",
            "uscita",
            "entrata",
            "ingresso",
            "orario",
            "treno",
            "treni",
            "bus",
            "autobus",
            "pullman",
            "navetta",
            "volo",
            "voli",
            "corsa",
            "corse",
            "raccolta",
            "ritiro",
            "lavori",
            "cantiere",
            "intervento",
            "interventi",
            "risposta",
            "risposte",
            "notifica",
            "scadenza",
            "scadenze",
            "iscrizione",
            "iscrizioni",
            "attivazione",
            "fornitura",
            "servizio",
            "inaugurazione",
            "accensione",
            "effetto",
            "reazione",
            "rilascio",
            "emissione",
            "spedizione",
            "posta",
            "graduatoria",
            "graduatorie",
            "bando",
            "gara",
            "delibera",
            "sentenza",
            "udienza",
            "diagnosi",
            "visita",
            "esame",
            "referto",
            "vaccinazione",
            "mensa",
            "trasloco",
            "fattura",
            "fatture",
            "bolletta",
            "bollette",
            "tari",
            "imu",
            "rata",
            "rate",
            "lezioni",
            "anno",
            "campanella",
            "semaforo",
            "messa",
            "processione",
            "concerto",
            "spettacolo",
            "evento",
            "festa",
            "mercato",
            "fiera",
            "cerimonia",
            "sgombero",
            "manutenzione",
            "asfaltatura",
            "potatura",
            "pulizia",
        ]),
        delay_measures: skel(&[
            "un",
            "una",
            "uno",
            "qualche",
            "alcuni",
            "alcune",
            "pochi",
            "poche",
            "molti",
            "molte",
            "due",
            "tre",
            "quattro",
            "cinque",
            "sei",
            "sette",
            "otto",
            "dieci",
            "quindici",
            "venti",
            "trenta",
            "mezz",
            "minuti",
            "ore",
            "giorni",
            "settimane",
            "mesi",
            "anni",
            "almeno",
            "oltre",
            "quasi",
            "circa",
            "ben",
        ]),
        noun_makers: skel(&[
            "un", "uno", "una", "il", "lo", "la", "l", "i", "gli", "le", "quel", "quello",
            "quella", "quei", "quegli", "quelle", "questo", "questa", "questi", "queste", "sto",
            "sta", "sti", "ste", "da", "di", "del", "dei", "degli", "come", "che", "tipo", "altro",
            "altri", "due", "tre", "quattro", "certi", "certe", "alcuni", "tanti", "troppi",
            "soliti",
        ]),
        staff: skel(&[
            "vigili",
            "vigile",
            "impiegati",
            "impiegato",
            "impiegata",
            "dipendenti",
            "dipendente",
            "assessore",
            "assessora",
            "sindaco",
            "sindaca",
            "consiglieri",
            "consigliere",
            "politici",
            "politico",
            "dirigenti",
            "dirigente",
            "tecnici",
            "tecnico",
            "operatori",
            "operatore",
            "autisti",
            "autista",
            "ragazzini",
            "ragazzino",
            "tizio",
            "tizia",
            "tizi",
            "tipi",
            "gente",
            "amministratori",
            "giunta",
            "funzionari",
            "funzionario",
        ]),
        vocatives: skel(&[
            "vai",
            "va",
            "torna",
            "tornate",
            "zitto",
            "zitta",
            "zitti",
            "taci",
            "tacete",
            "impara",
            "imparate",
            "studia",
            "studiate",
            "ciao",
            "ehi",
            "oh",
            "svegliati",
            "svegliatevi",
        ]),
        kin: skel(&[
            "figlio",
            "figlia",
            "figli",
            "figlie",
            "bambino",
            "bambina",
            "bimbo",
            "bimba",
            "ragazzo",
            "ragazza",
            "fratello",
            "sorella",
            "fratellino",
            "sorellina",
            "padre",
            "madre",
            "mamma",
            "papa",
            "babbo",
            "nonno",
            "nonna",
            "marito",
            "moglie",
            "zio",
            "zia",
            "nipote",
            "nipoti",
            "cugino",
            "cugina",
            "suocero",
            "suocera",
            "compagno",
            "compagna",
            "gemello",
            "gemella",
            "gemelli",
        ]),
        // The author's own: "suo figlio è un ritardato" and "tuo figlio"
        // are said of someone else's child, often to wound.
        possessives: skel(&[
            "mio", "mia", "miei", "mie", "nostro", "nostra", "nostri", "nostre",
        ]),
        persons: skel(&[
            "signore",
            "signora",
            "signori",
            "persona",
            "persone",
            "uomo",
            "donna",
            "bambino",
            "bambina",
            "bambini",
            "bambine",
            "bimbo",
            "bimba",
            "bimbi",
            "ragazzo",
            "ragazza",
            "ragazzi",
            "ragazze",
            "anziano",
            "anziana",
            "anziani",
            "adulto",
            "adulti",
            "alunno",
            "alunna",
            "alunni",
            "studente",
            "studenti",
            "cittadino",
            "cittadini",
            "utente",
            "utenti",
            "ospite",
            "ospiti",
            "paziente",
            "pazienti",
            "giovane",
            "giovani",
        ]),
        naming: skel(&[
            "chiama",
            "chiamava",
            "chiamano",
            "chiamavano",
            "chiamato",
            "chiamata",
            "chiamati",
            "definito",
            "definita",
            "definiti",
            "definivano",
            "definiva",
            "diceva",
            "dicevano",
            "dice",
            // The infinitive after "continua a", "smettila di": someone
            // else's habit, reported ("continua a chiamare 'il ritardato' un
            // ragazzo"). Not "chiamarti": that names the reader.
            "chiamare",
            "chiamarlo",
            "chiamarla",
            "chiamarli",
            "chiamarle",
            "definire",
        ]),
        services: skel(&[
            "parcheggio",
            "parcheggi",
            "posto",
            "posti",
            "stallo",
            "stalli",
            "bagno",
            "bagni",
            "servizi",
            "servizio",
            "scivolo",
            "scivoli",
            "rampa",
            "rampe",
            "accesso",
            "accessi",
            "ingresso",
            "ascensore",
            "contrassegno",
            "tessera",
            "pass",
            "pulmino",
            "trasporto",
            "navetta",
            "sostegno",
            "assistenza",
            "centro",
            "associazione",
            "scuola",
            "classe",
            "insegnante",
            "educatore",
            "educatrice",
            "diritti",
            "legge",
            "agevolazioni",
            "esenzione",
            "spazio",
            "spazi",
            "area",
            "giochi",
            "altalena",
            "piscina",
            "spiaggia",
            "tribuna",
            "tribune",
            "palco",
            "settore",
            "zona",
        ]),
        service_links: skel(&[
            "per",
            "degli",
            "dei",
            "delle",
            "agli",
            "ai",
            "alle",
            "riservato",
            "riservati",
            "riservata",
            "riservate",
            "dedicato",
            "dedicati",
            "dedicata",
            "dedicate",
        ]),
        name_places: skel(&[
            "via",
            "viale",
            "piazza",
            "piazzale",
            "piazzetta",
            "corso",
            "largo",
            "vicolo",
            "strada",
            "scuola",
            "scuole",
            "istituto",
            "liceo",
            "biblioteca",
            "fondazione",
            "premio",
            "teatro",
            "sala",
            "palazzo",
            "villa",
            "parco",
            "giardini",
            "famiglia",
            "signor",
            "signora",
            "dottor",
            "dottoressa",
            "prof",
            "professor",
            "professoressa",
            "poetessa",
            "scrittrice",
            "scrittore",
            "autore",
            "autrice",
        ]),
    })
}

/// The words of the skeleton before byte `pos`, nearest first, stopping at
/// the end of a sentence.
fn before(sk: &str, pos: usize) -> impl Iterator<Item = &str> {
    crate::special::words_before(sk, pos.min(sk.len()))
        .map(|(_, w)| w)
        .take_while(|w| !matches!(*w, "." | "!" | "?" | ";" | ":"))
}

/// The words of the skeleton from byte `pos` on, stopping at the end of a
/// sentence.
fn after(sk: &str, pos: usize) -> impl Iterator<Item = &str> {
    sk[pos.min(sk.len())..]
        .split(' ')
        .filter(|w| !w.is_empty())
        .take_while(|w| !matches!(*w, "." | "!" | "?" | ";" | ":"))
}

fn is_in(list: &[String], w: &str) -> bool {
    list.iter().any(|x| x == w)
}

/// The sense of the slur found at skeleton bytes `start..end` of `norm`
/// (`text` is the original comment).
pub(crate) fn sense(text: &str, norm: &Normalized, start: usize, end: usize) -> Sense {
    let sk = norm.skeleton.as_str();
    let Some(term) = sk.get(start..end) else {
        return Sense::Slur;
    };
    let w = words();
    if term.starts_with(&w.delay) && delay(sk, start, end) {
        return Sense::Plain;
    }
    if is_in(&w.surnames, term)
        && (name(text, norm, start, end) || after(sk, end).next() == Some("spiritual"))
    {
        return Sense::Plain;
    }
    if term.starts_with(&w.giudei) {
        let mut prev = before(sk, start);
        if prev.next() == Some("dei") && prev.next() == Some("re") {
            return Sense::Plain;
        }
        if historical(sk) {
            return Sense::Historical;
        }
    }
    // "tetraparesi spastica": the medical adjective of a condition.
    if term.starts_with(&w.spastic)
        && before(sk, start)
            .next()
            .is_some_and(|p| is_in(&w.conditions, p))
    {
        return Sense::Plain;
    }
    if w.descriptive.iter().any(|d| term.starts_with(d.as_str())) && descriptive(sk, start, end) {
        return Sense::Descriptive;
    }
    if own_group(sk, start, end) {
        return Sense::OwnGroup;
    }
    Sense::Slur
}

/// Whether the comment speaks of history or of the Scripture: a word of
/// [`Words::historical`] or a year before 1946 ("fino al 1492", "le leggi
/// razziali del 1938").
fn historical(sk: &str) -> bool {
    let w = words();
    sk.split(' ').any(|t| {
        w.historical.iter().any(|h| t.starts_with(h.as_str()))
            || (t.len() == 4
                && t.bytes().all(|b| b.is_ascii_digit())
                && t.parse::<u16>().is_ok_and(|y| (1000..1946).contains(&y)))
    })
}

/// "ritardato" as the participle of "ritardare". The insult is a noun or
/// is said of someone ("un ritardato", "quei ritardati", "da ritardati",
/// "sei ritardato", "zitto ritardato"); a delay is said of a thing or an
/// event ("il rimborso mi risulta ancora ritardato", "gli assegni
/// ritardati", "è stato ritardato", "ritardata di due settimane"). On a
/// comune's page delays are the common case: the word is a delay unless
/// it is a noun, opens its sentence, or the sentence speaks to someone.
fn delay(sk: &str, start: usize, end: usize) -> bool {
    let w = words();
    let prev: Vec<&str> = before(sk, start).take(8).collect();
    let mut next = after(sk, end);
    let n1 = next.next();
    let n2 = next.next();
    let thing = |p: Option<&&str>| p.is_some_and(|p| is_in(&w.delayed_things, p));
    let measured = n1 == Some("di")
        && n2.is_some_and(|m| {
            is_in(&w.delay_measures, m) || m.chars().next().is_some_and(|c| c.is_ascii_digit())
        });
    // "è stato ritardato", "l'apertura ritardata", "i ritardati pagamenti",
    // "ritardata di due settimane".
    if prev.first().is_some_and(|p| is_in(&w.auxiliaries, p))
        || thing(prev.first())
        || thing(prev.get(1))
        || n1.is_some_and(|n| is_in(&w.delayed_things, n))
        || measured
    {
        return true;
    }
    // "un ritardato", "due ritardati", "vigili ritardati", "sti ragazzini
    // ritardati": a noun, or said of people.
    let nominal = prev.first().is_none_or(|p| {
        is_in(&w.noun_makers, p) || is_in(&w.persons, p) || is_in(&w.kin, p) || is_in(&w.staff, p)
    });
    let spoken_to = prev.iter().any(|p| {
        super::ADDRESSED.contains(p)
            || super::ADDRESSED_COPULA.contains(p)
            || is_in(&w.vocatives, p)
    });
    let clinical = n1.is_some_and(|n| n.starts_with("mental"));
    !(nominal || spoken_to || clinical)
}

/// A surname: capitalised in the original text, not the first word of its
/// sentence and not in a text written in capitals, or after a street or an
/// institution ("via Negri", "istituto Mario Negri").
fn name(text: &str, norm: &Normalized, start: usize, end: usize) -> bool {
    let w = words();
    let sk = norm.skeleton.as_str();
    let mut prev = before(sk, start);
    let p1 = prev.next();
    if p1.is_some_and(|p| is_in(&w.name_places, p)) {
        return true;
    }
    let (a, _) = norm.skeleton_span(start, end);
    let Some(first) = text.chars().nth(a as usize) else {
        return false;
    };
    let letters = text.chars().filter(|c| c.is_alphabetic());
    let (upper, all) = letters.fold((0usize, 0usize), |(u, n), c| {
        (u + usize::from(c.is_uppercase()), n + 1)
    });
    let shouting = all > 0 && upper * 2 > all;
    first.is_uppercase() && !shouting && p1.is_some()
}

/// Whether the word ending at `end` is singular, by its ending:
/// "handicappato", "cerebrolesa", "subnormale", "mongoloide" (not
/// "handicappate", "spastiche").
fn singular(sk: &str, end: usize) -> bool {
    let w = &sk[..end];
    w.ends_with(['o', 'a']) || w.ends_with("le") || w.ends_with("de")
}

/// Said of the author or of the author's own group: "noi terroni", "siamo
/// terroni", "sono un terrone", "sono una terrona", "sono mezzo terrone"
/// (in the skeleton, "mezo"), "da terrone emigrato" after "io" ("io da
/// terrona adottata"). A singular after "sono" is the author; the plural
/// may be said of others ("sono terroni"). Asked of every group word the
/// lexicon finds (see `group_bit`), so it reads the two words before
/// without collecting them.
pub(crate) fn own_group(sk: &str, start: usize, end: usize) -> bool {
    let mut prev = before(sk, start);
    match (prev.next(), prev.next()) {
        (Some("noi" | "siamo"), _) => true,
        (Some("sono"), _) => singular(sk, end),
        (Some("un" | "uno" | "una" | "mezo" | "meza"), Some("sono" | "siamo")) => true,
        (Some("da"), Some("io")) => true,
        _ => false,
    }
}

/// A dated word for a disability said of the author ("sono
/// handicappato") or of a person it describes ("mio figlio è cerebroleso", "un signore handicappato è rimasto alla
/// fermata", "la nonna lo chiama ancora mongoloide") or naming a service
/// for disabled people ("il parcheggio per handicappati", "i posti
/// riservati agli handicappati"). An insult is a noun or is said to
/// someone ("un handicappato", "sei spastico", "gli handicappati sono un
/// costo"), which none of these is.
fn descriptive(sk: &str, start: usize, end: usize) -> bool {
    let w = words();
    let prev: Vec<&str> = before(sk, start).take(6).collect();
    // "sono handicappato": a singular after "sono" is the author (the
    // plural "sono handicappati" may be said of others).
    if prev.first() == Some(&"sono") && singular(sk, end) {
        return true;
    }
    // The word said of the author's relative: right after the relative
    // ("mio figlio handicappato", "ho un figlio spastico") or after the
    // relative and a verb ("mia figlia è cerebrolesa", "mio fratello è nato
    // spastico"); not a word said of someone else near a relative ("non
    // voglio mio figlio in classe con un ritardato").
    let own = |i: usize| {
        prev.get(i + 1..(i + 3).min(prev.len())).is_some_and(|ws| {
            ws.iter()
                .any(|q| is_in(&w.possessives, q) || *q == "ho" || *q == "abbiamo")
        })
    };
    let kin_at = |i: usize| prev.get(i).is_some_and(|p| is_in(&w.kin, p)) && own(i);
    let verb = |i: usize| {
        prev.get(i)
            .is_some_and(|p| ["e", "era", "nato", "nata", "stato", "stata"].contains(p))
    };
    let kin = kin_at(0) || (verb(0) && (kin_at(1) || (verb(1) && kin_at(2))));
    // An adjective of a person: "un signore handicappato", "ragazzi
    // cerebrolesi", "un bambino spastico che non tiene la penna".
    // "ritardato" after a person is the insult ("vigili ritardati"), unless
    // it is the dated clinical term ("un ragazzo ritardato mentale").
    let clinical = !sk[start..end].starts_with(&w.delay)
        || after(sk, end)
            .next()
            .is_some_and(|n| n.starts_with("mental"));
    let attributive = clinical
        && prev
            .first()
            .is_some_and(|p| is_in(&w.persons, p) || is_in(&w.kin, p));
    // Someone else's word, named as such: "lo chiama ancora mongoloide",
    // "fu definito subnormale dai medici".
    let named = prev.iter().take(3).any(|p| is_in(&w.naming, p));
    // "parcheggio per handicappati", "la tribuna per gli handicappati",
    // "posti riservati ai disabili e agli handicappati": a service, a link
    // word (an article may follow it), at most one word between.
    let article = |p: &&str| ["gli", "i", "le", "l"].contains(p);
    let skip = usize::from(prev.first().is_some_and(article));
    let service = prev.iter().enumerate().skip(skip).take(3).any(|(i, p)| {
        is_in(&w.service_links, p)
            && prev
                .get(i + 1..(i + 3).min(prev.len()))
                .is_some_and(|ws| ws.iter().any(|q| is_in(&w.services, q)))
    });
    kin || attributive || named || service
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sense_of(text: &str, word: &str) -> Sense {
        let norm = Normalized::new(text);
        let sk = norm.skeleton.as_str();
        let target = normalize::skeletonize(word);
        let start = sk
            .split(' ')
            .scan(0usize, |pos, w| {
                let at = *pos;
                *pos += w.len() + 1;
                Some((at, w))
            })
            .find(|(_, w)| *w == target)
            .map(|(at, _)| at)
            .expect("word in text");
        sense(text, &norm, start, start + target.len())
    }

    #[test]
    fn a_delay_is_not_a_slur() {
        for (t, w) in [
            (
                "Con l'apertura ritardata dell'asilo come facciamo?",
                "ritardata",
            ),
            (
                "Il pagamento ritardato della TARI ha una mora?",
                "ritardato",
            ),
            ("Il treno è stato ritardato di 20 minuti", "ritardato"),
            ("hanno ritardato i lavori un'altra volta", "ritardato"),
            (
                "la raccolta ritardata di due giorni senza avvisare",
                "ritardata",
            ),
            (
                "inizio delle lezioni ritardato di una settimana",
                "ritardato",
            ),
            ("il rimborso mi risulta ancora ritardato", "ritardato"),
            ("per noi gli assegni ritardati sono la regola", "ritardati"),
        ] {
            assert_eq!(sense_of(t, w), Sense::Plain, "{t}");
        }
        for (t, w) in [
            ("sei proprio un ritardato", "ritardato"),
            ("l'assessore è un ritardato", "ritardato"),
            ("quei ritardati del consiglio comunale", "ritardati"),
            ("zitto ritardato", "ritardato"),
            ("vai a studiare ritardato", "ritardato"),
            ("Ritardato! ma li leggi i post?", "ritardato"),
            ("vigili ritardati che multano", "ritardati"),
            ("in classe con due ritardati che urlano", "ritardati"),
        ] {
            assert_eq!(sense_of(t, w), Sense::Slur, "{t}");
        }
    }

    #[test]
    fn a_relative_or_a_service_is_described_not_attacked() {
        for (t, w) in [
            (
                "mio figlio è handicappato e manca il sostegno",
                "handicappato",
            ),
            (
                "mia figlia è cerebrolesa e il pulmino non passa",
                "cerebrolesa",
            ),
            (
                "sono handicappato e il bus non ha la pedana",
                "handicappato",
            ),
            (
                "un signore handicappato è rimasto alla fermata",
                "handicappato",
            ),
            ("la nonna lo chiama ancora mongoloide", "mongoloide"),
            (
                "Un utente continua a chiamare 'il ritardato' un ragazzo con disabilità",
                "ritardato",
            ),
            (
                "la tribuna per gli handicappati stava al sole",
                "handicappati",
            ),
            ("ho un figlio spastico e nessuno ci aiuta", "spastico"),
            ("mio fratello è nato spastico", "spastico"),
            (
                "Il parcheggio per handicappati è sempre occupato",
                "handicappati",
            ),
            (
                "i posti riservati agli handicappati davanti alla posta",
                "handicappati",
            ),
        ] {
            assert_eq!(sense_of(t, w), Sense::Descriptive, "{t}");
        }
        for (t, w) in [
            ("sei un handicappato", "handicappato"),
            ("gli handicappati sono solo un costo", "handicappati"),
            ("parli come uno spastico", "spastico"),
            ("tuo figlio è un ritardato", "ritardato"),
            ("quelli sono handicappati", "handicappati"),
            (
                "non voglio mio figlio in classe con un ritardato",
                "ritardato",
            ),
        ] {
            assert_eq!(sense_of(t, w), Sense::Slur, "{t}");
        }
    }

    #[test]
    fn a_medical_adjective_is_not_a_slur() {
        assert_eq!(
            sense_of("mia figlia ha una tetraparesi spastica", "spastica"),
            Sense::Plain
        );
        assert_eq!(sense_of("che spastica che sei", "spastica"), Sense::Slur);
    }

    #[test]
    fn a_slur_said_of_oneself_is_reclaimed() {
        for (t, w) in [
            ("noi terroni al freddo delle Dolomiti", "terroni"),
            ("sono un terrone e ne vado fiero", "terrone"),
            ("Io sono una terrona in pensione", "terrona"),
            ("Io che sono mezzo terrone e mezzo polentone", "terrone"),
        ] {
            assert_eq!(sense_of(t, w), Sense::OwnGroup, "{t}");
        }
        for (t, w) in [
            ("questi sono terroni", "terroni"),
            ("voi terroni rubate il lavoro", "terroni"),
        ] {
            assert_eq!(sense_of(t, w), Sense::Slur, "{t}");
        }
    }

    #[test]
    fn names_and_the_gospel_are_not_slurs() {
        assert_eq!(
            sense_of("In biblioteca si legge Ada Negri giovedì", "negri"),
            Sense::Plain
        );
        assert_eq!(
            sense_of("lavori in via negri da lunedì", "negri"),
            Sense::Plain
        );
        assert_eq!(
            sense_of("il coro canta i negro spiritual", "negro"),
            Sense::Plain
        );
        assert_eq!(
            sense_of("La via crucis con il cartello Gesù re dei Giudei", "giudei"),
            Sense::Plain
        );
        assert_eq!(
            sense_of("Negri fuori dal nostro paese", "negri"),
            Sense::Slur
        );
        assert_eq!(sense_of("fuori i negri dal paese", "negri"), Sense::Slur);
        assert_eq!(sense_of("FUORI I NEGRI DAL PAESE", "negri"), Sense::Slur);
        assert_eq!(sense_of("i giudei comandano tutto", "giudei"), Sense::Slur);
    }

    #[test]
    fn giudei_in_history_and_in_the_scripture_are_historical() {
        for (text, word) in [
            ("la cacciata dei giudei dal Regno di Napoli", "giudei"),
            ("qui abitavano i giudei fino al 1492", "giudei"),
            (
                "Giuseppe d'Arimatea era un giudeo ricco e buono, nella Passione",
                "giudeo",
            ),
            ("il narratore, Gesù, Pilato e i giudei", "giudei"),
            ("le botteghe dei giudei nel Quattrocento", "giudei"),
        ] {
            assert_eq!(sense_of(text, word), Sense::Historical, "{text}");
        }
        // Today's Jews, a year of today, a synagogue of today: nothing says
        // history, the word is read as the slur it is in that register.
        for (text, word) in [
            ("ogni anno sti giudei si prendono tutto lo spazio", "giudei"),
            ("nel 2024 i giudei hanno avuto il contributo", "giudei"),
            (
                "la sinagoga sorvegliata e noi no, sempre i giudei prima",
                "giudei",
            ),
            ("un giudeo al bilancio, vedrete come ci spenna", "giudeo"),
        ] {
            assert_eq!(sense_of(text, word), Sense::Slur, "{text}");
        }
    }
}
