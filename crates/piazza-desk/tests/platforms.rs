//! One path in and one path out, on every backend: the ingest pipeline
//! (near-duplicates across batches and restarts, closed accounts, bans in
//! force, platform deletions), and the outbox (steps written with the
//! decision, delivered once, retried, refused, shown for what they are).

use std::collections::VecDeque;
use std::io::Cursor;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use piazza_desk::{
    AccountId, AccountStatus, ActRequest, ActionKind, Actor, AdminId, CommentId, CommentState,
    ConnectionSpec, ConnectorFactory, ConnectorKind, Desk, ImportFormat, IncomingComment,
    IncomingEvent, IngestOutcome, NewAdministration, NewConnection, NewStaff, Operation,
    OutboxFilter, OutboxState, PermanentCode, Resolution, Role, SecretKey, SecretString,
    Visibility,
};
use piazza_platforms::sandbox::SandboxConnector;
use piazza_platforms::{
    ConnectionCheck, Connector, Delivered, Delivery, Failure, FetchPage, FetchRequest,
    IncomingPost, Platform,
};
use piazza_store::testing::{TestStore, test_stores};

/// 2026-11-23T10:00:00+01:00, a Monday morning.
const MONDAY_10: i64 = 1_795_424_400_000;

/// A connector whose answers the test scripts, and which records every
/// delivery it receives.
struct Scripted {
    platform: Platform,
    answers: Mutex<VecDeque<Result<Delivered, Failure>>>,
    seen: Mutex<Vec<Delivery>>,
}

impl Scripted {
    fn new(platform: Platform) -> Arc<Scripted> {
        Arc::new(Scripted {
            platform,
            answers: Mutex::new(VecDeque::new()),
            seen: Mutex::new(Vec::new()),
        })
    }

    fn answer(&self, a: Result<Delivered, Failure>) {
        self.answers.lock().unwrap().push_back(a);
    }

    fn seen(&self) -> Vec<Delivery> {
        self.seen.lock().unwrap().clone()
    }
}

impl Connector for Scripted {
    fn platform(&self) -> Platform {
        self.platform
    }
    fn deliver(&self, d: &Delivery) -> Result<Delivered, Failure> {
        self.seen.lock().unwrap().push(d.clone());
        self.answers
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or(Ok(Delivered::default()))
    }
    fn fetch(&self, _: &FetchRequest) -> Result<FetchPage, Failure> {
        Ok(FetchPage {
            done: true,
            ..FetchPage::default()
        })
    }
    fn post(&self, _: &str) -> Result<Option<IncomingPost>, Failure> {
        Ok(None)
    }
    fn check(&self) -> Result<ConnectionCheck, Failure> {
        Ok(ConnectionCheck::default())
    }
}

/// Hands out the test's connectors: the sandbox for sandbox connections,
/// the scripted one for Facebook and Instagram.
struct Factory {
    sandbox: Arc<SandboxConnector>,
    scripted: Arc<Scripted>,
}

impl ConnectorFactory for Factory {
    fn build(&self, spec: &ConnectionSpec) -> Result<Arc<dyn Connector>, String> {
        Ok(match spec.kind {
            ConnectorKind::Sandbox => self.sandbox.clone(),
            _ => self.scripted.clone(),
        })
    }
}

struct World {
    desk: Desk,
    clock: Arc<AtomicI64>,
    admin: AdminId,
    boss: Actor,
    moderator: Actor,
    /// A Facebook account connected through the sandbox.
    account: AccountId,
    sandbox: Arc<SandboxConnector>,
    scripted: Arc<Scripted>,
    store: TestStore,
}

fn desk_over(store: &TestStore, clock: &Arc<AtomicI64>, factory: Arc<Factory>) -> Desk {
    let c = clock.clone();
    Desk::with_clock(
        store.store.clone(),
        Arc::new(move || c.load(Ordering::SeqCst)),
    )
    .with_platforms(
        factory,
        Some(Arc::new(
            SecretKey::from_passphrase("chiave di prova lunga almeno trentadue caratteri").unwrap(),
        )),
        0,
    )
}

fn world(store: TestStore) -> World {
    let clock = Arc::new(AtomicI64::new(MONDAY_10));
    let sandbox = Arc::new(SandboxConnector::new(Platform::Facebook, 7, 3));
    let scripted = Scripted::new(Platform::Facebook);
    let desk = desk_over(
        &store,
        &clock,
        Arc::new(Factory {
            sandbox: sandbox.clone(),
            scripted: scripted.clone(),
        }),
    );
    let admin = desk
        .create_administration(NewAdministration::preset("cento"))
        .unwrap()
        .id;
    let staff = |username: &str, roles: Vec<Role>| NewStaff {
        username: username.into(),
        full_name: username.into(),
        email: None,
        roles,
        password: None,
    };
    desk.add_staff(admin, None, staff("root", vec![Role::Admin]))
        .unwrap();
    let root = desk.actor(admin, "root").unwrap();
    desk.add_staff(admin, Some(&root), staff("capo", vec![Role::Dirigente]))
        .unwrap();
    desk.add_staff(admin, Some(&root), staff("anna", vec![Role::Moderatore]))
        .unwrap();
    let account = desk
        .accounts(admin)
        .unwrap()
        .into_iter()
        .find(|a| a.platform == "facebook")
        .unwrap()
        .id;
    desk.assign(&root, "anna", account, None).unwrap();
    let boss = desk.actor(admin, "capo").unwrap();
    desk.connect(
        &boss,
        NewConnection {
            account_id: account,
            connector: ConnectorKind::Sandbox,
            platform_account: "pagina-demo".into(),
            page_id: None,
            token: None,
            base_url: None,
        },
    )
    .unwrap();
    World {
        moderator: desk.actor(admin, "anna").unwrap(),
        boss,
        desk,
        clock,
        admin,
        account,
        sandbox,
        scripted,
        store,
    }
}

fn comment(id: &str, author: &str, text: &str) -> IncomingComment {
    IncomingComment {
        external_id: id.into(),
        post_external_id: Some("post-1".into()),
        post_text: Some("Lavori di rifacimento dell'asfalto in via Garibaldi da lunedì".into()),
        parent_external_id: None,
        author_ref: Some(author.into()),
        author_name: Some("Mario R.".into()),
        text: text.into(),
        created_at: MONDAY_10,
    }
}

/// Connects the test account as a Facebook Page, served by the scripted
/// connector.
fn connect_facebook(w: &World, token: &str) -> piazza_desk::Connection {
    w.desk
        .connect(
            &w.boss,
            NewConnection {
                account_id: w.account,
                connector: ConnectorKind::Facebook,
                platform_account: "1234567890".into(),
                page_id: None,
                token: Some(SecretString::new(token)),
                base_url: None,
            },
        )
        .unwrap()
}

fn insult_clause(w: &World) -> u32 {
    w.desk
        .context(w.admin)
        .unwrap()
        .policy
        .category_rule(piazza_taxonomy::Category::Insult)
        .clause
        .unwrap()
}

fn steps(w: &World, comment: CommentId) -> Vec<piazza_desk::OutboxItem> {
    let mut s = w
        .desk
        .outbox(
            w.admin,
            &OutboxFilter {
                comment_id: Some(comment),
                limit: 100,
                ..OutboxFilter::default()
            },
        )
        .unwrap();
    s.reverse();
    s
}

#[test]
fn a_hide_is_written_with_the_decision_and_carried_out_once() {
    for s in test_stores("outbox_hide") {
        let w = world(s);
        let id = w
            .desk
            .ingest_comment(w.admin, w.account, &comment("c1", "u1", "Sei un idiota"))
            .unwrap()
            .id();
        w.desk
            .act(
                &w.moderator,
                &ActRequest::new(id, ActionKind::Hide).clause(insult_clause(&w)),
            )
            .unwrap();
        let before = steps(&w, id);
        let ops: Vec<(Operation, OutboxState)> =
            before.iter().map(|s| (s.operation, s.state)).collect();
        assert_eq!(
            ops,
            [
                (Operation::Hide, OutboxState::Pending),
                (Operation::PrivateReply, OutboxState::Pending)
            ],
            "{}",
            w.store.label
        );
        // Nothing reached the platform yet, and the page says so.
        assert!(w.sandbox.state().hidden.is_empty());
        assert!(before[0].describe_it(|_| String::new()).contains("in coda"));

        let run = w.desk.deliver_outbox(10).unwrap();
        assert_eq!((run.claimed, run.done), (2, 2));
        let page = w.sandbox.state();
        assert!(page.hidden.contains("c1"));
        assert_eq!(page.private_messages.len(), 1);
        assert!(page.private_messages[0].1.contains("è stato nascosto"));
        // A second pass finds nothing to do: delivered once.
        assert_eq!(w.desk.deliver_outbox(10).unwrap().claimed, 0);
        let after = steps(&w, id);
        assert!(after.iter().all(|s| s.state == OutboxState::Done));
        let line = after[0].describe_it(|_| "23/11/2026 10:00".into());
        assert!(
            line.contains("eseguito su piattaforma di prova (simula Facebook)"),
            "{line}"
        );
        // The item shows the steps; the audit records the deliveries.
        let item = w.desk.item(&w.moderator, id).unwrap();
        assert_eq!(item.steps.len(), 2);
        assert_eq!(item.visibility, Visibility::Hidden);
        assert!(w.desk.verify_audit(w.admin).unwrap().is_intact());
    }
}

#[test]
fn a_removal_sends_the_statement_before_deleting_and_a_reply_carries_its_text() {
    for s in test_stores("outbox_remove") {
        let w = world(s);
        let id = w
            .desk
            .ingest_comment(
                w.admin,
                w.account,
                &comment("c2", "u2", "Ti vengo a prendere sotto casa, ti ammazzo"),
            )
            .unwrap()
            .id();
        let threat = w
            .desk
            .context(w.admin)
            .unwrap()
            .policy
            .category_rule(piazza_taxonomy::Category::Threat)
            .clause
            .unwrap();
        w.desk
            .act(
                &w.moderator,
                &ActRequest::new(id, ActionKind::Remove).clause(threat),
            )
            .unwrap();
        let ops: Vec<Operation> = steps(&w, id).iter().map(|s| s.operation).collect();
        assert_eq!(ops, [Operation::PrivateReply, Operation::Delete]);
        w.desk.deliver_outbox(10).unwrap();
        assert!(w.sandbox.state().deleted.contains("c2"));

        let q = w
            .desk
            .ingest_comment(
                w.admin,
                w.account,
                &comment("c3", "u3", "A che ora finiscono i lavori?"),
            )
            .unwrap()
            .id();
        let mut reply = ActRequest::new(q, ActionKind::Reply);
        reply.template = Some("risposta".into());
        reply.reply_text = Some("I lavori finiscono alle 18.".into());
        w.desk.act(&w.moderator, &reply).unwrap();
        w.desk.deliver_outbox(10).unwrap();
        let page = w.sandbox.state();
        assert_eq!(page.replies.len(), 1);
        assert!(page.replies[0].2.contains("I lavori finiscono alle 18."));
        let step = &steps(&w, q)[0];
        assert_eq!(
            step.platform_ref.as_deref(),
            Some(page.replies[0].0.as_str())
        );
    }
}

#[test]
fn a_crime_report_is_redirected_to_112_and_the_police_as_a_reply() {
    for s in test_stores("outbox_crime_report") {
        let w = world(s);
        let id = w
            .desk
            .ingest_comment(
                w.admin,
                w.account,
                &comment(
                    "c-denuncia",
                    "u9",
                    "Stanotte mi hanno rubato la bici davanti alla stazione, e non è la prima volta",
                ),
            )
            .unwrap()
            .id();
        // The desk suggests the redirect to the police for this intent.
        let ctx = w.desk.context(w.admin).unwrap();
        let item = w.desk.item(&w.moderator, id).unwrap();
        let intents: Vec<piazza_taxonomy::Intent> = item
            .findings
            .iter()
            .filter_map(|f| f.intent.as_deref()?.parse().ok())
            .collect();
        let suggestion = piazza_desk::intent_suggestion(&ctx.policy, &intents).unwrap();
        assert_eq!(suggestion.intent, piazza_taxonomy::Intent::CrimeReport);
        assert_eq!(suggestion.template, Some("denuncia"));

        // A redirect with no template chosen follows the intent.
        let out = w
            .desk
            .act(&w.moderator, &ActRequest::new(id, ActionKind::Redirect))
            .unwrap();
        let ops: Vec<(Operation, OutboxState)> = steps(&w, id)
            .iter()
            .map(|s| (s.operation, s.state))
            .collect();
        assert_eq!(
            ops,
            [(Operation::Reply, OutboxState::Pending)],
            "{}",
            w.store.label
        );
        assert_eq!(out.platform_steps.len(), 1);
        w.desk.deliver_outbox(10).unwrap();
        let page = w.sandbox.state();
        assert_eq!(page.replies.len(), 1);
        let (_, on, text) = &page.replies[0];
        assert_eq!(on, "c-denuncia");
        assert!(
            text.contains("non possono essere utilizzate per la denuncia di reato"),
            "{text}"
        );
        assert!(text.contains("112"), "{text}");
        assert!(
            text.contains("https://www.facebook.com/polizialocalecento/"),
            "{text}"
        );
        assert!(!text.contains("URP"), "{text}");
        assert!(steps(&w, id).iter().all(|s| s.state == OutboxState::Done));
        let item = w.desk.item(&w.moderator, id).unwrap();
        assert_eq!(item.item.resolution, Some(Resolution::Redirected));
        let action = item.actions.last().unwrap();
        assert_eq!(action.reply_text.as_deref(), Some(text.as_str()));

        // A complaint is still redirected to the URP; a template may be
        // chosen explicitly, but only one a redirect can send.
        let c = w
            .desk
            .ingest_comment(
                w.admin,
                w.account,
                &comment("c-buca", "u10", "C'è una buca enorme in via Garibaldi"),
            )
            .unwrap()
            .id();
        let mut bad = ActRequest::new(c, ActionKind::Redirect);
        bad.template = Some("cortesia".into());
        assert!(w.desk.act(&w.moderator, &bad).is_err());
        w.desk
            .act(&w.moderator, &ActRequest::new(c, ActionKind::Redirect))
            .unwrap();
        w.desk.deliver_outbox(10).unwrap();
        let page = w.sandbox.state();
        assert_eq!(page.replies.len(), 2);
        assert!(
            page.replies[1].2.contains("urp@comune.cento.fe.it"),
            "{}",
            page.replies[1].2
        );
    }
}

#[test]
fn unconnected_accounts_and_missing_capabilities_are_said_not_promised() {
    for s in test_stores("outbox_manual") {
        let w = world(s);
        let account_on = |platform: &str| {
            w.desk
                .accounts(w.admin)
                .unwrap()
                .into_iter()
                .find(|a| a.platform == platform)
                .unwrap_or_else(|| panic!("Cento lists a {platform} account"))
                .id
        };
        // Instagram cannot ban: the desk does not offer it, and says why.
        let ig = account_on("instagram");
        let id = w
            .desk
            .ingest_comment(w.admin, ig, &comment("ig1", "u9", "Sei un idiota"))
            .unwrap()
            .id();
        let e = w
            .desk
            .act(
                &w.boss,
                &ActRequest::new(id, ActionKind::Ban).clause(insult_clause(&w)),
            )
            .unwrap_err();
        assert_eq!(e.code(), "not_supported");
        assert!(
            e.message_it()
                .contains("Instagram non consente di allontanare un utente"),
            "{}",
            e.message_it()
        );
        // Hiding is possible, but the account is not connected: both
        // steps are for a person to do on the platform.
        w.desk
            .act(
                &w.boss,
                &ActRequest::new(id, ActionKind::Hide).clause(insult_clause(&w)),
            )
            .unwrap();
        let st = steps(&w, id);
        assert_eq!(
            st.iter()
                .map(|s| (s.operation, s.state))
                .collect::<Vec<_>>(),
            [
                (Operation::Hide, OutboxState::Manual),
                (Operation::PrivateReply, OutboxState::Manual)
            ]
        );
        assert!(
            st[0]
                .describe_it(|_| String::new())
                .contains("l'account non è collegato")
        );
        // Nothing can carry it out: it cannot be put back in the queue.
        assert!(!st[0].retryable());
        let e = w.desk.retry_outbox(&w.boss, st[0].id).unwrap_err();
        assert!(e.to_string().contains("non è collegato"), "{e}");
        // On X a hidden reply's author gets no private message: the
        // statement stays in Piazza, and the step says why.
        let x = account_on("x");
        let id = w
            .desk
            .ingest_comment(w.admin, x, &comment("x1", "u8", "Sei un idiota"))
            .unwrap()
            .id();
        w.desk
            .act(
                &w.boss,
                &ActRequest::new(id, ActionKind::Hide).clause(insult_clause(&w)),
            )
            .unwrap();
        let st = steps(&w, id);
        assert_eq!(st[1].operation, Operation::PrivateReply);
        assert_eq!(st[1].state, OutboxState::Unsupported);
        let line = st[1].describe_it(|_| String::new());
        assert!(
            line.contains("X non consente di scrivere in privato"),
            "{line}"
        );
        // The worker touches none of them.
        assert_eq!(w.desk.deliver_outbox(10).unwrap().claimed, 0);
        assert!(w.scripted.seen().is_empty());
    }
}

#[test]
fn failures_retry_back_off_pause_the_connection_or_stop_for_good() {
    for s in test_stores("outbox_failures") {
        let w = world(s);
        // Connect the account through the scripted connector instead.
        connect_facebook(&w, "EAAB-token-di-prova");
        let conn = w.desk.connection(w.admin, w.account).unwrap().unwrap();
        assert!(conn.has_token);
        assert!(!format!("{conn:?}").contains("EAAB"));
        let id = w
            .desk
            .ingest_comment(w.admin, w.account, &comment("f1", "u1", "Sei un idiota"))
            .unwrap()
            .id();
        let mut reply = ActRequest::new(id, ActionKind::Reply);
        reply.template = Some("risposta".into());
        reply.reply_text = Some("Risposta di prova.".into());
        w.desk.act(&w.moderator, &reply).unwrap();

        w.scripted.answer(Err(Failure::Transient {
            message: "HTTP 503".into(),
            retry_after: None,
        }));
        let run = w.desk.deliver_outbox(10).unwrap();
        assert_eq!(run.retrying, 1);
        let step = &steps(&w, id)[0];
        assert_eq!(step.state, OutboxState::Pending);
        assert_eq!(step.attempts, 1);
        // Backoff: 30 s ± 20%.
        let wait = step.next_attempt_at - MONDAY_10;
        assert!((24_000..=36_000).contains(&wait), "{wait}");
        assert!(step.describe_it(|_| String::new()).contains("HTTP 503"));
        // Not due yet.
        assert_eq!(w.desk.deliver_outbox(10).unwrap().claimed, 0);

        // Due: the retry is told that the first attempt may have gone
        // through, so the connector looks before posting.
        w.clock.fetch_add(60_000, Ordering::SeqCst);
        w.scripted.answer(Err(Failure::RateLimited {
            message: "code 32".into(),
            retry_after: Duration::from_secs(600),
        }));
        w.desk.deliver_outbox(10).unwrap();
        let seen = w.scripted.seen();
        assert_eq!(seen.len(), 2);
        assert!(!seen[0].uncertain);
        assert!(seen[1].uncertain);
        assert_eq!(seen[1].text.as_deref(), Some("Risposta di prova."));
        let conn = w.desk.connection(w.admin, w.account).unwrap().unwrap();
        assert_eq!(conn.paused_until, Some(MONDAY_10 + 60_000 + 600_000));
        w.clock.fetch_add(300_000, Ordering::SeqCst);
        assert_eq!(w.desk.deliver_outbox(10).unwrap().claimed, 0);

        w.clock.fetch_add(400_000, Ordering::SeqCst);
        w.scripted.answer(Err(Failure::Permanent {
            code: PermanentCode::TokenInvalid,
            message: "Meta 190/463: Error validating access token".into(),
        }));
        assert_eq!(w.desk.deliver_outbox(10).unwrap().failed, 1);
        let step = &steps(&w, id)[0];
        assert_eq!(step.state, OutboxState::Failed);
        assert_eq!(step.failure, Some(PermanentCode::TokenInvalid));
        let line = step.describe_it(|_| String::new());
        assert!(
            line.contains("non riuscito (token scaduto o revocato)"),
            "{line}"
        );
        // No more attempts until a person retries.
        w.clock.fetch_add(86_400_000, Ordering::SeqCst);
        // A step waiting when the account is disconnected becomes a step to
        // do by hand: nothing will carry it out.
        let other = w
            .desk
            .ingest_comment(w.admin, w.account, &comment("f2", "u2", "Sei un idiota"))
            .unwrap()
            .id();
        w.desk
            .act(
                &w.moderator,
                &ActRequest::new(other, ActionKind::Hide).clause(insult_clause(&w)),
            )
            .unwrap();
        w.desk.disconnect(&w.boss, w.account).unwrap();
        assert!(
            steps(&w, other)
                .iter()
                .all(|s| s.state == OutboxState::Manual)
        );
        connect_facebook(&w, "EAAB-token-di-prova");
        assert_eq!(w.desk.deliver_outbox(10).unwrap().claimed, 0);
        w.desk.retry_outbox(&w.moderator, step.id).unwrap();
        assert_eq!(w.desk.deliver_outbox(10).unwrap().done, 1);
        assert_eq!(w.scripted.seen().len(), 4);
        // The audit records the failure and the delivery, not the token.
        assert!(w.desk.verify_audit(w.admin).unwrap().is_intact());
    }
}

#[test]
fn a_step_whose_attempt_was_cut_short_is_taken_over_as_uncertain() {
    for s in test_stores("outbox_lease") {
        let w = world(s);
        connect_facebook(&w, "EAAB-token");
        let id = w
            .desk
            .ingest_comment(w.admin, w.account, &comment("l1", "u1", "Domanda?"))
            .unwrap()
            .id();
        let mut reply = ActRequest::new(id, ActionKind::Reply);
        reply.template = Some("risposta".into());
        reply.reply_text = Some("Sì.".into());
        w.desk.act(&w.moderator, &reply).unwrap();
        // A worker claimed the row and died: the row is in flight. (The
        // real kill of a process is in the CLI's tests.)
        w.store
            .write(|tx| {
                tx.execute(
                    "UPDATE outbox SET state = 'in_flight', attempts = 1, lease_until = ?",
                    &[(MONDAY_10 + 120_000).into()],
                )
            })
            .unwrap();
        assert_eq!(steps(&w, id)[0].state, OutboxState::InFlight);
        assert_eq!(w.desk.deliver_outbox(10).unwrap().claimed, 0);
        w.clock.fetch_add(120_000, Ordering::SeqCst);
        w.scripted.answer(Ok(Delivered {
            platform_ref: Some("reply-1".into()),
            already: true,
        }));
        assert_eq!(w.desk.deliver_outbox(10).unwrap().done, 1);
        let seen = w.scripted.seen();
        assert_eq!(seen.len(), 1);
        assert!(seen[0].uncertain, "a taken-over attempt must look first");
        assert_eq!(steps(&w, id)[0].platform_ref.as_deref(), Some("reply-1"));
    }
}

#[test]
fn a_banned_author_is_flagged_on_arrival_and_a_temporary_ban_is_lifted_on_its_date() {
    for s in test_stores("bans") {
        let w = world(s);
        let id = w
            .desk
            .ingest_comment(w.admin, w.account, &comment("b1", "troll", "Sei un idiota"))
            .unwrap()
            .id();
        let mut ban = ActRequest::new(id, ActionKind::Ban).clause(insult_clause(&w));
        ban.ban_days = Some(7);
        w.desk.act(&w.moderator, &ban).unwrap();
        w.desk.deliver_outbox(10).unwrap();
        assert!(w.sandbox.state().blocked.contains("troll"));

        let again = w
            .desk
            .ingest_comment(w.admin, w.account, &comment("b2", "troll", "Buongiorno"))
            .unwrap()
            .id();
        let item = w.desk.item(&w.moderator, again).unwrap();
        assert!(item.item.author_banned);
        assert!(item.item.priority >= 75);
        assert_eq!(
            item.author_ban_until,
            Some(Some(MONDAY_10 + 7 * 86_400_000))
        );
        let other = w
            .desk
            .ingest_comment(w.admin, w.account, &comment("b3", "altro", "Buongiorno"))
            .unwrap()
            .id();
        assert!(!w.desk.item(&w.moderator, other).unwrap().item.author_banned);

        // Seven days later the ban ends, here and on the platform.
        w.clock.fetch_add(7 * 86_400_000, Ordering::SeqCst);
        let run = w.desk.deliver_outbox(10).unwrap();
        assert_eq!(run.bans_lifted, 1);
        assert_eq!(run.done, 1);
        assert!(!w.sandbox.state().blocked.contains("troll"));
        let later = w
            .desk
            .ingest_comment(w.admin, w.account, &comment("b4", "troll", "Salve"))
            .unwrap()
            .id();
        assert!(!w.desk.item(&w.moderator, later).unwrap().item.author_banned);
    }
}

#[test]
fn near_duplicates_are_found_across_batches_and_restarts() {
    for s in test_stores("spam_tracker") {
        let w = world(s);
        let text = "Guadagna da casa cinquecento euro al giorno, scrivimi subito su WhatsApp per sapere come fare";
        let spam = |d: &Desk, id: &str, post: &str| {
            let mut c = comment(id, "spammer", text);
            c.post_external_id = Some(post.into());
            let cid = d.ingest_comment(w.admin, w.account, &c).unwrap().id();
            d.item(&w.moderator, cid)
                .unwrap()
                .findings
                .iter()
                .any(|f| f.kind.as_deref() == Some("near_duplicate"))
        };
        assert!(
            !spam(&w.desk, "s1", "post-1"),
            "the first copy is no duplicate"
        );
        let second = spam(&w.desk, "s2", "post-2");
        assert!(
            second,
            "the second copy in a later batch is a near-duplicate"
        );
        // A restarted process (a new desk on the same store) remembers.
        let restarted = desk_over(
            &w.store,
            &w.clock,
            Arc::new(Factory {
                sandbox: w.sandbox.clone(),
                scripted: w.scripted.clone(),
            }),
        );
        assert!(spam(&restarted, "s3", "post-3"));
    }
}

#[test]
fn closed_accounts_receive_nothing_by_any_path() {
    for s in test_stores("closed_account") {
        let w = world(s);
        w.desk
            .set_account_status(&w.boss, w.account, AccountStatus::Closed)
            .unwrap();
        let e = w
            .desk
            .ingest_comment(w.admin, w.account, &comment("x1", "u", "Ciao"))
            .unwrap_err();
        assert!(e.to_string().contains("closed"), "{e}");
        let file = "{\"id\":\"x2\",\"text\":\"Ciao\"}\n";
        let e = w
            .desk
            .import(
                None,
                w.admin,
                w.account,
                Cursor::new(file),
                ImportFormat::Jsonl,
                "k",
                "f.jsonl",
                10,
                &mut |_| {},
            )
            .unwrap_err();
        assert!(e.to_string().contains("closed"), "{e}");
        assert!(w.desk.sync(w.admin, w.account, None, &mut |_| {}).is_err());
    }
}

#[test]
fn an_import_keeps_the_post_and_dates_comments_without_one_at_arrival() {
    for s in test_stores("import_post") {
        let w = world(s);
        let file = "{\"id\":\"i1\",\"text\":\"Ma la partita di ieri l'avete vista?\",\"post_text\":\"Sabato in piazza il concerto della banda cittadina\"}\n";
        let r = w
            .desk
            .import(
                None,
                w.admin,
                w.account,
                Cursor::new(file),
                ImportFormat::Jsonl,
                "k1",
                "f.jsonl",
                10,
                &mut |_| {},
            )
            .unwrap();
        assert_eq!(r.progress.imported, 1);
        let q = w
            .desk
            .queue(w.admin, &piazza_desk::QueueFilter::default())
            .unwrap();
        let item = w.desk.item(&w.boss, q[0].id).unwrap();
        assert_eq!(
            item.post_text.as_deref(),
            Some("Sabato in piazza il concerto della banda cittadina")
        );
        assert_eq!(item.item.created_at, MONDAY_10);
    }
}

#[test]
fn platform_deletions_and_visibility_changes_are_recorded() {
    for s in test_stores("platform_events") {
        let w = world(s);
        let id = w
            .desk
            .ingest_comment(w.admin, w.account, &comment("d1", "u", "Sei un idiota"))
            .unwrap()
            .id();
        let out = w
            .desk
            .ingest(
                w.admin,
                w.account,
                &[
                    IncomingEvent::Visibility {
                        external_id: "d1".into(),
                        hidden: true,
                        at: MONDAY_10,
                    },
                    IncomingEvent::Deleted {
                        external_id: "d1".into(),
                        at: MONDAY_10 + 1,
                    },
                    IncomingEvent::Deleted {
                        external_id: "mai-visto".into(),
                        at: MONDAY_10,
                    },
                ],
            )
            .unwrap();
        assert_eq!(
            out,
            [
                IngestOutcome::VisibilityChanged(id),
                IngestOutcome::Deleted(id),
                IngestOutcome::Ignored
            ]
        );
        let item = w.desk.item(&w.moderator, id).unwrap();
        assert_eq!(item.platform_deleted_at, Some(MONDAY_10 + 1));
        assert_eq!(item.item.state, CommentState::Resolved);
        assert_eq!(item.item.resolution, Some(Resolution::DeletedOnPlatform));
        // Deleting again changes nothing.
        let again = w
            .desk
            .ingest(
                w.admin,
                w.account,
                &[IncomingEvent::Deleted {
                    external_id: "d1".into(),
                    at: MONDAY_10 + 2,
                }],
            )
            .unwrap();
        assert_eq!(again, [IngestOutcome::Unchanged(id)]);
    }
}

#[test]
fn a_sync_reads_from_the_connector_through_the_pipeline() {
    for s in test_stores("sync_sandbox") {
        let w = world(s);
        let r = w.desk.sync(w.admin, w.account, None, &mut |_| {}).unwrap();
        assert_eq!(r.new_comments, 3);
        assert!(r.complete);
        let q = w
            .desk
            .queue(w.admin, &piazza_desk::QueueFilter::default())
            .unwrap();
        assert_eq!(q.len(), 3);
        let conn = w.desk.connection(w.admin, w.account).unwrap().unwrap();
        assert_eq!(conn.last_synced_at, Some(MONDAY_10));
    }
}

#[test]
fn tokens_are_sealed_at_rest_and_never_in_the_audit() {
    for s in test_stores("sealed_tokens") {
        let w = world(s);
        connect_facebook(&w, "EAAB-segretissimo");
        let stored: Vec<String> = w
            .store
            .read(|tx| {
                let mut out = Vec::new();
                for r in tx.query("SELECT token_sealed FROM platform_connections", &[])? {
                    out.extend(r.opt_text(0)?);
                }
                for r in tx.query("SELECT payload FROM audit_log", &[])? {
                    out.push(r.text(0)?);
                }
                Ok::<_, piazza_store::StoreError>(out)
            })
            .unwrap();
        assert!(stored.iter().any(|s| s.starts_with("v1:")));
        assert!(stored.iter().all(|s| !s.contains("segretissimo")));
        // A moderator cannot connect accounts.
        let e = w
            .desk
            .connect(
                &w.moderator,
                NewConnection {
                    account_id: w.account,
                    connector: ConnectorKind::Sandbox,
                    platform_account: "x".into(),
                    page_id: None,
                    token: None,
                    base_url: None,
                },
            )
            .unwrap_err();
        assert_eq!(e.code(), "forbidden");
    }
}

#[test]
fn a_taken_over_reply_does_not_claim_an_identical_reply_of_another_decision() {
    for s in test_stores("known_refs") {
        let w = world(s);
        let id = w
            .desk
            .ingest_comment(
                w.admin,
                w.account,
                &comment("k1", "u1", "Orari della biblioteca?"),
            )
            .unwrap()
            .id();
        let reply = || {
            let mut r = ActRequest::new(id, ActionKind::Reply);
            r.template = Some("risposta".into());
            r.reply_text = Some("Dalle 9 alle 18.".into());
            r
        };
        w.desk.act(&w.moderator, &reply()).unwrap();
        w.desk.deliver_outbox(10).unwrap();
        assert_eq!(w.sandbox.state().replies.len(), 1);
        // The same words again, by a second decision, whose first attempt
        // was cut short: the reply already on the page is the first
        // decision's, not this one's.
        w.desk.act(&w.moderator, &reply()).unwrap();
        w.store
            .write(|tx| {
                tx.execute(
                    "UPDATE outbox SET state = 'in_flight', attempts = 1, lease_until = ? WHERE platform_ref IS NULL",
                    &[MONDAY_10.into()],
                )
            })
            .unwrap();
        assert_eq!(w.desk.deliver_outbox(10).unwrap().done, 1);
        let page = w.sandbox.state();
        assert_eq!(
            page.replies.len(),
            2,
            "the second decision posts its own reply"
        );
        let refs: Vec<Option<String>> = steps(&w, id).into_iter().map(|s| s.platform_ref).collect();
        assert_eq!(refs.len(), 2);
        assert_ne!(refs[0], refs[1]);
    }
}

#[test]
fn a_webhook_delivery_is_stored_once_processed_and_forgotten() {
    use piazza_fakes::meta::webhook::{FeedComment, page_delivery};
    for s in test_stores("deliveries") {
        let w = world(s);
        connect_facebook(&w, "EAAB-token");
        let c = FeedComment::new(
            "1234567890",
            "1234567890_1",
            "1234567890_1_2",
            "u-5",
            "Paola",
            "Sei un idiota",
        );
        let body = page_delivery("1234567890", 1_795_424_400, vec![c.change("add")]);
        assert!(w.desk.receive_platform_delivery("meta", &body).unwrap());
        assert!(!w.desk.receive_platform_delivery("meta", &body).unwrap());
        assert_eq!(w.desk.pending_platform_deliveries().unwrap(), 1);
        let run = w.desk.process_platform_deliveries(10).unwrap();
        assert_eq!((run.deliveries, run.events, run.failed), (1, 1, 0));
        let q = w
            .desk
            .queue(w.admin, &piazza_desk::QueueFilter::default())
            .unwrap();
        assert_eq!(q.len(), 1);
        assert_eq!(q[0].author_name.as_deref(), Some("Paola"));
        let bodies = |w: &World| -> Vec<Option<String>> {
            w.store
                .read(|tx| {
                    tx.query("SELECT body FROM platform_events", &[])?
                        .iter()
                        .map(|r| r.opt_text(0))
                        .collect::<piazza_store::Result<Vec<_>>>()
                })
                .unwrap()
        };
        assert_eq!(bodies(&w), [None], "the processed body is not kept twice");
        // A malformed delivery fails alone and keeps its body to be looked at.
        w.desk
            .receive_platform_delivery("meta", br#"{"object":"page","entry":"x"}"#)
            .unwrap();
        let run = w.desk.process_platform_deliveries(10).unwrap();
        assert_eq!(run.failed, 1);
        assert_eq!(bodies(&w).iter().filter(|b| b.is_some()).count(), 1);
        // Retention forgets the deliveries of the period.
        w.clock.fetch_add(40 * 86_400_000, Ordering::SeqCst);
        w.desk.run_retention(None, w.admin, 30).unwrap();
        assert!(bodies(&w).is_empty());
    }
}

#[test]
fn a_question_out_of_hours_is_told_once_when_the_page_opens_if_the_policy_asks() {
    for s in test_stores("closed_notice") {
        let w = world(s);
        // Saturday 28 November, 20:00: Cento's channels are monitored Monday
        // to Friday, 9 to 13.
        let saturday_20 = MONDAY_10 + 5 * 86_400_000 + 10 * 3_600_000;
        w.clock.store(saturday_20, Ordering::SeqCst);
        let question = |id: &str, author: &str| IncomingComment {
            created_at: saturday_20,
            ..comment(id, author, "Buongiorno, a che ora apre l'anagrafe lunedì?")
        };
        // The presets do not ask for the notice: nothing is queued.
        let first = w
            .desk
            .ingest_comment(w.admin, w.account, &question("q0", "u0"))
            .unwrap()
            .id();
        assert!(steps(&w, first).is_empty(), "{}", w.store.label);

        let cento = piazza_policy::preset("cento").unwrap().toml;
        let toml = cento
            .replace(
                "version = \"2022-02-27\"",
                "version = \"2022-02-27-avviso\"",
            )
            .replace(
                "hours_lead = \"Canali monitorati\"",
                "hours_lead = \"Canali monitorati\"\nclosed_notice = true",
            );
        w.desk
            .activate_policy(&w.boss, "cento-avviso.toml", &toml)
            .unwrap();

        let a1 = w
            .desk
            .ingest_comment(w.admin, w.account, &question("q1", "u1"))
            .unwrap()
            .id();
        let s1 = steps(&w, a1);
        assert_eq!(s1.len(), 1, "{}", w.store.label);
        assert_eq!(
            (s1[0].operation, s1[0].state, s1[0].action_id),
            (Operation::Reply, OutboxState::Pending, None)
        );
        // The same author again in the same closed stretch: told once.
        let a2 = w
            .desk
            .ingest_comment(w.admin, w.account, &question("q2", "u1"))
            .unwrap()
            .id();
        assert!(steps(&w, a2).is_empty());
        // An insult is not a question: no notice.
        let insult = w
            .desk
            .ingest_comment(w.admin, w.account, &comment("q3", "u3", "Sei un idiota"))
            .unwrap()
            .id();
        assert!(steps(&w, insult).is_empty());
        // A file import never answers anybody.
        let file = "{\"id\":\"q4\",\"author\":\"u4\",\"text\":\"Buongiorno, a che ora apre l'anagrafe lunedì?\"}\n";
        w.desk
            .import(
                None,
                w.admin,
                w.account,
                Cursor::new(file),
                ImportFormat::Jsonl,
                "k-avviso",
                "f.jsonl",
                10,
                &mut |_| {},
            )
            .unwrap();
        // Delivered once, with the hours and the next opening.
        let run = w.desk.deliver_outbox(10).unwrap();
        assert_eq!((run.claimed, run.done), (1, 1));
        let page = w.sandbox.state();
        assert_eq!(page.replies.len(), 1, "{:?}", page.replies);
        assert!(page.replies[0].1.ends_with("q1"), "{:?}", page.replies);
        assert!(
            page.replies[0]
                .2
                .contains("Lo leggeremo a partire da lunedì 30 novembre alle 9:00"),
            "{}",
            page.replies[0].2
        );
        // The question still waits for its answer: the notice is not one.
        let item = w.desk.item(&w.moderator, a1).unwrap();
        assert_eq!(item.item.state, CommentState::New);
        assert!(item.actions.is_empty());
        // During the hours, nobody is told anything.
        w.clock.store(MONDAY_10 + 7 * 86_400_000, Ordering::SeqCst);
        let open = w
            .desk
            .ingest_comment(
                w.admin,
                w.account,
                &IncomingComment {
                    created_at: MONDAY_10 + 7 * 86_400_000,
                    ..question("q5", "u5")
                },
            )
            .unwrap()
            .id();
        assert!(steps(&w, open).is_empty());
        assert!(w.desk.verify_audit(w.admin).unwrap().is_intact());
    }
}

/// An appeal that reverses a ban lifts it here and on the platform, and the
/// outcome reaches the author as a private message, once.
#[test]
fn a_ban_reversed_on_appeal_is_lifted_on_the_platform() {
    use piazza_desk::{AppealChannel, AppealFiling, AppealOutcome};
    for s in test_stores("appeal_ban") {
        let w = world(s);
        let id = w
            .desk
            .ingest_comment(
                w.admin,
                w.account,
                &comment("ab1", "troll", "Sei un idiota"),
            )
            .unwrap()
            .id();
        let ban = w
            .desk
            .act(
                &w.moderator,
                &ActRequest::new(id, ActionKind::Ban).clause(insult_clause(&w)),
            )
            .unwrap()
            .action_id;
        w.desk.deliver_outbox(10).unwrap();
        assert!(w.sandbox.state().blocked.contains("troll"));
        let receipt = w
            .desk
            .file_appeal(
                w.admin,
                Some(&w.boss),
                &AppealFiling {
                    reference: ban,
                    channel: AppealChannel::PrivateMessage,
                    grounds: "Era ironia tra amici".into(),
                    comment_day: None,
                    reply_to: None,
                },
            )
            .unwrap();
        w.desk
            .decide_appeal(
                &w.boss,
                receipt.id,
                AppealOutcome::Reverse,
                "Scambio tra conoscenti, nessuna offesa a terzi",
            )
            .unwrap();
        let run = w.desk.deliver_outbox(10).unwrap();
        assert!(run.done >= 2, "{run:?}");
        assert!(!w.sandbox.state().blocked.contains("troll"));
        let later = w
            .desk
            .ingest_comment(w.admin, w.account, &comment("ab2", "troll", "Grazie"))
            .unwrap()
            .id();
        assert!(!w.desk.item(&w.moderator, later).unwrap().item.author_banned);
        let outcome = steps(&w, id)
            .into_iter()
            .filter(|s| s.operation == Operation::PrivateReply && s.state == OutboxState::Done)
            .count();
        // The ban's statement, then the outcome of the appeal.
        assert_eq!(outcome, 2);
    }
}

/// An instance of `piazza serve` on the test's database: its own desk (its
/// own name in claims and leases), the same connectors, the lease of
/// `piazza serve` (the world's desk has none, to test takeovers).
fn instance(w: &World) -> Desk {
    let c = w.clock.clone();
    Desk::with_clock(
        w.store.store.clone(),
        Arc::new(move || c.load(Ordering::SeqCst)),
    )
    .with_platforms(
        Arc::new(Factory {
            sandbox: w.sandbox.clone(),
            scripted: w.scripted.clone(),
        }),
        Some(Arc::new(
            SecretKey::from_passphrase("chiave di prova lunga almeno trentadue caratteri").unwrap(),
        )),
        piazza_desk::DEFAULT_LEASE_MS,
    )
}

#[test]
fn two_instances_racing_on_one_outbox_deliver_each_step_once() {
    for s in test_stores("two_instances_outbox") {
        let w = world(s);
        connect_facebook(&w, "EAAB-token");
        let clause = insult_clause(&w);
        for i in 0..24 {
            let id = w
                .desk
                .ingest_comment(
                    w.admin,
                    w.account,
                    &comment(&format!("r{i}"), &format!("u{i}"), "Sei un idiota"),
                )
                .unwrap()
                .id();
            w.desk
                .act(
                    &w.moderator,
                    &ActRequest::new(id, ActionKind::Hide).clause(clause),
                )
                .unwrap();
        }
        let queued = w
            .desk
            .outbox(
                w.admin,
                &OutboxFilter {
                    limit: 1000,
                    ..OutboxFilter::default()
                },
            )
            .unwrap()
            .len();
        assert_eq!(queued, 48, "a hide and its statement per decision");
        let (one, other) = (instance(&w), instance(&w));
        assert_ne!(one.instance(), other.instance());
        // Small batches, so that the two claim side by side many times.
        let worker = |d: Desk| {
            std::thread::spawn(move || {
                let mut done = 0;
                loop {
                    let r = d.deliver_outbox(3).unwrap();
                    if r.claimed == 0 {
                        break done;
                    }
                    done += r.done;
                }
            })
        };
        let (a, b) = (worker(one), worker(other));
        let (a, b) = (a.join().unwrap(), b.join().unwrap());
        assert_eq!(a + b, 48, "{}", w.store.label);
        let seen = w.scripted.seen();
        let mut keys: Vec<&str> = seen.iter().map(|d| d.key.as_str()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(seen.len(), 48, "every step reached the platform");
        assert_eq!(keys.len(), 48, "no step reached it twice");
        assert!(w.desk.verify_audit(w.admin).unwrap().is_intact());
    }
}

#[test]
fn two_instances_process_each_webhook_delivery_once() {
    use piazza_fakes::meta::webhook::{FeedComment, page_delivery};
    for s in test_stores("two_instances_webhooks") {
        let w = world(s);
        connect_facebook(&w, "EAAB-token");
        for i in 0..40 {
            let c = FeedComment::new(
                "1234567890",
                "1234567890_1",
                &format!("1234567890_1_{i}"),
                &format!("u-{i}"),
                "Paola",
                "A che ora apre l'anagrafe?",
            );
            let body = page_delivery("1234567890", 1_795_424_400 + i, vec![c.change("add")]);
            assert!(w.desk.receive_platform_delivery("meta", &body).unwrap());
        }
        let (one, other) = (instance(&w), instance(&w));
        let worker = |d: Desk| {
            std::thread::spawn(move || {
                let mut n = 0;
                loop {
                    let r = d.process_platform_deliveries(2).unwrap();
                    if r.deliveries == 0 {
                        break n;
                    }
                    n += r.deliveries;
                }
            })
        };
        let (a, b) = (worker(one), worker(other));
        let (a, b) = (a.join().unwrap(), b.join().unwrap());
        assert_eq!(a + b, 40, "{}", w.store.label);
        let attempts: Vec<(String, i64)> = w
            .store
            .read(|tx| {
                tx.query("SELECT state, attempts FROM platform_events", &[])?
                    .iter()
                    .map(|r| Ok((r.text(0)?, r.int(1)?)))
                    .collect::<piazza_store::Result<Vec<_>>>()
            })
            .unwrap();
        assert_eq!(attempts.len(), 40);
        assert!(
            attempts.iter().all(|(s, n)| s == "done" && *n == 1),
            "each delivery processed once: {attempts:?}"
        );
        let q = w
            .desk
            .queue(w.admin, &piazza_desk::QueueFilter::default())
            .unwrap();
        assert_eq!(q.len(), 40);
    }
}

#[test]
fn a_periodic_job_is_run_by_one_instance_and_passes_on_when_its_lease_runs_out() {
    use piazza_desk::WorkerJob;
    for s in test_stores("worker_leases") {
        let w = world(s);
        let other = instance(&w);
        assert!(w.desk.try_lease(WorkerJob::SlaSweep, 55_000).unwrap());
        assert!(!other.try_lease(WorkerJob::SlaSweep, 55_000).unwrap());
        // Another job is another lease.
        assert!(other.try_lease(WorkerJob::PlatformPull, 55_000).unwrap());
        // The holder renews its own.
        w.clock.fetch_add(30_000, Ordering::SeqCst);
        assert!(w.desk.try_lease(WorkerJob::SlaSweep, 55_000).unwrap());
        w.clock.fetch_add(30_000, Ordering::SeqCst);
        assert!(!other.try_lease(WorkerJob::SlaSweep, 55_000).unwrap());
        // A holder that stops (a crash) loses it when it runs out.
        w.clock.fetch_add(25_001, Ordering::SeqCst);
        assert!(other.try_lease(WorkerJob::SlaSweep, 55_000).unwrap());
        assert!(!w.desk.try_lease(WorkerJob::SlaSweep, 55_000).unwrap());
        // Given back on shutdown, it is free at once.
        other.release_lease(WorkerJob::SlaSweep).unwrap();
        assert!(w.desk.try_lease(WorkerJob::SlaSweep, 55_000).unwrap());
    }
}

#[test]
fn one_batch_keeps_the_order_of_its_events_around_the_new_comments_written_together() {
    for s in test_stores("batch_order") {
        let w = world(s);
        let ev = |id: &str, text: &str| IncomingEvent::Comment(comment(id, "u", text));
        let out = w
            .desk
            .ingest(
                w.admin,
                w.account,
                &[
                    ev("b1", "Quando riapre la biblioteca?"),
                    ev("b2", "Sei un idiota"),
                    // Edited within the batch, after its arrival.
                    ev("b1", "Quando riapre la biblioteca comunale?"),
                    IncomingEvent::Deleted {
                        external_id: "b2".into(),
                        at: MONDAY_10 + 1,
                    },
                    ev("b3", "Grazie per le informazioni"),
                    // The same again: nothing new.
                    ev("b3", "Grazie per le informazioni"),
                ],
            )
            .unwrap();
        let ids: Vec<CommentId> = out.iter().map(|o| o.id()).collect();
        assert_eq!(
            out,
            [
                IngestOutcome::Inserted(ids[0]),
                IngestOutcome::Inserted(ids[1]),
                IngestOutcome::Edited(ids[0]),
                IngestOutcome::Deleted(ids[1]),
                IngestOutcome::Inserted(ids[4]),
                IngestOutcome::Unchanged(ids[4]),
            ],
            "{}",
            w.store.label
        );
        let b1 = w.desk.item(&w.moderator, ids[0]).unwrap();
        assert_eq!(
            b1.item.text.as_deref(),
            Some("Quando riapre la biblioteca comunale?")
        );
        assert!(
            b1.post_text.is_some(),
            "the post is stored with the comment"
        );
        // Every new comment has its revision and its findings.
        let (revisions, findings): (i64, i64) = w
            .store
            .read(|tx| {
                Ok::<_, piazza_store::StoreError>((
                    tx.query_one("SELECT COUNT(*) FROM comment_revisions", &[])?
                        .int(0)?,
                    tx.query_one(
                        "SELECT COUNT(*) FROM findings WHERE comment_id = ?",
                        &[ids[1].into()],
                    )?
                    .int(0)?,
                ))
            })
            .unwrap();
        assert_eq!(revisions, 4, "b1 twice, b2, b3");
        assert!(findings > 0, "the insult's findings are stored");
    }
}

#[test]
fn secrets_are_sealed_again_under_a_new_key_all_or_nothing() {
    for s in test_stores("reseal") {
        let w = world(s);
        connect_facebook(&w, "EAAB-token");
        let context = format!("connection:{}:1234567890", w.account);
        let sealed = |w: &World| -> String {
            w.store
                .read(|tx| {
                    tx.query_one(
                        "SELECT token_sealed FROM platform_connections WHERE account_id = ?",
                        &[w.account.into()],
                    )?
                    .text(0)
                })
                .unwrap()
        };
        let before = sealed(&w);
        let old =
            SecretKey::from_passphrase("chiave di prova lunga almeno trentadue caratteri").unwrap();
        let new = SecretKey::from_passphrase("una chiave nuova, lunga almeno trentadue caratteri")
            .unwrap();
        // A desk whose key did not seal them changes nothing.
        let wrong = Desk::new(w.store.store.clone()).with_platforms(
            Arc::new(Factory {
                sandbox: w.sandbox.clone(),
                scripted: w.scripted.clone(),
            }),
            Some(Arc::new(
                SecretKey::from_passphrase("un'altra chiave ancora, di trentadue caratteri")
                    .unwrap(),
            )),
            0,
        );
        let err = wrong.reseal_secrets(&new).unwrap_err().to_string();
        assert!(err.contains("nessun segreto è stato cambiato"), "{err}");
        assert_eq!(sealed(&w), before);
        // The right one moves every secret to the new key.
        let r = w.desk.reseal_secrets(&new).unwrap();
        assert_eq!((r.tokens, r.total()), (1, 1), "{}", w.store.label);
        let after = sealed(&w);
        assert_ne!(after, before);
        assert!(!after.contains("EAAB"));
        assert_eq!(new.open(&after, &context).unwrap().expose(), "EAAB-token");
        assert!(old.open(&after, &context).is_err());
        let log = w.desk.audit_entries(w.admin, 0, 1000).unwrap();
        let entry = log
            .iter()
            .find(|e| e.entry.kind == "secrets.reseal")
            .expect("audited");
        assert!(!entry.entry.payload.to_string().contains("EAAB"));
        assert!(w.desk.verify_audit(w.admin).unwrap().is_intact());
    }
}

/// A connector that, on its first delivery, lets something else happen
/// before it answers (another instance taking the step over).
struct Slow {
    inner: Arc<Scripted>,
    meanwhile: Mutex<Option<Box<dyn FnOnce() + Send>>>,
}

impl Connector for Slow {
    fn platform(&self) -> Platform {
        Platform::Facebook
    }
    fn deliver(&self, d: &Delivery) -> Result<Delivered, Failure> {
        let hook = self.meanwhile.lock().unwrap().take();
        if let Some(f) = hook {
            f();
        }
        self.inner.deliver(d)
    }
    fn fetch(&self, r: &FetchRequest) -> Result<FetchPage, Failure> {
        self.inner.fetch(r)
    }
    fn post(&self, id: &str) -> Result<Option<IncomingPost>, Failure> {
        self.inner.post(id)
    }
    fn check(&self) -> Result<ConnectionCheck, Failure> {
        self.inner.check()
    }
}

struct OneConnector(Arc<dyn Connector>);

impl ConnectorFactory for OneConnector {
    fn build(&self, _: &ConnectionSpec) -> Result<Arc<dyn Connector>, String> {
        Ok(self.0.clone())
    }
}

#[test]
fn an_answer_that_comes_after_the_lease_is_not_recorded_over_the_takeover() {
    for s in test_stores("late_answer") {
        let w = world(s);
        connect_facebook(&w, "EAAB-token");
        let id = w
            .desk
            .ingest_comment(w.admin, w.account, &comment("l1", "u1", "Sei un idiota"))
            .unwrap()
            .id();
        w.desk
            .act(
                &w.moderator,
                &ActRequest::new(id, ActionKind::Hide).clause(insult_clause(&w)),
            )
            .unwrap();
        let key = || {
            Some(Arc::new(
                SecretKey::from_passphrase("chiave di prova lunga almeno trentadue caratteri")
                    .unwrap(),
            ))
        };
        let c = w.clock.clone();
        let clock = move || -> piazza_desk::Clock {
            let c = c.clone();
            Arc::new(move || c.load(Ordering::SeqCst))
        };
        let other = Desk::with_clock(w.store.store.clone(), clock()).with_platforms(
            Arc::new(OneConnector(w.scripted.clone())),
            key(),
            piazza_desk::DEFAULT_LEASE_MS,
        );
        let (clock_then, other_then) = (w.clock.clone(), other.clone());
        let slow = Arc::new(Slow {
            inner: w.scripted.clone(),
            meanwhile: Mutex::new(Some(Box::new(move || {
                // The first instance's lease runs out; the second takes the
                // step over and records its answer.
                clock_then.fetch_add(piazza_desk::DEFAULT_LEASE_MS + 1, Ordering::SeqCst);
                let r = other_then.deliver_outbox(10).unwrap();
                assert!(r.done >= 1, "{r:?}");
            }))),
        });
        let first = Desk::with_clock(w.store.store.clone(), clock()).with_platforms(
            Arc::new(OneConnector(slow)),
            key(),
            piazza_desk::DEFAULT_LEASE_MS,
        );
        first.deliver_outbox(10).unwrap();
        let n = steps(&w, id).len();
        // The first step reached the platform twice (the lease ran out: the
        // takeover is the uncertain attempt), but every step is recorded
        // once.
        let seen = w.scripted.seen();
        assert!(seen.len() > n, "{} deliveries for {n} steps", seen.len());
        assert!(seen.iter().any(|d| d.uncertain));
        let done = w
            .desk
            .audit_entries(w.admin, 0, 1000)
            .unwrap()
            .into_iter()
            .filter(|e| e.entry.kind == "outbox.done")
            .count();
        assert_eq!(done, n, "{}", w.store.label);
        assert!(steps(&w, id).iter().all(|s| s.state == OutboxState::Done));
    }
}
