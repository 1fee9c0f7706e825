//! The policy data model: what a TOML policy file deserialises into.
//!
//! Field names are the TOML keys. Every struct denies unknown fields so that
//! a typo in a policy file is an error with a location, never a silently
//! ignored rule.

use std::collections::BTreeMap;

use piazza_taxonomy::{Category, Intent};
use serde::{Deserialize, Serialize};

use crate::date::PolicyDate;
use crate::hours::HoursInterval;

/// The version of the policy file format this crate reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// One administration's social media policy, at one version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// The file format version (currently 1).
    pub format: u32,
    pub administration: Administration,
    pub document: Document,
    #[serde(default)]
    pub external: ExternalRules,
    #[serde(default)]
    pub internal: InternalRules,
    #[serde(default)]
    pub channels: Channels,
    #[serde(default)]
    pub moderation: Moderation,
    /// The promise of a reply within working time, where the policy makes one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<ResponseRule>,
    #[serde(default)]
    pub contacts: Contacts,
    #[serde(default)]
    pub content: ContentRules,
    #[serde(default)]
    pub accounts: AccountRules,
    /// Per category: threshold, suggested action, seriousness. Categories
    /// left out get [`crate::defaults`].
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub categories: BTreeMap<Category, CategoryRule>,
    /// Per intent: the suggested handling (reply, redirect...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub intents: BTreeMap<Intent, IntentRule>,
    /// Per-administration word lists for the analysis.
    #[serde(default)]
    pub detection: Detection,
    /// What the source document does not say, or says only in part. Each gap
    /// is reported by `validate` as a warning: a preset never invents rules.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gaps: Vec<Gap>,
}

/// The public body the policy belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Administration {
    pub name: String,
    pub kind: AdministrationKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    /// Roma Capitale's municipi (or any sub-unit with its own accounts).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub municipi: Vec<Municipio>,
    /// The local patron-saint holiday, which closes the offices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patron: Option<PatronDay>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdministrationKind {
    Comune,
    CittaMetropolitana,
    RomaCapitale,
    Provincia,
    Regione,
    Unione,
}

impl AdministrationKind {
    pub const fn label_it(self) -> &'static str {
        match self {
            AdministrationKind::Comune => "Comune",
            AdministrationKind::CittaMetropolitana => "Città metropolitana",
            AdministrationKind::RomaCapitale => "Roma Capitale",
            AdministrationKind::Provincia => "Provincia",
            AdministrationKind::Regione => "Regione",
            AdministrationKind::Unione => "Unione di comuni",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Municipio {
    /// Roman numeral, as in "Municipio Roma IV".
    pub number: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A patron-saint day: a fixed date, or the n-th weekday of a month
/// (Maglione's San Maurizio falls on the third Sunday of September).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatronDay {
    pub saint: String,
    pub month: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day: Option<u8>,
    /// With `nth`: the weekday of a movable patron day ("sun").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weekday: Option<crate::hours::Weekday>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nth: Option<u8>,
    /// Where the date comes from (the seeds are silent on patron days).
    pub source: String,
}

/// The document itself: title, version and dates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    pub title: String,
    /// The version label cited by every decision ("1.1", or the date of the
    /// last update where the administration numbers no versions).
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_published: Option<PolicyDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_updated: Option<PolicyDate>,
    /// Where the public page will live, so that clause links resolve.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The source this policy encodes (a seed file, a URL, a resolution).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Purpose statement, in the administration's words.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub purpose: Vec<String>,
}

/// The rules for citizens who comment on the administration's pages.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExternalRules {
    /// Introductory paragraphs, in the administration's words.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub intro: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clauses: Vec<Clause>,
    /// How moderation happens (after publication in every seed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moderation_mode: Option<ModerationMode>,
    /// Whether the policy removes content only for serious violations
    /// (Tradate, Maglione): then a removal needs a second moderator unless
    /// its category is marked `serious`.
    #[serde(default)]
    pub deletion_reserved_for_serious: bool,
    /// The passage that reserves deletion for serious cases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_source: Option<String>,
    /// Further paragraphs the page shows after the clauses (moderation,
    /// requests and reports, privacy), in the administration's words.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModerationMode {
    /// "La moderazione ... avviene a posteriori".
    PostHoc,
    PreModeration,
}

/// A numbered rule for citizens, as the administration wrote it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clause {
    /// The number cited in decisions ("clause 3 of version 1.1"). Where the
    /// source uses bullets, Piazza numbers them in order and says so.
    pub number: u32,
    pub title: String,
    /// The text as the administration wrote it.
    pub text: String,
    /// List items that belong to the clause (Roma's rule 3).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<Category>,
    /// Intents the clause speaks of (Cento's rule 1 protects opinions:
    /// `criticism`). A clause may never restrict `criticism`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub intents: Vec<Intent>,
    /// What the administration may do under this clause.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<Action>,
    /// The passage of the source this clause encodes.
    pub source: String,
}

/// A moderation measure a policy can allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Keep,
    Reply,
    /// Point the author to the right office (URP, contact centre, police).
    Redirect,
    Hide,
    Remove,
    /// Keep the author out of the administration's spaces ("allontanare").
    Ban,
    /// Report the author to the platform's own moderation.
    ReportToPlatform,
}

impl Action {
    pub const ALL: &'static [Action] = &[
        Action::Keep,
        Action::Reply,
        Action::Redirect,
        Action::Hide,
        Action::Remove,
        Action::Ban,
        Action::ReportToPlatform,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Action::Keep => "keep",
            Action::Reply => "reply",
            Action::Redirect => "redirect",
            Action::Hide => "hide",
            Action::Remove => "remove",
            Action::Ban => "ban",
            Action::ReportToPlatform => "report_to_platform",
        }
    }

    pub const fn label_it(self) -> &'static str {
        match self {
            Action::Keep => "mantenere",
            Action::Reply => "rispondere",
            Action::Redirect => "indirizzare all'ufficio competente",
            Action::Hide => "nascondere",
            Action::Remove => "rimuovere",
            Action::Ban => "allontanare l'utente",
            Action::ReportToPlatform => "segnalare alla piattaforma",
        }
    }

    /// Restrictive actions limit what a citizen said or can say; each one
    /// must cite a clause and is never allowed for criticism.
    pub const fn is_restrictive(self) -> bool {
        matches!(
            self,
            Action::Hide | Action::Remove | Action::Ban | Action::ReportToPlatform
        )
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Action {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Action::ALL
            .iter()
            .copied()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| {
                let ids: Vec<&str> = Action::ALL.iter().map(|a| a.as_str()).collect();
                format!("unknown action `{s}`, expected one of: {}", ids.join(", "))
            })
    }
}

/// A titled block of the administration's own text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub title: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paragraphs: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// The rules for the administration's own staff.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InternalRules {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub managing_offices: Vec<String>,
    /// Who authorises a new official account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_authorisation: Option<Authorisation>,
    /// Who authorises and appoints the staff who manage the accounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff_authorisation: Option<Authorisation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<Credentials>,
    /// Replies that wait for approval before they are posted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_approval: Option<ReplyApproval>,
    /// How the administration's own publications are requested, reviewed
    /// and approved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub editorial: Option<EditorialRules>,
    /// Writing guidance for editors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub writing: Option<Section>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forbidden_uses: Vec<ForbiddenUse>,
    /// Private use of social media by employees (art. 11-ter DPR 62/2013).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_use: Option<Section>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disciplinary: Option<Section>,
    /// Everything else the internal policy says, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Authorisation {
    pub by: Vec<Authority>,
    pub text: String,
    pub source: String,
}

/// Replies that someone other than their author approves before they are
/// posted (Maglione: "in caso di reclami, condividere la risposta con il
/// Dirigente di Settore"). Replies from the policy's standard templates
/// (redirects, courtesy, personal data, off topic) are the policy's own
/// words and never wait; a reply written by staff does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyApproval {
    pub applies_to: ReplyApprovalScope,
    /// Who approves (at the desk: a person with the dirigente role).
    pub by: Vec<Authority>,
    pub text: String,
    pub source: String,
}

/// The editorial workflow: who reviews what the offices ask to publish,
/// and how many people approve a draft before it goes out (Roma: "Le
/// richieste di pubblicazione ... saranno esaminate e valutate dall'ufficio
/// Social media centrale"; Tradate: the offices "dovranno inviare materiale
/// e informazioni al personale a ciò preposto"). Nobody approves a draft
/// they wrote; without this section a draft needs one approval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EditorialRules {
    /// Who reviews and approves (at the desk: the editors of the
    /// publishing office and the dirigenti).
    pub reviewed_by: String,
    /// Distinct approvals a draft needs, none from its authors (1 or more).
    #[serde(default = "one")]
    pub approvals: u32,
    /// Who may approve: `redattore` (the publishing office's editors) and
    /// `dirigente`; both when empty. `["dirigente"]` keeps approval to the
    /// dirigenti (institutional campaigns).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approvers: Vec<EditorialApprover>,
    /// A footer added to every publication (Cento: the CC BY-ND 3.0 notice).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licence_footer: Option<String>,
    /// What the editor confirms for every image before it goes out (Roma:
    /// minors and recognisable faces, shops, billboards, brands, plates).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photo_checklist: Vec<PhotoCheck>,
    /// Associations and groups of citizens may ask to publish through a
    /// public form (Roma: "Sarà però possibile per associazioni e/o gruppi
    /// di cittadini chiedere di pubblicare").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_requests: Option<PublicRequests>,
    pub text: String,
    pub source: String,
}

/// A role that may approve drafts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EditorialApprover {
    Redattore,
    Dirigente,
}

/// What the policy says about requests to publish from the public.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicRequests {
    pub text: String,
    pub source: String,
}

const fn one() -> u32 {
    1
}

/// A rule about what an image may show, confirmed by the editor for each
/// image of a draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhotoCheck {
    /// Roma: "È opportuno evitare la pubblicazione di foto che ritraggono
    /// minori e volti riconoscibili, salvo autorizzazioni e liberatorie."
    MinoriEVolti,
    /// Roma: "Non possono essere pubblicate foto di esercizi commerciali,
    /// cartelloni pubblicitari, marchi e targhe automobilistiche."
    EserciziEMarchi,
}

impl PhotoCheck {
    pub const ALL: [PhotoCheck; 2] = [PhotoCheck::MinoriEVolti, PhotoCheck::EserciziEMarchi];

    pub const fn as_str(self) -> &'static str {
        match self {
            PhotoCheck::MinoriEVolti => "minori_e_volti",
            PhotoCheck::EserciziEMarchi => "esercizi_e_marchi",
        }
    }

    /// What the editor confirms, in Italian.
    pub const fn label_it(self) -> &'static str {
        match self {
            PhotoCheck::MinoriEVolti => {
                "non ritrae minori né volti riconoscibili, oppure le autorizzazioni e le liberatorie sono agli atti"
            }
            PhotoCheck::EserciziEMarchi => {
                "non mostra esercizi commerciali, cartelloni pubblicitari, marchi né targhe automobilistiche"
            }
        }
    }
}

/// Which written replies wait for approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplyApprovalScope {
    /// Replies to a comment read as a complaint (reclamo).
    Complaints,
    /// Every written reply.
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Authority {
    Sindaco,
    Dirigente,
    /// Roma's municipal accounts are "aperti su decisione del direttore".
    Direttore,
    /// The official in charge ("funzionari responsabili di riferimento").
    Responsabile,
    /// The administration as a body ("autorizzato dall'Amministrazione").
    Amministrazione,
}

impl Authority {
    pub const fn label_it(self) -> &'static str {
        match self {
            Authority::Sindaco => "Sindaco",
            Authority::Dirigente => "Dirigente",
            Authority::Direttore => "Direttore",
            Authority::Responsabile => "Funzionario responsabile",
            Authority::Amministrazione => "Amministrazione",
        }
    }
}

/// Custody of the platform credentials (which Piazza never stores).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    pub custody: String,
    /// What happens when an assignment ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handover: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_renewal: Option<String>,
    /// A renewal period in days, only where the policy states one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_renewal_days: Option<u32>,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForbiddenUse {
    pub kind: ForbiddenUseKind,
    pub text: String,
    pub source: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ForbiddenUseKind {
    PersonalOpinions,
    PartisanPolitics,
    PrivateAims,
    CommercialAims,
}

/// The official accounts and the statement about all others.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Channels {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<Channel>,
    /// "Altri account ... sono da considerarsi iniziative private".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unofficial_statement: Option<String>,
    /// Where the list is published when the policy does not carry it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_published_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Channel {
    pub platform: Platform,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub kind: ChannelKind,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub managed_by: Vec<String>,
    /// Hours of this account when they differ from the policy's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hours: Vec<HoursInterval>,
    pub source: String,
}

/// The platforms are the taxonomy's: the connectors and the registry share them.
pub use piazza_taxonomy::Platform;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    Istituzionale,
    Tematico,
    Municipale,
    Progetto,
}

impl ChannelKind {
    pub const fn label_it(self) -> &'static str {
        match self {
            ChannelKind::Istituzionale => "istituzionale",
            ChannelKind::Tematico => "tematico",
            ChannelKind::Municipale => "municipale",
            ChannelKind::Progetto => "di progetto",
        }
    }
}

/// When the pages are moderated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Moderation {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hours: Vec<HoursInterval>,
    /// Public holidays are not moderated (Tradate: "senza presidio ... nei
    /// giorni festivi").
    #[serde(default = "yes")]
    pub holidays_excluded: bool,
    /// The policy requires each account to publish its hours (Roma).
    #[serde(default)]
    pub hours_must_be_published: bool,
    /// How the hours sentence starts ("Pagina moderata", "Canali monitorati").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours_lead: Option<String>,
    /// A Piazza setting, not a rule of the seeds: when a question arrives
    /// from a connected platform while the account is not moderated, reply
    /// at once, through the outbox, with the hours and when it will be read
    /// (one notice per author until the account opens again).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub closed_notice: bool,
    /// A Piazza setting: the days within which a request to review a
    /// decision (riesame) is decided. The seeds promise the review but no
    /// term; 30 days is the general term of L. 241/1990, art. 2 c. 2.
    #[serde(
        default = "default_appeal_days",
        skip_serializing_if = "is_default_appeal_days"
    )]
    pub appeal_days: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl Default for Moderation {
    fn default() -> Self {
        Moderation {
            hours: Vec::new(),
            // What the derived default said before `appeal_days` existed:
            // a policy without a moderation section states no holidays rule.
            holidays_excluded: false,
            hours_must_be_published: false,
            hours_lead: None,
            closed_notice: false,
            appeal_days: DEFAULT_APPEAL_DAYS,
            source: None,
        }
    }
}

/// L. 241/1990, art. 2 c. 2: thirty days where no other term is set.
pub const DEFAULT_APPEAL_DAYS: u32 = 30;

fn default_appeal_days() -> u32 {
    DEFAULT_APPEAL_DAYS
}

fn is_default_appeal_days(d: &u32) -> bool {
    *d == DEFAULT_APPEAL_DAYS
}

fn yes() -> bool {
    true
}

/// A reply promised within working time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseRule {
    /// Working hours from taking charge to the reply.
    pub working_hours: u32,
    /// Which hours count towards `working_hours`. The question is taken in
    /// charge when the account is next moderated, whatever this says.
    pub clock: ResponseClock,
    /// The office's hours, when `clock` is `office_hours`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub office_hours: Vec<HoursInterval>,
    /// Why the hours are counted this way, in the administration's terms
    /// (shown with the promise; Piazza's presets write their reading here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_reason: Option<String>,
    /// Whether a courtesy reply is due when the answer takes longer.
    #[serde(default)]
    pub courtesy_reply: bool,
    /// Share of the working time after which the courtesy reply is flagged
    /// (a Piazza setting, not a policy rule: 0.75 by default).
    #[serde(default = "default_courtesy_at")]
    pub courtesy_at: f64,
    pub text: String,
    pub source: String,
}

fn default_courtesy_at() -> f64 {
    0.75
}

/// How "ore lavorative" are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseClock {
    /// Every hour of Monday to Friday, holidays excluded: "24 ore
    /// lavorative" is a working day.
    WorkingDays,
    /// The hours of the office that answers (`office_hours`).
    OfficeHours,
    /// Only the hours in which the account is moderated.
    ModerationHours,
}

impl ResponseClock {
    pub const fn label_it(self) -> &'static str {
        match self {
            ResponseClock::WorkingDays => {
                "ore dei giorni lavorativi (dal lunedì al venerdì, festivi esclusi)"
            }
            ResponseClock::OfficeHours => "ore di apertura dell'ufficio",
            ResponseClock::ModerationHours => "ore di moderazione",
        }
    }
}

/// Where citizens are redirected.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contacts {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urp_email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urp_phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urp_toll_free: Option<String>,
    /// Where the list of all the URP offices is published (Roma).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urp_list_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_centre: Option<NamedContact>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub casa_digitale: Option<NamedContact>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pec: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub apps: Vec<NamedContact>,
    /// Where anybody reports a violation of the rules (Torino).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub violations_email: Option<String>,
    /// The office that manages the accounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub office_email: Option<String>,
    /// Where crime reports go: the Polizia Locale, as far as the policy
    /// names it (Cento lists its Facebook page). The `denuncia` reply gives
    /// it next to the emergency number 112.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub police: Option<PoliceContact>,
    /// The administration's own words that its pages are no channel for
    /// crime reports (Cento: «... non possono essere utilizzate per la
    /// denuncia di reato»).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crime_report_notice: Option<Quote>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// The police force a crime report is sent to (the Polizia Locale of the
/// administration, where its policy names a way to reach it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoliceContact {
    /// "Polizia Locale", as the policy names it.
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pec: Option<String>,
    /// Its web site or social page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The passage that gives the contact.
    pub source: String,
}

/// A sentence of the administration's own text with where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quote {
    pub text: String,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamedContact {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// Rules on what the administration itself publishes.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContentRules {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licence: Option<Licence>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photos: Option<PhotoRules>,
    /// Further content rules in the administration's words.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Licence {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub text: String,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhotoRules {
    /// Subjects that need a release (minors, recognisable faces).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub release_required: Vec<PhotoSubject>,
    /// Subjects never to be published.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forbidden: Vec<PhotoSubject>,
    pub text: String,
    pub source: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhotoSubject {
    Minors,
    RecognisableFaces,
    ShopFronts,
    Billboards,
    Brands,
    LicencePlates,
}

impl PhotoSubject {
    pub const fn label_it(self) -> &'static str {
        match self {
            PhotoSubject::Minors => "minori",
            PhotoSubject::RecognisableFaces => "volti riconoscibili",
            PhotoSubject::ShopFronts => "esercizi commerciali",
            PhotoSubject::Billboards => "cartelloni pubblicitari",
            PhotoSubject::Brands => "marchi",
            PhotoSubject::LicencePlates => "targhe automobilistiche",
        }
    }
}

/// Compliance rules for the official accounts themselves.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountRules {
    /// New accounts must be opened with a service address in this domain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub institutional_email_domain: Option<String>,
    /// Personal addresses (nome.cognome@...) may not open accounts.
    #[serde(default)]
    pub personal_email_forbidden: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub municipal_naming: Option<NamingRule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// "Municipio Roma" + Roman numeral + optional name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamingRule {
    pub prefix: String,
    #[serde(default)]
    pub roman_numeral: bool,
    #[serde(default)]
    pub optional_name: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<String>,
    pub source: String,
}

/// How one category maps onto this policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryRule {
    /// Findings scoring at or above this are flagged (0..1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    /// The suggested action for a flagged finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<Action>,
    /// The clause to cite, when more than one covers the category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clause: Option<u32>,
    /// A serious violation: removal needs no second moderator even where
    /// deletion is reserved for serious cases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serious: Option<bool>,
    /// Why the category is serious (the seed passage or the law).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serious_ground: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntentRule {
    pub action: Action,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Detection {
    /// Words never to be reported (place names, local dialect).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow_terms: Vec<String>,
    /// Extra words to report, each with its category.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deny_terms: Vec<DenyTerm>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DenyTerm {
    pub term: String,
    pub category: Category,
}

/// Something the source does not say, or says only in part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gap {
    pub topic: String,
    pub note: String,
}
