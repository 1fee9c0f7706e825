//! The `piazza policy` commands end to end: exit codes, messages, files.

mod common;
use common::{piazza, stderr, stdout};

#[test]
fn list_shows_the_five_presets() {
    let o = piazza(&["policy", "list", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let names: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["cento", "maglione", "roma", "torino", "tradate"]);
    assert_eq!(v[0]["clauses"], 6);
}

#[test]
fn validate_a_preset_succeeds_with_warnings() {
    let o = piazza(&["policy", "validate", "torino"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("valida"));
    assert!(stderr(&o).contains("avviso"), "{}", stderr(&o));
}

#[test]
fn validate_a_broken_file_names_line_and_column_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rotta.toml");
    let o = piazza(&[
        "policy",
        "init",
        "--from",
        "cento",
        "-o",
        path.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&path).unwrap();
    let broken = text.replacen(
        "categories = [\"off_topic\"]",
        "categories = [\"fuori_tema\"]",
        1,
    );
    assert_ne!(text, broken);
    std::fs::write(&path, broken).unwrap();
    let o = piazza(&["policy", "validate", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    let line = text
        .lines()
        .position(|l| l == "categories = [\"off_topic\"]")
        .unwrap()
        + 1;
    assert!(
        err.contains(&format!(
            "rotta.toml:{line}:15: errore: valore sconosciuto `fuori_tema`"
        )),
        "{err}"
    );

    let o = piazza(&["policy", "validate", path.to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["valid"], false);
    assert_eq!(v["diagnostics"][0]["line"], line);
}

#[test]
fn init_refuses_to_overwrite_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.toml");
    std::fs::write(&path, "esistente").unwrap();
    let o = piazza(&[
        "policy",
        "init",
        "--from",
        "roma",
        "-o",
        path.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("esiste già"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "esistente");
    let o = piazza(&[
        "policy",
        "init",
        "--from",
        "roma",
        "-o",
        path.to_str().unwrap(),
        "--force",
    ]);
    assert!(o.status.success());
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("Roma Capitale")
    );
}

#[test]
fn render_writes_html_and_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("policy.html");
    let o = piazza(&[
        "policy",
        "render",
        "cento",
        "--format",
        "html",
        "--audience",
        "public",
        "-o",
        path.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(&path).unwrap();
    assert!(html.contains("<html lang=\"it\">"));
    assert!(html.contains("id=\"clausola-2\""));
    let o = piazza(&[
        "policy",
        "render",
        "maglione",
        "--format",
        "md",
        "--audience",
        "internal",
    ]);
    assert!(o.status.success());
    assert!(stdout(&o).contains(
        "## Utilizzo privato dei social da parte dei dipendenti (art. 11-ter D.P.R. 62/2013)"
    ));
}

#[test]
fn unknown_policy_and_usage_errors_have_distinct_exit_codes() {
    let o = piazza(&["policy", "show", "milano"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("nessun preset o file di nome `milano`"),
        "{}",
        stderr(&o)
    );
    let o = piazza(&["policy", "render", "cento", "--format", "pdf"]);
    assert_eq!(o.status.code(), Some(2));
    let o = piazza(&["policy", "frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn show_json_round_trips_the_policy() {
    let o = piazza(&["policy", "show", "tradate", "--json"]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["document"]["version"], "1.1");
    assert_eq!(v["response"]["working_hours"], 24);
}

/// `piazza analyze comments.jsonl | head -1`: the reader goes away after
/// the first line and the command ends quietly, without a panic or a
/// backtrace on the terminal.
#[test]
fn output_piped_into_a_reader_that_stops_early_ends_quietly() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.jsonl");
    let line = serde_json::json!({"id": "x", "text": "Quando riapre la biblioteca comunale di via Roma? Grazie mille"})
        .to_string();
    let lines: Vec<String> = (0..4000)
        .map(|i| line.replace("\"x\"", &format!("\"c{i}\"")))
        .collect();
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_piazza"))
        .args(["analyze", file.to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 64];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert!(!err.contains("Broken pipe"), "{err}");
}
