//! Misleading and alarmist content in emergencies (Roma rule 3: "notizie
//! false, tendenziose o allarmistiche"; "ingannevoli, allarmistici" in
//! Roma's list and Cento's rule 2): an alarm about water, schools, an
//! epidemic, an earthquake... *spread* as a chain ("passate parola",
//! "condividete prima che lo cancellino") or on hearsay ("lo dice mio
//! cugino in comune"). An alarm alone is only a weak signal: citizens
//! describe real problems ("l'acqua è torbida da tre giorni").
//!
//! Never flagged: a citizen who asks whether a rumour is true, who debunks
//! it, or who relays an official notice (an ordinance, the Protezione
//! Civile) even with "passate parola".

use piazza_taxonomy::Category;

use super::{Signal, Signals, has_phrase, has_stem, report};
use crate::Collector;
use crate::normalize::Normalized;
use crate::rules::{Action, Spec};

/// What makes a closure an alarm: all of it, for good, the whole town.
const CLOSURE_WHAT: &[&str] = &[
    " tut",
    " per sempre ",
    " la cita ",
    " il paese ",
    " i confini ",
    " l ' ospedale ",
    " il pronto socorso ",
    " le scuole ",
    " i supermercat",
    " il quartiere ",
    " la luce ",
    " l ' acqua ",
    " la zona ",
    " gli asili ",
    " i negozi ",
];
/// A forecast or an announcement before a disaster.
const FORECAST: &[&str] = &[
    " ariva ",
    " arivera ",
    " in arivo ",
    " sta arivando ",
    " ci sara ",
    " prevedono ",
    " previsto ",
    " hano previsto ",
    " stanote ",
    " domani ",
    " rompe ",
    " sta per ",
];
const VACCINE_HARM: &[&str] = &[
    "ucid",
    "kiler",
    "veleno",
    "avelenat",
    "steril",
    "autismo",
    "morti",
    "morire",
    "microchip",
    "grafene",
];

pub(crate) fn specs() -> Vec<Spec> {
    let s = |sig| Action::Signal(sig);
    vec![
        (s(Signal::Alarm), 0.0, "allarme su acqua, salute o sicurezza",
         r"\b(?:avelenat\w*|avelenando|contaminat\w*|radioativ\w*|infet\w*|tosic\w*|veleno|mortale|mortali|colera|ebola|peste|meningite|legionela|tubercolosi|scabia|scie chimiche|grafene|microchip|diosina|uranio|arsenico|amianto|leucemia|radiazioni|focolaio|rapitori|rapiscono|rapire i bambini|rapire bambini|adescano i bambini|tentato rapimento|rapimenti)\b".into()),
        (s(Signal::Alarm), 0.0, "invito a non bere, non uscire, fuggire, fare scorta",
         r"\b(?:non (?:bevete|bevetela|usate l\W*acqua|mangiate|uscite|mandate i (?:figli|bambini|ragazi)|portate i bambini|fate uscire i bambini|datelo ai bambini|aprite le finestre)|scapate|fugite|evacuate|fate scorta|fate provvista|chiudetevi in casa|baricatevi|tenete i (?:bambini|figli) a casa|tenetevi i figli a casa|dormite fuori|dormite in macchina)\b".into()),
        (s(Signal::Alarm), 0.0, "vittime o contagi non verificati",
         r"\b(?:decine|centinaia|migliaia) di (?:morti|contagiati|casi|vitime|malati|feriti|intosicati|tumori)\b|\b(?:piena|pieno|pieni) di (?:contagiati|malati|morti|casi|intosicati)\b|\bci sono (?:gia )?(?:morti|contagiati|casi)\b|\b(?:diga|ponte|argine|argini) (?:sta per crolare|crola|cede|sta cedendo|sta per cedere)|\bsta per esondare\b|\bnube tosica\b".into()),
        (s(Signal::Closure), 0.0, "chiusure o blocchi",
         r"\b(?:chiudere|chiudono|chiuderano|chiude|chiudera|evacuare|evacuano|sgomberare|blocare|blocano|isolare|isolano|razionare|tagliano|tagliare)\b".into()),
        (s(Signal::Disaster), 0.0, "catastrofe",
         r"\b(?:teremot\w*|scosa|scose|tsunami|maremoto|alluvion\w*|epidemi\w*|pandemi\w*|uragano|tromba d\W*aria)\b".into()),
        (s(Signal::Vaccine), 0.0, "vaccini", r"\bvacin\w*".into()),
        (s(Signal::Conspiracy), 0.0, "verità nascosta",
         r"\b(?:ci nascondono|nascondono|nasconde|stano nascondendo|tengono nascost\w*|hano nascosto|insabbia|insabbiano|ci tengono alo scuro|non ve lo dicono|non ve lo dirano|nesuno ve lo dice|non lo dicono|nesuno ne parla|i (?:media|giornali|tg) (?:taciono|non ne parlano)|(?:il comune|il sindaco) (?:tace|lo nasconde|non dice niente|lo sa e tace))\b".into()),
        (s(Signal::Spread), 0.0, "invito a diffondere",
         r"\b(?:condividete|condividetelo|condividere|girate|inoltrate|pasate parola|pasa parola|pasaparola|fate girare|fatelo girare|fatela girare|difondete|avvisate tuti|avvisate amici|avvisate parenti|copia e incola|copiate e incolate|prima che (?:lo|la|li|ci) (?:cancelino|censurino|tolgano|rimuovano|oscurino))\b".into()),
        (s(Signal::HearsayWho), 0.0, "un parente o un conoscente come fonte",
         r"\b(?:mio|mia|un mio|una mia) (?:cugin\w*|cognat\w*|zi[oa]|amic\w*|vicin\w*|suocer\w*|fratelo|sorela|marito|moglie|figli\w*|conoscent\w*|colleg\w*)\b|\b(?:un|una) (?:amic\w*|conoscent\w*|infermier\w*|medico|tecnico) (?:mio|mia|che lavora|che conosco|del\w*)\b|\b(?:un|una) (?:infermier\w*|medico|tecnico) che conosco\b".into()),
        (s(Signal::HearsaySays), 0.0, "per sentito dire",
         r"\b(?:me lo ha deto|me l\W*ha deto|mi ha deto|lo dice|lo ha deto|l\W*ha deto|ha deto|dice|conferma|ha confermato|giura)\b".into()),
        (s(Signal::HearsayStrong), 0.0, "fonte non verificabile",
         r"\b(?:font[ei] (?:certa|certe|sicura|sicure|atendibil\w*|intern[ae])|notizia certa|lo sano tuti|sicuro al cento per cento)\b".into()),
        (s(Signal::Urgent), 0.0, "tono d'allarme",
         r"\b(?:urgente|alarme|alerta masima|atenzione a tuti|avviso importante|atenzione)\b".into()),
        (s(Signal::Doubt), 0.0, "domanda o smentita",
         r"\b(?:e vero|e vera|e una bufala|bufala|bufale|fake|notizia falsa|notizie false|falso alarme|non e vero|smentit\w*|smentisco|non credete|non condividete|non difondete|non fate girare|verificate|qualcuno sa|sapete se|potete confermare|confermate|ci sono conferme|e confermato|qualcuno ne sa|fonti ufficiali|sciacal\w*)\b".into()),
        (s(Signal::Official), 0.0, "fonte ufficiale",
         r"\b(?:ordinanza|comunicato|sito del comune|pagina del comune|protezione civile|avviso del comune|il sindaco ha (?:firmato|disposto|emeso|comunicato)|asl ha|arpa ha|prefetura ha|bolletino|alerta (?:rosa|arancione|gialla)|alert system|come da avviso|ufficialmente|ministero)\b".into()),
    ]
}

pub(crate) fn detect(s: &Signals<'_>, norm: &Normalized, c: &mut Collector<'_>) {
    // The alarm: a claim about water, health or safety, a closure of all
    // of something, a disaster announced, vaccines that kill.
    let alarm = s
        .first(Signal::Alarm)
        .or_else(|| {
            s.all(Signal::Closure)
                .find(|sp| has_phrase(&s.after(sp.1, 3), CLOSURE_WHAT))
        })
        .or_else(|| {
            s.all(Signal::Disaster)
                .find(|sp| has_phrase(&s.before(sp.0, 3), FORECAST))
        })
        .or_else(|| {
            s.all(Signal::Vaccine)
                .find(|sp| has_stem(&s.after(sp.1, 5), VACCINE_HARM))
        });
    let Some(alarm) = alarm else {
        return;
    };
    // Asking whether it is true, or saying it is false, is not spreading it.
    if s.has(Signal::Doubt) || norm.plain.contains('?') {
        return;
    }
    let spread = s.all(Signal::Spread).find(|sp| !s.negated(sp.0));
    let hearsay = s.first(Signal::HearsayStrong).or_else(|| {
        s.first(Signal::HearsayWho)
            .filter(|_| s.has(Signal::HearsaySays))
    });
    let conspiracy = s.first(Signal::Conspiracy);
    // Relaying an official notice, unless it is said to be hidden.
    if s.has(Signal::Official) && conspiracy.is_none() {
        return;
    }
    let mut score: f32 = 0.45;
    let mut spans = vec![alarm];
    let mut why = "allarme non verificato su salute o sicurezza";
    if let Some(x) = spread {
        score += 0.4;
        spans.push(x);
        why = "allarme diffuso a catena senza fonte ufficiale («passate parola»)";
    }
    if let Some(x) = hearsay {
        score += 0.4;
        spans.push(x);
        why = "allarme basato su voci («lo dice mio cugino»), senza fonte ufficiale";
    }
    if let Some(x) = conspiracy {
        score += 0.4;
        spans.push(x);
        if spread.is_none() && hearsay.is_none() {
            why = "allarme presentato come verità nascosta, senza fonte";
        }
    }
    if s.has(Signal::Urgent) {
        score += 0.05;
    }
    report(
        c,
        norm,
        Category::Misleading,
        None,
        score.min(0.95),
        &spans,
        why,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_lists_are_written_as_skeletons() {
        for list in [CLOSURE_WHAT, FORECAST, VACCINE_HARM] {
            super::super::assert_skeletal(list);
        }
    }
}
