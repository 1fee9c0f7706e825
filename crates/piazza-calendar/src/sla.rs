//! Response deadlines promised by a policy ("entro 24 ore lavorative").

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::CalendarError;

/// A promised response time in working time, with the point at which a
/// courtesy reply is due if the answer is not ready.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SlaRule {
    response: SignedDuration,
    courtesy_fraction: f64,
}

impl SlaRule {
    /// The courtesy fraction used unless the policy says otherwise.
    pub const DEFAULT_COURTESY_FRACTION: f64 = 0.75;

    /// `hours` working hours, courtesy reply at 75%.
    pub fn working_hours(hours: u32) -> Self {
        Self::working_minutes(hours.saturating_mul(60))
    }

    /// `minutes` working minutes, courtesy reply at 75%.
    pub fn working_minutes(minutes: u32) -> Self {
        SlaRule {
            response: SignedDuration::from_mins(i64::from(minutes)),
            courtesy_fraction: Self::DEFAULT_COURTESY_FRACTION,
        }
    }

    /// Sets the share of the response time after which a courtesy reply is
    /// due, between 0 and 1 (1 = only at the deadline).
    pub fn with_courtesy_at(mut self, fraction: f64) -> Result<Self, CalendarError> {
        if !(0.0..=1.0).contains(&fraction) {
            return Err(CalendarError::InvalidCourtesyFraction(fraction));
        }
        self.courtesy_fraction = fraction;
        Ok(self)
    }

    /// The working time promised.
    pub fn response(&self) -> SignedDuration {
        self.response
    }

    /// The courtesy fraction.
    pub fn courtesy_fraction(&self) -> f64 {
        self.courtesy_fraction
    }

    /// The working time after which the courtesy reply is due, to the second.
    pub fn courtesy_time(&self) -> SignedDuration {
        let seconds = (self.response.as_secs() as f64 * self.courtesy_fraction).round();
        SignedDuration::from_secs(seconds as i64)
    }
}

/// Where an item stands against its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaStatus {
    /// Received while closed; the clock has not started.
    Waiting,
    /// Running, before the courtesy point.
    OnTime,
    /// Past the courtesy point: a courtesy reply is due.
    CourtesyDue,
    /// Past the deadline.
    Breached,
}

impl SlaStatus {
    /// Stable id, as in JSON and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            SlaStatus::Waiting => "waiting",
            SlaStatus::OnTime => "on_time",
            SlaStatus::CourtesyDue => "courtesy_due",
            SlaStatus::Breached => "breached",
        }
    }

    /// Italian label.
    pub fn label_it(self) -> &'static str {
        match self {
            SlaStatus::Waiting => "in attesa di presa in carico",
            SlaStatus::OnTime => "nei tempi",
            SlaStatus::CourtesyDue => "risposta di cortesia dovuta",
            SlaStatus::Breached => "scaduto",
        }
    }
}

/// The instants that make a response promise measurable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SlaDeadline {
    /// When the item arrived.
    pub received: Timestamp,
    /// The first open instant at or after arrival, when the clock starts.
    pub taken_in_charge: Timestamp,
    /// When a courtesy reply becomes due if no answer was given.
    pub courtesy_due: Timestamp,
    /// When the promised working time runs out.
    pub deadline: Timestamp,
}

impl SlaDeadline {
    /// The status at `now` for an item not yet answered. The deadline
    /// instant itself still counts as in time.
    pub fn status(&self, now: Timestamp) -> SlaStatus {
        if now > self.deadline {
            SlaStatus::Breached
        } else if now >= self.courtesy_due && self.courtesy_due < self.deadline {
            SlaStatus::CourtesyDue
        } else if now < self.taken_in_charge {
            SlaStatus::Waiting
        } else {
            SlaStatus::OnTime
        }
    }

    /// Whether an answer given at `answered` keeps the promise.
    pub fn met_by(&self, answered: Timestamp) -> bool {
        answered <= self.deadline
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Calendar, WorkingClock, parse_instant};

    fn at(text: &str) -> Timestamp {
        parse_instant(text).unwrap()
    }

    fn tradate_sla(received: &str, rule: &SlaRule) -> SlaDeadline {
        WorkingClock::new("lun-ven 09:00-12:00".parse().unwrap(), Calendar::national())
            .unwrap()
            .deadline(at(received), rule)
            .unwrap()
    }

    #[test]
    fn status_through_the_life_of_a_question() {
        let sla = tradate_sla("2026-12-24T17:05", &SlaRule::working_hours(24));
        let cases = [
            ("2026-12-25T10:00", SlaStatus::Waiting),
            ("2026-12-28T08:59", SlaStatus::Waiting),
            ("2026-12-28T09:00", SlaStatus::OnTime),
            ("2027-01-05T11:59", SlaStatus::OnTime),
            ("2027-01-05T12:00", SlaStatus::CourtesyDue),
            ("2027-01-08T12:00", SlaStatus::CourtesyDue),
            ("2027-01-08T12:00:01", SlaStatus::Breached),
        ];
        for (now, expected) in cases {
            assert_eq!(sla.status(at(now)), expected, "{now}");
        }
        assert!(sla.met_by(at("2027-01-08T12:00")));
        assert!(!sla.met_by(at("2027-01-08T12:01")));
    }

    #[test]
    fn courtesy_fraction_is_configurable_and_validated() {
        let half = SlaRule::working_hours(24).with_courtesy_at(0.5).unwrap();
        let sla = tradate_sla("2026-12-24T17:05", &half);
        // 12 h = 4 mornings: 28, 29, 30, 31 December.
        assert_eq!(
            crate::format_instant(sla.courtesy_due),
            "2026-12-31T12:00:00+01:00"
        );
        // At 1 the courtesy point is the deadline and never shows separately.
        let full = tradate_sla(
            "2026-12-24T17:05",
            &SlaRule::working_hours(24).with_courtesy_at(1.0).unwrap(),
        );
        assert_eq!(full.courtesy_due, full.deadline);
        assert_eq!(full.status(full.deadline), SlaStatus::OnTime);
        for bad in [-0.1, 1.5, f64::NAN] {
            assert!(matches!(
                SlaRule::working_hours(24).with_courtesy_at(bad),
                Err(CalendarError::InvalidCourtesyFraction(_))
            ));
        }
        assert_eq!(
            SlaRule::working_hours(24)
                .with_courtesy_at(2.0)
                .unwrap_err()
                .to_string(),
            "courtesy fraction 2 must be between 0 and 1"
        );
        assert_eq!(
            SlaRule::working_minutes(90).courtesy_time(),
            SignedDuration::from_mins(68) - SignedDuration::from_secs(30)
        );
    }

    #[test]
    fn status_ids_and_json() {
        let ids: Vec<&str> = [
            SlaStatus::Waiting,
            SlaStatus::OnTime,
            SlaStatus::CourtesyDue,
            SlaStatus::Breached,
        ]
        .iter()
        .map(|s| s.as_str())
        .collect();
        assert_eq!(ids, ["waiting", "on_time", "courtesy_due", "breached"]);
        assert_eq!(
            serde_json::to_value(SlaStatus::CourtesyDue).unwrap(),
            "courtesy_due"
        );
        let sla = tradate_sla("2026-12-24T17:05", &SlaRule::working_hours(24));
        let json = serde_json::to_value(sla).unwrap();
        assert_eq!(json["taken_in_charge"], "2026-12-28T08:00:00Z");
    }
}
