-- Several instances of `piazza serve` on one database: the periodic jobs
-- (the reply-clock sweep, the pulls of the platforms) are run by whoever
-- holds the job's lease, and a webhook delivery is processed by the
-- instance that claimed it until its lease runs out (a crashed instance's
-- deliveries are taken over when it does).
CREATE TABLE worker_leases (
    job TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until_at %INT% NOT NULL
);
ALTER TABLE platform_events ADD COLUMN lease_until %INT%;
