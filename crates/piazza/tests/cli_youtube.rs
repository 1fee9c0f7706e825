//! A YouTube channel from the command line, against the fake Data API (real
//! HTTP, never Google), on SQLite and on PostgreSQL: `piazza connect
//! youtube` reads a private credentials file, seals it and prints none of
//! it; the check names the channel and the quota; `piazza sync` reads the
//! comments; a malformed credentials file is refused with its line.

use std::path::Path;

use piazza_fakes::youtube::FakeYoutube;

mod common;
use common::{envs, stderr};

const CHANNEL: &str = "UCcittaMetropolitanaTo00";

fn set_mode(path: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
}

#[test]
fn a_channel_is_connected_from_a_credentials_file_and_pulled() {
    for env in envs("yt_cli") {
        let fake = FakeYoutube::start();
        fake.add_client("client-to", "segreto-del-client");
        fake.add_refresh_token("1//refresh-to", CHANNEL, true);
        let video = fake.add_video(CHANNEL, "Il nuovo piano della mobilità");
        fake.add_comment(&video, "UCx", "Mario", "E le piste ciclabili?", None);
        let env = env
            .with("PIAZZA_YOUTUBE_API_URL", &fake.api_url())
            .with("PIAZZA_GOOGLE_OAUTH_URL", &fake.oauth_url())
            .with(
                "PIAZZA_SECRET_KEY",
                "chiave di prova lunga almeno trentadue caratteri",
            );
        env.ok(&["admin", "add", "--preset", "torino"]);
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
        let accounts = env.json(&["accounts", "list"]);
        let account = accounts
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["platform"] == "youtube")
            .unwrap()["id"]
            .as_i64()
            .unwrap()
            .to_string();

        let bad = env.dir.path().join("bad.json");
        std::fs::write(&bad, "{\n  \"client_id\": \"x\",\n  oops\n}\n").unwrap();
        set_mode(&bad, 0o600);
        let o = env.run(&[
            "connect",
            "youtube",
            "--account",
            &account,
            "--channel-id",
            CHANNEL,
            "--credentials-file",
            bad.to_str().unwrap(),
            "--as",
            "capo",
        ]);
        assert_eq!(o.status.code(), Some(1));
        assert!(stderr(&o).contains("riga 3"), "{}", stderr(&o));

        let file = env.dir.path().join("youtube.json");
        std::fs::write(
            &file,
            "{\n  \"client_id\": \"client-to\",\n  \"client_secret\": \"segreto-del-client\",\n  \"refresh_token\": \"1//refresh-to\"\n}\n",
        )
        .unwrap();
        set_mode(&file, 0o644);
        let o = env.run(&[
            "connect",
            "youtube",
            "--account",
            &account,
            "--channel-id",
            CHANNEL,
            "--credentials-file",
            file.to_str().unwrap(),
            "--as",
            "capo",
        ]);
        assert_eq!(o.status.code(), Some(1), "a readable file is refused");
        set_mode(&file, 0o600);
        let out = env.ok(&[
            "connect",
            "youtube",
            "--account",
            &account,
            "--channel-id",
            CHANNEL,
            "--credentials-file",
            file.to_str().unwrap(),
            "--as",
            "capo",
        ]);
        assert!(out.contains("collegato a youtube"), "{out}");
        assert!(out.contains(&format!("Canale {CHANNEL}")), "{out}");
        assert!(out.contains("quota giornaliera dell'API"), "{out}");
        assert!(
            !out.contains("segreto-del-client") && !out.contains("1//refresh-to"),
            "{out}"
        );

        let r = env.json(&["sync", "--account", &account]);
        assert_eq!(r["new_comments"], 1, "{r}");
        let queue = env.json(&["queue", "list"]);
        assert_eq!(queue[0]["text"], "E le piste ciclabili?");
    }
}
