//! Provocation, the per-comment signal of trolling (Cento rule 2:
//! "messaggi gratuitamente polemici, soprattutto se inseriti ripetutamente
//! e/o al fine di disturbare o provocare (cd. trolling o flame)"). One
//! taunt is not trolling, and a citizen may lose patience once: the finding
//! here is weak (below any flag line) and says so. The repetition by one
//! author under one post is counted by [`crate::ProvocationTracker`], which
//! reports trolling from the third provocative comment.

use piazza_taxonomy::Category;

use super::{Signal, Signals, report};
use crate::Collector;
use crate::normalize::Normalized;
use crate::rules::{Action, Spec};

/// The kind of the weak per-comment finding the tracker counts.
pub const PROVOCATION_KIND: &str = "provocation";

pub(crate) fn specs() -> Vec<Spec> {
    let s = |sig| Action::Signal(sig);
    vec![
        (s(Signal::Taunt), 0.0, "scherno o provocazione",
         r"\b(?:sveglia|svegliatevi|svegliati|aprite gli ochi|apri gli ochi|rosica\w*|rosicone|rosiconi|rosik\w*|piangete|frignate|frigna|ciaone|ciao core|faterene una ragione|fatevene una ragione|fatene una ragione|metetevi l\W*anima in pace|metiti l\W*anima in pace|bevetevi una camomila|bevi una camomila|prendi il malox|prendete il malox|popcorn|pop corn|che ridere|mi fate ridere|mi fai ridere|mi fate pena|mi fai pena|poveri ilusi|povero iluso|povera ilusa|pecoron\w*|bocalon\w*|gregge|beoti|analfabeti funzionali|analfabeta funzionale|studia capra|studiate capre|capre|vai a studiare|andate a studiare|leoni da tastiera|leone da tastiera|ti rode|vi rode|rode eh|brucia eh|fa male eh|stai sereno|state sereni|ahah\w*|hahah\w*|lol|rotfl|xd|facepalm|sipario|game over|asfaltat\w*|zito e muto|cambia spaciatore|cambiate spaciatore|sciacquatevi la boca|tornate a dormire|continuate a dormire|dormite pure|abocat\w*|ve la siete bevuta|l\W*hai bevuta|ci siete cascati|gnegne|gne gne|bimbiminkia|bimbi minkia|tafazi|cretinate a parte)\b".into()),
        (s(Signal::Bait), 0.0, "esca o domanda provocatoria",
         r"\b(?:e alora (?:il pd|la lega|i 5 stele|i grilini|quando c\W*era lui|voi|bibiano)|(?:hai|avete) paura di rispondere|coragio rispondi|coragio rispondete|silenzio eh|muti eh|tuto tace eh|cri cri|zitti zitti|non sapete cosa rispondere|non sai cosa rispondere|ti ho zitit\w*|vi ho zitit\w*|ancora aspeto una risposta|rispondi se hai coragio|rispondete se avete coragio|chi tace aconsente|e alora \?)".into()),
    ]
}

pub(crate) fn detect(s: &Signals<'_>, norm: &Normalized, c: &mut Collector<'_>) {
    let mut spans: Vec<(usize, usize)> = s.all(Signal::Taunt).collect();
    spans.extend(s.all(Signal::Bait));
    spans.retain(|sp| !s.negated(sp.0));
    if spans.is_empty() {
        return;
    }
    let score = if spans.len() >= 2 { 0.5 } else { 0.4 };
    report(
        c,
        norm,
        Category::Trolling,
        Some(PROVOCATION_KIND),
        score,
        &spans,
        "tono provocatorio o di scherno (da solo non è trolling: conta se l'autore lo ripete nella discussione)",
    );
}
