-- Who holds the platform credentials of an account (Tradate: the URP and
-- the Servizio Cultura "detiene le chiavi"). Piazza never stores the
-- credentials themselves: it records who has them, since when, until when.
CREATE TABLE credential_holders (
    id %ID%,
    admin_id %INT% NOT NULL REFERENCES administrations(id),
    account_id %INT% NOT NULL REFERENCES accounts(id),
    -- A person of the registry, or an office by name.
    staff_id %INT% REFERENCES staff(id),
    office TEXT,
    since %INT% NOT NULL,
    until_at %INT%,
    recorded_by %INT% REFERENCES staff(id)
);
CREATE INDEX credential_holders_account ON credential_holders (admin_id, account_id);
