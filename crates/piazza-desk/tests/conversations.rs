//! Private conversations at the desk, on every backend, over real HTTP
//! against the fake Telegram Bot API: a citizen writes to the bot in
//! private; the pull files the message in a conversation (never in the
//! comment queue, personal data not flagged) with its intent and promised
//! time; only staff assigned to the account see it; the answer goes to
//! the citizen's chat once through the outbox; closing and a new message;
//! retention purges the texts, and the audit log never holds them.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use piazza_desk::{
    AccountStatus, ConnectorKind, ConversationState, Desk, Direction, NewAccount,
    NewAdministration, NewConnection, NewStaff, OutboxState, QueueFilter, Role, SecretKey,
    SecretString, StandardConnectors, TelegramSettings,
};
use piazza_fakes::telegram::{FakeTelegram, Rights};
use piazza_store::testing::test_stores;

const TOKEN: &str = "777:cento-bot";
const GROUP: i64 = -1_005_000_000_002;

#[test]
fn a_private_chat_is_a_conversation_seen_only_by_the_accounts_staff() {
    for s in test_stores("conversations") {
        let fake = FakeTelegram::start();
        let bot = fake.add_bot(TOKEN, "cento_bot");
        fake.add_group(GROUP, "Comune di Cento - commenti", None);
        fake.set_admin(GROUP, bot, Rights::all());
        let text = "Buongiorno, sono invalido civile e non riesco a prenotare il trasporto per la dialisi. Come faccio?";
        fake.private_message(4242, "Giorgio", text);

        let now = Arc::new(AtomicI64::new(piazza_store::now_ms()));
        let clock = now.clone();
        let desk = Desk::with_clock(
            s.store.clone(),
            Arc::new(move || clock.load(Ordering::SeqCst)),
        )
        .with_platforms(
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
            .create_administration(NewAdministration::preset("tradate"))
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
        for (u, r) in [
            ("capo", Role::Dirigente),
            ("anna", Role::OperatoreUrp),
            ("bruno", Role::Moderatore),
        ] {
            desk.add_staff(admin, Some(&root), person(u, r)).unwrap();
        }
        let boss = desk.actor(admin, "capo").unwrap();
        let account = desk
            .add_account(
                &boss,
                NewAccount {
                    platform: piazza_policy::Platform::Telegram,
                    name: "Comune di Cento su Telegram".into(),
                    handle: None,
                    url: None,
                    kind: piazza_policy::ChannelKind::Istituzionale,
                    managing_office: None,
                    authorised_by: Some("capo".into()),
                    opened_with_email: None,
                    // Messages answered on weekdays, office hours.
                    hours: piazza_policy::parse_hours_text("lun-ven 8:30-13:00").unwrap(),
                    status: AccountStatus::Active,
                },
            )
            .unwrap()
            .id;
        desk.assign(&boss, "anna", account, None).unwrap();
        desk.connect(
            &boss,
            NewConnection {
                account_id: account,
                connector: ConnectorKind::Telegram,
                platform_account: GROUP.to_string(),
                page_id: None,
                token: Some(SecretString::new(TOKEN)),
                base_url: None,
            },
        )
        .unwrap();

        let report = desk.sync(admin, account, None, &mut |_| {}).unwrap();
        assert_eq!(
            (report.new_messages, report.new_comments),
            (1, 0),
            "{report:?}"
        );
        // Not a comment: nothing in the queue, nothing flagged.
        assert!(
            desk.queue(admin, &QueueFilter::default())
                .unwrap()
                .is_empty()
        );

        let anna = desk.actor(admin, "anna").unwrap();
        let list = desk.conversations(&anna, None).unwrap();
        assert_eq!(list.len(), 1);
        let c = &list[0];
        assert_eq!(c.state, ConversationState::Open);
        assert_eq!(c.citizen_name.as_deref(), Some("Giorgio"));
        assert_eq!(c.intent, Some(piazza_taxonomy::Intent::Question));
        // Tradate promises an answer within 24 working hours: a time is set.
        assert!(c.deadline_at.is_some(), "{c:?}");
        // Nobody else sees it: not the dirigente, not another moderator.
        let bruno = desk.actor(admin, "bruno").unwrap();
        assert!(desk.conversations(&boss, None).unwrap().is_empty());
        assert!(desk.conversations(&bruno, None).unwrap().is_empty());
        assert!(matches!(
            desk.conversation(&boss, c.id),
            Err(piazza_desk::DeskError::OutOfScope { .. })
        ));
        assert!(desk.reply_conversation(&bruno, c.id, "ciao").is_err());

        let detail = desk.conversation(&anna, c.id).unwrap();
        assert!(detail.window.open);
        assert_eq!(detail.messages.len(), 1);
        assert_eq!(detail.messages[0].text.as_deref(), Some(text));

        // The answer goes to the citizen's chat once.
        let answer =
            "Buongiorno Giorgio, può chiamare l'URP al numero verde: le fissiamo il trasporto.";
        desk.reply_conversation(&anna, c.id, answer).unwrap();
        assert!(desk.reply_conversation(&anna, c.id, "   ").is_err());
        let run = desk.deliver_outbox(10).unwrap();
        assert_eq!((run.done, run.failed), (1, 0), "{run:?}");
        assert_eq!(desk.deliver_outbox(10).unwrap().claimed, 0);
        let sent: Vec<_> = fake
            .messages_in(4242)
            .into_iter()
            .filter(|m| m.from.as_ref().is_some_and(|f| f.0 == bot))
            .collect();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].text, answer);
        let detail = desk.conversation(&anna, c.id).unwrap();
        assert_eq!(detail.conversation.state, ConversationState::Answered);
        assert_eq!(detail.messages[1].direction, Direction::Out);
        assert_eq!(detail.messages[1].staff.as_deref(), Some("anna"));
        assert_eq!(detail.messages[1].outbox_state, Some(OutboxState::Done));

        // Closed; a new message opens it again, in the same conversation.
        desk.close_conversation(&anna, c.id).unwrap();
        assert!(
            desk.conversations(&anna, Some(ConversationState::Open))
                .unwrap()
                .is_empty()
        );
        fake.private_message(4242, "Giorgio", "Grazie, e per il ritorno?");
        desk.sync(admin, account, None, &mut |_| {}).unwrap();
        let list = desk.conversations(&anna, None).unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].state, ConversationState::Open);
        assert_eq!(desk.conversation(&anna, c.id).unwrap().messages.len(), 3);

        // The texts are nowhere in the audit log.
        let log = desk.audit_entries(admin, 0, 1000).unwrap();
        let all = format!("{log:?}");
        assert!(!all.contains("dialisi") && !all.contains("numero verde: le fissiamo"));
        assert!(all.contains("conversation.reply"));

        // Retention: the texts go, the conversation stays.
        now.fetch_add(40 * 86_400_000, Ordering::SeqCst);
        let r = desk.run_retention(None, admin, 30).unwrap();
        assert_eq!(r.messages_purged, 3, "{r:?}");
        let detail = desk.conversation(&anna, c.id).unwrap();
        assert!(detail.messages.iter().all(|m| m.text.is_none()));
    }
}
