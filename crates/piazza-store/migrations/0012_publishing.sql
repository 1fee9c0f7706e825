-- Publishing approved drafts through the outbox: the outbox row knows the
-- draft it publishes and what the post carries besides its text; the
-- draft knows the post it became, so the comments under it are tied to
-- it; an urgent publication records who published it without approval
-- and why, until the approvals are recorded afterwards.
ALTER TABLE outbox ADD COLUMN draft_id %INT% REFERENCES drafts(id);
-- JSON {link, media: [{url, alt_text}]}.
ALTER TABLE outbox ADD COLUMN attachments TEXT;
CREATE INDEX outbox_draft ON outbox (draft_id);

ALTER TABLE drafts ADD COLUMN published_ref TEXT;
ALTER TABLE drafts ADD COLUMN published_at %INT%;
ALTER TABLE drafts ADD COLUMN post_id %INT% REFERENCES posts(id);
ALTER TABLE drafts ADD COLUMN urgent_reason TEXT;
ALTER TABLE drafts ADD COLUMN urgent_by %INT% REFERENCES staff(id);
ALTER TABLE drafts ADD COLUMN urgent_at %INT%;
-- During an election period: why the urgent text is impersonal and
-- indispensable (L. 28/2000 art. 9).
ALTER TABLE drafts ADD COLUMN urgent_impersonal TEXT;

-- The administration's political figures (the mayor, the assessori, the
-- candidates of a consultation): during an election period a draft or a
-- staff reply naming one of them is flagged (L. 28/2000 art. 9).
CREATE TABLE public_figures (
    id %ID%,
    admin_id %INT% NOT NULL REFERENCES administrations(id),
    name TEXT NOT NULL,
    -- sindaco, vicesindaco, assessore, consigliere, candidato
    role TEXT NOT NULL,
    active %INT% NOT NULL,
    created_by %INT% REFERENCES staff(id),
    created_at %INT% NOT NULL
);
CREATE INDEX public_figures_admin ON public_figures (admin_id, active);

-- A central campaign relayed to other accounts (Roma's municipal
-- accounts): each copy names the draft it came from.
ALTER TABLE drafts ADD COLUMN relayed_from %INT% REFERENCES drafts(id);

-- Requests to publish from associations and groups of citizens, where the
-- policy allows them (Roma): received through a public form, accepted as a
-- draft or declined with a reason.
CREATE TABLE publication_requests (
    id %ID%,
    admin_id %INT% NOT NULL REFERENCES administrations(id),
    requester TEXT NOT NULL,
    reply_to TEXT,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    purpose TEXT,
    wanted_on TEXT,
    link TEXT,
    -- nuova, accolta, respinta
    state TEXT NOT NULL,
    received_at %INT% NOT NULL,
    decided_by %INT% REFERENCES staff(id),
    decided_at %INT%,
    outcome TEXT,
    draft_id %INT% REFERENCES drafts(id)
);
CREATE INDEX publication_requests_admin ON publication_requests (admin_id, state, id);

-- Where a connection's API lives when it is per account (a Mastodon
-- instance); NULL for platforms with one API (Meta).
ALTER TABLE platform_connections ADD COLUMN base_url TEXT;
