//! `piazza demo` and `piazza serve` start a real server on loopback.

use std::io::{BufRead, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn get(port: u16, path: &str) -> Option<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    Some(out)
}

fn wait_for(port: u16, path: &str) -> String {
    let start = Instant::now();
    loop {
        if let Some(r) = get(port, path) {
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
    let policy = wait_for(port, "/enti/cento/policy");
    assert!(policy.starts_with("HTTP/1.1 200"), "{policy}");
    assert!(policy.contains("id=\"clausola-2\""));
    let desk = get(port, "/desk").unwrap();
    assert!(
        desk.starts_with("HTTP/1.1 303"),
        "the desk needs a login: {desk}"
    );
    let api = get(port, "/api/v1/coda").unwrap();
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
