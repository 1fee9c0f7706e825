//! Italian texts the desk writes for citizens: reply templates filled with
//! the administration's own contacts, and statements of reasons.

use piazza_policy::{Action, Policy};
use piazza_taxonomy::{Category, Intent};

use crate::{DeskError, Result};

/// The reply templates, by id: (id, Italian name).
pub const TEMPLATES: [(&str, &str); 6] = [
    ("urp", "Rinvio all'URP"),
    (
        "denuncia",
        "Denuncia di reato: rinvio al 112 e alle forze dell'ordine",
    ),
    ("cortesia", "Risposta di cortesia"),
    ("fuori_tema", "Avviso: commento fuori tema"),
    ("dati_personali", "Avviso: dati personali"),
    ("risposta", "Risposta libera"),
];

/// "l'URP (urp@..., numero verde 800 ...) o l'app Municipium (...)": the
/// contacts of the policy as one Italian phrase.
pub fn contacts_phrase(p: &Policy) -> Option<String> {
    let c = &p.contacts;
    let mut urp = Vec::new();
    if let Some(e) = &c.urp_email {
        urp.push(e.clone());
    }
    if let Some(t) = &c.urp_toll_free {
        urp.push(format!("numero verde {t}"));
    }
    if let Some(t) = &c.urp_phone {
        urp.push(format!("telefono {t}"));
    }
    let mut parts = Vec::new();
    if !urp.is_empty() {
        parts.push(format!("l'URP ({})", urp.join(", ")));
    } else if c.urp_list_url.is_some() {
        parts.push("gli URP".to_string());
    }
    if let Some(cc) = &c.contact_centre {
        parts.push(match &cc.phone {
            Some(ph) => format!("il {} ({ph})", cc.name),
            None => format!("il {}", cc.name),
        });
    }
    if let Some(cd) = &c.casa_digitale {
        parts.push(match &cd.url {
            Some(u) => format!("la {} ({u})", cd.name),
            None => format!("la {}", cd.name),
        });
    }
    for app in &c.apps {
        parts.push(match &app.url {
            Some(u) => format!("l'app {} ({u})", app.name),
            None => format!("l'app {}", app.name),
        });
    }
    if let Some(pec) = &c.pec {
        parts.push(format!("la PEC {pec}"));
    }
    match parts.len() {
        0 => None,
        1 => Some(parts.remove(0)),
        _ => {
            let last = parts.pop().unwrap_or_default();
            Some(format!("{} o {last}", parts.join(", ")))
        }
    }
}

/// The templates a redirect may send: to the URP, or to the police.
pub const REDIRECT_TEMPLATES: [&str; 2] = ["urp", "denuncia"];

/// The template a redirect sends for a comment with these intents: a crime
/// report goes to the police (`denuncia`), anything else to the URP.
pub fn redirect_template(intents: &[Intent]) -> &'static str {
    if intents.contains(&Intent::CrimeReport) {
        "denuncia"
    } else {
        "urp"
    }
}

/// What the desk suggests for a comment that wants something: the
/// policy's handling of its intent and the reply template that goes with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntentSuggestion {
    pub intent: Intent,
    /// `[intents.<id>]` of the policy, or Piazza's default.
    pub action: Action,
    /// The template the action sends (none for keep).
    pub template: Option<&'static str>,
}

/// The suggestion for a comment with these intents: a crime report first
/// (it must not go to the URP), then a complaint or a service request.
pub fn intent_suggestion(p: &Policy, intents: &[Intent]) -> Option<IntentSuggestion> {
    let intent = [
        Intent::CrimeReport,
        Intent::Complaint,
        Intent::ServiceRequest,
    ]
    .into_iter()
    .find(|i| intents.contains(i))?;
    let action = p.intent_action(intent);
    let template = match action {
        Action::Redirect | Action::Reply if intent == Intent::CrimeReport => Some("denuncia"),
        Action::Redirect => Some("urp"),
        _ => None,
    };
    Some(IntentSuggestion {
        intent,
        action,
        template,
    })
}

/// "alla Polizia Locale (pagina Facebook https://...)": the police contact
/// of the policy as one Italian phrase.
pub fn police_phrase(p: &Policy) -> Option<String> {
    let police = p.contacts.police.as_ref()?;
    let mut means = Vec::new();
    if let Some(t) = &police.phone {
        means.push(format!("telefono {t}"));
    }
    if let Some(e) = &police.email {
        means.push(e.clone());
    }
    if let Some(e) = &police.pec {
        means.push(format!("PEC {e}"));
    }
    if let Some(u) = &police.url {
        let what = if u.contains("facebook.com") {
            "pagina Facebook "
        } else {
            ""
        };
        means.push(format!("{what}{u}"));
    }
    // "Polizia Locale" takes the article: "alla Polizia Locale".
    let name = police.name.trim();
    let with_article = if name.to_lowercase().starts_with("polizia") {
        format!("alla {name}")
    } else {
        format!("a {name}")
    };
    Some(if means.is_empty() {
        with_article
    } else {
        format!("{with_article} ({})", means.join(", "))
    })
}

/// The reply to a crime report: the page is no channel for it (in the
/// administration's words where its policy has them), 112 for emergencies,
/// and where to report it.
fn crime_report_reply(p: &Policy) -> String {
    let ente = &p.administration.name;
    let notice = match &p.contacts.crime_report_notice {
        Some(n) => {
            let t = n.text.trim().trim_end_matches(['.', ';', ',']);
            // The administration's sentence continues "Gentile utente, ...".
            let mut chars = t.chars();
            match chars.next() {
                Some(first) => first.to_lowercase().chain(chars).collect::<String>(),
                None => String::new(),
            }
        }
        None => "i commenti su questa pagina non sono il canale per denunciare un reato".into(),
    };
    let whom = match police_phrase(p) {
        Some(police) => format!("alle forze dell'ordine o {police}"),
        None => "alle forze dell'ordine (Polizia di Stato, Carabinieri, Polizia Locale)".into(),
    };
    format!(
        "Gentile utente, {notice}. In caso di emergenza chiama il 112, Numero Unico di Emergenza. Per denunciare un reato rivolgiti {whom}. Per tutelare te e le persone coinvolte, ti chiediamo di non pubblicare qui altri dettagli. {ente}"
    )
}

/// Where a citizen asks for a decision to be reviewed.
pub fn review_contact(p: &Policy) -> String {
    let c = &p.contacts;
    c.office_email
        .clone()
        .or_else(|| c.violations_email.clone())
        .or_else(|| c.urp_email.clone())
        .map(|e| format!("scrivendo a {e}"))
        .or_else(|| contacts_phrase(p).map(|ph| format!("rivolgendoti a {ph}")))
        .unwrap_or_else(|| "rispondendo a questo messaggio".into())
}

/// Fills a reply template. `free_text` is required by `risposta`.
pub fn render_template(id: &str, p: &Policy, free_text: Option<&str>) -> Result<String> {
    let ente = &p.administration.name;
    let contacts = contacts_phrase(p);
    let text = match id {
        "urp" => match contacts {
            Some(c) => format!(
                "Gentile utente, grazie per la segnalazione. I canali social non sono lo strumento adatto per segnalazioni e reclami: per una risposta puntuale ti invitiamo a rivolgerti a {c}. {ente}"
            ),
            None => {
                return Err(DeskError::InvalidInput(
                    "la policy non indica un URP o un contact center: il modello di risposta «URP» non può essere compilato"
                        .into(),
                ));
            }
        },
        "denuncia" => crime_report_reply(p),
        "cortesia" => format!(
            "Gentile utente, abbiamo preso in carico la tua richiesta e stiamo raccogliendo le informazioni presso gli uffici competenti: ti risponderemo al più presto. Grazie per la pazienza. {ente}"
        ),
        "fuori_tema" => format!(
            "Gentile utente, questo spazio è dedicato all'argomento del post: ti chiediamo di restare in tema, come prevede la nostra Social Media Policy.{} {ente}",
            contacts
                .map(|c| format!(" Per altre questioni puoi rivolgerti a {c}."))
                .unwrap_or_default()
        ),
        "dati_personali" => format!(
            "Gentile utente, per tutelare la tua riservatezza e quella di altre persone ti chiediamo di non pubblicare dati personali (numeri di telefono, indirizzi, codici, informazioni sulla salute) nei commenti.{} {ente}",
            contacts
                .map(|c| format!(" Per la tua pratica puoi rivolgerti a {c}."))
                .unwrap_or_default()
        ),
        "risposta" => match free_text {
            Some(t) if !t.trim().is_empty() => t.trim().to_string(),
            _ => {
                return Err(DeskError::InvalidInput(
                    "una risposta libera deve avere un testo".into(),
                ));
            }
        },
        other => {
            let ids: Vec<&str> = TEMPLATES.iter().map(|(id, _)| *id).collect();
            return Err(DeskError::InvalidInput(format!(
                "modello di risposta sconosciuto `{other}`; quelli disponibili sono: {}",
                ids.join(", ")
            )));
        }
    };
    Ok(text)
}

/// The DSA transparency-database category closest to ours.
pub fn dsa_category(c: Category) -> &'static str {
    match c {
        Category::PersonalData | Category::PersonalCase => {
            "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS"
        }
        Category::Insult | Category::Vulgarity | Category::Discrimination | Category::Trolling => {
            "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH"
        }
        Category::Threat => "STATEMENT_CATEGORY_VIOLENCE",
        Category::Obscene => "STATEMENT_CATEGORY_PORNOGRAPHY_OR_SEXUALIZED_CONTENT",
        Category::Copyright => "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS",
        Category::PoliticalPropaganda | Category::Misleading => {
            "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS"
        }
        Category::Commercial | Category::Spam => "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
        Category::Illegal => "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
        Category::OffTopic => "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urp_template_is_filled_with_the_policy_contacts() {
        let cento = piazza_policy::load_preset("cento").unwrap().policy;
        let t = render_template("urp", &cento, None).unwrap();
        assert!(t.contains("urp@comune.cento.fe.it"), "{t}");
        assert!(t.contains("numero verde 800 375 515"), "{t}");
        assert!(t.contains("l'app Municipium"), "{t}");
        let roma = piazza_policy::load_preset("roma").unwrap().policy;
        let t = render_template("urp", &roma, None).unwrap();
        assert!(t.contains("ChiamaRoma (060606)"), "{t}");
        assert!(t.contains("Casa Digitale del Cittadino"), "{t}");
    }

    #[test]
    fn the_crime_report_reply_gives_112_and_the_police_of_the_policy() {
        let cento = piazza_policy::load_preset("cento").unwrap().policy;
        let t = render_template("denuncia", &cento, None).unwrap();
        assert_eq!(
            t,
            "Gentile utente, le pagine del Comune di Cento sui social network non possono essere utilizzate per la denuncia di reato. In caso di emergenza chiama il 112, Numero Unico di Emergenza. Per denunciare un reato rivolgiti alle forze dell'ordine o alla Polizia Locale (pagina Facebook https://www.facebook.com/polizialocalecento/). Per tutelare te e le persone coinvolte, ti chiediamo di non pubblicare qui altri dettagli. Comune di Cento"
        );
        assert!(!t.contains("URP"), "{t}");

        // A policy silent on the police still gets 112 and the forces,
        // in Piazza's neutral words (no sentence attributed to it).
        let tradate = piazza_policy::load_preset("tradate").unwrap().policy;
        let t = render_template("denuncia", &tradate, None).unwrap();
        assert!(t.starts_with("Gentile utente, i commenti su questa pagina non sono il canale per denunciare un reato. In caso di emergenza chiama il 112, Numero Unico di Emergenza."), "{t}");
        assert!(
            t.contains("alle forze dell'ordine (Polizia di Stato, Carabinieri, Polizia Locale)"),
            "{t}"
        );
        assert!(t.ends_with("Comune di Tradate"), "{t}");

        // Every way to reach the police the policy gives is in the reply.
        let mut p = cento.clone();
        let police = p.contacts.police.as_mut().unwrap();
        police.phone = Some("051 6843311".into());
        police.pec = Some("pl@pec.comune.prova.it".into());
        let t = render_template("denuncia", &p, None).unwrap();
        assert!(t.contains("alla Polizia Locale (telefono 051 6843311, PEC pl@pec.comune.prova.it, pagina Facebook https://www.facebook.com/polizialocalecento/)"), "{t}");
    }

    #[test]
    fn a_crime_report_is_redirected_to_the_police_a_complaint_to_the_urp() {
        assert_eq!(
            redirect_template(&[Intent::Complaint, Intent::CrimeReport]),
            "denuncia"
        );
        assert_eq!(redirect_template(&[Intent::Complaint]), "urp");
        assert_eq!(redirect_template(&[]), "urp");
        let cento = piazza_policy::load_preset("cento").unwrap().policy;
        let s = intent_suggestion(&cento, &[Intent::Complaint, Intent::CrimeReport]).unwrap();
        assert_eq!(
            (s.intent, s.action, s.template),
            (Intent::CrimeReport, Action::Redirect, Some("denuncia"))
        );
        let s = intent_suggestion(&cento, &[Intent::Question, Intent::Complaint]).unwrap();
        assert_eq!((s.action, s.template), (Action::Redirect, Some("urp")));
        assert_eq!(intent_suggestion(&cento, &[Intent::Question]), None);
        // Maglione answers complaints itself (its `[intents.complaint]`);
        // crime reports keep Piazza's default, the redirect to the police.
        let maglione = piazza_policy::load_preset("maglione").unwrap().policy;
        let s = intent_suggestion(&maglione, &[Intent::Complaint]).unwrap();
        assert_eq!((s.action, s.template), (Action::Reply, None));
        let s = intent_suggestion(&maglione, &[Intent::CrimeReport]).unwrap();
        assert_eq!((s.action, s.template), (Action::Redirect, Some("denuncia")));
    }

    #[test]
    fn a_policy_without_contacts_cannot_fill_the_urp_template() {
        let tradate = piazza_policy::load_preset("tradate").unwrap().policy;
        assert!(render_template("urp", &tradate, None).is_err());
        assert!(
            render_template("cortesia", &tradate, None)
                .unwrap()
                .contains("Comune di Tradate")
        );
        assert!(render_template("risposta", &tradate, None).is_err());
        assert!(render_template("boh", &tradate, None).is_err());
    }
}
