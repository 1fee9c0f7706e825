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

use super::{Signal, Signals, report};
use crate::Collector;
use crate::normalize::Normalized;
use crate::rules::{Action, Spec};

/// Substances, as sold or asked for.
const DRUG: &str = r"(?:roba (?:buona|bona|otima)|fung\w* alucinogen\w*|erba|fumo|hashish|hascisc|hashis|ashish|marijuana|marjuana|cannabis|skunk|cocaina|coca|bamba|eroina|crack|mdma|ecstasy|pasticche|ketamina|keta|anfetamin\w*|metanfetamin\w*|lsd|droga|droghe|stupefacent\w*)";
/// Who offers or asks: first person, or a call to whoever wants some.
const OFFER: &str = r"(?:vendo|vendiamo|spaccio|smercio|cedo|procuro|procuriamo|consegno|consegniamo|porto io|chi (?:vuole|cerca|ha bisogno di|necessita di|ne vuole|mi vende)|se (?:vi serve|ti serve|cercate|cerchi|volete)|a chi serve|ho (?:del|dela|un po di|tanta|tanto|ottima|ottimo|buona|buon)|abbiamo (?:del|dela|ottima|ottimo)|cerco|compro)";
const WEAPON: &str = r"(?:pistol\w*|revolver|rivoltel\w*|fucil\w*|mitra|mitragliet\w*|kalashnikov|armi|arma|munizioni|proiettili|silenziator\w*|tirapugni|coltel\w* a scato|esplosiv\w*|dinamite|granat\w*)";
const DOCS: &str = r"(?:patent\w*|document\w*|cart\w* d\W*identita|pasaport\w*|permes\w* di sogiorno|green pas|certificat\w*|ricet\w*|banconot\w*|sold\w*|targh\w*|diplom\w*|laure\w*|bors\w*|scarpe|orologi\w*|rolex|vestiti|magliet\w*|profum\w*|pas disabili|contrasegn\w*|abonament\w*|bigliet\w*)";
const FAKE: &str = r"(?:fals\w*|contrafat\w*|replica|repliche|taroc\w*|clonat\w*|non originali|prima copia|identic\w* al\W*originale)";
const MAKE: &str = r"(?:vendo|vendiamo|facio|faciamo|procuro|procuriamo|si fano|realizo|realiziamo|ofro|ofriamo|stampo|stampiamo|chi (?:vuole|cerca|ha bisogno di))";
/// Crimes against property, as a call to commit them together.
const HORTATIVE: &str = r"(?:bruciamo|bruciate|incendiamo|incendiate|diamo fuoco|date fuoco|sfasciamo|sfasciate|spachiamo|spacate|distrugiamo|distrugete|abatiamo|abatete|rigate|righiamo|bucate|buchiamo|squarciate|squarciamo|rubiamo|saccheggiamo|saccheggiate|svaligiamo|svaligiate|imbratiamo|imbratate|vandaliziamo|vandalizate|sabotiamo|sabotate|ocupiamo|ocupate|sfondiamo|sfondate|devastiamo|devastate|asaltiamo|asaltate|tagliamo le gome|tagliate le gome|tagliategli le gome)";
const INFINITIVE: &str = r"(?:bruciare|incendiare|dare fuoco|sfasciare|spacare|distrugere|abatere|rigare|bucare|squarciare|rubare|saccheggiare|svaligiare|imbratare|vandalizare|sabotare|ocupare|sfondare|devastare|asaltare|tagliare le gome)";
/// Only the hortatives that we do ourselves: a "bisogna abbattere
/// l'autovelox" asks the administration to remove it.
const LETS: &str = r"(?:andiamo a|andiamo ad|andate a|andate ad|forza|dai|facciamo|dobbiamo|dovremmo|ora si va a|stanotte (?:andiamo a|si va a))";
const PROPERTY: &str = r"(?:auto|macchin\w*|vetrin\w*|autovelox|velox|telecamer\w*|cartel\w*|panchin\w*|gome|pneumatic\w*|sede|sedi|comune|municipio|uffici\w*|negoz\w*|supermercat\w*|casonet\w*|semafor\w*|tuto|case|casa|scuol\w*|giostr\w*|campo|moschea|chiesa|bus|autobus|treni|stazione|caserma|fabrica|cantier\w*|mezi|furgon\w*|vigili|polizia|carabinieri)";

pub(crate) fn specs() -> Vec<Spec> {
    let s = |sig| Action::Signal(sig);
    vec![
        (s(Signal::DrugOffer), 0.0, "offerta o ricerca di stupefacenti",
         format!(r"\b{OFFER}\s+(?:\w+\s+){{0,4}}?{DRUG}\b")),
        (s(Signal::DrugPrice), 0.0, "prezzo a dose o a grammo",
         r"\b\d+\s*(?:euro|eur|€)?\s*(?:al|il|a)\s+(?:gramo|grami|gr|g|dose|pezo|stecca)\b|\broba (?:buona|bona|ottima|di qualita)\b".into()),
        (s(Signal::SaleContact), 0.0, "invito a contattare in privato",
         r"\b(?:scrivetemi|scrivimi|mi scriva|mi scrivete|mi contati|mi chiami|scriva in privato|contatatemi|contatami|chiamatemi|chiamami|in privato|in pv|in dm|in direct|whatsap|telegram|mesaggio privato|consegna a domicilio|consegno ovunque|prezi modici|prezo modico|prezi onesti|disponibile subito|massima discrezione|discrezione)\b".into()),
        (s(Signal::WeaponOffer), 0.0, "offerta di armi",
         format!(r"\b(?:vendo|vendiamo|cedo|procuro|procuriamo|ofro|chi (?:vuole|cerca|ha bisogno di)|se (?:vi serve|ti serve|cercate|cerchi))\s+(?:\w+\s+){{0,2}}?{WEAPON}\b")),
        (s(Signal::WeaponIllegal), 0.0, "arma senza licenza",
         r"\b(?:senza (?:porto d\W*armi|licenza|documenti|denuncia)|non denunciat\w*|matricola (?:abrasa|cancelata|limata)|(?:pistol\w*|arm[ai]|fucil\w*|revolver) pulit\w*|clandestin[ae]|canne mozze)".into()),
        (s(Signal::FakeGoods), 0.0, "vendita di merce o documenti contraffatti",
         format!(r"\b{MAKE}\s+(?:\w+\s+){{0,3}}?{DOCS}\s+(?:\w+\s+){{0,3}}?{FAKE}|\b{MAKE}\s+(?:\w+\s+){{0,2}}?{FAKE}\s+(?:\w+\s+){{0,3}}?{DOCS}|\bpatente senza esam\w*|\b(?:green pas|certificat\w* medic\w*|patent\w*) (?:senza|a) (?:vacino|visita|esam\w*|pagamento)")),
        (s(Signal::Incitement), 0.0, "incitamento a commettere reati contro cose",
         format!(r"\b{HORTATIVE}\s+(?:\w+\s+){{0,4}}?{PROPERTY}\b|\b{LETS}\s+(?:\w+\s+)?{INFINITIVE}\s+(?:\w+\s+){{0,4}}?{PROPERTY}\b")),
        (s(Signal::SelfJustice), 0.0, "incitamento a farsi giustizia da sé",
         r"\b(?:fatevi giustizia|faciamoci giustizia|fati giustizia da solo|armiamoci|armatevi|prendiamo (?:le armi|i fucili|i bastoni|le spranghe)|prendete (?:le armi|i fucili|i bastoni|le spranghe)|ronde armate)\b".into()),
        (s(Signal::CrimeHowTo), 0.0, "istruzioni per commettere un reato",
         r"\b(?:ecco come|vi spiego come|vi insegno a|tutorial (?:per|su come)|guida per)\s+(?:\w+\s+)?(?:falsificare|clonare|scasinare|rubare (?:auto|macchin\w*|bici\w*|in casa|nele case|nei negozi)|evadere|coltivare (?:erba|marijuana|canabis)|truffare)\b".into()),
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
    let mut best: Option<(f32, Vec<(usize, usize)>, &'static str)> = None;
    let mut consider = |score: f32, spans: Vec<(usize, usize)>, why: &'static str| {
        if best.as_ref().is_none_or(|b| score > b.0) {
            best = Some((score, spans, why));
        }
    };
    let contact = s.first(Signal::SaleContact);
    let price = s.first(Signal::DrugPrice);
    for span in s.all(Signal::DrugOffer) {
        if s.negated(span.0) || innocent_next(sk, span.1) {
            continue;
        }
        let matched = &sk[span.0..span.1];
        // "cerco"/"compro" alone also open "cerco erba sintetica": only with
        // a way to be reached or a price they are an offer to buy.
        let weak_opening = matched.starts_with("cerco") || matched.starts_with("compro");
        let mut score = if weak_opening { 0.45 } else { 0.8 };
        let mut ev = vec![span];
        if let Some(x) = contact.or(price) {
            score += if weak_opening { 0.3 } else { 0.1 };
            ev.push(x);
        }
        consider(
            score,
            ev,
            "offerta o ricerca di sostanze stupefacenti (art. 73 D.P.R. 309/1990)",
        );
    }
    for span in s.all(Signal::WeaponOffer) {
        if s.negated(span.0) {
            continue;
        }
        let rest = &sk[span.1..];
        if [
            "giocatolo",
            "softair",
            "ad acqua",
            "a piombini",
            "scaciacani",
            "giocatoli",
        ]
        .iter()
        .any(|w| rest.trim_start().starts_with(w))
        {
            continue;
        }
        match s.first(Signal::WeaponIllegal) {
            Some(x) => consider(
                0.85,
                vec![span, x],
                "offerta di armi senza licenza o non denunciate",
            ),
            None => consider(0.5, vec![span], "offerta di armi tra privati"),
        }
    }
    for span in s.all(Signal::FakeGoods) {
        if !s.negated(span.0) {
            consider(
                0.85,
                vec![span],
                "vendita di merce o documenti falsi o contraffatti",
            );
        }
    }
    for span in s.all(Signal::Incitement) {
        if !s.negated(span.0) {
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
    if let Some((score, spans, why)) = best {
        report(c, norm, Category::Illegal, None, score, &spans, why);
    }
}
