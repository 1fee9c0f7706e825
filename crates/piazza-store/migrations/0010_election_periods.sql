-- Election periods (L. 28/2000 art. 9): from the decree that calls the
-- election to the close of the polls, the administration communicates only
-- impersonally and when it is indispensable. Days are civil dates in
-- Europe/Rome, both included.
CREATE TABLE election_periods (
    id %ID%,
    admin_id %INT% NOT NULL REFERENCES administrations(id),
    -- comunali, regionali, politiche, europee, referendum
    kind TEXT NOT NULL,
    territory TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    -- The act that calls the election (decree, its date and number).
    act TEXT,
    created_by %INT% REFERENCES staff(id),
    created_at %INT% NOT NULL
);
CREATE INDEX election_periods_admin ON election_periods (admin_id, starts_on);
