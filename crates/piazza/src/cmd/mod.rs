pub mod analysis;
mod analysis_json;
pub mod backup;
pub mod bench;
pub mod calendar;
pub mod checkpoint;
pub mod config;
pub mod desk;
pub mod drafts;
pub mod editorial;
pub mod eval;
pub mod offices;
pub mod platforms;
pub mod policy;
pub mod serve;

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;
use piazza_desk::{Administration, Desk};

/// Where the data lives: shared by every command that uses the store.
#[derive(Args, Clone, Debug)]
pub struct StoreArgs {
    /// Data directory for the embedded SQLite database.
    #[arg(
        long,
        env = "PIAZZA_DATA_DIR",
        default_value = "piazza-data",
        global = true
    )]
    pub data_dir: PathBuf,
    /// A database URL (sqlite:PATH or postgres://...); overrides --data-dir.
    #[arg(
        long,
        env = "PIAZZA_DATABASE_URL",
        global = true,
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    /// The administration (slug) to work on; optional when there is one.
    #[arg(long = "ente", env = "PIAZZA_ENTE", global = true)]
    pub admin: Option<String>,
}

impl StoreArgs {
    /// These arguments completed by the configuration file: clap already
    /// applied PIAZZA_DATA_DIR / PIAZZA_DATABASE_URL and the flags; the
    /// file fills in only what they left at the default.
    pub fn with_file(&self, file: &config::FileConfig) -> StoreArgs {
        let mut store = self.clone();
        if store.database_url.is_none() {
            store.database_url = file.database_url.clone().filter(|u| !u.is_empty());
        }
        if config::env("PIAZZA_DATA_DIR").is_none()
            && store.data_dir == std::path::Path::new("piazza-data")
            && let Some(d) = file.data_dir.clone()
        {
            store.data_dir = d;
        }
        store
    }

    /// The desk over the database these arguments name, without the
    /// platform settings.
    pub fn open_desk(&self) -> anyhow::Result<Desk> {
        match &self.database_url {
            Some(url) if !url.is_empty() => Desk::open(url).with_context(|| {
                format!(
                    "impossibile aprire il database {}",
                    piazza_desk::redact_url(url)
                )
            }),
            _ => Desk::open_data_dir(&self.data_dir).with_context(|| {
                format!(
                    "impossibile aprire la cartella dei dati {}",
                    self.data_dir.display()
                )
            }),
        }
    }

    /// The desk for the commands that only read (audit, queue, reports,
    /// lists): it works on a database the process may not write, such as
    /// an auditor's read-only copy.
    pub fn read_desk(&self) -> anyhow::Result<Desk> {
        match &self.database_url {
            Some(url) if !url.is_empty() => Desk::open_read_only(url).with_context(|| {
                format!(
                    "impossibile aprire il database {}",
                    piazza_desk::redact_url(url)
                )
            }),
            _ => Desk::open_data_dir_read_only(&self.data_dir).with_context(|| {
                format!(
                    "impossibile aprire la cartella dei dati {}",
                    self.data_dir.display()
                )
            }),
        }
    }

    /// The desk with the platform settings of the configuration file
    /// (`PIAZZA_CONFIG` or `./piazza.toml`) and the environment.
    pub fn desk(&self) -> anyhow::Result<Desk> {
        self.desk_with(&config::load(None)?)
    }

    pub fn desk_with(&self, file: &config::FileConfig) -> anyhow::Result<Desk> {
        Ok(config::with_platforms(self.open_desk()?, file, &self.data_dir, 0)?.0)
    }

    /// The administration named by --admin, or the only one.
    pub fn administration(&self, desk: &Desk) -> anyhow::Result<Administration> {
        if let Some(slug) = &self.admin {
            return Ok(desk.administration(slug)?);
        }
        let all = desk.administrations()?;
        match all.len() {
            0 => bail!(
                "non c'è ancora nessun ente: creane uno con `piazza admin add --preset cento`"
            ),
            1 => Ok(all.into_iter().next().expect("one")),
            _ => {
                let slugs: Vec<String> = all.into_iter().map(|a| a.slug).collect();
                bail!(
                    "ci sono più enti ({}): scegline uno con --ente SLUG",
                    slugs.join(", ")
                )
            }
        }
    }
}

/// A progress bar on stderr, hidden when stderr is not a terminal.
pub fn progress_bar(len: Option<u64>, what: &str) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    let bar = match len {
        Some(n) => indicatif::ProgressBar::new(n),
        None => indicatif::ProgressBar::new_spinner(),
    };
    if !std::io::stderr().is_terminal() {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let style = match len {
        Some(_) => {
            indicatif::ProgressStyle::with_template("{msg} {bar:40} {pos}/{len} ({per_sec}, {eta})")
        }
        None => indicatif::ProgressStyle::with_template("{msg} {spinner} {pos} ({per_sec})"),
    };
    if let Ok(s) = style {
        bar.set_style(s);
    }
    bar.set_message(what.to_string());
    bar
}

/// Milliseconds to an ISO date-time in Europe/Rome.
pub fn iso(ms: i64) -> String {
    piazza_calendar::jiff::Timestamp::from_millisecond(ms)
        .map(piazza_calendar::format_instant)
        .unwrap_or_else(|_| ms.to_string())
}
