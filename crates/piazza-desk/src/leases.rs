//! Several instances of `piazza serve` on one database. A periodic job
//! (the reply-clock sweep, the pulls of the platforms) is run by the
//! instance holding its lease, a row of `worker_leases` taken with one
//! conditional update, so it works alike on SQLite and PostgreSQL and
//! passes to another instance when the holder stops renewing it (a crash
//! costs at most one lease). Outbox steps and webhook deliveries are
//! claimed row by row instead ([`crate::outbox`], [`crate::platforms`]).

use std::sync::atomic::{AtomicU64, Ordering};

use crate::{Desk, Result};

closed_set! {
    /// A job that one instance at a time runs.
    pub enum WorkerJob ("lavoro periodico") {
        /// The reply clock: courtesy replies due and breaches.
        SlaSweep = "sla_sweep",
        /// The pulls of the accounts that send no webhooks.
        PlatformPull = "platform_pull",
    }
}

/// A name for this process among the instances: the host's name when
/// known, the process id, and a counter for desks opened in one process
/// (the tests run two "instances" side by side).
pub(crate) fn instance_name() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let host = std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|h| h.trim().to_string())
        })
        .unwrap_or_else(|| "host".into());
    format!(
        "{host}:{}:{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

impl Desk {
    /// This instance's name in leases and claims.
    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// Takes or renews the lease of `job` for `for_ms`: true when this
    /// instance holds it now and should run the job, false when another
    /// instance holds a lease that has not run out.
    pub fn try_lease(&self, job: WorkerJob, for_ms: i64) -> Result<bool> {
        let now = self.now();
        let me = self.instance.to_string();
        self.write(|tx| {
            tx.execute(
                "INSERT INTO worker_leases (job, holder, until_at) VALUES (?, ?, 0) ON CONFLICT (job) DO NOTHING",
                &[job.as_str().into(), (&me).into()],
            )?;
            let taken = tx.execute(
                "UPDATE worker_leases SET holder = ?, until_at = ? WHERE job = ? AND (until_at <= ? OR holder = ?)",
                &[
                    (&me).into(),
                    (now + for_ms).into(),
                    job.as_str().into(),
                    now.into(),
                    (&me).into(),
                ],
            )?;
            Ok(taken == 1)
        })
    }

    /// Gives the lease of `job` back (on shutdown), so another instance
    /// need not wait for it to run out.
    pub fn release_lease(&self, job: WorkerJob) -> Result<()> {
        let me = self.instance.to_string();
        self.write(|tx| {
            tx.execute(
                "UPDATE worker_leases SET until_at = 0 WHERE job = ? AND holder = ?",
                &[job.as_str().into(), (&me).into()],
            )?;
            Ok(())
        })
    }
}
