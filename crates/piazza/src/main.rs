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
    #[command(flatten)]
    store: cmd::StoreArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Policies: list, show, validate, render, init; activate a new version, history.
    #[command(subcommand)]
    Policy(cmd::policy::PolicyCommand),
    /// Analyse comments (JSONL in, JSONL out) against a policy.
    Analyze(cmd::analysis::AnalyzeArgs),
    /// Train the analysis model from the corpora (reproducible).
    Train(cmd::analysis::TrainArgs),
    /// What `analyze` flags, scored on a labelled TSV file; `--cv K` trains
    /// each fold's model and compares with a TF-IDF + SVM baseline.
    Eval(cmd::eval::EvalArgs),
    /// Checks on a text the administration writes: plain language
    /// (Gulpease), bureaucratic formulas, personal data, partisan wording,
    /// hashtags, platform limits.
    #[command(subcommand)]
    Editorial(cmd::editorial::EditorialCommand),
    /// Throughput benchmarks.
    #[command(subcommand)]
    Bench(cmd::bench::BenchCommand),
    /// Administrations served by this deployment.
    #[command(subcommand)]
    Admin(cmd::desk::AdminCommand),
    /// Official accounts: add, list, check compliance.
    #[command(subcommand)]
    Accounts(cmd::desk::AccountsCommand),
    /// Staff, assignments, handovers, credential rotations.
    #[command(subcommand)]
    Staff(cmd::desk::StaffCommand),
    /// Offices that comments are forwarded to, and their staff.
    #[command(subcommand)]
    Offices(cmd::offices::OfficesCommand),
    /// Tickets: an office answers, asks the URP, closes; the URP replies.
    #[command(subcommand)]
    Tickets(cmd::offices::TicketsCommand),
    /// E-mail notifications: the SMTP server, the mails, sending.
    #[command(subcommand)]
    Mail(cmd::offices::MailCommand),
    /// Import comments from a JSONL or CSV file.
    Import(cmd::desk::ImportArgs),
    /// The moderation queue.
    #[command(subcommand)]
    Queue(cmd::desk::QueueCommand),
    /// Act on a comment (every restrictive action cites a clause).
    Act(cmd::desk::ActArgs),
    /// Connect an account to its platform (Facebook Page, Instagram).
    #[command(subcommand)]
    Connect(cmd::platforms::ConnectCommand),
    /// The connections: check tokens and permissions, disconnect.
    #[command(subcommand)]
    Connectors(cmd::platforms::ConnectorsCommand),
    /// Read recent posts and comments of a connected account (resumable).
    Sync(cmd::platforms::SyncArgs),
    /// Decisions on their way to the platforms: deliver, list, retry.
    #[command(subcommand)]
    Outbox(cmd::platforms::OutboxCommand),
    /// The audit log.
    #[command(subcommand)]
    Audit(cmd::desk::AuditCommand),
    /// The key that seals secrets at rest: seal them again under a new one.
    #[command(subcommand)]
    Secrets(cmd::platforms::SecretsCommand),
    /// Drafts of the administration's publications: open, revise,
    /// comment, submit, approve, reject, list, show.
    #[command(subcommand)]
    Drafts(cmd::drafts::DraftsCommand),
    /// Election periods (L. 28/2000 art. 9): record, list.
    #[command(subcommand)]
    Elections(cmd::desk::ElectionsCommand),
    /// Requests to review a decision (riesame): queue, record, decide.
    #[command(subcommand)]
    Appeals(cmd::desk::AppealsCommand),
    /// Retention of texts and personal data.
    #[command(subcommand)]
    Retention(cmd::desk::RetentionCommand),
    /// Reports.
    #[command(subcommand)]
    Report(cmd::desk::ReportCommand),
    /// Holidays and opening hours of a policy.
    #[command(subcommand)]
    Calendar(cmd::calendar::CalendarCommand),
    /// Reply deadlines in working time.
    Sla(cmd::calendar::SlaArgs),
    /// Copy the SQLite database while Piazza runs, and check the copy's
    /// audit chains (PostgreSQL: pg_dump, see docs/operations.md).
    Backup(cmd::backup::BackupArgs),
    /// Restore a copy made by `piazza backup` as the configured database.
    Restore(cmd::backup::RestoreArgs),
    /// Serve the web desk (config file + PIAZZA_* environment).
    Serve(cmd::serve::ServeArgs),
    /// A fresh demo desk with a seed policy, staff logins and comments
    /// arriving from the sandbox platform.
    Demo(cmd::serve::DemoArgs),
}

/// What a command reports back to `main`: success, or a failed check whose
/// details were already printed.
pub enum Outcome {
    Ok,
    Failed,
}

fn main() -> ExitCode {
    restore_sigpipe();
    let cli = Cli::parse();
    let store = &cli.store;
    let result = match cli.command {
        Command::Policy(c) => cmd::policy::run(store, c),
        Command::Analyze(a) => cmd::analysis::analyze(a),
        Command::Train(a) => cmd::analysis::train(a),
        Command::Eval(a) => cmd::eval::eval(a),
        Command::Editorial(c) => cmd::editorial::editorial(c),
        Command::Bench(c) => cmd::bench::bench(c),
        Command::Admin(c) => cmd::desk::admin(store, c),
        Command::Accounts(c) => cmd::desk::accounts(store, c),
        Command::Staff(c) => cmd::desk::staff(store, c),
        Command::Offices(c) => cmd::offices::offices(store, c),
        Command::Tickets(c) => cmd::offices::tickets(store, c),
        Command::Mail(c) => cmd::offices::mail(store, c),
        Command::Import(a) => cmd::desk::import(store, a),
        Command::Queue(c) => cmd::desk::queue(store, c),
        Command::Act(a) => cmd::desk::act(store, a),
        Command::Connect(c) => cmd::platforms::connect(store, c),
        Command::Connectors(c) => cmd::platforms::connectors(store, c),
        Command::Secrets(c) => cmd::platforms::secrets(store, c),
        Command::Sync(a) => cmd::platforms::sync(store, a),
        Command::Outbox(c) => cmd::platforms::outbox(store, c),
        Command::Audit(c) => cmd::desk::audit(store, c),
        Command::Appeals(c) => cmd::desk::appeals(store, c),
        Command::Elections(c) => cmd::desk::elections(store, c),
        Command::Drafts(c) => cmd::drafts::drafts(store, c),
        Command::Retention(c) => cmd::desk::retention(store, c),
        Command::Report(c) => cmd::desk::report(store, c),
        Command::Calendar(c) => cmd::calendar::calendar(c),
        Command::Sla(a) => cmd::calendar::sla(store, a),
        Command::Backup(a) => cmd::backup::backup(store, a),
        Command::Restore(a) => cmd::backup::restore(store, a),
        Command::Serve(a) => cmd::serve::serve(store, a),
        Command::Demo(a) => cmd::serve::demo(a),
    };
    match result {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::Failed) => ExitCode::from(1),
        Err(e) => {
            // Desk errors have an Italian message and a stable code.
            match e.downcast_ref::<piazza_desk::DeskError>() {
                Some(d) => eprintln!("errore [{}]: {}", d.code(), d.message_it()),
                None => eprintln!("errore: {e:#}"),
            }
            ExitCode::from(1)
        }
    }
}

/// Rust ignores SIGPIPE, so a write to a pipe whose reader has gone
/// (`piazza audit log | head`) fails and `println!` panics with a
/// backtrace. A command-line tool should end quietly, as `cat` does: the
/// default action is put back.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called once at start, before any thread exists; SIG_DFL is a
    // valid disposition for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
