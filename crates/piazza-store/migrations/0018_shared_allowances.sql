-- Counts that every instance behind a balancer must share.
--
-- Attempts per key and minute: sign-ins per username and per client
-- address, public forms per client address (keys are SHA-256 only: people
-- type passwords into the username field).
ALTER TABLE login_attempts RENAME TO attempt_counts;

-- What the deployment has spent of a platform's allowance in a period (the
-- YouTube project's daily units, the X app's monthly post reads), and
-- whether the platform said it is used up.
CREATE TABLE platform_usage (
    allowance TEXT NOT NULL,
    period %INT% NOT NULL,
    used %INT% NOT NULL,
    exhausted %INT% NOT NULL,
    PRIMARY KEY (allowance, period)
);
