//! The store on every backend: migrations, transactions, the audit chain.

use piazza_store::audit::{self, AuditEntry, ChainBreak};
use piazza_store::testing::test_stores;
use piazza_store::{Store, StoreError, Value};

fn admin(store: &Store, slug: &str) -> i64 {
    store
        .write(|tx| {
            tx.insert(
                "INSERT INTO administrations (slug, name, kind, created_at) VALUES (?, ?, ?, ?) RETURNING id",
                &[slug.into(), "Comune di Prova".into(), "comune".into(), 0i64.into()],
            )
        })
        .unwrap()
}

fn log(store: &Store, admin_id: i64, n: i64) {
    for i in 0..n {
        store
            .write(|tx| {
                audit::append(
                    tx,
                    admin_id,
                    1_000 + i,
                    &AuditEntry::new("staff:1", "action.hide", "comment", i)
                        .reason("insulto")
                        .clauses(&[2])
                        .policy_version("1.1"),
                )
            })
            .unwrap();
    }
}

#[test]
fn migrations_are_idempotent_and_reopen_keeps_data() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open_data_dir(dir.path()).unwrap();
    admin(&s, "prova");
    drop(s);
    let s = Store::open_data_dir(dir.path()).unwrap();
    let n = s
        .read(|tx| {
            tx.query_one("SELECT COUNT(*) FROM administrations", &[])?
                .int(0)
        })
        .unwrap();
    assert_eq!(n, 1);
    assert!(dir.path().join("piazza.sqlite3").exists());
}

#[test]
fn a_failed_transaction_leaves_nothing_behind() {
    for s in test_stores("rollback") {
        let r: Result<(), StoreError> = s.write(|tx| {
            tx.execute(
                "INSERT INTO administrations (slug, name, kind, created_at) VALUES (?, ?, ?, ?)",
                &["a".into(), "A".into(), "comune".into(), 0i64.into()],
            )?;
            // The same slug again violates UNIQUE: the whole transaction rolls back.
            tx.execute(
                "INSERT INTO administrations (slug, name, kind, created_at) VALUES (?, ?, ?, ?)",
                &["a".into(), "A".into(), "comune".into(), 0i64.into()],
            )?;
            Ok(())
        });
        assert!(
            matches!(r, Err(StoreError::Duplicate(_))),
            "{}: {r:?}",
            s.label
        );
        let n = s
            .read(|tx| {
                tx.query_one("SELECT COUNT(*) FROM administrations", &[])?
                    .int(0)
            })
            .unwrap();
        assert_eq!(n, 0, "{}", s.label);
    }
}

#[test]
fn values_round_trip_on_every_backend() {
    for s in test_stores("values") {
        let id = admin(&s, "valori");
        let row = s
            .write(|tx| {
                tx.execute(
                    "INSERT INTO counters (admin_id, name, value) VALUES (?, ?, ?)",
                    &[id.into(), "x".into(), i64::MAX.into()],
                )?;
                tx.query_one(
                    "SELECT value, name, NULL FROM counters WHERE admin_id = ? AND name = ?",
                    &[id.into(), Value::Text("x".into())],
                )
            })
            .unwrap();
        assert_eq!(row.int(0).unwrap(), i64::MAX, "{}", s.label);
        assert_eq!(row.text(1).unwrap(), "x");
        assert_eq!(row.opt_int(2).unwrap(), None);
    }
}

#[test]
fn an_intact_chain_verifies() {
    for s in test_stores("chain_ok") {
        let a = admin(&s, "a");
        let b = admin(&s, "b");
        log(&s, a, 5);
        log(&s, b, 2);
        let v = s.read(|tx| audit::verify(tx, a)).unwrap();
        assert!(v.is_intact(), "{}: {:?}", s.label, v.problems);
        assert_eq!(v.entries, 5);
        assert_eq!(v.head_hash.as_ref().unwrap().len(), 64);
        let v = s.read(|tx| audit::verify(tx, b)).unwrap();
        assert_eq!(v.entries, 2, "chains are per administration");
    }
}

#[test]
fn an_altered_entry_is_named() {
    for s in test_stores("chain_edit") {
        let a = admin(&s, "a");
        log(&s, a, 5);
        s.write(|tx| {
            tx.execute(
                "UPDATE audit_log SET reason = 'nessun motivo' WHERE admin_id = ? AND seq = 3",
                &[a.into()],
            )
        })
        .unwrap();
        let v = s.read(|tx| audit::verify(tx, a)).unwrap();
        assert!(
            matches!(v.problems.as_slice(), [ChainBreak::Altered { seq: 3, .. }]),
            "{}: {:?}",
            s.label,
            v.problems
        );
        assert!(v.problems[0].to_string().contains("entry #3"));
    }
}

#[test]
fn a_deleted_entry_is_named() {
    for s in test_stores("chain_delete") {
        let a = admin(&s, "a");
        log(&s, a, 5);
        s.write(|tx| {
            tx.execute(
                "DELETE FROM audit_log WHERE admin_id = ? AND seq = 2",
                &[a.into()],
            )
        })
        .unwrap();
        let v = s.read(|tx| audit::verify(tx, a)).unwrap();
        assert!(
            matches!(
                v.problems.as_slice(),
                [ChainBreak::Missing {
                    expected_seq: 2,
                    found_seq: 3,
                    ..
                }]
            ),
            "{}: {:?}",
            s.label,
            v.problems
        );
        // Deleting the newest entry is caught by the recorded count.
        s.write(|tx| {
            tx.execute(
                "DELETE FROM audit_log WHERE admin_id = ? AND seq = 5",
                &[a.into()],
            )
        })
        .unwrap();
        let v = s.read(|tx| audit::verify(tx, a)).unwrap();
        assert!(
            v.problems.contains(&ChainBreak::Truncated {
                last_seq: 4,
                recorded_seq: 5
            }),
            "{}: {:?}",
            s.label,
            v.problems
        );
    }
}

#[test]
fn reordered_entries_are_named() {
    for s in test_stores("chain_reorder") {
        let a = admin(&s, "a");
        log(&s, a, 5);
        // Swap the contents of entries 2 and 3 (ids stay in place).
        s.write(|tx| {
            let rows = tx.query(
                "SELECT id, seq, at, actor, kind, target_type, target_id, reason, clauses, policy_version, payload, prev_hash, hash FROM audit_log WHERE admin_id = ? AND seq IN (2, 3) ORDER BY seq",
                &[a.into()],
            )?;
            tx.execute("DELETE FROM audit_log WHERE admin_id = ? AND seq IN (2, 3)", &[a.into()])?;
            for (row, id) in [(&rows[1], rows[0].int(0)?), (&rows[0], rows[1].int(0)?)] {
                let mut params: Vec<Value> = vec![id.into(), a.into()];
                for i in 1..13 {
                    params.push(row.get(i).cloned().unwrap());
                }
                tx.execute(
                    "INSERT INTO audit_log (id, admin_id, seq, at, actor, kind, target_type, target_id, reason, clauses, policy_version, payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    &params,
                )?;
            }
            Ok::<_, piazza_store::StoreError>(())
        })
        .unwrap();
        let v = s.read(|tx| audit::verify(tx, a)).unwrap();
        assert!(!v.is_intact(), "{}", s.label);
        assert!(
            v.problems.iter().any(|p| matches!(
                p,
                ChainBreak::Missing {
                    expected_seq: 2,
                    found_seq: 3,
                    ..
                }
            ) || matches!(p, ChainBreak::Reordered { seq: 2, .. })),
            "{}: {:?}",
            s.label,
            v.problems
        );
        assert!(
            v.problems.iter().any(|p| matches!(
                p,
                ChainBreak::Reordered {
                    seq: 2,
                    after_seq: 3,
                    ..
                }
            )),
            "{}: {:?}",
            s.label,
            v.problems
        );
    }
}

#[test]
fn a_backend_that_is_not_a_database_url_is_refused() {
    let e = Store::open("mongodb://x").unwrap_err();
    assert!(
        e.to_string()
            .contains("expected sqlite:PATH or postgres://"),
        "{e}"
    );
}

#[test]
fn concurrent_writers_all_commit_and_the_audit_chain_stays_whole() {
    for s in test_stores("writers") {
        let admin_id = admin(&s, "concorrenza");
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let s = s.clone();
                std::thread::spawn(move || {
                    for i in 0..25 {
                        s.write(|tx| {
                            audit::append(
                                tx,
                                admin_id,
                                1_000 + i,
                                &AuditEntry::new(format!("staff:{t}"), "action.keep", "comment", i),
                            )
                        })
                        .unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let report = s.read(|tx| audit::verify(tx, admin_id)).unwrap();
        assert_eq!(report.entries, 200, "{}", s.label);
        assert!(report.problems.is_empty(), "{:?}", report.problems);
    }
}

#[test]
fn a_read_only_store_reads_and_refuses_every_write() {
    let dir = tempfile::tempdir().unwrap();
    let missing = Store::open_data_dir_read_only(&dir.path().join("nessuno")).unwrap_err();
    assert!(
        matches!(missing, StoreError::DataDir { .. }),
        "nothing is created: {missing}"
    );
    assert!(!dir.path().join("nessuno").exists());
    let rw = Store::open_data_dir(dir.path()).unwrap();
    let a = admin(&rw, "sola-lettura");
    log(&rw, a, 3);
    let ro = Store::open_data_dir_read_only(dir.path()).unwrap();
    assert!(ro.is_read_only());
    let v = ro.read(|tx| audit::verify(tx, a)).unwrap();
    assert!(v.is_intact());
    assert_eq!(v.entries, 3);
    let e = ro
        .write(|tx| tx.execute("DELETE FROM audit_log", &[]))
        .unwrap_err();
    assert!(
        matches!(
            e,
            StoreError::Unavailable {
                reason: piazza_store::Unavailability::ReadOnly,
                ..
            }
        ),
        "{e}"
    );
    // Not even a statement that slips through a read can write: SQLite
    // itself is in query-only mode.
    let sneaky = ro
        .read(|tx| tx.execute("DELETE FROM audit_log", &[]))
        .unwrap_err();
    assert!(
        matches!(
            sneaky,
            StoreError::Unavailable { .. } | StoreError::Database(_)
        ),
        "{sneaky}"
    );
    assert_eq!(
        rw.read(|tx| audit::verify(tx, a)).unwrap().entries,
        3,
        "nothing was deleted"
    );
    // A schema older than this build cannot be read without migrating.
    rw.write(|tx| {
        tx.execute(
            "DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)",
            &[],
        )
    })
    .unwrap();
    let old = Store::open_data_dir_read_only(dir.path()).unwrap_err();
    assert!(
        old.to_string().contains("open it once with write access"),
        "{old}"
    );
}
