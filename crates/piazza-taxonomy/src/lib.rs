//! The shared vocabulary of Piazza: the canonical content categories a
//! citizen's comment can fall into, the intents that are *not* violations,
//! the groups a discriminatory comment can target, the kinds of personal
//! data and the platforms an administration's accounts live on.
//!
//! The analysis reports these ids, an administration's policy maps them onto
//! its own clauses, and the desk, the store and the web UI show them. Keeping
//! them in one tiny crate lets the pure analysis and the policy format agree
//! on every id without depending on each other.
//!
//! Every id is `snake_case`, stable, and is what appears in TOML policies,
//! JSON output and the database. Each value also has an Italian label for the
//! people who read it.
//!
//! ```
//! use piazza_taxonomy::Category;
//! let c: Category = "personal_data".parse().unwrap();
//! assert_eq!(c, Category::PersonalData);
//! assert_eq!(c.label_it(), "dati personali");
//! ```

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Error returned when a string is not one of the canonical ids of a kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownId {
    /// What kind of id was expected ("category", "intent", ...).
    pub kind: &'static str,
    /// The value that was given.
    pub value: String,
    /// Every accepted id, to show the user what was expected.
    pub expected: &'static [&'static str],
}

impl fmt::Display for UnknownId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown {} `{}`, expected one of: {}",
            self.kind,
            self.value,
            self.expected.join(", ")
        )
    }
}

impl std::error::Error for UnknownId {}

/// Declares a closed vocabulary: an enum with serde snake_case ids, `as_str`,
/// `FromStr`, `ALL`, and an Italian label per value.
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $name:ident, $kind:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $id:literal, $label:literal; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in canonical order.
            pub const ALL: &'static [$name] = &[ $( $name::$variant, )+ ];
            /// Every id, in canonical order (for error messages and docs).
            pub const IDS: &'static [&'static str] = &[ $( $id, )+ ];

            /// The stable snake_case id.
            pub const fn as_str(self) -> &'static str {
                match self { $( $name::$variant => $id, )+ }
            }

            /// A short Italian label for people.
            pub const fn label_it(self) -> &'static str {
                match self { $( $name::$variant => $label, )+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownId;
            fn from_str(s: &str) -> Result<Self, UnknownId> {
                match s {
                    $( $id => Ok($name::$variant), )+
                    _ => Err(UnknownId { kind: $kind, value: s.to_string(), expected: Self::IDS }),
                }
            }
        }
    };
}

vocabulary! {
    /// A kind of content that an administration's rules may forbid.
    Category, "category" {
        /// Not about the topic of the post (Cento rule 5, Roma rule 1).
        OffTopic = "off_topic", "fuori tema";
        /// Electoral or propaganda content (Cento rule 2, Roma rule 3).
        PoliticalPropaganda = "political_propaganda", "propaganda politica";
        /// Promotion of private or commercial interests.
        Commercial = "commercial", "pubblicità o promozione commerciale";
        /// Repeated or mass-posted content.
        Spam = "spam", "spam";
        /// Insults and offences against a person.
        Insult = "insult", "insulti e offese";
        /// Vulgar language.
        Vulgarity = "vulgarity", "volgarità";
        /// Threats and incitement to violence.
        Threat = "threat", "minacce";
        /// Discrimination against a protected group.
        Discrimination = "discrimination", "discriminazione";
        /// Gratuitous provocation, trolling or flaming.
        Trolling = "trolling", "provocazione (trolling o flame)";
        /// Unlawful content or incitement to unlawful acts.
        Illegal = "illegal", "contenuti illeciti";
        /// Misleading or alarmist content.
        Misleading = "misleading", "contenuti ingannevoli o allarmistici";
        /// Personal data of the author or of third parties.
        PersonalData = "personal_data", "dati personali";
        /// Obscene or pornographic content.
        Obscene = "obscene", "contenuti osceni";
        /// Copyright or trademark infringement.
        Copyright = "copyright", "violazione del diritto d'autore o di marchi";
        /// A private, individual case brought to a public page.
        PersonalCase = "personal_case", "caso personale";
    }
}

vocabulary! {
    /// What a comment wants, when that is not a violation. Intents route a
    /// comment (reply, URP, police) but never justify a restrictive action.
    Intent, "intent" {
        /// A question that needs an answer.
        Question = "question", "domanda";
        /// A complaint or a report of a problem (a pothole, a broken street lamp).
        Complaint = "complaint", "reclamo o segnalazione";
        /// The report of a crime, which belongs to the police.
        CrimeReport = "crime_report", "denuncia di reato";
        /// An application or a request for a service (istanze, moduli).
        ServiceRequest = "service_request", "richiesta di servizio";
        /// Criticism of the administration: a protected opinion.
        Criticism = "criticism", "critica";
    }
}

vocabulary! {
    /// A group that discriminatory content targets (Roma rule 3: "genere,
    /// etnia, lingua, credo religioso, opinioni politiche, orientamento
    /// sessuale, età, condizioni personali e sociali").
    DiscriminationTarget, "discrimination target" {
        Gender = "gender", "genere";
        Ethnicity = "ethnicity", "etnia";
        Language = "language", "lingua";
        Religion = "religion", "credo religioso";
        PoliticalOpinion = "political_opinion", "opinioni politiche";
        SexualOrientation = "sexual_orientation", "orientamento sessuale";
        Age = "age", "età";
        Disability = "disability", "disabilità";
        SocialCondition = "social_condition", "condizioni personali e sociali";
    }
}

vocabulary! {
    /// A kind of personal data found in a comment. The special categories
    /// follow GDPR art. 9 and art. 10.
    PersonalDataKind, "personal data kind" {
        CodiceFiscale = "codice_fiscale", "codice fiscale";
        PartitaIva = "partita_iva", "partita IVA";
        Iban = "iban", "IBAN";
        Phone = "phone", "numero di telefono";
        Email = "email", "indirizzo e-mail";
        LicencePlate = "licence_plate", "targa";
        Address = "address", "indirizzo";
        IdentityDocument = "identity_document", "documento d'identità";
        /// GDPR art. 9.
        Health = "health", "dati sulla salute";
        /// GDPR art. 9.
        Religion = "religion", "convinzioni religiose";
        /// GDPR art. 9.
        EthnicOrigin = "ethnic_origin", "origine etnica";
        /// GDPR art. 9.
        PoliticalOpinion = "political_opinion", "opinioni politiche";
        /// GDPR art. 9.
        UnionMembership = "union_membership", "appartenenza sindacale";
        /// GDPR art. 9.
        SexLife = "sex_life", "vita od orientamento sessuale";
        /// GDPR art. 10.
        CriminalRecord = "criminal_record", "condanne penali e reati";
    }
}

impl PersonalDataKind {
    /// True for the special categories of GDPR art. 9 and the judicial data
    /// of art. 10, which Roma and Maglione remove in any case.
    pub const fn is_special(self) -> bool {
        matches!(
            self,
            PersonalDataKind::Health
                | PersonalDataKind::Religion
                | PersonalDataKind::EthnicOrigin
                | PersonalDataKind::PoliticalOpinion
                | PersonalDataKind::UnionMembership
                | PersonalDataKind::SexLife
                | PersonalDataKind::CriminalRecord
        )
    }
}

vocabulary! {
    /// A social platform an administration has accounts on. The label is
    /// the platform's own name.
    Platform, "platform" {
        Facebook = "facebook", "Facebook";
        Instagram = "instagram", "Instagram";
        Youtube = "youtube", "YouTube";
        /// Formerly Twitter.
        X = "x", "X (Twitter)";
        Telegram = "telegram", "Telegram";
        Mastodon = "mastodon", "Mastodon";
        Linkedin = "linkedin", "LinkedIn";
        Tiktok = "tiktok", "TikTok";
        Flickr = "flickr", "Flickr";
        Whatsapp = "whatsapp", "WhatsApp";
        Threads = "threads", "Threads";
        Bluesky = "bluesky", "Bluesky";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_round_trips_through_from_str_and_serde() {
        for c in Category::ALL {
            assert_eq!(c.as_str().parse::<Category>().unwrap(), *c);
            let json = format!("\"{}\"", c.as_str());
            assert_eq!(serde_json_like(*c), json);
        }
        for i in Intent::ALL {
            assert_eq!(i.as_str().parse::<Intent>().unwrap(), *i);
        }
        for t in DiscriminationTarget::ALL {
            assert_eq!(t.as_str().parse::<DiscriminationTarget>().unwrap(), *t);
        }
        for k in PersonalDataKind::ALL {
            assert_eq!(k.as_str().parse::<PersonalDataKind>().unwrap(), *k);
        }
        for p in Platform::ALL {
            assert_eq!(p.as_str().parse::<Platform>().unwrap(), *p);
            assert_eq!(
                serde_json::to_string(p).unwrap(),
                format!("\"{}\"", p.as_str())
            );
        }
    }

    fn serde_json_like(c: Category) -> String {
        serde_json::to_string(&c).unwrap()
    }

    #[test]
    fn unknown_id_names_the_value_and_the_accepted_ones() {
        let err = "insulto".parse::<Category>().unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("`insulto`"), "{msg}");
        assert!(msg.contains("insult,"), "{msg}");
    }

    #[test]
    fn special_personal_data_kinds_are_the_gdpr_ones() {
        assert!(PersonalDataKind::Health.is_special());
        assert!(PersonalDataKind::CriminalRecord.is_special());
        assert!(!PersonalDataKind::Iban.is_special());
    }
}
