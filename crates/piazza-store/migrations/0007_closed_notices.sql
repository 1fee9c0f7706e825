-- The out-of-hours notices sent through the outbox: at most one per author
-- and account for each stretch of closed hours (identified by the opening
-- that ends it), so a citizen who writes three times on a Saturday is told
-- once when the page will be read.
CREATE TABLE closed_notices (
    id %ID%,
    admin_id %INT% NOT NULL REFERENCES administrations(id),
    account_id %INT% NOT NULL REFERENCES accounts(id),
    author_key TEXT NOT NULL,
    opens_at %INT% NOT NULL,
    comment_id %INT% NOT NULL REFERENCES comments(id),
    outbox_id %INT% NOT NULL REFERENCES outbox(id),
    created_at %INT% NOT NULL
);
CREATE UNIQUE INDEX closed_notices_once ON closed_notices (account_id, author_key, opens_at);
