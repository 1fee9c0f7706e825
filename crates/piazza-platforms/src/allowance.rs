//! Where a deployment counts what it has spent of a platform allowance
//! that all its connections share: the YouTube project's daily units, the
//! X app's monthly post reads. One process counts in memory
//! ([`MemoryLedger`]); several instances on one database count there (the
//! desk's ledger), so that together they spend no more than the platform
//! grants.

use std::collections::HashMap;
use std::sync::Mutex;

/// What an allowance has used in a period, and whether the platform said
/// it is used up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub used: u64,
    pub exhausted: bool,
}

/// The count of the allowances. `allowance` names one (`youtube_daily_units`),
/// `period` is the platform's own (a Pacific day, a UTC month), numbered by
/// the caller; a new period starts from nothing. Errors are the storage's,
/// in words fit for an operator.
pub trait AllowanceLedger: Send + Sync {
    /// Adds `units` to the period's use when the platform has not said it
    /// is used up and, with a `limit`, the total stays within it; `false`
    /// when refused (nothing is added).
    fn spend(
        &self,
        allowance: &str,
        period: i64,
        units: u64,
        limit: Option<u64>,
    ) -> Result<bool, String>;

    /// The platform said the allowance is used up for the period.
    fn exhaust(&self, allowance: &str, period: i64) -> Result<(), String>;

    fn usage(&self, allowance: &str, period: i64) -> Result<Usage, String>;
}

/// A ledger in this process's memory: right for one instance, and for
/// tests.
#[derive(Debug, Default)]
pub struct MemoryLedger {
    /// Per allowance, its current period and what was used in it.
    state: Mutex<HashMap<String, (i64, Usage)>>,
}

impl MemoryLedger {
    fn with<T>(&self, allowance: &str, period: i64, f: impl FnOnce(&mut Usage) -> T) -> T {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let entry = st
            .entry(allowance.to_string())
            .or_insert((period, Usage::default()));
        if entry.0 != period {
            *entry = (period, Usage::default());
        }
        f(&mut entry.1)
    }
}

impl AllowanceLedger for MemoryLedger {
    fn spend(
        &self,
        allowance: &str,
        period: i64,
        units: u64,
        limit: Option<u64>,
    ) -> Result<bool, String> {
        Ok(self.with(allowance, period, |u| {
            if u.exhausted || limit.is_some_and(|l| u.used + units > l) {
                false
            } else {
                u.used += units;
                true
            }
        }))
    }

    fn exhaust(&self, allowance: &str, period: i64) -> Result<(), String> {
        self.with(allowance, period, |u| u.exhausted = true);
        Ok(())
    }

    fn usage(&self, allowance: &str, period: i64) -> Result<Usage, String> {
        Ok(self.with(allowance, period, |u| *u))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spending_stops_at_the_limit_or_when_used_up_and_a_new_period_starts_afresh() {
        let l = MemoryLedger::default();
        assert!(l.spend("a", 1, 60, Some(100)).unwrap());
        assert!(!l.spend("a", 1, 41, Some(100)).unwrap());
        assert!(l.spend("a", 1, 40, Some(100)).unwrap());
        assert!(l.spend("a", 1, 5, None).unwrap(), "no limit: counted");
        assert!(l.spend("b", 1, 10, Some(10)).unwrap(), "another allowance");
        assert_eq!(
            l.usage("a", 1).unwrap(),
            Usage {
                used: 105,
                exhausted: false
            }
        );
        l.exhaust("a", 1).unwrap();
        assert!(!l.spend("a", 1, 1, None).unwrap());
        assert_eq!(l.usage("a", 2).unwrap(), Usage::default());
        assert!(l.spend("a", 2, 100, Some(100)).unwrap());
    }
}
