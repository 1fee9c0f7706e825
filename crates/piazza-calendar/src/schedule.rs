//! Weekly opening hours: parsing, validation and the Italian sentence that
//! publishes them.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use jiff::civil::Weekday;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::CalendarError;

/// A wall-clock time of day in Rome with minute precision, from 00:00 to
/// 24:00 inclusive (24:00 only makes sense as the end of an interval).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeOfDay(u16);

impl TimeOfDay {
    /// 00:00.
    pub const MIDNIGHT: TimeOfDay = TimeOfDay(0);
    /// 24:00, the end of the day.
    pub const END_OF_DAY: TimeOfDay = TimeOfDay(24 * 60);

    /// `hour:minute`; 24:00 is allowed, nothing after it.
    pub fn new(hour: u8, minute: u8) -> Result<Self, CalendarError> {
        let minutes = u16::from(hour) * 60 + u16::from(minute);
        if minute >= 60 || minutes > 24 * 60 {
            return Err(CalendarError::InvalidTime(format!("{hour}:{minute:02}")));
        }
        Ok(TimeOfDay(minutes))
    }

    /// Minutes since midnight, 0..=1440.
    pub fn minutes(self) -> u16 {
        self.0
    }

    /// The hour, 0..=24.
    pub fn hour(self) -> u8 {
        (self.0 / 60) as u8
    }

    /// The minute, 0..=59.
    pub fn minute(self) -> u8 {
        (self.0 % 60) as u8
    }

    /// "9:00": Italian prose writes hours without a leading zero.
    fn prose(self) -> String {
        format!("{}:{:02}", self.hour(), self.minute())
    }

    /// "dalle 9:00", or "dall'1:00" since "l'una" elides the article.
    pub(crate) fn since_phrase_it(self) -> String {
        if self.hour() == 1 {
            format!("dall'{}", self.prose())
        } else {
            format!("dalle {}", self.prose())
        }
    }

    /// "alle 12:00", or "all'1:00".
    pub(crate) fn until_phrase_it(self) -> String {
        if self.hour() == 1 {
            format!("all'{}", self.prose())
        } else {
            format!("alle {}", self.prose())
        }
    }
}

impl fmt::Display for TimeOfDay {
    /// `HH:MM`, as in policy files.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour(), self.minute())
    }
}

impl FromStr for TimeOfDay {
    type Err = CalendarError;

    /// `9:00`, `09:00`, `09.00` (as Cento writes it) or a bare hour `9`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || CalendarError::InvalidTime(text.to_string());
        let trimmed = text.trim();
        let (hour, minute) = match trimmed.split_once([':', '.']) {
            Some((h, m)) if m.len() == 2 => (h, m),
            Some(_) => return Err(invalid()),
            None => (trimmed, "00"),
        };
        let digits =
            |s: &str| !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(hour) || !digits(minute) {
            return Err(invalid());
        }
        let hour: u8 = hour.parse().map_err(|_| invalid())?;
        let minute: u8 = minute.parse().map_err(|_| invalid())?;
        TimeOfDay::new(hour, minute).map_err(|_| invalid())
    }
}

impl Serialize for TimeOfDay {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TimeOfDay {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A non-empty span of one day, `from` inclusive, `to` exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Interval {
    from: TimeOfDay,
    to: TimeOfDay,
}

impl Interval {
    /// Rejects intervals that are empty or end before they start: a night
    /// shift is two intervals, one ending at 24:00 and one starting at 00:00.
    pub fn new(from: TimeOfDay, to: TimeOfDay) -> Result<Self, CalendarError> {
        if to <= from {
            return Err(CalendarError::EndsBeforeStart {
                from: from.to_string(),
                to: to.to_string(),
            });
        }
        Ok(Interval { from, to })
    }

    /// Start.
    pub fn from(self) -> TimeOfDay {
        self.from
    }

    /// End (exclusive).
    pub fn to(self) -> TimeOfDay {
        self.to
    }

    fn overlaps(self, other: Interval) -> bool {
        self.from < other.to && other.from < self.to
    }

    fn phrase_it(self) -> String {
        format!(
            "{} {}",
            self.from.since_phrase_it(),
            self.to.until_phrase_it()
        )
    }
}

impl fmt::Display for Interval {
    /// `09:00-13:00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.from, self.to)
    }
}

impl FromStr for Interval {
    type Err = CalendarError;

    /// `09:00-13:00`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (from, to) = text
            .split_once('-')
            .ok_or_else(|| CalendarError::InvalidSchedule {
                value: text.to_string(),
                reason: "expected an interval such as 09:00-13:00".to_string(),
            })?;
        Interval::new(from.parse()?, to.parse()?)
    }
}

const DAYS: [Weekday; 7] = [
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Friday,
    Weekday::Saturday,
    Weekday::Sunday,
];

fn day_index(day: Weekday) -> usize {
    day.to_monday_zero_offset() as usize
}

/// The Italian name of a weekday, lower case: "lunedì", ..., "domenica".
pub fn weekday_name_it(day: Weekday) -> &'static str {
    [
        "lunedì",
        "martedì",
        "mercoledì",
        "giovedì",
        "venerdì",
        "sabato",
        "domenica",
    ][day_index(day)]
}

/// The short Italian code used in schedule texts: "lun", ..., "dom".
pub(crate) fn weekday_code(day: Weekday) -> &'static str {
    ["lun", "mar", "mer", "gio", "ven", "sab", "dom"][day_index(day)]
}

/// Reads a day name, Italian or English, short or long, any case, with or
/// without the accent: "lun", "lunedì", "lunedi", "mon", "Monday".
pub fn parse_weekday(text: &str) -> Result<Weekday, CalendarError> {
    let lower = text.trim().to_lowercase();
    let day = match lower.as_str() {
        "lun" | "lunedì" | "lunedi" | "mon" | "monday" => Weekday::Monday,
        "mar" | "martedì" | "martedi" | "tue" | "tuesday" => Weekday::Tuesday,
        "mer" | "mercoledì" | "mercoledi" | "wed" | "wednesday" => Weekday::Wednesday,
        "gio" | "giovedì" | "giovedi" | "thu" | "thursday" => Weekday::Thursday,
        "ven" | "venerdì" | "venerdi" | "fri" | "friday" => Weekday::Friday,
        "sab" | "sabato" | "sat" | "saturday" => Weekday::Saturday,
        "dom" | "domenica" | "sun" | "sunday" => Weekday::Sunday,
        _ => return Err(CalendarError::UnknownDay(text.to_string())),
    };
    Ok(day)
}

/// Reads a list of days: names separated by commas or spaces, and ranges
/// within a week such as "lun-ven" or "mon-fri" ("ven-lun" is rejected rather
/// than guessed to wrap around the weekend).
pub fn parse_days(text: &str) -> Result<Vec<Weekday>, CalendarError> {
    let mut days = Vec::new();
    for item in text.split([',', ' ']).filter(|s| !s.trim().is_empty()) {
        match item.split_once('-') {
            Some((first, last)) => {
                let (first, last) = (parse_weekday(first)?, parse_weekday(last)?);
                if day_index(last) < day_index(first) {
                    return Err(CalendarError::UnknownDay(item.to_string()));
                }
                days.extend(&DAYS[day_index(first)..=day_index(last)]);
            }
            None => days.push(parse_weekday(item)?),
        }
    }
    days.sort_by_key(|d| day_index(*d));
    days.dedup();
    Ok(days)
}

/// Opening hours for each day of the week, in Rome local time. Days can
/// have several intervals; intervals of one day never overlap.
///
/// Build one from text, from a [`ScheduleSpec`] (as found in a policy TOML)
/// or interval by interval:
///
/// ```
/// use piazza_calendar::WeeklySchedule;
/// let hours: WeeklySchedule = "lun-ven 09:00-13:00; mar,gio 15:00-17:00".parse()?;
/// assert_eq!(
///     hours.describe("Canali monitorati"),
///     "Canali monitorati dal lunedì al venerdì dalle 9:00 alle 13:00; \
///      martedì e giovedì anche dalle 15:00 alle 17:00, festivi esclusi."
/// );
/// assert_eq!(hours.to_string(), "lun-ven 09:00-13:00; mar,gio 15:00-17:00");
/// # Ok::<(), piazza_calendar::CalendarError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct WeeklySchedule {
    /// Indexed from Monday; each list sorted by start.
    days: [Vec<Interval>; 7],
}

/// Days grouped by the intervals they share, as a bit mask from Monday.
type Group = (u8, Vec<Interval>);

impl WeeklySchedule {
    /// Monday to Friday, the usual office week.
    pub const MON_FRI: [Weekday; 5] = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
    ];

    /// A schedule with no open hours.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every hour of Monday to Friday: the clock of "ore lavorative" read
    /// as hours of working days (with a calendar, holidays are closed).
    pub fn working_days() -> Self {
        let whole_day = Interval {
            from: TimeOfDay::MIDNIGHT,
            to: TimeOfDay::END_OF_DAY,
        };
        let mut s = Self::new();
        s.add(&Self::MON_FRI, whole_day)
            .expect("Monday to Friday, whole days, do not overlap");
        s
    }

    /// Opens `interval` on each of `days`.
    pub fn add(&mut self, days: &[Weekday], interval: Interval) -> Result<(), CalendarError> {
        if days.is_empty() {
            return Err(CalendarError::NoDays {
                interval: interval.to_string(),
            });
        }
        // Check every day first so a failed add leaves the schedule unchanged.
        for &day in days {
            if let Some(existing) = self.days[day_index(day)]
                .iter()
                .find(|i| i.overlaps(interval))
            {
                return Err(CalendarError::Overlap {
                    day: weekday_name_it(day),
                    interval: interval.to_string(),
                    existing: existing.to_string(),
                });
            }
        }
        for &day in days {
            let list = &mut self.days[day_index(day)];
            // A day listed twice in `days` must not get the interval twice.
            if !list.contains(&interval) {
                list.push(interval);
                list.sort();
            }
        }
        Ok(())
    }

    /// Builder form of [`add`](Self::add).
    pub fn with(mut self, days: &[Weekday], interval: Interval) -> Result<Self, CalendarError> {
        self.add(days, interval)?;
        Ok(self)
    }

    /// The intervals of `day`, sorted.
    pub fn intervals(&self, day: Weekday) -> &[Interval] {
        &self.days[day_index(day)]
    }

    /// Whether no day has open hours.
    pub fn is_empty(&self) -> bool {
        self.days.iter().all(Vec::is_empty)
    }

    /// Open minutes in a week without holidays (wall-clock, ignoring DST).
    pub fn weekly_minutes(&self) -> u32 {
        self.days
            .iter()
            .flatten()
            .map(|i| u32::from(i.to.0 - i.from.0))
            .sum()
    }

    /// Groups days that share intervals: each interval goes with the set of
    /// days it is open on, and intervals with the same set travel together.
    /// Larger sets come first, so the main hours lead and the extras follow;
    /// then the week's order.
    fn groups(&self) -> Vec<Group> {
        let mut by_interval: BTreeMap<Interval, u8> = BTreeMap::new();
        for (index, list) in self.days.iter().enumerate() {
            for &interval in list {
                *by_interval.entry(interval).or_default() |= 1 << index;
            }
        }
        let mut by_mask: BTreeMap<u8, Vec<Interval>> = BTreeMap::new();
        for (interval, mask) in by_interval {
            by_mask.entry(mask).or_default().push(interval);
        }
        let mut groups: Vec<Group> = by_mask.into_iter().collect();
        groups.sort_by_key(|(mask, intervals)| {
            (
                std::cmp::Reverse(mask.count_ones()),
                mask.trailing_zeros(),
                intervals[0],
            )
        });
        groups
    }

    /// The Italian sentence that publishes these hours, after `lead`
    /// ("Pagina moderata", "Canali monitorati"): "Pagina moderata dal lunedì
    /// al venerdì, dalle 9:00 alle 12:00, festivi esclusi."
    pub fn describe(&self, lead: &str) -> String {
        self.describe_with(lead, true)
    }

    /// [`describe`](Self::describe) for a team that also works on public
    /// holidays (`holidays_excluded` false): the sentence then says nothing
    /// about them.
    pub fn describe_with(&self, lead: &str, holidays_excluded: bool) -> String {
        let tail = if holidays_excluded {
            ", festivi esclusi."
        } else {
            "."
        };
        let groups = self.groups();
        match groups.as_slice() {
            [] => format!("{lead}: nessun orario previsto."),
            [(mask, intervals)] => format!(
                "{lead} {}, {}{tail}",
                days_phrase(*mask),
                intervals_phrase(intervals)
            ),
            _ => {
                let mut seen = 0u8;
                let parts: Vec<String> = groups
                    .iter()
                    .map(|(mask, intervals)| {
                        // "anche" only when these days were already named
                        // with other hours, so the reader adds rather than
                        // replaces.
                        let also = if mask & seen == *mask { " anche" } else { "" };
                        seen |= mask;
                        format!(
                            "{}{also} {}",
                            days_phrase(*mask),
                            intervals_phrase(intervals)
                        )
                    })
                    .collect();
                format!("{lead} {}{tail}", parts.join("; "))
            }
        }
    }
}

fn mask_days(mask: u8) -> impl Iterator<Item = Weekday> {
    DAYS.into_iter()
        .filter(move |d| mask & (1 << day_index(*d)) != 0)
}

/// Consecutive runs of days in a mask, Monday first, as (first, last).
fn runs(mask: u8) -> Vec<(Weekday, Weekday)> {
    let mut out: Vec<(Weekday, Weekday)> = Vec::new();
    for day in mask_days(mask) {
        match out.last_mut() {
            Some((_, last)) if day_index(*last) + 1 == day_index(day) => *last = day,
            _ => out.push((day, day)),
        }
    }
    out
}

fn join_it(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} e {last}", init.join(", ")),
    }
}

fn days_phrase(mask: u8) -> String {
    if mask == 0x7f {
        return "tutti i giorni".to_string();
    }
    if mask.count_ones() == 1 {
        let day = mask_days(mask).next().expect("one day");
        let article = if day == Weekday::Sunday { "la" } else { "il" };
        return format!("{article} {}", weekday_name_it(day));
    }
    let mut items = Vec::new();
    for (first, last) in runs(mask) {
        let length = day_index(last) - day_index(first) + 1;
        if length >= 3 {
            // Only "domenica" is feminine, and it can only end a run.
            let to = if last == Weekday::Sunday {
                "alla"
            } else {
                "al"
            };
            items.push(format!(
                "dal {} {to} {}",
                weekday_name_it(first),
                weekday_name_it(last)
            ));
        } else {
            items.extend(
                DAYS[day_index(first)..=day_index(last)]
                    .iter()
                    .map(|d| weekday_name_it(*d).to_string()),
            );
        }
    }
    join_it(&items)
}

fn intervals_phrase(intervals: &[Interval]) -> String {
    join_it(&intervals.iter().map(|i| i.phrase_it()).collect::<Vec<_>>())
}

fn days_code(mask: u8) -> String {
    let mut items = Vec::new();
    for (first, last) in runs(mask) {
        if day_index(last) - day_index(first) >= 2 {
            items.push(format!("{}-{}", weekday_code(first), weekday_code(last)));
        } else {
            items.extend(
                DAYS[day_index(first)..=day_index(last)]
                    .iter()
                    .map(|d| weekday_code(*d).to_string()),
            );
        }
    }
    items.join(",")
}

impl fmt::Display for WeeklySchedule {
    /// The compact text form read by [`FromStr`]: `lun-ven 09:00-13:00; mar,gio 15:00-17:00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .groups()
            .iter()
            .map(|(mask, intervals)| {
                let times: Vec<String> = intervals.iter().map(Interval::to_string).collect();
                format!("{} {}", days_code(*mask), times.join(" "))
            })
            .collect();
        f.write_str(&parts.join("; "))
    }
}

impl FromStr for WeeklySchedule {
    type Err = CalendarError;

    /// Groups separated by `;`, each made of days then one or more intervals:
    /// `lun-ven 09:00-13:00; mar,gio 15:00-17:00` or
    /// `mon-fri 9:00-13:00 14:00-16:00`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut schedule = WeeklySchedule::new();
        for group in text.split(';').filter(|g| !g.trim().is_empty()) {
            let tokens: Vec<&str> = group
                .split([' ', ','])
                .filter(|t| !t.trim().is_empty())
                .collect();
            let split = tokens
                .iter()
                .position(|t| t.starts_with(|c: char| c.is_ascii_digit()))
                .unwrap_or(tokens.len());
            let (day_tokens, interval_tokens) = tokens.split_at(split);
            if day_tokens.is_empty() || interval_tokens.is_empty() {
                return Err(CalendarError::InvalidSchedule {
                    value: group.trim().to_string(),
                    reason: "expected days then intervals, such as lun-ven 09:00-13:00".to_string(),
                });
            }
            let days = parse_days(&day_tokens.join(","))?;
            for token in interval_tokens {
                schedule.add(&days, token.parse()?)?;
            }
        }
        Ok(schedule)
    }
}

/// One line of opening hours as written in a policy TOML.
///
/// ```toml
/// [[intervals]]
/// days = ["mon", "tue", "wed", "thu", "fri"]   # or ["lun-ven"]
/// from = "09:00"
/// to = "13:00"
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntervalSpec {
    /// Day names or ranges, Italian or English.
    pub days: Vec<String>,
    /// Opening time, `HH:MM`.
    pub from: String,
    /// Closing time, `HH:MM` (up to 24:00).
    pub to: String,
}

/// A weekly schedule as written in a policy TOML: a list of intervals.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleSpec {
    /// The opening intervals.
    #[serde(default)]
    pub intervals: Vec<IntervalSpec>,
}

impl TryFrom<&ScheduleSpec> for WeeklySchedule {
    type Error = CalendarError;

    fn try_from(spec: &ScheduleSpec) -> Result<Self, Self::Error> {
        let mut schedule = WeeklySchedule::new();
        for line in &spec.intervals {
            let mut days = Vec::new();
            for item in &line.days {
                days.extend(parse_days(item)?);
            }
            let interval = Interval::new(line.from.parse()?, line.to.parse()?)?;
            schedule.add(&days, interval)?;
        }
        Ok(schedule)
    }
}

impl From<&WeeklySchedule> for ScheduleSpec {
    fn from(schedule: &WeeklySchedule) -> Self {
        let mut intervals = Vec::new();
        for (mask, group) in schedule.groups() {
            let days: Vec<String> = mask_days(mask)
                .map(|d| weekday_code(d).to_string())
                .collect();
            for interval in group {
                intervals.push(IntervalSpec {
                    days: days.clone(),
                    from: interval.from.to_string(),
                    to: interval.to.to_string(),
                });
            }
        }
        ScheduleSpec { intervals }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str) -> TimeOfDay {
        text.parse().unwrap()
    }

    #[test]
    fn times_of_day() {
        for (text, minutes) in [
            ("9:00", 540),
            ("09:00", 540),
            ("09.00", 540),
            ("9", 540),
            ("24:00", 1440),
            ("0:00", 0),
            ("23:59", 1439),
        ] {
            assert_eq!(t(text).minutes(), minutes, "{text}");
        }
        for bad in [
            "24:01", "25:00", "9:60", "9:5", "nove", "", "-1:00", "9:00:00", "123:00",
        ] {
            assert_eq!(
                bad.parse::<TimeOfDay>(),
                Err(CalendarError::InvalidTime(bad.to_string())),
                "{bad}"
            );
        }
        assert_eq!(t("9:05").to_string(), "09:05");
        assert_eq!(t("1:00").since_phrase_it(), "dall'1:00");
        assert_eq!(t("13:00").until_phrase_it(), "alle 13:00");
    }

    #[test]
    fn day_names_and_ranges() {
        use Weekday::*;
        assert_eq!(
            parse_days("lun-ven").unwrap(),
            [Monday, Tuesday, Wednesday, Thursday, Friday]
        );
        assert_eq!(
            parse_days("mon-fri").unwrap(),
            parse_days("lunedì-venerdì").unwrap()
        );
        assert_eq!(parse_days("mar,gio").unwrap(), [Tuesday, Thursday]);
        assert_eq!(parse_days("Sabato, DOM").unwrap(), [Saturday, Sunday]);
        assert_eq!(parse_days("gio, mar, gio").unwrap(), [Tuesday, Thursday]);
        assert_eq!(
            parse_days("ven-lun"),
            Err(CalendarError::UnknownDay("ven-lun".into()))
        );
        assert_eq!(
            parse_days("lun,xyz"),
            Err(CalendarError::UnknownDay("xyz".into()))
        );
        assert_eq!(parse_weekday("Mercoledi").unwrap(), Wednesday);
    }

    #[test]
    fn intervals_must_end_after_they_start() {
        let err = "13:00-09:00".parse::<Interval>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "interval 13:00-09:00 ends before it starts or is empty (intervals cannot cross midnight: split them at 24:00)"
        );
        assert!("09:00-09:00".parse::<Interval>().is_err());
        assert!("22:00-24:00".parse::<Interval>().is_ok());
    }

    #[test]
    fn overlapping_intervals_are_rejected_and_leave_the_schedule_unchanged() {
        let mut s: WeeklySchedule = "lun-ven 09:00-13:00".parse().unwrap();
        let before = s.clone();
        let err = s
            .add(
                &[Weekday::Saturday, Weekday::Tuesday],
                "12:00-15:00".parse().unwrap(),
            )
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "interval 12:00-15:00 on martedì overlaps 09:00-13:00"
        );
        assert_eq!(s, before);
        // Touching is not overlapping.
        s.add(&[Weekday::Tuesday], "13:00-15:00".parse().unwrap())
            .unwrap();
        assert_eq!(s.intervals(Weekday::Tuesday).len(), 2);
        let err = "lun 9-13 10-11".parse::<WeeklySchedule>().unwrap_err();
        assert!(matches!(err, CalendarError::Overlap { .. }), "{err}");
        assert_eq!(
            WeeklySchedule::new().add(&[], "9-13".parse().unwrap()),
            Err(CalendarError::NoDays {
                interval: "09:00-13:00".into()
            })
        );
    }

    #[test]
    fn schedule_text_errors_name_the_group() {
        let err = "lun-ven; mar 9-12".parse::<WeeklySchedule>().unwrap_err();
        assert_eq!(
            err,
            CalendarError::InvalidSchedule {
                value: "lun-ven".into(),
                reason: "expected days then intervals, such as lun-ven 09:00-13:00".into()
            }
        );
        assert!(matches!(
            "09:00-12:00".parse::<WeeklySchedule>(),
            Err(CalendarError::InvalidSchedule { .. })
        ));
    }

    #[test]
    fn seed_hours_and_their_sentences() {
        let cases = [
            // Tradate: "dal lunedì al venerdì, dalle ore 9:00 alle ore 12:00".
            (
                "lun-ven 09:00-12:00",
                "Pagina moderata",
                15 * 60,
                "Pagina moderata dal lunedì al venerdì, dalle 9:00 alle 12:00, festivi esclusi.",
            ),
            // Cento writes "dalle ore 09.00 alle ore 13.00".
            (
                "lun-ven 09.00-13.00",
                "Canali monitorati",
                20 * 60,
                "Canali monitorati dal lunedì al venerdì, dalle 9:00 alle 13:00, festivi esclusi.",
            ),
        ];
        for (text, lead, weekly, sentence) in cases {
            let s: WeeklySchedule = text.parse().unwrap();
            assert_eq!(s.weekly_minutes(), weekly, "{text}");
            assert_eq!(s.describe(lead), sentence);
            assert!(s.intervals(Weekday::Saturday).is_empty());
            assert!(s.intervals(Weekday::Sunday).is_empty());
        }
    }

    #[test]
    fn sentences_for_richer_schedules() {
        let cases = [
            (
                "lun-ven 09:00-13:00; mar,gio 15:00-17:00",
                "Pagina moderata dal lunedì al venerdì dalle 9:00 alle 13:00; martedì e giovedì anche dalle 15:00 alle 17:00, festivi esclusi.",
            ),
            (
                "lun-ven 9-13 14-16",
                "Pagina moderata dal lunedì al venerdì, dalle 9:00 alle 13:00 e dalle 14:00 alle 16:00, festivi esclusi.",
            ),
            (
                "mer 9-12",
                "Pagina moderata il mercoledì, dalle 9:00 alle 12:00, festivi esclusi.",
            ),
            (
                "dom 10-12",
                "Pagina moderata la domenica, dalle 10:00 alle 12:00, festivi esclusi.",
            ),
            (
                "lun,mer,ven 9-12",
                "Pagina moderata lunedì, mercoledì e venerdì, dalle 9:00 alle 12:00, festivi esclusi.",
            ),
            (
                "lun-dom 8-20",
                "Pagina moderata tutti i giorni, dalle 8:00 alle 20:00, festivi esclusi.",
            ),
            (
                "ven-dom 1-3",
                "Pagina moderata dal venerdì alla domenica, dall'1:00 alle 3:00, festivi esclusi.",
            ),
            (
                "lun-ven 9-13; sab 9-12",
                "Pagina moderata dal lunedì al venerdì dalle 9:00 alle 13:00; il sabato dalle 9:00 alle 12:00, festivi esclusi.",
            ),
        ];
        for (text, sentence) in cases {
            let s: WeeklySchedule = text.parse().unwrap();
            assert_eq!(s.describe("Pagina moderata"), sentence, "{text}");
        }
        assert_eq!(
            WeeklySchedule::new().describe("Pagina moderata"),
            "Pagina moderata: nessun orario previsto."
        );
    }

    #[test]
    fn text_form_round_trips() {
        for text in [
            "lun-ven 09:00-13:00; mar,gio 15:00-17:00",
            "lun,mer,ven 09:00-12:00",
            "sab 22:00-24:00; dom 00:00-06:00",
        ] {
            let s: WeeklySchedule = text.parse().unwrap();
            assert_eq!(s.to_string(), text);
            assert_eq!(s.to_string().parse::<WeeklySchedule>().unwrap(), s);
        }
    }

    #[test]
    fn spec_from_toml_and_back() {
        let spec: ScheduleSpec = toml::from_str(
            r#"
            [[intervals]]
            days = ["mon", "tue", "wed", "thu", "fri"]
            from = "09:00"
            to = "13:00"

            [[intervals]]
            days = ["mar", "giovedì"]
            from = "15:00"
            to = "17:00"
            "#,
        )
        .unwrap();
        let s = WeeklySchedule::try_from(&spec).unwrap();
        assert_eq!(
            s,
            "lun-ven 09:00-13:00; mar,gio 15:00-17:00".parse().unwrap()
        );
        let back = ScheduleSpec::from(&s);
        assert_eq!(back.intervals[0].days, ["lun", "mar", "mer", "gio", "ven"]);
        assert_eq!(WeeklySchedule::try_from(&back).unwrap(), s);
        let text = toml::to_string(&back).unwrap();
        assert_eq!(toml::from_str::<ScheduleSpec>(&text).unwrap(), back);

        let bad = ScheduleSpec {
            intervals: vec![IntervalSpec {
                days: vec!["lun-ven".into()],
                from: "9:00".into(),
                to: "8:00".into(),
            }],
        };
        assert_eq!(
            WeeklySchedule::try_from(&bad),
            Err(CalendarError::EndsBeforeStart {
                from: "09:00".into(),
                to: "08:00".into()
            })
        );
    }
}
