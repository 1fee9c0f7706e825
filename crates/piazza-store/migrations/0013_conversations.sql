-- Private conversations: what citizens write to an account in private
-- (Telegram chats with the administration's bot), with the staff's
-- answers. Visible only to the staff assigned to the account; texts are
-- purged by retention like comments; never in public statistics.
CREATE TABLE conversations (
    id %ID%,
    admin_id %INT% NOT NULL REFERENCES administrations(id),
    account_id %INT% NOT NULL REFERENCES accounts(id),
    -- The platform's id of the conversation (a Telegram private chat).
    platform_ref TEXT NOT NULL,
    citizen_ref TEXT,
    citizen_name TEXT,
    -- open, answered, closed
    state TEXT NOT NULL,
    -- The intent of the latest message that asked for something.
    intent TEXT,
    last_incoming_at %INT%,
    last_message_at %INT% NOT NULL,
    -- The promised answer time of the oldest unanswered message.
    deadline_at %INT%,
    created_at %INT% NOT NULL,
    UNIQUE (account_id, platform_ref)
);
CREATE INDEX conversations_admin ON conversations (admin_id, state, last_message_at);

CREATE TABLE conversation_messages (
    id %ID%,
    conversation_id %INT% NOT NULL REFERENCES conversations(id),
    admin_id %INT% NOT NULL REFERENCES administrations(id),
    -- in (from the citizen), out (from the staff)
    direction TEXT NOT NULL,
    external_id TEXT,
    -- NULL once purged by retention.
    text TEXT,
    created_at %INT% NOT NULL,
    staff_id %INT% REFERENCES staff(id),
    purged_at %INT%,
    UNIQUE (conversation_id, external_id)
);
CREATE INDEX conversation_messages_conv ON conversation_messages (conversation_id, created_at);

ALTER TABLE outbox ADD COLUMN conversation_id %INT% REFERENCES conversations(id);
ALTER TABLE outbox ADD COLUMN conversation_message_id %INT% REFERENCES conversation_messages(id);

-- The secret an administration's own Mastodon instance signs its admin
-- webhooks with (sealed like the tokens).
ALTER TABLE platform_connections ADD COLUMN webhook_secret_sealed TEXT;

-- The connection's token may act as the instance's administrator (a
-- Mastodon instance the administration runs): set explicitly.
ALTER TABLE platform_connections ADD COLUMN instance_admin %INT% NOT NULL DEFAULT 0;
