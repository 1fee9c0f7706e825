//! Signed checkpoints of the audit log.
//!
//! The hash chain shows an entry altered or removed in the middle, and the
//! `audit_seq` counter shows the newest entries deleted; neither stops
//! someone with write access to the whole database from deleting entries
//! and lowering the counter, or from writing a new chain from genesis with
//! recomputed hashes. A checkpoint closes that gap: the head of the chain
//! (number of entries, hash of the last one) signed with an Ed25519 key
//! kept outside the database, and published. Whoever keeps a copy can later
//! check that the log still holds that entry with that hash.
//!
//! A signature proves only that the holder of the key signed: a check says
//! which public key it was, and compares it with the published one when
//! given.

use piazza_secrets::signing::{SignatureError, SigningKeyFile, verify_signature};
use piazza_store::Tx;
use piazza_store::audit::{self, ChainBreak};
use serde::{Deserialize, Serialize};

use crate::audit_log::{AuditKind, AuditTarget, entry, record};
use crate::ids::AdminId;
use crate::{Desk, DeskError, Result};

/// The tag of the signed text and of checkpoint files.
pub const CHECKPOINT_FORMAT: &str = "piazza-audit-checkpoint-v1";

/// How often `piazza serve` signs a checkpoint of each administration.
pub const CHECKPOINT_EVERY_MS: i64 = 24 * 60 * 60 * 1000;

/// The signed head of one administration's audit chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The administration's slug.
    pub ente: String,
    /// When it was signed, RFC 3339 in UTC.
    pub signed_at: String,
    /// The number of entries in the chain (the last entry's sequence number).
    pub seq: i64,
    pub head_hash: String,
    /// The Ed25519 public key, hex.
    pub public_key: String,
    /// The signature of [`Checkpoint::signed_text`], hex.
    pub signature: String,
}

impl Checkpoint {
    /// The text that is signed: every field but the signature, one per
    /// line after the format tag, so no two checkpoints sign the same text.
    pub fn signed_text(&self) -> String {
        format!(
            "{CHECKPOINT_FORMAT}\nente={}\nsigned_at={}\nseq={}\nhead_hash={}\npublic_key={}\n",
            self.ente, self.signed_at, self.seq, self.head_hash, self.public_key
        )
    }

    fn sign(
        key: &SigningKeyFile,
        ente: &str,
        signed_at: String,
        seq: i64,
        head_hash: String,
    ) -> Checkpoint {
        let mut c = Checkpoint {
            ente: ente.to_string(),
            signed_at,
            seq,
            head_hash,
            public_key: key.public_hex(),
            signature: String::new(),
        };
        c.signature = key.sign(c.signed_text().as_bytes());
        c
    }

    /// Whether the signature matches the fields and the public key in the
    /// checkpoint itself.
    pub fn check_signature(&self) -> Result<(), SignatureError> {
        // One field per line: a field holding a line break could make two
        // different checkpoints sign the same text.
        if [
            &self.ente,
            &self.signed_at,
            &self.head_hash,
            &self.public_key,
        ]
        .iter()
        .any(|f| f.contains('\n'))
        {
            return Err(SignatureError::Mismatch);
        }
        verify_signature(
            &self.public_key,
            self.signed_text().as_bytes(),
            &self.signature,
        )
    }
}

/// A checkpoint file: one checkpoint per administration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointFile {
    pub format: String,
    pub checkpoints: Vec<Checkpoint>,
}

impl CheckpointFile {
    pub fn new(checkpoints: Vec<Checkpoint>) -> CheckpointFile {
        CheckpointFile {
            format: CHECKPOINT_FORMAT.to_string(),
            checkpoints,
        }
    }
}

/// A checkpoint as stored, with the instant it was signed (ms).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredCheckpoint {
    pub created_at: i64,
    pub checkpoint: Checkpoint,
}

/// Why a checkpoint does not match the log, or cannot be trusted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum CheckpointProblem {
    /// The signature does not match the checkpoint's fields and key.
    BadSignature { detail: String },
    /// Signed by another key than the one expected.
    UnexpectedKey { expected: String, found: String },
    /// No administration with the checkpoint's slug in this database.
    UnknownAdministration { ente: String },
    /// The log no longer reaches the checkpoint's entry: it was cut below.
    EntryMissing { seq: i64, last_seq: i64 },
    /// The entry exists with another hash: the log was rewritten.
    HashDiffers {
        seq: i64,
        signed: String,
        found: String,
    },
    /// The chain itself does not verify.
    Chain(ChainBreak),
}

impl CheckpointProblem {
    /// The problem for people, in Italian.
    pub fn message_it(&self) -> String {
        match self {
            CheckpointProblem::BadSignature { detail } => format!(
                "la firma non corrisponde ai dati della verifica e alla sua chiave pubblica ({detail}): la verifica è stata alterata o non è stata firmata da quella chiave"
            ),
            CheckpointProblem::UnexpectedKey { expected, found } => format!(
                "la verifica è firmata dalla chiave pubblica {found}, non da quella attesa {expected}"
            ),
            CheckpointProblem::UnknownAdministration { ente } => {
                format!("nel database non c'è nessun ente «{ente}»")
            }
            CheckpointProblem::EntryMissing { seq, last_seq } => format!(
                "la verifica firmata copre {seq} voci ma il registro ne contiene solo {last_seq}: le voci successive alla n. {last_seq} sono state cancellate"
            ),
            CheckpointProblem::HashDiffers { seq, signed, found } => format!(
                "la voce n. {seq} ha l'impronta {found} ma la verifica firmata riporta {signed}: il registro è stato riscritto"
            ),
            CheckpointProblem::Chain(b) => b.message_it(),
        }
    }
}

/// The outcome of checking one checkpoint against the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckpointCheck {
    pub checkpoint: Checkpoint,
    /// Entries in the log now.
    pub entries: i64,
    pub problems: Vec<CheckpointProblem>,
}

impl CheckpointCheck {
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// RFC 3339 in UTC, to the second.
fn rfc3339_utc(ms: i64) -> String {
    piazza_calendar::jiff::Timestamp::from_second(ms.div_euclid(1000))
        .map(|t| t.to_string())
        .unwrap_or_else(|_| ms.to_string())
}

impl Desk {
    /// Signs the head of the administration's audit chain with `key`,
    /// stores the checkpoint and records it in the log itself (after the
    /// head it signs). Refused on an empty or broken chain: a signature
    /// must never vouch for a log that already fails its check.
    pub fn sign_checkpoint(
        &self,
        admin_id: AdminId,
        key: &SigningKeyFile,
        actor: &str,
    ) -> Result<Checkpoint> {
        let at = self.now();
        self.write(|tx| sign_in(tx, admin_id, key, actor, at))
    }

    /// [`Desk::sign_checkpoint`] when the newest stored checkpoint of the
    /// administration is older than `every_ms` (or there is none).
    pub fn sign_checkpoint_if_due(
        &self,
        admin_id: AdminId,
        key: &SigningKeyFile,
        every_ms: i64,
    ) -> Result<Option<Checkpoint>> {
        let at = self.now();
        self.write(|tx| {
            // Taken before the date is read: two instances on one
            // PostgreSQL database then sign one checkpoint, not two.
            tx.lock_administration(admin_id.0)?;
            let last = tx
                .query_one(
                    "SELECT MAX(created_at) FROM audit_checkpoints WHERE admin_id = ?",
                    &[admin_id.into()],
                )?
                .opt_int(0)?;
            if last.is_some_and(|l| at - l < every_ms) {
                return Ok(None);
            }
            sign_in(tx, admin_id, key, "system", at).map(Some)
        })
    }

    /// The administration's stored checkpoints, newest first.
    pub fn audit_checkpoints(
        &self,
        admin_id: AdminId,
        limit: i64,
    ) -> Result<Vec<StoredCheckpoint>> {
        self.read(|tx| {
            let slug = tx
                .query_one(
                    "SELECT slug FROM administrations WHERE id = ?",
                    &[admin_id.into()],
                )?
                .text(0)?;
            let rows = tx.query(
                "SELECT created_at, signed_at, seq, head_hash, public_key, signature
                 FROM audit_checkpoints WHERE admin_id = ? ORDER BY created_at DESC, id DESC LIMIT ?",
                &[admin_id.into(), limit.into()],
            )?;
            rows.iter()
                .map(|r| {
                    Ok(StoredCheckpoint {
                        created_at: r.int(0)?,
                        checkpoint: Checkpoint {
                            ente: slug.clone(),
                            signed_at: r.text(1)?,
                            seq: r.int(2)?,
                            head_hash: r.text(3)?,
                            public_key: r.text(4)?,
                            signature: r.text(5)?,
                        },
                    })
                })
                .collect()
        })
    }

    /// Checks a checkpoint: its signature (and key, when `expected_key` is
    /// given), then that the log still holds its entry with its hash and
    /// that the chain verifies. Works on a read-only store.
    pub fn verify_checkpoint(
        &self,
        checkpoint: &Checkpoint,
        expected_key: Option<&str>,
    ) -> Result<CheckpointCheck> {
        let mut problems = Vec::new();
        if let Err(e) = checkpoint.check_signature() {
            problems.push(CheckpointProblem::BadSignature {
                detail: e.to_string(),
            });
        }
        if let Some(expected) = expected_key
            && !expected.trim().eq_ignore_ascii_case(&checkpoint.public_key)
        {
            problems.push(CheckpointProblem::UnexpectedKey {
                expected: expected.trim().to_ascii_lowercase(),
                found: checkpoint.public_key.clone(),
            });
        }
        let Some(admin) = self
            .administrations()?
            .into_iter()
            .find(|a| a.slug == checkpoint.ente)
        else {
            problems.push(CheckpointProblem::UnknownAdministration {
                ente: checkpoint.ente.clone(),
            });
            return Ok(CheckpointCheck {
                checkpoint: checkpoint.clone(),
                entries: 0,
                problems,
            });
        };
        let (found, chain) = self.read(|tx| {
            Ok((
                audit::hash_at(tx, admin.id.0, checkpoint.seq)?,
                audit::verify(tx, admin.id.0)?,
            ))
        })?;
        match found {
            None => problems.push(CheckpointProblem::EntryMissing {
                seq: checkpoint.seq,
                last_seq: chain.entries,
            }),
            Some(h) if h != checkpoint.head_hash => problems.push(CheckpointProblem::HashDiffers {
                seq: checkpoint.seq,
                signed: checkpoint.head_hash.clone(),
                found: h,
            }),
            Some(_) => {}
        }
        problems.extend(chain.problems.into_iter().map(CheckpointProblem::Chain));
        Ok(CheckpointCheck {
            checkpoint: checkpoint.clone(),
            entries: chain.entries,
            problems,
        })
    }
}

fn sign_in(
    tx: &mut Tx<'_>,
    admin_id: AdminId,
    key: &SigningKeyFile,
    actor: &str,
    at: i64,
) -> Result<Checkpoint> {
    tx.lock_administration(admin_id.0)?;
    let slug = tx
        .query_one(
            "SELECT slug FROM administrations WHERE id = ?",
            &[admin_id.into()],
        )?
        .text(0)?;
    let chain = audit::verify(tx, admin_id.0)?;
    if let Some(p) = chain.problems.first() {
        return Err(DeskError::InvalidInput(format!(
            "il registro di «{slug}» non è integro ({}): non firmo una verifica di un registro alterato",
            p.message_it()
        )));
    }
    let Some((seq, head_hash)) = audit::head(tx, admin_id.0)? else {
        return Err(DeskError::InvalidInput(format!(
            "il registro di «{slug}» è vuoto: non c'è nulla da firmare"
        )));
    };
    let c = Checkpoint::sign(key, &slug, rfc3339_utc(at), seq, head_hash);
    tx.execute(
        "INSERT INTO audit_checkpoints (admin_id, created_at, signed_at, seq, head_hash, public_key, signature)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
        &[
            admin_id.into(),
            at.into(),
            (&c.signed_at).into(),
            c.seq.into(),
            (&c.head_hash).into(),
            (&c.public_key).into(),
            (&c.signature).into(),
        ],
    )?;
    record(
        tx,
        admin_id,
        at,
        &entry(
            actor,
            AuditKind::AuditCheckpoint,
            AuditTarget::Administration,
            admin_id,
        )
        .payload(serde_json::json!({
            "seq": c.seq,
            "head_hash": c.head_hash,
            "public_key": c.public_key,
            "signed_at": c.signed_at,
        })),
    )?;
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Checkpoint {
        Checkpoint::sign(
            &SigningKeyFile::from_seed([3u8; 32]),
            "cento",
            "2026-12-05T10:00:00Z".into(),
            42,
            "ab".repeat(32),
        )
    }

    #[test]
    fn every_signed_field_is_covered_by_the_signature() {
        let c = sample();
        assert_eq!(c.check_signature(), Ok(()));
        let altered: Vec<Checkpoint> = vec![
            Checkpoint {
                ente: "roma".into(),
                ..c.clone()
            },
            Checkpoint {
                signed_at: "2026-12-06T10:00:00Z".into(),
                ..c.clone()
            },
            Checkpoint {
                seq: 41,
                ..c.clone()
            },
            Checkpoint {
                head_hash: "cd".repeat(32),
                ..c.clone()
            },
            Checkpoint {
                public_key: SigningKeyFile::from_seed([4u8; 32]).public_hex(),
                ..c.clone()
            },
        ];
        for a in altered {
            assert!(a.check_signature().is_err(), "{a:?}");
        }
    }

    #[test]
    fn instants_are_utc_rfc3339_to_the_second() {
        assert_eq!(rfc3339_utc(1_795_424_400_123), "2026-11-23T09:00:00Z");
    }

    #[test]
    fn a_checkpoint_file_round_trips_through_json() {
        let f = CheckpointFile::new(vec![sample()]);
        let text = serde_json::to_string_pretty(&f).unwrap();
        assert!(text.contains(CHECKPOINT_FORMAT));
        assert_eq!(serde_json::from_str::<CheckpointFile>(&text).unwrap(), f);
    }
}
