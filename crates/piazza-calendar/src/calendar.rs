//! Holidays: the national ones, the patron saint of one administration, and
//! the closures it decides year by year.

use std::fmt;

use jiff::civil::{Date, Weekday};
use serde::{Deserialize, Serialize};

use crate::CalendarError;
use crate::schedule::{TimeOfDay, parse_weekday, weekday_name_it};

/// Why a day (or part of it) is closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HolidayKind {
    /// A national public holiday (L. 260/1949 and later laws).
    National,
    /// The patron saint of the administration's town.
    Patron,
    /// A closure the administration decided (bridges, Christmas Eve afternoon).
    Closure,
}

impl HolidayKind {
    /// Stable id, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            HolidayKind::National => "national",
            HolidayKind::Patron => "patron",
            HolidayKind::Closure => "closure",
        }
    }

    /// Italian label for listings.
    pub fn label_it(self) -> &'static str {
        match self {
            HolidayKind::National => "festa nazionale",
            HolidayKind::Patron => "santo patrono",
            HolidayKind::Closure => "chiusura",
        }
    }
}

/// The closed part of a day, in Rome local time: `from` inclusive, `to`
/// exclusive. The whole day is 00:00–24:00.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct DayPart {
    /// Start of the closed part.
    pub from: TimeOfDay,
    /// End of the closed part.
    pub to: TimeOfDay,
}

impl DayPart {
    /// 00:00–24:00.
    pub const WHOLE_DAY: DayPart = DayPart {
        from: TimeOfDay::MIDNIGHT,
        to: TimeOfDay::END_OF_DAY,
    };

    /// Whether this covers the whole day.
    pub fn is_whole_day(self) -> bool {
        self == Self::WHOLE_DAY
    }
}

impl fmt::Display for DayPart {
    /// Italian: "tutto il giorno", "dalle 13:00", "fino alle 12:00",
    /// "dalle 13:00 alle 15:00".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (
            self.from == TimeOfDay::MIDNIGHT,
            self.to == TimeOfDay::END_OF_DAY,
        ) {
            (true, true) => f.write_str("tutto il giorno"),
            (false, true) => write!(f, "{}", self.from.since_phrase_it()),
            (true, false) => write!(f, "fino {}", self.to.until_phrase_it()),
            (false, false) => write!(
                f,
                "{} {}",
                self.from.since_phrase_it(),
                self.to.until_phrase_it()
            ),
        }
    }
}

/// One closed day (or part of a day) with its Italian name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    /// The local date.
    pub date: Date,
    /// Italian name ("Lunedì dell'Angelo", "San Biagio", ...).
    pub name: String,
    /// Why it is closed.
    pub kind: HolidayKind,
    /// Which part of the day is closed (national and patron days: all of it).
    pub part: DayPart,
}

/// Easter Sunday of `year` in the Gregorian calendar (valid from 1583).
///
/// The "anonymous" algorithm published by Meeus (Jones 1876, Butcher 1877),
/// which needs no table and no special cases.
///
/// ```
/// use piazza_calendar::easter_sunday;
/// assert_eq!(easter_sunday(2026).to_string(), "2026-04-05");
/// ```
pub fn easter_sunday(year: i16) -> Date {
    let y = i32::from(year);
    let a = y.rem_euclid(19);
    let b = y.div_euclid(100);
    let c = y.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c.div_euclid(4);
    let k = c.rem_euclid(4);
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l).div_euclid(451);
    let month = (h + l - 7 * m + 114).div_euclid(31);
    let day = (h + l - 7 * m + 114).rem_euclid(31) + 1;
    // month is 3 or 4 and day 1..=31 by construction.
    Date::new(year, month as i8, day as i8).expect("Easter is a valid March or April date")
}

/// The first year in which 4 October (San Francesco d'Assisi, patron saint of
/// Italy) is a national holiday again, by L. 151/2025.
const SAN_FRANCESCO_FROM: i16 = 2026;

/// Fixed-date national holidays as (month, day, name).
const FIXED_NATIONAL: &[(i8, i8, &str)] = &[
    (1, 1, "Capodanno"),
    (1, 6, "Epifania"),
    (4, 25, "Festa della Liberazione"),
    (5, 1, "Festa del Lavoro"),
    (6, 2, "Festa della Repubblica"),
    (8, 15, "Ferragosto (Assunzione di Maria)"),
    (10, 4, "San Francesco d'Assisi"),
    (11, 1, "Ognissanti"),
    (12, 8, "Immacolata Concezione"),
    (12, 25, "Natale"),
    (12, 26, "Santo Stefano"),
];

/// The name of the national holiday on `date`, if it is one.
///
/// The list is the one in force today (with 4 October from 2026); earlier
/// years are computed with the same list, so do not use it for dates before
/// 2001, when 2 June and 6 January had different rules.
fn national_holiday_name(date: Date) -> Option<&'static str> {
    let (month, day) = (date.month(), date.day());
    if (month, day) == (10, 4) && date.year() < SAN_FRANCESCO_FROM {
        return None;
    }
    if let Some(&(_, _, name)) = FIXED_NATIONAL
        .iter()
        .find(|(m, d, _)| (*m, *d) == (month, day))
    {
        return Some(name);
    }
    // Easter falls between 22 March and 25 April, its Monday by 26 April.
    if month == 3 || month == 4 {
        let easter = easter_sunday(date.year());
        if date == easter {
            return Some("Pasqua");
        }
        if easter.tomorrow().ok() == Some(date) {
            return Some("Lunedì dell'Angelo");
        }
    }
    None
}

/// Italian national holidays of `year`, sorted by date. Holidays that fall
/// on a weekend stay where they are (Italy does not move them).
pub fn national_holidays(year: i16) -> Vec<Holiday> {
    let easter = easter_sunday(year);
    let mut out: Vec<Holiday> = FIXED_NATIONAL
        .iter()
        .filter(|(m, d, _)| (*m, *d) != (10, 4) || year >= SAN_FRANCESCO_FROM)
        .filter_map(|&(m, d, name)| Some((Date::new(year, m, d).ok()?, name)))
        .chain([(easter, "Pasqua")])
        .chain(easter.tomorrow().ok().map(|d| (d, "Lunedì dell'Angelo")))
        .map(|(date, name)| Holiday {
            date,
            name: name.to_string(),
            kind: HolidayKind::National,
            part: DayPart::WHOLE_DAY,
        })
        .collect();
    out.sort_by_key(|h| h.date);
    out
}

/// When a patron saint's day falls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PatronRule {
    /// The same date every year (Roma: 29 June).
    Fixed {
        /// 1..=12.
        month: i8,
        /// 1..=31.
        day: i8,
    },
    /// The nth weekday of a month (Maglione: third Sunday of September); a
    /// negative `nth` counts from the end (-1 = last).
    NthWeekday {
        /// 1..=12.
        month: i8,
        /// 1..=5 or -5..=-1.
        nth: i8,
        /// The weekday.
        weekday: Weekday,
    },
}

impl PatronRule {
    /// The date in `year`, or `None` when the rule has no date that year (a
    /// fifth Sunday that does not exist, 29 February in a common year).
    pub fn date_in(&self, year: i16) -> Option<Date> {
        match *self {
            PatronRule::Fixed { month, day } => Date::new(year, month, day).ok(),
            PatronRule::NthWeekday {
                month,
                nth,
                weekday,
            } => Date::new(year, month, 1)
                .ok()?
                .nth_weekday_of_month(nth, weekday)
                .ok(),
        }
    }

    fn validate(&self, name: &str) -> Result<(), CalendarError> {
        let bad = |reason: String| CalendarError::InvalidPatron {
            name: name.to_string(),
            reason,
        };
        match *self {
            PatronRule::Fixed { month, day } => {
                // 2024 is a leap year, so 29 February is accepted.
                Date::new(2024, month, day)
                    .map_err(|_| bad(format!("{day}/{month} is not a day of the year")))?;
            }
            PatronRule::NthWeekday { month, nth, .. } => {
                if !(1..=12).contains(&month) {
                    return Err(bad(format!("month {month} is not 1..=12")));
                }
                if nth == 0 || !(-5..=5).contains(&nth) {
                    return Err(bad(format!("nth {nth} must be 1..=5 or -5..=-1")));
                }
            }
        }
        Ok(())
    }
}

/// The Italian name of a month (1 = "gennaio"); "?" outside 1..=12.
pub fn month_name_it(month: i8) -> &'static str {
    const MONTHS: [&str; 12] = [
        "gennaio",
        "febbraio",
        "marzo",
        "aprile",
        "maggio",
        "giugno",
        "luglio",
        "agosto",
        "settembre",
        "ottobre",
        "novembre",
        "dicembre",
    ];
    usize::try_from(month - 1)
        .ok()
        .and_then(|i| MONTHS.get(i).copied())
        .unwrap_or("?")
}

impl fmt::Display for PatronRule {
    /// Italian: "29 giugno", "terza domenica di settembre".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            PatronRule::Fixed { month, day } => write!(f, "{day} {}", month_name_it(month)),
            PatronRule::NthWeekday {
                month,
                nth,
                weekday,
            } => {
                // Italian ordinals agree in gender: domenica is feminine.
                let feminine = weekday == Weekday::Sunday;
                let ordinal = match (nth, feminine) {
                    (1, false) => "primo",
                    (1, true) => "prima",
                    (2, false) => "secondo",
                    (2, true) => "seconda",
                    (3, false) => "terzo",
                    (3, true) => "terza",
                    (4, false) => "quarto",
                    (4, true) => "quarta",
                    (5, false) => "quinto",
                    (5, true) => "quinta",
                    (-1, false) => "ultimo",
                    (-1, true) => "ultima",
                    _ => {
                        return write!(
                            f,
                            "{nth}° {} di {}",
                            weekday_name_it(weekday),
                            month_name_it(month)
                        );
                    }
                };
                write!(
                    f,
                    "{ordinal} {} di {}",
                    weekday_name_it(weekday),
                    month_name_it(month)
                )
            }
        }
    }
}

/// The patron saint of an administration's town.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PatronDay {
    /// Italian name ("Santi Pietro e Paolo").
    pub name: String,
    /// When it falls.
    pub rule: PatronRule,
}

impl PatronDay {
    /// A patron day on a fixed date.
    ///
    /// ```
    /// use piazza_calendar::PatronDay;
    /// let roma = PatronDay::fixed("Santi Pietro e Paolo", 6, 29)?;
    /// assert_eq!(roma.date_in(2026).unwrap().to_string(), "2026-06-29");
    /// # Ok::<(), piazza_calendar::CalendarError>(())
    /// ```
    pub fn fixed(name: impl Into<String>, month: i8, day: i8) -> Result<Self, CalendarError> {
        Self::new(name, PatronRule::Fixed { month, day })
    }

    /// A patron day on the nth `weekday` of `month` (negative `nth` from the end).
    ///
    /// ```
    /// use piazza_calendar::{jiff::civil::Weekday, PatronDay};
    /// let maglione = PatronDay::nth_weekday("San Maurizio", 9, 3, Weekday::Sunday)?;
    /// assert_eq!(maglione.date_in(2026).unwrap().to_string(), "2026-09-20");
    /// assert_eq!(maglione.rule.to_string(), "terza domenica di settembre");
    /// # Ok::<(), piazza_calendar::CalendarError>(())
    /// ```
    pub fn nth_weekday(
        name: impl Into<String>,
        month: i8,
        nth: i8,
        weekday: Weekday,
    ) -> Result<Self, CalendarError> {
        Self::new(
            name,
            PatronRule::NthWeekday {
                month,
                nth,
                weekday,
            },
        )
    }

    /// A patron day from any rule, validated.
    pub fn new(name: impl Into<String>, rule: PatronRule) -> Result<Self, CalendarError> {
        let name = name.into();
        rule.validate(&name)?;
        Ok(PatronDay { name, rule })
    }

    /// The date in `year`, if the rule gives one.
    pub fn date_in(&self, year: i16) -> Option<Date> {
        self.rule.date_in(year)
    }
}

/// A closure decided by the administration for one date: a whole day (a
/// bridge) or part of it (24 December from 13:00).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Closure {
    /// The local date.
    pub date: Date,
    /// Which part of the day is closed.
    pub part: DayPart,
    /// Italian name or reason ("Ponte", "Vigilia di Natale").
    pub name: String,
}

impl Closure {
    /// The whole of `date` is closed.
    pub fn whole_day(date: Date, name: impl Into<String>) -> Self {
        Closure {
            date,
            part: DayPart::WHOLE_DAY,
            name: name.into(),
        }
    }

    /// `date` is closed from `from` to `to` (use [`TimeOfDay::END_OF_DAY`]
    /// for "from 13:00 on").
    pub fn part_of_day(
        date: Date,
        from: TimeOfDay,
        to: TimeOfDay,
        name: impl Into<String>,
    ) -> Result<Self, CalendarError> {
        if from >= to {
            return Err(CalendarError::InvalidClosure {
                date: date.to_string(),
                reason: format!("closed part {from}-{to} ends before it starts"),
            });
        }
        Ok(Closure {
            date,
            part: DayPart { from, to },
            name: name.into(),
        })
    }
}

/// What is closed on one date, as seen by the working clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Closed {
    Nothing,
    WholeDay,
    /// Sorted, possibly overlapping, minute ranges.
    Parts(Vec<(u16, u16)>),
}

/// The days an administration is closed: national holidays, its patron saint
/// and the closures it adds.
///
/// ```
/// use piazza_calendar::{jiff::civil::date, Calendar, PatronDay};
/// let cento = Calendar::national().with_patron(PatronDay::fixed("San Biagio", 2, 3)?);
/// assert!(cento.is_holiday(date(2026, 2, 3)));
/// assert!(!Calendar::national().is_holiday(date(2026, 2, 3)));
/// # Ok::<(), piazza_calendar::CalendarError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    patron: Option<PatronDay>,
    closures: Vec<Closure>,
}

impl Calendar {
    /// National holidays only.
    pub fn national() -> Self {
        Calendar::default()
    }

    /// Adds (or replaces) the patron saint's day.
    pub fn with_patron(mut self, patron: PatronDay) -> Self {
        self.patron = Some(patron);
        self
    }

    /// Adds a closure.
    pub fn with_closure(mut self, closure: Closure) -> Self {
        self.closures.push(closure);
        self
    }

    /// Adds several closures.
    pub fn with_closures(mut self, closures: impl IntoIterator<Item = Closure>) -> Self {
        self.closures.extend(closures);
        self
    }

    /// The patron day, if set.
    pub fn patron(&self) -> Option<&PatronDay> {
        self.patron.as_ref()
    }

    /// The closures, in the order added.
    pub fn closures(&self) -> &[Closure] {
        &self.closures
    }

    /// Every holiday and closure of `year`, sorted by date, then national
    /// before patron before closure. A patron day that is also a national
    /// holiday (Tradate, Santo Stefano) is listed once for each reason.
    pub fn holidays(&self, year: i16) -> Vec<Holiday> {
        let mut out = national_holidays(year);
        if let Some((patron, date)) = self
            .patron
            .as_ref()
            .and_then(|p| Some((p, p.date_in(year)?)))
        {
            out.push(Holiday {
                date,
                name: patron.name.clone(),
                kind: HolidayKind::Patron,
                part: DayPart::WHOLE_DAY,
            });
        }
        out.extend(
            self.closures
                .iter()
                .filter(|c| c.date.year() == year)
                .map(|c| Holiday {
                    date: c.date,
                    name: c.name.clone(),
                    kind: HolidayKind::Closure,
                    part: c.part,
                }),
        );
        // Stable sort keeps national holidays in their listed order.
        out.sort_by_key(|h| (h.date, h.kind, h.part.from));
        out
    }

    /// Every reason `date` is (wholly or partly) closed.
    pub fn holidays_on(&self, date: Date) -> Vec<Holiday> {
        let mut out: Vec<Holiday> = national_holiday_name(date)
            .map(|name| Holiday {
                date,
                name: name.to_string(),
                kind: HolidayKind::National,
                part: DayPart::WHOLE_DAY,
            })
            .into_iter()
            .collect();
        if let Some(patron) = self
            .patron
            .as_ref()
            .filter(|p| p.date_in(date.year()) == Some(date))
        {
            out.push(Holiday {
                date,
                name: patron.name.clone(),
                kind: HolidayKind::Patron,
                part: DayPart::WHOLE_DAY,
            });
        }
        out.extend(
            self.closures
                .iter()
                .filter(|c| c.date == date)
                .map(|c| Holiday {
                    date,
                    name: c.name.clone(),
                    kind: HolidayKind::Closure,
                    part: c.part,
                }),
        );
        out
    }

    /// Whether `date` is closed all day.
    pub fn is_holiday(&self, date: Date) -> bool {
        self.closed_on(date) == Closed::WholeDay
    }

    pub(crate) fn closed_on(&self, date: Date) -> Closed {
        if national_holiday_name(date).is_some()
            || self
                .patron
                .as_ref()
                .is_some_and(|p| p.date_in(date.year()) == Some(date))
        {
            return Closed::WholeDay;
        }
        let mut parts: Vec<(u16, u16)> = self
            .closures
            .iter()
            .filter(|c| c.date == date)
            .map(|c| (c.part.from.minutes(), c.part.to.minutes()))
            .collect();
        if parts.is_empty() {
            return Closed::Nothing;
        }
        if parts
            .iter()
            .any(|&(from, to)| from == 0 && to == TimeOfDay::END_OF_DAY.minutes())
        {
            return Closed::WholeDay;
        }
        parts.sort_unstable();
        Closed::Parts(parts)
    }
}

/// A patron day as it can be written in a policy TOML: a fixed date
/// (`month` + `day`) or a movable one (`month` + `weekday` + `nth`).
///
/// ```toml
/// patron = { name = "Santi Pietro e Paolo", month = 6, day = 29 }
/// patron = { name = "San Maurizio", month = 9, weekday = "dom", nth = 3 }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatronSpec {
    /// Italian name of the saint or feast.
    pub name: String,
    /// 1..=12.
    pub month: i8,
    /// Day of the month, for a fixed date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day: Option<i8>,
    /// Day of the week ("dom", "sun", ...), for a movable date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weekday: Option<String>,
    /// Which occurrence of `weekday` in the month (1..=5, -1 = last).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nth: Option<i8>,
}

impl TryFrom<&PatronSpec> for PatronDay {
    type Error = CalendarError;

    fn try_from(spec: &PatronSpec) -> Result<Self, Self::Error> {
        let bad = |reason: &str| CalendarError::InvalidPatron {
            name: spec.name.clone(),
            reason: reason.to_string(),
        };
        match (spec.day, &spec.weekday, spec.nth) {
            (Some(day), None, None) => PatronDay::fixed(spec.name.clone(), spec.month, day),
            (None, Some(weekday), Some(nth)) => {
                PatronDay::nth_weekday(spec.name.clone(), spec.month, nth, parse_weekday(weekday)?)
            }
            _ => Err(bad("give either `day`, or both `weekday` and `nth`")),
        }
    }
}

impl From<&PatronDay> for PatronSpec {
    fn from(patron: &PatronDay) -> Self {
        match patron.rule {
            PatronRule::Fixed { month, day } => PatronSpec {
                name: patron.name.clone(),
                month,
                day: Some(day),
                weekday: None,
                nth: None,
            },
            PatronRule::NthWeekday {
                month,
                nth,
                weekday,
            } => PatronSpec {
                name: patron.name.clone(),
                month,
                day: None,
                weekday: Some(crate::schedule::weekday_code(weekday).to_string()),
                nth: Some(nth),
            },
        }
    }
}

/// A closure as written in a policy TOML.
///
/// ```toml
/// [[closures]]
/// date = "2026-12-24"
/// from = "13:00"
/// name = "Vigilia di Natale"
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClosureSpec {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Italian name or reason.
    pub name: String,
    /// Closed from this time (default 00:00).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Closed until this time (default 24:00).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

impl TryFrom<&ClosureSpec> for Closure {
    type Error = CalendarError;

    fn try_from(spec: &ClosureSpec) -> Result<Self, Self::Error> {
        let date = crate::parse_date(&spec.date)?;
        let from = spec
            .from
            .as_deref()
            .map(str::parse)
            .transpose()?
            .unwrap_or(TimeOfDay::MIDNIGHT);
        let to = spec
            .to
            .as_deref()
            .map(str::parse)
            .transpose()?
            .unwrap_or(TimeOfDay::END_OF_DAY);
        Closure::part_of_day(date, from, to, spec.name.clone())
    }
}

impl From<&Closure> for ClosureSpec {
    fn from(closure: &Closure) -> Self {
        ClosureSpec {
            date: closure.date.to_string(),
            name: closure.name.clone(),
            from: (closure.part.from != TimeOfDay::MIDNIGHT).then(|| closure.part.from.to_string()),
            to: (closure.part.to != TimeOfDay::END_OF_DAY).then(|| closure.part.to.to_string()),
        }
    }
}

/// The calendar part of a policy TOML: the patron day and the closures.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarSpec {
    /// The patron saint, if the administration observes one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patron: Option<PatronSpec>,
    /// Extra closures.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub closures: Vec<ClosureSpec>,
}

impl TryFrom<&CalendarSpec> for Calendar {
    type Error = CalendarError;

    fn try_from(spec: &CalendarSpec) -> Result<Self, Self::Error> {
        let mut calendar = Calendar::national();
        if let Some(patron) = &spec.patron {
            calendar = calendar.with_patron(patron.try_into()?);
        }
        for closure in &spec.closures {
            calendar = calendar.with_closure(closure.try_into()?);
        }
        Ok(calendar)
    }
}

impl From<&Calendar> for CalendarSpec {
    fn from(calendar: &Calendar) -> Self {
        CalendarSpec {
            patron: calendar.patron.as_ref().map(PatronSpec::from),
            closures: calendar.closures.iter().map(ClosureSpec::from).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    /// Gauss's Easter formula with the two classic corrections: a method
    /// independent of the Meeus/Jones/Butcher one used in production.
    fn easter_gauss(year: i16) -> Date {
        let y = i32::from(year);
        let (a, b, c) = (y % 19, y % 4, y % 7);
        let k = y / 100;
        let p = (13 + 8 * k) / 25;
        let q = k / 4;
        let m = (15 - p + k - q) % 30;
        let n = (4 + k - q) % 7;
        let d = (19 * a + m) % 30;
        let e = (2 * b + 4 * c + 6 * d + n) % 7;
        let (month, day) = if d == 29 && e == 6 {
            (4, 19)
        } else if d == 28 && e == 6 && (11 * m + 11) % 30 < 19 {
            (4, 18)
        } else if 22 + d + e > 31 {
            (4, d + e - 9)
        } else {
            (3, 22 + d + e)
        };
        date(year, month as i8, day as i8)
    }

    #[test]
    fn easter_matches_gauss_from_1900_to_2100() {
        for year in 1900..=2100 {
            assert_eq!(easter_sunday(year), easter_gauss(year), "year {year}");
        }
    }

    #[test]
    fn easter_known_dates() {
        let known = [
            (2000, date(2000, 4, 23)),
            (2024, date(2024, 3, 31)),
            (2025, date(2025, 4, 20)),
            (2026, date(2026, 4, 5)),
            (2027, date(2027, 3, 28)),
            // The two exceptions of Gauss's method, and the extremes.
            (1954, date(1954, 4, 18)),
            (1981, date(1981, 4, 19)),
            (1943, date(1943, 4, 25)),
            (1913, date(1913, 3, 23)),
            (2038, date(2038, 4, 25)),
        ];
        for (year, expected) in known {
            assert_eq!(easter_sunday(year), expected, "year {year}");
            assert_eq!(expected.weekday(), Weekday::Sunday);
        }
    }

    #[test]
    fn national_holidays_2026_in_order_with_names() {
        let holidays = national_holidays(2026);
        let listed: Vec<(String, &str)> = holidays
            .iter()
            .map(|h| (h.date.to_string(), h.name.as_str()))
            .collect();
        let expected = [
            ("2026-01-01", "Capodanno"),
            ("2026-01-06", "Epifania"),
            ("2026-04-05", "Pasqua"),
            ("2026-04-06", "Lunedì dell'Angelo"),
            ("2026-04-25", "Festa della Liberazione"),
            ("2026-05-01", "Festa del Lavoro"),
            ("2026-06-02", "Festa della Repubblica"),
            ("2026-08-15", "Ferragosto (Assunzione di Maria)"),
            ("2026-10-04", "San Francesco d'Assisi"),
            ("2026-11-01", "Ognissanti"),
            ("2026-12-08", "Immacolata Concezione"),
            ("2026-12-25", "Natale"),
            ("2026-12-26", "Santo Stefano"),
        ];
        let expected: Vec<(String, &str)> =
            expected.iter().map(|(d, n)| (d.to_string(), *n)).collect();
        assert_eq!(listed, expected);
    }

    #[test]
    fn san_francesco_only_from_2026() {
        let cal = Calendar::national();
        for (year, present) in [(2024, false), (2025, false), (2026, true), (2027, true)] {
            let day = date(year, 10, 4);
            assert_eq!(cal.is_holiday(day), present, "{day}");
            assert_eq!(
                national_holidays(year).iter().any(|h| h.date == day),
                present,
                "{day} in the listing"
            );
        }
        assert_eq!(national_holidays(2025).len(), 12);
        assert_eq!(national_holidays(2026).len(), 13);
    }

    #[test]
    fn weekend_holidays_are_not_moved() {
        let cal = Calendar::national();
        // 25 April 2026 is a Saturday; the Monday after stays a working day.
        assert_eq!(date(2026, 4, 25).weekday(), Weekday::Saturday);
        assert!(cal.is_holiday(date(2026, 4, 25)));
        assert!(!cal.is_holiday(date(2026, 4, 27)));
        assert!(!cal.is_holiday(date(2026, 4, 24)));
    }

    #[test]
    fn every_national_holiday_is_recognised_day_by_day() {
        let cal = Calendar::national();
        for year in [1999, 2025, 2026, 2030, 2100] {
            let listed: Vec<Date> = national_holidays(year).iter().map(|h| h.date).collect();
            let mut day = date(year, 1, 1);
            while day.year() == year {
                assert_eq!(cal.is_holiday(day), listed.contains(&day), "{day}");
                day = day.tomorrow().unwrap();
            }
        }
    }

    #[test]
    fn patron_days_fixed() {
        let cases = [
            ("Santi Pietro e Paolo", 6, 29, date(2026, 6, 29)),
            ("San Giovanni", 6, 24, date(2026, 6, 24)),
            ("San Biagio", 2, 3, date(2026, 2, 3)),
        ];
        for (name, month, day, expected) in cases {
            let cal = Calendar::national().with_patron(PatronDay::fixed(name, month, day).unwrap());
            assert!(cal.is_holiday(expected), "{name}");
            assert!(
                !Calendar::national().is_holiday(expected),
                "{name} is not national"
            );
            let on = cal.holidays_on(expected);
            assert_eq!(on.len(), 1);
            assert_eq!(on[0].name, name);
            assert_eq!(on[0].kind, HolidayKind::Patron);
        }
    }

    #[test]
    fn maglione_third_sunday_of_september() {
        let patron = PatronDay::nth_weekday("San Maurizio", 9, 3, Weekday::Sunday).unwrap();
        let cal = Calendar::national().with_patron(patron.clone());
        for (year, expected) in [
            (2025, date(2025, 9, 21)),
            (2026, date(2026, 9, 20)),
            (2027, date(2027, 9, 19)),
        ] {
            assert_eq!(patron.date_in(year), Some(expected));
            assert!(cal.is_holiday(expected));
            // The rule moves: the other years' dates are ordinary Sundays.
            for other in [date(year, 9, 14), date(year, 9, 28)] {
                if other != expected {
                    assert!(!cal.is_holiday(other), "{other}");
                }
            }
        }
    }

    #[test]
    fn tradate_patron_coincides_with_santo_stefano() {
        let cal =
            Calendar::national().with_patron(PatronDay::fixed("Santo Stefano", 12, 26).unwrap());
        let list = cal.holidays(2026);
        assert_eq!(list.len(), 14);
        let boxing: Vec<HolidayKind> = list
            .iter()
            .filter(|h| h.date == date(2026, 12, 26))
            .map(|h| h.kind)
            .collect();
        assert_eq!(boxing, [HolidayKind::National, HolidayKind::Patron]);
        assert!(list.windows(2).all(|w| w[0].date <= w[1].date));
    }

    #[test]
    fn closures_whole_and_partial() {
        let eve = Closure::part_of_day(
            date(2026, 12, 24),
            "13:00".parse().unwrap(),
            TimeOfDay::END_OF_DAY,
            "Vigilia di Natale",
        )
        .unwrap();
        let bridge = Closure::whole_day(date(2026, 12, 7), "Ponte dell'Immacolata");
        let cal = Calendar::national().with_closures([eve.clone(), bridge]);
        assert!(cal.is_holiday(date(2026, 12, 7)));
        assert!(
            !cal.is_holiday(date(2026, 12, 24)),
            "only the afternoon is closed"
        );
        assert_eq!(
            cal.closed_on(date(2026, 12, 24)),
            Closed::Parts(vec![(780, 1440)])
        );
        let list = cal.holidays(2026);
        assert_eq!(list.len(), 15);
        let eve_listed = list.iter().find(|h| h.date == date(2026, 12, 24)).unwrap();
        assert_eq!(eve_listed.kind, HolidayKind::Closure);
        assert_eq!(eve_listed.part.to_string(), "dalle 13:00");
        // Closures belong to their year only.
        assert_eq!(cal.holidays(2027).len(), 13);
    }

    #[test]
    fn invalid_rules_name_the_value() {
        let err = PatronDay::fixed("San Nessuno", 2, 30).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid patron day `San Nessuno`: 30/2 is not a day of the year"
        );
        let err = PatronDay::nth_weekday("X", 9, 0, Weekday::Sunday).unwrap_err();
        assert!(err.to_string().contains("nth 0"), "{err}");
        let err = Closure::part_of_day(
            date(2026, 12, 24),
            "13:00".parse().unwrap(),
            "12:00".parse().unwrap(),
            "x",
        )
        .unwrap_err();
        assert!(err.to_string().contains("2026-12-24"), "{err}");
        assert!(err.to_string().contains("13:00-12:00"), "{err}");
    }

    #[test]
    fn leap_day_patron_is_skipped_in_common_years() {
        let patron = PatronDay::fixed("San Romano", 2, 29).unwrap();
        assert_eq!(patron.date_in(2028), Some(date(2028, 2, 29)));
        assert_eq!(patron.date_in(2026), None);
        assert_eq!(
            Calendar::national()
                .with_patron(patron)
                .holidays(2026)
                .len(),
            13
        );
    }

    #[test]
    fn patron_rule_in_italian() {
        assert_eq!(
            PatronRule::Fixed { month: 6, day: 29 }.to_string(),
            "29 giugno"
        );
        let last_monday = PatronRule::NthWeekday {
            month: 5,
            nth: -1,
            weekday: Weekday::Monday,
        };
        assert_eq!(last_monday.to_string(), "ultimo lunedì di maggio");
    }

    #[test]
    fn calendar_spec_from_toml() {
        let spec: CalendarSpec = toml::from_str(
            r#"
            patron = { name = "San Maurizio", month = 9, weekday = "dom", nth = 3 }

            [[closures]]
            date = "2026-12-24"
            from = "13:00"
            name = "Vigilia di Natale"

            [[closures]]
            date = "2026-12-07"
            name = "Ponte"
            "#,
        )
        .unwrap();
        let cal = Calendar::try_from(&spec).unwrap();
        assert!(cal.is_holiday(date(2026, 9, 20)));
        assert!(cal.is_holiday(date(2026, 12, 7)));
        assert!(!cal.is_holiday(date(2026, 12, 24)));
        let back = CalendarSpec::from(&cal);
        assert_eq!(
            back.patron.as_ref().unwrap().weekday.as_deref(),
            Some("dom")
        );
        assert_eq!(Calendar::try_from(&back).unwrap(), cal);

        let both = PatronSpec {
            name: "Doppio".into(),
            month: 6,
            day: Some(29),
            weekday: Some("dom".into()),
            nth: Some(1),
        };
        let err = PatronDay::try_from(&both).unwrap_err();
        assert!(err.to_string().contains("Doppio"), "{err}");
        let bad_day = PatronSpec {
            name: "X".into(),
            month: 9,
            day: None,
            weekday: Some("domenca".into()),
            nth: Some(3),
        };
        assert_eq!(
            PatronDay::try_from(&bad_day).unwrap_err(),
            CalendarError::UnknownDay("domenca".into())
        );
    }

    #[test]
    fn holiday_serialises_with_iso_date() {
        let h = &national_holidays(2026)[3];
        let json = serde_json::to_value(h).unwrap();
        assert_eq!(json["date"], "2026-04-06");
        assert_eq!(json["name"], "Lunedì dell'Angelo");
        assert_eq!(json["kind"], "national");
        assert_eq!(json["part"]["from"], "00:00");
        assert_eq!(json["part"]["to"], "24:00");
    }
}
