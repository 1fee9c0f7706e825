use thiserror::Error;

/// Everything that can go wrong while building or using a calendar.
///
/// Each message names the value that was rejected, so it can be shown as is to
/// whoever wrote the policy or typed the command.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum CalendarError {
    /// A time of day that is not `H:MM`/`HH:MM` (or `HH.MM`) between 00:00 and 24:00.
    #[error("invalid time of day `{0}`: expected HH:MM between 00:00 and 24:00")]
    InvalidTime(String),
    /// A day name that is neither Italian nor English.
    #[error(
        "unknown day `{0}`: expected one of lun, mar, mer, gio, ven, sab, dom or mon..sun, or a range such as lun-ven"
    )]
    UnknownDay(String),
    /// An interval given without any day.
    #[error("interval {interval} has no days")]
    NoDays {
        /// The interval, as `HH:MM-HH:MM`.
        interval: String,
    },
    /// An interval whose end is not after its start.
    #[error(
        "interval {from}-{to} ends before it starts or is empty (intervals cannot cross midnight: split them at 24:00)"
    )]
    EndsBeforeStart {
        /// The start as written.
        from: String,
        /// The end as written.
        to: String,
    },
    /// Two intervals of the same day that overlap.
    #[error("interval {interval} on {day} overlaps {existing}")]
    Overlap {
        /// Italian day name.
        day: &'static str,
        /// The interval being added.
        interval: String,
        /// The interval it collides with.
        existing: String,
    },
    /// A textual schedule that cannot be read.
    #[error("invalid schedule `{value}`: {reason}")]
    InvalidSchedule {
        /// The offending part of the text.
        value: String,
        /// What was expected.
        reason: String,
    },
    /// A working clock needs at least one open interval, or nothing would
    /// ever be taken in charge.
    #[error("the weekly schedule has no open hours")]
    EmptySchedule,
    /// A date-time that cannot be read.
    #[error(
        "invalid date-time `{value}`: expected e.g. 2026-12-24T11:30 (Europe/Rome) or 2026-12-24T11:30+01:00"
    )]
    InvalidInstant {
        /// The text given.
        value: String,
    },
    /// A calendar date that cannot be read or does not exist.
    #[error("invalid date `{0}`: expected YYYY-MM-DD")]
    InvalidDate(String),
    /// A patron day rule that does not describe a day.
    #[error("invalid patron day `{name}`: {reason}")]
    InvalidPatron {
        /// The saint's name as given.
        name: String,
        /// What is wrong with the rule.
        reason: String,
    },
    /// A closure whose hours are not a valid part of a day.
    #[error("invalid closure on {date}: {reason}")]
    InvalidClosure {
        /// The date of the closure.
        date: String,
        /// What is wrong.
        reason: String,
    },
    /// A courtesy fraction outside 0..=1.
    #[error("courtesy fraction {0} must be between 0 and 1")]
    InvalidCourtesyFraction(f64),
    /// Working time cannot be counted backwards.
    #[error("working time {0} is negative")]
    NegativeDuration(String),
    /// The schedule never opens within the search horizon (every day closed).
    #[error("no opening within {days} days after {after}")]
    NoOpening {
        /// The instant the search started from.
        after: String,
        /// How many days were searched.
        days: u32,
    },
    /// A computation ran past the dates `jiff` can represent (year 9999).
    #[error("date out of the supported range near {0}")]
    OutOfRange(String),
}
