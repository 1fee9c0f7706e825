//! Compliance rules for the official accounts themselves: the naming rule
//! for municipal accounts ("Municipio Roma" + Roman numeral + optional name)
//! and the institutional e-mail domain used to open accounts.

use crate::model::{AccountRules, NamingRule};

/// The value of a Roman numeral from I to XXXIX, or `None`. Strict: only
/// the canonical spelling is accepted ("IIII" is not IV).
pub fn roman_value(s: &str) -> Option<u32> {
    const TABLE: [(&str, u32); 9] = [
        ("IX", 9),
        ("VIII", 8),
        ("VII", 7),
        ("VI", 6),
        ("IV", 4),
        ("V", 5),
        ("III", 3),
        ("II", 2),
        ("I", 1),
    ];
    let tens = s.chars().take_while(|&c| c == 'X').count();
    if tens > 3 {
        return None;
    }
    let rest = &s[tens..];
    let units = if rest.is_empty() {
        0
    } else {
        TABLE.iter().find(|(r, _)| *r == rest)?.1
    };
    let value = tens as u32 * 10 + units;
    (value > 0).then_some(value)
}

/// Checks an account name against the municipal naming rule.
pub fn check_municipal_name(rule: &NamingRule, name: &str) -> Result<(), String> {
    let Some(rest) = name.strip_prefix(rule.prefix.as_str()) else {
        return Err(format!("the name must start with \"{}\"", rule.prefix));
    };
    let rest = rest.strip_prefix(' ').ok_or_else(|| {
        format!(
            "expected a space and the municipio number after \"{}\"",
            rule.prefix
        )
    })?;
    let (numeral, tail) = rest.split_once(' ').unwrap_or((rest, ""));
    if rule.roman_numeral && roman_value(numeral).is_none() {
        return Err(format!(
            "`{numeral}` is not a Roman numeral; expected e.g. \"{} IV\"",
            rule.prefix
        ));
    }
    if !tail.is_empty() && !rule.optional_name {
        return Err(format!("nothing may follow the number, found \"{tail}\""));
    }
    Ok(())
}

/// Checks the e-mail address an account was opened with.
pub fn check_account_email(rules: &AccountRules, email: &str) -> Result<(), String> {
    let Some((local, domain)) = email.rsplit_once('@') else {
        return Err(format!("`{email}` is not an e-mail address"));
    };
    if let Some(required) = &rules.institutional_email_domain {
        let domain = domain.to_lowercase();
        if domain != *required && !domain.ends_with(&format!(".{required}")) {
            return Err(format!(
                "`{email}` is not in the institutional domain {required}"
            ));
        }
    }
    if rules.personal_email_forbidden && looks_personal(local) {
        return Err(format!(
            "`{email}` looks like a personal address (nome.cognome); accounts must be opened with a service address"
        ));
    }
    Ok(())
}

/// "mario.rossi" or "m.rossi": two alphabetic parts joined by a dot. Service
/// addresses ("social.municipio4", "urp") have digits, one part, or words
/// that name a service.
fn looks_personal(local: &str) -> bool {
    const SERVICE_WORDS: [&str; 8] = [
        "social",
        "urp",
        "ufficio",
        "stampa",
        "comunicazione",
        "municipio",
        "servizio",
        "info",
    ];
    let parts: Vec<&str> = local.split(['.', '_']).collect();
    parts.len() == 2
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_alphabetic()))
        && !parts
            .iter()
            .any(|p| SERVICE_WORDS.contains(&p.to_lowercase().as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roma_rule() -> NamingRule {
        NamingRule {
            prefix: "Municipio Roma".into(),
            roman_numeral: true,
            optional_name: true,
            examples: vec![],
            source: "test".into(),
        }
    }

    #[test]
    fn roman_numerals() {
        assert_eq!(roman_value("IV"), Some(4));
        assert_eq!(roman_value("XV"), Some(15));
        assert_eq!(roman_value("XIV"), Some(14));
        assert_eq!(roman_value("IIII"), None);
        assert_eq!(roman_value("4"), None);
        assert_eq!(roman_value(""), None);
    }

    #[test]
    fn municipal_names_follow_the_roma_rule() {
        let r = roma_rule();
        assert!(check_municipal_name(&r, "Municipio Roma IV").is_ok());
        assert!(check_municipal_name(&r, "Municipio Roma I Centro").is_ok());
        assert!(check_municipal_name(&r, "Municipio 4 Roma").is_err());
        assert!(check_municipal_name(&r, "Municipio Roma 4").is_err());
    }

    #[test]
    fn account_emails_must_be_institutional_service_addresses() {
        let rules = AccountRules {
            institutional_email_domain: Some("comune.roma.it".into()),
            personal_email_forbidden: true,
            municipal_naming: None,
            source: None,
        };
        assert!(check_account_email(&rules, "social.municipio4@comune.roma.it").is_ok());
        assert!(check_account_email(&rules, "mario.rossi@comune.roma.it").is_err());
        assert!(check_account_email(&rules, "social@gmail.com").is_err());
    }
}
