//! Signed checkpoints, backups and restores from the command line, with
//! the real binary: checkpoints on SQLite and PostgreSQL catch a log cut
//! below them (counter lowered too), a log rewritten from genesis with its
//! length, and a tampered checkpoint file; a backup taken while another
//! writer works restores with the same entries; a restore never replaces
//! an existing database without --force, nor with a damaged copy.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

mod common;
use common::{Env, envs, stderr, stdout};

use piazza_store::audit::{self, AuditEntry};

/// An administration, a signing key and a checkpoint file of it.
fn signed(env: &Env) -> (String, String) {
    env.ok(&["admin", "add", "--preset", "cento"]);
    let key = env.dir.path().join("firma.key");
    let public = env.ok(&["audit", "keygen", "--out", key.to_str().unwrap()]);
    let public = public.trim().to_string();
    assert_eq!(public.len(), 64, "{public}");
    let file = env.dir.path().join("verifica.json");
    env.ok(&[
        "audit",
        "checkpoint",
        "--key",
        key.to_str().unwrap(),
        "--out",
        file.to_str().unwrap(),
    ]);
    (public, file.to_str().unwrap().to_string())
}

fn store(env: &Env) -> piazza_store::Store {
    piazza_store::Store::open(&env.url).unwrap()
}

/// `piazza audit verify --checkpoint FILE --public-key KEY`.
fn verify_against(env: &Env, file: &str, public_key: &str) -> std::process::Output {
    env.run(&[
        "audit",
        "verify",
        "--checkpoint",
        file,
        "--public-key",
        public_key,
    ])
}

fn checkpoint_seq(file: &str) -> i64 {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    v["checkpoints"][0]["seq"].as_i64().unwrap()
}

#[test]
fn a_checkpoint_verifies_and_names_the_key_that_signed_it() {
    for env in envs("cp_ok") {
        let (public, file) = signed(&env);
        let out = env.ok(&[
            "audit",
            "verify",
            "--checkpoint",
            &file,
            "--public-key",
            &public,
        ]);
        assert!(out.contains("verifica firmata confermata"), "{out}");
        assert!(out.contains(&public), "{out}");
        // The log records the checkpoint, after the head it signed.
        let log = env.ok(&["audit", "log", "--limit", "1"]);
        assert!(log.contains("audit.checkpoint"), "{log}");
        // Another published key: refused, both keys named.
        let other = "ab".repeat(32);
        let o = verify_against(&env, &file, &other);
        assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
        assert!(stdout(&o).contains(&other) && stdout(&o).contains(&public));
    }
}

#[test]
fn a_tampered_checkpoint_file_is_refused() {
    for env in envs("cp_tampered") {
        let (_, file) = signed(&env);
        let seq = checkpoint_seq(&file);
        let text = std::fs::read_to_string(&file).unwrap();
        let forged = text.replace(&format!("\"seq\": {seq}"), &format!("\"seq\": {}", seq - 1));
        assert_ne!(forged, text);
        std::fs::write(&file, forged).unwrap();
        let o = env.run(&["audit", "verify", "--checkpoint", &file]);
        assert_eq!(o.status.code(), Some(1));
        assert!(
            stdout(&o).contains("VERIFICA NON SUPERATA"),
            "{}",
            stdout(&o)
        );
        assert!(
            stdout(&o).contains("la firma non corrisponde"),
            "{}",
            stdout(&o)
        );
    }
}

#[test]
fn a_log_cut_below_the_checkpoint_with_its_counter_fails_verification() {
    for env in envs("cp_cut") {
        let (public, file) = signed(&env);
        let seq = checkpoint_seq(&file);
        store(&env)
            .write(|tx| {
                tx.execute("DELETE FROM audit_log WHERE seq > ?", &[(seq - 3).into()])?;
                tx.execute(
                    "UPDATE counters SET value = ? WHERE name = 'audit_seq'",
                    &[(seq - 3).into()],
                )
            })
            .unwrap();
        // The chain alone looks intact; the checkpoint does not.
        env.ok(&["audit", "verify"]);
        let o = verify_against(&env, &file, &public);
        assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
        let out = stdout(&o);
        assert!(out.contains(&format!("copre {seq} voci")), "{out}");
        assert!(out.contains("cancellate"), "{out}");
    }
}

#[test]
fn a_log_rewritten_from_genesis_fails_verification() {
    for env in envs("cp_rewrite") {
        let (public, file) = signed(&env);
        let s = store(&env);
        let admin = s
            .read(|tx| tx.query_one("SELECT id FROM administrations", &[])?.int(0))
            .unwrap();
        let old = s.read(|tx| audit::entries(tx, admin, 0, 10_000)).unwrap();
        s.write(|tx| {
            tx.execute("DELETE FROM audit_log WHERE admin_id = ?", &[admin.into()])?;
            tx.execute("DELETE FROM counters WHERE name = 'audit_seq'", &[])?;
            for (i, e) in old.iter().enumerate() {
                let mut entry: AuditEntry = e.entry.clone();
                if i == 0 {
                    entry.actor = "qualcun-altro".into();
                }
                audit::append(tx, admin, e.at, &entry)?;
            }
            Ok::<_, piazza_store::StoreError>(())
        })
        .unwrap();
        drop(s);
        let v = env.json(&["audit", "verify"]);
        assert_eq!(v["entries"].as_i64(), Some(old.len() as i64));
        let o = verify_against(&env, &file, &public);
        assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
        assert!(stdout(&o).contains("è stato riscritto"), "{}", stdout(&o));
    }
}

/// The SQLite environment only (backups are for SQLite).
fn sqlite_env(name: &str) -> Env {
    envs(name).into_iter().next().unwrap()
}

fn entries_of(report: &serde_json::Value) -> i64 {
    report["administrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["entries"].as_i64().unwrap())
        .sum()
}

#[test]
fn a_backup_taken_while_another_writer_works_restores_the_same_entries() {
    let env = sqlite_env("backup_live");
    env.ok(&["admin", "add", "--preset", "cento"]);
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let stop = stop.clone();
        let url = env.url.clone();
        std::thread::spawn(move || {
            let desk = piazza_desk::Desk::open(&url).unwrap();
            let admin = desk.administrations().unwrap()[0].id;
            let key = piazza_desk::SigningKeyFile::from_seed([8u8; 32]);
            let mut written = 0;
            // At least a few entries, then on until the backups are done.
            while written < 5 || !stop.load(Ordering::SeqCst) {
                desk.sign_checkpoint(admin, &key, "test").unwrap();
                written += 1;
            }
            written
        })
    };
    let mut copies = Vec::new();
    for i in 0..3 {
        let out = env.dir.path().join(format!("copia-{i}.sqlite3"));
        let report = env.json(&["backup", out.to_str().unwrap()]);
        assert!(entries_of(&report) > 0);
        copies.push((out, report));
    }
    stop.store(true, Ordering::SeqCst);
    let written = writer.join().unwrap();
    assert!(written >= 5);
    let live = env.json(&["audit", "verify"]);
    for (copy, report) in copies {
        assert!(entries_of(&report) <= live["entries"].as_i64().unwrap());
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("ripristino.sqlite3");
        let restored = env
            .command(&["restore", copy.to_str().unwrap(), "--json"])
            .env(
                "PIAZZA_DATABASE_URL",
                format!("sqlite:{}", target.display()),
            )
            .output()
            .unwrap();
        assert!(restored.status.success(), "{}", stderr(&restored));
        let restored: serde_json::Value = serde_json::from_slice(&restored.stdout).unwrap();
        assert_eq!(entries_of(&restored), entries_of(&report));
        // And the restored database is the one the commands now use.
        let v = env
            .command(&["audit", "verify", "--json"])
            .env(
                "PIAZZA_DATABASE_URL",
                format!("sqlite:{}", target.display()),
            )
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&v.stdout).unwrap();
        assert_eq!(v["entries"].as_i64(), Some(entries_of(&report)));
        assert_eq!(v["problems"].as_array().unwrap().len(), 0);
    }
}

fn live_entries(env: &Env) -> i64 {
    env.json(&["audit", "verify", "--ente", "cento"])["entries"]
        .as_i64()
        .unwrap()
}

#[test]
fn a_restore_refuses_an_existing_database_without_force() {
    let env = sqlite_env("restore_exists");
    env.ok(&["admin", "add", "--preset", "cento"]);
    let copy = env.dir.path().join("copia.sqlite3");
    env.ok(&["backup", copy.to_str().unwrap()]);
    env.ok(&["admin", "add", "--preset", "roma"]);
    let before = live_entries(&env);
    let o = env.run(&["restore", copy.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("esiste già"), "{}", stderr(&o));
    assert_eq!(live_entries(&env), before);
    env.ok(&["audit", "verify", "--ente", "roma"]);
    // With --force the copy, without Roma, takes its place.
    let out = env.ok(&["restore", copy.to_str().unwrap(), "--force"]);
    assert!(out.contains("1 enti"), "{out}");
    assert_eq!(live_entries(&env), before);
    let o = env.run(&["audit", "verify", "--ente", "roma"]);
    assert_eq!(o.status.code(), Some(1));
    // The backup refuses to overwrite a file too.
    let o = env.run(&["backup", copy.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("esiste già"), "{}", stderr(&o));
}

fn corrupt(path: &Path) {
    let mut bytes = std::fs::read(path).unwrap();
    let half = bytes.len() / 2;
    for b in &mut bytes[100..half] {
        *b = 0x5a;
    }
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn a_damaged_backup_is_refused_and_the_database_is_untouched() {
    let env = sqlite_env("restore_damaged");
    env.ok(&["admin", "add", "--preset", "cento"]);
    let copy = env.dir.path().join("copia.sqlite3");
    env.ok(&["backup", copy.to_str().unwrap()]);
    corrupt(&copy);
    let db = env.url.strip_prefix("sqlite:").unwrap().to_string();
    let before = std::fs::read(&db).unwrap();
    let entries = live_entries(&env);
    let o = env.run(&["restore", copy.to_str().unwrap(), "--force"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("non è un database SQLite di Piazza integro"),
        "{err}"
    );
    assert!(
        err.contains("copia.sqlite3") && err.contains("non è stato modificato"),
        "{err}"
    );
    assert_eq!(std::fs::read(&db).unwrap(), before);
    assert_eq!(live_entries(&env), entries);
    let leftovers: Vec<_> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("restore"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn postgres_backups_are_refused_with_the_documented_procedure() {
    for env in envs("backup_pg").into_iter().skip(1) {
        env.ok(&["admin", "add", "--preset", "cento"]);
        let out = env.dir.path().join("copia.sqlite3");
        let o = env.run(&["backup", out.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1));
        assert!(stderr(&o).contains("pg_dump -Fc"), "{}", stderr(&o));
        assert!(stderr(&o).contains("docs/operations.md"));
        assert!(!out.exists());
    }
}

/// `piazza serve` with a signing key file in piazza.toml: it signs the
/// day's checkpoint, the public page shows it, a backup works while it
/// runs, and a restore over its database is refused as in use.
#[test]
fn serve_signs_the_daily_checkpoint_and_keeps_its_database_from_a_restore() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let key = dir.path().join("firma.key");
    std::fs::write(
        dir.path().join("piazza.toml"),
        format!(
            "listen = \"127.0.0.1:{port}\"\ndata_dir = \"data\"\naudit_signing_key_file = {:?}\n",
            key.display().to_string()
        ),
    )
    .unwrap();
    let cli = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_piazza"))
            .args(args)
            .current_dir(dir.path())
            .env_remove("PIAZZA_CONFIG")
            .env_remove("PIAZZA_DATA_DIR")
            .env_remove("PIAZZA_DATABASE_URL")
            .env_remove("PIAZZA_AUDIT_SIGNING_KEY_FILE")
            .env_remove("PIAZZA_ENTE")
            .output()
            .unwrap()
    };
    let public = stdout(&cli(&["audit", "keygen", "--out", key.to_str().unwrap()]));
    let public = public.trim().to_string();
    let seed = std::fs::read_to_string(&key).unwrap();
    assert!(
        cli(&["--data-dir", "data", "admin", "add", "--preset", "cento"])
            .status
            .success()
    );
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_piazza"))
        .arg("serve")
        .current_dir(dir.path())
        .env_remove("PIAZZA_LISTEN")
        .env_remove("PIAZZA_CONFIG")
        .env_remove("PIAZZA_DATA_DIR")
        .env_remove("PIAZZA_DATABASE_URL")
        .env_remove("PIAZZA_AUDIT_SIGNING_KEY_FILE")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut page = String::new();
    for _ in 0..300 {
        if let Some(p) = common::http_get(port, "/enti/cento/registro-verifiche")
            && p.contains(&format!(
                "<td><code class=\"text-break\">{public}</code></td>"
            ))
        {
            page = p;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    assert!(
        page.starts_with("HTTP/1.1 200"),
        "no checkpoint shown: {page}"
    );

    let copy = dir.path().join("copia.sqlite3");
    let o = cli(&["backup", copy.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("registro integro"), "{}", stdout(&o));
    let o = cli(&["restore", copy.to_str().unwrap(), "--force"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("in uso"), "{}", stderr(&o));

    child.kill().unwrap();
    let mut log = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut log).unwrap();
    child.wait().unwrap();
    assert!(log.contains(&public), "{log}");
    assert!(!log.contains(seed.trim()), "the key never reaches the log");
    // The day's checkpoint is in the log itself.
    let o = cli(&["--data-dir", "data", "audit", "log", "--limit", "50"]);
    assert!(stdout(&o).contains("audit.checkpoint"), "{}", stdout(&o));
}
