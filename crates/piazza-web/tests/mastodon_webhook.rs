//! The admin webhooks of an administration's own Mastodon instance over
//! the whole HTTP stack: signed deliveries stored once and processed into
//! the queue under the account's post (its text read from the fake
//! instance), forged, missing or misdirected signatures refused with
//! nothing stored, and the statuses and events that are not replies to the
//! account left out.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use piazza_desk::{
    AccountId, AccountStatus, AdminId, ConnectorKind, Desk, NewAccount, NewAdministration,
    NewConnection, NewStaff, QueueFilter, Role, SecretKey, SecretString, StandardConnectors,
};
use piazza_fakes::mastodon::FakeMastodon;
use piazza_fakes::meta::webhook::sign;
use piazza_web::{AppState, WebConfig, app};

mod common;
use common::{Reply, send};

const SECRET: &str = "segreto-del-webhook-dell-istanza";

struct World {
    state: AppState,
    admin: AdminId,
    account: AccountId,
    org: String,
    fake: FakeMastodon,
}

fn world() -> World {
    let fake = FakeMastodon::start();
    let org = fake.add_account("comune", "Comune di Cento");
    fake.add_token("tok", &org, &["read:statuses", "read:notifications"]);
    let mut state = AppState::scratch(WebConfig::default());
    let desk: Desk = state.desk.clone().with_platforms(
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
        .add_account(
            &root,
            NewAccount {
                platform: piazza_policy::Platform::Mastodon,
                name: "Comune di Cento su Mastodon".into(),
                handle: None,
                url: None,
                kind: piazza_policy::ChannelKind::Istituzionale,
                managing_office: None,
                authorised_by: None,
                opened_with_email: None,
                hours: Vec::new(),
                status: AccountStatus::Active,
            },
        )
        .unwrap()
        .id;
    desk.connect(
        &root,
        NewConnection {
            account_id: account,
            connector: ConnectorKind::Mastodon,
            platform_account: org.clone(),
            page_id: None,
            token: Some(SecretString::new("tok")),
            base_url: Some(fake.url()),
        },
    )
    .unwrap();
    assert!(
        desk.set_webhook_secret(&root, account, &SecretString::new("corto"))
            .is_err()
    );
    desk.set_webhook_secret(&root, account, &SecretString::new(SECRET))
        .unwrap();
    World {
        state,
        admin,
        account,
        org,
        fake,
    }
}

async fn deliver(w: &World, account: i64, body: &[u8], signature: Option<&str>) -> Reply {
    let mut req = Request::post(format!("/webhooks/mastodon/{account}"))
        .header("content-type", "application/json");
    if let Some(s) = signature {
        req = req.header("x-hub-signature", s);
    }
    send(
        app(w.state.clone()),
        req.body(Body::from(body.to_vec())).unwrap(),
    )
    .await
}

fn status_event(
    event: &str,
    id: &str,
    author: &str,
    reply_to: &str,
    reply_to_account: &str,
    text: &str,
) -> Vec<u8> {
    serde_json::json!({
        "event": event,
        "created_at": "2026-12-05T09:00:00.000Z",
        "object": {
            "id": id, "created_at": "2026-12-05T09:00:00.000Z",
            "in_reply_to_id": reply_to, "in_reply_to_account_id": reply_to_account,
            "content": format!("<p>{text}</p>"), "visibility": "public",
            "account": {"id": author, "acct": "mario", "username": "mario", "display_name": "Mario"},
            "mentions": []
        }
    })
    .to_string()
    .into_bytes()
}

#[tokio::test]
async fn signed_admin_webhooks_reach_the_queue_once_and_forgeries_store_nothing() {
    let w = world();
    let post = w
        .fake
        .add_status(&w.org, "Il ponte sul Reno riapre lunedì", None);
    let body = status_event(
        "status.created",
        "555",
        "77",
        &post,
        &w.org,
        "Sei un idiota",
    );
    let signature = sign(SECRET.as_bytes(), &body);

    assert_eq!(
        deliver(&w, w.account.0, &body, None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let forged = sign(b"un altro segreto qualsiasi", &body);
    assert_eq!(
        deliver(&w, w.account.0, &body, Some(&forged)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        deliver(&w, w.account.0, &body, Some("sha256=zz"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // The right signature at another account's address.
    assert_eq!(
        deliver(&w, w.account.0 + 100, &body, Some(&signature))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(w.state.desk.pending_platform_deliveries().unwrap(), 0);

    let ok = deliver(&w, w.account.0, &body, Some(&signature)).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    // Mastodon retries (Sidekiq): stored once.
    assert_eq!(
        deliver(&w, w.account.0, &body, Some(&signature))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(w.state.desk.pending_platform_deliveries().unwrap(), 1);
    // A local status that is not an answer to the account, and a report:
    // accepted, and nothing for the queue.
    let other = status_event(
        "status.created",
        "556",
        "78",
        "999",
        "12345",
        "Buongiorno a tutti",
    );
    let report = br#"{"event":"report.created","created_at":"2026-12-05T09:00:00.000Z","object":{"id":"8437"}}"#;
    for b in [other.as_slice(), report.as_slice()] {
        let r = deliver(&w, w.account.0, b, Some(&sign(SECRET.as_bytes(), b))).await;
        assert_eq!(r.status, StatusCode::OK);
    }

    let desk = w.state.desk.clone();
    let run = tokio::task::spawn_blocking(move || desk.process_platform_deliveries(10))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (run.deliveries, run.events, run.failed),
        (3, 1, 0),
        "{run:?}"
    );
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
    assert_eq!(
        item.post_text.as_deref(),
        Some("Il ponte sul Reno riapre lunedì")
    );

    // The author edits it: status.updated is the new text of the same comment.
    let edited = status_event(
        "status.updated",
        "555",
        "77",
        &post,
        &w.org,
        "Non sono d'accordo",
    );
    let r = deliver(
        &w,
        w.account.0,
        &edited,
        Some(&sign(SECRET.as_bytes(), &edited)),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let desk = w.state.desk.clone();
    tokio::task::spawn_blocking(move || desk.process_platform_deliveries(10))
        .await
        .unwrap()
        .unwrap();
    let queue = w
        .state
        .desk
        .queue(w.admin, &QueueFilter::default())
        .unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0].text.as_deref(), Some("Non sono d'accordo"));
}
