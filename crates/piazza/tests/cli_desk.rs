//! The desk flow from the command line, on SQLite and (when available) on
//! PostgreSQL: create an administration, add accounts and staff, import,
//! list the queue, act citing clauses, verify the audit log; and an import
//! killed half-way that resumes with exact counts.

use std::io::Write;
use std::process::{Command, Stdio};

mod common;
use common::{envs, stderr, stdout, write_jsonl};

#[test]
fn the_whole_flow_runs_from_the_command_line() {
    for env in envs("flow") {
        env.ok(&["admin", "add", "--preset", "roma"]);
        env.ok(&[
            "staff",
            "add",
            "root",
            "--name",
            "Amministratore",
            "--admin",
        ]);
        // Roma: the responsabile, not the technical administrator,
        // appoints the staff who manage the accounts.
        env.ok(&[
            "staff",
            "add",
            "capo",
            "--name",
            "Responsabile",
            "--role",
            "dirigente",
            "--as",
            "root",
        ]);
        let refused = env.run(&[
            "staff",
            "add",
            "anna",
            "--name",
            "Anna",
            "--role",
            "moderatore",
            "--as",
            "root",
        ]);
        assert_eq!(refused.status.code(), Some(1));
        env.ok(&[
            "staff",
            "add",
            "anna",
            "--name",
            "Anna",
            "--role",
            "moderatore",
            "--as",
            "capo",
        ]);
        env.ok(&[
            "accounts",
            "add",
            "--platform",
            "facebook",
            "--name",
            "Municipio 4",
            "--kind",
            "municipale",
            "--email",
            "mario.rossi@gmail.com",
            "--as",
            "root",
        ]);
        let accounts = env.json(&["accounts", "list"]);
        assert_eq!(accounts.as_array().unwrap().len(), 7);
        // The municipal account breaks the naming and e-mail rules of Roma's policy.
        let o = env.run(&["accounts", "check", "--json"]);
        assert_eq!(o.status.code(), Some(1));
        let issues: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let rules: Vec<&str> = issues
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["rule"].as_str().unwrap())
            .collect();
        assert!(rules.contains(&"municipal_naming"), "{rules:?}");
        assert!(rules.contains(&"institutional_email"), "{rules:?}");
        assert!(rules.contains(&"authorisation"), "{rules:?}");
        // Roma's first accounts are on X, where a comment cannot be removed
        // through the API: the flow runs on the Facebook account.
        let facebook = accounts
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["platform"] == "facebook")
            .unwrap()["id"]
            .to_string();
        env.ok(&[
            "staff",
            "assign",
            "anna",
            "--account",
            &facebook,
            "--as",
            "capo",
        ]);

        write_jsonl(
            &env.dir.path().join("c.jsonl"),
            &[
                r#"{"id":"c1","text":"Ti ammazzo, sappiamo dove abiti","author":"u1","post_id":"p1"}"#.into(),
                r#"{"id":"c2","text":"A che ora apre l'URP?","author":"u2","post_id":"p1"}"#.into(),
            ],
        );
        env.ok(&["import", "c.jsonl", "--account", &facebook, "--as", "anna"]);
        let q = env.json(&["queue", "list"]);
        assert_eq!(q[0]["flagged"][0], "threat", "{q}");
        let threat = q[0]["id"].as_i64().unwrap().to_string();

        // Uncited: refused with the stable code, nothing changes.
        let o = env.run(&["act", &threat, "--action", "remove", "--as", "anna"]);
        assert_eq!(o.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&o.stderr).contains("[clause_required]"));
        let out = env.json(&[
            "act", &threat, "--action", "remove", "--clause", "3", "--reason", "minaccia", "--as",
            "anna",
        ]);
        assert_eq!(out["resolution"], "removed");
        assert!(
            out["statement"]["text"]
                .as_str()
                .unwrap()
                .contains("regola 3")
        );
        let v = env.json(&["audit", "verify"]);
        assert_eq!(v["problems"].as_array().unwrap().len(), 0);
        assert!(v["entries"].as_i64().unwrap() >= 10);
        let log = env.ok(&["audit", "log"]);
        assert!(log.contains("action.remove"), "{log}");
        assert!(
            !log.contains("ammazzo"),
            "the audit log never holds comment texts"
        );
    }
}

#[test]
fn an_import_killed_half_way_resumes_with_exact_counts() {
    for env in envs("kill") {
        env.ok(&["admin", "add", "--preset", "cento"]);
        let n = 30_000;
        let lines: Vec<String> = (0..n)
            .map(|i| {
                if i % 1000 == 999 {
                    format!("{{\"id\": \"k{i}\"}}")
                } else {
                    format!("{{\"id\": \"k{i}\", \"text\": \"Commento {i} sul concerto in piazza\", \"author\": \"a{}\"}}", i % 97)
                }
            })
            .collect();
        write_jsonl(&env.dir.path().join("big.jsonl"), &lines);
        let mut child = Command::new(env!("CARGO_BIN_EXE_piazza"))
            .args(["import", "big.jsonl", "--account", "1", "--batch", "500"])
            .env("PIAZZA_DATABASE_URL", &env.url)
            .current_dir(env.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Kill it after the first committed batches are reported.
        let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        let mut reports = 0;
        while std::io::BufRead::read_line(&mut stderr, &mut line).unwrap() > 0 {
            if line.starts_with("importazione:") {
                reports += 1;
                if reports == 3 {
                    break;
                }
            }
            line.clear();
        }
        child.kill().unwrap();
        let status = child.wait().unwrap();
        assert!(!status.success(), "the import was killed before the end");
        let o = env.run(&[
            "import",
            "big.jsonl",
            "--account",
            "1",
            "--batch",
            "500",
            "--json",
        ]);
        assert_eq!(o.status.code(), Some(1), "bad lines make the exit code 1");
        let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert!(r["resumed_after"].as_u64().unwrap() >= 1500, "{r}");
        assert!(r["resumed_after"].as_u64().unwrap() < n as u64, "{r}");
        assert_eq!(r["progress"]["imported"], n - 30, "{r}");
        assert_eq!(r["progress"]["failed"], 30);
        assert_eq!(r["errors"].as_array().unwrap().len(), 30);
        assert_eq!(r["errors"][0]["line"], 1000);
        assert_eq!(r["errors"][0]["field"], "text");
        let q = env.json(&["queue", "list", "--limit", "100000"]);
        assert_eq!(
            q.as_array().unwrap().len(),
            n - 30,
            "no duplicates, nothing lost"
        );
    }
}

#[test]
fn calendar_and_sla_commands_speak_europe_rome() {
    let env = &envs("cal")[0];
    let d = env.json(&[
        "sla",
        "deadline",
        "--policy",
        "tradate",
        "--received",
        "2026-12-24T17:05",
    ]);
    assert_eq!(d["taken_in_charge"], "2026-12-28T09:00:00+01:00");
    // Tradate's "24 ore lavorative" are hours of working days: Christmas,
    // Santo Stefano and the weekend are skipped, then one working day.
    assert_eq!(d["deadline"], "2026-12-29T09:00:00+01:00");
    let h = env.json(&["calendar", "holidays", "--year", "2025"]);
    assert!(
        !h.as_array()
            .unwrap()
            .iter()
            .any(|d| d["date"] == "2025-10-04")
    );
    let h = env.json(&[
        "calendar", "holidays", "--year", "2026", "--policy", "cento",
    ]);
    assert!(
        h.as_array()
            .unwrap()
            .iter()
            .any(|d| d["date"] == "2026-10-04")
    );
    assert!(
        h.as_array()
            .unwrap()
            .iter()
            .any(|d| d["date"] == "2026-02-03")
    );
    let o = env.json(&[
        "calendar",
        "open",
        "--policy",
        "cento",
        "--at",
        "2026-12-24T13:30",
    ]);
    assert_eq!(o["open"], false);
    assert_eq!(o["next_opening"], "2026-12-28T09:00:00+01:00");
    let bad = env.run(&[
        "sla",
        "deadline",
        "--policy",
        "roma",
        "--received",
        "2026-12-24T17:05",
    ]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("non indica orari di moderazione"));
}

#[test]
fn analyze_reads_jsonl_reports_bad_lines_and_keeps_order() {
    let dir = tempfile::tempdir().unwrap();
    let input = "{\"id\":\"a\",\"text\":\"Chiamami al 333 123 4567\"}\nnon json\n{\"id\":2,\"text\":\"Grazie per le informazioni\"}\n";
    let mut child = Command::new(env!("CARGO_BIN_EXE_piazza"))
        .args(["analyze", "--policy", "roma"])
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("riga 2"));
    let out: Vec<serde_json::Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(out.len(), 2);
    assert_eq!(out[0]["id"], "a");
    assert_eq!(out[1]["id"], 2);
    let pd = &out[0]["findings"][0];
    assert_eq!(pd["category"], "personal_data");
    assert_eq!(pd["kind"], "phone");
    assert_eq!(pd["clause"], 3, "Roma's clause 3 covers personal data");
    assert_eq!(pd["flagged"], true);
    assert_eq!(pd["evidence"][0]["text"], "333 123 4567");
}

#[test]
fn a_new_policy_version_is_shown_then_activated_and_listed() {
    for env in envs("policy_activate") {
        env.ok(&["admin", "add", "--preset", "tradate"]);
        env.ok(&["staff", "add", "root", "--name", "Root", "--admin"]);
        let old = piazza_policy::preset("tradate").unwrap().toml;
        let in_force = env.json(&["policy", "history"])[0]["version"]
            .as_str()
            .unwrap()
            .to_string();
        let new = old.replacen(
            &format!("version = \"{in_force}\""),
            "version = \"2027-02-01\"",
            1,
        ) + "\n[categories.insult]\nthreshold = 0.75\n";
        let file = env.dir.path().join("nuova.toml");
        std::fs::write(&file, new).unwrap();
        let shown = env.ok(&["policy", "activate", file.to_str().unwrap(), "--as", "root"]);
        assert!(
            shown.contains("versione 2027-02-01 al posto della"),
            "{shown}"
        );
        assert!(shown.contains("soglia di segnalazione"), "{shown}");
        assert!(shown.contains("nulla è stato attivato"), "{shown}");
        assert_eq!(
            env.json(&["policy", "history"])[0]["version"],
            in_force.as_str()
        );
        let done = env.ok(&[
            "policy",
            "activate",
            file.to_str().unwrap(),
            "--as",
            "root",
            "--yes",
        ]);
        assert!(done.contains("attivata"), "{done}");
        let h = env.json(&["policy", "history"]);
        assert_eq!(h[0]["version"], "2027-02-01");
        assert_eq!(h[1]["version"], in_force.as_str());
        let log = env.ok(&["audit", "log"]);
        assert!(log.contains("policy.activate"), "{log}");
        // The same file again: refused, nothing added.
        let o = env.run(&[
            "policy",
            "activate",
            file.to_str().unwrap(),
            "--as",
            "root",
            "--yes",
        ]);
        assert_eq!(o.status.code(), Some(1));
        assert_eq!(
            env.json(&["policy", "history"]).as_array().unwrap().len(),
            2
        );
    }
}

#[test]
fn analyze_reports_provocation_repeated_by_one_author_under_one_post_as_trolling() {
    let dir = tempfile::tempdir().unwrap();
    let line = |id: u32, author: &str, post: &str, at: &str, text: &str| {
        format!(
            "{{\"id\":{id},\"text\":\"{text}\",\"author\":\"{author}\",\"post_id\":\"{post}\",\"created_at\":{at}}}\n"
        )
    };
    let input = [
        line(1, "t", "p1", "1795424400000", "Svegliaaa gente!"),
        line(2, "u", "p1", "1795424460000", "Quando finiscono i lavori?"),
        line(3, "t", "p2", "1795424520000", "ahahah che ridere"),
        line(
            4,
            "t",
            "p1",
            "\"2026-11-23T09:03:00Z\"",
            "Ahahah poveri illusi",
        ),
        line(
            5,
            "t",
            "p1",
            "1795424640000",
            "Fatevene una ragione, ciaone",
        ),
    ]
    .concat();
    let mut child = Command::new(env!("CARGO_BIN_EXE_piazza"))
        .args(["analyze", "--policy", "cento"])
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out: Vec<serde_json::Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let trolling = |i: usize, kind: &str| {
        out[i]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["category"] == "trolling" && f["kind"] == kind)
            .cloned()
    };
    // Each provocation is marked, weakly; none is trolling by itself.
    let weak = trolling(0, "provocation").unwrap();
    assert_eq!(weak["flagged"], false);
    assert!(
        trolling(3, "repeated").is_none(),
        "only two under p1 so far"
    );
    // The third under the same post, by the same author, is.
    let f = trolling(4, "repeated").expect("the third provocation under p1");
    assert_eq!(f["flagged"], true);
    assert_eq!(f["clause"], 2, "Cento's rule 2 names trolling");
    assert_eq!(f["evidence"][0]["text"], "Fatevene una ragione");
    assert!(trolling(1, "repeated").is_none() && trolling(2, "repeated").is_none());
}

/// A request for review that came by e-mail, recorded and decided from the
/// command line; the decision's author is refused.
#[test]
fn an_appeal_is_recorded_and_decided_by_someone_else_from_the_command_line() {
    for env in envs("appeals") {
        env.ok(&["admin", "add", "--preset", "roma"]);
        env.ok(&["staff", "add", "root", "--name", "Root", "--admin"]);
        env.ok(&[
            "staff",
            "add",
            "capo",
            "--name",
            "Capo",
            "--role",
            "dirigente",
            "--as",
            "root",
        ]);
        for who in ["anna", "bruno"] {
            env.ok(&[
                "staff",
                "add",
                who,
                "--name",
                who,
                "--role",
                "moderatore",
                "--as",
                "capo",
            ]);
        }
        let accounts = env.json(&["accounts", "list"]);
        let facebook = accounts
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["platform"] == "facebook")
            .unwrap()["id"]
            .to_string();
        for who in ["anna", "bruno"] {
            env.ok(&[
                "staff",
                "assign",
                who,
                "--account",
                &facebook,
                "--as",
                "capo",
            ]);
        }
        write_jsonl(
            &env.dir.path().join("c.jsonl"),
            &[r#"{"id":"c1","text":"Sei un idiota","author":"u1","post_id":"p1"}"#.into()],
        );
        env.ok(&["import", "c.jsonl", "--account", &facebook, "--as", "anna"]);
        let id = env.json(&["queue", "list"])[0]["id"].to_string();
        let hide = env.json(&[
            "act", &id, "--action", "hide", "--clause", "3", "--as", "anna",
        ])["action_id"]
            .to_string();
        let mut child = env
            .command(&[
                "appeals",
                "record",
                &hide,
                "--channel",
                "email",
                "--reply-to",
                "mario@example.it",
                "--as",
                "bruno",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all("Non offendevo nessuno".as_bytes())
            .unwrap();
        let o = child.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stdout(&o).contains("registrata"), "{}", stdout(&o));
        let list = env.json(&["appeals", "list", "--as", "capo"]);
        let appeal = list[0]["id"].to_string();
        assert_eq!(list[0]["channel"], "email");
        let own = env.run(&[
            "appeals",
            "decide",
            &appeal,
            "--outcome",
            "reverse",
            "--reason",
            "ok",
            "--as",
            "anna",
        ]);
        assert_eq!(own.status.code(), Some(1));
        assert!(stderr(&own).contains("persona diversa"), "{}", stderr(&own));
        env.ok(&[
            "appeals",
            "decide",
            &appeal,
            "--outcome",
            "uphold",
            "--reason",
            "Insulto a una persona: regola 3",
            "--as",
            "bruno",
        ]);
        let all = env.json(&["appeals", "list", "--all", "--as", "capo"]);
        assert_eq!(all[0]["state"], "upheld");
        let t = env.json(&["report", "transparency"]);
        let row = &t["rows"][0];
        assert_eq!(row["appeals"]["upheld"], 1, "{t}");
        assert_eq!(row["decisions_by_measure"]["hide"], 1, "{t}");
        assert!(
            row["label"].as_str().unwrap().ends_with("– Facebook"),
            "{t}"
        );
        assert_eq!(all[0]["reviewer"], "bruno");
        assert!(
            env.json(&["appeals", "list", "--as", "capo"])
                .as_array()
                .unwrap()
                .is_empty()
        );
    }
}

/// `piazza elections add|list`, and the election period's checks of
/// `piazza editorial check --election-period`.
#[test]
fn an_election_period_is_recorded_from_the_command_line() {
    for env in envs("elections") {
        env.ok(&["admin", "add", "--preset", "cento"]);
        env.ok(&["staff", "add", "root", "--name", "Root", "--admin"]);
        env.ok(&[
            "staff",
            "add",
            "capo",
            "--name",
            "Capo",
            "--role",
            "dirigente",
            "--as",
            "root",
        ]);
        let refused = env.run(&[
            "elections",
            "add",
            "--kind",
            "comunali",
            "--territory",
            "Cento",
            "--from",
            "2020-01-01",
            "--to",
            "2099-12-31",
            "--as",
            "root",
        ]);
        assert_eq!(refused.status.code(), Some(1), "only a dirigente");
        env.ok(&[
            "elections",
            "add",
            "--kind",
            "comunali",
            "--territory",
            "Comune di Cento",
            "--from",
            "2020-01-01",
            "--to",
            "2099-12-31",
            "--as",
            "capo",
        ]);
        let v = env.json(&["elections", "list"]);
        assert_eq!(v["periods"].as_array().unwrap().len(), 1);
        assert_eq!(v["in_force"]["kind"], "comunali");
        assert!(
            env.ok(&["elections", "list"])
                .contains("Periodo elettorale in corso")
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("post.txt");
    std::fs::write(&path, "Finalmente la piscina riapre, come promesso.").unwrap();
    let o = common::piazza(&[
        "editorial",
        "check",
        path.to_str().unwrap(),
        "--election-period",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        v["issues"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["kind"] == "election_period"),
        "{v}"
    );
}
