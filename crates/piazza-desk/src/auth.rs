//! Staff passwords: Argon2id hashes, never the password itself.

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};

use crate::{DeskError, Result};

/// Hashes a password with Argon2id and a random salt (PHC string).
pub fn hash_password(password: &str) -> Result<String> {
    if password.chars().count() < 12 {
        return Err(DeskError::InvalidInput(
            "the password must be at least 12 characters long".into(),
        ));
    }
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| DeskError::InvalidInput(format!("cannot hash the password: {e}")))
}

/// Checks a password against a stored hash.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_short_passwords_are_refused() {
        let h = hash_password("una password lunga").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("una password lunga", &h));
        assert!(!verify_password("un'altra password", &h));
        assert!(hash_password("corta").is_err());
    }
}
