//! Access control generated from the route table: every route the web
//! layer declares (read from its sources, so that a new route is covered
//! the day it is added) is called by every kind of person, and what must
//! be refused is refused. "Refused" is checked twice: by the answer (never
//! a success) and by the audit log, which grows with every change the desk
//! makes and so must not grow while people who may change nothing knock.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use piazza_desk::{
    AccountId, AdminId, CommentId, IncomingComment, NewAdministration, NewStaff, Role,
};
use piazza_web::{AppState, CSRF_HEADER, WebConfig, app};

use common::{Client, Reply, send};

const PASSWORD: &str = "una password lunga per le prove";

/// One route and method of the web layer.
#[derive(Debug, Clone)]
struct Route {
    method: Method,
    path: String,
    file: &'static str,
}

/// The route table, read from the files that declare it: `.route("path",
/// get(..).post(..))` in the routers, `.get("path", ..)` in the API's.
fn route_table() -> Vec<Route> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/");
    let mut out = Vec::new();
    for file in ["lib.rs", "pages.rs", "api.rs"] {
        let src = std::fs::read_to_string(format!("{dir}{file}")).unwrap();
        let flat: String = src.split_whitespace().collect::<Vec<_>>().join(" ");
        // `.route( "path", get(x).post(y) )`
        let mut rest = flat.as_str();
        while let Some(at) = rest.find(".route(") {
            rest = &rest[at + ".route(".len()..];
            let head = rest.trim_start();
            let path = if let Some(p) = head.strip_prefix('"') {
                p[..p.find('"').unwrap()].to_string()
            } else if head.starts_with("oidc::CALLBACK_PATH") {
                "/accesso/oidc/ritorno".to_string()
            } else if file == "api.rs" && head.starts_with("path,") {
                // The API router's own `.get(path, ..)` helper, whose
                // callers are read below.
                continue;
            } else {
                panic!(
                    "{file}: a route whose path is not a literal: {}",
                    &head[..40]
                );
            };
            // The methods up to the closing parenthesis of `.route(`.
            let mut depth = 1;
            let mut end = 0;
            for (i, ch) in rest.char_indices() {
                match ch {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            end = i;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let body = &rest[..end];
            for (name, method) in [
                ("get(", Method::GET),
                ("post(", Method::POST),
                ("delete(", Method::DELETE),
                ("put(", Method::PUT),
            ] {
                let found = body.match_indices(name).any(|(i, _)| {
                    i == 0
                        || !body.as_bytes()[i - 1].is_ascii_alphanumeric()
                            && body.as_bytes()[i - 1] != b'_'
                });
                if found {
                    out.push(Route {
                        method,
                        path: path.clone(),
                        file,
                    });
                }
            }
        }
        // `.get("/api/v1/...", handler)` and the other methods.
        for (name, method) in [
            (".get(", Method::GET),
            (".post(", Method::POST),
            (".delete(", Method::DELETE),
        ] {
            for (at, _) in flat.match_indices(name) {
                let head = flat[at + name.len()..].trim_start();
                if let Some(p) = head.strip_prefix("\"/") {
                    out.push(Route {
                        method: method.clone(),
                        path: format!("/{}", &p[..p.find('"').unwrap()]),
                        file,
                    });
                }
            }
        }
    }
    out
}

/// Paths anybody may call: the public pages and forms, the API's public
/// part, signing in, the assets and the platforms' webhooks (which check
/// their own signatures).
fn public(r: &Route) -> bool {
    let p = r.path.as_str();
    p == "/"
        || p == "/accesso"
        || p.starts_with("/accesso/oidc")
        || p.starts_with("/enti/")
        || p.starts_with("/static/")
        || p.starts_with("/webhooks/")
        || p == "/api/v1/openapi.json"
        || p.starts_with("/api/v1/enti")
        || (p == "/api/v1/sessione" && r.method == Method::POST)
}

/// Signing out, which anybody signed in may do.
fn signing_out(r: &Route) -> bool {
    r.path == "/uscita" || (r.path == "/api/v1/sessione" && r.method == Method::DELETE)
}

struct World {
    state: AppState,
    admin: AdminId,
    other_account: AccountId,
    /// A comment on the account nobody of the tests' moderators has.
    other_comment: CommentId,
}

fn world() -> World {
    let state = AppState::scratch(WebConfig::default()).with_login_limit(100_000);
    let desk = state.desk.clone();
    let admin = desk
        .create_administration(NewAdministration::preset("cento"))
        .unwrap()
        .id;
    let staff = |username: &str, roles: Vec<Role>| NewStaff {
        username: username.into(),
        full_name: username.into(),
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
        ("reda", Role::Redattore),
        ("urpa", Role::OperatoreUrp),
        ("uffa", Role::Ufficio),
    ] {
        desk.add_staff(admin, Some(&root), staff(name, vec![role]))
            .unwrap();
    }
    let accounts = desk.accounts(admin).unwrap();
    let (mine, other_account) = (accounts[0].id, accounts[1].id);
    for who in ["anna", "reda", "urpa"] {
        desk.assign(&root, who, mine, None).unwrap();
    }
    let other_comment = desk
        .ingest_comment(
            admin,
            other_account,
            &IncomingComment {
                external_id: "o1".into(),
                post_external_id: Some("post-1".into()),
                parent_external_id: None,
                post_text: Some("Lavori in via Garibaldi".into()),
                author_ref: Some("fb-o1".into()),
                author_name: Some("Mario R.".into()),
                text: "Sei un idiota, vergognati".into(),
                created_at: piazza_store::now_ms() - 3_600_000,
            },
        )
        .unwrap()
        .id();
    World {
        state,
        admin,
        other_account,
        other_comment,
    }
}

impl World {
    /// The path with its parameters filled: ids of objects outside every
    /// moderator's scope, the administration's slug.
    fn concrete(&self, path: &str) -> String {
        path.replace("{slug}", "cento")
            .replace("{account}", &self.other_account.0.to_string())
            .replace("{passo}", "risposta")
            .replace("{id}", &self.other_comment.0.to_string())
            .replace("{*path}", "piazza.css")
    }

    async fn call(&self, r: &Route, c: Option<&Client>) -> Reply {
        let mut b = Request::builder()
            .method(r.method.clone())
            .uri(self.concrete(&r.path));
        let body = if r.method == Method::GET {
            Body::empty()
        } else if r.path.starts_with("/api/") {
            b = b.header(header::CONTENT_TYPE, "application/json");
            Body::from(r#"{"action":"keep","reason":"prova","text":"prova"}"#)
        } else {
            b = b.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            let token = c.map(|c| c.csrf.clone()).unwrap_or_default();
            Body::from(format!(
                "csrf_token={token}&azione=keep&motivo=prova&testo=prova&action=keep"
            ))
        };
        if let Some(c) = c {
            b = b
                .header(header::COOKIE, &c.cookie)
                .header(CSRF_HEADER, &c.csrf);
        }
        send(app(self.state.clone()), b.body(body).unwrap()).await
    }

    async fn login(&self, who: &str) -> Client {
        common::login(app(self.state.clone()), who, PASSWORD).await
    }

    fn audit_len(&self) -> i64 {
        self.state.desk.audit_last_seq(self.admin).unwrap()
    }
}

/// Not a success: an error status, or a redirect to the login page.
fn refused(r: &Reply) -> bool {
    let to_login = r.status.is_redirection()
        && r.headers
            .get(header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .is_some_and(|l| l.starts_with("/accesso"));
    r.status.is_client_error() || to_login
}

#[test]
fn the_route_table_is_read_whole() {
    let routes = route_table();
    let has = |m: Method, p: &str| routes.iter().any(|r| r.method == m && r.path == p);
    assert!(routes.len() > 80, "only {} routes read", routes.len());
    assert!(has(Method::GET, "/desk"));
    assert!(has(Method::POST, "/desk/commenti/{id}/azione"));
    assert!(has(Method::POST, "/enti/{slug}/riesame"));
    assert!(has(Method::DELETE, "/api/v1/sessione"));
    assert!(has(Method::POST, "/api/v1/commenti/{id}/azioni"));
    assert!(has(Method::POST, "/webhooks/meta"));
    assert!(routes.iter().all(|r| r.path.starts_with('/')));
}

#[tokio::test]
async fn nobody_signed_out_reaches_a_desk_route() {
    let w = world();
    let before = w.audit_len();
    let mut checked = 0;
    for r in route_table().iter().filter(|r| !public(r)) {
        let reply = w.call(r, None).await;
        assert!(
            refused(&reply),
            "{} {} ({}) answered {} to a stranger",
            r.method,
            r.path,
            r.file,
            reply.status
        );
        checked += 1;
    }
    assert!(checked > 60, "{checked}");
    assert_eq!(w.audit_len(), before, "a stranger changed something");
}

#[tokio::test]
async fn the_auditor_reads_and_changes_nothing() {
    common::logs::capture_logs();
    let w = world();
    let c = w.login("audrey").await;
    let before = w.audit_len();
    let mut forbidden = Vec::new();
    for r in route_table()
        .iter()
        .filter(|r| !public(r) && !signing_out(r) && r.method != Method::GET)
    {
        let reply = w.call(r, Some(&c)).await;
        assert!(
            refused(&reply),
            "{} {} let the auditor change something: {} {}",
            r.method,
            r.path,
            reply.status,
            reply.body.chars().take(200).collect::<String>()
        );
        if reply.status == StatusCode::FORBIDDEN {
            forbidden.push(format!("method={} path={}", r.method, w.concrete(&r.path)));
        }
    }
    assert_eq!(w.audit_len(), before, "the auditor changed something");
    // Every refusal is in the logs, with its method and path.
    assert!(forbidden.len() > 10, "{} {forbidden:?}", forbidden.len());
    let logs = common::logs::logs();
    for line in &forbidden {
        assert!(
            logs.lines()
                .any(|l| l.contains("access refused") && l.contains(line.as_str())),
            "not logged: {line}"
        );
    }
    // And reads what the DPO must read.
    for p in ["/desk/audit", "/desk/registro", "/api/v1/audit/verifica"] {
        let r = common::get(app(w.state.clone()), Some(&c), p).await;
        assert_eq!(r.status, StatusCode::OK, "{p}");
    }
}

#[tokio::test]
async fn an_office_sees_its_tickets_and_nothing_of_the_moderation() {
    let w = world();
    let c = w.login("uffa").await;
    let before = w.audit_len();
    let mut open = Vec::new();
    // An office's referente asks for a publication by writing a draft
    // (Tradate: the offices "dovranno inviare materiale e informazioni al
    // personale a ciò preposto"); approving and publishing are not theirs.
    let office_work = |r: &Route| {
        r.path.starts_with("/desk/ticket")
            || r.path == "/api/v1/sessione"
            || matches!(
                r.path.as_str(),
                "/desk/bozze"
                    // The calendar of the drafts they may write.
                    | "/desk/calendario"
                    // The policy, which is public anyway.
                    | "/desk/policy"
                    | "/api/v1/policy"
                    | "/desk/bozze/{id}"
                    | "/desk/bozze/{id}/versione"
                    | "/desk/bozze/{id}/commento"
                    | "/desk/bozze/{id}/invia"
            )
    };
    for r in route_table()
        .iter()
        .filter(|r| !public(r) && !signing_out(r) && !office_work(r))
    {
        let reply = w.call(r, Some(&c)).await;
        let to_tickets = reply.status.is_redirection()
            && reply
                .headers
                .get(header::LOCATION)
                .and_then(|l| l.to_str().ok())
                == Some("/desk/ticket");
        if !(refused(&reply) || to_tickets) {
            open.push(format!("{} {} answered {}", r.method, r.path, reply.status));
        }
    }
    assert!(
        open.is_empty(),
        "reachable by an office:\n{}",
        open.join("\n")
    );
    assert_eq!(w.audit_len(), before, "an office changed something");
}

#[tokio::test]
async fn staff_of_one_account_reach_nothing_of_another() {
    let w = world();
    // Every route about a comment, called on a comment of the account
    // they are not assigned to.
    let about_a_comment: Vec<Route> = route_table()
        .into_iter()
        .filter(|r| {
            r.path.starts_with("/desk/commenti/{id}") || r.path.starts_with("/api/v1/commenti/{id}")
        })
        .collect();
    assert!(about_a_comment.len() >= 4, "{about_a_comment:?}");
    for who in ["anna", "reda", "urpa"] {
        let c = w.login(who).await;
        let before = w.audit_len();
        for r in &about_a_comment {
            let reply = w.call(r, Some(&c)).await;
            assert!(
                refused(&reply) && !reply.body.contains("vergognati"),
                "{} {} answered {} to {who}, who is not on that account",
                r.method,
                r.path,
                reply.status
            );
        }
        assert_eq!(
            w.audit_len(),
            before,
            "{who} changed something out of scope"
        );
        // Nor does their inbox show it.
        let inbox = common::get(app(w.state.clone()), Some(&c), "/api/v1/coda").await;
        assert_eq!(inbox.status, StatusCode::OK);
        assert!(!inbox.body.contains("vergognati"), "{who}'s inbox");
    }
}
