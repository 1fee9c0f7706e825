//! A Telegram discussion group at the desk, on every backend, over real
//! HTTP against the fake Bot API, read with `getUpdates` (no public
//! address): the worker's pull files the comments under the channel post;
//! a reply throttled by flood control waits in the outbox and goes out
//! once; a reply whose first attempt may have gone through is not sent
//! again until a person has looked; a deletion past 48 hours says why.

use std::sync::Arc;

use piazza_desk::{
    AccountStatus, ActRequest, ActionKind, ConnectorKind, Desk, NewAccount, NewAdministration,
    NewConnection, NewStaff, OutboxFilter, OutboxState, PermanentCode, QueueFilter, Role,
    SecretKey, SecretString, StandardConnectors, TelegramSettings,
};
use piazza_fakes::telegram::{FakeTelegram, Rights};
use piazza_store::testing::test_stores;

const TOKEN: &str = "555:cento-bot";
const CHANNEL: i64 = -1_003_000_000_001;
const GROUP: i64 = -1_003_000_000_002;

#[test]
fn a_telegram_group_is_pulled_and_answered_once_through_the_desk() {
    for s in test_stores("telegram_desk") {
        let fake = FakeTelegram::start();
        let bot = fake.add_bot(TOKEN, "cento_bot");
        fake.add_channel(CHANNEL, "Comune di Cento");
        fake.add_group(GROUP, "Comune di Cento - commenti", Some(CHANNEL));
        fake.set_admin(GROUP, bot, Rights::all());
        fake.set_admin(CHANNEL, bot, Rights::all());
        let (_, forward) = fake.channel_post(CHANNEL, "Raccolta rifiuti: nuovi orari da lunedì");
        let forward = forward.unwrap();
        let q1 = fake.comment(GROUP, forward, 42, "Anna", "E il sabato passate?");
        let q2 = fake.comment(GROUP, forward, 43, "Bruno", "Anche in via Ferrarese?");
        let spam = fake.comment(
            GROUP,
            forward,
            44,
            "Carlo",
            "Guadagna 500 euro al giorno da casa",
        );
        fake.age(GROUP, spam, 50 * 3600);

        let desk = Desk::new(s.store.clone()).with_platforms(
            Arc::new(StandardConnectors {
                meta: Default::default(),
                sandbox_backlog: 0,
                telegram: TelegramSettings {
                    api_url: fake.url(),
                    public_url: None,
                },
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
        desk.add_staff(admin, Some(&root), person("bea", Role::Moderatore))
            .unwrap();
        let boss = desk.actor(admin, "capo").unwrap();
        let account = desk
            .add_account(
                &boss,
                NewAccount {
                    platform: piazza_policy::Platform::Telegram,
                    name: "Comune di Cento su Telegram".into(),
                    handle: Some("@comunecento".into()),
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
        desk.assign(&boss, "bea", account, None).unwrap();
        desk.connect(
            &boss,
            NewConnection {
                account_id: account,
                connector: ConnectorKind::Telegram,
                platform_account: GROUP.to_string(),
                page_id: Some(CHANNEL.to_string()),
                token: Some(SecretString::new(TOKEN)),
                base_url: None,
            },
        )
        .unwrap();
        assert!(!desk.subscribe_webhooks(admin, account).unwrap());
        let check = desk.check_connection(admin, account).unwrap();
        assert!(check.valid, "{check:?}");

        // The worker's round pulls the group: three comments under the post.
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
        assert_eq!(queue.len(), 3, "{queue:?}");
        // The next round reads nothing twice.
        assert!(desk.pull_accounts().is_empty());
        assert_eq!(desk.queue(admin, &QueueFilter::default()).unwrap().len(), 3);
        let id_of = |text: &str| {
            queue
                .iter()
                .find(|q| q.text.as_deref() == Some(text))
                .unwrap()
                .id
        };
        let item = desk.item(&anna, id_of("E il sabato passate?")).unwrap();
        assert_eq!(
            item.post_text.as_deref(),
            Some("Raccolta rifiuti: nuovi orari da lunedì")
        );

        let reply = |id, text: &str| {
            let mut r = ActRequest::new(id, ActionKind::Reply);
            r.template = Some("risposta".into());
            r.reply_text = Some(text.into());
            desk.act(&anna, &r).unwrap();
        };
        let ours = || {
            fake.messages_in(GROUP)
                .into_iter()
                .filter(|m| m.from.as_ref().is_some_and(|f| f.0 == bot))
                .collect::<Vec<_>>()
        };

        // Flood control: the reply waits, the account pauses, nothing is
        // lost, and it goes out once when the wait is over.
        reply(id_of("E il sabato passate?"), "Sì, il sabato mattina.");
        fake.flood(1, 2);
        let run = desk.deliver_outbox(10).unwrap();
        assert_eq!((run.done, run.retrying), (0, 1), "{run:?}");
        assert!(ours().is_empty());
        let waiting = desk
            .outbox(
                admin,
                &OutboxFilter {
                    limit: 10,
                    ..OutboxFilter::default()
                },
            )
            .unwrap();
        assert_eq!(waiting[0].state, OutboxState::Pending);
        std::thread::sleep(std::time::Duration::from_millis(2100));
        let run = desk.deliver_outbox(10).unwrap();
        assert_eq!(run.done, 1, "{run:?}");
        assert_eq!(ours().len(), 1);
        assert_eq!(ours()[0].reply_to, Some(q1));

        // Telegram fails on its side: the attempt is in doubt, and the
        // reply is not sent again until a person has looked.
        reply(
            id_of("Anche in via Ferrarese?"),
            "Sì, anche in via Ferrarese.",
        );
        fake.break_for(1);
        let run = desk.deliver_outbox(10).unwrap();
        assert_eq!(run.retrying, 1, "{run:?}");
        // The backoff has passed when the row is due again.
        let step = desk
            .outbox(
                admin,
                &OutboxFilter {
                    limit: 10,
                    ..OutboxFilter::default()
                },
            )
            .unwrap()
            .into_iter()
            .find(|o| o.state == OutboxState::Pending)
            .unwrap();
        desk.retry_outbox(&boss, step.id).unwrap();
        let run = desk.deliver_outbox(10).unwrap();
        assert_eq!(run.failed, 1, "{run:?}");
        let failed = desk
            .outbox(
                admin,
                &OutboxFilter {
                    limit: 10,
                    ..OutboxFilter::default()
                },
            )
            .unwrap()
            .into_iter()
            .find(|o| o.id == step.id)
            .unwrap();
        assert_eq!(failed.state, OutboxState::Failed);
        assert_eq!(failed.failure, Some(PermanentCode::Unverifiable));
        assert_eq!(ours().len(), 1);
        // The person looked, found nothing, and retries: it goes out once.
        desk.retry_outbox(&boss, step.id).unwrap();
        let run = desk.deliver_outbox(10).unwrap();
        assert_eq!(run.done, 1, "{run:?}");
        assert_eq!(ours().len(), 2);
        assert_eq!(ours()[1].reply_to, Some(q2));

        // Past 48 hours a bot cannot delete: the step fails and says why.
        let mut remove = ActRequest::new(
            id_of("Guadagna 500 euro al giorno da casa"),
            ActionKind::Remove,
        );
        remove.categories = vec![piazza_taxonomy::Category::Spam];
        if let Some(c) = desk
            .context(admin)
            .unwrap()
            .policy
            .category_rule(piazza_taxonomy::Category::Spam)
            .clause
        {
            remove = remove.clause(c);
        }
        desk.act(&anna, &remove).unwrap();
        // Cento: a removal waits for a second moderator.
        let bea = desk.actor(admin, "bea").unwrap();
        desk.act(
            &bea,
            &ActRequest::new(
                id_of("Guadagna 500 euro al giorno da casa"),
                ActionKind::Confirm,
            ),
        )
        .unwrap();
        let run = desk.deliver_outbox(10).unwrap();
        assert_eq!(run.failed, 1, "{run:?}");
        let steps = desk
            .outbox(
                admin,
                &OutboxFilter {
                    limit: 10,
                    ..OutboxFilter::default()
                },
            )
            .unwrap();
        let delete = steps
            .iter()
            .find(|o| o.operation == piazza_desk::Operation::Delete)
            .unwrap();
        assert_eq!(delete.failure, Some(PermanentCode::NotAllowed));
        assert!(
            delete
                .last_error
                .as_deref()
                .is_some_and(|e| e.contains("48 ore")),
            "{delete:?}"
        );
        assert!(!fake.message(GROUP, spam).unwrap().deleted);
    }
}
