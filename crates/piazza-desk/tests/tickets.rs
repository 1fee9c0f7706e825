//! Offices in the loop, on every backend: offices as registry data, office
//! staff who see only their office's tickets, the ticket workflow (ask,
//! inform, answer, reply, close) with its history and audit, the draft
//! reply sent through the ordinary reply path, and the e-mail
//! notifications delivered over real SMTP to a local sink, retried after
//! a refusal and folded into a daily digest.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use piazza_desk::{
    AccountId, ActRequest, ActionKind, Actor, AdminId, CommentId, Desk, IncomingComment, MailState,
    NewAdministration, NewMailSettings, NewOffice, NewStaff, Office, OfficeUpdate, Operation,
    Resolution, Role, SecretKey, SecretString, SmtpSecurity, StandardConnectors, TicketEvent,
    TicketFilter, TicketState,
};
use piazza_fakes::smtp::SmtpSink;
use piazza_store::testing::{TestStore, test_stores};

/// 2026-11-23T10:00:00+01:00, a Monday morning.
const MONDAY_10: i64 = 1_795_424_400_000;
const HOUR: i64 = 3_600_000;

struct World {
    desk: Desk,
    clock: Arc<AtomicI64>,
    admin: AdminId,
    root: Actor,
    boss: Actor,
    urp: Actor,
    /// Staff of the "Lavori pubblici" office.
    lavori: Actor,
    /// Staff of the "Tributi" office.
    tributi: Actor,
    lavori_office: Office,
    tributi_office: Office,
    account: AccountId,
    _store: TestStore,
}

fn staff(username: &str, roles: Vec<Role>, email: Option<&str>) -> NewStaff {
    NewStaff {
        username: username.into(),
        full_name: format!("{username} (nome)"),
        email: email.map(String::from),
        roles,
        password: None,
    }
}

fn world(store: TestStore) -> World {
    let clock = Arc::new(AtomicI64::new(MONDAY_10));
    let c = clock.clone();
    let desk = Desk::with_clock(
        store.store.clone(),
        Arc::new(move || c.load(Ordering::SeqCst)),
    )
    .with_platforms(
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
            SecretKey::from_passphrase("una chiave di prova lunga almeno trentadue caratteri")
                .unwrap(),
        )),
        60_000,
    );
    let admin = desk
        .create_administration(NewAdministration::preset("cento"))
        .unwrap()
        .id;
    desk.add_staff(admin, None, staff("root", vec![Role::Admin], None))
        .unwrap();
    let root = desk.actor(admin, "root").unwrap();
    desk.add_staff(
        admin,
        Some(&root),
        staff("capo", vec![Role::Dirigente], None),
    )
    .unwrap();
    let boss = desk.actor(admin, "capo").unwrap();
    desk.add_staff(
        admin,
        Some(&boss),
        staff(
            "urp",
            vec![Role::OperatoreUrp],
            Some("urp.persona@comune.example"),
        ),
    )
    .unwrap();
    for u in ["lavori", "tributi"] {
        desk.add_staff(admin, Some(&boss), staff(u, vec![Role::Ufficio], None))
            .unwrap();
    }
    let account = desk
        .accounts(admin)
        .unwrap()
        .into_iter()
        .find(|a| a.platform == "facebook")
        .unwrap()
        .id;
    desk.assign(&boss, "urp", account, None).unwrap();
    let lavori_office = desk
        .add_office(
            &boss,
            NewOffice {
                name: "Lavori pubblici".into(),
                email: Some("lavori@comune.example".into()),
                digest: false,
            },
        )
        .unwrap();
    let tributi_office = desk
        .add_office(
            &boss,
            NewOffice {
                name: "Tributi".into(),
                email: Some("tributi@comune.example".into()),
                digest: false,
            },
        )
        .unwrap();
    desk.set_staff_office(&boss, "lavori", Some(lavori_office.id))
        .unwrap();
    desk.set_staff_office(&boss, "tributi", Some(tributi_office.id))
        .unwrap();
    World {
        root,
        urp: desk.actor(admin, "urp").unwrap(),
        lavori: desk.actor(admin, "lavori").unwrap(),
        tributi: desk.actor(admin, "tributi").unwrap(),
        boss,
        desk,
        clock,
        admin,
        lavori_office,
        tributi_office,
        account,
        _store: store,
    }
}

fn comment(id: &str, text: &str) -> IncomingComment {
    IncomingComment {
        external_id: id.into(),
        post_external_id: Some("post-1".into()),
        parent_external_id: None,
        post_text: Some("Lavori in via Garibaldi".into()),
        author_ref: Some("fb-user-42".into()),
        author_name: Some("Mario R.".into()),
        text: text.into(),
        created_at: MONDAY_10,
    }
}

impl World {
    fn ingest(&self, id: &str, text: &str) -> CommentId {
        self.desk
            .ingest_comment(self.admin, self.account, &comment(id, text))
            .unwrap()
            .id()
    }

    /// Forwards a new comment to `office`; returns the comment and the
    /// ticket's number.
    fn forward(&self, id: &str, office: &str) -> (CommentId, String) {
        let c = self.ingest(id, "Quando finiscono i lavori in via Garibaldi?");
        let mut req = ActRequest::new(c, ActionKind::Forward);
        req.office = Some(office.into());
        req.reason = Some("Chiedo all'ufficio i tempi del cantiere".into());
        let out = self.desk.act(&self.urp, &req).unwrap();
        (c, out.ticket_number.unwrap())
    }

    fn audit_kinds(&self) -> Vec<String> {
        self.desk
            .audit_entries(self.admin, 0, 10_000)
            .unwrap()
            .into_iter()
            .map(|e| e.entry.kind)
            .collect()
    }

    fn mail_to(&self, sink: &SmtpSink, urp: bool) {
        self.desk
            .set_mail_settings(
                &self.root,
                NewMailSettings {
                    host: "127.0.0.1".into(),
                    port: sink.port(),
                    security: SmtpSecurity::None,
                    from: "piazza@comune.example".into(),
                    username: None,
                    password: Some(SecretString::new("password-smtp-segreta")),
                    desk_url: Some("https://piazza.comune.example/".into()),
                    urp_address: urp.then(|| "urp@comune.example".to_string()),
                    digest_hour: 8,
                },
            )
            .unwrap();
    }
}

#[test]
fn offices_are_decided_by_a_dirigente_and_audited() {
    for s in test_stores("tickets_offices") {
        let w = world(s);
        let new = || NewOffice {
            name: "Anagrafe".into(),
            email: Some("anagrafe@comune.example".into()),
            digest: true,
        };
        // The technical administrator does not decide where citizens'
        // questions go.
        let e = w.desk.add_office(&w.root, new()).unwrap_err();
        assert_eq!(e.code(), "forbidden");
        let e = w.desk.add_office(&w.urp, new()).unwrap_err();
        assert_eq!(e.code(), "forbidden");
        let o = w.desk.add_office(&w.boss, new()).unwrap();
        assert!(o.digest);
        let e = w
            .desk
            .add_office(
                &w.boss,
                NewOffice {
                    name: "ANAGRAFE ".into(),
                    ..new()
                },
            )
            .unwrap_err();
        assert_eq!(e.code(), "invalid_input", "names are unique, any case");
        let e = w
            .desk
            .add_office(
                &w.boss,
                NewOffice {
                    name: "Cultura".into(),
                    email: Some("non è un indirizzo".into()),
                    digest: false,
                },
            )
            .unwrap_err();
        assert_eq!(e.code(), "invalid_input");
        let o = w
            .desk
            .update_office(
                &w.boss,
                o.id,
                &OfficeUpdate {
                    digest: Some(false),
                    email: Some(String::new()),
                    ..Default::default()
                },
            )
            .unwrap();
        assert!(!o.digest);
        assert_eq!(o.email, None);
        // Only office staff are bound to an office.
        let e = w
            .desk
            .set_staff_office(&w.boss, "urp", Some(o.id))
            .unwrap_err();
        assert_eq!(e.code(), "invalid_input");
        let e = w
            .desk
            .set_staff_office(&w.root, "lavori", Some(o.id))
            .unwrap_err();
        assert_eq!(e.code(), "forbidden");
        let offices = w.desk.offices(w.admin).unwrap();
        let names: Vec<&str> = offices.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(names, ["Anagrafe", "Lavori pubblici", "Tributi"]);
        assert_eq!(offices[1].staff, ["lavori"]);
        assert_eq!(
            w.desk.office_of(&w.lavori).unwrap().map(|o| o.id),
            Some(w.lavori_office.id)
        );
        let kinds = w.audit_kinds();
        assert_eq!(kinds.iter().filter(|k| *k == "office.add").count(), 3);
        assert_eq!(kinds.iter().filter(|k| *k == "office.update").count(), 1);
        assert_eq!(kinds.iter().filter(|k| *k == "staff.office").count(), 2);
    }
}

#[test]
fn a_ticket_goes_from_forward_to_a_reply_sent_through_the_outbox() {
    for s in test_stores("tickets_workflow") {
        let w = world(s);
        let (c, number) = w.forward("c1", "lavori PUBBLICI");
        let (_, other) = w.forward("c2", "Tributi");
        // Once offices exist, a forward names one of them: nothing of a
        // refused forward is left behind.
        let stray = w.ingest("c3", "Chi pulisce il parco?");
        let mut req = ActRequest::new(stray, ActionKind::Forward);
        req.office = Some("Ufficio inesistente".into());
        let e = w.desk.act(&w.urp, &req).unwrap_err();
        assert_eq!(e.code(), "invalid_input");
        assert!(
            e.message_it().contains("Lavori pubblici"),
            "{}",
            e.message_it()
        );
        assert!(w.desk.item(&w.urp, stray).unwrap().actions.is_empty());

        // The office's staff see their office's tickets only...
        let mine = w.desk.tickets(&w.lavori, &TicketFilter::default()).unwrap();
        assert_eq!(mine.len(), 1);
        let t = &mine[0];
        assert_eq!(
            (t.number.as_str(), t.state),
            (number.as_str(), TicketState::Open)
        );
        assert_eq!(t.office, "Lavori pubblici", "the registered name");
        assert_eq!(t.office_id, Some(w.lavori_office.id));
        assert_eq!(
            t.comment_text.as_deref(),
            Some("Quando finiscono i lavori in via Garibaldi?")
        );
        let theirs = w
            .desk
            .tickets(&w.tributi, &TicketFilter::default())
            .unwrap();
        assert_eq!(theirs.len(), 1);
        assert_eq!(theirs[0].number, other);
        assert_eq!(
            w.desk.ticket(&w.tributi, t.id).unwrap_err().code(),
            "not_found"
        );
        assert_eq!(
            w.desk
                .ticket_answer(&w.tributi, t.id, "Non è nostro", None)
                .unwrap_err()
                .code(),
            "not_found"
        );
        // ...and never the moderation queue, nor can they act on it.
        assert_eq!(
            w.desk.item(&w.lavori, c).unwrap_err().code(),
            "out_of_scope"
        );
        assert_eq!(
            w.desk
                .act(&w.lavori, &ActRequest::new(c, ActionKind::Keep))
                .unwrap_err()
                .code(),
            "forbidden"
        );
        // The URP and the dirigente see both tickets.
        assert_eq!(
            w.desk
                .tickets(&w.urp, &TicketFilter::default())
                .unwrap()
                .len(),
            2
        );
        assert_eq!(
            w.desk
                .tickets(&w.boss, &TicketFilter::default())
                .unwrap()
                .len(),
            2
        );

        // The office asks; only the URP answers the question.
        let t = w
            .desk
            .ticket_ask(
                &w.lavori,
                t.id,
                "Di quale tratto di via Garibaldi parla?",
                Some(t.version),
            )
            .unwrap();
        assert_eq!(t.state, TicketState::InfoRequested);
        assert_eq!(
            w.desk
                .ticket_inform(&w.lavori, t.id, "me lo dico da solo", None)
                .unwrap_err()
                .code(),
            "forbidden"
        );
        assert_eq!(
            w.desk
                .ticket_answer(&w.lavori, t.id, "Troppo presto", None)
                .unwrap_err()
                .code(),
            "invalid_input",
            "no answer while the office waits for the URP"
        );
        let t = w
            .desk
            .ticket_inform(&w.urp, t.id, "Il tratto tra piazza Roma e il ponte", None)
            .unwrap();
        assert_eq!(t.state, TicketState::Open);
        // A step on a version already moved on is a conflict, and leaves
        // nothing behind.
        let before = w.audit_kinds().len();
        let e = w
            .desk
            .ticket_answer(&w.lavori, t.id, "vecchia", Some(t.version - 1))
            .unwrap_err();
        assert_eq!(e.code(), "conflict");
        assert_eq!(w.audit_kinds().len(), before);
        assert_eq!(w.desk.ticket(&w.lavori, t.id).unwrap().messages.len(), 3);

        // The answer becomes a draft reply; the office cannot send it.
        let t = w
            .desk
            .ticket_answer(
                &w.lavori,
                t.id,
                "I lavori finiscono il 15 dicembre.",
                Some(t.version),
            )
            .unwrap();
        assert_eq!(t.state, TicketState::Answered);
        let draft = t.draft_reply.clone().unwrap();
        assert!(
            draft.contains("I lavori finiscono il 15 dicembre."),
            "{draft}"
        );
        assert!(draft.contains("Lavori pubblici"), "{draft}");
        assert_eq!(
            w.desk
                .ticket_send_reply(&w.lavori, t.id, None, None)
                .unwrap_err()
                .code(),
            "forbidden"
        );
        // The URP reviews it and sends it as an ordinary reply.
        let edited = format!("{draft} Grazie per la segnalazione.");
        let out = w
            .desk
            .ticket_send_reply(&w.urp, t.id, Some(&edited), Some(t.version))
            .unwrap();
        assert_eq!(out.reply_text.as_deref(), Some(edited.as_str()));
        assert_eq!(out.resolution, Some(Resolution::Replied));
        let steps = &out.platform_steps;
        assert_eq!(steps.len(), 1);
        assert_eq!(steps[0].operation, Operation::Reply);
        let t = w.desk.ticket(&w.urp, t.id).unwrap();
        assert_eq!(t.state, TicketState::Closed);
        assert_eq!(t.reply_action_id, Some(out.action_id));
        assert!(t.closed_at.is_some());
        let history: Vec<(TicketEvent, Option<&str>)> = t
            .messages
            .iter()
            .map(|m| (m.event, m.author.as_deref()))
            .collect();
        assert_eq!(
            history,
            [
                (TicketEvent::Forwarded, Some("urp")),
                (TicketEvent::Question, Some("lavori")),
                (TicketEvent::Info, Some("urp")),
                (TicketEvent::Answer, Some("lavori")),
                (TicketEvent::ReplySent, Some("urp")),
            ]
        );
        assert_eq!(
            t.messages[0].body.as_deref(),
            Some("Chiedo all'ufficio i tempi del cantiere")
        );
        // Closed is final, for everybody.
        assert_eq!(
            w.desk
                .ticket_close(&w.lavori, t.id, None, None)
                .unwrap_err()
                .code(),
            "invalid_input"
        );
        let kinds = w.audit_kinds();
        for k in [
            "ticket.question",
            "ticket.info",
            "ticket.answer",
            "ticket.reply",
            "action.reply",
        ] {
            assert_eq!(kinds.iter().filter(|x| *x == k).count(), 1, "{k}");
        }
        assert!(w.desk.verify_audit(w.admin).unwrap().is_intact());

        // The other office closes its own ticket without a reply.
        let theirs = &w
            .desk
            .tickets(&w.tributi, &TicketFilter::default())
            .unwrap()[0];
        let closed = w
            .desk
            .ticket_close(&w.tributi, theirs.id, Some("Gestita per telefono"), None)
            .unwrap();
        assert_eq!(closed.state, TicketState::Closed);
        assert_eq!(closed.draft_reply, None);
        let open = w
            .desk
            .tickets(
                &w.boss,
                &TicketFilter {
                    states: vec![TicketState::Open, TicketState::Answered],
                    ..Default::default()
                },
            )
            .unwrap();
        assert!(open.is_empty());
        let _ = &w.tributi_office;
    }
}

#[test]
fn notifications_reach_the_office_and_the_urp_once_over_smtp() {
    for s in test_stores("tickets_mail") {
        let w = world(s);
        let sink = SmtpSink::start();
        w.mail_to(&sink, true);
        let settings = w.desk.mail_settings(w.admin).unwrap().unwrap();
        assert!(settings.has_password);
        assert_eq!(
            settings.desk_url.as_deref(),
            Some("https://piazza.comune.example")
        );
        let (_, number) = w.forward("c1", "Lavori pubblici");
        let pending = w
            .desk
            .mail_outbox(w.admin, &[MailState::Pending], 10)
            .unwrap();
        assert_eq!(pending.len(), 1);
        let run = w.desk.send_mail(10).unwrap();
        assert_eq!((run.claimed, run.sent), (1, 1));
        let got = sink.messages();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].to, ["lavori@comune.example"]);
        assert_eq!(got[0].from, "piazza@comune.example");
        assert_eq!(
            got[0].header("Subject").as_deref(),
            Some(format!("[Piazza] Segnalazione {number} inoltrata a Lavori pubblici").as_str())
        );
        let t = &w.desk.tickets(&w.lavori, &TicketFilter::default()).unwrap()[0];
        assert!(
            got[0].data.contains(&format!(
                "https://piazza.comune.example/desk/ticket/{}",
                t.id
            )),
            "{}",
            got[0].data
        );
        // Minimised: neither the comment nor its author leave by mail.
        assert!(!got[0].data.contains("via Garibaldi"));
        assert!(!got[0].data.contains("Mario"));
        // Sent once: another pass sends nothing.
        assert_eq!(w.desk.send_mail(10).unwrap().claimed, 0);
        assert_eq!(sink.messages().len(), 1);

        // The office's answer goes to the URP's mailbox.
        w.desk
            .ticket_answer(&w.lavori, t.id, "Finiscono il 15 dicembre.", None)
            .unwrap();
        assert_eq!(w.desk.send_mail(10).unwrap().sent, 1);
        let got = sink.messages();
        assert_eq!(got.len(), 2);
        assert_eq!(got[1].to, ["urp@comune.example"]);
        assert!(
            got[1]
                .header("Subject")
                .unwrap()
                .contains(&format!("ha risposto alla segnalazione {number}"))
        );
        let sent = w.desk.mail_outbox(w.admin, &[MailState::Sent], 10).unwrap();
        assert_eq!(sent.len(), 2);
        assert!(sent.iter().all(|m| m.sent_at == Some(MONDAY_10)));
        // The password is sealed, and appears in no audit entry.
        let log = serde_json::to_string(
            &w.desk
                .audit_entries(w.admin, 0, 10_000)
                .unwrap()
                .iter()
                .map(|e| e.entry.payload.clone())
                .collect::<Vec<_>>(),
        )
        .unwrap();
        assert!(!log.contains("password-smtp-segreta"));
        assert!(log.contains("\"password_changed\":true"));
        let kinds = w.audit_kinds();
        assert_eq!(kinds.iter().filter(|k| *k == "mail.sent").count(), 2);
    }
}

#[test]
fn without_an_urp_mailbox_the_forwarder_is_told() {
    for s in test_stores("tickets_mail_forwarder") {
        let w = world(s);
        let sink = SmtpSink::start();
        w.mail_to(&sink, false);
        w.forward("c1", "Lavori pubblici");
        let t = &w.desk.tickets(&w.lavori, &TicketFilter::default()).unwrap()[0];
        w.desk
            .ticket_ask(&w.lavori, t.id, "Quale tratto?", None)
            .unwrap();
        w.desk.send_mail(10).unwrap();
        let to: Vec<Vec<String>> = sink.messages().into_iter().map(|m| m.to).collect();
        assert_eq!(
            to,
            [
                vec!["lavori@comune.example".to_string()],
                vec!["urp.persona@comune.example".to_string()]
            ]
        );
    }
}

#[test]
fn a_refused_mail_stays_pending_and_a_retry_sends_it_once() {
    for s in test_stores("tickets_mail_retry") {
        let w = world(s);
        let sink = SmtpSink::start();
        w.mail_to(&sink, true);
        sink.refuse_next(1, 451);
        w.forward("c1", "Lavori pubblici");
        let run = w.desk.send_mail(10).unwrap();
        assert_eq!((run.sent, run.retrying), (0, 1));
        assert!(sink.messages().is_empty());
        let m = &w.desk.mail_outbox(w.admin, &[], 10).unwrap()[0];
        assert_eq!(m.state, MailState::Pending);
        assert_eq!(m.attempts, 1);
        assert!(
            m.last_error.as_deref().unwrap_or("").contains("451"),
            "{m:?}"
        );
        assert!(m.next_attempt_at > MONDAY_10, "it waits before the retry");
        // Not yet due: nothing is attempted.
        assert_eq!(w.desk.send_mail(10).unwrap().claimed, 0);
        w.clock.fetch_add(HOUR, Ordering::SeqCst);
        assert_eq!(w.desk.send_mail(10).unwrap().sent, 1);
        assert_eq!(w.desk.send_mail(10).unwrap().claimed, 0);
        assert_eq!(sink.messages().len(), 1);
        assert_eq!(sink.messages()[0].to, ["lavori@comune.example"]);
        let m = &w.desk.mail_outbox(w.admin, &[], 10).unwrap()[0];
        assert_eq!(
            (m.state, m.attempts, m.last_error.clone()),
            (MailState::Sent, 2, None)
        );

        // A permanent refusal stops at once, with the server's answer.
        sink.refuse_next(1, 550);
        w.forward("c2", "Lavori pubblici");
        let run = w.desk.send_mail(10).unwrap();
        assert_eq!(run.failed, 1);
        let m = &w
            .desk
            .mail_outbox(w.admin, &[MailState::Failed], 10)
            .unwrap()[0];
        assert!(
            m.last_error.as_deref().unwrap_or("").contains("550"),
            "{m:?}"
        );
        w.clock.fetch_add(HOUR, Ordering::SeqCst);
        assert_eq!(w.desk.send_mail(10).unwrap().claimed, 0);
        assert_eq!(sink.messages().len(), 1);
        assert!(w.audit_kinds().iter().any(|k| k == "mail.failed"));
    }
}

#[test]
fn a_digest_office_gets_one_summary_a_day() {
    for s in test_stores("tickets_digest") {
        let w = world(s);
        let sink = SmtpSink::start();
        w.mail_to(&sink, true);
        w.desk
            .update_office(
                &w.boss,
                w.tributi_office.id,
                &OfficeUpdate {
                    digest: Some(true),
                    ..Default::default()
                },
            )
            .unwrap();
        // Sunday night: before the digest hour of Monday... the clock
        // starts on Monday 10:00, past 8:00, so the first pass folds.
        let (_, first) = w.forward("c1", "Tributi");
        let (_, second) = w.forward("c2", "Tributi");
        let (_, third) = w.forward("c3", "Lavori pubblici");
        let held = w.desk.mail_outbox(w.admin, &[MailState::Held], 10).unwrap();
        assert_eq!(held.len(), 2);
        let run = w.desk.send_mail(10).unwrap();
        assert_eq!((run.digests, run.sent), (1, 2));
        let got = sink.messages();
        assert_eq!(got.len(), 2);
        let digest = got
            .iter()
            .find(|m| m.to == ["tributi@comune.example"])
            .unwrap();
        assert_eq!(
            digest.header("Subject").as_deref(),
            Some("[Piazza] Riepilogo giornaliero per Tributi: 2 notifiche")
        );
        assert!(digest.data.contains(&first) && digest.data.contains(&second));
        assert!(!digest.data.contains(&third), "another office's ticket");
        let folded = w
            .desk
            .mail_outbox(w.admin, &[MailState::Digested], 10)
            .unwrap();
        assert_eq!(folded.len(), 2);
        assert!(folded.iter().all(|m| m.digest_id.is_some()));

        // A third ticket the same day waits for tomorrow's digest.
        let (_, fourth) = w.forward("c4", "Tributi");
        w.clock.fetch_add(2 * HOUR, Ordering::SeqCst);
        assert_eq!(w.desk.send_mail(10).unwrap().digests, 0);
        assert_eq!(sink.messages().len(), 2);
        // Tuesday 07:00 is still before the hour; 08:00 is not.
        w.clock.store(MONDAY_10 + 21 * HOUR, Ordering::SeqCst);
        assert_eq!(w.desk.send_mail(10).unwrap().digests, 0);
        w.clock.store(MONDAY_10 + 22 * HOUR, Ordering::SeqCst);
        let run = w.desk.send_mail(10).unwrap();
        assert_eq!((run.digests, run.sent), (1, 1));
        let got = sink.messages();
        assert_eq!(got.len(), 3);
        assert!(got[2].data.contains(&fourth));
        assert!(!got[2].data.contains(&first), "each notification once");
    }
}
