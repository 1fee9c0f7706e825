-- Offices in the loop (issue 15): offices are registry data, tickets are a
-- workflow with a history, and e-mail notifications go through an outbox
-- of their own so that a failure is retried and a mail is sent once.

-- The offices a comment can be forwarded to. `digest` = 1: one daily
-- summary instead of one mail per ticket.
CREATE TABLE offices (
    id %ID%,
    admin_id %INT% NOT NULL REFERENCES administrations(id),
    name TEXT NOT NULL,
    email TEXT,
    digest %INT% NOT NULL DEFAULT 0,
    active %INT% NOT NULL DEFAULT 1,
    last_digest_at %INT%,
    created_at %INT% NOT NULL
);
CREATE UNIQUE INDEX offices_name ON offices (admin_id, name);

-- Office staff (role `ufficio`) are bound to one office.
ALTER TABLE staff ADD COLUMN office_id %INT% REFERENCES offices(id);

-- A ticket's place in the workflow. Tickets opened before offices existed
-- keep their office's name and no office id.
ALTER TABLE tickets ADD COLUMN office_id %INT% REFERENCES offices(id);
ALTER TABLE tickets ADD COLUMN draft_reply TEXT;
ALTER TABLE tickets ADD COLUMN reply_action_id %INT% REFERENCES actions(id);
ALTER TABLE tickets ADD COLUMN updated_at %INT%;
ALTER TABLE tickets ADD COLUMN closed_at %INT%;
ALTER TABLE tickets ADD COLUMN version %INT% NOT NULL DEFAULT 0;
CREATE INDEX tickets_office ON tickets (admin_id, office_id, status);

-- Every step of a ticket: who, when, what was written, the state after.
CREATE TABLE ticket_messages (
    id %ID%,
    admin_id %INT% NOT NULL REFERENCES administrations(id),
    ticket_id %INT% NOT NULL REFERENCES tickets(id),
    kind TEXT NOT NULL,
    author_id %INT% REFERENCES staff(id),
    body TEXT,
    state_after TEXT NOT NULL,
    created_at %INT% NOT NULL
);
CREATE INDEX ticket_messages_ticket ON ticket_messages (ticket_id, id);

-- The SMTP server of an administration. The password is sealed with the
-- key that seals platform tokens, never stored in clear.
CREATE TABLE mail_settings (
    admin_id %INT% PRIMARY KEY REFERENCES administrations(id),
    host TEXT NOT NULL,
    port %INT% NOT NULL,
    security TEXT NOT NULL,
    from_address TEXT NOT NULL,
    username TEXT,
    password_sealed TEXT,
    desk_url TEXT,
    urp_address TEXT,
    digest_hour %INT% NOT NULL DEFAULT 8,
    updated_at %INT% NOT NULL
);

-- Mails to send: held (waiting for an office's daily digest), pending,
-- in flight (claimed with a lease), sent, failed, or digested (folded into
-- a digest, which is a row of its own).
CREATE TABLE mail_outbox (
    id %ID%,
    admin_id %INT% NOT NULL REFERENCES administrations(id),
    office_id %INT% REFERENCES offices(id),
    ticket_id %INT% REFERENCES tickets(id),
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts %INT% NOT NULL DEFAULT 0,
    next_attempt_at %INT% NOT NULL,
    lease_until %INT%,
    last_error TEXT,
    digest_id %INT%,
    sent_at %INT%,
    created_at %INT% NOT NULL
);
CREATE INDEX mail_outbox_due ON mail_outbox (state, next_attempt_at);
