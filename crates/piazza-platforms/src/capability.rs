//! What each platform's official API lets a page do to its comments, and
//! why an operation is missing where it is. The desk offers only what the
//! account's platform can do; the reasons are shown to moderators as they
//! are written here.
//!
//! Sources: `../shared/platform-apis.md` and the digests in
//! `../shared/platforms/`, read against the platforms' reference
//! documentation (November 2026). What the documentation leaves
//! unconfirmed is marked unsupported: a moderator is told to act on the
//! platform by hand rather than promised an action that may not happen.

use piazza_taxonomy::Platform;
use serde::{Deserialize, Serialize};

/// An operation the desk can ask a platform to carry out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// Hide a comment from everyone but its author and their friends
    /// (reversible).
    Hide,
    /// Show a hidden comment again.
    Unhide,
    /// Delete a comment.
    Delete,
    /// Reply publicly under the comment, as the account.
    Reply,
    /// Send the author a private message about the comment (the statement
    /// of reasons).
    PrivateReply,
    /// Keep the author from commenting on the account.
    Ban,
    /// Lift a ban.
    Unban,
    /// Report the content to the platform's own moderation.
    Report,
    /// Publish the administration's own post (an approved draft).
    Publish,
    /// Answer in a private conversation a citizen opened with the account.
    Message,
}

impl Operation {
    pub const ALL: [Operation; 10] = [
        Operation::Hide,
        Operation::Unhide,
        Operation::Delete,
        Operation::Reply,
        Operation::PrivateReply,
        Operation::Ban,
        Operation::Unban,
        Operation::Report,
        Operation::Publish,
        Operation::Message,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Operation::Hide => "hide",
            Operation::Unhide => "unhide",
            Operation::Delete => "delete",
            Operation::Reply => "reply",
            Operation::PrivateReply => "private_reply",
            Operation::Ban => "ban",
            Operation::Unban => "unban",
            Operation::Report => "report",
            Operation::Publish => "publish",
            Operation::Message => "message",
        }
    }

    /// What the step is called on the item page ("nascondere il commento").
    pub const fn label_it(self) -> &'static str {
        match self {
            Operation::Hide => "nascondere il commento",
            Operation::Unhide => "rendere di nuovo visibile il commento",
            Operation::Delete => "rimuovere il commento",
            Operation::Reply => "pubblicare la risposta",
            Operation::PrivateReply => "inviare la motivazione all'autore",
            Operation::Ban => "allontanare l'autore",
            Operation::Unban => "revocare l'allontanamento",
            Operation::Report => "segnalare il contenuto alla piattaforma",
            Operation::Publish => "pubblicare il post",
            Operation::Message => "inviare il messaggio privato",
        }
    }
}

impl std::str::FromStr for Operation {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Operation::ALL
            .iter()
            .copied()
            .find(|o| o.as_str() == s)
            .ok_or_else(|| format!("unknown platform operation `{s}`"))
    }
}

/// Whether a platform supports an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    Yes,
    /// Not possible through the official API; the Italian sentence says
    /// why, for the moderator.
    No(&'static str),
}

impl Support {
    pub fn is_yes(self) -> bool {
        matches!(self, Support::Yes)
    }
}

/// The capability map of one platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    pub platform: Platform,
}

impl Capabilities {
    pub const fn of(platform: Platform) -> Capabilities {
        Capabilities { platform }
    }

    /// Whether the platform's API can carry out `op`, and if not, why.
    pub fn support(self, op: Operation) -> Support {
        use Operation as O;
        use Platform as P;
        match (self.platform, op) {
            // Private conversations: a Telegram bot answers whoever wrote
            // to it; a Page (and an Instagram account through it) within
            // 24 hours of the person's last message.
            (P::Telegram | P::Facebook | P::Instagram, O::Message) => Support::Yes,
            (_, O::Message) => {
                Support::No("Piazza non gestisce conversazioni private su questa piattaforma")
            }
            // Publishing the administration's own posts: Page feed and
            // photos (pages_manage_posts); Instagram's container and
            // media_publish (an image is required); a Telegram channel
            // (sendMessage by its administrator bot); Mastodon and X
            // statuses; LinkedIn organisation posts; Flickr uploads;
            // Threads and Bluesky posts.
            (
                P::Facebook
                | P::Instagram
                | P::Telegram
                | P::Mastodon
                | P::X
                | P::Linkedin
                | P::Flickr
                | P::Threads
                | P::Bluesky,
                O::Publish,
            ) => Support::Yes,
            (P::Youtube, O::Publish) => Support::No(
                "la YouTube Data API non consente di pubblicare post della community: va fatto da YouTube Studio, a mano",
            ),
            // Graph API: hide/unhide with is_hidden, DELETE, replies as the
            // Page, private replies (pages_messaging, within 7 days), the
            // Page's blocked list.
            (P::Facebook, O::Hide | O::Unhide | O::Delete | O::Reply | O::PrivateReply)
            | (P::Facebook, O::Ban | O::Unban) => Support::Yes,
            (P::Facebook, O::Report) => Support::No(
                "Facebook non offre alle pagine un'API per segnalare un commento: la segnalazione va fatta dalla pagina, a mano",
            ),
            // Instagram Graph API: hide, DELETE (media owner), replies to
            // top-level comments, private replies within 7 days.
            (P::Instagram, O::Hide | O::Unhide | O::Delete | O::Reply | O::PrivateReply) => {
                Support::Yes
            }
            (P::Instagram, O::Ban | O::Unban) => Support::No(
                "Instagram non consente di allontanare un utente dalla pagina tramite le API: va fatto dall'app, a mano",
            ),
            (P::Instagram, O::Report) => Support::No(
                "Instagram non offre un'API per segnalare un commento: la segnalazione va fatta dall'app, a mano",
            ),
            // YouTube Data API: setModerationStatus heldForReview (hide),
            // published (unhide), rejected (remove, with banAuthor for a
            // ban); comments.insert for replies.
            (P::Youtube, O::Hide | O::Unhide | O::Delete | O::Reply | O::Ban) => Support::Yes,
            (P::Youtube, O::Unban) => Support::No(
                "YouTube non offre un'API per revocare l'allontanamento di un autore: va fatto da YouTube Studio",
            ),
            (P::Youtube, O::PrivateReply) => {
                Support::No("YouTube non ha messaggi privati: la motivazione resta in Piazza")
            }
            (P::Youtube, O::Report) => Support::No(
                "YouTube non offre un'API per segnalare un commento: va fatto da YouTube Studio",
            ),
            // X API v2: hide replies in the account's own conversations,
            // reply.
            (P::X, O::Hide | O::Unhide | O::Reply) => Support::Yes,
            (P::X, O::Delete) => Support::No(
                "X consente di cancellare solo i propri post: un commento altrui si può soltanto nascondere",
            ),
            (P::X, O::Ban | O::Unban) => Support::No(
                "X non consente tramite le API di impedire a un utente di rispondere: va fatto dall'app, a mano",
            ),
            (P::X, O::PrivateReply) => Support::No(
                "X non consente di scrivere in privato a chi non ha aperto la conversazione: la motivazione resta in Piazza",
            ),
            (P::X, O::Report) => {
                Support::No("X non offre un'API per segnalare un post: va fatto dall'app, a mano")
            }
            // Bot API: deleteMessage (within 48 hours, bot administrator),
            // sendMessage, banChatMember / unbanChatMember.
            (P::Telegram, O::Delete | O::Reply | O::Ban | O::Unban) => Support::Yes,
            (P::Telegram, O::Hide | O::Unhide) => Support::No(
                "Telegram non permette di nascondere un messaggio: si può solo cancellarlo",
            ),
            (P::Telegram, O::PrivateReply) => Support::No(
                "un bot Telegram non può scrivere per primo a un utente: la motivazione resta in Piazza",
            ),
            (P::Telegram, O::Report) => Support::No(
                "Telegram non offre ai bot un'API di segnalazione: va fatto dall'app, a mano",
            ),
            // Mastodon: statuses, reports; moderation of other servers'
            // users only through a report.
            // Ban: the account blocks the author (write:blocks).
            (P::Mastodon, O::Reply | O::Report | O::Ban | O::Unban) => Support::Yes,
            (P::Mastodon, O::Hide | O::Unhide) => {
                Support::No("Mastodon non permette di nascondere la risposta di un altro utente")
            }
            (P::Mastodon, O::Delete) => Support::No(
                "su Mastodon solo gli amministratori dell'istanza possono rimuovere i contenuti altrui: si può segnalare, o bloccare l'autore",
            ),
            (P::Mastodon, O::PrivateReply) => Support::No(
                "Piazza non invia messaggi diretti su Mastodon: la motivazione resta in Piazza",
            ),
            (P::Linkedin | P::Flickr | P::Threads | P::Bluesky, O::Reply) => Support::Yes,
            // Flickr: flickr.photos.comments.deleteComment, for the
            // account's own photos (whether for others' comments is not
            // documented: a refusal says so).
            (P::Flickr, O::Delete) => Support::Yes,
            (P::Tiktok | P::Whatsapp, _) => Support::No(
                "Piazza non ha un collegamento con questa piattaforma: ogni intervento va fatto a mano",
            ),
            (P::Linkedin | P::Flickr | P::Threads | P::Bluesky, _) => Support::No(
                "le API di questa piattaforma consentono solo di leggere e rispondere: ogni altro intervento va fatto a mano",
            ),
        }
    }

    /// The operations the platform supports.
    pub fn supported(self) -> Vec<Operation> {
        Operation::ALL
            .into_iter()
            .filter(|o| self.support(*o).is_yes())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hide_is_real_only_where_the_apis_offer_it() {
        let hides: Vec<Platform> = Platform::ALL
            .iter()
            .copied()
            .filter(|p| Capabilities::of(*p).support(Operation::Hide).is_yes())
            .collect();
        assert_eq!(
            hides,
            [
                Platform::Facebook,
                Platform::Instagram,
                Platform::Youtube,
                Platform::X
            ]
        );
    }

    #[test]
    fn every_missing_operation_says_why_in_italian() {
        for p in Platform::ALL {
            for op in Operation::ALL {
                if let Support::No(why) = Capabilities::of(*p).support(op) {
                    assert!(why.len() > 30, "{p:?} {op:?}: {why}");
                }
            }
        }
        assert_eq!(
            Capabilities::of(Platform::Instagram).support(Operation::Ban),
            Support::No(
                "Instagram non consente di allontanare un utente dalla pagina tramite le API: va fatto dall'app, a mano"
            )
        );
    }

    #[test]
    fn operations_round_trip_through_their_ids() {
        for op in Operation::ALL {
            assert_eq!(op.as_str().parse::<Operation>().unwrap(), op);
        }
        assert!("nascondi".parse::<Operation>().is_err());
    }
}
