//! Meta's timestamps, in the few shapes the Graph API uses: ISO 8601 with
//! a `+0000` offset on Facebook (`2024-01-15T10:00:00+0000`), `Z` or
//! `+00:00` on Instagram, unix seconds in webhooks. A few lines here
//! instead of a date library; nothing in them can panic on odd input.

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
/// algorithm).
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01.
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn digits(b: &[u8], from: usize, n: usize) -> Option<u32> {
    let s = b.get(from..from.checked_add(n)?)?;
    let mut v = 0u32;
    for c in s {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(c - b'0');
    }
    Some(v)
}

/// Milliseconds since the epoch of `YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH[:]MM]`
/// (no offset means UTC).
pub(crate) fn parse_iso_ms(s: &str) -> Option<i64> {
    let b = s.trim().as_bytes();
    let year = digits(b, 0, 4)?;
    let month = digits(b, 5, 2)?;
    let day = digits(b, 8, 2)?;
    let hour = digits(b, 11, 2)?;
    let minute = digits(b, 14, 2)?;
    let second = digits(b, 17, 2)?;
    if b.get(4) != Some(&b'-')
        || b.get(7) != Some(&b'-')
        || !matches!(b.get(10), Some(b'T' | b't' | b' '))
        || b.get(13) != Some(&b':')
        || b.get(16) != Some(&b':')
    {
        return None;
    }
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut i = 19;
    let mut millis = 0i64;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            if i - start < 3 {
                millis = millis * 10 + i64::from(b[i] - b'0');
            }
            i += 1;
        }
        if i == start {
            return None;
        }
        for _ in (i - start)..3 {
            millis *= 10;
        }
    }
    let offset_s: i64 = match b.get(i) {
        None => 0,
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(sign @ (b'+' | b'-')) => {
            let h = digits(b, i + 1, 2)?;
            let rest = &b[i + 3..];
            let m = match rest {
                [] => 0,
                [b':', ..] if rest.len() == 3 => digits(rest, 1, 2)?,
                _ if rest.len() == 2 => digits(rest, 0, 2)?,
                _ => return None,
            };
            if h > 23 || m > 59 {
                return None;
            }
            let off = i64::from(h * 3600 + m * 60);
            if *sign == b'-' { -off } else { off }
        }
        _ => return None,
    };
    let days = days_from_civil(i64::from(year), month, day);
    let secs = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second) - offset_s;
    Some(secs * 1000 + millis)
}

/// A unix time as Meta sends it in webhooks: seconds, or milliseconds for
/// values too large to be seconds (some payloads use them).
pub(crate) fn unix_to_ms(v: i64) -> Option<i64> {
    if v.unsigned_abs() >= 100_000_000_000 {
        Some(v)
    } else {
        v.checked_mul(1000)
    }
}

/// `15/01/2024 alle 10:00 UTC`, for the operator's messages.
pub(crate) fn format_it(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let sod = secs.rem_euclid(86_400);
    format!(
        "{d:02}/{m:02}/{y} alle {:02}:{:02} UTC",
        sod / 3600,
        (sod % 3600) / 60
    )
}

/// Now, in milliseconds since the epoch.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facebook_and_instagram_shapes_parse_to_the_same_instant() {
        let t = 1_705_312_800_000; // 2024-01-15T10:00:00Z
        assert_eq!(parse_iso_ms("2024-01-15T10:00:00+0000"), Some(t));
        assert_eq!(parse_iso_ms("2024-01-15T10:00:00+00:00"), Some(t));
        assert_eq!(parse_iso_ms("2024-01-15T10:00:00Z"), Some(t));
        assert_eq!(parse_iso_ms("2024-01-15T10:00:00"), Some(t));
        assert_eq!(parse_iso_ms("2024-01-15T11:00:00+0100"), Some(t));
        assert_eq!(parse_iso_ms("2024-01-15T09:30:00-00:30"), Some(t));
        assert_eq!(parse_iso_ms("2024-01-15T10:00:00.250Z"), Some(t + 250));
        assert_eq!(parse_iso_ms("2024-01-15T10:00:00.5Z"), Some(t + 500));
    }

    #[test]
    fn garbage_is_refused_not_guessed() {
        for s in [
            "",
            "2024",
            "2024-13-01T00:00:00Z",
            "2024-01-15 10:00",
            "2024-01-15T10:00:00+1",
            "2024-01-15T10:00:00Zx",
            "2024-01-15T10:00:00.Z",
            "2024-01-15T25:00:00Z",
            "２０２４-01-15T10:00:00Z",
        ] {
            assert_eq!(parse_iso_ms(s), None, "{s}");
        }
    }

    #[test]
    fn days_round_trip() {
        for z in [-800_000, -1, 0, 1, 19_737, 2_932_896] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(format_it(1_705_312_800_000), "15/01/2024 alle 10:00 UTC");
    }

    #[test]
    fn seconds_and_milliseconds_are_told_apart() {
        assert_eq!(unix_to_ms(1_700_000_000), Some(1_700_000_000_000));
        assert_eq!(unix_to_ms(1_700_000_000_123), Some(1_700_000_000_123));
        assert_eq!(unix_to_ms(i64::MIN), Some(i64::MIN));
    }
}
