//! Login attempts per username and minute, in the database: the limit
//! holds across every instance that shares it, for usernames that exist
//! and for those that do not alike (the answer must not tell them apart).

use sha2::{Digest, Sha256};

use crate::{Desk, Result};

/// The window of the count, in milliseconds.
pub const LOGIN_WINDOW_MS: i64 = 60_000;

fn key(username: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"piazza login attempts\0");
    h.update(username.trim().to_lowercase().as_bytes());
    hex::encode(h.finalize())
}

impl Desk {
    /// Counts an attempt to sign in as `username` (trimmed, any case) and
    /// returns the attempts in its current one-minute window, this one
    /// included.
    pub fn count_login_attempt(&self, username: &str) -> Result<u32> {
        let now = self.now();
        let expired = now - LOGIN_WINDOW_MS;
        let n = self.write(|tx| {
            tx.query_one(
                "INSERT INTO login_attempts (key_sha256, window_start, attempts) VALUES (?, ?, 1)
                 ON CONFLICT (key_sha256) DO UPDATE SET
                   attempts = CASE WHEN login_attempts.window_start <= ? THEN 1 ELSE login_attempts.attempts + 1 END,
                   window_start = CASE WHEN login_attempts.window_start <= ? THEN excluded.window_start ELSE login_attempts.window_start END
                 RETURNING attempts",
                &[key(username).into(), now.into(), expired.into(), expired.into()],
            )?
            .int(0)
            .map_err(crate::DeskError::from)
        })?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// Forgets the counts whose window has closed (run by the worker).
    pub fn prune_login_attempts(&self) -> Result<u64> {
        let expired = self.now() - LOGIN_WINDOW_MS;
        self.write(|tx| {
            Ok(tx.execute(
                "DELETE FROM login_attempts WHERE window_start <= ?",
                &[expired.into()],
            )?)
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_key_is_the_username_however_written_and_not_the_username() {
        assert_eq!(super::key(" Anna "), super::key("anna"));
        assert_ne!(super::key("anna"), super::key("bruno"));
        assert!(!super::key("anna").contains("anna"));
    }
}
