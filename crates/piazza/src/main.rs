//! The `piazza` command: a thin command line over the Piazza crates.
//!
//! Conventions for every command: `--json` on anything that prints data;
//! exit code 0 on success, 1 for invalid input or a failed check, 2 for a
//! usage error (clap's own code); errors name the offending value.

mod cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "piazza",
    version,
    about = "Piazza: la social media policy di un ente pubblico, applicata ogni giorno.",
    long_about = None
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Policies: list, show, validate, render, init.
    #[command(subcommand)]
    Policy(cmd::policy::PolicyCommand),
}

/// What a command reports back to `main`: success, or a failed check whose
/// details were already printed.
pub enum Outcome {
    Ok,
    Failed,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Policy(c) => cmd::policy::run(c),
    };
    match result {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::Failed) => ExitCode::from(1),
        Err(e) => {
            eprintln!("errore: {e:#}");
            ExitCode::from(1)
        }
    }
}
