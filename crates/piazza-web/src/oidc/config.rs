//! The `[oidc]` settings, checked once when they are built so that a
//! running server never holds a configuration it cannot use.

use axum::http::Uri;

/// The label of the login page's button when the file sets none.
pub const DEFAULT_BUTTON_LABEL: &str = "Accedi con il sistema di identità dell’ente";

/// The claim that names the staff member when the file sets none.
pub const DEFAULT_CLAIM: &str = "email";

/// The path of the callback; `redirect_url` must end with it.
pub const CALLBACK_PATH: &str = "/accesso/oidc/ritorno";

/// The scopes asked for when the file sets none.
pub fn default_scopes() -> Vec<String> {
    ["openid", "email", "profile"]
        .into_iter()
        .map(String::from)
        .collect()
}

/// A configuration that cannot work, with the reason in English (it is
/// printed by `piazza serve`, next to the other configuration errors).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("oidc: {0}")]
pub struct OidcConfigError(pub String);

/// Login through an OpenID Connect provider (Authorization Code flow with
/// PKCE). Built with [`OidcConfig::new`], which checks the URLs; the
/// client secret is never printed, not even by `Debug`.
#[derive(Clone)]
pub struct OidcConfig {
    issuer: String,
    client_id: String,
    client_secret: String,
    redirect_url: String,
    scopes: Vec<String>,
    claim: String,
    button_label: String,
}

impl std::fmt::Debug for OidcConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcConfig")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &"***")
            .field("redirect_url", &self.redirect_url)
            .field("scopes", &self.scopes)
            .field("claim", &self.claim)
            .field("button_label", &self.button_label)
            .finish()
    }
}

fn err(msg: impl Into<String>) -> OidcConfigError {
    OidcConfigError(msg.into())
}

/// Whether `host` (as `Uri::host` gives it) is this machine.
fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Checks that `url` is absolute and uses HTTPS, except on loopback where
/// plain HTTP is allowed so that a test provider can run without
/// certificates. Tokens and codes travel on these URLs: anything else
/// would let the network read them.
pub(crate) fn check_url(what: &str, url: &str) -> Result<Uri, OidcConfigError> {
    let uri: Uri = url
        .parse()
        .map_err(|_| err(format!("{what} `{url}` is not a valid URL")))?;
    let host = uri
        .host()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| err(format!("{what} `{url}` must be an absolute URL")))?;
    if uri.authority().is_some_and(|a| a.as_str().contains('@')) {
        return Err(err(format!("{what} `{url}` must not contain credentials")));
    }
    match uri.scheme_str() {
        Some("https") => Ok(uri),
        Some("http") if is_loopback(host) => Ok(uri),
        Some("http") => Err(err(format!(
            "{what} `{url}` must use https (plain http is allowed only on 127.0.0.1, ::1 and localhost)"
        ))),
        _ => Err(err(format!("{what} `{url}` must be an https:// URL"))),
    }
}

impl OidcConfig {
    /// The provider at `issuer` (its discovery document is
    /// `{issuer}/.well-known/openid-configuration`), this client's
    /// credentials, and `redirect_url`, the public address of Piazza's
    /// `/accesso/oidc/ritorno` as registered with the provider.
    pub fn new(
        issuer: &str,
        client_id: &str,
        client_secret: &str,
        redirect_url: &str,
    ) -> Result<OidcConfig, OidcConfigError> {
        let issuer = issuer.trim();
        let issuer_uri = check_url("issuer", issuer)?;
        if issuer_uri.query().is_some() {
            return Err(err(format!("issuer `{issuer}` must not have a query")));
        }
        let redirect = check_url("redirect_url", redirect_url.trim())?;
        if !redirect.path().ends_with(CALLBACK_PATH) {
            return Err(err(format!(
                "redirect_url `{}` must end with {CALLBACK_PATH}",
                redirect_url.trim()
            )));
        }
        if client_id.trim().is_empty() {
            return Err(err("client_id is empty"));
        }
        if client_secret.is_empty() {
            return Err(err(
                "client_secret is empty: set it in the file or in PIAZZA_OIDC_CLIENT_SECRET",
            ));
        }
        Ok(OidcConfig {
            issuer: issuer.to_string(),
            client_id: client_id.trim().to_string(),
            client_secret: client_secret.to_string(),
            redirect_url: redirect_url.trim().to_string(),
            scopes: default_scopes(),
            claim: DEFAULT_CLAIM.to_string(),
            button_label: DEFAULT_BUTTON_LABEL.to_string(),
        })
    }

    /// The scopes to ask for; `openid` must be one of them, or the
    /// provider would not answer with an ID token.
    pub fn with_scopes(mut self, scopes: Vec<String>) -> Result<OidcConfig, OidcConfigError> {
        let scopes: Vec<String> = scopes
            .into_iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        if let Some(bad) = scopes.iter().find(|s| s.contains(char::is_whitespace)) {
            return Err(err(format!("scope `{bad}` contains spaces")));
        }
        if !scopes.iter().any(|s| s == "openid") {
            return Err(err("scopes must include \"openid\""));
        }
        self.scopes = scopes;
        Ok(self)
    }

    /// The ID token claim whose value names the staff member (matched
    /// against the staff e-mail or username).
    pub fn with_claim(mut self, claim: &str) -> Result<OidcConfig, OidcConfigError> {
        if claim.trim().is_empty() {
            return Err(err("claim is empty"));
        }
        self.claim = claim.trim().to_string();
        Ok(self)
    }

    /// The text of the login page's button.
    pub fn with_button_label(mut self, label: &str) -> Result<OidcConfig, OidcConfigError> {
        if label.trim().is_empty() {
            return Err(err("button_label is empty"));
        }
        self.button_label = label.trim().to_string();
        Ok(self)
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    pub(crate) fn client_secret(&self) -> &str {
        &self.client_secret
    }

    pub fn redirect_url(&self) -> &str {
        &self.redirect_url
    }

    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }

    pub fn claim(&self) -> &str {
        &self.claim
    }

    pub fn button_label(&self) -> &str {
        &self.button_label
    }

    /// The discovery document's address.
    pub fn discovery_url(&self) -> String {
        format!(
            "{}/.well-known/openid-configuration",
            self.issuer.trim_end_matches('/')
        )
    }

    /// `text` with the client secret blanked out: applied to every
    /// provider answer before it is logged, in case one echoes it.
    pub(crate) fn scrub(&self, text: &str) -> String {
        if self.client_secret.is_empty() {
            text.to_string()
        } else {
            text.replace(&self.client_secret, "***")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CB: &str = "https://piazza.comune.example/accesso/oidc/ritorno";

    #[test]
    fn https_is_required_except_on_loopback() {
        for ok in [
            "https://id.comune.example/realms/ente",
            "http://127.0.0.1:8081",
            "http://127.3.4.5:1/x",
            "http://[::1]:9000",
            "http://localhost:9000/",
        ] {
            assert!(OidcConfig::new(ok, "piazza", "s", CB).is_ok(), "{ok}");
        }
        for bad in [
            "http://id.comune.example",
            "http://10.0.0.1",
            "http://localhost.evil.example",
            "ftp://id.comune.example",
            "id.comune.example",
            "/realms/ente",
            "https://user:pw@id.comune.example",
            "https://id.comune.example/?x=1",
        ] {
            let e = OidcConfig::new(bad, "piazza", "s", CB).unwrap_err();
            assert!(e.to_string().contains("issuer"), "{bad}: {e}");
        }
        let e = OidcConfig::new(
            "https://id.example",
            "p",
            "s",
            "http://piazza.example/accesso/oidc/ritorno",
        )
        .unwrap_err();
        assert!(e.to_string().contains("redirect_url"), "{e}");
    }

    #[test]
    fn the_redirect_url_must_be_the_callback() {
        let e =
            OidcConfig::new("https://id.example", "p", "s", "https://piazza.example/").unwrap_err();
        assert!(e.to_string().contains("/accesso/oidc/ritorno"), "{e}");
        assert!(
            OidcConfig::new(
                "https://id.example",
                "p",
                "s",
                "https://www.comune.example/piazza/accesso/oidc/ritorno"
            )
            .is_ok(),
            "behind a proxy with a path prefix"
        );
    }

    #[test]
    fn defaults_and_checks_of_the_optional_keys() {
        let c = OidcConfig::new("https://id.example/", "p", "s", CB).unwrap();
        assert_eq!(c.scopes(), ["openid", "email", "profile"]);
        assert_eq!(c.claim(), "email");
        assert_eq!(c.button_label(), DEFAULT_BUTTON_LABEL);
        assert_eq!(
            c.discovery_url(),
            "https://id.example/.well-known/openid-configuration"
        );
        assert!(c.clone().with_scopes(vec!["email".into()]).is_err());
        assert!(
            c.clone()
                .with_scopes(vec!["openid profile".into()])
                .is_err()
        );
        assert!(c.clone().with_claim(" ").is_err());
        assert!(OidcConfig::new("https://id.example", "p", "", CB).is_err());
        assert!(OidcConfig::new("https://id.example", " ", "s", CB).is_err());
    }

    #[test]
    fn the_secret_is_never_printed() {
        let c = OidcConfig::new("https://id.example", "p", "sekret-value", CB).unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains("sekret-value"), "{shown}");
        assert!(shown.contains("***"));
        assert_eq!(c.scrub("a sekret-value b"), "a *** b");
    }
}
