//! The gate of the classifier heads: whether a head's probability becomes a
//! discrimination finding. It was a fixed rule (a head spoke only when the
//! comment named its group); it is now a small logistic combination of the
//! head's probability with cheap signals of the comment and of its post
//! ([`GateContext`]), fitted with a threshold on the out-of-fold
//! predictions of the pipeline's own cross-validation at training time
//! ([`crate::training`]). The post counts: a group named by the post is
//! named for every comment under it.

use piazza_taxonomy::DiscriminationTarget;

/// Bits of [`GateContext::signals`].
pub mod signal {
    /// An insult of the lexicon.
    pub const INSULT: u32 = 1 << 0;
    /// A vulgar word.
    pub const VULGAR: u32 = 1 << 1;
    /// An obscene word.
    pub const OBSCENE: u32 = 1 << 2;
    /// A slur of the lexicon or an explicit discrimination pattern.
    pub const SLUR: u32 = 1 << 3;
    /// A threat rule.
    pub const THREAT: u32 = 1 << 4;
    /// A question.
    pub const QUESTION: u32 = 1 << 5;
    /// A complaint, a service request or a crime report: a citizen asking
    /// the administration for something.
    pub const REQUEST: u32 = 1 << 6;
    /// Criticism of the administration.
    pub const CRITICISM: u32 = 1 << 7;
    /// Addressed to the reader ("tu", "voi", "sei"...).
    pub const SECOND_PERSON: u32 = 1 << 8;
    /// The author speaks of self or family ("io", "sono", "mio", "mia"...).
    pub const FIRST_PERSON: u32 = 1 << 9;
    /// A personal case, or special-category data about a person.
    pub const PERSONAL: u32 = 1 << 10;
    /// Condemnation words ("razzismo", "vergogna", "solidarietà"...).
    pub const CONDEMNATION: u32 = 1 << 11;
    /// Exclamation marks or a text mostly in capitals.
    pub const SHOUTING: u32 = 1 << 12;
    /// Reported speech: words between quotes, or after "ha scritto",
    /// "dice che"... (someone else's words, often quoted to report them).
    pub const REPORTED: u32 = 1 << 13;
    /// Appreciation ("bella iniziativa", "bravi", "grazie").
    pub const PRAISE: u32 = 1 << 14;
    /// Asks the administration to act on content ("segnalato",
    /// "cancellate", "denuncia").
    pub const REPORT_ACT: u32 = 1 << 15;
}

/// What the gate knows of a comment besides the heads' probabilities. The
/// analyser collects it from its own scans (lexicon, rules, intents) at no
/// extra cost.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct GateContext {
    /// The head targets whose group the comment names (one bit per target
    /// of [`GROUP_TARGETS`]).
    pub named_comment: u8,
    /// The same for the post the comment answers.
    pub named_post: u8,
    /// True when the post is known.
    pub has_post: bool,
    /// [`signal`] bits.
    pub signals: u32,
    /// Words of the comment.
    pub words: u32,
    /// The highest score, in hundredths, of the rules' discrimination
    /// findings (slurs, explicit patterns) of each head's group (bits of
    /// [`GROUP_TARGETS`]): the gate decides whether they are flagged.
    pub rule_scores: [u8; 4],
    /// The probability of each head's subject model (see
    /// [`crate::model::ModelBundle::subjects`]): whether the comment speaks
    /// of what the head's corpora speak of. Set by the classifier.
    pub subjects: [f32; 4],
}

/// Targets that have a list of group words, in bit order.
pub const GROUP_TARGETS: [DiscriminationTarget; 4] = [
    DiscriminationTarget::Ethnicity,
    DiscriminationTarget::Gender,
    DiscriminationTarget::SexualOrientation,
    DiscriminationTarget::PoliticalOpinion,
];

/// The bit of a head's target in the named masks (0 for a target without a
/// group list, which is then never named).
pub fn target_bit(target: Option<DiscriminationTarget>) -> u8 {
    target
        .and_then(|t| GROUP_TARGETS.iter().position(|&g| g == t))
        .map_or(0, |i| 1 << i)
}

/// Number of features of [`features`].
pub const FEATURES: usize = 28;

/// The indices in [`features`] of what the post adds: the group named by
/// the post only, and that times the head's logit.
pub const POST_FEATURES: [usize; 2] = [26, 27];

/// The gate's features for head `h`, whose target bit is `bit`, given the
/// probabilities of every head (`probs`): the head's own logit, whether its
/// group is named (by the comment or by its post), whether it is named by
/// the post only on a comment without a benign cue (both also times the
/// logit), the strongest other head, the comment's
/// signals, some of them also as interactions with the logit (a citizen's
/// request or a quote asks for a surer head), and the subject models'
/// probabilities with the head's logit.
///
/// The post is a feature of its own, not the same as the comment naming
/// the group: under a post about a reception centre a comment leaves the
/// group to the post, and how much that says is learned from the one corpus
/// whose posts are known by their subject (see
/// [`crate::training::CORPUS_POSTS`]).
pub fn features(h: usize, probs: &[f32], bit: u8, ctx: &GateContext) -> [f32; FEATURES] {
    use signal::*;
    let z = logit(probs[h]);
    let groups = ctx.named_comment | ctx.named_post;
    let named = groups & bit != 0;
    let by_post = ctx.named_post & !ctx.named_comment & bit != 0;
    let other = groups & !bit != 0;
    let other_z = largest_logit_but(probs, h);
    let s = |b: u32| if ctx.signals & b != 0 { 1.0 } else { 0.0 };
    let n = |b: bool| if b { 1.0 } else { 0.0 };
    let benign_cue =
        n(ctx.signals & (REQUEST | PERSONAL | REPORTED | CONDEMNATION | PRAISE | REPORT_ACT) != 0);
    // The head on its own ground: a head reads hate of its corpora, and
    // the subject model says whether the comment is about what they are
    // about. The smaller of the two logits is their "and", which a sum of
    // them cannot express.
    // The post raises suspicion of a comment that shows no sign of a
    // citizen's request, own case, report or condemnation.
    let by_post = n(by_post) * (1.0 - benign_cue);
    let subject = ctx.subjects.get(h).copied().unwrap_or(0.0);
    let zs = logit(subject);
    let other_subject = largest_logit_but(&ctx.subjects, h);
    [
        1.0,
        z,
        n(named),
        z * n(named),
        n(other),
        other_z,
        s(INSULT) + s(VULGAR) + s(OBSCENE),
        s(SLUR) + s(THREAT),
        s(QUESTION),
        s(REQUEST),
        s(SECOND_PERSON),
        s(FIRST_PERSON),
        s(PERSONAL),
        s(CONDEMNATION),
        s(CRITICISM),
        s(REPORTED),
        s(SHOUTING),
        s(PRAISE),
        s(REPORT_ACT),
        ((1 + ctx.words) as f32).ln() / 3.0,
        z * benign_cue,
        rule_score(bit, ctx),
        zs,
        z.min(zs),
        z * subject,
        other_subject,
        by_post,
        z * by_post,
    ]
}

/// The largest logit of `probs` but the one of head `h` (at least -8).
/// The logit is monotone, so it is the logit of the largest probability:
/// one logarithm instead of one a head, on the path every gate of every
/// comment takes.
fn largest_logit_but(probs: &[f32], h: usize) -> f32 {
    let p = probs
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != h)
        .map(|(_, &p)| p)
        .fold(f32::NEG_INFINITY, f32::max);
    if p == f32::NEG_INFINITY {
        -8.0
    } else {
        logit(p).max(-8.0)
    }
}

/// The probability from which a head flags a comment that names its group
/// nowhere (neither the comment, nor its post, nor a rule of the group):
/// the head's own decision point (its classes are balanced in training).
/// Below it the head reads hate as less likely than not, and what raised
/// the gate above its threshold was the look of the corpus, not the
/// comment: the gate of the ethnicity head, fitted on HaSpeeDe FB where
/// 46% of the comments are hate and most name no group, flagged "Io ci
/// sono !!!!!!!!!!!" (head 0.26) and "Ciao grande Matteo ... Vuoi un
/// digestivo?" (0.51 before the threshold moved) as discrimination.
pub const UNNAMED_HEAD_FLOOR: f32 = 0.5;

/// Whether the gate of a head with probability `p` and group bit `bit` may
/// flag the comment: its group is named (by the comment, its post or a
/// rule) or the head itself reads hate more likely than not
/// ([`UNNAMED_HEAD_FLOOR`]). The training's thresholds and the analyser
/// apply the same test.
pub fn may_flag(p: f32, bit: u8, ctx: &GateContext) -> bool {
    (ctx.named_comment | ctx.named_post) & bit != 0
        || rule_score(bit, ctx) > 0.0
        || p >= UNNAMED_HEAD_FLOOR
}

/// The rules' discrimination score (0 to 1) of the group of bit `bit`.
pub fn rule_score(bit: u8, ctx: &GateContext) -> f32 {
    match bit.trailing_zeros() as usize {
        i if i < 4 => ctx.rule_scores[i] as f32 / 100.0,
        _ => 0.0,
    }
}

/// The logit of a probability, bounded to +-8.
pub fn logit(p: f32) -> f32 {
    let p = p.clamp(3.4e-4, 1.0 - 3.4e-4);
    (p / (1.0 - p)).ln()
}

/// The discrimination threshold of the policies' defaults
/// (`piazza_policy::defaults::threshold`): the score a gate gives at its
/// own threshold, so that what a policy with the default flags is what the
/// gate decided.
pub const FLAG_SCORE: f32 = 0.6;

/// Findings of the classifier are reported from this score (unflagged
/// below [`FLAG_SCORE`], for a moderator who looks, or a stricter policy).
pub const REPORTED_FROM: f32 = 0.5;

/// The finding's score for a gate probability `q` and the gate's threshold
/// `t`: piecewise linear, `t` to [`FLAG_SCORE`], 0 to 0 and 1 to 1.
pub fn score(q: f32, t: f32) -> f32 {
    let t = t.clamp(1e-3, 1.0 - 1e-3);
    if q >= t {
        FLAG_SCORE + (1.0 - FLAG_SCORE) * (q - t) / (1.0 - t)
    } else {
        FLAG_SCORE * q / t
    }
}

/// The gate of one head: weights over [`features`] and the decision
/// threshold on the combination's probability.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gate {
    pub weights: [f32; FEATURES],
    pub threshold: f32,
}

impl Gate {
    /// The combination's probability for head `h` (see [`features`]).
    ///
    /// A group named by the post only, not by the comment, may raise it and
    /// never lower it. What a post says is learned from one corpus (HaSpeeDe
    /// FB, whose posts were about immigrants) and from the desk's benign
    /// examples; a post about another group, or a head whose corpora carry
    /// no post, has nothing learned to lower a score with, and a comment
    /// must not become less suspect because the post it answers is about
    /// the group it attacks.
    pub fn probability(&self, h: usize, probs: &[f32], bit: u8, ctx: &GateContext) -> f32 {
        let p = self.combination(h, probs, bit, ctx);
        if ctx.named_post & !ctx.named_comment == 0 {
            return p;
        }
        let comment_alone = GateContext {
            named_post: 0,
            ..*ctx
        };
        p.max(self.combination(h, probs, bit, &comment_alone))
    }

    fn combination(&self, h: usize, probs: &[f32], bit: u8, ctx: &GateContext) -> f32 {
        let x = features(h, probs, bit, ctx);
        let z: f32 = self.weights.iter().zip(&x).map(|(w, x)| w * x).sum();
        1.0 / (1.0 + (-z).exp())
    }
}

/// Rounding margin of [`may_report`]'s bound (on the finding's score).
const BOUND_MARGIN: f32 = 1e-3;

/// Whether some gate may give a finding's score of at least
/// [`REPORTED_FROM`] when the probabilities of the heads in `open` (head,
/// lowest, highest) may take any value of their interval, the other heads
/// having those of `probs`. Exact: a gate's combination is piecewise
/// linear in its own head's logit, with one kink where the logit meets its
/// subject's (the "and" of [`features`]), and monotone in the other heads'
/// probabilities (through a maximum), so its largest value over the box is
/// at one of the points made of each open head's bounds and kink; a small
/// margin covers the rounding. Answers true beyond 4 open heads.
pub fn may_report(
    gates: &[Gate],
    bits: &[u8],
    probs: &[f32],
    ctx: &GateContext,
    open: &[(usize, f32, f32)],
) -> bool {
    let nh = probs.len().min(16).min(gates.len()).min(bits.len());
    if open.len() > 4 || open.iter().any(|&(h, _, _)| h >= nh) {
        return true;
    }
    // Each open head's candidate values: its bounds, and its subject's
    // probability when inside them.
    let mut values = [[0f32; 3]; 4];
    let mut count = [0usize; 4];
    for (i, &(h, lo, hi)) in open.iter().enumerate() {
        values[i][0] = lo;
        values[i][1] = hi;
        count[i] = 2;
        let kink = ctx.subjects.get(h).copied().unwrap_or(0.0);
        if kink > lo && kink < hi {
            values[i][2] = kink;
            count[i] = 3;
        }
    }
    let points: usize = count[..open.len()].iter().product();
    let mut p = [0f32; 16];
    p[..nh].copy_from_slice(&probs[..nh]);
    for point in 0..points {
        let mut rest = point;
        for (i, &(h, _, _)) in open.iter().enumerate() {
            p[h] = values[i][rest % count[i]];
            rest /= count[i];
        }
        for (g, gate) in gates.iter().enumerate().take(nh) {
            let q = gate.probability(g, &p[..nh], bits[g], ctx);
            if score(q, gate.threshold) >= REPORTED_FROM - BOUND_MARGIN {
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A head speaks without its group only when it reads hate more likely
    /// than not; naming the group, by the comment, its post or a rule,
    /// leaves the decision to the gate.
    #[test]
    fn a_head_flags_a_comment_naming_no_group_only_above_its_own_decision_point() {
        let eth = target_bit(Some(DiscriminationTarget::Ethnicity));
        let gender = target_bit(Some(DiscriminationTarget::Gender));
        let none = GateContext::default();
        assert!(!may_flag(0.3, eth, &none));
        assert!(!may_flag(0.49, eth, &none));
        assert!(may_flag(UNNAMED_HEAD_FLOOR, eth, &none));
        let named = |named_comment: u8, named_post: u8| GateContext {
            named_comment,
            named_post,
            ..none
        };
        assert!(may_flag(0.3, eth, &named(eth, 0)));
        assert!(may_flag(0.3, eth, &named(0, eth)));
        // Another head's group is not this head's.
        assert!(!may_flag(0.3, eth, &named(gender, gender)));
        let mut by_rule = none;
        by_rule.rule_scores[0] = 80;
        assert!(may_flag(0.3, eth, &by_rule));
        assert!(!may_flag(0.3, gender, &by_rule));
    }

    /// The post's features are set only by a post naming the head's group
    /// that the comment does not name, and only on a comment without a
    /// benign cue; the comment's "named" still counts the post's group.
    #[test]
    fn the_post_features_read_the_post_only_where_the_comment_is_silent() {
        let probs = [0.7, 0.1, 0.1, 0.1];
        let eth = target_bit(Some(DiscriminationTarget::Ethnicity));
        let under = |named_comment: u8, named_post: u8, signals: u32| {
            let ctx = GateContext {
                named_comment,
                named_post,
                has_post: true,
                signals,
                ..GateContext::default()
            };
            let f = features(0, &probs, eth, &ctx);
            (f[2], f[POST_FEATURES[0]], f[POST_FEATURES[1]])
        };
        let z = logit(0.7);
        assert_eq!(under(0, eth, 0), (1.0, 1.0, z));
        assert_eq!(under(eth, eth, 0), (1.0, 0.0, 0.0));
        assert_eq!(under(0, 0, 0), (0.0, 0.0, 0.0));
        // Another group's post.
        assert_eq!(under(0, 2, 0).1, 0.0);
        for benign in [signal::REQUEST, signal::CONDEMNATION, signal::REPORTED] {
            assert_eq!(under(0, eth, benign), (1.0, 0.0, 0.0));
        }
        assert_eq!(under(0, eth, signal::INSULT).1, 1.0);
    }

    /// When `may_report` says no gate can report, none does for any value
    /// of the open head's companion (a grid over [0, 1]).
    #[test]
    fn may_report_bounds_every_value_of_the_open_head() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 40) as f32 / (1u64 << 24) as f32
        };
        let bits = [1u8, 2, 4, 8];
        let (mut silent, mut open) = (0, 0);
        for _ in 0..2000 {
            let mut gates = Vec::new();
            for _ in 0..4 {
                let mut weights = [0f32; FEATURES];
                for w in &mut weights {
                    *w = (next() - 0.5) * 4.0;
                }
                weights[0] -= 3.0;
                gates.push(Gate {
                    weights,
                    threshold: 0.2 + 0.5 * next(),
                });
            }
            let probs: Vec<f32> = (0..4).map(|_| next()).collect();
            let ctx = GateContext {
                named_comment: (next() * 16.0) as u8,
                named_post: 0,
                has_post: next() < 0.5,
                signals: (next() * 65536.0) as u32,
                words: (next() * 60.0) as u32,
                rule_scores: [(next() * 100.0) as u8, 0, (next() * 100.0) as u8, 0],
                subjects: [next(), next(), next(), next()],
            };
            let h = 2;
            let p = probs[h];
            let (lo, hi) = ((p + 0.0) / 2.0, (p + 1.0) / 2.0);
            if may_report(&gates, &bits, &probs, &ctx, &[(h, lo, hi)]) {
                open += 1;
                continue;
            }
            silent += 1;
            for i in 0..=200 {
                let q = i as f32 / 200.0;
                let mut pr = probs.clone();
                pr[h] = (p + q) / 2.0;
                for (g, gate) in gates.iter().enumerate() {
                    let s = score(gate.probability(g, &pr, bits[g], &ctx), gate.threshold);
                    assert!(s < REPORTED_FROM, "gate {g} reports {s} at q = {q}");
                }
            }
        }
        assert!(silent > 100 && open > 100, "{silent} silent, {open} open");
    }
}
