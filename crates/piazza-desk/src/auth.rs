//! Staff passwords: Argon2id hashes, never the password itself.

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};

use crate::{DeskError, Result};

/// Hashes a password with Argon2id and a random salt (PHC string).
pub fn hash_password(password: &str) -> Result<String> {
    if password.chars().count() < 12 {
        return Err(DeskError::InvalidInput(
            "la password deve essere lunga almeno 12 caratteri".into(),
        ));
    }
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| DeskError::InvalidInput(format!("impossibile cifrare la password: {e}")))
}

/// Letters and digits without look-alikes (no 0/O, 1/l/I).
const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// A password of `len` characters drawn from the operating system's
/// generator, each character equally likely. A generator that fails is an
/// error: a password is never made of what a failed read left behind.
pub fn generate_password(len: usize) -> Result<String> {
    // Bytes at or above the largest multiple of the alphabet's size are
    // dropped, so that no character is likelier than another.
    let limit = 256 - 256 % ALPHABET.len();
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 64];
    while out.len() < len {
        getrandom::fill(&mut buf).map_err(|e| {
            DeskError::InvalidInput(format!(
                "il generatore casuale del sistema operativo non ha risposto: {e}"
            ))
        })?;
        for &b in &buf {
            if usize::from(b) < limit && out.len() < len {
                out.push(ALPHABET[usize::from(b) % ALPHABET.len()] as char);
            }
        }
    }
    Ok(out)
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

    #[test]
    fn generated_passwords_use_the_whole_alphabet_evenly() {
        let a = generate_password(20).unwrap();
        let b = generate_password(20).unwrap();
        assert_eq!(a.chars().count(), 20);
        assert_ne!(a, b);
        assert!(a.bytes().all(|c| ALPHABET.contains(&c)));
        // 56,000 characters: each of the 56 appears about 1,000 times.
        let many = generate_password(56_000).unwrap();
        for &c in ALPHABET {
            let n = many.bytes().filter(|&x| x == c).count();
            assert!((800..1200).contains(&n), "{} appears {n} times", c as char);
        }
    }
}
