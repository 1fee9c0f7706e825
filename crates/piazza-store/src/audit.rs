//! The append-only audit log: one hash chain per administration.
//!
//! Every entry stores the hash of the previous one and its own hash over all
//! its fields, and is written in the same transaction as the change it
//! records. The number of entries is also kept in `counters`, so deleting
//! the newest entries is detected too. [`verify`] names the first entry
//! that was altered, deleted or moved.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::{BackendKind, Result, Tx, Value};

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
const COUNTER: &str = "audit_seq";

/// What an audit entry records. Never put comment texts or personal data in
/// it: the chain outlives the retention period of texts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    /// Who did it: `staff:12`, `system`, `cli`.
    pub actor: String,
    /// What happened: `action.remove`, `staff.add`, `policy.activate`...
    pub kind: String,
    pub target_type: String,
    pub target_id: String,
    pub reason: Option<String>,
    /// The clauses cited, as a JSON array of numbers.
    pub clauses: Option<String>,
    pub policy_version: Option<String>,
    pub payload: serde_json::Value,
}

impl AuditEntry {
    pub fn new(
        actor: impl Into<String>,
        kind: impl Into<String>,
        target_type: &str,
        target_id: impl ToString,
    ) -> Self {
        AuditEntry {
            actor: actor.into(),
            kind: kind.into(),
            target_type: target_type.to_string(),
            target_id: target_id.to_string(),
            reason: None,
            clauses: None,
            policy_version: None,
            payload: serde_json::Value::Null,
        }
    }

    pub fn reason(mut self, r: impl Into<String>) -> Self {
        self.reason = Some(r.into());
        self
    }

    pub fn clauses(mut self, clauses: &[u32]) -> Self {
        self.clauses = Some(serde_json::to_string(clauses).expect("numbers serialise"));
        self
    }

    pub fn policy_version(mut self, v: impl Into<String>) -> Self {
        self.policy_version = Some(v.into());
        self
    }

    pub fn payload(mut self, p: serde_json::Value) -> Self {
        self.payload = p;
        self
    }
}

/// An entry as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredEntry {
    pub id: i64,
    pub seq: i64,
    pub at: i64,
    pub entry: AuditEntry,
    pub prev_hash: String,
    pub hash: String,
}

#[allow(clippy::too_many_arguments)]
fn digest(admin_id: i64, seq: i64, at: i64, e: &AuditEntry, payload: &str, prev: &str) -> String {
    let mut h = Sha256::new();
    // Length-prefixed fields: no two different entries hash the same text.
    for field in [
        admin_id.to_string().as_str(),
        &seq.to_string(),
        &at.to_string(),
        &e.actor,
        &e.kind,
        &e.target_type,
        &e.target_id,
        e.reason.as_deref().unwrap_or("\u{0}"),
        e.clauses.as_deref().unwrap_or("\u{0}"),
        e.policy_version.as_deref().unwrap_or("\u{0}"),
        payload,
        prev,
    ] {
        h.update((field.len() as u64).to_le_bytes());
        h.update(field.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Appends an entry to the administration's chain; returns its sequence
/// number. Call it inside the transaction that makes the change.
///
/// On PostgreSQL the administration's lock is held from here to the commit,
/// and every writer of the administration waits for it, so the append is
/// three statements: the lock, the chain's head, and the entry with the
/// recorded length in one (it was four).
pub fn append(tx: &mut Tx<'_>, admin_id: i64, at: i64, entry: &AuditEntry) -> Result<i64> {
    // `Tx::lock_administration`'s lock first, then the head it guards: a
    // statement that waited for the lock reads rows as of its own start
    // (read committed), so the head must be read by the next one.
    tx.lock_administration(admin_id)?;
    let last = tx
        .query_opt(
            "SELECT seq, hash FROM audit_log WHERE admin_id = ? ORDER BY seq DESC LIMIT 1",
            &[Value::Int(admin_id)],
        )?
        .map(|r| Ok::<_, crate::StoreError>((r.int(0)?, r.text(1)?)))
        .transpose()?;
    let (seq, prev) = match last {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS.to_string()),
    };
    let payload = entry.payload.to_string();
    let hash = digest(admin_id, seq, at, entry, &payload, &prev);
    let row = [
        admin_id.into(),
        seq.into(),
        at.into(),
        (&entry.actor).into(),
        (&entry.kind).into(),
        (&entry.target_type).into(),
        (&entry.target_id).into(),
        entry.reason.clone().into(),
        entry.clauses.clone().into(),
        entry.policy_version.clone().into(),
        payload.into(),
        prev.into(),
        hash.into(),
    ];
    match tx.kind() {
        BackendKind::Sqlite => {
            tx.execute(
                "INSERT INTO audit_log (admin_id, seq, at, actor, kind, target_type, target_id, reason, clauses, policy_version, payload, prev_hash, hash)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                &row,
            )?;
            tx.execute(
                "INSERT INTO counters (admin_id, name, value) VALUES (?, ?, ?)
                 ON CONFLICT (admin_id, name) DO UPDATE SET value = excluded.value",
                &[admin_id.into(), COUNTER.into(), seq.into()],
            )?;
        }
        BackendKind::Postgres => {
            let mut params = row.to_vec();
            params.push(COUNTER.into());
            tx.execute(
                "WITH e AS (
                    INSERT INTO audit_log (admin_id, seq, at, actor, kind, target_type, target_id, reason, clauses, policy_version, payload, prev_hash, hash)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING admin_id, seq)
                 INSERT INTO counters (admin_id, name, value) SELECT admin_id, ?, seq FROM e
                 ON CONFLICT (admin_id, name) DO UPDATE SET value = excluded.value",
                &params,
            )?;
        }
    }
    Ok(seq)
}

/// The hash of the administration's entry number `seq`, if one is stored:
/// what a checkpoint's head hash is compared with.
pub fn hash_at(tx: &mut Tx<'_>, admin_id: i64, seq: i64) -> Result<Option<String>> {
    tx.query_opt(
        "SELECT hash FROM audit_log WHERE admin_id = ? AND seq = ? ORDER BY id LIMIT 1",
        &[admin_id.into(), seq.into()],
    )?
    .map(|r| r.text(0))
    .transpose()
}

/// The newest entry's sequence number and hash; `None` for an empty log.
pub fn head(tx: &mut Tx<'_>, admin_id: i64) -> Result<Option<(i64, String)>> {
    tx.query_opt(
        "SELECT seq, hash FROM audit_log WHERE admin_id = ? ORDER BY seq DESC LIMIT 1",
        &[admin_id.into()],
    )?
    .map(|r| Ok((r.int(0)?, r.text(1)?)))
    .transpose()
}

/// Entries of one administration in chain order, optionally only from
/// `from_seq` on.
pub fn entries(
    tx: &mut Tx<'_>,
    admin_id: i64,
    from_seq: i64,
    limit: i64,
) -> Result<Vec<StoredEntry>> {
    let rows = tx.query(
        "SELECT id, seq, at, actor, kind, target_type, target_id, reason, clauses, policy_version, payload, prev_hash, hash
         FROM audit_log WHERE admin_id = ? AND seq >= ? ORDER BY id LIMIT ?",
        &[admin_id.into(), from_seq.into(), limit.into()],
    )?;
    rows.iter()
        .map(|r| {
            Ok(StoredEntry {
                id: r.int(0)?,
                seq: r.int(1)?,
                at: r.int(2)?,
                entry: AuditEntry {
                    actor: r.text(3)?,
                    kind: r.text(4)?,
                    target_type: r.text(5)?,
                    target_id: r.text(6)?,
                    reason: r.opt_text(7)?,
                    clauses: r.opt_text(8)?,
                    policy_version: r.opt_text(9)?,
                    payload: serde_json::from_str(&r.text(10)?).unwrap_or(serde_json::Value::Null),
                },
                prev_hash: r.text(11)?,
                hash: r.text(12)?,
            })
        })
        .collect()
}

/// Why a chain does not verify.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum ChainBreak {
    /// The entry's content no longer matches its hash.
    Altered { seq: i64, id: i64, kind: String },
    /// One or more entries before this one are gone.
    Missing {
        expected_seq: i64,
        found_seq: i64,
        id: i64,
    },
    /// The entry does not follow the one stored before it.
    Reordered { seq: i64, id: i64, after_seq: i64 },
    /// The newest entries are gone.
    Truncated { last_seq: i64, recorded_seq: i64 },
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainBreak::Altered { seq, id, kind } => write!(
                f,
                "entry #{seq} (id {id}, {kind}) was altered: its content no longer matches its hash"
            ),
            ChainBreak::Missing {
                expected_seq,
                found_seq,
                id,
            } => write!(
                f,
                "entries #{expected_seq}..#{} are missing: the next stored entry is #{found_seq} (id {id})",
                found_seq - 1
            ),
            ChainBreak::Reordered { seq, id, after_seq } => write!(
                f,
                "entry #{seq} (id {id}) is out of order: it is stored after entry #{after_seq}"
            ),
            ChainBreak::Truncated {
                last_seq,
                recorded_seq,
            } => write!(
                f,
                "the log ends at entry #{last_seq} but #{recorded_seq} were written: the newest entries were deleted"
            ),
        }
    }
}

impl ChainBreak {
    /// The problem for people, in Italian (the CLI and the web desk print
    /// this; `Display` is for logs).
    pub fn message_it(&self) -> String {
        match self {
            ChainBreak::Altered { seq, id, kind } => format!(
                "la voce n. {seq} (id {id}, {kind}) è stata alterata: il contenuto non corrisponde più alla sua impronta"
            ),
            ChainBreak::Missing {
                expected_seq,
                found_seq,
                id,
            } => format!(
                "mancano le voci dalla n. {expected_seq} alla n. {}: la voce conservata successiva è la n. {found_seq} (id {id})",
                found_seq - 1
            ),
            ChainBreak::Reordered { seq, id, after_seq } => format!(
                "la voce n. {seq} (id {id}) è fuori ordine: si trova dopo la voce n. {after_seq}"
            ),
            ChainBreak::Truncated {
                last_seq,
                recorded_seq,
            } => format!(
                "il registro termina alla voce n. {last_seq} ma ne sono state scritte {recorded_seq}: le voci più recenti sono state cancellate"
            ),
        }
    }
}

/// The outcome of [`verify`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    pub entries: i64,
    pub head_hash: Option<String>,
    pub problems: Vec<ChainBreak>,
}

impl Verification {
    pub fn is_intact(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Walks the whole chain of one administration in storage order.
pub fn verify(tx: &mut Tx<'_>, admin_id: i64) -> Result<Verification> {
    const PAGE: i64 = 5000;
    let mut problems = Vec::new();
    let mut prev_hash = GENESIS.to_string();
    let mut prev_seq = 0i64;
    let mut count = 0i64;
    let mut last_id = 0i64;
    loop {
        let rows = tx.query(
            "SELECT id, seq, at, actor, kind, target_type, target_id, reason, clauses, policy_version, payload, prev_hash, hash
             FROM audit_log WHERE admin_id = ? AND id > ? ORDER BY id LIMIT ?",
            &[admin_id.into(), last_id.into(), PAGE.into()],
        )?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            let id = r.int(0)?;
            let seq = r.int(1)?;
            let entry = AuditEntry {
                actor: r.text(3)?,
                kind: r.text(4)?,
                target_type: r.text(5)?,
                target_id: r.text(6)?,
                reason: r.opt_text(7)?,
                clauses: r.opt_text(8)?,
                policy_version: r.opt_text(9)?,
                payload: serde_json::Value::Null,
            };
            let payload = r.text(10)?;
            let stored_prev = r.text(11)?;
            let stored_hash = r.text(12)?;
            let expected = digest(admin_id, seq, r.int(2)?, &entry, &payload, &stored_prev);
            if expected != stored_hash {
                problems.push(ChainBreak::Altered {
                    seq,
                    id,
                    kind: entry.kind.clone(),
                });
            } else if seq > prev_seq + 1 {
                problems.push(ChainBreak::Missing {
                    expected_seq: prev_seq + 1,
                    found_seq: seq,
                    id,
                });
            } else if seq <= prev_seq || stored_prev != prev_hash {
                problems.push(ChainBreak::Reordered {
                    seq,
                    id,
                    after_seq: prev_seq,
                });
            }
            prev_hash = stored_hash;
            prev_seq = seq;
            count += 1;
            last_id = id;
        }
    }
    let recorded = tx
        .query_opt(
            "SELECT value FROM counters WHERE admin_id = ? AND name = ?",
            &[admin_id.into(), COUNTER.into()],
        )?
        .map(|r| r.int(0))
        .transpose()?
        .unwrap_or(0);
    if recorded > prev_seq {
        problems.push(ChainBreak::Truncated {
            last_seq: prev_seq,
            recorded_seq: recorded,
        });
    }
    Ok(Verification {
        entries: count,
        head_hash: (count > 0).then_some(prev_hash),
        problems,
    })
}
