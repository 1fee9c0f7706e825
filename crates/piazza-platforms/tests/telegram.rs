//! The Telegram connector over real HTTP against the fake Bot API: the
//! group's comments read with `getUpdates` and placed under the channel
//! post, deletions within and past 48 hours, bans, replies that are never
//! sent twice, channel posts, the documented errors and flood control,
//! the token check and the webhook registration.

use std::time::Duration;

use piazza_fakes::telegram::{FakeTelegram, Rights};
use piazza_platforms::telegram::{TelegramConnection, TelegramConnector, webhook_secret};
use piazza_platforms::{
    Connector, Delivery, Failure, FetchRequest, IncomingEvent, MediaItem, Operation, PermanentCode,
    SecretString,
};

const TOKEN: &str = "123456:ABC-def_ghi";
const CHANNEL: i64 = -1_001_000_000_001;
const GROUP: i64 = -1_001_000_000_002;

fn setup(rights: Rights) -> (FakeTelegram, i64) {
    let fake = FakeTelegram::start();
    let bot = fake.add_bot(TOKEN, "comune_bot");
    fake.add_channel(CHANNEL, "Comune di Esempio");
    fake.add_group(GROUP, "Comune di Esempio - commenti", Some(CHANNEL));
    fake.set_admin(GROUP, bot, rights);
    fake.set_admin(CHANNEL, bot, rights);
    (fake, bot)
}

fn connector(fake: &FakeTelegram, webhook: Option<&str>) -> TelegramConnector {
    let token = SecretString::new(TOKEN);
    TelegramConnector::new(TelegramConnection {
        api_url: fake.url(),
        token: token.clone(),
        group_chat_id: GROUP.to_string(),
        channel_chat_id: Some(CHANNEL.to_string()),
        webhook: webhook.map(|u| (u.to_string(), webhook_secret(&token, "5"))),
    })
    .unwrap()
}

fn comments(events: &[IncomingEvent]) -> Vec<&piazza_platforms::IncomingComment> {
    events
        .iter()
        .filter_map(|e| match e {
            IncomingEvent::Comment(c) => Some(c),
            _ => None,
        })
        .collect()
}

#[test]
fn the_group_is_read_from_the_cursor_and_comments_sit_under_the_channel_post() {
    let (fake, _) = setup(Rights::all());
    let (_, forward) = fake.channel_post(CHANNEL, "Da lunedì chiude il ponte");
    let forward = forward.unwrap();
    let first = fake.comment(GROUP, forward, 42, "Anna", "Per quanto tempo?");
    let answer = fake.comment(GROUP, first, 43, "Bruno", "Lo chiedo anch'io");
    fake.private_message(44, "Carla", "Vi scrivo in privato");
    let c = connector(&fake, None);

    let page = c.fetch(&FetchRequest::default()).unwrap();
    assert!(page.done);
    assert_eq!(page.posts.len(), 1);
    assert_eq!(page.posts[0].external_id, format!("{GROUP}:{forward}"));
    assert_eq!(
        page.posts[0].text.as_deref(),
        Some("Da lunedì chiude il ponte")
    );
    let cs = comments(&page.events);
    // The private chat is not a comment; the channel post is not either.
    assert_eq!(cs.len(), 2, "{cs:?}");
    // The private chat is a message for the conversations.
    let private: Vec<_> = page
        .events
        .iter()
        .filter_map(|e| match e {
            IncomingEvent::Message(m) => Some(m),
            _ => None,
        })
        .collect();
    assert_eq!(private.len(), 1);
    assert_eq!(private[0].conversation_ref, "44");
    assert_eq!(private[0].text, "Vi scrivo in privato");
    assert_eq!(private[0].author_name.as_deref(), Some("Carla"));
    assert_eq!(cs[0].external_id, format!("{GROUP}:{first}"));
    assert_eq!(cs[0].post_external_id, Some(format!("{GROUP}:{forward}")));
    assert_eq!(
        cs[0].post_text.as_deref(),
        Some("Da lunedì chiude il ponte")
    );
    assert_eq!(cs[0].author_ref.as_deref(), Some("42"));
    assert_eq!(cs[1].external_id, format!("{GROUP}:{answer}"));
    assert_eq!(cs[1].parent_external_id, Some(format!("{GROUP}:{first}")));
    assert_eq!(cs[1].post_external_id, Some(format!("{GROUP}:{forward}")));

    // The next pull starts from the cursor: nothing twice, and the
    // updates before it are confirmed to Telegram.
    let again = c
        .fetch(&FetchRequest {
            cursor: page.cursor.clone(),
            since: None,
        })
        .unwrap();
    assert!(comments(&again.events).is_empty());
    assert_eq!(fake.pending_updates(), 0);
    fake.edit(GROUP, first, "Per quanto tempo? Grazie");
    let edited = c
        .fetch(&FetchRequest {
            cursor: again.cursor.clone(),
            since: None,
        })
        .unwrap();
    let cs = comments(&edited.events);
    assert_eq!(cs.len(), 1);
    assert_eq!(cs[0].text, "Per quanto tempo? Grazie");
    let asked = fake
        .calls()
        .into_iter()
        .rfind(|c| c.method == "getupdates")
        .unwrap();
    assert_eq!(
        asked.params["allowed_updates"],
        serde_json::json!(["message", "edited_message"])
    );
}

#[test]
fn deleting_works_for_48_hours_and_then_says_why_not() {
    let (fake, _) = setup(Rights::all());
    let (_, forward) = fake.channel_post(CHANNEL, "Avviso");
    let fresh = fake.comment(GROUP, forward.unwrap(), 42, "Anna", "insulto");
    let old = fake.comment(GROUP, forward.unwrap(), 42, "Anna", "vecchio insulto");
    fake.age(GROUP, old, 49 * 3600);
    let c = connector(&fake, None);
    let mut d = Delivery::new(Operation::Delete, "k1");
    d.comment_external_id = Some(format!("{GROUP}:{fresh}"));
    c.deliver(&d).unwrap();
    assert!(fake.message(GROUP, fresh).unwrap().deleted);
    // A second attempt after a lost answer finds it gone: done.
    d.uncertain = true;
    assert!(c.deliver(&d).unwrap().already);

    let mut d = Delivery::new(Operation::Delete, "k2");
    d.comment_external_id = Some(format!("{GROUP}:{old}"));
    match c.deliver(&d) {
        Err(Failure::Permanent {
            code: PermanentCode::NotAllowed,
            message,
        }) => assert!(message.contains("48 ore"), "{message}"),
        other => panic!("{other:?}"),
    }
    assert!(!fake.message(GROUP, old).unwrap().deleted);

    // A message of another chat is never touched.
    let mut d = Delivery::new(Operation::Delete, "k3");
    d.comment_external_id = Some(format!("{CHANNEL}:1"));
    assert!(matches!(
        c.deliver(&d),
        Err(Failure::Permanent {
            code: PermanentCode::Rejected,
            ..
        })
    ));
    // Hiding does not exist on Telegram: the capability map's reason.
    let mut d = Delivery::new(Operation::Hide, "k4");
    d.comment_external_id = Some(format!("{GROUP}:{old}"));
    match c.deliver(&d) {
        Err(Failure::Permanent {
            code: PermanentCode::Unsupported,
            message,
        }) => assert!(message.contains("nascondere"), "{message}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn without_the_rights_the_failure_names_them() {
    let (fake, _) = setup(Rights::default());
    let (_, forward) = fake.channel_post(CHANNEL, "Avviso");
    let m = fake.comment(GROUP, forward.unwrap(), 42, "Anna", "testo");
    let c = connector(&fake, None);
    let mut d = Delivery::new(Operation::Delete, "k1");
    d.comment_external_id = Some(format!("{GROUP}:{m}"));
    assert!(matches!(
        c.deliver(&d),
        Err(Failure::Permanent {
            code: PermanentCode::PermissionMissing,
            ..
        })
    ));
    let mut b = Delivery::new(Operation::Ban, "k2");
    b.author_ref = Some("42".into());
    assert!(matches!(
        c.deliver(&b),
        Err(Failure::Permanent {
            code: PermanentCode::PermissionMissing,
            ..
        })
    ));
    let check = c.check().unwrap();
    assert!(!check.valid);
    let missing: Vec<&str> = check
        .missing
        .iter()
        .map(|m| m.permission.as_str())
        .collect();
    assert_eq!(
        missing,
        [
            "can_delete_messages",
            "can_restrict_members",
            "can_post_messages"
        ]
    );
    assert_eq!(check.account_name.as_deref(), Some("@comune_bot"));
}

#[test]
fn bans_and_replies_reach_the_group_once() {
    let (fake, bot) = setup(Rights::all());
    let (_, forward) = fake.channel_post(CHANNEL, "Avviso");
    let q = fake.comment(GROUP, forward.unwrap(), 42, "Anna", "Quando riapre?");
    let c = connector(&fake, None);

    let mut reply = Delivery::new(Operation::Reply, "r1");
    reply.comment_external_id = Some(format!("{GROUP}:{q}"));
    reply.text = Some("Riapre venerdì.".into());
    let done = c.deliver(&reply).unwrap();
    let sent: Vec<_> = fake
        .messages_in(GROUP)
        .into_iter()
        .filter(|m| m.from.as_ref().is_some_and(|f| f.0 == bot))
        .collect();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].reply_to, Some(q));
    assert_eq!(
        done.platform_ref,
        Some(format!("{GROUP}:{}", sent[0].message_id))
    );
    // An attempt in doubt is not sent again blindly.
    reply.uncertain = true;
    match c.deliver(&reply) {
        Err(Failure::Permanent {
            code: PermanentCode::Unverifiable,
            message,
        }) => assert!(message.contains("controlla"), "{message}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        fake.messages_in(GROUP)
            .iter()
            .filter(|m| m.from.as_ref().is_some_and(|f| f.0 == bot))
            .count(),
        1
    );
    // In a supergroup a ban also deletes the author's messages
    // (revoke_messages is always true there).
    let mut ban = Delivery::new(Operation::Ban, "b1");
    ban.author_ref = Some("42".into());
    ban.until = Some(1_900_000_000_000);
    c.deliver(&ban).unwrap();
    let bans = fake.bans();
    assert_eq!(bans.len(), 1);
    assert_eq!(bans[0].user_id, 42);
    assert_eq!(bans[0].until_date, Some(1_900_000_000));
    let mut unban = Delivery::new(Operation::Unban, "b2");
    unban.author_ref = Some("42".into());
    c.deliver(&unban).unwrap();
    assert!(fake.bans()[0].lifted);

    assert!(fake.message(GROUP, q).unwrap().deleted);
}

#[test]
fn posts_go_to_the_channel_with_their_photos() {
    let (fake, _) = setup(Rights::all());
    let c = connector(&fake, None);
    let mut p = Delivery::new(Operation::Publish, "p1");
    p.text = Some("Allerta meteo arancione".into());
    p.link = Some("https://comune.example/allerta".into());
    let done = c.deliver(&p).unwrap();
    let posts = fake.messages_in(CHANNEL);
    assert_eq!(posts.len(), 1);
    assert_eq!(
        posts[0].text,
        "Allerta meteo arancione\n\nhttps://comune.example/allerta"
    );
    assert_eq!(done.platform_ref, Some(format!("{CHANNEL}:1")));
    // The channel's post shows in the group, where comments go.
    assert_eq!(fake.messages_in(GROUP).len(), 1);

    let mut one = Delivery::new(Operation::Publish, "p2");
    one.text = Some("Il nuovo parco".into());
    one.media = vec![MediaItem {
        url: "https://comune.example/parco.jpg".into(),
        alt_text: "Il parco".into(),
    }];
    c.deliver(&one).unwrap();
    let mut many = one.clone();
    many.key = "p3".into();
    many.media.push(MediaItem {
        url: "https://comune.example/parco2.jpg".into(),
        alt_text: "Il parco da sud".into(),
    });
    c.deliver(&many).unwrap();
    let posts = fake.messages_in(CHANNEL);
    assert_eq!(posts[1].photos, ["https://comune.example/parco.jpg"]);
    assert_eq!(posts[2].photos.len(), 2);
    assert_eq!(posts[2].text, "Il nuovo parco");
}

#[test]
fn flood_control_and_a_revoked_token_are_told_apart() {
    let (fake, _) = setup(Rights::all());
    let c = connector(&fake, None);
    fake.flood(1, 35);
    match c.fetch(&FetchRequest::default()) {
        Err(Failure::RateLimited { retry_after, .. }) => {
            assert_eq!(retry_after, Duration::from_secs(35))
        }
        other => panic!("{other:?}"),
    }
    assert!(c.fetch(&FetchRequest::default()).is_ok());

    let revoked = TelegramConnector::new(TelegramConnection {
        api_url: fake.url(),
        token: SecretString::new("123456:revoked"),
        group_chat_id: GROUP.to_string(),
        channel_chat_id: None,
        webhook: None,
    })
    .unwrap();
    let check = revoked.check().unwrap();
    assert!(!check.valid);
    assert!(check.problems[0].contains("@BotFather"), "{check:?}");
    match revoked.fetch(&FetchRequest::default()) {
        Err(Failure::Permanent {
            code: PermanentCode::TokenInvalid,
            message,
        }) => assert!(!message.contains("revoked"), "the token leaked: {message}"),
        other => panic!("{other:?}"),
    }
    // A token that could change the path is refused before any call.
    assert!(
        TelegramConnector::new(TelegramConnection {
            api_url: fake.url(),
            token: SecretString::new("123/../x"),
            group_chat_id: GROUP.to_string(),
            channel_chat_id: None,
            webhook: None,
        })
        .is_err()
    );
}

#[test]
fn the_webhook_is_registered_with_its_secret_and_checked() {
    let (fake, _) = setup(Rights::all());
    let url = "https://piazza.comune.example/webhooks/telegram/5";
    let c = connector(&fake, Some(url));
    assert!(
        c.check()
            .unwrap()
            .problems
            .iter()
            .any(|p| p.contains("webhook"))
    );
    assert!(c.subscribe().unwrap());
    let (registered, secret) = fake.webhook().unwrap();
    assert_eq!(registered, url);
    assert_eq!(
        secret.as_deref(),
        Some(webhook_secret(&SecretString::new(TOKEN), "5").expose())
    );
    assert!(c.check().unwrap().valid);
    assert!(!c.reads_by_pull());
    // While the webhook is set, getUpdates is refused: the error says why.
    let pulled = connector(&fake, None);
    assert!(pulled.reads_by_pull());
    match pulled.fetch(&FetchRequest::default()) {
        Err(Failure::Permanent { message, .. }) => assert!(message.contains("webhook")),
        other => panic!("{other:?}"),
    }
    assert!(
        pulled
            .check()
            .unwrap()
            .problems
            .iter()
            .any(|p| p.contains("getUpdates"))
    );
}

#[test]
fn a_private_answer_goes_to_the_citizens_chat_and_never_to_a_group() {
    let (fake, bot) = setup(Rights::all());
    fake.private_message(44, "Carla", "Buongiorno");
    let c = connector(&fake, None);
    let mut m = Delivery::new(Operation::Message, "m1");
    m.comment_external_id = Some("44".into());
    m.text = Some("Buongiorno Carla, come possiamo aiutarla?".into());
    c.deliver(&m).unwrap();
    let ours: Vec<_> = fake
        .messages_in(44)
        .into_iter()
        .filter(|x| x.from.as_ref().is_some_and(|f| f.0 == bot))
        .collect();
    assert_eq!(ours.len(), 1);
    m.comment_external_id = Some(GROUP.to_string());
    assert!(matches!(
        c.deliver(&m),
        Err(Failure::Permanent {
            code: PermanentCode::Rejected,
            ..
        })
    ));
    // The webhook's parser routes a private message to the account whose
    // address received it, and to nobody without one.
    let body = br#"{"update_id":5,"message":{"message_id":9,"date":1760000000,"chat":{"id":44,"type":"private","first_name":"Carla"},"from":{"id":44,"is_bot":false,"first_name":"Carla"},"text":"ancora io"}}"#;
    assert!(
        piazza_platforms::telegram::parse_update(body, None)
            .unwrap()
            .is_empty()
    );
    let routed = piazza_platforms::telegram::parse_update(body, Some("-100")).unwrap();
    assert_eq!(routed.len(), 1);
    assert_eq!(routed[0].platform_account, "-100");
    assert!(matches!(&routed[0].event, IncomingEvent::Message(m) if m.text == "ancora io"));
}
