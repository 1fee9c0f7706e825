//! A limit on login attempts per client address and per username, on top
//! of the desk's lockout of one account after five failures: the lockout
//! stops guessing one person's password, the address limit stops trying
//! one password on many people, and the username limit slows guessing one
//! person's password from many addresses (and the lockouts it would
//! cause) whether or not the username exists.
//!
//! The address limit's window is fixed (one minute) and its table lives in
//! each process's memory: a restart forgets it, which costs an attacker
//! nothing they would not get from waiting a minute, and behind a balancer
//! each instance counts its own share. Behind a reverse proxy every client
//! shares the proxy's address, so the limit is generous. The username limit
//! is counted in the database (`Desk::count_login_attempt`), the same for
//! every instance.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

/// Attempts per address and minute, by default.
pub const LOGIN_ATTEMPTS_PER_MINUTE: u32 = 30;

/// Attempts per username and minute, from every address together.
pub const LOGIN_ATTEMPTS_PER_USERNAME_MINUTE: u32 = 10;

/// Submissions of a public form (appeal, report) per address and minute: a
/// citizen sends one or two; a script trying references sends many.
pub const PUBLIC_FORMS_PER_MINUTE: u32 = 10;

const WINDOW_MS: i64 = 60_000;

#[derive(Debug)]
pub struct LoginThrottle {
    limit: u32,
    seen: Mutex<HashMap<Option<IpAddr>, (i64, u32)>>,
}

impl LoginThrottle {
    pub fn new(limit: u32) -> LoginThrottle {
        LoginThrottle {
            limit,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Counts an attempt from `addr` at `now` (ms); `false` when the
    /// address has used up its attempts for the current minute.
    pub fn allow(&self, addr: Option<IpAddr>, now: i64) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() > 10_000 {
            seen.retain(|_, (start, _)| now - *start < WINDOW_MS);
        }
        let entry = seen.entry(addr).or_insert((now, 0));
        if now - entry.0 >= WINDOW_MS {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 <= self.limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gets_its_attempts_per_minute_then_waits() {
        let t = LoginThrottle::new(3);
        let a = Some("192.0.2.1".parse().unwrap());
        let b = Some("192.0.2.2".parse().unwrap());
        assert!(t.allow(a, 0) && t.allow(a, 1) && t.allow(a, 2));
        assert!(!t.allow(a, 3));
        assert!(t.allow(b, 3), "another address is not affected");
        assert!(!t.allow(a, 59_999));
        assert!(t.allow(a, 60_000), "a new minute, new attempts");
    }
}
