//! A deterministic synthetic corpus of Facebook-like comments of about 200
//! bytes (mean ~200), for benchmarks (`piazza bench`, criterion). Mostly ordinary
//! comments, with the mix of violations, personal data and intents a
//! municipal page sees, so the benchmark exercises every detector.
//!
//! [`synthetic_corpus`] draws every comment from a few thousand templates,
//! so nearly every comment repeats an earlier one (the near-duplicate
//! tracker flags 99.9% of 100,000): the worst case for the tracker.
//! [`synthetic_corpus_varied`] mixes clauses with words drawn at random, so
//! that near-duplicates are the exception (about 4% flagged), as on a page.

use crate::model::Rng;

/// One synthetic comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntheticComment {
    pub text: String,
    pub post_text: String,
    pub author: String,
}

const POSTS: &[&str] = &[
    "Da lunedì 3 marzo iniziano i lavori di rifacimento dell'asfalto in via Roma e in piazza Garibaldi: sono previste modifiche alla viabilità e divieti di sosta.",
    "Sabato sera in piazza il concerto della banda cittadina per la festa del patrono. Ingresso libero, in caso di pioggia l'evento si sposta al teatro comunale.",
    "È aperto il bando per i contributi alle famiglie per le spese scolastiche: le domande si presentano online entro il 30 settembre.",
    "Raccolta differenziata: da novembre cambia il calendario del ritiro porta a porta di carta e plastica nel centro storico.",
];

const OPENERS: &[&str] = &[
    "Buongiorno,",
    "Salve a tutti,",
    "Scusate,",
    "Ma davvero",
    "Finalmente!",
    "Ciao,",
    "Io dico che",
    "Mah,",
];

const BODIES: &[&str] = &[
    "sarebbe utile sapere per quanto tempo resteranno chiuse le strade, perché chi lavora in centro deve organizzarsi con anticipo e i parcheggi sono già pochi",
    "ottima iniziativa, l'anno scorso c'era tantissima gente e i bambini si sono divertiti molto, speriamo che il tempo sia bello anche quest'anno",
    "in via Mazzini c'è una buca enorme da settimane e il lampione all'angolo è spento, la sera non si vede niente ed è pericoloso per chi passa a piedi",
    "il sindaco non ha fatto niente per le buche, vergogna, sono anni che paghiamo le tasse e la situazione è sempre peggio in tutto il quartiere",
    "come si fa a presentare la domanda se non si ha lo SPID? mia madre ha 80 anni e non sa usare il computer, qualcuno può aiutarci in comune?",
    "sei proprio uno s t r o n z o, vai a lavorare invece di scrivere cavolate sulla pagina del comune, che schifo di gente che c'è in giro",
    "guadagna da casa 500 euro a settimana con il mio metodo, scrivimi su WhatsApp al 333 123 4567 per info, posti limitati, non perdere l'occasione",
    "mi hanno rubato la bicicletta davanti alla stazione ieri sera, ci sono le telecamere? chi devo contattare per la denuncia, i vigili o i carabinieri?",
    "gli immigrati sono tutti delinquenti, bisognerebbe rimandarli a casa loro e smetterla di spendere soldi nostri per mantenerli negli alberghi",
    "per il rimborso vi ho mandato l'IBAN IT60 X054 2811 1010 0000 0123 456 e il mio codice fiscale RSSMRA85T10A562S ma non ho ancora ricevuto niente",
    "la partita di ieri sera è stata bellissima, finalmente la squadra ha giocato bene e l'allenatore ha fatto i cambi giusti, forza ragazzi!",
    "alle prossime elezioni votate Rossi sindaco, l'unico che ha davvero a cuore la nostra città e che saprà cambiare le cose dopo anni di immobilismo",
];

/// Second clauses that bring comments to about 200 bytes, as on a real page.
const MIDDLES: &[&str] = &[
    "lo dico da residente del quartiere",
    "come ho già scritto anche ieri sera",
    "spero che qualcuno legga i commenti",
    "aspetto una risposta da parte vostra",
    "lo pensano in tanti qui nella zona",
    "e vale anche per le altre frazioni",
];

const CLOSERS: &[&str] = &[
    "Grazie.",
    "Saluti.",
    "😡😡",
    "👍",
    "Buona giornata!",
    "...",
    "Cordiali saluti",
    "!!!",
];

/// Everyday words for the varied middle clause: no group names, insults or
/// contacts, so they add variety without changing what is detected.
const WORDS: &[&str] = &[
    "anche",
    "ancora",
    "sempre",
    "oggi",
    "domani",
    "ieri",
    "sera",
    "mattina",
    "settimana",
    "mese",
    "anno",
    "strada",
    "piazza",
    "scuola",
    "parco",
    "giardino",
    "marciapiede",
    "fermata",
    "autobus",
    "treno",
    "biblioteca",
    "mercato",
    "negozio",
    "bar",
    "chiesa",
    "ospedale",
    "farmacia",
    "posta",
    "ufficio",
    "sportello",
    "orario",
    "apertura",
    "chiusura",
    "lavori",
    "cantiere",
    "traffico",
    "parcheggio",
    "rumore",
    "luce",
    "acqua",
    "verde",
    "alberi",
    "panchine",
    "fontana",
    "pista",
    "ciclabile",
    "bambini",
    "anziani",
    "famiglie",
    "vicini",
    "residenti",
    "commercianti",
    "studenti",
    "turisti",
    "cittadini",
    "quartiere",
    "frazione",
    "centro",
    "periferia",
    "zona",
    "angolo",
    "viale",
    "corso",
    "vicolo",
    "ponte",
    "fiume",
    "collina",
    "campagna",
    "festa",
    "mostra",
    "concerto",
    "teatro",
    "cinema",
    "sagra",
    "fiera",
    "gara",
    "corsa",
    "tempo",
    "pioggia",
    "sole",
    "neve",
    "freddo",
    "caldo",
    "vento",
    "nebbia",
    "davvero",
    "proprio",
    "forse",
    "magari",
    "comunque",
    "insomma",
    "quindi",
    "infatti",
    "purtroppo",
    "finalmente",
    "spesso",
    "raramente",
    "subito",
    "presto",
    "tardi",
    "prima",
    "dopo",
    "durante",
    "intanto",
    "bello",
    "brutto",
    "nuovo",
    "vecchio",
    "grande",
    "piccolo",
    "lungo",
    "corto",
    "pulito",
    "sporco",
    "comodo",
    "utile",
    "inutile",
    "chiaro",
    "semplice",
    "difficile",
    "tranquillo",
    "affollato",
    "vuoto",
    "pieno",
    "aperto",
    "chiuso",
    "rotto",
    "riparato",
    "dipinto",
    "illuminato",
    "segnalato",
    "previsto",
    "annunciato",
    "rinviato",
    "confermato",
    "organizzato",
    "frequentato",
    "vicino",
    "lontano",
];

/// `n` comments generated from `seed` (same seed, same corpus). Drawn from
/// about 4,600 templates: most comments nearly repeat an earlier one.
pub fn synthetic_corpus(n: usize, seed: u64) -> Vec<SyntheticComment> {
    generate(n, seed, false)
}

/// Like [`synthetic_corpus`], but each comment is one clause of a body and
/// one of another, each followed by five everyday words drawn at random
/// (mean ~213 bytes), so that two comments rarely share enough word
/// shingles to be near-duplicates: the ordinary case of a page.
pub fn synthetic_corpus_varied(n: usize, seed: u64) -> Vec<SyntheticComment> {
    generate(n, seed, true)
}

fn pick_body(rng: &mut Rng) -> &'static str {
    // Two thirds ordinary comments, the rest spread over the others.
    if rng.below(3) < 2 {
        BODIES[[0, 1, 10, 2, 4][rng.below(5)]]
    } else {
        BODIES[rng.below(BODIES.len())]
    }
}

/// One of the comma-separated clauses of `body`.
fn clause(rng: &mut Rng, body: &'static str) -> &'static str {
    let parts: Vec<&str> = body.split(", ").collect();
    parts[rng.below(parts.len())]
}

fn generate(n: usize, seed: u64, varied: bool) -> Vec<SyntheticComment> {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|i| {
            let body = pick_body(&mut rng);
            let text = if varied {
                let first = clause(&mut rng, body);
                let other = pick_body(&mut rng);
                let second = clause(&mut rng, other);
                let mut words = || -> String {
                    let w: Vec<&str> = (0..5).map(|_| WORDS[rng.below(WORDS.len())]).collect();
                    w.join(" ")
                };
                let (a, b) = (words(), words());
                format!(
                    "{first} {a}, {second} {b}. {}",
                    CLOSERS[rng.below(CLOSERS.len())]
                )
            } else {
                format!(
                    "{} {body}, {}. {}",
                    OPENERS[rng.below(OPENERS.len())],
                    MIDDLES[rng.below(MIDDLES.len())],
                    CLOSERS[rng.below(CLOSERS.len())]
                )
            };
            SyntheticComment {
                text,
                post_text: POSTS[rng.below(POSTS.len())].to_string(),
                author: format!("utente{}", i % 997),
            }
        })
        .collect()
}

/// Index of a synthetic comment's post (a stable `post_id` for JSONL).
pub fn post_index(post_text: &str) -> Option<usize> {
    POSTS.iter().position(|p| *p == post_text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_about_200_bytes() {
        let a = synthetic_corpus(200, 1);
        assert_eq!(a, synthetic_corpus(200, 1));
        assert_ne!(a, synthetic_corpus(200, 2));
        let mean = a.iter().map(|c| c.text.len()).sum::<usize>() / a.len();
        assert!((190..=215).contains(&mean), "{mean}");
        let v = synthetic_corpus_varied(200, 1);
        assert_eq!(v, synthetic_corpus_varied(200, 1));
        let mean = v.iter().map(|c| c.text.len()).sum::<usize>() / v.len();
        assert!((190..=225).contains(&mean), "{mean}");
        assert!(v.iter().all(|c| post_index(&c.post_text).is_some()));
    }
}
