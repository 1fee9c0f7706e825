//! A test server for the browser tests of the desk: a fresh temporary
//! SQLite desk seeded with the Comune di Cento, two moderators assigned to
//! different accounts, a dirigente, an auditor and a few comments (one a
//! threat).
//!
//! ```sh
//! cargo run -p piazza-web --example serve_demo            # a free port
//! cargo run -p piazza-web --example serve_demo 127.0.0.1:8080
//! ```
//!
//! Standard output carries one JSON line with the logins and the ids of the
//! seeded comments, then `listening on http://ADDR`. The passwords are
//! known on purpose: this is not a deployment (`piazza demo` is).

use std::io::Write;
use std::net::SocketAddr;

use piazza_desk::{IncomingComment, NewAdministration, NewStaff, Role};
use piazza_web::{AppState, WebConfig, serve_on};

const PASSWORD: &str = "piazza-prova-2026";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr: SocketAddr = match std::env::args().nth(1) {
        Some(a) => a.parse()?,
        None => SocketAddr::from(([127, 0, 0, 1], 0)),
    };
    // Seeding runs before the runtime starts: the desk is synchronous.
    let state = AppState::scratch(WebConfig::default());
    let desk = state.desk.clone();
    let admin = desk
        .create_administration(NewAdministration::preset("cento"))?
        .id;
    let staff = |username: &str, full_name: &str, role: Role| NewStaff {
        username: username.into(),
        full_name: full_name.into(),
        email: None,
        roles: vec![role],
        password: Some(PASSWORD.into()),
    };
    desk.add_staff(
        admin,
        None,
        staff("admin", "Amministratore di sistema", Role::Admin),
    )?;
    let root = desk.actor(admin, "admin")?;
    for (u, n, r) in [
        ("dirigente", "Daniela Ferri", Role::Dirigente),
        ("auditor", "Aldo Conti", Role::Auditor),
        ("anna", "Anna Bianchi", Role::Moderatore),
        ("bruno", "Bruno Verdi", Role::Moderatore),
    ] {
        desk.add_staff(admin, Some(&root), staff(u, n, r))?;
    }
    let accounts = desk.accounts(admin)?;
    let (a, b) = (&accounts[0], &accounts[1]);
    desk.assign(&root, "anna", a.id, None)?;
    desk.assign(&root, "bruno", b.id, None)?;
    let now = piazza_store::now_ms();
    let comment = |id: &str, author: &str, text: &str, minutes_ago: i64| {
        IncomingComment {
        external_id: id.into(),
        post_external_id: Some("post-lavori".into()),
        parent_external_id: None,
        post_text: Some(
            "Da lunedì 23 novembre lavori di rifacimento dell'asfalto in via Garibaldi: il traffico sarà deviato su via Matteotti."
                .into(),
        ),
        author_ref: Some(format!("utente-{id}")),
        author_name: Some(author.into()),
        text: text.into(),
        created_at: now - minutes_ago * 60_000,
    }
    };
    let threat = desk
        .ingest_comment(
            admin,
            a.id,
            &comment("c-1", "Utente A.", "Ti ammazzo, sappiamo dove abiti", 30),
        )?
        .id();
    let question = desk
        .ingest_comment(
            admin,
            a.id,
            &comment(
                "c-2",
                "Giulia M.",
                "Buongiorno, fino a quando resterà chiusa via Garibaldi?",
                45,
            ),
        )?
        .id();
    let praise = desk
        .ingest_comment(
            admin,
            a.id,
            &comment("c-3", "Paolo R.", "Finalmente! Era ora, grazie.", 50),
        )?
        .id();
    let other = desk
        .ingest_comment(
            admin,
            b.id,
            &comment("c-4", "Marco T.", "Siete degli incapaci, vergognatevi", 20),
        )?
        .id();

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let info = serde_json::json!({
            "password": PASSWORD,
            "users": [
                {"username": "anna", "role": "moderatore", "account": a.name},
                {"username": "bruno", "role": "moderatore", "account": b.name},
                {"username": "dirigente", "role": "dirigente"},
                {"username": "auditor", "role": "auditor"},
                {"username": "admin", "role": "admin"},
            ],
            "comments": {"threat": threat, "question": question, "praise": praise, "other_account": other},
        });
        let mut out = std::io::stdout().lock();
        writeln!(out, "{info}")?;
        writeln!(out, "listening on http://{}", listener.local_addr()?)?;
        out.flush()?;
        drop(out);
        serve_on(listener, state).await
    })?;
    Ok(())
}
