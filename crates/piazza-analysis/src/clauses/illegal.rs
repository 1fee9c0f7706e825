//! Illegal content (Roma rule 3: "contenuti illeciti o di incitamento a
//! compiere attività illecite"; Cento rule 2: "illeciti o di incitamento a
//! compiere attività illecite"): offers of drugs, weapons without a licence
//! and counterfeit goods or documents, and calls to commit crimes against
//! property ("bruciamo le macchine dei vigili"). Violence against people is
//! the threat rules' job.
//!
//! What it must not flag: a citizen who *reports* dealing ("spacciano ai
//! giardini": the crime-report intent), the grass of a park ("tagliate
//! l'erba"), smoke from a chimney, news of a seizure, an opinion on
//! legalisation, a legal sale, a warning about fake banknotes.

use piazza_taxonomy::Category;

use super::{Best, Signal, Signals, has_phrase, has_stem};
use crate::Collector;
use crate::normalize::Normalized;
use crate::rules::{Action, Spec};

/// Substances (the anchor: rare words; whether they are offered is read
/// from the words before them).
const DRUG: &str = r"(?:roba (?:buona|bona|otima)|fung\w* alucinogen\w*|erba|fumo|hashish|hascisc|hashis|ashish|marijuana|marjuana|cannabis|skunk|cocaina|coca|bamba|eroina|crack|mdma|ecstasy|pasticche|ketamina|keta|anfetamin\w*|metanfetamin\w*|lsd|droga|droghe|stupefacent\w*)";
const WEAPON: &str = r"(?:pistol\w*|revolver|rivoltel\w*|fucil\w*|mitra|mitragliet\w*|kalashnikov|armi|arma|munizioni|proiettili|silenziator\w*|tirapugni|esplosiv\w*|dinamite|granat\w*)";
const FAKE: &str = r"(?:fals[oaie]|contrafat\w*|replica|repliche|taroc\w*|clonat\w*|non originali|prima copia|identic\w* al\W*originale)";
/// Crimes against property, as a call to commit them together.
const HORTATIVE: &str = r"(?:bruciamo|bruciate|incendiamo|incendiate|diamo fuoco|date fuoco|sfasciamo|sfasciate|spachiamo|spacate|distrugiamo|distrugete|abatiamo|abatete|rigate|righiamo|bucate|buchiamo|squarciate|squarciamo|rubiamo|saccheggiamo|saccheggiate|svaligiamo|svaligiate|imbratiamo|imbratate|vandaliziamo|vandalizate|sabotiamo|sabotate|ocupiamo|ocupate|sfondiamo|sfondate|devastiamo|devastate|asaltiamo|asaltate|tagliamo le gome|tagliate le gome|tagliategli le gome)";
const INFINITIVE: &str = r"(?:bruciare|incendiare|dare fuoco|sfasciare|spacare|distrugere|abatere|rigare|bucare|squarciare|rubare|saccheggiare|svaligiare|imbratare|vandalizare|sabotare|ocupare|sfondare|devastare|asaltare|tagliare le gome)";

/// Who offers or asks, in the few words before the substance.
const OFFER: &[&str] = &[
    " vendo ",
    " vendiamo ",
    " spacio ",
    " smercio ",
    " cedo ",
    " procuro ",
    " procuriamo ",
    " consegno ",
    " consegniamo ",
    " porto io ",
    " chi vuole ",
    " chi cerca ",
    " chi ha bisogno di ",
    " chi necesita di ",
    " chi ne vuole ",
    " chi mi vende ",
    " se vi serve ",
    " se ti serve ",
    " se cercate ",
    " se cerchi ",
    " se volete ",
    " a chi serve ",
    " ho del ",
    " ho dela ",
    " ho un po ",
    " ho tanta ",
    " ho tanto ",
    " ho otima ",
    " ho otimo ",
    " ho buona ",
    " ho buon ",
    " abiamo del ",
    " abiamo dela ",
    " abiamo otima ",
    " abiamo otimo ",
    " cerco ",
    " compro ",
    " ofro ",
    " ofriamo ",
];
/// Only with a way to be reached or a price are these an offer to buy.
const WEAK_OFFER: &[&str] = &[" cerco ", " compro "];
const WEAPON_OFFER: &[&str] = &[
    " vendo ",
    " vendiamo ",
    " cedo ",
    " procuro ",
    " procuriamo ",
    " ofro ",
    " chi vuole ",
    " chi cerca ",
    " chi ha bisogno di ",
    " se vi serve ",
    " se ti serve ",
    " se cercate ",
    " se cerchi ",
];
/// Documents and goods that are faked.
const DOCS: &[&str] = &[
    "patent",
    "document",
    "identita",
    "pasaport",
    "sogiorno",
    "gren",
    "disabil",
    "certificat",
    "ricet",
    "banconot",
    "sold",
    "targh",
    "diplom",
    "laure",
    "bors",
    "scarpe",
    "orologi",
    "rolex",
    "vestiti",
    "magliet",
    "profum",
    "contrasegn",
    "abonament",
    "bigliet",
    "cintur",
];
/// Who makes or sells them.
const MAKE: &[&str] = &[
    " vendo ",
    " vendiamo ",
    " facio ",
    " faciamo ",
    " procuro ",
    " procuriamo ",
    " si fano ",
    " realizo ",
    " realiziamo ",
    " ofro ",
    " ofriamo ",
    " stampo ",
    " stampiamo ",
    " chi vuole ",
    " chi cerca ",
    " chi ha bisogno di ",
];
/// The property a call to crime targets.
const PROPERTY: &[&str] = &[
    "auto",
    "machin",
    "vetrin",
    "autovelox",
    "velox",
    "telecamer",
    "cartel",
    "panchin",
    "gome",
    "pneumatic",
    "sede",
    "sedi",
    "comune",
    "municipio",
    "ufici",
    "negoz",
    "supermercat",
    "casonet",
    "semafor",
    "tuto",
    "case",
    "casa",
    "scuol",
    "giostr",
    "campo",
    "moschea",
    "chiesa",
    "bus",
    "autobus",
    "treni",
    "stazione",
    "caserma",
    "fabrica",
    "cantier",
    "mezi",
    "furgon",
    "vigili",
    "polizia",
    "carabinieri",
    "banca",
    "banche",
    "alogi",
];
/// Only the hortatives that we do ourselves: a "bisogna abbattere
/// l'autovelox" asks the administration to remove it.
const LETS: &[&str] = &[
    " andiamo a ",
    " andiamo ad ",
    " andate a ",
    " andate ad ",
    " forza ",
    " dai ",
    " faciamo ",
    " dobiamo ",
    " dovremo ",
    " si va a ",
    " dai andiamo a ",
];

pub(crate) fn specs() -> Vec<Spec> {
    let s = |sig| Action::Signal(sig);
    vec![
        (s(Signal::Drug), 0.0, "sostanza stupefacente", format!(r"\b{DRUG}\b")),
        (s(Signal::DrugPrice), 0.0, "prezzo a dose o a grammo",
         r"\b\d+\s*(?:euro|eur|€)?\s*(?:al|il|a)\s+(?:gramo|grami|gr|g|dose|pezo|stecca)\b".into()),
        (s(Signal::SaleContact), 0.0, "invito a contattare in privato",
         r"\b(?:scrivetemi|scrivimi|mi scriva|mi scrivete|mi contati|mi chiami|scriva in privato|contatatemi|contatami|chiamatemi|chiamami|in privato|in pv|in dm|in direct|whatsap|telegram|mesaggio privato|consegna a domicilio|consegno ovunque|prezi modici|prezo modico|prezi onesti|disponibile subito|masima discrezione|discrezione)\b".into()),
        (s(Signal::Weapon), 0.0, "arma", format!(r"\b{WEAPON}\b")),
        (s(Signal::WeaponIllegal), 0.0, "arma senza licenza",
         r"\b(?:senza (?:porto d\W*armi|licenza|documenti|denuncia|matricola)|non denunciat\w*|matricola (?:abrasa|cancelata|limata)|(?:pistol\w*|arm[ai]|fucil\w*|revolver) pulit\w*|clandestin[ae]|cane moze)".into()),
        (s(Signal::Fake), 0.0, "merce o documento falso",
         format!(r"\b{FAKE}|\bpatente senza esam\w*|\b(?:green pas|certificat\w* medic\w*|patent\w*) (?:senza|a) (?:vacino|visita|esam\w*|pagamento)")),
        (s(Signal::Hortative), 0.0, "invito a un reato contro cose", format!(r"\b{HORTATIVE}\b")),
        (s(Signal::Infinitive), 0.0, "reato contro cose", format!(r"\b{INFINITIVE}\b")),
        (s(Signal::SelfJustice), 0.0, "incitamento a farsi giustizia da sé",
         r"\b(?:fatevi giustizia|faciamoci giustizia|fati giustizia da solo|armiamoci|armatevi|prendiamo (?:le armi|i fucili|i bastoni|le spranghe)|prendete (?:le armi|i fucili|i bastoni|le spranghe)|ronde armate)\b".into()),
        (s(Signal::CrimeHowTo), 0.0, "istruzioni per commettere un reato",
         r"\b(?:eco come|vi spiego come|vi insegno a|tutorial (?:per|su come)|guida per) (?:[a-z]+ )?(?:falsificare|clonare|scasinare|rubare (?:auto|macchin\w*|bici\w*|in casa|nele case|nei negozi)|evadere|coltivare (?:erba|marijuana|canabis)|trufare)\b".into()),
    ]
}

/// Words after "erba", "fumo", "coca"... that make them something legal:
/// the next word ("erba medica", "coca cola"), or animals and gardens
/// within the next four ("erba e fieno per conigli").
fn innocent_next(sk: &str, end: usize) -> bool {
    let rest = sk[end.min(sk.len())..].trim_start();
    let next: Vec<&str> = rest.split(' ').take(5).collect();
    if next.iter().any(|w| {
        matches!(
            *w,
            "fieno"
                | "conigli"
                | "cavali"
                | "animali"
                | "giardino"
                | "giardini"
                | "prato"
                | "orto"
                | "galine"
        )
    }) {
        return true;
    }
    let first = next.first().copied().unwrap_or("");
    matches!(
        first,
        "medica"
            | "sintetica"
            | "sintetico"
            | "cipolina"
            | "aromatiche"
            | "aromatica"
            | "gata"
            | "prato"
            | "artificiale"
            | "fresca"
            | "tagliata"
            | "seca"
            | "medicinale"
            | "oficinale"
            | "luigia"
            | "cola"
            | "light"
            | "legale"
            | "legali"
            | "cbd"
            | "nero"
            | "dale"
            | "negli"
            | "del"
    )
}

pub(crate) fn detect(s: &Signals<'_>, norm: &Normalized, c: &mut Collector<'_>) {
    let sk = s.sk;
    let mut best = Best::default();
    let mut consider = |score: f32, spans: Vec<(usize, usize)>, why: &'static str| {
        best.consider(score, spans, why)
    };
    let reachable = s.has(Signal::SaleContact) || s.has(Signal::DrugPrice);
    for span in s.all(Signal::Drug) {
        if innocent_next(sk, span.1) {
            continue;
        }
        let before = s.before(span.0, 8);
        // "non vendo erba", "chi vende droga ai ragazzi deve andare in galera"
        if !has_phrase(&before, OFFER) || before.contains(" non ") {
            continue;
        }
        let strong = OFFER
            .iter()
            .filter(|p| !WEAK_OFFER.contains(p))
            .any(|p| before.contains(p));
        let weak = !strong;
        let score = match (weak, reachable) {
            (true, false) => 0.45,
            (true, true) => 0.75,
            (false, false) => 0.8,
            (false, true) => 0.9,
        };
        consider(
            score,
            vec![span],
            "offerta o ricerca di sostanze stupefacenti (art. 73 D.P.R. 309/1990)",
        );
    }
    for span in s.all(Signal::Weapon) {
        let before = s.before(span.0, 4);
        if !has_phrase(&before, WEAPON_OFFER) || before.contains(" non ") {
            continue;
        }
        let next = s.after(span.1, 2);
        if has_stem(
            &next,
            &["giocatol", "softair", "acqua", "piombini", "scaciacani"],
        ) {
            continue;
        }
        if s.has(Signal::WeaponIllegal) {
            consider(
                0.85,
                vec![span],
                "offerta di armi senza licenza o non denunciate",
            );
        } else {
            consider(0.5, vec![span], "offerta di armi tra privati");
        }
    }
    for span in s.all(Signal::Fake) {
        let matched = &sk[span.0..span.1];
        let direct = matched.starts_with("patente senza")
            || matched.contains(" senza ")
            || matched.contains(" a ");
        let before = s.before(span.0, 10);
        let around = format!("{before}{}", s.after(span.1, 6));
        let sold = has_phrase(&before, MAKE) && has_stem(&around, DOCS);
        if (direct || sold) && !before.contains(" non ") {
            consider(
                0.85,
                vec![span],
                "vendita di merce o documenti falsi o contraffatti",
            );
        }
    }
    for span in s.all(Signal::Hortative) {
        if !s.negated(span.0) && has_stem(&s.after(span.1, 5), PROPERTY) {
            consider(
                0.8,
                vec![span],
                "incitamento a commettere reati (art. 414 c.p.)",
            );
        }
    }
    for span in s.all(Signal::Infinitive) {
        if has_phrase(&s.before(span.0, 3), LETS) && has_stem(&s.after(span.1, 5), PROPERTY) {
            consider(
                0.8,
                vec![span],
                "incitamento a commettere reati (art. 414 c.p.)",
            );
        }
    }
    for span in s.all(Signal::SelfJustice) {
        // "armatevi di pazienza"
        let figurative = sk[span.1..].trim_start().starts_with("di ");
        if !s.negated(span.0) && !figurative {
            consider(0.75, vec![span], "incitamento a farsi giustizia da sé");
        }
    }
    for span in s.all(Signal::CrimeHowTo) {
        consider(0.75, vec![span], "istruzioni per commettere un reato");
    }
    best.report(c, norm, Category::Illegal);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_lists_are_written_as_skeletons() {
        for list in [OFFER, WEAK_OFFER, WEAPON_OFFER, DOCS, MAKE, PROPERTY, LETS] {
            super::super::assert_skeletal(list);
        }
    }
}
