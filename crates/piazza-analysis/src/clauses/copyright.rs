//! Copyright (Cento rule 6: "contenuti che violino il diritto d'autore";
//! Roma rule 3: "che violano il copyright"; Maglione: "diritto d'autore"):
//! links to pirate streaming and download sites, IPTV subscriptions,
//! "scarica gratis il film", and newspaper articles pasted whole (a long
//! text with the paper's rights notice or dateline).
//!
//! Never flagged: the council meeting in streaming, a free film in the
//! square, e-books lent by the library (MLOL), RaiPlay, the app of the
//! Comune "da scaricare gratis", a short quote with its source, the stream
//! (torrente) by the road.

use piazza_taxonomy::Category;

use super::{Best, Signal, Signals, has_stem};
use crate::Collector;
use crate::normalize::Normalized;
use crate::rules::{Action, Spec};

/// Works that are pirated (stems of the skeleton's words).
const WORKS: &[&str] = &[
    "film",
    "serie",
    "partit",
    "episodi",
    "puntat",
    "album",
    "disco",
    "dischi",
    "canzoni",
    "music",
    "libr",
    "manga",
    "fumet",
    "ebok",
    "epub",
    "giochi",
    "videogioc",
    "stagion",
    "cartoni",
    "concerto",
    "mondiali",
    "champions",
    "formula",
    "motogp",
    "sky",
    "dazn",
    "netflix",
    "discografia",
    "documentar",
    "manual",
    "spartiti",
    "derby",
    "finale",
];
/// How they are handed out.
const CHANNELS: &[&str] = &[
    "scaric",
    "download",
    "guarda",
    "vedere",
    "vedete",
    "vedi",
    "streaming",
    "link",
    "pdf",
    "torent",
    "telegram",
    "mega",
    "drive",
    "grupo",
    "canale",
    "privato",
    "scrivetemi",
    "scrivimi",
    "giro",
    "giriamo",
    "mando",
    "pasa",
    "caricat",
    "trasmeto",
    "direta",
    "profilo",
    "bio",
    "whatsap",
    "acount",
];

pub(crate) fn specs() -> Vec<Spec> {
    let s = |sig| Action::Signal(sig);
    vec![
        (s(Signal::PirateSite), 0.0, "sito pirata",
         r"\b(?:cboi|cb01|altadefinizione|guardaserie|streamingcomunity|eurostreaming|tantifilm|piratebay|pirate bay|ilcorsaronero|filmpertuti|guardarefilm|casacinema|ilgeniodelostreaming|genio delo streaming|animeunity|animeworld|libgen|zlibrary|z library|rarbg|popcornflix|streamtape|mixdrop|filmsenzalimiti|film senza limiti|link pirata|siti pirata|sito pirata|soliti siti|craccat\w*|crack funzionante)".into()),
        (s(Signal::Iptv), 0.0, "IPTV",
         r"\b(?:iptv|ip tv|pezoto|lista meu|liste meu|m3u|xtream|codici xtream|firestick modificat\w*|fire stick modificat\w*|abonamento pirata|decoder modificat\w*|card sharing|cardsharing)\b".into()),
        (s(Signal::IptvContext), 0.0, "canali a pagamento",
         r"\b(?:sky|dazn|netflix|prime video|tuti i canali|canali a pagamento|abonament\w*|\d+ (?:euro|eur|€) (?:al|l) (?:mese|anno)|rinnovo|ativazione|ativazioni|vendo|scrivimi|scrivetemi|scriva|in privato|calcio|serie a|partite|film|whatsap|telegram|senza parabola|\d+ mila canali|\d+ canali)\b".into()),
        (s(Signal::Free), 0.0, "opere gratis",
         r"\b(?:gratis|gratuit\w*|free|a scroco|senza pagare|senza abonamento|non li comprate|non lo comprate|cosi non lo comprate)\b".into()),
        (s(Signal::Textbooks), 0.0, "libri di testo in pdf",
         r"\b(?:pdf|scan|scansion\w*) (?:dei|del|di) libr\w* di (?:testo|scuola)|\blibr\w* di (?:testo|scuola) in pdf\b|\bi pdf (?:dei|degli|del) (?:libr\w*|manual\w*|spartiti)".into()),
        (s(Signal::Torrent), 0.0, "torrent",
         r"\b(?:torent|torents|magnet link|link magnet|emule|meganz|megaupload|rapidgator)\b".into()),
        (s(Signal::LegalSource), 0.0, "fonte lecita",
         r"\b(?:raiplay|rai play|mediaset infinity|sito del comune|canale del comune|pagina del comune|canale youtube del comune|biblioteca|biblioteche|mlol|medialibrary|media library|cinema al aperto|cinema comunale|rasegna|proiezion\w*|al aperto|arena|consiglio comunale|diretta del|pubblico dominio|creative commons|licenza libera|gratuito per i residenti|ingreso libero|ingreso gratuito|app|play store|app store|legalmente|steam|modulo|moduli|scuola (?:ha|fornisce|regala)|comodato)\b".into()),
        (s(Signal::AntiPiracy), 0.0, "si parla della pirateria, non la si offre",
         r"\b(?:pirateria|e ilegale|sono ilegali|ilegal\w*|multa|multe|multati|sanzion\w*|reato|trufa|denunciat\w*|sequestrat\w*|chiudono i siti|oscurat\w*)\b".into()),
        (s(Signal::ArticleRights), 0.0, "riserva dei diritti di un articolo",
         r"\briproduzione riservata\b|\bdiriti riservati\b|© [a-z]+|\( ansa \)|\( adnkronos \)|\( agi \)".into()),
        (s(Signal::Newspaper), 0.0, "testata giornalistica",
         r"\b(?:resto del carlino|corriere dela sera|corriere delo sport|corriere di \w+|la repubblica|republicait|nuova feraria|nuova ferrara|estense|estensecom|fanpageit|il mesagero|sole 24 ore|fato quotidiano|gazetino|romatoday|roma today|torinotoday|torino today|feraratoday|ferara today|fanpage|gazeta delo sport|aveniere|avvenire|secolo xix|adnkronos|tgcom|rainews|skytg)\b".into()),
        (s(Signal::ArticleFurniture), 0.0, "impaginazione di un articolo",
         r"\b(?:leggi anche|continua a legere|abonati per|articolo completo|legi l\W*articolo|ultimo agiornamento|agiornato alle|di (?:redazione|la redazione)|foto d\W*archivio|credits)\b".into()),
    ]
}

pub(crate) fn detect(s: &Signals<'_>, norm: &Normalized, c: &mut Collector<'_>) {
    let legal = s.has(Signal::LegalSource);
    // Speaking of piracy (to warn, to condemn, to ask) is not offering it;
    // only a pasted article is still one.
    let about_piracy = s.has(Signal::AntiPiracy);
    let mut best = Best::default();
    let mut consider = |score: f32, spans: Vec<(usize, usize)>, why: &'static str| {
        best.consider(score, spans, why)
    };
    if let Some(x) = s.first(Signal::PirateSite).filter(|_| !about_piracy) {
        consider(
            0.9,
            vec![x],
            "link o rimando a un sito che diffonde opere senza licenza",
        );
    }
    if let Some(x) = s.first(Signal::Iptv).filter(|_| !about_piracy) {
        match s.first(Signal::IptvContext) {
            Some(y) => consider(
                0.9,
                vec![x, y],
                "offerta di IPTV pirata (canali a pagamento senza licenza)",
            ),
            None => consider(0.5, vec![x], "riferimento a IPTV"),
        }
    }
    let free = s.all(Signal::Free).find(|x| {
        let around = format!("{}{}", s.before(x.0, 8), s.after(x.1, 8));
        !s.negated(x.0) && has_stem(&around, WORKS) && has_stem(&around, CHANNELS)
    });
    if let Some(x) = free
        .or(s.first(Signal::Textbooks))
        .filter(|_| !about_piracy)
    {
        if legal {
            consider(0.3, vec![x], "opere gratis, da una fonte che sembra lecita");
        } else {
            consider(
                0.85,
                vec![x],
                "opere protette offerte gratis in streaming o in download",
            );
        }
    }
    if let Some(x) = s.first(Signal::Torrent).filter(|_| !about_piracy) {
        let with_work = free.is_some() || s.has(Signal::PirateSite) || names_a_work(s.sk);
        consider(
            if with_work { 0.9 } else { 0.6 },
            vec![x],
            "link torrent o di file sharing",
        );
    }
    // A pasted article: long, with the paper's rights notice or dateline.
    let chars = norm.char_len;
    if let Some(x) = s.first(Signal::ArticleRights) {
        let score = if chars >= 400 { 0.9 } else { 0.55 };
        consider(
            score,
            vec![x],
            "testo di un articolo riprodotto per intero («riproduzione riservata»)",
        );
    }
    if let Some(x) = s.first(Signal::Newspaper) {
        let furniture = s.first(Signal::ArticleFurniture);
        let score = match (chars, furniture) {
            (450.., Some(_)) => 0.85,
            (1200.., None) => 0.65,
            _ => 0.0,
        };
        if score > 0.0 {
            let mut spans = vec![x];
            spans.extend(furniture);
            consider(
                score,
                spans,
                "testo lungo firmato da una testata: probabile articolo copiato per intero",
            );
        }
    }
    best.report(c, norm, Category::Copyright);
}

/// Whether the skeleton names a work (a film, an album...): with a torrent
/// link it is an offer of that work.
fn names_a_work(sk: &str) -> bool {
    sk.split(' ').any(|w| {
        matches!(
            w,
            "film"
                | "serie"
                | "album"
                | "disco"
                | "libro"
                | "libri"
                | "partita"
                | "partite"
                | "concerto"
                | "documentario"
                | "episodi"
                | "puntate"
                | "stagione"
                | "giochi"
                | "videogioco"
                | "videogiochi"
                | "spetacolo"
                | "canzoni"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_lists_are_written_as_skeletons() {
        for list in [WORKS, CHANNELS] {
            super::super::assert_skeletal(list);
        }
    }
}
