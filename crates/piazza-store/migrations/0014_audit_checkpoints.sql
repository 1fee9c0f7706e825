-- Signed checkpoints of the audit chain: the head of an administration's
-- log (number of entries and hash of the last one) signed with an Ed25519
-- key kept outside the database. Published on the administration's page,
-- so that copies kept by anyone show whether the log was rewritten later.
CREATE TABLE audit_checkpoints (
    id %ID%,
    admin_id %INT% NOT NULL REFERENCES administrations(id),
    -- When it was signed (ms) and the same instant as signed (RFC 3339, UTC).
    created_at %INT% NOT NULL,
    signed_at TEXT NOT NULL,
    seq %INT% NOT NULL,
    head_hash TEXT NOT NULL,
    public_key TEXT NOT NULL,
    signature TEXT NOT NULL
);
CREATE INDEX audit_checkpoints_admin ON audit_checkpoints (admin_id, created_at);
