-- The hours an account answers instant messages (Roma asks each account's
-- bio to state them), beside its moderation hours.
ALTER TABLE accounts ADD COLUMN im_hours_json TEXT;
