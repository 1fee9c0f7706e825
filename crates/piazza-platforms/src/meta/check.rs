//! What each permission is needed for, and the operator's messages when a
//! token lacks one.
//!
//! Source: <https://developers.facebook.com/docs/permissions>, the comment
//! and Page references (see `shared/platforms/meta.md`, sections 3-4).
//! `pages_read_user_engagement` appears in some Meta guides but not in the
//! Permissions Reference: it is not required here.

use piazza_taxonomy::Platform;

use super::time;
use crate::capability::Operation;
use crate::connector::MissingPermission;

/// A permission, the operations that need it, and what goes missing
/// without it (completes "Manca il permesso X: ...").
pub(crate) struct Need {
    pub permission: &'static str,
    pub needed_for: &'static [Operation],
    pub without: &'static str,
}

use Operation as O;

pub(crate) const FACEBOOK: &[Need] = &[
    Need {
        permission: "pages_read_engagement",
        needed_for: &[O::Hide, O::Unhide],
        without: "Piazza non potrà leggere i post della pagina né nascondere i commenti",
    },
    Need {
        permission: "pages_read_user_content",
        needed_for: &[O::Delete],
        without: "Piazza non potrà leggere i commenti dei cittadini né rimuoverli",
    },
    Need {
        permission: "pages_manage_engagement",
        needed_for: &[O::Hide, O::Unhide, O::Delete, O::Reply, O::Ban, O::Unban],
        without: "Piazza non potrà nascondere, rimuovere o rispondere ai commenti né allontanare gli autori",
    },
    Need {
        permission: "pages_messaging",
        needed_for: &[O::PrivateReply],
        without: "la motivazione non potrà essere inviata in privato all'autore",
    },
    Need {
        permission: "pages_manage_posts",
        needed_for: &[O::Publish],
        without: "Piazza non potrà pubblicare i post approvati sulla pagina",
    },
    Need {
        permission: "pages_manage_metadata",
        needed_for: &[],
        without: "Piazza non potrà attivare i webhook della pagina: i commenti arriveranno solo con la lettura periodica",
    },
];

/// Instagram API with Facebook Login.
pub(crate) const INSTAGRAM_FACEBOOK_LOGIN: &[Need] = &[
    Need {
        permission: "instagram_basic",
        needed_for: &[],
        without: "Piazza non potrà leggere i contenuti dell'account",
    },
    Need {
        permission: "instagram_manage_comments",
        needed_for: &[O::Hide, O::Unhide, O::Delete, O::Reply],
        without: "Piazza non potrà leggere, nascondere, rimuovere o rispondere ai commenti",
    },
    Need {
        permission: "instagram_content_publish",
        needed_for: &[O::Publish],
        without: "Piazza non potrà pubblicare i post approvati sull'account",
    },
    Need {
        permission: "pages_show_list",
        needed_for: &[],
        without: "Piazza non potrà raggiungere la pagina Facebook collegata all'account",
    },
    Need {
        permission: "pages_read_engagement",
        needed_for: &[],
        without: "Piazza non potrà leggere i contenuti della pagina Facebook collegata",
    },
];

/// Instagram API with Instagram Login.
pub(crate) const INSTAGRAM_LOGIN: &[Need] = &[
    Need {
        permission: "instagram_business_basic",
        needed_for: &[],
        without: "Piazza non potrà leggere i contenuti dell'account",
    },
    Need {
        permission: "instagram_business_manage_comments",
        needed_for: &[O::Hide, O::Unhide, O::Delete, O::Reply],
        without: "Piazza non potrà leggere, nascondere, rimuovere o rispondere ai commenti",
    },
    Need {
        permission: "instagram_business_content_publish",
        needed_for: &[O::Publish],
        without: "Piazza non potrà pubblicare i post approvati sull'account",
    },
];

/// The permissions the token lacks. Instagram accepts either login's set:
/// a token with any `instagram_business_*` scope is judged against the
/// Instagram Login set, any other against the Facebook Login set.
pub(crate) fn missing(
    platform: Platform,
    scopes: &[String],
) -> Vec<(MissingPermission, &'static str)> {
    let has = |p: &str| scopes.iter().any(|s| s == p);
    let needs = match platform {
        Platform::Instagram if scopes.iter().any(|s| s.starts_with("instagram_business_")) => {
            INSTAGRAM_LOGIN
        }
        Platform::Instagram => INSTAGRAM_FACEBOOK_LOGIN,
        _ => FACEBOOK,
    };
    needs
        .iter()
        .filter(|n| !has(n.permission))
        .map(|n| {
            (
                MissingPermission {
                    permission: n.permission.to_string(),
                    needed_for: n.needed_for.to_vec(),
                },
                n.without,
            )
        })
        .collect()
}

/// `piazza connect facebook` / `piazza connect instagram`.
pub(crate) fn reconnect(platform: Platform) -> String {
    let name = if platform == Platform::Instagram {
        "instagram"
    } else {
        "facebook"
    };
    format!("generane uno nuovo e ricollega l'account con `piazza connect {name}`")
}

pub(crate) fn missing_problem(permission: &str, without: &str) -> String {
    format!("Manca il permesso {permission}: {without}")
}

pub(crate) fn expired_problem(platform: Platform, at_ms: i64) -> String {
    format!(
        "Il token è scaduto il {}: {}",
        time::format_it(at_ms),
        reconnect(platform)
    )
}

pub(crate) fn expiring_problem(platform: Platform, at_ms: i64) -> String {
    format!(
        "Il token scade il {}: per non interrompere la moderazione {}",
        time::format_it(at_ms),
        reconnect(platform)
    )
}

pub(crate) fn invalid_problem(platform: Platform, why: &str) -> String {
    format!("Il token non è valido ({why}): {}", reconnect(platform))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn facebook_needs() {
        let m = missing(
            Platform::Facebook,
            &s(&[
                "pages_read_engagement",
                "pages_read_user_content",
                "pages_manage_engagement",
            ]),
        );
        let names: Vec<&str> = m.iter().map(|(p, _)| p.permission.as_str()).collect();
        assert_eq!(
            names,
            [
                "pages_messaging",
                "pages_manage_posts",
                "pages_manage_metadata"
            ]
        );
        assert_eq!(m[0].0.needed_for, [Operation::PrivateReply]);
        assert_eq!(m[1].0.needed_for, [Operation::Publish]);
        assert_eq!(
            missing_problem(&m[0].0.permission, m[0].1),
            "Manca il permesso pages_messaging: la motivazione non potrà essere inviata in privato all'autore"
        );
        assert!(
            !FACEBOOK
                .iter()
                .any(|n| n.permission == "pages_read_user_engagement")
        );
    }

    #[test]
    fn instagram_accepts_either_login() {
        let fb_login = s(&[
            "instagram_basic",
            "instagram_manage_comments",
            "instagram_content_publish",
            "pages_show_list",
            "pages_read_engagement",
        ]);
        assert!(missing(Platform::Instagram, &fb_login).is_empty());
        let ig_login = s(&[
            "instagram_business_basic",
            "instagram_business_manage_comments",
            "instagram_business_content_publish",
        ]);
        assert!(missing(Platform::Instagram, &ig_login).is_empty());
        // Without the publishing permission, only publishing is lost.
        let m = missing(Platform::Instagram, &ig_login[..2]);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].0.needed_for, [Operation::Publish]);
        let half = s(&["instagram_business_basic"]);
        let m = missing(Platform::Instagram, &half);
        let names: Vec<&str> = m.iter().map(|(p, _)| p.permission.as_str()).collect();
        assert_eq!(
            names,
            [
                "instagram_business_manage_comments",
                "instagram_business_content_publish"
            ]
        );
        assert_eq!(missing(Platform::Instagram, &[]).len(), 5);
    }

    #[test]
    fn messages_for_the_operator() {
        assert_eq!(
            expired_problem(Platform::Facebook, 1_705_312_800_000),
            "Il token è scaduto il 15/01/2024 alle 10:00 UTC: generane uno nuovo e ricollega l'account con `piazza connect facebook`"
        );
        assert!(invalid_problem(Platform::Instagram, "x").ends_with("`piazza connect instagram`"));
    }
}
