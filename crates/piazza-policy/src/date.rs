//! Calendar dates in a policy file, written as TOML local dates
//! (`last_updated = 2022-02-27`).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A calendar date (no time, no zone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PolicyDate {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl PolicyDate {
    pub fn new(year: i32, month: u8, day: u8) -> Option<PolicyDate> {
        ((1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month))
            .then_some(PolicyDate { year, month, day })
    }

    /// "27/02/2022", the way Italian documents write dates.
    pub fn italian(&self) -> String {
        format!("{:02}/{:02}/{}", self.day, self.month, self.year)
    }

    /// "27 febbraio 2022".
    pub fn italian_long(&self) -> String {
        format!(
            "{} {} {}",
            self.day,
            piazza_calendar::month_name_it(self.month as i8),
            self.year
        )
    }
}

pub(crate) fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

impl fmt::Display for PolicyDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl std::str::FromStr for PolicyDate {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("invalid date `{s}`, expected YYYY-MM-DD");
        let mut parts = s.splitn(3, '-');
        let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad());
        };
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(bad());
        }
        let year = y.parse().map_err(|_| bad())?;
        let month = m.parse().map_err(|_| bad())?;
        let day = d.parse().map_err(|_| bad())?;
        PolicyDate::new(year, month, day).ok_or_else(bad)
    }
}

impl Serialize for PolicyDate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Serialised as a TOML local date so that `policy init` writes
        // `last_updated = 2022-02-27`, not a quoted string.
        let dt: toml::value::Datetime = self
            .to_string()
            .parse()
            .map_err(serde::ser::Error::custom)?;
        dt.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for PolicyDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Toml(toml::value::Datetime),
            Text(String),
        }
        let text = match Raw::deserialize(deserializer) {
            Ok(Raw::Toml(dt)) => {
                if dt.time.is_some() || dt.offset.is_some() {
                    return Err(serde::de::Error::custom(format!(
                        "expected a date such as 2022-02-27, found the date-time {dt}"
                    )));
                }
                dt.to_string()
            }
            Ok(Raw::Text(s)) => s,
            Err(_) => {
                return Err(serde::de::Error::custom(
                    "wrong type: expected a date such as 2022-02-27",
                ));
            }
        };
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats_italian_dates() {
        let d: PolicyDate = "2022-02-27".parse().unwrap();
        assert_eq!(d.italian(), "27/02/2022");
        assert_eq!(d.italian_long(), "27 febbraio 2022");
        assert!("2022-02-30".parse::<PolicyDate>().is_err());
        assert!("2024-02-29".parse::<PolicyDate>().is_ok());
        assert!("2023-02-29".parse::<PolicyDate>().is_err());
        assert!("27/02/2022".parse::<PolicyDate>().is_err());
    }
}
