//! The editorial desk on every backend: an office asks for a publication,
//! an editor writes it (every version kept), colleagues comment, and the
//! draft is approved by as many people as the policy asks, none of them
//! its authors; a new version needs new approvals; during an election
//! period an approval must say why the text is impersonal and
//! indispensable. Every step is audited.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use piazza_desk::{
    AccountId, Actor, AdminId, Desk, DeskError, DraftContent, DraftDecision, DraftMedia,
    DraftState, ElectionKind, MediaLicence, NewAdministration, NewDraft, NewElectionPeriod,
    NewStaff, Role,
};
use piazza_store::testing::{TestStore, test_stores};

/// 2026-11-23T10:00:00+01:00, a Monday morning.
const MONDAY_10: i64 = 1_795_424_400_000;

struct World {
    desk: Desk,
    admin: AdminId,
    boss: Actor,
    boss2: Actor,
    editor: Actor,
    office: Actor,
    moderator: Actor,
    account: AccountId,
    _store: TestStore,
}

/// Cento's preset with its editorial section asking for `approvals`.
fn policy(approvals: u32) -> String {
    let base = include_str!("../../piazza-policy/presets/cento.toml");
    assert_eq!(base.matches("\napprovals = 1\n").count(), 1);
    base.replace("\napprovals = 1\n", &format!("\napprovals = {approvals}\n"))
}

fn world(store: TestStore, approvals: u32) -> World {
    world_with(store, &policy(approvals))
}

fn world_with(store: TestStore, policy_text: &str) -> World {
    let clock = Arc::new(AtomicI64::new(MONDAY_10));
    let c = clock.clone();
    let desk = Desk::with_clock(
        store.store.clone(),
        Arc::new(move || c.load(Ordering::SeqCst)),
    );
    let admin = desk
        .create_administration(NewAdministration::policy("prova", policy_text))
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
        ("moderatore", Role::Moderatore),
    ] {
        desk.add_staff(admin, Some(&boss), staff(u, vec![r]))
            .unwrap();
    }
    let account = desk
        .accounts(admin)
        .unwrap()
        .into_iter()
        .next()
        .expect("the preset lists accounts")
        .id;
    desk.assign(&boss, "redattrice", account, None).unwrap();
    desk.assign(&boss, "moderatore", account, None).unwrap();
    World {
        admin,
        boss2: desk.actor(admin, "capo2").unwrap(),
        editor: desk.actor(admin, "redattrice").unwrap(),
        office: desk.actor(admin, "cultura").unwrap(),
        moderator: desk.actor(admin, "moderatore").unwrap(),
        boss,
        desk,
        account,
        _store: store,
    }
}

fn content(body: &str) -> DraftContent {
    DraftContent {
        body: body.into(),
        link: Some("https://www.comune.example/festa".into()),
        media: vec![DraftMedia {
            file: "locandina.jpg".into(),
            alt_text: "".into(),
            licence: MediaLicence::Propria,
            confirmed: Vec::new(),
        }],
    }
}

fn new_draft(w: &World) -> NewDraft {
    NewDraft {
        account_id: w.account,
        title: "Festa di quartiere".into(),
        requested_by: Some("Servizio Cultura".into()),
        purpose: Some("promuovere la festa".into()),
        campaign: None,
        scheduled_at: Some(MONDAY_10 + 86_400_000),
        content: content("Sabato 12 festa di quartiere in piazza, dalle 18. Ingresso libero."),
    }
}

#[test]
fn a_request_becomes_a_draft_approved_by_two_people_none_its_author() {
    for s in test_stores("drafts_flow") {
        let w = world(s, 2);
        // The office asks by opening the draft; a moderator may not write.
        let id = w.desk.create_draft(&w.office, &new_draft(&w)).unwrap();
        let e = w
            .desk
            .create_draft(&w.moderator, &new_draft(&w))
            .unwrap_err();
        assert!(matches!(e, DeskError::Forbidden(_)), "{e}");
        // The editor rewrites it: both versions are kept.
        let v = w
            .desk
            .revise_draft(
                &w.editor,
                id,
                1,
                &content("Sabato 12 dicembre festa di quartiere in piazza Garibaldi, dalle 18."),
            )
            .unwrap();
        assert_eq!(v, 2);
        // A stale version is a conflict, and writes nothing.
        let e = w
            .desk
            .revise_draft(&w.editor, id, 1, &content("altro"))
            .unwrap_err();
        assert!(matches!(e, DeskError::Conflict { .. }), "{e}");
        w.desk
            .comment_draft(&w.boss, id, "Mettete anche l'orario di chiusura")
            .unwrap();
        // The checks of the current version: the image has no alt text.
        let checks = w.desk.draft_checks(w.admin, id).unwrap();
        assert!(
            checks
                .issues
                .iter()
                .any(|i| i.message.contains("testo alternativo")),
            "{checks:?}"
        );
        // Nobody decides before the draft is submitted.
        let e = w
            .desk
            .decide_draft(&w.boss, id, 2, DraftDecision::Approva, None, None)
            .unwrap_err();
        assert!(e.to_string().contains("in attesa di approvazione"), "{e}");
        w.desk.submit_draft(&w.editor, id).unwrap();
        // The editor wrote version 2: she may not approve it.
        let e = w
            .desk
            .decide_draft(&w.editor, id, 2, DraftDecision::Approva, None, None)
            .unwrap_err();
        assert!(matches!(e, DeskError::SecondModerator(_)), "{e}");
        // First approval: still waiting for the second.
        let st = w
            .desk
            .decide_draft(&w.boss, id, 2, DraftDecision::Approva, None, None)
            .unwrap();
        assert_eq!(st, DraftState::InApprovazione);
        // The same person cannot count twice.
        let e = w
            .desk
            .decide_draft(&w.boss, id, 2, DraftDecision::Approva, None, None)
            .unwrap_err();
        assert!(e.to_string().contains("già deciso"), "{e}");
        // A new version: the first approval no longer counts.
        w.desk
            .revise_draft(
                &w.editor,
                id,
                2,
                &content(
                    "Sabato 12 dicembre festa di quartiere in piazza Garibaldi, dalle 18 alle 23.",
                ),
            )
            .unwrap();
        let d = w.desk.draft(w.admin, id).unwrap();
        assert_eq!(
            (d.state, d.version, d.approvals_given),
            (DraftState::InApprovazione, 3, 0)
        );
        assert_eq!(d.versions.len(), 3);
        assert_eq!(d.versions[0].written_by, "cultura");
        assert_eq!(d.comments.len(), 1);
        let st = w
            .desk
            .decide_draft(&w.boss, id, 3, DraftDecision::Approva, None, None)
            .unwrap();
        assert_eq!(st, DraftState::InApprovazione);
        let st = w
            .desk
            .decide_draft(&w.boss2, id, 3, DraftDecision::Approva, Some("ok"), None)
            .unwrap();
        assert_eq!(st, DraftState::Approvata);
        let d = w.desk.draft(w.admin, id).unwrap();
        assert_eq!((d.approvals_needed, d.approvals_given), (2, 2));
        assert_eq!(
            w.desk
                .drafts(w.admin, Some(DraftState::Approvata))
                .unwrap()
                .len(),
            1
        );
        assert!(
            w.desk
                .drafts(w.admin, Some(DraftState::Bozza))
                .unwrap()
                .is_empty()
        );
        // Every step is in the audit chain, which still verifies.
        let kinds: Vec<String> = w
            .desk
            .audit_entries(w.admin, 0, 1000)
            .unwrap()
            .into_iter()
            .map(|e| e.entry.kind)
            .filter(|k| k.starts_with("draft."))
            .collect();
        for k in [
            "draft.create",
            "draft.revise",
            "draft.comment",
            "draft.submit",
            "draft.approve",
        ] {
            assert!(kinds.iter().any(|x| x == k), "{k} missing from {kinds:?}");
        }
        assert!(w.desk.verify_audit(w.admin).unwrap().is_intact());
    }
}

#[test]
fn a_rejection_needs_a_reason_and_sends_the_draft_back_to_writing() {
    for s in test_stores("drafts_reject") {
        let w = world(s, 1);
        let id = w.desk.create_draft(&w.editor, &new_draft(&w)).unwrap();
        w.desk.submit_draft(&w.editor, id).unwrap();
        let e = w
            .desk
            .decide_draft(&w.boss, id, 1, DraftDecision::Respingi, Some("  "), None)
            .unwrap_err();
        assert!(e.to_string().contains("motivo"), "{e}");
        let st = w
            .desk
            .decide_draft(
                &w.boss,
                id,
                1,
                DraftDecision::Respingi,
                Some("manca la data"),
                None,
            )
            .unwrap();
        assert_eq!(st, DraftState::Respinta);
        // Resubmitting the same text is refused; a new version goes back
        // to writing, then to approval.
        assert!(w.desk.submit_draft(&w.editor, id).is_err());
        w.desk
            .revise_draft(
                &w.editor,
                id,
                1,
                &content("Sabato 12 dicembre, festa in piazza."),
            )
            .unwrap();
        assert_eq!(w.desk.draft(w.admin, id).unwrap().state, DraftState::Bozza);
        w.desk.submit_draft(&w.editor, id).unwrap();
        let st = w
            .desk
            .decide_draft(&w.boss, id, 2, DraftDecision::Approva, None, None)
            .unwrap();
        assert_eq!(st, DraftState::Approvata, "one approval is the default");
    }
}

#[test]
fn during_an_election_period_approval_says_why_it_is_impersonal() {
    for s in test_stores("drafts_election") {
        let w = world(s, 1);
        w.desk
            .add_election_period(
                &w.boss,
                &NewElectionPeriod {
                    kind: ElectionKind::Comunali,
                    territory: "Comune di Cento".into(),
                    starts_on: "2026-11-01".parse().unwrap(),
                    ends_on: "2026-12-15".parse().unwrap(),
                    act: None,
                },
            )
            .unwrap();
        let mut new = new_draft(&w);
        new.content = content("Il sindaco ha inaugurato la nuova scuola, grazie alla giunta.");
        let id = w.desk.create_draft(&w.editor, &new).unwrap();
        // The mayor named in a draft is flagged while the period is on.
        let checks = w.desk.draft_checks(w.admin, id).unwrap();
        assert!(
            checks
                .issues
                .iter()
                .any(|i| i.message.contains("periodo elettorale")),
            "{checks:?}"
        );
        w.desk.submit_draft(&w.editor, id).unwrap();
        let e = w
            .desk
            .decide_draft(&w.boss, id, 1, DraftDecision::Approva, None, None)
            .unwrap_err();
        assert!(
            e.to_string().contains("impersonale e indispensabile"),
            "{e}"
        );
        assert_eq!(
            w.desk.draft(w.admin, id).unwrap().state,
            DraftState::InApprovazione,
            "a refused approval changes nothing"
        );
        w.desk
            .decide_draft(
                &w.boss,
                id,
                1,
                DraftDecision::Approva,
                None,
                Some("avviso di servizio sugli orari della scuola, senza nomi"),
            )
            .unwrap();
        let d = w.desk.draft(w.admin, id).unwrap();
        assert_eq!(d.state, DraftState::Approvata);
        assert!(d.decisions[0].impersonal_reason.is_some());
    }
}

#[test]
fn roma_asks_the_editor_to_confirm_what_each_image_shows() {
    for s in test_stores("drafts_photos") {
        let clock = Arc::new(AtomicI64::new(MONDAY_10));
        let c = clock.clone();
        let desk = Desk::with_clock(s.store.clone(), Arc::new(move || c.load(Ordering::SeqCst)));
        let admin = desk
            .create_administration(NewAdministration::preset("roma"))
            .unwrap()
            .id;
        let person = |u: &str, role: Role| NewStaff {
            username: u.into(),
            full_name: u.into(),
            email: None,
            roles: vec![role],
            password: None,
        };
        desk.add_staff(admin, None, person("root", Role::Admin))
            .unwrap();
        let root = desk.actor(admin, "root").unwrap();
        desk.add_staff(admin, Some(&root), person("capo", Role::Dirigente))
            .unwrap();
        let boss = desk.actor(admin, "capo").unwrap();
        let account = desk.accounts(admin).unwrap()[0].id;
        let draft = |confirmed: &[&str]| NewDraft {
            account_id: account,
            title: "Mercato rionale".into(),
            requested_by: None,
            purpose: None,
            campaign: None,
            scheduled_at: None,
            content: DraftContent {
                body: "Il mercato rionale riapre sabato.".into(),
                link: None,
                media: vec![DraftMedia {
                    file: "https://www.comune.roma.it/mercato.jpg".into(),
                    alt_text: "I banchi del mercato rionale sotto le tettoie".into(),
                    licence: MediaLicence::Propria,
                    confirmed: confirmed.iter().map(|c| c.to_string()).collect(),
                }],
            },
        };
        let photo_issues = |id| {
            desk.draft_checks(admin, id)
                .unwrap()
                .issues
                .into_iter()
                .filter(|i| i.kind == piazza_editorial::IssueKind::Photo)
                .map(|i| i.message)
                .collect::<Vec<_>>()
        };
        // The text rule everywhere, then Roma's two; none confirmed.
        let rules: Vec<&str> = desk
            .photo_rules(admin)
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(rules, ["testo", "minori_e_volti", "esercizi_e_marchi"]);
        let none = desk.create_draft(&boss, &draft(&[])).unwrap();
        let found = photo_issues(none);
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found[0].contains("scritte"), "{found:?}");
        assert!(found[2].contains("targhe automobilistiche"), "{found:?}");
        // All confirmed: nothing to say.
        let both = desk
            .create_draft(
                &boss,
                &draft(&["testo", "minori_e_volti", "esercizi_e_marchi"]),
            )
            .unwrap();
        assert!(photo_issues(both).is_empty());
        // During an election period, administrators and candidates too.
        desk.add_election_period(
            &boss,
            &NewElectionPeriod {
                kind: ElectionKind::Comunali,
                territory: "Roma Capitale".into(),
                starts_on: "2026-11-01".parse().unwrap(),
                ends_on: "2026-12-31".parse().unwrap(),
                act: None,
            },
        )
        .unwrap();
        let found = photo_issues(both);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].contains("amministratori né candidati"),
            "{found:?}"
        );
        // Cento asks for no checklist: only the text rule applies.
        let cento = desk
            .create_administration(NewAdministration::preset("cento"))
            .unwrap()
            .id;
        let rules: Vec<&str> = desk
            .photo_rules(cento)
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(rules, ["testo"]);
    }
}

#[test]
fn requests_from_the_public_are_filed_where_the_policy_allows_and_examined_once() {
    for s in test_stores("drafts_requests") {
        let desk = Desk::new(s.store.clone());
        let roma = desk
            .create_administration(NewAdministration::preset("roma"))
            .unwrap()
            .id;
        let cento = desk
            .create_administration(NewAdministration::preset("cento"))
            .unwrap()
            .id;
        let person = |u: &str, role: Role| NewStaff {
            username: u.into(),
            full_name: u.into(),
            email: None,
            roles: vec![role],
            password: None,
        };
        desk.add_staff(roma, None, person("root", Role::Admin))
            .unwrap();
        let root = desk.actor(roma, "root").unwrap();
        desk.add_staff(roma, Some(&root), person("capo", Role::Dirigente))
            .unwrap();
        let boss = desk.actor(roma, "capo").unwrap();
        let filing = piazza_desk::PublicationRequestFiling {
            requester: "Comitato di quartiere".into(),
            reply_to: Some("comitato@example.org".into()),
            subject: "Festa di strada".into(),
            body: "Domenica festa di strada in via dei Volsci.".into(),
            ..Default::default()
        };
        let e = desk.file_publication_request(cento, &filing).unwrap_err();
        assert!(matches!(e, DeskError::Forbidden(_)), "{e}");
        let too_long = piazza_desk::PublicationRequestFiling {
            body: "x".repeat(piazza_desk::MAX_REQUEST_CHARS + 1),
            ..filing.clone()
        };
        let e = desk.file_publication_request(roma, &too_long).unwrap_err();
        assert!(e.to_string().contains("supera"), "{e}");
        let id = desk.file_publication_request(roma, &filing).unwrap();
        let open = desk.publication_requests(&boss, false).unwrap();
        assert_eq!(open.len(), 1);
        assert_eq!(open[0].reply_to.as_deref(), Some("comitato@example.org"));
        let account = desk.accounts(roma).unwrap()[0].id;
        let draft = desk.accept_publication_request(&boss, id, account).unwrap();
        let d = desk.draft(roma, draft).unwrap();
        assert_eq!(d.title, "Festa di strada");
        assert!(desk.publication_requests(&boss, false).unwrap().is_empty());
        let e = desk
            .decline_publication_request(&boss, id, "ripensamento")
            .unwrap_err();
        assert!(e.to_string().contains("già stata esaminata"), "{e}");
        // The audit names the request, never the requester's address.
        let log = desk.audit_entries(roma, 1, 500).unwrap();
        let filed = log
            .iter()
            .find(|e| e.entry.kind == "publication_request.file")
            .unwrap();
        assert_eq!(filed.entry.actor, "public");
        assert!(!format!("{:?}", filed.entry).contains("comitato@example.org"));
        assert!(
            log.iter()
                .any(|e| e.entry.kind == "publication_request.accept")
        );
    }
}

#[test]
fn a_policy_can_keep_approval_to_the_dirigenti() {
    for s in test_stores("drafts_approvers") {
        let text = policy(1).replace(
            "\napprovals = 1\n",
            "\napprovals = 1\napprovers = [\"dirigente\"]\n",
        );
        let w = world_with(s, &text);
        assert_eq!(w.desk.draft_approvers(w.admin).unwrap(), [Role::Dirigente]);
        let id = w.desk.create_draft(&w.office, &new_draft(&w)).unwrap();
        w.desk.submit_draft(&w.office, id).unwrap();
        // An editor, who wrote nothing of it, is not an approver here.
        let e = w
            .desk
            .decide_draft(&w.editor, id, 1, DraftDecision::Approva, None, None)
            .unwrap_err();
        assert!(matches!(e, DeskError::Forbidden(_)), "{e}");
        let state = w
            .desk
            .decide_draft(&w.boss, id, 1, DraftDecision::Approva, None, None)
            .unwrap();
        assert_eq!(state, DraftState::Approvata);
    }
}
