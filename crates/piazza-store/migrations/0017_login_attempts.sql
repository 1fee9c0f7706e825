-- Login attempts per username and minute, counted in the database so that
-- every instance behind a balancer counts the same attempts. The username
-- is kept as a SHA-256 only: people type passwords into the username field.
CREATE TABLE login_attempts (
    key_sha256 TEXT PRIMARY KEY,
    window_start %INT% NOT NULL,
    attempts %INT% NOT NULL
);
CREATE INDEX login_attempts_window ON login_attempts (window_start);
