//! The key that signs audit checkpoints: Ed25519, its 32-byte seed kept in
//! a file outside the database (hex or raw bytes), so that whoever can
//! rewrite the database still cannot sign a checkpoint of the rewritten
//! log.
//!
//! ```
//! use piazza_secrets::signing::{SigningKeyFile, verify_signature};
//! let key = SigningKeyFile::from_seed([7u8; 32]);
//! let sig = key.sign(b"testo");
//! assert!(verify_signature(&key.public_hex(), b"testo", &sig).is_ok());
//! assert!(verify_signature(&key.public_hex(), b"altro", &sig).is_err());
//! ```

use std::path::Path;

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use ring::rand::{SecureRandom, SystemRandom};

use crate::{SecretError, write_private};

/// Why a signature does not check out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the public key is not 64 hexadecimal characters of a valid Ed25519 key")]
    BadPublicKey,
    #[error("the signature is not 128 hexadecimal characters")]
    BadSignatureEncoding,
    #[error("the signature does not match the text and the public key")]
    Mismatch,
}

/// An Ed25519 signing key read from a file. Its `Debug` output shows only
/// the public key: the seed never reaches a log.
pub struct SigningKeyFile {
    key: SigningKey,
}

impl std::fmt::Debug for SigningKeyFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKeyFile(public {})", self.public_hex())
    }
}

impl SigningKeyFile {
    pub fn from_seed(seed: [u8; 32]) -> SigningKeyFile {
        SigningKeyFile {
            key: SigningKey::from_bytes(&seed),
        }
    }

    /// Reads the seed from `path`: 64 hexadecimal characters (surrounding
    /// whitespace ignored) or exactly 32 raw bytes. A file others can read
    /// is refused, as for the sealing key.
    pub fn from_file(path: &Path) -> Result<SigningKeyFile, SecretError> {
        let display = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|source| SecretError::KeyFile {
            path: display.clone(),
            source,
        })?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path)
                .map_err(|source| SecretError::KeyFile {
                    path: display.clone(),
                    source,
                })?
                .permissions()
                .mode()
                & 0o777;
            if mode & 0o077 != 0 {
                return Err(SecretError::OpenKeyFile {
                    path: display,
                    mode,
                });
            }
        }
        let mut seed = [0u8; 32];
        let text = std::str::from_utf8(&bytes).ok().map(str::trim);
        match text {
            Some(t) if t.len() == 64 && hex::decode_to_slice(t, &mut seed).is_ok() => {}
            _ if bytes.len() == 32 => seed.copy_from_slice(&bytes),
            _ => return Err(SecretError::BadSigningKeyFile { path: display }),
        }
        Ok(SigningKeyFile::from_seed(seed))
    }

    /// A new random key written to `path` (hex, mode 0600). An existing
    /// file is never overwritten: it may be the only copy of a key whose
    /// public half is already published.
    pub fn generate(path: &Path) -> Result<SigningKeyFile, SecretError> {
        let io = |source| SecretError::KeyFile {
            path: path.display().to_string(),
            source,
        };
        let mut seed = [0u8; 32];
        SystemRandom::new()
            .fill(&mut seed)
            .map_err(|_| io(std::io::Error::other("no system randomness")))?;
        let mut text = hex::encode(seed);
        text.push('\n');
        write_private(path, text.as_bytes()).map_err(io)?;
        Ok(SigningKeyFile::from_seed(seed))
    }

    /// The public key, 64 hexadecimal characters: what the administration
    /// publishes so that anyone can check its checkpoints.
    pub fn public_hex(&self) -> String {
        hex::encode(self.key.verifying_key().as_bytes())
    }

    /// The signature of `message`, 128 hexadecimal characters.
    pub fn sign(&self, message: &[u8]) -> String {
        hex::encode(self.key.sign(message).to_bytes())
    }
}

/// Checks an Ed25519 signature (hex) of `message` by the public key (hex).
pub fn verify_signature(
    public_hex: &str,
    message: &[u8],
    signature_hex: &str,
) -> Result<(), SignatureError> {
    let mut pk = [0u8; 32];
    hex::decode_to_slice(public_hex.trim(), &mut pk).map_err(|_| SignatureError::BadPublicKey)?;
    let key = VerifyingKey::from_bytes(&pk).map_err(|_| SignatureError::BadPublicKey)?;
    let mut sig = [0u8; 64];
    hex::decode_to_slice(signature_hex.trim(), &mut sig)
        .map_err(|_| SignatureError::BadSignatureEncoding)?;
    key.verify_strict(message, &Signature::from_bytes(&sig))
        .map_err(|_| SignatureError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_key_is_private_reads_back_and_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("firma.key");
        let key = SigningKeyFile::generate(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let again = SigningKeyFile::from_file(&path).unwrap();
        assert_eq!(again.public_hex(), key.public_hex());
        assert!(SigningKeyFile::generate(&path).is_err());
        let seed_hex = std::fs::read_to_string(&path).unwrap();
        assert!(!format!("{key:?}").contains(seed_hex.trim()));
    }

    #[test]
    fn raw_seeds_are_read_and_anything_else_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let raw = dir.path().join("raw.key");
        write_private(&raw, &[9u8; 32]).unwrap();
        assert_eq!(
            SigningKeyFile::from_file(&raw).unwrap().public_hex(),
            SigningKeyFile::from_seed([9u8; 32]).public_hex()
        );
        let bad = dir.path().join("bad.key");
        write_private(&bad, b"non una chiave").unwrap();
        let err = SigningKeyFile::from_file(&bad).unwrap_err().to_string();
        assert!(err.contains("bad.key"), "{err}");
    }

    #[test]
    fn another_key_or_an_altered_signature_does_not_verify() {
        let a = SigningKeyFile::from_seed([1u8; 32]);
        let b = SigningKeyFile::from_seed([2u8; 32]);
        let sig = a.sign(b"seq=5");
        assert_eq!(verify_signature(&a.public_hex(), b"seq=5", &sig), Ok(()));
        assert_eq!(
            verify_signature(&b.public_hex(), b"seq=5", &sig),
            Err(SignatureError::Mismatch)
        );
        let mut flipped = sig.clone().into_bytes();
        flipped[0] = if flipped[0] == b'0' { b'1' } else { b'0' };
        let flipped = String::from_utf8(flipped).unwrap();
        assert_eq!(
            verify_signature(&a.public_hex(), b"seq=5", &flipped),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_signature("zz", b"seq=5", &sig),
            Err(SignatureError::BadPublicKey)
        );
    }
}
