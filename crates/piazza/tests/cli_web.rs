//! `piazza demo` and `piazza serve` start a real server on loopback.

mod common;

use std::io::BufRead;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for(port: u16, path: &str) -> String {
    let start = Instant::now();
    loop {
        if let Some(r) = common::http_get(port, path) {
            return r;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the server did not answer"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn the_demo_prints_logins_and_serves_the_desk() {
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_piazza"))
        .args([
            "demo",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--interval",
            "1",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut banner = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        let done = line.contains("Ctrl-C");
        banner.push(line);
        if done {
            break;
        }
    }
    let banner = banner.join("\n");
    for login in [
        "admin",
        "dirigente",
        "moderatore",
        "moderatore2",
        "urp",
        "auditor",
    ] {
        assert!(banner.contains(&format!("  {login} ")), "{banner}");
    }
    // Two sandbox pages with different capability maps: the second cannot
    // hide, and the banner says why (Cento lists a LinkedIn page).
    assert!(
        banner.contains("si può nascondere, rimuovere, rispondere"),
        "{banner}"
    );
    assert!(
        banner.contains(
            "(linkedin): non si può nascondere un commento: le API di questa piattaforma"
        ),
        "{banner}"
    );
    let policy = wait_for(port, "/enti/cento/policy");
    assert!(policy.starts_with("HTTP/1.1 200"), "{policy}");
    assert!(policy.contains("id=\"clausola-2\""));
    let desk = common::http_get(port, "/desk").unwrap();
    assert!(
        desk.starts_with("HTTP/1.1 303"),
        "the desk needs a login: {desk}"
    );
    let api = common::http_get(port, "/api/v1/coda").unwrap();
    assert!(api.starts_with("HTTP/1.1 401"), "{api}");
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn serve_refuses_an_unknown_configuration_key() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("piazza.toml"),
        "listen = \"127.0.0.1:1\"\nlisen = \"x\"\n",
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_piazza"))
        .arg("serve")
        .current_dir(dir.path())
        .env_remove("PIAZZA_LISTEN")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("unknown field `lisen`"), "{err}");
}

/// `piazza serve` in `dir` (which holds the piazza.toml) with `envs`.
fn serve_in(dir: &std::path::Path, envs: &[(&str, &str)]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_piazza"));
    c.arg("serve")
        .current_dir(dir)
        .env_remove("PIAZZA_LISTEN")
        .env_remove("PIAZZA_CONFIG")
        .env_remove("PIAZZA_DATA_DIR")
        .env_remove("PIAZZA_DATABASE_URL")
        .env_remove("PIAZZA_OIDC_CLIENT_SECRET");
    for (k, v) in envs {
        c.env(k, v);
    }
    c
}

const OIDC_TABLE: &str = "[oidc]\nissuer = \"ISSUER\"\nclient_id = \"piazza\"\nredirect_url = \"http://127.0.0.1:1/accesso/oidc/ritorno\"\n";

#[test]
fn serve_refuses_an_unknown_key_in_the_oidc_table() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("piazza.toml"),
        format!(
            "{}client_secrett = \"x\"\n",
            OIDC_TABLE.replace("ISSUER", "https://id.example")
        ),
    )
    .unwrap();
    let o = serve_in(dir.path(), &[]).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("unknown field `client_secrett`"), "{err}");
}

#[test]
fn serve_refuses_a_plain_http_issuer_and_a_missing_secret() {
    let dir = tempfile::tempdir().unwrap();
    let toml = dir.path().join("piazza.toml");
    std::fs::write(
        &toml,
        OIDC_TABLE.replace("ISSUER", "http://id.comune.example"),
    )
    .unwrap();
    let o = serve_in(dir.path(), &[("PIAZZA_OIDC_CLIENT_SECRET", "s")])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("must use https"), "{err}");
    std::fs::write(&toml, OIDC_TABLE.replace("ISSUER", "https://id.example")).unwrap();
    let o = serve_in(dir.path(), &[]).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("PIAZZA_OIDC_CLIENT_SECRET"), "{err}");
}

#[test]
fn serve_names_an_unreachable_issuer_and_still_serves_the_login_page() {
    let dir = tempfile::tempdir().unwrap();
    let (port, idp) = (free_port(), free_port());
    let issuer = format!("http://127.0.0.1:{idp}");
    let secret = "env-secret-Zx81Kq";
    std::fs::write(
        dir.path().join("piazza.toml"),
        format!(
            "listen = \"127.0.0.1:{port}\"\ndata_dir = \"data\"\n{}",
            OIDC_TABLE.replace("ISSUER", &issuer)
        ),
    )
    .unwrap();
    let mut child = serve_in(dir.path(), &[("PIAZZA_OIDC_CLIENT_SECRET", secret)])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = Vec::new();
    let warning = loop {
        let line = lines
            .next()
            .unwrap_or_else(|| panic!("no OIDC warning in {seen:?}"))
            .unwrap();
        if line.contains("OIDC") {
            break line;
        }
        seen.push(line);
    };
    assert!(warning.starts_with("attenzione: "), "{warning}");
    assert!(warning.contains(&issuer), "{warning}");
    assert!(!warning.contains(secret));
    let page = wait_for(port, "/accesso");
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(page.contains("id=\"accesso-oidc\""), "{page}");
    let start = common::http_get(port, "/accesso/oidc").unwrap();
    assert!(start.starts_with("HTTP/1.1 502"), "{start}");
    child.kill().unwrap();
    child.wait().unwrap();
    // What the server logged meanwhile: the refusal, without the secret.
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let rest = rest.join("\n");
    assert!(rest.contains("OIDC provider unavailable"), "{rest}");
    assert!(!rest.contains(secret), "{rest}");
}
