//! Reading the audit log: the DPO's and the auditor's view, in chain
//! order, page by page.

use piazza_store::audit::{self, StoredEntry};

use crate::{Desk, Result};

impl Desk {
    /// The sequence number of the newest audit entry of an administration
    /// (0 when the log is empty): where the audit viewer starts.
    pub fn audit_last_seq(&self, admin_id: i64) -> Result<i64> {
        self.read(|tx| {
            Ok(tx
                .query_one(
                    "SELECT COALESCE(MAX(seq), 0) FROM audit_log WHERE admin_id = ?",
                    &[admin_id.into()],
                )?
                .int(0)?)
        })
    }

    /// Up to `limit` audit entries from sequence number `from_seq` on, in
    /// chain order.
    pub fn audit_entries(
        &self,
        admin_id: i64,
        from_seq: i64,
        limit: i64,
    ) -> Result<Vec<StoredEntry>> {
        self.read(|tx| Ok(audit::entries(tx, admin_id, from_seq, limit)?))
    }
}
