//! The X connector over real HTTP against the fake API v2: replies read
//! from the conversations the account started, hidden and shown again,
//! answered once (and refused where X wants a mention), the refresh token
//! rotated and handed back, 15-minute windows and the monthly read budget
//! honoured without sending what would be refused.

use std::sync::Arc;

use piazza_fakes::x::FakeX;
use piazza_platforms::x::{MonthlyReads, XConnection, XConnector, XCredentials};
use piazza_platforms::{
    Connector, Delivery, Failure, FetchRequest, IncomingEvent, Operation, PermanentCode,
    SecretString,
};

const ORG: &str = "99";
const ALL: &[&str] = &[
    "tweet.read",
    "users.read",
    "tweet.write",
    "tweet.moderate.write",
    "offline.access",
];

fn setup(scopes: &[&str]) -> FakeX {
    let fake = FakeX::start();
    fake.add_user(ORG, "ComuneDiCento", "Comune di Cento");
    fake.add_user("42", "mario", "Mario");
    fake.add_user("43", "anna", "Anna");
    fake.add_client("client-x", "segreto-x");
    fake.add_refresh_token("rt-0", ORG, scopes);
    fake
}

fn connector_with(fake: &FakeX, reads: Option<u64>) -> XConnector {
    XConnector::new(XConnection {
        api_url: fake.url(),
        user_id: ORG.into(),
        username: "ComuneDiCento".into(),
        credentials: XCredentials::parse(&SecretString::new(
            r#"{"client_id":"client-x","client_secret":"segreto-x","refresh_token":"rt-0"}"#,
        ))
        .unwrap(),
        reads: Arc::new(MonthlyReads::new(reads)),
    })
    .unwrap()
}

fn comments(events: &[IncomingEvent]) -> Vec<&piazza_platforms::IncomingComment> {
    events
        .iter()
        .filter_map(|e| match e {
            IncomingEvent::Comment(c) => Some(c),
            _ => None,
        })
        .collect()
}

#[test]
fn replies_in_the_accounts_conversations_are_read_once() {
    let fake = setup(ALL);
    let root = fake.add_post(ORG, "Allerta meteo: scuole chiuse domani", None);
    let q = fake.add_post("42", "@ComuneDiCento anche i nidi?", Some(&root));
    let ours = fake.add_post(ORG, "@mario sì, anche i nidi.", Some(&q));
    let nested = fake.add_post("43", "@ComuneDiCento grazie!", Some(&ours));
    // Someone else's conversation: X would not let the account hide it.
    let elsewhere = fake.add_post("43", "Che tempo!", None);
    let org_there = fake.add_post(ORG, "@anna prudenza", Some(&elsewhere));
    fake.add_post("42", "@ComuneDiCento e voi?", Some(&org_there));
    let c = connector_with(&fake, Some(1000));

    let page = c.fetch(&FetchRequest::default()).unwrap();
    assert!(page.done);
    let cs = comments(&page.events);
    assert_eq!(cs.len(), 2, "{cs:?}");
    assert_eq!(cs[0].external_id, q);
    assert_eq!(cs[0].post_external_id.as_deref(), Some(root.as_str()));
    assert_eq!(
        cs[0].post_text.as_deref(),
        Some("Allerta meteo: scuole chiuse domani")
    );
    assert_eq!(cs[0].author_name.as_deref(), Some("@mario"));
    assert_eq!(cs[0].parent_external_id, None);
    assert_eq!(cs[1].external_id, nested);
    assert_eq!(cs[1].parent_external_id.as_deref(), Some(ours.as_str()));
    assert_eq!(page.posts.len(), 1);
    // Three replies found and two roots looked up: five posts read.
    assert_eq!(c.quota().unwrap().used, 5);

    // The next pull asks only for what is newer.
    let again = c.fetch(&FetchRequest::default()).unwrap();
    assert!(again.events.is_empty());
    let last = fake
        .calls()
        .into_iter()
        .rfind(|c| c.path == "/2/tweets/search/recent")
        .unwrap();
    assert!(last.params.contains_key("since_id"), "{last:?}");
    let newer = fake.add_post("42", "@ComuneDiCento e domani?", Some(&root));
    let third = c.fetch(&FetchRequest::default()).unwrap();
    assert_eq!(comments(&third.events)[0].external_id, newer);
}

#[test]
fn hiding_answering_and_the_summoning_rule() {
    let fake = setup(ALL);
    let root = fake.add_post(ORG, "Nuovi orari della biblioteca", None);
    let insult = fake.add_post("42", "@ComuneDiCento siete inutili", Some(&root));
    let elsewhere = fake.add_post("43", "Biblioteca chiusa di nuovo", None);
    let c = connector_with(&fake, None);

    let mut hide = Delivery::new(Operation::Hide, "h");
    hide.comment_external_id = Some(insult.clone());
    c.deliver(&hide).unwrap();
    assert!(fake.post(&insult).unwrap().hidden);
    // Idempotent, and reversible.
    c.deliver(&hide).unwrap();
    let mut unhide = hide.clone();
    unhide.operation = Some(Operation::Unhide);
    c.deliver(&unhide).unwrap();
    assert!(!fake.post(&insult).unwrap().hidden);
    // Not in the account's conversation: X refuses, the reason is kept.
    let mut other = Delivery::new(Operation::Hide, "h2");
    other.comment_external_id = Some(elsewhere.clone());
    assert!(matches!(
        c.deliver(&other),
        Err(Failure::Permanent {
            code: PermanentCode::NotAllowed,
            ..
        })
    ));
    // Deleting someone's post does not exist on X.
    let mut delete = Delivery::new(Operation::Delete, "d");
    delete.comment_external_id = Some(insult.clone());
    assert!(matches!(
        c.deliver(&delete),
        Err(Failure::Permanent {
            code: PermanentCode::Unsupported,
            ..
        })
    ));

    // An answer in the account's conversation goes through, once.
    let mut reply = Delivery::new(Operation::Reply, "r");
    reply.comment_external_id = Some(insult.clone());
    reply.post_external_id = Some(root.clone());
    reply.text = Some("Gli orari sono sul sito.".into());
    let done = c.deliver(&reply).unwrap();
    assert_eq!(fake.replies_by(ORG, &insult).len(), 1);
    reply.uncertain = true;
    let again = c.deliver(&reply).unwrap();
    assert!(again.already);
    assert_eq!(again.platform_ref, done.platform_ref);
    assert_eq!(fake.replies_by(ORG, &insult).len(), 1);
    // Where nobody summoned the account, X refuses and the desk says why.
    let mut cold = Delivery::new(Operation::Reply, "r2");
    cold.comment_external_id = Some(elsewhere.clone());
    cold.text = Some("Riapre lunedì.".into());
    match c.deliver(&cold) {
        Err(Failure::Permanent {
            code: PermanentCode::NotAllowed,
            message,
        }) => assert!(message.contains("menzionato"), "{message}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_refresh_token_rotates_and_is_handed_back_once() {
    let fake = setup(ALL);
    let c = connector_with(&fake, None);
    assert!(c.rotated_secret().is_none());
    assert!(c.check().unwrap().valid);
    let rotated = c.rotated_secret().expect("X gave a new refresh token");
    let parsed = XCredentials::parse(&rotated).unwrap();
    assert_ne!(parsed.refresh_token, "rt-0");
    assert_eq!(parsed.client_secret.as_deref(), Some("segreto-x"));
    assert!(!fake.refresh_token_valid("rt-0"));
    assert!(fake.refresh_token_valid(&parsed.refresh_token));
    assert!(c.rotated_secret().is_none());
    // The access token expires: the connector refreshes with the new one.
    fake.expire_access_tokens();
    assert!(c.check().unwrap().valid);
}

#[test]
fn windows_and_the_monthly_cap_hold_calls_back() {
    let fake = setup(ALL);
    let root = fake.add_post(ORG, "Avviso", None);
    let a = fake.add_post("42", "@ComuneDiCento uno", Some(&root));
    let c = connector_with(&fake, Some(2));
    fake.set_remaining("hide", 0);
    let mut hide = Delivery::new(Operation::Hide, "h");
    hide.comment_external_id = Some(a.clone());
    match c.deliver(&hide) {
        Err(Failure::RateLimited { retry_after, .. }) => {
            assert!(retry_after.as_secs() <= 900 && retry_after.as_secs() > 0)
        }
        other => panic!("{other:?}"),
    }
    // The window is known to be empty: nothing is sent until it resets.
    let sent = fake.calls().len();
    assert!(matches!(c.deliver(&hide), Err(Failure::RateLimited { .. })));
    assert_eq!(fake.calls().len(), sent);

    // Two reads allowed this month: one reply and its root use them up.
    c.fetch(&FetchRequest::default()).unwrap();
    assert_eq!(c.quota().unwrap().used, 2);
    let sent = fake.calls().len();
    assert!(matches!(
        c.fetch(&FetchRequest::default()),
        Err(Failure::RateLimited { .. })
    ));
    assert_eq!(fake.calls().len(), sent);

    // X's own cap answers usage-capped.
    let d = setup(ALL);
    d.add_post(ORG, "Avviso", None);
    d.set_reads_left(Some(0));
    let capped = connector_with(&d, Some(1000));
    let root = d.add_post(ORG, "Altro avviso", None);
    d.add_post("43", "@ComuneDiCento domanda", Some(&root));
    match capped.fetch(&FetchRequest::default()) {
        Err(Failure::RateLimited { message, .. }) => assert!(message.contains("mese"), "{message}"),
        other => panic!("{other:?}"),
    }
    assert!(capped.quota().unwrap().exhausted);
}

#[test]
fn the_check_names_missing_scopes_and_the_wrong_account() {
    let fake = setup(&["tweet.read", "users.read"]);
    let c = connector_with(&fake, None);
    let check = c.check().unwrap();
    assert!(!check.valid);
    let missing: Vec<&str> = check
        .missing
        .iter()
        .map(|m| m.permission.as_str())
        .collect();
    assert_eq!(missing, ["tweet.moderate.write", "tweet.write"]);
    assert!(check.problems.iter().any(|p| p.contains("offline.access")));
    assert_eq!(check.account_name.as_deref(), Some("@ComuneDiCento"));

    let other = setup(ALL);
    other.add_refresh_token("rt-altro", "43", ALL);
    let c = XConnector::new(XConnection {
        api_url: other.url(),
        user_id: ORG.into(),
        username: "ComuneDiCento".into(),
        credentials: XCredentials::parse(&SecretString::new(
            r#"{"client_id":"client-x","client_secret":"segreto-x","refresh_token":"rt-altro"}"#,
        ))
        .unwrap(),
        reads: Arc::new(MonthlyReads::new(None)),
    })
    .unwrap();
    let check = c.check().unwrap();
    assert!(!check.valid);
    assert!(check.problems.iter().any(|p| p.contains("43")), "{check:?}");
    // A revoked refresh token.
    let gone = setup(ALL);
    let c = connector_with(&gone, None);
    assert!(c.check().unwrap().valid);
    gone.expire_access_tokens();
    let fresh = connector_with(&gone, None);
    let check = fresh.check().unwrap();
    assert!(!check.valid);
    assert!(check.problems[0].contains("autorizzare"), "{check:?}");
}
