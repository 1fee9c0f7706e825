//! The whole HTTP stack driven in-process with `oneshot`: status codes,
//! content, security headers, static assets, sessions and CSRF.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use axum::routing::post;
use http_body_util::BodyExt;
use piazza_web::{
    AppState, CSRF_HEADER, CsrfForm, CsrfHeader, CsrfKey, InMemorySessions, SESSION_COOKIE,
    StaffSession, app, app_with, assets,
};
use serde::Deserialize;
use tower::ServiceExt;

mod common;
use common::{Reply, send};

async fn get(path: &str) -> Reply {
    send(
        app(AppState::with_presets()),
        Request::get(path).body(Body::empty()).unwrap(),
    )
    .await
}

/// A state with one signed-in moderator: cookie token `tok-maria`,
/// session id `sess-1`.
fn signed_in() -> AppState {
    let sessions = InMemorySessions::default();
    sessions.insert(
        "tok-maria",
        StaffSession {
            session_id: "sess-1".into(),
            staff_id: piazza_desk::StaffId(7),
            admin_id: piazza_desk::AdminId(1),
            username: "maria".into(),
            display_name: "Maria Rossi".into(),
            roles: vec![piazza_desk::Role::Moderatore],
        },
    );
    AppState::with_presets()
        .with_sessions(Arc::new(sessions))
        .with_csrf_key(CsrfKey::from_secret(b"test secret"))
}

fn cookie() -> String {
    format!("{SESSION_COOKIE}=tok-maria")
}

// ---------------------------------------------------------------------------
// Public pages.

#[tokio::test]
async fn the_landing_page_lists_every_administration() {
    let r = get("/").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.header("content-type").starts_with("text/html"));
    assert!(r.body.contains("<html lang=\"it\">"));
    for (slug, name) in [
        ("cento", "Comune di Cento"),
        ("maglione", "Comune di Maglione"),
        ("roma", "Roma Capitale"),
        ("torino", "Città metropolitana di Torino"),
        ("tradate", "Comune di Tradate"),
    ] {
        assert!(r.body.contains(name), "{name}");
        assert!(r.body.contains(&format!("href=\"/enti/{slug}/policy\"")));
        assert!(r.body.contains(&format!("href=\"/enti/{slug}/account\"")));
    }
}

#[tokio::test]
async fn the_policy_page_has_clause_anchors_and_the_layout_landmarks() {
    let r = get("/enti/cento/policy").await;
    assert_eq!(r.status, StatusCode::OK);
    let b = &r.body;
    assert!(b.contains("<html lang=\"it\">"));
    assert!(b.contains("href=\"#contenuto\">Vai al contenuto</a>"));
    assert!(b.contains("<main id=\"contenuto\""));
    assert!(b.contains("<header class=\"it-header-wrapper\">"));
    assert!(b.contains("<footer class=\"it-footer\">"));
    assert!(b.contains("<div class=\"it-brand-title\">Comune di Cento</div>"));
    assert!(b.contains("id=\"clausola-1\""));
    assert!(b.contains("id=\"clausola-2\""));
    assert!(b.contains("aria-current=\"page\""));
    // No inline script or style: the CSP would block them.
    assert!(!b.contains("<style"));
    assert!(!b.contains("style=\""));
    assert!(!b.contains("<script>"));
    for s in b.split("<script").skip(1) {
        assert!(s.trim_start().starts_with("src=\"/static/"), "{s}");
    }
}

#[tokio::test]
async fn a_policy_without_citizen_rules_says_so() {
    let r = get("/enti/tradate/policy").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body
            .contains("Il documento di origine non contiene regole per i cittadini.")
    );
    // The reply promise says how its 24 working hours are counted.
    assert!(
        r.body.contains(
            "si contano sulle ore dei giorni lavorativi (dal lunedì al venerdì, festivi esclusi)"
        ),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn the_accounts_page_shows_each_account_with_its_hours() {
    let cento = piazza_policy::load_preset("cento").unwrap().policy;
    let r = get("/enti/cento/account").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!cento.channels.accounts.is_empty());
    for a in &cento.channels.accounts {
        assert!(r.body.contains(&html_escape(&a.name)), "{}", a.name);
        let hours = cento.hours_sentence(Some(a));
        assert!(r.body.contains(&html_escape(&hours)), "{hours}");
    }
    assert!(r.body.contains("<caption id=\"tabella-account\">"));
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

#[tokio::test]
async fn the_checkpoint_page_lists_signed_checkpoints_and_is_in_the_navigation() {
    let state = AppState::with_presets();
    let empty = send(
        app(state.clone()),
        Request::get("/enti/cento/registro-verifiche")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(
        empty
            .body
            .contains("Non è ancora stata pubblicata nessuna verifica")
    );
    let desk = state.desk.clone();
    let key = piazza_desk::SigningKeyFile::from_seed([5u8; 32]);
    let cento = desk.administration("cento").unwrap().id;
    let c = desk.sign_checkpoint(cento, &key, "cli").unwrap();
    let r = send(
        app(state.clone()),
        Request::get("/enti/cento/registro-verifiche")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    for shown in [&c.head_hash, &c.public_key, &c.signature, &c.signed_at] {
        assert!(r.body.contains(shown.as_str()), "{shown} missing");
    }
    assert!(r.body.contains(&format!("<td>{}</td>", c.seq)));
    assert!(r.body.contains("chiunque può conservare queste impronte"));
    // Another administration's page shows none of Cento's.
    let roma = send(
        app(state.clone()),
        Request::get("/enti/roma/registro-verifiche")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(!roma.body.contains(&c.head_hash));
    let policy = send(
        app(state),
        Request::get("/enti/cento/policy")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(
        policy
            .body
            .contains("href=\"/enti/cento/registro-verifiche\"")
    );
}

#[tokio::test]
async fn an_unknown_administration_is_an_italian_404_page() {
    let r = get("/enti/atlantide/policy").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.header("content-type").starts_with("text/html"));
    assert!(r.body.contains("<h1>Pagina non trovata</h1>"));
    assert!(r.body.contains("<html lang=\"it\">"));

    let r = get("/non-esiste").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("Pagina non trovata"));
}

#[tokio::test]
async fn a_wrong_method_on_a_page_is_an_error_page_with_allow() {
    let r = send(
        app(AppState::with_presets()),
        Request::post("/enti/cento/policy")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(r.body.contains("Operazione non consentita"));
    assert!(r.header("allow").contains("GET"));
}

// ---------------------------------------------------------------------------
// Security headers.

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    for path in [
        "/",
        "/enti/roma/policy",
        "/non-esiste",
        "/api/v1/enti",
        "/api/v1/sessione",
        "/static/piazza.css",
    ] {
        let r = get(path).await;
        let csp = r.header("content-security-policy");
        assert!(csp.contains("default-src 'self'"), "{path}");
        assert!(csp.contains("script-src 'self'"), "{path}");
        assert!(!csp.contains("unsafe-inline"), "{path}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}");
        assert_eq!(r.header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(r.header("referrer-policy"), "same-origin", "{path}");
        assert_eq!(r.header("x-frame-options"), "DENY", "{path}");
        assert!(r.header("permissions-policy").contains("camera=()"));
        // Nothing with personal data is kept by a browser or a proxy; only
        // the static files are cached.
        let cache = r.header("cache-control");
        if path.starts_with("/static/") {
            assert_ne!(cache, "no-store", "{path}");
        } else {
            assert_eq!(cache, "no-store", "{path}");
        }
    }
}

// ---------------------------------------------------------------------------
// Static assets.

#[tokio::test]
async fn static_assets_are_served_with_their_types_and_long_caching() {
    for (path, ty) in [
        ("css/bootstrap-italia.min.css", "text/css"),
        ("js/bootstrap-italia.bundle.min.js", "text/javascript"),
        ("svg/sprites.svg", "image/svg+xml"),
        (
            "fonts/Titillium_Web/titillium-web-v10-latin-ext_latin-regular.woff2",
            "font/woff2",
        ),
        ("fonts.css", "text/css"),
        ("piazza.css", "text/css"),
        ("piazza.js", "text/javascript"),
    ] {
        let url = assets::url(path);
        let r = get(&url).await;
        assert_eq!(r.status, StatusCode::OK, "{url}");
        assert!(r.header("content-type").starts_with(ty), "{url}");
        assert!(r.header("cache-control").contains("immutable"), "{url}");
        assert!(!r.body.is_empty());
    }
    // Without the current hash the file is still served, but revalidated.
    let r = get("/static/piazza.css").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.header("cache-control").contains("immutable"));
}

/// Chromium decodes `data:` fonts on sight and the CSP blocks them: the
/// build strips the video player's icon font from the kit's stylesheet.
#[tokio::test]
async fn the_kit_stylesheet_has_no_data_url_font() {
    let r = get("/static/css/bootstrap-italia.min.css").await;
    assert!(r.body.contains(".it-header-wrapper"));
    assert!(!r.body.contains("data:application/font-woff"));
    assert!(!r.body.contains("sourceMappingURL"));
}

#[tokio::test]
async fn pages_and_assets_are_gzipped_for_browsers_that_ask() {
    for path in ["/static/css/bootstrap-italia.min.css", "/enti/cento/policy"] {
        let plain = get(path).await;
        let res = app(AppState::with_presets())
            .oneshot(
                Request::get(path)
                    .header(header::ACCEPT_ENCODING, "gzip")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(res.headers()[header::CONTENT_ENCODING], "gzip", "{path}");
        let vary = res.headers()[header::VARY]
            .to_str()
            .unwrap()
            .to_ascii_lowercase();
        assert!(vary.contains("accept-encoding"), "{path}: {vary}");
        let zipped = res.into_body().collect().await.unwrap().to_bytes();
        assert!(
            zipped.len() * 3 < plain.body.len(),
            "{path}: {} bytes gzipped from {}",
            zipped.len(),
            plain.body.len()
        );
        let mut unzipped = String::new();
        std::io::Read::read_to_string(
            &mut flate2::read::GzDecoder::new(&zipped[..]),
            &mut unzipped,
        )
        .unwrap();
        assert_eq!(unzipped, plain.body, "{path}");
    }
}

#[tokio::test]
async fn the_sprite_has_the_icons_the_layout_uses() {
    let r = get("/static/svg/sprites.svg").await;
    assert!(r.body.contains("id=\"it-pa\""));
}

#[tokio::test]
async fn the_font_sheet_points_at_embedded_fonts() {
    let r = get("/static/fonts.css").await;
    assert!(r.body.contains("font-family:\"Titillium Web\""));
    let mut n = 0;
    for u in r.body.split("url(\"").skip(1) {
        let rel = u.split('?').next().unwrap();
        assert!(assets::get(rel).is_some(), "fonts.css names {rel}");
        n += 1;
    }
    assert!(n >= 8, "only {n} fonts");
}

#[tokio::test]
async fn an_unchanged_asset_is_not_sent_again() {
    let first = get("/static/piazza.js").await;
    let etag = first.header("etag").to_string();
    let r = send(
        app(AppState::with_presets()),
        Request::get("/static/piazza.js")
            .header(header::IF_NONE_MATCH, etag)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_MODIFIED);
    assert!(r.body.is_empty());
}

#[tokio::test]
async fn a_missing_asset_is_404() {
    let r = get("/static/nope.css").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn every_asset_a_page_links_is_embedded() {
    let r = get("/enti/cento/policy").await;
    let mut n = 0;
    for part in r.body.split("\"/static/").skip(1) {
        let path = part.split(['?', '"', '#']).next().unwrap();
        assert!(assets::get(path).is_some(), "page links missing {path}");
        n += 1;
    }
    assert!(n >= 5);
}

// ---------------------------------------------------------------------------
// JSON API.

#[tokio::test]
async fn the_public_api_lists_administrations() {
    let r = get("/api/v1/enti").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.header("content-type").starts_with("application/json"));
    let v = r.json();
    let enti = v["enti"].as_array().unwrap();
    assert_eq!(enti.len(), 5);
    assert_eq!(enti[0]["slug"], "cento");
    assert_eq!(enti[0]["name"], "Comune di Cento");
    assert_eq!(enti[0]["kind"], "comune");
    assert_eq!(enti[0]["links"]["policy"], "/api/v1/enti/cento/policy");
}

#[tokio::test]
async fn the_public_api_serves_the_citizen_facing_policy_only() {
    let r = get("/api/v1/enti/cento/policy").await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["administration"]["name"], "Comune di Cento");
    assert_eq!(v["external"]["clauses"][0]["number"], 1);
    assert!(v["accounts"][0]["hours_sentence"].is_string());
    assert!(v["accounts"][0]["platform"].is_string());
    // Internal rules, thresholds and word lists stay private.
    assert!(v.get("internal").is_none());
    assert!(v.get("detection").is_none());
    assert!(v.get("categories").is_none());
}

#[tokio::test]
async fn an_unknown_administration_is_404_json_in_the_api() {
    let r = get("/api/v1/enti/atlantide/policy").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        r.json(),
        serde_json::json!({"code": "not_found", "message": "Risorsa non trovata"})
    );
}

#[tokio::test]
async fn the_openapi_document_is_served() {
    let r = get("/api/v1/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["openapi"], "3.1.0");
    assert!(v["paths"]["/api/v1/enti/{slug}/policy"]["get"].is_object());
}

#[tokio::test]
async fn every_documented_public_operation_answers_without_a_session() {
    let doc = piazza_web::openapi();
    for (path, item) in doc["paths"].as_object().unwrap() {
        let Some(op) = item.get("get") else { continue };
        let public = op["security"].as_array().is_some_and(|s| s.is_empty());
        let url = path.replace("{slug}", "cento").replace("{id}", "1");
        let r = get(&url).await;
        if public {
            assert_eq!(r.status, StatusCode::OK, "{url}");
        } else {
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{url}");
        }
    }
}

// ---------------------------------------------------------------------------
// Sessions.

#[tokio::test]
async fn a_protected_api_route_is_401_without_a_session() {
    let r = get("/api/v1/sessione").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        r.json(),
        serde_json::json!({"code": "unauthenticated", "message": "Autenticazione richiesta"})
    );
    assert!(r.headers.contains_key("www-authenticate"));
}

#[tokio::test]
async fn an_unknown_api_route_is_401_for_strangers_and_404_for_staff() {
    let r = get("/api/v1/inesistente").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["code"], "unauthenticated");

    let r = send(
        app(signed_in()),
        Request::get("/api/v1/inesistente")
            .header(header::COOKIE, cookie())
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["code"], "not_found");
}

#[tokio::test]
async fn a_bad_session_cookie_is_401() {
    let r = send(
        app(signed_in()),
        Request::get("/api/v1/sessione")
            .header(header::COOKIE, format!("{SESSION_COOKIE}=forged"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_session_sees_itself_and_its_csrf_token() {
    let state = signed_in();
    let r = send(
        app(state.clone()),
        Request::get("/api/v1/sessione")
            .header(header::COOKIE, cookie())
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["session"]["display_name"], "Maria Rossi");
    assert_eq!(v["csrf_token"], state.csrf.token("sess-1"));
}

#[tokio::test]
async fn a_page_shows_who_is_signed_in() {
    let r = send(
        app(signed_in()),
        Request::get("/")
            .header(header::COOKIE, cookie())
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(r.body.contains("Accesso come Maria Rossi"));
}

// ---------------------------------------------------------------------------
// CSRF, through routes shaped like the desk's: a test router merged into
// `app()` as the lead's routes will be.

#[derive(Deserialize)]
struct Decision {
    action: String,
}

async fn decide(CsrfForm { session, form }: CsrfForm<Decision>) -> String {
    format!("{} {}", session.username, form.action)
}

async fn decide_json(CsrfHeader(session): CsrfHeader) -> String {
    session.username
}

fn desk_like(state: AppState) -> Router {
    let extra = Router::new()
        .route("/prova/decisione", post(decide))
        .route("/api/v1/prova", post(decide_json));
    app_with(state, extra)
}

fn form_post(path: &str, body: String, with_cookie: bool) -> Request<Body> {
    let mut b = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if with_cookie {
        b = b.header(header::COOKIE, cookie());
    }
    b.body(Body::from(body)).unwrap()
}

#[tokio::test]
async fn a_form_with_the_right_csrf_token_is_accepted() {
    let state = signed_in();
    let token = state.csrf.token("sess-1");
    let r = send(
        desk_like(state),
        form_post(
            "/prova/decisione",
            format!("action=remove&csrf_token={token}"),
            true,
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body, "maria remove");
}

#[tokio::test]
async fn a_form_without_or_with_a_wrong_csrf_token_is_rejected() {
    let state = signed_in();
    let other_session = state.csrf.token("sess-2");
    for body in [
        "action=remove".to_string(),
        "action=remove&csrf_token=".to_string(),
        "action=remove&csrf_token=deadbeef".to_string(),
        format!("action=remove&csrf_token={other_session}"),
    ] {
        let r = send(
            desk_like(state.clone()),
            form_post("/prova/decisione", body.clone(), true),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{body}");
        assert!(r.header("content-type").starts_with("text/html"));
        assert!(r.body.contains("Modulo scaduto"), "{body}");
    }
}

#[tokio::test]
async fn an_anonymous_form_is_401_before_any_csrf_check() {
    let state = signed_in();
    let token = state.csrf.token("sess-1");
    let r = send(
        desk_like(state),
        form_post(
            "/prova/decisione",
            format!("action=remove&csrf_token={token}"),
            false,
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("Accesso richiesto"));
}

#[tokio::test]
async fn an_api_call_needs_the_csrf_header() {
    let state = signed_in();
    let token = state.csrf.token("sess-1");
    let call = |t: Option<&str>| {
        let mut b = Request::post("/api/v1/prova").header(header::COOKIE, cookie());
        if let Some(t) = t {
            b = b.header(CSRF_HEADER, t);
        }
        b.body(Body::empty()).unwrap()
    };
    let r = send(desk_like(state.clone()), call(Some(&token))).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body, "maria");

    for bad in [None, Some("0000")] {
        let r = send(desk_like(state.clone()), call(bad)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(r.json()["code"], "csrf_rejected");
    }
}

#[tokio::test]
async fn refused_api_bodies_get_the_json_error_format() {
    let router = app(AppState::with_presets());
    let post = |ct: &'static str, body: &'static str| {
        Request::post("/api/v1/sessione")
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .unwrap()
    };
    // Malformed JSON.
    let r = send(router.clone(), post("application/json", "{\"username\": ")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.json()["code"], "bad_request");
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .starts_with("Richiesta non valida")
    );
    // The wrong content type.
    let r = send(router.clone(), post("text/plain", "username=a")).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", r.body);
    assert_eq!(r.json()["code"], "unsupported_media_type");
    // A JSON body of the wrong shape.
    let r = send(
        router.clone(),
        post("application/json", "{\"username\": 3}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["code"], "invalid_input");
}
