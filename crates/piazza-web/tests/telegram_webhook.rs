//! Telegram's webhook over real HTTP: Piazza serves on a local port, the
//! fake Bot API registers the account's webhook with its secret token
//! (through `piazza connect`'s path, `Desk::subscribe_webhooks`) and POSTs
//! the group's updates to it as Telegram does. Forged, missing or
//! misdirected secrets are refused and store nothing; a repeated update is
//! stored once; the comment reaches the queue under its channel post, and
//! the moderator's deletion and answer reach the group through the outbox.

use std::sync::Arc;

use axum::http::StatusCode;
use piazza_desk::{
    AccountId, ActRequest, ActionKind, AdminId, ConnectorKind, Desk, NewAdministration,
    NewConnection, NewStaff, QueueFilter, Role, SecretKey, SecretString, StandardConnectors,
    TelegramSettings,
};
use piazza_fakes::telegram::{FakeTelegram, Rights};
use piazza_web::{AppState, WebConfig, app};

mod common;
use common::{form, get, login};

const TOKEN: &str = "987654:torino-bot_token";
const CHANNEL: i64 = -1_002_000_000_001;
const GROUP: i64 = -1_002_000_000_002;

struct World {
    state: AppState,
    desk: Desk,
    admin: AdminId,
    account: AccountId,
    url: String,
    fake: FakeTelegram,
    _server: tokio::task::JoinHandle<()>,
}

async fn world() -> World {
    let fake = FakeTelegram::start();
    let bot = fake.add_bot(TOKEN, "torino_bot");
    fake.add_channel(CHANNEL, "Città metropolitana di Torino");
    fake.add_group(GROUP, "CMTo - commenti", Some(CHANNEL));
    fake.set_admin(GROUP, bot, Rights::all());
    fake.set_admin(CHANNEL, bot, Rights::all());

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let mut state = AppState::scratch(WebConfig::default());
    let desk: Desk = state.desk.clone().with_platforms(
        Arc::new(StandardConnectors {
            meta: Default::default(),
            sandbox_backlog: 0,
            telegram: TelegramSettings {
                api_url: fake.url(),
                public_url: Some(url.clone()),
            },
            youtube: Default::default(),
            x: Default::default(),
            flickr_url: piazza_platforms::flickr::DEFAULT_REST_URL.into(),
            linkedin_url: piazza_platforms::linkedin::DEFAULT_API_URL.into(),
        }),
        Some(Arc::new(
            SecretKey::from_passphrase("chiave di prova lunga almeno trentadue caratteri").unwrap(),
        )),
        120_000,
    );
    state.desk = desk.clone();
    let admin = desk
        .create_administration(NewAdministration::preset("torino"))
        .unwrap()
        .id;
    desk.add_staff(
        admin,
        None,
        NewStaff {
            username: "root".into(),
            full_name: "root".into(),
            email: None,
            roles: vec![Role::Admin],
            password: None,
        },
    )
    .unwrap();
    let root = desk.actor(admin, "root").unwrap();
    let account = desk
        .accounts(admin)
        .unwrap()
        .into_iter()
        .find(|a| a.platform == "telegram")
        .expect("Torino's preset lists its Telegram channel")
        .id;
    desk.connect(
        &root,
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
    let served = state.clone();
    let server = tokio::spawn(async move {
        axum::serve(listener, app(served)).await.unwrap();
    });
    World {
        state,
        desk,
        admin,
        account,
        url,
        fake,
        _server: server,
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.unwrap()
}

async fn post(url: String, secret: Option<String>, body: String) -> u16 {
    blocking(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut req = agent.post(&url).header("content-type", "application/json");
        if let Some(s) = &secret {
            req = req.header("x-telegram-bot-api-secret-token", s);
        }
        req.send(body.as_bytes()).unwrap().status().as_u16()
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn updates_reach_the_queue_only_with_the_accounts_secret() {
    let w = world().await;
    let desk = w.desk.clone();
    let (admin, account) = (w.admin, w.account);
    assert!(
        blocking(move || desk.subscribe_webhooks(admin, account))
            .await
            .unwrap()
    );
    let (hook, secret) = w.fake.webhook().unwrap();
    assert_eq!(hook, format!("{}/webhooks/telegram/{}", w.url, w.account));
    let secret = secret.unwrap();
    let desk = w.desk.clone();
    let check = blocking(move || desk.check_connection(admin, account))
        .await
        .unwrap();
    assert!(check.valid, "{check:?}");

    let (_, forward) = w.fake.channel_post(CHANNEL, "Chiusa la SP 23 per frana");
    let forward = forward.unwrap();
    let advert = w.fake.comment(
        GROUP,
        forward,
        42,
        "Mario",
        "Vendo bici da corsa usata, scrivetemi in privato",
    );
    let question = w
        .fake
        .comment(GROUP, forward, 43, "Lucia", "Quando riapre la strada?");

    // Forgeries first: nothing is stored.
    let forged = serde_json::json!({"update_id": 1, "message": {"message_id": 9, "date": 1_760_000_000,
        "chat": {"id": GROUP, "type": "supergroup"}, "from": {"id": 66, "is_bot": false, "first_name": "X"},
        "text": "falso"}})
    .to_string();
    let hook_url = format!("{}/webhooks/telegram/{}", w.url, w.account);
    assert_eq!(post(hook_url.clone(), None, forged.clone()).await, 401);
    assert_eq!(
        post(hook_url.clone(), Some("sbagliato".into()), forged.clone()).await,
        403
    );
    // The right secret on another account's address is still wrong, and
    // an account without a Telegram connection looks the same.
    let other = format!("{}/webhooks/telegram/{}", w.url, w.account.0 + 1);
    assert_eq!(post(other, Some(secret.clone()), forged.clone()).await, 403);
    assert_eq!(w.desk.pending_platform_deliveries().unwrap(), 0);

    // Telegram pushes: the post's forward and the two comments.
    let fake_statuses = {
        let fake = &w.fake;
        // push_updates blocks on plain sockets while the server runs on
        // this runtime's other worker.
        tokio::task::block_in_place(|| fake.push_updates())
    };
    assert_eq!(fake_statuses, [200, 200, 200]);
    assert_eq!(w.desk.pending_platform_deliveries().unwrap(), 3);
    // A retried update is stored once.
    let replay = serde_json::json!({"update_id": 1, "message": {"message_id": 5, "date": 1,
        "chat": {"id": GROUP, "type": "supergroup"}, "from": {"id": 42, "is_bot": false, "first_name": "M"}, "text": "doppio"}})
    .to_string();
    assert_eq!(
        post(hook_url.clone(), Some(secret.clone()), replay.clone()).await,
        200
    );
    assert_eq!(
        post(hook_url.clone(), Some(secret.clone()), replay).await,
        200
    );
    assert_eq!(w.desk.pending_platform_deliveries().unwrap(), 4);

    let desk = w.desk.clone();
    let run = blocking(move || desk.process_platform_deliveries(10))
        .await
        .unwrap();
    assert_eq!(run.failed, 0, "{run:?}");
    let queue = w.desk.queue(w.admin, &QueueFilter::default()).unwrap();
    let find = |t: &str| {
        queue
            .iter()
            .find(|q| q.text.as_deref() == Some(t))
            .unwrap_or_else(|| panic!("{t} not in {queue:?}"))
            .id
    };
    let advert_id = find("Vendo bici da corsa usata, scrivetemi in privato");
    let question_id = find("Quando riapre la strada?");
    let root = w.desk.actor(w.admin, "root").unwrap();
    let person = |u: &str, r: Role| NewStaff {
        username: u.into(),
        full_name: u.into(),
        email: None,
        roles: vec![r],
        password: None,
    };
    w.desk
        .add_staff(w.admin, Some(&root), person("capo", Role::Dirigente))
        .unwrap();
    w.desk
        .add_staff(w.admin, Some(&root), person("anna", Role::Moderatore))
        .unwrap();
    let boss = w.desk.actor(w.admin, "capo").unwrap();
    w.desk.assign(&boss, "anna", w.account, None).unwrap();
    let anna = w.desk.actor(w.admin, "anna").unwrap();
    let item = w.desk.item(&anna, question_id).unwrap();
    assert_eq!(item.post_text.as_deref(), Some("Chiusa la SP 23 per frana"));

    // The moderator deletes the advert and answers the question: both
    // reach the group once.
    // Torino removes what is off the post's topic (clause 2).
    let mut remove = ActRequest::new(advert_id, ActionKind::Remove).clause(2);
    remove.categories = vec![piazza_taxonomy::Category::OffTopic];
    w.desk.act(&anna, &remove).unwrap();
    let mut reply = ActRequest::new(question_id, ActionKind::Reply);
    reply.template = Some("risposta".into());
    reply.reply_text = Some("Riapre domani alle 8.".into());
    w.desk.act(&anna, &reply).unwrap();
    let desk = w.desk.clone();
    let run = blocking(move || desk.deliver_outbox(10)).await.unwrap();
    assert_eq!(run.failed, 0, "{run:?}");
    assert!(w.fake.message(GROUP, advert).unwrap().deleted);
    let answers: Vec<_> = w
        .fake
        .messages_in(GROUP)
        .into_iter()
        .filter(|m| m.reply_to == Some(question) && m.from.as_ref().is_some_and(|f| f.0 != 43))
        .collect();
    assert_eq!(answers.len(), 1);
    assert_eq!(answers[0].text, "Riapre domani alle 8.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_private_message_reaches_only_the_accounts_staff_and_is_answered() {
    let w = world().await;
    let desk = w.desk.clone();
    let (admin, account) = (w.admin, w.account);
    blocking(move || desk.subscribe_webhooks(admin, account))
        .await
        .unwrap();
    let root = w.desk.actor(w.admin, "root").unwrap();
    for (u, role) in [("anna", Role::OperatoreUrp), ("capo", Role::Dirigente)] {
        w.desk
            .add_staff(
                w.admin,
                Some(&root),
                NewStaff {
                    username: u.into(),
                    full_name: u.into(),
                    email: None,
                    roles: vec![role],
                    password: Some("una password lunga abbastanza".into()),
                },
            )
            .unwrap();
    }
    let boss = w.desk.actor(w.admin, "capo").unwrap();
    w.desk.assign(&boss, "anna", w.account, None).unwrap();

    w.fake.private_message(
        5151,
        "Lucia",
        "Il mio vicino in via Roma 3 getta rifiuti nel cortile, cosa posso fare?",
    );
    let statuses = tokio::task::block_in_place(|| w.fake.push_updates());
    assert_eq!(statuses, [200]);
    let desk = w.desk.clone();
    let run = blocking(move || desk.process_platform_deliveries(10))
        .await
        .unwrap();
    assert_eq!(run.failed, 0, "{run:?}");
    // Not a comment.
    assert!(
        w.desk
            .queue(w.admin, &QueueFilter::default())
            .unwrap()
            .is_empty()
    );

    let router = app(w.state.clone());
    let anna = login(router.clone(), "anna", "una password lunga abbastanza").await;
    let list = get(router.clone(), Some(&anna), "/desk/conversazioni").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(list.body.contains("Lucia"), "{}", list.body);
    let id = w
        .desk
        .conversations(&w.desk.actor(w.admin, "anna").unwrap(), None)
        .unwrap()[0]
        .id;
    let page = get(
        router.clone(),
        Some(&anna),
        &format!("/desk/conversazioni/{id}"),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("getta rifiuti nel cortile"));
    assert!(
        page.body.contains("non può scrivere per primo"),
        "the platform's rule is explained"
    );

    // A dirigente not assigned to the account does not see it.
    let capo = login(router.clone(), "capo", "una password lunga abbastanza").await;
    let list = get(router.clone(), Some(&capo), "/desk/conversazioni").await;
    assert!(!list.body.contains("Lucia"));
    let denied = get(
        router.clone(),
        Some(&capo),
        &format!("/desk/conversazioni/{id}"),
    )
    .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN, "{}", denied.body);

    // An empty answer is refused on the page; a real one goes out once.
    let empty = form(
        router.clone(),
        &anna,
        &format!("/desk/conversazioni/{id}/rispondi"),
        &[("testo", "  ")],
        true,
    )
    .await;
    assert_eq!(
        empty.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        empty.body
    );
    let sent = form(
        router.clone(),
        &anna,
        &format!("/desk/conversazioni/{id}/rispondi"),
        &[(
            "testo",
            "Può segnalarlo alla Polizia Locale, al numero sul sito del Comune.",
        )],
        true,
    )
    .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let page = get(
        router.clone(),
        Some(&anna),
        &format!("/desk/conversazioni/{id}"),
    )
    .await;
    assert!(
        page.body
            .contains("in coda per Telegram: non ancora inviato"),
        "{}",
        page.body
    );
    let desk = w.desk.clone();
    let run = blocking(move || desk.deliver_outbox(10)).await.unwrap();
    assert_eq!(run.done, 1, "{run:?}");
    let page = get(
        router.clone(),
        Some(&anna),
        &format!("/desk/conversazioni/{id}"),
    )
    .await;
    assert!(page.body.contains("inviato su Telegram"), "{}", page.body);
    let answers: Vec<_> = w
        .fake
        .messages_in(5151)
        .into_iter()
        .filter(|m| m.from.as_ref().is_some_and(|f| f.0 != 5151))
        .collect();
    assert_eq!(answers.len(), 1);
    // Without the CSRF token nothing is sent.
    let forged = form(
        router.clone(),
        &anna,
        &format!("/desk/conversazioni/{id}/rispondi"),
        &[("testo", "falso")],
        false,
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
}
