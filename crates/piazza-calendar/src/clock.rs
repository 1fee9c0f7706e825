//! Counting time only while an office (or a moderation team) is at work.

use jiff::civil::{Date, Time};
use jiff::{SignedDuration, Timestamp};

use crate::calendar::{Calendar, Closed};
use crate::instant::{format_instant, local_date, wall_clock_instant};
use crate::schedule::{TimeOfDay, WeeklySchedule};
use crate::sla::{SlaDeadline, SlaRule};
use crate::{CalendarError, Holiday};

/// How many consecutive days without any opening we accept before deciding
/// the schedule never opens: long enough for any real run of holidays and
/// closures, short enough to fail fast on a calendar that closes everything.
const MAX_CLOSED_DAYS: u32 = 3 * 366;

/// A weekly schedule and a calendar of closed days, in Europe/Rome.
///
/// Working time is real elapsed time inside open intervals: a 00:00–06:00
/// interval lasts five hours on the last Sunday of March and seven on the
/// last Sunday of October. The arithmetic walks day by day and interval by
/// interval, never minute by minute.
///
/// ```
/// use piazza_calendar::{parse_instant, Calendar, WorkingClock};
/// let clock = WorkingClock::new("lun-ven 09:00-13:00".parse()?, Calendar::national())?;
/// let friday_noon = parse_instant("2026-03-27T12:00")?;
/// let monday_ten = parse_instant("2026-03-30T10:00")?;
/// assert_eq!(clock.add_working_minutes(friday_noon, 120)?, monday_ten);
/// assert_eq!(clock.working_minutes_between(friday_noon, monday_ten)?, 120);
/// # Ok::<(), piazza_calendar::CalendarError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingClock {
    schedule: WeeklySchedule,
    calendar: Calendar,
}

impl WorkingClock {
    /// Combines hours and holidays; an empty schedule is refused because
    /// nothing would ever be taken in charge.
    pub fn new(schedule: WeeklySchedule, calendar: Calendar) -> Result<Self, CalendarError> {
        if schedule.is_empty() {
            return Err(CalendarError::EmptySchedule);
        }
        Ok(WorkingClock { schedule, calendar })
    }

    /// The weekly hours.
    pub fn schedule(&self) -> &WeeklySchedule {
        &self.schedule
    }

    /// The holidays and closures.
    pub fn calendar(&self) -> &Calendar {
        &self.calendar
    }

    /// Holidays and closures of `year` (see [`Calendar::holidays`]).
    pub fn holidays(&self, year: i16) -> Vec<Holiday> {
        self.calendar.holidays(year)
    }

    /// The open spans of `date` as instants, sorted and disjoint.
    fn open_spans(&self, date: Date) -> Result<Vec<(Timestamp, Timestamp)>, CalendarError> {
        let closed = self.calendar.closed_on(date);
        if closed == Closed::WholeDay {
            return Ok(Vec::new());
        }
        let mut minutes: Vec<(u16, u16)> = self
            .schedule
            .intervals(date.weekday())
            .iter()
            .map(|i| (i.from().minutes(), i.to().minutes()))
            .collect();
        if let Closed::Parts(parts) = closed {
            minutes = subtract(&minutes, &parts);
        }
        let mut spans = Vec::with_capacity(minutes.len());
        for (from, to) in minutes {
            let start = instant_at(date, from)?;
            let end = instant_at(date, to)?;
            // An interval lying wholly in the spring DST gap never happens.
            if start < end {
                spans.push((start, end));
            }
        }
        Ok(spans)
    }

    /// Calls `visit` with each open span that ends after `from`, trimmed to
    /// start no earlier than `from`, in time order, until it returns `Some`.
    fn scan_forward<T>(
        &self,
        from: Timestamp,
        mut visit: impl FnMut(Timestamp, Timestamp) -> Option<T>,
    ) -> Result<T, CalendarError> {
        let mut date = local_date(from);
        let mut closed_days = 0;
        loop {
            let spans = self.open_spans(date)?;
            let mut any = false;
            for (start, end) in spans {
                if end <= from {
                    continue;
                }
                any = true;
                if let Some(found) = visit(start.max(from), end) {
                    return Ok(found);
                }
            }
            closed_days = if any { 0 } else { closed_days + 1 };
            if closed_days > MAX_CLOSED_DAYS {
                return Err(CalendarError::NoOpening {
                    after: format_instant(from),
                    days: MAX_CLOSED_DAYS,
                });
            }
            date = date
                .tomorrow()
                .map_err(|_| CalendarError::OutOfRange(date.to_string()))?;
        }
    }

    /// Whether the office is open at `instant`.
    pub fn is_open_at(&self, instant: Timestamp) -> bool {
        // Spans of a date lie within that local date, so one day suffices.
        self.open_spans(local_date(instant))
            .map(|spans| spans.iter().any(|&(s, e)| s <= instant && instant < e))
            .unwrap_or(false)
    }

    /// The first open instant at or after `instant`: `instant` itself when
    /// open, otherwise the start of the next open interval.
    pub fn next_opening(&self, instant: Timestamp) -> Result<Timestamp, CalendarError> {
        self.scan_forward(instant, |start, _| Some(start))
    }

    /// The end of the open interval containing `instant`, or `None` if closed.
    /// When two intervals touch (12:00–13:00, 13:00–14:00) this is the end
    /// of the first.
    pub fn current_closing(&self, instant: Timestamp) -> Option<Timestamp> {
        let spans = self.open_spans(local_date(instant)).ok()?;
        spans
            .into_iter()
            .find(|&(s, e)| s <= instant && instant < e)
            .map(|(_, e)| e)
    }

    /// The earliest instant at which `amount` of working time has passed since
    /// `start`. With zero that is `start` itself; a result that falls at the end
    /// of an interval stays there (12:00, not the next morning).
    pub fn add_working_time(
        &self,
        start: Timestamp,
        amount: SignedDuration,
    ) -> Result<Timestamp, CalendarError> {
        if amount.is_negative() {
            return Err(CalendarError::NegativeDuration(format!("{amount:#}")));
        }
        if amount.is_zero() {
            return Ok(start);
        }
        let mut left = amount;
        self.scan_forward(start, |from, end| {
            let available = from.duration_until(end);
            if left <= available {
                Some(from.checked_add(left).ok()?)
            } else {
                left -= available;
                None
            }
        })
    }

    /// [`add_working_time`](Self::add_working_time) in minutes.
    pub fn add_working_minutes(
        &self,
        start: Timestamp,
        minutes: u32,
    ) -> Result<Timestamp, CalendarError> {
        self.add_working_time(start, SignedDuration::from_mins(i64::from(minutes)))
    }

    /// Working time from `a` to `b`, exact to the nanosecond; negative when
    /// `b` is before `a`.
    pub fn working_time_between(
        &self,
        a: Timestamp,
        b: Timestamp,
    ) -> Result<SignedDuration, CalendarError> {
        if b < a {
            return Ok(-self.working_time_between(b, a)?);
        }
        let mut total = SignedDuration::ZERO;
        let mut date = local_date(a);
        let last = local_date(b);
        while date <= last {
            for (start, end) in self.open_spans(date)? {
                let (start, end) = (start.max(a), end.min(b));
                if start < end {
                    total += start.duration_until(end);
                }
            }
            date = date
                .tomorrow()
                .map_err(|_| CalendarError::OutOfRange(date.to_string()))?;
        }
        Ok(total)
    }

    /// Whole working minutes from `a` to `b` (truncated toward zero).
    pub fn working_minutes_between(
        &self,
        a: Timestamp,
        b: Timestamp,
    ) -> Result<i64, CalendarError> {
        Ok(self.working_time_between(a, b)?.as_mins())
    }

    /// The response deadline for something received at `received`: taken in
    /// charge at the next opening, due after the rule's working time, with a
    /// courtesy reply due at the rule's fraction of it.
    pub fn deadline(
        &self,
        received: Timestamp,
        rule: &SlaRule,
    ) -> Result<SlaDeadline, CalendarError> {
        self.deadline_counted_on(self, received, rule)
    }

    /// The response deadline when the time is counted on another clock than
    /// the one that takes things in charge: Tradate's question is taken in
    /// charge when the page is next moderated (this clock) and answered
    /// "nell'arco delle 24 ore lavorative successive", hours of working days
    /// (`counting`). Received Monday 10:00 inside the hours, due Tuesday
    /// 10:00; Friday 11:00, due Monday 11:00.
    pub fn deadline_counted_on(
        &self,
        counting: &WorkingClock,
        received: Timestamp,
        rule: &SlaRule,
    ) -> Result<SlaDeadline, CalendarError> {
        let taken_in_charge = self.next_opening(received)?;
        Ok(SlaDeadline {
            received,
            taken_in_charge,
            courtesy_due: counting.add_working_time(taken_in_charge, rule.courtesy_time())?,
            deadline: counting.add_working_time(taken_in_charge, rule.response())?,
        })
    }
}

/// The instant of a Rome wall-clock minute of `date` (1440 = next midnight).
fn instant_at(date: Date, minute: u16) -> Result<Timestamp, CalendarError> {
    let out_of_range = || CalendarError::OutOfRange(date.to_string());
    let datetime = if minute >= TimeOfDay::END_OF_DAY.minutes() {
        date.tomorrow()
            .map_err(|_| out_of_range())?
            .to_datetime(Time::midnight())
    } else {
        let time = Time::new((minute / 60) as i8, (minute % 60) as i8, 0, 0)
            .map_err(|_| out_of_range())?;
        date.to_datetime(time)
    };
    wall_clock_instant(datetime)
}

/// `open` minus `closed`, both as minute ranges; `open` sorted and disjoint.
fn subtract(open: &[(u16, u16)], closed: &[(u16, u16)]) -> Vec<(u16, u16)> {
    let mut out = Vec::new();
    for &(from, to) in open {
        let mut pieces = vec![(from, to)];
        for &(c_from, c_to) in closed {
            pieces = pieces
                .into_iter()
                .flat_map(|(f, t)| {
                    let before = (f, t.min(c_from));
                    let after = (f.max(c_to), t);
                    [before, after].into_iter().filter(|(a, b)| a < b)
                })
                .collect();
        }
        out.extend(pieces);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Closure, PatronDay, format_instant, parse_instant};
    use jiff::civil::{Weekday, date};
    use proptest::prelude::*;

    fn at(text: &str) -> Timestamp {
        parse_instant(text).unwrap()
    }

    fn clock(hours: &str, calendar: Calendar) -> WorkingClock {
        WorkingClock::new(hours.parse().unwrap(), calendar).unwrap()
    }

    fn tradate() -> WorkingClock {
        clock(
            "lun-ven 09:00-12:00",
            Calendar::national().with_patron(PatronDay::fixed("Santo Stefano", 12, 26).unwrap()),
        )
    }

    fn cento() -> WorkingClock {
        clock(
            "lun-ven 09:00-13:00",
            Calendar::national().with_patron(PatronDay::fixed("San Biagio", 2, 3).unwrap()),
        )
    }

    #[test]
    fn twenty_four_working_hours_are_hours_of_working_days() {
        let intake = tradate();
        let days = WorkingClock::new(
            WeeklySchedule::working_days(),
            Calendar::national().with_patron(PatronDay::fixed("Santo Stefano", 12, 26).unwrap()),
        )
        .unwrap();
        let rule = SlaRule::working_hours(24);
        // (received, taken in charge, due)
        let cases = [
            // Inside the moderation hours: taken in charge at once.
            ("2026-11-23T10:00", "2026-11-23T10:00", "2026-11-24T10:00"),
            // Friday: the weekend does not count.
            ("2026-11-27T11:00", "2026-11-27T11:00", "2026-11-30T11:00"),
            // Saturday evening: taken in charge on Monday at 9.
            ("2026-11-28T20:00", "2026-11-30T09:00", "2026-12-01T09:00"),
            // Monday 7 December 10:00: the 8th is a holiday, due the 9th.
            ("2026-12-07T10:00", "2026-12-07T10:00", "2026-12-09T10:00"),
            // Thursday 24 December 11:00: Christmas, Santo Stefano and the
            // weekend do not count, due Monday 28th 11:00.
            ("2026-12-24T11:00", "2026-12-24T11:00", "2026-12-28T11:00"),
        ];
        for (received, taken, due) in cases {
            let d = intake
                .deadline_counted_on(&days, at(received), &rule)
                .unwrap();
            assert_eq!(
                format_instant(d.taken_in_charge),
                format_instant(at(taken)),
                "{received}"
            );
            assert_eq!(
                format_instant(d.deadline),
                format_instant(at(due)),
                "{received}"
            );
            // The courtesy reply at 75%: 18 hours of working days.
            assert_eq!(
                days.working_minutes_between(d.taken_in_charge, d.courtesy_due)
                    .unwrap(),
                18 * 60
            );
        }
        // Counted on the three-hour moderation window instead, the same
        // Monday question would be due eight working days later: the reading
        // this clock replaces.
        let old = intake.deadline(at("2026-11-23T10:00"), &rule).unwrap();
        assert_eq!(
            format_instant(old.deadline),
            format_instant(at("2026-12-03T10:00"))
        );
    }

    #[test]
    fn empty_schedule_is_refused() {
        assert_eq!(
            WorkingClock::new(WeeklySchedule::new(), Calendar::national()),
            Err(CalendarError::EmptySchedule)
        );
    }

    #[test]
    fn open_and_next_opening_on_seed_hours() {
        let tradate = tradate();
        let cento = cento();
        // (clock, instant, open?, next opening)
        let cases = [
            (
                &tradate,
                "2026-12-24T11:30",
                true,
                "2026-12-24T11:30:00+01:00",
            ),
            (
                &tradate,
                "2026-12-24T12:00",
                false,
                "2026-12-28T09:00:00+01:00",
            ),
            (
                &tradate,
                "2026-12-24T08:59",
                false,
                "2026-12-24T09:00:00+01:00",
            ),
            (
                &tradate,
                "2026-12-31T10:00",
                true,
                "2026-12-31T10:00:00+01:00",
            ),
            (
                &tradate,
                "2027-01-01T10:00",
                false,
                "2027-01-04T09:00:00+01:00",
            ),
            (
                &tradate,
                "2027-01-05T12:30",
                false,
                "2027-01-07T09:00:00+01:00",
            ),
            (
                &cento,
                "2026-12-24T12:30",
                true,
                "2026-12-24T12:30:00+01:00",
            ),
            (
                &cento,
                "2026-12-24T13:00",
                false,
                "2026-12-28T09:00:00+01:00",
            ),
            (
                &cento,
                "2026-02-03T10:00",
                false,
                "2026-02-04T09:00:00+01:00",
            ),
            (
                &cento,
                "2026-02-02T12:59",
                true,
                "2026-02-02T12:59:00+01:00",
            ),
            // Easter Monday 2026 and the Tuesday after.
            (
                &cento,
                "2026-04-06T10:00",
                false,
                "2026-04-07T09:00:00+02:00",
            ),
            // 4 October is a Monday in 2027.
            (
                &cento,
                "2027-10-04T10:00",
                false,
                "2027-10-05T09:00:00+02:00",
            ),
        ];
        for (clock, instant, open, next) in cases {
            let t = at(instant);
            assert_eq!(clock.is_open_at(t), open, "{instant}");
            assert_eq!(
                format_instant(clock.next_opening(t).unwrap()),
                next,
                "{instant}"
            );
        }
    }

    #[test]
    fn san_francesco_closes_from_2026_only() {
        // A schedule that includes Saturday shows the change: 4 October is a
        // Saturday in 2025 (ordinary) and a Monday in 2027 (holiday).
        let c = clock("lun-sab 09:00-12:00", Calendar::national());
        assert!(c.is_open_at(at("2025-10-04T10:00")));
        assert!(!c.is_open_at(at("2027-10-04T10:00")));
    }

    #[test]
    fn both_dst_weekends_of_2026() {
        let c = clock("lun-ven 09:00-12:00", Calendar::national());
        // Spring: Friday 27 March CET, Monday 30 March CEST.
        let friday = at("2026-03-27T11:00");
        let monday = c.next_opening(at("2026-03-28T10:00")).unwrap();
        assert_eq!(format_instant(monday), "2026-03-30T09:00:00+02:00");
        assert_eq!(
            format_instant(c.add_working_minutes(friday, 120).unwrap()),
            "2026-03-30T10:00:00+02:00"
        );
        assert_eq!(
            c.working_minutes_between(at("2026-03-27T12:00"), monday)
                .unwrap(),
            0
        );
        // Autumn: Friday 23 October CEST, Monday 26 October CET.
        let monday = c.next_opening(at("2026-10-24T10:00")).unwrap();
        assert_eq!(format_instant(monday), "2026-10-26T09:00:00+01:00");
        assert_eq!(
            format_instant(c.add_working_minutes(at("2026-10-23T11:00"), 120).unwrap()),
            "2026-10-26T10:00:00+01:00"
        );
        assert_eq!(
            c.working_minutes_between(at("2026-10-23T09:00"), at("2026-10-26T12:00"))
                .unwrap(),
            360
        );
    }

    #[test]
    fn night_intervals_spanning_the_dst_switch() {
        // A weekend night shift: Saturday 22:00 to Sunday 06:00.
        let c = clock("sab 22:00-24:00; dom 00:00-06:00", Calendar::national());
        let cases = [
            // (Saturday 22:00, working minutes of the whole shift, end of shift)
            ("2026-03-28T22:00", 7 * 60, "2026-03-29T06:00:00+02:00"),
            ("2026-10-24T22:00", 9 * 60, "2026-10-25T06:00:00+01:00"),
            ("2026-11-14T22:00", 8 * 60, "2026-11-15T06:00:00+01:00"),
        ];
        for (start, minutes, end) in cases {
            let start = at(start);
            let end = parse_instant(end).unwrap();
            assert_eq!(c.working_minutes_between(start, end).unwrap(), minutes);
            assert_eq!(c.add_working_minutes(start, minutes as u32).unwrap(), end);
        }
        // Seven hours into the October shift is 04:00 winter time: the hour
        // 02:00-03:00 was worked twice.
        assert_eq!(
            format_instant(
                c.add_working_minutes(at("2026-10-24T22:00"), 7 * 60)
                    .unwrap()
            ),
            "2026-10-25T04:00:00+01:00"
        );
        // Both occurrences of 02:30 on 25 October are open.
        assert!(c.is_open_at(at("2026-10-25T02:30+02:00")));
        assert!(c.is_open_at(at("2026-10-25T02:30+01:00")));
        // The shift ends at 06:00 and reopens next Saturday.
        assert_eq!(
            format_instant(c.next_opening(at("2026-03-29T06:00")).unwrap()),
            "2026-04-04T22:00:00+02:00"
        );
    }

    #[test]
    fn intervals_inside_the_spring_gap() {
        let c = clock("dom 01:00-02:30; lun 09:00-10:00", Calendar::national());
        let sunday = |d: &str| (at(&format!("{d}T00:00")), at(&format!("{d}T12:00")));
        let (a, b) = sunday("2026-03-29");
        // 01:00 to the jump at 02:00, which is already 03:00.
        assert_eq!(c.working_minutes_between(a, b).unwrap(), 60);
        let (a, b) = sunday("2026-03-22");
        assert_eq!(c.working_minutes_between(a, b).unwrap(), 90);
        let gap_only = clock("dom 02:00-02:30; lun 09:00-10:00", Calendar::national());
        assert_eq!(
            format_instant(gap_only.next_opening(at("2026-03-29T00:00")).unwrap()),
            "2026-03-30T09:00:00+02:00"
        );
    }

    #[test]
    fn tradate_christmas_to_new_year() {
        let c = tradate();
        let sla = c
            .deadline(at("2026-12-24T17:05"), &SlaRule::working_hours(24))
            .unwrap();
        assert_eq!(format_instant(sla.received), "2026-12-24T17:05:00+01:00");
        assert_eq!(
            format_instant(sla.taken_in_charge),
            "2026-12-28T09:00:00+01:00"
        );
        // 24 h = 8 mornings of 3 h: 28, 29, 30, 31 Dec, 4, 5, 7, 8 Jan
        // (1 Jan Capodanno and 6 Jan Epifania closed).
        assert_eq!(format_instant(sla.deadline), "2027-01-08T12:00:00+01:00");
        // 75% = 18 h = 6 mornings: up to 5 Jan.
        assert_eq!(
            format_instant(sla.courtesy_due),
            "2027-01-05T12:00:00+01:00"
        );
        assert_eq!(
            c.working_minutes_between(sla.taken_in_charge, sla.deadline)
                .unwrap(),
            24 * 60
        );

        // Received while open: the clock starts at once. 30 min on the 24th,
        // then 7 full mornings to 7 Jan and 2 h 30 on 8 Jan.
        let sla = c
            .deadline(at("2026-12-24T11:30"), &SlaRule::working_hours(24))
            .unwrap();
        assert_eq!(
            format_instant(sla.taken_in_charge),
            "2026-12-24T11:30:00+01:00"
        );
        assert_eq!(format_instant(sla.deadline), "2027-01-08T11:30:00+01:00");
    }

    #[test]
    fn christmas_eve_afternoon_closure() {
        let calendar = Calendar::national().with_closure(
            Closure::part_of_day(
                date(2026, 12, 24),
                TimeOfDay::new(12, 0).unwrap(),
                TimeOfDay::END_OF_DAY,
                "Vigilia",
            )
            .unwrap(),
        );
        let c = clock("lun-ven 09:00-13:00", calendar);
        assert!(c.is_open_at(at("2026-12-24T11:59")));
        assert!(!c.is_open_at(at("2026-12-24T12:00")));
        assert_eq!(
            c.current_closing(at("2026-12-24T11:00")),
            Some(at("2026-12-24T12:00"))
        );
        assert_eq!(
            format_instant(c.add_working_minutes(at("2026-12-24T11:00"), 90).unwrap()),
            "2026-12-28T09:30:00+01:00"
        );
    }

    #[test]
    fn closure_in_the_middle_of_an_interval_splits_it() {
        let calendar = Calendar::national().with_closure(
            Closure::part_of_day(
                date(2026, 11, 4),
                TimeOfDay::new(10, 0).unwrap(),
                TimeOfDay::new(11, 0).unwrap(),
                "Assemblea",
            )
            .unwrap(),
        );
        let c = clock("lun-ven 09:00-13:00", calendar);
        let (a, b) = (at("2026-11-04T00:00"), at("2026-11-05T00:00"));
        assert_eq!(c.working_minutes_between(a, b).unwrap(), 180);
        assert_eq!(
            format_instant(c.next_opening(at("2026-11-04T10:15")).unwrap()),
            "2026-11-04T11:00:00+01:00"
        );
    }

    #[test]
    fn cento_across_san_biagio() {
        let rule = SlaRule::working_hours(24);
        let received = at("2026-02-02T12:00");
        // 24 h = 6 mornings of 4 h: 1 h on Monday 2, Tuesday 3 closed for
        // San Biagio, then 4, 5, 6, 9, 10 (21 h) and 3 h on Wednesday 11.
        let with_patron = cento().deadline(received, &rule).unwrap();
        assert_eq!(
            format_instant(with_patron.deadline),
            "2026-02-11T12:00:00+01:00"
        );
        let without = clock("lun-ven 09:00-13:00", Calendar::national())
            .deadline(received, &rule)
            .unwrap();
        assert_eq!(
            format_instant(without.deadline),
            "2026-02-10T12:00:00+01:00"
        );
    }

    #[test]
    fn roma_across_santi_pietro_e_paolo() {
        let roma = clock(
            "lun-ven 09:00-13:00 14:00-18:00",
            Calendar::national()
                .with_patron(PatronDay::fixed("Santi Pietro e Paolo", 6, 29).unwrap()),
        );
        // Friday 26 June 17:00: 1 h on Friday, Monday 29 closed, then
        // 4 h + 3 h on Tuesday 30.
        let sla = roma
            .deadline(at("2026-06-26T17:00"), &SlaRule::working_hours(8))
            .unwrap();
        assert_eq!(format_instant(sla.deadline), "2026-06-30T17:00:00+02:00");
        assert_eq!(date(2026, 6, 29).weekday(), Weekday::Monday);
        // Festa della Repubblica, Tuesday 2 June, is closed too.
        assert_eq!(
            format_instant(roma.next_opening(at("2026-06-01T18:30")).unwrap()),
            "2026-06-03T09:00:00+02:00"
        );
    }

    #[test]
    fn zero_and_negative_working_time() {
        let c = tradate();
        let closed = at("2026-12-26T10:00");
        assert_eq!(c.add_working_minutes(closed, 0).unwrap(), closed);
        assert!(matches!(
            c.add_working_time(closed, SignedDuration::from_mins(-5)),
            Err(CalendarError::NegativeDuration(_))
        ));
        let (a, b) = (at("2026-12-28T09:00"), at("2026-12-29T10:00"));
        assert_eq!(c.working_minutes_between(a, b).unwrap(), 240);
        assert_eq!(c.working_minutes_between(b, a).unwrap(), -240);
    }

    #[test]
    fn a_calendar_that_never_opens_fails_instead_of_looping() {
        let days = (0..4000).map(|n| {
            Closure::whole_day(
                date(2026, 1, 1)
                    .checked_add(jiff::Span::new().days(n))
                    .unwrap(),
                "Chiuso",
            )
        });
        let c = clock(
            "lun-ven 09:00-12:00",
            Calendar::national().with_closures(days),
        );
        assert!(matches!(
            c.next_opening(at("2026-01-01T00:00")),
            Err(CalendarError::NoOpening { .. })
        ));
    }

    #[test]
    fn large_sums_are_fast() {
        // Ten years of working time, interval by interval.
        let c = cento();
        let start = at("2026-01-01T00:00");
        let end = c.add_working_minutes(start, 10 * 250 * 4 * 60).unwrap();
        assert_eq!(
            c.working_minutes_between(start, end).unwrap(),
            10 * 250 * 4 * 60
        );
        assert!(local_date(end).year() >= 2035);
    }

    fn clocks() -> Vec<WorkingClock> {
        vec![
            tradate(),
            cento(),
            clock(
                "lun-ven 09:00-13:00; mar,gio 15:00-17:00",
                Calendar::national(),
            ),
            clock(
                "sab 22:00-24:00; dom 00:00-06:00; mer 02:00-02:45",
                Calendar::national(),
            ),
            clock("dom 01:00-03:30", Calendar::national()),
        ]
    }

    fn instant_strategy() -> impl Strategy<Value = Timestamp> {
        // 2025-01-01 to 2029-01-01, at second precision.
        (1_735_689_600i64..1_861_920_000).prop_map(|s| Timestamp::from_second(s).unwrap())
    }

    proptest! {
        #[test]
        fn add_then_between_is_the_identity(
            which in 0usize..5,
            start in instant_strategy(),
            minutes in 0u32..20_000,
        ) {
            let c = &clocks()[which];
            let end = c.add_working_minutes(start, minutes).unwrap();
            prop_assert!(end >= start);
            prop_assert_eq!(
                c.working_time_between(start, end).unwrap(),
                SignedDuration::from_mins(i64::from(minutes))
            );
            // The earliest such instant: a second before, something is missing.
            if minutes > 0 {
                let before = end.checked_sub(SignedDuration::from_secs(1)).unwrap();
                prop_assert!(
                    c.working_time_between(start, before).unwrap()
                        < SignedDuration::from_mins(i64::from(minutes))
                );
            }
        }

        #[test]
        fn between_then_add_lands_at_or_before(
            which in 0usize..5,
            a in instant_strategy(),
            b in instant_strategy(),
        ) {
            let c = &clocks()[which];
            let (a, b) = (a.min(b), a.max(b));
            let worked = c.working_time_between(a, b).unwrap();
            let reached = c.add_working_time(a, worked).unwrap();
            prop_assert!(reached <= b);
            prop_assert_eq!(c.working_time_between(reached, b).unwrap(), SignedDuration::ZERO);
        }

        #[test]
        fn next_opening_is_open(which in 0usize..5, t in instant_strategy()) {
            let c = &clocks()[which];
            let next = c.next_opening(t).unwrap();
            prop_assert!(next >= t);
            prop_assert!(c.is_open_at(next));
            prop_assert_eq!(c.is_open_at(t), next == t);
            prop_assert_eq!(c.working_time_between(t, next).unwrap(), SignedDuration::ZERO);
        }
    }
}
