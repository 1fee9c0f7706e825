//! Helpers shared by the command-line tests: run the binary, read what it
//! printed.

// Each test file uses its own subset of these.
#![allow(dead_code)]

use std::process::{Command, Output};

/// `piazza ARGS`, run to the end.
pub fn piazza(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_piazza"))
        .args(args)
        .output()
        .expect("run piazza")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
