//! The reply clock at work: a sweep that flags items for a courtesy reply
//! before their deadline can be missed and records breaches (both audited),
//! and the notice that tells a citizen when a closed account is next
//! moderated.

use piazza_calendar::jiff::Timestamp;
use serde::Serialize;

use piazza_platforms::{Capabilities, Operation, Platform, Support};
use piazza_store::Tx;

use crate::audit_log::{AuditKind, AuditTarget, entry, record};
use crate::context::AdminContext;
use crate::ids::{AccountId, AdminId, CommentId};
use crate::ingest::{IncomingEvent, IngestOutcome};
use crate::outbox::{Step, Target, enqueue};
use crate::registry::Account;
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
            // Every comment first, the audit entries (which take the
            // administration's lock) after: rows first, the administration
            // last, the order of every writer (`Tx::lock_administration`).
            let mut courtesy = Vec::new();
            for r in due {
                let id = CommentId(r.int(0)?);
                tx.execute(
                    "UPDATE comments SET sla_state = 'courtesy_due', version = version + 1 WHERE id = ?",
                    &[id.into()],
                )?;
                courtesy.push(id);
            }
            let late = tx.query(
                "SELECT id, deadline_at FROM comments WHERE admin_id = ? AND needs_reply = 1 AND answered_at IS NULL
                 AND sla_state IN ('open', 'courtesy_due', 'courtesy_sent') AND deadline_at < ?",
                &[admin_id.into(), now.into()],
            )?;
            let mut breached = Vec::new();
            for r in late {
                let id = CommentId(r.int(0)?);
                tx.execute(
                    "UPDATE comments SET sla_state = 'breached', version = version + 1 WHERE id = ?",
                    &[id.into()],
                )?;
                breached.push((id, r.int(1)?));
            }
            for id in courtesy {
                record(tx, admin_id, now, &entry("system", AuditKind::SlaCourtesyDue, AuditTarget::Comment, id))?;
                out.courtesy_due += 1;
            }
            for (id, deadline_at) in breached {
                record(
                    tx,
                    admin_id,
                    now,
                    &entry("system", AuditKind::SlaBreach, AuditTarget::Comment, id)
                        .payload(serde_json::json!({"deadline_at": deadline_at})),
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
        Ok(closed_notice_at(&ctx, &account, self.now())?.map(|n| n.text))
    }
}

/// The out-of-hours notice of an account at an instant.
pub(crate) struct ClosedNotice {
    pub text: String,
    /// When the account is next moderated: the end of this closed stretch.
    pub opens_at: i64,
}

/// `None` while the account is moderated, or when it states no hours.
pub(crate) fn closed_notice_at(
    ctx: &AdminContext,
    account: &Account,
    now_ms: i64,
) -> Result<Option<ClosedNotice>> {
    let Some(clock) = ctx.clock(&account.hours) else {
        return Ok(None);
    };
    let Ok(now) = Timestamp::from_millisecond(now_ms) else {
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
    Ok(Some(ClosedNotice {
        text: format!(
            "Gentile utente, grazie per il tuo messaggio. {hours} Lo leggeremo a partire da {}. {}",
            italian_when(next.as_millisecond()),
            ctx.policy.administration.name
        ),
        opens_at: next.as_millisecond(),
    }))
}

/// How long after it was written a comment still gets the notice: a
/// backlog read after a long outage is not answered with "we will read it
/// on Monday" days later.
const NOTICE_FRESHNESS_MS: i64 = 6 * 3_600_000;

/// Queues the out-of-hours notice for the questions just ingested from the
/// platform, when the policy asks for it (`moderation.closed_notice`), the
/// account is connected and can reply, and the author was not already told
/// in this closed stretch. Runs in the ingest transaction: the notice is
/// queued with the comment or not at all.
pub(crate) fn queue_closed_notices(
    tx: &mut Tx<'_>,
    ctx: &AdminContext,
    account: &Account,
    events: &[IncomingEvent],
    outcomes: &[IngestOutcome],
    now: i64,
) -> Result<u64> {
    if !ctx.policy.moderation.closed_notice {
        return Ok(0);
    }
    let Some(notice) = closed_notice_at(ctx, account, now)? else {
        return Ok(0);
    };
    let connected = tx
        .query_opt(
            "SELECT id FROM platform_connections WHERE admin_id = ? AND account_id = ? AND status = 'active'",
            &[ctx.admin_id.into(), account.id.into()],
        )?
        .is_some();
    let can_reply = account
        .platform
        .parse::<Platform>()
        .is_ok_and(|p| Capabilities::of(p).support(Operation::Reply) == Support::Yes);
    if !connected || !can_reply {
        return Ok(0);
    }
    let mut queued = 0;
    for (e, o) in events.iter().zip(outcomes) {
        let (IncomingEvent::Comment(c), IngestOutcome::Inserted(id)) = (e, o) else {
            continue;
        };
        if c.created_at > 0 && now - c.created_at > NOTICE_FRESHNESS_MS {
            continue;
        }
        let row = tx.query_opt(
            "SELECT needs_reply, post_id FROM comments WHERE id = ?",
            &[(*id).into()],
        )?;
        let Some(row) = row else { continue };
        if !row.bool(0)? {
            continue;
        }
        // Without an author id, each comment is its own author.
        let author_key = c
            .author_ref
            .clone()
            .unwrap_or_else(|| format!("comment:{}", c.external_id));
        let told = tx
            .query_opt(
                "SELECT id FROM closed_notices WHERE account_id = ? AND author_key = ? AND opens_at = ?",
                &[account.id.into(), (&author_key).into(), notice.opens_at.into()],
            )?
            .is_some();
        if told {
            continue;
        }
        let post_ref = match row.opt_int(1)? {
            Some(post) => tx
                .query_opt("SELECT external_id FROM posts WHERE id = ?", &[post.into()])?
                .map(|r| r.text(0))
                .transpose()?,
            None => None,
        };
        let ids = enqueue(
            tx,
            &Target {
                admin_id: ctx.admin_id,
                account_id: account.id,
                platform: &account.platform,
                comment_id: Some(*id),
                action_id: None,
                ban_id: None,
                comment_ref: Some(&c.external_id),
                post_ref: post_ref.as_deref(),
                author_ref: c.author_ref.as_deref(),
                until: None,
            },
            &[Step {
                operation: Operation::Reply,
                body: Some(notice.text.clone()),
                after_previous: false,
            }],
            now,
        )?;
        tx.execute(
            "INSERT INTO closed_notices (admin_id, account_id, author_key, opens_at, comment_id, outbox_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            &[
                ctx.admin_id.into(),
                account.id.into(),
                (&author_key).into(),
                notice.opens_at.into(),
                (*id).into(),
                ids[0].into(),
                now.into(),
            ],
        )?;
        record(
            tx,
            ctx.admin_id,
            now,
            &entry("system", AuditKind::ClosedNotice, AuditTarget::Comment, *id)
                .payload(serde_json::json!({"outbox": ids[0], "opens_at": notice.opens_at})),
        )?;
        queued += 1;
    }
    Ok(queued)
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
