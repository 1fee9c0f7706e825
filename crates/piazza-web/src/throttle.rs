//! Limits on attempts: sign-ins per client address and per username, on
//! top of the desk's lockout of one account after five failures, and public
//! forms per client address. The lockout stops guessing one person's
//! password, the address limit stops trying one password on many people,
//! and the username limit slows guessing one person's password from many
//! addresses (and the lockouts it would cause) whether or not the username
//! exists.
//!
//! Every count is kept in the database (`Desk::count_attempts`), the same
//! for every instance behind a balancer, in fixed one-minute windows. Each
//! instance also keeps its own count of the addresses it served: an address
//! this instance alone has already seen over the limit is refused without
//! touching the database (the shared count, which includes those attempts,
//! would refuse it too), so a flood costs the database nothing. Behind a
//! reverse proxy every client shares the proxy's address, so the address
//! limit is generous; an IPv6 client counts by its /64.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use piazza_desk::{AttemptKey, address_block};

use crate::error::AppError;
use crate::state::AppState;

/// Attempts per address and minute, by default.
pub const LOGIN_ATTEMPTS_PER_MINUTE: u32 = 30;

/// Attempts per username and minute, from every address together.
pub const LOGIN_ATTEMPTS_PER_USERNAME_MINUTE: u32 = 10;

/// Submissions of a public form (appeal, report) per address and minute: a
/// citizen sends one or two; a script trying references sends many.
pub const PUBLIC_FORMS_PER_MINUTE: u32 = 10;

const WINDOW_MS: i64 = 60_000;

/// A limit per client address and minute, with this instance's own count.
#[derive(Debug)]
pub struct AddressThrottle {
    limit: u32,
    seen: Mutex<HashMap<Option<IpAddr>, (i64, u32)>>,
}

impl AddressThrottle {
    pub fn new(limit: u32) -> AddressThrottle {
        AddressThrottle {
            limit,
            seen: Mutex::new(HashMap::new()),
        }
    }

    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// Counts an attempt from `addr` at `now` (ms) on this instance;
    /// `false` when this instance alone has seen the address use up its
    /// attempts for the current minute.
    pub fn allow_here(&self, addr: Option<IpAddr>, now: i64) -> bool {
        let addr = addr.map(address_block);
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

/// A sign-in from `client` (as `username`, when one worth counting was
/// typed) may go on: neither the address nor the username has used up its
/// attempts this minute, counted by every instance together.
pub(crate) async fn sign_in_allowed(
    state: &AppState,
    client: Option<IpAddr>,
    username: Option<&str>,
) -> Result<bool, AppError> {
    let throttle = state.login_throttle.clone();
    if !throttle.allow_here(client, state.desk.now()) {
        return Ok(false);
    }
    let username = username.map(str::to_string);
    let counts = state
        .run(move |desk| {
            let mut keys = vec![AttemptKey::LoginAddress(client)];
            if let Some(u) = &username {
                keys.push(AttemptKey::Username(u));
            }
            desk.count_attempts(&keys)
        })
        .await?;
    Ok(counts[0] <= throttle.limit()
        && counts
            .get(1)
            .is_none_or(|&n| n <= LOGIN_ATTEMPTS_PER_USERNAME_MINUTE))
}

/// A public form sent from `client` may be taken, counted by every
/// instance together.
pub(crate) async fn public_form_allowed(
    state: &AppState,
    client: Option<IpAddr>,
) -> Result<bool, AppError> {
    let throttle = state.public_form_throttle.clone();
    if !throttle.allow_here(client, state.desk.now()) {
        return Ok(false);
    }
    let counts = state
        .run(move |desk| desk.count_attempts(&[AttemptKey::PublicFormAddress(client)]))
        .await?;
    Ok(counts[0] <= throttle.limit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gets_its_attempts_per_minute_then_waits() {
        let t = AddressThrottle::new(3);
        let a = Some("192.0.2.1".parse().unwrap());
        let b = Some("192.0.2.2".parse().unwrap());
        assert!(t.allow_here(a, 0) && t.allow_here(a, 1) && t.allow_here(a, 2));
        assert!(!t.allow_here(a, 3));
        assert!(t.allow_here(b, 3), "another address is not affected");
        assert!(!t.allow_here(a, 59_999));
        assert!(t.allow_here(a, 60_000), "a new minute, new attempts");
    }
}
