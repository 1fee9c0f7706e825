//! A secret in memory (an access token, an app secret) that never shows up
//! in `Debug` output, logs or error messages.

use std::fmt;

/// A secret string. `Debug` and `Display` print `***`; read it with
/// [`SecretString::expose`] only where it is sent.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretString(String);

impl SecretString {
    pub fn new(s: impl Into<String>) -> SecretString {
        SecretString(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretString(***)")
    }
}

impl fmt::Display for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let s = SecretString::new("EAAB-token-value");
        assert_eq!(format!("{s:?} {s}"), "SecretString(***) ***");
        assert_eq!(s.expose(), "EAAB-token-value");
    }
}
