//! The sandbox platform: posts of a comune and the comments citizens write
//! under them, the way they write on Facebook, generated from a seed.
//!
//! Every kind of comment the desk must handle appears: thanks and ordinary
//! remarks, questions that need an answer, complaints for the URP, criticism
//! (protected), insults, threats, discrimination, personal data, spam,
//! electoral propaganda and off-topic chatter. The texts are written for
//! Piazza; none is taken from a real person.
//!
//! [`SandboxConnector`] puts the stream behind the same [`Connector`]
//! interface as the real platforms: a pull returns the comments written
//! since the previous one, and decisions are carried out on an in-memory
//! page (hidden, deleted, replies, private messages, blocked authors) that
//! the demo can show. It has the capabilities of the platform it stands
//! for, so a demo account on Instagram cannot ban either.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use piazza_taxonomy::Platform;
use serde::Serialize;

use crate::capability::Support;
use crate::connector::{
    ConnectionCheck, Connector, Delivered, Delivery, Failure, FetchPage, FetchRequest,
    PermanentCode,
};
use crate::incoming::{IncomingComment, IncomingEvent, IncomingPost};

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

/// What the sandbox page looks like after the decisions carried out on it.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SandboxState {
    pub hidden: BTreeSet<String>,
    pub deleted: BTreeSet<String>,
    /// Replies by the page: (reply id, comment id, text).
    pub replies: Vec<(String, String, String)>,
    /// Private messages to authors: (comment id, text).
    pub private_messages: Vec<(String, String)>,
    pub blocked: BTreeSet<String>,
    pub reports: Vec<String>,
    /// The page's own posts published through Piazza: (post id, text).
    pub published: Vec<(String, String)>,
}

/// The sandbox behind the [`Connector`] interface.
pub struct SandboxConnector {
    platform: Platform,
    inner: Mutex<(Sandbox, SandboxState)>,
    /// Comments handed out by each pull.
    per_pull: usize,
    /// Comments already written when the first pull comes, and the minutes
    /// between two of them.
    backlog: Mutex<Option<(usize, i64)>>,
    /// Makes this page's ids its own: two sandbox pages never share a
    /// comment or a post.
    prefix: String,
    clock: fn() -> i64,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl SandboxConnector {
    /// A sandbox page standing for an account on `platform`; the stream is
    /// the one of `seed`, `per_pull` comments a pull.
    pub fn new(platform: Platform, seed: u64, per_pull: usize) -> SandboxConnector {
        SandboxConnector {
            platform,
            inner: Mutex::new((Sandbox::new(seed), SandboxState::default())),
            per_pull: per_pull.max(1),
            backlog: Mutex::new(None),
            prefix: format!("sb{seed}"),
            clock: now_ms,
        }
    }

    /// The first pull also returns `comments` written before it, one every
    /// `minutes` (the demo opens on a desk with work waiting).
    pub fn with_backlog(self, comments: usize, minutes: i64) -> SandboxConnector {
        *self.backlog.lock().unwrap_or_else(|p| p.into_inner()) = Some((comments, minutes));
        self
    }

    /// The page as it is now.
    pub fn state(&self) -> SandboxState {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .1
            .clone()
    }
}

impl Connector for SandboxConnector {
    fn platform(&self) -> Platform {
        self.platform
    }

    fn deliver(&self, d: &Delivery) -> Result<Delivered, Failure> {
        let op = d.op()?;
        if let Support::No(why) = self.capabilities().support(op) {
            return Err(Failure::Permanent {
                code: PermanentCode::Unsupported,
                message: why.to_string(),
            });
        }
        let mut guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let state = &mut guard.1;
        let comment = || {
            d.comment_external_id.clone().ok_or(Failure::Permanent {
                code: PermanentCode::Rejected,
                message: "no comment to act on".into(),
            })
        };
        use crate::capability::Operation as O;
        match op {
            O::Hide | O::Unhide | O::Reply | O::PrivateReply | O::Report
                if state.deleted.contains(&comment()?) =>
            {
                Err(Failure::Permanent {
                    code: PermanentCode::ObjectGone,
                    message: "the comment was deleted".into(),
                })
            }
            O::Hide => {
                state.hidden.insert(comment()?);
                Ok(Delivered::default())
            }
            O::Unhide => {
                state.hidden.remove(&comment()?);
                Ok(Delivered::default())
            }
            O::Delete => {
                let already = !state.deleted.insert(comment()?);
                Ok(Delivered {
                    platform_ref: None,
                    already,
                })
            }
            O::Reply => {
                let (c, text) = (comment()?, d.text.clone().unwrap_or_default());
                if d.uncertain
                    && let Some((id, _, _)) = state
                        .replies
                        .iter()
                        .find(|(id, on, t)| *on == c && *t == text && !d.known_refs.contains(id))
                {
                    return Ok(Delivered {
                        platform_ref: Some(id.clone()),
                        already: true,
                    });
                }
                let id = format!("sandbox-reply-{}", state.replies.len() + 1);
                state.replies.push((id.clone(), c, text));
                Ok(Delivered {
                    platform_ref: Some(id),
                    already: false,
                })
            }
            O::PrivateReply => {
                let c = comment()?;
                if state.private_messages.iter().any(|(on, _)| *on == c) {
                    return Ok(Delivered {
                        platform_ref: None,
                        already: true,
                    });
                }
                state
                    .private_messages
                    .push((c, d.text.clone().unwrap_or_default()));
                Ok(Delivered::default())
            }
            O::Ban | O::Unban => {
                let author = d.author_ref.clone().ok_or(Failure::Permanent {
                    code: PermanentCode::Rejected,
                    message: "no author to ban".into(),
                })?;
                if op == O::Ban {
                    state.blocked.insert(author);
                } else {
                    state.blocked.remove(&author);
                }
                Ok(Delivered::default())
            }
            O::Report => {
                state.reports.push(comment()?);
                Ok(Delivered::default())
            }
            O::Publish => {
                let text = d.text.clone().unwrap_or_default();
                if d.uncertain
                    && let Some((id, _)) = state
                        .published
                        .iter()
                        .find(|(id, t)| *t == text && !d.known_refs.contains(id))
                {
                    return Ok(Delivered {
                        platform_ref: Some(id.clone()),
                        already: true,
                    });
                }
                let id = format!("{}-post-{}", self.prefix, state.published.len() + 1);
                state.published.push((id.clone(), text));
                Ok(Delivered {
                    platform_ref: Some(id),
                    already: false,
                })
            }
            // The capability map refuses it before this point.
            O::Message => Err(Failure::Permanent {
                code: PermanentCode::Unsupported,
                message: "the sandbox has no private conversations".into(),
            }),
        }
    }

    fn fetch(&self, _request: &FetchRequest) -> Result<FetchPage, Failure> {
        let mut guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let now = (self.clock)();
        let mut page = FetchPage {
            done: true,
            ..FetchPage::default()
        };
        let backlog = self
            .backlog
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
            .unwrap_or((0, 0));
        let n = self.per_pull + backlog.0;
        for i in 0..n {
            let mut c = guard.0.next_comment();
            c.external_id = format!("{}-{}", self.prefix, c.external_id);
            c.post_external_id = format!("{}-{}", self.prefix, c.post_external_id);
            let created_at = now - (n - 1 - i) as i64 * backlog.1 * 60_000;
            if !page
                .posts
                .iter()
                .any(|p| p.external_id == c.post_external_id)
            {
                page.posts.push(IncomingPost {
                    external_id: c.post_external_id.clone(),
                    text: Some(c.post_text.clone()),
                    url: None,
                    published_at: None,
                });
            }
            page.events.push(IncomingEvent::Comment(IncomingComment {
                external_id: c.external_id,
                post_external_id: Some(c.post_external_id),
                post_text: Some(c.post_text),
                parent_external_id: None,
                author_ref: Some(c.author_ref),
                author_name: Some(c.author_name),
                text: c.text,
                created_at,
            }));
        }
        Ok(page)
    }

    fn post(&self, external_id: &str) -> Result<Option<IncomingPost>, Failure> {
        let Some(id) = external_id.strip_prefix(&format!("{}-", self.prefix)) else {
            return Ok(None);
        };
        Ok(Sandbox::posts()
            .into_iter()
            .find(|p| p.external_id == id)
            .map(|p| IncomingPost {
                external_id: external_id.to_string(),
                text: Some(p.text),
                url: None,
                published_at: None,
            }))
    }

    fn check(&self) -> Result<ConnectionCheck, Failure> {
        Ok(ConnectionCheck {
            valid: true,
            account_name: Some(format!("Sandbox ({})", self.platform.label_it())),
            ..ConnectionCheck::default()
        })
    }
}

/// Counts of what the sandbox page holds, for one line of the demo.
pub fn summary(state: &SandboxState) -> BTreeMap<&'static str, usize> {
    BTreeMap::from([
        ("nascosti", state.hidden.len()),
        ("rimossi", state.deleted.len()),
        ("risposte", state.replies.len()),
        ("messaggi privati", state.private_messages.len()),
        ("autori bloccati", state.blocked.len()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capability::Operation;

    #[test]
    fn the_connector_carries_out_decisions_and_replies_once() {
        let s = SandboxConnector::new(Platform::Facebook, 1, 2);
        let page = s.fetch(&FetchRequest::default()).unwrap();
        assert_eq!(page.events.len(), 2);
        let id = page.events[0].external_id().to_string();
        assert!(id.starts_with("sb1-sandbox-"), "{id}");
        // Another page's ids are its own.
        let other = SandboxConnector::new(Platform::Facebook, 2, 2);
        let theirs = other.fetch(&FetchRequest::default()).unwrap();
        assert!(theirs.events.iter().all(|e| e.external_id() != id));
        let mut hide = Delivery::new(Operation::Hide, "1");
        hide.comment_external_id = Some(id.clone());
        s.deliver(&hide).unwrap();
        assert!(s.state().hidden.contains(&id));
        let mut reply = Delivery::new(Operation::Reply, "2");
        reply.comment_external_id = Some(id.clone());
        reply.text = Some("Grazie".into());
        let first = s.deliver(&reply).unwrap();
        reply.uncertain = true;
        let again = s.deliver(&reply).unwrap();
        assert!(again.already);
        assert_eq!(again.platform_ref, first.platform_ref);
        assert_eq!(s.state().replies.len(), 1);
        // A reply already claimed by another delivery is not taken.
        reply.known_refs = vec![first.platform_ref.clone().unwrap()];
        assert!(!s.deliver(&reply).unwrap().already);
        assert_eq!(s.state().replies.len(), 2);
    }

    #[test]
    fn the_sandbox_has_the_capabilities_of_the_platform_it_stands_for() {
        let s = SandboxConnector::new(Platform::Instagram, 1, 1);
        let mut ban = Delivery::new(Operation::Ban, "1");
        ban.author_ref = Some("u".into());
        let e = s.deliver(&ban).unwrap_err();
        assert!(matches!(
            e,
            Failure::Permanent {
                code: PermanentCode::Unsupported,
                ..
            }
        ));
        assert!(s.state().blocked.is_empty());
    }

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
