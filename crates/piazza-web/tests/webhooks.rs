//! Meta's webhook over the whole HTTP stack: the subscription handshake,
//! signed deliveries stored once and processed into the queue, and forged,
//! missing or replayed signatures that store nothing. The post's text is
//! read from a local fake of the Graph API, never from Meta.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use piazza_desk::{
    AdminId, ConnectorKind, Desk, NewAdministration, NewConnection, NewStaff, QueueFilter, Role,
    SecretKey, SecretString, StandardConnectors,
};
use piazza_fakes::meta::webhook::{
    FeedComment, IgComment, IgShape, instagram_delivery, page_delivery, sign,
};
use piazza_fakes::meta::{FB_PAGE_SCOPES, FakeGraph};
use piazza_platforms::meta::MetaConfig;
use piazza_web::{AppState, MetaWebhook, WebConfig, app};

mod common;
use common::{Reply, send};

const APP_SECRET: &str = "app-secret-di-prova";
const VERIFY: &str = "verifica-di-prova";
const PAGE: &str = "1000001";

struct World {
    state: AppState,
    admin: AdminId,
    _fake: FakeGraph,
}

fn world() -> World {
    let fake = FakeGraph::start();
    fake.add_page(PAGE, "Comune di Cento");
    fake.add_token("page-token", PAGE, FB_PAGE_SCOPES);
    let mut state = AppState::scratch(WebConfig {
        meta_webhook: Some(MetaWebhook {
            app_secret: SecretString::new(APP_SECRET),
            verify_token: SecretString::new(VERIFY),
        }),
        ..WebConfig::default()
    });
    let desk: Desk = state.desk.clone().with_platforms(
        Arc::new(StandardConnectors {
            meta: MetaConfig::with_url(fake.url()),
            sandbox_backlog: 0,
            telegram: Default::default(),
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
        .create_administration(NewAdministration::preset("cento"))
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
        .find(|a| a.platform == "facebook")
        .unwrap()
        .id;
    desk.connect(
        &root,
        NewConnection {
            account_id: account,
            connector: ConnectorKind::Facebook,
            platform_account: PAGE.into(),
            page_id: None,
            token: Some(SecretString::new("page-token")),
            base_url: None,
        },
    )
    .unwrap();
    World {
        state,
        admin,
        _fake: fake,
    }
}

async fn deliver(w: &World, body: &[u8], signature: Option<&str>) -> Reply {
    let mut req = Request::post("/webhooks/meta").header("content-type", "application/json");
    if let Some(s) = signature {
        req = req.header("x-hub-signature-256", s);
    }
    send(
        app(w.state.clone()),
        req.body(Body::from(body.to_vec())).unwrap(),
    )
    .await
}

fn stored(w: &World) -> i64 {
    w.state.desk.pending_platform_deliveries().unwrap()
}

#[tokio::test]
async fn the_handshake_echoes_the_challenge_only_for_the_verify_token() {
    let w = world();
    let ok = send(
        app(w.state.clone()),
        Request::get(format!(
            "/webhooks/meta?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token={VERIFY}"
        ))
        .body(Body::empty())
        .unwrap(),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.body, "1158201444");
    for query in [
        "hub.mode=subscribe&hub.challenge=1&hub.verify_token=sbagliato",
        "hub.mode=unsubscribe&hub.challenge=1&hub.verify_token=verifica-di-prova",
        "hub.challenge=1",
    ] {
        let r = send(
            app(w.state.clone()),
            Request::get(format!("/webhooks/meta?{query}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{query}");
        assert!(
            !r.body.contains('1'),
            "{query}: the challenge is not echoed"
        );
    }
}

#[tokio::test]
async fn a_signed_delivery_is_stored_once_and_its_comment_reaches_the_queue() {
    let w = world();
    let post = w._fake.add_post(PAGE, "Lavori in via Garibaldi da lunedì");
    let c = FeedComment::new(
        PAGE,
        &post,
        &format!("{post}_77"),
        "u-42",
        "Mario",
        "Sei un idiota",
    );
    let body = page_delivery(PAGE, 1_700_000_000, vec![c.change("add")]);
    let sig = sign(APP_SECRET.as_bytes(), &body);
    let r = deliver(&w, &body, Some(&sig)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(stored(&w), 1);
    // Meta retries the same delivery: nothing is stored twice.
    let again = deliver(&w, &body, Some(&sig)).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(stored(&w), 1);

    let desk = w.state.desk.clone();
    let run = tokio::task::spawn_blocking(move || desk.process_platform_deliveries(10))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((run.deliveries, run.events, run.failed), (1, 1, 0));
    assert_eq!(stored(&w), 0);
    let queue = w
        .state
        .desk
        .queue(w.admin, &QueueFilter::default())
        .unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0].text.as_deref(), Some("Sei un idiota"));
    assert!(queue[0].flagged.contains(&"insult".to_string()));
    let root = w.state.desk.actor(w.admin, "root").unwrap();
    let boss = {
        w.state
            .desk
            .add_staff(
                w.admin,
                Some(&root),
                NewStaff {
                    username: "capo".into(),
                    full_name: "capo".into(),
                    email: None,
                    roles: vec![Role::Dirigente],
                    password: None,
                },
            )
            .unwrap();
        w.state.desk.actor(w.admin, "capo").unwrap()
    };
    let item = w.state.desk.item(&boss, queue[0].id).unwrap();
    // The post's text was read from the (fake) Graph API for context.
    assert_eq!(
        item.post_text.as_deref(),
        Some("Lavori in via Garibaldi da lunedì")
    );

    // The author deletes it: the next delivery takes it out of the queue.
    let removed = page_delivery(PAGE, 1_700_000_100, vec![c.change("remove")]);
    let r = deliver(&w, &removed, Some(&sign(APP_SECRET.as_bytes(), &removed))).await;
    assert_eq!(r.status, StatusCode::OK);
    let desk = w.state.desk.clone();
    tokio::task::spawn_blocking(move || desk.process_platform_deliveries(10))
        .await
        .unwrap()
        .unwrap();
    assert!(
        w.state
            .desk
            .queue(w.admin, &QueueFilter::default())
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn forged_missing_and_malformed_signatures_store_nothing() {
    let w = world();
    let c = FeedComment::new(PAGE, "p_1", "p_1_2", "u", "Mario", "Ciao");
    let body = page_delivery(PAGE, 1_700_000_000, vec![c.change("add")]);
    let good = sign(APP_SECRET.as_bytes(), &body);
    let mut tampered = body.clone();
    let last = tampered.len() - 2;
    tampered[last] ^= 1;
    let cases: Vec<(Vec<u8>, Option<String>, StatusCode)> = vec![
        (body.clone(), None, StatusCode::UNAUTHORIZED),
        (
            body.clone(),
            Some(sign(b"un altro segreto", &body)),
            StatusCode::FORBIDDEN,
        ),
        (body.clone(), Some("sha1=abc".into()), StatusCode::FORBIDDEN),
        (
            body.clone(),
            Some(good.trim_start_matches("sha256=").to_string()),
            StatusCode::FORBIDDEN,
        ),
        (tampered, Some(good.clone()), StatusCode::FORBIDDEN),
    ];
    for (b, sig, status) in cases {
        let r = deliver(&w, &b, sig.as_deref()).await;
        assert_eq!(r.status, status, "{sig:?}");
    }
    assert_eq!(stored(&w), 0, "nothing refused was stored");
}

#[tokio::test]
async fn deliveries_are_refused_when_no_app_secret_is_configured() {
    let state = AppState::scratch(WebConfig::default());
    let body = page_delivery(PAGE, 1, vec![]);
    let r = send(
        app(state.clone()),
        Request::post("/webhooks/meta")
            .header("x-hub-signature-256", sign(b"x", &body))
            .body(Body::from(body))
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(state.desk.pending_platform_deliveries().unwrap(), 0);
}

#[tokio::test]
async fn instagram_deliveries_for_unconnected_accounts_are_counted_not_guessed() {
    let w = world();
    let v = IgComment::new("c1", "m1", "u1", "giulia", "Bella foto").value();
    let body = instagram_delivery("999", 1_700_000_000, "comments", &[v], IgShape::Flat);
    let r = deliver(&w, &body, Some(&sign(APP_SECRET.as_bytes(), &body))).await;
    assert_eq!(r.status, StatusCode::OK);
    let desk = w.state.desk.clone();
    let run = tokio::task::spawn_blocking(move || desk.process_platform_deliveries(10))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((run.unrouted, run.events), (1, 0));
    assert!(
        w.state
            .desk
            .queue(w.admin, &QueueFilter::default())
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn private_messages_to_the_page_become_conversations_answered_within_24_hours() {
    let w = world();
    let root = w.state.desk.actor(w.admin, "root").unwrap();
    let account = w
        .state
        .desk
        .accounts(w.admin)
        .unwrap()
        .into_iter()
        .find(|a| a.platform == "facebook")
        .unwrap()
        .id;
    for (u, role) in [("capo", Role::Dirigente), ("anna", Role::OperatoreUrp)] {
        w.state
            .desk
            .add_staff(
                w.admin,
                Some(&root),
                NewStaff {
                    username: u.into(),
                    full_name: u.into(),
                    email: None,
                    roles: vec![role],
                    password: None,
                },
            )
            .unwrap();
    }
    let boss = w.state.desk.actor(w.admin, "capo").unwrap();
    w.state.desk.assign(&boss, "anna", account, None).unwrap();
    let anna = w.state.desk.actor(w.admin, "anna").unwrap();

    let now_ms = piazza_store::now_ms();
    let mid = w
        ._fake
        .user_message(PAGE, "psid-9", "Buongiorno, quando apre l'anagrafe sabato?");
    let body = piazza_fakes::meta::webhook::messaging_delivery(
        "page",
        PAGE,
        "psid-9",
        &mid,
        "Buongiorno, quando apre l'anagrafe sabato?",
        now_ms,
        false,
    );
    // The Page's own echo is not a citizen's message.
    let echo = piazza_fakes::meta::webhook::messaging_delivery(
        "page",
        PAGE,
        "psid-9",
        "m_echo1",
        "Risposta dall'app",
        now_ms,
        true,
    );
    // A message from two days ago: its window is closed.
    let old_mid = w
        ._fake
        .user_message(PAGE, "psid-10", "Vorrei sapere degli orari");
    w._fake.age_user_messages("psid-10", 2 * 86_400);
    let old = piazza_fakes::meta::webhook::messaging_delivery(
        "page",
        PAGE,
        "psid-10",
        &old_mid,
        "Vorrei sapere degli orari",
        now_ms - 2 * 86_400_000,
        false,
    );
    for b in [&body, &echo, &old] {
        let r = deliver(&w, b, Some(&sign(APP_SECRET.as_bytes(), b))).await;
        assert_eq!(r.status, StatusCode::OK);
    }
    assert!(deliver(&w, &body, None).await.status == StatusCode::UNAUTHORIZED);
    let desk = w.state.desk.clone();
    let run = tokio::task::spawn_blocking(move || desk.process_platform_deliveries(10))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(run.failed, 0, "{run:?}");
    // Not comments.
    assert!(
        w.state
            .desk
            .queue(w.admin, &QueueFilter::default())
            .unwrap()
            .is_empty()
    );
    let list = w.state.desk.conversations(&anna, None).unwrap();
    assert_eq!(list.len(), 2, "{list:?}");
    let fresh = list
        .iter()
        .find(|c| c.last_incoming_at == Some(now_ms))
        .unwrap();
    let stale = list.iter().find(|c| c.id != fresh.id).unwrap();
    assert_eq!(
        w.state
            .desk
            .conversation(&anna, fresh.id)
            .unwrap()
            .messages
            .len(),
        1
    );

    // Inside the window the answer goes out through the Send API, once.
    w.state
        .desk
        .reply_conversation(&anna, fresh.id, "Sabato l'anagrafe apre dalle 9 alle 12.")
        .unwrap();
    let desk = w.state.desk.clone();
    let run = tokio::task::spawn_blocking(move || desk.deliver_outbox(10))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(run.done, 1, "{run:?}");
    let sent = w._fake.sent_messages();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].recipient_id, "psid-9");
    assert_eq!(sent[0].messaging_type, "RESPONSE");
    assert_eq!(sent[0].text, "Sabato l'anagrafe apre dalle 9 alle 12.");

    // Past 24 hours the desk does not even try, and says why.
    let detail = w.state.desk.conversation(&anna, stale.id).unwrap();
    assert!(!detail.window.open);
    let e = w
        .state
        .desk
        .reply_conversation(&anna, stale.id, "Scusi il ritardo")
        .unwrap_err();
    assert!(e.to_string().contains("24 ore"), "{e}");
    assert_eq!(w._fake.sent_messages().len(), 1);
}
