//! The LinkedIn connector over real HTTP against the fake versioned REST
//! API: comments on the organisation's posts read under them, an answer
//! written once as the organisation, a text post, the version header on
//! every call, and the errors (revoked token, missing permission,
//! throttle) told apart.

use piazza_fakes::linkedin::FakeLinkedin;
use piazza_platforms::linkedin::{API_VERSION, LinkedinConnection, LinkedinConnector};
use piazza_platforms::{
    Connector, Delivery, Failure, FetchRequest, IncomingEvent, Operation, PermanentCode,
    SecretString,
};

const ORG: &str = "urn:li:organization:2414183";

fn connector(fake: &FakeLinkedin, token: &str) -> LinkedinConnector {
    LinkedinConnector::new(LinkedinConnection {
        api_url: fake.url(),
        organization_id: "2414183".into(),
        token: SecretString::new(token),
    })
    .unwrap()
}

#[test]
fn comments_are_read_and_answered_as_the_organisation() {
    let fake = FakeLinkedin::start();
    fake.add_token(
        "tok",
        ORG,
        &["r_organization_social", "w_organization_social"],
    );
    let post = fake.add_post(ORG, "Bando per 20 tirocini in Città metropolitana");
    let q = fake.add_comment(&post, "urn:li:person:abc", "Qual è la scadenza?", None);
    let c = connector(&fake, "tok");
    let page = c.fetch(&FetchRequest::default()).unwrap();
    assert_eq!(page.posts.len(), 1);
    let comments: Vec<_> = page
        .events
        .iter()
        .filter_map(|e| match e {
            IncomingEvent::Comment(c) => Some(c),
            _ => None,
        })
        .collect();
    assert_eq!(comments.len(), 1);
    assert_eq!(comments[0].external_id, q);
    assert_eq!(comments[0].post_external_id.as_deref(), Some(post.as_str()));
    assert_eq!(
        comments[0].post_text.as_deref(),
        Some("Bando per 20 tirocini in Città metropolitana")
    );
    assert!(
        fake.calls()
            .iter()
            .all(|(_, _, v)| v.as_deref() == Some(API_VERSION))
    );

    let mut r = Delivery::new(Operation::Reply, "r");
    r.comment_external_id = Some(q.clone());
    r.post_external_id = Some(post.clone());
    r.text = Some("Il 15 gennaio.".into());
    let done = c.deliver(&r).unwrap();
    let ours: Vec<_> = fake
        .comments_on(&post)
        .into_iter()
        .filter(|x| x.actor == ORG)
        .collect();
    assert_eq!(ours.len(), 1);
    assert_eq!(
        ours[0].parent.as_deref(),
        Some(format!("urn:li:comment:({post},{q})").as_str())
    );
    assert_eq!(done.platform_ref.as_deref(), Some(ours[0].id.as_str()));
    r.uncertain = true;
    assert!(c.deliver(&r).unwrap().already);
    assert_eq!(
        fake.comments_on(&post)
            .iter()
            .filter(|x| x.actor == ORG)
            .count(),
        1
    );
    // The organisation's own answer is not read back as a comment.
    let again = c.fetch(&FetchRequest::default()).unwrap();
    assert_eq!(again.events.len(), 1);

    let mut p = Delivery::new(Operation::Publish, "p");
    p.text = Some("Aperte le iscrizioni.".into());
    p.link = Some("https://www.cittametropolitana.torino.it/tirocini".into());
    let published = c.deliver(&p).unwrap();
    assert!(published.platform_ref.unwrap().starts_with("urn:li:share:"));
    assert!(
        fake.posts_of(ORG)
            .iter()
            .any(|(_, t)| t.contains("tirocini"))
    );

    // Deleting someone's comment has no API.
    let mut d = Delivery::new(Operation::Delete, "d");
    d.comment_external_id = Some(q);
    assert!(matches!(
        c.deliver(&d),
        Err(Failure::Permanent {
            code: PermanentCode::Unsupported,
            ..
        })
    ));
}

#[test]
fn revoked_unpermitted_and_throttled_are_told_apart() {
    let fake = FakeLinkedin::start();
    fake.add_token("read-only", ORG, &["r_organization_social"]);
    let post = fake.add_post(ORG, "Avviso");
    let q = fake.add_comment(&post, "urn:li:person:abc", "Domanda", None);
    let check = connector(&fake, "revocato").check().unwrap();
    assert!(!check.valid);
    assert!(check.problems[0].contains("60 giorni"), "{check:?}");
    let c = connector(&fake, "read-only");
    assert!(c.check().unwrap().valid);
    let mut r = Delivery::new(Operation::Reply, "r");
    r.comment_external_id = Some(q);
    r.post_external_id = Some(post);
    r.text = Some("Risposta".into());
    assert!(matches!(
        c.deliver(&r),
        Err(Failure::Permanent {
            code: PermanentCode::PermissionMissing,
            ..
        })
    ));
    fake.set_throttled(true);
    assert!(matches!(
        c.fetch(&FetchRequest::default()),
        Err(Failure::RateLimited { .. })
    ));
}
