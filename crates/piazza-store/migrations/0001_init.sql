-- Piazza schema, version 1. Every row belongs to one administration
-- (admin_id) and every query of the desk is scoped by it. Instants are
-- milliseconds since the Unix epoch, UTC. %ID%, %INT% and %REAL% are
-- expanded per backend by migrate.rs.

CREATE TABLE administrations (
    id %ID%,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_at %INT% NOT NULL
);

-- Policy history: every decision records the version in force.
CREATE TABLE policy_versions (
    id %ID%,
    admin_id %INT% NOT NULL REFERENCES administrations(id),
    version_label TEXT NOT NULL,
    source_label TEXT NOT NULL,
    toml TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    activated_at %INT% NOT NULL,
    activated_by %INT%
);
CREATE INDEX policy_versions_admin ON policy_versions (admin_id, id);

CREATE TABLE staff (
    id %ID%,
    admin_id %INT% NOT NULL REFERENCES administrations(id),
    username TEXT NOT NULL UNIQUE,
    full_name TEXT NOT NULL,
    email TEXT,
    roles TEXT NOT NULL,
    password_hash TEXT,
    active %INT% NOT NULL DEFAULT 1,
    failed_logins %INT% NOT NULL DEFAULT 0,
    locked_until %INT%,
    created_at %INT% NOT NULL
);

CREATE TABLE accounts (
    id %ID%,
    admin_id %INT% NOT NULL REFERENCES administrations(id),
    platform TEXT NOT NULL,
    name TEXT NOT NULL,
    handle TEXT,
    url TEXT,
    kind TEXT NOT NULL,
    managing_office TEXT,
    authorised_by TEXT,
    authorised_at %INT%,
    opened_with_email TEXT,
    hours_json TEXT,
    status TEXT NOT NULL,
    created_at %INT% NOT NULL
);
CREATE INDEX accounts_admin ON accounts (admin_id);

CREATE TABLE assignments (
    id %ID%,
    admin_id %INT% NOT NULL REFERENCES administrations(id),
    staff_id %INT% NOT NULL REFERENCES staff(id),
    account_id %INT% NOT NULL REFERENCES accounts(id),
    starts_at %INT% NOT NULL,
    ends_at %INT%,
    ended_by %INT%,
    end_reason TEXT
);
CREATE INDEX assignments_staff ON assignments (admin_id, staff_id);

-- Ending an assignment opens a handover checklist that must be completed and
-- signed off. Piazza never stores platform passwords.
CREATE TABLE handovers (
    id %ID%,
    admin_id %INT% NOT NULL REFERENCES administrations(id),
    assignment_id %INT% NOT NULL UNIQUE REFERENCES assignments(id),
    opened_at %INT% NOT NULL,
    signed_off_at %INT%,
    signed_off_by %INT%
);

CREATE TABLE handover_items (
    id %ID%,
    admin_id %INT% NOT NULL REFERENCES administrations(id),
    handover_id %INT% NOT NULL REFERENCES handovers(id),
    item TEXT NOT NULL,
    done_at %INT%,
    done_by %INT%,
    note TEXT,
    UNIQUE (handover_id, item)
);

CREATE TABLE credential_rotations (
    id %ID%,
    admin_id %INT% NOT NULL REFERENCES administrations(id),
    account_id %INT% NOT NULL REFERENCES accounts(id),
    rotated_at %INT% NOT NULL,
    recorded_by %INT%,
    note TEXT
);

CREATE TABLE posts (
    id %ID%,
    admin_id %INT% NOT NULL REFERENCES administrations(id),
    account_id %INT% NOT NULL REFERENCES accounts(id),
    platform TEXT NOT NULL,
    external_id TEXT NOT NULL,
    text TEXT,
    url TEXT,
    published_at %INT%,
    ingested_at %INT% NOT NULL,
    UNIQUE (admin_id, platform, external_id)
);

CREATE TABLE comments (
    id %ID%,
    admin_id %INT% NOT NULL REFERENCES administrations(id),
    account_id %INT% NOT NULL REFERENCES accounts(id),
    post_id %INT% REFERENCES posts(id),
    platform TEXT NOT NULL,
    external_id TEXT NOT NULL,
    author_ref TEXT,
    author_name TEXT,
    text TEXT,
    text_sha256 TEXT NOT NULL,
    created_at %INT% NOT NULL,
    ingested_at %INT% NOT NULL,
    revision %INT% NOT NULL DEFAULT 1,
    state TEXT NOT NULL,
    resolution TEXT,
    severity %REAL% NOT NULL DEFAULT 0,
    priority %INT% NOT NULL DEFAULT 0,
    top_category TEXT,
    assigned_to %INT% REFERENCES staff(id),
    version %INT% NOT NULL DEFAULT 1,
    policy_version_id %INT% REFERENCES policy_versions(id),
    visibility TEXT NOT NULL DEFAULT 'visible',
    needs_reply %INT% NOT NULL DEFAULT 0,
    taken_in_charge_at %INT%,
    courtesy_due_at %INT%,
    deadline_at %INT%,
    sla_state TEXT,
    answered_at %INT%,
    resolved_at %INT%,
    legal_hold %INT% NOT NULL DEFAULT 0,
    purged_at %INT%,
    UNIQUE (admin_id, platform, external_id)
);
CREATE INDEX comments_queue ON comments (admin_id, state, deadline_at, priority);
CREATE INDEX comments_author ON comments (admin_id, account_id, author_ref);
CREATE INDEX comments_created ON comments (admin_id, created_at);

-- Every text a comment has had: an edit keeps its history.
CREATE TABLE comment_revisions (
    id %ID%,
    admin_id %INT% NOT NULL REFERENCES administrations(id),
    comment_id %INT% NOT NULL REFERENCES comments(id),
    revision %INT% NOT NULL,
    text TEXT,
    text_sha256 TEXT NOT NULL,
    seen_at %INT% NOT NULL,
    UNIQUE (comment_id, revision)
);

CREATE TABLE findings (
    id %ID%,
    admin_id %INT% NOT NULL REFERENCES administrations(id),
    comment_id %INT% NOT NULL REFERENCES comments(id),
    revision %INT% NOT NULL,
    policy_version_id %INT% REFERENCES policy_versions(id),
    category TEXT,
    intent TEXT,
    kind TEXT,
    target TEXT,
    score %REAL% NOT NULL,
    flagged %INT% NOT NULL,
    clause %INT%,
    evidence_json TEXT,
    explanation TEXT NOT NULL
);
CREATE INDEX findings_comment ON findings (comment_id);
CREATE INDEX findings_admin ON findings (admin_id, category);

-- Moderation actions. Bulk actions are one parent with children.
CREATE TABLE actions (
    id %ID%,
    admin_id %INT% NOT NULL REFERENCES administrations(id),
    comment_id %INT% REFERENCES comments(id),
    parent_id %INT% REFERENCES actions(id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    actor_id %INT% REFERENCES staff(id),
    confirmed_by %INT% REFERENCES staff(id),
    confirmed_at %INT%,
    clauses TEXT NOT NULL,
    categories TEXT NOT NULL,
    policy_version_id %INT% REFERENCES policy_versions(id),
    reason TEXT,
    template TEXT,
    reply_text TEXT,
    office TEXT,
    ticket_number TEXT,
    ban_until %INT%,
    automated_detection %INT% NOT NULL DEFAULT 0,
    evidence_text TEXT,
    is_revert %INT% NOT NULL DEFAULT 0,
    created_at %INT% NOT NULL
);
CREATE INDEX actions_comment ON actions (comment_id);
CREATE INDEX actions_admin ON actions (admin_id, created_at);

-- Statements of reasons (DSA art. 17 shape) for restrictive actions.
CREATE TABLE statements (
    id %ID%,
    admin_id %INT% NOT NULL REFERENCES administrations(id),
    action_id %INT% NOT NULL REFERENCES actions(id),
    comment_id %INT% REFERENCES comments(id),
    text TEXT NOT NULL,
    dsa_json TEXT NOT NULL,
    created_at %INT% NOT NULL
);

CREATE TABLE tickets (
    id %ID%,
    admin_id %INT% NOT NULL REFERENCES administrations(id),
    number TEXT NOT NULL UNIQUE,
    office TEXT NOT NULL,
    comment_id %INT% REFERENCES comments(id),
    action_id %INT% REFERENCES actions(id),
    status TEXT NOT NULL,
    created_at %INT% NOT NULL
);

CREATE TABLE bans (
    id %ID%,
    admin_id %INT% NOT NULL REFERENCES administrations(id),
    account_id %INT% NOT NULL REFERENCES accounts(id),
    author_ref TEXT NOT NULL,
    until_at %INT%,
    action_id %INT% REFERENCES actions(id),
    created_at %INT% NOT NULL,
    lifted_at %INT%
);

CREATE TABLE counters (
    admin_id %INT% NOT NULL REFERENCES administrations(id),
    name TEXT NOT NULL,
    value %INT% NOT NULL,
    PRIMARY KEY (admin_id, name)
);

-- The append-only audit log: one hash chain per administration. Entries
-- never hold comment texts, so retention can purge texts and leave the
-- chain verifiable.
CREATE TABLE audit_log (
    id %ID%,
    admin_id %INT% NOT NULL REFERENCES administrations(id),
    seq %INT% NOT NULL,
    at %INT% NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id TEXT NOT NULL,
    reason TEXT,
    clauses TEXT,
    policy_version TEXT,
    payload TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (admin_id, seq)
);

-- Imports: progress committed with each batch, so a re-run resumes.
CREATE TABLE import_runs (
    id %ID%,
    admin_id %INT% NOT NULL REFERENCES administrations(id),
    account_id %INT% NOT NULL REFERENCES accounts(id),
    file_key TEXT NOT NULL,
    file_name TEXT NOT NULL,
    lines_done %INT% NOT NULL DEFAULT 0,
    imported %INT% NOT NULL DEFAULT 0,
    unchanged %INT% NOT NULL DEFAULT 0,
    failed %INT% NOT NULL DEFAULT 0,
    started_at %INT% NOT NULL,
    updated_at %INT% NOT NULL,
    finished_at %INT%,
    UNIQUE (admin_id, account_id, file_key)
);

CREATE TABLE import_errors (
    id %ID%,
    admin_id %INT% NOT NULL REFERENCES administrations(id),
    run_id %INT% NOT NULL REFERENCES import_runs(id),
    line %INT% NOT NULL,
    field TEXT,
    message TEXT NOT NULL,
    UNIQUE (run_id, line)
);

-- Web sessions (server-side; the cookie holds only a random token's id).
CREATE TABLE sessions (
    id %ID%,
    admin_id %INT% NOT NULL REFERENCES administrations(id),
    token_sha256 TEXT NOT NULL UNIQUE,
    staff_id %INT% NOT NULL REFERENCES staff(id),
    created_at %INT% NOT NULL,
    expires_at %INT% NOT NULL,
    revoked_at %INT%
);
