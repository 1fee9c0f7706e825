//! A Telegram group from the command line, against the fake Bot API (real
//! HTTP, never Telegram), on SQLite and on PostgreSQL: `piazza connect
//! telegram` with a token file registers the webhook when Piazza has a
//! public address and checks the bot's rights; without one `piazza sync`
//! reads the group; and a reply whose process dies after Telegram took it
//! is not sent a second time: the step waits for a person.

use std::path::Path;

use piazza_fakes::telegram::{FakeTelegram, Rights};

mod common;
use common::{Env, envs, stderr};

const TOKEN: &str = "4242:torino-bot-token";
const CHANNEL: i64 = -1_004_000_000_001;
const GROUP: i64 = -1_004_000_000_002;

fn set_private(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}

/// Torino with a root, a dirigente and a moderator assigned to its
/// Telegram account, connected to the fake's group; returns the account.
fn setup(env: &Env, fake: &FakeTelegram, public: bool) -> String {
    let bot = fake.add_bot(TOKEN, "cmto_bot");
    fake.add_channel(CHANNEL, "Città metropolitana di Torino");
    fake.add_group(GROUP, "CMTo - commenti", Some(CHANNEL));
    fake.set_admin(GROUP, bot, Rights::all());
    fake.set_admin(CHANNEL, bot, Rights::all());
    env.ok(&["admin", "add", "--preset", "torino"]);
    env.ok(&["staff", "add", "root", "--name", "Root", "--admin"]);
    for (u, role) in [("capo", "dirigente"), ("anna", "moderatore")] {
        env.ok(&[
            "staff", "add", u, "--name", u, "--role", role, "--as", "root",
        ]);
    }
    let accounts = env.json(&["accounts", "list"]);
    let account = accounts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["platform"] == "telegram")
        .unwrap()["id"]
        .as_i64()
        .unwrap()
        .to_string();
    env.ok(&[
        "staff",
        "assign",
        "anna",
        "--account",
        &account,
        "--as",
        "root",
    ]);
    let token_file = env.dir.path().join("bot.txt");
    std::fs::write(&token_file, format!("{TOKEN}\n")).unwrap();
    set_private(&token_file);
    let mut cmd = env.command(&[
        "connect",
        "telegram",
        "--account",
        &account,
        "--group",
        &GROUP.to_string(),
        "--channel",
        &CHANNEL.to_string(),
        "--token-file",
        token_file.to_str().unwrap(),
        "--as",
        "capo",
    ]);
    if public {
        cmd.env(
            "PIAZZA_PUBLIC_URL",
            "https://piazza.cittametropolitana.example",
        );
    }
    let o = cmd.output().unwrap();
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(o.status.success(), "{out}\n{}", stderr(&o));
    assert!(out.contains("collegato a telegram"), "{out}");
    assert!(out.contains("@cmto_bot"), "{out}");
    assert!(
        !out.contains("torino-bot-token"),
        "the token is never printed: {out}"
    );
    if public {
        assert!(out.contains("/webhooks/telegram/"), "{out}");
    }
    account
}

fn env_for(name: &str) -> Vec<(Env, FakeTelegram)> {
    envs(name)
        .into_iter()
        .map(|e| {
            let fake = FakeTelegram::start();
            let e = e
                .with("PIAZZA_TELEGRAM_API_URL", &fake.url())
                .with(
                    "PIAZZA_SECRET_KEY",
                    "chiave di prova lunga almeno trentadue caratteri",
                )
                .with("PIAZZA_OUTBOX_LEASE_SECONDS", "0");
            (e, fake)
        })
        .collect()
}

#[test]
fn connecting_with_a_public_address_registers_the_webhook_with_its_secret() {
    for (env, fake) in env_for("tg_connect") {
        let account = setup(&env, &fake, true);
        let (url, secret) = fake.webhook().expect("the webhook is registered");
        assert_eq!(
            url,
            format!("https://piazza.cittametropolitana.example/webhooks/telegram/{account}")
        );
        let secret = secret.unwrap();
        assert_eq!(secret.len(), 64);
        // The secret is in no output and no audit entry.
        let audit = env.ok(&["audit", "log", "--limit", "200", "--json"]);
        assert!(!audit.contains(&secret));
        let status = env
            .command(&["connectors", "status"])
            .env(
                "PIAZZA_PUBLIC_URL",
                "https://piazza.cittametropolitana.example",
            )
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&status.stdout);
        assert!(status.status.success(), "{text}");
        assert!(!text.contains(&secret));
        // Without the public address the same check says the webhook is
        // in the way of getUpdates.
        let o = env.run(&["connectors", "status"]);
        assert_eq!(o.status.code(), Some(1));
        assert!(
            String::from_utf8_lossy(&o.stdout).contains("getUpdates"),
            "{}",
            String::from_utf8_lossy(&o.stdout)
        );
    }
}

#[test]
fn a_reply_taken_by_telegram_before_a_crash_is_not_sent_again() {
    for (env, fake) in env_for("tg_crash") {
        let account = setup(&env, &fake, false);
        let (_, forward) = fake.channel_post(CHANNEL, "Chiusa la SP 23");
        let q = fake.comment(GROUP, forward.unwrap(), 42, "Lucia", "Quando riapre?");
        let r = env.json(&["sync", "--account", &account]);
        assert_eq!(r["new_comments"], 1, "{r}");
        let queue = env.json(&["queue", "list"]);
        let item = queue[0]["id"].to_string();
        env.ok(&[
            "act",
            &item,
            "--action",
            "reply",
            "--template",
            "risposta",
            "--text",
            "Riapre domani.",
            "--as",
            "anna",
        ]);
        let ours = || {
            fake.messages_in(GROUP)
                .into_iter()
                .filter(|m| m.reply_to == Some(q))
                .count()
        };
        let o = env
            .command(&["outbox", "run"])
            .env("PIAZZA_FAULT", "outbox.after_delivery")
            .output()
            .unwrap();
        assert!(!o.status.success(), "the fault must kill the process");
        assert_eq!(ours(), 1);

        // The next run cannot tell whether it went out: it does not send it
        // again, and says what a person must do.
        let o = env.run(&["outbox", "run"]);
        let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), stderr(&o));
        assert_eq!(ours(), 1, "{text}");
        let rows = env.json(&["outbox", "list"]);
        let row = &rows[0];
        assert_eq!(row["state"], "failed", "{row}");
        assert_eq!(row["failure"], "unverifiable", "{row}");
        assert!(
            row["last_error"].as_str().unwrap().contains("controlla"),
            "{row}"
        );
    }
}
