//! Attempts per key and minute, in the database: sign-ins per username and
//! per client address, public forms per client address. The limits hold
//! across every instance that shares the database, for usernames that exist
//! and for those that do not alike (the answer must not tell them apart).
//! Keys are kept as SHA-256 only: people type passwords into the username
//! field.

use std::net::IpAddr;

use sha2::{Digest, Sha256};

use crate::{Desk, Result};

/// The window of the count, in milliseconds.
pub const LOGIN_WINDOW_MS: i64 = 60_000;

/// What an attempt is counted against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptKey<'a> {
    /// A sign-in as this username (trimmed, any case), existing or not.
    Username(&'a str),
    /// A sign-in from this client address (`None`: the server was not told
    /// the peer's address, as in in-process tests).
    LoginAddress(Option<IpAddr>),
    /// An appeal or report sent by the public form from this address.
    PublicFormAddress(Option<IpAddr>),
}

/// The block an address belongs to for counting: an IPv6 client usually
/// holds a whole /64 and could try from each of its addresses, so they
/// count as one; an IPv4-mapped address counts as its IPv4 address.
pub fn address_block(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V4(_) => addr,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

impl AttemptKey<'_> {
    fn key(&self) -> String {
        let address = |a: &Option<IpAddr>| match a {
            Some(a) => address_block(*a).to_string(),
            None => "unknown".to_string(),
        };
        let subject = match self {
            AttemptKey::Username(u) => format!("login username\0{}", u.trim().to_lowercase()),
            AttemptKey::LoginAddress(a) => format!("login address\0{}", address(a)),
            AttemptKey::PublicFormAddress(a) => format!("public form address\0{}", address(a)),
        };
        let mut h = Sha256::new();
        h.update(b"piazza attempts\0");
        h.update(subject.as_bytes());
        hex::encode(h.finalize())
    }
}

impl Desk {
    /// Counts one attempt against each key, in one transaction, and returns
    /// for each the attempts in its current one-minute window, this one
    /// included.
    pub fn count_attempts(&self, keys: &[AttemptKey<'_>]) -> Result<Vec<u32>> {
        let now = self.now();
        let expired = now - LOGIN_WINDOW_MS;
        self.write(|tx| {
            keys.iter()
                .map(|k| {
                    let n = tx
                        .query_one(
                            "INSERT INTO attempt_counts (key_sha256, window_start, attempts) VALUES (?, ?, 1)
                             ON CONFLICT (key_sha256) DO UPDATE SET
                               attempts = CASE WHEN attempt_counts.window_start <= ? THEN 1 ELSE attempt_counts.attempts + 1 END,
                               window_start = CASE WHEN attempt_counts.window_start <= ? THEN excluded.window_start ELSE attempt_counts.window_start END
                             RETURNING attempts",
                            &[k.key().into(), now.into(), expired.into(), expired.into()],
                        )?
                        .int(0)?;
                    Ok(u32::try_from(n).unwrap_or(u32::MAX))
                })
                .collect()
        })
    }

    /// Forgets the counts whose window has closed (run by the worker).
    pub fn prune_attempts(&self) -> Result<u64> {
        let expired = self.now() - LOGIN_WINDOW_MS;
        self.write(|tx| {
            Ok(tx.execute(
                "DELETE FROM attempt_counts WHERE window_start <= ?",
                &[expired.into()],
            )?)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_the_username_however_written_and_not_the_username() {
        let k = |u| AttemptKey::Username(u).key();
        assert_eq!(k(" Anna "), k("anna"));
        assert_ne!(k("anna"), k("bruno"));
        assert!(!k("anna").contains("anna"));
    }

    #[test]
    fn an_address_counts_apart_for_sign_ins_and_forms_and_with_its_ipv6_block() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let same_block: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let other_block: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        let login = |a| AttemptKey::LoginAddress(Some(a)).key();
        assert_eq!(login(a), login(same_block));
        assert_ne!(login(a), login(other_block));
        assert_ne!(login(a), AttemptKey::PublicFormAddress(Some(a)).key());
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(
            address_block(mapped),
            "192.0.2.7".parse::<IpAddr>().unwrap()
        );
        assert_eq!(login("192.0.2.7".parse().unwrap()), login(mapped));
        assert_ne!(
            login("192.0.2.7".parse().unwrap()),
            login("192.0.2.8".parse().unwrap())
        );
    }
}
