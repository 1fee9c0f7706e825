//! SMTP delivery of one mail through `lettre`: plain SMTP (a relay on the
//! local network, or a test sink on loopback), STARTTLS or implicit TLS,
//! with optional credentials. A 4xx answer or a connection that fails is
//! temporary (retried); a 5xx answer or a bad address is permanent.
//!
//! Nothing here logs or returns the password: lettre's errors name the
//! server's answer, never the credentials.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Message, SmtpTransport, Transport};
use piazza_platforms::SecretString;

use super::SmtpSecurity;

/// Where and how to connect.
pub(crate) struct Server<'a> {
    pub host: &'a str,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<&'a str>,
    pub password: Option<&'a SecretString>,
}

/// One mail.
pub(crate) struct Outgoing<'a> {
    /// Stable per row: if a mail is sent again after a crash, the
    /// recipients' systems can tell it is the same message.
    pub message_id: String,
    pub from: &'a str,
    pub to: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
}

/// Why a mail did not leave.
#[derive(Debug)]
pub(crate) enum SendFailure {
    Transient(String),
    Permanent(String),
}

/// How long one SMTP conversation may take.
const TIMEOUT: Duration = Duration::from_secs(30);

pub(crate) fn send(server: &Server<'_>, mail: &Outgoing<'_>) -> Result<(), SendFailure> {
    let from = mail
        .from
        .parse()
        .map_err(|e| SendFailure::Permanent(format!("mittente `{}` non valido: {e}", mail.from)))?;
    let to = mail.to.parse().map_err(|e| {
        SendFailure::Permanent(format!("destinatario `{}` non valido: {e}", mail.to))
    })?;
    let message = Message::builder()
        .from(from)
        .to(to)
        .subject(mail.subject)
        .message_id(Some(mail.message_id.clone()))
        .header(ContentType::TEXT_PLAIN)
        .body(mail.body.to_string())
        .map_err(|e| SendFailure::Permanent(format!("messaggio non valido: {e}")))?;
    let builder = match server.security {
        SmtpSecurity::None => SmtpTransport::builder_dangerous(server.host),
        SmtpSecurity::StartTls => SmtpTransport::starttls_relay(server.host)
            .map_err(|e| SendFailure::Permanent(format!("TLS: {e}")))?,
        SmtpSecurity::Tls => SmtpTransport::relay(server.host)
            .map_err(|e| SendFailure::Permanent(format!("TLS: {e}")))?,
    };
    let mut builder = builder.port(server.port).timeout(Some(TIMEOUT));
    if let (Some(user), Some(password)) = (server.username, server.password) {
        builder = builder.credentials(Credentials::new(
            user.to_string(),
            password.expose().to_string(),
        ));
    }
    let transport = builder.build();
    match transport.send(&message) {
        Ok(_) => Ok(()),
        Err(e) if e.is_permanent() => Err(SendFailure::Permanent(e.to_string())),
        // 4xx answers, refused connections, timeouts: try again later.
        Err(e) => Err(SendFailure::Transient(e.to_string())),
    }
}
