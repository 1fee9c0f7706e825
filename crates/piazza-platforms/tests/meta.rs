//! The Meta connector against the fake Graph API, over real HTTP: every
//! call it makes, the errors Meta documents, rate limits, reconciliation
//! of uncertain replies, paged pulls that resume, the token check, and the
//! webhooks.

use std::collections::BTreeSet;
use std::time::Duration;

use piazza_fakes::meta::webhook::{
    FeedComment, IgComment, IgShape, feed_reaction, instagram_delivery, page_delivery, sign,
};
use piazza_fakes::meta::{
    FB_PAGE_SCOPES, FakeDebugToken, FakeFailure, FakeGraph, IG_FACEBOOK_LOGIN_SCOPES,
    IG_LOGIN_SCOPES,
};
use piazza_platforms::meta::usage::{DEFAULT_RATE_LIMIT_WAIT, POLICY_BLOCK_WAIT};
use piazza_platforms::meta::webhook::{
    SignatureError, parse_webhook, verify_signature, verify_subscription,
};
use piazza_platforms::meta::{GRAPH_API_VERSION, MetaConfig, MetaConnection, MetaConnector};
use piazza_platforms::{
    Connector, Delivered, Delivery, Failure, FetchRequest, IncomingEvent, Operation, PermanentCode,
    Platform, SecretString,
};

const PAGE: &str = "100200300";
const IG: &str = "17841400000000001";
const PAGE_TOKEN: &str = "EAAGpageTOKENxyz987654321";
const IG_PAGE_TOKEN: &str = "EAAGigPageTOKENabc123456";
const IG_LOGIN_TOKEN: &str = "IGQWigLoginTOKENdef777";
const TOKENS: [&str; 3] = [PAGE_TOKEN, IG_PAGE_TOKEN, IG_LOGIN_TOKEN];

struct Fb {
    fake: FakeGraph,
    post: String,
    comment: String,
}

fn fb() -> Fb {
    let fake = FakeGraph::start();
    fake.add_page(PAGE, "Comune di Esempio");
    fake.add_token(PAGE_TOKEN, PAGE, FB_PAGE_SCOPES);
    let post = fake.add_post(PAGE, "Da lunedì lavori in via Garibaldi");
    let comment = fake.add_comment(&post, "u-1", "Giulia B.", "Sei un incapace");
    Fb {
        fake,
        post,
        comment,
    }
}

fn connector(
    fake: &FakeGraph,
    platform: Platform,
    account: &str,
    page: Option<&str>,
    token: &str,
) -> MetaConnector {
    MetaConnector::new(
        MetaConfig::with_url(fake.url()),
        MetaConnection {
            platform,
            account_id: account.into(),
            page_id: page.map(str::to_string),
            token: SecretString::new(token),
        },
    )
    .unwrap()
}

fn fb_conn(fake: &FakeGraph) -> MetaConnector {
    connector(fake, Platform::Facebook, PAGE, None, PAGE_TOKEN)
}

struct Ig {
    fake: FakeGraph,
    media: String,
    comment: String,
}

fn ig() -> Ig {
    let fake = FakeGraph::start();
    fake.add_page(PAGE, "Comune di Esempio");
    fake.add_instagram(IG, "comune.esempio", Some(PAGE));
    fake.add_token(IG_PAGE_TOKEN, PAGE, IG_FACEBOOK_LOGIN_SCOPES);
    let media = fake.add_post(IG, "La biblioteca apre anche il sabato");
    let comment = fake.add_comment(&media, "igsid-9", "jane", "che schifo");
    Ig {
        fake,
        media,
        comment,
    }
}

fn ig_conn(fake: &FakeGraph) -> MetaConnector {
    connector(fake, Platform::Instagram, IG, Some(PAGE), IG_PAGE_TOKEN)
}

fn on_comment(op: Operation, comment: &str) -> Delivery {
    let mut d = Delivery::new(op, format!("key-{}", op.as_str()));
    d.comment_external_id = Some(comment.into());
    d
}

fn with_text(mut d: Delivery, text: &str) -> Delivery {
    d.text = Some(text.into());
    d
}

fn code_of(r: &Result<Delivered, Failure>) -> Option<PermanentCode> {
    match r {
        Err(Failure::Permanent { code, .. }) => Some(*code),
        _ => None,
    }
}

fn done() -> Delivered {
    Delivered::default()
}

fn already() -> Delivered {
    Delivered {
        platform_ref: None,
        already: true,
    }
}

/// Every text the connector produced must be free of every token.
fn assert_no_token(texts: &[String]) {
    for t in texts {
        for token in TOKENS {
            assert!(!t.contains(token), "token leaked in: {t}");
        }
    }
}

// ---- Facebook operations -------------------------------------------------

#[test]
fn facebook_hide_and_unhide_set_is_hidden_on_the_comment() {
    let Fb { fake, comment, .. } = fb();
    let meta = fb_conn(&fake);
    assert_eq!(
        meta.deliver(&on_comment(Operation::Hide, &comment)),
        Ok(done())
    );
    assert!(fake.comment(&comment).unwrap().hidden);
    let call = fake.calls().pop().unwrap();
    assert_eq!(call.method, "POST");
    assert_eq!(call.path, format!("/{GRAPH_API_VERSION}/{comment}"));
    assert_eq!(
        call.params.get("is_hidden").map(String::as_str),
        Some("true")
    );
    assert!(call.had_token && !call.had_proof);

    assert_eq!(
        meta.deliver(&on_comment(Operation::Unhide, &comment)),
        Ok(done())
    );
    assert!(!fake.comment(&comment).unwrap().hidden);
    assert_eq!(
        fake.calls()
            .pop()
            .unwrap()
            .params
            .get("is_hidden")
            .map(String::as_str),
        Some("false")
    );
}

#[test]
fn facebook_delete_and_a_second_delete_is_already_done() {
    let Fb { fake, comment, .. } = fb();
    let meta = fb_conn(&fake);
    assert_eq!(
        meta.deliver(&on_comment(Operation::Delete, &comment)),
        Ok(done())
    );
    assert!(fake.comment(&comment).unwrap().deleted);
    assert_eq!(fake.calls().pop().unwrap().method, "DELETE");
    // Meta answers 100/33 for a comment that is gone: the asked state holds.
    assert_eq!(
        meta.deliver(&on_comment(Operation::Delete, &comment)),
        Ok(already())
    );
    assert_eq!(fake.calls().len(), 2);
}

#[test]
fn facebook_reply_records_the_new_comment_id() {
    let Fb { fake, comment, .. } = fb();
    let meta = fb_conn(&fake);
    let d = with_text(
        on_comment(Operation::Reply, &comment),
        "Le ricordiamo la netiquette della pagina.",
    );
    let r = meta.deliver(&d).unwrap();
    let replies = fake.replies_to(&comment);
    assert_eq!(replies.len(), 1);
    assert_eq!(r.platform_ref.as_deref(), Some(replies[0].id.as_str()));
    assert!(!r.already);
    assert_eq!(replies[0].text, "Le ricordiamo la netiquette della pagina.");
    assert_eq!(replies[0].author_id, PAGE);
    assert_eq!(
        fake.calls().pop().unwrap().path,
        format!("/{GRAPH_API_VERSION}/{comment}/comments")
    );
}

#[test]
fn facebook_private_reply_goes_through_the_page_once() {
    let Fb { fake, comment, .. } = fb();
    let meta = fb_conn(&fake);
    let d = with_text(
        on_comment(Operation::PrivateReply, &comment),
        "Il suo commento è stato nascosto perché...",
    );
    let r = meta.deliver(&d).unwrap();
    let sent = fake.private_replies();
    assert_eq!(sent.len(), 1);
    assert_eq!(
        (sent[0].page_id.as_str(), sent[0].comment_id.as_str()),
        (PAGE, comment.as_str())
    );
    assert_eq!(sent[0].text, "Il suo commento è stato nascosto perché...");
    assert_eq!(r.platform_ref.as_deref(), Some(sent[0].message_id.as_str()));
    assert_eq!(
        fake.calls().pop().unwrap().path,
        format!("/{GRAPH_API_VERSION}/{PAGE}/messages")
    );
    // A retry: Meta answers 10900 (already replied), which is success.
    assert_eq!(meta.deliver(&d), Ok(already()));
    assert_eq!(fake.private_replies().len(), 1);
}

#[test]
fn facebook_ban_and_unban_use_the_pages_blocked_list() {
    let Fb { fake, .. } = fb();
    let meta = fb_conn(&fake);
    let mut ban = Delivery::new(Operation::Ban, "k-ban");
    ban.author_ref = Some("u-1".into());
    assert_eq!(meta.deliver(&ban), Ok(done()));
    assert_eq!(fake.blocked(PAGE), ["u-1"]);
    let call = fake.calls().pop().unwrap();
    assert_eq!(
        (
            call.method.as_str(),
            call.params.get("user").map(String::as_str)
        ),
        ("POST", Some("u-1"))
    );
    let mut unban = Delivery::new(Operation::Unban, "k-unban");
    unban.author_ref = Some("u-1".into());
    assert_eq!(meta.deliver(&unban), Ok(done()));
    assert!(fake.blocked(PAGE).is_empty());
    assert_eq!(fake.calls().pop().unwrap().method, "DELETE");
}

#[test]
fn a_comment_by_the_page_cannot_be_hidden() {
    let Fb { fake, comment, .. } = fb();
    let meta = fb_conn(&fake);
    let reply = meta
        .deliver(&with_text(
            on_comment(Operation::Reply, &comment),
            "Risposta",
        ))
        .unwrap()
        .platform_ref
        .unwrap();
    let r = meta.deliver(&on_comment(Operation::Hide, &reply));
    assert_eq!(code_of(&r), Some(PermanentCode::NotAllowed), "{r:?}");
}

#[test]
fn deliveries_without_what_they_need_are_refused_without_a_call() {
    let Fb { fake, comment, .. } = fb();
    let meta = fb_conn(&fake);
    let no_text = on_comment(Operation::Reply, &comment);
    assert_eq!(
        code_of(&meta.deliver(&no_text)),
        Some(PermanentCode::Rejected)
    );
    assert_eq!(
        code_of(&meta.deliver(&Delivery::new(Operation::Hide, "k"))),
        Some(PermanentCode::Rejected)
    );
    assert_eq!(
        code_of(&meta.deliver(&Delivery::default())),
        Some(PermanentCode::Rejected)
    );
    // An id that would change the URL never reaches it.
    let evil = on_comment(Operation::Delete, "1/../../me?x=");
    assert_eq!(code_of(&meta.deliver(&evil)), Some(PermanentCode::Rejected));
    assert!(fake.calls().is_empty());
}

// ---- Instagram operations --------------------------------------------------

#[test]
fn instagram_hide_delete_reply_and_private_reply() {
    let Ig { fake, comment, .. } = ig();
    let meta = ig_conn(&fake);
    assert_eq!(
        meta.deliver(&on_comment(Operation::Hide, &comment)),
        Ok(done())
    );
    assert!(fake.comment(&comment).unwrap().hidden);
    assert_eq!(
        fake.calls()
            .pop()
            .unwrap()
            .params
            .get("hide")
            .map(String::as_str),
        Some("true")
    );
    assert_eq!(
        meta.deliver(&on_comment(Operation::Unhide, &comment)),
        Ok(done())
    );
    assert!(!fake.comment(&comment).unwrap().hidden);

    let r = meta
        .deliver(&with_text(
            on_comment(Operation::Reply, &comment),
            "Grazie della segnalazione",
        ))
        .unwrap();
    let replies = fake.replies_to(&comment);
    assert_eq!(replies.len(), 1);
    assert_eq!(r.platform_ref.as_deref(), Some(replies[0].id.as_str()));
    assert_eq!(replies[0].author_id, IG);
    assert_eq!(
        fake.calls().pop().unwrap().path,
        format!("/{GRAPH_API_VERSION}/{comment}/replies")
    );

    let pr = meta
        .deliver(&with_text(
            on_comment(Operation::PrivateReply, &comment),
            "Motivazione",
        ))
        .unwrap();
    assert!(pr.platform_ref.is_some());
    let sent = fake.private_replies();
    assert_eq!(
        (sent[0].page_id.as_str(), sent[0].comment_id.as_str()),
        (PAGE, comment.as_str())
    );

    assert_eq!(
        meta.deliver(&on_comment(Operation::Delete, &comment)),
        Ok(done())
    );
    assert!(fake.comment(&comment).unwrap().deleted);
    assert_eq!(
        meta.deliver(&on_comment(Operation::Delete, &comment)),
        Ok(already())
    );
}

#[test]
fn instagram_private_reply_needs_the_linked_page() {
    let Ig { fake, comment, .. } = ig();
    fake.add_token(IG_LOGIN_TOKEN, IG, IG_LOGIN_SCOPES);
    let meta = connector(&fake, Platform::Instagram, IG, None, IG_LOGIN_TOKEN);
    let r = meta.deliver(&with_text(
        on_comment(Operation::PrivateReply, &comment),
        "x",
    ));
    assert_eq!(code_of(&r), Some(PermanentCode::Unsupported));
    assert!(r.unwrap_err().message().contains("page_id"));
    assert!(fake.calls().is_empty());
    // The rest works with an Instagram Login token.
    assert_eq!(
        meta.deliver(&on_comment(Operation::Hide, &comment)),
        Ok(done())
    );
}

#[test]
fn unsupported_operations_make_no_call() {
    let Ig { fake, comment, .. } = ig();
    let ig = ig_conn(&fake);
    let mut ban = Delivery::new(Operation::Ban, "k");
    ban.author_ref = Some("igsid-9".into());
    for d in [ban.clone(), on_comment(Operation::Report, &comment)] {
        let r = ig.deliver(&d);
        assert_eq!(code_of(&r), Some(PermanentCode::Unsupported), "{d:?}");
        assert!(r.unwrap_err().message().contains("Instagram"));
    }
    let mut unban = ban;
    unban.operation = Some(Operation::Unban);
    assert_eq!(
        code_of(&ig.deliver(&unban)),
        Some(PermanentCode::Unsupported)
    );
    let fb = connector(&fake, Platform::Facebook, PAGE, None, IG_PAGE_TOKEN);
    assert_eq!(
        code_of(&fb.deliver(&on_comment(Operation::Report, &comment))),
        Some(PermanentCode::Unsupported)
    );
    assert!(fake.calls().is_empty());
}

// ---- errors ----------------------------------------------------------------

/// A hide on a fresh connector after injecting `failure`.
fn hide_after(
    fake: &FakeGraph,
    comment: &str,
    failure: FakeFailure,
) -> (Result<Delivered, Failure>, MetaConnector) {
    let meta = fb_conn(fake);
    fake.fail_next(1, failure);
    (meta.deliver(&on_comment(Operation::Hide, comment)), meta)
}

#[test]
fn injected_errors_are_classified_end_to_end() {
    let Fb { fake, comment, .. } = fb();
    let mut messages = Vec::new();
    for (failure, expected) in [
        (FakeFailure::code(190), PermanentCode::TokenInvalid),
        (
            FakeFailure::with_subcode(190, 460),
            PermanentCode::TokenInvalid,
        ),
        (FakeFailure::code(200), PermanentCode::PermissionMissing),
        (FakeFailure::code(10), PermanentCode::PermissionMissing),
        (
            FakeFailure::with_subcode(100, 33),
            PermanentCode::ObjectGone,
        ),
        (FakeFailure::code(10_903), PermanentCode::NotAllowed),
    ] {
        let (r, _) = hide_after(&fake, &comment, failure.clone());
        assert_eq!(code_of(&r), Some(expected), "{failure:?}: {r:?}");
        messages.push(r.unwrap_err().to_string());
    }
    let (r, _) = hide_after(&fake, &comment, FakeFailure::code(190));
    assert!(
        r.unwrap_err()
            .message()
            .starts_with("Meta 190/463: Error validating access token"),
    );
    for failure in [
        FakeFailure::code(1),
        FakeFailure::code(2),
        FakeFailure::Http500,
        FakeFailure::DropConnection,
    ] {
        let (r, _) = hide_after(&fake, &comment, failure.clone());
        assert!(
            matches!(r, Err(Failure::Transient { .. })),
            "{failure:?}: {r:?}"
        );
        messages.push(r.unwrap_err().to_string());
    }
    assert!(
        messages
            .iter()
            .any(|m| m.contains("network error talking to Meta")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.ends_with("Meta HTTP 500")),
        "{messages:?}"
    );
    // The fake is still well after a dropped connection.
    assert_eq!(
        fb_conn(&fake).deliver(&on_comment(Operation::Hide, &comment)),
        Ok(done())
    );
    assert_no_token(&messages);
}

#[test]
fn rate_limit_codes_wait_as_meta_says() {
    let Fb { fake, comment, .. } = fb();
    for code in [4, 17, 32, 613, 80_001, 80_002] {
        let (r, meta) = hide_after(&fake, &comment, FakeFailure::code(code));
        match r {
            Err(Failure::RateLimited {
                retry_after,
                message,
            }) => {
                assert_eq!(retry_after, DEFAULT_RATE_LIMIT_WAIT, "{code}");
                assert!(message.starts_with(&format!("Meta {code}")), "{message}");
            }
            other => panic!("{code}: {other:?}"),
        }
        // The connector holds off after a rate-limit answer: no call.
        let before = fake.calls().len();
        assert!(matches!(
            meta.deliver(&on_comment(Operation::Hide, &comment)),
            Err(Failure::RateLimited { .. })
        ));
        assert_eq!(fake.calls().len(), before);
    }
    let (r, _) = hide_after(
        &fake,
        &comment,
        FakeFailure::RateLimited {
            code: 80_001,
            regain_minutes: 7,
        },
    );
    assert!(
        matches!(r, Err(Failure::RateLimited { retry_after, .. }) if retry_after == Duration::from_secs(420)),
        "{r:?}"
    );
    let (r, _) = hide_after(&fake, &comment, FakeFailure::code(368));
    assert!(
        matches!(r, Err(Failure::RateLimited { retry_after, .. }) if retry_after == POLICY_BLOCK_WAIT)
    );
}

#[test]
fn an_injected_10900_on_a_private_reply_is_already_done() {
    let Fb { fake, comment, .. } = fb();
    let meta = fb_conn(&fake);
    fake.fail_next(1, FakeFailure::code(10_900));
    let d = with_text(on_comment(Operation::PrivateReply, &comment), "Motivazione");
    assert_eq!(meta.deliver(&d), Ok(already()));
    assert!(fake.private_replies().is_empty());
}

#[test]
fn real_token_and_permission_problems_from_the_fake() {
    let Fb { fake, comment, .. } = fb();
    // A token without pages_messaging: the fake answers code 10.
    fake.add_token(
        "EAAGnoMessagingTOKEN",
        PAGE,
        &["pages_read_engagement", "pages_manage_engagement"],
    );
    let meta = connector(
        &fake,
        Platform::Facebook,
        PAGE,
        None,
        "EAAGnoMessagingTOKEN",
    );
    let r = meta.deliver(&with_text(
        on_comment(Operation::PrivateReply, &comment),
        "x",
    ));
    assert_eq!(code_of(&r), Some(PermanentCode::PermissionMissing), "{r:?}");
    assert!(r.unwrap_err().message().contains("pages_messaging"));
    // An expired token: 190/463.
    fake.set_token_expiry(PAGE_TOKEN, Some(1_600_000_000));
    let r = fb_conn(&fake).deliver(&on_comment(Operation::Hide, &comment));
    assert_eq!(code_of(&r), Some(PermanentCode::TokenInvalid));
    assert!(
        r.as_ref()
            .unwrap_err()
            .message()
            .starts_with("Meta 190/463")
    );
    assert_no_token(&[format!("{r:?}")]);
    // A token the fake never issued.
    let r = connector(&fake, Platform::Facebook, PAGE, None, "EAAGunknown")
        .deliver(&on_comment(Operation::Hide, &comment));
    assert_eq!(code_of(&r), Some(PermanentCode::TokenInvalid));
    // A comment of another Page is invisible: 100/33.
    fake.set_token_expiry(PAGE_TOKEN, None);
    fake.add_page("999", "Altra pagina");
    let other = fake.add_post("999", "altro");
    let c = fake.add_comment(&other, "u", "U", "t");
    let r = fb_conn(&fake).deliver(&on_comment(Operation::Hide, &c));
    assert_eq!(code_of(&r), Some(PermanentCode::ObjectGone));
}

#[test]
fn usage_headers_at_the_limit_stop_the_calls() {
    let Fb { fake, comment, .. } = fb();
    let meta = fb_conn(&fake);
    fake.set_usage(
        Some(r#"{"call_count":100,"total_time":40,"total_cputime":30}"#),
        None,
    );
    // The call that brings the news succeeds...
    assert_eq!(
        meta.deliver(&on_comment(Operation::Hide, &comment)),
        Ok(done())
    );
    let calls = fake.calls().len();
    // ...the next ones do not reach Meta.
    for _ in 0..3 {
        match meta.deliver(&on_comment(Operation::Unhide, &comment)) {
            Err(Failure::RateLimited { retry_after, .. }) => {
                assert!(
                    retry_after <= DEFAULT_RATE_LIMIT_WAIT
                        && retry_after > DEFAULT_RATE_LIMIT_WAIT - Duration::from_secs(60)
                );
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(meta.fetch(&FetchRequest::default()).is_err());
    assert_eq!(fake.calls().len(), calls);
    let u = meta.usage();
    assert_eq!(u.app.unwrap().call_count, 100);
    assert!(u.blocked_for.is_some());

    // A regain time in X-Business-Use-Case-Usage sets the wait.
    fake.set_usage(
        Some(r#"{"call_count":10,"total_time":10,"total_cputime":10}"#),
        Some(&format!(r#"{{"{PAGE}":[{{"type":"pages","call_count":80,"total_cputime":20,"total_time":20,"estimated_time_to_regain_access":3}}]}}"#)),
    );
    let meta = fb_conn(&fake);
    assert_eq!(
        meta.deliver(&on_comment(Operation::Hide, &comment)),
        Ok(done())
    );
    match meta.deliver(&on_comment(Operation::Hide, &comment)) {
        Err(Failure::RateLimited { retry_after, .. }) => {
            assert!(
                retry_after <= Duration::from_secs(180) && retry_after > Duration::from_secs(170)
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(meta.usage().business[0].estimated_time_to_regain_access, 3);
    assert_eq!(meta.usage().business[0].business_id, PAGE);

    // Ordinary figures leave the connector free.
    fake.set_usage(None, None);
    let meta = fb_conn(&fake);
    for _ in 0..3 {
        assert_eq!(
            meta.deliver(&on_comment(Operation::Hide, &comment)),
            Ok(done())
        );
    }
    assert_eq!(meta.usage().blocked_for, None);
    assert_eq!(meta.usage().app.unwrap().call_count, 1);
}

// ---- never post twice ----------------------------------------------------------

#[test]
fn an_uncertain_reply_that_went_through_is_found_not_posted_again() {
    let Fb { fake, comment, .. } = fb();
    let meta = fb_conn(&fake);
    let text = "Le abbiamo risposto in privato.";
    // Someone else wrote the same words: not ours.
    fake.add_comment(&comment, "u-2", "Marco R.", text);
    let d = with_text(on_comment(Operation::Reply, &comment), text);
    let first = meta.deliver(&d).unwrap().platform_ref.unwrap();
    // The answer was lost; the outbox retries with `uncertain`.
    let mut retry = d.clone();
    retry.uncertain = true;
    assert_eq!(
        meta.deliver(&retry),
        Ok(Delivered {
            platform_ref: Some(first.clone()),
            already: true
        })
    );
    assert_eq!(
        fake.replies_to(&comment)
            .iter()
            .filter(|c| c.by_account)
            .count(),
        1
    );
    let list = fake.calls().pop().unwrap();
    assert_eq!(
        (
            list.method.as_str(),
            list.params.get("filter").map(String::as_str)
        ),
        ("GET", Some("stream"))
    );

    // The same words already recorded for another delivery are not claimed.
    retry.known_refs = vec![first.clone()];
    let second = meta.deliver(&retry).unwrap();
    assert!(!second.already);
    assert_ne!(second.platform_ref.as_deref(), Some(first.as_str()));
    assert_eq!(
        fake.replies_to(&comment)
            .iter()
            .filter(|c| c.by_account)
            .count(),
        2
    );
}

#[test]
fn an_uncertain_reply_to_a_reply_is_found_in_its_thread() {
    let Fb { fake, comment, .. } = fb();
    // A citizen answers a comment; the page answers the citizen. Facebook
    // files the page's reply under the thread's first comment.
    let second = fake.add_comment(&comment, "u-3", "Luisa", "Anche da noi!");
    let meta = fb_conn(&fake);
    let mut d = with_text(
        on_comment(Operation::Reply, &second),
        "Grazie, verifichiamo.",
    );
    d.parent_external_id = Some(comment.clone());
    let first = meta.deliver(&d).unwrap().platform_ref.unwrap();
    assert!(fake.replies_to(&second).is_empty());
    d.uncertain = true;
    assert_eq!(
        meta.deliver(&d),
        Ok(Delivered {
            platform_ref: Some(first),
            already: true
        })
    );
    let ours = fake
        .replies_to(&comment)
        .iter()
        .filter(|c| c.by_account)
        .count();
    assert_eq!(ours, 1, "posted once");
}

#[test]
fn an_uncertain_reply_that_did_not_go_through_is_posted() {
    let Fb { fake, comment, .. } = fb();
    // Enough other replies to need paging through them.
    for i in 0..60 {
        fake.add_comment(&comment, &format!("u{i}"), "X", &format!("risposta {i}"));
    }
    let meta = fb_conn(&fake).with_page_sizes(10, 25);
    let mut d = with_text(on_comment(Operation::Reply, &comment), "Nuova risposta");
    d.uncertain = true;
    let r = meta.deliver(&d).unwrap();
    assert!(!r.already && r.platform_ref.is_some());
    let gets = fake.calls().iter().filter(|c| c.method == "GET").count();
    assert_eq!(gets, 3, "61 replies in pages of 25");
}

#[test]
fn an_uncertain_instagram_reply_is_found_too() {
    let Ig { fake, comment, .. } = ig();
    let meta = ig_conn(&fake);
    let d = with_text(on_comment(Operation::Reply, &comment), "Grazie!");
    let first = meta.deliver(&d).unwrap().platform_ref.unwrap();
    let mut retry = d;
    retry.uncertain = true;
    assert_eq!(
        meta.deliver(&retry),
        Ok(Delivered {
            platform_ref: Some(first),
            already: true
        })
    );
    assert_eq!(fake.replies_to(&comment).len(), 1);
    assert!(fake.calls().pop().unwrap().path.ends_with("/replies"));
}

// ---- pulls -------------------------------------------------------------------

/// Pulls to the end, returning every page.
fn pull_all(
    meta: &MetaConnector,
    mut cursor: Option<String>,
    since: Option<i64>,
) -> Vec<piazza_platforms::FetchPage> {
    let mut pages = Vec::new();
    for _ in 0..100 {
        let page = meta
            .fetch(&FetchRequest {
                cursor: cursor.clone(),
                since,
            })
            .unwrap();
        let done = page.done;
        cursor = page.cursor.clone();
        pages.push(page);
        if done {
            assert!(cursor.is_none());
            return pages;
        }
        assert!(cursor.is_some());
    }
    panic!("the pull never ended");
}

fn ids(pages: &[piazza_platforms::FetchPage]) -> Vec<String> {
    pages
        .iter()
        .flat_map(|p| p.events.iter().map(|e| e.external_id().to_string()))
        .collect()
}

#[test]
fn facebook_pull_pages_through_posts_and_comments_and_resumes() {
    let fake = FakeGraph::start();
    fake.add_page(PAGE, "Comune");
    fake.add_token(PAGE_TOKEN, PAGE, FB_PAGE_SCOPES);
    let t0 = 1_800_000_000;
    let old = fake.add_post_at(PAGE, "vecchio", t0 - 86_400 * 30);
    fake.add_comment_at(&old, "u", "U", "vecchio commento", t0 - 86_400 * 29);
    let mut expected = BTreeSet::new();
    let mut posts = Vec::new();
    for (i, n) in [5, 0, 3].into_iter().enumerate() {
        let p = fake.add_post_at(PAGE, &format!("post {i}"), t0 + i as i64 * 100);
        for j in 0..n {
            let c = fake.add_comment_at(
                &p,
                &format!("u{j}"),
                "Nome",
                &format!("c{i}.{j}"),
                t0 + 1000 + j,
            );
            expected.insert(c.clone());
            if j == 0 {
                expected.insert(fake.add_comment_at(&c, "u9", "Nove", "risposta", t0 + 2000));
            }
        }
        posts.push(p);
    }
    let meta = fb_conn(&fake).with_page_sizes(2, 2);
    let since = Some((t0 - 10) * 1000);
    let pages = pull_all(&meta, None, since);
    let got = ids(&pages);
    assert_eq!(got.iter().cloned().collect::<BTreeSet<_>>(), expected);
    assert_eq!(got.len(), expected.len(), "duplicates: {got:?}");
    let listed: Vec<String> = pages
        .iter()
        .flat_map(|p| p.posts.iter().map(|p| p.external_id.clone()))
        .collect();
    assert_eq!(
        listed,
        [posts[2].clone(), posts[1].clone(), posts[0].clone()]
    );
    assert_eq!(
        pages
            .iter()
            .flat_map(|p| &p.posts)
            .next()
            .unwrap()
            .text
            .as_deref(),
        Some("post 2")
    );
    // Each page made at most one comments request (and one posts request).
    let calls = fake.calls();
    assert_eq!(
        calls
            .iter()
            .filter(|c| c.path.ends_with("/comments"))
            .count(),
        pages.len()
    );
    assert!(calls.len() <= 2 * pages.len());
    let first = calls
        .iter()
        .find(|c| c.path.ends_with("/comments"))
        .unwrap();
    assert_eq!(
        first.params.get("filter").map(String::as_str),
        Some("stream")
    );
    assert_eq!(
        first.params.get("order").map(String::as_str),
        Some("chronological")
    );
    let posts_call = calls.iter().find(|c| c.path.ends_with("/posts")).unwrap();
    assert_eq!(
        posts_call.params.get("since").map(String::as_str),
        Some((t0 - 10).to_string().as_str())
    );
    // Comments carry their post and its text; replies their parent.
    for e in pages.iter().flat_map(|p| &p.events) {
        let IncomingEvent::Comment(c) = e else {
            panic!("{e:?}")
        };
        let post = c.post_external_id.as_deref().unwrap();
        let i = posts.iter().position(|p| p == post).unwrap();
        assert_eq!(c.post_text.as_deref(), Some(format!("post {i}").as_str()));
        assert_eq!(c.text == "risposta", c.parent_external_id.is_some());
        assert!(c.created_at >= (t0 + 1000) * 1000);
    }

    // A crash after page 3: a new connector resumes from the stored cursor.
    let fresh = fb_conn(&fake).with_page_sizes(2, 2);
    let head = {
        let mut v = Vec::new();
        let mut cursor = None;
        for _ in 0..3 {
            let p = fresh.fetch(&FetchRequest { cursor, since }).unwrap();
            cursor = p.cursor.clone();
            v.push(p);
        }
        v
    };
    let stored = head.last().unwrap().cursor.clone();
    assert!(stored.is_some());
    let resumed = pull_all(&fb_conn(&fake).with_page_sizes(2, 2), stored, None);
    let mut all = ids(&head);
    all.extend(ids(&resumed));
    assert_eq!(all.len(), expected.len(), "{all:?}");
    assert_eq!(all.into_iter().collect::<BTreeSet<_>>(), expected);
}

#[test]
fn instagram_pull_reads_media_comments_and_nested_replies() {
    let Ig {
        fake,
        media,
        comment,
    } = ig();
    let reply = fake.add_comment(&comment, "igsid-2", "bob", "concordo");
    let second = fake.add_comment(&media, "igsid-3", "ann", "bello");
    let meta = ig_conn(&fake).with_page_sizes(5, 1);
    let pages = pull_all(&meta, None, None);
    let got = ids(&pages);
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!(
        got.into_iter().collect::<BTreeSet<_>>(),
        [comment.clone(), reply.clone(), second]
            .into_iter()
            .collect()
    );
    let events: Vec<_> = pages.iter().flat_map(|p| &p.events).collect();
    let r = events
        .iter()
        .find_map(|e| match e {
            IncomingEvent::Comment(c) if c.external_id == reply => Some(c),
            _ => None,
        })
        .unwrap();
    assert_eq!(r.parent_external_id.as_deref(), Some(comment.as_str()));
    assert_eq!(r.author_ref.as_deref(), Some("igsid-2"));
    assert_eq!(
        r.post_text.as_deref(),
        Some("La biblioteca apre anche il sabato")
    );
    assert_eq!(pages[0].posts[0].external_id, media);
    assert!(
        pages[0].posts[0]
            .url
            .as_deref()
            .unwrap()
            .contains("instagram.com")
    );
    assert!(
        fake.calls()
            .iter()
            .any(|c| c.path.ends_with(&format!("{IG}/media")))
    );
}

#[test]
fn a_pull_with_nothing_to_read_is_done_at_once_and_bad_cursors_are_refused() {
    let fake = FakeGraph::start();
    fake.add_page(PAGE, "Comune");
    fake.add_token(PAGE_TOKEN, PAGE, FB_PAGE_SCOPES);
    let meta = fb_conn(&fake);
    let p = meta.fetch(&FetchRequest::default()).unwrap();
    assert!(p.done && p.events.is_empty() && p.cursor.is_none());
    let r = meta.fetch(&FetchRequest {
        cursor: Some("not a cursor".into()),
        since: None,
    });
    assert!(matches!(
        r,
        Err(Failure::Permanent {
            code: PermanentCode::Rejected,
            ..
        })
    ));
}

#[test]
fn post_context_and_gone_posts() {
    let Fb { fake, post, .. } = fb();
    let meta = fb_conn(&fake);
    let p = meta.post(&post).unwrap().unwrap();
    assert_eq!(p.text.as_deref(), Some("Da lunedì lavori in via Garibaldi"));
    assert!(p.url.unwrap().contains(PAGE));
    assert!(p.published_at.unwrap() > 1_700_000_000_000);
    assert_eq!(meta.post("123_456"), Ok(None));
    let Ig { fake, media, .. } = ig();
    let p = ig_conn(&fake).post(&media).unwrap().unwrap();
    assert_eq!(
        p.text.as_deref(),
        Some("La biblioteca apre anche il sabato")
    );
}

// ---- check, proof, subscriptions -----------------------------------------------

#[test]
fn check_reports_validity_expiry_and_missing_permissions_in_italian() {
    let Fb { fake, .. } = fb();
    let meta = fb_conn(&fake);
    let c = meta.check().unwrap();
    assert!(c.valid);
    assert_eq!(c.expires_at, None);
    assert!(c.missing.is_empty() && c.problems.is_empty(), "{c:?}");
    assert_eq!(c.account_name.as_deref(), Some("Comune di Esempio"));
    assert_eq!(c.permissions.len(), FB_PAGE_SCOPES.len());
    let dbg = fake
        .calls()
        .into_iter()
        .find(|c| c.path.ends_with("/debug_token"))
        .unwrap();
    assert_eq!(
        dbg.params.get("input_token").map(String::as_str),
        Some("***")
    );

    fake.set_debug_token(FakeDebugToken::Scopes(vec![
        "pages_read_engagement".into(),
        "pages_read_user_content".into(),
        "pages_manage_engagement".into(),
        "pages_manage_posts".into(),
        "pages_manage_metadata".into(),
    ]));
    let c = meta.check().unwrap();
    assert!(c.valid);
    assert_eq!(c.missing.len(), 1);
    assert_eq!(c.missing[0].permission, "pages_messaging");
    assert_eq!(c.missing[0].needed_for, [Operation::PrivateReply]);
    assert_eq!(
        c.problems,
        [
            "Manca il permesso pages_messaging: la motivazione non potrà essere inviata in privato all'autore"
        ]
    );

    fake.set_debug_token(FakeDebugToken::Expired { at: 1_705_312_800 });
    let c = meta.check().unwrap();
    assert!(!c.valid);
    assert_eq!(c.expires_at, Some(1_705_312_800_000));
    assert_eq!(
        c.problems,
        [
            "Il token è scaduto il 15/01/2024 alle 10:00 UTC: generane uno nuovo e ricollega l'account con `piazza connect facebook`"
        ]
    );

    let soon = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        + 86_400;
    fake.set_debug_token(FakeDebugToken::ExpiresAt(soon));
    let c = meta.check().unwrap();
    assert!(c.valid && c.expires_at == Some(soon * 1000));
    assert!(
        c.problems[0].starts_with("Il token scade il "),
        "{:?}",
        c.problems
    );

    // A revoked token cannot even ask: the check says so, it does not fail.
    fake.set_debug_token(FakeDebugToken::Truthful);
    fake.revoke_token(PAGE_TOKEN);
    let c = meta.check().unwrap();
    assert!(!c.valid);
    assert!(
        c.problems[0].starts_with("Il token non è valido (Meta 190/460"),
        "{:?}",
        c.problems
    );
    assert!(c.problems[0].ends_with("`piazza connect facebook`"));
    assert_no_token(&c.problems);
}

#[test]
fn check_accepts_either_instagram_login() {
    let Ig { fake, .. } = ig();
    let c = ig_conn(&fake).check().unwrap();
    assert!(c.valid && c.missing.is_empty(), "{c:?}");
    assert_eq!(
        c.account_name.as_deref(),
        Some("comune.esempio (Instagram)")
    );
    fake.add_token(IG_LOGIN_TOKEN, IG, IG_LOGIN_SCOPES);
    let c = connector(&fake, Platform::Instagram, IG, None, IG_LOGIN_TOKEN)
        .check()
        .unwrap();
    assert!(c.valid && c.missing.is_empty(), "{c:?}");
    assert!(c.problems.iter().any(|p| p.contains("in privato")), "{c:?}");
    fake.add_token("IGQWhalf", IG, &["instagram_business_basic"]);
    let c = connector(&fake, Platform::Instagram, IG, Some(PAGE), "IGQWhalf")
        .check()
        .unwrap();
    assert_eq!(
        c.missing[0].permission,
        "instagram_business_manage_comments"
    );
    assert!(c.missing[0].needed_for.contains(&Operation::Hide));
}

#[test]
fn appsecret_proof_is_sent_and_verified() {
    let Fb { fake, comment, .. } = fb();
    fake.set_app_secret(Some("app-secret-42"));
    let config = |secret: Option<&str>| MetaConfig {
        app_secret: secret.map(SecretString::new),
        ..MetaConfig::with_url(fake.url())
    };
    let conn = || MetaConnection {
        platform: Platform::Facebook,
        account_id: PAGE.into(),
        page_id: None,
        token: SecretString::new(PAGE_TOKEN),
    };
    let right = MetaConnector::new(config(Some("app-secret-42")), conn()).unwrap();
    assert_eq!(
        right.deliver(&on_comment(Operation::Hide, &comment)),
        Ok(done())
    );
    assert!(fake.calls().pop().unwrap().had_proof);
    for secret in [None, Some("wrong")] {
        let meta = MetaConnector::new(config(secret), conn()).unwrap();
        let r = meta.deliver(&on_comment(Operation::Unhide, &comment));
        assert_eq!(code_of(&r), Some(PermanentCode::Rejected), "{secret:?}");
        assert!(r.unwrap_err().message().contains("appsecret_proof"));
        assert!(!format!("{meta:?}").contains("app-secret-42"));
    }
    assert!(fake.comment(&comment).unwrap().hidden);
}

#[test]
fn webhook_subscriptions() {
    let Ig { fake, .. } = ig();
    fake.add_token(PAGE_TOKEN, PAGE, FB_PAGE_SCOPES);
    fb_conn(&fake).subscribe_webhooks().unwrap();
    assert_eq!(fake.subscriptions(PAGE), ["feed"]);
    fake.add_token(IG_LOGIN_TOKEN, IG, IG_LOGIN_SCOPES);
    connector(&fake, Platform::Instagram, IG, None, IG_LOGIN_TOKEN)
        .subscribe_webhooks()
        .unwrap();
    assert_eq!(fake.subscriptions(IG), ["comments"]);
    assert!(
        fake.calls()
            .pop()
            .unwrap()
            .path
            .ends_with("/me/subscribed_apps")
    );
    // Without pages_manage_metadata.
    fake.add_token("EAAGnoMeta", PAGE, &["pages_read_engagement"]);
    let r = connector(&fake, Platform::Facebook, PAGE, None, "EAAGnoMeta").subscribe_webhooks();
    assert!(matches!(
        r,
        Err(Failure::Permanent {
            code: PermanentCode::PermissionMissing,
            ..
        })
    ));
}

#[test]
fn the_token_never_shows() {
    let Fb { fake, comment, .. } = fb();
    let meta = fb_conn(&fake);
    let mut texts = vec![format!("{meta:?}"), format!("{:?}", meta.usage())];
    for failure in [
        FakeFailure::code(190),
        FakeFailure::code(100),
        FakeFailure::Http500,
        FakeFailure::DropConnection,
        FakeFailure::code(2),
    ] {
        fake.fail_next(1, failure);
        let e = fb_conn(&fake)
            .deliver(&on_comment(Operation::Hide, &comment))
            .unwrap_err();
        texts.push(format!("{e:?}"));
        texts.push(e.to_string());
    }
    // Paging answers carry `next` URLs with the token, as Meta's do.
    for i in 0..5 {
        fake.add_comment(&comment, "u", "U", &format!("r{i}"));
    }
    let page = fb_conn(&fake)
        .with_page_sizes(1, 2)
        .fetch(&FetchRequest::default())
        .unwrap();
    texts.push(format!("{page:?}"));
    let unreachable = MetaConnector::new(
        MetaConfig::with_url("http://127.0.0.1:1"),
        MetaConnection {
            platform: Platform::Facebook,
            account_id: PAGE.into(),
            page_id: None,
            token: SecretString::new(PAGE_TOKEN),
        },
    )
    .unwrap();
    let e = unreachable
        .deliver(&on_comment(Operation::Hide, &comment))
        .unwrap_err();
    assert!(matches!(e, Failure::Transient { .. }));
    texts.push(format!("{e:?}"));
    texts.push(format!("{:?}", unreachable.check()));
    assert_no_token(&texts);
    assert!(texts.iter().any(|t| t.contains("Meta 190")));
}

#[test]
fn connections_that_cannot_work_are_refused() {
    let conn = |platform, account: &str, token: &str| MetaConnection {
        platform,
        account_id: account.into(),
        page_id: None,
        token: SecretString::new(token),
    };
    assert!(MetaConnector::new(MetaConfig::default(), conn(Platform::Youtube, "1", "t")).is_err());
    assert!(MetaConnector::new(MetaConfig::default(), conn(Platform::Facebook, "", "t")).is_err());
    assert!(MetaConnector::new(MetaConfig::default(), conn(Platform::Facebook, "1", "")).is_err());
    assert!(
        MetaConnector::new(
            MetaConfig::with_url("ftp://x"),
            conn(Platform::Facebook, "1", "t")
        )
        .is_err()
    );
    let e = MetaConnector::new(
        MetaConfig::default(),
        conn(Platform::Telegram, "1", PAGE_TOKEN),
    )
    .unwrap_err();
    assert_no_token(&[e.to_string(), format!("{e:?}")]);
}

// ---- webhooks -------------------------------------------------------------------

#[test]
fn webhook_signatures() {
    let c = FeedComment::new(PAGE, "100200300_1", "1_2", "u-1", "Giulia", "ciao");
    let body = page_delivery(PAGE, 1_700_000_000, vec![c.change("add")]);
    let secret = b"app-secret";
    let good = sign(secret, &body);
    assert_eq!(verify_signature(secret, Some(&good), &body), Ok(()));
    assert_eq!(
        verify_signature(b"other-secret", Some(&good), &body),
        Err(SignatureError::Mismatch)
    );
    assert_eq!(
        verify_signature(secret, None, &body),
        Err(SignatureError::Missing)
    );
    assert!(matches!(
        verify_signature(secret, Some(&good.replacen("sha256=", "sha1=", 1)), &body),
        Err(SignatureError::Malformed(_))
    ));
    assert!(matches!(
        verify_signature(secret, Some(good.trim_start_matches("sha256=")), &body),
        Err(SignatureError::Malformed(_))
    ));
    for i in [0, body.len() / 2, body.len() - 1] {
        let mut tampered = body.clone();
        tampered[i] ^= 1;
        assert_eq!(
            verify_signature(secret, Some(&good), &tampered),
            Err(SignatureError::Mismatch),
            "byte {i}"
        );
    }
    let e = verify_signature(b"other-secret", Some(&good), &body)
        .unwrap_err()
        .to_string();
    assert!(!e.contains("other-secret") && !e.contains(&good[7..]));
    assert_eq!(
        verify_subscription(Some("subscribe"), Some("vt"), Some("42"), "vt").as_deref(),
        Some("42")
    );
    assert_eq!(
        verify_subscription(Some("subscribe"), Some("vt"), Some("42"), ""),
        None
    );
}

fn comment_of(e: &IncomingEvent) -> &piazza_platforms::IncomingComment {
    match e {
        IncomingEvent::Comment(c) => c,
        other => panic!("{other:?}"),
    }
}

#[test]
fn facebook_webhooks_add_edit_remove_and_ignore_the_rest() {
    let c = FeedComment::new(PAGE, "100200300_1", "1_2", "u-1", "Giulia", "Sei un idiota");
    let mut reply = FeedComment::new(PAGE, "100200300_1", "1_3", "u-2", "Marco", "Concordo");
    reply.parent_id = Some("1_2".into());
    reply.created_time = 1_700_000_100;
    let mut photo = FeedComment::new(PAGE, "100200300_1", "1_4", "u-3", "Anna", "");
    photo.message = None;
    let mut edited = c.clone();
    edited.message = Some("Non sono d'accordo".into());
    let body = page_delivery(
        PAGE,
        1_700_000_500,
        vec![
            c.change("add"),
            feed_reaction("100200300_1", "u-9"),
            reply.change("add"),
            photo.change("add"),
            edited.change("edited"),
            c.change("remove"),
            c.change("hide"),
        ],
    );
    let events = parse_webhook(&body).unwrap();
    assert_eq!(events.len(), 6, "{events:?}");
    assert!(
        events
            .iter()
            .all(|e| e.platform == Platform::Facebook && e.platform_account == PAGE)
    );
    let a = comment_of(&events[0].event);
    assert_eq!(
        (
            a.external_id.as_str(),
            a.post_external_id.as_deref(),
            a.parent_external_id.as_deref()
        ),
        ("1_2", Some("100200300_1"), None)
    );
    assert_eq!(
        (a.author_ref.as_deref(), a.author_name.as_deref()),
        (Some("u-1"), Some("Giulia"))
    );
    assert_eq!(
        (a.text.as_str(), a.created_at),
        ("Sei un idiota", 1_700_000_000_000)
    );
    let r = comment_of(&events[1].event);
    assert_eq!(
        (r.parent_external_id.as_deref(), r.created_at),
        (Some("1_2"), 1_700_000_100_000)
    );
    assert_eq!(comment_of(&events[2].event).text, "");
    let e = comment_of(&events[3].event);
    assert_eq!(
        (e.external_id.as_str(), e.text.as_str()),
        ("1_2", "Non sono d'accordo")
    );
    assert_eq!(
        events[4].event,
        IncomingEvent::Deleted {
            external_id: "1_2".into(),
            at: 1_700_000_000_000
        }
    );
    assert_eq!(
        events[5].event,
        IncomingEvent::Visibility {
            external_id: "1_2".into(),
            hidden: true,
            at: 1_700_000_000_000
        }
    );
}

#[test]
fn instagram_webhooks_in_both_shapes() {
    let mut reply = IgComment::new("C2", "M1", "igsid-2", "bob", "anche io");
    reply.parent_id = Some("C1".into());
    let mut with_comment_id = IgComment::new("C3", "M1", "igsid-3", "ann", "ok");
    with_comment_id.id_as_comment_id = true;
    let values = [
        IgComment::new("C1", "M1", "igsid-1", "jane", "che schifo").value(),
        reply.value(),
        with_comment_id.value(),
    ];
    for shape in [IgShape::Changes, IgShape::Flat] {
        let body = instagram_delivery(IG, 1_700_000_000, "comments", &values, shape);
        let events = parse_webhook(&body).unwrap();
        assert_eq!(events.len(), 3, "{shape:?}");
        assert!(
            events
                .iter()
                .all(|e| e.platform == Platform::Instagram && e.platform_account == IG)
        );
        let c = comment_of(&events[0].event);
        assert_eq!(
            (
                c.external_id.as_str(),
                c.post_external_id.as_deref(),
                c.author_ref.as_deref(),
                c.author_name.as_deref(),
                c.text.as_str()
            ),
            (
                "C1",
                Some("M1"),
                Some("igsid-1"),
                Some("jane"),
                "che schifo"
            )
        );
        assert_eq!(c.created_at, 1_700_000_000_000);
        assert_eq!(
            comment_of(&events[1].event).parent_external_id.as_deref(),
            Some("C1")
        );
        assert_eq!(comment_of(&events[2].event).external_id, "C3");
    }
    let live = instagram_delivery(IG, 1, "live_comments", &values[..1], IgShape::Changes);
    assert_eq!(parse_webhook(&live).unwrap().len(), 1);
    let mentions = instagram_delivery(IG, 1, "mentions", &values[..1], IgShape::Changes);
    assert!(parse_webhook(&mentions).unwrap().is_empty());
}

mod never_panic {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn parse_webhook_never_panics_on_bytes(body in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = parse_webhook(&body);
        }

        #[test]
        fn verify_signature_never_panics(
            secret in proptest::collection::vec(any::<u8>(), 0..64),
            header in proptest::option::of(".{0,80}"),
            body in proptest::collection::vec(any::<u8>(), 0..256),
        ) {
            let r = verify_signature(&secret, header.as_deref(), &body);
            // Only the right HMAC passes.
            if r.is_ok() {
                prop_assert_eq!(header.unwrap(), sign(&secret, &body));
            }
        }

        /// Valid deliveries with one value replaced by anything JSON.
        #[test]
        fn parse_webhook_never_panics_on_mutated_deliveries(
            which in 0usize..12,
            replacement in prop_oneof![
                Just("null".to_string()), Just("true".to_string()), Just("[]".to_string()),
                Just("{}".to_string()), Just("-1".to_string()), Just("1e308".to_string()),
                Just("\"\"".to_string()), Just("18446744073709551616".to_string()),
                "\"[^\"\\\\]{0,12}\"",
            ],
        ) {
            let keys = ["object", "entry", "id", "time", "changes", "field", "value", "item", "verb", "comment_id", "from", "created_time"];
            let c = FeedComment::new("P", "P_1", "1_2", "u", "n", "m");
            let body: serde_json::Value = serde_json::from_slice(&page_delivery("P", 1, vec![c.change("add")])).unwrap();
            let mutated = replace_key(body, keys[which], &replacement);
            let _ = parse_webhook(mutated.to_string().as_bytes());
            let ig = IgComment::new("C", "M", "u", "n", "t").value();
            let body: serde_json::Value = serde_json::from_slice(&instagram_delivery("I", 1, "comments", &[ig], IgShape::Flat)).unwrap();
            let _ = parse_webhook(replace_key(body, keys[which], &replacement).to_string().as_bytes());
        }
    }

    fn replace_key(v: serde_json::Value, key: &str, with: &str) -> serde_json::Value {
        use serde_json::Value;
        match v {
            Value::Object(o) => Value::Object(
                o.into_iter()
                    .map(|(k, x)| {
                        if k == key {
                            let r = serde_json::from_str(with).unwrap_or(Value::Null);
                            (k, r)
                        } else {
                            (k, replace_key(x, key, with))
                        }
                    })
                    .collect(),
            ),
            Value::Array(a) => {
                Value::Array(a.into_iter().map(|x| replace_key(x, key, with)).collect())
            }
            x => x,
        }
    }
}

fn publication(text: &str, link: Option<&str>, images: &[(&str, &str)]) -> Delivery {
    let mut d = with_text(Delivery::new(Operation::Publish, "key-publish"), text);
    d.link = link.map(str::to_string);
    d.media = images
        .iter()
        .map(|(url, alt)| piazza_platforms::MediaItem {
            url: (*url).into(),
            alt_text: (*alt).into(),
        })
        .collect();
    d
}

#[test]
fn a_page_post_goes_to_the_feed_with_its_link_or_its_photos() {
    let Fb { fake, .. } = fb();
    let meta = fb_conn(&fake);
    // Text and link: one call to /feed, Facebook builds the preview.
    let d = publication(
        "La biblioteca apre anche il sabato.",
        Some("https://www.comune.example/biblioteca"),
        &[],
    );
    let got = meta.deliver(&d).unwrap();
    let id = got.platform_ref.clone().unwrap();
    assert!(id.starts_with(&format!("{PAGE}_")), "{id}");
    let post = fake.posts(PAGE).into_iter().find(|p| p.id == id).unwrap();
    assert_eq!(
        post.text.as_deref(),
        Some("La biblioteca apre anche il sabato.")
    );
    assert_eq!(
        post.link.as_deref(),
        Some("https://www.comune.example/biblioteca")
    );
    // Two photos: uploaded unpublished with their alt text, then attached.
    fake.clear_calls();
    let d = publication(
        "Le foto della festa.",
        Some("https://www.comune.example/festa"),
        &[
            ("https://www.comune.example/a.jpg", "Il palco in piazza"),
            (
                "https://www.comune.example/b.jpg",
                "Il coro dei bambini, di spalle",
            ),
        ],
    );
    let id = meta.deliver(&d).unwrap().platform_ref.unwrap();
    let paths: Vec<String> = fake.calls().into_iter().map(|c| c.path).collect();
    let v = GRAPH_API_VERSION;
    assert_eq!(
        paths,
        [
            format!("/{v}/{PAGE}/photos"),
            format!("/{v}/{PAGE}/photos"),
            format!("/{v}/{PAGE}/feed")
        ]
    );
    let post = fake.posts(PAGE).into_iter().find(|p| p.id == id).unwrap();
    assert_eq!(post.media.len(), 2);
    assert_eq!(
        post.media[1].alt_text.as_deref(),
        Some("Il coro dei bambini, di spalle")
    );
    // No preview next to photos: the link is written in the text.
    assert_eq!(
        post.text.as_deref(),
        Some("Le foto della festa.\n\nhttps://www.comune.example/festa")
    );
    assert_eq!(post.link, None);
}

#[test]
fn a_publication_in_doubt_is_found_not_repeated_and_refusals_say_why() {
    let Fb { fake, .. } = fb();
    let meta = fb_conn(&fake);
    let mut d = publication("Avviso: uffici chiusi il 24 dicembre.", None, &[]);
    let first = meta.deliver(&d).unwrap().platform_ref.unwrap();
    d.uncertain = true;
    let again = meta.deliver(&d).unwrap();
    assert_eq!(again.platform_ref.as_deref(), Some(first.as_str()));
    assert!(again.already);
    // A post claimed by another delivery is not this one's.
    d.known_refs = vec![first.clone()];
    let other = meta.deliver(&d).unwrap();
    assert!(!other.already);
    assert_ne!(other.platform_ref.as_deref(), Some(first.as_str()));
    assert_eq!(fake.posts(PAGE).iter().filter(|p| p.by_api).count(), 2);
    // An image that is not a public address is refused before any call.
    let bad = publication("x", None, &[("foto.jpg", "una foto")]);
    assert_eq!(code_of(&meta.deliver(&bad)), Some(PermanentCode::Rejected));
    // A token without pages_manage_posts: Meta's #200, a missing permission.
    let without: Vec<&str> = FB_PAGE_SCOPES
        .iter()
        .copied()
        .filter(|s| *s != "pages_manage_posts")
        .collect();
    fake.add_token(PAGE_TOKEN, PAGE, &without);
    let r = meta.deliver(&publication("y", None, &[]));
    assert_eq!(code_of(&r), Some(PermanentCode::PermissionMissing), "{r:?}");
}

#[test]
fn instagram_publishes_a_container_or_a_carousel_and_nothing_without_an_image() {
    let Ig { fake, .. } = ig();
    let meta = ig_conn(&fake);
    let r = meta.deliver(&publication("Solo testo", None, &[]));
    assert_eq!(code_of(&r), Some(PermanentCode::NotAllowed), "{r:?}");
    let one = meta
        .deliver(&publication(
            "La nuova sala studio.",
            Some("https://www.comune.example/sala"),
            &[(
                "https://www.comune.example/sala.jpg",
                "La sala con i tavoli e le lampade",
            )],
        ))
        .unwrap()
        .platform_ref
        .unwrap();
    let post = fake.posts(IG).into_iter().find(|p| p.id == one).unwrap();
    // Captions do not make links clickable, but the address is written.
    assert_eq!(
        post.text.as_deref(),
        Some("La nuova sala studio.\n\nhttps://www.comune.example/sala")
    );
    assert_eq!(
        post.media[0].alt_text.as_deref(),
        Some("La sala con i tavoli e le lampade")
    );
    let many = meta
        .deliver(&publication(
            "Le tre sedi.",
            None,
            &[
                ("https://www.comune.example/1.jpg", "La sede di via Roma"),
                (
                    "https://www.comune.example/2.jpg",
                    "La sede di piazza Garibaldi",
                ),
                ("https://www.comune.example/3.jpg", "La sede della frazione"),
            ],
        ))
        .unwrap()
        .platform_ref
        .unwrap();
    let post = fake.posts(IG).into_iter().find(|p| p.id == many).unwrap();
    assert_eq!(post.media.len(), 3);
    assert_eq!(post.text.as_deref(), Some("Le tre sedi."));
}

#[test]
fn a_conversation_message_goes_out_within_24_hours_and_is_refused_after() {
    let f = fb();
    let c = fb_conn(&f.fake);
    f.fake.user_message(PAGE, "psid-1", "Buongiorno");
    let mut d = Delivery::new(Operation::Message, "m1");
    d.comment_external_id = Some("psid-1".into());
    d.text = Some("Buongiorno, come possiamo aiutarla?".into());
    let sent = c.deliver(&d).unwrap();
    assert!(sent.platform_ref.is_some());
    assert_eq!(f.fake.sent_messages().len(), 1);
    assert_eq!(f.fake.sent_messages()[0].messaging_type, "RESPONSE");
    // An attempt in doubt is not sent again blindly.
    d.uncertain = true;
    assert_eq!(code_of(&c.deliver(&d)), Some(PermanentCode::Unverifiable));
    assert_eq!(f.fake.sent_messages().len(), 1);
    // Past the window Meta refuses (code 10, subcode 2018278): not allowed.
    f.fake.age_user_messages("psid-1", 25 * 3600);
    d.uncertain = false;
    let r = c.deliver(&d);
    assert_eq!(code_of(&r), Some(PermanentCode::NotAllowed), "{r:?}");
    assert!(format!("{r:?}").contains("24 ore"));
    // The webhook parser: a person's message, never the Page's echo.
    let body = piazza_fakes::meta::webhook::messaging_delivery(
        "page",
        PAGE,
        "psid-1",
        "m_1",
        "Ancora io",
        1_760_000_000_000,
        false,
    );
    let events = parse_webhook(&body).unwrap();
    assert_eq!(events.len(), 1);
    assert!(matches!(&events[0].event, IncomingEvent::Message(m)
        if m.conversation_ref == "psid-1" && m.text == "Ancora io" && m.created_at == 1_760_000_000_000));
    let echo = piazza_fakes::meta::webhook::messaging_delivery(
        "page",
        PAGE,
        "psid-1",
        "m_2",
        "Risposta",
        1_760_000_000_000,
        true,
    );
    assert!(parse_webhook(&echo).unwrap().is_empty());
}
