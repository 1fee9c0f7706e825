//! A short run of every fuzz target, in the test suite: no input panics,
//! the well-formed seeds are accepted, and the mutations reach both the accepted and
//! the refused paths (a fuzzer that only produces garbage tests nothing).
//! The long runs (10 million inputs per target) are in `docs/fuzzing.md`.

use piazza_fuzz::{Target, fuzz};

#[test]
fn every_target_survives_a_short_run_and_reaches_both_answers() {
    for t in Target::ALL {
        // The first seed of each target is a well-formed input (the
        // others may be half-wrong on purpose).
        assert!(
            t.run(&t.seeds()[0]),
            "{}: the first seed is refused",
            t.name()
        );
        let r = fuzz(t, 20_000, 7, &mut |_| {});
        assert_eq!(r.inputs, 20_000);
        assert_eq!(
            r.panic_count,
            0,
            "{}: {:?}",
            t.name(),
            r.panics
                .iter()
                .map(|(i, m)| (String::from_utf8_lossy(i).into_owned(), m.clone()))
                .collect::<Vec<_>>()
        );
        assert!(r.accepted > 100, "{}: {} accepted", t.name(), r.accepted);
        assert!(r.refused > 100, "{}: {} refused", t.name(), r.refused);
    }
}
