//! The web desk driven in-process with `oneshot` against a real desk on a
//! temporary SQLite database: logins, sessions, CSRF, roles, per-account
//! scope, the inbox, the item page, decisions and their statements, the
//! audit log, the registry, the policy history, reports and the public
//! statistics.

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use piazza_desk::{
    AccountId, AdminId, CommentId, IncomingComment, NewAdministration, NewStaff, Role,
};
use piazza_web::{AppState, CSRF_HEADER, SESSION_COOKIE, WebConfig, app};
use serde_json::{Value, json};

mod common;
use common::{Client, Reply, send};

const PASSWORD: &str = "una password lunga 2026";

struct World {
    state: AppState,
    admin: AdminId,
    account_a: AccountId,
    account_b: AccountId,
    threat: CommentId,
    question: CommentId,
    other: CommentId,
}

fn comment(id: &str, text: &str) -> IncomingComment {
    IncomingComment {
        external_id: id.into(),
        post_external_id: Some("post-1".into()),
        parent_external_id: None,
        post_text: Some("Lavori di rifacimento dell'asfalto in via Garibaldi da lunedì".into()),
        author_ref: Some(format!("fb-user-{id}")),
        author_name: Some("Mario R.".into()),
        text: text.into(),
        // An hour ago: reports count what arrived in their period.
        created_at: piazza_store::now_ms() - 3_600_000,
    }
}

/// Cento with an administrator, a dirigente, an auditor and two
/// moderators: anna on the first account, bruno on the second.
fn world_with(config: WebConfig) -> World {
    let state = AppState::scratch(config);
    let desk = state.desk.clone();
    let admin = desk
        .create_administration(NewAdministration::preset("cento"))
        .unwrap()
        .id;
    let staff = |username: &str, roles: Vec<Role>| NewStaff {
        username: username.into(),
        full_name: format!("{username} (prova)"),
        email: None,
        roles,
        password: Some(PASSWORD.into()),
    };
    desk.add_staff(admin, None, staff("root", vec![Role::Admin]))
        .unwrap();
    let root = desk.actor(admin, "root").unwrap();
    for (name, role) in [
        ("capo", Role::Dirigente),
        ("audrey", Role::Auditor),
        ("anna", Role::Moderatore),
        ("bruno", Role::Moderatore),
    ] {
        desk.add_staff(admin, Some(&root), staff(name, vec![role]))
            .unwrap();
    }
    let accounts = desk.accounts(admin).unwrap();
    let (account_a, account_b) = (accounts[0].id, accounts[1].id);
    desk.assign(&root, "anna", account_a, None).unwrap();
    desk.assign(&root, "bruno", account_b, None).unwrap();
    let threat = desk
        .ingest_comment(
            admin,
            account_a,
            &comment("t1", "Ti ammazzo, sappiamo dove abiti"),
        )
        .unwrap()
        .id();
    let question = desk
        .ingest_comment(
            admin,
            account_a,
            &comment("q1", "Buongiorno, quando riapre la biblioteca comunale?"),
        )
        .unwrap()
        .id();
    let other = desk
        .ingest_comment(
            admin,
            account_b,
            &comment("o1", "Sei un idiota, vergognati"),
        )
        .unwrap()
        .id();
    World {
        state,
        admin,
        account_a,
        account_b,
        threat,
        question,
        other,
    }
}

fn world() -> World {
    world_with(WebConfig::default())
}

impl World {
    fn app(&self) -> Router {
        app(self.state.clone())
    }

    async fn call(&self, req: Request<Body>) -> Reply {
        send(self.app(), req).await
    }

    /// Signs in through the JSON API.
    async fn login(&self, username: &str) -> Client {
        common::login(self.app(), username, PASSWORD).await
    }

    async fn get(&self, c: Option<&Client>, path: &str) -> Reply {
        common::get(self.app(), c, path).await
    }

    /// Posts a form; `csrf` adds the client's token.
    async fn form(&self, c: &Client, path: &str, fields: &[(&str, &str)], csrf: bool) -> Reply {
        common::form(self.app(), c, path, fields, csrf).await
    }

    async fn api(
        &self,
        c: Option<&Client>,
        method: Method,
        path: &str,
        body: Value,
        csrf: bool,
    ) -> Reply {
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(c) = c {
            b = b.header(header::COOKIE, &c.cookie);
            if csrf {
                b = b.header(CSRF_HEADER, &c.csrf);
            }
        }
        self.call(b.body(Body::from(body.to_string())).unwrap())
            .await
    }
}

// ---------------------------------------------------------------------------
// Signing in and out.

/// The login form: a pre-session cookie, a CSRF token bound to it, then the
/// session cookie and the way back to the page asked for.
async fn form_login(w: &World, username: &str, password: &str) -> Reply {
    let page = w.get(None, "/accesso?next=%2Fdesk%2Fregistro").await;
    assert_eq!(page.status, StatusCode::OK);
    let pre = page
        .cookies()
        .into_iter()
        .find(|c| c.starts_with("piazza_presession="))
        .expect("pre-session cookie");
    assert!(pre.contains("HttpOnly") && pre.contains("SameSite=Strict"));
    let token = page.csrf_field();
    assert!(page.body.contains("value=\"/desk/registro\""));
    w.call(
        Request::post("/accesso")
            .header(header::COOKIE, pre.split(';').next().unwrap())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(
                serde_urlencoded::to_string([
                    ("username", username),
                    ("password", password),
                    ("next", "/desk/registro"),
                    ("csrf_token", &token),
                ])
                .unwrap(),
            ))
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn the_login_form_opens_a_strict_http_only_session() {
    let w = world();
    let r = form_login(&w, "capo", PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.header("location"), "/desk/registro");
    let session = r
        .cookies()
        .into_iter()
        .find(|c| c.starts_with(SESSION_COOKIE))
        .expect("session cookie");
    assert!(session.contains("HttpOnly"), "{session}");
    assert!(session.contains("SameSite=Strict"), "{session}");
    assert!(!session.contains("Secure"), "plain HTTP on loopback");
    let c = Client {
        cookie: session.split(';').next().unwrap().to_string(),
        csrf: String::new(),
    };
    let page = w.get(Some(&c), "/desk/registro").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Accesso come capo (prova)"));
}

#[tokio::test]
async fn a_session_opened_on_one_instance_works_on_another_behind_the_same_balancer() {
    // Two instances share the database and PIAZZA_SECRET_KEY, nothing else.
    let config = WebConfig {
        csrf_secret: Some("una chiave condivisa lunga almeno trentadue caratteri".into()),
        ..WebConfig::default()
    };
    let w = world_with(config.clone());
    let url = w.state.desk.database_for_display().to_string();
    let other = AppState::new(piazza_desk::Desk::open(&url).unwrap(), config);
    let c = w.login("anna").await;
    // Read on the other instance.
    let r = common::get(app(other.clone()), Some(&c), "/api/v1/sessione").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["session"]["username"], "anna");
    assert_eq!(
        r.json()["csrf_token"],
        c.csrf.as_str(),
        "the same token on both"
    );
    // A form's token from the first instance is accepted by the second.
    let r = common::form(app(other.clone()), &c, "/uscita", &[], true).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // Signed out there, signed out here.
    assert_eq!(
        w.get(Some(&c), "/api/v1/sessione").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn behind_tls_the_session_cookie_is_secure() {
    let w = world_with(WebConfig {
        secure_cookies: true,
        csrf_secret: Some("a configured secret".into()),
        ..WebConfig::default()
    });
    let r = form_login(&w, "anna", PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        r.cookies()
            .iter()
            .any(|c| c.starts_with(SESSION_COOKIE) && c.contains("; Secure"))
    );
}

#[tokio::test]
async fn a_wrong_password_gets_the_generic_answer() {
    let w = world();
    for (user, pw) in [("anna", "sbagliata sbagliata"), ("nessuno", PASSWORD)] {
        let r = form_login(&w, user, pw).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(r.body.contains("nome utente o password non corretti"));
        assert!(!r.cookies().iter().any(|c| c.starts_with(SESSION_COOKIE)));
    }
    let r = w
        .api(
            None,
            Method::POST,
            "/api/v1/sessione",
            json!({"username": "anna", "password": "sbagliata"}),
            false,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["code"], "login_failed");
}

#[tokio::test]
async fn five_failures_lock_the_account_even_for_the_right_password() {
    let w = world();
    for _ in 0..5 {
        let r = form_login(&w, "anna", "sbagliata sbagliata").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = form_login(&w, "anna", PASSWORD).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("temporaneamente bloccato"));
    // Another person is not affected.
    assert_eq!(
        form_login(&w, "bruno", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn the_login_form_needs_its_csrf_token() {
    let w = world();
    let page = w.get(None, "/accesso").await;
    let pre = page.cookies().into_iter().next().unwrap();
    for token in ["", "deadbeef"] {
        let r = w
            .call(
                Request::post("/accesso")
                    .header(header::COOKIE, pre.split(';').next().unwrap())
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(format!(
                        "username=anna&password={}&csrf_token={token}",
                        PASSWORD.replace(' ', "+")
                    )))
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{token}");
        assert!(r.body.contains("Modulo scaduto"));
    }
    // A token without its pre-session cookie is refused too.
    let r = w
        .call(
            Request::post("/accesso")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!(
                    "username=anna&password=x&csrf_token={}",
                    page.csrf_field()
                )))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn logging_out_ends_the_session() {
    let w = world();
    let c = w.login("anna").await;
    assert_eq!(
        w.get(Some(&c), "/api/v1/sessione").await.status,
        StatusCode::OK
    );
    // Without the token the form is refused and the session lives on.
    let r = w.form(&c, "/uscita", &[], false).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = w.form(&c, "/uscita", &[], true).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), "/accesso?uscita=1");
    assert!(
        r.cookies()
            .iter()
            .any(|c| c.starts_with(&format!("{SESSION_COOKIE}=;")) && c.contains("Max-Age=0"))
    );
    assert_eq!(
        w.get(Some(&c), "/api/v1/sessione").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn the_api_logout_needs_the_csrf_header() {
    let w = world();
    let c = w.login("anna").await;
    let r = w
        .api(
            Some(&c),
            Method::DELETE,
            "/api/v1/sessione",
            json!({}),
            false,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = w
        .api(
            Some(&c),
            Method::DELETE,
            "/api/v1/sessione",
            json!({}),
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        w.get(Some(&c), "/api/v1/coda").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn strangers_are_sent_to_the_login_page_or_get_401() {
    let w = world();
    let r = w.get(None, "/desk?categoria=threat").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.header("location"),
        "/accesso?next=%2Fdesk%3Fcategoria%3Dthreat"
    );
    let r = w.get(None, &format!("/desk/commenti/{}", w.threat)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = w.get(None, "/api/v1/coda").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["code"], "unauthenticated");
    let r = w
        .api(
            None,
            Method::POST,
            &format!("/api/v1/commenti/{}/azioni", w.threat),
            json!({"kind": "remove", "clauses": [2]}),
            false,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

/// Every operation of the OpenAPI document that needs a session answers
/// 401 without one: the document and the checks agree.
#[tokio::test]
async fn every_protected_operation_is_401_without_a_session() {
    let w = world();
    let doc = piazza_web::openapi();
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let public = op["security"].as_array().is_some_and(|s| s.is_empty());
            if public {
                continue;
            }
            let url = path
                .replace("{slug}", "cento")
                .replace("{id}", &w.threat.to_string());
            let r = w
                .api(
                    None,
                    method.to_uppercase().parse().unwrap(),
                    &url,
                    json!({}),
                    false,
                )
                .await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{method} {url}");
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} protected operations");
}

// ---------------------------------------------------------------------------
// The inbox.

#[tokio::test]
async fn the_inbox_shows_only_the_moderators_accounts_and_filters() {
    let w = world();
    let anna = w.login("anna").await;
    let r = w.get(Some(&anna), "/desk").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("<html lang=\"it\">"));
    assert!(
        r.body
            .contains(&format!("href=\"/desk/commenti/{}\"", w.threat))
    );
    assert!(
        r.body
            .contains(&format!("href=\"/desk/commenti/{}\"", w.question))
    );
    assert!(
        !r.body
            .contains(&format!("href=\"/desk/commenti/{}\"", w.other)),
        "bruno's account leaks into anna's inbox"
    );
    // The threat comes first: serious items lead the queue.
    let threat_at = r
        .body
        .find(&format!("/desk/commenti/{}\"", w.threat))
        .unwrap();
    let question_at = r
        .body
        .find(&format!("/desk/commenti/{}\"", w.question))
        .unwrap();
    assert!(threat_at < question_at);
    assert!(r.body.contains("<kbd>j</kbd>"));
    assert!(r.body.contains("name=\"commenti\""));

    let r = w.get(Some(&anna), "/desk?categoria=threat").await;
    assert!(r.body.contains(&format!("/desk/commenti/{}\"", w.threat)));
    assert!(!r.body.contains(&format!("/desk/commenti/{}\"", w.question)));
    assert!(r.body.contains("<option value=\"threat\" selected>"));

    let r = w
        .get(Some(&anna), &format!("/desk?account={}", w.account_b))
        .await;
    assert!(r.body.contains("Nessun commento corrisponde ai filtri."));

    let r = w.get(Some(&anna), "/desk?stato=sbagliato").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_queue_api_is_scoped_and_filtered_like_the_page() {
    let w = world();
    let anna = w.login("anna").await;
    let v = w.get(Some(&anna), "/api/v1/coda").await.json();
    let ids: Vec<CommentId> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| CommentId(i["id"].as_i64().unwrap()))
        .collect();
    assert_eq!(ids, vec![w.threat, w.question]);
    let v = w
        .get(Some(&anna), "/api/v1/coda?categoria=threat")
        .await
        .json();
    assert_eq!(v["items"].as_array().unwrap().len(), 1);
    assert_eq!(v["items"][0]["flagged"][0], "threat");

    // A dirigente sees every account.
    let capo = w.login("capo").await;
    let v = w.get(Some(&capo), "/api/v1/coda").await.json();
    assert_eq!(v["items"].as_array().unwrap().len(), 3);
    let r = w
        .get(
            Some(&capo),
            &format!("/api/v1/coda?account={}", w.account_a),
        )
        .await;
    assert_eq!(r.json()["items"].as_array().unwrap().len(), 2);
}

// ---------------------------------------------------------------------------
// The item.

#[tokio::test]
async fn the_item_page_highlights_evidence_and_cites_the_covering_clause() {
    let w = world();
    let anna = w.login("anna").await;
    let r = w
        .get(Some(&anna), &format!("/desk/commenti/{}", w.threat))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let b = &r.body;
    assert!(b.contains("<mark>"), "no highlighted evidence");
    assert!(
        b.contains("Lavori di rifacimento dell&#39;asfalto"),
        "no post context"
    );
    assert!(b.contains("href=\"/enti/cento/policy#clausola-2\""));
    assert!(b.contains("name=\"clausole\" id=\"clausola-2\" value=\"2\" checked"));
    assert!(b.contains("name=\"expected_version\" value=\""));
    assert!(b.contains("Anteprima della motivazione"));
    // The preview is the desk's own statement text, not a look-alike: it
    // names the automated detection and the review by another person.
    assert!(b.contains("segnalato da uno strumento automatico di analisi del testo"));
    assert!(b.contains("indicando la data del commento e il riferimento della decisione"));
    assert!(b.contains("esaminata da una persona diversa da chi ha deciso"));
    assert!(b.contains("Azione suggerita dalla policy"));
    // Reply templates carry Cento's own contacts.
    assert!(b.contains("urp@comune.cento.fe.it"));
    // No inline script or style, as everywhere.
    assert!(!b.contains("style=\"") && !b.contains("<script>"));
}

#[tokio::test]
async fn a_moderator_of_another_account_gets_403_on_the_item() {
    let w = world();
    let bruno = w.login("bruno").await;
    let r = w
        .get(Some(&bruno), &format!("/desk/commenti/{}", w.threat))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.header("content-type").starts_with("text/html"));
    assert!(r.body.contains("Accesso non consentito"));
    assert!(r.body.contains("Non sei assegnato"));

    let r = w
        .get(Some(&bruno), &format!("/api/v1/commenti/{}", w.threat))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["code"], "out_of_scope");

    // Nor can he act on it.
    let r = w
        .api(
            Some(&bruno),
            Method::POST,
            &format!("/api/v1/commenti/{}/azioni", w.threat),
            json!({"kind": "remove", "clauses": [2]}),
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["code"], "out_of_scope");

    // An unknown item is 404.
    let r = w.get(Some(&bruno), "/api/v1/commenti/999999").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_item_api_gives_the_suggestion_from_the_policy() {
    let w = world();
    let anna = w.login("anna").await;
    let r = w
        .get(Some(&anna), &format!("/api/v1/commenti/{}", w.threat))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["item"]["id"], w.threat.0);
    let s = &v["suggestions"][0];
    assert_eq!(s["category"], "threat");
    assert_eq!(s["clause"], 2);
    assert_eq!(s["suggested_action"], "remove");
    assert_eq!(s["clause_url"], "/enti/cento/policy#clausola-2");
}

// ---------------------------------------------------------------------------
// Decisions.

#[tokio::test]
async fn a_removal_without_a_clause_is_refused_in_italian() {
    let w = world();
    let anna = w.login("anna").await;
    let path = format!("/desk/commenti/{}/azione", w.threat);
    let r = w.form(&anna, &path, &[("azione", "remove")], true).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.header("content-type").starts_with("text/html"));
    assert!(
        r.body.contains(
            "Ogni azione restrittiva deve citare almeno una regola della policy in vigore"
        ),
        "{}",
        r.body
    );
    // The page is the item again, ready for a corrected decision.
    assert!(r.body.contains("id=\"modulo-restrittivo\""));

    let r = w
        .api(
            Some(&anna),
            Method::POST,
            &format!("/api/v1/commenti/{}/azioni", w.threat),
            json!({"kind": "remove"}),
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let v = r.json();
    assert_eq!(v["code"], "clause_required");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .starts_with("Ogni azione restrittiva deve citare")
    );

    // A clause that does not cover the violation is refused too.
    let r = w
        .api(
            Some(&anna),
            Method::POST,
            &format!("/api/v1/commenti/{}/azioni", w.threat),
            json!({"kind": "remove", "clauses": [3]}),
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        ["clause_not_applicable", "invalid_input"].contains(&r.json()["code"].as_str().unwrap())
    );
}

#[tokio::test]
async fn a_cited_removal_shows_its_statement_and_writes_the_audit_entry() {
    let w = world();
    let anna = w.login("anna").await;
    let item = w
        .get(Some(&anna), &format!("/api/v1/commenti/{}", w.threat))
        .await
        .json();
    let version = item["item"]["version"].as_i64().unwrap().to_string();
    let r = w
        .form(
            &anna,
            &format!("/desk/commenti/{}/azione", w.threat),
            &[
                ("azione", "remove"),
                ("clausole", "2"),
                ("motivo", "minaccia esplicita"),
                ("expected_version", &version),
            ],
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let location = r.header("location").to_string();
    assert!(location.starts_with(&format!("/desk/commenti/{}?esito=", w.threat)));

    let page = w.get(Some(&anna), &location).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Decisione registrata: rimuovi"));
    assert!(page.body.contains("id=\"motivazione\""));
    assert!(page.body.contains("regola 2"));
    assert!(page.body.contains("Come contestare"));
    // A closed item is not decided again; its author may not reopen it
    // (a review is another person's), a dirigente may.
    assert!(!page.body.contains("value=\"reopen\""));
    assert!(page.body.contains("id=\"propria-decisione\""));
    let capo = w.login("capo").await;
    let page = w
        .get(Some(&capo), &format!("/desk/commenti/{}", w.threat))
        .await;
    assert!(page.body.contains("value=\"reopen\""));

    let audit = w.get(Some(&anna), "/api/v1/audit").await;
    assert_eq!(audit.status, StatusCode::OK);
    let entries = audit.json()["entries"].as_array().unwrap().clone();
    let e = entries
        .iter()
        .find(|e| e["kind"] == "action.remove")
        .unwrap_or_else(|| panic!("no action.remove in {entries:?}"));
    assert_eq!(e["actor"], "staff:anna");
    assert_eq!(e["target_id"], w.threat.to_string());
    assert!(e["clauses"].as_str().unwrap().contains('2'));
    let page = w.get(Some(&anna), "/desk/audit").await;
    assert!(page.body.contains("action.remove"));
}

#[tokio::test]
async fn the_act_api_returns_the_statement() {
    let w = world();
    let anna = w.login("anna").await;
    let r = w
        .api(
            Some(&anna),
            Method::POST,
            &format!("/api/v1/commenti/{}/azioni", w.threat),
            json!({"kind": "remove", "clauses": [2], "reason": "minaccia"}),
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let v = r.json();
    assert_eq!(v["status"], "done");
    assert_eq!(v["resolution"], "removed");
    let text = v["statement"]["text"].as_str().unwrap();
    assert!(text.contains("regola 2"), "{text}");
    assert!(text.contains("Comune di Cento"), "{text}");
}

#[tokio::test]
async fn a_stale_version_is_a_conflict_with_a_clear_message() {
    let w = world();
    let anna = w.login("anna").await;
    let capo = w.login("capo").await;
    let v = w
        .get(Some(&anna), &format!("/api/v1/commenti/{}", w.question))
        .await
        .json()["item"]["version"]
        .as_i64()
        .unwrap();
    // Somebody else acts first.
    let r = w
        .api(
            Some(&capo),
            Method::POST,
            &format!("/api/v1/commenti/{}/azioni", w.question),
            json!({"kind": "redirect", "expected_version": v}),
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = w
        .form(
            &anna,
            &format!("/desk/commenti/{}/azione", w.question),
            &[("azione", "keep"), ("expected_version", &v.to_string())],
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(
        r.body
            .contains("Un&#39;altra persona ha modificato questo elemento"),
        "{}",
        r.body
    );
    let r = w
        .api(
            Some(&anna),
            Method::POST,
            &format!("/api/v1/commenti/{}/azioni", w.question),
            json!({"kind": "keep", "expected_version": v}),
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["code"], "conflict");
}

#[tokio::test]
async fn an_auditor_reads_but_cannot_act() {
    let w = world();
    let audrey = w.login("audrey").await;
    let r = w
        .get(Some(&audrey), &format!("/desk/commenti/{}", w.threat))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("sola lettura"));
    assert!(!r.body.contains("id=\"modulo-restrittivo\""));
    let r = w
        .form(
            &audrey,
            &format!("/desk/commenti/{}/azione", w.threat),
            &[("azione", "remove"), ("clausole", "2")],
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = w
        .api(
            Some(&audrey),
            Method::POST,
            &format!("/api/v1/commenti/{}/azioni", w.threat),
            json!({"kind": "keep"}),
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["code"], "forbidden");
}

#[tokio::test]
async fn decisions_without_the_csrf_token_are_refused() {
    let w = world();
    let anna = w.login("anna").await;
    let r = w
        .form(
            &anna,
            &format!("/desk/commenti/{}/azione", w.threat),
            &[("azione", "remove"), ("clausole", "2")],
            false,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("Modulo scaduto"));
    let r = w
        .api(
            Some(&anna),
            Method::POST,
            &format!("/api/v1/commenti/{}/azioni", w.threat),
            json!({"kind": "remove", "clauses": [2]}),
            false,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["code"], "csrf_rejected");
    // Nothing happened.
    let v = w
        .get(Some(&anna), &format!("/api/v1/commenti/{}", w.threat))
        .await
        .json();
    assert_eq!(v["item"]["state"], "new");
    assert!(v["actions"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn a_bulk_decision_from_the_inbox_cites_a_clause() {
    let w = world();
    let capo = w.login("capo").await;
    let t = w.threat.to_string();
    let o = w.other.to_string();
    // Without a clause, nothing is done.
    let r = w
        .form(
            &capo,
            "/desk/azioni",
            &[("commenti", &t), ("commenti", &o), ("azione", "remove")],
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = w
        .form(
            &capo,
            "/desk/azioni",
            &[
                ("commenti", &t),
                ("commenti", &o),
                ("azione", "remove"),
                ("clausole", "2"),
            ],
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.header("location"), "/desk?esito=2");
    let v = w.get(Some(&capo), "/api/v1/coda").await.json();
    let open: Vec<CommentId> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| CommentId(i["id"].as_i64().unwrap()))
        .collect();
    // The threat is removed at once; the insult waits for a second
    // moderator, since Cento reserves deletion for serious cases.
    assert!(!open.contains(&w.threat), "{open:?}");
    assert!(open.contains(&w.question) && open.contains(&w.other));
    let other = w
        .get(Some(&capo), &format!("/api/v1/commenti/{}", w.other))
        .await
        .json();
    assert_eq!(other["actions"][0]["status"], "pending_confirmation");
}

#[tokio::test]
async fn the_bulk_api_is_all_or_nothing_within_scope() {
    let w = world();
    let anna = w.login("anna").await;
    // Bruno's comment is outside anna's scope: the whole batch fails.
    let r = w
        .api(
            Some(&anna),
            Method::POST,
            "/api/v1/azioni-multiple",
            json!({"comment_ids": [w.threat, w.other], "kind": "remove", "clauses": [2]}),
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(r.json()["code"], "out_of_scope");
    let v = w.get(Some(&anna), "/api/v1/coda").await.json();
    assert_eq!(v["items"].as_array().unwrap().len(), 2);
    let r = w
        .api(
            Some(&anna),
            Method::POST,
            "/api/v1/azioni-multiple",
            json!({"comment_ids": [w.threat], "kind": "remove", "clauses": [2]}),
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["children"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_moderator_replies_with_a_template_filled_with_the_contacts() {
    let w = world();
    let anna = w.login("anna").await;
    let r = w
        .form(
            &anna,
            &format!("/desk/commenti/{}/azione", w.question),
            &[("azione", "reply"), ("modello", "urp")],
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = w.get(Some(&anna), r.header("location")).await;
    assert!(page.body.contains("Testo della risposta"));
    // No connection: the reply is to be posted by hand, and the page says so.
    assert!(
        page.body.contains("pubblicare la risposta: da fare a mano"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("Risposta pubblicata"));
    assert!(page.body.contains("urp@comune.cento.fe.it"));
    let _ = w.account_a;
}

#[tokio::test]
async fn a_crime_report_is_offered_the_redirect_to_112_and_the_police() {
    let w = world();
    let admin = w.admin;
    let id = w
        .state
        .desk
        .ingest_comment(
            admin,
            w.account_a,
            &comment("cr1", "Ai giardini di via Matteotti spacciano tutte le sere, mi hanno anche rubato la bici"),
        )
        .unwrap()
        .id();
    let anna = w.login("anna").await;
    let page = w.get(Some(&anna), &format!("/desk/commenti/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let b = &page.body;
    // The policy's suggestion for the intent, and the redirect form with
    // the police's template preselected, before the URP's.
    assert!(
        b.contains("id=\"suggerimento-intento\">denuncia di reato: <strong>"),
        "{b}"
    );
    let police = b
        .find("id=\"indirizza-denuncia\" value=\"denuncia\" checked")
        .expect(b);
    let urp = b.find("id=\"indirizza-urp\" value=\"urp\">").expect(b);
    assert!(police < urp);
    assert!(b.contains("chiama il 112, Numero Unico di Emergenza"));
    assert!(b.contains("https://www.facebook.com/polizialocalecento/"));
    let api = w
        .get(Some(&anna), &format!("/api/v1/commenti/{id}"))
        .await
        .json();
    assert_eq!(api["intent_suggestion"]["intent"], "crime_report");
    assert_eq!(api["intent_suggestion"]["template"], "denuncia");

    let r = w
        .form(
            &anna,
            &format!("/desk/commenti/{id}/azione"),
            &[("azione", "redirect"), ("modello", "denuncia")],
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = w.get(Some(&anna), r.header("location")).await;
    assert!(page.body.contains("Testo della risposta"));
    assert!(
        page.body
            .contains("le pagine del Comune di Cento sui social network non possono essere utilizzate per la denuncia di reato"),
        "{}",
        page.body
    );

    // A question is offered the URP first.
    let page = w
        .get(Some(&anna), &format!("/desk/commenti/{}", w.question))
        .await;
    assert!(
        page.body
            .contains("id=\"indirizza-urp\" value=\"urp\" checked"),
        "{}",
        page.body
    );
}

// ---------------------------------------------------------------------------
// Registry and handovers.

#[tokio::test]
async fn the_registry_is_for_dirigenti_administrators_and_auditors() {
    let w = world();
    let boss = w.state.desk.actor(w.admin, "capo").unwrap();
    w.state
        .desk
        .add_credential_holder(
            &boss,
            w.account_a,
            &piazza_desk::CredentialHolderRef::Office("Ufficio Stampa e Comunicazione".into()),
        )
        .unwrap();
    let capo = w.login("capo").await;
    let r = w.get(Some(&capo), "/desk/registro").await;
    assert_eq!(r.status, StatusCode::OK);
    // Who holds the credentials, as the policies ask to know.
    let holders = &r.body[r.body.find("id=\"credenziali\"").unwrap()..];
    assert!(
        holders.contains("Ufficio Stampa e Comunicazione"),
        "{holders}"
    );
    assert!(r.body.contains("Account ufficiali e avvisi di conformità"));
    assert!(r.body.contains("anna (prova)"));
    assert!(r.body.contains("moderatore"));
    let audrey = w.login("audrey").await;
    let r = w.get(Some(&audrey), "/api/v1/registro/account").await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert!(v["accounts"].as_array().unwrap().len() >= 2);
    assert!(v["issues"].is_array());
    let r = w.get(Some(&audrey), "/api/v1/registro/personale").await;
    assert!(
        r.json()
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["username"] == "bruno" && s["accounts"][0] == w.account_b.0)
    );

    // The technical administrator's desk is the registry; they read no
    // comment.
    let root = w.login("root").await;
    let r = w.get(Some(&root), "/desk").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), "/desk/registro");
    let r = w
        .get(Some(&root), &format!("/api/v1/commenti/{}", w.threat))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let anna = w.login("anna").await;
    assert_eq!(
        w.get(Some(&anna), "/desk/registro").await.status,
        StatusCode::FORBIDDEN
    );
    let r = w.get(Some(&anna), "/api/v1/registro/account").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["code"], "forbidden");
}

#[tokio::test]
async fn a_handover_is_completed_step_by_step_and_signed_off() {
    let w = world();
    let root = w.state.desk.actor(AdminId(1), "root").unwrap();
    let handover = w
        .state
        .desk
        .end_assignment(&root, "anna", w.account_a, "trasferimento")
        .unwrap();
    let capo = w.login("capo").await;
    let audrey = w.login("audrey").await;

    let page = w.get(Some(&audrey), "/desk/registro").await;
    assert!(page.body.contains("anna lascia"));
    assert!(
        !page.body.contains("Segna come fatto"),
        "auditors read only"
    );
    let r = w
        .form(
            &audrey,
            &format!("/desk/registro/consegne/{handover}/passo"),
            &[("item", "revoke_platform_permissions")],
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Signing off an incomplete checklist is refused.
    let r = w
        .api(
            Some(&capo),
            Method::POST,
            &format!("/api/v1/registro/consegne/{handover}/firma"),
            json!({}),
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["code"], "handover_incomplete");

    let page = w.get(Some(&capo), "/desk/registro").await;
    assert!(page.body.contains("Segna come fatto"));
    let r = w
        .form(
            &capo,
            &format!("/desk/registro/consegne/{handover}/passo"),
            &[("item", "revoke_platform_permissions"), ("note", "fatto")],
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    for item in ["rotate_shared_credentials", "hand_over_open_items"] {
        let r = w
            .api(
                Some(&capo),
                Method::POST,
                &format!("/api/v1/registro/consegne/{handover}/passi"),
                json!({"item": item}),
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{item}: {}", r.body);
    }
    // Without the CSRF token, no signature.
    let r = w
        .form(
            &capo,
            &format!("/desk/registro/consegne/{handover}/firma"),
            &[],
            false,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = w
        .form(
            &capo,
            &format!("/desk/registro/consegne/{handover}/firma"),
            &[],
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let v = w.get(Some(&capo), "/api/v1/registro/consegne").await.json();
    let steps = v.as_array().unwrap();
    assert_eq!(steps.len(), 3);
    assert!(
        steps
            .iter()
            .all(|s| s["done_at"].is_i64() && s["signed_off_at"].is_i64())
    );
}

// ---------------------------------------------------------------------------
// Policy, audit, reports, public statistics.

#[tokio::test]
async fn the_policy_page_shows_history_and_the_differences() {
    let w = world();
    let root = w.state.desk.actor(AdminId(1), "root").unwrap();
    let toml = piazza_policy::preset("cento").unwrap().toml;
    let old_version = w
        .state
        .desk
        .context(AdminId(1))
        .unwrap()
        .policy_version
        .clone();
    let new_toml = toml.replacen(
        &format!("version = \"{old_version}\""),
        "version = \"2026-12-01\"",
        1,
    );
    assert_ne!(new_toml, toml, "the preset's version line was not found");
    w.state
        .desk
        .activate_policy(&root, "prova", &new_toml)
        .unwrap();
    let anna = w.login("anna").await;
    let r = w.get(Some(&anna), "/desk/policy").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("versione 2026-12-01</strong> in vigore"));
    assert!(r.body.contains("Differenze tra due versioni"));
    assert!(r.body.contains("1 righe cambiate") || r.body.contains("2 righe cambiate"));
    assert!(
        r.body
            .contains("<span class=\"visually-hidden\">aggiunta: </span>")
    );

    let v = w.get(Some(&anna), "/api/v1/policy").await.json();
    assert_eq!(v["current"]["version"], "2026-12-01");
    assert_eq!(v["versions"].as_array().unwrap().len(), 2);
    let d = w.get(Some(&anna), "/api/v1/policy/differenze").await.json();
    let changed: Vec<(&str, &str)> = d["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["op"] != "same")
        .map(|l| (l["op"].as_str().unwrap(), l["text"].as_str().unwrap()))
        .collect();
    assert_eq!(
        changed,
        vec![
            ("del", format!("version = \"{old_version}\"").as_str()),
            ("ins", "version = \"2026-12-01\"")
        ]
    );
    let r = w.get(Some(&anna), "/api/v1/policy/differenze?da=999").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_audit_log_verifies_and_pages() {
    let w = world();
    let anna = w.login("anna").await;
    let r = w.get(Some(&anna), "/desk/audit?verifica=1").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Registro integro"));
    assert!(r.body.contains("staff:anna"), "the login is logged");
    let v = w.get(Some(&anna), "/api/v1/audit/verifica").await.json();
    assert_eq!(v["intact"], true);
    assert!(v["entries"].as_i64().unwrap() > 5);
    let all = w.get(Some(&anna), "/api/v1/audit").await.json();
    let last = all["last_seq"].as_i64().unwrap();
    assert_eq!(all["entries"][0]["seq"], last, "newest first");
    let older = w.get(Some(&anna), "/api/v1/audit?da=2").await.json();
    let seqs: Vec<i64> = older["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, vec![2, 1]);
    assert_eq!(older["newer_from"], (2 + 50).min(last));
}

async fn remove_threat(w: &World) {
    let anna = w.login("anna").await;
    let r = w
        .api(
            Some(&anna),
            Method::POST,
            &format!("/api/v1/commenti/{}/azioni", w.threat),
            json!({"kind": "remove", "clauses": [2]}),
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}

#[tokio::test]
async fn reports_draw_charts_with_text_alternatives_and_export_csv() {
    let w = world();
    remove_threat(&w).await;
    let capo = w.login("capo").await;
    let r = w.get(Some(&capo), "/desk/report").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("<svg class=\"piazza-chart\" role=\"img\""));
    assert!(r.body.contains("<title id=\"grafico-clausola-t\">"));
    assert!(r.body.contains("(dati del grafico)"));
    assert!(r.body.contains("/desk/report.csv?table=clausola"));

    let r = w.get(Some(&capo), "/desk/report.csv?table=clausola").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type"), "text/csv; charset=utf-8");
    assert!(r.header("content-disposition").starts_with("attachment;"));
    let mut lines = r.body.trim_start_matches('\u{feff}').lines();
    assert_eq!(lines.next(), Some("Regola,Titolo,Decisioni"));
    assert!(lines.next().unwrap().starts_with("Regola 2,"));

    let r = w.get(Some(&capo), "/desk/report.csv?table=account").await;
    assert!(r.body.contains("Account,Commenti,Decisioni restrittive"));
    let r = w.get(Some(&capo), "/desk/report.csv?table=nessuna").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = w.get(Some(&capo), "/desk/report?dal=ieri").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    let v = w.get(Some(&capo), "/api/v1/report").await.json();
    assert_eq!(v["moderation"]["by_clause"][0][0], 2);
    assert_eq!(v["moderation"]["comments"], 3);
    assert_eq!(
        w.get(None, "/desk/report.csv?table=clausola").await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn public_statistics_count_decisions_per_clause_without_personal_data() {
    let w = world();
    remove_threat(&w).await;
    let r = w.get(None, "/enti/cento/statistiche").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("<h1>Statistiche di moderazione</h1>"));
    assert!(
        r.body
            .contains("href=\"/enti/cento/policy#clausola-2\">Regola 2")
    );
    assert!(r.body.contains("<svg class=\"piazza-chart\""));
    let v = w.get(None, "/api/v1/enti/cento/statistiche").await;
    assert_eq!(v.status, StatusCode::OK);
    let j = v.json();
    assert_eq!(j["by_clause"][0]["clause"], 2);
    assert_eq!(j["by_clause"][0]["decisions"], 1);
    assert_eq!(j["comments"], 3);
    for body in [&r.body, &v.body] {
        for private in ["Mario R.", "ammazzo", "fb-user", "anna", "idiota"] {
            assert!(!body.contains(private), "{private} in public statistics");
        }
    }
    assert_eq!(
        w.get(None, "/enti/atlantide/statistiche").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_reserved_removal_is_confirmed_by_a_second_moderator_from_the_page() {
    let w = world();
    let bruno = w.login("bruno").await;
    // Cento reserves deletion for serious cases: an insult's removal waits.
    let r = w
        .form(
            &bruno,
            &format!("/desk/commenti/{}/azione", w.other),
            &[("azione", "remove"), ("clausole", "2")],
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = w.get(Some(&bruno), r.header("location")).await;
    assert!(page.body.contains("La rimozione attende la conferma"));
    // The proposer cannot confirm it himself.
    let r = w
        .form(
            &bruno,
            &format!("/desk/commenti/{}/azione", w.other),
            &[("azione", "confirm")],
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Conferma di un secondo moderatore"));
    let capo = w.login("capo").await;
    let page = w
        .get(Some(&capo), &format!("/desk/commenti/{}", w.other))
        .await;
    assert!(page.body.contains("Rimozione da confermare"));
    let r = w
        .form(
            &capo,
            &format!("/desk/commenti/{}/azione", w.other),
            &[("azione", "confirm")],
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = w.get(Some(&capo), r.header("location")).await;
    assert!(page.body.contains("è stato rimosso"), "{}", page.body);
}

/// Every state-changing operation of the API, except signing in, refuses a
/// signed-in call without the CSRF header, before doing anything.
#[tokio::test]
async fn every_api_write_needs_the_csrf_header() {
    let w = world();
    let capo = w.login("capo").await;
    let doc = piazza_web::openapi();
    let mut checked = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if method == "get" || op["operationId"] == "login" {
                continue;
            }
            let url = path.replace("{id}", &w.threat.to_string());
            let r = w
                .api(
                    Some(&capo),
                    method.to_uppercase().parse().unwrap(),
                    &url,
                    json!({"kind": "keep", "comment_ids": [w.threat], "item": "x"}),
                    false,
                )
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{method} {url}");
            assert_eq!(r.json()["code"], "csrf_rejected", "{method} {url}");
            checked.push(op["operationId"].as_str().unwrap().to_string());
        }
    }
    checked.sort();
    assert_eq!(
        checked,
        vec![
            "act",
            "actBulk",
            "handoverSignOff",
            "handoverStep",
            "logout"
        ]
    );
    // The session survived all of it: nothing was written.
    let v = w
        .get(Some(&capo), &format!("/api/v1/commenti/{}", w.threat))
        .await
        .json();
    assert!(v["actions"].as_array().unwrap().is_empty());
    assert_eq!(
        w.get(Some(&capo), "/api/v1/sessione").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn too_many_login_attempts_from_one_address_are_throttled() {
    let mut w = world();
    w.state = w.state.clone().with_login_limit(3);
    for _ in 0..3 {
        let r = form_login(&w, "nessuno", "sbagliata sbagliata").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    // Even the right password waits for the next minute.
    let r = form_login(&w, "anna", PASSWORD).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.body.contains("Troppi tentativi di accesso"));
    // The page and the API both say how long to wait.
    assert_eq!(r.header("retry-after"), "60");
    let r = w
        .api(
            None,
            Method::POST,
            "/api/v1/sessione",
            json!({"username": "anna", "password": PASSWORD}),
            false,
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.json()["code"], "too_many_attempts");
    assert_eq!(r.header("retry-after"), "60");
    // Another instance behind the same balancer, which has served none of
    // these attempts, refuses the address too: the count is in the
    // database.
    let url = w.state.desk.database_for_display().to_string();
    w.state = AppState::new(piazza_desk::Desk::open(&url).unwrap(), WebConfig::default())
        .with_login_limit(3);
    let r = form_login(&w, "anna", PASSWORD).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn too_many_public_forms_from_one_address_are_refused_by_every_instance() {
    let mut w = world();
    async fn send(w: &World) -> Reply {
        public_form(
            w,
            "/enti/cento/riesame",
            "/enti/cento/riesame",
            &[
                ("riferimento", "999999"),
                ("data", "2020-01-01"),
                ("motivi", "Non era un insulto"),
            ],
        )
        .await
    }
    let limit = 10; // PUBLIC_FORMS_PER_MINUTE
    let url = w.state.desk.database_for_display().to_string();
    let first = w.state.clone();
    let second = AppState::new(piazza_desk::Desk::open(&url).unwrap(), WebConfig::default());
    // Half the forms to one instance, half to the other.
    for i in 0..limit {
        w.state = if i % 2 == 0 {
            first.clone()
        } else {
            second.clone()
        };
        let r = send(&w).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    }
    for state in [first, second] {
        w.state = state;
        let r = send(&w).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
        assert!(r.body.contains("Troppe richieste da questo indirizzo"));
        assert!(r.body.contains("Non era un insulto"), "the text is kept");
    }
}

#[tokio::test]
async fn too_many_login_attempts_on_one_username_are_throttled_whoever_sends_them_to_whichever_instance()
 {
    common::logs::capture_logs();
    let mut w = world();
    // Generous per address: the limit that answers is the username's.
    w.state = w.state.clone().with_login_limit(1000);
    let limit = piazza_web::LOGIN_ATTEMPTS_PER_USERNAME_MINUTE;
    for _ in 0..limit {
        let r = form_login(&w, "Nessuno", "sbagliata sbagliata").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    // The same username, however written, waits; an unknown one is
    // counted as a known one would be; and on another instance behind the
    // same balancer too (the count is in the database).
    let url = w.state.desk.database_for_display().to_string();
    let first = w.state.clone();
    w.state = AppState::new(piazza_desk::Desk::open(&url).unwrap(), WebConfig::default())
        .with_login_limit(1000);
    let r = form_login(&w, "nessuno ", "sbagliata sbagliata").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.header("retry-after"), "60");
    w.state = first;
    // Refusals are logged, without the username typed.
    let logs = common::logs::logs();
    assert!(logs.contains("login refused"), "{logs}");
    assert!(logs.contains("login throttled"), "{logs}");
    assert!(!logs.to_lowercase().contains("nessuno"), "{logs}");
    // Somebody else signs in.
    let r = form_login(&w, "anna", PASSWORD).await;
    assert_ne!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_ne!(r.status, StatusCode::UNAUTHORIZED);
}

// ---------------------------------------------------------------------------
// Connections and platform steps, against the local fake of the Graph API.

#[tokio::test]
async fn the_registry_shows_connections_and_the_steps_that_did_not_happen() {
    use piazza_desk::{ActRequest, ActionKind, ConnectorKind, NewConnection, SecretString};
    use piazza_fakes::meta::FakeGraph;
    const PAGE: &str = "1000001";
    let fake = FakeGraph::start();
    fake.add_page(PAGE, "Comune di Cento");
    // A token without pages_messaging: statements cannot be sent privately.
    fake.add_token(
        "page-token",
        PAGE,
        &[
            "pages_show_list",
            "pages_read_engagement",
            "pages_read_user_content",
            "pages_manage_engagement",
            "pages_manage_metadata",
        ],
    );
    let mut w = world();
    w.state.desk = w.state.desk.clone().with_platforms(
        std::sync::Arc::new(piazza_desk::StandardConnectors {
            meta: piazza_platforms::meta::MetaConfig::with_url(fake.url()),
            sandbox_backlog: 0,
            telegram: Default::default(),
            youtube: Default::default(),
            x: Default::default(),
            flickr_url: piazza_platforms::flickr::DEFAULT_REST_URL.into(),
            linkedin_url: piazza_platforms::linkedin::DEFAULT_API_URL.into(),
        }),
        Some(std::sync::Arc::new(
            piazza_desk::SecretKey::from_passphrase(
                "chiave di prova lunga almeno trentadue caratteri",
            )
            .unwrap(),
        )),
        120_000,
    );
    let desk = w.state.desk.clone();
    let admin = AdminId(1);
    let boss = desk.actor(admin, "capo").unwrap();
    desk.connect(
        &boss,
        NewConnection {
            account_id: w.account_a,
            connector: ConnectorKind::Facebook,
            platform_account: PAGE.into(),
            page_id: None,
            token: Some(SecretString::new("page-token")),
            base_url: None,
        },
    )
    .unwrap();
    let capo = w.login("capo").await;
    let r = w
        .form(
            &capo,
            &format!("/desk/registro/collegamenti/{}/verifica", w.account_a),
            &[],
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = w.get(Some(&capo), "/desk/registro").await;
    assert!(page.body.contains("Collegamenti con le piattaforme"));
    assert!(page.body.contains("token valido"), "{}", page.body);
    assert!(
        page.body.contains("manca il permesso pages_messaging"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("page-token"),
        "the token is never shown"
    );
    let api = w.get(Some(&capo), "/api/v1/registro/collegamenti").await;
    assert_eq!(api.status, StatusCode::OK);
    assert_eq!(api.json()[0]["has_token"], true);
    assert!(!api.body.contains("page-token"));

    // A decision whose delivery fails for good is listed with its reason,
    // and can be put back in the queue.
    fake.revoke_token("page-token");
    let anna = desk.actor(admin, "anna").unwrap();
    let id = w.threat;
    let d2 = desk.clone();
    tokio::task::spawn_blocking(move || {
        d2.act(&anna, &ActRequest::new(id, ActionKind::Hide).clause(2))
            .unwrap();
        d2.deliver_outbox(10).unwrap()
    })
    .await
    .unwrap();
    let page = w.get(Some(&capo), "/desk/registro").await;
    assert!(
        page.body
            .contains("nascondere il commento: non riuscito (token scaduto o revocato)"),
        "{}",
        page.body
    );
    let step = desk
        .outbox(admin, &piazza_desk::OutboxFilter::default())
        .unwrap()
        .into_iter()
        .find(|s| s.operation == piazza_desk::Operation::Hide)
        .unwrap();
    assert!(
        page.body
            .contains(&format!("/desk/registro/passi/{}/riprova", step.id))
    );
    let r = w
        .form(
            &capo,
            &format!("/desk/registro/passi/{}/riprova", step.id),
            &[],
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let again = desk
        .outbox(admin, &piazza_desk::OutboxFilter::default())
        .unwrap()
        .into_iter()
        .find(|s| s.id == step.id)
        .unwrap();
    assert_eq!(again.state, piazza_desk::OutboxState::Pending);
    // An auditor reads the registry but retries nothing.
    let audrey = w.login("audrey").await;
    let r = w
        .form(
            &audrey,
            &format!("/desk/registro/passi/{}/riprova", step.id),
            &[],
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_dirigente_previews_and_activates_a_new_policy_version() {
    let w = world();
    let old = piazza_policy::preset("cento").unwrap().toml;
    let in_force = w
        .state
        .desk
        .context(AdminId(1))
        .unwrap()
        .policy_version
        .clone();
    let new_toml = old.replacen(
        &format!("version = \"{in_force}\""),
        "version = \"2027-01-01\"",
        1,
    ) + "\n[categories.insult]\nthreshold = 0.8\n";
    let capo = w.login("capo").await;
    let r = w
        .form(
            &capo,
            "/desk/policy/anteprima",
            &[("testo", &new_toml)],
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("Versione 2027-01-01 al posto della"),
        "{}",
        r.body
    );
    assert!(r.body.contains("Attiva la versione 2027-01-01"));
    assert!(
        r.body
            .contains("insulti e offese: soglia di segnalazione da"),
        "{}",
        r.body
    );
    // Nothing is active yet.
    assert_eq!(
        w.state.desk.context(AdminId(1)).unwrap().policy_version,
        in_force
    );
    let r = w
        .form(&capo, "/desk/policy/attiva", &[("testo", &new_toml)], true)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = w.get(Some(&capo), r.header("location")).await;
    assert!(page.body.contains("Versione 2027-01-01 attivata"));
    assert!(page.body.contains("versione 2027-01-01</strong> in vigore"));
    // The same label again is refused, with the reason.
    let again = w
        .form(
            &capo,
            "/desk/policy/anteprima",
            &[("testo", &new_toml)],
            true,
        )
        .await;
    assert!(again.body.contains("id=\"errore\""), "{}", again.body);
    // The public page names the versions.
    let public = w.get(None, "/enti/cento/policy").await;
    assert!(
        public
            .body
            .contains("Versione 2027-01-01, in vigore su questo sito dal")
    );
    assert!(
        public
            .body
            .contains(&format!("Versione {in_force}, in vigore"))
    );
    // A moderator cannot activate.
    let anna = w.login("anna").await;
    let r = w
        .form(&anna, "/desk/policy/attiva", &[("testo", &new_toml)], true)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_public_list_of_accounts_follows_the_registry() {
    use piazza_desk::{AccountStatus, AccountUpdate};
    let w = world();
    let desk = w.state.desk.clone();
    let capo = desk.actor(AdminId(1), "capo").unwrap();
    let accounts = desk.accounts(AdminId(1)).unwrap();
    let (a, b) = (&accounts[0], &accounts[1]);
    let before = w.get(None, "/enti/cento/account").await;
    assert!(before.body.contains(&b.name));
    desk.update_account(
        &capo,
        a.id,
        &AccountUpdate {
            status: Some(AccountStatus::Suspended),
            hours: Some(piazza_policy::parse_hours_text("lun-ven 8:30-12:30").unwrap()),
            im_hours: Some(piazza_policy::parse_hours_text("lun-ven 9-11").unwrap()),
            ..Default::default()
        },
    )
    .unwrap();
    desk.update_account(
        &capo,
        b.id,
        &AccountUpdate {
            status: Some(AccountStatus::Closed),
            ..Default::default()
        },
    )
    .unwrap();
    let after = w.get(None, "/enti/cento/account").await;
    assert!(
        after.body.contains("Account temporaneamente sospeso"),
        "{}",
        after.body
    );
    assert!(after.body.contains("8:30"), "{}", after.body);
    assert!(after.body.contains("Messaggi privati"), "{}", after.body);
    // A closed account leaves the list at once (unless another account
    // has the same name).
    if accounts.iter().filter(|x| x.name == b.name).count() == 1 {
        assert!(!after.body.contains(&b.name), "{}", after.body);
    }
    let bio = desk.suggested_bio(AdminId(1), a.id).unwrap();
    assert!(
        bio.contains("8:30") && bio.contains("Messaggi privati"),
        "{bio}"
    );
    // The change is in the audit log.
    let log = desk.audit_entries(AdminId(1), 1, 1000).unwrap();
    assert!(log.iter().any(|e| e.entry.kind == "account.update"));
}

/// A public form with the CSRF token of its pre-session cookie.
async fn public_form(w: &World, get: &str, post: &str, fields: &[(&str, &str)]) -> Reply {
    common::public_form(w.app(), get, post, fields).await
}

/// The riesame end to end: the citizen's form (reference and day), the
/// queue where the decision's author cannot decide, a colleague's
/// reversal, the message to the author waiting for a person (the account
/// is not connected), and the public statistics counting it.
#[tokio::test]
async fn a_citizen_asks_for_review_and_a_colleague_decides_it() {
    use piazza_calendar::jiff::{Timestamp, tz::TimeZone};
    let w = world();
    let anna = w.login("anna").await;
    let r = w
        .api(
            Some(&anna),
            Method::POST,
            &format!("/api/v1/commenti/{}/azioni", w.threat),
            json!({"kind": "hide", "clauses": [2]}),
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let reference = r.json()["action_id"].as_i64().unwrap().to_string();
    let created = w
        .state
        .desk
        .item(&w.state.desk.actor(w.admin, "capo").unwrap(), w.threat)
        .unwrap()
        .item
        .created_at;
    let day = Timestamp::from_millisecond(created)
        .unwrap()
        .to_zoned(TimeZone::get("Europe/Rome").unwrap())
        .date()
        .to_string();
    let form_url = format!("/enti/cento/riesame?riferimento={reference}");
    let wrong = public_form(
        &w,
        &form_url,
        "/enti/cento/riesame",
        &[
            ("riferimento", &reference),
            ("data", "2020-01-01"),
            ("motivi", "Non era una minaccia, era una citazione"),
        ],
    )
    .await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND, "{}", wrong.body);
    assert!(wrong.body.contains("Nessuna decisione corrisponde"));
    assert!(
        wrong.body.contains("Non era una minaccia"),
        "the text is kept"
    );
    let filed = public_form(
        &w,
        &form_url,
        "/enti/cento/riesame",
        &[
            ("riferimento", &reference),
            ("data", &day),
            ("motivi", "Non era una minaccia, era una citazione"),
        ],
    )
    .await;
    assert_eq!(filed.status, StatusCode::OK, "{}", filed.body);
    assert!(
        filed.body.contains("id=\"riesame-ricevuto\""),
        "{}",
        filed.body
    );
    assert!(
        filed
            .body
            .contains("persona diversa da chi ha preso la decisione")
    );

    // The author of the decision sees it in the queue but cannot decide.
    let queue = w.get(Some(&anna), "/desk/riesami").await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(queue.body.contains("tua decisione"), "{}", queue.body);
    let list = w
        .state
        .desk
        .appeals(&w.state.desk.actor(w.admin, "capo").unwrap(), None)
        .unwrap();
    let id = list[0].id.to_string();
    let own = w.get(Some(&anna), &format!("/desk/riesami/{id}")).await;
    assert!(own.body.contains("id=\"propria-decisione\""));
    assert!(
        !own.body.contains("/esito\""),
        "no decision form for the author"
    );
    let refused = w
        .form(
            &anna,
            &format!("/desk/riesami/{id}/esito"),
            &[("esito", "reverse"), ("motivazione", "mi sono sbagliata")],
            true,
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("persona diversa"));

    let capo = w.login("capo").await;
    let decided = w
        .form(
            &capo,
            &format!("/desk/riesami/{id}/esito"),
            &[
                ("esito", "reverse"),
                (
                    "motivazione",
                    "Era la citazione di un film, non una minaccia",
                ),
            ],
            true,
        )
        .await;
    assert_eq!(decided.status, StatusCode::SEE_OTHER, "{}", decided.body);
    let page = w
        .get(Some(&capo), &format!("/desk/riesami/{id}?esito=decisa"))
        .await;
    assert!(page.body.contains("decisione annullata"), "{}", page.body);
    // Not connected: the message waits for a person, and the page says so.
    let sent = &page.body[page.body.find("id=\"invio-esito\"").unwrap()..];
    assert!(!sent.contains("eseguito"), "{sent}");
    let stats = w.get(None, "/enti/cento/statistiche").await;
    assert!(
        stats.body.contains("ne sono arrivate <strong>1</strong>: 0 con la decisione confermata, 1 con la decisione annullata"),
        "{}",
        stats.body
    );
}

/// "Segnala un commento": the public form finds the comment by its link
/// and puts it in front of the office; the desk lists the report and the
/// item page shows it; a link that names nothing Piazza holds waits for a
/// person.
#[tokio::test]
async fn a_citizen_reports_a_comment_by_its_link() {
    let w = world();
    let account = w
        .state
        .desk
        .accounts(w.admin)
        .unwrap()
        .into_iter()
        .find(|a| a.id == w.account_a)
        .unwrap();
    let link = match account.platform.as_str() {
        "facebook" => "https://www.facebook.com/cento/posts/1?comment_id=q1".to_string(),
        "instagram" => "https://www.instagram.com/p/ABC/c/q1/".to_string(),
        other => panic!("the first account of Cento is on {other}"),
    };
    let r = public_form(
        &w,
        "/enti/cento/segnala",
        "/enti/cento/segnala",
        &[
            ("collegamento", &link),
            ("regola", "1"),
            ("motivo", "Mi sembra fuori tema"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("id=\"segnalazione-ricevuta\""),
        "{}",
        r.body
    );
    assert!(r.body.contains("messo in evidenza"), "{}", r.body);
    let unknown = public_form(
        &w,
        "/enti/cento/segnala",
        "/enti/cento/segnala",
        &[(
            "collegamento",
            "https://www.facebook.com/cento/posts/9?comment_id=zz9",
        )],
    )
    .await;
    assert_eq!(unknown.status, StatusCode::OK);
    assert!(
        unknown.body.contains("aprirà il collegamento"),
        "{}",
        unknown.body
    );
    let empty = public_form(
        &w,
        "/enti/cento/segnala",
        "/enti/cento/segnala",
        &[("collegamento", "  ")],
    )
    .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);

    let anna = w.login("anna").await;
    let list = w.get(Some(&anna), "/desk/segnalazioni").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.body
            .contains(&format!("/desk/commenti/{}", w.question)),
        "{}",
        list.body
    );
    assert!(list.body.contains("apri sulla piattaforma"));
    let item = w
        .get(Some(&anna), &format!("/desk/commenti/{}", w.question))
        .await;
    assert!(
        item.body.contains("Segnalato da cittadini"),
        "{}",
        item.body
    );
    assert!(item.body.contains("Mi sembra fuori tema"));
}

/// The transparency report per month and account, in HTML with charts that
/// name each account with its platform, CSV and JSON, all from the same
/// figures.
#[tokio::test]
async fn the_transparency_report_names_accounts_with_their_platform() {
    let w = world();
    remove_threat(&w).await;
    let accounts = w.state.desk.accounts(w.admin).unwrap();
    let a = accounts.iter().find(|a| a.id == w.account_a).unwrap();
    let label = piazza_desk::account_label(&a.name, &a.platform);
    assert!(label.starts_with(&a.name) && label.len() > a.name.len() + 3);

    let page = w.get(None, "/enti/cento/trasparenza").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("id=\"tabella-trasparenza\""));
    assert!(page.body.contains(&label), "{}", page.body);
    // Every chart carries its data as text.
    assert!(page.body.contains("<desc id=\"grafico-commenti-d\">"));
    assert!(page.body.contains(&format!("{label}: 2")), "{}", page.body);

    let json = w.get(None, "/enti/cento/trasparenza.json").await;
    let v: Value = serde_json::from_str(&json.body).unwrap();
    let rows = v["rows"].as_array().unwrap();
    let row_a = rows
        .iter()
        .find(|r| r["account_id"] == json!(w.account_a.0))
        .unwrap();
    assert_eq!(row_a["comments"], 2);
    assert_eq!(row_a["label"], json!(label));
    assert!(row_a["flagged"].as_i64().unwrap() >= 1);
    let removals: i64 = rows
        .iter()
        .filter_map(|r| r["decisions_by_measure"]["remove"].as_i64())
        .sum();
    let by_clause_2: i64 = rows
        .iter()
        .filter_map(|r| r["decisions_by_clause"]["2"].as_i64())
        .sum();
    assert_eq!((removals, by_clause_2), (1, 1), "{}", json.body);

    let csv = w.get(None, "/enti/cento/trasparenza.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    let lines: Vec<&str> = csv.body.trim_start_matches('\u{feff}').lines().collect();
    assert!(lines[0].starts_with("mese,account,piattaforma,commenti"));
    assert!(lines[0].contains("misura_remove"));
    assert_eq!(lines.len(), 1 + rows.len());
    assert!(lines.iter().any(|l| l.contains(&a.platform)));
}

/// Maglione: a written reply to a complaint waits for a dirigente, who
/// sees the text with its editorial checks and approves it from the page.
#[tokio::test]
async fn a_dirigente_approves_a_reply_seeing_its_checks() {
    let w = world();
    let desk = w.state.desk.clone();
    let admin = desk
        .create_administration(NewAdministration::preset("maglione"))
        .unwrap()
        .id;
    let staff = |username: &str, roles: Vec<Role>| NewStaff {
        username: username.into(),
        full_name: username.into(),
        email: None,
        roles,
        password: Some(PASSWORD.into()),
    };
    desk.add_staff(admin, None, staff("m-root", vec![Role::Admin]))
        .unwrap();
    let root = desk.actor(admin, "m-root").unwrap();
    desk.add_staff(admin, Some(&root), staff("m-capo", vec![Role::Dirigente]))
        .unwrap();
    let capo_actor = desk.actor(admin, "m-capo").unwrap();
    desk.add_staff(
        admin,
        Some(&capo_actor),
        staff("m-urp", vec![Role::OperatoreUrp]),
    )
    .unwrap();
    let account = desk
        .add_account(
            &capo_actor,
            piazza_desk::NewAccount {
                platform: piazza_policy::Platform::Facebook,
                name: "Comune di Maglione".into(),
                handle: None,
                url: None,
                kind: piazza_policy::ChannelKind::Istituzionale,
                managing_office: None,
                authorised_by: Some("Sindaco".into()),
                opened_with_email: None,
                hours: Vec::new(),
                status: piazza_desk::AccountStatus::Active,
            },
        )
        .unwrap()
        .id;
    desk.assign(&capo_actor, "m-urp", account, None).unwrap();
    let id = desk
        .ingest_comment(
            admin,
            account,
            &comment(
                "mc1",
                "Reclamo: da tre settimane il lampione di via Roma è spento e nessuno è intervenuto, è una vergogna",
            ),
        )
        .unwrap()
        .id();
    let urp = desk.actor(admin, "m-urp").unwrap();
    let mut reply = piazza_desk::ActRequest::new(id, piazza_desk::ActionKind::Reply);
    reply.reply_text = Some("Si comunica che in data odierna il guasto è stato segnalato.".into());
    let out = desk.act(&urp, &reply).unwrap();
    assert_eq!(out.status, piazza_desk::ActionStatus::PendingApproval);

    let capo = w.login("m-capo").await;
    let page = w.get(Some(&capo), &format!("/desk/commenti/{id}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let waiting = &page.body[page.body.find("id=\"risposta-da-approvare\"").unwrap()..];
    assert!(waiting.contains("non è ancora stata pubblicata"));
    assert!(
        waiting.contains("formula burocratica «Si comunica che»"),
        "{waiting}"
    );
    assert!(waiting.contains("Approva e pubblica"));
    let r = w
        .form(
            &capo,
            &format!("/desk/commenti/{id}/azione"),
            &[("azione", "confirm")],
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let d = desk.item(&capo_actor, id).unwrap();
    assert_eq!(d.item.resolution, Some(piazza_desk::Resolution::Replied));
    assert_eq!(
        d.steps.len(),
        1,
        "the reply goes to the outbox once approved"
    );
}

#[tokio::test]
async fn a_cross_site_request_is_refused_even_with_the_token() {
    let w = world();
    let anna = w.login("anna").await;
    let post = |extra: Vec<(&'static str, &'static str)>| {
        let mut b = axum::http::Request::post(format!("/desk/commenti/{}/azione", w.threat))
            .header(axum::http::header::COOKIE, &anna.cookie)
            .header(
                axum::http::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .header("host", "piazza.comune.example");
        for (k, v) in extra {
            b = b.header(k, v);
        }
        let body =
            serde_urlencoded::to_string([("azione", "keep"), ("csrf_token", anna.csrf.as_str())])
                .unwrap();
        b.body(axum::body::Body::from(body)).unwrap()
    };
    // The browser says it comes from another site.
    let r = common::send(w.app(), post(vec![("sec-fetch-site", "cross-site")])).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // An Origin that is not this server.
    let r = common::send(w.app(), post(vec![("origin", "https://attacco.example")])).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let v = w
        .get(Some(&anna), &format!("/api/v1/commenti/{}", w.threat))
        .await
        .json();
    assert!(v["actions"].as_array().unwrap().is_empty());
    // The same request from the page itself goes through.
    let r = common::send(
        w.app(),
        post(vec![
            ("origin", "https://piazza.comune.example"),
            ("sec-fetch-site", "same-origin"),
        ]),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}
