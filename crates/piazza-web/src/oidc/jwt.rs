//! ID token checks (OpenID Connect Core 1.0, 3.1.3.7): the signature
//! against the provider's published keys, then issuer, audience, times and
//! nonce.
//!
//! Only asymmetric algorithms are accepted: `none` and the HMAC family
//! would let anyone holding the client secret (or nobody at all) mint
//! tokens. The signature is checked with ring, which rustls already
//! brings in for HTTPS, so no second crypto library is needed.

use base64::Engine;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::{DecodePaddingMode, general_purpose::URL_SAFE_NO_PAD};
use ring::signature;
use serde::Deserialize;
use serde_json::{Map, Value};

/// Seconds of clock difference tolerated between Piazza and the provider.
pub(crate) const LEEWAY_S: i64 = 60;

/// ID tokens larger than this are refused before any decoding.
const MAX_TOKEN_LEN: usize = 16 * 1024;

/// Base64url as JOSE uses it, tolerating the padding some providers add to
/// their JWKs anyway.
const B64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

pub(crate) fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// One public key of the provider's JWKS; keys of kinds Piazza does not
/// use are kept and never match.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Jwk {
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    kty: String,
    #[serde(default)]
    alg: Option<String>,
    #[serde(default, rename = "use")]
    use_: Option<String>,
    #[serde(default)]
    n: Option<String>,
    #[serde(default)]
    e: Option<String>,
    #[serde(default)]
    crv: Option<String>,
    #[serde(default)]
    x: Option<String>,
    #[serde(default)]
    y: Option<String>,
}

/// The provider's key set (`jwks_uri`).
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Jwks {
    #[serde(default)]
    pub keys: Vec<Jwk>,
}

/// Why an ID token was refused. The messages are for the log: they never
/// contain the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum JwtError {
    #[error("the ID token is malformed: {0}")]
    Malformed(&'static str),
    #[error("the ID token uses the algorithm `{0}`, which is not accepted")]
    Algorithm(String),
    /// No published key fits the token: the caller may refetch the key
    /// set once, in case the provider rotated its keys.
    #[error("no key of the provider matches the ID token (kid {0:?})")]
    NoKey(Option<String>),
    #[error("the ID token's signature is not valid")]
    Signature,
    #[error("the ID token's {0}")]
    Claim(String),
}

enum Verifier {
    Rsa(&'static signature::RsaParameters),
    Ec {
        alg: &'static signature::EcdsaVerificationAlgorithm,
        crv: &'static str,
        len: usize,
    },
}

/// The algorithms accepted. RS256 is the one every provider must offer;
/// the others cost one line each with ring.
fn verifier(alg: &str) -> Option<Verifier> {
    use signature::*;
    Some(match alg {
        "RS256" => Verifier::Rsa(&RSA_PKCS1_2048_8192_SHA256),
        "RS384" => Verifier::Rsa(&RSA_PKCS1_2048_8192_SHA384),
        "RS512" => Verifier::Rsa(&RSA_PKCS1_2048_8192_SHA512),
        "PS256" => Verifier::Rsa(&RSA_PSS_2048_8192_SHA256),
        "PS384" => Verifier::Rsa(&RSA_PSS_2048_8192_SHA384),
        "PS512" => Verifier::Rsa(&RSA_PSS_2048_8192_SHA512),
        "ES256" => Verifier::Ec {
            alg: &ECDSA_P256_SHA256_FIXED,
            crv: "P-256",
            len: 32,
        },
        "ES384" => Verifier::Ec {
            alg: &ECDSA_P384_SHA384_FIXED,
            crv: "P-384",
            len: 48,
        },
        _ => return None,
    })
}

fn decode(part: &str) -> Option<Vec<u8>> {
    B64.decode(part).ok()
}

impl Jwk {
    /// Whether this key may have signed a token with header `alg`/`kid`.
    fn fits(&self, alg: &str, kid: Option<&str>, v: &Verifier) -> bool {
        let kind = match v {
            Verifier::Rsa(_) => self.kty == "RSA",
            Verifier::Ec { crv, .. } => self.kty == "EC" && self.crv.as_deref() == Some(crv),
        };
        kind && kid.is_none_or(|k| self.kid.as_deref() == Some(k))
            && self.use_.as_deref().is_none_or(|u| u == "sig")
            && self.alg.as_deref().is_none_or(|a| a == alg)
    }

    fn verify(&self, v: &Verifier, message: &[u8], sig: &[u8]) -> bool {
        match v {
            Verifier::Rsa(params) => {
                let (Some(n), Some(e)) = (
                    self.n.as_deref().and_then(decode),
                    self.e.as_deref().and_then(decode),
                ) else {
                    return false;
                };
                signature::RsaPublicKeyComponents { n, e }
                    .verify(params, message, sig)
                    .is_ok()
            }
            Verifier::Ec { alg, len, .. } => {
                let (Some(x), Some(y)) = (
                    self.x.as_deref().and_then(decode),
                    self.y.as_deref().and_then(decode),
                ) else {
                    return false;
                };
                if x.len() != *len || y.len() != *len {
                    return false;
                }
                // The uncompressed SEC1 point ring expects.
                let mut point = Vec::with_capacity(1 + 2 * len);
                point.push(0x04);
                point.extend_from_slice(&x);
                point.extend_from_slice(&y);
                signature::UnparsedPublicKey::new(*alg, point)
                    .verify(message, sig)
                    .is_ok()
            }
        }
    }
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    crit: Option<Value>,
}

/// A token split and decoded, its signature not yet checked.
pub(crate) struct Unverified {
    header: Header,
    signing_input: String,
    signature: Vec<u8>,
    claims: Map<String, Value>,
}

impl Unverified {
    pub fn parse(token: &str) -> Result<Unverified, JwtError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(JwtError::Malformed("too long"));
        }
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(JwtError::Malformed("not three dot-separated parts"));
        };
        let header: Header = decode(h)
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or(JwtError::Malformed("header"))?;
        if header.crit.is_some() {
            // RFC 7515: extensions we do not understand must be refused.
            return Err(JwtError::Malformed("critical header extensions"));
        }
        let claims: Map<String, Value> = decode(p)
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or(JwtError::Malformed("payload"))?;
        let signature = decode(s).ok_or(JwtError::Malformed("signature"))?;
        Ok(Unverified {
            header,
            signing_input: format!("{h}.{p}"),
            signature,
            claims,
        })
    }

    /// Checks the signature with a key of `jwks`.
    pub fn verify_signature(&self, jwks: &Jwks) -> Result<(), JwtError> {
        let alg = self.header.alg.as_str();
        let v = verifier(alg).ok_or_else(|| JwtError::Algorithm(alg.to_string()))?;
        let kid = self.header.kid.as_deref();
        let mut candidates = jwks.keys.iter().filter(|k| k.fits(alg, kid, &v)).peekable();
        if candidates.peek().is_none() {
            return Err(JwtError::NoKey(self.header.kid.clone()));
        }
        // Without a kid every fitting key is tried: a provider with one
        // signing key often omits it.
        if candidates.any(|k| k.verify(&v, self.signing_input.as_bytes(), &self.signature)) {
            Ok(())
        } else {
            Err(JwtError::Signature)
        }
    }

    /// The claims, once [`Unverified::verify_signature`] has passed and
    /// they satisfy `expect`.
    pub fn check_claims(self, expect: &Expected<'_>) -> Result<Map<String, Value>, JwtError> {
        let c = &self.claims;
        let bad = |m: &str| Err(JwtError::Claim(m.to_string()));
        if c.get("iss").and_then(Value::as_str) != Some(expect.issuer) {
            return bad("issuer (iss) is not the configured provider");
        }
        let audiences: Vec<&str> = match c.get("aud") {
            Some(Value::String(a)) => vec![a.as_str()],
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if !audiences.contains(&expect.client_id) {
            return bad("audience (aud) does not include this client");
        }
        if let Some(azp) = c.get("azp")
            && azp.as_str() != Some(expect.client_id)
        {
            return bad("authorized party (azp) is another client");
        }
        let time = |name: &str| c.get(name).and_then(Value::as_f64).map(|t| t as i64);
        let Some(exp) = time("exp") else {
            return bad("expiry (exp) is missing");
        };
        if expect.now > exp + LEEWAY_S {
            return bad("expiry (exp) has passed");
        }
        let Some(iat) = time("iat") else {
            return bad("issue time (iat) is missing");
        };
        if iat > expect.now + LEEWAY_S {
            return bad("issue time (iat) is in the future");
        }
        if let Some(nbf) = time("nbf")
            && nbf > expect.now + LEEWAY_S
        {
            return bad("start time (nbf) is in the future");
        }
        if c.get("nonce").and_then(Value::as_str) != Some(expect.nonce) {
            return bad("nonce is not the one of this login");
        }
        Ok(self.claims)
    }
}

/// What the claims must say.
pub(crate) struct Expected<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub nonce: &'a str,
    /// Seconds since the epoch.
    pub now: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::rand::SystemRandom;
    use ring::signature::KeyPair;
    use serde_json::json;

    fn rsa_key() -> signature::RsaKeyPair {
        let pem = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oidc_test_key.pem"),
        )
        .unwrap();
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap();
        signature::RsaKeyPair::from_pkcs8(&der).unwrap()
    }

    fn rsa_jwk(key: &signature::RsaKeyPair, kid: &str) -> Jwk {
        let c: signature::RsaPublicKeyComponents<Vec<u8>> = key.public().into();
        serde_json::from_value(json!({
            "kty": "RSA", "kid": kid, "use": "sig",
            "n": b64url(&c.n), "e": b64url(&c.e),
        }))
        .unwrap()
    }

    fn sign_rsa(
        key: &signature::RsaKeyPair,
        enc: &'static dyn signature::RsaEncoding,
        alg: &str,
        claims: &Value,
    ) -> String {
        let input = format!(
            "{}.{}",
            b64url(json!({"alg": alg, "kid": "k1"}).to_string().as_bytes()),
            b64url(claims.to_string().as_bytes())
        );
        let mut sig = vec![0; key.public().modulus_len()];
        key.sign(enc, &SystemRandom::new(), input.as_bytes(), &mut sig)
            .unwrap();
        format!("{input}.{}", b64url(&sig))
    }

    fn claims() -> Value {
        json!({"iss": "https://id.example", "aud": "piazza", "exp": 2_000, "iat": 1_000, "nonce": "n1", "email": "a@b.example"})
    }

    fn expected() -> Expected<'static> {
        Expected {
            issuer: "https://id.example",
            client_id: "piazza",
            nonce: "n1",
            now: 1_500,
        }
    }

    #[test]
    fn every_rsa_algorithm_verifies_with_its_own_key_only() {
        let key = rsa_key();
        let jwks = Jwks {
            keys: vec![rsa_jwk(&key, "k1")],
        };
        for (alg, enc) in [
            (
                "RS256",
                &signature::RSA_PKCS1_SHA256 as &dyn signature::RsaEncoding,
            ),
            ("RS384", &signature::RSA_PKCS1_SHA384),
            ("RS512", &signature::RSA_PKCS1_SHA512),
            ("PS256", &signature::RSA_PSS_SHA256),
            ("PS384", &signature::RSA_PSS_SHA384),
            ("PS512", &signature::RSA_PSS_SHA512),
        ] {
            let t = sign_rsa(&key, enc, alg, &claims());
            let u = Unverified::parse(&t).unwrap();
            u.verify_signature(&jwks)
                .unwrap_or_else(|e| panic!("{alg}: {e}"));
            assert_eq!(u.check_claims(&expected()).unwrap()["email"], "a@b.example");
            // The payload swapped for another one breaks the signature.
            let mut parts: Vec<&str> = t.split('.').collect();
            let forged = b64url(json!({"email": "x@y"}).to_string().as_bytes());
            parts[1] = &forged;
            let u = Unverified::parse(&parts.join(".")).unwrap();
            assert_eq!(u.verify_signature(&jwks), Err(JwtError::Signature), "{alg}");
        }
    }

    #[test]
    fn es256_verifies() {
        let rng = SystemRandom::new();
        let alg = &signature::ECDSA_P256_SHA256_FIXED_SIGNING;
        let pkcs8 = signature::EcdsaKeyPair::generate_pkcs8(alg, &rng).unwrap();
        let key = signature::EcdsaKeyPair::from_pkcs8(alg, pkcs8.as_ref(), &rng).unwrap();
        let point = key.public_key().as_ref();
        let jwk: Jwk = serde_json::from_value(json!({
            "kty": "EC", "crv": "P-256", "kid": "ec",
            "x": b64url(&point[1..33]), "y": b64url(&point[33..]),
        }))
        .unwrap();
        let input = format!(
            "{}.{}",
            b64url(br#"{"alg":"ES256","kid":"ec"}"#),
            b64url(claims().to_string().as_bytes())
        );
        let sig = key.sign(&rng, input.as_bytes()).unwrap();
        let t = format!("{input}.{}", b64url(sig.as_ref()));
        let jwks = Jwks { keys: vec![jwk] };
        Unverified::parse(&t)
            .unwrap()
            .verify_signature(&jwks)
            .unwrap();
    }

    #[test]
    fn none_and_hmac_tokens_are_refused() {
        let jwks = Jwks {
            keys: vec![rsa_jwk(&rsa_key(), "k1")],
        };
        for alg in ["none", "HS256"] {
            let t = format!(
                "{}.{}.{}",
                b64url(json!({"alg": alg, "kid": "k1"}).to_string().as_bytes()),
                b64url(claims().to_string().as_bytes()),
                b64url(b"whatever")
            );
            assert_eq!(
                Unverified::parse(&t).unwrap().verify_signature(&jwks),
                Err(JwtError::Algorithm(alg.into()))
            );
        }
    }

    #[test]
    fn an_unknown_kid_asks_for_a_refetch() {
        let key = rsa_key();
        let jwks = Jwks {
            keys: vec![rsa_jwk(&key, "old")],
        };
        let t = sign_rsa(&key, &signature::RSA_PKCS1_SHA256, "RS256", &claims());
        assert_eq!(
            Unverified::parse(&t).unwrap().verify_signature(&jwks),
            Err(JwtError::NoKey(Some("k1".into())))
        );
    }

    #[test]
    fn claims_are_checked_one_by_one() {
        let check = |patch: Value, now: i64| {
            let mut c = claims();
            for (k, v) in patch.as_object().unwrap() {
                if v.is_null() {
                    c.as_object_mut().unwrap().remove(k);
                } else {
                    c[k] = v.clone();
                }
            }
            let u = Unverified {
                header: Header {
                    alg: "RS256".into(),
                    kid: None,
                    crit: None,
                },
                signing_input: String::new(),
                signature: Vec::new(),
                claims: c.as_object().unwrap().clone(),
            };
            u.check_claims(&Expected { now, ..expected() })
                .map(|_| ())
                .map_err(|e| e.to_string())
        };
        assert_eq!(check(json!({}), 1_500), Ok(()));
        assert_eq!(check(json!({"aud": ["other", "piazza"]}), 1_500), Ok(()));
        assert_eq!(check(json!({}), 2_000 + LEEWAY_S), Ok(()), "leeway");
        for (patch, now, what) in [
            (json!({"iss": "https://evil.example"}), 1_500, "iss"),
            (json!({"aud": "other"}), 1_500, "aud"),
            (json!({"aud": ["other"]}), 1_500, "aud"),
            (json!({"azp": "other"}), 1_500, "azp"),
            (json!({}), 2_001 + LEEWAY_S, "exp"),
            (json!({"exp": null}), 1_500, "exp"),
            (json!({"iat": null}), 1_500, "iat"),
            (json!({"iat": 1_600 + LEEWAY_S}), 1_500, "iat"),
            (json!({"nbf": 1_600 + LEEWAY_S}), 1_500, "nbf"),
            (json!({"nonce": "n2"}), 1_500, "nonce"),
            (json!({"nonce": null}), 1_500, "nonce"),
        ] {
            let e = check(patch.clone(), now).unwrap_err();
            assert!(e.contains(what), "{patch}: {e}");
        }
    }

    #[test]
    fn garbage_is_malformed() {
        for t in [
            "",
            "a.b",
            "a.b.c.d",
            "!!.!!.!!",
            &"a".repeat(MAX_TOKEN_LEN + 1),
        ] {
            assert!(matches!(Unverified::parse(t), Err(JwtError::Malformed(_))));
        }
    }
}
