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

use super::{Signal, Signals, report};
use crate::Collector;
use crate::normalize::Normalized;
use crate::rules::{Action, Spec};

pub(crate) fn specs() -> Vec<Spec> {
    let s = |sig| Action::Signal(sig);
    vec![
        (s(Signal::Alarm), 0.0, "allarme su acqua, salute o sicurezza",
         r"\b(?:e|sono|e stat[oa]|sono stat[ie]|risulta|hanno)\s+(?:\w+\s+)?(?:avvelenat\w*|contaminat\w*|radioativ\w*|infet\w*|tosic\w*|veleno)\b".into()),
        (s(Signal::Alarm), 0.0, "invito a non bere o non uscire",
         r"\bnon (?:bevete|bevete piu|bevetela|usate l\W*acqua|mangiate|uscite di casa|mandate i (?:figli|bambini|ragazi) a scuola|portate i bambini)\b".into()),
        (s(Signal::Alarm), 0.0, "chiusure o blocchi imminenti",
         r"\b(?:stanno per|sta per|vogliono|hanno deciso di|domani|da domani|tra poco|a breve|entro (?:domani|stasera|lunedi))\s+(?:\w+\s+){0,2}?(?:chiudere|chiudono|chiuderano|evacuare|evacuano|sgomberare|blocare|bloccano|isolare|isolano|razionare|tagliare|tagliano)\s+(?:\w+\s+){0,2}?(?:tut\w*|le scuole|la cita|il paese|i supermercat\w*|l\W*acqua|la luce|le strade|l\W*ospedale|i confini|il quartiere)".into()),
        (s(Signal::Alarm), 0.0, "catastrofe annunciata",
         r"\b(?:arriva|arivera|e in arivo|sta arivando|ci sara|prevedono|hanno previsto|previsto)\s+(?:\w+\s+){0,2}?(?:teremot\w*|scosa|scose|tsunami|maremoto|alluvion\w*|nube tosica|epidemi\w*|pandemi\w*|uragano)".into()),
        (s(Signal::Alarm), 0.0, "invito alla fuga o all'accaparramento",
         r"\b(?:scapate|fugite|evacuate|fate scorta|fate provvista|chiudetevi in casa|baricatevi|non uscite|tenete i bambini a casa)\b".into()),
        (s(Signal::Alarm), 0.0, "allarme sanitario",
         r"\b(?:colera|ebola|peste|meningite|legionela|tubercolosi|nube tosica|scie chimiche|grafene|microchip|(?:diga|ponte|argine|argini) (?:sta per crolare|crola|cede|sta cedendo|sta per cedere)|sta per esondare|veleno nel\W*acqua|topi morti nel\W*acqua|vacin\w*\s+(?:\w+\s+){0,3}?(?:ucid\w*|killer|veleno|steril\w*|autismo|morti improvise))\b".into()),
        (s(Signal::Alarm), 0.0, "numeri di vittime non verificati",
         r"\b(?:ci sono|ci sarebero|hanno trovato|contano|gia)\s+(?:\w+\s+)?(?:decine|centinaia|migliaia)\s+di\s+(?:morti|contagiati|casi|vitime|malati|feriti|intosicati)".into()),
        (s(Signal::Alarm), 0.0, "chiusure generalizzate",
         r"\b(?:chiudono|chiuderano|chiude|chiudera|isolano|evacuano|sgomberano)\s+(?:\w+\s+)?(?:tut\w*|per sempre|la cita|il paese|il pronto socorso|l\W*ospedale|i confini)".into()),
        (s(Signal::Alarm), 0.0, "contagi e vittime",
         r"\b(?:piena di|pieno di|pieni di|ci sono (?:gia )?|sono gia (?:\w+ )?i?\s*)(?:morti|contagiati|malati|casi|intosicati|tumori)\b|\b(?:virus|bateri\w*|epidemia|focolaio|contagio|amianto|diosina|uranio|veleno|scabbia|scabia)\s+(?:\w+\s+){0,3}?(?:nel\W*acqua|in ospedale|a scuola|nele scuole|nela mensa|nele mense|in cita|nei parchi|nel late|in tute)\b|\bsta avelenando\b|\bavelenat\w*\b|\bmortale\b".into()),
        (s(Signal::Alarm), 0.0, "rapimenti annunciati",
         r"\b(?:rapitori|rapiscono|rapire i bambini|rapire bambini|adescano i bambini|tentato rapimento|rapimenti)\b".into()),
        (s(Signal::Conspiracy), 0.0, "verità nascosta",
         r"\b(?:ci nascondono|nascondono|stano nascondendo|tengono nascost\w*|insabbiano|ci tengono alo scuro|non ve lo dicono|non ve lo dirano|non lo dicono|nesuno ne parla|i (?:media|giornali|tg) (?:taciono|non ne parlano)|il comune (?:tace|lo nasconde|non dice niente))\b".into()),
        (s(Signal::Spread), 0.0, "invito a diffondere",
         r"\b(?:condividete|condividetelo|condividere|girate|pasate parola|pasa parola|pasaparola|fate girare|fatelo girare|fatela girare|girate a tuti|girate a tute|condividete (?:il piu posibile|tuti|subito|prima che|a tuti|ovunque|ai vostri)|condividere il piu posibile|difondete|avvisate tuti|avvisate amici|avvisate parenti|copia e incola|copiate e incolate|prima che (?:lo|la|li|ci) (?:cancelino|censurino|tolgano|rimuovano|oscurino)|salvate e condividete)\b".into()),
        (s(Signal::Hearsay), 0.0, "fonte per sentito dire",
         r"\b(?:me lo ha deto|mi ha deto|lo dice|lo ha deto|l\W*ha deto|ha deto|dice)\s+(?:\w+\s+){0,2}?(?:mio|mia)\s+(?:cugin\w*|cognat\w*|zi[oa]|amic\w*|vicin\w*|suocer\w*|fratelo|sorela|marito|moglie|figli\w*|conoscent\w*|colleg\w*)|\b(?:mio|mia|un|una)\s+(?:cugin\w*|cognat\w*|zi[oa]|amic\w*|conoscent\w*|vicin\w*|colleg\w*)\s+(?:che lavora|che e|in comune|al comune|in ospedale|al ospedale|in questura|in prefetura|infermier\w*|medico|dotore|poliziot\w*|carabinier\w*|vigile|dipendente)\s+(?:\w+\s+){0,4}?(?:mi ha deto|me l\W*ha deto|dice|ha deto|conferma|ha confermato|giura)|\b(?:me l\W*ha deto|me lo ha deto|lo dice|dice|ha deto)\s+(?:\w+\s+){0,3}?(?:un|una|mio|mia) (?:amic\w*|medico|infermier\w*|cugin\w*|conoscent\w*)|\bfont[ei] (?:certa|certe|sicura|sicure|atendibil\w*|intern[ae])\b|\bnotizia certa\b|\blo sano tuti\b|\bsicuro al cento per cento\b".into()),
        (s(Signal::Urgent), 0.0, "tono d'allarme",
         r"\b(?:urgente|allarme|allerta masima|atenzione a tuti|avviso importante|atenzione ! ! !)".into()),
        (s(Signal::Doubt), 0.0, "domanda o smentita",
         r"\b(?:e vero|e vera|e una bufala|bufala|bufale|fake|notizia falsa|notizie false|falso alarme|non e vero|smentit\w*|smentisco|non credete|non condividete|non difondete|non fate girare|verificate|qualcuno sa|sapete se|potete confermare|confermate|ci sono conferme|e confermato|qualcuno ne sa|fonti ufficiali|sciacal\w*)\b".into()),
        (s(Signal::Official), 0.0, "fonte ufficiale",
         r"\b(?:ordinanza|comunicato|sito del comune|pagina del comune|protezione civile|avviso del comune|il sindaco ha (?:firmato|disposto|emeso|comunicato)|asl|arpa|prefetura|bolletino|alerta (?:rosa|arancione|gialla)|alert system|come da avviso|ufficialmente|ministero)\b".into()),
    ]
}

pub(crate) fn detect(s: &Signals<'_>, norm: &Normalized, c: &mut Collector<'_>) {
    let Some(alarm) = s.first(Signal::Alarm) else {
        return;
    };
    // Asking whether it is true, or saying it is false, is not spreading it.
    if s.has(Signal::Doubt) || norm.plain.contains('?') {
        return;
    }
    let spread = s.all(Signal::Spread).find(|sp| !s.negated(sp.0));
    let hearsay = s.first(Signal::Hearsay);
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
