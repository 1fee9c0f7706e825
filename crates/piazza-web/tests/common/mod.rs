//! What the in-process HTTP tests share: a request sent through the router
//! with `oneshot`, and its reply read whole.

// Each test file compiles this module on its own and uses part of it.
#![allow(dead_code)]

pub mod logs;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .unwrap_or_else(|| panic!("no {name} header"))
            .to_str()
            .unwrap()
    }

    pub fn cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect()
    }

    /// The value of `name="csrf_token" value="..."` in a page.
    pub fn csrf_field(&self) -> String {
        let at = self
            .body
            .find("name=\"csrf_token\" value=\"")
            .unwrap_or_else(|| panic!("no CSRF field in {}", self.body));
        let rest = &self.body[at + "name=\"csrf_token\" value=\"".len()..];
        rest[..rest.find('"').unwrap()].to_string()
    }
}

pub async fn send(router: Router, req: Request<Body>) -> Reply {
    let res = router.oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// A signed-in client: its session cookie and CSRF token.
pub struct Client {
    pub cookie: String,
    pub csrf: String,
}

/// Signs in through the JSON API.
pub async fn login(router: Router, username: &str, password: &str) -> Client {
    let r = send(
        router,
        Request::post("/api/v1/sessione")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                serde_json::json!({"username": username, "password": password}).to_string(),
            ))
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let set = r
        .cookies()
        .into_iter()
        .find(|c| c.starts_with(piazza_web::SESSION_COOKIE))
        .expect("session cookie");
    Client {
        cookie: set.split(';').next().unwrap().to_string(),
        csrf: r.json()["csrf_token"].as_str().unwrap().to_string(),
    }
}

/// A GET, signed in with `c` or anonymous.
pub async fn get(router: Router, c: Option<&Client>, path: &str) -> Reply {
    let mut b = Request::get(path);
    if let Some(c) = c {
        b = b.header(header::COOKIE, &c.cookie);
    }
    send(router, b.body(Body::empty()).unwrap()).await
}

/// Posts a form as `c`; `csrf` adds the client's token.
pub async fn form(
    router: Router,
    c: &Client,
    path: &str,
    fields: &[(&str, &str)],
    csrf: bool,
) -> Reply {
    let mut pairs: Vec<(&str, &str)> = fields.to_vec();
    if csrf {
        pairs.push(("csrf_token", &c.csrf));
    }
    send(
        router,
        Request::post(path)
            .header(header::COOKIE, &c.cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(serde_urlencoded::to_string(&pairs).unwrap()))
            .unwrap(),
    )
    .await
}

/// An anonymous citizen's form: GET the page for its pre-session cookie
/// and token, then POST `fields` with them.
pub async fn public_form(
    router: Router,
    get_path: &str,
    post: &str,
    fields: &[(&str, &str)],
) -> Reply {
    let page = get(router.clone(), None, get_path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let pre = page
        .cookies()
        .into_iter()
        .find(|c| c.starts_with("piazza_presession="))
        .expect("pre-session cookie");
    let token = page.csrf_field();
    let mut pairs = fields.to_vec();
    pairs.push(("csrf_token", &token));
    send(
        router,
        Request::post(post)
            .header(header::COOKIE, pre.split(';').next().unwrap())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(serde_urlencoded::to_string(&pairs).unwrap()))
            .unwrap(),
    )
    .await
}
