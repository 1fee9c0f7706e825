//! Secrets at rest. Platform access tokens are stored in the database only
//! sealed with ChaCha20-Poly1305 (an AEAD from `ring`), under a key that
//! never enters the database: derived from `PIAZZA_SECRET_KEY` when the
//! deployment sets it, else read from a key file created on first run with
//! mode 0600 in the data directory.
//!
//! Each sealed value is bound to what it belongs to (the "context": the
//! connection it is the token of), so a sealed token copied onto another
//! row does not open there. A fresh random nonce is drawn for every seal.
//!
//! ```
//! use piazza_secrets::SecretKey;
//! let key = SecretKey::from_passphrase("una frase segreta lunga almeno trentadue caratteri").unwrap();
//! let sealed = key.seal(b"EAAB-token", "connection:1");
//! assert!(!sealed.contains("EAAB"));
//! assert_eq!(key.open(&sealed, "connection:1").unwrap().expose(), "EAAB-token");
//! assert!(key.open(&sealed, "connection:2").is_err());
//! ```

pub mod signing;

use std::path::Path;

use piazza_platforms::SecretString;
use ring::aead::{self, Aad, CHACHA20_POLY1305, LessSafeKey, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};

/// The version tag of the sealed format: `v1:` + hex(nonce ‖ ciphertext ‖ tag).
const FORMAT: &str = "v1:";
/// HKDF label separating this key from other uses of the same passphrase
/// (the web layer signs CSRF tokens with it).
const INFO: &[u8] = b"piazza secrets at rest v1";
const MIN_PASSPHRASE: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("the secret key must be at least {MIN_PASSPHRASE} characters long")]
    ShortPassphrase,
    #[error("cannot read or create the key file {path}: {source}")]
    KeyFile {
        path: String,
        source: std::io::Error,
    },
    #[error("the key file {path} is damaged: expected 64 hexadecimal characters")]
    BadKeyFile { path: String },
    #[error(
        "the signing key file {path} is not an Ed25519 seed: expected 64 hexadecimal characters or 32 bytes"
    )]
    BadSigningKeyFile { path: String },
    #[error(
        "the key file {path} can be read by other users (mode {mode:o}): make it readable by Piazza only (chmod 600)"
    )]
    OpenKeyFile { path: String, mode: u32 },
    #[error(
        "the sealed secret cannot be opened: it was sealed with another key or for another record, or it was altered"
    )]
    Unreadable,
}

/// The key that seals secrets at rest. Its `Debug` output shows nothing.
pub struct SecretKey {
    key: LessSafeKey,
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(***)")
    }
}

impl SecretKey {
    fn from_bytes(bytes: &[u8; 32]) -> SecretKey {
        let unbound = UnboundKey::new(&CHACHA20_POLY1305, bytes).expect("a 32-byte key");
        SecretKey {
            key: LessSafeKey::new(unbound),
        }
    }

    /// A key derived (HKDF-SHA256) from a passphrase of at least 32
    /// characters, such as `PIAZZA_SECRET_KEY`.
    pub fn from_passphrase(passphrase: &str) -> Result<SecretKey, SecretError> {
        if passphrase.chars().count() < MIN_PASSPHRASE {
            return Err(SecretError::ShortPassphrase);
        }
        let salt = ring::hkdf::Salt::new(ring::hkdf::HKDF_SHA256, b"piazza");
        let prk = salt.extract(passphrase.as_bytes());
        let okm = prk
            .expand(&[INFO], ring::hkdf::HKDF_SHA256)
            .expect("one 32-byte block");
        let mut bytes = [0u8; 32];
        okm.fill(&mut bytes).expect("32 bytes fit one block");
        Ok(SecretKey::from_bytes(&bytes))
    }

    /// The key in `path`, created with 32 random bytes and mode 0600 when
    /// the file does not exist. A file others can read is refused.
    pub fn from_key_file(path: &Path) -> Result<SecretKey, SecretError> {
        let display = path.display().to_string();
        let io = |source| SecretError::KeyFile {
            path: display.clone(),
            source,
        };
        if !path.exists() {
            if let Some(dir) = path.parent()
                && !dir.as_os_str().is_empty()
            {
                std::fs::create_dir_all(dir).map_err(io)?;
            }
            let mut bytes = [0u8; 32];
            SystemRandom::new()
                .fill(&mut bytes)
                .map_err(|_| io(std::io::Error::other("no system randomness")))?;
            write_private(path, hex::encode(bytes).as_bytes()).map_err(io)?;
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path).map_err(io)?.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(SecretError::OpenKeyFile {
                    path: display,
                    mode,
                });
            }
        }
        let text = std::fs::read_to_string(path).map_err(io)?;
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(text.trim(), &mut bytes)
            .map_err(|_| SecretError::BadKeyFile { path: display })?;
        Ok(SecretKey::from_bytes(&bytes))
    }

    /// `PIAZZA_SECRET_KEY` when given, else the key file `secret.key` in
    /// the data directory.
    pub fn resolve(passphrase: Option<&str>, data_dir: &Path) -> Result<SecretKey, SecretError> {
        match passphrase.filter(|p| !p.is_empty()) {
            Some(p) => SecretKey::from_passphrase(p),
            None => SecretKey::from_key_file(&data_dir.join("secret.key")),
        }
    }

    /// Seals `plaintext` for `context` (what the secret belongs to).
    pub fn seal(&self, plaintext: &[u8], context: &str) -> String {
        let mut nonce = [0u8; aead::NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .expect("system randomness");
        let mut buf = plaintext.to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(context.as_bytes()),
                &mut buf,
            )
            .expect("sealing cannot fail for in-memory buffers");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&buf);
        format!("{FORMAT}{}", hex::encode(out))
    }

    /// Opens what [`SecretKey::seal`] sealed for the same `context`.
    pub fn open(&self, sealed: &str, context: &str) -> Result<SecretString, SecretError> {
        let bytes = sealed
            .strip_prefix(FORMAT)
            .and_then(|h| hex::decode(h).ok())
            .ok_or(SecretError::Unreadable)?;
        if bytes.len() < aead::NONCE_LEN + CHACHA20_POLY1305.tag_len() {
            return Err(SecretError::Unreadable);
        }
        let (nonce, rest) = bytes.split_at(aead::NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| SecretError::Unreadable)?;
        let mut buf = rest.to_vec();
        let plain = self
            .key
            .open_in_place(nonce, Aad::from(context.as_bytes()), &mut buf)
            .map_err(|_| SecretError::Unreadable)?;
        let text = String::from_utf8(plain.to_vec()).map_err(|_| SecretError::Unreadable)?;
        Ok(SecretString::new(text))
    }
}

fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Created private: there is no moment when others can read it.
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(contents)?;
    f.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_token_opens_only_with_its_key_and_context() {
        let a = SecretKey::from_passphrase("a".repeat(32).as_str()).unwrap();
        let b = SecretKey::from_passphrase("b".repeat(32).as_str()).unwrap();
        let sealed = a.seal(b"token-123", "connection:7");
        assert!(sealed.starts_with("v1:"));
        assert!(!sealed.contains("token"));
        assert_eq!(
            a.open(&sealed, "connection:7").unwrap().expose(),
            "token-123"
        );
        assert!(a.open(&sealed, "connection:8").is_err());
        assert!(b.open(&sealed, "connection:7").is_err());
        // Two seals of the same token differ (fresh nonce).
        assert_ne!(sealed, a.seal(b"token-123", "connection:7"));
        // One flipped byte is refused.
        let mut bytes = sealed.into_bytes();
        let last = bytes.len() - 1;
        bytes[last] = if bytes[last] == b'0' { b'1' } else { b'0' };
        let tampered = String::from_utf8(bytes).unwrap();
        assert!(a.open(&tampered, "connection:7").is_err());
        assert!(a.open("v1:zz", "connection:7").is_err());
        assert!(a.open("", "connection:7").is_err());
    }

    #[test]
    fn short_passphrases_are_refused() {
        assert!(matches!(
            SecretKey::from_passphrase("troppo corta"),
            Err(SecretError::ShortPassphrase)
        ));
    }

    #[test]
    fn the_key_file_is_created_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dati").join("secret.key");
        let k1 = SecretKey::from_key_file(&path).unwrap();
        let sealed = k1.seal(b"x", "c");
        let k2 = SecretKey::from_key_file(&path).unwrap();
        assert_eq!(k2.open(&sealed, "c").unwrap().expose(), "x");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            let e = SecretKey::from_key_file(&path).unwrap_err().to_string();
            assert!(e.contains("chmod 600"), "{e}");
        }
        assert_eq!(format!("{k1:?}"), "SecretKey(***)");
    }
}
