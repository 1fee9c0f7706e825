//! The JSON API under `/api/v1` and its OpenAPI document.
//!
//! Routes are added through [`ApiRouter`], which records each method and
//! path; a test checks that the recorded routes and the operations of
//! [`openapi`] are the same set, so the document cannot fall behind the
//! router. To add a route: register it in [`api_routes`], describe it in
//! [`openapi`]'s `paths`, and take [`Authenticated`] (or [`CsrfHeader`] for
//! a state-changing call) unless it is public.
//!
//! [`CsrfHeader`]: crate::CsrfHeader

use std::sync::LazyLock;

use axum::extract::{Path, State};
use axum::handler::Handler;
use axum::routing::{MethodFilter, on};
use axum::{Json, Router};
use piazza_policy::{
    Administration, Channel, Channels, Contacts, Document, ExternalRules, HoursInterval, Licence,
    Policy, ResponseRule,
};
use serde::Serialize;
use serde_json::{Value, json};

use crate::auth::{Authenticated, StaffSession};
use crate::error::AppError;
use crate::state::AppState;

/// One operation of the API: an HTTP method and a full path in axum's
/// syntax (`/api/v1/enti/{slug}/policy`, which is also OpenAPI's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ApiRoute {
    /// Lower case, as OpenAPI writes it: `get`, `post`...
    pub method: &'static str,
    pub path: &'static str,
}

/// A router that remembers which operations it serves.
pub struct ApiRouter {
    router: Router<AppState>,
    routes: Vec<ApiRoute>,
}

impl Default for ApiRouter {
    fn default() -> Self {
        ApiRouter::new()
    }
}

macro_rules! method {
    ($name:ident, $filter:ident) => {
        pub fn $name<H, T>(self, path: &'static str, handler: H) -> ApiRouter
        where
            H: Handler<T, AppState>,
            T: 'static,
        {
            self.on(stringify!($name), MethodFilter::$filter, path, handler)
        }
    };
}

impl ApiRouter {
    pub fn new() -> ApiRouter {
        ApiRouter {
            router: Router::new(),
            routes: Vec::new(),
        }
    }

    fn on<H, T>(
        mut self,
        method: &'static str,
        filter: MethodFilter,
        path: &'static str,
        handler: H,
    ) -> ApiRouter
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        assert!(
            path.starts_with("/api/v1/"),
            "API routes live under /api/v1/: {path}"
        );
        self.routes.push(ApiRoute { method, path });
        // Routing the same path twice merges the method routers.
        self.router = self.router.route(path, on(filter, handler));
        self
    }

    method!(get, GET);
    method!(post, POST);
    method!(put, PUT);
    method!(patch, PATCH);
    method!(delete, DELETE);

    /// The recorded operations.
    pub fn routes(&self) -> &[ApiRoute] {
        &self.routes
    }

    pub fn into_parts(self) -> (Router<AppState>, Vec<ApiRoute>) {
        (self.router, self.routes)
    }
}

/// Every route of the JSON API.
pub fn api_routes() -> ApiRouter {
    ApiRouter::new()
        .get("/api/v1/openapi.json", openapi_json)
        .get("/api/v1/enti", list_administrations)
        .get("/api/v1/enti/{slug}/policy", public_policy)
        .get("/api/v1/sessione", current_session)
}

async fn openapi_json() -> Json<&'static Value> {
    static DOC: LazyLock<Value> = LazyLock::new(openapi);
    Json(&DOC)
}

#[derive(Serialize)]
struct AdministrationSummary<'a> {
    slug: &'a str,
    name: &'a str,
    kind: piazza_policy::AdministrationKind,
    kind_label: &'static str,
    policy_title: &'a str,
    policy_version: &'a str,
    links: Links,
}

#[derive(Serialize)]
struct Links {
    policy_page: String,
    accounts_page: String,
    policy: String,
}

#[derive(Serialize)]
struct AdministrationList<'a> {
    enti: Vec<AdministrationSummary<'a>>,
}

async fn list_administrations(State(state): State<AppState>) -> Json<Value> {
    let enti = state
        .policies
        .iter()
        .map(|(slug, p)| AdministrationSummary {
            slug,
            name: &p.administration.name,
            kind: p.administration.kind,
            kind_label: p.administration.kind.label_it(),
            policy_title: &p.document.title,
            policy_version: &p.document.version,
            links: Links {
                policy_page: format!("/enti/{slug}/policy"),
                accounts_page: format!("/enti/{slug}/account"),
                policy: format!("/api/v1/enti/{slug}/policy"),
            },
        })
        .collect();
    Json(serde_json::to_value(AdministrationList { enti }).expect("plain data serialises"))
}

/// The citizen-facing part of a policy. The internal rules, thresholds and
/// detection word lists stay off the public API: word lists published are
/// word lists evaded.
#[derive(Serialize)]
struct PublicPolicy<'a> {
    slug: &'a str,
    administration: &'a Administration,
    document: &'a Document,
    external: &'a ExternalRules,
    accounts: Vec<PublicAccount<'a>>,
    unofficial_statement: Option<&'a str>,
    accounts_list_published_at: Option<&'a str>,
    moderation: PublicModeration<'a>,
    response: Option<&'a ResponseRule>,
    contacts: &'a Contacts,
    licence: Option<&'a Licence>,
}

#[derive(Serialize)]
struct PublicAccount<'a> {
    #[serde(flatten)]
    channel: &'a Channel,
    hours_sentence: String,
}

#[derive(Serialize)]
struct PublicModeration<'a> {
    hours: &'a [HoursInterval],
    holidays_excluded: bool,
    hours_sentence: Option<String>,
}

fn public_view<'a>(slug: &'a str, p: &'a Policy) -> PublicPolicy<'a> {
    let Channels {
        accounts,
        unofficial_statement,
        list_published_at,
    } = &p.channels;
    PublicPolicy {
        slug,
        administration: &p.administration,
        document: &p.document,
        external: &p.external,
        accounts: accounts
            .iter()
            .map(|c| PublicAccount {
                channel: c,
                hours_sentence: p.hours_sentence(Some(c)),
            })
            .collect(),
        unofficial_statement: unofficial_statement.as_deref(),
        accounts_list_published_at: list_published_at.as_deref(),
        moderation: PublicModeration {
            hours: &p.moderation.hours,
            holidays_excluded: p.moderation.holidays_excluded,
            hours_sentence: (!p.moderation.hours.is_empty()).then(|| p.hours_sentence(None)),
        },
        response: p.response.as_ref(),
        contacts: &p.contacts,
        licence: p.content.licence.as_ref(),
    }
}

async fn public_policy(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Json<Value>, AppError> {
    let p = state.policy(&slug).ok_or(AppError::NotFound)?;
    serde_json::to_value(public_view(&slug, p))
        .map(Json)
        .map_err(|e| AppError::Internal(format!("policy JSON: {e}")))
}

#[derive(Serialize)]
struct SessionInfo {
    session: StaffSession,
    /// The token to send in `X-CSRF-Token` on state-changing calls.
    csrf_token: String,
}

async fn current_session(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
) -> Json<SessionInfo> {
    let csrf_token = state.csrf.token(&session.session_id);
    Json(SessionInfo {
        session,
        csrf_token,
    })
}

/// The OpenAPI 3.1 document of [`api_routes`], written by hand.
pub fn openapi() -> Value {
    let error = |description: &str| {
        json!({
            "description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        })
    };
    let slug = json!({
        "name": "slug", "in": "path", "required": true,
        "description": "Identificativo dell'amministrazione (es. `cento`).",
        "schema": {"type": "string"}
    });
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Piazza API",
            "version": "1",
            "description": "API di Piazza. Le operazioni pubbliche non richiedono autenticazione; tutte le altre richiedono la sessione del personale (cookie `piazza_session`) e, se modificano dati, il token CSRF nell'intestazione `X-CSRF-Token`. Gli errori hanno un codice stabile e un messaggio in italiano.",
            "license": {"name": "EUPL-1.2", "identifier": "EUPL-1.2"}
        },
        "paths": {
            "/api/v1/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "Questo documento OpenAPI",
                    "security": [],
                    "responses": {"200": {"description": "Documento OpenAPI 3.1", "content": {"application/json": {}}}}
                }
            },
            "/api/v1/enti": {
                "get": {
                    "operationId": "listAdministrations",
                    "summary": "Amministrazioni servite",
                    "security": [],
                    "responses": {
                        "200": {
                            "description": "Elenco delle amministrazioni",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AdministrationList"}}}
                        }
                    }
                }
            },
            "/api/v1/enti/{slug}/policy": {
                "get": {
                    "operationId": "publicPolicy",
                    "summary": "La social media policy pubblica di un'amministrazione",
                    "security": [],
                    "parameters": [slug],
                    "responses": {
                        "200": {
                            "description": "Regole per i cittadini, account ufficiali, orari e contatti",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PublicPolicy"}}}
                        },
                        "404": error("Amministrazione inesistente (`not_found`)")
                    }
                }
            },
            "/api/v1/sessione": {
                "get": {
                    "operationId": "currentSession",
                    "summary": "La sessione corrente e il suo token CSRF",
                    "responses": {
                        "200": {
                            "description": "Sessione attiva",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SessionInfo"}}}
                        },
                        "401": error("Nessuna sessione (`unauthenticated`)")
                    }
                }
            }
        },
        "security": [{"sessionCookie": []}],
        "components": {
            "securitySchemes": {
                "sessionCookie": {"type": "apiKey", "in": "cookie", "name": crate::auth::SESSION_COOKIE},
                "csrfToken": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token"}
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {
                        "code": {"type": "string", "enum": AppError::CODES},
                        "message": {"type": "string", "description": "Messaggio in italiano"}
                    }
                },
                "AdministrationList": {
                    "type": "object",
                    "required": ["enti"],
                    "properties": {
                        "enti": {"type": "array", "items": {"$ref": "#/components/schemas/AdministrationSummary"}}
                    }
                },
                "AdministrationSummary": {
                    "type": "object",
                    "required": ["slug", "name", "kind", "kind_label", "policy_title", "policy_version", "links"],
                    "properties": {
                        "slug": {"type": "string"},
                        "name": {"type": "string"},
                        "kind": {"type": "string", "enum": ["comune", "citta_metropolitana", "roma_capitale", "provincia", "regione", "unione"]},
                        "kind_label": {"type": "string"},
                        "policy_title": {"type": "string"},
                        "policy_version": {"type": "string"},
                        "links": {
                            "type": "object",
                            "properties": {
                                "policy_page": {"type": "string"},
                                "accounts_page": {"type": "string"},
                                "policy": {"type": "string"}
                            }
                        }
                    }
                },
                "PublicPolicy": {
                    "type": "object",
                    "description": "La parte pubblica della policy, con i nomi dei campi del formato TOML (docs/policy-format.md). Le regole interne, le soglie e gli elenchi di parole non sono pubblicati.",
                    "required": ["slug", "administration", "document", "external", "accounts", "moderation", "contacts"],
                    "properties": {
                        "slug": {"type": "string"},
                        "administration": {"type": "object"},
                        "document": {"type": "object"},
                        "external": {
                            "type": "object",
                            "properties": {
                                "clauses": {"type": "array", "items": {"$ref": "#/components/schemas/Clause"}}
                            }
                        },
                        "accounts": {"type": "array", "items": {"type": "object", "properties": {"hours_sentence": {"type": "string"}}}},
                        "unofficial_statement": {"type": ["string", "null"]},
                        "accounts_list_published_at": {"type": ["string", "null"]},
                        "moderation": {"type": "object", "properties": {"hours_sentence": {"type": ["string", "null"]}}},
                        "response": {"type": ["object", "null"]},
                        "contacts": {"type": "object"},
                        "licence": {"type": ["object", "null"]}
                    }
                },
                "Clause": {
                    "type": "object",
                    "required": ["number", "title", "text", "source"],
                    "properties": {
                        "number": {"type": "integer", "description": "Numero citato nelle decisioni; ancora `#clausola-N` della pagina pubblica"},
                        "title": {"type": "string"},
                        "text": {"type": "string"},
                        "items": {"type": "array", "items": {"type": "string"}},
                        "categories": {"type": "array", "items": {"type": "string"}},
                        "actions": {"type": "array", "items": {"type": "string"}},
                        "source": {"type": "string"}
                    }
                },
                "SessionInfo": {
                    "type": "object",
                    "required": ["session", "csrf_token"],
                    "properties": {
                        "session": {
                            "type": "object",
                            "required": ["session_id", "staff_id", "display_name"],
                            "properties": {
                                "session_id": {"type": "string"},
                                "staff_id": {"type": "string"},
                                "display_name": {"type": "string"}
                            }
                        },
                        "csrf_token": {"type": "string"}
                    }
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    const METHODS: &[&str] = &["get", "post", "put", "patch", "delete"];

    /// The document and the router describe the same operations.
    #[test]
    fn every_api_route_is_in_the_openapi_document_and_back() {
        let routed: BTreeSet<(String, String)> = api_routes()
            .routes()
            .iter()
            .map(|r| (r.path.to_string(), r.method.to_string()))
            .collect();
        let doc = openapi();
        let mut documented = BTreeSet::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for m in METHODS {
                if item.get(*m).is_some() {
                    documented.insert((path.clone(), m.to_string()));
                }
            }
        }
        assert_eq!(routed, documented);
    }

    #[test]
    fn every_operation_has_a_unique_id_and_every_ref_resolves() {
        let doc = openapi();
        let mut ids = BTreeSet::new();
        for item in doc["paths"].as_object().unwrap().values() {
            for op in item.as_object().unwrap().values() {
                let id = op["operationId"].as_str().expect("operationId");
                assert!(ids.insert(id.to_string()), "duplicate operationId {id}");
            }
        }
        let text = doc.to_string();
        for r in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
            let name = r.split('"').next().unwrap();
            assert!(
                doc["components"]["schemas"].get(name).is_some(),
                "dangling $ref {name}"
            );
        }
    }

    #[test]
    fn the_error_codes_are_documented() {
        let doc = openapi();
        let codes: Vec<&str> = doc["components"]["schemas"]["Error"]["properties"]["code"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(codes, AppError::CODES);
    }
}
