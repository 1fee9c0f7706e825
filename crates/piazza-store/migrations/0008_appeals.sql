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
    outcome_action_id %INT% REFERENCES actions(id)
);
CREATE UNIQUE INDEX appeals_once ON appeals (action_id);
CREATE INDEX appeals_queue ON appeals (admin_id, state, due_at);
