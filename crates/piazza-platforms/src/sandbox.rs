//! The sandbox platform: posts of a comune and the comments citizens write
//! under them, the way they write on Facebook, generated from a seed.
//!
//! Every kind of comment the desk must handle appears: thanks and ordinary
//! remarks, questions that need an answer, complaints for the URP, criticism
//! (protected), insults, threats, discrimination, personal data, spam,
//! electoral propaganda and off-topic chatter. The texts are written for
//! Piazza; none is taken from a real person.

use serde::Serialize;

/// A post of the administration on the sandbox platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SandboxPost {
    pub external_id: String,
    pub text: String,
}

/// A comment as the platform delivers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SandboxComment {
    pub external_id: String,
    pub post_external_id: String,
    pub post_text: String,
    pub author_ref: String,
    pub author_name: String,
    pub text: String,
}

pub const POSTS: &[&str] = &[
    "Da lunedì iniziano i lavori di rifacimento dell'asfalto in via Garibaldi: modifiche alla viabilità e divieti di sosta fino a venerdì.",
    "Sabato in piazza il concerto della banda cittadina. Ingresso libero; in caso di pioggia l'evento si sposta al teatro comunale.",
    "È aperto il bando per i contributi alle famiglie per le spese scolastiche: le domande si presentano online entro il 30 del mese.",
    "Raccolta differenziata: dal mese prossimo cambia il calendario del ritiro porta a porta di carta e plastica nel centro storico.",
    "La biblioteca comunale resta aperta anche il sabato mattina con nuovi laboratori di lettura per bambini.",
];

/// (comment text, what it exercises). `{n}` is replaced by a number so that
/// repeated templates are not identical.
const COMMENTS: &[&str] = &[
    "Grazie per l'informazione, finalmente si sistema quella strada!",
    "Bella iniziativa, ci saremo con i bambini.",
    "Ottimo lavoro, continuate così.",
    "A che ora finiscono i lavori ogni giorno? Devo organizzarmi con la macchina.",
    "Buongiorno, come si presenta la domanda per il contributo? Serve lo SPID?",
    "Il sabato la biblioteca apre alle 9 o alle 10?",
    "In via Roma c'è una buca enorme da settimane, nessuno interviene. Segnalo qui perché non so a chi scrivere.",
    "Il lampione davanti al civico {n} di via Mazzini è spento da un mese.",
    "I rifiuti non vengono ritirati da giorni nella nostra via, è una vergogna.",
    "Il sindaco non ha fatto niente per le buche in questi anni, vergogna. Spero che alle prossime elezioni ve ne ricordiate.",
    "Secondo me questi lavori andavano fatti in estate, non adesso con le scuole aperte.",
    "Siete degli incapaci, la città è ridotta malissimo.",
    "Sei un idiota, chi ha scritto questo post non capisce niente.",
    "Ma vaffanculo voi e i vostri lavori inutili",
    "Ti vengo a prendere sotto casa, assessore, sappiamo dove abiti.",
    "Bisognerebbe bruciarli tutti questi zingari che rubano.",
    "Gli stranieri devono tornare a casa loro, qui non li vogliamo.",
    "Chiamatemi al 333 123 45{n}, ho bisogno di parlare con qualcuno dell'ufficio tributi.",
    "Mia madre è invalida e ha la pensione bloccata, codice fiscale RSSMRA80A01H501U, aiutatemi.",
    "Guadagna da casa 500 euro al giorno! Scrivimi su WhatsApp per sapere come.",
    "Offerta imperdibile pizzeria Da Gino: 2 pizze a 10 euro, prenota ora!",
    "Votate Lista Civica Rinascita alle prossime comunali, l'unica che cambierà davvero le cose!",
    "Qualcuno ha visto un gatto rosso smarrito in zona stazione?",
    "Ieri hanno rubato la bici a mio figlio davanti alla scuola, chiamo i carabinieri o scrivo qui?",
    "Ma la partita di ieri l'avete vista? Che disastro.",
];

const NAMES: &[&str] = &[
    "Giulia B.",
    "Marco R.",
    "Francesca T.",
    "Luca M.",
    "Chiara P.",
    "Alessandro F.",
    "Sara G.",
    "Davide C.",
    "Elena V.",
    "Matteo S.",
    "Anna L.",
    "Paolo D.",
];

/// A deterministic generator (splitmix64): the same seed gives the same
/// stream on every machine.
pub struct Sandbox {
    state: u64,
    counter: u64,
}

impl Sandbox {
    pub fn new(seed: u64) -> Sandbox {
        Sandbox {
            state: seed ^ 0x5DEECE66D,
            counter: 0,
        }
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn pick(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub fn posts() -> Vec<SandboxPost> {
        POSTS
            .iter()
            .enumerate()
            .map(|(i, t)| SandboxPost {
                external_id: format!("sandbox-post-{}", i + 1),
                text: (*t).to_string(),
            })
            .collect()
    }

    /// The next comment of the stream.
    pub fn next_comment(&mut self) -> SandboxComment {
        self.counter += 1;
        let post = self.pick(POSTS.len());
        let template = COMMENTS[self.pick(COMMENTS.len())];
        let author = self.pick(NAMES.len());
        let n = 10 + self.pick(89);
        SandboxComment {
            external_id: format!("sandbox-{}", self.counter),
            post_external_id: format!("sandbox-post-{}", post + 1),
            post_text: POSTS[post].to_string(),
            author_ref: format!("sandbox-user-{}", author + 1),
            author_name: NAMES[author].to_string(),
            text: template.replace("{n}", &n.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stream_is_deterministic_and_ids_are_unique() {
        let a: Vec<SandboxComment> = {
            let mut s = Sandbox::new(1);
            (0..50).map(|_| s.next_comment()).collect()
        };
        let b: Vec<SandboxComment> = {
            let mut s = Sandbox::new(1);
            (0..50).map(|_| s.next_comment()).collect()
        };
        assert_eq!(a, b);
        let mut ids: Vec<&str> = a.iter().map(|c| c.external_id.as_str()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 50);
        assert!(a.iter().all(|c| !c.text.contains("{n}")));
    }

    #[test]
    fn the_stream_covers_many_kinds_of_comment() {
        let mut s = Sandbox::new(3);
        let texts: std::collections::BTreeSet<String> =
            (0..400).map(|_| s.next_comment().text).collect();
        assert!(texts.len() >= 20, "only {} distinct comments", texts.len());
    }
}
