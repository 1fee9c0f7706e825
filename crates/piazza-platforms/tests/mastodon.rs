//! The Mastodon connector over real HTTP against the fake instance:
//! replies read from mention notifications and placed under the
//! account's post, answers written once (idempotency key and a look in
//! the thread when in doubt), reports, posts, and the documented errors.

use piazza_fakes::mastodon::FakeMastodon;
use piazza_platforms::mastodon::{MastodonConnection, MastodonConnector};
use piazza_platforms::{
    Connector, Delivery, Failure, FetchRequest, IncomingEvent, MediaItem, Operation, PermanentCode,
    SecretString,
};

const TOKEN: &str = "tok-mastodon-di-prova-123";
const SCOPES: &[&str] = &[
    "read:statuses",
    "read:notifications",
    "write:statuses",
    "write:reports",
    "write:blocks",
];

struct World {
    fake: FakeMastodon,
    org: String,
    post: String,
    reply: String,
    meta: MastodonConnector,
}

fn world() -> World {
    let fake = FakeMastodon::start();
    let org = fake.add_account("comune", "Comune di Esempio");
    fake.add_token(TOKEN, &org, SCOPES);
    let post = fake.add_status(&org, "Da lunedì lavori in via Garibaldi", None);
    let reply = fake.add_status("900", "@comune fino a quando?", Some(&post));
    let meta = MastodonConnector::new(MastodonConnection {
        instance_url: fake.url(),
        account_id: org.clone(),
        token: SecretString::new(TOKEN),
        instance_admin: false,
    })
    .unwrap();
    World {
        fake,
        org,
        post,
        reply,
        meta,
    }
}

fn code_of<T: std::fmt::Debug>(r: &Result<T, Failure>) -> Option<PermanentCode> {
    match r {
        Err(Failure::Permanent { code, .. }) => Some(*code),
        _ => None,
    }
}

#[test]
fn replies_arrive_under_the_accounts_post_and_the_cursor_moves_on() {
    let w = world();
    let page = w.meta.fetch(&FetchRequest::default()).unwrap();
    assert!(page.done);
    assert_eq!(page.posts.len(), 1);
    assert_eq!(page.posts[0].external_id, w.post);
    assert_eq!(
        page.posts[0].text.as_deref(),
        Some("Da lunedì lavori in via Garibaldi")
    );
    let [IncomingEvent::Comment(c)] = page.events.as_slice() else {
        panic!("{:?}", page.events)
    };
    assert_eq!(c.external_id, w.reply);
    assert_eq!(c.post_external_id.as_deref(), Some(w.post.as_str()));
    assert_eq!(c.text, "@comune fino a quando?");
    assert_eq!(c.author_ref.as_deref(), Some("900"));
    // From the cursor on, only what is new.
    let again = w
        .meta
        .fetch(&FetchRequest {
            cursor: page.cursor.clone(),
            since: None,
        })
        .unwrap();
    assert!(again.events.is_empty(), "{:?}", again.events);
    let later = w
        .fake
        .add_status("901", "@comune e il parcheggio?", Some(&w.post));
    let next = w
        .meta
        .fetch(&FetchRequest {
            cursor: page.cursor,
            since: None,
        })
        .unwrap();
    assert_eq!(next.events.len(), 1);
    assert_eq!(next.events[0].external_id(), later);
}

#[test]
fn an_answer_is_written_once_even_when_the_first_answer_was_lost() {
    let w = world();
    let mut d = Delivery::new(Operation::Reply, "piazza-outbox-7");
    d.comment_external_id = Some(w.reply.clone());
    d.text = Some("I lavori finiscono venerdì.".into());
    let first = w.meta.deliver(&d).unwrap();
    let id = first.platform_ref.clone().unwrap();
    let s = w.fake.status(&id).unwrap();
    assert_eq!(s.in_reply_to_id.as_deref(), Some(w.reply.as_str()));
    assert_eq!(s.visibility, "unlisted");
    // The same key within the hour: the same status, nothing new.
    let again = w.meta.deliver(&d).unwrap();
    assert_eq!(again.platform_ref.as_deref(), Some(id.as_str()));
    // A different key in doubt: found in the thread, not written again.
    d.key = "piazza-outbox-7-retry".into();
    d.uncertain = true;
    let found = w.meta.deliver(&d).unwrap();
    assert!(found.already);
    assert_eq!(found.platform_ref.as_deref(), Some(id.as_str()));
    assert_eq!(
        w.fake.statuses_of(&w.org).len(),
        2,
        "the post and one answer"
    );
    let keys: Vec<Option<String>> = w
        .fake
        .calls()
        .into_iter()
        .filter(|c| c.method == "POST")
        .map(|c| c.idempotency_key)
        .collect();
    assert_eq!(
        keys,
        [
            Some("piazza-outbox-7".to_string()),
            Some("piazza-outbox-7".to_string())
        ]
    );
}

#[test]
fn reports_posts_and_what_mastodon_cannot_do() {
    let w = world();
    let mut d = Delivery::new(Operation::Report, "k-report");
    d.comment_external_id = Some(w.reply.clone());
    d.author_ref = Some("900".into());
    d.text = Some("Insulti ripetuti (regola 2 della policy)".into());
    w.meta.deliver(&d).unwrap();
    let r = &w.fake.reports()[0];
    assert_eq!((r.account_id.as_str(), r.forward), ("900", true));
    assert_eq!(r.status_ids, std::slice::from_ref(&w.reply));
    // A post with its link.
    let mut p = Delivery::new(Operation::Publish, "k-post");
    p.text = Some("Il mercato si sposta in piazza Garibaldi.".into());
    p.link = Some("https://www.comune.example/mercato".into());
    let id = w.meta.deliver(&p).unwrap().platform_ref.unwrap();
    assert_eq!(
        w.fake.status(&id).unwrap().text,
        "Il mercato si sposta in piazza Garibaldi.\n\nhttps://www.comune.example/mercato"
    );
    // Images need a file upload Piazza does not do: refused, not dropped.
    p.key = "k-post-2".into();
    p.media = vec![MediaItem {
        url: "https://www.comune.example/a.jpg".into(),
        alt_text: "Il mercato".into(),
    }];
    assert_eq!(
        code_of(&w.meta.deliver(&p)),
        Some(PermanentCode::NotAllowed)
    );
    // Hide: the capability map's reason, in Italian.
    let mut h = Delivery::new(Operation::Hide, "k-hide");
    h.comment_external_id = Some(w.reply.clone());
    match w.meta.deliver(&h) {
        Err(Failure::Permanent {
            code: PermanentCode::Unsupported,
            message,
        }) => assert!(
            message.contains("Mastodon non permette di nascondere"),
            "{message}"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn errors_say_what_to_do_and_never_carry_the_token() {
    let w = world();
    // A reply to a status that is gone.
    let mut d = Delivery::new(Operation::Reply, "k1");
    d.comment_external_id = Some("123456".into());
    d.text = Some("Risposta".into());
    assert_eq!(
        code_of(&w.meta.deliver(&d)),
        Some(PermanentCode::ObjectGone)
    );
    // An empty answer: the instance's validation error.
    d.comment_external_id = Some(w.reply.clone());
    d.text = Some(" ".into());
    assert_eq!(code_of(&w.meta.deliver(&d)), Some(PermanentCode::Rejected));
    // The window is used up: rate limited, with a wait.
    w.fake.set_remaining(Some(0));
    d.text = Some("Risposta".into());
    match w.meta.deliver(&d) {
        Err(Failure::RateLimited { retry_after, .. }) => {
            assert!(
                retry_after.as_secs() >= 1 && retry_after.as_secs() <= 3600,
                "{retry_after:?}"
            )
        }
        other => panic!("{other:?}"),
    }
    w.fake.set_remaining(None);
    // A wrong token: invalid, said in Italian, token not in the message.
    let bad = MastodonConnector::new(MastodonConnection {
        instance_url: w.fake.url(),
        account_id: w.org.clone(),
        token: SecretString::new("token-sbagliato-segreto"),
        instance_admin: false,
    })
    .unwrap();
    let r = bad.deliver(&d);
    assert_eq!(code_of(&r), Some(PermanentCode::TokenInvalid));
    let msg = format!("{r:?}");
    assert!(!msg.contains("token-sbagliato-segreto"), "{msg}");
    let check = bad.check().unwrap();
    assert!(!check.valid);
    assert!(check.problems[0].contains("ricollega"), "{check:?}");
    let ok = w.meta.check().unwrap();
    assert!(ok.valid, "{ok:?}");
    assert_eq!(ok.account_name.as_deref(), Some("Comune di Esempio"));
    // A token without write:reports: the permission is missing.
    w.fake.add_token(
        TOKEN,
        &w.org,
        &["read:statuses", "read:notifications", "write:statuses"],
    );
    let mut rep = Delivery::new(Operation::Report, "k-r");
    rep.comment_external_id = Some(w.reply.clone());
    rep.author_ref = Some("900".into());
    assert_eq!(
        code_of(&w.meta.deliver(&rep)),
        Some(PermanentCode::PermissionMissing)
    );
}

#[test]
fn the_account_blocks_and_unblocks_an_author() {
    let w = world();
    let mut b = Delivery::new(Operation::Ban, "k-ban");
    b.author_ref = Some("900".into());
    w.meta.deliver(&b).unwrap();
    assert_eq!(w.fake.blocked_by(&w.org), ["900"]);
    // Blocking twice changes nothing.
    w.meta.deliver(&b).unwrap();
    assert_eq!(w.fake.blocked_by(&w.org), ["900"]);
    let mut u = Delivery::new(Operation::Unban, "k-unban");
    u.author_ref = Some("900".into());
    w.meta.deliver(&u).unwrap();
    assert!(w.fake.blocked_by(&w.org).is_empty());
    // An id that could change the path is refused before any call.
    b.author_ref = Some("../admin".into());
    assert_eq!(code_of(&w.meta.deliver(&b)), Some(PermanentCode::Rejected));
}

#[test]
fn on_its_own_instance_an_administrators_ban_also_silences_the_author() {
    let fake = FakeMastodon::start();
    let org = fake.add_account("comune", "Comune di Esempio");
    let mut scopes = SCOPES.to_vec();
    scopes.push("admin:write:accounts");
    fake.add_token("tok-admin", &org, &scopes);
    fake.add_token("tok-plain", &org, SCOPES);
    let admin = |token: &str| {
        MastodonConnector::new(MastodonConnection {
            instance_url: fake.url(),
            account_id: org.clone(),
            token: SecretString::new(token),
            instance_admin: true,
        })
        .unwrap()
    };
    let mut b = Delivery::new(Operation::Ban, "k-ban");
    b.author_ref = Some("900".into());
    b.text = Some("Insulti ripetuti (regola 2)".into());
    admin("tok-admin").deliver(&b).unwrap();
    assert_eq!(fake.blocked_by(&org), ["900"]);
    assert_eq!(
        fake.silenced().get("900").map(String::as_str),
        Some("Insulti ripetuti (regola 2)")
    );
    let mut u = Delivery::new(Operation::Unban, "k-unban");
    u.author_ref = Some("900".into());
    admin("tok-admin").deliver(&u).unwrap();
    assert!(fake.silenced().is_empty());
    assert!(fake.blocked_by(&org).is_empty());
    // Declared an administrator without the scope: the instance says no.
    assert_eq!(
        code_of(&admin("tok-plain").deliver(&b)),
        Some(PermanentCode::PermissionMissing)
    );
}
