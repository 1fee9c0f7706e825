//! An X account at the desk, on every backend, over real HTTP against the
//! fake API v2: replies pulled from the account's conversations, a hide
//! delivered through the outbox, an answer X refuses for want of a
//! mention failing with its reason, and the rotated refresh token sealed
//! in place of the old one so that a new process (a restart) still
//! connects.

use std::sync::Arc;

use piazza_desk::{
    AccountStatus, ActRequest, ActionKind, ConnectorKind, Desk, NewAccount, NewAdministration,
    NewConnection, NewStaff, OutboxFilter, OutboxState, QueueFilter, Role, SecretKey, SecretString,
    StandardConnectors, XSettings,
};
use piazza_fakes::x::FakeX;
use piazza_store::testing::test_stores;

const ORG: &str = "99";

fn desk_on(store: piazza_store::Store, fake: &FakeX) -> Desk {
    Desk::new(store).with_platforms(
        Arc::new(StandardConnectors {
            meta: Default::default(),
            sandbox_backlog: 0,
            telegram: Default::default(),
            youtube: Default::default(),
            x: XSettings::new(&fake.url(), Some(10_000)),
            flickr_url: piazza_platforms::flickr::DEFAULT_REST_URL.into(),
            linkedin_url: piazza_platforms::linkedin::DEFAULT_API_URL.into(),
        }),
        Some(Arc::new(
            SecretKey::from_passphrase("chiave di prova lunga almeno trentadue caratteri").unwrap(),
        )),
        120_000,
    )
}

#[test]
fn an_x_account_is_read_and_moderated_and_keeps_its_rotated_token() {
    for s in test_stores("x_desk") {
        let fake = FakeX::start();
        fake.add_user(ORG, "ComuneDiCento", "Comune di Cento");
        fake.add_user("42", "mario", "Mario");
        fake.add_client("client-x", "segreto-x");
        fake.add_refresh_token(
            "rt-0",
            ORG,
            &[
                "tweet.read",
                "users.read",
                "tweet.write",
                "tweet.moderate.write",
                "offline.access",
            ],
        );
        let root = fake.add_post(ORG, "Consiglio comunale giovedì alle 21", None);
        let insult = fake.add_post("42", "@ComuneDiCento buffoni incompetenti", Some(&root));
        // Someone's own post: not the account's conversation, not read.
        fake.add_post("42", "Il consiglio? Sempre le stesse cose", None);

        let desk = desk_on(s.store.clone(), &fake);
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
        let root_actor = desk.actor(admin, "root").unwrap();
        desk.add_staff(admin, Some(&root_actor), person("capo", Role::Dirigente))
            .unwrap();
        desk.add_staff(admin, Some(&root_actor), person("anna", Role::Moderatore))
            .unwrap();
        let boss = desk.actor(admin, "capo").unwrap();
        let account = match desk
            .accounts(admin)
            .unwrap()
            .into_iter()
            .find(|a| a.platform == "x")
        {
            Some(a) => a.id,
            None => {
                desk.add_account(
                    &boss,
                    NewAccount {
                        platform: piazza_policy::Platform::X,
                        name: "Comune di Cento su X".into(),
                        handle: Some("@ComuneDiCento".into()),
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
                .id
            }
        };
        desk.assign(&boss, "anna", account, None).unwrap();
        desk.connect(
            &boss,
            NewConnection {
                account_id: account,
                connector: ConnectorKind::X,
                platform_account: ORG.into(),
                page_id: Some("ComuneDiCento".into()),
                token: Some(SecretString::new(
                    r#"{"client_id":"client-x","client_secret":"segreto-x","refresh_token":"rt-0"}"#,
                )),
                base_url: None,
            },
        )
        .unwrap();
        let check = desk.check_connection(admin, account).unwrap();
        assert!(check.valid, "{check:?}");
        assert!(!fake.refresh_token_valid("rt-0"), "X rotated the token");

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
        // Only the reply in the account's own conversation.
        assert_eq!(queue.len(), 1, "{queue:?}");
        assert_eq!(
            queue[0].text.as_deref(),
            Some("@ComuneDiCento buffoni incompetenti")
        );

        let clause = desk
            .context(admin)
            .unwrap()
            .policy
            .category_rule(piazza_taxonomy::Category::Insult)
            .clause
            .unwrap();
        // "buffoni" is below the flag line (criticism of the comune with a
        // mild insult): the moderator who hides it names the category.
        let mut hide = ActRequest::new(queue[0].id, ActionKind::Hide).clause(clause);
        hide.categories = vec![piazza_taxonomy::Category::Insult];
        desk.act(&anna, &hide).unwrap();
        let run = desk.deliver_outbox(10).unwrap();
        assert_eq!((run.done, run.failed), (1, 0), "{run:?}");
        assert!(fake.post(&insult).unwrap().hidden);

        // A new process over the same database (a restart): the sealed
        // credentials are the rotated ones, or nothing would work now.
        let restarted = desk_on(s.store.clone(), &fake);
        let check = restarted.check_connection(admin, account).unwrap();
        assert!(check.valid, "{check:?}");

        // An answer in the account's own conversation: X accepts it even
        // under its "summoning" rule for API replies.
        fake.set_summoning_strict(true);
        let mut reply = ActRequest::new(queue[0].id, ActionKind::Reply);
        reply.template = Some("risposta".into());
        reply.reply_text = Some("Il consiglio è pubblico, vi aspettiamo.".into());
        restarted.act(&anna, &reply).unwrap();
        let run = restarted.deliver_outbox(10).unwrap();
        assert_eq!(run.done, 1, "{run:?}");
        assert_eq!(fake.replies_by(ORG, &insult).len(), 1);
        let steps = restarted
            .outbox(
                admin,
                &OutboxFilter {
                    limit: 10,
                    ..OutboxFilter::default()
                },
            )
            .unwrap();
        for o in &steps {
            match o.operation {
                piazza_desk::Operation::Hide | piazza_desk::Operation::Reply => {
                    assert_eq!(o.state, OutboxState::Done, "{o:?}")
                }
                // The statement of reasons cannot reach the author on X:
                // the step says so and stays with Piazza.
                piazza_desk::Operation::PrivateReply => {
                    assert_eq!(o.state, OutboxState::Unsupported, "{o:?}")
                }
                other => panic!("unexpected step {other:?}"),
            }
        }
    }
}
