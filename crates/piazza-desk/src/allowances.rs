//! The platforms' shared allowances (the YouTube project's daily units, the
//! X app's monthly post reads) counted in the database, so that every
//! instance on it spends from one count: two instances with a count each
//! would together spend twice what the platform grants.

use std::sync::Arc;

use piazza_platforms::allowance::{AllowanceLedger, Usage};
use piazza_store::Store;

use crate::Desk;

/// The ledger in the desk's database.
struct DatabaseLedger {
    store: Store,
}

fn int(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl AllowanceLedger for DatabaseLedger {
    fn spend(
        &self,
        allowance: &str,
        period: i64,
        units: u64,
        limit: Option<u64>,
    ) -> Result<bool, String> {
        let (units, limit) = (int(units), limit.map_or(i64::MAX, int));
        self.store
            .write(|tx| {
                tx.execute(
                    "INSERT INTO platform_usage (allowance, period, used, exhausted) VALUES (?, ?, 0, 0)
                     ON CONFLICT (allowance, period) DO NOTHING",
                    &[allowance.into(), period.into()],
                )?;
                // The condition is read under the row's write lock: two
                // instances spending at once cannot both pass it.
                let spent = tx.execute(
                    "UPDATE platform_usage SET used = used + ?
                     WHERE allowance = ? AND period = ? AND exhausted = 0 AND used <= ?",
                    &[
                        units.into(),
                        allowance.into(),
                        period.into(),
                        limit.saturating_sub(units).into(),
                    ],
                )?;
                Ok::<_, piazza_store::StoreError>(spent == 1)
            })
            .map_err(|e| e.to_string())
    }

    fn exhaust(&self, allowance: &str, period: i64) -> Result<(), String> {
        self.store
            .write(|tx| {
                tx.execute(
                    "INSERT INTO platform_usage (allowance, period, used, exhausted) VALUES (?, ?, 0, 1)
                     ON CONFLICT (allowance, period) DO UPDATE SET exhausted = 1",
                    &[allowance.into(), period.into()],
                )?;
                Ok::<_, piazza_store::StoreError>(())
            })
            .map_err(|e| e.to_string())
    }

    fn usage(&self, allowance: &str, period: i64) -> Result<Usage, String> {
        self.store
            .read(|tx| {
                let row = tx.query_opt(
                    "SELECT used, exhausted FROM platform_usage WHERE allowance = ? AND period = ?",
                    &[allowance.into(), period.into()],
                )?;
                Ok::<_, piazza_store::StoreError>(match row {
                    Some(r) => Usage {
                        used: u64::try_from(r.int(0)?).unwrap_or(0),
                        exhausted: r.int(1)? != 0,
                    },
                    None => Usage::default(),
                })
            })
            .map_err(|e| e.to_string())
    }
}

impl Desk {
    /// A ledger of the platforms' allowances in this desk's database, for
    /// every instance that shares it.
    pub fn allowance_ledger(&self) -> Arc<dyn AllowanceLedger> {
        Arc::new(DatabaseLedger {
            store: self.store.clone(),
        })
    }
}
