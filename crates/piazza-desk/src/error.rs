//! One error type for the desk, with stable snake_case codes that the web
//! UI and the API translate, and an Italian message for people.

use piazza_store::StoreError;

use crate::ids::AccountId;

#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    #[error("{what} {id} not found")]
    NotFound { what: &'static str, id: String },
    #[error("not allowed: {0}")]
    Forbidden(String),
    #[error("{staff} is not assigned to account {account}")]
    OutOfScope { staff: String, account: AccountId },
    #[error(
        "the item changed since it was read (version {expected} expected, {found} found): reload it"
    )]
    Conflict { expected: i64, found: i64 },
    #[error(
        "a restrictive action must cite at least one clause of the policy in force (version {version})"
    )]
    ClauseRequired { version: String },
    #[error("{0}")]
    ClauseNotApplicable(String),
    #[error("invalid input: {0}")]
    InvalidInput(String),
    #[error("the policy is not valid:\n{0}")]
    InvalidPolicy(String),
    #[error("{0}")]
    SecondModerator(String),
    #[error("{0}")]
    Handover(String),
    /// The account's platform cannot carry the measure out (the reason is
    /// the capability map's Italian sentence).
    #[error("the platform cannot do this: {0}")]
    NotSupported(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl DeskError {
    /// A stable code for programs (the API's `code`).
    pub fn code(&self) -> &'static str {
        match self {
            DeskError::NotFound { .. } => "not_found",
            DeskError::Forbidden(_) => "forbidden",
            DeskError::OutOfScope { .. } => "out_of_scope",
            DeskError::Conflict { .. } => "conflict",
            DeskError::ClauseRequired { .. } => "clause_required",
            DeskError::ClauseNotApplicable(_) => "clause_not_applicable",
            DeskError::InvalidInput(_) => "invalid_input",
            DeskError::InvalidPolicy(_) => "invalid_policy",
            DeskError::SecondModerator(_) => "second_moderator",
            DeskError::Handover(_) => "handover_incomplete",
            DeskError::NotSupported(_) => "not_supported",
            DeskError::Store(StoreError::Duplicate(_)) => "duplicate",
            DeskError::Store(StoreError::Unavailable { .. }) => "storage_unavailable",
            DeskError::Store(_) => "storage",
        }
    }

    /// Every code, for the test that each one is used and translated.
    pub const CODES: &'static [&'static str] = &[
        "not_found",
        "forbidden",
        "out_of_scope",
        "conflict",
        "clause_required",
        "clause_not_applicable",
        "invalid_input",
        "invalid_policy",
        "second_moderator",
        "handover_incomplete",
        "not_supported",
        "duplicate",
        "storage_unavailable",
        "storage",
    ];

    /// The message for people, in Italian.
    pub fn message_it(&self) -> String {
        match self {
            DeskError::NotFound { what, id } => format!("Elemento non trovato ({what} {id})."),
            DeskError::Forbidden(why) => format!("Operazione non consentita: {why}."),
            DeskError::OutOfScope { account, .. } => {
                format!("Non sei assegnato all'account {account}: non puoi operare sui suoi contenuti.")
            }
            DeskError::Conflict { .. } => {
                "Un'altra persona ha modificato questo elemento mentre lo consultavi: ricarica la pagina e ripeti l'operazione.".into()
            }
            DeskError::ClauseRequired { version } => format!(
                "Ogni azione restrittiva deve citare almeno una regola della policy in vigore (versione {version})."
            ),
            DeskError::ClauseNotApplicable(m) => format!("La regola citata non consente questa azione: {m}"),
            DeskError::InvalidInput(m) => format!("Dati non validi: {m}"),
            DeskError::InvalidPolicy(m) => format!("La policy non è valida: {m}"),
            DeskError::SecondModerator(m) => format!("Conferma di un secondo moderatore: {m}"),
            DeskError::Handover(m) => format!("Passaggio di consegne incompleto: {m}"),
            DeskError::NotSupported(why) => {
                let mut s = format!("Operazione non disponibile su questa piattaforma: {why}");
                if !s.ends_with('.') {
                    s.push('.');
                }
                s
            }
            DeskError::Store(StoreError::Duplicate(_)) => "L'elemento esiste già.".into(),
            DeskError::Store(StoreError::Unavailable { reason, .. }) => {
                use piazza_store::Unavailability as U;
                match reason {
                    U::DiskFull => "Il disco del database è pieno: l'operazione non è stata registrata. Libera spazio sul server (o chiedi all'amministratore di farlo) e ripeti l'operazione.",
                    U::ReadOnly => "Il database è in sola lettura: l'operazione non è stata registrata. Controlla i permessi del file del database o la configurazione del server PostgreSQL.",
                    U::Locked => "Il database è occupato da un'altra operazione in corso: l'operazione non è stata registrata. Ripetila fra qualche secondo.",
                    U::NoPermission => "Piazza non ha il permesso di usare il database (permessi del file o dell'utente PostgreSQL): l'operazione non è stata registrata. Avvisa l'amministratore.",
                    U::Unreachable => "Il database non risponde: l'operazione non è stata registrata. Controlla che il server PostgreSQL sia attivo e raggiungibile.",
                    U::Corrupt => "Il file del database risulta danneggiato: l'operazione non è stata registrata. Ripristina l'ultima copia di sicurezza e avvisa l'amministratore.",
                }
                .into()
            }
            DeskError::Store(_) => "Errore dell'archivio: riprova; se persiste, avvisa l'amministratore.".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_listed_and_has_an_italian_message() {
        let samples = [
            DeskError::NotFound {
                what: "commento",
                id: "1".into(),
            },
            DeskError::Forbidden("x".into()),
            DeskError::OutOfScope {
                staff: "a".into(),
                account: AccountId(1),
            },
            DeskError::Conflict {
                expected: 1,
                found: 2,
            },
            DeskError::ClauseRequired {
                version: "1.1".into(),
            },
            DeskError::ClauseNotApplicable("x".into()),
            DeskError::InvalidInput("x".into()),
            DeskError::InvalidPolicy("x".into()),
            DeskError::SecondModerator("x".into()),
            DeskError::Handover("x".into()),
            DeskError::NotSupported("x".into()),
            DeskError::Store(StoreError::Duplicate("x".into())),
            DeskError::Store(StoreError::Unavailable {
                reason: piazza_store::Unavailability::DiskFull,
                detail: "x".into(),
            }),
            DeskError::Store(StoreError::Database("x".into())),
        ];
        let codes: Vec<&str> = samples.iter().map(|e| e.code()).collect();
        assert_eq!(codes, DeskError::CODES);
        for e in &samples {
            assert!(!e.message_it().is_empty());
        }
    }
}
