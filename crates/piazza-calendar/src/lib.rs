//! Working time for an Italian public administration: national holidays,
//! the patron-saint day and extra closures ([`Calendar`]), the weekly hours in
//! which an office or a moderation team is at work ([`WeeklySchedule`]), the
//! arithmetic that counts only those hours ([`WorkingClock`]) and the response
//! deadlines that social media policies promise citizens ([`SlaDeadline`]).
//!
//! Everything is computed in `Europe/Rome` from a copy of the time zone
//! database compiled into the binary, so daylight saving time is right on any
//! machine. The crate does no I/O: instants are [`jiff::Timestamp`]s (store
//! them in UTC) and local dates are [`jiff::civil::Date`]s.
//!
//! ```
//! use piazza_calendar::{format_instant, parse_instant, Calendar, SlaRule, WeeklySchedule, WorkingClock};
//!
//! // Tradate moderates its Facebook page Monday to Friday, 9:00 to 12:00,
//! // and answers questions "entro 24 ore lavorative".
//! let hours: WeeklySchedule = "lun-ven 09:00-12:00".parse()?;
//! assert_eq!(
//!     hours.describe("Pagina moderata"),
//!     "Pagina moderata dal lunedì al venerdì, dalle 9:00 alle 12:00, festivi esclusi."
//! );
//! let clock = WorkingClock::new(hours, Calendar::national())?;
//!
//! // A question on Christmas Eve afternoon waits for the next opening.
//! let received = parse_instant("2026-12-24T17:05")?;
//! let sla = clock.deadline(received, &SlaRule::working_hours(24))?;
//! assert_eq!(format_instant(sla.taken_in_charge), "2026-12-28T09:00:00+01:00");
//! assert_eq!(format_instant(sla.deadline), "2027-01-08T12:00:00+01:00");
//! # Ok::<(), piazza_calendar::CalendarError>(())
//! ```

mod calendar;
mod clock;
mod error;
mod instant;
mod schedule;
mod sla;

pub use calendar::{
    Calendar, CalendarSpec, Closure, ClosureSpec, DayPart, Holiday, HolidayKind, PatronDay,
    PatronRule, PatronSpec, easter_sunday, month_name_it, national_holidays,
};
pub use clock::WorkingClock;
pub use error::CalendarError;
pub use instant::{
    day_label_it, format_instant, local_date, local_midnight, parse_date, parse_instant, rome,
    week_start,
};
pub use schedule::{
    Interval, IntervalSpec, ScheduleSpec, TimeOfDay, WeeklySchedule, parse_days, parse_weekday,
    weekday_name_it,
};
pub use sla::{SlaDeadline, SlaRule, SlaStatus};

/// The version of `jiff` whose types appear in this API, so callers need not
/// depend on it separately.
pub use jiff;
