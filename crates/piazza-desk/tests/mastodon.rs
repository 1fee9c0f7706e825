//! A Mastodon account at the desk, on every backend, over real HTTP
//! against the fake instance: connected with its instance's address,
//! replies to the account's post pulled through the one ingest pipeline,
//! an answer and a report delivered once through the outbox, and hiding
//! left to a person with the platform's reason.

use std::sync::Arc;

use piazza_desk::{
    AccountStatus, ActRequest, ActionKind, ConnectorKind, Desk, NewAccount, NewAdministration,
    NewConnection, NewStaff, Operation, OutboxFilter, OutboxState, QueueFilter, Role, SecretKey,
    SecretString, StandardConnectors,
};
use piazza_fakes::mastodon::FakeMastodon;
use piazza_store::testing::test_stores;

#[test]
fn a_mastodon_account_is_read_answered_and_reported_through_the_desk() {
    for s in test_stores("mastodon_desk") {
        let fake = FakeMastodon::start();
        let org = fake.add_account("comune", "Comune di Cento");
        fake.add_token(
            "tok-cento",
            &org,
            &[
                "read:statuses",
                "read:notifications",
                "write:statuses",
                "write:reports",
            ],
        );
        let post = fake.add_status(&org, "Da lunedì chiuso il ponte sul Reno", None);
        let question = fake.add_status("77", "@comune per quanto tempo?", Some(&post));
        let insult = fake.add_status("78", "@comune siete degli idioti", Some(&post));

        let desk = Desk::new(s.store.clone()).with_platforms(
            Arc::new(StandardConnectors {
                meta: Default::default(),
                sandbox_backlog: 0,
                telegram: Default::default(),
                youtube: Default::default(),
                x: Default::default(),
                flickr_url: piazza_platforms::flickr::DEFAULT_REST_URL.into(),
                linkedin_url: piazza_platforms::linkedin::DEFAULT_API_URL.into(),
            }),
            Some(Arc::new(
                SecretKey::from_passphrase("chiave di prova lunga almeno trentadue caratteri")
                    .unwrap(),
            )),
            120_000,
        );
        let admin = desk
            .create_administration(NewAdministration::preset("cento"))
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
            .add_account(
                &boss,
                NewAccount {
                    platform: piazza_policy::Platform::Mastodon,
                    name: "Comune di Cento su Mastodon".into(),
                    handle: Some("@comune".into()),
                    url: None,
                    kind: piazza_policy::ChannelKind::Istituzionale,
                    managing_office: None,
                    authorised_by: Some("capo".into()),
                    opened_with_email: None,
                    hours: Vec::new(),
                    status: AccountStatus::Active,
                },
            )
            .unwrap()
            .id;
        desk.assign(&boss, "anna", account, None).unwrap();
        // The instance's address is required.
        let e = desk
            .connect(
                &boss,
                NewConnection {
                    account_id: account,
                    connector: ConnectorKind::Mastodon,
                    platform_account: org.clone(),
                    page_id: None,
                    token: Some(SecretString::new("tok-cento")),
                    base_url: None,
                },
            )
            .unwrap_err();
        assert!(e.to_string().contains("istanza"), "{e}");
        desk.connect(
            &boss,
            NewConnection {
                account_id: account,
                connector: ConnectorKind::Mastodon,
                platform_account: org.clone(),
                page_id: None,
                token: Some(SecretString::new("tok-cento")),
                base_url: Some(fake.url()),
            },
        )
        .unwrap();
        let check = desk.check_connection(admin, account).unwrap();
        assert!(check.valid, "{check:?}");
        // Only who connects accounts declares the token an instance
        // administrator's.
        let anna_actor = desk.actor(admin, "anna").unwrap();
        assert!(desk.set_instance_admin(&anna_actor, account, true).is_err());
        assert!(
            !desk
                .connection(admin, account)
                .unwrap()
                .unwrap()
                .instance_admin
        );
        desk.set_instance_admin(&boss, account, true).unwrap();
        assert!(
            desk.connection(admin, account)
                .unwrap()
                .unwrap()
                .instance_admin
        );
        desk.set_instance_admin(&boss, account, false).unwrap();

        // The pull files both replies under the account's post.
        let report = desk.sync(admin, account, None, &mut |_| {}).unwrap();
        assert_eq!(report.new_comments, 2, "{report:?}");
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
        assert_eq!(queue.len(), 2);
        let id_of = |text: &str| {
            queue
                .iter()
                .find(|q| q.text.as_deref() == Some(text))
                .unwrap()
                .id
        };
        let q = id_of("@comune per quanto tempo?");
        let i = id_of("@comune siete degli idioti");
        let item = desk.item(&anna, q).unwrap();
        assert!(
            item.post_text
                .as_deref()
                .is_some_and(|t| t.contains("ponte sul Reno")),
            "{:?}",
            item.post_text
        );

        // An answer, a report, and a hide the platform cannot do.
        let mut reply = ActRequest::new(q, ActionKind::Reply);
        reply.template = Some("risposta".into());
        reply.reply_text = Some("Il ponte riapre venerdì 18.".into());
        desk.act(&anna, &reply).unwrap();
        let insult_clause = desk
            .context(admin)
            .unwrap()
            .policy
            .category_rule(piazza_taxonomy::Category::Insult)
            .clause
            .unwrap();
        desk.act(
            &anna,
            &ActRequest::new(i, ActionKind::Report).clause(insult_clause),
        )
        .unwrap();
        let run = desk.deliver_outbox(10).unwrap();
        assert_eq!(run.failed, 0, "{run:?}");
        assert_eq!(desk.deliver_outbox(10).unwrap().claimed, 0);
        let answers: Vec<_> = fake
            .statuses_of(&org)
            .into_iter()
            .filter(|s| s.in_reply_to_id.as_deref() == Some(question.as_str()))
            .collect();
        assert_eq!(answers.len(), 1);
        assert_eq!(answers[0].text, "Il ponte riapre venerdì 18.");
        let reports = fake.reports();
        assert_eq!(reports.len(), 1);
        assert_eq!(reports[0].status_ids, std::slice::from_ref(&insult));
        let steps = desk
            .outbox(
                admin,
                &OutboxFilter {
                    limit: 100,
                    ..OutboxFilter::default()
                },
            )
            .unwrap();
        assert!(
            steps
                .iter()
                .filter(|s| matches!(s.operation, Operation::Reply | Operation::Report))
                .all(|s| s.state == OutboxState::Done),
            "{steps:?}"
        );
    }
}
