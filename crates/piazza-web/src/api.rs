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
        .get(
            "/api/v1/enti/{slug}/statistiche",
            crate::reports::api_public_stats,
        )
        .get("/api/v1/report", crate::reports::api_report)
        .get("/api/v1/sessione", current_session)
        .post("/api/v1/sessione", crate::login::api_login)
        .delete("/api/v1/sessione", crate::login::api_logout)
        .get("/api/v1/coda", crate::desk_api::queue)
        .get("/api/v1/commenti/{id}", crate::desk_api::item)
        .post("/api/v1/commenti/{id}/azioni", crate::desk_api::act)
        .post("/api/v1/azioni-multiple", crate::desk_api::act_bulk)
        .get("/api/v1/audit", crate::audit::api_entries)
        .get("/api/v1/audit/verifica", crate::audit::api_verify)
        .get("/api/v1/policy", crate::policy_desk::api_history)
        .get("/api/v1/policy/differenze", crate::policy_desk::api_diff)
        .get("/api/v1/registro/account", crate::registry::api_accounts)
        .get("/api/v1/registro/personale", crate::registry::api_staff)
        .get(
            "/api/v1/registro/collegamenti",
            crate::registry::api_connections,
        )
        .get("/api/v1/registro/consegne", crate::registry::api_handovers)
        .post(
            "/api/v1/registro/consegne/{id}/passi",
            crate::registry::api_step,
        )
        .post(
            "/api/v1/registro/consegne/{id}/firma",
            crate::registry::api_sign_off,
        )
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

async fn list_administrations(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    let ctxs = state.administrations().await?;
    let enti = ctxs
        .iter()
        .map(|ctx| {
            let (slug, p) = (ctx.slug.as_str(), &ctx.policy);
            AdministrationSummary {
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
            }
        })
        .collect();
    Ok(Json(
        serde_json::to_value(AdministrationList { enti }).expect("plain data serialises"),
    ))
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
    let ctx = state.administration(&slug).await?;
    serde_json::to_value(public_view(&slug, &ctx.policy))
        .map(Json)
        .map_err(|e| AppError::Internal(format!("policy JSON: {e}")))
}

#[derive(Serialize)]
pub(crate) struct SessionInfo {
    pub session: StaffSession,
    /// The token to send in `X-CSRF-Token` on state-changing calls.
    pub csrf_token: String,
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
    let id_param = json!({
        "name": "id", "in": "path", "required": true,
        "description": "Id del commento.",
        "schema": {"type": "integer"}
    });
    let period_from = json!({"name": "dal", "in": "query", "schema": {"type": "string", "format": "date"}, "description": "Primo giorno (AAAA-MM-GG, ora di Roma)"});
    let period_to = json!({"name": "al", "in": "query", "schema": {"type": "string", "format": "date"}, "description": "Ultimo giorno incluso (AAAA-MM-GG)"});
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
                    "parameters": [slug.clone()],
                    "responses": {
                        "200": {
                            "description": "Regole per i cittadini, account ufficiali, orari e contatti",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PublicPolicy"}}}
                        },
                        "404": error("Amministrazione inesistente (`not_found`)")
                    }
                }
            },
            "/api/v1/enti/{slug}/statistiche": {
                "get": {
                    "operationId": "publicStatistics",
                    "summary": "Statistiche di moderazione aggregate per regola (senza dati personali)",
                    "security": [],
                    "parameters": [slug.clone(), period_from.clone(), period_to.clone()],
                    "responses": {
                        "200": {"description": "Commenti ricevuti, decisioni per regola, categoria e azione (predefinito: ultimi 12 mesi)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PublicStats"}}}},
                        "404": error("Amministrazione inesistente (`not_found`)"),
                        "422": error("Periodo non valido (`invalid_input`)")
                    }
                }
            },
            "/api/v1/report": {
                "get": {
                    "operationId": "report",
                    "summary": "Report: tempi di risposta rispetto alle scadenze e statistiche per account, regola, categoria e azione",
                    "parameters": [period_from.clone(), period_to.clone()],
                    "responses": {
                        "200": {"description": "Il report (predefinito: ultimi 30 giorni)", "content": {"application/json": {"schema": {"type": "object", "properties": {
                            "from": {"type": "integer"}, "to": {"type": "integer"},
                            "response_times": {"type": "object"}, "moderation": {"type": "object"}
                        }}}}},
                        "401": error("Nessuna sessione (`unauthenticated`)"),
                        "422": error("Periodo non valido (`invalid_input`)")
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
                },
                "post": {
                    "operationId": "login",
                    "summary": "Accesso con nome utente e password",
                    "description": "Apre una sessione e imposta il cookie `piazza_session` (HttpOnly, SameSite=Strict). Stessa risposta per utente sconosciuto, password errata o accesso bloccato: dopo 5 tentativi falliti l'accesso è bloccato per 15 minuti.",
                    "security": [],
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Credentials"}}}},
                    "responses": {
                        "201": {"description": "Sessione aperta", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SessionInfo"}}}},
                        "401": error("Credenziali non valide o accesso bloccato (`login_failed`)"),
                        "429": error("Troppi tentativi dallo stesso indirizzo in un minuto (`too_many_attempts`)")
                    }
                },
                "delete": {
                    "operationId": "logout",
                    "summary": "Chiude la sessione corrente",
                    "security": [{"sessionCookie": [], "csrfToken": []}],
                    "responses": {
                        "204": {"description": "Sessione chiusa"},
                        "401": error("Nessuna sessione (`unauthenticated`)"),
                        "403": error("Token CSRF assente o errato (`csrf_rejected`)")
                    }
                }
            },
            "/api/v1/coda": {
                "get": {
                    "operationId": "queue",
                    "summary": "I commenti da trattare, i più urgenti per primi",
                    "description": "Solo gli account assegnati a chi chiama (dirigenti e auditor vedono tutto).",
                    "parameters": [
                        {"name": "account", "in": "query", "schema": {"type": "integer"}, "description": "Id dell'account"},
                        {"name": "categoria", "in": "query", "schema": {"type": "string"}, "description": "Categoria rilevata (es. `threat`)"},
                        {"name": "stato", "in": "query", "schema": {"type": "string", "enum": ["aperti", "new", "in_review", "resolved", "tutti"]}},
                        {"name": "scadenza", "in": "query", "schema": {"type": "string"}, "description": "Scadenza della risposta entro questa data (AAAA-MM-GG, ora di Roma)"},
                        {"name": "mie", "in": "query", "schema": {"type": "string"}, "description": "Se presente, solo i commenti assegnati a chi chiama"},
                        {"name": "pagina", "in": "query", "schema": {"type": "integer", "minimum": 1}}
                    ],
                    "responses": {
                        "200": {"description": "Una pagina della coda", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/QueuePage"}}}},
                        "401": error("Nessuna sessione (`unauthenticated`)"),
                        "403": error("Ruolo non abilitato (`forbidden`)"),
                        "422": error("Filtro non valido (`invalid_input`)")
                    }
                }
            },
            "/api/v1/commenti/{id}": {
                "get": {
                    "operationId": "item",
                    "summary": "Un commento con rilevazioni, azioni suggerite, storico e versioni",
                    "parameters": [id_param.clone()],
                    "responses": {
                        "200": {"description": "Il commento", "content": {"application/json": {"schema": {"type": "object"}}}},
                        "401": error("Nessuna sessione (`unauthenticated`)"),
                        "403": error("Account non assegnato a chi chiama (`out_of_scope`) o ruolo non abilitato (`forbidden`)"),
                        "404": error("Commento inesistente (`not_found`)")
                    }
                }
            },
            "/api/v1/commenti/{id}/azioni": {
                "post": {
                    "operationId": "act",
                    "summary": "Una decisione su un commento",
                    "description": "Ogni azione restrittiva (hide, remove, warn, ban, report) deve citare almeno una regola della policy in vigore che copra la categoria della violazione; l'azione, la motivazione e la voce del registro sono scritte insieme.",
                    "security": [{"sessionCookie": [], "csrfToken": []}],
                    "parameters": [id_param.clone()],
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ActRequest"}}}},
                    "responses": {
                        "201": {"description": "Azione registrata, con la motivazione se restrittiva", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ActionOutcome"}}}},
                        "401": error("Nessuna sessione (`unauthenticated`)"),
                        "403": error("Token CSRF errato (`csrf_rejected`), ruolo (`forbidden`) o account non assegnato (`out_of_scope`)"),
                        "404": error("Commento inesistente (`not_found`)"),
                        "409": error("Il commento è cambiato nel frattempo (`conflict`)"),
                        "422": error("Regola mancante (`clause_required`), non applicabile (`clause_not_applicable`), dati non validi (`invalid_input`), conferma di un secondo moderatore (`second_moderator`)")
                    }
                }
            },
            "/api/v1/audit": {
                "get": {
                    "operationId": "auditEntries",
                    "summary": "Voci del registro delle operazioni, dalla più recente",
                    "parameters": [{"name": "da", "in": "query", "schema": {"type": "integer"}, "description": "Numero della voce più recente della pagina (predefinito: l'ultima)"}],
                    "responses": {
                        "200": {"description": "Una pagina di 50 voci", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AuditPage"}}}},
                        "401": error("Nessuna sessione (`unauthenticated`)")
                    }
                }
            },
            "/api/v1/audit/verifica": {
                "get": {
                    "operationId": "auditVerify",
                    "summary": "Verifica la catena di impronte del registro",
                    "responses": {
                        "200": {"description": "Esito della verifica", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AuditVerification"}}}},
                        "401": error("Nessuna sessione (`unauthenticated`)")
                    }
                }
            },
            "/api/v1/registro/account": {
                "get": {
                    "operationId": "registryAccounts",
                    "summary": "Account ufficiali, avvisi di conformità e promemoria di cambio credenziali",
                    "description": "Per amministratori, dirigenti e auditor.",
                    "responses": {
                        "200": {"description": "Account e avvisi", "content": {"application/json": {"schema": {"type": "object", "properties": {
                            "accounts": {"type": "array", "items": {"type": "object"}},
                            "issues": {"type": "array", "items": {"type": "object", "properties": {"account_id": {"type": "integer"}, "rule": {"type": "string"}, "message": {"type": "string"}}}},
                            "rotation_due": {"type": "array", "items": {"type": "array", "items": {"type": "integer"}}}
                        }}}}},
                        "401": error("Nessuna sessione (`unauthenticated`)"),
                        "403": error("Ruolo non abilitato (`forbidden`)")
                    }
                }
            },
            "/api/v1/registro/collegamenti": {
                "get": {
                    "operationId": "registryConnections",
                    "summary": "Account collegati alle piattaforme, con l'esito dell'ultima verifica del token",
                    "description": "Per amministratori, dirigenti e auditor. Nessun token compare mai nella risposta.",
                    "responses": {
                        "200": {"description": "Collegamenti", "content": {"application/json": {"schema": {"type": "array", "items": {"type": "object", "properties": {
                            "account_id": {"type": "integer"}, "connector": {"type": "string", "enum": ["facebook", "instagram", "sandbox"]},
                            "platform_account": {"type": "string"}, "status": {"type": "string", "enum": ["active", "disconnected"]},
                            "has_token": {"type": "boolean"}, "last_check": {"type": ["object", "null"]}, "paused_until": {"type": ["integer", "null"]}
                        }}}}}},
                        "401": error("Nessuna sessione (`unauthenticated`)"),
                        "403": error("Ruolo non abilitato (`forbidden`)")
                    }
                }
            },
            "/api/v1/registro/personale": {
                "get": {
                    "operationId": "registryStaff",
                    "summary": "Personale con ruoli e account assegnati",
                    "responses": {
                        "200": {"description": "Personale", "content": {"application/json": {"schema": {"type": "array", "items": {"type": "object"}}}}},
                        "401": error("Nessuna sessione (`unauthenticated`)"),
                        "403": error("Ruolo non abilitato (`forbidden`)")
                    }
                }
            },
            "/api/v1/registro/consegne": {
                "get": {
                    "operationId": "registryHandovers",
                    "summary": "Passi dei passaggi di consegne, aperti per primi",
                    "responses": {
                        "200": {"description": "Passi", "content": {"application/json": {"schema": {"type": "array", "items": {"type": "object"}}}}},
                        "401": error("Nessuna sessione (`unauthenticated`)"),
                        "403": error("Ruolo non abilitato (`forbidden`)")
                    }
                }
            },
            "/api/v1/registro/consegne/{id}/passi": {
                "post": {
                    "operationId": "handoverStep",
                    "summary": "Segna come fatto un passo del passaggio di consegne",
                    "description": "Solo amministratori e dirigenti.",
                    "security": [{"sessionCookie": [], "csrfToken": []}],
                    "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}, "description": "Id del passaggio di consegne"}],
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["item"], "properties": {
                        "item": {"type": "string", "enum": ["revoke_platform_permissions", "rotate_shared_credentials", "hand_over_open_items"]},
                        "note": {"type": ["string", "null"]}
                    }}}}},
                    "responses": {
                        "204": {"description": "Passo registrato"},
                        "401": error("Nessuna sessione (`unauthenticated`)"),
                        "403": error("Token CSRF o ruolo"),
                        "404": error("Passo inesistente o già fatto (`not_found`)"),
                        "422": error("Passo sconosciuto (`invalid_input`)")
                    }
                }
            },
            "/api/v1/registro/consegne/{id}/firma": {
                "post": {
                    "operationId": "handoverSignOff",
                    "summary": "Firma un passaggio di consegne completo",
                    "security": [{"sessionCookie": [], "csrfToken": []}],
                    "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}, "description": "Id del passaggio di consegne"}],
                    "responses": {
                        "204": {"description": "Firmato"},
                        "401": error("Nessuna sessione (`unauthenticated`)"),
                        "403": error("Token CSRF o ruolo"),
                        "404": error("Già firmato o inesistente (`not_found`)"),
                        "422": error("Passi ancora aperti (`handover_incomplete`)")
                    }
                }
            },
            "/api/v1/policy": {
                "get": {
                    "operationId": "policyHistory",
                    "summary": "La versione della policy in vigore e lo storico delle versioni",
                    "responses": {
                        "200": {"description": "Versioni, dalla più recente", "content": {"application/json": {"schema": {"type": "object", "properties": {
                            "current": {"type": ["object", "null"]},
                            "versions": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "integer"}, "version": {"type": "string"}, "source": {"type": "string"}, "activated_at": {"type": "integer"}}}}
                        }}}}},
                        "401": error("Nessuna sessione (`unauthenticated`)")
                    }
                }
            },
            "/api/v1/policy/differenze": {
                "get": {
                    "operationId": "policyDiff",
                    "summary": "Differenze riga per riga tra due versioni della policy",
                    "parameters": [
                        {"name": "da", "in": "query", "schema": {"type": "integer"}, "description": "Id della versione di partenza (predefinita: la precedente)"},
                        {"name": "a", "in": "query", "schema": {"type": "integer"}, "description": "Id della versione di arrivo (predefinita: quella in vigore)"}
                    ],
                    "responses": {
                        "200": {"description": "Righe con `op` same, del o ins", "content": {"application/json": {"schema": {"type": "object", "properties": {
                            "from": {"type": "object"}, "to": {"type": "object"},
                            "lines": {"type": "array", "items": {"type": "object", "properties": {"op": {"type": "string", "enum": ["same", "del", "ins"]}, "text": {"type": "string"}}}}
                        }}}}},
                        "401": error("Nessuna sessione (`unauthenticated`)"),
                        "404": error("Versione inesistente (`not_found`)"),
                        "422": error("Meno di due versioni (`invalid_input`)")
                    }
                }
            },
            "/api/v1/azioni-multiple": {
                "post": {
                    "operationId": "actBulk",
                    "summary": "La stessa decisione su più commenti (tutto o niente)",
                    "security": [{"sessionCookie": [], "csrfToken": []}],
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {
                        "allOf": [
                            {"$ref": "#/components/schemas/ActRequest"},
                            {"type": "object", "required": ["comment_ids"], "properties": {"comment_ids": {"type": "array", "items": {"type": "integer"}}}}
                        ]
                    }}}},
                    "responses": {
                        "201": {"description": "Azione padre con un'azione figlia per commento", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ActionOutcome"}}}},
                        "401": error("Nessuna sessione (`unauthenticated`)"),
                        "403": error("Token CSRF, ruolo o account non assegnato"),
                        "422": error("Regola mancante o non applicabile")
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
                "PublicStats": {
                    "type": "object",
                    "required": ["from", "to", "comments", "by_clause", "by_category", "by_action"],
                    "properties": {
                        "from": {"type": "integer"}, "to": {"type": "integer"}, "comments": {"type": "integer"},
                        "by_clause": {"type": "array", "items": {"type": "object", "properties": {"clause": {"type": "integer"}, "title": {"type": "string"}, "decisions": {"type": "integer"}}}},
                        "by_category": {"type": "array", "items": {"type": "object", "properties": {"category": {"type": "string"}, "label": {"type": "string"}, "flagged": {"type": "integer"}, "decisions": {"type": "integer"}}}},
                        "by_action": {"type": "array", "items": {"type": "object", "properties": {"action": {"type": "string"}, "label": {"type": "string"}, "count": {"type": "integer"}}}}
                    }
                },
                "AuditPage": {
                    "type": "object",
                    "required": ["entries", "last_seq"],
                    "properties": {
                        "entries": {"type": "array", "items": {"type": "object", "properties": {
                            "seq": {"type": "integer"}, "at": {"type": "integer"}, "actor": {"type": "string"}, "kind": {"type": "string"},
                            "target_type": {"type": "string"}, "target_id": {"type": "string"}, "clauses": {"type": ["string", "null"]},
                            "policy_version": {"type": ["string", "null"]}, "reason": {"type": ["string", "null"]}, "hash": {"type": "string"}
                        }}},
                        "last_seq": {"type": "integer"},
                        "older_from": {"type": ["integer", "null"]},
                        "newer_from": {"type": ["integer", "null"]}
                    }
                },
                "AuditVerification": {
                    "type": "object",
                    "required": ["intact", "entries", "problems", "messages"],
                    "properties": {
                        "intact": {"type": "boolean"},
                        "entries": {"type": "integer"},
                        "head_hash": {"type": ["string", "null"]},
                        "problems": {"type": "array", "items": {"type": "object"}},
                        "messages": {"type": "array", "items": {"type": "string"}}
                    }
                },
                "Credentials": {
                    "type": "object",
                    "required": ["username", "password"],
                    "properties": {"username": {"type": "string"}, "password": {"type": "string"}}
                },
                "QueuePage": {
                    "type": "object",
                    "required": ["items", "page", "more"],
                    "properties": {
                        "items": {"type": "array", "items": {"type": "object", "properties": {
                            "id": {"type": "integer"}, "account_id": {"type": "integer"}, "account": {"type": "string"},
                            "text": {"type": ["string", "null"]}, "state": {"type": "string"}, "flagged": {"type": "array", "items": {"type": "string"}},
                            "deadline_at": {"type": ["integer", "null"]}, "version": {"type": "integer"}
                        }}},
                        "page": {"type": "integer"},
                        "more": {"type": "boolean"}
                    }
                },
                "ActRequest": {
                    "type": "object",
                    "required": ["kind"],
                    "properties": {
                        "kind": {"type": "string", "enum": ["keep", "hide", "unhide", "remove", "reply", "redirect", "forward", "warn", "ban", "report", "reopen", "assign", "confirm", "reject"]},
                        "clauses": {"type": "array", "items": {"type": "integer"}, "description": "Numeri delle regole citate"},
                        "categories": {"type": "array", "items": {"type": "string"}},
                        "reason": {"type": ["string", "null"]},
                        "template": {"type": ["string", "null"], "enum": ["urp", "denuncia", "cortesia", "fuori_tema", "dati_personali", "risposta", null], "description": "Per redirect: urp o denuncia (se assente, denuncia per una denuncia di reato, altrimenti urp)"},
                        "reply_text": {"type": ["string", "null"]},
                        "office": {"type": ["string", "null"]},
                        "ban_days": {"type": ["integer", "null"]},
                        "assign_to": {"type": ["string", "null"]},
                        "expected_version": {"type": ["integer", "null"], "description": "La versione letta: se il commento è cambiato, 409"}
                    }
                },
                "ActionOutcome": {
                    "type": "object",
                    "required": ["action_id", "status"],
                    "properties": {
                        "action_id": {"type": "integer"},
                        "status": {"type": "string"},
                        "state": {"type": ["string", "null"]},
                        "version": {"type": ["integer", "null"]},
                        "statement": {"type": ["object", "null"], "properties": {"text": {"type": "string"}, "fields": {"type": "object"}}},
                        "ticket_number": {"type": ["string", "null"]},
                        "children": {"type": "array", "items": {"type": "object"}}
                    }
                },
                "SessionInfo": {
                    "type": "object",
                    "required": ["session", "csrf_token"],
                    "properties": {
                        "session": {
                            "type": "object",
                            "required": ["session_id", "staff_id", "admin_id", "username", "display_name", "roles"],
                            "properties": {
                                "session_id": {"type": "string"},
                                "staff_id": {"type": "integer"},
                                "admin_id": {"type": "integer"},
                                "username": {"type": "string"},
                                "display_name": {"type": "string"},
                                "roles": {"type": "array", "items": {"type": "string", "enum": ["admin", "dirigente", "redattore", "moderatore", "operatore_urp", "auditor", "ufficio"]}}
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
