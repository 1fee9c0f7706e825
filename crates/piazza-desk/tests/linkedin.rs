//! A LinkedIn organisation page at the desk, on every backend, over real
//! HTTP against the fake REST API: the pull files the comments under their
//! post, an answer reaches LinkedIn once through the outbox, and a removal
//! is left to a person with LinkedIn's reason.

use std::sync::Arc;

use piazza_desk::{
    ActRequest, ActionKind, ConnectorKind, Desk, NewAdministration, NewConnection, NewStaff,
    Operation, OutboxFilter, OutboxState, QueueFilter, Role, SecretKey, SecretString,
    StandardConnectors,
};
use piazza_fakes::linkedin::FakeLinkedin;
use piazza_store::testing::test_stores;

const ORG: &str = "urn:li:organization:2414183";

#[test]
fn a_linkedin_page_is_read_and_answered_through_the_desk() {
    for s in test_stores("linkedin_desk") {
        let fake = FakeLinkedin::start();
        fake.add_token(
            "tok",
            ORG,
            &["r_organization_social", "w_organization_social"],
        );
        let post = fake.add_post(ORG, "Bando per 20 tirocini in Città metropolitana");
        let q = fake.add_comment(
            &post,
            "urn:li:person:abc",
            "Qual è la scadenza del bando?",
            None,
        );
        fake.add_comment(
            &post,
            "urn:li:person:def",
            "Vendo corsi online, scrivetemi in privato",
            None,
        );

        let desk = Desk::new(s.store.clone()).with_platforms(
            Arc::new(StandardConnectors {
                meta: Default::default(),
                sandbox_backlog: 0,
                telegram: Default::default(),
                youtube: Default::default(),
                x: Default::default(),
                flickr_url: piazza_platforms::flickr::DEFAULT_REST_URL.into(),
                linkedin_url: fake.url(),
            }),
            Some(Arc::new(
                SecretKey::from_passphrase("chiave di prova lunga almeno trentadue caratteri")
                    .unwrap(),
            )),
            120_000,
        );
        let admin = desk
            .create_administration(NewAdministration::preset("torino"))
            .unwrap()
            .id;
        let person = |u: &str, r: Role| NewStaff {
            username: u.into(),
            full_name: u.into(),
            email: None,
            roles: vec![r],
            password: None,
        };
        desk.add_staff(admin, None, person("root", Role::Admin))
            .unwrap();
        let root = desk.actor(admin, "root").unwrap();
        desk.add_staff(admin, Some(&root), person("capo", Role::Dirigente))
            .unwrap();
        desk.add_staff(admin, Some(&root), person("anna", Role::Moderatore))
            .unwrap();
        let boss = desk.actor(admin, "capo").unwrap();
        let account = desk
            .accounts(admin)
            .unwrap()
            .into_iter()
            .find(|a| a.platform == "linkedin")
            .expect("Torino's preset lists its LinkedIn page")
            .id;
        desk.assign(&boss, "anna", account, None).unwrap();
        desk.connect(
            &boss,
            NewConnection {
                account_id: account,
                connector: ConnectorKind::Linkedin,
                platform_account: "2414183".into(),
                page_id: None,
                token: Some(SecretString::new("tok")),
                base_url: None,
            },
        )
        .unwrap();
        assert!(desk.check_connection(admin, account).unwrap().valid);
        assert!(desk.pull_accounts().is_empty());
        let anna = desk.actor(admin, "anna").unwrap();
        let queue = desk
            .queue(
                admin,
                &QueueFilter {
                    scope_of: Some(anna.clone()),
                    limit: 10,
                    ..QueueFilter::default()
                },
            )
            .unwrap();
        assert_eq!(queue.len(), 2, "{queue:?}");
        let id_of = |t: &str| {
            queue
                .iter()
                .find(|x| x.text.as_deref() == Some(t))
                .unwrap()
                .id
        };
        let mut reply = ActRequest::new(id_of("Qual è la scadenza del bando?"), ActionKind::Reply);
        reply.template = Some("risposta".into());
        reply.reply_text = Some("Il 15 gennaio 2027.".into());
        desk.act(&anna, &reply).unwrap();
        // LinkedIn has no API to remove someone's comment: the desk says
        // so at once, and nothing is queued.
        let mut remove = ActRequest::new(
            id_of("Vendo corsi online, scrivetemi in privato"),
            ActionKind::Remove,
        )
        .clause(2);
        remove.categories = vec![piazza_taxonomy::Category::OffTopic];
        let refused = desk.act(&anna, &remove).unwrap_err();
        assert!(refused.to_string().contains("a mano"), "{refused}");
        let run = desk.deliver_outbox(10).unwrap();
        assert_eq!((run.done, run.failed), (1, 0), "{run:?}");
        let ours: Vec<_> = fake
            .comments_on(&post)
            .into_iter()
            .filter(|c| c.actor == ORG)
            .collect();
        assert_eq!(ours.len(), 1);
        assert!(
            ours[0]
                .parent
                .as_deref()
                .is_some_and(|p| p.ends_with(&format!(",{q})")))
        );
        let steps = desk
            .outbox(
                admin,
                &OutboxFilter {
                    limit: 20,
                    ..OutboxFilter::default()
                },
            )
            .unwrap();
        assert!(steps.iter().all(|o| o.operation != Operation::Delete));
        let answer = steps
            .iter()
            .find(|o| o.operation == Operation::Reply)
            .unwrap();
        assert_eq!(answer.state, OutboxState::Done);
    }
}
