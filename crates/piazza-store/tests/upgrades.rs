//! Upgrades: a database left at every schema version of the project's
//! history, with data in it, is brought to the current schema by opening
//! it, on SQLite and PostgreSQL. The result must have the schema of a fresh
//! database (tables, columns and indexes, by name) and keep its data and
//! an intact audit chain. No version has been tagged yet: every version is
//! one some deployment may be running.

use std::collections::BTreeSet;

use piazza_store::audit::{self, AuditEntry};
use piazza_store::testing::blank_databases;
use piazza_store::{BackendKind, Store, schema_versions, schema_versions_changing};

/// Every table's columns, every index, every foreign key and trigger, by
/// name.
fn schema(store: &Store) -> BTreeSet<String> {
    store
        .read(|tx| {
            let mut out = BTreeSet::new();
            match tx.kind() {
                BackendKind::Sqlite => {
                    let tables: Vec<(String, String)> = tx
                        .query(
                            "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%'",
                            &[],
                        )?
                        .iter()
                        .map(|r| Ok((r.text(0)?, r.text(1)?)))
                        .collect::<piazza_store::Result<_>>()?;
                    for (kind, name) in tables {
                        if kind == "index" {
                            out.insert(format!("index {name}"));
                            continue;
                        }
                        for c in tx.query(&format!("PRAGMA table_info({name})"), &[])? {
                            out.insert(format!("{name}.{}", c.text(1)?));
                        }
                        for k in tx.query(&format!("PRAGMA foreign_key_list({name})"), &[])? {
                            out.insert(format!(
                                "reference {name}.{} -> {}",
                                k.text(3)?,
                                k.text(2)?
                            ));
                        }
                    }
                }
                BackendKind::Postgres => {
                    for r in tx.query(
                        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()",
                        &[],
                    )? {
                        out.insert(format!("{}.{}", r.text(0)?, r.text(1)?));
                    }
                    for r in tx.query(
                        "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()",
                        &[],
                    )? {
                        out.insert(format!("index {}", r.text(0)?));
                    }
                    for r in tx.query(
                        "SELECT c.conrelid::regclass::text, pg_get_constraintdef(c.oid) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = current_schema() AND c.contype = 'f'",
                        &[],
                    )? {
                        out.insert(format!("reference {} {}", r.text(0)?, r.text(1)?));
                    }
                    for r in tx.query(
                        "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND NOT t.tgisinternal",
                        &[],
                    )? {
                        out.insert(format!("trigger {}", r.text(0)?));
                    }
                }
            }
            Ok::<_, piazza_store::StoreError>(out)
        })
        .unwrap()
}

/// Data every version of the schema holds (the tables of version 1): an
/// administration, an account and three audit entries.
fn fill(store: &Store) -> i64 {
    let admin = store
        .write(|tx| {
            let id = tx.insert(
                "INSERT INTO administrations (slug, name, kind, created_at) VALUES (?, ?, ?, ?) RETURNING id",
                &["prova".into(), "Comune di Prova".into(), "comune".into(), 0i64.into()],
            )?;
            tx.insert(
                "INSERT INTO accounts (admin_id, platform, name, kind, status, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                &[id.into(), "facebook".into(), "Comune di Prova".into(), "istituzionale".into(), "active".into(), 0i64.into()],
            )?;
            Ok::<_, piazza_store::StoreError>(id)
        })
        .unwrap();
    for i in 0..3 {
        store
            .write(|tx| {
                audit::append(
                    tx,
                    admin,
                    1_000 + i,
                    &AuditEntry::new("cli", "account.add", "account", i).reason("prova"),
                )
            })
            .unwrap();
    }
    admin
}

#[test]
fn a_database_at_every_schema_version_upgrades_to_the_current_schema() {
    let versions = schema_versions();
    assert!(versions.len() >= 14, "{versions:?}");
    let fresh: Vec<(&'static str, BTreeSet<String>)> = blank_databases("upgrade_fresh")
        .iter()
        .map(|db| (db.label, schema(&Store::open(&db.url).unwrap())))
        .collect();
    // Every prefix of the list, and the shape `main` shipped for a while:
    // migration 15 applied without 14, which landed after it.
    let mut shapes: Vec<(String, Vec<u32>)> = versions
        .iter()
        .map(|&v| {
            (
                v.to_string(),
                versions.iter().copied().filter(|&w| w <= v).collect(),
            )
        })
        .collect();
    shapes.push((
        "13+15".to_string(),
        versions.iter().copied().filter(|&w| w != 14).collect(),
    ));
    for (v, applied) in &shapes {
        for db in blank_databases(&format!("upgrade_from_{}", v.replace('+', "_"))) {
            let old = Store::open_with_schema_versions(&db.url, applied).unwrap();
            let at_v = schema(&old);
            let admin = fill(&old);
            drop(old);
            let store = Store::open(&db.url)
                .unwrap_or_else(|e| panic!("{} from version {v}: {e}", db.label));
            let want = &fresh.iter().find(|(l, _)| *l == db.label).unwrap().1;
            let got = schema(&store);
            assert_eq!(
                got.symmetric_difference(want).collect::<Vec<_>>(),
                Vec::<&String>::new(),
                "{} upgraded from version {v} differs from a fresh database",
                db.label
            );
            let kind = store.kind();
            if schema_versions_changing(kind)
                .iter()
                .any(|w| !applied.contains(w))
            {
                assert!(
                    at_v != *want,
                    "{} version {v} is already the current schema",
                    db.label
                );
            }
            let (verification, accounts) = store
                .read(|tx| {
                    Ok::<_, piazza_store::StoreError>((
                        audit::verify(tx, admin)?,
                        tx.query_one("SELECT COUNT(*) FROM accounts", &[])?.int(0)?,
                    ))
                })
                .unwrap();
            assert!(
                verification.is_intact(),
                "{} from {v}: {verification:?}",
                db.label
            );
            assert_eq!(verification.entries, 3);
            assert_eq!(accounts, 1);
        }
    }
}
