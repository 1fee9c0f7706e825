//! Staff logins and server-side sessions. The cookie carries a random token;
//! the database keeps only its SHA-256, so a stolen database does not hold
//! live sessions. Repeated failures lock the account for a while.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::audit_log::{AuditKind, AuditTarget, entry, record};
use crate::auth::verify_password;
use crate::ids::{AdminId, StaffId};
use crate::registry::Actor;
use crate::{Desk, DeskError, Result};

/// Failed attempts before a lockout, and how long it lasts.
pub const MAX_FAILED_LOGINS: i64 = 5;
pub const LOCKOUT_MS: i64 = 15 * 60 * 1000;
/// Sessions last a working day.
pub const SESSION_MS: i64 = 10 * 60 * 60 * 1000;

/// A new session: the token goes in the cookie, never in the database.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewSession {
    pub token: String,
    pub session_id: i64,
    pub expires_at: i64,
    pub actor: Actor,
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn random_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The least time a refused login takes: more than a password check and
/// the write that counts the failure, so all refusals take the same time.
pub const FAILED_LOGIN_FLOOR: std::time::Duration = std::time::Duration::from_millis(150);

/// A real hash with the deployment's parameters, checked when there is no
/// user, so that an unknown name costs what a known one costs.
static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    crate::auth::hash_password("piazza: nessun utente con questo nome").unwrap_or_default()
});

impl Desk {
    /// Checks a username and password. The same error is returned for an
    /// unknown user and a wrong password, so usernames cannot be probed;
    /// and every refusal (unknown user, wrong password, locked account)
    /// spends a password check and takes at least [`FAILED_LOGIN_FLOOR`],
    /// so the time of the answer tells nothing either.
    pub fn login(&self, username: &str, password: &str) -> Result<NewSession> {
        let started = std::time::Instant::now();
        let outcome = self.check_login(username, password);
        if outcome.is_err()
            && let Some(rest) = FAILED_LOGIN_FLOOR.checked_sub(started.elapsed())
        {
            std::thread::sleep(rest);
        }
        outcome
    }

    fn check_login(&self, username: &str, password: &str) -> Result<NewSession> {
        let now = self.now();
        let wrong = || DeskError::Forbidden("nome utente o password non corretti".into());
        let row = self.read(|tx| {
            Ok(tx.query_opt(
                "SELECT id, admin_id, password_hash, active, failed_logins, locked_until FROM staff WHERE username = ?",
                &[username.into()],
            )?)
        })?;
        let Some(row) = row else {
            // Spend the time of a real check so timing does not tell.
            let _ = verify_password(password, &DUMMY_HASH);
            return Err(wrong());
        };
        let (staff_id, admin_id) = (StaffId(row.int(0)?), AdminId(row.int(1)?));
        if let Some(until) = row.opt_int(5)?
            && until > now
        {
            // As long as a real check, so a lockout cannot be told apart.
            let _ = verify_password(
                password,
                &row.opt_text(2)?.unwrap_or_else(|| DUMMY_HASH.clone()),
            );
            return Err(DeskError::Forbidden(format!(
                "troppi tentativi falliti: accesso bloccato per {} minuti",
                (until - now) / 60_000 + 1
            )));
        }
        let ok = row.bool(3)?
            && row
                .opt_text(2)?
                .is_some_and(|h| verify_password(password, &h));
        if !ok {
            let failed = row.int(4)? + 1;
            let lock = (failed >= MAX_FAILED_LOGINS).then_some(now + LOCKOUT_MS);
            self.write(|tx| {
                tx.execute(
                    "UPDATE staff SET failed_logins = ?, locked_until = ? WHERE id = ?",
                    &[
                        if lock.is_some() { 0 } else { failed }.into(),
                        lock.into(),
                        staff_id.into(),
                    ],
                )?;
                if lock.is_some() {
                    record(
                        tx,
                        admin_id,
                        now,
                        &entry(
                            "system",
                            AuditKind::LoginLockout,
                            AuditTarget::Staff,
                            staff_id,
                        ),
                    )?;
                }
                Ok(())
            })?;
            return Err(wrong());
        }
        let actor = self.actor_by_id(staff_id)?;
        let token = random_token();
        let expires_at = now + SESSION_MS;
        let session_id = self.write(|tx| {
            tx.execute(
                "UPDATE staff SET failed_logins = 0, locked_until = NULL WHERE id = ?",
                &[staff_id.into()],
            )?;
            let id = tx.insert(
                "INSERT INTO sessions (admin_id, token_sha256, staff_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
                &[admin_id.into(), token_hash(&token).into(), staff_id.into(), now.into(), expires_at.into()],
            )?;
            record(tx, admin_id, now, &entry(actor.audit_name(), AuditKind::Login, AuditTarget::Session, id))?;
            Ok(id)
        })?;
        Ok(NewSession {
            token,
            session_id,
            expires_at,
            actor,
        })
    }

    /// Opens a session for the staff member an external identity provider
    /// (OIDC) vouched for: `identity` is the value of the configured claim,
    /// matched against the staff e-mail (case-insensitively) or the
    /// username (exactly). Nobody is ever created here: an identity that
    /// matches nobody is refused with `NotFound`, one that matches only
    /// deactivated people or several active ones with `Forbidden`; either
    /// way a person has to fix the registry.
    ///
    /// The password lockout does not apply: it counts password guesses,
    /// and letting them block the provider's login would hand anyone who
    /// knows a username a way to lock that person out. The session and its
    /// audit entry are those of a password login, with the provider named
    /// in the entry.
    pub fn login_external(&self, identity: &str, provider: &str) -> Result<NewSession> {
        let identity = identity.trim();
        let unknown = || DeskError::NotFound {
            what: "persona",
            id: identity.to_string(),
        };
        if identity.is_empty() || identity.len() > 320 {
            return Err(unknown());
        }
        let rows = self.read(|tx| {
            Ok(tx.query(
                "SELECT id, active FROM staff WHERE LOWER(email) = LOWER(?) OR username = ? ORDER BY id",
                &[identity.into(), identity.into()],
            )?)
        })?;
        let mut active = Vec::new();
        for row in &rows {
            if row.bool(1)? {
                active.push(StaffId(row.int(0)?));
            }
        }
        let staff_id = match active.as_slice() {
            [] if rows.is_empty() => return Err(unknown()),
            [] => {
                return Err(DeskError::Forbidden(format!(
                    "{identity} non è più in servizio"
                )));
            }
            [one] => *one,
            _ => {
                return Err(DeskError::Forbidden(format!(
                    "{identity} corrisponde a {} persone in servizio",
                    active.len()
                )));
            }
        };
        let actor = self.actor_by_id(staff_id)?;
        let now = self.now();
        let token = random_token();
        let expires_at = now + SESSION_MS;
        let session_id = self.write(|tx| {
            let id = tx.insert(
                "INSERT INTO sessions (admin_id, token_sha256, staff_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
                &[actor.admin_id.into(), token_hash(&token).into(), staff_id.into(), now.into(), expires_at.into()],
            )?;
            record(
                tx,
                actor.admin_id,
                now,
                &entry(actor.audit_name(), AuditKind::Login, AuditTarget::Session, id)
                    .payload(serde_json::json!({"method": "oidc", "provider": provider})),
            )?;
            Ok(id)
        })?;
        Ok(NewSession {
            token,
            session_id,
            expires_at,
            actor,
        })
    }

    /// The person behind a session token, if the session is live. One
    /// statement: every request of a signed-in person asks this first.
    pub fn session(&self, token: &str) -> Result<Option<(i64, Actor)>> {
        let now = self.now();
        let row = self.read(|tx| {
            Ok(tx.query_opt(
                "SELECT s.id, st.id, st.admin_id, st.username, st.full_name, st.roles, st.active
                 FROM sessions s JOIN staff st ON st.id = s.staff_id
                 WHERE s.token_sha256 = ? AND s.revoked_at IS NULL AND s.expires_at > ?",
                &[token_hash(token).into(), now.into()],
            )?)
        })?;
        let Some(row) = row else { return Ok(None) };
        // A deactivated person's sessions die with them.
        if !row.bool(6)? {
            return Ok(None);
        }
        Ok(Some((
            row.int(0)?,
            Actor {
                staff_id: StaffId(row.int(1)?),
                admin_id: AdminId(row.int(2)?),
                username: row.text(3)?,
                full_name: row.text(4)?,
                roles: crate::registry::parse_roles(&row.text(5)?)?,
            },
        )))
    }

    pub fn logout(&self, token: &str) -> Result<()> {
        let now = self.now();
        self.write(|tx| {
            Ok(tx.execute(
                "UPDATE sessions SET revoked_at = ? WHERE token_sha256 = ? AND revoked_at IS NULL",
                &[now.into(), token_hash(token).into()],
            )?)
        })?;
        Ok(())
    }

    /// Sets a person's password (their own, or an administrator's reset).
    pub fn set_password(&self, by: &Actor, username: &str, password: &str) -> Result<()> {
        if by.username != username {
            by.require(
                &[crate::Role::Admin],
                "reimpostare la password di un'altra persona",
            )?;
        }
        let target = self.actor(by.admin_id, username)?;
        let hash = crate::auth::hash_password(password)?;
        let now = self.now();
        self.write(|tx| {
            tx.execute(
                "UPDATE staff SET password_hash = ?, failed_logins = 0, locked_until = NULL WHERE id = ?",
                &[hash.into(), target.staff_id.into()],
            )?;
            // Changing a password ends every other session of that person.
            tx.execute(
                "UPDATE sessions SET revoked_at = ? WHERE staff_id = ? AND revoked_at IS NULL",
                &[now.into(), target.staff_id.into()],
            )?;
            Ok(record(
                tx,
                by.admin_id,
                now,
                &entry(by.audit_name(), AuditKind::StaffPassword, AuditTarget::Staff, target.staff_id),
            )?)
        })?;
        Ok(())
    }
}
