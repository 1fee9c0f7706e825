-- The editorial desk: drafts of the administration's own publications,
-- every version kept, comments, and approvals tied to the version they
-- approve (a new version needs new approvals).
CREATE TABLE drafts (
    id %ID%,
    admin_id %INT% NOT NULL REFERENCES administrations(id),
    account_id %INT% NOT NULL REFERENCES accounts(id),
    title TEXT NOT NULL,
    -- The office or association that asked for it, and why.
    requested_by TEXT,
    purpose TEXT,
    campaign TEXT,
    -- bozza, in_approvazione, approvata, respinta, ritirata
    state TEXT NOT NULL,
    -- Epoch milliseconds, when it should go out.
    scheduled_at %INT%,
    version %INT% NOT NULL,
    created_by %INT% NOT NULL REFERENCES staff(id),
    created_at %INT% NOT NULL,
    updated_at %INT% NOT NULL
);
CREATE INDEX drafts_admin ON drafts (admin_id, state, scheduled_at);

CREATE TABLE draft_versions (
    draft_id %INT% NOT NULL REFERENCES drafts(id),
    version %INT% NOT NULL,
    body TEXT NOT NULL,
    link TEXT,
    -- JSON list of {file, alt_text, licence}.
    media TEXT NOT NULL,
    written_by %INT% NOT NULL REFERENCES staff(id),
    written_at %INT% NOT NULL,
    PRIMARY KEY (draft_id, version)
);

CREATE TABLE draft_comments (
    id %ID%,
    draft_id %INT% NOT NULL REFERENCES drafts(id),
    staff_id %INT% NOT NULL REFERENCES staff(id),
    body TEXT NOT NULL,
    created_at %INT% NOT NULL
);
CREATE INDEX draft_comments_draft ON draft_comments (draft_id, id);

CREATE TABLE draft_approvals (
    id %ID%,
    draft_id %INT% NOT NULL REFERENCES drafts(id),
    version %INT% NOT NULL,
    staff_id %INT% NOT NULL REFERENCES staff(id),
    -- approva, respingi
    decision TEXT NOT NULL,
    note TEXT,
    -- During an election period: why this is impersonal and indispensable
    -- (L. 28/2000 art. 9).
    impersonal_reason TEXT,
    created_at %INT% NOT NULL
);
CREATE INDEX draft_approvals_draft ON draft_approvals (draft_id, version);
