//! The desk end to end on every backend: registry, ingestion, queue,
//! cited actions, the second-moderator rule, conflicts, scope, audit and
//! retention.

use std::io::Cursor;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use piazza_desk::{
    AccountId, ActRequest, ActionId, ActionKind, ActionStatus, Actor, AdminId, AttemptKey,
    BulkTarget, CommentId, Desk, DeskError, ImportFormat, IncomingComment, IncomingEvent,
    NewAdministration, NewStaff, PostId, QueueFilter, Resolution, Role, SlaState,
};
use piazza_store::testing::{TestStore, test_stores};

/// 2026-11-23T10:00:00+01:00, a Monday morning.
const MONDAY_10: i64 = 1_795_424_400_000;

struct World {
    desk: Desk,
    clock: Arc<AtomicI64>,
    admin: AdminId,
    boss: Actor,
    mod_a: Actor,
    mod_b: Actor,
    account: AccountId,
    other_account: AccountId,
    _store: TestStore,
}

fn world(store: TestStore, preset: &str) -> World {
    let clock = Arc::new(AtomicI64::new(MONDAY_10));
    let c = clock.clone();
    let desk = Desk::with_clock(
        store.store.clone(),
        Arc::new(move || c.load(Ordering::SeqCst)),
    );
    let admin = desk
        .create_administration(NewAdministration::preset(preset))
        .unwrap()
        .id;
    let staff = |username: &str, roles: Vec<Role>| NewStaff {
        username: username.into(),
        full_name: username.into(),
        email: None,
        roles,
        password: None,
    };
    desk.add_staff(
        admin,
        None,
        staff(&format!("{preset}-admin"), vec![Role::Admin]),
    )
    .unwrap();
    let root = desk.actor(admin, &format!("{preset}-admin")).unwrap();
    desk.add_staff(
        admin,
        Some(&root),
        staff(&format!("{preset}-capo"), vec![Role::Dirigente]),
    )
    .unwrap();
    // Moderators are appointed by a dirigente (some policies allow nobody
    // else).
    let capo = desk.actor(admin, &format!("{preset}-capo")).unwrap();
    desk.add_staff(
        admin,
        Some(&capo),
        staff(&format!("{preset}-anna"), vec![Role::Moderatore]),
    )
    .unwrap();
    desk.add_staff(
        admin,
        Some(&capo),
        staff(&format!("{preset}-bruno"), vec![Role::Moderatore]),
    )
    .unwrap();
    // The desk offers only what a platform can do: the tests of decisions
    // run on Facebook accounts, where every measure is possible. A policy
    // that names none (Maglione) gets one, as its office would register it.
    if !desk
        .accounts(admin)
        .unwrap()
        .iter()
        .any(|a| a.platform == "facebook")
    {
        desk.add_account(
            &capo,
            piazza_desk::NewAccount {
                platform: piazza_policy::Platform::Facebook,
                name: format!("Comune ({preset})"),
                handle: None,
                url: None,
                kind: piazza_policy::ChannelKind::Istituzionale,
                managing_office: None,
                authorised_by: Some("Sindaco".into()),
                opened_with_email: None,
                hours: Vec::new(),
                status: piazza_desk::AccountStatus::Active,
            },
        )
        .unwrap();
    }
    let accounts: Vec<_> = desk
        .accounts(admin)
        .unwrap()
        .into_iter()
        .filter(|a| a.platform == "facebook")
        .collect();
    let account = accounts[0].id;
    let other_account = accounts.get(1).map(|a| a.id).unwrap_or(account);
    desk.assign(&capo, &format!("{preset}-anna"), account, None)
        .unwrap();
    desk.assign(&capo, &format!("{preset}-bruno"), account, None)
        .unwrap();
    World {
        boss: desk.actor(admin, &format!("{preset}-capo")).unwrap(),
        mod_a: desk.actor(admin, &format!("{preset}-anna")).unwrap(),
        mod_b: desk.actor(admin, &format!("{preset}-bruno")).unwrap(),
        desk,
        clock,
        admin,
        account,
        other_account,
        _store: store,
    }
}

fn comment(id: &str, text: &str) -> IncomingComment {
    IncomingComment {
        external_id: id.into(),
        post_external_id: Some("post-1".into()),
        parent_external_id: None,
        post_text: Some("Lavori di rifacimento dell'asfalto in via Garibaldi da lunedì".into()),
        author_ref: Some("fb-user-42".into()),
        author_name: Some("Mario R.".into()),
        text: text.into(),
        created_at: MONDAY_10,
    }
}

#[test]
fn ingesting_twice_changes_nothing_and_edits_keep_history() {
    for s in test_stores("desk_idempotent") {
        let w = world(s, "cento");
        let c = comment("c1", "Quando finiscono i lavori in via Garibaldi?");
        let first = w.desk.ingest_comment(w.admin, w.account, &c).unwrap();
        let again = w.desk.ingest_comment(w.admin, w.account, &c).unwrap();
        assert!(matches!(first, piazza_desk::IngestOutcome::Inserted(_)));
        assert_eq!(again, piazza_desk::IngestOutcome::Unchanged(first.id()));
        let edited = comment(
            "c1",
            "Quando finiscono i lavori in via Garibaldi? Sono passati due mesi",
        );
        assert_eq!(
            w.desk.ingest_comment(w.admin, w.account, &edited).unwrap(),
            piazza_desk::IngestOutcome::Edited(first.id())
        );
        let d = w.desk.item(&w.mod_a, first.id()).unwrap();
        assert_eq!(d.revisions.len(), 2);
        assert_eq!(
            d.revisions[0].text.as_deref(),
            Some("Quando finiscono i lavori in via Garibaldi?")
        );
        assert_eq!(
            w.desk
                .queue(w.admin, &QueueFilter::default())
                .unwrap()
                .len(),
            1
        );
    }
}

#[test]
fn an_uncited_removal_is_refused_and_a_cited_one_writes_a_statement() {
    for s in test_stores("desk_cited") {
        let w = world(s, "roma");
        let id = w
            .desk
            .ingest_comment(
                w.admin,
                w.account,
                &comment("t1", "Sei un idiota, ti vengo a prendere sotto casa"),
            )
            .unwrap()
            .id();
        let err = w
            .desk
            .act(&w.mod_a, &ActRequest::new(id, ActionKind::Remove))
            .unwrap_err();
        assert!(
            matches!(err, DeskError::ClauseRequired { .. }),
            "{}: {err}",
            s_label(&w)
        );
        assert_eq!(err.code(), "clause_required");
        // A clause that does not cover threats cannot be cited for one.
        let err = w
            .desk
            .act(&w.mod_a, &ActRequest::new(id, ActionKind::Remove).clause(1))
            .unwrap_err();
        assert!(
            matches!(
                err,
                DeskError::InvalidInput(_) | DeskError::ClauseNotApplicable(_)
            ),
            "{err}"
        );
        // Clause 2 allows no measure at all.
        let err = w
            .desk
            .act(&w.mod_a, &ActRequest::new(id, ActionKind::Remove).clause(2))
            .unwrap_err();
        assert_eq!(err.code(), "clause_not_applicable", "{err}");
        let out = w
            .desk
            .act(
                &w.mod_a,
                &ActRequest::new(id, ActionKind::Remove)
                    .clause(3)
                    .reason("minaccia"),
            )
            .unwrap();
        assert_eq!(
            out.status,
            ActionStatus::Done,
            "Roma does not reserve deletion"
        );
        assert_eq!(out.resolution, Some(Resolution::Removed));
        let st = out.statement.unwrap();
        assert!(st.text.contains("regola 3"), "{}", st.text);
        assert!(st.text.contains("versione senza data"), "{}", st.text);
        assert!(st.text.contains("minacce"), "{}", st.text);
        assert!(st.text.contains("strumento automatico"), "{}", st.text);
        assert!(st.text.contains("Come contestare"), "{}", st.text);
        assert_eq!(
            st.fields["decision_ground"],
            "DECISION_GROUND_INCOMPATIBLE_CONTENT"
        );
        assert_eq!(st.fields["automated_detection"], "Yes");
        let d = w.desk.item(&w.mod_a, id).unwrap();
        assert_eq!(d.actions.len(), 1);
        assert_eq!(d.actions[0].clauses, vec![3]);
        assert!(d.actions[0].statement.is_some());
        let v = w.desk.verify_audit(w.admin).unwrap();
        assert!(v.is_intact());
    }
}

fn s_label(w: &World) -> &'static str {
    match w._store.store.kind() {
        piazza_store::BackendKind::Sqlite => "sqlite",
        piazza_store::BackendKind::Postgres => "postgres",
    }
}

#[test]
fn where_deletion_is_reserved_a_second_moderator_must_confirm() {
    for s in test_stores("desk_second") {
        let w = world(s, "cento");
        let insult = w
            .desk
            .ingest_comment(
                w.admin,
                w.account,
                &comment("i1", "Sei un idiota, un buffone"),
            )
            .unwrap()
            .id();
        let out = w
            .desk
            .act(
                &w.mod_a,
                &ActRequest::new(insult, ActionKind::Remove).clause(2),
            )
            .unwrap();
        assert_eq!(
            out.status,
            ActionStatus::PendingConfirmation,
            "{}",
            s_label(&w)
        );
        assert!(out.statement.is_none());
        let err = w
            .desk
            .act(&w.mod_a, &ActRequest::new(insult, ActionKind::Confirm))
            .unwrap_err();
        assert_eq!(err.code(), "second_moderator", "{err}");
        let done = w
            .desk
            .act(&w.mod_b, &ActRequest::new(insult, ActionKind::Confirm))
            .unwrap();
        assert_eq!(done.status, ActionStatus::Done);
        assert_eq!(done.resolution, Some(Resolution::Removed));
        assert!(done.statement.unwrap().text.contains("è stato rimosso"));

        // A threat is serious by law: one moderator suffices.
        let threat = w
            .desk
            .ingest_comment(
                w.admin,
                w.account,
                &comment("i2", "Ti ammazzo, sindaco, sappiamo dove abiti"),
            )
            .unwrap()
            .id();
        let out = w
            .desk
            .act(
                &w.mod_a,
                &ActRequest::new(threat, ActionKind::Remove).clause(2),
            )
            .unwrap();
        assert_eq!(out.status, ActionStatus::Done, "{}", s_label(&w));
    }
}

#[test]
fn two_moderators_on_one_item_the_second_gets_a_conflict() {
    for s in test_stores("desk_conflict") {
        let w = world(s, "cento");
        let id = w
            .desk
            .ingest_comment(
                w.admin,
                w.account,
                &comment("x1", "Ottima iniziativa, grazie!"),
            )
            .unwrap()
            .id();
        let seen_a = w.desk.item(&w.mod_a, id).unwrap().item.version;
        let seen_b = w.desk.item(&w.mod_b, id).unwrap().item.version;
        w.desk
            .act(
                &w.mod_a,
                &ActRequest::new(id, ActionKind::Keep).expecting(seen_a),
            )
            .unwrap();
        let err = w
            .desk
            .act(
                &w.mod_b,
                &ActRequest::new(id, ActionKind::Reopen).expecting(seen_b),
            )
            .unwrap_err();
        assert!(
            matches!(err, DeskError::Conflict { .. }),
            "{}: {err}",
            s_label(&w)
        );
        let d = w.desk.item(&w.mod_a, id).unwrap();
        assert_eq!(
            d.item.resolution,
            Some(Resolution::Kept),
            "the first decision stands"
        );
    }
}

#[test]
fn a_moderator_cannot_act_on_an_account_they_are_not_assigned_to() {
    for s in test_stores("desk_scope") {
        let w = world(s, "cento");
        assert_ne!(w.account, w.other_account);
        let id = w
            .desk
            .ingest_comment(
                w.admin,
                w.other_account,
                &comment("s1", "Siete dei buffoni"),
            )
            .unwrap()
            .id();
        let err = w
            .desk
            .act(&w.mod_a, &ActRequest::new(id, ActionKind::Keep))
            .unwrap_err();
        assert!(matches!(err, DeskError::OutOfScope { .. }), "{err}");
        assert!(matches!(
            w.desk.item(&w.mod_a, id).unwrap_err(),
            DeskError::OutOfScope { .. }
        ));
        // The queue of a moderator shows only assigned accounts.
        let q = w
            .desk
            .queue(
                w.admin,
                &QueueFilter {
                    scope_of: Some(w.mod_a.clone()),
                    ..Default::default()
                },
            )
            .unwrap();
        assert!(q.iter().all(|i| i.account_id == w.account));
        // The dirigente acts everywhere.
        w.desk
            .act(&w.boss, &ActRequest::new(id, ActionKind::Keep))
            .unwrap();
    }
}

#[test]
fn the_audit_log_is_read_within_the_readers_scope() {
    for s in test_stores("desk_audit_scope") {
        let w = world(s, "cento");
        assert_ne!(w.account, w.other_account);
        let mine = w
            .desk
            .ingest_comment(w.admin, w.account, &comment("m1", "Siete dei buffoni"))
            .unwrap()
            .id();
        let theirs = w
            .desk
            .ingest_comment(
                w.admin,
                w.other_account,
                &comment("t1", "Siete dei buffoni"),
            )
            .unwrap()
            .id();
        let reason = |r: &str| {
            let mut req = ActRequest::new(theirs, ActionKind::Keep);
            req.reason = Some(r.into());
            req
        };
        w.desk
            .act(&w.boss, &reason("nota riservata sull'altro account"))
            .unwrap();
        w.desk
            .act(&w.mod_b, &ActRequest::new(mine, ActionKind::Keep))
            .unwrap();
        let last = w.desk.audit_last_seq(w.admin).unwrap();
        let whole = w.desk.audit_entries(w.admin, 1, last).unwrap();
        let has = |e: &[piazza_desk::StoredEntry], needle: &str| {
            e.iter().any(|e| {
                e.entry.reason.as_deref() == Some(needle)
                    || e.entry.kind == needle
                    || e.entry.target_type.as_str() == needle
            })
        };
        assert!(has(&whole, "nota riservata sull'altro account"));
        assert!(has(&whole, "staff"));
        // The dirigente reads everything.
        let boss = w.desk.audit_entries_for(&w.boss, 1, last).unwrap();
        assert_eq!(boss.entries.len(), whole.len());
        assert_eq!(boss.hidden, 0);
        // A moderator: the decisions on the assigned account (a colleague's
        // included), not the reason written on another account, not the
        // registry of the staff.
        let anna = w.desk.audit_entries_for(&w.mod_a, 1, last).unwrap();
        assert!(!has(&anna.entries, "nota riservata sull'altro account"));
        assert!(
            anna.entries.iter().all(|e| e.entry.target_type != "staff"
                || e.entry.target_id == w.mod_a.staff_id.0.to_string()),
            "another person's staff entry shown to a moderator"
        );
        assert!(
            anna.entries
                .iter()
                .any(|e| e.entry.actor == w.mod_b.audit_name() && e.entry.kind == "action.keep"),
            "a colleague's decision on the assigned account is hidden"
        );
        assert!(has(&anna.entries, "policy_version") || has(&anna.entries, "administration"));
        assert_eq!(anna.entries.len() + anna.hidden, whole.len());
        assert!(anna.hidden > 0);
        // The technical administrator reads the registry, not the decisions.
        let root = w.desk.actor(w.admin, "cento-admin").unwrap();
        let admin = w.desk.audit_entries_for(&root, 1, last).unwrap();
        assert!(has(&admin.entries, "staff"));
        assert!(!has(&admin.entries, "nota riservata sull'altro account"));
        assert!(!admin.entries.iter().any(|e| e.entry.kind == "action.keep"));
    }
}

#[test]
fn bulk_actions_are_one_parent_with_children() {
    for s in test_stores("desk_bulk") {
        let w = world(s, "roma");
        let mut ids = Vec::new();
        for i in 0..3 {
            let mut c = comment(
                &format!("b{i}"),
                &format!("Votate Lista Civica Rossi alle elezioni! Votate Rossi sindaco {i}"),
            );
            c.author_ref = Some("spammer".into());
            ids.push(w.desk.ingest_comment(w.admin, w.account, &c).unwrap().id());
        }
        let post_id = w
            ._store
            .store
            .read(|tx| {
                tx.query_one(
                    "SELECT post_id FROM comments WHERE id = ?",
                    &[ids[0].into()],
                )?
                .int(0)
            })
            .unwrap();
        let mut req = ActRequest::new(CommentId(0), ActionKind::Hide).clause(3);
        req.categories = vec![piazza_taxonomy::Category::PoliticalPropaganda];
        let out = w
            .desk
            .act_bulk(
                &w.mod_a,
                &BulkTarget::AuthorUnderPost {
                    post_id: PostId(post_id),
                    author_ref: "spammer".into(),
                },
                &req,
            )
            .unwrap();
        assert_eq!(out.children.len(), 3);
        let parents: Vec<ActionId> = w
            ._store
            .store
            .read(|tx| {
                tx.query(
                    "SELECT DISTINCT parent_id FROM actions WHERE parent_id IS NOT NULL",
                    &[],
                )?
                .iter()
                .map(|r| r.int(0).map(ActionId))
                .collect()
            })
            .unwrap();
        assert_eq!(parents, vec![out.action_id]);
        for id in ids {
            assert_eq!(
                w.desk.item(&w.mod_a, id).unwrap().item.resolution,
                Some(Resolution::Hidden)
            );
        }
    }
}

#[test]
fn tampering_with_the_audit_log_is_detected_and_named() {
    for s in test_stores("desk_tamper") {
        let w = world(s, "roma");
        let id = w
            .desk
            .ingest_comment(w.admin, w.account, &comment("a1", "Sei un idiota"))
            .unwrap()
            .id();
        w.desk
            .act(&w.mod_a, &ActRequest::new(id, ActionKind::Hide).clause(3))
            .unwrap();
        assert!(w.desk.verify_audit(w.admin).unwrap().is_intact());
        w._store
            .store
            .write(|tx| {
                tx.execute(
                    "UPDATE audit_log SET clauses = '[1]' WHERE admin_id = ? AND kind = 'action.hide'",
                    &[w.admin.into()],
                )
            })
            .unwrap();
        let v = w.desk.verify_audit(w.admin).unwrap();
        assert_eq!(v.problems.len(), 1, "{:?}", v.problems);
        assert!(
            v.problems[0].to_string().contains("altered"),
            "{}",
            v.problems[0]
        );
    }
}

#[test]
fn import_is_idempotent_reports_bad_lines_and_resumes_after_a_crash() {
    for s in test_stores("desk_import") {
        let w = world(s, "cento");
        let mut lines = Vec::new();
        for i in 1..=50 {
            lines.push(match i {
                7 => "{\"id\": \"c7\"}".to_string(),
                13 => "non è json".to_string(),
                21 => "{\"id\": \"c21\", \"text\": \"ok\", \"created_at\": \"ieri\"}".to_string(),
                _ => format!("{{\"id\": \"c{i}\", \"text\": \"Commento numero {i} sui lavori\", \"author\": \"u{i}\"}}"),
            });
        }
        let file = lines.join("\n");
        // First run: crash (a panic in the progress callback) after the
        // second committed batch.
        let mut batches = 0;
        let crashed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            w.desk
                .import(
                    None,
                    w.admin,
                    w.account,
                    Cursor::new(file.as_bytes()),
                    ImportFormat::Jsonl,
                    "key-1",
                    "f.jsonl",
                    10,
                    &mut |_| {
                        batches += 1;
                        if batches == 2 {
                            panic!("simulated crash");
                        }
                    },
                )
                .unwrap();
        }));
        assert!(crashed.is_err());
        let count = |w: &World| {
            w._store
                .store
                .read(|tx| {
                    tx.query_one(
                        "SELECT COUNT(*) FROM comments WHERE admin_id = ?",
                        &[w.admin.into()],
                    )?
                    .int(0)
                })
                .unwrap()
        };
        assert_eq!(
            count(&w),
            18,
            "{}: two batches of 10 lines with 2 bad ones",
            s_label(&w)
        );
        let report = w
            .desk
            .import(
                None,
                w.admin,
                w.account,
                Cursor::new(file.as_bytes()),
                ImportFormat::Jsonl,
                "key-1",
                "f.jsonl",
                10,
                &mut |_| {},
            )
            .unwrap();
        assert_eq!(report.resumed_after, 20);
        assert_eq!(count(&w), 47, "{}", s_label(&w));
        assert_eq!(report.progress.imported, 47);
        assert_eq!(report.progress.failed, 3);
        let lines: Vec<(u64, Option<String>)> = report
            .errors
            .iter()
            .map(|e| (e.line, e.field.clone()))
            .collect();
        assert_eq!(
            lines,
            vec![
                (7, Some("text".into())),
                (13, None),
                (21, Some("created_at".into()))
            ]
        );
        assert!(
            report.errors[2].message.contains("`ieri`"),
            "{}",
            report.errors[2].message
        );
        // The same file again: nothing to do.
        let again = w
            .desk
            .import(
                None,
                w.admin,
                w.account,
                Cursor::new(file.as_bytes()),
                ImportFormat::Jsonl,
                "key-1",
                "f.jsonl",
                10,
                &mut |_| {},
            )
            .unwrap();
        assert!(again.already_complete);
        // The same comments under another file key are recognised.
        let other = w
            .desk
            .import(
                None,
                w.admin,
                w.account,
                Cursor::new(file.as_bytes()),
                ImportFormat::Jsonl,
                "key-2",
                "g.jsonl",
                10,
                &mut |_| {},
            )
            .unwrap();
        assert_eq!(other.progress.unchanged, 47);
        assert_eq!(count(&w), 47);
    }
}

#[test]
fn csv_import_names_line_and_field() {
    let s = piazza_store::testing::sqlite_store("desk_csv");
    let w = world(s, "cento");
    let csv = "id,text,author,created_at\nk1,Buongiorno,u1,2026-11-20T09:00\nk2,,u2,\nk3,\"Testo, con virgola\",u3,2026-11-20T10:00+01:00\n";
    let r = w
        .desk
        .import(
            None,
            w.admin,
            w.account,
            Cursor::new(csv.as_bytes()),
            ImportFormat::Csv,
            "csv",
            "f.csv",
            100,
            &mut |_| {},
        )
        .unwrap();
    assert_eq!(r.progress.imported, 2);
    assert_eq!(r.errors.len(), 1);
    assert_eq!(r.errors[0].line, 3);
    assert_eq!(r.errors[0].field.as_deref(), Some("text"));
}

#[test]
fn retention_purges_texts_but_keeps_statistics_held_items_and_the_chain() {
    for s in test_stores("desk_retention") {
        let w = world(s, "roma");
        let old = w
            .desk
            .ingest_comment(
                w.admin,
                w.account,
                &comment("r1", "Sei un idiota, chiamami al 333 1234567"),
            )
            .unwrap()
            .id();
        let held = w
            .desk
            .ingest_comment(w.admin, w.account, &comment("r2", "Ti ammazzo"))
            .unwrap()
            .id();
        let open = w
            .desk
            .ingest_comment(
                w.admin,
                w.account,
                &comment("r3", "Quando aprono gli uffici?"),
            )
            .unwrap()
            .id();
        w.desk
            .act(&w.mod_a, &ActRequest::new(old, ActionKind::Hide).clause(3))
            .unwrap();
        let mut fwd = ActRequest::new(held, ActionKind::Forward);
        fwd.office = Some("Polizia Locale".into());
        let out = w.desk.act(&w.mod_a, &fwd).unwrap();
        assert!(out.ticket_number.unwrap().starts_with("ROMA-2026-"));
        w.clock.fetch_add(40 * 86_400_000, Ordering::SeqCst);
        let r = w.desk.run_retention(None, w.admin, 30).unwrap();
        assert_eq!(r.comments_purged, 1, "{}", s_label(&w));
        assert_eq!(r.kept_on_hold, 1);
        assert_eq!(r.kept_open, 1);
        let d = w.desk.item(&w.mod_a, old).unwrap();
        assert_eq!(d.item.text, None);
        assert!(d.revisions.iter().all(|r| r.text.is_none()));
        assert!(d.findings.iter().all(|f| f.evidence.is_null()));
        assert!(
            d.findings
                .iter()
                .any(|f| f.category.as_deref() == Some("insult")),
            "statistics stay"
        );
        assert_eq!(d.actions[0].clauses, vec![3]);
        assert!(w.desk.item(&w.mod_a, held).unwrap().item.text.is_some());
        assert!(w.desk.item(&w.mod_a, open).unwrap().item.text.is_some());
        assert!(w.desk.verify_audit(w.admin).unwrap().is_intact());
    }
}

#[test]
fn handover_must_be_completed_before_sign_off() {
    for s in test_stores("desk_handover") {
        let w = world(s, "roma");
        let root = w.desk.actor(w.admin, "roma-admin").unwrap();
        let h = w
            .desk
            .end_assignment(&root, "roma-anna", w.account, "fine incarico")
            .unwrap();
        let err = w.desk.sign_off_handover(&w.boss, h).unwrap_err();
        assert_eq!(err.code(), "handover_incomplete");
        for item in [
            "revoke_platform_permissions",
            "rotate_shared_credentials",
            "hand_over_open_items",
        ] {
            w.desk
                .complete_handover_item(&w.boss, h, item, None)
                .unwrap();
        }
        w.desk.sign_off_handover(&w.boss, h).unwrap();
        // The assignment has ended: Anna is out of scope now.
        let id = w
            .desk
            .ingest_comment(w.admin, w.account, &comment("h1", "Ciao"))
            .unwrap()
            .id();
        assert!(matches!(
            w.desk
                .act(&w.mod_a, &ActRequest::new(id, ActionKind::Keep))
                .unwrap_err(),
            DeskError::OutOfScope { .. }
        ));
        // A moderator cannot run registry operations.
        assert_eq!(
            w.desk
                .record_rotation(&w.mod_b, w.account, None)
                .unwrap_err()
                .code(),
            "forbidden"
        );
    }
}

#[test]
fn questions_get_a_deadline_in_working_hours_and_replies_stop_the_clock() {
    for s in test_stores("desk_sla") {
        let w = world(s, "tradate");
        // Tradate: moderated Mon-Fri 9-12; 24 working hours are hours of
        // working days.
        let id = w
            .desk
            .ingest_comment(
                w.admin,
                w.account,
                &comment(
                    "q1",
                    "Buongiorno, a che ora apre l'ufficio anagrafe sabato?",
                ),
            )
            .unwrap()
            .id();
        let d = w.desk.item(&w.mod_a, id).unwrap();
        assert!(d.item.needs_reply, "{:?}", d.findings);
        assert_eq!(d.taken_in_charge_at, Some(MONDAY_10));
        // Taken in charge on Monday 23 Nov at 10:00, due on Tuesday at 10:00.
        assert_eq!(d.item.deadline_at, Some(MONDAY_10 + 86_400_000));
        let mut reply = ActRequest::new(id, ActionKind::Reply);
        reply.reply_text = Some("L'ufficio anagrafe il sabato è chiuso.".into());
        w.desk.act(&w.mod_a, &reply).unwrap();
        let d = w.desk.item(&w.mod_a, id).unwrap();
        assert_eq!(d.item.sla_state, Some(SlaState::Met));
        let report = w.desk.response_times(w.admin, 0, i64::MAX).unwrap();
        let row = report.rows.iter().find(|r| r.group == "account").unwrap();
        assert_eq!(row.answered, 1);
        assert_eq!(row.median_minutes, Some(0));
        assert_eq!(row.within_deadline, Some(1.0));
    }
}

#[test]
fn logins_lock_out_after_repeated_failures_and_sessions_end_on_logout() {
    for s in test_stores("desk_login") {
        let w = world(s, "cento");
        let root = w.desk.actor(w.admin, "cento-admin").unwrap();
        w.desk
            .set_password(&root, "cento-anna", "una password molto lunga")
            .unwrap();
        let session = w
            .desk
            .login("cento-anna", "una password molto lunga")
            .unwrap();
        let (_, who) = w.desk.session(&session.token).unwrap().unwrap();
        assert_eq!(who.username, "cento-anna");
        w.desk.logout(&session.token).unwrap();
        assert!(w.desk.session(&session.token).unwrap().is_none());
        // The same answer for an unknown user and a wrong password.
        let unknown = w.desk.login("nessuno", "x").unwrap_err().message_it();
        let wrong = w
            .desk
            .login("cento-anna", "sbagliata")
            .unwrap_err()
            .message_it();
        assert_eq!(unknown, wrong);
        for _ in 1..piazza_desk::MAX_FAILED_LOGINS {
            let _ = w.desk.login("cento-anna", "sbagliata");
        }
        let locked = w
            .desk
            .login("cento-anna", "una password molto lunga")
            .unwrap_err();
        assert!(
            locked.message_it().contains("bloccato"),
            "{}",
            locked.message_it()
        );
        w.clock
            .fetch_add(piazza_desk::LOCKOUT_MS + 1, Ordering::SeqCst);
        assert!(
            w.desk
                .login("cento-anna", "una password molto lunga")
                .is_ok()
        );
        // A moderator cannot reset another person's password.
        assert_eq!(
            w.desk
                .set_password(&w.mod_a, "cento-bruno", "un'altra password lunga")
                .unwrap_err()
                .code(),
            "forbidden"
        );
    }
}

#[test]
fn statistics_count_decisions_per_clause_and_category() {
    for s in test_stores("desk_stats") {
        let w = world(s, "roma");
        let id = w
            .desk
            .ingest_comment(w.admin, w.account, &comment("st1", "Sei un idiota"))
            .unwrap()
            .id();
        w.desk
            .act(&w.mod_a, &ActRequest::new(id, ActionKind::Hide).clause(3))
            .unwrap();
        let st = w.desk.moderation_stats(w.admin, 0, i64::MAX).unwrap();
        assert_eq!(st.comments, 1);
        assert_eq!(
            st.by_clause,
            vec![(3, "Contenuti che saranno rimossi".to_string(), 1)]
        );
        assert!(
            st.by_category
                .iter()
                .any(|(c, _, flagged, acted)| c == "insult" && *flagged == 1 && *acted == 1)
        );
        assert_eq!(st.by_action, vec![("hide".to_string(), 1)]);
    }
}

#[test]
fn the_sweep_flags_courtesy_replies_and_records_breaches() {
    for s in test_stores("desk_sweep") {
        let w = world(s, "tradate");
        let id = w
            .desk
            .ingest_comment(
                w.admin,
                w.account,
                &comment("w1", "Come si iscrive un bambino alla mensa scolastica?"),
            )
            .unwrap()
            .id();
        assert_eq!(
            w.desk.sla_sweep(w.admin).unwrap(),
            piazza_desk::SlaSweep::default()
        );
        // 75% of 24 working hours is 18: from Monday 23 Nov at 10:00 it ends
        // on Tuesday 24 at 4:00.
        w.clock.fetch_add(17 * 3_600_000, Ordering::SeqCst);
        assert_eq!(
            w.desk.sla_sweep(w.admin).unwrap().courtesy_due,
            0,
            "Tuesday at 3:00 is too early"
        );
        w.clock.fetch_add(2 * 3_600_000, Ordering::SeqCst);
        let sweep = w.desk.sla_sweep(w.admin).unwrap();
        assert_eq!(
            (sweep.courtesy_due, sweep.breached),
            (1, 0),
            "{}",
            s_label(&w)
        );
        let d = w.desk.item(&w.mod_a, id).unwrap();
        assert_eq!(d.item.sla_state, Some(SlaState::CourtesyDue));
        assert_eq!(
            w.desk.sla_sweep(w.admin).unwrap(),
            piazza_desk::SlaSweep::default(),
            "flagged once"
        );
        // A courtesy reply does not stop the clock; the deadline passes.
        let mut courtesy = ActRequest::new(id, ActionKind::Reply);
        courtesy.template = Some("cortesia".into());
        w.desk.act(&w.mod_a, &courtesy).unwrap();
        w.clock.fetch_add(86_400_000, Ordering::SeqCst);
        let sweep = w.desk.sla_sweep(w.admin).unwrap();
        assert_eq!(sweep.breached, 1);
        assert_eq!(
            w.desk.item(&w.mod_a, id).unwrap().item.sla_state,
            Some(SlaState::Breached)
        );
        let kinds: Vec<String> = w
            ._store
            .store
            .read(|tx| piazza_store::audit::entries(tx, w.admin.0, 1, 1000))
            .unwrap()
            .into_iter()
            .map(|e| e.entry.kind)
            .collect();
        assert!(kinds.contains(&"sla.courtesy_due".to_string()));
        assert!(kinds.contains(&"sla.breach".to_string()));
    }
}

#[test]
fn a_closed_account_tells_when_it_is_next_moderated() {
    let s = piazza_store::testing::sqlite_store("desk_notice");
    let w = world(s, "tradate");
    // Monday 10:00 is open.
    assert_eq!(w.desk.closed_notice(w.admin, w.account).unwrap(), None);
    // Friday 27 Nov 2026 at 18:00: next opening Monday 30 at 9:00.
    w.clock
        .store(MONDAY_10 + 4 * 86_400_000 + 8 * 3_600_000, Ordering::SeqCst);
    let n = w.desk.closed_notice(w.admin, w.account).unwrap().unwrap();
    assert!(n.contains("lunedì 30 novembre alle 9:00"), "{n}");
    assert!(
        n.contains("dal lunedì al venerdì, dalle 9:00 alle 12:00"),
        "{n}"
    );
}

#[test]
fn the_inbox_reads_open_items_in_index_order_without_sorting_them_all() {
    for store in test_stores("queue_plan") {
        let w = world(store, "cento");
        // Enough rows that a planner prefers an ordered index scan to a
        // full sort, plus resolved items the partial index leaves out.
        let file: String = (0..3000)
            .map(|i| {
                format!(
                    "{{\"id\":\"q{i}\",\"text\":\"Quando riapre la biblioteca? ({i})\",\"author\":\"a{}\"}}\n",
                    i % 89
                )
            })
            .collect();
        w.desk
            .import(
                None,
                w.admin,
                w.account,
                Cursor::new(file.as_bytes()),
                ImportFormat::Jsonl,
                "plan",
                "plan.jsonl",
                500,
                &mut |_| {},
            )
            .unwrap();
        // This schema's table only: a bare ANALYZE locks every table of the
        // database, other tests' schemas included.
        w._store
            .store
            .write(|tx| tx.batch("ANALYZE comments"))
            .unwrap();
        // A dirigente's inbox, and a moderator's, filtered by assignment,
        // on both backends.
        for actor in [w.boss.clone(), w.mod_a.clone()] {
            let filter = QueueFilter {
                scope_of: Some(actor),
                limit: 51,
                ..Default::default()
            };
            let plan = w.desk.explain_queue(w.admin, &filter).unwrap().join("\n");
            assert!(
                plan.contains("comments_open_order"),
                "{}: the inbox does not use its index:\n{plan}",
                w._store.label
            );
            assert!(
                !plan.contains("TEMP B-TREE FOR ORDER BY")
                    && !plan.lines().any(|l| l.trim_start().starts_with("Sort")),
                "{}: the inbox sorts every open item:\n{plan}",
                w._store.label
            );
        }
        let filter = QueueFilter {
            scope_of: Some(w.mod_a.clone()),
            limit: 51,
            ..Default::default()
        };
        // The order the index gives is the queue's documented order.
        let items = w.desk.queue(w.admin, &filter).unwrap();
        assert_eq!(items.len(), 51);
        let keys: Vec<_> = items
            .iter()
            .map(|i| {
                (
                    i.severity < 0.6,
                    i.deadline_at.is_none(),
                    i.deadline_at,
                    -i.priority,
                    i.created_at,
                    i.id,
                )
            })
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
    }
}

#[test]
fn an_identity_provider_login_finds_exactly_one_active_person() {
    for store in test_stores("login_external") {
        let w = world(store, "tradate");
        let root = w.desk.actor(w.admin, "tradate-admin").unwrap();
        w.desk
            .add_staff(
                w.admin,
                Some(&root),
                NewStaff {
                    username: "carla".into(),
                    full_name: "Carla Bianchi".into(),
                    email: Some("Carla.Bianchi@comune.tradate.va.it".into()),
                    roles: vec![Role::Moderatore],
                    password: None,
                },
            )
            .unwrap();
        // The e-mail matches whatever its case; the session is a normal one.
        let s = w
            .desk
            .login_external("carla.bianchi@COMUNE.tradate.va.it", "https://idp.example")
            .unwrap();
        let (_, actor) = w.desk.session(&s.token).unwrap().expect("a live session");
        assert_eq!(actor.username, "carla", "{}", w._store.label);
        let log = w.desk.audit_entries(w.admin, 0, 1000).unwrap();
        assert!(
            log.iter().any(|e| e.entry.kind == "login"
                && e.entry.payload.to_string().contains("https://idp.example")),
            "{}: the login is audited with its provider",
            w._store.label
        );
        // The username matches exactly; nobody is created for a stranger.
        assert!(
            w.desk
                .login_external("tradate-anna", "https://idp.example")
                .is_ok()
        );
        assert!(matches!(
            w.desk.login_external("TRADATE-ANNA", "https://idp.example"),
            Err(DeskError::NotFound { .. })
        ));
        assert!(matches!(
            w.desk
                .login_external("sconosciuto@example.org", "https://idp.example"),
            Err(DeskError::NotFound { .. })
        ));
    }
}

#[test]
fn a_queue_larger_than_a_statement_can_bind_is_read_whole() {
    // 33,000 open items: more than SQLite's 32,766 parameters in one
    // statement, which the flagged categories were once read with.
    for s in test_stores("big_queue") {
        let w = world(s, "cento");
        w._store
            .store
            .write(|tx| {
                tx.execute(
                    "INSERT INTO comments (admin_id, account_id, platform, external_id, text, text_sha256, created_at, ingested_at, state, severity)
                     WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 33000)
                     SELECT ?, ?, 'facebook', 'big-' || i, 'Sei un idiota', 'x', ?, ?, 'new', 0.7 FROM n",
                    &[w.admin.into(), w.account.into(), MONDAY_10.into(), MONDAY_10.into()],
                )?;
                tx.execute(
                    "INSERT INTO findings (admin_id, comment_id, revision, category, score, flagged, explanation)
                     SELECT admin_id, id, 1, 'insult', 0.9, 1, 'x' FROM comments WHERE external_id LIKE 'big-%'",
                    &[],
                )
            })
            .unwrap();
        let q = w
            .desk
            .queue(
                w.admin,
                &QueueFilter {
                    limit: 40_000,
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(q.len(), 33_000, "{}", s_label(&w));
        assert!(q.iter().all(|i| i.flagged == ["insult"]));
    }
}

#[test]
fn who_appoints_staff_follows_the_policy() {
    for s in test_stores("appointments") {
        // Roma: "I funzionari responsabili di riferimento forniscono le
        // credenziali ai dipendenti incaricati": not the technical
        // administrator (Maglione says the same of its Sindaco or
        // Dirigente).
        let w = world(s, "roma");
        let root = w.desk.actor(w.admin, "roma-admin").unwrap();
        let new = |u: &str, r: Role| NewStaff {
            username: u.into(),
            full_name: u.into(),
            email: None,
            roles: vec![r],
            password: None,
        };
        let e = w
            .desk
            .add_staff(w.admin, Some(&root), new("carla", Role::Moderatore))
            .unwrap_err();
        assert_eq!(e.code(), "forbidden");
        assert!(
            e.to_string()
                .contains("funzionari responsabili di riferimento"),
            "{e}"
        );
        let e = w
            .desk
            .assign(&root, "roma-anna", w.account, None)
            .unwrap_err();
        assert_eq!(e.code(), "forbidden");
        w.desk
            .add_staff(w.admin, Some(&w.boss), new("carla", Role::Moderatore))
            .unwrap();
        w.desk.assign(&w.boss, "carla", w.account, None).unwrap();
        // Registering a dirigente or an auditor stays with the administrator.
        w.desk
            .add_staff(w.admin, Some(&root), new("dpo", Role::Auditor))
            .unwrap();
    }
    for s in test_stores("appointments_cento") {
        // Cento's policy is silent: the administrator may appoint too.
        let w = world(s, "cento");
        let root = w.desk.actor(w.admin, "cento-admin").unwrap();
        w.desk
            .add_staff(
                w.admin,
                Some(&root),
                NewStaff {
                    username: "dario".into(),
                    full_name: "dario".into(),
                    email: None,
                    roles: vec![Role::Moderatore],
                    password: None,
                },
            )
            .unwrap();
    }
}

#[test]
fn a_handover_passes_the_open_items_to_the_successor() {
    for s in test_stores("handover_pass") {
        let w = world(s, "cento");
        let mut ids = Vec::new();
        for i in 0..3 {
            let id = w
                .desk
                .ingest_comment(w.admin, w.account, &comment(&format!("h{i}"), "Domanda?"))
                .unwrap()
                .id();
            w.desk
                .act(&w.mod_a, &ActRequest::new(id, ActionKind::Assign))
                .unwrap();
            ids.push(id);
        }
        // One of them is closed: it stays with whoever closed it.
        w.desk
            .act(&w.mod_a, &ActRequest::new(ids[2], ActionKind::Keep))
            .unwrap();
        let h = w
            .desk
            .end_assignment(&w.boss, &w.mod_a.username, w.account, "trasferimento")
            .unwrap();
        let n = w
            .desk
            .pass_open_items(&w.boss, h, &w.mod_b.username)
            .unwrap();
        assert_eq!(n, 2, "{}", s_label(&w));
        for id in &ids[..2] {
            let d = w.desk.item(&w.mod_b, *id).unwrap();
            assert_eq!(
                d.item.assigned_to.as_deref(),
                Some(w.mod_b.username.as_str())
            );
        }
        let steps = w.desk.handover_items(w.admin).unwrap();
        assert!(
            steps
                .iter()
                .any(|s| s.item == "hand_over_open_items" && s.done_at.is_some())
        );
        // Twice is refused.
        assert!(
            w.desk
                .pass_open_items(&w.boss, h, &w.mod_b.username)
                .is_err()
        );
        // One rotation period for every tool: the policy's, else 90 days.
        assert_eq!(w.desk.rotation_period_days(w.admin).unwrap(), 90);
    }
}

#[test]
fn credentials_held_by_someone_who_left_are_flagged_until_changed() {
    use piazza_desk::CredentialHolderRef;
    for s in test_stores("holders") {
        let w = world(s, "tradate");
        let root = w.desk.actor(w.admin, "tradate-admin").unwrap();
        w.desk
            .add_credential_holder(
                &w.boss,
                w.account,
                &CredentialHolderRef::Office("Ufficio URP".into()),
            )
            .unwrap();
        w.desk
            .add_credential_holder(
                &w.boss,
                w.account,
                &CredentialHolderRef::Staff(w.mod_a.username.clone()),
            )
            .unwrap();
        let flagged = |w: &World| {
            w.desk
                .check_accounts(w.admin)
                .unwrap()
                .into_iter()
                .any(|i| i.rule == "credentials_after_departure" && i.account_id == w.account)
        };
        assert!(!flagged(&w));
        w.clock.fetch_add(60_000, Ordering::SeqCst);
        w.desk.deactivate_staff(&root, &w.mod_a.username).unwrap();
        assert!(flagged(&w), "{}", s_label(&w));
        let holders = w.desk.credential_holders(w.admin).unwrap();
        assert_eq!(holders.iter().filter(|h| h.until.is_none()).count(), 1);
        w.clock.fetch_add(60_000, Ordering::SeqCst);
        w.desk
            .record_rotation(&w.boss, w.account, Some("cambiata"))
            .unwrap();
        assert!(!flagged(&w));
    }
}

#[test]
fn a_comment_without_a_date_is_dated_when_it_arrived_never_1970() {
    for s in test_stores("desk_undated") {
        let w = world(s, "roma");
        let mut c = comment("u1", "Sei un idiota, ti vengo a prendere sotto casa");
        c.created_at = 0;
        let id = w.desk.ingest_comment(w.admin, w.account, &c).unwrap().id();
        let out = w
            .desk
            .act(
                &w.mod_a,
                &ActRequest::new(id, ActionKind::Remove)
                    .clause(3)
                    .reason("minaccia"),
            )
            .unwrap();
        let st = out.statement.unwrap();
        assert!(!st.text.contains("1970"), "{}", st.text);
        // MONDAY_10 is the desk's clock: the time of arrival.
        assert!(
            st.text.contains("il tuo commento del 23/11/2026"),
            "{}",
            st.text
        );
        assert!(
            st.fields["content_date"]
                .as_str()
                .unwrap()
                .starts_with("2026-11-23")
        );
    }
}

/// The statement promises a review by a person other than the one who
/// decided: the public request needs the reference and the comment's day,
/// the decision's author can neither decide the appeal nor undo the
/// decision around it, and a colleague's reversal makes the comment
/// visible again and tells the author through the outbox.
#[test]
fn an_appeal_is_decided_by_someone_else_and_reverses_the_hide() {
    use piazza_calendar::jiff::civil::date;
    use piazza_desk::{
        AppealChannel, AppealFiling, AppealOutcome, AppealState, Operation, OutboxFilter,
    };
    for s in test_stores("desk_appeal") {
        let w = world(s, "roma");
        let id = w
            .desk
            .ingest_comment(w.admin, w.account, &comment("ap1", "Sei un idiota"))
            .unwrap()
            .id();
        let hide = w
            .desk
            .act(&w.mod_a, &ActRequest::new(id, ActionKind::Hide).clause(3))
            .unwrap()
            .action_id;
        let filing = |day| AppealFiling {
            reference: hide,
            channel: AppealChannel::WebForm,
            grounds: "Non era rivolto a una persona, era una battuta".into(),
            comment_day: Some(day),
            reply_to: None,
        };
        // A reference alone is not enough: the day must match too, and a
        // wrong one is told apart from nothing else.
        let wrong = w
            .desk
            .file_appeal(w.admin, None, &filing(date(2026, 11, 24)))
            .unwrap_err();
        let unknown = w
            .desk
            .file_appeal(
                w.admin,
                None,
                &AppealFiling {
                    reference: ActionId(hide.0 + 1000),
                    ..filing(date(2026, 11, 23))
                },
            )
            .unwrap_err();
        assert_eq!(wrong.to_string(), unknown.to_string(), "{}", s_label(&w));
        let receipt = w
            .desk
            .file_appeal(w.admin, None, &filing(date(2026, 11, 23)))
            .unwrap();
        assert!(!receipt.already_filed);
        assert_eq!(receipt.due_at - receipt.received_at, 30 * 86_400_000);
        let again = w
            .desk
            .file_appeal(w.admin, None, &filing(date(2026, 11, 23)))
            .unwrap();
        assert_eq!((again.id, again.already_filed), (receipt.id, true));
        assert_eq!(
            w.desk
                .appeals(&w.boss, Some(AppealState::Open))
                .unwrap()
                .len(),
            1
        );

        // The author of the decision: no appeal, no unhide around it.
        let own = w
            .desk
            .decide_appeal(&w.mod_a, receipt.id, AppealOutcome::Reverse, "ok")
            .unwrap_err();
        assert!(matches!(own, DeskError::Forbidden(_)), "{own}");
        let around = w
            .desk
            .act(&w.mod_b, &ActRequest::new(id, ActionKind::Unhide))
            .unwrap_err();
        assert!(around.to_string().contains("riesame"), "{around}");
        let no_reason = w
            .desk
            .decide_appeal(&w.mod_b, receipt.id, AppealOutcome::Reverse, "  ")
            .unwrap_err();
        assert!(matches!(no_reason, DeskError::InvalidInput(_)));

        let decided = w
            .desk
            .decide_appeal(
                &w.mod_b,
                receipt.id,
                AppealOutcome::Reverse,
                "Il commento critica una scelta, non offende una persona",
            )
            .unwrap();
        assert_eq!(decided.state, AppealState::Reversed);
        assert_eq!(decided.reviewer.as_deref(), Some("roma-bruno"));
        let unhide = decided.outcome_action_id.expect("the unhide is recorded");
        let item = w.desk.item(&w.mod_a, id).unwrap();
        assert_eq!(item.visibility, piazza_desk::Visibility::Visible);
        // The outcome goes to the author as a private message; the account
        // is not connected, so it waits for a person, and says so.
        let steps = w
            .desk
            .outbox(
                w.admin,
                &OutboxFilter {
                    comment_id: Some(id),
                    limit: 50,
                    ..Default::default()
                },
            )
            .unwrap();
        let message = steps
            .iter()
            .find(|s| s.operation == Operation::PrivateReply && s.action_id == Some(hide))
            .expect("the outcome is queued for the author");
        assert_eq!(message.state, piazza_desk::OutboxState::Manual);
        assert!(
            steps
                .iter()
                .any(|s| s.operation == Operation::Unhide && s.action_id == Some(unhide))
        );
        let twice = w
            .desk
            .decide_appeal(&w.boss, receipt.id, AppealOutcome::Uphold, "no")
            .unwrap_err();
        assert!(twice.to_string().contains("già stata decisa"), "{twice}");
        let kinds: Vec<String> = w
            .desk
            .audit_entries(w.admin, 0, 1000)
            .unwrap()
            .into_iter()
            .map(|e| e.entry.kind)
            .collect();
        assert!(kinds.iter().any(|k| k == "appeal.file"));
        assert!(kinds.iter().any(|k| k == "appeal.decide"));
    }
}

#[test]
fn the_author_of_a_decision_cannot_undo_or_reopen_it_alone() {
    for s in test_stores("desk_self_review") {
        let w = world(s, "roma");
        let id = w
            .desk
            .ingest_comment(w.admin, w.account, &comment("sr1", "Sei un idiota"))
            .unwrap()
            .id();
        w.desk
            .act(&w.mod_a, &ActRequest::new(id, ActionKind::Hide).clause(3))
            .unwrap();
        for kind in [ActionKind::Unhide, ActionKind::Reopen] {
            let err = w
                .desk
                .act(&w.mod_a, &ActRequest::new(id, kind))
                .unwrap_err();
            assert!(
                matches!(&err, DeskError::Forbidden(m) if m.contains("persona diversa")),
                "{kind}: {err}"
            );
        }
        w.desk
            .act(&w.mod_b, &ActRequest::new(id, ActionKind::Unhide))
            .unwrap();
    }
}

/// A request that came by e-mail is recorded by an operator, who must work
/// on the account; the public form's channel is the author's alone.
#[test]
fn an_operator_records_an_appeal_that_came_by_email() {
    use piazza_desk::{AppealChannel, AppealFiling};
    for s in test_stores("desk_appeal_email") {
        let w = world(s, "roma");
        let id = w
            .desk
            .ingest_comment(w.admin, w.account, &comment("ae1", "Sei un idiota"))
            .unwrap()
            .id();
        let hide = w
            .desk
            .act(&w.mod_a, &ActRequest::new(id, ActionKind::Hide).clause(3))
            .unwrap()
            .action_id;
        let mut filing = AppealFiling {
            reference: hide,
            channel: AppealChannel::WebForm,
            grounds: "Chiedo il riesame".into(),
            comment_day: None,
            reply_to: Some("mario@example.it".into()),
        };
        assert!(
            w.desk
                .file_appeal(w.admin, Some(&w.mod_b), &filing)
                .is_err()
        );
        filing.channel = AppealChannel::Email;
        let r = w
            .desk
            .file_appeal(w.admin, Some(&w.mod_b), &filing)
            .unwrap();
        let a = w.desk.appeal(&w.boss, r.id).unwrap();
        assert_eq!(a.recorded_by.as_deref(), Some("roma-bruno"));
        assert_eq!(a.channel, AppealChannel::Email);
        assert_eq!(a.decided_by.as_deref(), Some("roma-anna"));
        assert_eq!(a.reply_to.as_deref(), Some("mario@example.it"));
        // The outcome goes to the address given, through the mail outbox
        // (no SMTP server is set up here: it waits, and says so).
        let decided = w
            .desk
            .decide_appeal(
                &w.boss,
                r.id,
                piazza_desk::AppealOutcome::Uphold,
                "Insulto rivolto a una persona: regola 3",
            )
            .unwrap();
        let mail = w
            .desk
            .mail(w.admin, decided.outcome_mail_id.expect("a mail is queued"))
            .unwrap()
            .unwrap();
        assert_eq!(mail.recipient, "mario@example.it");
        assert_eq!(mail.state, piazza_desk::MailState::Pending);
        assert!(
            mail.body.contains("la decisione è confermata"),
            "{}",
            mail.body
        );
        assert!(mail.subject.contains(&format!("riesame n. {}", r.id)));
    }
}

/// A citizen's report names a comment by its link: a kept comment goes
/// back to review, raised; the decision's statement says a user reported
/// it (DSA source); the report is closed by the decision. A link Piazza
/// cannot match waits for a person, who closes it saying what was found.
#[test]
fn a_citizens_report_raises_the_comment_and_is_answered_by_the_decision() {
    use piazza_desk::{UserReportFiling, UserReportState};
    for s in test_stores("desk_user_report") {
        let w = world(s, "roma");
        let id = w
            .desk
            .ingest_comment(w.admin, w.account, &comment("111_222", "Sei un idiota"))
            .unwrap()
            .id();
        w.desk
            .act(&w.mod_a, &ActRequest::new(id, ActionKind::Keep))
            .unwrap();
        let receipt = w
            .desk
            .file_user_report(
                w.admin,
                &UserReportFiling {
                    link: "https://www.facebook.com/roma/posts/111?comment_id=222".into(),
                    clause: Some(3),
                    reason: "È un insulto ironico a un'altra utente".into(),
                    reply_to: None,
                },
            )
            .unwrap();
        assert!(receipt.matched, "{}", s_label(&w));
        let d = w.desk.item(&w.mod_b, id).unwrap();
        assert_eq!(d.item.state, piazza_desk::CommentState::InReview);
        assert_eq!(d.user_reports.len(), 1);
        assert!(d.item.priority >= 60, "{}", d.item.priority);
        let out = w
            .desk
            .act(&w.mod_b, &ActRequest::new(id, ActionKind::Hide).clause(3))
            .unwrap();
        let st = out.statement.unwrap();
        assert!(st.text.contains("segnalato da un utente"), "{}", st.text);
        assert_eq!(st.fields["source_type"], "SOURCE_TYPE_OTHER_NOTIFICATION");
        let closed = w
            .desk
            .user_reports(&w.boss, Some(UserReportState::Closed))
            .unwrap();
        assert_eq!(closed.len(), 1);
        assert!(
            closed[0]
                .outcome
                .as_deref()
                .unwrap()
                .contains("decisione n."),
            "{:?}",
            closed[0].outcome
        );

        // Unknown to Piazza: kept for a person.
        let other = w
            .desk
            .file_user_report(
                w.admin,
                &UserReportFiling {
                    link: "https://www.facebook.com/roma/posts/5?comment_id=999".into(),
                    clause: None,
                    reason: String::new(),
                    reply_to: Some("non-un-indirizzo".into()),
                },
            )
            .unwrap_err();
        assert!(matches!(other, DeskError::InvalidInput(_)), "{other}");
        let other = w
            .desk
            .file_user_report(
                w.admin,
                &UserReportFiling {
                    link: "https://www.facebook.com/roma/posts/5?comment_id=999".into(),
                    clause: None,
                    reason: String::new(),
                    reply_to: None,
                },
            )
            .unwrap();
        assert!(!other.matched);
        let open = w
            .desk
            .user_reports(&w.mod_a, Some(UserReportState::Open))
            .unwrap();
        assert_eq!(open.len(), 1);
        assert_eq!(open[0].comment_id, None);
        w.desk
            .close_user_report(&w.mod_a, other.id, "Commento già cancellato dall'autore")
            .unwrap();
        assert!(
            w.desk
                .close_user_report(&w.mod_a, other.id, "di nuovo")
                .is_err(),
            "closed once"
        );
    }
}

/// Maglione: "in caso di reclami, condividere la risposta con il Dirigente
/// di Settore". A written reply to a complaint waits; its author cannot
/// approve it, a moderator cannot either; a dirigente's approval sends it
/// through the outbox and answers the comment. A template reply does not
/// wait.
#[test]
fn a_reply_to_a_complaint_waits_for_a_dirigente_who_did_not_write_it() {
    use piazza_desk::{Operation, OutboxFilter};
    for s in test_stores("desk_reply_approval") {
        let w = world(s, "maglione");
        let id = w
            .desk
            .ingest_comment(
                w.admin,
                w.account,
                &comment(
                    "rc1",
                    "Reclamo: da tre settimane il lampione di via Roma è spento e nessuno è intervenuto, è una vergogna",
                ),
            )
            .unwrap()
            .id();
        let intents = w.desk.item(&w.mod_a, id).unwrap().findings;
        assert!(
            intents
                .iter()
                .any(|f| f.intent.as_deref() == Some("complaint")),
            "{intents:?}"
        );
        let mut req = ActRequest::new(id, ActionKind::Reply);
        req.reply_text = Some("Grazie, abbiamo segnalato il guasto all'ufficio tecnico.".into());
        let out = w.desk.act(&w.mod_a, &req).unwrap();
        assert_eq!(out.status, ActionStatus::PendingApproval, "{}", s_label(&w));
        assert!(out.platform_steps.is_empty(), "nothing is posted yet");
        let d = w.desk.item(&w.mod_a, id).unwrap();
        assert_eq!(d.item.state, piazza_desk::CommentState::InReview);

        let by_mod = w
            .desk
            .act(&w.mod_b, &ActRequest::new(id, ActionKind::Confirm))
            .unwrap_err();
        assert!(matches!(by_mod, DeskError::Forbidden(_)), "{by_mod}");
        let approved = w
            .desk
            .act(&w.boss, &ActRequest::new(id, ActionKind::Confirm))
            .unwrap();
        assert_eq!(approved.status, ActionStatus::Done);
        assert_eq!(approved.resolution, Some(Resolution::Replied));
        let steps = w
            .desk
            .outbox(
                w.admin,
                &OutboxFilter {
                    action_id: Some(out.action_id),
                    limit: 10,
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(steps.len(), 1);
        assert_eq!(steps[0].operation, Operation::Reply);

        // The URP template is the policy's own text: it does not wait.
        let other = w
            .desk
            .ingest_comment(
                w.admin,
                w.account,
                &comment(
                    "rc2",
                    "Reclamo: la raccolta dei rifiuti in via Verdi salta da due settimane, è una vergogna",
                ),
            )
            .unwrap()
            .id();
        let mut courtesy = ActRequest::new(other, ActionKind::Reply);
        courtesy.template = Some("cortesia".into());
        assert_eq!(
            w.desk.act(&w.mod_a, &courtesy).unwrap().status,
            ActionStatus::Done
        );
        // The dirigente's own reply needs someone else.
        let mut own = ActRequest::new(other, ActionKind::Reply);
        own.reply_text = Some("Abbiamo chiesto al gestore di recuperare il giro.".into());
        assert_eq!(
            w.desk.act(&w.boss, &own).unwrap().status,
            ActionStatus::PendingApproval
        );
        let self_approval = w
            .desk
            .act(&w.boss, &ActRequest::new(other, ActionKind::Confirm))
            .unwrap_err();
        assert!(
            self_approval.to_string().contains("scritto tu"),
            "{self_approval}"
        );
    }
}

/// Where the administration said where its desk is served, the statement
/// of reasons links the public appeal page with the reference filled in.
#[test]
fn the_statement_links_the_appeal_page_with_its_reference() {
    for s in test_stores("desk_appeal_link") {
        let w = world(s, "roma");
        let root = w.desk.actor(w.admin, "roma-admin").unwrap();
        w.desk
            .set_mail_settings(
                &root,
                piazza_desk::NewMailSettings {
                    host: "127.0.0.1".into(),
                    port: 25,
                    security: piazza_desk::SmtpSecurity::None,
                    from: "piazza@comune.example".into(),
                    username: None,
                    password: None,
                    desk_url: Some("https://piazza.comune.example/".into()),
                    urp_address: None,
                    digest_hour: 8,
                },
            )
            .unwrap();
        let id = w
            .desk
            .ingest_comment(w.admin, w.account, &comment("al1", "Sei un idiota"))
            .unwrap()
            .id();
        let out = w
            .desk
            .act(&w.mod_a, &ActRequest::new(id, ActionKind::Hide).clause(3))
            .unwrap();
        let slug = w.desk.context(w.admin).unwrap().slug.clone();
        let text = out.statement.unwrap().text;
        assert!(
            text.contains(&format!(
                "oppure dalla pagina https://piazza.comune.example/enti/{slug}/riesame?riferimento={}",
                out.action_id
            )),
            "{text}"
        );
    }
}

/// L. 28/2000 art. 9: a dirigente records the period; while it is on the
/// item says so and a reply's checks flag promotion of the administration.
#[test]
fn an_election_period_is_recorded_and_in_force_on_its_days() {
    use piazza_calendar::jiff::civil::date;
    use piazza_desk::{ElectionKind, NewElectionPeriod};
    for s in test_stores("desk_elections") {
        let w = world(s, "cento");
        let period = NewElectionPeriod {
            kind: ElectionKind::Comunali,
            territory: "Comune di Cento".into(),
            // Monday 23 November 2026 is MONDAY_10's day.
            starts_on: date(2026, 11, 24),
            ends_on: date(2026, 12, 20),
            act: Some("decreto prefettizio".into()),
        };
        let refused = w.desk.add_election_period(&w.mod_a, &period).unwrap_err();
        assert!(matches!(refused, DeskError::Forbidden(_)), "{refused}");
        let backwards = NewElectionPeriod {
            ends_on: date(2026, 11, 1),
            ..period.clone()
        };
        assert!(w.desk.add_election_period(&w.boss, &backwards).is_err());
        w.desk.add_election_period(&w.boss, &period).unwrap();
        assert_eq!(
            w.desk.election_period_now(w.admin).unwrap(),
            None,
            "not yet"
        );
        w.clock.fetch_add(86_400_000, Ordering::SeqCst);
        let now = w.desk.election_period_now(w.admin).unwrap().unwrap();
        assert!(now.notice_it().contains("L. 28/2000"));
        let id = w
            .desk
            .ingest_comment(
                w.admin,
                w.account,
                &comment("el1", "Quando riapre la piscina?"),
            )
            .unwrap()
            .id();
        let d = w.desk.item(&w.mod_a, id).unwrap();
        assert_eq!(d.election_period.as_ref().map(|p| p.id), Some(now.id));
        let ctx = w.desk.context(w.admin).unwrap();
        let r = piazza_desk::editorial::check_text(
            &ctx.analyzer,
            "Finalmente la piscina riapre lunedì, come promesso.",
            None,
            d.election_period
                .as_ref()
                .map(|_| d.public_figures.as_slice()),
        );
        assert!(
            r.issues
                .iter()
                .any(|i| i.kind == piazza_editorial::IssueKind::ElectionPeriod),
            "{r:?}"
        );
        // The day after the close of the polls it is over.
        w.clock.fetch_add(27 * 86_400_000, Ordering::SeqCst);
        assert_eq!(w.desk.election_period_now(w.admin).unwrap(), None);
    }
}

#[test]
fn oversized_reasons_replies_and_comments_are_refused_with_their_length() {
    let s = piazza_store::testing::sqlite_store("desk_sizes");
    let w = world(s, "roma");
    let id = w
        .desk
        .ingest_comment(
            w.admin,
            w.account,
            &comment("big1", "Quando riapre la piscina?"),
        )
        .unwrap()
        .id();
    let mut r = ActRequest::new(id, ActionKind::Keep);
    r.reason = Some("x".repeat(1_900_000));
    let e = w.desk.act(&w.mod_a, &r).unwrap_err();
    assert!(e.to_string().contains("1900000 caratteri"), "{e}");
    let mut reply = ActRequest::new(id, ActionKind::Reply);
    reply.template = Some("risposta".into());
    reply.reply_text = Some("y".repeat(10_001));
    assert!(w.desk.act(&w.mod_a, &reply).is_err());
    // Nothing was written: the item is still waiting.
    let item = w.desk.item(&w.mod_a, id).unwrap();
    assert!(item.actions.is_empty(), "{:?}", item.actions);

    let long = format!(
        "{{\"id\":\"big2\",\"text\":\"{}\"}}\n{{\"id\":\"ok\",\"text\":\"Breve\"}}\n",
        "z".repeat(1_000_000)
    );
    let r = w
        .desk
        .import(
            None,
            w.admin,
            w.account,
            Cursor::new(long.as_bytes()),
            ImportFormat::Jsonl,
            "jsonl",
            "f.jsonl",
            100,
            &mut |_| {},
        )
        .unwrap();
    assert_eq!(r.progress.imported, 1);
    assert_eq!(r.errors.len(), 1);
    assert_eq!(r.errors[0].line, 1);
    assert_eq!(r.errors[0].field.as_deref(), Some("text"));
}

#[test]
fn sign_in_and_form_attempts_are_counted_by_the_database_for_every_instance() {
    for s in test_stores("desk_login_attempts") {
        let clock = Arc::new(AtomicI64::new(MONDAY_10));
        let instance = || {
            let c = clock.clone();
            Desk::with_clock(s.store.clone(), Arc::new(move || c.load(Ordering::SeqCst)))
        };
        // Two desks on one database: two instances behind a balancer.
        let (one, other) = (instance(), instance());
        let user = |d: &Desk, u: &str| d.count_attempts(&[AttemptKey::Username(u)]).unwrap()[0];
        assert_eq!(user(&one, "Anna"), 1, "{}", s.label);
        assert_eq!(user(&other, " anna "), 2);
        assert_eq!(user(&one, "ANNA"), 3);
        assert_eq!(user(&other, "bruno"), 1);
        // An address and a username in one transaction; the address's
        // sign-ins and its public forms are counted apart.
        let addr: std::net::IpAddr = "192.0.2.7".parse().unwrap();
        let both = [
            AttemptKey::LoginAddress(Some(addr)),
            AttemptKey::Username("carla"),
        ];
        assert_eq!(
            one.count_attempts(&both).unwrap(),
            vec![1, 1],
            "{}",
            s.label
        );
        assert_eq!(other.count_attempts(&both).unwrap(), vec![2, 2]);
        let form = [AttemptKey::PublicFormAddress(Some(addr))];
        assert_eq!(other.count_attempts(&form).unwrap(), vec![1]);
        // A minute later the window starts again.
        clock.fetch_add(piazza_desk::LOGIN_WINDOW_MS, Ordering::SeqCst);
        assert_eq!(user(&other, "anna"), 1);
        // The closed windows are forgotten: bruno's, carla's and the
        // address's two; anna's is open.
        clock.fetch_add(1, Ordering::SeqCst);
        assert_eq!(one.prune_attempts().unwrap(), 4, "{}", s.label);
        assert_eq!(user(&one, "anna"), 2);
    }
}

/// Writers of one administration at once: single decisions, bulk decisions
/// over overlapping comments in opposite orders, two decisions on the same
/// comment, the reply-clock sweep, and platform event batches that delete
/// one comment and edit another that a moderator is deciding. On
/// PostgreSQL the administration is
/// locked last (by the audit append), after the rows each writer changes:
/// nobody waits in a circle (a deadlock would surface as an error here),
/// every writer commits or is refused as a conflict, and the chain stays
/// whole.
#[test]
fn writers_of_one_administration_at_once_commit_or_conflict_and_never_deadlock() {
    for s in test_stores("desk_writers_race") {
        let label = s.label;
        let w = world(s, "cento");
        let ids: Vec<CommentId> = (0..24)
            .map(|i| {
                w.desk
                    .ingest_comment(
                        w.admin,
                        w.account,
                        &comment(&format!("r{i}"), "Quando riaprono la strada?"),
                    )
                    .unwrap()
                    .id()
            })
            .collect();
        // Comments the platform will delete, one per batch.
        for k in 0..6 {
            w.desk
                .ingest_comment(
                    w.admin,
                    w.account,
                    &comment(&format!("d{k}"), "Ciao a tutti"),
                )
                .unwrap();
        }
        // Two days later: the sweep finds every unanswered question late.
        w.clock.fetch_add(2 * 86_400_000, Ordering::SeqCst);
        // The version each moderator saw before deciding.
        let versions: std::collections::HashMap<CommentId, i64> = ids
            .iter()
            .map(|&id| (id, w.desk.item(&w.mod_a, id).unwrap().item.version))
            .collect();
        let versions = &versions;
        let (outcomes, platform) = std::thread::scope(|scope| {
            // The platform: each batch deletes a comment, then edits one
            // of those the moderators and the bulks decide (its row written
            // after the deletion's audit entry, unless the entry waits for
            // the end).
            let desk = w.desk.clone();
            let (admin, account) = (w.admin, w.account);
            let platform = scope.spawn(move || {
                (0..6)
                    .map(|k| {
                        let events = [
                            IncomingEvent::Deleted {
                                external_id: format!("d{k}"),
                                at: MONDAY_10 + 1,
                            },
                            IncomingEvent::Comment(comment(
                                &format!("r{}", 6 + k),
                                "Quando riaprono la strada? Nessuno risponde",
                            )),
                        ];
                        desk.ingest(admin, account, &events).map(|_| ())
                    })
                    .collect::<Vec<_>>()
            });
            let mut handles = Vec::new();
            // Two moderators decide the first twelve, each in a different
            // order; each comment is decided by both (one wins, the other
            // meets the version it did not see, or decides after it).
            for (who, order) in [(&w.mod_a, false), (&w.mod_b, true)] {
                let mut mine: Vec<CommentId> = ids[..12].to_vec();
                if order {
                    mine.reverse();
                }
                let desk = w.desk.clone();
                handles.push(scope.spawn(move || {
                    mine.into_iter()
                        .map(|id| {
                            let mut req = ActRequest::new(id, ActionKind::Keep);
                            req.expected_version = Some(versions[&id]);
                            desk.act(who, &req).map(|_| ())
                        })
                        .collect::<Vec<_>>()
                }));
            }
            // Two bulk decisions over the last eighteen (six of them the
            // moderators' too), in opposite orders.
            for order in [false, true] {
                let mut mine: Vec<CommentId> = ids[6..].to_vec();
                if order {
                    mine.reverse();
                }
                let desk = w.desk.clone();
                let who = w.mod_a.clone();
                handles.push(scope.spawn(move || {
                    let req = ActRequest::new(CommentId(0), ActionKind::Keep);
                    vec![
                        desk.act_bulk(&who, &BulkTarget::Comments(mine), &req)
                            .map(|_| ()),
                    ]
                }));
            }
            let desk = w.desk.clone();
            let admin = w.admin;
            handles.push(
                scope.spawn(move || (0..5).map(|_| desk.sla_sweep(admin).map(|_| ())).collect()),
            );
            let outcomes: Vec<Result<(), DeskError>> = handles
                .into_iter()
                .flat_map(|h| h.join().unwrap())
                .collect();
            (outcomes, platform.join().unwrap())
        });
        for p in &platform {
            assert!(p.is_ok(), "{label}: a platform batch failed: {p:?}");
        }
        for o in &outcomes {
            if let Err(e) = o
                && !matches!(e, DeskError::Conflict { .. })
            {
                panic!("{label}: a writer failed: {e}");
            }
        }
        // The bulks and the sweeps hold their rows before reading them:
        // never refused. Each of the moderators' own six comments was
        // decided by one of them at least.
        let n = outcomes.len();
        assert!(
            outcomes[n - 7..].iter().all(Result::is_ok),
            "{label}: {outcomes:?}"
        );
        let decided = outcomes[..n - 7].iter().filter(|o| o.is_ok()).count();
        assert!(decided >= 6, "{label}: {outcomes:?}");
        assert!(w.desk.verify_audit(w.admin).unwrap().is_intact(), "{label}");
    }
}
