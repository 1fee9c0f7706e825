//! A YouTube channel at the desk, on every backend, over real HTTP against
//! the fake Data API: the worker's pull files the comments under their
//! video; a hide and an answer reach YouTube through the outbox; when the
//! project's daily quota is spent a decision waits in the outbox, is not
//! lost, and goes out once the quota resets; the registry shows the quota.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use piazza_desk::{
    AccountStatus, ActRequest, ActionKind, ConnectorKind, Desk, NewAccount, NewAdministration,
    NewConnection, NewStaff, OutboxFilter, OutboxState, QueueFilter, Role, SecretKey, SecretString,
    StandardConnectors, YoutubeSettings,
};
use piazza_fakes::youtube::FakeYoutube;
use piazza_platforms::youtube::QuotaBudget;
use piazza_store::testing::test_stores;

const CHANNEL: &str = "UCcomuneDiCento000000000";

#[test]
fn a_youtube_channel_is_moderated_within_its_quota() {
    for s in test_stores("youtube_desk") {
        let fake = FakeYoutube::start();
        fake.add_client("client-cento", "segreto");
        fake.add_refresh_token("1//cento", CHANNEL, true);
        let video = fake.add_video(CHANNEL, "Presentazione del bilancio 2027");
        let question = fake.add_comment(&video, "UCmario", "Mario", "Quando si vota?", None);
        let insult = fake.add_comment(
            &video,
            "UCbruno",
            "Bruno",
            "Siete dei ladri e degli idioti",
            None,
        );

        let now = Arc::new(AtomicI64::new(piazza_store::now_ms()));
        let clock = now.clone();
        let clock2 = now.clone();
        let mut yt = YoutubeSettings::new(&fake.api_url(), &fake.oauth_url(), 10_000, 2_000);
        yt.budget = Arc::new(QuotaBudget::with_clock(
            10_000,
            2_000,
            Arc::new(move || clock.load(Ordering::SeqCst)),
        ));
        let desk = Desk::with_clock(
            s.store.clone(),
            Arc::new(move || clock2.load(Ordering::SeqCst)),
        )
        .with_platforms(
            Arc::new(StandardConnectors {
                meta: Default::default(),
                sandbox_backlog: 0,
                telegram: Default::default(),
                youtube: yt,
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
        let account = match desk
            .accounts(admin)
            .unwrap()
            .into_iter()
            .find(|a| a.platform == "youtube")
        {
            Some(a) => a.id,
            None => {
                desk.add_account(
                    &boss,
                    NewAccount {
                        platform: piazza_policy::Platform::Youtube,
                        name: "Comune di Cento su YouTube".into(),
                        handle: None,
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
                connector: ConnectorKind::Youtube,
                platform_account: CHANNEL.into(),
                page_id: None,
                token: Some(SecretString::new(
                    r#"{"client_id":"client-cento","client_secret":"segreto","refresh_token":"1//cento"}"#,
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
                .find(|q| q.text.as_deref() == Some(text))
                .unwrap()
                .id
        };
        let item = desk.item(&anna, id_of("Quando si vota?")).unwrap();
        assert_eq!(
            item.post_text.as_deref(),
            Some("Presentazione del bilancio 2027")
        );

        // Hide the insult; answer the question.
        let clause = desk
            .context(admin)
            .unwrap()
            .policy
            .category_rule(piazza_taxonomy::Category::Insult)
            .clause
            .unwrap();
        desk.act(
            &anna,
            &ActRequest::new(id_of("Siete dei ladri e degli idioti"), ActionKind::Hide)
                .clause(clause),
        )
        .unwrap();
        let run = desk.deliver_outbox(10).unwrap();
        assert_eq!((run.done, run.failed), (1, 0), "{run:?}");
        assert_eq!(fake.comment(&insult).unwrap().status, "heldForReview");

        // The project's quota is gone (another program on the same
        // project): YouTube says so, and the answer waits.
        fake.set_quota(10_000, 9_990);
        let mut reply = ActRequest::new(id_of("Quando si vota?"), ActionKind::Reply);
        reply.template = Some("risposta".into());
        reply.reply_text = Some("Il consiglio vota il 18 dicembre.".into());
        desk.act(&anna, &reply).unwrap();
        let run = desk.deliver_outbox(10).unwrap();
        assert_eq!(run.retrying, 1, "{run:?}");
        let steps = desk
            .outbox(
                admin,
                &OutboxFilter {
                    limit: 10,
                    ..OutboxFilter::default()
                },
            )
            .unwrap();
        let waiting = steps
            .iter()
            .find(|o| o.operation == piazza_desk::Operation::Reply)
            .unwrap();
        assert_eq!(waiting.state, OutboxState::Pending);
        assert!(
            waiting
                .last_error
                .as_deref()
                .is_some_and(|e| e.contains("quota")),
            "{waiting:?}"
        );
        // The registry shows the quota as spent.
        let conn = desk.connection(admin, account).unwrap().unwrap();
        assert!(conn.quota.unwrap().exhausted);
        // Before the reset nothing is attempted.
        assert_eq!(desk.deliver_outbox(10).unwrap().claimed, 0);
        assert!(fake.replies_to(&question).is_empty());

        // The next Pacific day: the quota is back and the answer goes out,
        // once.
        fake.set_quota(10_000, 0);
        now.fetch_add(86_400_000, Ordering::SeqCst);
        let run = desk.deliver_outbox(10).unwrap();
        assert_eq!(run.done, 1, "{run:?}");
        assert_eq!(desk.deliver_outbox(10).unwrap().claimed, 0);
        let answers = fake.replies_to(&question);
        assert_eq!(answers.len(), 1);
        assert_eq!(answers[0].text, "Il consiglio vota il 18 dicembre.");
        assert_eq!(answers[0].author_channel, CHANNEL);
    }
}
