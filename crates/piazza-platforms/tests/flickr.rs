//! The Flickr connector over real HTTP against the fake REST API, every
//! call signed with OAuth 1.0a: the comments on the account's newest
//! photos read once, an answer added once, a comment deleted (and a
//! refusal explained), the token's permissions checked, a bad signature
//! refused.

use piazza_fakes::flickr::FakeFlickr;
use piazza_platforms::flickr::{FlickrConnection, FlickrConnector, FlickrCredentials};
use piazza_platforms::{
    Connector, Delivery, Failure, FetchRequest, IncomingEvent, Operation, PermanentCode,
    SecretString,
};

const ME: &str = "12345678@N01";

fn creds(secret: &str) -> FlickrCredentials {
    FlickrCredentials::parse(&SecretString::new(format!(
        r#"{{"consumer_key":"key","consumer_secret":"{secret}","token":"tok","token_secret":"tsec"}}"#
    )))
    .unwrap()
}

fn setup(perms: &str) -> (FakeFlickr, FlickrConnector) {
    let fake = FakeFlickr::start();
    fake.add_consumer("key", "csec");
    fake.add_token("tok", "tsec", ME, "cittametropolitanatorino", perms);
    let c = FlickrConnector::new(FlickrConnection {
        rest_url: fake.rest_url(),
        user_id: ME.into(),
        credentials: creds("csec"),
    })
    .unwrap();
    (fake, c)
}

#[test]
fn comments_are_read_answered_and_deleted_with_signed_calls() {
    let (fake, c) = setup("delete");
    let photo = fake.add_photo(ME, "Inaugurazione della pista ciclabile");
    let q = fake.add_comment(&photo, "99@N02", "mario", "Quando apre il secondo tratto?");
    let spam = fake.add_comment(&photo, "98@N03", "promo", "Compra follower a poco prezzo");
    let other = fake.add_photo("77@N07", "Foto di un altro");
    let theirs = fake.add_comment(&other, "99@N02", "mario", "bella");

    let page = c.fetch(&FetchRequest::default()).unwrap();
    assert_eq!(page.posts.len(), 1);
    assert_eq!(
        page.posts[0].text.as_deref(),
        Some("Inaugurazione della pista ciclabile")
    );
    let comments: Vec<_> = page
        .events
        .iter()
        .filter_map(|e| match e {
            IncomingEvent::Comment(c) => Some(c),
            _ => None,
        })
        .collect();
    assert_eq!(comments.len(), 2);
    assert_eq!(comments[0].external_id, q);
    assert_eq!(
        comments[0].post_external_id.as_deref(),
        Some(photo.as_str())
    );
    assert_eq!(comments[0].author_name.as_deref(), Some("mario"));
    // The next pull asks only for newer comments.
    assert!(c.fetch(&FetchRequest::default()).unwrap().events.is_empty());

    let mut reply = Delivery::new(Operation::Reply, "r");
    reply.comment_external_id = Some(q.clone());
    reply.post_external_id = Some(photo.clone());
    reply.text = Some("@mario apre a marzo.".into());
    let done = c.deliver(&reply).unwrap();
    reply.uncertain = true;
    let again = c.deliver(&reply).unwrap();
    assert!(again.already);
    assert_eq!(again.platform_ref, done.platform_ref);
    assert_eq!(
        fake.comments_on(&photo)
            .iter()
            .filter(|x| x.author == ME)
            .count(),
        1
    );

    let mut delete = Delivery::new(Operation::Delete, "d");
    delete.comment_external_id = Some(spam.clone());
    c.deliver(&delete).unwrap();
    assert!(fake.comment(&spam).unwrap().deleted);
    // Someone else's comment on someone else's photo: Flickr refuses.
    let mut not_ours = Delivery::new(Operation::Delete, "d2");
    not_ours.comment_external_id = Some(theirs);
    match c.deliver(&not_ours) {
        Err(Failure::Permanent {
            code: PermanentCode::NotAllowed,
            message,
        }) => assert!(message.contains("a mano"), "{message}"),
        other => panic!("{other:?}"),
    }
    // Hiding does not exist on Flickr.
    let mut hide = Delivery::new(Operation::Hide, "h");
    hide.comment_external_id = Some(q);
    assert!(matches!(
        c.deliver(&hide),
        Err(Failure::Permanent {
            code: PermanentCode::Unsupported,
            ..
        })
    ));
    // No call carried the token or the signature in the clear to the log.
    assert!(
        fake.calls()
            .iter()
            .all(|p| !p.contains_key("oauth_signature"))
    );
}

#[test]
fn the_check_reads_the_permissions_and_a_wrong_secret_is_refused() {
    let (_fake, c) = setup("read");
    let check = c.check().unwrap();
    assert!(!check.valid);
    assert_eq!(check.missing[0].permission, "write");
    assert_eq!(
        check.account_name.as_deref(),
        Some("cittametropolitanatorino")
    );

    let (fake, _) = setup("write");
    let forged = FlickrConnector::new(FlickrConnection {
        rest_url: fake.rest_url(),
        user_id: ME.into(),
        credentials: creds("segreto-sbagliato"),
    })
    .unwrap();
    let check = forged.check().unwrap();
    assert!(!check.valid);
    assert!(check.problems[0].contains("autorizzare"), "{check:?}");
}
