//! A Flickr account at the desk, on every backend, over real HTTP against
//! the fake REST API with OAuth 1.0a signatures: the worker's pull files
//! the comments under their photo, a removal and an answer reach Flickr
//! once through the outbox, and a hide is left to a person with Flickr's
//! reason.

use std::sync::Arc;

use piazza_desk::{
    ActRequest, ActionKind, ConnectorKind, Desk, NewAdministration, NewConnection, NewStaff,
    Operation, OutboxFilter, OutboxState, QueueFilter, Role, SecretKey, SecretString,
    StandardConnectors,
};
use piazza_fakes::flickr::FakeFlickr;
use piazza_store::testing::test_stores;

const ME: &str = "12345678@N01";

#[test]
fn a_flickr_account_is_read_and_moderated_through_the_desk() {
    for s in test_stores("flickr_desk") {
        let fake = FakeFlickr::start();
        fake.add_consumer("key", "csec");
        fake.add_token("tok", "tsec", ME, "cittametropolitanatorino", "delete");
        let photo = fake.add_photo(ME, "Il Po in piena ai Murazzi");
        let spam = fake.add_comment(
            &photo,
            "98@N03",
            "promo",
            "Compra follower veri a poco prezzo su www.follower.example",
        );
        fake.add_comment(&photo, "99@N02", "mario", "Che giorno è stata scattata?");

        let desk = Desk::new(s.store.clone()).with_platforms(
            Arc::new(StandardConnectors {
                meta: Default::default(),
                sandbox_backlog: 0,
                telegram: Default::default(),
                youtube: Default::default(),
                x: Default::default(),
                flickr_url: fake.rest_url(),
                linkedin_url: piazza_platforms::linkedin::DEFAULT_API_URL.into(),
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
            .find(|a| a.platform == "flickr")
            .expect("Torino's preset lists its Flickr group")
            .id;
        desk.assign(&boss, "anna", account, None).unwrap();
        desk.connect(
            &boss,
            NewConnection {
                account_id: account,
                connector: ConnectorKind::Flickr,
                platform_account: ME.into(),
                page_id: None,
                token: Some(SecretString::new(
                    r#"{"consumer_key":"key","consumer_secret":"csec","token":"tok","token_secret":"tsec"}"#,
                )),
                base_url: None,
            },
        )
        .unwrap();
        let check = desk.check_connection(admin, account).unwrap();
        assert!(check.valid, "{check:?}");

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
        let id_of = |text: &str| {
            queue
                .iter()
                .find(|x| x.text.as_deref() == Some(text))
                .unwrap()
                .id
        };
        let item = desk
            .item(&anna, id_of("Che giorno è stata scattata?"))
            .unwrap();
        assert_eq!(item.post_text.as_deref(), Some("Il Po in piena ai Murazzi"));

        // Torino removes what is off the post's topic (clause 2).
        let mut remove = ActRequest::new(
            id_of("Compra follower veri a poco prezzo su www.follower.example"),
            ActionKind::Remove,
        )
        .clause(2);
        remove.categories = vec![piazza_taxonomy::Category::OffTopic];
        desk.act(&anna, &remove).unwrap();
        let mut reply = ActRequest::new(id_of("Che giorno è stata scattata?"), ActionKind::Reply);
        reply.template = Some("risposta".into());
        reply.reply_text = Some("@mario il 3 novembre.".into());
        desk.act(&anna, &reply).unwrap();
        let run = desk.deliver_outbox(10).unwrap();
        assert_eq!(run.failed, 0, "{run:?}");
        assert_eq!(desk.deliver_outbox(10).unwrap().claimed, 0);
        assert!(fake.comment(&spam).unwrap().deleted);
        let ours: Vec<_> = fake
            .comments_on(&photo)
            .into_iter()
            .filter(|c| c.author == ME)
            .collect();
        assert_eq!(ours.len(), 1);
        assert_eq!(ours[0].text, "@mario il 3 novembre.");
        let steps = desk
            .outbox(
                admin,
                &OutboxFilter {
                    limit: 20,
                    ..OutboxFilter::default()
                },
            )
            .unwrap();
        for o in &steps {
            match o.operation {
                Operation::Delete | Operation::Reply => {
                    assert_eq!(o.state, OutboxState::Done, "{o:?}")
                }
                // The statement of reasons has no channel on Flickr.
                Operation::PrivateReply => assert_eq!(o.state, OutboxState::Unsupported, "{o:?}"),
                other => panic!("unexpected step {other:?}"),
            }
        }
    }
}
