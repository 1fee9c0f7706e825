//! Publishing on every backend, over real HTTP against the local fake of
//! Meta's Graph API: an office's request becomes a draft, two people other
//! than its authors approve it, it waits for its scheduled time in the
//! outbox, goes out once with the policy's licence footer, and the post id
//! the platform gave is recorded so that the comments under it are filed
//! with it. Failures are shown and retried; the urgent path publishes at
//! once and keeps its mark until the approvals come; an election period
//! stops what lacks the approvers' statement, even one called after the
//! draft was queued.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use piazza_desk::{
    AccountId, Actor, AdminId, ConnectorKind, Desk, DraftContent, DraftDecision, DraftId,
    DraftMedia, DraftState, ElectionKind, MediaLicence, NewAdministration, NewConnection, NewDraft,
    NewElectionPeriod, NewStaff, OutboxState, PermanentCode, Role, SecretKey, SecretString,
    StandardConnectors,
};
use piazza_fakes::meta::{FB_PAGE_SCOPES, FakeGraph};
use piazza_platforms::meta::MetaConfig;
use piazza_store::testing::{TestStore, test_stores};

/// 2026-11-23T10:00:00+01:00, a Monday morning.
const MONDAY_10: i64 = 1_795_424_400_000;
const DAY: i64 = 86_400_000;
const PAGE: &str = "1000001";
const FOOTER: &str = "Contenuto del Comune di Cento in licenza CC BY-ND 3.0 IT";

struct World {
    desk: Desk,
    clock: Arc<AtomicI64>,
    fake: FakeGraph,
    admin: AdminId,
    root: Actor,
    boss: Actor,
    boss2: Actor,
    editor: Actor,
    office: Actor,
    account: AccountId,
    _store: TestStore,
}

/// Cento's preset (its licence footer included), asking for `approvals`.
fn policy(approvals: u32) -> String {
    let base = include_str!("../../piazza-policy/presets/cento.toml");
    assert!(base.contains(FOOTER), "Cento's preset carries the licence");
    base.replace("\napprovals = 1\n", &format!("\napprovals = {approvals}\n"))
}

fn world(store: TestStore, approvals: u32) -> World {
    let fake = FakeGraph::start();
    fake.add_page(PAGE, "Comune di Cento");
    fake.add_token("page-token", PAGE, FB_PAGE_SCOPES);
    let clock = Arc::new(AtomicI64::new(MONDAY_10));
    let c = clock.clone();
    let desk = Desk::with_clock(
        store.store.clone(),
        Arc::new(move || c.load(Ordering::SeqCst)),
    )
    .with_platforms(
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
    let admin = desk
        .create_administration(NewAdministration::policy("cento", &policy(approvals)))
        .unwrap()
        .id;
    let staff = |username: &str, roles: Vec<Role>| NewStaff {
        username: username.into(),
        full_name: format!("{username} (nome)"),
        email: None,
        roles,
        password: None,
    };
    desk.add_staff(admin, None, staff("root", vec![Role::Admin]))
        .unwrap();
    let root = desk.actor(admin, "root").unwrap();
    desk.add_staff(admin, Some(&root), staff("capo", vec![Role::Dirigente]))
        .unwrap();
    let boss = desk.actor(admin, "capo").unwrap();
    for (u, r) in [
        ("capo2", Role::Dirigente),
        ("redattrice", Role::Redattore),
        ("cultura", Role::Ufficio),
    ] {
        desk.add_staff(admin, Some(&boss), staff(u, vec![r]))
            .unwrap();
    }
    let account = desk
        .accounts(admin)
        .unwrap()
        .into_iter()
        .find(|a| a.platform == "facebook")
        .expect("Cento has a Facebook page")
        .id;
    desk.assign(&boss, "redattrice", account, None).unwrap();
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
        boss2: desk.actor(admin, "capo2").unwrap(),
        editor: desk.actor(admin, "redattrice").unwrap(),
        office: desk.actor(admin, "cultura").unwrap(),
        root,
        boss,
        desk,
        clock,
        fake,
        admin,
        account,
        _store: store,
    }
}

const IMAGE: &str = "https://www.comune.cento.fe.it/media/festa-2026.jpg";
const ALT: &str = "Locandina della festa: piazza Guercino illuminata, orari e programma";

fn content(body: &str) -> DraftContent {
    DraftContent {
        body: body.into(),
        link: Some("https://www.comune.cento.fe.it/festa".into()),
        media: vec![DraftMedia {
            file: IMAGE.into(),
            alt_text: ALT.into(),
            licence: MediaLicence::Propria,
            confirmed: Vec::new(),
        }],
    }
}

/// An office's request, rewritten by the editor and submitted.
fn submitted(w: &World, scheduled_at: Option<i64>) -> DraftId {
    let id = w
        .desk
        .create_draft(
            &w.office,
            &NewDraft {
                account_id: w.account,
                title: "Festa di Natale".into(),
                requested_by: Some("Servizio Cultura".into()),
                purpose: Some("far conoscere il programma".into()),
                campaign: Some("Natale 2026".into()),
                scheduled_at,
                content: content("Si comunica che in data odierna è stato approvato il programma."),
            },
        )
        .unwrap();
    w.desk
        .revise_draft(
            &w.editor,
            id,
            1,
            &content(
                "Sabato 12 dicembre festa di Natale in piazza Guercino, dalle 17 alle 22. Il programma è sul sito.",
            ),
        )
        .unwrap();
    w.desk.submit_draft(&w.editor, id).unwrap();
    id
}

fn approve(w: &World, id: DraftId, by: &Actor, reason: Option<&str>) -> DraftState {
    let v = w.desk.draft(w.admin, id).unwrap().version;
    w.desk
        .decide_draft(by, id, v, DraftDecision::Approva, None, reason)
        .unwrap()
}

#[test]
fn a_request_is_approved_twice_published_at_its_time_and_its_comments_are_tied_to_it() {
    for s in test_stores("publish_flow") {
        let w = world(s, 2);
        let tomorrow_9 = MONDAY_10 + DAY - 3_600_000;
        let id = submitted(&w, Some(tomorrow_9));
        // The office's first wording was bureaucratic: version 1's checks
        // said so; the current version passes that check.
        let checks = w.desk.draft_checks(w.admin, id).unwrap();
        assert!(
            !checks
                .issues
                .iter()
                .any(|i| i.passage.contains("Si comunica")),
            "{checks:?}"
        );
        // Not publishable before its approvals; the editor who wrote it
        // may not approve; two others do.
        let e = w.desk.publish_draft(&w.boss, id, 2).unwrap_err();
        assert!(
            e.to_string().contains("si pubblica una bozza approvata"),
            "{e}"
        );
        let e = w
            .desk
            .decide_draft(&w.editor, id, 2, DraftDecision::Approva, None, None)
            .unwrap_err();
        assert!(e.to_string().contains("un'altra persona"), "{e}");
        assert_eq!(approve(&w, id, &w.boss, None), DraftState::InApprovazione);
        assert_eq!(approve(&w, id, &w.boss2, None), DraftState::Approvata);
        // An office's referente does not publish.
        let e = w.desk.publish_draft(&w.office, id, 2).unwrap_err();
        assert!(e.to_string().contains("pubblicare una bozza"), "{e}");

        let step = w.desk.publish_draft(&w.editor, id, 2).unwrap();
        assert_eq!(step.state, OutboxState::Pending);
        assert_eq!(step.next_attempt_at, tomorrow_9);
        let said = step.describe_it(|ms| ms.to_string());
        assert!(said.contains("programmato per il"), "{said}");
        let d = w.desk.draft(w.admin, id).unwrap();
        assert_eq!(d.state, DraftState::Programmata);
        assert_eq!(d.publication.as_ref().map(|p| p.id), Some(step.id));

        // Before its time nothing goes out.
        let run = w.desk.deliver_outbox(10).unwrap();
        assert_eq!(run.claimed, 0);
        assert!(w.fake.posts(PAGE).is_empty());

        // At its time it goes out once, with the footer and the image.
        w.clock.store(tomorrow_9 + 60_000, Ordering::SeqCst);
        let run = w.desk.deliver_outbox(10).unwrap();
        assert_eq!((run.claimed, run.done), (1, 1));
        assert_eq!(w.desk.deliver_outbox(10).unwrap().claimed, 0);
        let posts = w.fake.posts(PAGE);
        assert_eq!(posts.len(), 1, "{posts:?}");
        let post = &posts[0];
        assert!(post.by_api);
        let text = post.text.as_deref().unwrap();
        assert!(
            text.starts_with("Sabato 12 dicembre festa di Natale"),
            "{text}"
        );
        assert!(
            text.contains(&format!(
                "\n\n{FOOTER} (creativecommons.org/licenses/by-nd/3.0/it)"
            )),
            "{text}"
        );
        // With a photo Facebook shows no link preview: the link is written
        // at the end of the text.
        assert!(
            text.ends_with("\n\nhttps://www.comune.cento.fe.it/festa"),
            "{text}"
        );
        assert_eq!(post.media.len(), 1);
        assert_eq!(post.media[0].url, IMAGE);
        assert_eq!(post.media[0].alt_text.as_deref(), Some(ALT));

        let d = w.desk.draft(w.admin, id).unwrap();
        assert_eq!(d.state, DraftState::Pubblicata);
        assert_eq!(d.published_ref.as_deref(), Some(post.id.as_str()));
        let step = d.publication.unwrap();
        assert_eq!(step.state, OutboxState::Done);
        assert_eq!(step.platform_ref.as_deref(), Some(post.id.as_str()));
        // A published draft is not rewritten.
        let e = w
            .desk
            .revise_draft(&w.editor, id, 2, &content("altro"))
            .unwrap_err();
        assert!(e.to_string().contains("già pubblicata"), "{e}");

        // A citizen comments under it: the pull files the comment with
        // the draft's post.
        w.fake
            .add_comment(&post.id, "u-77", "Giulia", "Ci saranno anche i mercatini?");
        w.desk
            .sync(w.admin, w.account, Some(MONDAY_10 - DAY), &mut |_| {})
            .unwrap();
        let post_id = d.post_id.expect("the post is recorded");
        let under: Vec<(i64, String)> = w
            ._store
            .store
            .read(|tx| {
                tx.query(
                    "SELECT post_id, text FROM comments WHERE admin_id = ?",
                    &[w.admin.into()],
                )?
                .iter()
                .map(|r| Ok((r.int(0)?, r.text(1)?)))
                .collect::<Result<Vec<_>, piazza_store::StoreError>>()
            })
            .unwrap();
        assert_eq!(
            under,
            [(post_id.0, "Ci saranno anche i mercatini?".to_string())]
        );

        // Every step is in the audit chain, and the chain holds.
        let kinds: Vec<String> = w
            .desk
            .audit_entries(w.admin, 1, 500)
            .unwrap()
            .into_iter()
            .map(|e| e.entry.kind.clone())
            .collect();
        for k in [
            "draft.create",
            "draft.revise",
            "draft.submit",
            "draft.approve",
            "draft.publish",
            "outbox.done",
            "draft.published",
        ] {
            assert!(kinds.iter().any(|x| x == k), "{k} missing from {kinds:?}");
        }
        assert!(w.desk.verify_audit(w.admin).unwrap().is_intact());
    }
}

#[test]
fn a_failed_publication_is_shown_retried_and_never_doubled() {
    for s in test_stores("publish_retry") {
        let w = world(s, 1);
        let id = submitted(&w, None);
        approve(&w, id, &w.boss, None);
        // The page's token lacks the permission to publish.
        let without: Vec<&str> = FB_PAGE_SCOPES
            .iter()
            .copied()
            .filter(|p| *p != "pages_manage_posts")
            .collect();
        w.fake.add_token("page-token", PAGE, &without);
        w.desk.publish_draft(&w.boss, id, 2).unwrap();
        let run = w.desk.deliver_outbox(10).unwrap();
        assert_eq!(run.failed, 1);
        let d = w.desk.draft(w.admin, id).unwrap();
        assert_eq!(d.state, DraftState::Programmata);
        let step = d.publication.unwrap();
        assert_eq!(step.state, OutboxState::Failed);
        assert_eq!(step.failure, Some(PermanentCode::PermissionMissing));
        let said = step.describe_it(|ms| ms.to_string());
        assert!(
            said.starts_with("pubblicare il post: non riuscito (permesso mancante"),
            "{said}"
        );
        assert!(step.retryable());
        assert!(w.fake.posts(PAGE).is_empty());

        // The permission is granted; a person retries.
        w.fake.add_token("page-token", PAGE, FB_PAGE_SCOPES);
        w.desk.retry_outbox(&w.boss, step.id).unwrap();
        // The first attempt is in doubt (its answer could have been lost):
        // had it gone through, the post would be found, not written again.
        w.fake
            .fail_next(1, piazza_fakes::meta::FakeFailure::DropConnection);
        let run = w.desk.deliver_outbox(10).unwrap();
        assert_eq!(run.retrying, 1, "{run:?}");
        w.clock.fetch_add(3_600_000, Ordering::SeqCst);
        let run = w.desk.deliver_outbox(10).unwrap();
        assert_eq!(run.done, 1, "{run:?}");
        assert_eq!(w.fake.posts(PAGE).len(), 1);
        assert_eq!(
            w.desk.draft(w.admin, id).unwrap().state,
            DraftState::Pubblicata
        );
    }
}

#[test]
fn a_publication_whose_answer_was_lost_is_found_not_posted_again() {
    for s in test_stores("publish_uncertain") {
        let w = world(s, 1);
        let id = submitted(&w, None);
        approve(&w, id, &w.boss, None);
        let step = w.desk.publish_draft(&w.boss, id, 2).unwrap();
        // A worker claimed the row and died before any call: the row is
        // in flight with a lease that expires.
        w._store
            .store
            .write(|tx| {
                tx.execute(
                    "UPDATE outbox SET state = 'in_flight', attempts = 1, lease_until = ? WHERE id = ?",
                    &[(MONDAY_10 + 1_000).into(), step.id.into()],
                )
            })
            .unwrap();
        w.clock.fetch_add(2_000, Ordering::SeqCst);
        // First take-over: nothing on the page yet, so it publishes.
        assert_eq!(w.desk.deliver_outbox(10).unwrap().done, 1);
        assert_eq!(w.fake.posts(PAGE).len(), 1);
        let first = w.fake.posts(PAGE)[0].id.clone();
        // Pretend that answer was lost too: the row goes back in flight.
        w._store
            .store
            .write(|tx| {
                tx.execute(
                    "UPDATE outbox SET state = 'in_flight', platform_ref = NULL, done_at = NULL, lease_until = ? WHERE id = ?",
                    &[(MONDAY_10 + 3_000).into(), step.id.into()],
                )
            })
            .unwrap();
        w.clock.fetch_add(2_000, Ordering::SeqCst);
        assert_eq!(w.desk.deliver_outbox(10).unwrap().done, 1);
        assert_eq!(w.fake.posts(PAGE).len(), 1, "published twice");
        let d = w.desk.draft(w.admin, id).unwrap();
        assert_eq!(d.published_ref.as_deref(), Some(first.as_str()));
    }
}

#[test]
fn the_urgent_path_publishes_at_once_and_keeps_its_mark_until_approved() {
    for s in test_stores("publish_urgent") {
        let w = world(s, 2);
        let id = submitted(&w, Some(MONDAY_10 + 7 * DAY));
        let e = w
            .desk
            .publish_urgent(&w.editor, id, 2, "  ", None)
            .unwrap_err();
        assert!(e.to_string().contains("scrivi il motivo"), "{e}");
        let e = w
            .desk
            .publish_urgent(&w.office, id, 2, "allerta", None)
            .unwrap_err();
        assert!(e.to_string().contains("pubblicare d'urgenza"), "{e}");
        let step = w
            .desk
            .publish_urgent(
                &w.boss,
                id,
                2,
                "Allerta meteo arancione della Protezione civile regionale",
                None,
            )
            .unwrap();
        // At once, not at the scheduled time a week away.
        assert_eq!(step.next_attempt_at, MONDAY_10);
        assert_eq!(w.desk.deliver_outbox(10).unwrap().done, 1);
        let d = w.desk.draft(w.admin, id).unwrap();
        assert_eq!(d.state, DraftState::Pubblicata);
        assert!(d.awaits_approval_after_urgent());
        assert_eq!(d.urgent.as_ref().unwrap().by, "capo");
        // Who published it urgently does not approve it afterwards.
        let e = w
            .desk
            .decide_draft(&w.boss, id, 2, DraftDecision::Approva, None, None)
            .unwrap_err();
        assert!(e.to_string().contains("un'altra persona"), "{e}");
        // The approvals are recorded afterwards; the draft stays published.
        assert_eq!(approve(&w, id, &w.boss2, None), DraftState::Pubblicata);
        assert!(
            w.desk
                .draft(w.admin, id)
                .unwrap()
                .awaits_approval_after_urgent()
        );
        w.desk
            .add_staff(
                w.admin,
                Some(&w.root),
                NewStaff {
                    username: "capo3".into(),
                    full_name: "capo3".into(),
                    email: None,
                    roles: vec![Role::Dirigente],
                    password: None,
                },
            )
            .unwrap();
        let boss3 = w.desk.actor(w.admin, "capo3").unwrap();
        assert_eq!(approve(&w, id, &boss3, None), DraftState::Pubblicata);
        let d = w.desk.draft(w.admin, id).unwrap();
        assert!(!d.awaits_approval_after_urgent());
        assert_eq!(d.approvals_given, 2);
        assert_eq!(w.fake.posts(PAGE).len(), 1);
    }
}

#[test]
fn in_an_election_period_nothing_goes_out_without_the_statement() {
    for s in test_stores("publish_election") {
        let w = world(s, 1);
        // Approved and queued for Friday, before any period.
        let friday = MONDAY_10 + 4 * DAY;
        let id = submitted(&w, Some(friday));
        approve(&w, id, &w.boss, None);
        w.desk.publish_draft(&w.editor, id, 2).unwrap();
        // On Wednesday the comizi are called: the period covers Friday.
        w.desk
            .add_election_period(
                &w.boss,
                &NewElectionPeriod {
                    kind: ElectionKind::Comunali,
                    territory: "Comune di Cento".into(),
                    starts_on: "2026-11-25".parse().unwrap(),
                    ends_on: "2027-01-31".parse().unwrap(),
                    act: Some("decreto prefettizio".into()),
                },
            )
            .unwrap();
        w.clock.store(friday + 60_000, Ordering::SeqCst);
        let run = w.desk.deliver_outbox(10).unwrap();
        assert_eq!(run.failed, 1, "{run:?}");
        assert!(
            w.fake.posts(PAGE).is_empty(),
            "published without the statement"
        );
        let step = w.desk.draft(w.admin, id).unwrap().publication.unwrap();
        assert_eq!(step.failure, Some(PermanentCode::NotAllowed));
        assert!(
            step.last_error.as_deref().unwrap().contains("L. 28/2000"),
            "{step:?}"
        );
        // A retry is refused again at the last moment.
        w.desk.retry_outbox(&w.boss, step.id).unwrap();
        assert_eq!(w.desk.deliver_outbox(10).unwrap().failed, 1);
        assert!(w.fake.posts(PAGE).is_empty());

        // A new version approved with the statement goes out.
        let v = w
            .desk
            .revise_draft(
                &w.editor,
                id,
                2,
                &content(
                    "Dal 14 dicembre la biblioteca comunale apre anche il sabato, dalle 9 alle 13.",
                ),
            )
            .err();
        // Withdrawing a failed publication is allowed: the step was final.
        assert!(v.is_none(), "{v:?}");
        let d = w.desk.draft(w.admin, id).unwrap();
        assert_eq!(d.state, DraftState::InApprovazione);
        let e = w
            .desk
            .decide_draft(&w.boss, id, 3, DraftDecision::Approva, None, None)
            .unwrap_err();
        assert!(
            e.to_string().contains("impersonale e indispensabile"),
            "{e}"
        );
        approve(
            &w,
            id,
            &w.boss,
            Some(
                "Informazione di servizio sugli orari: indispensabile, senza riferimenti agli amministratori",
            ),
        );
        let e = w.desk.publish_draft(&w.editor, id, 3).err();
        assert!(e.is_none(), "{e:?}");
        assert_eq!(w.desk.deliver_outbox(10).unwrap().done, 1);
        assert_eq!(w.fake.posts(PAGE).len(), 1);

        // The record of the period lists it, with the statement and the
        // text as it went out.
        let period = w.desk.election_period_now(w.admin).unwrap().unwrap();
        let record = w.desk.election_record(w.admin, period.id).unwrap();
        assert_eq!(record.publications.len(), 1);
        let p = &record.publications[0];
        assert_eq!(p.draft_id, id);
        assert_eq!(
            p.post_ref.as_deref(),
            Some(w.fake.posts(PAGE)[0].id.as_str())
        );
        assert!(p.text.contains(FOOTER), "{}", p.text);
        assert_eq!(p.approvals.len(), 1);
        assert!(
            p.approvals[0]
                .1
                .as_deref()
                .unwrap()
                .contains("indispensabile")
        );
        let csv = record.to_csv();
        assert!(csv.starts_with("bozza,titolo,account,"), "{csv}");
        assert!(csv.contains("capo: Informazione di servizio"), "{csv}");

        // A draft naming the mayor (from the registry) is flagged.
        w.desk
            .add_public_figure(&w.boss, "Edoardo Accorsi", piazza_desk::FigureRole::Sindaco)
            .unwrap();
        let named = w
            .desk
            .create_draft(
                &w.editor,
                &NewDraft {
                    account_id: w.account,
                    title: "Inaugurazione".into(),
                    requested_by: None,
                    purpose: None,
                    campaign: None,
                    scheduled_at: None,
                    content: content(
                        "Domani il sindaco Edoardo Accorsi inaugura la scuola di via Roma.",
                    ),
                },
            )
            .unwrap();
        let checks = w.desk.draft_checks(w.admin, named).unwrap();
        let flagged: Vec<&str> = checks
            .issues
            .iter()
            .filter(|i| i.kind == piazza_editorial::IssueKind::ElectionPeriod)
            .map(|i| i.passage.as_str())
            .collect();
        assert!(flagged.contains(&"Edoardo Accorsi"), "{flagged:?}");
        // Only what went out is in the record.
        assert_eq!(
            w.desk
                .election_record(w.admin, period.id)
                .unwrap()
                .publications
                .len(),
            1
        );
    }
}

#[test]
fn the_calendar_places_drafts_by_when_they_go_out_and_filters_them() {
    for s in test_stores("publish_calendar") {
        let w = world(s, 1);
        let wednesday = MONDAY_10 + 2 * DAY;
        let a = submitted(&w, Some(wednesday));
        approve(&w, a, &w.boss, None);
        w.desk.publish_draft(&w.editor, a, 2).unwrap();
        let b = w
            .desk
            .create_draft(
                &w.editor,
                &NewDraft {
                    account_id: w.account,
                    title: "Senza data".into(),
                    requested_by: Some("Ufficio Tributi".into()),
                    purpose: None,
                    campaign: None,
                    scheduled_at: None,
                    content: content("La scadenza dell'IMU è il 16 dicembre."),
                },
            )
            .unwrap();
        let week = |office: Option<&str>, campaign: Option<&str>| {
            w.desk
                .editorial_calendar(
                    w.admin,
                    &piazza_desk::CalendarFilter {
                        from: MONDAY_10 - 10 * 3_600_000,
                        to: MONDAY_10 + 7 * DAY,
                        account: None,
                        office: office.map(str::to_string),
                        campaign: campaign.map(str::to_string),
                    },
                )
                .unwrap()
        };
        let cal = week(None, None);
        assert_eq!(cal.entries.len(), 1);
        assert_eq!(cal.entries[0].draft.id, a);
        assert_eq!(cal.entries[0].at, Some(wednesday));
        assert_eq!(cal.unscheduled.len(), 1);
        assert_eq!(cal.unscheduled[0].draft.id, b);
        assert_eq!(cal.offices, ["Servizio Cultura", "Ufficio Tributi"]);
        assert_eq!(cal.campaigns, ["Natale 2026"]);
        assert!(week(Some("Ufficio Tributi"), None).entries.is_empty());
        assert_eq!(week(None, Some("Natale 2026")).entries.len(), 1);
        // Once published, it stays on the day it went out.
        w.clock.store(wednesday + 5_000, Ordering::SeqCst);
        assert_eq!(w.desk.deliver_outbox(10).unwrap().done, 1);
        let cal = week(None, None);
        assert_eq!(cal.entries[0].draft.state, DraftState::Pubblicata);
        assert_eq!(cal.entries[0].at, Some(wednesday + 5_000));
    }
}

#[test]
fn a_central_campaign_is_relayed_to_other_accounts_in_one_step() {
    for s in test_stores("publish_relay") {
        let w = world(s, 2);
        let id = submitted(&w, None);
        approve(&w, id, &w.boss, None);
        approve(&w, id, &w.boss2, None);
        let others: Vec<AccountId> = w
            .desk
            .accounts(w.admin)
            .unwrap()
            .into_iter()
            .filter(|a| a.id != w.account)
            .map(|a| a.id)
            .take(2)
            .collect();
        assert_eq!(others.len(), 2, "Cento has more than one account");
        // The editor is assigned to the Page only: she may not relay to
        // accounts outside her scope, and nothing is written.
        let e = w.desk.relay_draft(&w.editor, id, &others).unwrap_err();
        assert!(
            matches!(
                e,
                piazza_desk::DeskError::OutOfScope { .. } | piazza_desk::DeskError::Forbidden(_)
            ),
            "{e}"
        );
        assert_eq!(w.desk.drafts(w.admin, None).unwrap().len(), 1);
        // A dirigente relays it: one copy per account, approved by the
        // same two people, queued (left to a person: not connected).
        let copies = w.desk.relay_draft(&w.boss, id, &others).unwrap();
        assert_eq!(copies.len(), 2);
        for (copy, step) in &copies {
            let c = w.desk.draft(w.admin, *copy).unwrap();
            assert_eq!(c.relayed_from, Some(id));
            assert_eq!(c.state, DraftState::Programmata);
            assert_eq!(c.approvals_given, 2);
            assert_eq!(c.campaign.as_deref(), Some("Natale 2026"));
            assert!(c.current().content.body.starts_with("Sabato 12 dicembre"));
            assert_eq!(step.state, OutboxState::Manual, "{step:?}");
        }
        // The source itself is published as usual.
        w.desk.publish_draft(&w.boss, id, 2).unwrap();
        assert_eq!(w.desk.deliver_outbox(10).unwrap().done, 1);
        assert_eq!(w.fake.posts(PAGE).len(), 1);
        let kinds: Vec<String> = w
            .desk
            .audit_entries(w.admin, 1, 500)
            .unwrap()
            .into_iter()
            .map(|e| e.entry.kind.clone())
            .collect();
        assert_eq!(kinds.iter().filter(|k| *k == "draft.relay").count(), 2);
    }
}
