//! Talking to the provider: its discovery document and key set (fetched
//! on first use and cached), and the token endpoint.
//!
//! Everything here blocks (ureq): handlers call it on the blocking pool.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::config::{OidcConfig, check_url};
use super::jwt::{Expected, Jwks, JwtError, Unverified};

/// How long the discovery document and the keys are trusted before they
/// are read again: keys rotate, and a provider may move its endpoints.
const CACHE_FOR: Duration = Duration::from_secs(60 * 60);
/// An unknown `kid` makes Piazza read the keys again, at most this often,
/// so that forged tokens cannot make it hammer the provider.
const REFETCH_AT_MOST_EVERY: Duration = Duration::from_secs(60);
/// Provider answers larger than this are refused.
const MAX_BODY: u64 = 1024 * 1024;
/// Each call to the provider, all included.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Why a call to the provider failed. The text is for the log; the client
/// secret has already been scrubbed from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ProviderError {
    /// The provider could not be reached or answered nonsense: nobody can
    /// log in through it until it is fixed.
    Unavailable(String),
    /// The provider answered, and the answer does not prove who the person
    /// is (code refused, token invalid).
    Rejected(String),
}

impl ProviderError {
    pub fn detail(&self) -> &str {
        match self {
            ProviderError::Unavailable(d) | ProviderError::Rejected(d) => d,
        }
    }
}

/// The parts of the discovery document Piazza uses.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Discovery {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    #[serde(default)]
    pub token_endpoint_auth_methods_supported: Vec<String>,
}

struct Cached<T> {
    at: Instant,
    value: Arc<T>,
}

pub(crate) struct Provider {
    pub config: OidcConfig,
    agent: ureq::Agent,
    discovery: Mutex<Option<Cached<Discovery>>>,
    jwks: Mutex<Option<Cached<Jwks>>>,
}

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Provider")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// `application/x-www-form-urlencoded` of one value, which RFC 6749
/// (2.3.1) asks for before the client credentials go into Basic auth.
fn form_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

impl Provider {
    pub fn new(config: OidcConfig) -> Provider {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(TIMEOUT))
            // A redirect on the token endpoint would resend the code (and
            // the secret) somewhere else: the endpoints are used as given.
            .max_redirects(0)
            .http_status_as_error(false)
            .user_agent("piazza")
            .build()
            .into();
        Provider {
            config,
            agent,
            discovery: Mutex::new(None),
            jwks: Mutex::new(None),
        }
    }

    fn unavailable(&self, what: &str, detail: impl std::fmt::Display) -> ProviderError {
        ProviderError::Unavailable(self.config.scrub(&format!("{what}: {detail}")))
    }

    /// GETs a JSON document.
    fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        what: &str,
        url: &str,
    ) -> Result<T, ProviderError> {
        let mut res = self
            .agent
            .get(url)
            .header("accept", "application/json")
            .call()
            .map_err(|e| self.unavailable(what, format!("{url}: {e}")))?;
        let status = res.status();
        if !status.is_success() {
            return Err(self.unavailable(what, format!("{url} answered {status}")));
        }
        let body = res
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_vec()
            .map_err(|e| self.unavailable(what, format!("{url}: {e}")))?;
        serde_json::from_slice(&body)
            .map_err(|e| self.unavailable(what, format!("{url} is not valid JSON for it: {e}")))
    }

    /// The discovery document, from the cache when it is fresh.
    pub fn discovery(&self) -> Result<Arc<Discovery>, ProviderError> {
        if let Some(c) = &*self.discovery.lock().unwrap_or_else(|e| e.into_inner())
            && c.at.elapsed() < CACHE_FOR
        {
            return Ok(c.value.clone());
        }
        let what = "the discovery document";
        let url = self.config.discovery_url();
        let d: Discovery = self.get_json(what, &url)?;
        // OpenID Connect Discovery 1.0, 4.3: the document must name the
        // very issuer it was fetched for, or tokens of another tenant of
        // the same provider would pass.
        if d.issuer != self.config.issuer() {
            return Err(self.unavailable(
                what,
                format!(
                    "{url} names the issuer `{}`, not the configured `{}`",
                    d.issuer,
                    self.config.issuer()
                ),
            ));
        }
        for (name, endpoint) in [
            ("authorization_endpoint", &d.authorization_endpoint),
            ("token_endpoint", &d.token_endpoint),
            ("jwks_uri", &d.jwks_uri),
        ] {
            check_url(name, endpoint).map_err(|e| self.unavailable(what, e))?;
        }
        let d = Arc::new(d);
        *self.discovery.lock().unwrap_or_else(|e| e.into_inner()) = Some(Cached {
            at: Instant::now(),
            value: d.clone(),
        });
        Ok(d)
    }

    /// The key set; `refresh` reads it again unless it was read moments
    /// ago.
    fn keys(&self, refresh: bool) -> Result<Arc<Jwks>, ProviderError> {
        if let Some(c) = &*self.jwks.lock().unwrap_or_else(|e| e.into_inner()) {
            let age = c.at.elapsed();
            if age < CACHE_FOR && (!refresh || age < REFETCH_AT_MOST_EVERY) {
                return Ok(c.value.clone());
            }
        }
        let d = self.discovery()?;
        let keys: Arc<Jwks> = Arc::new(self.get_json("the key set (jwks_uri)", &d.jwks_uri)?);
        *self.jwks.lock().unwrap_or_else(|e| e.into_inner()) = Some(Cached {
            at: Instant::now(),
            value: keys.clone(),
        });
        Ok(keys)
    }

    /// Reads the discovery document and the keys: `piazza serve` calls it
    /// at start so that a wrong issuer shows up in the console at once.
    pub fn preflight(&self) -> Result<(), ProviderError> {
        self.discovery()?;
        self.keys(false)?;
        Ok(())
    }

    /// The address the browser is sent to.
    pub fn authorization_url(
        &self,
        state: &str,
        nonce: &str,
        challenge: &str,
    ) -> Result<String, ProviderError> {
        let d = self.discovery()?;
        let scope = self.config.scopes().join(" ");
        let query = serde_urlencoded::to_string([
            ("response_type", "code"),
            ("client_id", self.config.client_id()),
            ("redirect_uri", self.config.redirect_url()),
            ("scope", scope.as_str()),
            ("state", state),
            ("nonce", nonce),
            ("code_challenge", challenge),
            ("code_challenge_method", "S256"),
        ])
        .map_err(|e| self.unavailable("the authorization request", e))?;
        let sep = if d.authorization_endpoint.contains('?') {
            '&'
        } else {
            '?'
        };
        Ok(format!("{}{sep}{query}", d.authorization_endpoint))
    }

    /// Trades the authorization code for an ID token and returns its
    /// claims once every check has passed.
    pub fn redeem(
        &self,
        code: &str,
        verifier: &str,
        nonce: &str,
        now_s: i64,
    ) -> Result<Map<String, Value>, ProviderError> {
        let d = self.discovery()?;
        let token = self.exchange(&d, code, verifier)?;
        let unverified = Unverified::parse(&token).map_err(reject)?;
        match unverified.verify_signature(&*self.keys(false)?) {
            Ok(()) => {}
            Err(JwtError::NoKey(_)) => unverified
                .verify_signature(&*self.keys(true)?)
                .map_err(reject)?,
            Err(e) => return Err(reject(e)),
        }
        unverified
            .check_claims(&Expected {
                issuer: self.config.issuer(),
                client_id: self.config.client_id(),
                nonce,
                now: now_s,
            })
            .map_err(reject)
    }

    /// The token request (RFC 6749, 4.1.3, with the PKCE verifier of RFC
    /// 7636). The client authenticates with HTTP Basic unless the provider
    /// lists only `client_secret_post`.
    fn exchange(&self, d: &Discovery, code: &str, verifier: &str) -> Result<String, ProviderError> {
        let methods = &d.token_endpoint_auth_methods_supported;
        let post = !methods.is_empty()
            && !methods.iter().any(|m| m == "client_secret_basic")
            && methods.iter().any(|m| m == "client_secret_post");
        let c = &self.config;
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", c.redirect_url()),
            ("code_verifier", verifier),
        ];
        let mut req = self
            .agent
            .post(&d.token_endpoint)
            .header("accept", "application/json");
        if post {
            form.push(("client_id", c.client_id()));
            form.push(("client_secret", c.client_secret()));
        } else {
            let pair = format!(
                "{}:{}",
                form_encode(c.client_id()),
                form_encode(c.client_secret())
            );
            let basic = base64::engine::general_purpose::STANDARD.encode(pair);
            req = req.header("authorization", format!("Basic {basic}"));
        }
        let what = "the token endpoint";
        let mut res = req
            .send_form(form)
            .map_err(|e| self.unavailable(what, format!("{}: {e}", d.token_endpoint)))?;
        let status = res.status();
        let body = res
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_vec()
            .map_err(|e| self.unavailable(what, e))?;
        let json: Map<String, Value> = serde_json::from_slice(&body).unwrap_or_default();
        if !status.is_success() {
            // RFC 6749, 5.2: `error` and maybe `error_description`; the
            // description is the provider's free text, so it is scrubbed
            // and cut.
            let text = |k: &str| {
                json.get(k)
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string()
            };
            let detail: String = format!(
                "{what} answered {status}: {} {}",
                text("error"),
                text("error_description")
            )
            .chars()
            .take(300)
            .collect();
            let detail = c.scrub(&detail);
            return Err(if status.is_server_error() {
                ProviderError::Unavailable(detail)
            } else {
                ProviderError::Rejected(detail)
            });
        }
        json.get("id_token")
            .and_then(Value::as_str)
            .map(String::from)
            .ok_or_else(|| ProviderError::Rejected(format!("{what} sent no id_token")))
    }
}

fn reject(e: JwtError) -> ProviderError {
    ProviderError::Rejected(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_form_encoded_first() {
        assert_eq!(form_encode("piazza-web_1.0"), "piazza-web_1.0");
        assert_eq!(form_encode("a b:c/d%é"), "a+b%3Ac%2Fd%25%C3%A9");
    }
}
