use std::sync::LazyLock;

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::{AmbiguousOffset, TimeZone, TimeZoneDatabase};

use crate::CalendarError;

static ROME: LazyLock<TimeZone> = LazyLock::new(|| {
    // The bundled database, not the system one: the answer must not depend on
    // whether the machine has /usr/share/zoneinfo or how old it is.
    TimeZoneDatabase::bundled()
        .get("Europe/Rome")
        .expect("the bundled tz database contains Europe/Rome")
});

/// The `Europe/Rome` time zone, from the database compiled into the binary.
pub fn rome() -> &'static TimeZone {
    &ROME
}

/// The civil date in Rome at `instant`.
pub fn local_date(instant: Timestamp) -> Date {
    instant.to_zoned(rome().clone()).date()
}

/// Reads a date-time typed by a person.
///
/// `2026-12-24T11:30`, `2026-12-24 11:30:00` or a bare `2026-12-24` (midnight)
/// are taken as Rome local time; `...+01:00` or `...Z` are taken as written.
/// A local time skipped by the spring DST change is moved forward by the gap
/// and one repeated in autumn means its first occurrence, as people usually
/// intend.
///
/// ```
/// use piazza_calendar::{format_instant, parse_instant};
/// let t = parse_instant("2026-07-01T10:00")?;
/// assert_eq!(format_instant(t), "2026-07-01T10:00:00+02:00");
/// assert_eq!(parse_instant("2026-07-01T08:00Z")?, t);
/// # Ok::<(), piazza_calendar::CalendarError>(())
/// ```
pub fn parse_instant(text: &str) -> Result<Timestamp, CalendarError> {
    let trimmed = text.trim();
    let invalid = || CalendarError::InvalidInstant {
        value: text.to_string(),
    };
    if let Ok(ts) = trimmed.parse::<Timestamp>() {
        return Ok(ts);
    }
    // A civil parse would silently drop an offset it cannot use, so only
    // offset-free text may take the local path.
    let has_offset = trimmed.get(10..).is_some_and(|time_part| {
        time_part.contains(['+', 'Z', 'z', '['])
            || time_part.get(1..).is_some_and(|rest| rest.contains('-'))
    });
    if has_offset {
        return Err(invalid());
    }
    let dt = trimmed
        .parse::<DateTime>()
        .or_else(|_| {
            trimmed
                .parse::<Date>()
                .map(|d| d.to_datetime(jiff::civil::Time::midnight()))
        })
        .map_err(|_| invalid())?;
    rome()
        .to_ambiguous_timestamp(dt)
        .compatible()
        .map_err(|_| invalid())
}

/// The instant the day `date` begins in Rome (midnight, or the first
/// instant after a gap).
pub fn local_midnight(date: Date) -> Result<Timestamp, CalendarError> {
    rome()
        .to_ambiguous_timestamp(date.to_datetime(jiff::civil::Time::midnight()))
        .compatible()
        .map_err(|_| CalendarError::OutOfRange(date.to_string()))
}

/// The Monday of the week `date` is in (Italian weeks start on Monday).
pub fn week_start(date: Date) -> Date {
    let back = i64::from(date.weekday().to_monday_zero_offset());
    date.checked_sub(jiff::Span::new().days(back))
        .unwrap_or(date)
}

/// A day as Italians write it: "lunedì 7 dicembre 2026".
pub fn day_label_it(date: Date) -> String {
    const WEEKDAYS: [&str; 7] = [
        "lunedì",
        "martedì",
        "mercoledì",
        "giovedì",
        "venerdì",
        "sabato",
        "domenica",
    ];
    format!(
        "{} {} {} {}",
        WEEKDAYS[date.weekday().to_monday_zero_offset() as usize],
        date.day(),
        crate::month_name_it(date.month()),
        date.year()
    )
}

/// Reads a `YYYY-MM-DD` date.
pub fn parse_date(text: &str) -> Result<Date, CalendarError> {
    text.trim()
        .parse::<Date>()
        .map_err(|_| CalendarError::InvalidDate(text.to_string()))
}

/// Writes an instant as an ISO 8601 date-time in Rome with its offset, to the
/// second: `2026-12-28T09:00:00+01:00`.
pub fn format_instant(instant: Timestamp) -> String {
    instant
        .to_zoned(rome().clone())
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// The instant at which a Rome wall-clock time happens, for schedule bounds.
///
/// A wall time inside the spring gap (02:00–03:00 on the last Sunday of
/// March) never shows on a clock, so it is clamped to the jump itself: an
/// interval 02:00–02:30 that day is empty and 01:00–02:30 lasts one hour. A
/// wall time repeated in autumn takes its first occurrence.
pub(crate) fn wall_clock_instant(dt: DateTime) -> Result<Timestamp, CalendarError> {
    let tz = rome();
    let ambiguous = tz.to_ambiguous_timestamp(dt);
    let out_of_range = || CalendarError::OutOfRange(dt.to_string());
    match ambiguous.offset() {
        AmbiguousOffset::Gap { after, .. } => {
            // Read with the later offset, the wall time lands before the jump;
            // the next transition from there is the jump.
            let before_jump = after.to_timestamp(dt).map_err(|_| out_of_range())?;
            tz.following(before_jump)
                .next()
                .map(|t| t.timestamp())
                .ok_or_else(out_of_range)
        }
        _ => ambiguous.earlier().map_err(|_| out_of_range()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn local_text_is_rome_time() {
        let cases = [
            ("2026-12-24T11:30", "2026-12-24T10:30:00Z"),
            ("2026-12-24T11:30:00", "2026-12-24T10:30:00Z"),
            ("2026-12-24 11:30", "2026-12-24T10:30:00Z"),
            (" 2026-12-24T11:30 ", "2026-12-24T10:30:00Z"),
            ("2026-07-01T11:30", "2026-07-01T09:30:00Z"),
            ("2026-12-24", "2026-12-23T23:00:00Z"),
            ("2026-12-24T11:30+01:00", "2026-12-24T10:30:00Z"),
            ("2026-12-24T11:30-05:00", "2026-12-24T16:30:00Z"),
            ("2026-12-24T10:30Z", "2026-12-24T10:30:00Z"),
            // Skipped by the spring change: moved forward by the gap.
            ("2026-03-29T02:30", "2026-03-29T01:30:00Z"),
            // Repeated in autumn: the first occurrence, still summer time.
            ("2026-10-25T02:30", "2026-10-25T00:30:00Z"),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_instant(text).unwrap(), utc(expected), "{text}");
        }
    }

    #[test]
    fn bad_text_is_named() {
        for bad in [
            "2026-13-01T10:00",
            "domani",
            "2026-12-24T25:00",
            "2026-12-24T11:30+99:00",
            "",
        ] {
            assert_eq!(
                parse_instant(bad),
                Err(CalendarError::InvalidInstant {
                    value: bad.to_string()
                }),
                "{bad}"
            );
        }
        assert_eq!(
            parse_date("2026-02-30"),
            Err(CalendarError::InvalidDate("2026-02-30".into()))
        );
    }

    #[test]
    fn formatting_follows_both_dst_switches_of_2026() {
        let cases = [
            // Last Sunday of March: 02:00 CET becomes 03:00 CEST.
            ("2026-03-29T00:59:59Z", "2026-03-29T01:59:59+01:00"),
            ("2026-03-29T01:00:00Z", "2026-03-29T03:00:00+02:00"),
            // Last Sunday of October: 03:00 CEST becomes 02:00 CET.
            ("2026-10-25T00:59:59Z", "2026-10-25T02:59:59+02:00"),
            ("2026-10-25T01:00:00Z", "2026-10-25T02:00:00+01:00"),
            ("2026-12-28T08:00:00Z", "2026-12-28T09:00:00+01:00"),
        ];
        for (instant, expected) in cases {
            assert_eq!(format_instant(utc(instant)), expected);
            assert_eq!(parse_instant(expected).unwrap(), utc(instant));
        }
        // The switches happen on the last Sunday, which moves every year.
        for (year, march, october) in [(2025, 30, 26), (2026, 29, 25), (2027, 28, 31)] {
            let before = format!("{year}-03-{march}T00:59:00Z");
            let after = format!("{year}-03-{march}T01:00:00Z");
            assert!(format_instant(utc(&before)).ends_with("+01:00"));
            assert!(format_instant(utc(&after)).ends_with("+02:00"));
            let before = format!("{year}-10-{october}T00:59:00Z");
            let after = format!("{year}-10-{october}T01:00:00Z");
            assert!(format_instant(utc(&before)).ends_with("+02:00"));
            assert!(format_instant(utc(&after)).ends_with("+01:00"));
        }
    }

    #[test]
    fn wall_clock_gap_is_clamped_to_the_jump() {
        let jump = utc("2026-03-29T01:00:00Z");
        for time in ["02:00", "02:30", "02:59"] {
            let dt: DateTime = format!("2026-03-29T{time}").parse().unwrap();
            assert_eq!(wall_clock_instant(dt).unwrap(), jump, "{time}");
        }
        let dt: DateTime = "2026-10-25T02:30".parse().unwrap();
        assert_eq!(wall_clock_instant(dt).unwrap(), utc("2026-10-25T00:30:00Z"));
        assert_eq!(
            local_date(utc("2026-12-31T23:30:00Z")).to_string(),
            "2027-01-01"
        );
    }

    #[test]
    fn weeks_start_on_monday_and_days_read_in_italian() {
        let sunday: Date = "2027-01-03".parse().unwrap();
        assert_eq!(week_start(sunday).to_string(), "2026-12-28");
        let monday: Date = "2026-12-07".parse().unwrap();
        assert_eq!(week_start(monday), monday);
        assert_eq!(day_label_it(monday), "lunedì 7 dicembre 2026");
        assert_eq!(day_label_it(sunday), "domenica 3 gennaio 2027");
        // Midnight in Rome is 23:00 UTC the day before in winter.
        assert_eq!(
            local_midnight(monday).unwrap().to_string(),
            "2026-12-06T23:00:00Z"
        );
    }
}
