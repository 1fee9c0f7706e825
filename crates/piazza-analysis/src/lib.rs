//! Italian comment analysis for Piazza. Given a citizen's comment (and the
//! post it answers), [`Analyzer::analyze`] reports which content categories
//! it falls in ([`Finding`]: insult, threat, discrimination with its target,
//! personal data with its kind, spam, commercial, propaganda, off-topic,
//! personal case...), how sure it is, and exactly where: every [`Evidence`]
//! is a range of Unicode char offsets into the *original* text with the
//! matched text. It also reports intents that are not violations
//! ([`IntentFinding`]: question, complaint, crime report, service request,
//! criticism) so the desk can route them. The analysis knows nothing of any
//! administration: a policy maps categories to its clauses and thresholds.
//!
//! The pipeline normalises the text against evasion ([`normalize`]), then
//! runs word lists, phrase rules, checksum-validated personal-data scanners,
//! a linear classifier trained on Italian hate-speech corpora ([`model`],
//! [`training`]) and an off-topic measure. It is pure (no I/O, no threads)
//! and an [`Analyzer`] is `Send + Sync`, so callers share one across threads.
//! Near-duplicate spam needs memory of earlier comments: that state lives in
//! a [`SpamTracker`] owned by the caller; so does the repetition that makes
//! provocation trolling ([`ProvocationTracker`]). Illegal, alarmist and
//! copyright-infringing content have their own detectors (`clauses`), each
//! measured on its own set in `testdata/`.
//!
//! ```
//! use piazza_analysis::{Analyzer, AnalyzerConfig, CommentInput};
//! use piazza_taxonomy::{Category, Intent};
//!
//! let analyzer = Analyzer::new(AnalyzerConfig::default());
//! let a = analyzer.analyze(&CommentInput::new("sei uno s t r o n z o, ti vengo a prendere"));
//! let insult = a.finding(Category::Insult).unwrap();
//! assert_eq!(insult.evidence[0].text, "s t r o n z o");
//! assert!(a.finding(Category::Threat).is_some());
//!
//! // Criticism of the administration is a protected opinion, not an insult.
//! let a = analyzer.analyze(&CommentInput::new(
//!     "il sindaco non ha fatto niente per le buche, vergogna",
//! ));
//! assert!(a.intent(Intent::Criticism).is_some());
//! assert!(a.finding(Category::Insult).is_none());
//! ```

mod clauses;
pub mod corpus;
pub mod eval;
pub mod gate;
mod lexicon;
pub mod model;
pub mod normalize;
mod offtopic;
mod personal;
mod rules;
mod senses;
pub mod spam;
mod special;
pub mod synth;
pub mod training;
pub mod trolling;

use std::sync::{Arc, OnceLock};

use piazza_taxonomy::{Category, DiscriminationTarget, Intent};
use serde::Serialize;

pub use crate::gate::GateContext;
pub use crate::model::{ModelBundle, ModelError};
pub use crate::normalize::{Normalized, word_counts, words_the_speller_must_know};
pub use crate::offtopic::PreparedPost;
pub use crate::personal::{iban_checksum_ok, is_codice_fiscale, is_partita_iva};
pub use crate::spam::{SpamConfig, SpamSignature, SpamTracker};
pub use crate::trolling::{ProvocationConfig, ProvocationSignal, ProvocationTracker};
pub use piazza_taxonomy;

use crate::lexicon::{Hit, Lexicon};
use crate::personal::{OwnContacts, PdHit};
use crate::rules::{Action, RuleHit, Rules};

/// The model shipped with the crate (see `model/MODEL_CARD.md`). Empty when
/// the crate is built before a model was trained: the classifier is then off.
pub const EMBEDDED_MODEL: &[u8] = include_bytes!("../model/piazza-model.bin");

/// One comment to analyse.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CommentInput<'a> {
    /// The comment as written.
    pub text: &'a str,
    /// The text of the post the comment answers (for off-topic).
    pub post_text: Option<&'a str>,
    /// The post already prepared by [`Analyzer::prepare_post`] (wins over
    /// `post_text`; saves normalising and stemming the post per comment).
    pub prepared_post: Option<&'a PreparedPost>,
    /// Author id or name on the platform.
    pub author: Option<&'a str>,
    /// Platform id ("facebook", "instagram", ...).
    pub platform: Option<&'a str>,
}

impl<'a> CommentInput<'a> {
    pub fn new(text: &'a str) -> Self {
        CommentInput {
            text,
            ..Default::default()
        }
    }
    pub fn post_text(mut self, post: &'a str) -> Self {
        self.post_text = Some(post);
        self
    }
    /// The post the comment answers, prepared once with
    /// [`Analyzer::prepare_post`] and shared by all its comments.
    pub fn prepared_post(mut self, post: &'a PreparedPost) -> Self {
        self.prepared_post = Some(post);
        self
    }
    pub fn author(mut self, author: &'a str) -> Self {
        self.author = Some(author);
        self
    }
    pub fn platform(mut self, platform: &'a str) -> Self {
        self.platform = Some(platform);
        self
    }
}

/// Per-administration settings, from its policy file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AnalyzerConfig {
    /// Words never reported by the word lists (a place name, a local word).
    pub allow_terms: Vec<String>,
    /// Extra words to report, with their category (a trailing `*` matches
    /// any word starting with the term).
    pub deny_terms: Vec<(String, Category)>,
    /// The administration's own contacts (URP e-mail, toll-free number,
    /// switchboard, PEC): never reported as personal data.
    pub own_contacts: Vec<String>,
}

/// Where a finding is in the original text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// First char (Unicode scalar) offset, inclusive.
    pub start: usize,
    /// Last char offset, exclusive.
    pub end: usize,
    /// The original text of `start..end`.
    pub text: String,
}

/// A category the comment falls in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub category: Category,
    /// Sub-kind: a `PersonalDataKind` id for personal data, `direct` or
    /// `normative` for threats, `classifier` for model-only discrimination...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The group targeted, for discrimination.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<DiscriminationTarget>,
    /// Confidence in 0..1.
    pub score: f32,
    pub evidence: Vec<Evidence>,
    /// Why, in short Italian, for the moderator and the citizen.
    pub explanation: String,
}

/// A non-violating intent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntentFinding {
    pub intent: Intent,
    pub score: f32,
    pub evidence: Vec<Evidence>,
    pub explanation: String,
}

/// Everything found in one comment.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Analysis {
    pub findings: Vec<Finding>,
    pub intents: Vec<IntentFinding>,
}

impl Analysis {
    /// The strongest finding of a category.
    pub fn finding(&self, category: Category) -> Option<&Finding> {
        self.findings
            .iter()
            .filter(|f| f.category == category)
            .max_by(|a, b| a.score.total_cmp(&b.score))
    }

    /// Score of a category (optionally of one target), 0 when absent.
    pub fn score(&self, category: Category, target: Option<DiscriminationTarget>) -> f32 {
        self.findings
            .iter()
            .filter(|f| f.category == category && (target.is_none() || f.target == target))
            .map(|f| f.score)
            .fold(0.0, f32::max)
    }

    /// The finding of a personal-data kind, by id (`"iban"`, `"phone"`...).
    pub fn personal_data(&self, kind: &str) -> Option<&Finding> {
        self.findings
            .iter()
            .find(|f| f.category == Category::PersonalData && f.kind.as_deref() == Some(kind))
    }

    pub fn intent(&self, intent: Intent) -> Option<&IntentFinding> {
        self.intents.iter().find(|i| i.intent == intent)
    }

    /// True when nothing at all was found.
    pub fn is_empty(&self) -> bool {
        self.findings.is_empty() && self.intents.is_empty()
    }
}

fn embedded_model() -> Option<Arc<ModelBundle>> {
    static MODEL: OnceLock<Option<Arc<ModelBundle>>> = OnceLock::new();
    MODEL
        .get_or_init(|| ModelBundle::from_bytes(EMBEDDED_MODEL).ok().map(Arc::new))
        .clone()
}

fn builtin_rules() -> Arc<Rules> {
    static RULES: OnceLock<Arc<Rules>> = OnceLock::new();
    RULES.get_or_init(|| Arc::new(Rules::new())).clone()
}

/// The analysis pipeline. Build once, share everywhere (`Send + Sync`).
pub struct Analyzer {
    lexicon: Lexicon,
    rules: Arc<Rules>,
    own: OwnContacts,
    model: Option<Arc<ModelBundle>>,
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyzer")
            .field("model_heads", &self.model.as_ref().map(|m| m.heads.len()))
            .finish_non_exhaustive()
    }
}

impl Default for Analyzer {
    fn default() -> Self {
        Analyzer::new(AnalyzerConfig::default())
    }
}

/// Collects findings, merging repeated ones of the same category, kind and
/// target (scores combine as a noisy-or, evidence accumulates).
struct Collector<'t> {
    text: &'t str,
    /// Chars in `text`; when it equals the byte length (ASCII), char
    /// offsets are byte offsets and no offset table is needed.
    char_len: usize,
    char_bytes: Option<Vec<usize>>,
    findings: Vec<Finding>,
    intents: Vec<IntentFinding>,
    /// A criticism rule matched in a comment that refers to the
    /// administration (its office holders, offices, "voi", "siete"...).
    criticises_administration: bool,
    /// The comment aims its anger at people no law protects as a group
    /// ("odio i pedofili"): [`Action::UnprotectedTarget`].
    unprotected_target: bool,
    /// The comment aims its anger at one person or one thing
    /// ([`Action::OneTarget`]).
    one_target: bool,
    /// Char spans of slurs said of the author's own group ("noi terroni")
    /// or in the register of history ("la cacciata dei giudei"): when a
    /// gate demotes them, they are not offensive language either.
    reclaimed: Vec<(u32, u32)>,
    /// Char spans of slurs between double quotes or a pair of single
    /// quotes: mentioned (someone else's words, a title), not used
    /// ([`contempt_in_itself`]).
    quoted_slurs: Vec<(u32, u32)>,
}

/// How a finding's score takes another piece of evidence.
#[derive(Clone, Copy, PartialEq)]
enum Merge {
    /// Evidence accumulates (noisy-or).
    Accumulate,
    /// The higher score is kept: for a finding in someone else's words,
    /// reported or quoted, which joins a finding as evidence but never
    /// raises its score, so that two threats a comment reports ("gridava
    /// 'ti vengo a prendere', 've la faremo pagare cara'") are not read as
    /// one of the author's own.
    Keep,
}

fn noisy_or(a: f32, b: f32) -> f32 {
    (1.0 - (1.0 - a) * (1.0 - b)).min(0.99)
}

impl<'t> Collector<'t> {
    fn evidence(&mut self, (s, e): (u32, u32)) -> Evidence {
        let n = self.char_len;
        let (s, e) = ((s as usize).min(n), (e as usize).min(n));
        let s = s.min(e);
        if self.text.len() == n || (s == 0 && e == n) {
            // ASCII text (char offsets are byte offsets) or the whole text.
            let (a, b) = if s == 0 && e == n {
                (0, self.text.len())
            } else {
                (s, e)
            };
            return Evidence {
                start: s,
                end: e,
                text: self.text[a..b].to_string(),
            };
        }
        let offsets = self.char_bytes.get_or_insert_with(|| {
            // The byte offset of every char, without decoding the chars:
            // runs of ASCII in bulk, then each other char's first byte
            // (its continuation bytes are 10xxxxxx).
            let b = self.text.as_bytes();
            let mut v = Vec::with_capacity(n + 1);
            let mut i = 0;
            while i < b.len() {
                let end = normalize::ascii_run_end(b, i);
                v.extend(i..end);
                i = end;
                if i < b.len() {
                    v.push(i);
                    i += 1;
                    while i < b.len() && b[i] & 0xc0 == 0x80 {
                        i += 1;
                    }
                }
            }
            v.push(b.len());
            v
        });
        let n = offsets.len() - 1;
        let (s, e) = (s.min(n), e.min(n));
        Evidence {
            start: s,
            end: e,
            text: self.text[offsets[s]..offsets[e]].to_string(),
        }
    }

    fn finding(
        &mut self,
        category: Category,
        kind: Option<&str>,
        target: Option<DiscriminationTarget>,
        score: f32,
        span: Option<(u32, u32)>,
        explanation: &str,
    ) {
        self.add(
            category,
            kind,
            target,
            score,
            span,
            explanation,
            Merge::Accumulate,
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        category: Category,
        kind: Option<&str>,
        target: Option<DiscriminationTarget>,
        score: f32,
        span: Option<(u32, u32)>,
        explanation: &str,
        merge: Merge,
    ) {
        let ev = span.map(|s| self.evidence(s));
        let existing = self
            .findings
            .iter_mut()
            .find(|f| f.category == category && f.kind.as_deref() == kind && f.target == target);
        match existing {
            Some(f) => {
                // Words already read by another rule are not more
                // evidence: "vi ammazzo" is one threat, whether one rule
                // or two read it, or one reads it with the group before.
                let same_words = ev.as_ref().is_some_and(|ev| {
                    f.evidence
                        .iter()
                        .any(|e| e.start < ev.end && ev.start < e.end)
                });
                f.score = if same_words || merge == Merge::Keep {
                    f.score.max(score)
                } else {
                    noisy_or(f.score, score * 0.5).max(f.score.max(score))
                };
                if let Some(ev) = ev.filter(|ev| !f.evidence.contains(ev)) {
                    f.evidence.push(ev);
                }
                if score > 0.0 && !f.explanation.contains(explanation) && f.explanation.len() < 200
                {
                    f.explanation.push_str("; ");
                    f.explanation.push_str(explanation);
                }
            }
            None => self.findings.push(Finding {
                category,
                kind: kind.map(str::to_string),
                target,
                score: score.clamp(0.0, 1.0),
                evidence: ev.into_iter().collect(),
                explanation: explanation.to_string(),
            }),
        }
    }

    fn intent(&mut self, intent: Intent, score: f32, span: Option<(u32, u32)>, explanation: &str) {
        let ev = span.map(|s| self.evidence(s));
        match self.intents.iter_mut().find(|i| i.intent == intent) {
            Some(i) => {
                i.score = i.score.max(score);
                if let Some(ev) = ev.filter(|ev| !i.evidence.contains(ev)) {
                    i.evidence.push(ev);
                }
            }
            None => self.intents.push(IntentFinding {
                intent,
                score: score.clamp(0.0, 1.0),
                evidence: ev.into_iter().collect(),
                explanation: explanation.to_string(),
            }),
        }
    }
}

/// Words that mark a comment addressed to the reader(s).
const ADDRESSED: &[&str] = &["tu", "voi", "te", "ti", "vi"];
/// Copulas that make the words after them a predicate about the reader(s):
/// "sei un buffone", "siete degli incompetenti e dei buffoni".
const ADDRESSED_COPULA: &[&str] = &["sei", "siete", "sembri", "sembrate", "resti", "restate"];

/// How an insult is addressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Address {
    None,
    /// A second-person word ("tu", "ti", "voi"...) shortly before.
    Near,
    /// "sei/siete ..." earlier in the same clause: a direct insult.
    Predicate,
}

impl Analyzer {
    /// Builds an analyzer with the builtin lexicons and the embedded model.
    pub fn new(config: AnalyzerConfig) -> Analyzer {
        Analyzer {
            lexicon: Lexicon::with_groups(
                &config.allow_terms,
                &config.deny_terms,
                &group_words().patterns,
            ),
            rules: builtin_rules(),
            own: OwnContacts::new(&config.own_contacts),
            model: embedded_model(),
        }
    }

    /// Replaces the classifier (a freshly trained bundle, or `None` to run
    /// rules only).
    pub fn with_model(mut self, model: Option<ModelBundle>) -> Analyzer {
        self.model = model.map(Arc::new);
        self
    }

    /// Prepares a post for the off-topic measure once, to be shared by all
    /// its comments with [`CommentInput::prepared_post`]. (Posts given with
    /// [`CommentInput::post_text`] are also prepared only once per thread
    /// while they are among the 16 most recently seen.)
    ///
    /// ```
    /// use piazza_analysis::{Analyzer, CommentInput};
    /// use piazza_taxonomy::Category;
    ///
    /// let analyzer = Analyzer::default();
    /// let post = analyzer.prepare_post(
    ///     "Sabato sera in piazza il concerto della banda cittadina per la festa del patrono",
    /// );
    /// let text = "Qualcuno ha visto la partita della Juventus? Arbitraggio scandaloso, rigore inesistente";
    /// let a = analyzer.analyze(&CommentInput::new(text).prepared_post(&post));
    /// let b = analyzer.analyze(&CommentInput::new(text).post_text(post.text()));
    /// assert!(a.finding(Category::OffTopic).is_some());
    /// assert_eq!(a, b);
    /// ```
    pub fn prepare_post(&self, post_text: &str) -> PreparedPost {
        PreparedPost::new(post_text)
    }

    /// The classifier in use, if any.
    pub fn model(&self) -> Option<&ModelBundle> {
        self.model.as_deref()
    }

    /// Analyses one comment.
    pub fn analyze(&self, input: &CommentInput<'_>) -> Analysis {
        // The normalisation's buffers are reused from one comment to the
        // next on the same thread (not kept for very long texts).
        thread_local! {
            static NORM: std::cell::RefCell<Normalized> = Default::default();
        }
        if input.text.len() > 1 << 16 {
            return self.analyze_normalized(input, &Normalized::new(input.text));
        }
        NORM.with(|norm| match norm.try_borrow_mut() {
            Ok(mut norm) => {
                norm.set(input.text);
                self.analyze_normalized(input, &norm)
            }
            Err(_) => self.analyze_normalized(input, &Normalized::new(input.text)),
        })
    }

    /// [`Analyzer::analyze`] with the comment already normalised: `norm`
    /// must be `Normalized::new(input.text)`. For callers that need the
    /// normalisation too, such as the near-duplicate signature
    /// ([`SpamSignature::from_normalized`]), so it is done once.
    pub fn analyze_normalized(&self, input: &CommentInput<'_>, norm: &Normalized) -> Analysis {
        self.analyze_inner(input, norm, None)
    }

    /// What the gate of the classifier heads sees of a comment (the
    /// training fits the gate on it), or `None` when the classifier does not
    /// run on it at all (recognised counter-speech, very short texts).
    pub fn gate_context(&self, input: &CommentInput<'_>) -> Option<GateContext> {
        self.gate_input(input).map(|(ctx, _)| ctx)
    }

    /// [`Analyzer::gate_context`] and the text the classifier reads: the
    /// comment without the words it reports from someone else (quoted, or
    /// after "ha scritto", "dice che"...), which are not the author's.
    pub fn gate_input(&self, input: &CommentInput<'_>) -> Option<(GateContext, String)> {
        let mut out = None;
        self.analyze_inner(input, &Normalized::new(input.text), Some(&mut out));
        out
    }

    /// Whether the rules alone flag discrimination at the defaults'
    /// threshold with a finding that the heads' gates do not decide (see
    /// [`gated_rule_bit`]): what the training's thresholds take as flagged
    /// whatever the heads say.
    pub fn flags_ungated(&self, input: &CommentInput<'_>) -> bool {
        self.analyze(input).findings.iter().any(|f| {
            f.category == Category::Discrimination
                && f.score >= gate::FLAG_SCORE
                && f.kind.as_deref() != Some("classifier")
                && gated_rule_bit(f) == 0
        })
    }

    /// The analysis; with `capture`, the classifier is not run and its
    /// gate's context is stored there instead.
    fn analyze_inner(
        &self,
        input: &CommentInput<'_>,
        norm: &Normalized,
        capture: Option<&mut Option<(GateContext, String)>>,
    ) -> Analysis {
        let text = input.text;
        debug_assert_eq!(norm.char_len as usize, text.chars().count());
        let mut c = Collector {
            text,
            char_len: norm.char_len as usize,
            char_bytes: None,
            findings: Vec::new(),
            intents: Vec::new(),
            criticises_administration: false,
            unprotected_target: false,
            one_target: false,
            reclaimed: Vec::new(),
            quoted_slurs: Vec::new(),
        };
        let sk = norm.skeleton.as_str();

        // Rules first: counter-speech changes how slurs are read.
        let mut rule_hits: Vec<RuleHit> = Vec::new();
        self.rules.find(sk, &mut rule_hits);
        // "non odio i gay", "non servono le spranghe": a pattern of hate
        // against a group, of respect for it or a threat, denied.
        let hateful = |a: Action| {
            matches!(
                a,
                Action::GroupFinding
                    | Action::Finding(Category::Discrimination | Category::Threat, _, _)
            )
        };
        let mut hate_denied_until: Option<usize> = None;
        rule_hits.retain(|h| {
            let action = self.rules.rule(h.rule).action;
            if action == Action::Respect && conceded(sk, h.start, h.end) {
                return false;
            }
            if !(hateful(action) || action == Action::Respect) || !denied(sk, h.start) {
                return true;
            }
            if hateful(action) {
                hate_denied_until = Some(hate_denied_until.map_or(h.end, |e| e.max(h.end)));
            }
            false
        });
        // "Non odio i musulmani", "non penso che le donne siano inferiori":
        // hate denied and none said. The heads read the words, not the
        // denial, so they do not run; unless the sentence turns after it
        // ("non odio i neri, ma ...").
        let denies_hate = hate_denied_until.is_some_and(|end| {
            !sk[end..sentence_end(sk, end)]
                .split(' ')
                .any(|w| matches!(w, "ma" | "pero" | "tutavia" | "epure" | "solo"))
        }) && !rule_hits
            .iter()
            .any(|h| hateful(self.rules.rule(h.rule).action));
        let has = |a: &dyn Fn(Action) -> bool| {
            rule_hits.iter().any(|h| a(self.rules.rule(h.rule).action))
        };
        let quoted_ranges = quoted_ranges(sk);
        let glued = glued_apostrophes(norm, input.text);
        let condemnation = has(&|a| a == Action::Condemnation);
        let mut counter_speech = has(&|a| a == Action::CounterSpeech) && condemnation;
        // Someone else's words, reported: a slur or a hateful phrase there is
        // not the author's ("uno ha scritto \"negri fuori\", chiamo i vigili?").
        let reported = reported_ranges(sk, &quoted_ranges, &glued, condemnation);
        let in_reported = |s: usize, e: usize| reported.iter().any(|&(a, b)| a <= s && e <= b);

        let mut lex_hits: Vec<Hit> = Vec::new();
        // The same scan finds the words naming the classifier heads' groups.
        let named = NamedGroups(
            self.lexicon
                .find_with_groups(norm, &mut lex_hits, &group_bit),
        );
        // "l'apertura ritardata del nido", "via Negri": a word spelt like a
        // slur, not a slur.
        // The sense of every hit that stays, read once.
        let mut lex_senses = Vec::with_capacity(lex_hits.len());
        lex_hits.retain(|h| {
            let sense = if self.lexicon.entry(h.entry).category == Category::Discrimination {
                senses::sense(text, norm, h.start, h.end)
            } else {
                senses::Sense::Slur
            };
            lex_senses.push(sense);
            sense != senses::Sense::Plain
        });
        lex_senses.retain(|&s| s != senses::Sense::Plain);
        if condemnation
            && lex_hits.iter().any(|h| {
                self.lexicon.entry(h.entry).category == Category::Discrimination
                    && quoted_ranges
                        .iter()
                        .any(|&(a, b)| a <= h.start && h.end <= b)
            })
        {
            counter_speech = true;
        }
        if !counter_speech {
            counter_speech = answers_hate(
                &self.rules,
                &self.lexicon,
                sk,
                &rule_hits,
                &lex_hits,
                &quoted_ranges,
                &in_reported,
            );
        }

        // ---------------------------------------------------------- lexicon
        // Read once, and only when a slur was found.
        let mut single_quoted: Option<Vec<(usize, usize)>> = None;
        for (h, &sense) in lex_hits.iter().zip(&lex_senses) {
            let entry = self.lexicon.entry(h.entry);
            let quoted = quoted_ranges
                .iter()
                .any(|&(a, b)| a <= h.start && h.end <= b);
            if counter_speech && (quoted || entry.category == Category::Discrimination) {
                continue;
            }
            let span = norm.skeleton_span(h.start, h.end);
            let mut score = entry.weight;
            let reported = in_reported(h.start, h.end);
            // Someone else's words: a slur, and an insult or a vulgar word
            // ("mi ha dato della puttana", "'negro di merda' mi ha
            // urlato"), are the name given, not the author's.
            if reported
                && matches!(
                    entry.category,
                    Category::Discrimination
                        | Category::Insult
                        | Category::Vulgarity
                        | Category::Obscene
                )
            {
                score = score.min(REPORTED_CAP);
            }
            let (addressed, copula) = match entry.category {
                Category::Insult | Category::Discrimination => address(sk, h.start),
                _ => (Address::None, None),
            };
            if entry.category == Category::Insult && !reported {
                score = match addressed {
                    // "sei un buffone", "siete degli incompetenti e dei
                    // buffoni": a direct insult, above the usual flag line.
                    Address::Predicate => (score + 0.15).clamp(0.72, 0.98),
                    Address::Near => (score + 0.15).min(0.98),
                    Address::None => score,
                };
            }
            let explanation = match (entry.category, entry.custom) {
                (_, true) => "termine vietato dalla policy dell'ente",
                (Category::Insult, _) => "parola offensiva rivolta a una persona",
                (Category::Vulgarity, _) => "linguaggio volgare",
                (Category::Obscene, _) => "contenuto osceno o sessualmente esplicito",
                (Category::Discrimination, _) => "termine spregiativo verso un gruppo protetto",
                _ => "termine presente negli elenchi di parole vietate",
            };
            // "mio figlio è cerebroleso", "il parcheggio per handicappati":
            // dated words, a citizen's description, not an attack.
            // A slur said of the reader is an attack whatever its sense.
            let sense = if copula.is_none() {
                sense
            } else {
                senses::Sense::Slur
            };
            // A group no head reads (disability): the rules decide alone, so
            // "per noi handicappati" is theirs to spare. A head's group is
            // spared its fallback to offensive language (`demote_slurs`).
            let head_reads = entry.target == Some(DiscriminationTarget::Religion)
                || gate::target_bit(entry.target) != 0;
            if matches!(sense, senses::Sense::OwnGroup | senses::Sense::Historical) {
                c.reclaimed.push(span);
            }
            if entry.category == Category::Discrimination
                && (quoted
                    || single_quoted
                        .get_or_insert_with(|| single_quoted_ranges(sk, &glued))
                        .iter()
                        .any(|&(a, b)| a <= h.start && h.end <= b))
            {
                c.quoted_slurs.push(span);
            }
            let mut explanation = match sense {
                senses::Sense::Descriptive => {
                    score = score.min(REPORTED_CAP);
                    "termine datato per una disabilità, usato per descrivere una persona o un servizio e non per offendere"
                }
                senses::Sense::OwnGroup if !head_reads => {
                    score = score.min(REPORTED_CAP);
                    "termine detto di sé o del proprio gruppo, non per offendere"
                }
                _ => explanation,
            };
            let mut kind = (entry.category == Category::Discrimination).then_some("slur");
            // "sei proprio un negro": the slur is said of the reader, an
            // insult by their (supposed) group. Neither reclaimed, nor said
            // of oneself, nor reported: the rules decide, not the head's
            // reading of the comment.
            if entry.category == Category::Discrimination
                && !reported
                && copula.is_some_and(|p| !denied(sk, p))
            {
                kind = Some("slur_addressed");
                score = (score + 0.1).min(0.95);
            } else if entry.category == Category::Discrimination
                && !reported
                && sense == senses::Sense::Slur
                && !banter_word(&sk[h.start..h.end])
                && (predicated(sk, h.start).is_some_and(|p| !denied(sk, p))
                    || epithet(sk, h.start, h.end))
            {
                // "il nuovo vigile è un frocio": the slur said of a third
                // person, as the name of what he is. The rules decide, as
                // for the reader; a description ("mio figlio è
                // cerebroleso") or one's own group keeps its sense.
                kind = Some("slur_predicated");
                score = (score + 0.1).min(0.95);
                explanation = "termine spregiativo attribuito a una persona";
            }
            c.finding(
                entry.category,
                kind,
                entry.target,
                score,
                Some(span),
                explanation,
            );
            // A slur is also an insult when addressed to someone.
            if entry.category == Category::Discrimination && addressed != Address::None {
                c.finding(
                    Category::Insult,
                    None,
                    None,
                    score * 0.9,
                    Some(span),
                    "parola offensiva rivolta a una persona",
                );
            }
        }

        // ---------------------------------------------------------- rules
        let admin_ref = has(&|a| a == Action::AdminRef);
        let selling = has(&|a| a == Action::Selling);
        let mut price_spans = Vec::new();
        for h in &rule_hits {
            let rule = self.rules.rule(h.rule);
            let span = norm.skeleton_span(h.start, h.end);
            // Reported hate or threats are reported below the flag line.
            let reported = in_reported(h.said, h.end);
            let score = if reported {
                rule.score.min(REPORTED_CAP)
            } else {
                rule.score
            };
            let merge = if reported {
                Merge::Keep
            } else {
                Merge::Accumulate
            };
            let said = |c: &mut Collector<'_>, category, kind, target| {
                c.add(
                    category,
                    kind,
                    target,
                    score,
                    Some(span),
                    rule.explanation,
                    merge,
                )
            };
            match rule.action {
                Action::Finding(Category::Discrimination, kind, target) => {
                    if !counter_speech {
                        said(
                            &mut c,
                            Category::Discrimination,
                            kind.or(Some("pattern")),
                            target,
                        );
                    }
                }
                Action::Finding(Category::Threat, kind, target) => {
                    said(&mut c, Category::Threat, kind, target)
                }
                Action::Finding(cat, kind, target) => {
                    c.finding(cat, kind, target, rule.score, Some(span), rule.explanation)
                }
                Action::GroupFinding => {
                    if !counter_speech {
                        said(&mut c, Category::Discrimination, Some("pattern"), h.target);
                    }
                }
                Action::Intent(Intent::Criticism) => {
                    c.criticises_administration |= admin_ref;
                    let score = if admin_ref {
                        rule.score + 0.2
                    } else {
                        rule.score
                    };
                    c.intent(Intent::Criticism, score, Some(span), rule.explanation);
                }
                Action::Intent(i) => c.intent(i, rule.score, Some(span), rule.explanation),
                Action::Price => price_spans.push(span),
                Action::UnprotectedTarget => c.unprotected_target = true,
                Action::OneTarget => c.one_target = true,
                Action::CounterSpeech
                | Action::Condemnation
                | Action::Rebuttal
                | Action::Defence
                | Action::Respect
                | Action::HateReport
                | Action::AdminRef
                | Action::Selling
                | Action::Signal(_)
                | Action::SpecialTrigger => {}
            }
        }
        if selling {
            for span in price_spans {
                c.finding(
                    Category::Commercial,
                    Some("price"),
                    None,
                    0.7,
                    Some(span),
                    "prezzo di un prodotto o servizio in vendita",
                );
            }
        }

        // ---------------------------------------------------------- clause detectors
        // Illegal, misleading, copyright, provocation (crate::clauses): their
        // signals came with the rule scan above.
        clauses::detect(&self.rules, &rule_hits, norm, &mut c);

        // ---------------------------------------------------------- question
        question(norm, &mut c);

        // The post, prepared once per post and thread (off-topic and the
        // classifier's gate read it).
        let cached_post;
        let post: Option<&PreparedPost> = match (input.prepared_post, input.post_text) {
            (Some(p), _) => Some(p),
            (None, Some(t)) => {
                cached_post = offtopic::cached_post(t);
                Some(&cached_post)
            }
            (None, None) => None,
        };

        // ---------------------------------------------------------- personal data
        // Before the classifier: the gate reads special categories about
        // the author (a citizen stating their own faith or illness).
        let chars_upper = |pos: usize| -> bool {
            let ci = norm.plain_map.get(pos).map_or(0, |s| s.0) as usize;
            text.chars().nth(ci).is_some_and(char::is_uppercase)
        };
        let mut pd: Vec<PdHit> = Vec::new();
        personal::scan(&norm.plain, &chars_upper, &self.own, &mut pd);
        // Special categories (health, religion, origin...) about the author
        // or someone else, on the skeleton.
        let mut special = Vec::new();
        if has(&|a| a == Action::SpecialTrigger) {
            special::scan(sk, &mut special);
        }
        // A citizen who says they belong to a group and asks something
        // ("siamo musulmani, per la dieta della mensa serve un
        // certificato?") is asking for a service, not speaking hate: the
        // worst error of a public desk is to flag them. The heads are not
        // run on such a comment; the rules still are, so a slur or an
        // explicit pattern of the author's own is still reported. A
        // question alone is not enough: hate asks rhetorical ones ("che
        // problema abbiamo con i musulmani? ...").
        let asks_as_member = special.iter().any(|h| h.own && protected_kind(h.kind))
            && c.intents
                .iter()
                .any(|i| matches!(i.intent, Intent::ServiceRequest | Intent::Complaint))
            && !c
                .findings
                .iter()
                .any(|f| f.category == Category::Discrimination && f.score >= gate::FLAG_SCORE);
        for h in special {
            c.finding(
                Category::PersonalData,
                Some(h.kind.as_str()),
                None,
                h.score,
                Some(norm.skeleton_span(h.start, h.end)),
                h.explanation,
            );
        }
        for h in pd {
            let span = norm.plain_span(h.start, h.end);
            c.finding(
                Category::PersonalData,
                Some(h.kind.as_str()),
                None,
                h.score,
                Some(span),
                h.explanation,
            );
        }

        // ---------------------------------------------------------- classifier
        if !counter_speech
            && !asks_as_member
            && !denies_hate
            && sk.len() >= 8
            && (capture.is_some() || self.model.is_some())
        {
            let ctx = GateContext {
                named_comment: named.0,
                named_post: post.map_or(0, PreparedPost::groups),
                has_post: post.is_some(),
                signals: gate_signals(text, norm, &c, condemnation)
                    | if reported.is_empty() {
                        0
                    } else {
                        gate::signal::REPORTED
                    },
                words: normalize::split_spaces(sk)
                    .filter(|w| !w.is_empty())
                    .count() as u32,
                rule_scores: rule_scores(&c.findings, &c.reclaimed),
                subjects: [0.0; 4],
            };
            // The classifier reads the author's own words only.
            let masked = (!reported.is_empty()).then(|| without_spans(text, norm, &reported));
            match (capture, self.model.as_ref()) {
                (Some(out), _) => {
                    *out = Some((ctx, masked.unwrap_or_else(|| text.to_string())));
                }
                (None, Some(model)) => {
                    let view = masked.as_deref().map(Normalized::new);
                    self.classify(model, norm, view.as_ref().unwrap_or(norm), &ctx, &mut c);
                }
                (None, None) => {}
            }
        }

        // ---------------------------------------------------------- links: spam and referrals
        self.links(norm, &mut c);

        // ---------------------------------------------------------- off-topic
        if let Some(post) = post {
            self.off_topic(norm, post, &mut c);
        }

        let mut findings = c.findings;
        findings.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then(a.category.cmp(&b.category))
        });
        let mut intents = c.intents;
        intents.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.intent.cmp(&b.intent)));
        Analysis { findings, intents }
    }

    /// The classifier's findings: `view` is what the heads read (the
    /// comment without reported speech), `norm` the comment (evidence).
    fn classify(
        &self,
        model: &ModelBundle,
        norm: &Normalized,
        view: &Normalized,
        ctx: &GateContext,
        c: &mut Collector<'_>,
    ) {
        let sk = norm.skeleton.as_str();
        let nh = model.heads.len().min(16);
        let gated = model.gates.len() == model.heads.len();
        let named = ctx.named_comment | ctx.named_post;
        let bit = |h: usize| gate::target_bit(model.heads[h].target);
        // A bundle without gates (not the shipped one): a head speaks only
        // when the comment or its post names its group.
        let speaks = |h: usize| gated || bit(h) == 0 || named & bit(h) != 0;
        if !(0..nh).any(speaks) {
            return;
        }
        // The heads' probabilities, then the subjects' (read in one pass).
        let mut probs = [0f32; 16];
        let nw = model.stride().min(16);
        model.predict_shared_into(view, &mut probs[..nw]);
        let mut ctx = *ctx;
        for (s, &p) in ctx.subjects.iter_mut().zip(&probs[nh..nw]) {
            *s = p;
        }
        let ctx = &ctx;
        if gated {
            // The companions (a second model of a head, averaged in) run
            // only when their result could make a gate report: with the
            // companions' probabilities anywhere in [0, 1], no gate may
            // reach the reporting score otherwise (exact, gate::may_report).
            let mut open = [(0usize, 0f32, 0f32); 4];
            let mut m = 0;
            for (h, k) in model.companion_heads() {
                if h >= nh {
                    continue;
                }
                if m < open.len() {
                    let (p, k) = (probs[h], k as f32);
                    open[m] = (h, (p + 0.0) / (1.0 + k), (p + k) / (1.0 + k));
                }
                m += 1;
            }
            let mut bits = [0u8; 16];
            for (h, b) in bits.iter_mut().enumerate().take(nh) {
                *b = bit(h);
            }
            let needed = m > open.len()
                || gate::may_report(&model.gates, &bits[..nh], &probs[..nh], ctx, &open[..m]);
            if needed {
                model.add_companions(view, &mut probs[..nh], speaks);
            } else {
                // Nothing can be reported: no need to read the heads again,
                // and the rules' findings of the heads' groups stay below
                // the flag line.
                let gated: u8 = bits[..nh].iter().fold(0, |m, b| m | b);
                demote_slurs(c, |b| b & gated != 0);
                return;
            }
        } else {
            model.add_companions(view, &mut probs[..nh], speaks);
        }
        for (h, meta) in model.heads.iter().enumerate().take(nh) {
            if !speaks(h) {
                continue;
            }
            let p = probs[h];
            let score = if gated {
                let g = &model.gates[h];
                let score = gate::score(g.probability(h, &probs[..nh], bit(h), ctx), g.threshold);
                if gate::may_flag(p, bit(h), ctx) {
                    score
                } else {
                    score.min(UNDER_FLAG_CAP)
                }
            } else if p >= meta.threshold {
                p
            } else {
                0.0
            };
            if gated && bit(h) != 0 {
                // The gate decides the rules' findings of its group too.
                if score >= gate::FLAG_SCORE {
                    for f in &mut c.findings {
                        if gated_rule_bit(f) == bit(h) {
                            f.score = f.score.max(score);
                        }
                    }
                } else {
                    demote_slurs(c, |b| b == bit(h));
                }
            }
            if score < gate::REPORTED_FROM {
                continue;
            }
            // The head's group when the comment or its post names it; the
            // head may speak without it (its corpus is about hate that
            // does not always name its group), and then no target is given.
            let mut target = meta.target.filter(|_| bit(h) == 0 || named & bit(h) != 0);
            if target == Some(DiscriminationTarget::Ethnicity) && mentions_religion(sk) {
                target = Some(DiscriminationTarget::Religion);
            }
            // A head that names no group of its own, neither in the comment
            // nor in its post, on a comment that criticises the
            // administration: the institution is not a protected group,
            // and the heads' corpora label as hate much anger at
            // governments ("incapaci", "vergogna"). Shown below the flag
            // line, for the moderator to judge; the rules still flag an
            // insult. Teaching the heads instead (60 such comments as desk
            // negatives) cost 4 to 9 points of macro-F1 on HaSpeeDe FB and
            // TW, where that anger comes with the hate (see MODEL_CARD.md).
            // The same for anger at people no law protects as a group
            // ("odio i pedofili", "spacciatori di merda"): abuse, which the
            // lexicon flags as such, not discrimination.
            // And for anger at one person or thing ("il vicino del terzo
            // piano è un rompiscatole"), but from the misogyny and the
            // homotransphobia heads: an insult that demeans one woman or one
            // gay man for what they are ("sei un puttanone", "sei un rotto
            // in culo") is said to one person and is still their kind of
            // hate, as AMI and HODI label it.
            let one = c.one_target
                && !matches!(
                    meta.target,
                    Some(DiscriminationTarget::Gender | DiscriminationTarget::SexualOrientation)
                );
            let score = if target.is_none()
                && (c.criticises_administration || c.unprotected_target || one)
            {
                score.min(UNDER_FLAG_CAP)
            } else {
                score
            };
            // Evidence: the words whose own weight pushes this head the most.
            let spans = top_words(model, h, norm);
            let first = spans.first().copied();
            c.finding(
                meta.category,
                Some("classifier"),
                target,
                score,
                first,
                "il classificatore addestrato su commenti d'odio riconosce un contenuto discriminatorio",
            );
            for s in spans.into_iter().skip(1) {
                c.finding(meta.category, Some("classifier"), target, 0.0, Some(s), "");
            }
        }
    }

    fn links(&self, norm: &Normalized, c: &mut Collector<'_>) {
        let plain = norm.plain.as_str();
        // One pass for the four markers (most comments have none).
        static MARKERS: OnceLock<aho_corasick::AhoCorasick> = OnceLock::new();
        let markers = MARKERS.get_or_init(|| {
            aho_corasick::AhoCorasick::new(["http", "www.", ".ly/", ".to/"])
                .expect("valid link markers")
        });
        if !markers.is_match(plain) {
            return;
        }
        let mut urls: Vec<(usize, usize)> = Vec::new();
        let b = plain.as_bytes();
        let mut i = 0;
        while i < b.len() {
            // Byte-wise: `i` need not be on a char boundary here.
            let rest = &b[i..];
            if rest.starts_with(b"http://")
                || rest.starts_with(b"https://")
                || rest.starts_with(b"www.")
            {
                let s = i;
                while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'"' && b[i] < 0x80 {
                    i += 1;
                }
                urls.push((s, i));
            } else {
                i += 1;
            }
        }
        for &(s, e) in &urls {
            let u = &plain[s..e];
            let referral = [
                "?ref=",
                "&ref=",
                "?aff",
                "&aff",
                "affiliate",
                "referral",
                "?invite",
                "amzn.to",
                "bit.ly",
                "tinyurl",
                "/ref=",
                "?tag=",
                "&tag=",
            ]
            .iter()
            .any(|p| u.contains(p));
            if referral {
                c.finding(
                    Category::Commercial,
                    Some("referral"),
                    None,
                    0.75,
                    Some(norm.plain_span(s, e)),
                    "link di affiliazione o accorciato verso un'offerta commerciale",
                );
            }
        }
        if urls.len() >= 3 {
            let (s, e) = (urls[0].0, urls[urls.len() - 1].1);
            c.finding(
                Category::Spam,
                Some("link_farm"),
                None,
                (0.5 + 0.1 * urls.len() as f32).min(0.9),
                Some(norm.plain_span(s, e)),
                "molti link in un solo commento",
            );
        }
    }

    fn off_topic(&self, norm: &Normalized, post: &PreparedPost, c: &mut Collector<'_>) {
        // A complaint or a request is off-topic under a post about something
        // else, but it is routed, not removed: report it more weakly.
        let routed = c.intents.iter().any(|i| {
            matches!(
                i.intent,
                Intent::Complaint | Intent::CrimeReport | Intent::ServiceRequest
            )
        });
        let r = offtopic::relevance(&norm.plain, post);
        if r.comment_terms < 4 || r.post_terms == 0 || r.similarity >= 0.08 {
            return;
        }
        // Confidence grows with how much both texts say.
        let post_weight = (r.post_terms as f32 / 15.0).min(1.0);
        let comment_weight = (r.comment_terms as f32 / 10.0).min(1.0);
        let mut score = 0.15 + 0.35 * post_weight + 0.15 * comment_weight - r.similarity;
        if routed {
            score *= 0.5;
        }
        let explanation = if r.post_terms < 6 {
            "poche parole in comune con il post (post breve: indicazione debole)"
        } else {
            "il commento non riguarda l'argomento del post"
        };
        c.finding(
            Category::OffTopic,
            None,
            None,
            score.clamp(0.05, 0.75),
            Some((0, norm.char_len)),
            explanation,
        );
    }
}

/// The head's bit (of [`gate::GROUP_TARGETS`]) whose gate decides whether
/// a discrimination finding of the rules is flagged, or 0 when the rules
/// decide alone (an explicit pattern, a group no head covers, a term of the
/// policy's own list).
/// A slur is not hate in every use: quoted to report it, reclaimed, said of
/// oneself; the head of its group, with the slur as one of the gate's
/// signals, reads the whole comment.
fn gated_rule_bit(f: &Finding) -> u8 {
    // Explicit patterns ("gli X sono bestie", "X di merda") are hate by
    // their construction and stay the rules' decision; a slur alone is not.
    if f.category != Category::Discrimination || f.kind.as_deref() != Some("slur") {
        return 0;
    }
    match f.target {
        Some(DiscriminationTarget::Religion) => {
            gate::target_bit(Some(DiscriminationTarget::Ethnicity))
        }
        t @ Some(_) => gate::target_bit(t),
        None => 0,
    }
}

/// The slurs of the groups `gated` selects, when their head's gate does not
/// see an attack on the group: not discrimination (reported below the flag
/// line), but still offensive language, which every policy forbids, unless
/// said of the author's own group ("noi terroni al freddo delle Dolomiti").
fn demote_slurs(c: &mut Collector<'_>, gated: impl Fn(u8) -> bool) {
    let mut words = Vec::new();
    for f in &mut c.findings {
        if gated(gated_rule_bit(f))
            && f.score > REPORTED_CAP
            && !contempt_in_itself(f, &c.reclaimed, &c.quoted_slurs)
        {
            words.extend(
                f.evidence
                    .iter()
                    .filter(|e| !c.reclaimed.contains(&(e.start as u32, e.end as u32)))
                    .map(|e| (e.start, e.end, f.score)),
            );
            f.score = REPORTED_CAP;
        }
    }
    for (s, e, score) in words {
        c.finding(
            Category::Vulgarity,
            None,
            None,
            score,
            Some((s as u32, e as u32)),
            "termine spregiativo: il contesto non indica un attacco al gruppo, ma resta linguaggio offensivo",
        );
    }
}

/// A slur of origin that has no innocent use left once its names are set
/// apart (`senses`: "via Negri", "Ada Negri") and it is neither quoted
/// (a title: "'Il negro del Narciso'"), reported nor said of one's own group: "negro" and its
/// forms, "zingaraccio", "bingo bongo". The head's gate reads the comment
/// for every other slur ("terroni" is banter as often as contempt); for
/// these, a gate that sees no attack on the group would turn "il nuovo
/// medico è un negro, io da lui non mi faccio toccare" into mere offensive
/// language.
fn contempt_in_itself(f: &Finding, reclaimed: &[(u32, u32)], quoted: &[(u32, u32)]) -> bool {
    const WORDS: [&str; 11] = [
        "negro",
        "negra",
        "negri",
        "negre",
        "negretto",
        "negretti",
        "zingaraccio",
        "zingaraccia",
        "zingaracci",
        "zingaracce",
        "bingo bongo",
    ];
    f.target == Some(DiscriminationTarget::Ethnicity)
        && f.kind.as_deref() == Some("slur")
        && f.evidence.iter().any(|e| {
            let span = (e.start as u32, e.end as u32);
            !reclaimed.contains(&span)
                && !quoted.contains(&span)
                && WORDS.contains(&e.text.to_lowercase().as_str())
        })
}

/// The [`GateContext::rule_scores`] of the findings so far. A slur said of
/// the author's own group ("io sono un polentone orgoglioso") is no
/// evidence of an attack on it: the head reads the comment as if the rules
/// had found nothing.
fn rule_scores(findings: &[Finding], reclaimed: &[(u32, u32)]) -> [u8; 4] {
    let mut out = [0u8; 4];
    for f in findings {
        let bit = gated_rule_bit(f);
        let own = || {
            !f.evidence.is_empty()
                && f.evidence
                    .iter()
                    .all(|e| reclaimed.contains(&(e.start as u32, e.end as u32)))
        };
        if bit != 0 && !own() {
            let i = bit.trailing_zeros() as usize;
            out[i] = out[i].max((f.score.clamp(0.0, 1.0) * 100.0).round() as u8);
        }
    }
    out
}

/// The groups named by a comment, as found by [`named_groups`].
#[derive(Debug, Clone, Copy, Default)]
struct NamedGroups(u8);

impl NamedGroups {
    #[cfg(test)]
    fn names(&self, target: Option<DiscriminationTarget>) -> bool {
        let bit = gate::target_bit(target);
        bit == 0 || self.0 & bit != 0
    }
}

/// The groups of the classifier heads a skeleton names (the bits of
/// [`gate::GROUP_TARGETS`]), for posts: comments get the same answer from
/// the lexicon's scan, which carries the same stems.
pub(crate) fn named_groups_of(sk: &str) -> u8 {
    static AC: OnceLock<aho_corasick::AhoCorasick> = OnceLock::new();
    let ac = AC.get_or_init(|| {
        aho_corasick::AhoCorasick::new(&group_words().patterns)
            .expect("group stems are plain strings")
    });
    let mut mask = 0;
    for m in ac.find_overlapping_iter(sk) {
        mask |= group_bit(sk, m.pattern().as_usize(), m.start(), m.end());
    }
    mask
}

/// The [`gate::signal`] bits of a comment, from what the lexicon and the
/// rules found so far.
fn gate_signals(text: &str, norm: &Normalized, c: &Collector<'_>, condemnation: bool) -> u32 {
    use gate::signal::*;
    let mut s = 0;
    for f in &c.findings {
        s |= match f.category {
            Category::Insult => INSULT,
            Category::Vulgarity => VULGAR,
            Category::Obscene => OBSCENE,
            Category::Discrimination => SLUR,
            Category::Threat => THREAT,
            Category::PersonalCase | Category::PersonalData => PERSONAL,
            _ => 0,
        };
    }
    for i in &c.intents {
        s |= match i.intent {
            Intent::Question => QUESTION,
            Intent::Complaint | Intent::ServiceRequest | Intent::CrimeReport => REQUEST,
            Intent::Criticism => CRITICISM,
            // Intents added later carry no signal until the gate is refitted.
            #[allow(unreachable_patterns)]
            _ => 0,
        };
    }
    if condemnation {
        s |= CONDEMNATION;
    }
    // Whole words (`false`) and stems of words of 4 bytes or more (`true`),
    // indexed by their first byte: a word meets only the entries that
    // start like it.
    static CUES: OnceLock<ByFirstByte<(u32, bool)>> = OnceLock::new();
    let cues = CUES.get_or_init(|| {
        let mut v = Vec::new();
        for (words, bit) in [
            (ADDRESSED, SECOND_PERSON),
            (ADDRESSED_COPULA, SECOND_PERSON),
            (FIRST_PERSON_WORDS, FIRST_PERSON),
        ] {
            v.extend(words.iter().map(|w| (w.to_string(), (bit, false))));
        }
        for (words, bit) in [
            (CONDEMNATION_CUES, CONDEMNATION),
            (PRAISE_CUES, PRAISE),
            (REPORT_ACT_CUES, REPORT_ACT),
        ] {
            v.extend(
                words
                    .iter()
                    .map(|w| (normalize::skeletonize(w), (bit, true))),
            );
        }
        ByFirstByte::new(v)
    });
    for w in normalize::split_spaces(&norm.skeleton) {
        for (entry, (bit, stem)) in cues.candidates(w) {
            let hit = if *stem {
                w.len() >= 4 && w.starts_with(entry.as_str())
            } else {
                w == entry
            };
            if hit {
                s |= bit;
            }
        }
    }
    let (mut upper, mut lower, mut bangs) = (0usize, 0usize, 0usize);
    for &c in text.as_bytes() {
        upper += c.is_ascii_uppercase() as usize;
        lower += c.is_ascii_lowercase() as usize;
        bangs += (c == b'!') as usize;
    }
    if bangs >= 2 || (upper >= 8 && upper > 2 * lower) {
        s |= SHOUTING;
    }
    s
}

/// Words or stems indexed by their first byte, so that a word is compared
/// only with the entries that start like it.
struct ByFirstByte<T> {
    index: Vec<Vec<(String, T)>>,
}

impl<T> ByFirstByte<T> {
    fn new(entries: Vec<(String, T)>) -> ByFirstByte<T> {
        let mut index: Vec<Vec<(String, T)>> = (0..256).map(|_| Vec::new()).collect();
        for (w, t) in entries {
            let b = *w.as_bytes().first().expect("no empty word or stem");
            index[b as usize].push((w, t));
        }
        ByFirstByte { index }
    }

    /// The entries that start with the first byte of `w` (none for an
    /// empty word).
    fn candidates(&self, w: &str) -> &[(String, T)] {
        w.as_bytes()
            .first()
            .map_or(&[], |&b| self.index[b as usize].as_slice())
    }
}

/// Word stems that condemn discrimination (a gate signal, with the
/// condemnation rules): the gate weighs them, they decide nothing alone.
const CONDEMNATION_CUES: &[&str] = &[
    "razzis",
    "ignoran",
    "vergogn",
    "solidariet",
    "vigliacc",
    "smettiamola",
    "discrimina",
    "intolleran",
    "pregiudiz",
    "omofob",
    "sessis",
    "antisemit",
    "xenofob",
    "rispetto",
];
/// Word stems of appreciation (a gate signal).
const PRAISE_CUES: &[&str] = &[
    "bella",
    "bello",
    "bellissim",
    "brav",
    "complimen",
    "grazie",
    "successo",
    "ricchezza",
    "benvenut",
    "iniziativa",
    "orgoglio",
];
/// Word stems of a request to act on content (a gate signal).
const REPORT_ACT_CUES: &[&str] = &[
    "segnal", "denunc", "cancell", "toglie", "toglier", "moderat", "bannat", "rimuov",
];

/// Words of a comment whose author speaks of self or family.
const FIRST_PERSON_WORDS: &[&str] = &[
    "io", "mio", "mia", "miei", "mie", "ho", "mi", "me", "noi", "nostro", "nostra", "nostri",
    "nostre", "abbiamo", "siamo",
];

/// Skeletonised stems that name the group of each classifier head, in one
/// automaton. Every stem must start a word ("arab" names a group in "arabi",
/// not in "carabinieri"); a trailing space requires the word to end there.
struct GroupWords {
    /// The skeletonised stems (also scanned by the lexicon's automaton).
    patterns: Vec<String>,
    /// Per pattern: target bit, needs a word start, needs a word end.
    meta: Vec<(u8, bool, bool)>,
}

fn group_words() -> &'static GroupWords {
    static WORDS: OnceLock<GroupWords> = OnceLock::new();
    WORDS.get_or_init(|| {
        let raw: &[(DiscriminationTarget, &[&str])] = &[
            (
                DiscriminationTarget::Ethnicity,
                &[
                    "immigrat",
                    "migrant",
                    "stranier",
                    "extracomunitar",
                    "clandestin",
                    "profug",
                    " rom ",
                    "zingar",
                    "nomad",
                    "african",
                    "africa",
                    "negr",
                    " neri",
                    "marocchin",
                    "albanes",
                    "rumen",
                    "romen",
                    "cines",
                    "nigerian",
                    "arab",
                    "musulman",
                    "mussulman",
                    "islam",
                    "moschea",
                    "ebre",
                    "terron",
                    "meridional",
                    "sbarc",
                    "barcon",
                    "accoglien",
                    "invasion",
                    "razza",
                    "etnia",
                    "richiedenti",
                    "asilo",
                    "ong ",
                    "rimpatri",
                    "stranieri",
                    "colore",
                    "senegal",
                    "tunisin",
                    "pakistan",
                    "bangla",
                    "indian",
                    "sinti",
                ],
            ),
            (
                DiscriminationTarget::Gender,
                &[
                    "donna",
                    "donne",
                    "femmin",
                    "ragazza",
                    "ragazze",
                    "signora",
                    " lei ",
                    "moglie",
                    "femminist",
                    "troia",
                    "puttana",
                    "zoccola",
                    "mignotta",
                    "sei una",
                    "quella",
                    "bambola",
                    "cagna",
                    "vacca",
                    "gallina",
                    "baldracca",
                    "sgualdrina",
                    "bionda",
                    "tette",
                    "figa",
                    "madre",
                    "mamma",
                    "sorella",
                    "fidanzata",
                    "ministra",
                    "sindaca",
                    "presidentessa",
                    "quote rosa",
                ],
            ),
            (
                DiscriminationTarget::SexualOrientation,
                &[
                    "gay",
                    "lesbic",
                    "omosessual",
                    "froci",
                    "trans",
                    "lgbt",
                    "queer",
                    "ricchion",
                    "recchion",
                    "culatton",
                    "finocchi",
                    "checca",
                    "gender",
                    "pride",
                    "arcobaleno",
                    "unioni civili",
                    "omofob",
                    "bisessual",
                    "travestit",
                    "drag",
                    "busone",
                    "invertit",
                    "natura",
                    "utero in affitto",
                    "famiglia tradizionale",
                ],
            ),
            (
                DiscriminationTarget::PoliticalOpinion,
                &[
                    "politic",
                    "partito",
                    "partiti ",
                    "sinistra",
                    "destra",
                    "comunist",
                    "fascist",
                    "leghist",
                    "grillin",
                    "piddin",
                    " pd",
                    "lega ",
                    "leghe ",
                    "m5s",
                    "5 stelle",
                    "cinque stelle",
                    "fdi",
                    "fratelli d",
                    "forza italia",
                    "governo",
                    "ministr",
                    "parlament",
                    "senat",
                    "salvini",
                    "meloni",
                    "renzi",
                    "conte",
                    "schlein",
                    "calenda",
                    "berlusconi",
                    "elezion",
                    "elettor",
                    "zecche",
                    "sinistroid",
                    "radical chic",
                    "sovranist",
                    "antifa",
                    "casapound",
                    "premier",
                    "deputat",
                ],
            ),
        ];
        let mut patterns = Vec::new();
        let mut meta = Vec::new();
        for (t, ws) in raw {
            let bit = gate::GROUP_TARGETS.iter().position(|g| g == t).unwrap_or(0) as u8;
            for w in ws.iter() {
                let core = normalize::skeletonize(w);
                if core.is_empty() {
                    continue;
                }
                patterns.push(core);
                meta.push((bit, true, w.ends_with(' ')));
            }
        }
        GroupWords { patterns, meta }
    })
}

/// Which groups the skeleton names (the analyzer gets the same answer from
/// the lexicon's scan, which carries these stems too).
#[cfg(test)]
fn named_groups(sk: &str) -> NamedGroups {
    let lex = Lexicon::with_groups(&[], &[], &group_words().patterns);
    let norm = Normalized::new(sk);
    NamedGroups(lex.find_with_groups(&norm, &mut Vec::new(), &group_bit))
}

/// The target bit of group stem `i` matched at `start..end` of the
/// skeleton, or 0 when the match is not at the required word edges.
fn group_bit(sk: &str, i: usize, start: usize, end: usize) -> u8 {
    let b = sk.as_bytes();
    let (bit, lead, trail) = group_words().meta[i];
    if lead && start > 0 && b[start - 1] != b' ' {
        return 0;
    }
    if trail && end < b.len() && b[end] != b' ' {
        return 0;
    }
    if in_expletive(sk, start, end) {
        return 0;
    }
    // "noi terroni portiamo le zeppole", "sono una donna e chiedo...": the
    // author's own group, named to say who is speaking, does not point a
    // head at a group the comment speaks of.
    if senses::own_group(sk, start, end) {
        return 0;
    }
    1 << bit
}

/// Whether the group word at `start..end` is the tail of an expletive:
/// "porca puttana", "porca troia", "figlio di puttana" swear at a thing or
/// curse a man, and name no woman. In the misogyny corpus (AMI 2020) 1,798
/// of 1,829 comments with "porca puttana" or "porca troia" are not
/// misogynous; as a group word they made the gate read the misogyny head.
fn in_expletive(sk: &str, start: usize, end: usize) -> bool {
    const TAILS: [&str; 2] = ["putana", "troia"];
    const HEADS: [&str; 5] = ["porca ", "porco ", "madona ", "figlio di ", "figli di "];
    TAILS.contains(&&sk[start..end])
        && HEADS.iter().any(|h| {
            sk[..start]
                .strip_suffix(h)
                .is_some_and(|b| b.is_empty() || b.ends_with(' '))
        })
}

fn mentions_religion(sk: &str) -> bool {
    [
        "musulman", "islam", "moschea", "coran", "ala ", "ebre", "sinagog", "religion", "velo",
        "burqa", "burka", "imam",
    ]
    .iter()
    .any(|w| sk.contains(w))
}

/// Up to three words with the largest positive unigram weight for head `h`.
fn top_words(model: &ModelBundle, h: usize, norm: &Normalized) -> Vec<(u32, u32)> {
    let sk = norm.skeleton.as_str();
    let nw = model.stride();
    let mut scored: Vec<(i8, usize, usize)> = Vec::new();
    let mut pos = 0;
    let mut buf = Vec::with_capacity(4);
    let uni = FeatureOnlyUnigram(model.features);
    for w in normalize::split_spaces(sk) {
        let start = pos;
        pos += w.len() + 1;
        if w.len() < 3 || !w.chars().any(char::is_alphabetic) {
            continue;
        }
        buf.clear();
        uni.extract(w, &mut buf);
        if let Some(&b) = buf.first() {
            let wt = model.weights[b as usize * nw + h];
            if wt > 0 {
                scored.push((wt, start, start + w.len()));
            }
        }
    }
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.truncate(3);
    scored.sort_by_key(|s| s.1);
    scored
        .into_iter()
        .map(|(_, s, e)| norm.skeleton_span(s, e))
        .collect()
}

/// Extracts only the unigram bucket of a single word (the first feature).
struct FeatureOnlyUnigram(model::FeatureConfig);

impl FeatureOnlyUnigram {
    fn extract(&self, w: &str, out: &mut Vec<u32>) {
        let cfg = model::FeatureConfig {
            word_ngrams: 1,
            char_min: 0,
            plain_words: 0,
            plain_char_max: 0,
            ..self.0
        };
        cfg.extract(w, out);
    }
}

/// How the word at skeleton byte `pos` is addressed, and where the copula
/// is when it is a predicate about the reader: looks back over the same
/// clause (up to eight words, stopping at . ! ? ; :) for "sei/siete" (the
/// word is then predicated of the reader) or a second-person word.
fn address(sk: &str, pos: usize) -> (Address, Option<usize>) {
    let mut pos = pos.min(sk.len());
    while !sk.is_char_boundary(pos) {
        pos -= 1;
    }
    let mut found = Address::None;
    for (n, w) in sk[..pos].rsplit(' ').filter(|w| !w.is_empty()).enumerate() {
        if n >= 8 || matches!(w, "." | "!" | "?" | ";" | ":") {
            break;
        }
        if ADDRESSED_COPULA.contains(&w) {
            return (
                Address::Predicate,
                Some(w.as_ptr() as usize - sk.as_ptr() as usize),
            );
        }
        if n < 4 && ADDRESSED.contains(&w) {
            found = Address::Near;
        }
    }
    (found, None)
}

/// Third-person copulas that say what a person is ("è", "era", "sembra",
/// "resta", "rimane"; "sono" only before "dei", "degli", "delle": "sono
/// dei froci quelli della giunta").
const THIRD_PERSON_COPULA: &[&str] = &["e", "era", "sembra", "resta", "rimane"];

/// Words that may stand between the copula and the noun.
const PREDICATE_FILLERS: &[&str] = &[
    "un",
    "una",
    "uno",
    "proprio",
    "solo",
    "sicuramente",
    "davero",
    "pure",
    "anche",
    "tipo",
];

/// Where the third-person copula of a slur starting at byte `pos` is,
/// when the slur is what the copula says a person is: at most three words
/// back, with only articles and adverbs between. "E" is also "and", so it
/// counts only with an article between ("è un frocio", not "bianchi e
/// neri").
fn predicated(sk: &str, pos: usize) -> Option<usize> {
    let mut pos = pos.min(sk.len());
    while !sk.is_char_boundary(pos) {
        pos -= 1;
    }
    let mut article = false;
    let mut plural_article = false;
    for (n, w) in sk[..pos].rsplit(' ').filter(|w| !w.is_empty()).enumerate() {
        if n >= 4 {
            return None;
        }
        let at = w.as_ptr() as usize - sk.as_ptr() as usize;
        if THIRD_PERSON_COPULA.contains(&w) {
            return (w != "e" || article)
                .then_some(at)
                .filter(|&at| !of_own_family(&sk[..at]));
        }
        if w == "sono" {
            return plural_article.then_some(at);
        }
        if n == 0 && matches!(w, "dei" | "degli" | "dele") {
            plural_article = true;
            continue;
        }
        if !PREDICATE_FILLERS.contains(&w) {
            return None;
        }
        article |= matches!(w, "un" | "una" | "uno");
    }
    None
}

/// The regional nicknames ("terrone", "polentone"): said of a person as
/// often in banter ("il nostro mister è un terrone come me", "un polentone
/// di Cremona simpaticissimo") as in contempt, so the head's gate reads the
/// comment, as for every slur of its group, even when one is said of a
/// person.
fn banter_word(skeleton_word: &str) -> bool {
    ["teron", "terun", "polenton"]
        .iter()
        .any(|w| skeleton_word.starts_with(w))
}

/// Whether the slur at `start..end` is the epithet of a person: "quel
/// ricchione del vicino", "quella zingara della cassiera", "sto negro del
/// bar" name the person by it. Not of the author's own ("quel terrone di
/// mio marito" is banter).
fn epithet(sk: &str, start: usize, end: usize) -> bool {
    const DEMONSTRATIVE: [&str; 10] = [
        "quel", "quela", "quelo", "quei", "quegli", "quele", "sto", "sta", "sti", "ste",
    ];
    const OF: [&str; 7] = ["del", "dela", "delo", "dei", "degli", "dele", "di"];
    let (Some(before), Some(after)) = (sk.get(..start), sk.get(end..)) else {
        return false;
    };
    let before = before.trim_end();
    let demonstrative = before
        .rsplit(' ')
        .next()
        .is_some_and(|w| DEMONSTRATIVE.contains(&w));
    let mut next = after.split(' ').filter(|w| !w.is_empty());
    let of = next.next().is_some_and(|w| OF.contains(&w));
    let own = matches!(
        (next.next(), next.next()),
        (Some(own), Some(kin)) if own_kin(own, kin)
    );
    demonstrative && of && !own
}

/// Possessives of the author ("mio marito", "nostra figlia").
const OWN_POSSESSIVES: &[&str] = &[
    "mio", "mia", "miei", "mie", "nostro", "nostra", "nostri", "nostre",
];

/// Kin and friends, as skeletons ("fratelo", "mama").
const KIN: &[&str] = &[
    "padre",
    "madre",
    "papa",
    "mama",
    "marito",
    "moglie",
    "figlio",
    "figlia",
    "fratelo",
    "sorela",
    "nono",
    "nona",
    "zio",
    "zia",
    "cugino",
    "cugina",
    "compagno",
    "compagna",
    "fidanzato",
    "fidanzata",
    "suocero",
    "suocera",
    "amico",
    "amica",
];

/// Whether two words are the author's kin or friend ("mio", "marito").
fn own_kin(own: &str, kin: &str) -> bool {
    OWN_POSSESSIVES.contains(&own) && KIN.contains(&kin)
}

/// Whether the words before a copula name the author's family or friend
/// ("mio marito è un terrone come me", "mio padre era un terrone emigrato
/// negli anni 60"): said of one's own, the word keeps the sense the gate
/// reads in it.
fn of_own_family(before: &str) -> bool {
    let mut words = before.rsplit(' ').filter(|w| !w.is_empty());
    match (words.next(), words.next()) {
        (Some(kin), Some(own)) => own_kin(own, kin),
        _ => false,
    }
}

/// The special categories that name a group a classifier head protects
/// (faith, origin, sexual life, health and disability).
fn protected_kind(kind: piazza_taxonomy::PersonalDataKind) -> bool {
    use piazza_taxonomy::PersonalDataKind;
    matches!(
        kind,
        PersonalDataKind::Religion
            | PersonalDataKind::EthnicOrigin
            | PersonalDataKind::SexLife
            | PersonalDataKind::Health
    )
}

/// Counter-speech worded otherwise than the rules above expect: at least
/// two different cues of a comment that answers hate rather than speaks it
/// (a word of condemnation or one that calls a claim false, a report of
/// hateful words or acts or of who did them, a defence of the group's
/// dignity, hate between quotes; an insult counts only beside a report, as
/// the name it gives to who did it), the cues outside quotes, and no hate
/// of the author's own (a slur at the flag line or a hateful pattern or
/// threat outside quoted and reported speech). One cue is not enough: "vergogna" opens as much hate
/// as it condemns, and an insult is as common in hate as in its answer.
fn answers_hate(
    rules: &Rules,
    lexicon: &Lexicon,
    sk: &str,
    rule_hits: &[RuleHit],
    lex_hits: &[Hit],
    quoted: &[(usize, usize)],
    in_reported: &dyn Fn(usize, usize) -> bool,
) -> bool {
    let category = |h: &Hit| lexicon.entry(h.entry).category;
    let slur_weight = |h: &Hit| {
        let e = lexicon.entry(h.entry);
        (e.category == Category::Discrimination).then_some(e.weight)
    };
    let in_quotes = |s: usize, e: usize| quoted.iter().any(|&(a, b)| a <= s && e <= b);
    let cue = |action: Action| {
        rule_hits.iter().any(|h| {
            rules.rule(h.rule).action == action
                && (quoted.is_empty() || rules.matches_outside(h.rule, sk, quoted))
        })
    };
    let hateful_rule = |h: &RuleHit| {
        matches!(
            rules.rule(h.rule).action,
            Action::GroupFinding
                | Action::Finding(Category::Discrimination | Category::Threat, _, _)
        )
    };
    // Calling a claim false condemns it, as a word of condemnation does,
    // when the author calls it so, not the speech the comment reports.
    let rebuttal = rule_hits.iter().any(|h| {
        rules.rule(h.rule).action == Action::Rebuttal
            && !in_quotes(h.start, h.end)
            && !in_reported(h.start, h.end)
    });
    let condemnation = cue(Action::Condemnation) || rebuttal;
    let report = cue(Action::CounterSpeech) || cue(Action::HateReport);
    let defence = cue(Action::Defence);
    // Respect for a group, not denied, is enough on its own.
    let respect = cue(Action::Respect);
    // Quoted hate is one cue and an insult counts only beside a report: with
    // none of these three there cannot be two (most comments stop here).
    if !(condemnation || report || defence || respect) {
        return false;
    }
    let quoted_hate = lex_hits
        .iter()
        .any(|h| slur_weight(h).is_some() && in_quotes(h.start, h.end))
        || rule_hits
            .iter()
            .any(|h| hateful_rule(h) && in_quotes(h.said, h.end));
    let insult = report
        && lex_hits
            .iter()
            .any(|h| category(h) == Category::Insult && !in_quotes(h.start, h.end));
    let cues = [condemnation, report, defence, quoted_hate, insult];
    if !respect && cues.iter().filter(|&&c| c).count() < 2 {
        return false;
    }
    let own = |s: usize, e: usize| !in_quotes(s, e) && !in_reported(s, e);
    let own_hate = lex_hits
        .iter()
        .any(|h| slur_weight(h).is_some_and(|w| w >= gate::FLAG_SCORE) && own(h.start, h.end))
        || rule_hits
            .iter()
            .any(|h| hateful_rule(h) && own(h.said, h.end));
    !own_hate
}

/// Whether a stance of respect at `start..end` is only conceded before a
/// "but" in the same sentence: "i musulmani non sono tutti terroristi, ma
/// tutti i terroristi sono musulmani" opens with respect to deny it. Only
/// the "not all" form concedes; "non sono criminali, ma persone" corrects.
fn conceded(sk: &str, start: usize, end: usize) -> bool {
    let stance = &sk[start..end];
    if !(stance.contains("tuti ") || stance.contains("tute ")) {
        return false;
    }
    let sentence = &sk[end..sentence_end(sk, end)];
    sentence
        .split(' ')
        .any(|w| matches!(w, "ma" | "pero" | "tutavia" | "epure"))
}

/// Whether the words of the skeleton just before byte `start` deny what
/// follows ("non", "non è vero che", "mica").
fn denied(sk: &str, start: usize) -> bool {
    let before = sk[..start].trim_end();
    [
        "non",
        "mica",
        "non e vero che",
        // The rules that anchor a group at the start of its clause begin
        // their match at "che": "non è vero | che i disabili sono ...".
        "non e vero",
        "non e che",
        "non penso che",
        "non credo che",
        "non ritengo che",
        "non direi che",
        "non dico che",
        "non trovo che",
        "nessuno pensa che",
        "nessuno dice che",
        "non penso",
        "non credo",
        "non penso afato che",
        "non credo afato che",
        "non penso proprio che",
        "non credo proprio che",
        "non ho mai pensato che",
        "non ho mai deto che",
        "non e afato vero che",
        "non e per niente vero che",
        "e falso che",
        "non ritengo",
        "non direi",
        "non dico",
        "nessuno pensa",
        "nessuno dice",
    ]
    .iter()
    .any(|d| {
        before
            .strip_suffix(d)
            .is_some_and(|b| b.is_empty() || b.ends_with(' '))
    }) || named_false(before)
}

/// Whether the words before a claim name it false or a legend: "la
/// leggenda degli ebrei che avvelenavano i pozzi", "il pregiudizio che gli
/// zingari rubano", "la calunnia contro gli ebrei".
fn named_false(before: &str) -> bool {
    static FRAMES: OnceLock<Vec<String>> = OnceLock::new();
    let frames = FRAMES.get_or_init(|| {
        [
            "leggenda",
            "leggende",
            "calunnia",
            "calunnie",
            "accusa",
            "accuse",
            "diceria",
            "dicerie",
            "bufala",
            "bufale",
            "mito",
            "favola",
            "pregiudizio",
            "pregiudizi",
            "stereotipo",
            "stereotipi",
            "luogo comune",
            "luoghi comuni",
            "menzogna",
            "bugia",
            "fandonia",
            "teoria del complotto",
        ]
        .iter()
        .map(|f| normalize::skeletonize(f))
        .collect()
    });
    const LINKS: [&str; 16] = [
        "degli",
        "dei",
        "delle",
        "sugli",
        "sui",
        "sulle",
        "agli",
        "ai",
        "contro gli",
        "contro i",
        "contro le",
        "che gli",
        "che i",
        "che le",
        "secondo cui gli",
        "secondo cui i",
    ];
    LINKS.iter().any(|l| {
        before.strip_suffix(l).map(str::trim_end).is_some_and(|b| {
            frames.iter().any(|f| {
                b.strip_suffix(f.as_str())
                    .is_some_and(|x| x.is_empty() || x.ends_with(' '))
            })
        })
    })
}

/// Byte ranges of the skeleton between double quotes.
fn quoted_ranges(sk: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut open: Option<usize> = None;
    for (i, _) in sk.match_indices('"') {
        match open.take() {
            Some(s) => out.push((s, i)),
            None => open = Some(i),
        }
    }
    out
}

/// `text` without the chars of the skeleton byte ranges `spans` (each
/// replaced by one space).
fn without_spans(text: &str, norm: &Normalized, spans: &[(usize, usize)]) -> String {
    let cut: Vec<(u32, u32)> = spans
        .iter()
        .map(|&(a, b)| norm.skeleton_span(a, b))
        .collect();
    let mut out = String::with_capacity(text.len());
    let mut gap = false;
    for (i, ch) in text.chars().enumerate() {
        let i = i as u32;
        if cut.iter().any(|&(a, b)| a <= i && i < b) {
            if !gap {
                out.push(' ');
                gap = true;
            }
        } else {
            out.push(ch);
            gap = false;
        }
    }
    out
}

/// The highest score of a discrimination or threat finding inside reported
/// speech: visible to a moderator who looks, below the default flag line.
const REPORTED_CAP: f32 = 0.45;

/// Highest score of a classifier finding kept below the policies' flag
/// line (`gate::FLAG_SCORE`) but reported, for a moderator who looks: one
/// that names no group on a comment criticising the administration, and
/// one of a head that names no group below its own decision point
/// (`gate::may_flag`).
const UNDER_FLAG_CAP: f32 = gate::FLAG_SCORE - 0.05;

/// Verbs that report someone else's words (skeletonised when matched).
const REPORTING_VERBS: &[&str] = &[
    "scritto",
    "scrive",
    "scrivono",
    "scrivere",
    "scriveva",
    "scrivevano",
    "dice",
    "dicono",
    "diceva",
    "dicevano",
    "detto",
    "dire",
    "urlato",
    "urlava",
    "gridato",
    "gridava",
    "commenta",
    "commentano",
    "commentato",
    "postato",
    "pubblicato",
    "ripete",
    "ripetono",
    "ripeteva",
    "ripetevano",
    "chiamano",
    "gridano",
    "gridavano",
    "urlano",
    "urlavano",
    "cantato",
    "cantano",
    "cantavano",
    "intonato",
    "scandito",
    "scandivano",
    // "chi minaccia di far saltare ...": someone else's threat, reported.
    "minaccia",
    "minacciano",
    "minacciava",
    "minacciato",
];

/// Verbs that name what someone was called ("mi ha chiamato 'sporco
/// negro'", "viene chiamato negro", "l'ha insultata dandole..."): the
/// quotes of the comment and the few words after the verb are the name
/// given, someone else's words, unless the author gave it ("l'ho
/// chiamato ...", see [`FIRST_PERSON_AUX`]). Not reporting verbs: "hanno
/// chiamato i vigili, quei ..." goes on in the author's own words.
const CALLING_VERBS: &[&str] = &[
    "chiamato",
    "chiamata",
    "chiamati",
    "chiamate",
    "chiamava",
    "chiamavano",
    "insultato",
    "insultata",
    "insultati",
    "insultate",
    "apostrofato",
    "apostrofata",
];

/// Forms of "dare" that, before "del", "della", "dei"..., give someone a
/// name ("ha dato del negro a mio figlio", "gli danno della zingara").
/// This list and the ones below are compared with the skeleton's words,
/// so they are written as skeletons ("dano" for "danno").
const GIVING_VERBS: &[&str] = &[
    "dato", "data", "dati", "dare", "da", "dano", "dai", "date", "dava", "davano", "dando",
    "dandole", "dandogli", "dargli", "darle",
];

/// The articulated "di" after a giving verb.
const GIVING_PARTITIVES: &[&str] = &["del", "dela", "delo", "dei", "dele", "degli"];

/// Auxiliaries and forms of the author's own act, just before a calling
/// or giving verb ("l'ho chiamato", "gli ho dato del", "gli do del"): the
/// name is the author's.
const FIRST_PERSON_AUX: &[&str] = &[
    "ho", "abiamo", "avevo", "avevamo", "avrei", "avremo", "do", "diamo", "darei", "chiamo",
];

/// What a word of [`reported_ranges`]'s index opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReportRole {
    /// A reporting verb: the rest of the clause ([`REPORTING_VERBS`]).
    Reporting,
    /// A carrier of someone else's words: the quotes ([`CARRIER_NOUNS`]).
    Carrier,
    /// A calling verb: the quotes and the name given ([`CALLING_VERBS`]).
    Calling,
    /// "del", "della"... after a giving verb: the name given
    /// ([`GIVING_PARTITIVES`]).
    Partitive,
}

/// How many words after a calling or giving verb hold the name given.
const NAME_GIVEN_WORDS: usize = 4;

/// What carries someone else's words ("ho trovato un volantino: '...'"):
/// the quotes of a comment that names one are reported speech, as with a
/// reporting verb; the words after the noun are the author's own.
const CARRIER_NOUNS: &[&str] = &[
    "volantino",
    "volantini",
    "cartello",
    "cartelli",
    "striscione",
    "striscioni",
    "scritta",
    "scritte",
    "biglietto",
];

/// Words that, before an elided apostrophe, make it an elision ("l'uomo")
/// rather than a single quote. Compared in their skeleton form ("all'"
/// is "al '" in the skeleton, where double letters are undone).
const ELIDED: &[&str] = &[
    "l", "d", "c", "un", "dell", "dall", "all", "nell", "sull", "coll", "quell", "quest", "po",
    "s", "m", "t", "v", "n", "bell", "sant", "com", "dov", "cos", "tutt",
];

/// Byte ranges of the skeleton holding someone else's words: after a
/// reporting verb ("ha scritto", "chi dice che") to the end of the clause
/// (not after "come": "come dice lui" endorses), and, when the comment
/// reports or condemns, the quoted spans (double quotes, or a pair of
/// single quotes that are not elisions).
fn reported_ranges(
    sk: &str,
    quoted: &[(usize, usize)],
    glued: &[usize],
    condemnation: bool,
) -> Vec<(usize, usize)> {
    // Every word that opens someone else's words, looked up once a word.
    static WORDS: OnceLock<ByFirstByte<ReportRole>> = OnceLock::new();
    let words = WORDS.get_or_init(|| {
        let role = |list: &'static [&'static str], role: ReportRole| {
            list.iter().map(move |w| (normalize::skeletonize(w), role))
        };
        ByFirstByte::new(
            role(REPORTING_VERBS, ReportRole::Reporting)
                .chain(role(CARRIER_NOUNS, ReportRole::Carrier))
                .chain(role(CALLING_VERBS, ReportRole::Calling))
                .chain(role(GIVING_PARTITIVES, ReportRole::Partitive))
                .collect(),
        )
    });
    let mut out = Vec::new();
    let mut pos = 0;
    let mut prev = "";
    let mut before_prev = "";
    let mut third = "";
    let mut carrier = false;
    for w in normalize::split_spaces(sk) {
        let start = pos;
        pos += w.len() + 1;
        if w != "'" {
            let role = words
                .candidates(w)
                .iter()
                .find(|(v, _)| v == w)
                .map(|&(_, r)| r);
            // "l'ho (sempre) chiamato", "gli ho (sempre) dato del".
            let own = |ws: [&str; 2]| ws.iter().any(|w| FIRST_PERSON_AUX.contains(w));
            match role {
                Some(ReportRole::Carrier) => carrier = true,
                // "ho urlato froci a quei due": the author's own words.
                Some(ReportRole::Reporting)
                    if prev != "come"
                        && !FIRST_PERSON_AUX.contains(&prev)
                        && !reports_nothing(sk, w, [prev, before_prev], pos)
                        && !endorsed(sk, start) =>
                {
                    out.push((start, sentence_end(sk, start)));
                }
                Some(ReportRole::Calling) if !own([prev, before_prev]) && !endorsed(sk, start) => {
                    carrier = true;
                    out.push((start, name_given_end(sk, pos.min(sk.len()))));
                }
                Some(ReportRole::Partitive)
                    if GIVING_VERBS.contains(&prev)
                        && !own([before_prev, third])
                        && !endorsed(sk, start) =>
                {
                    out.push((start, name_given_end(sk, pos.min(sk.len()))));
                }
                _ => {}
            }
        }
        if !w.is_empty() {
            third = before_prev;
            before_prev = prev;
            prev = w;
        }
    }
    if !out.is_empty() || condemnation || carrier {
        out.extend_from_slice(quoted);
        out.extend(single_quoted_ranges(sk, glued));
    } else {
        // A quoted clause is someone else's words even with no verb to
        // say so ("Prima 'non si vogliono integrare'. Poi ..."), unless
        // the author says it ("dico solo: 'fuori i ...'"); one or two
        // quoted words may be the author's own scare quotes. Only quotes
        // of lone marks: the corpora's texts carry runs of them left by
        // their CSV escaping, around the author's own words.
        let lone = |i: usize| {
            !sk[..i].trim_end().ends_with('"') && !sk[i + 1..].trim_start().starts_with('"')
        };
        let clause = |&(a, b): &(usize, usize)| {
            quoted_words(&sk[a..b]) >= QUOTED_CLAUSE_WORDS && !said_by_author(sk, a)
        };
        out.extend(
            quoted
                .iter()
                .copied()
                .filter(|&(a, b)| lone(a) && lone(b))
                .filter(clause),
        );
        if sk.contains('\'') {
            out.extend(single_quoted_ranges(sk, glued).into_iter().filter(clause));
        }
    }
    out
}

/// Whether the verb of saying `verb`, after the words `before` (nearest
/// first) and before byte `next` of the skeleton, opens nobody else's
/// words:
/// - the author's purpose or own saying: "termini per dire quanto ...",
///   "per non dire altro", "mi viene da dire", "ho già detto che ...";
/// - a meaning, not a saying: "che vuol dire che ...";
/// - nothing said: "nessuno dice nulla";
/// - what is said is a noun, the author's judgment of it: "dicono solo
///   stronzate", "continua a dire bugie" (not "dicono cose tipo ...");
/// - the relative pronoun: "fa quello che dice e ...";
/// - a question to the reader: "che ne dite di ...";
/// - the author agreeing: "hai detto bene";
/// - the one said to: "ti piace sentirtelo dire";
/// - a noun: "sono una minaccia".
fn reports_nothing(sk: &str, verb: &str, before: [&str; 2], next: usize) -> bool {
    let words = sk
        .get(next..)
        .unwrap_or("")
        .split(' ')
        .filter(|w| !w.is_empty());
    let mut after = words.clone();
    let following = after.next().unwrap_or("");
    // "quello che dice è che ...": what follows is what is said.
    let is_that = following == "e" && matches!(after.next(), Some("che" | ":"));
    let said_noun = || {
        let mut rest = words.clone().skip_while(|w| SAID_NOUN_LEAD.contains(w));
        let noun = rest.next().unwrap_or("");
        // "dicono cose tipo ...", "cose come ...": the words follow.
        let words_follow = noun == "cose" && matches!(rest.next(), Some("tipo" | "come" | ":"));
        SAID_NOUNS.contains(&noun) && !words_follow
    };
    let own_dire = matches!(
        before[0],
        "per" | "da" | "vuol" | "vuole" | "voleva" | "vol"
    ) || before == ["non", "per"]
        || ["sentirselo", "sentirtelo", "sentirmelo", "sentirvelo"].contains(&before[0]);
    (verb == "dire" && own_dire)
        || (matches!(
            before[0],
            "gia" | "sempre" | "solo" | "apena" | "anche" | "mai"
        ) && FIRST_PERSON_AUX.contains(&before[1]))
        || matches!(following, "nula" | "niente" | "bene")
        || said_noun()
        || (before[0] == "che" && matches!(before[1], "quelo" | "quel" | "cio") && !is_that)
        || (before[0] == "ne" && matches!(before[1], "che" | "cosa"))
        || (verb.starts_with("minac")
            && matches!(
                before[0],
                "una" | "la" | "vera" | "grave" | "grande" | "questa" | "quela" | "nesuna"
            ))
}

/// Words that may come between a verb of saying and the noun of what is
/// said ("dicono sempre le solite cazzate"), as skeletons.
const SAID_NOUN_LEAD: &[&str] = &[
    "solo",
    "sempre",
    "le",
    "tante",
    "tute",
    "un",
    "saco",
    "di",
    "ste",
    "queste",
    "certe",
    "solite",
    "stese",
    "dele",
    "continuamente",
    "ancora",
    "soltanto",
    "mile",
];

/// Nouns of what someone says, which the author judges ("dice
/// stronzate"), as skeletons.
const SAID_NOUNS: &[&str] = &[
    "cose",
    "stronzate",
    "cazate",
    "minchiate",
    "putanate",
    "cavolate",
    "fesserie",
    "idiozie",
    "scemenze",
    "sciochezze",
    "bugie",
    "bagianate",
    "menate",
    "bale",
    "boiate",
    "falsita",
    "asurdita",
    "fregnace",
    "stupidagini",
    "eresie",
];

/// The marks that end a sentence, for the reach of reported speech.
const SENTENCE_MARKS: [char; 4] = ['.', '!', '?', ';'];

/// The byte where the sentence holding byte `from` of the skeleton ends.
fn sentence_end(sk: &str, from: usize) -> usize {
    sk[from..]
        .find(SENTENCE_MARKS)
        .map_or(sk.len(), |i| from + i)
}

/// The byte where the sentence holding byte `at` of the skeleton starts.
fn sentence_start(sk: &str, at: usize) -> usize {
    sk[..at].rfind(SENTENCE_MARKS).map_or(0, |i| i + 1)
}

/// Words from which a quoted stretch is a clause, not scare quotes.
const QUOTED_CLAUSE_WORDS: usize = 3;

/// Whether the sentence before byte `at` has the author saying what
/// follows ("dico solo una cosa: ...", "lo ripeto: ...").
fn said_by_author(sk: &str, at: usize) -> bool {
    normalize::split_spaces(&sk[sentence_start(sk, at)..at]).any(|w| AUTHOR_SAYING.contains(&w))
}

/// First-person verbs of saying (skeletons).
const AUTHOR_SAYING: &[&str] = &[
    "dico", "ripeto", "scrivo", "urlo", "grido", "rispondo", "agiungo", "direi", "dicevo",
];

/// The words of a quoted stretch of the skeleton (not its marks).
fn quoted_words(span: &str) -> usize {
    normalize::split_spaces(span)
        .filter(|w| w.bytes().any(|c| c.is_ascii_alphanumeric()))
        .count()
}

/// The end of the name given after a calling or giving verb whose words
/// start at `from`: [`NAME_GIVEN_WORDS`] words, or less up to a
/// punctuation mark (a quote does not stop it: the name is often quoted).
fn name_given_end(sk: &str, from: usize) -> usize {
    let mut end = from;
    let mut words = 0;
    for w in sk[from..].split(' ') {
        if w.is_empty() || w == "'" || w == "\"" {
            end += w.len() + 1;
            continue;
        }
        if w.starts_with(['.', ',', '!', '?', ';', ':']) || words == NAME_GIVEN_WORDS {
            break;
        }
        words += 1;
        end += w.len() + 1;
    }
    end.min(sk.len())
}

/// Whether the sentence from byte `from` agrees with the words it reports
/// ("li chiamava negri e aveva ragione", "... e sono d'accordo", "ha
/// urlato 'ricchioni' e l'ho applaudito"): then they are the author's too.
fn endorsed(sk: &str, from: usize) -> bool {
    let sentence = &sk[from..sentence_end(sk, from)];
    // "non è giusto", "non ha ragione" reject what they follow.
    let negated = |at: usize| {
        sentence[..at]
            .split(' ')
            .rev()
            .filter(|w| !w.is_empty())
            .take(2)
            .any(|w| w == "non")
    };
    ENDORSING.iter().any(|w| {
        sentence
            .match_indices(w)
            .any(|(at, _)| w.starts_with("non ") || !negated(at))
    })
}

/// Words that agree with what a sentence reports.
const ENDORSING: &[&str] = &[
    "ragione",
    "d ' acordo",
    "d acordo",
    "giusto",
    "fato bene",
    "non ha torto",
    "se lo merita",
    "se lo meritano",
    "la verita",
    "aplaudit",
];

/// The skeleton bytes of the apostrophes written right after a letter or a
/// digit (the skeleton puts a space before every apostrophe). Such a mark
/// elides ("l'uomo") or stands for an accent ("e' vero", "perche'",
/// "piu'"), as many write without accented keys; it may close a quote but
/// never opens one.
fn glued_apostrophes(norm: &Normalized, text: &str) -> Vec<usize> {
    let sk = norm.skeleton.as_str();
    let mut out = Vec::new();
    // The apostrophes come in the order of the text: one walk of its chars.
    let mut chars = text.chars().enumerate().peekable();
    let mut last = None;
    for (i, _) in sk.match_indices('\'') {
        let (a, _) = norm.skeleton_span(i, i + 1);
        let Some(before) = (a as usize).checked_sub(1) else {
            continue;
        };
        while let Some(seen) = chars.next_if(|&(j, _)| j <= before) {
            last = Some(seen);
        }
        if last.is_some_and(|(j, c)| j == before && c.is_alphanumeric()) {
            out.push(i);
        }
    }
    out
}

/// Byte ranges of the skeleton between a pair of single quotes that are
/// not elisions ("ho letto 'Il negro del Narciso'", not "l'uomo") nor
/// accents ("e' vero": see [`glued_apostrophes`]).
fn single_quoted_ranges(sk: &str, glued: &[usize]) -> Vec<(usize, usize)> {
    static ELIDED_SKELETONS: OnceLock<Vec<String>> = OnceLock::new();
    let elided =
        ELIDED_SKELETONS.get_or_init(|| ELIDED.iter().map(|w| normalize::skeletonize(w)).collect());
    let mut out = Vec::new();
    let mut pos = 0;
    let mut prev = "";
    let mut open: Option<usize> = None;
    for w in normalize::split_spaces(sk) {
        let start = pos;
        pos += w.len() + 1;
        // "e'" is "è": a quote never closes right after it.
        if w == "'" && !elided.iter().any(|e| e == prev) && !(prev == "e" && glued.contains(&start))
        {
            match open.take() {
                Some(s) => out.push((s, start)),
                None if glued.contains(&start) => {}
                None => open = Some(start),
            }
        }
        if !w.is_empty() {
            prev = w;
        }
    }
    out
}

const QUESTION_OPENERS: &[&str] = &[
    "come",
    "quando",
    "dove",
    "perche",
    "chi",
    "cosa",
    "quale",
    "quali",
    "quanto",
    "quanti",
    "quante",
    "e possibile",
    "si puo",
    "sapete",
    "qualcuno sa",
    "mi sapete",
    "vorei sapere",
    "volevo sapere",
    "potete",
    "posso",
    "c e",
];

fn question(norm: &Normalized, c: &mut Collector<'_>) {
    let plain = norm.plain.as_str();
    if let Some(q) = plain.find('?') {
        // The sentence that ends with the first question mark.
        let start = plain[..q].rfind(['.', '!', '\n', '?']).map_or(0, |i| i + 1);
        let start = start + (plain[start..q].len() - plain[start..q].trim_start().len());
        let rhetorical = plain[start..q].split_whitespace().count() <= 1;
        let score = if rhetorical { 0.45 } else { 0.85 };
        c.intent(
            Intent::Question,
            score,
            Some(norm.plain_span(start, q + 1)),
            "domanda che attende una risposta",
        );
        return;
    }
    let sk = norm.skeleton.as_str();
    if let Some(op) = QUESTION_OPENERS
        .iter()
        .find(|o| sk.starts_with(*o) && sk[o.len()..].starts_with(' '))
    {
        let end = sk.find(['.', '!']).unwrap_or(sk.len());
        let _ = op;
        c.intent(
            Intent::Question,
            0.55,
            Some(norm.skeleton_span(0, end)),
            "domanda (senza punto interrogativo)",
        );
    }
}

#[cfg(test)]
mod tests;
