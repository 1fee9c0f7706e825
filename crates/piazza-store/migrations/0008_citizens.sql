-- Requests to review a decision (riesame): the statement of reasons
-- promises that a person other than the one who decided examines them.
-- One request per decision; the citizen's grounds are personal data and are
-- purged with the comment texts by retention.
CREATE TABLE appeals (
    id %ID%,
    admin_id %INT% NOT NULL REFERENCES administrations(id),
    action_id %INT% NOT NULL REFERENCES actions(id),
    comment_id %INT% REFERENCES comments(id),
    -- web_form, email, platform_reply, private_message, other
    channel TEXT NOT NULL,
    grounds TEXT,
    -- Where the outcome goes when the platform cannot carry it (an e-mail
    -- address given on the public form); optional.
    reply_to TEXT,
    -- The operator who recorded a request that arrived elsewhere.
    recorded_by %INT% REFERENCES staff(id),
    -- open, upheld, reversed
    state TEXT NOT NULL,
    received_at %INT% NOT NULL,
    due_at %INT% NOT NULL,
    decided_by %INT% REFERENCES staff(id),
    decided_at %INT%,
    outcome_reason TEXT,
    -- The action that undid the decision (an unhide), when reversed.
    outcome_action_id %INT% REFERENCES actions(id),
    -- The e-mail with the outcome, when the author gave an address (a row
    -- of the mail outbox, created by a later migration).
    outcome_mail_id %INT%
);
CREATE UNIQUE INDEX appeals_once ON appeals (action_id);
CREATE INDEX appeals_queue ON appeals (admin_id, state, due_at);

-- Reports of a comment by citizens ("segnala un commento"): the link, the
-- rule they think it breaks and why. Matched to a comment Piazza holds when
-- the link names one (the item is raised in the queue); otherwise left for
-- a person to look at on the platform.
CREATE TABLE user_reports (
    id %ID%,
    admin_id %INT% NOT NULL REFERENCES administrations(id),
    comment_id %INT% REFERENCES comments(id),
    link TEXT NOT NULL,
    clause %INT%,
    reason TEXT,
    reply_to TEXT,
    -- open, closed
    state TEXT NOT NULL,
    received_at %INT% NOT NULL,
    closed_by %INT% REFERENCES staff(id),
    closed_at %INT%,
    outcome TEXT
);
CREATE INDEX user_reports_comment ON user_reports (comment_id);
CREATE INDEX user_reports_queue ON user_reports (admin_id, state, received_at);
