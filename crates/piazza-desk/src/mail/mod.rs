//! E-mail notifications: to an office when a ticket is forwarded to it or
//! the URP answers its question, to the URP when an office answers or asks.
//!
//! Like the platform outbox, a notification is a row written in the
//! transaction of the step that causes it, so no step is recorded without
//! its mail nor mailed without its record. A worker ([`Desk::send_mail`],
//! run by `piazza serve` and `piazza mail send-pending`) claims due rows
//! with a lease, talks SMTP outside any transaction and records the
//! answer: sent (once: the row is never claimed again), a temporary
//! failure (retried with backoff), a permanent one (failed, with the
//! server's answer). A process that dies between the server's "250" and
//! the record sends the mail again when the lease expires, with the same
//! Message-ID: SMTP has no way to ask whether a message arrived.
//!
//! An office that chose the digest gets its notifications `held`, and one
//! summary a day (at the administration's digest hour, Rome time) folds
//! them in.
//!
//! The SMTP server is the administration's, set by its technical
//! administrator; its password is sealed with the key that seals platform
//! tokens and is never returned, logged or audited.

mod smtp;

use piazza_calendar::jiff::Timestamp;
use piazza_store::Tx;
use serde::Serialize;

use crate::audit_log::{AuditKind, AuditTarget, entry, record};
use crate::ids::{AdminId, MailId, OfficeId, TicketId};
use crate::offices::checked_email;
use crate::outbox::backoff_ms;
use crate::registry::{Actor, Role};
use crate::{Desk, DeskError, Result, SecretString};

closed_set! {
    /// How the connection to the SMTP server is protected.
    pub enum SmtpSecurity ("sicurezza della connessione SMTP") {
        /// Plain SMTP: a relay inside the administration's network only.
        None = "none" => "nessuna (solo rete interna)",
        StartTls = "starttls" => "STARTTLS",
        Tls = "tls" => "TLS implicito",
    }
}

closed_set! {
    /// Where a mail stands.
    pub enum MailState ("stato dell'e-mail") {
        /// Waiting for the office's daily digest.
        Held = "held" => "in attesa del riepilogo giornaliero",
        Pending = "pending" => "da inviare",
        InFlight = "in_flight" => "invio in corso",
        Sent = "sent" => "inviata",
        Failed = "failed" => "non inviata",
        /// Folded into a digest, which is sent in its place.
        Digested = "digested" => "inclusa nel riepilogo",
    }
}

/// An administration's SMTP settings as the desk shows them: never the
/// password, only whether one is stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MailSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub from: String,
    pub username: Option<String>,
    pub has_password: bool,
    /// The web desk's public address, for the links in the mails.
    pub desk_url: Option<String>,
    /// Where the URP's notifications go.
    pub urp_address: Option<String>,
    /// When the daily digests leave (hour, Rome time).
    pub digest_hour: u8,
}

/// New SMTP settings. A `None` password keeps the stored one.
#[derive(Debug, Clone)]
pub struct NewMailSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub from: String,
    pub username: Option<String>,
    pub password: Option<SecretString>,
    pub desk_url: Option<String>,
    pub urp_address: Option<String>,
    pub digest_hour: u8,
}

/// One mail as the desk shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MailItem {
    pub id: MailId,
    pub office_id: Option<OfficeId>,
    pub ticket_id: Option<TicketId>,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub state: MailState,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    pub digest_id: Option<MailId>,
    pub sent_at: Option<i64>,
    pub created_at: i64,
}

/// What one pass of the mail worker did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct MailRun {
    pub digests: u64,
    pub claimed: u64,
    pub sent: u64,
    pub retrying: u64,
    pub failed: u64,
}

/// After this many temporary failures a mail stops retrying.
pub const MAX_MAIL_ATTEMPTS: i64 = 10;

/// The context the SMTP password is sealed for: a sealed value copied to
/// another administration does not open.
pub(crate) fn seal_context(admin_id: AdminId) -> String {
    format!("smtp:{admin_id}")
}

/// A mail to write in the caller's transaction.
pub(crate) struct NewMail<'a> {
    pub admin_id: AdminId,
    pub office_id: Option<OfficeId>,
    pub ticket_id: Option<TicketId>,
    pub recipient: &'a str,
    pub subject: String,
    pub body: String,
    /// For an office that wants the daily digest.
    pub held: bool,
}

pub(crate) fn enqueue(tx: &mut Tx<'_>, mail: &NewMail<'_>, now: i64) -> Result<MailId> {
    let state = if mail.held {
        MailState::Held
    } else {
        MailState::Pending
    };
    Ok(MailId(tx.insert(
        "INSERT INTO mail_outbox (admin_id, office_id, ticket_id, recipient, subject, body, state, attempts, next_attempt_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?) RETURNING id",
        &[
            mail.admin_id.into(),
            mail.office_id.into(),
            mail.ticket_id.into(),
            mail.recipient.into(),
            (&mail.subject).into(),
            (&mail.body).into(),
            state.into(),
            now.into(),
            now.into(),
        ],
    )?))
}

/// The web desk's address and the URP's, as the notifications need them.
pub(crate) struct Addresses {
    pub desk_url: String,
    pub urp: Option<String>,
}

pub(crate) fn addresses(tx: &mut Tx<'_>, admin_id: AdminId) -> Result<Addresses> {
    let row = tx.query_opt(
        "SELECT desk_url, urp_address FROM mail_settings WHERE admin_id = ?",
        &[admin_id.into()],
    )?;
    let (desk_url, urp) = match row {
        Some(r) => (r.opt_text(0)?, r.opt_text(1)?),
        None => (None, None),
    };
    Ok(Addresses {
        desk_url: desk_url
            .map(|u| u.trim_end_matches('/').to_string())
            .unwrap_or_default(),
        urp,
    })
}

const ITEM_COLUMNS: &str = "id, office_id, ticket_id, recipient, subject, body, state, attempts, next_attempt_at, last_error, digest_id, sent_at, created_at";

fn item_from(r: &piazza_store::Row) -> Result<MailItem> {
    Ok(MailItem {
        id: MailId(r.int(0)?),
        office_id: r.opt_int(1)?.map(OfficeId),
        ticket_id: r.opt_int(2)?.map(TicketId),
        recipient: r.text(3)?,
        subject: r.text(4)?,
        body: r.text(5)?,
        state: r.text(6)?.parse()?,
        attempts: r.int(7)?,
        next_attempt_at: r.int(8)?,
        last_error: r.opt_text(9)?,
        digest_id: r.opt_int(10)?.map(MailId),
        sent_at: r.opt_int(11)?,
        created_at: r.int(12)?,
    })
}

/// A claimed mail with its server.
struct Claimed {
    id: MailId,
    admin_id: AdminId,
    office_id: Option<OfficeId>,
    ticket_id: Option<TicketId>,
    recipient: String,
    subject: String,
    body: String,
    host: String,
    port: u16,
    security: SmtpSecurity,
    from: String,
    username: Option<String>,
    password_sealed: Option<String>,
}

/// Whether an office's digest is due at `now`: past the digest hour of
/// today (Rome time), and none sent yet today.
fn digest_due(now: i64, last: Option<i64>, hour: i64) -> bool {
    let rome = piazza_calendar::rome().clone();
    let Ok(now) = Timestamp::from_millisecond(now) else {
        return false;
    };
    let now = now.to_zoned(rome.clone());
    if i64::from(now.hour()) < hour {
        return false;
    }
    match last.and_then(|l| Timestamp::from_millisecond(l).ok()) {
        Some(l) => l.to_zoned(rome).date() < now.date(),
        None => true,
    }
}

impl Desk {
    /// Sets the administration's SMTP server (the technical
    /// administrator's job). The password is sealed before it is stored;
    /// the audit entry says only whether one was given.
    pub fn set_mail_settings(&self, by: &Actor, new: NewMailSettings) -> Result<MailSettings> {
        by.require(&[Role::Admin], "configurare il server di posta")?;
        let host = new.host.trim().to_string();
        if host.is_empty() || new.port == 0 {
            return Err(DeskError::InvalidInput(
                "indica il server SMTP e la sua porta".into(),
            ));
        }
        let from = checked_email(Some(&new.from))?
            .ok_or_else(|| DeskError::InvalidInput("indica l'indirizzo del mittente".into()))?;
        let urp = checked_email(new.urp_address.as_deref())?;
        if new.digest_hour > 23 {
            return Err(DeskError::InvalidInput(
                "l'ora del riepilogo va da 0 a 23".into(),
            ));
        }
        let desk_url = new
            .desk_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(|u| u.trim_end_matches('/').to_string());
        if let Some(u) = &desk_url
            && !(u.starts_with("https://") || u.starts_with("http://"))
        {
            return Err(DeskError::InvalidInput(format!(
                "l'indirizzo della scrivania `{u}` deve iniziare con https://"
            )));
        }
        let sealed = match &new.password {
            Some(p) if !p.is_empty() => Some(
                self.secret_key()?
                    .seal(p.expose().as_bytes(), &seal_context(by.admin_id)),
            ),
            _ => None,
        };
        let username = new
            .username
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(String::from);
        let now = self.now();
        self.write(|tx| {
            let existing = tx
                .query_opt(
                    "SELECT password_sealed FROM mail_settings WHERE admin_id = ?",
                    &[by.admin_id.into()],
                )?
                .map(|r| r.opt_text(0))
                .transpose()?;
            let password = sealed.clone().or(existing.clone().flatten());
            if existing.is_some() {
                tx.execute(
                    "UPDATE mail_settings SET host = ?, port = ?, security = ?, from_address = ?, username = ?, password_sealed = ?, desk_url = ?, urp_address = ?, digest_hour = ?, updated_at = ? WHERE admin_id = ?",
                    &[(&host).into(), i64::from(new.port).into(), new.security.into(), (&from).into(), username.clone().into(), password.into(), desk_url.clone().into(), urp.clone().into(), i64::from(new.digest_hour).into(), now.into(), by.admin_id.into()],
                )?;
            } else {
                tx.execute(
                    "INSERT INTO mail_settings (admin_id, host, port, security, from_address, username, password_sealed, desk_url, urp_address, digest_hour, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    &[by.admin_id.into(), (&host).into(), i64::from(new.port).into(), new.security.into(), (&from).into(), username.clone().into(), password.into(), desk_url.clone().into(), urp.clone().into(), i64::from(new.digest_hour).into(), now.into()],
                )?;
            }
            record(
                tx,
                by.admin_id,
                now,
                &entry(by.audit_name(), AuditKind::MailSettings, AuditTarget::Administration, by.admin_id)
                    .payload(serde_json::json!({
                        "host": host, "port": new.port, "security": new.security,
                        "password_changed": sealed.is_some(),
                    })),
            )?;
            Ok(())
        })?;
        self.mail_settings(by.admin_id)?.ok_or(DeskError::NotFound {
            what: "impostazioni di posta",
            id: by.admin_id.to_string(),
        })
    }

    /// The administration's SMTP settings, without the password.
    pub fn mail_settings(&self, admin_id: AdminId) -> Result<Option<MailSettings>> {
        let row = self.read(|tx| {
            Ok(tx.query_opt(
                "SELECT host, port, security, from_address, username, password_sealed IS NOT NULL, desk_url, urp_address, digest_hour FROM mail_settings WHERE admin_id = ?",
                &[admin_id.into()],
            )?)
        })?;
        row.map(|r| {
            Ok(MailSettings {
                host: r.text(0)?,
                port: u16::try_from(r.int(1)?).unwrap_or(25),
                security: r.text(2)?.parse()?,
                from: r.text(3)?,
                username: r.opt_text(4)?,
                has_password: r.bool(5)?,
                desk_url: r.opt_text(6)?,
                urp_address: r.opt_text(7)?,
                digest_hour: u8::try_from(r.int(8)?).unwrap_or(8),
            })
        })
        .transpose()
    }

    /// The mails of an administration, newest first (`states` empty: all).
    /// One mail of the administration.
    pub fn mail(&self, admin_id: AdminId, id: MailId) -> Result<Option<MailItem>> {
        let row = self.read(|tx| {
            Ok(tx.query_opt(
                &format!("SELECT {ITEM_COLUMNS} FROM mail_outbox WHERE admin_id = ? AND id = ?"),
                &[admin_id.into(), id.into()],
            )?)
        })?;
        row.as_ref().map(item_from).transpose()
    }

    pub fn mail_outbox(
        &self,
        admin_id: AdminId,
        states: &[MailState],
        limit: i64,
    ) -> Result<Vec<MailItem>> {
        let mut sql = format!("SELECT {ITEM_COLUMNS} FROM mail_outbox WHERE admin_id = ?");
        let mut params: Vec<piazza_store::Value> = vec![admin_id.into()];
        if !states.is_empty() {
            sql.push_str(&format!(
                " AND state IN ({})",
                vec!["?"; states.len()].join(", ")
            ));
            params.extend(states.iter().map(|s| (*s).into()));
        }
        sql.push_str(" ORDER BY id DESC LIMIT ?");
        params.push(if limit > 0 { limit } else { 100 }.into());
        let rows = self.read(|tx| Ok(tx.query(&sql, &params)?))?;
        rows.iter().map(item_from).collect()
    }

    /// One pass of the mail worker: folds due digests, then sends up to
    /// `limit` due mails of every administration with SMTP settings. Each
    /// answer is recorded in its own transaction.
    pub fn send_mail(&self, limit: i64) -> Result<MailRun> {
        let mut run = MailRun {
            digests: self.assemble_digests()?,
            ..MailRun::default()
        };
        let claimed = self.claim_mail(limit, self.now())?;
        run.claimed = claimed.len() as u64;
        for c in claimed {
            let outcome = self.deliver_mail(&c);
            match self.record_mail(&c, outcome)? {
                MailState::Sent => run.sent += 1,
                MailState::Pending => run.retrying += 1,
                _ => run.failed += 1,
            }
        }
        Ok(run)
    }

    fn deliver_mail(&self, c: &Claimed) -> std::result::Result<(), smtp::SendFailure> {
        let password = match &c.password_sealed {
            Some(sealed) => Some(
                self.secret_key()
                    .map_err(|e| smtp::SendFailure::Transient(e.message_it()))?
                    .open(sealed, &seal_context(c.admin_id))
                    .map_err(|_| {
                        smtp::SendFailure::Transient(
                            "la password SMTP salvata non si apre con la chiave attuale: impostala di nuovo".into(),
                        )
                    })?,
            ),
            None => None,
        };
        smtp::send(
            &smtp::Server {
                host: &c.host,
                port: c.port,
                security: c.security,
                username: c.username.as_deref(),
                password: password.as_ref(),
            },
            &smtp::Outgoing {
                message_id: format!("<piazza-mail-{}-{}@piazza.invalid>", c.admin_id, c.id),
                from: &c.from,
                to: &c.recipient,
                subject: &c.subject,
                body: &c.body,
            },
        )
    }

    /// Claims due mails: pending ones whose time has come, and in-flight
    /// ones whose attempt's lease expired (its process is presumed dead).
    fn claim_mail(&self, limit: i64, now: i64) -> Result<Vec<Claimed>> {
        let lease = self.platforms.lease_ms;
        self.write(|tx| {
            let lock = match tx.kind() {
                piazza_store::BackendKind::Postgres => " FOR UPDATE OF m SKIP LOCKED",
                piazza_store::BackendKind::Sqlite => "",
            };
            let rows = tx.query(
                &format!(
                    "SELECT m.id, m.admin_id, m.office_id, m.ticket_id, m.recipient, m.subject, m.body,
                            s.host, s.port, s.security, s.from_address, s.username, s.password_sealed
                     FROM mail_outbox m JOIN mail_settings s ON s.admin_id = m.admin_id
                     WHERE (m.state = 'pending' AND m.next_attempt_at <= ?) OR (m.state = 'in_flight' AND m.lease_until <= ?)
                     ORDER BY m.id LIMIT ?{lock}"
                ),
                &[now.into(), now.into(), limit.into()],
            )?;
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                let id = MailId(r.int(0)?);
                tx.execute(
                    "UPDATE mail_outbox SET state = 'in_flight', attempts = attempts + 1, lease_until = ? WHERE id = ?",
                    &[(now + lease).into(), id.into()],
                )?;
                out.push(Claimed {
                    id,
                    admin_id: AdminId(r.int(1)?),
                    office_id: r.opt_int(2)?.map(OfficeId),
                    ticket_id: r.opt_int(3)?.map(TicketId),
                    recipient: r.text(4)?,
                    subject: r.text(5)?,
                    body: r.text(6)?,
                    host: r.text(7)?,
                    port: u16::try_from(r.int(8)?).unwrap_or(25),
                    security: r.text(9)?.parse()?,
                    from: r.text(10)?,
                    username: r.opt_text(11)?,
                    password_sealed: r.opt_text(12)?,
                });
            }
            Ok(out)
        })
    }

    fn record_mail(
        &self,
        c: &Claimed,
        outcome: std::result::Result<(), smtp::SendFailure>,
    ) -> Result<MailState> {
        let now = self.now();
        self.write(|tx| {
            let payload = |extra: serde_json::Value| {
                let mut p = serde_json::json!({"ticket": c.ticket_id, "office": c.office_id});
                if let (Some(p), Some(e)) = (p.as_object_mut(), extra.as_object()) {
                    p.extend(e.clone());
                }
                p
            };
            let fail = |tx: &mut Tx<'_>, message: &str| -> Result<MailState> {
                tx.execute(
                    "UPDATE mail_outbox SET state = 'failed', lease_until = NULL, last_error = ? WHERE id = ?",
                    &[message.into(), c.id.into()],
                )?;
                record(
                    tx,
                    c.admin_id,
                    now,
                    &entry("system", AuditKind::MailFailed, AuditTarget::Mail, c.id)
                        .payload(payload(serde_json::json!({"error": message}))),
                )?;
                Ok(MailState::Failed)
            };
            match outcome {
                Ok(()) => {
                    tx.execute(
                        "UPDATE mail_outbox SET state = 'sent', sent_at = ?, lease_until = NULL, last_error = NULL WHERE id = ?",
                        &[now.into(), c.id.into()],
                    )?;
                    record(
                        tx,
                        c.admin_id,
                        now,
                        &entry("system", AuditKind::MailSent, AuditTarget::Mail, c.id)
                            .payload(payload(serde_json::json!({}))),
                    )?;
                    Ok(MailState::Sent)
                }
                Err(smtp::SendFailure::Transient(message)) => {
                    let attempts = tx
                        .query_one("SELECT attempts FROM mail_outbox WHERE id = ?", &[c.id.into()])?
                        .int(0)?;
                    if attempts >= MAX_MAIL_ATTEMPTS {
                        return fail(
                            tx,
                            &format!("{attempts} tentativi non riusciti; ultimo errore: {message}"),
                        );
                    }
                    let wait = backoff_ms(attempts, rand::random::<f64>());
                    tx.execute(
                        "UPDATE mail_outbox SET state = 'pending', next_attempt_at = ?, lease_until = NULL, last_error = ? WHERE id = ?",
                        &[(now + wait).into(), message.into(), c.id.into()],
                    )?;
                    Ok(MailState::Pending)
                }
                Err(smtp::SendFailure::Permanent(message)) => fail(tx, &message),
            }
        })
    }

    /// Folds each digest office's held notifications into one summary,
    /// when its digest is due. Returns how many digests were made.
    fn assemble_digests(&self) -> Result<u64> {
        let now = self.now();
        self.write(|tx| {
            let offices = tx.query(
                "SELECT o.id, o.admin_id, o.name, o.email, o.last_digest_at, s.digest_hour, s.desk_url
                 FROM offices o JOIN mail_settings s ON s.admin_id = o.admin_id
                 WHERE EXISTS (SELECT 1 FROM mail_outbox m WHERE m.office_id = o.id AND m.state = 'held')
                 ORDER BY o.id",
                &[],
            )?;
            let mut made = 0;
            for o in offices {
                let (office, admin_id) = (OfficeId(o.int(0)?), AdminId(o.int(1)?));
                let Some(email) = o.opt_text(3)? else {
                    continue;
                };
                if !digest_due(now, o.opt_int(4)?, o.int(5)?) {
                    continue;
                }
                let name = o.text(2)?;
                let desk_url = o
                    .opt_text(6)?
                    .map(|u| u.trim_end_matches('/').to_string())
                    .unwrap_or_default();
                let held = tx.query(
                    "SELECT id, subject FROM mail_outbox WHERE office_id = ? AND state = 'held' ORDER BY id",
                    &[office.into()],
                )?;
                let lines: Vec<String> = held
                    .iter()
                    .map(|r| Ok(format!("- {}", r.text(1)?)))
                    .collect::<Result<_>>()?;
                let body = format!(
                    "Buongiorno,\n\nquesto è il riepilogo giornaliero delle notifiche per l'ufficio «{name}» ({n}):\n\n{list}\n\nPer leggere le segnalazioni e rispondere: {desk_url}/desk/ticket\n\nIl testo dei commenti non è riportato nelle e-mail: si legge nella scrivania di Piazza, dopo l'accesso.\n\n-- \nPiazza, scrivania dei social dell'ente (messaggio automatico)",
                    n = lines.len(),
                    list = lines.join("\n"),
                );
                let digest = enqueue(
                    tx,
                    &NewMail {
                        admin_id,
                        office_id: Some(office),
                        ticket_id: None,
                        recipient: &email,
                        subject: format!(
                            "[Piazza] Riepilogo giornaliero per {name}: {} notifiche",
                            lines.len()
                        ),
                        body,
                        held: false,
                    },
                    now,
                )?;
                tx.execute(
                    "UPDATE mail_outbox SET state = 'digested', digest_id = ? WHERE office_id = ? AND state = 'held'",
                    &[digest.into(), office.into()],
                )?;
                tx.execute(
                    "UPDATE offices SET last_digest_at = ? WHERE id = ?",
                    &[now.into(), office.into()],
                )?;
                record(
                    tx,
                    admin_id,
                    now,
                    &entry("system", AuditKind::MailDigest, AuditTarget::Mail, digest)
                        .payload(serde_json::json!({"office": office, "notifications": lines.len()})),
                )?;
                made += 1;
            }
            Ok(made)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-23T10:00:00+01:00.
    const MONDAY_10: i64 = 1_795_424_400_000;
    const HOUR: i64 = 3_600_000;

    #[test]
    fn a_digest_is_due_once_a_day_after_its_hour() {
        assert!(digest_due(MONDAY_10, None, 8));
        assert!(!digest_due(MONDAY_10, None, 11), "before the hour");
        assert!(
            !digest_due(MONDAY_10, Some(MONDAY_10 - HOUR), 8),
            "already sent today"
        );
        assert!(digest_due(MONDAY_10, Some(MONDAY_10 - 24 * HOUR), 8));
        // Sunday 23:00 Rome time is another day than Monday 10:00.
        assert!(digest_due(MONDAY_10, Some(MONDAY_10 - 11 * HOUR), 8));
    }

    #[test]
    fn states_and_securities_round_trip() {
        for s in MailState::ALL {
            assert_eq!(s.as_str().parse::<MailState>().unwrap(), *s);
        }
        assert_eq!(
            "starttls".parse::<SmtpSecurity>().unwrap(),
            SmtpSecurity::StartTls
        );
        assert!("ssl3".parse::<SmtpSecurity>().is_err());
    }
}
