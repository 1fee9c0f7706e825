//! Decisions reaching a platform from the command line, against a local
//! fake of Meta's Graph API (real HTTP, never Meta), on SQLite and on
//! PostgreSQL: connecting a Page with a token file, checking it, pulling
//! its comments, the outbox delivering exactly once when a real `piazza`
//! process is killed before or after the platform's answer, and an
//! approved draft published the same way.

use std::path::Path;

use piazza_fakes::meta::{FB_PAGE_SCOPES, FakeGraph};

mod common;
use common::{Env, envs, stderr, stdout, write_jsonl};

const PAGE: &str = "1000001";
const TOKEN: &str = "EAAB-page-token-di-prova";

/// An administration (Cento) with a root and a moderator, its first
/// Facebook account connected to the fake's Page; returns the account id.
fn setup(env: &Env, fake: &FakeGraph) -> i64 {
    fake.add_page(PAGE, "Comune di Cento");
    fake.add_token(TOKEN, PAGE, FB_PAGE_SCOPES);
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
        "anna",
        "--name",
        "Anna",
        "--role",
        "moderatore",
        "--as",
        "root",
    ]);
    let accounts = env.json(&["accounts", "list"]);
    let account = accounts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["platform"] == "facebook")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    env.ok(&[
        "staff",
        "assign",
        "anna",
        "--account",
        &account.to_string(),
        "--as",
        "root",
    ]);
    let token_file = env.dir.path().join("token.txt");
    std::fs::write(&token_file, format!("{TOKEN}\n")).unwrap();
    set_private(&token_file);
    let out = env.ok(&[
        "connect",
        "facebook",
        "--account",
        &account.to_string(),
        "--page-id",
        PAGE,
        "--token-file",
        token_file.to_str().unwrap(),
        "--as",
        "capo",
    ]);
    assert!(out.contains("collegato a facebook"), "{out}");
    assert!(out.contains("token valido"), "{out}");
    assert!(!out.contains(TOKEN), "the token is never printed: {out}");
    account
}

fn set_private(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}

/// One environment per backend, each with its own fake Graph API.
fn env_for(name: &str) -> Vec<(Env, FakeGraph)> {
    envs(name)
        .into_iter()
        .map(|e| {
            let fake = FakeGraph::start();
            let e = e
                .with("PIAZZA_META_GRAPH_URL", &fake.url())
                .with(
                    "PIAZZA_SECRET_KEY",
                    "chiave di prova lunga almeno trentadue caratteri",
                )
                // A killed attempt is taken over at once by the next run.
                .with("PIAZZA_OUTBOX_LEASE_SECONDS", "0");
            (e, fake)
        })
        .collect()
}

/// Imports one comment that exists on the fake Page; returns Piazza's id.
fn import_comment(env: &Env, account: i64, external_id: &str, post: &str, text: &str) -> i64 {
    let file = env.dir.path().join(format!("{external_id}.jsonl"));
    write_jsonl(
        &file,
        &[serde_json::json!({
            "id": external_id, "post_id": post, "text": text, "author": "u-42", "author_name": "Mario",
        })
        .to_string()],
    );
    env.ok(&[
        "import",
        file.to_str().unwrap(),
        "--account",
        &account.to_string(),
    ]);
    let queue = env.json(&["queue", "list"]);
    queue
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["text"] == text)
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

fn outbox(env: &Env) -> Vec<serde_json::Value> {
    env.json(&["outbox", "list"]).as_array().unwrap().clone()
}

#[test]
fn a_reply_posted_before_a_crash_is_not_posted_again() {
    for (env, fake) in env_for("reply_crash") {
        let account = setup(&env, &fake);
        let post = fake.add_post(PAGE, "Lavori in via Garibaldi");
        let cid = fake.add_comment(&post, "u-42", "Mario", "A che ora finiscono i lavori?");
        let item = import_comment(&env, account, &cid, &post, "A che ora finiscono i lavori?");
        let out = env.ok(&[
            "act",
            &item.to_string(),
            "--action",
            "reply",
            "--template",
            "risposta",
            "--text",
            "I lavori finiscono alle 18.",
            "--as",
            "anna",
        ]);
        assert!(
            out.contains("pubblicare la risposta: in coda per Facebook"),
            "{out}"
        );
        assert!(fake.replies_to(&cid).is_empty(), "nothing sent yet");

        // The process dies after Meta answered and before the answer was
        // recorded: the reply exists on the Page, the row is in flight.
        let o = env
            .command(&["outbox", "run"])
            .env("PIAZZA_FAULT", "outbox.after_delivery")
            .output()
            .unwrap();
        assert!(!o.status.success(), "the fault must kill the process");
        assert!(stderr(&o).contains("PIAZZA_FAULT"), "{}", stderr(&o));
        assert_eq!(fake.replies_to(&cid).len(), 1);
        assert_eq!(outbox(&env)[0]["state"], "in_flight");

        // The next run takes the row over, finds the reply, posts nothing.
        let o = env.ok(&["outbox", "run"]);
        assert!(o.contains("passi eseguiti: 1"), "{o}");
        let replies = fake.replies_to(&cid);
        assert_eq!(replies.len(), 1, "posted exactly once");
        let rows = outbox(&env);
        assert_eq!(rows[0]["state"], "done");
        assert_eq!(rows[0]["platform_ref"], replies[0].id.as_str());
        assert!(rows[0]["attempts"].as_i64().unwrap() >= 2);
        // And nothing more happens afterwards.
        env.ok(&["outbox", "run"]);
        assert_eq!(fake.replies_to(&cid).len(), 1);
    }
}

#[test]
fn a_decision_committed_before_a_crash_is_delivered_once_after_restart() {
    for (env, fake) in env_for("hide_crash") {
        let account = setup(&env, &fake);
        let post = fake.add_post(PAGE, "Lavori in via Garibaldi");
        let cid = fake.add_comment(&post, "u-7", "Luca", "Sei un idiota");
        let item = import_comment(&env, account, &cid, &post, "Sei un idiota");
        // Killed right after the decision and its outbox rows committed,
        // before any delivery was attempted.
        let o = env
            .command(&[
                "act",
                &item.to_string(),
                "--action",
                "hide",
                "--clause",
                "2",
                "--as",
                "anna",
            ])
            .env("PIAZZA_FAULT", "act.after_commit")
            .output()
            .unwrap();
        assert!(!o.status.success());
        assert!(!fake.comment(&cid).unwrap().hidden);
        let rows = outbox(&env);
        assert_eq!(rows.len(), 2, "hide and the statement, both waiting");
        assert!(rows.iter().all(|r| r["state"] == "pending"));

        let o = env.ok(&["outbox", "run"]);
        assert!(o.contains("passi eseguiti: 2"), "{o}");
        assert!(fake.comment(&cid).unwrap().hidden);
        assert_eq!(fake.private_replies().len(), 1);
        let hides = || {
            fake.calls()
                .iter()
                .filter(|c| c.method == "POST" && c.path.ends_with(&cid))
                .count()
        };
        assert_eq!(hides(), 1);
        env.ok(&["outbox", "run"]);
        assert_eq!(hides(), 1, "delivered once");
        assert_eq!(fake.private_replies().len(), 1);
        // The item says what happened, with the platform's time.
        let detail = env.json(&["queue", "show", &item.to_string(), "--as", "anna"]);
        let steps = detail["steps"].as_array().unwrap();
        assert!(steps.iter().all(|s| s["state"] == "done"), "{detail}");
    }
}

#[test]
fn an_expired_token_stops_the_delivery_and_says_so() {
    for (env, fake) in env_for("expired_token") {
        let account = setup(&env, &fake);
        let post = fake.add_post(PAGE, "Concerto in piazza");
        let cid = fake.add_comment(&post, "u-9", "Sara", "Sei un idiota");
        let item = import_comment(&env, account, &cid, &post, "Sei un idiota");
        env.ok(&[
            "act",
            &item.to_string(),
            "--action",
            "hide",
            "--clause",
            "2",
            "--as",
            "anna",
        ]);
        fake.revoke_token(TOKEN);
        let o = env.ok(&["outbox", "run"]);
        assert!(o.contains("non riusciti: 2"), "{o}");
        let failed = env.ok(&["outbox", "list", "--failed"]);
        assert!(
            failed.contains("non riuscito (token scaduto o revocato)"),
            "{failed}"
        );
        assert!(!failed.contains(TOKEN));
        // The check says so too, in Italian, and fails.
        let o = env.run(&["connectors", "status"]);
        assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
        assert!(stdout(&o).contains("token NON valido"), "{}", stdout(&o));
    }
}

#[test]
fn a_pull_reads_posts_and_comments_through_the_pipeline_and_resumes() {
    for (env, fake) in env_for("sync") {
        let account = setup(&env, &fake);
        let post = fake.add_post(PAGE, "La biblioteca apre anche il sabato");
        for i in 0..3 {
            fake.add_comment(
                &post,
                &format!("u{i}"),
                "Anna",
                &format!("Domanda numero {i}?"),
            );
        }
        let r = env.json(&["sync", "--account", &account.to_string()]);
        assert_eq!(r["new_comments"], 3, "{r}");
        assert_eq!(r["complete"], true);
        let again = env.json(&["sync", "--account", &account.to_string()]);
        assert_eq!(again["new_comments"], 0, "{again}");
        let queue = env.json(&["queue", "list"]);
        assert_eq!(queue.as_array().unwrap().len(), 3);
        let detail = env.json(&["queue", "show", &queue[0]["id"].to_string(), "--as", "capo"]);
        assert_eq!(detail["post_text"], "La biblioteca apre anche il sabato");
    }
}

#[test]
fn a_token_file_others_can_read_is_refused() {
    let (env, _fake) = env_for("token_mode").remove(0);
    env.ok(&["admin", "add", "--preset", "cento"]);
    env.ok(&["staff", "add", "root", "--name", "Root", "--admin"]);
    let file = env.dir.path().join("token.txt");
    std::fs::write(&file, TOKEN).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let o = env.run(&[
            "connect",
            "facebook",
            "--account",
            "1",
            "--page-id",
            PAGE,
            "--token-file",
            file.to_str().unwrap(),
            "--as",
            "root",
        ]);
        assert_eq!(o.status.code(), Some(1));
        assert!(stderr(&o).contains("chmod 600"), "{}", stderr(&o));
    }
}

#[test]
fn an_approved_draft_is_published_once_even_when_the_process_dies() {
    for (env, fake) in env_for("publish_crash") {
        let account = setup(&env, &fake).to_string();
        env.ok(&[
            "staff",
            "add",
            "paola",
            "--name",
            "Paola",
            "--role",
            "redattore",
            "--as",
            "root",
        ]);
        env.ok(&[
            "staff",
            "assign",
            "paola",
            "--account",
            &account,
            "--as",
            "root",
        ]);
        let text = env.dir.path().join("post.txt");
        std::fs::write(
            &text,
            "Da lunedì 14 dicembre il mercato del sabato si sposta in piazza Guercino.",
        )
        .unwrap();
        env.ok(&[
            "drafts",
            "new",
            "--account",
            &account,
            "--title",
            "Mercato",
            "--text-file",
            text.to_str().unwrap(),
            "--link",
            "https://www.comune.cento.fe.it/mercato",
            "--as",
            "paola",
        ]);
        env.ok(&["drafts", "submit", "1", "--as", "paola"]);
        env.ok(&["drafts", "approve", "1", "--version", "1", "--as", "capo"]);
        let out = env.ok(&["drafts", "publish", "1", "--version", "1", "--as", "paola"]);
        assert!(
            out.contains("pubblicare il post: in coda per Facebook"),
            "{out}"
        );
        assert!(fake.posts(PAGE).is_empty(), "nothing sent yet");

        // The process dies after Meta answered and before the answer was
        // recorded: the post exists on the Page, the row is in flight.
        let o = env
            .command(&["outbox", "run"])
            .env("PIAZZA_FAULT", "outbox.after_delivery")
            .output()
            .unwrap();
        assert!(!o.status.success(), "the fault must kill the process");
        assert_eq!(fake.posts(PAGE).len(), 1);

        // The next run finds the post and publishes nothing more.
        let o = env.ok(&["outbox", "run"]);
        assert!(o.contains("passi eseguiti: 1"), "{o}");
        let posts = fake.posts(PAGE);
        assert_eq!(posts.len(), 1, "published exactly once");
        let text = posts[0].text.as_deref().unwrap();
        assert!(
            text.starts_with("Da lunedì 14 dicembre il mercato"),
            "{text}"
        );
        assert!(
            text.ends_with("(creativecommons.org/licenses/by-nd/3.0/it)"),
            "{text}"
        );
        assert_eq!(
            posts[0].link.as_deref(),
            Some("https://www.comune.cento.fe.it/mercato")
        );
        let shown = env.json(&["drafts", "show", "1"]);
        assert_eq!(shown["draft"]["state"], "pubblicata");
        assert_eq!(shown["draft"]["published_ref"], posts[0].id.as_str());
        env.ok(&["outbox", "run"]);
        assert_eq!(fake.posts(PAGE).len(), 1);
    }
}
