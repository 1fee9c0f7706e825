//! The reply clock at work: a sweep that flags items for a courtesy reply
//! before their deadline can be missed and records breaches (both audited),
//! and the notice that tells a citizen when a closed account is next
//! moderated.

use piazza_calendar::jiff::Timestamp;
use serde::Serialize;

use crate::audit_log::{AuditKind, AuditTarget, entry, record};
use crate::ids::{AccountId, AdminId, CommentId};
use crate::{Desk, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct SlaSweep {
    /// Items newly flagged for a courtesy reply.
    pub courtesy_due: u64,
    /// Items whose deadline passed without an answer.
    pub breached: u64,
}

/// "lunedì 28 dicembre alle 9:00", in Europe/Rome.
pub fn italian_when(ms: i64) -> String {
    let Ok(ts) = Timestamp::from_millisecond(ms) else {
        return ms.to_string();
    };
    let z = ts.to_zoned(piazza_calendar::rome().clone());
    format!(
        "{} {} {} alle {}:{:02}",
        piazza_calendar::weekday_name_it(z.weekday()),
        z.day(),
        piazza_calendar::month_name_it(z.month()),
        z.hour(),
        z.minute()
    )
}

impl Desk {
    /// Flags open items whose courtesy time has come and records the ones
    /// past their deadline. Run it periodically (the web desk does).
    pub fn sla_sweep(&self, admin_id: AdminId) -> Result<SlaSweep> {
        let now = self.now();
        self.write(|tx| {
            let mut out = SlaSweep::default();
            let due = tx.query(
                "SELECT id FROM comments WHERE admin_id = ? AND needs_reply = 1 AND answered_at IS NULL AND state <> 'resolved'
                 AND sla_state = 'open' AND courtesy_due_at <= ? AND deadline_at >= ?",
                &[admin_id.into(), now.into(), now.into()],
            )?;
            for r in due {
                let id = CommentId(r.int(0)?);
                tx.execute(
                    "UPDATE comments SET sla_state = 'courtesy_due', version = version + 1 WHERE id = ?",
                    &[id.into()],
                )?;
                record(tx, admin_id, now, &entry("system", AuditKind::SlaCourtesyDue, AuditTarget::Comment, id))?;
                out.courtesy_due += 1;
            }
            let late = tx.query(
                "SELECT id, deadline_at FROM comments WHERE admin_id = ? AND needs_reply = 1 AND answered_at IS NULL
                 AND sla_state IN ('open', 'courtesy_due', 'courtesy_sent') AND deadline_at < ?",
                &[admin_id.into(), now.into()],
            )?;
            for r in late {
                let id = CommentId(r.int(0)?);
                tx.execute(
                    "UPDATE comments SET sla_state = 'breached', version = version + 1 WHERE id = ?",
                    &[id.into()],
                )?;
                record(
                    tx,
                    admin_id,
                    now,
                    &entry("system", AuditKind::SlaBreach, AuditTarget::Comment, id)
                        .payload(serde_json::json!({"deadline_at": r.int(1)?})),
                )?;
                out.breached += 1;
            }
            Ok(out)
        })
    }

    /// When the account is not moderated right now, the notice telling the
    /// citizen when it will be: `None` while it is open or has no hours.
    pub fn closed_notice(
        &self,
        admin_id: AdminId,
        account_id: AccountId,
    ) -> Result<Option<String>> {
        let ctx = self.context(admin_id)?;
        let account = self.account(admin_id, account_id)?;
        let Some(clock) = ctx.clock(&account.hours) else {
            return Ok(None);
        };
        let Ok(now) = Timestamp::from_millisecond(self.now()) else {
            return Ok(None);
        };
        if clock.is_open_at(now) {
            return Ok(None);
        }
        let next = clock
            .next_opening(now)
            .map_err(|e| crate::DeskError::InvalidInput(e.to_string()))?;
        let hours = if account.hours.is_empty() {
            ctx.policy.hours_sentence(None)
        } else {
            let lead = ctx
                .policy
                .moderation
                .hours_lead
                .as_deref()
                .unwrap_or("Pagina moderata");
            piazza_policy::hours_sentence(
                lead,
                &account.hours,
                ctx.policy.moderation.holidays_excluded,
            )
        };
        Ok(Some(format!(
            "Gentile utente, grazie per il tuo messaggio. {hours} Lo leggeremo a partire da {}. {}",
            italian_when(next.as_millisecond()),
            ctx.policy.administration.name
        )))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn italian_dates_read_naturally() {
        // 2026-12-28T09:00:00+01:00
        assert_eq!(
            super::italian_when(1_798_444_800_000),
            "lunedì 28 dicembre alle 9:00"
        );
    }
}
