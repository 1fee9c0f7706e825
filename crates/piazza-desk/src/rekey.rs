//! Changing the key that seals secrets at rest. Every sealed value (the
//! platforms' tokens, the Mastodon webhook secrets, the SMTP passwords) is
//! opened with the key in use and sealed again with the new one, in one
//! transaction: either every value moves to the new key or none does, and
//! a value the current key cannot open stops the change and is named.
//! The values never leave this function; the audit log records how many
//! moved, per administration.

use std::collections::BTreeMap;

use piazza_secrets::SecretKey;

use crate::audit_log::{AuditKind, AuditTarget, entry, record};
use crate::ids::AdminId;
use crate::{Desk, DeskError, Result};

/// What [`Desk::reseal_secrets`] moved to the new key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResealReport {
    pub tokens: u64,
    pub webhook_secrets: u64,
    pub mail_passwords: u64,
}

impl ResealReport {
    pub fn total(&self) -> u64 {
        self.tokens + self.webhook_secrets + self.mail_passwords
    }
}

impl Desk {
    /// Seals every stored secret again under `new` (see the module). The
    /// desk keeps using its current key afterwards: the caller restarts
    /// Piazza with the new one.
    pub fn reseal_secrets(&self, new: &SecretKey) -> Result<ResealReport> {
        let old = self.secret_key()?;
        let now = self.now();
        let unreadable = |what: String| {
            DeskError::InvalidInput(format!(
                "{what} non si apre con la chiave in uso: nessun segreto è stato cambiato (la chiave configurata è quella con cui furono cifrati?)"
            ))
        };
        self.write(|tx| {
            let mut report = ResealReport::default();
            let mut per_admin: BTreeMap<i64, u64> = BTreeMap::new();
            let rows = tx.query(
                "SELECT pc.id, pc.account_id, pc.platform_account, pc.token_sealed, pc.webhook_secret_sealed, a.admin_id
                 FROM platform_connections pc JOIN accounts a ON a.id = pc.account_id ORDER BY pc.id",
                &[],
            )?;
            for r in rows {
                let (id, account, platform_account) = (r.int(0)?, r.int(1)?, r.text(2)?);
                let context = crate::platforms::token_context(crate::AccountId(account), &platform_account);
                let token = match r.opt_text(3)? {
                    Some(sealed) => {
                        let plain = old
                            .open(&sealed, &context)
                            .map_err(|_| unreadable(format!("il token del collegamento {id}")))?;
                        report.tokens += 1;
                        Some(new.seal(plain.expose().as_bytes(), &context))
                    }
                    None => None,
                };
                let webhook_context = format!("webhook:{context}");
                let webhook = match r.opt_text(4)? {
                    Some(sealed) => {
                        let plain = old.open(&sealed, &webhook_context).map_err(|_| {
                            unreadable(format!("il segreto del webhook del collegamento {id}"))
                        })?;
                        report.webhook_secrets += 1;
                        Some(new.seal(plain.expose().as_bytes(), &webhook_context))
                    }
                    None => None,
                };
                if token.is_some() || webhook.is_some() {
                    tx.execute(
                        "UPDATE platform_connections SET token_sealed = COALESCE(?, token_sealed), webhook_secret_sealed = COALESCE(?, webhook_secret_sealed) WHERE id = ?",
                        &[token.into(), webhook.into(), id.into()],
                    )?;
                    *per_admin.entry(r.int(5)?).or_default() +=
                        u64::from(r.opt_text(3)?.is_some()) + u64::from(r.opt_text(4)?.is_some());
                }
            }
            for r in tx.query(
                "SELECT admin_id, password_sealed FROM mail_settings WHERE password_sealed IS NOT NULL ORDER BY admin_id",
                &[],
            )? {
                let admin = AdminId(r.int(0)?);
                let context = crate::mail::seal_context(admin);
                let plain = old.open(&r.text(1)?, &context).map_err(|_| {
                    unreadable(format!("la password SMTP dell'ente {}", admin.0))
                })?;
                tx.execute(
                    "UPDATE mail_settings SET password_sealed = ? WHERE admin_id = ?",
                    &[new.seal(plain.expose().as_bytes(), &context).into(), admin.into()],
                )?;
                report.mail_passwords += 1;
                *per_admin.entry(admin.0).or_default() += 1;
            }
            for (admin, n) in per_admin {
                tx.lock_administration(admin)?;
                record(
                    tx,
                    AdminId(admin),
                    now,
                    &entry("cli", AuditKind::SecretsReseal, AuditTarget::Administration, admin)
                        .payload(serde_json::json!({ "secrets": n })),
                )?;
            }
            Ok(report)
        })
    }
}
