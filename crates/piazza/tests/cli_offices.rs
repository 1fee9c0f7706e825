//! Offices in the loop from the command line, on SQLite and (when
//! available) PostgreSQL: a dirigente registers an office and binds its
//! referente, the URP forwards a comment, the office sees it, answers, the
//! URP sends the drafted reply; `piazza mail send-pending` delivers the
//! notifications over SMTP to a local sink, and the SMTP password never
//! shows.

use std::io::Write;
use std::process::Stdio;

mod common;
use common::{envs, write_jsonl};
use piazza_fakes::smtp::SmtpSink;

#[test]
fn an_office_answers_and_the_urp_replies_from_the_command_line() {
    for env in envs("offices") {
        let sink = SmtpSink::start();
        let env = env.with(
            "PIAZZA_SECRET_KEY",
            "una chiave di prova lunga almeno trentadue caratteri",
        );
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
        env.ok(&[
            "staff",
            "add",
            "urp",
            "--name",
            "Operatrice URP",
            "--role",
            "operatore_urp",
            "--as",
            "capo",
        ]);
        env.ok(&[
            "staff",
            "add",
            "tecnico",
            "--name",
            "Referente",
            "--role",
            "ufficio",
            "--as",
            "capo",
        ]);
        // The technical administrator does not decide the offices.
        let o = env.run(&[
            "offices",
            "add",
            "Lavori pubblici",
            "--email",
            "lavori@comune.example",
            "--as",
            "root",
        ]);
        assert_eq!(o.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&o.stderr).contains("[forbidden]"));
        env.ok(&[
            "offices",
            "add",
            "Lavori pubblici",
            "--email",
            "lavori@comune.example",
            "--as",
            "capo",
        ]);
        env.ok(&[
            "offices",
            "bind",
            "tecnico",
            "--office",
            "lavori pubblici",
            "--as",
            "capo",
        ]);
        let offices = env.json(&["offices", "list"]);
        assert_eq!(offices[0]["name"], "Lavori pubblici");
        assert_eq!(offices[0]["staff"][0], "tecnico");

        // The SMTP server, with a password read from standard input.
        let port = sink.port().to_string();
        let mut child = env
            .command(&[
                "mail",
                "setup",
                "--host",
                "127.0.0.1",
                "--port",
                &port,
                "--security",
                "none",
                "--from",
                "piazza@comune.example",
                "--password-stdin",
                "--desk-url",
                "https://piazza.comune.example",
                "--urp",
                "urp@comune.example",
                "--as",
                "root",
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
            .write_all(b"segreto-smtp-123\n")
            .unwrap();
        let o = child.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let shown = env.ok(&["mail", "show", "--json"]);
        assert!(shown.contains("\"has_password\": true"), "{shown}");
        assert!(!shown.contains("segreto-smtp-123"));

        let accounts = env.json(&["accounts", "list"]);
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
            "urp",
            "--account",
            &facebook,
            "--as",
            "capo",
        ]);
        write_jsonl(
            &env.dir.path().join("c.jsonl"),
            &[
                r#"{"id":"c1","text":"Quando riapre via Garibaldi?","author":"u1","post_id":"p1"}"#
                    .into(),
            ],
        );
        env.ok(&["import", "c.jsonl", "--account", &facebook, "--as", "capo"]);
        let q = env.json(&["queue", "list"]);
        let comment = q[0]["id"].as_i64().unwrap().to_string();
        let out = env.json(&[
            "act",
            &comment,
            "--action",
            "forward",
            "--office",
            "Lavori pubblici",
            "--as",
            "urp",
        ]);
        let number = out["ticket_number"].as_str().unwrap().to_string();

        // The office's referente sees the ticket, not the queue's authors.
        let mine = env.json(&["tickets", "list", "--as", "tecnico"]);
        assert_eq!(mine[0]["number"], number.as_str());
        assert_eq!(mine[0]["state"], "open");
        assert_eq!(mine[0]["comment_text"], "Quando riapre via Garibaldi?");
        assert!(!mine.to_string().contains("u1"), "{mine}");
        // The URP cannot answer in the office's place.
        let o = env.run(&[
            "tickets", "answer", &number, "--text", "Domani", "--as", "urp",
        ]);
        assert_eq!(o.status.code(), Some(1));
        env.ok(&[
            "tickets",
            "answer",
            &number,
            "--text",
            "Riapre venerdì mattina.",
            "--as",
            "tecnico",
        ]);
        let t = env.json(&["tickets", "show", &number, "--as", "urp"]);
        assert_eq!(t["state"], "answered");
        assert!(
            t["draft_reply"]
                .as_str()
                .unwrap()
                .contains("Riapre venerdì mattina.")
        );
        env.ok(&["tickets", "reply", &number, "--as", "urp"]);
        let t = env.json(&["tickets", "show", &number, "--as", "tecnico"]);
        assert_eq!(t["state"], "closed");
        assert_eq!(t["messages"].as_array().unwrap().len(), 3);
        let steps = env.json(&["outbox", "list"]);
        assert!(
            steps
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["operation"] == "reply"),
            "{steps}"
        );

        // Two notifications: the office, then the URP; sent once.
        let run = env.json(&["mail", "send-pending"]);
        assert_eq!(run["sent"], 2, "{run}");
        assert_eq!(env.json(&["mail", "send-pending"])["claimed"], 0);
        let got = sink.messages();
        let to: Vec<&str> = got.iter().map(|m| m.to[0].as_str()).collect();
        assert_eq!(to, ["lavori@comune.example", "urp@comune.example"]);
        assert!(got[0].header("Subject").unwrap().contains(&number));
        let audit = env.ok(&["audit", "log", "--limit", "500", "--json"]);
        assert!(!audit.contains("segreto-smtp-123"));
        assert!(audit.contains("ticket.answer") && audit.contains("mail.sent"));
        let v = env.json(&["audit", "verify"]);
        assert_eq!(v["problems"].as_array().unwrap().len(), 0);
    }
}
