//! Meta's rate-limit headers and the gate that keeps the connector quiet
//! while they say the limit is reached.
//!
//! Every Graph response may carry (Source:
//! <https://developers.facebook.com/docs/graph-api/overview/rate-limiting>):
//! - `X-App-Usage: {"call_count":28,"total_time":25,"total_cputime":25}`,
//!   percentages of the app's limit;
//! - `X-Business-Use-Case-Usage: {"<biz-id>":[{"type":"pages","call_count":97,
//!   "total_cputime":23,"total_time":23,"estimated_time_to_regain_access":0}]}`
//!   for calls with a Page token, the regain time in minutes.
//!
//! A value at 100% or a regain time above zero closes the gate: the
//! connector answers `RateLimited` without calling until the announced time
//! (or [`DEFAULT_RATE_LIMIT_WAIT`] when Meta announces none) has passed.
//! Calling on would only extend the block.

use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::Value;

/// How long to wait when Meta says a limit is reached without saying until
/// when. Meta's windows are a rolling hour and usage decays as calls age out
/// of it; a quarter of that window is a conservative first wait (the outbox
/// backs off further if the limit persists).
pub const DEFAULT_RATE_LIMIT_WAIT: Duration = Duration::from_secs(15 * 60);

/// How long to wait after error 368 ("temporarily blocked for policy
/// violations"): Meta gives no duration and such blocks last hours, so
/// retrying sooner only risks extending it.
pub const POLICY_BLOCK_WAIT: Duration = Duration::from_secs(6 * 3600);

/// `X-App-Usage`, in percent of the app's limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct AppUsage {
    pub call_count: u32,
    pub total_time: u32,
    pub total_cputime: u32,
}

/// One entry of `X-Business-Use-Case-Usage`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct BusinessUsage {
    /// The business object the figures are for (the Page id for `pages`).
    pub business_id: String,
    /// The use case (`pages`, `instagram`, `messenger`...).
    pub kind: String,
    pub call_count: u32,
    pub total_cputime: u32,
    pub total_time: u32,
    /// Minutes until calls are allowed again (0: not throttled).
    pub estimated_time_to_regain_access: u32,
}

/// The last figures Meta reported to this connector.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Usage {
    pub app: Option<AppUsage>,
    pub business: Vec<BusinessUsage>,
    /// How much longer the connector refuses calls, when it does.
    pub blocked_for: Option<Duration>,
}

impl Usage {
    /// How long to hold off, if the figures say a limit is reached.
    pub fn wait(&self) -> Option<Duration> {
        let regain = self
            .business
            .iter()
            .map(|b| b.estimated_time_to_regain_access)
            .max()
            .unwrap_or(0);
        if regain > 0 {
            return Some(Duration::from_secs(u64::from(regain) * 60));
        }
        let full = self
            .app
            .iter()
            .flat_map(|a| [a.call_count, a.total_time, a.total_cputime])
            .chain(
                self.business
                    .iter()
                    .flat_map(|b| [b.call_count, b.total_time, b.total_cputime]),
            )
            .any(|p| p >= 100);
        full.then_some(DEFAULT_RATE_LIMIT_WAIT)
    }
}

/// A percentage or a count as Meta writes it (an integer, sometimes a
/// float); anything else reads as 0 rather than failing the call.
fn figure(v: Option<&Value>) -> u32 {
    match v {
        Some(Value::Number(n)) => n
            .as_u64()
            .map(|u| u.min(u64::from(u32::MAX)) as u32)
            .or_else(|| {
                n.as_f64()
                    .map(|f| f.clamp(0.0, f64::from(u32::MAX)).ceil() as u32)
            })
            .unwrap_or(0),
        Some(Value::String(s)) => s.trim().parse::<f64>().map_or(0, |f| {
            if f.is_finite() {
                f.clamp(0.0, f64::from(u32::MAX)).ceil() as u32
            } else {
                0
            }
        }),
        _ => 0,
    }
}

/// Parses `X-App-Usage`; `None` when absent or unreadable.
pub fn parse_app_usage(header: &str) -> Option<AppUsage> {
    let v: Value = serde_json::from_str(header).ok()?;
    let o = v.as_object()?;
    Some(AppUsage {
        call_count: figure(o.get("call_count")),
        total_time: figure(o.get("total_time")),
        total_cputime: figure(o.get("total_cputime")),
    })
}

/// Parses `X-Business-Use-Case-Usage`; entries that are not objects are
/// skipped, an unreadable header gives nothing.
pub fn parse_business_usage(header: &str) -> Vec<BusinessUsage> {
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(header) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (id, entries) in &map {
        // Documented as a list; a single object is accepted too.
        let list: Vec<&Value> = match entries {
            Value::Array(a) => a.iter().collect(),
            v @ Value::Object(_) => vec![v],
            _ => continue,
        };
        for e in list {
            let Some(o) = e.as_object() else { continue };
            out.push(BusinessUsage {
                business_id: id.clone(),
                kind: o
                    .get("type")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                call_count: figure(o.get("call_count")),
                total_cputime: figure(o.get("total_cputime")),
                total_time: figure(o.get("total_time")),
                estimated_time_to_regain_access: figure(o.get("estimated_time_to_regain_access")),
            });
        }
    }
    out
}

/// The gate: the last figures and until when calls are refused.
#[derive(Debug, Default)]
pub(crate) struct Gate {
    usage: Usage,
    blocked_until: Option<Instant>,
}

impl Gate {
    /// `Some(remaining)` while calls must not be made.
    pub fn closed_for(&self, now: Instant) -> Option<Duration> {
        self.blocked_until
            .and_then(|t| t.checked_duration_since(now))
            .filter(|d| !d.is_zero())
    }

    /// Records the figures of a response (when it carried any) and closes
    /// the gate if they say so.
    pub fn record(
        &mut self,
        app: Option<AppUsage>,
        business: Option<Vec<BusinessUsage>>,
        now: Instant,
    ) {
        if app.is_none() && business.is_none() {
            return;
        }
        // Only this response's figures decide: a regain time kept from an
        // older response must not close the gate again once it has passed.
        let this = Usage {
            app,
            business: business.clone().unwrap_or_default(),
            blocked_for: None,
        };
        if let Some(w) = this.wait() {
            self.block(w, now);
        }
        if let Some(a) = app {
            self.usage.app = Some(a);
        }
        if let Some(b) = business {
            self.usage.business = b;
        }
    }

    /// Closes the gate for `wait` from `now` (never shortens a longer block).
    pub fn block(&mut self, wait: Duration, now: Instant) {
        let until = now + wait;
        if self.blocked_until.is_none_or(|t| t < until) {
            self.blocked_until = Some(until);
        }
    }

    pub fn usage(&self, now: Instant) -> Usage {
        Usage {
            blocked_for: self.closed_for(now),
            ..self.usage.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_headers_parse() {
        let a = parse_app_usage(r#"{"call_count":28,"total_time":25,"total_cputime":25}"#).unwrap();
        assert_eq!(
            a,
            AppUsage {
                call_count: 28,
                total_time: 25,
                total_cputime: 25
            }
        );
        let b = parse_business_usage(
            r#"{"112233":[{"type":"pages","call_count":97,"total_cputime":23,"total_time":23,"estimated_time_to_regain_access":0}]}"#,
        );
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].business_id, "112233");
        assert_eq!(b[0].kind, "pages");
        assert_eq!(b[0].call_count, 97);
        assert_eq!(b[0].estimated_time_to_regain_access, 0);
    }

    #[test]
    fn odd_headers_never_fail() {
        assert_eq!(parse_app_usage("nope"), None);
        assert_eq!(parse_app_usage("[1]"), None);
        assert_eq!(
            parse_app_usage(r#"{"call_count":"99.5","total_time":-3,"total_cputime":1e300}"#),
            Some(AppUsage {
                call_count: 100,
                total_time: 0,
                total_cputime: u32::MAX
            })
        );
        assert!(parse_business_usage("{}").is_empty());
        assert!(parse_business_usage(r#"{"1":5,"2":[7,{"type":"pages"}]}"#).len() == 1);
        assert_eq!(
            parse_business_usage(r#"{"1":{"type":"pages","call_count":3}}"#)[0].call_count,
            3
        );
    }

    #[test]
    fn a_full_figure_or_a_regain_time_closes_the_gate_until_then() {
        let now = Instant::now();
        let mut g = Gate::default();
        g.record(parse_app_usage(r#"{"call_count":99}"#), None, now);
        assert_eq!(g.closed_for(now), None);
        g.record(parse_app_usage(r#"{"call_count":100}"#), None, now);
        assert_eq!(g.closed_for(now), Some(DEFAULT_RATE_LIMIT_WAIT));
        assert_eq!(g.closed_for(now + DEFAULT_RATE_LIMIT_WAIT), None);

        let mut g = Gate::default();
        g.record(
            None,
            Some(parse_business_usage(
                r#"{"1":[{"type":"pages","call_count":20,"estimated_time_to_regain_access":7}]}"#,
            )),
            now,
        );
        assert_eq!(g.closed_for(now), Some(Duration::from_secs(420)));
        assert_eq!(
            g.closed_for(now + Duration::from_secs(419)),
            Some(Duration::from_secs(1))
        );
        assert_eq!(g.closed_for(now + Duration::from_secs(420)), None);
        assert_eq!(g.usage(now).business[0].estimated_time_to_regain_access, 7);
        // A later, lower figure does not reopen a block early...
        g.record(parse_app_usage(r#"{"call_count":1}"#), None, now);
        assert!(g.closed_for(now + Duration::from_secs(60)).is_some());
        // ...and the old regain time does not close it again afterwards.
        let later = now + Duration::from_secs(600);
        g.record(parse_app_usage(r#"{"call_count":2}"#), None, later);
        assert_eq!(g.closed_for(later), None);
    }
}
