//! The YouTube connector over real HTTP against the fake Data API and
//! token endpoint: threads and their replies under the video, moderation
//! (held, published, rejected, banned), answers never posted twice, the
//! access token renewed, a revoked refresh token explained, and the daily
//! quota budgeted (pulls leave the reserve to decisions; YouTube's own
//! `quotaExceeded` closes the day).

use std::sync::Arc;
use std::time::Duration;

use piazza_fakes::youtube::FakeYoutube;
use piazza_platforms::youtube::{
    QuotaBudget, YoutubeConnection, YoutubeConnector, YoutubeCredentials,
};
use piazza_platforms::{
    Connector, Delivery, Failure, FetchRequest, IncomingEvent, Operation, PermanentCode,
    SecretString,
};

const CHANNEL: &str = "UCcomuneDiTorino00000000";

fn setup() -> FakeYoutube {
    let fake = FakeYoutube::start();
    fake.add_client("client-1", "segreto-client");
    fake.add_refresh_token("1//refresh", CHANNEL, true);
    fake
}

fn connector_with(fake: &FakeYoutube, budget: Arc<QuotaBudget>, refresh: &str) -> YoutubeConnector {
    YoutubeConnector::new(YoutubeConnection {
        api_url: fake.api_url(),
        oauth_url: fake.oauth_url(),
        channel_id: CHANNEL.into(),
        credentials: YoutubeCredentials::parse(&SecretString::new(format!(
            r#"{{"client_id":"client-1","client_secret":"segreto-client","refresh_token":"{refresh}"}}"#
        )))
        .unwrap(),
        budget,
        poll_every: Duration::from_secs(300),
    })
    .unwrap()
}

fn connector(fake: &FakeYoutube) -> YoutubeConnector {
    connector_with(
        fake,
        Arc::new(QuotaBudget::new(10_000, 2_000)),
        "1//refresh",
    )
}

fn texts(events: &[IncomingEvent]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            IncomingEvent::Comment(c) => Some(c.text.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn threads_and_all_their_replies_come_under_the_video_with_its_title() {
    let fake = setup();
    let video = fake.add_video(CHANNEL, "Consiglio metropolitano del 3 dicembre");
    let top = fake.add_comment(&video, "UCmario", "Mario", "A che ora inizia?", None);
    for i in 0..7 {
        fake.add_comment(
            &video,
            "UCanna",
            "Anna",
            &format!("Risposta {i}"),
            Some(&top),
        );
    }
    // The channel's own answers are not comments to moderate.
    fake.add_comment(&video, CHANNEL, "CMTo", "Alle 10.", Some(&top));
    let c = connector(&fake);
    let page = c.fetch(&FetchRequest::default()).unwrap();
    assert!(page.done);
    let t = texts(&page.events);
    // The thread carries five replies: the other two are read with
    // comments.list.
    assert_eq!(t.len(), 8, "{t:?}");
    assert!(t.contains(&"Risposta 6".to_string()));
    assert!(!t.contains(&"Alle 10.".to_string()));
    assert_eq!(page.posts.len(), 1);
    assert_eq!(
        page.posts[0].text.as_deref(),
        Some("Consiglio metropolitano del 3 dicembre")
    );
    let IncomingEvent::Comment(first) = &page.events[0] else {
        panic!()
    };
    assert_eq!(first.post_external_id.as_deref(), Some(video.as_str()));
    assert_eq!(
        first.post_text.as_deref(),
        Some("Consiglio metropolitano del 3 dicembre")
    );
    let reply = page
        .events
        .iter()
        .find_map(|e| match e {
            IncomingEvent::Comment(c) if c.text == "Risposta 0" => Some(c),
            _ => None,
        })
        .unwrap();
    assert_eq!(reply.parent_external_id.as_deref(), Some(top.as_str()));
    // threads 1 + comments 1 + videos 1 + channels 0: three units.
    assert_eq!(fake.quota_used(), 3);
    // Polling again at once reads nothing and spends nothing.
    let again = c.fetch(&FetchRequest::default()).unwrap();
    assert!(again.events.is_empty());
    assert_eq!(fake.quota_used(), 3);
}

#[test]
fn moderation_is_held_published_rejected_and_banned() {
    let fake = setup();
    let video = fake.add_video(CHANNEL, "Video");
    let a = fake.add_comment(&video, "UCx", "X", "insulto", None);
    let b = fake.add_comment(&video, "UCy", "Y", "spam", None);
    let c = connector(&fake);
    let d = |op, id: &str| {
        let mut d = Delivery::new(op, "k");
        d.comment_external_id = Some(id.into());
        d
    };
    c.deliver(&d(Operation::Hide, &a)).unwrap();
    assert_eq!(fake.comment(&a).unwrap().status, "heldForReview");
    c.deliver(&d(Operation::Unhide, &a)).unwrap();
    assert_eq!(fake.comment(&a).unwrap().status, "published");
    c.deliver(&d(Operation::Delete, &a)).unwrap();
    assert_eq!(fake.comment(&a).unwrap().status, "rejected");
    // A rejected comment cannot come back: the platform's refusal.
    assert!(matches!(
        c.deliver(&d(Operation::Unhide, &a)),
        Err(Failure::Permanent {
            code: PermanentCode::NotAllowed,
            ..
        })
    ));
    c.deliver(&d(Operation::Ban, &b)).unwrap();
    assert_eq!(fake.comment(&b).unwrap().status, "rejected");
    assert_eq!(fake.banned(), ["UCy"]);
    // Unbanning has no API: the capability map's reason.
    match c.deliver(&d(Operation::Unban, &b)) {
        Err(Failure::Permanent {
            code: PermanentCode::Unsupported,
            message,
        }) => assert!(message.contains("YouTube Studio"), "{message}"),
        other => panic!("{other:?}"),
    }
    // A comment that does not exist.
    assert!(matches!(
        c.deliver(&d(Operation::Hide, "Ugznonesiste")),
        Err(Failure::Permanent {
            code: PermanentCode::ObjectGone,
            ..
        })
    ));
    // Six calls sent (the unban never left), 50 units each: the one for
    // the missing comment costs too.
    assert_eq!(fake.quota_used(), 6 * 50);
}

#[test]
fn an_answer_goes_under_the_thread_once() {
    let fake = setup();
    let video = fake.add_video(CHANNEL, "Video");
    let top = fake.add_comment(&video, "UCx", "Mario", "Domanda?", None);
    let sub = fake.add_comment(&video, "UCy", "Anna", "Anche io", Some(&top));
    let c = connector(&fake);
    let mut r = Delivery::new(Operation::Reply, "r1");
    r.comment_external_id = Some(sub.clone());
    r.text = Some("Risponde l'ufficio stampa.".into());
    let done = c.deliver(&r).unwrap();
    let replies = fake.replies_to(&top);
    let ours: Vec<_> = replies
        .iter()
        .filter(|c| c.author_channel == CHANNEL)
        .collect();
    assert_eq!(ours.len(), 1);
    assert_eq!(done.platform_ref.as_deref(), Some(ours[0].id.as_str()));
    // The answer of a lost attempt is found, not posted again.
    r.uncertain = true;
    let again = c.deliver(&r).unwrap();
    assert!(again.already);
    assert_eq!(again.platform_ref, done.platform_ref);
    // ...unless another delivery already claimed it.
    r.known_refs = vec![done.platform_ref.clone().unwrap()];
    c.deliver(&r).unwrap();
    assert_eq!(
        fake.replies_to(&top)
            .iter()
            .filter(|c| c.author_channel == CHANNEL)
            .count(),
        2
    );
}

#[test]
fn pulls_leave_the_reserve_and_decisions_wait_for_the_reset() {
    let fake = setup();
    let video = fake.add_video(CHANNEL, "Video");
    let a = fake.add_comment(&video, "UCx", "X", "testo", None);
    let now = Arc::new(std::sync::atomic::AtomicI64::new(1_796_500_000_000));
    let clock = now.clone();
    let budget = Arc::new(QuotaBudget::with_clock(
        60,
        55,
        Arc::new(move || clock.load(std::sync::atomic::Ordering::SeqCst)),
    ));
    let c = connector_with(&fake, budget.clone(), "1//refresh");
    // Five units for pulls: the first pull takes two (threads, videos).
    c.fetch(&FetchRequest::default()).unwrap();
    let mut d = Delivery::new(Operation::Hide, "h");
    d.comment_external_id = Some(a.clone());
    // A decision may use the reserve.
    c.deliver(&d).unwrap();
    // The next one would pass the day's 60: it waits until the reset.
    match c.deliver(&d) {
        Err(Failure::RateLimited {
            retry_after,
            message,
        }) => {
            assert!(retry_after > Duration::from_secs(60), "{retry_after:?}");
            assert!(message.contains("quota"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(fake.quota_used(), 52);
    let status = c.quota().unwrap();
    assert_eq!((status.used, status.limit, status.reserve), (52, 60, 55));
    // The next Pacific day the budget is whole again.
    now.fetch_add(86_400_000, std::sync::atomic::Ordering::SeqCst);
    c.deliver(&d).unwrap();
    assert_eq!(c.quota().unwrap().used, 50);
}

#[test]
fn youtubes_own_quota_error_closes_the_day() {
    let fake = setup();
    let video = fake.add_video(CHANNEL, "Video");
    let a = fake.add_comment(&video, "UCx", "X", "testo", None);
    let c = connector(&fake);
    fake.set_quota(10_000, 9_990);
    let mut d = Delivery::new(Operation::Delete, "d");
    d.comment_external_id = Some(a);
    assert!(matches!(c.deliver(&d), Err(Failure::RateLimited { .. })));
    assert!(c.quota().unwrap().exhausted);
    // Closed until the reset: nothing more is sent today.
    let calls = fake.calls().len();
    assert!(matches!(c.deliver(&d), Err(Failure::RateLimited { .. })));
    assert_eq!(fake.calls().len(), calls);
}

#[test]
fn tokens_are_renewed_and_a_revoked_one_is_explained() {
    let fake = setup();
    let video = fake.add_video(CHANNEL, "Video");
    let a = fake.add_comment(&video, "UCx", "X", "testo", None);
    let c = connector(&fake);
    let check = c.check().unwrap();
    assert!(check.valid, "{check:?}");
    assert!(check.quota.is_some());
    // The access token expires: the call renews it and goes through.
    fake.expire_access_tokens();
    let mut d = Delivery::new(Operation::Hide, "h");
    d.comment_external_id = Some(a);
    c.deliver(&d).unwrap();
    fake.revoke("1//refresh");
    fake.expire_access_tokens();
    match c.deliver(&d) {
        Err(Failure::Permanent {
            code: PermanentCode::TokenInvalid,
            message,
        }) => assert!(message.contains("refresh token"), "{message}"),
        other => panic!("{other:?}"),
    }
    let check = c.check().unwrap();
    assert!(!check.valid);
    assert!(
        !format!("{check:?}").contains("segreto-client"),
        "no secret in a check"
    );

    // A refresh token without youtube.force-ssl, of another channel.
    fake.add_refresh_token("1//readonly", "UCaltro", false);
    let c = connector_with(&fake, Arc::new(QuotaBudget::new(10_000, 0)), "1//readonly");
    let check = c.check().unwrap();
    assert!(!check.valid);
    assert_eq!(
        check.missing[0].permission,
        piazza_platforms::youtube::FORCE_SSL
    );
}
