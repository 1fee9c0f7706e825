//! The platforms' shared allowances counted in the database: two instances
//! on one database spend from one count, on SQLite and PostgreSQL.

use std::sync::Arc;

use piazza_desk::Desk;
use piazza_platforms::Failure;
use piazza_platforms::allowance::AllowanceLedger;
use piazza_platforms::x::MonthlyReads;
use piazza_platforms::youtube::QuotaBudget;
use piazza_store::testing::test_stores;

/// 2026-12-05 12:00 UTC, in ms.
const NOON: i64 = 1_796_472_000_000;

#[test]
fn two_instances_spend_one_youtube_quota_and_count_one_month_of_x_reads() {
    for s in test_stores("desk_allowances") {
        let (one, other) = (Desk::new(s.store.clone()), Desk::new(s.store.clone()));
        let clock = Arc::new(|| NOON);
        let budget = |d: &Desk| {
            QuotaBudget::with_clock(100, 60, clock.clone()).counted_in(d.allowance_ledger())
        };
        let (a, b) = (budget(&one), budget(&other));
        let first = a.spend(40, false, NOON);
        assert!(first.is_ok(), "{}: {first:?}", s.label);
        // The other instance's pull may not eat into the reserve either.
        assert!(matches!(
            b.spend(1, false, NOON),
            Err(Failure::RateLimited { .. })
        ));
        assert!(b.spend(50, true, NOON).is_ok());
        assert!(a.spend(50, true, NOON).is_err(), "90 + 50 > 100");
        assert_eq!(a.status(NOON).unwrap().used, 90, "{}", s.label);
        assert_eq!(b.status(NOON).unwrap().used, 90);
        // YouTube said quotaExceeded to one: the other stops too.
        b.exhaust(NOON);
        assert!(a.spend(1, true, NOON).is_err());
        assert!(a.status(NOON).unwrap().exhausted);
        // The next Pacific day starts afresh for both.
        let tomorrow = NOON + 86_400_000;
        assert!(a.spend(50, true, tomorrow).is_ok());
        assert_eq!(b.status(tomorrow).unwrap().used, 50);
        assert!(!b.status(tomorrow).unwrap().exhausted);

        // X's reads: what one instance read, the other counts.
        let reads = |d: &Desk| MonthlyReads::new(Some(1000)).counted_in(d.allowance_ledger());
        let (ra, rb) = (reads(&one), reads(&other));
        ra.count(600, NOON);
        assert!(rb.open(NOON).is_ok());
        rb.count(400, NOON);
        assert!(
            matches!(ra.open(NOON), Err(Failure::RateLimited { .. })),
            "{}",
            s.label
        );
        assert_eq!(ra.status(NOON).unwrap().used, 1000);
        // X said usage-capped to one: the other stops too, until next month.
        let next_month = NOON + 31 * 86_400_000;
        rb.count(1, next_month);
        ra.capped(next_month);
        assert!(rb.open(next_month).is_err());
        assert_eq!(rb.status(next_month).unwrap().used, 1);
    }
}

/// Many spends at once from two instances: exactly what the limit allows
/// is granted, never more.
#[test]
fn spends_racing_from_two_instances_never_exceed_the_limit() {
    for s in test_stores("desk_allowances_race") {
        let ledgers: Vec<Arc<dyn AllowanceLedger>> = (0..2)
            .map(|_| Desk::new(s.store.clone()).allowance_ledger())
            .collect();
        let granted: usize = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..4)
                .map(|i| {
                    let l = ledgers[i % 2].clone();
                    scope.spawn(move || {
                        (0..40)
                            .filter(|_| l.spend("race", 7, 1, Some(100)).unwrap())
                            .count()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).sum()
        });
        assert_eq!(granted, 100, "{}", s.label);
        assert_eq!(ledgers[0].usage("race", 7).unwrap().used, 100);
    }
}
