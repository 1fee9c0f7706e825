//! Loading a policy file: TOML syntax and types first, then the rules that
//! no type can express (unique clause numbers, criticism never restricted,
//! hours that make sense). Every problem carries the file, line and column
//! of the offending value.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Range;

use piazza_taxonomy::{Category, Intent};
use serde::Serialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::hours::check_hours;
use crate::model::{Action, FORMAT_VERSION, Policy};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Warning,
    Error,
}

/// One problem found in a policy file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The file name or preset name the policy was read from.
    pub file: String,
    /// 1-based line and column (in characters) of the offending value;
    /// 0 when the problem concerns the whole document.
    pub line: usize,
    pub column: usize,
    /// The TOML path of the offending value (`external.clauses[2].actions`).
    pub path: String,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "errore",
            Severity::Warning => "avviso",
        };
        if self.line > 0 {
            write!(
                f,
                "{}:{}:{}: {sev}: {}",
                self.file, self.line, self.column, self.message
            )?;
        } else {
            write!(f, "{}: {sev}: {}", self.file, self.message)?;
        }
        if !self.path.is_empty() {
            write!(f, " (in `{}`)", self.path)?;
        }
        Ok(())
    }
}

/// A policy that could not be loaded: at least one error, plus any warnings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    pub diagnostics: Vec<Diagnostic>,
}

impl PolicyError {
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.errors().count();
        writeln!(
            f,
            "la policy non è valida ({n} error{}):",
            if n == 1 { "e" } else { "i" }
        )?;
        for d in &self.diagnostics {
            writeln!(f, "  {d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for PolicyError {}

/// A policy that passed validation, with the warnings it still deserves.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidatedPolicy {
    pub policy: Policy,
    pub warnings: Vec<Diagnostic>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    Key(String),
    Index(usize),
}

fn key(k: &str) -> Seg {
    Seg::Key(k.to_string())
}

struct Finding {
    severity: Severity,
    path: Vec<Seg>,
    message: String,
}

/// Parses and validates a policy. `file` names the source in messages.
pub fn load_policy(file: &str, text: &str) -> Result<ValidatedPolicy, PolicyError> {
    let policy: Policy = match toml::from_str(text) {
        Ok(p) => p,
        Err(e) => {
            let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((0, 0));
            let path = e
                .span()
                .and_then(|s| path_at(text, s.start))
                .unwrap_or_default();
            return Err(PolicyError {
                diagnostics: vec![Diagnostic {
                    severity: Severity::Error,
                    file: file.to_string(),
                    line,
                    column,
                    path,
                    message: humanise_serde_message(e.message()),
                }],
            });
        }
    };
    let findings = check(&policy);
    let table = DeTable::parse(text).ok();
    let mut diagnostics: Vec<Diagnostic> = findings
        .into_iter()
        .map(|f| {
            let span = table.as_ref().and_then(|t| span_of(t, &f.path));
            let (line, column) = span.map(|s| line_col(text, s.start)).unwrap_or((0, 0));
            Diagnostic {
                severity: f.severity,
                file: file.to_string(),
                line,
                column,
                path: render_path(&f.path),
                message: f.message,
            }
        })
        .collect();
    diagnostics.sort_by_key(|d| (std::cmp::Reverse(d.severity), d.line, d.column));
    if diagnostics.iter().any(|d| d.severity == Severity::Error) {
        Err(PolicyError { diagnostics })
    } else {
        Ok(ValidatedPolicy {
            policy,
            warnings: diagnostics,
        })
    }
}

fn humanise_serde_message(msg: &str) -> String {
    let msg = msg.trim();
    // serde's own words are English; the shapes it uses are few.
    if let Some(rest) = msg.strip_prefix("invalid type: ") {
        format!(
            "tipo errato: trovato {}",
            rest.replacen(", expected ", ", atteso ", 1)
        )
    } else if let Some(rest) = msg.strip_prefix("unknown variant ") {
        // "unknown variant `insulto`, expected one of ..."; in a policy
        // file the variants are ids.
        format!(
            "valore sconosciuto {}",
            rest.replacen(", expected one of ", ", ammessi: ", 1)
                .replacen(", expected ", ", atteso ", 1)
        )
    } else if let Some(rest) = msg.strip_prefix("unknown field ") {
        format!(
            "campo sconosciuto {}",
            rest.replacen(", expected one of ", ", ammessi: ", 1)
                .replacen(", expected ", ", atteso ", 1)
        )
    } else if let Some(rest) = msg.strip_prefix("missing field ") {
        format!("manca il campo {rest}")
    } else if let Some(rest) = msg.strip_prefix("invalid value: ") {
        format!(
            "valore non valido: {}",
            rest.replacen(", expected ", ", atteso ", 1)
        )
    } else if let Some(rest) = msg.strip_prefix("duplicate key") {
        format!("chiave ripetuta{rest}")
    } else {
        msg.to_string()
    }
}

fn check(p: &Policy) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut err = |path: Vec<Seg>, message: String| {
        out.push(Finding {
            severity: Severity::Error,
            path,
            message,
        })
    };

    if p.format != FORMAT_VERSION {
        err(
            vec![key("format")],
            format!(
                "formato {} non supportato; atteso {FORMAT_VERSION}",
                p.format
            ),
        );
    }
    if p.document.version.trim().is_empty() {
        err(
            vec![key("document"), key("version")],
            "la versione è vuota; attesa l'etichetta che le decisioni citano, per esempio \"1.1\""
                .into(),
        );
    }
    if let (Some(first), Some(last)) = (p.document.first_published, p.document.last_updated)
        && last < first
    {
        err(
            vec![key("document"), key("last_updated")],
            format!("l'ultimo aggiornamento {last} precede la prima pubblicazione {first}"),
        );
    }
    if let Some(e) = &p.internal.editorial
        && !(1..=5).contains(&e.approvals)
    {
        err(
            vec![key("internal"), key("editorial"), key("approvals")],
            format!(
                "{} approvazioni: una bozza ne richiede da 1 a 5, di persone diverse da chi l'ha scritta",
                e.approvals
            ),
        );
    }
    if let Some(patron) = &p.administration.patron {
        let path = vec![key("administration"), key("patron")];
        if !(1..=12).contains(&patron.month) {
            err(
                path.clone(),
                format!("mese {} fuori intervallo; atteso da 1 a 12", patron.month),
            );
        }
        match (patron.day, patron.weekday, patron.nth) {
            (Some(day), None, None) => {
                if day == 0 || day > crate::date::days_in_month(2024, patron.month) {
                    err(
                        path,
                        format!("il giorno {day} non esiste nel mese {}", patron.month),
                    );
                }
            }
            (None, Some(_), Some(nth)) if (1..=5).contains(&nth) => {}
            _ => err(
                path,
                "la festa patronale richiede `day`, oppure `weekday` con `nth` (da 1 a 5)".into(),
            ),
        }
    }
    for (i, m) in p.administration.municipi.iter().enumerate() {
        if crate::naming::roman_value(&m.number).is_none() {
            err(
                vec![
                    key("administration"),
                    key("municipi"),
                    Seg::Index(i),
                    key("number"),
                ],
                format!(
                    "`{}` non è un numero romano; atteso per esempio IV",
                    m.number
                ),
            );
        }
    }

    // Clauses: unique numbers, criticism never restricted.
    let mut seen = BTreeMap::new();
    for (i, c) in p.external.clauses.iter().enumerate() {
        let path = |k: &str| vec![key("external"), key("clauses"), Seg::Index(i), key(k)];
        if c.number == 0 {
            err(
                path("number"),
                "regola numero 0; i numeri partono da 1".into(),
            );
        }
        if let Some(first) = seen.insert(c.number, i) {
            err(
                path("number"),
                format!(
                    "numero di regola {} ripetuto (già usato dalla regola n. {} del file); ogni numero va usato una volta",
                    c.number,
                    first + 1
                ),
            );
        }
        if c.intents.contains(&Intent::Criticism)
            && let Some(a) = c.actions.iter().find(|a| a.is_restrictive())
        {
            err(
                path("actions"),
                format!(
                    "la regola {} associa la critica all'azione restrittiva `{a}`; la critica è un'opinione tutelata e non può mai essere limitata",
                    c.number
                ),
            );
        }
        if c.text.trim().is_empty() {
            err(path("text"), format!("la regola {} non ha testo", c.number));
        }
    }

    for (cat, rule) in &p.categories {
        let path = |k: &str| vec![key("categories"), key(cat.as_str()), key(k)];
        if let Some(t) = rule.threshold
            && !(0.0..=1.0).contains(&t)
        {
            err(
                path("threshold"),
                format!("soglia {t} fuori intervallo; atteso un numero da 0 a 1"),
            );
        }
        if let Some(n) = rule.clause {
            match p.external.clauses.iter().find(|c| c.number == n) {
                None => err(path("clause"), format!("la regola {n} non esiste")),
                Some(c) if !c.categories.contains(cat) => err(
                    path("clause"),
                    format!(
                        "la regola {n} non copre `{cat}`; aggiungila alle categorie della regola"
                    ),
                ),
                _ => {}
            }
        }
        if let Some(action) = rule.action
            && action.is_restrictive()
        {
            let allowed = p.allowed_actions(*cat);
            if allowed.is_empty() {
                err(
                    path("action"),
                    format!(
                        "nessuna regola copre `{cat}`, quindi l'azione restrittiva `{action}` non potrebbe citare nulla; serve una regola che elenchi `{cat}`"
                    ),
                );
            } else if !allowed.contains(&action) {
                let list: Vec<&str> = allowed.iter().map(|a| a.as_str()).collect();
                err(
                    path("action"),
                    format!(
                        "l'azione `{action}` per `{cat}` non è ammessa dalla sua regola; ammesse: {}",
                        list.join(", ")
                    ),
                );
            }
        }
    }
    for (intent, rule) in &p.intents {
        if rule.action.is_restrictive() {
            let why = if *intent == Intent::Criticism {
                "la critica è un'opinione tutelata e non può mai essere associata a un'azione restrittiva"
                    .to_string()
            } else {
                format!("`{intent}` non è una violazione; attese keep, reply o redirect")
            };
            err(
                vec![key("intents"), key(intent.as_str()), key("action")],
                format!(
                    "azione restrittiva `{}` per l'intento `{intent}`: {why}",
                    rule.action
                ),
            );
        }
    }

    for pb in check_hours(&p.moderation.hours) {
        err(
            vec![key("moderation"), key("hours"), Seg::Index(pb.index)],
            pb.message,
        );
    }
    for (ci, ch) in p.channels.accounts.iter().enumerate() {
        for pb in check_hours(&ch.hours) {
            err(
                vec![
                    key("channels"),
                    key("accounts"),
                    Seg::Index(ci),
                    key("hours"),
                    Seg::Index(pb.index),
                ],
                pb.message,
            );
        }
    }
    if let Some(r) = &p.response {
        for pb in check_hours(&r.office_hours) {
            err(
                vec![key("response"), key("office_hours"), Seg::Index(pb.index)],
                pb.message,
            );
        }
        let path = |k: &str| vec![key("response"), key(k)];
        if r.working_hours == 0 {
            err(
                path("working_hours"),
                "zero ore lavorative; attesa almeno 1".into(),
            );
        }
        if !(r.courtesy_at > 0.0 && r.courtesy_at < 1.0) {
            err(
                path("courtesy_at"),
                format!(
                    "{} fuori intervallo; attesa una frazione tra 0 e 1",
                    r.courtesy_at
                ),
            );
        }
        if r.clock == crate::model::ResponseClock::ModerationHours && p.moderation.hours.is_empty()
        {
            err(
                path("clock"),
                "il tempo di risposta si conta sulle ore di moderazione, ma `moderation.hours` è vuoto"
                    .into(),
            );
        }
        match (r.clock, r.office_hours.is_empty()) {
            (crate::model::ResponseClock::OfficeHours, true) => err(
                path("office_hours"),
                "il tempo di risposta si conta sugli orari dell'ufficio, ma `response.office_hours` è vuoto"
                    .into(),
            ),
            (crate::model::ResponseClock::OfficeHours, false) | (_, true) => {}
            (_, false) => err(
                path("office_hours"),
                "`response.office_hours` è letto solo con `clock = \"office_hours\"`".into(),
            ),
        }
    }
    if let Some(rule) = &p.accounts.municipal_naming {
        for (i, example) in rule.examples.iter().enumerate() {
            if let Err(why) = crate::naming::check_municipal_name(rule, example) {
                err(
                    vec![
                        key("accounts"),
                        key("municipal_naming"),
                        key("examples"),
                        Seg::Index(i),
                    ],
                    format!("l'esempio `{example}` viola la sua stessa regola: {why}"),
                );
            }
        }
    }
    if let Some(police) = &p.contacts.police {
        let path = |k: &str| vec![key("contacts"), key("police"), key(k)];
        if police.name.trim().is_empty() {
            err(
                path("name"),
                "il contatto della polizia non ha un nome; atteso per esempio \"Polizia Locale\""
                    .into(),
            );
        }
        if [&police.phone, &police.email, &police.pec, &police.url]
            .iter()
            .all(|v| v.as_deref().is_none_or(|v| v.trim().is_empty()))
        {
            err(
                vec![key("contacts"), key("police")],
                "il contatto della polizia non indica come raggiungerla; serve almeno uno tra phone, email, pec, url".into(),
            );
        }
    }
    if let Some(notice) = &p.contacts.crime_report_notice
        && notice.text.trim().is_empty()
    {
        err(
            vec![key("contacts"), key("crime_report_notice"), key("text")],
            "l'avviso sulle denunce è vuoto; attese le parole dell'amministrazione, oppure nessun avviso".into(),
        );
    }
    for (i, t) in p.detection.deny_terms.iter().enumerate() {
        if t.term.trim().is_empty() {
            err(
                vec![
                    key("detection"),
                    key("deny_terms"),
                    Seg::Index(i),
                    key("term"),
                ],
                "termine vuoto".into(),
            );
        }
    }

    // Warnings: what the source does not say.
    let mut warn = |path: Vec<Seg>, message: String| {
        out.push(Finding {
            severity: Severity::Warning,
            path,
            message,
        })
    };
    for (i, g) in p.gaps.iter().enumerate() {
        warn(
            vec![key("gaps"), Seg::Index(i)],
            format!(
                "il documento di origine tace o è incompleto su {}: {}",
                g.topic, g.note
            ),
        );
    }
    // A crime report is answered with 112 and the police contact: a policy
    // without one says so, as a gap where its source is silent.
    if p.contacts.police.is_none()
        && !p
            .gaps
            .iter()
            .any(|g| g.topic.to_lowercase().contains("polizia"))
    {
        warn(
            vec![key("contacts")],
            "nessun contatto della polizia (`contacts.police`): la risposta a una denuncia (`denuncia`) indicherà solo il numero di emergenza 112; aggiungi il contatto della Polizia Locale, oppure una lacuna con topic \"Polizia Locale\" se il documento tace".into(),
        );
    }
    if p.external.clauses.is_empty() {
        warn(
            vec![key("external")],
            "nessuna regola esterna per i cittadini: nessuna azione restrittiva può citare una regola".into(),
        );
    } else {
        let covered: BTreeSet<Category> = p
            .external
            .clauses
            .iter()
            .flat_map(|c| c.categories.iter().copied())
            .collect();
        let uncovered: Vec<&str> = Category::ALL
            .iter()
            .filter(|c| !covered.contains(c))
            .map(|c| c.as_str())
            .collect();
        if !uncovered.is_empty() {
            warn(
                vec![key("external"), key("clauses")],
                format!(
                    "nessuna regola copre {}: queste rilevazioni sono mostrate ai moderatori ma non consentono di intervenire",
                    uncovered.join(", ")
                ),
            );
        }
    }
    out
}

impl Policy {
    /// The actions the clauses covering `category` allow. Hiding is allowed
    /// wherever removal is: it is the lesser, reversible measure.
    pub fn allowed_actions(&self, category: Category) -> BTreeSet<Action> {
        let mut set = BTreeSet::new();
        for c in self
            .external
            .clauses
            .iter()
            .filter(|c| c.categories.contains(&category))
        {
            set.extend(c.actions.iter().copied());
        }
        if set.contains(&Action::Remove) {
            set.insert(Action::Hide);
        }
        set
    }
}

fn render_path(path: &[Seg]) -> String {
    let mut s = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            Seg::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

/// The span of the deepest value along `path` that exists in the document.
fn span_of(table: &Spanned<DeTable<'_>>, path: &[Seg]) -> Option<Range<usize>> {
    let mut best = None;
    let mut current: Option<&DeValue<'_>> = None;
    let mut current_table = Some(table.get_ref());
    for seg in path {
        let next: Option<&Spanned<DeValue<'_>>> = match (seg, current_table, current) {
            (Seg::Key(k), Some(t), _) => t
                .iter()
                .find(|(name, _)| name.get_ref().as_ref() == k.as_str())
                .map(|(_, v)| v),
            (Seg::Index(i), _, Some(DeValue::Array(a))) => a.get(*i),
            _ => None,
        };
        let Some(v) = next else { break };
        best = Some(v.span());
        current = Some(v.get_ref());
        current_table = match v.get_ref() {
            DeValue::Table(t) => Some(t),
            _ => None,
        };
    }
    best
}

/// The TOML path of the key or value that covers byte `offset`, for serde
/// errors, which carry a span but no path. Parents are searched whatever
/// their own span says: implicit tables (`[[external.clauses]]`) have spans
/// that do not cover their contents.
fn path_at(text: &str, offset: usize) -> Option<String> {
    fn search(v: &DeValue<'_>, offset: usize, path: &mut Vec<Seg>) -> bool {
        match v {
            DeValue::Table(t) => {
                for (k, item) in t.iter() {
                    path.push(Seg::Key(k.get_ref().to_string()));
                    if k.span().contains(&offset) || search_spanned(item, offset, path) {
                        return true;
                    }
                    path.pop();
                }
                false
            }
            DeValue::Array(a) => {
                for (i, item) in a.iter().enumerate() {
                    path.push(Seg::Index(i));
                    if search_spanned(item, offset, path) {
                        return true;
                    }
                    path.pop();
                }
                false
            }
            _ => false,
        }
    }
    fn search_spanned(v: &Spanned<DeValue<'_>>, offset: usize, path: &mut Vec<Seg>) -> bool {
        if search(v.get_ref(), offset, path) {
            return true;
        }
        match v.get_ref() {
            // A leaf (or an inline array of leaves) that covers the offset.
            DeValue::Table(_) => false,
            _ => v.span().contains(&offset),
        }
    }
    let table = DeTable::parse(text).ok()?;
    let mut path = Vec::new();
    let root = DeValue::Table(table.into_inner());
    search(&root, offset, &mut path).then(|| render_path(&path))
}

/// 1-based line and character column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary(offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"format = 1

[administration]
name = "Comune di Prova"
kind = "comune"

[document]
title = "Social Media Policy"
version = "1.0"

[[external.clauses]]
number = 1
title = "Rispetto"
text = "Non saranno tollerati insulti."
categories = ["insult"]
actions = ["remove"]
source = "test"
"#;

    #[test]
    fn a_minimal_policy_loads_with_a_coverage_warning() {
        let v = load_policy("prova.toml", MINIMAL).unwrap();
        assert_eq!(v.policy.external.clauses.len(), 1);
        assert_eq!(v.warnings.len(), 2, "{:#?}", v.warnings);
        assert!(
            v.warnings
                .iter()
                .any(|w| w.message.contains("nessuna regola copre off_topic"))
        );
        assert!(
            v.warnings
                .iter()
                .any(|w| w.message.contains("nessun contatto della polizia"))
        );
        assert!(
            v.policy
                .allowed_actions(Category::Insult)
                .contains(&Action::Hide)
        );
    }

    #[test]
    fn unknown_category_names_line_column_and_expected_values() {
        let text = MINIMAL.replace(r#"categories = ["insult"]"#, r#"categories = ["insulto"]"#);
        let e = load_policy("prova.toml", &text).unwrap_err();
        let d = &e.diagnostics[0];
        assert_eq!((d.line, d.column), (15, 15), "{d}");
        assert!(d.message.contains("`insulto`"), "{d}");
        assert!(d.message.contains("off_topic"), "{d}");
        assert_eq!(d.path, "external.clauses[0].categories[0]");
        assert!(
            d.to_string().starts_with("prova.toml:15:15: errore:"),
            "{d}"
        );
    }

    #[test]
    fn wrong_type_is_reported_with_location() {
        let text = MINIMAL.replace("number = 1", "number = \"uno\"");
        let e = load_policy("prova.toml", &text).unwrap_err();
        let d = &e.diagnostics[0];
        assert_eq!(d.line, 12, "{d}");
        assert_eq!(d.column, 10, "{d}");
        assert!(d.message.starts_with("tipo errato"), "{d}");
        assert!(
            d.message.contains("u32") || d.message.contains("integer"),
            "{d}"
        );
    }

    #[test]
    fn criticism_mapped_to_removal_is_rejected() {
        let text = format!(
            "{MINIMAL}\n[[external.clauses]]\nnumber = 2\ntitle = \"Critiche\"\ntext = \"Le critiche saranno rimosse.\"\nintents = [\"criticism\"]\nactions = [\"remove\"]\nsource = \"test\"\n"
        );
        let e = load_policy("prova.toml", &text).unwrap_err();
        let d = e.errors().next().unwrap();
        assert!(d.message.contains("critica"), "{d}");
        assert!(d.message.contains("mai"), "{d}");
        assert_eq!(d.line, 24, "{d}");
        assert_eq!(d.path, "external.clauses[1].actions");

        let text = format!("{MINIMAL}\n[intents.criticism]\naction = \"hide\"\n");
        let e = load_policy("prova.toml", &text).unwrap_err();
        let d = e.errors().next().unwrap();
        assert!(
            d.message.contains("la critica è un'opinione tutelata"),
            "{d}"
        );
        assert_eq!(d.line, 20, "{d}");
    }

    #[test]
    fn duplicate_clause_numbers_and_bad_hours_are_errors() {
        let text = format!(
            "{MINIMAL}\n[[external.clauses]]\nnumber = 1\ntitle = \"Doppia\"\ntext = \"x\"\nsource = \"test\"\n\n[moderation]\nhours = [{{ days = [\"mon\"], from = \"12:00\", to = \"09:00\" }}, {{ days = [\"mon\", \"tue\"], from = \"08:00\", to = \"10:00\" }}, {{ days = [\"tue\"], from = \"09:30\", to = \"11:00\" }}]\n"
        );
        let e = load_policy("prova.toml", &text).unwrap_err();
        let msgs: Vec<String> = e.errors().map(|d| d.to_string()).collect();
        assert_eq!(msgs.len(), 3, "{msgs:#?}");
        assert!(
            msgs.iter()
                .any(|m| m.contains("numero di regola 1 ripetuto") && m.contains(":20:")),
            "{msgs:#?}"
        );
        assert!(
            msgs.iter().any(|m| m.contains("prima o quando inizia")),
            "{msgs:#?}"
        );
        assert!(
            msgs.iter().any(|m| m.contains("si sovrappone")),
            "{msgs:#?}"
        );
    }

    #[test]
    fn an_editorial_section_needs_one_to_five_approvals() {
        let base = include_str!("../presets/maglione.toml");
        let with = |n: u32| {
            format!(
                "{base}\n[internal.editorial]\nreviewed_by = \"Ufficio Stampa\"\napprovals = {n}\ntext = \"t\"\nsource = \"s\"\n"
            )
        };
        assert!(load_policy("p.toml", &with(2)).is_ok());
        let e = load_policy("p.toml", &with(0)).unwrap_err().to_string();
        assert!(e.contains("internal.editorial.approvals"), "{e}");
        assert!(e.contains("da 1 a 5"), "{e}");
    }

    #[test]
    fn unknown_keys_are_errors_not_silently_ignored() {
        let text = MINIMAL.replace("version = \"1.0\"", "version = \"1.0\"\nversione = \"1.0\"");
        let e = load_policy("prova.toml", &text).unwrap_err();
        let d = &e.diagnostics[0];
        assert!(d.message.contains("campo sconosciuto `versione`"), "{d}");
        assert_eq!(d.line, 10, "{d}");
    }

    #[test]
    fn a_category_action_must_be_allowed_by_its_clause() {
        let text = format!("{MINIMAL}\n[categories.insult]\naction = \"ban\"\n");
        let e = load_policy("prova.toml", &text).unwrap_err();
        let d = e.errors().next().unwrap();
        assert!(d.message.contains("non è ammessa dalla sua regola"), "{d}");
        let text = format!("{MINIMAL}\n[categories.spam]\naction = \"remove\"\n");
        let e = load_policy("prova.toml", &text).unwrap_err();
        assert!(
            e.errors()
                .next()
                .unwrap()
                .message
                .contains("nessuna regola copre")
        );
    }

    #[test]
    fn the_police_contact_is_parsed_and_checked() {
        let text = format!(
            "{MINIMAL}\n[contacts]\ncrime_report_notice = {{ text = \"Le pagine non possono essere utilizzate per la denuncia di reato\", source = \"test\" }}\n\n[contacts.police]\nname = \"Polizia Locale\"\nphone = \"0510000000\"\npec = \"pl@pec.comune.prova.it\"\nsource = \"test\"\n"
        );
        let v = load_policy("prova.toml", &text).unwrap();
        let police = v.policy.contacts.police.as_ref().unwrap();
        assert_eq!(police.name, "Polizia Locale");
        assert_eq!(police.phone.as_deref(), Some("0510000000"));
        assert!(
            !v.warnings
                .iter()
                .any(|w| w.message.contains("nessun contatto della polizia"))
        );
        // Its phone and PEC are the administration's, never personal data.
        let own = v.policy.own_contacts();
        assert!(own.contains(&"0510000000".to_string()), "{own:?}");
        assert!(own.contains(&"pl@pec.comune.prova.it".to_string()));
        assert!(
            v.policy
                .contacts
                .crime_report_notice
                .as_ref()
                .unwrap()
                .text
                .ends_with("denuncia di reato")
        );

        // A contact with no way to reach it is an error, with its place.
        let bad = text
            .replace("phone = \"0510000000\"\n", "")
            .replace("pec = \"pl@pec.comune.prova.it\"\n", "");
        let e = load_policy("prova.toml", &bad).unwrap_err();
        let d = e.errors().next().unwrap();
        assert!(d.message.contains("non indica come raggiungerla"), "{d}");
        assert_eq!(d.path, "contacts.police");
        assert!(d.line > 20, "{d}");

        // Unknown keys are errors here too.
        let typo = text.replace("phone =", "telefono =");
        let e = load_policy("prova.toml", &typo).unwrap_err();
        assert!(
            e.diagnostics[0]
                .message
                .contains("campo sconosciuto `telefono`")
        );

        // A gap about the Polizia Locale replaces the warning by its own.
        let gap = format!(
            "{MINIMAL}\n[[gaps]]\ntopic = \"Polizia Locale\"\nnote = \"il documento non indica come contattarla.\"\n"
        );
        let v = load_policy("prova.toml", &gap).unwrap();
        let msgs: Vec<&str> = v.warnings.iter().map(|w| w.message.as_str()).collect();
        assert!(
            !msgs
                .iter()
                .any(|m| m.contains("nessun contatto della polizia")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.contains("tace o è incompleto su Polizia Locale")),
            "{msgs:?}"
        );
    }

    #[test]
    fn toml_syntax_errors_have_a_location() {
        let text = MINIMAL.replace("kind = \"comune\"", "kind = comune");
        let e = load_policy("prova.toml", &text).unwrap_err();
        let d = &e.diagnostics[0];
        assert_eq!(d.line, 5, "{d}");
        assert!(d.column >= 8, "{d}");
    }
}
