-- Platforms: one path in and one path out.
--
-- In: a connection links an account to its platform (the platform's id of
-- the account, the access token sealed with an AEAD whose key is outside
-- the database, the pull cursor); raw webhook deliveries are stored as they
-- arrive, deduplicated by the hash of their body, and processed after the
-- answer. Out: every decision that must reach a platform is an outbox row,
-- written in the transaction of the decision and delivered by a worker.

ALTER TABLE comments ADD COLUMN parent_external_id TEXT;
-- When the comment was deleted on the platform (by its author or outside
-- Piazza).
ALTER TABLE comments ADD COLUMN platform_deleted_at %INT%;
-- The ban in force against the author when the comment arrived.
ALTER TABLE comments ADD COLUMN author_ban_id %INT%;

CREATE TABLE platform_connections (
    id %ID%,
    admin_id %INT% NOT NULL REFERENCES administrations(id),
    account_id %INT% NOT NULL UNIQUE REFERENCES accounts(id),
    -- facebook, instagram, sandbox...
    connector TEXT NOT NULL,
    -- The account's id on the platform (a Page id, an Instagram user id).
    platform_account TEXT NOT NULL,
    -- The Facebook Page linked to an Instagram account (private replies).
    page_id TEXT,
    -- `v1:` + hex(nonce, ciphertext, tag); never the token in clear.
    token_sealed TEXT,
    status TEXT NOT NULL,
    sync_cursor TEXT,
    sync_since %INT%,
    last_synced_at %INT%,
    -- The platform asked to slow down: no call before this instant.
    paused_until %INT%,
    last_check_json TEXT,
    last_checked_at %INT%,
    created_at %INT% NOT NULL,
    created_by %INT% REFERENCES staff(id),
    UNIQUE (connector, platform_account)
);

-- Webhook deliveries as received (after their signature was verified).
-- They precede routing: one delivery may hold entries of several accounts,
-- so the rows belong to no administration until processed.
CREATE TABLE platform_events (
    id %ID%,
    source TEXT NOT NULL,
    body_sha256 TEXT NOT NULL UNIQUE,
    body TEXT,
    received_at %INT% NOT NULL,
    state TEXT NOT NULL,
    attempts %INT% NOT NULL DEFAULT 0,
    processed_at %INT%,
    error TEXT
);
CREATE INDEX platform_events_state ON platform_events (state, id);

CREATE TABLE outbox (
    id %ID%,
    admin_id %INT% NOT NULL REFERENCES administrations(id),
    account_id %INT% NOT NULL REFERENCES accounts(id),
    comment_id %INT% REFERENCES comments(id),
    action_id %INT% REFERENCES actions(id),
    ban_id %INT% REFERENCES bans(id),
    -- Delivered only once this row has reached a final state (a statement
    -- sent before the comment it is about is deleted).
    after_id %INT% REFERENCES outbox(id),
    operation TEXT NOT NULL,
    target_ref TEXT,
    post_ref TEXT,
    author_ref TEXT,
    body TEXT,
    until_at %INT%,
    state TEXT NOT NULL,
    attempts %INT% NOT NULL DEFAULT 0,
    next_attempt_at %INT% NOT NULL,
    lease_until %INT%,
    last_error TEXT,
    failure_code TEXT,
    platform_ref TEXT,
    done_at %INT%,
    created_at %INT% NOT NULL
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX outbox_action ON outbox (action_id);
CREATE INDEX outbox_comment ON outbox (comment_id);
