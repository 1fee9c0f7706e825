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

fn new_admin_row(slug: &str, name: &str) -> Vec<Value> {
    vec![slug.into(), name.into(), "comune".into(), 0i64.into()]
}

const ADMIN_COLUMNS: &[&str] = &["slug", "name", "kind", "created_at"];

#[test]
fn bulk_inserts_keep_every_character_and_give_each_row_its_id() {
    for s in test_stores("bulk") {
        admin(&s, "prima");
        let names = [
            "Comune di A\tB",
            "Riga\nnuova \\N e \\ barra",
            "Città d'Ìtalia",
        ];
        let ids = s
            .write(|tx| {
                tx.bulk_insert_with_new_ids(
                    "administrations",
                    ADMIN_COLUMNS,
                    names
                        .iter()
                        .enumerate()
                        .map(|(i, n)| new_admin_row(&format!("ente-{i}"), n))
                        .collect(),
                )
            })
            .unwrap()
            .expect("no collision");
        assert_eq!(ids.len(), 3, "{}", s.label);
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "{}: {ids:?}", s.label);
        for (i, (id, name)) in ids.iter().zip(names).enumerate() {
            let row = s
                .read(|tx| {
                    tx.query_one(
                        "SELECT slug, name FROM administrations WHERE id = ?",
                        &[(*id).into()],
                    )
                })
                .unwrap();
            assert_eq!(row.text(0).unwrap(), format!("ente-{i}"), "{}", s.label);
            assert_eq!(row.text(1).unwrap(), name, "{}", s.label);
        }
        // A row inserted the ordinary way afterwards takes a fresh id.
        let next = admin(&s, "dopo");
        assert!(next > ids[2], "{}", s.label);
    }
}

#[test]
fn a_bulk_insert_that_collides_writes_nothing_and_the_transaction_goes_on() {
    for s in test_stores("bulk_collide") {
        admin(&s, "esistente");
        let (outcome, later) = s
            .write(|tx| {
                let outcome = tx.bulk_insert_with_new_ids(
                    "administrations",
                    ADMIN_COLUMNS,
                    vec![
                        new_admin_row("nuovo-1", "Nuovo"),
                        new_admin_row("esistente", "Doppio"),
                        new_admin_row("nuovo-2", "Nuovo"),
                    ],
                )?;
                let later = tx.insert(
                    "INSERT INTO administrations (slug, name, kind, created_at) VALUES (?, ?, ?, ?) RETURNING id",
                    &new_admin_row("nuovo-3", "Dopo il conflitto"),
                )?;
                Ok::<_, StoreError>((outcome, later))
            })
            .unwrap();
        assert_eq!(outcome, None, "{}", s.label);
        let slugs: Vec<String> = s
            .read(|tx| tx.query("SELECT slug FROM administrations ORDER BY slug", &[]))
            .unwrap()
            .iter()
            .map(|r| r.text(0).unwrap())
            .collect();
        assert_eq!(slugs, ["esistente", "nuovo-3"], "{}", s.label);
        assert!(later > 0);
    }
}

/// An administration with an account and a policy version: what a comment
/// names.
fn comment_parents(store: &Store, slug: &str) -> (i64, i64, i64) {
    let admin_id = admin(store, slug);
    store
        .write(|tx| {
            let account = tx.insert(
                "INSERT INTO accounts (admin_id, platform, name, kind, status, created_at) VALUES (?, 'facebook', 'Pagina', 'main', 'active', 0) RETURNING id",
                &[admin_id.into()],
            )?;
            let policy = tx.insert(
                "INSERT INTO policy_versions (admin_id, version_label, source_label, toml, sha256, activated_at) VALUES (?, '1', 'prova', '', '', 0) RETURNING id",
                &[admin_id.into()],
            )?;
            Ok::<_, StoreError>((admin_id, account, policy))
        })
        .unwrap()
}

fn comment_row(admin_id: i64, account: i64, policy: i64, ext: &str) -> Vec<Value> {
    vec![
        admin_id.into(),
        account.into(),
        "facebook".into(),
        ext.into(),
        "testo".into(),
        "hash".into(),
        0i64.into(),
        0i64.into(),
        "new".into(),
        policy.into(),
    ]
}

const COMMENT_COLUMNS: &[&str] = &[
    "admin_id",
    "account_id",
    "platform",
    "external_id",
    "text",
    "text_sha256",
    "created_at",
    "ingested_at",
    "state",
    "policy_version_id",
];

const FINDING_COLUMNS: &[&str] = &[
    "admin_id",
    "comment_id",
    "revision",
    "policy_version_id",
    "score",
    "flagged",
    "explanation",
];

fn refused_as_a_missing_reference(label: &str, what: &str, r: Result<(), StoreError>) {
    match r {
        Err(StoreError::Database(m)) => assert!(
            m.contains("23503") || m.contains("FOREIGN KEY"),
            "{label}: {what}: {m}"
        ),
        other => panic!("{label}: {what} was not refused: {other:?}"),
    }
}

// On PostgreSQL the references of comments, revisions and findings are
// checked as sets by triggers (migration 0016) rather than declared keys;
// the rules must be the same as SQLite's declared keys.
#[test]
fn comments_revisions_and_findings_refuse_missing_references_on_every_backend() {
    for s in test_stores("references") {
        let (admin_id, account, policy) = comment_parents(&s, "riferimenti");
        let comment = s
            .write(|tx| {
                Ok::<_, StoreError>(
                    tx.bulk_insert_with_new_ids(
                        "comments",
                        COMMENT_COLUMNS,
                        vec![comment_row(admin_id, account, policy, "c1")],
                    )?
                    .unwrap()[0],
                )
            })
            .unwrap();
        let finding = |comment: i64, policy: i64| -> Vec<Value> {
            vec![
                admin_id.into(),
                comment.into(),
                1i64.into(),
                policy.into(),
                0.5f64.into(),
                false.into(),
                "spiegazione".into(),
            ]
        };
        // Good rows go in, in bulk and one by one.
        s.write(|tx| {
            tx.bulk_insert(
                "findings",
                FINDING_COLUMNS,
                &[finding(comment, policy), finding(comment, policy)],
            )?;
            tx.execute(
                "INSERT INTO comment_revisions (admin_id, comment_id, revision, text, text_sha256, seen_at) VALUES (?, ?, 1, 'testo', 'hash', 0)",
                &[admin_id.into(), comment.into()],
            )
            .map(|_| ())
        })
        .unwrap();
        let l = s.label;
        refused_as_a_missing_reference(
            l,
            "a finding of a missing comment among good ones",
            s.write(|tx| {
                tx.bulk_insert(
                    "findings",
                    FINDING_COLUMNS,
                    &[finding(comment, policy), finding(comment + 1000, policy)],
                )
            }),
        );
        refused_as_a_missing_reference(
            l,
            "a finding of a missing policy version",
            s.write(|tx| {
                tx.bulk_insert(
                    "findings",
                    FINDING_COLUMNS,
                    &[finding(comment, policy + 1000)],
                )
            }),
        );
        refused_as_a_missing_reference(
            l,
            "a revision of a missing comment",
            s.write(|tx| {
                tx.execute(
                    "INSERT INTO comment_revisions (admin_id, comment_id, revision, text, text_sha256, seen_at) VALUES (?, ?, 1, 'testo', 'hash', 0)",
                    &[admin_id.into(), (comment + 1000).into()],
                )
                .map(|_| ())
            }),
        );
        refused_as_a_missing_reference(
            l,
            "a comment of a missing account",
            s.write(|tx| {
                tx.bulk_insert(
                    "comments",
                    COMMENT_COLUMNS,
                    &[comment_row(admin_id, account + 1000, policy, "c2")],
                )
            }),
        );
        refused_as_a_missing_reference(
            l,
            "a comment moved to a missing policy version",
            s.write(|tx| {
                tx.execute(
                    "UPDATE comments SET policy_version_id = ? WHERE id = ?",
                    &[(policy + 1000).into(), comment.into()],
                )
                .map(|_| ())
            }),
        );
        refused_as_a_missing_reference(
            l,
            "deleting a comment that has findings",
            s.write(|tx| {
                tx.execute("DELETE FROM comments WHERE id = ?", &[comment.into()])
                    .map(|_| ())
            }),
        );
        refused_as_a_missing_reference(
            l,
            "deleting the policy version findings name",
            s.write(|tx| {
                tx.execute("DELETE FROM policy_versions WHERE id = ?", &[policy.into()])
                    .map(|_| ())
            }),
        );
        // Nothing of the refused statements stayed; an ordinary update
        // passes.
        let (findings, revisions) = s
            .write(|tx| {
                tx.execute(
                    "UPDATE comments SET state = 'resolved' WHERE id = ?",
                    &[comment.into()],
                )?;
                Ok::<_, StoreError>((
                    tx.query_one("SELECT COUNT(*) FROM findings", &[])?.int(0)?,
                    tx.query_one("SELECT COUNT(*) FROM comment_revisions", &[])?
                        .int(0)?,
                ))
            })
            .unwrap();
        assert_eq!((findings, revisions), (2, 1), "{l}");
    }
}

/// The test server's URL and CA file (`scripts/pg-start` makes both), or
/// `None` when PostgreSQL is not part of this run.
fn postgres_with_tls() -> Option<(String, String)> {
    let required = std::env::var("PIAZZA_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
    let url = std::env::var("PIAZZA_TEST_POSTGRES_URL").unwrap_or_default();
    let ca = std::env::var("PIAZZA_TEST_POSTGRES_CA_FILE").unwrap_or_default();
    if url.is_empty() || ca.is_empty() {
        assert!(
            !required,
            "PIAZZA_REQUIRE_POSTGRES=1 but PIAZZA_TEST_POSTGRES_URL or PIAZZA_TEST_POSTGRES_CA_FILE is not set (scripts/pg-start prints both)"
        );
        eprintln!("SKIP PostgreSQL TLS: no test server with a CA file");
        return None;
    }
    Some((url, ca))
}

#[test]
fn a_postgres_connection_asked_to_use_tls_is_encrypted_and_verifies_the_server() {
    let Some((url, ca)) = postgres_with_tls() else {
        return;
    };
    let sep = if url.contains('?') { '&' } else { '?' };
    let ssl_of = |store: &Store| -> bool {
        store
            .read(|tx| {
                tx.query_one(
                    "SELECT CAST(ssl AS INTEGER) FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                    &[],
                )?
                .int(0)
            })
            .unwrap()
            == 1
    };
    // Verified against the test CA: encrypted.
    let verified = Store::open(&format!("{url}{sep}sslmode=verify-full&sslrootcert={ca}")).unwrap();
    assert!(ssl_of(&verified), "the connection is not encrypted");
    // Without TLS asked for, the same server is reached in the clear, as
    // before (loopback).
    assert!(!ssl_of(&Store::open(&url).unwrap()));
    // `require` verifies too: the test CA is not among the public roots,
    // so the certificate is refused rather than trusted blindly.
    let Err(e) = Store::open(&format!("{url}{sep}sslmode=require")) else {
        panic!("an unverifiable certificate was accepted");
    };
    let message = e.to_string().to_lowercase();
    assert!(
        message.contains("certificate") || message.contains("issuer"),
        "{e}"
    );
}

/// On PostgreSQL a read sends no `BEGIN` until it sets something for its
/// own duration, and hands its connection back outside any transaction,
/// whether it ends well or fails.
#[test]
fn a_postgres_read_opens_a_transaction_only_to_set_something_and_never_leaves_one_open() {
    for s in test_stores("read_tx") {
        if s.kind() != piazza_store::BackendKind::Postgres {
            continue;
        }
        let setting = |tx: &mut piazza_store::Tx<'_>| -> Result<String, StoreError> {
            tx.query_one("SELECT current_setting('plan_cache_mode')", &[])?
                .text(0)
        };
        // Each statement alone: the second starts its own transaction.
        let alone = s
            .read(|tx| {
                tx.execute("SELECT pg_sleep(0.02)", &[])?;
                tx.query_one(
                    "SELECT statement_timestamp() - transaction_timestamp() < interval '10 ms'",
                    &[],
                )?
                .int(0)
            })
            .unwrap();
        assert_eq!(alone, 1, "a plain read ran inside a transaction");
        // A `SET LOCAL` holds for the rest of the read, and for no other.
        let inside = s
            .read(|tx| {
                tx.batch("SET LOCAL plan_cache_mode = force_generic_plan")?;
                tx.execute("SELECT pg_sleep(0.02)", &[])?;
                let same = tx
                    .query_one(
                        "SELECT statement_timestamp() - transaction_timestamp() >= interval '20 ms'",
                        &[],
                    )?
                    .int(0)?;
                Ok::<_, StoreError>((setting(tx)?, same))
            })
            .unwrap();
        assert_eq!(inside, ("force_generic_plan".to_string(), 1));
        assert_eq!(s.read(setting).unwrap(), "auto");
        // A read that fails inside its transaction gives its connection
        // back usable: not stuck in an aborted transaction.
        let failed: Result<(), StoreError> = s.read(|tx| {
            tx.batch("SET LOCAL plan_cache_mode = force_generic_plan")?;
            tx.query("SELECT no_such_column FROM administrations", &[])?;
            Ok(())
        });
        assert!(failed.is_err());
        for _ in 0..3 {
            assert_eq!(s.read(setting).unwrap(), "auto");
            s.read(|tx| tx.query_one("SELECT COUNT(*) FROM administrations", &[]))
                .unwrap();
        }
    }
}
