//! Relevance of a comment to the post it answers: Italian Snowball stems of
//! the content words, weighted by length as a cheap stand-in for IDF (long
//! words are rarer and more topical), compared with a cosine. A short post
//! says little about its topic, so the finding is then weak.

use std::collections::HashMap;

use rust_stemmers::{Algorithm, Stemmer};

/// Italian function words and fillers that say nothing about a topic.
const STOPWORDS: &[&str] = &[
    "a",
    "ad",
    "al",
    "allo",
    "ai",
    "agli",
    "all",
    "alla",
    "alle",
    "anche",
    "ancora",
    "avere",
    "aveva",
    "avete",
    "ben",
    "bene",
    "buona",
    "buongiorno",
    "buonasera",
    "che",
    "chi",
    "ci",
    "ciao",
    "come",
    "con",
    "cosa",
    "cui",
    "da",
    "dal",
    "dalla",
    "dai",
    "degli",
    "dei",
    "del",
    "della",
    "delle",
    "dello",
    "di",
    "dopo",
    "dove",
    "e",
    "ed",
    "era",
    "essere",
    "fa",
    "fare",
    "fatto",
    "gia",
    "gli",
    "grazie",
    "ha",
    "hanno",
    "ho",
    "i",
    "il",
    "in",
    "io",
    "la",
    "le",
    "lei",
    "li",
    "lo",
    "loro",
    "lui",
    "ma",
    "mai",
    "me",
    "mi",
    "mio",
    "mia",
    "molto",
    "ne",
    "nei",
    "nel",
    "nella",
    "no",
    "noi",
    "non",
    "nostro",
    "o",
    "ogni",
    "ora",
    "per",
    "perche",
    "pero",
    "piu",
    "poi",
    "poco",
    "prima",
    "proprio",
    "qua",
    "quale",
    "quando",
    "quanto",
    "quel",
    "quella",
    "quelle",
    "quelli",
    "quello",
    "questa",
    "queste",
    "questi",
    "questo",
    "qui",
    "se",
    "sei",
    "sempre",
    "senza",
    "si",
    "sia",
    "siamo",
    "siete",
    "solo",
    "sono",
    "sta",
    "stata",
    "stato",
    "su",
    "sul",
    "sulla",
    "suo",
    "sua",
    "tra",
    "fra",
    "tu",
    "tutti",
    "tutto",
    "tutte",
    "un",
    "una",
    "uno",
    "va",
    "vi",
    "voi",
    "vostro",
    "cosi",
    "tanto",
    "oggi",
    "ieri",
    "domani",
    "fate",
    "sa",
    "sapete",
    "dire",
    "detto",
    "state",
    "stati",
    "sarebbe",
    "essere",
    "abbiamo",
    "avete",
    "comune",
    "citta",
    "cittadini",
];

pub(crate) struct OffTopic {
    stemmer: Stemmer,
}

/// Result of the comparison.
pub(crate) struct Relevance {
    pub similarity: f32,
    pub comment_terms: usize,
    pub post_terms: usize,
}

impl OffTopic {
    pub fn new() -> OffTopic {
        OffTopic {
            stemmer: Stemmer::create(Algorithm::Italian),
        }
    }

    fn terms(&self, plain: &str) -> HashMap<String, f32> {
        let mut out = HashMap::new();
        for w in plain.split(|c: char| !c.is_alphanumeric()) {
            if w.chars().count() < 3
                || STOPWORDS.contains(&w)
                || w.bytes().all(|b| b.is_ascii_digit())
            {
                continue;
            }
            let stem = self.stemmer.stem(w).into_owned();
            let weight = (w.len() as f32).ln();
            *out.entry(stem).or_insert(0.0) += weight;
        }
        out
    }

    /// Cosine similarity of the weighted stems of two plain texts.
    pub fn relevance(&self, comment_plain: &str, post_plain: &str) -> Relevance {
        let c = self.terms(comment_plain);
        let p = self.terms(post_plain);
        let dot: f32 = c.iter().filter_map(|(k, v)| p.get(k).map(|w| v * w)).sum();
        let nc: f32 = c.values().map(|v| v * v).sum::<f32>().sqrt();
        let np: f32 = p.values().map(|v| v * v).sum::<f32>().sqrt();
        let similarity = if nc == 0.0 || np == 0.0 {
            0.0
        } else {
            dot / (nc * np)
        };
        Relevance {
            similarity,
            comment_terms: c.len(),
            post_terms: p.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_make_inflections_match() {
        let o = OffTopic::new();
        let r = o.relevance(
            "i lavori stradali in via roma",
            "lavoro di rifacimento della strada in via roma",
        );
        assert!(r.similarity > 0.3, "{}", r.similarity);
        let r = o.relevance(
            "chi ha visto la partita di ieri sera?",
            "lavori di rifacimento della strada",
        );
        assert!(r.similarity < 0.05, "{}", r.similarity);
    }
}
