//! Moderation hours as written in a policy (`days`, `from`, `to`) and the
//! Italian sentence that each account publishes in its bio.
//!
//! Working-time arithmetic (holidays, DST, deadlines) lives in
//! `piazza-calendar`; this module only holds and checks the weekly table.

use std::fmt;

use piazza_calendar::jiff;
use piazza_calendar::{CalendarError, Interval, TimeOfDay, WeeklySchedule};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Weekday {
    pub const ALL: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Weekday::Mon => "mon",
            Weekday::Tue => "tue",
            Weekday::Wed => "wed",
            Weekday::Thu => "thu",
            Weekday::Fri => "fri",
            Weekday::Sat => "sat",
            Weekday::Sun => "sun",
        }
    }

    pub const fn name_it(self) -> &'static str {
        match self {
            Weekday::Mon => "lunedì",
            Weekday::Tue => "martedì",
            Weekday::Wed => "mercoledì",
            Weekday::Thu => "giovedì",
            Weekday::Fri => "venerdì",
            Weekday::Sat => "sabato",
            Weekday::Sun => "domenica",
        }
    }

    /// The same day in the calendar's terms.
    pub const fn to_calendar(self) -> jiff::civil::Weekday {
        match self {
            Weekday::Mon => jiff::civil::Weekday::Monday,
            Weekday::Tue => jiff::civil::Weekday::Tuesday,
            Weekday::Wed => jiff::civil::Weekday::Wednesday,
            Weekday::Thu => jiff::civil::Weekday::Thursday,
            Weekday::Fri => jiff::civil::Weekday::Friday,
            Weekday::Sat => jiff::civil::Weekday::Saturday,
            Weekday::Sun => jiff::civil::Weekday::Sunday,
        }
    }

    /// 0 for Monday.
    pub const fn index(self) -> usize {
        self as usize
    }
}

impl std::str::FromStr for Weekday {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let day = match s.to_lowercase().as_str() {
            "mon" | "lun" | "lunedì" | "lunedi" => Weekday::Mon,
            "tue" | "mar" | "martedì" | "martedi" => Weekday::Tue,
            "wed" | "mer" | "mercoledì" | "mercoledi" => Weekday::Wed,
            "thu" | "gio" | "giovedì" | "giovedi" => Weekday::Thu,
            "fri" | "ven" | "venerdì" | "venerdi" => Weekday::Fri,
            "sat" | "sab" | "sabato" => Weekday::Sat,
            "sun" | "dom" | "domenica" => Weekday::Sun,
            _ => {
                return Err(format!(
                    "unknown weekday `{s}`, expected one of: mon, tue, wed, thu, fri, sat, sun (or lun, mar, mer, gio, ven, sab, dom)"
                ));
            }
        };
        Ok(day)
    }
}

impl Serialize for Weekday {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Weekday {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A time of day, minute precision ("09:00").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClockTime {
    pub hour: u8,
    pub minute: u8,
}

impl ClockTime {
    pub const fn minutes(self) -> u32 {
        self.hour as u32 * 60 + self.minute as u32
    }

    /// "9:00", as Italian prose writes it.
    pub fn italian(self) -> String {
        format!("{}:{:02}", self.hour, self.minute)
    }
}

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour, self.minute)
    }
}

impl std::str::FromStr for ClockTime {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("invalid time `{s}`, expected HH:MM between 00:00 and 24:00");
        let (h, m) = s.split_once([':', '.']).ok_or_else(bad)?;
        if h.is_empty() || h.len() > 2 || m.len() != 2 {
            return Err(bad());
        }
        let hour: u8 = h.parse().map_err(|_| bad())?;
        let minute: u8 = m.parse().map_err(|_| bad())?;
        // 24:00 closes a day that runs until midnight.
        if minute > 59 || hour > 24 || (hour == 24 && minute != 0) {
            return Err(bad());
        }
        Ok(ClockTime { hour, minute })
    }
}

impl Serialize for ClockTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ClockTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// One weekly opening: the same interval on each of `days`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoursInterval {
    pub days: Vec<Weekday>,
    pub from: ClockTime,
    pub to: ClockTime,
}

impl Weekday {
    /// A day from its English or Italian id or abbreviation ("mon", "lun",
    /// "lunedì").
    pub fn parse_it(s: &str) -> Option<Weekday> {
        let s = s.trim().to_lowercase();
        let s = s.trim_end_matches('.');
        Weekday::ALL.into_iter().find(|d| {
            let it = d.name_it();
            s == d.as_str()
                || s == it
                || s == it.trim_end_matches('ì')
                || it.starts_with(s) && s.len() >= 3
        })
    }
}

/// Reads hours as an operator types them: intervals separated by `;`, each
/// days then times, in English or Italian ("lun-ven 9:00-13:00; sab
/// 9-12", "mon,wed 14:30-17:00"). An empty text is no hours.
pub fn parse_hours_text(text: &str) -> Result<Vec<HoursInterval>, String> {
    let mut out = Vec::new();
    for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (days_text, times) = part.rsplit_once(char::is_whitespace).ok_or_else(|| {
            format!("«{part}»: expected days then times, e.g. «lun-ven 9:00-13:00»")
        })?;
        let mut days = Vec::new();
        for piece in days_text
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let day = |d: &str| {
                Weekday::parse_it(d).ok_or_else(|| format!("«{d}» is not a day of the week"))
            };
            match piece.split_once('-') {
                Some((a, b)) => {
                    let (a, b) = (day(a)?, day(b)?);
                    if b < a {
                        return Err(format!("«{piece}»: the days run backwards"));
                    }
                    days.extend(Weekday::ALL.into_iter().filter(|d| *d >= a && *d <= b));
                }
                None => days.push(day(piece)?),
            }
        }
        let (from, to) = times
            .split_once('-')
            .ok_or_else(|| format!("«{times}»: expected from-to, e.g. 9:00-13:00"))?;
        let time = |t: &str| -> Result<ClockTime, String> {
            let t = t.trim();
            if t.contains([':', '.']) {
                t.parse()
            } else {
                format!("{t}:00").parse()
            }
        };
        out.push(HoursInterval {
            days,
            from: time(from)?,
            to: time(to)?,
        });
    }
    if let Some(p) = check_hours(&out).first() {
        return Err(format!("interval {}: {}", p.index + 1, p.message));
    }
    Ok(out)
}

/// A problem in a table of hours, with the index of the interval at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoursProblem {
    pub index: usize,
    pub message: String,
}

/// Checks that every interval ends after it starts, names at least one day,
/// and that no two intervals overlap on the same day.
pub fn check_hours(hours: &[HoursInterval]) -> Vec<HoursProblem> {
    let mut problems = Vec::new();
    for (i, h) in hours.iter().enumerate() {
        if h.days.is_empty() {
            problems.push(HoursProblem {
                index: i,
                message: "l'intervallo non indica alcun giorno; atteso almeno uno tra mon..sun"
                    .into(),
            });
        }
        if h.to <= h.from {
            problems.push(HoursProblem {
                index: i,
                message: format!(
                    "l'intervallo finisce alle {} prima o quando inizia alle {}; `to` deve venire dopo `from`",
                    h.to, h.from
                ),
            });
        }
    }
    for (i, a) in hours.iter().enumerate() {
        for b in &hours[..i] {
            if let Some(day) = a.days.iter().find(|d| b.days.contains(d))
                && a.from < b.to
                && b.from < a.to
                && a.to > a.from
                && b.to > b.from
            {
                problems.push(HoursProblem {
                    index: i,
                    message: format!(
                        "{}–{} si sovrappone a {}–{} di {}; servono intervalli separati",
                        a.from,
                        a.to,
                        b.from,
                        b.to,
                        day.name_it()
                    ),
                });
            }
        }
    }
    problems
}

/// The calendar's weekly schedule for a table of hours: what the working-
/// hours clock runs on and what the published sentence describes.
pub fn weekly_schedule(hours: &[HoursInterval]) -> Result<WeeklySchedule, CalendarError> {
    let mut schedule = WeeklySchedule::new();
    for h in hours {
        let interval = Interval::new(
            TimeOfDay::new(h.from.hour, h.from.minute)?,
            TimeOfDay::new(h.to.hour, h.to.minute)?,
        )?;
        let days: Vec<jiff::civil::Weekday> = h.days.iter().map(|d| d.to_calendar()).collect();
        schedule.add(&days, interval)?;
    }
    Ok(schedule)
}

/// The Italian sentence for an account's bio, e.g. "Pagina moderata dal
/// lunedì al venerdì, dalle 9:00 alle 12:00, festivi esclusi." The wording is
/// the calendar's, so the page and the clock describe the same hours.
pub fn hours_sentence(lead: &str, hours: &[HoursInterval], holidays_excluded: bool) -> String {
    if hours.is_empty() {
        return format!("{lead}: orari non indicati.");
    }
    match weekly_schedule(hours) {
        Ok(schedule) => schedule.describe_with(lead, holidays_excluded),
        // Validation rejects such tables before a policy is published; say
        // so rather than print hours nobody checked.
        Err(e) => format!("{lead}: orari non validi ({e})."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iv(days: &[&str], from: &str, to: &str) -> HoursInterval {
        HoursInterval {
            days: days.iter().map(|d| d.parse().unwrap()).collect(),
            from: from.parse().unwrap(),
            to: to.parse().unwrap(),
        }
    }

    const WEEK: [&str; 5] = ["mon", "tue", "wed", "thu", "fri"];

    #[test]
    fn tradate_sentence() {
        let s = hours_sentence("Pagina moderata", &[iv(&WEEK, "09:00", "12:00")], true);
        assert_eq!(
            s,
            "Pagina moderata dal lunedì al venerdì, dalle 9:00 alle 12:00, festivi esclusi."
        );
    }

    #[test]
    fn several_intervals_and_day_groups() {
        let s = hours_sentence(
            "Canali monitorati",
            &[
                iv(&WEEK, "09:00", "13:00"),
                iv(&["tue", "thu"], "15:00", "17:00"),
            ],
            true,
        );
        assert_eq!(
            s,
            "Canali monitorati dal lunedì al venerdì dalle 9:00 alle 13:00; martedì e giovedì anche dalle 15:00 alle 17:00, festivi esclusi."
        );
        let s = hours_sentence(
            "Pagina moderata",
            &[
                iv(&["sat"], "09:00", "12:00"),
                iv(&["sat"], "14:00", "16:00"),
            ],
            false,
        );
        assert_eq!(
            s,
            "Pagina moderata il sabato, dalle 9:00 alle 12:00 e dalle 14:00 alle 16:00."
        );
    }

    #[test]
    fn overlapping_and_reversed_intervals_are_reported() {
        let problems = check_hours(&[
            iv(&WEEK, "09:00", "13:00"),
            iv(&["tue"], "12:00", "14:00"),
            iv(&["sat"], "12:00", "09:00"),
        ]);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert_eq!(problems[0].index, 2);
        assert!(problems[0].message.contains("prima o quando inizia"));
        assert_eq!(problems[1].index, 1);
        assert!(problems[1].message.contains("si sovrappone"));
        assert!(
            check_hours(&[iv(&WEEK, "09:00", "12:00"), iv(&WEEK, "12:00", "13:00")]).is_empty()
        );
    }

    #[test]
    fn times_and_days_parse_in_english_and_italian() {
        assert_eq!("9.00".parse::<ClockTime>().unwrap().minutes(), 540);
        assert!("25:00".parse::<ClockTime>().is_err());
        assert!("24:00".parse::<ClockTime>().is_ok());
        assert_eq!("gio".parse::<Weekday>().unwrap(), Weekday::Thu);
        assert!("thursday".parse::<Weekday>().is_err());
    }
}

#[cfg(test)]
mod parse_tests {
    use super::*;

    #[test]
    fn hours_are_read_as_operators_type_them() {
        let h = parse_hours_text("lun-ven 9:00-13:00; sab 9-12").unwrap();
        assert_eq!(h.len(), 2);
        assert_eq!(
            h[0].days,
            [
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri
            ]
        );
        assert_eq!(h[0].from.to_string(), "09:00");
        assert_eq!(h[1].days, [Weekday::Sat]);
        assert_eq!(h[1].to.to_string(), "12:00");
        let h = parse_hours_text("mon,wed 14:30-17:00").unwrap();
        assert_eq!(h[0].days, [Weekday::Mon, Weekday::Wed]);
        assert!(parse_hours_text("").unwrap().is_empty());
        assert!(parse_hours_text("lun-ven").is_err());
        assert!(parse_hours_text("xyz 9-12").is_err());
        assert!(parse_hours_text("ven-lun 9-12").is_err());
        assert!(parse_hours_text("lun 13:00-9:00").is_err());
    }
}
