//! Italian texts the desk writes for citizens: reply templates filled with
//! the administration's own contacts, and statements of reasons.

use piazza_policy::Policy;
use piazza_taxonomy::Category;

use crate::{DeskError, Result};

/// The reply templates, by id: (id, Italian name).
pub const TEMPLATES: [(&str, &str); 5] = [
    ("urp", "Rinvio all'URP"),
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
