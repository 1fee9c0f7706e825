//! Login through an OpenID Connect provider, over real HTTP: Piazza and a
//! fake provider each listen on 127.0.0.1:0, and a small blocking
//! "browser" follows the redirects by hand, keeping cookies by path the
//! way a browser does.
//!
//! The fake provider is strict like a real one: it redeems a code once,
//! only with the PKCE verifier of the challenge it was given and the
//! client's credentials, and records every request so that the tests can
//! look at what Piazza sent. Its ID tokens are signed with the fixed RSA
//! key in `tests/oidc_test_key.pem` (`oidc_other_key.pem` plays the
//! forger), so no key is generated at run time.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use piazza_desk::{AdminId, NewAdministration, NewStaff, Role};
use piazza_web::{AppState, OidcConfig, SESSION_COOKIE, WebConfig};
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, KeyPair, RsaKeyPair};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const CLIENT_ID: &str = "piazza-desk";
/// Every test uses this secret, so that the log check below catches a
/// leak from any of them.
const SECRET: &str = "s3cret-OIDC-client-7Hq2pZ";
const PASSWORD: &str = "una password lunga 2026";
const ANNA: &str = "Anna.Rossi@Comune.Cento.example";

// ---------------------------------------------------------------------------
// Every log line of the process, captured.

use common::logs::{capture_logs, logs};

// ---------------------------------------------------------------------------
// Keys.

fn rsa_key(file: &str) -> RsaKeyPair {
    let pem = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests")
            .join(file),
    )
    .unwrap();
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    RsaKeyPair::from_pkcs8(&STANDARD.decode(body).unwrap()).unwrap()
}

struct Keys {
    rsa: RsaKeyPair,
    forger: RsaKeyPair,
    ec: EcdsaKeyPair,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let rng = SystemRandom::new();
        let alg = &signature::ECDSA_P256_SHA256_FIXED_SIGNING;
        // P-256 keys take microseconds to make, unlike RSA ones.
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(alg, &rng).unwrap();
        Keys {
            rsa: rsa_key("oidc_test_key.pem"),
            forger: rsa_key("oidc_other_key.pem"),
            ec: EcdsaKeyPair::from_pkcs8(alg, pkcs8.as_ref(), &rng).unwrap(),
        }
    })
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn jwks() -> Value {
    let k = keys();
    let rsa: signature::RsaPublicKeyComponents<Vec<u8>> = k.rsa.public().into();
    let point = k.ec.public_key().as_ref();
    json!({"keys": [
        {"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256", "n": b64(&rsa.n), "e": b64(&rsa.e)},
        {"kty": "EC", "kid": "ec1", "use": "sig", "crv": "P-256", "x": b64(&point[1..33]), "y": b64(&point[33..])},
    ]})
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Signer {
    Rsa,
    /// The forger's key, under the provider's `kid`.
    Forger,
    Ec,
}

fn sign(signer: Signer, claims: &Value) -> String {
    let (alg, kid) = match signer {
        Signer::Rsa | Signer::Forger => ("RS256", "k1"),
        Signer::Ec => ("ES256", "ec1"),
    };
    let input = format!(
        "{}.{}",
        b64(json!({"alg": alg, "kid": kid, "typ": "JWT"})
            .to_string()
            .as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let rng = SystemRandom::new();
    let sig = match signer {
        Signer::Ec => keys()
            .ec
            .sign(&rng, input.as_bytes())
            .unwrap()
            .as_ref()
            .to_vec(),
        Signer::Rsa | Signer::Forger => {
            let key = if signer == Signer::Rsa {
                &keys().rsa
            } else {
                &keys().forger
            };
            let mut sig = vec![0; key.public().modulus_len()];
            key.sign(
                &signature::RSA_PKCS1_SHA256,
                &rng,
                input.as_bytes(),
                &mut sig,
            )
            .unwrap();
            sig
        }
    };
    format!("{input}.{}", b64(&sig))
}

// ---------------------------------------------------------------------------
// The fake provider.

/// What the provider does; tests change it before a login.
#[derive(Clone)]
struct Behaviour {
    email: String,
    /// Merged into the ID token's claims; `null` removes a claim.
    patch: Value,
    signer: Signer,
    /// Sent back instead of the `state` Piazza sent.
    state_override: Option<String>,
    /// `token_endpoint_auth_methods_supported`; absent when empty.
    auth_methods: Vec<String>,
    /// The token endpoint's error answer instead of a token.
    token_error: Option<(u16, Value)>,
    /// Answer the authorization request with a page that sends the
    /// browser back by itself, as a real provider's login form does once
    /// submitted, instead of a redirect: the way back then starts on the
    /// provider's site.
    page: bool,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            email: ANNA.into(),
            patch: json!({}),
            signer: Signer::Rsa,
            state_override: None,
            auth_methods: Vec::new(),
            token_error: None,
            page: false,
        }
    }
}

#[derive(Debug, Clone)]
struct TokenRequest {
    form: HashMap<String, String>,
    authorization: Option<String>,
}

#[derive(Default)]
struct Provider {
    base: String,
    behaviour: Behaviour,
    authorize: Vec<HashMap<String, String>>,
    /// Unredeemed codes: the authorize request they answer.
    codes: HashMap<String, HashMap<String, String>>,
    tokens: Vec<TokenRequest>,
    /// Every ID token handed out.
    issued: Vec<String>,
}

type Fake = Arc<Mutex<Provider>>;

async fn discovery(State(p): State<Fake>) -> Json<Value> {
    let p = p.lock().unwrap();
    let b = &p.base;
    let mut d = json!({
        "issuer": b,
        "authorization_endpoint": format!("{b}/authorize"),
        "token_endpoint": format!("{b}/token"),
        "jwks_uri": format!("{b}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256", "ES256"],
        "code_challenge_methods_supported": ["S256"],
    });
    if !p.behaviour.auth_methods.is_empty() {
        d["token_endpoint_auth_methods_supported"] = json!(p.behaviour.auth_methods);
    }
    Json(d)
}

async fn keyset() -> Json<Value> {
    Json(jwks())
}

async fn authorize(State(p): State<Fake>, Query(q): Query<HashMap<String, String>>) -> Response {
    let mut p = p.lock().unwrap();
    p.authorize.push(q.clone());
    let code = format!("code-{}", p.authorize.len());
    p.codes.insert(code.clone(), q.clone());
    let state = p
        .behaviour
        .state_override
        .clone()
        .unwrap_or_else(|| q["state"].clone());
    let back = format!(
        "{}?{}",
        q["redirect_uri"],
        serde_urlencoded::to_string([("code", code.as_str()), ("state", state.as_str())]).unwrap()
    );
    if p.behaviour.page {
        let back = back.replace('&', "&amp;");
        return axum::response::Html(format!(
            "<!DOCTYPE html><meta http-equiv=\"refresh\" content=\"0; url={back}\"><p>Accesso in corso</p>"
        ))
        .into_response();
    }
    Redirect::to(&back).into_response()
}

fn token_error(status: u16, error: &str) -> Response {
    (
        StatusCode::from_u16(status).unwrap(),
        Json(json!({"error": error})),
    )
        .into_response()
}

async fn token(
    State(p): State<Fake>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let mut p = p.lock().unwrap();
    let authorization = headers
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap().to_string());
    p.tokens.push(TokenRequest {
        form: form.clone(),
        authorization: authorization.clone(),
    });
    if let Some((status, body)) = p.behaviour.token_error.clone() {
        return (StatusCode::from_u16(status).unwrap(), Json(body)).into_response();
    }
    // Client authentication, as advertised.
    let post = p.behaviour.auth_methods == ["client_secret_post"];
    let authenticated = if post {
        form.get("client_id").map(String::as_str) == Some(CLIENT_ID)
            && form.get("client_secret").map(String::as_str) == Some(SECRET)
    } else {
        authorization
            == Some(format!(
                "Basic {}",
                STANDARD.encode(format!("{CLIENT_ID}:{SECRET}"))
            ))
    };
    if !authenticated {
        return token_error(401, "invalid_client");
    }
    if form.get("grant_type").map(String::as_str) != Some("authorization_code") {
        return token_error(400, "unsupported_grant_type");
    }
    let Some(auth) = form.get("code").and_then(|c| p.codes.remove(c)) else {
        return token_error(400, "invalid_grant");
    };
    // RFC 7636, 4.6.
    let verifier = form.get("code_verifier").cloned().unwrap_or_default();
    if auth.get("code_challenge_method").map(String::as_str) != Some("S256")
        || b64(&Sha256::digest(verifier.as_bytes())) != auth["code_challenge"]
        || form.get("redirect_uri") != auth.get("redirect_uri")
    {
        return token_error(400, "invalid_grant");
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let b = &p.behaviour;
    let mut claims = json!({
        "iss": p.base, "aud": CLIENT_ID, "sub": "248289761001",
        "email": b.email, "email_verified": true, "name": "Anna Rossi",
        "iat": now, "exp": now + 300, "nonce": auth["nonce"],
    });
    for (k, v) in b.patch.as_object().unwrap() {
        if v.is_null() {
            claims.as_object_mut().unwrap().remove(k);
        } else {
            claims[k] = v.clone();
        }
    }
    let id_token = sign(b.signer, &claims);
    p.issued.push(id_token.clone());
    Json(json!({
        "access_token": format!("at-{}", p.issued.len()),
        "token_type": "Bearer",
        "expires_in": 300,
        "id_token": id_token,
    }))
    .into_response()
}

// ---------------------------------------------------------------------------
// Piazza and the provider, running.

struct World {
    piazza: String,
    idp: String,
    provider: Fake,
    state: AppState,
    admin: AdminId,
    _rt: tokio::runtime::Runtime,
}

impl World {
    fn start(behaviour: Behaviour) -> World {
        Self::start_with(behaviour, |c| c)
    }

    fn start_with(behaviour: Behaviour, tune: impl FnOnce(OidcConfig) -> OidcConfig) -> World {
        Self::start_on("127.0.0.1", behaviour, tune)
    }

    /// The provider listens on `idp_host`: another loopback address makes
    /// it another site, as a real provider is.
    fn start_on(
        idp_host: &str,
        behaviour: Behaviour,
        tune: impl FnOnce(OidcConfig) -> OidcConfig,
    ) -> World {
        capture_logs();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let (piazza_l, idp_l) = rt.block_on(async {
            (
                tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap(),
                tokio::net::TcpListener::bind((idp_host, 0)).await.unwrap(),
            )
        });
        let piazza = format!("http://{}", piazza_l.local_addr().unwrap());
        let idp = format!("http://{}", idp_l.local_addr().unwrap());
        let provider: Fake = Arc::new(Mutex::new(Provider {
            base: idp.clone(),
            behaviour,
            ..Provider::default()
        }));
        let config = OidcConfig::new(
            &idp,
            CLIENT_ID,
            SECRET,
            &format!("{piazza}/accesso/oidc/ritorno"),
        )
        .unwrap();
        let state = AppState::scratch(WebConfig {
            oidc: Some(tune(config)),
            ..WebConfig::default()
        });
        let admin = seed(&state);
        let fake = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks", get(keyset))
            .route("/authorize", get(authorize))
            .route("/token", post(token))
            .with_state(provider.clone());
        rt.spawn(async move { axum::serve(idp_l, fake).await });
        rt.spawn(piazza_web::serve_on(piazza_l, state.clone()));
        World {
            piazza,
            idp,
            provider,
            state,
            admin,
            _rt: rt,
        }
    }

    fn behave(&self, f: impl FnOnce(&mut Behaviour)) {
        f(&mut self.provider.lock().unwrap().behaviour);
    }

    fn provider(&self) -> std::sync::MutexGuard<'_, Provider> {
        self.provider.lock().unwrap()
    }
}

/// Cento with an administrator (password only), Anna, a moderator known
/// by her e-mail who has no password at all, and Carlo, who left.
fn seed(state: &AppState) -> AdminId {
    let desk = &state.desk;
    let admin = desk
        .create_administration(NewAdministration::preset("cento"))
        .unwrap()
        .id;
    desk.add_staff(
        admin,
        None,
        NewStaff {
            username: "root".into(),
            full_name: "Amministratore".into(),
            email: None,
            roles: vec![Role::Admin],
            password: Some(PASSWORD.into()),
        },
    )
    .unwrap();
    let root = desk.actor(admin, "root").unwrap();
    for (username, name, email) in [
        ("anna", "Anna Rossi", "anna.rossi@comune.cento.example"),
        (
            "carlo",
            "Carlo Bianchi",
            "carlo.bianchi@comune.cento.example",
        ),
    ] {
        desk.add_staff(
            admin,
            Some(&root),
            NewStaff {
                username: username.into(),
                full_name: name.into(),
                email: Some(email.into()),
                roles: vec![Role::Moderatore],
                password: None,
            },
        )
        .unwrap();
    }
    let account = desk.accounts(admin).unwrap()[0].id;
    desk.assign(&root, "anna", account, None).unwrap();
    // Carlo left.
    desk.deactivate_staff(&root, "carlo").unwrap();
    admin
}

// ---------------------------------------------------------------------------
// A browser that follows nothing by itself.

struct Reply {
    status: u16,
    headers: axum::http::HeaderMap,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .unwrap_or_else(|| panic!("no {name} header (status {})", self.status))
            .to_str()
            .unwrap()
    }

    fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect()
    }

    fn set_cookie(&self, name: &str) -> Option<String> {
        self.set_cookies()
            .into_iter()
            .find(|c| c.starts_with(&format!("{name}=")))
    }
}

#[derive(Default)]
struct Browser {
    /// (name, path) -> value
    jar: HashMap<(String, String), String>,
}

impl Browser {
    fn agent() -> ureq::Agent {
        ureq::Agent::config_builder()
            .max_redirects(0)
            .http_status_as_error(false)
            .build()
            .into()
    }

    fn cookie_header(&self, path: &str) -> String {
        self.jar
            .iter()
            .filter(|((_, p), _)| path.starts_with(p.as_str()))
            .map(|((n, _), v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn get(&mut self, url: &str) -> Reply {
        let path = url
            .splitn(4, '/')
            .nth(3)
            .map(|p| format!("/{p}"))
            .unwrap_or_else(|| "/".into());
        let mut req = Self::agent().get(url);
        let cookies = self.cookie_header(&path);
        if !cookies.is_empty() {
            req = req.header("cookie", &cookies);
        }
        let mut res = req.call().unwrap();
        let reply = Reply {
            status: res.status().as_u16(),
            headers: res.headers().clone(),
            body: res.body_mut().read_to_string().unwrap(),
        };
        for c in reply.set_cookies() {
            let mut parts = c.split(';');
            let (name, value) = parts.next().unwrap().split_once('=').unwrap();
            let mut cookie_path = "/".to_string();
            let mut gone = value.is_empty();
            for attr in parts {
                let attr = attr.trim();
                if let Some(p) = attr.strip_prefix("Path=") {
                    cookie_path = p.to_string();
                }
                if attr == "Max-Age=0" {
                    gone = true;
                }
            }
            let key = (name.to_string(), cookie_path);
            if gone {
                self.jar.remove(&key);
            } else {
                self.jar.insert(key, value.to_string());
            }
        }
        reply
    }

    fn has_session(&self) -> bool {
        self.jar.keys().any(|(n, _)| n == SESSION_COOKIE)
    }

    /// From the login page's button to the provider and back: the
    /// callback's answer.
    fn sign_in(&mut self, w: &World) -> Reply {
        let page = self.get(&format!("{}/accesso?next=%2Fdesk", w.piazza));
        assert_eq!(page.status, 200);
        assert!(
            page.body
                .contains("href=\"/accesso/oidc?next=%2Fdesk\" id=\"accesso-oidc\""),
            "{}",
            page.body
        );
        let start = self.get(&format!("{}/accesso/oidc?next=%2Fdesk", w.piazza));
        assert_eq!(start.status, 303, "{}", start.body);
        let at_provider = start.header("location").to_string();
        assert!(at_provider.starts_with(&format!("{}/authorize?", w.idp)));
        let back = self.get(&at_provider);
        assert_eq!(back.status, 303);
        let callback = back.header("location").to_string();
        assert!(callback.starts_with(&format!("{}/accesso/oidc/ritorno?", w.piazza)));
        self.get(&callback)
    }
}

fn assert_refused(r: &Reply, b: &Browser, status: u16, text: &str) {
    assert_eq!(r.status, status, "{}", r.body);
    assert!(r.body.contains(text), "{text} not in {}", r.body);
    assert!(r.body.contains("href=\"/accesso\""), "a way back");
    assert!(r.set_cookie(SESSION_COOKIE).is_none());
    assert!(!b.has_session());
    let flow = r
        .set_cookie("piazza_oidc")
        .expect("the flow cookie is dropped");
    assert!(flow.contains("Max-Age=0"), "{flow}");
}

// ---------------------------------------------------------------------------
// The way in.

#[test]
fn a_staff_member_signs_in_through_the_provider_and_gets_a_working_session() {
    let w = World::start(Behaviour::default());
    let mut b = Browser::default();
    let page = b.get(&format!("{}/accesso", w.piazza));
    assert!(
        page.body
            .contains("Accedi con il sistema di identità dell’ente</a>"),
        "the default label: {}",
        page.body
    );

    let start = b.get(&format!(
        "{}/accesso/oidc?next=%2Fdesk%3Fstato%3Dnuovi",
        w.piazza
    ));
    assert_eq!(start.status, 303);
    assert_eq!(start.header("cache-control"), "no-store");
    let flow = start.set_cookie("piazza_oidc").expect("flow cookie");
    for attr in [
        "HttpOnly",
        "SameSite=Lax",
        "Path=/accesso/oidc",
        "Max-Age=600",
    ] {
        assert!(flow.contains(attr), "{attr} in {flow}");
    }
    let back = b.get(start.header("location"));
    let q = w.provider().authorize[0].clone();
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["client_id"], CLIENT_ID);
    assert_eq!(q["scope"], "openid email profile");
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(
        q["redirect_uri"],
        format!("{}/accesso/oidc/ritorno", w.piazza)
    );
    assert!(q["state"].len() >= 43 && q["nonce"].len() >= 43);
    assert_ne!(q["state"], q["nonce"]);

    let done = b.get(back.header("location"));
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(done.header("cache-control"), "no-store");
    // No redirect: the Strict session cookie would not travel with one.
    assert!(
        done.body
            .contains("<meta http-equiv=\"refresh\" content=\"0; url=/desk?stato=nuovi\">"),
        "{}",
        done.body
    );
    let session = done.set_cookie(SESSION_COOKIE).expect("session cookie");
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Strict"));
    assert!(
        !b.jar.keys().any(|(n, _)| n == "piazza_oidc"),
        "flow cookie dropped"
    );

    let desk = b.get(&format!("{}/desk", w.piazza));
    assert_eq!(desk.status, 200, "{}", desk.body);
    assert!(
        desk.body.contains("Accesso come Anna Rossi"),
        "{}",
        desk.body
    );
    let me: Value =
        serde_json::from_str(&b.get(&format!("{}/api/v1/sessione", w.piazza)).body).unwrap();
    assert_eq!(me["session"]["username"], "anna", "{me}");
    assert_eq!(me["session"]["roles"], json!(["moderatore"]), "{me}");

    // Audited like a password login, with the provider named.
    let entries = w.state.desk.audit_entries(w.admin, 1, 1000).unwrap();
    let login = entries.last().unwrap();
    assert_eq!(login.entry.kind, "login");
    assert_eq!(login.entry.actor, "staff:anna");
    assert_eq!(login.entry.payload["method"], "oidc");
    assert_eq!(login.entry.payload["provider"], w.idp.as_str());

    // Signing out ends the session like any other.
    let me: Value =
        serde_json::from_str(&b.get(&format!("{}/api/v1/sessione", w.piazza)).body).unwrap();
    let token = me["csrf_token"].as_str().unwrap();
    let out = Browser::agent()
        .post(&format!("{}/uscita", w.piazza))
        .header("cookie", &b.cookie_header("/uscita"))
        .send_form([("csrf_token", token)])
        .unwrap();
    assert_eq!(out.status(), 303);
    let again = Browser::agent()
        .get(&format!("{}/api/v1/sessione", w.piazza))
        .header("cookie", &b.cookie_header("/api"))
        .call()
        .unwrap();
    assert_eq!(again.status(), 401);
}

#[test]
fn the_token_endpoint_receives_the_verifier_of_the_challenge() {
    let w = World::start(Behaviour::default());
    let mut b = Browser::default();
    assert_eq!(b.sign_in(&w).status, 200);
    let (challenge, token) = {
        let p = w.provider();
        (
            p.authorize[0]["code_challenge"].clone(),
            p.tokens[0].clone(),
        )
    };
    let verifier = &token.form["code_verifier"];
    assert!((43..=128).contains(&verifier.len()), "{verifier}");
    assert_eq!(b64(&Sha256::digest(verifier.as_bytes())), challenge);
    assert_ne!(
        verifier, &challenge,
        "the verifier itself never went to the browser"
    );
    assert_eq!(token.form["grant_type"], "authorization_code");
    assert_eq!(
        token.form["redirect_uri"],
        format!("{}/accesso/oidc/ritorno", w.piazza)
    );
    // No methods advertised: HTTP Basic, the default of the standard.
    assert_eq!(
        token.authorization.as_deref(),
        Some(format!("Basic {}", STANDARD.encode(format!("{CLIENT_ID}:{SECRET}"))).as_str())
    );
    assert!(!token.form.contains_key("client_secret"));
}

#[test]
fn a_provider_that_wants_client_secret_post_gets_it() {
    let w = World::start(Behaviour {
        auth_methods: vec!["client_secret_post".into()],
        ..Behaviour::default()
    });
    let mut b = Browser::default();
    assert_eq!(b.sign_in(&w).status, 200);
    let token = w.provider().tokens[0].clone();
    assert_eq!(token.authorization, None);
    assert_eq!(token.form["client_id"], CLIENT_ID);
    assert_eq!(token.form["client_secret"], SECRET);
}

#[test]
fn es256_tokens_are_accepted_and_the_claim_and_label_are_configurable() {
    let w = World::start_with(
        Behaviour {
            signer: Signer::Ec,
            patch: json!({"preferred_username": "anna"}),
            email: "someone.else@example.org".into(),
            ..Behaviour::default()
        },
        |c| {
            c.with_claim("preferred_username")
                .unwrap()
                .with_button_label("Entra con SPID o CIE")
                .unwrap()
        },
    );
    let mut b = Browser::default();
    let page = b.get(&format!("{}/accesso", w.piazza));
    assert!(
        page.body.contains(">Entra con SPID o CIE</a>"),
        "{}",
        page.body
    );
    let done = b.sign_in(&w);
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(b.get(&format!("{}/desk", w.piazza)).status, 200);
}

#[test]
fn password_login_keeps_working_next_to_the_provider() {
    let w = World::start(Behaviour::default());
    let r = Browser::agent()
        .post(&format!("{}/api/v1/sessione", w.piazza))
        .header("content-type", "application/json")
        .send(json!({"username": "root", "password": PASSWORD}).to_string())
        .unwrap();
    assert_eq!(r.status(), 201);
    let mut b = Browser::default();
    let page = b.get(&format!("{}/accesso", w.piazza));
    assert!(page.body.contains("name=\"password\""));
    assert!(page.body.contains("id=\"accesso-oidc\""));
}

#[test]
fn without_a_provider_there_is_no_button_and_no_route() {
    let state = AppState::with_presets();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let l = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let base = format!("http://{}", l.local_addr().unwrap());
    rt.spawn(piazza_web::serve_on(l, state));
    let mut b = Browser::default();
    let page = b.get(&format!("{base}/accesso"));
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("accesso-oidc"));
    assert!(page.body.contains("name=\"password\""));
    assert_eq!(b.get(&format!("{base}/accesso/oidc")).status, 404);
    assert_eq!(
        b.get(&format!("{base}/accesso/oidc/ritorno?code=x&state=y"))
            .status,
        404
    );
}

// ---------------------------------------------------------------------------
// The ways that must stay shut.

const NOT_ENABLED: &str =
    "Il tuo account non è abilitato a Piazza: chiedi al dirigente di registrarti.";
const NOT_PROVEN: &str = "non ha confermato la tua identità";

#[test]
fn a_person_unknown_to_the_registry_is_turned_away_politely() {
    let w = World::start(Behaviour {
        email: "mario.verdi@comune.cento.example".into(),
        ..Behaviour::default()
    });
    let mut b = Browser::default();
    let r = b.sign_in(&w);
    assert_refused(&r, &b, 403, NOT_ENABLED);
    assert!(
        w.state.desk.staff(w.admin).unwrap().len() == 3,
        "nobody was created"
    );
    // The refusal is logged with who it was, never with the token.
    let logs = logs();
    let line = logs
        .lines()
        .find(|l| l.contains("mario.verdi@comune.cento.example"))
        .unwrap_or_else(|| panic!("no log line for the refusal in {logs}"));
    assert!(line.contains("no active staff member"), "{line}");
    for t in &w.provider().issued {
        assert!(!logs.contains(t.as_str()), "an ID token in the logs");
    }
}

#[test]
fn a_deactivated_staff_member_is_turned_away() {
    let w = World::start(Behaviour {
        email: "carlo.bianchi@comune.cento.example".into(),
        ..Behaviour::default()
    });
    let mut b = Browser::default();
    assert_refused(&b.sign_in(&w), &b, 403, NOT_ENABLED);
}

#[test]
fn an_identity_that_matches_two_people_is_turned_away() {
    let w = World::start(Behaviour::default());
    let root = w.state.desk.actor(w.admin, "root").unwrap();
    w.state
        .desk
        .add_staff(
            w.admin,
            Some(&root),
            NewStaff {
                username: "anna2".into(),
                full_name: "Anna Rossi (ufficio stampa)".into(),
                email: Some("anna.rossi@comune.cento.example".into()),
                roles: vec![Role::Dirigente],
                password: None,
            },
        )
        .unwrap();
    let mut b = Browser::default();
    assert_refused(&b.sign_in(&w), &b, 403, NOT_ENABLED);
}

#[test]
fn an_unverified_email_is_refused() {
    let w = World::start(Behaviour {
        patch: json!({"email_verified": false}),
        ..Behaviour::default()
    });
    let mut b = Browser::default();
    assert_refused(&b.sign_in(&w), &b, 401, NOT_PROVEN);
}

/// One login whose ID token carries `patch` or comes from `signer`.
fn refused_token(patch: Value, signer: Signer) {
    let w = World::start(Behaviour {
        patch,
        signer,
        ..Behaviour::default()
    });
    let mut b = Browser::default();
    assert_refused(&b.sign_in(&w), &b, 401, NOT_PROVEN);
    assert_eq!(
        w.provider().issued.len(),
        1,
        "the provider did issue a token"
    );
}

#[test]
fn a_token_with_another_nonce_is_refused() {
    refused_token(json!({"nonce": "a-nonce-from-another-login"}), Signer::Rsa);
}

#[test]
fn a_token_without_a_nonce_is_refused() {
    refused_token(json!({"nonce": null}), Signer::Rsa);
}

#[test]
fn a_token_for_another_client_is_refused() {
    refused_token(json!({"aud": "another-client"}), Signer::Rsa);
}

#[test]
fn a_token_for_several_clients_naming_another_as_its_party_is_refused() {
    refused_token(
        json!({"aud": [CLIENT_ID, "another-client"], "azp": "another-client"}),
        Signer::Rsa,
    );
}

#[test]
fn an_expired_token_is_refused() {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    refused_token(json!({"iat": now - 4000, "exp": now - 3600}), Signer::Rsa);
}

#[test]
fn a_token_from_another_issuer_is_refused() {
    refused_token(json!({"iss": "https://evil.example"}), Signer::Rsa);
}

#[test]
fn a_token_with_a_bad_signature_is_refused() {
    refused_token(json!({}), Signer::Forger);
}

#[test]
fn a_wrong_state_is_refused_before_the_code_is_redeemed() {
    let w = World::start(Behaviour {
        state_override: Some("a-state-of-the-attackers-own-login".into()),
        ..Behaviour::default()
    });
    let mut b = Browser::default();
    let r = b.sign_in(&w);
    assert_refused(&r, &b, 400, "scaduta o non è valida");
    assert!(w.provider().tokens.is_empty(), "the code was never sent");
}

#[test]
fn a_callback_without_the_flow_cookie_is_refused() {
    // Login CSRF: an attacker's own callback URL opened in the victim's
    // browser, which never started a login.
    let w = World::start(Behaviour::default());
    let mut attacker = Browser::default();
    let start = attacker.get(&format!("{}/accesso/oidc", w.piazza));
    let back = attacker.get(start.header("location"));
    let mut victim = Browser::default();
    let r = victim.get(back.header("location"));
    assert_refused(&r, &victim, 400, "scaduta o non è valida");
    assert!(w.provider().tokens.is_empty());
}

#[test]
fn a_flow_is_good_for_one_try() {
    let w = World::start(Behaviour::default());
    let mut b = Browser::default();
    let start = b.get(&format!("{}/accesso/oidc", w.piazza));
    let flow = b.cookie_header("/accesso/oidc");
    let back = b.get(start.header("location"));
    let callback = back.header("location").to_string();
    assert_eq!(b.get(&callback).status, 200);
    // The same callback replayed with the old flow cookie: the code is
    // spent at the provider.
    let replay = Browser::agent()
        .get(&callback)
        .header("cookie", &flow)
        .call()
        .unwrap();
    assert_eq!(replay.status(), 401);
    assert_eq!(w.provider().tokens.len(), 2);
}

#[test]
fn a_provider_error_is_a_cancelled_login() {
    let w = World::start(Behaviour::default());
    let mut b = Browser::default();
    let start = b.get(&format!("{}/accesso/oidc", w.piazza));
    let state = w.provider_state(start.header("location"));
    let r = b.get(&format!(
        "{}/accesso/oidc/ritorno?error=access_denied&state={state}",
        w.piazza
    ));
    assert_refused(&r, &b, 401, "annullato o rifiutato");
}

impl World {
    /// The `state` in an authorization URL.
    fn provider_state(&self, url: &str) -> String {
        let q: HashMap<String, String> =
            serde_urlencoded::from_str(url.split_once('?').unwrap().1).unwrap();
        q["state"].clone()
    }
}

#[test]
fn an_unreachable_provider_is_named_and_password_login_still_works() {
    capture_logs();
    // A port that was free a moment ago: nothing listens there.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let issuer = format!("http://{closed}");
    let state = AppState::scratch(WebConfig {
        oidc: Some(
            OidcConfig::new(
                &issuer,
                CLIENT_ID,
                SECRET,
                "http://127.0.0.1:1/accesso/oidc/ritorno",
            )
            .unwrap(),
        ),
        ..WebConfig::default()
    });
    let err = state.oidc_preflight().unwrap_err();
    assert!(err.contains(&issuer), "{err}");
    assert!(err.contains("discovery"), "{err}");
    assert!(!err.contains(SECRET));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let l = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let base = format!("http://{}", l.local_addr().unwrap());
    rt.spawn(piazza_web::serve_on(l, state));
    let mut b = Browser::default();
    let r = b.get(&format!("{base}/accesso/oidc"));
    assert_eq!(r.status, 502, "{}", r.body);
    assert!(r.body.contains(&issuer), "{}", r.body);
    assert!(r.body.contains("accedi con nome utente e password"));
    assert_eq!(b.get(&format!("{base}/accesso")).status, 200);
}

#[test]
fn the_client_secret_never_shows_in_logs_or_pages() {
    let w = World::start(Behaviour {
        // A provider careless enough to echo the secret back.
        token_error: Some((
            401,
            json!({"error": "invalid_client", "error_description": format!("client secret {SECRET} is wrong")}),
        )),
        ..Behaviour::default()
    });
    let mut b = Browser::default();
    let r = b.sign_in(&w);
    assert_refused(&r, &b, 401, NOT_PROVEN);
    assert!(!r.body.contains(SECRET));
    let logs = logs();
    assert!(
        logs.contains("invalid_client"),
        "the refusal was logged: {logs}"
    );
    assert!(logs.contains("client secret *** is wrong"), "{logs}");
    assert!(!logs.contains(SECRET), "the secret leaked into the logs");
    // Nor does the configuration print it.
    let shown = format!("{:?}", w.state.config);
    assert!(
        shown.contains(CLIENT_ID) && !shown.contains(SECRET),
        "{shown}"
    );
    // A successful login logs no token either.
    w.behave(|b| b.token_error = None);
    let mut b = Browser::default();
    assert_eq!(b.sign_in(&w).status, 200);
    let logs = self::logs();
    assert!(!logs.contains(SECRET));
    let issued = w.provider().issued.clone();
    assert_eq!(issued.len(), 1);
    for t in issued {
        assert!(!logs.contains(&t), "an ID token in the logs");
        // Nor any of its parts (the signature alone is a secret's worth).
        for part in t.split('.') {
            assert!(!logs.contains(part), "a part of an ID token in the logs");
        }
    }
}

/// A real browser, when the machine has Chromium: the provider on another
/// site (127.0.0.2), so the way back is a cross-site navigation, on which
/// the `SameSite=Strict` session cookie is not sent. Had the callback
/// redirected, the browser would reach the desk without its session and
/// land on the login page again.
#[test]
fn a_real_browser_reaches_the_desk_after_the_cross_site_return() {
    use std::process::Command;
    let Some(chromium) = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|c| {
            Command::new(c)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
    else {
        assert!(
            std::env::var("PIAZZA_REQUIRE_BROWSER").as_deref() != Ok("1"),
            "PIAZZA_REQUIRE_BROWSER=1 but no Chromium was found"
        );
        eprintln!(
            "SKIP a_real_browser_reaches_the_desk_after_the_cross_site_return: no Chromium on this machine"
        );
        return;
    };
    let w = World::start_on(
        "127.0.0.2",
        Behaviour {
            page: true,
            ..Behaviour::default()
        },
        |c| c,
    );
    // Headless Chromium once printed nothing at all in a CI run (no page,
    // not even an empty one) after going through the provider; 21 runs of
    // the test on the same machine afterwards all printed the page. Only
    // that case is tried once more, with Chromium's own messages kept: a
    // page, whatever it says, is the answer the assertions judge.
    for attempt in 1..=2 {
        let tokens_before = w.provider().tokens.len();
        let (dom, messages) =
            dump_dom(chromium, &format!("{}/accesso/oidc?next=%2Fdesk", w.piazza));
        if dom.trim().is_empty() && attempt == 1 {
            eprintln!("Chromium printed no page; once more. Its messages:\n{messages}");
            continue;
        }
        assert_eq!(
            w.provider().tokens.len() - tokens_before,
            1,
            "the browser went through the provider"
        );
        assert!(
            dom.contains("Accesso come Anna Rossi"),
            "{dom}\nChromium's messages:\n{messages}"
        );
        return;
    }
}

/// The page headless Chromium ends on from `url` (`--dump-dom`, after at
/// most 10 s of virtual time), and what it wrote on stderr.
fn dump_dom(chromium: &str, url: &str) -> (String, String) {
    use std::process::{Command, Stdio};
    static RUN: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let run = RUN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let profile =
        std::env::temp_dir().join(format!("piazza-oidc-chromium-{}-{run}", std::process::id()));
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            &format!("--user-data-dir={}", profile.display()),
            "--virtual-time-budget=10000",
            "--dump-dom",
            url,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let read = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut s = String::new();
            pipe.read_to_string(&mut s).ok();
            s
        })
    };
    let stdout = read(Box::new(child.stdout.take().unwrap()));
    let stderr = read(Box::new(child.stderr.take().unwrap()));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("Chromium did not finish");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _ = std::fs::remove_dir_all(&profile);
    (stdout.join().unwrap(), stderr.join().unwrap())
}
