//! `piazza drafts` end to end on every backend: a draft opened by an
//! office, rewritten by an editor, submitted, refused to its author,
//! approved by a dirigente, with the checks of its current version, and
//! queued for publication (left to a person: the account is not
//! connected). Publishing against the fake Graph API, with a real process
//! killed mid-delivery, is in `cli_platforms.rs`.

mod common;
use common::envs;

#[test]
fn a_draft_goes_from_request_to_approval_from_the_command_line() {
    for env in envs("drafts") {
        env.ok(&["admin", "add", "--preset", "cento"]);
        env.ok(&["staff", "add", "root", "--name", "Root", "--admin"]);
        for (u, role) in [
            ("capo", "dirigente"),
            ("anna", "redattore"),
            ("cultura", "ufficio"),
        ] {
            env.ok(&[
                "staff", "add", u, "--name", u, "--role", role, "--as", "root",
            ]);
        }
        let accounts = env.json(&["accounts", "list"]);
        let account = accounts.as_array().unwrap()[0]["id"].to_string();
        env.ok(&[
            "staff",
            "assign",
            "anna",
            "--account",
            &account,
            "--as",
            "capo",
        ]);
        let text = env.dir.path().join("post.txt");
        std::fs::write(
            &text,
            "Si comunica che in data odierna è aperta la biblioteca. #bibliotecacomunale",
        )
        .unwrap();
        let t = text.to_str().unwrap();
        let out = env.ok(&[
            "drafts",
            "new",
            "--account",
            &account,
            "--title",
            "Biblioteca aperta",
            "--requested-by",
            "Servizio Cultura",
            "--scheduled",
            "2026-12-12T10:00",
            "--text-file",
            t,
            "--media",
            "biblioteca.jpg||propria",
            "--as",
            "cultura",
        ]);
        assert!(out.contains("bozza n. 1 aperta"), "{out}");
        // A malformed attachment is refused with what is expected.
        let bad = env.run(&[
            "drafts",
            "new",
            "--account",
            &account,
            "--title",
            "x",
            "--text-file",
            t,
            "--media",
            "solo-un-file.jpg",
            "--as",
            "cultura",
        ]);
        assert_eq!(bad.status.code(), Some(1));
        assert!(
            String::from_utf8_lossy(&bad.stderr).contains("FILE|TESTO ALTERNATIVO|LICENZA"),
            "{}",
            String::from_utf8_lossy(&bad.stderr)
        );
        // The checks: a bureaucratic formula, the hashtag, the missing alt text.
        let shown = env.json(&["drafts", "show", "1"]);
        let kinds: Vec<&str> = shown["checks"]["issues"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["kind"].as_str().unwrap())
            .collect();
        for k in ["bureaucratic", "hashtag", "alt_text"] {
            assert!(kinds.contains(&k), "{k} missing: {kinds:?}");
        }
        std::fs::write(&text, "La biblioteca è aperta da oggi. #BibliotecaComunale").unwrap();
        env.ok(&[
            "drafts",
            "revise",
            "1",
            "--version",
            "1",
            "--text-file",
            t,
            "--media",
            "biblioteca.jpg|La sala di lettura della biblioteca con i nuovi scaffali|propria|testo",
            "--as",
            "anna",
        ]);
        env.ok(&["drafts", "submit", "1", "--as", "anna"]);
        let refused = env.run(&["drafts", "approve", "1", "--version", "2", "--as", "anna"]);
        assert_eq!(
            refused.status.code(),
            Some(1),
            "the author does not approve"
        );
        let out = env.ok(&["drafts", "approve", "1", "--version", "2", "--as", "capo"]);
        assert!(out.contains("approvata"), "{out}");
        assert!(out.contains("non è ancora pubblicata"), "{out}");
        let listed = env.json(&["drafts", "list", "--state", "approvata"]);
        assert_eq!(listed.as_array().unwrap().len(), 1);
        assert_eq!(listed[0]["versions"].as_array().unwrap().len(), 2);
        // 10:00 in Rome on 12 December is 09:00 UTC.
        assert_eq!(listed[0]["scheduled_at"], 1_797_066_000_000i64);
        let shown = env.json(&["drafts", "show", "1"]);
        assert!(
            shown["checks"]["issues"].as_array().unwrap().is_empty(),
            "{}",
            shown["checks"]
        );
        // Queued: the account is not connected, so a person publishes it
        // and the command says so.
        let refused = env.run(&[
            "drafts",
            "publish",
            "1",
            "--version",
            "2",
            "--as",
            "cultura",
        ]);
        assert_eq!(refused.status.code(), Some(1), "an office does not publish");
        let out = env.ok(&["drafts", "publish", "1", "--version", "2", "--as", "capo"]);
        assert!(out.contains("pubblicare il post: da fare a mano"), "{out}");
        assert!(out.contains("non è collegato"), "{out}");
        let shown = env.ok(&["drafts", "show", "1"]);
        assert!(shown.contains("in pubblicazione"), "{shown}");
        // The calendar of that week shows it at 10:00 on Saturday 12.
        let week = env.ok(&["drafts", "calendar", "--week", "2026-12-09"]);
        assert!(
            week.contains("settimana dal lunedì 7 dicembre 2026 al domenica 13 dicembre 2026"),
            "{week}"
        );
        assert!(
            week.contains("sabato 12 dicembre 2026\n  10:00  n. 1"),
            "{week}"
        );
        let other = env.ok(&[
            "drafts",
            "calendar",
            "--week",
            "2026-12-09",
            "--office",
            "Ufficio Tributi",
        ]);
        assert!(other.contains("niente in programma"), "{other}");
    }
}

#[test]
fn election_periods_list_their_figures_and_export_their_record() {
    for env in envs("elections_record") {
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
            "elections",
            "add",
            "--kind",
            "comunali",
            "--territory",
            "Comune di Cento",
            "--from",
            "2026-01-01",
            "--to",
            "2099-12-31",
            "--as",
            "capo",
        ]);
        let out = env.ok(&[
            "elections",
            "add-person",
            "Edoardo Accorsi",
            "--role",
            "sindaco",
            "--as",
            "capo",
        ]);
        assert!(out.contains("«Edoardo Accorsi» sono segnalati"), "{out}");
        let refused = env.run(&[
            "elections",
            "add-person",
            "Accorsi",
            "--role",
            "sindaco",
            "--as",
            "capo",
        ]);
        assert_eq!(refused.status.code(), Some(1));
        let people = env.json(&["elections", "people"]);
        assert_eq!(people[0]["name"], "Edoardo Accorsi");
        assert_eq!(people[0]["role"], "sindaco");
        let file = env.dir.path().join("registro.csv");
        let run = env.run(&["elections", "export", "1", "-o", file.to_str().unwrap()]);
        assert!(run.status.success());
        assert!(
            String::from_utf8_lossy(&run.stderr).contains("0 pubblicazioni del periodo n. 1"),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let csv = std::fs::read_to_string(&file).unwrap();
        assert!(csv.starts_with("bozza,titolo,account,piattaforma,pubblicata_il,id_post"));
        let json = env.json(&["elections", "export", "1"]);
        assert_eq!(json["period"]["territory"], "Comune di Cento");
        env.ok(&["elections", "remove-person", "1", "--as", "capo"]);
        let people = env.json(&["elections", "people"]);
        assert!(people.as_array().unwrap().is_empty());
    }
}
