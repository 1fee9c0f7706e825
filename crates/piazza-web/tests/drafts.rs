//! The editorial desk's pages, in-process: an office opens a draft from
//! the form, an editor writes a new version, the author finds no approval
//! form and is refused if she posts one anyway, a dirigente approves, and
//! the approved draft's page says nothing was sent; queued for publication
//! on an account that is not connected, the page says a person must
//! publish it. Forms need the CSRF token like every other. (The flow
//! against the fake Graph API runs in Chromium: `tests/browser/`.)

use axum::Router;
use axum::http::StatusCode;
use piazza_desk::{AdminId, DraftId, DraftState, NewAdministration, NewStaff, Role};
use piazza_web::{AppState, WebConfig, app};

mod common;
use common::{Client, Reply};

const PASSWORD: &str = "una password lunga 2026";

struct World {
    state: AppState,
    admin: AdminId,
    account: String,
}

fn world() -> World {
    let state = AppState::scratch(WebConfig::default());
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
    desk.add_staff(admin, Some(&root), staff("capo", vec![Role::Dirigente]))
        .unwrap();
    let capo = desk.actor(admin, "capo").unwrap();
    for (name, role) in [
        ("redattrice", Role::Redattore),
        ("cultura", Role::Ufficio),
        ("moderatore", Role::Moderatore),
    ] {
        desk.add_staff(admin, Some(&capo), staff(name, vec![role]))
            .unwrap();
    }
    let account = desk.accounts(admin).unwrap()[0].id;
    desk.assign(&capo, "redattrice", account, None).unwrap();
    World {
        state,
        admin,
        account: account.to_string(),
    }
}

impl World {
    fn app(&self) -> Router {
        app(self.state.clone())
    }

    async fn login(&self, username: &str) -> Client {
        common::login(self.app(), username, PASSWORD).await
    }

    async fn get(&self, c: &Client, path: &str) -> Reply {
        common::get(self.app(), Some(c), path).await
    }

    async fn form(&self, c: &Client, path: &str, fields: &[(&str, &str)], csrf: bool) -> Reply {
        common::form(self.app(), c, path, fields, csrf).await
    }
}

#[tokio::test]
async fn a_draft_is_opened_revised_and_approved_through_the_pages() {
    let w = world();
    let cultura = w.login("cultura").await;
    let page = w.get(&cultura, "/desk/bozze").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Nuova bozza"), "{}", page.body);
    let fields = [
        ("account", w.account.as_str()),
        ("titolo", "Mostra in biblioteca"),
        ("richiedente", "Servizio Cultura"),
        ("testo", "Si comunica che in data odierna apre la mostra."),
        ("file", "mostra.jpg"),
        ("alt", ""),
        ("licenza", "propria"),
    ];
    // Without the token nothing is written.
    let r = w.form(&cultura, "/desk/bozze", &fields, false).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(w.state.desk.drafts(w.admin, None).unwrap().is_empty());
    let r = w.form(&cultura, "/desk/bozze", &fields, true).await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.body);
    assert_eq!(r.header("location"), "/desk/bozze/1?esito=aperta");
    let page = w.get(&cultura, "/desk/bozze/1").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("formula burocratica"), "{}", page.body);
    assert!(page.body.contains("testo alternativo"), "{}", page.body);

    // The editor writes version 2 and submits it.
    let anna = w.login("redattrice").await;
    let r = w
        .form(
            &anna,
            "/desk/bozze/1/versione",
            &[
                ("versione", "1"),
                (
                    "testo",
                    "Da oggi in biblioteca la mostra sulle botteghe del paese.",
                ),
                ("file", "mostra.jpg"),
                (
                    "alt",
                    "Una bottega di falegname del 1950 in una foto in bianco e nero",
                ),
                ("licenza", "propria"),
                ("conferma_testo", "1"),
            ],
            true,
        )
        .await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.body);
    // A stale version is shown as an error on the page, nothing saved.
    let r = w
        .form(
            &anna,
            "/desk/bozze/1/versione",
            &[
                ("versione", "1"),
                ("testo", "altro testo"),
                ("licenza", "propria"),
            ],
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = w.form(&anna, "/desk/bozze/1/invia", &[], true).await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.body);
    // The author gets no form, and is refused when she posts one.
    let page = w.get(&anna, "/desk/bozze/1").await;
    assert!(page.body.contains("id=\"propria-bozza\""), "{}", page.body);
    assert!(!page.body.contains("/desk/bozze/1/decisione"));
    let r = w
        .form(
            &anna,
            "/desk/bozze/1/decisione",
            &[("versione", "2"), ("decisione", "approva")],
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("un&#39;altra persona") || r.body.contains("un'altra persona"),
        "{}",
        r.body
    );
    // A moderator does not see the editorial desk.
    let moderatore = w.login("moderatore").await;
    assert_eq!(
        w.get(&moderatore, "/desk/bozze").await.status,
        StatusCode::FORBIDDEN
    );
    // The dirigente approves; the page says nothing was published.
    let capo = w.login("capo").await;
    let r = w
        .form(
            &capo,
            "/desk/bozze/1/decisione",
            &[("versione", "2"), ("decisione", "approva")],
            true,
        )
        .await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.body);
    let d = w.state.desk.draft(w.admin, DraftId(1)).unwrap();
    assert_eq!(
        (d.state, d.version, d.versions.len()),
        (DraftState::Approvata, 2, 2)
    );
    let page = w.get(&capo, "/desk/bozze/1").await;
    assert!(
        page.body.contains("nulla è stato inviato alla piattaforma"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("Nessun problema trovato"),
        "{}",
        page.body
    );
    // The office's referente gets no publishing form and is refused.
    let page = w.get(&cultura, "/desk/bozze/1").await;
    assert!(
        !page.body.contains("/desk/bozze/1/pubblica"),
        "{}",
        page.body
    );
    let r = w
        .form(
            &cultura,
            "/desk/bozze/1/pubblica",
            &[("versione", "2")],
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    // The dirigente queues it; the account is not connected, and the page
    // says what is left to do instead of claiming a publication.
    let r = w
        .form(&capo, "/desk/bozze/1/pubblica", &[("versione", "2")], true)
        .await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.body);
    let page = w.get(&capo, "/desk/bozze/1?esito=pubblicazione").await;
    assert!(
        page.body.contains("pubblicare il post: da fare a mano"),
        "{}",
        page.body
    );
    assert_eq!(
        w.state.desk.draft(w.admin, DraftId(1)).unwrap().state,
        DraftState::Programmata
    );
    // The approved campaign is relayed to another account in one step.
    assert!(page.body.contains("Rilancia la campagna"), "{}", page.body);
    let other = w.state.desk.accounts(w.admin).unwrap()[1].id.to_string();
    let r = w
        .form(
            &capo,
            "/desk/bozze/1/rilancia",
            &[("account", other.as_str())],
            true,
        )
        .await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.body);
    let copy = w.state.desk.draft(w.admin, DraftId(2)).unwrap();
    assert_eq!(copy.relayed_from, Some(DraftId(1)));
    assert_eq!(copy.account_id.to_string(), other);
    let page = w.get(&capo, "/desk/bozze/2").await;
    assert!(
        page.body.contains("Rilancio della campagna"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn the_calendar_and_the_election_pages_show_and_export_what_was_planned_and_published() {
    let w = world();
    let capo = w.login("capo").await;
    // A dirigente records a period and the mayor's name.
    let r = w
        .form(
            &capo,
            "/desk/elezioni",
            &[
                ("tipo", "comunali"),
                ("territorio", "Comune di Cento"),
                ("dal", "2026-01-01"),
                ("al", "2099-12-31"),
                ("atto", "decreto prefettizio"),
            ],
            true,
        )
        .await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.body);
    let r = w
        .form(
            &capo,
            "/desk/elezioni/persone",
            &[("nome", "Edoardo Accorsi"), ("ruolo", "sindaco")],
            true,
        )
        .await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.body);
    let page = w.get(&capo, "/desk/elezioni").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Periodo elettorale in corso"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Edoardo Accorsi (sindaco o sindaca)"));
    // A one-word name would flag every shop called like the mayor.
    let r = w
        .form(
            &capo,
            "/desk/elezioni/persone",
            &[("nome", "Accorsi"), ("ruolo", "sindaco")],
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);

    // An office's request naming the mayor: its page flags the name. The
    // form asks to confirm that the image shows no politicians, and the
    // confirmation is kept with the version.
    let cultura = w.login("cultura").await;
    let form = w.get(&cultura, "/desk/bozze").await;
    assert!(
        form.body.contains("name=\"conferma_politici\""),
        "{}",
        form.body
    );
    let r = w
        .form(
            &cultura,
            "/desk/bozze",
            &[
                ("account", w.account.as_str()),
                ("titolo", "Inaugurazione"),
                ("richiedente", "Servizio Cultura"),
                ("campagna", "Scuole 2026"),
                ("prevista", "2026-12-09T10:30"),
                (
                    "testo",
                    "Mercoledì il sindaco Edoardo Accorsi inaugura la scuola di via Roma.",
                ),
                ("file", "https://www.comune.cento.fe.it/scuola.jpg"),
                ("alt", "La facciata della nuova scuola di via Roma"),
                ("licenza", "propria"),
                ("conferma_politici", "1"),
            ],
            true,
        )
        .await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.body);
    let d = w.state.desk.draft(w.admin, DraftId(1)).unwrap();
    assert_eq!(d.current().content.media[0].confirmed, ["politici"]);
    let page = w.get(&capo, "/desk/bozze/1").await;
    assert!(
        page.body.contains("nomina Edoardo Accorsi"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Scuole 2026"), "{}", page.body);

    // The calendar shows it on its day, and the filters keep or drop it.
    let week = w.get(&capo, "/desk/calendario?settimana=2026-12-07").await;
    assert_eq!(week.status, StatusCode::OK);
    assert!(
        week.body.contains("mercoledì 9 dicembre 2026"),
        "{}",
        week.body
    );
    assert!(
        week.body.contains("<strong>10:30</strong>"),
        "{}",
        week.body
    );
    assert!(week.body.contains("Inaugurazione"));
    let other = w
        .get(
            &capo,
            "/desk/calendario?settimana=2026-12-07&campagna=Altra",
        )
        .await;
    assert!(!other.body.contains("Inaugurazione"), "{}", other.body);
    let before = w.get(&capo, "/desk/calendario?settimana=2026-11-30").await;
    assert!(!before.body.contains("Inaugurazione"));
    // A moderator sees neither page.
    let moderatore = w.login("moderatore").await;
    assert_eq!(
        w.get(&moderatore, "/desk/calendario").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        w.get(&moderatore, "/desk/elezioni").await.status,
        StatusCode::FORBIDDEN
    );

    // The record of the period: nothing published yet, only the header.
    let csv = w.get(&capo, "/desk/elezioni/1/registro.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.header("content-type"), "text/csv; charset=utf-8");
    assert_eq!(csv.body.lines().count(), 1, "{}", csv.body);
    assert!(
        csv.body
            .contains("bozza,titolo,account,piattaforma,pubblicata_il")
    );
}

/// Roma's policy lets associations ask to publish: the public form files
/// the request, the desk lists it to the editors, one accepts it as a
/// draft, another is declined with a reason. Cento's policy does not: no
/// form there.
#[tokio::test]
async fn an_association_asks_to_publish_and_the_editors_accept_or_decline() {
    let state = AppState::scratch(WebConfig::default());
    let desk = state.desk.clone();
    let roma = desk
        .create_administration(NewAdministration::preset("roma"))
        .unwrap()
        .id;
    desk.create_administration(NewAdministration::preset("cento"))
        .unwrap();
    let person = |u: &str, role: Role| NewStaff {
        username: u.into(),
        full_name: u.into(),
        email: None,
        roles: vec![role],
        password: Some(PASSWORD.into()),
    };
    desk.add_staff(roma, None, person("root", Role::Admin))
        .unwrap();
    let root = desk.actor(roma, "root").unwrap();
    desk.add_staff(roma, Some(&root), person("capo", Role::Dirigente))
        .unwrap();
    let router = || app(state.clone());
    let page = common::get(router(), None, "/enti/roma/policy").await;
    assert!(
        page.body.contains("/enti/roma/richiesta-pubblicazione"),
        "{}",
        page.body
    );
    assert_eq!(
        common::get(router(), None, "/enti/cento/richiesta-pubblicazione")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let fields = [
        ("richiedente", "Associazione Amici del Parco"),
        ("email", "amici.parco@example.org"),
        ("oggetto", "Pulizia del parco"),
        (
            "testo",
            "Sabato 19 dicembre dalle 9 pulizia volontaria del parco della Caffarella: guanti e sacchi forniti.",
        ),
        ("perche", "Cura di un bene comune del Municipio"),
        ("quando", "entro il 15 dicembre"),
    ];
    let url = "/enti/roma/richiesta-pubblicazione";
    let r = common::public_form(router(), url, url, &fields).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("id=\"richiesta-ricevuta\""), "{}", r.body);
    assert!(r.body.contains("nulla è stato pubblicato"), "{}", r.body);
    // A bad address is refused with what is wrong, the form kept.
    let mut bad = fields.to_vec();
    bad[1] = ("email", "non è un indirizzo");
    let r = common::public_form(router(), url, url, &bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("Associazione Amici del Parco"));
    let mut second = fields.to_vec();
    second[2] = ("oggetto", "Sconti nel nostro negozio");
    let r = common::public_form(router(), url, url, &second).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // The editors see both; one becomes a draft, the other is declined.
    let capo = common::login(router(), "capo", PASSWORD).await;
    let list = common::get(router(), Some(&capo), "/desk/bozze").await;
    assert!(
        list.body.contains("Richiesta n. 1: Pulizia del parco"),
        "{}",
        list.body
    );
    assert!(
        list.body
            .contains("Richiesta n. 2: Sconti nel nostro negozio")
    );
    let account = desk.accounts(roma).unwrap()[0].id.to_string();
    let r = common::form(
        router(),
        &capo,
        "/desk/richieste/1/accogli",
        &[("account", account.as_str())],
        true,
    )
    .await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.body);
    let d = desk.draft(roma, DraftId(1)).unwrap();
    assert_eq!(
        d.requested_by.as_deref(),
        Some("Associazione Amici del Parco (richiesta n. 1)")
    );
    assert_eq!(d.state, DraftState::Bozza);
    assert!(d.current().content.body.starts_with("Sabato 19 dicembre"));
    let r = common::form(
        router(),
        &capo,
        "/desk/richieste/2/respingi",
        &[("motivo", "")],
        true,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = common::form(
        router(),
        &capo,
        "/desk/richieste/2/respingi",
        &[("motivo", "Finalità commerciale: la policy non la consente")],
        true,
    )
    .await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.body);
    // Examined once: accepting the declined one is refused.
    let r = common::form(
        router(),
        &capo,
        "/desk/richieste/2/accogli",
        &[("account", account.as_str())],
        true,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let list = common::get(router(), Some(&capo), "/desk/bozze").await;
    assert!(!list.body.contains("Richiesta n. 2"), "{}", list.body);
    let all = desk
        .publication_requests(&desk.actor(roma, "capo").unwrap(), true)
        .unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(
        all[0].outcome.as_deref(),
        Some("Finalità commerciale: la policy non la consente")
    );
}
