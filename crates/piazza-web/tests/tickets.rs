//! The tickets in the web desk, in-process: an office's referente lands on
//! their office's tickets (never the moderation queue), sees neither other
//! offices' tickets nor the comment's author, answers with CSRF; the URP
//! finds the draft reply on the comment's page and publishes it through
//! the reply path.

use axum::Router;
use axum::http::StatusCode;
use piazza_desk::{
    ActRequest, ActionKind, AdminId, CommentId, IncomingComment, NewAdministration, NewOffice,
    NewStaff, OutboxFilter, Role, TicketFilter, TicketId, TicketState,
};
use piazza_web::{AppState, WebConfig, app};

mod common;
use common::{Client, Reply};

const PASSWORD: &str = "una password lunga 2026";

struct World {
    state: AppState,
    admin: AdminId,
    comment: CommentId,
    ticket: TicketId,
    number: String,
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
        ("urp", Role::OperatoreUrp),
        ("tecnico", Role::Ufficio),
        ("tributi", Role::Ufficio),
    ] {
        desk.add_staff(admin, Some(&capo), staff(name, vec![role]))
            .unwrap();
    }
    let account = desk.accounts(admin).unwrap()[0].id;
    desk.assign(&capo, "urp", account, None).unwrap();
    for (office, who) in [("Lavori pubblici", "tecnico"), ("Tributi", "tributi")] {
        let o = desk
            .add_office(
                &capo,
                NewOffice {
                    name: office.into(),
                    email: None,
                    digest: false,
                },
            )
            .unwrap();
        desk.set_staff_office(&capo, who, Some(o.id)).unwrap();
    }
    let comment = desk
        .ingest_comment(
            admin,
            account,
            &IncomingComment {
                external_id: "q1".into(),
                post_external_id: Some("post-1".into()),
                parent_external_id: None,
                post_text: None,
                author_ref: Some("fb-user-q1".into()),
                author_name: Some("Mario Rossi".into()),
                text: "Quando riaprono la scuola di via Verdi?".into(),
                created_at: piazza_store::now_ms() - 3_600_000,
            },
        )
        .unwrap()
        .id();
    let urp = desk.actor(admin, "urp").unwrap();
    let mut req = ActRequest::new(comment, ActionKind::Forward);
    req.office = Some("Lavori pubblici".into());
    let number = desk.act(&urp, &req).unwrap().ticket_number.unwrap();
    let ticket = desk.ticket_by_number(&urp, &number).unwrap().id;
    World {
        state,
        admin,
        comment,
        ticket,
        number,
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

    fn state_of(&self) -> TicketState {
        let capo = self.state.desk.actor(self.admin, "capo").unwrap();
        self.state.desk.ticket(&capo, self.ticket).unwrap().state
    }
}

#[tokio::test]
async fn an_office_sees_only_its_tickets_and_answers_and_the_urp_publishes_the_draft() {
    let w = world();
    let tecnico = w.login("tecnico").await;
    // The referente's desk is their office's tickets, not the queue.
    let r = w.get(&tecnico, "/desk").await;
    assert!(r.status.is_redirection(), "{}", r.status);
    assert_eq!(r.header("location"), "/desk/ticket");
    assert_eq!(
        w.get(&tecnico, &format!("/desk/commenti/{}", w.comment))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let r = w.get(&tecnico, "/desk/ticket").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains(&w.number), "{}", r.body);
    assert!(r.body.contains("Ticket dell’ufficio Lavori pubblici"));
    let page = w.get(&tecnico, &format!("/desk/ticket/{}", w.ticket)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("Quando riaprono la scuola di via Verdi?")
    );
    assert!(
        !page.body.contains("Mario Rossi"),
        "the author is not shown"
    );
    assert!(page.body.contains("id=\"form-risposta\""));
    assert!(
        !page.body.contains("id=\"form-invio\""),
        "the office does not publish"
    );

    // Nor the audit log or the reports: least privilege.
    assert!(!r.body.contains("href=\"/desk/audit\""));
    for path in ["/desk/audit", "/desk/report", "/api/v1/audit"] {
        assert_eq!(
            w.get(&tecnico, path).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }

    // Another office sees nothing of it.
    let tributi = w.login("tributi").await;
    let r = w.get(&tributi, "/desk/ticket").await;
    assert!(!r.body.contains(&w.number));
    assert!(r.body.contains("id=\"nessun-ticket\""));
    assert_eq!(
        w.get(&tributi, &format!("/desk/ticket/{}", w.ticket))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let r = w
        .form(
            &tributi,
            &format!("/desk/ticket/{}/risposta", w.ticket),
            &[("testo", "Non è nostro")],
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // The answer needs the CSRF token.
    let path = format!("/desk/ticket/{}/risposta", w.ticket);
    let answer = [("testo", "La scuola riapre lunedì 7.")];
    let r = w.form(&tecnico, &path, &answer, false).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(w.state_of(), TicketState::Open);
    let r = w.form(&tecnico, &path, &answer, true).await;
    assert!(r.status.is_redirection(), "{}: {}", r.status, r.body);
    assert_eq!(w.state_of(), TicketState::Answered);
    // An empty answer is refused with the reason, on the page.
    let r = w.form(&tecnico, &path, &[("testo", " ")], true).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("id=\"errore\""));

    // The URP finds the draft on the comment's page and publishes it.
    let urp = w.login("urp").await;
    let item = w.get(&urp, &format!("/desk/commenti/{}", w.comment)).await;
    assert_eq!(item.status, StatusCode::OK);
    assert!(item.body.contains(&format!("id=\"ticket-{}\"", w.ticket)));
    assert!(
        item.body.contains("La scuola riapre lunedì 7."),
        "{}",
        item.body
    );
    let back = format!("/desk/commenti/{}", w.comment);
    let r = w
        .form(
            &urp,
            &format!("/desk/ticket/{}/invio", w.ticket),
            &[
                (
                    "testo",
                    "Gentile utente, la scuola riapre lunedì 7. Comune di Cento",
                ),
                ("ritorno", &back),
            ],
            true,
        )
        .await;
    assert!(r.status.is_redirection(), "{}: {}", r.status, r.body);
    assert_eq!(r.header("location"), format!("{back}#ticket-{}", w.ticket));
    assert_eq!(w.state_of(), TicketState::Closed);
    let steps = w
        .state
        .desk
        .outbox(
            w.admin,
            &OutboxFilter {
                comment_id: Some(w.comment),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(steps.len(), 1);
    assert_eq!(steps[0].operation.as_str(), "reply");
    // The referente's list no longer shows the closed ticket by default.
    let r = w.get(&tecnico, "/desk/ticket").await;
    assert!(!r.body.contains(&w.number));
    let r = w.get(&tecnico, "/desk/ticket?tutti=1").await;
    assert!(r.body.contains(&w.number));
    let capo = w.state.desk.actor(w.admin, "capo").unwrap();
    assert!(
        w.state
            .desk
            .tickets(&capo, &TicketFilter::default())
            .unwrap()
            .iter()
            .all(|t| t.state == TicketState::Closed)
    );
}
