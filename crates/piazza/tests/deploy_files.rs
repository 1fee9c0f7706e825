//! The deployment files (`deploy/`) and the pages that explain them
//! (`docs/deployment.md`, `docs/threat-model.md`) against the code: every
//! `PIAZZA_*` variable they name is one the code reads, the systemd units
//! and the container image run commands and flags that exist, the hardening
//! the documentation promises is in the unit, the numbers quoted are the
//! code's, and every file path and test the pages cite exists.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

fn is_var_char(c: char) -> bool {
    c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'
}

/// Every `PIAZZA_*` name in `text`.
fn named(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(i) = rest.find("PIAZZA_") {
        let before = rest[..i].chars().next_back();
        let tail = &rest[i..];
        let end = tail.find(|c| !is_var_char(c)).unwrap_or(tail.len());
        if !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            out.insert(tail[..end].trim_end_matches('_').to_string());
        }
        rest = &tail[end..];
    }
    out
}

/// The variables the program reads: names in string literals of the
/// command's sources (`env("PIAZZA_X")`, clap's `env = "PIAZZA_X"`), and
/// those piazza-web's build script reads at build time.
fn read_by_the_code() -> BTreeSet<String> {
    let mut files = Vec::new();
    rust_files(&root().join("crates/piazza/src"), &mut files);
    files.push(root().join("crates/piazza-web/build.rs"));
    let mut vars = BTreeSet::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for v in named(&text) {
            if text.contains(&format!("\"{v}\"")) {
                vars.insert(v);
            }
        }
    }
    vars
}

#[test]
fn the_scanner_finds_names_and_skips_longer_words() {
    let n = named("a PIAZZA_SECRET_KEY=x, `PIAZZA_DATA_DIR` and XPIAZZA_NO, PIAZZA_*");
    assert_eq!(
        n.into_iter().collect::<Vec<_>>(),
        vec![
            "PIAZZA".to_string(),
            "PIAZZA_DATA_DIR".into(),
            "PIAZZA_SECRET_KEY".into()
        ]
    );
    let code = read_by_the_code();
    for v in ["PIAZZA_DATABASE_URL", "PIAZZA_SECRET_KEY", "PIAZZA_LISTEN"] {
        assert!(code.contains(v), "{v} not found in the sources: {code:?}");
    }
    assert!(!code.contains("PIAZZA_NOT_A_SETTING"));
}

#[test]
fn every_variable_the_deployment_names_is_read_by_the_code() {
    let code = read_by_the_code();
    for file in [
        "deploy/piazza.env.example",
        "deploy/piazza.service",
        "deploy/piazza-retention@.service",
        "deploy/Containerfile",
        "docs/deployment.md",
    ] {
        // `PIAZZA_*` written as a pattern is not a variable.
        let unknown: Vec<String> = named(&read(file))
            .into_iter()
            .filter(|v| v != "PIAZZA" && !code.contains(v))
            .collect();
        assert!(
            unknown.is_empty(),
            "{file} names variables that no code reads: {unknown:?}"
        );
    }
}

#[test]
fn the_environment_example_is_an_environment_file_with_the_essentials() {
    let text = read("deploy/piazza.env.example");
    let mut set = BTreeSet::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line
            .split_once('=')
            .unwrap_or_else(|| panic!("line {}: not KEY=VALUE: {line}", n + 1));
        assert!(
            !key.is_empty() && key.chars().all(is_var_char) && !key.starts_with(char::is_numeric),
            "line {}: `{key}` is not a variable name (no `export`, no spaces)",
            n + 1
        );
        assert!(
            !value.starts_with(' '),
            "line {}: a space after `=` is part of the value",
            n + 1
        );
        assert!(set.insert(key.to_string()), "{key} is set twice");
    }
    for v in [
        "PIAZZA_DATABASE_URL",
        "PIAZZA_SECRET_KEY",
        "PIAZZA_LISTEN",
        "PIAZZA_SECURE_COOKIES",
    ] {
        assert!(set.contains(v), "the example sets no {v}");
    }
    // The database URL is PostgreSQL, over the local socket.
    assert!(text.contains("PIAZZA_DATABASE_URL='postgres://"));
}

/// The arguments of every `ExecStart=` of a unit, with `%i` as `cento`.
fn exec_starts(unit: &str) -> Vec<Vec<String>> {
    read(unit)
        .lines()
        .filter_map(|l| l.strip_prefix("ExecStart="))
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let mut words = l.split_whitespace();
            assert_eq!(
                words.next(),
                Some("/usr/local/bin/piazza"),
                "{unit}: ExecStart runs another program"
            );
            words.map(|w| w.replace("%i", "cento")).collect()
        })
        .collect()
}

/// Runs the binary with `args` and `--help`: clap refuses an unknown
/// subcommand or flag before it prints any help.
fn assert_runs(args: &[String], what: &str) {
    let out = Command::new(env!("CARGO_BIN_EXE_piazza"))
        .args(args)
        .arg("--help")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{what}: `piazza {}` is not a valid command line: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_units_run_subcommands_and_flags_that_exist() {
    for unit in ["deploy/piazza.service", "deploy/piazza-retention@.service"] {
        let starts = exec_starts(unit);
        assert_eq!(starts.len(), 1, "{unit}: one ExecStart");
        assert_runs(&starts[0], unit);
    }
    assert_eq!(exec_starts("deploy/piazza.service")[0], ["serve"]);
    assert_eq!(
        exec_starts("deploy/piazza-retention@.service")[0][..2],
        ["retention", "run"]
    );
    let timer = read("deploy/piazza-retention@.timer");
    assert!(timer.contains("[Timer]") && timer.contains("OnCalendar="));
}

#[test]
fn the_service_has_the_hardening_the_documentation_promises() {
    let doc = read("docs/deployment.md");
    for unit in ["deploy/piazza.service", "deploy/piazza-retention@.service"] {
        let text = read(unit);
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        for directive in [
            "User=piazza",
            "Group=piazza",
            "StateDirectory=piazza",
            "WorkingDirectory=/var/lib/piazza",
            "Environment=PIAZZA_DATA_DIR=/var/lib/piazza",
            "EnvironmentFile=/etc/piazza/piazza.env",
            "UMask=0077",
            "NoNewPrivileges=yes",
            "ProtectSystem=strict",
            "ReadWritePaths=/var/lib/piazza",
            "ProtectHome=yes",
            "PrivateTmp=yes",
            "CapabilityBoundingSet=",
            "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
            "SystemCallFilter=@system-service",
            "SystemCallFilter=~@privileged @resources",
            "MemoryDenyWriteExecute=yes",
        ] {
            assert!(lines.contains(&directive), "{unit} lacks `{directive}`");
        }
        assert!(!text.contains("User=root"));
    }
    let service = read("deploy/piazza.service");
    assert!(service.lines().any(|l| l == "Restart=on-failure"));
    // What the page says the unit does, the unit does.
    for promise in [
        "ProtectSystem=strict",
        "CapabilityBoundingSet=",
        "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
        "SystemCallFilter=@system-service",
        "MemoryDenyWriteExecute",
        "Restart=on-failure",
        "StateDirectory=piazza",
    ] {
        assert!(
            doc.contains(promise) && service.contains(promise),
            "{promise}"
        );
    }
}

/// The instruction's argument, for the lines starting with `instruction`.
fn instructions<'a>(file: &'a str, instruction: &str) -> Vec<&'a str> {
    file.lines()
        .filter_map(|l| l.strip_prefix(instruction))
        .filter_map(|l| l.strip_prefix(' '))
        .map(str::trim)
        .collect()
}

#[test]
fn the_image_runs_serve_as_an_unprivileged_user_on_the_exposed_port() {
    let file = read("deploy/Containerfile");
    let entry: Vec<String> = serde_json::from_str(instructions(&file, "ENTRYPOINT")[0]).unwrap();
    assert_eq!(entry, ["piazza"]);
    let cmd: Vec<String> = serde_json::from_str(instructions(&file, "CMD")[0]).unwrap();
    assert_runs(&cmd, "the image's CMD");
    assert_eq!(cmd[0], "serve");
    let listen = cmd
        .iter()
        .position(|a| a == "--listen")
        .map(|i| cmd[i + 1].clone())
        .expect("CMD sets --listen");
    let port = listen.rsplit(':').next().unwrap();
    assert_eq!(instructions(&file, "EXPOSE"), [port]);
    assert!(
        listen.starts_with("0.0.0.0:"),
        "inside a container the desk must listen beyond loopback"
    );
    let user = instructions(&file, "USER");
    assert_eq!(user.len(), 1);
    assert!(!user[0].starts_with("root") && !user[0].starts_with('0'));
    // The volume is the data directory.
    let volume: Vec<String> = serde_json::from_str(instructions(&file, "VOLUME")[0]).unwrap();
    assert!(
        instructions(&file, "ENV").contains(&format!("PIAZZA_DATA_DIR={}", volume[0]).as_str())
    );
    // Builder and runtime on the same Debian release (glibc), a toolchain
    // no older than the workspace's rust-version.
    let from = instructions(&file, "FROM");
    assert_eq!(from.len(), 2, "a multi-stage build");
    let builder = from[0].split_whitespace().next().unwrap();
    let runtime = from[1];
    let tag = builder
        .strip_prefix("docker.io/library/rust:")
        .expect("the builder is the official rust image");
    let (toolchain, release) = tag.split_once('-').expect("rust:VERSION-RELEASE");
    assert_eq!(runtime, format!("docker.io/library/debian:{release}-slim"));
    let cargo: toml::Value = toml::from_str(&read("Cargo.toml")).unwrap();
    let minimum = cargo["workspace"]["package"]["rust-version"]
        .as_str()
        .unwrap();
    let v = |s: &str| -> Vec<u32> { s.split('.').map(|x| x.parse().unwrap()).collect() };
    assert!(v(toolchain) >= v(minimum), "rust {toolchain} < {minimum}");
    assert!(file.contains("cargo build --release --locked -p piazza"));
    // Only what the build reads is copied: never the target directory.
    for copy in instructions(&file, "COPY") {
        if !copy.starts_with("--from") {
            assert!(
                copy == "Cargo.toml Cargo.lock ./" || copy == "crates ./crates",
                "unexpected COPY {copy}"
            );
        }
    }
}

#[test]
fn the_numbers_the_deployment_page_quotes_are_the_codes() {
    let doc = read("docs/deployment.md")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let throttle = read("crates/piazza-web/src/throttle.rs");
    for (quoted, code) in [
        (
            "30 attempts a minute per address",
            "LOGIN_ATTEMPTS_PER_MINUTE: u32 = 30;",
        ),
        (
            "10 per username",
            "LOGIN_ATTEMPTS_PER_USERNAME_MINUTE: u32 = 10;",
        ),
        (
            "public forms (10 a minute per address)",
            "PUBLIC_FORMS_PER_MINUTE: u32 = 10;",
        ),
    ] {
        assert!(doc.contains(quoted), "the page no longer says `{quoted}`");
        assert!(
            throttle.contains(code),
            "throttle.rs no longer has `{code}`"
        );
    }
    assert!(doc.contains("webhook deliveries are up to 4 MiB"));
    assert!(
        read("crates/piazza-web/src/webhooks.rs")
            .contains("MAX_DELIVERY_BYTES: usize = 4 * 1024 * 1024;")
    );
    assert!(doc.contains("lockout after five failures"));
    assert!(read("crates/piazza-desk/src/sessions.rs").contains("MAX_FAILED_LOGINS: i64 = 5;"));
    assert!(doc.contains("`outbox_lease_seconds`, 120 by default"));
    assert!(
        read("crates/piazza/src/cmd/config.rs").contains("outbox_lease_seconds.unwrap_or(120)")
    );
    // What csrf.rs accepts of the proxy's headers.
    let csrf = read("crates/piazza-web/src/csrf.rs");
    assert!(csrf.contains("get(\"x-forwarded-host\")") && doc.contains("X-Forwarded-Host"));
    let web = {
        let mut files = Vec::new();
        rust_files(&root().join("crates/piazza-web/src"), &mut files);
        files
            .iter()
            .map(|f| std::fs::read_to_string(f).unwrap().to_lowercase())
            .collect::<String>()
    };
    assert!(
        !web.contains("x-forwarded-for") && !web.contains("x-forwarded-proto"),
        "the page says X-Forwarded-For and -Proto are not read"
    );
    // Migrations run at open, under a lock.
    assert!(
        read("crates/piazza-store/src/migrate.rs")
            .contains("LOCK TABLE schema_migrations IN EXCLUSIVE MODE")
    );
    // PostgreSQL without TLS, as the page warns.
    assert!(read("crates/piazza-store/src/lib.rs").contains("postgres::NoTls"));
}

#[test]
fn the_deployment_page_names_every_deployment_file() {
    let doc = read("docs/deployment.md");
    for e in std::fs::read_dir(root().join("deploy")).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        assert!(
            doc.contains(&format!("deploy/{name}")),
            "docs/deployment.md does not mention deploy/{name}"
        );
    }
}

/// Every test function of the workspace's integration tests, browser
/// tests included (by their `test('...')` titles' file).
fn test_functions() -> BTreeSet<String> {
    let mut files = Vec::new();
    for e in std::fs::read_dir(root().join("crates")).unwrap() {
        let crate_dir = e.unwrap().path();
        for sub in ["tests", "src"] {
            if crate_dir.join(sub).is_dir() {
                rust_files(&crate_dir.join(sub), &mut files);
            }
        }
    }
    let mut out = BTreeSet::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for line in text.lines() {
            let line = line.trim_start();
            let rest = line
                .strip_prefix("async fn ")
                .or_else(|| line.strip_prefix("fn "));
            if let Some(rest) = rest {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                out.insert(name);
            }
        }
    }
    out
}

#[test]
fn the_pages_cite_files_and_tests_that_exist() {
    let tests = test_functions();
    for page in ["docs/deployment.md", "docs/threat-model.md"] {
        let text = read(page);
        let mut cited = 0;
        for span in text.split('`').skip(1).step_by(2) {
            // A path of the repository.
            let path = span.split([' ', ',', ':']).next().unwrap_or("");
            if ["crates/", "deploy/", "docs/", "tests/", "scripts/"]
                .iter()
                .any(|p| path.starts_with(p))
                && !path.contains(['*', '{', '<'])
            {
                cited += 1;
                assert!(
                    root().join(path).exists(),
                    "{page} cites {path}, which does not exist"
                );
            }
            // A test: a snake_case name of four words or more.
            if span.matches('_').count() >= 3
                && span
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            {
                cited += 1;
                assert!(
                    tests.contains(span),
                    "{page} cites the test `{span}`, which does not exist"
                );
            }
        }
        assert!(cited > 5, "{page} cites the code it relies on");
    }
}
