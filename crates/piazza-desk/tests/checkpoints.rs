//! Signed checkpoints of the audit log on every backend: what the hash
//! chain alone cannot see (a log cut below together with its counter, a
//! log rewritten from genesis with recomputed hashes) a checkpoint does,
//! and a forged checkpoint is refused.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use piazza_desk::{
    AdminId, CHECKPOINT_EVERY_MS, Checkpoint, CheckpointProblem, Desk, NewAdministration, NewStaff,
    Role, SigningKeyFile,
};
use piazza_store::audit::{self, AuditEntry};
use piazza_store::testing::{TestStore, test_stores};

/// 2026-11-23T10:00:00+01:00.
const MONDAY_10: i64 = 1_795_424_400_000;

struct World {
    desk: Desk,
    clock: Arc<AtomicI64>,
    admin: AdminId,
    store: TestStore,
}

fn world(store: TestStore) -> World {
    let clock = Arc::new(AtomicI64::new(MONDAY_10));
    let c = clock.clone();
    let desk = Desk::with_clock(
        store.store.clone(),
        Arc::new(move || c.load(Ordering::SeqCst)),
    );
    let admin = desk
        .create_administration(NewAdministration::preset("cento"))
        .unwrap()
        .id;
    for name in ["root", "anna", "bruno"] {
        let by = (name != "root").then(|| desk.actor(admin, "root").unwrap());
        desk.add_staff(
            admin,
            by.as_ref(),
            NewStaff {
                username: name.into(),
                full_name: name.into(),
                email: None,
                roles: vec![Role::Admin],
                password: None,
            },
        )
        .unwrap();
    }
    World {
        desk,
        clock,
        admin,
        store,
    }
}

fn key() -> SigningKeyFile {
    SigningKeyFile::from_seed([11u8; 32])
}

fn problems(w: &World, c: &Checkpoint, expected: Option<&str>) -> Vec<CheckpointProblem> {
    w.desk.verify_checkpoint(c, expected).unwrap().problems
}

#[test]
fn a_checkpoint_signs_the_head_is_stored_and_recorded_in_the_log() {
    for store in test_stores("checkpoint_ok") {
        let w = world(store);
        let head = w.desk.audit_last_seq(w.admin).unwrap();
        let c = w.desk.sign_checkpoint(w.admin, &key(), "cli").unwrap();
        assert_eq!(c.seq, head, "{}", w.store.label);
        assert_eq!(c.ente, "cento");
        assert_eq!(c.public_key, key().public_hex());
        assert_eq!(c.signed_at, "2026-11-23T09:00:00Z");
        let entries = w.desk.audit_entries(w.admin, head, 10).unwrap();
        assert_eq!(entries[0].hash, c.head_hash);
        assert_eq!(entries[1].entry.kind, "audit.checkpoint");
        assert_eq!(entries[1].entry.payload["seq"], head);

        let check = w
            .desk
            .verify_checkpoint(&c, Some(&key().public_hex()))
            .unwrap();
        assert!(check.is_ok(), "{}: {:?}", w.store.label, check.problems);
        assert_eq!(check.entries, head + 1);
        // Entries written after the checkpoint do not invalidate it.
        w.desk.sign_checkpoint(w.admin, &key(), "cli").unwrap();
        assert!(problems(&w, &c, None).is_empty());

        let stored = w.desk.audit_checkpoints(w.admin, 10).unwrap();
        assert_eq!(stored.len(), 2);
        assert_eq!(stored[1].checkpoint, c);
        assert_eq!(stored[1].created_at, MONDAY_10);
    }
}

#[test]
fn a_log_cut_below_the_checkpoint_with_its_counter_lowered_is_detected() {
    for store in test_stores("checkpoint_truncated") {
        let w = world(store);
        let c = w.desk.sign_checkpoint(w.admin, &key(), "cli").unwrap();
        let keep = c.seq - 2;
        w.store
            .write(|tx| {
                tx.execute(
                    "DELETE FROM audit_log WHERE admin_id = ? AND seq > ?",
                    &[w.admin.0.into(), keep.into()],
                )?;
                tx.execute(
                    "UPDATE counters SET value = ? WHERE admin_id = ? AND name = 'audit_seq'",
                    &[keep.into(), w.admin.0.into()],
                )
            })
            .unwrap();
        // The chain alone cannot tell: this is what the checkpoint is for.
        assert!(w.desk.verify_audit(w.admin).unwrap().is_intact());
        let found = problems(&w, &c, Some(&key().public_hex()));
        assert_eq!(
            found,
            vec![CheckpointProblem::EntryMissing {
                seq: c.seq,
                last_seq: keep
            }],
            "{}",
            w.store.label
        );
        assert!(found[0].message_it().contains("cancellate"));
    }
}

#[test]
fn a_log_rewritten_from_genesis_with_its_length_is_detected() {
    for store in test_stores("checkpoint_rewritten") {
        let w = world(store);
        let c = w.desk.sign_checkpoint(w.admin, &key(), "cli").unwrap();
        let old = w.desk.audit_entries(w.admin, 0, 1000).unwrap();
        // A new chain with the same length, one entry altered, every hash
        // recomputed from genesis through the store's own function.
        w.store
            .write(|tx| {
                tx.execute(
                    "DELETE FROM audit_log WHERE admin_id = ?",
                    &[w.admin.0.into()],
                )?;
                tx.execute(
                    "DELETE FROM counters WHERE admin_id = ? AND name = 'audit_seq'",
                    &[w.admin.0.into()],
                )?;
                for (i, e) in old.iter().enumerate() {
                    let mut entry: AuditEntry = e.entry.clone();
                    if i == 1 {
                        entry.actor = "qualcun-altro".into();
                    }
                    audit::append(tx, w.admin.0, e.at, &entry)?;
                }
                Ok::<_, piazza_store::StoreError>(())
            })
            .unwrap();
        assert!(w.desk.verify_audit(w.admin).unwrap().is_intact());
        assert_eq!(w.desk.audit_last_seq(w.admin).unwrap(), old.len() as i64);
        let found = problems(&w, &c, None);
        assert_eq!(found.len(), 1, "{}: {found:?}", w.store.label);
        match &found[0] {
            CheckpointProblem::HashDiffers { seq, signed, found } => {
                assert_eq!(*seq, c.seq);
                assert_eq!(signed, &c.head_hash);
                assert_ne!(found, &c.head_hash);
            }
            other => panic!("{}: {other:?}", w.store.label),
        }
    }
}

#[test]
fn a_forged_checkpoint_or_another_key_is_refused() {
    for store in test_stores("checkpoint_forged") {
        let w = world(store);
        let c = w.desk.sign_checkpoint(w.admin, &key(), "cli").unwrap();
        let lowered = Checkpoint {
            seq: c.seq - 1,
            ..c.clone()
        };
        assert!(matches!(
            problems(&w, &lowered, None).first(),
            Some(CheckpointProblem::BadSignature { .. })
        ));
        // Re-signed by someone else: valid on its own, but not the key the
        // administration published.
        let other = SigningKeyFile::from_seed([12u8; 32]);
        let by_other = w.desk.sign_checkpoint(w.admin, &other, "cli").unwrap();
        assert!(problems(&w, &by_other, None).is_empty());
        assert_eq!(
            problems(&w, &by_other, Some(&key().public_hex())),
            vec![CheckpointProblem::UnexpectedKey {
                expected: key().public_hex(),
                found: other.public_hex(),
            }]
        );
        let elsewhere = Checkpoint {
            ente: "altrove".into(),
            ..c.clone()
        };
        let found = problems(&w, &elsewhere, None);
        assert!(matches!(found[0], CheckpointProblem::BadSignature { .. }));
        assert!(matches!(
            found[1],
            CheckpointProblem::UnknownAdministration { .. }
        ));
    }
}

#[test]
fn checkpoints_are_due_once_a_day_and_never_over_a_broken_chain() {
    for store in test_stores("checkpoint_daily") {
        let w = world(store);
        let first = w
            .desk
            .sign_checkpoint_if_due(w.admin, &key(), CHECKPOINT_EVERY_MS)
            .unwrap();
        assert!(first.is_some(), "{}", w.store.label);
        w.clock.fetch_add(CHECKPOINT_EVERY_MS - 1, Ordering::SeqCst);
        assert_eq!(
            w.desk
                .sign_checkpoint_if_due(w.admin, &key(), CHECKPOINT_EVERY_MS)
                .unwrap(),
            None
        );
        w.clock.fetch_add(1, Ordering::SeqCst);
        assert!(
            w.desk
                .sign_checkpoint_if_due(w.admin, &key(), CHECKPOINT_EVERY_MS)
                .unwrap()
                .is_some()
        );
        assert_eq!(w.desk.audit_checkpoints(w.admin, 10).unwrap().len(), 2);

        w.store
            .write(|tx| {
                tx.execute(
                    "UPDATE audit_log SET actor = 'altro' WHERE admin_id = ? AND seq = 2",
                    &[w.admin.0.into()],
                )
            })
            .unwrap();
        let err = w.desk.sign_checkpoint(w.admin, &key(), "cli").unwrap_err();
        assert!(err.message_it().contains("non è integro"), "{err}");
        assert_eq!(w.desk.audit_checkpoints(w.admin, 10).unwrap().len(), 2);
    }
}
